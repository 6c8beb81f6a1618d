//! The measuring scenarios against the lab, safe and flawed: each verdict flips exactly with its flaw.
//! Lifetimes, delays and gaps are seconds long so the waits stay short; labs run concurrently.

mod support;

use authlens_core::flow::{self, Scenario, ScenarioSettings};
use authlens_core::model::{Measurement, Run, RunStatus, ScenarioResult, Status};
use authlens_core::profile::Profile;
use authlens_lab::{Flaw, LabConfig, LabHandle, Mode, StoreBackend};
use support::*;

async fn lab(mode: Mode, flaws: &[Flaw], shape: impl FnOnce(&mut LabConfig)) -> LabHandle {
    let mut cfg = LabConfig::new(mode);
    cfg.flaws = flaws.iter().copied().collect();
    cfg.http_port = Some(0);
    cfg.tls_dir = tls_dir();
    shape(&mut cfg);
    authlens_lab::start(cfg).await.expect("lab starts")
}

/// Run the bundled profile for `mode` with these scenarios (every lab instance after the first is a replica).
async fn run(
    lab: &LabHandle,
    scenarios: &[Scenario],
    settings: impl FnOnce(&mut ScenarioSettings),
) -> Run {
    let profile = Profile::load(&profile_path(lab.mode)).expect("bundled profile parses");
    let mut opts = lab_options(lab);
    opts.scenarios = scenarios.to_vec();
    let mut s = profile.scenarios.clone();
    settings(&mut s);
    opts.settings = Some(s);
    let run = flow::run(&profile, opts).await.expect("run starts");
    assert_eq!(
        run.status,
        RunStatus::Completed,
        "{} run: {:?}",
        lab.mode,
        run.error
    );
    run
}

fn results<'a>(run: &'a Run, scenario: &str) -> Vec<&'a ScenarioResult> {
    let r: Vec<&ScenarioResult> = run
        .results
        .iter()
        .filter(|r| r.scenario == scenario)
        .collect();
    assert!(!r.is_empty(), "no {scenario} result in {:#?}", run.results);
    r
}

fn finding(run: &Run, id: &str) -> Status {
    statuses(run)
        .get(id)
        .copied()
        .unwrap_or_else(|| panic!("no {id} finding"))
}

fn describe(rs: &[&ScenarioResult]) -> String {
    rs.iter()
        .map(|r| format!("{} {:?}: {}", r.subject, r.status, r.summary))
        .collect::<Vec<_>>()
        .join("\n")
}

fn subject<'a>(rs: &[&'a ScenarioResult], starts: &str) -> &'a ScenarioResult {
    rs.iter()
        .copied()
        .find(|r| r.subject.starts_with(starts))
        .unwrap_or_else(|| panic!("no result for {starts}:\n{}", describe(rs)))
}

