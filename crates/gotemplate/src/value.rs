//! Template values: the part of Go's type system that templates can observe.
//!
//! Go templates see values through reflection, so the *type* of a value shows in output
//! (`%T`, `printf "%d"` on a float, `eq` between int and float64) and in error messages.
//! [`Value`] therefore keeps each value's Go type, but only at the granularity templates
//! can tell apart: the sized integer and float kinds, `[]T` and `map[string]T` with their
//! element type, `[]byte`, and named types (structs and pointers) behind [`Object`].
//!
//! Cloning is cheap: strings, lists, maps and objects are reference counted. Maps are
//! shared *and* mutable, as Go maps are: Sprig's `set` on a dict is seen by every holder
//! of that dict, and charts rely on it (`$_ := set $ctx "key" 1`).

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::func::Function;

/// Go's signed integer types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntKind {
    Int,
    Int8,
    Int16,
    Int32,
    Int64,
}

/// Go's unsigned integer types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UintKind {
    Uint,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    Uintptr,
}

/// Go's float types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FloatKind {
    Float32,
    Float64,
}

impl IntKind {
    pub fn name(self) -> &'static str {
        match self {
            IntKind::Int => "int",
            IntKind::Int8 => "int8",
            IntKind::Int16 => "int16",
            IntKind::Int32 => "int32",
            IntKind::Int64 => "int64",
        }
    }

    /// Truncates `v` to this kind's width, as a Go conversion does.
    pub fn wrap(self, v: i64) -> i64 {
        match self {
            IntKind::Int | IntKind::Int64 => v,
            IntKind::Int8 => v as i8 as i64,
            IntKind::Int16 => v as i16 as i64,
            IntKind::Int32 => v as i32 as i64,
        }
    }

    pub fn bits(self) -> u32 {
        match self {
            IntKind::Int | IntKind::Int64 => 64,
            IntKind::Int8 => 8,
            IntKind::Int16 => 16,
            IntKind::Int32 => 32,
        }
    }
}

impl UintKind {
    pub fn name(self) -> &'static str {
        match self {
            UintKind::Uint => "uint",
            UintKind::Uint8 => "uint8",
            UintKind::Uint16 => "uint16",
            UintKind::Uint32 => "uint32",
            UintKind::Uint64 => "uint64",
            UintKind::Uintptr => "uintptr",
        }
    }

    /// Truncates `v` to this kind's width, as a Go conversion does.
    pub fn wrap(self, v: u64) -> u64 {
        match self {
            UintKind::Uint | UintKind::Uint64 | UintKind::Uintptr => v,
            UintKind::Uint8 => v as u8 as u64,
            UintKind::Uint16 => v as u16 as u64,
            UintKind::Uint32 => v as u32 as u64,
        }
    }

    pub fn bits(self) -> u32 {
        match self {
            UintKind::Uint | UintKind::Uint64 | UintKind::Uintptr => 64,
            UintKind::Uint8 => 8,
            UintKind::Uint16 => 16,
            UintKind::Uint32 => 32,
        }
    }
}

impl FloatKind {
    pub fn name(self) -> &'static str {
        match self {
            FloatKind::Float32 => "float32",
            FloatKind::Float64 => "float64",
        }
    }

    pub fn bits(self) -> u32 {
        match self {
            FloatKind::Float32 => 32,
            FloatKind::Float64 => 64,
        }
    }
}

/// A Go type, as far as function signatures and container element types need one.
///
/// `Display` gives Go's spelling (`interface {}`, `[]string`, `map[string]interface {}`),
/// which is what `%T` prints and what argument errors name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    /// `interface {}` (also written `any`): accepts every value.
    Interface,
    Bool,
    Int(IntKind),
    Uint(UintKind),
    Float(FloatKind),
    String,
    /// `[]T`. `[]uint8` is the type of [`Value::Bytes`].
    Slice(Arc<Type>),
    /// `map[string]T`.
    Map(Arc<Type>),
    /// Any other type, by its Go name as `%T` prints it: `*semver.Version`, `time.Time`,
    /// `chartutil.Values`. Values of a named type are [`Value::Object`]s (or functions).
    Named(Arc<str>),
}

