//! Functions callable from templates, declared with their Go signatures.
//!
//! The engine does what Go's `text/template` does with a `reflect.Func`: it checks the
//! argument count, converts each argument to its parameter type (template literals
//! convert per parameter, other values must already be of that type), and reports
//! Go's messages when that fails. The function body therefore receives arguments of the
//! declared types and never re-checks them.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use crate::value::{FloatKind, IntKind, Str, Type, UintKind, Value};

/// A function's Go signature: parameter types, an optional variadic tail, and whether it
/// returns `(T, error)` rather than `T`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    params: Vec<Type>,
    variadic: Option<Type>,
    returns: Type,
    fallible: bool,
}

impl Signature {
    /// A signature taking `params` and returning one `interface {}`.
    pub fn new(params: impl IntoIterator<Item = Type>) -> Signature {
        Signature {
            params: params.into_iter().collect(),
            variadic: None,
            returns: Type::Interface,
            fallible: false,
        }
    }

    /// Adds a variadic tail `...elem` (the arguments arrive one by one, after the fixed ones).
    pub fn variadic(mut self, elem: Type) -> Signature {
        self.variadic = Some(elem);
        self
    }

    /// Sets the (first) result type; it only shows in `%T` of a function value.
    pub fn returns(mut self, t: Type) -> Signature {
        self.returns = t;
        self
    }

    /// Declares a second `error` result.
    pub fn fallible(mut self) -> Signature {
        self.fallible = true;
        self
    }

    /// Parses a Go function type: `func(string, ...interface {}) (string, error)`.
    /// Parameter names are allowed (`func(s string, n int) string`); so are `any` and
    /// named types (`*semver.Version`, `time.Time`).
    ///
    /// # Panics
    /// On malformed text: signatures are written in code, so that is a programming error.
    pub fn parse(text: &str) -> Signature {
        parse_signature(text).unwrap_or_else(|e| panic!("bad Go signature {text:?}: {e}"))
    }

    pub fn params(&self) -> &[Type] {
        &self.params
    }

    pub fn variadic_elem(&self) -> Option<&Type> {
        self.variadic.as_ref()
    }

    pub fn result(&self) -> &Type {
        &self.returns
    }

    pub fn is_fallible(&self) -> bool {
        self.fallible
    }
}

/// Go's spelling, as `%T` prints a function value.
impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("func(")?;
        for (i, p) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{p}")?;
        }
        if let Some(v) = &self.variadic {
            if !self.params.is_empty() {
                f.write_str(", ")?;
            }
            write!(f, "...{v}")?;
        }
        if self.fallible {
            write!(f, ") ({}, error)", self.returns)
        } else {
            write!(f, ") {}", self.returns)
        }
    }
}

fn parse_signature(text: &str) -> Result<Signature, String> {
    let rest = text.trim().strip_prefix("func(").ok_or("expected func(")?;
    let close = matching_paren(rest).ok_or("unbalanced parentheses")?;
    let (params_text, results_text) = (&rest[..close], rest[close + 1..].trim());
    let mut sig = Signature::new([]);
    let items: Vec<&str> = split_top_level(params_text)
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    // Go: either every parameter is named or none is; `a, b int` gives both the type int.
    let named = items.iter().any(|p| split_name(p).is_some());
    let mut types: Vec<&str> = Vec::with_capacity(items.len());
    let mut pending = 0;
    for item in &items {
        match (named, split_name(item)) {
            (true, Some((_, ty))) => {
                types.extend(std::iter::repeat_n(ty, pending + 1));
                pending = 0;
            }
            (true, None) => pending += 1,
            (false, _) => types.push(item),
        }
    }
    if pending > 0 {
        return Err("parameter without a type".into());
    }
    for ty_text in types {
        if let Some(elem) = ty_text.strip_prefix("...") {
            if sig.variadic.is_some() {
                return Err("more than one variadic parameter".into());
            }
            sig.variadic = Some(parse_type(elem)?);
        } else {
            if sig.variadic.is_some() {
                return Err("variadic parameter must be last".into());
            }
            sig.params.push(parse_type(ty_text)?);
        }
    }
    let results: Vec<&str> = match results_text.strip_prefix('(') {
        Some(r) => split_top_level(r.strip_suffix(')').ok_or("unbalanced results")?)
            .into_iter()
            .map(str::trim)
            .collect(),
        None => vec![results_text],
    };
    match results.as_slice() {
        [one] if !one.is_empty() && *one != "error" => sig.returns = parse_type(one)?,
        [one, "error"] => {
            sig.returns = parse_type(one)?;
            sig.fallible = true;
        }
        _ => return Err("a template function returns T or (T, error)".into()),
    }
    Ok(sig)
}

