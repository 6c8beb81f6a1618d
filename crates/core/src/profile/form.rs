//! The profile form: the settings people commonly edit, read from and written back into a profile's TOML.
//!
//! The text stays the source of truth. [`read_form`] projects it onto a [`ProfileForm`]; [`apply_form`]
//! writes a form back by editing only the form's own keys in a `toml_edit` document, so comments, key order
//! and every key the form does not know (listed in [`ProfileForm::extra`]) survive. A password is never a
//! form field: it never goes in a profile.
//!
//! Text fields are strings where empty means "not set": applying an empty field removes its key.

use serde::{Deserialize, Serialize};

mod read;
mod write;

/// The common subset of a profile (see docs/profiles.md for every key).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ProfileForm {
    pub name: String,
    pub base_url: String,
    pub http_base_url: String,
    /// `[tls] trust`: "" (not set: the system roots), "system", "lab" or "ca-file".
    pub tls_trust: String,
    pub tls_ca_file: String,
    pub username: String,
    /// `[user] password_env`: the name of the variable holding the password, never the password.
    pub password_env: String,
    /// `[login.prefetch]`; None when the file has none.
    pub prefetch: Option<StepForm>,
    pub login: StepForm,
    pub probe: StepForm,
    pub refresh: Option<StepForm>,
    pub logout: Option<StepForm>,
    /// Keys only the TOML edits, as dotted paths (`http.timeout_secs`, `login.extract[0].group`). Read
    /// only: `apply_form` ignores it.
    #[serde(default)]
    pub extra: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct StepForm {
    pub method: String,
    pub path: String,
    /// The variable sent as `Authorization: Bearer …`.
    pub bearer: String,
    pub headers: Vec<FormField>,
    pub body: BodyForm,
    pub extract: Vec<ExtractForm>,
}

/// One `key = "template"` of a headers table, a form body or a flat JSON body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FormField {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum BodyKind {
    #[default]
    None,
    Form,
    Json,
    Raw,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct BodyForm {
    pub kind: BodyKind,
    /// `form` fields, or a JSON body's members when they are all strings.
    pub fields: Vec<FormField>,
    /// A raw `body`.
    pub text: String,
    pub content_type: String,
    /// The body is more than the form shows (nested JSON, several body keys): `apply_form` leaves every body
    /// key as it is. Read only.
    #[serde(default)]
    pub locked: bool,
}

/// One `extract` entry. Each source has its own field; the one `from` names is the one used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ExtractForm {
    /// The entry of the file's `extract` list this was read from (None: a new one), so an entry keeps its
    /// comments and the keys the form does not know when entries before it are removed.
    #[serde(default)]
    pub index: Option<u32>,
    pub name: String,
    pub kind: String,
    pub from: String,
    pub pointer: String,
    pub header: String,
    pub cookie: String,
    pub field: String,
    pub selector: String,
    pub pattern: String,
    pub expires_in: String,
    pub optional: bool,
}

/// Why a text cannot be shown as a form. Lines and columns are 1-based (0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// The text is not TOML.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// A key the form edits holds something it cannot show (`name = 1`, `login = "x"`).
    #[error("line {line}, column {column}: `{key}` {message}")]
    Shape {
        line: usize,
        column: usize,
        key: String,
        message: String,
    },
}

impl FormError {
    pub fn code(&self) -> &'static str {
        match self {
            FormError::Syntax { .. } => "profile.syntax",
            FormError::Shape { .. } => "profile.form-shape",
        }
    }
}

/// The form's view of a profile text.
pub fn read_form(toml: &str) -> Result<ProfileForm, FormError> {
    read::read(toml)
}

/// `toml` with the form's keys set from `form` (created, replaced or removed); everything else as it was.
/// Fails when `read_form` would.
pub fn apply_form(toml: &str, form: &ProfileForm) -> Result<String, FormError> {
    write::apply(toml, form)
}

#[cfg(test)]
mod tests;
