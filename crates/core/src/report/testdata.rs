//! A realistic recorded run for the store and report tests, and a hostile variant of it.

use crate::model::*;

pub(crate) const T0: Millis = 1_735_689_600_000; // 2025-01-01T00:00:00Z

fn header(name: &str, value: &str) -> Header {
    Header {
        name: name.into(),
        value: value.into(),
        raw_bytes_escaped: false,
    }
}

fn request(method: &str, url: &str) -> RequestRecord {
    RequestRecord {
        method: method.into(),
        url: url.into(),
        headers: vec![
            header("User-Agent", "authlens/test"),
            header("Cookie", "__Host-sid=‹redacted #0a1b2c3d4e5f›"),
        ],
        body: Body::default(),
    }
}

fn response(
    status: u16,
    extra: Vec<Header>,
    set_cookies: Vec<String>,
    body: &str,
) -> ResponseRecord {
    let mut headers = vec![header("Content-Type", "application/json")];
    headers.extend(extra);
    headers.extend(set_cookies.iter().map(|l| header("Set-Cookie", l)));
    ResponseRecord {
        status,
        http_version: "HTTP/1.1".into(),
        headers,
        set_cookies,
        body: Body::from_bytes(body.as_bytes(), false),
    }
}

fn hop(req: RequestRecord, resp: Option<ResponseRecord>, at: Millis, ms: f64) -> Hop {
    Hop {
        request: req,
        response: resp,
        started_at: at,
        ttfb_ms: ms * 0.8,
        duration_ms: ms,
    }
}

#[allow(clippy::too_many_arguments)]
fn exchange(
    id: u32,
    step: StepKind,
    purpose: Purpose,
    label: &str,
    at: Millis,
    ms: f64,
    hops: Vec<Hop>,
) -> Exchange {
    Exchange {
        id,
        step,
        purpose,
        label: label.into(),
        started_at: at,
        duration_ms: ms,
        hops,
        error: None,
    }
}

fn jwt(exp: i64) -> DecodedJwt {
    DecodedJwt {
        header: Some(serde_json::json!({"alg": "HS256", "typ": "JWT"})),
        claims: Some(
            serde_json::json!({"sub": "alice", "exp": exp, "iat": exp - 300, "scope": ["a", "b"], "ratio": 0.1}),
        ),
        signature_len: 32,
        alg: Some("HS256".into()),
        typ: Some("JWT".into()),
        kid: None,
        iat: Some(exp - 300),
        nbf: None,
        exp: Some(exp),
        problems: vec![],
    }
}

#[allow(clippy::too_many_arguments)]
fn credential(
    id: u32,
    name: &str,
    kind: CredentialKind,
    generation: u32,
    carrier: Carrier,
    issued_at: Millis,
    issued_by: u32,
    issued_in: StepKind,
    expiry: Option<(Millis, ExpirySource)>,
) -> Credential {
    Credential {
        id,
        name: name.into(),
        kind,
        generation,
        label: format!("{name} #{generation}"),
        value: crate::redact::mask(&format!("secret-value-of-{name}-{generation}")),
        fingerprint: crate::redact::fingerprint(&format!("secret-value-of-{name}-{generation}")),
        carrier,
        issued_at,
        issued_by,
        issued_in,
        scenario: "lifecycle".into(),
        declared_expiry: expiry.map(|e| e.0),
        expiry_source: expiry.map(|e| e.1),
        jwt: None,
        cookie: None,
        verification: None,
    }
}

fn finding(
    check_id: &str,
    status: Status,
    severity: Severity,
    summary: &str,
    evidence: Vec<Evidence>,
) -> Finding {
    Finding {
        check_id: check_id.into(),
        title: format!("Title of {check_id}"),
        status,
        severity,
        summary: summary.into(),
        explanation: format!("Why {check_id} matters."),
        evidence,
        references: vec![
            "https://owasp.org/www-project-web-security-testing-guide/".into(),
            "RFC 6265bis".into(),
        ],
    }
}

