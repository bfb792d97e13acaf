//! Declares the app's own commands so that each gets an `allow-…` permission; the
//! capabilities in `capabilities/` then grant them per window. The list itself is
//! `src/commands/list.rs`, shared with the app.

include!("src/commands/list.rs");

macro_rules! names {
    ($($window:ident $module:ident { $($command:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $ret:ty),* $(,)? })*) => {
        &[$($(stringify!($command)),*),*]
    };
}

const COMMANDS: &[&str] = app_commands!(names);

fn main() {
    println!("cargo:rerun-if-changed=src/commands/list.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build");
}
