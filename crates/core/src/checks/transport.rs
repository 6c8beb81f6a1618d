//! Transport and browser policy: https only (TR1), HSTS (TR2), no-store on credential responses (TR3).

use crate::model::{Exchange, Purpose, Severity, StepKind};

use super::util::{
    CACHE_DIRECTIVES, Ctx, HSTS_DIRECTIVES, MIN_SEARCHED_SECRET_LEN, Outcome, Role, carries,
    evidence, is_success, list, scrub_directives, scrub_label, scrub_url, secs_text, value_forms,
};

/// One year: the HSTS max-age below which the policy is too short to matter.
const HSTS_MIN_MAX_AGE: u64 = 31_536_000;

fn scheme(url: &str) -> Option<String> {
    url::Url::parse(url).ok().map(|u| u.scheme().to_string())
}

/// "login (exchange 2)", safe to display.
fn name(ctx: &Ctx, e: &Exchange) -> String {
    format!("{} (exchange {})", scrub_label(ctx.run, &e.label), e.id)
}

pub(crate) fn https(ctx: &Ctx) -> Outcome {
    let run = ctx.run;
    if run.exchanges.is_empty() {
        return Outcome::not_tested("no traffic was recorded");
    }
    let secrets: Vec<_> = run
        .credentials
        .iter()
        .filter(|c| c.value.len() >= MIN_SEARCHED_SECRET_LEN)
        .map(|c| (c, value_forms(&c.value)))
        .collect();
    let mut fails: Vec<String> = Vec::new();
    let mut warns: Vec<String> = Vec::new();
    let mut passes: Vec<String> = Vec::new();
    let mut ev = Vec::new();
    let mut all_https = true;

    // Credentials the flow itself sent over plain http. Our plain-http probe is left out: what a browser
    // would send there is cookie.secure's business.
    for e in run
        .exchanges
        .iter()
        .filter(|e| e.purpose != Purpose::PlainHttp)
    {
        for (i, hop) in e.hops.iter().enumerate() {
            if scheme(&hop.request.url).as_deref() != Some("http") {
                continue;
            }
            all_https = false;
            let req = &hop.request;
            let mut sent: Vec<String> = Vec::new();
            if i == 0 && e.step == StepKind::Login && e.purpose == Purpose::Flow {
                sent.push("the login request".to_string());
            }
            if req.header("cookie").is_some_and(|v| !v.trim().is_empty()) {
                sent.push("a Cookie header".to_string());
            }
            if req.header("authorization").is_some() {
                sent.push("an Authorization header".to_string());
            }
            let body = req.body.text.as_deref().unwrap_or("");
            for (c, forms) in &secrets {
                if carries(&req.url, forms) || carries(body, forms) {
                    sent.push(c.label.clone());
                }
            }
            if !sent.is_empty() {
                let fact = format!("{} sent {} over plain http", name(ctx, e), list(&sent));
                ev.push(evidence(
                    Some(e.id),
                    None,
                    "request URL",
                    format!("{fact}: {} {}", req.method, scrub_url(run, &req.url)),
                ));
                fails.push(fact);
            }
        }
    }

    // The plain-http probe: the answer should be a redirect to https (judged on the first hop, followed or not).
    let probes: Vec<&Exchange> = run
        .exchanges
        .iter()
        .filter(|e| e.purpose == Purpose::PlainHttp)
        .collect();
    for p in &probes {
        let Some(hop) = p.hops.first() else { continue };
        let url = scrub_url(run, &hop.request.url);
        let Some(r) = &hop.response else {
            let why = p
                .error
                .as_ref()
                .map_or("no response".to_string(), |e| e.code.clone());
            passes.push(format!("plain http is not served ({why})"));
            ev.push(evidence(
                Some(p.id),
                None,
                "request URL",
                format!("GET {url}: {why}"),
            ));
            continue;
        };
        let location = r.header("location").unwrap_or("");
        ev.push(evidence(
            Some(p.id),
            None,
            "response status and header Location",
            format!(
                "GET {url} answered {} {}",
                r.status,
                if location.is_empty() {
                    String::new()
                } else {
                    scrub_url(run, location)
                }
            )
            .trim_end()
            .to_string(),
        ));
        if is_success(Some(r.status)) {
            fails.push(format!(
                "plain http {url} answered {} instead of redirecting to https",
                r.status
            ));
        } else if (300..400).contains(&r.status) {
            let target = url::Url::parse(&hop.request.url)
                .ok()
                .and_then(|base| base.join(location).ok());
            match target.as_ref().map(|t| t.scheme()) {
                Some("https") => {
                    passes.push(format!("plain http redirects to https ({})", r.status))
                }
                _ => warns.push(format!(
                    "plain http answers {} with a redirect that is not to https",
                    r.status
                )),
            }
        } else {
            passes.push(format!(
                "plain http answered {} (nothing served over http)",
                r.status
            ));
        }
    }

    if !fails.is_empty() {
        return Outcome::fail(Severity::High, list(&fails)).with(ev);
    }
    if !warns.is_empty() {
        return Outcome::warn(Severity::Medium, list(&warns)).with(ev);
    }
    if probes.is_empty() {
        let what = if all_https {
            "all traffic was https"
        } else {
            "no credential travelled over plain http"
        };
        return Outcome::pass(format!(
            "{what} (plain-http redirect not probed: set http_base_url)"
        ))
        .with(ev);
    }
    passes.dedup();
    let tail = if all_https {
        "; all other traffic was https"
    } else {
        "; no credential travelled over plain http"
    };
    Outcome::pass(format!("{}{tail}", list(&passes))).with(ev)
}

