//! The end-to-end tests: one binary (one link of the app's dependencies), one module
//! per capability, each the real app in a real window under Xvfb, driven through
//! WebDriver (`tauri-driver`), against the simulator over loopback HTTP. The shared
//! fixtures (the driver, the session, configs, `zbarimg`) are the `uketsuke_e2e`
//! library in `tests/e2e/src`. Skipped unless `UKETSUKE_E2E=1` (`make test` sets it).

mod door_board;
mod facility;
mod guest_intake;
mod guest_qr;
mod history;
mod kiosk;
mod live_desk;
mod members;
mod package;
mod settings;
mod staff_window;
