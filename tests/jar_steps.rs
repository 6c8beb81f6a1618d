//! The jar after each step, derived from real runs against the bundled lab, before and after redaction.

mod support;

use authlens_core::cookies::jar::{JarChange, JarCookie, JarOutcome, JarStep, jar_steps};
use authlens_core::model::{Purpose, Run, RunStatus, StepKind};
use authlens_core::redact::Redactor;
use authlens_lab::Mode;
use support::*;

fn step<'a>(steps: &'a [JarStep], scenario: &str, label: &str) -> &'a JarStep {
    steps
        .iter()
        .find(|s| s.scenario == scenario && s.label == label)
        .unwrap_or_else(|| panic!("no step {scenario}/{label}: {steps:#?}"))
}

fn cookie<'a>(s: &'a JarStep, name: &str) -> Option<&'a JarCookie> {
    s.cookies
        .iter()
        .find(|c| c.name == name && c.change.in_jar())
}

fn redacted(run: &Run) -> Run {
    Redactor::for_run(run, authlens_lab::USERS[0].password, false).run(run)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_mode_the_login_cookie_is_in_the_jar_until_logout_replaces_it() {
    let run = run_lab(Mode::Session, &[]).await;
    assert_eq!(run.status, RunStatus::Completed, "{:?}", run.error);
    for run in [run.clone(), redacted(&run)] {
        let steps = jar_steps(&run);
        assert_eq!(steps.len(), run.exchanges.len());

        // The prefetch hands out an anonymous session cookie (no Max-Age).
        let pre = cookie(step(&steps, "lifecycle", "prefetch"), "__Host-sid").expect("pre-login");
        assert_eq!(pre.change, JarChange::Added);
        assert_eq!(pre.expires, None);

        // Login replaces it with the authenticated one: HttpOnly, Secure, host-only, Path=/, 30 minutes.
        let login = step(&steps, "lifecycle", "login");
        let sid = cookie(login, "__Host-sid").expect("session cookie after login");
        assert_eq!(sid.change, JarChange::Updated);
        assert!(sid.http_only && sid.secure && sid.host_only);
        assert_eq!(sid.path, "/");
        assert_eq!(sid.domain, "127.0.0.1");
        assert_eq!(sid.same_site.as_deref(), Some("Lax"));
        assert_ne!(sid.value, pre.value, "a new id at login (no fixation)");
        let lifetime = sid.expires.expect("Max-Age") - login.at;
        assert!((1_790_000..=1_800_000).contains(&lifetime), "{lifetime}");
        let verdict = sid.verdict.as_ref().expect("parsed");
        assert!(verdict.stored && verdict.notes.is_empty(), "{verdict:?}");
        let login_ex = run.exchange(login.exchange_id).expect("exchange");
        assert_eq!(login_ex.step, StepKind::Login);
        assert_eq!(sid.set_by, login.exchange_id);
        // The real length, even when the value shows redacted.
        assert_eq!(sid.value_len, Some(43), "{}", sid.value);

        // The fixation replay runs on its own copy of the jar: nothing changes.
        let fixation = steps
            .iter()
            .find(|s| s.purpose == Purpose::FixationReplay)
            .expect("fixation replay");
        assert!(!fixation.applied);
        assert_eq!(
            cookie(fixation, "__Host-sid").map(|c| &c.value),
            Some(&sid.value)
        );

        // Logout deletes the session cookie (Max-Age=0), then the redirect to the login page hands out a
        // fresh anonymous one: the jar ends up with a different, session-lifetime __Host-sid.
        let logout = step(&steps, "lifecycle", "logout");
        let outcomes: Vec<JarOutcome> = logout.received.iter().map(|r| r.outcome).collect();
        assert_eq!(outcomes, [JarOutcome::Deleted, JarOutcome::Added]);
        let after = cookie(logout, "__Host-sid").expect("the login page's new anonymous cookie");
        assert_ne!(after.value, sid.value);
        assert_eq!(after.expires, None);
        assert_eq!(after.change, JarChange::Updated);
        assert_eq!(logout.cookies.len(), 1);

        // Replays after logout do not touch the jar.
        for s in steps
            .iter()
            .filter(|s| s.purpose == Purpose::ReplayAfterLogout)
        {
            assert!(!s.applied);
            assert_eq!(
                cookie(s, "__Host-sid").map(|c| &c.value),
                Some(&after.value)
            );
            assert!(s.cookies.iter().all(|c| c.change == JarChange::Unchanged));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hybrid_mode_each_scenario_has_its_own_jar_and_logout_deletes_the_refresh_cookie() {
    let run = run_lab(Mode::Hybrid, &[]).await;
    assert_eq!(run.status, RunStatus::Completed, "{:?}", run.error);
    let steps = jar_steps(&redacted(&run));
    let name = "__Secure-refresh";

    let login = step(&steps, "lifecycle", "login");
    let rt = cookie(login, name).expect("refresh cookie");
    assert!(rt.http_only && rt.secure);
    assert_eq!(rt.path, "/api/auth");
    assert_eq!(rt.same_site.as_deref(), Some("Strict"));

    let refresh = step(&steps, "lifecycle", "refresh");
    let rotated = cookie(refresh, name).expect("rotated");
    assert_eq!(rotated.change, JarChange::Updated);
    assert_ne!(rotated.value, rt.value);

    let logout = step(&steps, "lifecycle", "logout");
    assert!(cookie(logout, name).is_none(), "logout clears it");
    assert!(
        logout
            .cookies
            .iter()
            .any(|c| c.name == name && c.change == JarChange::Deleted)
    );

    // Rotation logs in afresh, on an empty jar.
    let again = step(&steps, "rotation", "login");
    assert_eq!(again.cookies.len(), 1);
    assert_eq!(again.cookies[0].change, JarChange::Added);
    // The reuse replay's answer (if any cookie) never reaches the rotation jar.
    let reuse = steps
        .iter()
        .find(|s| s.purpose == Purpose::ReuseAfterRotation)
        .expect("reuse replay");
    assert!(!reuse.applied);
    let second = step(&steps, "rotation", "refresh (rotation 2)");
    assert_eq!(
        cookie(reuse, name).map(|c| &c.value),
        cookie(second, name).map(|c| &c.value)
    );
    let cleanup = step(&steps, "rotation", "logout (cleanup)");
    assert!(cookie(cleanup, name).is_none());
}
