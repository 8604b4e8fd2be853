//! Go's `fmt` printing of template values (`print`, `printf`, `println`, and `%v` wherever
//! Go formats a value), with `strconv`'s float formatting and quoting.
//!
//! Covers the verbs `%v %+v %#v %T %t %d %b %o %O %x %X %c %q %U %e %E %f %F %g %G %s %p`,
//! flags `+ - # 0 space`, width and precision (also `*` and `[n]` argument indexes), and
//! the error forms `%!d(string=x)`, `%!d(MISSING)`, `%!(EXTRA int=1)`, `%!(NOVERB)`,
//! `%!(BADWIDTH)`, `%!(BADPREC)`, `%!d(BADINDEX)`.

use crate::value::{FloatKind, Type, Value};

/// Appends what the pointer object `o` points to, as `%v` prints a struct value: `{a b}`
/// where the pointer itself prints `&{a b}`.
pub fn write_pointee(out: &mut String, o: &dyn crate::Object) {
    let start = out.len();
    o.format(out);
    if out[start..].starts_with('&') {
        out.remove(start);
    }
}

/// Appends `v` formatted as `%v`.
pub fn write_value(out: &mut String, v: &Value) {
    use std::fmt::Write;
    // Fast paths for what charts print most (ports, replicas, flags), skipping the
    // general printer's buffers. Integral floats below 1e6 print as integers in Go's %v
    // (from 1e6 on it switches to 1e+06); -0 keeps its sign.
    match v {
        Value::String(s) => return out.push_str(s),
        Value::Int(i, _) => {
            let _ = write!(out, "{i}");
            return;
        }
        Value::Uint(u, _) => {
            let _ = write!(out, "{u}");
            return;
        }
        Value::Bool(b) => return out.push_str(if *b { "true" } else { "false" }),
        Value::Float(f, _)
            if f.fract() == 0.0 && f.abs() < 1e6 && !(*f == 0.0 && f.is_sign_negative()) =>
        {
            let _ = write!(out, "{}", *f as i64);
            return;
        }
        _ => {}
    }
    let mut p = Printer::new(out);
    p.print_arg(v, 'v');
}

/// `fmt.Sprint`: operands formatted with `%v`, with a space between two operands when
/// neither is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut p = Printer::new(&mut out);
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            p.out.push(' ');
        }
        p.flags = Flags::default();
        p.print_arg(a, 'v');
        prev_string = is_string;
    }
    out
}

/// `fmt.Sprintln`: operands formatted with `%v`, separated by spaces, and a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    let mut p = Printer::new(&mut out);
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            p.out.push(' ');
        }
        p.flags = Flags::default();
        p.print_arg(a, 'v');
    }
    out.push('\n');
    out
}

/// `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    sprintf_into(&mut out, format, args);
    out
}

/// `fmt.Sprintf`, appending to `out`.
pub fn sprintf_into(out: &mut String, format: &str, args: &[Value]) {
    Printer::new(out).do_printf(format, args);
}

/// Formats one value with a format verb and flags (`fmt.Sprintf("%"+spec, v)`).
pub fn format_one(spec: &str, v: &Value) -> String {
    sprintf(&format!("%{spec}"), std::slice::from_ref(v))
}

#[derive(Default, Clone, Copy)]
struct Flags {
    wid_present: bool,
    prec_present: bool,
    minus: bool,
    plus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: usize,
    prec: usize,
}

struct Printer<'a> {
    out: &'a mut String,
    flags: Flags,
    // Set while printing a bad verb's operand, so `String()` methods are not consulted.
    erroring: bool,
    // The operand being printed, for the `%!verb(type=value)` form.
    current: Option<Value>,
}

const LDIGITS: &[u8; 17] = b"0123456789abcdefx";
const UDIGITS: &[u8; 17] = b"0123456789ABCDEFX";

fn too_large(x: i64) -> bool {
    !(-1_000_000..=1_000_000).contains(&x)
}

fn parse_num(s: &[u8], start: usize, end: usize) -> (usize, bool, usize) {
    if start >= end {
        return (0, false, end);
    }
    let (mut num, mut isnum, mut i) = (0usize, false, start);
    while i < end && s[i].is_ascii_digit() {
        if too_large(num as i64) {
            return (0, false, end);
        }
        num = num * 10 + (s[i] - b'0') as usize;
        isnum = true;
        i += 1;
    }
    (num, isnum, i)
}

