//! Profiles in the app: validation with a place to point at, the bundled and saved list, saving.

use authlens_core::profile::{
    FormError, Profile, ProfileError, ProfileForm, apply_form, read_form,
};
use authlens_core::redact::Redactor;
use authlens_lab::Mode;

use crate::error::ApiError;
use crate::lab;
use crate::state::AppState;
use crate::types::{ProfileCheck, ProfileErrorView, ProfileFormRead, SavedProfile};

/// A profile larger than this is refused before parsing (profiles are a few KB).
pub const MAX_PROFILE_BYTES: usize = 1 << 20;
/// Longest profile name `profile_save` accepts.
pub const MAX_NAME_CHARS: usize = 200;

fn too_big(toml: &str) -> Option<String> {
    (toml.len() > MAX_PROFILE_BYTES).then(|| {
        format!(
            "the profile is {} bytes; the limit is {MAX_PROFILE_BYTES}",
            toml.len()
        )
    })
}

/// Parse a profile's TOML, refusing an oversized one first.
pub fn parse(toml: &str) -> Result<Profile, ProfileError> {
    if let Some(message) = too_big(toml) {
        return Err(ProfileError::Invalid {
            file: "<profile>".into(),
            line: 0,
            column: 0,
            key: None,
            message,
        });
    }
    Profile::from_toml(toml, None)
}

/// The form view of a profile text, or where it cannot be one.
pub fn form_read(toml: &str) -> ProfileFormRead {
    let read = match too_big(toml) {
        Some(message) => Err(FormError::Syntax {
            line: 0,
            column: 0,
            message,
        }),
        None => read_form(toml),
    };
    match read {
        Ok(form) => ProfileFormRead {
            form: Some(form),
            error: None,
        },
        Err(e) => ProfileFormRead {
            form: None,
            error: Some(form_error_view(&e)),
        },
    }
}

/// The text with the form's settings written in (comments and other keys kept).
pub fn form_apply(toml: &str, form: &ProfileForm) -> Result<String, ApiError> {
    if let Some(message) = too_big(toml) {
        return Err(ApiError::invalid(message));
    }
    Ok(apply_form(toml, form)?)
}

pub fn form_error_view(e: &FormError) -> ProfileErrorView {
    let (line, column, key, message) = match e {
        FormError::Syntax {
            line,
            column,
            message,
        } => (*line, *column, None, format!("not valid TOML: {message}")),
        FormError::Shape {
            line,
            column,
            key,
            message,
        } => (
            *line,
            *column,
            Some(key.clone()),
            format!("`{key}` {message}"),
        ),
    };
    ProfileErrorView {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
        key,
        message,
    }
}

pub fn validate(toml: &str) -> ProfileCheck {
    match parse(toml) {
        Ok(p) => ProfileCheck {
            ok: true,
            name: Some(p.name),
            error: None,
        },
        Err(e) => ProfileCheck {
            ok: false,
            name: None,
            error: Some(error_view(&e)),
        },
    }
}

pub fn error_view(e: &ProfileError) -> ProfileErrorView {
    match e {
        ProfileError::Invalid {
            line,
            column,
            key,
            message,
            ..
        } => ProfileErrorView {
            line: u32::try_from(*line).unwrap_or(u32::MAX),
            column: u32::try_from(*column).unwrap_or(u32::MAX),
            key: key.clone(),
            message: message.clone(),
        },
        ProfileError::Read { message, .. } => ProfileErrorView {
            line: 0,
            column: 0,
            key: None,
            message: message.clone(),
        },
    }
}

/// The bundled lab profiles (by mode), then the saved ones by name. A saved profile that is a bundled one as
/// a lab run records it is listed once. When the history database is unavailable the
/// bundled profiles still come back.
pub async fn list(state: &AppState) -> Result<Vec<SavedProfile>, ApiError> {
    let mut out: Vec<SavedProfile> = Mode::ALL
        .iter()
        .map(|m| {
            let toml = lab::profile_toml(*m);
            let name = Profile::from_toml(toml, None)
                .map(|p| p.name)
                .unwrap_or_else(|_| format!("lab-{m}"));
            SavedProfile {
                name,
                toml: toml.to_string(),
            }
        })
        .collect();
    let store = match state.store() {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("saved profiles not listed: {}", e.message);
            return Ok(out);
        }
    };
    // What a lab run records: the bundled text through the run's redactor (its comments name the lab
    // password, which the history never holds).
    let mut redactor = Redactor::new(false);
    redactor.add_password(lab::run_user().password);
    let recorded: Vec<(String, String)> = out
        .iter()
        .map(|p| (p.name.clone(), redactor.text(&p.toml).into_owned()))
        .collect();
    for (name, toml) in store.list_profiles().await? {
        let bundled = out.iter().any(|p| p.name == name && p.toml == toml)
            || recorded.iter().any(|(n, t)| *n == name && *t == toml);
        if !bundled {
            out.push(SavedProfile { name, toml });
        }
    }
    Ok(out)
}

