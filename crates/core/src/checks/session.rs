//! Sessions and revocation: fixation (SE2), logout (SE3), ids in URLs (SE5), tokens handed to JS (SE6).

use crate::model::{
    Carrier, Credential, CredentialKind, ExpirySource, FlowEventKind, Observation, Purpose,
    Severity, Status, Verdict,
};

use super::util::{
    Ctx, MIN_SEARCHED_SECRET_LEN, Outcome, carries, credential_evidence, list, rank, scrub_url,
    secs_text, value_forms,
};

const LIFECYCLE: &str = "lifecycle";

fn http(o: &Observation) -> String {
    o.status
        .map_or_else(|| "no response".to_string(), |s| format!("HTTP {s}"))
}

/// Two credentials fill the same slot: the same cookie name, or the same profile variable otherwise.
fn same_slot(a: &Credential, b: &Credential) -> bool {
    match (&a.carrier, &b.carrier) {
        (Carrier::Cookie { name: x, .. }, Carrier::Cookie { name: y, .. }) => x == y,
        _ => a.name == b.name,
    }
}

fn carrier_location(c: &Credential) -> String {
    match &c.carrier {
        Carrier::Cookie { .. } => "response header Set-Cookie".to_string(),
        Carrier::JsonBody { pointer } => format!("response body JSON {pointer}"),
        Carrier::Header { name } => format!("response header {name}"),
        Carrier::Html { selector } => format!("response body HTML {selector}"),
        Carrier::Regex { .. } => "response body".to_string(),
    }
}

pub(crate) fn fixation(ctx: &Ctx) -> Outcome {
    let run = ctx.run;
    let pre: Vec<&Credential> = run
        .credentials
        .iter()
        .filter(|c| c.kind == CredentialKind::PreLoginSession && c.scenario == LIFECYCLE)
        .collect();
    if pre.is_empty() {
        return Outcome::not_tested(
            "no pre-login session id was captured (a prefetch step must set the session cookie)",
        );
    }
    let login_at = run.event(FlowEventKind::Login, LIFECYCLE).map(|e| e.at);
    let mut fails = Vec::new();
    let mut passes = Vec::new();
    let mut unknown = Vec::new();
    let mut ev = Vec::new();
    for p in pre {
        let after_login: Vec<&Credential> = run
            .credentials
            .iter()
            .filter(|c| {
                c.kind == CredentialKind::Session && c.scenario == LIFECYCLE && same_slot(c, p)
            })
            .collect();
        if let Some(kept) = after_login.iter().find(|c| c.value == p.value) {
            fails.push(format!(
                "{} was kept at login (it is {}): the id did not change",
                p.label, kept.label
            ));
            ev.push(credential_evidence(
                kept,
                kept.issued_by,
                carrier_location(kept),
                &format!("{} has the value of {}", kept.label, p.label),
            ));
        }
        let replays: Vec<&Observation> = run
            .observations_of(p.id)
            .filter(|o| {
                o.purpose == Purpose::FixationReplay
                    || (o.purpose == Purpose::Flow
                        && (matches!(
                            o.after_event,
                            Some(FlowEventKind::Login | FlowEventKind::Refresh)
                        ) || login_at.is_some_and(|t| o.at >= t)))
            })
            .collect();
        for o in &replays {
            ev.push(credential_evidence(
                p,
                o.exchange_id,
                format!("pre-login id replayed after login ({})", http(o)),
                &format!("{} {:?}", p.label, o.verdict).to_lowercase(),
            ));
        }
        if let Some(o) = replays.iter().find(|o| o.verdict == Verdict::Accepted) {
            fails.push(format!(
                "pre-login id {} was accepted after login ({})",
                p.label,
                http(o)
            ));
        } else if replays.iter().any(|o| o.verdict == Verdict::Rejected) {
            passes.push(format!(
                "{} was replaced at login and rejected afterwards",
                p.label
            ));
        } else if let Some(o) = replays.first() {
            unknown.push(format!(
                "the replay of {} after login was inconclusive ({})",
                p.label,
                http(o)
            ));
        } else if let Some(new) = after_login.first() {
            passes.push(format!(
                "{} was replaced by {} at login (not replayed)",
                p.label, new.label
            ));
        } else {
            unknown.push(format!(
                "no session id was issued after login to compare with {}",
                p.label
            ));
        }
    }
    if !fails.is_empty() {
        Outcome::fail(Severity::High, fails.join("; ")).with(ev)
    } else if !unknown.is_empty() {
        Outcome::not_tested(unknown.join("; ")).with(ev)
    } else {
        Outcome::pass(passes.join("; ")).with(ev)
    }
}

