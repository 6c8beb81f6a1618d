//! JWT checks readable from captured tokens: lifetime (JW7) and what the claims reveal (JW10).

use serde_json::Value;

use crate::model::{Credential, CredentialKind, DecodedJwt, Severity, Status};
use crate::tokens::describe_time;

use super::util::{Ctx, Outcome, credential_evidence, display, list, rank, secs_text};

/// Access and ID tokens whose claims could be read.
fn readable_tokens<'a>(
    ctx: &Ctx<'a>,
    kinds: &[CredentialKind],
) -> Vec<(&'a Credential, &'a DecodedJwt, &'a Value)> {
    ctx.run
        .credentials
        .iter()
        .filter(|c| kinds.contains(&c.kind))
        .filter_map(|c| {
            c.jwt
                .as_ref()
                .and_then(|j| j.claims.as_ref().map(|claims| (c, j, claims)))
        })
        .collect()
}

fn no_tokens_reason(ctx: &Ctx, kinds: &[CredentialKind], what: &str) -> Outcome {
    let unreadable = ctx
        .run
        .credentials
        .iter()
        .any(|c| kinds.contains(&c.kind) && c.jwt.is_some());
    if unreadable {
        Outcome::not_tested(format!(
            "the {what}JWTs captured have no readable claims (encrypted or malformed)"
        ))
    } else {
        Outcome::not_tested(format!("no {what}JWT was captured"))
    }
}

