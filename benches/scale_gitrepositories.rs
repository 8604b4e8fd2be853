//! Scale harness for the source controller (issue 3, "Performance": 500 GitRepositories at a
//! 1m interval on one controller, steady-state CPU and RSS reported, RSS under 60 MB).
//!
//! Starts a testenv control plane and a git HTTP server (`git http-backend`; the CRD allows
//! only http, https and ssh URLs), creates N bare repositories (copies of one template
//! repository of 100 YAML files; `--shared-repo` points every object at one repository
//! instead), applies tk's CRDs, creates N GitRepositories at `interval: 1m` in one namespace,
//! then starts the release `tk controller source` watching only that namespace. It reports
//! the time until every object is Ready with an artifact, then samples the controller's
//! `/proc/<pid>/status` and `/proc/<pid>/stat` every second over a steady-state window and
//! prints RSS (VmRSS average and maximum, VmHWM), CPU (% of one core) and reconciles per
//! minute, counted from the git server's request log: a no-op reconcile is exactly one
//! `GET <repo>.git/info/refs?service=git-upload-pack` (ls-remote), a fetch adds a `POST
//! git-upload-pack`.
//!
//! ```text
//! cargo bench --bench scale_gitrepositories                         # 500 repos, 3 min window
//! cargo bench --bench scale_gitrepositories -- --repos 100 --window 60
//! SCALE_REPOS=500 SCALE_WINDOW=180 cargo bench --bench scale_gitrepositories
//! ```
//!
//! Options (flag or environment): `--repos N` / `SCALE_REPOS` (500), `--window SECS` /
//! `SCALE_WINDOW` (180; `3m` and `180s` work too), `--shared-repo` / `SCALE_SHARED_REPO=1`,
//! `--tk PATH` / `SCALE_TK` (default: `cargo build --release --bin tk` and its executable),
//! `--rss-limit-mb N` / `SCALE_RSS_LIMIT_MB` (60), `--keep-logs` / `SCALE_KEEP_LOGS=1`
//! (keep the controller's log). `TK_TEST_KUBECONFIG` uses an existing cluster. Exits 1 when
//! the steady-state maximum RSS is not under the limit.
//!
//! Run without `--bench` (as `cargo test --benches` does) it does nothing: it needs minutes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;
use testenv::git::{GitServers, GitServersOptions, HttpOptions, git_command};
use tk::api::source::GitRepository;

#[path = "support/scale.rs"]
mod scale;
use scale::{apply_crds, build_tk, clock_ticks_per_second, parse_secs, sample};

const NAMESPACE: &str = "scale-gitrepositories";
const MIB: f64 = 1024.0;

struct Config {
    repos: usize,
    window: Duration,
    shared_repo: bool,
    tk: Option<PathBuf>,
    rss_limit_mb: f64,
    keep_logs: bool,
}

fn main() -> ExitCode {
    scale::main("scale_gitrepositories", parse, run)
}

fn parse(args: &[String]) -> Result<Config> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut config = Config {
        repos: env("SCALE_REPOS")
            .as_deref()
            .map(parse_count)
            .transpose()?
            .unwrap_or(500),
        window: env("SCALE_WINDOW")
            .as_deref()
            .map(parse_secs)
            .transpose()?
            .unwrap_or(Duration::from_secs(180)),
        shared_repo: env("SCALE_SHARED_REPO").is_some_and(|v| v != "0"),
        tk: env("SCALE_TK").map(PathBuf::from),
        rss_limit_mb: env("SCALE_RSS_LIMIT_MB")
            .map(|v| v.parse())
            .transpose()?
            .unwrap_or(60.0),
        keep_logs: env("SCALE_KEEP_LOGS").is_some_and(|v| v != "0"),
    };
    scale::each_flag(args, |flag, value| {
        match flag {
            "--bench" => {}
            "--repos" => config.repos = parse_count(&value()?)?,
            "--window" => config.window = parse_secs(&value()?)?,
            "--shared-repo" => config.shared_repo = true,
            "--tk" => config.tk = Some(PathBuf::from(value()?)),
            "--rss-limit-mb" => config.rss_limit_mb = value()?.parse()?,
            "--keep-logs" => config.keep_logs = true,
            other => bail!("unknown argument {other}"),
        }
        Ok(())
    })?;
    Ok(config)
}

fn parse_count(v: &str) -> Result<usize> {
    v.parse()
        .with_context(|| format!("{v:?} is not a number of repositories"))
}

