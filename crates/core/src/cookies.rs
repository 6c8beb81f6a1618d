//! Set-Cookie parsing and the browser's verdict.
//!
//! The line is parsed with the `cookie` crate; a small pass of our own over the attributes covers the
//! places where that crate departs from what a browser following RFC 6265bis does (attribute values over
//! 1024 bytes ignored, SameSite kept as sent, an empty `Max-Age=` ignored). Nothing here panics on any input,
//! and no message ever contains the cookie's value.

pub mod jar;

use std::fmt;

use cookie::Cookie;

use crate::model::{CookieInfo, CookieVerdict, Millis};

/// Browsers drop a cookie whose name and value together exceed this many bytes (RFC 6265bis 5.6).
pub const MAX_NAME_VALUE_BYTES: usize = 4096;
/// Browsers ignore an attribute whose value exceeds this many bytes (RFC 6265bis 5.6).
pub const MAX_ATTRIBUTE_VALUE_BYTES: usize = 1024;
/// Browsers cap Max-Age / Expires at 400 days from the moment the cookie is received.
pub const MAX_LIFETIME_DAYS: i64 = 400;
const MAX_LIFETIME_MS: Millis = MAX_LIFETIME_DAYS * 86_400_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CookieError {
    #[error("malformed Set-Cookie header: {0}")]
    Malformed(String),
}

/// One thing a browser would object to in a Set-Cookie line. [`CookieIssue::drops_cookie`] tells the ones
/// that make it refuse the cookie from those that only make it ignore or cap an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CookieIssue {
    /// A CTL other than HTAB somewhere in the line (`part`: "name", "value" or "attributes").
    ControlCharacter {
        byte: u8,
        part: &'static str,
    },
    /// Name and value together over [`MAX_NAME_VALUE_BYTES`].
    TooLarge {
        bytes: usize,
    },
    SameSiteNoneWithoutSecure,
    /// A Secure cookie set in answer to a non-https request.
    SecureFromInsecureOrigin,
    /// A `__Host-` / `__Secure-` cookie breaking one of its prefix's attribute rules.
    PrefixViolation {
        prefix: &'static str,
        rule: &'static str,
    },
    /// The Domain attribute is neither the request host nor a parent of it.
    DomainMismatch {
        domain: String,
        host: String,
    },
    /// An attribute whose value is over [`MAX_ATTRIBUTE_VALUE_BYTES`]: ignored.
    AttributeTooLong {
        attribute: String,
        bytes: usize,
    },
    /// Max-Age / Expires beyond 400 days: capped.
    LifetimeCapped {
        requested_days: i64,
    },
    /// A SameSite value other than Strict, Lax or None: the browser's default applies.
    UnknownSameSite {
        value: String,
    },
    /// An Expires value the date parser does not understand: ignored.
    UnparsedExpires,
}

impl CookieIssue {
    /// Whether a browser refuses to store the cookie because of this.
    pub fn drops_cookie(&self) -> bool {
        matches!(
            self,
            CookieIssue::ControlCharacter { .. }
                | CookieIssue::TooLarge { .. }
                | CookieIssue::SameSiteNoneWithoutSecure
                | CookieIssue::SecureFromInsecureOrigin
                | CookieIssue::PrefixViolation { .. }
                | CookieIssue::DomainMismatch { .. }
        )
    }
}

impl fmt::Display for CookieIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CookieIssue::ControlCharacter { byte, part } => {
                write!(
                    f,
                    "control character 0x{byte:02x} in the {part}: not stored"
                )
            }
            CookieIssue::TooLarge { bytes } => {
                write!(
                    f,
                    "name and value are {bytes} bytes (over {MAX_NAME_VALUE_BYTES}): not stored"
                )
            }
            CookieIssue::SameSiteNoneWithoutSecure => {
                write!(
                    f,
                    "SameSite=None without Secure: not stored (Chrome and Firefox reject it)"
                )
            }
            CookieIssue::SecureFromInsecureOrigin => {
                write!(f, "Secure cookie set from a non-https URL: not stored")
            }
            CookieIssue::PrefixViolation { prefix, rule } => {
                write!(f, "{prefix} prefix {rule}: not stored")
            }
            CookieIssue::DomainMismatch { domain, host } => {
                write!(
                    f,
                    "Domain={} does not domain-match the host {}: not stored",
                    shorten(domain),
                    shorten(host)
                )
            }
            CookieIssue::AttributeTooLong { attribute, bytes } => write!(
                f,
                "{} attribute value is {bytes} bytes (over {MAX_ATTRIBUTE_VALUE_BYTES}): attribute ignored",
                shorten(attribute)
            ),
            CookieIssue::LifetimeCapped { requested_days } => {
                write!(
                    f,
                    "lifetime capped to {MAX_LIFETIME_DAYS} days (asked for {requested_days} days)"
                )
            }
            CookieIssue::UnknownSameSite { value } => {
                write!(
                    f,
                    "unknown SameSite value `{}`: treated as Lax",
                    shorten(value)
                )
            }
            CookieIssue::UnparsedExpires => {
                write!(f, "Expires date not understood: attribute ignored")
            }
        }
    }
}

