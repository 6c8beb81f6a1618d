//! The bundled lab as the app offers it: its catalogue, its profiles, and an in-process lab for one run.

use std::collections::BTreeSet;
use std::path::Path;

use authlens_core::flow::RunOptions;
use authlens_lab::{Flaw, LabConfig, LabHandle, Mode, Shape, Signing, USERS};

use crate::error::ApiError;
use authlens_core::flow::{Scenario, ScenarioSettings};

use crate::types::{FlawDoc, LabCatalogue, LabUser, NamedDoc, ScenarioDoc};

/// The bundled profile for a lab mode (the same files the CLI's demo uses).
pub fn profile_toml(mode: Mode) -> &'static str {
    match mode {
        Mode::Session => include_str!("../../profiles/lab-session.toml"),
        Mode::Jwt => include_str!("../../profiles/lab-jwt.toml"),
        Mode::Hybrid => include_str!("../../profiles/lab-hybrid.toml"),
    }
}

pub fn signing_description(signing: Signing) -> &'static str {
    match signing {
        Signing::Hs256 => {
            "HS256: one shared secret signs and verifies (nothing to publish; guessable if weak)."
        }
        Signing::Rs256 => {
            "RS256: an RSA key pair; the public key is published at the JWKS and OpenID discovery URLs."
        }
        Signing::Es256 => {
            "ES256: a P-256 key pair (ECDSA), published like RS256; the psychic-signature flaw needs it."
        }
        Signing::EdDsa => "EdDSA: an Ed25519 key pair, published like RS256.",
    }
}

pub fn mode_description(mode: Mode) -> &'static str {
    match mode {
        Mode::Session => {
            "Server-side sessions behind a cookie; an HTML login form with a CSRF token, and a logout that needs it again."
        }
        Mode::Jwt => {
            "A stateless access JWT plus rotating opaque refresh tokens, all in JSON bodies; logout revokes the refresh token."
        }
        Mode::Hybrid => {
            "An access JWT in the JSON body and the refresh token in an HttpOnly cookie."
        }
    }
}

pub fn catalogue() -> LabCatalogue {
    LabCatalogue {
        modes: Mode::ALL
            .iter()
            .map(|m| NamedDoc {
                name: m.as_str().to_string(),
                description: mode_description(*m).to_string(),
            })
            .collect(),
        flaws: Flaw::ALL
            .iter()
            .map(|f| FlawDoc {
                name: f.as_str().to_string(),
                description: f.describe().to_string(),
                modes: f.modes().iter().map(|m| m.as_str().to_string()).collect(),
            })
            .collect(),
        users: USERS
            .iter()
            .map(|u| LabUser {
                username: u.username.to_string(),
                email: u.email.to_string(),
            })
            .collect(),
        signings: Signing::ALL
            .iter()
            .map(|s| NamedDoc {
                name: s.as_str().to_string(),
                description: signing_description(*s).to_string(),
            })
            .collect(),
        scenarios: Scenario::ALL
            .iter()
            .map(|s| ScenarioDoc {
                name: s.as_str().to_string(),
                description: s.describe().to_string(),
                default: Scenario::DEFAULT.contains(s),
                opt_in: s.opt_in(),
                waits: s.waits(),
            })
            .collect(),
        scenario_defaults: ScenarioSettings::default(),
    }
}

/// The account lab runs log in as, and its (public, lab-only) password.
pub fn run_user() -> &'static authlens_lab::User {
    &USERS[0]
}

/// Parse a lab target's names.
pub fn parse_target(mode: &str, flaws: &[String]) -> Result<(Mode, BTreeSet<Flaw>), ApiError> {
    let mode: Mode = mode.parse()?;
    let flaws = flaws
        .iter()
        .map(|f| f.parse::<Flaw>())
        .collect::<Result<BTreeSet<_>, _>>()?;
    Ok((mode, flaws))
}

/// What the run's scenarios and the request ask of the lab. Short lifetimes are on by default for the
/// waiting scenarios (expiry, idle), so they finish in seconds.
pub fn shape(
    scenarios: &[Scenario],
    replicas: Option<u16>,
    store: Option<String>,
    short_lifetimes: Option<bool>,
) -> Shape {
    Shape {
        replicas,
        store,
        needs_replicas: scenarios.contains(&Scenario::Replicas),
        short_lifetimes: short_lifetimes.unwrap_or(Scenario::want_short_lifetimes(scenarios)),
    }
}

/// Start a lab on 127.0.0.1 with ephemeral https and http ports (the http ones only redirect).
pub async fn start(
    mode: Mode,
    flaws: BTreeSet<Flaw>,
    signing: Signing,
    shape: &Shape,
    tls_dir: &Path,
) -> Result<LabHandle, ApiError> {
    let mut cfg = LabConfig::new(mode);
    cfg.flaws = flaws;
    cfg.signing = signing;
    cfg.http_port = Some(0);
    cfg.tls_dir = tls_dir.to_path_buf();
    let cfg = cfg.shaped(shape)?;
    let lab = authlens_lab::start(cfg).await?;
    tracing::info!(url = %lab.https_url, %mode, flaws = ?lab.flaws, replicas = lab.replicas.len(), store = %lab.store_description(), "lab started for a run");
    Ok(lab)
}

/// A signing mode name from the UI; none means HS256.
pub fn parse_signing(name: Option<&str>) -> Result<Signing, ApiError> {
    match name {
        None | Some("") => Ok(Signing::default()),
        Some(n) => n.parse().map_err(|_| {
            let names: Vec<&str> = Signing::ALL.iter().map(|s| s.as_str()).collect();
            ApiError::new(
                "lab.signing",
                format!("unknown signing mode `{n}` (expected {})", names.join(", ")),
            )
        }),
    }
}

/// Point a run at the lab: its first instance, its certificate, and every other instance as a replica.
pub fn aim(opts: &mut RunOptions, lab: &LabHandle) -> Result<(), ApiError> {
    // Its HMAC secret verifies its tokens; its keys change with every start, so no JWKS cache.
    opts.jwt_secret = lab.jwt_secret();
    opts.jwks_cache = None;
    opts.retarget(
        &lab.https_url,
        lab.http_url.as_deref(),
        &lab.cert_pem,
        &lab.other_replicas(),
    )
    .map_err(|e| ApiError::new("lab.address", format!("the lab's address: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use authlens_core::profile::Profile;

    #[test]
    fn bundled_profiles_parse_and_catalogue_hides_passwords() {
        for m in Mode::ALL {
            Profile::from_toml(profile_toml(m), None).unwrap();
        }
        let cat = catalogue();
        assert_eq!(cat.modes.len(), 3);
        assert_eq!(cat.flaws.len(), Flaw::ALL.len());
        let fixation = cat.flaws.iter().find(|f| f.name == "fixation").unwrap();
        assert_eq!(fixation.modes, vec!["session"]);
        let json = serde_json::to_string(&cat).unwrap();
        for u in USERS {
            assert!(!json.contains(u.password));
        }
        assert!(json.contains("alice@lab.test"));
    }

    #[test]
    fn parse_target_names() {
        let (mode, flaws) =
            parse_target("jwt", &["No_Rotation".into(), "long-lived".into()]).unwrap();
        assert_eq!(mode, Mode::Jwt);
        assert_eq!(flaws, BTreeSet::from([Flaw::NoRotation, Flaw::LongLived]));
        assert_eq!(
            parse_target("nope", &[]).unwrap_err().code,
            "request.invalid"
        );
        assert_eq!(
            parse_target("jwt", &["nope".into()]).unwrap_err().code,
            "request.invalid"
        );
    }
}
