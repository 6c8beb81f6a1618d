//! JWT in depth against the lab: verification with every key source and signing mode, key rotation, the
//! active token checks (each flips exactly with its lab flaw), the weak-secret audit in a run, and hostile
//! tokens. Labs run concurrently; every run is seconds long.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use authlens_core::flow::{self, RunOptions, Scenario};
use authlens_core::model::{Measurement, Purpose, Run, RunStatus, SignatureVerdict, Status};
use authlens_core::profile::{Profile, UrlRef};
use authlens_core::tokens::jwks_cache::JwksCache;
use authlens_lab::{Flaw, LabConfig, LabHandle, Mode, Signing};
use support::*;

const ACTIVE: &[&str] = &[
    "jwt.signature-checked",
    "jwt.alg-none",
    "jwt.key-confusion",
    "jwt.psychic",
    "jwt.header-keys",
    "jwt.audience",
];

async fn lab(signing: Signing, flaws: &[Flaw], secret: Option<&str>) -> LabHandle {
    let mut cfg = LabConfig::new(Mode::Jwt);
    cfg.flaws = flaws.iter().copied().collect();
    cfg.http_port = Some(0);
    cfg.https_port = 0;
    cfg.tls_dir = tls_dir();
    cfg.signing = signing;
    cfg.jwt_secret = secret.map(str::to_string);
    authlens_lab::start(cfg).await.expect("lab starts")
}

fn profile() -> Profile {
    Profile::load(&profile_path(Mode::Jwt)).expect("bundled profile parses")
}

async fn run_with(lab: &LabHandle, profile: &Profile, tweak: impl FnOnce(&mut RunOptions)) -> Run {
    let mut opts = lab_options(lab);
    tweak(&mut opts);
    let run = flow::run(profile, opts).await.expect("run starts");
    assert_eq!(run.status, RunStatus::Completed, "{:?}", run.error);
    run
}

/// The worst status of the attack results feeding each active check (the passive halves are judged
/// elsewhere).
fn attack_verdicts(run: &Run) -> BTreeMap<String, Status> {
    let rank = |s: Status| match s {
        Status::Pass => 1,
        Status::Info => 0,
        Status::NotTested => 0,
        Status::Warn => 2,
        Status::Fail => 3,
    };
    let mut out: BTreeMap<String, Status> = BTreeMap::new();
    for r in run.results.iter().filter(|r| r.scenario == "jwt-attacks") {
        let Some(id) = &r.check_id else { continue };
        let slot = out.entry(id.clone()).or_insert(Status::NotTested);
        if rank(r.status) > rank(*slot) {
            *slot = r.status;
        }
    }
    out
}