/// A parsed Set-Cookie line with the structured reasons behind its verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct SetCookieAnalysis {
    pub info: CookieInfo,
    pub issues: Vec<CookieIssue>,
}

/// How a cookie's Domain attribute relates to the host that set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainScope {
    /// No Domain attribute: sent back to the setting host only.
    HostOnly,
    /// Domain equals the host (the cookie also goes to its subdomains).
    Host,
    /// Domain is a parent of the host: every sibling subdomain receives the cookie.
    Parent,
    /// Not the host nor a parent (or a bare top-level label): the browser drops the cookie.
    Mismatch,
}

/// Parse one raw Set-Cookie line received in answer to `request_url` at `received_at`.
pub fn parse_set_cookie(
    raw: &str,
    request_url: &url::Url,
    received_at: Millis,
) -> Result<CookieInfo, CookieError> {
    analyse_set_cookie(raw, request_url, received_at).map(|a| a.info)
}

/// [`parse_set_cookie`] keeping the structured issues (what checks need).
pub fn analyse_set_cookie(
    raw: &str,
    request_url: &url::Url,
    received_at: Millis,
) -> Result<SetCookieAnalysis, CookieError> {
    let mut issues = Vec::new();
    let ctl = first_control_character(raw);

    // Our own pass over the attributes: drop over-long values (the browser ignores those attributes) and
    // read the ones the `cookie` crate interprets differently from a browser.
    let (pair, attributes) = raw.split_once(';').unwrap_or((raw, ""));
    let mut cleaned = String::with_capacity(raw.len());
    cleaned.push_str(pair);
    let mut same_site: Option<String> = None;
    let mut max_age: Option<i64> = None;
    let mut expires_present = false;
    for attr in attributes.split(';') {
        let (key, value) = match attr.split_once('=') {
            Some((k, v)) => (trim_ws(k), Some(trim_ws(v))),
            None => (trim_ws(attr), None),
        };
        if key.is_empty() {
            continue;
        }
        if let Some(v) = value
            && v.len() > MAX_ATTRIBUTE_VALUE_BYTES
        {
            issues.push(CookieIssue::AttributeTooLong {
                attribute: key.to_string(),
                bytes: v.len(),
            });
            continue;
        }
        if key.eq_ignore_ascii_case("samesite") {
            same_site = Some(value.unwrap_or("").to_string());
        } else if key.eq_ignore_ascii_case("max-age") {
            if let Some(secs) = value.and_then(parse_max_age) {
                max_age = Some(secs);
            }
        } else if key.eq_ignore_ascii_case("expires") && value.is_some() {
            expires_present = true;
        }
        cleaned.push(';');
        cleaned.push_str(attr);
    }

    let cookie = Cookie::parse(cleaned)
        .map_err(|e| CookieError::Malformed(explain_failure(raw, pair, &e, ctl)))?;
    let name = cookie.name().to_string();
    let value_len = cookie.value().len();

    if let Some((byte, at)) = ctl {
        let part = match pair.split_once('=') {
            _ if at >= pair.len() => "attributes",
            Some((n, _)) if at < n.len() => "name",
            _ => "value",
        };
        issues.push(CookieIssue::ControlCharacter { byte, part });
    }
    if name.len() + value_len > MAX_NAME_VALUE_BYTES {
        issues.push(CookieIssue::TooLarge {
            bytes: name.len() + value_len,
        });
    }

    let secure = cookie.secure().unwrap_or(false);
    let http_only = cookie.http_only().unwrap_or(false);
    let partitioned = cookie.partitioned().unwrap_or(false);
    let domain = cookie
        .domain()
        .map(|d| d.to_ascii_lowercase())
        .filter(|d| !d.is_empty());
    let path = cookie.path().map(str::to_string);
    let expires = cookie.expires_datetime().map(|t| t.unix_timestamp());
    if expires_present && expires.is_none() {
        issues.push(CookieIssue::UnparsedExpires);
    }

    let same_site = same_site.map(|v| match v.to_ascii_lowercase().as_str() {
        "strict" => "Strict".to_string(),
        "lax" => "Lax".to_string(),
        "none" => "None".to_string(),
        _ => {
            issues.push(CookieIssue::UnknownSameSite { value: v.clone() });
            v
        }
    });
    if same_site.as_deref() == Some("None") && !secure {
        issues.push(CookieIssue::SameSiteNoneWithoutSecure);
    }

    let secure_origin = matches!(request_url.scheme(), "https" | "wss");
    if secure && !secure_origin {
        issues.push(CookieIssue::SecureFromInsecureOrigin);
    }

    let lower_name = name.to_ascii_lowercase();
    if lower_name.starts_with("__secure-") && !secure {
        issues.push(CookieIssue::PrefixViolation {
            prefix: "__Secure-",
            rule: "without Secure",
        });
    }
    if lower_name.starts_with("__host-") {
        if !secure {
            issues.push(CookieIssue::PrefixViolation {
                prefix: "__Host-",
                rule: "without Secure",
            });
        }
        if domain.is_some() {
            issues.push(CookieIssue::PrefixViolation {
                prefix: "__Host-",
                rule: "with a Domain attribute",
            });
        }
        if path.as_deref() != Some("/") {
            issues.push(CookieIssue::PrefixViolation {
                prefix: "__Host-",
                rule: "without Path=/",
            });
        }
    }

    if let Some(d) = &domain
        && domain_scope(Some(d), request_url) == DomainScope::Mismatch
    {
        let host = request_url.host_str().unwrap_or("").to_string();
        issues.push(CookieIssue::DomainMismatch {
            domain: d.clone(),
            host,
        });
    }

    // Expiry: Max-Age wins over Expires; both are capped at 400 days after receipt.
    let requested: Option<Millis> = match (max_age, expires) {
        (Some(secs), _) if secs <= 0 => Some(received_at),
        (Some(secs), _) => Some(received_at.saturating_add(secs.saturating_mul(1000))),
        (None, Some(secs)) => Some(secs.saturating_mul(1000)),
        (None, None) => None,
    };
    let is_deletion = match (max_age, requested) {
        (Some(secs), _) => secs <= 0,
        (None, Some(at)) => at <= received_at,
        (None, None) => false,
    };
    let cap = received_at.saturating_add(MAX_LIFETIME_MS);
    let effective_expiry = requested.map(|at| {
        if at > cap {
            let requested_days = at.saturating_sub(received_at) / 86_400_000;
            issues.push(CookieIssue::LifetimeCapped { requested_days });
            cap
        } else {
            at
        }
    });

    let stored = !issues.iter().any(CookieIssue::drops_cookie);
    let info = CookieInfo {
        name,
        value_len,
        domain,
        path,
        secure,
        http_only,
        same_site,
        max_age,
        expires,
        partitioned,
        is_deletion,
        verdict: CookieVerdict {
            stored,
            notes: issues.iter().map(ToString::to_string).collect(),
            effective_expiry,
        },
    };
    Ok(SetCookieAnalysis { info, issues })
}

