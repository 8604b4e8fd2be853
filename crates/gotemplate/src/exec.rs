//! Execution: walks a parse tree with data, as Go's `exec.go`.
//!
//! Values flow as [`Ev`]: the value plus whether Go would see it through an `interface{}`
//! (an element of a `map[string]interface{}` or `[]interface{}`, or a function result of
//! that type). Go's errors name that static type (`can't evaluate field x in type
//! interface {}`), and a nil held in an interface (JSON null) behaves differently from a
//! missing value; both show in Helm's error messages.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::func::{CallContext, FuncError, Function};
use crate::parse::{Arg, Branch, Command, Node, Number, Pipe, TemplateCall, Tree};
use crate::template::{MissingKey, Template};
use crate::value::{Str, Type, Value};

#[derive(Clone)]
struct Ev {
    v: Value,
    /// Seen through an `interface{}`; with `v` nil, a nil interface (not a missing value).
    iface: bool,
}

impl Ev {
    fn plain(v: Value) -> Ev {
        Ev { v, iface: false }
    }

    /// Go's `indirectInterface` / the pipeline's dig into `interface{}`: a nil interface
    /// becomes no value.
    fn dig(self) -> Ev {
        Ev {
            v: self.v,
            iface: false,
        }
    }

    fn is_valid(&self) -> bool {
        self.iface || !self.v.is_nil()
    }

    /// The static type Go would name for this value.
    fn type_name(&self) -> String {
        if self.iface {
            "interface {}".to_string()
        } else {
            self.v.type_name()
        }
    }
}

/// Where execution is, for error messages.
#[derive(Clone, Copy)]
enum At<'t> {
    None,
    Node(&'t Node),
    Pipe(&'t Pipe),
    Cmd(&'t Command),
    Arg(&'t Arg),
}

impl At<'_> {
    fn pos(&self) -> usize {
        match self {
            At::None => 0,
            At::Node(n) => match n {
                Node::Text(p, _) | Node::Break(p) | Node::Continue(p) => *p,
                Node::Action(pipe) => pipe.pos,
                Node::If(b) | Node::Range(b) | Node::With(b) => b.pos,
                Node::Template(t) => t.pos,
            },
            At::Pipe(p) => p.pos,
            At::Cmd(c) => c.pos,
            At::Arg(a) => a.pos(),
        }
    }

    fn context(&self) -> String {
        match self {
            At::None => String::new(),
            At::Node(n) => n.to_string(),
            At::Pipe(p) => p.to_string(),
            At::Cmd(c) => c.to_string(),
            At::Arg(a) => a.to_string(),
        }
    }
}

/// Non-local exits of `walk`: loop control and errors.
enum Exit {
    Break,
    Continue,
    Fail(Box<Error>),
}

impl From<Error> for Exit {
    fn from(e: Error) -> Exit {
        Exit::Fail(Box::new(e))
    }
}

type Walk = std::result::Result<(), Exit>;

struct State<'t, 'o> {
    tmpl: &'t Template,
    /// The template being executed (for `executing "NAME"`).
    name: &'t str,
    tree: &'t Tree,
    out: &'o mut String,
    max_output: usize,
    vars: Vec<(Str, Ev)>,
    /// Variables below this index belong to calling templates (no dynamic scoping).
    var_base: usize,
    depth: usize,
    at: At<'t>,
    stack_base: usize,
    max_stack: usize,
    /// Argument vectors kept for reuse: a call per action is the common case, and a fresh
    /// vector each time was a measurable share of rendering.
    arg_bufs: Vec<Vec<Value>>,
}

/// The name `$`, shared so that every template call and the parser use one allocation
/// (and variable lookups compare it by pointer).
pub(crate) fn dollar() -> Str {
    static DOLLAR: std::sync::OnceLock<Str> = std::sync::OnceLock::new();
    DOLLAR.get_or_init(|| Str::from("$")).clone()
}

/// An address in the current stack frame; the distance between two of them is the stack
/// used in between (stacks grow down on every supported target, but the distance is
/// taken either way).
#[inline(never)]
pub(crate) fn stack_addr() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

pub(crate) fn execute(
    t: &Template,
    name: &str,
    data: &Value,
    out: &mut String,
    depth: usize,
    stack_base: Option<usize>,
) -> Result<()> {
    let Some(tree) = t.tree(name) else {
        return Err(Error::new(
            ErrorKind::Exec,
            format!(
                "template: {}: {} is an incomplete or empty template",
                name,
                crate::fmt::quote(name)
            ),
        ));
    };
    let limits = *t.limits();
    if depth > limits.max_depth {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "template: {name}: exceeded maximum template depth ({})",
                limits.max_depth
            ),
        ));
    }
    let stack_base = stack_base.unwrap_or_else(stack_addr);
    if stack_addr().abs_diff(stack_base) > limits.max_stack {
        return Err(Error::new(
            ErrorKind::Limit,
            format!(
                "template: {name}: exceeded maximum stack use ({} bytes)",
                limits.max_stack
            ),
        ));
    }
    let dot = Ev::plain(data.clone());
    let mut s = State {
        tmpl: t,
        name,
        tree,
        out,
        max_output: limits.max_output,
        vars: vec![(dollar(), dot.clone())],
        var_base: 0,
        depth,
        at: At::None,
        stack_base,
        max_stack: limits.max_stack,
        arg_bufs: Vec::new(),
    };
    match s.walk_list(&dot, &tree.root) {
        Ok(()) => Ok(()),
        Err(Exit::Fail(e)) => Err(*e),
        // The parser allows break/continue only inside range.
        Err(Exit::Break | Exit::Continue) => Ok(()),
    }
}

