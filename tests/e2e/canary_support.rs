//! A harness for canary flows: one namespace, a real Prometheus scraping an exporter that
//! plays the app's request metrics, a webhook receiver, and `tk controller canary` watching
//! only that namespace.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Value, json};
use testenv::exporter::Exporter;
use testenv::hooks::HookServer;
use testenv::prometheus::{Prometheus, PrometheusOptions};
use tk::api::flagger::{Canary, CanaryPhase};

use crate::support::{client, controller_command, create_namespace, rig, with_flagger_crds};

pub struct CanaryHarness {
    pub client: kube::Client,
    pub ns: String,
    pub exporter: Exporter,
    pub prometheus: Prometheus,
    pub hooks: HookServer,
    controller: Option<Child>,
    extra_args: Vec<String>,
    storage: tempfile::TempDir,
    _crds: tokio::sync::RwLockReadGuard<'static, ()>,
}

impl Drop for CanaryHarness {
    fn drop(&mut self) {
        self.stop_controller();
    }
}

impl CanaryHarness {
    pub async fn start(prefix: &str, extra_args: &[&str]) -> CanaryHarness {
        let client = client(rig().kubeconfig_path()).await;
        let crds = with_flagger_crds(&client).await;
        let ns = create_namespace(&client, prefix).await;
        let exporter = Exporter::start().expect("the exporter starts");
        let prometheus = Prometheus::start(&PrometheusOptions {
            targets: vec![exporter.host_port()],
            ..Default::default()
        })
        .expect("prometheus starts");
        let mut h = CanaryHarness {
            client,
            ns,
            exporter,
            prometheus,
            hooks: HookServer::start().expect("the hook server starts"),
            controller: None,
            extra_args: extra_args.iter().map(|a| a.to_string()).collect(),
            storage: tempfile::tempdir().unwrap(),
            _crds: crds,
        };
        h.start_controller();
        h
    }

    pub fn start_controller(&mut self) {
        let child = controller_command("canary", &self.ns, self.storage.path())
            .arg(format!("--metrics-server={}", self.prometheus.url()))
            .arg("--min-analysis-interval=1s")
            .args(&self.extra_args)
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the controller starts");
        self.controller = Some(child);
    }

    pub fn stop_controller(&mut self) {
        if let Some(mut child) = self.controller.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn canaries(&self) -> Api<Canary> {
        Api::namespaced(self.client.clone(), &self.ns)
    }

    pub fn deployments(&self) -> Api<Deployment> {
        Api::namespaced(self.client.clone(), &self.ns)
    }

    /// Server-side applies `obj` (any kind) in the namespace.
    pub async fn apply(&self, obj: Value) {
        let api_version = obj["apiVersion"].as_str().unwrap();
        let kind = obj["kind"].as_str().unwrap();
        let name = obj["metadata"]["name"].as_str().unwrap();
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let gvk = kube::api::GroupVersionKind::gvk(group, version, kind);
        let (resource, _) = kube::discovery::pinned_kind(&self.client, &gvk)
            .await
            .unwrap_or_else(|e| panic!("discovering {kind}: {e}"));
        let api: Api<kube::api::DynamicObject> =
            Api::namespaced_with(self.client.clone(), &self.ns, &resource);
        api.patch(
            name,
            &PatchParams::apply("tk-e2e").force(),
            &Patch::Apply(&obj),
        )
        .await
        .unwrap_or_else(|e| panic!("applying {kind} {name}: {e}"));
    }

    /// A Deployment `name` (label `app: name`) running `image`.
    pub async fn deployment(&self, name: &str, image: &str, extra_env: &[(&str, &str)]) {
        let env: Vec<Value> = extra_env
            .iter()
            .map(|(k, v)| json!({ "name": k, "value": v }))
            .collect();
        self.apply(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": { "name": name },
            "spec": {
                "selector": { "matchLabels": { "app": name } },
                "template": {
                    "metadata": { "labels": { "app": name } },
                    "spec": { "containers": [{
                        "name": "app", "image": image, "env": env,
                        "ports": [{ "name": "http", "containerPort": 9898 }],
                    }] },
                },
            },
        }))
        .await;
    }

    /// The app's request metrics as Flagger's HTTP observer (provider kubernetes) reads
    /// them: `per_second` requests to pods of `workload`, `failing` of them answered 500.
    pub fn play_http_traffic(&self, workload: &str, per_second: f64, failing: f64) {
        let pod = format!("{workload}-5d8f7c9b4-x2x4z");
        for (status, rate) in [("200", per_second - failing), ("500", failing)] {
            self.exporter.histogram(
                "http_request_duration_seconds",
                &[
                    ("kubernetes_namespace", &self.ns),
                    ("kubernetes_pod_name", &pod),
                    ("status", status),
                ],
                rate,
                0.05,
            );
        }
    }

    /// Waits until the Canary satisfies `done`; the panic shows its last status.
    pub async fn wait_canary(
        &self,
        name: &str,
        timeout: Duration,
        what: &str,
        done: impl Fn(&Canary) -> bool,
    ) -> Canary {
        let deadline = Instant::now() + timeout;
        loop {
            let canary = self.canaries().get_opt(name).await.unwrap();
            if let Some(c) = canary.as_ref()
                && done(c)
            {
                return c.clone();
            }
            assert!(
                Instant::now() < deadline,
                "canary {name}: not {what} within {timeout:?}; status: {}",
                serde_json::to_string_pretty(&canary.and_then(|c| c.status)).unwrap()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub async fn wait_phase(&self, name: &str, phase: CanaryPhase, timeout: Duration) -> Canary {
        self.wait_canary(name, timeout, phase.as_str(), |c| phase_of(c) == phase)
            .await
    }

    /// The image of the first container of Deployment `name`.
    pub async fn image(&self, name: &str) -> String {
        let d = self.deployments().get(name).await.unwrap();
        d.spec.unwrap().template.spec.unwrap().containers[0]
            .image
            .clone()
            .unwrap_or_default()
    }

    pub async fn replicas(&self, name: &str) -> i32 {
        let d = self.deployments().get(name).await.unwrap();
        d.spec.unwrap().replicas.unwrap_or(1)
    }

    /// The messages of the Canary's events, oldest first.
    pub async fn events(&self, name: &str) -> Vec<String> {
        let api: Api<k8s_openapi::api::core::v1::Event> =
            Api::namespaced(self.client.clone(), &self.ns);
        let mut events: Vec<_> = api
            .list(&Default::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| e.involved_object.name.as_deref() == Some(name))
            .collect();
        events.sort_by_key(|e| e.metadata.creation_timestamp.clone().map(|t| t.0));
        events.into_iter().filter_map(|e| e.message).collect()
    }
}

pub fn phase_of(canary: &Canary) -> CanaryPhase {
    canary
        .status
        .as_ref()
        .and_then(|s| s.phase)
        .unwrap_or(CanaryPhase::Unset)
}

pub fn condition_message(canary: &Canary) -> String {
    canary
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.r#type == "Promoted"))
        .and_then(|c| c.message.clone())
        .unwrap_or_default()
}
