use std::io::{BufReader, Cursor, Read, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac as _};

use super::*;

/// HMAC by the `hmac` crate: the reference the engine is checked against.
pub(super) fn reference(alg: &str, key: &[u8], msg: &[u8]) -> Vec<u8> {
    macro_rules! mac {
        ($d:ty) => {{
            let mut m = Hmac::<$d>::new_from_slice(key).unwrap();
            m.update(msg);
            m.finalize().into_bytes().to_vec()
        }};
    }
    match alg {
        "HS256" => mac!(sha2::Sha256),
        "HS384" => mac!(sha2::Sha384),
        "HS512" => mac!(sha2::Sha512),
        _ => unreachable!("{alg}"),
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A token signed by the reference HMAC.
fn sign(alg: &str, key: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        b64(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).as_bytes()),
        b64(br#"{"sub":"alice","role":"user","iat":1790000000,"exp":1790000900}"#)
    );
    let sig = reference(alg, key, input.as_bytes());
    format!("{input}.{}", b64(&sig))
}

fn no_progress(_: &AuditProgress) {}

fn opts() -> AuditOptions {
    AuditOptions::default()
}

fn run_reader(token: &str, data: Vec<u8>, opts: &AuditOptions) -> AuditReport {
    let cancel = AtomicBool::new(false);
    audit_reader(
        token,
        Cursor::new(data),
        "list.txt",
        opts,
        &cancel,
        &no_progress,
    )
    .unwrap()
}

fn found(report: &AuditReport) -> &FoundSecret {
    match &report.outcome {
        AuditOutcome::Found(f) => f,
        other => panic!("expected found, got {other:?} ({report:?})"),
    }
}

/// Endless distinct candidates ("cand-0\n", "cand-1\n", ...), produced as fast as they are read.
struct Endless {
    next: u64,
    pending: Vec<u8>,
}

impl Endless {
    fn new() -> BufReader<Endless> {
        BufReader::with_capacity(
            1 << 16,
            Endless {
                next: 0,
                pending: Vec::new(),
            },
        )
    }
}

impl Read for Endless {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pending.len() < out.len() {
            writeln!(self.pending, "cand-{}", self.next)?;
            self.next += 1;
        }
        let n = out.len();
        out.copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

#[test]
fn jwt_io_example_token_uses_your_256_bit_secret() {
    // jwt.io's default token, also hashcat's -m 16500 example.
    let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
    let hit = audit_builtin(token).expect("in the built-in list");
    assert_eq!(hit.secret, "your-256-bit-secret");
    assert_eq!(hit.secret_len, 19);
    assert_eq!(hit.source, BUILTIN_SOURCE);
    let line = BUILTIN_LIST
        .lines()
        .position(|l| l == "your-256-bit-secret")
        .unwrap();
    assert_eq!(hit.line, line as u64 + 1);
    // With a Bearer prefix and padded base64 too.
    let padded = format!("Bearer {token}=");
    assert_eq!(
        audit_builtin(&padded).unwrap().secret,
        "your-256-bit-secret"
    );
}

#[test]
fn builtin_list_is_curated_and_quick() {
    let lines: Vec<&str> = BUILTIN_LIST.lines().collect();
    assert!(lines.len() >= 300, "{} entries", lines.len());
    let unique: std::collections::HashSet<_> = lines.iter().collect();
    assert_eq!(unique.len(), lines.len(), "no duplicates");
    assert!(!BUILTIN_LIST.contains('\r'));
    for must in [
        "secret",
        "your-256-bit-secret",
        "your-384-bit-secret",
        "your-512-bit-secret",
        "changeme",
        "jwt_secret",
        "supersecret",
        "secretkey",
        "shhhhh",
        "mysecret",
        "keyboard cat",
        "test",
        "password",
        "123456",
        "default",
        "gmail",
    ] {
        assert!(lines.contains(&must), "{must}");
    }
    // Every entry is findable: sign with the last one and a few others.
    for secret in [lines[lines.len() - 1], lines[0], "keyboard cat"] {
        let hit = audit_builtin(&sign("HS256", secret.as_bytes())).unwrap();
        assert_eq!(hit.secret, secret);
    }
    // The miss is the slow path: every entry tried. Release builds take well under 10 ms.
    let miss = sign("HS512", b"not in any list 8c1f");
    let t = Instant::now();
    assert!(audit_builtin(&miss).is_none());
    let took = t.elapsed();
    let budget = if cfg!(debug_assertions) {
        Duration::from_millis(500)
    } else {
        Duration::from_millis(10)
    };
    assert!(took < budget, "{took:?}");
}

#[test]
fn blank_secret_is_tried_first() {
    for alg in ["HS256", "HS384", "HS512"] {
        let report = run_reader(&sign(alg, b""), b"secret\n".to_vec(), &opts());
        let hit = found(&report);
        assert_eq!(hit.source, BLANK_SOURCE);
        assert_eq!((hit.line, hit.secret_len, hit.secret.as_str()), (1, 0, ""));
        assert_eq!(report.tried, 1);
        assert_eq!(report.alg, alg);
    }
    // Even without the built-in list.
    let no_builtin = AuditOptions {
        builtin: false,
        ..opts()
    };
    let report = run_reader(&sign("HS256", b""), Vec::new(), &no_builtin);
    assert_eq!(found(&report).source, BLANK_SOURCE);
    assert_eq!(report.sources, vec![BLANK_SOURCE, "list.txt"]);
}

#[test]
fn every_alg_and_key_length_is_found() {
    let long: Vec<u8> = (0..200).map(|i| b'a' + (i % 26) as u8).collect();
    for alg in ["HS256", "HS384", "HS512"] {
        for len in [1, 63, 64, 65, 127, 128, 129, 200] {
            let secret = &long[..len];
            let mut list = b"alpha\nbeta\n".to_vec();
            list.extend_from_slice(&long[..len - 1]); // a near miss first
            list.push(b'\n');
            list.extend_from_slice(secret);
            list.extend_from_slice(b"\ngamma\n");
            let no_builtin = AuditOptions {
                builtin: false,
                ..opts()
            };
            let report = run_reader(&sign(alg, secret), list, &no_builtin);
            let hit = found(&report);
            assert_eq!(hit.line, 4, "{alg} key {len}");
            assert_eq!(hit.secret.as_bytes(), secret);
            assert_eq!(hit.source, "list.txt");
            assert_eq!(report.alg, alg);
        }
    }
}

#[test]
fn not_found_counts_every_candidate() {
    let list = b"one\ntwo\n\nthree".to_vec(); // an empty line and no final newline: 4 lines
    let report = run_reader(&sign("HS384", b"four"), list, &opts());
    assert_eq!(report.outcome, AuditOutcome::NotFound);
    let builtin = BUILTIN_LIST.lines().count() as u64;
    assert_eq!(report.tried, 1 + builtin + 4);
    assert_eq!(
        report.sources,
        vec![BLANK_SOURCE, BUILTIN_SOURCE, "list.txt"]
    );
}

#[test]
fn lines_are_raw_bytes_without_their_line_end() {
    let no_builtin = AuditOptions {
        builtin: false,
        ..opts()
    };
    let list = b"a\r\nb\xff\xfe\r\nc\n".to_vec();
    let report = run_reader(&sign("HS256", b"b\xff\xfe"), list.clone(), &no_builtin);
    let hit = found(&report);
    assert_eq!((hit.line, hit.secret_len), (2, 3));
    assert_eq!(hit.secret, "b\u{fffd}\u{fffd}");
    // Only the line end goes: spaces and a lone \r stay.
    let report = run_reader(
        &sign("HS256", b" c\r"),
        b"c\n c\n c\r\r\n".to_vec(),
        &no_builtin,
    );
    assert_eq!(found(&report).line, 3);
    let report = run_reader(&sign("HS256", b"c"), b" c \n".to_vec(), &no_builtin);
    assert_eq!(report.outcome, AuditOutcome::NotFound);
    // The last line without a newline.
    let report = run_reader(&sign("HS256", b"last"), b"x\ny\nlast".to_vec(), &no_builtin);
    assert_eq!(found(&report).line, 3);
}

#[test]
fn a_line_longer_than_a_batch_is_still_one_candidate() {
    let secret = vec![b'q'; 300 * 1024];
    let mut list = b"x\n".repeat(10_000);
    list.extend_from_slice(&secret);
    list.extend_from_slice(b"\ny\n");
    let report = run_reader(&sign("HS256", &secret), list, &opts());
    let hit = found(&report);
    assert_eq!((hit.line, hit.secret_len), (10_001, secret.len()));
}

#[test]
fn a_huge_line_is_refused() {
    let list = vec![b'z'; MAX_LINE_LEN + 2];
    let cancel = AtomicBool::new(false);
    let err = audit_reader(
        &sign("HS256", b"not-in-any-list-7f3"),
        Cursor::new(list),
        "zeros",
        &opts(),
        &cancel,
        &no_progress,
    )
    .unwrap_err();
    assert!(
        matches!(err, WeakSecretError::LineTooLong { line: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("zeros"), "{err}");
    // The same after other lines, with a newline after it, or endless.
    let mut list = b"a\nb\n".to_vec();
    list.extend(std::iter::repeat_n(b'z', MAX_LINE_LEN + 1));
    for tail in [&b""[..], b"\nc\n"] {
        let mut list = list.clone();
        list.extend_from_slice(tail);
        let err = audit_reader(
            &sign("HS256", b"not-in-any-list-7f3"),
            Cursor::new(list),
            "zeros",
            &opts(),
            &cancel,
            &no_progress,
        )
        .unwrap_err();
        assert!(
            matches!(err, WeakSecretError::LineTooLong { line: 3, .. }),
            "{err}"
        );
    }
    let err = audit_reader(
        &sign("HS256", b"not-in-any-list-7f3"),
        BufReader::new(std::io::repeat(b'z')),
        "/dev/zero",
        &opts(),
        &cancel,
        &no_progress,
    )
    .unwrap_err();
    assert!(
        matches!(err, WeakSecretError::LineTooLong { line: 1, .. }),
        "{err}"
    );
    // Exactly the limit is still a candidate.
    let mut list = vec![b'z'; MAX_LINE_LEN];
    list.push(b'\n');
    let report = run_reader(&sign("HS256", b"not-in-any-list-7f3"), list, &opts());
    assert_eq!(report.outcome, AuditOutcome::NotFound);
}

#[test]
fn planted_secret_in_a_million_line_wordlist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("words.txt");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    const PLANTED: u64 = 777_777;
    for i in 1..=1_000_000u64 {
        if i == PLANTED {
            out.write_all(b"hunter2-planted\n").unwrap();
        } else {
            writeln!(out, "w{i:07}x").unwrap();
        }
    }
    out.into_inner().unwrap().sync_all().unwrap();
    let size = std::fs::metadata(&path).unwrap().len();

    let token = sign("HS256", b"hunter2-planted");
    let o = AuditOptions {
        wordlists: vec![path.clone()],
        ..opts()
    };
    let cancel = AtomicBool::new(false);
    let seen = Mutex::new(Vec::new());
    let progress = |p: &AuditProgress| seen.lock().unwrap().push(p.clone());
    let report = audit(&token, &o, &cancel, &progress).unwrap();
    let hit = found(&report);
    assert_eq!(hit.line, PLANTED);
    assert_eq!(hit.source, path.display().to_string());
    assert_eq!(hit.secret, "hunter2-planted");
    let builtin = BUILTIN_LIST.lines().count() as u64;
    assert!(report.tried > 1 + builtin + PLANTED / 2, "{report:?}");
    for p in seen.lock().unwrap().iter() {
        assert_eq!(p.bytes_total, Some(size));
        assert!(p.bytes_done <= size);
    }

    // The same list after another: lines count per source.
    let first = dir.path().join("first.txt");
    std::fs::write(&first, b"a\nb\n").unwrap();
    let o = AuditOptions {
        wordlists: vec![first.clone(), path.clone()],
        builtin: false,
        threads: 1,
        ..opts()
    };
    let token = sign("HS256", &format!("w{:07}x", 1234).into_bytes());
    let report = audit(&token, &o, &cancel, &no_progress).unwrap();
    let hit = found(&report);
    assert_eq!(
        (hit.line, hit.source.as_str()),
        (1234, path.display().to_string().as_str())
    );
    assert_eq!(report.tried, 1 + 2 + 1234);
    assert_eq!(report.sources.len(), 3);
}

#[test]
fn an_endless_stream_times_out() {
    let limit = Duration::from_millis(300);
    let o = AuditOptions {
        time_limit: Some(limit),
        ..opts()
    };
    let cancel = AtomicBool::new(false);
    let t = Instant::now();
    let report = audit_reader(
        &sign("HS256", b"absent from the stream"),
        Endless::new(),
        "endless",
        &o,
        &cancel,
        &no_progress,
    )
    .unwrap();
    let took = t.elapsed();
    assert_eq!(report.outcome, AuditOutcome::TimedOut, "{report:?}");
    assert!(took >= limit, "{took:?}");
    assert!(took < limit + Duration::from_millis(1500), "{took:?}");
    assert!(report.tried > 1000, "{report:?}");
    assert!(report.per_sec > 0.0);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["outcome"]["type"], "timed-out");
}

#[test]
fn cancel_from_another_thread() {
    let cancel = AtomicBool::new(false);
    let t = Instant::now();
    let report = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(150));
            cancel.store(true, Ordering::SeqCst);
        });
        audit_reader(
            &sign("HS512", b"absent"),
            Endless::new(),
            "endless",
            &opts(),
            &cancel,
            &no_progress,
        )
        .unwrap()
    });
    let took = t.elapsed();
    assert_eq!(report.outcome, AuditOutcome::Cancelled, "{report:?}");
    assert!(took < Duration::from_millis(1500), "{took:?}");
    assert!(report.tried > 0);
    // Already cancelled: nothing is tried.
    let report = run_cancelled();
    assert_eq!((report.outcome, report.tried), (AuditOutcome::Cancelled, 0));
}

