//! Latency harness for webhook-triggered reconciles: a signed GitHub push to a Receiver, then
//! the GitRepository it names reconciling, then its new artifact.
//!
//! Starts a testenv control plane and a local Git HTTP server with one repository, applies
//! tk's CRDs, a namespace, a GitRepository with a one-hour interval (so only the webhook makes
//! it fetch) and a `github` Receiver for it; runs the release `tk controller source` (debug
//! logs, read live) and `tk controller notification` as two processes. Each round commits and
//! pushes a change, POSTs a signed `push` webhook and measures, from just before the POST:
//! the webhook's answer (the Receiver has annotated the GitRepository), the source
//! controller's "reconcile started" log line for that request, and the artifact of the new
//! commit in the GitRepository's status (polled every 10 ms). It reports p50/p90/p99/max of
//! each and both controllers' peak RSS.
//!
//! ```text
//! cargo bench --bench webhook_latency                         # 100 rounds
//! cargo bench --bench webhook_latency -- --rounds 300 --tk target/release/tk
//! ```
//!
//! Options (flag or environment): `--rounds N` / `WEBHOOK_ROUNDS` (100), `--tk PATH` /
//! `SCALE_TK` (default: `cargo build --release --bin tk`). `TK_TEST_KUBECONFIG` uses an
//! existing cluster. Run without `--bench` (as `cargo test --benches` does) it does nothing.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use hmac::Mac;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;
use tk::api::notification::Receiver;
use tk::api::source::GitRepository;

#[path = "support/scale.rs"]
mod scale;
use scale::{apply_crds, build_tk, ms, percentile, sample};

const NAMESPACE: &str = "bench-webhooks";
const TOKEN: &str = "bench-webhook-token";

struct Config {
    rounds: usize,
    tk: Option<PathBuf>,
}

fn main() -> ExitCode {
    scale::main("webhook_latency", parse, run)
}

fn parse(args: &[String]) -> Result<Config> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut config = Config {
        rounds: env("WEBHOOK_ROUNDS")
            .map(|v| v.parse())
            .transpose()?
            .unwrap_or(100),
        tk: env("SCALE_TK").map(PathBuf::from),
    };
    scale::each_flag(args, |flag, value| {
        match flag {
            "--bench" => {}
            "--rounds" => config.rounds = value()?.parse()?,
            "--tk" => config.tk = Some(PathBuf::from(value()?)),
            other => bail!("unknown argument {other}"),
        }
        Ok(())
    })?;
    if config.rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    Ok(config)
}

/// A controller process, killed on drop.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn controller(tk: &Path, kubeconfig: &Path, name: &str, args: &[String]) -> Command {
    let mut command = Command::new(tk);
    command
        .args(["controller", name, "--watch-all-namespaces=false", "-n"])
        .arg(NAMESPACE)
        .args(["--metrics-addr", "0", "--health-addr", "0"])
        .args(args)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    command
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn signature(body: &[u8]) -> String {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(TOKEN.as_bytes()).expect("any key");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

fn run(config: &Config) -> Result<bool> {
    let tk = match &config.tk {
        Some(path) => path.clone(),
        None => build_tk()?,
    };
    let cluster = scale::control_plane()?;
    let servers = testenv::git::GitServers::start()?;
    let repo = servers.create_repo("fleet")?;
    let first = repo.commit("Add the app", &[("app.yaml", "round: none\n")])?;
    repo.push()?;
    let url = servers.http().url("fleet");

    let runtime = tokio::runtime::Runtime::new()?;
    let client = runtime.block_on(async {
        let client = scale::client(cluster.kubeconfig_path()).await?;
        apply_crds(&client).await?;
        create_objects(&client, &url).await?;
        anyhow::Ok(client)
    })?;

    let storage = tempfile::Builder::new()
        .prefix("tk-webhook-latency-")
        .tempdir()?;
    let mut source = controller(
        &tk,
        cluster.kubeconfig_path(),
        "source",
        &[
            "--log-level=debug".into(),
            "--events-listen-addr=0".into(),
            "--receiver-addr=0".into(),
            "--storage-addr=127.0.0.1:0".into(),
            format!("--storage-path={}", storage.path().display()),
        ],
    )
    .stderr(Stdio::piped())
    .spawn()
    .context("starting tk controller source")?;
    // Every "reconcile started" line for a pending request of the GitRepository, stamped when
    // read: the pipe adds microseconds, not milliseconds.
    let (started_tx, started) = mpsc::channel::<Instant>();
    let stderr = source.stderr.take().context("no stderr pipe")?;
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("\"msg\":\"reconcile started\"")
                && line.contains("\"name\":\"fleet\"")
                && line.contains("\"request\":")
                && started_tx.send(Instant::now()).is_err()
            {
                break;
            }
        }
    });
    let source = Process(source);
    let receiver_port = free_port()?;
    let notification = Process(
        controller(
            &tk,
            cluster.kubeconfig_path(),
            "notification",
            &[
                "--events-listen-addr=0".into(),
                format!("--receiver-addr=127.0.0.1:{receiver_port}"),
            ],
        )
        .stderr(Stdio::null())
        .spawn()
        .context("starting tk controller notification")?,
    );

    runtime.block_on(async {
        let repos: Api<GitRepository> = Api::namespaced(client.clone(), NAMESPACE);
        wait_revision(
            &repos,
            &format!("main@sha1:{first}"),
            Duration::from_secs(120),
        )
        .await?;
        let path = wait_webhook_path(&client).await?;
        let hook = format!("http://127.0.0.1:{receiver_port}{path}");
        let http = reqwest::Client::new();
        let mut answered = Vec::new();
        let mut reconciling = Vec::new();
        let mut fetched = Vec::new();
        for round in 0..config.rounds {
            while started.try_recv().is_ok() {}
            let sha = repo.commit(
                &format!("Round {round}"),
                &[("app.yaml", &format!("round: {round}\n"))],
            )?;
            repo.push()?;
            let push = format!(r#"{{"ref":"refs/heads/main","after":"{sha}"}}"#);
            let sent = Instant::now();
            let status = http
                .post(&hook)
                .header("X-GitHub-Event", "push")
                .header("X-Hub-Signature-256", signature(push.as_bytes()))
                .header("Content-Type", "application/json")
                .body(push)
                .send()
                .await?
                .status();
            answered.push(sent.elapsed());
            if status != 200 {
                bail!("round {round}: the webhook was answered {status}");
            }
            let start =
                tokio::task::block_in_place(|| started.recv_timeout(Duration::from_secs(30)))
                    .with_context(|| format!("round {round}: no reconcile started within 30s"))?;
            reconciling.push(start.saturating_duration_since(sent));
            wait_revision(&repos, &format!("main@sha1:{sha}"), Duration::from_secs(30))
                .await
                .with_context(|| format!("round {round}"))?;
            fetched.push(sent.elapsed());
        }
        println!(
            "{} rounds, one signed GitHub push each (times from just before the POST):",
            config.rounds
        );
        for (what, times) in [
            ("webhook answered (GitRepository annotated)", &mut answered),
            ("source controller started the reconcile", &mut reconciling),
            ("new artifact in the GitRepository status", &mut fetched),
        ] {
            times.sort();
            println!(
                "  {what:<45} p50 {:>6.1} ms  p90 {:>6.1} ms  p99 {:>6.1} ms  max {:>6.1} ms",
                ms(percentile(times, 0.50)),
                ms(percentile(times, 0.90)),
                ms(percentile(times, 0.99)),
                ms(percentile(times, 1.0)),
            );
        }
        anyhow::Ok(())
    })?;
    for (name, process) in [("source", &source), ("notification", &notification)] {
        let s = sample(process.0.id())?;
        println!(
            "tk controller {name}: RSS {:.1} MiB, peak {:.1} MiB",
            s.rss_kb as f64 / 1024.0,
            s.hwm_kb as f64 / 1024.0
        );
    }
    Ok(true)
}

