//! TOML text → [`ProfileForm`]. Parsed with spans (`toml_edit::Document`), so a value the form cannot show
//! is an error that names its line.

use toml_edit::{Document, Item, TableLike, Value};

use super::{BodyForm, BodyKind, ExtractForm, FormError, FormField, ProfileForm, StepForm};

/// Keys of an `extract` entry the form shows.
pub(super) const EXTRACT_KEYS: [&str; 10] = [
    "name",
    "kind",
    "from",
    "pointer",
    "header",
    "cookie",
    "field",
    "selector",
    "pattern",
    "expires_in",
];

pub(super) fn read(text: &str) -> Result<ProfileForm, FormError> {
    let doc = Document::parse(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((0, 0), |s| super::super::line_col(text, s.start));
        // The message's first line; the rest repeats the source with a caret.
        let message = e
            .message()
            .lines()
            .next()
            .unwrap_or("invalid TOML")
            .to_string();
        FormError::Syntax {
            line,
            column,
            message,
        }
    })?;
    let r = Reader { text };
    let root: &dyn TableLike = doc.as_table();
    let tls = r.table(root, "tls", "tls")?;
    let user = r.table(root, "user", "user")?;
    let login = r.table(root, "login", "login")?;
    let prefetch = match login {
        Some(l) => r.table(l, "prefetch", "login.prefetch")?,
        None => None,
    };
    let step = |t: Option<&dyn TableLike>, path: &str| t.map(|t| r.step(t, path)).transpose();
    let mut form = ProfileForm {
        name: r.str(root, "name", "name")?,
        base_url: r.str(root, "base_url", "base_url")?,
        http_base_url: r.str(root, "http_base_url", "http_base_url")?,
        tls_trust: r.opt_str(tls, "trust", "tls.trust")?,
        tls_ca_file: r.opt_str(tls, "ca_file", "tls.ca_file")?,
        username: r.opt_str(user, "username", "user.username")?,
        password_env: r.opt_str(user, "password_env", "user.password_env")?,
        prefetch: step(prefetch, "login.prefetch")?,
        login: step(login, "login")?.unwrap_or_default(),
        probe: step(r.table(root, "probe", "probe")?, "probe")?.unwrap_or_default(),
        refresh: step(r.table(root, "refresh", "refresh")?, "refresh")?,
        logout: step(r.table(root, "logout", "logout")?, "logout")?,
        extra: Vec::new(),
    };
    let mut leaves = Vec::new();
    collect_leaves(doc.as_item(), &mut Vec::new(), &mut leaves);
    form.extra = leaves
        .into_iter()
        .filter(|p| !covered(&form, p))
        .map(|p| dotted(&p))
        .collect();
    Ok(form)
}

struct Reader<'a> {
    text: &'a str,
}

impl Reader<'_> {
    fn shape(&self, t: &dyn TableLike, key: &str, path: &str, message: &str) -> FormError {
        let span = t
            .get_key_value(key)
            .and_then(|(k, v)| k.span().or_else(|| v.span()));
        let (line, column) = span.map_or((0, 0), |s| super::super::line_col(self.text, s.start));
        FormError::Shape {
            line,
            column,
            key: path.to_string(),
            message: message.to_string(),
        }
    }

    /// A string value; "" when the key is absent.
    fn str(&self, t: &dyn TableLike, key: &str, path: &str) -> Result<String, FormError> {
        match t.get(key) {
            None => Ok(String::new()),
            Some(item) => item
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| self.shape(t, key, path, "is not a string: edit it in TOML")),
        }
    }

    fn opt_str(
        &self,
        t: Option<&dyn TableLike>,
        key: &str,
        path: &str,
    ) -> Result<String, FormError> {
        t.map_or(Ok(String::new()), |t| self.str(t, key, path))
    }

    fn table<'t>(
        &self,
        t: &'t dyn TableLike,
        key: &str,
        path: &str,
    ) -> Result<Option<&'t dyn TableLike>, FormError> {
        match t.get(key) {
            None => Ok(None),
            Some(item) => item
                .as_table_like()
                .map(Some)
                .ok_or_else(|| self.shape(t, key, path, "is not a table: edit it in TOML")),
        }
    }

    fn step(&self, t: &dyn TableLike, path: &str) -> Result<StepForm, FormError> {
        let headers = match self.table(t, "headers", &format!("{path}.headers"))? {
            None => Vec::new(),
            Some(h) => {
                let fields = string_fields(h);
                fields.ok_or_else(|| {
                    self.shape(
                        t,
                        "headers",
                        &format!("{path}.headers"),
                        "holds a value that is not a string: edit it in TOML",
                    )
                })?
            }
        };
        Ok(StepForm {
            method: self.str(t, "method", &format!("{path}.method"))?,
            path: self.str(t, "path", &format!("{path}.path"))?,
            bearer: self.str(t, "bearer", &format!("{path}.bearer"))?,
            headers,
            body: self.body(t, path)?,
            extract: self.extracts(t, path)?,
        })
    }

    fn body(&self, t: &dyn TableLike, path: &str) -> Result<BodyForm, FormError> {
        let content_type = self.str(t, "content_type", &format!("{path}.content_type"))?;
        let present: Vec<&str> = ["form", "json", "body"]
            .into_iter()
            .filter(|k| t.contains_key(k))
            .collect();
        let mut body = BodyForm {
            content_type,
            ..BodyForm::default()
        };
        // Several body keys is an invalid profile; the validator says which. Leave them all to the TOML.
        let [key] = present.as_slice() else {
            body.locked = !present.is_empty();
            if let Some(first) = present.first() {
                body.kind = kind_of(first);
            }
            return Ok(body);
        };
        body.kind = kind_of(key);
        let item = t.get(key);
        match body.kind {
            BodyKind::Form | BodyKind::Json => {
                match item.and_then(Item::as_table_like).and_then(string_fields) {
                    Some(fields) => body.fields = fields,
                    None => body.locked = true,
                }
            }
            BodyKind::Raw => match item.and_then(Item::as_str) {
                Some(s) => body.text = s.to_string(),
                None => body.locked = true,
            },
            BodyKind::None => {}
        }
        Ok(body)
    }

    fn extracts(&self, t: &dyn TableLike, path: &str) -> Result<Vec<ExtractForm>, FormError> {
        let key_path = format!("{path}.extract");
        let not_list = || {
            self.shape(
                t,
                "extract",
                &key_path,
                "is not a list of extract tables: edit it in TOML",
            )
        };
        let entries: Vec<&dyn TableLike> = match t.get("extract") {
            None => return Ok(Vec::new()),
            Some(Item::ArrayOfTables(a)) => a.iter().map(|t| t as &dyn TableLike).collect(),
            Some(Item::Value(Value::Array(a))) => a
                .iter()
                .map(|v| v.as_inline_table().map(|t| t as &dyn TableLike))
                .collect::<Option<_>>()
                .ok_or_else(not_list)?,
            Some(_) => return Err(not_list()),
        };
        entries
            .into_iter()
            .enumerate()
            .map(|(i, e)| self.extract(e, i, &format!("{key_path}[{i}]")))
            .collect()
    }

    fn extract(&self, e: &dyn TableLike, i: usize, path: &str) -> Result<ExtractForm, FormError> {
        let s = |key: &str| self.str(e, key, &format!("{path}.{key}"));
        let optional = match e.get("optional") {
            None => false,
            Some(v) => v.as_bool().ok_or_else(|| {
                self.shape(
                    e,
                    "optional",
                    &format!("{path}.optional"),
                    "is not true or false: edit it in TOML",
                )
            })?,
        };
        Ok(ExtractForm {
            index: u32::try_from(i).ok(),
            name: s("name")?,
            kind: s("kind")?,
            from: s("from")?,
            pointer: s("pointer")?,
            header: s("header")?,
            cookie: s("cookie")?,
            field: s("field")?,
            selector: s("selector")?,
            pattern: s("pattern")?,
            expires_in: s("expires_in")?,
            optional,
        })
    }
}

