//! Time-based rules and their flaws: expiry, idle timeout, and revocations that take
//! effect late (slow-revocation). Short lifetimes keep each test to a few seconds.

mod common;

use authlens_lab::{Flaw, Mode};
use common::*;

#[tokio::test]
async fn slow_revocation_session_mode() {
    let lab = start_with(Mode::Session, &[Flaw::SlowRevocation], |cfg| {
        cfg.revocation_delay_ms = 400;
    })
    .await;
    let session = session_login(&lab, 1).await;
    session_logout(&lab, 1, &session).await;
    assert_eq!(
        me_cookie(&lab, 1, &session).await,
        200,
        "still accepted right after logout"
    );
    sleep_ms(500).await;
    assert_eq!(
        me_cookie(&lab, 1, &session).await,
        401,
        "dead after the delay"
    );
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn slow_revocation_jwt_mode() {
    let lab = start_with(Mode::Jwt, &[Flaw::SlowRevocation], |cfg| {
        cfg.revocation_delay_ms = 400;
    })
    .await;
    let login = jwt_login_on(&lab, 1).await;
    jwt_logout_on(&lab, 1, &login["refresh_token"]).await;
    let resp = jwt_refresh_on(&lab, 1, &login["refresh_token"]).await;
    assert_eq!(resp.status(), 200, "still accepted right after logout");
    let rotated = json(resp).await;
    sleep_ms(500).await;
    let resp = jwt_refresh_on(&lab, 1, &rotated["refresh_token"]).await;
    assert_eq!(
        resp.status(),
        401,
        "the whole family is dead after the delay"
    );
    assert_eq!(json(resp).await["error"], "invalid_grant");
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn slow_revocation_after_reuse() {
    let lab = start_with(Mode::Jwt, &[Flaw::SlowRevocation], |cfg| {
        cfg.revocation_delay_ms = 400;
    })
    .await;
    let login = jwt_login_on(&lab, 1).await;
    let second = json(jwt_refresh_on(&lab, 1, &login["refresh_token"]).await).await;
    assert_eq!(
        jwt_refresh_on(&lab, 1, &login["refresh_token"])
            .await
            .status(),
        401,
        "the replay itself is refused"
    );
    let third = jwt_refresh_on(&lab, 1, &second["refresh_token"]).await;
    assert_eq!(
        third.status(),
        200,
        "the thief's token works until the delay"
    );
    let third = json(third).await;
    sleep_ms(500).await;
    assert_eq!(
        jwt_refresh_on(&lab, 1, &third["refresh_token"])
            .await
            .status(),
        401
    );
    lab.handle.shutdown().await;
}

/// Without the flaw logout is immediate, whatever the configured delay.
#[tokio::test]
async fn revocation_is_immediate_by_default() {
    let lab = start_with(Mode::Session, &[], |cfg| cfg.revocation_delay_ms = 60_000).await;
    let session = session_login(&lab, 1).await;
    session_logout(&lab, 1, &session).await;
    assert_eq!(me_cookie(&lab, 1, &session).await, 401);
    lab.handle.shutdown().await;
}

/// access_secs = 1 and session_secs = 1, checked 2 s later with and without the flaw.
#[tokio::test]
async fn no_expiry_check() {
    let short = |cfg: &mut authlens_lab::LabConfig| {
        cfg.lifetimes.access_secs = 1;
        cfg.lifetimes.session_secs = 1;
    };
    let jwt_safe = start_with(Mode::Jwt, &[], short).await;
    let jwt_flawed = start_with(Mode::Jwt, &[Flaw::NoExpiryCheck], short).await;
    let session_safe = start_with(Mode::Session, &[], short).await;
    let session_flawed = start_with(Mode::Session, &[Flaw::NoExpiryCheck], short).await;

    let safe_access = jwt_login_on(&jwt_safe, 1).await["access_token"].clone();
    let flawed_access = jwt_login_on(&jwt_flawed, 1).await["access_token"].clone();
    let safe_session = session_login(&session_safe, 1).await;
    let flawed_session = session_login(&session_flawed, 1).await;
    assert_eq!(me_bearer_on(&jwt_safe, 1, &safe_access).await, 200);
    assert_eq!(me_cookie(&session_safe, 1, &safe_session).await, 200);

    sleep_ms(2_100).await;
    assert_eq!(me_bearer_on(&jwt_safe, 1, &safe_access).await, 401);
    assert_eq!(
        me_bearer_on(&jwt_flawed, 1, &flawed_access).await,
        200,
        "expired access JWT accepted"
    );
    assert_eq!(me_cookie(&session_safe, 1, &safe_session).await, 401);
    assert_eq!(
        me_cookie(&session_flawed, 1, &flawed_session).await,
        200,
        "expired session accepted"
    );
    for lab in [jwt_safe, jwt_flawed, session_safe, session_flawed] {
        lab.handle.shutdown().await;
    }
}

/// idle_secs = 1: use keeps the session alive past that, 1.5 s of silence ends it.
#[tokio::test]
async fn idle_timeout() {
    let idle = |cfg: &mut authlens_lab::LabConfig| cfg.lifetimes.idle_secs = 1;
    let safe = start_with(Mode::Session, &[], idle).await;
    let flawed = start_with(Mode::Session, &[Flaw::NoIdleTimeout], idle).await;
    let safe_session = session_login(&safe, 1).await;
    let flawed_session = session_login(&flawed, 1).await;
    for _ in 0..2 {
        sleep_ms(600).await;
        assert_eq!(
            me_cookie(&safe, 1, &safe_session).await,
            200,
            "each request slides the idle timeout"
        );
    }
    sleep_ms(1_500).await;
    assert_eq!(
        me_cookie(&safe, 1, &safe_session).await,
        401,
        "idle too long"
    );
    assert_eq!(
        me_cookie(&flawed, 1, &flawed_session).await,
        200,
        "no idle timeout"
    );
    safe.handle.shutdown().await;
    flawed.handle.shutdown().await;
}
