//! The GitRepository CLI against the rig: create, get, suspend/resume, reconcile, export and
//! delete on a real apiserver. No source controller runs here: each test plays the
//! controller by patching the status subresource the way the source controller writes it,
//! so the CLI's waits are exercised against real conditions.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, PostParams};
use serde_json::{Value, json};

use crate::played::Played;
use crate::support::{
    assert_all_namespaces_row, client, create_namespace, flux_testdata, output_text, rig, setup,
    tk, tk_async, tk_ok,
};

const REVISION: &str = "main@sha1:696f056df216eea4f9401adbee0ff744d4df390f";

const GIT: Played = Played {
    group: "source.toolkit.fluxcd.io",
    version: "v1",
    kind: "GitRepository",
    plural: "gitrepositories",
    manager: "tk-e2e-sources",
};

/// Creates the objects of a flux fixture file (templated with the namespace), status
/// included: spec through the main resource, status through the subresource.
async fn load_fixture(client: &kube::Client, ns: &str, file: &str) {
    let text = flux_testdata(file).replace("{{ .fluxns }}", ns);
    for doc in serde_saphyr::from_multiple::<Value>(&text).unwrap() {
        if doc["kind"] != "GitRepository" {
            continue;
        }
        let name = doc["metadata"]["name"].as_str().unwrap().to_string();
        let mut object = doc.clone();
        object.as_object_mut().unwrap().remove("status");
        GIT.apply(client, ns, &object).await;
        GIT.set_status(client, ns, &name, doc["status"].clone())
            .await;
    }
}

