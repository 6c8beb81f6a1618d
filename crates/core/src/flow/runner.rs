//! The runner's state and plumbing: sending, recording, persisting, events.

use std::collections::BTreeMap;
use std::time::Instant;

use super::{FlowError, RunOptions, Scenario, now_ms, request};
use crate::checks;
use crate::error::CoreError;
use crate::events::RunEvent;
use crate::http::CookieStore;
use crate::http::HttpClient;
use crate::model::Run;
use crate::model::{
    Credential, ErrorInfo, Exchange, FlowEvent, FlowEventKind, Millis, Observation, Purpose,
    RunStatus, ScenarioResult, StepKind, Verdict,
};
use crate::profile::Profile;
use crate::profile::{Step, Vars, status_in};
use crate::redact::Redactor;

pub(super) struct Runner<'a> {
    pub(super) profile: &'a Profile,
    pub(super) base: url::Url,
    /// Every instance of the target: `base` first, then the replicas.
    pub(super) targets: Vec<url::Url>,
    pub(super) settings: super::ScenarioSettings,
    pub(super) http_base: Option<url::Url>,
    pub(super) client: HttpClient,
    pub(super) opts: RunOptions,
    pub(super) run: Run,
    pub(super) redactor: Redactor,
    pub(super) step_index: u32,
    /// Keys to verify captured JWTs with (the profile's `[jwt]`).
    pub(super) keys: crate::tokens::keys::KeyRing,
    pub(super) jwks_origins: Vec<super::keys::JwksOrigin>,
}

/// One scenario's session: its jar, variables and which credential each variable holds now.
pub(super) struct Session {
    pub(super) scenario: &'static str,
    pub(super) jar: CookieStore,
    pub(super) vars: Vars,
    pub(super) current: BTreeMap<String, u32>,
    pub(super) generations: BTreeMap<String, u32>,
    pub(super) last_event: Option<FlowEventKind>,
}

impl Session {
    pub(super) fn new(scenario: &'static str, username: &str, password: &str) -> Self {
        let mut vars = Vars::new();
        vars.insert("username".into(), username.into());
        vars.insert("password".into(), password.into());
        Session {
            scenario,
            jar: CookieStore::default(),
            vars,
            current: BTreeMap::new(),
            generations: BTreeMap::new(),
            last_event: None,
        }
    }
}

pub(super) enum Stop {
    Failed(FlowError),
    Cancelled,
}

impl From<FlowError> for Stop {
    fn from(e: FlowError) -> Self {
        Stop::Failed(e)
    }
}

pub(super) type Step_<T> = Result<T, Stop>;

impl<'a> Runner<'a> {
    pub(super) fn planned_steps(&self) -> u32 {
        let p = self.profile;
        let has = |x: Scenario| self.opts.scenarios.contains(&x);
        let login = 2 + u32::from(p.prefetch.is_some());
        let logout = u32::from(p.logout.is_some());
        let mut n = 0;
        if has(Scenario::Replicas) {
            n += login + logout + 3 * self.targets.len() as u32;
        }
        if has(Scenario::Latency) {
            n += login + logout + 1;
        }
        if has(Scenario::Expiry) {
            n += login + 3;
        }
        if has(Scenario::Idle) {
            n += login + 4;
        }
        if has(Scenario::Entropy) {
            n += self.settings.entropy_samples;
        }
        if has(Scenario::RateLimit) {
            n += self.settings.rate_limit_attempts.min(6) + 1;
        }
        if self.opts.scenarios.contains(&Scenario::Lifecycle) {
            n += 3 + u32::from(p.prefetch.is_some()) + if p.refresh.is_some() { 2 } else { 0 };
            n += if p.logout.is_some() { 1 + 3 } else { 0 }
                + u32::from(self.http_base.is_some())
                + 1;
        }
        if self.opts.scenarios.contains(&Scenario::Rotation) && p.refresh.is_some() {
            n += 2 + u32::from(p.prefetch.is_some()) + 2 + u32::from(p.logout.is_some()) + 2;
        }
        n
    }

    pub(super) async fn all_scenarios(&mut self) -> Step_<()> {
        self.load_keys().await;
        if self.opts.scenarios.contains(&Scenario::Lifecycle) {
            self.lifecycle().await?;
        }
        if self.opts.scenarios.contains(&Scenario::Rotation) && self.profile.refresh.is_some() {
            self.rotation().await?;
        }
        // In `Scenario` order: the waits after the quick ones, the rate limit (which may lock the test
        // account) last.
        for scenario in Scenario::ALL {
            if !self.opts.scenarios.contains(scenario) {
                continue;
            }
            match scenario {
                Scenario::Lifecycle | Scenario::Rotation => {}
                Scenario::JwtAttacks => self.jwt_attacks().await?,
                Scenario::Replicas => self.replicas().await?,
                Scenario::Latency => self.latency().await?,
                Scenario::Expiry => self.expiry().await?,
                Scenario::Idle => self.idle().await?,
                Scenario::Entropy => self.entropy().await?,
                Scenario::RateLimit => self.rate_limit().await?,
            }
        }
        Ok(())
    }

