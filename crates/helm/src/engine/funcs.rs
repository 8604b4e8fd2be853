//! Helm's template functions on top of Sprig's (`pkg/engine/funcs.go` and the closures
//! `initFunMap` adds).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use gotemplate::{CallContext, FuncError, FuncMap, Str, Template, Value};

use super::render::{cleanup_exec_error, cleanup_parse_error};
use super::{Limits, Lookup, RenderOptions};

/// State the render-time functions share: `include` counts per name, `tpl` depth.
pub(super) struct Shared {
    limits: Limits,
    lookup: Option<Arc<dyn Lookup>>,
    included: Mutex<HashMap<String, usize>>,
    tpl_depth: AtomicUsize,
    /// Sets with a top-level `tpl` text parsed in, by (template name, text): charts call
    /// `tpl` on the same value in loops, and cloning the set costs O(templates).
    tpl_cache: Mutex<HashMap<(Str, String), Template>>,
}

/// Enough for the distinct `tpl` texts of one file's loops; each entry holds a copy of
/// the set's index (not of the parsed trees, which are shared).
const TPL_CACHE_ENTRIES: usize = 128;

impl Shared {
    pub(super) fn new(opts: &RenderOptions) -> Arc<Shared> {
        Arc::new(Shared {
            limits: opts.limits,
            lookup: opts.lookup.clone(),
            included: Mutex::new(HashMap::new()),
            tpl_depth: AtomicUsize::new(0),
            tpl_cache: Mutex::new(HashMap::new()),
        })
    }

