//! Shared helpers: corpus paths, Go-recorded expectations, archive builders.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use helm::engine::template::{TemplateFailure, TemplateOptions, render_name_template, template};

use serde_json::{Value as Json, json};

pub fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/helm")
}

pub fn chartutil_testdata() -> PathBuf {
    corpus().join("helm-template-golden/pkg/chartutil/testdata")
}

pub fn expected(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expected")
        .join(name)
}

/// Reads a JSON-lines file recorded with Helm v3.21.4 (see tests/expected/README.md).
pub fn expected_lines(name: &str) -> Vec<Json> {
    let text = std::fs::read_to_string(expected(name)).unwrap();
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Values with Go number types made visible, as the recorder writes them:
/// `"i:N"` for int64, `"f:N"` for float64 (Go's JSON form), `"s:..."` for strings.
pub fn typed(v: &Json) -> Json {
    match v {
        Json::Object(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), typed(v))).collect()),
        Json::Array(a) => Json::Array(a.iter().map(typed).collect()),
        Json::Number(n) if n.is_f64() => Json::String(format!(
            "f:{}",
            helm::values::go_json_float(n.as_f64().unwrap())
        )),
        Json::Number(n) => Json::String(format!("i:{n}")),
        Json::String(s) => Json::String(format!("s:{s}")),
        other => other.clone(),
    }
}

/// The summary of a loaded chart that the recorder prints for Helm's chart.
pub fn chart_info(c: &helm::Chart) -> Json {
    let mut deps: Vec<&helm::Chart> = c.dependencies.iter().collect();
    deps.sort_by(|a, b| a.name().cmp(b.name()));
    json!({
        "metadata": serde_json::to_value(&c.metadata).unwrap(),
        "templates": c.templates.iter().map(|f| f.name.clone()).collect::<Vec<_>>(),
        "files": c.files.iter().map(|f| f.name.clone()).collect::<Vec<_>>(),
        "values": typed(&Json::Object(c.values.clone())),
        "schema": c.schema.is_some(),
        "lock": c.lock.is_some(),
        "dependencies": deps.into_iter().map(chart_info).collect::<Vec<_>>(),
    })
}

pub enum Entry<'a> {
    File(&'a str, &'a [u8]),
    Symlink(&'a str, &'a str),
    Hardlink(&'a str, &'a str),
    Device(&'a str),
    Dir(&'a str),
}

/// A gzipped tar built byte by byte, so that names tar writers refuse can be tested.
pub fn tgz(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut tar = Vec::new();
    for e in entries {
        let mut h = tar::Header::new_old();
        let (name, data, kind, link): (&str, &[u8], tar::EntryType, &str) = match e {
            Entry::File(n, d) => (n, d, tar::EntryType::Regular, ""),
            Entry::Symlink(n, t) => (n, b"", tar::EntryType::Symlink, t),
            Entry::Hardlink(n, t) => (n, b"", tar::EntryType::Link, t),
            Entry::Device(n) => (n, b"", tar::EntryType::Char, ""),
            Entry::Dir(n) => (n, b"", tar::EntryType::Directory, ""),
        };
        {
            let old = h.as_old_mut();
            old.name[..name.len()].copy_from_slice(name.as_bytes());
            old.linkname[..link.len()].copy_from_slice(link.as_bytes());
        }
        h.set_entry_type(kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.extend_from_slice(h.as_bytes());
        tar.extend_from_slice(data);
        let pad = (512 - data.len() % 512) % 512;
        tar.extend(std::iter::repeat_n(0u8, pad));
    }
    tar.extend([0u8; 1024]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

pub const CHART_YAML: &[u8] = b"apiVersion: v2\nname: demo\nversion: 0.1.0\n";

/// With `HELM_TEST_DUMP=dir`, writes both sides of a failing comparison for diffing.
pub fn dump_on_mismatch(got: &Json, want: &Json) {
    if got != want
        && let Ok(dir) = std::env::var("HELM_TEST_DUMP")
    {
        std::fs::write(
            format!("{dir}/got.json"),
            serde_json::to_string_pretty(got).unwrap(),
        )
        .unwrap();
        std::fs::write(
            format!("{dir}/want.json"),
            serde_json::to_string_pretty(want).unwrap(),
        )
        .unwrap();
    }
}

/// Runs one `helm template` command line (argv[0] is `template`) through the library, as
/// the Go test harness sees helm: stdout and stderr in one buffer, errors as cobra prints them.
pub fn run_template(argv: &[String], cwd: &Path) -> String {
    let mut opts = TemplateOptions::default();
    let mut value_opts = helm::values::Options::default();
    let mut positional = Vec::new();
    let mut debug = false;
    let mut name = None;
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a, None),
        };
        let mut value = || {
            inline.clone().unwrap_or_else(|| {
                i += 1;
                argv[i].clone()
            })
        };
        match flag {
            "--set" => value_opts.values.push(value()),
            "--values" | "-f" => value_opts
                .value_files
                .push(cwd.join(value()).to_string_lossy().into_owned()),
            "--name-template" => name = Some(render_name_template(&value()).unwrap()),
            "--namespace" | "-n" => opts.render.namespace = value(),
            "--kube-version" => {
                opts.render.capabilities.kube_version =
                    helm::capabilities::KubeVersion::parse(&value()).unwrap()
            }
            "--api-versions" => opts.render.capabilities.api_versions.push(value()),
            "--show-only" | "-s" => opts.show_only.push(value()),
            "--include-crds" => opts.include_crds = true,
            "--skip-tests" => opts.skip_tests = true,
            "--debug" => debug = true,
            _ => positional.push(a.to_string()),
        }
        i += 1;
    }
    if positional.is_empty() {
        return "Error: \"helm template\" requires at least 1 argument\n\nUsage:  helm template [NAME] [CHART] [flags]\n".into();
    }
    let chart_path = cwd.join(positional.last().unwrap());
    if positional.len() == 2 {
        name = Some(positional[0].clone());
    }
    if let Some(n) = name {
        opts.render.release_name = n;
    }
    let result = helm::loader::load(&chart_path, &Default::default())
        .map_err(TemplateFailure::from)
        .and_then(|chart| {
            let user = value_opts
                .merge_values(&|p| {
                    std::fs::read(p).map_err(|e| helm::Error::Io {
                        context: p.into(),
                        source: e,
                    })
                })
                .map_err(TemplateFailure::from)?;
            template(chart, &user, &opts)
        });
    match result {
        Ok(out) => out,
        Err(f) => {
            let mut s = String::new();
            if debug {
                s.push_str(f.debug_output.as_deref().unwrap_or(""));
            }
            s.push_str(&format!("Error: {}\n", f.message(debug)));
            s
        }
    }
}
