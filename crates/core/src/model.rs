//! The recorded run: what the runner captures and everything downstream (timeline, checks, store,
//! reports) reads. Checks are pure functions of a [`Run`], so a run can be re-analysed later.
//!
//! Times are Unix milliseconds (`i64`). Secret values (passwords, tokens, session ids) live in memory in
//! full while a run goes; [`crate::redact`] replaces them before anything is stored, logged or exported.

use serde::{Deserialize, Serialize};

/// Unix time in milliseconds.
pub type Millis = i64;

/// One header as received. Values that are not valid UTF-8 are kept lossily with `\xNN` escapes and
/// `raw_bytes_escaped` set, so hostile bytes display without breaking anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Header {
    pub name: String,
    pub value: String,
    // Omitted when false: optional (not `boolean`) on the TypeScript side.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub raw_bytes_escaped: bool,
}

/// A message body. `text` when the bytes are UTF-8, else `base64`. `size` counts the bytes received
/// after decoding (gzip, deflate, br); `truncated` says the cap stopped the read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Body {
    // Omitted when absent: `text?: string` on the TypeScript side, not `string | null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub base64: Option<String>,
    pub size: u64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub truncated: bool,
}

impl Body {
    pub fn from_bytes(bytes: &[u8], truncated: bool) -> Self {
        use base64::Engine;
        match std::str::from_utf8(bytes) {
            Ok(s) => Body {
                text: Some(s.to_owned()),
                base64: None,
                size: bytes.len() as u64,
                truncated,
            },
            Err(_) => Body {
                text: None,
                base64: Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
                size: bytes.len() as u64,
                truncated,
            },
        }
    }

    /// The body as bytes (decoding base64 when the body was binary).
    pub fn bytes(&self) -> Vec<u8> {
        use base64::Engine;
        if let Some(t) = &self.text {
            return t.as_bytes().to_vec();
        }
        self.base64
            .as_deref()
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.size == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RequestRecord {
    pub method: String,
    pub url: String,
    pub headers: Vec<Header>,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ResponseRecord {
    pub status: u16,
    /// "HTTP/1.1", "HTTP/2"...
    pub http_version: String,
    /// Every header in order, Set-Cookie included.
    pub headers: Vec<Header>,
    /// The raw Set-Cookie lines of this response, in order (also present in `headers`).
    pub set_cookies: Vec<String>,
    pub body: Body,
}

impl ResponseRecord {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }
}

impl RequestRecord {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }
}

/// One request/response pair. An exchange has one hop per redirect followed; the last is the final one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Hop {
    pub request: RequestRecord,
    /// None when the request failed before a response head arrived.
    pub response: Option<ResponseRecord>,
    pub started_at: Millis,
    /// Time to the response head.
    pub ttfb_ms: f64,
    /// Time to the end of the body (or the error).
    pub duration_ms: f64,
}

/// Which profile step an exchange belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    Prefetch,
    Login,
    Probe,
    Refresh,
    Logout,
    /// An extra request a check-specific probe sends (e.g. the plain-http redirect check).
    Extra,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Prefetch => "prefetch",
            StepKind::Login => "login",
            StepKind::Probe => "probe",
            StepKind::Refresh => "refresh",
            StepKind::Logout => "logout",
            StepKind::Extra => "extra",
        }
    }
}

/// Why the runner sent a request: normal use in the flow, or one of the replays that prove revocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// The step as the profile describes it, with the current credentials.
    Flow,
    /// An old credential replayed after logout.
    ReplayAfterLogout,
    /// The pre-login session id replayed after login (session fixation).
    FixationReplay,
    /// A refresh token replayed after it was rotated away.
    ReuseAfterRotation,
    /// The newest refresh token tried after the reuse attempt: was the whole family revoked?
    NewestAfterReuse,
    /// The same URL over plain http (transport.https).
    PlainHttp,
    /// A credential replayed after its declared expiry plus the skew (the expiry scenario).
    ExpiryReplay,
    /// An old credential polled after logout until it is rejected (the latency scenario).
    LatencyPoll,
    /// A probe after an idle gap (the idle-timeout scenario).
    IdleProbe,
    /// A credential replayed on a replica after logout (the replicas scenario; `replica` says which).
    ReplicaReplay,
    /// A login made only to collect a fresh session id (the entropy scenario).
    EntropySample,
    /// A login with a wrong password (the rate-limit scenario).
    RateLimitAttempt,
    /// A JWKS or OpenID configuration fetched to verify captured JWTs.
    KeyFetch,
    /// A forged token sent to the probe (the jwt-attacks scenario).
    ForgedToken,
}