fn kind_of(key: &str) -> BodyKind {
    match key {
        "form" => BodyKind::Form,
        "json" => BodyKind::Json,
        "body" => BodyKind::Raw,
        _ => BodyKind::None,
    }
}

/// Every member as a field, or None when one is not a string.
fn string_fields(t: &dyn TableLike) -> Option<Vec<FormField>> {
    t.iter()
        .map(|(k, v)| {
            v.as_str().map(|s| FormField {
                key: k.to_string(),
                value: s.to_string(),
            })
        })
        .collect()
}

/// One segment of a key path: a key, or an index in an array of tables.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// The path of every value that is not a table or a list of tables.
fn collect_leaves(item: &Item, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    let mut nested = |path: &mut Vec<Seg>, seg: Seg, item: &Item| {
        path.push(seg);
        collect_leaves(item, path, out);
        path.pop();
    };
    match item {
        Item::ArrayOfTables(a) => {
            for (i, t) in a.iter().enumerate() {
                path.push(Seg::Index(i));
                for (k, v) in t.iter() {
                    nested(path, Seg::Key(k.to_string()), v);
                }
                path.pop();
            }
        }
        Item::Value(Value::Array(a)) if a.iter().all(Value::is_inline_table) && !a.is_empty() => {
            for (i, v) in a.iter().enumerate() {
                path.push(Seg::Index(i));
                if let Some(t) = v.as_inline_table() {
                    for (k, v) in TableLike::iter(t) {
                        nested(path, Seg::Key(k.to_string()), v);
                    }
                }
                path.pop();
            }
        }
        _ => match item.as_table_like() {
            Some(t) => {
                for (k, v) in t.iter() {
                    nested(path, Seg::Key(k.to_string()), v);
                }
            }
            None => out.push(path.clone()),
        },
    }
}

fn dotted(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// Whether the form shows (and `apply_form` writes) the value at this path.
fn covered(form: &ProfileForm, path: &[Seg]) -> bool {
    let keys: Vec<Option<&str>> = path
        .iter()
        .map(|s| match s {
            Seg::Key(k) => Some(k.as_str()),
            Seg::Index(_) => None,
        })
        .collect();
    match keys.as_slice() {
        [Some("name" | "base_url" | "http_base_url")] => true,
        [Some("tls"), Some("trust" | "ca_file")] => true,
        [Some("user"), Some("username" | "password_env")] => true,
        [Some("login"), Some("prefetch"), rest @ ..] => step_covered(form.prefetch.as_ref(), rest),
        [Some("login"), rest @ ..] => step_covered(Some(&form.login), rest),
        [Some("probe"), rest @ ..] => step_covered(Some(&form.probe), rest),
        [Some("refresh"), rest @ ..] => step_covered(form.refresh.as_ref(), rest),
        [Some("logout"), rest @ ..] => step_covered(form.logout.as_ref(), rest),
        _ => false,
    }
}

fn step_covered(step: Option<&StepForm>, rest: &[Option<&str>]) -> bool {
    let Some(step) = step else { return false };
    match rest {
        [Some("method" | "path" | "bearer")] => true,
        [Some("headers"), Some(_)] => true,
        [Some("body" | "content_type")] | [Some("form" | "json"), Some(_)] => !step.body.locked,
        [Some("extract"), None, Some(key)] => *key == "optional" || EXTRACT_KEYS.contains(key),
        _ => false,
    }
}
