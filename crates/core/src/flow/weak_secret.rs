//! The offline weak-secret audit after the scenarios: every HS256/384/512 token captured (one per profile
//! variable: every generation is signed with the same secret) against the blank secret, the built-in list of
//! common JWT secrets and any wordlists given, within the profile's time limit. A secret found also becomes a
//! verification key, so the run shows the token verifying with it.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::runner::Runner;
use crate::model::{Credential, Measurement, ScenarioResult, Severity, Status};
use crate::tokens::keys;
use crate::tokens::weak_secret::{self, AuditOptions, AuditOutcome, AuditReport};

pub(super) const SCENARIO: &str = "weak-secret";

impl<'a> Runner<'a> {
    pub(super) async fn audit_secrets(&mut self, full: bool) {
        let mut seen: Vec<String> = Vec::new();
        let targets: Vec<Credential> = self
            .run
            .credentials
            .iter()
            .filter(|c| {
                c.jwt
                    .as_ref()
                    .and_then(|j| j.alg.as_deref())
                    .is_some_and(|a| matches!(a, "HS256" | "HS384" | "HS512"))
            })
            .filter(|c| {
                let new = !seen.contains(&c.name);
                seen.push(c.name.clone());
                new
            })
            .cloned()
            .collect();
        let mut wordlists: Vec<PathBuf> = self.profile.jwt.wordlists.clone();
        wordlists.extend(self.opts.jwt_wordlists.iter().cloned());
        let limit = Duration::from_secs(self.profile.jwt.weak_secret_time_limit_secs);
        for c in targets {
            let opts = AuditOptions {
                wordlists: if full { wordlists.clone() } else { Vec::new() },
                builtin: true,
                time_limit: Some(limit),
                threads: 0,
            };
            // Off the async threads: the audit keeps every core busy. Cancelling the run stops it.
            let cancel = Arc::new(AtomicBool::new(false));
            let flag = cancel.clone();
            let token = c.value.clone();
            let job = tokio::task::spawn_blocking(move || {
                weak_secret::audit(&token, &opts, &flag, &|_| {})
            });
            let report = tokio::select! {
                r = job => r.map_err(|e| e.to_string()).and_then(|r| r.map_err(|e| e.to_string())),
                _ = self.opts.cancel.cancelled() => {
                    cancel.store(true, Ordering::Relaxed);
                    Err("cancelled with the run".to_string())
                }
            };
            let result = self.secret_result(&c, report);
            self.add_result(result).await;
        }
    }

    fn secret_result(
        &mut self,
        c: &Credential,
        report: Result<AuditReport, String>,
    ) -> ScenarioResult {
        let alg = c
            .jwt
            .as_ref()
            .and_then(|j| j.alg.clone())
            .unwrap_or_default();
        let mut result = ScenarioResult {
            scenario: SCENARIO.into(),
            credential_id: Some(c.id),
            subject: c.label.clone(),
            replica: None,
            status: Status::NotTested,
            severity: Severity::Critical,
            summary: String::new(),
            check_id: Some("jwt.weak-secret".into()),
            measurement: Measurement::WeakSecret {
                alg: alg.clone(),
                outcome: "error".into(),
                tried: 0,
                elapsed_ms: 0,
                per_sec: 0.0,
                sources: Vec::new(),
                found_in: None,
                line: None,
                secret: None,
            },
        };
        let r = match report {
            Ok(r) => r,
            Err(e) => {
                result.summary = format!("the {alg} secret of {} was not audited: {e}", c.label);
                return result;
            }
        };
        let searched = format!("{} candidates from {}", r.tried, r.sources.join(", "));
        let (outcome, found_in, line, secret) = match &r.outcome {
            AuditOutcome::Found(f) => {
                result.status = Status::Fail;
                let shown = if self.redactor.reveals() {
                    f.secret.clone()
                } else {
                    f.shortened()
                };
                result.summary = format!(
                    "{} is signed with a guessable {alg} secret: `{shown}` ({} characters), line {} of the {}: anyone can \
                     sign tokens",
                    c.label, f.secret_len, f.line, f.source
                );
                // The secret verifies the run's tokens from now on; it is never stored in clear.
                self.redactor.add_signing_secret(&f.secret);
                let (mut info, k) =
                    keys::from_secret(f.secret.as_bytes(), "secret found by the weak-secret audit");
                info.problems.clear();
                self.keys.add(info, k);
                self.run.jwt_keys = self.keys.sources.clone();
                ("found", Some(f.source.clone()), Some(f.line), Some(shown))
            }
            AuditOutcome::NotFound => {
                result.status = Status::Pass;
                result.summary = format!("the {alg} secret of {} is none of {searched}", c.label);
                ("not-found", None, None, None)
            }
            AuditOutcome::TimedOut => {
                result.status = Status::Info;
                result.summary = format!(
                    "the {alg} secret of {} is none of the first {searched}; the audit stopped at its time limit",
                    c.label
                );
                ("timed-out", None, None, None)
            }
            AuditOutcome::Cancelled => {
                result.summary = format!("the audit of {} was cancelled after {searched}", c.label);
                ("cancelled", None, None, None)
            }
        };
        result.measurement = Measurement::WeakSecret {
            alg,
            outcome: outcome.into(),
            tried: r.tried,
            elapsed_ms: r.elapsed_ms,
            per_sec: r.per_sec,
            sources: r.sources,
            found_in,
            line,
            secret,
        };
        result
    }
}
