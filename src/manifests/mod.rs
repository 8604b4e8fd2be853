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
    if options.has(Component::Canary) {
        crds.extend(flagger_crds(options));
    }
    crds
}

/// Flagger's CRDs, with the canary controller. Built from the types on each render rather
/// than embedded: only installs that ask for the extra component pay for the schemas. They
/// carry the component label, which tells `tk uninstall` they came with this installation
/// (a Flagger installed by its own chart keeps its CRDs), and keep Flagger's
/// `helm.sh/resource-policy: keep` annotation.
fn flagger_crds(options: &InstallOptions) -> Vec<Value> {
    crate::api::flagger_crds()
        .iter()
        .map(|crd| {
            let mut crd = serde_json::to_value(crd).expect("a CRD serializes");
            crd["metadata"]["labels"] = json!(options.labels(Some(Component::Canary)));
            crd
        })
        .collect()
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
        namespace_and_crds_come_first_in(&render(&defaults()));
    }

    fn namespace_and_crds_come_first_in(objects: &[Value]) {
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
        for object in render(&with_canary()) {
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

    fn with_canary() -> InstallOptions {
        let mut options = defaults();
        options.components.push(Component::Canary);
        options
    }

    const FLAGGER_CRDS: [&str; 3] = [
        "canaries.flagger.app",
        "metrictemplates.flagger.app",
        "alertproviders.flagger.app",
    ];

    #[test]
    fn canary_controller_is_rendered_only_when_asked_for() {
        let objects = render(&defaults());
        assert!(find(&objects, "Deployment", "canary-controller").is_none());
        assert!(find(&objects, "ClusterRole", "canary-controller-flux-system").is_none());
        for crd in FLAGGER_CRDS {
            assert!(find(&objects, "CustomResourceDefinition", crd).is_none());
        }

        let objects = render(&with_canary());
        assert!(find(&objects, "ServiceAccount", "canary-controller").is_some());
        let deployment = find(&objects, "Deployment", "canary-controller").unwrap();
        assert_eq!(
            deployment["metadata"]["labels"][labels::COMPONENT],
            "canary-controller"
        );
        let container = &deployment["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["image"], with_canary().image());
        let args = container["args"].as_array().unwrap();
        assert_eq!(args[..2], [json!("controller"), json!("canary")]);
        for flag in [
            "--watch-all-namespaces=true",
            "--log-level=info",
            "--log-encoding=json",
            "--enable-leader-election",
        ] {
            assert!(args.contains(&json!(flag)), "{flag}: {args:?}");
        }
        let ports: Vec<(&str, u64)> = container["ports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap(),
                    p["containerPort"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(ports, [("http-prom", 8080), ("healthz", 9440)]);
        assert_eq!(container["readinessProbe"]["httpGet"]["port"], "healthz");
        // No Service: nothing calls the canary controller but Prometheus, on the pod port.
        assert!(find(&objects, "Service", "canary-controller").is_none());
    }

    #[test]
    fn canary_controller_brings_flaggers_crds_after_the_toolkits() {
        let objects = render(&with_canary());
        let crds: Vec<&str> = objects
            .iter()
            .filter(|o| type_of(o).1 == "CustomResourceDefinition")
            .map(name_of)
            .collect();
        assert_eq!(crds.len(), 13, "{crds:?}");
        assert_eq!(crds[10..], FLAGGER_CRDS);
        for name in FLAGGER_CRDS {
            let crd = find(&objects, "CustomResourceDefinition", name).unwrap();
            assert_eq!(crd["spec"]["group"], "flagger.app");
            let labels = &crd["metadata"]["labels"];
            assert_eq!(labels[labels::INSTANCE], "flux-system");
            assert_eq!(labels[labels::COMPONENT], "canary-controller");
            assert_eq!(
                crd["metadata"]["annotations"]["helm.sh/resource-policy"],
                "keep"
            );
        }
        // Still applied before everything that is not a CRD.
        namespace_and_crds_come_first_in(&objects);
    }

    #[test]
    fn canary_controller_gets_flaggers_role_not_cluster_admin() {
        let objects = render(&with_canary());
        let role = find(&objects, "ClusterRole", "canary-controller-flux-system").unwrap();
        let rules = role["rules"].as_array().unwrap();
        let grants = |group: &str, resource: &str, verb: &str| {
            rules.iter().any(|r| {
                r["apiGroups"].as_array().unwrap().contains(&json!(group))
                    && r["resources"]
                        .as_array()
                        .unwrap()
                        .contains(&json!(resource))
                    && r["verbs"].as_array().unwrap().contains(&json!(verb))
            })
        };
        for (group, resource, verb) in [
            ("", "services", "create"),
            ("", "configmaps", "delete"),
            ("", "secrets", "watch"),
            ("", "events", "create"),
            ("apps", "deployments", "patch"),
            ("apps", "deployments/scale", "update"),
            ("apps", "daemonsets", "list"),
            ("autoscaling", "horizontalpodautoscalers", "update"),
            ("gateway.networking.k8s.io", "httproutes", "create"),
            ("networking.istio.io", "virtualservices", "patch"),
            ("networking.istio.io", "destinationrules", "patch"),
            ("split.smi-spec.io", "trafficsplits", "patch"),
            ("flagger.app", "canaries", "watch"),
            ("flagger.app", "canaries/status", "patch"),
            ("flagger.app", "canaries/finalizers", "update"),
            ("flagger.app", "metrictemplates", "get"),
            ("flagger.app", "alertproviders", "get"),
            ("coordination.k8s.io", "leases", "update"),
        ] {
            assert!(
                grants(group, resource, verb),
                "{verb} {group}/{resource} missing"
            );
        }
        assert!(!rules.iter().any(|r| r["verbs"] == json!(["*"])
            || r["resources"] == json!(["*"])
            || r["apiGroups"] == json!(["*"])));
        let binding = find(
            &objects,
            "ClusterRoleBinding",
            "canary-controller-flux-system",
        )
        .unwrap();
        assert_eq!(binding["roleRef"]["name"], "canary-controller-flux-system");
        assert_eq!(
            binding["subjects"],
            json!([{ "kind": "ServiceAccount", "name": "canary-controller", "namespace": "flux-system" }])
        );
        // Bound to neither cluster-admin nor the toolkit's controller role.
        for other in [
            "cluster-reconciler-flux-system",
            "crd-controller-flux-system",
        ] {
            let subjects = &find(&objects, "ClusterRoleBinding", other).unwrap()["subjects"];
            assert!(
                !subjects
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s["name"] == "canary-controller"),
                "{other}"
            );
        }
        let view = find(&objects, "ClusterRole", "flux-view-flux-system").unwrap();
        assert!(
            view["rules"][0]["apiGroups"]
                .as_array()
                .unwrap()
                .contains(&json!("flagger.app"))
        );
    }

    #[test]
    fn canary_controller_alone_renders_no_toolkit_role_binding() {
        let mut options = defaults();
        options.components = vec![Component::Canary];
        let objects = render(&options);
        assert!(find(&objects, "ClusterRoleBinding", "crd-controller-flux-system").is_none());
        assert!(find(&objects, "ClusterRole", "crd-controller-flux-system").is_none());
        assert!(find(&objects, "Deployment", "canary-controller").is_some());
        let deployment = find(&objects, "Deployment", "canary-controller").unwrap();
        let args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
            .as_array()
            .unwrap();
        assert!(
            !args
                .iter()
                .any(|a| a.as_str().unwrap().starts_with("--events-addr")),
            "no notification controller to post events to: {args:?}"
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
        for options in [defaults(), with_canary()] {
            let objects = render(&options);
            let yaml = to_yaml(&objects);
            let parsed: Vec<Value> = serde_saphyr::from_multiple(&yaml).unwrap();
            assert_eq!(parsed, objects);
        }
    }
}
