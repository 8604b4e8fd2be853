//! Substitution of one object of a build, as kustomize-controller drives it (fluxcd/pkg
//! `kustomize/kustomize_varsub.go`, `SubstituteVariables`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::{Error, Result, output_limit, substitute_with_limit};

/// The label or annotation that opts an object out of substitution.
pub const SUBSTITUTE_KEY: &str = "kustomize.toolkit.fluxcd.io/substitute";
/// The value of [`SUBSTITUTE_KEY`] that opts out.
pub const DISABLED_VALUE: &str = "disabled";
/// The rule variable names must follow, as Flux words it in errors (ASCII letters, digits
/// and `_`, not starting with a digit).
pub const VAR_NAME_PATTERN: &str = "^[_[:alpha:]][_[:alpha:][:digit:]]*$";

/// Whether `name` matches [`VAR_NAME_PATTERN`].
pub fn is_valid_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// A variable's value as Flux loads it from `postBuild.substitute`, a ConfigMap or a
/// Secret: with every line feed removed.
pub fn variable_value(raw: &str) -> String {
    raw.replace('\n', "")
}

/// Whether the object opts out with `kustomize.toolkit.fluxcd.io/substitute: disabled`,
/// as a label or as an annotation.
pub fn is_disabled(obj: &Value) -> bool {
    ["labels", "annotations"].iter().any(|field| {
        obj.get("metadata")
            .and_then(|m| m.get(field))
            .and_then(|m| m.get(SUBSTITUTE_KEY))
            .and_then(Value::as_str)
            == Some(DISABLED_VALUE)
    })
}

/// How kustomize-controller substitutes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Unset variables without a fallback are an error (`StrictPostBuildSubstitutions`).
    pub strict: bool,
    /// Substitute even when there are no variables, so that fallbacks apply (fluxcd/pkg's
    /// `SubstituteWithAlways`). kustomize-controller leaves it off.
    pub always: bool,
}

/// Substitutes one object the way kustomize-controller does, or leaves it as it is
/// (`Ok(None)`):
///
/// 1. an object labelled or annotated `kustomize.toolkit.fluxcd.io/substitute: disabled`
///    is left as it is;
/// 2. so is every object when there are no variables (unless [`Options::always`]): then not
///    even `$${var}` escapes or `${var:=default}` fallbacks are processed;
/// 3. every variable name must match [`VAR_NAME_PATTERN`];
/// 4. the object is printed as YAML, the text substituted (values with line feeds removed,
///    see [`variable_value`]), and the result read back as YAML.
///
/// The text is read back like sigs.k8s.io/yaml's `YAMLToJSON`, which Flux uses: YAML 1.1
/// scalars, so a substituted `yes`, `on` or `off` is a boolean and `0755` is octal, and
/// numbers without a fraction become integers (`1.0` → `1`), as the JSON round trip makes
/// them. That is why Flux tells users to quote a variable meant to stay a string.
///
/// The YAML printer is the kustomize engine's, which prints like Flux does (kustomize's
/// `Resource.AsYAML` goes through JSON and go-yaml v2: sorted keys, ambiguous strings
/// quoted, long lines folded, source quoting lost). Two kinds of strings that survive
/// Flux's round trip would not survive this one and are carried through unchanged:
/// `0o17` (go-yaml v2 quotes it, the kustomize printer does not) and `yEs` (go-yaml v2 reads
/// it as a string, the YAML 1.1 reader here as a boolean).
///
/// Errors carry fluxcd/pkg's wording, e.g. `envsubst error: variable substitution failed:
/// variable not set (strict mode): "cluster_region"`; kustomize-controller reports them as
/// `post build failed for '<object name>': <error>`.
pub fn substitute_object(
    obj: &Value,
    vars: &BTreeMap<String, String>,
    options: Options,
) -> Result<Option<Value>> {
    if is_disabled(obj) {
        return Ok(None);
    }
    if vars.is_empty() && !options.always {
        return Ok(None);
    }
    if let Some(bad) = vars.keys().find(|k| !is_valid_var_name(k)) {
        return Err(Error::Object(Box::new(Error::InvalidVarName(bad.clone()))));
    }

    let mut kept = Vec::new();
    let text = kustomize::yaml::to_string(&protect(obj, &mut kept));
    let limit = output_limit(text.len());
    let lookup = |name: &str| vars.get(name).map(|v| variable_value(v));
    let out = substitute_with_limit(&text, &lookup, options.strict, limit)
        .map_err(|e| Error::Object(Box::new(Error::Substitution(Box::new(e)))))?;

    let yaml_error = |message: String| Error::Object(Box::new(Error::Yaml(message)));
    let mut value = read_yaml(&out, limit).map_err(yaml_error)?;
    if !value.is_object() {
        return Err(yaml_error(
            "the substituted object is no longer a YAML mapping".to_string(),
        ));
    }
    json_round_trip_numbers(&mut value);
    restore(&mut value, &kept);
    Ok(Some(value))
}

