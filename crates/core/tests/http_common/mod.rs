//! Hostile test servers on 127.0.0.1 for the HTTP client tests: raw TCP (exact bytes under the
//! test's control) and TLS (rustls with an rcgen certificate, one thread per connection).
#![allow(dead_code)]

use std::future::Future;
use std::io::{Read as _, Write as _};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use authlens_core::http::{HttpClient, HttpConfig, OutgoingRequest, TlsTrust};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    /// Header lines as received (name as sent, value trimmed).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone)]
pub struct Server {
    pub addr: SocketAddr,
    /// Connections accepted (TCP level, before any byte is read).
    pub connections: Arc<AtomicUsize>,
    pub log: Arc<Mutex<Vec<Req>>>,
}

impl Server {
    pub fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("http://{}{path}", self.addr)).unwrap()
    }
    pub fn hits(&self) -> usize {
        self.log.lock().unwrap().len()
    }
    pub fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Parse one request head (+ Content-Length body) out of `buf` when complete.
fn parse_request(buf: &[u8]) -> Option<(Req, usize)> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_string(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let total = end + 4 + len;
    if buf.len() < total {
        return None;
    }
    Some((
        Req {
            method,
            path,
            headers,
            body: buf[end + 4..total].to_vec(),
        },
        total,
    ))
}

/// A raw TCP server: each connection's first request is parsed, logged, and handed with the socket
/// to `handler`, which writes whatever bytes it likes; the connection is closed after it returns.
pub async fn serve<F, Fut>(handler: F) -> Server
where
    F: Fn(Req, TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = Server {
        addr: listener.local_addr().unwrap(),
        connections: Arc::new(AtomicUsize::new(0)),
        log: Arc::new(Mutex::new(Vec::new())),
    };
    let handler = Arc::new(handler);
    let s = server.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            s.connections.fetch_add(1, Ordering::SeqCst);
            let (log, handler) = (s.log.clone(), handler.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let req = loop {
                    if let Some((req, _)) = parse_request(&buf) {
                        break req;
                    }
                    match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
                        .await
                    {
                        Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                        _ => return,
                    }
                };
                log.lock().unwrap().push(req.clone());
                handler(req, stream).await;
            });
        }
    });
    server
}

/// A raw TCP server whose handler gets each connection as soon as it is accepted (nothing read).
pub async fn serve_raw<F, Fut>(handler: F) -> Server
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = Server {
        addr: listener.local_addr().unwrap(),
        connections: Arc::new(AtomicUsize::new(0)),
        log: Arc::new(Mutex::new(Vec::new())),
    };
    let handler = Arc::new(handler);
    let s = server.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            s.connections.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(handler(stream));
        }
    });
    server
}

/// A whole response: status line, the headers given, Content-Length, Connection: close, body.
pub fn response(status: &str, headers: &[(&str, &[u8])], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n").into_bytes();
    for (n, v) in headers {
        out.extend_from_slice(n.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(
        format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(body);
    out
}

pub async fn write_all(s: &mut TcpStream, bytes: &[u8]) {
    let _ = s.write_all(bytes).await;
    let _ = s.flush().await;
}

/// A self-signed certificate (rcgen) for the given names.
pub struct TestCert {
    pub pem: String,
    pub der: rustls_pki_types::CertificateDer<'static>,
    pub key_der: Vec<u8>,
}

pub fn make_cert(names: &[&str]) -> TestCert {
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
    // A distinct subject per certificate: a trust anchor of the same name would turn "unknown
    // authority" into "bad signature".
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(
        rcgen::DnType::CommonName,
        format!("authlens test {}", names.join(" ")),
    );
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    TestCert {
        pem: cert.pem(),
        der: cert.der().clone(),
        key_der: key.serialize_der(),
    }
}

/// A certificate no test server uses: plain-http clients trust it so they never need system roots.
pub fn unrelated_ca_pem() -> String {
    static PEM: OnceLock<String> = OnceLock::new();
    PEM.get_or_init(|| make_cert(&["unrelated.test"]).pem)
        .clone()
}

/// Short timeouts for tests; adjust with `f`.
pub fn client(f: impl FnOnce(&mut HttpConfig)) -> HttpClient {
    let mut cfg = HttpConfig {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(3),
        total_timeout: Duration::from_secs(5),
        max_body_bytes: 1024 * 1024,
        max_redirects: 10,
        tls: TlsTrust::CaPem(unrelated_ca_pem()),
        user_agent: "authlens-test/1".into(),
    };
    f(&mut cfg);
    HttpClient::new(cfg).unwrap()
}

pub fn get(url: url::Url) -> OutgoingRequest {
    OutgoingRequest {
        method: "GET".into(),
        url,
        headers: vec![],
        body: vec![],
    }
}

/// A TLS server (std threads + rustls, ring provider) answering each request with `handler`.
#[derive(Clone)]
pub struct TlsServer {
    pub addr: SocketAddr,
    /// Connections accepted at TCP level.
    pub connections: Arc<AtomicUsize>,
    pub log: Arc<Mutex<Vec<Req>>>,
}

impl TlsServer {
    pub fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("https://{}{path}", self.addr)).unwrap()
    }
    pub fn hits(&self) -> usize {
        self.log.lock().unwrap().len()
    }
    pub fn requests(&self) -> Vec<Req> {
        self.log.lock().unwrap().clone()
    }
}

pub fn tls_serve(
    cert: &TestCert,
    handler: impl Fn(&Req) -> Vec<u8> + Send + Sync + 'static,
) -> TlsServer {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = rustls_pki_types::PrivateKeyDer::Pkcs8(cert.key_der.clone().into());
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.der.clone()], key)
            .unwrap(),
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = TlsServer {
        addr: listener.local_addr().unwrap(),
        connections: Arc::new(AtomicUsize::new(0)),
        log: Arc::new(Mutex::new(Vec::new())),
    };
    let handler = Arc::new(handler);
    let s = server.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(tcp) = stream else { continue };
            s.connections.fetch_add(1, Ordering::SeqCst);
            let (config, log, handler) = (config.clone(), s.log.clone(), handler.clone());
            std::thread::spawn(move || {
                let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let req = loop {
                    if let Some((req, _)) = parse_request(&buf) {
                        break req;
                    }
                    match tls.read(&mut chunk) {
                        Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
                        _ => return, // handshake refused by the client, or closed
                    }
                };
                log.lock().unwrap().push(req.clone());
                let _ = tls.write_all(&handler(&req));
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    server
}

/// Peak resident memory of this process (VmHWM), in bytes.
pub fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

pub async fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = async_compression::tokio::write::GzipEncoder::new(Vec::new());
    e.write_all(data).await.unwrap();
    e.shutdown().await.unwrap();
    e.into_inner()
}

pub async fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = async_compression::tokio::write::ZlibEncoder::new(Vec::new());
    e.write_all(data).await.unwrap();
    e.shutdown().await.unwrap();
    e.into_inner()
}

pub async fn raw_deflate(data: &[u8]) -> Vec<u8> {
    let mut e = async_compression::tokio::write::DeflateEncoder::new(Vec::new());
    e.write_all(data).await.unwrap();
    e.shutdown().await.unwrap();
    e.into_inner()
}

pub async fn brotli(data: &[u8]) -> Vec<u8> {
    let mut e = async_compression::tokio::write::BrotliEncoder::new(Vec::new());
    e.write_all(data).await.unwrap();
    e.shutdown().await.unwrap();
    e.into_inner()
}
