//! `jwt.weak-secret`: an offline audit of an HS256/HS384/HS512 JWT's secret against the blank secret, a
//! built-in list of well-known weak JWT secrets and any wordlists the user gives.
//!
//! Nothing goes over the network: the token's own signature is the oracle. The blank secret is always tried
//! first, then the built-in list (`common.txt`, one secret per line, no comments: a secret may start with
//! `#`), then each wordlist in order. Wordlist lines lose their trailing `\n` or `\r\n` and nothing else;
//! lines are raw bytes, so non-UTF-8 candidates are tried too. Wordlists are streamed in ~64 KiB batches of
//! whole lines to one worker per core; see [`engine`] for the per-candidate work (a few SHA-2 compressions,
//! no allocation) and `lanes` for HS256 on x86-64 with SHA-NI in optimised builds (four candidates
//! interleaved, the signing input's schedule precomputed). Every worker stops within one batch of a find, a
//! cancel or the time limit.

mod engine;
#[cfg(target_arch = "x86_64")]
mod lanes;
mod search;
mod token;

use std::io::{BufRead, Read};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use token::MAX_TOKEN_LEN;

/// The built-in list: well-known weak JWT secrets (library READMEs, framework defaults, tutorials, jwt.io).
pub const BUILTIN_LIST: &str = include_str!("common.txt");
/// Source name of the built-in list.
pub const BUILTIN_SOURCE: &str = "built-in list";
/// Source name of the blank (empty) secret, tried before anything else.
pub const BLANK_SOURCE: &str = "blank secret";
/// A wordlist line longer than this is refused as not a wordlist (e.g. `/dev/zero`).
pub const MAX_LINE_LEN: usize = 16 * 1024 * 1024;

/// What to try and for how long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditOptions {
    /// Wordlist files, tried in order after the blank secret and the built-in list.
    #[cfg_attr(feature = "ts", ts(as = "Vec<String>"))]
    pub wordlists: Vec<PathBuf>,
    /// Try the built-in list.
    pub builtin: bool,
    /// Stop after this long (serialized as whole milliseconds).
    #[serde(default, with = "duration_ms", rename = "time_limit_ms")]
    #[cfg_attr(feature = "ts", ts(as = "Option<u64>"))]
    pub time_limit: Option<Duration>,
    /// Worker threads; 0 = one per core.
    pub threads: usize,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            wordlists: Vec::new(),
            builtin: true,
            time_limit: None,
            threads: 0,
        }
    }
}

/// Where an audit is; reported every ~125 ms while wordlists are read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditProgress {
    /// Candidates tried so far (the blank secret and the built-in list included).
    pub tried: u64,
    pub elapsed_ms: u64,
    /// Candidates per second since the start.
    pub per_sec: f64,
    /// The source being read: [`BUILTIN_SOURCE`] or a wordlist's name.
    pub source: String,
    /// Wordlist bytes fully tried so far, all wordlists together.
    pub bytes_done: u64,
    /// The wordlists' total size, when every one has a known size (regular files).
    pub bytes_total: Option<u64>,
}

/// The secret, where it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FoundSecret {
    /// The secret as text (invalid UTF-8 replaced by U+FFFD). A secret: redact before showing or storing.
    pub secret: String,
    /// The secret's length in bytes.
    pub secret_len: usize,
    /// [`BLANK_SOURCE`], [`BUILTIN_SOURCE`] or the wordlist's name.
    pub source: String,
    /// 1-based line within its source (1 for the blank secret).
    pub line: u64,
}

impl FoundSecret {
    /// The secret for display without revealing it: at most 2 characters and never more than half of it,
    /// then `…`.
    pub fn shortened(&self) -> String {
        let chars = self.secret.chars().count();
        let shown: String = self.secret.chars().take((chars / 2).min(2)).collect();
        format!("{shown}…")
    }
}

/// How an audit ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum AuditOutcome {
    /// The token's HMAC secret is one of the candidates.
    Found(FoundSecret),
    /// Every candidate was tried; none signs the token.
    NotFound,
    /// The time limit passed first.
    TimedOut,
    /// The cancel flag was set first.
    Cancelled,
}

