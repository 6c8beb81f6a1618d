//! What the commands take and return, beyond the core's own types. Every type here is exported to
//! `ui/src/lib/bindings` with ts-rs (feature `ts`); field names are the wire names (snake_case).

use authlens_core::cookies::jar::{self, JarStep};
use authlens_core::model::Run;
use authlens_core::profile::ProfileForm;
use authlens_core::timeline::{self, Timeline};
use serde::{Deserialize, Serialize};

/// `start_run`'s request.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RunRequest {
    /// Chosen by the UI (any unique string); `cancel_run` takes it. One run per id at a time.
    pub request_id: String,
    pub target: RunTarget,
    /// Scenario names (`lab_catalogue().scenarios`); empty = lifecycle and rotation.
    pub scenarios: Vec<String>,
    /// Waits, bounds and sample sizes of the measuring scenarios; null = the profile's `[scenarios]`.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub settings: Option<authlens_core::flow::ScenarioSettings>,
    /// Keep full token and session values in the returned run and the history (never the password).
    pub reveal: bool,
    /// An HMAC secret to verify the run's JWTs with (else the profile's `[jwt] secret_env`); never stored.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub jwt_secret: Option<String>,
}

/// What to run against.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunTarget {
    /// The bundled lab, started in-process on ephemeral 127.0.0.1 ports for this run only, with the
    /// bundled profile for `mode` ("session" | "jwt" | "hybrid") and these flaw switches (names from
    /// `lab_catalogue`; each must apply to the mode).
    Lab {
        mode: String,
        flaws: Vec<String>,
        /// Instances on consecutive ports (1–5; the replicas scenario and `per-replica-store` use 3 when
        /// fewer are asked for).
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional))]
        replicas: Option<u16>,
        /// Their shared store: "sqlite" (default) or "redis" (a redis-server the lab starts).
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional))]
        store: Option<String>,
        /// Teaching lifetimes so the waiting scenarios finish in seconds: access 10 s, refresh 60 s,
        /// session 20 s, idle timeout 6 s, revocation delay (slow-revocation) 3 s.
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional))]
        short_lifetimes: Option<bool>,
        /// How the lab signs access JWTs: "hs256" (default), "rs256", "es256", "eddsa" (`lab_catalogue`).
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional))]
        signing: Option<String>,
    },
    /// A profile's TOML and the password to log in with (used for this run only: never logged, never in the
    /// history). `null`: the password kept in the OS keychain for the profile's account (`password_status`).
    Profile {
        toml: String,
        password: Option<String>,
    },
}

impl std::fmt::Debug for RunTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunTarget::Lab {
                mode,
                flaws,
                replicas,
                store,
                short_lifetimes,
                signing,
            } => f
                .debug_struct("Lab")
                .field("mode", mode)
                .field("flaws", flaws)
                .field("replicas", replicas)
                .field("store", store)
                .field("short_lifetimes", short_lifetimes)
                .field("signing", signing)
                .finish(),
            RunTarget::Profile { toml, password } => f
                .debug_struct("Profile")
                .field("toml_bytes", &toml.len())
                .field(
                    "password",
                    &if password.is_some() {
                        "‹hidden›"
                    } else {
                        "‹OS keychain›"
                    },
                )
                .finish(),
        }
    }
}

impl std::fmt::Debug for RunRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunRequest")
            .field("request_id", &self.request_id)
            .field("target", &self.target)
            .field("scenarios", &self.scenarios)
            .field("settings", &self.settings)
            .field("reveal", &self.reveal)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "‹set›"))
            .finish()
    }
}

/// `audit_weak_secret`'s request: an HMAC JWT's secret guessed offline, on this machine.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AuditRequest {
    /// Chosen by the UI (any unique string); `cancel_audit` takes it. One audit per id at a time.
    pub audit_id: String,
    /// The HS256/384/512 JWT whose secret is audited (used for this audit only: never logged or stored).
    pub token: String,
    /// Wordlist files, one candidate per line, tried in order after the blank secret and the built-in list.
    pub wordlists: Vec<String>,
    /// Try the built-in list of well-known JWT secrets.
    pub builtin: bool,
    /// Stop after this many seconds; null or 0 = no limit.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub time_limit_secs: Option<u64>,
}

impl std::fmt::Debug for AuditRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditRequest")
            .field("audit_id", &self.audit_id)
            .field("token_bytes", &self.token.len())
            .field("wordlists", &self.wordlists)
            .field("builtin", &self.builtin)
            .field("time_limit_secs", &self.time_limit_secs)
            .finish()
    }
}

