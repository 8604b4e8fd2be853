//! `tk install`, `check`, `version`, `upgrade` and `uninstall` on the real control plane,
//! with the canary controller as an extra component.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Service, ServiceAccount};
use k8s_openapi::api::rbac::v1::ClusterRole;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DynamicObject, ListParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::json;

use crate::support::{client, cluster_scoped_lock, kubeconfig_as, rig, tk, tk_ok};

const COMPONENTS: [&str; 4] = [
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
];

const CANARY: &str = "canary-controller";

const FLAGGER_CRDS: [&str; 3] = [
    "canaries.flagger.app",
    "metrictemplates.flagger.app",
    "alertproviders.flagger.app",
];

fn version() -> String {
    format!("v{}", env!("CARGO_PKG_VERSION"))
}

#[tokio::test(flavor = "multi_thread")]
async fn install_check_upgrade_uninstall() {
    let _lock = cluster_scoped_lock().await;
    let kubeconfig = rig().kubeconfig_path();
    let ns = testenv::unique_name("tk-install");
    let client = client(kubeconfig).await;

    // install, with the canary controller as an extra: every component becomes available
    // (kwok runs the pods), and Flagger's CRDs come with it.
    let out = tk_ok(
        kubeconfig,
        &[
            "install",
            "-n",
            &ns,
            "--components-extra",
            "canary-controller",
            "--timeout",
            "3m",
        ],
    );
    assert!(out.contains("install finished"), "{out}");
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    for name in COMPONENTS.into_iter().chain([CANARY]) {
        let d = deployments.get(name).await.unwrap();
        let labels = d.metadata.labels.unwrap();
        assert_eq!(labels["app.kubernetes.io/version"], version());
        assert_eq!(labels["app.kubernetes.io/part-of"], "flux");
    }
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    for name in FLAGGER_CRDS {
        let crd = crds.get(name).await.unwrap();
        assert_eq!(
            crd.metadata.labels.unwrap()["app.kubernetes.io/instance"],
            ns
        );
    }
    let roles: Api<ClusterRole> = Api::all(client.clone());
    assert!(
        roles
            .get_opt(&format!("{CANARY}-{ns}"))
            .await
            .unwrap()
            .is_some()
    );

    // check and version see the installation.
    let out = tk_ok(kubeconfig, &["check", "-n", &ns]);
    assert!(out.contains("all checks passed"), "{out}");
    for name in COMPONENTS.into_iter().chain([CANARY]) {
        assert!(
            out.contains(&format!("✔ {name}: deployment ready")),
            "{out}"
        );
    }
    for name in FLAGGER_CRDS {
        assert!(out.contains(&format!("✔ {name}/v1beta1")), "{out}");
    }
    let out = tk_ok(kubeconfig, &["version", "-n", &ns]);
    for name in COMPONENTS {
        assert!(out.contains(&format!("{name}: {}", version())), "{out}");
    }

    // A component of an older manifest set that this version no longer ships.
    let legacy_labels = json!({
        "app.kubernetes.io/part-of": "flux",
        "app.kubernetes.io/instance": ns,
        "app.kubernetes.io/version": "v0.0.1",
        "app.kubernetes.io/component": "image-reflector-controller",
    });
    let legacy: Deployment = serde_json::from_value(json!({
        "metadata": { "name": "image-reflector-controller", "labels": legacy_labels },
        "spec": {
            "selector": { "matchLabels": { "app": "image-reflector-controller" } },
            "template": {
                "metadata": { "labels": { "app": "image-reflector-controller" } },
                "spec": { "containers": [{ "name": "manager", "image": "registry.invalid/irc:v0.0.1" }] },
            },
        },
    }))
    .unwrap();
    deployments
        .create(&PostParams::default(), &legacy)
        .await
        .unwrap();
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), &ns);
    let legacy_account: ServiceAccount = serde_json::from_value(json!({
        "metadata": { "name": "image-reflector-controller", "labels": legacy_labels },
    }))
    .unwrap();
    accounts
        .create(&PostParams::default(), &legacy_account)
        .await
        .unwrap();

    let out = tk_ok(kubeconfig, &["upgrade", "-n", &ns, "--timeout", "3m"]);
    assert!(
        out.contains("v0.0.1"),
        "upgrade should report the installed versions: {out}"
    );
    assert!(
        deployments
            .get_opt("image-reflector-controller")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        accounts
            .get_opt("image-reflector-controller")
            .await
            .unwrap()
            .is_none()
    );
    // An upgrade keeps the installed set, extras included.
    for name in COMPONENTS.into_iter().chain([CANARY]) {
        assert!(
            deployments.get_opt(name).await.unwrap().is_some(),
            "{name} was pruned"
        );
    }

    // Dropping a component on upgrade removes its Deployment and Services.
    let out = tk_ok(
        kubeconfig,
        &[
            "upgrade",
            "-n",
            &ns,
            "--components",
            "source-controller,kustomize-controller,helm-controller",
        ],
    );
    assert!(
        out.contains("Deployment/notification-controller removed")
            && out.contains(&format!("Deployment/{CANARY} removed")),
        "{out}"
    );
    assert!(
        roles
            .get_opt(&format!("{CANARY}-{ns}"))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        deployments
            .get_opt("notification-controller")
            .await
            .unwrap()
            .is_none()
    );
    let services: Api<Service> = Api::namespaced(client.clone(), &ns);
    assert!(
        services
            .get_opt("webhook-receiver")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        services
            .get_opt("source-controller")
            .await
            .unwrap()
            .is_some()
    );

    // A custom resource with a finalizer no controller will remove.
    let gvk = GroupVersionKind::gvk("source.toolkit.fluxcd.io", "v1", "GitRepository");
    let resource = ApiResource::from_gvk(&gvk);
    let repos: Api<DynamicObject> = Api::namespaced_with(client.clone(), &ns, &resource);
    let repo: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": { "name": "podinfo", "finalizers": ["finalizers.fluxcd.io"] },
        "spec": { "url": "https://github.com/stefanprodan/podinfo", "interval": "1m0s" },
    }))
    .unwrap();
    repos.create(&PostParams::default(), &repo).await.unwrap();

    // A dry run deletes nothing.
    let out = tk_ok(
        kubeconfig,
        &["uninstall", "-n", &ns, "--silent", "--dry-run"],
    );
    assert!(out.contains("would delete"), "{out}");
    assert!(repos.get_opt("podinfo").await.unwrap().is_some());
    assert!(
        deployments
            .get_opt("source-controller")
            .await
            .unwrap()
            .is_some()
    );

    tk_ok(
        kubeconfig,
        &["uninstall", "-n", &ns, "--silent", "--timeout", "3m"],
    );
    let namespaces: Api<Namespace> = Api::all(client.clone());
    assert!(
        namespaces.get_opt(&ns).await.unwrap().is_none(),
        "namespace left behind"
    );
    // Flagger's CRDs go too, though the upgrade dropped the canary controller: this
    // installation applied them.
    let left: Vec<String> = crds
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|c| c.metadata.name)
        .filter(|n| n.ends_with(".toolkit.fluxcd.io") || n.ends_with(".flagger.app"))
        .collect();
    assert!(left.is_empty(), "CRDs left behind: {left:?}");
    let selector = format!("app.kubernetes.io/instance={ns}");
    assert!(
        roles
            .list(&ListParams::default().labels(&selector))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn install_without_permissions_applies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = kubeconfig_as(dir.path(), "tk-e2e-nobody");
    let ns = testenv::unique_name("tk-denied");

    let out = tk(&kubeconfig, &["check", "--pre", "-n", &ns]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("✗ missing permissions: create namespaces"),
        "{err}"
    );

    let out = tk(&kubeconfig, &["install", "-n", &ns, "--timeout", "30s"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with('✗')).collect();
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].contains("missing permissions") && errors[0].contains("nothing was applied"),
        "{err}"
    );

    let admin = client(rig().kubeconfig_path()).await;
    let namespaces: Api<Namespace> = Api::all(admin);
    assert!(
        namespaces.get_opt(&ns).await.unwrap().is_none(),
        "a refused install created its namespace"
    );
}

