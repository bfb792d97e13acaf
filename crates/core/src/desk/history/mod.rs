//! One history of every door and every action: SPLATS' access logs, SESAME's lock
//! histories and the app's own audit log in one time line (`history_entries`), filtered
//! by store, area, guest, staff, kind and time, paged, exported to CSV or JSON, and
//! summed into daily reports. The audit log stays the tamper-evident record
//! (`audit::chain`); this is its index for reading.

pub mod export;
pub mod index;
mod labels;
pub mod query;
pub mod reports;
pub mod splats;

pub use export::{Exported, Format};
pub use query::{page, Cursor, HistoryEntry, HistoryFilter, HistoryPage};
pub use reports::DayReport;