impl<'a> Printer<'a> {
    fn new(out: &'a mut String) -> Printer<'a> {
        Printer {
            out,
            flags: Flags::default(),
            erroring: false,
            current: None,
        }
    }

    fn write_padding(&mut self, n: usize) {
        let c = if self.flags.zero && !self.flags.minus {
            '0'
        } else {
            ' '
        };
        self.out.extend(std::iter::repeat_n(c, n));
    }

    fn pad(&mut self, s: &str) {
        if !self.flags.wid_present || self.flags.wid == 0 {
            self.out.push_str(s);
            return;
        }
        let width = self.flags.wid.saturating_sub(s.chars().count());
        if !self.flags.minus {
            self.write_padding(width);
            self.out.push_str(s);
        } else {
            self.out.push_str(s);
            self.write_padding(width);
        }
    }

    fn pad_no_zero(&mut self, s: &str) {
        let old = self.flags.zero;
        self.flags.zero = false;
        self.pad(s);
        self.flags.zero = old;
    }

    fn truncate<'s>(&self, s: &'s str) -> &'s str {
        if self.flags.prec_present
            && let Some((i, _)) = s.char_indices().nth(self.flags.prec)
        {
            return &s[..i];
        }
        s
    }

    fn fmt_s(&mut self, s: &str) {
        let s = self.truncate(s);
        self.pad(s);
    }

    fn fmt_q(&mut self, s: &str) {
        let s = self.truncate(s);
        if self.flags.sharp && can_backquote(s) {
            self.pad(&format!("`{s}`"));
            return;
        }
        if !self.flags.wid_present {
            quote_into(self.out, s.as_bytes(), '"', self.flags.plus);
            return;
        }
        let q = quote_with(s.as_bytes(), '"', self.flags.plus);
        self.pad(&q);
    }

    fn fmt_sbx(&mut self, b: &[u8], digits: &[u8; 17]) {
        let mut length = b.len();
        if self.flags.prec_present && self.flags.prec < length {
            length = self.flags.prec;
        }
        let mut width = 2 * length;
        if width > 0 {
            if self.flags.space {
                if self.flags.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if self.flags.sharp {
                width += 2;
            }
        } else {
            if self.flags.wid_present {
                self.write_padding(self.flags.wid);
            }
            return;
        }
        if self.flags.wid_present && self.flags.wid > width && !self.flags.minus {
            self.write_padding(self.flags.wid - width);
        }
        if self.flags.sharp {
            self.out.push('0');
            self.out.push(digits[16] as char);
        }
        for (i, &c) in b[..length].iter().enumerate() {
            if self.flags.space && i > 0 {
                self.out.push(' ');
                if self.flags.sharp {
                    self.out.push('0');
                    self.out.push(digits[16] as char);
                }
            }
            self.out.push(digits[(c >> 4) as usize] as char);
            self.out.push(digits[(c & 0xF) as usize] as char);
        }
        if self.flags.wid_present && self.flags.wid > width && self.flags.minus {
            self.write_padding(self.flags.wid - width);
        }
    }

    fn fmt_integer(&mut self, u: u64, base: u32, signed: bool, verb: char, digits: &[u8; 17]) {
        let negative = signed && (u as i64) < 0;
        let mut u = if negative {
            (u as i64).unsigned_abs()
        } else {
            u
        };
        let f = self.flags;
        let mut prec = 0usize;
        if f.prec_present {
            prec = f.prec;
            if prec == 0 && u == 0 {
                let old = self.flags.zero;
                self.flags.zero = false;
                self.write_padding(f.wid);
                self.flags.zero = old;
                return;
            }
        } else if f.zero && !f.minus && f.wid_present {
            prec = f.wid;
            if negative || f.plus || f.space {
                prec = prec.saturating_sub(1);
            }
        }
        let mut buf: Vec<u8> = Vec::with_capacity(24 + prec);
        let b = base as u64;
        while u >= b {
            buf.push(digits[(u % b) as usize]);
            u /= b;
        }
        buf.push(digits[u as usize]);
        while buf.len() < prec {
            buf.push(b'0');
        }
        if f.sharp {
            match base {
                2 => buf.extend_from_slice(b"b0"),
                8 if buf.last() != Some(&b'0') => buf.push(b'0'),
                16 => {
                    buf.push(digits[16]);
                    buf.push(b'0');
                }
                _ => {}
            }
        }
        if verb == 'O' {
            buf.extend_from_slice(b"o0");
        }
        if negative {
            buf.push(b'-');
        } else if f.plus {
            buf.push(b'+');
        } else if f.space {
            buf.push(b' ');
        }
        buf.reverse();
        let s = String::from_utf8(buf).expect("ascii digits");
        self.pad_no_zero(&s);
    }

    fn fmt_unicode(&mut self, u: u64) {
        let mut prec = 4;
        if self.flags.prec_present && self.flags.prec > 4 {
            prec = self.flags.prec;
        }
        let mut s = format!("U+{:0prec$X}", u, prec = prec);
        if self.flags.sharp
            && let Some(c) = char::from_u32(u as u32).filter(|_| u <= 0x10FFFF)
            && is_print(c)
        {
            s.push_str(&format!(" '{c}'"));
        }
        self.pad_no_zero(&s);
    }

    fn fmt_c(&mut self, c: u64) {
        let r = char::from_u32(u32::try_from(c).unwrap_or(0xFFFD)).unwrap_or('\u{FFFD}');
        self.pad(r.encode_utf8(&mut [0; 4]));
    }

    fn fmt_qc(&mut self, c: u64) {
        let r = char::from_u32(u32::try_from(c).unwrap_or(0xFFFD)).unwrap_or('\u{FFFD}');
        let q = quote_rune(r, self.flags.plus);
        self.pad(&q);
    }

    fn fmt_float_with(&mut self, v: f64, bits: u32, verb: char, prec: i32) {
        let prec = if self.flags.prec_present {
            self.flags.prec as i32
        } else {
            prec
        };
        let mut num = format_float(v, verb as u8, prec, bits);
        if !num.starts_with('-') && !num.starts_with('+') {
            num.insert(0, '+');
        }
        if self.flags.space && num.starts_with('+') && !self.flags.plus {
            num.replace_range(0..1, " ");
        }
        let second = num.as_bytes()[1];
        if second == b'I' || second == b'N' {
            let old = self.flags.zero;
            self.flags.zero = false;
            if second == b'N' && !self.flags.space && !self.flags.plus {
                num.remove(0);
            }
            self.pad(&num);
            self.flags.zero = old;
            return;
        }
        if self.flags.sharp && verb != 'b' {
            let mut digits: i32 = 0;
            if matches!(verb, 'v' | 'g' | 'G' | 'x') {
                digits = prec;
                if digits == -1 {
                    digits = 6;
                }
            }
            let bytes = num.as_bytes();
            let mut tail = String::new();
            let mut body_end = bytes.len();
            let mut has_point = false;
            let mut saw_nonzero = false;
            let mut i = 1;
            while i < body_end {
                match bytes[i] {
                    b'.' => has_point = true,
                    b'p' | b'P' => {
                        tail = num[i..].to_string();
                        body_end = i;
                        break;
                    }
                    b'e' | b'E' if verb != 'x' && verb != 'X' => {
                        tail = num[i..].to_string();
                        body_end = i;
                        break;
                    }
                    c => {
                        if c != b'0' {
                            saw_nonzero = true;
                        }
                        if saw_nonzero {
                            digits -= 1;
                        }
                    }
                }
                i += 1;
            }
            num.truncate(body_end);
            if !has_point {
                if num.len() == 2 && num.as_bytes()[1] == b'0' {
                    digits -= 1;
                }
                num.push('.');
            }
            while digits > 0 {
                num.push('0');
                digits -= 1;
            }
            num.push_str(&tail);
        }
        if self.flags.plus || !num.starts_with('+') {
            if self.flags.zero
                && !self.flags.minus
                && self.flags.wid_present
                && self.flags.wid > num.len()
            {
                let (sign, rest) = num.split_at(1);
                self.out.push_str(sign);
                self.write_padding(self.flags.wid - num.len());
                self.out.push_str(rest);
                return;
            }
            self.pad(&num);
            return;
        }
        let rest = num[1..].to_string();
        self.pad(&rest);
    }

    fn fmt_float(&mut self, v: f64, bits: u32, verb: char) {
        match verb {
            'v' => self.fmt_float_with(v, bits, 'g', -1),
            'b' | 'g' | 'G' | 'x' | 'X' => self.fmt_float_with(v, bits, verb, -1),
            'f' | 'e' | 'E' => self.fmt_float_with(v, bits, verb, 6),
            'F' => self.fmt_float_with(v, bits, 'f', 6),
            _ => self.bad_verb(verb),
        }
    }

    fn fmt_int_verb(&mut self, v: u64, signed: bool, verb: char) {
        match verb {
            'v' => {
                if self.flags.sharp_v && !signed {
                    self.fmt_0x64(v, true);
                } else {
                    self.fmt_integer(v, 10, signed, verb, LDIGITS);
                }
            }
            'd' => self.fmt_integer(v, 10, signed, verb, LDIGITS),
            'b' => self.fmt_integer(v, 2, signed, verb, LDIGITS),
            'o' | 'O' => self.fmt_integer(v, 8, signed, verb, LDIGITS),
            'x' => self.fmt_integer(v, 16, signed, verb, LDIGITS),
            'X' => self.fmt_integer(v, 16, signed, verb, UDIGITS),
            'c' => self.fmt_c(v),
            'q' => self.fmt_qc(v),
            'U' => self.fmt_unicode(v),
            _ => self.bad_verb(verb),
        }
    }

    fn fmt_0x64(&mut self, v: u64, leading0x: bool) {
        let sharp = self.flags.sharp;
        self.flags.sharp = leading0x;
        self.fmt_integer(v, 16, false, 'v', LDIGITS);
        self.flags.sharp = sharp;
    }

    fn fmt_string(&mut self, s: &str, verb: char) {
        match verb {
            'v' => {
                if self.flags.sharp_v {
                    self.fmt_q(s)
                } else {
                    self.fmt_s(s)
                }
            }
            's' => self.fmt_s(s),
            'x' => self.fmt_sbx(s.as_bytes(), LDIGITS),
            'X' => self.fmt_sbx(s.as_bytes(), UDIGITS),
            'q' => self.fmt_q(s),
            _ => self.bad_verb(verb),
        }
    }

    fn fmt_bytes(&mut self, b: &[u8], verb: char, depth: usize) {
        match verb {
            'v' | 'd' => {
                if self.flags.sharp_v {
                    // Go names the type []byte only for a top-level operand.
                    self.out
                        .push_str(if depth == 0 { "[]byte{" } else { "[]uint8{" });
                    for (i, &c) in b.iter().enumerate() {
                        if i > 0 {
                            self.out.push_str(", ");
                        }
                        self.fmt_0x64(c as u64, true);
                    }
                    self.out.push('}');
                } else {
                    self.out.push('[');
                    for (i, &c) in b.iter().enumerate() {
                        if i > 0 {
                            self.out.push(' ');
                        }
                        self.fmt_integer(c as u64, 10, false, verb, LDIGITS);
                    }
                    self.out.push(']');
                }
            }
            's' => {
                let s = String::from_utf8_lossy(b).into_owned();
                self.fmt_s(&s);
            }
            'x' => self.fmt_sbx(b, LDIGITS),
            'X' => self.fmt_sbx(b, UDIGITS),
            'q' => {
                let mut cut = b;
                if self.flags.prec_present {
                    let s = String::from_utf8_lossy(b);
                    let n = s
                        .char_indices()
                        .nth(self.flags.prec)
                        .map_or(b.len(), |(i, _)| i);
                    cut = &b[..n.min(b.len())];
                }
                if self.flags.sharp
                    && let Ok(s) = std::str::from_utf8(cut)
                    && can_backquote(s)
                {
                    self.pad(&format!("`{s}`"));
                    return;
                }
                let q = quote_with(cut, '"', self.flags.plus);
                self.pad(&q);
            }
            _ => {
                // Other verbs print the bytes as a list of uint8.
                let sharp_v = self.flags.sharp_v;
                self.out.push_str(if sharp_v { "[]uint8{" } else { "[" });
                for (i, &c) in b.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(if sharp_v { ", " } else { " " });
                    }
                    self.print_value(
                        &Value::Uint(c as u64, crate::value::UintKind::Uint8),
                        verb,
                        depth + 1,
                    );
                }
                self.out.push(if sharp_v { '}' } else { ']' });
            }
        }
    }

    fn bad_verb(&mut self, verb: char) {
        self.erroring = true;
        self.out.push_str("%!");
        self.out.push(verb);
        self.out.push('(');
        match self.current.clone() {
            Some(v) if !v.is_nil() => {
                self.out.push_str(&v.type_name());
                self.out.push('=');
                self.print_value(&v, 'v', 0);
            }
            _ => self.out.push_str("<nil>"),
        }
        self.out.push(')');
        self.erroring = false;
    }

    fn print_arg(&mut self, v: &Value, verb: char) {
        self.print_value(v, verb, 0);
    }

    fn print_value(&mut self, v: &Value, verb: char, depth: usize) {
        if depth > crate::value::MAX_NESTING {
            // Only a container holding itself gets here (Go would overflow its stack).
            self.out.push_str("<max depth exceeded>");
            return;
        }
        match verb {
            // Go pads a nil operand's `<nil>` without truncating it to the precision.
            'T' if depth == 0 && v.is_nil() => {
                self.pad("<nil>");
                return;
            }
            'T' if depth == 0 => {
                let t = v.type_name();
                self.fmt_s(&t);
                return;
            }
            'p' if depth == 0 => {
                let saved = self.current.replace(v.clone());
                self.fmt_pointer(v, 'p');
                self.current = saved;
                return;
            }
            // `%w` wraps errors in Errorf; Sprintf (and template values, which are never
            // errors) report it as a bad verb on the whole operand ([]byte goes
            // element by element, as for any other verb it does not know).
            'w' if depth == 0 && !matches!(v, Value::Nil | Value::Bytes(_)) => {
                let saved = self.current.replace(v.clone());
                self.bad_verb('w');
                self.current = saved;
                return;
            }
            _ => {}
        }
        let saved = self.current.replace(v.clone());
        match v {
            Value::Nil => {
                if verb == 'v' {
                    self.pad("<nil>");
                } else {
                    self.bad_verb(verb);
                }
            }
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { "true" } else { "false" }),
                _ => self.bad_verb(verb),
            },
            Value::Int(i, _) => self.fmt_int_verb(*i as u64, true, verb),
            Value::Uint(u, _) => self.fmt_int_verb(*u, false, verb),
            Value::Float(f, k) => {
                let bits = if *k == FloatKind::Float32 { 32 } else { 64 };
                self.fmt_float(*f, bits, verb)
            }
            Value::String(s) => self.fmt_string(s, verb),
            Value::Bytes(b) => self.fmt_bytes(b, verb, depth),
            Value::List(l) => {
                if matches!(verb, 's' | 'q' | 'x' | 'X')
                    && *l.elem() == Type::Uint(crate::value::UintKind::Uint8)
                {
                    let bytes: Vec<u8> = l.iter().map(|x| x.as_i64().unwrap_or(0) as u8).collect();
                    self.fmt_bytes(&bytes, verb, depth + 1);
                } else if self.flags.sharp_v {
                    self.out.push_str(&v.type_name());
                    self.out.push('{');
                    for (i, item) in l.iter().enumerate() {
                        if i > 0 {
                            self.out.push_str(", ");
                        }
                        self.print_elem(item, l.elem(), verb, depth + 1);
                    }
                    self.out.push('}');
                } else {
                    self.out.push('[');
                    for (i, item) in l.iter().enumerate() {
                        if i > 0 {
                            self.out.push(' ');
                        }
                        self.print_elem(item, l.elem(), verb, depth + 1);
                    }
                    self.out.push(']');
                }
            }
            Value::Map(m) => {
                if self.flags.sharp_v {
                    self.out.push_str(&v.type_name());
                    self.out.push('{');
                } else {
                    self.out.push_str("map[");
                }
                let elem = m.elem().clone();
                for (i, (k, item)) in m.entries().iter().enumerate() {
                    if i > 0 {
                        if self.flags.sharp_v {
                            self.out.push_str(", ");
                        } else {
                            self.out.push(' ');
                        }
                    }
                    self.print_value(&Value::String(k.clone()), verb, depth + 1);
                    self.out.push(':');
                    self.print_elem(item, &elem, verb, depth + 1);
                }
                self.out.push(if self.flags.sharp_v { '}' } else { ']' });
            }
            Value::Object(o) => {
                if matches!(verb, 'v' | 's') {
                    let mut s = String::new();
                    o.format(&mut s);
                    if verb == 's' || !self.flags.sharp_v {
                        self.fmt_s(&s);
                    } else {
                        self.out.push_str(&s);
                    }
                } else {
                    self.bad_verb(verb);
                }
            }
            Value::Func(_) => self.fmt_pointer(v, verb),
        }
        self.current = saved;
    }

    // An element of an interface-typed container that is nil prints as `<nil>` under
    // every verb, where a top-level nil operand is a bad verb.
    fn print_elem(&mut self, item: &Value, elem: &Type, verb: char, depth: usize) {
        if item.is_nil() {
            if self.flags.sharp_v {
                self.out.push_str(&format!("{elem}(nil)"));
            } else {
                self.out.push_str("<nil>");
            }
            return;
        }
        self.print_value(item, verb, depth);
    }

    fn fmt_pointer(&mut self, v: &Value, verb: char) {
        // Go prints addresses; there are none here, so reference values print a stable
        // stand-in of the same shape.
        let addr: u64 = match v {
            Value::Func(f) => std::sync::Arc::as_ptr(f) as *const () as usize as u64,
            Value::Map(_) | Value::List(_) | Value::Bytes(_) | Value::Object(_) => 0xc000010000,
            _ => {
                self.bad_verb(verb);
                return;
            }
        };
        match verb {
            'v' => self.fmt_0x64(addr, !self.flags.sharp),
            'p' => self.fmt_0x64(addr, !self.flags.sharp),
            'b' | 'o' | 'd' | 'x' | 'X' => self.fmt_int_verb(addr, false, verb),
            _ => self.bad_verb(verb),
        }
    }

    fn do_printf(&mut self, format: &str, args: &[Value]) {
        let s = format.as_bytes();
        let end = s.len();
        let mut arg_num = 0usize;
        let mut after_index;
        let mut reordered = false;
        let mut i = 0;
        'format: while i < end {
            let mut good_arg_num = true;
            let last = i;
            while i < end && s[i] != b'%' {
                i += 1;
            }
            if i > last {
                self.out.push_str(&format[last..i]);
            }
            if i >= end {
                break;
            }
            i += 1;
            self.flags = Flags::default();
            while i < end {
                match s[i] {
                    b'#' => self.flags.sharp = true,
                    b'0' => self.flags.zero = true,
                    b'+' => self.flags.plus = true,
                    b'-' => self.flags.minus = true,
                    b' ' => self.flags.space = true,
                    c => {
                        if c.is_ascii_lowercase() && arg_num < args.len() {
                            if c == b'v' || c == b'w' {
                                self.flags.sharp_v = self.flags.sharp;
                                self.flags.sharp = false;
                                self.flags.plus_v = self.flags.plus;
                                self.flags.plus = false;
                            }
                            self.print_arg(&args[arg_num], c as char);
                            arg_num += 1;
                            i += 1;
                            continue 'format;
                        }
                        break;
                    }
                }
                i += 1;
            }
            // Argument index, width.
            reordered |= s.get(i) == Some(&b'[');
            let (n, ni, found, ok) = arg_number(arg_num, s, i, args.len());
            arg_num = n;
            i = ni;
            after_index = found;
            if !ok {
                good_arg_num = false;
            }
            if i < end && s[i] == b'*' {
                i += 1;
                let (w, present, n) = int_from_arg(args, arg_num);
                arg_num = n;
                self.flags.wid_present = present;
                if !present {
                    self.out.push_str("%!(BADWIDTH)");
                }
                if w < 0 {
                    self.flags.wid = w.unsigned_abs() as usize;
                    self.flags.minus = true;
                    self.flags.zero = false;
                } else {
                    self.flags.wid = w as usize;
                }
                after_index = false;
            } else {
                let (w, present, ni) = parse_num(s, i, end);
                self.flags.wid = w;
                self.flags.wid_present = present;
                i = ni;
                if after_index && present {
                    good_arg_num = false;
                }
            }
            if i + 1 < end && s[i] == b'.' {
                i += 1;
                if after_index {
                    good_arg_num = false;
                }
                reordered |= s.get(i) == Some(&b'[');
                let (n, ni, found, ok) = arg_number(arg_num, s, i, args.len());
                arg_num = n;
                i = ni;
                after_index = found;
                if !ok {
                    good_arg_num = false;
                }
                if i < end && s[i] == b'*' {
                    i += 1;
                    let (p, present, n) = int_from_arg(args, arg_num);
                    arg_num = n;
                    self.flags.prec_present = present;
                    if p < 0 {
                        self.flags.prec = 0;
                        self.flags.prec_present = false;
                    } else {
                        self.flags.prec = p as usize;
                    }
                    if !self.flags.prec_present {
                        self.out.push_str("%!(BADPREC)");
                    }
                    after_index = false;
                } else {
                    let (p, present, ni) = parse_num(s, i, end);
                    i = ni;
                    self.flags.prec = if present { p } else { 0 };
                    self.flags.prec_present = true;
                }
            }
            if !after_index {
                reordered |= s.get(i) == Some(&b'[');
                let (n, ni, found, ok) = arg_number(arg_num, s, i, args.len());
                arg_num = n;
                i = ni;
                let _ = found;
                if !ok {
                    good_arg_num = false;
                }
            }
            if i >= end {
                self.out.push_str("%!(NOVERB)");
                break;
            }
            let verb = format[i..].chars().next().expect("in bounds");
            i += verb.len_utf8();
            if verb == '%' {
                self.out.push('%');
            } else if !good_arg_num {
                self.out.push_str("%!");
                self.out.push(verb);
                self.out.push_str("(BADINDEX)");
            } else if arg_num >= args.len() {
                self.out.push_str("%!");
                self.out.push(verb);
                self.out.push_str("(MISSING)");
            } else {
                if verb == 'v' || verb == 'w' {
                    self.flags.sharp_v = self.flags.sharp;
                    self.flags.sharp = false;
                    self.flags.plus_v = self.flags.plus;
                    self.flags.plus = false;
                }
                self.print_arg(&args[arg_num], verb);
                arg_num += 1;
            }
        }
        if !reordered && arg_num < args.len() {
            self.flags = Flags::default();
            self.out.push_str("%!(EXTRA ");
            for (i, a) in args[arg_num..].iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                if a.is_nil() {
                    self.out.push_str("<nil>");
                } else {
                    self.out.push_str(&a.type_name());
                    self.out.push('=');
                    self.print_arg(a, 'v');
                }
            }
            self.out.push(')');
        }
    }
}

