//! RFC 6902 JSON patches over untyped values, with evanphx/json-patch's error messages
//! (the library kustomize applies them with).

use serde_json::Value;

/// One patch operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// `add`: insert into an array or set a key.
    Add(String, Value),
    /// `remove`: delete an existing element.
    Remove(String),
    /// `replace`: overwrite an existing element.
    Replace(String, Value),
    /// `move`: `from` to `path`.
    Move(String, String),
    /// `copy`: `from` to `path`.
    Copy(String, String),
    /// `test`: fail unless the value at `path` equals this one.
    Test(String, Value),
}

/// Decodes a patch document (a list of operation objects).
pub fn decode(doc: &Value) -> Result<Vec<Op>, String> {
    let list = doc
        .as_array()
        .ok_or_else(|| "json patch is not a list of operations".to_string())?;
    list.iter().map(decode_op).collect()
}

fn decode_op(v: &Value) -> Result<Op, String> {
    let field = |name: &str| v.get(name).and_then(Value::as_str).map(str::to_string);
    let kind = field("op").unwrap_or_default();
    let path = || field("path").ok_or_else(|| format!("{kind} operation missing path"));
    let from = || field("from").ok_or_else(|| format!("{kind} operation missing from"));
    let value = || {
        v.get("value")
            .cloned()
            .ok_or_else(|| format!("{kind} operation missing value"))
    };
    Ok(match kind.as_str() {
        "add" => Op::Add(path()?, value()?),
        "remove" => Op::Remove(path()?),
        "replace" => Op::Replace(path()?, value()?),
        "move" => Op::Move(from()?, path()?),
        "copy" => Op::Copy(from()?, path()?),
        "test" => Op::Test(path()?, value()?),
        other => return Err(format!("Unexpected kind: {other}")),
    })
}

/// Splits a JSON pointer into unescaped tokens (`~1` is `/`, `~0` is `~`).
pub fn pointer(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| format!("JSON pointer must be empty or start with a \"/\": {path}"))?;
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

/// Applies operations in order; on error the document may be partly patched.
pub fn apply(doc: &mut Value, ops: &[Op]) -> Result<(), String> {
    for op in ops {
        match op {
            Op::Add(path, value) => add(doc, path, value.clone())?,
            Op::Remove(path) => {
                remove(doc, path).map_err(|_| {
                    format!("remove operation does not apply: doc is missing path: \"{path}\"")
                })?;
            }
            Op::Replace(path, value) => replace(doc, path, value.clone())?,
            Op::Move(from, path) => {
                let v = remove(doc, from).map_err(|_| {
                    format!("move operation does not apply: doc is missing from path: {from}")
                })?;
                add(doc, path, v)?;
            }
            Op::Copy(from, path) => {
                let v = get(doc, from).cloned().ok_or_else(|| {
                    format!("copy operation does not apply: doc is missing from path: {from}")
                })?;
                add(doc, path, v)?;
            }
            Op::Test(path, value) => {
                if get(doc, path) != Some(value) {
                    return Err(format!("testing value {path} failed: test failed"));
                }
            }
        }
    }
    Ok(())
}

/// The value at a pointer.
pub fn get<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = doc;
    for t in pointer(path).ok()? {
        v = match v {
            Value::Object(m) => m.get(&t)?,
            Value::Array(a) => a.get(index(&t, a.len())?)?,
            _ => return None,
        };
    }
    Some(v)
}

/// An existing array index (negative counts from the end, as evanphx allows).
fn index(token: &str, len: usize) -> Option<usize> {
    let i: i64 = token.parse().ok()?;
    let i = if i < 0 { i + len as i64 } else { i };
    (0..len as i64).contains(&i).then_some(i as usize)
}

