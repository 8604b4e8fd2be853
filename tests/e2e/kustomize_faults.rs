//! Faults the kustomize controller must ride out without user action: its process killed in
//! the middle of an apply, and the kube-apiserver restarted during a reconcile.
//!
//! The controllers run as real `tk controller` processes whose JSON logs go to files under
//! the target directory (kept when a test fails or `TK_E2E_KEEP_LOGS` is set, and named in
//! every assertion message).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ListParams, Patch, PatchParams, WatchEvent, WatchParams};
use serde_json::json;
use testenv::git::{GitServers, Repo};
use testenv::{ControlPlane, StopSignal};
use tk::api::kustomize::Kustomization;
use tk::api::source::GitRepository;

use crate::kustomize_support::{condition, config_map, inventory};
use crate::support::{apply_crds, client, create_namespace, rig, with_crds};

/// How long any single wait of these tests may take.
const WAIT: Duration = Duration::from_secs(120);
/// The Kustomization and GitRepository of every test.
const NAME: &str = "app";
/// The label the controller puts on what it applies, with the Kustomization's name.
const OWNER_LABEL: &str = "kustomize.toolkit.fluxcd.io/name";

/// One `tk controller <name>` process with its log file.
struct Controller {
    name: &'static str,
    child: Option<Child>,
    log: PathBuf,
}

impl Controller {
    /// SIGKILL: no graceful shutdown, no lease release, an apply cut off wherever it is.
    fn kill(&mut self) {
        let mut child = self.child.take().expect("the controller is running");
        child.kill().expect("SIGKILL the controller");
        child.wait().expect("reap the controller");
    }

