//! Flux's `status.inventory`: which objects a Kustomization applied, as
//! `<namespace>_<name>_<group>_<kind>` ids (cli-utils' `ObjMetadata` string) plus the API
//! version, so `flux tree`, `flux diff` and Flux itself read our inventories and we read
//! theirs.

use std::collections::HashSet;

use super::order::apply_order;
use super::{Action, ChangeSet, ObjectRef};
use crate::api::meta::{ResourceInventory, ResourceRef};

/// RBAC kinds may have `:` in their names, which ids write as `__`.
fn is_rbac(group: &str, kind: &str) -> bool {
    group == "rbac.authorization.k8s.io"
        && matches!(
            kind,
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding"
        )
}

/// The inventory id of an object, as cli-utils' `ObjMetadata.String()` writes it:
/// `<namespace>_<name>_<group>_<kind>` (namespace and group empty when cluster-scoped or
/// core), with `:` in RBAC names written as `__`.
pub fn entry_id(r: &ObjectRef) -> String {
    let name = if is_rbac(&r.group, &r.kind) {
        r.name.replace(':', "__")
    } else {
        r.name.clone()
    };
    format!("{}_{}_{}_{}", r.namespace, name, r.group, r.kind)
}

/// The inventory of a change set: every object applied or skipped (Flux keeps skipped
/// objects tracked), none that were deleted, in change set order and without duplicates.
pub fn from_change_set(cs: &ChangeSet) -> ResourceInventory {
    let mut seen = HashSet::new();
    let entries = cs
        .entries
        .iter()
        .filter(|e| e.action != Action::Deleted)
        .filter_map(|e| {
            let id = entry_id(&e.object);
            seen.insert(id.clone()).then(|| ResourceRef {
                id,
                v: e.object.version.clone(),
            })
        })
        .collect();
    ResourceInventory { entries }
}

/// The objects of `old` that are not in `new` (compared by id, whatever the version), in
/// reverse apply order so that what a Namespace or CRD contains is deleted first. Entries
/// with malformed ids are left out.
pub fn stale(old: &ResourceInventory, new: &ResourceInventory) -> Vec<ObjectRef> {
    let current: HashSet<&str> = new.entries.iter().map(|e| e.id.as_str()).collect();
    let mut gone: Vec<ObjectRef> = old
        .entries
        .iter()
        .filter(|e| !current.contains(e.id.as_str()))
        .filter_map(|e| parse_entry(&e.id, &e.v))
        .collect();
    gone.sort_by(|a, b| apply_order(b, a));
    gone
}

/// Every object of an inventory, in apply order (for health checks of `wait: true` and
/// `tk tree`). Entries with malformed ids are left out.
pub fn list(inventory: &ResourceInventory) -> Vec<ObjectRef> {
    let mut all: Vec<ObjectRef> = inventory
        .entries
        .iter()
        .filter_map(|e| parse_entry(&e.id, &e.v))
        .collect();
    all.sort_by(apply_order);
    all
}

