//! What stands between an attacker and guessing: unguessable ids (weak-session-id) and
//! login throttling (no-rate-limit).

mod common;

use authlens_lab::{Flaw, Mode};
use common::*;
use serde_json::json;

fn is_weak(id: &str) -> bool {
    id.len() == 8 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[tokio::test]
async fn weak_session_ids_session_mode() {
    for (flaws, weak) in [(&[][..], false), (&[Flaw::WeakSessionId][..], true)] {
        let lab = start(Mode::Session, flaws).await;
        let page = lab.client.get(lab.url("/login")).send().await.unwrap();
        let anon = cookie_value(&set_cookie(&page));
        let csrf = csrf_of(&page.text().await.unwrap());
        let resp = lab
            .client
            .post(lab.url("/login"))
            .header("cookie", format!("__Host-sid={anon}"))
            .form(&[
                ("username", "alice"),
                ("password", "wonderland-alice"),
                ("csrf_token", csrf.as_str()),
            ])
            .send()
            .await
            .unwrap();
        let id = cookie_value(&set_cookie(&resp));
        for id in [&anon, &id] {
            assert_eq!(is_weak(id), weak, "{id}");
            if !weak {
                assert_eq!(id.len(), 43, "256 bits: {id}");
            }
        }
        assert_eq!(csrf.len(), 43, "the CSRF token stays strong");
        assert_eq!(me_cookie(&lab, 1, &format!("__Host-sid={id}")).await, 200);
        lab.handle.shutdown().await;
    }
}

#[tokio::test]
async fn weak_refresh_tokens_jwt_and_hybrid() {
    let lab = start(Mode::Jwt, &[Flaw::WeakSessionId]).await;
    let login = jwt_login_on(&lab, 1).await;
    assert!(is_weak(login["refresh_token"].as_str().unwrap()), "{login}");
    let rotated = json(jwt_refresh_on(&lab, 1, &login["refresh_token"]).await).await;
    assert!(is_weak(rotated["refresh_token"].as_str().unwrap()));
    lab.handle.shutdown().await;

    let lab = start(Mode::Jwt, &[]).await;
    let login = jwt_login_on(&lab, 1).await;
    assert_eq!(login["refresh_token"].as_str().unwrap().len(), 43);
    lab.handle.shutdown().await;

    let lab = start(Mode::Hybrid, &[Flaw::WeakSessionId]).await;
    let resp = lab
        .client
        .post(lab.url("/api/login"))
        .json(&json!({ "username": "alice", "password": "wonderland-alice" }))
        .send()
        .await
        .unwrap();
    assert!(is_weak(&cookie_value(&set_cookie(&resp))));
    lab.handle.shutdown().await;
}

async fn token_login(lab: &Lab, n: usize, user: &str, password: &str) -> reqwest::Response {
    lab.client
        .post(lab.url_on(n, "/api/login"))
        .json(&json!({ "username": user, "password": password }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn five_failures_lock_the_account() {
    let lab = start(Mode::Jwt, &[]).await;
    for _ in 0..5 {
        assert_eq!(token_login(&lab, 1, "alice", "guess").await.status(), 401);
    }
    let locked = token_login(&lab, 1, "alice", "wonderland-alice").await;
    assert_eq!(locked.status(), 429, "even the right password");
    let retry: u64 = header(&locked, "retry-after").unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    assert_no_store(&locked);
    let body = json(locked).await;
    assert_eq!(body["error"], "too_many_attempts");
    assert!(body["message"].is_string());
    // The e-mail names the same account; other accounts are untouched.
    assert_eq!(
        token_login(&lab, 1, "ALICE@lab.test", "wonderland-alice")
            .await
            .status(),
        429
    );
    assert_eq!(
        token_login(&lab, 1, "bob", "builder-bob").await.status(),
        200
    );
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn success_resets_and_locks_run_out() {
    let lab = start_with(Mode::Jwt, &[], |cfg| cfg.rate_limit.lockout_secs = 1).await;
    for _ in 0..4 {
        assert_eq!(token_login(&lab, 1, "alice", "guess").await.status(), 401);
    }
    assert_eq!(
        token_login(&lab, 1, "alice", "wonderland-alice")
            .await
            .status(),
        200
    );
    for _ in 0..4 {
        assert_eq!(token_login(&lab, 1, "alice", "guess").await.status(), 401);
    }
    assert_eq!(
        token_login(&lab, 1, "alice", "wonderland-alice")
            .await
            .status(),
        200,
        "the success reset the count"
    );

    // Unknown accounts are limited too, so guessing one looks the same.
    for _ in 0..5 {
        assert_eq!(token_login(&lab, 1, "mallory", "x").await.status(), 401);
    }
    let locked = token_login(&lab, 1, "Mallory", "x").await;
    assert_eq!(locked.status(), 429);
    assert_eq!(header(&locked, "retry-after").as_deref(), Some("1"));
    sleep_ms(1_100).await;
    assert_eq!(token_login(&lab, 1, "mallory", "x").await.status(), 401);
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn the_limit_is_shared_by_replicas() {
    let lab = start_with(Mode::Jwt, &[], |cfg| cfg.replicas = 3).await;
    for i in 0..5 {
        let n = i % 3 + 1;
        assert_eq!(token_login(&lab, n, "alice", "guess").await.status(), 401);
    }
    for n in 1..=3 {
        assert_eq!(
            token_login(&lab, n, "alice", "wonderland-alice")
                .await
                .status(),
            429,
            "replica {n}"
        );
    }
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn session_mode_lockout_json_and_html() {
    let lab = start(Mode::Session, &[]).await;
    let page = lab.client.get(lab.url("/login")).send().await.unwrap();
    let anon = cookie_pair(&set_cookie(&page));
    let csrf = csrf_of(&page.text().await.unwrap());
    let post = |password: &'static str, html: bool| {
        let mut request = lab
            .client
            .post(lab.url("/login"))
            .header("cookie", &anon)
            .form(&[
                ("username", "alice"),
                ("password", password),
                ("csrf_token", csrf.as_str()),
            ]);
        if html {
            request = request.header("accept", "text/html");
        }
        request.send()
    };
    for _ in 0..5 {
        assert_eq!(post("guess", false).await.unwrap().status(), 401);
    }
    let locked = post("wonderland-alice", false).await.unwrap();
    assert_eq!(locked.status(), 429);
    assert!(header(&locked, "retry-after").is_some());
    assert_eq!(json(locked).await["error"], "too_many_attempts");

    let locked = post("wonderland-alice", true).await.unwrap();
    assert_eq!(locked.status(), 429);
    assert!(header(&locked, "retry-after").is_some());
    let html = locked.text().await.unwrap();
    assert!(html.contains("Too many failed sign-ins"), "{html}");
    assert_eq!(csrf_of(&html), csrf, "the form stays usable");
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn no_rate_limit_lets_guessing_go_on() {
    let lab = start(Mode::Jwt, &[Flaw::NoRateLimit]).await;
    for _ in 0..20 {
        assert_eq!(token_login(&lab, 1, "alice", "guess").await.status(), 401);
    }
    assert_eq!(
        token_login(&lab, 1, "alice", "wonderland-alice")
            .await
            .status(),
        200
    );
    lab.handle.shutdown().await;
}
