//! `helm::package`: chart archives as `chartutil.Save` writes them and Flux's chart-build
//! steps (values files merged into values.yaml, version metadata). Expected values-file
//! bytes were recorded from Go (Flux's `mergeChartValues` and `OverwriteChartDefaultValues`
//! over Helm v3.22.0's chart loader); the corpus tests run the real `helm`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use helm::chart::{Chart, File, Lock, Metadata};
use helm::loader::{self, Limits};
use helm::package::{
    self, GZIP_COMMENT, GZIP_EXTRA, file_name, merge_chart_values, merge_values_files,
    overwrite_default_values, save_with_mtime, set_version_metadata,
};
use helm::repo::Timestamp;

const MTIME: i64 = 1_700_000_000;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/helm/charts")
}

/// Every chart of tests/corpus/helm/charts, as its manifest lists them.
fn corpus_charts() -> Vec<String> {
    let text = std::fs::read_to_string(corpus().join("manifest.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let charts: Vec<String> = doc["charts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap().to_string())
        .collect();
    assert!(charts.len() >= 5, "{charts:?}");
    charts
}

fn load_dir(path: &Path) -> Chart {
    loader::load(path, &Limits::default()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn tgz(chart: &Chart) -> Vec<u8> {
    let mut out = Vec::new();
    save_with_mtime(chart, &mut out, MTIME).unwrap_or_else(|e| panic!("{}: {e}", chart.name()));
    out
}

fn load_tgz(data: &[u8]) -> Chart {
    loader::load_archive(data, &Limits::default()).unwrap()
}

#[derive(Debug, PartialEq)]
struct Entry {
    name: String,
    kind: u8,
    mode: u32,
    mtime: u64,
    data: Vec<u8>,
}

/// The entries of a chart archive as a tar reader sees them.
fn entries(data: &[u8]) -> Vec<Entry> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(data));
    archive
        .entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            Entry {
                name: String::from_utf8(e.path_bytes().into_owned()).unwrap(),
                kind: e.header().entry_type().as_byte(),
                mode: e.header().mode().unwrap(),
                mtime: e.header().mtime().unwrap(),
                data,
            }
        })
        .collect()
}

fn entry<'a>(entries: &'a [Entry], name: &str) -> &'a Entry {
    entries.iter().find(|e| e.name == name).unwrap_or_else(|| {
        panic!(
            "no {name} in {:?}",
            entries.iter().map(|e| &e.name).collect::<Vec<_>>()
        )
    })
}

fn text(e: &Entry) -> &str {
    std::str::from_utf8(&e.data).unwrap()
}

/// Two charts are the same if everything but the regenerated files of `raw` (Chart.yaml
/// and Chart.lock, its own and its sub-charts', which Helm rewrites from the metadata) and
/// the order of `raw` agree.
fn assert_same_chart(a: &Chart, b: &Chart, path: &str) {
    assert_eq!(a.metadata, b.metadata, "{path}: metadata");
    // Helm writes the lock's time back in Go's form.
    let lock = |c: &Chart| {
        c.lock.clone().map(|mut l| {
            l.generated = Timestamp::parse_rfc3339(&l.generated).unwrap().to_string();
            l
        })
    };
    assert_eq!(lock(a), lock(b), "{path}: lock");
    assert_eq!(a.templates, b.templates, "{path}: templates");
    assert_eq!(a.values, b.values, "{path}: values");
    assert_eq!(a.schema, b.schema, "{path}: schema");
    assert_eq!(a.files, b.files, "{path}: files");
    let raw = |c: &Chart| {
        let mut r: Vec<(String, Vec<u8>)> = c
            .raw
            .iter()
            .filter(|f| {
                let base = f.name.rsplit('/').next().unwrap_or_default();
                let regenerated = base == "Chart.yaml" || base == "Chart.lock";
                !(regenerated && (f.name == base || f.name.starts_with("charts/")))
            })
            .map(|f| (f.name.clone(), f.data.clone()))
            .collect();
        r.sort();
        r
    };
    let (ra, rb) = (raw(a), raw(b));
    let names = |r: &[(String, Vec<u8>)]| r.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ra), names(&rb), "{path}: raw file names");
    for ((n, x), (_, y)) in ra.iter().zip(&rb) {
        assert!(x == y, "{path}: raw file {n} differs");
    }
    assert_eq!(
        a.dependencies.len(),
        b.dependencies.len(),
        "{path}: dependencies"
    );
    for (x, y) in a.dependencies.iter().zip(&b.dependencies) {
        assert_same_chart(x, y, &format!("{path}/charts/{}", x.name()));
    }
}

