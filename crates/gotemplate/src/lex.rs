//! The lexer: template text to items, with Go's rules for delimiters, trim markers,
//! comments, numbers, strings and character constants, and Go's error texts.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemType {
    Error,
    Bool,
    Char,
    CharConstant,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords (printed as `<word>` in errors).
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl ItemType {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            ItemType::Block
                | ItemType::Break
                | ItemType::Continue
                | ItemType::Dot
                | ItemType::Define
                | ItemType::Else
                | ItemType::End
                | ItemType::If
                | ItemType::Nil
                | ItemType::Range
                | ItemType::Template
                | ItemType::With
        )
    }
}

/// A lexed item. Small and `Copy`: the parser peeks and backs up constantly. An error
/// item's message is not in it but in [`Lexed::error`] (it is always the last item).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item<'a> {
    pub typ: ItemType,
    pub pos: usize,
    pub val: &'a str,
    pub line: usize,
}

/// Everything lexed from one text: the items, ending with EOF or an error, and that
/// error's message.
pub(crate) struct Lexed<'a> {
    pub items: Vec<Item<'a>>,
    pub error: Option<Box<str>>,
}

/// Go's `item.String()`, used in "unexpected X in Y" messages.
impl std::fmt::Display for Item<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.typ {
            ItemType::Eof => f.write_str("EOF"),
            ItemType::Error => f.write_str("error"),
            t if t.is_keyword() => write!(f, "<{}>", self.val),
            _ if self.val.chars().count() > 10 => {
                let head: String = self.val.chars().take(10).collect();
                write!(f, "{}...", crate::fmt::quote(&head))
            }
            _ => f.write_str(&crate::fmt::quote(self.val)),
        }
    }
}

fn keyword(word: &str) -> Option<ItemType> {
    Some(match word {
        "." => ItemType::Dot,
        "block" => ItemType::Block,
        "break" => ItemType::Break,
        "continue" => ItemType::Continue,
        "define" => ItemType::Define,
        "else" => ItemType::Else,
        "end" => ItemType::End,
        "if" => ItemType::If,
        "range" => ItemType::Range,
        "nil" => ItemType::Nil,
        "template" => ItemType::Template,
        "with" => ItemType::With,
        _ => return None,
    })
}

pub(crate) struct Lexer<'a> {
    input: &'a str,
    left: &'a str,
    right: &'a str,
    pos: usize,
    start: usize,
    line: usize,
    start_line: usize,
    paren_depth: usize,
    inside_action: bool,
    break_ok: bool,
    continue_ok: bool,
    done: bool,
    error: Option<Box<str>>,
}

const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1] as char)
}

fn has_right_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0] as char) && b[1] == b'-'
}

