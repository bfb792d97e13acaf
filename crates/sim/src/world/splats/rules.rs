//! The rules the simulated SPLATS tenant applies to what it holds: members, guests,
//! histories and bulk jobs, as the API documents them.

use super::schedule;
use super::*;
use rand::Rng;
use serde_json::{json, Value};

impl SplatsWorld {
    pub fn demo(now: i64, rooms: &[(String, String)]) -> SplatsWorld {
        let mut w = SplatsWorld { bulk_members_per_sec: 5000, face_millis: 1500, ..SplatsWorld::default() };
        w.tokens.insert(DEMO_TOKEN.into());
        for (n, (door, label)) in rooms.iter().enumerate() {
            let area_id = format!("sa-{:04}", n + 1);
            w.areas.push(SArea { area_id: area_id.clone(), area_name: label.clone() });
            w.passes.push(SPass {
                device_id: format!("pc-{:04}", n + 1),
                device_name: format!("{label} パスコントローラー"),
                area_id,
                door_open: false,
                locked: true,
                online: true,
            });
            let _ = door;
        }
        w.membergroups
            .push(SGroup { membergroup_id: "mg-guest".into(), membergroup_name: "ゲスト".into() });
        w.membergroups
            .push(SGroup { membergroup_id: "mg-staff".into(), membergroup_name: "スタッフ".into() });
        w.keys.push(SKey {
            device_id: "kb-0001".into(),
            device_name: "キーボックスA".into(),
            units: 5,
            taken: Default::default(),
        });
        w.generate_histories(30, now - 86_400, 2_880);
        w
    }

    /// Grows the tenant to `areas` areas, each with its pass controller, and `groups`
    /// member groups, as a large customer's is: more than one page of each listing.
    pub fn grow(&mut self, areas: usize, groups: usize) {
        for n in self.areas.len()..areas {
            let area_id = format!("sa-{:04}", n + 1);
            let label = format!("部屋 {:03}", n + 1);
            self.passes.push(SPass {
                device_id: format!("pc-{:04}", n + 1),
                device_name: format!("{label} パスコントローラー"),
                area_id: area_id.clone(),
                door_open: false,
                locked: true,
                online: true,
            });
            self.areas.push(SArea { area_id, area_name: label });
        }
        for n in self.membergroups.len()..groups {
            self.membergroups.push(SGroup {
                membergroup_id: format!("mg-{:04}", n + 1),
                membergroup_name: format!("グループ {n}"),
            });
        }
    }

