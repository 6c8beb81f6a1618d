//! Starting and stopping a lab: listeners, router, middleware.

use std::collections::BTreeSet;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::{LOCATION, STRICT_TRANSPORT_SECURITY};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use axum_server::Handle;
use axum_server::tls_rustls::RustlsConfig;
use tokio::task::JoinHandle;

use crate::config::{Flaw, LabConfig, Mode};
use crate::error::LabError;
use crate::http::ApiError;
use crate::jwt::AccessTokens;
use crate::jwt::keys::Keyring;
use crate::jwt::signing::Signing;
use crate::jwt::verify::Lapses;
use crate::rate_limit::LoginLimiter;
use crate::state::{self, Lab, Shared};
use crate::store::Backing;
use crate::{pages, ports, session_mode, tls, token_mode, users, wellknown};

const BODY_LIMIT: usize = 64 * 1024;
const HSTS: &str = "max-age=63072000; includeSubDomains";
/// How long shutdown lets in-flight requests finish before cutting connections.
const GRACE: Duration = Duration::from_secs(5);

/// Where one replica listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaUrls {
    /// `https://127.0.0.1:PORT`, no trailing slash.
    pub https_url: String,
    /// Its plain-HTTP redirector, when one was asked for.
    pub http_url: Option<String>,
}

/// A running lab. Dropping it stops the listeners (and a spawned redis-server)
/// abruptly; prefer [`LabHandle::shutdown`].
pub struct LabHandle {
    /// Replica 1: `https://127.0.0.1:PORT`, no trailing slash.
    pub https_url: String,
    /// Replica 1: `http://127.0.0.1:PORT` when a plain-HTTP (redirecting) listener was asked for.
    pub http_url: Option<String>,
    /// Every replica, in order; `replicas[0]` is `https_url`/`http_url`.
    pub replicas: Vec<ReplicaUrls>,
    /// The certificate to trust, PEM.
    pub cert_pem: String,
    /// Where that certificate is kept on disk.
    pub cert_path: PathBuf,
    pub mode: Mode,
    pub flaws: BTreeSet<Flaw>,
    servers: Vec<(Handle<SocketAddr>, JoinHandle<std::io::Result<()>>)>,
    /// Shared by every replica.
    keys: Arc<Keyring>,
    /// The key_rotation_secs timer.
    rotation: Option<JoinHandle<()>>,
    /// `None` only once shutdown has taken it.
    backing: Option<Backing>,
    store_description: String,
}

impl fmt::Debug for LabHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LabHandle")
            .field("https_url", &self.https_url)
            .field("http_url", &self.http_url)
            .field("replicas", &self.replicas)
            .field("cert_path", &self.cert_path)
            .field("mode", &self.mode)
            .field("flaws", &self.flaws)
            .field("store", &self.store_description)
            .field("signing", &self.keys.signing())
            .field("kid", &self.keys.current().kid)
            .finish_non_exhaustive()
    }
}

impl LabHandle {
    /// The https URLs of every instance but the first (`https_url`): the run's other replicas.
    pub fn other_replicas(&self) -> Vec<&str> {
        self.replicas
            .iter()
            .skip(1)
            .map(|r| r.https_url.as_str())
            .collect()
    }

    /// Where the lab keeps its state, for people: "in-memory SQLite",
    /// "shared SQLite /tmp/…/lab.sqlite (temporary)", "Redis 127.0.0.1:6390 (spawned)",
    /// "per-replica memory".
    pub fn store_description(&self) -> String {
        self.store_description.clone()
    }

    /// How access JWTs are signed.
    pub fn signing(&self) -> Signing {
        self.keys.signing()
    }

    /// The kid of the key that signs new access tokens: `lab-<signing>-<n>`
    /// (`lab-rs256-1`, then `lab-rs256-2` after a rotation…).
    pub fn current_kid(&self) -> String {
        self.keys.current().kid.clone()
    }

    /// The current signing key's public key, SubjectPublicKeyInfo PEM (LF line endings,
    /// final newline), exactly as `/.well-known/public-key.pem` serves it; `None` for HS256.
    pub fn public_key_pem(&self) -> Option<String> {
        self.keys.current().public.as_ref().map(|p| p.pem.clone())
    }

    /// The current HS256 secret (the HMAC key is its UTF-8 bytes); `None` for the other
    /// signing modes.
    pub fn jwt_secret(&self) -> Option<String> {
        self.keys.current().secret.clone()
    }