fn ready_status(generation: i64, message: &str, status: &str) -> Value {
    json!({
        "observedGeneration": generation,
        "artifact": {
            "digest": "sha256:1234567890abcdef", "lastUpdateTime": "2021-08-01T04:28:42Z",
            "path": "example", "revision": REVISION, "url": "http://example/artifact.tar.gz"
        },
        "conditions": [{
            "type": "Ready", "status": status, "reason": "Succeeded", "message": message,
            "lastTransitionTime": "2021-07-20T00:48:16Z", "observedGeneration": generation
        }]
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn create_source_git_stores_credentials_and_waits_for_ready() {
    let client = client(rig().kubeconfig_path()).await;
    let (_crds, ns) = setup(&client, "src-create").await;

    let sim = GIT.play(&client, &ns, "podinfo", |generation| {
        ready_status(generation, "Fetched revision: test", "True")
    });
    let out = tk_async(format!(
        "create source git podinfo --url https://example.com/org/podinfo --branch main \
         --username user --password secret --label team=web -n {ns} --timeout 60s"
    ))
    .await;
    sim.abort();
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    for line in [
        "✚ generating GitRepository source",
        "► applying secret with repository credentials",
        "✔ authentication configured",
        "► applying GitRepository source",
        "✔ GitRepository source created",
        "◎ waiting for GitRepository source reconciliation",
        "✔ GitRepository source reconciliation completed",
        &format!("✔ fetched revision: {REVISION}"),
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    let repo = GIT.api(&client, &ns).get("podinfo").await.unwrap();
    assert_eq!(repo.data["spec"]["url"], "https://example.com/org/podinfo");
    assert_eq!(repo.data["spec"]["ref"], json!({ "branch": "main" }));
    assert_eq!(repo.data["spec"]["interval"], "1m0s");
    assert_eq!(repo.data["spec"]["secretRef"], json!({ "name": "podinfo" }));
    assert_eq!(repo.metadata.labels.unwrap()["team"], "web");
    let secret = Api::<Secret>::namespaced(client.clone(), &ns)
        .get("podinfo")
        .await
        .unwrap();
    let data = secret.data.unwrap();
    assert_eq!(data["username"].0, b"user");
    assert_eq!(data["password"].0, b"secret");

    // Creating again updates in place.
    let sim = GIT.play(&client, &ns, "podinfo", |generation| {
        ready_status(generation, "Fetched revision: test", "True")
    });
    let out = tk_async(format!(
        "create source git podinfo --url https://example.com/org/podinfo --tag v1 -n {ns} --timeout 60s"
    ))
    .await;
    sim.abort();
    assert!(out.status.success(), "{}", output_text(&out));
    assert!(output_text(&out).contains("✔ GitRepository source updated"));
    let repo = GIT.api(&client, &ns).get("podinfo").await.unwrap();
    assert_eq!(repo.data["spec"]["ref"], json!({ "tag": "v1" }));
}

#[tokio::test(flavor = "multi_thread")]
async fn create_source_git_fails_with_the_ready_message() {
    let client = client(rig().kubeconfig_path()).await;
    let (_crds, ns) = setup(&client, "src-fail").await;
    let sim = GIT.play(&client, &ns, "broken", |generation| {
        ready_status(generation, "Fetched revision: test", "False")
    });
    let out = tk_async(format!(
        "create source git broken --url https://example.com/org/broken --branch main -n {ns} --timeout 60s"
    ))
    .await;
    sim.abort();
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "✗ GitRepository {ns}/broken is not ready: Fetched revision: test"
        )),
        "{text}"
    );

    // Without a controller the wait ends at --timeout with a clear message.
    let out = tk_async(format!(
        "create source git idle --url https://example.com/org/idle --branch main -n {ns} --timeout 2s"
    ))
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        output_text(&out).contains("timed out waiting for GitRepository"),
        "{}",
        output_text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn get_sources_git_prints_flux_tables() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "src-get").await;
    load_fixture(&client, &ns, "get/objects.yaml").await;

    let out = tk(kubeconfig, &["get", "sources", "git", "-n", &ns]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        flux_testdata("get/get.golden")
    );

    let out = tk(
        kubeconfig,
        &[
            "get",
            "sources",
            "git",
            "-n",
            &ns,
            "-l",
            "sharding.fluxcd.io/key=shard1",
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        flux_testdata("get/get_label_one.golden")
    );

    let out = tk(
        kubeconfig,
        &[
            "get",
            "sources",
            "git",
            "podinfo-shard2",
            "-n",
            &ns,
            "--no-header",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.starts_with("podinfo-shard2\t"), "{text}");
    assert_eq!(text.lines().count(), 1);

    let out = tk(kubeconfig, &["get", "sources", "git", "-A"]);
    assert_all_namespaces_row(&String::from_utf8_lossy(&out.stdout), &ns, "podinfo-shard1");

    let out = tk(kubeconfig, &["get", "sources", "all", "-n", &ns]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.starts_with("NAME"), "{text}");
    assert!(text.contains("gitrepository/podinfo-shard1"), "{text}");
    assert!(text.ends_with("\t\n\n"), "{text:?}");

    let ns2 = create_namespace(&client, "src-status").await;
    load_fixture(&client, &ns2, "get/status_objects.yaml").await;
    let out = tk(
        kubeconfig,
        &[
            "get",
            "sources",
            "git",
            "-n",
            &ns2,
            "--status-selector",
            "ready=false",
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        flux_testdata("get/get_status_ready_false.golden")
    );

    let empty = create_namespace(&client, "src-empty").await;
    let out = tk(kubeconfig, &["get", "sources", "git", "-n", &empty]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!(
        "✗ no GitRepository objects found in \"{empty}\" namespace"
    )));
}

#[tokio::test(flavor = "multi_thread")]
async fn get_sources_git_watch_prints_changes() {
    let client = client(rig().kubeconfig_path()).await;
    let (_crds, ns) = setup(&client, "src-watch").await;
    load_fixture(&client, &ns, "get/status_objects.yaml").await;
    let watch = tk_async(format!("get sources git -n {ns} --watch --timeout 8s"));
    let patcher = {
        let client = client.clone();
        let ns = ns.clone();
        async move {
            tokio::time::sleep(Duration::from_secs(3)).await;
            let generation = GIT
                .api(&client, &ns)
                .get("gr-unknown")
                .await
                .unwrap()
                .metadata
                .generation
                .unwrap();
            GIT.set_status(
                &client,
                &ns,
                "gr-unknown",
                ready_status(generation, "now ready", "True"),
            )
            .await;
        }
    };
    let (out, ()) = tokio::join!(watch, patcher);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("NAME"), "{text}");
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("NAME")).count(),
        1,
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("gr-unknown") && l.contains("reconciliation in progress")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("gr-unknown") && l.contains("now ready")),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn suspend_resume_and_reconcile_drive_the_controller() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "src-suspend").await;
    load_fixture(&client, &ns, "get/objects.yaml").await;

    let text = tk_ok(
        kubeconfig,
        &["suspend", "source", "git", "podinfo", "-n", &ns],
    );
    assert!(
        text.contains(&format!(
            "► suspending GitRepository podinfo in {ns} namespace"
        )),
        "{text}"
    );
    assert!(text.contains("✔ GitRepository suspended"), "{text}");
    let repo = GIT.api(&client, &ns).get("podinfo").await.unwrap();
    assert_eq!(repo.data["spec"]["suspend"], true);
    let table = tk_ok(kubeconfig, &["get", "sources", "git", "podinfo", "-n", &ns]);
    assert!(table.contains("\tTrue     \t"), "{table}");

    let out = tk(
        kubeconfig,
        &["reconcile", "source", "git", "podinfo", "-n", &ns],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(output_text(&out).contains("is suspended: run `tk resume source git podinfo`"));

    let sim = GIT.play(&client, &ns, "podinfo", |generation| {
        ready_status(generation, "Fetched revision: test", "True")
    });
    let out = tk_async(format!("resume source git podinfo -n {ns} --timeout 60s")).await;
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("✔ GitRepository resumed"), "{text}");
    assert!(
        text.contains(&format!("✔ fetched revision {REVISION}")),
        "{text}"
    );
    let repo = GIT.api(&client, &ns).get("podinfo").await.unwrap();
    assert!(
        repo.data["spec"].get("suspend").is_none(),
        "{:?}",
        repo.data["spec"]
    );

    let out = tk_async(format!(
        "reconcile source git podinfo -n {ns} --timeout 60s"
    ))
    .await;
    sim.abort();
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("✔ GitRepository annotated"), "{text}");
    assert!(
        text.contains("✔ GitRepository reconciliation completed"),
        "{text}"
    );
    let repo = GIT.api(&client, &ns).get("podinfo").await.unwrap();
    let requested = repo.metadata.annotations.unwrap()["reconcile.fluxcd.io/requestedAt"].clone();
    assert_eq!(
        repo.data["status"]["lastHandledReconcileAt"],
        requested.as_str()
    );
    requested.parse::<k8s_openapi::jiff::Timestamp>().unwrap();

    tk_ok(
        kubeconfig,
        &["suspend", "source", "git", "--all", "-n", &ns],
    );
    for name in ["podinfo", "podinfo-shard1", "podinfo-shard2"] {
        let repo = GIT.api(&client, &ns).get(name).await.unwrap();
        assert_eq!(repo.data["spec"]["suspend"], true, "{name}");
    }
    let text = tk_ok(
        kubeconfig,
        &[
            "resume",
            "source",
            "git",
            "--all",
            "-n",
            &ns,
            "--wait=false",
        ],
    );
    assert_eq!(text.matches("✔ GitRepository resumed").count(), 3, "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn export_round_trips_and_matches_flux() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "src-export").await;
    let object = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": { "name": "flux-system", "namespace": ns },
        "spec": { "ref": { "branch": "main" }, "secretRef": { "name": "flux-system" },
                  "interval": "5m", "url": "ssh://git@github.com/example/repo" }
    });
    GIT.apply(&client, &ns, &object).await;
    GIT.set_status(&client, &ns, "flux-system", ready_status(1, "ok", "True"))
        .await;

    let out = tk(
        kubeconfig,
        &["export", "source", "git", "flux-system", "-n", &ns],
    );
    assert!(out.status.success());
    let exported = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        exported,
        flux_testdata("export/git-repo.yaml").replace("{{ .fluxns }}", &ns)
    );

    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    secrets
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({
                "metadata": { "name": "flux-system" },
                "stringData": { "identity": "key", "known_hosts": "github.com ssh-ed25519 AAAA" }
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let out = tk(
        kubeconfig,
        &[
            "export",
            "source",
            "git",
            "--all",
            "--with-credentials",
            "-n",
            &ns,
        ],
    );
    let with_credentials = String::from_utf8_lossy(&out.stdout).into_owned();
    let docs: Vec<Value> = serde_saphyr::from_multiple(&with_credentials).unwrap();
    assert_eq!(docs.len(), 2, "{with_credentials}");
    assert_eq!(docs[1]["kind"], "Secret");
    assert_eq!(docs[1]["data"]["identity"], "a2V5");
    assert_eq!(docs[1]["type"], "Opaque");
    assert!(docs[1]["metadata"].get("uid").is_none());

    // The export re-applies into another namespace with the same spec.
    let fresh = create_namespace(&client, "src-import").await;
    for doc in &docs {
        let mut doc = doc.clone();
        doc["metadata"]["namespace"] = json!(fresh);
        let kind = if doc["kind"] == "Secret" {
            GIT.secrets()
        } else {
            GIT
        };
        kind.apply(&client, &fresh, &doc).await;
    }
    let original = GIT.api(&client, &ns).get("flux-system").await.unwrap();
    let imported = GIT.api(&client, &fresh).get("flux-system").await.unwrap();
    let mut expected = original.data["spec"].clone();
    expected["interval"] = json!("5m0s");
    expected["timeout"] = json!("1m0s");
    assert_eq!(imported.data["spec"], expected);
    assert!(
        imported.data.get("status").is_none() || imported.data["status"].get("artifact").is_none()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_asks_or_needs_silent() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "src-delete").await;
    load_fixture(&client, &ns, "get/status_objects.yaml").await;

    let out = tk(
        kubeconfig,
        &["delete", "source", "git", "gr-ready", "-n", &ns],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        output_text(&out).contains(&format!(
            "refusing to delete GitRepository {ns}/gr-ready without confirmation: pass --silent"
        )),
        "{}",
        output_text(&out)
    );
    assert!(
        GIT.api(&client, &ns)
            .get_opt("gr-ready")
            .await
            .unwrap()
            .is_some()
    );

    let text = tk_ok(
        kubeconfig,
        &["delete", "source", "git", "gr-ready", "-n", &ns, "--silent"],
    );
    assert!(text.contains("✔ source deleted"), "{text}");
    assert!(
        GIT.api(&client, &ns)
            .get_opt("gr-ready")
            .await
            .unwrap()
            .is_none()
    );

    let out = tk(
        kubeconfig,
        &["delete", "source", "git", "gr-ready", "-n", &ns, "--silent"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(output_text(&out).contains("GitRepository gr-ready not found in namespace"));
}

/// sshd on a free loopback port with one host key of `key_type`; killed on drop.
struct Sshd {
    child: Child,
    port: u16,
    host_public_key: String,
    _dir: tempfile::TempDir,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn program(name: &str) -> PathBuf {
    ["/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!("{name} is not installed: install openssh-server (hack/setup.sh does)")
        })
}

fn start_sshd(key_type: &str) -> Sshd {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join(format!("host_{key_type}"));
    let status = Command::new(program("ssh-keygen"))
        .args(["-q", "-N", "", "-t", key_type, "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(status.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = dir.path().join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile none\nUsePAM no\nStrictModes no\n\
             AuthorizedKeysFile none\n",
            key.display()
        ),
    )
    .unwrap();
    // sshd refuses to start without its privilege separation directory.
    let _ = std::fs::create_dir_all("/run/sshd");
    let child = Command::new(program("sshd"))
        .args(["-D", "-e", "-f"])
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "sshd did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let host_public_key = public
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    Sshd {
        child,
        port,
        host_public_key,
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn create_secret_git_over_ssh_generates_keys_and_scans_the_host() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "src-ssh").await;

    for (host_key_type, algorithm, public_prefix) in [
        ("ed25519", "ed25519", "ssh-ed25519 "),
        ("ecdsa", "ecdsa", "ecdsa-sha2-nistp384 "),
        ("rsa", "rsa", "ssh-rsa "),
    ] {
        let sshd = start_sshd(host_key_type);
        let url = format!("ssh://git@127.0.0.1:{}/org/repo", sshd.port);
        let name = format!("ssh-{host_key_type}");
        let text = tk_ok(
            kubeconfig,
            &[
                "create",
                "secret",
                "git",
                &name,
                "--url",
                &url,
                "--ssh-key-algorithm",
                algorithm,
                "-n",
                &ns,
            ],
        );
        assert!(
            text.contains(&format!("✚ deploy key: {public_prefix}")),
            "{text}"
        );
        let secret = Api::<Secret>::namespaced(client.clone(), &ns)
            .get(&name)
            .await
            .unwrap();
        let data = secret.data.unwrap();
        let text = |k: &str| String::from_utf8(data[k].0.clone()).unwrap();
        assert!(text("identity").starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
        assert!(text("identity.pub").starts_with(public_prefix));
        assert_eq!(
            text("known_hosts"),
            format!("[127.0.0.1]:{} {}", sshd.port, sshd.host_public_key),
            "host key type {host_key_type}"
        );
    }

    // --export prints the same structure; a GitRepository made over SSH references it.
    let sshd = start_sshd("ed25519");
    let url = format!("ssh://git@127.0.0.1:{}/org/repo", sshd.port);
    let out = tk(
        kubeconfig,
        &[
            "create", "secret", "git", "exported", "--url", &url, "--export", "-n", &ns,
        ],
    );
    let yaml = String::from_utf8_lossy(&out.stdout).into_owned();
    let doc: Value = serde_saphyr::from_str(yaml.trim_start_matches("---\n")).unwrap();
    assert_eq!(doc["kind"], "Secret");
    let keys: Vec<&str> = doc["stringData"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["identity", "identity.pub", "known_hosts"]);
    assert!(
        yaml.contains("  identity: |\n    -----BEGIN OPENSSH PRIVATE KEY-----\n"),
        "{yaml}"
    );

    let sim = GIT.play(&client, &ns, "over-ssh", |generation| {
        ready_status(generation, "Fetched revision: test", "True")
    });
    let out = tk_async(format!(
        "create source git over-ssh --url {url} --branch main -n {ns} --timeout 60s"
    ))
    .await;
    sim.abort();
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("✔ collected public key from SSH server:"),
        "{text}"
    );
    assert!(
        text.contains("✚ deploy key: ecdsa-sha2-nistp384 "),
        "{text}"
    );
    let repo = GIT.api(&client, &ns).get("over-ssh").await.unwrap();
    assert_eq!(repo.data["spec"]["secretRef"]["name"], "over-ssh");
}
