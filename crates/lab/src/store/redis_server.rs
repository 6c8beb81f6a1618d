//! A private `redis-server` for one lab: loopback only, nothing persisted, killed when
//! the lab stops (or its handle is dropped).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use redis::{AsyncConnectionConfig, Client};
use tokio::process::{Child, Command};

use crate::error::LabError;

/// How long a fresh server gets to answer PING.
const READY_WITHIN: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(25);
/// The free port we pick can be taken before redis binds it: try a few.
const ATTEMPTS: usize = 3;

#[derive(Debug)]
pub(crate) struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// Start one on a free port, with its working dir and log in `dir`.
    pub(crate) async fn spawn(dir: &Path) -> Result<Self, LabError> {
        let program = find_program().ok_or(LabError::RedisServerMissing)?;
        let mut detail = String::new();
        for _ in 0..ATTEMPTS {
            let port = free_port()?;
            let log_path = dir.join("redis.log");
            let start = |error: std::io::Error| LabError::RedisServerStart {
                program: program.clone(),
                detail: error.to_string(),
            };
            let log = std::fs::File::create(&log_path).map_err(start)?;
            let log_err = log.try_clone().map_err(start)?;
            let mut child = Command::new(&program)
                .args(["--save", "", "--appendonly", "no"])
                .args(["--bind", "127.0.0.1", "--protected-mode", "yes"])
                .arg("--port")
                .arg(port.to_string())
                .arg("--dir")
                .arg(dir)
                .stdin(Stdio::null())
                .stdout(log)
                .stderr(log_err)
                .kill_on_drop(true)
                .spawn()
                .map_err(start)?;
            match wait_ready(&mut child, port, &log_path).await {
                Ok(()) => {
                    tracing::info!(port, "lab redis-server started");
                    return Ok(Self { child, port });
                }
                Err(why) => {
                    let _ = child.kill().await;
                    detail = why;
                }
            }
        }
        Err(LabError::RedisServerStart { program, detail })
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub(crate) async fn stop(mut self) {
        if let Err(error) = self.child.kill().await {
            tracing::warn!(%error, "stopping the lab's redis-server failed");
        }
    }
}

/// `redis-server` on PATH, else Debian's location.
fn find_program() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("redis-server"));
    on_path
        .chain(std::iter::once(PathBuf::from("/usr/bin/redis-server")))
        .find(|p| p.is_file())
}

fn free_port() -> Result<u16, LabError> {
    let listener = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
        .map_err(|source| LabError::Listen { port: 0, source })?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|source| LabError::Listen { port: 0, source })
}

/// Poll PING until it answers, the process dies, or the deadline passes.
async fn wait_ready(child: &mut Child, port: u16, log: &Path) -> Result<(), String> {
    let url = format!("redis://127.0.0.1:{port}");
    let client = Client::open(url.as_str()).map_err(|e| e.to_string())?;
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(Duration::from_millis(500)))
        .set_response_timeout(Some(Duration::from_millis(500)));
    let deadline = tokio::time::Instant::now() + READY_WITHIN;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("it exited ({status}): {}", log_tail(log)));
        }
        if let Ok(mut conn) = client
            .get_multiplexed_async_connection_with_config(&config)
            .await
            && let Ok(pong) = redis::cmd("PING").query_async::<String>(&mut conn).await
            && pong == "PONG"
        {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!(
                "no answer to PING on port {port} within {}s: {}",
                READY_WITHIN.as_secs(),
                log_tail(log)
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The last lines redis logged, for the error message.
fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(3)..].join(" | ");
    if tail.is_empty() {
        "(no log output)".to_owned()
    } else {
        tail
    }
}