// Go's `argNumber`: an optional `[n]` at `i`. Returns the new argument number, the new
// index, whether an index was found, and whether it was well formed and in range.
fn arg_number(arg_num: usize, s: &[u8], i: usize, num_args: usize) -> (usize, usize, bool, bool) {
    if s.len() <= i || s[i] != b'[' {
        return (arg_num, i, false, true);
    }
    let rest = &s[i..];
    if rest.len() < 3 {
        return (arg_num, i + 1, false, false);
    }
    for j in 1..rest.len() {
        if rest[j] == b']' {
            let (width, ok, newi) = parse_num(rest, 1, j);
            if !ok || newi != j {
                return (arg_num, i + j + 1, false, false);
            }
            let index = width as i64 - 1;
            if index >= 0 && (index as usize) < num_args {
                return (index as usize, i + j + 1, true, true);
            }
            return (arg_num, i + j + 1, true, false);
        }
    }
    (arg_num, i + 1, false, false)
}

fn int_from_arg(args: &[Value], arg_num: usize) -> (i64, bool, usize) {
    if arg_num >= args.len() {
        return (0, false, arg_num);
    }
    let (mut num, mut is_int) = match &args[arg_num] {
        Value::Int(i, _) => (*i, true),
        Value::Uint(u, _) => match i64::try_from(*u) {
            Ok(i) => (i, true),
            Err(_) => (0, false),
        },
        _ => (0, false),
    };
    if too_large(num) {
        num = 0;
        is_int = false;
    }
    (num, is_int, arg_num + 1)
}