    pub(super) async fn finish(&mut self, outcome: Step_<()>) {
        match outcome {
            Ok(()) => self.run.status = RunStatus::Completed,
            Err(Stop::Cancelled) => {
                self.run.status = RunStatus::Cancelled;
                self.run.error = Some(CoreError::Cancelled.info());
            }
            Err(Stop::Failed(e)) => {
                self.run.status = RunStatus::Failed;
                self.run.error = Some(ErrorInfo {
                    code: e.code().into(),
                    message: self.redactor.text(&e.to_string()).into_owned(),
                });
            }
        }
        let cancelled = self.run.status == RunStatus::Cancelled;
        // The audit first: a secret it finds verifies the tokens.
        self.audit_secrets(!cancelled).await;
        self.verify_tokens(!cancelled).await;
        // Checks judge what was recorded, even for a run that stopped early: NotTested says what is missing.
        self.run.findings = checks::run_all(&self.run, &self.opts.checks);
        self.run.finished_at = Some(crate::flow::now_ms());
        for f in &self.run.findings {
            // Events reach UIs and logs: the same redaction as storage.
            self.opts.events.emit(RunEvent::Finding {
                finding: Box::new(self.redactor.finding(f)),
            });
        }
        if let Some(store) = &self.opts.store
            && let Err(e) = store.finish_run(&self.redactor.run(&self.run)).await
        {
            tracing::warn!("could not finish the run in the history store: {e}");
        }
        match &self.run.error {
            Some(err) if self.run.status == RunStatus::Failed => self
                .opts
                .events
                .emit(RunEvent::Failed { error: err.clone() }),
            _ => self.opts.events.emit(RunEvent::Finished {
                run_id: self.run.id.clone(),
            }),
        }
    }

    // ---- scenarios --------------------------------------------------------------------------------------

    pub(super) async fn mark(&mut self, s: &mut Session, kind: FlowEventKind) {
        let exchange_id = self.run.exchanges.last().map(|e| e.id).unwrap_or(0);
        let ev = FlowEvent {
            kind,
            at: now_ms(),
            exchange_id,
            scenario: s.scenario.to_string(),
        };
        s.last_event = Some(kind);
        if let Some(store) = &self.opts.store
            && let Err(e) = store.add_event(&self.run.id, &ev).await
        {
            tracing::warn!("history store: {e}");
        }
        self.run.events.push(ev);
    }

    /// Record a measuring scenario's verdict (kept with the run, stored, streamed).
    pub(super) async fn add_result(&mut self, result: ScenarioResult) {
        if let Some(store) = &self.opts.store
            && let Err(e) = store.add_result(&self.run.id, &result).await
        {
            tracing::warn!("history store: {e}");
        }
        self.opts.events.emit(RunEvent::Result {
            result: Box::new(result.clone()),
        });
        self.run.results.push(result);
    }

    /// Sleep until `until` (Unix ms), announcing it for countdowns; cancellable.
    pub(super) async fn wait_until(
        &mut self,
        scenario: &str,
        until: Millis,
        reason: String,
        credential_ids: Vec<u32>,
    ) -> Step_<()> {
        self.opts.events.emit(RunEvent::Waiting {
            scenario: scenario.to_string(),
            until,
            reason,
            credential_ids,
        });
        let left = until.saturating_sub(now_ms()).max(0);
        self.pause(std::time::Duration::from_millis(left as u64))
            .await
    }

