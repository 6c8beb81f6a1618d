//! Building the request a step describes from the current variables.

use crate::http::OutgoingRequest;
use crate::profile::{BodyTemplate, Step, Vars, template_render_json};

/// Join a step path onto the base URL, keeping any path prefix the base has (`https://x/app` + `/login`).
pub fn step_url(base: &url::Url, path: &str) -> Result<url::Url, String> {
    let mut root = base.clone();
    root.set_query(None);
    root.set_fragment(None);
    let prefix = root.path().trim_end_matches('/').to_string();
    let joined = format!("{}{}{}", root.origin().ascii_serialization(), prefix, path);
    url::Url::parse(&joined).map_err(|e| format!("`{joined}` is not a valid URL: {e}"))
}

/// Render a step. With `omit_missing` (replays), a header or field whose variable has no value is left
/// out so one credential travels alone, and the names of the variables left out are returned (a replay
/// refused for lack of them proves nothing); otherwise a missing variable is an error naming it.
pub fn build(
    base: &url::Url,
    step: &Step,
    vars: &Vars,
    omit_missing: bool,
) -> Result<(OutgoingRequest, Vec<String>), String> {
    let mut omitted = Vec::new();
    let missing = |v: String| format!("no value for {{{{{v}}}}} (no earlier step extracted it)");
    let path = step.path.render(vars).map_err(missing)?;
    let url = step_url(base, &path)?;
    let mut headers = Vec::new();
    for (name, t) in &step.headers {
        match t.render(vars) {
            Ok(v) => headers.push((name.clone(), v)),
            Err(v) if omit_missing => omitted.push(v),
            Err(v) => return Err(missing(v)),
        }
    }
    let has = |headers: &[(String, String)], n: &str| {
        headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(n))
    };
    let body = match &step.body {
        BodyTemplate::None => Vec::new(),
        BodyTemplate::Form(fields) => {
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            for (k, t) in fields {
                match t.render(vars) {
                    Ok(v) => {
                        ser.append_pair(k, &v);
                    }
                    Err(v) if omit_missing => omitted.push(v),
                    Err(v) => return Err(missing(v)),
                }
            }
            if !has(&headers, "content-type") {
                headers.push((
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ));
            }
            ser.finish().into_bytes()
        }
        BodyTemplate::Json(v) => {
            if omit_missing {
                let mut used = std::collections::BTreeSet::new();
                crate::profile::template_json_variables(v, &mut used);
                omitted.extend(used.into_iter().filter(|u| !vars.contains_key(u)));
            }
            let rendered = template_render_json(v, vars, omit_missing)
                .map_err(missing)?
                .unwrap_or_default();
            if !has(&headers, "content-type") {
                headers.push(("Content-Type".into(), "application/json".into()));
            }
            serde_json::to_vec(&rendered).map_err(|e| e.to_string())?
        }
        BodyTemplate::Raw { content_type, text } => {
            if !has(&headers, "content-type") {
                headers.push(("Content-Type".into(), content_type.clone()));
            }
            text.render(vars).map_err(missing)?.into_bytes()
        }
    };
    if !has(&headers, "accept") {
        headers.push((
            "Accept".into(),
            "application/json, text/html;q=0.9, */*;q=0.8".into(),
        ));
    }
    let req = OutgoingRequest {
        method: step.method.clone(),
        url,
        headers,
        body,
    };
    Ok((req, omitted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_paths_under_a_prefix() {
        let b = url::Url::parse("https://h:1/app/").unwrap();
        assert_eq!(
            step_url(&b, "/login?x=1").unwrap().as_str(),
            "https://h:1/app/login?x=1"
        );
        let b = url::Url::parse("https://h").unwrap();
        assert_eq!(step_url(&b, "/a").unwrap().as_str(), "https://h/a");
    }
}
