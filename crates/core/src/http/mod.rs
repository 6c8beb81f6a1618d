//! HTTP client for talking to targets, including hostile or broken ones.
//!
//! One [`HttpClient`] wraps a `reqwest::Client` built on a rustls configuration of our own (ring
//! provider, trust chosen by [`TlsTrust`]). Nothing is automatic: no redirects, no cookie store, no
//! decompression, no proxy. [`HttpClient::send`] runs its own redirect loop, takes cookies from and
//! stores them into the caller's [`CookieStore`], streams and decodes bodies under a byte cap, and
//! records every hop as sent and received ([`Hop`]) even when the exchange ends in an error.
//!
//! Submodules: `tls` (trust and rustls config), `headers` (request building, lossy header records),
//! `body` (streaming decode under cap and timeouts), `redirect` (the redirect decision), `error`
//! (turning reqwest/hyper/rustls errors into an [`HttpError`] a user understands).

mod body;
mod error;
mod headers;
mod redirect;
mod tls;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::model::{Body, Hop, RequestRecord, ResponseRecord};

pub use cookie_store::CookieStore;
pub use headers::escape_lossy;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsTrust {
    /// The operating system's root store.
    System,
    /// Extra PEM CA/certificate file trusted on top of nothing else (the target's own CA).
    CaFile(PathBuf),
    /// PEM text trusted (the lab's self-signed certificate handed over in-process).
    CaPem(String),
}

#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub connect_timeout: Duration,
    /// Longest silence while reading a response.
    pub read_timeout: Duration,
    /// Cap on one exchange, all hops and body included.
    pub total_timeout: Duration,
    /// Cap on decoded body bytes kept per response; reading stops there.
    pub max_body_bytes: u64,
    pub max_redirects: u32,
    pub tls: TlsTrust,
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_body_bytes: 8 * 1024 * 1024,
            max_redirects: 10,
            tls: TlsTrust::System,
            user_agent: format!("authlens/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct OutgoingRequest {
    pub method: String,
    pub url: url::Url,
    /// Headers to send besides Cookie (which comes from the jar) and User-Agent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What happened: every hop recorded, even when the exchange ended in an error.
#[derive(Debug)]
pub struct SendOutcome {
    pub hops: Vec<Hop>,
    pub error: Option<HttpError>,
}

/// Why an exchange failed. Every variant holds plain strings (so it stays `Clone`) and displays as a
/// sentence naming the problem; [`HttpError::code`] gives a stable id for programs.
///
/// URLs in these errors have their query string and fragment replaced by `?…` / `#…`: queries often
/// carry codes and tokens, and the full URL is in the recorded hops anyway.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// TCP connection (or name resolution) failed, or the connection broke.
    #[error("could not connect to {target}: {reason}")]
    Connect { target: String, reason: String },
    /// The TLS handshake failed: untrusted certificate, wrong name, expired, not TLS at all...
    #[error("TLS handshake with {target} failed: {reason}")]
    Tls { target: String, reason: String },
    /// `phase` is "connect", "read" (silence longer than the read timeout) or "total" (the whole
    /// exchange, all hops and bodies, took longer than the total timeout).
    #[error("{}", timeout_message(phase, *after_ms, url))]
    Timeout {
        phase: &'static str,
        after_ms: u64,
        url: String,
    },
    /// The chain went on redirecting; `hops` responses were received (`max` redirects followed).
    #[error(
        "too many redirects: still redirected after following {max} (chain of {hops} responses, last {url})"
    )]
    TooManyRedirects { hops: u32, max: u32, url: String },
    /// A redirect pointed to another origin (scheme, host or port). Not followed: no request was sent
    /// there, so no cookie or Authorization header left the original origin.
    #[error(
        "refused to follow a cross-origin redirect from {from} to {to}: credentials are never sent to another origin"
    )]
    CrossOriginRedirect { from: String, to: String },
    /// A redirect went from https to plain http. Not followed.
    #[error(
        "refused to follow a redirect from https to plain http ({from} -> {to}): it would send the request unencrypted"
    )]
    InsecureRedirect { from: String, to: String },
    /// The request URL or a redirect Location is not a usable http(s) URL.
    #[error("invalid URL `{url}`: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// The body could not be decoded (corrupt gzip...). What was decoded before the error is kept
    /// in the hop's body.
    #[error(
        "could not decode the {encoding}-encoded response body from {url}: {reason} (kept the {kept} bytes decoded before the error)"
    )]
    Decode {
        url: String,
        encoding: String,
        reason: String,
        kept: u64,
    },
    /// Reading the body failed (connection cut mid-body...). What was read is kept in the hop.
    #[error("reading the response body from {url} failed: {reason}")]
    Body { url: String, reason: String },
    /// The client could not be configured: TLS trust (CA file missing or unparseable, no system
    /// roots), invalid user agent.
    #[error("HTTP client configuration: {message}")]
    Config { message: String },
    /// The server answered with something that is not HTTP/1.x (garbage, a head too large), or
    /// closed/reset the connection without a complete answer.
    #[error("the server at {target} did not send a valid HTTP response: {reason}")]
    Protocol { target: String, reason: String },
    /// The request itself cannot be sent (invalid method or header name/value).
    #[error("invalid request: {reason}")]
    InvalidRequest { reason: String },
}

