//! `values.schema.json` validation with the messages of santhosh-tekuri/jsonschema v6
//! (the validator Helm 3 uses). References are resolved only inside the schema
//! document: `$ref` to files or URLs is refused, `urn:` references are permissive as in
//! Helm, and evaluation depth is capped so that recursive references end.

use std::fmt::Write as _;

use serde_json::Value as Json;

use crate::chart::Chart;
use crate::values::Values;
use crate::{Error, Result};

/// How deep schemas may nest during one evaluation (references included).
pub const MAX_DEPTH: usize = 200;
const SCHEMA_URL: &str = "file:///values.schema.json";

/// `chartutil.ValidateAgainstSchema`: the chart's schema, then each sub-chart's against
/// its part of the values. The error text lists the failing charts.
pub fn validate_against_schema(chart: &Chart, vals: &Values) -> Result<()> {
    let mut out = String::new();
    collect(chart, vals, &mut out);
    if out.is_empty() {
        Ok(())
    } else {
        Err(Error::Schema(out))
    }
}

fn collect(chart: &Chart, vals: &Values, out: &mut String) {
    if let Some(schema) = &chart.schema
        && let Err(e) = validate_against_single_schema(vals, schema)
    {
        let _ = writeln!(out, "{}:", chart.name());
        out.push_str(&e.to_string());
    }
    for sub in &chart.dependencies {
        match vals.get(sub.name()) {
            None | Some(Json::Null) => {}
            Some(Json::Object(m)) => collect(sub, m, out),
            Some(other) => {
                let _ = writeln!(
                    out,
                    "{}:\ninvalid type for values: expected object (map), got {}",
                    sub.name(),
                    crate::values::go_type_name(other)
                );
            }
        }
    }
}

/// Validates values against one schema document. The error lists every failure, one
/// `- at '<pointer>': <message>` line each (nested causes indented), and ends with a
/// newline, as Helm prints santhosh-tekuri/jsonschema's errors.
pub fn validate_against_single_schema(vals: &Values, schema: &[u8]) -> Result<()> {
    let doc: Json = serde_json::from_slice(schema).map_err(|e| Error::Schema(format!("{e}")))?;
    if !doc.is_object() && !doc.is_boolean() {
        return Err(Error::Schema(format!(
            "\"{SCHEMA_URL}#\" is not valid against metaschema: jsonschema validation failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': got {}, want boolean or object",
            kind(&doc)
        )));
    }
    check_refs(&doc, &doc, 0)?;
    let v = Validator {
        root: &doc,
        draft: draft_of(&doc),
    };
    let instance = Json::Object(vals.clone());
    let Some(top) = v.validate(&doc, &instance, "", 0)? else {
        return Ok(());
    };
    let causes = match top.kind {
        Kind::Group => top.causes,
        _ => vec![top],
    };
    let mut s = String::new();
    for c in &causes {
        c.write(&mut s, 1);
    }
    s.push('\n');
    Err(Error::Schema(s.trim_start_matches('\n').to_string()))
}

/// The draft named by `$schema` (the latest when absent or unknown).
fn draft_of(doc: &Json) -> u32 {
    let s = doc.get("$schema").and_then(Json::as_str).unwrap_or("");
    for (needle, d) in [
        ("draft-04", 4),
        ("draft-06", 6),
        ("draft-07", 7),
        ("2019-09", 2019),
    ] {
        if s.contains(needle) {
            return d;
        }
    }
    2020
}

/// Refuses references the validator will not follow before any value is looked at.
fn check_refs(root: &Json, node: &Json, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::Schema(format!(
            "schema is nested deeper than {MAX_DEPTH} levels"
        )));
    }
    match node {
        Json::Object(m) => {
            for (k, v) in m {
                if (k == "$ref" || k == "$dynamicRef")
                    && let Json::String(r) = v
                {
                    resolve_ref(root, r)?;
                }
                check_refs(root, v, depth + 1)?;
            }
        }
        Json::Array(a) => {
            for v in a {
                check_refs(root, v, depth + 1)?;
            }
        }
        _ => {}
    }
    Ok(())
}

enum Target<'a> {
    Schema(&'a Json),
    /// Helm answers unresolved `urn:` references with the `true` schema.
    Permissive,
}

