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

/// The UI painted its first view. Only the first report counts (a reload reports again).
pub fn first_view_painted() {
    if REPORTED.swap(true, Ordering::SeqCst) {
        return;
    }
    let since_launch_ms = LAUNCHED.get().map(|t| t.elapsed().as_millis()).unwrap_or(0);
    let unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    tracing::info!(since_launch_ms, unix_ms, "first view painted");
}
