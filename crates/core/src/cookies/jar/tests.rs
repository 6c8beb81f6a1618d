use super::*;
use crate::model::{
    Body, Credential, CredentialKind, FlowEvent, Header, RequestRecord, ResponseRecord, RunStatus,
};

const T0: Millis = 1_790_000_000_000;
const BASE: &str = "https://app.example.com";

fn hop_at(url: &str, at: Millis, set_cookies: &[&str]) -> Hop {
    Hop {
        request: RequestRecord {
            method: "GET".into(),
            url: url.into(),
            headers: Vec::new(),
            body: Body::default(),
        },
        response: Some(ResponseRecord {
            status: 200,
            http_version: "HTTP/1.1".into(),
            headers: set_cookies
                .iter()
                .map(|l| Header {
                    name: "set-cookie".into(),
                    value: l.to_string(),
                    raw_bytes_escaped: false,
                })
                .collect(),
            set_cookies: set_cookies.iter().map(|l| l.to_string()).collect(),
            body: Body::default(),
        }),
        started_at: at,
        ttfb_ms: 2.0,
        duration_ms: 3.0,
    }
}

fn ex(id: u32, step: StepKind, purpose: Purpose, path: &str, lines: &[&str]) -> Exchange {
    let at = T0 + i64::from(id) * 1000;
    Exchange {
        id,
        step,
        purpose,
        label: format!("{} {id}", step.as_str()),
        started_at: at,
        duration_ms: 5.0,
        hops: vec![hop_at(&format!("{BASE}{path}"), at, lines)],
        error: None,
    }
}

fn run_of(exchanges: Vec<Exchange>) -> Run {
    Run {
        id: "r".into(),
        profile_name: "p".into(),
        targets: vec![BASE.into()],
        scenarios: vec!["lifecycle".into(), "rotation".into()],
        started_at: T0,
        finished_at: None,
        status: RunStatus::Completed,
        error: None,
        exchanges,
        credentials: Vec::new(),
        observations: Vec::new(),
        events: Vec::new(),
        findings: Vec::new(),
        results: Vec::new(),
        jwt_keys: Vec::new(),
        revealed: false,
    }
}

fn in_jar(step: &JarStep) -> Vec<(&str, &str, JarChange)> {
    step.cookies
        .iter()
        .filter(|c| c.change.in_jar())
        .map(|c| (c.name.as_str(), c.value.as_str(), c.change))
        .collect()
}

const SID: &str = "__Host-sid";

#[test]
fn login_probe_logout_follow_the_jar() {
    let run = run_of(vec![
        ex(
            1,
            StepKind::Prefetch,
            Purpose::Flow,
            "/login",
            &["__Host-sid=pre; Path=/; Secure; HttpOnly; SameSite=Lax"],
        ),
        ex(
            2,
            StepKind::Login,
            Purpose::Flow,
            "/login",
            &[
                "__Host-sid=auth; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=1800",
                "theme=dark; Path=/",
            ],
        ),
        ex(3, StepKind::Probe, Purpose::Flow, "/api/me", &[]),
        ex(
            4,
            StepKind::Logout,
            Purpose::Flow,
            "/logout",
            &["__Host-sid=; Path=/; Secure; HttpOnly; Max-Age=0"],
        ),
    ]);
    let steps = jar_steps(&run);
    assert_eq!(steps.len(), 4);
    assert_eq!(in_jar(&steps[0]), vec![(SID, "pre", JarChange::Added)]);
    let login = &steps[1];
    assert_eq!(
        in_jar(login),
        vec![
            (SID, "auth", JarChange::Updated),
            ("theme", "dark", JarChange::Added)
        ]
    );
    let sid = &login.cookies[0];
    assert!(sid.secure && sid.http_only && sid.host_only);
    assert_eq!(
        (sid.domain.as_str(), sid.path.as_str()),
        ("app.example.com", "/")
    );
    assert_eq!(sid.same_site.as_deref(), Some("Lax"));
    assert_eq!(sid.set_by, 2);
    assert_eq!(sid.value_len, Some(4));
    // Max-Age counts from the hop's receipt in recorded time, not from when the replay runs.
    assert_eq!(sid.expires, Some(T0 + 2000 + 2 + 1_800_000));
    let verdict = sid.verdict.as_ref().expect("parsed");
    assert!(verdict.stored && verdict.notes.is_empty(), "{verdict:?}");
    assert_eq!(login.received.len(), 2);
    assert_eq!(login.received[0].outcome, JarOutcome::Updated);
    assert_eq!(login.received[1].outcome, JarOutcome::Added);
    assert_eq!(
        in_jar(&steps[2]),
        vec![
            (SID, "auth", JarChange::Unchanged),
            ("theme", "dark", JarChange::Unchanged)
        ]
    );
    let logout = &steps[3];
    assert_eq!(
        in_jar(logout),
        vec![("theme", "dark", JarChange::Unchanged)]
    );
    let gone: Vec<_> = logout
        .cookies
        .iter()
        .filter(|c| !c.change.in_jar())
        .collect();
    assert_eq!(gone.len(), 1);
    assert_eq!(
        (
            gone[0].name.as_str(),
            gone[0].value.as_str(),
            gone[0].change
        ),
        (SID, "auth", JarChange::Deleted)
    );
    assert_eq!(logout.received[0].outcome, JarOutcome::Deleted);
    assert!(steps.iter().all(|s| s.applied && s.scenario == "lifecycle"));
}

