//! Faults on demand: tests ask the simulator to fail the next N requests under a path
//! prefix in a chosen way, and every reply carries the simulator clock's `Date`.

use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Reply with this status (and a JSON `message` body) instead of handling the request.
    Status {
        status: u16,
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        retry_after_secs: Option<u64>,
    },
    /// Handle the request (a create is made), then answer this status instead of its
    /// reply: a cloud whose write went through but whose answer says it failed.
    Applied { status: u16 },
    /// Wait this long, then handle the request normally.
    Delay { ms: u64 },
    /// Hold every matching request until `secs` after the fault was added, then handle
    /// it normally; the fault ends then by itself (a cloud that hangs for a while).
    Stall { secs: u64 },
    /// Reply 200 with a truncated JSON body.
    BrokenJson,
    /// Reply 200 with this body instead (wrong types, missing fields: a cloud that
    /// answers wrongly).
    Body { body: String },
    /// Reply 200 with an endless-looking JSON body of this many megabytes, streamed.
    Huge { megabytes: u32 },
    /// Handle the request, then cut the connection before the reply is complete.
    Drop,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// Matches requests whose path starts with this, e.g. `/reserve/api/v1/stores.php`.
    pub path_prefix: String,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many requests it applies to; `None` is until cleared.
    #[serde(default)]
    pub times: Option<u32>,
    /// Let this many matching requests through untouched first (fail "half-way").
    #[serde(default)]
    pub after: u32,
    /// When a stall ends; set when the fault is added.
    #[serde(skip)]
    pub until: Option<std::time::Instant>,
}

impl Fault {
    /// A stall of everything under `path_prefix` for `secs` from now.
    pub fn stall(path_prefix: &str, secs: u64) -> Fault {
        Fault {
            path_prefix: path_prefix.into(),
            kind: FaultKind::Stall { secs },
            times: None,
            after: 0,
            until: None,
        }
        .armed()
    }

    /// Starts a stall's clock (faults of other kinds are unchanged).
    pub fn armed(mut self) -> Fault {
        if let FaultKind::Stall { secs } = self.kind {
            self.until = Some(std::time::Instant::now() + Duration::from_secs(secs));
        }
        self
    }
}

/// The faults asked for and not yet used up.
#[derive(Debug, Default)]
pub struct Faults(Mutex<Vec<Fault>>);

impl Faults {
    pub fn list(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the first matching fault, counting it down.
    pub fn take(&self, path: &str) -> Option<(FaultKind, Option<Instant>)> {
        let mut faults = self.list();
        let now = Instant::now();
        faults.retain(|f| f.until.is_none_or(|u| u > now));
        let i = faults.iter().position(|f| path.starts_with(&f.path_prefix))?;
        if let Some(until) = faults[i].until {
            return Some((faults[i].kind.clone(), Some(until)));
        }
        if faults[i].after > 0 {
            faults[i].after -= 1;
            return None;
        }
        let kind = faults[i].kind.clone();
        if let Some(n) = faults[i].times.as_mut() {
            *n -= 1;
            if *n == 0 {
                faults.remove(i);
            }
        }
        Some((kind, None))
    }
}
