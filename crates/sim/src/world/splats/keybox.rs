//! A key box's own reader: a guest registered with `key_devices_list` shows their QR
//! and takes a key between `use_date_start` and `use_date_end`; the key goes back in
//! whenever it is returned. The cloud reports each unit as in or out; whether it is
//! late is the app's to judge from the booking and `return_grace_period`.

use super::{Reject, SplatsWorld};
use serde_json::{json, Value};

impl SplatsWorld {
    /// A guest takes `unit` from box `device_id` with their QR.
    pub fn take_key(
        &mut self,
        device_id: &str,
        payload: &str,
        unit: &str,
        now: i64,
    ) -> Result<Value, Reject> {
        let k = self.key_index(device_id)?;
        let g =
            self.guests.values().find(|g| g.qrcode_data == payload).ok_or_else(|| refused("unknown_qr"))?;
        if now < g.use_date_start || now > g.use_date_end {
            return Err(refused("outside_use_period"));
        }
        let allowed =
            g.key_devices.iter().any(|(id, units)| id == device_id && units.iter().any(|u| u == unit));
        if !allowed {
            return Err(refused("no_permission"));
        }
        if !self.keys[k].taken.insert(unit.to_string()) {
            return Err(refused("already_taken"));
        }
        Ok(json!({ "accepted": true, "guest_id": g.guest_id, "unit_no": unit }))
    }

    /// Puts a key back (anyone may return one).
    pub fn return_key(&mut self, device_id: &str, unit: &str) -> Result<Value, Reject> {
        let k = self.key_index(device_id)?;
        let was_out = self.keys[k].taken.remove(unit);
        Ok(json!({ "returned": was_out, "unit_no": unit }))
    }

    fn key_index(&self, device_id: &str) -> Result<usize, Reject> {
        self.keys
            .iter()
            .position(|k| k.device_id == device_id)
            .ok_or_else(|| Reject::new(404, "40403", "デバイスが存在しません"))
    }
}

fn refused(reason: &str) -> Reject {
    Reject::new(403, "40310", reason)
}