/// A run as the UI shows it: the (redacted) record, its timeline and the cookie jar after each exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RunView {
    pub run: Run,
    pub timeline: Timeline,
    /// One entry per exchange, in order (the Cookies view's step picker).
    pub jars: Vec<JarStep>,
}

impl RunView {
    /// The view of a run that is already redacted: the jars show values as redacted as the run's.
    pub fn of(run: Run) -> RunView {
        let timeline = timeline::build(&run);
        let jars = jar::jar_steps(&run);
        RunView {
            run,
            timeline,
            jars,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub db_path: String,
}

/// A name with one line of description (a lab mode).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct NamedDoc {
    pub name: String,
    pub description: String,
}

/// One lab flaw switch and the modes it has an effect in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FlawDoc {
    pub name: String,
    pub description: String,
    pub modes: Vec<String>,
}

/// A lab demo account (its password is not part of the catalogue; lab runs log in as the first user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct LabUser {
    pub username: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct LabCatalogue {
    pub modes: Vec<NamedDoc>,
    pub flaws: Vec<FlawDoc>,
    pub users: Vec<LabUser>,
    /// Every scenario a run can pick, in run order.
    pub scenarios: Vec<ScenarioDoc>,
    /// How the lab can sign access JWTs (jwt and hybrid modes), the default first.
    pub signings: Vec<NamedDoc>,
    /// The scenario settings' defaults (what an empty `[scenarios]` table means).
    pub scenario_defaults: authlens_core::flow::ScenarioSettings,
}

/// A scenario for the run screen's picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ScenarioDoc {
    pub name: String,
    pub description: String,
    /// In the default set (lifecycle, rotation).
    pub default: bool,
    /// Opt-in: it waits long, logs in many times or may lock the test account.
    pub opt_in: bool,
    /// It waits (a countdown shows).
    pub waits: bool,
}

/// `profile_validate`'s answer: `ok` with the profile's name, or where it is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ProfileCheck {
    pub ok: bool,
    pub name: Option<String>,
    pub error: Option<ProfileErrorView>,
}

/// A profile error at a place in the TOML: 1-based line and column (0 when unknown), the key when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ProfileErrorView {
    pub line: u32,
    pub column: u32,
    pub key: Option<String>,
    pub message: String,
}

/// `profile_form_read`'s answer: the form, or why the text cannot be shown as one (a TOML syntax error, a
/// value of the wrong type) and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ProfileFormRead {
    pub form: Option<ProfileForm>,
    pub error: Option<ProfileErrorView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SavedProfile {
    pub name: String,
    pub toml: String,
}

/// The OS keychain for a profile's account (its username at its base URL's origin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PasswordStatus {
    /// Whom a stored password logs in as: "alice at https://api.example.test" (empty when the profile has
    /// no account a keychain can hold).
    pub account: String,
    /// A keychain answered. When false the UI asks for the password each run and shows `reason`.
    pub available: bool,
    pub stored: bool,
    /// Why no keychain can be used ("no OS keychain available: ...").
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_target_is_tagged_by_kind() {
        let lab: RunTarget = serde_json::from_value(
            serde_json::json!({"kind": "lab", "mode": "jwt", "flaws": ["long-lived"]}),
        )
        .unwrap();
        assert_eq!(
            lab,
            RunTarget::Lab {
                mode: "jwt".into(),
                flaws: vec!["long-lived".into()],
                replicas: None,
                store: None,
                short_lifetimes: None,
                signing: None,
            }
        );
        let profile = RunTarget::Profile {
            toml: "name = 'x'".into(),
            password: Some("hunter2".into()),
        };
        let json = serde_json::to_value(&profile).unwrap();
        assert_eq!(json["kind"], "profile");
        // Debug output (logs, panics) never shows the password.
        let request = RunRequest {
            request_id: "r1".into(),
            target: profile,
            scenarios: vec![],
            settings: None,
            reveal: false,
            jwt_secret: None,
        };
        assert!(!format!("{request:?}").contains("hunter2"));

        // No password: the run takes the one in the OS keychain.
        let keychain: RunTarget = serde_json::from_value(
            serde_json::json!({"kind": "profile", "toml": "name = 'x'", "password": null}),
        )
        .unwrap();
        assert!(matches!(
            keychain,
            RunTarget::Profile { password: None, .. }
        ));
    }
}

/// What the Run view shows first, handed to the page before it loads (an initialization script), so the first
/// view paints without waiting on a command: the lab catalogue and the saved profiles at start-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct BootData {
    pub lab: LabCatalogue,
    pub profiles: Vec<SavedProfile>,
}
