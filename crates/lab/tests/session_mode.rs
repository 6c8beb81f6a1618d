//! Mode `session`: HTML form login, CSRF, session id rotation and its flaws.

mod common;

use authlens_lab::{Flaw, Mode};
use common::*;

struct Anonymous {
    cookie: String,
    csrf: String,
}

async fn login_page(lab: &Lab) -> Anonymous {
    let resp = lab.client.get(lab.url("/login")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let cookie = set_cookie(&resp);
    let html = resp.text().await.unwrap();
    Anonymous {
        cookie: cookie_pair(&cookie),
        csrf: csrf_of(&html),
    }
}

async fn post_login(lab: &Lab, anon: &Anonymous, user: &str, password: &str) -> reqwest::Response {
    lab.client
        .post(lab.url("/login"))
        .header("cookie", &anon.cookie)
        .form(&[
            ("username", user),
            ("password", password),
            ("csrf_token", &anon.csrf),
        ])
        .send()
        .await
        .unwrap()
}

async fn me(lab: &Lab, cookie: &str) -> reqwest::StatusCode {
    let resp = lab
        .client
        .get(lab.url("/api/me"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_no_store(&resp);
    resp.status()
}

#[tokio::test]
async fn happy_path_rotates_id_and_logout_kills_session() {
    let lab = start(Mode::Session, &[]).await;

    let first = lab.client.get(lab.url("/login")).send().await.unwrap();
    assert_eq!(
        header(&first, "strict-transport-security").as_deref(),
        Some("max-age=63072000; includeSubDomains")
    );
    assert_no_store(&first);
    let anon_cookie = set_cookie(&first);
    let anon_id = cookie_value(&anon_cookie);
    assert_eq!(
        anon_cookie,
        format!("__Host-sid={anon_id}; Path=/; Secure; HttpOnly; SameSite=Lax")
    );
    let csrf = csrf_of(&first.text().await.unwrap());
    let anon = Anonymous {
        cookie: format!("__Host-sid={anon_id}"),
        csrf,
    };

    // A second visit with the cookie reuses the session and its CSRF token.
    let again = lab
        .client
        .get(lab.url("/login"))
        .header("cookie", &anon.cookie)
        .send()
        .await
        .unwrap();
    assert!(set_cookies(&again).is_empty());
    assert_eq!(csrf_of(&again.text().await.unwrap()), anon.csrf);

    let resp = post_login(&lab, &anon, "alice", "wonderland-alice").await;
    assert_eq!(resp.status(), 303);
    assert_eq!(header(&resp, "location").as_deref(), Some("/account"));
    assert_no_store(&resp);
    let cookie = set_cookie(&resp);
    let id = cookie_value(&cookie);
    assert_ne!(id, anon_id, "login must issue a new session id");
    assert_eq!(
        cookie,
        format!("__Host-sid={id}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=1800")
    );
    let session = format!("__Host-sid={id}");

    let account = lab
        .client
        .get(lab.url("/account"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(account.status(), 200);
    let html = account.text().await.unwrap();
    assert!(html.contains("Signed in as alice"));
    assert_eq!(csrf_of(&html), anon.csrf);

    assert_eq!(me(&lab, &session).await, 200);
    assert_eq!(
        me(&lab, &anon.cookie).await,
        401,
        "pre-login id must be dead"
    );

    // Logout needs the CSRF token.
    let forged = lab
        .client
        .post(lab.url("/logout"))
        .header("cookie", &session)
        .form(&[("csrf_token", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(json(forged).await["error"], "csrf");

    let out = lab
        .client
        .post(lab.url("/logout"))
        .header("cookie", &session)
        .form(&[("csrf_token", &anon.csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(header(&out, "location").as_deref(), Some("/login"));
    assert_eq!(
        set_cookie(&out),
        "__Host-sid=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"
    );
    assert_eq!(me(&lab, &session).await, 401);

    let account = lab
        .client
        .get(lab.url("/account"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(account.status(), 303);
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn csrf_and_credentials_are_checked() {
    let lab = start(Mode::Session, &[]).await;
    let anon = login_page(&lab).await;

    let wrong_csrf = Anonymous {
        cookie: anon.cookie.clone(),
        csrf: "forged".into(),
    };
    let resp = post_login(&lab, &wrong_csrf, "alice", "wonderland-alice").await;
    assert_eq!(resp.status(), 403);
    assert_eq!(json(resp).await["error"], "csrf");

    let no_cookie = Anonymous {
        cookie: String::new(),
        csrf: anon.csrf.clone(),
    };
    assert_eq!(
        post_login(&lab, &no_cookie, "alice", "wonderland-alice")
            .await
            .status(),
        403
    );

    let resp = post_login(&lab, &anon, "alice", "wrong").await;
    assert_eq!(resp.status(), 401);
    let body = json(resp).await;
    assert_eq!(body["error"], "invalid_credentials");
    assert!(body["message"].is_string());

    // Browsers get the form back instead of JSON.
    let resp = lab
        .client
        .post(lab.url("/login"))
        .header("cookie", &anon.cookie)
        .header("accept", "text/html")
        .form(&[
            ("username", "alice"),
            ("password", "wrong"),
            ("csrf_token", &anon.csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Wrong username or password")
    );

    // E-mail works as the login name too.
    let resp = post_login(&lab, &anon, "bob@lab.test", "builder-bob").await;
    assert_eq!(resp.status(), 303);
    let session = cookie_pair(&set_cookie(&resp));
    let body = json(
        lab.client
            .get(lab.url("/api/me"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(body, serde_json::json!({ "user": "bob" }));
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn fixation_keeps_the_pre_login_id() {
    let lab = start(Mode::Session, &[Flaw::Fixation]).await;
    let anon = login_page(&lab).await;
    let resp = post_login(&lab, &anon, "alice", "wonderland-alice").await;
    assert_eq!(resp.status(), 303);
    assert_eq!(
        cookie_pair(&set_cookie(&resp)),
        anon.cookie,
        "same id re-sent"
    );
    assert_eq!(
        me(&lab, &anon.cookie).await,
        200,
        "planted id is now signed in"
    );
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn logout_keeps_session_flaw() {
    let lab = start(Mode::Session, &[Flaw::LogoutKeepsSession]).await;
    let anon = login_page(&lab).await;
    let session = cookie_pair(&set_cookie(
        &post_login(&lab, &anon, "alice", "wonderland-alice").await,
    ));
    let out = lab
        .client
        .post(lab.url("/logout"))
        .header("cookie", &session)
        .form(&[("csrf_token", &anon.csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert!(set_cookie(&out).ends_with("Max-Age=0"));
    assert_eq!(
        me(&lab, &session).await,
        200,
        "server never forgot the session"
    );
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn token_in_url_puts_sid_in_location() {
    let lab = start(Mode::Session, &[Flaw::TokenInUrl]).await;
    let anon = login_page(&lab).await;
    let resp = post_login(&lab, &anon, "alice", "wonderland-alice").await;
    let id = cookie_value(&set_cookie(&resp));
    assert_eq!(
        header(&resp, "location"),
        Some(format!("/account?sid={id}"))
    );
    // The URL alone is enough to get in: that is the leak.
    let account = lab
        .client
        .get(lab.url(&format!("/account?sid={id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(account.status(), 200);
    assert!(account.text().await.unwrap().contains("Signed in as alice"));
    lab.handle.shutdown().await;
}

#[tokio::test]
async fn cookie_flaws_and_cache_flaw() {
    let cases: &[(Flaw, &str)] = &[
        (
            Flaw::NoHttponly,
            "__Host-sid={id}; Path=/; Secure; SameSite=Lax; Max-Age=1800",
        ),
        (
            Flaw::NoSecure,
            "sid={id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=1800",
        ),
        (
            Flaw::SamesiteNone,
            "__Host-sid={id}; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=1800",
        ),
        (
            Flaw::NoSamesite,
            "__Host-sid={id}; Path=/; Secure; HttpOnly; Max-Age=1800",
        ),
        (
            Flaw::LongLived,
            "__Host-sid={id}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=34560000",
        ),
    ];
    for (flaw, expected) in cases {
        let lab = start(Mode::Session, &[*flaw]).await;
        let anon = login_page(&lab).await;
        let resp = post_login(&lab, &anon, "alice", "wonderland-alice").await;
        assert_eq!(resp.status(), 303, "{flaw}");
        assert_no_store(&resp);
        let cookie = set_cookie(&resp);
        assert_eq!(
            cookie,
            expected.replace("{id}", &cookie_value(&cookie)),
            "{flaw}"
        );
        assert_eq!(me(&lab, &cookie_pair(&cookie)).await, 200, "{flaw}");
        lab.handle.shutdown().await;
    }

    let lab = start(Mode::Session, &[Flaw::NoStoreMissing]).await;
    let anon = login_page(&lab).await;
    let resp = post_login(&lab, &anon, "alice", "wonderland-alice").await;
    assert_eq!(resp.status(), 303);
    assert_eq!(header(&resp, "cache-control"), None);
    assert_eq!(header(&resp, "pragma"), None);
    assert_eq!(me(&lab, &cookie_pair(&set_cookie(&resp))).await, 200);
    lab.handle.shutdown().await;
}
