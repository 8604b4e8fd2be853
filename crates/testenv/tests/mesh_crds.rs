//! The traffic routers' published CRDs install in the rig's apiserver, and the objects a
//! canary router writes (HTTPRoute, VirtualService, DestinationRule, TrafficSplit) go
//! through the real API with their schemas enforced.

use serde_json::{Value, json};
use testenv::mesh::{self, Mesh};
use testenv::{ControlPlane, shared, unique_name};

fn call(cp: &ControlPlane, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let agent = cp.admin_agent().expect("admin agent");
    let url = format!("{}{path}", cp.server_url());
    let result = match (method, body) {
        ("GET", _) => agent.get(&url).call(),
        ("POST", Some(b)) => agent
            .post(&url)
            .header("Content-Type", "application/json")
            .send(b.to_string()),
        _ => panic!("unsupported {method}"),
    };
    let mut resp = result.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn install_all(cp: &ControlPlane) {
    mesh::install(cp, &[Mesh::GatewayApi, Mesh::Istio, Mesh::Smi])
        .unwrap_or_else(|e| panic!("{e:#}"));
}

fn namespace(cp: &ControlPlane) -> String {
    let name = unique_name("mesh");
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
    let (status, body) = call(cp, "POST", "/api/v1/namespaces", Some(&ns));
    assert_eq!(status, 201, "creating namespace {name}: {body}");
    name
}

/// Creates `obj` under `/apis/<apiVersion>/namespaces/<ns>/<plural>` and reads it back.
fn create_and_get(cp: &ControlPlane, ns: &str, plural: &str, obj: &Value) -> Value {
    let api_version = obj["apiVersion"].as_str().unwrap();
    let name = obj["metadata"]["name"].as_str().unwrap();
    let collection = format!("/apis/{api_version}/namespaces/{ns}/{plural}");
    let (status, created) = call(cp, "POST", &collection, Some(obj));
    assert_eq!(status, 201, "creating {collection}/{name}: {created}");
    let (status, read) = call(cp, "GET", &format!("{collection}/{name}"), None);
    assert_eq!(status, 200, "reading {collection}/{name}: {read}");
    assert_eq!(read["apiVersion"], api_version);
    assert_eq!(read["kind"], obj["kind"]);
    assert_eq!(read["spec"], obj["spec"], "{plural}/{name} round trip");
    read
}

fn crd(cp: &ControlPlane, name: &str) -> Value {
    let (status, body) = call(
        cp,
        "GET",
        &format!("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}"),
        None,
    );
    assert_eq!(status, 200, "{name}: {body}");
    body
}

fn served_versions(crd: &Value) -> Vec<String> {
    crd["spec"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["served"] == true)
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn published_crds_install_and_serve_the_routers_objects() {
    let cp = shared();
    install_all(cp);
    // Tests share the control plane: installing again is a no-op.
    install_all(cp);
    mesh::install(cp, &[Mesh::Smi]).unwrap_or_else(|e| panic!("{e:#}"));

    let route_crd = crd(cp, "httproutes.gateway.networking.k8s.io");
    assert_eq!(
        route_crd["metadata"]["annotations"]["gateway.networking.k8s.io/channel"],
        "standard"
    );
    assert!(served_versions(&route_crd).contains(&"v1".to_string()));
    for name in [
        "virtualservices.networking.istio.io",
        "destinationrules.networking.istio.io",
    ] {
        assert!(
            served_versions(&crd(cp, name)).contains(&"v1".to_string()),
            "{name}"
        );
    }
    // OSM's TrafficSplit serves v1alpha2 only; v1alpha3 and v1alpha4 are defined, not served.
    let split_crd = crd(cp, "trafficsplits.split.smi-spec.io");
    assert_eq!(served_versions(&split_crd), ["v1alpha2"]);

    let ns = namespace(cp);

    let route = json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "podinfo"},
        "spec": {
            "parentRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "public"}],
            "hostnames": ["app.example.com"],
            "rules": [{
                "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                "backendRefs": [
                    {"group": "", "kind": "Service", "name": "podinfo-primary", "port": 9898, "weight": 90},
                    {"group": "", "kind": "Service", "name": "podinfo-canary", "port": 9898, "weight": 10},
                ],
            }],
        },
    });
    let read = create_and_get(cp, &ns, "httproutes", &route);
    let weights: Vec<&Value> = read["spec"]["rules"][0]["backendRefs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["weight"])
        .collect();
    assert_eq!(weights, [&json!(90), &json!(10)]);

    // The schema is enforced: a negative weight is refused by the published validation.
    let mut invalid = route.clone();
    invalid["metadata"]["name"] = json!("podinfo-invalid");
    invalid["spec"]["rules"][0]["backendRefs"][0]["weight"] = json!(-1);
    let (status, body) = call(
        cp,
        "POST",
        &format!("/apis/gateway.networking.k8s.io/v1/namespaces/{ns}/httproutes"),
        Some(&invalid),
    );
    assert_eq!(status, 422, "{body}");

    let virtual_service = json!({
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "podinfo"},
        "spec": {
            "hosts": ["podinfo"],
            "http": [{
                "route": [
                    {"destination": {"host": "podinfo", "subset": "primary"}, "weight": 90},
                    {"destination": {"host": "podinfo", "subset": "canary"}, "weight": 10},
                ],
            }],
        },
    });
    let read = create_and_get(cp, &ns, "virtualservices", &virtual_service);
    assert_eq!(read["spec"]["http"][0]["route"][1]["weight"], 10);

    let destination_rule = json!({
        "apiVersion": "networking.istio.io/v1",
        "kind": "DestinationRule",
        "metadata": {"name": "podinfo"},
        "spec": {
            "host": "podinfo",
            "subsets": [
                {"name": "primary", "labels": {"app": "podinfo-primary"}},
                {"name": "canary", "labels": {"app": "podinfo"}},
            ],
        },
    });
    let read = create_and_get(cp, &ns, "destinationrules", &destination_rule);
    assert_eq!(read["spec"]["subsets"][1]["name"], "canary");

    let split = json!({
        "apiVersion": "split.smi-spec.io/v1alpha2",
        "kind": "TrafficSplit",
        "metadata": {"name": "podinfo"},
        "spec": {
            "service": "podinfo",
            "backends": [
                {"service": "podinfo-primary", "weight": 90},
                {"service": "podinfo-canary", "weight": 10},
            ],
        },
    });
    let read = create_and_get(cp, &ns, "trafficsplits", &split);
    assert_eq!(read["spec"]["backends"][1]["weight"], 10);
    // `service` is required by the published schema.
    let mut invalid = split.clone();
    invalid["metadata"]["name"] = json!("podinfo-invalid");
    invalid["spec"].as_object_mut().unwrap().remove("service");
    let (status, body) = call(
        cp,
        "POST",
        &format!("/apis/split.smi-spec.io/v1alpha2/namespaces/{ns}/trafficsplits"),
        Some(&invalid),
    );
    assert_eq!(status, 422, "{body}");
}

