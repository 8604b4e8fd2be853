//! Common Expression Language glue shared by the controllers: compile a user's expression
//! with an error that quotes it, turn Kubernetes objects (JSON) into CEL values, and evaluate
//! to a bool with an error that quotes the expression, as fluxcd/pkg `runtime/cel` does.
//!
//! The environment is Flux's minus what the `cel` crate lacks: the standard library, optional
//! values (`status.?conditions.orValue([])`), the strings and base64 extensions. Flux also
//! loads the sets extension, which the crate does not have.
//!
//! Expressions are user input evaluated inside the controller, so compiling bounds them: a
//! length cap, the parser's recursion limit, a syntax-tree depth cap, and a cap on
//! comprehensions nested in each other's bodies (each level multiplies the work by the size
//! of a list). Parsing and evaluation run on a thread with a large stack of their own, since
//! a stack overflow would abort the whole controller. The crate has no evaluation cost
//! budget or interrupt (cel-go's `InterruptCheckFrequency`), so an expression over a huge
//! list still costs time (and, building lists or strings, memory) proportional to it.
//!
//! ```
//! let expr = tk::cel::Expression::compile("status.phase == 'Ready'").unwrap();
//! let object = serde_json::json!({ "status": { "phase": "Ready" } });
//! assert!(expr.eval_bool_on_object(&object).unwrap());
//! ```

pub mod status;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LazyLock};

use cel::common::ast::{EntryExpr, Expr, IdedExpr};
use cel::objects::Key;
use cel::{Context, Env, Program, Value};

/// The longest expression accepted, in bytes. Real health checks and readiness expressions
/// are a few hundred bytes; the cap keeps literal lists (and so the work over them) small.
pub const MAX_EXPRESSION_BYTES: usize = 8 * 1024;
/// How many comprehensions (`all`, `exists`, `exists_one`, `map`, `filter`) may be nested in
/// each other's bodies. Chaining (`l.filter(..).all(..)`) does not nest.
pub const MAX_COMPREHENSION_NESTING: usize = 3;

/// How deep the syntax tree may be: the evaluator recurses once per level. The parser
/// already refuses about 96 nested brackets; this also catches long operator chains
/// (`1 + 1 + ...`), whose tree is as deep as the chain is long.
pub const MAX_SYNTAX_DEPTH: usize = 128;
/// The stack that parsing and evaluation run on. The generated parser and the evaluator
/// recurse with large frames (about 35 KiB a level in debug builds): a tokio worker's 2 MiB
/// overflows, and a stack overflow aborts the whole controller. Only touched pages are
/// committed, so a generous reservation costs little.
const STACK_BYTES: usize = 64 << 20;

/// Names the parser treats as function namespaces (`base64.encode(x)`, `optional.of(x)`),
/// not variables.
const NAMESPACES: &[&str] = &["base64", "optional", "strings", "math"];

static ENV: LazyLock<Arc<Env>> = LazyLock::new(|| {
    let mut env = Env::stdlib();
    // These only fail when a function is declared twice, which a fresh stdlib rules out.
    env.add_extension(cel::extensions::strings)
        .expect("the strings extension loads on a fresh environment");
    env.add_extension(cel::extensions::encoders)
        .expect("the encoders extension loads on a fresh environment");
    Arc::new(env)
});

/// Why an expression was refused before anything ran. The message quotes the expression
/// and says what is wrong with it; callers prefix the field it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CompileError(String);

/// Why evaluating a compiled expression failed (a missing field, a type mismatch, a result
/// that is not a bool), in Flux's words: `failed to evaluate the CEL expression '<expr>': ..`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed to evaluate the CEL expression '{expression}': {reason}")]
pub struct EvalError {
    pub expression: String,
    pub reason: String,
}

/// A compiled expression, ready to be evaluated any number of times.
#[derive(Debug)]
pub struct Expression {
    source: String,
    program: Program,
}

impl Expression {
    /// Compiles an expression that may read any variable: the caller decides at evaluation
    /// which exist (Flux parses health checks without declaring variables, because not every
    /// kind has the usual top-level fields).
    pub fn compile(source: &str) -> Result<Expression, CompileError> {
        compile(source, None)
    }

    /// Compiles an expression that may only read `variables` (Flux compiles readiness
    /// expressions against declared `self` and `dep`, so a typo fails before evaluation).
    pub fn compile_with_variables(
        source: &str,
        variables: &[&str],
    ) -> Result<Expression, CompileError> {
        compile(source, Some(variables))
    }

