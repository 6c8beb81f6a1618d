//! The idle-timeout scenario (opt-in: it waits): log in, then probe after growing idle gaps — the first gap,
//! then twice as long each time, up to `idle_max_gap_secs`. Each accepted probe is activity that restarts the
//! server's idle clock, so the first rejected gap bounds the idle timeout from above and the last accepted
//! one from below. Feeds `session.timeout`.

use super::expiry::human;
use super::now_ms;
use super::runner::{Runner, Session, Step_};
use crate::model::{
    CredentialKind, Measurement, Millis, Purpose, ScenarioResult, Severity, Status, StepKind,
    Verdict,
};

pub(super) const SCENARIO: &str = "idle";

impl<'a> Runner<'a> {
    pub(super) async fn idle(&mut self) -> Step_<()> {
        let p = self.profile;
        let mut s = Session::new(SCENARIO, &p.username, &self.opts.password);
        self.login(&mut s).await?;
        self.flow_probe(&mut s, "probe after login").await?;
        let probe = p.probe.clone();
        let in_use = self.credentials_in_use(&s, &probe);
        let sessions: Vec<u32> = in_use
            .iter()
            .copied()
            .filter(|id| {
                self.run
                    .credential(*id)
                    .is_some_and(|c| c.kind == CredentialKind::Session)
            })
            .collect();
        let subject = sessions
            .iter()
            .filter_map(|id| self.run.credential(*id))
            .map(|c| c.label.clone())
            .collect::<Vec<_>>()
            .join(", ");
        let max_gap = (self.settings.idle_max_gap_secs * 1000) as Millis;
        let mut result = IdleResult {
            subject: subject.clone(),
            credential_id: sessions.first().copied(),
            longest_ok: None,
            first_rejected: None,
            probes: 0,
            max_gap,
        };
        if sessions.is_empty() {
            let r = result.finish(
                Status::NotTested,
                Severity::Medium,
                "the probe carries no session credential: an idle timeout applies to sessions (stateless tokens die at exp)".into(),
            );
            self.add_result(r).await;
            return Ok(());
        }
        // The earliest declared expiry: a rejection after it is the absolute timeout, not the idle one.
        let expires = sessions
            .iter()
            .filter_map(|id| self.run.credential(*id).and_then(|c| c.declared_expiry))
            .min();
        let mut gap = (self.settings.idle_first_gap_secs * 1000) as Millis;
        let mut last_activity = now_ms();
        loop {
            if gap > max_gap {
                let r = result.finish(
                    Status::Warn,
                    Severity::Medium,
                    format!(
                        "{subject} was still accepted after {} idle; no idle timeout up to the {} limit (idle_max_gap_secs)",
                        human(result.longest_ok.unwrap_or(0)),
                        human(max_gap)
                    ),
                );
                self.add_result(r).await;
                return Ok(());
            }
            let at = last_activity.saturating_add(gap);
            self.wait_until(
                SCENARIO,
                at,
                format!("idle for {} before the next probe", human(gap)),
                sessions.clone(),
            )
            .await?;
            let label = format!("probe after {} idle", human(gap));
            let ex = self
                .send_step(&mut s, StepKind::Probe, &probe, &label, Purpose::IdleProbe)
                .await?;
            self.persist_exchange(ex).await;
            let verdict = self.verdict(StepKind::Probe, ex);
            for id in &sessions {
                self.observe(&s, *id, ex, verdict, Purpose::IdleProbe).await;
            }
            result.probes += 1;
            last_activity = self
                .run
                .exchange(ex)
                .map(|e| e.started_at + e.duration_ms as Millis)
                .unwrap_or_else(now_ms);
            match verdict {
                Verdict::Accepted => {
                    result.longest_ok = Some(gap);
                    gap = gap.saturating_mul(2);
                }
                Verdict::Rejected => {
                    result.first_rejected = Some(gap);
                    let r = if expires.is_some_and(|e| now_ms() >= e) {
                        result.finish(
                            Status::NotTested,
                            Severity::Medium,
                            format!(
                                "{subject} ended at its declared expiry before an idle timeout showed"
                            ),
                        )
                    } else {
                        let warn_ms = self.opts.checks.idle_timeout_warn_secs.saturating_mul(1000);
                        let lower = result.longest_ok.map_or_else(|| "0 s".to_string(), human);
                        if gap > warn_ms {
                            result.finish(
                                Status::Warn,
                                Severity::Medium,
                                format!(
                                    "{subject}: idle timeout between {lower} and {}, longer than {}",
                                    human(gap),
                                    human(warn_ms)
                                ),
                            )
                        } else {
                            result.finish(
                                Status::Pass,
                                Severity::Medium,
                                format!(
                                    "{subject}: idle timeout between {lower} and {} (accepted after {lower} idle, rejected after {})",
                                    human(gap),
                                    human(gap)
                                ),
                            )
                        }
                    };
                    self.add_result(r).await;
                    return Ok(());
                }
                Verdict::Inconclusive => {
                    let r = result.finish(
                        Status::NotTested,
                        Severity::Medium,
                        format!("the probe after {} idle was inconclusive", human(gap)),
                    );
                    self.add_result(r).await;
                    return Ok(());
                }
            }
        }
    }
}

struct IdleResult {
    subject: String,
    credential_id: Option<u32>,
    longest_ok: Option<Millis>,
    first_rejected: Option<Millis>,
    probes: u32,
    max_gap: Millis,
}

impl IdleResult {
    fn finish(&self, status: Status, severity: Severity, summary: String) -> ScenarioResult {
        ScenarioResult {
            scenario: SCENARIO.into(),
            credential_id: self.credential_id,
            subject: if self.subject.is_empty() {
                "session".into()
            } else {
                self.subject.clone()
            },
            replica: None,
            status,
            severity,
            summary,
            check_id: Some("session.timeout".into()),
            measurement: Measurement::Idle {
                longest_accepted_gap_ms: self.longest_ok,
                first_rejected_gap_ms: self.first_rejected,
                probes: self.probes,
                max_gap_ms: self.max_gap,
            },
        }
    }
}