fn demo_chart(api_version: &str) -> Chart {
    let chart_yaml = format!("apiVersion: {api_version}\nname: demo\nversion: 1.0.0\n");
    let mut files = vec![
        File::new("Chart.yaml", chart_yaml.as_bytes()),
        File::new("values.yaml", "replicas: 1\nimage: {tag: v1}\n"),
        File::new(
            "templates/cm.yaml",
            "kind: ConfigMap\ndata: {r: \"{{ .Values.replicas }}\"}\n",
        ),
        File::new("values-prod.yaml", "replicas: 3\n"),
        File::new("conf/extra.yaml", "image: {tag: v2, pull: Always}\n"),
    ];
    if api_version == "v1" {
        files.push(File::new(
            "requirements.yaml",
            "dependencies:\n- name: sub\n  version: 0.1.0\n  repository: https://example.com\n",
        ));
        files.push(File::new(
            "requirements.lock",
            "generated: \"2020-01-01T00:00:00.5Z\"\ndigest: sha256:x\ndependencies:\n- name: sub\n  version: 0.1.0\n  repository: https://example.com\n",
        ));
    } else {
        files.push(File::new(
            "Chart.lock",
            "generated: \"2020-01-01T00:00:00.500+00:00\"\ndigest: sha256:x\ndependencies:\n- name: sub\n  version: 0.1.0\n  repository: https://example.com\n",
        ));
    }
    files.push(File::new(
        "charts/sub/Chart.yaml",
        "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
    ));
    files.push(File::new("charts/sub/values.yaml", "on: true\n"));
    loader::load_files(files, &Limits::default()).unwrap()
}

// ---------------------------------------------------------------- archive layout

#[test]
fn names_archives_name_dash_version() {
    let mut c = demo_chart("v2");
    assert_eq!(file_name(&c), "demo-1.0.0.tgz");
    c.metadata.version = "1.0.0+build.1".into();
    assert_eq!(file_name(&c), "demo-1.0.0+build.1.tgz");
}

#[test]
fn writes_helms_gzip_header() {
    let data = tgz(&demo_chart("v2"));
    let mut want = vec![0x1f, 0x8b, 8, 0x04 | 0x10, 0, 0, 0, 0, 0, 255];
    want.extend((GZIP_EXTRA.len() as u16).to_le_bytes());
    want.extend(GZIP_EXTRA);
    want.extend(GZIP_COMMENT.as_bytes());
    want.push(0);
    assert_eq!(&data[..want.len()], want.as_slice());
    assert_eq!(GZIP_EXTRA, b"+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=");
}

#[test]
fn lays_out_entries_as_chartutil_save() {
    let data = tgz(&demo_chart("v2"));
    let got = entries(&data);
    let names: Vec<&str> = got.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "demo/Chart.yaml",
            "demo/Chart.lock",
            "demo/values.yaml",
            "demo/templates/cm.yaml",
            "demo/values-prod.yaml",
            "demo/conf/extra.yaml",
            "demo/charts/sub/Chart.yaml",
            "demo/charts/sub/values.yaml",
        ]
    );
    for e in &got {
        assert_eq!(
            (e.kind, e.mode, e.mtime),
            (b'0', 0o644, MTIME as u64),
            "{}",
            e.name
        );
    }
    assert_eq!(
        text(entry(&got, "demo/Chart.yaml")),
        "apiVersion: v2\nname: demo\nversion: 1.0.0\n"
    );
    // The lock goes through Go's time.Time: the time comes out in Go's RFC 3339 form.
    assert_eq!(
        text(entry(&got, "demo/Chart.lock")),
        "dependencies:\n- name: sub\n  repository: https://example.com\n  version: 0.1.0\ndigest: sha256:x\ngenerated: \"2020-01-01T00:00:00.5Z\"\n"
    );
    // values.yaml is written as loaded, not re-encoded.
    assert_eq!(
        text(entry(&got, "demo/values.yaml")),
        "replicas: 1\nimage: {tag: v1}\n"
    );
    assert_eq!(
        text(entry(&got, "demo/charts/sub/values.yaml")),
        "on: true\n"
    );
}

