//! `tk build helmrelease` and `tk diff helmrelease`: a HelmRelease rendered locally by the
//! helm controller's renderer, from a file and a local chart, from a real chart repository
//! server, and against a release the controller installed on the rig (the build is what it
//! applied; the diff is a server-side dry run with its field manager).

use std::path::Path;
use std::process::Command;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Value, json};
use testenv::charts::{ChartRepoOptions, write_test_chart};
use tk::api::helm::HelmRelease;
use tk::api::source::HelmRepository;
use tk::controllers::helm::release::{Target, manifest_objects};
use tk::controllers::helm::storage::SecretStorage;

use crate::source_helm::{app_repository, apply, condition, wait_for};
use crate::source_support::{Harness, HarnessOptions};
use crate::support::{rig, tk};

/// `tk ARGS` with no reachable cluster (a kubeconfig that does not exist): (exit code,
/// stdout, stderr).
fn tk_without_cluster(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tk"))
        .args(args)
        .args(["--kubeconfig", "/nonexistent/tk-e2e/kubeconfig"])
        .env_remove("KUBECONFIG")
        .output()
        .expect("tk runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    eprintln!("$ tk {}\n{stdout}{stderr}", args.join(" "));
    (out.status.code(), stdout, stderr)
}

/// `tk ARGS` against the rig: (exit code, stdout, stderr).
fn tk_rig(args: &[&str]) -> (Option<i32>, String, String) {
    let out = tk(rig().kubeconfig_path(), args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The objects of `tk build`'s output (each followed by `---`).
fn objects(yaml: &str) -> Vec<Value> {
    yaml.split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| serde_saphyr::from_str(d).unwrap_or_else(|e| panic!("{e}: {d}")))
        .collect()
}

fn find<'a>(objects: &'a [Value], kind: &str, name: &str) -> &'a Value {
    objects
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind}/{name} in {objects:#?}"))
}

fn write_yaml(path: &Path, docs: &[Value]) {
    let text: Vec<String> = docs
        .iter()
        .map(|d| serde_json::to_string(d).unwrap())
        .collect();
    std::fs::write(path, text.join("\n---\n")).unwrap();
}

fn release(name: &str, ns: &str, spec: Value) -> Value {
    json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": { "name": name, "namespace": ns },
        "spec": spec,
    })
}

fn repository_chart(version: &str) -> Value {
    json!({
        "interval": "10m",
        "chart": { "spec": {
            "chart": "app",
            "version": version,
            "sourceRef": { "kind": "HelmRepository", "name": "charts" },
        }},
    })
}

#[test]
fn build_renders_a_release_file_with_a_local_chart_and_values_files() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = write_test_chart(tmp.path(), "app", "0.3.0").unwrap();
    let file = tmp.path().join("hr.yaml");
    let mut spec = repository_chart("*");
    spec["values"] =
        json!({ "replicaCount": 2, "message": "from-spec", "service": { "port": 81 } });
    spec["targetNamespace"] = json!("web");
    write_yaml(
        &file,
        &[
            json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": "other" } }),
            release("app", "apps", spec),
        ],
    );
    let staging = tmp.path().join("staging.yaml");
    std::fs::write(&staging, "message: from-file\nservice:\n  port: 8080\n").unwrap();
    let last = tmp.path().join("last.yaml");
    std::fs::write(&last, "replicaCount: 4\n").unwrap();
    let (file, chart, staging, last) = (
        file.display().to_string(),
        chart.display().to_string(),
        staging.display().to_string(),
        last.display().to_string(),
    );
    let args = [
        "build",
        "helmrelease",
        "app",
        "--file",
        &file,
        "--chart",
        &chart,
        "--values",
        &staging,
        "--values",
        &last,
        "--dry-run",
    ];
    let (code, out, err) = tk_without_cluster(&args);
    assert_eq!(code, Some(0), "{err}");
    let built = objects(&out);
    // The release is `<targetNamespace>-<name>` in the target namespace; hooks are left out.
    assert_eq!(built.len(), 2, "{out}");
    let deployment = find(&built, "Deployment", "web-app");
    assert_eq!(deployment["metadata"]["namespace"], "web");
    assert_eq!(deployment["spec"]["replicas"], 4);
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["env"][0]["value"], "from-file");
    assert_eq!(container["ports"][0]["containerPort"], 8080);
    assert_eq!(container["image"], "registry.k8s.io/pause:3.10");
    let labels = &deployment["metadata"]["labels"];
    assert_eq!(labels["helm.sh/chart"], "app-0.3.0");
    assert_eq!(labels["app.kubernetes.io/managed-by"], "Helm");
    assert_eq!(labels["helm.toolkit.fluxcd.io/name"], "app");
    assert_eq!(labels["helm.toolkit.fluxcd.io/namespace"], "apps");
    let annotations = &deployment["metadata"]["annotations"];
    assert_eq!(annotations["meta.helm.sh/release-name"], "web-app");
    assert_eq!(annotations["meta.helm.sh/release-namespace"], "web");
    assert_eq!(
        find(&built, "Service", "web-app")["spec"]["ports"][0]["port"],
        8080
    );

    // --include-hooks adds the test Pod, adopted as the controller applies it.
    let mut with_hooks = args.to_vec();
    with_hooks.push("--include-hooks");
    let (code, out, err) = tk_without_cluster(&with_hooks);
    assert_eq!(code, Some(0), "{err}");
    let built = objects(&out);
    assert_eq!(built.len(), 3, "{out}");
    let hook = find(&built, "Pod", "web-app-test");
    assert_eq!(hook["metadata"]["annotations"]["helm.sh/hook"], "test");
    assert_eq!(hook["metadata"]["namespace"], "web");

    // Without --dry-run an unreachable cluster is said on stderr and the render goes on.
    let (code, out, err) = tk_without_cluster(&args[..args.len() - 1]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("the cluster is not reachable"), "{err}");
    assert_eq!(objects(&out).len(), 2);
}

