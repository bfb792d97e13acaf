//! Where a guest's printed pass goes (docs/passes.md).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PrintingConfig {
    /// An ESC/POS receipt printer: `192.168.1.50` (port 9100), `host:port`, or a USB
    /// printer's device file (`/dev/usb/lp0`). None: no receipt printer.
    pub receipt_printer: Option<String>,
    /// Its paper: 58 (the default) or 80 mm.
    pub receipt_paper_mm: Option<u32>,
    /// A printer of the OS's print system (CUPS); None: its default printer.
    pub printer: Option<String>,
    /// A font file with Japanese glyphs, when none is found in the usual places.
    pub font: Option<PathBuf>,
}

impl PrintingConfig {
    pub fn is_default(&self) -> bool {
        *self == PrintingConfig::default()
    }
}