/// Reads the substituted text with YAML 1.1 scalars (go-yaml v2's) and the same nesting
/// and alias budget as the kustomize engine.
fn read_yaml(text: &str, limit: usize) -> std::result::Result<Value, String> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = kustomize::yaml::MAX_DEPTH;
    budget.max_aliases = kustomize::yaml::MAX_ALIASES;
    budget.max_reader_input_bytes = Some(limit);
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.strict_booleans = false;
    options.legacy_octal_numbers = true;
    serde_saphyr::from_str_with_options(text, options).map_err(|e| e.without_snippet().to_string())
}

/// Flux turns the YAML into JSON and decodes that into an unstructured object: a float
/// without a fraction is printed as an integer and read back as one, and an integer beyond
/// `i64` is read back as a float.
fn json_round_trip_numbers(v: &mut Value) {
    match v {
        Value::Number(n) => {
            if n.is_i64() {
                return;
            }
            if let Some(u) = n.as_u64() {
                if let Some(f) = serde_json::Number::from_f64(u as f64) {
                    *v = Value::Number(f);
                }
                return;
            }
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 1e21
                && f >= i64::MIN as f64
                && f < i64::MAX as f64
            {
                *v = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(json_round_trip_numbers),
        Value::Object(map) => map.values_mut().for_each(json_round_trip_numbers),
        _ => {}
    }
}

/// Whether the YAML printer writes `s` unquoted although the YAML 1.1 reader would not read
/// it back as a string: booleans in a case go-yaml does not know (`yEs`; go-yaml v2 reads
/// only `yes`, `Yes` and `YES` as booleans, so does Flux) and `0o` octals (which Flux's
/// printer quotes). Such strings hold no `$`, so substitution cannot touch them.
fn misread_when_plain(s: &str) -> bool {
    const BOOLS: &[&str] = &["y", "yes", "n", "no", "on", "off", "true", "false"];
    const GO_YAML: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
        "OFF", "true", "True", "TRUE", "false", "False", "FALSE",
    ];
    if BOOLS.iter().any(|b| b.eq_ignore_ascii_case(s)) {
        return !GO_YAML.contains(&s);
    }
    s.trim_start_matches(['+', '-'])
        .strip_prefix("0o")
        .is_some_and(|rest| !rest.is_empty())
}

/// Marks the strings that would not survive the YAML round trip: they are printed as
/// placeholders (in a private-use character, no `$`) and put back by [`restore`].
fn protect(v: &Value, kept: &mut Vec<String>) -> Value {
    let keep = |s: &String, kept: &mut Vec<String>| {
        if misread_when_plain(s) {
            kept.push(s.clone());
            placeholder(kept.len() - 1)
        } else {
            s.clone()
        }
    };
    match v {
        Value::String(s) => Value::String(keep(s, kept)),
        Value::Array(items) => Value::Array(items.iter().map(|i| protect(i, kept)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (keep(k, kept), protect(v, kept)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn placeholder(i: usize) -> String {
    format!("\u{e000}envsubst-kept-{i}\u{e000}")
}

fn restore(v: &mut Value, kept: &[String]) {
    if kept.is_empty() {
        return;
    }
    let original = |s: &str| -> Option<String> {
        let n = s
            .strip_prefix("\u{e000}envsubst-kept-")?
            .strip_suffix('\u{e000}')?
            .parse::<usize>()
            .ok()?;
        kept.get(n).cloned()
    };
    match v {
        Value::String(s) => {
            if let Some(o) = original(s) {
                *s = o;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| restore(i, kept)),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (k, mut val) in entries {
                restore(&mut val, kept);
                map.insert(original(&k).unwrap_or(k), val);
            }
        }
        _ => {}
    }
}