fn timeout_message(phase: &str, after_ms: u64, url: &str) -> String {
    let secs = after_ms as f64 / 1000.0;
    match phase {
        "connect" => format!("timed out connecting to {url} after {secs} s (connect timeout)"),
        "read" => format!(
            "timed out waiting for data from {url}: nothing received for {secs} s (read timeout)"
        ),
        _ => format!("the exchange with {url} took longer than the total timeout of {secs} s"),
    }
}

impl HttpError {
    /// Stable dotted id of the variant.
    pub fn code(&self) -> &'static str {
        match self {
            HttpError::Connect { .. } => "http.connect",
            HttpError::Tls { .. } => "http.tls",
            HttpError::Timeout { .. } => "http.timeout",
            HttpError::TooManyRedirects { .. } => "http.too-many-redirects",
            HttpError::CrossOriginRedirect { .. } => "http.cross-origin-redirect",
            HttpError::InsecureRedirect { .. } => "http.insecure-redirect",
            HttpError::InvalidUrl { .. } => "http.invalid-url",
            HttpError::Decode { .. } => "http.decode",
            HttpError::Body { .. } => "http.body",
            HttpError::Config { .. } => "http.config",
            HttpError::Protocol { .. } => "http.protocol",
            HttpError::InvalidRequest { .. } => "http.invalid-request",
        }
    }

    /// The same `{code, message}` shape every consumer uses.
    pub fn info(&self) -> crate::model::ErrorInfo {
        crate::model::ErrorInfo {
            code: self.code().to_string(),
            message: self.to_string(),
        }
    }
}

/// The Content-Encoding of a recorded response that was NOT decoded (unknown coding such as zstd):
/// its body holds the raw bytes as received. `None` when the body is decoded (or was not encoded).
pub fn undecoded_encoding(response: &ResponseRecord) -> Option<String> {
    let codings = body::content_codings(
        response
            .headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_str())),
    );
    if codings.iter().all(|c| body::Coding::parse(c).is_some()) {
        None
    } else {
        Some(codings.join(", "))
    }
}

#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    cfg: Arc<HttpConfig>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

/// Grace past the total deadline for the outer safety-net timeout; every await inside already
/// races the deadline itself, so the partial hop is recorded.
const DEADLINE_GRACE: Duration = Duration::from_millis(250);

