//! Pulling values out of a captured exchange: JSON pointer, header, cookie, HTML input or selector, regex.

use crate::model::{Carrier, Exchange};
use crate::profile::{Extract, Source};

/// A value found in a response, with how it travelled.
#[derive(Debug, Clone)]
pub struct Found {
    pub value: String,
    pub carrier: Carrier,
    /// For cookies: the hop URL that set it (the cookie's origin).
    pub url: Option<String>,
    /// `expires_in` seconds, when the extract names one and the body has it.
    pub expires_in: Option<i64>,
}

/// Cookie names match exactly, or ignoring a `__Host-`/`__Secure-` prefix: servers that drop Secure must
/// also drop the prefix, and the profile should still find their cookie.
pub fn cookie_name_matches(wanted: &str, actual: &str) -> bool {
    fn strip(n: &str) -> &str {
        let lower = n.to_ascii_lowercase();
        if lower.starts_with("__host-") || lower.starts_with("__secure-") {
            n.split_once('-').map(|(_, rest)| rest).unwrap_or(n)
        } else {
            n
        }
    }
    wanted == actual || strip(wanted) == strip(actual)
}

/// The last non-deleting Set-Cookie for a name across the exchange's hops: (name, value, raw line, hop URL).
pub fn find_cookie<'a>(
    ex: &'a Exchange,
    wanted: &str,
) -> Option<(String, String, &'a str, &'a str)> {
    let mut found = None;
    for (url, line) in ex.set_cookie_lines() {
        let first = line.split(';').next().unwrap_or("");
        let Some((name, value)) = first.split_once('=') else {
            continue;
        };
        let (name, value) = (name.trim(), value.trim().trim_matches('"'));
        if !cookie_name_matches(wanted, name) {
            continue;
        }
        // A deletion (Max-Age<=0, Expires in the past, empty value) is not a credential.
        let deleting = value.is_empty()
            || url::Url::parse(url).ok().is_some_and(|u| {
                crate::cookies::parse_set_cookie(line, &u, super::now_ms())
                    .is_ok_and(|c| c.is_deletion)
            });
        if !deleting {
            found = Some((name.to_string(), value.to_string(), line, url));
        }
    }
    found
}

/// Every value the step's extracts find in a response (for responses we do not adopt, like replays, whose
/// secrets must still be known to the redactor).
pub fn values_in(ex: &Exchange, specs: &[Extract]) -> Vec<String> {
    specs
        .iter()
        .filter_map(|spec| extract(ex, spec).ok().flatten())
        .map(|f| f.value)
        .collect()
}

pub fn extract(ex: &Exchange, spec: &Extract) -> Result<Option<Found>, String> {
    let resp = ex.final_response();
    let body_text = || {
        resp.map(|r| String::from_utf8_lossy(&r.body.bytes()).into_owned())
            .unwrap_or_default()
    };
    let json = || -> Result<serde_json::Value, String> {
        let text = body_text();
        serde_json::from_str(&text).map_err(|e| format!("the response body is not JSON ({e})"))
    };
    let expires_in = || -> Option<i64> {
        let p = spec.expires_in.as_ref()?;
        let v = json().ok()?;
        let n = v.pointer(p)?;
        n.as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .or_else(|| n.as_str()?.trim().parse().ok())
    };
    let found = |value: String, carrier: Carrier| Found {
        value,
        carrier,
        url: None,
        expires_in: expires_in(),
    };
    let value = match &spec.source {
        Source::Json { pointer } => {
            let v = json()?;
            match v.pointer(pointer) {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) => Some(found(
                    s.clone(),
                    Carrier::JsonBody {
                        pointer: pointer.clone(),
                    },
                )),
                Some(n @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => {
                    Some(found(
                        n.to_string(),
                        Carrier::JsonBody {
                            pointer: pointer.clone(),
                        },
                    ))
                }
                Some(_) => return Err(format!("{pointer} is an object or array, not a value")),
            }
        }
        Source::Header { name } => resp
            .and_then(|r| r.header(name))
            .map(|v| found(v.trim().to_string(), Carrier::Header { name: name.clone() })),
        Source::Cookie { name } => find_cookie(ex, name).map(|(actual, value, raw, url)| Found {
            value,
            carrier: Carrier::Cookie {
                name: actual,
                raw: raw.to_string(),
            },
            url: Some(url.to_string()),
            expires_in: expires_in(),
        }),
        Source::HtmlInput { field } => {
            let doc = scraper::Html::parse_document(&body_text());
            let sel = scraper::Selector::parse("input").map_err(|e| e.to_string())?;
            doc.select(&sel)
                .find(|el| el.value().attr("name") == Some(field.as_str()))
                .and_then(|el| el.value().attr("value"))
                .map(|v| {
                    found(
                        v.to_string(),
                        Carrier::Html {
                            selector: format!("input[name={field}]"),
                        },
                    )
                })
        }
        Source::Html { selector, attr } => {
            let doc = scraper::Html::parse_document(&body_text());
            let sel =
                scraper::Selector::parse(selector).map_err(|e| format!("bad selector: {e}"))?;
            doc.select(&sel)
                .next()
                .and_then(|el| match attr {
                    Some(a) => el.value().attr(a).map(str::to_string),
                    None => Some(el.text().collect::<String>().trim().to_string()),
                })
                .map(|v| {
                    found(
                        v,
                        Carrier::Html {
                            selector: selector.clone(),
                        },
                    )
                })
        }
        Source::Regex { regex, group } => {
            let text = body_text();
            regex.captures(&text).and_then(|c| c.get(*group)).map(|m| {
                found(
                    m.as_str().to_string(),
                    Carrier::Regex {
                        pattern: regex.as_str().to_string(),
                    },
                )
            })
        }
    };
    Ok(value.filter(|f| !f.value.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_names_match_with_or_without_prefix() {
        assert!(cookie_name_matches("__Host-sid", "__Host-sid"));
        assert!(cookie_name_matches("__Host-sid", "sid"));
        assert!(cookie_name_matches("sid", "__secure-sid"));
        assert!(!cookie_name_matches("sid", "sidx"));
    }
}