fn resolve_ref<'a>(root: &'a Json, r: &str) -> Result<Target<'a>> {
    if r.starts_with("urn:") {
        return Ok(Target::Permissive);
    }
    let frag = match r.split_once('#') {
        Some(("", f)) | Some((SCHEMA_URL, f)) => f,
        None if r.is_empty() => "",
        _ => {
            return Err(Error::Schema(format!(
                "schema $ref {r:?} points outside values.schema.json and is not followed"
            )));
        }
    };
    if frag.is_empty() {
        return Ok(Target::Schema(root));
    }
    if let Some(ptr) = frag.strip_prefix('/') {
        let mut cur = root;
        for tok in ptr.split('/') {
            let tok = percent_decode(tok).replace("~1", "/").replace("~0", "~");
            cur = match cur {
                Json::Object(m) => m.get(&tok),
                Json::Array(a) => tok.parse::<usize>().ok().and_then(|i| a.get(i)),
                _ => None,
            }
            .ok_or_else(|| Error::Schema(format!("schema $ref {r:?} does not resolve")))?;
        }
        return Ok(Target::Schema(cur));
    }
    find_anchor(root, frag)
        .map(Target::Schema)
        .ok_or_else(|| Error::Schema(format!("schema $ref {r:?} does not resolve")))
}

fn find_anchor<'a>(node: &'a Json, name: &str) -> Option<&'a Json> {
    match node {
        Json::Object(m) => {
            if m.get("$anchor").and_then(Json::as_str) == Some(name)
                || m.get("$dynamicAnchor").and_then(Json::as_str) == Some(name)
                || m.get("$id").and_then(Json::as_str) == Some(&format!("#{name}"))
            {
                return Some(node);
            }
            m.values().find_map(|v| find_anchor(v, name))
        }
        Json::Array(a) => a.iter().find_map(|v| find_anchor(v, name)),
        _ => None,
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// jsonschema's error tree: a failure, a group of failures of one schema, or a
/// reference whose target failed.
enum Kind {
    Leaf(String),
    Group,
    Reference,
}

struct Node {
    at: String,
    kind: Kind,
    causes: Vec<Node>,
}

impl Node {
    fn leaf(at: &str, msg: String) -> Node {
        Node {
            at: at.to_string(),
            kind: Kind::Leaf(msg),
            causes: Vec::new(),
        }
    }

    fn with_causes(at: &str, msg: String, causes: Vec<Node>) -> Node {
        Node {
            at: at.to_string(),
            kind: Kind::Leaf(msg),
            causes,
        }
    }

    /// A reference with a single cause is not shown; its cause takes its place.
    fn write(&self, out: &mut String, indent: usize) {
        let mut indent = indent;
        if !(matches!(self.kind, Kind::Reference) && self.causes.len() == 1) {
            out.push('\n');
            for _ in 1..indent {
                out.push_str("  ");
            }
            let msg = match &self.kind {
                Kind::Leaf(m) => m.as_str(),
                Kind::Group | Kind::Reference => "validation failed",
            };
            let _ = write!(out, "- at {}: {msg}", quote(&self.at));
            indent += 1;
        }
        for c in &self.causes {
            c.write(out, indent);
        }
    }
}

/// jsonschema's quoting: Go's `%q` with `\"` left alone and `'` escaped, in single quotes.
fn quote(s: &str) -> String {
    let q = gotemplate::fmt::quote(s);
    let inner = &q[1..q.len() - 1];
    format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'"))
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn is_integer(n: &serde_json::Number) -> bool {
    n.is_i64()
        || n.is_u64()
        || n.as_f64()
            .is_some_and(|f| f.fract() == 0.0 && f.is_finite())
}

/// Digits grouped by thousands, as golang.org/x/text's English printer writes them.
fn group_digits(int_part: &str) -> String {
    let (sign, digits) = match int_part.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", int_part),
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

/// A float as the message printer's `%v` shows it: `%g` digits, thousands grouped,
/// exponents as `×10` with superscript digits.
fn printer_float(f: f64) -> String {
    let g = gotemplate::fmt::format_float(f, b'g', -1, 64);
    if let Some((mant, exp)) = g.split_once('e') {
        let sup: String = exp
            .chars()
            .filter(|c| *c != '+')
            .map(|c| match c {
                '-' => '⁻',
                d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹']
                    [d.to_digit(10).unwrap_or(0) as usize],
            })
            .collect();
        return format!("{mant}×10{sup}");
    }
    match g.split_once('.') {
        Some((i, frac)) => format!("{}.{frac}", group_digits(i)),
        None => group_digits(&g),
    }
}

fn printer_int(i: usize) -> String {
    group_digits(&i.to_string())
}

fn num_f64(n: &serde_json::Number) -> f64 {
    n.as_f64().unwrap_or(0.0)
}

/// Go's `%v` of a primitive schema value (a `json.Number` keeps its literal text).
fn display(v: &Json) -> String {
    match v {
        Json::String(s) => quote(s),
        Json::Null => "<nil>".into(),
        Json::Number(n) => n.to_string(),
        Json::Bool(b) => b.to_string(),
        _ => "value".into(),
    }
}

fn is_primitive(v: &Json) -> bool {
    !v.is_array() && !v.is_object()
}

/// An exact decimal `m × 10^e` of a float's shortest text, for `multipleOf` (Go
/// compares big rationals; binary floats would call 0.3 not a multiple of 0.1).
fn decimal(f: f64) -> Option<(i128, i32)> {
    let s = format!("{f:e}");
    let (mant, exp) = s.split_once('e')?;
    let exp: i32 = exp.parse().ok()?;
    let (neg, mant) = match mant.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mant),
    };
    let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
    let digits: i128 = format!("{ip}{fp}").parse().ok()?;
    let m = if neg { -digits } else { digits };
    Some((m, exp - fp.len() as i32))
}

fn is_multiple(v: f64, of: f64) -> bool {
    if let (Some((a, ea)), Some((b, eb))) = (decimal(v), decimal(of))
        && b != 0
    {
        // a·10^ea / (b·10^eb) is an integer iff a·10^(ea-eb) is divisible by b.
        let shift = ea - eb;
        if shift >= 0 {
            if let Some(p) = 10i128.checked_pow(shift as u32)
                && let Some(a) = a.checked_mul(p)
            {
                return a % b == 0;
            }
        } else if let Some(p) = 10i128.checked_pow((-shift) as u32)
            && let Some(b) = b.checked_mul(p)
        {
            return a % b == 0;
        }
    }
    (v / of).fract() == 0.0
}

fn json_equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

fn ptr_push(at: &str, tok: &str) -> String {
    format!("{at}/{}", tok.replace('~', "~0").replace('/', "~1"))
}

fn join_quoted<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.map(quote).collect::<Vec<_>>().join(", ")
}