#[test]
fn replays_and_the_plain_http_probe_leave_the_flow_jar_alone() {
    let mut plain = ex(
        4,
        StepKind::Extra,
        Purpose::PlainHttp,
        "/login",
        &["tracker=1"],
    );
    plain.hops[0].request.url = "http://app.example.com/login".into();
    let run = run_of(vec![
        ex(
            1,
            StepKind::Login,
            Purpose::Flow,
            "/login",
            &["sid=a; Path=/; Max-Age=60"],
        ),
        ex(
            2,
            StepKind::Logout,
            Purpose::Flow,
            "/logout",
            &["sid=; Path=/; Max-Age=0"],
        ),
        ex(
            3,
            StepKind::Probe,
            Purpose::ReplayAfterLogout,
            "/api/me",
            &["sid=fresh; Path=/"],
        ),
        plain,
    ]);
    let steps = jar_steps(&run);
    assert!(in_jar(&steps[1]).is_empty());
    for s in &steps[2..] {
        assert!(!s.applied);
        assert!(in_jar(s).is_empty(), "{s:?}");
        assert_eq!(s.received[0].outcome, JarOutcome::NotKept);
        assert!(s.received[0].reason.is_some());
    }
    assert_eq!(steps[2].received[0].name.as_deref(), Some("sid"));
}

#[test]
fn each_scenario_starts_from_an_empty_jar_named_by_its_login_event() {
    let mut run = run_of(vec![
        ex(
            1,
            StepKind::Login,
            Purpose::Flow,
            "/login",
            &["sid=a; Path=/"],
        ),
        ex(
            2,
            StepKind::Refresh,
            Purpose::Flow,
            "/refresh",
            &["rt=1; Path=/"],
        ),
        ex(
            3,
            StepKind::Prefetch,
            Purpose::Flow,
            "/login",
            &["pre=1; Path=/"],
        ),
        ex(
            4,
            StepKind::Login,
            Purpose::Flow,
            "/login",
            &["sid=b; Path=/"],
        ),
        ex(
            5,
            StepKind::Refresh,
            Purpose::ReuseAfterRotation,
            "/refresh",
            &[],
        ),
    ]);
    run.events.push(FlowEvent {
        kind: FlowEventKind::Login,
        at: T0,
        exchange_id: 4,
        scenario: "rotation".into(),
    });
    let steps = jar_steps(&run);
    let names: Vec<&str> = steps.iter().map(|s| s.scenario.as_str()).collect();
    assert_eq!(
        names,
        ["lifecycle", "lifecycle", "rotation", "rotation", "rotation"]
    );
    assert_eq!(in_jar(&steps[2]), vec![("pre", "1", JarChange::Added)]);
    assert_eq!(
        in_jar(&steps[3]),
        vec![
            ("pre", "1", JarChange::Unchanged),
            ("sid", "b", JarChange::Added)
        ]
    );
}

#[test]
fn cookies_expire_on_the_recorded_clock() {
    let run = run_of(vec![
        ex(
            1,
            StepKind::Login,
            Purpose::Flow,
            "/login",
            &["short=1; Path=/; Max-Age=1", "long=1; Path=/; Max-Age=3600"],
        ),
        ex(2, StepKind::Probe, Purpose::Flow, "/api/me", &[]),
        // An Expires date: it counts on the recorded clock, however long ago the run was recorded.
        ex(
            3,
            StepKind::Refresh,
            Purpose::Flow,
            "/refresh",
            &["dated=1; Path=/; Expires=Thu, 21 Sep 2026 15:06:43 GMT"],
        ),
    ]);
    let steps = jar_steps(&run);
    assert_eq!(in_jar(&steps[0]).len(), 2);
    let probe = &steps[1];
    assert_eq!(in_jar(probe), vec![("long", "1", JarChange::Unchanged)]);
    assert!(
        probe
            .cookies
            .iter()
            .any(|c| c.name == "short" && c.change == JarChange::Expired)
    );
    let dated = steps[2]
        .cookies
        .iter()
        .find(|c| c.name == "dated")
        .expect("kept");
    // 2026-09-21T15:06:43Z, whatever the machine's clock says now.
    assert_eq!(dated.expires, Some(1_790_003_203_000));
    assert_eq!(dated.change, JarChange::Added);
}

