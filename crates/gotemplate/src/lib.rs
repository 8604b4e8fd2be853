//! Go's `text/template`, as Helm 3 renders charts with it: the template language, its
//! builtin functions, and `fmt`'s formatting of values, reproduced without Go.
//!
//! Output and error messages are Go's, byte for byte (Go 1.26): a chart renders the same
//! and fails with the same message as under Helm.
//!
//! ```
//! use gotemplate::{Template, Value};
//! let mut t = Template::new("page");
//! t.parse(r#"{{ range $i, $v := .items }}{{ if $i }}, {{ end }}{{ printf "%q" $v }}{{ end }}"#).unwrap();
//! let data = Value::from_json(&serde_json::json!({ "items": ["a", "b"] }));
//! assert_eq!(t.execute(&data).unwrap(), r#""a", "b""#);
//! let err = t.execute_template("nope", &data).unwrap_err();
//! assert_eq!(err.to_string(), r#"template: no template "nope" associated with template "page""#);
//! ```
//!
//! Values ([`Value`]) keep the Go types templates can observe; JSON data converts as
//! Helm's values do (numbers are float64). Functions ([`Function`]) are declared with
//! their Go signature so the engine checks arguments as Go does. [`Limits`] bound
//! template-call depth, stack use and output size, which Go leaves nearly unbounded.
//!
//! # Layout
//!
//! | Module | Go counterpart |
//! |---|---|
//! | `lex`, `parse` | `text/template/parse`: items, the parse tree, parse errors |
//! | `template` | `Template`: the set of named trees, `Funcs`, `Option`, `Delims` |
//! | `exec` | `exec.go`: evaluation, variables, field and method resolution, exec errors |
//! | `builtins`, `escape` | `funcs.go`: `and` … `urlquery`, comparisons, escapers |
//! | [`fmt`] | `fmt` and `strconv` formatting and quoting |
//! | `value`, `func` | what `reflect` gives Go: typed values, objects, function signatures |
//! | [`sprig`] | Sprig's function library |
//!
//! # Differences from Go
//!
//! - Complex constants (`1i`) parse but evaluating one is an error; no chart uses them.
//! - Strings are UTF-8: `\x` escapes or `slice` cuts that would leave invalid UTF-8 in a
//!   Go string give U+FFFD here.
//! - `slice` cannot reach past a list's length into spare capacity.
//! - Template calls nest up to [`Limits::max_depth`] (Go: 100000) and within
//!   [`Limits::max_stack`]; parentheses and control structures nest up to 1000 levels
//!   (Go: 10000 parentheses).
//! - `defined_templates` lists names sorted (Go: map order); `%p` and `%v` of functions
//!   print a stand-in address.
//! - `unicode.IsPrint` (for `%q`, `js`) is approximated without Unicode tables: unassigned
//!   code points count as printable.
//! - A map that contains itself (`set $m "self" $m`) prints as `<max depth exceeded>` below
//!   [`MAX_NESTING`] levels, where Go overflows its stack; such a cycle is also never freed
//!   (reference counting).
//!
//! Parsed templates are immutable and shared ([`Template`] is `Send + Sync` and cheap to
//! clone), so one parse can serve concurrent executions.

mod builtins;
mod error;
mod escape;
mod exec;
pub mod fmt;
mod func;
mod lex;
mod parse;
mod template;
mod value;

pub mod sprig;

pub use error::{Error, ErrorKind, Result};
pub use escape::{html_escape_string, js_escape_string, url_query_escape};
pub use func::{CallContext, FuncError, FuncMap, FuncResult, Function, Signature};
pub use template::{Limits, MissingKey, Template};
pub use value::{FloatKind, IntKind, List, MAX_NESTING, Map, Object, Str, Type, UintKind, Value};
