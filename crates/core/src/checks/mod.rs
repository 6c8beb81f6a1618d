//! Security checks: pure functions of a recorded run.
//!
//! [`run_all`] returns one [`Finding`] per id in [`catalogue::IMPLEMENTED`], in catalogue order, whatever the
//! run holds: a check that lacks what it needs says so as `not-tested`. Checks read full secret values (the
//! run is in memory) but never write one into a finding: summaries and evidence name credentials by label,
//! cookie name and fingerprint.

pub mod catalogue;
mod cookie;
mod jwt;
mod jwt_keys;
mod measured;
pub mod references;
mod refresh;
mod session;
mod transport;
mod util;

pub(crate) use jwt::is_secret_claim_key;
pub(crate) use util::display as display_text;

use crate::model::{Finding, Run};

/// Thresholds the checks use.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
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
    /// Revocation that takes longer than this after logout (the latency scenario) warns, in ms.
    pub revocation_latency_warn_ms: i64,
    /// An idle timeout longer than this (or none found) warns, in seconds.
    pub idle_timeout_warn_secs: i64,
}

impl Default for CheckConfig {
    fn default() -> Self {
        CheckConfig {
            access_lifetime_warn_secs: 3600,
            access_lifetime_fail_secs: 86_400,
            revocation_gap_tolerance_secs: 900,
            session_lifetime_warn_secs: 12 * 3600,
            session_lifetime_fail_secs: 30 * 86_400,
            revocation_latency_warn_ms: 1000,
            idle_timeout_warn_secs: 1800,
        }
    }
}

type CheckFn = fn(&util::Ctx) -> util::Outcome;

/// The implemented checks in catalogue order (the same ids as [`catalogue::IMPLEMENTED`]).
const CHECKS: &[(&str, CheckFn)] = &[
    ("cookie.httponly", cookie::httponly),
    ("cookie.secure", cookie::secure),
    ("cookie.samesite", cookie::samesite),
    ("cookie.prefix", cookie::prefix),
    ("cookie.domain", cookie::domain),
    ("cookie.size", cookie::size),
    ("cookie.lifetime", cookie::lifetime),
    ("session.entropy", measured::entropy),
    ("session.fixation", session::fixation),
    ("session.logout", session::logout),
    ("session.timeout", measured::timeout),
    ("session.in-url", session::in_url),
    ("storage.js-readable", session::js_readable),
    ("session.replicas", measured::replicas),
    ("transport.https", transport::https),
    ("transport.hsts", transport::hsts),
    ("cache.no-store", transport::no_store),
    ("login.rate-limit", measured::rate_limit),
    ("jwt.signature-checked", jwt_keys::signature_checked),
    ("jwt.alg-none", jwt_keys::alg_none),
    ("jwt.key-confusion", jwt_keys::key_confusion),
    ("jwt.weak-secret", jwt_keys::weak_secret),
    ("jwt.psychic", jwt_keys::psychic),
    ("jwt.header-keys", jwt_keys::header_keys),
    ("jwt.exp", jwt::exp),
    ("jwt.expiry-enforced", measured::expiry_enforced),
    ("jwt.audience", jwt_keys::audience),
    ("jwt.verification", jwt_keys::verification),
    ("jwt.sensitive-claims", jwt::sensitive_claims),
    ("refresh.rotation", refresh::rotation),
    ("refresh.reuse", refresh::reuse),
    ("refresh.logout", refresh::logout),
];

pub fn run_all(run: &Run, cfg: &CheckConfig) -> Vec<Finding> {
    let ctx = util::Ctx::new(run, cfg);
    CHECKS
        .iter()
        .map(|(id, check)| check(&ctx).into_finding(id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    #[test]
    fn run_all_yields_every_implemented_check_in_catalogue_order_even_on_an_empty_run() {
        let run = util::testkit::RunBuilder::new().build();
        let findings = run_all(&run, &CheckConfig::default());
        let ids: Vec<&str> = findings.iter().map(|f| f.check_id.as_str()).collect();
        assert_eq!(ids, catalogue::IMPLEMENTED);
        let table: Vec<&str> = CHECKS.iter().map(|(id, _)| *id).collect();
        assert_eq!(table, catalogue::IMPLEMENTED);
        for f in &findings {
            let info = catalogue::get(&f.check_id).unwrap();
            assert_eq!(f.title, info.title);
            assert_eq!(f.explanation, info.explanation);
            assert!(!f.summary.is_empty() && !f.summary.contains('\n'), "{f:?}");
            // Nothing to judge: every check says so.
            assert_eq!(f.status, Status::NotTested, "{f:?}");
            assert_eq!(f.severity, info.severity);
        }
    }
}