/// How `domain` (a cookie's Domain attribute, None when absent) scopes a cookie set by `request_url`.
pub fn domain_scope(domain: Option<&str>, request_url: &url::Url) -> DomainScope {
    let Some(domain) = domain else {
        return DomainScope::HostOnly;
    };
    let domain = domain
        .strip_prefix('.')
        .unwrap_or(domain)
        .to_ascii_lowercase();
    let Some(host) = request_url.host() else {
        return DomainScope::Mismatch;
    };
    match host {
        url::Host::Domain(h) => {
            let h = h.to_ascii_lowercase();
            if h == domain {
                DomainScope::Host
            } else if domain.contains('.')
                && h.len() > domain.len()
                && h.ends_with(&format!(".{domain}"))
            {
                DomainScope::Parent
            } else {
                DomainScope::Mismatch
            }
        }
        url::Host::Ipv4(ip) if ip.to_string() == domain => DomainScope::Host,
        url::Host::Ipv6(ip)
            if ip.to_string() == domain.trim_start_matches('[').trim_end_matches(']') =>
        {
            DomainScope::Host
        }
        _ => DomainScope::Mismatch,
    }
}

/// Whether a cookie name carries the `__Host-` or `__Secure-` prefix (case-insensitive, as browsers match it).
pub fn prefix_of(name: &str) -> Option<&'static str> {
    let lower = name.get(..9).unwrap_or(name).to_ascii_lowercase();
    if lower.starts_with("__host-") {
        Some("__Host-")
    } else if lower.starts_with("__secure-") {
        Some("__Secure-")
    } else {
        None
    }
}

