//! JWT checks that need keys or forged tokens: verification against the configured keys, aud/iss/typ, keys
//! named by the header, and the active attacks (the jwt-attacks scenario's results) and the weak-secret
//! audit's results.

use crate::model::{CredentialKind, Severity, SignatureVerdict, Status};
use crate::tokens::verify::header_key_hints;

use super::measured::from_results;
use super::util::{Ctx, Outcome, credential_evidence, list, rank};

const NOT_RUN: &str = "the jwt-attacks scenario did not run (opt-in: --scenario jwt-attacks)";

/// The worse of two outcomes; the evidence of both.
fn worse(a: Outcome, b: Outcome) -> Outcome {
    let (mut keep, other) = if (rank(b.status), b.severity) > (rank(a.status), a.severity) {
        (b, a)
    } else {
        (a, b)
    };
    keep.evidence.extend(other.evidence);
    keep
}

pub(crate) fn signature_checked(ctx: &Ctx) -> Outcome {
    from_results(ctx, "jwt.signature-checked", NOT_RUN)
}

pub(crate) fn alg_none(ctx: &Ctx) -> Outcome {
    let active = from_results(ctx, "jwt.alg-none", NOT_RUN);
    let unsigned: Vec<_> = ctx
        .run
        .credentials
        .iter()
        .filter(|c| {
            c.jwt
                .as_ref()
                .and_then(|j| j.alg.as_deref())
                .is_some_and(|a| a.eq_ignore_ascii_case("none"))
        })
        .collect();
    if unsigned.is_empty() {
        return active;
    }
    let labels: Vec<String> = unsigned.iter().map(|c| c.label.clone()).collect();
    let ev = unsigned
        .iter()
        .map(|c| {
            credential_evidence(
                c,
                c.issued_by,
                "header alg",
                &format!("{}: alg none", c.label),
            )
        })
        .collect();
    worse(
        active,
        Outcome::fail(
            Severity::Critical,
            format!(
                "the server itself issued unsigned tokens (alg none): {}",
                list(&labels)
            ),
        )
        .with(ev),
    )
}

pub(crate) fn key_confusion(ctx: &Ctx) -> Outcome {
    from_results(
        ctx,
        "jwt.key-confusion",
        "the jwt-attacks scenario did not run (opt-in: --scenario jwt-attacks; it also needs the server's public \
         key: [jwt] public_key, jwks_url or oidc_issuer)",
    )
}

pub(crate) fn weak_secret(ctx: &Ctx) -> Outcome {
    from_results(
        ctx,
        "jwt.weak-secret",
        "no HS256, HS384 or HS512 token was captured: nothing to audit",
    )
}

pub(crate) fn psychic(ctx: &Ctx) -> Outcome {
    from_results(ctx, "jwt.psychic", NOT_RUN)
}

pub(crate) fn header_keys(ctx: &Ctx) -> Outcome {
    let active = from_results(ctx, "jwt.header-keys", NOT_RUN);
    let mut facts = Vec::new();
    let mut ev = Vec::new();
    for c in &ctx.run.credentials {
        let Some(j) = &c.jwt else { continue };
        let hints = header_key_hints(j);
        if hints.is_empty() {
            continue;
        }
        facts.push(format!("{}: {}", c.label, hints.join(", ")));
        ev.push(credential_evidence(
            c,
            c.issued_by,
            "header",
            &format!("{}: {}", c.label, hints.join(", ")),
        ));
    }
    if facts.is_empty() {
        return active;
    }
    // Tokens that name their own key are a hint, not a proof: the active check shows whether it is trusted.
    worse(
        active,
        Outcome::warn(
            Severity::Medium,
            format!(
                "the server's tokens name their own key ({}): never let a verifier follow it",
                list(&facts)
            ),
        )
        .with(ev),
    )
}

