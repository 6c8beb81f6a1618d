//! What every check shares: the run context (Set-Cookie lines parsed once), the outcome a check returns, and
//! wording helpers that keep secrets out of findings.

use percent_encoding::percent_decode_str;

use crate::cookies::{self, CookieIssue};
use crate::model::{
    Carrier, CookieInfo, Credential, CredentialKind, Evidence, Exchange, Finding, Millis, Run,
    Severity, Status,
};

use super::CheckConfig;
use super::catalogue;

/// Cookie names that look like they carry a login (case-insensitive substring).
const AUTH_NAME_HINTS: &[&str] = &[
    "sess", "sid", "auth", "token", "jwt", "refresh", "remember", "login",
];
/// Cookie names that look like a session id (for the lifetime check).
const SESSION_NAME_HINTS: &[&str] = &["sess", "sid"];
/// Cookie names that look like a CSRF token (double-submit cookies are meant to be readable).
const CSRF_NAME_HINTS: &[&str] = &["csrf", "xsrf"];

/// Shortest credential value searched for in URLs and bodies: shorter ones match innocent text.
pub(crate) const MIN_SEARCHED_SECRET_LEN: usize = 8;

pub(crate) struct Ctx<'a> {
    pub run: &'a Run,
    pub cfg: &'a CheckConfig,
    /// Every Set-Cookie line of every hop that parsed, in order.
    pub cookies: Vec<SeenCookie<'a>>,
}

impl<'a> Ctx<'a> {
    pub fn new(run: &'a Run, cfg: &'a CheckConfig) -> Self {
        let mut seen = Vec::new();
        for exchange in &run.exchanges {
            for (hop_index, hop) in exchange.hops.iter().enumerate() {
                let (Some(response), Ok(url)) = (&hop.response, url::Url::parse(&hop.request.url))
                else {
                    continue;
                };
                let received_at = hop.started_at.saturating_add(hop.ttfb_ms as Millis);
                for line in &response.set_cookies {
                    let Ok(a) = cookies::analyse_set_cookie(line, &url, received_at) else {
                        continue;
                    };
                    let credential = backing_credential(run, exchange.id, &a.info.name, line);
                    let role = role_of(credential, &a.info.name);
                    seen.push(SeenCookie {
                        exchange,
                        hop: hop_index,
                        url: url.clone(),
                        received_at,
                        info: a.info,
                        issues: a.issues,
                        credential,
                        role,
                    });
                }
            }
        }
        Ctx {
            run,
            cfg,
            cookies: seen,
        }
    }

    /// Live (not a deletion, non-empty) cookies carrying a login, grouped by name in order of appearance.
    pub fn auth_cookie_groups(&self) -> Vec<CookieGroup<'_, 'a>> {
        group_by_name(
            self.cookies
                .iter()
                .filter(|c| c.role == Role::Auth && c.is_live()),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Backs a session/access/refresh/ID credential, or its name looks like one.
    Auth,
    /// A CSRF token cookie (double-submit cookies must stay readable).
    Csrf,
    Other,
}

pub(crate) struct SeenCookie<'a> {
    pub exchange: &'a Exchange,
    /// Index of the hop whose response carried the line.
    pub hop: usize,
    pub url: url::Url,
    pub received_at: Millis,
    pub info: CookieInfo,
    pub issues: Vec<CookieIssue>,
    pub credential: Option<&'a Credential>,
    pub role: Role,
}

impl SeenCookie<'_> {
    /// Sets a value (not a deletion, not empty).
    pub fn is_live(&self) -> bool {
        !self.info.is_deletion && self.info.value_len > 0
    }

    /// Holds a session: judged against the absolute session timeout.
    pub fn is_session_like(&self) -> bool {
        match self.credential.map(|c| c.kind) {
            Some(
                CredentialKind::Session | CredentialKind::PreLoginSession | CredentialKind::Refresh,
            ) => true,
            Some(_) => false,
            None => name_has(&self.info.name, SESSION_NAME_HINTS),
        }
    }

