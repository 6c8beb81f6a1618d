//! Cookie checks (CK1-CK7): attributes of the Set-Cookie lines that carry a login, as a browser reads them.

use crate::cookies::{self, CookieIssue, DomainScope};
use crate::model::{Purpose, Severity, Status};

use super::util::{
    CookieGroup, Ctx, Outcome, Role, SeenCookie, display, group_by_name, is_are, is_success, list,
    rank, secs_text,
};

const NO_AUTH_COOKIES: &str = "no cookies carry credentials";

/// One judged cookie: its status, problem severity and the fact in words.
struct Judged<'c, 'a> {
    status: Status,
    severity: Option<Severity>,
    cookie: &'c SeenCookie<'a>,
    label: String,
    fact: String,
}

/// "label fact" for each judged cookie.
fn facts(judged: &[Judged]) -> Vec<String> {
    judged
        .iter()
        .map(|j| format!("{} {}", j.label, j.fact))
        .collect()
}

/// "label1 and label2 are `what`".
fn all_are(judged: &[Judged], what: &str) -> String {
    let labels: Vec<String> = judged.iter().map(|j| j.label.clone()).collect();
    format!("{} {} {what}", list(&labels), is_are(labels.len()))
}

/// Turn per-cookie verdicts into one outcome: the worst status wins and its cookies are named;
/// all passing → `pass_summary`.
fn combine(judged: Vec<Judged>, pass_summary: impl FnOnce(&[Judged]) -> String) -> Outcome {
    let evidence = judged
        .iter()
        .map(|j| j.cookie.evidence(format!("{}: {}", j.label, j.fact)))
        .collect();
    let worst = judged
        .iter()
        .map(|j| (j.status, j.severity))
        .max_by_key(|(s, sev)| (rank(*s), *sev));
    let Some((status, severity)) = worst else {
        return Outcome::not_tested(NO_AUTH_COOKIES);
    };
    if status == Status::Pass {
        return Outcome::pass(pass_summary(&judged)).with(evidence);
    }
    let worst: Vec<Judged> = judged.into_iter().filter(|j| j.status == status).collect();
    let summary = list(&facts(&worst));
    let severity = severity.unwrap_or(Severity::Low);
    let outcome = if status == Status::Fail {
        Outcome::fail(severity, summary)
    } else {
        Outcome::warn(severity, summary)
    };
    outcome.with(evidence)
}

fn judge<'c, 'a>(
    group: &CookieGroup<'c, 'a>,
    bad: impl Fn(&SeenCookie) -> Option<(Status, Severity, String)>,
    good: impl Fn(&SeenCookie) -> String,
) -> Judged<'c, 'a> {
    let label = group.label();
    // The worst line of this cookie decides.
    let worst = group
        .cookies
        .iter()
        .filter_map(|c| bad(c).map(|(st, sev, fact)| (c, st, sev, fact)))
        .max_by_key(|(_, st, sev, _)| (rank(*st), *sev));
    match worst {
        Some((c, status, severity, fact)) => Judged {
            status,
            severity: Some(severity),
            cookie: c,
            label,
            fact,
        },
        None => Judged {
            status: Status::Pass,
            severity: None,
            cookie: group.first(),
            label,
            fact: good(group.first()),
        },
    }
}

pub(crate) fn httponly(ctx: &Ctx) -> Outcome {
    let groups = ctx.auth_cookie_groups();
    let judged = groups
        .iter()
        .map(|g| {
            judge(
                g,
                |c| {
                    (!c.info.http_only).then(|| {
                        (
                            Status::Fail,
                            Severity::Medium,
                            "is not HttpOnly: page scripts can read it".to_string(),
                        )
                    })
                },
                |_| "is HttpOnly".into(),
            )
        })
        .collect();
    combine(judged, |js| all_are(js, "HttpOnly"))
}

pub(crate) fn secure(ctx: &Ctx) -> Outcome {
    let plain_http_served = ctx
        .run
        .exchanges
        .iter()
        .any(|e| e.purpose == Purpose::PlainHttp && is_success(e.final_status()));
    let (severity, why) = if plain_http_served {
        (
            Severity::High,
            "has no Secure attribute, and the site answers on plain http",
        )
    } else {
        (
            Severity::Medium,
            "has no Secure attribute: browsers also send it over plain http",
        )
    };
    let groups = ctx.auth_cookie_groups();
    let judged = groups
        .iter()
        .map(|g| {
            judge(
                g,
                |c| (!c.info.secure).then(|| (Status::Fail, severity, why.to_string())),
                |_| "is Secure".into(),
            )
        })
        .collect();
    combine(judged, |js| all_are(js, "Secure"))
}