/// `hay.find(needle)` by its first character, which `str::find` looks for with memchr: a
/// template is mostly plain text between delimiters, and the general substring search was
/// a twentieth of parsing.
fn find(hay: &str, needle: &str) -> Option<usize> {
    let first = needle.chars().next()?;
    let mut from = 0;
    while let Some(i) = hay[from..].find(first) {
        let at = from + i;
        if hay[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + first.len_utf8();
    }
    None
}

fn trim_right_len(s: &str) -> usize {
    s.len() - s.trim_end_matches(is_space).len()
}

fn trim_left_len(s: &str) -> usize {
    s.len() - s.trim_start_matches(is_space).len()
}

impl<'a> Lexer<'a> {
    pub fn new(
        input: &'a str,
        left: &'a str,
        right: &'a str,
        break_ok: bool,
        continue_ok: bool,
    ) -> Lexer<'a> {
        Lexer {
            input,
            left: if left.is_empty() { "{{" } else { left },
            right: if right.is_empty() { "}}" } else { right },
            pos: 0,
            start: 0,
            line: 1,
            start_line: 1,
            paren_depth: 0,
            inside_action: false,
            break_ok,
            continue_ok,
            done: false,
            error: None,
        }
    }

    /// Lexes everything; the last item is EOF or an error.
    pub fn run(mut self) -> Lexed<'a> {
        // A low guess (chart templates run to about one item per 8-16 bytes): growing
        // costs less than reserving, and faulting in, room for the most item-dense text.
        let mut items = Vec::with_capacity(self.input.len() / 32 + 4);
        while !self.done {
            let item = if self.inside_action {
                self.lex_inside_action()
            } else {
                self.lex_text()
            };
            if let Some(item) = item {
                if matches!(item.typ, ItemType::Eof | ItemType::Error) {
                    self.done = true;
                }
                items.push(item);
            }
        }
        Lexed {
            items,
            error: self.error,
        }
    }

    fn peek(&self) -> Option<char> {
        self.input[self.pos..].chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn backup(&mut self, c: Option<char>) {
        if let Some(c) = c {
            self.pos -= c.len_utf8();
            if c == '\n' {
                self.line -= 1;
            }
        }
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.next();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn item(&mut self, typ: ItemType) -> Item<'a> {
        let item = Item {
            typ,
            pos: self.start,
            val: &self.input[self.start..self.pos],
            line: self.start_line,
        };
        self.start = self.pos;
        self.start_line = self.line;
        item
    }

    fn ignore(&mut self) {
        self.line += self.input[self.start..self.pos].matches('\n').count();
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn error(&mut self, msg: String) -> Option<Item<'a>> {
        self.error = Some(msg.into());
        Some(Item {
            typ: ItemType::Error,
            pos: self.start,
            val: "",
            line: self.start_line,
        })
    }

    fn lex_text(&mut self) -> Option<Item<'a>> {
        if let Some(x) = find(&self.input[self.pos..], self.left) {
            if x > 0 {
                self.pos += x;
                let mut trim = 0;
                let delim_end = self.pos + self.left.len();
                if has_left_trim(&self.input[delim_end..]) {
                    trim = trim_right_len(&self.input[self.start..self.pos]);
                }
                self.pos -= trim;
                self.line += self.input[self.start..self.pos].matches('\n').count();
                let item = self.item(ItemType::Text);
                self.pos += trim;
                self.ignore();
                if !item.val.is_empty() {
                    // The delimiter is lexed on the next call.
                    return Some(item);
                }
            }
            return self.lex_left_delim();
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.line += self.input[self.start..self.pos].matches('\n').count();
            return Some(self.item(ItemType::Text));
        }
        Some(self.item(ItemType::Eof))
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = &self.input[self.pos..];
        if has_right_trim(rest) && rest[2..].starts_with(self.right) {
            return (true, true);
        }
        (rest.starts_with(self.right), false)
    }

    fn lex_left_delim(&mut self) -> Option<Item<'a>> {
        self.pos += self.left.len();
        let trim = has_left_trim(&self.input[self.pos..]);
        let after = if trim { 2 } else { 0 };
        if self.input[self.pos + after..].starts_with(LEFT_COMMENT) {
            self.pos += after;
            self.ignore();
            return self.lex_comment();
        }
        let item = self.item(ItemType::LeftDelim);
        self.inside_action = true;
        self.pos += after;
        self.ignore();
        self.paren_depth = 0;
        Some(item)
    }

    fn lex_comment(&mut self) -> Option<Item<'a>> {
        self.pos += LEFT_COMMENT.len();
        let Some(x) = self.input[self.pos..].find(RIGHT_COMMENT) else {
            return self.error("unclosed comment".into());
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".into());
        }
        self.line += self.input[self.start..self.pos].matches('\n').count();
        self.start = self.pos;
        self.start_line = self.line;
        if trim {
            self.pos += 2;
        }
        self.pos += self.right.len();
        if trim {
            self.pos += trim_left_len(&self.input[self.pos..]);
        }
        self.ignore();
        None
    }

    fn lex_right_delim(&mut self) -> Option<Item<'a>> {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += 2;
            self.ignore();
        }
        self.pos += self.right.len();
        let item = self.item(ItemType::RightDelim);
        if trim {
            self.pos += trim_left_len(&self.input[self.pos..]);
            self.ignore();
        }
        self.inside_action = false;
        Some(item)
    }

    fn lex_inside_action(&mut self) -> Option<Item<'a>> {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return self.lex_right_delim();
            }
            return self.error("unclosed left paren".into());
        }
        let Some(r) = self.next() else {
            return self.error("unclosed action".into());
        };
        match r {
            c if is_space(c) => {
                self.backup(Some(c));
                self.lex_space()
            }
            '=' => Some(self.item(ItemType::Assign)),
            ':' => {
                if self.next() != Some('=') {
                    return self.error("expected :=".into());
                }
                Some(self.item(ItemType::Declare))
            }
            '|' => Some(self.item(ItemType::Pipe)),
            '"' => self.lex_quote(),
            '`' => self.lex_raw_quote(),
            '$' => self.lex_variable(),
            '\'' => self.lex_char(),
            '.' => {
                match self.input.as_bytes().get(self.pos) {
                    Some(b) if !b.is_ascii_digit() => self.lex_field_or_variable(ItemType::Field),
                    // '.' can start a number; at the very end Go lexes it as one too
                    // (which then fails as "illegal number syntax").
                    _ => {
                        self.backup(Some('.'));
                        self.lex_number()
                    }
                }
            }
            '+' | '-' | '0'..='9' => {
                self.backup(Some(r));
                self.lex_number()
            }
            c if is_alnum(c) => {
                self.backup(Some(c));
                self.lex_identifier()
            }
            '(' => {
                self.paren_depth += 1;
                Some(self.item(ItemType::LeftParen))
            }
            ')' => {
                if self.paren_depth == 0 {
                    return self.error("unexpected right paren".into());
                }
                self.paren_depth -= 1;
                Some(self.item(ItemType::RightParen))
            }
            c if c.is_ascii() && !c.is_ascii_control() => Some(self.item(ItemType::Char)),
            c => self.error(format!(
                "unrecognized character in action: {}",
                crate::fmt::format_one("#U", &crate::Value::Int(c as i64, crate::IntKind::Int32))
            )),
        }
    }

    fn lex_space(&mut self) -> Option<Item<'a>> {
        let mut num_spaces = 0;
        while let Some(c) = self.peek() {
            if !is_space(c) {
                break;
            }
            self.next();
            num_spaces += 1;
        }
        // A space before a trim marker belongs to the delimiter: " -}}".
        let rest = &self.input[self.pos - 1..];
        if has_right_trim(rest) && rest[2..].starts_with(self.right) {
            let c = self.input[..self.pos].chars().next_back();
            self.backup(c);
            if num_spaces == 1 {
                return self.lex_right_delim();
            }
        }
        Some(self.item(ItemType::Space))
    }

    fn bad_char(&mut self, c: Option<char>) -> Option<Item<'a>> {
        let shown = match c {
            Some(c) => {
                crate::fmt::format_one("#U", &crate::Value::Int(c as i64, crate::IntKind::Int32))
            }
            None => "U+FFFFFFFFFFFFFFFF".to_string(),
        };
        self.error(format!("bad character {shown}"))
    }

    fn lex_identifier(&mut self) -> Option<Item<'a>> {
        loop {
            let c = self.next();
            match c {
                Some(c) if is_alnum(c) => {}
                _ => {
                    self.backup(c);
                    let word = &self.input[self.start..self.pos];
                    if !self.at_terminator() {
                        return self.bad_char(c);
                    }
                    let typ = match keyword(word) {
                        Some(ItemType::Break) if !self.break_ok => ItemType::Identifier,
                        Some(ItemType::Continue) if !self.continue_ok => ItemType::Identifier,
                        Some(k) if k != ItemType::Dot => k,
                        _ if word == "true" || word == "false" => ItemType::Bool,
                        _ => ItemType::Identifier,
                    };
                    return Some(self.item(typ));
                }
            }
        }
    }

    fn lex_variable(&mut self) -> Option<Item<'a>> {
        if self.at_terminator() {
            return Some(self.item(ItemType::Variable));
        }
        self.lex_field_or_variable(ItemType::Variable)
    }

    fn lex_field_or_variable(&mut self, typ: ItemType) -> Option<Item<'a>> {
        if self.at_terminator() {
            return Some(self.item(if typ == ItemType::Variable {
                ItemType::Variable
            } else {
                ItemType::Dot
            }));
        }
        let mut c;
        loop {
            c = self.next();
            match c {
                Some(ch) if is_alnum(ch) => {}
                _ => {
                    self.backup(c);
                    break;
                }
            }
        }
        if !self.at_terminator() {
            return self.bad_char(c);
        }
        Some(self.item(typ))
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.input[self.pos..].starts_with(self.right),
        }
    }

    fn lex_char(&mut self) -> Option<Item<'a>> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some('\n') | None => {
                        return self.error("unterminated character constant".into());
                    }
                    _ => {}
                },
                None | Some('\n') => {
                    return self.error("unterminated character constant".into());
                }
                Some('\'') => break,
                _ => {}
            }
        }
        Some(self.item(ItemType::CharConstant))
    }

    fn lex_number(&mut self) -> Option<Item<'a>> {
        if !self.scan_number() {
            let bad = self.input[self.start..self.pos].to_string();
            return self.error(format!("bad number syntax: {}", crate::fmt::quote(&bad)));
        }
        if matches!(self.peek(), Some('+' | '-')) {
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                let bad = self.input[self.start..self.pos].to_string();
                return self.error(format!("bad number syntax: {}", crate::fmt::quote(&bad)));
            }
            return Some(self.item(ItemType::Complex));
        }
        Some(self.item(ItemType::Number))
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek().is_some_and(is_alnum) {
            self.next();
            return false;
        }
        true
    }

    fn lex_quote(&mut self) -> Option<Item<'a>> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some('\n') | None => {
                        return self.error("unterminated quoted string".into());
                    }
                    _ => {}
                },
                None | Some('\n') => return self.error("unterminated quoted string".into()),
                Some('"') => break,
                _ => {}
            }
        }
        Some(self.item(ItemType::String))
    }

    fn lex_raw_quote(&mut self) -> Option<Item<'a>> {
        loop {
            match self.next() {
                None => return self.error("unterminated raw quoted string".into()),
                Some('`') => break,
                _ => {}
            }
        }
        Some(self.item(ItemType::RawString))
    }
}