/// `name type` → `(name, type)`; `None` for a lone type (which may itself contain a space,
/// as `interface {}`).
fn split_name(param: &str) -> Option<(&str, &str)> {
    let (name, ty) = param.split_once(' ')?;
    let is_ident = !name.is_empty()
        && name != "interface"
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    is_ident.then(|| (name, ty.trim()))
}

fn matching_paren(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '{' | '[' => depth += 1,
            ')' if depth == 0 => return Some(i),
            ')' | '}' | ']' => depth = depth.checked_sub(1)?,
            _ => {}
        }
    }
    None
}

fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Parses a Go type name as written in a signature.
pub(crate) fn parse_type(text: &str) -> Result<Type, String> {
    let t = text.trim();
    Ok(match t {
        // reflect.Value parameters (the builtins') accept any value, as interface{} does.
        "interface {}" | "interface{}" | "any" | "reflect.Value" => Type::Interface,
        "bool" => Type::Bool,
        "int" => Type::Int(IntKind::Int),
        "int8" => Type::Int(IntKind::Int8),
        "int16" => Type::Int(IntKind::Int16),
        "int32" | "rune" => Type::Int(IntKind::Int32),
        "int64" => Type::Int(IntKind::Int64),
        "uint" => Type::Uint(UintKind::Uint),
        "uint8" | "byte" => Type::Uint(UintKind::Uint8),
        "uint16" => Type::Uint(UintKind::Uint16),
        "uint32" => Type::Uint(UintKind::Uint32),
        "uint64" => Type::Uint(UintKind::Uint64),
        "uintptr" => Type::Uint(UintKind::Uintptr),
        "float32" => Type::Float(FloatKind::Float32),
        "float64" => Type::Float(FloatKind::Float64),
        "string" => Type::String,
        "" => return Err("missing type".into()),
        _ => {
            if let Some(elem) = t.strip_prefix("[]") {
                Type::Slice(Arc::new(parse_type(elem)?))
            } else if let Some(elem) = t.strip_prefix("map[string]") {
                Type::Map(Arc::new(parse_type(elem)?))
            } else if t.contains(char::is_whitespace) && !t.starts_with("func") {
                return Err(format!("unexpected space in type {t:?}"));
            } else {
                Type::Named(Arc::from(t))
            }
        }
    })
}

/// The error a function returns: its message becomes the tail of Go's
/// `error calling NAME: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuncError {
    message: String,
}