    /// Panics with the log if the process has exited.
    fn assert_running(&mut self) {
        let child = self.child.as_mut().expect("the controller was started");
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "tk controller {} exited with {status}\n{}",
                self.name,
                excerpt(&self.log)
            );
        }
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The last non-debug lines of a controller log, for assertion messages.
fn excerpt(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains(r#""level":"debug""#))
        .collect();
    let from = lines.len().saturating_sub(40);
    format!(
        "--- {} (last {} non-debug lines of {}) ---\n{}",
        log.display(),
        lines.len() - from,
        lines.len(),
        lines[from..].join("\n")
    )
}

/// A namespace, Git servers, a repository and the controllers of one test, against the
/// cluster of `kubeconfig`.
struct Env {
    kubeconfig: PathBuf,
    client: kube::Client,
    ns: String,
    servers: GitServers,
    repo: Repo,
    /// Logs and artifacts; removed when the test passes.
    dir: PathBuf,
    logs: Vec<PathBuf>,
}

/// Set (to anything) to keep the controller logs of passing tests too.
const KEEP_LOGS_ENV: &str = "TK_E2E_KEEP_LOGS";

impl Drop for Env {
    fn drop(&mut self) {
        if std::thread::panicking() || std::env::var_os(KEEP_LOGS_ENV).is_some() {
            eprintln!("controller logs kept in {}", self.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Env {
    async fn new(kubeconfig: &Path, client: kube::Client, prefix: &str) -> Env {
        let ns = create_namespace(&client, prefix).await;
        let servers = GitServers::start().unwrap_or_else(|e| panic!("git servers: {e:#}"));
        let repo = servers.create_repo(NAME).unwrap();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("kustomize-faults")
            .join(&ns);
        std::fs::create_dir_all(dir.join("storage")).unwrap();
        Env {
            kubeconfig: kubeconfig.to_path_buf(),
            client,
            ns,
            servers,
            repo,
            dir,
            logs: Vec::new(),
        }
    }

    /// Starts `tk controller <name>` for this namespace, logging JSON to a file of its own.
    fn start(&mut self, name: &'static str, extra_args: &[&str]) -> Controller {
        let log = self.dir.join(format!("{name}-{}.log", self.logs.len() + 1));
        let child = Command::new(env!("CARGO_BIN_EXE_tk"))
            .args(["controller", name, "--watch-all-namespaces=false", "-n"])
            .arg(&self.ns)
            .args(["--metrics-addr", "0", "--health-addr", "0"])
            .args(["--events-listen-addr", "0", "--receiver-addr", "0"])
            .args(["--storage-addr", "127.0.0.1:0", "--storage-path"])
            .arg(self.dir.join("storage"))
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(extra_args)
            .env_remove("KUBECONFIG")
            .env_remove("RUNTIME_NAMESPACE")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).unwrap())
            .spawn()
            .expect("tk controller starts");
        self.logs.push(log.clone());
        Controller {
            name,
            child: Some(child),
            log,
        }
    }

    /// Excerpts of every controller log of the test.
    fn logs(&self) -> String {
        self.logs
            .iter()
            .map(|l| excerpt(l))
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn configmaps(&self) -> Api<ConfigMap> {
        Api::namespaced(self.client.clone(), &self.ns)
    }

    fn kustomizations(&self) -> Api<Kustomization> {
        Api::namespaced(self.client.clone(), &self.ns)
    }

    /// Commits ConfigMaps named `names` as the whole of `deploy/`, pushes, and returns the
    /// revision as the Kustomization reports it.
    fn push(&self, message: &str, names: &BTreeSet<String>) -> String {
        let docs: Vec<String> = names
            .iter()
            .map(|n| config_map(n, "", &format!("  name: {n}\n")))
            .collect();
        let sha = self
            .repo
            .commit(message, &[("deploy/configmaps.yaml", &docs.join("---\n"))])
            .unwrap();
        self.repo.push().unwrap();
        format!("main@sha1:{sha}")
    }

    /// The GitRepository, polled every 5s: new commits arrive without anyone asking, and the
    /// Kustomization follows through its source watch.
    async fn apply_source_and_kustomization(&self) {
        let repo = json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": { "name": NAME, "namespace": self.ns },
            "spec": {
                "url": self.servers.http().url(self.repo.name()),
                "interval": "5s",
                "ref": { "branch": "main" },
            },
        });
        let params = PatchParams::apply("tk-e2e").force();
        Api::<GitRepository>::namespaced(self.client.clone(), &self.ns)
            .patch(NAME, &params, &Patch::Apply(&repo))
            .await
            .unwrap();
        // Flux's defaults otherwise: retryInterval is the interval, so recovering from a
        // failure cannot lean on a quick retry.
        let ks = json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": { "name": NAME, "namespace": self.ns },
            "spec": {
                "interval": "10m",
                "path": "./deploy",
                "prune": true,
                "targetNamespace": self.ns,
                "timeout": "2m",
                "sourceRef": { "kind": "GitRepository", "name": NAME },
            },
        });
        self.kustomizations()
            .patch(NAME, &params, &Patch::Apply(&ks))
            .await
            .unwrap();
    }

    /// Waits for Ready=True at `revision`, failing with the status and the controller logs.
    async fn wait_applied(&self, revision: &str, within: Duration) -> Kustomization {
        let deadline = Instant::now() + within;
        let message = format!("Applied revision: {revision}");
        loop {
            // The apiserver may still be coming back: a failed read is a "not yet".
            let ks = self.kustomizations().get_opt(NAME).await.ok().flatten();
            if let Some(ks) = &ks
                && condition(ks, "Ready").is_some_and(|(s, _, m)| s == "True" && m == message)
            {
                return ks.clone();
            }
            if Instant::now() >= deadline {
                panic!(
                    "the Kustomization was not Ready at {revision} within {within:?}; status: {}\n{}",
                    serde_json::to_string_pretty(&ks.and_then(|k| k.status)).unwrap(),
                    self.logs()
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// The ConfigMaps the Kustomization owns (by its label), name to uid.
    async fn owned(&self) -> BTreeMap<String, String> {
        let params = ListParams::default().labels(&format!("{OWNER_LABEL}={NAME}"));
        self.configmaps()
            .list(&params)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|cm| (cm.metadata.name.unwrap(), cm.metadata.uid.unwrap()))
            .collect()
    }

    /// Inventory ids the Kustomization should hold for exactly `names`.
    fn inventory_of(&self, names: &BTreeSet<String>) -> Vec<(String, String)> {
        let mut ids: Vec<_> = names
            .iter()
            .map(|n| (format!("{}_{n}__ConfigMap", self.ns), "v1".to_string()))
            .collect();
        ids.sort();
        ids
    }

    /// Everything that must hold once the Kustomization is Ready at a revision of `names`:
    /// exactly those objects exist, and the inventory lists exactly them.
    async fn assert_converged(&self, ks: &Kustomization, names: &BTreeSet<String>) {
        let owned = self.owned().await;
        let have: BTreeSet<String> = owned.keys().cloned().collect();
        assert_eq!(
            have.symmetric_difference(names).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "owned ConfigMaps differ from the revision (missing or not pruned)\n{}",
            self.logs()
        );
        assert_eq!(
            inventory(ks),
            self.inventory_of(names),
            "inventory\n{}",
            self.logs()
        );
        let status = ks.status.as_ref().unwrap();
        assert_eq!(status.last_handled_reconcile_at, None, "nobody asked");
        assert_eq!(status.observed_generation, ks.metadata.generation);
    }
}

fn names(prefix: &str, range: std::ops::Range<usize>) -> BTreeSet<String> {
    range.map(|i| format!("{prefix}-{i:03}")).collect()
}

/// Every ConfigMap event of a namespace from a resourceVersion on, without gaps: a watch
/// that cannot resume where it stopped is recorded as broken, not silently relisted.
#[derive(Clone, Default)]
struct ConfigMapLog {
    added: Arc<Mutex<BTreeSet<String>>>,
    deleted: Arc<Mutex<Vec<String>>>,
    broken: Arc<Mutex<Option<String>>>,
}

impl ConfigMapLog {
    fn start(
        api: Api<ConfigMap>,
        resource_version: String,
    ) -> (ConfigMapLog, tokio::task::JoinHandle<()>) {
        let log = ConfigMapLog::default();
        let task = tokio::spawn({
            let log = log.clone();
            async move {
                let mut rv = resource_version;
                loop {
                    let params = WatchParams::default().timeout(240);
                    let mut stream = match api.watch(&params, &rv).await {
                        Ok(stream) => stream.boxed(),
                        Err(e) => return log.break_with(format!("watch from {rv}: {e}")),
                    };
                    while let Some(event) = stream.next().await {
                        match event {
                            Ok(WatchEvent::Added(cm)) => {
                                rv = cm.metadata.resource_version.clone().unwrap();
                                log.added.lock().unwrap().insert(cm.metadata.name.unwrap());
                            }
                            Ok(WatchEvent::Modified(cm)) => {
                                rv = cm.metadata.resource_version.unwrap();
                            }
                            Ok(WatchEvent::Deleted(cm)) => {
                                rv = cm.metadata.resource_version.clone().unwrap();
                                log.deleted.lock().unwrap().push(cm.metadata.name.unwrap());
                            }
                            Ok(WatchEvent::Bookmark(b)) => rv = b.metadata.resource_version,
                            Ok(WatchEvent::Error(e)) => {
                                return log.break_with(format!("watch error: {e:?}"));
                            }
                            Err(e) => return log.break_with(format!("watch stream: {e}")),
                        }
                    }
                }
            }
        });
        (log, task)
    }

    fn break_with(&self, reason: String) {
        *self.broken.lock().unwrap() = Some(reason);
    }

    fn added_with_prefix(&self, prefix: &str) -> usize {
        self.added
            .lock()
            .unwrap()
            .iter()
            .filter(|n| n.starts_with(prefix))
            .count()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_mid_apply_converges_and_prunes_only_what_was_removed() {
    let kubeconfig = rig().kubeconfig_path();
    let kube = client(kubeconfig).await;
    let _crds = with_crds(&kube).await;
    let mut env = Env::new(kubeconfig, kube, "ks-kill").await;
    let _source = env.start("source", &[]);
    let mut kustomize = env.start("kustomize", &[]);

    let a = names("old", 0..20);
    let rev_a = env.push("Revision A", &a);
    env.apply_source_and_kustomization().await;
    let ks = env.wait_applied(&rev_a, WAIT).await;
    env.assert_converged(&ks, &a).await;
    let uids_a = env.owned().await;

    // From before the push on, every ConfigMap deletion in the namespace is seen.
    let list = env.configmaps().list(&ListParams::default()).await.unwrap();
    let (events, watch) =
        ConfigMapLog::start(env.configmaps(), list.metadata.resource_version.unwrap());

    // B drops 5 objects and adds 300: the apply writes them one by one, for seconds.
    let removed = names("old", 0..5);
    let b: BTreeSet<String> = a
        .difference(&removed)
        .cloned()
        .chain(names("new", 0..300))
        .collect();
    let rev_b = env.push("Revision B", &b);
    let deadline = Instant::now() + WAIT;
    while events.added_with_prefix("new-") < 20 {
        assert!(
            Instant::now() < deadline,
            "the apply of {rev_b} did not start within {WAIT:?}\n{}",
            env.logs()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    kustomize.kill();
    let killed_at = Instant::now();

    // The kill left B half applied: nothing pruned, nothing recorded.
    let partial = env.owned().await;
    let new_present = partial.keys().filter(|n| n.starts_with("new-")).count();
    eprintln!("killed with {new_present} of B's 300 new ConfigMaps applied");
    assert!(
        (20..300).contains(&new_present),
        "the kill came too late to be mid-apply: {new_present} of 300 new ConfigMaps exist\n{}",
        env.logs()
    );
    assert!(
        removed.iter().all(|n| partial.contains_key(n)),
        "pruned before the apply finished: {:?}",
        removed
            .iter()
            .filter(|n| !partial.contains_key(*n))
            .collect::<Vec<_>>()
    );
    let ks = env.kustomizations().get(NAME).await.unwrap();
    let status = ks.status.clone().unwrap();
    assert_eq!(
        status.last_applied_revision.as_deref(),
        Some(rev_a.as_str())
    );
    assert_eq!(
        inventory(&ks),
        env.inventory_of(&a),
        "inventory after the kill"
    );

    // A new process picks up where the old one died, without anyone asking.
    let mut kustomize = env.start("kustomize", &[]);
    let ks = env.wait_applied(&rev_b, WAIT).await;
    eprintln!("Ready at B {:?} after the kill", killed_at.elapsed());
    env.assert_converged(&ks, &b).await;
    kustomize.assert_running();

    // Nothing that B keeps was ever deleted (or recreated): only the 5 removed ones went.
    let after = env.owned().await;
    for (name, uid) in uids_a.iter().filter(|(n, _)| b.contains(*n)) {
        assert_eq!(after.get(name), Some(uid), "{name} was recreated");
    }
    for (name, uid) in partial.iter().filter(|(n, _)| n.starts_with("new-")) {
        assert_eq!(
            after.get(name),
            Some(uid),
            "{name}, applied before the kill, was recreated"
        );
    }
    // The prune's DELETED events may trail the status write by a moment.
    let deadline = Instant::now() + Duration::from_secs(10);
    while events.deleted.lock().unwrap().len() < removed.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    watch.abort();
    assert_eq!(*events.broken.lock().unwrap(), None, "the watch had a gap");
    let mut deleted = events.deleted.lock().unwrap().clone();
    deleted.sort();
    assert_eq!(
        deleted,
        removed.into_iter().collect::<Vec<_>>(),
        "DELETED events other than the 5 removed ConfigMaps\n{}",
        env.logs()
    );
}

/// Waits until at least `count` owned ConfigMaps named `prefix`* exist (the apply of a
/// revision is under way); reads failing while the apiserver restarts count as "not yet".
async fn wait_mid_apply(env: &Env, prefix: &str, count: usize, revision: &str) -> usize {
    let deadline = Instant::now() + WAIT;
    loop {
        let params = ListParams::default().labels(&format!("{OWNER_LABEL}={NAME}"));
        if let Ok(list) = env.configmaps().list(&params).await {
            let present = list
                .items
                .iter()
                .filter(|cm| {
                    cm.metadata
                        .name
                        .as_deref()
                        .unwrap_or("")
                        .starts_with(prefix)
                })
                .count();
            if present >= count {
                return present;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the apply of {revision} did not start within {WAIT:?}\n{}",
            env.logs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Restarts the apiserver of `cp` (a dedicated control plane) off the async runtime: the
/// outage clients see is the stop, `down_for`, and the start until /readyz is ok.
async fn restart_apiserver(cp: &Arc<ControlPlane>, how: StopSignal, down_for: Duration) {
    let cp = cp.clone();
    let (stopped, started) = tokio::task::spawn_blocking(move || {
        let begin = Instant::now();
        cp.stop_apiserver(how)?;
        let stopped = begin.elapsed();
        std::thread::sleep(down_for);
        let begin = Instant::now();
        cp.start_apiserver()?;
        anyhow::Ok((stopped, begin.elapsed()))
    })
    .await
    .unwrap()
    .unwrap_or_else(|e| panic!("restarting the apiserver: {e:#}"));
    eprintln!(
        "apiserver restarted: {how:?} took {stopped:?}, down for {down_for:?}, ready after {started:?}"
    );
}

/// A dedicated control plane (never the shared one: other tests are using it) with source
/// and kustomize controllers, as Flux deploys them (leader election on, default timings),
/// and the Kustomization Ready at revision A.
struct ApiserverFixture {
    // Fields drop in order: the controllers stop before their control plane does.
    source: Controller,
    kustomize: Controller,
    env: Env,
    cp: Arc<ControlPlane>,
    a: BTreeSet<String>,
    /// The uids of A's objects once applied.
    uids_a: BTreeMap<String, String>,
}

impl ApiserverFixture {
    async fn start(prefix: &str) -> ApiserverFixture {
        let cp = Arc::new(
            tokio::task::spawn_blocking(ControlPlane::start)
                .await
                .unwrap()
                .unwrap_or_else(|e| panic!("{e:#}")),
        );
        let kube = client(cp.kubeconfig_path()).await;
        apply_crds(&kube).await;
        let mut env = Env::new(cp.kubeconfig_path(), kube, prefix).await;
        // Debug logs show each watch request and the backoff between them.
        let args = ["--enable-leader-election", "--log-level=debug"];
        let source = env.start("source", &args);
        let kustomize = env.start("kustomize", &args);
        let a = names("old", 0..20);
        let rev_a = env.push("Revision A", &a);
        env.apply_source_and_kustomization().await;
        let ks = env.wait_applied(&rev_a, WAIT).await;
        env.assert_converged(&ks, &a).await;
        let uids_a = env.owned().await;
        ApiserverFixture {
            source,
            kustomize,
            env,
            cp,
            a,
            uids_a,
        }
    }

    /// B: A without its first 5 objects, plus 150 new ones (a few seconds of applying).
    fn revision_b(&self) -> BTreeSet<String> {
        self.a
            .difference(&names("old", 0..5))
            .cloned()
            .chain(names("new", 0..150))
            .collect()
    }

    /// Ready at `revision` of `names`, with A's surviving objects never recreated, and
    /// every process still the one started at the beginning.
    async fn assert_recovered(
        &mut self,
        revision: &str,
        names: &BTreeSet<String>,
        within: Duration,
    ) {
        let back = Instant::now();
        let ks = self.env.wait_applied(revision, within).await;
        eprintln!(
            "Ready at {revision} {:?} after the apiserver was ready",
            back.elapsed()
        );
        self.env.assert_converged(&ks, names).await;
        let uids = self.env.owned().await;
        for (name, uid) in self.uids_a.iter().filter(|(n, _)| names.contains(*n)) {
            assert_eq!(uids.get(name), Some(uid), "{name} was recreated");
        }
        self.source.assert_running();
        self.kustomize.assert_running();
        self.cp.check_alive().unwrap_or_else(|e| panic!("{e:#}"));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn recovers_from_an_apiserver_crash_during_an_apply() {
    let mut f = ApiserverFixture::start("ks-apiserver-kill").await;
    let b = f.revision_b();
    let rev_b = f.env.push("Revision B", &b);
    let present = wait_mid_apply(&f.env, "new-", 10, &rev_b).await;
    eprintln!("crashing the apiserver with {present} of B's 150 new objects applied");
    restart_apiserver(&f.cp, StopSignal::Kill, Duration::from_secs(5)).await;
    f.assert_recovered(&rev_b, &b, WAIT).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn recovers_from_a_graceful_apiserver_restart_during_an_apply() {
    let mut f = ApiserverFixture::start("ks-apiserver-term").await;
    let b = f.revision_b();
    let rev_b = f.env.push("Revision B", &b);
    let present = wait_mid_apply(&f.env, "new-", 10, &rev_b).await;
    eprintln!("stopping the apiserver with {present} of B's 150 new objects applied");
    // kube-apiserver drains for up to its 60s request timeout; the kubelet would wait 30s.
    // 10s keeps the outage below the controllers' lease renew deadline (30s), past which
    // they exit, as controller-runtime's do.
    let graceful = StopSignal::Term {
        grace: Duration::from_secs(10),
    };
    restart_apiserver(&f.cp, graceful, Duration::from_secs(2)).await;
    f.assert_recovered(&rev_b, &b, WAIT).await;
}

/// After an apiserver restart the kustomize controller must see source changes again: its
/// watches have to come back, not only its requeued reconciles. (kube-runtime's `Controller`
/// puts one backoff over all its watches; with its default, 800ms doubling to 30s and reset
/// only after 120s without errors, the restart's connection errors and 410s kept the source
/// watch down for minutes. The controllers now use `runtime::backoff::WatchBackoff`.)
#[tokio::test(flavor = "multi_thread")]
async fn follows_new_revisions_after_an_apiserver_restart() {
    let mut f = ApiserverFixture::start("ks-apiserver-watch").await;
    restart_apiserver(&f.cp, StopSignal::Kill, Duration::from_secs(5)).await;
    let b = f.revision_b();
    let rev_b = f.env.push("Revision B", &b);
    // The source polls every 5s; the Kustomization follows through its source watch.
    f.assert_recovered(&rev_b, &b, Duration::from_secs(60))
        .await;
}
