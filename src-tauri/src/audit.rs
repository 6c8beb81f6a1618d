//! The weak-secret audit tool: an HMAC JWT's secret guessed offline against the blank secret, the built-in
//! list and the user's wordlists ([`authlens_core::tokens::weak_secret`]). The search keeps every core busy,
//! so it runs on a blocking thread, never on the async runtime or the UI thread; `cancel_audit` raises its
//! flag. Nothing here needs Tauri: the command wraps [`audit`], tests drive it directly.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use authlens_core::tokens::weak_secret::{self, AuditOptions, AuditProgress, AuditReport};

use crate::error::ApiError;
use crate::state::AppState;
use crate::types::AuditRequest;

/// Run the audit `request` asks for, reporting progress (every ~125 ms while wordlists are read) to
/// `progress`. Resolves with the report however the search ends (found, not found, timed out, cancelled);
/// rejects with the core's `weak-secret.*` codes (not a JWT, not HMAC, unreadable wordlist).
pub async fn audit(
    state: &AppState,
    request: AuditRequest,
    progress: impl Fn(&AuditProgress) + Send + Sync + 'static,
) -> Result<AuditReport, ApiError> {
    let cancel = Arc::new(AtomicBool::new(false));
    let _registered = state.register_audit(&request.audit_id, cancel.clone())?;
    tracing::info!(
        audit_id = %request.audit_id,
        wordlists = request.wordlists.len(),
        builtin = request.builtin,
        "weak-secret audit starting"
    );
    let opts = AuditOptions {
        wordlists: request
            .wordlists
            .iter()
            .map(|w| w.trim())
            .filter(|w| !w.is_empty())
            .map(PathBuf::from)
            .collect(),
        builtin: request.builtin,
        time_limit: request
            .time_limit_secs
            .filter(|s| *s > 0)
            .map(Duration::from_secs),
        threads: 0,
    };
    let token = request.token;
    let job = tokio::task::spawn_blocking(move || {
        weak_secret::audit(token.trim(), &opts, &cancel, &progress)
    });
    match job.await {
        Ok(Ok(report)) => Ok(report),
        Ok(Err(e)) => Err(ApiError::new(e.code(), e.to_string())),
        Err(e) => Err(ApiError::new(
            "audit.failed",
            format!("the audit stopped unexpectedly: {e}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::Mutex;

    use authlens_core::tokens::weak_secret::AuditOutcome;

    use super::*;

    /// jwt.io's example token: HS256, signed with `your-256-bit-secret` (in the built-in list).
    const JWT_IO: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    async fn state(dir: &tempfile::TempDir) -> AppState {
        AppState::open(dir.path(), &dir.path().join("history.db")).await
    }

    fn request(id: &str, token: &str, wordlists: Vec<String>, builtin: bool) -> AuditRequest {
        AuditRequest {
            audit_id: id.into(),
            token: token.into(),
            wordlists,
            builtin,
            time_limit_secs: Some(30),
        }
    }

    #[tokio::test]
    async fn finds_a_builtin_secret_and_a_wordlist_line() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(&dir).await;
        let report = audit(&state, request("a1", JWT_IO, vec![], true), |_| {})
            .await
            .unwrap();
        assert_eq!(report.alg, "HS256");
        match report.outcome {
            AuditOutcome::Found(f) => {
                assert_eq!(f.secret, "your-256-bit-secret");
                assert_eq!(f.source, weak_secret::BUILTIN_SOURCE);
            }
            other => panic!("expected found, got {other:?}"),
        }

        // Without the built-in list, from a wordlist: line 3.
        let mut list = tempfile::NamedTempFile::new_in(dir.path()).unwrap();
        writeln!(list, "alpha\nbeta\nyour-256-bit-secret\ngamma").unwrap();
        let path = list.path().display().to_string();
        let report = audit(
            &state,
            request(
                "a2",
                &format!("  {JWT_IO}\n"),
                vec![path.clone(), "  ".into()],
                false,
            ),
            |_| {},
        )
        .await
        .unwrap();
        match report.outcome {
            AuditOutcome::Found(f) => {
                assert_eq!((f.source.as_str(), f.line), (path.as_str(), 3));
            }
            other => panic!("expected found, got {other:?}"),
        }
        // Done: the id is free again.
        assert!(!state.cancel_audit("a2"));
    }

    #[tokio::test]
    async fn refuses_what_it_cannot_audit_with_the_core_codes() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(&dir).await;
        let e = audit(&state, request("b1", "not a token", vec![], true), |_| {})
            .await
            .unwrap_err();
        assert_eq!(e.code, "weak-secret.not-a-jwt");
        let missing = dir.path().join("missing.txt").display().to_string();
        let e = audit(&state, request("b2", JWT_IO, vec![missing], true), |_| {})
            .await
            .unwrap_err();
        assert_eq!(e.code, "weak-secret.wordlist");
        let e = audit(&state, request(" ", JWT_IO, vec![], true), |_| {})
            .await
            .unwrap_err();
        assert_eq!(e.code, "request.invalid");
    }

    /// /dev/urandom is an endless wordlist (random lines, no known size): only a cancel ends the audit.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_duplicate_id_is_refused_and_cancel_stops_the_audit() {
        let dir = tempfile::tempdir().unwrap();
        let state = Arc::new(state(&dir).await);
        let mut endless = request("c1", JWT_IO, vec!["/dev/urandom".into()], false);
        endless.time_limit_secs = None;
        let seen = Arc::new(Mutex::new(Vec::<AuditProgress>::new()));
        let running = {
            let state = state.clone();
            let sink = seen.clone();
            tokio::spawn(async move {
                audit(&state, endless, move |p| {
                    sink.lock().unwrap().push(p.clone())
                })
                .await
            })
        };
        // Going once it reported progress.
        for _ in 0..400 {
            if !seen.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(state.auditing(), 1);
        let dup = audit(&state, request("c1", JWT_IO, vec![], false), |_| {}).await;
        assert_eq!(dup.unwrap_err().code, "audit.duplicate");
        let p = seen
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("no progress reported");
        assert!(p.tried > 0);
        assert_eq!(p.bytes_total, None);
        assert_eq!(p.source, "/dev/urandom");

        assert!(state.cancel_audit("c1"));
        let report = tokio::time::timeout(Duration::from_secs(10), running)
            .await
            .expect("the cancelled audit did not end")
            .unwrap()
            .unwrap();
        assert_eq!(report.outcome, AuditOutcome::Cancelled);
        assert!(!state.cancel_audit("c1"));
        assert_eq!(state.auditing(), 0);
    }
}
