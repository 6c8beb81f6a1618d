//! Test helpers: start a lab on ephemeral ports and talk to it over real TLS.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::Arc;

pub mod jwt;

use authlens_lab::{Flaw, LabConfig, LabHandle, Mode};
use reqwest::Response;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

pub struct Lab {
    pub handle: LabHandle,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Lab {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.handle.https_url, path)
    }

    /// `path` on replica `n` (1-based).
    pub fn url_on(&self, n: usize, path: &str) -> String {
        format!("{}{}", self.handle.replicas[n - 1].https_url, path)
    }
}

pub fn config(mode: Mode, flaws: &[Flaw], dir: &tempfile::TempDir) -> LabConfig {
    let mut cfg = LabConfig::new(mode);
    cfg.flaws = flaws.iter().copied().collect::<BTreeSet<_>>();
    cfg.tls_dir = dir.path().to_owned();
    cfg
}

pub async fn start(mode: Mode, flaws: &[Flaw]) -> Lab {
    start_with(mode, flaws, |_| {}).await
}

/// A lab with `tweak` applied to its config (replicas, store, lifetimes…). Start errors
/// are shown as their message: a missing redis-server says how to install it.
pub async fn start_with(mode: Mode, flaws: &[Flaw], tweak: impl FnOnce(&mut LabConfig)) -> Lab {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(mode, flaws, &dir);
    tweak(&mut cfg);
    let handle = authlens_lab::start(cfg)
        .await
        .unwrap_or_else(|e| panic!("the lab did not start: {e}"));
    let client = client_for(&handle.cert_pem);
    Lab {
        handle,
        client,
        _dir: dir,
    }
}

/// A client that trusts exactly the lab's certificate, follows no redirects and keeps
/// no cookies (tests handle cookies by hand to see every Set-Cookie).
pub fn client_for(cert_pem: &str) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(cert_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn set_cookies(resp: &Response) -> Vec<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The single Set-Cookie of a response.
pub fn set_cookie(resp: &Response) -> String {
    let all = set_cookies(resp);
    assert_eq!(all.len(), 1, "expected one Set-Cookie, got {all:?}");
    all.into_iter().next().unwrap()
}

/// `name=value` of a Set-Cookie string.
pub fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

pub fn cookie_value(set_cookie: &str) -> String {
    cookie_pair(set_cookie)
        .split_once('=')
        .unwrap()
        .1
        .to_owned()
}

pub fn header(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

pub fn assert_no_store(resp: &Response) {
    assert_eq!(header(resp, "cache-control").as_deref(), Some("no-store"));
    assert_eq!(header(resp, "pragma").as_deref(), Some("no-cache"));
}

pub async fn json(resp: Response) -> serde_json::Value {
    resp.json().await.unwrap()
}

pub async fn sleep_ms(ms: u64) {
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
}

/// The hidden csrf_token value of an HTML page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("csrf input") + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_owned()
}

// --- flows on a given replica (1-based) -----------------------------------------

/// alice signs in through the HTML form on replica `n`: the session cookie pair.
pub async fn session_login(lab: &Lab, n: usize) -> String {
    let page = lab
        .client
        .get(lab.url_on(n, "/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let anon = cookie_pair(&set_cookie(&page));
    let csrf = csrf_of(&page.text().await.unwrap());
    let resp = lab
        .client
        .post(lab.url_on(n, "/login"))
        .header("cookie", &anon)
        .form(&[
            ("username", "alice"),
            ("password", "wonderland-alice"),
            ("csrf_token", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "login on replica {n}");
    cookie_pair(&set_cookie(&resp))
}

/// `/api/me` with a session cookie on replica `n`.
pub async fn me_cookie(lab: &Lab, n: usize, cookie: &str) -> u16 {
    lab.client
        .get(lab.url_on(n, "/api/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Sign out on replica `n` (the CSRF token comes from /account there).
pub async fn session_logout(lab: &Lab, n: usize, cookie: &str) {
    let account = lab
        .client
        .get(lab.url_on(n, "/account"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(account.status(), 200, "signed in on replica {n}");
    let csrf = csrf_of(&account.text().await.unwrap());
    let out = lab
        .client
        .post(lab.url_on(n, "/logout"))
        .header("cookie", cookie)
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303, "logout on replica {n}");
}

/// alice signs in (jwt mode) on replica `n`: the token response.
pub async fn jwt_login_on(lab: &Lab, n: usize) -> serde_json::Value {
    let resp = lab
        .client
        .post(lab.url_on(n, "/api/login"))
        .json(&serde_json::json!({ "username": "alice", "password": "wonderland-alice" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "login on replica {n}");
    json(resp).await
}

pub async fn jwt_refresh_on(lab: &Lab, n: usize, token: &serde_json::Value) -> Response {
    lab.client
        .post(lab.url_on(n, "/api/refresh"))
        .json(&serde_json::json!({ "refresh_token": token }))
        .send()
        .await
        .unwrap()
}

pub async fn jwt_logout_on(lab: &Lab, n: usize, token: &serde_json::Value) {
    let out = lab
        .client
        .post(lab.url_on(n, "/api/logout"))
        .json(&serde_json::json!({ "refresh_token": token }))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200, "logout on replica {n}");
}

/// `/api/me` with a bearer access token on replica `n`.
pub async fn me_bearer_on(lab: &Lab, n: usize, access: &serde_json::Value) -> u16 {
    lab.client
        .get(lab.url_on(n, "/api/me"))
        .bearer_auth(access.as_str().unwrap())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}
