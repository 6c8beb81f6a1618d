//! The jwt-attacks scenario (opt-in): log in, then send forged versions of the JWT the probe carries, one
//! request each, and record whether the target accepted them. A server that accepts any of them lets anyone
//! mint tokens. The original token is replayed alone first: if the target does not accept even that, no
//! verdict would mean anything.

use jsonwebtoken::{Algorithm, AlgorithmFamily};

use super::replay::ReplayTarget;
use super::runner::{Runner, Session, Step_};
use crate::model::{Credential, Measurement, Purpose, ScenarioResult, Severity, Status, Verdict};
use crate::tokens::forge::{self, Forgery, PublicKeyMaterial};

pub(super) const SCENARIO: &str = "jwt-attacks";

/// Every check this scenario feeds, for "not tested" results that say why.
const CHECKS: &[&str] = &[
    "jwt.signature-checked",
    "jwt.alg-none",
    "jwt.key-confusion",
    "jwt.psychic",
    "jwt.header-keys",
];

impl<'a> Runner<'a> {
    pub(super) async fn jwt_attacks(&mut self) -> Step_<()> {
        let p = self.profile;
        let mut s = Session::new(SCENARIO, &p.username, &self.opts.password);
        self.login(&mut s).await?;
        self.flow_probe(&mut s, "probe after login").await?;

        let in_use = self.credentials_in_use(&s, &p.probe);
        let target = in_use
            .iter()
            .filter_map(|id| self.run.credential(*id))
            .find(|c| {
                c.jwt.as_ref().is_some_and(|j| j.claims.is_some())
                    && c.value.split('.').count() == 3
            })
            .cloned();
        let Some(cred) = target else {
            for check in CHECKS {
                let r = not_tested(
                    None,
                    check,
                    "the probe sends no signed JWT to forge (no JWS among its credentials)",
                );
                self.add_result(r).await;
            }
            return Ok(());
        };
        let base = self.base.clone();
        let baseline = self
            .replay_with(
                &mut s,
                cred.id,
                ReplayTarget {
                    note: Some("sent alone, unmodified (baseline for the forged tokens)".into()),
                    ..ReplayTarget::new(base.clone(), Purpose::ForgedToken)
                },
            )
            .await?;
        if baseline.verdict != Verdict::Accepted {
            for check in CHECKS {
                let r = not_tested(
                    Some(&cred),
                    check,
                    &format!(
                        "{} sent alone was not accepted by the probe ({}): a forged token's verdict would mean nothing",
                        cred.label,
                        baseline.verdict.as_str()
                    ),
                );
                self.add_result(r).await;
            }
            return Ok(());
        }

        let public: Vec<PublicKeyMaterial> = self
            .keys
            .keys
            .iter()
            .filter(|k| k.family != AlgorithmFamily::Hmac)
            .filter_map(|k| match (&k.pem, &k.jwk) {
                (Some(pem), _) => PublicKeyMaterial::from_pem(pem).ok(),
                (None, Some(jwk)) => PublicKeyMaterial::from_jwk(jwk).ok(),
                _ => None,
            })
            .collect();
        let mut forgeries = match forge::forgeries(&cred.value, &public) {
            Ok(f) => f,
            Err(e) => {
                for check in CHECKS {
                    let r = not_tested(
                        Some(&cred),
                        check,
                        &format!("{} cannot be forged: {e}", cred.label),
                    );
                    self.add_result(r).await;
                }
                return Ok(());
            }
        };
        if public.is_empty() {
            let r = not_tested(
                Some(&cred),
                "jwt.key-confusion",
                "no public key of the server is known ([jwt] public_key, jwks_url or oidc_issuer): nothing to confuse",
            );
            self.add_result(r).await;
        }
        if let Some(f) = self.other_audience(&cred) {
            forgeries.push(f);
        }
        for f in forgeries {
            self.send_forgery(&mut s, &cred, f).await?;
        }
        Ok(())
    }

    async fn send_forgery(&mut self, s: &mut Session, cred: &Credential, f: Forgery) -> Step_<()> {
        let base = self.base.clone();
        let r = self
            .replay_with(
                s,
                cred.id,
                ReplayTarget {
                    value: Some(f.token.clone()),
                    note: Some(format!("forged: {}", f.variant)),
                    ..ReplayTarget::new(base, Purpose::ForgedToken)
                },
            )
            .await?;
        let status = self
            .run
            .exchange(r.exchange_id.unwrap_or(0))
            .and_then(|e| e.final_status());
        let (result_status, summary) = match r.verdict {
            Verdict::Accepted => (
                Status::Fail,
                format!("{}: ACCEPTED. {}", f.variant, f.description),
            ),
            Verdict::Rejected => (Status::Pass, format!("{}: rejected", f.variant)),
            Verdict::Inconclusive => (
                Status::NotTested,
                format!("{}: the answer was inconclusive", f.variant),
            ),
        };
        let token = if self.redactor.reveals() {
            f.token.clone()
        } else {
            forge::redacted(&f.token)
        };
        let result = ScenarioResult {
            scenario: SCENARIO.into(),
            credential_id: Some(cred.id),
            subject: format!("{} · {}", cred.label, f.variant),
            replica: None,
            status: result_status,
            severity: if f.check == "jwt.audience" {
                Severity::High
            } else {
                Severity::Critical
            },
            summary,
            check_id: Some(f.check.clone()),
            measurement: Measurement::Forgery {
                attack: f.attack.as_str().to_string(),
                variant: f.variant.clone(),
                token,
                verdict: r.verdict,
                http_status: status,
                exchange_id: r.exchange_id,
            },
        };
        self.add_result(result).await;
        Ok(())
    }

    /// The token re-signed for another audience, when a configured HMAC secret verifies it.
    fn other_audience(&self, cred: &Credential) -> Option<Forgery> {
        let alg: Algorithm = cred.jwt.as_ref()?.alg.as_deref()?.parse().ok()?;
        let (message, signature) = cred.value.rsplit_once('.')?;
        let key = self.keys.keys.iter().find(|k| {
            k.family == AlgorithmFamily::Hmac
                && k.verifies(signature, message.as_bytes(), alg) == Ok(true)
        })?;
        forge::wrong_audience(&cred.value, key.decoding.try_get_as_bytes().ok()?)
            .ok()
            .flatten()
    }
}

fn not_tested(cred: Option<&Credential>, check: &str, why: &str) -> ScenarioResult {
    ScenarioResult {
        scenario: SCENARIO.into(),
        credential_id: cred.map(|c| c.id),
        subject: cred.map_or_else(|| "JWT".to_string(), |c| c.label.clone()),
        replica: None,
        status: Status::NotTested,
        severity: Severity::Critical,
        summary: why.to_string(),
        check_id: Some(check.to_string()),
        measurement: Measurement::Forgery {
            attack: String::new(),
            variant: String::new(),
            token: String::new(),
            verdict: Verdict::Inconclusive,
            http_status: None,
            exchange_id: None,
        },
    }
}
