//! What a lab is asked to be: its mode, its flaw switches, ports, lifetimes.

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How the lab keeps users signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Server-side sessions behind a cookie, HTML login form with CSRF token.
    Session,
    /// Stateless access JWT plus rotating opaque refresh tokens, all in JSON.
    Jwt,
    /// Access JWT in JSON, refresh token in an HttpOnly cookie.
    Hybrid,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::Session, Mode::Jwt, Mode::Hybrid];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Session => "session",
            Mode::Jwt => "jwt",
            Mode::Hybrid => "hybrid",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = ParseNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = normalize(s);
        Mode::ALL
            .into_iter()
            .find(|m| m.as_str() == wanted)
            .ok_or_else(|| ParseNameError::new("mode", s, Mode::ALL.iter().map(|m| m.as_str())))
    }
}

/// A deliberate security mistake the lab can be switched into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flaw {
    NoHttponly,
    NoSecure,
    SamesiteNone,
    NoSamesite,
    Fixation,
    LogoutKeepsSession,
    NoRotation,
    NoReuseDetection,
    LongLived,
    NoStoreMissing,
    TokenInUrl,
}

impl Flaw {
    pub const ALL: [Flaw; 11] = [
        Flaw::NoHttponly,
        Flaw::NoSecure,
        Flaw::SamesiteNone,
        Flaw::NoSamesite,
        Flaw::Fixation,
        Flaw::LogoutKeepsSession,
        Flaw::NoRotation,
        Flaw::NoReuseDetection,
        Flaw::LongLived,
        Flaw::NoStoreMissing,
        Flaw::TokenInUrl,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Flaw::NoHttponly => "no-httponly",
            Flaw::NoSecure => "no-secure",
            Flaw::SamesiteNone => "samesite-none",
            Flaw::NoSamesite => "no-samesite",
            Flaw::Fixation => "fixation",
            Flaw::LogoutKeepsSession => "logout-keeps-session",
            Flaw::NoRotation => "no-rotation",
            Flaw::NoReuseDetection => "no-reuse-detection",
            Flaw::LongLived => "long-lived",
            Flaw::NoStoreMissing => "no-store-missing",
            Flaw::TokenInUrl => "token-in-url",
        }
    }

    /// Whether switching this flaw on changes anything observable in `mode`.
    /// Cookie flaws need a cookie-carried credential; refresh flaws need refresh tokens.
    pub fn applies_to(self, mode: Mode) -> bool {
        use Flaw::*;
        match self {
            NoHttponly | NoSecure | SamesiteNone | NoSamesite => {
                matches!(mode, Mode::Session | Mode::Hybrid)
            }
            Fixation | TokenInUrl => mode == Mode::Session,
            NoRotation | NoReuseDetection => matches!(mode, Mode::Jwt | Mode::Hybrid),
            LogoutKeepsSession | LongLived | NoStoreMissing => true,
        }
    }

    /// The modes this flaw has an effect in.
    pub fn modes(self) -> Vec<Mode> {
        Mode::ALL
            .into_iter()
            .filter(|m| self.applies_to(*m))
            .collect()
    }

    /// One line for teachers: what goes wrong with this switch on.
    pub fn describe(self) -> &'static str {
        match self {
            Flaw::NoHttponly => {
                "The credential cookie lacks HttpOnly, so page scripts (and any XSS) can read it."
            }
            Flaw::NoSecure => {
                "The credential cookie lacks Secure (and its __Host-/__Secure- prefix), so it may travel over plain HTTP."
            }
            Flaw::SamesiteNone => {
                "The credential cookie is SameSite=None, so browsers attach it to cross-site requests (CSRF)."
            }
            Flaw::NoSamesite => {
                "The credential cookie has no SameSite attribute; protection is left to browser defaults."
            }
            Flaw::Fixation => {
                "Login keeps the pre-login session id, so an id planted by an attacker becomes signed in."
            }
            Flaw::LogoutKeepsSession => {
                "Logout clears the cookie and says OK, but the session or refresh tokens stay valid on the server."
            }
            Flaw::NoRotation => {
                "Refresh hands back the same refresh token, so a stolen one works for its whole lifetime."
            }
            Flaw::NoReuseDetection => {
                "Replaying a used refresh token is refused but does not revoke its family, so a thief's newer token keeps working."
            }
            Flaw::LongLived => {
                "Credentials live for months: cookies 400 days, access tokens 30 days, refresh tokens 365 days."
            }
            Flaw::NoStoreMissing => {
                "Login and refresh responses lack Cache-Control: no-store, so credentials may land in caches."
            }
            Flaw::TokenInUrl => {
                "The session id is put in the post-login URL (?sid=), leaking through history, logs and Referer."
            }
        }
    }
}

