//! Apply order: which stage an object belongs to, and the kind order within a stage.

use super::ObjectRef;

/// The stage of an object in a staged apply. Stages run in order; the first is waited for
/// before the next starts, because later objects may need it (a CR needs its CRD, a
/// namespaced object its Namespace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stage {
    /// CustomResourceDefinitions, Namespaces and ClusterRoles (Flux's "cluster definitions").
    ClusterDefinitions,
    /// Kinds whose name ends in `Class` (StorageClass, IngressClass, PriorityClass …), which
    /// other objects name.
    ClassDefinitions,
    /// Everything else.
    Rest,
}

pub(crate) fn stage_of(r: &ObjectRef) -> Stage {
    let kind = r.kind.to_ascii_lowercase();
    let cluster_definition = (kind == "customresourcedefinition"
        && r.group == "apiextensions.k8s.io")
        || (kind == "namespace" && r.group.is_empty() && r.version == "v1")
        || (kind == "clusterrole" && r.group == "rbac.authorization.k8s.io");
    if cluster_definition {
        Stage::ClusterDefinitions
    } else if r.kind.ends_with("Class") {
        Stage::ClassDefinitions
    } else {
        Stage::Rest
    }
}

/// Kinds applied first, in this order (an object should come after what it refers to);
/// kinds not listed sit between these and [`LAST`].
const FIRST: [&str; 19] = [
    "CustomResourceDefinition",
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Service",
    "LimitRange",
    "PriorityClass",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];

/// Kinds applied last: webhooks could otherwise reject objects of the same set.
const LAST: [&str; 2] = [
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

fn kind_index(kind: &str) -> i32 {
    if let Some(i) = FIRST.iter().position(|k| *k == kind) {
        return i as i32 - FIRST.len() as i32;
    }
    if let Some(i) = LAST.iter().position(|k| *k == kind) {
        return 1 + i as i32;
    }
    0
}

/// Flux's apply order: by kind (see [`FIRST`]/[`LAST`]), then group, kind, namespace, name.
pub(crate) fn apply_order(a: &ObjectRef, b: &ObjectRef) -> std::cmp::Ordering {
    kind_index(&a.kind)
        .cmp(&kind_index(&b.kind))
        .then_with(|| a.group.cmp(&b.group))
        .then_with(|| a.kind.cmp(&b.kind))
        .then_with(|| a.namespace.cmp(&b.namespace))
        .then_with(|| a.name.cmp(&b.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(group: &str, version: &str, kind: &str, ns: &str, name: &str) -> ObjectRef {
        ObjectRef {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            namespace: ns.into(),
            name: name.into(),
        }
    }

    #[test]
    fn stages_cluster_definitions_then_classes_then_the_rest() {
        let crd = r(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            "",
            "x",
        );
        let ns = r("", "v1", "Namespace", "", "apps");
        let cr = r("rbac.authorization.k8s.io", "v1", "ClusterRole", "", "view");
        let sc = r("storage.k8s.io", "v1", "StorageClass", "", "fast");
        let crb = r(
            "rbac.authorization.k8s.io",
            "v1",
            "ClusterRoleBinding",
            "",
            "b",
        );
        let dep = r("apps", "v1", "Deployment", "apps", "app");
        assert_eq!(stage_of(&crd), Stage::ClusterDefinitions);
        assert_eq!(stage_of(&ns), Stage::ClusterDefinitions);
        assert_eq!(stage_of(&cr), Stage::ClusterDefinitions);
        assert_eq!(stage_of(&sc), Stage::ClassDefinitions);
        assert_eq!(stage_of(&crb), Stage::Rest);
        assert_eq!(stage_of(&dep), Stage::Rest);
        // A kind named Namespace in another group is an ordinary object.
        assert_eq!(
            stage_of(&r("example.com", "v1", "Namespace", "", "n")),
            Stage::Rest
        );
    }

    #[test]
    fn orders_by_kind_weight_then_name() {
        let mut set = [
            r(
                "admissionregistration.k8s.io",
                "v1",
                "ValidatingWebhookConfiguration",
                "",
                "w",
            ),
            r("apps", "v1", "Deployment", "a", "app"),
            r("example.com", "v1", "Widget", "a", "w"),
            r("", "v1", "Service", "a", "svc"),
            r("", "v1", "ConfigMap", "b", "c"),
            r("", "v1", "ConfigMap", "a", "c"),
            r("", "v1", "Namespace", "", "a"),
            r(
                "apiextensions.k8s.io",
                "v1",
                "CustomResourceDefinition",
                "",
                "widgets.example.com",
            ),
        ];
        set.sort_by(apply_order);
        let kinds: Vec<String> = set.iter().map(ToString::to_string).collect();
        assert_eq!(
            kinds,
            [
                "CustomResourceDefinition/widgets.example.com",
                "Namespace/a",
                "ConfigMap/a/c",
                "ConfigMap/b/c",
                "Service/a/svc",
                "Deployment/a/app",
                "Widget/a/w",
                "ValidatingWebhookConfiguration/w",
            ]
        );
    }
}
