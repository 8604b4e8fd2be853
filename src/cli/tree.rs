//! `tk tree kustomization NAME`: the objects a Kustomization applied, from its
//! `status.inventory`, with nested Kustomizations expanded, printed as flux's tree does
//! (`Kind/namespace/name`, `├──`/`└──`), or as flux's JSON/YAML (`-o json|yaml`).
//!
//! Reading the cluster (the Kustomizations reachable from the root) is kept apart from the
//! rendering, which is a pure function of the inventories.

use std::collections::{HashMap, HashSet};

use anyhow::{Result, bail};
use serde::Serialize;
use serde_json::Value;

use crate::api::meta::ResourceRef;
use crate::cli::objects::KUSTOMIZATION;
use crate::cli::settings::GlobalSettings;
use crate::ssa::ObjectRef;
use crate::ssa::inventory::parse_entry;

/// The group `--compact` keeps (flux's `compactGroup`): Flux's own kinds.
const COMPACT_GROUP: &str = "toolkit.fluxcd.io";

/// What the tree needs of one Kustomization.
#[derive(Debug, Clone, Default)]
pub struct KsInventory {
    pub entries: Vec<ResourceRef>,
    /// `spec.kubeConfig` is set: its objects live in another cluster, so the nested
    /// Kustomizations it lists are not expanded.
    pub remote: bool,
}

/// Inventories by Kustomization (namespace, name).
pub type Inventories = HashMap<(String, String), KsInventory>;

/// One node of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub object: ObjectRef,
    pub children: Vec<Node>,
}

fn is_kustomization(r: &ObjectRef) -> bool {
    r.group == KUSTOMIZATION.group && r.kind == KUSTOMIZATION.kind
}

fn key(r: &ObjectRef) -> (String, String) {
    (r.namespace.clone(), r.name.clone())
}

/// The root Kustomization's reference.
pub fn kustomization_ref(namespace: &str, name: &str) -> ObjectRef {
    ObjectRef {
        group: KUSTOMIZATION.group.to_string(),
        version: KUSTOMIZATION.version.to_string(),
        kind: KUSTOMIZATION.kind.to_string(),
        namespace: namespace.to_string(),
        name: name.to_string(),
    }
}

/// Builds the tree of `root` from `inventories`, as flux does: entries in inventory order,
/// the Kustomization itself left out, `compact` keeping only Flux kinds, nested
/// Kustomizations expanded unless the parent targets a remote cluster, and a Kustomization
/// already in the tree left out (so cycles end). A nested Kustomization missing from
/// `inventories` is an error (flux's "failed to find object").
pub fn build(root: &ObjectRef, inventories: &Inventories, compact: bool) -> Result<Node> {
    let mut visited = HashSet::from([key(root)]);
    let mut node = Node {
        object: root.clone(),
        children: Vec::new(),
    };
    expand(&mut node, inventories, compact, &mut visited)?;
    Ok(node)
}

fn expand(
    node: &mut Node,
    inventories: &Inventories,
    compact: bool,
    visited: &mut HashSet<(String, String)>,
) -> Result<()> {
    let Some(inventory) = inventories.get(&key(&node.object)) else {
        bail!(
            "failed to find object: Kustomization {}/{} not found",
            node.object.namespace,
            node.object.name
        );
    };
    for entry in &inventory.entries {
        let Some(object) = parse_entry(&entry.id, &entry.v) else {
            bail!("unable to parse inventory entry {:?}", entry.id);
        };
        if compact && !object.group.contains(COMPACT_GROUP) {
            continue;
        }
        let nested = is_kustomization(&object);
        if nested && key(&object) == key(&node.object) {
            continue;
        }
        if nested && !visited.insert(key(&object)) {
            continue;
        }
        let mut child = Node {
            object,
            children: Vec::new(),
        };
        if nested && !inventory.remote {
            expand(&mut child, inventories, compact, visited)?;
        }
        node.children.push(child);
    }
    Ok(())
}

/// The nested Kustomizations `build` will read for `inventory` (those it expands).
pub fn nested(inventory: &KsInventory) -> Vec<ObjectRef> {
    if inventory.remote {
        return Vec::new();
    }
    inventory
        .entries
        .iter()
        .filter_map(|e| parse_entry(&e.id, &e.v))
        .filter(is_kustomization)
        .collect()
}

/// `Kind/namespace/name`, or `Kind/name` when cluster-scoped (fluxcd/pkg's
/// `FmtObjMetadata`).
fn text(r: &ObjectRef) -> String {
    if r.namespace.is_empty() {
        format!("{}/{}", r.kind, r.name)
    } else {
        format!("{}/{}/{}", r.kind, r.namespace, r.name)
    }
}

/// The tree as flux's printer draws it; every line ends in a newline.
pub fn render(root: &Node) -> String {
    let mut out = text(&root.object);
    out.push('\n');
    render_items(&root.children, &mut Vec::new(), &mut out);
    out
}

