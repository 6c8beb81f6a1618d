//! Opening the stores a lab's replicas use, naming them, and tearing them down.

use std::path::Path;

use tempfile::TempDir;

use super::redis::RedisStore;
use super::redis_server::RedisServer;
use super::sqlite::SqliteStore;
use super::{Backend, Rules, Store};
use crate::config::{Flaw, LabConfig, StoreBackend, redact_url};
use crate::error::LabError;
use crate::secrets;

/// What a lab's state lives in, and everything to release when it stops.
#[derive(Debug)]
pub(crate) struct Backing {
    kind: &'static str,
    description: String,
    backends: Vec<Backend>,
    redis_server: Option<RedisServer>,
    /// Holds a shared SQLite file or redis-server's working dir; removed on drop.
    temp: Option<TempDir>,
}

impl Backing {
    /// One [`Store`] per replica, in replica order.
    pub(crate) async fn open(
        cfg: &LabConfig,
        rules: Rules,
    ) -> Result<(Self, Vec<Store>), LabError> {
        let n = usize::from(cfg.replicas);
        let shared = if n > 1 { "shared " } else { "" };
        if cfg.flaws.contains(&Flaw::PerReplicaStore) {
            let mut backends = Vec::with_capacity(n);
            for _ in 0..n {
                backends.push(Backend::Sqlite(SqliteStore::open_memory().await?));
            }
            let stores = (0..n)
                .map(|i| {
                    let peers = backends
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != i)
                        .map(|(_, b)| b.clone())
                        .collect();
                    Store::new(backends[i].clone(), peers, rules)
                })
                .collect();
            let backing = Self::new("per-replica-memory", "per-replica memory".into(), backends);
            return Ok((backing, stores));
        }
        match &cfg.store {
            StoreBackend::Memory if n == 1 => {
                let backend = Backend::Sqlite(SqliteStore::open_memory().await?);
                Ok(Self::shared(
                    "memory",
                    "in-memory SQLite".into(),
                    vec![backend],
                    rules,
                ))
            }
            StoreBackend::Memory | StoreBackend::Sqlite(None) => {
                let temp = temp_dir()?;
                let path = temp.path().join("lab.sqlite");
                let backends = open_files(&path, n).await?;
                let description = format!("{shared}SQLite {} (temporary)", path.display());
                let (mut backing, stores) = Self::shared("sqlite", description, backends, rules);
                backing.temp = Some(temp);
                Ok((backing, stores))
            }
            StoreBackend::Sqlite(Some(path)) => {
                let backends = open_files(path, n).await?;
                let description = format!("{shared}SQLite {}", path.display());
                Ok(Self::shared("sqlite", description, backends, rules))
            }
            StoreBackend::Redis(None) => {
                let temp = temp_dir()?;
                let server = RedisServer::spawn(temp.path()).await?;
                let backends = connect_redis(&server.url(), n).await?;
                let description = format!("{shared}Redis 127.0.0.1:{} (spawned)", server.port());
                let (mut backing, stores) = Self::shared("redis", description, backends, rules);
                backing.redis_server = Some(server);
                backing.temp = Some(temp);
                Ok((backing, stores))
            }
            StoreBackend::Redis(Some(url)) => {
                let backends = connect_redis(url, n).await?;
                let description = format!("{shared}Redis {} (external)", redact_url(url));
                Ok(Self::shared("redis", description, backends, rules))
            }
        }
    }

    fn new(kind: &'static str, description: String, backends: Vec<Backend>) -> Self {
        Self {
            kind,
            description,
            backends,
            redis_server: None,
            temp: None,
        }
    }

    /// Every replica uses its own connection to the same data.
    fn shared(
        kind: &'static str,
        description: String,
        backends: Vec<Backend>,
        rules: Rules,
    ) -> (Self, Vec<Store>) {
        let stores = backends
            .iter()
            .map(|b| Store::new(b.clone(), Vec::new(), rules))
            .collect();
        (Self::new(kind, description, backends), stores)
    }

    /// `memory`, `per-replica-memory`, `sqlite` or `redis`.
    pub(crate) fn kind(&self) -> &'static str {
        self.kind
    }

    pub(crate) fn description(&self) -> &str {
        &self.description
    }

    /// Close connections, stop a spawned redis-server, remove the temp dir.
    pub(crate) async fn close(mut self) {
        for backend in &self.backends {
            backend.close().await;
        }
        if let Some(server) = self.redis_server.take() {
            server.stop().await;
        }
        if let Some(temp) = self.temp.take()
            && let Err(error) = temp.close()
        {
            tracing::warn!(%error, "removing the lab's temp dir failed");
        }
    }
}

fn temp_dir() -> Result<TempDir, LabError> {
    tempfile::Builder::new()
        .prefix("authlens-lab-")
        .tempdir()
        .map_err(LabError::TempDir)
}

async fn open_files(path: &Path, n: usize) -> Result<Vec<Backend>, LabError> {
    let mut backends = Vec::with_capacity(n);
    for _ in 0..n {
        backends.push(Backend::Sqlite(SqliteStore::open_file(path).await?));
    }
    Ok(backends)
}

async fn connect_redis(url: &str, n: usize) -> Result<Vec<Backend>, LabError> {
    let client = redis::Client::open(url)?;
    // Per lab, so labs sharing one server never see each other's keys.
    let prefix = format!(
        "authlens-lab:{}:",
        secrets::random_token()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(10)
            .collect::<String>()
    );
    let mut backends = Vec::with_capacity(n);
    for _ in 0..n {
        backends.push(Backend::Redis(RedisStore::connect(&client, &prefix).await?));
    }
    Ok(backends)
}
