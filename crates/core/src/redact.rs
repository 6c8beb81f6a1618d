//! Secrets out of everything that leaves memory: storage, logs, reports, exports.
//!
//! Three layers. Known secrets (the password, every captured credential value) are replaced wherever they
//! appear, in every encoding they may travel in (percent-encoded, form-encoded, JSON-escaped with `\/` and
//! `\uXXXX` variants): URLs, headers, bodies. Unless the user asked to reveal, any JWT-shaped string is then
//! masked too, known or not (a token issued in answer to a replay was never registered), and values in the
//! places secrets live by convention (Cookie, Set-Cookie, Authorization) are masked whatever they are, so a
//! cookie the profile did not declare still never lands in the history DB. The password is never revealed.
//!
//! The password is replaced whatever its length: a very short password also masks innocent text that
//! happens to contain it (`ab` turns every `ab` into `‹password›`). That is the price of "never stored".

use std::borrow::Cow;
use std::sync::LazyLock;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::{Digest, Sha256};

use crate::model::{
    Body, Carrier, Credential, Exchange, Finding, Header, Hop, RequestRecord, ResponseRecord, Run,
};

/// Shortest credential value treated as a secret for blind replacement; shorter ones would match innocent
/// text. The password has no minimum.
const MIN_SECRET_LEN: usize = 4;

/// Values shorter than this (in characters) get no fingerprint and no prefix: an unsalted 48-bit hash of a
/// short value can be brute-forced back to the value.
pub const MIN_FINGERPRINT_CHARS: usize = 16;

/// sha256 of a value, first 12 hex digits: lets a user correlate values without seeing them. Reversible by
/// brute force for short values: for anything stored or shown use [`safe_fingerprint`].
pub fn fingerprint(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    hex::encode(&digest[..6])
}

/// [`fingerprint`] for values of at least [`MIN_FINGERPRINT_CHARS`] characters, `""` for shorter ones.
pub fn safe_fingerprint(value: &str) -> String {
    if value.chars().count() < MIN_FINGERPRINT_CHARS {
        String::new()
    } else {
        fingerprint(value)
    }
}

/// How a secret shows once redacted: hash plus a short prefix, e.g. `‹eyJhbG… #1a2b3c4d5e6f›`; a value
/// shorter than [`MIN_FINGERPRINT_CHARS`] only shows its length: `‹redacted, 8 chars›`.
pub fn mask(value: &str) -> String {
    let n = value.chars().count();
    if n < MIN_FINGERPRINT_CHARS {
        return format!("‹redacted, {n} chars›");
    }
    let keep = if n >= 20 { 6 } else { 3 };
    let prefix: String = value.chars().take(keep).collect();
    format!("‹{prefix}… #{}›", fingerprint(value))
}

const PASSWORD_MASK: &str = "‹password›";
const SIGNING_SECRET_MASK: &str = "‹jwt-secret›";

/// A JWS (three segments) or JWE (five, the key segment possibly empty) compact serialization. [`mask`]
/// output never matches: it keeps at most 6 characters before `…`.
static JWT_SHAPE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*|eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*",
    )
    .expect("valid regex")
});

/// What JavaScript's `encodeURIComponent` leaves alone: letters, digits and `-_.!~*'()`.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Longest value (bytes) whose `\uXXXX` variants are generated.
const MAX_ESCAPED_VARIANTS_LEN: usize = 64 * 1024;

/// Which characters a JSON encoder writes as `\uXXXX`.
#[derive(Clone, Copy)]
enum Escaping {
    /// Everything but ASCII letters and digits (the most an encoder escapes).
    NonAlphanumeric,
    /// System.Text.Json's default: non-ASCII, controls and `"&'+<>` and backtick (`+` is `\u002B`).
    HtmlSafe,
    /// Non-ASCII only (Python's `ensure_ascii`, PHP without `JSON_UNESCAPED_UNICODE`).
    NonAscii,
}

impl Escaping {
    fn escapes(self, c: char) -> bool {
        match self {
            Escaping::NonAlphanumeric => !c.is_ascii_alphanumeric(),
            Escaping::HtmlSafe => {
                !c.is_ascii()
                    || c.is_ascii_control()
                    || matches!(c, '"' | '&' | '\'' | '+' | '<' | '>' | '`')
            }
            Escaping::NonAscii => !c.is_ascii(),
        }
    }
}

