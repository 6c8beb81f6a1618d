//! The flow runner: executes scenarios against a target as a profile describes, records every exchange,
//! credential and observation into a [`Run`], then runs the checks.
//!
//! Scenarios (each logs in afresh, with its own cookie jar):
//! - `lifecycle`: [prefetch] → login → probe → fixation replay → [refresh → probe] → [logout] → replay every
//!   old credential → plain-http probe.
//! - `rotation` (needs a refresh step): login → refresh → refresh → replay the first refresh token → try the
//!   newest (was the family revoked?) → logout.
//!
//! A replay sends one credential alone: other credential variables are left out of the request and other
//! credential cookies are taken out of a copy of the jar, so a verdict belongs to that credential only.

mod extract;
mod request;

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub use extract::cookie_name_matches;

use crate::checks::{self, CheckConfig};
use crate::error::CoreError;
use crate::events::{CancellationToken, EventSink, RunEvent};
use crate::http::{CookieStore, HttpClient, HttpConfig, TlsTrust};
use crate::model::{
    Carrier, Credential, CredentialKind, ErrorInfo, Exchange, ExpirySource, FlowEvent,
    FlowEventKind, Millis, Observation, Purpose, Run, RunStatus, StepKind, Verdict,
};
use crate::profile::{ExtractKind, Profile, Step, TlsTrustSpec, Vars, status_in};
use crate::redact::{Redactor, fingerprint};
use crate::store::Store;

#[derive(Debug, Clone, thiserror::Error)]
pub enum FlowError {
    #[error("{step} failed: {message}")]
    StepFailed { step: String, message: String },
    #[error("logged in, but the probe says we are not authenticated: {message}")]
    NotAuthenticated { message: String },
    #[error("{step}: could not extract `{name}`: {message}")]
    Extraction {
        step: String,
        name: String,
        message: String,
    },
    #[error("{step}: {message}")]
    Request {
        step: String,
        code: String,
        message: String,
    },
    #[error("{0}")]
    Setup(String),
    #[error("no password: set {env} or run interactively to be asked")]
    NoPassword { env: String },
}

impl FlowError {
    pub fn code(&self) -> &'static str {
        match self {
            FlowError::StepFailed { .. } => "flow.step-failed",
            FlowError::NotAuthenticated { .. } => "flow.not-authenticated",
            FlowError::Extraction { .. } => "flow.extraction",
            FlowError::Request { .. } => "flow.request",
            FlowError::Setup(_) => "flow.setup",
            FlowError::NoPassword { .. } => "flow.no-password",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scenario {
    Lifecycle,
    Rotation,
}

impl Scenario {
    pub const DEFAULT: &'static [Scenario] = &[Scenario::Lifecycle, Scenario::Rotation];
    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::Lifecycle => "lifecycle",
            Scenario::Rotation => "rotation",
        }
    }
}

impl std::str::FromStr for Scenario {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "lifecycle" => Ok(Scenario::Lifecycle),
            "rotation" => Ok(Scenario::Rotation),
            other => Err(format!(
                "unknown scenario `{other}` (expected lifecycle or rotation)"
            )),
        }
    }
}

pub struct RunOptions {
    pub password: String,
    /// Keep full secrets in storage and exports (never the password).
    pub reveal: bool,
    pub scenarios: Vec<Scenario>,
    pub checks: CheckConfig,
    pub store: Option<Store>,
    pub events: EventSink,
    pub cancel: CancellationToken,
    /// Trust to use instead of the profile's (the in-process lab hands over its certificate).
    pub tls_override: Option<TlsTrust>,
    /// Point the profile at another server (the lab on an ephemeral port).
    pub base_url_override: Option<url::Url>,
    pub http_base_url_override: Option<url::Url>,
}

impl RunOptions {
    pub fn new(password: impl Into<String>) -> Self {
        RunOptions {
            password: password.into(),
            reveal: false,
            scenarios: Scenario::DEFAULT.to_vec(),
            checks: CheckConfig::default(),
            store: None,
            events: EventSink::none(),
            cancel: CancellationToken::new(),
            tls_override: None,
            base_url_override: None,
            http_base_url_override: None,
        }
    }
}

