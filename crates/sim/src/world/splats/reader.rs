//! A simulated reader at an area's door: it judges a shown QR or a touched IC card as
//! SPLATS would (the holder's use period, the area's permission with its schedule, a
//! one-time QR's code) and logs the attempt as a history entry.

use super::schedule::allows;
use super::{otqr, SMember, SplatsWorld};
use serde_json::{json, Value};

/// What was shown to the reader.
pub enum Credential<'a> {
    Qr(&'a str),
    Card(&'a str),
}

/// Refused: why, and whose it was (member, guest).
type Refusal = (&'static str, Option<String>, Option<String>);
type Verdict = Result<(Option<String>, Option<String>), Refusal>;

impl SplatsWorld {
    /// What a reader at `area_id` does with a scanned QR: accept or refuse, and log it.
    pub fn scan(&mut self, area_id: &str, payload: &str, now: i64) -> Value {
        self.present(area_id, Credential::Qr(payload), now)
    }

    /// Any credential at the reader; the reply says what the door did and why.
    pub fn present(&mut self, area_id: &str, credential: Credential<'_>, now: i64) -> Value {
        let card = matches!(credential, Credential::Card(_));
        let verdict = match credential {
            Credential::Qr(p) => self.judge_qr(area_id, p, now),
            Credential::Card(c) => self.judge_card(area_id, c, now),
        };
        let (member, guest) = match &verdict {
            Ok((m, g)) | Err((_, m, g)) => (m.clone(), g.clone()),
        };
        let accepted = verdict.is_ok();
        self.log_auth(now, area_id, accepted, card, member.clone(), guest.clone());
        json!({
            "accepted": accepted,
            "reason": verdict.err().map(|(r, _, _)| r),
            "member_id": member,
            "guest_id": guest,
        })
    }

    /// The member's own period and the area's permission at `now`.
    fn member_may(&self, m: &SMember, area_id: &str, now: i64) -> Verdict {
        let who = Some(m.member_id.clone());
        if m.use_date_start.is_some_and(|s| now < s) || m.use_date_end.is_some_and(|e| now > e) {
            return Err(("outside_use_period", who, None));
        }
        if !allows(&m.devices_pass, area_id, now, &self.holidays) {
            return Err(("no_permission", who, None));
        }
        Ok((who, None))
    }

    fn judge_card(&self, area_id: &str, card: &str, now: i64) -> Verdict {
        let card = card.to_ascii_uppercase();
        let m = self.members.values().find(|m| m.card_data.as_deref() == Some(card.as_str()));
        let m = m.ok_or(("unknown_card", None, None))?;
        self.member_may(m, area_id, now)
    }

    fn judge_qr(&self, area_id: &str, payload: &str, now: i64) -> Verdict {
        if let Some((data, code)) = otqr::parse(payload) {
            let m = self.members.values().find(|m| m.qr_data == data).ok_or(("unknown_qr", None, None))?;
            let who = Some(m.member_id.clone());
            let o =
                m.otqr.as_ref().filter(|o| o.enabled).ok_or(("one_time_qr_disabled", who.clone(), None))?;
            if !o.verify(&code, now) {
                return Err(("totp_mismatch", who, None));
            }
            return self.member_may(m, area_id, now);
        }
        if let Some(g) = self.guests.values().find(|g| g.qrcode_data == payload) {
            let who = Some(g.guest_id.clone());
            if now < g.use_date_start || now > g.use_date_end {
                return Err(("outside_use_period", None, who));
            }
            if !g.area_id_list.iter().any(|a| a == area_id) {
                return Err(("no_permission", None, who));
            }
            return Ok((None, who));
        }
        if let Some(m) = self.members.values().find(|m| m.qr_data == payload) {
            if m.otqr.as_ref().is_some_and(|o| o.enabled) {
                return Err(("static_qr_not_allowed", Some(m.member_id.clone()), None));
            }
            return self.member_may(m, area_id, now);
        }
        Err(("unknown_qr", None, None))
    }
}
