//! `tk bootstrap git` end to end: a real Git server over SSH and over HTTPS with basic auth,
//! local source and kustomize controllers standing in for the in-cluster ones, and the
//! cluster then reconciling itself from the repository: a re-run that changes nothing, an
//! upgrade through Git, and an app delivered by a plain commit.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use serde_json::json;
use testenv::git::{
    GitServers, GpgKey, HttpOptions, Repo, SshKeyPair, SshKeyType, TlsOptions, git_command,
};
use tk::api::kustomize::Kustomization;
use tk::api::source::GitRepository;

use crate::support::{client, cluster_scoped_lock, controller_command, rig, tk};

/// One namespace bootstrapped from one repository, with local controllers for it.
pub(crate) struct Rig {
    pub client: kube::Client,
    pub ns: String,
    pub servers: Arc<GitServers>,
    pub dir: tempfile::TempDir,
    controllers: Vec<Child>,
    _lock: tokio::sync::RwLockWriteGuard<'static, ()>,
}

impl Drop for Rig {
    fn drop(&mut self) {
        self.stop_controllers();
    }
}

impl Rig {
    /// The CRDs are applied by the bootstrap itself, so the cluster-scoped lock is held
    /// exclusively.
    pub async fn start(prefix: &str) -> Rig {
        let lock = cluster_scoped_lock().await;
        let client = client(rig().kubeconfig_path()).await;
        let ns = testenv::unique_name(prefix);
        let servers = Arc::new(GitServers::start().expect("git servers start"));
        let dir = tempfile::tempdir().unwrap();
        let storage = dir.path().join("storage");
        std::fs::create_dir_all(&storage).unwrap();
        let controller = controller_command("all", &ns, &storage)
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the controllers start");
        Rig {
            client,
            ns,
            servers,
            dir,
            controllers: vec![controller],
            _lock: lock,
        }
    }

    fn stop_controllers(&mut self) {
        for controller in &mut self.controllers {
            let _ = controller.kill();
            let _ = controller.wait();
        }
        self.controllers.clear();
    }

    /// Stops the controllers first: the sync Kustomization prunes what it applied, CRDs
    /// included, so it must never be finalized while they run. Its finalizers are dropped
    /// and the namespace goes.
    pub async fn cleanup(mut self) {
        self.stop_controllers();
        let unfinalize = json!({ "metadata": { "finalizers": null } });
        let ks: Api<Kustomization> = Api::namespaced(self.client.clone(), &self.ns);
        let repos: Api<GitRepository> = Api::namespaced(self.client.clone(), &self.ns);
        for name in ks.list(&Default::default()).await.unwrap().items {
            let name = name.metadata.name.unwrap();
            ks.patch(&name, &PatchParams::default(), &Patch::Merge(&unfinalize))
                .await
                .unwrap();
        }
        for name in repos.list(&Default::default()).await.unwrap().items {
            let name = name.metadata.name.unwrap();
            repos
                .patch(&name, &PatchParams::default(), &Patch::Merge(&unfinalize))
                .await
                .unwrap();
        }
        let namespaces: Api<Namespace> = Api::all(self.client.clone());
        let _ = namespaces.delete(&self.ns, &DeleteParams::default()).await;
    }

