//! Arbitrary template text never panics the parser or the engine: it renders or fails
//! with an error. The inputs are random mixes of template syntax (a fixed-seed generator,
//! so failures reproduce).

use gotemplate::{FuncMap, Limits, Template, Value};
use serde_json::json;

const PIECES: &[&str] = &[
    "{{",
    "}}",
    "{{-",
    "-}}",
    " ",
    "\n",
    ".",
    ".a",
    ".b.c",
    "$",
    "$x",
    ":=",
    "=",
    "|",
    "(",
    ")",
    "if",
    "else",
    "end",
    "range",
    "with",
    "define",
    "template",
    "block",
    "break",
    "continue",
    "\"s\"",
    "`r`",
    "'c'",
    "'",
    "\"",
    "`",
    "1",
    "-2",
    "0x1F",
    "1e3",
    "1.5",
    "1i",
    "nil",
    "true",
    "print",
    "printf",
    "\"%d %s %v %q %x\"",
    "len",
    "index",
    "slice",
    "eq",
    "lt",
    "and",
    "or",
    "not",
    "call",
    "html",
    "js",
    "urlquery",
    "/*",
    "*/",
    "é",
    "\u{1F600}",
    "\\",
    ",",
    "@",
    "x",
    "fn",
    "{{/* c */}}",
    "{{end}}",
    "{{else}}",
    "\"a\"",
    "{{ template \"t\" . }}",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }
}

#[test]
fn random_templates_render_or_fail_cleanly() {
    let data = Value::from_json(&json!({
        "a": [1, "two", null, {"k": "v"}],
        "b": {"c": {"d": 1.5}},
        "s": "string",
    }));
    let mut funcs = FuncMap::new();
    funcs.add("fn", "func(a int, b ...string) (string, error)", |_, a| {
        Ok(Value::string(format!("{}:{}", a[0], a.len())))
    });
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let n = 1 + rng.next() % 24;
        let text: String = (0..n).map(|_| PIECES[rng.next() % PIECES.len()]).collect();
        let mut t = Template::new("t");
        t.funcs(funcs.clone());
        t.set_limits(Limits {
            max_output: 1 << 16,
            ..Limits::default()
        });
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if t.parse(&text).is_ok() {
                let _ = t.execute(&data);
            }
        }));
        assert!(result.is_ok(), "panicked on {text:?}");
    }
}
