//! The renderer's behaviour on small in-memory charts: Helm's builtins, error texts,
//! manifest splitting and sorting, hooks, and the limits that stop hostile charts.

use std::collections::BTreeMap;

use helm::engine::{self, Error, InstallOrder, Limits, RenderOptions};
use helm::{Chart, File};

fn chart(files: &[(&str, &str)]) -> Chart {
    let mut all = vec![File::new(
        "Chart.yaml",
        "apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: \"1.2\"\n",
    )];
    all.extend(files.iter().map(|(n, d)| File::new(*n, *d)));
    helm::loader::load_files(all, &Default::default()).unwrap()
}

fn render_with(c: &Chart, opts: &RenderOptions) -> engine::Result<BTreeMap<String, String>> {
    let vals = helm::values::to_render_values(c, &Default::default(), false).unwrap();
    engine::render_templates(c, &vals, opts)
}

fn render(files: &[(&str, &str)]) -> engine::Result<BTreeMap<String, String>> {
    render_with(&chart(files), &RenderOptions::default())
}

fn one(files: &[(&str, &str)]) -> String {
    render(files).unwrap().into_values().next().unwrap()
}

#[test]
fn exposes_release_chart_capabilities_and_template() {
    let out = one(&[(
        "templates/a.yaml",
        "{{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.IsInstall }} {{ .Release.IsUpgrade }} \
         {{ .Release.Revision }} {{ .Release.Service }}|{{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} \
         {{ .Chart.IsRoot }}|{{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.KubeVersion.Major }} \
         {{ .Capabilities.KubeVersion.Minor }} {{ .Capabilities.KubeVersion.GitVersion }} {{ .Capabilities.KubeVersion }} \
         {{ .Capabilities.APIVersions.Has \"apps/v1\" }} {{ .Capabilities.HelmVersion.Version }}|\
         {{ .Template.Name }} {{ .Template.BasePath }}",
    )]);
    assert_eq!(
        out,
        "release-name default true false 1 Helm|demo 0.1.0 1.2 true|v1.37.0 1 37 v1.37.0 v1.37.0 true v3.22.0|\
         demo/templates/a.yaml demo/templates"
    );
}

#[test]
fn missing_values_render_as_empty_text() {
    let out = one(&[(
        "templates/a.yaml",
        "[{{ .Values.nope }}][{{ .Values.nope | default \"d\" }}]",
    )]);
    assert_eq!(out, "[][d]");
    // As in Go: a field of a missing map is an error, not an empty value.
    let err = render(&[("templates/a.yaml", "{{ .Values.a.b }}")]).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("nil pointer evaluating interface {}.b"),
        "{err}"
    );
}

#[test]
fn strict_mode_fails_on_missing_values() {
    let opts = RenderOptions {
        strict: true,
        ..Default::default()
    };
    let err =
        render_with(&chart(&[("templates/a.yaml", "{{ .Values.nope }}")]), &opts).unwrap_err();
    assert!(
        err.to_string()
            .contains("map has no entry for key \"nope\""),
        "{err}"
    );
}

#[test]
fn include_and_tpl_see_every_template_of_the_release() {
    let out = one(&[
        (
            "templates/_helpers.tpl",
            "{{ define \"name\" }}n-{{ .Chart.Name }}{{ end }}",
        ),
        (
            "values.yaml",
            "greeting: \"hi {{ include \\\"name\\\" . }} from {{ .Template.Name }}\"\n",
        ),
        (
            "templates/a.yaml",
            "{{ include \"name\" . | upper }} {{ tpl .Values.greeting . }}",
        ),
    ]);
    assert_eq!(out, "N-DEMO hi n-demo from demo/templates/a.yaml");
}

#[test]
fn tpl_of_plain_text_and_comments() {
    assert_eq!(
        one(&[(
            "templates/a.yaml",
            "{{ tpl \"plain\" . }}|{{ tpl \"{{/* c */}}\" . }}|"
        )]),
        "plain||"
    );
}

