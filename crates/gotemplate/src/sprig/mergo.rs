//! dario.cat/mergo v1.0.1 `Merge`/`MergeWithOverwrite` of one
//! `map[string]interface{}` into another, as sprig's `merge` and `mergeOverwrite`
//! call them.
//!
//! Mergo's observable rules, reproduced here:
//! - a key missing or empty (Go zero value) in `dst` takes the `src` value;
//! - with overwrite, every `src` value replaces `dst`'s, nil included, except that two
//!   maps merge recursively and a non-empty `dst` value facing a slice is kept... unless
//!   overwrite, where the slice wins;
//! - without overwrite, two maps merge recursively and everything else in `dst` stays;
//! - nested maps are merged in place and `src` maps are stored by reference, as in Go.

use crate::value::{Map, Value};

/// mergo's `isEmptyValue` (dereferencing pointers).
fn is_empty(v: &Value) -> bool {
    super::conv::empty(v)
}

fn is_slice(v: &Value) -> bool {
    matches!(v, Value::List(_) | Value::Bytes(_))
}

/// Merges `src` into `dst` in place.
pub fn merge(dst: &Map, src: &Map, overwrite: bool) -> Result<(), String> {
    for (key, src_el) in src.entries() {
        let dst_el = dst.get(&key);
        if src_el.is_nil() {
            if overwrite {
                dst.insert(key, Value::Nil);
            }
            continue;
        }
        match &src_el {
            Value::Map(src_map) => {
                // deepMerge(dst element, src element): only a map on the dst side is
                // merged into; other dst kinds are not settable through the map.
                match &dst_el {
                    Some(Value::Map(dst_map)) => merge(dst_map, src_map, overwrite)?,
                    Some(Value::Object(o)) if o.type_name().starts_with('*') && !overwrite => {
                        return Err("src and dst must be of same type".into());
                    }
                    _ => {}
                }
            }
            Value::List(_) | Value::Bytes(_) => {
                // mergo stores a slice back under the key before deciding: the src slice
                // when overwriting (or when dst is an empty map), else the dst value (or
                // an empty slice of src's type when dst has none).
                let replacement = if overwrite || dst.is_empty() {
                    src_el.clone()
                } else {
                    match &dst_el {
                        Some(v) if !v.is_nil() => v.clone(),
                        _ => super::conv::empty_like(&src_el),
                    }
                };
                dst.insert(key.clone(), replacement);
            }
            _ => {}
        }
        if let Some(d) = &dst_el
            && !is_empty(d)
        {
            if is_slice(&src_el) {
                continue;
            }
            if matches!((&src_el, d), (Value::Map(_), Value::Map(_))) {
                continue;
            }
        }
        if overwrite || dst_el.as_ref().is_none_or(is_empty) {
            dst.insert(key, src_el);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Str;

    fn dict(pairs: &[(&str, Value)]) -> Map {
        let m = Map::new();
        for (k, v) in pairs {
            m.insert(Str::from(*k), v.clone());
        }
        m
    }

    #[test]
    fn merge_keeps_dst_and_recurses() {
        let inner_dst = dict(&[("bar", Value::string("baz"))]);
        let dst = dict(&[
            ("foo", Value::Map(inner_dst.clone())),
            ("qux", Value::Bool(true)),
            ("z", Value::string("")),
        ]);
        let src = dict(&[
            (
                "foo",
                Value::Map(dict(&[
                    ("bar", Value::string("baz2")),
                    ("new", Value::int(1)),
                ])),
            ),
            ("qux", Value::Bool(false)),
            ("z", Value::string("filled")),
            ("list", Value::list(vec![Value::int(1)])),
        ]);
        merge(&dst, &src, false).unwrap();
        assert_eq!(inner_dst.get("bar").unwrap().as_str(), Some("baz"));
        assert_eq!(inner_dst.get("new").unwrap().as_i64(), Some(1));
        assert_eq!(dst.get("qux").unwrap().as_bool(), Some(true));
        assert_eq!(dst.get("z").unwrap().as_str(), Some("filled"));
        assert_eq!(dst.get("list").unwrap().as_list().unwrap().len(), 1);
    }

    #[test]
    fn merge_overwrite_replaces_but_merges_maps() {
        let inner_dst = dict(&[("bar", Value::string("baz")), ("keep", Value::int(1))]);
        let dst = dict(&[
            ("foo", Value::Map(inner_dst.clone())),
            ("qux", Value::Bool(true)),
            ("n", Value::int(3)),
        ]);
        let src = dict(&[
            ("foo", Value::Map(dict(&[("bar", Value::string("baz2"))]))),
            ("qux", Value::Bool(false)),
            ("n", Value::Nil),
        ]);
        merge(&dst, &src, true).unwrap();
        assert_eq!(inner_dst.get("bar").unwrap().as_str(), Some("baz2"));
        assert_eq!(inner_dst.get("keep").unwrap().as_i64(), Some(1));
        assert_eq!(dst.get("qux").unwrap().as_bool(), Some(false));
        assert!(dst.get("n").unwrap().is_nil());
    }
}
