//! Passwords kept in the OS keychain: the Secret Service on Linux (GNOME Keyring, KWallet), the login
//! Keychain on macOS, Credential Manager on Windows, through the `keyring` crate. Profiles never hold a
//! password; this is the one place besides a prompt that can supply one.
//!
//! Entries live under the service [`SERVICE`], one per [`Account`]: the profile's username *at the origin of
//! its base URL*, not the profile's name. A password belongs to an account on a server: keyed by profile name,
//! editing a profile's `base_url` (or saving another profile under the same name) would silently send the
//! stored password to a different server. Keyed by origin and username it can only go where it was saved
//! for, and renaming a profile keeps it.
//!
//! Calls block (D-Bus round trips, maybe an unlock prompt): async callers run them on a blocking thread.
//! Where no keychain is reachable (a headless machine without a Secret Service daemon) every call returns
//! [`KeychainError::Unavailable`] and [`Keychain::status`] says why, so callers fall back to asking.

use std::fmt;

use crate::profile::Profile;

/// The keychain service every Authlens entry is filed under.
pub const SERVICE: &str = "dev.authlens.app";
/// Longest password stored (Windows keeps at most 2560 bytes of UTF-16 per credential).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Longest username in an account (Windows caps a credential's user name at 513 characters).
pub const MAX_USERNAME_CHARS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    /// No keychain could be reached at all (no Secret Service on the session bus, no session bus...).
    #[error("no OS keychain available: {0}")]
    Unavailable(String),
    /// A keychain is there but refused: locked, unlock prompt dismissed, access denied.
    #[error("the OS keychain is locked or refused access: {0}")]
    Locked(String),
    #[error("no password is stored in the OS keychain for {0}")]
    NotStored(String),
    /// The entry holds something that is not UTF-8 text (written by another program).
    #[error("the OS keychain entry for {0} does not hold a text password")]
    BadEntry(String),
    #[error("{0}")]
    Invalid(String),
    #[error("the OS keychain failed: {0}")]
    Failed(String),
}

impl KeychainError {
    /// Stable dotted id, as every core error has.
    pub fn code(&self) -> &'static str {
        match self {
            KeychainError::Unavailable(_) => "keychain.unavailable",
            KeychainError::Locked(_) => "keychain.locked",
            KeychainError::NotStored(_) => "keychain.not-stored",
            KeychainError::BadEntry(_) => "keychain.bad-entry",
            KeychainError::Invalid(_) => "keychain.invalid",
            KeychainError::Failed(_) => "keychain.failed",
        }
    }
}

/// Whom a stored password logs in as: `alice@example.test at https://api.example.test`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Account(String);

impl Account {
    /// The account for `username` at the origin (scheme, host, port) of `base_url`.
    pub fn new(base_url: &url::Url, username: &str) -> Result<Account, KeychainError> {
        let origin = base_url.origin();
        if !origin.is_tuple() {
            return Err(KeychainError::Invalid(format!(
                "a password can only be kept for an http(s) server, not `{}`",
                base_url.scheme()
            )));
        }
        let username = username.trim();
        if username.is_empty() {
            return Err(KeychainError::Invalid(
                "a password is kept per username: this profile has none".into(),
            ));
        }
        if username.chars().count() > MAX_USERNAME_CHARS || username.chars().any(char::is_control) {
            return Err(KeychainError::Invalid(format!(
                "a username kept in the keychain is at most {MAX_USERNAME_CHARS} characters, without \
                 control characters"
            )));
        }
        Ok(Account(format!(
            "{username} at {}",
            origin.ascii_serialization()
        )))
    }

    pub fn for_profile(profile: &Profile) -> Result<Account, KeychainError> {
        Account::new(&profile.base_url, &profile.username)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the keychain holds for an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Stored,
    NotStored,
    /// The keychain cannot be used (the error says why); callers ask for the password instead.
    Unavailable(KeychainError),
}

/// The keychain to use. [`Keychain::os`] is the platform's; tests may pick the kernel's session keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keychain {
    store: Store,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Store {
    Os,
    /// Linux keyutils session keyring: real, but gone at logout, so tests only.
    #[cfg(all(test, target_os = "linux"))]
    KernelSession,
}

impl Keychain {
    pub fn os() -> Keychain {
        Keychain { store: Store::Os }
    }

    #[cfg(all(test, target_os = "linux"))]
    fn kernel_session() -> Keychain {
        Keychain {
            store: Store::KernelSession,
        }
    }

    /// Store `password` for `account`, replacing any stored one.
    pub fn save(&self, account: &Account, password: &str) -> Result<(), KeychainError> {
        if password.is_empty() {
            return Err(KeychainError::Invalid(
                "an empty password is not kept".into(),
            ));
        }
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(KeychainError::Invalid(format!(
                "a password kept in the keychain is at most {MAX_PASSWORD_BYTES} bytes"
            )));
        }
        self.entry(account)?
            .set_password(password)
            .map_err(|e| map_error(e, account))
    }

