//! From reqwest/hyper/rustls errors to an [`HttpError`] that names the real cause: the source chain
//! is walked (stepping into `io::Error` payloads, which `source()` skips) to find the rustls error,
//! the io error kind, a DNS failure or a hyper parse error.

use std::error::Error as StdError;
use std::io;

use super::{HttpConfig, HttpError, millis};

/// The URL for messages: no user info, query and fragment shown as `?…` / `#…` (they often carry
/// codes and tokens).
pub(crate) fn display_url(url: &url::Url) -> String {
    let mut u = url.clone();
    let query = u.query().is_some();
    let fragment = u.fragment().is_some();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_password(None);
    let _ = u.set_username("");
    let mut s = u.to_string();
    if query {
        s.push_str("?…");
    }
    if fragment {
        s.push_str("#…");
    }
    s
}

/// `host:port` of a URL (port made explicit).
pub(crate) fn target(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

/// Every error of the chain, stepping into the payload of an `io::Error`.
fn chain<'a>(
    top: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    let mut next = Some(top);
    std::iter::from_fn(move || {
        let cur = next?;
        next = match cur.downcast_ref::<io::Error>().and_then(|e| e.get_ref()) {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => cur.source(),
        };
        Some(cur)
    })
}

/// The messages of the chain joined with ": ", repetitions dropped. A reqwest error's own text (which
/// holds the full URL) is left out.
pub(crate) fn chain_text(e: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for err in chain(e) {
        if err.is::<reqwest::Error>() {
            continue;
        }
        let text = err.to_string();
        // hyper-util's "client error (Connect)" wrappers say nothing to a user.
        if text.starts_with("client error (") && text.ends_with(')') {
            continue;
        }
        if text.is_empty() || parts.iter().any(|p| p == &text || p.ends_with(&text)) {
            continue;
        }
        parts.push(text);
    }
    if parts.is_empty() {
        // Nothing below the reqwest error: its kind is all there is.
        return match e.downcast_ref::<reqwest::Error>() {
            Some(r) if r.is_timeout() => "timed out".into(),
            Some(r) if r.is_connect() => "connection failed".into(),
            Some(r) if r.is_body() => "body error".into(),
            _ => "request failed".into(),
        };
    }
    parts.join(": ")
}

fn find<'a, T: StdError + 'static>(e: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    chain(e).find_map(|err| err.downcast_ref::<T>())
}

