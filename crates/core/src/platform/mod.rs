//! The bottom layer: what any program of ours needs, with no front-desk meaning.
//! Nothing here names a cloud, a guest or a door.

pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod i18n;
pub mod images;
pub mod jst;
pub mod logs;
pub mod model;
pub mod secrets;