    pub fn load(&self, account: &Account) -> Result<String, KeychainError> {
        self.entry(account)?
            .get_password()
            .map_err(|e| map_error(e, account))
    }

    /// Delete the stored password; `Ok(false)` when there was none.
    pub fn forget(&self, account: &Account) -> Result<bool, KeychainError> {
        match self.entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(e) => match map_error(e, account) {
                KeychainError::NotStored(_) => Ok(false),
                e => Err(e),
            },
        }
    }

    /// Whether a password is stored, without reading it where the store allows (Secret Service attributes).
    pub fn status(&self, account: &Account) -> Status {
        let found = self
            .entry(account)
            .and_then(|e| e.get_attributes().map_err(|e| map_error(e, account)));
        match found {
            Ok(_) => Status::Stored,
            Err(KeychainError::NotStored(_)) => Status::NotStored,
            Err(e) => Status::Unavailable(e),
        }
    }

    fn entry(&self, account: &Account) -> Result<keyring::Entry, KeychainError> {
        let entry = match self.store {
            Store::Os => os_entry(account)?,
            #[cfg(all(test, target_os = "linux"))]
            Store::KernelSession => keyring::Entry::new_with_credential(Box::new(
                keyring::keyutils::KeyutilsCredential::new_with_target(
                    None,
                    SERVICE,
                    account.as_str(),
                )
                .map_err(|e| map_error(e, account))?,
            )),
        };
        Ok(entry)
    }
}

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
fn os_entry(account: &Account) -> Result<keyring::Entry, KeychainError> {
    keyring::Entry::new(SERVICE, account.as_str()).map_err(|e| map_error(e, account))
}

/// Elsewhere `keyring` would fall back to an in-memory mock: say so instead of pretending to remember.
#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn os_entry(_: &Account) -> Result<keyring::Entry, KeychainError> {
    Err(KeychainError::Unavailable(
        "Authlens supports the keychains of Linux, macOS and Windows only".into(),
    ))
}