fn run_cancelled() -> AuditReport {
    let cancel = AtomicBool::new(true);
    audit_reader(
        &sign("HS256", b""),
        Cursor::new(Vec::new()),
        "x",
        &opts(),
        &cancel,
        &no_progress,
    )
    .unwrap()
}

#[test]
fn progress_reports_growing_counts() {
    let o = AuditOptions {
        time_limit: Some(Duration::from_millis(700)),
        threads: 2,
        ..opts()
    };
    let cancel = AtomicBool::new(false);
    let seen = Mutex::new(Vec::new());
    let progress = |p: &AuditProgress| seen.lock().unwrap().push(p.clone());
    let report = audit_reader(
        &sign("HS256", b"absent"),
        Endless::new(),
        "endless",
        &o,
        &cancel,
        &progress,
    )
    .unwrap();
    assert_eq!(report.outcome, AuditOutcome::TimedOut);
    let seen = seen.into_inner().unwrap();
    assert!(seen.len() >= 3, "{} reports", seen.len());
    assert!(
        seen.windows(2)
            .all(|w| w[0].tried <= w[1].tried && w[0].elapsed_ms <= w[1].elapsed_ms)
    );
    assert!(seen.last().unwrap().tried > seen[0].tried, "{seen:?}");
    assert!(
        seen.iter()
            .all(|p| p.source == "endless" && p.bytes_total.is_none())
    );
    assert!(seen.last().unwrap().tried <= report.tried);
}

