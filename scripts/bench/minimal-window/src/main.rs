//! The baseline for scripts/bench-desktop.sh: the smallest Tauri window that paints a view and says so,
//! exactly the way Authlens reports its first view (`ui_ready` after two animation frames).

use std::time::{SystemTime, UNIX_EPOCH};

#[tauri::command]
fn ui_ready() {
    let unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    eprintln!("first view painted unix_ms={unix_ms}");
}

fn main() {
    if let Err(e) = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ui_ready])
        .run(tauri::generate_context!())
    {
        eprintln!("minimal window: {e}");
        std::process::exit(1);
    }
}
