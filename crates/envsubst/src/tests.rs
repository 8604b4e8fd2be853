//! Cases from fluxcd/pkg `envsubst` (eval_test.go, parse_test.go), `kustomize_varsub_test.go`
//! and Flux's Kustomization documentation, rewritten; plus the parser's edge cases.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::*;
use crate::parse::{Node, parse};

fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Non-strict substitution with the given variables.
#[track_caller]
fn expand(pairs: &[(&str, &str)], input: &str) -> String {
    let vars = vars(pairs);
    substitute(input, &|n: &str| vars.get(n).cloned(), false)
        .unwrap_or_else(|e| panic!("{input:?}: {e}"))
}

#[track_caller]
fn strict(pairs: &[(&str, &str)], input: &str) -> Result<String> {
    let vars = vars(pairs);
    substitute(input, &|n: &str| vars.get(n).cloned(), true)
}

#[track_caller]
fn error(input: &str) -> Error {
    substitute(input, &|_: &str| Some("value".to_string()), false)
        .expect_err(&format!("{input:?} is refused"))
}

// ---- the operators (upstream's TestExpand, from the Advanced Bash-Scripting Guide) ----

#[test]
fn text_without_expressions_is_unchanged() {
    assert_eq!(expand(&[], "abcdEFGH28ij"), "abcdEFGH28ij");
    assert_eq!(expand(&[], "http://github.com"), "http://github.com");
    assert_eq!(expand(&[], "}text"), "}text");
    assert_eq!(expand(&[], r"\\.\pipe\pipename"), r"\\.\pipe\pipename");
}

#[test]
fn length_counts_bytes() {
    assert_eq!(expand(&[("var01", "abcdEFGH28ij")], "${#var01}"), "12");
    assert_eq!(expand(&[("v", "héllo")], "${#v}"), "6");
    assert_eq!(expand(&[], "${#unset}"), "0");
}

#[test]
fn case_operators() {
    let v = &[("var01", "abcdEFGH28ij")];
    assert_eq!(expand(v, "${var01^}"), "AbcdEFGH28ij");
    assert_eq!(expand(v, "${var01^^}"), "ABCDEFGH28IJ");
    let v = &[("var01", "ABCDEFGH28IJ")];
    assert_eq!(expand(v, "${var01,}"), "aBCDEFGH28IJ");
    assert_eq!(expand(v, "${var01,,}"), "abcdefgh28ij");
    assert_eq!(expand(&[("v", "élan")], "${v^}"), "Élan");
    assert_eq!(expand(&[("v", "ÉLAN")], "${v,,}"), "élan");
    // A mixed operator is no operator: the value as it is.
    assert_eq!(expand(&[("v", "abc")], "${v,^}"), "abc");
    assert_eq!(expand(&[], "${v^^}"), "");
}

#[test]
fn substring_operator() {
    let v = &[("path_name", "/home/bozo/ideas/thoughts.for.today")];
    assert_eq!(expand(v, "${path_name:11}"), "ideas/thoughts.for.today");
    assert_eq!(expand(v, "${path_name:11:5}"), "ideas");
    let v = &[("v", "abcdef")];
    assert_eq!(expand(v, "${v:2}"), "cdef");
    assert_eq!(expand(v, "${v:10}"), "");
    assert_eq!(expand(v, "${v:4:10}"), "ef");
    assert_eq!(expand(v, "${v:1:-1}"), "bcde");
    assert_eq!(expand(v, "${v:4:-3}"), "");
    // A negative offset needs a space in bash; then it does not parse as a number and
    // the whole value comes back.
    assert_eq!(expand(v, "${v: -2}"), "abcdef");
    assert_eq!(expand(v, "${v:x}"), "abcdef");
    assert_eq!(expand(v, "${v:1:x}"), "abcdef");
    // The length runs to the closing brace, colons included, and then is no number.
    assert_eq!(expand(v, "${v:1:2:3}"), "abcdef");
    assert_eq!(expand(&[("v", "abcdef"), ("n", "3")], "${v:${n}}"), "def");
}

