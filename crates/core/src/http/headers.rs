//! Request headers as sent (recorded exactly as handed to hyper), response headers recorded lossily,
//! and cookies between the jar and the wire.

use std::fmt::Write as _;

use cookie_store::CookieStore;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::redirect::NextRequest;
use crate::model::Header;

/// Bytes as text: valid UTF-8 kept, every other byte written `\xNN`. The flag says whether any byte
/// had to be escaped. Never fails, whatever the bytes.
pub fn escape_lossy(bytes: &[u8]) -> (String, bool) {
    let mut out = String::with_capacity(bytes.len());
    let mut escaped = false;
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            escaped = true;
            let _ = write!(out, "\\x{b:02X}");
        }
    }
    (out, escaped)
}

pub(crate) struct BuiltHeaders {
    /// What is sent, in the order sent.
    pub records: Vec<Header>,
    /// The header map to hand to reqwest, or why the request cannot be sent.
    pub map: Result<HeaderMap, String>,
}

/// Headers of one hop: Host, User-Agent, Accept (unless given), the caller's headers, Cookie (jar
/// values first, then a Cookie header the caller gave), Content-Length when there is a body or the
/// method carries one. Everything reqwest/hyper would add on their own is added here, so the record
/// is the request as sent. A caller's Content-Length/Transfer-Encoding is ignored (the body decides).
pub(crate) fn build_request_headers(
    req: &NextRequest,
    jar: &CookieStore,
    user_agent: &str,
) -> BuiltHeaders {
    let mut list: Vec<(String, String)> = Vec::new();
    let given = |name: &str| {
        req.headers
            .iter()
            .any(|(n, _)| n.trim().eq_ignore_ascii_case(name))
    };

    if !given("host") {
        let host = req.url.host_str().unwrap_or_default();
        let host = match req.url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        };
        list.push(("host".into(), host));
    }
    if !given("user-agent") {
        list.push(("user-agent".into(), user_agent.to_string()));
    }
    if !given("accept") {
        list.push(("accept".into(), "*/*".into()));
    }
    let mut caller_cookies = Vec::new();
    for (n, v) in &req.headers {
        let name = n.trim();
        if name.eq_ignore_ascii_case("cookie") {
            caller_cookies.push(v.clone());
        } else if name.eq_ignore_ascii_case("content-length")
            || name.eq_ignore_ascii_case("transfer-encoding")
        {
            continue;
        } else {
            list.push((name.to_string(), v.clone()));
        }
    }
    let mut cookies: Vec<String> = jar
        .get_request_values(&req.url)
        .map(|(n, v)| format!("{n}={v}"))
        .filter(|pair| HeaderValue::from_str(pair).is_ok())
        .collect();
    cookies.extend(caller_cookies);
    if !cookies.is_empty() {
        list.push(("cookie".into(), cookies.join("; ")));
    }
    let method = req.method.as_str();
    if !req.body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        list.push(("content-length".into(), req.body.len().to_string()));
    }

    let mut map = HeaderMap::new();
    for (n, v) in &list {
        let name = match HeaderName::from_bytes(n.as_bytes()) {
            Ok(name) => name,
            Err(_) => {
                return BuiltHeaders {
                    records: records_of(&list),
                    map: Err(format!(
                        "`{}` is not a valid header name",
                        escape_lossy(n.as_bytes()).0
                    )),
                };
            }
        };
        let value = match HeaderValue::from_str(v) {
            Ok(value) => value,
            Err(_) => {
                return BuiltHeaders {
                    records: records_of(&list),
                    map: Err(format!(
                        "the value of header `{n}` contains characters not allowed in a header"
                    )),
                };
            }
        };
        map.append(name, value);
    }
    let records = map
        .iter()
        .map(|(n, v)| {
            let (value, raw_bytes_escaped) = escape_lossy(v.as_bytes());
            Header {
                name: n.as_str().to_string(),
                value,
                raw_bytes_escaped,
            }
        })
        .collect();
    BuiltHeaders {
        records,
        map: Ok(map),
    }
}