/// The object an inventory entry names, or `None` when the id is malformed. Parses as
/// cli-utils' `ParseObjMetadata`: namespace up to the first `_`, kind after the last, group
/// before that, and the rest is the name (`__` read back as `:`).
pub fn parse_entry(id: &str, version: &str) -> Option<ObjectRef> {
    let (namespace, rest) = id.split_once('_')?;
    let (rest, kind) = rest.rsplit_once('_')?;
    let (name, group) = rest.rsplit_once('_')?;
    let name = name.replace("__", ":");
    if name.contains('_') || name.trim().is_empty() || kind.trim().is_empty() {
        return None;
    }
    Some(ObjectRef {
        group: group.trim().to_string(),
        version: version.to_string(),
        kind: kind.trim().to_string(),
        namespace: namespace.trim().to_string(),
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::super::ChangeSetEntry;
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
    fn ids_match_flux() {
        assert_eq!(
            entry_id(&r("apps", "v1", "Deployment", "default", "podinfo")),
            "default_podinfo_apps_Deployment"
        );
        assert_eq!(
            entry_id(&r("", "v1", "Namespace", "", "apps")),
            "_apps__Namespace"
        );
        assert_eq!(
            entry_id(&r("", "v1", "ConfigMap", "ns", "c")),
            "ns_c__ConfigMap"
        );
        assert_eq!(
            entry_id(&r(
                "rbac.authorization.k8s.io",
                "v1",
                "ClusterRole",
                "",
                "system:view"
            )),
            "_system__view_rbac.authorization.k8s.io_ClusterRole"
        );
        // Only RBAC names are transcoded (others cannot contain ':').
        assert_eq!(
            entry_id(&r("example.com", "v1", "Widget", "ns", "a:b")),
            "ns_a:b_example.com_Widget"
        );
    }

    #[test]
    fn ids_parse_back() {
        for original in [
            r("apps", "v1", "Deployment", "default", "podinfo"),
            r("", "v1", "Namespace", "", "apps"),
            r("", "v1", "ConfigMap", "ns", "c"),
            r(
                "rbac.authorization.k8s.io",
                "v1",
                "ClusterRole",
                "",
                "system:view",
            ),
            r(
                "apiextensions.k8s.io",
                "v1",
                "CustomResourceDefinition",
                "",
                "widgets.example.com",
            ),
        ] {
            assert_eq!(
                parse_entry(&entry_id(&original), &original.version),
                Some(original)
            );
        }
        assert_eq!(parse_entry("no-separators", "v1"), None);
        assert_eq!(parse_entry("ns_a_b_c_Kind", "v1"), None);
    }

    fn cs(entries: &[(ObjectRef, Action)]) -> ChangeSet {
        ChangeSet {
            entries: entries
                .iter()
                .map(|(object, action)| ChangeSetEntry {
                    object: object.clone(),
                    action: *action,
                })
                .collect(),
        }
    }

    #[test]
    fn inventory_from_change_set_keeps_applied_and_skipped_objects() {
        let ns = r("", "v1", "Namespace", "", "apps");
        let dep = r("apps", "v1", "Deployment", "apps", "app");
        let skipped = r("", "v1", "ConfigMap", "apps", "kept");
        let deleted = r("", "v1", "ConfigMap", "apps", "gone");
        let inventory = from_change_set(&cs(&[
            (ns, Action::Created),
            (dep, Action::Unchanged),
            (skipped, Action::Skipped),
            (deleted, Action::Deleted),
        ]));
        let ids: Vec<(&str, &str)> = inventory
            .entries
            .iter()
            .map(|e| (e.id.as_str(), e.v.as_str()))
            .collect();
        assert_eq!(
            ids,
            [
                ("_apps__Namespace", "v1"),
                ("apps_app_apps_Deployment", "v1"),
                ("apps_kept__ConfigMap", "v1")
            ]
        );
    }

    #[test]
    fn stale_objects_come_in_reverse_apply_order() {
        let ns = r("", "v1", "Namespace", "", "apps");
        let crd = r(
            "apiextensions.k8s.io",
            "v1",
            "CustomResourceDefinition",
            "",
            "w.example.com",
        );
        let cm = r("", "v1", "ConfigMap", "apps", "c");
        let dep = r("apps", "v1", "Deployment", "apps", "app");
        let old = from_change_set(&cs(&[
            (crd.clone(), Action::Created),
            (ns.clone(), Action::Created),
            (cm.clone(), Action::Created),
            (dep.clone(), Action::Created),
        ]));
        let mut new = from_change_set(&cs(&[(dep.clone(), Action::Unchanged)]));
        // A version change alone is not a removal.
        new.entries[0].v = "v2".into();
        assert_eq!(stale(&old, &new), vec![cm, ns, crd]);
        assert!(stale(&new, &new).is_empty());
    }
}