fn run(config: &Config) -> Result<bool> {
    let tk = match &config.tk {
        Some(path) => path.clone(),
        None => build_tk()?,
    };
    println!(
        "machine: {} cores (shared with other work: CPU figures include its interference)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let started = Instant::now();
    let cluster = scale::control_plane()?;
    println!(
        "control plane up in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let servers = GitServers::start_with(GitServersOptions {
        ssh: None,
        http: Some(HttpOptions::default()),
        daemon: false,
    })?;
    let urls = make_repos(&servers, config)?;
    println!(
        "{} git repositories ready in {:.1}s ({})",
        if config.shared_repo { 1 } else { config.repos },
        started.elapsed().as_secs_f64(),
        if config.shared_repo {
            format!("one repository shared by {} GitRepositories", config.repos)
        } else {
            "distinct bare repositories, copies of one template".to_string()
        }
    );

    let runtime = tokio::runtime::Runtime::new()?;
    let client = runtime.block_on(async {
        let client = scale::client(cluster.kubeconfig_path()).await?;
        apply_crds(&client).await?;
        create_objects(&client, &urls).await?;
        anyhow::Ok(client)
    })?;

    let work = tempfile::Builder::new()
        .prefix("tk-scale-gitrepositories-")
        .tempdir()?;
    let storage = work.path().join("storage");
    let log_path = work.path().join("controller.log");
    let mut controller = Controller::spawn(&tk, cluster.kubeconfig_path(), &storage, &log_path)?;
    let pid = controller.child.id();
    let git_log = servers.http().log_path().to_path_buf();
    let result = runtime.block_on(measure(
        config,
        &client,
        &mut controller,
        pid,
        &git_log,
        &storage,
        &log_path,
    ));
    controller.stop();
    if config.keep_logs || result.is_err() {
        let kept = work.keep();
        eprintln!(
            "controller log kept: {}",
            kept.join("controller.log").display()
        );
    }
    result
}

