//! [`ProfileForm`] → edits in a `toml_edit::DocumentMut`. Only the form's keys are touched: a value that did
//! not change is left as written (quoting, trailing comment), a replaced one keeps its decor, a cleared field
//! removes its key, and a table is created only when a field needs it.

use std::collections::BTreeSet;

use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike, Value};

use super::read::EXTRACT_KEYS;
use super::{BodyForm, BodyKind, ExtractForm, FormError, FormField, ProfileForm, StepForm};

pub(super) fn apply(text: &str, form: &ProfileForm) -> Result<String, FormError> {
    // The same checks, and errors with lines, as the form that was shown; after them every edit below
    // finds tables where it expects tables.
    super::read::read(text)?;
    let mut doc: DocumentMut =
        text.parse()
            .map_err(|e: toml_edit::TomlError| FormError::Syntax {
                line: 0,
                column: 0,
                message: e.message().to_string(),
            })?;
    let root = doc.as_item_mut();
    set(root, &[], "name", &form.name)?;
    set(root, &[], "base_url", &form.base_url)?;
    set(root, &[], "http_base_url", &form.http_base_url)?;
    set(root, &["tls"], "trust", &form.tls_trust)?;
    set(root, &["tls"], "ca_file", &form.tls_ca_file)?;
    set(root, &["user"], "username", &form.username)?;
    set(root, &["user"], "password_env", &form.password_env)?;
    step(root, &["login"], Some(&form.login))?;
    step(root, &["login", "prefetch"], form.prefetch.as_ref())?;
    step(root, &["probe"], Some(&form.probe))?;
    step(root, &["refresh"], form.refresh.as_ref())?;
    step(root, &["logout"], form.logout.as_ref())?;
    Ok(doc.to_string())
}

fn not_table(path: &[&str]) -> FormError {
    FormError::Shape {
        line: 0,
        column: 0,
        key: path.join("."),
        message: "is not a table: edit it in TOML".into(),
    }
}

/// The table at `path`, if there is one.
fn existing<'a>(mut item: &'a mut Item, path: &[&str]) -> Option<&'a mut dyn TableLike> {
    for key in path {
        item = item.as_table_like_mut()?.get_mut(key)?;
    }
    item.as_table_like_mut()
}

/// The table at `path`, created where missing: a standard table, or an inline one inside an inline table.
fn ensure<'a>(mut item: &'a mut Item, path: &[&str]) -> Result<&'a mut dyn TableLike, FormError> {
    for (i, key) in path.iter().enumerate() {
        let inline = matches!(item, Item::Value(_));
        let t = item
            .as_table_like_mut()
            .ok_or_else(|| not_table(&path[..i]))?;
        if t.get(key).is_none_or(|c| !c.is_table_like()) {
            let fresh = if inline {
                Item::Value(Value::InlineTable(InlineTable::new()))
            } else {
                Item::Table(Table::new())
            };
            t.insert(key, fresh);
        }
        item = t.get_mut(key).ok_or_else(|| not_table(&path[..=i]))?;
        // A table only implied by `[a.b]` gets its own header once it holds a value.
        if let Item::Table(t) = item {
            t.set_implicit(false);
        }
    }
    item.as_table_like_mut().ok_or_else(|| not_table(path))
}

/// Set a string key, keeping an unchanged value as written and a replaced value's comments.
fn put_str(t: &mut dyn TableLike, key: &str, value: &str) {
    if let Some(old) = t.get_mut(key) {
        if old.as_str() == Some(value) {
            return;
        }
        if let Item::Value(v) = old {
            let decor = v.decor().clone();
            *v = Value::from(value);
            *v.decor_mut() = decor;
            return;
        }
    }
    insert_last(t, key, Value::from(value));
}

/// Append a key. The space an inline table keeps before its `}` sits on its last value: move it to the new
/// last one (`{ a = 1, b = 2 }`, not `{ a = 1 , b = 2}`).
fn insert_last(t: &mut dyn TableLike, key: &str, mut value: Value) {
    let last = t.iter().last().map(|(k, _)| k.to_string());
    if let Some(Item::Value(prev)) = last.and_then(|k| t.get_mut(&k)) {
        let suffix = raw(prev.decor().suffix()).to_string();
        if !suffix.is_empty() && suffix.trim().is_empty() {
            prev.decor_mut().set_suffix("");
            value.decor_mut().set_suffix(suffix);
        }
    }
    t.insert(key, Item::Value(value));
}

/// Set a string key, or remove it when `value` is empty.
fn put_or_remove(t: &mut dyn TableLike, key: &str, value: &str) {
    if value.is_empty() {
        t.remove(key);
    } else {
        put_str(t, key, value);
    }
}

/// `key` in the table at `tables`: set (creating the tables) or, when empty, removed.
fn set(root: &mut Item, tables: &[&str], key: &str, value: &str) -> Result<(), FormError> {
    if value.is_empty() {
        if let Some(t) = existing(root, tables) {
            t.remove(key);
        }
        return Ok(());
    }
    put_str(ensure(root, tables)?, key, value);
    Ok(())
}

fn step(root: &mut Item, path: &[&str], form: Option<&StepForm>) -> Result<(), FormError> {
    let Some(form) = form else {
        if let Some((last, parent)) = path.split_last()
            && let Some(parent) = existing(root, parent)
        {
            parent.remove(last);
        }
        return Ok(());
    };
    let t = ensure(root, path)?;
    put_or_remove(t, "method", &form.method);
    put_or_remove(t, "path", &form.path);
    put_or_remove(t, "bearer", &form.bearer);
    put_fields(t, "headers", &form.headers, false, path)?;
    body(t, &form.body, path)?;
    extracts(t, &form.extract);
    Ok(())
}