pub(crate) fn classify(e: &reqwest::Error, url: &url::Url, cfg: &HttpConfig) -> HttpError {
    let top: &(dyn StdError + 'static) = e;
    let target = target(url);
    if let Some(r) = find::<rustls::Error>(top) {
        return HttpError::Tls {
            target,
            reason: describe_rustls(r, url),
        };
    }
    if e.is_timeout() {
        return if e.is_connect() {
            HttpError::Timeout {
                phase: "connect",
                after_ms: millis(cfg.connect_timeout),
                url: display_url(url),
            }
        } else {
            HttpError::Timeout {
                phase: "read",
                after_ms: millis(cfg.read_timeout),
                url: display_url(url),
            }
        };
    }
    if e.is_builder() {
        return HttpError::InvalidRequest {
            reason: chain_text(top),
        };
    }
    let text = chain_text(top);
    // io errors get wrapped in io errors of kind Other: the innermost specific kind is the cause.
    let io_kinds: Vec<io::ErrorKind> = chain(top)
        .filter_map(|e| e.downcast_ref::<io::Error>())
        .map(io::Error::kind)
        .collect();
    let io_kind = io_kinds
        .iter()
        .rev()
        .find(|k| **k != io::ErrorKind::Other)
        .or(io_kinds.first())
        .copied();
    if e.is_connect() {
        let dns = chain(top).any(|err| {
            let t = err.to_string();
            t.starts_with("dns error") || t.contains("failed to lookup address")
        });
        if dns {
            return HttpError::Connect {
                target,
                reason: format!(
                    "could not resolve the host name `{}` ({text})",
                    url.host_str().unwrap_or("")
                ),
            };
        }
        let reason = match io_kind {
            Some(io::ErrorKind::ConnectionRefused) => {
                return HttpError::Connect {
                    target,
                    reason:
                        "connection refused (is the server running and listening on that port?)"
                            .into(),
                };
            }
            Some(io::ErrorKind::TimedOut) => {
                return HttpError::Timeout {
                    phase: "connect",
                    after_ms: millis(cfg.connect_timeout),
                    url: display_url(url),
                };
            }
            Some(
                io::ErrorKind::UnexpectedEof
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe,
            ) if url.scheme() == "https" => {
                return HttpError::Tls {
                    target,
                    reason: format!(
                        "the server closed the connection during the handshake (is it serving TLS on this port?) ({text})"
                    ),
                };
            }
            Some(io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable) => {
                format!("the host is unreachable ({text})")
            }
            _ => text,
        };
        return HttpError::Connect { target, reason };
    }
    // The connection was made; the answer is the problem.
    let lower = text.to_ascii_lowercase();
    if lower.contains("unexpected message from connection") {
        return HttpError::Protocol {
            target,
            reason: "it sent data before the request was sent".into(),
        };
    }
    if lower.contains("connection closed before message completed") {
        return HttpError::Protocol {
            target,
            reason: "it closed the connection without sending a complete response".into(),
        };
    }
    if lower.contains("invalid http")
        || lower.contains("message head is too large")
        || lower.contains("parse")
        || lower.contains("invalid status")
        || lower.contains("too many headers")
    {
        return HttpError::Protocol {
            target,
            reason: text,
        };
    }
    match io_kind {
        Some(
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe,
        ) => HttpError::Protocol {
            target,
            reason: format!("it dropped the connection without a complete answer ({text})"),
        },
        _ if e.is_body() || e.is_decode() => HttpError::Body {
            url: display_url(url),
            reason: text,
        },
        _ => HttpError::Connect {
            target,
            reason: text,
        },
    }
}

fn describe_rustls(e: &rustls::Error, url: &url::Url) -> String {
    use rustls::CertificateError as C;
    use rustls::Error as E;
    let host = url.host_str().unwrap_or("?");
    match e {
        E::InvalidCertificate(c) => match c {
            C::UnknownIssuer => {
                "certificate signed by an unknown authority (trust the target's CA with tls.ca_file)".into()
            }
            C::Expired => "the server's certificate has expired".into(),
            C::ExpiredContext { not_after, .. } => {
                format!("the server's certificate expired on {}", date(not_after.as_secs()))
            }
            C::NotValidYet => "the server's certificate is not valid yet (check the clock)".into(),
            C::NotValidYetContext { not_before, .. } => {
                format!("the server's certificate is not valid before {} (check the clock)", date(not_before.as_secs()))
            }
            C::NotValidForName => format!("the server's certificate is not valid for the name `{host}`"),
            C::NotValidForNameContext { presented, .. } => {
                let names = if presented.is_empty() {
                    "no names".to_string()
                } else {
                    presented.iter().map(|n| presented_name(n)).collect::<Vec<_>>().join(", ")
                };
                format!("the server's certificate is not valid for the name `{host}` (it is for: {names})")
            }
            C::BadSignature => {
                "the certificate's signature does not verify (signed by another key than the trusted CA of that name?)"
                    .into()
            }
            C::Revoked => "the server's certificate has been revoked".into(),
            C::BadEncoding => "the server's certificate could not be parsed".into(),
            C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
                "the server's certificate is not meant for TLS server authentication".into()
            }
            C::UnhandledCriticalExtension => "the server's certificate has an unsupported critical extension".into(),
            other => format!("invalid certificate ({other:?})"),
        },
        E::AlertReceived(alert) => format!("the server aborted the handshake with TLS alert {alert:?}"),
        E::InvalidMessage(_)
        | E::InappropriateMessage { .. }
        | E::InappropriateHandshakeMessage { .. }
        | E::PeerMisbehaved(_)
        | E::PeerSentOversizedRecord => {
            format!("the server did not answer with valid TLS (is it plain http on this port?) ({e})")
        }
        E::PeerIncompatible(p) => format!("no TLS version or cipher suite in common with the server ({p:?})"),
        E::NoCertificatesPresented => "the server presented no certificate".into(),
        other => other.to_string(),
    }
}

/// rustls lists presented names in Debug form (`DnsName("a.test")`): keep the name.
fn presented_name(n: &str) -> &str {
    n.strip_prefix("DnsName(\"")
        .and_then(|r| r.strip_suffix("\")"))
        .unwrap_or(n)
}

fn date(unix_secs: u64) -> String {
    i64::try_from(unix_secs)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("unix time {unix_secs}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_in_messages_hide_secrets() {
        let u = url::Url::parse("https://user:pw@a.test:8443/cb?code=secret#frag").unwrap();
        assert_eq!(display_url(&u), "https://a.test:8443/cb?…#…");
        assert_eq!(target(&u), "a.test:8443");
        assert_eq!(
            target(&url::Url::parse("http://a.test/").unwrap()),
            "a.test:80"
        );
    }

    #[test]
    fn rustls_found_inside_io_error() {
        let io = io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        );
        let outer: Box<dyn StdError + 'static> = Box::new(io);
        let r = find::<rustls::Error>(outer.as_ref()).unwrap();
        let url = url::Url::parse("https://127.0.0.1:8443/").unwrap();
        assert_eq!(
            describe_rustls(r, &url),
            "certificate signed by an unknown authority (trust the target's CA with tls.ca_file)"
        );
    }
}
