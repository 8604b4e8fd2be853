//! The parser: items to Go's parse tree (`text/template/parse`), with its error texts.
//!
//! Each tree keeps the whole text it was parsed from and the name of that parse, so that
//! execution errors can point at `file:line:col` as Go does, even inside `{{define}}`s.

use std::fmt;
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::lex::{Item, ItemType, Lexer};
use crate::template::Template;
use crate::value::{Str, Value};

/// Parenthesized pipelines and control structures may nest this deeply; Go allows 10000
/// parentheses (and unbounded control nesting), which would overflow the stack here.
pub(crate) const MAX_NESTING: usize = 1000;

pub(crate) struct Tree {
    pub name: Str,
    pub parse_name: Str,
    pub text: Arc<str>,
    pub root: Arc<[Node]>,
}

impl Tree {
    /// Go's `IsEmptyTree`: only whitespace text (and comments).
    pub(crate) fn is_empty(&self) -> bool {
        self.root.iter().all(|n| match n {
            Node::Text(_, t) => t.trim_ascii().is_empty(),
            _ => false,
        })
    }

    /// The same tree under another template name; `{{template}}` calls inside still
    /// refer to the names they were written with.
    pub(crate) fn renamed(&self, name: &str) -> Tree {
        Tree {
            name: Str::from(name),
            parse_name: self.parse_name.clone(),
            text: self.text.clone(),
            root: self.root.clone(),
        }
    }

    /// `NAME:LINE:COL` of a byte offset, as Go's `ErrorContext`.
    pub(crate) fn location(&self, pos: usize) -> String {
        let text = &self.text[..pos.min(self.text.len())];
        let (line, col) = match text.rfind('\n') {
            Some(nl) => (1 + text.matches('\n').count(), pos - (nl + 1)),
            None => (1, pos),
        };
        format!("{}:{}:{}", self.parse_name, line, col)
    }
}

pub(crate) enum Node {
    Text(usize, Box<str>),
    Action(Pipe),
    If(Box<Branch>),
    Range(Box<Branch>),
    With(Box<Branch>),
    Template(Box<TemplateCall>),
    Break(usize),
    Continue(usize),
}