    pub fn next_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        let tail: u32 = rand::rng().random_range(0..0xffff);
        format!("{prefix}-{:06}-{tail:04x}", self.next_id)
    }

    /// Appends synthetic logs: `count` entries `step_secs` apart from `start`.
    pub fn generate_histories(&mut self, count: usize, start: i64, step_secs: i64) {
        for i in 0..count {
            let pass = self.passes.get(i % self.passes.len().max(1)).cloned();
            let id = self.next_id("h");
            self.histories.push(SHistory {
                history_id: id,
                at: start + i as i64 * step_secs,
                event: "pass_unlock".into(),
                event_name: "解錠".into(),
                category: "normal".into(),
                device_id: pass.as_ref().map(|p| p.device_id.clone()).unwrap_or_default(),
                device_name: pass.map(|p| p.device_name).unwrap_or_default(),
                member_id: None,
                guest_id: None,
            });
        }
        self.histories.sort_by(|a, b| (a.at, &a.history_id).cmp(&(b.at, &b.history_id)));
    }

    /// Logs a reader's verdict. Card events are named like the QR ones [I].
    pub fn log_auth(
        &mut self,
        at: i64,
        area_id: &str,
        accepted: bool,
        card: bool,
        member_id: Option<String>,
        guest_id: Option<String>,
    ) {
        let pass = self.passes.iter().find(|p| p.area_id == area_id).cloned();
        let (event, name, category) = match (card, accepted) {
            (false, true) => ("qr_auth_success", "QR認証成功", "normal"),
            (false, false) => ("qr_auth_failure", "QR認証失敗", "suspicious"),
            (true, true) => ("card_auth_success", "カード認証成功", "normal"),
            (true, false) => ("card_auth_failure", "カード認証失敗", "suspicious"),
        };
        let history_id = self.next_id("h");
        self.histories.push(SHistory {
            history_id,
            at,
            event: event.into(),
            event_name: name.into(),
            category: category.into(),
            device_id: pass.as_ref().map(|p| p.device_id.clone()).unwrap_or_default(),
            device_name: pass.map(|p| p.device_name).unwrap_or_default(),
            member_id,
            guest_id,
        });
        self.histories.sort_by(|a, b| (a.at, &a.history_id).cmp(&(b.at, &b.history_id)));
    }

    /// Time passes: finished bulk jobs take effect and expired guests are purged.
    pub fn tick(&mut self, now_ms: i64) {
        let now = now_ms.div_euclid(1000);
        self.apply_faces(now_ms);
        self.guests.retain(|_, g| g.use_date_end + GUEST_PURGE_SECS > now);
        let mut applies = Vec::new();
        for job in self.jobs.iter_mut().filter(|j| !j.applied) {
            let (done, finished, _) = job.progress(now_ms, self.bulk_members_per_sec);
            if finished {
                job.applied = true;
                applies.extend(job.results.iter().take(done).filter_map(|(_, a)| a.clone()));
            }
        }
        for a in applies {
            match a {
                Apply::Upsert(m) => {
                    self.members.insert(m.member_id.clone(), *m);
                }
                Apply::Delete(id) => {
                    self.members.remove(&id);
                }
            }
        }
    }

    /// Builds a member from a request body, checking it as SPLATS would.
    pub fn member_from(&mut self, body: &Value, existing: Option<&SMember>) -> Result<SMember, Reject> {
        if existing.is_none() {
            // A create: the vendor's examples leave unused keys out. An update may send
            // null to clear a value (inferred).
            refuse_nulls(body, "")?;
        }
        let name = body.get("member_name").and_then(Value::as_str).map(str::trim).unwrap_or_default();
        let name = match (name.is_empty(), existing) {
            (false, _) => name.to_string(),
            (true, Some(e)) => e.member_name.clone(),
            (true, None) => return Err(Reject::bad("member_name は必須です")),
        };
        if name.chars().count() > 100 {
            return Err(Reject::bad("member_name は100文字以内にしてください"));
        }
        let group = match body.get("membergroup_id").and_then(Value::as_str) {
            Some(g) => g.to_string(),
            None => existing
                .map(|e| e.membergroup_id.clone())
                .ok_or_else(|| Reject::bad("membergroup_id は必須です"))?,
        };
        if !self.membergroups.iter().any(|g2| g2.membergroup_id == group) {
            return Err(Reject::new(404, "40401", "指定されたメンバーグループが存在しません"));
        }
        let code = body
            .get("member_code")
            .and_then(Value::as_str)
            .map(String::from)
            .or(existing.and_then(|e| e.member_code.clone()));
        let own_id = existing.map(|e| e.member_id.as_str());
        if let Some(c) = code.as_ref().filter(|_| !self.accept_duplicate_codes) {
            if self
                .members
                .values()
                .any(|m| m.member_code.as_deref() == Some(c) && Some(m.member_id.as_str()) != own_id)
            {
                return Err(Reject::new(409, "40901", "入力されたメンバーコードはすでに登録されています"));
            }
        }
        // Left out keeps the member's; null clears it (an update's way to drop a period).
        let date = |field: &str, kept: Option<i64>| -> Result<Option<i64>, Reject> {
            match body.get(field) {
                None => Ok(kept),
                Some(Value::Null) => Ok(None),
                Some(_) => opt_date(body, field),
            }
        };
        let start = date("use_date_start", existing.and_then(|e| e.use_date_start))?;
        let end = date("use_date_end", existing.and_then(|e| e.use_date_end))?;
        if let (Some(s), Some(e)) = (start, end) {
            if e <= s {
                return Err(Reject::bad("use_date_end は use_date_start より後にしてください"));
            }
        }
        let qr = body.get("qrcode");
        let qr_data = match qr.and_then(|q| q.get("data")).and_then(Value::as_str) {
            Some(d) if !d.is_empty() && d.len() <= 64 => d.to_string(),
            Some(_) => return Err(Reject::bad("qrcode.data が不正です")),
            None => existing.map(|e| e.qr_data.clone()).unwrap_or_else(random_hex16),
        };
        if self.members.values().any(|m| m.qr_data == qr_data && Some(m.member_id.as_str()) != own_id) {
            return Err(Reject::new(409, "40901", "入力されたQRコード情報はすでに登録されています"));
        }
        let card_data = self.card_from(body, existing)?;
        let otqr = match qr.and_then(|q| q.get("one_time_qr")) {
            Some(o) => Some(otqr_from(o, existing.and_then(|e| e.otqr.as_ref()), self.seed_reading)?),
            None => existing.and_then(|e| e.otqr.clone()),
        };
        let devices_pass = match body.get("devices_pass") {
            Some(p) => {
                self.check_devices_pass(p)?;
                p.clone()
            }
            None => existing.map(|e| e.devices_pass.clone()).unwrap_or(json!({ "default_mode": "deny_all" })),
        };
        Ok(SMember {
            member_id: existing.map(|e| e.member_id.clone()).unwrap_or_else(|| self.next_id("m")),
            member_name: name,
            member_code: code,
            membergroup_id: group,
            use_date_start: start,
            use_date_end: end,
            qr_data,
            otqr,
            devices_pass,
            temporary_use: existing.and_then(|e| e.temporary_use.clone()),
            card_data,
            face: existing.and_then(|e| e.face.clone()),
        })
    }

    /// `card_data`: the IC card's ID in hex (the documents' example is 16 digits, a
    /// FeliCa IDm; 8 to 32 are taken). One card, one member: a second is 40901.
    fn card_from(&self, body: &Value, existing: Option<&SMember>) -> Result<Option<String>, Reject> {
        let card = match body.get("card_data") {
            None => return Ok(existing.and_then(|e| e.card_data.clone())),
            Some(Value::Null) => return Ok(None),
            Some(Value::String(c)) => c.to_ascii_uppercase(),
            Some(_) => return Err(Reject::bad("card_data は文字列にしてください")),
        };
        if !(8..=32).contains(&card.len()) || !card.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Reject::bad("card_data は16進数8〜32桁にしてください"));
        }
        let own_id = existing.map(|e| e.member_id.as_str());
        if self
            .members
            .values()
            .any(|m| m.card_data.as_deref() == Some(&card) && Some(m.member_id.as_str()) != own_id)
        {
            return Err(Reject::new(409, "40901", "入力されたカード情報はすでに登録されています"));
        }
        Ok(Some(card))
    }

    fn check_devices_pass(&self, p: &Value) -> Result<(), Reject> {
        match p.get("default_mode").and_then(Value::as_str) {
            Some("allow_all" | "deny_all") => Ok(()),
            Some("option") => {
                for a in p.get("areas_list").and_then(Value::as_array).into_iter().flatten() {
                    let id = a.get("area_id").and_then(Value::as_str).unwrap_or_default();
                    if !self.areas.iter().any(|x| x.area_id == id) {
                        return Err(Reject::new(404, "40402", &format!("エリア {id} が存在しません")));
                    }
                    schedule::check_pass(a.get("pass").unwrap_or(&Value::Null))?;
                }
                Ok(())
            }
            _ => Err(Reject::bad("devices_pass.default_mode が不正です")),
        }
    }

    pub fn guest_from(&mut self, body: &Value) -> Result<SGuest, Reject> {
        let name = body.get("guest_name").and_then(Value::as_str).unwrap_or_default().trim().to_string();
        if name.is_empty() {
            return Err(Reject::bad("guest_name は必須です"));
        }
        let start =
            opt_date(body, "use_date_start")?.ok_or_else(|| Reject::bad("use_date_start は必須です"))?;
        let end = opt_date(body, "use_date_end")?.ok_or_else(|| Reject::bad("use_date_end は必須です"))?;
        if end <= start {
            return Err(Reject::bad("use_date_end は use_date_start より後にしてください"));
        }
        let areas: Vec<String> = body
            .get("area_id_list")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect())
            .unwrap_or_default();
        if let Some(bad) = areas.iter().find(|id| !self.areas.iter().any(|a| &a.area_id == *id)) {
            return Err(Reject::new(404, "40402", &format!("エリア {bad} が存在しません")));
        }
        let (key_devices, return_grace_period) = self.guest_keys(body)?;
        if areas.is_empty() && key_devices.is_empty() {
            return Err(Reject::bad("area_id_list か key_devices_list のどちらかが必要です"));
        }
        let data = body
            .get("qrcode_issuing_method")
            .and_then(|q| q.get("qrcode_data"))
            .and_then(Value::as_str)
            .map(String::from)
            .unwrap_or_else(random_hex16);
        Ok(SGuest {
            guest_id: self.next_id("g"),
            guest_name: name,
            use_date_start: start,
            use_date_end: end,
            qrcode_data: data,
            area_id_list: areas,
            key_devices,
            return_grace_period,
        })
    }

    /// `key_devices_list` (known boxes and units only) and `return_grace_period`.
    #[allow(clippy::type_complexity)]
    fn guest_keys(&self, body: &Value) -> Result<(Vec<(String, Vec<String>)>, Option<u32>), Reject> {
        let mut out = Vec::new();
        for k in body.get("key_devices_list").and_then(Value::as_array).into_iter().flatten() {
            let id = k.get("key_device_id").and_then(Value::as_str).unwrap_or_default();
            let key = self
                .keys
                .iter()
                .find(|b| b.device_id == id)
                .ok_or_else(|| Reject::new(404, "40403", &format!("キーボックス {id} が存在しません")))?;
            let units: Vec<String> = k
                .get("units_no_list")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|u| u.as_str().unwrap_or_default().to_string())
                .collect();
            if units.is_empty() {
                return Err(Reject::bad("units_no_list は必須です"));
            }
            if let Some(bad) = units.iter().find(|u| !key.unit_nos().contains(u)) {
                return Err(Reject::bad(&format!("unit_no {bad} が存在しません")));
            }
            out.push((id.to_string(), units));
        }
        let grace = match body.get("return_grace_period") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .filter(|m| *m <= 10_080)
                    .ok_or_else(|| Reject::bad("return_grace_period は0〜10080分の整数にしてください"))?
                    as u32,
            ),
        };
        Ok((out, grace))
    }
}

