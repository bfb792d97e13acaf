//! A blank Tauri 2 window showing one line of Japanese: what any Tauri app costs, for
//! the app's figures in docs/PERFORMANCE.md to stand beside. Its page says when it has
//! painted, as the app's guest list does.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[tauri::command]
fn painted() {
    eprintln!("UKETSUKE_PAINTED blank");
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![painted])
        .run(tauri::generate_context!())
        .expect("the blank window runs");
}