pub(crate) fn logout(ctx: &Ctx) -> Outcome {
    let run = ctx.run;
    let Some(lifecycle_logout) = run.event(FlowEventKind::Logout, LIFECYCLE) else {
        return Outcome::not_tested("the lifecycle scenario did not log out");
    };
    // Replays grouped per credential, in order of first replay.
    let mut per_credential: Vec<(&Credential, Vec<&Observation>)> = Vec::new();
    for o in run
        .observations
        .iter()
        .filter(|o| o.purpose == Purpose::ReplayAfterLogout)
    {
        let Some(c) = run.credential(o.credential_id) else {
            continue;
        };
        if !(c.kind.authenticates() || c.kind == CredentialKind::PreLoginSession) {
            continue;
        }
        match per_credential.iter_mut().find(|(x, _)| x.id == c.id) {
            Some((_, v)) => v.push(o),
            None => per_credential.push((c, vec![o])),
        }
    }
    if per_credential.is_empty() {
        return Outcome::not_tested("no credential was replayed after logout");
    }
    let tolerance_ms = ctx.cfg.revocation_gap_tolerance_secs.saturating_mul(1000);
    // (status, severity, fact)
    let mut verdicts: Vec<(Status, Option<Severity>, String)> = Vec::new();
    let mut ev = Vec::new();
    for (c, obs) in &per_credential {
        for o in obs {
            let word = format!("{:?}", o.verdict).to_lowercase();
            ev.push(credential_evidence(
                c,
                o.exchange_id,
                format!("replay after logout ({})", http(o)),
                &format!("{} {word}", c.label),
            ));
        }
        let logout_at = run
            .event(FlowEventKind::Logout, &c.scenario)
            .unwrap_or(lifecycle_logout)
            .at;
        if let Some(o) = obs.iter().find(|o| o.verdict == Verdict::Accepted) {
            let still = format!("{} still accepted after logout ({})", c.label, http(o));
            let verdict = match (c.kind, c.declared_expiry) {
                (CredentialKind::Access | CredentialKind::Id, Some(exp)) if o.at > exp => (
                    Status::Fail,
                    Some(Severity::High),
                    format!("{still}, even past its declared expiry"),
                ),
                (CredentialKind::Access | CredentialKind::Id, Some(exp)) => {
                    let remaining = exp.saturating_sub(logout_at);
                    let until = if c.expiry_source == Some(ExpirySource::JwtExp) {
                        "exp"
                    } else {
                        "its declared expiry"
                    };
                    let left = secs_text((remaining.max(0) + 500) / 1000);
                    if remaining <= tolerance_ms {
                        (
                            Status::Warn,
                            Some(Severity::Low),
                            format!(
                                "{} still accepted after logout; it stays valid until {until} in {left}: the stateless revocation gap",
                                c.label
                            ),
                        )
                    } else {
                        (
                            Status::Fail,
                            Some(Severity::High),
                            format!(
                                "{still} and stays valid until {until} in {left}, beyond the {} tolerated revocation gap",
                                secs_text(ctx.cfg.revocation_gap_tolerance_secs)
                            ),
                        )
                    }
                }
                (CredentialKind::Access | CredentialKind::Id, None) => (
                    Status::Fail,
                    Some(Severity::High),
                    format!("{still} and declares no expiry"),
                ),
                _ => (Status::Fail, Some(Severity::High), still),
            };
            verdicts.push(verdict);
        } else if obs.iter().any(|o| o.verdict == Verdict::Rejected) {
            verdicts.push((Status::Pass, None, c.label.clone()));
        } else {
            verdicts.push((
                Status::NotTested,
                None,
                format!("{} inconclusive after logout ({})", c.label, http(obs[0])),
            ));
        }
    }
    // Problems first, worst first; then anything inconclusive; else every replay was rejected.
    verdicts.sort_by_key(|(s, sev, _)| std::cmp::Reverse((rank(*s), *sev)));
    let (status, severity) = (verdicts[0].0, verdicts[0].1);
    let facts: Vec<String> = verdicts
        .iter()
        .filter(|(s, _, _)| *s == status || (status.is_problem() && s.is_problem()))
        .map(|(_, _, f)| f.clone())
        .collect();
    let outcome = match status {
        Status::Fail => Outcome::fail(severity.unwrap_or(Severity::High), facts.join("; ")),
        Status::Warn => Outcome::warn(severity.unwrap_or(Severity::Low), facts.join("; ")),
        Status::NotTested => Outcome::not_tested(facts.join("; ")),
        _ => {
            let were = if facts.len() == 1 { "was" } else { "were" };
            Outcome::pass(format!("{} {were} rejected after logout", list(&facts)))
        }
    };
    outcome.with(ev)
}