pub(crate) fn samesite(ctx: &Ctx) -> Outcome {
    let groups = ctx.auth_cookie_groups();
    let judged = groups
        .iter()
        .map(|g| {
            judge(
                g,
                |c| match c.info.same_site.as_deref() {
                    Some("Strict" | "Lax") => None,
                    Some("None") if !c.info.secure => Some((
                        Status::Fail,
                        Severity::Medium,
                        "has SameSite=None without Secure: sent cross-site, and browsers drop it"
                            .to_string(),
                    )),
                    Some("None") => Some((
                        Status::Fail,
                        Severity::Medium,
                        "has SameSite=None: the browser sends it with cross-site requests"
                            .to_string(),
                    )),
                    Some(_) => Some((
                        Status::Warn,
                        Severity::Low,
                        "has an unknown SameSite value: browsers fall back to their default"
                            .to_string(),
                    )),
                    None => Some((
                        Status::Warn,
                        Severity::Low,
                        "has no SameSite attribute (browsers default to Lax, not all)".to_string(),
                    )),
                },
                |c| format!("has SameSite={}", c.info.same_site.as_deref().unwrap_or("")),
            )
        })
        .collect();
    combine(judged, |js| list(&facts(js)))
}

pub(crate) fn prefix(ctx: &Ctx) -> Outcome {
    // A prefixed cookie breaking the prefix's attribute rules is dropped: any cookie, not only auth ones.
    let broken = group_by_name(ctx.cookies.iter().filter(|c| {
        c.is_live()
            && c.issues
                .iter()
                .any(|i| matches!(i, CookieIssue::PrefixViolation { .. }))
    }));
    if !broken.is_empty() {
        let facts: Vec<String> = broken
            .iter()
            .map(|g| {
                let rules: Vec<String> = g
                    .first()
                    .issues
                    .iter()
                    .filter_map(|i| match i {
                        CookieIssue::PrefixViolation { rule, .. } => Some(rule.to_string()),
                        _ => None,
                    })
                    .collect();
                format!("{} is set {} (browsers drop it)", g.label(), list(&rules))
            })
            .collect();
        let evidence = broken
            .iter()
            .zip(&facts)
            .map(|(g, f)| g.first().evidence(f.clone()))
            .collect();
        return Outcome::fail(Severity::Low, list(&facts)).with(evidence);
    }
    let groups = ctx.auth_cookie_groups();
    let judged = groups
        .iter()
        .map(|g| {
            judge(
                g,
                |c| match cookies::prefix_of(&c.info.name) {
                    Some(_) => None,
                    None => Some((
                        Status::Warn,
                        Severity::Low,
                        "has no __Host- or __Secure- prefix: a subdomain or http response could overwrite it"
                            .to_string(),
                    )),
                },
                |c| {
                    let prefix = cookies::prefix_of(&c.info.name).unwrap_or("");
                    format!("uses the {prefix} prefix correctly")
                },
            )
        })
        .collect();
    combine(judged, |js| list(&facts(js)))
}

pub(crate) fn domain(ctx: &Ctx) -> Outcome {
    let groups = ctx.auth_cookie_groups();
    let judged = groups
        .iter()
        .map(|g| {
            judge(
                g,
                |c| {
                    let d = c.info.domain.as_deref();
                    (cookies::domain_scope(d, &c.url) == DomainScope::Parent).then(|| {
                        let host = c.url.host_str().unwrap_or("");
                        (
                            Status::Warn,
                            Severity::Low,
                            format!(
                                "has Domain={}, a parent of {}: every subdomain receives it",
                                display(d.unwrap_or("")),
                                display(host)
                            ),
                        )
                    })
                },
                |_| "is not scoped to a parent domain".into(),
            )
        })
        .collect();
    combine(judged, |js| {
        let them = if js.len() == 1 { "it" } else { "them" };
        all_are(js, &format!("scoped to the host that set {them}"))
    })
}

