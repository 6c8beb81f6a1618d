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
mod entropy;
mod expiry;
mod extract;
mod idle;
mod jwt_attacks;
mod keys;
mod latency;
mod rate_limit;
mod replay;
mod replicas;
mod request;
mod runner;
mod scenarios;
mod settings;
mod weak_secret;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use extract::cookie_name_matches;
pub use settings::ScenarioSettings;

use serde::{Deserialize, Serialize};

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

/// What a run does. Each scenario logs in afresh with its own jar; they run in this enum's order (the
/// rate-limit scenario last: it may lock the test account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    Lifecycle,
    Rotation,
    JwtAttacks,
    Replicas,
    Latency,
    Expiry,
    Idle,
    Entropy,
    RateLimit,
}

impl Scenario {
    pub const DEFAULT: &'static [Scenario] = &[Scenario::Lifecycle, Scenario::Rotation];
    pub const ALL: &'static [Scenario] = &[
        Scenario::Lifecycle,
        Scenario::Rotation,
        Scenario::JwtAttacks,
        Scenario::Replicas,
        Scenario::Latency,
        Scenario::Expiry,
        Scenario::Idle,
        Scenario::Entropy,
        Scenario::RateLimit,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Scenario::Lifecycle => "lifecycle",
            Scenario::Rotation => "rotation",
            Scenario::JwtAttacks => "jwt-attacks",
            Scenario::Replicas => "replicas",
            Scenario::Latency => "latency",
            Scenario::Expiry => "expiry",
            Scenario::Idle => "idle",
            Scenario::Entropy => "entropy",
            Scenario::RateLimit => "rate-limit",
        }
    }
    /// One line for pickers and `--help`.
    pub fn describe(self) -> &'static str {
        match self {
            Scenario::Lifecycle => {
                "login, probe, refresh, logout, then replay every old credential"
            }
            Scenario::Rotation => "refresh twice, replay the first refresh token (reuse detection)",
            Scenario::JwtAttacks => {
                "send forged JWTs to the probe: tampered, alg none, key confusion, psychic signature, header keys (opt-in)"
            }
            Scenario::Replicas => "log in and out on one base URL, replay on every other replica",
            Scenario::Latency => "poll old credentials after logout until rejected: time to revoke",
            Scenario::Expiry => {
                "wait until each credential's declared expiry + skew, then replay it"
            }
            Scenario::Idle => {
                "probe after growing idle gaps to find the idle timeout (opt-in, waits)"
            }
            Scenario::Entropy => {
                "log in repeatedly to sample fresh session ids and estimate their entropy (opt-in)"
            }
            Scenario::RateLimit => {
                "try wrong passwords for the test account: 429, Retry-After, lockout (opt-in)"
            }
        }
    }
    /// Not in a default run: it waits long, logs in many times or may lock the test account.
    pub fn opt_in(self) -> bool {
        matches!(
            self,
            Scenario::Idle | Scenario::Entropy | Scenario::RateLimit | Scenario::JwtAttacks
        )
    }
    /// It waits (a countdown shows).
    pub fn waits(self) -> bool {
        matches!(self, Scenario::Expiry | Scenario::Idle | Scenario::Latency)
    }
    /// Whether a lab for these scenarios wants teaching lifetimes: the expiry and idle waits end in
    /// seconds only with them.
    pub fn want_short_lifetimes(scenarios: &[Scenario]) -> bool {
        scenarios
            .iter()
            .any(|s| matches!(s, Scenario::Expiry | Scenario::Idle))
    }
    /// Every scenario in run order, for a comma-separated list that may say `all`.
    pub fn parse_list(text: &str) -> Result<Vec<Scenario>, String> {
        let mut out = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part.eq_ignore_ascii_case("all") {
                out.extend_from_slice(Scenario::ALL);
            } else {
                out.push(part.parse()?);
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }
}

impl std::str::FromStr for Scenario {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Scenario::ALL
            .iter()
            .copied()
            .find(|x| x.as_str() == wanted || (wanted == "ratelimit" && *x == Scenario::RateLimit))
            .ok_or_else(|| {
                let names: Vec<&str> = Scenario::ALL.iter().map(|x| x.as_str()).collect();
                format!(
                    "unknown scenario `{s}` (expected {} or all)",
                    names.join(", ")
                )
            })
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
    /// Other instances of the target (the replicas scenario); replaces the profile's `replicas`.
    pub replicas_override: Option<Vec<url::Url>>,
    /// Waits, bounds and sample sizes of the measuring scenarios (the profile's `[scenarios]` by default).
    pub settings: Option<ScenarioSettings>,
    /// An HMAC secret to verify JWTs with (prompted for, or the in-process lab's); else the profile's
    /// `[jwt] secret_env`. Never stored.
    pub jwt_secret: Option<String>,
    /// Where fetched JWKS documents are cached between runs; None fetches every time.
    pub jwks_cache: Option<crate::tokens::jwks_cache::JwksCache>,
    /// Wordlists for the weak-secret audit, besides the profile's `[jwt] wordlists`.
    pub jwt_wordlists: Vec<std::path::PathBuf>,
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
            replicas_override: None,
            settings: None,
            jwt_secret: None,
            jwks_cache: None,
            jwt_wordlists: Vec::new(),
        }
    }

    /// Run against another server than the profile names (the bundled lab on ephemeral ports), trusting
    /// the CA certificate it hands over; `replicas` are its other instances (the replicas scenario).
    pub fn retarget(
        &mut self,
        base_url: &str,
        http_base_url: Option<&str>,
        ca_pem: &str,
        replicas: &[&str],
    ) -> Result<(), url::ParseError> {
        self.base_url_override = Some(url::Url::parse(base_url)?);
        self.http_base_url_override = http_base_url.map(url::Url::parse).transpose()?;
        self.tls_override = Some(TlsTrust::CaPem(ca_pem.to_string()));
        self.replicas_override = Some(
            replicas
                .iter()
                .map(|r| url::Url::parse(r))
                .collect::<Result<_, _>>()?,
        );
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
    let replicas = opts
        .replicas_override
        .clone()
        .unwrap_or_else(|| profile.replicas.clone());
    let mut targets = vec![base.clone()];
    targets.extend(replicas.into_iter().filter(|u| *u != base));
    let settings = opts
        .settings
        .clone()
        .unwrap_or_else(|| profile.scenarios.clone())
        .clamped();
    let mut redactor = Redactor::new(opts.reveal);
    redactor.add_password(&opts.password);
    let run = Run {
        id: uuid::Uuid::now_v7().to_string(),
        profile_name: profile.name.clone(),
        targets: targets.iter().map(|u| u.to_string()).collect(),
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
        results: Vec::new(),
        jwt_keys: Vec::new(),
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
        targets,
        settings,
        http_base,
        client,
        opts,
        run,
        redactor,
        step_index: 0,
        keys: Default::default(),
        jwks_origins: Vec::new(),
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