    /// Sleep, unless the run is cancelled first (or already).
    pub(super) async fn pause(&self, d: std::time::Duration) -> Step_<()> {
        if !d.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(d) => {}
                _ = self.opts.cancel.cancelled() => return Err(Stop::Cancelled),
            }
        }
        if self.opts.cancel.is_cancelled() {
            return Err(Stop::Cancelled);
        }
        Ok(())
    }

    // ---- steps ------------------------------------------------------------------------------------------

    pub(super) fn verdict(&self, kind: StepKind, ex_id: u32) -> Verdict {
        let Some(ex) = self.run.exchange(ex_id) else {
            return Verdict::Inconclusive;
        };
        let Some(status) = ex.final_status() else {
            return Verdict::Inconclusive;
        };
        let step = match kind {
            StepKind::Refresh => self.profile.refresh.as_ref(),
            _ => Some(&self.profile.probe),
        };
        let Some(step) = step else {
            return Verdict::Inconclusive;
        };
        if ex.error.is_some() {
            return Verdict::Inconclusive;
        }
        // The probe has explicit accepted/rejected sets. A refresh counts as accepted only on a 2xx within
        // its success set: a redirect (to a login page, typically) is a refusal, not a grant.
        let accepted =
            status_in(&step.success, status) && (kind == StepKind::Probe || status < 300);
        if accepted {
            return Verdict::Accepted;
        }
        let rejected = if kind == StepKind::Probe {
            status_in(&step.rejected, status)
        } else {
            matches!(status, 300..=399 | 400 | 401 | 403)
        };
        if rejected {
            Verdict::Rejected
        } else {
            Verdict::Inconclusive
        }
    }

    pub(super) async fn observe(
        &mut self,
        s: &Session,
        credential_id: u32,
        exchange_id: u32,
        verdict: Verdict,
        purpose: Purpose,
    ) {
        self.observe_on(s, credential_id, exchange_id, verdict, purpose, None)
            .await
    }

    /// An observation made on a given replica (1-based into the run's targets).
    pub(super) async fn observe_on(
        &mut self,
        s: &Session,
        credential_id: u32,
        exchange_id: u32,
        verdict: Verdict,
        purpose: Purpose,
        replica: Option<u32>,
    ) {
        let status = self
            .run
            .exchange(exchange_id)
            .and_then(|e| e.final_status());
        let o = Observation {
            credential_id,
            at: now_ms(),
            exchange_id,
            verdict,
            purpose,
            after_event: s.last_event,
            status,
            replica,
        };
        if let Some(store) = &self.opts.store
            && let Err(e) = store.add_observation(&self.run.id, &o).await
        {
            tracing::warn!("history store: {e}");
        }
        self.run.observations.push(o);
    }

    pub(super) async fn send_step(
        &mut self,
        s: &mut Session,
        kind: StepKind,
        step: &Step,
        label: &str,
        purpose: Purpose,
    ) -> Step_<u32> {
        self.begin_step(s.scenario, kind, label);
        self.send_quiet(s, kind, step, label, purpose).await
    }

    /// A step sent without announcing it (the many logins of a sample).
    pub(super) async fn send_quiet(
        &mut self,
        s: &mut Session,
        kind: StepKind,
        step: &Step,
        label: &str,
        purpose: Purpose,
    ) -> Step_<u32> {
        let (req, _) = request::build(&self.base, step, &s.vars, false).map_err(|m| {
            FlowError::StepFailed {
                step: label.into(),
                message: m,
            }
        })?;
        self.send(kind, purpose, label, req, &mut s.jar, step.follow_redirects)
            .await
    }

    pub(super) fn begin_step(&mut self, scenario: &str, step: StepKind, label: &str) {
        self.step_index += 1;
        self.opts.events.emit(RunEvent::StepStarted {
            scenario: scenario.into(),
            step,
            label: label.into(),
            index: self.step_index,
        });
    }

    pub(super) async fn send(
        &mut self,
        step: StepKind,
        purpose: Purpose,
        label: &str,
        req: crate::http::OutgoingRequest,
        jar: &mut CookieStore,
        follow: bool,
    ) -> Step_<u32> {
        if self.opts.cancel.is_cancelled() {
            return Err(Stop::Cancelled);
        }
        let started_at = now_ms();
        let t0 = Instant::now();
        let (method, url) = (req.method.clone(), req.url.to_string());
        let outcome = tokio::select! {
            o = self.client.send(req, jar, follow) => o,
            _ = self.opts.cancel.cancelled() => return Err(Stop::Cancelled),
        };
        let ex = Exchange {
            id: self.run.exchanges.len() as u32 + 1,
            step,
            purpose,
            label: label.to_string(),
            started_at,
            duration_ms: t0.elapsed().as_secs_f64() * 1000.0,
            hops: outcome.hops,
            error: outcome.error.map(|e| ErrorInfo {
                code: e.code().into(),
                message: e.to_string(),
            }),
        };
        self.opts.events.emit(RunEvent::ExchangeCaptured {
            id: ex.id,
            method,
            url: self.redactor.text(&url).into_owned(),
            status: ex.final_status(),
            duration_ms: ex.duration_ms,
        });
        let id = ex.id;
        self.run.exchanges.push(ex);
        Ok(id)
    }

    /// Stored once, after the credentials it carries are known to the redactor, so no secret of it lands
    /// in the history DB even if the process dies right after.
    pub(super) async fn persist_exchange(&self, id: u32) {
        if let (Some(store), Some(ex)) = (&self.opts.store, self.run.exchange(id))
            && let Err(e) = store
                .add_exchange(&self.run.id, &self.redactor.exchange(ex))
                .await
        {
            tracing::warn!("history store: {e}");
        }
    }

    pub(super) async fn persist_credential(&self, c: &Credential) {
        if let Some(store) = &self.opts.store
            && let Err(e) = store
                .add_credential(&self.run.id, &self.redactor.credential(c))
                .await
        {
            tracing::warn!("history store: {e}");
        }
    }
}
