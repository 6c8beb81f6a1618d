//! Modes `jwt` and `hybrid`: access JWTs, rotating refresh tokens, reuse detection.

mod common;

use authlens_lab::{Flaw, Mode};
use base64::Engine;
use common::*;
use serde_json::{Value, json};

async fn jwt_login(lab: &Lab) -> Value {
    let resp = lab
        .client
        .post(lab.url("/api/login"))
        .json(&json!({ "email": "alice@lab.test", "password": "wonderland-alice" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    json(resp).await
}

async fn jwt_refresh(lab: &Lab, token: &Value) -> reqwest::Response {
    lab.client
        .post(lab.url("/api/refresh"))
        .json(&json!({ "refresh_token": token }))
        .send()
        .await
        .unwrap()
}

async fn me_bearer(lab: &Lab, access: &Value) -> reqwest::Response {
    lab.client
        .get(lab.url("/api/me"))
        .bearer_auth(access.as_str().unwrap())
        .send()
        .await
        .unwrap()
}

fn claims(jwt: &str) -> Value {
    let mut parts = jwt.split('.');
    let header = parts.next().unwrap();
    let payload = parts.next().unwrap();
    let decode = |s: &str| -> Value {
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(s)
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(
        decode(header),
        json!({ "typ": "JWT", "alg": "HS256", "kid": "lab-hs256-1" })
    );
    decode(payload)
}

#[tokio::test]
async fn jwt_happy_path() {
    let lab = start(Mode::Jwt, &[]).await;
    let resp = lab
        .client
        .post(lab.url("/api/login"))
        .json(&json!({ "email": "alice@lab.test", "password": "wonderland-alice" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_no_store(&resp);
    assert!(set_cookies(&resp).is_empty());
    let login = json(resp).await;
    assert_eq!(login["token_type"], "Bearer");
    assert_eq!(login["expires_in"], 300);
    assert_eq!(login["refresh_expires_in"], 28800);

    let c = claims(login["access_token"].as_str().unwrap());
    assert_eq!(c["iss"], lab.handle.https_url);
    assert_eq!(c["aud"], "authlens-lab");
    assert_eq!(c["sub"], "user:alice");
    assert_eq!(c["nbf"], c["iat"]);
    assert_eq!(c["exp"].as_u64().unwrap(), c["iat"].as_u64().unwrap() + 300);
    assert!(c["jti"].is_string());
    assert!(!c.to_string().contains("@"), "no e-mail in claims");

    let me = me_bearer(&lab, &login["access_token"]).await;
    assert_eq!(me.status(), 200);
    assert_no_store(&me);
    assert_eq!(json(me).await, json!({ "user": "alice" }));

    let resp = jwt_refresh(&lab, &login["refresh_token"]).await;
    assert_eq!(resp.status(), 200);
    assert_no_store(&resp);
    let refreshed = json(resp).await;
    assert_ne!(
        refreshed["refresh_token"], login["refresh_token"],
        "rotated"
    );
    assert!(refreshed["refresh_expires_in"].as_u64().unwrap() <= 28800);
    assert_eq!(
        me_bearer(&lab, &refreshed["access_token"]).await.status(),
        200
    );

    let out = lab
        .client
        .post(lab.url("/api/logout"))
        .bearer_auth(refreshed["access_token"].as_str().unwrap())
        .json(&json!({ "refresh_token": refreshed["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    assert_no_store(&out);
    assert_eq!(json(out).await, json!({ "ok": true }));

    let after = jwt_refresh(&lab, &refreshed["refresh_token"]).await;
    assert_eq!(after.status(), 401);
    assert_eq!(json(after).await["error"], "invalid_grant");
    // Stateless access tokens outlive logout until exp: the gap the lab teaches.
    assert_eq!(
        me_bearer(&lab, &refreshed["access_token"]).await.status(),
        200
    );
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn jwt_rejections() {
    let lab = start(Mode::Jwt, &[]).await;
    let me = lab.client.get(lab.url("/api/me")).send().await.unwrap();
    assert_eq!(me.status(), 401);
    assert_eq!(
        header(&me, "www-authenticate").as_deref(),
        Some("Bearer error=\"invalid_token\"")
    );
    assert_eq!(json(me).await["error"], "unauthenticated");

    let forged = lab
        .client
        .get(lab.url("/api/me"))
        .bearer_auth("a.b.c")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    let bad = lab
        .client
        .post(lab.url("/api/login"))
        .json(&json!({ "username": "alice", "password": "nope" }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    assert_eq!(json(bad).await["error"], "invalid_credentials");

    let malformed = lab
        .client
        .post(lab.url("/api/login"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let body = json(malformed).await;
    assert_eq!(body["error"], "invalid_request");
    assert!(body["message"].is_string());

    let huge = lab
        .client
        .post(lab.url("/api/login"))
        .header("content-type", "application/json")
        .body(format!("{{\"password\":\"{}\"}}", "x".repeat(70 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    assert_eq!(json(huge).await["error"], "payload_too_large");

    let unknown = jwt_refresh(&lab, &json!("never-issued")).await;
    assert_eq!(unknown.status(), 401);
    assert_eq!(json(unknown).await["error"], "invalid_grant");

    let missing = lab.client.get(lab.url("/nope")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(json(missing).await["error"], "not_found");
    let wrong_method = lab.client.get(lab.url("/api/login")).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(json(wrong_method).await["error"], "method_not_allowed");
    lab.handle.shutdown().await;
}

/// Returns (first token, rotated token) after replaying the first one.
async fn replay(lab: &Lab) -> (Value, Value) {
    let login = jwt_login(lab).await;
    let first = login["refresh_token"].clone();
    let second = json(jwt_refresh(lab, &first).await).await["refresh_token"].clone();
    let replayed = jwt_refresh(lab, &first).await;
    assert_eq!(replayed.status(), 401);
    assert_eq!(json(replayed).await["error"], "invalid_grant");
    (first, second)
}

#[tokio::test]
async fn reuse_detection_revokes_family() {
    let lab = start(Mode::Jwt, &[]).await;
    let (_, second) = replay(&lab).await;
    let resp = jwt_refresh(&lab, &second).await;
    assert_eq!(resp.status(), 401, "whole family is revoked after reuse");
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn no_reuse_detection_keeps_family() {
    let lab = start(Mode::Jwt, &[Flaw::NoReuseDetection]).await;
    let (_, second) = replay(&lab).await;
    assert_eq!(
        jwt_refresh(&lab, &second).await.status(),
        200,
        "thief's newest token still works"
    );
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn no_rotation_returns_same_token() {
    let lab = start(Mode::Jwt, &[Flaw::NoRotation]).await;
    let first = jwt_login(&lab).await["refresh_token"].clone();
    for _ in 0..2 {
        let resp = jwt_refresh(&lab, &first).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(json(resp).await["refresh_token"], first);
    }
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn jwt_logout_keeps_session_and_long_lived_and_no_store() {
    let lab = start(Mode::Jwt, &[Flaw::LogoutKeepsSession]).await;
    let login = jwt_login(&lab).await;
    let out = lab
        .client
        .post(lab.url("/api/logout"))
        .json(&json!({ "refresh_token": login["refresh_token"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    assert_eq!(
        jwt_refresh(&lab, &login["refresh_token"]).await.status(),
        200
    );
    lab.handle.shutdown().await;

    let lab = start(Mode::Jwt, &[Flaw::LongLived]).await;
    let login = jwt_login(&lab).await;
    assert_eq!(login["expires_in"], 30 * 86400);
    assert_eq!(login["refresh_expires_in"], 365 * 86400);
    let c = claims(login["access_token"].as_str().unwrap());
    assert_eq!(
        c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap(),
        30 * 86400
    );
    lab.handle.shutdown().await;

    let lab = start(Mode::Jwt, &[Flaw::NoStoreMissing]).await;
    let resp = lab
        .client
        .post(lab.url("/api/login"))
        .json(&json!({ "username": "bob", "password": "builder-bob" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "cache-control"), None);
    assert_eq!(header(&resp, "pragma"), None);
    let login = json(resp).await;
    let resp = jwt_refresh(&lab, &login["refresh_token"]).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "cache-control"), None);
    assert_no_store(&me_bearer(&lab, &login["access_token"]).await);
    lab.handle.shutdown().await;
}

async fn hybrid_login(lab: &Lab) -> (Value, String) {
    let resp = lab
        .client
        .post(lab.url("/api/login"))
        .json(&json!({ "username": "alice", "password": "wonderland-alice" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let cookie = set_cookie(&resp);
    (json(resp).await, cookie)
}

async fn cookie_refresh(lab: &Lab, cookie: &str) -> reqwest::Response {
    lab.client
        .post(lab.url("/api/auth/refresh"))
        .header("cookie", cookie_pair(cookie))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn hybrid_happy_path() {
    let lab = start(Mode::Hybrid, &[]).await;
    let (login, cookie) = hybrid_login(&lab).await;
    let value = cookie_value(&cookie);
    assert_eq!(
        cookie,
        format!(
            "__Secure-refresh={value}; Path=/api/auth; Secure; HttpOnly; SameSite=Strict; Max-Age=28800"
        )
    );
    assert_eq!(
        login.as_object().unwrap().len(),
        3,
        "no refresh token in JSON: {login}"
    );
    assert_eq!(login["token_type"], "Bearer");
    assert_eq!(login["expires_in"], 300);

    assert_eq!(me_bearer(&lab, &login["access_token"]).await.status(), 200);

    let resp = cookie_refresh(&lab, &cookie).await;
    assert_eq!(resp.status(), 200);
    assert_no_store(&resp);
    let rotated = set_cookie(&resp);
    assert_ne!(cookie_value(&rotated), value);
    assert!(
        rotated.starts_with("__Secure-refresh=")
            && rotated.contains("; Path=/api/auth; Secure; HttpOnly; SameSite=Strict; Max-Age=")
    );
    let body = json(resp).await;
    assert!(body.get("refresh_token").is_none());
    assert_eq!(me_bearer(&lab, &body["access_token"]).await.status(), 200);

    let out = lab
        .client
        .post(lab.url("/api/auth/logout"))
        .header("cookie", cookie_pair(&rotated))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    assert_no_store(&out);
    assert_eq!(
        set_cookie(&out),
        "__Secure-refresh=; Path=/api/auth; Secure; HttpOnly; SameSite=Strict; Max-Age=0"
    );
    assert_eq!(cookie_refresh(&lab, &rotated).await.status(), 401);
    assert_eq!(
        lab.client
            .post(lab.url("/api/auth/refresh"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn hybrid_reuse_and_cookie_flaws() {
    let lab = start(Mode::Hybrid, &[]).await;
    let (_, first) = hybrid_login(&lab).await;
    let second = set_cookie(&cookie_refresh(&lab, &first).await);
    assert_eq!(cookie_refresh(&lab, &first).await.status(), 401);
    assert_eq!(
        cookie_refresh(&lab, &second).await.status(),
        401,
        "family revoked"
    );
    lab.handle.shutdown().await;

    let lab = start(Mode::Hybrid, &[Flaw::NoRotation]).await;
    let (_, first) = hybrid_login(&lab).await;
    let again = set_cookie(&cookie_refresh(&lab, &first).await);
    assert_eq!(cookie_value(&again), cookie_value(&first));
    lab.handle.shutdown().await;

    let lab = start(Mode::Hybrid, &[Flaw::NoSecure]).await;
    let (_, cookie) = hybrid_login(&lab).await;
    let v = cookie_value(&cookie);
    assert_eq!(
        cookie,
        format!("refresh={v}; Path=/api/auth; HttpOnly; SameSite=Strict; Max-Age=28800")
    );
    assert_eq!(cookie_refresh(&lab, &cookie).await.status(), 200);
    lab.handle.shutdown().await;

    let lab = start(Mode::Hybrid, &[Flaw::LongLived, Flaw::NoHttponly]).await;
    let (login, cookie) = hybrid_login(&lab).await;
    let v = cookie_value(&cookie);
    assert_eq!(
        cookie,
        format!("__Secure-refresh={v}; Path=/api/auth; Secure; SameSite=Strict; Max-Age=34560000")
    );
    assert_eq!(login["expires_in"], 30 * 86400);
    lab.handle.shutdown().await;
}
