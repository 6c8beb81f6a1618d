//! Start-up time, as the user sees it: from the process starting to the UI reporting its first view painted
//! (the Run view with the lab loaded). Logged once, so users' logs show it and the start-time benchmark
//! (scripts/bench-desktop.sh) reads it.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

static LAUNCHED: OnceLock<Instant> = OnceLock::new();
static REPORTED: AtomicBool = AtomicBool::new(false);

/// Call first thing in `main`.
pub fn mark_launch() {
    LAUNCHED.get_or_init(Instant::now);
}

/// Milliseconds since `mark_launch`.
pub fn since_launch_ms() -> u128 {
    LAUNCHED.get().map(|t| t.elapsed().as_millis()).unwrap_or(0)
}

/// The UI painted its first view. Only the first report counts (a reload reports again).
pub fn first_view_painted() {
    if REPORTED.swap(true, Ordering::SeqCst) {
        return;
    }
    let since_launch_ms = since_launch_ms();
    let unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    tracing::info!(since_launch_ms, unix_ms, "first view painted");
}

/// The initialization script that hands the Run view its first data (`window.__AUTHLENS_BOOT__`). The JSON
/// goes in as a string literal for `JSON.parse`, so nothing in a profile can be read as script.
pub async fn boot_script(state: &crate::AppState) -> String {
    let profiles = match crate::profiles::list(state).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!("start-up profiles not listed: {}", e.message);
            Vec::new()
        }
    };
    let boot = crate::types::BootData {
        lab: crate::lab::catalogue(),
        profiles,
    };
    let json = serde_json::to_string(&boot).unwrap_or_else(|_| "null".into());
    let literal = serde_json::to_string(&json).unwrap_or_else(|_| "\"null\"".into());
    format!("window.__AUTHLENS_BOOT__ = Object.freeze(JSON.parse({literal}));")
}
