//! Whole runs against a hostile target: malformed JWTs, abusive cookies, redirect loops, bombs, a body that
//! never ends. Each gives a clear error or finding; nothing panics or hangs.

use std::time::{Duration, Instant};

use authlens_core::flow::{self, RunOptions};
use authlens_core::model::{Run, RunStatus, Status};
use authlens_core::profile::Profile;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;

fn b64(s: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

fn login_with_token(token: String) -> Response {
    let mut r =
        axum::Json(serde_json::json!({ "access_token": token, "expires_in": 60 })).into_response();
    let h = r.headers_mut();
    h.append(
        header::SET_COOKIE,
        HeaderValue::from_static("session_big=AAAAAAAA; Path=/; Secure; HttpOnly"),
    );
    // A 10 kB value: browsers drop it; we must still record it.
    let big = format!(
        "session_huge={}; Path=/; HttpOnly; Secure; SameSite=Lax",
        "x".repeat(10_000)
    );
    h.append(header::SET_COOKIE, HeaderValue::from_str(&big).unwrap());
    // A control character: HTAB is the only one HTTP lets through in a header value; cookies forbid it.
    h.append(
        header::SET_COOKIE,
        HeaderValue::from_bytes(b"ctl=a\tb; Path=/").unwrap(),
    );
    h.append(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

const PROFILE: &str = r#"
name = "hostile"
base_url = "http://127.0.0.1:1"
[user]
username = "u"
[http]
timeout_secs = 3
read_timeout_secs = 2
max_body_bytes = 4194304
[login]
path = "/login"
json = { user = "{{username}}", password = "{{password}}" }
extract = [{ name = "access", kind = "access", from = "json", pointer = "/access_token", expires_in = "/expires_in" }]
[probe]
path = "/me"
bearer = "access"
[logout]
path = "/logout"
"#;

async fn run_against(base: &str, profile: &str) -> (Run, Duration) {
    let p = Profile::from_toml(profile, None).unwrap();
    let mut opts = RunOptions::new("pw");
    opts.base_url_override = Some(url::Url::parse(base).unwrap());
    let t0 = Instant::now();
    let run = tokio::time::timeout(Duration::from_secs(30), flow::run(&p, opts))
        .await
        .expect("the run never hangs")
        .unwrap();
    (run, t0.elapsed())
}

fn me() -> Router {
    Router::new()
        .route(
            "/me",
            get(|h: axum::http::HeaderMap| async move {
                if h.contains_key(header::AUTHORIZATION) {
                    (axum::http::StatusCode::OK, "ok")
                } else {
                    (axum::http::StatusCode::UNAUTHORIZED, "no")
                }
            }),
        )
        .route("/logout", post(|| async { "bye" }))
}

#[tokio::test]
async fn malformed_jwts_display_with_problems() {
    let bad_b64 = format!(
        "{}.%%%not*base64%%%.sig",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#)
    );
    let huge = format!(
        "{}.{}.sig",
        b64(br#"{"alg":"none"}"#),
        b64(&vec![b'a'; 1 << 20])
    );
    for token in [bad_b64, huge] {
        let t = token.clone();
        let base = serve(me().route(
            "/login",
            post(move || {
                let t = t.clone();
                async move { login_with_token(t) }
            }),
        ))
        .await;
        let (run, _) = run_against(&base, PROFILE).await;
        if token.len() > 1 << 20 {
            // A 1 MB bearer header is refused by the server itself (431): a clear failure, not a panic.
            let err = run.error.as_ref().expect("the probe fails");
            assert!(err.message.contains("431"), "{}", err.message);
        } else {
            assert_eq!(run.status, RunStatus::Completed, "{:?}", run.error);
        }
        let access = run
            .credentials
            .iter()
            .find(|c| c.name == "access")
            .expect("captured");
        let jwt = access.jwt.as_ref().expect("decoded as far as possible");
        assert!(!jwt.problems.is_empty(), "problems are listed");
        // The cookies were recorded and judged, the oversized one flagged.
        let size = run
            .findings
            .iter()
            .find(|f| f.check_id == "cookie.size")
            .unwrap();
        assert_eq!(size.status, Status::Fail, "{}", size.summary);
    }
}

#[tokio::test]
async fn redirect_loop_is_a_clear_error() {
    let app = me().route(
        "/login",
        post(|| async { axum::response::Redirect::temporary("/login") }),
    );
    let base = serve(app).await;
    let (run, took) = run_against(&base, PROFILE).await;
    assert_eq!(run.status, RunStatus::Failed);
    let err = run.error.unwrap();
    assert!(err.message.contains("redirect"), "{}", err.message);
    assert!(took < Duration::from_secs(10));
}

#[tokio::test]
async fn endless_and_bomb_bodies_stop_at_the_cap() {
    use futures_util::stream;
    // A body that never ends.
    let endless = || async {
        let s = stream::repeat_with(|| {
            Ok::<_, std::io::Error>(bytes::Bytes::from_static(&[b'{'; 8192]))
        });
        Response::builder()
            .header("content-type", "application/json")
            .body(axum::body::Body::from_stream(s))
            .unwrap()
    };
    let base = serve(me().route("/login", post(endless))).await;
    let (run, took) = run_against(&base, PROFILE).await;
    assert_eq!(
        run.status,
        RunStatus::Failed,
        "nothing to extract from a capped body"
    );
    let login = &run.exchanges[0];
    let body = &login.final_response().expect("a response head").body;
    assert!(
        body.truncated && body.size <= 4 << 20,
        "capped at max_body_bytes: {} bytes",
        body.size
    );
    assert!(took < Duration::from_secs(10), "took {took:?}");
}

#[tokio::test]
async fn cross_origin_redirect_sends_no_cookie_elsewhere() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let other = serve(Router::new().fallback(move || {
        h.fetch_add(1, Ordering::SeqCst);
        async { "stolen" }
    }))
    .await;
    let to = other.replace("127.0.0.1", "localhost") + "/collect";
    let app = me().route(
        "/login",
        post(move || {
            let to = to.clone();
            async move {
                let mut r = axum::response::Redirect::temporary(&to).into_response();
                r.headers_mut().append(
                    header::SET_COOKIE,
                    HeaderValue::from_static("sid=secret-session-value; Path=/"),
                );
                r
            }
        }),
    );
    let base = serve(app).await;
    let (run, _) = run_against(&base, PROFILE).await;
    assert_eq!(run.status, RunStatus::Failed);
    assert!(run.error.unwrap().message.to_lowercase().contains("origin"));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "nothing was sent to the other origin"
    );
}
