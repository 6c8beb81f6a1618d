//! HTTP client for talking to targets. STUB: interface fixed, implementation owned by the http work.

use std::path::PathBuf;
use std::time::Duration;

use crate::model::Hop;

pub use cookie_store::CookieStore;

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

#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpError {
    #[error("stub")]
    Stub,
}

impl HttpError {
    pub fn code(&self) -> &'static str {
        "http.stub"
    }
}

#[derive(Clone)]
pub struct HttpClient {}

impl HttpClient {
    pub fn new(_cfg: HttpConfig) -> Result<Self, HttpError> {
        todo!()
    }

    /// Send one request, following redirects in our own loop. Cookies come from and go to `jar`.
    pub async fn send(&self, _req: OutgoingRequest, _jar: &mut CookieStore, _follow_redirects: bool) -> SendOutcome {
        todo!()
    }
}