pub(crate) fn exp(ctx: &Ctx) -> Outcome {
    const KINDS: &[CredentialKind] = &[CredentialKind::Access, CredentialKind::Id];
    let tokens = readable_tokens(ctx, KINDS);
    if tokens.is_empty() {
        return no_tokens_reason(ctx, KINDS, "access or ID ");
    }
    let warn = ctx.cfg.access_lifetime_warn_secs;
    let fail = ctx.cfg.access_lifetime_fail_secs;
    let mut judged: Vec<(Status, Option<Severity>, String, i64)> = Vec::new();
    let mut ev = Vec::new();
    for (c, j, _) in &tokens {
        let Some(exp) = j.exp else {
            judged.push((
                Status::Fail,
                Some(Severity::Medium),
                format!("{} has no exp claim: it never expires", c.label),
                0,
            ));
            ev.push(credential_evidence(
                c,
                c.issued_by,
                "claim exp",
                &format!("{}: no exp claim", c.label),
            ));
            continue;
        };
        let (start, basis) = match j.iat {
            Some(iat) => (iat, "exp - iat"),
            None => (c.issued_at / 1000, "exp - time of issue"),
        };
        let life = exp.saturating_sub(start);
        ev.push(credential_evidence(
            c,
            c.issued_by,
            "claim exp",
            &format!(
                "{}: exp {} counted from {}",
                c.label,
                describe_time(exp.saturating_mul(1000), start.saturating_mul(1000)),
                if j.iat.is_some() { "iat" } else { "issue" }
            ),
        ));
        let lives = format!("{} lives {} ({basis})", c.label, secs_text(life));
        judged.push(if life > fail {
            (
                Status::Fail,
                Some(Severity::Medium),
                format!("{lives}, over the {} limit", secs_text(fail)),
                life,
            )
        } else if life > warn {
            (
                Status::Warn,
                Some(Severity::Low),
                format!("{lives}, over the {} guideline", secs_text(warn)),
                life,
            )
        } else {
            (Status::Pass, None, lives, life)
        });
    }
    let (status, severity) = judged
        .iter()
        .map(|(s, sev, _, _)| (*s, *sev))
        .max_by_key(|(s, sev)| (rank(*s), *sev))
        .unwrap_or((Status::Pass, None));
    if status == Status::Pass {
        let labels: Vec<String> = tokens.iter().map(|(c, _, _)| c.label.clone()).collect();
        let longest = judged.iter().map(|(_, _, _, l)| *l).max().unwrap_or(0);
        let verb = if labels.len() == 1 { "lives" } else { "live" };
        return Outcome::pass(format!(
            "{} {verb} at most {}, within the {} guideline",
            list(&labels),
            secs_text(longest),
            secs_text(warn)
        ))
        .with(ev);
    }
    let facts: Vec<String> = judged
        .into_iter()
        .filter(|(s, _, _, _)| *s == status)
        .map(|(_, _, f, _)| f)
        .collect();
    let severity = severity.unwrap_or(Severity::Medium);
    if status == Status::Fail {
        Outcome::fail(severity, list(&facts))
    } else {
        Outcome::warn(severity, list(&facts))
    }
    .with(ev)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Sensitivity {
    /// Roles and permissions: visible, worth knowing.
    Role,
    /// Personal data.
    Personal,
    /// Secrets: passwords, keys.
    Secret,
}

/// Whether a claim key looks like it holds a secret (password, secret, API key, private key...): the
/// redactor masks such claims' values.
pub(crate) fn is_secret_claim_key(key: &str) -> bool {
    classify(key) == Some(Sensitivity::Secret)
}

/// What a claim key suggests its value is. Case, `_`, `-` and other non-alphanumerics are ignored, so
/// `client_secret`, `API-KEY` and `privateKey` all read as secrets.
fn classify(key: &str) -> Option<Sensitivity> {
    let norm: String = key
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    const SECRET: &[&str] = &["password", "passwd", "secret", "apikey", "private"];
    const PERSONAL: &[&str] = &[
        "email",
        "phone",
        "address",
        "birthdate",
        "dateofbirth",
        "socialsecurity",
    ];
    const NAMES: &[&str] = &[
        "name",
        "givenname",
        "familyname",
        "fullname",
        "firstname",
        "lastname",
        "middlename",
        "surname",
        "ssn",
        "dob",
    ];
    const ROLES: &[&str] = &[
        "role",
        "roles",
        "group",
        "groups",
        "permission",
        "permissions",
        "perms",
        "authorities",
        "entitlements",
    ];
    if SECRET.iter().any(|s| norm.contains(s)) || norm == "pwd" {
        Some(Sensitivity::Secret)
    } else if norm.ends_with("verified") {
        None
    } else if PERSONAL.iter().any(|s| norm.contains(s)) || NAMES.contains(&norm.as_str()) {
        Some(Sensitivity::Personal)
    } else if ROLES.contains(&norm.as_str()) || norm.contains("admin") {
        Some(Sensitivity::Role)
    } else {
        None
    }
}

/// Sensitive keys reported per token at most (a hostile token could repeat one thousands of times).
const MAX_KEYS_PER_TOKEN: usize = 50;

/// Every sensitive key path in a claims tree ("email", "user/phone"), up to [`MAX_KEYS_PER_TOKEN`].
fn sensitive_keys(v: &Value, path: &str, out: &mut Vec<(Sensitivity, String)>) {
    if out.len() >= MAX_KEYS_PER_TOKEN {
        return;
    }
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if out.len() >= MAX_KEYS_PER_TOKEN {
                    return;
                }
                let p = if path.is_empty() {
                    display(k)
                } else {
                    format!("{path}/{}", display(k))
                };
                if let Some(s) = classify(k) {
                    out.push((s, p.clone()));
                }
                sensitive_keys(child, &p, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                sensitive_keys(child, &format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

pub(crate) fn sensitive_claims(ctx: &Ctx) -> Outcome {
    const KINDS: &[CredentialKind] = &[
        CredentialKind::Access,
        CredentialKind::Id,
        CredentialKind::Refresh,
        CredentialKind::Session,
        CredentialKind::PreLoginSession,
        CredentialKind::Csrf,
        CredentialKind::Other,
    ];
    let tokens = readable_tokens(ctx, KINDS);
    if tokens.is_empty() {
        return no_tokens_reason(ctx, KINDS, "");
    }
    // Per profile variable (every generation has the same claim names): the first token showing each key.
    let mut found: Vec<(&Credential, Sensitivity, String)> = Vec::new();
    for (c, _, claims) in &tokens {
        let mut keys = Vec::new();
        sensitive_keys(claims, "", &mut keys);
        for (s, path) in keys {
            if !found.iter().any(|(x, _, p)| x.name == c.name && *p == path) {
                found.push((c, s, path));
            }
        }
    }
    let ev = found
        .iter()
        .map(|(c, s, path)| {
            let what = match s {
                Sensitivity::Secret => "a secret",
                Sensitivity::Personal => "personal data",
                Sensitivity::Role => "a role or permission",
            };
            credential_evidence(
                c,
                c.issued_by,
                format!("claim {path}"),
                &format!("{}: claim {path} looks like {what}", c.label),
            )
        })
        .collect();
    let Some(worst) = found.iter().map(|(_, s, _)| *s).max() else {
        let mut labels: Vec<String> = tokens.iter().map(|(c, _, _)| c.label.clone()).collect();
        labels.dedup();
        return Outcome::pass(format!(
            "the claims of {} show no secrets, personal data or roles",
            list(&labels)
        ));
    };
    // Name the keys of the worst kind, per token.
    let mut per_token: Vec<(String, Vec<String>)> = Vec::new();
    for (c, _, path) in found.iter().filter(|(_, s, _)| *s == worst) {
        match per_token.iter_mut().find(|(l, _)| *l == c.label) {
            Some((_, keys)) => keys.push(path.clone()),
            None => per_token.push((c.label.clone(), vec![path.clone()])),
        }
    }
    let facts: Vec<String> = per_token
        .into_iter()
        .map(|(label, keys)| match worst {
            Sensitivity::Secret => {
                format!("{label} carries {} in its readable claims", list(&keys))
            }
            Sensitivity::Personal => format!(
                "{label} carries personal data ({}) in its readable claims",
                list(&keys)
            ),
            Sensitivity::Role => format!("{label} shows {} to anyone holding it", list(&keys)),
        })
        .collect();
    let summary = facts.join("; ");
    match worst {
        Sensitivity::Secret => Outcome::fail(Severity::Medium, summary),
        Sensitivity::Personal => Outcome::warn(Severity::Low, summary),
        Sensitivity::Role => Outcome::info(summary),
    }
    .with(ev)
}

#[cfg(test)]
mod tests {
    use crate::checks::CheckConfig;
    use crate::checks::util::testkit::*;
    use crate::model::{CredentialKind::*, Purpose::*, Severity, Status, StepKind::Login};

    fn with_access(claims: &str) -> RunBuilder {
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.json_credential("access", Access, &jwt(claims), login, "lifecycle");
        b
    }

    #[test]
    fn exp() {
        let f = with_access(r#"{"sub":"1","iat":1000,"exp":1900}"#).finding("jwt.exp");
        assert_eq!(f.status, Status::Pass);
        assert_eq!(
            f.summary,
            "access #1 lives at most 15m, within the 1h guideline"
        );
        assert_eq!(f.evidence[0].location, "claim exp");
        let f = with_access(r#"{"sub":"1","iat":1000}"#).finding("jwt.exp");
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::Medium));
        assert_eq!(f.summary, "access #1 has no exp claim: it never expires");
        let f = with_access(r#"{"iat":1000,"exp":8200}"#).finding("jwt.exp");
        assert_eq!((f.status, f.severity), (Status::Warn, Severity::Low));
        assert_eq!(
            f.summary,
            "access #1 lives 2h (exp - iat), over the 1h guideline"
        );
        let f = with_access(r#"{"iat":1000,"exp":1000000}"#).finding("jwt.exp");
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::Medium));
        assert!(f.summary.contains("over the 1day limit"), "{}", f.summary);
        let cfg = CheckConfig {
            access_lifetime_warn_secs: 60,
            ..CheckConfig::default()
        };
        assert_eq!(
            with_access(r#"{"iat":1000,"exp":1900}"#)
                .finding_with("jwt.exp", &cfg)
                .status,
            Status::Warn
        );
        // No iat: counted from the time of issue.
        let issued = RunBuilder::at(1) / 1000;
        let f = with_access(&format!(r#"{{"exp":{}}}"#, issued + 300)).finding("jwt.exp");
        assert_eq!(f.status, Status::Pass);
        // Opaque tokens only: not tested.
        let mut b = RunBuilder::new();
        let login = b.exchange(Login, Flow, "/login");
        b.json_credential("access", Access, "opaque-access-token", login, "lifecycle");
        assert_eq!(b.finding("jwt.exp").status, Status::NotTested);
    }

    #[test]
    fn sensitive_claims() {
        let f = with_access(r#"{"sub":"1","iat":1,"exp":2,"scope":"read","email_verified":true}"#)
            .finding("jwt.sensitive-claims");
        assert_eq!(f.status, Status::Pass, "{f:?}");
        let f = with_access(r#"{"sub":"1","roles":["admin"]}"#).finding("jwt.sensitive-claims");
        assert_eq!(f.status, Status::Info);
        assert_eq!(f.summary, "access #1 shows roles to anyone holding it");
        let f =
            with_access(r#"{"sub":"1","Email":"a@b.c","profile":{"phone_number":"1"},"roles":[]}"#)
                .finding("jwt.sensitive-claims");
        assert_eq!((f.status, f.severity), (Status::Warn, Severity::Low));
        assert_eq!(
            f.summary,
            "access #1 carries personal data (Email and profile/phone_number) in its readable claims"
        );
        let f = with_access(
            r#"{"sub":"1","email":"a@b.c","cfg":[{"API_KEY":"k-123"}],"Password":"hunter2"}"#,
        )
        .finding("jwt.sensitive-claims");
        assert_eq!((f.status, f.severity), (Status::Fail, Severity::Medium));
        assert_eq!(
            f.summary,
            "access #1 carries Password and cfg/0/API_KEY in its readable claims"
        );
        assert!(!format!("{f:?}").contains("hunter2") && !format!("{f:?}").contains("k-123"));
        assert_eq!(f.evidence.len(), 3);
        assert_eq!(
            RunBuilder::new().finding("jwt.sensitive-claims").status,
            Status::NotTested
        );
    }

    #[test]
    fn secret_claim_keys() {
        for k in [
            "password",
            "user_passwd",
            "Client_Secret",
            "api_key",
            "apiKey",
            "PRIVATE",
            "my-private-key",
            "pwd",
        ] {
            assert!(super::is_secret_claim_key(k), "{k}");
        }
        for k in ["sub", "email", "roles", "pw_changed_at"] {
            assert!(!super::is_secret_claim_key(k), "{k}");
        }
    }

    #[test]
    fn deep_claims_do_not_overflow() {
        let deep = format!("{}1{}", "{\"a\":".repeat(120), "}".repeat(120));
        let f = with_access(&deep).finding("jwt.sensitive-claims");
        assert_eq!(f.status, Status::Pass);
    }
}