pub fn now_ms() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
}

/// The HTTP settings a profile asks for.
pub fn http_config(
    profile: &Profile,
    tls_override: Option<TlsTrust>,
) -> Result<HttpConfig, FlowError> {
    let tls = match tls_override {
        Some(t) => t,
        None => match &profile.tls {
            TlsTrustSpec::System => TlsTrust::System,
            TlsTrustSpec::CaFile(p) => TlsTrust::CaFile(p.clone()),
            TlsTrustSpec::Lab => {
                let p = crate::paths::lab_cert();
                if !p.exists() {
                    return Err(FlowError::Setup(format!(
                        "the profile trusts the lab's certificate, but {} does not exist: start the lab first \
                         (`authlens lab`)",
                        p.display()
                    )));
                }
                TlsTrust::CaFile(p)
            }
        },
    };
    Ok(HttpConfig {
        connect_timeout: Duration::from_secs(profile.http.connect_timeout_secs),
        read_timeout: Duration::from_secs(profile.http.read_timeout_secs),
        total_timeout: Duration::from_secs(profile.http.timeout_secs),
        max_body_bytes: profile.http.max_body_bytes,
        tls,
        ..HttpConfig::default()
    })
}

/// Run the scenarios. `Err` only when the run cannot start (TLS setup, store); a run that fails halfway
/// comes back as a [`Run`] with status failed and its error, everything captured so far kept.
pub async fn run(profile: &Profile, opts: RunOptions) -> Result<Run, CoreError> {
    let client = HttpClient::new(http_config(profile, opts.tls_override.clone())?)?;
    let base = opts
        .base_url_override
        .clone()
        .unwrap_or_else(|| profile.base_url.clone());
    let http_base = opts
        .http_base_url_override
        .clone()
        .or_else(|| profile.http_base_url.clone());
    let mut redactor = Redactor::new(opts.reveal);
    redactor.add_password(&opts.password);
    let run = Run {
        id: uuid::Uuid::now_v7().to_string(),
        profile_name: profile.name.clone(),
        targets: vec![base.to_string()],
        scenarios: opts
            .scenarios
            .iter()
            .map(|s| s.as_str().to_string())
            .collect(),
        started_at: now_ms(),
        finished_at: None,
        status: RunStatus::Running,
        error: None,
        exchanges: Vec::new(),
        credentials: Vec::new(),
        observations: Vec::new(),
        events: Vec::new(),
        findings: Vec::new(),
        revealed: opts.reveal,
    };
    if let Some(store) = &opts.store {
        store.begin_run(&redactor.run(&run)).await?;
        let _ = store
            .save_profile(&profile.name, &redactor.text(&profile.source))
            .await;
    }
    let mut r = Runner {
        profile,
        base,
        http_base,
        client,
        opts,
        run,
        redactor,
        step_index: 0,
    };
    r.opts.events.emit(RunEvent::Started {
        run_id: r.run.id.clone(),
        profile: profile.name.clone(),
        total_steps: r.planned_steps(),
    });
    let outcome = r.all_scenarios().await;
    r.finish(outcome).await;
    Ok(r.run)
}

struct Runner<'a> {
    profile: &'a Profile,
    base: url::Url,
    http_base: Option<url::Url>,
    client: HttpClient,
    opts: RunOptions,
    run: Run,
    redactor: Redactor,
    step_index: u32,
}

/// One scenario's session: its jar, variables and which credential each variable holds now.
struct Session {
    scenario: &'static str,
    jar: CookieStore,
    vars: Vars,
    current: BTreeMap<String, u32>,
    generations: BTreeMap<String, u32>,
    last_event: Option<FlowEventKind>,
}