/// The result of [`audit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditReport {
    /// "HS256", "HS384" or "HS512".
    pub alg: String,
    pub outcome: AuditOutcome,
    /// Candidates tried.
    pub tried: u64,
    pub elapsed_ms: u64,
    /// Candidates per second over the whole audit.
    pub per_sec: f64,
    /// The sources, in the order they were (or would have been) tried.
    pub sources: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum WeakSecretError {
    #[error("not a JWT: {0}")]
    NotAJwt(String),
    #[error("{alg} is not an HMAC algorithm: there is no shared secret to guess")]
    NotHmac { alg: String },
    #[error("the signature is {got} bytes, but {alg} signatures are {expected} bytes")]
    SignatureLength {
        alg: String,
        got: usize,
        expected: usize,
    },
    #[error("cannot read the wordlist {path}: {source}")]
    Wordlist {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "wordlist {path} line {line} is over {} MiB: not a wordlist?",
        MAX_LINE_LEN / (1024 * 1024)
    )]
    LineTooLong { path: PathBuf, line: u64 },
}

impl WeakSecretError {
    /// A stable dotted id, as the other core errors have.
    pub fn code(&self) -> &'static str {
        match self {
            WeakSecretError::NotAJwt(_) => "weak-secret.not-a-jwt",
            WeakSecretError::NotHmac { .. } => "weak-secret.not-hmac",
            WeakSecretError::SignatureLength { .. } => "weak-secret.signature-length",
            WeakSecretError::Wordlist { .. } => "weak-secret.wordlist",
            WeakSecretError::LineTooLong { .. } => "weak-secret.line-too-long",
        }
    }
}

/// Audit `token`'s secret: the blank secret, the built-in list (when `opts.builtin`), then `opts.wordlists`.
///
/// Every wordlist is opened before the search starts, so an unreadable path fails at once. `progress` is
/// called from a helper thread every ~125 ms while wordlists are read. Setting `cancel` stops the audit
/// within a few milliseconds with [`AuditOutcome::Cancelled`].
pub fn audit(
    token: &str,
    opts: &AuditOptions,
    cancel: &AtomicBool,
    progress: &(dyn Fn(&AuditProgress) + Sync),
) -> Result<AuditReport, WeakSecretError> {
    let target = token::parse(token)?;
    let mut sources = Vec::with_capacity(opts.wordlists.len());
    for path in &opts.wordlists {
        let open_error = |source| WeakSecretError::Wordlist {
            path: path.clone(),
            source,
        };
        let file = std::fs::File::open(path).map_err(open_error)?;
        let meta = file.metadata().map_err(open_error)?;
        if meta.is_dir() {
            return Err(open_error(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "is a directory",
            )));
        }
        sources.push(search::Source {
            name: path.display().to_string(),
            path: path.clone(),
            size: meta.is_file().then_some(meta.len()),
            reader: Box::new(file) as Box<dyn Read + Send>,
        });
    }
    search::run(&target, opts, sources, cancel, progress)
}

/// [`audit`] with one stream in place of `opts.wordlists` (read to its end, or until found, cancelled or
/// timed out): the blank secret, the built-in list when `opts.builtin`, then `reader`'s lines.
pub fn audit_reader<R: BufRead + Send>(
    token: &str,
    reader: R,
    source_name: &str,
    opts: &AuditOptions,
    cancel: &AtomicBool,
    progress: &(dyn Fn(&AuditProgress) + Sync),
) -> Result<AuditReport, WeakSecretError> {
    let target = token::parse(token)?;
    let source = search::Source {
        name: source_name.to_string(),
        path: PathBuf::from(source_name),
        size: None,
        reader: Box::new(reader),
    };
    search::run(&target, opts, vec![source], cancel, progress)
}

/// The blank secret and the built-in list only, synchronously (well under 10 ms in a release build). None
/// when neither signs the token, and when the token is not an HMAC JWT at all.
pub fn audit_builtin(token: &str) -> Option<FoundSecret> {
    let target = token::parse(token).ok()?;
    search::try_fixed(&target, true).1
}

/// Serde for `Option<Duration>` as whole milliseconds (the UI's unit).
mod duration_ms {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_millis))
    }
}

#[cfg(test)]
mod tests;