const TYPE_ORDER: [&str; 7] = [
    "null", "boolean", "number", "integer", "string", "array", "object",
];

type Obj = serde_json::Map<String, Json>;

struct Validator<'a> {
    root: &'a Json,
    draft: u32,
}

impl<'a> Validator<'a> {
    fn group(at: &str, mut errs: Vec<Node>) -> Option<Node> {
        match errs.len() {
            0 => None,
            1 => errs.pop(),
            _ => Some(Node {
                at: at.to_string(),
                kind: Kind::Group,
                causes: errs,
            }),
        }
    }

    fn validate(&self, schema: &Json, inst: &Json, at: &str, depth: usize) -> Result<Option<Node>> {
        if depth > MAX_DEPTH {
            return Err(Error::Schema(format!(
                "schema evaluation is nested deeper than {MAX_DEPTH} levels (recursive $ref?)"
            )));
        }
        let s = match schema {
            Json::Bool(true) => return Ok(None),
            Json::Bool(false) => return Ok(Some(Node::leaf(at, "false schema".into()))),
            Json::Object(s) => s,
            _ => return Ok(None),
        };
        if let Some(t) = s.get("type") {
            let types: Vec<&str> = match t {
                Json::String(t) => vec![t.as_str()],
                Json::Array(a) => a.iter().filter_map(Json::as_str).collect(),
                _ => vec![],
            };
            if !types.is_empty() && !types.iter().any(|t| type_matches(t, inst)) {
                let want: Vec<&str> = TYPE_ORDER
                    .iter()
                    .copied()
                    .filter(|t| types.contains(t))
                    .collect();
                return Ok(Some(Node::leaf(
                    at,
                    format!("got {}, want {}", kind(inst), want.join(" or ")),
                )));
            }
        }
        if let Some(c) = s.get("const")
            && !json_equal(c, inst)
        {
            let msg = if is_primitive(c) {
                format!("value must be {}", display(c))
            } else {
                "'const' failed".into()
            };
            return Ok(Some(Node::leaf(at, msg)));
        }
        if let Some(Json::Array(values)) = s.get("enum")
            && !values.iter().any(|v| json_equal(v, inst))
        {
            let msg = if !values.iter().all(is_primitive) {
                "'enum' failed".to_string()
            } else if values.len() == 1 {
                format!("value must be {}", display(&values[0]))
            } else {
                let list: Vec<String> = values.iter().map(display).collect();
                format!("value must be one of {}", list.join(", "))
            };
            return Ok(Some(Node::leaf(at, msg)));
        }
        let mut errs = Vec::new();
        if let Some(Json::String(r)) = s.get("$ref") {
            let node = match resolve_ref(self.root, r)? {
                Target::Schema(target) => self.validate_ref(target, inst, at, depth)?,
                Target::Permissive => None,
            };
            // Before 2019-09, `$ref` replaces its sibling keywords.
            if self.draft < 2019 {
                return Ok(node);
            }
            errs.extend(node);
        }
        match inst {
            Json::Object(obj) => self.validate_object(s, obj, at, depth, &mut errs)?,
            Json::Array(arr) => self.validate_array(s, arr, at, depth, &mut errs)?,
            Json::String(st) => validate_string(s, st, at, &mut errs)?,
            Json::Number(n) => validate_number(s, n, at, &mut errs),
            _ => {}
        }
        self.validate_conditions(s, inst, at, depth, &mut errs)?;
        Ok(Self::group(at, errs))
    }