    /// Replica 1's JWKS URL (jwt and hybrid modes; session mode issues no JWTs).
    pub fn jwks_url(&self) -> Option<String> {
        (self.mode != Mode::Session).then(|| format!("{}{}", self.https_url, wellknown::JWKS))
    }

    /// Replica 1's OpenID-style discovery document (jwt and hybrid modes).
    pub fn openid_configuration_url(&self) -> Option<String> {
        (self.mode != Mode::Session)
            .then(|| format!("{}{}", self.https_url, wellknown::OPENID_CONFIGURATION))
    }

    /// Rotate the signing key now, for every replica: a new key signs from now on, the
    /// previous one still verifies and stays in the JWKS, the one before it is dropped.
    /// Returns the new kid.
    pub async fn rotate_keys(&self) -> Result<String, LabError> {
        let keys = self.keys.clone();
        tokio::task::spawn_blocking(move || keys.rotate()).await?
    }

    /// Stop accepting, let in-flight requests finish (up to a few seconds), wait until
    /// every listener has stopped, then release the store (closing connections,
    /// stopping a spawned redis-server, removing temp files).
    pub async fn shutdown(mut self) {
        if let Some(rotation) = self.rotation.take() {
            rotation.abort();
        }
        let servers = std::mem::take(&mut self.servers);
        for (handle, _) in &servers {
            handle.graceful_shutdown(Some(GRACE));
        }
        for (_, task) in servers {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::warn!(%error, "lab listener stopped with an error"),
                Err(error) => tracing::warn!(%error, "lab listener task failed"),
            }
        }
        if let Some(backing) = self.backing.take() {
            backing.close().await;
        }
        tracing::info!(url = %self.https_url, "lab stopped");
    }
}

impl Drop for LabHandle {
    fn drop(&mut self) {
        if let Some(rotation) = &self.rotation {
            rotation.abort();
        }
        for (handle, _) in &self.servers {
            handle.shutdown();
        }
        // Dropping the backing kills a spawned redis-server and removes temp files.
    }
}

/// Start a lab on 127.0.0.1 (never any other interface): `cfg.replicas` full servers on
/// consecutive ports sharing one store, one token key and one login rate limiter.
pub async fn start(cfg: LabConfig) -> Result<LabHandle, LabError> {
    cfg.validate()?;

    let tls_dir = cfg.tls_dir.clone();
    let cert = tokio::task::spawn_blocking(move || tls::load_or_create(&tls_dir)).await??;
    // Hash the demo passwords once per process, off the async workers.
    tokio::task::spawn_blocking(users::warm_up).await?;

    // Bind every socket before spawning anything, so a failure leaves nothing running.
    let https_listeners = ports::bind_block(cfg.https_port, cfg.replicas)?;
    let http_listeners = cfg
        .http_port
        .map(|port| ports::bind_block(port, cfg.replicas))
        .transpose()?;
    let mut replicas = Vec::with_capacity(https_listeners.len());
    for (i, listener) in https_listeners.iter().enumerate() {
        let https_url = format!(
            "https://127.0.0.1:{}",
            ports::local_port(listener, cfg.https_port)?
        );
        let http_url = match &http_listeners {
            Some(listeners) => Some(format!(
                "http://127.0.0.1:{}",
                ports::local_port(&listeners[i], cfg.http_port.unwrap_or(0))?
            )),
            None => None,
        };
        replicas.push(ReplicaUrls {
            https_url,
            http_url,
        });
    }
    let Some(first) = replicas.first().cloned() else {
        return Err(LabError::Replicas {
            replicas: 0,
            max: crate::config::MAX_REPLICAS,
        });
    };

    let lifetimes = state::effective_lifetimes(cfg.lifetimes, &cfg.flaws);
    let (backing, stores) = Backing::open(&cfg, state::rules(&cfg, &lifetimes)).await?;
    // One issuer (replica 1) and one keyring: a token from any replica verifies on all.
    let keys = {
        let (signing, secret) = (cfg.signing, cfg.fixed_secret());
        let with_dir = cfg.flaws.contains(&Flaw::HeaderKeysTrusted);
        Arc::new(
            tokio::task::spawn_blocking(move || Keyring::new(signing, secret, with_dir)).await??,
        )
    };
    let access = Arc::new(AccessTokens::new(
        keys.clone(),
        &first.https_url,
        lifetimes.access_secs,
        Lapses::from_flaws(&cfg.flaws),
    ));
    let limiter = Arc::new(LoginLimiter::new(cfg.rate_limit));

    let mut servers = Vec::new();
    let mut http_listeners = http_listeners.map(Vec::into_iter);
    for (i, ((listener, store), urls)) in https_listeners
        .into_iter()
        .zip(stores)
        .zip(&replicas)
        .enumerate()
    {
        let lab: Shared = Arc::new(Lab {
            mode: cfg.mode,
            flaws: cfg.flaws.clone(),
            store,
            access: access.clone(),
            lifetimes,
            limiter: limiter.clone(),
            replica: u16::try_from(i + 1).unwrap_or(u16::MAX),
            base_url: urls.https_url.clone(),
            replicas: cfg.replicas,
            store_kind: backing.kind(),
        });
        let port = ports::local_port(&listener, cfg.https_port)?;
        let handle = Handle::new();
        let server = axum_server::from_tcp_rustls(
            listener,
            RustlsConfig::from_config(cert.server_config.clone()),
        )
        .map_err(|source| LabError::Listen { port, source })?
        .handle(handle.clone());
        let app = https_router(lab);
        servers.push((handle, tokio::spawn(server.serve(app.into_make_service()))));

        if let Some(listener) = http_listeners.as_mut().and_then(Iterator::next) {
            let port = ports::local_port(&listener, 0)?;
            let handle = Handle::new();
            let server = axum_server::from_tcp(listener)
                .map_err(|source| LabError::Listen { port, source })?
                .handle(handle.clone());
            let app = redirect_router(urls.https_url.clone());
            servers.push((handle, tokio::spawn(server.serve(app.into_make_service()))));
        }
    }

    let rotation = cfg
        .key_rotation_secs
        .map(|secs| tokio::spawn(rotate_every(keys.clone(), Duration::from_secs(secs))));

    let store_description = backing.description().to_owned();
    tracing::info!(
        url = %first.https_url,
        replicas = cfg.replicas,
        store = %store_description,
        mode = %cfg.mode,
        flaws = ?cfg.flaws,
        signing = %cfg.signing,
        kid = %keys.current().kid,
        "lab listening"
    );
    Ok(LabHandle {
        https_url: first.https_url,
        http_url: first.http_url,
        replicas,
        cert_pem: cert.cert_pem,
        cert_path: cert.cert_path,
        mode: cfg.mode,
        flaws: cfg.flaws,
        servers,
        keys,
        rotation,
        backing: Some(backing),
        store_description,
    })
}

