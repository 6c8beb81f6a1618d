//! The proof that the checklist tells the truth: each lab mode with safe defaults gives the expected
//! verdicts, and each flaw switch changes exactly the checks it breaks, leaving every other verdict as it was.

mod support;

use std::collections::BTreeMap;

use authlens_core::model::{RunStatus, Status};
use authlens_lab::{Flaw, Mode};
use support::*;

use Status::{Fail, NotTested as Skip, Pass, Warn};

/// Verdicts with safe defaults, per mode. Written from what each mode does, not copied from output.
fn baseline(mode: Mode) -> BTreeMap<&'static str, Status> {
    let common = [
        ("session.in-url", Pass),
        ("transport.https", Pass),
        ("transport.hsts", Pass),
        ("cache.no-store", Pass),
    ];
    let cookies_ok = [
        ("cookie.httponly", Pass),
        ("cookie.secure", Pass),
        ("cookie.samesite", Pass),
        ("cookie.prefix", Pass),
        ("cookie.domain", Pass),
        ("cookie.size", Pass),
        ("cookie.lifetime", Pass),
    ];
    let refresh_ok = [
        ("refresh.rotation", Pass),
        ("refresh.reuse", Pass),
        ("refresh.logout", Pass),
    ];
    let mut m: BTreeMap<&'static str, Status> = common.into_iter().collect();
    match mode {
        Mode::Session => {
            m.extend(cookies_ok);
            m.extend([
                ("storage.js-readable", Pass),
                ("jwt.exp", Skip),
                ("jwt.sensitive-claims", Skip),
                ("jwt.weak-secret", Skip),
                ("jwt.verification", Skip),
                ("session.fixation", Pass),
                ("session.logout", Pass),
                ("refresh.rotation", Skip),
                ("refresh.reuse", Skip),
                ("refresh.logout", Skip),
            ]);
        }
        Mode::Jwt => {
            m.extend([
                ("cookie.httponly", Skip),
                ("cookie.secure", Skip),
                ("cookie.samesite", Skip),
                ("cookie.prefix", Skip),
                ("cookie.domain", Skip),
                ("cookie.size", Skip),
                ("cookie.lifetime", Skip),
                // Both tokens arrive in JSON bodies, so script can read them.
                ("storage.js-readable", Warn),
                ("jwt.exp", Pass),
                ("jwt.sensitive-claims", Pass),
                ("jwt.weak-secret", Pass),
                ("jwt.verification", Pass),
                ("jwt.audience", Pass),
                ("jwt.header-keys", Skip),
                ("session.fixation", Skip),
                // The stateless access token outlives logout by its short lifetime: the revocation gap.
                ("session.logout", Warn),
            ]);
            m.extend(refresh_ok);
        }
        Mode::Hybrid => {
            m.extend(cookies_ok);
            m.extend([
                ("storage.js-readable", Warn),
                ("jwt.exp", Pass),
                ("jwt.sensitive-claims", Pass),
                ("jwt.weak-secret", Pass),
                ("jwt.verification", Pass),
                ("jwt.audience", Pass),
                ("jwt.header-keys", Skip),
                ("session.fixation", Skip),
                ("session.logout", Warn),
            ]);
            m.extend(refresh_ok);
        }
    }
    m
}

/// What each flaw changes, per mode: check → new verdict. Everything else must keep its baseline verdict.
fn changes(mode: Mode, flaw: Flaw) -> Vec<(&'static str, Status)> {
    match flaw {
        Flaw::NoHttponly => vec![("cookie.httponly", Fail)],
        // Without Secure the __Host-/__Secure- prefix must go too, so the prefix advice appears.
        Flaw::NoSecure => vec![("cookie.secure", Fail), ("cookie.prefix", Warn)],
        Flaw::SamesiteNone => vec![("cookie.samesite", Fail)],
        Flaw::NoSamesite => vec![("cookie.samesite", Warn)],
        Flaw::Fixation => vec![("session.fixation", Fail)],
        Flaw::LogoutKeepsSession => match mode {
            Mode::Session => vec![("session.logout", Fail)],
            _ => vec![("session.logout", Fail), ("refresh.logout", Fail)],
        },
        // Nothing rotates, so there is no old token to replay.
        Flaw::NoRotation => vec![("refresh.rotation", Fail), ("refresh.reuse", Skip)],
        Flaw::NoReuseDetection => vec![("refresh.reuse", Fail)],
        Flaw::LongLived => match mode {
            Mode::Session => vec![("cookie.lifetime", Fail)],
            // A 30-day access token that survives logout is no longer a tolerable gap.
            Mode::Jwt => vec![("jwt.exp", Fail), ("session.logout", Fail)],
            Mode::Hybrid => vec![
                ("jwt.exp", Fail),
                ("session.logout", Fail),
                ("cookie.lifetime", Fail),
            ],
        },
        Flaw::NoStoreMissing => vec![("cache.no-store", Fail)],
        Flaw::TokenInUrl => vec![("session.in-url", Fail)],
        // The lifecycle's replay right after logout lands inside the revocation delay; so does the
        // rotation scenario's reuse revocation.
        Flaw::SlowRevocation => match mode {
            Mode::Session => vec![("session.logout", Fail)],
            _ => vec![
                ("session.logout", Fail),
                ("refresh.logout", Fail),
                ("refresh.reuse", Fail),
            ],
        },
        // These show only in the scenarios that measure them (expiry, idle, entropy, rate-limit, replicas):
        // tests/scenarios.rs flips each there. Under lifecycle and rotation nothing may change.
        Flaw::NoExpiryCheck
        | Flaw::NoIdleTimeout
        | Flaw::WeakSessionId
        | Flaw::NoRateLimit
        | Flaw::PerReplicaStore => vec![],
        // The offline audit after every run finds the lab's secret in the built-in list.
        Flaw::WeakSecret => vec![("jwt.weak-secret", Fail)],
        // Access-JWT verification flaws: the lifecycle only presents genuine tokens, so nothing
        // changes here; the jwt-attacks scenario catches them (tests/jwt.rs).
        Flaw::AlgNoneAccepted
        | Flaw::SignatureNotVerified
        | Flaw::KeyConfusion
        | Flaw::NoAudCheck
        | Flaw::PsychicSignature
        | Flaw::HeaderKeysTrusted => vec![],
    }
}