/// A table of string fields (headers, a form or flat JSON body): stale keys removed, the others set in
/// place, new ones appended. `keep_empty`: an empty list still writes `key = {}`.
fn put_fields(
    t: &mut dyn TableLike,
    key: &str,
    fields: &[FormField],
    keep_empty: bool,
    path: &[&str],
) -> Result<(), FormError> {
    let fields: Vec<&FormField> = fields.iter().filter(|f| !f.key.is_empty()).collect();
    if fields.is_empty() && !keep_empty {
        t.remove(key);
        return Ok(());
    }
    if t.get(key).is_none_or(|i| !i.is_table_like()) {
        t.insert(key, Item::Value(Value::InlineTable(InlineTable::new())));
    }
    let map = t
        .get_mut(key)
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| not_table(&[path, &[key]].concat()))?;
    let wanted: BTreeSet<&str> = fields.iter().map(|f| f.key.as_str()).collect();
    let stale: Vec<String> = map
        .iter()
        .map(|(k, _)| k.to_string())
        .filter(|k| !wanted.contains(k.as_str()))
        .collect();
    for k in stale {
        map.remove(&k);
    }
    for f in fields {
        put_str(map, &f.key, &f.value);
    }
    Ok(())
}

fn body(t: &mut dyn TableLike, body: &BodyForm, path: &[&str]) -> Result<(), FormError> {
    if body.locked {
        return Ok(());
    }
    put_or_remove(t, "content_type", &body.content_type);
    let keep = match body.kind {
        BodyKind::None => None,
        BodyKind::Form => Some("form"),
        BodyKind::Json => Some("json"),
        BodyKind::Raw => Some("body"),
    };
    for other in ["form", "json", "body"] {
        if Some(other) != keep {
            t.remove(other);
        }
    }
    match body.kind {
        BodyKind::None => {}
        BodyKind::Form => put_fields(t, "form", &body.fields, true, path)?,
        BodyKind::Json => put_fields(t, "json", &body.fields, true, path)?,
        BodyKind::Raw => put_str(t, "body", &body.text),
    }
    Ok(())
}

/// The `extract` list in the form's order. An entry read from the file (`index`) is carried over whole
/// (comments, unknown keys) with the form's keys set; a new one is a fresh table laid out like its
/// neighbours.
fn extracts(t: &mut dyn TableLike, list: &[ExtractForm]) {
    if list.is_empty() {
        t.remove("extract");
        return;
    }
    let old = |e: &ExtractForm| e.index.and_then(|i| usize::try_from(i).ok());
    match t.get_mut("extract") {
        Some(Item::ArrayOfTables(aot)) => {
            let before: Vec<Table> = aot.iter().cloned().collect();
            let mut after = ArrayOfTables::new();
            for e in list {
                let mut table = old(e)
                    .and_then(|i| before.get(i))
                    .cloned()
                    .unwrap_or_default();
                write_extract(&mut table, e);
                after.push(table);
            }
            *aot = after;
        }
        Some(Item::Value(Value::Array(array))) => {
            let before: Vec<Value> = array.iter().cloned().collect();
            let multiline = before
                .iter()
                .any(|v| raw(v.decor().prefix()).contains('\n'));
            array.clear();
            for (i, e) in list.iter().enumerate() {
                let mut value = match old(e).and_then(|i| before.get(i)) {
                    Some(v @ Value::InlineTable(_)) => v.clone(),
                    _ => new_entry(multiline, i),
                };
                if let Value::InlineTable(table) = &mut value {
                    write_extract(table, e);
                }
                array.push_formatted(value);
            }
        }
        _ => {
            // None yet (or not a list, which `read` refuses): one entry a line, like the bundled profiles.
            let mut array = toml_edit::Array::new();
            for (i, e) in list.iter().enumerate() {
                let mut value = new_entry(true, i);
                if let Value::InlineTable(table) = &mut value {
                    write_extract(table, e);
                }
                array.push_formatted(value);
            }
            array.set_trailing("\n");
            array.set_trailing_comma(true);
            t.insert("extract", Item::Value(Value::Array(array)));
        }
    }
}

fn raw(s: Option<&toml_edit::RawString>) -> &str {
    s.and_then(|r| r.as_str()).unwrap_or("")
}

fn new_entry(multiline: bool, position: usize) -> Value {
    let prefix = match (multiline, position) {
        (true, _) => "\n  ",
        (false, 0) => "",
        (false, _) => " ",
    };
    Value::InlineTable(InlineTable::new()).decorated(prefix, "")
}

fn write_extract(t: &mut dyn TableLike, e: &ExtractForm) {
    let values = [
        &e.name,
        &e.kind,
        &e.from,
        &e.pointer,
        &e.header,
        &e.cookie,
        &e.field,
        &e.selector,
        &e.pattern,
        &e.expires_in,
    ];
    for (key, value) in EXTRACT_KEYS.iter().zip(values) {
        put_or_remove(t, key, value);
    }
    // `optional = false` as written stays; `true` is set or removed.
    let written = t.get("optional").and_then(Item::as_bool);
    if e.optional && written != Some(true) {
        if written.is_some() {
            t.remove("optional");
        }
        insert_last(t, "optional", Value::from(true));
    } else if !e.optional && written == Some(true) {
        t.remove("optional");
    }
}