/// The key_rotation_secs timer. A failed rotation keeps the current key and tries again
/// at the next tick.
async fn rotate_every(keys: Arc<Keyring>, period: Duration) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let keys = keys.clone();
        match tokio::task::spawn_blocking(move || keys.rotate()).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(%error, "lab key rotation failed"),
            Err(error) => tracing::warn!(%error, "lab key rotation task failed"),
        }
    }
}

fn https_router(lab: Shared) -> Router {
    let mode_routes = match lab.mode {
        Mode::Session => session_mode::routes(),
        Mode::Jwt | Mode::Hybrid => token_mode::routes(lab.mode).merge(wellknown::routes()),
    };
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(healthz))
        .merge(mode_routes)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(hsts))
        .layer(middleware::from_fn(log_request))
        .with_state(lab)
}

/// Plain HTTP only ever points at HTTPS. The target host is ours, never the request's
/// Host header, so this cannot be turned into an open redirect.
fn redirect_router(https_url: String) -> Router {
    Router::new()
        .fallback(move |request: Request| {
            let https_url = https_url.clone();
            async move {
                let path = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
                let location = format!("{https_url}{path}");
                match HeaderValue::try_from(location) {
                    Ok(location) => {
                        (StatusCode::PERMANENT_REDIRECT, [(LOCATION, location)]).into_response()
                    }
                    Err(_) => ApiError::invalid_request("unusable request target").into_response(),
                }
            }
        })
        .layer(middleware::from_fn(log_request))
}

async fn hsts(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .insert(STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    response
}

/// Path only: the query may carry a session id (token-in-url), and nothing here logs
/// headers or bodies.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    tracing::debug!(%method, %path, status = response.status().as_u16(), "lab request");
    response
}

async fn index(State(lab): State<Shared>) -> Html<String> {
    Html(pages::index(&lab))
}

async fn healthz(State(lab): State<Shared>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "ok": true,
        "mode": lab.mode,
        "flaws": lab.flaws,
        "replica": lab.replica,
        "store": lab.store_kind,
    }))
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such endpoint in this lab mode",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed on this endpoint",
    )
}