#[test]
fn negative_substring_offset_counts_from_the_end() {
    // Only reachable through a nested expression: `${v:-2}` is a default.
    let v = &[("v", "abcdef"), ("n", "-2"), ("m", "-10")];
    assert_eq!(expand(v, "${v:${n}}"), "ef");
    assert_eq!(expand(v, "${v:${m}:2}"), "ab");
}

#[test]
fn default_operators() {
    assert_eq!(expand(&[("var", "abc")], "${var=xyz}"), "abc");
    assert_eq!(expand(&[], "${var=xyz}"), "xyz");
    assert_eq!(expand(&[], "${var:=xyz}"), "xyz");
    assert_eq!(expand(&[], "${var:-xyz}"), "xyz");
    assert_eq!(expand(&[("var", "")], "${var:=xyz}"), "xyz");
    assert_eq!(expand(&[("var", "")], "${var=xyz}"), "xyz");
    assert_eq!(expand(&[], "${var=}"), "");
    assert_eq!(
        expand(&[("default_var", "foo")], "something ${var=${default_var}}"),
        "something foo"
    );
    assert_eq!(
        expand(
            &[("default_var", "foo1")],
            "foo: ${var=${default_var}-suffix}"
        ),
        "foo: foo1-suffix"
    );
    assert_eq!(
        expand(
            &[("default_var", "foo1")],
            "foo: ${var=prefix${default_var}-suffix}"
        ),
        "foo: prefixfoo1-suffix"
    );
    assert_eq!(
        expand(&[("var01", "abcdEFGH28ij")], "${var=${var01^^}}"),
        "ABCDEFGH28IJ"
    );
    // Defaults run up to the first closing brace and may hold spaces and colons.
    assert_eq!(
        expand(&[], "${url:=http://example.com:8080/a b}"),
        "http://example.com:8080/a b"
    );
}

#[test]
fn plus_and_question_operators_are_defaults_too() {
    // Not bash: Flux's engine treats them like `:-`.
    assert_eq!(expand(&[("v", "set")], "${v:+alt}"), "set");
    assert_eq!(expand(&[], "${v:+alt}"), "alt");
    assert_eq!(expand(&[], "${v:?message}"), "message");
    assert_eq!(expand(&[("v", "set")], "${v:?message}"), "set");
}

#[test]
fn replace_operators() {
    let v = &[("stringZ", "abcABC123ABCabc")];
    assert_eq!(expand(v, "${stringZ/%abc/XYZ}"), "abcABC123ABCXYZ");
    assert_eq!(expand(v, "${stringZ/#abc/XYZ}"), "XYZABC123ABCabc");
    assert_eq!(expand(v, "${stringZ//abc/xyz}"), "xyzABC123ABCxyz");
    assert_eq!(expand(v, "${stringZ/abc/xyz}"), "xyzABC123ABCabc");
    assert_eq!(expand(v, "${stringZ/#ABC/XYZ}"), "abcABC123ABCabc");
    assert_eq!(expand(v, "${stringZ/%ABC/XYZ}"), "abcABC123ABCabc");
    let v = &[("stringZ", "somevalue")];
    assert_eq!(expand(v, "${stringZ/#/prefix-}"), "prefix-somevalue");
    assert_eq!(expand(v, "${stringZ/%/-suffix}"), "somevalue-suffix");
    // No replacement deletes, except for the anchored forms, which then do nothing.
    assert_eq!(expand(&[("stringZ", "foo.bar")], "${stringZ/./}"), "foobar");
    assert_eq!(expand(&[("v", "a.b.c")], "${v//./}"), "abc");
    assert_eq!(expand(&[("v", "a.b.c")], "${v/#a./}"), "a.b.c");
    // Patterns are literal, not globs.
    assert_eq!(expand(&[("v", "a*b")], "${v/*/x}"), "axb");
    // An empty pattern matches at every character boundary.
    assert_eq!(expand(&[("v", "abc")], "${v///-}"), "-a-b-c-");
}

