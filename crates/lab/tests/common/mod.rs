//! Test helpers: start a lab on ephemeral ports and talk to it over real TLS.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::sync::Arc;

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
}

pub fn config(mode: Mode, flaws: &[Flaw], dir: &tempfile::TempDir) -> LabConfig {
    let mut cfg = LabConfig::new(mode);
    cfg.flaws = flaws.iter().copied().collect::<BTreeSet<_>>();
    cfg.tls_dir = dir.path().to_owned();
    cfg
}

pub async fn start(mode: Mode, flaws: &[Flaw]) -> Lab {
    let dir = tempfile::tempdir().unwrap();
    let handle = authlens_lab::start(config(mode, flaws, &dir))
        .await
        .unwrap();
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

/// The hidden csrf_token value of an HTML page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("csrf input") + marker.len();
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_owned()
}