#[test]
fn non_hmac_tokens_are_refused_by_name() {
    for alg in ["RS256", "ES256", "EdDSA", "PS512", "none"] {
        let token = format!(
            "{}.{}.{}",
            b64(format!(r#"{{"alg":"{alg}"}}"#).as_bytes()),
            b64(b"{}"),
            b64(&[1; 64])
        );
        let err = audit(&token, &opts(), &AtomicBool::new(false), &no_progress).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{alg} is not an HMAC algorithm: there is no shared secret to guess")
        );
        assert_eq!(err.code(), "weak-secret.not-hmac");
        assert!(audit_builtin(&token).is_none());
    }
    // The alg is escaped and bounded in the message.
    let token = format!(
        "{}.e30.",
        b64(format!(r#"{{"alg":"\u001b[31m{}"}}"#, "x".repeat(100)).as_bytes())
    );
    let msg = audit(&token, &opts(), &AtomicBool::new(false), &no_progress)
        .unwrap_err()
        .to_string();
    assert!(!msg.contains('\x1b') && msg.len() < 200, "{msg}");
}

#[test]
fn malformed_tokens_are_errors_not_panics() {
    let header = b64(br#"{"alg":"HS256"}"#);
    let sig = b64(&[0; 32]);
    let huge = "A".repeat(1024 * 1024);
    let cases = [
        String::new(),
        "not a token".to_string(),
        format!("{header}.e30"),
        format!("{header}.e30.{sig}.x.y"),
        format!("{header}.e30.{sig}.x"),
        format!("{header}.e30.!!!not-base64!!!"),
        format!("!!!.e30.{sig}"),
        format!("{}.e30.{sig}", b64(b"not json")),
        format!("{}.e30.{sig}", b64(b"[1,2]")),
        format!("{}.e30.{sig}", b64(br#"{"typ":"JWT"}"#)),
        format!("{}.e30.{sig}", b64(br#"{"alg":256}"#)),
        format!("{header}.{huge}.{sig}"),
        format!("{huge}.e30.{sig}"),
        format!("{header}.e30.{}", b64(&[0; 31])),
        format!("{header}.e30."),
        format!("{}.e30.{sig}", b64(br#"{"alg":"HS512"}"#)),
    ];
    for token in &cases {
        let err = audit(token, &opts(), &AtomicBool::new(false), &no_progress).unwrap_err();
        assert!(!err.to_string().is_empty());
        assert!(audit_builtin(token).is_none());
    }
    let err = audit(&cases[11], &opts(), &AtomicBool::new(false), &no_progress).unwrap_err();
    assert!(err.to_string().contains("over the 64 KiB"), "{err}");
    let err = audit(&cases[2], &opts(), &AtomicBool::new(false), &no_progress).unwrap_err();
    assert_eq!(
        err.to_string(),
        "not a JWT: a JWT has 3 dot-separated segments, this has 2"
    );
    let err = audit(&cases[13], &opts(), &AtomicBool::new(false), &no_progress).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the signature is 31 bytes, but HS256 signatures are 32 bytes"
    );
    let err = audit(&cases[15], &opts(), &AtomicBool::new(false), &no_progress).unwrap_err();
    assert!(matches!(
        err,
        WeakSecretError::SignatureLength {
            expected: 64,
            got: 32,
            ..
        }
    ));
    let err = audit(&cases[5], &opts(), &AtomicBool::new(false), &no_progress).unwrap_err();
    assert_eq!(err.code(), "weak-secret.not-a-jwt");
}

#[test]
fn an_unreadable_wordlist_names_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-list.txt");
    let o = AuditOptions {
        wordlists: vec![missing.clone()],
        ..opts()
    };
    let err = audit(
        &sign("HS256", b"not-in-any-list-7f3"),
        &o,
        &AtomicBool::new(false),
        &no_progress,
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(&missing.display().to_string()), "{msg}");
    assert!(msg.contains("No such file"), "{msg}");
    assert_eq!(err.code(), "weak-secret.wordlist");
    // A directory is not a wordlist either.
    let o = AuditOptions {
        wordlists: vec![dir.path().to_path_buf()],
        ..opts()
    };
    let err = audit(
        &sign("HS256", b"not-in-any-list-7f3"),
        &o,
        &AtomicBool::new(false),
        &no_progress,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains(&dir.path().display().to_string()),
        "{err}"
    );
}

#[test]
fn a_read_error_midway_is_reported() {
    struct Failing(u32);
    impl Read for Failing {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            self.0 += 1;
            if self.0 > 3 {
                return Err(std::io::Error::other("disk on fire"));
            }
            let n = out.len().min(1000);
            out[..n].fill(b'\n');
            Ok(n)
        }
    }
    let err = audit_reader(
        &sign("HS256", b"not-in-any-list-7f3"),
        BufReader::new(Failing(0)),
        "flaky",
        &opts(),
        &AtomicBool::new(false),
        &no_progress,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot read the wordlist flaky: disk on fire"
    );
}

#[test]
fn serde_shapes() {
    let o = AuditOptions {
        wordlists: vec!["a.txt".into()],
        builtin: false,
        time_limit: Some(Duration::from_millis(1500)),
        threads: 3,
    };
    let v = serde_json::to_value(&o).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"wordlists": ["a.txt"], "builtin": false, "time_limit_ms": 1500, "threads": 3})
    );
    assert_eq!(serde_json::from_value::<AuditOptions>(v).unwrap(), o);
    let report = run_reader(&sign("HS256", b"secret"), Vec::new(), &opts());
    let v = serde_json::to_value(&report).unwrap();
    assert_eq!(v["outcome"]["type"], "found");
    assert_eq!(v["outcome"]["secret"], "secret");
    assert_eq!(v["outcome"]["secret_len"], 6);
    assert_eq!(v["outcome"]["source"], BUILTIN_SOURCE);
    assert_eq!(v["outcome"]["line"], 1);
    assert_eq!(v["alg"], "HS256");
    assert_eq!(serde_json::from_value::<AuditReport>(v).unwrap(), report);
    assert_eq!(
        serde_json::to_value(AuditOutcome::NotFound).unwrap(),
        serde_json::json!({"type": "not-found"})
    );
}
