//! What a lab is asked to be: its mode, its flaw switches, ports, lifetimes.

use std::collections::BTreeSet;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::LabError;
use crate::jwt::signing::Signing;

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
    PerReplicaStore,
    SlowRevocation,
    NoExpiryCheck,
    NoIdleTimeout,
    WeakSessionId,
    NoRateLimit,
    AlgNoneAccepted,
    SignatureNotVerified,
    WeakSecret,
    KeyConfusion,
    NoAudCheck,
    PsychicSignature,
    HeaderKeysTrusted,
}

impl Flaw {
    pub const ALL: [Flaw; 24] = [
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
        Flaw::PerReplicaStore,
        Flaw::SlowRevocation,
        Flaw::NoExpiryCheck,
        Flaw::NoIdleTimeout,
        Flaw::WeakSessionId,
        Flaw::NoRateLimit,
        Flaw::AlgNoneAccepted,
        Flaw::SignatureNotVerified,
        Flaw::WeakSecret,
        Flaw::KeyConfusion,
        Flaw::NoAudCheck,
        Flaw::PsychicSignature,
        Flaw::HeaderKeysTrusted,
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
            Flaw::PerReplicaStore => "per-replica-store",
            Flaw::SlowRevocation => "slow-revocation",
            Flaw::NoExpiryCheck => "no-expiry-check",
            Flaw::NoIdleTimeout => "no-idle-timeout",
            Flaw::WeakSessionId => "weak-session-id",
            Flaw::NoRateLimit => "no-rate-limit",
            Flaw::AlgNoneAccepted => "alg-none-accepted",
            Flaw::SignatureNotVerified => "signature-not-verified",
            Flaw::WeakSecret => "weak-secret",
            Flaw::KeyConfusion => "key-confusion",
            Flaw::NoAudCheck => "no-aud-check",
            Flaw::PsychicSignature => "psychic-signature",
            Flaw::HeaderKeysTrusted => "header-keys-trusted",
        }
    }

    /// Whether switching this flaw on changes anything observable in `mode`.
    /// Cookie flaws need a cookie-carried credential; refresh flaws need refresh tokens;
    /// access-JWT flaws need access JWTs (some also a signing mode: see [`Flaw::describe`]).
    pub fn applies_to(self, mode: Mode) -> bool {
        use Flaw::*;
        match self {
            NoHttponly | NoSecure | SamesiteNone | NoSamesite => {
                matches!(mode, Mode::Session | Mode::Hybrid)
            }
            Fixation | TokenInUrl | NoIdleTimeout => mode == Mode::Session,
            NoRotation | NoReuseDetection | AlgNoneAccepted | SignatureNotVerified | WeakSecret
            | KeyConfusion | NoAudCheck | PsychicSignature | HeaderKeysTrusted => {
                matches!(mode, Mode::Jwt | Mode::Hybrid)
            }
            LogoutKeepsSession | LongLived | NoStoreMissing | PerReplicaStore | SlowRevocation
            | NoExpiryCheck | WeakSessionId | NoRateLimit => true,
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
            Flaw::PerReplicaStore => {
                "Each replica keeps its own in-memory store: logins and new tokens are copied to all (sticky-session style), but logout and revocation stay on the replica that saw them, so the others keep accepting the session or refresh token."
            }
            Flaw::SlowRevocation => {
                "Logout and refresh-family revocation are recorded at once but only enforced after the revocation delay (a deny-list cache refreshed every few seconds)."
            }
            Flaw::NoExpiryCheck => {
                "Expiry is never checked: access JWTs are accepted after exp, and sessions outlive their absolute lifetime (only the cookie's Max-Age says they should die)."
            }
            Flaw::NoIdleTimeout => {
                "Sessions have no idle timeout: a session left unused for hours still works until its absolute expiry."
            }
            Flaw::WeakSessionId => {
                "Session ids and refresh tokens carry only 32 random bits (8 hex characters), few enough to guess."
            }
            Flaw::NoRateLimit => {
                "Login never throttles or locks: passwords can be guessed as fast as the server answers."
            }
            Flaw::AlgNoneAccepted => {
                "Access JWTs with alg \"none\" (in any letter case) and an empty signature are accepted, so anyone can write their own claims."
            }
            Flaw::SignatureNotVerified => {
                "The access JWT's signature is never checked (alg and kid still are): an edited payload, a stripped or a truncated signature is accepted."
            }
            Flaw::WeakSecret => {
                "HS256 signing uses the secret `your-256-bit-secret` (jwt.io's example), which any wordlist finds in seconds; with other signing modes it changes nothing."
            }
            Flaw::KeyConfusion => {
                "With RS256, ES256 or EdDSA signing, HS256 tokens whose HMAC secret is the lab's public key PEM (/.well-known/public-key.pem) are accepted too, so anyone can sign; with HS256 signing it changes nothing."
            }
            Flaw::NoAudCheck => {
                "The access JWT's aud claim is not checked, so a token minted for another service is accepted (signature, iss and expiry still are)."
            }
            Flaw::PsychicSignature => {
                "With ES256 signing, ECDSA verification skips its range check, so the all-zero signature (r = s = 0, CVE-2022-21449) passes for any token; with other signing modes it changes nothing."
            }
            Flaw::HeaderKeysTrusted => {
                "The token picks its own key: an embedded jwk header is used to verify it, and an unknown kid is read as a file path (kid ../../../dev/null: an empty HS256 key)."
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
pub(crate) fn normalize(s: &str) -> String {
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
    pub(crate) fn new<'a>(
        kind: &'static str,
        input: &str,
        names: impl Iterator<Item = &'a str>,
    ) -> Self {
        Self {
            kind,
            input: input.to_owned(),
            expected: names.collect::<Vec<_>>().join(", "),
        }
    }
}

/// Safe-default credential lifetimes, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Lifetimes {
    pub access_secs: u64,
    pub refresh_secs: u64,
    pub session_secs: u64,
    /// Session mode: a session unused this long is dead (every authenticated request
    /// slides it). Off with no-idle-timeout.
    pub idle_secs: u64,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Self {
            access_secs: 300,
            refresh_secs: 28_800,
            session_secs: 1_800,
            idle_secs: 600,
        }
    }
}