impl Type {
    /// `[]interface {}`.
    pub fn interface_slice() -> Type {
        Type::Slice(Arc::new(Type::Interface))
    }

    /// `map[string]interface {}`.
    pub fn interface_map() -> Type {
        Type::Map(Arc::new(Type::Interface))
    }

    /// `[]string`.
    pub fn string_slice() -> Type {
        Type::Slice(Arc::new(Type::String))
    }

    /// `[]uint8`, the type of [`Value::Bytes`].
    pub fn bytes() -> Type {
        Type::Slice(Arc::new(Type::Uint(UintKind::Uint8)))
    }

    /// Go's zero value of the type: what a missing map key reads as under
    /// `missingkey=zero`, or `index` of a missing key returns.
    pub fn zero(&self) -> Value {
        match self {
            Type::Interface | Type::Named(_) => Value::Nil,
            Type::Bool => Value::Bool(false),
            Type::Int(k) => Value::Int(0, *k),
            Type::Uint(k) => Value::Uint(0, *k),
            Type::Float(k) => Value::Float(0.0, *k),
            Type::String => Value::String(Str::from("")),
            Type::Slice(elem) if **elem == Type::Uint(UintKind::Uint8) => {
                Value::Bytes(Arc::from(&[][..]))
            }
            Type::Slice(elem) => Value::List(List::typed((**elem).clone(), Vec::new())),
            Type::Map(elem) => Value::Map(Map::typed((**elem).clone())),
        }
    }

    /// Whether Go's nil is a value of this type (the types whose zero value is nil).
    pub fn can_be_nil(&self) -> bool {
        matches!(self, Type::Interface | Type::Slice(_) | Type::Map(_))
            || matches!(self, Type::Named(n) if n.starts_with('*') || n.starts_with("func"))
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Interface => f.write_str("interface {}"),
            Type::Bool => f.write_str("bool"),
            Type::Int(k) => f.write_str(k.name()),
            Type::Uint(k) => f.write_str(k.name()),
            Type::Float(k) => f.write_str(k.name()),
            Type::String => f.write_str("string"),
            Type::Slice(t) => write!(f, "[]{t}"),
            Type::Map(t) => write!(f, "map[string]{t}"),
            Type::Named(n) => f.write_str(n),
        }
    }
}

/// How deeply containers are followed when printing, comparing or converting them. Maps
/// are mutable and shared, so a map can contain itself; Go then recurses until its stack
/// limit kills the process. Real data nests a few dozen levels.
pub const MAX_NESTING: usize = 1000;

/// An immutable, shared string.
pub type Str = Arc<str>;

/// A template value, with the Go type templates can observe (sized integer and float
/// kinds, `[]T` and `map[string]T` element types, named types behind [`Object`]).
/// Cloning is cheap; maps are shared and mutable as Go maps are.
///
/// JSON and YAML data become `Nil`, `Bool`, `Float(_, Float64)`, `String`, `[]interface {}`
/// lists and `map[string]interface {}` maps: every number is a float64, as in Helm, whose
/// values pass through `encoding/json` (hence `{{ .Values.replicas }}` of `1000000` prints
/// `1e+06`). Integers come only from template literals and functions.
#[derive(Clone, Default)]
pub enum Value {
    /// Go's untyped nil: a nil `interface{}`, or reflection's invalid value (a missing map
    /// key). An action prints it as `<no value>`; `print` prints `<nil>`.
    #[default]
    Nil,
    Bool(bool),
    Int(i64, IntKind),
    Uint(u64, UintKind),
    Float(f64, FloatKind),
    String(Str),
    /// `[]byte`.
    Bytes(Arc<[u8]>),
    /// `[]T`.
    List(List),
    /// `map[string]T`, shared and mutable.
    Map(Map),
    /// A value of a named Go type: a struct, a pointer to one, or a named scalar.
    Object(Arc<dyn Object>),
    /// A function value, for the `call` builtin (and fields of function type).
    Func(Arc<Function>),
}

impl Value {
    /// A Go `int`.
    pub fn int(v: i64) -> Value {
        Value::Int(v, IntKind::Int)
    }

