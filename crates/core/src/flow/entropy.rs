//! The entropy scenario (opt-in: many logins): log in `entropy_samples` times, each with a fresh jar, keep
//! every session id or opaque token the login hands out (and log each sample out again), then estimate the
//! ids' effective entropy with [`crate::entropy::estimate`]. Structured tokens (JWTs, signed cookies) are
//! skipped, and the result says so. Feeds `session.entropy`.

use std::collections::BTreeMap;

use super::extract;
use super::runner::{Runner, Session, Step_};
use crate::entropy::{self, EntropyError};
use crate::model::{Measurement, Purpose, ScenarioResult, Severity, Status, StepKind};
use crate::profile::{ExtractKind, status_in};

pub(super) const SCENARIO: &str = "entropy";
/// Below this many bits an id can be guessed (ASVS 7.2.3 asks for 64 bits of entropy)...
const FAIL_BITS: f64 = 64.0;
/// ... and below this it is weaker than a modern 128-bit id.
const WARN_BITS: f64 = 128.0;

impl<'a> Runner<'a> {
    pub(super) async fn entropy(&mut self) -> Step_<()> {
        let p = self.profile;
        let wanted = self.settings.entropy_samples;
        // The login's credentials that identify a session: variable → samples.
        let names: Vec<String> = p
            .login
            .extract
            .iter()
            .filter_map(|e| match e.kind {
                ExtractKind::Credential(k) if k.authenticates() => Some(e.name.clone()),
                _ => None,
            })
            .collect();
        let mut samples: BTreeMap<String, Vec<String>> =
            names.iter().map(|n| (n.clone(), Vec::new())).collect();
        let mut stopped: Option<String> = None;
        for i in 1..=wanted {
            let mut s = Session::new(SCENARIO, &p.username, &self.opts.password);
            let label = format!("login (entropy sample {i}/{wanted})");
            self.begin_step(SCENARIO, StepKind::Login, &label);
            if let Some(prefetch) = &p.prefetch {
                let ex = self
                    .send_quiet(
                        &mut s,
                        StepKind::Prefetch,
                        prefetch,
                        "prefetch (entropy sample)",
                        Purpose::EntropySample,
                    )
                    .await?;
                self.adopt_values(&mut s, prefetch, ex);
                self.persist_exchange(ex).await;
            }
            let ex = self
                .send_quiet(
                    &mut s,
                    StepKind::Login,
                    &p.login,
                    &label,
                    Purpose::EntropySample,
                )
                .await?;
            let status = self.run.exchange(ex).and_then(|e| e.final_status());
            let found = self.adopt_values(&mut s, &p.login, ex);
            self.persist_exchange(ex).await;
            if !status.is_some_and(|st| status_in(&p.login.success, st)) {
                stopped = Some(format!(
                    "sample {i}'s login answered {}; sampling stopped",
                    status.map_or_else(|| "nothing".to_string(), |s| s.to_string())
                ));
                break;
            }
            for (name, value) in found {
                if let Some(v) = samples.get_mut(&name) {
                    v.push(value);
                }
            }
            // Do not leave hundreds of live sessions behind on the test account.
            if let Some(logout) = &p.logout {
                let ex = self
                    .send_quiet(
                        &mut s,
                        StepKind::Logout,
                        logout,
                        "logout (entropy sample)",
                        Purpose::EntropySample,
                    )
                    .await;
                if let Ok(ex) = ex {
                    self.persist_exchange(ex).await;
                }
            }
        }
        for (name, values) in samples {
            let r = self.entropy_result(&name, &values, stopped.as_deref());
            self.add_result(r).await;
        }
        Ok(())
    }

    /// Every value the step's extracts find, made known to the redactor and set as variables; returns the
    /// credential values by name.
    pub(super) fn adopt_values(
        &mut self,
        s: &mut Session,
        step: &crate::profile::Step,
        ex_id: u32,
    ) -> Vec<(String, String)> {
        let Some(ex) = self.run.exchange(ex_id).cloned() else {
            return Vec::new();
        };
        let mut creds = Vec::new();
        for spec in &step.extract {
            if let Ok(Some(found)) = extract::extract(&ex, spec) {
                self.redactor.add_secret(&found.value);
                s.vars.insert(spec.name.clone(), found.value.clone());
                if matches!(spec.kind, ExtractKind::Credential(_)) {
                    creds.push((spec.name.clone(), found.value));
                }
            }
        }
        creds
    }

    fn entropy_result(
        &self,
        name: &str,
        values: &[String],
        stopped: Option<&str>,
    ) -> ScenarioResult {
        let subject = format!("{name} ids");
        let n = values.len() as u32;
        let suffix = stopped.map(|s| format!(" ({s})")).unwrap_or_default();
        let (status, severity, summary, estimate, skipped) = match entropy::estimate(values) {
            Ok(est) => {
                let how = format!(
                    "{:.0} bits by {} over {} ids of {} characters ({} distinct)",
                    est.bits,
                    est.method.as_str(),
                    est.samples,
                    est.length,
                    est.distinct
                );
                let (status, severity, verdict) = if est.distinct < est.samples {
                    (Status::Fail, Severity::High, "ids repeat: ".to_string())
                } else if est.bits < FAIL_BITS {
                    (Status::Fail, Severity::High, "below 64 bits: ".to_string())
                } else if est.bits < WARN_BITS {
                    (
                        Status::Warn,
                        Severity::Medium,
                        "below 128 bits: ".to_string(),
                    )
                } else {
                    (Status::Pass, Severity::High, String::new())
                };
                (
                    status,
                    severity,
                    format!("{name}: {verdict}{how}{suffix}"),
                    Some(est),
                    None,
                )
            }
            Err(EntropyError::Structured(kind)) => {
                let why = format!("{name} is a {kind}: structured, its entropy is not measured");
                (
                    Status::NotTested,
                    Severity::High,
                    why.clone(),
                    None,
                    Some(why),
                )
            }
            Err(e) => {
                let why = format!("{name}: {e}{suffix}");
                (
                    Status::NotTested,
                    Severity::High,
                    why.clone(),
                    None,
                    Some(e.to_string()),
                )
            }
        };
        ScenarioResult {
            scenario: SCENARIO.into(),
            credential_id: None,
            subject,
            replica: None,
            status,
            severity,
            summary,
            check_id: Some("session.entropy".into()),
            measurement: Measurement::Entropy {
                samples: n,
                estimate,
                skipped,
            },
        }
    }
}