fn opt_date(body: &Value, field: &str) -> Result<Option<i64>, Reject> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse_iso(field, s).map(Some),
        Some(_) => Err(Reject::bad(&format!("{field} は文字列にしてください"))),
    }
}

fn otqr_from(o: &Value, existing: Option<&SOtqr>, reading: otqr::Reading) -> Result<SOtqr, Reject> {
    let enabled = o.get("enabled").and_then(Value::as_bool).unwrap_or(existing.is_some_and(|e| e.enabled));
    let timestep = match o.get("timestep") {
        Some(v) => {
            v.as_u64()
                .filter(|t| (30..=86_400).contains(t))
                .ok_or_else(|| Reject::bad("timestep は30〜86400の整数にしてください"))? as u32
        }
        None => existing.map(|e| e.timestep).unwrap_or(300),
    };
    let skew = match o.get("skew") {
        Some(v) => {
            v.as_u64().filter(|s| *s <= 10).ok_or_else(|| Reject::bad("skew は0〜10の整数にしてください"))?
                as u32
        }
        None => existing.map(|e| e.skew).unwrap_or(0),
    };
    let seed = match o.get("totp_seed").and_then(Value::as_str) {
        Some(s)
            if (16..=64).contains(&s.len())
                && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) =>
        {
            s.to_string()
        }
        Some(_) => return Err(Reject::bad("totp_seed は英大文字と数字16〜64文字にしてください")),
        None => existing.map(|e| e.seed.clone()).unwrap_or_else(|| random_seed(reading)),
    };
    Ok(SOtqr { enabled, seed, timestep, skew, reading: existing.map_or(reading, |e| e.reading) })
}