pub(crate) struct Branch {
    pub pos: usize,
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

pub(crate) struct TemplateCall {
    pub pos: usize,
    pub name: Str,
    pub pipe: Option<Pipe>,
}

pub(crate) struct Pipe {
    pub pos: usize,
    pub is_assign: bool,
    pub decl: Vec<(usize, Str)>,
    pub cmds: Vec<Command>,
}

pub(crate) struct Command {
    pub pos: usize,
    pub args: Vec<Arg>,
}

pub(crate) enum Arg {
    Field(usize, Box<[Str]>),
    /// `$x.a.b`: the variable name (with `$`) first.
    Variable(usize, Box<[Str]>),
    Chain(usize, Box<Arg>, Box<[Str]>),
    Identifier(usize, Str),
    Dot(usize),
    Nil(usize),
    Bool(usize, bool),
    Number(usize, Box<Number>),
    /// The quoted text and the value.
    String(usize, Str, Value),
    Pipe(Box<Pipe>),
}

/// A number constant, with every interpretation its text allows (Go's `NumberNode`).
pub(crate) struct Number {
    pub text: Str,
    pub is_int: bool,
    pub is_uint: bool,
    pub is_float: bool,
    /// A complex constant. Go evaluates these as `complex128`; here that is an error.
    pub is_complex: bool,
    pub int: i64,
    pub uint: u64,
    pub float: f64,
}

impl Arg {
    pub(crate) fn pos(&self) -> usize {
        match self {
            Arg::Field(p, _)
            | Arg::Variable(p, _)
            | Arg::Chain(p, _, _)
            | Arg::Identifier(p, _)
            | Arg::Dot(p)
            | Arg::Nil(p)
            | Arg::Bool(p, _)
            | Arg::Number(p, _)
            | Arg::String(p, _, _) => *p,
            Arg::Pipe(p) => p.pos,
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field(_, idents) => {
                for id in idents.iter() {
                    write!(f, ".{id}")?;
                }
                Ok(())
            }
            Arg::Variable(_, idents) => f.write_str(&idents.join(".")),
            Arg::Chain(_, node, fields) => {
                if let Arg::Pipe(p) = &**node {
                    write!(f, "({p})")?;
                } else {
                    write!(f, "{node}")?;
                }
                for id in fields.iter() {
                    write!(f, ".{id}")?;
                }
                Ok(())
            }
            Arg::Identifier(_, name) => f.write_str(name),
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => f.write_str(&n.text),
            Arg::String(_, quoted, _) => f.write_str(quoted),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Arg::Pipe(p) = arg {
                write!(f, "({p})")?;
            } else {
                write!(f, "{arg}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, (_, v)) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(v)?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, list: &[Node]) -> fmt::Result {
    for n in list {
        write!(f, "{n}")?;
    }
    Ok(())
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let branch = |f: &mut fmt::Formatter<'_>, name: &str, b: &Branch| -> fmt::Result {
            write!(f, "{{{{{name} {}}}}}", b.pipe)?;
            write_list(f, &b.list)?;
            if let Some(e) = &b.else_list {
                f.write_str("{{else}}")?;
                write_list(f, e)?;
            }
            f.write_str("{{end}}")
        };
        match self {
            Node::Text(_, t) => f.write_str(t),
            Node::Action(p) => write!(f, "{{{{{p}}}}}"),
            Node::If(b) => branch(f, "if", b),
            Node::Range(b) => branch(f, "range", b),
            Node::With(b) => branch(f, "with", b),
            Node::Template(t) => {
                write!(f, "{{{{template {}", crate::fmt::quote(&t.name))?;
                if let Some(p) = &t.pipe {
                    write!(f, " {p}")?;
                }
                f.write_str("}}")
            }
            Node::Break(_) => f.write_str("{{break}}"),
            Node::Continue(_) => f.write_str("{{continue}}"),
        }
    }
}

/// What `itemList` stopped at.
enum ListEnd {
    End,
    Else,
}

struct Parser<'a, 't> {
    items: Vec<Item<'a>>,
    /// The lexer's error message, when its last item is an error.
    lex_error: Box<str>,
    /// Next item to read.
    cur: usize,
    /// The furthest item read so far: Go reports parse errors at its line.
    furthest: usize,
    parse_name: Str,
    text: Arc<str>,
    tmpl: &'t Template,
    vars: Vec<Str>,
    range_depth: usize,
    depth: usize,
    action_line: usize,
    trees: Vec<Tree>,
    stack_base: usize,
    max_stack: usize,
    /// One shared string per variable name, so execution compares names by pointer.
    var_names: std::collections::HashMap<&'a str, Str>,
}

type PResult<T> = std::result::Result<T, Error>;

/// Parses `text` as template `name`; returns its tree and those of its `{{define}}`s and
/// `{{block}}`s.
pub(crate) fn parse(name: &str, text: &str, tmpl: &Template) -> Result<Vec<Tree>> {
    let set = &tmpl.set;
    let (left, right) = (
        set.left_delim.as_deref().unwrap_or(""),
        set.right_delim.as_deref().unwrap_or(""),
    );
    let has = |n: &str| set.funcs.contains(n);
    let lexed = Lexer::new(text, left, right, !has("break"), !has("continue")).run();
    let mut p = Parser {
        items: lexed.items,
        lex_error: lexed.error.unwrap_or_default(),
        cur: 0,
        furthest: 0,
        parse_name: Str::from(name),
        text: Arc::from(text),
        tmpl,
        vars: vec![crate::exec::dollar()],
        range_depth: 0,
        depth: 0,
        action_line: 0,
        trees: Vec::new(),
        stack_base: crate::exec::stack_addr(),
        max_stack: tmpl.limits().max_stack,
        var_names: std::collections::HashMap::from([("$", crate::exec::dollar())]),
    };
    let root = p.parse_top()?;
    let tree = Tree {
        name: Str::from(name),
        parse_name: p.parse_name.clone(),
        text: p.text.clone(),
        root: root.into(),
    };
    p.add(tree)?;
    Ok(p.trees)
}

impl<'a> Parser<'a, '_> {
    fn next(&mut self) -> Item<'a> {
        let i = self.cur.min(self.items.len() - 1);
        self.cur = i + 1;
        self.furthest = self.furthest.max(i);
        self.items[i]
    }