/// A typed error with one serialized shape for every consumer: `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Exchange {
    /// 1-based sequence number within the run.
    pub id: u32,
    pub step: StepKind,
    pub purpose: Purpose,
    /// Human label: "login", "replay session #1 after logout"...
    pub label: String,
    pub started_at: Millis,
    pub duration_ms: f64,
    /// At least one hop when a request was sent; redirect hops in order, final one last.
    pub hops: Vec<Hop>,
    pub error: Option<ErrorInfo>,
}

impl Exchange {
    pub fn first_request(&self) -> Option<&RequestRecord> {
        self.hops.first().map(|h| &h.request)
    }
    pub fn final_response(&self) -> Option<&ResponseRecord> {
        self.hops.last().and_then(|h| h.response.as_ref())
    }
    pub fn final_status(&self) -> Option<u16> {
        self.final_response().map(|r| r.status)
    }
    /// All Set-Cookie lines across every hop, with the hop's request URL.
    pub fn set_cookie_lines(&self) -> impl Iterator<Item = (&str, &str)> {
        self.hops.iter().flat_map(|h| {
            let url = h.request.url.as_str();
            h.response
                .iter()
                .flat_map(move |r| r.set_cookies.iter().map(move |l| (url, l.as_str())))
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    /// A session identifier in a cookie (or anywhere) that authenticates requests.
    Session,
    /// The anonymous session id handed out before login (fixation checks compare against it).
    PreLoginSession,
    Access,
    Refresh,
    Id,
    Csrf,
    Other,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Session => "session",
            CredentialKind::PreLoginSession => "pre-login session",
            CredentialKind::Access => "access token",
            CredentialKind::Refresh => "refresh token",
            CredentialKind::Id => "ID token",
            CredentialKind::Csrf => "CSRF token",
            CredentialKind::Other => "credential",
        }
    }
    /// Kinds that authenticate a user: replayed after logout, and taken out of other credentials' replays.
    /// `other` (an API key, a custom header) counts: leaving it in would make every replay look accepted.
    pub fn authenticates(self) -> bool {
        matches!(
            self,
            CredentialKind::Other
                | CredentialKind::Session
                | CredentialKind::Access
                | CredentialKind::Refresh
                | CredentialKind::Id
        )
    }
}

/// Where a credential travelled from the server to us.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Carrier {
    /// A Set-Cookie header; `raw` is the full Set-Cookie line as received (a secret until redacted).
    Cookie { name: String, raw: String },
    /// A JSON body field at this pointer.
    JsonBody { pointer: String },
    /// A response header.
    Header { name: String },
    /// An HTML element (input value, meta content...).
    Html { selector: String },
    /// A regex over the body.
    Regex { pattern: String },
}

/// Where the declared expiry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum ExpirySource {
    JwtExp,
    CookieMaxAge,
    CookieExpires,
    ExpiresIn,
}

/// A JWT decoded for display only (never verified here). Built by `tokens::jwt::decode`, which never
/// fails on hostile input: what cannot be decoded is described in `problems`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DecodedJwt {
    pub header: Option<serde_json::Value>,
    pub claims: Option<serde_json::Value>,
    /// Length of the signature segment in bytes after base64url decoding (0 when absent).
    pub signature_len: usize,
    pub alg: Option<String>,
    pub typ: Option<String>,
    pub kid: Option<String>,
    pub iat: Option<i64>,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
    /// Human-readable notes on anything malformed: bad base64 in segment 2, not JSON, 1 MB segment...
    pub problems: Vec<String>,
}

/// Cookie attributes as parsed from the raw header, plus what a browser would do with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CookieInfo {
    pub name: String,
    pub value_len: usize,
    pub domain: Option<String>,
    pub path: Option<String>,
    pub secure: bool,
    pub http_only: bool,
    /// "Strict" | "Lax" | "None" | other text as sent; None when absent.
    pub same_site: Option<String>,
    pub max_age: Option<i64>,
    /// Expires attribute as Unix seconds, when it parsed.
    pub expires: Option<i64>,
    pub partitioned: bool,
    /// False when the header carries Max-Age=0 / Expires in the past (a deletion).
    pub is_deletion: bool,
    pub verdict: CookieVerdict,
}

