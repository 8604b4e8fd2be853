//! A harness for source-controller flows: one namespace, real Git servers and a local
//! `tk controller source` process watching only that namespace.

use std::io::Read;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;
use testenv::git::{GitServers, Repo};
use tk::api::source::GitRepository;

use crate::support::{EventSink, client, controller_command, create_namespace, rig, with_crds};

/// One namespace, one Git server set and one source controller watching only that namespace.
pub struct Harness {
    pub events: EventSink,
    pub client: kube::Client,
    pub ns: String,
    pub servers: GitServers,
    controller: Child,
    pub storage: tempfile::TempDir,
    /// The controller's stderr, when [`HarnessOptions::capture_logs`] asked for it.
    log: Option<(tempfile::TempDir, std::path::PathBuf)>,
    options: HarnessOptions,
    _crds: tokio::sync::RwLockReadGuard<'static, ()>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.controller.kill();
        let _ = self.controller.wait();
    }
}

/// How [`Harness::start_with`] runs the controller.
#[derive(Debug, Default, Clone)]
pub struct HarnessOptions {
    /// Write the controller's stderr (its logs) to a file, read with
    /// [`Harness::controller_log`], instead of passing it to the test's stderr.
    pub capture_logs: bool,
    /// Extra `tk controller source` arguments, e.g. `--log-level=debug`.
    pub extra_args: Vec<String>,
    /// The controller to run instead of `source` (e.g. `all` for HelmRelease flows).
    pub controller: Option<&'static str>,
}

fn spawn_controller(
    ns: &str,
    storage: &std::path::Path,
    events: &EventSink,
    options: &HarnessOptions,
    log: &Option<(tempfile::TempDir, std::path::PathBuf)>,
) -> Child {
    let stderr = match log {
        Some((_, path)) => Stdio::from(
            std::fs::File::options()
                .create(true)
                .append(true)
                .open(path)
                .unwrap(),
        ),
        None => Stdio::inherit(),
    };
    controller_command(options.controller.unwrap_or("source"), ns, storage)
        .arg(format!("--events-addr={}", events.url()))
        .args(&options.extra_args)
        .stderr(stderr)
        .spawn()
        .expect("the controller starts")
}

impl Harness {
    pub async fn start(prefix: &str) -> Harness {
        Self::start_with(prefix, HarnessOptions::default()).await
    }

    pub async fn start_with(prefix: &str, options: HarnessOptions) -> Harness {
        let client = client(rig().kubeconfig_path()).await;
        let crds = with_crds(&client).await;
        let ns = create_namespace(&client, prefix).await;
        let servers = GitServers::start().expect("git servers start");
        let storage = tempfile::tempdir().unwrap();
        let events = EventSink::start();
        let log = options.capture_logs.then(|| {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("controller.log");
            (dir, path)
        });
        let controller = spawn_controller(&ns, storage.path(), &events, &options, &log);
        Harness {
            events,
            client,
            ns,
            servers,
            controller,
            storage,
            log,
            options,
            _crds: crds,
        }
    }

    /// Kills the controller at once (SIGKILL, as an OOM kill or a node loss would) and
    /// starts a new one with the same flags and storage.
    pub fn restart_controller(&mut self) {
        let _ = self.controller.kill();
        let _ = self.controller.wait();
        self.controller = spawn_controller(
            &self.ns,
            self.storage.path(),
            &self.events,
            &self.options,
            &self.log,
        );
    }

    /// What the controller wrote to stderr so far; panics unless started with
    /// [`HarnessOptions::capture_logs`].
    pub fn controller_log(&self) -> String {
        let (_, path) = self
            .log
            .as_ref()
            .expect("the harness was started without capture_logs");
        std::fs::read_to_string(path).unwrap()
    }

    /// Whether the controller process is still running (it has not crashed or exited).
    pub fn controller_running(&mut self) -> bool {
        matches!(self.controller.try_wait(), Ok(None))
    }

    pub fn repos(&self) -> Api<GitRepository> {
        Api::namespaced(self.client.clone(), &self.ns)
    }

    pub async fn create_secret(&self, name: &str, data: &[(&str, &str)]) {
        let secrets: Api<Secret> = Api::namespaced(self.client.clone(), &self.ns);
        let secret: Secret = serde_json::from_value(json!({
            "metadata": { "name": name },
            "stringData": data.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        }))
        .unwrap();
        secrets
            .patch(
                name,
                &PatchParams::apply("tk-e2e").force(),
                &Patch::Apply(&secret),
            )
            .await
            .unwrap();
    }

