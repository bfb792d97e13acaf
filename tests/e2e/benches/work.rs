//! The app at work, measured from outside and in its page: `make bench` runs this
//! under Xvfb with a keyring, after `--bench window`, and writes the `work` section of
//! docs/PERFORMANCE.md.
//!
//! - TOTP step boundary → new QR on screen: the page itself records, on each QR it
//!   shows, the time from the replaced code's `step_end` (the server's clock) to the
//!   first frame after the new picture decoded (`data-swap-ms`, `ui/src/lib/qrSwap.ts`);
//!   read after each of several boundaries, in the staff window's QR panel.
//! - PSS after an hour of front-desk work, compressed: the release app driven through
//!   WebDriver, with the worker on at the shortest intervals the config allows (30 s
//!   bookings, 60 s SPLATS: 4 and 5 times the defaults), through 60 walk-ins typed into the
//!   form (one a minute is a busy counter), each guest's QR opened and closed, 20 door
//!   unlocks confirmed by a status read, 20 check-ins and 20 check-outs, and the history
//!   screen opened 6 times. PSS of the app and its WebKit processes is read after 20 s
//!   idle before the work and after it, against a blank Tauri window in the same run.

#[path = "../../../crates/core/benches/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};
use uketsuke_core::platform::clock;
use uketsuke_e2e::procs::{end, family, pss, pss_mb, release_binary, running, spawn_until_painted};
use uketsuke_e2e::{live_desk, Driver, Session};
use uketsuke_sim::{Sim, SimConfig};

const KEYRING_SERVICE: &str = "jp.uketsuke.bench-work";
const RUNS: usize = 2;
const BOUNDARIES: usize = 4;
const WALK_INS: usize = 60;
const SETTLE: Duration = Duration::from_secs(20);

/// The demo facility with every cloud configured, the worker on at its shortest
/// intervals, and A101's lock registered.
async fn facility(sim: &Sim, dir: &Path) -> std::path::PathBuf {
    live_desk(sim, dir, KEYRING_SERVICE, |c| {
        // The shortest intervals the config allows (the rate budgets' floor).
        c.sync.bookings_every_secs = 30;
        c.sync.histories_every_secs = 60;
        c.splats.guest_qr_timestep_secs = 30;
    })
    .await
}

/// PSS (kB per process) of the running app and every process it started.
fn app_pss(app: &Path) -> Vec<(String, u64)> {
    let root = *running(app).first().expect("the app is running");
    pss(&family(root))
}

/// One walk-in typed into the form, in 会議室A from now for an hour.
async fn walk_in(s: &Session, i: usize) {
    s.click_css("[data-testid=walk-in]").await;
    let name = s.wait_for("[data-testid=walk-in-name]").await;
    s.clear_and_type(&name, &format!("来客 {i:02}")).await;
    s.click_css("[data-testid=walk-in-area]").await;
    s.click_css("[data-testid=walk-in-save]").await;
    s.wait_for_text(&format!("来客 {i:02}")).await;
}

/// Opens the QR panel of the guest named `来客 {i}`.
async fn open_qr(s: &Session, i: usize) {
    let js = format!(
        "const row = [...document.querySelectorAll('[data-testid=guest-row]')]\
           .find((r) => r.textContent.includes('来客 {i:02}')); \
         row.querySelector('[data-testid=show-qr]').click();"
    );
    s.script(&js).await;
    s.wait_for("[data-testid=guest-qr]").await;
}