#[test]
fn replace_takes_backslash_escapes() {
    assert_eq!(
        expand(&[("stringZ", "foo/bar")], r"${stringZ/\//-}"),
        "foo-bar"
    );
    assert_eq!(
        expand(&[("stringZ", "foo/bar/baz")], r"${stringZ//\//-}"),
        "foo-bar-baz"
    );
    assert_eq!(expand(&[("v", r"a\b")], r"${v/\\/\/}"), "a/b");
    assert_eq!(expand(&[("v", "a$b")], "${v/$$/-}"), "a-b");
}

#[test]
fn remove_operators_strip_shell_patterns() {
    let v = &[("filename", "bash.string.txt")];
    assert_eq!(expand(v, "${filename#*.}"), "string.txt");
    assert_eq!(expand(v, "${filename##*.}"), "txt");
    assert_eq!(expand(v, "${filename%.*}"), "bash.string");
    assert_eq!(expand(v, "${filename%%.*}"), "bash");
    assert_eq!(
        expand(&[("filename", "path/to/file")], "${filename#*/}"),
        "to/file"
    );
    assert_eq!(
        expand(&[("filename", "/path/to/file")], "${filename#*/}"),
        "path/to/file"
    );
    assert_eq!(
        expand(&[("filename", "path/to/file")], "${filename##*/}"),
        "file"
    );
    assert_eq!(
        expand(&[("filename", "/path/to/file")], "${filename##*/}"),
        "file"
    );
    assert_eq!(expand(&[("v", "v1.2.3")], "${v#v}"), "1.2.3");
    assert_eq!(expand(&[("v", "v1.2.3")], "${v#[a-z]}"), "1.2.3");
    assert_eq!(expand(&[("v", "image:tag")], "${v%:*}"), "image");
    assert_eq!(expand(&[("v", "nomatch")], "${v#x*}"), "nomatch");
    // A malformed pattern leaves the value alone.
    assert_eq!(expand(&[("v", "abc")], "${v#[}"), "abc");
    // The whole value can go, but an empty prefix is never stripped.
    assert_eq!(expand(&[("v", "abc")], "${v##*}"), "");
    assert_eq!(expand(&[("v", "abc")], "${v#*}"), "bc");
}

#[test]
fn dollar_escapes() {
    let v = &[("var01", "abcdEFGH28ij")];
    assert_eq!(expand(v, "$${var01}"), "${var01}");
    assert_eq!(
        expand(v, "some text ${var01}$${var$${var01}$var01${var01}"),
        "some text abcdEFGH28ij${var${var01}$var01abcdEFGH28ij"
    );
    assert_eq!(
        expand(
            &[("default_var", "foo")],
            "something $${var=${default_var}}"
        ),
        "something ${var=foo}"
    );
    // Any doubled dollar in text collapses, not only before a brace.
    assert_eq!(expand(&[], "$$string"), "$string");
    assert_eq!(expand(&[], "echo $$ $$$"), "echo $ $$");
    assert_eq!(expand(&[], "$$$${x}"), "$${x}");
}

#[test]
fn unbraced_variables_are_left_alone() {
    let v = &[("var", "value"), ("HOME", "/root")];
    assert_eq!(expand(v, "echo $var $HOME ${var}"), "echo $var $HOME value");
    assert_eq!(expand(v, "cost: 5$"), "cost: 5$");
    assert_eq!(expand(v, "$"), "$");
}

#[test]
fn backslashes_outside_replacements_are_text() {
    let v = &[("default_var", "foo")];
    assert_eq!(
        expand(v, r"\\something ${var=${default_var}}"),
        r"\\something foo"
    );
    assert_eq!(expand(&[("v", "x")], r"\${v} \/"), r"\x \/");
}

