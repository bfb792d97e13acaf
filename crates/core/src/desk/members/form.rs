//! A member as a manager edits it, and its translation to and from SPLATS' member body
//! ("001": `card_data`, `qrcode`, `use_date_*`, `devices_pass` with weekly schedules).
//! Times a person types are JST wall-clock times (`YYYY-MM-DDTHH:MM`, `HH:MM`), the
//! facility's; SPLATS gets them with `+09:00`.

use crate::clouds::splats::model::Member;
use crate::desk::guests::text;
use crate::platform::error::{Code, Error, Result};
use chrono::{NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// How the member proves who they are at a reader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Credential {
    /// An IC card: its ID in hex as the card reader shows it (FeliCa IDm: 16 digits).
    Card { card_data: String },
    /// A fixed QR; empty data lets SPLATS make one.
    Qr { data: String },
    /// A QR that changes every step (SPLATS keeps the seed; the member's app shows it).
    OneTimeQr,
}

/// A day as SPLATS names it in `week`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub enum Day {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
    Holiday,
}

/// The days and the hours (JST, `HH:MM`, both ends included) an area lets them in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct WeeklySlot {
    pub days: Vec<Day>,
    pub start: String,
    pub end: String,
}

/// One SPLATS area the member may enter: at any time (no slots) or in the slots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct AreaRule {
    pub area_id: String,
    pub slots: Vec<WeeklySlot>,
}

/// What the manager's member form holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct MemberForm {
    /// None: a new member.
    pub member_id: Option<String>,
    pub name: String,
    pub code: String,
    pub membergroup_id: String,
    pub credential: Credential,
    /// `YYYY-MM-DDTHH:MM` (JST) or empty: no bound.
    pub use_start: String,
    pub use_end: String,
    /// Only these areas, each at any time or on its schedule; the rest are refused.
    pub areas: Vec<AreaRule>,
    /// The member's permissions use something this form cannot show (a date range, a
    /// key box): they are kept as they are and the areas above are not sent.
    pub keep_permissions: bool,
}

fn bad(code: Code, ja: &str, en: &str) -> Error {
    Error::invalid(code, ja, en)
}

/// Reads a JST wall-clock `YYYY-MM-DDTHH:MM` as SPLATS' `…:00+09:00`.
fn when(field: &str, text: &str) -> Result<Option<String>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let t = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            bad(
                Code::TimeRangeInvalid,
                &format!("{field} は 2026-04-01T09:00 の形で入力してください"),
                &format!("{field}: write it as 2026-04-01T09:00"),
            )
        })?;
    Ok(Some(t.format("%Y-%m-%dT%H:%M:%S+09:00").to_string()))
}

fn clock(text: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text.trim(), "%H:%M:%S"))
        .map_err(|_| {
            bad(
                Code::ScheduleInvalid,
                &format!("時刻「{text}」は 09:00 の形で入力してください"),
                &format!("the time \"{text}\" must look like 09:00"),
            )
        })
}

fn slot_json(s: &WeeklySlot) -> Result<Value> {
    if s.days.is_empty() {
        return Err(bad(Code::ScheduleInvalid, "曜日を1つ以上選んでください", "pick at least one day"));
    }
    let (start, end) = (clock(&s.start)?, clock(&s.end)?);
    if end <= start {
        return Err(bad(
            Code::ScheduleInvalid,
            "終了時刻は開始時刻より後にしてください",
            "the end time must be after the start time",
        ));
    }
    let t = |c: NaiveTime| json!({ "time": c.format("%H:%M:%S+09:00").to_string() });
    Ok(json!({ "mode": "weekly", "start": t(start), "end": t(end), "week": s.days }))
}

/// Card IDs are hex; spaces and colons as card readers print them are dropped.
pub fn card_id(text: &str) -> Result<String> {
    let id: String =
        text.chars().filter(|c| !matches!(c, ' ' | ':' | '-')).collect::<String>().to_uppercase();
    if !(8..=32).contains(&id.len()) || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad(
            Code::CardDataInvalid,
            "ICカードのIDは16進数(0-9, A-F)8〜32桁で入力してください (例: 0123ABCD00000000)",
            "the IC card ID is 8 to 32 hex digits (0-9, A-F), e.g. 0123ABCD00000000",
        ));
    }
    Ok(id)
}