/// Where the lab keeps sessions and refresh-token families.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum StoreBackend {
    /// In-memory SQLite for one replica; with several replicas a shared SQLite file in
    /// a temp dir the lab owns (and removes at shutdown).
    #[default]
    Memory,
    /// A SQLite file (WAL, so replicas can write concurrently); `None`: a lab-owned temp file.
    Sqlite(Option<PathBuf>),
    /// `None`: the lab spawns its own `redis-server` on 127.0.0.1 and kills it at shutdown;
    /// `Some(url)`: an existing server, `redis://` on 127.0.0.1 or localhost only.
    Redis(Option<String>),
}

impl StoreBackend {
    /// `memory`, `sqlite` or `redis`.
    pub fn kind(&self) -> &'static str {
        match self {
            StoreBackend::Memory => "memory",
            StoreBackend::Sqlite(_) => "sqlite",
            StoreBackend::Redis(_) => "redis",
        }
    }
}

/// Login throttling per account identifier (off with no-rate-limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimit {
    /// Consecutive failed logins that lock the account.
    pub max_failures: u32,
    /// How long a lock lasts; every attempt meanwhile gets 429.
    pub lockout_secs: u64,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lockout_secs: 30,
        }
    }
}

/// More replicas than this is a typo, not a lab.
pub const MAX_REPLICAS: u16 = 64;

/// Everything [`crate::start`] needs.
#[derive(Clone, PartialEq, Eq)]
pub struct LabConfig {
    pub mode: Mode,
    pub flaws: BTreeSet<Flaw>,
    /// First HTTPS port; replica i listens on `https_port + i - 1`. 0 picks an ephemeral
    /// block of consecutive ports.
    pub https_port: u16,
    /// `None`: no plain-HTTP listener; `Some(0)`: ephemeral ports. Consecutive like the
    /// HTTPS ports, each redirecting to its own replica.
    pub http_port: Option<u16>,
    pub lifetimes: Lifetimes,
    /// Where `cert.pem` / `key.pem` are kept and reused across runs.
    pub tls_dir: PathBuf,
    /// How many instances of the lab to run, each a full server on its own port.
    pub replicas: u16,
    pub store: StoreBackend,
    /// How late revocations take effect with slow-revocation (ignored without it).
    pub revocation_delay_ms: u64,
    pub rate_limit: RateLimit,
    /// How access JWTs are signed (jwt and hybrid modes).
    pub signing: Signing,
    /// The HS256 secret (hs256 signing only); `None`: 32 random bytes per lab, as 43
    /// base64url characters. The weak-secret flaw sets its own.
    pub jwt_secret: Option<String>,
    /// Rotate the signing key this often (the previous key keeps verifying); `None`: only
    /// on [`crate::LabHandle::rotate_keys`].
    pub key_rotation_secs: Option<u64>,
}