pub(crate) fn execute_nested(
    t: &Template,
    name: &str,
    data: &Value,
    depth: usize,
    stack_base: Option<usize>,
) -> Result<String> {
    if t.tree(name).is_none() {
        return Err(Error::new(
            ErrorKind::NoTemplate,
            format!(
                "template: no template {} associated with template {}",
                crate::fmt::quote(name),
                crate::fmt::quote(t.name())
            ),
        ));
    }
    let mut out = String::new();
    execute(t, name, data, &mut out, depth, stack_base)?;
    Ok(out)
}

fn is_hex_int(s: &str) -> bool {
    s.len() > 2 && (s.starts_with("0x") || s.starts_with("0X")) && !s.contains(['p', 'P'])
}

impl<'t> State<'t, '_> {
    fn errorf(&self, msg: impl std::fmt::Display) -> Error {
        let message = match self.at {
            At::None => format!("template: {}: {}", self.name, msg),
            at => format!(
                "template: {}: executing {} at <{}>: {}",
                self.tree.location(at.pos()),
                crate::fmt::quote(self.name),
                at.context(),
                msg
            ),
        };
        Error::new(ErrorKind::Exec, message)
    }

    fn limit_error(&self, msg: impl std::fmt::Display) -> Error {
        let mut e = self.errorf(msg);
        e = Error::new(ErrorKind::Limit, e.message().to_string());
        e
    }

    /// Fails when the stack used since the outermost execution began exceeds the limit;
    /// called where execution recurses.
    fn check_stack(&self) -> Result<()> {
        if stack_addr().abs_diff(self.stack_base) > self.max_stack {
            return Err(self.limit_error(format_args!(
                "exceeded maximum stack use ({} bytes) at template depth {}",
                self.max_stack, self.depth
            )));
        }
        Ok(())
    }

    fn write(&mut self, s: &str) -> Result<()> {
        self.out.push_str(s);
        if self.out.len() > self.max_output {
            return Err(self.limit_error(format_args!(
                "exceeded maximum output size ({} bytes)",
                self.max_output
            )));
        }
        Ok(())
    }

    fn walk_list(&mut self, dot: &Ev, list: &'t [Node]) -> Walk {
        for node in list {
            self.walk(dot, node)?;
        }
        Ok(())
    }

    fn walk(&mut self, dot: &Ev, node: &'t Node) -> Walk {
        self.at = At::Node(node);
        match node {
            Node::Text(_, text) => self.write(text)?,
            Node::Action(pipe) => {
                // Variables declared here persist until the enclosing end.
                let val = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    self.at = At::Node(node);
                    self.print_value(&val)?;
                }
            }
            Node::If(b) => self.walk_if_with(dot, b, false)?,
            Node::With(b) => self.walk_if_with(dot, b, true)?,
            Node::Range(b) => self.walk_range(dot, node, b)?,
            Node::Template(t) => self.walk_template(dot, node, t)?,
            Node::Break(_) => return Err(Exit::Break),
            Node::Continue(_) => return Err(Exit::Continue),
        }
        Ok(())
    }

    fn print_value(&mut self, v: &Ev) -> Result<()> {
        match &v.v {
            Value::Nil => self.write("<no value>"),
            Value::String(s) => self.write(s),
            Value::Func(f) => Err(self.errorf(format_args!(
                "can't print {} of type {}",
                self.at.context(),
                f.signature()
            ))),
            // text/template prints what a pointer points to (printableValue's indirect):
            // `{a b}` where `print` and `printf "%v"` give `&{a b}`.
            Value::Object(o) if o.type_name().starts_with('*') => {
                let mut buf = std::mem::take(self.out);
                crate::fmt::write_pointee(&mut buf, o.as_ref());
                *self.out = buf;
                self.write("")
            }
            other => {
                let mut buf = std::mem::take(self.out);
                crate::fmt::write_value(&mut buf, other);
                *self.out = buf;
                self.write("")
            }
        }
    }

    fn walk_if_with(&mut self, dot: &Ev, b: &'t Branch, with: bool) -> Walk {
        self.check_stack()?;
        let mark = self.vars.len();
        let r = (|| {
            let val = self.eval_pipeline(dot, &b.pipe)?;
            if val.v.truth() {
                if with {
                    self.walk_list(&val, &b.list)
                } else {
                    self.walk_list(dot, &b.list)
                }
            } else if let Some(e) = &b.else_list {
                self.walk_list(dot, e)
            } else {
                Ok(())
            }
        })();
        self.vars.truncate(mark);
        r
    }

    fn walk_range(&mut self, dot: &Ev, node: &'t Node, r: &'t Branch) -> Walk {
        self.at = At::Node(node);
        self.check_stack()?;
        let outer = self.vars.len();
        let result = self.walk_range_inner(dot, r);
        self.vars.truncate(outer);
        result
    }

    fn walk_range_inner(&mut self, dot: &Ev, r: &'t Branch) -> Walk {
        let val = self.eval_pipeline(dot, &r.pipe)?;
        let mark = self.vars.len();
        let ndecl = r.pipe.decl.len();
        // One iteration: returns false to stop (break).
        let one = |s: &mut Self, index: Ev, elem: Ev| -> std::result::Result<bool, Exit> {
            if ndecl > 0 {
                if r.pipe.is_assign {
                    let v = if ndecl > 1 {
                        index.clone()
                    } else {
                        elem.clone()
                    };
                    s.set_var(&r.pipe.decl[0].1, v)?;
                } else {
                    s.vars[mark - 1].1 = elem.clone();
                }
            }
            if ndecl > 1 {
                if r.pipe.is_assign {
                    s.set_var(&r.pipe.decl[1].1, elem.clone())?;
                } else {
                    s.vars[mark - 2].1 = index;
                }
            }
            let res = s.walk_list(&elem, &r.list);
            s.vars.truncate(mark);
            match res {
                Ok(()) | Err(Exit::Continue) => Ok(true),
                Err(Exit::Break) => Ok(false),
                Err(e) => Err(e),
            }
        };
        let mut ran = false;
        match &val.v {
            Value::Int(..) | Value::Uint(..) => {
                if ndecl > 1 {
                    return Err(self
                        .errorf(format_args!(
                            "can't use {} to iterate over more than one variable",
                            val.v
                        ))
                        .into());
                }
                let n: u64 = match &val.v {
                    Value::Int(i, _) => (*i).max(0) as u64,
                    Value::Uint(u, _) => *u,
                    _ => 0,
                };
                for i in 0..n {
                    ran = true;
                    let v = match &val.v {
                        Value::Int(_, k) => Value::Int(i as i64, *k),
                        Value::Uint(_, k) => Value::Uint(i, *k),
                        _ => unreachable!(),
                    };
                    if !one(self, Ev::plain(Value::Nil), Ev::plain(v))? {
                        break;
                    }
                }
            }
            Value::List(l) => {
                let iface = *l.elem() == Type::Interface;
                for (i, item) in l.iter().enumerate() {
                    ran = true;
                    let elem = Ev {
                        v: item.clone(),
                        iface,
                    };
                    if !one(self, Ev::plain(Value::int(i as i64)), elem)? {
                        break;
                    }
                }
            }
            Value::Bytes(b) => {
                for (i, byte) in b.iter().enumerate() {
                    ran = true;
                    let elem = Ev::plain(Value::Uint(*byte as u64, crate::UintKind::Uint8));
                    if !one(self, Ev::plain(Value::int(i as i64)), elem)? {
                        break;
                    }
                }
            }
            Value::Map(m) => {
                let iface = *m.elem() == Type::Interface;
                // A snapshot: the body may modify the map (Sprig's `set`).
                for (k, item) in m.entries() {
                    ran = true;
                    let elem = Ev { v: item, iface };
                    if !one(self, Ev::plain(Value::String(k)), elem)? {
                        break;
                    }
                }
            }
            Value::Nil => {}
            Value::Object(o) if o.as_list().is_some() => {
                let items = o.as_list().map(|l| l.items().to_vec()).unwrap_or_default();
                for (i, item) in items.into_iter().enumerate() {
                    ran = true;
                    if !one(self, Ev::plain(Value::int(i as i64)), Ev::plain(item))? {
                        break;
                    }
                }
            }
            Value::Func(_)
            | Value::Object(_)
            | Value::Bool(_)
            | Value::Float(..)
            | Value::String(_) => {
                return Err(self
                    .errorf(format_args!("range can't iterate over {}", val.v))
                    .into());
            }
        }
        if !ran && let Some(e) = &r.else_list {
            self.walk_list(dot, e)?;
        }
        Ok(())
    }

    fn walk_template(&mut self, dot: &Ev, node: &'t Node, t: &'t TemplateCall) -> Walk {
        self.at = At::Node(node);
        let Some(tree) = self.tmpl.tree(&t.name) else {
            return Err(self
                .errorf(format_args!(
                    "template {} not defined",
                    crate::fmt::quote(&t.name)
                ))
                .into());
        };
        let max = self.tmpl.limits().max_depth;
        if self.depth >= max {
            return Err(self
                .limit_error(format_args!("exceeded maximum template depth ({max})"))
                .into());
        }
        self.check_stack()?;
        let new_dot = match &t.pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Ev::plain(Value::Nil),
        };
        let saved = (self.name, self.tree, self.var_base, self.at);
        let mark = self.vars.len();
        self.name = &tree.name;
        self.tree = tree;
        self.depth += 1;
        self.var_base = mark;
        self.vars.push((dollar(), new_dot.clone()));
        let r = self.walk_list(&new_dot, &tree.root);
        self.vars.truncate(mark);
        self.depth -= 1;
        (self.name, self.tree, self.var_base, self.at) = saved;
        match r {
            Err(Exit::Break | Exit::Continue) => Ok(()),
            other => other,
        }
    }

    fn var_value(&self, name: &Str) -> Result<Ev> {
        // The parser interns variable names, so a pointer comparison usually decides.
        for (n, v) in self.vars[self.var_base..].iter().rev() {
            if Arc::ptr_eq(n, name) || **n == **name {
                return Ok(v.clone());
            }
        }
        Err(self.errorf(format_args!("undefined variable: {name}")))
    }

    fn set_var(&mut self, name: &str, value: Ev) -> Result<()> {
        let base = self.var_base;
        for (n, v) in self.vars[base..].iter_mut().rev() {
            if **n == *name {
                *v = value;
                return Ok(());
            }
        }
        Err(self.errorf(format_args!("undefined variable: {name}")))
    }

    fn eval_pipeline(&mut self, dot: &Ev, pipe: &'t Pipe) -> Result<Ev> {
        self.at = At::Pipe(pipe);
        self.check_stack()?;
        let mut value: Option<Ev> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            value = Some(v.dig());
        }
        let value = value.unwrap_or_else(|| Ev::plain(Value::Nil));
        for (_, name) in &pipe.decl {
            if pipe.is_assign {
                self.set_var(name, value.clone())?;
            } else {
                self.vars.push((name.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], has_final: bool) -> Result<()> {
        if args.len() > 1 || has_final {
            return Err(self.errorf(format_args!(
                "can't give argument to non-function {}",
                args[0]
            )));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Ev, cmd: &'t Command, fin: Option<Ev>) -> Result<Ev> {
        let first = &cmd.args[0];
        match first {
            Arg::Field(_, idents) => {
                self.at = At::Arg(first);
                return self.eval_field_chain(dot, dot, first, idents, &cmd.args, fin);
            }
            Arg::Chain(_, node, fields) => {
                return self.eval_chain(dot, first, node, fields, &cmd.args, fin);
            }
            Arg::Identifier(_, name) => {
                return self.eval_function(dot, first, name, cmd, &cmd.args, fin);
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, fin.is_some())?;
                return self.eval_pipeline(dot, p);
            }
            Arg::Variable(_, idents) => {
                return self.eval_variable(dot, first, idents, &cmd.args, fin);
            }
            _ => {}
        }
        self.at = At::Arg(first);
        self.not_a_function(&cmd.args, fin.is_some())?;
        match first {
            Arg::Bool(_, b) => Ok(Ev::plain(Value::Bool(*b))),
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Nil(_) => Err(self.errorf("nil is not a command")),
            Arg::Number(_, n) => self.ideal_constant(first, n).map(Ev::plain),
            Arg::String(_, _, v) => Ok(Ev::plain(v.clone())),
            _ => unreachable!("handled above"),
        }
    }

    fn ideal_constant(&mut self, node: &'t Arg, n: &Number) -> Result<Value> {
        self.at = At::Arg(node);
        if n.is_complex {
            return Err(self.errorf(format_args!(
                "complex number constants are not supported: {}",
                n.text
            )));
        }
        if n.is_float
            && !is_hex_int(&n.text)
            && !n.text.starts_with('\'')
            && n.text.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return Ok(Value::float(n.float));
        }
        if n.is_int {
            return Ok(Value::int(n.int));
        }
        if n.is_uint {
            return Err(self.errorf(format_args!("{} overflows int", n.text)));
        }
        Ok(Value::Nil)
    }

    fn eval_chain(
        &mut self,
        dot: &Ev,
        chain: &'t Arg,
        node: &'t Arg,
        fields: &'t [Str],
        args: &'t [Arg],
        fin: Option<Ev>,
    ) -> Result<Ev> {
        self.at = At::Arg(chain);
        if let Arg::Nil(_) = node {
            return Err(self.errorf(format_args!("indirection through explicit nil in {chain}")));
        }
        let pipe = self.eval_operand(dot, node)?;
        self.eval_field_chain(dot, &pipe, chain, fields, args, fin)
    }

    fn eval_variable(
        &mut self,
        dot: &Ev,
        node: &'t Arg,
        idents: &'t [Str],
        args: &'t [Arg],
        fin: Option<Ev>,
    ) -> Result<Ev> {
        self.at = At::Arg(node);
        let value = self.var_value(&idents[0])?;
        if idents.len() == 1 {
            self.not_a_function(args, fin.is_some())?;
            return Ok(value);
        }
        self.eval_field_chain(dot, &value, node, &idents[1..], args, fin)
    }

    fn eval_field_chain(
        &mut self,
        dot: &Ev,
        receiver: &Ev,
        node: &'t Arg,
        idents: &'t [Str],
        args: &'t [Arg],
        fin: Option<Ev>,
    ) -> Result<Ev> {
        let n = idents.len();
        if n == 1 {
            return self.eval_field(dot, &idents[0], node, args, fin, receiver);
        }
        let mut cur = self.eval_field(dot, &idents[0], node, &[], None, receiver)?;
        for ident in &idents[1..n - 1] {
            cur = self.eval_field(dot, ident, node, &[], None, &cur)?;
        }
        self.eval_field(dot, &idents[n - 1], node, args, fin, &cur)
    }

    fn eval_function(
        &mut self,
        dot: &Ev,
        node: &'t Arg,
        name: &'t str,
        cmd: &'t Command,
        args: &'t [Arg],
        fin: Option<Ev>,
    ) -> Result<Ev> {
        self.at = At::Arg(node);
        let tmpl: &'t Template = self.tmpl;
        let (f, builtin): (&'t Function, bool) = match tmpl.func_map().get(name) {
            Some(f) => (f, false),
            None => match crate::builtins::builtin(name) {
                Some(f) => (f, true),
                None => {
                    return Err(self.errorf(format_args!(
                        "{} is not a defined function",
                        crate::fmt::quote(name)
                    )));
                }
            },
        };
        self.eval_call(dot, f, builtin, At::Cmd(cmd), name, args, fin, None)
    }

    fn eval_field(
        &mut self,
        dot: &Ev,
        field: &'t str,
        node: &'t Arg,
        args: &'t [Arg],
        fin: Option<Ev>,
        receiver: &Ev,
    ) -> Result<Ev> {
        if !receiver.is_valid() {
            if self.tmpl.missing_key() == MissingKey::Error {
                return Err(self.errorf(format_args!(
                    "nil data; no entry for key {}",
                    crate::fmt::quote(field)
                )));
            }
            return Ok(Ev::plain(Value::Nil));
        }
        let typ = || receiver.type_name();
        let has_args = args.len() > 1 || fin.is_some();
        match &receiver.v {
            Value::Nil => {
                // A nil interface.
                Err(self.errorf(format_args!("nil pointer evaluating {}.{field}", typ())))
            }
            Value::Map(m) => {
                if has_args {
                    return Err(
                        self.errorf(format_args!("{field} is not a method but has arguments"))
                    );
                }
                let iface = *m.elem() == Type::Interface;
                match m.get(field) {
                    Some(v) => Ok(Ev { v, iface }),
                    None => match self.tmpl.missing_key() {
                        MissingKey::Default => Ok(Ev::plain(Value::Nil)),
                        MissingKey::Zero => Ok(Ev {
                            v: m.elem().zero(),
                            iface,
                        }),
                        MissingKey::Error => Err(self.errorf(format_args!(
                            "map has no entry for key {}",
                            crate::fmt::quote(field)
                        ))),
                    },
                }
            }
            Value::Object(o) => {
                if let Some(sig) = o.method(field) {
                    let f = Function::with_signature(sig, |_, _| Ok(Value::Nil));
                    let obj = o.clone();
                    return self.eval_call(
                        dot,
                        &f,
                        false,
                        At::Arg(node),
                        field,
                        args,
                        fin,
                        Some(&obj),
                    );
                }
                if let Some(v) = o.field(field) {
                    if has_args {
                        return Err(self.errorf(format_args!(
                            "{field} has arguments but cannot be invoked as function"
                        )));
                    }
                    return Ok(Ev::plain(v));
                }
                if !o.truth() && o.type_name().starts_with('*') {
                    return Err(
                        self.errorf(format_args!("nil pointer evaluating {}.{field}", typ()))
                    );
                }
                Err(self.errorf(format_args!(
                    "can't evaluate field {field} in type {}",
                    typ()
                )))
            }
            _ => Err(self.errorf(format_args!(
                "can't evaluate field {field} in type {}",
                typ()
            ))),
        }
    }

    /// Go's `evalCall`. `node` is where "error calling" is reported; `receiver` is set for
    /// methods.
    #[allow(clippy::too_many_arguments)]
    fn eval_call(
        &mut self,
        dot: &Ev,
        f: &Function,
        builtin: bool,
        node: At<'t>,
        name: &str,
        args: &'t [Arg],
        fin: Option<Ev>,
        receiver: Option<&Arc<dyn crate::Object>>,
    ) -> Result<Ev> {
        // The first word is the function's name, not an argument.
        let args = if args.is_empty() { args } else { &args[1..] };
        let sig = f.signature();
        let params = sig.params();
        let num_in = args.len() + usize::from(fin.is_some());
        let num_fixed = if sig.variadic_elem().is_some() {
            if num_in < params.len() {
                return Err(self.errorf(format_args!(
                    "wrong number of args for {name}: want at least {} got {}",
                    params.len(),
                    args.len()
                )));
            }
            params.len()
        } else {
            if num_in != params.len() {
                return Err(self.errorf(format_args!(
                    "wrong number of args for {name}: want {} got {num_in}",
                    params.len()
                )));
            }
            args.len()
        };

        if builtin && (name == "and" || name == "or") {
            let want = name == "or";
            let mut v = Ev::plain(Value::Nil);
            for arg in args {
                v = Ev::plain(self.eval_arg(dot, Some(&Type::Interface), arg)?);
                if v.v.truth() == want {
                    return Ok(v);
                }
            }
            if let Some(fin) = fin {
                v = Ev::plain(self.validate_type(fin, &Type::Interface)?);
            }
            return Ok(v);
        }

        let mut argv: Vec<Value> = self.arg_bufs.pop().unwrap_or_default();
        let mut i = 0;
        while i < num_fixed && i < args.len() {
            argv.push(self.eval_arg(dot, Some(&params[i]), &args[i])?);
            i += 1;
        }
        if let Some(elem) = sig.variadic_elem() {
            while i < args.len() {
                argv.push(self.eval_arg(dot, Some(elem), &args[i])?);
                i += 1;
            }
        }
        if let Some(fin) = fin {
            let t = match sig.variadic_elem() {
                Some(elem) if num_in > num_fixed => elem,
                _ => &params[num_in - 1],
            };
            argv.push(self.validate_type(fin, t)?);
        }

        let result = if builtin && name == "call" {
            let callee = match args.first() {
                Some(a) => a.to_string(),
                None => format!("<{} Value>", argv[0].type_name()),
            };
            self.call_value(&callee, &argv)
        } else {
            let mut cx = CallContext {
                tmpl: self.tmpl,
                depth: self.depth,
                name,
                stack_base: Some(self.stack_base),
            };
            match receiver {
                Some(obj) => safe_call(|| obj.call_method(name, &argv, &mut cx)),
                None => safe_call(|| f.call_unchecked(&mut cx, &argv)),
            }
        };
        argv.clear();
        self.arg_bufs.push(argv);
        match result {
            Ok(v) => Ok(Ev {
                iface: *sig.result() == Type::Interface && v.is_nil(),
                v,
            }),
            Err(e) => {
                self.at = node;
                Err(self.errorf(format_args!("error calling {name}: {e}")))
            }
        }
    }

    /// The `call` builtin.
    fn call_value(&mut self, name: &str, argv: &[Value]) -> std::result::Result<Value, FuncError> {
        let f = match &argv[0] {
            Value::Nil => return Err("call of nil".into()),
            Value::Func(f) => f.clone(),
            other => {
                return Err(format!("non-function {name} of type {}", other.type_name()).into());
            }
        };
        let args = &argv[1..];
        let sig = f.signature();
        let num_in = sig.params().len();
        if sig.variadic_elem().is_some() {
            if args.len() < num_in {
                return Err(format!(
                    "wrong number of args for {name}: got {} want at least {num_in}",
                    args.len()
                )
                .into());
            }
        } else if args.len() != num_in {
            return Err(format!(
                "wrong number of args for {name}: got {} want {num_in}",
                args.len()
            )
            .into());
        }
        let mut prepared = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            let t = sig
                .params()
                .get(i)
                .or(sig.variadic_elem())
                .expect("count checked");
            prepared.push(
                crate::builtins::prepare_arg(a, t)
                    .map_err(|e| FuncError::new(format!("arg {i}: {e}")))?,
            );
        }
        let mut cx = CallContext {
            tmpl: self.tmpl,
            depth: self.depth,
            name,
            stack_base: Some(self.stack_base),
        };
        safe_call(|| f.call_unchecked(&mut cx, &prepared))
    }

    /// Go's `validateType`: a computed value passed to a parameter of type `t`.
    fn validate_type(&self, value: Ev, t: &Type) -> Result<Value> {
        if !value.is_valid() {
            // A nil map, slice or pointer arrives as nil: Go's nil map reads as empty but
            // refuses writes, which the function decides.
            if t.can_be_nil() {
                return Ok(Value::Nil);
            }
            return Err(self.errorf(format_args!("invalid value; expected {t}")));
        }
        if *t == Type::Interface {
            return Ok(value.v);
        }
        if value.v.is_nil() {
            // A nil interface is not assignable to a concrete type.
            return Err(self.errorf(format_args!(
                "wrong type for value; expected {t}; got interface {{}}"
            )));
        }
        if value.v.go_type().as_ref() == Some(t) {
            return Ok(value.v);
        }
        if let (Value::Object(o), Type::Named(n)) = (&value.v, t) {
            // A pointer receiver where the value type is wanted, and the reverse, are
            // what Go's automatic (de)referencing allows.
            let on = o.type_name();
            if on.strip_prefix('*') == Some(&**n) || n.strip_prefix('*') == Some(on) {
                return Ok(value.v);
            }
        }
        Err(self.errorf(format_args!(
            "wrong type for value; expected {t}; got {}",
            value.v.type_name()
        )))
    }

    /// The operand of a chain `(x).F`, as Go's `evalArg` with no type: unconverted.
    fn eval_operand(&mut self, dot: &Ev, n: &'t Arg) -> Result<Ev> {
        self.at = At::Arg(n);
        match n {
            Arg::Pipe(p) => self.eval_pipeline(dot, p),
            Arg::Identifier(_, name) => self.eval_function_arg(dot, n, name),
            Arg::Chain(_, node, fields) => self.eval_chain(dot, n, node, fields, &[], None),
            _ => self.eval_arg(dot, None, n).map(Ev::plain),
        }
    }

    /// Go's `evalArg`: an argument node evaluated for a parameter of type `t` (`None`:
    /// any value).
    fn eval_arg(&mut self, dot: &Ev, t: Option<&Type>, n: &'t Arg) -> Result<Value> {
        self.at = At::Arg(n);
        let any = Type::Interface;
        let typ = t.unwrap_or(&any);
        match n {
            Arg::Dot(_) => return self.validate_type(dot.clone(), typ),
            Arg::Nil(_) => {
                if typ.can_be_nil() {
                    return Ok(Value::Nil);
                }
                return Err(self.errorf(format_args!("cannot assign nil to {typ}")));
            }
            Arg::Field(_, idents) => {
                let v =
                    self.eval_field_chain(dot, dot, n, idents, std::slice::from_ref(n), None)?;
                return self.validate_type(v, typ);
            }
            Arg::Variable(_, idents) => {
                let v = self.eval_variable(dot, n, idents, &[], None)?;
                return self.validate_type(v, typ);
            }
            Arg::Pipe(p) => {
                let v = self.eval_pipeline(dot, p)?;
                return self.validate_type(v, typ);
            }
            Arg::Identifier(_, name) => {
                let v = self.eval_function_arg(dot, n, name)?;
                return self.validate_type(v, typ);
            }
            Arg::Chain(_, node, fields) => {
                let v = self.eval_chain(dot, n, node, fields, &[], None)?;
                return self.validate_type(v, typ);
            }
            _ => {}
        }
        match typ {
            Type::Bool => match n {
                Arg::Bool(_, b) => Ok(Value::Bool(*b)),
                _ => Err(self.errorf(format_args!("expected bool; found {n}"))),
            },
            Type::Float(k) => match n {
                Arg::Number(_, num) if num.is_float => Ok(Value::Float(num.float, *k)),
                _ => Err(self.errorf(format_args!("expected float; found {n}"))),
            },
            Type::Int(k) => match n {
                Arg::Number(_, num) if num.is_int => Ok(Value::Int(k.wrap(num.int), *k)),
                _ => Err(self.errorf(format_args!("expected integer; found {n}"))),
            },
            Type::Uint(k) => match n {
                Arg::Number(_, num) if num.is_uint => Ok(Value::Uint(k.wrap(num.uint), *k)),
                _ => Err(self.errorf(format_args!("expected unsigned integer; found {n}"))),
            },
            Type::String => match n {
                Arg::String(_, _, v) => Ok(v.clone()),
                _ => Err(self.errorf(format_args!("expected string; found {n}"))),
            },
            Type::Interface => match n {
                Arg::Bool(_, b) => Ok(Value::Bool(*b)),
                Arg::Number(_, num) => self.ideal_constant(n, num),
                Arg::String(_, _, v) => Ok(v.clone()),
                _ => Err(self.errorf(format_args!(
                    "can't handle assignment of {n} to empty interface argument"
                ))),
            },
            _ => Err(self.errorf(format_args!("can't handle {n} for arg of type {typ}"))),
        }
    }

    fn eval_function_arg(&mut self, dot: &Ev, node: &'t Arg, name: &'t str) -> Result<Ev> {
        self.at = At::Arg(node);
        let tmpl: &'t Template = self.tmpl;
        let (f, builtin): (&'t Function, bool) = match tmpl.func_map().get(name) {
            Some(f) => (f, false),
            None => match crate::builtins::builtin(name) {
                Some(f) => (f, true),
                None => {
                    return Err(self.errorf(format_args!(
                        "{} is not a defined function",
                        crate::fmt::quote(name)
                    )));
                }
            },
        };
        self.eval_call(dot, f, builtin, At::Arg(node), name, &[], None, None)
    }
}

/// Runs a function body, turning a panic into an error as Go's `safeCall` does.
fn safe_call(
    f: impl FnOnce() -> std::result::Result<Value, FuncError>,
) -> std::result::Result<Value, FuncError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = if let Some(s) = payload.downcast_ref::<&str>() {
                s.to_string()
            } else if let Some(s) = payload.downcast_ref::<String>() {
                s.clone()
            } else {
                "panic in template function".to_string()
            };
            Err(FuncError::new(msg))
        }
    }
}