impl MemberForm {
    /// The body of `POST`/`PUT /v1/members`, checked first.
    pub fn to_body(&self) -> Result<Value> {
        let name = text::field(&self.name, "名前", "name")?;
        if name.is_empty() {
            return Err(bad(Code::NameMissing, "名前を入力してください", "enter a name"));
        }
        if name.chars().count() > 100 {
            return Err(bad(
                Code::FieldTooLong,
                "名前は100文字以内にしてください",
                "the name is at most 100 characters",
            ));
        }
        if self.membergroup_id.trim().is_empty() {
            return Err(bad(
                Code::MembergroupMissing,
                "メンバーグループを選んでください",
                "pick a member group",
            ));
        }
        let code = text::field(&self.code, "メンバーコード", "member code")?;
        if code.starts_with("UK-") {
            return Err(bad(
                Code::MemberCodeReserved,
                "UK- で始まるメンバーコードは予約客用です",
                "member codes starting with UK- belong to booked guests",
            ));
        }
        let (start, end) = (when("利用開始", &self.use_start)?, when("利用終了", &self.use_end)?);
        if let (Some(s), Some(e)) = (&start, &end) {
            if e <= s {
                return Err(bad(
                    Code::TimeRangeInvalid,
                    "利用終了は利用開始より後にしてください",
                    "the end of use must be after its start",
                ));
            }
        }
        // A new member's unused fields are left out, as in the vendor's examples: a
        // strict tenant refuses a JSON null there. An update sends null to clear what the
        // member had (a period, a card given up for a QR) — inferred: leaving a key out
        // keeps the member's value.
        let updating = self.member_id.is_some();
        let mut body = json!({ "member_name": name, "membergroup_id": self.membergroup_id.trim() });
        for (key, value) in [("use_date_start", start), ("use_date_end", end)] {
            match value {
                Some(v) => body[key] = json!(v),
                None if updating => body[key] = Value::Null,
                None => {}
            }
        }
        if updating && !matches!(self.credential, Credential::Card { .. }) {
            body["card_data"] = Value::Null;
        }
        if !code.is_empty() {
            body["member_code"] = json!(code);
        }
        match &self.credential {
            Credential::Card { card_data } => {
                body["card_data"] = json!(card_id(card_data)?);
                body["qrcode"] = json!({ "one_time_qr": { "enabled": false } });
            }
            Credential::Qr { data } => {
                let data = data.trim();
                let mut qr = json!({ "one_time_qr": { "enabled": false } });
                if !data.is_empty() {
                    if data.len() > 64 || !data.chars().all(|c| c.is_ascii_graphic()) {
                        return Err(bad(
                            Code::QrDataInvalid,
                            "QRコードの内容は英数字記号64文字以内にしてください",
                            "the QR data must be at most 64 printable ASCII characters",
                        ));
                    }
                    qr["data"] = json!(data);
                }
                body["qrcode"] = qr;
            }
            Credential::OneTimeQr => {
                body["qrcode"] = json!({ "one_time_qr": { "enabled": true } });
            }
        }
        if !self.keep_permissions {
            body["devices_pass"] = self.devices_pass()?;
        }
        Ok(body)
    }

    fn devices_pass(&self) -> Result<Value> {
        if self.areas.is_empty() {
            return Ok(json!({ "default_mode": "deny_all" }));
        }
        let mut list = Vec::new();
        for a in &self.areas {
            let pass = if a.slots.is_empty() {
                json!({ "effect": "allow_all" })
            } else {
                json!({ "effect": "allow", "schedule": a.slots.iter().map(slot_json).collect::<Result<Vec<_>>>()? })
            };
            list.push(json!({ "area_id": a.area_id, "pass": pass }));
        }
        Ok(json!({ "default_mode": "option", "areas_list": list }))
    }

    /// The form for an existing member, as far as it can show it.
    pub fn from_member(m: &Member) -> MemberForm {
        let qr = m.qrcode.clone().unwrap_or_default();
        let card = m.extra.get("card_data").and_then(Value::as_str).filter(|c| !c.is_empty());
        let credential = match (card, qr.one_time_qr.as_ref().is_some_and(|o| o.enabled)) {
            (Some(c), _) => Credential::Card { card_data: c.to_string() },
            (None, true) => Credential::OneTimeQr,
            (None, false) => Credential::Qr { data: qr.data.unwrap_or_default() },
        };
        let (areas, keep_permissions) = read_permissions(m);
        MemberForm {
            member_id: Some(m.member_id.clone()),
            name: m.member_name.clone(),
            code: m.member_code.clone().unwrap_or_default(),
            membergroup_id: m.membergroup_id.clone().unwrap_or_default(),
            credential,
            use_start: local(m.use_date_start.as_deref()),
            use_end: local(m.use_date_end.as_deref()),
            areas,
            keep_permissions,
        }
    }
}

/// `…+09:00` back to `YYYY-MM-DDTHH:MM` in JST.
fn local(iso: Option<&str>) -> String {
    iso.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&crate::platform::clock::jst()).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// The areas and weekly slots of a member; `true` when something else is there too.
fn read_permissions(m: &Member) -> (Vec<AreaRule>, bool) {
    let keys = m.extra.get("keys_pass").is_some_and(|k| k["default_mode"] != "deny_all");
    let Some(pass) = &m.devices_pass else { return (Vec::new(), keys) };
    match pass.default_mode.as_str() {
        "deny_all" => return (Vec::new(), keys),
        "option" => {}
        _ => return (Vec::new(), true),
    }
    let mut rules = Vec::new();
    let mut other = keys;
    for a in &pass.areas_list {
        match a.pass.get("effect").and_then(Value::as_str) {
            Some("allow_all") => rules.push(AreaRule { area_id: a.area_id.clone(), slots: Vec::new() }),
            Some("allow") => {
                let slots: Option<Vec<WeeklySlot>> = a
                    .pass
                    .get("schedule")
                    .and_then(Value::as_array)
                    .map(|s| s.iter().map(weekly).collect())
                    .unwrap_or(None);
                match slots {
                    Some(slots) if !slots.is_empty() => {
                        rules.push(AreaRule { area_id: a.area_id.clone(), slots })
                    }
                    _ => other = true,
                }
            }
            Some("deny_all") => {}
            _ => other = true,
        }
    }
    (rules, other)
}

fn weekly(slot: &Value) -> Option<WeeklySlot> {
    if slot.get("mode")? != "weekly" {
        return None;
    }
    let hm = |p: &str| -> Option<String> {
        let t = slot.get(p)?.get("time")?.as_str()?.strip_suffix("+09:00")?;
        Some(NaiveTime::parse_from_str(t, "%H:%M:%S").ok()?.format("%H:%M").to_string())
    };
    let days: Vec<Day> = serde_json::from_value(slot.get("week")?.clone()).ok()?;
    Some(WeeklySlot { days, start: hm("start")?, end: hm("end")? })
}