/// The max-age of a Strict-Transport-Security value, when it has a valid one.
fn hsts_max_age(value: &str) -> Option<u64> {
    value.split(';').find_map(|d| {
        let (k, v) = d.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| v.trim().trim_matches('"').parse().ok())?
    })
}

pub(crate) fn hsts(ctx: &Ctx) -> Outcome {
    let run = ctx.run;
    let mut missing: Vec<String> = Vec::new();
    let mut short: Vec<(u64, String)> = Vec::new();
    let mut shortest: Option<u64> = None;
    let mut ev = Vec::new();
    let mut judged = 0;
    for e in run.exchanges.iter().filter(|e| e.purpose == Purpose::Flow) {
        let Some(hop) = e.hops.last() else { continue };
        let (Some(r), Some("https")) = (&hop.response, scheme(&hop.request.url).as_deref()) else {
            continue;
        };
        judged += 1;
        match r.header("strict-transport-security") {
            None => {
                missing.push(name(ctx, e));
                ev.push(evidence(
                    Some(e.id),
                    None,
                    "response header Strict-Transport-Security",
                    "absent",
                ));
            }
            Some(v) => {
                let shown = format!(
                    "Strict-Transport-Security: {}",
                    scrub_directives(v, HSTS_DIRECTIVES)
                );
                ev.push(evidence(
                    Some(e.id),
                    None,
                    "response header Strict-Transport-Security",
                    shown,
                ));
                match hsts_max_age(v) {
                    None => missing.push(format!("{} (no valid max-age)", name(ctx, e))),
                    Some(age) => {
                        shortest = Some(shortest.map_or(age, |s| s.min(age)));
                        if age < HSTS_MIN_MAX_AGE {
                            short.push((age, name(ctx, e)));
                        }
                    }
                }
            }
        }
    }
    if judged == 0 {
        return Outcome::not_tested("no https response to judge");
    }
    if !missing.is_empty() {
        return Outcome::warn(
            Severity::Medium,
            format!("no Strict-Transport-Security on {}", list(&missing)),
        )
        .with(ev);
    }
    if let Some((age, _)) = short.iter().min_by_key(|(a, _)| *a) {
        let names: Vec<String> = short.iter().map(|(_, n)| n.clone()).collect();
        return Outcome::warn(
            Severity::Low,
            format!(
                "HSTS max-age={age} ({}) is below one year on {}",
                secs_text(i64::try_from(*age).unwrap_or(i64::MAX)),
                list(&names)
            ),
        )
        .with(ev);
    }
    let age = shortest.unwrap_or(HSTS_MIN_MAX_AGE);
    Outcome::pass(format!(
        "every https response ({judged}) sets HSTS with max-age of at least {age} ({})",
        secs_text(i64::try_from(age).unwrap_or(i64::MAX))
    ))
    .with(ev)
}