impl fmt::Display for Flaw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Flaw {
    type Err = ParseNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = normalize(s);
        Flaw::ALL
            .into_iter()
            .find(|f| f.as_str() == wanted)
            .ok_or_else(|| ParseNameError::new("flaw", s, Flaw::ALL.iter().map(|f| f.as_str())))
    }
}

/// Accept `No_HttpOnly` as well as `no-httponly`: people type these by hand.
fn normalize(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace('_', "-")
}

/// A mode or flaw name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{input}` (expected one of: {expected})")]
pub struct ParseNameError {
    kind: &'static str,
    input: String,
    expected: String,
}

impl ParseNameError {
    fn new<'a>(kind: &'static str, input: &str, names: impl Iterator<Item = &'a str>) -> Self {
        Self {
            kind,
            input: input.to_owned(),
            expected: names.collect::<Vec<_>>().join(", "),
        }
    }
}

/// Safe-default credential lifetimes, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lifetimes {
    pub access_secs: u64,
    pub refresh_secs: u64,
    pub session_secs: u64,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Self {
            access_secs: 300,
            refresh_secs: 28_800,
            session_secs: 1_800,
        }
    }
}

/// Everything [`crate::start`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabConfig {
    pub mode: Mode,
    pub flaws: BTreeSet<Flaw>,
    /// 0 picks an ephemeral port.
    pub https_port: u16,
    /// `None`: no plain-HTTP listener; `Some(0)`: ephemeral port.
    pub http_port: Option<u16>,
    pub lifetimes: Lifetimes,
    /// Where `cert.pem` / `key.pem` are kept and reused across runs.
    pub tls_dir: PathBuf,
}

impl LabConfig {
    /// A safe lab in `mode` on ephemeral ports with the default certificate directory.
    pub fn new(mode: Mode) -> Self {
        Self {
            mode,
            flaws: BTreeSet::new(),
            https_port: 0,
            http_port: None,
            lifetimes: Lifetimes::default(),
            tls_dir: default_tls_dir(),
        }
    }
}

impl Default for LabConfig {
    fn default() -> Self {
        Self::new(Mode::Session)
    }
}

/// `<local data dir>/authlens/lab`, falling back to the temp dir on odd systems.
pub fn default_tls_dir() -> PathBuf {
    dirs::data_local_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("authlens")
        .join("lab")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in Mode::ALL {
            assert_eq!(m.to_string().parse::<Mode>(), Ok(m));
        }
        for f in Flaw::ALL {
            assert_eq!(f.to_string().parse::<Flaw>(), Ok(f));
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(json, format!("\"{f}\""));
        }
        assert_eq!("No_HttpOnly".parse::<Flaw>(), Ok(Flaw::NoHttponly));
        let err = "nope".parse::<Mode>().unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown mode `nope` (expected one of: session, jwt, hybrid)"
        );
    }

    #[test]
    fn applicability_table() {
        let names = |m: Mode| {
            Flaw::ALL
                .into_iter()
                .filter(|f| f.applies_to(m))
                .map(Flaw::as_str)
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(
            names(Mode::Session),
            "no-httponly,no-secure,samesite-none,no-samesite,fixation,logout-keeps-session,long-lived,no-store-missing,token-in-url"
        );
        assert_eq!(
            names(Mode::Jwt),
            "logout-keeps-session,no-rotation,no-reuse-detection,long-lived,no-store-missing"
        );
        assert_eq!(
            names(Mode::Hybrid),
            "no-httponly,no-secure,samesite-none,no-samesite,logout-keeps-session,no-rotation,no-reuse-detection,long-lived,no-store-missing"
        );
    }
}