/// Passive: aud, iss and typ present (and as expected when the profile says what to expect); active: a
/// token re-signed with the known secret for another audience (the jwt-attacks scenario).
pub(crate) fn audience(ctx: &Ctx) -> Outcome {
    const KINDS: &[CredentialKind] = &[CredentialKind::Access, CredentialKind::Id];
    let active = from_results(ctx, "jwt.audience", NOT_RUN);
    let tokens: Vec<_> = ctx
        .run
        .credentials
        .iter()
        .filter(|c| KINDS.contains(&c.kind))
        .filter_map(|c| {
            c.jwt
                .as_ref()
                .and_then(|j| j.claims.as_ref().map(|cl| (c, j, cl)))
        })
        .collect();
    if tokens.is_empty() {
        return active;
    }
    let mut fails = Vec::new();
    let mut warns = Vec::new();
    let mut ev = Vec::new();
    for (c, j, claims) in &tokens {
        // Judged against the profile's expectations when verification ran, else presence only.
        if let Some(v) = &c.verification {
            for cc in v
                .claims
                .iter()
                .filter(|cc| matches!(cc.claim.as_str(), "aud" | "iss" | "typ"))
            {
                match cc.status {
                    Status::Fail => fails.push(format!("{}: {}", c.label, cc.detail)),
                    Status::Warn => warns.push(format!("{}: {}", c.label, cc.detail)),
                    _ => {}
                }
                ev.push(credential_evidence(
                    c,
                    c.issued_by,
                    format!("claim {}", cc.claim),
                    &format!("{}: {}", c.label, cc.detail),
                ));
            }
            continue;
        }
        let missing: Vec<&str> = ["aud", "iss"]
            .into_iter()
            .filter(|k| claims.get(*k).is_none())
            .collect();
        let typ = if j.typ.is_none() {
            " (and no typ header)"
        } else {
            ""
        };
        if !missing.is_empty() {
            warns.push(format!("{} has no {}{typ}", c.label, missing.join(" or ")));
        }
        ev.push(credential_evidence(
            c,
            c.issued_by,
            "claims aud, iss; header typ",
            &format!(
                "{}: aud {}, iss {}, typ {}",
                c.label,
                if claims.get("aud").is_some() {
                    "present"
                } else {
                    "absent"
                },
                if claims.get("iss").is_some() {
                    "present"
                } else {
                    "absent"
                },
                j.typ.as_deref().unwrap_or("absent")
            ),
        ));
    }
    let passive = if !fails.is_empty() {
        Outcome::fail(Severity::High, list(&fails))
    } else if !warns.is_empty() {
        Outcome::warn(Severity::Medium, list(&warns))
    } else {
        let labels: Vec<String> = tokens.iter().map(|(c, _, _)| c.label.clone()).collect();
        Outcome::pass(format!("{} name their audience and issuer", list(&labels)))
    }
    .with(ev);
    // An active verdict (accepted for another audience, or rejected) says more than presence.
    if active.status == Status::NotTested {
        let mut p = passive;
        p.evidence.extend(active.evidence);
        return p;
    }
    worse(active, passive)
}

/// Every captured JWT verified with the configured keys.
pub(crate) fn verification(ctx: &Ctx) -> Outcome {
    let verified: Vec<_> = ctx
        .run
        .credentials
        .iter()
        .filter_map(|c| c.verification.as_ref().map(|v| (c, v)))
        .collect();
    if verified.is_empty() {
        return if ctx.run.jwt_keys.is_empty() {
            Outcome::not_tested("no verification key is configured (the profile's [jwt] section)")
        } else {
            Outcome::not_tested("no JWT was captured")
        };
    }
    let mut fails = Vec::new();
    let mut warns = Vec::new();
    let mut passes = Vec::new();
    let mut ev = Vec::new();
    for (c, v) in &verified {
        let line = format!("{}: {}", c.label, v.detail);
        ev.push(credential_evidence(c, c.issued_by, "signature", &line));
        match v.signature {
            SignatureVerdict::Verified => passes.push(c.label.clone()),
            SignatureVerdict::Invalid
            | SignatureVerdict::Unsigned
            | SignatureVerdict::Malformed => fails.push(line),
            SignatureVerdict::NoKey | SignatureVerdict::UnsupportedAlg => warns.push(line),
        }
        for cc in v
            .claims
            .iter()
            .filter(|cc| matches!(cc.claim.as_str(), "exp" | "nbf"))
        {
            if cc.status == Status::Fail {
                fails.push(format!("{}: {} {}", c.label, cc.claim, cc.detail));
            }
        }
    }
    let problems: Vec<String> = ctx
        .run
        .jwt_keys
        .iter()
        .flat_map(|s| s.problems.iter().map(move |p| format!("{}: {p}", s.label)))
        .collect();
    let outcome = if !fails.is_empty() {
        Outcome::fail(Severity::High, list(&fails))
    } else if !warns.is_empty() {
        let mut why = list(&warns);
        if !problems.is_empty() {
            why.push_str(&format!(" (key sources: {})", list(&problems)));
        }
        Outcome::warn(Severity::Medium, why)
    } else {
        Outcome::pass(format!(
            "{} verified with the configured keys",
            list(&passes)
        ))
    };
    outcome.with(ev)
}
