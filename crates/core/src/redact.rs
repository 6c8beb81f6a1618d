//! Secrets out of everything that leaves memory: storage, logs, reports, exports.
//!
//! Two layers. Known secrets (the password, every captured credential value) are replaced wherever they
//! appear: URLs, headers, bodies. Then, unless the user asked to reveal, values in the places secrets live by
//! convention (Cookie, Set-Cookie, Authorization) are masked whatever they are, so a cookie the profile did
//! not declare still never lands in the history DB. The password is never revealed.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use crate::model::{
    Body, Carrier, Credential, Exchange, Header, Hop, RequestRecord, ResponseRecord, Run,
};

/// Shortest value treated as a secret for blind replacement; shorter ones would match innocent text.
const MIN_SECRET_LEN: usize = 4;

/// sha256 of a value, first 12 hex digits: lets a user correlate values without seeing them.
pub fn fingerprint(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    hex::encode(&digest[..6])
}

/// How a secret shows once redacted: hash plus a short prefix, e.g. `‹eyJhbG… #1a2b3c4d5e6f›`.
pub fn mask(value: &str) -> String {
    let n = value.chars().count();
    let keep = if n >= 20 {
        6
    } else if n >= 10 {
        3
    } else {
        0
    };
    let prefix: String = value.chars().take(keep).collect();
    if keep == 0 {
        format!("‹redacted #{}›", fingerprint(value))
    } else {
        format!("‹{prefix}… #{}›", fingerprint(value))
    }
}

const PASSWORD_MASK: &str = "‹password›";

#[derive(Debug, Clone, Default)]
pub struct Redactor {
    reveal: bool,
    /// (secret, replacement), longest first so a token containing another is replaced whole.
    secrets: Vec<(String, String)>,
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

    /// The password is replaced everywhere, always, and also in its URL- and form-encoded forms.
    pub fn add_password(&mut self, password: &str) {
        if password.is_empty() {
            return;
        }
        let mut forms = vec![password.to_string()];
        let form_encoded: String =
            url::form_urlencoded::byte_serialize(password.as_bytes()).collect();
        forms.push(form_encoded);
        if let Ok(json) = serde_json::to_string(password) {
            // The JSON-escaped form, without its quotes.
            forms.push(json[1..json.len() - 1].to_string());
        }
        for f in forms {
            self.insert(f, PASSWORD_MASK.to_string());
        }
    }

    /// A credential value: replaced by its mask unless revealing.
    pub fn add_secret(&mut self, value: &str) {
        if self.reveal || value.len() < MIN_SECRET_LEN {
            return;
        }
        let m = mask(value);
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        if encoded != value {
            self.insert(encoded, m.clone());
        }
        self.insert(value.to_string(), m);
    }

    fn insert(&mut self, secret: String, replacement: String) {
        if secret.len() < MIN_SECRET_LEN || self.secrets.iter().any(|(s, _)| *s == secret) {
            return;
        }
        let pos = self
            .secrets
            .partition_point(|(s, _)| s.len() >= secret.len());
        self.secrets.insert(pos, (secret, replacement));
    }

    /// Replace every known secret in a string.
    pub fn text<'a>(&self, s: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(s);
        for (secret, replacement) in &self.secrets {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), replacement));
            }
        }
        out
    }

    fn body(&self, b: &Body) -> Body {
        let mut b = b.clone();
        if let Some(t) = &b.text {
            b.text = Some(self.text(t).into_owned());
        }
        // A binary body is kept as is only when revealing: secrets could hide in it undetectably.
        if b.base64.is_some() && !self.reveal && !self.secrets.is_empty() {
            let bytes = b.bytes();
            let lossy = String::from_utf8_lossy(&bytes);
            if self.secrets.iter().any(|(s, _)| lossy.contains(s.as_str())) {
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
        if !self.reveal {
            let name = h.name.to_ascii_lowercase();
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

    pub fn credential(&self, c: &Credential) -> Credential {
        let mut c = c.clone();
        c.value = if self.reveal { c.value } else { mask(&c.value) };
        if let Carrier::Cookie { raw, .. } = &mut c.carrier {
            *raw = if self.reveal {
                raw.clone()
            } else {
                mask_set_cookie(&self.text(raw))
            };
        }
        c
    }

    pub fn run(&self, r: &Run) -> Run {
        Run {
            exchanges: r.exchanges.iter().map(|e| self.exchange(e)).collect(),
            credentials: r.credentials.iter().map(|c| self.credential(c)).collect(),
            findings: r
                .findings
                .iter()
                .map(|f| {
                    let mut f = f.clone();
                    f.summary = self.text(&f.summary).into_owned();
                    for ev in &mut f.evidence {
                        ev.detail = self.text(&ev.detail).into_owned();
                    }
                    f
                })
                .collect(),
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

/// `Bearer xyz` → `Bearer ‹…›`; Basic credentials are masked whole (they contain the password).
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
    fn cookies_and_bearer_values_are_masked_but_attributes_kept() {
        let set = mask_set_cookie("sid=abcdef0123456789abcdef; Path=/; HttpOnly; Secure");
        assert!(set.starts_with("sid=‹abcdef… #"), "{set}");
        assert!(set.ends_with("; Path=/; HttpOnly; Secure"), "{set}");
        let c = mask_cookie_pairs("a=1234567890; b=zz");
        assert!(
            !c.contains("1234567890") && c.contains("b=‹redacted #"),
            "{c}"
        );
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