#[test]
fn unset_variables_read_as_empty_when_not_strict() {
    assert_eq!(expand(&[], "a${missing}b"), "ab");
}

// ---- strict mode (upstream's TestExpandStrict, fluxcd/flux2#5836) ----

#[test]
fn strict_mode_requires_variables_without_fallback() {
    assert_eq!(strict(&[], "abcdEFGH28ij").unwrap(), "abcdEFGH28ij");
    assert_eq!(strict(&[("foo", "bar")], "${foo}").unwrap(), "bar");
    assert_eq!(strict(&[("foo", "")], "${foo}").unwrap(), "");
    assert_eq!(
        strict(&[], "${missing}").unwrap_err(),
        Error::VariableNotSet("missing".into())
    );
    assert_eq!(
        strict(&[], "x: ${missing}").unwrap_err().to_string(),
        "variable not set (strict mode): \"missing\""
    );
}

#[test]
fn strict_mode_applies_to_every_reading_operator() {
    for input in [
        "${#missing}",
        "${missing^}",
        "${missing^^}",
        "${missing,}",
        "${missing,,}",
        "${missing:0}",
        "${missing:0:10}",
        "${missing/pattern/replacement}",
        "${missing//pattern/replacement}",
        "${missing/#pattern/replacement}",
        "${missing/%pattern/replacement}",
        "${missing#pattern}",
        "${missing##pattern}",
        "${missing%pattern}",
        "${missing%%pattern}",
    ] {
        assert_eq!(
            strict(&[], input),
            Err(Error::VariableNotSet("missing".into())),
            "{input}"
        );
    }
}

#[test]
fn strict_mode_accepts_fallback_operators() {
    assert_eq!(
        strict(&[("foo", "bar")], "${missing:=default}").unwrap(),
        "default"
    );
    assert_eq!(strict(&[], "${missing:-fallback}").unwrap(), "fallback");
    assert_eq!(strict(&[], "${missing:=assigned}").unwrap(), "assigned");
    assert_eq!(strict(&[], "${missing=assigned}").unwrap(), "assigned");
    assert_eq!(strict(&[], "${missing:+alt}").unwrap(), "alt");
    assert_eq!(strict(&[], "${missing:?msg}").unwrap(), "msg");
    assert_eq!(strict(&[], "${missing:=}").unwrap(), "");
}

#[test]
fn strict_mode_checks_nested_fallbacks() {
    // Arguments are evaluated first, even when the fallback is not needed.
    assert_eq!(
        strict(&[("a", "set")], "${a:=${missing}}"),
        Err(Error::VariableNotSet("missing".into()))
    );
    assert_eq!(strict(&[("b", "x")], "${a:=${b}}").unwrap(), "x");
}

// ---- syntax errors ----

#[test]
fn malformed_expressions_fail_with_upstream_messages() {
    let cases = [
        ("${var", "missing closing brace"),
        ("text ${var and more", "missing closing brace"),
        ("${var-default}", "missing closing brace"),
        ("${var+alt}", "missing closing brace"),
        ("${var?err}", "missing closing brace"),
        ("${var[0]}", "missing closing brace"),
        ("${}", "unable to parse variable name"),
        ("text ${", "unable to parse variable name"),
        ("${ var}", "unable to parse variable name"),
        ("${-x}", "unable to parse variable name"),
        ("${#}", "bad substitution"),
        ("${#var:=x}", "bad substitution"),
        ("${var:}", "unable to parse substitution within function"),
        ("${var:", "bad substitution"),
        ("${var:=abc", "unable to parse substitution within function"),
        ("${var#}", "unable to parse substitution within function"),
        ("${var#a${b}c}", "bad substitution"),
        ("${var^x}", "bad substitution"),
        ("${var/a}", "bad substitution"),
    ];
    for (input, message) in cases {
        assert_eq!(error(input).to_string(), message, "{input:?}");
    }
}

