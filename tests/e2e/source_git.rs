//! The source controller, run as a local process against the rig, reconciling GitRepositories
//! from real Git servers (crates/testenv::git).

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Namespace, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde_json::json;
use testenv::git::{GitServers, GpgKey, HttpOptions, Repo, SshKeyPair, SshKeyType};
use tk::api::source::GitRepository;

use crate::support::{client, rig, with_crds};

/// One namespace, one Git server set and one source controller watching only that namespace.
struct Harness {
    events: EventSink,
    client: kube::Client,
    ns: String,
    servers: GitServers,
    controller: Child,
    storage: tempfile::TempDir,
    _crds: tokio::sync::RwLockReadGuard<'static, ()>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = self.controller.kill();
        let _ = self.controller.wait();
    }
}

impl Harness {
    async fn start(prefix: &str) -> Harness {
        let client = client(rig().kubeconfig_path()).await;
        let crds = with_crds(&client).await;
        let ns = testenv::unique_name(prefix);
        let namespaces: Api<Namespace> = Api::all(client.clone());
        let namespace = Namespace {
            metadata: ObjectMeta {
                name: Some(ns.clone()),
                ..Default::default()
            },
            ..Default::default()
        };
        namespaces
            .create(&PostParams::default(), &namespace)
            .await
            .unwrap();
        let servers = GitServers::start().expect("git servers start");
        let storage = tempfile::tempdir().unwrap();
        let events = EventSink::start();
        let controller = Command::new(env!("CARGO_BIN_EXE_tk"))
            .args([
                "controller",
                "source",
                "--watch-all-namespaces=false",
                "-n",
                &ns,
            ])
            .arg(format!("--events-addr={}", events.url))
            .args([
                "--metrics-addr",
                "0",
                "--health-addr",
                "0",
                "--storage-addr",
                "127.0.0.1:0",
            ])
            .arg("--storage-path")
            .arg(storage.path())
            .arg("--kubeconfig")
            .arg(rig().kubeconfig_path())
            .env_remove("KUBECONFIG")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the controller starts");
        Harness {
            events,
            client,
            ns,
            servers,
            controller,
            storage,
            _crds: crds,
        }
    }

    fn repos(&self) -> Api<GitRepository> {
        Api::namespaced(self.client.clone(), &self.ns)
    }

    async fn create_secret(&self, name: &str, data: &[(&str, &str)]) {
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

    async fn apply_repo(&self, name: &str, spec: serde_json::Value) {
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
    async fn request_reconcile(&self, name: &str) -> String {
        let at = k8s_openapi::jiff::Timestamp::now().to_string();
        let patch =
            json!({ "metadata": { "annotations": { "reconcile.fluxcd.io/requestedAt": at } } });
        self.repos()
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .unwrap();
        at
    }

    /// Waits until `check` holds for the object, failing with its last status.
    async fn wait_for(
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

    async fn wait_ready(&self, name: &str, revision: &str) -> GitRepository {
        self.wait_for(name, &format!("Ready at {revision}"), |r| {
            condition(r, "Ready").is_some_and(|(s, _, _)| s == "True")
                && r.status
                    .as_ref()
                    .and_then(|s| s.artifact.as_ref())
                    .is_some_and(|a| a.revision == revision)
        })
        .await
    }

    fn upload_pack_posts(&self) -> usize {
        let log = std::fs::read_to_string(self.servers.http().log_path()).unwrap_or_default();
        log.lines()
            .filter(|l| l.starts_with("POST") && l.contains("git-upload-pack"))
            .count()
    }
}

/// A stand-in for the notification controller's event endpoint: a real HTTP listener that
/// keeps every JSON body POSTed to it and answers 202 as Flux's does.
struct EventSink {
    url: String,
    received: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
}

impl EventSink {
    fn start() -> EventSink {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream);
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_ok()
                    && let Ok(value) = serde_json::from_slice(&body)
                {
                    sink.lock().unwrap().push(value);
                }
                let _ = reader.get_mut().write_all(
                    b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            }
        });
        EventSink { url, received }
    }

    fn events(&self) -> Vec<serde_json::Value> {
        self.received.lock().unwrap().clone()
    }
}

/// (status, reason, message) of a condition.
fn condition(repo: &GitRepository, type_: &str) -> Option<(String, String, String)> {
    let conditions = repo.status.as_ref()?.conditions.as_ref()?;
    let c = conditions.iter().find(|c| c.type_ == type_)?;
    Some((c.status.clone(), c.reason.clone(), c.message.clone()))
}