/// Save a valid profile under `name` (replacing one of that name). The profile parser refuses a `password`
/// key, so no password reaches the database this way.
pub async fn save(state: &AppState, name: &str, toml: &str) -> Result<(), ApiError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::invalid("a saved profile needs a name"));
    }
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(format!(
            "a profile name is at most {MAX_NAME_CHARS} characters, without control characters"
        )));
    }
    parse(toml)?;
    state.store()?.save_profile(name, toml).await?;
    tracing::info!(name, "profile saved");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_profile_gives_its_name() {
        let check = validate(lab::profile_toml(Mode::Jwt));
        assert_eq!(
            check,
            ProfileCheck {
                ok: true,
                name: Some("Lab: JWT mode".into()),
                error: None
            }
        );
    }

    #[test]
    fn an_invalid_profile_says_where() {
        let toml = lab::profile_toml(Mode::Jwt).replace("[probe]\n", "[probe]\nmethd = \"GET\"\n");
        let check = validate(&toml);
        assert!(!check.ok);
        assert_eq!(check.name, None);
        let err = check.error.unwrap();
        let line = toml
            .lines()
            .position(|l| l.starts_with("methd"))
            .map(|i| i as u32 + 1)
            .unwrap();
        assert_eq!(err.line, line);
        assert_eq!(err.key.as_deref(), Some("methd"));
        assert!(err.message.contains("unknown key"), "{}", err.message);
    }

    #[test]
    fn a_password_in_the_profile_is_refused() {
        let toml = lab::profile_toml(Mode::Jwt).replace(
            "username = \"alice@lab.test\"",
            "username = \"alice@lab.test\"\npassword = \"wonderland-alice\"",
        );
        let err = validate(&toml).error.unwrap();
        assert_eq!(err.key.as_deref(), Some("password"));
        assert!(
            err.message.contains("never goes in the profile"),
            "{}",
            err.message
        );
        assert!(!err.message.contains("wonderland-alice"));
    }

    #[test]
    fn the_form_reads_applies_and_says_where_the_toml_is_broken() {
        let toml = lab::profile_toml(Mode::Session);
        let mut form = form_read(toml).form.unwrap();
        assert_eq!(form.username, "alice");
        form.username = "bob".into();
        let out = form_apply(toml, &form).unwrap();
        assert!(validate(&out).ok);
        assert!(out.contains("username = \"bob\""));
        assert!(out.contains("# GET the login page first"));

        let broken = toml.replace("[probe]", "[probe");
        let read = form_read(&broken);
        assert!(read.form.is_none());
        let err = read.error.unwrap();
        let line = broken.lines().position(|l| l == "[probe").unwrap() + 1;
        assert_eq!(err.line as usize, line);
        assert!(err.message.starts_with("not valid TOML"), "{}", err.message);
        let api = form_apply(&broken, &form).unwrap_err();
        assert_eq!(api.code, "profile.syntax");

        let big = "#".repeat(MAX_PROFILE_BYTES + 1);
        assert!(form_read(&big).error.unwrap().message.contains("limit"));
        assert_eq!(form_apply(&big, &form).unwrap_err().code, "request.invalid");
    }

    #[test]
    fn garbage_and_oversized_profiles_are_errors_not_panics() {
        for toml in ["", "\u{0}\u{1}[[[", "name = 1", "[login\n"] {
            let check = validate(toml);
            assert!(!check.ok, "{toml:?}");
            assert!(!check.error.unwrap().message.is_empty());
        }
        let big = "#".repeat(MAX_PROFILE_BYTES + 1);
        let err = validate(&big).error.unwrap();
        assert!(err.message.contains("limit"), "{}", err.message);
    }
}