    /// `tk ARGS -n NS` with `env` set; success and stdout+stderr.
    pub fn tk_env(&self, env: &[(&str, &str)], args: &[&str]) -> (bool, String) {
        let mut all = args.to_vec();
        all.extend(["-n", &self.ns]);
        let out = Command::new(env!("CARGO_BIN_EXE_tk"))
            .args(&all)
            .arg("--kubeconfig")
            .arg(rig().kubeconfig_path())
            .env_remove("KUBECONFIG")
            .env_remove("SSH_AUTH_SOCK")
            .envs(env.iter().copied())
            .output()
            .expect("tk runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        eprintln!("$ tk {}\n{text}", all.join(" "));
        (out.status.success(), text)
    }

    pub fn tk_ok(&self, args: &[&str]) -> String {
        self.tk_env_ok(&[], args)
    }

    pub fn tk_env_ok(&self, env: &[(&str, &str)], args: &[&str]) -> String {
        let (ok, text) = self.tk_env(env, args);
        assert!(ok, "tk {} failed:\n{text}", args.join(" "));
        text
    }

    /// Runs a bootstrap (`args` include `-n`) that generates the cluster's key and, as a
    /// user adding a deploy key would, lets sshd accept the key as soon as it is printed.
    /// Returns the key.
    pub fn bootstrap_granting_the_printed_key(
        &self,
        env: &[(&str, &str)],
        args: &[&str],
    ) -> String {
        use std::io::BufRead as _;
        let mut child = Command::new(env!("CARGO_BIN_EXE_tk"))
            .args(args)
            .arg("--kubeconfig")
            .arg(rig().kubeconfig_path())
            .env_remove("KUBECONFIG")
            .env_remove("SSH_AUTH_SOCK")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut printed = None;
        let mut output = String::new();
        for line in std::io::BufReader::new(child.stderr.take().unwrap()).lines() {
            let line = line.unwrap();
            if let Some(key) = line.strip_prefix("✔ public key: ") {
                self.servers.ssh().add_authorized_key(key).unwrap();
                printed = Some(key.to_string());
            }
            output.push_str(&line);
            output.push('\n');
        }
        eprintln!("$ tk {}\n{output}", args.join(" "));
        assert!(child.wait().unwrap().success(), "{output}");
        printed.unwrap_or_else(|| panic!("no public key printed:\n{output}"))
    }

    /// A key the SSH server lets push, written to a file.
    pub fn ssh_key(&self) -> String {
        let key = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
        self.servers
            .ssh()
            .add_authorized_key(&key.public_key)
            .unwrap();
        let path = self.dir.path().join("identity");
        key.write_private_key(&path).unwrap();
        path.display().to_string()
    }

    pub async fn secret(&self, name: &str) -> Secret {
        Api::<Secret>::namespaced(self.client.clone(), &self.ns)
            .get(name)
            .await
            .unwrap()
    }

    pub async fn deployment(&self, name: &str) -> Option<Deployment> {
        Api::<Deployment>::namespaced(self.client.clone(), &self.ns)
            .get_opt(name)
            .await
            .unwrap()
    }

    /// The GitRepository and the Kustomization both at `main@sha1:<sha>`.
    pub async fn assert_synced_at(&self, sha: &str) {
        let revision = format!("main@sha1:{sha}");
        let repo = Api::<GitRepository>::namespaced(self.client.clone(), &self.ns)
            .get(&self.ns)
            .await
            .unwrap();
        let artifact = repo.status.and_then(|s| s.artifact).unwrap();
        assert_eq!(artifact.revision, revision);
        let ks = Api::<Kustomization>::namespaced(self.client.clone(), &self.ns)
            .get(&self.ns)
            .await
            .unwrap();
        assert_eq!(
            ks.status.and_then(|s| s.last_applied_revision).as_deref(),
            Some(revision.as_str())
        );
    }
}

/// `git show rev:path` in a bare repository of the server.
pub(crate) fn show(bare: &Path, rev_path: &str) -> Option<String> {
    let out = git_command()
        .arg("--git-dir")
        .arg(bare)
        .args(["show", rev_path])
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8(out.stdout).unwrap())
}

