//! CLI behaviour without a cluster: output, exit codes, errors and `--export` round trips.

use std::process::{Command, Output};

use serde_json::Value;

mod bootstrap_github;
mod bootstrap_gitlab;
mod build_kustomization;
mod canary;
mod helm_template;
mod kustomizations;
mod kustomize;
mod notification;
mod sources;
mod tenants;

fn tk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tk"))
        .args(args)
        .env_remove("KUBECONFIG")
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .output()
        .expect("tk runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn version_client_prints_the_build_version() {
    let out = tk(&["version", "--client"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("tk: v{}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_lists_only_working_commands() {
    let out = tk(&["--help"]);
    let help = stdout(&out);
    for command in [
        "install",
        "upgrade",
        "check",
        "uninstall",
        "version",
        "completion",
    ] {
        assert!(
            help.contains(&format!("\n  {command} ")),
            "{command} missing from --help:\n{help}"
        );
    }
    assert!(
        !help.contains("  docs "),
        "the hidden docs generator shows in --help"
    );
}

#[test]
fn install_export_prints_manifests_that_parse_back() {
    let out = tk(&["install", "--export"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let objects: Vec<Value> = serde_saphyr::from_multiple(&text).expect("export is YAML");
    let kinds: Vec<&str> = objects
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds[0], "Namespace");
    assert_eq!(kinds.iter().filter(|k| **k == "Deployment").count(), 4);
    for kind in [
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "Service",
        "NetworkPolicy",
    ] {
        assert!(kinds.contains(&kind), "no {kind} in the export");
    }
    // Exporting twice gives the same bytes: the export is what install applies.
    assert_eq!(stdout(&tk(&["install", "--export"])), text);
}

#[test]
fn install_export_honours_flags() {
    let out = tk(&[
        "install",
        "--export",
        "-n",
        "gitops",
        "--components",
        "source-controller,kustomize-controller",
        "--registry",
        "registry.local/tk",
        "--network-policy=false",
        "--toleration-keys",
        "node.kubernetes.io/unreachable",
        "--image-pull-secret",
        "regcred",
        "--watch-all-namespaces=false",
        "--log-level",
        "debug",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let objects: Vec<Value> = serde_saphyr::from_multiple(&stdout(&out)).unwrap();
    let deployments: Vec<&Value> = objects
        .iter()
        .filter(|o| o["kind"] == "Deployment")
        .collect();
    assert_eq!(deployments.len(), 2);
    assert!(!objects.iter().any(|o| o["kind"] == "NetworkPolicy"));
    let pod = &deployments[0]["spec"]["template"]["spec"];
    assert_eq!(deployments[0]["metadata"]["namespace"], "gitops");
    assert_eq!(pod["imagePullSecrets"][0]["name"], "regcred");
    assert_eq!(
        pod["tolerations"][0]["key"],
        "node.kubernetes.io/unreachable"
    );
    let container = &pod["containers"][0];
    assert_eq!(
        container["image"],
        format!("registry.local/tk/tk:v{}", env!("CARGO_PKG_VERSION"))
    );
    let args: Vec<&str> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(args.contains(&"--watch-all-namespaces=false"), "{args:?}");
    assert!(args.contains(&"--log-level=debug"), "{args:?}");
}

#[test]
fn unknown_component_is_a_one_line_error() {
    let out = tk(&[
        "install",
        "--export",
        "--components",
        "source-controller,sauce-controller",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--components")
            && err.contains("sauce-controller")
            && err.contains("valid components are")
    );
    assert!(
        stdout(&out).is_empty(),
        "nothing may be printed for a refused install"
    );
}

#[test]
fn install_export_renders_the_canary_controller_extra() {
    let out = tk(&[
        "install",
        "--export",
        "--components-extra",
        "canary-controller",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let objects: Vec<Value> = serde_saphyr::from_multiple(&stdout(&out)).unwrap();
    let find = |kind: &str, name: &str| {
        objects
            .iter()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no {kind}/{name} in the export"))
    };
    // Besides the defaults, not instead of them.
    let deployments = objects.iter().filter(|o| o["kind"] == "Deployment").count();
    assert_eq!(deployments, 5);

    let container =
        &find("Deployment", "canary-controller")["spec"]["template"]["spec"]["containers"][0];
    let args: Vec<&str> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(args[..2], ["controller", "canary"], "{args:?}");
    assert!(args.contains(&"--enable-leader-election"), "{args:?}");
    assert!(
        args.contains(
            &"--events-addr=http://notification-controller.flux-system.svc.cluster.local./"
        ),
        "{args:?}"
    );
    assert_eq!(
        container["image"],
        format!("ghcr.io/tk-gitops/tk:v{}", env!("CARGO_PKG_VERSION"))
    );
    find("ServiceAccount", "canary-controller");

    let rules = find("ClusterRole", "canary-controller-flux-system")["rules"]
        .as_array()
        .unwrap();
    let granted = |group: &str, resource: &str| {
        rules.iter().any(|r| {
            r["apiGroups"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g == group)
                && r["resources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x == resource)
        })
    };
    for (group, resource) in [
        ("apps", "deployments"),
        ("flagger.app", "canaries"),
        ("flagger.app", "canaries/status"),
        ("flagger.app", "metrictemplates"),
        ("flagger.app", "alertproviders"),
        ("gateway.networking.k8s.io", "httproutes"),
        ("coordination.k8s.io", "leases"),
    ] {
        assert!(granted(group, resource), "{group}/{resource} not granted");
    }
    let binding = find("ClusterRoleBinding", "canary-controller-flux-system");
    assert_eq!(binding["roleRef"]["name"], "canary-controller-flux-system");
    assert_eq!(binding["subjects"][0]["name"], "canary-controller");

    for name in [
        "canaries.flagger.app",
        "metrictemplates.flagger.app",
        "alertproviders.flagger.app",
    ] {
        let crd = find("CustomResourceDefinition", name);
        assert_eq!(crd["spec"]["group"], "flagger.app", "{name}");
    }
}

#[test]
fn components_may_name_the_canary_controller_alone() {
    let out = tk(&["install", "--export", "--components", "canary-controller"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let objects: Vec<Value> = serde_saphyr::from_multiple(&stdout(&out)).unwrap();
    let deployments: Vec<&Value> = objects
        .iter()
        .filter(|o| o["kind"] == "Deployment")
        .collect();
    assert_eq!(deployments.len(), 1);
    assert_eq!(deployments[0]["metadata"]["name"], "canary-controller");
    let crds = objects
        .iter()
        .filter(|o| o["kind"] == "CustomResourceDefinition")
        .count();
    assert_eq!(crds, 13, "the toolkit's ten and Flagger's three");
}

#[test]
fn unknown_extra_component_names_the_extras_tk_offers() {
    for extra in ["image-reflector-controller", "image-automation-controller"] {
        let out = tk(&["install", "--export", "--components-extra", extra]);
        assert_eq!(out.status.code(), Some(1), "{extra}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("--components-extra")
                && err.contains(extra)
                && err.contains("canary-controller"),
            "{err}"
        );
        assert!(
            stdout(&out).is_empty(),
            "nothing may be printed for a refused install"
        );
    }
}

#[test]
fn malformed_timeout_is_refused() {
    for bad in ["5x", "-1m", "0s", "ten"] {
        let out = tk(&["version", "--client", &format!("--timeout={bad}")]);
        assert_eq!(out.status.code(), Some(1), "{bad}");
        let err = stderr(&out);
        assert!(
            err.contains("--timeout") && err.contains(bad),
            "{bad}: {err}"
        );
    }
}

#[test]
fn version_mismatch_names_the_versions() {
    let out = tk(&["install", "--export", "--version", "v9.9.9"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("v9.9.9") && err.contains(&format!("v{}", env!("CARGO_PKG_VERSION"))),
        "{err}"
    );
}

#[test]
fn unreachable_cluster_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("config");
    // Port 9 (discard) on loopback is closed on any test machine.
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:9\n\
         contexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\n\
         users:\n- name: u\n  user:\n    token: t\n",
    )
    .unwrap();
    for args in [&["check", "--pre"][..], &["install"], &["version"]] {
        let mut full = args.to_vec();
        full.extend([
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--timeout",
            "10s",
        ]);
        let out = tk(&full);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        let errors: Vec<&str> = err.lines().filter(|l| l.starts_with('✗')).collect();
        assert_eq!(errors.len(), 1, "{args:?}: {err}");
        assert!(
            errors[0].contains("unreachable") && errors[0].contains("--kubeconfig"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn uninstall_without_a_terminal_needs_silent() {
    let out = tk(&["uninstall"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--silent"), "{}", stderr(&out));
}

#[test]
fn completion_scripts_mention_every_visible_command() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = tk(&["completion", shell]);
        assert!(out.status.success(), "{shell}");
        let script = stdout(&out);
        for command in ["install", "uninstall", "check"] {
            assert!(
                script.contains(command),
                "{shell} completion lacks {command}"
            );
        }
    }
}
