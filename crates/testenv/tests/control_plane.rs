//! The shared control plane behaves like a real cluster: right version, working
//! controllers, kwok-backed Pods, RBAC enforced.

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use testenv::{ControlPlane, shared, unique_name};

fn call(
    agent: &testenv::ureq::Agent,
    method: &str,
    url: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let result = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        ("DELETE", _) => agent.delete(url).call(),
        ("POST", Some(b)) => agent
            .post(url)
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

fn api(cp: &ControlPlane, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let agent = cp.admin_agent().expect("admin agent");
    call(&agent, method, &format!("{}{path}", cp.server_url()), body)
}

fn create_namespace(cp: &ControlPlane, name: &str) {
    let (status, body) = api(
        cp,
        "POST",
        "/api/v1/namespaces",
        Some(&json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})),
    );
    assert_eq!(status, 201, "creating namespace {name}: {body}");
}

/// Polls `check` until it yields Some, failing with the last observation after `timeout`.
fn eventually<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Result<T, String>) -> T {
    let start = Instant::now();
    loop {
        match check() {
            Ok(v) => return v,
            Err(last) if start.elapsed() > timeout => {
                panic!(
                    "{what} did not happen within {}s; last observation: {last}",
                    timeout.as_secs()
                )
            }
            Err(_) => std::thread::sleep(Duration::from_millis(250)),
        }
    }
}

#[test]
fn version_is_the_pinned_kubernetes() {
    let (status, body) = api(shared(), "GET", "/version", None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["gitVersion"], testenv::KUBERNETES_VERSION, "{body}");
    assert_eq!(body["gitVersion"], "v1.34.4");
}

#[test]
fn deployment_becomes_available_on_fake_nodes() {
    let cp = shared();
    let ns = unique_name("deploy");
    create_namespace(cp, &ns);
    let deployment = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "registry.invalid/web:1"}]},
            },
        },
    });
    let (status, body) = api(
        cp,
        "POST",
        &format!("/apis/apps/v1/namespaces/{ns}/deployments"),
        Some(&deployment),
    );
    assert_eq!(status, 201, "{body}");
    eventually("Deployment Available", Duration::from_secs(60), || {
        let (status, d) = api(
            cp,
            "GET",
            &format!("/apis/apps/v1/namespaces/{ns}/deployments/web"),
            None,
        );
        let available = d["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "Available" && c["status"] == "True");
        if status == 200 && available && d["status"]["availableReplicas"] == 1 {
            Ok(())
        } else {
            Err(format!("{status}: {}", d["status"]))
        }
    });
    let (status, pods) = api(cp, "GET", &format!("/api/v1/namespaces/{ns}/pods"), None);
    assert_eq!(status, 200, "{pods}");
    let pods = pods["items"].as_array().expect("pod list");
    assert_eq!(pods.len(), 1, "{pods:?}");
    let pod = &pods[0];
    assert_eq!(pod["status"]["phase"], "Running", "{pod}");
    let node = pod["spec"]["nodeName"].as_str().unwrap_or_default();
    assert!(
        testenv::FAKE_NODES.contains(&node),
        "scheduled onto {node:?}"
    );
}

#[test]
fn deleted_namespace_is_emptied_and_removed() {
    let cp = shared();
    let ns = unique_name("gone");
    create_namespace(cp, &ns);
    // Content makes the namespace controller, not just the apiserver, do the deletion.
    let (status, body) = api(
        cp,
        "POST",
        &format!("/api/v1/namespaces/{ns}/configmaps"),
        Some(
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}),
        ),
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) = api(cp, "DELETE", &format!("/api/v1/namespaces/{ns}"), None);
    assert!(status == 200 || status == 202, "{status}: {body}");
    eventually("namespace removal", Duration::from_secs(60), || {
        let (status, body) = api(cp, "GET", &format!("/api/v1/namespaces/{ns}"), None);
        if status == 404 {
            Ok(())
        } else {
            Err(format!("{status}: {}", body["status"]))
        }
    });
}

#[test]
fn rbac_denies_an_unprivileged_user() {
    let cp = shared();
    let creds = cp
        .client_credentials("tk-testenv-nobody", &["tk-testenv-nobodies"])
        .expect("minting a client certificate");
    let agent = cp.agent_as(&creds).expect("agent");
    let (status, body) = call(
        &agent,
        "GET",
        &format!("{}/api/v1/namespaces", cp.server_url()),
        None,
    );
    assert_eq!(status, 403, "{body}");
    // A 403 that names the user proves the certificate authenticated and RBAC said no.
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("tk-testenv-nobody"),
        "{body}"
    );
    let (status, body) = api(cp, "GET", "/api/v1/namespaces", None);
    assert_eq!(status, 200, "admin: {body}");
}

#[test]
fn kubeconfig_describes_the_control_plane() {
    let cp = shared();
    let again = ControlPlane::external(cp.kubeconfig_path()).expect("reading the kubeconfig back");
    assert_eq!(again.server_url(), cp.server_url());
    assert!(
        cp.server_url().starts_with("https://127.0.0.1:"),
        "{}",
        cp.server_url()
    );
    assert_eq!(again.ca_pem(), cp.ca_pem());
    assert_eq!(
        again.admin_credentials().map(|c| &c.cert_pem),
        cp.admin_credentials().map(|c| &c.cert_pem)
    );
    // An external cluster (TK_TEST_KUBECONFIG) has no binaries unless TK_RIG_BIN names them.
    if cp.is_local() || std::env::var_os("TK_RIG_BIN").is_some() {
        for name in [
            "etcd",
            "kube-apiserver",
            "kube-controller-manager",
            "kube-scheduler",
            "kwok",
        ] {
            assert!(
                cp.bin_dir().join(name).is_file(),
                "{name} in {}",
                cp.bin_dir().display()
            );
        }
    }
}
