//! Command-line interface.

use std::path::PathBuf;

use authlens_core::model::Severity;
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "authlens",
    version,
    about = "Inspect auth flows: run login, refresh and logout against a target, \
capture every credential, prove revocation, and get a security checklist."
)]
pub struct Cli {
    /// More logging on stderr (-v, -vv). Secrets are never logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the bundled lab on loopback and run the full lifecycle against each of its modes.
    Demo(DemoArgs),
    /// Run a target profile (TOML) and report what it found.
    Run(RunArgs),
    /// Start the bundled lab target server on 127.0.0.1 until Ctrl-C.
    Lab(LabArgs),
    /// Decode a JWT (or describe an opaque token) for display. Nothing is verified.
    Decode(DecodeArgs),
    /// Past runs from the history database.
    History(HistoryArgs),
    /// Audit an HS256/HS384/HS512 JWT's secret offline: the blank secret, a built-in list of common JWT
    /// secrets, then your wordlists. Exit 1 when the secret is found, 0 when not (or timed out).
    WeakSecret(WeakSecretArgs),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Junit,
    Sarif,
}

#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// Report format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Write the report to a file instead of stdout.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Exit with 1 when a warn/fail finding at or above this severity is found (info, low, medium, high,
    /// critical, or `none` to never fail on findings).
    #[arg(long, default_value = "high", value_parser = parse_fail_on)]
    pub fail_on: FailOn,
    /// History database (default: the user's data dir).
    #[arg(long, env = "AUTHLENS_DB")]
    pub db: Option<PathBuf>,
    /// Do not record the run in the history database.
    #[arg(long)]
    pub no_store: bool,
    /// Keep full tokens and session ids in the history and the report (never the password).
    #[arg(long)]
    pub reveal: bool,
    /// Show every exchange's headers in the text report.
    #[arg(long)]
    pub details: bool,
}

/// The `--fail-on` threshold; `None` never fails on findings.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FailOn(pub Option<Severity>);

fn parse_fail_on(s: &str) -> Result<FailOn, String> {
    if s.eq_ignore_ascii_case("none") {
        Ok(FailOn(None))
    } else {
        s.parse().map(|sev| FailOn(Some(sev)))
    }
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Lab modes to run (default: all three).
    #[arg(long = "mode", value_parser = parse_mode)]
    pub modes: Vec<authlens_lab::Mode>,
    /// Flaw switches to turn on in the lab (each applies to the modes it fits).
    #[arg(long = "flaw", value_parser = parse_flaw)]
    pub flaws: Vec<authlens_lab::Flaw>,
    /// Scenarios to run, as for `authlens run` (default: lifecycle,rotation; `all` for every one).
    #[arg(long, value_delimiter = ',', value_parser = parse_scenarios)]
    pub scenario: Vec<Vec<authlens_core::flow::Scenario>>,
    /// Lab instances on consecutive ports (default 1; 3 when the replicas scenario or per-replica-store
    /// needs several).
    #[arg(long)]
    pub replicas: Option<u16>,
    /// The replicas' shared store: sqlite (a temp file) or redis (a redis-server the lab starts).
    #[arg(long)]
    pub store: Option<String>,
    /// Teaching lifetimes (access 10 s, refresh 60 s, session 20 s, idle 6 s); on by default with the
    /// expiry or idle scenario. `--short-lifetimes false` keeps the lab's real defaults.
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub short_lifetimes: Option<bool>,
    /// How the lab signs access JWTs: hs256, rs256, es256 or eddsa.
    #[arg(long, default_value = "hs256", value_parser = parse_signing)]
    pub signing: authlens_lab::Signing,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The target profile (TOML).
    pub profile: PathBuf,
    /// Scenarios to run, comma-separated: lifecycle, rotation, replicas, latency, expiry, idle, entropy,
    /// rate-limit, or `all` (default: lifecycle,rotation). expiry and idle wait; entropy logs in many
    /// times; rate-limit tries wrong passwords and may lock the test account.
    #[arg(long, value_delimiter = ',', value_parser = parse_scenarios)]
    pub scenario: Vec<Vec<authlens_core::flow::Scenario>>,
    /// Another base URL of the same service, for the replicas scenario (repeatable; replaces the
    /// profile's `replicas`).
    #[arg(long = "replica")]
    pub replicas: Vec<url::Url>,
    /// expiry: replay this many seconds after each declared expiry (default 5, or the profile's).
    #[arg(long)]
    pub expiry_skew: Option<u64>,
    /// expiry: do not wait for credentials expiring later than this many seconds from now.
    #[arg(long)]
    pub max_wait: Option<u64>,
    /// latency: stop polling this many seconds after logout.
    #[arg(long)]
    pub latency_deadline: Option<u64>,
    /// idle: the longest idle gap tried, in seconds.
    #[arg(long)]
    pub idle_max: Option<u64>,
    /// entropy: how many fresh session ids to collect.
    #[arg(long)]
    pub entropy_samples: Option<u32>,
    /// rate-limit: at most this many wrong passwords.
    #[arg(long)]
    pub rate_limit_attempts: Option<u32>,
    /// Override the profile's base_url (e.g. the same app on another port).
    #[arg(long)]
    pub base_url: Option<url::Url>,
    /// The plain-http URL of that server, for the redirect-to-https probe. Without it, --base-url turns
    /// the probe off (the profile's http_base_url would point at the original server).
    #[arg(long)]
    pub http_base_url: Option<url::Url>,
    /// Ask for the HMAC secret to verify captured JWTs with (else the profile's [jwt] secret_env is read).
    #[arg(long)]
    pub jwt_secret_prompt: bool,
    /// A wordlist for the weak-secret audit of HS256/384/512 tokens, besides the built-in list (repeatable).
    #[arg(long = "wordlist")]
    pub wordlists: Vec<PathBuf>,
    /// Fetch JWKS documents even when the cached copy is fresh.
    #[arg(long)]
    pub no_jwks_cache: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Args, Debug)]
