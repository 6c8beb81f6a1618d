//! The expiry scenario: log in, wait until each credential's declared expiry plus the skew — all of them in
//! one timeline, not in turn — and replay it. Accepted after expiry fails `jwt.expiry-enforced` (JWTs) or
//! `session.timeout` (session ids, refresh tokens, other opaque credentials).

use super::now_ms;
use super::replay::{ReplayTarget, Replayed};
use super::runner::{Runner, Session, Step_};
use crate::model::{
    Credential, Measurement, Millis, Purpose, ScenarioResult, Severity, Status, Verdict,
};

pub(super) const SCENARIO: &str = "expiry";

/// The check an expiry replay of this credential feeds.
pub(super) fn check_for(c: &Credential) -> &'static str {
    if c.jwt.as_ref().is_some_and(|j| j.exp.is_some()) {
        "jwt.expiry-enforced"
    } else {
        "session.timeout"
    }
}

impl<'a> Runner<'a> {
    pub(super) async fn expiry(&mut self) -> Step_<()> {
        let p = self.profile;
        let mut s = Session::new(SCENARIO, &p.username, &self.opts.password);
        self.login(&mut s).await?;
        self.flow_probe(&mut s, "probe after login").await?;

        let skew_ms = (self.settings.expiry_skew_secs * 1000) as Millis;
        let limit = now_ms().saturating_add((self.settings.expiry_max_wait_secs * 1000) as Millis);
        let creds: Vec<Credential> = self
            .run
            .credentials
            .iter()
            .filter(|c| c.scenario == SCENARIO && c.kind.authenticates())
            .cloned()
            .collect();
        let mut due: Vec<(Millis, Credential)> = Vec::new();
        for c in creds {
            let Some(exp) = c.declared_expiry else {
                let r = self.expiry_result(
                    &c,
                    Status::NotTested,
                    format!(
                        "{} declares no expiry (no JWT exp, cookie Max-Age/Expires or expires_in): nothing to wait for",
                        c.label
                    ),
                    None,
                    skew_ms,
                );
                self.add_result(r).await;
                continue;
            };
            let at = exp.saturating_add(skew_ms);
            if at > limit {
                let r = self.expiry_result(
                    &c,
                    Status::NotTested,
                    format!(
                        "{} expires in {}, beyond the wait limit of {} (expiry_max_wait_secs)",
                        c.label,
                        human(exp.saturating_sub(now_ms())),
                        human(limit.saturating_sub(now_ms()))
                    ),
                    None,
                    skew_ms,
                );
                self.add_result(r).await;
                continue;
            }
            due.push((at, c));
        }
        due.sort_by_key(|(at, c)| (*at, c.id));
        // One countdown for everything still waited on; each credential is replayed as its time comes.
        let mut i = 0;
        while i < due.len() {
            let (at, ref next) = due[i];
            let waiting: Vec<u32> = due[i..].iter().map(|(_, c)| c.id).collect();
            let reason = format!(
                "{} expires; replaying it {} s after (skew)",
                next.label, self.settings.expiry_skew_secs
            );
            self.wait_until(SCENARIO, at, reason, waiting).await?;
            while i < due.len() && due[i].0 <= now_ms() {
                let c = due[i].1.clone();
                let base = self.base.clone();
                let r = self
                    .replay_with(&mut s, c.id, ReplayTarget::new(base, Purpose::ExpiryReplay))
                    .await?;
                let (status, summary) = match r.verdict {
                    Verdict::Accepted => (
                        Status::Fail,
                        format!(
                            "{} was accepted {} after its declared expiry",
                            c.label,
                            human(r.started_at.saturating_sub(c.declared_expiry.unwrap_or(0)))
                        ),
                    ),
                    Verdict::Rejected => (
                        Status::Pass,
                        format!("{} was rejected after its declared expiry", c.label),
                    ),
                    Verdict::Inconclusive => (
                        Status::NotTested,
                        format!(
                            "the replay of {} after its expiry was inconclusive",
                            c.label
                        ),
                    ),
                };
                let res = self.expiry_result(&c, status, summary, Some(&r), skew_ms);
                self.add_result(res).await;
                i += 1;
            }
        }
        Ok(())
    }

    /// The result for `c`; `replay` is None when it was not waited for.
    fn expiry_result(
        &self,
        c: &Credential,
        status: Status,
        summary: String,
        replay: Option<&Replayed>,
        skew_ms: Millis,
    ) -> ScenarioResult {
        let check = check_for(c);
        let severity = if check == "jwt.expiry-enforced" {
            Severity::High
        } else {
            Severity::Medium
        };
        ScenarioResult {
            scenario: SCENARIO.into(),
            credential_id: Some(c.id),
            subject: c.label.clone(),
            replica: None,
            status,
            severity,
            summary,
            check_id: Some(check.into()),
            measurement: Measurement::Expiry {
                declared_expiry: c.declared_expiry.unwrap_or(0),
                skew_ms,
                replayed_at: replay.map(|r| r.started_at),
                exchange_id: replay.and_then(|r| r.exchange_id),
                verdict: replay.map(|r| r.verdict),
            },
        }
    }
}

/// "1.5 s", "3m 20s", "2h 5m".
pub(super) fn human(ms: Millis) -> String {
    if ms.abs() < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        crate::tokens::human_duration_ms(i128::from(ms))
    }
}