/// RFC 6265bis 5.6.2: a leading digit or '-', then digits only; anything else is ignored.
fn parse_max_age(v: &str) -> Option<i64> {
    let (negative, digits) = match v.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, v),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if negative {
        return Some(0);
    }
    // Overflow means "very far in the future": the 400-day cap applies anyway.
    Some(digits.parse::<i64>().unwrap_or(i64::MAX))
}

/// The first CTL other than HTAB (RFC 6265bis 5.6 step 1), with its byte offset.
fn first_control_character(raw: &str) -> Option<(u8, usize)> {
    raw.bytes()
        .enumerate()
        .find(|(_, b)| (*b < 0x20 && *b != b'\t') || *b == 0x7f)
        .map(|(i, b)| (b, i))
}

fn trim_ws(s: &str) -> &str {
    s.trim_matches(|c| c == ' ' || c == '\t')
}

/// A plain description of why the line could not be parsed, never quoting the value.
fn explain_failure(
    raw: &str,
    pair: &str,
    e: &cookie::ParseError,
    ctl: Option<(u8, usize)>,
) -> String {
    let mut msg = if raw.trim().is_empty() {
        "the line is empty".to_string()
    } else if trim_ws(pair).is_empty() {
        "no name=value pair before the first ';'".to_string()
    } else {
        match e {
            cookie::ParseError::MissingPair => format!(
                "no '=' in the name=value part ({} bytes; a browser would store it as a nameless cookie)",
                pair.len()
            ),
            cookie::ParseError::EmptyName => {
                "the cookie name is empty (the line starts with '=')".to_string()
            }
            other => other.to_string(),
        }
    };
    if let Some((byte, at)) = ctl {
        msg.push_str(&format!(
            "; it also contains control character 0x{byte:02x} at byte {at}"
        ));
    }
    msg
}

