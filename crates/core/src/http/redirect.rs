//! The redirect decision: which status redirects, where to, with which method and body, and when to
//! stop (cross-origin, https→http downgrade, invalid Location).

use reqwest::Method;

use super::HttpError;
use super::error::display_url;

/// The request of one hop.
#[derive(Debug, Clone)]
pub(crate) struct NextRequest {
    pub method: Method,
    pub url: url::Url,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Headers that describe the request body; dropped when a redirect turns the request into a GET.
const BODY_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "content-encoding",
    "content-language",
    "content-location",
    "transfer-encoding",
];

/// The request to send after a response with `status` and `location`, or `None` when the response is
/// final (not a redirect status, or no Location). Errors when the redirect must not be followed.
/// The caller enforces the redirect count.
pub(crate) fn next(
    current: &NextRequest,
    status: u16,
    location: Option<&[u8]>,
) -> Result<Option<NextRequest>, HttpError> {
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let Some(location) = location else {
        return Ok(None);
    };
    let from = &current.url;
    let invalid = |reason: String| HttpError::InvalidUrl {
        url: super::headers::escape_lossy(location).0,
        reason: format!("redirect Location from {}: {reason}", display_url(from)),
    };
    let text = std::str::from_utf8(location).map_err(|_| invalid("not valid UTF-8".into()))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid("empty Location header".into()));
    }
    let mut to = from.join(text).map_err(|e| invalid(e.to_string()))?;
    to.set_fragment(None);

    if from.scheme() == "https" && to.scheme() == "http" {
        return Err(HttpError::InsecureRedirect {
            from: display_url(from),
            to: display_url(&to),
        });
    }
    if from.origin() != to.origin() {
        return Err(HttpError::CrossOriginRedirect {
            from: display_url(from),
            to: display_url(&to),
        });
    }
    if to.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the target has no host".into()));
    }

    // 301/302/303 turn anything but GET/HEAD into a body-less GET (HEAD stays HEAD, as browsers do);
    // 307/308 keep method and body.
    let to_get = matches!(status, 301..=303)
        && current.method != Method::HEAD
        && current.method != Method::GET;
    let next = if to_get {
        NextRequest {
            method: Method::GET,
            url: to,
            headers: current
                .headers
                .iter()
                .filter(|(n, _)| {
                    !BODY_HEADERS
                        .iter()
                        .any(|b| n.trim().eq_ignore_ascii_case(b))
                })
                .cloned()
                .collect(),
            body: Vec::new(),
        }
    } else {
        NextRequest {
            method: current.method.clone(),
            url: to,
            headers: current.headers.clone(),
            body: current.body.clone(),
        }
    };
    Ok(Some(next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: Method, url: &str) -> NextRequest {
        NextRequest {
            method,
            url: url::Url::parse(url).unwrap(),
            headers: vec![
                ("Content-Type".into(), "text/plain".into()),
                ("Authorization".into(), "Bearer x".into()),
            ],
            body: b"payload".to_vec(),
        }
    }

    #[test]
    fn non_redirects_and_missing_location_are_final() {
        let r = req(Method::GET, "http://a.test/x");
        assert!(next(&r, 200, Some(b"/y")).unwrap().is_none());
        assert!(next(&r, 304, Some(b"/y")).unwrap().is_none());
        assert!(next(&r, 302, None).unwrap().is_none());
    }

    #[test]
    fn post_becomes_get_on_301_302_303() {
        for status in [301, 302, 303] {
            let n = next(
                &req(Method::POST, "http://a.test/x"),
                status,
                Some(b"/y?z=1"),
            )
            .unwrap()
            .unwrap();
            assert_eq!(n.method, Method::GET);
            assert_eq!(n.url.as_str(), "http://a.test/y?z=1");
            assert!(n.body.is_empty());
            assert_eq!(
                n.headers,
                vec![("Authorization".to_string(), "Bearer x".to_string())]
            );
        }
    }

    #[test]
    fn head_and_get_kept_307_308_keep_method_and_body() {
        let n = next(&req(Method::HEAD, "http://a.test/x"), 302, Some(b"y"))
            .unwrap()
            .unwrap();
        assert_eq!(n.method, Method::HEAD);
        assert_eq!(n.url.as_str(), "http://a.test/y");
        for status in [307, 308] {
            let n = next(&req(Method::PUT, "http://a.test/x"), status, Some(b"/y"))
                .unwrap()
                .unwrap();
            assert_eq!(n.method, Method::PUT);
            assert_eq!(n.body, b"payload");
            assert_eq!(n.headers.len(), 2);
        }
    }

    #[test]
    fn origin_rules() {
        let r = req(Method::GET, "https://a.test/x");
        let e = next(&r, 302, Some(b"http://a.test/y")).unwrap_err();
        assert_eq!(e.code(), "http.insecure-redirect");
        let e = next(&r, 302, Some(b"https://b.test/y")).unwrap_err();
        assert_eq!(e.code(), "http.cross-origin-redirect");
        let e = next(&r, 302, Some(b"https://a.test:444/y")).unwrap_err();
        assert_eq!(e.code(), "http.cross-origin-redirect");
        let e = next(
            &req(Method::GET, "http://a.test/x"),
            302,
            Some(b"https://a.test/y"),
        )
        .unwrap_err();
        assert_eq!(e.code(), "http.cross-origin-redirect");
        let e = next(&r, 302, Some(b"javascript:alert(1)")).unwrap_err();
        assert_eq!(e.code(), "http.cross-origin-redirect");
        assert!(
            next(&r, 302, Some(b"https://A.TEST:443/z#frag"))
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn invalid_locations() {
        let r = req(Method::GET, "http://a.test/x");
        for bad in [
            &b"http://[::1"[..],
            b"\xff\xfe",
            b"   ",
            b"http://a.test:99999/",
        ] {
            let e = next(&r, 302, Some(bad)).unwrap_err();
            assert_eq!(e.code(), "http.invalid-url", "{bad:?}");
        }
    }
}
