//! Security checks: pure functions of a recorded run. STUB.

use crate::model::{Finding, Run};

/// Thresholds the checks use.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CheckConfig {
    /// Access-token lifetime (exp - iat) above which jwt.exp warns, in seconds.
    pub access_lifetime_warn_secs: i64,
    /// ... and fails.
    pub access_lifetime_fail_secs: i64,
    /// An access token still accepted after logout is a warning (the stateless revocation gap), not a
    /// failure, when it expires within this many seconds of the logout.
    pub revocation_gap_tolerance_secs: i64,
    /// Absolute session timeout: a persistent session cookie living longer warns.
    pub session_lifetime_warn_secs: i64,
    /// ... and fails.
    pub session_lifetime_fail_secs: i64,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            access_lifetime_warn_secs: 3600,
            access_lifetime_fail_secs: 86_400,
            revocation_gap_tolerance_secs: 900,
            session_lifetime_warn_secs: 12 * 3600,
            session_lifetime_fail_secs: 30 * 86_400,
        }
    }
}

pub fn run_all(_run: &Run, _cfg: &CheckConfig) -> Vec<Finding> {
    todo!()
}
