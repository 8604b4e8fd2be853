//! ServiceAccounts, Services and Deployments of the controllers.

use serde_json::{Value, json};

use super::options::{Component, InstallOptions};

const METRICS_PORT: u16 = 8080;
const HEALTH_PORT: u16 = 9440;
const HTTP_PORT: u16 = 9090;
const WEBHOOK_PORT: u16 = 9292;
/// distroless's `nonroot` user; numeric so the kubelet can verify runAsNonRoot.
const NONROOT_UID: u32 = 65532;

fn metadata(options: &InstallOptions, name: &str, component: Option<Component>) -> Value {
    json!({
        "name": name,
        "namespace": options.namespace,
        "labels": options.labels(component),
    })
}

pub fn service_accounts(options: &InstallOptions) -> Vec<Value> {
    options
        .components
        .iter()
        .map(|c| {
            json!({
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": metadata(options, c.name(), Some(*c)),
            })
        })
        .collect()
}

/// Kubernetes admits system-cluster-critical pods outside kube-system only under a quota that
/// names the priority class; this is Flux's quota for that.
pub fn critical_pods_quota(options: &InstallOptions) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": metadata(options, &format!("critical-pods-{}", options.namespace), None),
        "spec": {
            "hard": { "pods": "1000" },
            "scopeSelector": { "matchExpressions": [{
                "operator": "In",
                "scopeName": "PriorityClass",
                "values": ["system-node-critical", "system-cluster-critical"],
            }]},
        },
    })
}

pub fn services(options: &InstallOptions) -> Vec<Value> {
    let mut services = Vec::new();
    if options.has(Component::Source) {
        services.push(service(
            options,
            Component::Source,
            "source-controller",
            "http",
        ));
    }
    if options.has(Component::Notification) {
        services.push(service(
            options,
            Component::Notification,
            "notification-controller",
            "http",
        ));
        services.push(service(
            options,
            Component::Notification,
            "webhook-receiver",
            "http-webhook",
        ));
    }
    services
}

fn service(options: &InstallOptions, component: Component, name: &str, target: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(options, name, Some(component)),
        "spec": {
            "type": "ClusterIP",
            "selector": { "app": component.name() },
            "ports": [{ "name": "http", "port": 80, "protocol": "TCP", "targetPort": target }],
        },
    })
}

pub fn deployments(options: &InstallOptions) -> Vec<Value> {
    options
        .components
        .iter()
        .map(|c| deployment(options, *c))
        .collect()
}

fn deployment(options: &InstallOptions, component: Component) -> Value {
    let name = component.name();
    let mut pod_labels = options.labels(Some(component));
    pod_labels.insert("app".into(), name.into());

    let mut args = vec![json!("controller"), json!(component.controller())];
    if let Some(addr) = options
        .events_addr()
        .filter(|_| component != Component::Notification)
    {
        args.push(json!(format!("--events-addr={addr}")));
    }
    args.push(json!(format!(
        "--watch-all-namespaces={}",
        options.watch_all_namespaces
    )));
    args.push(json!(format!("--log-level={}", options.log_level)));
    args.push(json!("--log-encoding=json"));
    args.push(json!("--enable-leader-election"));
    if component == Component::Source {
        args.push(json!("--storage-path=/data"));
        args.push(json!(format!(
            "--storage-adv-addr=source-controller.$(RUNTIME_NAMESPACE).svc.{}.",
            options.cluster_domain
        )));
    }

    let mut ports = Vec::new();
    match component {
        Component::Source => ports.push(port("http", HTTP_PORT)),
        Component::Notification => {
            ports.push(port("http", HTTP_PORT));
            ports.push(port("http-webhook", WEBHOOK_PORT));
        }
        Component::Kustomize | Component::Helm | Component::Canary => {}
    }
    ports.push(port("http-prom", METRICS_PORT));
    ports.push(port("healthz", HEALTH_PORT));

    let mut mounts = vec![json!({ "name": "temp", "mountPath": "/tmp" })];
    let mut volumes = vec![json!({ "name": "temp", "emptyDir": {} })];
    if component == Component::Source {
        mounts.push(json!({ "name": "data", "mountPath": "/data" }));
        volumes.push(json!({ "name": "data", "emptyDir": {} }));
    }

    let mut pod_spec = json!({
        "serviceAccountName": name,
        "priorityClassName": "system-cluster-critical",
        "terminationGracePeriodSeconds": 10,
        "nodeSelector": { "kubernetes.io/os": "linux" },
        "securityContext": { "fsGroup": 1337 },
        "containers": [{
            "name": "manager",
            "image": options.image(),
            "imagePullPolicy": "IfNotPresent",
            "args": args,
            "env": [{
                "name": "RUNTIME_NAMESPACE",
                "valueFrom": { "fieldRef": { "fieldPath": "metadata.namespace" } },
            }],
            "ports": ports,
            "livenessProbe": { "httpGet": { "path": "/healthz", "port": "healthz" } },
            "readinessProbe": { "httpGet": { "path": "/readyz", "port": "healthz" } },
            "resources": {
                "limits": { "cpu": "1000m", "memory": "1Gi" },
                "requests": { "cpu": "50m", "memory": "64Mi" },
            },
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "runAsNonRoot": true,
                "runAsUser": NONROOT_UID,
                "capabilities": { "drop": ["ALL"] },
                "seccompProfile": { "type": "RuntimeDefault" },
            },
            "volumeMounts": mounts,
        }],
        "volumes": volumes,
    });
    if let Some(secret) = &options.image_pull_secret {
        pod_spec["imagePullSecrets"] = json!([{ "name": secret }]);
    }
    if !options.toleration_keys.is_empty() {
        let tolerations: Vec<Value> = options
            .toleration_keys
            .iter()
            .map(|key| json!({ "key": key, "operator": "Exists" }))
            .collect();
        pod_spec["tolerations"] = json!(tolerations);
    }

    // The source controller keeps artifacts on a node-local volume: two pods must not race.
    let strategy = if component == Component::Source {
        json!({ "type": "Recreate" })
    } else {
        json!({ "type": "RollingUpdate" })
    };
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(options, name, Some(component)),
        "spec": {
            "replicas": 1,
            "strategy": strategy,
            "selector": { "matchLabels": { "app": name } },
            "template": {
                "metadata": {
                    "labels": pod_labels,
                    "annotations": {
                        "prometheus.io/port": METRICS_PORT.to_string(),
                        "prometheus.io/scrape": "true",
                    },
                },
                "spec": pod_spec,
            },
        },
    })
}

fn port(name: &str, number: u16) -> Value {
    json!({ "name": name, "containerPort": number, "protocol": "TCP" })
}
