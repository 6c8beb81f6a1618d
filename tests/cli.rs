//! The `authlens` binary end to end: demo, run, exit codes, report formats, history, decode, profile errors.

mod support;

use std::path::Path;
use std::process::{Command, Output};

fn authlens(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_authlens"))
        .args(args)
        .env("AUTHLENS_DATA_DIR", data_dir)
        .env_remove("AUTHLENS_PASSWORD")
        .env_remove("AUTHLENS_DB")
        .env("NO_COLOR", "1")
        .output()
        .expect("authlens runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn demo_runs_every_mode_and_reports_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = authlens(dir.path(), &["demo", "--no-store", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let runs = v["runs"].as_array().expect("runs array");
    assert_eq!(runs.len(), 3);
    for r in runs {
        assert_eq!(r["run"]["status"], "completed", "{}", r["run"]["error"]);
        assert!(!r["timeline"]["lanes"].as_array().unwrap().is_empty());
        assert!(r["run"]["findings"].as_array().unwrap().len() >= 19);
    }
}

#[test]
fn demo_text_report_has_every_section() {
    let dir = tempfile::tempdir().unwrap();
    let out = authlens(dir.path(), &["demo", "--no-store", "--mode", "jwt"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let s = text(&out.stdout);
    for section in [
        "Exchanges",
        "Credentials",
        "Timeline",
        "Checklist",
        "REVOCATION GAP",
        "refresh.reuse",
    ] {
        assert!(s.contains(section), "missing {section:?} in:\n{s}");
    }
    assert!(
        !s.contains('\x1b'),
        "no colour when NO_COLOR is set / not a terminal"
    );
}

#[test]
fn fail_on_sets_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "demo",
        "--no-store",
        "--mode",
        "jwt",
        "--flaw",
        "no-reuse-detection",
        "--format",
        "junit",
    ];
    let out = authlens(dir.path(), &args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a high finding fails the default --fail-on high: {}",
        text(&out.stderr)
    );
    let junit = text(&out.stdout);
    assert!(junit.starts_with("<?xml"), "{junit}");
    assert!(junit.contains("name=\"refresh.reuse\""), "{junit}");
    assert!(junit.contains("<failure"), "{junit}");
    assert!(text(&out.stderr).contains("at or above --fail-on high"));

    let out = authlens(dir.path(), &[&args[..], &["--fail-on", "none"]].concat());
    assert_eq!(out.status.code(), Some(0));
    let out = authlens(
        dir.path(),
        &[&args[..6], &["--fail-on", "critical"]].concat(),
    );
    assert_eq!(out.status.code(), Some(0), "nothing critical in this run");
}

#[test]
fn sarif_report_is_valid_shape() {
    let dir = tempfile::tempdir().unwrap();
    let out = authlens(
        dir.path(),
        &[
            "demo",
            "--no-store",
            "--mode",
            "session",
            "--flaw",
            "no-httponly",
            "--format",
            "sarif",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "medium finding under --fail-on high: {}",
        text(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "cookie.httponly" && r["level"] == "error"),
        "{results:?}"
    );
}

#[test]
fn a_flaw_that_fits_no_chosen_mode_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = authlens(
        dir.path(),
        &["demo", "--no-store", "--mode", "jwt", "--flaw", "fixation"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("fixation"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bad_profile_error_names_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(support::profile_path(authlens_lab::Mode::Jwt)).unwrap();
    let bad = src.replace("[probe]\nmethod = \"GET\"", "[probe]\nmethd = \"GET\"");
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, &bad).unwrap();
    let line = bad.lines().position(|l| l.starts_with("methd")).unwrap() + 1;
    let out = authlens(dir.path(), &["run", path.to_str().unwrap(), "--no-store"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("bad.toml:{line}:")), "{err}");
    assert!(err.contains("methd"), "{err}");
}

#[test]
fn missing_password_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::profile_path(authlens_lab::Mode::Jwt);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_authlens"));
    cmd.args(["run", path.to_str().unwrap(), "--no-store"])
        .env("AUTHLENS_DATA_DIR", dir.path())
        .env_remove("AUTHLENS_PASSWORD")
        .stdin(std::process::Stdio::null());
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("AUTHLENS_PASSWORD"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn run_against_a_stopped_lab_says_what_failed() {
    let dir = tempfile::tempdir().unwrap();
    let path = support::profile_path(authlens_lab::Mode::Jwt);
    // The lab is not running: the certificate is missing first.
    let out = Command::new(env!("CARGO_BIN_EXE_authlens"))
        .args(["run", path.to_str().unwrap(), "--no-store"])
        .env("AUTHLENS_DATA_DIR", dir.path())
        .env("AUTHLENS_PASSWORD", "x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("start the lab first"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn history_lists_and_shows_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let out = authlens(
        dir.path(),
        &[
            "demo",
            "--mode",
            "session",
            "--db",
            db.to_str().unwrap(),
            "--format",
            "json",
            "--out",
            dir.path().join("r.json").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = authlens(dir.path(), &["history", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let list = text(&out.stdout);
    assert!(list.contains("Lab: session mode"), "{list}");
    let id = list
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().next())
        .expect("a run row")
        .to_string();
    let out = authlens(
        dir.path(),
        &["history", "--db", db.to_str().unwrap(), "show", &id[..8]],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Checklist"));
}

#[test]
fn decode_shows_claims_and_survives_hostile_tokens() {
    use base64::Engine;
    let b64 = |s: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let dir = tempfile::tempdir().unwrap();
    let tok = format!(
        "{}.{}.{}",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(br#"{"sub":"u1","exp":4102444800,"iat":4102441200}"#),
        ""
    );
    let out = authlens(dir.path(), &["decode", &tok]);
    assert_eq!(out.status.code(), Some(0));
    let s = text(&out.stdout);
    assert!(
        s.contains("\"sub\": \"u1\"") && s.contains("NOT verified") && s.contains("1h"),
        "{s}"
    );

    let huge = format!("{}.{}.sig", b64(br#"{"alg":"HS256"}"#), "A".repeat(1 << 20));
    let bad = format!("{}.%%%not-base64%%%.sig", b64(br#"{"alg":"HS256"}"#));
    for t in [huge, bad] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_authlens"))
            .args(["decode", "-"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(t.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(
            text(&out.stdout).contains("problem:"),
            "{}",
            text(&out.stdout)
        );
    }
}

/// jwt.io's example token, signed with `your-256-bit-secret` (also in the built-in list).
const JWT_IO: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

#[test]
fn weak_secret_finds_a_planted_secret_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("words.txt");
    let mut words: String = (0..5000).map(|i| format!("word{i}\n")).collect();
    words.push_str("your-256-bit-secret\r\nlast\n");
    std::fs::write(&list, words).unwrap();
    let list = list.to_str().unwrap();

    let out = authlens(
        dir.path(),
        &["weak-secret", JWT_IO, "--wordlist", list, "--no-builtin"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.contains("found: the HS256 secret is \"yo…\" (19 bytes; --reveal shows it)"),
        "{s}"
    );
    assert!(s.contains("words.txt, line 5001"), "{s}");
    assert!(s.contains("candidates tried in"), "{s}");
    assert!(
        !s.contains("your-256-bit-secret"),
        "redacted without --reveal"
    );

    let out = authlens(
        dir.path(),
        &[
            "weak-secret",
            JWT_IO,
            "-w",
            list,
            "--no-builtin",
            "--json",
            "--reveal",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["outcome"]["type"], "found");
    assert_eq!(v["outcome"]["secret"], "your-256-bit-secret");
    assert_eq!(v["outcome"]["line"], 5001);
    assert_eq!(v["tried"], 5002);
    assert_eq!(v["alg"], "HS256");

    // The built-in list alone finds it, the token read from stdin.
    let mut child = Command::new(env!("CARGO_BIN_EXE_authlens"))
        .args(["weak-secret", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("Bearer {JWT_IO}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("built-in list, line "));
}

#[test]
fn weak_secret_not_found_and_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("words.txt");
    std::fs::write(&list, "alpha\nbeta\n").unwrap();
    let list = list.to_str().unwrap();
    let out = authlens(
        dir.path(),
        &["weak-secret", JWT_IO, "-w", list, "--no-builtin", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["outcome"]["type"], "not-found");
    assert_eq!(v["tried"], 3); // the blank secret and two lines
    assert!(v["per_sec"].as_f64().is_some() && v["elapsed_ms"].as_u64().is_some());
    let out = authlens(
        dir.path(),
        &["weak-secret", JWT_IO, "-w", list, "--no-builtin"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains("not found"),
        "{}",
        text(&out.stdout)
    );

    let rs256 = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln";
    let out = authlens(dir.path(), &["weak-secret", rs256]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("RS256 is not an HMAC algorithm"),
        "{}",
        text(&out.stderr)
    );
    let missing = dir.path().join("missing.txt");
    let out = authlens(
        dir.path(),
        &["weak-secret", JWT_IO, "-w", missing.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("missing.txt"),
        "{}",
        text(&out.stderr)
    );
    let out = authlens(dir.path(), &["weak-secret", "not-a-jwt"]);
    assert_eq!(out.status.code(), Some(2));
    let out = authlens(dir.path(), &["weak-secret", JWT_IO, "--time-limit", "soon"]);
    assert_eq!(out.status.code(), Some(2), "clap rejects a bad duration");
}
