//! Starting, refusing, redirecting, sharing a certificate directory, stopping.

mod common;

use authlens_lab::{Flaw, LabError, Mode};
use common::*;

#[tokio::test]
async fn refuses_flaw_that_does_not_apply() {
    let dir = tempfile::tempdir().unwrap();
    let err = authlens_lab::start(config(Mode::Jwt, &[Flaw::Fixation], &dir))
        .await
        .unwrap_err();
    assert!(matches!(err, LabError::FlawNotApplicable { .. }));
    assert_eq!(
        err.to_string(),
        "flaw `fixation` has no effect in jwt mode (it applies to: session)"
    );

    let err = authlens_lab::start(config(Mode::Jwt, &[Flaw::NoHttponly], &dir))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "flaw `no-httponly` has no effect in jwt mode (it applies to: session, hybrid)"
    );

    let err = authlens_lab::start(config(
        Mode::Session,
        &[Flaw::SamesiteNone, Flaw::NoSamesite],
        &dir,
    ))
    .await
    .unwrap_err();
    assert!(matches!(err, LabError::ConflictingFlaws(..)));
}

#[tokio::test]
async fn port_in_use_is_reported() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(Mode::Session, &[], &dir);
    cfg.https_port = port;
    let err = authlens_lab::start(cfg).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("port {port} on 127.0.0.1 is in use")
    );
}

#[tokio::test]
async fn http_listener_redirects_permanently() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(Mode::Jwt, &[], &dir);
    cfg.http_port = Some(0);
    let lab = authlens_lab::start(cfg).await.unwrap();
    let http_url = lab.http_url.clone().unwrap();
    assert!(http_url.starts_with("http://127.0.0.1:"));
    let client = client_for(&lab.cert_pem);
    let resp = client
        .get(format!("{http_url}/api/me?x=1&y=%20"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 308);
    assert_eq!(
        header(&resp, "location"),
        Some(format!("{}/api/me?x=1&y=%20", lab.https_url))
    );
    let resp = client
        .post(format!("{http_url}/api/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 308);
    lab.shutdown().await;
}

#[tokio::test]
async fn index_and_healthz() {
    let lab = start(Mode::Hybrid, &[Flaw::NoRotation, Flaw::LongLived]).await;
    assert!(lab.handle.https_url.starts_with("https://127.0.0.1:"));
    assert!(!lab.handle.https_url.ends_with('/'));
    let health = json(lab.client.get(lab.url("/healthz")).send().await.unwrap()).await;
    assert_eq!(
        health,
        serde_json::json!({
            "ok": true,
            "mode": "hybrid",
            "flaws": ["no-rotation", "long-lived"],
            "replica": 1,
            "store": "memory",
        })
    );
    let page = lab.client.get(lab.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("hybrid") && html.contains("no-rotation") && !html.contains("<script"));
    lab.handle.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_labs_share_one_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let starts = Mode::ALL
        .into_iter()
        .cycle()
        .take(6)
        .map(|mode| authlens_lab::start(config(mode, &[], &dir)));
    let labs: Vec<_> = futures_join_all(starts).await;
    let on_disk = std::fs::read_to_string(dir.path().join("cert.pem")).unwrap();
    for lab in &labs {
        assert_eq!(lab.cert_pem, on_disk, "every lab serves the cert on disk");
        assert_eq!(lab.cert_path, dir.path().join("cert.pem"));
        let client = client_for(&on_disk);
        let resp = client
            .get(format!("{}/healthz", lab.https_url))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        3,
        "only cert.pem (the lab CA), server.pem and key.pem remain: {leftovers:?}"
    );
    for lab in labs {
        let url = lab.https_url.clone();
        lab.shutdown().await;
        let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "listener closed"
        );
    }
}

/// join_all without pulling in futures-util: spawn each start and collect in order.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<authlens_lab::LabHandle>
where
    F: std::future::Future<Output = Result<authlens_lab::LabHandle, LabError>> + Send + 'static,
{
    let tasks: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap().unwrap());
    }
    out
}