impl HttpClient {
    pub fn new(cfg: HttpConfig) -> Result<Self, HttpError> {
        if reqwest::header::HeaderValue::from_str(&cfg.user_agent).is_err() {
            return Err(HttpError::Config {
                message: format!(
                    "the user agent {:?} is not a valid header value",
                    cfg.user_agent
                ),
            });
        }
        let tls = tls::client_config(&cfg.tls)?;
        let inner = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .no_proxy()
            .http1_only()
            .connect_timeout(cfg.connect_timeout)
            .read_timeout(cfg.read_timeout)
            // Be lenient with broken servers: record what can be parsed rather than fail the exchange.
            .http1_ignore_invalid_headers_in_responses(true)
            .http1_allow_obsolete_multiline_headers_in_responses(true)
            .http1_allow_spaces_after_header_name_in_responses(true)
            .http1_max_headers(1000)
            .build()
            .map_err(|e| HttpError::Config {
                message: format!("could not build the HTTP client: {}", error::chain_text(&e)),
            })?;
        Ok(HttpClient {
            inner,
            cfg: Arc::new(cfg),
        })
    }

    pub fn config(&self) -> &HttpConfig {
        &self.cfg
    }

    /// Send one request, following redirects in our own loop. Cookies come from and go to `jar`.
    pub async fn send(
        &self,
        req: OutgoingRequest,
        jar: &mut CookieStore,
        follow_redirects: bool,
    ) -> SendOutcome {
        let total = self.cfg.total_timeout;
        let deadline = tokio::time::Instant::now() + total;
        let mut hops = Vec::new();
        let first_url = error::display_url(&req.url);
        let run = self.run(req, jar, follow_redirects, deadline, &mut hops);
        let error = match tokio::time::timeout_at(deadline + DEADLINE_GRACE, run).await {
            Ok(r) => r.err(),
            Err(_) => Some(HttpError::Timeout {
                phase: "total",
                after_ms: millis(total),
                url: first_url,
            }),
        };
        SendOutcome { hops, error }
    }

