//! No password and no full token in the history DB, the reports or the logs after a run, unless revealed
//! (and the password never).

mod support;

use std::path::Path;

use authlens_core::flow;
use authlens_core::model::{Run, RunStatus, Severity};
use authlens_core::profile::Profile;
use authlens_core::redact::Redactor;
use authlens_core::report;
use authlens_core::store::Store;
use authlens_core::timeline;
use authlens_lab::Mode;
use support::*;

/// Every file of the database (main, WAL, shared memory) as bytes.
fn db_bytes(db: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let p = format!("{}{suffix}", db.display());
        if let Ok(b) = std::fs::read(&p) {
            all.extend(b);
        }
    }
    all
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn reports(run: &Run) -> Vec<(&'static str, String)> {
    let t = timeline::build(run);
    let opts = report::text::TextOptions {
        color: false,
        width: 120,
        verbose: true,
    };
    vec![
        ("text", report::text::render(run, &t, &opts)),
        ("json", report::json::render(&[(run.clone(), t)])),
        (
            "junit",
            report::junit::render(std::slice::from_ref(run), Severity::High),
        ),
        ("sarif", report::sarif::render(std::slice::from_ref(run))),
    ]
}

async fn stored_run(mode: Mode, reveal: bool) -> (Run, Vec<u8>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.db");
    let store = Store::open(&db).await.unwrap();
    let lab = start_lab(mode, &[]).await;
    let profile = Profile::load(&profile_path(mode)).unwrap();
    let mut opts = lab_options(&lab);
    opts.store = Some(store.clone());
    opts.reveal = reveal;
    let run = flow::run(&profile, opts).await.unwrap();
    lab.shutdown().await;
    assert_eq!(run.status, RunStatus::Completed, "{:?}", run.error);
    drop(store);
    let bytes = db_bytes(&db);
    (run, bytes, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_db_or_reports() {
    let password = authlens_lab::USERS[0].password;
    for mode in [Mode::Session, Mode::Jwt, Mode::Hybrid] {
        let (run, db, _dir) = stored_run(mode, false).await;
        let secrets: Vec<&str> = run
            .credentials
            .iter()
            .map(|c| c.value.as_str())
            .filter(|v| v.len() >= 8)
            .collect();
        assert!(secrets.len() >= 2, "{mode}: the run captured credentials");
        assert!(
            !contains(&db, password),
            "{mode}: the password is in the DB"
        );
        for s in &secrets {
            assert!(!contains(&db, s), "{mode}: a full credential is in the DB");
        }
        let redacted = Redactor::for_run(&run, password, false).run(&run);
        for (format, text) in reports(&redacted) {
            assert!(
                !text.contains(password),
                "{mode}: password in the {format} report"
            );
            for s in &secrets {
                assert!(
                    !text.contains(s),
                    "{mode}: a full credential in the {format} report"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reveal_keeps_tokens_but_never_the_password() {
    let password = authlens_lab::USERS[0].password;
    let (run, db, _dir) = stored_run(Mode::Jwt, true).await;
    assert!(!contains(&db, password), "the password is never stored");
    let access = run.credentials.iter().find(|c| c.name == "access").unwrap();
    assert!(contains(&db, &access.value), "--reveal stores full tokens");
}

#[test]
fn cli_logs_and_db_hold_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_authlens"))
        .args([
            "-vv",
            "demo",
            "--db",
            db.to_str().unwrap(),
            "--format",
            "json",
        ])
        .env("AUTHLENS_DATA_DIR", dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let password = authlens_lab::USERS[0].password;
    // A full JWT starts with its encoded header; the redacted form keeps only 6 characters of it.
    let jwt_start = "eyJhbGciOi";
    for (what, bytes) in [
        ("stdout", out.stdout.clone()),
        ("stderr (logs)", out.stderr.clone()),
        ("db", db_bytes(&db)),
    ] {
        assert!(!contains(&bytes, password), "password in {what}");
        assert!(!contains(&bytes, jwt_start), "a full JWT in {what}");
    }
    assert!(out.stderr.len() > 1000, "-vv produced debug logs to check");
}

/// Every string member named like a token in a stored JSON body is masked.
fn unmasked_tokens(run: &Run) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>, ex: u32) {
        match v {
            serde_json::Value::Object(o) => {
                for (k, v) in o {
                    if let serde_json::Value::String(s) = v
                        && k.to_ascii_lowercase().contains("token")
                        && !s.starts_with('‹')
                        && s != "Bearer"
                        // An OpenID configuration's token_endpoint is a URL, not a token.
                        && !s.starts_with("https://")
                    {
                        out.push(format!("exchange #{ex} member {k}"));
                    }
                    walk(v, out, ex);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out, ex)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for e in &run.exchanges {
        for h in &e.hops {
            for body in [Some(&h.request.body), h.response.as_ref().map(|r| &r.body)]
                .into_iter()
                .flatten()
            {
                if let Some(v) = body
                    .text
                    .as_deref()
                    .and_then(|t| serde_json::from_str(t).ok())
                {
                    walk(&v, &mut out, e.id);
                }
            }
        }
    }
    out
}

/// With flaws on, replays are accepted and answered with fresh tokens the run never adopted: those too
/// must be masked in the history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_issued_to_accepted_replays_are_masked() {
    use authlens_lab::Flaw;
    for (mode, flaw) in [
        (Mode::Jwt, Flaw::NoReuseDetection),
        (Mode::Jwt, Flaw::LogoutKeepsSession),
        (Mode::Hybrid, Flaw::LogoutKeepsSession),
        (Mode::Jwt, Flaw::NoRotation),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("history.db");
        let store = Store::open(&db).await.unwrap();
        let lab = start_lab(mode, &[flaw]).await;
        let profile = Profile::load(&profile_path(mode)).unwrap();
        let mut opts = lab_options(&lab);
        opts.store = Some(store.clone());
        let run = flow::run(&profile, opts).await.unwrap();
        lab.shutdown().await;
        assert!(
            run.observations
                .iter()
                .any(|o| o.verdict == authlens_core::model::Verdict::Accepted
                    && o.purpose != authlens_core::model::Purpose::Flow),
            "{mode} + {flaw}: some replay was accepted"
        );
        let stored = store.load_run(&run.id).await.unwrap();
        let leaks = unmasked_tokens(&stored);
        assert!(
            leaks.is_empty(),
            "{mode} + {flaw}: unmasked tokens stored: {leaks:?}"
        );
        assert!(
            !contains(&db_bytes(&db), "eyJhbGciOi"),
            "{mode} + {flaw}: a full JWT in the DB"
        );
    }
}