#[test]
fn an_expires_in_the_past_deletes_and_a_deletion_of_nothing_is_refused() {
    let run = run_of(vec![
        ex(
            1,
            StepKind::Login,
            Purpose::Flow,
            "/login",
            &["sid=a; Path=/"],
        ),
        ex(
            2,
            StepKind::Logout,
            Purpose::Flow,
            "/logout",
            &[
                "sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                "other=; Path=/; Max-Age=0",
            ],
        ),
    ]);
    let steps = jar_steps(&run);
    assert!(in_jar(&steps[1]).is_empty());
    assert_eq!(steps[1].received[0].outcome, JarOutcome::Deleted);
    assert_eq!(steps[1].received[1].outcome, JarOutcome::Refused);
}

#[test]
fn domain_and_path_follow_the_jar() {
    let run = run_of(vec![ex(
        1,
        StepKind::Login,
        Purpose::Flow,
        "/api/login",
        &[
            "a=1; Domain=example.com",
            "b=1; Domain=evil.com",
            "c=1",
            "d=1; Path=/x",
        ],
    )]);
    let s = &jar_steps(&run)[0];
    let a = s
        .cookies
        .iter()
        .find(|c| c.name == "a")
        .expect("parent domain kept");
    assert_eq!(a.domain, "example.com");
    assert!(!a.host_only);
    assert!(s.cookies.iter().all(|c| c.name != "b"));
    assert_eq!(s.received[1].outcome, JarOutcome::Refused);
    assert!(
        s.received[1]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("domain")),
        "{:?}",
        s.received[1]
    );
    assert!(!s.received[1].verdict.as_ref().expect("parsed").stored);
    // No Path attribute: the request path's directory (RFC 6265 default-path).
    assert_eq!(
        s.cookies
            .iter()
            .find(|c| c.name == "c")
            .map(|c| c.path.as_str()),
        Some("/api")
    );
    assert_eq!(
        s.cookies
            .iter()
            .find(|c| c.name == "d")
            .map(|c| c.path.as_str()),
        Some("/x")
    );
}

#[test]
fn the_jar_keeps_what_a_browser_would_drop_and_says_so() {
    // The runner's jar is not a browser: it takes a __Host- cookie without Secure; the verdict tells.
    let run = run_of(vec![ex(
        1,
        StepKind::Login,
        Purpose::Flow,
        "/login",
        &["__Host-sid=x; Path=/"],
    )]);
    let s = &jar_steps(&run)[0];
    let c = &s.cookies[0];
    let v = c.verdict.as_ref().expect("parsed");
    assert!(!v.stored);
    assert!(v.notes.iter().any(|n| n.contains("__Host-")), "{v:?}");
}

#[test]
fn redacted_values_survive_and_lengths_come_from_credentials() {
    let line = "__Host-sid=‹I80MT2… #0f06eb7b3029›; Path=/; Secure; HttpOnly; SameSite=Lax";
    let mut run = run_of(vec![ex(
        1,
        StepKind::Login,
        Purpose::Flow,
        "/login",
        &[
            line,
            "csrf=‹redacted, 8 chars›; Path=/",
            "other=‹abcdef… #000000000000›; Path=/",
        ],
    )]);
    let info = analyse_set_cookie(line, &url::Url::parse(BASE).unwrap(), T0)
        .unwrap()
        .info;
    run.credentials.push(Credential {
        id: 1,
        name: "session".into(),
        kind: CredentialKind::Session,
        generation: 1,
        label: "session #1".into(),
        value: "‹I80MT2… #0f06eb7b3029›".into(),
        fingerprint: "0f06eb7b3029".into(),
        carrier: Carrier::Cookie {
            name: SID.into(),
            raw: line.into(),
        },
        issued_at: T0,
        issued_by: 1,
        issued_in: StepKind::Login,
        scenario: "lifecycle".into(),
        declared_expiry: None,
        expiry_source: None,
        jwt: None,
        cookie: Some(CookieInfo {
            value_len: 43,
            ..info
        }),
        verification: None,
    });
    let s = &jar_steps(&run)[0];
    let sid = s.cookies.iter().find(|c| c.name == SID).expect("kept");
    assert_eq!(sid.value, "‹I80MT2… #0f06eb7b3029›");
    assert_eq!(sid.value_len, Some(43));
    assert_eq!(
        s.cookies
            .iter()
            .find(|c| c.name == "csrf")
            .and_then(|c| c.value_len),
        Some(8)
    );
    assert_eq!(
        s.cookies
            .iter()
            .find(|c| c.name == "other")
            .map(|c| c.value_len),
        Some(None)
    );
}