    async fn run(
        &self,
        req: OutgoingRequest,
        jar: &mut CookieStore,
        follow_redirects: bool,
        deadline: tokio::time::Instant,
        hops: &mut Vec<Hop>,
    ) -> Result<(), HttpError> {
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|_| {
            HttpError::InvalidRequest {
                reason: format!("`{}` is not a valid HTTP method", req.method),
            }
        })?;
        check_url(&req.url)?;
        let mut current = redirect::NextRequest {
            method,
            url: req.url,
            headers: req.headers,
            body: req.body,
        };
        let mut redirects_followed: u32 = 0;
        loop {
            let (hop, hop_error, redirect_location) = self.hop(&current, jar, deadline).await;
            let status = hop.response.as_ref().map(|r| r.status);
            hops.push(hop);
            if let Some(e) = hop_error {
                return Err(e);
            }
            let (Some(status), true) = (status, follow_redirects) else {
                return Ok(());
            };
            match redirect::next(&current, status, redirect_location.as_deref())? {
                None => return Ok(()),
                Some(next) => {
                    if redirects_followed >= self.cfg.max_redirects {
                        return Err(HttpError::TooManyRedirects {
                            hops: u32::try_from(hops.len()).unwrap_or(u32::MAX),
                            max: self.cfg.max_redirects,
                            url: error::display_url(&current.url),
                        });
                    }
                    redirects_followed += 1;
                    current = next;
                }
            }
        }
    }

    /// One request/response. Returns the hop, the error that ends the exchange (if any) and the raw
    /// Location header of the response (for the redirect decision).
    async fn hop(
        &self,
        req: &redirect::NextRequest,
        jar: &mut CookieStore,
        deadline: tokio::time::Instant,
    ) -> (Hop, Option<HttpError>, Option<Vec<u8>>) {
        let started_at = unix_ms();
        let t0 = Instant::now();
        let built = headers::build_request_headers(req, jar, &self.cfg.user_agent);
        let request_record = RequestRecord {
            method: req.method.as_str().to_string(),
            url: req.url.to_string(),
            headers: built.records,
            body: Body::from_bytes(&req.body, false),
        };
        let mut hop = Hop {
            request: request_record,
            response: None,
            started_at,
            ttfb_ms: 0.0,
            duration_ms: 0.0,
        };
        let header_map = match built.map {
            Ok(m) => m,
            Err(reason) => {
                hop.duration_ms = elapsed_ms(t0);
                return (hop, Some(HttpError::InvalidRequest { reason }), None);
            }
        };

        let request = self
            .inner
            .request(req.method.clone(), req.url.clone())
            .headers(header_map)
            .body(req.body.clone());
        let sent = tokio::time::timeout_at(deadline, request.send()).await;
        let resp = match sent {
            Err(_) => {
                hop.duration_ms = elapsed_ms(t0);
                hop.ttfb_ms = hop.duration_ms;
                return (hop, Some(self.total_timeout(&req.url)), None);
            }
            Ok(Err(e)) => {
                hop.duration_ms = elapsed_ms(t0);
                hop.ttfb_ms = hop.duration_ms;
                return (hop, Some(error::classify(&e, &req.url, &self.cfg)), None);
            }
            Ok(Ok(resp)) => resp,
        };
        hop.ttfb_ms = elapsed_ms(t0);

        let status = resp.status().as_u16();
        let http_version = version_text(resp.version());
        let (header_records, set_cookies) = headers::response_records(resp.headers());
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|v| v.as_bytes().to_vec());
        headers::store_cookies(jar, resp.headers(), &req.url);

        let read = body::read_body(
            resp,
            self.cfg.max_body_bytes,
            self.cfg.read_timeout,
            deadline,
        )
        .await;
        let error = read.failure.map(|f| match f {
            body::Failure::ReadTimeout => HttpError::Timeout {
                phase: "read",
                after_ms: millis(self.cfg.read_timeout),
                url: error::display_url(&req.url),
            },
            body::Failure::TotalTimeout => self.total_timeout(&req.url),
            body::Failure::Decode { encoding, reason } => HttpError::Decode {
                url: error::display_url(&req.url),
                encoding,
                reason,
                kept: read.bytes.len() as u64,
            },
            body::Failure::Transport(reason) => HttpError::Body {
                url: error::display_url(&req.url),
                reason,
            },
        });
        if let Some(enc) = &read.undecoded {
            tracing::debug!(url = %error::display_url(&req.url), encoding = %enc, "unknown content-encoding: body kept as received");
        }
        hop.response = Some(ResponseRecord {
            status,
            http_version,
            headers: header_records,
            set_cookies,
            body: Body::from_bytes(&read.bytes, read.truncated),
        });
        hop.duration_ms = elapsed_ms(t0);
        (hop, error, location)
    }

    fn total_timeout(&self, url: &url::Url) -> HttpError {
        HttpError::Timeout {
            phase: "total",
            after_ms: millis(self.cfg.total_timeout),
            url: error::display_url(url),
        }
    }
}

fn check_url(url: &url::Url) -> Result<(), HttpError> {
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(HttpError::InvalidUrl {
            url: error::display_url(url),
            reason: format!(
                "the scheme `{}` is not supported (use http or https)",
                url.scheme()
            ),
        });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(HttpError::InvalidUrl {
            url: error::display_url(url),
            reason: "the URL has no host".into(),
        });
    }
    Ok(())
}

fn version_text(v: reqwest::Version) -> String {
    match v {
        reqwest::Version::HTTP_09 => "HTTP/0.9",
        reqwest::Version::HTTP_10 => "HTTP/1.0",
        reqwest::Version::HTTP_11 => "HTTP/1.1",
        reqwest::Version::HTTP_2 => "HTTP/2",
        reqwest::Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/?",
    }
    .to_string()
}

fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn elapsed_ms(t0: Instant) -> f64 {
    t0.elapsed().as_secs_f64() * 1000.0
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