pub(crate) fn size(ctx: &Ctx) -> Outcome {
    let live: Vec<&SeenCookie> = ctx.cookies.iter().filter(|c| !c.info.is_deletion).collect();
    if live.is_empty() {
        return Outcome::not_tested("the target set no cookies");
    }
    let groups = group_by_name(live.into_iter());
    let judged: Vec<Judged> = groups
        .iter()
        .map(|g| {
            judge(
                g,
                |c| {
                    let facts: Vec<String> = c
                        .issues
                        .iter()
                        .filter(|i| {
                            matches!(
                                i,
                                CookieIssue::TooLarge { .. } | CookieIssue::AttributeTooLong { .. }
                            )
                        })
                        .map(ToString::to_string)
                        .collect();
                    (!facts.is_empty()).then(|| {
                        (
                            Status::Fail,
                            Severity::Low,
                            format!("has {}", facts.join("; ")),
                        )
                    })
                },
                |_| "fits the limits".into(),
            )
        })
        .collect();
    combine(judged, |js| {
        let labels: Vec<String> = js.iter().map(|j| j.label.clone()).collect();
        format!(
            "{} {} the {}-byte name+value and {}-byte attribute limits",
            list(&labels),
            if labels.len() == 1 { "fits" } else { "fit" },
            cookies::MAX_NAME_VALUE_BYTES,
            cookies::MAX_ATTRIBUTE_VALUE_BYTES
        )
    })
}

pub(crate) fn lifetime(ctx: &Ctx) -> Outcome {
    let groups = group_by_name(
        ctx.cookies
            .iter()
            .filter(|c| c.role == Role::Auth && c.is_live() && c.is_session_like()),
    );
    if groups.is_empty() {
        return Outcome::not_tested("no session cookies were set");
    }
    let fail_ms = ctx.cfg.session_lifetime_fail_secs.saturating_mul(1000);
    let warn_ms = ctx.cfg.session_lifetime_warn_secs.saturating_mul(1000);
    let judged: Vec<Judged> = groups
        .iter()
        .map(|g| {
            // Judged on the longest-lived Set-Cookie of this cookie.
            let longest = g
                .cookies
                .iter()
                .copied()
                .max_by_key(|c| c.lifetime_ms())
                .unwrap_or(g.first());
            let life = longest.lifetime_ms();
            let capped = longest
                .issues
                .iter()
                .any(|i| matches!(i, CookieIssue::LifetimeCapped { .. }));
            let persists = format!("persists {}", secs_text(life / 1000));
            let (status, severity, fact) = if longest.info.verdict.effective_expiry.is_none() {
                (
                    Status::Pass,
                    None,
                    "is a browser-session cookie (no Max-Age or Expires)".to_string(),
                )
            } else if capped {
                (
                    Status::Fail,
                    Some(Severity::Medium),
                    format!(
                        "asks to persist beyond the {}-day browser cap",
                        cookies::MAX_LIFETIME_DAYS
                    ),
                )
            } else if life > fail_ms {
                (
                    Status::Fail,
                    Some(Severity::Medium),
                    format!(
                        "{persists}, over the {} absolute timeout",
                        secs_text(ctx.cfg.session_lifetime_fail_secs)
                    ),
                )
            } else if life > warn_ms {
                (
                    Status::Warn,
                    Some(Severity::Low),
                    format!(
                        "{persists}, over the {} absolute timeout",
                        secs_text(ctx.cfg.session_lifetime_warn_secs)
                    ),
                )
            } else {
                (Status::Pass, None, persists)
            };
            Judged {
                status,
                severity,
                cookie: longest,
                label: g.label(),
                fact,
            }
        })
        .collect();
    combine(judged, |js| list(&facts(js)))
}

#[cfg(test)]
mod tests {
    use crate::checks::util::testkit::*;
    use crate::model::{
        CredentialKind::*,
        Purpose::*,
        Severity, Status,
        StepKind::{Extra, Login, Logout},
    };

    const GOOD: &str = "__Host-sid=s3ss10n-value-abcdef; Path=/; Secure; HttpOnly; SameSite=Lax";

    fn with_cookie(line: &str) -> RunBuilder {
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.cookie_credential("session", Session, line, login, "lifecycle");
        b
    }

