//! The string algorithms sprig borrows from Go's `strings`/`unicode`, from
//! Masterminds/goutils and from huandu/xstrings, with their quirks kept: goutils walks
//! some strings byte by byte (so `initials` and `nospace` see Latin-1 "runes"), and Go's
//! case mappings are the simple one-rune ones (`upper "ß"` stays `ß`).

/// Go's `unicode.IsSpace`.
pub fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// Go's `unicode.ToUpper`: the simple mapping, one rune to one rune.
pub fn to_upper(c: char) -> char {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Go's `unicode.ToLower`: the simple mapping.
pub fn to_lower(c: char) -> char {
    if c == '\u{130}' {
        // The one simple mapping Rust only offers as a two-rune full mapping.
        return 'i';
    }
    let mut low = c.to_lowercase();
    match (low.next(), low.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Go's `unicode.ToTitle`; title case differs from upper case only for a few digraphs.
pub fn to_title(c: char) -> char {
    match c {
        'Ǆ' | 'ǅ' | 'ǆ' => 'ǅ',
        'Ǉ' | 'ǈ' | 'ǉ' => 'ǈ',
        'Ǌ' | 'ǋ' | 'ǌ' => 'ǋ',
        'Ǳ' | 'ǲ' | 'ǳ' => 'ǲ',
        _ => to_upper(c),
    }
}

fn is_title(c: char) -> bool {
    matches!(c, 'ǅ' | 'ǈ' | 'ǋ' | 'ǲ')
        || ('\u{1F88}'..='\u{1FAF}').contains(&c) && !c.is_lowercase()
}

/// Go's `unicode.IsUpper` (Lu); Rust's `is_uppercase` also counts Other_Uppercase.
pub fn is_upper(c: char) -> bool {
    c.is_uppercase()
        && !('\u{2160}'..='\u{216F}').contains(&c)
        && !('\u{24B6}'..='\u{24CF}').contains(&c)
        && !is_title(c)
}

/// Go's `unicode.IsLower` (Ll).
pub fn is_lower(c: char) -> bool {
    c.is_lowercase()
        && !('\u{2170}'..='\u{217F}').contains(&c)
        && !('\u{24D0}'..='\u{24E9}').contains(&c)
        && !matches!(c, 'ª' | 'º' | '\u{2B0}'..='\u{2B8}' | '\u{2C0}'..='\u{2C1}' | '\u{2E0}'..='\u{2E4}' | '\u{345}')
}

/// Go's `unicode.IsLetter` (L*), approximated by the Alphabetic property minus the
/// letter-like numbers and marks it adds.
pub fn is_letter(c: char) -> bool {
    c.is_alphabetic()
        && !c.is_numeric()
        && !('\u{24B6}'..='\u{24E9}').contains(&c)
        && c != '\u{345}'
}

/// Go's `unicode.IsNumber` (N*).
pub fn is_number(c: char) -> bool {
    c.is_numeric()
}

/// Go's `unicode.IsPunct` (P*): exact for ASCII and Latin-1, the common blocks beyond.
/// Note that ASCII `$+<=>^`|~` are symbols, not punctuation.
pub fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation()
            && !matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~');
    }
    matches!(c,
        '¡' | '§' | '«' | '¶' | '·' | '»' | '¿'
        | '\u{37E}' | '\u{387}'
        | '\u{55A}'..='\u{55F}' | '\u{589}'..='\u{58A}'
        | '\u{5BE}' | '\u{5C0}' | '\u{5C3}' | '\u{5C6}' | '\u{5F3}'..='\u{5F4}'
        | '\u{609}'..='\u{60A}' | '\u{60C}'..='\u{60D}' | '\u{61B}' | '\u{61D}'..='\u{61F}' | '\u{66A}'..='\u{66D}' | '\u{6D4}'
        | '\u{964}'..='\u{965}' | '\u{970}' | '\u{E4F}' | '\u{E5A}'..='\u{E5B}'
        | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{2043}' | '\u{2045}'..='\u{2051}' | '\u{2053}'..='\u{205E}'
        | '\u{207D}'..='\u{207E}' | '\u{208D}'..='\u{208E}' | '\u{2308}'..='\u{230B}' | '\u{2329}'..='\u{232A}'
        | '\u{2768}'..='\u{2775}' | '\u{27C5}'..='\u{27C6}' | '\u{27E6}'..='\u{27EF}' | '\u{2983}'..='\u{2998}'
        | '\u{29D8}'..='\u{29DB}' | '\u{29FC}'..='\u{29FD}' | '\u{2CF9}'..='\u{2CFC}' | '\u{2CFE}'..='\u{2CFF}'
        | '\u{2E00}'..='\u{2E2E}' | '\u{2E30}'..='\u{2E4F}' | '\u{2E52}'..='\u{2E5D}'
        | '\u{3001}'..='\u{3003}' | '\u{3008}'..='\u{3011}' | '\u{3014}'..='\u{301F}' | '\u{3030}' | '\u{303D}'
        | '\u{30A0}' | '\u{30FB}'
        | '\u{FE10}'..='\u{FE19}' | '\u{FE30}'..='\u{FE52}' | '\u{FE54}'..='\u{FE61}' | '\u{FE63}' | '\u{FE68}' | '\u{FE6A}'..='\u{FE6B}'
        | '\u{FF01}'..='\u{FF03}' | '\u{FF05}'..='\u{FF0A}' | '\u{FF0C}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF1B}'
        | '\u{FF1F}'..='\u{FF20}' | '\u{FF3B}'..='\u{FF3D}' | '\u{FF3F}' | '\u{FF5B}' | '\u{FF5D}' | '\u{FF5F}'..='\u{FF65}')
}

/// Go's `strings.ToUpper`.
pub fn upper(s: &str) -> String {
    s.chars().map(to_upper).collect()
}

/// Go's `strings.ToLower`.
pub fn lower(s: &str) -> String {
    s.chars().map(to_lower).collect()
}

/// Go's deprecated `strings.Title`: title-cases the first letter after each separator.
pub fn title(s: &str) -> String {
    fn is_separator(c: char) -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        if is_letter(c) || c.is_numeric() {
            return false;
        }
        is_space(c)
    }
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) { to_title(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

/// goutils `Uncapitalize`: lower-cases the first letter of each whitespace-separated word.
pub fn untitle(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if is_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                to_lower(c)
            } else {
                c
            }
        })
        .collect()
}