    fn backup(&mut self) {
        self.cur -= 1;
    }

    fn peek(&mut self) -> Item<'a> {
        let it = self.next();
        self.backup();
        it
    }

    fn next_non_space(&mut self) -> Item<'a> {
        loop {
            let it = self.next();
            if it.typ != ItemType::Space {
                return it;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item<'a> {
        let it = self.next_non_space();
        self.backup();
        it
    }

    fn errorf(&self, msg: impl fmt::Display) -> Error {
        let line = self.items[self.furthest.min(self.items.len() - 1)].line;
        Error::new(
            ErrorKind::Parse,
            format!("template: {}:{}: {}", self.parse_name, line, msg),
        )
    }

    fn unexpected(&self, token: &Item<'_>, context: &str) -> Error {
        if token.typ == ItemType::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != token.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if self.lex_error.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format_args!("{}{}", self.lex_error, extra));
        }
        self.errorf(format_args!("unexpected {token} in {context}"))
    }

    fn expect(&mut self, typ: ItemType, context: &str) -> PResult<Item<'a>> {
        let t = self.next_non_space();
        if t.typ != typ {
            return Err(self.unexpected(&t, context));
        }
        Ok(t)
    }

    fn intern(&mut self, name: &'a str) -> Str {
        self.var_names
            .entry(name)
            .or_insert_with(|| Str::from(name))
            .clone()
    }

    fn has_function(&self, name: &str) -> bool {
        self.tmpl.set.funcs.contains(name) || crate::builtins::is_builtin(name)
    }

    /// Go's `Tree.add`: a second non-empty definition in one parse is an error.
    fn add(&mut self, tree: Tree) -> PResult<()> {
        if let Some(i) = self.trees.iter().position(|t| t.name == tree.name) {
            if self.trees[i].is_empty() {
                self.trees[i] = tree;
                return Ok(());
            }
            if !tree.is_empty() {
                return Err(self.errorf(format_args!(
                    "template: multiple definition of template {}",
                    crate::fmt::quote(&tree.name)
                )));
            }
            return Ok(());
        }
        self.trees.push(tree);
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek().typ != ItemType::Eof {
            if self.peek().typ == ItemType::LeftDelim {
                let save = self.cur;
                self.next();
                if self.next_non_space().typ == ItemType::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.cur = save;
            }
            match self.text_or_action()? {
                Parsed::Node(n) => root.push(n),
                Parsed::End => return Err(self.errorf("unexpected {{end}}")),
                Parsed::Else => return Err(self.errorf("unexpected {{else}}")),
            }
        }
        Ok(root)
    }

    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let token = self.next_non_space();
        if token.typ != ItemType::String && token.typ != ItemType::RawString {
            return Err(self.unexpected(&token, CONTEXT));
        }
        let name = unquote(token.val).map_err(|e| self.errorf(e))?;
        self.expect(ItemType::RightDelim, CONTEXT)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec![crate::exec::dollar()]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        self.range_depth = saved_range;
        if !matches!(end, ListEnd::End) {
            return Err(self.errorf(format_args!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        let tree = Tree {
            name: Str::from(name),
            parse_name: self.parse_name.clone(),
            text: self.text.clone(),
            root: list.into(),
        };
        self.add(tree)
    }

    fn item_list(&mut self) -> PResult<(Vec<Node>, ListEnd)> {
        let mut list = Vec::new();
        while self.peek_non_space().typ != ItemType::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => list.push(n),
                Parsed::End => return Ok((list, ListEnd::End)),
                Parsed::Else => return Ok((list, ListEnd::Else)),
            }
        }
        Err(self.errorf("unexpected EOF"))
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Text => Ok(Parsed::Node(Node::Text(token.pos, token.val.into()))),
            ItemType::LeftDelim => {
                self.action_line = token.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            _ => Err(self.unexpected(&token, "input")),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let token = self.next_non_space();
        match token.typ {
            ItemType::Block => return self.block_control().map(Parsed::Node),
            ItemType::Break => {
                return self
                    .break_continue(token.pos, "{{break}}")
                    .map(|()| Parsed::Node(Node::Break(token.pos)));
            }
            ItemType::Continue => {
                return self
                    .break_continue(token.pos, "{{continue}}")
                    .map(|()| Parsed::Node(Node::Continue(token.pos)));
            }
            ItemType::Else => return self.else_control(),
            ItemType::End => {
                self.expect(ItemType::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            ItemType::If => return self.control("if").map(|b| Parsed::Node(Node::If(b))),
            ItemType::Range => {
                return self.control("range").map(|b| Parsed::Node(Node::Range(b)));
            }
            ItemType::Template => return self.template_control().map(Parsed::Node),
            ItemType::With => return self.control("with").map(|b| Parsed::Node(Node::With(b))),
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", ItemType::RightDelim)?;
        Ok(Parsed::Node(Node::Action(pipe)))
    }

    fn break_continue(&mut self, _pos: usize, what: &str) -> PResult<()> {
        let token = self.next_non_space();
        if token.typ != ItemType::RightDelim {
            return Err(self.unexpected(&token, what));
        }
        if self.range_depth == 0 {
            return Err(self.errorf(format_args!("{what} outside {{{{range}}}}")));
        }
        Ok(())
    }

    fn else_control(&mut self) -> PResult<Parsed> {
        let peek = self.peek_non_space();
        if peek.typ == ItemType::If || peek.typ == ItemType::With {
            return Ok(Parsed::Else);
        }
        self.expect(ItemType::RightDelim, "else")?;
        Ok(Parsed::Else)
    }

    fn enter(&mut self) -> PResult<()> {
        if self.depth >= MAX_NESTING
            || crate::exec::stack_addr().abs_diff(self.stack_base) > self.max_stack
        {
            return Err(self.errorf("max expression depth exceeded"));
        }
        self.depth += 1;
        Ok(())
    }

    fn control(&mut self, context: &str) -> PResult<Box<Branch>> {
        self.enter()?;
        let nvars = self.vars.len();
        let r = self.control_inner(context);
        self.vars.truncate(nvars);
        self.depth -= 1;
        r
    }

    fn control_inner(&mut self, context: &str) -> PResult<Box<Branch>> {
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, end) = r?;
        let mut else_list = None;
        if let ListEnd::Else = end {
            let peek = self.peek();
            if context == "if" && peek.typ == ItemType::If {
                self.next();
                let b = self.control("if")?;
                else_list = Some(vec![Node::If(b)]);
            } else if context == "with" && peek.typ == ItemType::With {
                self.next();
                let b = self.control("with")?;
                else_list = Some(vec![Node::With(b)]);
            } else {
                let (l, end) = self.item_list()?;
                if let ListEnd::Else = end {
                    return Err(self.errorf("expected end; found {{else}}"));
                }
                else_list = Some(l);
            }
        }
        Ok(Box::new(Branch {
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        }))
    }

    fn template_name(&mut self, token: &Item<'_>, context: &str) -> PResult<String> {
        match token.typ {
            ItemType::String | ItemType::RawString => {
                unquote(token.val).map_err(|e| self.errorf(e))
            }
            _ => Err(self.unexpected(token, context)),
        }
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, ItemType::RightDelim)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec![crate::exec::dollar()]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let r = self.item_list();
        self.vars = saved_vars;
        self.range_depth = saved_range;
        let (list, end) = r?;
        if let ListEnd::Else = end {
            return Err(self.errorf(format_args!("unexpected {{{{else}}}} in {CONTEXT}")));
        }
        let name = Str::from(name);
        self.add(Tree {
            name: name.clone(),
            parse_name: self.parse_name.clone(),
            text: self.text.clone(),
            root: list.into(),
        })?;
        Ok(Node::Template(Box::new(TemplateCall {
            pos: token.pos,
            name,
            pipe: Some(pipe),
        })))
    }

    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let token = self.next_non_space();
        let name = self.template_name(&token, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().typ != ItemType::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, ItemType::RightDelim)?);
        }
        Ok(Node::Template(Box::new(TemplateCall {
            pos: token.pos,
            name: Str::from(name),
            pipe,
        })))
    }

    fn pipeline(&mut self, context: &str, end: ItemType) -> PResult<Pipe> {
        let token = self.peek_non_space();
        let mut pipe = Pipe {
            pos: token.pos,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        // Declarations: `$x :=`, `$x =`, `$i, $v :=` (range only).
        'decls: loop {
            let v = self.peek_non_space();
            if v.typ != ItemType::Variable {
                break;
            }
            let save = self.cur;
            self.next_non_space();
            let after = self.peek();
            let next = self.peek_non_space();
            match next.typ {
                ItemType::Assign | ItemType::Declare => {
                    pipe.is_assign = next.typ == ItemType::Assign;
                    self.next_non_space();
                    let name = self.intern(v.val);
                    pipe.decl.push((v.pos, name.clone()));
                    self.vars.push(name);
                    break 'decls;
                }
                ItemType::Char if next.val == "," => {
                    self.next_non_space();
                    let name = self.intern(v.val);
                    pipe.decl.push((v.pos, name.clone()));
                    self.vars.push(name);
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().typ {
                            ItemType::Variable | ItemType::RightDelim | ItemType::RightParen => {
                                continue 'decls;
                            }
                            _ => return Err(self.errorf("range can only initialize variables")),
                        }
                    }
                    return Err(self.errorf(format_args!("too many declarations in {context}")));
                }
                _ => {
                    let _ = after;
                    self.cur = save;
                    break 'decls;
                }
            }
        }
        loop {
            let token = self.next_non_space();
            match token.typ {
                t if t == end => {
                    self.check_pipeline(&pipe, context)?;
                    return Ok(pipe);
                }
                ItemType::Bool
                | ItemType::CharConstant
                | ItemType::Complex
                | ItemType::Dot
                | ItemType::Field
                | ItemType::Identifier
                | ItemType::Number
                | ItemType::Nil
                | ItemType::RawString
                | ItemType::String
                | ItemType::Variable
                | ItemType::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return Err(self.unexpected(&token, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.errorf(format_args!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args[0],
                Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(..) | Arg::String(..)
            ) {
                return Err(self.errorf(format_args!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mut cmd = Command {
            pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let token = self.next();
            match token.typ {
                ItemType::Space => continue,
                ItemType::RightDelim | ItemType::RightParen => self.backup(),
                ItemType::Pipe => {}
                _ => return Err(self.unexpected(&token, "operand")),
            }
            break;
        }
        if cmd.args.is_empty() {
            return Err(self.errorf("empty command"));
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().typ == ItemType::Field {
            let pos = self.peek().pos;
            let mut fields: Vec<Str> = Vec::new();
            while self.peek().typ == ItemType::Field {
                let f = self.next();
                fields.push(Str::from(&f.val[1..]));
            }
            return Ok(Some(match node {
                Arg::Field(_, idents) => {
                    let mut all = idents.into_vec();
                    all.extend(fields);
                    Arg::Field(pos, all.into())
                }
                Arg::Variable(_, idents) => {
                    let mut all = idents.into_vec();
                    all.extend(fields);
                    Arg::Variable(pos, all.into())
                }
                Arg::Bool(..) | Arg::String(..) | Arg::Number(..) | Arg::Nil(_) | Arg::Dot(_) => {
                    return Err(self.errorf(format_args!(
                        "unexpected . after term {}",
                        crate::fmt::quote(&node.to_string())
                    )));
                }
                other => Arg::Chain(pos, Box::new(other), fields.into()),
            }));
        }
        Ok(Some(node))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let token = self.next_non_space();
        Ok(Some(match token.typ {
            ItemType::Identifier => {
                if !self.has_function(token.val) {
                    return Err(self.errorf(format_args!(
                        "function {} not defined",
                        crate::fmt::quote(token.val)
                    )));
                }
                Arg::Identifier(token.pos, Str::from(token.val))
            }
            ItemType::Dot => Arg::Dot(token.pos),
            ItemType::Nil => Arg::Nil(token.pos),
            ItemType::Variable => {
                let mut parts = token.val.split('.');
                let first = self.intern(parts.next().unwrap_or(""));
                let idents: Vec<Str> = std::iter::once(first).chain(parts.map(Str::from)).collect();
                if !self.vars.iter().any(|v| **v == *idents[0]) {
                    return Err(self.errorf(format_args!(
                        "undefined variable {}",
                        crate::fmt::quote(&idents[0])
                    )));
                }
                Arg::Variable(token.pos, idents.into())
            }
            ItemType::Field => Arg::Field(
                token.pos,
                token.val[1..].split('.').map(Str::from).collect(),
            ),
            ItemType::Bool => Arg::Bool(token.pos, token.val == "true"),
            ItemType::CharConstant | ItemType::Complex | ItemType::Number => {
                let n = new_number(token.val, token.typ).map_err(|e| self.errorf(e))?;
                Arg::Number(token.pos, Box::new(n))
            }
            ItemType::LeftParen => {
                self.enter()?;
                let r = self.pipeline("parenthesized pipeline", ItemType::RightParen);
                self.depth -= 1;
                Arg::Pipe(Box::new(r?))
            }
            ItemType::String | ItemType::RawString => {
                let s = unquote(token.val).map_err(|e| self.errorf(e))?;
                Arg::String(token.pos, Str::from(token.val), Value::string(s))
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

enum Parsed {
    Node(Node),
    End,
    Else,
}

/// Go's `strconv.Unquote` for `"..."`, `` `...` `` and `'x'`.
pub(crate) fn unquote(s: &str) -> std::result::Result<String, &'static str> {
    const SYNTAX: &str = "invalid syntax";
    let b = s.as_bytes();
    if b.len() < 2 {
        return Err(SYNTAX);
    }
    let q = b[0];
    if q != b[b.len() - 1] {
        return Err(SYNTAX);
    }
    let inner = &s[1..s.len() - 1];
    if q == b'`' {
        if inner.contains('`') {
            return Err(SYNTAX);
        }
        return Ok(inner.replace('\r', ""));
    }
    if q != b'"' && q != b'\'' {
        return Err(SYNTAX);
    }
    if inner.contains('\n') {
        return Err(SYNTAX);
    }
    // Most literals in charts have no escapes: Go's fast path.
    if q == b'"' && !inner.contains(['\\', '"']) {
        return Ok(inner.to_string());
    }
    let mut out: Vec<u8> = Vec::with_capacity(inner.len());
    let mut rest = inner;
    let mut n = 0;
    while !rest.is_empty() {
        if q == b'\'' && n > 0 {
            return Err(SYNTAX);
        }
        let (c, tail) = unquote_char(rest, q as char)?;
        match c {
            Unq::Char(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            Unq::Byte(b) => out.push(b),
        }
        n += 1;
        rest = tail;
    }
    if q == b'\'' && n != 1 {
        return Err(SYNTAX);
    }
    // Go strings may hold invalid UTF-8 (from \x escapes); ours cannot, and such bytes
    // become U+FFFD.
    Ok(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

enum Unq {
    Char(char),
    Byte(u8),
}

/// Go's `strconv.UnquoteChar`.
fn unquote_char(s: &str, quote: char) -> std::result::Result<(Unq, &str), &'static str> {
    const SYNTAX: &str = "invalid syntax";
    let mut chars = s.chars();
    let c = chars.next().ok_or(SYNTAX)?;
    if c == quote && (quote == '\'' || quote == '"') {
        return Err(SYNTAX);
    }
    if c != '\\' {
        return Ok((Unq::Char(c), chars.as_str()));
    }
    let e = chars.next().ok_or(SYNTAX)?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some('\u{7}'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\u{b}'),
        '\\' => Some('\\'),
        '\'' | '"' => {
            if e != quote {
                return Err(SYNTAX);
            }
            Some(e)
        }
        _ => None,
    };
    if let Some(c) = simple {
        return Ok((Unq::Char(c), rest));
    }
    match e {
        'x' | 'u' | 'U' => {
            let n = match e {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            if rest.len() < n || !rest.is_char_boundary(n) {
                return Err(SYNTAX);
            }
            let v = u32::from_str_radix(&rest[..n], 16).map_err(|_| SYNTAX)?;
            if rest[..n].starts_with(['+', '-']) {
                return Err(SYNTAX);
            }
            if e == 'x' {
                return Ok((Unq::Byte(v as u8), &rest[n..]));
            }
            let c = char::from_u32(v).ok_or(SYNTAX)?;
            Ok((Unq::Char(c), &rest[n..]))
        }
        '0'..='7' => {
            if rest.len() < 2 || !rest.is_char_boundary(2) {
                return Err(SYNTAX);
            }
            let digits = format!("{e}{}", &rest[..2]);
            if !digits.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return Err(SYNTAX);
            }
            let v = u32::from_str_radix(&digits, 8).map_err(|_| SYNTAX)?;
            if v > 255 {
                return Err(SYNTAX);
            }
            Ok((Unq::Byte(v as u8), &rest[2..]))
        }
        _ => Err(SYNTAX),
    }
}

/// Go's `newNumber`.
fn new_number(text: &str, typ: ItemType) -> std::result::Result<Number, String> {
    let mut n = Number {
        text: Str::from(text),
        is_int: false,
        is_uint: false,
        is_float: false,
        is_complex: false,
        int: 0,
        uint: 0,
        float: 0.0,
    };
    if typ == ItemType::CharConstant {
        let (c, tail) = unquote_char(&text[1..], '\'').map_err(|e| e.to_string())?;
        if tail != "'" {
            return Err(format!("malformed character constant: {text}"));
        }
        let v = match c {
            Unq::Char(c) => c as u32,
            Unq::Byte(b) => b as u32,
        };
        n.int = v as i64;
        n.uint = v as u64;
        n.float = v as f64;
        n.is_int = true;
        n.is_uint = true;
        n.is_float = true;
        return Ok(n);
    }
    // Complex constants parse as in Go (one with a zero imaginary part also converts to
    // float and integer parameters), but evaluating one as a complex128 fails (see
    // `Number::is_complex`): no chart computes with them.
    let complex = if typ == ItemType::Complex {
        let body = text
            .strip_suffix('i')
            .ok_or_else(|| format!("expected complex: {text}"))?;
        let split = body
            .char_indices()
            .skip(1)
            .filter(|&(i, c)| {
                matches!(c, '+' | '-')
                    && !matches!(body.as_bytes()[i - 1], b'e' | b'E' | b'p' | b'P')
            })
            .map(|(i, _)| i)
            .last()
            .ok_or_else(|| format!("expected complex: {text}"))?;
        let re = parse_float(&body[..split]).ok_or_else(|| format!("expected complex: {text}"))?;
        let im = parse_float(&body[split..]).ok_or_else(|| format!("expected complex: {text}"))?;
        Some((re, im))
    } else {
        text.strip_suffix('i')
            .and_then(parse_float)
            .map(|im| (0.0, im))
    };
    if let Some((re, im)) = complex {
        n.is_complex = true;
        if im == 0.0 {
            n.is_float = true;
            n.float = re;
            n.is_int = (re as i64) as f64 == re;
            n.int = re as i64;
            n.is_uint = re >= 0.0 && (re as u64) as f64 == re;
            n.uint = re as u64;
        }
        return Ok(n);
    }
    let u = parse_uint(text);
    if let Some(u) = u {
        n.is_uint = true;
        n.uint = u;
    }
    if let Some(i) = parse_int(text) {
        n.is_int = true;
        n.int = i;
        if i == 0 {
            n.is_uint = true;
            n.uint = u.unwrap_or(0);
        }
    }
    if n.is_int {
        n.is_float = true;
        n.float = n.int as f64;
    } else if n.is_uint {
        n.is_float = true;
        n.float = n.uint as f64;
    } else if let Some(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", crate::fmt::quote(text)));
        }
        n.is_float = true;
        n.float = f;
        if !n.is_int && (f as i64) as f64 == f && f.is_finite() {
            n.is_int = true;
            n.int = f as i64;
        }
        if !n.is_uint && (f as u64) as f64 == f && f >= 0.0 && f.is_finite() {
            n.is_uint = true;
            n.uint = f as u64;
        }
    }
    if !n.is_int && !n.is_uint && !n.is_float {
        return Err(format!(
            "illegal number syntax: {}",
            crate::fmt::quote(text)
        ));
    }
    Ok(n)
}

/// Digits of an integer literal with Go's base prefixes and underscores (`strconv`
/// base 0): `(radix, digits)`, or `None` when malformed.
fn int_literal(s: &str) -> Option<(u32, String)> {
    let (radix, body, prefixed) = if let Some(r) = s.strip_prefix("0x").or(s.strip_prefix("0X")) {
        (16, r, true)
    } else if let Some(r) = s.strip_prefix("0o").or(s.strip_prefix("0O")) {
        (8, r, true)
    } else if let Some(r) = s.strip_prefix("0b").or(s.strip_prefix("0B")) {
        (2, r, true)
    } else if s.len() > 1 && s.starts_with('0') {
        (8, &s[1..], true)
    } else {
        (10, s, false)
    };
    if !underscore_ok(s, prefixed) {
        return None;
    }
    let digits: String = body.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() {
        return None;
    }
    Some((radix, digits))
}

/// Go's `underscoreOK`: underscores only between digits (or after a base prefix).
fn underscore_ok(s: &str, prefixed: bool) -> bool {
    if !s.contains('_') {
        return true;
    }
    let b = s.as_bytes();
    // 'saw' is '^' at the start, '0' after a digit or prefix, '_' after an underscore.
    let mut saw = b'^';
    let mut i = 0;
    if prefixed && b.len() >= 2 && b[0] == b'0' && b[1].is_ascii_alphabetic() {
        i = 2;
        saw = b'0';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_hexdigit() || (c == b'0') {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

fn parse_uint(text: &str) -> Option<u64> {
    let (radix, digits) = int_literal(text)?;
    u64::from_str_radix(&digits, radix).ok()
}

fn parse_int(text: &str) -> Option<i64> {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = int_literal(body)?;
    let u = u64::from_str_radix(&digits, radix).ok()?;
    if neg {
        if u <= i64::MAX as u64 + 1 {
            Some((u as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for the literals the lexer produces (decimal and
/// hexadecimal mantissas, underscores between digits).
fn parse_float(text: &str) -> Option<f64> {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let prefixed = body.starts_with("0x") || body.starts_with("0X");
    if body.contains('_') && !underscore_ok(body, prefixed) {
        return None;
    }
    let clean: String = body.chars().filter(|&c| c != '_').collect();
    let v = if prefixed {
        parse_hex_float(&clean[2..])?
    } else {
        if clean.is_empty()
            || !clean
                .bytes()
                .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            return None;
        }
        clean.parse::<f64>().ok()?
    };
    if v.is_infinite() {
        // strconv reports out of range; templates then treat the text as no number.
        return None;
    }
    Some(if neg { -v } else { v })
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = match s.find(['p', 'P']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
        None => return None,
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
}