    fn validate_ref(
        &self,
        target: &Json,
        inst: &Json,
        at: &str,
        depth: usize,
    ) -> Result<Option<Node>> {
        Ok(self.validate(target, inst, at, depth + 1)?.map(|n| {
            let causes = match n.kind {
                Kind::Group => n.causes,
                _ => vec![n],
            };
            Node {
                at: at.to_string(),
                kind: Kind::Reference,
                causes,
            }
        }))
    }

    fn validate_conditions(
        &self,
        s: &Obj,
        inst: &Json,
        at: &str,
        depth: usize,
        errs: &mut Vec<Node>,
    ) -> Result<()> {
        if let Some(not) = s.get("not")
            && self.validate(not, inst, at, depth + 1)?.is_none()
        {
            errs.push(Node::leaf(at, "'not' failed".into()));
        }
        if let Some(Json::Array(all)) = s.get("allOf") {
            let mut causes = Vec::new();
            for sub in all {
                causes.extend(self.validate(sub, inst, at, depth + 1)?);
            }
            if !causes.is_empty() {
                errs.push(Node::with_causes(at, "'allOf' failed".into(), causes));
            }
        }
        if let Some(Json::Array(any)) = s.get("anyOf") {
            let mut causes = Vec::new();
            let mut matched = false;
            for sub in any {
                match self.validate(sub, inst, at, depth + 1)? {
                    Some(e) => causes.push(e),
                    None => {
                        matched = true;
                        break;
                    }
                }
            }
            if !matched {
                errs.push(Node::with_causes(at, "'anyOf' failed".into(), causes));
            }
        }
        if let Some(Json::Array(one)) = s.get("oneOf") {
            let mut matched: Option<usize> = None;
            let mut causes = Vec::new();
            for (i, sub) in one.iter().enumerate() {
                match self.validate(sub, inst, at, depth + 1)? {
                    Some(e) => {
                        if matched.is_none() {
                            causes.push(e);
                        }
                    }
                    None => match matched {
                        None => matched = Some(i),
                        Some(first) => {
                            errs.push(Node::leaf(
                                at,
                                format!("'oneOf' failed, subschemas {first}, {i} matched"),
                            ));
                            break;
                        }
                    },
                }
            }
            if matched.is_none() {
                errs.push(Node::with_causes(
                    at,
                    "'oneOf' failed, none matched".into(),
                    causes,
                ));
            }
        }
        if let Some(cond) = s.get("if") {
            let branch = if self.validate(cond, inst, at, depth + 1)?.is_none() {
                s.get("then")
            } else {
                s.get("else")
            };
            if let Some(b) = branch {
                errs.extend(self.validate(b, inst, at, depth + 1)?);
            }
        }
        Ok(())
    }