    /// "session #1 (__Host-sid)" or "cookie remember_me".
    pub fn label(&self) -> String {
        match self.credential {
            Some(c) => format!("{} ({})", c.label, display(&self.info.name)),
            None => format!("cookie {}", display(&self.info.name)),
        }
    }

    /// Lifetime as the browser keeps it (after the 400-day cap); 0 for a session (non-persistent) cookie.
    pub fn lifetime_ms(&self) -> Millis {
        self.info
            .verdict
            .effective_expiry
            .map_or(0, |e| e.saturating_sub(self.received_at))
    }

    pub fn evidence(&self, detail: String) -> Evidence {
        Evidence {
            exchange_id: Some(self.exchange.id),
            credential_id: self.credential.map(|c| c.id),
            location: "response header Set-Cookie".to_string(),
            detail,
        }
    }
}

/// All the Set-Cookie lines of one cookie name.
pub(crate) struct CookieGroup<'c, 'a> {
    pub cookies: Vec<&'c SeenCookie<'a>>,
}

impl<'c, 'a> CookieGroup<'c, 'a> {
    pub fn first(&self) -> &'c SeenCookie<'a> {
        self.cookies[0]
    }
    pub fn label(&self) -> String {
        self.cookies
            .iter()
            .find(|c| c.credential.is_some())
            .unwrap_or(&self.cookies[0])
            .label()
    }
}

pub(crate) fn group_by_name<'c, 'a: 'c>(
    cookies: impl Iterator<Item = &'c SeenCookie<'a>>,
) -> Vec<CookieGroup<'c, 'a>> {
    let mut groups: Vec<CookieGroup> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for c in cookies {
        match index.get(c.info.name.as_str()) {
            Some(&i) => groups[i].cookies.push(c),
            None => {
                index.insert(&c.info.name, groups.len());
                groups.push(CookieGroup { cookies: vec![c] });
            }
        }
    }
    groups
}

/// The credential a Set-Cookie line delivered: the same raw line, else the same name issued by this
/// exchange, else the same name anywhere.
fn backing_credential<'a>(
    run: &'a Run,
    exchange_id: u32,
    name: &str,
    line: &str,
) -> Option<&'a Credential> {
    let by_name = || {
        run.credentials
            .iter()
            .filter(move |c| matches!(&c.carrier, Carrier::Cookie { name: n, .. } if n == name))
    };
    by_name()
        .find(|c| matches!(&c.carrier, Carrier::Cookie { raw, .. } if raw == line))
        .or_else(|| by_name().find(|c| c.issued_by == exchange_id))
        .or_else(|| by_name().next())
}

fn role_of(credential: Option<&Credential>, name: &str) -> Role {
    use CredentialKind::*;
    match credential.map(|c| c.kind) {
        Some(Session | PreLoginSession | Access | Refresh | Id) => Role::Auth,
        Some(Csrf) => Role::Csrf,
        _ if name_has(name, CSRF_NAME_HINTS) => Role::Csrf,
        _ if name_has(name, AUTH_NAME_HINTS) => Role::Auth,
        _ => Role::Other,
    }
}

fn name_has(name: &str, hints: &[&str]) -> bool {
    let lower = name.to_ascii_lowercase();
    hints.iter().any(|h| lower.contains(h))
}

/// What a check concluded; `run_all` completes it with the catalogue entry.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub status: Status,
    /// The problem's severity (warn/fail); None = the catalogue's nominal one.
    pub severity: Option<Severity>,
    pub summary: String,
    pub evidence: Vec<Evidence>,
}

impl Outcome {
    fn new(status: Status, severity: Option<Severity>, summary: impl Into<String>) -> Self {
        Outcome {
            status,
            severity,
            summary: summary.into(),
            evidence: Vec::new(),
        }
    }
    pub fn pass(summary: impl Into<String>) -> Self {
        Self::new(Status::Pass, None, summary)
    }
    pub fn info(summary: impl Into<String>) -> Self {
        Self::new(Status::Info, None, summary)
    }
    pub fn not_tested(summary: impl Into<String>) -> Self {
        Self::new(Status::NotTested, None, summary)
    }
    pub fn warn(severity: Severity, summary: impl Into<String>) -> Self {
        Self::new(Status::Warn, Some(severity), summary)
    }
    pub fn fail(severity: Severity, summary: impl Into<String>) -> Self {
        Self::new(Status::Fail, Some(severity), summary)
    }
    pub fn with(mut self, evidence: Vec<Evidence>) -> Self {
        self.evidence = evidence;
        self
    }