#[test]
fn required_and_fail_report_the_location() {
    let err = render(&[(
        "templates/a.yaml",
        "x\n  {{ required \"set .Values.x\" .Values.x }}",
    )])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "execution error at (demo/templates/a.yaml:2:5): set .Values.x"
    );
    let err = render(&[("templates/a.yaml", "{{ fail \"boom\" }}")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "execution error at (demo/templates/a.yaml:1:3): boom"
    );
}

#[test]
fn parse_errors_name_the_file_and_line() {
    let err = render(&[("templates/a.yaml", "ok\n{{ if }}")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "parse error at (demo/templates/a.yaml:2): missing value for if"
    );
}

#[test]
fn include_recursion_stops_with_helms_message() {
    let err = render(&[(
        "templates/a.yaml",
        "{{ define \"loop\" }}{{ include \"loop\" . }}{{ end }}{{ include \"loop\" . }}",
    )])
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(
            "rendering template has a nested reference name: loop: unable to execute template"
        ),
        "{}",
        &msg[..300.min(msg.len())]
    );
}

#[test]
fn tpl_rendering_itself_stops_at_the_depth_limit() {
    let c = chart(&[
        ("values.yaml", "a: \"{{ tpl .Values.a . }}\"\n"),
        ("templates/a.yaml", "{{ tpl .Values.a . }}"),
    ]);
    let opts = RenderOptions {
        limits: Limits {
            max_tpl_depth: 20,
            ..Limits::default()
        },
        ..Default::default()
    };
    let err = render_with(&c, &opts).unwrap_err();
    assert!(
        err.to_string()
            .contains("tpl calls nested more than 20 deep"),
        "{err}"
    );
}

#[test]
fn output_size_is_capped() {
    let c = chart(&[(
        "templates/a.yaml",
        "{{ range until 1000 }}0123456789{{ end }}",
    )]);
    let opts = RenderOptions {
        limits: Limits {
            max_output: 5000,
            ..Limits::default()
        },
        ..Default::default()
    };
    let err = render_with(&c, &opts).unwrap_err();
    assert!(matches!(err, Error::Limit(_)), "{err}");
}

#[test]
fn tpl_in_a_loop_stays_fast() {
    let mut files: Vec<(String, String)> = (0..200)
        .map(|i| {
            (
                format!("templates/_h{i}.tpl"),
                format!("{{{{ define \"h{i}\" }}}}{i}{{{{ end }}}}"),
            )
        })
        .collect();
    files.push((
        "templates/a.yaml".into(),
        "{{ range until 5000 }}{{ tpl \"{{ include \\\"h7\\\" . }}\" $ }}{{ end }}".into(),
    ));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let start = std::time::Instant::now();
    let out = one(&refs);
    assert_eq!(out.len(), 5000);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

#[test]
fn subcharts_see_their_own_values_and_parent_defines_win() {
    let all = vec![
        File::new(
            "Chart.yaml",
            "apiVersion: v2\nname: parent\nversion: 1.0.0\n",
        ),
        File::new("values.yaml", "sub:\n  x: from-parent\n"),
        File::new("templates/_h.tpl", "{{ define \"who\" }}parent{{ end }}"),
        File::new(
            "charts/sub/Chart.yaml",
            "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
        ),
        File::new("charts/sub/values.yaml", "x: default\nz: own\n"),
        File::new(
            "charts/sub/templates/_h.tpl",
            "{{ define \"who\" }}sub{{ end }}",
        ),
        File::new(
            "charts/sub/templates/a.yaml",
            "{{ .Values.x }} {{ .Values.z }} {{ include \"who\" . }} {{ .Chart.Name }} {{ .Chart.IsRoot }}",
        ),
    ];
    let c = helm::loader::load_files(all, &Default::default()).unwrap();
    let out = render_with(&c, &RenderOptions::default()).unwrap();
    assert_eq!(
        out["parent/charts/sub/templates/a.yaml"],
        "from-parent own parent sub false"
    );
}

#[test]
fn library_charts_contribute_only_partials() {
    let all = vec![
        File::new("Chart.yaml", "apiVersion: v2\nname: app\nversion: 1.0.0\n"),
        File::new("templates/a.yaml", "{{ include \"lib.x\" . }}"),
        File::new(
            "charts/lib/Chart.yaml",
            "apiVersion: v2\nname: lib\nversion: 0.1.0\ntype: library\n",
        ),
        File::new(
            "charts/lib/templates/_x.tpl",
            "{{ define \"lib.x\" }}from-lib{{ end }}",
        ),
        File::new("charts/lib/templates/ignored.yaml", "kind: ShouldNotRender"),
    ];
    let c = helm::loader::load_files(all, &Default::default()).unwrap();
    let out = render_with(&c, &RenderOptions::default()).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out["app/templates/a.yaml"], "from-lib");
}