fn sample_repo(servers: &GitServers, name: &str) -> (Repo, String) {
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
fn download(url: &str, digest: &str) -> Vec<String> {
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

#[tokio::test(flavor = "multi_thread")]
async fn branch_over_http_produces_and_serves_an_artifact() {
    let h = Harness::start("src-http").await;
    let (repo, sha) = sample_repo(&h.servers, "podinfo");
    h.apply_repo("podinfo", json!({ "url": h.servers.http().url("podinfo"), "interval": "10m", "ref": { "branch": "main" } }))
        .await;
    let ready = h.wait_ready("podinfo", &format!("main@sha1:{sha}")).await;
    let (_, reason, message) = condition(&ready, "Ready").unwrap();
    assert_eq!(reason, "Succeeded");
    assert_eq!(
        message,
        format!("stored artifact for revision 'main@sha1:{sha}'")
    );
    let status = ready.status.clone().unwrap();
    let artifact = status.artifact.unwrap();
    assert_eq!(
        artifact.path,
        format!("gitrepository/{}/podinfo/{sha}.tar.gz", h.ns)
    );
    assert!(condition(&ready, "ArtifactInStorage").is_some_and(|(s, _, _)| s == "True"));
    assert_eq!(status.observed_generation, ready.metadata.generation);
    let files = download(&artifact.url, &artifact.digest);
    assert_eq!(
        files,
        [".sourceignore", "deploy/app.yaml", "logo.png"],
        "ignore rules"
    );
    assert!(
        ready
            .metadata
            .finalizers
            .unwrap_or_default()
            .contains(&"finalizers.fluxcd.io".to_string())
    );

    // The NewArtifact event reached the events address in Flux's shape.
    let deadline = Instant::now() + Duration::from_secs(10);
    let event = loop {
        let found = h
            .events
            .events()
            .into_iter()
            .find(|e| e["reason"] == "NewArtifact");
        if let Some(event) = found {
            break event;
        }
        assert!(
            Instant::now() < deadline,
            "no NewArtifact event was POSTed: {:?}",
            h.events.events()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(event["involvedObject"]["name"], "podinfo");
    assert_eq!(event["severity"], "info");
    assert_eq!(event["reportingController"], "source-controller");
    assert_eq!(
        event["message"],
        "stored artifact for commit 'Add the app manifests'"
    );
    assert_eq!(
        event["metadata"]["source.toolkit.fluxcd.io/revision"],
        format!("main@sha1:{sha}")
    );

    // The no-op path: a requested reconcile with an unchanged remote fetches nothing.
    let posts = h.upload_pack_posts();
    let at = h.request_reconcile("podinfo").await;
    let handled = h
        .wait_for("podinfo", "the reconcile request to be handled", |r| {
            r.status
                .as_ref()
                .and_then(|s| s.last_handled_reconcile_at.as_deref())
                == Some(at.as_str())
        })
        .await;
    assert_eq!(
        h.upload_pack_posts(),
        posts,
        "a no-op reconcile must not fetch"
    );
    assert_eq!(
        handled.status.unwrap().artifact.unwrap(),
        artifact,
        "the artifact is unchanged"
    );

    // A push produces a new artifact and revision.
    let next = repo
        .commit(
            "Scale the app",
            &[("deploy/app.yaml", "kind: ConfigMap\n# 2\n")],
        )
        .unwrap();
    repo.push().unwrap();
    h.request_reconcile("podinfo").await;
    let ready = h.wait_ready("podinfo", &format!("main@sha1:{next}")).await;
    assert!(h.upload_pack_posts() > posts);
    assert_ne!(
        ready.status.unwrap().artifact.unwrap().digest,
        artifact.digest
    );

    // Deleting the object removes its artifacts through the finalizer.
    h.repos()
        .delete("podinfo", &DeleteParams::default())
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while h.repos().get_opt("podinfo").await.unwrap().is_some() {
        assert!(
            Instant::now() < deadline,
            "the GitRepository is stuck terminating"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let dir = h
        .storage
        .path()
        .join("gitrepository")
        .join(&h.ns)
        .join("podinfo");
    assert!(!dir.exists(), "artifacts left behind in {}", dir.display());
}

#[tokio::test(flavor = "multi_thread")]
async fn ssh_with_known_hosts_and_a_wrong_host_key() {
    let h = Harness::start("src-ssh").await;
    let (_repo, sha) = sample_repo(&h.servers, "app");
    let key = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    h.servers.ssh().add_authorized_key(&key.public_key).unwrap();
    let known_hosts = h.servers.ssh().known_hosts();
    h.create_secret(
        "ssh",
        &[
            ("identity", &key.private_key),
            ("identity.pub", &key.public_key),
            ("known_hosts", &known_hosts),
        ],
    )
    .await;
    h.apply_repo("app", json!({ "url": h.servers.ssh().url("app"), "interval": "10m", "ref": { "branch": "main" }, "secretRef": { "name": "ssh" } }))
        .await;
    h.wait_ready("app", &format!("main@sha1:{sha}")).await;

    // Another server's key in known_hosts: refused, named in the condition, last artifact kept.
    let other = GitServers::start().unwrap();
    let wrong = other.ssh().known_hosts().replace(
        &other.ssh().port().to_string(),
        &h.servers.ssh().port().to_string(),
    );
    h.create_secret(
        "ssh",
        &[
            ("identity", &key.private_key),
            ("identity.pub", &key.public_key),
            ("known_hosts", &wrong),
        ],
    )
    .await;
    h.request_reconcile("app").await;
    let failed = h
        .wait_for("app", "FetchFailed", |r| {
            condition(r, "FetchFailed").is_some_and(|(s, _, _)| s == "True")
        })
        .await;
    let (_, reason, message) = condition(&failed, "FetchFailed").unwrap();
    assert_eq!(reason, "AuthenticationFailed", "{message}");
    assert!(message.contains("host key"), "{message}");
    assert!(
        !message.contains("PRIVATE KEY"),
        "secret material in the condition: {message}"
    );
    let (ready, _, _) = condition(&failed, "Ready").unwrap();
    assert_eq!(ready, "False");
    assert_eq!(
        failed.status.unwrap().artifact.unwrap().revision,
        format!("main@sha1:{sha}")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn basic_auth_failure_and_server_outage_keep_the_last_artifact() {
    let h = Harness::start("src-basic").await;
    let (_repo, sha) = sample_repo(&h.servers, "app");
    let http = h
        .servers
        .start_http(&HttpOptions {
            basic_auth: Some(("flux".into(), "s3cr3t-pw".into())),
            ..Default::default()
        })
        .unwrap();
    h.create_secret("basic", &[("username", "flux"), ("password", "s3cr3t-pw")])
        .await;
    h.apply_repo("app", json!({ "url": http.url("app"), "interval": "10m", "ref": { "branch": "main" }, "secretRef": { "name": "basic" } }))
        .await;
    let revision = format!("main@sha1:{sha}");
    h.wait_ready("app", &revision).await;

    h.create_secret("basic", &[("username", "flux"), ("password", "wrong-pw")])
        .await;
    h.request_reconcile("app").await;
    let failed = h
        .wait_for("app", "an authentication failure", |r| {
            condition(r, "FetchFailed")
                .is_some_and(|(s, reason, _)| s == "True" && reason == "AuthenticationFailed")
        })
        .await;
    let (_, _, message) = condition(&failed, "FetchFailed").unwrap();
    assert!(
        !message.contains("wrong-pw") && !message.contains("s3cr3t-pw"),
        "password leaked: {message}"
    );
    assert_eq!(
        failed
            .status
            .as_ref()
            .unwrap()
            .artifact
            .as_ref()
            .unwrap()
            .revision,
        revision
    );

    // The server goes down: GitOperationFailed, artifact kept; it comes back: Ready again.
    h.create_secret("basic", &[("username", "flux"), ("password", "s3cr3t-pw")])
        .await;
    http.stop();
    h.request_reconcile("app").await;
    let down = h
        .wait_for("app", "the outage to be reported", |r| {
            condition(r, "FetchFailed")
                .is_some_and(|(s, reason, _)| s == "True" && reason == "GitOperationFailed")
        })
        .await;
    assert_eq!(down.status.unwrap().artifact.unwrap().revision, revision);
    http.start().unwrap();
    let at = h.request_reconcile("app").await;
    let back = h
        .wait_for("app", "recovery", |r| {
            r.status
                .as_ref()
                .and_then(|s| s.last_handled_reconcile_at.as_deref())
                == Some(at.as_str())
                && condition(r, "Ready").is_some_and(|(s, _, _)| s == "True")
        })
        .await;
    assert!(condition(&back, "FetchFailed").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn verifies_signed_commits_and_refuses_unsigned_ones() {
    let h = Harness::start("src-pgp").await;
    let repo = h.servers.create_repo("signed").unwrap();
    let gpg = GpgKey::generate().unwrap();
    let sha = repo
        .signed_commit("Signed release", &[("app.yaml", "kind: ConfigMap\n")], &gpg)
        .unwrap();
    repo.push().unwrap();
    h.create_secret("pgp", &[("author.asc", gpg.public_key_armored())])
        .await;
    h.apply_repo(
        "signed",
        json!({
            "url": h.servers.http().url("signed"),
            "interval": "10m",
            "ref": { "branch": "main" },
            "verify": { "mode": "HEAD", "secretRef": { "name": "pgp" } },
        }),
    )
    .await;
    let ready = h.wait_ready("signed", &format!("main@sha1:{sha}")).await;
    let (status, _, message) = condition(&ready, "SourceVerified").unwrap();
    assert_eq!(status, "True");
    assert!(
        message.contains(&sha) && message.contains(gpg.key_id()),
        "{message}"
    );

    let unsigned = repo
        .commit("Unsigned change", &[("app.yaml", "kind: ConfigMap\n# x\n")])
        .unwrap();
    repo.push().unwrap();
    h.request_reconcile("signed").await;
    let refused = h
        .wait_for("signed", "SourceVerified=False", |r| {
            condition(r, "SourceVerified").is_some_and(|(s, _, _)| s == "False")
        })
        .await;
    let (_, reason, message) = condition(&refused, "SourceVerified").unwrap();
    assert_eq!(reason, "VerificationError");
    assert!(
        message.contains(&unsigned),
        "the condition names the commit: {message}"
    );
    assert_eq!(
        refused.status.unwrap().artifact.unwrap().revision,
        format!("main@sha1:{sha}")
    );
}