    pub fn into_finding(self, id: &str) -> Finding {
        let info = catalogue::get(id)
            .unwrap_or_else(|| panic!("check `{id}` is missing from the catalogue"));
        let severity = match (self.status.is_problem(), self.severity) {
            (true, Some(s)) => s,
            _ => info.severity,
        };
        Finding {
            check_id: info.id.to_string(),
            title: info.title.to_string(),
            status: self.status,
            severity,
            summary: one_line(&self.summary),
            explanation: info.explanation.to_string(),
            evidence: self.evidence,
            references: info.references.iter().map(|r| r.to_string()).collect(),
        }
    }
}

pub(crate) fn evidence(
    exchange_id: Option<u32>,
    credential_id: Option<u32>,
    location: impl Into<String>,
    detail: impl Into<String>,
) -> Evidence {
    Evidence {
        exchange_id,
        credential_id,
        location: location.into(),
        detail: detail.into(),
    }
}

/// Evidence pointing at a credential: "(fingerprint 1a2b3c4d5e6f)" identifies the value without showing it.
pub(crate) fn credential_evidence(
    c: &Credential,
    exchange_id: u32,
    location: impl Into<String>,
    detail: &str,
) -> Evidence {
    evidence(
        Some(exchange_id),
        Some(c.id),
        location,
        format!("{detail}{}", fingerprint_note(c)),
    )
}

/// " (fingerprint 1a2b3c4d5e6f)", computed here with [`crate::redact::safe_fingerprint`] (whatever the run's
/// `fingerprint` field holds); "" for a value too short to fingerprint safely.
pub(crate) fn fingerprint_note(c: &Credential) -> String {
    let fp = crate::redact::safe_fingerprint(&c.value);
    if fp.is_empty() {
        String::new()
    } else {
        format!(" (fingerprint {fp})")
    }
}

/// "a", "a and b", "a, b and c", "a, b, c and 2 more".
pub(crate) fn list(items: &[String]) -> String {
    const SHOWN: usize = 3;
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n if n <= SHOWN => format!("{} and {}", items[..n - 1].join(", "), items[n - 1]),
        n => format!("{} and {} more", items[..SHOWN].join(", "), n - SHOWN),
    }
}

/// "is" / "are" for a list of `n` things.
pub(crate) fn is_are(n: usize) -> &'static str {
    if n == 1 { "is" } else { "are" }
}

/// Whole seconds, humantime style but counting days rather than months and years ("15m", "400days 2h").
pub(crate) fn secs_text(secs: i64) -> String {
    let secs = secs.unsigned_abs();
    let days = secs / 86_400;
    let rest = crate::tokens::human_duration_ms(i128::from(secs % 86_400) * 1000);
    match (days, secs % 86_400) {
        (0, _) => rest,
        (1, 0) => "1day".to_string(),
        (d, 0) => format!("{d}days"),
        (1, _) => format!("1day {rest}"),
        (d, _) => format!("{d}days {rest}"),
    }
}

/// A cookie name, claim key or other target-chosen text, safe to display: control characters escaped,
/// at most 64 characters.
pub(crate) fn display(s: &str) -> String {
    let mut out: String = s.chars().take(64).flat_map(char::escape_debug).collect();
    if s.chars().nth(64).is_some() {
        out.push('…');
    }
    out
}

/// Every encoding a credential value may travel in (percent, form, JSON escapes): see
/// [`crate::redact::encodings`].
pub(crate) fn value_forms(value: &str) -> Vec<String> {
    crate::redact::encodings(value)
}

