//! Secrets every PC of a facility needs: the cloud tokens and each lock's secret key,
//! so that a new PC does not need them typed in again. In PostgreSQL they exist only
//! sealed with the facility key ([`super::seal`]); on each PC they live in its keyring.
//!
//! A PC remembers, per secret, a tag of the value it last sent or received (a SHA-256
//! over the facility key, the name and the value: it says nothing without the key),
//! so an unchanged secret is neither sent again nor written back. When two PCs change
//! one secret, the last write by the server's time wins.

use super::seal::FacilityKey;
use super::unreachable;
use sha2::{Digest, Sha256};
use uketsuke_core::desk::staff::role;
use uketsuke_core::platform::config::PcRole;
use uketsuke_core::platform::db::{self, Db};
use uketsuke_core::platform::error::Result;
use uketsuke_core::platform::secrets::{names, ExposeSecret, SecretStore};

/// The cloud secrets shared as they are named; device keys are added by UUID.
const CLOUD: &[&str] = &[
    names::SESAME_API_KEY,
    names::SPLATS_TOKEN,
    names::SPLATS_LICENSE_KEY,
    names::RESERVATION_TOKEN,
    names::RESERVATION_REFRESH_TOKEN,
    names::RESERVATION_CLIENT_SECRET,
];

fn tag(key: &FacilityKey, name: &str, value: &str) -> String {
    let mut h = Sha256::new();
    h.update(key.bytes());
    h.update([0]);
    h.update(name.as_bytes());
    h.update([0]);
    h.update(value.as_bytes());
    hex::encode(&h.finalize()[..16])
}

fn meta_key(name: &str) -> String {
    format!("facility.secret.{name}")
}

/// The names this PC shares: the cloud secrets and a key per lock it knows.
fn shared_names(conn: &rusqlite::Connection) -> Result<Vec<String>> {
    let mut s = conn.prepare(
        "SELECT entrance_device_uuid FROM stores WHERE entrance_device_uuid IS NOT NULL
         UNION SELECT device_uuid FROM areas WHERE device_uuid IS NOT NULL",
    )?;
    let uuids: Vec<String> = s.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(CLOUD.iter().map(|n| n.to_string()).chain(uuids.iter().map(|u| names::device_secret(u))).collect())
}

/// Sends the secrets this PC holds that changed since it last sent or received them.
pub async fn send(
    db: &Db,
    client: &tokio_postgres::Client,
    key: &FacilityKey,
    secrets: &dyn SecretStore,
    pc: &str,
    role: PcRole,
) -> Result<usize> {
    let known: Vec<(String, Option<String>)> = db
        .read(|c| {
            let mut out = Vec::new();
            for name in shared_names(c)? {
                let last = db::get_meta(c, &meta_key(&name))?;
                out.push((name, last));
            }
            Ok(out)
        })
        .await?;
    let mut sent = Vec::new();
    for (name, last) in known {
        // What this role does not keep it does not hand on either (set by hand, say).
        if !role::keeps_secret(role, &name) {
            continue;
        }
        let Some(value) = secrets.get(&name)? else { continue };
        let t = tag(key, &name, value.expose_secret());
        if last.as_deref() == Some(t.as_str()) {
            continue;
        }
        client
            .execute(
                "INSERT INTO sealed_secrets (name, sealed, origin) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO UPDATE SET sealed = EXCLUDED.sealed, origin = EXCLUDED.origin, updated_at = now()",
                &[&name, &key.seal(&name, value.expose_secret().as_bytes()), &pc],
            )
            .await
            .map_err(unreachable)?;
        sent.push((meta_key(&name), t));
    }
    remember(db, sent).await
}

/// Writes into this PC's keyring every shared secret whose value differs from the
/// one it last sent or received, of those its role keeps (`role::keeps_secret`); one
/// it does not keep is removed if an earlier version left it there.
pub async fn receive(
    db: &Db,
    client: &tokio_postgres::Client,
    key: &FacilityKey,
    secrets: &dyn SecretStore,
    role: PcRole,
) -> Result<usize> {
    let rows = client.query("SELECT name, sealed FROM sealed_secrets", &[]).await.map_err(unreachable)?;
    let names: Vec<String> = rows.iter().map(|r| meta_key(&r.get::<_, String>(0))).collect();
    let lasts: Vec<Option<String>> =
        db.read(move |c| names.iter().map(|m| db::get_meta(c, m)).collect()).await?;
    let mut taken = Vec::new();
    let mut dropped = Vec::new();
    for (row, last) in rows.iter().zip(lasts) {
        let (name, sealed): (String, Vec<u8>) = (row.get(0), row.get(1));
        if !role::keeps_secret(role, &name) {
            if secrets.get(&name)?.is_some() {
                secrets.delete(&name)?;
            }
            // Forget its tag too: a PC that becomes a counter later receives it again.
            dropped.push(meta_key(&name));
            continue;
        }
        let opened = key.open(&name, &sealed)?;
        let value = std::str::from_utf8(&opened).map_err(|_| super::seal::wrong_key())?;
        let t = tag(key, &name, value);
        if last.as_deref() != Some(t.as_str()) {
            secrets.set(&name, value)?;
            taken.push((meta_key(&name), t));
        }
    }
    if !dropped.is_empty() {
        db.write(move |c| {
            for m in &dropped {
                c.execute("DELETE FROM meta WHERE key = ?1", [m])?;
            }
            Ok(())
        })
        .await?;
    }
    remember(db, taken).await
}

/// Notes the tags of what was sent or received; returns how many.
async fn remember(db: &Db, tags: Vec<(String, String)>) -> Result<usize> {
    let n = tags.len();
    db.write(move |c| {
        for (m, t) in &tags {
            db::set_meta(c, m, t)?;
        }
        Ok(())
    })
    .await?;
    Ok(n)
}