/// goutils `SwapCase`: upper and title case become lower; lower case becomes title case
/// after whitespace (or at the start) and upper case elsewhere.
pub fn swapcase(s: &str) -> String {
    let mut whitespace = true;
    s.chars()
        .map(|c| {
            if is_upper(c) || is_title(c) {
                whitespace = false;
                to_lower(c)
            } else if is_lower(c) {
                if whitespace {
                    whitespace = false;
                    to_title(c)
                } else {
                    to_upper(c)
                }
            } else {
                whitespace = is_space(c);
                c
            }
        })
        .collect()
}

/// goutils reads these strings byte by byte and widens each byte to a rune, so a
/// multi-byte character comes out as its Latin-1 reading.
fn latin1_runes(s: &str) -> impl Iterator<Item = char> + '_ {
    s.bytes().map(char::from)
}

/// goutils `Initials` with whitespace delimiters.
pub fn initials(s: &str) -> String {
    let mut gap = true;
    let mut out = String::new();
    for c in latin1_runes(s) {
        if is_space(c) {
            gap = true;
        } else if gap {
            out.push(c);
            gap = false;
        }
    }
    out
}

/// goutils `DeleteWhiteSpace`.
pub fn nospace(s: &str) -> String {
    if !latin1_runes(s).any(is_space) {
        return s.to_string();
    }
    latin1_runes(s).filter(|&c| !is_space(c)).collect()
}

/// Bytes as a string the way Go's UTF-8 decoding reads them: each byte that does not
/// start a valid sequence becomes one U+FFFD (Rust's lossy conversion merges runs).
pub fn lossy(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).expect("validated prefix"));
                out.push('\u{FFFD}');
                rest = &after[1..];
            }
        }
    }
    out
}

/// Go's byte slicing `s[a:b]` of a string; the result may split a UTF-8 sequence,
/// which a Rust string cannot hold, so broken sequences become U+FFFD.
pub fn byte_slice(s: &str, a: usize, b: usize) -> String {
    match s.get(a..b) {
        Some(t) => t.to_string(),
        None => lossy(&s.as_bytes()[a..b]),
    }
}

/// goutils `AbbreviateFull`; `None` is its "illegal argument" error. Like Go it counts
/// and cuts bytes; only the result is made valid UTF-8.
pub fn abbreviate_full(s: &str, offset: i64, max_width: i64) -> Option<String> {
    abbreviate_bytes(s.as_bytes(), offset, max_width).map(|b| lossy(&b))
}

