//! Helm's `--set` syntax (`pkg/strvals`): `a.b=c,list[0]=x,arr={1,2}` with `\`
//! escapes, typed scalars (`true`, `null`, int64), and the `--set-string`,
//! `--set-json` and `--set-file` variants.

use serde_json::Value as Json;

use crate::values::{Values, go_type_name};
use crate::{Error, Result};

/// Highest list index `--set` may create (larger would allocate without bound).
pub const MAX_INDEX: usize = 65536;
/// Deepest `a.b.c...` name.
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// `strvals.Parse`: typed values.
pub fn parse(s: &str) -> Result<Values> {
    let mut vals = Values::new();
    parse_into(s, &mut vals)?;
    Ok(vals)
}

/// `strvals.ParseString`: every value a string.
pub fn parse_string(s: &str) -> Result<Values> {
    let mut vals = Values::new();
    parse_into_string(s, &mut vals)?;
    Ok(vals)
}

pub fn parse_into(s: &str, dest: &mut Values) -> Result<()> {
    Parser::new(s, Reader::Typed).parse(dest)
}

pub fn parse_into_string(s: &str, dest: &mut Values) -> Result<()> {
    Parser::new(s, Reader::String).parse(dest)
}

/// `strvals.ParseJSON` (`--set-json`): values are JSON documents.
pub fn parse_json(s: &str, dest: &mut Values) -> Result<()> {
    Parser::new(s, Reader::Json).parse(dest)
}

/// `strvals.ParseLiteral` (`--set-literal`): one `key=value` whose value is the rest
/// of the input, taken as a string without escapes or list syntax.
pub fn parse_literal(s: &str) -> Result<Values> {
    let mut vals = Values::new();
    parse_literal_into(s, &mut vals)?;
    Ok(vals)
}

pub fn parse_literal_into(s: &str, dest: &mut Values) -> Result<()> {
    Parser::new(s, Reader::Literal).parse(dest)
}

/// `strvals.ParseFile`: each value names a file; `read` turns it into the value.
pub fn parse_file(s: &str, read: &dyn Fn(&str) -> Result<Json>) -> Result<Values> {
    let mut vals = Values::new();
    parse_into_file(s, &mut vals, read)?;
    Ok(vals)
}

pub fn parse_into_file(
    s: &str,
    dest: &mut Values,
    read: &dyn Fn(&str) -> Result<Json>,
) -> Result<()> {
    Parser::new(s, Reader::File(read)).parse(dest)
}

enum Reader<'a> {
    Typed,
    String,
    Json,
    File(&'a dyn Fn(&str) -> Result<Json>),
    Literal,
}

/// Why a scan stopped: Go's `io.EOF` is not an error to the caller of `parse`.
enum Stop {
    Eof,
    Err(Error),
}

type PResult<T> = std::result::Result<T, Stop>;

fn err<T>(msg: impl Into<String>) -> PResult<T> {
    Err(Stop::Err(Error::StrVals(msg.into())))
}

fn quote(s: &str) -> String {
    gotemplate::fmt::quote(s)
}

/// Go's `%q` of a `[]rune`: each rune as a quoted character literal.
fn quote_runes(s: &str) -> String {
    let runes: Vec<String> = s
        .chars()
        .map(|c| {
            gotemplate::fmt::format_one(
                "q",
                &gotemplate::Value::Int(c as i64, gotemplate::IntKind::Int32),
            )
        })
        .collect();
    format!("[{}]", runes.join(" "))
}

fn conversion_panic(v: Option<&Json>, want: &str) -> Stop {
    let have = v.map_or("nil", go_type_name);
    Stop::Err(Error::StrVals(format!(
        "unable to parse key: interface conversion: interface {{}} is {have}, not {want}"
    )))
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    reader: Reader<'a>,
}