    fn check(line: &str, id: &str) -> (Status, Severity, String) {
        let f = with_cookie(line).finding(id);
        (f.status, f.severity, f.summary)
    }

    #[test]
    fn a_good_session_cookie_passes_every_cookie_check() {
        let b = with_cookie(GOOD);
        for id in [
            "cookie.httponly",
            "cookie.secure",
            "cookie.samesite",
            "cookie.prefix",
            "cookie.domain",
            "cookie.size",
            "cookie.lifetime",
        ] {
            let f = b.finding(id);
            assert_eq!(f.status, Status::Pass, "{id}: {f:?}");
            assert!(
                f.summary.contains("session #1 (__Host-sid)"),
                "{id}: {}",
                f.summary
            );
            assert!(
                !format!("{f:?}").contains("s3ss10n-value"),
                "secret leaked in {id}"
            );
        }
        assert_eq!(
            b.finding("cookie.httponly").summary,
            "session #1 (__Host-sid) is HttpOnly"
        );
    }

    #[test]
    fn no_auth_cookies_is_not_tested() {
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.set_cookie(login, "theme=dark");
        let f = b.finding("cookie.httponly");
        assert_eq!(
            (f.status, f.summary.as_str()),
            (Status::NotTested, "no cookies carry credentials")
        );
        assert_eq!(b.finding("cookie.size").status, Status::Pass);
    }

    #[test]
    fn httponly() {
        let (st, sev, sum) = check(
            "__Host-sid=abc; Path=/; Secure; SameSite=Lax",
            "cookie.httponly",
        );
        assert_eq!((st, sev), (Status::Fail, Severity::Medium));
        assert!(
            sum.starts_with("session #1 (__Host-sid) is not HttpOnly"),
            "{sum}"
        );
        // Name-based auth cookies count too; CSRF cookies and deletions do not.
        let mut b = with_cookie(GOOD);
        let logout = b.exchange(Logout, Flow, "/logout");
        b.set_cookie(logout, "__Host-sid=; Path=/; Max-Age=0");
        b.set_cookie(logout, "XSRF-TOKEN=abc; Path=/; Secure");
        assert_eq!(b.finding("cookie.httponly").status, Status::Pass);
        b.set_cookie(logout, "remember_me=abc; Path=/; Secure");
        let f = b.finding("cookie.httponly");
        assert_eq!(f.status, Status::Fail);
        assert!(
            f.summary.contains("cookie remember_me is not HttpOnly"),
            "{}",
            f.summary
        );
        assert_eq!(f.evidence.len(), 2);
        assert_eq!(f.evidence[1].exchange_id, Some(logout));
        assert_eq!(f.evidence[1].location, "response header Set-Cookie");
    }