#[test]
fn build_without_the_cluster_refuses_required_values_from_references() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = write_test_chart(tmp.path(), "app", "0.1.0").unwrap();
    let file = tmp.path().join("hr.yaml");
    let mut spec = repository_chart("*");
    spec["valuesFrom"] = json!([
        { "kind": "Secret", "name": "maybe", "optional": true },
        { "kind": "ConfigMap", "name": "app-values", "valuesKey": "prod.yaml" },
    ]);
    write_yaml(&file, &[release("app", "apps", spec)]);
    let (file, chart) = (file.display().to_string(), chart.display().to_string());
    let (code, out, err) = tk_without_cluster(&[
        "build",
        "hr",
        "app",
        "--file",
        &file,
        "--chart",
        &chart,
        "--dry-run",
    ]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("HelmRelease apps/app: spec.valuesFrom[1]")
            && err.contains(
                "ConfigMap chart values reference 'apps/app-values' with key 'prod.yaml'"
            )
            && err.contains("--values FILE"),
        "{err}"
    );
}

#[test]
fn build_pulls_the_version_a_range_selects_from_a_helm_repository() {
    let (_repo, _charts, server) = app_repository(&ChartRepoOptions::default());
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("hr.yaml");
    let repository = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "HelmRepository",
        "metadata": { "name": "charts" },
        "spec": { "interval": "10m", "url": server.url() },
    });
    let build = |version: &str| {
        let mut hr = release("app", "apps", repository_chart(version));
        hr["metadata"].as_object_mut().unwrap().remove("namespace");
        write_yaml(&file, &[repository.clone(), hr]);
        let file = file.display().to_string();
        tk_without_cluster(&[
            "build",
            "hr",
            "app",
            "-n",
            "apps",
            "--file",
            &file,
            "--dry-run",
        ])
    };
    for (range, chosen) in [
        (">=1.0.0 <2.0.0", "1.1.0"),
        ("~1.0", "1.0.0"),
        ("*", "1.1.0"),
    ] {
        let (code, out, err) = build(range);
        assert_eq!(code, Some(0), "{range}: {err}");
        let built = objects(&out);
        let deployment = find(&built, "Deployment", "app");
        assert_eq!(
            deployment["metadata"]["labels"]["helm.sh/chart"],
            format!("app-{chosen}"),
            "{range}"
        );
        assert_eq!(deployment["metadata"]["namespace"], "apps");
    }
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.path == "/app-1.0.0.tgz" && r.status == 200),
        "{:?}",
        server.requests()
    );
    let (code, _, err) = build(">=3.0.0");
    assert_eq!(code, Some(1));
    assert!(
        err.contains(
            "spec.chart.spec: chart 'app' version '>=3.0.0' from HelmRepository apps/charts"
        ) && err.contains("no 'app' chart with version matching '>=3.0.0' found"),
        "{err}"
    );
}