/// Go's `strconv.FormatFloat(v, fmt, prec, bits)` for the formats `b e E f g G x X`.
pub fn format_float(v: f64, fmt: u8, prec: i32, bits: u32) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let neg = v.is_sign_negative();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let a = v.abs();
    match fmt {
        b'b' => {
            let (mant, exp) = if bits == 32 {
                let b = (a as f32).to_bits();
                let e = ((b >> 23) & 0xFF) as i64;
                let m = (b & ((1 << 23) - 1)) as u64;
                if e == 0 {
                    (m, -149)
                } else {
                    (m | (1 << 23), e - 150)
                }
            } else {
                let b = a.to_bits();
                let e = ((b >> 52) & 0x7FF) as i64;
                let m = b & ((1 << 52) - 1);
                if e == 0 {
                    (m, -1074)
                } else {
                    (m | (1 << 52), e - 1075)
                }
            };
            out.push_str(&format!(
                "{mant}p{}{}",
                if exp >= 0 { "+" } else { "-" },
                exp.abs()
            ));
            return out;
        }
        b'x' | b'X' => {
            out.push_str(&fmt_hex_float(a, prec, bits, fmt == b'X'));
            return out;
        }
        _ => {}
    }
    let shortest = prec < 0;
    // Integral values below 1e6 print as plain integers under shortest %g and %v (Go
    // switches to an exponent from 1e6 on); this is every port and replica count.
    if shortest && matches!(fmt, b'g' | b'G') && a.fract() == 0.0 && a < 1e6 {
        out.push_str(itoa(a as u64, &mut [0u8; 20]));
        return out;
    }
    let digs = if shortest {
        Digits::shortest(a, bits)
    } else {
        match fmt {
            b'e' | b'E' => Digits::rounded(a, prec as usize + 1),
            b'f' => Digits::fixed(a, prec as usize),
            _ => Digits::rounded(a, if prec == 0 { 1 } else { prec as usize }),
        }
    };
    match fmt {
        b'e' | b'E' => {
            let p = if shortest {
                digs.d.len().saturating_sub(1)
            } else {
                prec as usize
            };
            fmt_e(&mut out, &digs, p, fmt as char);
        }
        b'f' => {
            let p = if shortest {
                (digs.d.len() as i64 - digs.dp).max(0) as usize
            } else {
                prec as usize
            };
            fmt_f(&mut out, &digs, p);
        }
        _ => {
            let nd = digs.d.len() as i64;
            let mut eprec = if shortest {
                nd
            } else if prec == 0 {
                1
            } else {
                prec as i64
            };
            let mut p = eprec;
            if eprec > nd && nd >= digs.dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = digs.dp - 1;
            let e = if fmt == b'G' { 'E' } else { 'e' };
            if exp < -4 || exp >= eprec {
                if p > nd {
                    p = nd;
                }
                fmt_e(&mut out, &digs, (p - 1).max(0) as usize, e);
            } else {
                if p > digs.dp {
                    p = nd;
                }
                fmt_f(&mut out, &digs, (p - digs.dp).max(0) as usize);
            }
        }
    }
    out
}

