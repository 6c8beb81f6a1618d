//! `open_reference` end to end through the real opener: `$BROWSER` names a script that records what it was
//! asked to open, so the test sees exactly what a browser would get. One test in its own binary, because
//! it sets a process-wide environment variable.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use authlens_desktop::references;

#[tokio::test]
async fn a_catalogue_reference_opens_its_page_and_nothing_else_opens() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("opened.txt");
    let browser = dir.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{}'\n", log.display()),
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    // SAFETY: the only test in this binary, set before anything else reads the environment.
    unsafe { std::env::set_var("BROWSER", &browser) };

    for hostile in ["https://evil.example/", "ZAP 10010; rm -rf ~", "$(id)"] {
        let e = references::open(hostile).await.unwrap_err();
        assert_eq!(e.code, "reference.unknown", "{hostile}");
    }
    let opened = references::open("RFC 6265bis 5.7").await.unwrap();
    assert_eq!(
        opened,
        "https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#section-5.7"
    );

    // The opener spawns the browser detached: wait for it to write.
    let deadline = Instant::now() + Duration::from_secs(10);
    let text = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if !text.is_empty() || Instant::now() > deadline {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(text, format!("{opened}\n"));
}