#[test]
fn splits_documents_on_separators_only_at_line_start() {
    let docs = engine::split_manifests("\n---\na: 1\n---  \nb: 2\n--- # c\nc: '---'\n---\n\n");
    assert_eq!(docs, vec!["a: 1", "b: 2", "# c\nc: '---'"]);
}

#[test]
fn sorts_resources_in_install_order_with_unknown_kinds_last() {
    let mut files = BTreeMap::new();
    files.insert(
        "c/templates/a.yaml".to_string(),
        "kind: Deployment\n---\nkind: Zeta\n---\nkind: Alpha\n---\nkind: Namespace\n---\nkind: Service".to_string(),
    );
    files.insert(
        "c/templates/b.yaml".to_string(),
        "kind: Namespace\nmetadata: {name: second}".to_string(),
    );
    files.insert("c/templates/_p.yaml".to_string(), "kind: Pod".to_string());
    let (_, manifests) = engine::sort_manifests(&files, InstallOrder).unwrap();
    let kinds: Vec<&str> = manifests.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "Namespace",
            "Namespace",
            "Service",
            "Deployment",
            "Alpha",
            "Zeta"
        ]
    );
    assert_eq!(manifests[1].name, "c/templates/b.yaml");
}

#[test]
fn hooks_are_parsed_and_kept_apart() {
    let mut files = BTreeMap::new();
    files.insert(
        "c/templates/hooks.yaml".to_string(),
        "kind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-install, Post-Upgrade\n    \
         helm.sh/hook-weight: \"-5\"\n    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded\n\
         ---\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test-success\n\
         ---\nkind: Pod\nmetadata:\n  name: unknown\n  annotations:\n    helm.sh/hook: sometime\n\
         ---\nkind: ConfigMap\nmetadata:\n  name: plain\n  annotations:\n    other: x"
            .to_string(),
    );
    let (hooks, manifests) = engine::sort_manifests(&files, InstallOrder).unwrap();
    assert_eq!(manifests.len(), 1);
    assert_eq!(manifests[0].kind, "ConfigMap");
    assert_eq!(hooks.len(), 2);
    let pod = &hooks[0];
    assert_eq!(
        (pod.name.as_str(), pod.events.clone()),
        ("t", vec!["test".to_string()])
    );
    let job = &hooks[1];
    assert_eq!(job.events, ["pre-install", "post-upgrade"]);
    assert_eq!(job.weight, -5);
    assert_eq!(
        job.delete_policies,
        ["before-hook-creation", "hook-succeeded"]
    );
    assert_eq!(job.path, "c/templates/hooks.yaml");
}

#[test]
fn invalid_yaml_is_reported_with_the_file() {
    let mut files = BTreeMap::new();
    files.insert("c/templates/x.yaml".to_string(), "a: b\nc".to_string());
    let err = engine::sort_manifests(&files, InstallOrder).unwrap_err();
    assert!(
        err.starts_with("YAML parse error on c/templates/x.yaml: error converting YAML to JSON:"),
        "{err}"
    );
}

#[test]
fn notes_are_pulled_out_of_the_manifests() {
    let c = chart(&[
        (
            "templates/NOTES.txt",
            "Thanks for installing {{ .Chart.Name }}",
        ),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x",
        ),
    ]);
    let vals = helm::values::to_render_values(&c, &Default::default(), false).unwrap();
    let r = engine::render(&c, &vals, &RenderOptions::default()).unwrap();
    assert_eq!(r.notes, "Thanks for installing demo");
    assert_eq!(r.manifests.len(), 1);
    assert_eq!(
        r.manifest_text(),
        "---\n# Source: demo/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
    );
}