/// A template repository of 100 manifests, then its copies (or only it when shared).
/// Returns one URL per GitRepository.
fn make_repos(servers: &GitServers, config: &Config) -> Result<Vec<String>> {
    let template = servers.create_repo("template")?;
    let contents: Vec<(String, String)> = (0..100)
        .map(|i| {
            (
                format!("apps/app-{:02}/deployment-{i:03}.yaml", i / 10),
                format!(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: apps\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: app\n        image: ghcr.io/example/app:{i}.0.0\n"
                ),
            )
        })
        .collect();
    let files: Vec<(&str, &str)> = contents
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    template.commit("Add the manifests", &files)?;
    template.push()?;
    let mut repack = git_command();
    repack
        .arg("--git-dir")
        .arg(template.bare_path())
        .args(["repack", "-a", "-d", "-q"]);
    let status = repack.status()?;
    if !status.success() {
        bail!("git repack failed: {status}");
    }
    if config.shared_repo {
        return Ok(vec![servers.http().url("template"); config.repos]);
    }
    (0..config.repos)
        .map(|i| {
            let name = format!("repo-{i:04}");
            copy_dir(
                template.bare_path(),
                &servers.repos_dir().join(format!("{name}.git")),
            )?;
            Ok(servers.http().url(&name))
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

async fn create_objects(client: &kube::Client, urls: &[String]) -> Result<()> {
    let started = Instant::now();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(json!({ "metadata": { "name": NAMESPACE } }))?;
    namespaces
        .patch(
            NAMESPACE,
            &PatchParams::apply("tk-scale").force(),
            &Patch::Apply(&ns),
        )
        .await?;
    let api: Api<GitRepository> = Api::namespaced(client.clone(), NAMESPACE);
    futures::stream::iter(urls.iter().enumerate())
        .map(|(i, url)| {
            let api = api.clone();
            async move {
                let obj: GitRepository = serde_json::from_value(json!({
                    "apiVersion": "source.toolkit.fluxcd.io/v1",
                    "kind": "GitRepository",
                    "metadata": { "name": format!("repo-{i:04}"), "namespace": NAMESPACE },
                    "spec": { "url": url, "interval": "1m", "ref": { "branch": "main" } },
                }))?;
                api.create(&PostParams::default(), &obj).await?;
                anyhow::Ok(())
            }
        })
        .buffer_unordered(16)
        .try_collect::<Vec<()>>()
        .await?;
    println!(
        "{} GitRepositories created in {:.1}s",
        urls.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

struct Controller {
    child: Child,
}

impl Controller {
    fn spawn(tk: &Path, kubeconfig: &Path, storage: &Path, log: &Path) -> Result<Controller> {
        let log = fs::File::create(log)?;
        let child = Command::new(tk)
            .args([
                "controller",
                "source",
                "--watch-all-namespaces=false",
                "-n",
                NAMESPACE,
                "--storage-addr",
                "127.0.0.1:0",
                "--metrics-addr",
                "0",
                "--health-addr",
                "0",
            ])
            .arg("--storage-path")
            .arg(storage)
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", tk.display()))?;
        Ok(Controller { child })
    }

    fn check_alive(&mut self, log: &Path) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            let tail = scale::log_tail(log);
            bail!("the controller exited ({status}); last lines:\n{}", tail);
        }
        Ok(())
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Counts of the git server's requests: (ls-remote GETs, upload-pack POSTs), in total and
/// by repository for the GETs.
fn git_requests(log: &Path) -> (u64, u64, BTreeMap<String, u64>) {
    let text = fs::read_to_string(log).unwrap_or_default();
    let (mut gets, mut posts) = (0, 0);
    let mut by_repo = BTreeMap::new();
    for line in text.lines() {
        if line.starts_with("GET ") && line.contains("/info/refs?service=git-upload-pack") {
            gets += 1;
            let repo = line[4..]
                .split("/info/refs")
                .next()
                .unwrap_or("")
                .to_string();
            *by_repo.entry(repo).or_insert(0) += 1;
        } else if line.starts_with("POST ") && line.contains("/git-upload-pack") {
            posts += 1;
        }
    }
    (gets, posts, by_repo)
}

/// Storage files and bytes, to show that steady state writes nothing.
fn storage_usage(dir: &Path) -> (u64, u64) {
    let mut stack = vec![dir.to_path_buf()];
    let (mut files, mut bytes) = (0, 0);
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            match entry.metadata() {
                Ok(m) if m.is_dir() => stack.push(entry.path()),
                Ok(m) => {
                    files += 1;
                    bytes += m.len();
                }
                Err(_) => {}
            }
        }
    }
    (files, bytes)
}

fn log_levels(log: &Path) -> BTreeMap<String, u64> {
    let mut levels = BTreeMap::new();
    for line in fs::read_to_string(log).unwrap_or_default().lines() {
        let level = serde_json::from_str::<serde_json::Value>(line)
            .ok()
            .and_then(|v| v["level"].as_str().map(str::to_string))
            .unwrap_or_else(|| "non-json".to_string());
        *levels.entry(level).or_insert(0) += 1;
    }
    levels
}

fn is_ready(repo: &GitRepository) -> bool {
    repo.status.as_ref().is_some_and(|s| {
        s.artifact.is_some()
            && s.conditions
                .as_ref()
                .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
    })
}

async fn measure(
    config: &Config,
    client: &kube::Client,
    controller: &mut Controller,
    pid: u32,
    git_log: &Path,
    storage: &Path,
    log: &Path,
) -> Result<bool> {
    let api: Api<GitRepository> = Api::namespaced(client.clone(), NAMESPACE);
    let hz = clock_ticks_per_second();
    let spawned = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let early = sample(pid)?;
    println!(
        "controller pid {pid}: RSS {:.1} MiB 0.3s after start",
        early.rss_kb as f64 / MIB
    );

    // Phase 1: until every object is Ready with an artifact.
    let deadline = spawned + Duration::from_secs(600);
    let mut last_report = Instant::now();
    let ready_after = loop {
        controller.check_alive(log)?;
        let list = api.list(&ListParams::default()).await?;
        let ready = list.items.iter().filter(|r| is_ready(r)).count();
        if ready == config.repos {
            break spawned.elapsed();
        }
        if Instant::now() > deadline {
            bail!("only {ready}/{} Ready after 600s", config.repos);
        }
        if last_report.elapsed() > Duration::from_secs(15) {
            println!(
                "  {ready}/{} Ready after {:.0}s",
                config.repos,
                spawned.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let at_ready = sample(pid)?;
    let (gets_ready, posts_ready, _) = git_requests(git_log);
    let (artifacts, artifact_bytes) = storage_usage(storage);
    println!(
        "all {} Ready in {:.1}s (from controller start); CPU used {:.1}s; peak RSS so far (VmHWM) {:.1} MiB; {artifacts} artifacts, {:.1} MB; git requests: {gets_ready} ls-remote/info-refs, {posts_ready} upload-pack POSTs",
        config.repos,
        ready_after.as_secs_f64(),
        at_ready.cpu_ticks as f64 / hz,
        at_ready.hwm_kb as f64 / MIB,
        artifact_bytes as f64 / 1e6
    );

    // Phase 2: steady state. Start counting from now; the first interval's requeues are
    // spread by the jitter and by when each object became Ready.
    println!(
        "steady-state window: {}s, sampling every 1s",
        config.window.as_secs()
    );
    let start = sample(pid)?;
    let window_started = Instant::now();
    let (gets0, posts0, by_repo0) = git_requests(git_log);
    let mut samples = Vec::new();
    let mut next = Instant::now();
    while window_started.elapsed() < config.window {
        controller.check_alive(log)?;
        samples.push(sample(pid)?);
        next += Duration::from_secs(1);
        tokio::time::sleep_until(next.into()).await;
    }
    let end = sample(pid)?;
    let elapsed = window_started.elapsed().as_secs_f64();
    let (gets1, posts1, by_repo1) = git_requests(git_log);
    let (artifacts1, artifact_bytes1) = storage_usage(storage);
    let still_ready = api
        .list(&ListParams::default())
        .await?
        .items
        .iter()
        .filter(|r| is_ready(r))
        .count();

    let rss: Vec<f64> = samples.iter().map(|s| s.rss_kb as f64 / MIB).collect();
    let avg = rss.iter().sum::<f64>() / rss.len().max(1) as f64;
    let max = rss.iter().copied().fold(0.0, f64::max);
    let min = rss.iter().copied().fold(f64::INFINITY, f64::min);
    let anon_avg =
        samples.iter().map(|s| s.anon_kb as f64).sum::<f64>() / samples.len().max(1) as f64 / MIB;
    let file_avg =
        samples.iter().map(|s| s.file_kb as f64).sum::<f64>() / samples.len().max(1) as f64 / MIB;
    let threads = samples.iter().map(|s| s.threads).max().unwrap_or(0);
    let cpu_secs = (end.cpu_ticks - start.cpu_ticks) as f64 / hz;
    let minutes = elapsed / 60.0;
    let touched = by_repo1
        .iter()
        .filter(|(repo, n)| **n > by_repo0.get(*repo).copied().unwrap_or(0))
        .count();

    println!();
    println!("== scale_gitrepositories ==");
    println!(
        "repos: {} ({}), interval 1m, --concurrent default",
        config.repos,
        if config.shared_repo {
            "one shared repository"
        } else {
            "distinct repositories"
        }
    );
    println!("time to all Ready: {:.1}s", ready_after.as_secs_f64());
    println!(
        "steady RSS (VmRSS over {} samples): avg {avg:.1} MiB, min {min:.1}, max {max:.1}; anon avg {anon_avg:.1} MiB, file-backed avg {file_avg:.1} MiB; VmHWM since start {:.1} MiB; threads {threads}",
        rss.len(),
        end.hwm_kb as f64 / MIB
    );
    println!(
        "CPU: {cpu_secs:.1}s over {elapsed:.0}s = {:.1}% of one core (utime+stime)",
        cpu_secs / elapsed * 100.0
    );
    println!(
        "reconciles: {} ls-remote requests = {:.0}/min ({} of {} objects' repositories hit); {} fetches (upload-pack POSTs) in the window",
        gets1 - gets0,
        (gets1 - gets0) as f64 / minutes,
        touched,
        if config.shared_repo { 1 } else { config.repos },
        posts1 - posts0
    );
    println!(
        "storage: {artifacts1} files, {:.1} MB ({} files / {} bytes changed in the window); {still_ready}/{} still Ready",
        artifact_bytes1 as f64 / 1e6,
        artifacts1 as i64 - artifacts as i64,
        artifact_bytes1 as i64 - artifact_bytes as i64,
        config.repos
    );
    println!("controller log lines by level: {:?}", log_levels(log));
    if let Ok(rollup) = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) {
        let keep = [
            "Rss:",
            "Pss:",
            "Shared_Clean:",
            "Private_Clean:",
            "Private_Dirty:",
            "Anonymous:",
        ];
        let lines: Vec<String> = rollup
            .lines()
            .filter(|l| keep.iter().any(|k| l.starts_with(k)))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        println!("smaps_rollup at the end: {}", lines.join(", "));
    }
    let ok = max < config.rss_limit_mb;
    println!(
        "bound: steady RSS max < {} MiB: {}",
        config.rss_limit_mb,
        if ok { "PASS" } else { "FAIL" }
    );
    Ok(ok)
}