/// Whether `text` carries one of `forms`, as written or once percent-decoded (so `ab%2Bcd`, `ab%2bcd` and
/// any other percent-encoding of `ab+cd` count).
pub(crate) fn carries(text: &str, forms: &[String]) -> bool {
    if forms.iter().any(|f| text.contains(f.as_str())) {
        return true;
    }
    if !text.contains('%') {
        return false;
    }
    let decoded = percent_decode_str(text).decode_utf8_lossy();
    forms.iter().any(|f| decoded.contains(f.as_str()))
}

/// Each credential worth searching for (4+ bytes) with its forms, longest value first.
fn labelled_forms(run: &Run) -> Vec<(&Credential, Vec<String>)> {
    let mut creds: Vec<&Credential> = run
        .credentials
        .iter()
        .filter(|c| c.value.len() >= 4)
        .collect();
    creds.sort_by_key(|c| std::cmp::Reverse(c.value.len()));
    creds
        .into_iter()
        .map(|c| (c, value_forms(&c.value)))
        .collect()
}

/// A piece of traffic shown in evidence only when short and plain: no control or invisible formatting
/// characters, at most 64 characters (it is never cut, so a secret in it is never cut either).
const SHOWN_MAX_CHARS: usize = 64;
/// Rough budget of a scrubbed URL or header value: pieces past it are dropped whole, marked `…`.
const SCRUBBED_MAX_CHARS: usize = 240;

fn plain(s: &str) -> bool {
    s.chars().count() <= SHOWN_MAX_CHARS
        && !s.chars().any(|c| {
            c.is_control()
                || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
        })
}

fn opaque(s: &str) -> String {
    format!("‹{} chars›", s.chars().count())
}

/// Structure text (a host, a path segment, a parameter name): credential values replaced by their
/// labels, shown when plain, else only its length.
fn structure(labels: &[(&Credential, Vec<String>)], s: &str) -> String {
    let mut out = s.to_string();
    for (c, forms) in labels {
        for f in forms {
            if out.contains(f.as_str()) {
                out = out.replace(f.as_str(), &format!("‹{}›", c.label));
            }
        }
    }
    if plain(&out) { out } else { opaque(s) }
}

/// A value (query, fragment, path parameter), as written in the URL: only ever shown as a credential label
/// or a length, never as text. An unknown value may be the password or a token the run never registered.
fn value(labels: &[(&Credential, Vec<String>)], raw: &str) -> String {
    if raw.is_empty() {
        return String::new();
    }
    let decoded = [raw.to_string(), percent_decoded(raw), form_decoded(raw)];
    let shown_len = decoded[1].chars().count();
    if let Some((c, _)) = labels
        .iter()
        .find(|(_, forms)| forms.iter().any(|f| decoded.contains(f)))
    {
        return format!("‹{}›", c.label);
    }
    let within: Vec<String> = labels
        .iter()
        .filter(|(_, forms)| {
            forms
                .iter()
                .any(|f| decoded.iter().any(|d| d.contains(f.as_str())))
        })
        .map(|(c, _)| format!("‹{}›", c.label))
        .collect();
    if within.is_empty() {
        format!("‹{shown_len} chars›")
    } else {
        format!("‹{shown_len} chars carrying {}›", list(&within))
    }
}