#[test]
fn multibyte_character_after_colon_misleads_the_scanner_like_upstream() {
    // Upstream steps back by the width of the peeked character (2 bytes), landing on the
    // name's last byte rather than on the colon.
    assert_eq!(error("${var:é}").to_string(), "bad substitution");
}

#[test]
fn nul_ends_the_input_as_in_go() {
    assert_eq!(expand(&[("v", "x")], "a${v}\0b${v}"), "ax");
}

#[test]
fn unicode_letters_are_variable_names() {
    assert_eq!(expand(&[("café", "ok")], "${café}"), "ok");
    assert_eq!(expand(&[("v1_x", "ok")], "${v1_x}"), "ok");
}

// ---- parse trees (upstream's TestParse) ----

fn text(s: &str) -> Node {
    Node::Text(s.as_bytes().to_vec())
}

fn f(param: &str, op: &str, args: Vec<Node>) -> Node {
    Node::Func {
        param: param.as_bytes().to_vec(),
        op: op.as_bytes().to_vec(),
        args,
    }
}

#[test]
fn parse_trees_match_upstream() {
    let cases: Vec<(&str, Vec<Node>)> = vec![
        ("text", vec![text("text")]),
        ("$${string}", vec![text("${string}")]),
        ("$$string", vec![text("$string")]),
        ("${string}", vec![f("string", "", vec![])]),
        ("${string,}", vec![f("string", ",", vec![])]),
        ("${string^^}", vec![f("string", "^^", vec![])]),
        (
            "${string:position}",
            vec![f("string", ":", vec![text("position")])],
        ),
        (
            "${string:position:length}",
            vec![f("string", ":", vec![text("position"), text("length")])],
        ),
        (
            "${string##substring}",
            vec![f("string", "##", vec![text("substring")])],
        ),
        (
            "${string%substring}",
            vec![f("string", "%", vec![text("substring")])],
        ),
        (
            "${string/#/replacement}",
            vec![f("string", "/#", vec![text(""), text("replacement")])],
        ),
        (
            "${string//substring/replacement}",
            vec![f(
                "string",
                "//",
                vec![text("substring"), text("replacement")],
            )],
        ),
        (
            "${string:?default}",
            vec![f("string", ":?", vec![text("default")])],
        ),
        (
            "${string:+default}",
            vec![f("string", ":+", vec![text("default")])],
        ),
        ("${#string}", vec![f("string", "#", vec![])]),
        (
            "${string#$%:*{}",
            vec![f("string", "#", vec![text("$%:*{")])],
        ),
        (
            "hello ${#string} world",
            vec![text("hello "), f("string", "#", vec![]), text(" world")],
        ),
        (
            r"\\ hello ${#string} world \\",
            vec![
                text(r"\\ hello "),
                f("string", "#", vec![]),
                text(r" world \\"),
            ],
        ),
        (
            r"${string/\/position\\/length}",
            vec![f("string", "/", vec![text(r"/position\"), text("length")])],
        ),
        (
            r"${string/position/\/leng\\th}",
            vec![f("string", "/", vec![text("position"), text(r"/leng\th")])],
        ),
        (
            "${string:${stringy:position:length}:${stringz,,}}",
            vec![f(
                "string",
                ":",
                vec![
                    f("stringy", ":", vec![text("position"), text("length")]),
                    f("stringz", ",,", vec![]),
                ],
            )],
        ),
        (
            "${string=prefix${var} suffix}",
            vec![f(
                "string",
                "=",
                vec![text("prefix"), f("var", "", vec![]), text(" suffix")],
            )],
        ),
        (
            "${string//${stringy}/${stringz}}",
            vec![f(
                "string",
                "//",
                vec![f("stringy", "", vec![]), f("stringz", "", vec![])],
            )],
        ),
    ];
    for (input, want) in cases {
        assert_eq!(parse(input.as_bytes()).unwrap(), want, "{input:?}");
    }
}

// ---- limits (SECURITY 22) ----

#[test]
fn refuses_output_beyond_the_limit() {
    let vars = vars(&[("v", &"a".repeat(1000)), ("big", &"b".repeat(10_000))]);
    let lookup = |n: &str| vars.get(n).cloned();
    let err = substitute_with_limit("${v//a/${big}}", &lookup, false, 1 << 20).unwrap_err();
    assert_eq!(err, Error::TooLarge { limit: 1 << 20 });
    assert_eq!(
        err.to_string(),
        "substitution output exceeds the limit of 1048576 bytes"
    );
    let many = "${big}".repeat(200);
    let err = substitute_with_limit(&many, &lookup, false, 1 << 20).unwrap_err();
    assert_eq!(err, Error::TooLarge { limit: 1 << 20 });
    // Within the limit all is well.
    let ok = substitute_with_limit("${big}${big}", &lookup, false, 1 << 20).unwrap();
    assert_eq!(ok.len(), 20_000);
}

#[test]
fn default_limit_scales_with_the_input() {
    assert_eq!(output_limit(10), MIN_OUTPUT_LIMIT);
    assert_eq!(output_limit(1 << 20), 10 << 20);
}

#[test]
fn refuses_deep_nesting() {
    let depth = MAX_DEPTH + 1;
    let input = format!("{}x{}", "${a:=".repeat(depth), "}".repeat(depth));
    assert_eq!(error(&input), Error::TooDeep { limit: MAX_DEPTH });
    let ok = format!("{}x{}", "${a:=".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
    assert_eq!(expand(&[], &ok), "x");
}

#[test]
fn refuses_runaway_pattern_matching() {
    let vars = vars(&[("v", &"a".repeat(20_000))]);
    let err = substitute("${v##*a*a*a*b}", &|n: &str| vars.get(n).cloned(), false);
    assert_eq!(err.map(|s| s.len()), Err(Error::PatternTooExpensive));
    // Short values are fine.
    assert_eq!(expand(&[("v", "aaab")], "${v##*a*a*a*b}"), "");
}

#[test]
fn long_inputs_with_many_escapes_stay_linear() {
    let input = "$$ ".repeat(200_000);
    let out = expand(&[], &input);
    assert_eq!(out.len(), 2 * 200_000);
}

// ---- objects (kustomize_varsub.go) ----

fn var_map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn opts(strict: bool) -> Options {
    Options {
        strict,
        always: false,
    }
}

#[test]
fn substitutes_the_documented_namespace_example() {
    // Flux's documentation: `environment` falls back, `region` comes from the vars.
    let ns = json!({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "apps", "labels": {
            "environment": "${cluster_env:=dev}",
            "region": "${cluster_region}"
        }}
    });
    let out = substitute_object(
        &ns,
        &var_map(&[("cluster_region", "eu-central-1")]),
        opts(true),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        out,
        json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "apps", "labels": {"environment": "dev", "region": "eu-central-1"}}
        })
    );
    let out = substitute_object(
        &ns,
        &var_map(&[("cluster_env", "prod"), ("cluster_region", "eu-central-1")]),
        opts(true),
    )
    .unwrap()
    .unwrap();
    assert_eq!(out["metadata"]["labels"]["environment"], "prod");
}

#[test]
fn substituted_numbers_and_booleans_change_type() {
    let obj = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "app", "annotations": {
            "id": "${quote}${id}${quote}",
            "enabled": "${quote}${enabled}${quote}"
        }},
        "spec": {"replicas": "${replicas}", "paused": "${enabled}", "legacy": "${yes}", "mode": "${mode}"}
    });
    let out = substitute_object(
        &obj,
        &var_map(&[
            ("quote", "\""),
            ("id", "123"),
            ("enabled", "true"),
            ("replicas", "3"),
            ("yes", "on"),
            ("mode", "0755"),
        ]),
        opts(true),
    )
    .unwrap()
    .unwrap();
    // The documented double-quote variable keeps strings strings.
    assert_eq!(out["metadata"]["annotations"]["id"], json!("123"));
    assert_eq!(out["metadata"]["annotations"]["enabled"], json!("true"));
    assert_eq!(out["spec"]["replicas"], json!(3));
    assert_eq!(out["spec"]["paused"], json!(true));
    // YAML 1.1, as sigs.k8s.io/yaml reads it.
    assert_eq!(out["spec"]["legacy"], json!(true));
    assert_eq!(out["spec"]["mode"], json!(493));
}

