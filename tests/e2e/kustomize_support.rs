//! A harness for kustomize-controller flows: one namespace, real Git servers and local
//! source and kustomize controllers watching only that namespace.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use kube::api::{Api, DeleteParams, Patch, PatchParams};
use serde_json::json;
use testenv::git::{GitServers, Repo};
use tk::api::kustomize::Kustomization;
use tk::api::source::GitRepository;

use crate::support::{EventSink, client, controller_command, create_namespace, rig, with_crds};

pub struct Harness {
    /// Events the controllers POSTed to `--events-addr`.
    pub events: EventSink,
    pub client: kube::Client,
    pub ns: String,
    pub servers: GitServers,
    controllers: Vec<Child>,
    _storage: tempfile::TempDir,
    _crds: tokio::sync::RwLockReadGuard<'static, ()>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        for controller in &mut self.controllers {
            let _ = controller.kill();
            let _ = controller.wait();
        }
    }
}

impl Harness {
    /// Source and kustomize controllers in one `tk controller all` process (artifacts are
    /// read from the shared store).
    pub async fn start(prefix: &str) -> Harness {
        Self::start_with(prefix, &["all"], &[]).await
    }

    /// Separate `tk controller source` and `tk controller kustomize` processes, as Flux's
    /// Deployments run them: artifacts travel over HTTP.
    pub async fn start_split(prefix: &str) -> Harness {
        Self::start_with(prefix, &["source", "kustomize"], &[]).await
    }

    /// `controllers` are the `tk controller` names to run, each with `extra_args`.
    pub async fn start_with(prefix: &str, controllers: &[&str], extra_args: &[&str]) -> Harness {
        let client = client(rig().kubeconfig_path()).await;
        let crds = with_crds(&client).await;
        let ns = create_namespace(&client, prefix).await;
        let servers = GitServers::start().expect("git servers start");
        let storage = tempfile::tempdir().unwrap();
        let events = EventSink::start();
        let controllers = controllers
            .iter()
            .map(|name| {
                controller_command(name, &ns, storage.path())
                    .arg("--requeue-dependency=3s")
                    .arg(format!("--events-addr={}", events.url()))
                    .args(extra_args)
                    .stderr(Stdio::inherit())
                    .spawn()
                    .expect("the controller starts")
            })
            .collect();
        Harness {
            events,
            client,
            ns,
            servers,
            controllers,
            _storage: storage,
            _crds: crds,
        }
    }

    pub fn kustomizations(&self) -> Api<Kustomization> {
        Api::namespaced(self.client.clone(), &self.ns)
    }

    pub fn repos(&self) -> Api<GitRepository> {
        Api::namespaced(self.client.clone(), &self.ns)
    }

