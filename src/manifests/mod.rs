//! What `tk install` applies, rendered from options. `--export` prints the same objects, so
//! what a user reviews is what gets applied.

mod components;
pub mod labels;
mod options;
mod policies;
mod rbac;

use serde_json::{Value, json};

pub use options::{Component, InstallOptions, OptionsError};

/// Every object of an installation, in apply order: Namespace and CRDs first (later objects
/// and custom resources depend on them), then identities, RBAC, Services, workloads, policies.
pub fn render(options: &InstallOptions) -> Vec<Value> {
    let mut objects = vec![namespace(options)];
    objects.extend(crds(options));
    objects.extend(components::service_accounts(options));
    objects.extend(rbac::render(options));
    objects.push(components::critical_pods_quota(options));
    objects.extend(components::services(options));
    objects.extend(components::deployments(options));
    if options.network_policy {
        objects.extend(policies::render(options));
    }
    objects
}

/// The manifests as one multi-document YAML stream.
pub fn to_yaml(objects: &[Value]) -> String {
    serde_saphyr::to_string_multiple(objects).expect("manifests are plain JSON values")
}

fn namespace(options: &InstallOptions) -> Value {
    let mut labels = options.labels(None);
    labels.insert(
        "pod-security.kubernetes.io/warn".into(),
        "restricted".into(),
    );
    labels.insert(
        "pod-security.kubernetes.io/warn-version".into(),
        "latest".into(),
    );
    json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": { "name": options.namespace, "labels": labels },
    })
}

/// The CRDs generated from `crate::api` (`tk crds`), embedded so an install or `--export` does
/// not rebuild ten schemas on every run; a unit test keeps the file equal to the types.
const CRDS_JSON: &str = include_str!("crds.json");

fn crds(options: &InstallOptions) -> Vec<Value> {
    let mut crds: Vec<Value> =
        serde_json::from_str(CRDS_JSON).expect("crds.json is generated JSON");
    for crd in &mut crds {
        crd["metadata"]["labels"] = json!(options.labels(None));
    }
    crds
}

/// The CRDs as `tk crds` prints them into `src/manifests/crds.json`.
pub fn generated_crds_json() -> String {
    let crds = serde_json::to_value(crate::api::crds()).expect("CRDs serialize");
    let mut text = serde_json::to_string_pretty(&crds).expect("JSON prints");
    text.push('\n');
    text
}

/// `group/version` and kind of a rendered object.
pub fn type_of(object: &Value) -> (&str, &str) {
    (
        object["apiVersion"].as_str().unwrap_or_default(),
        object["kind"].as_str().unwrap_or_default(),
    )
}

/// The name of a rendered object.
pub fn name_of(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> InstallOptions {
        InstallOptions::defaults("flux-system")
    }

    fn find<'a>(objects: &'a [Value], kind: &str, name: &str) -> Option<&'a Value> {
        objects
            .iter()
            .find(|o| type_of(o).1 == kind && name_of(o) == name)
    }

    #[test]
    fn namespace_and_crds_come_first() {
        let objects = render(&defaults());
        assert_eq!(type_of(&objects[0]).1, "Namespace");
        let first_other = objects
            .iter()
            .position(|o| !matches!(type_of(o).1, "Namespace" | "CustomResourceDefinition"))
            .unwrap();
        assert!(
            objects[first_other..]
                .iter()
                .all(|o| type_of(o).1 != "CustomResourceDefinition")
        );
    }

    #[test]
    fn every_object_carries_the_installation_labels() {
        for object in render(&defaults()) {
            let labels = &object["metadata"]["labels"];
            assert_eq!(labels[labels::PART_OF], "flux", "{}", name_of(&object));
            assert_eq!(labels[labels::INSTANCE], "flux-system");
            assert_eq!(labels[labels::VERSION], crate::VERSION);
        }
    }

    #[test]
    fn deployments_run_the_controller_hardened() {
        let objects = render(&defaults());
        let deployment = find(&objects, "Deployment", "source-controller").unwrap();
        let pod = &deployment["spec"]["template"]["spec"];
        let container = &pod["containers"][0];
        assert_eq!(container["args"][0], "controller");
        assert_eq!(container["args"][1], "source");
        let security = &container["securityContext"];
        assert_eq!(security["runAsNonRoot"], true);
        assert_eq!(security["readOnlyRootFilesystem"], true);
        assert_eq!(security["allowPrivilegeEscalation"], false);
        assert_eq!(security["capabilities"]["drop"], json!(["ALL"]));
        assert_eq!(security["seccompProfile"]["type"], "RuntimeDefault");
        assert!(container["args"].as_array().unwrap().contains(&json!(
            "--events-addr=http://notification-controller.flux-system.svc.cluster.local./"
        )));
    }

    #[test]
    fn only_selected_components_are_rendered() {
        let mut options = defaults();
        options.components = vec![Component::Source];
        let objects = render(&options);
        assert!(find(&objects, "Deployment", "source-controller").is_some());
        assert!(find(&objects, "Deployment", "kustomize-controller").is_none());
        assert!(find(&objects, "Service", "notification-controller").is_none());
        assert!(
            find(
                &objects,
                "ClusterRoleBinding",
                "cluster-reconciler-flux-system"
            )
            .is_none()
        );
        let source = find(&objects, "Deployment", "source-controller").unwrap();
        let args = source["spec"]["template"]["spec"]["containers"][0]["args"]
            .as_array()
            .unwrap();
        assert!(
            !args
                .iter()
                .any(|a| a.as_str().unwrap().starts_with("--events-addr"))
        );
    }

    #[test]
    fn services_keep_flux_names_and_ports() {
        let objects = render(&defaults());
        for (name, target) in [
            ("source-controller", "http"),
            ("notification-controller", "http"),
            ("webhook-receiver", "http-webhook"),
        ] {
            let service = find(&objects, "Service", name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(service["spec"]["ports"][0]["port"], 80);
            assert_eq!(service["spec"]["ports"][0]["targetPort"], target);
        }
    }

    #[test]
    fn network_policies_are_optional() {
        let mut options = defaults();
        assert!(find(&render(&options), "NetworkPolicy", "allow-webhooks").is_some());
        options.network_policy = false;
        assert!(
            !render(&options)
                .iter()
                .any(|o| type_of(o).1 == "NetworkPolicy")
        );
    }

    #[test]
    fn embedded_crds_match_the_api_types() {
        assert!(
            CRDS_JSON == generated_crds_json(),
            "src/manifests/crds.json is stale: run hack/generated.sh"
        );
    }

    #[test]
    fn export_yaml_parses_back_to_the_same_objects() {
        let objects = render(&defaults());
        let yaml = to_yaml(&objects);
        let parsed: Vec<Value> = serde_saphyr::from_multiple(&yaml).unwrap();
        assert_eq!(parsed, objects);
    }
}
