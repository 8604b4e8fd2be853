//! What happens to `json.Marshal` output when go-yaml v2 reads it back as YAML
//! (sigs.k8s.io/yaml's JSONToYAML). JSON escapes most characters, but not U+0085 (NEL),
//! which YAML treats as a line break, nor the C1 controls, which YAML refuses.

use serde_json::Value;

use crate::Error;

const NEL: char = '\u{85}';

/// libyaml's reader rejects these; encoding/json leaves them raw.
fn is_refused(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{fffe}' | '\u{ffff}')
}

/// Length of the string's JSON literal in characters, quotes included.
fn literal_len(s: &str) -> usize {
    2 + s
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' => 2,
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => 6,
            c if (c as u32) < 0x20 => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// A double-quoted YAML scalar folds raw line breaks: a run of spaces and NELs with one NEL
/// becomes a space, with n NELs n-1 newlines.
pub fn fold(s: &str) -> String {
    if !s.contains(NEL) {
        return s.to_owned();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ' ' || chars[i] == NEL {
            let start = i;
            while i < chars.len() && (chars[i] == ' ' || chars[i] == NEL) {
                i += 1;
            }
            let run = &chars[start..i];
            let breaks = run.iter().filter(|c| **c == NEL).count();
            match breaks {
                0 => out.extend(run),
                1 => out.push(' '),
                n => out.extend(std::iter::repeat_n('\n', n - 1)),
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

struct Walk {
    /// 0-based line in the JSON text, advanced by each raw NEL.
    line: usize,
}

fn line_prefix(line: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!("line {line}: ")
    }
}

impl Walk {
    fn string(&mut self, s: &str) -> Result<(), Error> {
        let chars: Vec<char> = s.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            if *c == NEL {
                self.line += 1;
                let rest: String = chars[i + 1..].iter().take(4).collect();
                if (rest.starts_with("---") || rest.starts_with("..."))
                    && matches!(rest.chars().nth(3), Some(' ' | '\t'))
                {
                    return Err(Error::Yaml(format!(
                        "yaml: line {}: found unexpected document indicator",
                        self.line + 1
                    )));
                }
            }
        }
        Ok(())
    }

    fn value(&mut self, v: &Value) -> Result<(), Error> {
        match v {
            Value::String(s) => self.string(s),
            Value::Array(a) => a.iter().try_for_each(|x| self.value(x)),
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                for k in keys {
                    self.string(k)?;
                    // A simple key must sit on one line and within 1024 characters of its ':'.
                    if k.contains(NEL) || literal_len(k) > 1024 {
                        let flow = "did not find expected ',' or '}'";
                        return Err(Error::Yaml(format!(
                            "yaml: {}{flow}",
                            line_prefix(self.line)
                        )));
                    }
                    self.value(&m[k])?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

fn any_refused(v: &Value) -> bool {
    match v {
        Value::String(s) => s.chars().any(is_refused),
        Value::Array(a) => a.iter().any(any_refused),
        Value::Object(m) => m
            .iter()
            .any(|(k, v)| k.chars().any(is_refused) || any_refused(v)),
        _ => false,
    }
}

/// The errors go-yaml raises reading the JSON text back.
pub fn check(v: &Value) -> Result<(), Error> {
    if any_refused(v) {
        return Err(Error::Yaml(
            "yaml: control characters are not allowed".into(),
        ));
    }
    Walk { line: 0 }.value(v)
}
