//! Engine behaviour beyond the Go tables: limits, objects, nested execution (Helm's
//! `include`/`tpl` shape), template sets, the function API and value conversions.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

use gotemplate::{
    CallContext, ErrorKind, FuncError, FuncMap, FuncResult, Limits, Map, MissingKey, Object,
    Signature, Template, Type, UintKind, Value,
};
use serde_json::json;

fn render(text: &str, data: serde_json::Value) -> Result<String, String> {
    let mut t = Template::new("t");
    t.parse(text).map_err(|e| e.to_string())?;
    t.execute(&Value::from_json(&data))
        .map_err(|e| e.to_string())
}

fn render_with(t: &mut Template, text: &str, data: &Value) -> Result<String, String> {
    t.parse(text).map_err(|e| e.to_string())?;
    t.execute(data).map_err(|e| e.to_string())
}

// ---- limits

#[test]
fn recursion_stops_at_the_configured_depth() {
    let mut t = Template::new("t");
    t.set_limits(Limits {
        max_depth: 50,
        ..Limits::default()
    });
    let err = render_with(
        &mut t,
        r#"{{define "loop"}}{{template "loop" .}}{{end}}{{template "loop"}}"#,
        &Value::Nil,
    )
    .unwrap_err();
    assert_eq!(
        err,
        r#"template: t:1:28: executing "loop" at <{{template "loop" .}}>: exceeded maximum template depth (50)"#
    );
}

#[test]
fn deep_recursion_is_an_error_not_a_stack_overflow() {
    // Default limits, on a thread with the default 2 MiB stack.
    let r = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            render(
                r#"{{define "loop"}}{{if true}}{{with 1}}{{range 1}}{{template "loop"}}{{end}}{{end}}{{end}}{{end}}{{template "loop"}}"#,
                json!(null),
            )
        })
        .unwrap()
        .join()
        .unwrap();
    let err = r.unwrap_err();
    assert!(
        err.contains("exceeded maximum stack use (1048576 bytes)")
            || err.contains("exceeded maximum template depth (1000)"),
        "{err}"
    );
}

#[test]
fn limit_errors_have_the_limit_kind() {
    let mut t = Template::new("t");
    t.set_limits(Limits {
        max_output: 10,
        ..Limits::default()
    });
    t.parse("{{range 100}}x{{end}}").unwrap();
    let err = t.execute(&Value::Nil).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit);
    assert_eq!(
        err.to_string(),
        r#"template: t:1:13: executing "t" at <x>: exceeded maximum output size (10 bytes)"#
    );
}

#[test]
fn output_limit_counts_printed_values() {
    let mut t = Template::new("t");
    t.set_limits(Limits {
        max_output: 5,
        ..Limits::default()
    });
    t.parse(r#"{{"abcdef"}}"#).unwrap();
    let err = t.execute(&Value::Nil).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"template: t:1:2: executing "t" at <{{"abcdef"}}>: exceeded maximum output size (5 bytes)"#
    );
}

#[test]
fn deeply_nested_parentheses_fail_to_parse() {
    let text = format!("{{{{{}1{}}}}}", "(".repeat(1500), ")".repeat(1500));
    let err = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || render(&text, json!(null)))
        .unwrap()
        .join()
        .unwrap()
        .unwrap_err();
    assert_eq!(err, "template: t:1: max expression depth exceeded");
}

#[test]
fn deeply_nested_controls_fail_to_parse() {
    let text = format!("{}x{}", "{{if 1}}".repeat(1500), "{{end}}".repeat(1500));
    let err = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || render(&text, json!(null)))
        .unwrap()
        .join()
        .unwrap()
        .unwrap_err();
    assert_eq!(err, "template: t:1: max expression depth exceeded");
}

// ---- template sets

