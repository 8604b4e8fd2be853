//! Sprig's `reflect.go`: Go type and kind names of values.

use super::conv::{deep_equal, kind_of, str_arg};
use crate::func::FuncMap;
use crate::value::Value;

pub(super) fn register(m: &mut FuncMap) {
    m.add("typeOf", "func(src interface {}) string", |_, a| {
        Ok(Value::string(a[0].type_name()))
    });
    m.add(
        "typeIs",
        "func(target string, src interface {}) bool",
        |_, a| Ok(Value::Bool(str_arg(a, 0) == a[1].type_name())),
    );
    m.add(
        "typeIsLike",
        "func(target string, src interface {}) bool",
        |_, a| {
            let (target, t) = (str_arg(a, 0), a[1].type_name());
            Ok(Value::Bool(target == t || format!("*{target}") == t))
        },
    );
    m.add("kindOf", "func(src interface {}) string", |_, a| {
        Ok(Value::string(kind_of(&a[0])))
    });
    m.add(
        "kindIs",
        "func(target string, src interface {}) bool",
        |_, a| Ok(Value::Bool(str_arg(a, 0) == kind_of(&a[1]))),
    );
    m.add("deepEqual", "func(x, y interface {}) bool", |_, a| {
        Ok(Value::Bool(deep_equal(&a[0], &a[1])))
    });
}