impl<'a> Parser<'a> {
    fn new(s: &str, reader: Reader<'a>) -> Parser<'a> {
        Parser {
            chars: s.chars().collect(),
            pos: 0,
            reader,
        }
    }

    fn parse(&mut self, data: &mut Values) -> Result<()> {
        loop {
            match self.key(data, 0) {
                Ok(()) => continue,
                Err(Stop::Eof) => return Ok(()),
                Err(Stop::Err(e)) => return Err(e),
            }
        }
    }

    fn read_rune(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// Runes up to one of `stop` (consumed), with `\x` taken literally. `Err` carries
    /// what was read when the input ended first.
    fn runes_until(&mut self, stop: &[char]) -> std::result::Result<(String, char), String> {
        let mut v = String::new();
        loop {
            let Some(r) = self.read_rune() else {
                return Err(v);
            };
            if stop.contains(&r) {
                return Ok((v, r));
            }
            if r == '\\' && !self.literal() {
                match self.read_rune() {
                    Some(next) => v.push(next),
                    None => return Err(v),
                }
            } else {
                v.push(r);
            }
        }
    }

    fn literal(&self) -> bool {
        matches!(self.reader, Reader::Literal)
    }

    /// The rest of the input, for `--set-literal` values.
    fn rest(&mut self) -> String {
        let v: String = self.chars[self.pos..].iter().collect();
        self.pos = self.chars.len();
        v
    }

    fn read_value(&self, rs: &str) -> PResult<Json> {
        match &self.reader {
            Reader::Typed => Ok(typed_val(rs, false)),
            Reader::String | Reader::Json | Reader::Literal => Ok(typed_val(rs, true)),
            Reader::File(read) => read(rs).map_err(Stop::Err),
        }
    }

    fn key(&mut self, data: &mut Values, mut level: usize) -> PResult<()> {
        let stop: &[char] = if self.literal() {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = match self.runes_until(stop) {
            Err(k) if k.is_empty() => return Err(Stop::Eof),
            Err(k) => return err(format!("key {} has no value", quote(&k))),
            Ok(v) => v,
        };
        match last {
            '[' => {
                let i = self.key_index()?;
                let mut list = match data.remove(&k) {
                    None => Vec::new(),
                    Some(Json::Array(l)) => l,
                    Some(other) => {
                        let e = conversion_panic(Some(&other), "[]interface {}");
                        data.insert(k, other);
                        return Err(e);
                    }
                };
                let r = self.list_item(&mut list, i, level);
                set(data, &k, Json::Array(list));
                r
            }
            '=' => {
                if self.literal() {
                    let v = self.rest();
                    set(data, &k, Json::String(v));
                    return Ok(());
                }
                if matches!(self.reader, Reader::Json) {
                    if self.empty_val() {
                        set(data, &k, Json::Null);
                        return Ok(());
                    }
                    let v = self.json_value()?;
                    set(data, &k, v);
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(vl) => {
                        set(data, &k, Json::Array(vl));
                        Ok(())
                    }
                    Err(ListErr::Eof) => {
                        set(data, &k, Json::String(String::new()));
                        Err(Stop::Eof)
                    }
                    Err(ListErr::NotList) => {
                        let rs = self.val();
                        // Go stores the reader's value (nil on error) before failing.
                        let (v, r) = match self.read_value(&rs) {
                            Ok(v) => (v, Ok(())),
                            Err(e) => (Json::Null, Err(e)),
                        };
                        set(data, &k, v);
                        r
                    }
                    Err(ListErr::Err(e)) => Err(e),
                }
            }
            ',' => {
                set(data, &k, Json::String(String::new()));
                err(format!(
                    "key {} has no value (cannot end with ,)",
                    quote(&k)
                ))
            }
            _ => {
                level += 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    ));
                }
                let (mut inner, existed) = match data.remove(&k) {
                    None => (Values::new(), false),
                    Some(Json::Object(m)) => (m, true),
                    Some(other) => {
                        let e = conversion_panic(Some(&other), "map[string]interface {}");
                        data.insert(k, other);
                        return Err(e);
                    }
                };
                let e = self.key(&mut inner, level);
                let empty = inner.is_empty();
                if existed || !empty {
                    set(data, &k, Json::Object(inner));
                }
                if e.is_ok() && empty {
                    return err(format!("key map {} has no value", quote(&k)));
                }
                e
            }
        }
    }

    fn key_index(&mut self) -> PResult<i64> {
        let v = match self.runes_until(&[']']) {
            Ok((v, _)) => v,
            Err(_) => return err("error parsing index: EOF"),
        };
        atoi(&v).map_err(|e| Stop::Err(Error::StrVals(format!("error parsing index: {e}"))))
    }

    fn list_item(&mut self, list: &mut Vec<Json>, i: i64, level: usize) -> PResult<()> {
        if i < 0 {
            return err(format!("negative {i} index not allowed"));
        }
        let (_, last) = match self.runes_until(&['[', '.', '=']) {
            Err(k) if !k.is_empty() => {
                return err(format!(
                    "unexpected data at end of array index: {}",
                    quote_runes(&k)
                ));
            }
            Err(_) => return Err(Stop::Eof),
            Ok((k, _)) if !k.is_empty() => {
                return err(format!(
                    "unexpected data at end of array index: {}",
                    quote_runes(&k)
                ));
            }
            Ok(v) => v,
        };
        match last {
            '=' => {
                if self.literal() {
                    let v = self.rest();
                    return set_index(list, i, Json::String(v));
                }
                if matches!(self.reader, Reader::Json) {
                    if self.empty_val() {
                        return set_index(list, i, Json::Null);
                    }
                    let v = self.json_value()?;
                    set_index(list, i, v)?;
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(vl) => set_index(list, i, Json::Array(vl)),
                    Err(ListErr::Eof) => set_index(list, i, Json::String(String::new())),
                    Err(ListErr::NotList) => {
                        let rs = self.val();
                        let v = self.read_value(&rs)?;
                        set_index(list, i, v)
                    }
                    Err(ListErr::Err(e)) => Err(e),
                }
            }
            '[' => {
                let next = self.key_index()?;
                let iu = i as usize;
                let mut crt = match list.get_mut(iu) {
                    Some(Json::Null) | None => Vec::new(),
                    Some(Json::Array(l)) => std::mem::take(l),
                    Some(other) => return Err(conversion_panic(Some(other), "[]interface {}")),
                };
                self.list_item(&mut crt, next, level)?;
                set_index(list, i, Json::Array(crt))
            }
            _ => {
                let iu = i as usize;
                let mut inner = match list.get_mut(iu) {
                    Some(Json::Object(m)) => std::mem::take(m),
                    _ => Values::new(),
                };
                let r = self.key(&mut inner, level);
                if iu < list.len() {
                    list[iu] = Json::Object(inner.clone());
                }
                r?;
                set_index(list, i, Json::Object(inner))
            }
        }
    }