fn diff(expected: &BTreeMap<&str, Status>, run: &authlens_core::model::Run) -> Vec<String> {
    let got = statuses(run);
    let mut problems = Vec::new();
    for (id, want) in expected {
        match got.get(*id) {
            Some(s) if s == want => {}
            Some(s) => {
                let summary = run
                    .findings
                    .iter()
                    .find(|f| f.check_id == *id)
                    .map(|f| f.summary.as_str())
                    .unwrap_or("");
                problems.push(format!("{id}: expected {want:?}, got {s:?} ({summary})"));
            }
            None => problems.push(format!("{id}: missing from the checklist")),
        }
    }
    problems
}

async fn assert_mode(mode: Mode) {
    let run = run_lab(mode, &[]).await;
    assert_eq!(
        run.status,
        RunStatus::Completed,
        "{mode} safe run: {:?}",
        run.error
    );
    let base = baseline(mode);
    let problems = diff(&base, &run);
    assert!(
        problems.is_empty(),
        "{mode} mode, safe defaults:\n{}",
        problems.join("\n")
    );

    // per-replica-store needs several replicas: tests/scenarios.rs runs it.
    let applicable: Vec<Flaw> = Flaw::ALL
        .iter()
        .copied()
        .filter(|f| f.applies_to(mode) && *f != Flaw::PerReplicaStore)
        .collect();
    let runs = futures_util::future::join_all(
        applicable
            .iter()
            .map(|f| run_lab(mode, std::slice::from_ref(f))),
    )
    .await;
    let mut all = Vec::new();
    for (flaw, run) in applicable.iter().zip(runs) {
        assert_eq!(
            run.status,
            RunStatus::Completed,
            "{mode} + {flaw}: {:?}",
            run.error
        );
        let mut expected = base.clone();
        for (id, status) in changes(mode, *flaw) {
            assert_ne!(
                base.get(id),
                Some(&status),
                "matrix bug: {flaw} in {mode} 'changes' {id} to its baseline"
            );
            expected.insert(id, status);
        }
        for p in diff(&expected, &run) {
            all.push(format!("{mode} + {flaw}: {p}"));
        }
    }
    assert!(all.is_empty(), "flaw matrix:\n{}", all.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_mode_matrix() {
    assert_mode(Mode::Session).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_mode_matrix() {
    assert_mode(Mode::Jwt).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hybrid_mode_matrix() {
    assert_mode(Mode::Hybrid).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_mode_shows_the_revocation_gap_and_session_mode_none() {
    let jwt = run_lab(Mode::Jwt, &[]).await;
    let t = authlens_core::timeline::build(&jwt);
    let gaps: Vec<&str> = t
        .lanes
        .iter()
        .filter(|l| l.revocation_gap.is_some())
        .map(|l| l.label.as_str())
        .collect();
    assert!(
        gaps.iter().any(|l| l.starts_with("access")),
        "jwt lanes with a gap: {gaps:?}"
    );
    assert!(
        !gaps.iter().any(|l| l.starts_with("refresh")),
        "refresh tokens must be revoked at logout: {gaps:?}"
    );

    let session = run_lab(Mode::Session, &[]).await;
    let t = authlens_core::timeline::build(&session);
    assert!(
        t.lanes.iter().all(|l| l.revocation_gap.is_none()),
        "session mode revokes at logout"
    );
    assert!(
        t.lanes.iter().any(|l| l.label.starts_with("session #1")),
        "a lane for the session cookie"
    );
}
