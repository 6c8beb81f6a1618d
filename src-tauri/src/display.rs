//! Is there a display to open a window on? Checked before Tauri starts, which would otherwise abort deep in
//! GTK with a message about X11 that says little to someone on a server or in CI.

/// Why no window can open, or None when one can (or the platform always has a display).
pub fn missing_display() -> Option<String> {
    check(
        std::env::var_os("DISPLAY").as_deref(),
        std::env::var_os("WAYLAND_DISPLAY").as_deref(),
    )
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
))]
fn check(display: Option<&std::ffi::OsStr>, wayland: Option<&std::ffi::OsStr>) -> Option<String> {
    let set = |v: Option<&std::ffi::OsStr>| v.is_some_and(|v| !v.is_empty());
    if set(display) || set(wayland) {
        return None;
    }
    Some(
        "no display: neither DISPLAY nor WAYLAND_DISPLAY is set, so the desktop window cannot open.\n\
         Use the command line instead (`authlens demo`, `authlens run PROFILE`), or start the app under a \
         display server (for a headless machine: `xvfb-run authlens-desktop`)."
            .to_string(),
    )
}

#[cfg(not(all(
    unix,
    not(any(target_os = "macos", target_os = "ios", target_os = "android"))
)))]
fn check(_display: Option<&std::ffi::OsStr>, _wayland: Option<&std::ffi::OsStr>) -> Option<String> {
    None
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn needs_x11_or_wayland() {
        assert!(check(None, None).unwrap().contains("authlens demo"));
        assert!(check(Some(OsStr::new("")), None).is_some());
        assert!(check(Some(OsStr::new(":99")), None).is_none());
        assert!(check(None, Some(OsStr::new("wayland-0"))).is_none());
    }
}
