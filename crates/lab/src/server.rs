//! Starting and stopping a lab: listeners, router, middleware.

use std::collections::BTreeSet;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
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
use crate::state::{self, Lab, Shared};
use crate::store::Store;
use crate::{pages, session_mode, tls, token_mode, users};

const BODY_LIMIT: usize = 64 * 1024;
const HSTS: &str = "max-age=63072000; includeSubDomains";
/// How long shutdown lets in-flight requests finish before cutting connections.
const GRACE: Duration = Duration::from_secs(5);

/// A running lab. Dropping it stops the listeners abruptly; prefer [`LabHandle::shutdown`].
pub struct LabHandle {
    /// `https://127.0.0.1:PORT`, no trailing slash.
    pub https_url: String,
    /// `http://127.0.0.1:PORT` when a plain-HTTP (redirecting) listener was asked for.
    pub http_url: Option<String>,
    /// The certificate to trust, PEM.
    pub cert_pem: String,
    /// Where that certificate is kept on disk.
    pub cert_path: PathBuf,
    pub mode: Mode,
    pub flaws: BTreeSet<Flaw>,
    servers: Vec<(Handle<SocketAddr>, JoinHandle<std::io::Result<()>>)>,
    store: Store,
}

impl fmt::Debug for LabHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LabHandle")
            .field("https_url", &self.https_url)
            .field("http_url", &self.http_url)
            .field("cert_path", &self.cert_path)
            .field("mode", &self.mode)
            .field("flaws", &self.flaws)
            .finish_non_exhaustive()
    }
}

impl LabHandle {
    /// Stop accepting, let in-flight requests finish (up to a few seconds), and wait
    /// until every listener has stopped.
    pub async fn shutdown(mut self) {
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
        self.store.close().await;
        tracing::info!(url = %self.https_url, "lab stopped");
    }
}

impl Drop for LabHandle {
    fn drop(&mut self) {
        for (handle, _) in &self.servers {
            handle.shutdown();
        }
    }
}

/// Start a lab on 127.0.0.1 (never any other interface).
pub async fn start(cfg: LabConfig) -> Result<LabHandle, LabError> {
    validate(&cfg)?;

    let tls_dir = cfg.tls_dir.clone();
    let cert = tokio::task::spawn_blocking(move || tls::load_or_create(&tls_dir)).await??;
    // Hash the demo passwords once per process, off the async workers.
    tokio::task::spawn_blocking(users::warm_up).await?;

    // Bind both sockets before spawning anything, so a failure leaves nothing running.
    let https_listener = bind(cfg.https_port)?;
    let http_listener = cfg.http_port.map(bind).transpose()?;
    let https_url = format!(
        "https://127.0.0.1:{}",
        local_port(&https_listener, cfg.https_port)?
    );
    let http_url = match (&http_listener, cfg.http_port) {
        (Some(listener), Some(port)) => {
            Some(format!("http://127.0.0.1:{}", local_port(listener, port)?))
        }
        _ => None,
    };

    let store = Store::open().await?;
    let lifetimes = state::effective_lifetimes(cfg.lifetimes, &cfg.flaws);
    let lab: Shared = Arc::new(Lab {
        mode: cfg.mode,
        flaws: cfg.flaws.clone(),
        store: store.clone(),
        access: AccessTokens::new(&https_url, lifetimes.access_secs),
        lifetimes,
    });

    let mut servers = Vec::new();
    let handle = Handle::new();
    let server = axum_server::from_tcp_rustls(
        https_listener,
        RustlsConfig::from_config(cert.server_config),
    )
    .map_err(|source| LabError::Listen {
        port: cfg.https_port,
        source,
    })?
    .handle(handle.clone());
    let app = https_router(lab);
    servers.push((handle, tokio::spawn(server.serve(app.into_make_service()))));

    if let (Some(listener), Some(port)) = (http_listener, cfg.http_port) {
        let handle = Handle::new();
        let server = axum_server::from_tcp(listener)
            .map_err(|source| LabError::Listen { port, source })?
            .handle(handle.clone());
        let app = redirect_router(https_url.clone());
        servers.push((handle, tokio::spawn(server.serve(app.into_make_service()))));
    }

    tracing::info!(url = %https_url, mode = %cfg.mode, flaws = ?cfg.flaws, "lab listening");
    Ok(LabHandle {
        https_url,
        http_url,
        cert_pem: cert.cert_pem,
        cert_path: cert.cert_path,
        mode: cfg.mode,
        flaws: cfg.flaws,
        servers,
        store,
    })
}

fn validate(cfg: &LabConfig) -> Result<(), LabError> {
    if let Some(flaw) = cfg.flaws.iter().find(|f| !f.applies_to(cfg.mode)) {
        return Err(LabError::not_applicable(*flaw, cfg.mode));
    }
    if cfg.flaws.contains(&Flaw::SamesiteNone) && cfg.flaws.contains(&Flaw::NoSamesite) {
        return Err(LabError::ConflictingFlaws(
            Flaw::SamesiteNone,
            Flaw::NoSamesite,
        ));
    }
    Ok(())
}

fn bind(port: u16) -> Result<TcpListener, LabError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            LabError::PortInUse { port }
        } else {
            LabError::Listen { port, source }
        }
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|source| LabError::Listen { port, source })?;
    Ok(listener)
}

fn local_port(listener: &TcpListener, requested: u16) -> Result<u16, LabError> {
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|source| LabError::Listen {
            port: requested,
            source,
        })
}

fn https_router(lab: Shared) -> Router {
    let mode_routes = match lab.mode {
        Mode::Session => session_mode::routes(),
        Mode::Jwt | Mode::Hybrid => token_mode::routes(lab.mode),
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
    Json(serde_json::json!({ "ok": true, "mode": lab.mode, "flaws": lab.flaws }))
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
