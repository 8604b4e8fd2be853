//! YAML text → the Go value go-yaml v2 decodes into `interface{}` → the JSON value
//! sigs.k8s.io/yaml produces from it.

use std::collections::HashMap;
use std::rc::Rc;

use granit_parser::{Event, Options, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

use crate::resolve::{self, Scalar};
use crate::{Error, Limits, errors};

/// go-yaml's node tree for one document. Aliases stay nodes of their own because the
/// merge rules and the alias-ratio accounting look at them.
#[derive(Debug)]
enum Node {
    Scalar {
        value: String,
        tag: String,
        plain_untagged: bool,
        quoted: bool,
    },
    Seq(Vec<Rc<Node>>),
    Map(Vec<(Rc<Node>, Rc<Node>)>),
    Alias(Rc<Node>),
    /// An alias to an anchor whose node is still open (go-yaml fails on it when decoding).
    SelfAlias(String),
    UnknownAlias(String),
}

enum Open {
    Seq(Vec<Rc<Node>>, usize),
    Map(Vec<(Rc<Node>, Rc<Node>)>, Option<Rc<Node>>, usize),
}

fn tag_string(tag: Option<&granit_parser::Tag>) -> String {
    match tag {
        Some(t) => format!("{}{}", t.handle(), t.suffix()),
        None => String::new(),
    }
}

/// Parses the first document of `text` into a node tree (`None` for an empty stream).
fn parse_first_document(text: &str, limits: &Limits) -> Result<Option<Rc<Node>>, Error> {
    let mut options = Options::default();
    options.emit_unresolved_aliases = true;
    options.emit_anchor_events = true;
    options.block_scalar_eof_without_line_feed = true;
    options.bom_inside_document_as_content = true;
    // Go's decoder drops comments; capturing them (serde-saphyr turns the feature on) was
    // a third of the time spent on a commented values.yaml.
    options.set_emit_comments(false);
    options.flow_nesting_limit = limits.max_depth;
    options.block_nesting_limit = limits.max_depth;
    let mut parser = Parser::new_from_str_with_options(text, options);

    let mut stack: Vec<Open> = Vec::new();
    // Anchor id → node; `None` while the anchored collection is still open.
    let mut anchors: HashMap<usize, Option<Rc<Node>>> = HashMap::new();
    let mut names: HashMap<usize, String> = HashMap::new();
    let mut root: Option<Rc<Node>> = None;
    let mut nodes: usize = 0;

    loop {
        let (event, _span) = match parser.next_event() {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => return Err(errors::scan(&e, text)),
        };
        let mut finished: Option<(Rc<Node>, usize)> = None;
        match event {
            Event::StreamStart | Event::DocumentStart(..) => {}
            Event::StreamEnd => break,
            Event::DocumentEnd => break,
            #[allow(unreachable_patterns)]
            Event::Comment(..) => {}
            Event::Anchor(id, name) => {
                names.insert(id, name.into_owned());
            }
            Event::Alias(id) => {
                let node = match anchors.get(&id) {
                    Some(Some(n)) => Rc::new(Node::Alias(n.clone())),
                    _ => Rc::new(Node::SelfAlias(names.get(&id).cloned().unwrap_or_default())),
                };
                finished = Some((node, 0));
            }
            Event::UnresolvedAlias(name) => {
                finished = Some((Rc::new(Node::UnknownAlias(name.into_owned())), 0));
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag_string(tag.as_deref());
                let node = Node::Scalar {
                    plain_untagged: style == ScalarStyle::Plain && tag.is_empty(),
                    quoted: style != ScalarStyle::Plain,
                    value: value.into_owned(),
                    tag,
                };
                finished = Some((Rc::new(node), anchor));
            }
            Event::SequenceStart(_, anchor, _) => {
                if anchor != 0 {
                    anchors.insert(anchor, None);
                }
                stack.push(Open::Seq(Vec::new(), anchor));
            }
            Event::MappingStart(_, anchor, _) => {
                if anchor != 0 {
                    anchors.insert(anchor, None);
                }
                stack.push(Open::Map(Vec::new(), None, anchor));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                finished = Some(match stack.pop() {
                    Some(Open::Seq(items, anchor)) => (Rc::new(Node::Seq(items)), anchor),
                    Some(Open::Map(pairs, _, anchor)) => (Rc::new(Node::Map(pairs)), anchor),
                    None => unreachable!("the parser balances collection events"),
                });
            }
            _ => {}
        }
        if stack.len() > limits.max_depth {
            return Err(Error::Limit(format!(
                "yaml: nesting deeper than {} levels",
                limits.max_depth
            )));
        }
        if let Some((node, anchor)) = finished {
            nodes += 1;
            if nodes > limits.max_nodes {
                return Err(Error::Limit(format!(
                    "yaml: more than {} nodes",
                    limits.max_nodes
                )));
            }
            if anchor != 0 {
                anchors.insert(anchor, Some(node.clone()));
            }
            match stack.last_mut() {
                None => root = Some(node),
                Some(Open::Seq(items, _)) => items.push(node),
                Some(Open::Map(pairs, key, _)) => match key.take() {
                    None => *key = Some(node),
                    Some(k) => pairs.push((k, node)),
                },
            }
        }
    }
    Ok(root)
}

/// A Go value as go-yaml builds it inside `interface{}`.
#[derive(Debug, Clone)]
enum GoValue {
    Scalar(Scalar),
    Seq(Vec<GoValue>),
    /// `map[interface{}]interface{}` in insertion order of distinct keys.
    Map(Vec<(Scalar, GoValue)>),
}

/// `d.unmarshal` state: go-yaml's excessive-aliasing heuristic counts visited nodes.
struct Decoder<'l> {
    decode_count: usize,
    alias_count: usize,
    alias_depth: usize,
    limits: &'l Limits,
}