/// What a browser following RFC 6265bis would do with a Set-Cookie line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CookieVerdict {
    /// Whether the browser stores the cookie at all.
    pub stored: bool,
    /// Why not, or which attributes it ignored/capped (e.g. "lifetime capped to 400 days").
    pub notes: Vec<String>,
    /// Effective expiry after the 400-day cap, Unix ms (None = session cookie).
    pub effective_expiry: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Credential {
    /// 1-based within the run.
    pub id: u32,
    /// The profile variable that holds it ("access", "refresh", "session").
    pub name: String,
    pub kind: CredentialKind,
    /// 1 for the first value of this name, 2 after the first rotation...
    pub generation: u32,
    /// "access #2"
    pub label: String,
    /// The full value: a secret. Redacted by `redact` before storage or export.
    pub value: String,
    /// sha256 of the value, first 12 hex digits: correlates values without revealing them.
    pub fingerprint: String,
    pub carrier: Carrier,
    pub issued_at: Millis,
    /// The exchange whose response carried it.
    pub issued_by: u32,
    /// The step that issued it (login, refresh, prefetch).
    pub issued_in: StepKind,
    /// The scenario whose login issued it ("lifecycle", "rotation"): each scenario logs in afresh.
    pub scenario: String,
    pub declared_expiry: Option<Millis>,
    pub expiry_source: Option<ExpirySource>,
    pub jwt: Option<DecodedJwt>,
    pub cookie: Option<CookieInfo>,
    /// The JWT's signature and claims checked against the profile's keys (`[jwt]`); None when no key was
    /// configured or the value is not a JWT.
    #[serde(default)]
    pub verification: Option<JwtVerification>,
}

/// A captured JWT checked against the keys the user configured. Keys the token names itself (`jwk`, `jku`,
/// `x5u`, a `kid` path) are never used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct JwtVerification {
    pub signature: SignatureVerdict,
    /// The header's alg as sent.
    pub alg: Option<String>,
    /// The key that verified it (or the one tried): its kid, or a description when it has none.
    pub key: Option<String>,
    /// Where that key came from: "secret from $LAB_JWT_SECRET", "JWKS https://…/jwks.json".
    pub key_source: Option<String>,
    /// One line on the signature verdict.
    pub detail: String,
    /// exp, nbf, aud, iss, typ: each judged at the time the token was captured.
    pub claims: Vec<ClaimCheck>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum SignatureVerdict {
    Verified,
    /// A key of the right kind was found and the signature does not match it.
    Invalid,
    /// No configured key fits the token's alg (and kid).
    NoKey,
    /// An alg the verifier does not implement (ES512, HS1, a typo): reported, not guessed at.
    UnsupportedAlg,
    /// `alg: none` (any case): there is no signature to verify.
    Unsigned,
    /// Not a verifiable compact JWS: a JWE, bad base64, a header without alg.
    Malformed,
}

impl SignatureVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureVerdict::Verified => "verified",
            SignatureVerdict::Invalid => "invalid",
            SignatureVerdict::NoKey => "no-key",
            SignatureVerdict::UnsupportedAlg => "unsupported-alg",
            SignatureVerdict::Unsigned => "unsigned",
            SignatureVerdict::Malformed => "malformed",
        }
    }
}

/// One registered claim (or the typ header) judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ClaimCheck {
    /// "exp", "nbf", "aud", "iss", "typ".
    pub claim: String,
    pub status: Status,
    pub detail: String,
}

