//! Why a lab could not start.

use std::path::PathBuf;

use crate::config::{Flaw, Mode};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LabError {
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
