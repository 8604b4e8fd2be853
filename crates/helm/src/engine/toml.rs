//! `toToml` / `fromToml` (BurntSushi/toml as Helm uses it), for the subset charts use:
//! key/value pairs, tables, arrays of tables, strings, numbers, booleans and arrays.

use std::collections::BTreeMap;

use gotemplate::{Str, Value};

/// BurntSushi's encoder: plain keys first, then sub-tables, indented two spaces per
/// level. Errors are returned as text, which Helm prints in place of the document.
pub(super) fn encode(v: &Value) -> Result<String, String> {
    let json = v.to_json()?;
    let serde_json::Value::Object(map) = json else {
        return Err("toml: top-level values must be Go maps or structs".into());
    };
    let mut out = String::new();
    table(&mut out, &map, &[], 0);
    Ok(out)
}

fn table(
    out: &mut String,
    map: &serde_json::Map<String, serde_json::Value>,
    path: &[&str],
    depth: usize,
) {
    let indent = "  ".repeat(depth);
    for (k, v) in map {
        if v.is_null() || v.is_object() || is_table_array(v) {
            continue;
        }
        out.push_str(&format!("{indent}{} = {}\n", key(k), scalar(v)));
    }
    for (k, v) in map {
        let mut p = path.to_vec();
        p.push(k);
        let header: Vec<String> = p.iter().map(|s| key(s)).collect();
        let sub_indent = "  ".repeat(depth);
        if let serde_json::Value::Object(sub) = v {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("{sub_indent}[{}]\n", header.join(".")));
            table(out, sub, &p, depth + 1);
        } else if is_table_array(v) {
            for item in v.as_array().into_iter().flatten() {
                if let serde_json::Value::Object(sub) = item {
                    if !out.is_empty() {
                        out.push('\n');
                    }
                    out.push_str(&format!("{sub_indent}[[{}]]\n", header.join(".")));
                    table(out, sub, &p, depth + 1);
                }
            }
        }
    }
}

fn is_table_array(v: &serde_json::Value) -> bool {
    v.as_array()
        .is_some_and(|a| !a.is_empty() && a.iter().all(|i| i.is_object()))
}

fn key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        k.to_string()
    } else {
        quote(k)
    }
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => quote(s),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => {
                if f.fract() == 0.0 && f.abs() < 1e16 {
                    format!("{f:.1}")
                } else {
                    f.to_string()
                }
            }
            _ => n.to_string(),
        },
        serde_json::Value::Array(a) => {
            let items: Vec<String> = a.iter().map(scalar).collect();
            format!("[{}]", items.join(", "))
        }
        serde_json::Value::Object(_) | serde_json::Value::Null => String::new(),
    }
}

/// A table as a Go `map[string]interface{}`; errors carry BurntSushi's `toml: line N: `.
pub(super) fn decode(text: &str) -> Result<Value, String> {
    let mut root: BTreeMap<String, Tv> = BTreeMap::new();
    let mut current: Vec<String> = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (i, raw) in lines.iter().enumerate() {
        let n = i + 1;
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if let Some(h) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
            current = h.split('.').map(|s| unquote_key(s.trim())).collect();
            let (last, parents) = current
                .split_last()
                .ok_or_else(|| format!("toml: line {n}: empty table name"))?;
            let t = walk(&mut root, parents, n)?;
            match t
                .entry(last.clone())
                .or_insert_with(|| Tv::Array(Vec::new()))
            {
                Tv::Array(a) => a.push(Tv::Table(BTreeMap::new())),
                _ => return Err(format!("toml: line {n}: key {last:?} is already defined")),
            }
            continue;
        }
        if let Some(h) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = h.split('.').map(|s| unquote_key(s.trim())).collect();
            walk(&mut root, &current, n)?;
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(if n == lines.len() {
                format!("toml: line {n}: unexpected EOF; expected key separator '='")
            } else {
                format!("toml: line {n}: expected key separator '=', but got '\\n' instead")
            });
        };
        let value = parse_value(v.trim())
            .ok_or_else(|| format!("toml: line {n}: invalid value {:?}", v.trim()))?;
        let t = walk(&mut root, &current, n)?;
        t.insert(unquote_key(k.trim()), value);
    }
    Ok(to_value(&Tv::Table(root)))
}

enum Tv {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Array(Vec<Tv>),
    Table(BTreeMap<String, Tv>),
}

fn walk<'a>(
    root: &'a mut BTreeMap<String, Tv>,
    path: &[String],
    n: usize,
) -> Result<&'a mut BTreeMap<String, Tv>, String> {
    let mut t = root;
    for p in path {
        let entry = t
            .entry(p.clone())
            .or_insert_with(|| Tv::Table(BTreeMap::new()));
        t = match entry {
            Tv::Table(m) => m,
            Tv::Array(a) => match a.last_mut() {
                Some(Tv::Table(m)) => m,
                _ => return Err(format!("toml: line {n}: key {p:?} is not a table")),
            },
            _ => return Err(format!("toml: line {n}: key {p:?} is not a table")),
        };
    }
    Ok(t)
}

fn strip_comment(line: &str) -> &str {
    let mut in_str = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_str = !in_str,
            '#' if !in_str => return &line[..i],
            _ => {}
        }
    }
    line
}

fn unquote_key(k: &str) -> String {
    k.strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(k)
        .to_string()
}

fn parse_value(v: &str) -> Option<Tv> {
    if let Some(s) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return Some(Tv::Str(
            s.replace("\\\"", "\"")
                .replace("\\n", "\n")
                .replace("\\\\", "\\"),
        ));
    }
    if let Some(s) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Some(Tv::Str(s.to_string()));
    }
    match v {
        "true" => return Some(Tv::Bool(true)),
        "false" => return Some(Tv::Bool(false)),
        _ => {}
    }
    if let Some(inner) = v.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        let inner = inner.trim();
        if inner.is_empty() {
            return Some(Tv::Array(Vec::new()));
        }
        return inner
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_value(s.trim()))
            .collect::<Option<Vec<_>>>()
            .map(Tv::Array);
    }
    let clean = v.replace('_', "");
    if let Ok(i) = clean.parse::<i64>() {
        return Some(Tv::Int(i));
    }
    clean.parse::<f64>().ok().map(Tv::Float)
}

fn to_value(v: &Tv) -> Value {
    match v {
        Tv::Str(s) => Value::string(s.as_str()),
        Tv::Int(i) => Value::int64(*i),
        Tv::Float(f) => Value::float(*f),
        Tv::Bool(b) => Value::Bool(*b),
        Tv::Array(a) => Value::list(a.iter().map(to_value).collect()),
        Tv::Table(m) => Value::map(
            m.iter()
                .map(|(k, v)| (Str::from(k.as_str()), to_value(v)))
                .collect(),
        ),
    }
}
