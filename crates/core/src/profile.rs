//! Target profiles: how to talk to one target, in TOML. See docs/profiles.md for the reference.
//!
//! Parsing is two passes: serde (with `deny_unknown_fields`, so a typo is an error naming its line) into the
//! `*Spec` file shapes, then validation into [`Profile`], whose steps hold compiled templates and extractors.
//! Every error names the file, the line and the key.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::model::CredentialKind;

pub mod form;
mod jwt;
mod template;
pub use form::{FormError, ProfileForm, apply_form, read_form};
pub use jwt::{JwtSettings, UrlRef};
pub use template::{
    Template, Vars, json_variables as template_json_variables, render_json as template_render_json,
};

#[derive(Debug, Clone, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read profile {path}: {message}")]
    Read { path: String, message: String },
    #[error("{file}:{line}:{column}: {message}{}", key.as_ref().map(|k| format!(" (key `{k}`)")).unwrap_or_default())]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        key: Option<String>,
        message: String,
    },
}

impl ProfileError {
    pub fn code(&self) -> &'static str {
        match self {
            ProfileError::Read { .. } => "profile.read",
            ProfileError::Invalid { .. } => "profile.invalid",
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// The file's shape.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileSpec {
    name: String,
    base_url: Spanned<String>,
    #[serde(default)]
    http_base_url: Option<Spanned<String>>,
    /// Other instances of the same service (the replicas scenario).
    #[serde(default)]
    replicas: Vec<Spanned<String>>,
    #[serde(default)]
    tls: TlsSpec,
    user: UserSpec,
    #[serde(default)]
    http: HttpSpec,
    login: StepSpec,
    probe: StepSpec,
    #[serde(default)]
    refresh: Option<StepSpec>,
    #[serde(default)]
    logout: Option<StepSpec>,
    #[serde(default)]
    scenarios: crate::flow::ScenarioSettings,
    #[serde(default)]
    jwt: jwt::JwtSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsSpec {
    #[serde(default)]
    trust: Option<Spanned<String>>,
    #[serde(default)]
    ca_file: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserSpec {
    username: String,
    #[serde(default)]
    password_env: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpSpec {
    timeout_secs: Option<u64>,
    connect_timeout_secs: Option<u64>,
    read_timeout_secs: Option<u64>,
    max_body_bytes: Option<u64>,
}

// Serde's `flatten` would lose toml's spans, so one step shape serves all steps; `prefetch` is only
// accepted inside [login] (checked in validation, with its line).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepSpec {
    #[serde(default)]
    prefetch: Option<Spanned<Box<StepSpec>>>,
    #[serde(default)]
    method: Option<Spanned<String>>,
    path: Spanned<String>,
    #[serde(default)]
    headers: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    bearer: Option<Spanned<String>>,
    #[serde(default)]
    form: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    #[serde(default)]
    json: Option<Spanned<toml::Value>>,
    #[serde(default)]
    body: Option<Spanned<String>>,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    extract: Vec<ExtractSpec>,
    #[serde(default)]
    success: Option<Spanned<Vec<u16>>>,
    #[serde(default)]
    accepted: Option<Spanned<Vec<u16>>>,
    #[serde(default)]
    rejected: Option<Spanned<Vec<u16>>>,
    #[serde(default)]
    follow_redirects: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtractSpec {
    name: Spanned<String>,
    kind: Spanned<String>,
    from: Spanned<String>,
    #[serde(default)]
    pointer: Option<Spanned<String>>,
    #[serde(default)]
    header: Option<String>,
    #[serde(default)]
    cookie: Option<String>,
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    selector: Option<Spanned<String>>,
    #[serde(default)]
    attr: Option<String>,
    #[serde(default)]
    pattern: Option<Spanned<String>>,
    #[serde(default)]
    group: Option<usize>,
    #[serde(default)]
    expires_in: Option<Spanned<String>>,
    #[serde(default)]
    optional: bool,
}

// ---------------------------------------------------------------------------------------------------------
// The validated profile.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsTrustSpec {
    System,
    /// The bundled lab's generated certificate (in the data dir, or handed over in-process).
    Lab,
    CaFile(PathBuf),
}

#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub timeout_secs: u64,
    pub connect_timeout_secs: u64,
    pub read_timeout_secs: u64,
    pub max_body_bytes: u64,
}

/// What an extract is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtractKind {
    Credential(CredentialKind),
    /// A plain variable (a user id, a nonce): used in templates, not tracked as a credential.
    Value,
}

#[derive(Debug, Clone)]
pub enum Source {
    Json {
        pointer: String,
    },
    Header {
        name: String,
    },
    Cookie {
        name: String,
    },
    HtmlInput {
        field: String,
    },
    Html {
        selector: String,
        attr: Option<String>,
    },
    Regex {
        regex: regex::Regex,
        group: usize,
    },
}

#[derive(Debug, Clone)]
pub struct Extract {
    pub name: String,
    pub kind: ExtractKind,
    pub source: Source,
    /// JSON pointer to an `expires_in` (seconds) that declares this credential's lifetime.
    pub expires_in: Option<String>,
    pub optional: bool,
}

#[derive(Debug, Clone)]
pub enum BodyTemplate {
    None,
    Form(Vec<(String, Template)>),
    Json(serde_json::Value),
    Raw {
        content_type: String,
        text: Template,
    },
}

#[derive(Debug, Clone)]
pub struct Step {
    pub method: String,
    pub path: Template,
    pub headers: Vec<(String, Template)>,
    pub body: BodyTemplate,
    pub extract: Vec<Extract>,
    /// Final statuses that count as success (login/refresh/logout) or "authenticated" (probe).
    pub success: Vec<StatusRange>,
    /// Probe only: statuses that mean "not authenticated".
    pub rejected: Vec<StatusRange>,
    pub follow_redirects: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRange(pub u16, pub u16);

impl StatusRange {
    pub fn contains(&self, s: u16) -> bool {
        self.0 <= s && s <= self.1
    }
}

pub fn status_in(ranges: &[StatusRange], s: u16) -> bool {
    ranges.iter().any(|r| r.contains(s))
}

impl Step {
    /// Every variable this step's templates reference.
    pub fn variables(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        out.extend(self.path.variables());
        for (_, t) in &self.headers {
            out.extend(t.variables());
        }
        match &self.body {
            BodyTemplate::None => {}
            BodyTemplate::Form(fields) => {
                for (_, t) in fields {
                    out.extend(t.variables());
                }
            }
            BodyTemplate::Json(v) => template::json_variables(v, &mut out),
            BodyTemplate::Raw { text, .. } => out.extend(text.variables()),
        }
        out
    }
}

#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    pub base_url: url::Url,
    pub http_base_url: Option<url::Url>,
    pub tls: TlsTrustSpec,
    pub username: String,
    pub password_env: String,
    pub http: HttpSettings,
    pub prefetch: Option<Step>,
    pub login: Step,
    pub probe: Step,
    pub refresh: Option<Step>,
    pub logout: Option<Step>,
    /// Other base URLs of the same service, for the replicas scenario (`base_url` is replica 1).
    pub replicas: Vec<url::Url>,
    /// The `[scenarios]` table: waits, bounds and sample sizes.
    pub scenarios: crate::flow::ScenarioSettings,
    /// The `[jwt]` table: verification keys, expected claims, weak-secret wordlists.
    pub jwt: JwtSettings,
    /// The TOML text as loaded (kept in history; it never holds a password).
    pub source: String,
    pub path: Option<PathBuf>,
}

pub const DEFAULT_PASSWORD_ENV: &str = "AUTHLENS_PASSWORD";

impl Profile {
    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|e| ProfileError::Read {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Profile::from_toml(&text, Some(path))
    }

