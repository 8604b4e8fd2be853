//! Sprig's list functions (`list.go`). Each non-`must` function reports the same error
//! as its `must` twin (sprig panics with it, and the engine turns the panic into an
//! error). A nil list makes Go's `reflect.TypeOf(nil).Kind()` dereference nil, in both.

use super::conv::{NIL_DEREF, deep_equal, empty, kind_of, list_items, to_int64};
use crate::func::{FuncError, FuncMap, FuncResult};
use crate::value::{List, Type, Value};

const MAKESLICE: &str = "runtime error: makeslice: len out of range";

/// `func(list interface {}) …`-style checks: the items of a slice, else sprig's error.
fn items_or(list: &Value, what: impl FnOnce(&str) -> String) -> Result<Vec<Value>, FuncError> {
    if list.is_nil() {
        return Err(NIL_DEREF.into());
    }
    list_items(list).ok_or_else(|| what(&kind_of(list)).into())
}

fn push(list: &Value, v: &Value) -> FuncResult {
    let mut items = items_or(list, |k| format!("Cannot push on type {k}"))?;
    items.push(v.clone());
    Ok(Value::list(items))
}

fn prepend(list: &Value, v: &Value) -> FuncResult {
    let mut items = items_or(list, |k| format!("Cannot prepend on type {k}"))?;
    items.insert(0, v.clone());
    Ok(Value::list(items))
}

/// Sprig's `mustChunk`, with its float arithmetic: sizes below one give Go's odd results
/// (an empty list, a one-item chunk, or a failed `make`) rather than an error of its own.
fn chunk(size: i64, list: &Value) -> FuncResult {
    let items = items_or(list, |k| format!("Cannot chunk type {k}"))?;
    let l = items.len() as i64;
    let count = super::conv::float_to_i64(((l - 1) as f64 / size as f64).floor() + 1.0);
    if count < 0 {
        return Err(MAKESLICE.into());
    }
    let mut chunks = Vec::with_capacity(count as usize);
    for i in 0..count {
        let mut clen = size;
        if i == count - 1 {
            clen = super::conv::float_to_i64((l as f64 % size as f64).floor());
            if clen == 0 {
                clen = size;
            }
        }
        if clen < 0 {
            return Err(MAKESLICE.into());
        }
        let mut chunk = Vec::with_capacity(clen as usize);
        for j in 0..clen {
            let ix = i.wrapping_mul(size).wrapping_add(j);
            match usize::try_from(ix).ok().and_then(|ix| items.get(ix)) {
                Some(v) => chunk.push(v.clone()),
                None => return Err("reflect: slice index out of range".into()),
            }
        }
        chunks.push(Value::list(chunk));
    }
    Ok(Value::List(List::typed(Type::interface_slice(), chunks)))
}

fn last(list: &Value) -> FuncResult {
    let items = items_or(list, |k| format!("Cannot find last on type {k}"))?;
    Ok(items.last().cloned().unwrap_or(Value::Nil))
}

fn first(list: &Value) -> FuncResult {
    let items = items_or(list, |k| format!("Cannot find first on type {k}"))?;
    Ok(items.first().cloned().unwrap_or(Value::Nil))
}

fn rest(list: &Value) -> FuncResult {
    let items = items_or(list, |k| format!("Cannot find rest on type {k}"))?;
    Ok(Value::list(
        items.get(1..).map(<[Value]>::to_vec).unwrap_or_default(),
    ))
}

fn initial(list: &Value) -> FuncResult {
    let mut items = items_or(list, |k| format!("Cannot find initial on type {k}"))?;
    items.pop();
    Ok(Value::list(items))
}

fn reverse(list: &Value) -> FuncResult {
    let mut items = items_or(list, |k| format!("Cannot find reverse on type {k}"))?;
    items.reverse();
    Ok(Value::list(items))
}

fn compact(list: &Value) -> FuncResult {
    let items = items_or(list, |k| format!("Cannot compact on type {k}"))?;
    Ok(Value::list(
        items.into_iter().filter(|v| !empty(v)).collect(),
    ))
}

fn uniq(list: &Value) -> FuncResult {
    let items = items_or(list, |k| format!("Cannot find uniq on type {k}"))?;
    let mut dest: Vec<Value> = Vec::new();
    for item in items {
        if !dest.iter().any(|d| deep_equal(&item, d)) {
            dest.push(item);
        }
    }
    Ok(Value::list(dest))
}

fn without(list: &Value, omit: &[Value]) -> FuncResult {
    let items = items_or(list, |k| format!("Cannot find without on type {k}"))?;
    Ok(Value::list(
        items
            .into_iter()
            .filter(|item| !omit.iter().any(|o| deep_equal(item, o)))
            .collect(),
    ))
}

fn has(needle: &Value, haystack: &Value) -> FuncResult {
    if haystack.is_nil() {
        return Ok(Value::Bool(false));
    }
    let items = items_or(haystack, |k| format!("Cannot find has on type {k}"))?;
    Ok(Value::Bool(
        items.iter().any(|item| deep_equal(needle, item)),
    ))
}

