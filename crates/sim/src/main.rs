//! `uketsuke-sim`: the three-cloud simulator as a program, for the demo.

use clap::Parser;
use uketsuke_sim::{Sim, SimConfig, DEMO_RESERVATION_TOKEN};

#[derive(Parser)]
#[command(version, about = "Loopback simulator of the SESAME, SPLATS and reservation clouds")]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8790)]
    port: u16,
    /// Bearer token the reservation API accepts without the browser sign-in.
    #[arg(long, default_value = DEMO_RESERVATION_TOKEN)]
    reservation_token: String,
    /// Put the simulated servers' clock this many seconds off the PC's.
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    clock_offset: i64,
    /// Write the demo locks as `door<TAB>uuid<TAB>secret key` lines to this file, for the
    /// demo script to register them the way a manager would.
    #[arg(long, value_name = "FILE")]
    write_demo_devices: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let args = Args::parse();
    let config = SimConfig {
        port: args.port,
        reservation_tokens: vec![args.reservation_token],
        clock_offset_secs: args.clock_offset,
    };
    let sim = Sim::start(config).await?;
    if let Some(path) = args.write_demo_devices {
        let world = sim.state.world.lock().unwrap();
        let lines: String = world
            .sesame
            .devices
            .values()
            .map(|d| {
                format!(
                    "{}\t{}\t{}\n",
                    d.door,
                    d.uuid,
                    d.secret.iter().map(|b| format!("{b:02x}")).collect::<String>()
                )
            })
            .collect();
        std::fs::write(path, lines)?;
    }
    println!("uketsuke-sim listening on {}", sim.url());
    println!("  reservation: {}", sim.reservation_url());
    println!("  sesame:      {}", sim.sesame_url());
    println!("  splats:      {}", sim.splats_url());
    tokio::signal::ctrl_c().await?;
    Ok(())
}