    /// A Go `int64`.
    pub fn int64(v: i64) -> Value {
        Value::Int(v, IntKind::Int64)
    }

    /// A Go `float64`.
    pub fn float(v: f64) -> Value {
        Value::Float(v, FloatKind::Float64)
    }

    pub fn string(s: impl Into<Str>) -> Value {
        Value::String(s.into())
    }

    /// A `[]interface {}` list.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(List::new(items))
    }

    /// A `[]string` list (every item must be a `Value::String`).
    pub fn string_list(items: impl IntoIterator<Item = impl Into<Str>>) -> Value {
        Value::List(List::typed(
            Type::String,
            items.into_iter().map(|s| Value::String(s.into())).collect(),
        ))
    }

    /// A `map[string]interface {}` holding `entries`.
    pub fn map(entries: BTreeMap<Str, Value>) -> Value {
        Value::Map(Map::from_entries(Type::Interface, entries))
    }

    pub fn object(o: impl Object) -> Value {
        Value::Object(Arc::new(o))
    }

    /// The value's dynamic Go type, as `%T` prints it (`<nil>` for nil).
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".to_string(),
            Value::Object(o) => o.type_name().to_string(),
            Value::Func(f) => f.signature().to_string(),
            other => other.go_type().map(|t| t.to_string()).unwrap_or_default(),
        }
    }

    /// The value's Go type; `None` for nil.
    pub fn go_type(&self) -> Option<Type> {
        Some(match self {
            Value::Nil => return None,
            Value::Bool(_) => Type::Bool,
            Value::Int(_, k) => Type::Int(*k),
            Value::Uint(_, k) => Type::Uint(*k),
            Value::Float(_, k) => Type::Float(*k),
            Value::String(_) => Type::String,
            Value::Bytes(_) => Type::bytes(),
            Value::List(l) => Type::Slice(Arc::new(l.elem().clone())),
            Value::Map(m) => Type::Map(Arc::new(m.elem().clone())),
            Value::Object(o) => Type::Named(Arc::from(o.type_name())),
            Value::Func(f) => Type::Named(Arc::from(f.signature().to_string())),
        })
    }

    /// Go's `reflect.Kind` name of the value (Sprig's `kindOf`): `invalid` for nil,
    /// `slice`, `map`, `string`, `int64`..., and [`Object::kind`] for objects.
    pub fn kind(&self) -> &str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_, k) => k.name(),
            Value::Uint(_, k) => k.name(),
            Value::Float(_, k) => k.name(),
            Value::String(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind(),
            Value::Func(_) => "func",
        }
    }

    /// Go's `reflect.DeepEqual`: same dynamic types, and equal contents (maps by key,
    /// lists in order, NaN unequal to itself, objects by [`Object::equals`]).
    pub fn deep_equal(&self, other: &Value) -> bool {
        self.deep_equal_at(other, 0)
    }

    fn deep_equal_at(&self, other: &Value, depth: usize) -> bool {
        // A map can hold itself (`set $m "self" $m`); past this depth only identity
        // counts, which is what Go's cycle detection concludes for such pairs.
        if depth > MAX_NESTING {
            return match (self, other) {
                (Value::Map(a), Value::Map(b)) => a.ptr_eq(b),
                (Value::List(a), Value::List(b)) => a.ptr_eq(b),
                _ => false,
            };
        }
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a, ka), Value::Int(b, kb)) => ka == kb && a == b,
            (Value::Uint(a, ka), Value::Uint(b, kb)) => ka == kb && a == b,
            (Value::Float(a, ka), Value::Float(b, kb)) => ka == kb && a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::List(a), Value::List(b)) => {
                a.elem() == b.elem()
                    && a.len() == b.len()
                    && (a.ptr_eq(b)
                        || a.iter()
                            .zip(b.iter())
                            .all(|(x, y)| x.deep_equal_at(y, depth + 1)))
            }
            (Value::Map(a), Value::Map(b)) => {
                if a.ptr_eq(b) {
                    return a.elem() == b.elem();
                }
                if a.elem() != b.elem() {
                    return false;
                }
                let (ea, eb) = (a.entries(), b.entries());
                ea.len() == eb.len()
                    && ea
                        .iter()
                        .zip(eb.iter())
                        .all(|((ka, va), (kb, vb))| ka == kb && va.deep_equal_at(vb, depth + 1))
            }
            (Value::Object(a), Value::Object(b)) => {
                a.type_name() == b.type_name() && a.equals(&**b).unwrap_or(false)
            }
            // Go's DeepEqual: functions are equal only if both are nil.
            (Value::Func(_), Value::Func(_)) => false,
            _ => false,
        }
    }

    /// Go template truth: false, 0, nil, and empty strings/lists/maps are false. Structs
    /// are always true.
    pub fn truth(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i, _) => *i != 0,
            Value::Uint(u, _) => *u != 0,
            Value::Float(f, _) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.truth(),
            Value::Func(_) => true,
        }
    }

    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The value of any signed or unsigned integer kind that fits an i64.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i, _) => Some(*i),
            Value::Uint(u, _) => i64::try_from(*u).ok(),
            _ => None,
        }
    }

    /// The value of a float of either kind.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Float(f, _) => Some(*f),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&List> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Arc<dyn Object>> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The object as its concrete Rust type, when it is one.
    pub fn downcast_ref<T: Object>(&self) -> Option<&T> {
        self.as_object()?.as_any().downcast_ref::<T>()
    }

    /// Converts JSON data the way Helm's values arrive: numbers are float64, objects are
    /// `map[string]interface {}`, arrays `[]interface {}`, null is nil.
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::float(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::string(s.as_str()),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::map(
                o.iter()
                    .map(|(k, v)| (Str::from(k.as_str()), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Converts to JSON as Go's `encoding/json` marshals the value: `[]byte` as base64,
    /// integral floats without a fraction, objects through [`Object::to_json`]. Fails on
    /// NaN/infinite floats and on objects and functions without a JSON form, with
    /// `encoding/json`'s messages.
    pub fn to_json(&self) -> Result<serde_json::Value, String> {
        self.to_json_at(0)
    }

    fn to_json_at(&self, depth: usize) -> Result<serde_json::Value, String> {
        if depth > MAX_NESTING && matches!(self, Value::Map(_) | Value::List(_)) {
            // encoding/json's answer to a map or slice that contains itself.
            return Err(format!(
                "json: unsupported value: encountered a cycle via {}",
                self.type_name()
            ));
        }
        Ok(match self {
            Value::Nil => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i, _) => serde_json::Value::from(*i),
            Value::Uint(u, _) => serde_json::Value::from(*u),
            Value::Float(f, k) => {
                if !f.is_finite() {
                    return Err(format!(
                        "json: unsupported value: {}",
                        crate::fmt::format_float(*f, b'g', -1, k.bits())
                    ));
                }
                if f.fract() == 0.0 && f.abs() < 1e21 {
                    // Go writes integral floats without a fraction (`1`, not `1.0`).
                    if f.abs() < 9.007_199_254_740_992e15 {
                        serde_json::Value::from(*f as i64)
                    } else {
                        serde_json::Value::Number(serde_json::Number::from_f64(*f).expect("finite"))
                    }
                } else {
                    serde_json::Value::Number(serde_json::Number::from_f64(*f).expect("finite"))
                }
            }
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Bytes(b) => serde_json::Value::String(crate::fmt::base64_std(b)),
            Value::List(l) => serde_json::Value::Array(
                l.iter()
                    .map(|v| v.to_json_at(depth + 1))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Map(m) => {
                let mut out = serde_json::Map::new();
                for (k, v) in m.entries() {
                    out.insert(k.to_string(), v.to_json_at(depth + 1)?);
                }
                serde_json::Value::Object(out)
            }
            Value::Object(o) => return object_to_json(&**o, depth),
            Value::Func(f) => {
                return Err(format!("json: unsupported type: {}", f.signature()));
            }
        })
    }
}

/// An object's JSON: its own form, else its struct fields. Apart from
/// [`Value::to_json_at`] so that this branch's locals do not enlarge every level of the
/// recursion's stack frame.
#[inline(never)]
fn object_to_json(o: &dyn Object, depth: usize) -> Result<serde_json::Value, String> {
    if let Some(v) = o.to_json() {
        return Ok(v);
    }
    let Some(fields) = o.json_fields() else {
        return Err(format!("json: unsupported type: {}", o.type_name()));
    };
    let mut out = serde_json::Map::new();
    for (k, v) in fields {
        out.insert(k.to_string(), v.to_json_at(depth + 1)?);
    }
    Ok(serde_json::Value::Object(out))
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.type_name(), self)
    }
}

/// `%v` formatting, as `fmt.Sprint` prints a single value.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        crate::fmt::write_value(&mut s, self);
        f.write_str(&s)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}

