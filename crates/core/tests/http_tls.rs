//! The HTTP client against TLS servers on 127.0.0.1 (rustls + rcgen certificates).

mod http_common;

use std::time::Duration;

use authlens_core::http::{CookieStore, HttpClient, HttpConfig, HttpError, TlsTrust};
use http_common::*;

fn ok_handler(req: &Req) -> Vec<u8> {
    match req.path.as_str() {
        "/login" => response(
            "200 OK",
            &[("Set-Cookie", b"sid=tls1; Path=/; Secure; HttpOnly")],
            b"secure hello",
        ),
        _ => response(
            "200 OK",
            &[],
            req.header("cookie").unwrap_or("none").as_bytes(),
        ),
    }
}

#[tokio::test]
async fn untrusted_self_signed_certificate_is_a_clear_tls_error() {
    let cert = make_cert(&["127.0.0.1", "localhost"]);
    let srv = tls_serve(&cert, ok_handler);
    // Trusting another certificate only.
    let out = client(|_| {})
        .send(get(srv.url("/login")), &mut CookieStore::default(), true)
        .await;
    let err = out.error.unwrap();
    assert_eq!(err.code(), "http.tls");
    assert_eq!(
        err.to_string(),
        format!(
            "TLS handshake with {} failed: certificate signed by an unknown authority (trust the target's CA with tls.ca_file)",
            srv.addr
        )
    );
    assert_eq!(out.hops.len(), 1);
    assert!(out.hops[0].response.is_none());
    assert_eq!(srv.hits(), 0, "no request got through");

    // The system roots do not know it either (when this machine has system roots at all).
    match HttpClient::new(HttpConfig {
        tls: TlsTrust::System,
        ..HttpConfig::default()
    }) {
        Ok(system) => {
            let out = system
                .send(get(srv.url("/")), &mut CookieStore::default(), true)
                .await;
            let err = out.error.unwrap();
            assert_eq!(err.code(), "http.tls");
            assert!(err.to_string().contains("unknown authority"), "{err}");
        }
        Err(e) => assert_eq!(e.code(), "http.config", "{e}"),
    }
}

#[tokio::test]
async fn trusted_via_ca_pem_works_with_secure_cookies() {
    let cert = make_cert(&["127.0.0.1", "localhost"]);
    let srv = tls_serve(&cert, ok_handler);
    let client = client(|c| c.tls = TlsTrust::CaPem(cert.pem.clone()));
    let mut jar = CookieStore::default();
    let out = client.send(get(srv.url("/login")), &mut jar, true).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    let resp = out.hops[0].response.as_ref().unwrap();
    assert_eq!((resp.status, resp.http_version.as_str()), (200, "HTTP/1.1"));
    assert_eq!(resp.body.text.as_deref(), Some("secure hello"));
    assert_eq!(
        resp.set_cookies,
        vec!["sid=tls1; Path=/; Secure; HttpOnly".to_string()]
    );

    let out = client.send(get(srv.url("/me")), &mut jar, true).await;
    assert!(out.error.is_none(), "{:?}", out.error);
    assert_eq!(out.hops[0].request.header("cookie"), Some("sid=tls1"));
    assert_eq!(
        out.hops[0].response.as_ref().unwrap().body.text.as_deref(),
        Some("sid=tls1")
    );
}

#[tokio::test]
async fn trusted_via_ca_file_and_bad_files_name_the_file() {
    let cert = make_cert(&["127.0.0.1"]);
    let srv = tls_serve(&cert, ok_handler);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("target-ca.pem");
    std::fs::write(&path, &cert.pem).unwrap();
    let out = client(|c| c.tls = TlsTrust::CaFile(path.clone()))
        .send(get(srv.url("/login")), &mut CookieStore::default(), true)
        .await;
    assert!(out.error.is_none(), "{:?}", out.error);

    let missing = dir.path().join("missing.pem");
    let err = HttpClient::new(HttpConfig {
        tls: TlsTrust::CaFile(missing.clone()),
        ..HttpConfig::default()
    })
    .unwrap_err();
    assert_eq!(err.code(), "http.config");
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );

    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "hello, not a certificate").unwrap();
    let err = HttpClient::new(HttpConfig {
        tls: TlsTrust::CaFile(garbage.clone()),
        ..HttpConfig::default()
    })
    .unwrap_err();
    assert_eq!(err.code(), "http.config");
    assert!(
        err.to_string().contains(&garbage.display().to_string()),
        "{err}"
    );
    assert!(err.to_string().contains("no PEM certificate"), "{err}");
}

#[tokio::test]
async fn certificate_for_another_name_is_refused() {
    let cert = make_cert(&["example.test"]);
    let srv = tls_serve(&cert, ok_handler);
    let out = client(|c| c.tls = TlsTrust::CaPem(cert.pem.clone()))
        .send(get(srv.url("/")), &mut CookieStore::default(), true)
        .await;
    let err = out.error.unwrap();
    assert_eq!(err.code(), "http.tls");
    let msg = err.to_string();
    assert!(
        msg.contains("not valid for the name `127.0.0.1`") && msg.contains("example.test"),
        "{msg}"
    );
}

#[tokio::test]
async fn https_to_http_redirect_is_refused_and_the_http_server_gets_nothing() {
    let plain = serve(|_req, mut s| async move {
        write_all(&mut s, &response("200 OK", &[], b"downgraded")).await;
    })
    .await;
    let cert = make_cert(&["127.0.0.1"]);
    let location = format!("http://127.0.0.1:{}/landing", plain.addr.port());
    let srv = tls_serve(&cert, move |_req| {
        response(
            "302 Found",
            &[
                ("Location", location.as_bytes()),
                ("Set-Cookie", b"sid=s; Path=/"),
            ],
            b"",
        )
    });
    let out = client(|c| c.tls = TlsTrust::CaPem(cert.pem.clone()))
        .send(get(srv.url("/start")), &mut CookieStore::default(), true)
        .await;
    let err = out.error.unwrap();
    assert_eq!(err.code(), "http.insecure-redirect");
    assert!(
        matches!(&err, HttpError::InsecureRedirect { from, to } if from.starts_with("https://") && to.starts_with("http://"))
    );
    assert_eq!(out.hops.len(), 1);
    assert_eq!(out.hops[0].response.as_ref().unwrap().status, 302);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(plain.connections(), 0);
}

#[tokio::test]
async fn plain_http_server_on_an_https_url_is_a_tls_error() {
    let plain = serve_raw(|mut s| async move {
        write_all(&mut s, &response("400 Bad Request", &[], b"speak http")).await;
    })
    .await;
    let closing = serve_raw(|s| async move { drop(s) }).await;
    let client = client(|_| {});
    for srv in [plain, closing] {
        let url = url::Url::parse(&format!("https://{}/", srv.addr)).unwrap();
        let out = client
            .send(get(url), &mut CookieStore::default(), true)
            .await;
        let err = out.error.unwrap();
        assert_eq!(err.code(), "http.tls", "{err}");
        assert!(err.to_string().contains(&srv.addr.to_string()), "{err}");
    }
}
