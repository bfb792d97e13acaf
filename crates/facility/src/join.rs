//! Starting a facility and joining it.
//!
//! The first PC makes the facility key and leaves a check value sealed with it in
//! PostgreSQL. Any PC that holds the key can show a **join code** on a manager's
//! screen: 16 characters (80 random bits) that seal a copy of the key in PostgreSQL for
//! 10 minutes, once. The new PC types the code with the database address and password;
//! it finds the sealed copy by the code's hash, opens it with a key derived from the
//! code, and keeps the facility key in its own keyring. The code never reaches the
//! database, and the facility key never travels in the clear.

use super::seal::FacilityKey;
use super::{unreachable, KEY};
use sha2::{Digest, Sha256};
use uketsuke_core::platform::error::{Code, Error, Result};
use uketsuke_core::platform::secrets::{ExposeSecret, SecretStore};

/// The value sealed as the facility's key check.
const CHECK_NAME: &str = "facility.check";
const CHECK_VALUE: &[u8] = b"uketsuke facility";
/// Crockford's base 32: no I, L, O or U to misread.
const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_MINUTES: i32 = 10;

/// What happened when a PC took part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Joined {
    /// This PC made the facility (its key is new).
    Started,
    /// The facility existed and this PC's key opens it.
    AlreadyMember,
}

/// Makes the facility on an empty database, or checks this PC's key against it.
/// Refuses a PC without the key when the facility exists already: it must join.
pub async fn start_or_check(client: &tokio_postgres::Client, secrets: &dyn SecretStore) -> Result<Joined> {
    let check = client
        .query_opt("SELECT value FROM facility_meta WHERE key = 'check'", &[])
        .await
        .map_err(unreachable)?
        .map(|r| r.get::<_, Vec<u8>>(0));
    match (check, key_of(secrets)?) {
        (Some(sealed), Some(key)) => {
            key.open(CHECK_NAME, &sealed)?;
            Ok(Joined::AlreadyMember)
        }
        (Some(_), None) => Err(no_key()),
        (None, held) => {
            let key = held.unwrap_or_else(FacilityKey::generate);
            let inserted = client
                .execute(
                    "INSERT INTO facility_meta (key, value) VALUES ('check', $1) ON CONFLICT DO NOTHING",
                    &[&key.seal(CHECK_NAME, CHECK_VALUE)],
                )
                .await
                .map_err(unreachable)?;
            if inserted == 0 {
                // Another PC started it a moment ago: this one must join.
                return Err(no_key());
            }
            secrets.set(KEY, &key.to_text())?;
            Ok(Joined::Started)
        }
    }
}

/// The facility key this PC holds, if any.
pub fn key_of(secrets: &dyn SecretStore) -> Result<Option<FacilityKey>> {
    secrets.get(KEY)?.map(|t| FacilityKey::from_text(t.expose_secret())).transpose()
}

/// Shows a new join code, valid for 10 minutes and once (the PC showing it holds the key).
pub async fn make_code(client: &tokio_postgres::Client, key: &FacilityKey, made_by: &str) -> Result<String> {
    let mut raw = [0u8; 16];
    rand::fill(&mut raw);
    let code: String = raw.iter().map(|b| ALPHABET[usize::from(b % 32)] as char).collect();
    let sealed = FacilityKey::from_bytes(&derive(&code))?.seal("facility.join", key.bytes());
    forget_expired(client).await?;
    client
        .execute(
            "INSERT INTO joins (code_hash, sealed_key, made_by, expires_at)
             VALUES ($1, $2, $3, now() + make_interval(mins => $4))",
            &[&hash(&code), &sealed, &made_by, &CODE_MINUTES],
        )
        .await
        .map_err(unreachable)?;
    Ok(format!("{}-{}-{}-{}", &code[..4], &code[4..8], &code[8..12], &code[12..]))
}

/// Erases the sealed key of every code past its ten minutes: whoever reads the database
/// later, and learns an old code, opens nothing with it.
async fn forget_expired(client: &tokio_postgres::Client) -> Result<()> {
    client
        .execute(
            "UPDATE joins SET sealed_key = ''::bytea WHERE expires_at <= now() AND sealed_key <> ''::bytea",
            &[],
        )
        .await
        .map_err(unreachable)?;
    Ok(())
}

/// Joins with a code typed on the new PC: the facility key goes to its keyring.
pub async fn join(
    client: &tokio_postgres::Client,
    code: &str,
    pc: &str,
    secrets: &dyn SecretStore,
) -> Result<()> {
    let code = normalise(code).ok_or_else(bad_code)?;
    forget_expired(client).await?;
    // Taken in one statement, so that a code works once even if two PCs race for it;
    // the sealed key is erased as it is taken (a used code seals nothing any more).
    let row = client
        .query_opt(
            "WITH taken AS (
                 SELECT code_hash, sealed_key FROM joins
                 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now() FOR UPDATE)
             UPDATE joins j SET used_at = now(), used_by = $2, sealed_key = ''::bytea
             FROM taken WHERE j.code_hash = taken.code_hash
             RETURNING taken.sealed_key",
            &[&hash(&code), &pc],
        )
        .await
        .map_err(unreachable)?
        .ok_or_else(bad_code)?;
    let sealed: Vec<u8> = row.get(0);
    let bytes =
        FacilityKey::from_bytes(&derive(&code))?.open("facility.join", &sealed).map_err(|_| bad_code())?;
    let key = FacilityKey::from_bytes(&bytes)?;
    secrets.set(KEY, &key.to_text())?;
    Ok(())
}

/// Upper case, dashes and spaces dropped, and the look-alikes Crockford allows.
fn normalise(code: &str) -> Option<String> {
    let c: String = code
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    (c.len() == 16 && c.bytes().all(|b| ALPHABET.contains(&b))).then_some(c)
}

fn hash(code: &str) -> Vec<u8> {
    Sha256::digest(format!("uketsuke-join-id:{code}")).to_vec()
}

/// The key a code seals with (80 random bits, used once within 10 minutes: a slow
/// hash would add nothing an online guesser does not already lack).
fn derive(code: &str) -> [u8; 32] {
    Sha256::digest(format!("uketsuke-join-key:{code}")).into()
}

fn bad_code() -> Error {
    Error::invalid(
        Code::JoinCodeInvalid,
        "参加コードが違うか、使用済みか、期限（10 分）が切れています。施設の管理者画面で新しいコードを表示してください",
        "the join code is wrong, used or expired (10 minutes): show a new one on a manager's screen in the facility",
    )
}

fn no_key() -> Error {
    Error::invalid(
        Code::FacilityKey,
        "この PC はまだ施設に参加していません。施設の管理者画面に表示される参加コードで参加してください",
        "this PC has not joined the facility yet: join with the code shown on a manager's screen in the facility",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_however_they_are_typed() {
        assert_eq!(normalise("abcd-efgh-jkmn-pq0o").as_deref(), Some("ABCDEFGHJKMNPQ00"));
        assert_eq!(normalise("ABCD EFGH JKMN PQ1L").as_deref(), Some("ABCDEFGHJKMNPQ11"));
        assert_eq!(normalise("ABCD-EFGH"), None, "too short");
        assert_eq!(normalise("ABCD-EFGH-JKMN-PQU0"), None, "U is not in the alphabet");
        assert_ne!(hash("A"), derive("A").to_vec(), "the id and the key differ");
    }
}
