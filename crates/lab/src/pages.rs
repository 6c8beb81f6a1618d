//! The lab's few HTML pages: plain text and forms, no scripts.

use std::fmt::Write;

use crate::config::Mode;
use crate::state::Lab;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title}</title></head>\n<body>\n{body}</body></html>\n",
        title = escape(title)
    )
}

fn csrf_input(csrf_token: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf_token\" value=\"{}\">",
        escape(csrf_token)
    )
}

pub(crate) fn index(lab: &Lab) -> String {
    let mut body = format!(
        "<h1>Authlens lab</h1>\n<p>Mode: <strong>{}</strong></p>\n\
         <p>Replica {} of {}, store: {}</p>\n",
        lab.mode, lab.replica, lab.replicas, lab.store_kind
    );
    if lab.mode != Mode::Session {
        let _ = writeln!(
            body,
            "<p>Access tokens: {}, key <code>{}</code></p>",
            lab.access.keys().signing().alg(),
            escape(&lab.access.keys().current().kid)
        );
    }
    if lab.flaws.is_empty() {
        body.push_str("<p>Active flaws: none (safe defaults).</p>\n");
    } else {
        body.push_str("<p>Active flaws:</p>\n<ul>\n");
        for flaw in &lab.flaws {
            let _ = writeln!(
                body,
                "<li><code>{}</code>: {}</li>",
                flaw,
                escape(flaw.describe())
            );
        }
        body.push_str("</ul>\n");
    }
    let endpoints: &[&str] = match lab.mode {
        Mode::Session => &[
            "GET /login",
            "POST /login",
            "GET /account",
            "POST /logout",
            "GET /api/me",
        ],
        Mode::Jwt => &[
            "POST /api/login",
            "GET /api/me",
            "POST /api/refresh",
            "POST /api/logout",
            "GET /.well-known/jwks.json",
            "GET /.well-known/openid-configuration",
            "GET /.well-known/public-key.pem",
        ],
        Mode::Hybrid => &[
            "POST /api/login",
            "GET /api/me",
            "POST /api/auth/refresh",
            "POST /api/auth/logout",
            "GET /.well-known/jwks.json",
            "GET /.well-known/openid-configuration",
            "GET /.well-known/public-key.pem",
        ],
    };
    body.push_str("<p>Endpoints:</p>\n<ul>\n");
    for endpoint in endpoints {
        let _ = writeln!(body, "<li><code>{endpoint}</code></li>");
    }
    body.push_str("</ul>\n<p>Users: alice / wonderland-alice, bob / builder-bob.</p>\n");
    page(&format!("Authlens lab ({})", lab.mode), &body)
}

pub(crate) fn login(csrf_token: &str, error: Option<&str>) -> String {
    let error = error
        .map(|e| format!("<p role=\"alert\">{}</p>\n", escape(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Sign in</h1>\n{error}<form method=\"post\" action=\"/login\">\n\
         {csrf}\n\
         <label>Username or e-mail <input name=\"username\" autocomplete=\"username\"></label>\n\
         <label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\"></label>\n\
         <button type=\"submit\">Sign in</button>\n</form>\n",
        csrf = csrf_input(csrf_token)
    );
    page("Sign in - Authlens lab", &body)
}

pub(crate) fn account(username: &str, csrf_token: &str) -> String {
    let body = format!(
        "<h1>Account</h1>\n<p>Signed in as {user}</p>\n\
         <form method=\"post\" action=\"/logout\">\n{csrf}\n\
         <button type=\"submit\">Sign out</button>\n</form>\n",
        user = escape(username),
        csrf = csrf_input(csrf_token)
    );
    page("Account - Authlens lab", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_embeds_csrf() {
        let html = login("a\"b", Some("<bad>"));
        assert!(html.contains("<input type=\"hidden\" name=\"csrf_token\" value=\"a&quot;b\">"));
        assert!(html.contains("&lt;bad&gt;"));
        assert!(!html.contains("<script"));
        assert!(account("alice", "t").contains("Signed in as alice"));
    }
}