/// The container holding the pointer's last token, and that token.
fn parent<'a>(doc: &'a mut Value, path: &str) -> Option<(&'a mut Value, String)> {
    let mut tokens = pointer(path).ok()?;
    let last = tokens.pop()?;
    let mut v = doc;
    for t in tokens {
        v = match v {
            Value::Object(m) => m.get_mut(&t)?,
            Value::Array(a) => {
                let i = index(&t, a.len())?;
                a.get_mut(i)?
            }
            _ => return None,
        };
    }
    Some((v, last))
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let missing = || format!("add operation does not apply: doc is missing path: \"{path}\"");
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let (container, key) = parent(doc, path).ok_or_else(missing)?;
    match container {
        Value::Object(m) => {
            m.insert(key, value);
        }
        Value::Array(a) => {
            if key == "-" {
                a.push(value);
            } else {
                let i: i64 = key.parse().map_err(|_| missing())?;
                let i = if i < 0 { i + a.len() as i64 } else { i };
                if i < 0 || i as usize > a.len() {
                    return Err(format!(
                        "Unable to access invalid index: {key}: invalid index referenced"
                    ));
                }
                a.insert(i as usize, value);
            }
        }
        _ => return Err(missing()),
    }
    Ok(())
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, ()> {
    let (container, key) = parent(doc, path).ok_or(())?;
    match container {
        Value::Object(m) => m.remove(&key).ok_or(()),
        Value::Array(a) => {
            let i = index(&key, a.len()).ok_or(())?;
            Ok(a.remove(i))
        }
        _ => Err(()),
    }
}

fn replace(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    if path.is_empty() {
        *doc = value;
        return Ok(());
    }
    let missing_path = || format!("replace operation does not apply: doc is missing path: {path}");
    let (container, key) = parent(doc, path).ok_or_else(missing_path)?;
    let slot = match container {
        Value::Object(m) => m.get_mut(&key).ok_or_else(|| {
            format!("replace operation does not apply: doc is missing key: {path}")
        })?,
        Value::Array(a) => {
            let i = index(&key, a.len()).ok_or_else(|| {
                format!("Unable to access invalid index: {key}: invalid index referenced")
            })?;
            &mut a[i]
        }
        _ => return Err(missing_path()),
    };
    *slot = value;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(doc: Value, ops: Value) -> Result<Value, String> {
        let mut doc = doc;
        apply(&mut doc, &decode(&ops)?)?;
        Ok(doc)
    }

    #[test]
    fn add_object_and_array() {
        let doc = json!({"a": {"b": [1, 2]}});
        let out = run(
            doc,
            json!([
                {"op": "add", "path": "/a/c", "value": 3},
                {"op": "add", "path": "/a/b/0", "value": 0},
                {"op": "add", "path": "/a/b/-", "value": 9},
                {"op": "add", "path": "/a/b/4", "value": 10},
            ]),
        )
        .unwrap();
        assert_eq!(out, json!({"a": {"b": [0, 1, 2, 9, 10], "c": 3}}));
    }

    #[test]
    fn add_errors() {
        let err = run(
            json!({"a": [1]}),
            json!([{"op": "add", "path": "/a/5", "value": 1}]),
        );
        assert!(err.unwrap_err().contains("invalid index"));
        let err = run(
            json!({}),
            json!([{"op": "add", "path": "/x/y", "value": 1}]),
        );
        assert!(err.unwrap_err().contains("doc is missing path"));
    }

    #[test]
    fn remove_replace() {
        let out = run(
            json!({"a": [1, 2, 3], "b": "x"}),
            json!([
                {"op": "remove", "path": "/a/1"},
                {"op": "replace", "path": "/b", "value": "y"},
                {"op": "replace", "path": "/a/-1", "value": 4},
            ]),
        )
        .unwrap();
        assert_eq!(out, json!({"a": [1, 4], "b": "y"}));
        let err = run(
            json!({}),
            json!([{"op": "replace", "path": "/b", "value": 1}]),
        );
        assert!(err.unwrap_err().contains("doc is missing key: /b"));
        let err = run(json!({}), json!([{"op": "remove", "path": "/b"}]));
        assert!(err.unwrap_err().contains("remove operation does not apply"));
    }

    #[test]
    fn move_copy_test() {
        let out = run(
            json!({"a": {"x": 1}, "b": {}}),
            json!([
                {"op": "copy", "from": "/a/x", "path": "/b/y"},
                {"op": "move", "from": "/a", "path": "/c"},
                {"op": "test", "path": "/c/x", "value": 1},
            ]),
        )
        .unwrap();
        assert_eq!(out, json!({"b": {"y": 1}, "c": {"x": 1}}));
        let err = run(
            json!({"a": 1}),
            json!([{"op": "test", "path": "/a", "value": 2}]),
        );
        assert!(err.unwrap_err().contains("test failed"));
    }

    #[test]
    fn escaping() {
        let out = run(
            json!({"metadata": {"annotations": {"a/b": "1", "c~d": "2"}}}),
            json!([
                {"op": "replace", "path": "/metadata/annotations/a~1b", "value": "3"},
                {"op": "remove", "path": "/metadata/annotations/c~0d"},
            ]),
        )
        .unwrap();
        assert_eq!(out, json!({"metadata": {"annotations": {"a/b": "3"}}}));
    }

    #[test]
    fn bad_ops() {
        assert!(
            decode(&json!([{"op": "frob", "path": "/a"}]))
                .unwrap_err()
                .contains("Unexpected kind")
        );
        assert!(decode(&json!({"op": "add"})).is_err());
        assert!(decode(&json!([{"op": "add", "path": "/a"}])).is_err());
    }
}