fn records_of(list: &[(String, String)]) -> Vec<Header> {
    list.iter()
        .map(|(n, v)| Header {
            name: n.clone(),
            value: v.clone(),
            raw_bytes_escaped: false,
        })
        .collect()
}

/// Every response header (names lower-case as parsed; several values of one name are grouped at its
/// first position), and the raw Set-Cookie lines in order.
pub(crate) fn response_records(map: &HeaderMap) -> (Vec<Header>, Vec<String>) {
    let headers = map
        .iter()
        .map(|(n, v)| {
            let (value, raw_bytes_escaped) = escape_lossy(v.as_bytes());
            Header {
                name: n.as_str().to_string(),
                value,
                raw_bytes_escaped,
            }
        })
        .collect();
    let set_cookies = map
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .map(|v| escape_lossy(v.as_bytes()).0)
        .collect();
    (headers, set_cookies)
}

/// Store the response's cookies into the jar. A line the jar refuses (malformed, not UTF-8, domain
/// mismatch, Secure over http...) is skipped; the raw line stays in the record.
pub(crate) fn store_cookies(jar: &mut CookieStore, map: &HeaderMap, url: &url::Url) {
    for v in map.get_all(reqwest::header::SET_COOKIE) {
        let Ok(line) = std::str::from_utf8(v.as_bytes()) else {
            tracing::debug!("Set-Cookie line is not UTF-8: not stored in the jar");
            continue;
        };
        if let Err(e) = jar.parse(line, url) {
            tracing::debug!(error = %e, "Set-Cookie line refused by the cookie jar");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_only_invalid_bytes() {
        assert_eq!(escape_lossy(b"plain"), ("plain".to_string(), false));
        assert_eq!(escape_lossy("café".as_bytes()), ("café".to_string(), false));
        assert_eq!(
            escape_lossy(b"caf\xe9 \xff\tx"),
            ("caf\\xE9 \\xFF\tx".to_string(), true)
        );
        assert_eq!(escape_lossy(b"\xe2\x82"), ("\\xE2\\x82".to_string(), true));
    }

    #[test]
    fn request_headers_as_sent() {
        let mut jar = CookieStore::default();
        let url = url::Url::parse("http://127.0.0.1:8080/a").unwrap();
        jar.parse("sid=abc; Path=/", &url).unwrap();
        let req = NextRequest {
            method: reqwest::Method::POST,
            url,
            headers: vec![
                ("X-Test".into(), "1".into()),
                ("Cookie".into(), "extra=1".into()),
                ("Content-Length".into(), "999".into()),
            ],
            body: b"abc".to_vec(),
        };
        let built = build_request_headers(&req, &jar, "ua/1");
        let names: Vec<_> = built
            .records
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_str()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("host", "127.0.0.1:8080"),
                ("user-agent", "ua/1"),
                ("accept", "*/*"),
                ("x-test", "1"),
                ("cookie", "sid=abc; extra=1"),
                ("content-length", "3"),
            ]
        );
        assert!(built.map.is_ok());
    }

    #[test]
    fn invalid_caller_header_is_an_error_not_a_panic() {
        let req = NextRequest {
            method: reqwest::Method::GET,
            url: url::Url::parse("http://127.0.0.1/").unwrap(),
            headers: vec![("Bad Name".into(), "x".into())],
            body: vec![],
        };
        let built = build_request_headers(&req, &CookieStore::default(), "ua");
        assert!(built.map.unwrap_err().contains("Bad Name"));
        let req = NextRequest {
            headers: vec![("X".into(), "a\nb".into())],
            ..req
        };
        assert!(
            build_request_headers(&req, &CookieStore::default(), "ua")
                .map
                .is_err()
        );
    }
}
