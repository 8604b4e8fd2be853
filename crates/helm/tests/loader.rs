//! Every chart fixture of Helm's tests and the real-world corpus charts load as Helm
//! v3.21.4 loads them (metadata, templates, files, values, sub-charts), or fail with
//! Helm's message. Expectations: tests/expected/load.jsonl, recorded with Helm.

mod common;

use helm::loader::{Limits, load};

#[test]
fn loads_every_fixture_as_helm_does() {
    let mut checked = 0;
    for line in common::expected_lines("load.jsonl") {
        let path = line["path"].as_str().unwrap();
        let got = load(&common::corpus().join(path), &Limits::default());
        match (&line.get("error"), got) {
            (Some(want), Err(e)) => assert_eq!(e.to_string(), want.as_str().unwrap(), "{path}"),
            (Some(want), Ok(_)) => panic!("{path}: loaded, Helm fails with {want}"),
            (None, Err(e)) => panic!("{path}: {e}"),
            (None, Ok(c)) => {
                let got = common::chart_info(&c);
                if got != line["chart"] {
                    panic!(
                        "{path}:\n got  {}\n want {}",
                        serde_json::to_string(&got).unwrap(),
                        serde_json::to_string(&line["chart"]).unwrap()
                    );
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} fixtures");
}

#[test]
fn dependencies_keep_their_chart_yaml_order_in_metadata() {
    let c = load(
        &common::corpus().join("charts/bitnami/redis"),
        &Limits::default(),
    )
    .unwrap();
    let deps: Vec<&str> = c.metadata.deps().map(|d| d.name.as_str()).collect();
    assert_eq!(deps, ["common"]);
    assert_eq!(c.dependencies[0].name(), "common");
    assert!(c.dependencies[0].is_library());
}

#[test]
fn crds_of_subcharts_carry_their_full_path() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("crds")).unwrap();
    std::fs::create_dir_all(p.join("charts/sub/crds")).unwrap();
    std::fs::write(p.join("Chart.yaml"), common::CHART_YAML).unwrap();
    std::fs::write(p.join("crds/a.yaml"), "kind: CustomResourceDefinition").unwrap();
    std::fs::write(p.join("crds/notes.txt"), "not a manifest").unwrap();
    std::fs::write(
        p.join("charts/sub/Chart.yaml"),
        "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(p.join("charts/sub/crds/b.JSON"), "{}").unwrap();
    let c = load(p, &Limits::default()).unwrap();
    let crds: Vec<String> = c.crd_objects().into_iter().map(|c| c.filename).collect();
    assert_eq!(crds, ["demo/crds/a.yaml", "demo/charts/sub/crds/b.JSON"]);
}

#[test]
fn chart_yaml_errors_are_errors_not_panics() {
    let cases: &[(&str, &str)] = &[
        (
            "apiVersion: v2\nversion: 1.0.0\n",
            "validation: chart.metadata.name is required",
        ),
        (
            "apiVersion: v2\nname: x\n",
            "validation: chart.metadata.version is required",
        ),
        (
            "apiVersion: v2\nname: x\nversion: one\n",
            "validation: chart.metadata.version \"one\" is invalid",
        ),
        (
            "apiVersion: v2\nname: x\nversion: 1.0.0\ntype: plugin\n",
            "validation: chart.metadata.type must be application or library",
        ),
        (
            "apiVersion: v2\nname: x\nversion: 1.0.0\nmaintainers: [~]\n",
            "validation: maintainers must not contain empty or null nodes",
        ),
        (
            "apiVersion: v2\nname: x\nversion: 1.0.0\ndependencies: [~]\n",
            "validation: dependencies must not contain empty or null nodes",
        ),
        (
            "apiVersion: v2\nname: x\nversion: 1.0.0\ndependencies: [{name: a, alias: 'b c'}]\n",
            "validation: dependency \"a\" has disallowed characters in the alias",
        ),
        (
            "apiVersion: v2\nname: x\nversion: 1.0.0\ndependencies: [{name: a}, {name: b, alias: a}]\n",
            "validation: more than one dependency with name or alias \"a\"",
        ),
    ];
    for (yaml, want) in cases {
        let files = vec![helm::File::new("Chart.yaml", yaml.as_bytes())];
        let err = helm::loader::load_files(files, &Limits::default()).unwrap_err();
        assert_eq!(err.to_string(), *want, "{yaml}");
    }
}

#[test]
fn chart_yaml_with_wrong_types_is_an_error() {
    for (yaml, want) in common::expected_lines("metadata.jsonl").iter().map(|l| {
        (
            l["yaml"].as_str().unwrap().to_string(),
            l["error"].as_str().map(str::to_string),
        )
    }) {
        let files = vec![helm::File::new("Chart.yaml", yaml.as_bytes())];
        let got = helm::loader::load_files(files, &Limits::default());
        match (want, got) {
            (Some(w), Err(e)) => assert_eq!(e.to_string(), w, "{yaml}"),
            (None, Ok(_)) => {}
            (w, g) => panic!("{yaml}: want {w:?}, got {g:?}"),
        }
    }
}

#[test]
fn metadata_text_is_sanitised() {
    let files = vec![helm::File::new(
        "Chart.yaml",
        "apiVersion: v2\nname: x\nversion: 1.0.0\ndescription: \"a\\tb\\u0007c\\u200bd\"\n"
            .as_bytes(),
    )];
    let c = helm::loader::load_files(files, &Limits::default()).unwrap();
    assert_eq!(c.metadata.description, "a bcd");
}

#[test]
fn api_version_defaults_to_v1_and_requirements_yaml_is_read() {
    let files = vec![
        helm::File::new("Chart.yaml", "name: x\nversion: 1.0.0\n".as_bytes()),
        helm::File::new(
            "requirements.yaml",
            "dependencies:\n- name: a\n  version: 1.x\n  repository: file://a\n".as_bytes(),
        ),
    ];
    let c = helm::loader::load_files(files, &Limits::default()).unwrap();
    assert_eq!(c.metadata.api_version, "v1");
    assert_eq!(c.metadata.deps().next().unwrap().name, "a");
    assert_eq!(c.files[0].name, "requirements.yaml");
}