/// The keys a run verified JWTs with, per source, as loaded or fetched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct KeySourceInfo {
    /// "secret from $LAB_JWT_SECRET", "PEM keys/server.pem", "JWKS https://…", "OIDC issuer https://…".
    pub label: String,
    /// "secret", "pem", "jwks-file", "jwks-url", "oidc".
    pub kind: String,
    /// Key ids loaded (a key without kid is listed by its type: "RSA key without kid").
    pub kids: Vec<String>,
    /// Why the source gave no keys (unreadable file, fetch failed, bad JSON), or keys it skipped.
    pub problems: Vec<String>,
    /// JWKS/OIDC: when the key set was fetched, and whether it came from the cache.
    pub fetched_at: Option<Millis>,
    pub from_cache: bool,
    /// JWKS/OIDC: key ids that appeared or disappeared since the previous fetch (key rotation).
    pub rotation: Option<KeyRotation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct KeyRotation {
    pub previous_fetch: Millis,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Accepted,
    Rejected,
    /// Neither: a 5xx, an error, a status the profile did not classify.
    Inconclusive,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::Rejected => "rejected",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// The target's answer to one credential at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Observation {
    pub credential_id: u32,
    pub at: Millis,
    pub exchange_id: u32,
    pub verdict: Verdict,
    pub purpose: Purpose,
    /// The last flow event before it ("login", "refresh", "logout").
    pub after_event: Option<FlowEventKind>,
    pub status: Option<u16>,
    /// Which replica answered, 1-based into `Run::targets`, when the replicas scenario asked a given one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub replica: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum FlowEventKind {
    Login,
    Refresh,
    Logout,
}

/// A vertical line on the timeline: the moment a flow step completed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FlowEvent {
    pub kind: FlowEventKind,
    pub at: Millis,
    pub exchange_id: u32,
    /// Which scenario ("lifecycle", "rotation") it belongs to; each scenario logs in afresh.
    pub scenario: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Info,
    NotTested,
    Warn,
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Info => "info",
            Status::NotTested => "not-tested",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
    /// A problem was found (what `--fail-on` counts).
    pub fn is_problem(self) -> bool {
        matches!(self, Status::Warn | Status::Fail)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            other => {
                return Err(format!(
                    "unknown severity `{other}` (expected info, low, medium, high or critical)"
                ));
            }
        })
    }
}

/// Where the proof of a finding is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Evidence {
    pub exchange_id: Option<u32>,
    pub credential_id: Option<u32>,
    /// "response header Set-Cookie", "claim exp", "request URL query"...
    pub location: String,
    /// What was seen there (already free of secrets: use fingerprints/labels, never raw values).
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Finding {
    /// Id from the catalogue (checks.md): "cookie.httponly".
    pub check_id: String,
    pub title: String,
    pub status: Status,
    /// Severity of the problem when status is warn/fail; the catalogue's nominal severity otherwise.
    pub severity: Severity,
    /// One line: why this status.
    pub summary: String,
    /// Plain-language explanation of why it matters.
    pub explanation: String,
    pub evidence: Vec<Evidence>,
    pub references: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    Running,
    Completed,
    Failed,
    Cancelled,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }
}

/// A whole recorded run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Run {
    /// UUID v7 (sortable by time).
    pub id: String,
    pub profile_name: String,
    /// The profile's base URL(s).
    pub targets: Vec<String>,
    pub scenarios: Vec<String>,
    pub started_at: Millis,
    pub finished_at: Option<Millis>,
    pub status: RunStatus,
    pub error: Option<ErrorInfo>,
    pub exchanges: Vec<Exchange>,
    pub credentials: Vec<Credential>,
    pub observations: Vec<Observation>,
    pub events: Vec<FlowEvent>,
    pub findings: Vec<Finding>,
    /// One verdict per scenario × credential (or replica) for the scenarios that measure something:
    /// expiry, latency, idle, replicas, entropy, rate-limit. Checks and reports read them.
    #[serde(default)]
    pub results: Vec<ScenarioResult>,
    /// The keys captured JWTs were verified with (the profile's `[jwt]` section); empty without one.
    #[serde(default)]
    pub jwt_keys: Vec<KeySourceInfo>,
    /// True when the user asked for full secrets in storage/exports (`--reveal`).
    pub revealed: bool,
}

/// What one measuring scenario concluded about one credential, replica or id sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ScenarioResult {
    /// "expiry", "latency", "idle", "replicas", "entropy", "rate-limit".
    pub scenario: String,
    /// The credential judged, when the result is about one.
    pub credential_id: Option<u32>,
    /// What was judged, for reports: "access #1", "replica 2 · session #1", "session ids (__Host-sid)".
    pub subject: String,
    /// 1-based into `Run::targets` (replicas scenario).
    pub replica: Option<u32>,
    pub status: Status,
    /// The problem's severity when warn/fail, else the check's nominal one.
    pub severity: Severity,
    /// One line: what was measured and why this status. Free of secrets.
    pub summary: String,
    /// The catalogue check this result feeds ("jwt.expiry-enforced"), if any.
    pub check_id: Option<String>,
    pub measurement: Measurement,
}