    pub fn from_toml(text: &str, path: Option<&Path>) -> Result<Profile, ProfileError> {
        let file = path
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "<profile>".into());
        let cx = Cx { text, file: &file };
        let spec: ProfileSpec = toml::from_str(text).map_err(|e| cx.toml_error(&e))?;
        cx.validate(spec, path)
    }

    /// All steps in flow order with their names.
    pub fn steps(&self) -> Vec<(&'static str, &Step)> {
        let mut v = Vec::new();
        if let Some(p) = &self.prefetch {
            v.push(("prefetch", p));
        }
        v.push(("login", &self.login));
        v.push(("probe", &self.probe));
        if let Some(r) = &self.refresh {
            v.push(("refresh", r));
        }
        if let Some(l) = &self.logout {
            v.push(("logout", l));
        }
        v
    }

    /// Every extract that declares a credential, by variable name.
    pub fn credential_kinds(&self) -> BTreeMap<String, CredentialKind> {
        let mut out = BTreeMap::new();
        for (_, step) in self.steps() {
            for e in &step.extract {
                if let ExtractKind::Credential(k) = e.kind {
                    out.insert(e.name.clone(), k);
                }
            }
        }
        out
    }

    /// Cookies that carry credentials: (cookie name, variable, kind).
    pub fn credential_cookies(&self) -> Vec<(String, String, CredentialKind)> {
        let mut out: Vec<(String, String, CredentialKind)> = Vec::new();
        for (_, step) in self.steps() {
            for e in &step.extract {
                if let (Source::Cookie { name }, ExtractKind::Credential(k)) = (&e.source, e.kind)
                    && !out.iter().any(|(n, _, _)| n == name)
                {
                    out.push((name.clone(), e.name.clone(), k));
                }
            }
        }
        out
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}

struct Cx<'a> {
    text: &'a str,
    file: &'a str,
}

