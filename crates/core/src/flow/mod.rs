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

mod credentials;
mod extract;
mod replay;
mod request;
mod runner;
mod scenarios;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use extract::cookie_name_matches;

use crate::checks::CheckConfig;
use crate::error::CoreError;
use crate::events::{CancellationToken, EventSink, RunEvent};
use crate::http::{HttpClient, HttpConfig, TlsTrust};
use crate::model::{Millis, Run, RunStatus};
use crate::profile::{Profile, TlsTrustSpec};
use crate::redact::Redactor;
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
    /// Probe the plain-http URL for a redirect to https (off when the base URL was overridden without an
    /// http URL: the profile's own would point at another deployment).
    pub plain_http_probe: bool,
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
            plain_http_probe: true,
        }
    }

    /// Run against another server than the profile names (the bundled lab on ephemeral ports), trusting
    /// the CA certificate it hands over.
    pub fn retarget(
        &mut self,
        base_url: &str,
        http_base_url: Option<&str>,
        ca_pem: &str,
    ) -> Result<(), url::ParseError> {
        self.base_url_override = Some(url::Url::parse(base_url)?);
        self.http_base_url_override = http_base_url.map(url::Url::parse).transpose()?;
        self.tls_override = Some(TlsTrust::CaPem(ca_pem.to_string()));
        Ok(())
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
    let http_base = if opts.plain_http_probe {
        opts.http_base_url_override
            .clone()
            .or_else(|| profile.http_base_url.clone())
    } else {
        None
    };
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
    let mut r = runner::Runner {
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