    pub async fn apply_repo(&self, name: &str, spec: serde_json::Value) {
        let repo = json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": { "name": name, "namespace": self.ns },
            "spec": spec,
        });
        self.repos()
            .patch(
                name,
                &PatchParams::apply("tk-e2e").force(),
                &Patch::Apply(&repo),
            )
            .await
            .unwrap();
    }

    /// Asks for an immediate reconcile, as `flux reconcile` does.
    pub async fn request_reconcile(&self, name: &str) -> String {
        self.request_reconcile_of::<GitRepository>(name).await
    }

    /// Asks for an immediate reconcile of any source kind in the namespace.
    pub async fn request_reconcile_of<K>(&self, name: &str) -> String
    where
        K: kube::Resource<DynamicType = (), Scope = kube::core::NamespaceResourceScope>
            + Clone
            + serde::de::DeserializeOwned
            + std::fmt::Debug,
    {
        let at = k8s_openapi::jiff::Timestamp::now().to_string();
        let patch =
            json!({ "metadata": { "annotations": { "reconcile.fluxcd.io/requestedAt": at } } });
        Api::<K>::namespaced(self.client.clone(), &self.ns)
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .unwrap();
        at
    }

    /// Waits until `check` holds for the object, failing with its last status.
    pub async fn wait_for(
        &self,
        name: &str,
        what: &str,
        check: impl Fn(&GitRepository) -> bool,
    ) -> GitRepository {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let repo = self.repos().get(name).await.unwrap();
            if check(&repo) {
                return repo;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; status: {}",
                serde_json::to_string_pretty(&repo.status).unwrap()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub async fn wait_ready(&self, name: &str, revision: &str) -> GitRepository {
        self.wait_for(name, &format!("Ready at {revision}"), |r| {
            condition(r, "Ready").is_some_and(|(s, _, _)| s == "True")
                && r.status
                    .as_ref()
                    .and_then(|s| s.artifact.as_ref())
                    .is_some_and(|a| a.revision == revision)
        })
        .await
    }

    /// Waits for Ready at `revision`; fails at once, with the condition, when the fetch or
    /// the verification fails instead.
    pub async fn wait_ready_or_fail(&self, name: &str, revision: &str) -> GitRepository {
        let done = self
            .wait_for(name, &format!("Ready at {revision} or a failure"), |r| {
                let ready = condition(r, "Ready").is_some_and(|(s, _, _)| s == "True")
                    && r.status
                        .as_ref()
                        .and_then(|s| s.artifact.as_ref())
                        .is_some_and(|a| a.revision == revision);
                ready
                    || condition(r, "FetchFailed").is_some_and(|(s, _, _)| s == "True")
                    || condition(r, "SourceVerified").is_some_and(|(s, _, _)| s == "False")
            })
            .await;
        for type_ in ["FetchFailed", "SourceVerified"] {
            if let Some((status, reason, message)) = condition(&done, type_) {
                assert!(
                    (type_ == "FetchFailed") != (status == "True"),
                    "{name}: expected Ready at '{revision}', got {type_}={status} ({reason}): {message}"
                );
            }
        }
        done
    }

    pub fn upload_pack_posts(&self) -> usize {
        let log = std::fs::read_to_string(self.servers.http().log_path()).unwrap_or_default();
        log.lines()
            .filter(|l| l.starts_with("POST") && l.contains("git-upload-pack"))
            .count()
    }
}

/// (status, reason, message) of a condition.
pub fn condition(repo: &GitRepository, type_: &str) -> Option<(String, String, String)> {
    let conditions = repo.status.as_ref()?.conditions.as_ref()?;
    let c = conditions.iter().find(|c| c.type_ == type_)?;
    Some((c.status.clone(), c.reason.clone(), c.message.clone()))
}

pub fn sample_repo(servers: &GitServers, name: &str) -> (Repo, String) {
    let repo = servers.create_repo(name).unwrap();
    let sha = repo
        .commit(
            "Add the app manifests",
            &[
                (
                    "deploy/app.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n",
                ),
                ("deploy/secret.txt", "left out by .sourceignore\n"),
                (".sourceignore", "deploy/secret.txt\n"),
                // Kept: Flux's extension defaults apply only when no ignore rules exist.
                ("logo.png", "not an image\n"),
            ],
        )
        .unwrap();
    repo.push().unwrap();
    (repo, sha)
}

/// Downloads an artifact from the controller's file server and lists its files.
pub fn download(url: &str, digest: &str) -> Vec<String> {
    let mut body = Vec::new();
    testenv::ureq::get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .into_body()
        .into_reader()
        .read_to_end(&mut body)
        .unwrap();
    let parsed: artifact::Digest = digest.parse().unwrap();
    parsed
        .verify(&body[..])
        .expect("the artifact matches its digest");
    let dest = tempfile::tempdir().unwrap();
    artifact::extract(&body[..], dest.path(), artifact::Limits::default()).unwrap();
    let mut files = Vec::new();
    let mut stack = vec![dest.path().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(
                    path.strip_prefix(dest.path())
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    files.sort();
    files
}
