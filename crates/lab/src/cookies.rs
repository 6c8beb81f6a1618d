//! The one place credential cookies are named, built and read, so every cookie flaw
//! acts the same way on the session cookie and the refresh cookie.

use std::collections::BTreeSet;

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

use crate::config::Flaw;

/// 400 days: the longest Max-Age browsers honour (RFC 6265bis caps it there).
pub(crate) const LONG_LIVED_MAX_AGE: u64 = 400 * 24 * 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CookieKind {
    /// Session mode: `__Host-sid`, whole site, Lax.
    Session,
    /// Hybrid mode: `__Secure-refresh`, only sent to /api/auth, Strict.
    Refresh,
}

impl CookieKind {
    /// Without Secure a `__Host-`/`__Secure-` prefixed cookie is rejected by browsers,
    /// so no-secure also drops the prefix.
    pub(crate) fn name(self, flaws: &BTreeSet<Flaw>) -> &'static str {
        let secure = !flaws.contains(&Flaw::NoSecure);
        match (self, secure) {
            (CookieKind::Session, true) => "__Host-sid",
            (CookieKind::Session, false) => "sid",
            (CookieKind::Refresh, true) => "__Secure-refresh",
            (CookieKind::Refresh, false) => "refresh",
        }
    }

    fn path(self) -> &'static str {
        match self {
            CookieKind::Session => "/",
            CookieKind::Refresh => "/api/auth",
        }
    }

    fn safe_same_site(self) -> &'static str {
        match self {
            CookieKind::Session => "Lax",
            CookieKind::Refresh => "Strict",
        }
    }

    /// `Set-Cookie` value. `max_age: None` makes a browser-session cookie; long-lived
    /// stretches any persistent cookie to 400 days.
    pub(crate) fn set(self, flaws: &BTreeSet<Flaw>, value: &str, max_age: Option<u64>) -> String {
        let max_age = max_age.map(|secs| {
            if flaws.contains(&Flaw::LongLived) {
                LONG_LIVED_MAX_AGE
            } else {
                secs
            }
        });
        self.build(flaws, value, max_age)
    }

    /// Same name and attributes as `set`, so the browser really replaces the cookie.
    pub(crate) fn clear(self, flaws: &BTreeSet<Flaw>) -> String {
        self.build(flaws, "", Some(0))
    }

    fn build(self, flaws: &BTreeSet<Flaw>, value: &str, max_age: Option<u64>) -> String {
        let mut out = format!("{}={}; Path={}", self.name(flaws), value, self.path());
        if !flaws.contains(&Flaw::NoSecure) {
            out.push_str("; Secure");
        }
        if !flaws.contains(&Flaw::NoHttponly) {
            out.push_str("; HttpOnly");
        }
        if flaws.contains(&Flaw::SamesiteNone) {
            out.push_str("; SameSite=None");
        } else if !flaws.contains(&Flaw::NoSamesite) {
            out.push_str("; SameSite=");
            out.push_str(self.safe_same_site());
        }
        if let Some(secs) = max_age {
            out.push_str(&format!("; Max-Age={secs}"));
        }
        out
    }

    /// This cookie's value from the request's `Cookie` header(s), if present and non-empty.
    pub(crate) fn read(self, flaws: &BTreeSet<Flaw>, headers: &HeaderMap) -> Option<String> {
        let name = self.name(flaws);
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, v)| *k == name && !v.is_empty())
            .map(|(_, v)| v.trim_matches('"').to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flaws(list: &[Flaw]) -> BTreeSet<Flaw> {
        list.iter().copied().collect()
    }

    #[test]
    fn safe_defaults() {
        let none = flaws(&[]);
        assert_eq!(
            CookieKind::Session.set(&none, "abc", Some(1800)),
            "__Host-sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=1800"
        );
        assert_eq!(
            CookieKind::Session.set(&none, "abc", None),
            "__Host-sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax"
        );
        assert_eq!(
            CookieKind::Refresh.set(&none, "r", Some(28800)),
            "__Secure-refresh=r; Path=/api/auth; Secure; HttpOnly; SameSite=Strict; Max-Age=28800"
        );
        assert_eq!(
            CookieKind::Refresh.clear(&none),
            "__Secure-refresh=; Path=/api/auth; Secure; HttpOnly; SameSite=Strict; Max-Age=0"
        );
    }

    #[test]
    fn each_flaw_changes_one_thing() {
        let s = |f: Flaw| CookieKind::Session.set(&flaws(&[f]), "v", Some(10));
        assert_eq!(
            s(Flaw::NoHttponly),
            "__Host-sid=v; Path=/; Secure; SameSite=Lax; Max-Age=10"
        );
        assert_eq!(
            s(Flaw::NoSecure),
            "sid=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=10"
        );
        assert_eq!(
            s(Flaw::SamesiteNone),
            "__Host-sid=v; Path=/; Secure; HttpOnly; SameSite=None; Max-Age=10"
        );
        assert_eq!(
            s(Flaw::NoSamesite),
            "__Host-sid=v; Path=/; Secure; HttpOnly; Max-Age=10"
        );
        assert_eq!(
            s(Flaw::LongLived),
            "__Host-sid=v; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=34560000"
        );
        // Deletion must not be stretched by long-lived.
        assert!(
            CookieKind::Session
                .clear(&flaws(&[Flaw::LongLived]))
                .ends_with("Max-Age=0")
        );
    }

    #[test]
    fn reads_by_current_name() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, "a=1; __Host-sid=xyz; sid=old".parse().unwrap());
        assert_eq!(
            CookieKind::Session.read(&flaws(&[]), &headers).as_deref(),
            Some("xyz")
        );
        assert_eq!(
            CookieKind::Session
                .read(&flaws(&[Flaw::NoSecure]), &headers)
                .as_deref(),
            Some("old")
        );
        assert_eq!(CookieKind::Refresh.read(&flaws(&[]), &headers), None);
    }
}