fn describe(run: &Run) -> String {
    run.results
        .iter()
        .map(|r| format!("{} {:?}: {}", r.subject, r.status, r.summary))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_active_check_flips_exactly_with_its_flaw() {
    const SECRET: &str = "a-long-lab-secret-nobody-guesses-0f3a9c";
    // (signing, flaw, the active checks that must fail)
    let cases: Vec<(Signing, Option<Flaw>, Vec<&str>)> = vec![
        (Signing::Hs256, None, vec![]),
        (Signing::Rs256, None, vec![]),
        (Signing::Es256, None, vec![]),
        (Signing::EdDsa, None, vec![]),
        (
            Signing::Hs256,
            Some(Flaw::SignatureNotVerified),
            vec!["jwt.signature-checked"],
        ),
        (
            Signing::Hs256,
            Some(Flaw::AlgNoneAccepted),
            vec!["jwt.alg-none"],
        ),
        (
            Signing::Rs256,
            Some(Flaw::KeyConfusion),
            vec!["jwt.key-confusion"],
        ),
        (
            Signing::Es256,
            Some(Flaw::PsychicSignature),
            vec!["jwt.psychic"],
        ),
        (
            Signing::Hs256,
            Some(Flaw::HeaderKeysTrusted),
            vec!["jwt.header-keys"],
        ),
        (
            Signing::Rs256,
            Some(Flaw::HeaderKeysTrusted),
            vec!["jwt.header-keys"],
        ),
        (Signing::Hs256, Some(Flaw::NoAudCheck), vec!["jwt.audience"]),
    ];
    let profile = profile();
    let runs = futures_util::future::join_all(cases.iter().map(|(signing, flaw, _)| {
        let profile = profile.clone();
        async move {
            let secret = (*signing == Signing::Hs256).then_some(SECRET);
            let lab = lab(*signing, flaw.as_slice(), secret).await;
            let run = run_with(&lab, &profile, |o| o.scenarios = vec![Scenario::JwtAttacks]).await;
            lab.shutdown().await;
            run
        }
    }))
    .await;
    for ((signing, flaw, failing), run) in cases.iter().zip(&runs) {
        let verdicts = attack_verdicts(run);
        let findings = statuses(run);
        for id in ACTIVE {
            // Key confusion needs a public key: HS256 labs publish none, so it is not tested there.
            // The audience forgery needs the HMAC secret: only HS256 labs.
            let expected = if failing.contains(id) {
                Status::Fail
            } else if (*id == "jwt.key-confusion" && *signing == Signing::Hs256)
                || (*id == "jwt.audience" && *signing != Signing::Hs256)
            {
                Status::NotTested
            } else {
                Status::Pass
            };
            let got = verdicts.get(*id).copied().unwrap_or(Status::NotTested);
            assert_eq!(
                got,
                expected,
                "{signing:?} {flaw:?}: {id}\n{}",
                describe(run)
            );
            if expected == Status::Fail {
                assert_eq!(
                    findings[*id],
                    Status::Fail,
                    "{signing:?} {flaw:?}: finding {id}"
                );
            }
        }
        // Every forged token was one request to the probe; the forged value is kept redacted.
        let access = run
            .credentials
            .iter()
            .find(|c| c.name == "access")
            .expect("access token");
        let payload = access.value.split('.').nth(1).expect("payload segment");
        for r in run.results.iter().filter(|r| r.scenario == "jwt-attacks") {
            if let Measurement::Forgery {
                token,
                exchange_id: Some(ex),
                ..
            } = &r.measurement
            {
                assert!(
                    !token.is_empty() && !token.contains(payload),
                    "not redacted: {token}"
                );
                let ex = run.exchange(*ex).expect("exchange");
                assert_eq!(ex.purpose, Purpose::ForgedToken);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_with_every_key_source_and_signing_mode() {
    let dir = tempfile::tempdir().unwrap();
    // OIDC discovery (the bundled profile) for each asymmetric mode.
    for signing in [Signing::Rs256, Signing::Es256, Signing::EdDsa] {
        let lab = lab(signing, &[], None).await;
        let run = run_with(&lab, &profile(), |_| {}).await;
        let access: Vec<_> = run
            .credentials
            .iter()
            .filter(|c| c.name == "access")
            .collect();
        assert!(!access.is_empty());
        for c in &access {
            let v = c.verification.as_ref().expect("verified");
            assert_eq!(
                v.signature,
                SignatureVerdict::Verified,
                "{signing:?}: {}",
                v.detail
            );
            assert_eq!(
                v.key.as_deref(),
                Some(format!("kid {}", lab.current_kid()).as_str())
            );
            let iss = v.claims.iter().find(|c| c.claim == "iss").unwrap();
            assert_eq!(iss.status, Status::Pass, "{}", iss.detail);
            let aud = v.claims.iter().find(|c| c.claim == "aud").unwrap();
            assert_eq!(aud.status, Status::Pass, "{}", aud.detail);
        }
        assert_eq!(statuses(&run)["jwt.verification"], Status::Pass);
        assert!(run.exchanges.iter().any(|e| e.purpose == Purpose::KeyFetch));

        // The same key as a PEM file, then the fetched JWKS as a file: no fetch at all.
        let pem = dir.path().join(format!("{signing:?}.pem"));
        std::fs::write(&pem, lab.public_key_pem().expect("public key")).unwrap();
        let jwks_body = run
            .exchanges
            .iter()
            .filter(|e| e.purpose == Purpose::KeyFetch)
            .filter_map(|e| e.final_response()?.body.text.clone())
            .find(|t| t.contains("\"keys\""))
            .expect("the JWKS was fetched");
        let jwks = dir.path().join(format!("{signing:?}.jwks.json"));
        std::fs::write(&jwks, jwks_body).unwrap();
        for (what, set) in [("pem", pem.clone()), ("jwks", jwks.clone())] {
            let mut p = profile();
            p.jwt.oidc_issuer = None;
            if what == "pem" {
                p.jwt.public_key = Some(set);
            } else {
                p.jwt.jwks_file = Some(set);
            }
            let run = run_with(&lab, &p, |_| {}).await;
            assert!(
                !run.exchanges.iter().any(|e| e.purpose == Purpose::KeyFetch),
                "{what}"
            );
            let c = run.credentials.iter().find(|c| c.name == "access").unwrap();
            let v = c.verification.as_ref().unwrap();
            assert_eq!(
                v.signature,
                SignatureVerdict::Verified,
                "{signing:?} via {what}: {}",
                v.detail
            );
        }
        lab.shutdown().await;
    }

    // HS256: the right secret verifies, a wrong one flips the verdict.
    let hs = lab(Signing::Hs256, &[], Some("right-secret-for-this-test-1234")).await;
    let run = run_with(&hs, &profile(), |_| {}).await;
    assert_eq!(
        statuses(&run)["jwt.verification"],
        Status::Pass,
        "{:#?}",
        run.jwt_keys
    );
    let run = run_with(&hs, &profile(), |o| {
        o.jwt_secret = Some("wrong-secret".into())
    })
    .await;
    assert_eq!(statuses(&run)["jwt.verification"], Status::Fail);
    let c = run.credentials.iter().find(|c| c.name == "access").unwrap();
    assert_eq!(
        c.verification.as_ref().unwrap().signature,
        SignatureVerdict::Invalid
    );
    // A JWKS URL that is not there: a named problem, not a failed run.
    let mut p = profile();
    p.jwt.oidc_issuer = None;
    p.jwt.jwks_url = Some(UrlRef::Path("/no/such/jwks.json".into()));
    let run = run_with(&hs, &p, |o| o.jwt_secret = None).await;
    let src = run.jwt_keys.iter().find(|k| k.kind == "jwks-url").unwrap();
    assert!(
        src.problems.iter().any(|p| p.contains("HTTP 404")),
        "{src:?}"
    );
    hs.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_rotation_shows_between_runs() {
    let dir = tempfile::tempdir().unwrap();
    let cache = JwksCache::new(dir.path().join("jwks-cache.json"));
    let lab = lab(Signing::Rs256, &[], None).await;
    let first_kid = lab.current_kid();
    let run = run_with(&lab, &profile(), |o| o.jwks_cache = Some(cache.clone())).await;
    let src = run.jwt_keys.iter().find(|k| k.kind == "oidc").unwrap();
    assert!(!src.from_cache && src.rotation.is_none(), "{src:?}");
    // Cached now: the next run does not fetch the key set again.
    let run = run_with(&lab, &profile(), |o| o.jwks_cache = Some(cache.clone())).await;
    let src = run.jwt_keys.iter().find(|k| k.kind == "oidc").unwrap();
    assert!(src.from_cache, "{src:?}");

    let new_kid = lab.rotate_keys().await.expect("rotates");
    assert_ne!(new_kid, first_kid);
    // The cache is fresh but the new token names a kid it lacks: refetched, and the rotation is shown.
    let run = run_with(&lab, &profile(), |o| o.jwks_cache = Some(cache.clone())).await;
    let src = run.jwt_keys.iter().find(|k| k.kind == "oidc").unwrap();
    let rotation = src.rotation.as_ref().expect("rotation seen");
    assert_eq!(rotation.added, vec![new_kid.clone()], "{src:?}");
    let c = run.credentials.iter().find(|c| c.name == "access").unwrap();
    let v = c.verification.as_ref().unwrap();
    assert_eq!(
        (v.signature, v.key.clone()),
        (SignatureVerdict::Verified, Some(format!("kid {new_kid}")))
    );
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_secret_found_in_a_run_only_with_the_flaw() {
    let safe = lab(Signing::Hs256, &[], None).await;
    let weak = lab(Signing::Hs256, &[Flaw::WeakSecret], None).await;
    let profile = profile();
    let safe_run = run_with(&safe, &profile, |o| o.jwt_secret = None).await;
    let weak_run = run_with(&weak, &profile, |o| o.jwt_secret = None).await;
    assert_eq!(statuses(&safe_run)["jwt.weak-secret"], Status::Pass);
    assert_eq!(statuses(&weak_run)["jwt.weak-secret"], Status::Fail);
    let r = weak_run
        .results
        .iter()
        .find(|r| r.scenario == "weak-secret" && r.status == Status::Fail)
        .unwrap();
    match &r.measurement {
        Measurement::WeakSecret {
            outcome,
            found_in,
            secret,
            ..
        } => {
            assert_eq!(outcome, "found");
            assert_eq!(found_in.as_deref(), Some("built-in list"));
            // Shortened: never the whole secret in a stored run.
            assert!(
                secret
                    .as_deref()
                    .is_some_and(|s| !s.contains("your-256-bit-secret")),
                "{secret:?}"
            );
        }
        m => panic!("{m:?}"),
    }
    assert!(!r.summary.contains("your-256-bit-secret"), "{}", r.summary);
    // The secret found verifies the run's tokens.
    let c = weak_run
        .credentials
        .iter()
        .find(|c| c.name == "access")
        .unwrap();
    let v = c
        .verification
        .as_ref()
        .expect("verified with the found secret");
    assert_eq!(v.signature, SignatureVerdict::Verified, "{}", v.detail);
    safe.shutdown().await;
    weak.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wordlist_given_to_the_run_is_searched() {
    let secret = "zebra-umbrella-9173";
    let lab = lab(Signing::Hs256, &[], Some(secret)).await;
    let dir = tempfile::tempdir().unwrap();
    let list: PathBuf = dir.path().join("words.txt");
    let mut words: String = (0..50_000).map(|i| format!("candidate-{i}\n")).collect();
    words.push_str(secret);
    words.push('\n');
    std::fs::write(&list, words).unwrap();
    let run = run_with(&lab, &profile(), |o| {
        o.jwt_secret = None;
        o.jwt_wordlists = vec![list.clone()];
    })
    .await;
    let r = run
        .results
        .iter()
        .find(|r| r.scenario == "weak-secret")
        .unwrap();
    match &r.measurement {
        Measurement::WeakSecret { outcome, line, .. } => {
            assert_eq!(
                (outcome.as_str(), *line),
                ("found", Some(50_001)),
                "{}",
                r.summary
            );
        }
        m => panic!("{m:?}"),
    }
    lab.shutdown().await;
}
