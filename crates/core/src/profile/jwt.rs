//! The profile's `[jwt]` table: keys to verify captured JWTs with, the claims to expect, and wordlists for the
//! weak-secret audit. Every key source is optional; a run without any still decodes and checks tokens.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{Cx, ProfileError};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct JwtSpec {
    #[serde(default)]
    secret_env: Option<Spanned<String>>,
    #[serde(default)]
    public_key: Option<Spanned<String>>,
    #[serde(default)]
    jwks_file: Option<Spanned<String>>,
    #[serde(default)]
    jwks_url: Option<Spanned<String>>,
    #[serde(default)]
    oidc_issuer: Option<Spanned<String>>,
    #[serde(default)]
    audience: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    leeway_secs: Option<u64>,
    #[serde(default)]
    wordlists: Vec<String>,
    #[serde(default)]
    weak_secret_time_limit_secs: Option<u64>,
}

/// Where a URL in `[jwt]` points: absolute, or a path on the run's base URL (so a profile follows the lab to
/// its ephemeral port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlRef {
    Absolute(url::Url),
    Path(String),
}

impl UrlRef {
    pub fn resolve(&self, base: &url::Url) -> Option<url::Url> {
        match self {
            UrlRef::Absolute(u) => Some(u.clone()),
            UrlRef::Path(p) => base.join(p).ok(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtSettings {
    /// The environment variable holding an HMAC secret (the CLI can also prompt for one).
    pub secret_env: Option<String>,
    /// A PEM public key (SPKI, PKCS#1 RSA, or a certificate's key is not read: give the key).
    pub public_key: Option<PathBuf>,
    pub jwks_file: Option<PathBuf>,
    pub jwks_url: Option<UrlRef>,
    /// `{issuer}/.well-known/openid-configuration` names the `jwks_uri` and the expected `iss`.
    pub oidc_issuer: Option<UrlRef>,
    pub audience: Option<String>,
    pub issuer: Option<String>,
    pub typ: Option<String>,
    /// Clock skew allowed when judging exp and nbf.
    pub leeway_secs: u64,
    /// Extra wordlists for the weak-secret audit of HS* tokens after each run.
    pub wordlists: Vec<PathBuf>,
    pub weak_secret_time_limit_secs: u64,
}

impl Default for JwtSettings {
    fn default() -> Self {
        JwtSettings {
            secret_env: None,
            public_key: None,
            jwks_file: None,
            jwks_url: None,
            oidc_issuer: None,
            audience: None,
            issuer: None,
            typ: None,
            leeway_secs: 60,
            wordlists: Vec::new(),
            weak_secret_time_limit_secs: 30,
        }
    }
}

impl JwtSettings {
    /// Whether any key source is configured.
    pub fn has_key_source(&self) -> bool {
        self.secret_env.is_some()
            || self.public_key.is_some()
            || self.jwks_file.is_some()
            || self.jwks_url.is_some()
            || self.oidc_issuer.is_some()
    }
}

impl Cx<'_> {
    pub(super) fn jwt(
        &self,
        spec: JwtSpec,
        path: Option<&Path>,
    ) -> Result<JwtSettings, ProfileError> {
        let relative = |p: &str| {
            let p = PathBuf::from(p);
            match path.and_then(Path::parent) {
                Some(dir) if p.is_relative() => dir.join(p),
                _ => p,
            }
        };
        let url_ref = |s: &Spanned<String>, key: &str| -> Result<UrlRef, ProfileError> {
            let text = s.get_ref().trim();
            if text.starts_with('/') {
                return Ok(UrlRef::Path(text.to_string()));
            }
            self.url(s, key).map(UrlRef::Absolute).map_err(|_| {
                self.span(
                    s,
                    key,
                    format!(
                        "`{text}` must be an http(s) URL or a path starting with / (on base_url)"
                    ),
                )
            })
        };
        if let Some(env) = &spec.secret_env {
            let name = env.get_ref();
            if name.is_empty() || name.contains('=') || name.contains('\0') {
                return Err(self.span(
                    env,
                    "secret_env",
                    "secret_env names an environment variable (the secret itself never goes in the profile)",
                ));
            }
        }
        let defaults = JwtSettings::default();
        Ok(JwtSettings {
            secret_env: spec.secret_env.map(Spanned::into_inner),
            public_key: spec.public_key.map(|p| relative(p.get_ref())),
            jwks_file: spec.jwks_file.map(|p| relative(p.get_ref())),
            jwks_url: spec
                .jwks_url
                .as_ref()
                .map(|u| url_ref(u, "jwks_url"))
                .transpose()?,
            oidc_issuer: spec
                .oidc_issuer
                .as_ref()
                .map(|u| url_ref(u, "oidc_issuer"))
                .transpose()?,
            audience: spec.audience,
            issuer: spec.issuer,
            typ: spec.typ,
            leeway_secs: spec.leeway_secs.unwrap_or(defaults.leeway_secs).min(3600),
            wordlists: spec.wordlists.iter().map(|w| relative(w)).collect(),
            weak_secret_time_limit_secs: spec
                .weak_secret_time_limit_secs
                .unwrap_or(defaults.weak_secret_time_limit_secs)
                .clamp(1, 3600),
        })
    }
}
