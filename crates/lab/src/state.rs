//! What every handler of one running lab shares.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, PRAGMA};
use axum::response::Response;

use crate::config::{Flaw, Lifetimes, Mode};
use crate::jwt::AccessTokens;
use crate::store::Store;

const DAY: u64 = 24 * 3600;

pub(crate) type Shared = Arc<Lab>;

pub(crate) struct Lab {
    pub mode: Mode,
    pub flaws: BTreeSet<Flaw>,
    pub store: Store,
    pub access: AccessTokens,
    /// Effective lifetimes (long-lived already applied).
    pub lifetimes: Lifetimes,
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
}

/// The lifetimes actually served. long-lived: access 30 days, refresh 365 days, and
/// the server-side session as long as its 400-day cookie.
pub(crate) fn effective_lifetimes(configured: Lifetimes, flaws: &BTreeSet<Flaw>) -> Lifetimes {
    if flaws.contains(&Flaw::LongLived) {
        Lifetimes {
            access_secs: 30 * DAY,
            refresh_secs: 365 * DAY,
            session_secs: crate::cookies::LONG_LIVED_MAX_AGE,
        }
    } else {
        configured
    }
}