    fn validate_object(
        &self,
        s: &Obj,
        obj: &Obj,
        at: &str,
        depth: usize,
        errs: &mut Vec<Node>,
    ) -> Result<()> {
        if let Some(Json::Number(n)) = s.get("minProperties")
            && (obj.len() as f64) < num_f64(n)
        {
            errs.push(Node::leaf(
                at,
                format!(
                    "minProperties: got {}, want {}",
                    printer_int(obj.len()),
                    printer_float(num_f64(n))
                ),
            ));
        }
        if let Some(Json::Number(n)) = s.get("maxProperties")
            && obj.len() as f64 > num_f64(n)
        {
            errs.push(Node::leaf(
                at,
                format!(
                    "maxProperties: got {}, want {}",
                    printer_int(obj.len()),
                    printer_float(num_f64(n))
                ),
            ));
        }
        if let Some(Json::Array(req)) = s.get("required") {
            let missing: Vec<&str> = req
                .iter()
                .filter_map(Json::as_str)
                .filter(|k| !obj.contains_key(*k))
                .collect();
            match missing.len() {
                0 => {}
                1 => errs.push(Node::leaf(
                    at,
                    format!("missing property {}", quote(missing[0])),
                )),
                _ => errs.push(Node::leaf(
                    at,
                    format!("missing properties {}", join_quoted(missing.into_iter())),
                )),
            }
        }
        if self.draft < 2019
            && let Some(Json::Object(deps)) = s.get("dependencies")
        {
            self.dependent(deps, obj, at, depth, errs)?;
        }
        let props = s.get("properties").and_then(Json::as_object);
        let patterns = s.get("patternProperties").and_then(Json::as_object);
        let mut additional = Vec::new();
        for (k, v) in obj {
            let here = ptr_push(at, k);
            let mut evaluated = false;
            if let Some(p) = props.and_then(|p| p.get(k)) {
                evaluated = true;
                errs.extend(self.validate(p, v, &here, depth + 1)?);
            }
            if let Some(pats) = patterns {
                for (pat, sub) in pats {
                    let re = regex::Regex::new(pat).map_err(|e| {
                        Error::Schema(format!("invalid patternProperties regex {pat:?}: {e}"))
                    })?;
                    if re.is_match(k) {
                        evaluated = true;
                        errs.extend(self.validate(sub, v, &here, depth + 1)?);
                    }
                }
            }
            if !evaluated && let Some(ap) = s.get("additionalProperties") {
                if ap == &Json::Bool(false) {
                    additional.push(k.as_str());
                } else {
                    errs.extend(self.validate(ap, v, &here, depth + 1)?);
                }
            }
        }
        if !additional.is_empty() {
            errs.push(Node::leaf(
                at,
                format!(
                    "additional properties {} not allowed",
                    join_quoted(additional.into_iter())
                ),
            ));
        }
        if let Some(pn) = s.get("propertyNames") {
            for k in obj.keys() {
                if let Some(e) = self.validate(pn, &Json::String(k.clone()), "", depth + 1)? {
                    let causes = match e.kind {
                        Kind::Group => e.causes,
                        _ => vec![e],
                    };
                    errs.push(Node::with_causes(
                        at,
                        format!("invalid propertyName {}", quote(k)),
                        causes,
                    ));
                }
            }
        }
        if self.draft >= 2019 {
            if let Some(Json::Object(deps)) = s.get("dependentSchemas") {
                for (k, sub) in deps {
                    if obj.contains_key(k) {
                        errs.extend(self.validate(
                            sub,
                            &Json::Object(obj.clone()),
                            at,
                            depth + 1,
                        )?);
                    }
                }
            }
            if let Some(Json::Object(deps)) = s.get("dependentRequired") {
                self.dependent(deps, obj, at, depth, errs)?;
            }
        }
        Ok(())
    }

