//! The template parser of fluxcd/pkg `envsubst` (itself drone/envsubst's): a hand-written
//! scanner whose accept rules change with the construct being read.
//!
//! The scanner is reproduced step for step, byte offsets included, because its quirks are
//! Flux's syntax: which characters end a default value, that `$$` collapses to `$` in plain
//! text, that `${var-x}` is an error, and which error a malformed expression yields.

use crate::Error;

/// Nested `${...}` expressions deeper than this are refused (SECURITY 22). Real templates
/// nest two or three levels.
pub const MAX_DEPTH: usize = 64;

/// A parsed template piece.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    Text(Vec<u8>),
    /// `${param<op>args}`; `op` is empty for a plain `${param}`.
    Func {
        param: Vec<u8>,
        op: Vec<u8>,
        args: Vec<Node>,
    },
}

/// The character classes a token may be made of; which one is in force depends on where
/// the parser is. `i` is the 1-based position of the character within the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Accept {
    Any,
    Ident,
    Colon,
    OneHash,
    NotClosing,
    HashOp,
    PercentOp,
    DefaultOp,
    ReplaceOp,
    OneEqual,
    OneColon,
    NotColonOrClosing,
    Slash,
    NotSlash,
    CasingOp,
}

impl Accept {
    fn accepts(self, r: char, i: usize) -> bool {
        match self {
            Accept::Any => true,
            // Go's unicode.IsLetter / IsDigit.
            Accept::Ident => is_letter(r) || is_digit(r) || r == '_',
            Accept::Colon => r == ':',
            Accept::OneHash => r == '#' && i == 1,
            Accept::NotClosing => r != '}',
            Accept::HashOp => r == '#' && i < 3,
            Accept::PercentOp => r == '%' && i < 3,
            Accept::DefaultOp => {
                (i == 1 && r == ':') || (i == 2 && matches!(r, '=' | '-' | '?' | '+'))
            }
            Accept::ReplaceOp => (i == 1 && r == '/') || (i == 2 && matches!(r, '/' | '#' | '%')),
            Accept::OneEqual => i == 1 && r == '=',
            Accept::OneColon => i == 1 && r == ':',
            Accept::NotColonOrClosing => r != ':' && r != '}',
            Accept::Slash => r == '/',
            Accept::NotSlash => r != '/',
            Accept::CasingOp => matches!(r, ',' | '^') && i < 3,
        }
    }
}

fn is_letter(r: char) -> bool {
    if r.is_ascii() {
        r.is_ascii_alphabetic()
    } else {
        // Close to Go's category-L test; differs only on rare marks and letter numbers.
        r.is_alphabetic() && !r.is_numeric()
    }
}

fn is_digit(r: char) -> bool {
    if r.is_ascii() {
        r.is_ascii_digit()
    } else {
        // Go accepts decimal digits (Nd) of every script; `to_digit` cannot tell them apart
        // from other numerics, so approximate with "numeric and not alphabetic".
        r.is_numeric() && !r.is_alphabetic()
    }
}

// Which tokens `scan` may produce.
const MODE_IDENT: u8 = 1;
const MODE_LBRACK: u8 = 2;
const MODE_RBRACK: u8 = 4;
const MODE_ESCAPE: u8 = 8;

// Which characters can be escaped by doubling (`$$`) or a backslash (`\/`, `\\`).
const ESCAPE_DOLLAR: u8 = 1;
const ESCAPE_BACKSLASH: u8 = 2;
const ESCAPE_ALL: u8 = ESCAPE_DOLLAR | ESCAPE_BACKSLASH;

/// Go reads NUL as its end-of-input marker; so does this scanner.
const EOF: char = '\0';

#[derive(Debug, PartialEq, Eq)]
enum Token {
    Illegal,
    Eof,
    Ident,
    Lbrack,
    Rbrack,
}

struct Scanner<'a> {
    src: &'a [u8],
    pos: usize,
    start: usize,
    /// Byte width of the last character read (0 at the end): `unread` steps back by it,
    /// even when a `peek` in between changed it, exactly as upstream.
    width: usize,
    mode: u8,
    escapes: u8,
    accept: Accept,
    /// Escape characters dropped from the current token. Upstream deletes them from its
    /// buffer; remembering their offsets instead keeps the input intact and linear.
    dropped: Vec<usize>,
}