fn ev(
    exchange_id: Option<u32>,
    credential_id: Option<u32>,
    location: &str,
    detail: &str,
) -> Evidence {
    Evidence {
        exchange_id,
        credential_id,
        location: location.into(),
        detail: detail.into(),
    }
}

/// login → probe → refresh → probe → logout → replays; a session cookie still accepted after logout.
pub(crate) fn sample_run() -> Run {
    let base = "https://app.example.test";
    let sid_line =
        "__Host-sid=‹redacted #0a1b2c3d4e5f›; Path=/; Secure; HttpOnly; SameSite=Lax".to_string();
    let exchanges = vec![
        exchange(
            1,
            StepKind::Prefetch,
            Purpose::Flow,
            "prefetch",
            T0 + 10,
            20.5,
            vec![hop(
                request("GET", &format!("{base}/login")),
                Some(response(200, vec![], vec![], "<form>")),
                T0 + 10,
                20.5,
            )],
        ),
        exchange(
            2,
            StepKind::Login,
            Purpose::Flow,
            "login",
            T0 + 100,
            45.25,
            vec![
                hop(
                    request("POST", &format!("{base}/login")),
                    Some(response(
                        303,
                        vec![header("Location", "/account")],
                        vec![sid_line.clone()],
                        "",
                    )),
                    T0 + 100,
                    30.0,
                ),
                hop(
                    request("GET", &format!("{base}/account")),
                    Some(response(200, vec![], vec![], "{}")),
                    T0 + 130,
                    15.25,
                ),
            ],
        ),
        exchange(
            3,
            StepKind::Probe,
            Purpose::Flow,
            "probe",
            T0 + 300,
            12.345,
            vec![hop(
                request("GET", &format!("{base}/api/me")),
                Some(response(200, vec![], vec![], "{\"user\":\"alice\"}")),
                T0 + 300,
                12.345,
            )],
        ),
        exchange(
            4,
            StepKind::Refresh,
            Purpose::Flow,
            "refresh",
            T0 + 800,
            33.0,
            vec![hop(
                request("POST", &format!("{base}/token")),
                Some(response(
                    200,
                    vec![],
                    vec![],
                    "{\"access_token\":\"‹eyJhbG… #aa›\"}",
                )),
                T0 + 800,
                33.0,
            )],
        ),
        exchange(
            5,
            StepKind::Probe,
            Purpose::Flow,
            "probe",
            T0 + 1200,
            11.0,
            vec![hop(
                request("GET", &format!("{base}/api/me")),
                Some(response(200, vec![], vec![], "{}")),
                T0 + 1200,
                11.0,
            )],
        ),
        exchange(
            6,
            StepKind::Logout,
            Purpose::Flow,
            "logout",
            T0 + 2000,
            9.0,
            vec![hop(
                request("POST", &format!("{base}/logout")),
                Some(response(204, vec![], vec![], "")),
                T0 + 2000,
                9.0,
            )],
        ),
        exchange(
            7,
            StepKind::Probe,
            Purpose::ReplayAfterLogout,
            "replay session #1 after logout",
            T0 + 2400,
            10.0,
            vec![hop(
                request("GET", &format!("{base}/api/me")),
                Some(response(200, vec![], vec![], "{}")),
                T0 + 2400,
                10.0,
            )],
        ),
        exchange(
            8,
            StepKind::Probe,
            Purpose::ReplayAfterLogout,
            "replay access #2 after logout",
            T0 + 2600,
            10.0,
            vec![hop(
                request("GET", &format!("{base}/api/me")),
                Some(response(401, vec![], vec![], "")),
                T0 + 2600,
                10.0,
            )],
        ),
        Exchange {
            error: Some(ErrorInfo {
                code: "http.connect".into(),
                message: "connection refused".into(),
            }),
            ..exchange(
                9,
                StepKind::Extra,
                Purpose::PlainHttp,
                "plain http",
                T0 + 3000,
                400.0,
                vec![hop(
                    request("GET", "http://app.example.test/login"),
                    None,
                    T0 + 3000,
                    400.0,
                )],
            )
        },
    ];

    let mut session = credential(
        1,
        "session",
        CredentialKind::Session,
        1,
        Carrier::Cookie {
            name: "__Host-sid".into(),
            raw: sid_line,
        },
        T0 + 130,
        2,
        StepKind::Login,
        None,
    );
    session.cookie = Some(CookieInfo {
        name: "__Host-sid".into(),
        value_len: 32,
        domain: None,
        path: Some("/".into()),
        secure: true,
        http_only: true,
        same_site: Some("Lax".into()),
        max_age: None,
        expires: None,
        partitioned: false,
        is_deletion: false,
        verdict: CookieVerdict {
            stored: true,
            notes: vec![],
            effective_expiry: None,
        },
    });
    let mut access1 = credential(
        2,
        "access",
        CredentialKind::Access,
        1,
        Carrier::JsonBody {
            pointer: "/access_token".into(),
        },
        T0 + 130,
        2,
        StepKind::Login,
        Some((T0 + 130 + 300_000, ExpirySource::JwtExp)),
    );
    access1.jwt = Some(jwt((T0 + 130 + 300_000) / 1000));
    let refresh = credential(
        3,
        "refresh",
        CredentialKind::Refresh,
        1,
        Carrier::JsonBody {
            pointer: "/refresh_token".into(),
        },
        T0 + 130,
        2,
        StepKind::Login,
        Some((T0 + 130 + 86_400_000, ExpirySource::ExpiresIn)),
    );
    let mut access2 = credential(
        4,
        "access",
        CredentialKind::Access,
        2,
        Carrier::JsonBody {
            pointer: "/access_token".into(),
        },
        T0 + 833,
        4,
        StepKind::Refresh,
        Some((T0 + 833 + 300_000, ExpirySource::JwtExp)),
    );
    access2.jwt = Some(jwt((T0 + 833 + 300_000) / 1000));

    let obs = |credential_id, exchange_id, at, verdict, purpose, after_event, status| Observation {
        credential_id,
        at,
        exchange_id,
        verdict,
        purpose,
        after_event,
        status,
        replica: None,
    };
    let observations = vec![
        obs(
            1,
            3,
            T0 + 312,
            Verdict::Accepted,
            Purpose::Flow,
            Some(FlowEventKind::Login),
            Some(200),
        ),
        obs(
            2,
            3,
            T0 + 312,
            Verdict::Accepted,
            Purpose::Flow,
            Some(FlowEventKind::Login),
            Some(200),
        ),
        obs(
            4,
            5,
            T0 + 1211,
            Verdict::Accepted,
            Purpose::Flow,
            Some(FlowEventKind::Refresh),
            Some(200),
        ),
        obs(
            1,
            7,
            T0 + 2410,
            Verdict::Accepted,
            Purpose::ReplayAfterLogout,
            Some(FlowEventKind::Logout),
            Some(200),
        ),
        obs(
            4,
            8,
            T0 + 2610,
            Verdict::Rejected,
            Purpose::ReplayAfterLogout,
            Some(FlowEventKind::Logout),
            Some(401),
        ),
        obs(
            3,
            9,
            T0 + 3400,
            Verdict::Inconclusive,
            Purpose::ReplayAfterLogout,
            Some(FlowEventKind::Logout),
            None,
        ),
    ];
    let event = |kind, at, exchange_id| FlowEvent {
        kind,
        at,
        exchange_id,
        scenario: "lifecycle".into(),
    };
    let events = vec![
        event(FlowEventKind::Login, T0 + 145, 2),
        event(FlowEventKind::Refresh, T0 + 833, 4),
        event(FlowEventKind::Logout, T0 + 2009, 6),
    ];
    let findings = vec![
        finding(
            "cookie.httponly",
            Status::Pass,
            Severity::Medium,
            "__Host-sid has HttpOnly",
            vec![],
        ),
        finding(
            "cookie.samesite",
            Status::Warn,
            Severity::Low,
            "__Host-sid is SameSite=Lax, not Strict",
            vec![ev(
                Some(2),
                Some(1),
                "response header Set-Cookie",
                "SameSite=Lax",
            )],
        ),
        finding(
            "session.logout-revokes",
            Status::Fail,
            Severity::High,
            "session #1 still accepted 0.4s after logout",
            vec![
                ev(Some(6), None, "logout", "204 No Content"),
                ev(Some(7), Some(1), "replay after logout", "200 OK"),
            ],
        ),
        finding(
            "jwt.alg",
            Status::Pass,
            Severity::High,
            "access tokens use HS256",
            vec![],
        ),
        finding(
            "jwt.exp",
            Status::Info,
            Severity::Info,
            "access tokens live 5m",
            vec![ev(None, Some(2), "claim exp", "+5m")],
        ),
        finding(
            "transport.https",
            Status::NotTested,
            Severity::Medium,
            "plain http port closed",
            vec![],
        ),
        finding(
            "refresh.rotation",
            Status::Pass,
            Severity::High,
            "refresh rotates the access token",
            vec![],
        ),
        finding(
            "cache.no-store",
            Status::Warn,
            Severity::Low,
            "token response lacks Cache-Control: no-store",
            vec![ev(Some(4), None, "response headers", "no Cache-Control")],
        ),
    ];
    Run {
        id: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".into(),
        profile_name: "demo".into(),
        targets: vec![base.into()],
        scenarios: vec!["lifecycle".into()],
        started_at: T0,
        finished_at: Some(T0 + 3410),
        status: RunStatus::Completed,
        error: None,
        exchanges,
        credentials: vec![session, access1, refresh, access2],
        observations,
        events,
        findings,
        results: Vec::new(),
        jwt_keys: Vec::new(),
        revealed: false,
    }
}

