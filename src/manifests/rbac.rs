//! RBAC as Flux installs it: the controllers manage the toolkit's resources; the reconcilers
//! that apply arbitrary workloads are bound to cluster-admin (impersonation narrows it per
//! object); flux-view / flux-edit aggregate into the built-in view/edit/admin roles.

use serde_json::{Value, json};

use super::options::{Component, InstallOptions};

const GROUPS: [&str; 4] = [
    "source.toolkit.fluxcd.io",
    "kustomize.toolkit.fluxcd.io",
    "helm.toolkit.fluxcd.io",
    "notification.toolkit.fluxcd.io",
];

pub fn render(options: &InstallOptions) -> Vec<Value> {
    let ns = &options.namespace;
    let mut objects = vec![
        cluster_role(
            options,
            &format!("crd-controller-{ns}"),
            None,
            crd_controller_rules(),
        ),
        binding(
            options,
            "crd-controller",
            "crd-controller",
            options.components.iter().copied(),
        ),
    ];
    let reconcilers: Vec<Component> = options
        .components
        .iter()
        .copied()
        .filter(|c| c.reconciles_workloads())
        .collect();
    if !reconcilers.is_empty() {
        objects.push(binding(
            options,
            "cluster-reconciler",
            "cluster-admin",
            reconcilers.into_iter(),
        ));
    }
    objects.push(cluster_role(
        options,
        &format!("flux-edit-{ns}"),
        Some(&["aggregate-to-edit", "aggregate-to-admin"]),
        json!([{
            "apiGroups": GROUPS,
            "resources": ["*"],
            "verbs": ["create", "delete", "deletecollection", "patch", "update"],
        }]),
    ));
    objects.push(cluster_role(
        options,
        &format!("flux-view-{ns}"),
        Some(&[
            "aggregate-to-admin",
            "aggregate-to-edit",
            "aggregate-to-view",
        ]),
        json!([{ "apiGroups": GROUPS, "resources": ["*"], "verbs": ["get", "list", "watch"] }]),
    ));
    objects
}

fn crd_controller_rules() -> Value {
    let mut rules: Vec<Value> = GROUPS
        .iter()
        .map(|g| json!({ "apiGroups": [g], "resources": ["*"], "verbs": ["*"] }))
        .collect();
    rules.extend([
        json!({
            "apiGroups": [""],
            "resources": ["namespaces", "secrets", "configmaps", "serviceaccounts"],
            "verbs": ["get", "list", "watch"],
        }),
        json!({ "apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"] }),
        json!({ "apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": ["create", "patch"] }),
        json!({
            "apiGroups": ["coordination.k8s.io"],
            "resources": ["leases"],
            "verbs": ["get", "list", "watch", "create", "update", "patch", "delete"],
        }),
        json!({ "apiGroups": [""], "resources": ["serviceaccounts/token"], "verbs": ["create"] }),
    ]);
    Value::Array(rules)
}

fn cluster_role(
    options: &InstallOptions,
    name: &str,
    aggregate: Option<&[&str]>,
    rules: Value,
) -> Value {
    let mut labels = options.labels(None);
    for to in aggregate.unwrap_or_default() {
        labels.insert(format!("rbac.authorization.k8s.io/{to}"), "true".into());
    }
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": { "name": name, "labels": labels },
        "rules": rules,
    })
}

fn binding(
    options: &InstallOptions,
    name: &str,
    role: &str,
    subjects: impl Iterator<Item = Component>,
) -> Value {
    let ns = &options.namespace;
    let role = if role == "cluster-admin" {
        role.to_string()
    } else {
        format!("{role}-{ns}")
    };
    let subjects: Vec<Value> = subjects
        .map(|c| json!({ "kind": "ServiceAccount", "name": c.name(), "namespace": ns }))
        .collect();
    json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": { "name": format!("{name}-{ns}"), "labels": options.labels(None) },
        "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role },
        "subjects": subjects,
    })
}