    fn dependent(
        &self,
        deps: &Obj,
        obj: &Obj,
        at: &str,
        depth: usize,
        errs: &mut Vec<Node>,
    ) -> Result<()> {
        for (k, d) in deps {
            if !obj.contains_key(k) {
                continue;
            }
            match d {
                Json::Array(req) => {
                    let missing: Vec<&str> = req
                        .iter()
                        .filter_map(Json::as_str)
                        .filter(|r| !obj.contains_key(*r))
                        .collect();
                    if !missing.is_empty() {
                        errs.push(Node::leaf(
                            at,
                            format!(
                                "properties {} required, if {} exists",
                                join_quoted(missing.into_iter()),
                                quote(k)
                            ),
                        ));
                    }
                }
                sub => {
                    errs.extend(self.validate(sub, &Json::Object(obj.clone()), at, depth + 1)?)
                }
            }
        }
        Ok(())
    }

    fn validate_array(
        &self,
        s: &Obj,
        arr: &[Json],
        at: &str,
        depth: usize,
        errs: &mut Vec<Node>,
    ) -> Result<()> {
        if let Some(Json::Number(n)) = s.get("minItems")
            && (arr.len() as f64) < num_f64(n)
        {
            errs.push(Node::leaf(
                at,
                format!(
                    "minItems: got {}, want {}",
                    printer_int(arr.len()),
                    printer_float(num_f64(n))
                ),
            ));
        }
        if let Some(Json::Number(n)) = s.get("maxItems")
            && arr.len() as f64 > num_f64(n)
        {
            errs.push(Node::leaf(
                at,
                format!(
                    "maxItems: got {}, want {}",
                    printer_int(arr.len()),
                    printer_float(num_f64(n))
                ),
            ));
        }
        if s.get("uniqueItems") == Some(&Json::Bool(true)) {
            'outer: for i in 1..arr.len() {
                for j in 0..i {
                    if json_equal(&arr[i], &arr[j]) {
                        errs.push(Node::leaf(
                            at,
                            format!(
                                "items at {} and {} are equal",
                                printer_int(j),
                                printer_int(i)
                            ),
                        ));
                        break 'outer;
                    }
                }
            }
        }
        if self.draft < 2020 {
            let mut evaluated = 0;
            match s.get("items") {
                Some(Json::Array(items)) => {
                    evaluated = items.len().min(arr.len());
                    for (i, item) in arr[..evaluated].iter().enumerate() {
                        errs.extend(self.validate(
                            &items[i],
                            item,
                            &format!("{at}/{i}"),
                            depth + 1,
                        )?);
                    }
                }
                Some(items) => {
                    for (i, item) in arr.iter().enumerate() {
                        errs.extend(self.validate(items, item, &format!("{at}/{i}"), depth + 1)?);
                    }
                    evaluated = arr.len();
                }
                None => {}
            }
            match s.get("additionalItems") {
                Some(Json::Bool(false)) if evaluated != arr.len() => {
                    errs.push(Node::leaf(
                        at,
                        format!(
                            "last {} additionalItem(s) not allowed",
                            printer_int(arr.len() - evaluated)
                        ),
                    ));
                }
                Some(Json::Bool(_)) | None => {}
                Some(add) => {
                    for (i, item) in arr.iter().enumerate().skip(evaluated) {
                        errs.extend(self.validate(add, item, &format!("{at}/{i}"), depth + 1)?);
                    }
                }
            }
        } else {
            let prefix = s
                .get("prefixItems")
                .and_then(Json::as_array)
                .map_or(&[][..], Vec::as_slice);
            let evaluated = prefix.len().min(arr.len());
            for (i, item) in arr[..evaluated].iter().enumerate() {
                errs.extend(self.validate(&prefix[i], item, &format!("{at}/{i}"), depth + 1)?);
            }
            if let Some(items) = s.get("items") {
                for (i, item) in arr.iter().enumerate().skip(evaluated) {
                    errs.extend(self.validate(items, item, &format!("{at}/{i}"), depth + 1)?);
                }
            }
        }
        if let Some(c) = s.get("contains") {
            let mut causes = Vec::new();
            let mut matched = Vec::new();
            for (i, item) in arr.iter().enumerate() {
                match self.validate(c, item, &format!("{at}/{i}"), depth + 1)? {
                    Some(e) => causes.push(e),
                    None => matched.push(i.to_string()),
                }
            }
            let min_contains = if self.draft >= 2019 {
                s.get("minContains").and_then(Json::as_f64)
            } else {
                None
            };
            if let Some(min) = min_contains {
                if (matched.len() as f64) < min {
                    let msg = if matched.is_empty() {
                        format!(
                            "min {} items required to match contains schema, but none matched",
                            printer_float(min)
                        )
                    } else {
                        format!(
                            "min {} items required to match contains schema, but matched {} items at {}",
                            printer_float(min),
                            printer_int(matched.len()),
                            matched.join(" ")
                        )
                    };
                    errs.push(Node::with_causes(at, msg, causes));
                }
            } else if matched.is_empty() {
                errs.push(Node::with_causes(
                    at,
                    "no items match contains schema".into(),
                    causes,
                ));
            }
            if self.draft >= 2019
                && let Some(max) = s.get("maxContains").and_then(Json::as_f64)
                && matched.len() as f64 > max
            {
                errs.push(Node::leaf(
                    at,
                    format!(
                        "max {} items required to match contains schema, but matched {} items at {}",
                        printer_float(max),
                        printer_int(matched.len()),
                        matched.join(" ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn type_matches(t: &str, inst: &Json) -> bool {
    match (t, inst) {
        ("null", Json::Null)
        | ("boolean", Json::Bool(_))
        | ("string", Json::String(_))
        | ("array", Json::Array(_))
        | ("object", Json::Object(_))
        | ("number", Json::Number(_)) => true,
        ("integer", Json::Number(n)) => is_integer(n),
        _ => false,
    }
}

fn validate_string(s: &Obj, st: &str, at: &str, errs: &mut Vec<Node>) -> Result<()> {
    let len = st.chars().count();
    if let Some(Json::Number(n)) = s.get("minLength")
        && (len as f64) < num_f64(n)
    {
        errs.push(Node::leaf(
            at,
            format!(
                "minLength: got {}, want {}",
                printer_int(len),
                printer_float(num_f64(n))
            ),
        ));
    }
    if let Some(Json::Number(n)) = s.get("maxLength")
        && len as f64 > num_f64(n)
    {
        errs.push(Node::leaf(
            at,
            format!(
                "maxLength: got {}, want {}",
                printer_int(len),
                printer_float(num_f64(n))
            ),
        ));
    }
    if let Some(Json::String(p)) = s.get("pattern") {
        let re = regex::Regex::new(p)
            .map_err(|e| Error::Schema(format!("invalid pattern {p:?}: {e}")))?;
        if !re.is_match(st) {
            errs.push(Node::leaf(
                at,
                format!("{} does not match pattern {}", quote(st), quote(p)),
            ));
        }
    }
    Ok(())
}

fn validate_number(s: &Obj, n: &serde_json::Number, at: &str, errs: &mut Vec<Node>) {
    let v = num_f64(n);
    let got = printer_float(v);
    let bound = |k: &str| s.get(k).and_then(Json::as_number).map(num_f64);
    type Check = (&'static str, fn(f64, f64) -> bool);
    let checks: [Check; 4] = [
        ("minimum", |v, b| v < b),
        ("maximum", |v, b| v > b),
        ("exclusiveMinimum", |v, b| v <= b),
        ("exclusiveMaximum", |v, b| v >= b),
    ];
    for (kw, fails) in checks {
        if let Some(b) = bound(kw)
            && fails(v, b)
        {
            errs.push(Node::leaf(
                at,
                format!("{kw}: got {got}, want {}", printer_float(b)),
            ));
        }
    }
    if let Some(b) = bound("multipleOf")
        && b != 0.0
        && !is_multiple(v, b)
    {
        errs.push(Node::leaf(
            at,
            format!("multipleOf: got {got}, want {}", printer_float(b)),
        ));
    }
}
