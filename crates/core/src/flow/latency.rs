//! The latency scenario: log in, log out, then poll every old credential until the target rejects it, and
//! report how long revocation took. Polls go round-robin, `latency_interval_ms` apart, each bounded by
//! `latency_max_polls` and a deadline after the logout. The credential died between the last accepted poll's
//! start and the first rejected poll's end: that interval's width is the resolution.
//!
//! A refresh token polled through a rotating refresh endpoint gets a new token whenever it is accepted; the
//! next poll uses that one, so what is measured is when the family died, not reuse detection.

use super::expiry::human;
use super::now_ms;
use super::replay::ReplayTarget;
use super::runner::{Runner, Session, Step_};
use crate::model::{
    CredentialKind, FlowEventKind, Measurement, Millis, Purpose, ScenarioResult, Severity, Status,
    StepKind, Verdict,
};

pub(super) const SCENARIO: &str = "latency";
/// Consecutive inconclusive answers after which a credential's polling stops.
const MAX_INCONCLUSIVE: u32 = 3;

struct Poll {
    id: u32,
    label: String,
    kind: CredentialKind,
    declared_expiry: Option<Millis>,
    value: Option<String>,
    last_accepted: Option<Millis>,
    first_rejected: Option<Millis>,
    polls: u32,
    inconclusive: u32,
    done: bool,
}

impl<'a> Runner<'a> {
    pub(super) async fn latency(&mut self) -> Step_<()> {
        let p = self.profile;
        let Some(logout) = &p.logout else {
            let r = self.latency_note("the profile has no logout step: nothing to revoke");
            self.add_result(r).await;
            return Ok(());
        };
        let mut s = Session::new(SCENARIO, &p.username, &self.opts.password);
        self.login(&mut s).await?;
        self.flow_probe(&mut s, "probe after login").await?;
        let ex = self
            .flow_step(&mut s, StepKind::Logout, logout, "logout")
            .await?;
        self.mark(&mut s, FlowEventKind::Logout).await;
        let logout_at = self
            .run
            .exchange(ex)
            .map(|e| e.started_at + e.duration_ms as Millis)
            .unwrap_or_else(now_ms);

        let mut polls: Vec<Poll> = self
            .replay_order(SCENARIO)
            .into_iter()
            .filter_map(|id| self.run.credential(id))
            .map(|c| Poll {
                id: c.id,
                label: c.label.clone(),
                kind: c.kind,
                declared_expiry: c.declared_expiry,
                value: None,
                last_accepted: None,
                first_rejected: None,
                polls: 0,
                inconclusive: 0,
                done: false,
            })
            .collect();
        let deadline_ms = (self.settings.latency_deadline_secs * 1000) as Millis;
        let deadline = logout_at.saturating_add(deadline_ms);
        let interval = std::time::Duration::from_millis(self.settings.latency_interval_ms);
        let max_polls = self.settings.latency_max_polls;
        self.begin_step(
            SCENARIO,
            StepKind::Probe,
            &format!("poll {} old credential(s) until rejected", polls.len()),
        );
        self.opts.events.emit(crate::events::RunEvent::Waiting {
            scenario: SCENARIO.into(),
            until: deadline,
            reason: "polling old credentials after logout until each is rejected".into(),
            credential_ids: polls.iter().map(|p| p.id).collect(),
        });
        let base = self.base.clone();
        while polls.iter().any(|p| !p.done) && now_ms() < deadline {
            let round = tokio::time::Instant::now();
            for poll in polls.iter_mut().filter(|p| !p.done) {
                let mut target = ReplayTarget::new(base.clone(), Purpose::LatencyPoll);
                target.value = poll.value.clone();
                target.announce = false;
                let r = self.replay_with(&mut s, poll.id, target).await?;
                poll.polls += 1;
                match (r.verdict, r.exchange_id) {
                    (_, None) => poll.done = true,
                    (Verdict::Accepted, _) => {
                        poll.last_accepted = Some(r.started_at);
                        poll.inconclusive = 0;
                        if let Some(next) = r.next_value {
                            poll.value = Some(next);
                        }
                    }
                    (Verdict::Rejected, _) => {
                        poll.first_rejected = Some(r.ended_at);
                        poll.done = true;
                    }
                    (Verdict::Inconclusive, _) => {
                        poll.inconclusive += 1;
                        poll.done = poll.inconclusive >= MAX_INCONCLUSIVE;
                    }
                }
                poll.done |= poll.polls >= max_polls;
            }
            self.pause(interval.saturating_sub(round.elapsed())).await?;
        }
        let tolerance_ms = self
            .opts
            .checks
            .revocation_gap_tolerance_secs
            .saturating_mul(1000);
        let warn_ms = self.opts.checks.revocation_latency_warn_ms;
        for poll in polls {
            let r = judge(&poll, logout_at, deadline_ms, tolerance_ms, warn_ms);
            self.add_result(r).await;
        }
        Ok(())
    }

