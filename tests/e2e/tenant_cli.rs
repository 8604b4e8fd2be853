//! `tk create tenant` against the rig: the objects land with flux's labels, subjects and
//! roleRef, RBAC then grants the role to the reconciler user and the ServiceAccount in the
//! tenant's namespaces only, and running the command again changes nothing.

use std::collections::BTreeMap;
use std::path::Path;

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::RoleBinding;
use kube::api::{Api, DeleteParams, PostParams};
use serde_json::json;

use crate::support::{client, rig, tk, tk_ok};

const TENANT_LABEL: &str = "toolkit.fluxcd.io/tenant";

/// `tk` that must succeed; its stderr, where the progress lines go.
fn tk_progress(kubeconfig: &Path, args: &[&str]) -> String {
    let out = tk(kubeconfig, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "tk {args:?} failed:\n{stderr}");
    assert!(out.stdout.is_empty(), "only an export prints to stdout");
    stderr
}

/// Whether RBAC lets `user` create Deployments in `namespace`.
async fn can_create_deployments(client: &kube::Client, user: &str, namespace: &str) -> bool {
    let review = SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: Some(user.to_string()),
            resource_attributes: Some(ResourceAttributes {
                namespace: Some(namespace.to_string()),
                verb: Some("create".into()),
                group: Some("apps".into()),
                resource: Some("deployments".into()),
                ..ResourceAttributes::default()
            }),
            ..SubjectAccessReviewSpec::default()
        },
        ..SubjectAccessReview::default()
    };
    Api::<SubjectAccessReview>::all(client.clone())
        .create(&PostParams::default(), &review)
        .await
        .expect("the API server answers the access review")
        .status
        .is_some_and(|s| s.allowed)
}