fn percent_decoded(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

fn form_decoded(s: &str) -> String {
    percent_decoded(&s.replace('+', " "))
}

/// Pieces joined up to [`SCRUBBED_MAX_CHARS`]; a piece that does not fit is dropped whole for `…`.
fn join_pieces(pieces: Vec<String>) -> String {
    let mut out = String::new();
    let mut n = 0;
    for p in pieces {
        let len = p.chars().count();
        if n + len > SCRUBBED_MAX_CHARS {
            out.push('…');
            break;
        }
        n += len;
        out.push_str(&p);
    }
    out
}

/// `a=1&b` (query or fragment) as pieces: names shown, values as labels or lengths.
fn pairs(labels: &[(&Credential, Vec<String>)], s: &str, pieces: &mut Vec<String>) {
    for (i, pair) in s.split('&').enumerate() {
        let sep = if i > 0 { "&" } else { "" };
        match pair.split_once('=') {
            Some((k, v)) => pieces.push(format!(
                "{sep}{}={}",
                structure(labels, &form_decoded(k)),
                value(labels, v)
            )),
            // A bare item (`#token`, `?abc`) is a value as much as a name.
            None => pieces.push(format!("{sep}{}", value(labels, pair))),
        }
    }
}

/// A URL (absolute, or relative as in a Location header) safe for evidence: scheme, host, port and path
/// segments shown (credential values replaced by their labels; odd or long segments by their length);
/// user-info hidden; query, fragment and path-parameter values only ever as a credential label or a length,
/// never as text. No piece is ever cut: a secret is shown whole to the redactor or not at all.
pub(crate) fn scrub_url(run: &Run, raw: &str) -> String {
    let labels = labelled_forms(run);
    let labels = labels.as_slice();
    let base = url::Url::parse("http://relative.invalid/").expect("valid base");
    let (url, relative) = match url::Url::parse(raw) {
        Ok(u) => (u, false),
        Err(_) => match base.join(raw) {
            Ok(u) => (u, true),
            Err(_) => return format!("‹unparsable URL of {} chars›", raw.chars().count()),
        },
    };
    let mut pieces: Vec<String> = Vec::new();
    let host_of = |pieces: &mut Vec<String>| {
        pieces.push("//".into());
        if !url.username().is_empty() || url.password().is_some() {
            pieces.push("‹user-info›@".into());
        }
        pieces.push(structure(labels, url.host_str().unwrap_or("")));
        if let Some(port) = url.port() {
            pieces.push(format!(":{port}"));
        }
    };
    if !relative {
        pieces.push(format!("{}:", url.scheme()));
        if url.cannot_be_a_base() {
            pieces.push(value(labels, url.path()));
            return join_pieces(pieces);
        }
        host_of(&mut pieces);
    } else if raw.trim_start().starts_with("//") {
        host_of(&mut pieces);
    }
    for segment in url.path().split('/').skip(1) {
        let mut parts = segment.split(';');
        let name = parts.next().unwrap_or("");
        pieces.push(format!("/{}", structure(labels, &percent_decoded(name))));
        for param in parts {
            match param.split_once('=') {
                Some((k, v)) => pieces.push(format!(
                    ";{}={}",
                    structure(labels, &percent_decoded(k)),
                    value(labels, v)
                )),
                None => pieces.push(format!(";{}", value(labels, param))),
            }
        }
    }
    if let Some(q) = url.query() {
        pieces.push("?".into());
        pairs(labels, q, &mut pieces);
    }
    if let Some(f) = url.fragment() {
        pieces.push("#".into());
        pairs(labels, f, &mut pieces);
    }
    join_pieces(pieces)
}

/// Directives of Strict-Transport-Security.
pub(crate) const HSTS_DIRECTIVES: &[&str] = &["max-age", "includesubdomains", "preload"];
/// Directives of Cache-Control (RFC 9111 and common extensions).
pub(crate) const CACHE_DIRECTIVES: &[&str] = &[
    "no-store",
    "no-cache",
    "private",
    "public",
    "max-age",
    "s-maxage",
    "must-revalidate",
    "proxy-revalidate",
    "must-understand",
    "no-transform",
    "immutable",
    "stale-while-revalidate",
    "stale-if-error",
];

/// A directive header value (`max-age=300, no-store`) safe for evidence: known directive names and numeric
/// values shown, anything else only as its length.
pub(crate) fn scrub_directives(v: &str, known: &[&str]) -> String {
    let mut pieces = Vec::new();
    // Each item with the separator before it (`,` or `;`).
    let mut sep = None;
    let mut rest = v;
    loop {
        let end = rest.find([',', ';']).unwrap_or(rest.len());
        let item = rest[..end].trim();
        if !item.is_empty() {
            let (name, val) = match item.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim())),
                None => (item, None),
            };
            let mut piece = match sep {
                Some(c) if !pieces.is_empty() => format!("{c} "),
                _ => String::new(),
            };
            if known.iter().any(|k| k.eq_ignore_ascii_case(name)) {
                piece.push_str(name);
            } else {
                piece.push_str(&format!(
                    "‹unknown directive of {} chars›",
                    name.chars().count()
                ));
            }
            if let Some(val) = val {
                let digits = val.trim_matches('"');
                piece.push('=');
                if !digits.is_empty()
                    && digits.len() <= 20
                    && digits.bytes().all(|b| b.is_ascii_digit())
                {
                    piece.push_str(val);
                } else {
                    piece.push_str(&opaque(val));
                }
            }
            pieces.push(piece);
        }
        let Some(c) = rest[end..].chars().next() else {
            break;
        };
        sep = Some(c);
        rest = &rest[end + 1..];
    }
    join_pieces(pieces)
}