/// Decodes one UTF-8 character; invalid bytes read as U+FFFD of width 1, like Go.
pub(crate) fn decode(b: &[u8]) -> (char, usize) {
    let Some(&first) = b.first() else {
        return (EOF, 0);
    };
    let len = match first {
        0x00..=0x7f => return (first as char, 1),
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return (char::REPLACEMENT_CHARACTER, 1),
    };
    match b.get(..len).and_then(|s| std::str::from_utf8(s).ok()) {
        Some(s) => (s.chars().next().unwrap_or(char::REPLACEMENT_CHARACTER), len),
        None => (char::REPLACEMENT_CHARACTER, 1),
    }
}

impl<'a> Scanner<'a> {
    fn new(src: &'a [u8]) -> Self {
        Scanner {
            src,
            pos: 0,
            start: 0,
            width: 0,
            mode: 0,
            escapes: 0,
            accept: Accept::Any,
            dropped: Vec::new(),
        }
    }

    fn read(&mut self) -> char {
        if self.pos >= self.src.len() {
            self.width = 0;
            return EOF;
        }
        let (r, w) = decode(&self.src[self.pos..]);
        self.width = w;
        self.pos += w;
        r
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(self.width);
    }

    fn peek(&mut self) -> char {
        let r = self.read();
        self.unread();
        r
    }

    /// Drops the escape character just read and takes the escaped one (always one byte:
    /// `$`, `/` or `\`) into the token.
    fn skip(&mut self) {
        self.dropped.push(self.pos - 1);
        self.pos += 1;
        self.width = 1;
    }

    /// The text of the token just scanned, without its escape characters.
    fn text(&self) -> Vec<u8> {
        let end = self.pos.min(self.src.len());
        let start = self.start.min(end);
        // `dropped` is ascending and within the token.
        let mut dropped = self.dropped.iter().peekable();
        let mut out = Vec::with_capacity(end - start);
        for i in start..end {
            if dropped.peek() == Some(&&i) {
                dropped.next();
                continue;
            }
            out.push(self.src[i]);
        }
        out
    }

    /// The 1-based position of the character just read within the token, as upstream
    /// computes it on its (shrinking) buffer.
    fn index(&self) -> usize {
        self.pos - self.start - self.dropped.len()
    }

    fn scan(&mut self) -> Token {
        self.start = self.pos;
        self.dropped.clear();
        let r = self.read();
        if r == EOF {
            Token::Eof
        } else if self.scan_lbrack(r) {
            Token::Lbrack
        } else if self.scan_rbrack(r) {
            Token::Rbrack
        } else if self.scan_ident(r) {
            Token::Ident
        } else {
            Token::Illegal
        }
    }

    fn scan_ident(&mut self, r: char) -> bool {
        if self.mode & MODE_IDENT == 0 {
            return false;
        }
        if self.scan_escaped(r) {
            self.skip();
        } else if !self.accept.accepts(r, self.index()) {
            return false;
        }
        loop {
            let r = self.read();
            if r == EOF {
                self.unread();
                break;
            }
            if self.scan_lbrack(r) {
                // Leave `${` for the next scan.
                self.unread();
                self.unread();
                break;
            }
            if self.scan_escaped(r) {
                self.skip();
                continue;
            }
            if !self.accept.accepts(r, self.index()) {
                self.unread();
                break;
            }
        }
        true
    }

    fn scan_lbrack(&mut self, r: char) -> bool {
        if self.mode & MODE_LBRACK == 0 || r != '$' {
            return false;
        }
        if self.read() == '{' {
            return true;
        }
        self.unread();
        false
    }

    fn scan_rbrack(&self, r: char) -> bool {
        self.mode & MODE_RBRACK != 0 && r == '}'
    }