impl FuncError {
    pub fn new(message: impl Into<String>) -> FuncError {
        FuncError {
            message: message.into(),
        }
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for FuncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FuncError {}

impl From<String> for FuncError {
    fn from(message: String) -> FuncError {
        FuncError { message }
    }
}

impl From<&str> for FuncError {
    fn from(message: &str) -> FuncError {
        FuncError::new(message)
    }
}

impl From<crate::Error> for FuncError {
    fn from(e: crate::Error) -> FuncError {
        FuncError::new(e.to_string())
    }
}

/// What a function body returns.
pub type FuncResult = Result<Value, FuncError>;

type Body = dyn Fn(&mut CallContext<'_>, &[Value]) -> FuncResult + Send + Sync;

/// A function callable from templates: a Go signature and a body.
///
/// The body gets the arguments converted to the parameter types (a `string` parameter is
/// always a `Value::String`, an `int` one a `Value::Int(_, IntKind::Int)`, variadic
/// arguments follow the fixed ones). An `Err` becomes `error calling NAME: MESSAGE`; so
/// does a panic, as Go recovers panics in template functions.
#[derive(Clone)]
pub struct Function {
    sig: Arc<Signature>,
    body: Arc<Body>,
}

impl Function {
    /// A function from its Go signature text (see [`Signature::parse`]) and body.
    ///
    /// ```
    /// use gotemplate::{Function, Value};
    /// let repeat = Function::new("func(count int, str string) string", |_cx, args| {
    ///     let (Value::Int(n, _), Some(s)) = (&args[0], args[1].as_str()) else { unreachable!() };
    ///     Ok(Value::string(s.repeat((*n).max(0) as usize)))
    /// });
    /// ```
    pub fn new(
        signature: &str,
        body: impl Fn(&mut CallContext<'_>, &[Value]) -> FuncResult + Send + Sync + 'static,
    ) -> Function {
        Function::with_signature(Signature::parse(signature), body)
    }

    pub fn with_signature(
        sig: Signature,
        body: impl Fn(&mut CallContext<'_>, &[Value]) -> FuncResult + Send + Sync + 'static,
    ) -> Function {
        Function {
            sig: Arc::new(sig),
            body: Arc::new(body),
        }
    }

    pub fn signature(&self) -> &Signature {
        &self.sig
    }

    /// Calls the body directly, without argument checking or panic recovery.
    pub fn call_unchecked(&self, cx: &mut CallContext<'_>, args: &[Value]) -> FuncResult {
        (self.body)(cx, args)
    }
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Function({})", self.sig)
    }
}

/// The Firefox/rustc hash: function names are looked up on every call, and they are
/// chosen by the program, not by untrusted input, so SipHash's flooding resistance buys
/// nothing here.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;

/// Functions by name, merged over the builtins (a name here replaces a builtin, as with
/// Go's `Funcs`).
#[derive(Clone, Default, Debug)]
pub struct FuncMap {
    funcs: HashMap<Str, Function, FxBuild>,
}

impl FuncMap {
    pub fn new() -> FuncMap {
        FuncMap::default()
    }

    /// Adds or replaces `name`.
    pub fn insert(&mut self, name: impl Into<Str>, f: Function) -> &mut FuncMap {
        self.funcs.insert(name.into(), f);
        self
    }

    /// Shorthand for `insert(name, Function::new(signature, body))`.
    pub fn add(
        &mut self,
        name: impl Into<Str>,
        signature: &str,
        body: impl Fn(&mut CallContext<'_>, &[Value]) -> FuncResult + Send + Sync + 'static,
    ) -> &mut FuncMap {
        self.insert(name, Function::new(signature, body))
    }

    pub fn get(&self, name: &str) -> Option<&Function> {
        self.funcs.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    pub fn remove(&mut self, name: &str) -> Option<Function> {
        self.funcs.remove(name)
    }

    /// Adds every function of `other`, replacing those of the same name.
    pub fn extend(&mut self, other: FuncMap) -> &mut FuncMap {
        self.funcs.extend(other.funcs);
        self
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.funcs.keys().map(|k| &**k)
    }

    pub fn len(&self) -> usize {
        self.funcs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.funcs.is_empty()
    }
}

/// The engine, as seen from inside a function call: the template set being executed,
/// and nested execution (Helm's `include` and `tpl`) under the same limits.
pub struct CallContext<'a> {
    pub(crate) tmpl: &'a crate::Template,
    pub(crate) depth: usize,
    pub(crate) name: &'a str,
    /// Where the outermost execution's stack began, for [`crate::Limits::max_stack`].
    pub(crate) stack_base: Option<usize>,
}

impl<'a> CallContext<'a> {
    /// A context for calling a function outside any execution (tests, eager evaluation).
    pub fn detached(tmpl: &'a crate::Template) -> CallContext<'a> {
        CallContext {
            tmpl,
            depth: 0,
            name: "",
            stack_base: None,
        }
    }

    /// The template set being executed, with its functions and options. Clone it to add
    /// templates for a nested execution (Helm's `tpl`).
    pub fn template(&self) -> &crate::Template {
        self.tmpl
    }

    /// The name the function was called by.
    pub fn func_name(&self) -> &str {
        self.name
    }

    /// How deeply template calls and nested executions are nested here.
    pub fn depth(&self) -> usize {
        self.depth
    }

    pub fn limits(&self) -> &crate::Limits {
        self.tmpl.limits()
    }

    /// Executes the template `name` of the current set with `data` and returns its output
    /// (Helm's `include`). Fails, as Go's `ExecuteTemplate`, when there is no such template.
    pub fn execute_template(&mut self, name: &str, data: &Value) -> Result<String, crate::Error> {
        crate::exec::execute_nested(self.tmpl, name, data, self.depth + 1, self.stack_base)
    }

    /// Executes the template `name` of another set `tmpl` (typically a clone of
    /// [`CallContext::template`] with new text parsed into it: Helm's `tpl`), nested
    /// under the current execution's depth.
    pub fn execute_in(
        &mut self,
        tmpl: &crate::Template,
        name: &str,
        data: &Value,
    ) -> Result<String, crate::Error> {
        crate::exec::execute_nested(tmpl, name, data, self.depth + 1, self.stack_base)
    }
}