/// Where in a request URL a value (in any of its forms, percent-decoded or not) sits.
fn url_part(url: &str, forms: &[String]) -> &'static str {
    match url::Url::parse(url) {
        Ok(u) if u.query().is_some_and(|q| carries(q, forms)) => "query",
        Ok(u) if u.fragment().is_some_and(|f| carries(f, forms)) => "fragment",
        Ok(u) if carries(u.path(), forms) => "path",
        _ => "URL",
    }
}

fn authenticating(c: &Credential) -> bool {
    c.kind.authenticates() || c.kind == CredentialKind::PreLoginSession
}

pub(crate) fn in_url(ctx: &Ctx) -> Outcome {
    let run = ctx.run;
    let creds: Vec<(&Credential, Vec<String>)> = run
        .credentials
        .iter()
        .filter(|c| authenticating(c) && c.value.len() >= MIN_SEARCHED_SECRET_LEN)
        .map(|c| (c, value_forms(&c.value)))
        .collect();
    if creds.is_empty() {
        return Outcome::not_tested("no credentials were captured");
    }
    let mut facts: Vec<String> = Vec::new();
    let mut ev = Vec::new();
    for e in &run.exchanges {
        for hop in &e.hops {
            let location = hop.response.as_ref().and_then(|r| r.header("location"));
            for (c, forms) in &creds {
                // As written, percent-decoded, JSON-escaped...: `?sid=ab%2Bcd` carries `ab+cd`.
                let in_request = carries(&hop.request.url, forms);
                let in_location = location.is_some_and(|l| carries(l, forms));
                let mut record = |place: String| {
                    let fact = format!("{} in the {place}", c.label);
                    if !facts.contains(&fact) {
                        facts.push(fact.clone());
                    }
                    ev.push(credential_evidence(
                        c,
                        e.id,
                        place.clone(),
                        &format!(
                            "{fact} of {} {}",
                            hop.request.method,
                            scrub_url(run, &hop.request.url)
                        ),
                    ));
                };
                if in_request {
                    record(format!("request URL {}", url_part(&hop.request.url, forms)));
                }
                if in_location {
                    record("response header Location".to_string());
                }
            }
        }
    }
    if facts.is_empty() {
        let labels: Vec<String> = creds.iter().map(|(c, _)| c.label.clone()).collect();
        return Outcome::pass(format!(
            "no URL or Location header contains {}",
            list(&labels)
        ));
    }
    Outcome::fail(Severity::Medium, list(&facts)).with(ev)
}