/// The QR panel of the guest named `来客 99` opened; the in-page delay read after each of
/// `BOUNDARIES` step boundaries.
async fn swap_delays(s: &Session) -> Vec<f64> {
    open_qr(s, 99).await;
    let read = || async {
        let v = s
            .script(
                "const q = document.querySelector('[data-testid=guest-qr]'); \
                 return q ? [Number(q.dataset.stepEnd), Number(q.dataset.swapMs ?? NaN)] : null",
            )
            .await;
        (v[0].as_f64().unwrap_or(0.0), v[1].as_f64().unwrap_or(f64::NAN))
    };
    let mut out = Vec::new();
    for _ in 0..BOUNDARIES {
        let (end, _) = read().await;
        let wait = (end - clock::now_unix() as f64).max(0.0);
        tokio::time::sleep(Duration::from_secs_f64(wait) + Duration::from_secs(2)).await;
        let (next, ms) = read().await;
        assert!(next > end && ms.is_finite(), "the QR moved on and the page timed it ({end} → {next}, {ms})");
        eprintln!("  boundary {end}: new QR on screen after {ms} ms");
        out.push(ms);
    }
    s.click_css("[data-testid=qr-close]").await;
    out
}

/// The history screen opened and closed again.
async fn history_and_back(s: &Session) {
    s.click_css("[data-testid=history-open]").await;
    s.wait_for("[data-testid=history-close]").await;
    s.click_css("[data-testid=history-close]").await;
    s.wait_for("[data-testid=guest-search]").await;
}

/// 会議室A unlocked: sent, then confirmed by a status read after 200 ms.
async fn unlock(s: &Session) {
    s.click_css("[data-area-id=A101] [data-testid=unlock]").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.wait_for("[data-area-id=A101][data-phase=confirmed]").await;
}

/// An hour at a busy counter, as fast as WebDriver clicks.
async fn an_hour_of_work(s: &Session) {
    for i in 0..WALK_INS {
        walk_in(s, i).await;
        open_qr(s, i).await;
        s.click_css("[data-testid=qr-close]").await;
        if i % 3 == 0 {
            unlock(s).await;
        }
        if i % 3 == 1 {
            if let Some(b) = s.find_all("[data-testid=check-in]").await.first() {
                s.click(b).await;
            }
        }
        if i % 3 == 2 {
            if let Some(b) = s.find_all("[data-testid=check-out]").await.first() {
                s.click(b).await;
            }
        }
        if i % 10 == 9 {
            history_and_back(s).await;
        }
    }
}

/// Which kind of work grows the page (`UKETSUKE_BENCH_PROBE=1 make bench`): PSS
/// printed after each kind on its own, WebDriver's own lookups first as the control.
async fn probe(s: &Session, app: &Path) {
    let show = |label: &str| {
        let (total, own, web, _) = pss_mb(&app_pss(app));
        eprintln!("probe {label}: total {total:.0} MB, own {own:.0}, WebKit web {web:.0}");
    };
    show("start");
    for _ in 0..200 {
        s.find_all("[data-testid=guest-row]").await;
        s.script("return 1").await;
    }
    show("after 200 WebDriver lookups and scripts (control)");
    for _ in 0..30 {
        open_qr(s, 99).await;
        s.click_css("[data-testid=qr-close]").await;
    }
    show("after 30 QR panels opened and closed");
    for i in 0..30 {
        walk_in(s, i).await;
    }
    show("after 30 walk-ins");
    for _ in 0..6 {
        history_and_back(s).await;
    }
    show("after the history screen 6 times");
    for _ in 0..20 {
        unlock(s).await;
    }
    show("after 20 unlocks");
    tokio::time::sleep(SETTLE).await;
    show("20 s later");
}

struct AppRun {
    idle: Vec<(String, u64)>,
    worked: Vec<(String, u64)>,
    swaps: Vec<f64>,
    work_secs: f64,
}

async fn run_app(driver: &Driver, sim: &Sim) -> AppRun {
    let dir = tempfile::tempdir().unwrap();
    let config = facility(sim, dir.path()).await;
    let app = release_binary("uketsuke-app");
    let s = Session::start(driver, &app, &["--config", config.to_str().unwrap()]).await;
    s.wait_for("[data-testid=guest-search]").await;
    tokio::time::sleep(SETTLE).await;
    let idle = app_pss(&app);
    walk_in(&s, 99).await;
    if std::env::var_os("UKETSUKE_BENCH_PROBE").is_some() {
        probe(&s, &app).await;
        std::process::exit(0);
    }
    let swaps = swap_delays(&s).await;
    let started = Instant::now();
    an_hour_of_work(&s).await;
    let work_secs = started.elapsed().as_secs_f64();
    tokio::time::sleep(SETTLE).await;
    let worked = app_pss(&app);
    s.screenshot("bench-after-an-hour").await;
    s.close().await;
    AppRun { idle, worked, swaps, work_secs }
}