/// The vendor's examples leave out the fields a new member does not use; a strict tenant
/// refuses a JSON `null` in their place when creating (`"card_data": null` is not "no card").
fn refuse_nulls(v: &Value, path: &str) -> Result<(), Reject> {
    let Value::Object(o) = v else { return Ok(()) };
    for (k, v) in o {
        let here = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
        if v.is_null() {
            return Err(Reject::bad(&format!(
                "{here} に null は指定できません。使わない項目は省略してください"
            )));
        }
        refuse_nulls(v, &here)?;
    }
    Ok(())
}

fn random_hex16() -> String {
    let mut rng = rand::rng();
    (0..16).map(|_| char::from(b"0123456789ABCDEF"[rng.random_range(0..16)])).collect()
}

/// A new seed: 32 of `[A-Z0-9]` (the documented sample's alphabet) for a tenant whose
/// readers take its ASCII bytes, 32 of RFC 4648's base32 alphabet for one that decodes it.
fn random_seed(reading: otqr::Reading) -> String {
    let alphabet: &[u8] = match reading {
        otqr::Reading::Ascii => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        otqr::Reading::Base32 => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    };
    let mut rng = rand::rng();
    (0..32).map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())])).collect()
}

impl SMember {
    pub fn to_json(&self) -> Value {
        let mut qrcode = json!({ "data": self.qr_data });
        if let Some(o) = &self.otqr {
            qrcode["one_time_qr"] =
                json!({ "enabled": o.enabled, "totp_seed": o.seed, "timestep": o.timestep, "skew": o.skew });
        }
        let mut out = json!({
            "member_id": self.member_id,
            "member_name": self.member_name,
            "member_code": self.member_code,
            "membergroup_id": self.membergroup_id,
            "use_date_start": self.use_date_start.map(iso),
            "use_date_end": self.use_date_end.map(iso),
            "qrcode": qrcode,
            "devices_pass": self.devices_pass,
        });
        // Present only when set, as "001" shows `face_data`.
        if let Some(c) = &self.card_data {
            out["card_data"] = json!(c);
        }
        if let Some(f) = &self.face {
            out["face_data"] = json!(f);
        }
        out
    }
}