/// Formats `v` in decimal into `buf`, returning the digits.
fn itoa(mut v: u64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).expect("ascii digits")
}

// Decimal digits of a non-negative float, without trailing zeros, and the position of
// the decimal point (value = 0.d1d2d3... * 10^dp).
struct Digits {
    d: Vec<u8>,
    dp: i64,
}

impl Digits {
    fn from_sci(s: &str) -> Digits {
        // Rust's `{:e}`: "1.2345e-7" / "1e6" / "0e0".
        let (mant, exp) = s.split_once('e').expect("scientific");
        let exp: i64 = exp.parse().expect("exponent");
        let mut d: Vec<u8> = mant.bytes().filter(|c| c.is_ascii_digit()).collect();
        while d.last() == Some(&b'0') {
            d.pop();
        }
        if d.is_empty() {
            return Digits { d, dp: 0 };
        }
        Digits { d, dp: exp + 1 }
    }

    fn shortest(a: f64, bits: u32) -> Digits {
        if bits == 32 {
            Digits::from_sci(&format!("{:e}", a as f32))
        } else {
            Digits::from_sci(&format!("{a:e}"))
        }
    }

    fn rounded(a: f64, n: usize) -> Digits {
        Digits::from_sci(&format!("{:.*e}", n.saturating_sub(1), a))
    }