/// Flagger's chart installs the same CRDs (annotated `helm.sh/resource-policy: keep`); a tk
/// uninstall removes only those its installation applied.
#[tokio::test(flavor = "multi_thread")]
async fn uninstall_keeps_flagger_crds_it_did_not_install() {
    use kube::api::{Patch, PatchParams};

    let _lock = cluster_scoped_lock().await;
    let kubeconfig = rig().kubeconfig_path();
    let ns = testenv::unique_name("tk-keep-flagger");
    let client = client(kubeconfig).await;
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let params = PatchParams::apply("flagger-chart").force();
    for crd in tk::api::flagger_crds() {
        let name = crd.metadata.name.clone().unwrap();
        crds.patch(&name, &params, &Patch::Apply(&crd))
            .await
            .unwrap();
    }

    tk_ok(
        kubeconfig,
        &[
            "install",
            "-n",
            &ns,
            "--components",
            "source-controller",
            "--timeout",
            "3m",
        ],
    );
    let out = tk_ok(
        kubeconfig,
        &["uninstall", "-n", &ns, "--silent", "--timeout", "3m"],
    );
    for name in FLAGGER_CRDS {
        assert!(
            out.contains(&format!("CustomResourceDefinition/{name} kept")),
            "{out}"
        );
        assert!(
            crds.get_opt(name).await.unwrap().is_some(),
            "{name} was deleted"
        );
    }
    assert!(
        crds.get_opt("gitrepositories.source.toolkit.fluxcd.io")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn check_pre_passes_for_an_admin() {
    let out = tk_ok(rig().kubeconfig_path(), &["check", "--pre"]);
    assert!(
        out.contains(&format!(
            "✔ Kubernetes {} >=1.32.0",
            testenv::KUBERNETES_VERSION
        )),
        "{out}"
    );
    assert!(out.contains("prerequisites checks passed"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn check_fails_where_nothing_is_installed() {
    let ns = testenv::unique_name("tk-empty");
    let out = tk(rig().kubeconfig_path(), &["check", "-n", &ns]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("✗ no tk components found in namespace {ns}")),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn upgrade_refuses_a_cluster_without_tk() {
    let ns = testenv::unique_name("tk-none");
    let out = tk(rig().kubeconfig_path(), &["upgrade", "-n", &ns]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("tk is not installed in namespace") && err.contains("tk install"),
        "{err}"
    );
}