/// The blank window's PSS after it painted and idled as long as the app did.
fn run_blank() -> Vec<(String, u64)> {
    let (child, _) = spawn_until_painted(&release_binary("uketsuke-blank-window"), &[]);
    std::thread::sleep(SETTLE);
    let out = pss(&family(child.id()));
    end(child);
    out
}

#[tokio::main]
async fn main() {
    if !support::benching("`make bench` (a display, a keyring and release builds)") {
        return;
    }
    assert!(release_binary("uketsuke-app").exists(), "build the app in release first (make bench does)");
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let driver = Driver::start().await;
    let (mut apps, mut blanks) = (Vec::new(), Vec::new());
    for i in 0..RUNS {
        eprintln!("run {}/{RUNS}", i + 1);
        let a = run_app(&driver, &sim).await;
        eprintln!(
            "  app idle {:.0} MB, after work {:.0} MB ({:.0} s of work)",
            pss_mb(&a.idle).0,
            pss_mb(&a.worked).0,
            a.work_secs
        );
        apps.push(a);
        blanks.push(tokio::task::block_in_place(run_blank));
    }
    print_and_write(&apps, &blanks);
}

fn print_and_write(apps: &[AppRun], blanks: &[Vec<(String, u64)>]) {
    let cell = |v: Vec<f64>, unit: &str| {
        let (m, lo, hi) = support::spread(v);
        (m, format!("{m:.0} {unit} ({lo:.0}–{hi:.0})"))
    };
    let (blank_total, blank_cell) = cell(blanks.iter().map(|b| pss_mb(b).0).collect(), "MB");
    let mut table = format!(
        "Machine: {}, Xvfb 1280×800. Release builds; {RUNS} runs, the blank window between them; \
         median (lowest–highest).\n\n| figure | app | blank window | ratio |\n|---|---|---|---|\n",
        support::machine()
    );
    let pss_row = |label: &str, pick: fn(&AppRun) -> &Vec<(String, u64)>| {
        let (m, c) = cell(apps.iter().map(|a| pss_mb(pick(a)).0).collect(), "MB");
        format!("| {label} | {c} | {blank_cell} | {:.2} × |\n", m / blank_total)
    };
    table += &pss_row("PSS, all processes, idle (before the work)", |a| &a.idle);
    table += &pss_row("PSS, all processes, after an hour of work", |a| &a.worked);
    let parts = |i: usize| cell(apps.iter().map(|a| part(&a.worked, i)).collect(), "MB").1;
    let blank_parts = |i: usize| cell(blanks.iter().map(|b| part(b, i)).collect(), "MB").1;
    for (i, name) in [(1, "own process"), (2, "WebKit web process"), (3, "WebKit network process")] {
        table += &format!("| … {name}, after the work | {} | {} | |\n", parts(i), blank_parts(i));
    }
    let swaps: Vec<f64> = apps.iter().flat_map(|a| a.swaps.clone()).collect();
    let n = swaps.len();
    table += &format!(
        "| TOTP step boundary → new QR on screen, in the page ({n} boundaries) | {} | | |\n",
        cell(swaps, "ms").1
    );
    let secs: Vec<f64> = apps.iter().map(|a| a.work_secs).collect();
    table += &format!("| the hour's work took (WebDriver clicks) | {} | | |\n", cell(secs, "s").1);
    print!("{table}");
    support::write_section("work", &table);
}

fn part(kb: &[(String, u64)], i: usize) -> f64 {
    let (a, b, c, d) = pss_mb(kb);
    [a, b, c, d][i]
}