/// `keyring`'s error as ours. Never carries secret bytes: a non-UTF-8 entry is reported without them.
fn map_error(e: keyring::Error, account: &Account) -> KeychainError {
    match e {
        keyring::Error::NoEntry => KeychainError::NotStored(account.to_string()),
        keyring::Error::BadEncoding(_) => KeychainError::BadEntry(account.to_string()),
        keyring::Error::NoStorageAccess(e) => KeychainError::Locked(e.to_string()),
        keyring::Error::PlatformFailure(e) => KeychainError::Unavailable(e.to_string()),
        keyring::Error::TooLong(name, limit) => KeychainError::Invalid(format!(
            "the keychain allows at most {limit} characters in the {name}"
        )),
        keyring::Error::Invalid(name, reason) => {
            KeychainError::Invalid(format!("the keychain refused the {name}: {reason}"))
        }
        keyring::Error::Ambiguous(items) => KeychainError::Failed(format!(
            "{} entries match {account}; remove the extra ones with the system's keychain tool",
            items.len()
        )),
        other => KeychainError::Failed(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn the_account_is_the_username_at_the_origin() {
        let a = Account::new(&url("https://API.Example.test:443/v1/auth?x=1"), " alice ").unwrap();
        assert_eq!(a.as_str(), "alice at https://api.example.test");
        let b = Account::new(&url("http://127.0.0.1:8080/"), "alice@lab.test").unwrap();
        assert_eq!(b.to_string(), "alice@lab.test at http://127.0.0.1:8080");
        // The same user on another server or port is another account: a password never crosses origins.
        assert_ne!(
            Account::new(&url("https://api.example.test:8443"), "alice").unwrap(),
            a
        );
    }

    #[test]
    fn accounts_refuse_what_a_keychain_cannot_key_on() {
        for (base, user) in [
            ("https://x.test", ""),
            ("https://x.test", "  "),
            ("https://x.test", "a\nb"),
            ("file:///etc/passwd", "alice"),
            ("data:text/plain,x", "alice"),
        ] {
            let e = Account::new(&url(base), user).unwrap_err();
            assert_eq!(e.code(), "keychain.invalid", "{base} {user:?}");
        }
        let long = "u".repeat(MAX_USERNAME_CHARS + 1);
        assert!(Account::new(&url("https://x.test"), &long).is_err());
    }

    #[test]
    fn the_account_of_a_profile_comes_from_its_base_url_and_user() {
        let toml = "name = \"t\"\nbase_url = \"https://app.example.test/api/\"\n\
                    [user]\nusername = \"bob\"\n\
                    [login]\nmethod = \"POST\"\npath = \"/login\"\n\
                    [probe]\nmethod = \"GET\"\npath = \"/me\"\n";
        let profile = Profile::from_toml(toml, None).unwrap();
        assert_eq!(
            Account::for_profile(&profile).unwrap().as_str(),
            "bob at https://app.example.test"
        );
    }

    #[test]
    fn empty_and_oversized_passwords_are_refused_before_the_store() {
        let k = Keychain::os();
        let a = Account::new(&url("https://x.test"), "alice").unwrap();
        assert_eq!(k.save(&a, "").unwrap_err().code(), "keychain.invalid");
        let big = "p".repeat(MAX_PASSWORD_BYTES + 1);
        assert_eq!(k.save(&a, &big).unwrap_err().code(), "keychain.invalid");
    }

    #[test]
    fn errors_read_clearly_and_never_hold_the_entry_bytes() {
        let a = Account::new(&url("https://x.test"), "alice").unwrap();
        let e = map_error(keyring::Error::BadEncoding(b"s3cret\xff".to_vec()), &a);
        assert_eq!(
            e.to_string(),
            "the OS keychain entry for alice at https://x.test does not hold a text password"
        );
        let e = map_error(
            keyring::Error::PlatformFailure("no secret service".into()),
            &a,
        );
        assert_eq!(e.to_string(), "no OS keychain available: no secret service");
        assert_eq!(e.code(), "keychain.unavailable");
        let e = map_error(keyring::Error::NoEntry, &a);
        assert_eq!(
            e.to_string(),
            "no password is stored in the OS keychain for alice at https://x.test"
        );
    }

    /// The platform keychain as this machine has it: stored, not stored or unavailable, never a panic. On a
    /// machine without a Secret Service (CI) this is the unavailable path, with the typed error.
    #[test]
    fn the_os_keychain_answers_with_a_status() {
        let a = Account::new(&url("https://status-probe.authlens.invalid"), "nobody").unwrap();
        match Keychain::os().status(&a) {
            Status::Stored => panic!("nothing was stored for {a}"),
            Status::NotStored => {}
            Status::Unavailable(e) => {
                assert!(
                    matches!(e.code(), "keychain.unavailable" | "keychain.locked"),
                    "{e:?}"
                );
                assert!(
                    e.to_string().starts_with("no OS keychain available: ")
                        || e.to_string().starts_with("the OS keychain is locked"),
                    "{e}"
                );
                // Loading says the same, typed, so a run falls back to asking.
                assert_eq!(Keychain::os().load(&a).unwrap_err().code(), e.code());
            }
        }
    }

    /// Round trip through a real store, the kernel's session keyring (no daemon needed).
    #[cfg(target_os = "linux")]
    #[test]
    fn save_load_status_forget_round_trip_in_the_kernel_keyring() {
        let k = Keychain::kernel_session();
        let a = Account::new(
            &url("https://round-trip.authlens.invalid"),
            &format!("user-{}", std::process::id()),
        )
        .unwrap();
        match k.status(&a) {
            Status::Unavailable(e) => {
                // A sandbox may forbid the keyctl syscalls; then there is nothing to round-trip through.
                eprintln!("kernel keyring unavailable here, round trip skipped: {e}");
                return;
            }
            s => assert_eq!(s, Status::NotStored),
        }
        assert!(matches!(k.load(&a), Err(KeychainError::NotStored(_))));
        assert!(!k.forget(&a).unwrap());

        k.save(&a, "correct horse ✓ battery").unwrap();
        assert_eq!(k.status(&a), Status::Stored);
        assert_eq!(k.load(&a).unwrap(), "correct horse ✓ battery");
        k.save(&a, "replaced").unwrap();
        assert_eq!(k.load(&a).unwrap(), "replaced");
        // Another user at the same origin is another entry.
        let other =
            Account::new(&url("https://round-trip.authlens.invalid"), "someone-else").unwrap();
        assert_eq!(k.status(&other), Status::NotStored);

        assert!(k.forget(&a).unwrap());
        assert_eq!(k.status(&a), Status::NotStored);
        assert!(!k.forget(&a).unwrap());
    }

    /// The platform keychain itself, round trip. It writes to the real keychain of whoever runs it, so it is
    /// ignored by default; under a throwaway Secret Service:
    /// `dbus-run-session -- sh -c 'echo x | gnome-keyring-daemon --unlock --components=secrets >/dev/null &&
    /// cargo test -p authlens-core keychain -- --ignored'`.
    #[test]
    #[ignore = "writes to the OS keychain; run with --ignored where a throwaway one is available"]
    fn save_load_status_forget_round_trip_in_the_os_keychain() {
        let k = Keychain::os();
        let a = Account::new(&url("https://os-round-trip.authlens.invalid"), "alice").unwrap();
        if let Status::Unavailable(e) = k.status(&a) {
            panic!("this test needs an OS keychain: {e}");
        }
        k.save(&a, "correct horse ✓ battery").unwrap();
        assert_eq!(k.status(&a), Status::Stored);
        assert_eq!(k.load(&a).unwrap(), "correct horse ✓ battery");
        assert!(k.forget(&a).unwrap());
        assert_eq!(k.status(&a), Status::NotStored);
        assert!(matches!(k.load(&a), Err(KeychainError::NotStored(_))));
    }
}
