use super::*;

const JWT: &str = include_str!("../../../../profiles/lab-jwt.toml");
const SESSION: &str = include_str!("../../../../profiles/lab-session.toml");
const HYBRID: &str = include_str!("../../../../profiles/lab-hybrid.toml");

fn err(text: &str) -> (usize, Option<String>, String) {
    match Profile::from_toml(text, Some(Path::new("t.toml"))) {
        Err(ProfileError::Invalid {
            line, key, message, ..
        }) => (line, key, message),
        other => panic!("expected an invalid-profile error, got {other:?}"),
    }
}

#[test]
fn bundled_lab_profiles_parse() {
    for text in [JWT, SESSION, HYBRID] {
        let p = Profile::from_toml(text, None).unwrap();
        assert_eq!(p.tls, TlsTrustSpec::Lab);
        assert!(p.logout.is_some());
    }
    let s = Profile::from_toml(SESSION, None).unwrap();
    assert!(s.prefetch.is_some());
    assert_eq!(
        s.credential_cookies(),
        vec![(
            "__Host-sid".into(),
            "session".into(),
            CredentialKind::Session
        )]
    );
    let j = Profile::from_toml(JWT, None).unwrap();
    assert_eq!(j.probe.method, "GET");
    assert!(!j.probe.follow_redirects && j.login.follow_redirects);
    assert!(j.refresh.unwrap().variables().contains("refresh"));
}

#[test]
fn unknown_key_names_its_line_and_key() {
    let text = JWT.replace(
        "bearer = \"access\"\n\n[refresh]",
        "bearer = \"access\"\ntimeout = 3\n\n[refresh]",
    );
    let (line, key, msg) = err(&text);
    let expected = text
        .lines()
        .position(|l| l.starts_with("timeout = 3"))
        .unwrap()
        + 1;
    assert_eq!((line, key.as_deref()), (expected, Some("timeout")), "{msg}");
    assert!(msg.contains("[probe]"), "{msg}");
}

#[test]
fn missing_step_is_named() {
    let cut = JWT.find("[probe]").unwrap();
    let end = JWT.find("[refresh]").unwrap();
    let text = format!("{}{}", &JWT[..cut], &JWT[end..]);
    let (_, key, msg) = err(&text);
    assert_eq!(key.as_deref(), Some("probe"), "{msg}");
    assert!(msg.contains("[probe] step"), "{msg}");
}

#[test]
fn bad_pointer_names_its_line_and_key() {
    let text = JWT.replacen(
        "pointer = \"/access_token\"",
        "pointer = \"access_token\"",
        1,
    );
    let (line, key, msg) = err(&text);
    let expected = text
        .lines()
        .position(|l| l.contains("pointer = \"access_token\""))
        .unwrap()
        + 1;
    assert_eq!((line, key.as_deref()), (expected, Some("pointer")), "{msg}");
    assert!(msg.contains("JSON pointer"), "{msg}");
}

#[test]
fn password_in_file_is_refused_with_the_way_out() {
    let text = JWT.replace(
        "username = \"alice@lab.test\"",
        "username = \"alice@lab.test\"\npassword = \"x\"",
    );
    let (_, key, msg) = err(&text);
    assert_eq!(key.as_deref(), Some("password"));
    assert!(msg.contains("AUTHLENS_PASSWORD"), "{msg}");
}

#[test]
fn undefined_variable_is_named() {
    let text = JWT.replace(
        "json = { refresh_token = \"{{refresh}}\" }\nextract",
        "json = { refresh_token = \"{{refrsh}}\" }\nextract",
    );
    let (_, key, msg) = err(&text);
    assert_eq!(key.as_deref(), Some("refrsh"), "{msg}");
    assert!(msg.contains("no step extracts"), "{msg}");
}

#[test]
fn prefetch_outside_login_is_refused() {
    let text = JWT.replace(
        "[refresh]\n",
        "[refresh.prefetch]\npath = \"/x\"\n\n[refresh]\n",
    );
    let (_, key, msg) = err(&text);
    assert_eq!(key.as_deref(), Some("prefetch"), "{msg}");
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn bad_method_points_at_its_own_line() {
    let text = JWT.replace(
        "[refresh]\nmethod = \"POST\"",
        "[refresh]\nmethod = \"g et\"",
    );
    let (line, key, msg) = err(&text);
    assert_eq!(
        (line, key.as_deref()),
        (line_of(&text, "method = \"g et\""), Some("method")),
        "{msg}"
    );
    assert!(msg.contains("`g et` is not an HTTP method"), "{msg}");
}

#[test]
fn undefined_variable_with_spaces_points_at_its_line() {
    let text = JWT.replace(
        "json = { refresh_token = \"{{refresh}}\" }\nextract",
        "json = { refresh_token = \"{{ refrsh }}\" }\nextract",
    );
    let (line, key, msg) = err(&text);
    assert_eq!(
        (line, key.as_deref()),
        (line_of(&text, "{{ refrsh }}"), Some("refrsh")),
        "{msg}"
    );
}

#[test]
fn probe_statuses_outside_the_probe_name_the_key_written() {
    let text = JWT.replace(
        "[logout]\nmethod = \"POST\"",
        "[logout]\nmethod = \"POST\"\nrejected = [401]",
    );
    let (line, key, msg) = err(&text);
    assert_eq!(
        (line, key.as_deref()),
        (line_of(&text, "rejected = [401]"), Some("rejected")),
        "{msg}"
    );
    assert!(msg.contains("`rejected` is for the probe"), "{msg}");
    let text = JWT.replace(
        "[probe]\nmethod = \"GET\"",
        "[probe]\nmethod = \"GET\"\nsuccess = [200]",
    );
    let (line, key, msg) = err(&text);
    assert_eq!(
        (line, key.as_deref()),
        (line_of(&text, "success = [200]"), Some("success")),
        "{msg}"
    );
}

#[test]
fn a_second_body_is_named_at_its_line() {
    let text = JWT.replace(
        "[logout]\nmethod = \"POST\"",
        "[logout]\nmethod = \"POST\"\nbody = \"x\"",
    );
    let (line, key, msg) = err(&text);
    // `body` comes first in the file, `json` after it: the json line is the mistake.
    assert_eq!(
        (line, key.as_deref()),
        (
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.starts_with("json = { refresh_token"))
                .map(|(i, _)| i + 1)
                .last()
                .unwrap(),
            Some("json")
        ),
        "{msg}"
    );
    assert!(
        msg.contains("more than one of form, json and body"),
        "{msg}"
    );
}

#[test]
fn template_errors_point_at_their_value() {
    // The same text twice (a comment first): the error points at the value, not the first occurrence.
    let text = format!(
        "# never write {{{{bad name}}}}\n{}",
        JWT.replace(
            "[probe]\nmethod = \"GET\"\npath = \"/api/me\"",
            "[probe]\nmethod = \"GET\"\npath = \"/api/me\"\nheaders = { X-A = \"{{bad name}}\" }",
        )
    );
    let (line, key, msg) = err(&text);
    assert_eq!(
        (line, key.as_deref()),
        (line_of(&text, "headers = { X-A"), Some("X-A")),
        "{msg}"
    );
}