    /// A GitRepository on `main` of `repo`, reconciled every 10m (so changes arrive only
    /// through [`Harness::request_source`]).
    pub async fn apply_repo(&self, name: &str, repo: &Repo) {
        let object = json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": { "name": name, "namespace": self.ns },
            "spec": {
                "url": self.servers.http().url(repo.name()),
                "interval": "10m",
                "ref": { "branch": "main" },
            },
        });
        self.repos()
            .patch(
                name,
                &PatchParams::apply("tk-e2e").force(),
                &Patch::Apply(&object),
            )
            .await
            .unwrap();
    }

    /// A repository `name` whose first commit (`message`) holds `files`, pushed and reconciled
    /// by a GitRepository of the same name ([`Harness::apply_repo`]); returns the repository
    /// and the commit.
    pub async fn serve_repo(
        &self,
        name: &str,
        message: &str,
        files: &[(&str, &str)],
    ) -> (Repo, String) {
        let repo = self.servers.create_repo(name).unwrap();
        let sha = repo.commit(message, files).unwrap();
        repo.push().unwrap();
        self.apply_repo(name, &repo).await;
        (repo, sha)
    }

    pub async fn apply_ks(&self, name: &str, spec: serde_json::Value) {
        let object = json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": { "name": name, "namespace": self.ns },
            "spec": spec,
        });
        self.kustomizations()
            .patch(
                name,
                &PatchParams::apply("tk-e2e").force(),
                &Patch::Apply(&object),
            )
            .await
            .unwrap();
    }

    pub async fn delete_ks(&self, name: &str) {
        self.kustomizations()
            .delete(name, &DeleteParams::default())
            .await
            .unwrap();
    }

    /// What `flux reconcile source git` (or a webhook receiver) does: only the source is
    /// asked; its Kustomizations must follow through the source watch.
    pub async fn request_source(&self, name: &str) {
        let at = k8s_openapi::jiff::Timestamp::now().to_string();
        let patch =
            json!({ "metadata": { "annotations": { "reconcile.fluxcd.io/requestedAt": at } } });
        self.repos()
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .unwrap();
    }

    /// What `flux reconcile kustomization` does; returns the requested time.
    pub async fn request_ks(&self, name: &str) -> String {
        let at = k8s_openapi::jiff::Timestamp::now().to_string();
        let patch =
            json!({ "metadata": { "annotations": { "reconcile.fluxcd.io/requestedAt": at } } });
        self.kustomizations()
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .unwrap();
        at
    }

    /// Applies any namespaced object of this namespace (`apiVersion`/`kind` in `object`).
    pub async fn apply_object(&self, object: serde_json::Value) {
        let mut object = object;
        object["metadata"]["namespace"] = json!(self.ns);
        let value: kube::api::DynamicObject = serde_json::from_value(object.clone()).unwrap();
        let types = value.types.clone().unwrap();
        let (group, version) = match types.api_version.rsplit_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), types.api_version.clone()),
        };
        let gvk = kube::api::GroupVersionKind::gvk(&group, &version, &types.kind);
        let (resource, _) = kube::discovery::pinned_kind(&self.client, &gvk)
            .await
            .unwrap();
        let api: Api<kube::api::DynamicObject> =
            Api::namespaced_with(self.client.clone(), &self.ns, &resource);
        let name = value.metadata.name.clone().unwrap();
        api.patch(
            &name,
            &PatchParams::apply("tk-e2e").force(),
            &Patch::Apply(&object),
        )
        .await
        .unwrap();
    }

    /// Waits until `check` holds for the Kustomization, failing with its last status.
    pub async fn wait_ks(
        &self,
        name: &str,
        what: &str,
        timeout: Duration,
        check: impl Fn(&Kustomization) -> bool,
    ) -> Kustomization {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(ks) = self.kustomizations().get_opt(name).await.unwrap()
                && check(&ks)
            {
                return ks;
            }
            if Instant::now() >= deadline {
                let last = self.kustomizations().get_opt(name).await.unwrap();
                panic!(
                    "timed out waiting for {name}: {what}; status: {}",
                    serde_json::to_string_pretty(&last.and_then(|k| k.status)).unwrap()
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Waits for Ready=True with `Applied revision: <revision>`.
    pub async fn wait_applied(
        &self,
        name: &str,
        revision: &str,
        timeout: Duration,
    ) -> Kustomization {
        self.wait_ks(
            name,
            &format!("Applied revision: {revision}"),
            timeout,
            |k| {
                condition(k, "Ready").is_some_and(|(s, _, m)| {
                    s == "True" && m == format!("Applied revision: {revision}")
                })
            },
        )
        .await
    }

    /// Waits until `check` holds for a namespaced object of this namespace (`None`: absent).
    pub async fn wait_object<K>(
        &self,
        name: &str,
        what: &str,
        check: impl Fn(Option<&K>) -> bool,
    ) -> Option<K>
    where
        K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
            + Clone
            + serde::de::DeserializeOwned
            + std::fmt::Debug,
    {
        let api: Api<K> = Api::namespaced(self.client.clone(), &self.ns);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let got = api.get_opt(name).await.unwrap();
            if check(got.as_ref()) {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {name}: {what}; last: {got:?}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// (status, reason, message) of a condition.
pub fn condition(ks: &Kustomization, type_: &str) -> Option<(String, String, String)> {
    let conditions = ks.status.as_ref()?.conditions.as_ref()?;
    let c = conditions.iter().find(|c| c.type_ == type_)?;
    Some((c.status.clone(), c.reason.clone(), c.message.clone()))
}

/// Inventory ids of the Kustomization, sorted.
pub fn inventory(ks: &Kustomization) -> Vec<(String, String)> {
    let mut ids: Vec<_> = ks
        .status
        .as_ref()
        .and_then(|s| s.inventory.as_ref())
        .map(|i| {
            i.entries
                .iter()
                .map(|e| (e.id.clone(), e.v.clone()))
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    ids
}

pub fn config_map(name: &str, extra_metadata: &str, data: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{extra_metadata}data:\n{data}"
    )
}

/// A Deployment of one replica; `node_selector` (e.g. `nodeSelector: {{no: node}}`) keeps
/// its Pod from ever being scheduled.
pub fn deployment(name: &str, pod_spec_extra: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
{pod_spec_extra}      containers:
      - name: web
        image: nginx:1.27
"
    )
}

pub fn service(name: &str) -> String {
    format!(
        "apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: {name}
  ports:
  - port: 80
"
    )
}