    /// Skips spaces; true when the value is empty (end of input or `,`).
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read_rune() {
                None | Some(',') => return true,
                Some(r) if r.is_whitespace() => continue,
                Some(_) => {
                    self.pos -= 1;
                    return false;
                }
            }
        }
    }

    fn json_value(&mut self) -> PResult<Json> {
        let rest: String = self.chars[self.pos..].iter().collect();
        // Go's decoder ends a number at the first byte that cannot continue it, even
        // when that byte is not a delimiter (`1x` reads 1 and leaves `x`).
        let num_len = json_number_prefix(&rest);
        let doc = if num_len > 0 {
            &rest[..num_len]
        } else {
            rest.as_str()
        };
        let mut stream = serde_json::Deserializer::from_str(doc).into_iter::<Json>();
        let v = match stream.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) if e.is_eof() => return err("unexpected EOF"),
            Some(Err(e)) => return err(e.to_string()),
            None => return err("unexpected EOF"),
        };
        let consumed = rest[..stream.byte_offset()].chars().count();
        self.pos += consumed;
        Ok(crate::yaml::numbers_to_f64(v))
    }

    fn val(&mut self) -> String {
        match self.runes_until(&[',']) {
            Ok((v, _)) | Err(v) => v,
        }
    }

    fn val_list(&mut self) -> std::result::Result<Vec<Json>, ListErr> {
        match self.read_rune() {
            None => return Err(ListErr::Eof),
            Some('{') => {}
            Some(_) => {
                self.pos -= 1;
                return Err(ListErr::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            match self.runes_until(&[',', '}']) {
                Err(_) => {
                    return Err(ListErr::Err(Stop::Err(Error::StrVals(
                        "list must terminate with '}'".into(),
                    ))));
                }
                Ok((rs, '}')) => {
                    if let Some(r) = self.read_rune()
                        && r != ','
                    {
                        self.pos -= 1;
                    }
                    list.push(self.read_value(&rs).map_err(ListErr::Err)?);
                    return Ok(list);
                }
                Ok((rs, _)) => list.push(self.read_value(&rs).map_err(ListErr::Err)?),
            }
        }
    }
}

enum ListErr {
    Eof,
    NotList,
    Err(Stop),
}

fn set(data: &mut Values, key: &str, val: Json) {
    if !key.is_empty() {
        data.insert(key.to_string(), val);
    }
}

fn set_index(list: &mut Vec<Json>, index: i64, val: Json) -> PResult<()> {
    if index < 0 {
        return err(format!("negative {index} index not allowed"));
    }
    let i = index as usize;
    if i > MAX_INDEX {
        return err(format!(
            "index of {index} is greater than maximum supported index of {MAX_INDEX}"
        ));
    }
    if list.len() <= i {
        list.resize(i + 1, Json::Null);
    }
    list[i] = val;
    Ok(())
}

/// The length of a JSON number at the start of `s` (0 when there is none).
fn json_number_prefix(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if b.get(i) == Some(&b'0') {
        i += 1;
    } else if !digits(&mut i) {
        return 0;
    }
    if b.get(i) == Some(&b'.') {
        let mut j = i + 1;
        if digits(&mut j) {
            i = j;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if digits(&mut j) {
            i = j;
        }
    }
    i
}

/// `strconv.Atoi` with Go's error text.
fn atoi(s: &str) -> std::result::Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            quote(s)
        ));
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", quote(s)))
}

/// `typedVal`: `true`/`false`/`null` in any case, int64 without leading zeros,
/// else the string.
fn typed_val(v: &str, as_string: bool) -> Json {
    if as_string {
        return Json::String(v.to_string());
    }
    if v.eq_ignore_ascii_case("true") {
        return Json::Bool(true);
    }
    if v.eq_ignore_ascii_case("false") {
        return Json::Bool(false);
    }
    if v.eq_ignore_ascii_case("null") {
        return Json::Null;
    }
    if v == "0" {
        return Json::from(0i64);
    }
    if !v.is_empty() && !v.starts_with('0') {
        let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
        if !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && let Ok(i) = v.parse::<i64>()
        {
            return Json::from(i);
        }
    }
    Json::String(v.to_string())
}
