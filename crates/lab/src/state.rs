//! What every handler of one running replica shares.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, PRAGMA};
use axum::response::Response;

use crate::config::{Flaw, LabConfig, Lifetimes, Mode};
use crate::jwt::AccessTokens;
use crate::rate_limit::{self, LoginLimiter};
use crate::secrets;
use crate::store::{Rules, Store, secs_to_ms};

const DAY: u64 = 24 * 3600;

pub(crate) type Shared = Arc<Lab>;

pub(crate) struct Lab {
    pub mode: Mode,
    pub flaws: BTreeSet<Flaw>,
    /// This replica's view of the store.
    pub store: Store,
    /// Shared by all replicas: one key, one issuer.
    pub access: Arc<AccessTokens>,
    /// Effective lifetimes (long-lived already applied).
    pub lifetimes: Lifetimes,
    /// Shared by all replicas, so spreading guesses over them gains nothing.
    pub limiter: Arc<LoginLimiter>,
    /// 1-based.
    pub replica: u16,
    /// This replica's `https://127.0.0.1:PORT` (the issuer is replica 1's).
    pub base_url: String,
    pub replicas: u16,
    /// `memory`, `per-replica-memory`, `sqlite` or `redis`.
    pub store_kind: &'static str,
}

impl Lab {
    pub(crate) fn has(&self, flaw: Flaw) -> bool {
        self.flaws.contains(&flaw)
    }

    /// `Cache-Control: no-store` + `Pragma: no-cache` on every credential-bearing
    /// response; no-store-missing drops them where credentials are issued.
    pub(crate) fn cache_headers(&self, response: &mut Response, issues_credentials: bool) {
        if issues_credentials && self.has(Flaw::NoStoreMissing) {
            return;
        }
        let headers = response.headers_mut();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    }

    /// A new session id or refresh token: 256 random bits, or 32 with weak-session-id.
    pub(crate) fn new_credential(&self) -> String {
        if self.has(Flaw::WeakSessionId) {
            secrets::weak_token()
        } else {
            secrets::random_token()
        }
    }

    /// Before a password check. `Ok(Some(account))`: go on, and report a success with
    /// [`Lab::login_succeeded`]; `Ok(None)`: no limit (no-rate-limit); `Err(secs)`: the
    /// account is locked for that many more seconds.
    pub(crate) fn admit_login(&self, identifier: &str) -> Result<Option<String>, u64> {
        if self.has(Flaw::NoRateLimit) {
            return Ok(None);
        }
        let (account, known) = crate::users::account_key(identifier);
        match self.limiter.admit(&account, known) {
            Ok(()) => Ok(Some(account)),
            Err(left) => {
                tracing::info!(replica = self.replica, "login refused: account locked");
                Err(rate_limit::retry_after_secs(left))
            }
        }
    }

    pub(crate) fn login_succeeded(&self, account: Option<&str>) {
        if let Some(account) = account {
            self.limiter.succeeded(account);
        }
    }
}

/// The lifetimes actually served. long-lived: access 30 days, refresh 365 days, and
/// the server-side session as long as its 400-day cookie (the idle timeout is its own
/// control and stays).
pub(crate) fn effective_lifetimes(configured: Lifetimes, flaws: &BTreeSet<Flaw>) -> Lifetimes {
    if flaws.contains(&Flaw::LongLived) {
        Lifetimes {
            access_secs: 30 * DAY,
            refresh_secs: 365 * DAY,
            session_secs: crate::cookies::LONG_LIVED_MAX_AGE,
            idle_secs: configured.idle_secs,
        }
    } else {
        configured
    }
}

/// The store's acceptance rules for this configuration.
pub(crate) fn rules(cfg: &LabConfig, lifetimes: &Lifetimes) -> Rules {
    let has = |f: Flaw| cfg.flaws.contains(&f);
    Rules {
        session_expiry: !has(Flaw::NoExpiryCheck),
        idle_ms: (cfg.mode == Mode::Session && !has(Flaw::NoIdleTimeout))
            .then(|| secs_to_ms(lifetimes.idle_secs)),
        revocation_delay_ms: if has(Flaw::SlowRevocation) {
            i64::try_from(cfg.revocation_delay_ms).unwrap_or(i64::MAX)
        } else {
            0
        },
    }
}
