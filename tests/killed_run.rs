//! A run killed halfway leaves a readable, consistent history DB with the finished exchanges in it.

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::{get, post};
use sqlx::Row;

async fn slow_target() -> String {
    let app = Router::new()
        .route(
            "/login",
            post(|| async {
                axum::Json(serde_json::json!({"token": "opaque-token-0123456789abcdef"}))
            }),
        )
        .route("/me", get(|| async { "ok" }))
        // The logout never answers in time: the run is stuck here when we kill it.
        .route(
            "/logout",
            post(|| async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                "late"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_run_leaves_a_consistent_db() {
    let base = slow_target().await;
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("slow.toml");
    std::fs::write(
        &profile,
        format!(
            r#"name = "slow logout"
base_url = "{base}"
[user]
username = "u"
[login]
path = "/login"
json = {{ user = "{{{{username}}}}", password = "{{{{password}}}}" }}
extract = [{{ name = "access", kind = "access", from = "json", pointer = "/token" }}]
[probe]
path = "/me"
bearer = "access"
[logout]
path = "/logout"
"#
        ),
    )
    .unwrap();
    let db = dir.path().join("h.db");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_authlens"))
        .args([
            "run",
            profile.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--format",
            "json",
        ])
        .env("AUTHLENS_DATA_DIR", dir.path())
        .env("AUTHLENS_PASSWORD", "pw-not-stored")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();

    // Wait until login and probe are stored, then kill -9 while logout hangs.
    let url = format!("sqlite://{}?mode=ro", db.display());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(
            Instant::now() < deadline,
            "the run never stored its first exchanges"
        );
        if db.exists()
            && let Ok(pool) = sqlx::SqlitePool::connect(&url).await
        {
            let n: i64 = sqlx::query("SELECT COUNT(*) FROM exchanges")
                .fetch_one(&pool)
                .await
                .map(|r| r.get(0))
                .unwrap_or(0);
            pool.close().await;
            if n >= 2 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().unwrap();
    let _ = child.wait();

    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let check: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(check, "ok");
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM exchanges")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get(0);
    assert!(n >= 2, "the finished exchanges are kept: {n}");
    let unfinished: i64 = sqlx::query("SELECT COUNT(*) FROM runs WHERE finished_at IS NULL")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(unfinished, 1, "the killed run is recorded as unfinished");
    pool.close().await;

    // And the history can still show it.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_authlens"))
        .args(["history", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("slow logout"));
}