    /// The expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates with each `(name, value)` bound as a variable; the result must be a bool.
    pub fn eval_bool(&self, variables: &[(&str, &serde_json::Value)]) -> Result<bool, EvalError> {
        on_own_stack(|| {
            let mut context = Context::with_env(ENV.clone());
            for (name, value) in variables {
                context.add_variable_from_value(*name, to_cel(value));
            }
            self.run(&context)
        })
        .unwrap_or_else(|reason| Err(self.error(reason)))
    }

    /// Evaluates with each top-level field of `object` bound as a variable (`status`,
    /// `metadata`, `spec`, ...), as Flux evaluates health checks on the unstructured object.
    pub fn eval_bool_on_object(&self, object: &serde_json::Value) -> Result<bool, EvalError> {
        on_own_stack(|| {
            let mut context = Context::with_env(ENV.clone());
            if let serde_json::Value::Object(fields) = object {
                for (name, value) in fields {
                    context.add_variable_from_value(name.as_str(), to_cel(value));
                }
            }
            self.run(&context)
        })
        .unwrap_or_else(|reason| Err(self.error(reason)))
    }

    fn run(&self, context: &Context) -> Result<bool, EvalError> {
        match self.program.execute(context) {
            Ok(Value::Bool(result)) => Ok(result),
            Ok(other) => Err(self.error(format!(
                "the result is a {}, not a bool; make the expression a condition",
                other.type_of()
            ))),
            Err(err) => Err(self.error(err.to_string())),
        }
    }

    fn error(&self, reason: String) -> EvalError {
        EvalError {
            expression: self.source.clone(),
            reason,
        }
    }
}

fn compile(source: &str, variables: Option<&[&str]>) -> Result<Expression, CompileError> {
    let refuse = |what: String| CompileError(format!("invalid CEL expression '{source}': {what}"));
    if source.trim().is_empty() {
        return Err(CompileError("the CEL expression is empty".into()));
    }
    if source.len() > MAX_EXPRESSION_BYTES {
        return Err(CompileError(format!(
            "the CEL expression is {} bytes long, more than the {MAX_EXPRESSION_BYTES} allowed",
            source.len()
        )));
    }
    let (program, walk) = on_own_stack(|| {
        let program = ENV.compile(source).map_err(|e| e.to_string())?;
        let mut walk = Walk::default();
        walk.expr(program.expression(), 0);
        Ok::<_, String>((program, walk))
    })
    .and_then(|compiled| compiled)
    .map_err(refuse)?;
    if walk.tallest > MAX_SYNTAX_DEPTH {
        return Err(refuse(format!(
            "the expression is nested {} levels deep, more than the {MAX_SYNTAX_DEPTH} allowed; \
             split long chains of operators",
            walk.tallest
        )));
    }
    if walk.deepest > MAX_COMPREHENSION_NESTING {
        return Err(refuse(format!(
            "comprehensions (all, exists, exists_one, map, filter) are nested {} deep, more than \
             the {MAX_COMPREHENSION_NESTING} allowed",
            walk.deepest
        )));
    }
    if let Some(allowed) = variables
        && let Some(name) = walk.free.iter().find(|n| !allowed.contains(&n.as_str()))
    {
        return Err(refuse(format!(
            "undeclared reference to '{name}'; the expression can use {}",
            allowed
                .iter()
                .map(|v| format!("'{v}'"))
                .collect::<Vec<_>>()
                .join(" and ")
        )));
    }
    Ok(Expression {
        source: source.to_string(),
        program,
    })
}

/// Runs `f` on a thread of its own with a [`STACK_BYTES`] stack, waiting for it.
fn on_own_stack<T: Send>(f: impl FnOnce() -> T + Send) -> Result<T, String> {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("cel".into())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, f)
            .map_err(|e| format!("cannot start a thread to run the CEL expression: {e}"))?;
        thread
            .join()
            .map_err(|_| "the CEL evaluator panicked".to_string())
    })
}

/// What compiling checks in the syntax tree: free variables and comprehension nesting.
#[derive(Default)]
struct Walk {
    /// Variables bound by the comprehensions around the node being walked.
    bound: Vec<String>,
    free: BTreeSet<String>,
    deepest: usize,
    /// The depth of the syntax tree, which is the evaluator's recursion depth.
    depth: usize,
    tallest: usize,
}

impl Walk {
    fn expr(&mut self, e: &IdedExpr, nesting: usize) {
        self.depth += 1;
        self.tallest = self.tallest.max(self.depth);
        self.node(e, nesting);
        self.depth -= 1;
    }