use crate::model::CookieInfo;

#[test]
fn hostile_lines_never_panic_and_are_refused_or_kept_sensibly() {
    let long = format!("a=b; {}", "x=".repeat(20_000));
    let huge_path = format!("p=1; Path=/{}", "p".repeat(5000));
    let lines = [
        "",
        ";;;",
        "=novalue",
        "noequals",
        "a=b; Max-Age=",
        "a=b; Max-Age=99999999999999999999999",
        "a=b; Max-Age=-1",
        "a=b; Expires=not a date",
        "a=b; Expires=Fri, 31 Dec 9999 23:59:59 GMT",
        "a=b; Domain=",
        "a=b; Domain=.",
        "a=b; Domain=..",
        "a=b; SameSite",
        "名前=値; Path=/ä; Domain=bücher.example",
        "a=\u{0}",
        "\u{feff}a=b",
        "a=b; Secure; HttpOnly; Partitioned; SameSite=None",
        long.as_str(),
        huge_path.as_str(),
    ];
    let mut exchanges = vec![ex(1, StepKind::Login, Purpose::Flow, "/login", &lines)];
    // Hops with odd URLs and times, and an exchange with no response at all.
    let mut odd = ex(2, StepKind::Probe, Purpose::Flow, "/x", &lines);
    odd.hops[0].request.url = "not a url".into();
    odd.hops[0].started_at = i64::MAX;
    odd.hops[0].ttfb_ms = f64::NAN;
    odd.duration_ms = f64::INFINITY;
    odd.started_at = i64::MIN;
    exchanges.push(odd);
    let mut data = ex(3, StepKind::Probe, Purpose::Flow, "/x", &lines);
    data.hops[0].request.url = "data:text/plain,x".into();
    exchanges.push(data);
    let mut empty = ex(4, StepKind::Probe, Purpose::Flow, "/x", &[]);
    empty.hops[0].response = None;
    exchanges.push(empty);
    let run = run_of(exchanges);
    let steps = jar_steps(&run);
    assert_eq!(steps.len(), 4);
    let login = &steps[0];
    assert_eq!(login.received.len(), lines.len());
    for r in &login.received[..4] {
        assert_eq!(r.outcome, JarOutcome::Refused, "{r:?}");
        assert!(r.reason.is_some());
    }
    let partitioned = login
        .cookies
        .iter()
        .find(|c| c.name == "a" && c.change.in_jar());
    assert!(partitioned.is_some(), "{:?}", login.cookies);
    for r in &steps[1].received {
        assert_eq!(r.outcome, JarOutcome::Refused, "{r:?}");
    }
}

#[test]
fn a_line_that_was_not_utf8_is_refused_as_the_runner_did() {
    let mut e = ex(
        1,
        StepKind::Login,
        Purpose::Flow,
        "/login",
        &["sid=a\\xff; Path=/"],
    );
    if let Some(r) = e.hops[0].response.as_mut() {
        r.headers[0].raw_bytes_escaped = true;
    }
    let s = &jar_steps(&run_of(vec![e]))[0];
    assert_eq!(s.received[0].outcome, JarOutcome::Refused);
    assert!(in_jar(s).is_empty());
}

#[test]
fn redirect_hops_set_cookies_against_their_own_url() {
    let mut e = ex(
        1,
        StepKind::Login,
        Purpose::Flow,
        "/login",
        &["sid=; Path=/; Max-Age=0"],
    );
    e.hops.push(hop_at(
        "https://other.example.com/landing",
        T0 + 1010,
        &["landing=1"],
    ));
    let run = run_of(vec![
        ex(
            0,
            StepKind::Prefetch,
            Purpose::Flow,
            "/login",
            &["sid=x; Path=/"],
        ),
        Exchange { id: 1, ..e },
    ]);
    let steps = jar_steps(&run);
    let s = &steps[1];
    assert_eq!(s.received[1].hop, 2);
    let landing = s
        .cookies
        .iter()
        .find(|c| c.name == "landing")
        .expect("kept");
    assert_eq!(landing.domain, "other.example.com");
    assert!(
        s.cookies
            .iter()
            .any(|c| c.name == "sid" && c.change == JarChange::Deleted)
    );
}