/// The resourceVersion of every object of the tenant, to tell whether a run changed any.
async fn versions(
    client: &kube::Client,
    tenant: &str,
    namespaces: &[&str],
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for ns in namespaces {
        let namespace = Api::<Namespace>::all(client.clone()).get(ns).await.unwrap();
        let account = Api::<ServiceAccount>::namespaced(client.clone(), ns)
            .get(tenant)
            .await
            .unwrap();
        let binding = Api::<RoleBinding>::namespaced(client.clone(), ns)
            .get(&format!("{tenant}-reconciler"))
            .await
            .unwrap();
        for (kind, version) in [
            ("Namespace", namespace.metadata.resource_version),
            ("ServiceAccount", account.metadata.resource_version),
            ("RoleBinding", binding.metadata.resource_version),
        ] {
            out.insert(format!("{kind}/{ns}"), version.unwrap());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn create_tenant_applies_flux_objects_and_is_idempotent() {
    let kubeconfig = rig().kubeconfig_path();
    let client = client(kubeconfig).await;
    let tenant = testenv::unique_name("team");
    let (front, back) = (
        testenv::unique_name("tenant-front"),
        testenv::unique_name("tenant-back"),
    );
    let namespaces = [front.as_str(), back.as_str()];
    let binding = format!("{tenant}-reconciler");
    let create = |extra: &[&str]| {
        let mut args = vec![
            "create",
            "tenant",
            &tenant,
            "--with-namespace",
            &front,
            "--with-namespace",
            &back,
        ];
        args.extend_from_slice(extra);
        tk_progress(kubeconfig, &args)
    };

    // flux's lines, word for word: one action per object, one success at the end.
    let first = create(&["--label", "environment=dev"]);
    let mut expected = String::new();
    for ns in namespaces {
        expected += &format!(
            "► applying namespace {ns}\n► applying service account {tenant}\n\
             ► applying role binding {binding}\n"
        );
    }
    expected += "✔ tenant setup completed\n";
    assert_eq!(first, expected);

    let labels = BTreeMap::from([
        (TENANT_LABEL.to_string(), tenant.clone()),
        ("environment".to_string(), "dev".to_string()),
    ]);
    for ns in namespaces {
        let namespace = Api::<Namespace>::all(client.clone()).get(ns).await.unwrap();
        let namespace_labels = namespace.metadata.labels.unwrap_or_default();
        for (key, value) in &labels {
            assert_eq!(namespace_labels.get(key), Some(value), "Namespace {ns}");
        }
        let account = Api::<ServiceAccount>::namespaced(client.clone(), ns)
            .get(&tenant)
            .await
            .unwrap();
        assert_eq!(
            account.metadata.labels.as_ref(),
            Some(&labels),
            "ServiceAccount {ns}/{tenant}"
        );
        let role_binding = Api::<RoleBinding>::namespaced(client.clone(), ns)
            .get(&binding)
            .await
            .unwrap();
        assert_eq!(role_binding.metadata.labels.as_ref(), Some(&labels));
        assert_eq!(
            serde_json::to_value(&role_binding.role_ref).unwrap(),
            json!({ "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                    "name": "cluster-admin" })
        );
        let subjects: Vec<(String, String, String, Option<String>)> = role_binding
            .subjects
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.api_group.unwrap_or_default(), s.kind, s.name, s.namespace))
            .collect();
        assert_eq!(
            subjects,
            [
                (
                    "rbac.authorization.k8s.io".to_string(),
                    "User".to_string(),
                    format!("gotk:{ns}:reconciler"),
                    None
                ),
                (
                    String::new(),
                    "ServiceAccount".to_string(),
                    tenant.clone(),
                    Some(ns.to_string())
                ),
            ]
        );
    }

    // The binding works, and only where the tenant lives.
    let reconciler = format!("gotk:{front}:reconciler");
    let account = format!("system:serviceaccount:{back}:{tenant}");
    assert!(can_create_deployments(&client, &reconciler, &front).await);
    assert!(can_create_deployments(&client, &account, &back).await);
    assert!(!can_create_deployments(&client, &reconciler, "default").await);
    assert!(!can_create_deployments(&client, &account, "default").await);

    // The same command again: every object reported unchanged, none written.
    let before = versions(&client, &tenant, &namespaces).await;
    let again = create(&["--label", "environment=dev", "--verbose"]);
    for ns in namespaces {
        for object in [
            format!("Namespace/{ns}"),
            format!("ServiceAccount/{ns}/{tenant}"),
            format!("RoleBinding/{ns}/{binding}"),
        ] {
            assert!(
                again.contains(&format!("\n  {object} unchanged\n")),
                "{object}:\n{again}"
            );
        }
    }
    assert_eq!(versions(&client, &tenant, &namespaces).await, before);

    // Another role and no label: the immutable roleRef makes tk replace the binding, and the
    // label it set before is taken off.
    let changed = create(&["--cluster-role=view", "--verbose"]);
    assert!(
        changed.contains(&format!("\n  RoleBinding/{front}/{binding} configured\n")),
        "{changed}"
    );
    for ns in namespaces {
        let role_binding = Api::<RoleBinding>::namespaced(client.clone(), ns)
            .get(&binding)
            .await
            .unwrap();
        assert_eq!(role_binding.role_ref.name, "view");
        let namespace = Api::<Namespace>::all(client.clone()).get(ns).await.unwrap();
        let namespace_labels = namespace.metadata.labels.unwrap_or_default();
        assert!(!namespace_labels.contains_key("environment"), "{ns}");
        assert_eq!(namespace_labels.get(TENANT_LABEL), Some(&tenant));
    }
    assert!(!can_create_deployments(&client, &reconciler, &front).await);

    for ns in namespaces {
        Api::<Namespace>::all(client.clone())
            .delete(ns, &DeleteParams::default())
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn create_tenant_with_skip_namespace_needs_the_namespace() {
    let kubeconfig = rig().kubeconfig_path();
    let client = client(kubeconfig).await;
    let tenant = testenv::unique_name("team");
    let missing = testenv::unique_name("tenant-missing");

    let out = tk(
        kubeconfig,
        &[
            "create",
            "tenant",
            &tenant,
            "--with-namespace",
            &missing,
            "--skip-namespace",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "✗ namespace {missing} does not exist: --skip-namespace applies into existing \
             namespaces only: create it first, or drop --skip-namespace\n"
        )
    );
    assert!(
        Api::<Namespace>::all(client.clone())
            .get_opt(&missing)
            .await
            .unwrap()
            .is_none(),
        "--skip-namespace created the namespace"
    );

    // An existing namespace keeps its own labels: tk applies only the account and binding.
    let existing = testenv::unique_name("tenant-existing");
    Api::<Namespace>::all(client.clone())
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({ "metadata": { "name": existing } })).unwrap(),
        )
        .await
        .unwrap();
    let text = tk_ok(
        kubeconfig,
        &[
            "create",
            "tenant",
            &tenant,
            "--with-namespace",
            &existing,
            "--skip-namespace",
            "--with-service-account",
            "flux-tenant",
        ],
    );
    assert_eq!(
        text,
        format!(
            "► applying service account flux-tenant\n► applying role binding \
             {tenant}-reconciler\n✔ tenant setup completed\n"
        )
    );
    let namespace = Api::<Namespace>::all(client.clone())
        .get(&existing)
        .await
        .unwrap();
    assert!(
        !namespace
            .metadata
            .labels
            .unwrap_or_default()
            .contains_key(TENANT_LABEL)
    );
    let account = Api::<ServiceAccount>::namespaced(client.clone(), &existing)
        .get("flux-tenant")
        .await
        .unwrap();
    assert_eq!(
        account
            .metadata
            .labels
            .unwrap_or_default()
            .get(TENANT_LABEL),
        Some(&tenant)
    );
    assert!(
        can_create_deployments(
            &client,
            &format!("system:serviceaccount:{existing}:flux-tenant"),
            &existing
        )
        .await
    );
    Api::<Namespace>::all(client.clone())
        .delete(&existing, &DeleteParams::default())
        .await
        .unwrap();
}