    #[test]
    fn secure_is_high_when_plain_http_is_served() {
        let line = "sid=abc; Path=/; HttpOnly; SameSite=Lax";
        assert_eq!(check(line, "cookie.secure").0, Status::Fail);
        assert_eq!(check(line, "cookie.secure").1, Severity::Medium);
        let mut b = with_cookie(line);
        b.exchange(Extra, PlainHttp, "http://app.example.com/login");
        let f = b.finding("cookie.secure");
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::High));
        assert!(f.summary.contains("answers on plain http"), "{}", f.summary);
    }

    #[test]
    fn samesite() {
        let (st, sev, sum) = check(
            "__Host-sid=abc; Path=/; Secure; HttpOnly; SameSite=None",
            "cookie.samesite",
        );
        assert_eq!((st, sev), (Status::Fail, Severity::Medium));
        assert!(sum.contains("SameSite=None"), "{sum}");
        let (_, _, sum) = check(
            "sid=abc; Path=/; HttpOnly; SameSite=None",
            "cookie.samesite",
        );
        assert!(
            sum.contains("without Secure") && sum.contains("drop"),
            "{sum}"
        );
        let (st, sev, sum) = check(
            "__Host-sid=abc; Path=/; Secure; HttpOnly",
            "cookie.samesite",
        );
        assert_eq!((st, sev), (Status::Warn, Severity::Low));
        assert!(sum.contains("no SameSite"), "{sum}");
        assert_eq!(
            check(
                "__Host-sid=abc; Path=/; Secure; HttpOnly; SameSite=Weird",
                "cookie.samesite"
            )
            .0,
            Status::Warn
        );
        let (st, _, sum) = check(
            "__Host-sid=abc; Path=/; Secure; HttpOnly; SameSite=strict",
            "cookie.samesite",
        );
        assert_eq!(st, Status::Pass);
        assert_eq!(sum, "session #1 (__Host-sid) has SameSite=Strict");
    }

    #[test]
    fn prefix() {
        let (st, sev, sum) = check(
            "sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax",
            "cookie.prefix",
        );
        assert_eq!((st, sev), (Status::Warn, Severity::Low));
        assert!(sum.contains("no __Host- or __Secure- prefix"), "{sum}");
        let (st, sev, sum) = check(
            "__HOST-sid=abc; Path=/; Secure; HttpOnly; Domain=app.example.com",
            "cookie.prefix",
        );
        assert_eq!((st, sev), (Status::Fail, Severity::Low));
        assert!(
            sum.contains("with a Domain attribute") && sum.contains("drop"),
            "{sum}"
        );
        let (st, _, sum) = check(
            "__secure-sid=abc; Secure; HttpOnly; SameSite=Lax",
            "cookie.prefix",
        );
        assert_eq!(st, Status::Pass);
        assert!(sum.contains("uses the __Secure- prefix correctly"), "{sum}");
    }

    #[test]
    fn domain() {
        let (st, sev, sum) = check(
            "sid=abc; Domain=example.com; Secure; HttpOnly",
            "cookie.domain",
        );
        assert_eq!((st, sev), (Status::Warn, Severity::Low));
        assert!(
            sum.contains("Domain=example.com, a parent of app.example.com"),
            "{sum}"
        );
        assert_eq!(
            check("sid=abc; Domain=app.example.com; Secure", "cookie.domain").0,
            Status::Pass
        );
    }

    #[test]
    fn size() {
        let big = format!("sid={}; Secure", "v".repeat(5000));
        let (st, sev, sum) = check(&big, "cookie.size");
        assert_eq!((st, sev), (Status::Fail, Severity::Low));
        assert!(sum.contains("over 4096"), "{sum}");
        let huge_attr = format!("sid=abc; Path=/{}", "p".repeat(1100));
        assert_eq!(check(&huge_attr, "cookie.size").0, Status::Fail);
        let (st, _, sum) = check(GOOD, "cookie.size");
        assert_eq!(st, Status::Pass);
        assert_eq!(
            sum,
            "session #1 (__Host-sid) fits the 4096-byte name+value and 1024-byte attribute limits"
        );
    }

    #[test]
    fn lifetime() {
        let (st, _, sum) = check(GOOD, "cookie.lifetime");
        assert_eq!(st, Status::Pass);
        assert!(sum.contains("browser-session cookie"), "{sum}");
        assert_eq!(
            check(&format!("{GOOD}; Max-Age=3600"), "cookie.lifetime").0,
            Status::Pass
        );
        let (st, sev, sum) = check(&format!("{GOOD}; Max-Age=86400"), "cookie.lifetime");
        assert_eq!((st, sev), (Status::Warn, Severity::Low));
        assert!(
            sum.contains("persists 1day, over the 12h absolute timeout"),
            "{sum}"
        );
        let (st, sev, _) = check(&format!("{GOOD}; Max-Age=3888000"), "cookie.lifetime");
        assert_eq!((st, sev), (Status::Fail, Severity::Medium));
        let (st, _, sum) = check(&format!("{GOOD}; Max-Age=99999999999"), "cookie.lifetime");
        assert_eq!(st, Status::Fail);
        assert!(sum.contains("400-day"), "{sum}");
        // The longest-lived line decides; a later deletion does not hide it.
        let mut b = with_cookie(&format!("{GOOD}; Max-Age=3888000"));
        let logout = b.exchange(Logout, Flow, "/logout");
        b.set_cookie(logout, "__Host-sid=; Path=/; Secure; Max-Age=0");
        assert_eq!(b.finding("cookie.lifetime").status, Status::Fail);
        // A long-lived non-session auth cookie (an access token) is not judged here.
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.cookie_credential(
            "access",
            Access,
            "at=abc; Max-Age=99999999; Secure",
            login,
            "lifecycle",
        );
        assert_eq!(b.finding("cookie.lifetime").status, Status::NotTested);
    }
}