async fn create_objects(client: &kube::Client, url: &str) -> Result<()> {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let namespace: Namespace =
        serde_json::from_value(json!({ "metadata": { "name": NAMESPACE } }))?;
    match namespaces.create(&PostParams::default(), &namespace).await {
        Ok(_) => {}
        Err(kube::Error::Api(e)) if e.code == 409 => {}
        Err(e) => return Err(e.into()),
    }
    let params = PatchParams::apply("tk-bench").force();
    let secret: Secret = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": { "name": "webhook-token", "namespace": NAMESPACE },
        "stringData": { "token": TOKEN },
    }))?;
    Api::<Secret>::namespaced(client.clone(), NAMESPACE)
        .patch("webhook-token", &params, &Patch::Apply(&secret))
        .await?;
    let repo = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": { "name": "fleet", "namespace": NAMESPACE },
        "spec": { "url": url, "interval": "1h", "ref": { "branch": "main" } },
    });
    Api::<GitRepository>::namespaced(client.clone(), NAMESPACE)
        .patch("fleet", &params, &Patch::Apply(&repo))
        .await?;
    let receiver = json!({
        "apiVersion": "notification.toolkit.fluxcd.io/v1", "kind": "Receiver",
        "metadata": { "name": "github", "namespace": NAMESPACE },
        "spec": {
            "type": "github",
            "events": ["push"],
            "secretRef": { "name": "webhook-token" },
            "resources": [{ "kind": "GitRepository", "name": "fleet" }],
        },
    });
    Api::<Receiver>::namespaced(client.clone(), NAMESPACE)
        .patch("github", &params, &Patch::Apply(&receiver))
        .await?;
    Ok(())
}

async fn wait_revision(repos: &Api<GitRepository>, revision: &str, within: Duration) -> Result<()> {
    let deadline = Instant::now() + within;
    loop {
        let repo = repos.get("fleet").await?;
        let current = repo
            .status
            .as_ref()
            .and_then(|s| s.artifact.as_ref())
            .map(|a| a.revision.as_str());
        if current == Some(revision) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the GitRepository is not at {revision} (it is at {current:?})");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn wait_webhook_path(client: &kube::Client) -> Result<String> {
    let receivers: Api<Receiver> = Api::namespaced(client.clone(), NAMESPACE);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let receiver = receivers.get("github").await?;
        if let Some(path) = receiver.status.and_then(|s| s.webhook_path) {
            return Ok(path);
        }
        if Instant::now() > deadline {
            bail!("the Receiver published no webhook path within 60s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
