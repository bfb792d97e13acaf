//! Every store at a glance: today's guests by where they are, the doors and what
//! calls for attention. The head office's first screen (facility mode), and "all
//! stores" on any counter. Read from the cache only, no network: in a facility the
//! cache holds every PC's guests and the leader's door readings.

use crate::desk::alerts;
use crate::desk::cache;
use crate::desk::doors;
use crate::desk::guests::{self, GuestStatus};
use crate::platform::db::Connection;
use crate::platform::error::Result;
use serde::Serialize;

/// One store's row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ts_rs::TS)]
pub struct StoreOverview {
    pub store_id: String,
    pub name: String,
    /// Today's guests, by where they are.
    pub upcoming: u32,
    /// Arrived early or inside their booking.
    pub inside: u32,
    pub overstaying: u32,
    pub left: u32,
    pub no_show: u32,
    pub doors: u32,
    /// Doors whose lock or pass controller has a reading.
    pub doors_read: u32,
    /// Alerts nobody has acknowledged yet, and all of them.
    pub alerts_open: u32,
    pub alerts: u32,
}

/// Every store, in the store list's order.
pub fn stores(conn: &Connection, limits: &alerts::Limits, now: i64) -> Result<Vec<StoreOverview>> {
    let mut rows = Vec::new();
    for s in cache::list_stores(conn)? {
        let mut row = StoreOverview { store_id: s.id.clone(), name: s.name.clone(), ..Default::default() };
        let (today, board) = (guests::today(conn, &s.id, now, None)?, doors::of_store(conn, &s.id)?);
        for g in &today {
            match g.status {
                GuestStatus::Upcoming => row.upcoming += 1,
                GuestStatus::Arrived | GuestStatus::In => row.inside += 1,
                GuestStatus::Overstaying => row.overstaying += 1,
                GuestStatus::Left => row.left += 1,
                GuestStatus::NoShow => row.no_show += 1,
                GuestStatus::Cancelled => {}
            }
        }
        for d in &board {
            row.doors += 1;
            if d.status.is_some() || d.pass.as_ref().is_some_and(|p| p.status.is_some()) {
                row.doors_read += 1;
            }
        }
        for a in alerts::of(conn, &board, &today, limits, now)? {
            row.alerts += 1;
            if !a.acknowledged {
                row.alerts_open += 1;
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::guests::WalkIn;

    #[test]
    fn counts_each_stores_guests_by_where_they_are() {
        let mut conn = crate::platform::db::open_in_memory().unwrap();
        conn.execute_batch(
            "INSERT INTO stores (id, name, source, updated_at)
                 VALUES ('S1', '渋谷店', 'manual', 0), ('S2', '新宿店', 'manual', 0);
             INSERT INTO areas (id, store_id, name, source, updated_at) VALUES ('A1', 'S1', '会議室A', 'manual', 0);",
        )
        .unwrap();
        let now = crate::platform::clock::now_unix();
        // Both from now (whatever the hour, today's): one here, one not yet.
        let walk_in = |name: &str| WalkIn {
            store_id: "S1".into(),
            name: name.into(),
            name_kana: None,
            phone: None,
            area_ids: vec!["A1".into()],
            starts_at: now,
            ends_at: now + 600,
        };
        guests::add_walk_in(&mut conn, &walk_in("森"), now, "staff").unwrap();
        // Registered an hour before the stay, so not taken as standing at the counter.
        guests::add_walk_in(&mut conn, &walk_in("林"), now - 3600, "staff").unwrap();
        let rows = stores(&conn, &Default::default(), now).unwrap();
        let s1 = rows.iter().find(|r| r.store_id == "S1").unwrap();
        assert_eq!((s1.inside, s1.upcoming, s1.doors), (1, 1, 1));
        let s2 = rows.iter().find(|r| r.store_id == "S2").unwrap();
        assert_eq!((s2.inside, s2.upcoming, s2.doors, s2.alerts), (0, 0, 0, 0));
    }
}
