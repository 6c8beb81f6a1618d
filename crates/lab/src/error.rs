//! Why a lab could not start.

use std::path::PathBuf;

use crate::config::{Flaw, Mode};
use crate::jwt::signing::Signing;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LabError {
    #[error("unknown lab store `{0}` (expected sqlite or redis)")]
    UnknownStore(String),

    #[error("port {port} on 127.0.0.1 is in use")]
    PortInUse { port: u16 },

    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Listen {
        port: u16,
        #[source]
        source: std::io::Error,
    },

    #[error("flaw `{flaw}` has no effect in {mode} mode (it applies to: {applies_to})")]
    FlawNotApplicable {
        flaw: Flaw,
        mode: Mode,
        applies_to: String,
    },

    #[error("flaws `{0}` and `{1}` contradict each other; pick one")]
    ConflictingFlaws(Flaw, Flaw),

    #[error("replicas must be between 1 and {max} (got {replicas})")]
    Replicas { replicas: u16, max: u16 },

    #[error(
        "flaw `per-replica-store` needs at least 2 replicas to show anything (got {replicas}); add replicas"
    )]
    PerReplicaStoreNeedsReplicas { replicas: u16 },

    #[error(
        "flaw `per-replica-store` gives every replica its own in-memory store; it cannot be combined with the {store} store (use the memory store)"
    )]
    PerReplicaStoreNeedsMemory { store: &'static str },

    #[error("found no {replicas} consecutive free ports on 127.0.0.1; try again or give a port")]
    NoPortBlock { replicas: u16 },

    #[error("{replicas} replicas from port {first} would run past port 65535")]
    PortRange { first: u16, replicas: u16 },

    #[error("Redis URL `{url}` refused: {reason}")]
    RedisUrl { url: String, reason: &'static str },

    #[error(
        "redis-server not found (looked in PATH and /usr/bin); install it (Debian: `apt-get install redis-server`) or use the memory or sqlite store"
    )]
    RedisServerMissing,

    #[error("cannot start redis-server ({}): {detail}", program.display())]
    RedisServerStart { program: PathBuf, detail: String },

    #[error("cannot use the lab's Redis store: {0}")]
    Redis(#[from] redis::RedisError),

    #[error("{} holds data of another lab version (schema {found}, expected {expected}); delete it or pick another file", path.display())]
    StoreSchema {
        path: PathBuf,
        found: i64,
        expected: i64,
    },

    #[error("cannot create the lab's temp dir: {0}")]
    TempDir(#[source] std::io::Error),

    #[error("cannot {action} {}: {source}", path.display())]
    TlsFile {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot generate the lab TLS certificate: {0}")]
    CertGen(#[from] rcgen::Error),

    #[error("cannot set up TLS: {0}")]
    Tls(#[from] rustls::Error),

    #[error("cannot open the lab database: {0}")]
    Database(#[from] sqlx::Error),

    #[error("JWT secret refused ({signing} signing): {reason}")]
    JwtSecret {
        signing: Signing,
        reason: &'static str,
    },

    #[error("key rotation interval must be at least 1 second")]
    KeyRotation,

    #[error("cannot generate the lab's {signing} signing key: {detail}")]
    KeyGen { signing: Signing, detail: String },

    #[error("cannot keep the lab's public key files: {0}")]
    KeyDir(#[source] std::io::Error),

    #[error("lab startup task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl LabError {
    pub(crate) fn not_applicable(flaw: Flaw, mode: Mode) -> Self {
        let applies_to = flaw
            .modes()
            .iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        LabError::FlawNotApplicable {
            flaw,
            mode,
            applies_to,
        }
    }
}