/// Text we wrote (an exchange label) with any credential value replaced by its label, safe to display.
pub(crate) fn scrub_label(run: &Run, text: &str) -> String {
    let labels = labelled_forms(run);
    let mut out = text.to_string();
    for (c, forms) in &labels {
        for f in forms {
            if out.contains(f.as_str()) {
                out = out.replace(f.as_str(), &format!("‹{}›", c.label));
            }
        }
    }
    display_long(&out)
}

/// Like [`display`] with room for a label (200 characters).
fn display_long(s: &str) -> String {
    let mut out: String = s.chars().take(200).flat_map(char::escape_debug).collect();
    if s.chars().nth(200).is_some() {
        out.push('…');
    }
    out
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// The scenario an exchange belongs to: each scenario starts at its first login event or first issued
/// credential; exchanges before every start (a prefetch) belong to the first scenario.
pub(crate) fn scenario_of_exchange(run: &Run, exchange_id: u32) -> Option<String> {
    let mut starts: Vec<(u32, &str)> = Vec::new();
    let marks = run
        .events
        .iter()
        .map(|e| (e.exchange_id, e.scenario.as_str()));
    for (id, scenario) in marks.chain(
        run.credentials
            .iter()
            .map(|c| (c.issued_by, c.scenario.as_str())),
    ) {
        match starts.iter_mut().find(|(_, s)| *s == scenario) {
            Some(entry) => entry.0 = entry.0.min(id),
            None => starts.push((id, scenario)),
        }
    }
    starts.sort();
    starts
        .iter()
        .rev()
        .find(|(start, _)| *start <= exchange_id)
        .or(starts.first())
        .map(|(_, s)| s.to_string())
        .or_else(|| run.scenarios.first().cloned())
}

pub(crate) fn is_success(status: Option<u16>) -> bool {
    matches!(status, Some(200..=299))
}

/// How bad a status is, for picking the worst of several verdicts.
pub(crate) fn rank(status: Status) -> u8 {
    match status {
        Status::Pass => 0,
        Status::Info => 1,
        Status::NotTested => 2,
        Status::Warn => 3,
        Status::Fail => 4,
    }
}

#[cfg(test)]
pub(crate) mod testkit {
    //! Hand-built runs for the checks' unit tests.

    use crate::checks::{CheckConfig, run_all};
    use crate::model::*;

    pub const T0: Millis = 1_795_329_000_000;
    pub const BASE: &str = "https://app.example.com";

    pub struct RunBuilder {
        pub run: Run,
    }

    impl Default for RunBuilder {
        fn default() -> Self {
            Self::new()
        }
    }

    impl RunBuilder {
        pub fn new() -> Self {
            RunBuilder {
                run: Run {
                    id: "run".into(),
                    profile_name: "test".into(),
                    targets: vec![BASE.into()],
                    scenarios: vec!["lifecycle".into()],
                    started_at: T0,
                    finished_at: None,
                    status: RunStatus::Completed,
                    error: None,
                    exchanges: vec![],
                    credentials: vec![],
                    observations: vec![],
                    events: vec![],
                    findings: vec![],
                    results: Vec::new(),
                    jwt_keys: Vec::new(),
                    revealed: false,
                },
            }
        }

        pub fn build(self) -> Run {
            self.run
        }

        pub fn finding(&self, id: &str) -> Finding {
            self.finding_with(id, &CheckConfig::default())
        }

        pub fn finding_with(&self, id: &str, cfg: &CheckConfig) -> Finding {
            run_all(&self.run, cfg)
                .into_iter()
                .find(|f| f.check_id == id)
                .unwrap()
        }

        pub fn at(id: u32) -> Millis {
            T0 + i64::from(id) * 1000
        }

        /// A one-hop exchange answered 200; `path` is relative to BASE unless it has a scheme.
        pub fn exchange(&mut self, step: StepKind, purpose: Purpose, path: &str) -> u32 {
            let id = self.run.exchanges.len() as u32 + 1;
            let url = if path.contains("://") {
                path.to_string()
            } else {
                format!("{BASE}{path}")
            };
            self.run.exchanges.push(Exchange {
                id,
                step,
                purpose,
                label: step.as_str().into(),
                started_at: Self::at(id),
                duration_ms: 10.0,
                hops: vec![],
                error: None,
            });
            self.hop(id, &url, 200);
            id
        }

        /// Another hop (a followed redirect) answered `status`.
        pub fn hop(&mut self, id: u32, url: &str, status: u16) {
            let e = self.ex(id);
            e.hops.push(Hop {
                request: RequestRecord {
                    method: "GET".into(),
                    url: url.into(),
                    headers: vec![],
                    body: Body::default(),
                },
                response: Some(ResponseRecord {
                    status,
                    http_version: "HTTP/1.1".into(),
                    headers: vec![],
                    set_cookies: vec![],
                    body: Body::default(),
                }),
                started_at: Self::at(id),
                ttfb_ms: 5.0,
                duration_ms: 5.0,
            });
        }

        pub fn ex(&mut self, id: u32) -> &mut Exchange {
            self.run.exchanges.iter_mut().find(|e| e.id == id).unwrap()
        }

        fn last_response(&mut self, id: u32) -> &mut ResponseRecord {
            self.ex(id)
                .hops
                .last_mut()
                .unwrap()
                .response
                .as_mut()
                .unwrap()
        }

        pub fn status(&mut self, id: u32, status: u16) -> &mut Self {
            self.last_response(id).status = status;
            self
        }

        pub fn no_response(&mut self, id: u32) -> &mut Self {
            self.ex(id).hops.last_mut().unwrap().response = None;
            self
        }

        pub fn resp_header(&mut self, id: u32, name: &str, value: &str) -> &mut Self {
            self.last_response(id).headers.push(Header {
                name: name.into(),
                value: value.into(),
                raw_bytes_escaped: false,
            });
            self
        }

        pub fn resp_body(&mut self, id: u32, text: &str) -> &mut Self {
            self.last_response(id).body = Body::from_bytes(text.as_bytes(), false);
            self
        }

        pub fn set_cookie(&mut self, id: u32, line: &str) -> &mut Self {
            self.resp_header(id, "Set-Cookie", line);
            self.last_response(id).set_cookies.push(line.into());
            self
        }

        pub fn req_header(&mut self, id: u32, name: &str, value: &str) -> &mut Self {
            self.ex(id)
                .hops
                .first_mut()
                .unwrap()
                .request
                .headers
                .push(Header {
                    name: name.into(),
                    value: value.into(),
                    raw_bytes_escaped: false,
                });
            self
        }

        pub fn req_body(&mut self, id: u32, text: &str) -> &mut Self {
            let req = &mut self.ex(id).hops.first_mut().unwrap().request;
            req.method = "POST".into();
            req.body = Body::from_bytes(text.as_bytes(), false);
            self
        }

        /// A credential issued by exchange `by` (generation and label counted per name and scenario).
        pub fn credential(
            &mut self,
            name: &str,
            kind: CredentialKind,
            value: &str,
            carrier: Carrier,
            by: u32,
            scenario: &str,
        ) -> u32 {
            let id = self.run.credentials.len() as u32 + 1;
            let generation = self
                .run
                .credentials
                .iter()
                .filter(|c| c.name == name && c.scenario == scenario && c.kind == kind)
                .count() as u32
                + 1;
            let issued_in = self.run.exchange(by).map_or(StepKind::Login, |e| e.step);
            let cookie = match &carrier {
                Carrier::Cookie { raw, .. } => {
                    let url = url::Url::parse(BASE).unwrap();
                    crate::cookies::parse_set_cookie(raw, &url, Self::at(by)).ok()
                }
                _ => None,
            };
            let jwt = crate::tokens::jwt::decode(value);
            let declared_expiry = jwt.as_ref().and_then(|j| j.exp).map(|e| e * 1000);
            self.run.credentials.push(Credential {
                id,
                name: name.into(),
                kind,
                generation,
                label: format!("{name} #{generation}"),
                value: value.into(),
                fingerprint: crate::redact::fingerprint(value),
                carrier,
                issued_at: Self::at(by),
                issued_by: by,
                issued_in,
                scenario: scenario.into(),
                declared_expiry,
                expiry_source: declared_expiry.map(|_| ExpirySource::JwtExp),
                jwt,
                cookie,
                verification: None,
            });
            id
        }

        /// A cookie credential: the Set-Cookie line on exchange `by` plus the credential it carries.
        pub fn cookie_credential(
            &mut self,
            name: &str,
            kind: CredentialKind,
            line: &str,
            by: u32,
            scenario: &str,
        ) -> u32 {
            self.set_cookie(by, line);
            let (pair, _) = line.split_once(';').unwrap_or((line, ""));
            let (cookie_name, value) = pair.split_once('=').unwrap();
            let carrier = Carrier::Cookie {
                name: cookie_name.trim().into(),
                raw: line.into(),
            };
            self.credential(name, kind, value.trim(), carrier, by, scenario)
        }

        pub fn json_credential(
            &mut self,
            name: &str,
            kind: CredentialKind,
            value: &str,
            by: u32,
            scenario: &str,
        ) -> u32 {
            let pointer = format!("/{name}_token");
            self.resp_body(by, &format!("{{\"{name}_token\":\"{value}\"}}"));
            self.credential(
                name,
                kind,
                value,
                Carrier::JsonBody { pointer },
                by,
                scenario,
            )
        }

        pub fn expiry(&mut self, cred: u32, at: Option<Millis>) -> &mut Self {
            let c = self
                .run
                .credentials
                .iter_mut()
                .find(|c| c.id == cred)
                .unwrap();
            c.declared_expiry = at;
            self
        }

        pub fn observe(
            &mut self,
            cred: u32,
            exchange: u32,
            verdict: Verdict,
            purpose: Purpose,
        ) -> &mut Self {
            let status = match verdict {
                Verdict::Accepted => 200,
                Verdict::Rejected => 401,
                Verdict::Inconclusive => 503,
            };
            self.run.observations.push(Observation {
                credential_id: cred,
                at: Self::at(exchange),
                exchange_id: exchange,
                verdict,
                purpose,
                after_event: None,
                status: Some(status),
                replica: None,
            });
            self
        }

        pub fn event(&mut self, kind: FlowEventKind, exchange: u32, scenario: &str) -> &mut Self {
            self.run.events.push(FlowEvent {
                kind,
                at: Self::at(exchange) + 500,
                exchange_id: exchange,
                scenario: scenario.into(),
            });
            if !self.run.scenarios.iter().any(|s| s == scenario) {
                self.run.scenarios.push(scenario.into());
            }
            self
        }
    }

    /// An unsigned-looking JWT with these claims (the checks never verify signatures).
    pub fn jwt(claims: &str) -> String {
        let b = crate::tokens::jwt::b64url;
        format!(
            "{}.{}.{}",
            b(br#"{"alg":"HS256","typ":"JWT"}"#),
            b(claims.as_bytes()),
            b(&[1; 32])
        )
    }
}