#[tokio::test]
async fn build_is_what_the_controller_applied_and_diff_follows_changes() {
    let h = Harness::start_with(
        "hr-build",
        HarnessOptions {
            controller: Some("all"),
            ..Default::default()
        },
    )
    .await;
    let (_repo, charts, server) = app_repository(&ChartRepoOptions::default());
    let ns = h.ns.clone();
    let cm: ConfigMap = serde_json::from_value(json!({
        "metadata": { "name": "app-values" },
        "data": { "values.yaml": "message: from-configmap\n" },
    }))
    .unwrap();
    Api::<ConfigMap>::namespaced(h.client.clone(), &ns)
        .patch(
            "app-values",
            &PatchParams::apply("tk-e2e"),
            &Patch::Apply(&cm),
        )
        .await
        .unwrap();
    apply::<HelmRepository>(
        &h,
        "charts",
        json!({ "interval": "10m", "url": server.url() }),
    )
    .await;
    let mut spec = repository_chart("1.0.x");
    spec["valuesFrom"] = json!([{ "kind": "ConfigMap", "name": "app-values" }]);
    spec["values"] = json!({ "replicaCount": 2 });
    apply::<HelmRelease>(&h, "app", spec).await;
    let hr = wait_for::<HelmRelease>(&h, "app", "the install", |hr| {
        condition(hr, "Ready").is_some_and(|(s, _, _)| s == "True")
    })
    .await;

    // The build, from the cluster (HelmRelease, HelmRepository, valuesFrom, release
    // history), is the manifest the controller released, as it applied it.
    let (code, out, err) = tk_rig(&["build", "helmrelease", "app", "-n", &ns]);
    assert_eq!(code, Some(0), "{err}");
    let built = objects(&out);
    let target = Target::of(&hr);
    let deployed = SecretStorage::new(h.client.clone(), &target.storage_namespace)
        .deployed(&target.name)
        .await
        .unwrap()
        .expect("a deployed release");
    let mut released = manifest_objects(&deployed.manifest, &target).unwrap();
    for object in &mut released {
        object["metadata"]["labels"]["helm.toolkit.fluxcd.io/name"] = json!("app");
        object["metadata"]["labels"]["helm.toolkit.fluxcd.io/namespace"] = json!(ns);
    }
    assert_eq!(built, released);
    let live = Api::<Deployment>::namespaced(h.client.clone(), &ns)
        .get("app")
        .await
        .unwrap();
    let live = serde_json::to_value(&live).unwrap();
    let deployment = find(&built, "Deployment", "app");
    assert_eq!(live["spec"]["replicas"], deployment["spec"]["replicas"]);
    assert_eq!(deployment["spec"]["replicas"], 2);
    let env = "/spec/template/spec/containers/0/env/0/value";
    assert_eq!(live.pointer(env), deployment.pointer(env));
    assert_eq!(deployment.pointer(env), Some(&json!("from-configmap")));
    for (key, value) in deployment["metadata"]["labels"].as_object().unwrap() {
        assert_eq!(&live["metadata"]["labels"][key], value, "label {key}");
    }

    // Right after the release, nothing to change.
    let (code, out, err) = tk_rig(&["diff", "helmrelease", "app", "-n", &ns]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert_eq!(out, "");

    // A changed value is a change to the Deployment.
    let values = charts.path().join("next.yaml");
    std::fs::write(&values, "message: next\n").unwrap();
    let values = values.display().to_string();
    let (code, out, err) = tk_rig(&["diff", "hr", "app", "-n", &ns, "--values", &values]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.starts_with(&format!("► Deployment/{ns}/app drifted\n")),
        "{out}"
    );
    let changed = |sign: char, text: &str| {
        out.lines()
            .any(|l| l.starts_with(sign) && l.trim_end().ends_with(text))
    };
    assert!(changed('-', "value: from-configmap"), "{out}");
    assert!(changed('+', "value: next"), "{out}");
    assert!(!out.contains("Service"), "{out}");
    assert!(err.contains("identified at least one change"), "{err}");

    // A local chart without the Service: the controller would delete it.
    let local = tempfile::tempdir().unwrap();
    let chart = write_test_chart(local.path(), "app", "1.0.0").unwrap();
    std::fs::remove_file(chart.join("templates/service.yaml")).unwrap();
    let chart = chart.display().to_string();
    let (code, out, err) = tk_rig(&["diff", "hr", "app", "-n", &ns, "--chart", &chart]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(out, format!("► Service/{ns}/app deleted\n"));
}

#[test]
fn build_and_diff_ask_for_a_chart_path_for_git_sources() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("hr.yaml");
    let spec = json!({
        "interval": "10m",
        "chart": { "spec": {
            "chart": "./charts/app",
            "sourceRef": { "kind": "GitRepository", "name": "monorepo" },
        }},
    });
    write_yaml(&file, &[release("app", "apps", spec)]);
    let file = file.display().to_string();
    let expected = "HelmRelease apps/app: spec.chart.spec.sourceRef is GitRepository apps/monorepo";

    let (code, out, err) =
        tk_without_cluster(&["build", "hr", "app", "--file", &file, "--dry-run"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains(expected) && err.contains("--chart PATH") && err.contains("'./charts/app'"),
        "{err}"
    );

    let (code, out, err) = tk_rig(&["diff", "hr", "app", "--file", &file]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        err.contains(expected) && err.contains("--chart PATH"),
        "{err}"
    );
}