#[test]
fn the_crd_directory_holds_the_published_sets() {
    let dir = mesh::crd_dir().unwrap_or_else(|e| panic!("{e:#}"));
    let names = |m: Mesh| -> Vec<String> {
        m.files(&dir)
            .unwrap()
            .iter()
            .flat_map(|f| mesh::read_crds(f).unwrap_or_else(|e| panic!("{e:#}")))
            .map(|c| c["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let gateway = names(Mesh::GatewayApi);
    for name in [
        "gatewayclasses.gateway.networking.k8s.io",
        "gateways.gateway.networking.k8s.io",
        "httproutes.gateway.networking.k8s.io",
        "referencegrants.gateway.networking.k8s.io",
    ] {
        assert!(gateway.contains(&name.to_string()), "{name} in {gateway:?}");
    }
    let istio = names(Mesh::Istio);
    for name in [
        "virtualservices.networking.istio.io",
        "destinationrules.networking.istio.io",
    ] {
        assert!(istio.contains(&name.to_string()), "{name} in {istio:?}");
    }
    assert_eq!(names(Mesh::Smi), ["trafficsplits.split.smi-spec.io"]);

    // A wrong TK_MESH_CRDS-style directory is named in the error.
    let empty = tempfile::tempdir().unwrap();
    let err = format!("{:#}", Mesh::Smi.files(empty.path()).unwrap_err());
    assert!(
        err.contains(&empty.path().join("smi").display().to_string()),
        "{err}"
    );
}