#[test]
fn untouched_strings_keep_their_type() {
    let obj = json!({
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
        "data": {"a": "yes", "b": "0755", "c": "1.0", "d": "null", "e": "${v}"}
    });
    let out = substitute_object(&obj, &var_map(&[("v", "x")]), opts(false))
        .unwrap()
        .unwrap();
    assert_eq!(
        out["data"],
        json!({"a": "yes", "b": "0755", "c": "1.0", "d": "null", "e": "x"})
    );
}

#[test]
fn whole_floats_become_integers_as_through_json() {
    let obj = json!({"apiVersion": "v1", "kind": "X", "metadata": {"name": "x"}, "spec": {"a": 1.0, "b": 1.5, "c": [2.0]}});
    let out = substitute_object(&obj, &var_map(&[("v", "x")]), opts(false))
        .unwrap()
        .unwrap();
    assert_eq!(out["spec"], json!({"a": 1, "b": 1.5, "c": [2]}));
}

#[test]
fn empty_values_are_set_in_strict_mode_and_read_as_null() {
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"from-inline": "${empty}"}});
    let out = substitute_object(&obj, &var_map(&[("empty", "")]), opts(true))
        .unwrap()
        .unwrap();
    assert_eq!(out["data"]["from-inline"], Value::Null);
}

