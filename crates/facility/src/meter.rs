//! Metered calls across the facility. SESAME bills per account and SPLATS limits per
//! token, whichever PC makes the call, so each PC writes its own per-day counts into
//! PostgreSQL (absolute counts: sending twice counts once) and reads back the others'.
//! The local meter ([`uketsuke_core::desk::calls::meter::usage`]) adds the others' to its own, so the
//! month's total, the poll budget and the bill projection are the account's.

use super::unreachable;
use sha2::{Digest, Sha256};
use uketsuke_core::platform::error::Result;
use uketsuke_core::platform::secrets::{names, ExposeSecret, SecretStore};
use uketsuke_core::{desk::calls::meter, platform::db::Db};

/// Days sent and read back (a month and a little).
const DAYS: i64 = 40;

/// The account a cloud's calls are billed to: a hash of its key (never the key).
pub fn account(secrets: &dyn SecretStore, cloud: &str) -> Result<String> {
    let name = if cloud == meter::SESAME { names::SESAME_API_KEY } else { names::SPLATS_TOKEN };
    Ok(match secrets.get(name)? {
        Some(k) => hex::encode(&Sha256::digest(k.expose_secret().as_bytes())[..8]),
        None => "unset".into(),
    })
}

/// Sends this PC's counts and reads the others' into SQLite.
pub async fn exchange(
    db: &Db,
    client: &tokio_postgres::Client,
    pc: &str,
    secrets: &dyn SecretStore,
    now: i64,
) -> Result<()> {
    let since = meter::day_of(now - DAYS * 86_400);
    let since_r = since.clone();
    let ours: Vec<(String, String, String, i64)> = db
        .read(move |c| {
            let mut s = c.prepare("SELECT cloud, day, kind, count FROM api_calls_daily WHERE day >= ?1")?;
            let rows = s.query_map([&since_r], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await?;
    let accounts = [
        (meter::SESAME, account(secrets, meter::SESAME)?),
        (meter::SPLATS, account(secrets, meter::SPLATS)?),
    ];
    let account_of = |cloud: &str| accounts.iter().find(|(c, _)| *c == cloud).map(|(_, a)| a.clone());
    let mut moved = 0;
    for (cloud, day, kind, count) in &ours {
        let Some(acct) = account_of(cloud) else { continue };
        moved += client
            .execute(
                "INSERT INTO meter (account, cloud, day, kind, pc, count) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (account, cloud, day, kind, pc) DO UPDATE SET count = EXCLUDED.count
                 WHERE meter.count < EXCLUDED.count",
                &[&acct, cloud, day, kind, &pc, count],
            )
            .await
            .map_err(unreachable)?;
    }
    // Only a count that moved is announced (an unchanged one would wake the others
    // into answering with theirs, and back).
    if moved > 0 {
        let notify = format!("NOTIFY {}, 'meter'", super::CHANNEL);
        client.batch_execute(&notify).await.map_err(unreachable)?;
    }
    let mut others = Vec::new();
    for (cloud, acct) in &accounts {
        let rows = client
            .query(
                "SELECT day, kind, SUM(count)::bigint FROM meter
                 WHERE account = $1 AND cloud = $2 AND pc <> $3 AND day >= $4 GROUP BY day, kind",
                &[acct, cloud, &pc, &since],
            )
            .await
            .map_err(unreachable)?;
        others.extend(
            rows.iter().map(|r| {
                (cloud.to_string(), r.get::<_, String>(0), r.get::<_, String>(1), r.get::<_, i64>(2))
            }),
        );
    }
    db.write(move |c| {
        let tx = c.transaction()?;
        tx.execute("DELETE FROM facility_meter_others", [])?;
        for (cloud, day, kind, count) in &others {
            tx.execute(
                "INSERT INTO facility_meter_others (cloud, day, kind, count) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![cloud, day, kind, count],
            )?;
        }
        tx.commit()?;
        Ok(())
    })
    .await
}

/// The whole facility's calls of one cloud on one day (this PC's and the others').
pub fn day_total(conn: &rusqlite::Connection, cloud: &str, day: &str) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COALESCE((SELECT SUM(count) FROM api_calls_daily WHERE cloud = ?1 AND day = ?2), 0)
              + COALESCE((SELECT SUM(count) FROM facility_meter_others WHERE cloud = ?1 AND day = ?2), 0)",
        [cloud, day],
        |r| r.get(0),
    )?)
}