#[test]
fn v1_charts_keep_dependencies_in_requirements_yaml() {
    let chart = demo_chart("v1");
    assert_eq!(
        chart.metadata.deps().count(),
        1,
        "the loader read requirements.yaml"
    );
    let got = entries(&tgz(&chart));
    let chart_yaml = text(entry(&got, "demo/Chart.yaml"));
    assert_eq!(chart_yaml, "apiVersion: v1\nname: demo\nversion: 1.0.0\n");
    assert!(
        got.iter().all(|e| e.name != "demo/Chart.lock"),
        "no Chart.lock for v1"
    );
    entry(&got, "demo/requirements.yaml");
    entry(&got, "demo/requirements.lock");
    let back = load_tgz(&tgz(&chart));
    assert_same_chart(&back, &chart, "demo");
}

#[test]
fn writes_metadata_sorted_and_sanitized_as_go() {
    let mut chart = demo_chart("v2");
    chart.metadata = Metadata {
        name: "demo".into(),
        version: "1.0.0".into(),
        api_version: "v2".into(),
        description: "two\tlines\u{7}".into(),
        app_version: "1.10".into(),
        keywords: vec!["b".into(), "a".into()],
        annotations: [
            ("z".to_string(), "1".to_string()),
            ("a".to_string(), "yes".to_string()),
        ]
        .into(),
        deprecated: true,
        ..Metadata::default()
    };
    let got = entries(&tgz(&chart));
    assert_eq!(
        text(entry(&got, "demo/Chart.yaml")),
        "annotations:\n  a: \"yes\"\n  z: \"1\"\napiVersion: v2\nappVersion: \"1.10\"\ndeprecated: true\ndescription: two lines\nkeywords:\n- b\n- a\nname: demo\nversion: 1.0.0\n"
    );
}

#[test]
fn long_and_non_ascii_names_use_ustar_prefixes_and_pax_records() {
    let mut chart = demo_chart("v2");
    let split = format!("files/{}/{}/x.txt", "d".repeat(60), "e".repeat(50));
    let pax = format!("files/{}", "a".repeat(150));
    for f in [
        File::new(split.clone(), "1"),
        File::new(pax.clone(), "2"),
        File::new("files/é.txt", "3"),
    ] {
        chart.raw.push(f.clone());
        chart.files.push(f);
    }
    let data = tgz(&chart);
    let names: Vec<String> = entries(&data).into_iter().map(|e| e.name).collect();
    for n in [&split, &pax, &"files/é.txt".to_string()] {
        assert!(names.contains(&format!("demo/{n}")), "{n} in {names:?}");
    }
    let back = load_tgz(&data);
    assert_same_chart(&back, &chart, "demo");
}

#[test]
fn refuses_what_helm_refuses_to_save() {
    let err = |c: &Chart| {
        let mut out = Vec::new();
        save_with_mtime(c, &mut out, MTIME).unwrap_err().to_string()
    };
    let mut c = demo_chart("v2");
    c.metadata.version = "x".into();
    assert_eq!(
        err(&c),
        "chart validation: validation: chart.metadata.version \"x\" is invalid"
    );
    let mut c = demo_chart("v2");
    c.dependencies[0].metadata.name = "a/b".into();
    assert_eq!(err(&c), "\"a/b\" is not a valid chart name");
    let mut c = demo_chart("v2");
    c.schema = Some(b"{\"type\": ".to_vec());
    assert_eq!(err(&c), "Invalid JSON in values.schema.json");
    let mut c = demo_chart("v2");
    c.files.push(File::new("../outside.txt", "x"));
    assert!(
        err(&c).contains("\"../outside.txt\" that lies outside the chart directory"),
        "{}",
        err(&c)
    );
    let mut c = demo_chart("v2");
    c.lock = Some(Lock {
        generated: "yesterday".into(),
        ..Lock::default()
    });
    assert!(
        err(&c).contains("Chart.lock field generated"),
        "{}",
        err(&c)
    );
}

// ---------------------------------------------------------------- corpus round trips