    fn node(&mut self, e: &IdedExpr, nesting: usize) {
        match &e.expr {
            Expr::Ident(name) => {
                if !self.bound.iter().any(|b| b == name) {
                    self.free.insert(name.clone());
                }
            }
            Expr::Select(select) => self.expr(&select.operand, nesting),
            Expr::Call(call) => {
                match call.target.as_deref() {
                    Some(IdedExpr {
                        expr: Expr::Ident(namespace),
                        ..
                    }) if NAMESPACES.contains(&namespace.as_str())
                        && !self.bound.iter().any(|b| b == namespace) => {}
                    Some(target) => self.expr(target, nesting),
                    None => {}
                }
                for arg in &call.args {
                    self.expr(arg, nesting);
                }
            }
            Expr::List(list) => {
                for element in &list.elements {
                    self.expr(element, nesting);
                }
            }
            Expr::Map(map) => self.entries(&map.entries, nesting),
            Expr::Struct(s) => self.entries(&s.entries, nesting),
            Expr::Comprehension(c) => {
                // The range and the initial accumulator are evaluated once; the loop body
                // once per element, which is where nesting multiplies work.
                self.expr(&c.iter_range, nesting);
                self.expr(&c.accu_init, nesting);
                let depth = nesting + 1;
                self.deepest = self.deepest.max(depth);
                let scope = self.bound.len();
                self.bound.push(c.iter_var.clone());
                self.bound.extend(c.iter_var2.clone());
                self.bound.push(c.accu_var.clone());
                self.expr(&c.loop_cond, depth);
                self.expr(&c.loop_step, depth);
                self.expr(&c.result, depth);
                self.bound.truncate(scope);
            }
            Expr::Literal(_) | Expr::Unspecified => {}
        }
    }

    fn entries(&mut self, entries: &[cel::common::ast::IdedEntryExpr], nesting: usize) {
        for entry in entries {
            match &entry.expr {
                EntryExpr::StructField(field) => self.expr(&field.value, nesting),
                EntryExpr::MapEntry(map_entry) => {
                    self.expr(&map_entry.key, nesting);
                    self.expr(&map_entry.value, nesting);
                }
            }
        }
    }
}

