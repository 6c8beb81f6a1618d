//! The app's managed state: the history store (opened once at startup), and the runs and weak-secret audits
//! in flight.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use authlens_core::events::CancellationToken;
use authlens_core::store::Store;

use crate::error::ApiError;

pub struct AppState {
    /// The history database; an error (kept for every command that needs it) when it could not be opened.
    store: Result<Store, ApiError>,
    db_path: PathBuf,
    data_dir: PathBuf,
    /// Where the in-process lab keeps its certificate and key (`<data dir>/lab`, as the CLI's).
    lab_tls_dir: PathBuf,
    /// request id → cancellation of the run it started.
    runs: Mutex<HashMap<String, CancellationToken>>,
    /// audit id → the cancel flag of the weak-secret audit it started.
    audits: Mutex<HashMap<String, Arc<AtomicBool>>>,
}

impl AppState {
    /// Open the history database at `db_path`. A failure does not stop the app: runs still work (unrecorded)
    /// and the history commands return the error.
    pub async fn open(data_dir: &Path, db_path: &Path) -> AppState {
        let store = match Store::open(db_path).await {
            Ok(s) => Ok(s),
            Err(e) => {
                tracing::error!("history database unavailable: {e}");
                Err(ApiError::new(
                    "store.unavailable",
                    format!("the history database is unavailable: {e}"),
                ))
            }
        };
        AppState {
            store,
            db_path: db_path.to_path_buf(),
            data_dir: data_dir.to_path_buf(),
            lab_tls_dir: data_dir.join("lab"),
            runs: Mutex::new(HashMap::new()),
            audits: Mutex::new(HashMap::new()),
        }
    }

    /// The default places: `authlens_core::paths` (`$AUTHLENS_DATA_DIR` or the platform data dir), so the CLI
    /// and the app share one history and one lab certificate.
    pub async fn open_default() -> AppState {
        AppState::open(
            &authlens_core::paths::data_dir(),
            &authlens_core::paths::default_db(),
        )
        .await
    }

    pub fn store(&self) -> Result<&Store, ApiError> {
        self.store.as_ref().map_err(Clone::clone)
    }

    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn lab_tls_dir(&self) -> &Path {
        &self.lab_tls_dir
    }

    /// Register a run under `request_id`; the guard unregisters it when dropped (however the run ends).
    pub fn register_run(
        &self,
        request_id: &str,
        token: CancellationToken,
    ) -> Result<RunGuard<'_>, ApiError> {
        if request_id.trim().is_empty() {
            return Err(ApiError::invalid("the run request needs a request_id"));
        }
        let mut runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        if runs.contains_key(request_id) {
            return Err(ApiError::new(
                "run.duplicate",
                format!("a run with request id `{request_id}` is already going"),
            ));
        }
        runs.insert(request_id.to_string(), token);
        Ok(RunGuard {
            state: self,
            request_id: request_id.to_string(),
        })
    }

    /// Cancel the run started under `request_id`: false when no such run is going.
    pub fn cancel_run(&self, request_id: &str) -> bool {
        let runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        match runs.get(request_id) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    /// How many runs are going.
    pub fn running(&self) -> usize {
        self.runs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl AppState {
    /// Register a weak-secret audit under `audit_id`; the guard unregisters it, and raises its cancel flag,
    /// when dropped (however the audit ends, even when the command itself is dropped).
    pub fn register_audit(
        &self,
        audit_id: &str,
        cancel: Arc<AtomicBool>,
    ) -> Result<AuditGuard<'_>, ApiError> {
        if audit_id.trim().is_empty() {
            return Err(ApiError::invalid("the audit request needs an audit_id"));
        }
        let mut audits = self.audits.lock().unwrap_or_else(PoisonError::into_inner);
        if audits.contains_key(audit_id) {
            return Err(ApiError::new(
                "audit.duplicate",
                format!("an audit with id `{audit_id}` is already going"),
            ));
        }
        audits.insert(audit_id.to_string(), cancel.clone());
        Ok(AuditGuard {
            state: self,
            audit_id: audit_id.to_string(),
            cancel,
        })
    }

    /// Cancel the audit started under `audit_id`: false when no such audit is going.
    pub fn cancel_audit(&self, audit_id: &str) -> bool {
        let audits = self.audits.lock().unwrap_or_else(PoisonError::into_inner);
        match audits.get(audit_id) {
            Some(flag) => {
                flag.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// How many audits are going.
    pub fn auditing(&self) -> usize {
        self.audits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// Keeps an audit registered for cancellation while it lives.
pub struct AuditGuard<'a> {
    state: &'a AppState,
    audit_id: String,
    cancel: Arc<AtomicBool>,
}

impl Drop for AuditGuard<'_> {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
        self.state
            .audits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.audit_id);
    }
}

/// Keeps a run registered for cancellation while it lives.
pub struct RunGuard<'a> {
    state: &'a AppState,
    request_id: String,
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        self.state
            .runs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.request_id);
    }
}