/// The numbers behind a [`ScenarioResult`]. Times are Unix ms, durations ms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Measurement {
    /// Replayed once the declared expiry plus the skew had passed.
    Expiry {
        declared_expiry: Millis,
        skew_ms: i64,
        /// None when the wait was not made (beyond the limit, cancelled).
        replayed_at: Option<Millis>,
        exchange_id: Option<u32>,
        verdict: Option<Verdict>,
    },
    /// Polled after logout until rejected. The credential died somewhere in
    /// (`last_accepted_at`, `first_rejected_at`]: `latency_ms` is that interval's midpoint after the logout,
    /// `resolution_ms` its width.
    Latency {
        logout_at: Millis,
        last_accepted_at: Option<Millis>,
        first_rejected_at: Option<Millis>,
        latency_ms: Option<f64>,
        resolution_ms: Option<f64>,
        polls: u32,
        deadline_ms: i64,
    },
    /// Probes after growing idle gaps: still accepted after `longest_accepted_gap_ms`, rejected after
    /// `first_rejected_gap_ms`.
    Idle {
        longest_accepted_gap_ms: Option<i64>,
        first_rejected_gap_ms: Option<i64>,
        probes: u32,
        max_gap_ms: i64,
    },
    /// After logout on replica `logout_replica`: the verdict there and on this replica.
    Replica {
        target: String,
        logout_replica: u32,
        reference: Verdict,
        verdict: Verdict,
        exchange_id: Option<u32>,
    },
    /// Fresh ids collected through repeated logins.
    Entropy {
        samples: u32,
        estimate: Option<crate::entropy::EntropyEstimate>,
        /// Why no estimate was made (structured tokens, too few samples).
        skipped: Option<String>,
    },
    /// Logins with wrong passwords.
    RateLimit {
        attempts: u32,
        /// 1-based attempt that was first refused with 429 (or a lockout), if any.
        limited_at: Option<u32>,
        retry_after: Option<String>,
        /// The right password tried afterwards: refused (a lockout) or not; None when not tried.
        locked_out: Option<bool>,
        statuses: Vec<u16>,
    },
    /// One forged token sent to the probe in place of a captured JWT.
    Forgery {
        /// "tampered-payload", "alg-none", "key-confusion"...
        attack: String,
        /// What exactly was forged: "alg \"nOnE\"", "public key as PEM with final newline".
        variant: String,
        /// The forged token, redacted unless the run reveals secrets.
        token: String,
        verdict: Verdict,
        http_status: Option<u16>,
        exchange_id: Option<u32>,
    },
    /// The offline audit of an HS256/384/512 token's secret against wordlists.
    WeakSecret {
        alg: String,
        /// "found", "not-found", "timed-out", "cancelled", or "error".
        outcome: String,
        tried: u64,
        elapsed_ms: u64,
        per_sec: f64,
        /// The lists searched: "built-in list", wordlist file names.
        sources: Vec<String>,
        /// Where the secret was found, and its 1-based line there.
        found_in: Option<String>,
        line: Option<u64>,
        /// The secret found, shortened unless the run reveals secrets.
        secret: Option<String>,
    },
}

impl Run {
    pub fn exchange(&self, id: u32) -> Option<&Exchange> {
        self.exchanges.iter().find(|e| e.id == id)
    }
    pub fn credential(&self, id: u32) -> Option<&Credential> {
        self.credentials.iter().find(|c| c.id == id)
    }
    pub fn observations_of(&self, credential_id: u32) -> impl Iterator<Item = &Observation> {
        self.observations
            .iter()
            .filter(move |o| o.credential_id == credential_id)
    }
    pub fn credentials_of(&self, kind: CredentialKind) -> impl Iterator<Item = &Credential> {
        self.credentials.iter().filter(move |c| c.kind == kind)
    }
    pub fn event(&self, kind: FlowEventKind, scenario: &str) -> Option<&FlowEvent> {
        self.events
            .iter()
            .find(|e| e.kind == kind && e.scenario == scenario)
    }
}