fn allowed_alias_ratio(decode_count: usize) -> f64 {
    const LOW: usize = 400_000;
    const HIGH: usize = 4_000_000;
    if decode_count <= LOW {
        0.99
    } else if decode_count >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decode_count - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

fn same_key(a: &Scalar, b: &Scalar) -> bool {
    // Go map equality on interface keys: same dynamic type and value (NaN never equal).
    match (a, b) {
        (Scalar::Str(x), Scalar::Str(y))
        | (Scalar::Timestamp(x), Scalar::Str(y))
        | (Scalar::Str(x), Scalar::Timestamp(y))
        | (Scalar::Timestamp(x), Scalar::Timestamp(y)) => x == y,
        (Scalar::Null, Scalar::Null) => true,
        (Scalar::Bool(x), Scalar::Bool(y)) => x == y,
        (Scalar::Int(x), Scalar::Int(y)) => x == y,
        (Scalar::Uint(x), Scalar::Uint(y)) => x == y,
        (Scalar::Float(x), Scalar::Float(y)) => x == y,
        _ => false,
    }
}

fn set_key(pairs: &mut Vec<(Scalar, GoValue)>, key: Scalar, value: GoValue) {
    if let Some(slot) = pairs.iter_mut().find(|(k, _)| same_key(k, &key)) {
        slot.1 = value;
    } else {
        pairs.push((key, value));
    }
}

fn is_merge(n: &Node) -> bool {
    matches!(n, Node::Scalar { value, tag, plain_untagged, .. }
        if value == "<<" && (*plain_untagged || tag == resolve::MERGE))
}

const WANT_MAP: &str = "yaml: map merge requires map or sequence of maps as the value";

impl Decoder<'_> {
    fn count(&mut self) -> Result<(), Error> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count)
        {
            return Err(Error::Yaml(
                "yaml: document contains excessive aliasing".into(),
            ));
        }
        if self.decode_count > self.limits.max_alias_expansion {
            return Err(Error::Limit(format!(
                "yaml: alias expansion exceeds {} nodes",
                self.limits.max_alias_expansion
            )));
        }
        Ok(())
    }

    fn value(&mut self, n: &Node) -> Result<GoValue, Error> {
        self.count()?;
        match n {
            Node::Scalar {
                value, tag, quoted, ..
            } => {
                let scalar = if tag.is_empty() && *quoted {
                    Scalar::Str(value.clone())
                } else {
                    let s = resolve::resolve(tag, value)
                        .map_err(|m| Error::Yaml(format!("yaml: {m}")))?;
                    if tag == resolve::BINARY {
                        Scalar::Str(decode_binary(value)?)
                    } else {
                        s
                    }
                };
                Ok(GoValue::Scalar(scalar))
            }
            Node::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.value(item)?);
                }
                Ok(GoValue::Seq(out))
            }
            Node::Map(pairs) => {
                let mut out = Vec::new();
                self.fill_map(pairs, &mut out)?;
                Ok(GoValue::Map(out))
            }
            Node::Alias(target) => {
                self.alias_depth += 1;
                let v = self.value(target);
                self.alias_depth -= 1;
                v
            }
            Node::SelfAlias(name) => Err(Error::Yaml(format!(
                "yaml: anchor '{name}' value contains itself"
            ))),
            Node::UnknownAlias(name) => Err(Error::Yaml(format!(
                "yaml: unknown anchor '{name}' referenced"
            ))),
        }
    }

    fn fill_map(
        &mut self,
        pairs: &[(Rc<Node>, Rc<Node>)],
        out: &mut Vec<(Scalar, GoValue)>,
    ) -> Result<(), Error> {
        for (k, v) in pairs {
            if is_merge(k) {
                self.merge(v, out)?;
                continue;
            }
            let key = match self.value(k)? {
                GoValue::Scalar(s) => s,
                other => {
                    return Err(Error::Yaml(format!(
                        "yaml: invalid map key: {}",
                        go_syntax(&other)
                    )));
                }
            };
            let value = self.value(v)?;
            set_key(out, key, value);
        }
        Ok(())
    }

    /// Merges into the map being built, in document order: a later `<<` overrides keys set
    /// before it, and earlier entries of a merged sequence take precedence.
    fn merge(&mut self, n: &Rc<Node>, out: &mut Vec<(Scalar, GoValue)>) -> Result<(), Error> {
        let target_is_map = |n: &Node| match n {
            Node::Map(_) => true,
            Node::Alias(t) => matches!(**t, Node::Map(_)),
            _ => false,
        };
        match &**n {
            Node::Map(_) | Node::Alias(_) => {
                if !target_is_map(n) {
                    return Err(Error::Yaml(WANT_MAP.into()));
                }
                self.merge_one(n, out)
            }
            Node::Seq(items) => {
                for item in items.iter().rev() {
                    if matches!(**item, Node::UnknownAlias(_) | Node::SelfAlias(_)) {
                        self.value(item)?;
                    }
                    if !target_is_map(item) {
                        return Err(Error::Yaml(WANT_MAP.into()));
                    }
                    self.merge_one(item, out)?;
                }
                Ok(())
            }
            _ => Err(Error::Yaml(WANT_MAP.into())),
        }
    }

    fn merge_one(&mut self, n: &Node, out: &mut Vec<(Scalar, GoValue)>) -> Result<(), Error> {
        self.count()?;
        match n {
            Node::Map(pairs) => self.fill_map(pairs, out),
            Node::Alias(target) => {
                self.alias_depth += 1;
                let r = self.merge_one(target, out);
                self.alias_depth -= 1;
                r
            }
            _ => Err(Error::Yaml(WANT_MAP.into())),
        }
    }
}