#[test]
fn every_corpus_chart_round_trips() {
    for path in corpus_charts() {
        let chart = load_dir(&corpus().join(&path));
        let data = tgz(&chart);
        let back = load_tgz(&data);
        assert_same_chart(&back, &chart, &path);
        // Saving what was loaded from our archive gives the same archive.
        assert_eq!(tgz(&back), data, "{path}: saving again changes the archive");
    }
}

fn helm() -> PathBuf {
    testenv::reference(testenv::Reference::Helm).unwrap_or_else(|e| panic!("{e:#}"))
}

/// helm with no user configuration: (exit success, stdout, stderr).
fn run_helm(helm: &Path, home: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(helm)
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"))
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", helm.display()));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Values that make each corpus chart render deterministically (random passwords and
/// certificates otherwise), as tests/differential.rs sets them.
fn determinism_flags(path: &str) -> &'static [&'static str] {
    match path {
        "podinfo" => &["--skip-tests"],
        "bitnami/nginx" => &["--set", "tls.autoGenerated=false"],
        "bitnami/redis" => &["--set", "auth.password=s3cret"],
        "bitnami/postgresql" => &["--set", "auth.postgresPassword=s3cret"],
        _ => &[],
    }
}

/// For each corpus chart, our archive holds exactly the entries (names, order, modes,
/// bytes) of `helm package`'s, and helm reads it as it reads the chart directory.
#[test]
fn corpus_archives_match_helm_package_and_render_alike() {
    let helm = helm();
    let home = tempfile::tempdir().unwrap();
    for path in corpus_charts() {
        let dir = corpus().join(&path);
        let work = tempfile::tempdir().unwrap();
        let (ok, _, stderr) = run_helm(
            &helm,
            home.path(),
            &[
                "package",
                dir.to_str().unwrap(),
                "-d",
                work.path().to_str().unwrap(),
            ],
        );
        assert!(ok, "helm package {path}: {stderr}");
        let chart = load_dir(&dir);
        let theirs_path = work.path().join(file_name(&chart));
        let theirs = std::fs::read(&theirs_path)
            .unwrap_or_else(|e| panic!("{}: {e}", theirs_path.display()));
        let ours = tgz(&chart);
        let ours_path = work.path().join("ours.tgz");
        std::fs::write(&ours_path, &ours).unwrap();

        let strip = |mut v: Vec<Entry>| {
            for e in &mut v {
                e.mtime = 0;
            }
            v
        };
        let (theirs_entries, ours_entries) = (strip(entries(&theirs)), strip(entries(&ours)));
        assert_eq!(
            ours_entries.iter().map(|e| &e.name).collect::<Vec<_>>(),
            theirs_entries.iter().map(|e| &e.name).collect::<Vec<_>>(),
            "{path}: entry names and order"
        );
        assert!(
            ours_entries == theirs_entries,
            "{path}: entry contents differ from helm package"
        );
        let header = 10 + 2 + GZIP_EXTRA.len() + GZIP_COMMENT.len() + 1;
        assert_eq!(ours[..header], theirs[..header], "{path}: gzip header");

        let ours_arg = ours_path.to_str().unwrap();
        let theirs_arg = theirs_path.to_str().unwrap();
        let show =
            |what: &str, archive: &str| run_helm(&helm, home.path(), &["show", what, archive]);
        assert_eq!(
            show("chart", ours_arg),
            show("chart", theirs_arg),
            "{path}: helm show chart"
        );
        assert_eq!(
            show("values", ours_arg),
            show("values", theirs_arg),
            "{path}: helm show values"
        );

        let template = |chart: &str| {
            let mut args = vec!["template", "x", chart];
            args.extend(determinism_flags(&path));
            run_helm(&helm, home.path(), &args)
        };
        let from_dir = template(dir.to_str().unwrap());
        let from_ours = template(ours_arg);
        assert_eq!(
            from_ours, from_dir,
            "{path}: helm template of our archive and of the directory"
        );
        if path != "bitnami/common" {
            assert!(
                from_dir.0 && from_dir.1.contains("kind:"),
                "{path}: nothing rendered: {}",
                from_dir.2
            );
        } else {
            assert!(
                from_dir.2.contains("library charts are not installable"),
                "{}",
                from_dir.2
            );
        }
    }
}