#[test]
fn strict_mode_names_the_missing_variable() {
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "${missing}"}});
    let err = substitute_object(&obj, &var_map(&[("other", "x")]), opts(true)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "envsubst error: variable substitution failed: variable not set (strict mode): \"missing\""
    );
    assert_eq!(err.root(), &Error::VariableNotSet("missing".into()));
    // Not strict: empty.
    let out = substitute_object(&obj, &var_map(&[("other", "x")]), opts(false))
        .unwrap()
        .unwrap();
    assert_eq!(out["data"]["k"], Value::Null);
}

#[test]
fn disabled_label_or_annotation_skips_the_object() {
    for field in ["labels", "annotations"] {
        let obj = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "script", field: {SUBSTITUTE_KEY: DISABLED_VALUE}},
            "data": {"run.sh": "echo ${HOME} ${missing}"}
        });
        assert!(is_disabled(&obj));
        assert_eq!(
            substitute_object(&obj, &var_map(&[("HOME", "/x")]), opts(true)),
            Ok(None)
        );
    }
    let enabled = json!({"metadata": {"annotations": {SUBSTITUTE_KEY: "enabled"}}});
    assert!(!is_disabled(&enabled));
}

#[test]
fn nothing_happens_without_variables() {
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "${cluster_env:=dev}", "b": "$${kept}"}});
    assert_eq!(
        substitute_object(&obj, &BTreeMap::new(), opts(true)),
        Ok(None)
    );
    // With `always`, fallbacks and escapes apply.
    let out = substitute_object(
        &obj,
        &BTreeMap::new(),
        Options {
            strict: true,
            always: true,
        },
    )
    .unwrap()
    .unwrap();
    assert_eq!(out["data"], json!({"a": "dev", "b": "${kept}"}));
}