    fn latency_note(&self, summary: &str) -> ScenarioResult {
        ScenarioResult {
            scenario: SCENARIO.into(),
            credential_id: None,
            subject: "logout".into(),
            replica: None,
            status: Status::NotTested,
            severity: Severity::High,
            summary: summary.into(),
            check_id: None,
            measurement: Measurement::Latency {
                logout_at: now_ms(),
                last_accepted_at: None,
                first_rejected_at: None,
                latency_ms: None,
                resolution_ms: None,
                polls: 0,
                deadline_ms: 0,
            },
        }
    }
}

fn judge(
    p: &Poll,
    logout_at: Millis,
    deadline_ms: Millis,
    tolerance_ms: Millis,
    warn_ms: Millis,
) -> ScenarioResult {
    let (mut latency, mut resolution) = (None, None);
    let (status, severity, summary) = match p.first_rejected {
        Some(rejected) => {
            // It died after the last accepted poll began (or the logout) and before this answer ended.
            let lower = p.last_accepted.unwrap_or(logout_at).max(logout_at);
            let width = rejected.saturating_sub(lower);
            let mid = if p.last_accepted.is_some() {
                (lower - logout_at) as f64 + width as f64 / 2.0
            } else {
                0.0
            };
            latency = Some(mid);
            resolution = Some(width as f64);
            if p.last_accepted.is_none() {
                (
                    Status::Pass,
                    Severity::High,
                    format!(
                        "{} was rejected at the first poll, {} ms after logout: revoked at once",
                        p.label, width
                    ),
                )
            } else if mid as Millis <= warn_ms {
                (
                    Status::Pass,
                    Severity::High,
                    format!(
                        "{} was revoked {:.0} ms after logout (±{:.0} ms, {} polls)",
                        p.label,
                        mid,
                        width as f64 / 2.0,
                        p.polls
                    ),
                )
            } else {
                (
                    Status::Warn,
                    Severity::Medium,
                    format!(
                        "{} kept working for {} after logout (±{:.0} ms, {} polls): revocation is not immediate",
                        p.label,
                        human(mid as Millis),
                        width as f64 / 2.0,
                        p.polls
                    ),
                )
            }
        }
        None if p.last_accepted.is_some() => {
            let stateless_gap = matches!(p.kind, CredentialKind::Access | CredentialKind::Id)
                && p.declared_expiry
                    .is_some_and(|exp| exp.saturating_sub(logout_at) <= tolerance_ms);
            let until = p
                .last_accepted
                .unwrap_or(logout_at)
                .saturating_sub(logout_at);
            if stateless_gap {
                (
                    Status::Warn,
                    Severity::Low,
                    format!(
                        "{} was still accepted {} after logout ({} polls); it dies at its expiry: the stateless revocation gap",
                        p.label,
                        human(until),
                        p.polls
                    ),
                )
            } else {
                (
                    Status::Fail,
                    Severity::High,
                    format!(
                        "{} was still accepted {} after logout ({} polls, deadline {}): not revoked",
                        p.label,
                        human(until),
                        p.polls,
                        human(deadline_ms)
                    ),
                )
            }
        }
        None => (
            Status::NotTested,
            Severity::High,
            format!(
                "{}: no poll gave a clear answer ({} polls)",
                p.label, p.polls
            ),
        ),
    };
    ScenarioResult {
        scenario: SCENARIO.into(),
        credential_id: Some(p.id),
        subject: p.label.clone(),
        replica: None,
        status,
        severity,
        summary,
        check_id: None,
        measurement: Measurement::Latency {
            logout_at,
            last_accepted_at: p.last_accepted,
            first_rejected_at: p.first_rejected,
            latency_ms: latency,
            resolution_ms: resolution,
            polls: p.polls,
            deadline_ms,
        },
    }
}