/// Go's `reflect.Value.Slice(start, end)`; keeps the list's element type.
fn slice(list: &Value, indices: &[Value]) -> FuncResult {
    if list.is_nil() {
        return Err(NIL_DEREF.into());
    }
    let len = match list {
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        other => {
            return Err(format!(
                "list should be type of slice or array but {}",
                kind_of(other)
            )
            .into());
        }
    };
    if len == 0 {
        return Ok(Value::Nil);
    }
    let start = indices.first().map_or(0, to_int64);
    let end = if indices.len() < 2 {
        len as i64
    } else {
        to_int64(&indices[1])
    };
    if start < 0 || end < start || end > len as i64 {
        return Err("reflect.Value.Slice: slice index out of bounds".into());
    }
    let (start, end) = (start as usize, end as usize);
    Ok(match list {
        Value::List(l) => Value::List(List::typed(
            l.elem().clone(),
            l.items()[start..end].to_vec(),
        )),
        Value::Bytes(b) => Value::Bytes(b[start..end].into()),
        _ => unreachable!("checked above"),
    })
}

fn concat(lists: &[Value]) -> FuncResult {
    let mut res = Vec::new();
    for list in lists {
        if list.is_nil() {
            return Err(NIL_DEREF.into());
        }
        match list_items(list) {
            Some(items) => res.extend(items),
            None => return Err(format!("Cannot concat type {} as list", kind_of(list)).into()),
        }
    }
    Ok(Value::list(res))
}

pub(super) fn register(m: &mut FuncMap) {
    for name in ["list", "tuple"] {
        m.add(name, "func(v ...interface {}) []interface {}", |_, a| {
            Ok(Value::list(a.to_vec()))
        });
    }
    for name in ["push", "append"] {
        m.add(
            name,
            "func(list interface {}, v interface {}) []interface {}",
            |_, a| push(&a[0], &a[1]),
        );
    }
    for name in ["mustPush", "mustAppend"] {
        m.add(
            name,
            "func(list interface {}, v interface {}) ([]interface {}, error)",
            |_, a| push(&a[0], &a[1]),
        );
    }
    type ListFn = fn(&Value) -> FuncResult;
    let one: [(&str, &str, ListFn); 7] = [
        ("first", "interface {}", first),
        ("last", "interface {}", last),
        ("rest", "[]interface {}", rest),
        ("initial", "[]interface {}", initial),
        ("reverse", "[]interface {}", reverse),
        ("compact", "[]interface {}", compact),
        ("uniq", "[]interface {}", uniq),
    ];
    for (name, ret, f) in one {
        m.add(
            name,
            &format!("func(list interface {{}}) {ret}"),
            move |_, a| f(&a[0]),
        );
        let must = format!("must{}{}", name[..1].to_uppercase(), &name[1..]);
        m.add(
            must,
            &format!("func(list interface {{}}) ({ret}, error)"),
            move |_, a| f(&a[0]),
        );
    }
    m.add(
        "prepend",
        "func(list interface {}, v interface {}) []interface {}",
        |_, a| prepend(&a[0], &a[1]),
    );
    m.add(
        "mustPrepend",
        "func(list interface {}, v interface {}) ([]interface {}, error)",
        |_, a| prepend(&a[0], &a[1]),
    );
    m.add(
        "chunk",
        "func(size int, list interface {}) [][]interface {}",
        |_, a| chunk(a[0].as_i64().unwrap_or(0), &a[1]),
    );
    m.add(
        "mustChunk",
        "func(size int, list interface {}) ([][]interface {}, error)",
        |_, a| chunk(a[0].as_i64().unwrap_or(0), &a[1]),
    );
    m.add(
        "without",
        "func(list interface {}, omit ...interface {}) []interface {}",
        |_, a| without(&a[0], &a[1..]),
    );
    m.add(
        "mustWithout",
        "func(list interface {}, omit ...interface {}) ([]interface {}, error)",
        |_, a| without(&a[0], &a[1..]),
    );
    m.add(
        "has",
        "func(needle interface {}, haystack interface {}) bool",
        |_, a| has(&a[0], &a[1]),
    );
    m.add(
        "mustHas",
        "func(needle interface {}, haystack interface {}) (bool, error)",
        |_, a| has(&a[0], &a[1]),
    );
    m.add(
        "slice",
        "func(list interface {}, indices ...interface {}) interface {}",
        |_, a| slice(&a[0], &a[1..]),
    );
    m.add(
        "mustSlice",
        "func(list interface {}, indices ...interface {}) (interface {}, error)",
        |_, a| slice(&a[0], &a[1..]),
    );
    m.add(
        "concat",
        "func(lists ...interface {}) interface {}",
        |_, a| concat(a),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(v: &[i64]) -> Value {
        Value::list(v.iter().map(|&i| Value::int(i)).collect())
    }

    #[test]
    fn list_errors_name_the_kind() {
        assert_eq!(
            first(&Value::string("x")).unwrap_err().message(),
            "Cannot find first on type string"
        );
        assert_eq!(
            push(&Value::Nil, &Value::Nil).unwrap_err().message(),
            NIL_DEREF
        );
        assert_eq!(
            has(&Value::int(1), &Value::Nil).unwrap().as_bool(),
            Some(false)
        );
    }

    #[test]
    fn chunks_and_slices() {
        let c = chunk(3, &ints(&[1, 2, 3, 4, 5, 6, 7])).unwrap();
        assert_eq!(c.as_list().unwrap().len(), 3);
        assert_eq!(c.type_name(), "[][]interface {}");
        let s = slice(&ints(&[1, 2, 3]), &[Value::int(1)]).unwrap();
        assert_eq!(s.as_list().unwrap().len(), 2);
        assert_eq!(
            slice(&ints(&[1, 2, 3]), &[Value::int(2), Value::int(1)])
                .unwrap_err()
                .message(),
            "reflect.Value.Slice: slice index out of bounds"
        );
    }
}
