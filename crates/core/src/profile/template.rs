//! `{{variable}}` templates in paths, headers and bodies.

use std::collections::{BTreeMap, BTreeSet};

/// Current variable values: `username`, `password` and whatever the steps extracted.
pub type Vars = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    Var(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

pub fn is_var_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Template {
    pub fn parse(s: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = s;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(Part::Lit(rest[..open].to_string()));
            }
            let after = &rest[open + 2..];
            let close = after
                .find("}}")
                .ok_or_else(|| format!("`{{{{` without a closing `}}}}` in `{s}`"))?;
            let name = after[..close].trim();
            if !is_var_name(name) {
                return Err(format!(
                    "`{{{{{name}}}}}` is not a variable name (letters, digits, _ and -)"
                ));
            }
            parts.push(Part::Var(name.to_string()));
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            parts.push(Part::Lit(rest.to_string()));
        }
        Ok(Template { parts })
    }

    pub fn variables(&self) -> impl Iterator<Item = String> + '_ {
        self.parts.iter().filter_map(|p| match p {
            Part::Var(v) => Some(v.clone()),
            Part::Lit(_) => None,
        })
    }

    /// The rendered text, or the name of the first variable that has no value.
    pub fn render(&self, vars: &Vars) -> Result<String, String> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(l) => out.push_str(l),
                Part::Var(v) => out.push_str(vars.get(v).ok_or_else(|| v.clone())?),
            }
        }
        Ok(out)
    }
}

pub fn json_variables(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::String(s) => {
            if let Ok(t) = Template::parse(s) {
                out.extend(t.variables());
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| json_variables(v, out)),
        serde_json::Value::Object(o) => o.values().for_each(|v| json_variables(v, out)),
        _ => {}
    }
}

/// Every string in a JSON body must be a valid template.
pub fn check_json(v: &serde_json::Value) -> Result<(), String> {
    match v {
        serde_json::Value::String(s) => Template::parse(s).map(|_| ()),
        serde_json::Value::Array(a) => a.iter().try_for_each(check_json),
        serde_json::Value::Object(o) => o.values().try_for_each(check_json),
        _ => Ok(()),
    }
}

/// Render every string of a JSON body. With `omit_missing`, an object member whose template lacks a value
/// is left out (a replay sends one credential alone); otherwise the missing variable is the error.
pub fn render_json(
    v: &serde_json::Value,
    vars: &Vars,
    omit_missing: bool,
) -> Result<Option<serde_json::Value>, String> {
    use serde_json::Value;
    Ok(Some(match v {
        Value::String(s) => {
            let t = Template::parse(s)?;
            match t.render(vars) {
                Ok(r) => Value::String(r),
                Err(_) if omit_missing => return Ok(None),
                Err(missing) => return Err(missing),
            }
        }
        Value::Array(a) => {
            let mut out = Vec::new();
            for item in a {
                if let Some(r) = render_json(item, vars, omit_missing)? {
                    out.push(r);
                }
            }
            Value::Array(out)
        }
        Value::Object(o) => {
            let mut out = serde_json::Map::new();
            for (k, item) in o {
                if let Some(r) = render_json(item, vars, omit_missing)? {
                    out.insert(k.clone(), r);
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_renders() {
        let t = Template::parse("Bearer {{ access }}!").unwrap();
        assert_eq!(t.variables().collect::<Vec<_>>(), vec!["access"]);
        let mut v = Vars::new();
        assert_eq!(t.render(&v), Err("access".to_string()));
        v.insert("access".into(), "x".into());
        assert_eq!(t.render(&v).unwrap(), "Bearer x!");
        assert!(Template::parse("{{open").is_err());
        assert!(Template::parse("{{a b}}").is_err());
    }

    #[test]
    fn json_omits_missing_members_only_when_asked() {
        let body = serde_json::json!({"refresh_token": "{{refresh}}", "client": "cli", "n": 1});
        let v = Vars::new();
        assert_eq!(render_json(&body, &v, false), Err("refresh".into()));
        let r = render_json(&body, &v, true).unwrap().unwrap();
        assert_eq!(r, serde_json::json!({"client": "cli", "n": 1}));
    }
}