/// A JSON string body (no quotes) with the characters `escaping` picks written as `\uXXXX` (UTF-16 units, hex
/// in the case asked) and the rest escaped as JSON requires.
fn u_escape(value: &str, escaping: Escaping, upper: bool) -> String {
    let mut out = String::with_capacity(value.len() * 2);
    let unit = |out: &mut String, u: u16| {
        if upper {
            out.push_str(&format!("\\u{u:04X}"));
        } else {
            out.push_str(&format!("\\u{u:04x}"));
        }
    };
    for c in value.chars() {
        if escaping.escapes(c) {
            let mut buf = [0u16; 2];
            for u in c.encode_utf16(&mut buf) {
                unit(&mut out, *u);
            }
            continue;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() && (c as u32) < 0x20 => unit(&mut out, c as u16),
            c => out.push(c),
        }
    }
    out
}

/// `%2B` → `%2b`.
fn lower_hex_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut hex_left = 0;
    for c in s.chars() {
        if hex_left > 0 {
            out.push(c.to_ascii_lowercase());
            hex_left -= 1;
        } else {
            if c == '%' {
                hex_left = 2;
            }
            out.push(c);
        }
    }
    out
}

/// Every form a value may take in a URL, a form or a JSON body, the value itself first, without
/// duplicates: form-encoded (`+` or `%20` for a space), percent-encoded (`NON_ALPHANUMERIC` in upper- and
/// lower-case hex, `encodeURIComponent`), JSON-escaped (serde_json, `\/` slashes, `\uXXXX` escapes of
/// non-alphanumerics / HTML-sensitive characters / non-ASCII in upper- and lower-case hex).
pub(crate) fn encodings(value: &str) -> Vec<String> {
    fn add(out: &mut Vec<String>, s: String) {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    let mut out = Vec::new();
    add(&mut out, value.to_string());
    let form: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    // Form encoding writes a space as `+` and a `+` as `%2B`: every `+` left is a space.
    add(&mut out, form.replace('+', "%20"));
    add(&mut out, form);
    let percent = utf8_percent_encode(value, NON_ALPHANUMERIC).to_string();
    add(&mut out, lower_hex_escapes(&percent));
    add(&mut out, percent);
    add(
        &mut out,
        utf8_percent_encode(value, URI_COMPONENT).to_string(),
    );
    let mut json = Vec::new();
    if let Ok(j) = serde_json::to_string(value) {
        json.push(j[1..j.len() - 1].to_string());
    }
    // Real tokens and passwords are far shorter; a hostile multi-megabyte "token" gets the common forms
    // only, not six `\uXXXX` copies of up to six times its size.
    if value.len() > MAX_ESCAPED_VARIANTS_LEN {
        for j in json {
            add(&mut out, j);
        }
        return out;
    }
    for escaping in [
        Escaping::NonAlphanumeric,
        Escaping::HtmlSafe,
        Escaping::NonAscii,
    ] {
        for upper in [true, false] {
            json.push(u_escape(value, escaping, upper));
        }
    }
    for j in json {
        if j.contains('/') {
            add(&mut out, j.replace('/', "\\/"));
        }
        add(&mut out, j);
    }
    out
}

#[derive(Clone, Default)]
pub struct Redactor {
    reveal: bool,
    /// (form, replacement), longest first so a token containing another is replaced whole. Password forms
    /// are the ones replaced by [`PASSWORD_MASK`].
    secrets: Vec<(String, String)>,
}

/// Never prints the secrets it holds.
impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("reveal", &self.reveal)
            .field("forms", &self.secrets.len())
            .finish()
    }
}

impl Redactor {
    pub fn new(reveal: bool) -> Self {
        Redactor {
            reveal,
            secrets: Vec::new(),
        }
    }

    /// The redactor for a finished run: its password and every credential it captured.
    pub fn for_run(run: &Run, password: &str, reveal: bool) -> Self {
        let mut r = Redactor::new(reveal);
        r.add_password(password);
        for c in &run.credentials {
            r.add_secret(&c.value);
        }
        r
    }