/// The JWT secret stays out of logs and panic messages.
impl fmt::Debug for LabConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LabConfig")
            .field("mode", &self.mode)
            .field("flaws", &self.flaws)
            .field("https_port", &self.https_port)
            .field("http_port", &self.http_port)
            .field("lifetimes", &self.lifetimes)
            .field("tls_dir", &self.tls_dir)
            .field("replicas", &self.replicas)
            .field("store", &self.store)
            .field("revocation_delay_ms", &self.revocation_delay_ms)
            .field("rate_limit", &self.rate_limit)
            .field("signing", &self.signing)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "***"))
            .field("key_rotation_secs", &self.key_rotation_secs)
            .finish()
    }
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
            replicas: 1,
            store: StoreBackend::Memory,
            revocation_delay_ms: 3_000,
            rate_limit: RateLimit::default(),
            signing: Signing::default(),
            jwt_secret: None,
            key_rotation_secs: None,
        }
    }

    /// Refuse configurations that cannot start or would not mean what they say.
    /// [`crate::start`] calls this first; callers may call it earlier for quick feedback.
    pub fn validate(&self) -> Result<(), LabError> {
        if let Some(flaw) = self.flaws.iter().find(|f| !f.applies_to(self.mode)) {
            return Err(LabError::not_applicable(*flaw, self.mode));
        }
        if self.flaws.contains(&Flaw::SamesiteNone) && self.flaws.contains(&Flaw::NoSamesite) {
            return Err(LabError::ConflictingFlaws(
                Flaw::SamesiteNone,
                Flaw::NoSamesite,
            ));
        }
        if !(1..=MAX_REPLICAS).contains(&self.replicas) {
            return Err(LabError::Replicas {
                replicas: self.replicas,
                max: MAX_REPLICAS,
            });
        }
        if self.flaws.contains(&Flaw::PerReplicaStore) {
            if self.replicas < 2 {
                return Err(LabError::PerReplicaStoreNeedsReplicas {
                    replicas: self.replicas,
                });
            }
            if self.store != StoreBackend::Memory {
                return Err(LabError::PerReplicaStoreNeedsMemory {
                    store: self.store.kind(),
                });
            }
        }
        let last = u32::from(self.replicas) - 1;
        for first in std::iter::once(self.https_port).chain(self.http_port) {
            if first != 0 && u32::from(first) + last > u32::from(u16::MAX) {
                return Err(LabError::PortRange {
                    first,
                    replicas: self.replicas,
                });
            }
        }
        if let StoreBackend::Redis(Some(url)) = &self.store {
            check_redis_url(url)?;
        }
        self.validate_jwt()
    }

    fn validate_jwt(&self) -> Result<(), LabError> {
        if let Some(secret) = &self.jwt_secret {
            let reason = if self.signing != Signing::Hs256 {
                "it only applies to hs256 signing"
            } else if secret.is_empty() {
                "it is empty"
            } else if self.flaws.contains(&Flaw::WeakSecret) {
                "flaw `weak-secret` sets the secret itself"
            } else {
                ""
            };
            if !reason.is_empty() {
                return Err(LabError::JwtSecret {
                    signing: self.signing,
                    reason,
                });
            }
        }
        if self.key_rotation_secs == Some(0) {
            return Err(LabError::KeyRotation);
        }
        Ok(())
    }

    /// The HS256 secret the lab will use when one is fixed (configured or weak-secret).
    pub(crate) fn fixed_secret(&self) -> Option<String> {
        if self.flaws.contains(&Flaw::WeakSecret) {
            Some(crate::jwt::keys::WEAK_SECRET.to_owned())
        } else {
            self.jwt_secret.clone()
        }
    }
}

/// The lab's data must stay on this machine: a shared or remote Redis would receive lab
/// sessions, and lab traffic would leave loopback.
fn check_redis_url(raw: &str) -> Result<(), LabError> {
    let refuse = |reason: &'static str| LabError::RedisUrl {
        url: redact_url(raw),
        reason,
    };
    let url =
        url::Url::parse(raw).map_err(|_| refuse("not a URL (expected redis://127.0.0.1:PORT)"))?;
    if url.scheme() != "redis" {
        return Err(refuse(
            "only redis:// is supported (the server must be on loopback, where TLS adds nothing)",
        ));
    }
    match url.host_str() {
        Some("127.0.0.1" | "localhost") => Ok(()),
        _ => Err(refuse(
            "the lab only talks to a Redis on 127.0.0.1 or localhost, so its data and traffic stay on this machine",
        )),
    }
}

