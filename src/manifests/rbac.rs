//! RBAC as Flux installs it: the controllers manage the toolkit's resources; the reconcilers
//! that apply arbitrary workloads are bound to cluster-admin (impersonation narrows it per
//! object); flux-view / flux-edit aggregate into the built-in view/edit/admin roles. The
//! canary controller, an extra, gets a role of its own shaped like Flagger's ClusterRole.

use serde_json::{Value, json};

use super::options::{Component, InstallOptions};

const GROUPS: [&str; 4] = [
    "source.toolkit.fluxcd.io",
    "kustomize.toolkit.fluxcd.io",
    "helm.toolkit.fluxcd.io",
    "notification.toolkit.fluxcd.io",
];

/// Flagger's API group, served by the canary controller.
const FLAGGER_GROUP: &str = "flagger.app";

pub fn render(options: &InstallOptions) -> Vec<Value> {
    let ns = &options.namespace;
    let mut objects = Vec::new();
    let toolkit: Vec<Component> = options
        .components
        .iter()
        .copied()
        .filter(|c| c.reconciles_toolkit_kinds())
        .collect();
    if !toolkit.is_empty() {
        objects.push(cluster_role(
            options,
            &format!("crd-controller-{ns}"),
            None,
            crd_controller_rules(),
        ));
        objects.push(binding(
            options,
            "crd-controller",
            "crd-controller",
            toolkit.into_iter(),
        ));
    }
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
    if options.has(Component::Canary) {
        let name = Component::Canary.name();
        objects.push(cluster_role(
            options,
            &format!("{name}-{ns}"),
            None,
            canary_controller_rules(),
        ));
        objects.push(binding(
            options,
            name,
            name,
            std::iter::once(Component::Canary),
        ));
    }
    // Users who may edit or view the toolkit's objects may do the same with Canaries.
    let mut groups = GROUPS.to_vec();
    if options.has(Component::Canary) {
        groups.push(FLAGGER_GROUP);
    }
    objects.push(cluster_role(
        options,
        &format!("flux-edit-{ns}"),
        Some(&["aggregate-to-edit", "aggregate-to-admin"]),
        json!([{
            "apiGroups": groups,
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
        json!([{ "apiGroups": groups, "resources": ["*"], "verbs": ["get", "list", "watch"] }]),
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

/// What the canary controller reads and writes, after Flagger's ClusterRole (fluxcd/flagger
/// `kustomize/base/flagger/rbac.yaml`) narrowed to the providers tk routes with: the
/// targets and the Services, ConfigMaps and Secrets it copies for the primary, the routers'
/// kinds, its own kinds, events and the leader election Lease. Not cluster-admin: it never
/// applies arbitrary objects.
fn canary_controller_rules() -> Value {
    const ALL: [&str; 7] = [
        "get", "list", "watch", "create", "update", "patch", "delete",
    ];
    json!([
        { "apiGroups": [""], "resources": ["services", "configmaps", "secrets"], "verbs": ALL },
        { "apiGroups": [""], "resources": ["events"], "verbs": ["create", "patch"] },
        { "apiGroups": ["events.k8s.io"], "resources": ["events"], "verbs": ["create", "patch"] },
        {
            "apiGroups": ["apps"],
            "resources": ["deployments", "deployments/scale", "daemonsets"],
            "verbs": ALL,
        },
        { "apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"], "verbs": ALL },
        { "apiGroups": ["gateway.networking.k8s.io"], "resources": ["httproutes"], "verbs": ALL },
        {
            "apiGroups": ["networking.istio.io"],
            "resources": ["virtualservices", "destinationrules"],
            "verbs": ALL,
        },
        { "apiGroups": ["split.smi-spec.io"], "resources": ["trafficsplits"], "verbs": ALL },
        {
            "apiGroups": [FLAGGER_GROUP],
            "resources": [
                "canaries",
                "canaries/status",
                "canaries/finalizers",
                "metrictemplates",
                "alertproviders",
            ],
            "verbs": ALL,
        },
        { "apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ALL },
    ])
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