    pub fn reveals(&self) -> bool {
        self.reveal
    }

    /// The password is replaced everywhere, always, whatever its length, in every encoding of
    /// [`encodings`]. A very short password also masks innocent text containing it: the price of never
    /// storing it.
    pub fn add_password(&mut self, password: &str) {
        if password.is_empty() {
            return;
        }
        for f in encodings(password) {
            self.insert(f, PASSWORD_MASK.to_string());
        }
    }

    /// A JWT signing secret the user configured: like the password, masked everywhere and never revealed.
    pub fn add_signing_secret(&mut self, secret: &str) {
        if secret.len() < MIN_SECRET_LEN {
            return;
        }
        for f in encodings(secret) {
            self.insert(f, SIGNING_SECRET_MASK.to_string());
        }
    }

    /// A credential value: replaced by its mask (in every encoding) unless revealing.
    pub fn add_secret(&mut self, value: &str) {
        if self.reveal || value.len() < MIN_SECRET_LEN {
            return;
        }
        let m = mask(value);
        for f in encodings(value) {
            self.insert(f, m.clone());
        }
    }

    fn insert(&mut self, secret: String, replacement: String) {
        if secret.is_empty() {
            return;
        }
        if let Some(i) = self.secrets.iter().position(|(s, _)| *s == secret) {
            // A credential equal to (an encoding of) the password must not show its prefix or hash.
            if replacement == PASSWORD_MASK {
                self.secrets[i].1 = replacement;
            }
            return;
        }
        let pos = self
            .secrets
            .partition_point(|(s, _)| s.len() >= secret.len());
        self.secrets.insert(pos, (secret, replacement));
    }

    fn is_password_form(&self, s: &str) -> bool {
        self.secrets
            .iter()
            .any(|(f, r)| r == PASSWORD_MASK && f == s)
    }