pub struct LabArgs {
    /// session, jwt or hybrid.
    #[arg(long, default_value = "session", value_parser = parse_mode)]
    pub mode: authlens_lab::Mode,
    /// Turn on a flaw switch (repeatable). `authlens lab --list-flaws` lists them.
    #[arg(long = "flaw", value_parser = parse_flaw)]
    pub flaws: Vec<authlens_lab::Flaw>,
    /// List the flaw switches and exit.
    #[arg(long)]
    pub list_flaws: bool,
    /// HTTPS port on 127.0.0.1.
    #[arg(long, default_value_t = 8443)]
    pub port: u16,
    /// Plain-HTTP port (it redirects to https); 0 turns it off.
    #[arg(long, default_value_t = 8080)]
    pub http_port: u16,
    /// Access-token lifetime in seconds.
    #[arg(long)]
    pub access_ttl: Option<u64>,
    /// Refresh-token family lifetime in seconds.
    #[arg(long)]
    pub refresh_ttl: Option<u64>,
    /// Session lifetime in seconds.
    #[arg(long)]
    pub session_ttl: Option<u64>,
    /// Session idle timeout in seconds (session mode; off with the no-idle-timeout flaw).
    #[arg(long)]
    pub idle_ttl: Option<u64>,
    /// Instances to run on consecutive ports (--port, --port+1, …), sharing one store.
    #[arg(long, default_value_t = 1)]
    pub replicas: u16,
    /// Where sessions and refresh tokens live: memory (a shared SQLite temp file when
    /// --replicas > 1), sqlite or redis (spawns redis-server unless --redis-url).
    /// Default: implied by --sqlite-path / --redis-url, else memory.
    #[arg(long, value_parser = ["memory", "sqlite", "redis"])]
    pub store: Option<String>,
    /// SQLite file for --store sqlite (default: a temp file removed at exit).
    #[arg(long, conflicts_with = "redis_url")]
    pub sqlite_path: Option<PathBuf>,
    /// An existing Redis for --store redis: redis://127.0.0.1:PORT or redis://localhost:PORT.
    #[arg(long)]
    pub redis_url: Option<String>,
    /// How late revocations take effect with the slow-revocation flaw, in ms.
    #[arg(long, default_value_t = 3000)]
    pub revocation_delay_ms: u64,
    /// How long an account stays locked after 5 failed logins, in seconds.
    #[arg(long, default_value_t = 30)]
    pub lockout_secs: u64,
    /// How access JWTs are signed: hs256, rs256, es256 or eddsa (keys are generated at start).
    #[arg(long, default_value = "hs256", value_parser = parse_signing)]
    pub signing: authlens_lab::Signing,
    /// The HS256 secret (hs256 only; default: 32 random bytes per run, never printed).
    #[arg(long, env = "AUTHLENS_LAB_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Rotate the signing key every N seconds (the previous key keeps verifying).
    #[arg(long)]
    pub key_rotation_secs: Option<u64>,
}

#[derive(Args, Debug)]
pub struct DecodeArgs {
    /// The token; `-` reads it from stdin (keeps it out of shell history).
    pub token: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct WeakSecretArgs {
    /// The token; `-` reads it from stdin (keeps it out of shell history).
    pub token: String,
    /// A wordlist, one candidate per line (repeatable; tried in order after the built-in list;
    /// /dev/stdin reads a stream).
    #[arg(long = "wordlist", short = 'w', value_name = "FILE")]
    pub wordlists: Vec<PathBuf>,
    /// Skip the built-in list of common JWT secrets (the blank secret is still tried).
    #[arg(long)]
    pub no_builtin: bool,
    /// Give up after this long, e.g. 60s or 5m.
    #[arg(long, value_parser = humantime::parse_duration)]
    pub time_limit: Option<std::time::Duration>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Print the secret in full (default: its first characters and its length).
    #[arg(long)]
    pub reveal: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct HistoryArgs {
    #[command(subcommand)]
    pub action: Option<HistoryAction>,
    /// History database (default: the user's data dir).
    #[arg(long, env = "AUTHLENS_DB", global = true)]
    pub db: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum HistoryAction {
    /// List recent runs (default).
    List {
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Show one run (an id or a unique prefix of it).
    Show {
        id: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
}

/// The `--scenario` lists (each may say `all`) as one run order; none given: the default set.
pub fn picked_scenarios(
    lists: &[Vec<authlens_core::flow::Scenario>],
) -> Vec<authlens_core::flow::Scenario> {
    let mut out: Vec<_> = lists.iter().flatten().copied().collect();
    if out.is_empty() {
        return authlens_core::flow::Scenario::DEFAULT.to_vec();
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn parse_scenarios(s: &str) -> Result<Vec<authlens_core::flow::Scenario>, String> {
    authlens_core::flow::Scenario::parse_list(s)
}

fn parse_mode(s: &str) -> Result<authlens_lab::Mode, String> {
    s.parse().map_err(|e| format!("{e}"))
}

fn parse_flaw(s: &str) -> Result<authlens_lab::Flaw, String> {
    s.parse().map_err(|e| format!("{e}"))
}

fn parse_signing(s: &str) -> Result<authlens_lab::Signing, String> {
    s.parse().map_err(|e| format!("{e}"))
}
