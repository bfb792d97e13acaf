//! `uketsuke members`: the manager's SPLATS members (staff and regulars) from a script,
//! over the same core use cases as the settings window's members screen.
//!
//! Areas are given as `--area SPLATS_AREA_ID` (any time) or
//! `--area SPLATS_AREA_ID=Mon-Fri@09:00-18:00` (days: Mon … Sun, Hol, as a range or a
//! comma list).

use super::open_shared;
use crate::error::CliError;
use crate::output;
use std::path::PathBuf;
use std::time::Duration;
use uketsuke_core::clouds::splats::SplatsClient;
use uketsuke_core::desk::members::{
    self, face, AreaRule, Credential, Day, FaceState, MemberForm, WeeklySlot,
};
use uketsuke_core::platform::secrets::SecretStore;
use uketsuke_core::{Config, Lang};

#[derive(clap::Subcommand)]
pub enum MembersCommand {
    /// List the members (not the booked guests' own members).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Register a member with an IC card, a fixed QR or a one-time QR.
    Add(AddArgs),
    /// Delete a member (their card, QR and face image stop working).
    Delete { member_id: String },
    /// Register a face photo (JPEG or PNG, resized here) and wait for SPLATS to finish.
    Face { member_id: String, photo: PathBuf },
}

#[derive(clap::Args)]
pub struct AddArgs {
    #[arg(long)]
    name: String,
    /// Member group ID (`uketsuke splats areas` lists them).
    #[arg(long)]
    group: String,
    #[arg(long, default_value = "")]
    code: String,
    /// IC card ID in hex, e.g. 0123ABCD00000000.
    #[arg(long, group = "credential")]
    card: Option<String>,
    /// Fixed QR content ("" lets SPLATS make one).
    #[arg(long, group = "credential")]
    qr: Option<String>,
    #[arg(long, group = "credential")]
    one_time_qr: bool,
    /// Use from (JST), `YYYY-MM-DDTHH:MM`.
    #[arg(long, default_value = "")]
    from: String,
    #[arg(long, default_value = "")]
    until: String,
    /// An area: `ID` (any time) or `ID=Mon-Fri@09:00-18:00`; repeat for more.
    #[arg(long = "area")]
    areas: Vec<String>,
}

pub async fn run(
    cmd: MembersCommand,
    config: &Config,
    secrets: &dyn SecretStore,
    lang: Lang,
) -> Result<(), CliError> {
    let client = super::splats_client(config, secrets)?;
    match cmd {
        MembersCommand::List { json } => list(&client, json, lang).await,
        MembersCommand::Add(args) => {
            let form = form(args, lang)?;
            let row = members::save(&open_shared(config)?, &client, &form, "cli").await?;
            println!("{}", row.form.member_id.unwrap_or_default());
            Ok(())
        }
        MembersCommand::Delete { member_id } => {
            Ok(members::delete(&open_shared(config)?, &client, &member_id, "cli").await?)
        }
        MembersCommand::Face { member_id, photo } => {
            let bytes = std::fs::read(&photo).map_err(uketsuke_core::Error::from)?;
            let db = open_shared(config)?;
            let request = face::register(&db, &client, &member_id, &bytes, "cli").await?;
            eprintln!("{}", lang.pick("SPLATS で登録中…", "SPLATS is registering…"));
            while face::progress(&client, &request).await? == FaceState::Progress {
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            println!("{}", lang.pick("顔画像を登録しました", "face image registered"));
            Ok(())
        }
    }
}

async fn list(client: &SplatsClient, json: bool, lang: Lang) -> Result<(), CliError> {
    let view = members::view(client).await?;
    if json {
        output::json(&view);
        return Ok(());
    }
    for m in &view.members {
        let how = match &m.form.credential {
            Credential::Card { card_data } => format!("{} {card_data}", lang.pick("ICカード", "card")),
            Credential::Qr { .. } => "QR".into(),
            Credential::OneTimeQr => lang.pick("ワンタイムQR", "one-time QR").into(),
        };
        let areas: Vec<String> = m.form.areas.iter().map(|a| a.area_id.clone()).collect();
        println!(
            "{}\t{}\t{}\t{how}\t{}\t{}",
            m.form.member_id.as_deref().unwrap_or_default(),
            m.form.name,
            m.group_name,
            areas.join(","),
            if m.face { lang.pick("顔画像あり", "face") } else { "" }
        );
    }
    Ok(())
}

fn form(args: AddArgs, lang: Lang) -> Result<MemberForm, CliError> {
    let credential = match (args.card, args.qr, args.one_time_qr) {
        (Some(card_data), _, _) => Credential::Card { card_data },
        (None, Some(data), _) => Credential::Qr { data },
        (None, None, true) => Credential::OneTimeQr,
        _ => {
            return Err(CliError::Usage(
                lang.pick(
                    "--card、--qr、--one-time-qr のどれかを指定してください",
                    "give --card, --qr or --one-time-qr",
                )
                .into(),
            ))
        }
    };
    let areas = args.areas.iter().map(|a| area(a, lang)).collect::<Result<_, _>>()?;
    Ok(MemberForm {
        member_id: None,
        name: args.name,
        code: args.code,
        membergroup_id: args.group,
        credential,
        use_start: args.from,
        use_end: args.until,
        areas,
        keep_permissions: false,
    })
}

const DAYS: [(&str, Day); 8] = [
    ("mon", Day::Monday),
    ("tue", Day::Tuesday),
    ("wed", Day::Wednesday),
    ("thu", Day::Thursday),
    ("fri", Day::Friday),
    ("sat", Day::Saturday),
    ("sun", Day::Sunday),
    ("hol", Day::Holiday),
];

/// `ID` or `ID=Mon-Fri@09:00-18:00`.
fn area(text: &str, lang: Lang) -> Result<AreaRule, CliError> {
    let bad = || {
        CliError::Usage(format!(
            "{}: {text}",
            lang.pick(
                "--area は ID または ID=Mon-Fri@09:00-18:00 の形です",
                "--area is ID or ID=Mon-Fri@09:00-18:00"
            )
        ))
    };
    let Some((id, schedule)) = text.split_once('=') else {
        return Ok(AreaRule { area_id: text.into(), slots: Vec::new() });
    };
    let (days, hours) = schedule.split_once('@').ok_or_else(bad)?;
    let (start, end) = hours.split_once('-').ok_or_else(bad)?;
    let index = |d: &str| DAYS.iter().position(|(n, _)| n.eq_ignore_ascii_case(d));
    let mut picked = Vec::new();
    for part in days.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (index(a).ok_or_else(bad)?, index(b).ok_or_else(bad)?);
                picked.extend(DAYS[a.min(b)..=a.max(b)].iter().map(|(_, d)| *d));
            }
            None => picked.push(DAYS[index(part).ok_or_else(bad)?].1),
        }
    }
    Ok(AreaRule {
        area_id: id.into(),
        slots: vec![WeeklySlot { days: picked, start: start.into(), end: end.into() }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_area_with_weekday_hours() {
        let a = area("sa-0001=Mon-Fri@09:00-18:00", Lang::En).unwrap();
        assert_eq!(a.slots[0].days.len(), 5);
        assert_eq!((a.slots[0].start.as_str(), a.slots[0].end.as_str()), ("09:00", "18:00"));
        assert_eq!(area("sa-0002=Sat,Sun,Hol@09:00-13:00", Lang::En).unwrap().slots[0].days.len(), 3);
        assert!(area("sa-0001", Lang::En).unwrap().slots.is_empty());
        assert!(area("sa-0001=Funday@09:00-18:00", Lang::En).is_err());
    }
}
