//! Reports: human text for the terminal ([`text`]), JSON ([`json`]), JUnit XML for CI ([`junit`]) and
//! SARIF 2.1.0 for code-scanning dashboards ([`sarif`]).
//!
//! Reports render what they are given. They do not redact: callers pass runs that went through
//! [`crate::redact::Redactor::run`] (the runner and the store only ever hold redacted runs), and no
//! renderer adds anything secret of its own (credential values and raw Set-Cookie lines are never
//! printed; credentials show by label and fingerprint).
//!
//! Everything that came from the target (URLs, labels, header values, evidence text) is untrusted: the
//! text report passes it through [`sanitize`] so control characters and ANSI escapes cannot drive the
//! terminal, and the XML writer escapes it and drops what XML 1.0 forbids. JSON and SARIF rely on JSON
//! string escaping.
//!
//! Checks are grouped by family, the part of the check id before the first `.` ([`family`]), so the
//! reports do not depend on the checks catalogue.

use std::borrow::Cow;

use crate::model::{Evidence, ExpirySource, Millis, Run, Status};

pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;

#[cfg(test)]
pub(crate) mod testdata;

/// The Authlens version written into reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Families in the order reports list them; any other family follows, alphabetically.
pub const FAMILY_ORDER: [&str; 7] = [
    "cookie",
    "session",
    "storage",
    "transport",
    "cache",
    "jwt",
    "refresh",
];

/// The family of a check: its id up to the first `.` ("cookie.httponly" → "cookie"); the whole id when
/// it has no dot.
pub fn family(check_id: &str) -> &str {
    check_id.split_once('.').map_or(check_id, |(f, _)| f)
}

/// Sort key putting families in [`FAMILY_ORDER`], then the rest alphabetically.
pub(crate) fn family_rank(family: &str) -> (usize, String) {
    let rank = FAMILY_ORDER
        .iter()
        .position(|f| *f == family)
        .unwrap_or(FAMILY_ORDER.len());
    (rank, family.to_string())
}

/// Make untrusted text safe to print on a terminal, on one line.
///
/// Every control character (C0 including newline and tab, DEL, C1), the Unicode bidirectional
/// marks/overrides/isolates, the line/paragraph separators, BOM and U+FFFE/U+FFFF are replaced by a visible escape (`\x1b`,
/// `\n`, `\u{202e}`). ESC cannot reach the terminal, so ANSI sequences show as inert text
/// (`\x1b[31m`). Ordinary text, including non-ASCII, is returned borrowed and unchanged.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

pub(crate) fn needs_escape(c: char) -> bool {
    c.is_control() // C0, DEL, C1
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

pub(crate) fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// Shorten to at most `max` characters, ending with `…` when cut.
pub(crate) fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if s.chars().count() <= max {
        return Cow::Borrowed(s);
    }
    let keep = max.saturating_sub(1);
    let mut out: String = s.chars().take(keep).collect();
    out.push('…');
    Cow::Owned(out)
}

/// The short form of a run id shown in listings: 13 characters, which for a UUID v7 is the whole
/// millisecond timestamp (`0190a1b2-c3d4`). Any unique prefix is accepted by `Store::load_run`.
pub fn short_id(id: &str) -> &str {
    match id.char_indices().nth(13) {
        Some((i, _)) => &id[..i],
        None => id,
    }
}

/// Upper-case tag for a status: PASS, INFO, SKIP, WARN, FAIL.
pub fn status_tag(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Info => "INFO",
        Status::NotTested => "SKIP",
        Status::Warn => "WARN",
        Status::Fail => "FAIL",
    }
}

/// How a declared expiry was learnt, as users know it.
pub(crate) fn expiry_source_name(s: ExpirySource) -> &'static str {
    match s {
        ExpirySource::JwtExp => "JWT exp",
        ExpirySource::CookieMaxAge => "cookie Max-Age",
        ExpirySource::CookieExpires => "cookie Expires",
        ExpirySource::ExpiresIn => "expires_in",
    }
}

/// One evidence item as a line of plain (unsanitized) text: `exchange #3 · access #1 · claim exp: detail`.
pub(crate) fn evidence_line(run: &Run, ev: &Evidence) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(x) = ev.exchange_id {
        parts.push(format!("exchange #{x}"));
    }
    if let Some(c) = ev.credential_id {
        match run.credential(c) {
            Some(cred) => parts.push(cred.label.clone()),
            None => parts.push(format!("credential #{c}")),
        }
    }
    if !ev.location.is_empty() {
        parts.push(ev.location.clone());
    }
    let head = parts.join(" · ");
    match (head.is_empty(), ev.detail.is_empty()) {
        (true, _) => ev.detail.clone(),
        (false, true) => head,
        (false, false) => format!("{head}: {}", ev.detail),
    }
}

/// A request duration: `12.3 ms`, `1.24 s`.
pub(crate) fn fmt_ms(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        return "? ms".to_string();
    }
    if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// A span of time, compact, at most two units: `0.4s`, `12s`, `4m58s`, `5m`, `2h5m`, `3d4h`.
/// Negative spans get a leading `-`.
pub(crate) fn fmt_span(ms: i64) -> String {
    if ms < 0 {
        return format!("-{}", fmt_span(ms.saturating_neg()));
    }
    if ms < 10_000 {
        let s = ms as f64 / 1000.0;
        return if ms % 1000 == 0 {
            format!("{}s", ms / 1000)
        } else {
            format!("{s:.1}s").replace(".0s", "s")
        };
    }
    let secs = ms / 1000;
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    let units = [(d, "d"), (h, "h"), (m, "m"), (s, "s")];
    let first = units.iter().position(|(v, _)| *v > 0).unwrap_or(3);
    let mut out = format!("{}{}", units[first].0, units[first].1);
    if let Some((v, u)) = units.get(first + 1)
        && *v > 0
    {
        out.push_str(&format!("{v}{u}"));
    }
    out
}

/// Unix ms as RFC 3339 UTC (`2025-01-02T03:04:05.678Z`); the raw number when out of range.
pub(crate) fn rfc3339(ms: Millis) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| ms.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_escapes_controls_and_ansi_but_keeps_text() {
        assert!(matches!(
            sanitize("https://ex.test/ä?q=1"),
            Cow::Borrowed(_)
        ));
        let s = sanitize("a\x1b[31mred\x1b[0m\nb\u{202e}c\u{9b}d\x07");
        assert_eq!(s, "a\\x1b[31mred\\x1b[0m\\nb\\u{202e}c\\u{9b}d\\x07");
        assert!(!s.chars().any(char::is_control));
    }

    #[test]
    fn spans_and_durations() {
        assert_eq!(fmt_span(400), "0.4s");
        assert_eq!(fmt_span(3000), "3s");
        assert_eq!(fmt_span(298_000), "4m58s");
        assert_eq!(fmt_span(300_000), "5m");
        assert_eq!(fmt_span(7_500_000), "2h5m");
        assert_eq!(fmt_span(-1500), "-1.5s");
        assert_eq!(fmt_ms(12.34), "12.3 ms");
        assert_eq!(fmt_ms(1234.0), "1.23 s");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn families_and_ids() {
        assert_eq!(family("cookie.httponly"), "cookie");
        assert_eq!(family("odd"), "odd");
        assert!(family_rank("cookie") < family_rank("refresh"));
        assert!(family_rank("refresh") < family_rank("aaa"));
        assert_eq!(
            short_id("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"),
            "0190a1b2-c3d4"
        );
        assert_eq!(short_id("abc"), "abc");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}