pub(crate) fn js_readable(ctx: &Ctx) -> Outcome {
    let run = ctx.run;
    if !run.credentials.iter().any(authenticating) {
        return Outcome::not_tested("no credentials were captured");
    }
    let mut exposed: Vec<&Credential> = Vec::new();
    for c in run.credentials.iter().filter(|c| {
        matches!(
            c.kind,
            CredentialKind::Access | CredentialKind::Refresh | CredentialKind::Id
        ) && matches!(c.carrier, Carrier::JsonBody { .. })
    }) {
        // One per variable: every generation travels the same way.
        if !exposed.iter().any(|x| x.name == c.name && x.kind == c.kind) {
            exposed.push(c);
        }
    }
    if exposed.is_empty() {
        return Outcome::pass("no access, refresh or ID token arrived in a JSON body");
    }
    let ev = exposed
        .iter()
        .map(|c| {
            credential_evidence(
                c,
                c.issued_by,
                carrier_location(c),
                &format!("{} returned in the JSON body", c.label),
            )
        })
        .collect();
    let facts: Vec<String> = exposed
        .iter()
        .map(|c| match &c.carrier {
            Carrier::JsonBody { pointer } => format!("{} ({pointer})", c.label),
            _ => c.label.clone(),
        })
        .collect();
    let has_refresh = exposed.iter().any(|c| c.kind == CredentialKind::Refresh);
    let summary = format!(
        "{} arrived in a JSON body: {} will live in JavaScript-readable storage{}",
        list(&facts),
        if exposed.len() == 1 { "it" } else { "they" },
        if has_refresh {
            " (a refresh token belongs in an HttpOnly cookie)"
        } else {
            ""
        }
    );
    let severity = if has_refresh {
        Severity::Medium
    } else {
        Severity::Low
    };
    Outcome::warn(severity, summary).with(ev)
}

#[cfg(test)]
mod tests {
    use crate::checks::CheckConfig;
    use crate::checks::util::testkit::*;
    use crate::model::{
        Carrier,
        CredentialKind::*,
        FlowEventKind,
        Purpose::*,
        Severity, Status,
        StepKind::{self, Login, Logout, Prefetch, Probe},
        Verdict::*,
    };

    const SID1: &str = "__Host-sid=pre-login-id-0001; Path=/; Secure; HttpOnly; SameSite=Lax";
    const SID2: &str = "__Host-sid=post-login-id-0002; Path=/; Secure; HttpOnly; SameSite=Lax";

    /// prefetch (pre-login id) → login (new or same id) → fixation replay.
    fn fixation_run(same_id: bool, replay: Option<crate::model::Verdict>) -> RunBuilder {
        let mut b = RunBuilder::new();
        let pre = b.exchange(Prefetch, Flow, "/login");
        let p = b.cookie_credential("session", PreLoginSession, SID1, pre, "lifecycle");
        let login = b.exchange(Login, Flow, "/login");
        b.event(FlowEventKind::Login, login, "lifecycle");
        b.cookie_credential(
            "session",
            Session,
            if same_id { SID1 } else { SID2 },
            login,
            "lifecycle",
        );
        if let Some(v) = replay {
            let r = b.exchange(Probe, FixationReplay, "/me");
            b.observe(p, r, v, FixationReplay);
        }
        b
    }