impl From<i64> for Value {
    /// A Go `int` (templates' integer literals are `int`, and so are most functions').
    fn from(v: i64) -> Value {
        Value::int(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::float(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::string(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::string(v)
    }
}

impl From<Str> for Value {
    fn from(v: Str) -> Value {
        Value::String(v)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::list(v)
    }
}

impl From<&serde_json::Value> for Value {
    fn from(v: &serde_json::Value) -> Value {
        Value::from_json(v)
    }
}

/// A `[]T`: the element type and the items, shared. Lists are immutable once built
/// (Sprig's list functions all return new lists); [`List::make_mut`] copies on write.
#[derive(Clone)]
pub struct List(Arc<ListData>);

#[derive(Clone)]
struct ListData {
    elem: Type,
    items: Vec<Value>,
}

impl List {
    /// A `[]interface {}`.
    pub fn new(items: Vec<Value>) -> List {
        List::typed(Type::Interface, items)
    }

    /// A `[]elem`. The items should all be of type `elem` (nil for interface elements).
    pub fn typed(elem: Type, items: Vec<Value>) -> List {
        List(Arc::new(ListData { elem, items }))
    }

    pub fn elem(&self) -> &Type {
        &self.0.elem
    }

    pub fn items(&self) -> &[Value] {
        &self.0.items
    }

    pub fn len(&self) -> usize {
        self.0.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.items.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&Value> {
        self.0.items.get(i)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Value> {
        self.0.items.iter()
    }

    /// The items for modification, copied first if the list is shared.
    pub fn make_mut(&mut self) -> &mut Vec<Value> {
        &mut Arc::make_mut(&mut self.0).items
    }

    /// Whether both lists are the same allocation (Go's identity of slices).
    pub fn ptr_eq(&self, other: &List) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<'a> IntoIterator for &'a List {
    type Item = &'a Value;
    type IntoIter = std::slice::Iter<'a, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// A `map[string]T`, shared and mutable like a Go map: clones refer to the same entries.
/// Keys are kept in byte order, the order `range` and `print` use.
#[derive(Clone)]
pub struct Map(Arc<MapData>);

struct MapData {
    elem: Type,
    entries: RwLock<BTreeMap<Str, Value>>,
}

impl Map {
    /// An empty `map[string]interface {}`.
    pub fn new() -> Map {
        Map::typed(Type::Interface)
    }

    /// An empty `map[string]elem`.
    pub fn typed(elem: Type) -> Map {
        Map::from_entries(elem, BTreeMap::new())
    }

    pub fn from_entries(elem: Type, entries: BTreeMap<Str, Value>) -> Map {
        Map(Arc::new(MapData {
            elem,
            entries: RwLock::new(entries),
        }))
    }

    pub fn elem(&self) -> &Type {
        &self.0.elem
    }

    /// Read access to the entries. Do not call back into the engine (or touch this map
    /// mutably) while holding the guard.
    pub fn read(&self) -> RwLockReadGuard<'_, BTreeMap<Str, Value>> {
        // A function that panicked while holding the lock has been reported as an error
        // already; the map itself is still consistent.
        self.0.entries.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Write access to the entries (Sprig's `set`, `unset`, `merge`).
    pub fn write(&self) -> RwLockWriteGuard<'_, BTreeMap<Str, Value>> {
        self.0.entries.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn get(&self, key: &str) -> Option<Value> {
        self.read().get(key).cloned()
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.read().contains_key(key)
    }

    pub fn insert(&self, key: impl Into<Str>, value: Value) -> Option<Value> {
        self.write().insert(key.into(), value)
    }

    pub fn remove(&self, key: &str) -> Option<Value> {
        self.write().remove(key)
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The keys, sorted.
    pub fn keys(&self) -> Vec<Str> {
        self.read().keys().cloned().collect()
    }

    /// A snapshot of the entries, sorted by key; safe to hold while calling back into
    /// the engine.
    pub fn entries(&self) -> Vec<(Str, Value)> {
        self.read()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// A new map with the same element type and a shallow copy of the entries.
    pub fn shallow_copy(&self) -> Map {
        Map::from_entries(self.elem().clone(), self.read().clone())
    }

    /// Whether both are the same Go map.
    pub fn ptr_eq(&self, other: &Map) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Default for Map {
    fn default() -> Self {
        Map::new()
    }
}

/// A value of a named Go type, seen by templates through its fields and methods:
/// Helm's `.Chart`, `.Release`, `.Capabilities`, `.Files`; Sprig's `*semver.Version`,
/// `time.Time`, certificate structs.
///
/// In a chain `.A.B`, the engine first looks for a method `B` (with [`Object::method`]),
/// then a field (with [`Object::field`]); that is Go's order. Unknown names fail with
/// Go's "can't evaluate field B in type T".
pub trait Object: Send + Sync + 'static {
    /// The Go type as `%T` prints it, pointer star included: `*chart.Metadata`.
    fn type_name(&self) -> &str;

    /// An exported field's value, or `None` when the type has no such field.
    fn field(&self, name: &str) -> Option<Value> {
        let _ = name;
        None
    }

    /// The signature of an exported method, or `None` when the type has no such method.
    /// The engine checks and converts arguments against it, then calls
    /// [`Object::call_method`].
    fn method(&self, name: &str) -> Option<crate::Signature> {
        let _ = name;
        None
    }

    /// Calls the method `name` (one [`Object::method`] returned a signature for) with
    /// arguments already converted to its parameter types.
    fn call_method(
        &self,
        name: &str,
        args: &[Value],
        cx: &mut crate::CallContext<'_>,
    ) -> Result<Value, crate::FuncError> {
        let _ = (args, cx);
        Err(crate::FuncError::new(format!(
            "{}.{name} is not implemented",
            self.type_name()
        )))
    }

    /// Writes the value as `%v` prints it: with the `String()` method for types that have
    /// one (`1.2.3` for a semver), else Go's struct form (`{a b}`, `&{a b}` for pointers).
    fn format(&self, out: &mut String);

    /// Template truth. Structs and non-nil pointers are true.
    fn truth(&self) -> bool {
        true
    }

    /// Go's `reflect.Kind` name (Sprig's `kindOf`): `ptr` for pointer types, `struct`
    /// otherwise, unless overridden (a named string type is `string`).
    fn kind(&self) -> &str {
        if self.type_name().starts_with('*') {
            "ptr"
        } else {
            "struct"
        }
    }

    /// The value as `encoding/json` would marshal it, when it has a JSON form other than
    /// its [`Object::json_fields`] (which [`Value::to_json`] uses otherwise).
    fn to_json(&self) -> Option<serde_json::Value> {
        None
    }

    /// A struct's fields as `encoding/json` writes them: declaration order, `omitempty`
    /// fields left out when empty. `toJson` prefers this to [`Object::to_json`], whose map
    /// comes out with its keys sorted.
    fn json_fields(&self) -> Option<Vec<(&'static str, Value)>> {
        None
    }

    /// The elements of a named slice type (Helm's `chartutil.VersionSet` is a `[]string`),
    /// which `range`, `len` and `index` walk as they would the slice itself.
    fn as_list(&self) -> Option<List> {
        None
    }

    /// Go's `==` on two values of this type: `None` when the type is not comparable
    /// (`eq` then fails as Go does).
    fn equals(&self, other: &dyn Object) -> Option<bool> {
        let _ = other;
        None
    }

    /// For downcasting to the concrete type: implement as `self`.
    fn as_any(&self) -> &dyn Any;
}