impl SGuest {
    pub fn to_json(&self) -> Value {
        json!({
            "guest_id": self.guest_id,
            "guest_name": self.guest_name,
            "use_date_start": iso(self.use_date_start),
            "use_date_end": iso(self.use_date_end),
            "qrcode_issuing_method": { "qrcode_data": self.qrcode_data },
            "area_id_list": self.area_id_list,
            "key_devices_list": self.key_devices.iter()
                .map(|(id, units)| json!({ "key_device_id": id, "units_no_list": units }))
                .collect::<Vec<_>>(),
            "return_grace_period": self.return_grace_period,
        })
    }
}

impl BulkJob {
    /// (members done, finished, failed as a whole) at `now_ms`.
    pub fn progress(&self, now_ms: i64, per_sec: u32) -> (usize, bool, bool) {
        let total = self.results.len();
        let elapsed = (now_ms - self.start_ms).max(0);
        let done = ((elapsed as u128 * u128::from(per_sec.max(1))) / 1000).min(total as u128) as usize;
        if let Some(f) = self.fail_at {
            if done >= f {
                return (f, true, true);
            }
        }
        (done, now_ms >= self.end_ms || done == total, false)
    }

    pub fn to_json(&self, now_ms: i64, per_sec: u32) -> Value {
        let (done, finished, failed) = self.progress(now_ms, per_sec);
        let status = if now_ms < self.start_ms {
            "pending"
        } else if failed {
            "failed"
        } else if !finished {
            "progress"
        } else if self.results.iter().any(|(r, _)| r["status"] != "succeeded") {
            "completed_with_errors"
        } else {
            "completed"
        };
        json!({
            "request_id": self.request_id,
            "request_type": "members_bulk",
            "status": status,
            "tag": self.tag,
            "result": {
                "member_count": self.results.len(),
                "completed_member_count": done,
                "members": self.results.iter().take(done).map(|(r, _)| r.clone()).collect::<Vec<_>>(),
            }
        })
    }
}
