use super::*;
use crate::profile::Profile;

const JWT: &str = include_str!("../../../../../profiles/lab-jwt.toml");
const SESSION: &str = include_str!("../../../../../profiles/lab-session.toml");
const HYBRID: &str = include_str!("../../../../../profiles/lab-hybrid.toml");

fn valid(text: &str) -> Profile {
    Profile::from_toml(text, None).unwrap_or_else(|e| panic!("{e}\n---\n{text}"))
}

#[test]
fn reads_the_bundled_profiles() {
    let f = read_form(SESSION).unwrap();
    assert_eq!(f.name, "Lab: session mode");
    assert_eq!(f.tls_trust, "lab");
    assert_eq!(f.username, "alice");
    let pre = f.prefetch.as_ref().unwrap();
    assert_eq!((pre.method.as_str(), pre.path.as_str()), ("GET", "/login"));
    assert_eq!(pre.extract[0].kind, "csrf");
    assert_eq!(pre.extract[0].from, "html-input");
    assert_eq!(pre.extract[0].field, "csrf_token");
    assert_eq!(f.login.body.kind, BodyKind::Form);
    assert_eq!(f.login.body.fields.len(), 3);
    assert_eq!(f.login.body.fields[2].key, "csrf_token");
    assert!(f.refresh.is_none());
    assert_eq!(f.logout.as_ref().unwrap().body.fields[0].value, "{{csrf}}");
    assert!(f.extra.is_empty(), "{:?}", f.extra);

    let f = read_form(JWT).unwrap();
    assert_eq!(f.login.body.kind, BodyKind::Json);
    assert_eq!(f.probe.bearer, "access");
    let refresh = f.refresh.as_ref().unwrap();
    assert!(refresh.extract[1].optional);
    assert_eq!(refresh.extract[1].index, Some(1));
    assert_eq!(refresh.extract[0].expires_in, "/expires_in");
}

#[test]
fn an_unchanged_form_leaves_the_text_as_it_was() {
    for text in [JWT, SESSION, HYBRID] {
        let f = read_form(text).unwrap();
        assert_eq!(apply_form(text, &f).unwrap(), text);
    }
}

#[test]
fn comments_order_and_unknown_keys_survive_an_apply() {
    let text = format!(
        "# my target\n{}\n[http]\ntimeout_secs = 10 # slow server\n",
        JWT.replace(
            "bearer = \"access\"\n\n[refresh]",
            "bearer = \"access\" # the access token\naccepted = [200, 204]\n\n[refresh]"
        )
        .replace(
            "{ name = \"refresh\", kind = \"refresh\", from = \"json\", pointer = \"/refresh_token\", expires_in = \"/refresh_expires_in\" },",
            "{ name = \"refresh\", kind = \"refresh\", from = \"regex\", pattern = \"r=(\\\\w+)\", group = 1 },"
        )
    );
    valid(&text);
    let mut f = read_form(&text).unwrap();
    assert_eq!(
        f.extra,
        vec![
            "login.extract[1].group",
            "probe.accepted",
            "jwt.oidc_issuer",
            "jwt.secret_env",
            "jwt.audience",
            "http.timeout_secs"
        ]
    );
    f.name = "Renamed".into();
    f.probe.bearer = "token".into();
    f.probe.method.clear();
    f.login.extract[0].name = "token".into();
    f.refresh.as_mut().unwrap().extract[0].name = "token".into();
    f.logout.as_mut().unwrap().bearer = "token".into();
    let out = apply_form(&text, &f).unwrap();
    valid(&out);
    for kept in [
        "# my target\n",
        "# The bundled lab in `jwt` mode",
        "timeout_secs = 10 # slow server",
        "accepted = [200, 204]",
        "bearer = \"token\" # the access token",
        "pattern = \"r=(\\\\w+)\", group = 1 }",
        "  # Some servers rotate the refresh token, some do not: optional.\n",
    ] {
        assert!(out.contains(kept), "lost {kept:?}:\n{out}");
    }
    assert!(out.contains("name = \"Renamed\"\nbase_url"), "{out}");
    // The probe's method was cleared: the key is gone, its neighbours stay in order.
    assert!(out.contains("[probe]\npath = \"/api/me\"\nbearer"), "{out}");
    assert_eq!(out.lines().count(), text.lines().count() - 1);
}