/// Hostile attribute text displayed safely: at most 64 characters, control characters escaped.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(64).flat_map(char::escape_debug).collect();
    if s.chars().nth(64).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Millis = 1_790_000_000_000;

    fn https() -> url::Url {
        url::Url::parse("https://app.example.com/login").unwrap()
    }

    fn parse(raw: &str) -> SetCookieAnalysis {
        analyse_set_cookie(raw, &https(), NOW).unwrap()
    }

    #[test]
    fn a_good_session_cookie_is_stored_with_its_attributes() {
        let a = parse("__Host-sid=abc123; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=3600");
        let c = &a.info;
        assert_eq!(c.name, "__Host-sid");
        assert_eq!(c.value_len, 6);
        assert!(c.secure && c.http_only && !c.is_deletion);
        assert_eq!(c.same_site.as_deref(), Some("Lax"));
        assert_eq!(c.path.as_deref(), Some("/"));
        assert_eq!(c.max_age, Some(3600));
        assert_eq!(c.verdict.effective_expiry, Some(NOW + 3_600_000));
        assert!(
            c.verdict.stored && c.verdict.notes.is_empty(),
            "{:?}",
            c.verdict
        );
    }

    #[test]
    fn max_age_wins_over_expires_and_deletions_are_recognised() {
        let c = parse("sid=x; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=60").info;
        assert_eq!(c.verdict.effective_expiry, Some(NOW + 60_000));
        assert!(!c.is_deletion);
        assert!(
            parse("sid=; Expires=Wed, 21 Oct 2015 07:28:00 GMT")
                .info
                .is_deletion
        );
        assert!(parse("sid=; Max-Age=0").info.is_deletion);
        assert!(parse("sid=; Max-Age=-5").info.is_deletion);
        // An empty or garbled Max-Age is ignored, not read as "forever".
        let c = parse("sid=x; Max-Age=; Max-Age=abc").info;
        assert_eq!(c.max_age, None);
        assert_eq!(c.verdict.effective_expiry, None);
    }

    #[test]
    fn lifetime_is_capped_at_400_days() {
        let c = parse("sid=x; Max-Age=315360000").info;
        assert_eq!(c.verdict.effective_expiry, Some(NOW + 400 * 86_400_000));
        assert!(c.verdict.stored);
        assert!(
            c.verdict
                .notes
                .iter()
                .any(|n| n.contains("capped to 400 days (asked for 3650 days)")),
            "{:?}",
            c
        );
        let c = parse("sid=x; Max-Age=99999999999999999999999").info;
        assert_eq!(c.verdict.effective_expiry, Some(NOW + 400 * 86_400_000));
        let c = parse("sid=x; Expires=Fri, 01 Jan 2100 00:00:00 GMT").info;
        assert_eq!(c.verdict.effective_expiry, Some(NOW + 400 * 86_400_000));
    }

    #[test]
    fn samesite_none_without_secure_is_dropped_and_unknown_values_kept_as_sent() {
        let c = parse("sid=x; SameSite=None").info;
        assert!(!c.verdict.stored);
        assert_eq!(c.same_site.as_deref(), Some("None"));
        assert!(parse("sid=x; SameSite=none; Secure").info.verdict.stored);
        let c = parse("sid=x; SameSite=Bogus").info;
        assert_eq!(c.same_site.as_deref(), Some("Bogus"));
        assert!(c.verdict.stored);
        assert!(
            c.verdict.notes[0].contains("treated as Lax"),
            "{:?}",
            c.verdict
        );
        // The last SameSite attribute wins, as in browsers.
        assert_eq!(
            parse("sid=x; SameSite=Strict; SameSite=Lax")
                .info
                .same_site
                .as_deref(),
            Some("Lax")
        );
    }

    #[test]
    fn secure_from_http_is_dropped() {
        let http = url::Url::parse("http://app.example.com/").unwrap();
        let c = parse_set_cookie("sid=x; Secure", &http, NOW).unwrap();
        assert!(!c.verdict.stored);
        assert!(
            parse_set_cookie("sid=x", &http, NOW)
                .unwrap()
                .verdict
                .stored
        );
    }

    #[test]
    fn prefixes_are_matched_case_insensitively() {
        for bad in [
            "__Host-sid=x; Path=/",
            "__HOST-sid=x; Path=/",
            "__host-sid=x; Secure",
            "__Host-sid=x; Secure; Path=/; Domain=app.example.com",
            "__Host-sid=x; Secure; Path=/app",
            "__Secure-sid=x",
            "__SECURE-sid=x; HttpOnly",
        ] {
            let a = parse(bad);
            assert!(!a.info.verdict.stored, "{bad}");
            assert!(
                a.issues
                    .iter()
                    .any(|i| matches!(i, CookieIssue::PrefixViolation { .. })),
                "{bad}"
            );
        }
        assert!(parse("__HoSt-sid=x; Secure; Path=/").info.verdict.stored);
        assert!(parse("__secure-sid=x; Secure").info.verdict.stored);
        let http = url::Url::parse("http://app.example.com/").unwrap();
        assert!(
            !parse_set_cookie("__Secure-sid=x; Secure", &http, NOW)
                .unwrap()
                .verdict
                .stored
        );
        assert_eq!(prefix_of("__HOST-a"), Some("__Host-"));
        assert_eq!(prefix_of("__sEcUrE-a"), Some("__Secure-"));
        assert_eq!(prefix_of("_Host-a"), None);
        assert_eq!(prefix_of("é"), None);
    }

    #[test]
    fn domain_must_match_the_host() {
        assert_eq!(
            parse("sid=x; Domain=example.com").info.domain.as_deref(),
            Some("example.com")
        );
        assert!(parse("sid=x; Domain=.Example.com").info.verdict.stored);
        assert!(parse("sid=x; Domain=app.example.com").info.verdict.stored);
        assert!(!parse("sid=x; Domain=evil.com").info.verdict.stored);
        assert!(!parse("sid=x; Domain=pp.example.com").info.verdict.stored);
        assert!(!parse("sid=x; Domain=com").info.verdict.stored);
        assert!(
            !parse("sid=x; Domain=sub.app.example.com")
                .info
                .verdict
                .stored
        );
        let ip = url::Url::parse("https://127.0.0.1:8443/").unwrap();
        assert!(
            parse_set_cookie("sid=x; Domain=127.0.0.1", &ip, NOW)
                .unwrap()
                .verdict
                .stored
        );
        assert!(
            !parse_set_cookie("sid=x; Domain=0.0.1", &ip, NOW)
                .unwrap()
                .verdict
                .stored
        );
        assert_eq!(
            domain_scope(Some("example.com"), &https()),
            DomainScope::Parent
        );
        assert_eq!(
            domain_scope(Some("app.example.com"), &https()),
            DomainScope::Host
        );
        assert_eq!(domain_scope(None, &https()), DomainScope::HostOnly);
    }

    #[test]
    fn size_limits() {
        let big = format!("sid={}; Path=/", "a".repeat(10 * 1024));
        let a = parse(&big);
        assert!(!a.info.verdict.stored);
        assert_eq!(a.info.value_len, 10 * 1024);
        assert!(
            a.info.verdict.notes[0].contains("over 4096"),
            "{:?}",
            a.info.verdict
        );
        let exact = format!("sid={}", "a".repeat(4096 - 3));
        assert!(parse(&exact).info.verdict.stored);
        // A huge attribute is ignored (not applied), the cookie is kept.
        let huge_path = format!("sid=x; Path=/{}; Secure", "p".repeat(2000));
        let a = parse(&huge_path);
        assert!(a.info.verdict.stored);
        assert_eq!(a.info.path, None);
        assert!(a.info.secure);
        assert!(
            a.info.verdict.notes[0].contains("Path attribute value is 2001 bytes"),
            "{:?}",
            a.info.verdict
        );
        let huge_domain = format!("sid=x; Domain={}.com", "d".repeat(5000));
        assert!(parse(&huge_domain).info.verdict.stored);
    }

    #[test]
    fn control_characters() {
        let a = parse("sid=ab\x01cd; Path=/");
        assert!(!a.info.verdict.stored);
        assert_eq!(
            a.issues[0],
            CookieIssue::ControlCharacter {
                byte: 1,
                part: "value"
            }
        );
        assert!(!parse("s\x7fid=abc").info.verdict.stored);
        assert!(!parse("sid=abc; Path=/\x1b").info.verdict.stored);
        assert!(parse("sid=a\tb").info.verdict.stored, "HTAB is allowed");
        let e = analyse_set_cookie("\x01", &https(), NOW).unwrap_err();
        assert!(
            e.to_string().contains("no '='") && e.to_string().contains("0x01"),
            "{e}"
        );
    }

    #[test]
    fn malformed_lines_are_errors_with_clear_messages_and_no_value() {
        for (raw, expect) in [
            ("", "empty"),
            ("   ", "empty"),
            (";;;", "no name=value pair"),
            ("secretvalue123", "no '='"),
            ("=secretvalue123", "name is empty"),
            ("; Path=/", "no name=value pair"),
        ] {
            let e = analyse_set_cookie(raw, &https(), NOW)
                .unwrap_err()
                .to_string();
            assert!(e.contains(expect), "{raw:?}: {e}");
            assert!(!e.contains("secretvalue123"), "{e}");
        }
    }

    #[test]
    fn hostile_inputs_never_panic() {
        let long_attr = format!("a=b; {}", "x=".repeat(50_000));
        let inputs = [
            "a=b;;;;",
            "a=",
            "a=b; Expires=",
            "a=b; Expires=not a date",
            "a=b; Max-Age=-",
            "a=b; Max-Age=--1",
            "a=b; Domain=",
            "a=b; Domain=.",
            "a=b; Domain=..",
            "a=b; SameSite",
            "名前=値; Path=/ä; Domain=bücher.example",
            "a=\u{0}",
            "\u{feff}a=b",
            &long_attr,
        ];
        for raw in inputs {
            let _ = analyse_set_cookie(raw, &https(), NOW);
            let _ = analyse_set_cookie(
                raw,
                &url::Url::parse("data:text/plain,x").unwrap(),
                i64::MAX,
            );
            let _ = analyse_set_cookie(raw, &url::Url::parse("https://[::1]/").unwrap(), i64::MIN);
        }
        let c = parse("a=b; Expires=not a date").info;
        assert!(
            c.verdict.notes.iter().any(|n| n.contains("Expires")),
            "{c:?}"
        );
        let c = parse("a=b; Max-Age=1000; Expires=x").info;
        assert_eq!(c.verdict.effective_expiry, Some(NOW + 1_000_000));
    }
}
