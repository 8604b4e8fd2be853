//! Flux's NetworkPolicies: pods of the namespace talk to each other and to anything outside,
//! while from other namespaces only metrics scraping and the webhook receiver are reachable.

use serde_json::{Value, json};

use super::options::InstallOptions;

pub fn render(options: &InstallOptions) -> Vec<Value> {
    let meta = |name: &str| json!({ "name": name, "namespace": options.namespace, "labels": options.labels(None) });
    vec![
        json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta("allow-egress"),
            "spec": {
                "podSelector": {},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{ "from": [{ "podSelector": {} }] }],
                "egress": [{}],
            },
        }),
        json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta("allow-scraping"),
            "spec": {
                "podSelector": {},
                "policyTypes": ["Ingress"],
                "ingress": [{
                    "from": [{ "namespaceSelector": {} }],
                    "ports": [{ "port": 8080, "protocol": "TCP" }],
                }],
            },
        }),
        json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta("allow-webhooks"),
            "spec": {
                "podSelector": { "matchLabels": { "app": "notification-controller" } },
                "policyTypes": ["Ingress"],
                "ingress": [{
                    "from": [{ "namespaceSelector": {} }],
                    "ports": [{ "port": 9292, "protocol": "TCP" }],
                }],
            },
        }),
    ]
}