/// `%#v` of a Go value, enough for the error texts that print one.
fn go_syntax(v: &GoValue) -> String {
    match v {
        GoValue::Scalar(s) => scalar_go_syntax(s),
        GoValue::Seq(items) => format!(
            "[]interface {{}}{{{}}}",
            items.iter().map(go_syntax).collect::<Vec<_>>().join(", ")
        ),
        GoValue::Map(pairs) => format!(
            "map[interface {{}}]interface {{}}{{{}}}",
            pairs
                .iter()
                .map(|(k, v)| format!("{}:{}", scalar_go_syntax(k), go_syntax(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn scalar_go_syntax(s: &Scalar) -> String {
    match s {
        Scalar::Null => "interface {}(nil)".into(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::Uint(u) => format!("0x{u:x}"),
        Scalar::Float(f) => crate::gofloat::format_g64(*f),
        Scalar::Str(s) | Scalar::Timestamp(s) => format!("{s:?}"),
    }
}

fn decode_binary(text: &str) -> Result<String, Error> {
    use base64::Engine;
    let cleaned: String = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cleaned)
        .map_err(|_| Error::Yaml("yaml: !!binary value contains invalid base64 data".into()))?;
    // encoding/json writes invalid UTF-8 as U+FFFD.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// sigs.k8s.io/yaml's `convertToJSONableObject` followed by `json.Marshal`.
fn to_json(v: GoValue) -> Result<Value, Error> {
    Ok(match v {
        GoValue::Scalar(s) => match s {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(i) => Value::Number(i.into()),
            Scalar::Uint(u) => Value::Number(u.into()),
            Scalar::Float(f) => float_json(f)?,
            Scalar::Str(s) | Scalar::Timestamp(s) => Value::String(s),
        },
        GoValue::Seq(items) => {
            Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?)
        }
        GoValue::Map(pairs) => {
            let mut map = Map::new();
            for (k, v) in pairs {
                let key = match &k {
                    Scalar::Str(s) | Scalar::Timestamp(s) => s.clone(),
                    Scalar::Int(i) => i.to_string(),
                    Scalar::Bool(b) => b.to_string(),
                    Scalar::Float(f) => match crate::gofloat::format_g32(*f).as_str() {
                        "+Inf" => ".inf".into(),
                        "-Inf" => "-.inf".into(),
                        "NaN" => ".nan".into(),
                        s => s.into(),
                    },
                    Scalar::Uint(_) | Scalar::Null => {
                        let type_name = if matches!(k, Scalar::Null) {
                            "%!s(<nil>)"
                        } else {
                            "uint64"
                        };
                        return Err(Error::Yaml(format!(
                            "unsupported map key of type: {type_name}, key: {}, value: {}",
                            if matches!(k, Scalar::Null) {
                                "<nil>".into()
                            } else {
                                scalar_go_syntax(&k)
                            },
                            go_syntax(&v)
                        )));
                    }
                };
                map.insert(key, to_json(v)?);
            }
            Value::Object(map)
        }
    })
}

/// encoding/json's view of a float64: integral values within ±1e21 are written without a
/// fraction, which JSON readers see as integers; NaN and infinities are refused.
const TWO_63: f64 = 9_223_372_036_854_775_808.0;

fn float_json(f: f64) -> Result<Value, Error> {
    if !f.is_finite() {
        return Err(Error::Json(format!(
            "json: unsupported value: {}",
            crate::gofloat::format_g64(f)
        )));
    }
    if f.fract() == 0.0 && f.abs() < 1e21 && !(f == 0.0 && f.is_sign_negative()) {
        if (-TWO_63..TWO_63).contains(&f) {
            return Ok(Value::Number((f as i64).into()));
        }
        if f > 0.0 && f < 2.0 * TWO_63 {
            return Ok(Value::Number((f as u64).into()));
        }
    }
    Ok(Number::from_f64(f).map_or(Value::Null, Value::Number))
}

pub fn yaml_to_json(text: &str, limits: &Limits) -> Result<Value, Error> {
    if text.len() > limits.max_input_bytes {
        return Err(Error::Limit(format!(
            "yaml: input of {} bytes exceeds the {} byte limit",
            text.len(),
            limits.max_input_bytes
        )));
    }
    // libyaml's reader refuses these before any parsing.
    if text.chars().any(|c| {
        !matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
    }) {
        return Err(Error::Yaml("yaml: control characters are not allowed".into()));
    }
    // YAML 1.1 (libyaml) reads NEL as a line break and normalises it to LF; the parser
    // underneath follows YAML 1.2, where it is content.
    let normalised;
    let text = if text.contains('\u{85}') {
        normalised = text.replace('\u{85}', "\n");
        normalised.as_str()
    } else {
        text
    };
    let Some(root) = parse_first_document(text, limits)? else {
        return Ok(Value::Null);
    };
    let mut d = Decoder {
        decode_count: 1,
        alias_count: 0,
        alias_depth: 0,
        limits,
    };
    let v = d.value(&root)?;
    to_json(v)
}
