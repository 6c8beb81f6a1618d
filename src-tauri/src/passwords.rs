//! Profile passwords in the OS keychain, for the commands and profile runs: keyed by the profile's username
//! at its base URL's origin ([`Account`]), each call on a blocking thread (D-Bus round trips, perhaps an
//! unlock prompt the user answers) and bounded in time. Passwords go in and out of the keychain only: never
//! into a log, an event, the history or an error.

use std::time::Duration;

use authlens_core::keychain::{Account, Keychain, KeychainError, Status};
use authlens_core::profile::Profile;

use crate::error::ApiError;
use crate::profiles;
use crate::types::PasswordStatus;

/// Long enough to answer an unlock prompt; a keychain that never answers must not hang a command forever.
const KEYCHAIN_TIMEOUT: Duration = Duration::from_secs(120);

/// Whether a password is stored for this profile's account, or why none can be.
pub async fn status(toml: &str) -> Result<PasswordStatus, ApiError> {
    let account = match account(toml)? {
        Ok(a) => a,
        Err(e) => return Ok(PasswordStatus::unavailable(String::new(), &e)),
    };
    let shown = account.to_string();
    let status = blocking(move |k| k.status(&account)).await?;
    Ok(PasswordStatus::of(shown, status))
}

/// Keep `password` for this profile's account; answers the status after.
pub async fn save(toml: &str, password: String) -> Result<PasswordStatus, ApiError> {
    let account = account(toml)??;
    let shown = account.to_string();
    blocking(move |k| k.save(&account, &password)).await??;
    tracing::info!(account = %shown, "password kept in the OS keychain");
    Ok(PasswordStatus::of(shown, Status::Stored))
}

/// Delete the stored password of this profile's account (nothing stored is fine).
pub async fn forget(toml: &str) -> Result<PasswordStatus, ApiError> {
    let account = account(toml)??;
    let shown = account.to_string();
    if blocking(move |k| k.forget(&account)).await?? {
        tracing::info!(account = %shown, "password removed from the OS keychain");
    }
    Ok(PasswordStatus::of(shown, Status::NotStored))
}

/// The stored password for a profile run the UI sent none for.
pub async fn load(profile: &Profile) -> Result<String, ApiError> {
    let account = Account::for_profile(profile).map_err(ApiError::from)?;
    Ok(blocking(move |k| k.load(&account)).await??)
}

/// The profile's account: the outer error for a profile that does not parse, the inner one for a profile
/// whose account no keychain can hold (no username, not http(s)).
fn account(toml: &str) -> Result<Result<Account, KeychainError>, ApiError> {
    Ok(Account::for_profile(&profiles::parse(toml)?))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce(Keychain) -> T + Send + 'static,
) -> Result<T, ApiError> {
    let task = tokio::task::spawn_blocking(move || f(Keychain::os()));
    match tokio::time::timeout(KEYCHAIN_TIMEOUT, task).await {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(e)) => Err(ApiError::new(
            "keychain.failed",
            format!("the OS keychain call did not finish: {e}"),
        )),
        Err(_) => Err(ApiError::new(
            "keychain.timeout",
            format!(
                "the OS keychain did not answer within {} s",
                KEYCHAIN_TIMEOUT.as_secs()
            ),
        )),
    }
}

impl PasswordStatus {
    fn of(account: String, status: Status) -> PasswordStatus {
        match status {
            Status::Stored => PasswordStatus {
                account,
                available: true,
                stored: true,
                reason: None,
            },
            Status::NotStored => PasswordStatus {
                account,
                available: true,
                stored: false,
                reason: None,
            },
            Status::Unavailable(e) => PasswordStatus::unavailable(account, &e),
        }
    }

    fn unavailable(account: String, e: &KeychainError) -> PasswordStatus {
        PasswordStatus {
            account,
            available: false,
            stored: false,
            reason: Some(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toml(base_url: &str, username: &str) -> String {
        crate::lab::profile_toml(authlens_lab::Mode::Jwt)
            .replace("https://127.0.0.1:8443", base_url)
            .replace("alice@lab.test", username)
    }

    #[tokio::test]
    async fn status_names_the_account_and_never_fails_for_a_missing_keychain() {
        let s = status(&toml("https://status.authlens.invalid:9443", "carol"))
            .await
            .unwrap();
        assert_eq!(s.account, "carol at https://status.authlens.invalid:9443");
        assert!(!s.stored, "nothing was saved for {}", s.account);
        // Here either a keychain answers, or the status says why not (CI has no Secret Service).
        assert_eq!(s.available, s.reason.is_none(), "{s:?}");
        if let Some(reason) = &s.reason {
            assert!(
                reason.starts_with("no OS keychain available: ")
                    || reason.starts_with("the OS keychain is locked"),
                "{reason}"
            );
        }
    }

    #[tokio::test]
    async fn a_bad_profile_is_an_error_and_an_unkeyable_one_is_unavailable() {
        let e = status("name = 1").await.unwrap_err();
        assert_eq!(e.code, "profile.invalid");
        assert_eq!(
            save("name = 1", "pw".into()).await.unwrap_err().code,
            "profile.invalid"
        );
        // Profiles only take http(s) base URLs, so an account problem can only come from the username.
        match status(&toml("https://x.authlens.invalid", "  ")).await {
            Ok(s) => assert!(!s.available && s.account.is_empty(), "{s:?}"),
            Err(e) => assert_eq!(e.code, "profile.invalid"),
        }
    }

    #[tokio::test]
    async fn save_refuses_an_empty_password_before_any_keychain() {
        let e = save(&toml("https://x.authlens.invalid", "dave"), String::new())
            .await
            .unwrap_err();
        assert_eq!(e.code, "keychain.invalid");
    }
}