impl Cx<'_> {
    fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(self.text, offset)
    }

    fn at(&self, offset: usize, key: Option<&str>, message: impl Into<String>) -> ProfileError {
        let (line, column) = self.line_col(offset);
        let table = self.table_at(offset);
        let mut message = message.into();
        if let Some(t) = table {
            message = format!("in [{t}]: {message}");
        }
        ProfileError::Invalid {
            file: self.file.to_string(),
            line,
            column,
            key: key.map(str::to_string),
            message,
        }
    }

    fn span<T>(&self, s: &Spanned<T>, key: &str, message: impl Into<String>) -> ProfileError {
        self.at(s.span().start, Some(key), message)
    }

    /// The `[table]` header in force at an offset.
    fn table_at(&self, offset: usize) -> Option<String> {
        let before = &self.text[..offset.min(self.text.len())];
        before.lines().rev().find_map(|l| {
            let l = l.trim();
            (l.starts_with('[') && l.ends_with(']'))
                .then(|| l.trim_matches(|c| c == '[' || c == ']').to_string())
        })
    }

    /// Where a pattern first matches, for errors about values that carry no span.
    fn find_regex(&self, re: &regex::Regex) -> usize {
        re.find(self.text).map_or(0, |m| m.start())
    }

    fn toml_error(&self, e: &toml::de::Error) -> ProfileError {
        let msg = e.message().trim().to_string();
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        let quoted = |m: &str| m.split('`').nth(1).map(str::to_string);
        if let Some(rest) = msg.strip_prefix("unknown field") {
            let key = quoted(rest);
            if key.as_deref() == Some("password") {
                return self.at(
                    offset,
                    key.as_deref(),
                    format!(
                        "a password never goes in the profile file: set {DEFAULT_PASSWORD_ENV} (or name another \
                         variable with user.password_env), or let authlens prompt for it"
                    ),
                );
            }
            return self.at(offset, key.as_deref(), format!("unknown key{rest}"));
        }
        if let Some(rest) = msg.strip_prefix("missing field") {
            let key = quoted(rest);
            let hint = match key.as_deref() {
                Some("probe") => {
                    ": add a [probe] step, a protected request that answers whether we are logged in"
                }
                Some("login") => ": add a [login] step",
                Some("path") => ": every step needs a path",
                _ => "",
            };
            return self.at(offset, key.as_deref(), format!("missing key{rest}{hint}"));
        }
        self.at(offset, None, msg)
    }

    fn validate(&self, spec: ProfileSpec, path: Option<&Path>) -> Result<Profile, ProfileError> {
        let base_url = self.url(&spec.base_url, "base_url")?;
        let http_base_url = spec
            .http_base_url
            .as_ref()
            .map(|u| self.url(u, "http_base_url"))
            .transpose()?;
        if let Some(u) = &http_base_url
            && u.scheme() != "http"
        {
            return Err(self.span(
                spec.http_base_url.as_ref().expect("checked"),
                "http_base_url",
                "http_base_url must be a plain http:// URL (it is used to check the redirect to https)",
            ));
        }
        let tls = match (
            spec.tls.trust.as_ref().map(|t| t.get_ref().as_str()),
            &spec.tls.ca_file,
        ) {
            (None | Some("system"), None) => TlsTrustSpec::System,
            (Some("lab"), None) => TlsTrustSpec::Lab,
            (None | Some("ca-file"), Some(f)) => {
                let p = PathBuf::from(f.get_ref());
                let p = match path.and_then(Path::parent) {
                    Some(dir) if p.is_relative() => dir.join(p),
                    _ => p,
                };
                TlsTrustSpec::CaFile(p)
            }
            (Some("ca-file"), None) => {
                let t = spec.tls.trust.as_ref().expect("matched");
                return Err(self.span(
                    t,
                    "trust",
                    "trust = \"ca-file\" needs ca_file = \"path/to/ca.pem\"",
                ));
            }
            (Some(other), _) => {
                let t = spec.tls.trust.as_ref().expect("matched");
                return Err(self.span(
                    t,
                    "trust",
                    format!(
                        "unknown trust `{other}` (expected \"system\", \"lab\" or \"ca-file\")"
                    ),
                ));
            }
        };
        let mut login_spec = spec.login;
        let prefetch = login_spec
            .prefetch
            .take()
            .map(|s| self.step(*s.into_inner(), "login.prefetch"))
            .transpose()?;
        let login = self.step(login_spec, "login")?;
        let probe = self.step(spec.probe, "probe")?;
        let refresh = spec.refresh.map(|s| self.step(s, "refresh")).transpose()?;
        let logout = spec.logout.map(|s| self.step(s, "logout")).transpose()?;
        let mut replicas = Vec::new();
        for r in &spec.replicas {
            let u = self.url(r, "replicas")?;
            if u.scheme() != base_url.scheme() || u == base_url || replicas.contains(&u) {
                return Err(self.span(
                    r,
                    "replicas",
                    "each replica must be another base URL of the same service, with the same scheme as base_url",
                ));
            }
            replicas.push(u);
        }

        let profile = Profile {
            name: spec.name,
            base_url,
            http_base_url,
            tls,
            username: spec.user.username,
            password_env: spec
                .user
                .password_env
                .unwrap_or_else(|| DEFAULT_PASSWORD_ENV.to_string()),
            http: HttpSettings {
                timeout_secs: spec.http.timeout_secs.unwrap_or(30).clamp(1, 600),
                connect_timeout_secs: spec.http.connect_timeout_secs.unwrap_or(5).clamp(1, 120),
                read_timeout_secs: spec.http.read_timeout_secs.unwrap_or(15).clamp(1, 600),
                max_body_bytes: spec
                    .http
                    .max_body_bytes
                    .unwrap_or(8 * 1024 * 1024)
                    .clamp(1024, 256 * 1024 * 1024),
            },
            prefetch,
            login,
            probe,
            refresh,
            logout,
            replicas,
            scenarios: spec.scenarios.clamped(),
            jwt: self.jwt(spec.jwt, path)?,
            source: self.text.to_string(),
            path: path.map(Path::to_path_buf),
        };
        self.check_variables(&profile)?;
        Ok(profile)
    }

    fn url(&self, s: &Spanned<String>, key: &str) -> Result<url::Url, ProfileError> {
        let u = url::Url::parse(s.get_ref())
            .map_err(|e| self.span(s, key, format!("`{}` is not a valid URL: {e}", s.get_ref())))?;
        if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
            return Err(self.span(
                s,
                key,
                format!(
                    "`{}` must be an http:// or https:// URL with a host",
                    s.get_ref()
                ),
            ));
        }
        Ok(u)
    }

    fn step(&self, f: StepSpec, name: &str) -> Result<Step, ProfileError> {
        if let Some(p) = &f.prefetch {
            return Err(self.span(
                p,
                "prefetch",
                format!("only [login] can have a prefetch, not step {name}"),
            ));
        }
        let is_probe = name == "probe";
        let method = match &f.method {
            Some(m) => {
                let method = m.get_ref().to_ascii_uppercase();
                if !method.chars().all(|c| c.is_ascii_uppercase()) || method.is_empty() {
                    return Err(self.span(
                        m,
                        "method",
                        format!("`{}` is not an HTTP method", m.get_ref()),
                    ));
                }
                method
            }
            None if is_probe || name == "login.prefetch" => "GET".into(),
            None => "POST".into(),
        };
        let tpl = |t: &Spanned<String>, key: &str| {
            Template::parse(t.get_ref())
                .map_err(|e| self.span(t, key, format!("in step {name}: {e}")))
        };
        if !f.path.get_ref().starts_with('/') {
            return Err(self.span(
                &f.path,
                "path",
                format!("the path must start with `/`, got `{}`", f.path.get_ref()),
            ));
        }
        let path = tpl(&f.path, "path")?;
        let mut headers = Vec::new();
        for (k, v) in &f.headers {
            headers.push((k.clone(), tpl(v, k)?));
        }
        if let Some(b) = &f.bearer {
            let var = b.get_ref();
            if !template::is_var_name(var) {
                return Err(self.span(
                    b,
                    "bearer",
                    "bearer names a variable, e.g. bearer = \"access\"",
                ));
            }
            let bearer = Spanned::new(b.span(), format!("Bearer {{{{{var}}}}}"));
            headers.push(("Authorization".into(), tpl(&bearer, "bearer")?));
        }
        // Every body key given, in file order: the second one is the mistake.
        let mut bodies: Vec<(&str, std::ops::Range<usize>)> = [
            ("form", f.form.as_ref().map(Spanned::span)),
            ("json", f.json.as_ref().map(Spanned::span)),
            ("body", f.body.as_ref().map(Spanned::span)),
        ]
        .into_iter()
        .filter_map(|(k, span)| span.map(|s| (k, s)))
        .collect();
        bodies.sort_by_key(|(_, span)| span.start);
        if let Some((key, span)) = bodies.get(1) {
            return Err(self.at(
                span.start,
                Some(key),
                format!("step {name} has more than one of form, json and body"),
            ));
        }
        let body = if let Some(form) = &f.form {
            let mut fields = Vec::new();
            for (k, v) in form.get_ref() {
                fields.push((k.clone(), tpl(v, k)?));
            }
            BodyTemplate::Form(fields)
        } else if let Some(j) = &f.json {
            let json = serde_json::to_value(j.get_ref())
                .map_err(|e| self.span(j, "json", e.to_string()))?;
            template::check_json(&json)
                .map_err(|e| self.span(j, "json", format!("in step {name}: {e}")))?;
            BodyTemplate::Json(json)
        } else if let Some(b) = &f.body {
            BodyTemplate::Raw {
                content_type: f
                    .content_type
                    .clone()
                    .unwrap_or_else(|| "text/plain; charset=utf-8".into()),
                text: tpl(b, "body")?,
            }
        } else {
            BodyTemplate::None
        };
        let mut extract = Vec::new();
        for e in f.extract {
            extract.push(self.extract(e, name)?);
        }
        let ranges = |v: &Option<Spanned<Vec<u16>>>, default: Vec<StatusRange>| {
            v.as_ref()
                .map(|v| v.get_ref().iter().map(|s| StatusRange(*s, *s)).collect())
                .unwrap_or(default)
        };
        let (success, rejected) = if is_probe {
            if let Some(s) = &f.success {
                return Err(self.span(
                    s,
                    "success",
                    "the probe uses `accepted` and `rejected`, not `success`",
                ));
            }
            (
                ranges(&f.accepted, vec![StatusRange(200, 299)]),
                ranges(
                    &f.rejected,
                    vec![
                        StatusRange(300, 399),
                        StatusRange(401, 401),
                        StatusRange(403, 403),
                    ],
                ),
            )
        } else {
            // The first of the two the file writes.
            let written = [("accepted", &f.accepted), ("rejected", &f.rejected)]
                .into_iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
                .min_by_key(|(_, v)| v.span().start);
            if let Some((key, v)) = written {
                return Err(self.span(
                    v,
                    key,
                    format!("step {name} uses `success`; `{key}` is for the probe"),
                ));
            }
            (ranges(&f.success, vec![StatusRange(200, 399)]), Vec::new())
        };
        Ok(Step {
            method,
            path,
            headers,
            body,
            extract,
            success,
            rejected,
            // The probe judges the status it gets: following a redirect to a login page would read as 200.
            follow_redirects: f.follow_redirects.unwrap_or(!is_probe),
        })
    }

    fn extract(&self, e: ExtractSpec, step: &str) -> Result<Extract, ProfileError> {
        let name = e.name.get_ref().clone();
        if !template::is_var_name(&name) {
            return Err(self.span(
                &e.name,
                "name",
                format!("`{name}` is not a variable name (letters, digits, _ and -)"),
            ));
        }
        if matches!(name.as_str(), "username" | "password") {
            return Err(self.span(
                &e.name,
                "name",
                format!("`{name}` is built in; choose another name"),
            ));
        }
        let kind = match e.kind.get_ref().as_str() {
            "session" => ExtractKind::Credential(CredentialKind::Session),
            "access" => ExtractKind::Credential(CredentialKind::Access),
            "refresh" => ExtractKind::Credential(CredentialKind::Refresh),
            "id" => ExtractKind::Credential(CredentialKind::Id),
            "csrf" => ExtractKind::Credential(CredentialKind::Csrf),
            "other" => ExtractKind::Credential(CredentialKind::Other),
            "value" => ExtractKind::Value,
            other => {
                return Err(self.span(
                    &e.kind,
                    "kind",
                    format!("unknown kind `{other}` (expected session, access, refresh, id, csrf, other or value)"),
                ));
            }
        };
        let need = |v: Option<String>, key: &str| {
            v.ok_or_else(|| {
                self.span(
                    &e.from,
                    key,
                    format!("from = \"{}\" needs `{key}`", e.from.get_ref()),
                )
            })
        };
        let source = match e.from.get_ref().as_str() {
            "json" => {
                let p = e.pointer.as_ref().ok_or_else(|| {
                    self.span(
                        &e.from,
                        "pointer",
                        "from = \"json\" needs `pointer`, e.g. pointer = \"/access_token\"",
                    )
                })?;
                self.pointer(p, "pointer")?;
                Source::Json {
                    pointer: p.get_ref().clone(),
                }
            }
            "header" => Source::Header {
                name: need(e.header.clone(), "header")?,
            },
            "cookie" => Source::Cookie {
                name: need(e.cookie.clone(), "cookie")?,
            },
            "html-input" => Source::HtmlInput {
                field: need(e.field.clone(), "field")?,
            },
            "html" => {
                let s = e.selector.as_ref().ok_or_else(|| {
                    self.span(&e.from, "selector", "from = \"html\" needs `selector`")
                })?;
                scraper::Selector::parse(s.get_ref()).map_err(|err| {
                    self.span(
                        s,
                        "selector",
                        format!("`{}` is not a CSS selector: {err}", s.get_ref()),
                    )
                })?;
                Source::Html {
                    selector: s.get_ref().clone(),
                    attr: e.attr.clone(),
                }
            }
            "regex" => {
                let p = e.pattern.as_ref().ok_or_else(|| {
                    self.span(&e.from, "pattern", "from = \"regex\" needs `pattern`")
                })?;
                let regex = regex::RegexBuilder::new(p.get_ref())
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|err| self.span(p, "pattern", format!("bad regex: {err}")))?;
                let group = e
                    .group
                    .unwrap_or(if regex.captures_len() > 1 { 1 } else { 0 });
                if group >= regex.captures_len() {
                    return Err(self.span(p, "group", format!("the pattern has no group {group}")));
                }
                Source::Regex { regex, group }
            }
            other => {
                return Err(self.span(
                    &e.from,
                    "from",
                    format!("in step {step}: unknown source `{other}` (expected json, header, cookie, html-input, html or regex)"),
                ));
            }
        };
        if let Some(p) = &e.expires_in {
            self.pointer(p, "expires_in")?;
        }
        Ok(Extract {
            name,
            kind,
            source,
            expires_in: e.expires_in.map(|p| p.into_inner()),
            optional: e.optional,
        })
    }

    fn pointer(&self, p: &Spanned<String>, key: &str) -> Result<(), ProfileError> {
        let s = p.get_ref();
        if !(s.is_empty() || s.starts_with('/')) {
            return Err(self.span(
                p,
                key,
                format!(
                    "`{s}` is not a JSON pointer (RFC 6901): it must start with `/`, e.g. \"/{s}\""
                ),
            ));
        }
        if let Some(bad) = s
            .split('~')
            .skip(1)
            .find(|rest| !(rest.starts_with('0') || rest.starts_with('1')))
        {
            return Err(self.span(
                p,
                key,
                format!(
                    "`{s}` is not a JSON pointer: `~` must be followed by 0 or 1 (near `~{bad}`)"
                ),
            ));
        }
        Ok(())
    }

    /// Every `{{var}}` must be built in or extracted by some step.
    fn check_variables(&self, p: &Profile) -> Result<(), ProfileError> {
        let mut known: BTreeSet<String> = ["username", "password"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for (_, step) in p.steps() {
            known.extend(step.extract.iter().map(|e| e.name.clone()));
        }
        for (name, step) in p.steps() {
            for var in step.variables() {
                if !known.contains(&var) {
                    let known_list = known.iter().cloned().collect::<Vec<_>>().join(", ");
                    // `{{var}}` as written, spaces inside the braces allowed.
                    let written =
                        regex::Regex::new(&format!(r"\{{\{{\s*{}\s*\}}\}}", regex::escape(&var)))
                            .expect("an escaped name makes a valid regex");
                    return Err(self.at(
                        self.find_regex(&written),
                        Some(&var),
                        format!("step {name} uses {{{{{var}}}}} but no step extracts `{var}` (known: {known_list})"),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