    fn fixed(a: f64, prec: usize) -> Digits {
        let s = format!("{a:.prec$}");
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        let mut d: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
        let mut dp = int.len() as i64;
        while d.first() == Some(&b'0') {
            d.remove(0);
            dp -= 1;
        }
        while d.last() == Some(&b'0') {
            d.pop();
        }
        if d.is_empty() {
            dp = 0;
        }
        Digits { d, dp }
    }
}

fn fmt_e(out: &mut String, digs: &Digits, prec: usize, e: char) {
    out.push(if digs.d.is_empty() {
        '0'
    } else {
        digs.d[0] as char
    });
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(digs.d.get(i).map_or('0', |&c| c as char));
        }
    }
    out.push(e);
    let exp = if digs.d.is_empty() { 0 } else { digs.dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let x = exp.abs();
    if x < 10 {
        out.push('0');
    }
    out.push_str(&x.to_string());
}

fn fmt_f(out: &mut String, digs: &Digits, prec: usize) {
    if digs.dp > 0 {
        let n = digs.dp as usize;
        for i in 0..n {
            out.push(digs.d.get(i).map_or('0', |&c| c as char));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec as i64 {
            let j = digs.dp + i - 1;
            let c = if j >= 0 && (j as usize) < digs.d.len() {
                digs.d[j as usize] as char
            } else {
                '0'
            };
            out.push(c);
        }
    }
}

fn fmt_hex_float(a: f64, prec: i32, bits: u32, upper: bool) -> String {
    // Mantissa with the leading 1 at bit 60, binary exponent.
    let (mut mant, mut exp): (u64, i64) = if bits == 32 {
        let b = (a as f32).to_bits();
        let e = ((b >> 23) & 0xFF) as i64;
        let m = (b & ((1 << 23) - 1)) as u64;
        if e == 0 {
            (m, -149)
        } else {
            (m | (1 << 23), e - 150)
        }
    } else {
        let b = a.to_bits();
        let e = ((b >> 52) & 0x7FF) as i64;
        let m = b & ((1 << 52) - 1);
        if e == 0 {
            (m, -1074)
        } else {
            (m | (1 << 52), e - 1075)
        }
    };
    if mant == 0 {
        exp = 0;
    } else {
        // Normalize so that the leading 1 is at bit 60.
        while mant & (1 << 60) == 0 {
            mant <<= 1;
            exp -= 1;
        }
        exp += 60;
        if (0..15).contains(&prec) {
            let shift = 60 - 4 * prec as u32;
            let extra = mant & ((1u64 << shift) - 1);
            mant >>= shift;
            let half = 1u64 << (shift - 1);
            if extra > half || (extra == half && mant & 1 == 1) {
                mant += 1;
            }
            mant <<= shift;
            if mant & (1 << 61) != 0 {
                mant >>= 1;
                exp += 1;
            }
        }
    }
    let digits = if upper { UDIGITS } else { LDIGITS };
    let mut s = String::from(if upper { "0X" } else { "0x" });
    s.push((b'0' + ((mant >> 60) & 1) as u8) as char);
    let mut frac = mant << 4;
    let mut frac_digits = String::new();
    if prec < 0 {
        while frac != 0 {
            frac_digits.push(digits[((frac >> 60) & 0xF) as usize] as char);
            frac <<= 4;
        }
    } else {
        for _ in 0..prec {
            frac_digits.push(digits[((frac >> 60) & 0xF) as usize] as char);
            frac <<= 4;
        }
    }
    if !frac_digits.is_empty() {
        s.push('.');
        s.push_str(&frac_digits);
    }
    s.push(if upper { 'P' } else { 'p' });
    s.push(if exp < 0 { '-' } else { '+' });
    let x = exp.abs();
    if x < 10 {
        s.push('0');
    }
    s.push_str(&x.to_string());
    s
}

/// Go's `unicode.IsPrint`, approximated without Unicode tables: control, format,
/// private-use, non-character and separator code points other than the ASCII space are
/// not printable.
pub fn is_print(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x2028..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0xE000..=0xF8FF | 0xFDD0..=0xFDEF | 0xFFFE | 0xFFFF | 0xF0000..=0x10FFFF
        | 0xE0001 | 0xE0020..=0xE007F)
        && (c as u32) & 0xFFFE != 0xFFFE
}