/// Flux's build of podinfo with `valuesFiles: [values.yaml, values-prod.yaml]`: helm renders
/// the archive as it renders the directory given `-f values-prod.yaml`, and shows the
/// version with its build metadata.
#[test]
fn merged_values_archive_renders_as_helm_with_the_values_file() {
    let helm = helm();
    let home = tempfile::tempdir().unwrap();
    let dir = corpus().join("podinfo");
    let mut chart = load_dir(&dir);
    let used = merge_values_files(
        &mut chart,
        &["values.yaml".into(), "values-prod.yaml".into()],
        false,
    )
    .unwrap();
    assert_eq!(used, ["values.yaml", "values-prod.yaml"]);
    let version = set_version_metadata(&mut chart, "7").unwrap();
    assert_eq!(version, format!("{}+7", load_dir(&dir).metadata.version));
    let work = tempfile::tempdir().unwrap();
    let archive = work.path().join(file_name(&chart));
    package::save(&chart, std::fs::File::create(&archive).unwrap()).unwrap();
    let archive = archive.to_str().unwrap();

    let (ok, shown, stderr) = run_helm(&helm, home.path(), &["show", "chart", archive]);
    assert!(ok, "{stderr}");
    assert!(shown.contains(&format!("version: {version}\n")), "{shown}");
    let mut ours = run_helm(
        &helm,
        home.path(),
        &["template", "x", archive, "--skip-tests"],
    );
    // The chart label carries the version, build metadata included (`+` becomes `_`).
    ours.1 = ours.1.replace(
        &format!("podinfo-{}", version.replace('+', "_")),
        &format!("podinfo-{}", version.split('+').next().unwrap()),
    );
    let prod = dir.join("values-prod.yaml");
    let theirs = run_helm(
        &helm,
        home.path(),
        &[
            "template",
            "x",
            dir.to_str().unwrap(),
            "--skip-tests",
            "-f",
            prod.to_str().unwrap(),
        ],
    );
    assert!(theirs.0, "{}", theirs.2);
    assert_eq!(ours, theirs);
}

// ---------------------------------------------------------------- values files

fn merge_chart() -> Chart {
    let files = vec![
        File::new("Chart.yaml", "apiVersion: v2\nname: c\nversion: v1.2\n"),
        File::new(
            "values.yaml",
            "a: 1\nb: {x: 1, list: [1, 2]}\nc: str\nz: null\nbig: 1e21\nf: 1.5\n",
        ),
        File::new("prod.yaml", "b: {x: 2, z: 3}\nc: {now: map}\nd: \"007\"\n"),
        File::new("other.yaml", "b: 5\nnew: [a]\nz: 1\n"),
        File::new("sub/v.yaml", "k: v\n"),
        File::new("bad.yaml", "a: [\n"),
        File::new("templates/t.yaml", "x: 1\n"),
    ];
    loader::load_files(files, &Limits::default()).unwrap()
}

fn values_yaml(c: &Chart) -> String {
    let f = c.raw.iter().find(|f| f.name == "values.yaml").unwrap();
    String::from_utf8(f.data.clone()).unwrap()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn merges_values_files_in_order_maps_deeply() {
    let mut c = merge_chart();
    let used = merge_values_files(&mut c, &strings(&["values.yaml", "prod.yaml"]), false).unwrap();
    assert_eq!(used, ["values.yaml", "prod.yaml"]);
    // Recorded from Flux's code over Helm's loader.
    assert_eq!(
        values_yaml(&c),
        "a: 1\nb:\n  list:\n  - 1\n  - 2\n  x: 2\n  z: 3\nbig: 1e+21\nc:\n  now: map\nd: \"007\"\nf: 1.5\nz: null\n"
    );
    assert_eq!(
        c.values,
        helm::values::read_values(values_yaml(&c).as_bytes()).unwrap()
    );
    // It is what gets packaged.
    let back = load_tgz(&tgz(&c));
    assert_eq!(back.values, c.values);
    assert_eq!(values_yaml(&back), values_yaml(&c));
}

#[test]
fn later_files_win_and_replace_non_maps() {
    let mut c = merge_chart();
    let used = merge_values_files(
        &mut c,
        &strings(&["prod.yaml", "values.yaml", "other.yaml"]),
        false,
    )
    .unwrap();
    assert_eq!(used, ["prod.yaml", "values.yaml", "other.yaml"]);
    assert_eq!(
        values_yaml(&c),
        "a: 1\nb: 5\nbig: 1e+21\nc: str\nd: \"007\"\nf: 1.5\nnew:\n- a\nz: 1\n"
    );
}

#[test]
fn values_file_paths_are_cleaned_and_read_from_chart_files_only() {
    let c = merge_chart();
    let (vals, used) =
        merge_chart_values(&c, &strings(&["./sub/../prod.yaml", "sub/v.yaml"]), false).unwrap();
    assert_eq!(used, ["./sub/../prod.yaml", "sub/v.yaml"]);
    assert_eq!(
        serde_json::Value::Object(vals).to_string(),
        r#"{"b":{"x":2.0,"z":3.0},"c":{"now":"map"},"d":"007","k":"v"}"#
    );
    for p in ["templates/t.yaml", "/values.yaml", "missing.yaml"] {
        let err = merge_chart_values(&c, &strings(&[p]), false)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!("no values file found at path '{p}'")),
            "{err}"
        );
        assert!(err.contains("\"c\""), "names the chart: {err}");
    }
}