#[test]
fn apply_then_read_round_trips() {
    let mut f = read_form(JWT).unwrap();
    f.http_base_url.clear();
    f.tls_trust = "ca-file".into();
    f.tls_ca_file = "ca.pem".into();
    f.password_env = "TARGET_PASSWORD".into();
    f.probe.headers = vec![FormField {
        key: "X-Trace".into(),
        value: "{{username}}".into(),
    }];
    f.login.body = BodyForm {
        kind: BodyKind::Form,
        fields: vec![
            FormField {
                key: "user".into(),
                value: "{{username}}".into(),
            },
            FormField {
                key: "pass".into(),
                value: "{{password}}".into(),
            },
        ],
        ..BodyForm::default()
    };
    let logout = f.logout.as_mut().unwrap();
    logout.body = BodyForm {
        kind: BodyKind::Raw,
        text: "token={{refresh}}".into(),
        content_type: "application/x-www-form-urlencoded".into(),
        ..BodyForm::default()
    };
    f.prefetch = Some(StepForm {
        method: "GET".into(),
        path: "/login".into(),
        extract: vec![ExtractForm {
            name: "csrf".into(),
            kind: "csrf".into(),
            from: "cookie".into(),
            cookie: "XSRF-TOKEN".into(),
            ..ExtractForm::default()
        }],
        ..StepForm::default()
    });
    // Drop the first refresh extract: the second keeps its comment and `optional`.
    f.refresh.as_mut().unwrap().extract.remove(0);

    let out = apply_form(JWT, &f).unwrap();
    let p = valid(&out);
    assert_eq!(p.password_env, "TARGET_PASSWORD");
    assert!(p.prefetch.is_some());
    assert!(out.contains("\n[login.prefetch]\n"), "{out}");
    assert!(
        out.contains("extract = [\n  # Some servers rotate"),
        "{out}"
    );

    let mut back = read_form(&out).unwrap();
    // Indices now point into the new text; everything else is what was applied.
    f.refresh.as_mut().unwrap().extract[0].index = Some(0);
    f.prefetch.as_mut().unwrap().extract[0].index = Some(0);
    // Keys the form does not show (the [jwt] table) are kept in the text, listed as extra.
    assert_eq!(back.extra, f.extra);
    back.extra.clear();
    f.extra.clear();
    assert_eq!(back, f);
    // And once more changes nothing.
    assert_eq!(apply_form(&out, &back).unwrap(), out);
}

#[test]
fn steps_and_tables_are_created_and_removed() {
    let minimal = "name = \"x\"\nbase_url = \"https://x.test\"\n";
    let mut f = read_form(minimal).unwrap();
    assert!(f.login.path.is_empty() && f.refresh.is_none());
    f.username = "alice".into();
    f.login.path = "/login".into();
    f.login.body.kind = BodyKind::Json;
    f.login.body.fields = vec![FormField {
        key: "user".into(),
        value: "{{username}}".into(),
    }];
    f.login.extract.push(ExtractForm {
        name: "access".into(),
        kind: "access".into(),
        from: "json".into(),
        pointer: "/token".into(),
        ..ExtractForm::default()
    });
    f.probe.path = "/me".into();
    f.probe.bearer = "access".into();
    f.refresh = Some(StepForm {
        path: "/refresh".into(),
        ..StepForm::default()
    });
    let out = apply_form(minimal, &f).unwrap();
    let p = valid(&out);
    assert_eq!(p.username, "alice");
    assert!(p.refresh.is_some());
    assert!(
        out.contains("extract = [\n  { name = \"access\", kind = \"access\", from = \"json\", pointer = \"/token\" },\n]"),
        "{out}"
    );

    f.refresh = None;
    f.login.extract.clear();
    let out = apply_form(&out, &f).unwrap();
    assert!(
        !out.contains("refresh") && !out.contains("extract"),
        "{out}"
    );
}