impl Session {
    fn new(scenario: &'static str, username: &str, password: &str) -> Self {
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

enum Stop {
    Failed(FlowError),
    Cancelled,
}

impl From<FlowError> for Stop {
    fn from(e: FlowError) -> Self {
        Stop::Failed(e)
    }
}

type Step_<T> = Result<T, Stop>;

impl<'a> Runner<'a> {
    fn planned_steps(&self) -> u32 {
        let p = self.profile;
        let mut n = 0;
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

    async fn all_scenarios(&mut self) -> Step_<()> {
        if self.opts.scenarios.contains(&Scenario::Lifecycle) {
            self.lifecycle().await?;
        }
        if self.opts.scenarios.contains(&Scenario::Rotation) && self.profile.refresh.is_some() {
            self.rotation().await?;
        }
        Ok(())
    }

    async fn finish(&mut self, outcome: Step_<()>) {
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
        // Checks judge what was recorded, even for a run that stopped early: NotTested says what is missing.
        self.run.findings = checks::run_all(&self.run, &self.opts.checks);
        self.run.finished_at = Some(crate::flow::now_ms());
        for f in &self.run.findings {
            self.opts.events.emit(RunEvent::Finding {
                finding: Box::new(f.clone()),
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

    async fn lifecycle(&mut self) -> Step_<()> {
        let p = self.profile;
        let mut s = Session::new("lifecycle", &p.username, &self.opts.password);
        self.login(&mut s).await?;
        self.flow_probe(&mut s, "probe after login").await?;

        let pre_login: Vec<u32> = self
            .run
            .credentials
            .iter()
            .filter(|c| c.scenario == s.scenario && c.kind == CredentialKind::PreLoginSession)
            .map(|c| c.id)
            .collect();
        for id in pre_login {
            self.replay(&mut s, id, Purpose::FixationReplay).await?;
        }

        if let Some(refresh) = &p.refresh {
            self.flow_step(&mut s, StepKind::Refresh, refresh, "refresh")
                .await?;
            self.mark(&mut s, FlowEventKind::Refresh).await;
            self.flow_probe(&mut s, "probe after refresh").await?;
        }

        if let Some(logout) = &p.logout {
            self.flow_step(&mut s, StepKind::Logout, logout, "logout")
                .await?;
            self.mark(&mut s, FlowEventKind::Logout).await;
            for id in self.replay_order(s.scenario) {
                self.replay(&mut s, id, Purpose::ReplayAfterLogout).await?;
            }
        }

        if let Some(http_base) = self.http_base.clone() {
            self.plain_http_probe(&http_base).await?;
        }
        Ok(())
    }

    async fn rotation(&mut self) -> Step_<()> {
        let p = self.profile;
        let Some(refresh) = &p.refresh else {
            return Ok(());
        };
        let mut s = Session::new("rotation", &p.username, &self.opts.password);
        self.login(&mut s).await?;
        let first = self.current_of_kind(&s, CredentialKind::Refresh);
        for label in ["refresh (rotation 1)", "refresh (rotation 2)"] {
            self.flow_step(&mut s, StepKind::Refresh, refresh, label)
                .await?;
            self.mark(&mut s, FlowEventKind::Refresh).await;
        }
        let newest = self.current_of_kind(&s, CredentialKind::Refresh);
        if let (Some(first), Some(newest)) = (first, newest)
            && first != newest
        {
            self.replay(&mut s, first, Purpose::ReuseAfterRotation)
                .await?;
            self.replay(&mut s, newest, Purpose::NewestAfterReuse)
                .await?;
        }
        if let Some(logout) = &p.logout {
            // Clean up the session; after a reuse-triggered revocation the server may refuse, which is fine.
            let id = self
                .send_step(
                    &mut s,
                    StepKind::Logout,
                    logout,
                    "logout (cleanup)",
                    Purpose::Flow,
                )
                .await?;
            self.persist_exchange(id).await;
            self.mark(&mut s, FlowEventKind::Logout).await;
        }
        Ok(())
    }

    async fn login(&mut self, s: &mut Session) -> Step_<()> {
        let p = self.profile;
        if let Some(prefetch) = &p.prefetch {
            let ex = self
                .flow_step(s, StepKind::Prefetch, prefetch, "prefetch")
                .await?;
            self.pre_login_sessions(s, ex).await;
        }
        self.flow_step(s, StepKind::Login, &p.login, "login")
            .await?;
        self.mark(s, FlowEventKind::Login).await;
        Ok(())
    }

    /// Cookies the prefetch set under the name of a session cookie the login declares: the pre-login id.
    async fn pre_login_sessions(&mut self, s: &mut Session, ex_id: u32) {
        let Some(ex) = self.run.exchange(ex_id).cloned() else {
            return;
        };
        for (cookie, var, kind) in self.profile.credential_cookies() {
            if kind != CredentialKind::Session {
                continue;
            }
            if let Some((name, value, raw, url)) = extract::find_cookie(&ex, &cookie) {
                let found = extract::Found {
                    value,
                    carrier: Carrier::Cookie {
                        name,
                        raw: raw.to_string(),
                    },
                    url: Some(url.to_string()),
                    expires_in: None,
                };
                self.new_credential(
                    s,
                    &var,
                    CredentialKind::PreLoginSession,
                    found,
                    ex_id,
                    StepKind::Prefetch,
                )
                .await;
            }
        }
    }

    fn replay_order(&self, scenario: &str) -> Vec<u32> {
        let mut creds: Vec<&Credential> = self
            .run
            .credentials
            .iter()
            .filter(|c| c.scenario == scenario && c.kind.authenticates())
            .collect();
        // Sessions and access tokens first; refresh tokens newest first, so a reuse-detecting server revoking
        // the family on an old token does not decide the newest token's verdict.
        creds.sort_by_key(|c| {
            (
                c.kind == CredentialKind::Refresh,
                if c.kind == CredentialKind::Refresh {
                    -(c.id as i64)
                } else {
                    c.id as i64
                },
            )
        });
        creds.iter().map(|c| c.id).collect()
    }

    fn current_of_kind(&self, s: &Session, kind: CredentialKind) -> Option<u32> {
        s.current
            .values()
            .copied()
            .filter(|id| self.run.credential(*id).is_some_and(|c| c.kind == kind))
            .max()
    }

    async fn mark(&mut self, s: &mut Session, kind: FlowEventKind) {
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

    // ---- steps ------------------------------------------------------------------------------------------

    /// A flow step that must succeed, with its extractions; its exchange is stored once they are done.
    async fn flow_step(
        &mut self,
        s: &mut Session,
        kind: StepKind,
        step: &Step,
        label: &str,
    ) -> Step_<u32> {
        let ex_id = self.send_step(s, kind, step, label, Purpose::Flow).await?;
        let result = self.check_and_extract(s, kind, step, label, ex_id).await;
        self.persist_exchange(ex_id).await;
        result.map(|()| ex_id)
    }

    async fn check_and_extract(
        &mut self,
        s: &mut Session,
        kind: StepKind,
        step: &Step,
        label: &str,
        ex_id: u32,
    ) -> Step_<()> {
        let ex = self
            .run
            .exchange(ex_id)
            .cloned()
            .ok_or_else(|| FlowError::Setup("exchange vanished".into()))?;
        if let Some(err) = &ex.error {
            return Err(FlowError::Request {
                step: label.into(),
                code: err.code.clone(),
                message: err.message.clone(),
            }
            .into());
        }
        let status = ex.final_status().unwrap_or(0);
        if !status_in(&step.success, status) {
            let hint = match (kind, status) {
                (StepKind::Login, 401 | 403) => " — is the username/password right?",
                (_, 403) => " — a CSRF token or header may be missing",
                (_, 404 | 405) => " — check the step's method and path",
                _ => "",
            };
            return Err(FlowError::StepFailed {
                step: label.into(),
                message: format!(
                    "{} {} answered {status}{hint}",
                    step.method,
                    ex.first_request().map(|r| r.url.as_str()).unwrap_or("")
                ),
            }
            .into());
        }
        for spec in &step.extract {
            let found = extract::extract(&ex, spec).map_err(|m| FlowError::Extraction {
                step: label.into(),
                name: spec.name.clone(),
                message: m,
            })?;
            let Some(found) = found else {
                if spec.optional {
                    continue;
                }
                return Err(FlowError::Extraction {
                    step: label.into(),
                    name: spec.name.clone(),
                    message: "not found in the response".into(),
                }
                .into());
            };
            match spec.kind {
                ExtractKind::Value => {
                    s.vars.insert(spec.name.clone(), found.value);
                }
                ExtractKind::Credential(k) => {
                    if s.vars.get(&spec.name) == Some(&found.value) {
                        continue; // the same value again (a refresh that does not rotate): not a new credential
                    }
                    self.new_credential(s, &spec.name, k, found, ex_id, kind)
                        .await;
                }
            }
        }
        Ok(())
    }

    async fn new_credential(
        &mut self,
        s: &mut Session,
        var: &str,
        kind: CredentialKind,
        found: extract::Found,
        ex_id: u32,
        step: StepKind,
    ) {
        let issued_at = self
            .run
            .exchange(ex_id)
            .map(|e| e.started_at + e.duration_ms as Millis)
            .unwrap_or_else(now_ms);
        let generation = if kind == CredentialKind::PreLoginSession {
            1
        } else {
            let g = s.generations.entry(var.to_string()).or_insert(0);
            *g += 1;
            *g
        };
        let suffix = if s.scenario == "lifecycle" {
            String::new()
        } else {
            format!(" · {}", s.scenario)
        };
        let label = if kind == CredentialKind::PreLoginSession {
            format!("{var} (pre-login){suffix}")
        } else {
            format!("{var} #{generation}{suffix}")
        };
        let jwt = crate::tokens::jwt::decode(&found.value);
        let cookie = match (&found.carrier, &found.url) {
            (Carrier::Cookie { raw, .. }, Some(u)) => url::Url::parse(u)
                .ok()
                .and_then(|u| crate::cookies::parse_set_cookie(raw, &u, issued_at).ok()),
            _ => None,
        };
        let (declared_expiry, expiry_source) = if let Some(exp) = jwt.as_ref().and_then(|j| j.exp) {
            (Some(exp.saturating_mul(1000)), Some(ExpirySource::JwtExp))
        } else if let Some(c) = cookie
            .as_ref()
            .filter(|c| c.max_age.is_some() || c.expires.is_some())
        {
            let src = if c.max_age.is_some() {
                ExpirySource::CookieMaxAge
            } else {
                ExpirySource::CookieExpires
            };
            (c.verdict.effective_expiry, Some(src))
        } else if let Some(secs) = found.expires_in {
            (
                Some(issued_at + secs.saturating_mul(1000)),
                Some(ExpirySource::ExpiresIn),
            )
        } else {
            (None, None)
        };
        let id = self.run.credentials.len() as u32 + 1;
        let cred = Credential {
            id,
            name: var.to_string(),
            kind,
            generation,
            label,
            fingerprint: fingerprint(&found.value),
            value: found.value.clone(),
            carrier: found.carrier,
            issued_at,
            issued_by: ex_id,
            issued_in: step,
            scenario: s.scenario.to_string(),
            declared_expiry,
            expiry_source,
            jwt,
            cookie,
        };
        self.redactor.add_secret(&cred.value);
        if kind != CredentialKind::PreLoginSession {
            s.vars.insert(var.to_string(), found.value);
            s.current.insert(var.to_string(), id);
        }
        self.opts.events.emit(RunEvent::CredentialIssued {
            id,
            label: cred.label.clone(),
            kind,
            expires_at: declared_expiry,
        });
        self.persist_credential(&cred).await;
        self.run.credentials.push(cred);
    }

    /// The probe with the current credentials: records an observation for each credential it carried.
    async fn flow_probe(&mut self, s: &mut Session, label: &str) -> Step_<()> {
        let probe = &self.profile.probe;
        let in_use = self.credentials_in_use(s, probe);
        let ex_id = self
            .send_step(s, StepKind::Probe, probe, label, Purpose::Flow)
            .await?;
        self.persist_exchange(ex_id).await;
        let verdict = self.verdict(StepKind::Probe, ex_id);
        for id in in_use {
            self.observe(s, id, ex_id, verdict, Purpose::Flow).await;
        }
        if verdict != Verdict::Accepted {
            let ex = self.run.exchange(ex_id);
            let what = match ex.and_then(|e| e.error.as_ref()) {
                Some(e) => e.message.clone(),
                None => format!(
                    "{} answered {}",
                    probe.method,
                    ex.and_then(|e| e.final_status()).unwrap_or(0)
                ),
            };
            return Err(FlowError::NotAuthenticated {
                message: format!("{label}: {what}"),
            }
            .into());
        }
        Ok(())
    }

    /// Authenticating credentials the step would carry right now: template variables and jar cookies.
    fn credentials_in_use(&self, s: &Session, step: &Step) -> Vec<u32> {
        let mut ids: Vec<u32> = step
            .variables()
            .iter()
            .filter_map(|v| s.current.get(v).copied())
            .collect();
        let url =
            request::step_url(&self.base, &step.path.render(&s.vars).unwrap_or_default()).ok();
        if let Some(url) = url {
            for (name, value) in s.jar.get_request_values(&url) {
                let hit = self.run.credentials.iter().rev().find(|c| {
                    c.scenario == s.scenario
                        && c.value == value
                        && matches!(&c.carrier, Carrier::Cookie { name: n, .. } if n == name)
                });
                if let Some(c) = hit {
                    ids.push(c.id);
                }
            }
        }
        ids.retain(|id| {
            self.run
                .credential(*id)
                .is_some_and(|c| c.kind.authenticates())
        });
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    fn verdict(&self, kind: StepKind, ex_id: u32) -> Verdict {
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
        if status_in(&step.success, status) {
            return Verdict::Accepted;
        }
        let rejected = if kind == StepKind::Probe {
            status_in(&step.rejected, status)
        } else {
            matches!(status, 400 | 401 | 403)
        };
        if rejected {
            Verdict::Rejected
        } else {
            Verdict::Inconclusive
        }
    }

    async fn observe(
        &mut self,
        s: &Session,
        credential_id: u32,
        exchange_id: u32,
        verdict: Verdict,
        purpose: Purpose,
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
        };
        if let Some(store) = &self.opts.store
            && let Err(e) = store.add_observation(&self.run.id, &o).await
        {
            tracing::warn!("history store: {e}");
        }
        self.run.observations.push(o);
    }

    /// Send one credential alone through the step that uses it (refresh tokens through refresh, everything
    /// else through the probe), on a copy of the jar, and record the target's verdict.
    async fn replay(&mut self, s: &mut Session, credential_id: u32, purpose: Purpose) -> Step_<()> {
        let Some(cred) = self.run.credential(credential_id).cloned() else {
            return Ok(());
        };
        let (kind, step) = match (cred.kind, &self.profile.refresh) {
            (CredentialKind::Refresh, Some(r)) => (StepKind::Refresh, r),
            (CredentialKind::Refresh, None) => return Ok(()),
            _ => (StepKind::Probe, &self.profile.probe),
        };
        let credential_vars = self.profile.credential_kinds();
        let mut vars = s.vars.clone();
        for (var, k) in &credential_vars {
            if k.authenticates() && *var != cred.name {
                vars.remove(var);
            }
        }
        let credential_cookie_names: Vec<String> = self
            .profile
            .credential_cookies()
            .into_iter()
            .map(|(n, _, _)| n)
            .collect();
        let mut jar = without_cookies(&s.jar, &credential_cookie_names);
        match &cred.carrier {
            Carrier::Cookie { name, .. } => {
                vars.remove(&cred.name);
                let secure = if self.base.scheme() == "https" {
                    "; Secure"
                } else {
                    ""
                };
                // If the jar refused the old cookie, the replay would carry nothing and read as
                // "rejected": a false pass. Refuse to judge instead.
                let line = format!("{name}={}; Path=/{secure}", cred.value);
                if let Err(e) = jar.parse(&line, &self.base) {
                    let why = format!(
                        "cannot replay {}: the cookie jar refused it ({e})",
                        cred.label
                    );
                    return Err(FlowError::Setup(why).into());
                }
            }
            _ => {
                vars.insert(cred.name.clone(), cred.value.clone());
            }
        }
        let what = match purpose {
            Purpose::ReplayAfterLogout => "after logout",
            Purpose::FixationReplay => "after login (fixation)",
            Purpose::ReuseAfterRotation => "after rotation (reuse)",
            Purpose::NewestAfterReuse => "after the reuse attempt",
            _ => "",
        };
        let label = format!("replay {} {what}", cred.label);
        self.begin_step(s.scenario, kind, &label);
        let req =
            request::build(&self.base, step, &vars, true).map_err(|m| FlowError::StepFailed {
                step: label.clone(),
                message: m,
            })?;
        let ex_id = self
            .send(kind, purpose, &label, req, &mut jar, step.follow_redirects)
            .await?;
        self.persist_exchange(ex_id).await;
        let verdict = self.verdict(kind, ex_id);
        let status = self.run.exchange(ex_id).and_then(|e| e.final_status());
        self.observe(s, credential_id, ex_id, verdict, purpose)
            .await;
        self.opts.events.emit(RunEvent::ReplayResult {
            credential_id,
            label: cred.label.clone(),
            verdict,
            status,
        });
        Ok(())
    }

    /// GET the login URL over plain http, without following: does the target send us to https?
    async fn plain_http_probe(&mut self, http_base: &url::Url) -> Step_<()> {
        let path = self
            .profile
            .prefetch
            .as_ref()
            .unwrap_or(&self.profile.login)
            .path
            .render(&Vars::new())
            .unwrap_or_else(|_| "/".into());
        let url = request::step_url(http_base, &path).map_err(FlowError::Setup)?;
        let label = "plain-http probe";
        self.begin_step("lifecycle", StepKind::Extra, label);
        let req = crate::http::OutgoingRequest {
            method: "GET".into(),
            url,
            headers: Vec::new(),
            body: Vec::new(),
        };
        let mut jar = CookieStore::default();
        let id = self
            .send(
                StepKind::Extra,
                Purpose::PlainHttp,
                label,
                req,
                &mut jar,
                false,
            )
            .await?;
        self.persist_exchange(id).await;
        Ok(())
    }

    async fn send_step(
        &mut self,
        s: &mut Session,
        kind: StepKind,
        step: &Step,
        label: &str,
        purpose: Purpose,
    ) -> Step_<u32> {
        self.begin_step(s.scenario, kind, label);
        let req = request::build(&self.base, step, &s.vars, false).map_err(|m| {
            FlowError::StepFailed {
                step: label.into(),
                message: m,
            }
        })?;
        self.send(kind, purpose, label, req, &mut s.jar, step.follow_redirects)
            .await
    }

    fn begin_step(&mut self, scenario: &str, step: StepKind, label: &str) {
        self.step_index += 1;
        self.opts.events.emit(RunEvent::StepStarted {
            scenario: scenario.into(),
            step,
            label: label.into(),
            index: self.step_index,
        });
    }

    async fn send(
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
    async fn persist_exchange(&self, id: u32) {
        if let (Some(store), Some(ex)) = (&self.opts.store, self.run.exchange(id))
            && let Err(e) = store
                .add_exchange(&self.run.id, &self.redactor.exchange(ex))
                .await
        {
            tracing::warn!("history store: {e}");
        }
    }

    async fn persist_credential(&self, c: &Credential) {
        if let Some(store) = &self.opts.store
            && let Err(e) = store
                .add_credential(&self.run.id, &self.redactor.credential(c))
                .await
        {
            tracing::warn!("history store: {e}");
        }
    }
}

/// A copy of the jar without the named cookies (any prefix variant).
fn without_cookies(jar: &CookieStore, names: &[String]) -> CookieStore {
    let keep = jar
        .iter_any()
        .filter(|c| !names.iter().any(|n| cookie_name_matches(n, c.name())))
        .cloned()
        .map(Ok::<_, std::convert::Infallible>);
    CookieStore::from_cookies(keep, false).unwrap_or_default()
}