/// Strings a hostile target could plant: terminal escapes, XML breakers, controls XML 1.0 forbids.
pub(crate) const HOSTILE: &str = "\x1b[31mEVIL\x1b[0m ]]><![CDATA[ <x a=\"q\"> & 'apos' \x00\x07\x0b\u{fffe}\u{202e}\u{9b}2J\r\n";

/// The sample run with hostile text in every place that carries captured content.
pub(crate) fn hostile_run() -> Run {
    let mut run = sample_run();
    run.profile_name = format!("demo {HOSTILE}");
    run.targets.push(format!("https://evil.test/{HOSTILE}"));
    run.error = Some(ErrorInfo {
        code: "flow.step".into(),
        message: HOSTILE.into(),
    });
    run.status = RunStatus::Failed;
    run.exchanges[2].label = format!("probe {HOSTILE}");
    run.exchanges[2].hops[0].request.url = format!("https://app.example.test/api/me?q={HOSTILE}");
    run.exchanges[1].hops[0].response.as_mut().unwrap().headers[1].value =
        format!("/account{HOSTILE}");
    run.exchanges[8].error.as_mut().unwrap().message = HOSTILE.into();
    run.credentials[0].label = format!("session {HOSTILE}");
    run.credentials[0].carrier = Carrier::Cookie {
        name: format!("sid{HOSTILE}"),
        raw: String::new(),
    };
    for f in &mut run.findings {
        f.summary = format!("{} {HOSTILE}", f.summary);
        f.title = format!("{} {HOSTILE}", f.title);
        f.explanation = HOSTILE.into();
        f.references.push(HOSTILE.into());
        for e in &mut f.evidence {
            e.detail = HOSTILE.into();
            e.location = HOSTILE.into();
        }
    }
    run.findings[0].check_id = format!("cookie.{HOSTILE}");
    run
}