    /// Drops the cached sets. Each holds the function map, whose closures hold this
    /// `Shared`: a render must call this when it is done, or the cycle leaks.
    pub(super) fn clear_tpl_cache(&self) {
        self.tpl_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
}

fn warn_wrap(msg: &str) -> FuncError {
    FuncError::new(format!("HELM_ERR_START{msg}HELM_ERR_END"))
}

fn to_json(v: &Value) -> Result<serde_json::Value, String> {
    v.to_json()
}

/// Helm's `funcMap()`: Sprig without `env`/`expandenv`, plus the YAML/JSON/TOML
/// converters, and `include`/`tpl`/`required`/`lookup` as placeholders (the renderer
/// replaces them with working ones). This is the map Helm's own function tests use.
pub fn helm_func_map() -> FuncMap {
    let mut m = gotemplate::sprig::txt_func_map_without_env();
    m.extend(converters());
    m.add(
        "include",
        "func(name string, data interface {}) (string, error)",
        |_, _| Err(FuncError::new("not implemented")),
    );
    m.add(
        "tpl",
        "func(tpl string, vals map[string]interface {}) (string, error)",
        |_, _| Err(FuncError::new("not implemented")),
    );
    m.add(
        "required",
        "func(warn string, val interface {}) (interface {}, error)",
        |_, _| Err(FuncError::new("not implemented")),
    );
    m.add(
        "lookup",
        "func(apiversion string, resource string, namespace string, name string) (map[string]interface {}, error)",
        |_, _| Ok(Value::Map(gotemplate::Map::new())),
    );
    m
}

fn converters() -> FuncMap {
    let mut m = FuncMap::new();
    m.add("toYaml", "func(v interface {}) string", |_, a| {
        Ok(Value::string(
            to_json(&a[0])
                .map(|j| goyaml::to_yaml(&j))
                .unwrap_or_default(),
        ))
    });
    m.add(
        "mustToYaml",
        "func(v interface {}) (string, error)",
        |_, a| {
            let j = to_json(&a[0]).map_err(FuncError::new)?;
            let y = goyaml::json_to_yaml(&j).map_err(|e| FuncError::new(e.to_string()))?;
            Ok(Value::string(y.strip_suffix('\n').unwrap_or(&y)))
        },
    );
    m.add("toYamlPretty", "func(v interface {}) string", |_, a| {
        Ok(Value::string(
            to_json(&a[0])
                .map(|j| goyaml::to_yaml_pretty(&j))
                .unwrap_or_default(),
        ))
    });
    m.add(
        "fromYaml",
        "func(str string) map[string]interface {}",
        |_, a| {
            Ok(
                match goyaml::unmarshal_map(a[0].as_str().unwrap_or_default()) {
                    Ok(map) => Value::from_json(&serde_json::Value::Object(map)),
                    Err(e) => error_map(e.to_string()),
                },
            )
        },
    );
    m.add(
        "fromYamlArray",
        "func(str string) []interface {}",
        |_, a| {
            Ok(
                match goyaml::unmarshal_array(a[0].as_str().unwrap_or_default()) {
                    Ok(v) => Value::from_json(&serde_json::Value::Array(v)),
                    Err(e) => Value::list(vec![Value::string(e.to_string())]),
                },
            )
        },
    );
    m.add("toJson", "func(v interface {}) string", |_, a| {
        Ok(Value::string(
            gotemplate::sprig::json::marshal(&a[0], JSON).unwrap_or_default(),
        ))
    });
    m.add(
        "mustToJson",
        "func(v interface {}) (string, error)",
        |_, a| {
            gotemplate::sprig::json::marshal(&a[0], JSON)
                .map(Value::string)
                .map_err(FuncError::new)
        },
    );
    m.add(
        "fromJson",
        "func(str string) map[string]interface {}",
        |_, a| {
            Ok(
                match gotemplate::sprig::json::unmarshal(a[0].as_str().unwrap_or_default()) {
                    Ok(v @ Value::Map(_)) => v,
                    Ok(Value::Nil) => Value::Map(gotemplate::Map::new()),
                    Ok(other) => error_map(unmarshal_type_error(&other, "map[string]interface {}")),
                    Err(e) => error_map(e),
                },
            )
        },
    );
    m.add(
        "fromJsonArray",
        "func(str string) []interface {}",
        |_, a| {
            Ok(
                match gotemplate::sprig::json::unmarshal(a[0].as_str().unwrap_or_default()) {
                    Ok(v @ Value::List(_)) => v,
                    Ok(Value::Nil) => Value::list(Vec::new()),
                    Ok(other) => Value::list(vec![Value::string(unmarshal_type_error(
                        &other,
                        "[]interface {}",
                    ))]),
                    Err(e) => Value::list(vec![Value::string(e)]),
                },
            )
        },
    );
    m.add("toToml", "func(v interface {}) string", |_, a| {
        Ok(Value::string(match super::toml::encode(&a[0]) {
            Ok(s) => s,
            Err(e) => e,
        }))
    });
    m.add(
        "fromToml",
        "func(str string) map[string]interface {}",
        |_, a| {
            Ok(
                match super::toml::decode(a[0].as_str().unwrap_or_default()) {
                    Ok(v) => v,
                    Err(e) => error_map(e),
                },
            )
        },
    );
    // Helm answers DNS look-ups only with --enable-dns; rendering stays hermetic here.
    m.add("getHostByName", "func(name string) string", |_, _| {
        Ok(Value::string(""))
    });
    m
}

fn error_map(msg: String) -> Value {
    let mut m = std::collections::BTreeMap::new();
    m.insert(Str::from("Error"), Value::string(msg));
    Value::map(m)
}

/// encoding/json's `UnmarshalTypeError` text for a well-formed document of the wrong shape.
fn unmarshal_type_error(v: &Value, target: &str) -> String {
    let what = match v {
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        _ => "number",
    };
    format!("json: cannot unmarshal {what} into Go value of type {target}")
}

/// The full map a render uses: [`helm_func_map`] with working `include`, `tpl`,
/// `required`, `fail` and `lookup`.
pub(super) fn helm_funcs(shared: &Arc<Shared>) -> FuncMap {
    let mut m = helm_func_map();

    let s = shared.clone();
    m.add("include", "func(name string, data interface {}) (string, error)", move |cx, a| {
        let name = a[0].as_str().unwrap_or_default().to_string();
        {
            let mut counts = s.included.lock().unwrap_or_else(|p| p.into_inner());
            let n = counts.entry(name.clone()).or_insert(0);
            if *n > s.limits.max_include_recursion {
                return Err(FuncError::new(format!(
                    "rendering template has a nested reference name: {name}: unable to execute template"
                )));
            }
            *n += 1;
        }
        let out = cx.execute_template(&name, &a[1]);
        if let Some(n) = s.included.lock().unwrap_or_else(|p| p.into_inner()).get_mut(&name) {
            *n -= 1;
        }
        out.map(Value::string).map_err(FuncError::from)
    });

    let s = shared.clone();
    m.add(
        "tpl",
        "func(tpl string, vals map[string]interface {}) (string, error)",
        move |cx, a| tpl(&s, cx, a[0].as_str().unwrap_or_default(), &a[1]),
    );

    m.add(
        "required",
        "func(warn string, val interface {}) (interface {}, error)",
        |_, a| match &a[1] {
            Value::Nil => Err(warn_wrap(a[0].as_str().unwrap_or_default())),
            Value::String(s) if s.is_empty() => Err(warn_wrap(a[0].as_str().unwrap_or_default())),
            v => Ok(v.clone()),
        },
    );
    m.add("fail", "func(msg string) (string, error)", |_, a| {
        Err(warn_wrap(a[0].as_str().unwrap_or_default()))
    });

    let s = shared.clone();
    m.add(
        "lookup",
        "func(apiversion string, resource string, namespace string, name string) (map[string]interface {}, error)",
        move |_, a| {
            let Some(client) = &s.lookup else {
                return Ok(Value::Map(gotemplate::Map::new()));
            };
            let arg = |i: usize| a[i].as_str().unwrap_or_default();
            match client.lookup(arg(0), arg(1), arg(2), arg(3)).map_err(FuncError::new)? {
                Some(obj) => Ok(Value::from_json(&obj)),
                None => Ok(Value::Map(gotemplate::Map::new())),
            }
        },
    );
    m
}

/// Helm's `tpl`: the text is parsed as the template named `.Template.Name` into the set
/// being executed, so it can `include` every chart template. Helm re-parses all
/// templates of the release on each call; here the set is cloned copy-on-write and only
/// the new text is parsed, which keeps `tpl` in a loop linear in the chart's size.
fn tpl(
    shared: &Shared,
    cx: &mut CallContext<'_>,
    text: &str,
    vals: &Value,
) -> Result<Value, FuncError> {
    let Value::Map(vals_map) = vals else {
        return Err(FuncError::new(format!(
            "cannot retrieve Template.Basepath from values inside tpl function: {text}: no Template in values"
        )));
    };
    let template_name = match vals_map
        .get("Template")
        .and_then(|t| t.as_map().and_then(|m| m.get("Name")))
    {
        Some(Value::String(s)) => s,
        _ => {
            return Err(FuncError::new(format!(
                "cannot retrieve Template.Name from values inside tpl function: {text}: no value for Template.Name"
            )));
        }
    };
    // Without actions the text is its own output; most `tpl` calls in real charts are
    // on plain values, so this is also the fast path.
    let delim = "{{";
    if !text.contains(delim) {
        return Ok(Value::string(text));
    }
    let depth = shared.tpl_depth.fetch_add(1, Ordering::SeqCst);
    let _guard = DepthGuard(&shared.tpl_depth);
    if depth >= shared.limits.max_tpl_depth {
        return Err(FuncError::new(format!(
            "tpl calls nested more than {} deep in {template_name}: a value probably renders itself",
            shared.limits.max_tpl_depth
        )));
    }
    let wrap = |e: super::Error| {
        FuncError::new(format!(
            "error during tpl function execution for {text:?}: {e}"
        ))
    };
    // Only top-level calls are cached: there the set is always the release's own, while
    // a nested `tpl` runs in a set its caller's text was parsed into.
    let key = (template_name.clone(), text.to_string());
    let cached = if depth == 0 {
        shared
            .tpl_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned()
    } else {
        None
    };
    let t = match cached {
        Some(t) => t,
        None => {
            let mut t = cx.template().clone();
            // A trailing sentinel keeps the tree non-empty, so that parsing replaces the
            // current file's template even when the text is only comments or definitions.
            let source = format!("{text}{SENTINEL}");
            t.parse_named(&template_name, &source)
                .map_err(|e| wrap(cleanup_parse_error(&template_name, &e)))?;
            keep_chart_definitions(cx.template(), &mut t, &template_name, &source);
            if depth == 0 {
                let mut cache = shared.tpl_cache.lock().unwrap_or_else(|p| p.into_inner());
                if cache.len() >= TPL_CACHE_ENTRIES {
                    cache.clear();
                }
                cache.insert(key, t.clone());
            }
            t
        }
    };
    let out = cx
        .execute_in(&t, &template_name, vals)
        .map_err(|e| wrap(cleanup_exec_error(&template_name, &e)))?;
    let out = out.strip_suffix(SENTINEL).unwrap_or(&out);
    Ok(Value::string(out.replace("<no value>", "")))
}

const JSON: gotemplate::sprig::json::EncodeOptions<'static> =
    gotemplate::sprig::json::EncodeOptions {
        escape_html: true,
        indent: None,
    };

/// Helm parses the `tpl` text first and the chart's templates after it, so a chart's
/// `define` wins over one of the same name in the text: put the chart's back.
fn keep_chart_definitions(chart: &Template, t: &mut Template, name: &str, source: &str) {
    let mut probe = Template::new(name);
    probe.funcs(chart.func_map().clone());
    if probe.parse(source).is_err() {
        return;
    }
    for defined in probe.template_names() {
        if *defined != *name && chart.lookup(&defined) {
            // Cannot fail: `lookup` just found it.
            let _ = t.add_template(&defined, chart, &defined);
        }
    }
}

const SENTINEL: char = '\u{0}';

struct DepthGuard<'a>(&'a AtomicUsize);

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