/// A JSON value as CEL sees it: objects become maps with string keys, integers `int` (or
/// `uint` above `i64::MAX`), other numbers `double`.
pub fn to_cel(value: &serde_json::Value) -> Value {
    match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else if let Some(u) = n.as_u64() {
                Value::UInt(u)
            } else {
                Value::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_json::Value::String(s) => Value::String(Arc::new(s.clone())),
        serde_json::Value::Array(items) => {
            Value::List(Arc::new(items.iter().map(to_cel).collect()))
        }
        serde_json::Value::Object(fields) => {
            let map: HashMap<Key, Value> = fields
                .iter()
                .map(|(k, v)| (Key::from(k.as_str()), to_cel(v)))
                .collect();
            Value::Map(map.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn eval(source: &str, object: serde_json::Value) -> Result<bool, EvalError> {
        Expression::compile(source)
            .unwrap()
            .eval_bool_on_object(&object)
    }

    #[test]
    fn converts_json_to_cel_values() {
        let value = to_cel(&json!({
            "s": "x", "i": -3, "u": u64::MAX, "f": 1.5, "b": true, "n": null, "l": [1, "a"],
        }));
        let Value::Map(map) = value else {
            panic!("an object converts to a map, got {value:?}");
        };
        let get = |k: &str| map.map.get(&Key::from(k)).cloned().unwrap();
        assert_eq!(get("s"), Value::String(Arc::new("x".into())));
        assert_eq!(get("i"), Value::Int(-3));
        assert_eq!(get("u"), Value::UInt(u64::MAX));
        assert_eq!(get("f"), Value::Float(1.5));
        assert_eq!(get("b"), Value::Bool(true));
        assert_eq!(get("n"), Value::Null);
        assert_eq!(
            get("l"),
            Value::List(Arc::new(vec![
                Value::Int(1),
                Value::String(Arc::new("a".into()))
            ]))
        );
    }

    #[test]
    fn reads_top_level_fields_of_an_object() {
        let object = json!({
            "metadata": { "generation": 2, "labels": { "tier": "infra" } },
            "status": {
                "observedGeneration": 2,
                "conditions": [
                    { "type": "Ready", "status": "True" },
                    { "type": "Other", "status": "False" },
                ],
            },
        });
        let ready = "status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')";
        assert_eq!(eval(ready, object.clone()), Ok(true));
        assert_eq!(
            eval(
                "metadata.generation == status.observedGeneration",
                object.clone()
            ),
            Ok(true)
        );
        assert_eq!(
            eval("metadata.labels.tier.startsWith('inf')", object.clone()),
            Ok(true)
        );
        assert_eq!(
            eval("metadata.labels.tier == 'apps'", object.clone()),
            Ok(false)
        );
        // Flux's readiness expressions see numbers as doubles (google.protobuf.Struct):
        // comparing across numeric types must work either way.
        assert_eq!(eval("metadata.generation == 2.0", object.clone()), Ok(true));
        assert_eq!(eval("metadata.generation < 2.5", object), Ok(true));
    }

    #[test]
    fn a_missing_field_is_an_evaluation_error_quoting_the_expression() {
        let err = eval("status.conditions.size() > 0", json!({ "status": {} })).unwrap_err();
        assert_eq!(err.expression, "status.conditions.size() > 0");
        assert!(err.reason.contains("conditions"), "{err}");
        assert!(
            err.to_string().starts_with(
                "failed to evaluate the CEL expression 'status.conditions.size() > 0': "
            ),
            "{err}"
        );
        // A missing top-level field is an unknown variable.
        let err = eval("status.phase == 'Ready'", json!({})).unwrap_err();
        assert!(err.reason.contains("status"), "{err}");
    }

    #[test]
    fn has_and_optionals_guard_missing_fields() {
        assert_eq!(
            eval(
                "has(status.conditions) && size(status.conditions) > 0",
                json!({ "status": {} })
            ),
            Ok(false)
        );
        assert_eq!(
            eval(
                "status.?conditions.orValue([]).exists(c, c.type == 'Ready')",
                json!({ "status": {} })
            ),
            Ok(false)
        );
    }

    #[test]
    fn a_result_that_is_not_a_bool_is_an_error() {
        let err = eval("status.phase", json!({ "status": { "phase": "Ready" } })).unwrap_err();
        assert!(err.reason.contains("not a bool"), "{err}");
    }

    #[test]
    fn compile_errors_quote_the_expression_and_the_position() {
        let err = Expression::compile("data.").unwrap_err().to_string();
        assert!(err.starts_with("invalid CEL expression 'data.': "), "{err}");
        assert!(err.contains("<input>:1:"), "{err}");
        assert!(Expression::compile("  ").is_err());
    }

    #[test]
    fn declared_variables_are_the_only_ones_allowed() {
        let vars = ["self", "dep"];
        let expr = Expression::compile_with_variables(
            "dep.metadata.labels.tier == 'infra' && self.metadata.name != ''",
            &vars,
        )
        .unwrap();
        let dep = json!({ "metadata": { "labels": { "tier": "infra" } } });
        let me = json!({ "metadata": { "name": "apps" } });
        assert_eq!(expr.eval_bool(&[("self", &me), ("dep", &dep)]), Ok(true));

        let err = Expression::compile_with_variables("deps.status.ready", &vars)
            .unwrap_err()
            .to_string();
        assert!(err.contains("undeclared reference to 'deps'"), "{err}");
        assert!(err.contains("'self' and 'dep'"), "{err}");
        // Comprehension variables and function namespaces are not free variables.
        Expression::compile_with_variables(
            "dep.status.conditions.exists(c, c.type == 'Ready') && \
             base64.encode(b'x') != '' && optional.of(1).hasValue()",
            &vars,
        )
        .unwrap();
    }

    #[test]
    fn refuses_oversized_and_deeply_nested_expressions() {
        let long = format!("'{}' == ''", "a".repeat(MAX_EXPRESSION_BYTES));
        let err = Expression::compile(&long).unwrap_err().to_string();
        assert!(err.contains("bytes long"), "{err}");

        let nested = "[1].all(a, [1].all(b, [1].all(c, [1].all(d, true))))";
        let err = Expression::compile(nested).unwrap_err().to_string();
        assert!(err.contains("nested 4 deep"), "{err}");
        // Chained comprehensions are evaluated one after the other, not nested.
        Expression::compile("[1].filter(a, a > 0).filter(b, b > 0).filter(c, c > 0).all(d, true)")
            .unwrap();

        // Deep trees neither overflow the caller's stack (a test thread's 2 MiB) nor pass.
        let parens = format!("{}true{}", "(".repeat(500), ")".repeat(500));
        assert!(Expression::compile(&parens).is_err());
        let chain = format!("1{} == 0", " + 1".repeat(1000));
        let err = Expression::compile(&chain).unwrap_err().to_string();
        assert!(err.contains("levels deep"), "{err}");
        // Just within the limits, the evaluator runs on its own stack too.
        let chain = format!("1{} == 0", " + 1".repeat(MAX_SYNTAX_DEPTH - 4));
        assert_eq!(
            Expression::compile(&chain).unwrap().eval_bool(&[]),
            Ok(false)
        );
        let lists = format!("{}1{} == 1", "[".repeat(90), "]".repeat(90));
        assert_eq!(
            Expression::compile(&lists).unwrap().eval_bool(&[]),
            Ok(false)
        );
    }
}