fn has_no_store(cache_control: Option<&str>) -> bool {
    cache_control.is_some_and(|v| {
        v.split(',')
            .any(|d| d.trim().eq_ignore_ascii_case("no-store"))
    })
}

pub(crate) fn no_store(ctx: &Ctx) -> Outcome {
    let run = ctx.run;
    let mut bad: Vec<String> = Vec::new();
    let mut good: Vec<String> = Vec::new();
    let mut ev = Vec::new();
    for e in run.exchanges.iter().filter(|e| {
        e.purpose == Purpose::Flow && matches!(e.step, StepKind::Login | StepKind::Refresh)
    }) {
        let issued: Vec<_> = run
            .credentials
            .iter()
            .filter(|c| c.issued_by == e.id)
            .map(|c| (c, value_forms(&c.value)))
            .collect();
        // The responses (hops) that carried a credential: an auth Set-Cookie, or a credential value.
        let mut issuing: Vec<(usize, Vec<String>)> = Vec::new();
        for (i, hop) in e.hops.iter().enumerate() {
            let Some(r) = &hop.response else { continue };
            let mut what: Vec<String> = ctx
                .cookies
                .iter()
                .filter(|c| {
                    c.exchange.id == e.id && c.hop == i && c.role == Role::Auth && c.is_live()
                })
                .map(|c| c.label())
                .collect();
            let body = r.body.text.as_deref().unwrap_or("");
            for (c, forms) in &issued {
                let carried = c.value.len() >= 4
                    && (carries(body, forms) || r.headers.iter().any(|h| carries(&h.value, forms)));
                if carried && !what.iter().any(|w| w.starts_with(&c.label)) {
                    what.push(c.label.clone());
                }
            }
            if !what.is_empty() {
                issuing.push((i, what));
            }
        }
        if issuing.is_empty() && !issued.is_empty() && e.final_response().is_some() {
            issuing.push((
                e.hops.len() - 1,
                issued.iter().map(|(c, _)| c.label.clone()).collect(),
            ));
        }
        for (i, what) in issuing {
            let Some(r) = &e.hops[i].response else {
                continue;
            };
            let cc = r.header("cache-control");
            let shown = cc.map_or("absent".to_string(), |v| {
                format!("Cache-Control: {}", scrub_directives(v, CACHE_DIRECTIVES))
            });
            ev.push(evidence(
                Some(e.id),
                None,
                "response header Cache-Control",
                format!("{shown} on the response that issued {}", list(&what)),
            ));
            let n = name(ctx, e);
            if has_no_store(cc) {
                if !good.contains(&n) {
                    good.push(n);
                }
            } else if !bad.contains(&n) {
                bad.push(n);
            }
        }
    }
    if !bad.is_empty() {
        return Outcome::fail(
            Severity::Medium,
            format!(
                "{} issued credentials without Cache-Control: no-store",
                list(&bad)
            ),
        )
        .with(ev);
    }
    if good.is_empty() {
        return Outcome::not_tested("no login or refresh response issued a credential");
    }
    Outcome::pass(format!(
        "{} issued credentials with Cache-Control: no-store",
        list(&good)
    ))
    .with(ev)
}

#[cfg(test)]
mod tests {
    use crate::checks::util::testkit::*;
    use crate::model::{
        CredentialKind::*,
        Purpose::*,
        Severity, Status,
        StepKind::{self, Extra, Login, Logout, Probe},
    };