    /// Every known form replaced, longest first (only the password's when `only_password`).
    fn replace_known<'a>(&self, s: Cow<'a, str>, only_password: bool) -> Cow<'a, str> {
        let mut out = s;
        for (secret, replacement) in &self.secrets {
            if only_password && replacement != PASSWORD_MASK {
                continue;
            }
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), replacement));
            }
        }
        out
    }

    /// JWT-shaped strings masked. With `spare_known`, a match that is (part of) a registered secret is left
    /// for the known-secret pass, which replaces the secret whole (a credential under its own fingerprint).
    fn backstop<'a>(&self, s: Cow<'a, str>, spare_known: bool) -> Cow<'a, str> {
        if !JWT_SHAPE.is_match(&s) {
            return s;
        }
        let out = JWT_SHAPE.replace_all(&s, |caps: &regex::Captures| {
            let m = &caps[0];
            let mut containing = self
                .secrets
                .iter()
                .filter(|(f, _)| f.contains(m))
                .peekable();
            if spare_known && containing.peek().is_some() {
                m.to_string()
            } else if containing.any(|(_, r)| r == PASSWORD_MASK) {
                PASSWORD_MASK.to_string()
            } else {
                mask(m)
            }
        });
        Cow::Owned(out.into_owned())
    }

    /// Replace every known secret in a string and, unless revealing, mask any JWT-shaped string. Unknown
    /// JWTs are masked before the known secrets are replaced (a short password inside one must not break
    /// it into pieces the backstop no longer recognizes) and again after (what is left).
    pub fn text<'a>(&self, s: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(s);
        if !self.reveal {
            out = self.backstop(out, true);
        }
        out = self.replace_known(out, false);
        if !self.reveal {
            out = self.backstop(out, false);
        }
        out
    }

    fn body(&self, b: &Body) -> Body {
        let mut b = b.clone();
        if let Some(t) = &b.text {
            b.text = Some(self.text(t).into_owned());
        }
        // A binary body is kept as is only when it holds nothing secret-looking: secrets could hide in it
        // undetectably. The password is looked for even when revealing.
        if b.base64.is_some() && (!self.secrets.is_empty() || !self.reveal) {
            let bytes = b.bytes();
            let lossy = String::from_utf8_lossy(&bytes);
            let secret = self.secrets.iter().any(|(s, _)| lossy.contains(s.as_str()))
                || (!self.reveal && JWT_SHAPE.is_match(&lossy));
            if secret {
                b.base64 = None;
                b.text = Some(format!(
                    "‹binary body of {} bytes withheld: it contains a secret›",
                    b.size
                ));
            }
        }
        b
    }

    fn header(&self, h: &Header, request: bool) -> Header {
        let mut value = self.text(&h.value).into_owned();
        let name = h.name.to_ascii_lowercase();
        if matches!(name.as_str(), "authorization" | "proxy-authorization") {
            // Basic credentials are the password in base64: hidden even when revealing, and with no
            // fingerprint (a hash of a known username plus the password can be brute-forced).
            value = mask_basic(&value);
        }
        if !self.reveal {
            value = match name.as_str() {
                "cookie" if request => mask_cookie_pairs(&value),
                "set-cookie" if !request => mask_set_cookie(&value),
                "authorization" | "proxy-authorization" => mask_authorization(&value),
                _ => value,
            };
        }
        Header {
            name: h.name.clone(),
            value,
            raw_bytes_escaped: h.raw_bytes_escaped,
        }
    }

    fn request(&self, r: &RequestRecord) -> RequestRecord {
        RequestRecord {
            method: r.method.clone(),
            url: self.text(&r.url).into_owned(),
            headers: r.headers.iter().map(|h| self.header(h, true)).collect(),
            body: self.body(&r.body),
        }
    }

    fn response(&self, r: &ResponseRecord) -> ResponseRecord {
        ResponseRecord {
            status: r.status,
            http_version: r.http_version.clone(),
            headers: r.headers.iter().map(|h| self.header(h, false)).collect(),
            set_cookies: r
                .set_cookies
                .iter()
                .map(|l| {
                    let l = self.text(l).into_owned();
                    if self.reveal { l } else { mask_set_cookie(&l) }
                })
                .collect(),
            body: self.body(&r.body),
        }
    }

    pub fn exchange(&self, e: &Exchange) -> Exchange {
        Exchange {
            hops: e
                .hops
                .iter()
                .map(|h| Hop {
                    request: self.request(&h.request),
                    response: h.response.as_ref().map(|r| self.response(r)),
                    ..h.clone()
                })
                .collect(),
            error: e.error.as_ref().map(|err| crate::model::ErrorInfo {
                code: err.code.clone(),
                message: self.text(&err.message).into_owned(),
            }),
            label: self.text(&e.label).into_owned(),
            ..e.clone()
        }
    }

    /// A credential for storage or export: its value masked (unless revealing), its fingerprint from
    /// [`safe_fingerprint`], its Set-Cookie line and every string of its decoded JWT redacted, and the
    /// values of secret-looking claims (`password`, `client_secret`, `api_key`...) masked unless revealing.
    pub fn credential(&self, c: &Credential) -> Credential {
        let mut c = c.clone();
        let value = std::mem::take(&mut c.value);
        let is_password = self.is_password_form(&value);
        c.fingerprint = if is_password {
            String::new()
        } else {
            safe_fingerprint(&value)
        };
        c.value = if is_password {
            PASSWORD_MASK.to_string()
        } else if self.reveal {
            self.text(&value).into_owned()
        } else {
            self.masked(&value)
        };
        if let Carrier::Cookie { raw, .. } = &mut c.carrier {
            let line = self.text(raw).into_owned();
            *raw = if self.reveal {
                line
            } else {
                mask_set_cookie(&line)
            };
        }
        if let Some(j) = &mut c.jwt {
            for v in [&mut j.header, &mut j.claims].into_iter().flatten() {
                self.json(v);
            }
            for s in [&mut j.alg, &mut j.typ, &mut j.kid].into_iter().flatten() {
                self.text_in_place(s);
            }
            for s in &mut j.problems {
                self.text_in_place(s);
            }
        }
        c
    }

    /// [`mask`] of a value, with the password taken out of the prefix it keeps.
    fn masked(&self, value: &str) -> String {
        if self.is_password_form(value) {
            return PASSWORD_MASK.to_string();
        }
        self.replace_known(Cow::Owned(mask(value)), true)
            .into_owned()
    }

    fn text_in_place(&self, s: &mut String) {
        if let Cow::Owned(t) = self.text(s) {
            *s = t;
        }
    }

    /// Every string (keys included) through [`Redactor::text`]; unless revealing, the value of a
    /// secret-looking key is masked whole, whatever its type.
    fn json(&self, v: &mut serde_json::Value) {
        use serde_json::Value;
        match v {
            Value::String(s) => self.text_in_place(s),
            Value::Array(items) => {
                for item in items {
                    self.json(item);
                }
            }
            Value::Object(map) => {
                for (k, mut child) in std::mem::take(map) {
                    if !self.reveal && crate::checks::is_secret_claim_key(&k) {
                        let shown = match &child {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        child = Value::String(self.masked(&shown));
                    } else {
                        self.json(&mut child);
                    }
                    map.insert(self.text(&k).into_owned(), child);
                }
            }
            _ => {}
        }
    }

    /// A finding's summary and evidence redacted (checks never write a value, but they quote traffic).
    pub fn finding(&self, f: &Finding) -> Finding {
        let mut f = f.clone();
        f.summary = self.text(&f.summary).into_owned();
        for ev in &mut f.evidence {
            ev.location = self.text(&ev.location).into_owned();
            ev.detail = self.text(&ev.detail).into_owned();
        }
        f
    }

    pub fn run(&self, r: &Run) -> Run {
        Run {
            exchanges: r.exchanges.iter().map(|e| self.exchange(e)).collect(),
            credentials: r.credentials.iter().map(|c| self.credential(c)).collect(),
            findings: r.findings.iter().map(|f| self.finding(f)).collect(),
            error: r.error.as_ref().map(|e| crate::model::ErrorInfo {
                code: e.code.clone(),
                message: self.text(&e.message).into_owned(),
            }),
            revealed: self.reveal,
            ..r.clone()
        }
    }
}