#[test]
fn array_of_tables_extracts_and_inline_steps_work_too() {
    let text = "name = \"x\"\nbase_url = \"https://x.test\"\nuser = { username = \"a\" }\nprobe = { path = \"/me\" }\n\n[login]\npath = \"/login\"\n\n[[login.extract]]\n# the session\nname = \"session\"\nkind = \"session\"\nfrom = \"cookie\"\ncookie = \"sid\"\n";
    valid(text);
    let mut f = read_form(text).unwrap();
    assert_eq!(f.login.extract[0].cookie, "sid");
    f.probe.method = "GET".into();
    f.login.extract[0].cookie = "SID".into();
    f.login.extract.push(ExtractForm {
        name: "csrf".into(),
        kind: "csrf".into(),
        from: "header".into(),
        header: "X-CSRF".into(),
        ..ExtractForm::default()
    });
    let out = apply_form(text, &f).unwrap();
    let p = valid(&out);
    assert_eq!(p.probe.method, "GET");
    assert_eq!(p.login.extract.len(), 2);
    assert!(
        out.contains("probe = { path = \"/me\", method = \"GET\" }"),
        "{out}"
    );
    assert!(out.contains("# the session\nname = \"session\""), "{out}");
    assert_eq!(read_form(&out).unwrap().login.extract[1].header, "X-CSRF");
}

#[test]
fn a_nested_json_body_is_left_to_the_toml() {
    let text = JWT.replace(
        "json = { email = \"{{username}}\", password = \"{{password}}\" }",
        "json = { user = { email = \"{{username}}\" }, password = \"{{password}}\", remember = true }",
    );
    valid(&text);
    let mut f = read_form(&text).unwrap();
    assert!(f.login.body.locked);
    assert_eq!(f.login.body.kind, BodyKind::Json);
    assert!(
        f.extra.contains(&"login.json.user.email".to_string()),
        "{:?}",
        f.extra
    );
    assert!(f.extra.contains(&"login.json.remember".to_string()));
    // Whatever the (read-only) body says, a locked body is not written.
    f.login.body.kind = BodyKind::None;
    f.login.path = "/api/v2/login".into();
    let out = apply_form(&text, &f).unwrap();
    assert!(out.contains("remember = true"), "{out}");
    assert!(out.contains("path = \"/api/v2/login\""));
}

#[test]
fn syntax_and_shape_errors_name_their_line() {
    let err = read_form("name = \"x\"\n[login\npath = \"/\"\n").unwrap_err();
    assert!(matches!(err, FormError::Syntax { line: 2, .. }), "{err:?}");
    assert_eq!(err.code(), "profile.syntax");

    let err = read_form("name = \"x\"\n\n[probe]\nmethod = 5\n").unwrap_err();
    match &err {
        FormError::Shape {
            line, column, key, ..
        } => assert_eq!((*line, *column, key.as_str()), (4, 1, "probe.method")),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.code(), "profile.form-shape");
    assert_eq!(
        apply_form(
            "name = \"x\"\n\n[probe]\nmethod = 5\n",
            &ProfileForm::default()
        )
        .unwrap_err(),
        err
    );
    for bad in [
        "login = \"x\"",
        "[login]\nextract = \"x\"",
        "[login]\nextract = [1]",
        "[login]\nheaders = { a = 1 }",
        "[[login.extract]]\noptional = \"yes\"",
    ] {
        assert!(
            matches!(read_form(bad), Err(FormError::Shape { .. })),
            "{bad}"
        );
    }
}

#[test]
fn the_form_writes_no_password_key() {
    let json = serde_json::to_value(read_form(JWT).unwrap()).unwrap();
    let keys = json.as_object().unwrap();
    assert!(!keys.contains_key("password"));
    let mut f = read_form(JWT).unwrap();
    f.password_env = "MY_PASSWORD".into();
    let out = apply_form(JWT, &f).unwrap();
    let user = out
        .split("[user]")
        .nth(1)
        .unwrap()
        .split("\n\n")
        .next()
        .unwrap();
    assert_eq!(
        user,
        "\nusername = \"alice@lab.test\"\npassword_env = \"MY_PASSWORD\""
    );
}

#[test]
fn a_form_round_trips_through_json_as_the_ui_sends_it() {
    let f = read_form(SESSION).unwrap();
    let json = serde_json::to_string(&f).unwrap();
    assert!(json.contains("\"kind\":\"form\""), "{json}");
    let back: ProfileForm = serde_json::from_str(&json).unwrap();
    assert_eq!(back, f);
}