// ---- expiry ------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_enforced_unless_no_expiry_check() {
    let short = |c: &mut LabConfig| {
        c.lifetimes.access_secs = 2;
        c.lifetimes.session_secs = 2;
    };
    let skew = |s: &mut ScenarioSettings| {
        s.expiry_skew_secs = 1;
        s.expiry_max_wait_secs = 30;
    };
    let (jwt_safe, jwt_flawed, session_safe, session_flawed) = tokio::join!(
        lab(Mode::Jwt, &[], short),
        lab(Mode::Jwt, &[Flaw::NoExpiryCheck], short),
        lab(Mode::Session, &[], short),
        lab(Mode::Session, &[Flaw::NoExpiryCheck], short),
    );
    let started = std::time::Instant::now();
    let (a, b, c, d) = tokio::join!(
        run(&jwt_safe, &[Scenario::Expiry], skew),
        run(&jwt_flawed, &[Scenario::Expiry], skew),
        run(&session_safe, &[Scenario::Expiry], skew),
        run(&session_flawed, &[Scenario::Expiry], skew),
    );
    // Waited on together: about one lifetime plus the skew, not one wait per credential and lab.
    assert!(
        started.elapsed().as_secs() < 12,
        "took {:?}",
        started.elapsed()
    );

    let access = subject(&results(&a, "expiry"), "access #1");
    assert_eq!(access.status, Status::Pass, "{}", access.summary);
    assert_eq!(finding(&a, "jwt.expiry-enforced"), Status::Pass);
    // The refresh family lives 8 hours: beyond the wait limit, said so.
    let refresh = subject(&results(&a, "expiry"), "refresh #1");
    assert_eq!(refresh.status, Status::NotTested);
    assert!(
        refresh.summary.contains("beyond the wait limit"),
        "{}",
        refresh.summary
    );

    let access = subject(&results(&b, "expiry"), "access #1");
    assert_eq!(access.status, Status::Fail, "{}", access.summary);
    assert_eq!(finding(&b, "jwt.expiry-enforced"), Status::Fail);
    let Measurement::Expiry {
        declared_expiry,
        replayed_at: Some(at),
        ..
    } = access.measurement
    else {
        panic!("expiry measurement: {:?}", access.measurement)
    };
    assert!(at >= declared_expiry + 1000, "replayed after exp + skew");

    let session = subject(&results(&c, "expiry"), "session #1");
    assert_eq!(session.status, Status::Pass, "{}", session.summary);
    assert_eq!(finding(&c, "session.timeout"), Status::Pass);
    assert_eq!(finding(&c, "jwt.expiry-enforced"), Status::NotTested);

    let session = subject(&results(&d, "expiry"), "session #1");
    assert_eq!(session.status, Status::Fail, "{}", session.summary);
    assert_eq!(finding(&d, "session.timeout"), Status::Fail);
    for l in [jwt_safe, jwt_flawed, session_safe, session_flawed] {
        l.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_wait_is_cancellable() {
    let lab = lab(Mode::Jwt, &[], |c| c.lifetimes.access_secs = 60).await;
    let profile = Profile::load(&profile_path(Mode::Jwt)).unwrap();
    let mut opts = lab_options(&lab);
    opts.scenarios = vec![Scenario::Expiry];
    let cancel = opts.cancel.clone();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    opts.events = authlens_core::events::EventSink::new(tx);
    let task = tokio::spawn(async move { flow::run(&profile, opts).await });
    // Cancel as soon as the countdown starts.
    let mut waited_for = Vec::new();
    while let Some(ev) = rx.recv().await {
        if let authlens_core::events::RunEvent::Waiting {
            until,
            credential_ids,
            ..
        } = ev
        {
            assert!(until > authlens_core::flow::now_ms() + 50_000);
            waited_for = credential_ids;
            cancel.cancel();
            break;
        }
    }
    let started = std::time::Instant::now();
    let run = task.await.unwrap().unwrap();
    assert!(started.elapsed().as_secs() < 5, "cancel ends the wait");
    assert_eq!(run.status, RunStatus::Cancelled);
    assert!(!waited_for.is_empty());
    lab.shutdown().await;
}

// ---- latency -----------------------------------------------------------------------------------------

fn latency_of(r: &ScenarioResult) -> (f64, f64) {
    match r.measurement {
        Measurement::Latency {
            latency_ms: Some(l),
            resolution_ms: Some(res),
            ..
        } => (l, res),
        ref m => panic!("{}: no latency in {m:?}", r.summary),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_is_immediate_unless_slow_revocation() {
    const DELAY_MS: u64 = 1500;
    let delay = |c: &mut LabConfig| c.revocation_delay_ms = DELAY_MS;
    let quick = |s: &mut ScenarioSettings| s.latency_deadline_secs = 5;
    let (session_safe, session_slow, jwt_slow) = tokio::join!(
        lab(Mode::Session, &[], delay),
        lab(Mode::Session, &[Flaw::SlowRevocation], delay),
        lab(Mode::Jwt, &[Flaw::SlowRevocation], delay),
    );
    let (a, b, c) = tokio::join!(
        run(&session_safe, &[Scenario::Latency], quick),
        run(&session_slow, &[Scenario::Latency], quick),
        run(&jwt_slow, &[Scenario::Latency], quick),
    );
    let safe = subject(&results(&a, "latency"), "session #1");
    assert_eq!(safe.status, Status::Pass, "{}", safe.summary);
    assert!(safe.summary.contains("first poll"), "{}", safe.summary);

    let slow = subject(&results(&b, "latency"), "session #1");
    assert_eq!(slow.status, Status::Warn, "{}", slow.summary);
    let (latency, resolution) = latency_of(slow);
    eprintln!(
        "slow-revocation, session: {latency:.1} ms ± {:.1} ms",
        resolution / 2.0
    );
    let want = DELAY_MS as f64;
    assert!(
        (latency - want).abs() <= want * 0.2,
        "latency {latency} ms vs configured {want} ms"
    );
    assert!(resolution <= 50.0, "resolution {resolution} ms");

    // The refresh token is polled through rotation: the family's revocation is what is timed.
    let refresh = subject(&results(&c, "latency"), "refresh #1");
    assert_eq!(refresh.status, Status::Warn, "{}", refresh.summary);
    let (latency, resolution) = latency_of(refresh);
    eprintln!(
        "slow-revocation, refresh token: {latency:.1} ms ± {:.1} ms",
        resolution / 2.0
    );
    assert!(
        (latency - want).abs() <= want * 0.2,
        "latency {latency} ms vs configured {want} ms"
    );
    // The stateless access token outlives the deadline: the known gap, a low warning.
    let access = subject(&results(&c, "latency"), "access #1");
    assert_eq!(access.status, Status::Warn, "{}", access.summary);
    assert!(access.summary.contains("stateless"), "{}", access.summary);
    for l in [session_safe, session_slow, jwt_slow] {
        l.shutdown().await;
    }
}

// ---- idle --------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_timeout_found_unless_no_idle_timeout() {
    let idle = |c: &mut LabConfig| c.lifetimes.idle_secs = 3;
    let gaps = |s: &mut ScenarioSettings| {
        s.idle_first_gap_secs = 1;
        s.idle_max_gap_secs = 4;
    };
    let (safe, flawed) = tokio::join!(
        lab(Mode::Session, &[], idle),
        lab(Mode::Session, &[Flaw::NoIdleTimeout], idle),
    );
    let (a, b) = tokio::join!(
        run(&safe, &[Scenario::Idle], gaps),
        run(&flawed, &[Scenario::Idle], gaps)
    );
    let r = results(&a, "idle")[0];
    assert_eq!(r.status, Status::Pass, "{}", r.summary);
    assert!(
        matches!(
            r.measurement,
            Measurement::Idle {
                longest_accepted_gap_ms: Some(2000),
                first_rejected_gap_ms: Some(4000),
                ..
            }
        ),
        "{:?}",
        r.measurement
    );
    assert_eq!(finding(&a, "session.timeout"), Status::Pass);
    let r = results(&b, "idle")[0];
    assert_eq!(r.status, Status::Warn, "{}", r.summary);
    assert_eq!(finding(&b, "session.timeout"), Status::Warn);
    safe.shutdown().await;
    flawed.shutdown().await;
}

// ---- replicas ----------------------------------------------------------------------------------------

fn replica_statuses(run: &Run) -> Vec<(u32, String, Status)> {
    results(run, "replicas")
        .iter()
        .map(|r| (r.replica.unwrap_or(0), r.subject.clone(), r.status))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_revocation_unless_per_replica_store() {
    let three = |c: &mut LabConfig| c.replicas = 3;
    let (shared, separate, jwt_separate, slow_separate) = tokio::join!(
        lab(Mode::Session, &[], three),
        lab(Mode::Session, &[Flaw::PerReplicaStore], three),
        lab(Mode::Jwt, &[Flaw::PerReplicaStore], three),
        lab(
            Mode::Session,
            &[Flaw::PerReplicaStore, Flaw::SlowRevocation],
            |c| {
                c.replicas = 3;
                c.revocation_delay_ms = 800;
            }
        ),
    );
    assert_eq!(shared.replicas.len(), 3);
    let (a, b, c, d) = tokio::join!(
        run(&shared, &[Scenario::Replicas], |_| {}),
        run(&separate, &[Scenario::Replicas], |_| {}),
        run(&jwt_separate, &[Scenario::Replicas], |_| {}),
        run(&slow_separate, &[Scenario::Replicas], |_| {}),
    );
    // Logged out on replica 2: replicas 1 and 3 are judged.
    let a_results = replica_statuses(&a);
    assert_eq!(
        a_results.iter().map(|r| r.0).collect::<Vec<_>>(),
        [1, 3],
        "{a_results:?}"
    );
    assert!(
        a_results.iter().all(|r| r.2 == Status::Pass),
        "{a_results:?}"
    );
    assert_eq!(finding(&a, "session.replicas"), Status::Pass);

    let b_results = replica_statuses(&b);
    assert!(
        b_results.iter().all(|r| r.2 == Status::Fail),
        "{b_results:?}"
    );
    assert_eq!(finding(&b, "session.replicas"), Status::Fail);

    // JWT mode: the refresh token survives on the other replicas; the stateless access token is
    // accepted everywhere, the logout replica included, so it is not a replica problem.
    let refresh = replica_statuses(&c)
        .into_iter()
        .filter(|r| r.1.contains("refresh"))
        .collect::<Vec<_>>();
    assert!(
        !refresh.is_empty() && refresh.iter().all(|r| r.2 == Status::Fail),
        "{refresh:?}"
    );
    let access = replica_statuses(&c)
        .into_iter()
        .filter(|r| r.1.contains("access"))
        .collect::<Vec<_>>();
    assert!(access.iter().all(|r| r.2 == Status::Info), "{access:?}");
    assert_eq!(finding(&c, "session.replicas"), Status::Fail);

    // A logout replica that takes a moment to revoke is waited for before the others are judged.
    let d_results = replica_statuses(&d);
    assert!(
        d_results.iter().all(|r| r.2 == Status::Fail),
        "{d_results:?}"
    );

    // One timeline lane per replica for the replicas scenario's credentials.
    let t = authlens_core::timeline::build(&b);
    let replica_lanes: Vec<Option<u32>> = t
        .lanes
        .iter()
        .filter(|l| l.scenario == "replicas" && l.label.starts_with("session #1"))
        .map(|l| l.replica)
        .collect();
    assert_eq!(
        replica_lanes,
        [None, Some(1), Some(2), Some(3)],
        "{replica_lanes:?}"
    );
    assert!(
        t.lanes
            .iter()
            .any(|l| l.replica == Some(3) && l.revocation_gap.is_some()),
        "the surviving session shows a gap on replica 3"
    );
    for l in [shared, separate, jwt_separate, slow_separate] {
        l.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_on_a_real_redis_share_revocation() {
    let lab = lab(Mode::Hybrid, &[], |c| {
        c.replicas = 2;
        c.store = StoreBackend::Redis(None);
    })
    .await;
    assert!(
        lab.store_description().to_lowercase().contains("redis"),
        "{}",
        lab.store_description()
    );
    let r = run(&lab, &[Scenario::Lifecycle, Scenario::Replicas], |_| {}).await;
    let refresh = replica_statuses(&r)
        .into_iter()
        .filter(|x| x.1.contains("refresh"))
        .collect::<Vec<_>>();
    assert!(
        !refresh.is_empty() && refresh.iter().all(|x| x.2 == Status::Pass),
        "{refresh:?}"
    );
    assert_eq!(finding(&r, "session.replicas"), Status::Pass);
    // The lifecycle works the same against Redis as against SQLite.
    assert_eq!(finding(&r, "refresh.logout"), Status::Pass);
    lab.shutdown().await;
}

// ---- entropy -----------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entropy_passes_strong_ids_and_fails_weak_ones() {
    let (safe, weak, jwt) = tokio::join!(
        lab(Mode::Session, &[], |_| {}),
        lab(Mode::Session, &[Flaw::WeakSessionId], |_| {}),
        lab(Mode::Jwt, &[], |_| {}),
    );
    let samples = |s: &mut ScenarioSettings| s.entropy_samples = 200;
    let (a, b, c) = tokio::join!(
        run(&safe, &[Scenario::Entropy], samples),
        run(&weak, &[Scenario::Entropy], samples),
        run(&jwt, &[Scenario::Entropy], samples),
    );
    let strong = results(&a, "entropy")[0];
    assert_eq!(strong.status, Status::Pass, "{}", strong.summary);
    let Measurement::Entropy {
        samples: 200,
        estimate: Some(est),
        ..
    } = &strong.measurement
    else {
        panic!("{:?}", strong.measurement)
    };
    assert!(est.bits >= 128.0, "{est:?}");
    assert_eq!(finding(&a, "session.entropy"), Status::Pass);

    let weak_r = results(&b, "entropy")[0];
    assert_eq!(weak_r.status, Status::Fail, "{}", weak_r.summary);
    let Measurement::Entropy {
        estimate: Some(est),
        ..
    } = &weak_r.measurement
    else {
        panic!("{:?}", weak_r.measurement)
    };
    assert!(est.bits <= 32.5, "{est:?}");
    assert_eq!(finding(&b, "session.entropy"), Status::Fail);

    // JWT mode: the access JWT is skipped and says why; the opaque refresh token is measured.
    let rs = results(&c, "entropy");
    let access = subject(&rs, "access");
    assert_eq!(access.status, Status::NotTested);
    assert!(access.summary.contains("JWT"), "{}", access.summary);
    assert_eq!(subject(&rs, "refresh").status, Status::Pass);
    for l in [safe, weak, jwt] {
        l.shutdown().await;
    }
}

// ---- login rate limit --------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_found_unless_no_rate_limit() {
    let (safe, flawed) = tokio::join!(
        lab(Mode::Jwt, &[], |_| {}),
        lab(Mode::Session, &[Flaw::NoRateLimit], |_| {}),
    );
    let (a, b) = tokio::join!(
        run(&safe, &[Scenario::RateLimit], |_| {}),
        run(&flawed, &[Scenario::RateLimit], |_| {}),
    );
    let r = results(&a, "rate-limit")[0];
    assert_eq!(r.status, Status::Pass, "{}", r.summary);
    let Measurement::RateLimit {
        limited_at: Some(n),
        retry_after: Some(_),
        locked_out: Some(true),
        ..
    } = &r.measurement
    else {
        panic!("{:?}", r.measurement)
    };
    assert_eq!(*n, 6, "five failures, then 429");
    assert_eq!(finding(&a, "login.rate-limit"), Status::Pass);

    let r = results(&b, "rate-limit")[0];
    assert_eq!(r.status, Status::Fail, "{}", r.summary);
    assert!(
        matches!(
            r.measurement,
            Measurement::RateLimit {
                attempts: 20,
                limited_at: None,
                locked_out: Some(false),
                ..
            }
        ),
        "{:?}",
        r.measurement
    );
    assert_eq!(finding(&b, "login.rate-limit"), Status::Fail);
    safe.shutdown().await;
    flawed.shutdown().await;
}