/// The commit `rev` names in a bare repository of the server.
pub(crate) fn rev_parse(bare: &Path, rev: &str) -> String {
    let out = git_command()
        .arg("--git-dir")
        .arg(bare)
        .args(["rev-parse", "--verify", rev])
        .output()
        .unwrap();
    assert!(out.status.success(), "{rev} not in {}", bare.display());
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn commit_count(repo: &Repo) -> usize {
    let out = git_command()
        .arg("--git-dir")
        .arg(repo.bare_path())
        .args(["rev-list", "--count", "main"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn bootstrap_over_ssh_then_rerun_upgrade_and_deliver_an_app() {
    let rig = Rig::start("tk-boot-ssh").await;
    let repo = rig.servers.create_repo("fleet").unwrap();
    let url = rig.servers.ssh().url("fleet");
    let key = rig.ssh_key();
    let ns = rig.ns.clone();
    let base = [
        "bootstrap",
        "git",
        "--url",
        &url,
        "--private-key-file",
        &key,
        "--path",
        "clusters/dev",
        "--silent",
        "--timeout",
        "3m",
        "--verbose",
    ];

    // First run: the empty repository gets the manifests, the cluster gets tk and syncs.
    let out = rig.tk_ok(&base);
    assert!(out.contains("the repository is empty"), "{out}");
    assert!(out.contains("installed components"), "{out}");
    assert!(
        out.contains("Kustomization reconciled successfully"),
        "{out}"
    );
    assert!(out.contains("✔ bootstrap finished\n"), "{out}");
    assert!(out.contains("timings: checks "), "{out}");
    assert!(out.contains(", healthy "), "{out}");
    let head = repo.bare_rev_parse("refs/heads/main").unwrap();
    assert_eq!(commit_count(&repo), 2, "components, then sync");
    let dir = format!("clusters/dev/{ns}");
    let sync = show(repo.bare_path(), &format!("main:{dir}/gotk-sync.yaml")).unwrap();
    assert!(sync.contains(&format!("  url: {url}\n")), "{sync}");
    assert!(sync.contains("  path: ./clusters/dev\n"), "{sync}");
    assert!(
        sync.contains("    name: flux-system\n"),
        "secret name: {sync}"
    );
    let components = show(
        repo.bare_path(),
        &format!("main:{dir}/gotk-components.yaml"),
    )
    .unwrap();
    assert!(components.contains("kind: CustomResourceDefinition"));
    assert!(
        components.contains("# Components: source-controller,kustomize-controller,helm-controller,notification-controller\n"),
        "{}",
        &components[..300]
    );
    assert_eq!(
        show(repo.bare_path(), &format!("main:{dir}/kustomization.yaml")).unwrap(),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- gotk-components.yaml\n- gotk-sync.yaml\n"
    );
    rig.assert_synced_at(&head).await;
    let secret = rig.secret("flux-system").await;
    let data = secret.data.unwrap();
    assert_eq!(
        String::from_utf8(data["identity"].0.clone()).unwrap(),
        std::fs::read_to_string(&key).unwrap()
    );
    let known_hosts = String::from_utf8(data["known_hosts"].0.clone()).unwrap();
    assert!(
        known_hosts.starts_with(&format!("[127.0.0.1]:{} ", rig.servers.ssh().port())),
        "{known_hosts}"
    );

    // Same flags again: nothing is committed, applied or installed.
    let out = rig.tk_ok(&base);
    assert!(out.contains("component manifests are up to date"), "{out}");
    assert!(out.contains("sync manifests are up to date"), "{out}");
    assert!(
        out.contains("bootstrap finished: nothing changed, the cluster is in sync"),
        "{out}"
    );
    assert!(!out.contains("installing components"), "{out}");
    assert_eq!(repo.bare_rev_parse("refs/heads/main").unwrap(), head);

    // Other components and log level: a commit, and the cluster upgrades itself from Git
    // (helm-controller pruned, the others restarted with the new flag).
    assert!(rig.deployment("helm-controller").await.is_some());
    let mut upgrade = base.to_vec();
    upgrade.extend([
        "--components",
        "source-controller,kustomize-controller,notification-controller",
        "--log-level",
        "debug",
    ]);
    let out = rig.tk_ok(&upgrade);
    assert!(out.contains("committed component manifests"), "{out}");
    assert!(out.contains("upgrades arrive with the push"), "{out}");
    let upgraded = repo.bare_rev_parse("refs/heads/main").unwrap();
    assert_ne!(upgraded, head);
    assert_eq!(commit_count(&repo), 3, "only the components changed");
    rig.assert_synced_at(&upgraded).await;
    assert!(
        rig.deployment("helm-controller").await.is_none(),
        "pruned by the cluster's own Kustomization"
    );
    let kustomize = rig.deployment("kustomize-controller").await.unwrap();
    let args = kustomize.spec.unwrap().template.spec.unwrap().containers[0]
        .args
        .clone()
        .unwrap();
    assert!(args.contains(&"--log-level=debug".to_string()), "{args:?}");

    // A plain commit to the fleet repository: the cluster delivers it.
    repo.git(["pull", "--quiet", "--ff-only", "origin", "main"])
        .unwrap();
    let app = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\n  namespace: {ns}\ndata:\n  greeting: hello\n"
    );
    let app_sha = repo
        .commit("Add app", &[("clusters/dev/app.yaml", &app)])
        .unwrap();
    repo.push().unwrap();
    rig.tk_ok(&["reconcile", "kustomization", &ns, "--with-source"]);
    rig.assert_synced_at(&app_sha).await;
    let config: ConfigMap = Api::namespaced(rig.client.clone(), &ns)
        .get("app-config")
        .await
        .unwrap();
    assert_eq!(config.data.unwrap()["greeting"], "hello");

    rig.cleanup().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bootstrap_over_https_with_basic_auth_and_token_auth() {
    let rig = Rig::start("tk-boot-https").await;
    let http = rig
        .servers
        .start_http(&HttpOptions {
            basic_auth: Some(("git".into(), "pa55-w0rd".into())),
            tls: Some(TlsOptions::default()),
            ..Default::default()
        })
        .unwrap();
    let ca = rig.dir.path().join("ca.pem");
    std::fs::write(&ca, http.ca_pem().unwrap()).unwrap();
    let repo = rig.servers.create_repo("fleet").unwrap();
    repo.commit("init", &[("README.md", "fleet\n")]).unwrap();
    repo.push().unwrap();
    let url = http.url("fleet");
    assert!(url.starts_with("https://"), "{url}");
    let ns = rig.ns.clone();
    let ca_path = ca.display().to_string();
    let gpg = GpgKey::generate().unwrap();
    let keyring = rig.dir.path().join("keyring.asc");
    std::fs::write(
        &keyring,
        gpg.gpg(&["--armor", "--export-secret-keys", gpg.fingerprint()])
            .unwrap(),
    )
    .unwrap();
    let keyring = keyring.display().to_string();

    let out = rig.tk_ok(&[
        "bootstrap",
        "git",
        "--url",
        &url,
        "--username",
        "git",
        "--password",
        "pa55-w0rd",
        "--token-auth",
        "--ca-file",
        &ca_path,
        "--path",
        "clusters/https",
        "--components",
        "source-controller,kustomize-controller",
        "--gpg-key-ring",
        &keyring,
        "--gpg-key-id",
        gpg.key_id(),
        "--commit-message-appendix",
        "[ci skip]",
        "--author-email",
        "ops@example.com",
        "--timeout",
        "3m",
    ]);
    assert!(out.contains("cloned repository"), "{out}");
    let head = repo.bare_rev_parse("refs/heads/main").unwrap();
    assert_eq!(commit_count(&repo), 3, "init, components, sync");
    assert_eq!(
        show(repo.bare_path(), "main:README.md").as_deref(),
        Some("fleet\n")
    );
    rig.assert_synced_at(&head).await;
    let data = rig.secret("flux-system").await.data.unwrap();
    let text = |k: &str| String::from_utf8(data[k].0.clone()).unwrap();
    assert_eq!(text("username"), "git");
    assert_eq!(text("password"), "pa55-w0rd");
    assert_eq!(text("ca.crt"), http.ca_pem().unwrap());
    assert!(!data.contains_key("identity"));
    let sync = show(
        repo.bare_path(),
        &format!("main:clusters/https/{ns}/gotk-sync.yaml"),
    )
    .unwrap();
    assert!(sync.contains(&format!("  url: {url}\n")), "{sync}");
    // Both commits are signed with the key, carry the appendix and the author.
    for rev in ["main", "main~1"] {
        let verify = git_command()
            .arg("--git-dir")
            .arg(repo.bare_path())
            .env("GNUPGHOME", gpg.home())
            .args(["verify-commit", "--raw", rev])
            .output()
            .unwrap();
        let status = String::from_utf8_lossy(&verify.stderr);
        assert!(status.contains("GOODSIG"), "{rev}: {status}");
        let log = git_command()
            .arg("--git-dir")
            .arg(repo.bare_path())
            .args(["log", "-1", "--format=%an <%ae>|%b", rev])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&log.stdout).trim(),
            "Flux <ops@example.com>|[ci skip]"
        );
    }

    rig.cleanup().await;
}

/// Over HTTPS without --token-auth the cluster gets a new SSH key: the command prints it,
/// and once the server accepts it (here: as soon as it is printed, as a user adding a
/// deploy key would) the cluster syncs over SSH. A re-run keeps the key.
#[tokio::test(flavor = "multi_thread")]
async fn a_generated_deploy_key_is_printed_and_used_once_given_access() {
    let env = Rig::start("tk-boot-key").await;
    let rig = &env;
    let user = rig.servers.ssh().user().to_string();
    let http = rig
        .servers
        .start_http(&HttpOptions {
            basic_auth: Some((user.clone(), "pa55".into())),
            tls: Some(TlsOptions::default()),
            ..Default::default()
        })
        .unwrap();
    let ca = rig.dir.path().join("ca.pem");
    std::fs::write(&ca, http.ca_pem().unwrap()).unwrap();
    let repo = rig.servers.create_repo("fleet").unwrap();
    repo.commit("init", &[("README.md", "fleet\n")]).unwrap();
    repo.push().unwrap();
    let ssh_host = format!("127.0.0.1:{}", rig.servers.ssh().port());
    let args = [
        "bootstrap",
        "git",
        "--url",
        &http.url("fleet"),
        "--username",
        &user,
        "--password",
        "pa55",
        "--ca-file",
        ca.to_str().unwrap(),
        "--ssh-hostname",
        &ssh_host,
        "--ssh-key-algorithm",
        "ed25519",
        "--components",
        "source-controller,kustomize-controller",
        "--silent",
        "--timeout",
        "3m",
        "-n",
        &rig.ns,
    ];
    let printed = rig.bootstrap_granting_the_printed_key(&[], &args);
    assert!(printed.starts_with("ssh-ed25519 "), "{printed}");
    let data = rig.secret("flux-system").await.data.unwrap();
    assert_eq!(
        String::from_utf8(data["identity.pub"].0.clone())
            .unwrap()
            .trim(),
        printed
    );
    let sync = show(repo.bare_path(), &format!("main:{}/gotk-sync.yaml", rig.ns)).unwrap();
    assert!(
        sync.contains(&format!("  url: ssh://{user}@{ssh_host}/fleet.git\n")),
        "{sync}"
    );
    rig.assert_synced_at(&repo.bare_rev_parse("refs/heads/main").unwrap())
        .await;

    let out = rig.tk_ok(&args[..args.len() - 2]);
    assert!(!out.contains("public key"), "{out}");
    assert!(out.contains("source secret up to date"), "{out}");
    assert!(out.contains("nothing changed"), "{out}");

    env.cleanup().await;
}

/// Over SSH without --private-key-file, tk pushes with the keys of the user's ssh-agent
/// (as flux does) and the cluster gets a key of its own.
#[tokio::test(flavor = "multi_thread")]
async fn bootstrap_over_ssh_pushes_with_the_ssh_agent() {
    let rig = Rig::start("tk-boot-agent").await;
    let repo = rig.servers.create_repo("fleet").unwrap();
    let key = rig.ssh_key();
    let socket = rig.dir.path().join("agent.sock");
    let mut agent = Command::new("ssh-agent")
        .arg("-D")
        .arg("-a")
        .arg(&socket)
        .stdout(Stdio::null())
        .spawn()
        .expect("ssh-agent runs (openssh-client)");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !socket.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "ssh-agent made no socket"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let socket = socket.display().to_string();
    let added = Command::new("ssh-add")
        .arg(&key)
        .env("SSH_AUTH_SOCK", &socket)
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let url = rig.servers.ssh().url("fleet");
    let printed = rig.bootstrap_granting_the_printed_key(
        &[("SSH_AUTH_SOCK", &socket)],
        &[
            "bootstrap",
            "git",
            "--url",
            &url,
            "--silent",
            "--components",
            "source-controller,kustomize-controller",
            "--timeout",
            "3m",
            "-n",
            &rig.ns,
        ],
    );
    let _ = agent.kill();
    let _ = agent.wait();
    let pushed = repo.bare_rev_parse("refs/heads/main").unwrap();
    rig.assert_synced_at(&pushed).await;
    let data = rig.secret("flux-system").await.data.unwrap();
    let identity_pub = String::from_utf8(data["identity.pub"].0.clone()).unwrap();
    assert_eq!(identity_pub.trim(), printed);
    let agent_key = Command::new("ssh-keygen")
        .args(["-y", "-f", &key])
        .output()
        .unwrap();
    let agent_key = String::from_utf8(agent_key.stdout).unwrap();
    assert!(agent_key.starts_with("ssh-ed25519 "), "{agent_key}");
    assert_ne!(
        identity_pub.split_whitespace().nth(1),
        agent_key.split_whitespace().nth(1),
        "the cluster has its own key, not the agent's"
    );
    rig.cleanup().await;
}

/// Bad input stops the command before anything is pushed or applied: the namespace never
/// appears and the branch does not move.
#[tokio::test(flavor = "multi_thread")]
async fn bad_input_changes_neither_the_repository_nor_the_cluster() {
    let client = client(rig().kubeconfig_path()).await;
    let ns = testenv::unique_name("tk-boot-bad");
    let servers = GitServers::start().unwrap();
    let http = servers
        .start_http(&HttpOptions {
            basic_auth: Some(("git".into(), "s3cr3t-ok".into())),
            tls: Some(TlsOptions::default()),
            ..Default::default()
        })
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, http.ca_pem().unwrap()).unwrap();
    let ca = ca.display().to_string();
    let repo = servers.create_repo("fleet").unwrap();
    let head = repo.commit("init", &[("README.md", "fleet\n")]).unwrap();
    repo.push().unwrap();
    let url = http.url("fleet");
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        format!("https://127.0.0.1:{port}/fleet.git")
    };

    let plain_http = url.replace("https://", "http://");
    let ssh_url = servers.ssh().url("fleet");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "--url",
                &url,
                "--password",
                "s3cr3t-ok",
                "--path",
                "../outside",
            ],
            "flag --path: \"../outside\" leaves the repository",
        ),
        (
            vec!["--url", &url, "--password", "s3cr3t-ok", "--branch", "prod"],
            "branch \"prod\" does not exist in",
        ),
        (
            vec!["--url", &url, "--password", "wrong"],
            "authentication failed",
        ),
        (
            vec!["--url", &closed, "--password", "s3cr3t-ok"],
            "check the URL and that the host is reachable",
        ),
        (
            vec!["--url", &plain_http, "--password", "s3cr3t-ok"],
            "pass --allow-insecure-http",
        ),
        (
            vec!["--url", &ssh_url],
            "flag --private-key-file: pushing to",
        ),
    ];
    for (flags, expected) in cases {
        let mut args = vec![
            "bootstrap",
            "git",
            "-n",
            &ns,
            "--token-auth",
            "--ca-file",
            &ca,
        ];
        args.extend(flags);
        let out = tk(rig().kubeconfig_path(), &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("s3cr3t-ok"),
            "the password leaked: {stderr}"
        );
        assert!(
            Api::<Namespace>::all(client.clone())
                .get_opt(&ns)
                .await
                .unwrap()
                .is_none(),
            "{args:?} created namespace {ns}"
        );
        assert_eq!(repo.bare_rev_parse("refs/heads/main").unwrap(), head);
    }

    // An installation another tool manages is not taken over without --force.
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let helm_owned: Namespace = serde_json::from_value(json!({
        "metadata": { "name": ns, "labels": { "app.kubernetes.io/managed-by": "Helm" } },
    }))
    .unwrap();
    namespaces
        .create(&Default::default(), &helm_owned)
        .await
        .unwrap();
    let out = tk(
        rig().kubeconfig_path(),
        &[
            "bootstrap",
            "git",
            "-n",
            &ns,
            "--token-auth",
            "--ca-file",
            &ca,
            "--url",
            &url,
            "--password",
            "s3cr3t-ok",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains(&format!("namespace {ns} is managed by \"Helm\""))
            && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(repo.bare_rev_parse("refs/heads/main").unwrap(), head);
    let _ = namespaces.delete(&ns, &DeleteParams::default()).await;
}