    fn scan_escaped(&mut self, r: char) -> bool {
        if self.mode & MODE_ESCAPE == 0 {
            return false;
        }
        if r == '$' && self.escapes & ESCAPE_DOLLAR != 0 && self.peek() == '$' {
            return true;
        }
        r == '\\' && self.escapes & ESCAPE_BACKSLASH != 0 && matches!(self.peek(), '/' | '\\')
    }
}

/// Parses a template into its pieces.
pub(crate) fn parse(input: &[u8]) -> Result<Vec<Node>, Error> {
    let mut p = Parser {
        s: Scanner::new(input),
        depth: 0,
    };
    p.parse_any()
}

struct Parser<'a> {
    s: Scanner<'a>,
    depth: usize,
}

impl Parser<'_> {
    /// Plain text and top-level expressions until the end. (Upstream recurses once per
    /// piece; a loop gives the same pieces without a stack as deep as the input is long.)
    fn parse_any(&mut self) -> Result<Vec<Node>, Error> {
        let mut nodes = Vec::new();
        loop {
            self.s.accept = Accept::Any;
            self.s.mode = MODE_IDENT | MODE_LBRACK | MODE_ESCAPE;
            self.s.escapes = ESCAPE_DOLLAR;
            match self.s.scan() {
                Token::Ident => nodes.push(Node::Text(self.s.text())),
                Token::Eof => return Ok(nodes),
                Token::Lbrack => nodes.push(self.parse_func()?),
                Token::Illegal | Token::Rbrack => return Err(Error::BadSubstitution),
            }
        }
    }

    /// After `${`: a name and what follows it.
    fn parse_func(&mut self) -> Result<Node, Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error::TooDeep { limit: MAX_DEPTH });
        }
        let node = self.parse_func_body();
        self.depth -= 1;
        node
    }

    fn parse_func_body(&mut self) -> Result<Node, Error> {
        self.s.escapes = ESCAPE_ALL;
        if self.s.peek() == '#' {
            return self.parse_len();
        }
        self.s.accept = Accept::Ident;
        self.s.mode = MODE_IDENT;
        let name = match self.s.scan() {
            Token::Ident => self.s.text(),
            _ => return Err(Error::ParseVariableName),
        };
        match self.s.peek() {
            ':' => return self.parse_default_or_substr(name),
            '=' => return self.parse_default(name),
            ',' | '^' => return self.parse_casing(name),
            '/' => return self.parse_replace(name),
            '#' => return self.parse_remove(name, Accept::HashOp),
            '%' => return self.parse_remove(name, Accept::PercentOp),
            _ => {}
        }
        self.s.accept = Accept::Ident;
        self.s.mode = MODE_RBRACK;
        match self.s.scan() {
            Token::Rbrack => Ok(Node::Func {
                param: name,
                op: Vec::new(),
                args: Vec::new(),
            }),
            _ => Err(Error::MissingClosingBrace),
        }
    }

    /// One argument: a nested expression or a run of text.
    fn parse_param(&mut self, accept: Accept, mode: u8) -> Result<Node, Error> {
        self.s.accept = accept;
        self.s.mode = mode | MODE_LBRACK;
        match self.s.scan() {
            Token::Lbrack => self.parse_func(),
            Token::Ident | Token::Rbrack => Ok(Node::Text(self.s.text())),
            _ => Err(Error::ParseFuncSubstitution),
        }
    }

    /// The operator token, or `err` when the scanner does not find one.
    fn scan_op(&mut self, accept: Accept, err: Error) -> Result<Vec<u8>, Error> {
        self.s.accept = accept;
        self.s.mode = MODE_IDENT;
        match self.s.scan() {
            Token::Ident => Ok(self.s.text()),
            _ => Err(err),
        }
    }

    fn parse_default_or_substr(&mut self, name: Vec<u8>) -> Result<Node, Error> {
        // Look past the colon. Upstream steps back by the width of the character it peeked
        // at, not of the colon; with a multi-byte character there, or nothing, the next scan
        // starts elsewhere than the colon. Kept, since it decides which error is reported.
        self.s.read();
        let r = self.s.peek();
        self.s.unread();
        match r {
            '=' | '-' | '?' | '+' => self.parse_default(name),
            _ => self.parse_substr(name),
        }
    }

    /// `${param:offset}` and `${param:offset:length}`.
    fn parse_substr(&mut self, name: Vec<u8>) -> Result<Node, Error> {
        let op = self.scan_op(Accept::OneColon, Error::BadSubstitution)?;
        let mut args = vec![self.parse_param(Accept::NotColonOrClosing, MODE_IDENT)?];
        self.s.accept = Accept::Colon;
        self.s.mode = MODE_IDENT | MODE_RBRACK;
        match self.s.scan() {
            Token::Rbrack => return Ok(func(name, op, args)),
            Token::Ident => {}
            _ => return Err(Error::BadSubstitution),
        }
        args.push(self.parse_param(Accept::NotClosing, MODE_IDENT)?);
        self.consume_rbrack()?;
        Ok(func(name, op, args))
    }

    /// `${param#word}`, `${param##word}`, `${param%word}`, `${param%%word}`.
    fn parse_remove(&mut self, name: Vec<u8>, accept: Accept) -> Result<Node, Error> {
        let op = self.scan_op(accept, Error::BadSubstitution)?;
        let args = vec![self.parse_param(Accept::NotClosing, MODE_IDENT)?];
        self.consume_rbrack()?;
        Ok(func(name, op, args))
    }

    /// `${param/pattern/string}` and the `//`, `/#`, `/%` forms. Pattern and replacement
    /// take `\/`, `\\` and `$$` escapes.
    fn parse_replace(&mut self, name: Vec<u8>) -> Result<Node, Error> {
        let op = self.scan_op(Accept::ReplaceOp, Error::BadSubstitution)?;
        let mut args = Vec::new();
        if self.s.peek() == '/' {
            // An empty pattern, as in `${param/#/prefix}`.
            args.push(Node::Text(Vec::new()));
        } else {
            args.push(self.parse_param(Accept::NotSlash, MODE_IDENT | MODE_ESCAPE)?);
        }
        self.scan_op(Accept::Slash, Error::BadSubstitution)?;
        if self.s.peek() == '}' {
            self.consume_rbrack()?;
            return Ok(func(name, op, args));
        }
        args.push(self.parse_param(Accept::NotClosing, MODE_IDENT | MODE_ESCAPE)?);
        self.consume_rbrack()?;
        Ok(func(name, op, args))
    }

    /// `${param=word}`, `${param:=word}`, `${param:-word}`, `${param:?word}`,
    /// `${param:+word}`; the word may mix text and expressions.
    fn parse_default(&mut self, name: Vec<u8>) -> Result<Node, Error> {
        let accept = if self.s.peek() == '=' {
            Accept::OneEqual
        } else {
            Accept::DefaultOp
        };
        let op = self.scan_op(accept, Error::ParseDefaultFunction)?;
        let mut args = Vec::new();
        loop {
            if self.s.peek() == '}' {
                self.consume_rbrack()?;
                return Ok(func(name, op, args));
            }
            args.push(self.parse_param(Accept::NotClosing, MODE_IDENT)?);
        }
    }

    /// `${param,}`, `${param,,}`, `${param^}`, `${param^^}`.
    fn parse_casing(&mut self, name: Vec<u8>) -> Result<Node, Error> {
        let op = self.scan_op(Accept::CasingOp, Error::BadSubstitution)?;
        self.consume_rbrack()?;
        Ok(func(name, op, Vec::new()))
    }

    /// `${#param}`.
    fn parse_len(&mut self) -> Result<Node, Error> {
        let op = self.scan_op(Accept::OneHash, Error::BadSubstitution)?;
        let param = self.scan_op(Accept::Ident, Error::BadSubstitution)?;
        self.consume_rbrack()?;
        Ok(func(param, op, Vec::new()))
    }

    fn consume_rbrack(&mut self) -> Result<(), Error> {
        self.s.mode = MODE_RBRACK;
        if self.s.scan() == Token::Rbrack {
            Ok(())
        } else {
            Err(Error::BadSubstitution)
        }
    }
}

fn func(param: Vec<u8>, op: Vec<u8>, args: Vec<Node>) -> Node {
    Node::Func { param, op, args }
}