#[test]
fn missing_values_files_can_be_ignored() {
    let mut c = merge_chart();
    let used = merge_values_files(&mut c, &strings(&["missing.yaml", "other.yaml"]), true).unwrap();
    assert_eq!(used, ["other.yaml"]);
    assert_eq!(values_yaml(&c), "b: 5\nnew:\n- a\nz: 1\n");
    // All of them missing: Flux writes an empty values.yaml.
    let mut c = merge_chart();
    let used = merge_values_files(&mut c, &strings(&["missing.yaml"]), true).unwrap();
    assert!(used.is_empty());
    assert_eq!(values_yaml(&c), "");
    assert!(c.values.is_empty());
}

#[test]
fn values_file_errors_name_the_file() {
    let c = merge_chart();
    let err = merge_chart_values(&c, &strings(&["bad.yaml"]), false)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("unmarshaling values from 'bad.yaml' failed: error converting YAML to JSON: yaml: line 1:"), "{err}");
    let mut no_values = loader::load_files(
        vec![
            File::new("Chart.yaml", "apiVersion: v2\nname: n\nversion: 1.0.0\n"),
            File::new("x.yaml", "a: 1\n"),
        ],
        &Limits::default(),
    )
    .unwrap();
    let err = merge_values_files(&mut no_values, &strings(&["x.yaml"]), false)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("failed to locate values file: values.yaml"),
        "{err}"
    );
}

#[test]
fn overwriting_with_the_same_bytes_changes_nothing() {
    let mut c = merge_chart();
    let (vals, _) = merge_chart_values(&c, &strings(&["values.yaml"]), false).unwrap();
    assert!(
        overwrite_default_values(&mut c, vals.clone()).unwrap(),
        "re-encoded differs from the file"
    );
    assert!(!overwrite_default_values(&mut c, vals).unwrap());
}

// ---------------------------------------------------------------- version metadata

#[test]
fn sets_version_metadata_as_flux() {
    let mut c = merge_chart();
    assert_eq!(set_version_metadata(&mut c, "3").unwrap(), "1.2.0+3");
    assert_eq!(c.metadata.version, "1.2.0+3");
    assert_eq!(
        set_version_metadata(&mut c, "a.b-c").unwrap(),
        "1.2.0+a.b-c",
        "replaces metadata"
    );
    assert_eq!(
        set_version_metadata(&mut c, "").unwrap(),
        "1.2.0",
        "empty removes it"
    );
    c.metadata.version = "1.0.0-rc.1+old".into();
    assert_eq!(
        set_version_metadata(&mut c, "new").unwrap(),
        "1.0.0-rc.1+new"
    );
    for bad in ["a..b", "ü", "x+y", "."] {
        let err = set_version_metadata(&mut c, bad).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "failed to set SemVer metadata on chart version: invalid metadata string"
            ),
            "{bad}: {err}"
        );
    }
    assert_eq!(c.metadata.version, "1.0.0-rc.1+new", "unchanged on error");
    c.metadata.version = "one".into();
    let err = set_version_metadata(&mut c, "1").unwrap_err().to_string();
    assert!(
        err.starts_with(
            "failed to parse version from chart metadata as SemVer: invalid semantic version"
        ),
        "{err}"
    );
}