#[test]
fn later_definitions_replace_earlier_ones_across_parses() {
    let mut t = Template::new("root");
    t.parse_named("a.tpl", r#"{{define "x"}}first{{end}}"#)
        .unwrap();
    t.parse_named("b.tpl", r#"{{define "x"}}second{{end}}"#)
        .unwrap();
    assert_eq!(t.execute_template("x", &Value::Nil).unwrap(), "second");
    // An empty definition does not replace a real one.
    t.parse_named("c.tpl", r#"{{define "x"}}  {{/* nothing */}} {{end}}"#)
        .unwrap();
    assert_eq!(t.execute_template("x", &Value::Nil).unwrap(), "second");
}

#[test]
fn parse_many_builds_the_set_parsing_one_by_one_builds() {
    // Enough files and text (over 1 MiB) for several parse threads; "x" is defined by many
    // of them, so the winner shows the order the trees joined in, and an empty last
    // definition must not win.
    let padding = "-".repeat(48 << 10);
    let texts: Vec<(String, String)> = (0..40)
        .map(|i| {
            let body = match i {
                39 => r#"{{define "x"}} {{end}}"#.to_string(),
                i if i % 3 == 0 => {
                    format!(r#"{{{{define "x"}}}}file {i}{{{{end}}}}{{{{template "x"}}}}"#)
                }
                i => format!("plain {i} {{{{.}}}}{padding}"),
            };
            (format!("f{i}.tpl"), body)
        })
        .collect();
    let files: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let mut many = Template::new("root");
    many.parse_many(&files).unwrap();
    let mut one = Template::new("root");
    for (name, text) in &files {
        one.parse_named(name, text).unwrap();
    }
    assert_eq!(many.template_names(), one.template_names());
    for (name, _) in &files {
        assert_eq!(
            many.execute_template(name, &Value::from_json(&json!(1)))
                .unwrap(),
            one.execute_template(name, &Value::from_json(&json!(1)))
                .unwrap(),
            "{name}"
        );
    }
    assert_eq!(many.execute_template("x", &Value::Nil).unwrap(), "file 36");

    // The error is the first failing file's in the given order, with its index.
    let mut bad = texts.clone();
    bad[7].1 = "{{ if }}".into();
    bad[30].1 = "{{ end }}".into();
    let files: Vec<(&str, &str)> = bad.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let (index, err) = Template::new("root").parse_many(&files).unwrap_err();
    assert_eq!(index, 7);
    assert_eq!(
        err.to_string(),
        Template::new("root")
            .parse_named("f7.tpl", "{{ if }}")
            .unwrap_err()
            .to_string()
    );
}

#[test]
fn two_definitions_in_one_parse_are_an_error() {
    let err = render(
        r#"{{define "x"}}a{{end}}{{define "x"}}b{{end}}"#,
        json!(null),
    )
    .unwrap_err();
    assert_eq!(
        err,
        r#"template: t:1: template: multiple definition of template "x""#
    );
}

#[test]
fn errors_inside_defines_name_the_file_and_the_template() {
    let mut t = Template::new("root");
    t.parse_named(
        "templates/_helpers.tpl",
        "{{/* helpers */}}\n{{define \"chart.name\"}}\n  {{ .Values.name.first }}\n{{end}}",
    )
    .unwrap();
    t.parse_named(
        "templates/deploy.yaml",
        "name: {{ template \"chart.name\" . }}",
    )
    .unwrap();
    let data = Value::from_json(&json!({"Values": {"name": "plain"}}));
    let err = t
        .execute_template("templates/deploy.yaml", &data)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"template: templates/_helpers.tpl:3:12: executing "chart.name" at <.Values.name.first>: can't evaluate field first in type interface {}"#
    );
}

#[test]
fn lookup_and_names_list_the_set() {
    let mut t = Template::new("root");
    t.parse(r#"{{define "b"}}{{end}}{{define "a"}}A{{end}}body"#)
        .unwrap();
    assert!(t.lookup("a") && t.lookup("b") && t.lookup("root") && !t.lookup("c"));
    let names: Vec<String> = t.template_names().iter().map(|n| n.to_string()).collect();
    assert_eq!(names, ["a", "b", "root"]);
    assert_eq!(
        t.defined_templates(),
        r#"; defined templates are: "a", "b", "root""#
    );
}

#[test]
fn executing_an_unparsed_template_fails_as_go() {
    let t = Template::new("empty");
    assert_eq!(
        t.execute(&Value::Nil).unwrap_err().to_string(),
        r#"template: empty: "empty" is an incomplete or empty template"#
    );
    assert_eq!(
        t.execute_template("other", &Value::Nil)
            .unwrap_err()
            .to_string(),
        r#"template: no template "other" associated with template "empty""#
    );
}

#[test]
fn unknown_options_are_rejected() {
    let mut t = Template::new("t");
    assert_eq!(
        t.option("missingkey=maybe").unwrap_err().to_string(),
        "unrecognized option: missingkey=maybe"
    );
    assert_eq!(
        t.option("color=blue").unwrap_err().to_string(),
        "unrecognized option: color=blue"
    );
    t.option("missingkey=zero").unwrap();
    assert_eq!(t.missing_key(), MissingKey::Zero);
}

#[test]
fn clones_are_independent_sets() {
    let mut a = Template::new("a");
    a.parse(r#"{{define "x"}}1{{end}}{{template "x"}}"#)
        .unwrap();
    let mut b = a.clone();
    b.parse_named("extra", r#"{{define "x"}}2{{end}}"#).unwrap();
    assert_eq!(a.execute(&Value::Nil).unwrap(), "1");
    assert_eq!(b.execute_template("a", &Value::Nil).unwrap(), "2");
}

#[test]
fn complex_constants_parse_but_do_not_evaluate() {
    assert_eq!(
        render("{{1i}}", json!(null)).unwrap_err(),
        r#"template: t:1:2: executing "t" at <1i>: complex number constants are not supported: 1i"#
    );
    assert_eq!(
        render("{{print 2.5+3i}}", json!(null)).unwrap_err(),
        r#"template: t:1:8: executing "t" at <2.5+3i>: complex number constants are not supported: 2.5+3i"#
    );
    assert_eq!(
        render("{{1+0i}}", json!(null)).unwrap_err(),
        r#"template: t:1:2: executing "t" at <1+0i>: complex number constants are not supported: 1+0i"#
    );
    assert_eq!(
        render("{{1+2}}", json!(null)).unwrap_err(),
        r#"template: t:1: bad number syntax: "1+2""#
    );
}

// ---- nested execution: Helm's include and tpl

fn helm_like_funcs() -> FuncMap {
    let mut m = FuncMap::new();
    m.add(
        "include",
        "func(name string, data interface {}) (string, error)",
        |cx, a| {
            cx.execute_template(a[0].as_str().unwrap(), &a[1])
                .map(Value::string)
                .map_err(FuncError::from)
        },
    );
    m.add(
        "tpl",
        "func(text string, data interface {}) (string, error)",
        |cx, a| {
            let mut t = cx.template().clone();
            t.set_missing_key(MissingKey::Zero);
            let name = t.name().to_string();
            t.parse_named(&name, a[0].as_str().unwrap())?;
            let out = cx.execute_in(&t, &name, &a[1])?;
            Ok(Value::string(out.replace("<no value>", "")))
        },
    );
    m.add("depth", "func() int", |cx, _| {
        Ok(Value::int(cx.depth() as i64))
    });
    m
}

#[test]
fn include_renders_a_named_template_into_a_string() {
    let mut t = Template::new("t");
    t.funcs(helm_like_funcs());
    let out = render_with(
        &mut t,
        r#"{{define "name"}}{{.n}}-x{{end}}{{ include "name" . | printf "%q" }}"#,
        &Value::from_json(&json!({"n": "app"})),
    )
    .unwrap();
    assert_eq!(out, r#""app-x""#);
}

#[test]
fn include_of_a_missing_template_fails_with_gos_message() {
    let mut t = Template::new("t");
    t.funcs(helm_like_funcs());
    let err = render_with(&mut t, r#"{{ include "nope" . }}"#, &Value::Nil).unwrap_err();
    assert_eq!(
        err,
        r#"template: t:1:3: executing "t" at <include "nope" .>: error calling include: template: no template "nope" associated with template "t""#
    );
}

#[test]
fn tpl_parses_text_with_the_same_functions_and_templates() {
    let mut t = Template::new("t");
    t.funcs(helm_like_funcs());
    let data = Value::from_json(&json!({"tmpl": "{{ include \"x\" . }}/{{ .missing }}", "v": 7}));
    let out = render_with(
        &mut t,
        r#"{{define "x"}}v={{.v}}{{end}}{{ tpl .tmpl . }}"#,
        &data,
    )
    .unwrap();
    assert_eq!(out, "v=7/");
}

#[test]
fn nested_executions_count_toward_the_depth() {
    let mut t = Template::new("t");
    t.funcs(helm_like_funcs());
    let out = render_with(
        &mut t,
        r#"{{define "d"}}{{depth}}{{end}}{{depth}} {{include "d" .}} {{template "d"}}"#,
        &Value::Nil,
    )
    .unwrap();
    assert_eq!(out, "0 1 1");
    let mut t = Template::new("t");
    t.funcs(helm_like_funcs());
    t.set_limits(Limits {
        max_depth: 20,
        ..Limits::default()
    });
    let err = render_with(
        &mut t,
        r#"{{define "r"}}{{include "r" .}}{{end}}{{include "r" .}}"#,
        &Value::Nil,
    )
    .unwrap_err();
    assert!(
        err.ends_with("exceeded maximum template depth (20)"),
        "{err}"
    );
    assert!(err.starts_with(
        r#"template: t:1:40: executing "t" at <include "r" .>: error calling include: template: t:1:16: executing "r""#
    ));
}

// ---- objects (Helm's .Capabilities, .Files; Sprig's semver)

struct VersionSet(Vec<&'static str>);

impl Object for VersionSet {
    fn type_name(&self) -> &str {
        "chartutil.VersionSet"
    }
    fn method(&self, name: &str) -> Option<Signature> {
        (name == "Has").then(|| Signature::parse("func(apiVersion string) bool"))
    }
    fn call_method(&self, name: &str, args: &[Value], _: &mut CallContext<'_>) -> FuncResult {
        assert_eq!(name, "Has");
        Ok(Value::Bool(self.0.contains(&args[0].as_str().unwrap())))
    }
    fn format(&self, out: &mut String) {
        out.push('[');
        out.push_str(&self.0.join(" "));
        out.push(']');
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

struct Capabilities {
    api: Value,
}

impl Object for Capabilities {
    fn type_name(&self) -> &str {
        "*chartutil.Capabilities"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "APIVersions" => Some(self.api.clone()),
            "KubeVersion" => Some(Value::string("v1.30.0")),
            _ => None,
        }
    }
    fn format(&self, out: &mut String) {
        out.push_str("&{...}");
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[derive(PartialEq)]
struct Version(u64, u64, u64);

impl Object for Version {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }
    fn method(&self, name: &str) -> Option<Signature> {
        match name {
            "Major" => Some(Signature::parse("func() uint64")),
            "LessThan" => Some(Signature::parse("func(o *semver.Version) bool")),
            _ => None,
        }
    }
    fn call_method(&self, name: &str, args: &[Value], _: &mut CallContext<'_>) -> FuncResult {
        match name {
            "Major" => Ok(Value::Uint(self.0, UintKind::Uint64)),
            "LessThan" => {
                let o = args[0].downcast_ref::<Version>().unwrap();
                Ok(Value::Bool((self.0, self.1, self.2) < (o.0, o.1, o.2)))
            }
            _ => unreachable!(),
        }
    }
    fn format(&self, out: &mut String) {
        out.push_str(&format!("{}.{}.{}", self.0, self.1, self.2));
    }
    fn equals(&self, other: &dyn Object) -> Option<bool> {
        Some(other.as_any().downcast_ref::<Version>() == Some(self))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn object_template() -> (Template, Value) {
    let mut t = Template::new("t");
    let mut m = FuncMap::new();
    m.add(
        "semver",
        "func(v string) (*semver.Version, error)",
        |_, a| {
            let parts: Vec<u64> = a[0]
                .as_str()
                .unwrap()
                .split('.')
                .map(|p| {
                    p.parse()
                        .map_err(|_| FuncError::new("Invalid Semantic Version"))
                })
                .collect::<Result<_, _>>()?;
            Ok(Value::object(Version(parts[0], parts[1], parts[2])))
        },
    );
    t.funcs(m);
    let caps = Value::object(Capabilities {
        api: Value::object(VersionSet(vec!["v1", "apps/v1"])),
    });
    let mut root = BTreeMap::new();
    root.insert("Capabilities".into(), caps);
    (t, Value::map(root))
}

#[test]
fn object_methods_and_fields_resolve_as_go() {
    let (mut t, data) = object_template();
    let out = render_with(
        &mut t,
        r#"{{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.APIVersions.Has "batch/v9" }} {{ .Capabilities.KubeVersion }} {{ .Capabilities.APIVersions }} {{ printf "%T" .Capabilities }}"#,
        &data,
    )
    .unwrap();
    assert_eq!(
        out,
        "true false v1.30.0 [v1 apps/v1] *chartutil.Capabilities"
    );
}

#[test]
fn object_errors_name_the_go_type() {
    // Through a map[string]interface{} (Helm's top-level values) Go names the interface.
    let (mut t, data) = object_template();
    assert_eq!(
        render_with(&mut t, "{{ .Capabilities.Nope }}", &data).unwrap_err(),
        r#"template: t:1:16: executing "t" at <.Capabilities.Nope>: can't evaluate field Nope in type interface {}"#
    );
    let (mut t, data) = object_template();
    let caps = data.as_map().unwrap().get("Capabilities").unwrap();
    assert_eq!(
        render_with(&mut t, "{{ .Nope }}", &caps).unwrap_err(),
        r#"template: t:1:3: executing "t" at <.Nope>: can't evaluate field Nope in type *chartutil.Capabilities"#
    );
    let (mut t, data) = object_template();
    assert_eq!(
        render_with(&mut t, "{{ .Capabilities.APIVersions.Has }}", &data).unwrap_err(),
        r#"template: t:1:16: executing "t" at <.Capabilities.APIVersions.Has>: wrong number of args for Has: want 1 got 0"#
    );
    let (mut t, data) = object_template();
    assert_eq!(
        render_with(&mut t, "{{ .Capabilities.APIVersions.Has 1 }}", &data).unwrap_err(),
        r#"template: t:1:33: executing "t" at <1>: expected string; found 1"#
    );
    let (mut t, data) = object_template();
    assert_eq!(
        render_with(&mut t, "{{ .Capabilities.KubeVersion 1 }}", &data).unwrap_err(),
        r#"template: t:1:16: executing "t" at <.Capabilities.KubeVersion>: KubeVersion has arguments but cannot be invoked as function"#
    );
}

#[test]
fn objects_returned_by_functions_have_methods() {
    let (mut t, data) = object_template();
    let out = render_with(
        &mut t,
        r#"{{ (semver "1.2.3").Major }} {{ (semver "1.2.3").LessThan (semver "1.10.0") }} {{ semver "2.0.1" }} {{ eq (semver "1.0.0") (semver "1.0.0") }} {{ printf "%T %v" (semver "1.0.0") (semver "1.0.0") }}"#,
        &data,
    )
    .unwrap();
    assert_eq!(out, "1 true 2.0.1 true *semver.Version 1.0.0");
    let (mut t, data) = object_template();
    assert_eq!(
        render_with(&mut t, r#"{{ (semver "1.2.3").LessThan "1.0.0" }}"#, &data).unwrap_err(),
        r#"template: t:1:29: executing "t" at <"1.0.0">: can't handle "1.0.0" for arg of type *semver.Version"#
    );
    let (mut t, data) = object_template();
    assert_eq!(
        render_with(&mut t, r#"{{ semver "x" }}"#, &data).unwrap_err(),
        r#"template: t:1:3: executing "t" at <semver "x">: error calling semver: Invalid Semantic Version"#
    );
}

// ---- the function API

#[test]
fn signatures_parse_and_print_as_go() {
    for (text, shown) in [
        (
            "func(string, ...interface {}) (string, error)",
            "func(string, ...interface {}) (string, error)",
        ),
        (
            "func(a, b int, s string) bool",
            "func(int, int, string) bool",
        ),
        (
            "func(v ...any) []interface{}",
            "func(...interface {}) []interface {}",
        ),
        (
            "func(m map[string]interface{}, l []string) map[string]string",
            "func(map[string]interface {}, []string) map[string]string",
        ),
        ("func() *semver.Version", "func() *semver.Version"),
    ] {
        assert_eq!(Signature::parse(text).to_string(), shown);
    }
    let sig = Signature::new([Type::String])
        .variadic(Type::Interface)
        .fallible();
    assert_eq!(
        sig.to_string(),
        "func(string, ...interface {}) (interface {}, error)"
    );
}

#[test]
#[should_panic(expected = "bad Go signature")]
fn malformed_signatures_panic_at_registration() {
    Signature::parse("func(a int) (int, int)");
}

#[test]
fn a_panicking_function_is_reported_as_an_error_call() {
    let mut t = Template::new("t");
    let mut m = FuncMap::new();
    m.add("boom", "func() string", |_, _| -> FuncResult {
        let v: Vec<i32> = Vec::new();
        Ok(Value::int(v[3] as i64))
    });
    t.funcs(m);
    let err = render_with(&mut t, "{{boom}}", &Value::Nil).unwrap_err();
    assert!(
        err.starts_with(
            r#"template: t:1:2: executing "t" at <boom>: error calling boom: index out of bounds"#
        ),
        "{err}"
    );
}

#[test]
fn maps_are_shared_like_go_maps() {
    let mut t = Template::new("t");
    let mut m = FuncMap::new();
    m.add(
        "set",
        "func(d map[string]interface {}, key string, value interface {}) map[string]interface {}",
        |_, a| {
            a[0].as_map()
                .unwrap()
                .insert(a[1].as_str().unwrap(), a[2].clone());
            Ok(a[0].clone())
        },
    );
    t.funcs(m);
    let data = Value::from_json(&json!({"ctx": {}}));
    let out = render_with(
        &mut t,
        r#"{{ $_ := set .ctx "a" 1 }}{{ $c := .ctx }}{{ $_ := set $c "b" 2 }}{{ .ctx }} {{ range $k, $v := .ctx }}{{ $_ := set $.ctx "z" 0 }}{{ $k }}{{ end }} {{ len .ctx }}"#,
        &data,
    )
    .unwrap();
    assert_eq!(out, "map[a:1 b:2] ab 3");
    // The caller's data saw the writes.
    assert_eq!(
        data.as_map().unwrap().get("ctx").unwrap().to_string(),
        "map[a:1 b:2 z:0]"
    );
}

#[test]
fn function_values_can_be_called_with_call() {
    let mut t = Template::new("t");
    let f = gotemplate::Function::new("func(a, b int) int", |_, a| {
        Ok(Value::int(a[0].as_i64().unwrap() * a[1].as_i64().unwrap()))
    });
    let mut root = BTreeMap::new();
    root.insert("mul".into(), Value::Func(Arc::new(f)));
    let out = render_with(
        &mut t,
        r#"{{ call .mul 6 7 }} {{ printf "%T" .mul }}"#,
        &Value::map(root),
    )
    .unwrap();
    assert_eq!(out, "42 func(int, int) int");
}

// ---- values

#[test]
fn json_numbers_become_float64_as_in_helm() {
    let v = Value::from_json(&json!({"replicas": 3, "big": 1000000, "ratio": 0.5}));
    assert_eq!(v.to_string(), "map[big:1e+06 ratio:0.5 replicas:3]");
    assert_eq!(
        gotemplate::fmt::sprintf("%T", &[v.as_map().unwrap().get("replicas").unwrap()]),
        "float64"
    );
    assert_eq!(
        v.to_json().unwrap(),
        json!({"big": 1000000, "ratio": 0.5, "replicas": 3})
    );
}

#[test]
fn to_json_follows_encoding_json() {
    let bytes = Value::Bytes(Arc::from(&b"hi"[..]));
    assert_eq!(bytes.to_json().unwrap(), json!("aGk="));
    assert_eq!(
        Value::float(f64::NAN).to_json().unwrap_err(),
        "json: unsupported value: NaN"
    );
    let m = Map::new();
    m.insert(
        "k",
        Value::list(vec![Value::Nil, Value::Bool(true), Value::int(2)]),
    );
    assert_eq!(
        Value::Map(m).to_json().unwrap(),
        json!({"k": [null, true, 2]})
    );
}

#[test]
fn deep_equal_compares_types_and_contents() {
    let a = Value::from_json(&json!({"a": [1, "x", null]}));
    let b = Value::from_json(&json!({"a": [1, "x", null]}));
    assert!(a.deep_equal(&b));
    assert!(!Value::int(1).deep_equal(&Value::int64(1)));
    assert!(!Value::float(f64::NAN).deep_equal(&Value::float(f64::NAN)));
    assert!(!Value::string_list(["a"]).deep_equal(&Value::list(vec![Value::string("a")])));
}

#[test]
fn kinds_and_type_names_are_gos() {
    let cases = [
        (Value::Nil, "<nil>", "invalid"),
        (Value::int(1), "int", "int"),
        (Value::string_list(["a"]), "[]string", "slice"),
        (
            Value::from_json(&json!({})),
            "map[string]interface {}",
            "map",
        ),
        (Value::Bytes(Arc::from(&b""[..])), "[]uint8", "slice"),
        (Value::object(Version(1, 0, 0)), "*semver.Version", "ptr"),
    ];
    for (v, t, k) in cases {
        assert_eq!((v.type_name().as_str(), v.kind()), (t, k));
    }
}

#[test]
fn templates_and_values_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Template>();
    assert_send_sync::<Value>();
    assert_send_sync::<gotemplate::Error>();
    let mut t = Template::new("t");
    t.parse("{{ .n }}").unwrap();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let t = t.clone();
            std::thread::spawn(move || t.execute(&Value::from_json(&json!({"n": i}))).unwrap())
        })
        .collect();
    let outs: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(outs, ["0", "1", "2", "3"]);
}

#[test]
fn templates_can_be_added_from_another_set() {
    let mut lib = Template::new("lib");
    lib.parse_named(
        "_lib.tpl",
        "{{define \"lib.name\"}}lib-{{.}}{{end}}{{define \"lib.bad\"}}{{.x.y}}{{end}}",
    )
    .unwrap();
    let mut t = Template::new("main");
    t.parse(r#"{{template "name" "a"}} {{template "lib.bad" .}}"#)
        .unwrap();
    t.add_template("name", &lib, "lib.name").unwrap();
    t.add_template("lib.bad", &lib, "lib.bad").unwrap();
    let err = t
        .execute(&Value::from_json(&json!({"x": "s"})))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"template: _lib.tpl:1:61: executing "lib.bad" at <.x.y>: can't evaluate field y in type interface {}"#
    );
    assert_eq!(
        t.add_template("x", &lib, "nope").unwrap_err().to_string(),
        r#"template: no template "nope" associated with template "lib""#
    );
}

#[test]
fn nil_for_map_and_slice_parameters_arrives_as_nil() {
    let mut t = Template::new("t");
    let mut m = FuncMap::new();
    m.add(
        "probe",
        "func(m map[string]interface {}, l []string) string",
        |_, a| {
            Ok(Value::string(format!(
                "{} {}",
                a[0].is_nil(),
                a[1].is_nil()
            )))
        },
    );
    t.funcs(m);
    let out = render_with(
        &mut t,
        "{{ probe nil .missing }}",
        &Value::from_json(&json!({})),
    )
    .unwrap();
    assert_eq!(out, "true true");
}

#[test]
fn a_map_containing_itself_prints_and_converts_without_crashing() {
    let m = Map::new();
    m.insert("self", Value::Map(m.clone()));
    let v = Value::Map(m.clone());
    let printed = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || v.to_string())
        .unwrap()
        .join()
        .unwrap();
    assert!(printed.starts_with("map[self:map[self:map[self:"));
    assert!(printed.contains("<max depth exceeded>"));
    let v = Value::Map(m.clone());
    let (json_err, equal) = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || (v.to_json().unwrap_err(), v.deep_equal(&v.clone())))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(
        json_err,
        "json: unsupported value: encountered a cycle via map[string]interface {}"
    );
    assert!(equal);
    // Break the cycle so the test does not leak it.
    m.remove("self");
}