fn render_items(items: &[Node], spaces: &mut Vec<bool>, out: &mut String) {
    for (i, item) in items.iter().enumerate() {
        let last = i + 1 == items.len();
        for &space in spaces.iter() {
            out.push_str(if space { "    " } else { "│   " });
        }
        out.push_str(if last { "└── " } else { "├── " });
        out.push_str(&text(&item.object));
        out.push('\n');
        if !item.children.is_empty() {
            spaces.push(last);
            render_items(&item.children, spaces, out);
            spaces.pop();
        }
    }
}

/// The tree as flux marshals it: `resource` (cli-utils' `ObjMetadata`, whose fields have no
/// tags, in declaration order) and `resources`, left out when empty.
#[derive(Serialize)]
struct JsonTree<'a> {
    resource: JsonMetadata<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resources: Vec<JsonTree<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct JsonMetadata<'a> {
    namespace: &'a str,
    name: &'a str,
    group_kind: JsonGroupKind<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct JsonGroupKind<'a> {
    group: &'a str,
    kind: &'a str,
}

fn json_tree(node: &Node) -> JsonTree<'_> {
    JsonTree {
        resource: JsonMetadata {
            namespace: &node.object.namespace,
            name: &node.object.name,
            group_kind: JsonGroupKind {
                group: &node.object.group,
                kind: &node.object.kind,
            },
        },
        resources: node.children.iter().map(json_tree).collect(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Tree,
    Json,
    Yaml,
}

impl Output {
    pub fn parse(output: Option<&str>) -> Result<Self> {
        match output.unwrap_or_default() {
            "" => Ok(Output::Tree),
            "json" => Ok(Output::Json),
            "yaml" => Ok(Output::Yaml),
            other => bail!("flag --output: expected json or yaml, got {other:?}"),
        }
    }
}

/// What flux prints for the tree in `output` (its `Println` adds the final newline).
pub fn format(node: &Node, output: Output) -> String {
    match output {
        Output::Tree => format!("{}\n", render(node)),
        Output::Json => format!(
            "{}\n",
            serde_json::to_string_pretty(&json_tree(node)).expect("JSON")
        ),
        Output::Yaml => {
            let value: Value = serde_json::to_value(json_tree(node)).expect("JSON");
            format!("{}\n", crate::cli::yaml::to_string(&value))
        }
    }
}

fn inventory_of(object: &kube::api::DynamicObject) -> KsInventory {
    let entries = object.data["status"]["inventory"]["entries"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| ResourceRef {
                    id: e["id"].as_str().unwrap_or_default().to_string(),
                    v: e["v"].as_str().unwrap_or_default().to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    KsInventory {
        entries,
        remote: !object.data["spec"]["kubeConfig"].is_null(),
    }
}

/// `tk tree kustomization NAME`.
pub async fn kustomization(
    name: &str,
    compact: bool,
    output: Output,
    settings: &GlobalSettings,
) -> Result<()> {
    let client = settings.client().await?;
    let root = kustomization_ref(&settings.namespace, name);
    let mut inventories = Inventories::new();
    let mut queue = vec![root.clone()];
    while let Some(next) = queue.pop() {
        if inventories.contains_key(&key(&next)) {
            continue;
        }
        let object = KUSTOMIZATION
            .get(&client, &next.namespace, &next.name)
            .await?;
        let inventory = inventory_of(&object);
        queue.extend(nested(&inventory));
        inventories.insert(key(&next), inventory);
    }
    let tree = build(&root, &inventories, compact)?;
    print!("{}", format(&tree, output));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(ids: &[&str]) -> KsInventory {
        KsInventory {
            entries: ids
                .iter()
                .map(|id| ResourceRef {
                    id: id.to_string(),
                    v: "v1".to_string(),
                })
                .collect(),
            remote: false,
        }
    }

    fn inventories(items: &[(&str, &str, KsInventory)]) -> Inventories {
        items
            .iter()
            .map(|(ns, name, i)| ((ns.to_string(), name.to_string()), i.clone()))
            .collect()
    }

    const KS: &str = "kustomize.toolkit.fluxcd.io_Kustomization";

    fn flux_system() -> Inventories {
        inventories(&[
            (
                "flux-system",
                "flux-system",
                inv(&[
                    "_flux-system__Namespace",
                    "flux-system_helm-controller_apps_Deployment",
                    "flux-system_kustomize-controller_apps_Deployment",
                    "flux-system_notification-controller_apps_Deployment",
                    "flux-system_source-controller_apps_Deployment",
                    &format!("flux-system_infrastructure_{KS}"),
                    &format!("flux-system_flux-system_{KS}"),
                    "flux-system_flux-system_source.toolkit.fluxcd.io_GitRepository",
                ]),
            ),
            (
                "flux-system",
                "infrastructure",
                inv(&[
                    "_cert-manager__Namespace",
                    "cert-manager_cert-manager_source.toolkit.fluxcd.io_HelmRepository",
                    "cert-manager_cert-manager_helm.toolkit.fluxcd.io_HelmRelease",
                ]),
            ),
        ])
    }

    #[test]
    fn renders_flux_tree_golden() {
        let root = kustomization_ref("flux-system", "flux-system");
        let tree = build(&root, &flux_system(), false).unwrap();
        // flux2 cmd/flux/testdata/tree/tree.golden
        assert_eq!(
            format(&tree, Output::Tree),
            "Kustomization/flux-system/flux-system\n\
             ├── Namespace/flux-system\n\
             ├── Deployment/flux-system/helm-controller\n\
             ├── Deployment/flux-system/kustomize-controller\n\
             ├── Deployment/flux-system/notification-controller\n\
             ├── Deployment/flux-system/source-controller\n\
             ├── Kustomization/flux-system/infrastructure\n\
             │   ├── Namespace/cert-manager\n\
             │   ├── HelmRepository/cert-manager/cert-manager\n\
             │   └── HelmRelease/cert-manager/cert-manager\n\
             └── GitRepository/flux-system/flux-system\n\n"
        );
    }

    #[test]
    fn renders_flux_compact_golden() {
        let root = kustomization_ref("flux-system", "flux-system");
        let tree = build(&root, &flux_system(), true).unwrap();
        // flux2 cmd/flux/testdata/tree/tree-compact.golden
        assert_eq!(
            format(&tree, Output::Tree),
            "Kustomization/flux-system/flux-system\n\
             ├── Kustomization/flux-system/infrastructure\n\
             │   ├── HelmRepository/cert-manager/cert-manager\n\
             │   └── HelmRelease/cert-manager/cert-manager\n\
             └── GitRepository/flux-system/flux-system\n\n"
        );
    }

    #[test]
    fn renders_empty_and_cycles_like_flux() {
        let empty = kustomization_ref("flux-system", "empty");
        let invs = inventories(&[("flux-system", "empty", inv(&[]))]);
        // tree-empty.golden
        assert_eq!(
            format(&build(&empty, &invs, false).unwrap(), Output::Tree),
            "Kustomization/flux-system/empty\n\n"
        );
        let invs = inventories(&[
            (
                "flux-system",
                "cycle-a",
                inv(&[&format!("flux-system_cycle-b_{KS}")]),
            ),
            (
                "flux-system",
                "cycle-b",
                inv(&[&format!("flux-system_cycle-a_{KS}")]),
            ),
        ]);
        // tree-cycle.golden
        let root = kustomization_ref("flux-system", "cycle-a");
        assert_eq!(
            format(&build(&root, &invs, false).unwrap(), Output::Tree),
            "Kustomization/flux-system/cycle-a\n└── Kustomization/flux-system/cycle-b\n\n"
        );
    }

    #[test]
    fn deep_trees_continue_the_bars_of_open_branches() {
        let invs = inventories(&[
            (
                "a",
                "root",
                inv(&[&format!("a_mid_{KS}"), "a_cm_core_ConfigMap"]),
            ),
            ("a", "mid", inv(&[&format!("a_leaf_{KS}")])),
            ("a", "leaf", inv(&["a_x__ConfigMap", "a_y__Secret"])),
        ]);
        let tree = build(&kustomization_ref("a", "root"), &invs, false).unwrap();
        assert_eq!(
            render(&tree),
            "Kustomization/a/root\n\
             ├── Kustomization/a/mid\n\
             │   └── Kustomization/a/leaf\n\
             │       ├── ConfigMap/a/x\n\
             │       └── Secret/a/y\n\
             └── ConfigMap/a/cm\n"
        );
    }

    #[test]
    fn remote_kustomizations_are_not_expanded_and_missing_ones_fail() {
        let mut remote = inv(&[&format!("b_other_{KS}")]);
        remote.remote = true;
        let invs = inventories(&[("a", "root", remote)]);
        let tree = build(&kustomization_ref("a", "root"), &invs, false).unwrap();
        assert_eq!(
            render(&tree),
            "Kustomization/a/root\n└── Kustomization/b/other\n"
        );
        let invs = inventories(&[("a", "root", inv(&[&format!("b_other_{KS}")]))]);
        let err = build(&kustomization_ref("a", "root"), &invs, false).unwrap_err();
        assert!(err.to_string().contains("failed to find object"), "{err}");
    }

    #[test]
    fn json_and_yaml_follow_flux_marshalling() {
        let invs = inventories(&[("a", "root", inv(&["_ns__Namespace"]))]);
        let tree = build(&kustomization_ref("a", "root"), &invs, false).unwrap();
        assert_eq!(
            format(&tree, Output::Json),
            r#"{
  "resource": {
    "Namespace": "a",
    "Name": "root",
    "GroupKind": {
      "Group": "kustomize.toolkit.fluxcd.io",
      "Kind": "Kustomization"
    }
  },
  "resources": [
    {
      "resource": {
        "Namespace": "",
        "Name": "ns",
        "GroupKind": {
          "Group": "",
          "Kind": "Namespace"
        }
      }
    }
  ]
}
"#
        );
        assert_eq!(
            format(&tree, Output::Yaml),
            "resource:\n  GroupKind:\n    Group: kustomize.toolkit.fluxcd.io\n    Kind: Kustomization\n  Name: root\n  Namespace: a\nresources:\n- resource:\n    GroupKind:\n      Group: \"\"\n      Kind: Namespace\n    Name: ns\n    Namespace: \"\"\n\n"
        );
        assert!(Output::parse(Some("table")).is_err());
    }
}