    #[test]
    fn fixation() {
        let f = fixation_run(false, Some(Rejected)).finding("session.fixation");
        assert_eq!(f.status, Status::Pass, "{f:?}");
        assert_eq!(
            f.summary,
            "session #1 was replaced at login and rejected afterwards"
        );
        let f = fixation_run(true, Some(Accepted)).finding("session.fixation");
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::High));
        assert!(
            f.summary.contains("kept at login") && f.summary.contains("accepted after login"),
            "{}",
            f.summary
        );
        assert!(!format!("{f:?}").contains("pre-login-id-0001"));
        let f = fixation_run(false, Some(Accepted)).finding("session.fixation");
        assert_eq!(f.status, Status::Fail);
        assert_eq!(
            f.summary,
            "pre-login id session #1 was accepted after login (HTTP 200)"
        );
        assert_eq!(
            fixation_run(false, Some(Inconclusive))
                .finding("session.fixation")
                .status,
            Status::NotTested
        );
        let f = fixation_run(false, None).finding("session.fixation");
        assert_eq!(f.status, Status::Pass, "{f:?}");
        assert_eq!(
            RunBuilder::new().finding("session.fixation").status,
            Status::NotTested
        );
    }

    /// login → logout → replays, access token expiring `exp_after_logout_secs` after the logout.
    fn logout_run(
        session: crate::model::Verdict,
        access: crate::model::Verdict,
        exp_after_logout_secs: i64,
    ) -> RunBuilder {
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.event(FlowEventKind::Login, login, "lifecycle");
        let s = b.cookie_credential("session", Session, SID2, login, "lifecycle");
        let a = b.json_credential("access", Access, "access-token-value-1", login, "lifecycle");
        let logout = b.exchange(Logout, Flow, "/logout");
        b.event(FlowEventKind::Logout, logout, "lifecycle");
        let logout_at = b.run.event(FlowEventKind::Logout, "lifecycle").unwrap().at;
        b.expiry(a, Some(logout_at + exp_after_logout_secs * 1000));
        b.run.credentials[1].expiry_source = Some(crate::model::ExpirySource::JwtExp);
        let r1 = b.exchange(Probe, ReplayAfterLogout, "/me");
        b.observe(s, r1, session, ReplayAfterLogout);
        let r2 = b.exchange(Probe, ReplayAfterLogout, "/api/me");
        b.observe(a, r2, access, ReplayAfterLogout);
        b
    }

    #[test]
    fn logout() {
        let f = logout_run(Rejected, Rejected, 300).finding("session.logout");
        assert_eq!(f.status, Status::Pass);
        assert_eq!(
            f.summary,
            "session #1 and access #1 were rejected after logout"
        );
        assert_eq!(f.evidence.len(), 2);
        let f = logout_run(Accepted, Rejected, 300).finding("session.logout");
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::High));
        assert_eq!(
            f.summary,
            "session #1 still accepted after logout (HTTP 200)"
        );
        // The stateless revocation gap: the access token lives a few minutes more.
        let f = logout_run(Rejected, Accepted, 298).finding("session.logout");
        assert_eq!((f.status, f.severity), (Status::Warn, Severity::Low));
        assert_eq!(
            f.summary,
            "access #1 still accepted after logout; it stays valid until exp in 4m 58s: the stateless revocation gap"
        );
        let f = logout_run(Rejected, Accepted, 7200).finding("session.logout");
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::High));
        assert!(
            f.summary.contains("beyond the 15m tolerated"),
            "{}",
            f.summary
        );
        let cfg = CheckConfig {
            revocation_gap_tolerance_secs: 3 * 3600,
            ..CheckConfig::default()
        };
        assert_eq!(
            logout_run(Rejected, Accepted, 7200)
                .finding_with("session.logout", &cfg)
                .status,
            Status::Warn
        );
        let f = logout_run(Accepted, Accepted, 60).finding("session.logout");
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.summary.starts_with("session #1 still accepted")
                && f.summary.contains("revocation gap"),
            "{}",
            f.summary
        );
        assert_eq!(
            logout_run(Rejected, Inconclusive, 60)
                .finding("session.logout")
                .status,
            Status::NotTested
        );
        let mut b = logout_run(Rejected, Rejected, 60);
        b.run.events.retain(|e| e.kind != FlowEventKind::Logout);
        assert_eq!(b.finding("session.logout").status, Status::NotTested);
        let mut b = logout_run(Rejected, Rejected, 60);
        b.run.observations.clear();
        let f = b.finding("session.logout");
        assert_eq!(
            (f.status, f.summary.as_str()),
            (Status::NotTested, "no credential was replayed after logout")
        );
    }

    #[test]
    fn in_url() {
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.json_credential("access", Access, "access+token/value==", login, "lifecycle");
        let probe = b.exchange(Probe, Flow, "/me");
        b.req_header(probe, "Authorization", "Bearer access+token/value==");
        let f = b.finding("session.in-url");
        assert_eq!(f.status, Status::Pass, "{f:?}");
        let leak = b.exchange(Probe, Flow, "/me?access_token=access%2Btoken%2Fvalue%3D%3D");
        let f = b.finding("session.in-url");
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::Medium));
        assert_eq!(f.summary, "access #1 in the request URL query");
        assert_eq!(f.evidence[0].exchange_id, Some(leak));
        assert!(
            f.evidence[0].detail.contains("access_token=‹access #1›"),
            "{}",
            f.evidence[0].detail
        );
        assert!(!format!("{f:?}").contains("access%2Btoken"), "{f:?}");
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.cookie_credential("session", Session, SID2, login, "lifecycle");
        b.status(login, 302)
            .resp_header(login, "Location", "/home;jsessionid=post-login-id-0002");
        let f = b.finding("session.in-url");
        assert_eq!(f.status, Status::Fail);
        assert_eq!(f.evidence[0].location, "response header Location");
    }

    #[test]
    fn in_url_finds_percent_encoded_and_escaped_values() {
        // Any percent-encoding counts, lower-case hex included, in a Location header or a request URL.
        for location in [
            "/home?sid=ab%2Bcd%2Fef%3D%3D",
            "/home?sid=ab%2bcd%2fef%3d%3d",
            "/home?sid=ab+cd%2Fef%3D%3D&x=1",
            "/home#sid=ab%2Bcd/ef==",
        ] {
            let mut b = RunBuilder::new();
            let login = b.exchange(Login, Flow, "/login");
            b.json_credential("session", Session, "ab+cd/ef==", login, "lifecycle");
            b.status(login, 302)
                .resp_header(login, "Location", location);
            let f = b.finding("session.in-url");
            assert_eq!(f.status, Status::Fail, "{location}: {f:?}");
            assert_eq!(f.evidence[0].location, "response header Location");
        }
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.json_credential("session", Session, "ab+cd/ef==", login, "lifecycle");
        let leak = b.exchange(Probe, Flow, "/me?sid=ab%2bcd%2fef%3d%3d&page=2");
        let f = b.finding("session.in-url");
        assert_eq!(f.summary, "session #1 in the request URL query");
        assert_eq!(f.evidence[0].exchange_id, Some(leak));
        assert!(
            f.evidence[0]
                .detail
                .contains("https://app.example.com/me?sid=‹session #1›&page=‹1 chars›"),
            "{}",
            f.evidence[0].detail
        );
    }

    #[test]
    fn js_readable() {
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.cookie_credential("session", Session, SID2, login, "lifecycle");
        assert_eq!(b.finding("storage.js-readable").status, Status::Pass);
        b.json_credential("access", Access, "access-token-value-1", login, "lifecycle");
        let f = b.finding("storage.js-readable");
        assert_eq!((f.status, f.severity), (Status::Warn, Severity::Low));
        assert!(
            f.summary
                .starts_with("access #1 (/access_token) arrived in a JSON body"),
            "{}",
            f.summary
        );
        let r = b.exchange(StepKind::Refresh, Flow, "/refresh");
        b.credential(
            "refresh",
            Refresh,
            "refresh-token-value-1",
            Carrier::JsonBody {
                pointer: "/refresh_token".into(),
            },
            r,
            "lifecycle",
        );
        b.credential(
            "access",
            Access,
            "access-token-value-2",
            Carrier::JsonBody {
                pointer: "/access_token".into(),
            },
            r,
            "lifecycle",
        );
        let f = b.finding("storage.js-readable");
        assert_eq!((f.status, f.severity), (Status::Warn, Severity::Medium));
        assert_eq!(f.evidence.len(), 2, "one per variable: {:?}", f.evidence);
        assert_eq!(
            RunBuilder::new().finding("storage.js-readable").status,
            Status::NotTested
        );
    }
}