fn abbreviate_bytes(s: &[u8], offset: i64, max_width: i64) -> Option<Vec<u8>> {
    if s.is_empty() {
        return Some(Vec::new());
    }
    if max_width < 4 {
        return None;
    }
    let len = s.len() as i64;
    if len <= max_width {
        return Some(s.to_vec());
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    let dots = b"...".as_slice();
    if offset <= 4 {
        return Some([&s[..(max_width - 3) as usize], dots].concat());
    }
    if max_width < 7 {
        return None;
    }
    if offset + max_width - 3 < len {
        let rest = abbreviate_bytes(&s[offset as usize..], 0, max_width - 3).unwrap_or_default();
        return Some([dots, &rest].concat());
    }
    Some([dots, &s[(len - (max_width - 3)) as usize..]].concat())
}

/// goutils `WrapCustom`, byte-indexed like the original.
pub fn wrap_custom(s: &str, wrap_length: i64, newline: &str, wrap_long_words: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let wrap = wrap_length.max(1) as usize;
    let b = s.as_bytes();
    let len = b.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::with_capacity(len + 8);
    while len - offset > wrap {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        // Go slices str[offset:wrap+offset+1], which cannot run past the end here.
        let end = wrap + offset + 1;
        match b[offset..end].iter().rposition(|&c| c == b' ') {
            Some(i) => {
                let at = offset + i;
                out.extend_from_slice(&b[offset..at]);
                out.extend_from_slice(newline.as_bytes());
                offset = at + 1;
            }
            None if wrap_long_words => {
                out.extend_from_slice(&b[offset..wrap + offset]);
                out.extend_from_slice(newline.as_bytes());
                offset += wrap;
            }
            None => {
                let end = wrap + offset;
                match b[end..].iter().position(|&c| c == b' ') {
                    None => {
                        out.extend_from_slice(&b[offset..]);
                        offset = len;
                    }
                    Some(i) => {
                        let at = i + end;
                        out.extend_from_slice(&b[offset..at]);
                        out.extend_from_slice(newline.as_bytes());
                        offset = at + 1;
                    }
                }
            }
        }
    }
    out.extend_from_slice(&b[offset..]);
    lossy(&out)
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || is_space(c)
}

/// xstrings' `isAlphabet`: letters other than CJK ideographs.
fn is_alphabet(c: char) -> bool {
    if !is_letter(c) {
        return false;
    }
    !(('\u{4E00}'..='\u{9FCC}').contains(&c)
        || ('\u{3400}'..='\u{4D85}').contains(&c)
        || ('\u{20000}'..='\u{2B81D}').contains(&c))
}

/// xstrings `ToPascalCase` (sprig's `camelcase`): `toCamelCase(s, true)`.
pub fn pascal_case(s: &str) -> String {
    camel_case(s, true)
}

fn camel_case(s: &str, big: bool) -> String {
    let mut chars = s.chars().peekable();
    let mut out = String::with_capacity(s.len());
    let mut first_upper = false;
    let mut r0 = '\0';
    let mut have = false;
    for c in chars.by_ref() {
        if !is_connector(c) {
            first_upper = is_upper(c);
            r0 = if big { to_upper(c) } else { to_lower(c) };
            have = true;
            break;
        }
        out.push(c);
    }
    if chars.peek().is_none() {
        if have {
            out.push(r0);
        }
        return out;
    }
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = is_upper(r0);
            r0 = to_upper(r0);
        } else {
            if first_upper {
                if is_upper(r0) {
                    r0 = to_lower(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    if first_upper && !big {
        r0 = to_lower(r0);
    }
    out.push(r0);
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    Invalid,
    Number,
    UpperCase,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// xstrings `nextWord`: the type and text of the word at the start of `s`, and the rest.
fn next_word(s: &str) -> (Word, &str, &str) {
    let Some(r) = s.chars().next() else {
        return (Word::Invalid, "", "");
    };
    let size = r.len_utf8();
    let mut offset = size;
    let rest_chars = |from: usize| s[from..].chars();
    let wt = if is_connector(r) {
        for c in rest_chars(offset) {
            if !is_connector(c) {
                break;
            }
            offset += c.len_utf8();
        }
        Word::Connector
    } else if is_punct(r) {
        for c in rest_chars(offset) {
            if !is_punct(c) {
                break;
            }
            offset += c.len_utf8();
        }
        Word::Punct
    } else if is_upper(r) {
        let mut it = rest_chars(offset).peekable();
        if let Some(&c) = it.peek() {
            if is_upper(c) {
                let mut prev_size = c.len_utf8();
                offset += prev_size;
                it.next();
                let mut last = None;
                for c in it {
                    if !is_upper(c) {
                        last = Some(c);
                        break;
                    }
                    prev_size = c.len_utf8();
                    offset += prev_size;
                }
                // "HTTPServer": the last upper-case letter starts the next word.
                if last.is_some_and(is_alphabet) {
                    offset -= prev_size;
                }
            } else if is_alphabet(c) {
                for c in it {
                    if !is_alphabet(c) || is_upper(c) {
                        break;
                    }
                    offset += c.len_utf8();
                }
            }
        }
        Word::UpperCase
    } else if is_alphabet(r) {
        for c in rest_chars(offset) {
            if !is_alphabet(c) || is_upper(c) {
                break;
            }
            offset += c.len_utf8();
        }
        Word::Alphabet
    } else if is_number(r) {
        for c in rest_chars(offset) {
            if !is_number(c) {
                break;
            }
            offset += c.len_utf8();
        }
        Word::Number
    } else {
        for c in rest_chars(offset) {
            if is_connector(c) || is_alphabet(c) || is_number(c) || is_punct(c) {
                break;
            }
            offset += c.len_utf8();
        }
        Word::Other
    };
    (wt, &s[..offset], &s[offset..])
}

fn lower_word(out: &mut String, wt: Word, word: &str, connector: char) {
    if wt != Word::UpperCase && wt != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else if is_upper(c) {
            out.push(to_lower(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings `ToSnakeCase` (`_`) and `ToKebabCase` (`-`).
pub fn connector_case(s: &str, connector: char) -> String {
    if s.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(s.len() + 4);
    let (mut wt, mut word, mut remaining) = next_word(s);
    while !remaining.is_empty() {
        if wt != Word::Connector {
            lower_word(&mut out, wt, word, connector);
        }
        let prev = wt;
        let last = word;
        (wt, word, remaining) = next_word(remaining);
        match prev {
            Word::Number => {
                while wt == Word::Alphabet || wt == Word::Number {
                    lower_word(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if !matches!(wt, Word::Invalid | Word::Punct | Word::Connector) {
                    out.push(connector);
                }
            }
            Word::Connector => lower_word(&mut out, prev, last, connector),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if remaining.is_empty() {
                    continue;
                }
                let last = word;
                (wt, word, remaining) = next_word(remaining);
                if wt != Word::Alphabet {
                    lower_word(&mut out, Word::Number, last, connector);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                lower_word(&mut out, Word::Number, last, connector);
                while wt == Word::Alphabet || wt == Word::Number {
                    lower_word(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if !matches!(wt, Word::Invalid | Word::Connector | Word::Punct) {
                    out.push(connector);
                }
            }
        }
    }
    lower_word(&mut out, wt, word, connector);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_and_kebab_case_follow_xstrings() {
        for (input, snake) in [
            ("FirstName", "first_name"),
            ("HTTPServer", "http_server"),
            ("NoHTTPS", "no_https"),
            ("GO_PATH", "go_path"),
            ("GO PATH", "go_path"),
            ("GO-PATH", "go_path"),
            ("http2xx", "http_2xx"),
            ("HTTP20xOK", "http_20x_ok"),
            ("Duration2m3s", "duration_2m3s"),
            ("Bld4Floor3rd", "bld4_floor_3rd"),
            (" _-_ ", "_____"),
            ("a (b)", "a_(b)"),
            ("abc$def", "abc_$_def"),
        ] {
            assert_eq!(connector_case(input, '_'), snake, "{input}");
        }
        assert_eq!(connector_case("HTTPServer", '-'), "http-server");
    }

    #[test]
    fn pascal_case_follows_xstrings() {
        for (input, want) in [
            ("http_server", "HttpServer"),
            ("_camel_case", "_CamelCase"),
            ("no_https", "NoHttps"),
            ("_complex__case_", "_Complex_Case_"),
            ("all", "All"),
            ("", ""),
            ("x", "X"),
            ("HTTP_SERVER", "HttpServer"),
        ] {
            assert_eq!(pascal_case(input), want, "{input}");
        }
    }

    #[test]
    fn goutils_helpers_match_sprig_tests() {
        assert_eq!(abbreviate_full("hello world", 0, 5).unwrap(), "he...");
        assert_eq!(
            abbreviate_full("1234 5678 9123", 5, 10).unwrap(),
            "...5678..."
        );
        assert_eq!(initials("First Try"), "FT");
        assert_eq!(nospace("h e l l o "), "hello");
        assert_eq!(untitle("First Try"), "first try");
        assert_eq!(swapcase("This Is A.Test"), "tHIS iS a.tEST");
        assert_eq!(wrap_custom("Hello World", 5, "", false), "Hello\nWorld");
        assert_eq!(wrap_custom("Hello World", 5, "\t", true), "Hello\tWorld");
        assert_eq!(
            wrap_custom("Here is one line of text", 7, "", false),
            "Here is\none\nline of\ntext"
        );
        assert_eq!(
            wrap_custom("abcdefghijk lm", 4, "", true),
            "abcd\nefgh\nijk\nlm"
        );
        assert_eq!(title("hello wORLD-foo_bar"), "Hello WORLD-Foo_bar");
        assert_eq!(upper("straße"), "STRAßE");
    }
}