/// `url` without a password, for messages and descriptions.
pub(crate) fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) => {
            if url.password().is_some() {
                let _ = url.set_password(Some("***"));
            }
            url.to_string()
        }
        Err(_) => "(unparsable)".to_owned(),
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
        assert_eq!(
            "Per_Replica_Store".parse::<Flaw>(),
            Ok(Flaw::PerReplicaStore)
        );
        assert_eq!(
            serde_json::to_string(&Flaw::NoRateLimit).unwrap(),
            "\"no-rate-limit\""
        );
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
            "no-httponly,no-secure,samesite-none,no-samesite,fixation,logout-keeps-session,long-lived,no-store-missing,token-in-url,\
             per-replica-store,slow-revocation,no-expiry-check,no-idle-timeout,weak-session-id,no-rate-limit"
        );
        let jwt_flaws = "alg-none-accepted,signature-not-verified,weak-secret,key-confusion,no-aud-check,\
                         psychic-signature,header-keys-trusted";
        assert_eq!(
            names(Mode::Jwt),
            format!(
                "logout-keeps-session,no-rotation,no-reuse-detection,long-lived,no-store-missing,\
                 per-replica-store,slow-revocation,no-expiry-check,weak-session-id,no-rate-limit,{jwt_flaws}"
            )
        );
        assert_eq!(
            names(Mode::Hybrid),
            format!(
                "no-httponly,no-secure,samesite-none,no-samesite,logout-keeps-session,no-rotation,no-reuse-detection,long-lived,no-store-missing,\
                 per-replica-store,slow-revocation,no-expiry-check,weak-session-id,no-rate-limit,{jwt_flaws}"
            )
        );
    }

    #[test]
    fn validate_refuses_what_cannot_work() {
        let base = |replicas: u16, store: StoreBackend, flaws: &[Flaw]| LabConfig {
            replicas,
            store,
            flaws: flaws.iter().copied().collect(),
            ..LabConfig::new(Mode::Jwt)
        };
        let err = |cfg: LabConfig| cfg.validate().unwrap_err().to_string();

        assert_eq!(
            err(base(1, StoreBackend::Memory, &[Flaw::PerReplicaStore])),
            "flaw `per-replica-store` needs at least 2 replicas to show anything (got 1); add replicas"
        );
        assert!(
            err(base(
                2,
                StoreBackend::Sqlite(None),
                &[Flaw::PerReplicaStore]
            ))
            .contains("cannot be combined with the sqlite store")
        );
        base(2, StoreBackend::Memory, &[Flaw::PerReplicaStore])
            .validate()
            .unwrap();
        assert_eq!(
            err(base(0, StoreBackend::Memory, &[])),
            "replicas must be between 1 and 64 (got 0)"
        );
        let mut high = base(3, StoreBackend::Memory, &[]);
        high.https_port = 65_534;
        assert_eq!(
            err(high),
            "3 replicas from port 65534 would run past port 65535"
        );

        let redis = |url: &str| base(1, StoreBackend::Redis(Some(url.into())), &[]);
        redis("redis://127.0.0.1:6379").validate().unwrap();
        redis("redis://localhost:6379/2").validate().unwrap();
        let remote = err(redis("redis://:hunter2@10.0.0.5:6379"));
        assert!(
            remote.contains("only talks to a Redis on 127.0.0.1 or localhost"),
            "{remote}"
        );
        assert!(!remote.contains("hunter2"), "password redacted: {remote}");
        assert!(err(redis("rediss://127.0.0.1:6379")).contains("only redis://"));
        assert!(err(redis("127.0.0.1:6379")).contains("refused"));
    }

    #[test]
    fn validate_jwt_options() {
        let cfg = |signing: Signing, secret: Option<&str>, flaws: &[Flaw]| LabConfig {
            signing,
            jwt_secret: secret.map(str::to_owned),
            flaws: flaws.iter().copied().collect(),
            ..LabConfig::new(Mode::Jwt)
        };
        let err = |c: LabConfig| c.validate().unwrap_err().to_string();
        cfg(Signing::Hs256, Some("s3cret"), &[]).validate().unwrap();
        cfg(Signing::Rs256, None, &[Flaw::KeyConfusion])
            .validate()
            .unwrap();
        // Flaws that need another signing mode are accepted and do nothing.
        cfg(Signing::Hs256, None, &[Flaw::PsychicSignature])
            .validate()
            .unwrap();
        assert_eq!(
            err(cfg(Signing::Rs256, Some("s3cret"), &[])),
            "JWT secret refused (rs256 signing): it only applies to hs256 signing"
        );
        assert!(err(cfg(Signing::Hs256, Some(""), &[])).contains("it is empty"));
        assert!(
            err(cfg(Signing::Hs256, Some("s3cret"), &[Flaw::WeakSecret]))
                .contains("flaw `weak-secret` sets the secret itself")
        );
        let mut zero = cfg(Signing::Hs256, None, &[]);
        zero.key_rotation_secs = Some(0);
        assert!(err(zero).contains("at least 1 second"));
        assert_eq!(
            cfg(Signing::Hs256, None, &[Flaw::WeakSecret])
                .fixed_secret()
                .as_deref(),
            Some("your-256-bit-secret")
        );
        let debug = format!("{:?}", cfg(Signing::Hs256, Some("s3cret"), &[]));
        assert!(!debug.contains("s3cret"), "{debug}");
    }
}