/// Go's `strconv.Quote`.
pub fn quote(s: &str) -> String {
    quote_with(s.as_bytes(), '"', false)
}

/// Go's `strconv.QuoteToASCII`.
pub fn quote_to_ascii(s: &str) -> String {
    quote_with(s.as_bytes(), '"', true)
}

fn quote_with(s: &[u8], q: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    quote_into(&mut out, s, q, ascii_only);
    out
}

fn quote_into(out: &mut String, s: &[u8], q: char, ascii_only: bool) {
    out.reserve(s.len() + 2);
    out.push(q);
    match std::str::from_utf8(s) {
        Ok(valid) => quote_valid(out, valid, q, ascii_only),
        Err(_) => {
            for chunk in s.utf8_chunks() {
                quote_valid(out, chunk.valid(), q, ascii_only);
                for &b in chunk.invalid() {
                    out.push_str(&format!("\\x{b:02x}"));
                }
            }
        }
    }
    out.push(q);
}

fn quote_valid(out: &mut String, s: &str, q: char, ascii_only: bool) {
    // Runs of printable ASCII (the usual content) are copied whole.
    let mut rest = s;
    while !rest.is_empty() {
        let run = rest
            .bytes()
            .position(|b| !(b' '..=b'~').contains(&b) || b == q as u8 || b == b'\\')
            .unwrap_or(rest.len());
        out.push_str(&rest[..run]);
        rest = &rest[run..];
        if let Some(c) = rest.chars().next() {
            append_escaped_rune(out, c, q, ascii_only);
            rest = &rest[c.len_utf8()..];
        }
    }
}

fn quote_rune(r: char, ascii_only: bool) -> String {
    let mut out = String::from("'");
    append_escaped_rune(&mut out, r, '\'', ascii_only);
    out.push('\'');
    out
}

fn append_escaped_rune(out: &mut String, c: char, q: char, ascii_only: bool) {
    if c == q || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if ascii_only {
        if c.is_ascii() && is_print(c) {
            out.push(c);
            return;
        }
    } else if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Go's `strconv.CanBackquote`.
pub fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c == '\t' || !(c < ' ' || c == '`' || c == '\u{7f}' || c == '\u{FEFF}'))
}

/// Standard base64 with padding (Go's `base64.StdEncoding`), for `[]byte` in JSON.
pub(crate) fn base64_std(b: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 {
            A[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if c.len() > 2 {
            A[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}