#[test]
fn lookup_is_empty_without_a_cluster_and_asks_the_client_with_one() {
    struct Fake;
    impl engine::Lookup for Fake {
        fn lookup(
            &self,
            v: &str,
            k: &str,
            ns: &str,
            n: &str,
        ) -> Result<Option<serde_json::Value>, String> {
            Ok(Some(
                serde_json::json!({"got": format!("{v} {k} {ns} {n}")}),
            ))
        }
    }
    let files = [(
        "templates/a.yaml",
        "{{ lookup \"v1\" \"Secret\" \"ns\" \"s\" }}",
    )];
    assert_eq!(one(&files), "map[]");
    let opts = RenderOptions {
        lookup: Some(std::sync::Arc::new(Fake)),
        ..Default::default()
    };
    let out = render_with(&chart(&files), &opts).unwrap();
    assert_eq!(out["demo/templates/a.yaml"], "map[got:v1 Secret ns s]");
}

#[test]
fn render_with_tpl_releases_its_state() {
    // Found by the fuzzer (LeakSanitizer): the `tpl` cache held the function map, whose
    // closures hold the render's shared state, so every render that called `tpl` leaked
    // it. The lookup client is part of that state; once the render is done, only the
    // caller may hold it.
    struct Fake;
    impl engine::Lookup for Fake {
        fn lookup(
            &self,
            _: &str,
            _: &str,
            _: &str,
            _: &str,
        ) -> Result<Option<serde_json::Value>, String> {
            Ok(None)
        }
    }
    let lookup: std::sync::Arc<dyn engine::Lookup> = std::sync::Arc::new(Fake);
    let opts = RenderOptions {
        lookup: Some(lookup.clone()),
        ..Default::default()
    };
    let c = chart(&[
        ("templates/a.yaml", "{{ tpl \"{{ .Release.Name }}\" . }}"),
        ("templates/b.yaml", "{{ tpl \"{{ fail \\\"x\\\" }}\" . }}"),
    ]);
    let err = render_with(&c, &opts).unwrap_err();
    assert!(err.to_string().contains("x"), "{err}");
    let c = chart(&[("templates/a.yaml", "{{ tpl \"{{ .Release.Name }}\" . }}")]);
    assert_eq!(
        render_with(&c, &opts).unwrap()["demo/templates/a.yaml"],
        "release-name"
    );
    assert_eq!(std::sync::Arc::strong_count(&lookup), 2);
}

#[test]
fn chart_definitions_win_over_ones_in_tpl_text() {
    let out = one(&[
        ("templates/_h.tpl", "{{ define \"x\" }}chart{{ end }}"),
        (
            "templates/a.yaml",
            "{{ tpl \"{{ define \\\"x\\\" }}text{{ end }}{{ include \\\"x\\\" . }}\" . }}",
        ),
    ]);
    assert_eq!(out, "chart");
}

#[test]
fn api_versions_range_len_and_index_like_a_slice() {
    let out = one(&[(
        "templates/a.yaml",
        "{{ len .Capabilities.APIVersions }} {{ index .Capabilities.APIVersions 0 }} \
         {{ range $i, $v := .Capabilities.APIVersions }}{{ if eq $i 1 }}{{ $v }}{{ end }}{{ end }}",
    )]);
    assert_eq!(out, "57 v1 admissionregistration.k8s.io/v1");
}

#[test]
fn default_api_versions_are_group_versions_without_kinds() {
    let out = one(&[(
        "templates/a.yaml",
        "{{ .Capabilities.APIVersions.Has \"policy/v1\" }} {{ .Capabilities.APIVersions.Has \"policy/v1/PodDisruptionBudget\" }} \
         {{ .Capabilities.APIVersions.Has \"apps/v1/Deployment\" }} {{ .Capabilities.APIVersions.Has \"monitoring.coreos.com/v1\" }}",
    )]);
    assert_eq!(out, "true false false false");
}