fn already_masked(v: &str) -> bool {
    v.starts_with('‹')
}

/// `a=1; b=2` → `a=‹…›; b=‹…›`
fn mask_cookie_pairs(v: &str) -> String {
    v.split(';')
        .map(|pair| {
            let pair = pair.trim();
            match pair.split_once('=') {
                Some((n, val)) if !val.is_empty() && !already_masked(val) => {
                    format!("{n}={}", mask(val))
                }
                _ => pair.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `sid=abc; Path=/; HttpOnly` → `sid=‹…›; Path=/; HttpOnly` (attributes stay: they are the point).
fn mask_set_cookie(line: &str) -> String {
    let (first, rest) = match line.find(';') {
        Some(i) => (&line[..i], &line[i..]),
        None => (line, ""),
    };
    match first.split_once('=') {
        Some((n, val)) if !val.trim().is_empty() && !already_masked(val.trim()) => {
            format!("{n}={}{rest}", mask(val.trim()))
        }
        _ => line.to_string(),
    }
}

const BASIC_MASK: &str = "‹redacted: contains the password›";

/// `Basic dXNlcjpwYXNz` → `Basic ‹redacted: contains the password›`; other schemes unchanged.
fn mask_basic(v: &str) -> String {
    match v.trim_start().split_once(' ') {
        Some((scheme, cred)) if scheme.eq_ignore_ascii_case("basic") && !cred.trim().is_empty() => {
            format!("{scheme} {BASIC_MASK}")
        }
        _ => v.to_string(),
    }
}

/// `Bearer xyz` → `Bearer ‹…›`; Basic credentials are already hidden by [`mask_basic`].
fn mask_authorization(v: &str) -> String {
    match v.split_once(' ') {
        Some((scheme, cred)) if !already_masked(cred.trim()) => {
            format!("{scheme} {}", mask(cred.trim()))
        }
        Some(_) => v.to_string(),
        None if already_masked(v) => v.to_string(),
        None => mask(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_replaced_in_all_its_encodings_even_when_revealing() {
        let mut r = Redactor::new(true);
        r.add_password("p@ss word\"x");
        let s = "a=p%40ss+word%22x&b={\"p\":\"p@ss word\\\"x\"} raw p@ss word\"x";
        let out = r.text(s);
        assert!(!out.contains("p@ss"), "{out}");
        assert!(!out.contains("p%40ss"), "{out}");
        assert_eq!(out.matches(PASSWORD_MASK).count(), 3, "{out}");
    }

    #[test]
    fn a_short_password_is_replaced_in_percent_and_unicode_escaped_forms() {
        for reveal in [false, true] {
            let mut r = Redactor::new(reveal);
            r.add_password("é +");
            let forms = [
                "é +",             // raw
                "%C3%A9%20%2B",    // NON_ALPHANUMERIC, %20 for the space
                "%c3%a9%20%2b",    // lower-case hex
                "%C3%A9+%2B",      // form-encoded
                "\\u00E9 \\u002B", // System.Text.Json
                "\\u00e9 +",       // Python ensure_ascii
                "\\u00E9\\u0020\\u002B",
            ];
            for f in forms {
                let out = r.text(&format!("<{f}>")).into_owned();
                assert_eq!(out, format!("<{PASSWORD_MASK}>"), "{f}");
            }
        }
        // One character long: replaced too (and innocent text with it: the documented price).
        let mut r = Redactor::new(false);
        r.add_password("q");
        assert_eq!(r.text("a q b"), format!("a {PASSWORD_MASK} b"));
    }

    #[test]
    fn a_secret_is_replaced_in_its_json_and_percent_encodings() {
        let secret = "ab+cd/ef==ghij<k>";
        let mut r = Redactor::new(false);
        r.add_secret(secret);
        let m = mask(secret);
        for form in [
            secret,
            "ab%2Bcd%2Fef%3D%3Dghij%3Ck%3E",       // NON_ALPHANUMERIC
            "ab%2bcd%2fef%3d%3dghij%3ck%3e",       // lower-case hex
            "ab%2Bcd%2Fef%3D%3Dghij%3Ck%3E",       // form (same here)
            "ab+cd\\/ef==ghij<k>",                 // PHP `\/`
            "ab\\u002Bcd/ef==ghij\\u003Ck\\u003E", // System.Text.Json
            "ab\\u002bcd/ef==ghij\\u003ck\\u003e", // ... lower-case
            "ab\\u002Bcd\\u002Fef\\u003D\\u003Dghij\\u003Ck\\u003E", // every non-alphanumeric
        ] {
            let out = r.text(&format!("{{\"t\":\"{form}\"}}")).into_owned();
            assert_eq!(out, format!("{{\"t\":\"{m}\"}}"), "{form}");
        }
        // Alphanumeric values get no escaped variants.
        assert_eq!(encodings("abcDEF123"), vec!["abcDEF123".to_string()]);
    }

    #[test]
    fn unregistered_jwts_are_masked_unless_revealing() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVz";
        let jwe = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXYtYnl0ZXM.Y2lwaGVy.dGFn";
        let mut r = Redactor::new(false);
        // A short password that occurs inside the token must not break it into unrecognizable pieces.
        r.add_password("Ci");
        let out = r
            .text(&format!("{{\"access_token\":\"{jwt}\",\"e\":\"{jwe}\"}}"))
            .into_owned();
        assert_eq!(
            out,
            format!(
                "{{\"access_token\":\"{}\",\"e\":\"{}\"}}",
                mask(jwt),
                mask(jwe)
            )
        );
        assert!(!JWT_SHAPE.is_match(&mask(jwt)));
        assert_eq!(r.text(&out), out, "redacting twice changes nothing");
        // A registered token keeps its own mask.
        r.add_secret(jwt);
        assert_eq!(r.text(jwt), mask(jwt));
        let revealing = Redactor::new(true);
        assert_eq!(revealing.text(jwt), jwt);
        // Binary bodies carrying one are withheld.
        let mut bytes = vec![0xff, 0xfe];
        bytes.extend_from_slice(jwt.as_bytes());
        let b = Redactor::new(false).body(&Body::from_bytes(&bytes, false));
        assert!(b.base64.is_none() && b.text.unwrap().contains("withheld"));
    }

    #[test]
    fn credential_jwt_strings_and_secret_claims_are_redacted() {
        let password = "correct horse";
        let claims = serde_json::json!({
            "sub": "alice",
            "note": format!("pw is {password}"),
            "Client_Secret": "s3cr3t-value-for-the-client",
            "nested": {"apiKey": 12345, "list": ["x", password]},
        });
        let mut c = crate::report::testdata::sample_run().credentials[1].clone();
        c.value = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.c2ln".into();
        c.jwt = Some(crate::model::DecodedJwt {
            header: Some(serde_json::json!({"alg": "none", "kid": password})),
            claims: Some(claims),
            signature_len: 3,
            alg: Some("none".into()),
            typ: None,
            kid: Some(password.into()),
            iat: None,
            nbf: None,
            exp: None,
            problems: vec![format!("odd claim {password}")],
        });
        let mut r = Redactor::new(false);
        r.add_password(password);
        r.add_secret(&c.value);
        let out = r.credential(&c);
        let text = serde_json::to_string(&out).unwrap();
        for leak in ["correct horse", "value-for-the-client", "12345", "c2ln"] {
            assert!(!text.contains(leak), "{leak} in {text}");
        }
        let j = out.jwt.unwrap();
        let claims = j.claims.unwrap();
        assert_eq!(claims["sub"], "alice");
        assert_eq!(claims["note"], format!("pw is {PASSWORD_MASK}"));
        assert_eq!(claims["nested"]["apiKey"], "‹redacted, 5 chars›");
        assert_eq!(j.kid.as_deref(), Some(PASSWORD_MASK));
        // Revealing keeps claims but never the password.
        let mut r = Redactor::new(true);
        r.add_password(password);
        let shown = r.credential(&c);
        let claims = shown.jwt.unwrap().claims.unwrap();
        assert_eq!(claims["Client_Secret"], "s3cr3t-value-for-the-client");
        assert_eq!(claims["nested"]["list"][1], PASSWORD_MASK);
    }

    #[test]
    fn short_values_get_neither_prefix_nor_fingerprint() {
        assert_eq!(mask("abc123"), "‹redacted, 6 chars›");
        assert_eq!(mask("fifteen-chars-x"), "‹redacted, 15 chars›");
        assert!(mask("sixteen-chars-xx").starts_with("‹six… #"));
        assert_eq!(safe_fingerprint("fifteen-chars-x"), "");
        assert_eq!(
            safe_fingerprint("sixteen-chars-xx"),
            fingerprint("sixteen-chars-xx")
        );
        let mut c = crate::report::testdata::sample_run().credentials[0].clone();
        c.value = "short-sid".into();
        c.fingerprint = fingerprint("short-sid");
        let out = Redactor::new(false).credential(&c);
        assert_eq!(
            (out.value.as_str(), out.fingerprint.as_str()),
            ("‹redacted, 9 chars›", "")
        );
        // A credential equal to the password shows neither.
        let mut r = Redactor::new(true);
        r.add_password("short-sid");
        let out = r.credential(&c);
        assert_eq!(
            (out.value.as_str(), out.fingerprint.as_str()),
            (PASSWORD_MASK, "")
        );
    }

    #[test]
    fn basic_credentials_are_hidden_even_when_revealing() {
        let h = Header {
            name: "Authorization".into(),
            value: "Basic YWxpY2VAbGFiLnRlc3Q6aHVudGVyMg==".into(),
            raw_bytes_escaped: false,
        };
        for reveal in [false, true] {
            let out = Redactor::new(reveal).header(&h, true);
            assert_eq!(out.value, format!("Basic {BASIC_MASK}"));
        }
    }

    #[test]
    fn cookies_and_bearer_values_are_masked_but_attributes_kept() {
        let set = mask_set_cookie("sid=abcdef0123456789abcdef; Path=/; HttpOnly; Secure");
        assert!(set.starts_with("sid=‹abcdef… #"), "{set}");
        assert!(set.ends_with("; Path=/; HttpOnly; Secure"), "{set}");
        let c = mask_cookie_pairs("a=1234567890; b=zz");
        assert_eq!(c, "a=‹redacted, 10 chars›; b=‹redacted, 2 chars›");
        let a = mask_authorization("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig");
        assert!(a.starts_with("Bearer ‹eyJhbG… #"), "{a}");
    }

    #[test]
    fn longest_secret_wins() {
        let mut r = Redactor::new(false);
        r.add_secret("abcd");
        r.add_secret("abcdefgh-long-token");
        let out = r.text("x abcdefgh-long-token y");
        assert_eq!(out, format!("x {} y", mask("abcdefgh-long-token")));
    }
}