#[test]
fn escaped_expressions_survive() {
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
        "data": {"script": "echo $${HOME} $HOME ${who}"}});
    let out = substitute_object(&obj, &var_map(&[("who", "me")]), opts(true))
        .unwrap()
        .unwrap();
    assert_eq!(out["data"]["script"], "echo ${HOME} $HOME me");
}

#[test]
fn invalid_variable_names_are_refused() {
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
    let err =
        substitute_object(&obj, &var_map(&[("ok", "1"), ("1bad", "x")]), opts(false)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "envsubst error: '1bad' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'"
    );
    for good in ["a", "_", "_a1", "CLUSTER_NAME", "x9"] {
        assert!(is_valid_var_name(good), "{good}");
    }
    for bad in ["", "1a", "a-b", "a.b", "café", "a b"] {
        assert!(!is_valid_var_name(bad), "{bad}");
    }
}

#[test]
fn line_feeds_are_removed_from_values() {
    assert_eq!(variable_value("a\nb\n"), "ab");
    let obj = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"token": "${token}"}});
    let out = substitute_object(&obj, &var_map(&[("token", "abc\ndef\n")]), opts(true))
        .unwrap()
        .unwrap();
    assert_eq!(out["stringData"]["token"], "abcdef");
}

#[test]
fn values_that_break_the_yaml_are_an_error() {
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "${v}"}});
    let err = substitute_object(&obj, &var_map(&[("v", "a: b")]), opts(false)).unwrap_err();
    assert!(
        err.to_string().starts_with("envsubst error: YAMLToJSON: "),
        "{err}"
    );
    let err = substitute_object(&obj, &var_map(&[("v", "${broken")]), opts(false));
    // A value is not parsed again: it is inserted as it is.
    assert_eq!(err.unwrap().unwrap()["data"]["k"], "${broken");
}

#[test]
fn syntax_errors_in_objects_are_wrapped() {
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "${unclosed"}});
    let err = substitute_object(&obj, &var_map(&[("v", "x")]), opts(false)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "envsubst error: variable substitution failed: missing closing brace"
    );
}

#[test]
fn long_and_multiline_strings_round_trip() {
    let long = format!("{} ${{name}} {}", "word ".repeat(30), "tail ".repeat(30));
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
        "data": {"long": long, "multi": "line one ${name}\nline two\n"}});
    let out = substitute_object(&obj, &var_map(&[("name", "flux")]), opts(true))
        .unwrap()
        .unwrap();
    assert_eq!(out["data"]["long"], long.replace("${name}", "flux"));
    assert_eq!(out["data"]["multi"], "line one flux\nline two\n");
}

#[test]
fn strings_the_printer_leaves_unquoted_keep_their_type() {
    // go-yaml only knows `yes`, `Yes` and `YES`; Flux's printer quotes `0o` octals.
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
        "data": {"a": "yEs", "b": "oN", "c": "0o17", "d": "-0o7", "oFF": "key", "e": "${v}"}});
    let out = substitute_object(&obj, &var_map(&[("v", "yes")]), opts(true))
        .unwrap()
        .unwrap();
    assert_eq!(
        out["data"],
        json!({"a": "yEs", "b": "oN", "c": "0o17", "d": "-0o7", "oFF": "key", "e": true})
    );
}

#[test]
fn defaults_with_spaces_survive_line_folding() {
    // The YAML printer folds long strings at spaces, here inside the expression; YAML reads
    // the fold back as the space it replaced.
    let template = format!(
        "{} ${{desc:=a default value that has several spaces in it}} end",
        "x ".repeat(38)
    );
    let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"d": template}});
    assert!(kustomize::yaml::to_string(&obj).contains("${desc:=a\n"));
    let out = substitute_object(&obj, &var_map(&[("other", "x")]), opts(true))
        .unwrap()
        .unwrap();
    assert_eq!(
        out["data"]["d"],
        format!(
            "{} a default value that has several spaces in it end",
            "x ".repeat(38)
        )
    );
}