    const SID: &str = "__Host-sid=post-login-id-0002; Path=/; Secure; HttpOnly; SameSite=Lax";

    #[test]
    fn https_passes_without_probe_when_all_traffic_is_https() {
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.cookie_credential("session", Session, SID, login, "lifecycle");
        let f = b.finding("transport.https");
        assert_eq!(f.status, Status::Pass);
        assert_eq!(
            f.summary,
            "all traffic was https (plain-http redirect not probed: set http_base_url)"
        );
        assert_eq!(
            RunBuilder::new().finding("transport.https").status,
            Status::NotTested
        );
    }

    #[test]
    fn https_plain_http_probe() {
        let mut b = RunBuilder::new();
        b.exchange(Login, Flow, "/login");
        let p = b.exchange(Extra, PlainHttp, "http://app.example.com/login");
        b.status(p, 301)
            .resp_header(p, "Location", "https://app.example.com/login");
        let f = b.finding("transport.https");
        assert_eq!(f.status, Status::Pass, "{f:?}");
        assert!(
            f.summary.starts_with("plain http redirects to https (301)"),
            "{}",
            f.summary
        );
        b.status(p, 200);
        let f = b.finding("transport.https");
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::High));
        assert!(
            f.summary.contains("answered 200 instead of redirecting"),
            "{}",
            f.summary
        );
        b.status(p, 302).ex(p).hops[0]
            .response
            .as_mut()
            .unwrap()
            .headers[0]
            .value = "http://app.example.com/x".into();
        assert_eq!(b.finding("transport.https").status, Status::Warn);
        b.no_response(p);
        assert_eq!(b.finding("transport.https").status, Status::Pass);
    }

    #[test]
    fn https_fails_when_credentials_travel_over_http() {
        let mut b = RunBuilder::new();
        b.run.targets = vec!["http://app.example.com".into()];
        let login = b.exchange(Login, Flow, "http://app.example.com/login");
        b.req_body(login, "user=alice&password=hunter2");
        let f = b.finding("transport.https");
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::High));
        assert!(
            f.summary.contains("sent the login request over plain http"),
            "{}",
            f.summary
        );
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.cookie_credential("session", Session, SID, login, "lifecycle");
        let probe = b.exchange(Probe, Flow, "http://app.example.com/me");
        b.req_header(probe, "Cookie", "__Host-sid=post-login-id-0002");
        let f = b.finding("transport.https");
        assert_eq!(f.status, Status::Fail);
        assert!(f.summary.contains("a Cookie header"), "{}", f.summary);
        // Our own plain-http probe sending a (non-Secure) cookie is cookie.secure's finding, not this one.
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.cookie_credential("session", Session, SID, login, "lifecycle");
        let p = b.exchange(Extra, PlainHttp, "http://app.example.com/login");
        b.req_header(p, "Cookie", "sid=x")
            .status(p, 308)
            .resp_header(p, "Location", "https://app.example.com/login");
        assert_eq!(b.finding("transport.https").status, Status::Pass);
    }

    #[test]
    fn evidence_never_shows_unknown_values_nor_cuts_a_secret() {
        let pw = "hunter2-is-my-password";
        let mut b = RunBuilder::new();
        b.run.targets = vec!["http://app.example.com".into()];
        let url = format!(
            "http://app.example.com/login?user=alice&password={pw}&{}",
            "pad=x&".repeat(60)
        );
        b.exchange(Login, Flow, &url);
        let f = b.finding("transport.https");
        assert_eq!(f.status, Status::Fail);
        assert!(!format!("{f:?}").contains("hunter2"), "{f:?}");
        let detail = &f.evidence[0].detail;
        assert!(
            detail.contains(
                "GET http://app.example.com/login?user=‹5 chars›&password=‹22 chars›&pad="
            ),
            "{detail}"
        );
        assert!(detail.ends_with('…'), "{detail}");
        // Header values: known directives and numbers only.
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.resp_header(
            login,
            "Strict-Transport-Security",
            &format!("max-age=31536000; includeSubDomains; x={pw}"),
        );
        b.cookie_credential("session", Session, SID, login, "lifecycle");
        b.resp_header(login, "Cache-Control", &format!("private, No-Store, {pw}"));
        let hsts = b.finding("transport.hsts");
        assert_eq!(
            hsts.evidence[0].detail,
            "Strict-Transport-Security: max-age=31536000; includeSubDomains; \
             ‹unknown directive of 1 chars›=‹22 chars›"
        );
        let cache = b.finding("cache.no-store");
        assert!(
            cache.evidence[0]
                .detail
                .starts_with("Cache-Control: private, No-Store, ‹unknown directive of 22 chars›"),
            "{:?}",
            cache.evidence
        );
    }

    #[test]
    fn hsts() {
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.resp_header(
            login,
            "Strict-Transport-Security",
            "max-age=63072000; includeSubDomains",
        );
        let probe = b.exchange(Probe, Flow, "/me");
        b.resp_header(probe, "strict-transport-security", "max-age=\"31536000\"");
        let f = b.finding("transport.hsts");
        assert_eq!(f.status, Status::Pass, "{f:?}");
        assert!(
            f.summary.contains("at least 31536000 (365days)"),
            "{}",
            f.summary
        );
        let other = b.exchange(Probe, Flow, "/other");
        b.resp_header(other, "Strict-Transport-Security", "max-age=86400");
        let f = b.finding("transport.hsts");
        assert_eq!((f.status, f.severity), (Status::Warn, Severity::Low));
        assert_eq!(
            f.summary,
            "HSTS max-age=86400 (1day) is below one year on probe (exchange 3)"
        );
        b.exchange(Logout, Flow, "/logout");
        let f = b.finding("transport.hsts");
        assert_eq!((f.status, f.severity), (Status::Warn, Severity::Medium));
        assert_eq!(
            f.summary,
            "no Strict-Transport-Security on logout (exchange 4)"
        );
        // Replays and http responses are not judged.
        let mut b = RunBuilder::new();
        b.exchange(Probe, ReplayAfterLogout, "/me");
        b.exchange(Login, Flow, "http://app.example.com/login");
        assert_eq!(b.finding("transport.hsts").status, Status::NotTested);
    }

    #[test]
    fn no_store() {
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.cookie_credential("session", Session, SID, login, "lifecycle");
        let f = b.finding("cache.no-store");
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::Medium));
        assert_eq!(
            f.summary,
            "login (exchange 1) issued credentials without Cache-Control: no-store"
        );
        assert_eq!(
            f.evidence[0].detail,
            "absent on the response that issued session #1 (__Host-sid)"
        );
        b.resp_header(login, "Cache-Control", "private, No-Store");
        let f = b.finding("cache.no-store");
        assert_eq!(f.status, Status::Pass, "{f:?}");
        let r = b.exchange(StepKind::Refresh, Flow, "/token");
        b.json_credential("access", Access, "access-token-value-2", r, "lifecycle");
        b.resp_header(r, "Cache-Control", "no-cache");
        let f = b.finding("cache.no-store");
        assert_eq!(f.status, Status::Fail);
        assert_eq!(
            f.summary,
            "refresh (exchange 2) issued credentials without Cache-Control: no-store"
        );
        // Only the hop that carried the credential is judged (a login redirect's landing page is not).
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.status(login, 302)
            .resp_header(login, "Cache-Control", "no-store");
        b.cookie_credential("session", Session, SID, login, "lifecycle");
        b.hop(login, "https://app.example.com/home", 200);
        assert_eq!(b.finding("cache.no-store").status, Status::Pass);
        // Nothing issued: not tested.
        let mut b = RunBuilder::new();
        b.exchange(Login, Flow, "/login");
        assert_eq!(b.finding("cache.no-store").status, Status::NotTested);
    }
}
