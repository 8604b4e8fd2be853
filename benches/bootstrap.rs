//! `tk bootstrap git` wall time on the test rig, split by step. Each round bootstraps a
//! fresh namespace from an empty repository over SSH (first: clone, commit, push, install,
//! secret, sync, then until the GitRepository fetched, the Kustomization applied and the
//! components are healthy), runs the same command again (nothing to do), then upgrades
//! through Git (another component set: one commit, applied by the cluster's own
//! Kustomization). The release `tk controller all`, watching the round's namespace, plays
//! the in-cluster controllers. Each run's `--verbose` timings line is printed, then the
//! median (min–max) of every step over the rounds.
//!
//! ```text
//! cargo bench --bench bootstrap                  # 5 rounds
//! cargo bench --bench bootstrap -- --rounds 10
//! ```
//!
//! Options (flag or environment): `--rounds N` / `BOOTSTRAP_ROUNDS` (5), `--tk PATH` /
//! `SCALE_TK` (default: `cargo build --release --bin tk`). `TK_TEST_KUBECONFIG` uses an
//! existing cluster. Run without `--bench` (as `cargo test --benches` does) it does nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use serde_json::json;
use testenv::git::{GitServers, SshKeyPair, SshKeyType};

#[path = "support/scale.rs"]
mod scale;
use scale::build_tk;

struct Config {
    rounds: usize,
    tk: Option<PathBuf>,
}

fn main() -> ExitCode {
    scale::main("bootstrap", parse, run)
}

fn parse(args: &[String]) -> Result<Config> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut config = Config {
        rounds: env("BOOTSTRAP_ROUNDS")
            .map(|v| v.parse())
            .transpose()
            .context("BOOTSTRAP_ROUNDS: a count")?
            .unwrap_or(5),
        tk: env("SCALE_TK").map(PathBuf::from),
    };
    scale::each_flag(args, |flag, value| {
        match flag {
            "--bench" => {}
            "--rounds" => config.rounds = value()?.parse().context("--rounds: a count")?,
            "--tk" => config.tk = Some(PathBuf::from(value()?)),
            other => bail!("unknown option {other}"),
        }
        Ok(())
    })?;
    if config.rounds == 0 {
        bail!("--rounds: at least 1");
    }
    Ok(config)
}

/// The three runs of a round, with the flags each adds.
const RUNS: [(&str, &[&str]); 3] = [
    ("first", &[]),
    ("again", &[]),
    (
        "upgrade",
        &[
            "--components",
            "source-controller,kustomize-controller,notification-controller",
        ],
    ),
];

fn run(config: &Config) -> Result<bool> {
    let tk = match &config.tk {
        Some(path) => path.clone(),
        None => build_tk()?,
    };
    println!(
        "machine: {} cores (shared with other work)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let cluster = scale::control_plane()?;
    let kubeconfig = cluster.kubeconfig_path().to_path_buf();
    let servers = GitServers::start()?;
    let work = tempfile::Builder::new()
        .prefix("tk-bench-bootstrap-")
        .tempdir()?;
    let key = SshKeyPair::generate(SshKeyType::Ed25519)?;
    servers.ssh().add_authorized_key(&key.public_key)?;
    let key_path = work.path().join("identity");
    key.write_private_key(&key_path)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let client = runtime.block_on(async { scale::client(&kubeconfig).await })?;

    // phase → step → seconds of each round.
    let mut figures: BTreeMap<&str, BTreeMap<String, Vec<f64>>> = BTreeMap::new();
    for round in 0..config.rounds {
        let ns = format!("tk-bench-boot-{}-{round}", std::process::id());
        let repo = servers.create_repo(&format!("fleet-{round}"))?;
        let storage = work.path().join(format!("storage-{round}"));
        let log = work.path().join(format!("controller-{round}.log"));
        let mut controller = Command::new(&tk)
            .args([
                "controller",
                "all",
                "--watch-all-namespaces=false",
                "-n",
                &ns,
            ])
            .args([
                "--metrics-addr",
                "0",
                "--health-addr",
                "0",
                "--storage-addr",
                "127.0.0.1:0",
            ])
            .arg("--storage-path")
            .arg(&storage)
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .env_remove("KUBECONFIG")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .with_context(|| format!("starting {}", tk.display()))?;
        let outcome = (|| -> Result<()> {
            for (phase, extra) in RUNS {
                let steps = bootstrap(
                    &tk,
                    &kubeconfig,
                    &ns,
                    &servers.ssh().url(repo.name()),
                    &key_path,
                    extra,
                )?;
                println!("round {round} {phase:8} {}", line(&steps));
                for (step, seconds) in steps {
                    figures
                        .entry(phase)
                        .or_default()
                        .entry(step)
                        .or_default()
                        .push(seconds);
                }
            }
            Ok(())
        })();
        let _ = controller.kill();
        let _ = controller.wait();
        // With the controllers gone, the sync Kustomization must not be finalized (it would
        // prune the CRDs): finalizers dropped, then the namespace deleted.
        runtime.block_on(forget(&client, &ns))?;
        outcome.with_context(|| format!("round {round}; controller log: {}", log.display()))?;
    }

    println!("\nmedian (min–max) over {} rounds, seconds:", config.rounds);
    for (phase, _) in RUNS {
        let Some(steps) = figures.get(phase) else {
            continue;
        };
        let cells: Vec<String> = order(steps)
            .into_iter()
            .map(|(step, values)| {
                let mut sorted = values.clone();
                sorted.sort_by(f64::total_cmp);
                format!(
                    "{step} {:.2} ({:.2}–{:.2})",
                    sorted[sorted.len() / 2],
                    sorted[0],
                    sorted[sorted.len() - 1]
                )
            })
            .collect();
        println!("  {phase:8} {}", cells.join(", "));
    }
    Ok(true)
}

/// One `tk bootstrap git --verbose`; its timings line as (step, seconds), `total` last.
fn bootstrap(
    tk: &Path,
    kubeconfig: &Path,
    ns: &str,
    url: &str,
    key: &Path,
    extra: &[&str],
) -> Result<Vec<(String, f64)>> {
    let out = Command::new(tk)
        .args([
            "bootstrap",
            "git",
            "--url",
            url,
            "--path",
            "clusters/bench",
            "--silent",
        ])
        .args(["--verbose", "--timeout", "5m", "-n", ns])
        .arg("--private-key-file")
        .arg(key)
        .args(extra)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .env_remove("KUBECONFIG")
        .env_remove("SSH_AUTH_SOCK")
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("tk bootstrap failed:\n{stderr}");
    }
    let timings = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("timings: "))
        .context("no timings line in the --verbose output")?;
    let (steps, total) = timings
        .rsplit_once(" (total ")
        .context("timings line without a total")?;
    let seconds = |s: &str| -> Result<f64> {
        s.trim()
            .trim_end_matches(')')
            .trim_end_matches('s')
            .parse()
            .with_context(|| format!("bad duration {s:?}"))
    };
    let mut parsed = Vec::new();
    for step in steps.split(", ") {
        let (name, value) = step.rsplit_once(' ').context("bad step")?;
        parsed.push((name.to_string(), seconds(value)?));
    }
    parsed.push(("total".to_string(), seconds(total)?));
    Ok(parsed)
}

fn line(steps: &[(String, f64)]) -> String {
    steps
        .iter()
        .map(|(s, v)| format!("{s} {v:.2}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Steps in the order a bootstrap runs them (a run skips some), `total` last.
fn order(steps: &BTreeMap<String, Vec<f64>>) -> Vec<(&str, &Vec<f64>)> {
    const ORDER: [&str; 11] = [
        "checks", "clone", "commit", "push", "install", "secret", "sync", "fetched", "applied",
        "healthy", "total",
    ];
    ORDER
        .iter()
        .filter_map(|name| steps.get_key_value(*name))
        .map(|(k, v)| (k.as_str(), v))
        .collect()
}

async fn forget(client: &kube::Client, ns: &str) -> Result<()> {
    let unfinalize = json!({ "metadata": { "finalizers": null } });
    for (group, version, kind, plural) in [
        (
            "kustomize.toolkit.fluxcd.io",
            "v1",
            "Kustomization",
            "kustomizations",
        ),
        (
            "source.toolkit.fluxcd.io",
            "v1",
            "GitRepository",
            "gitrepositories",
        ),
    ] {
        let resource = kube::core::ApiResource::from_gvk_with_plural(
            &kube::core::GroupVersionKind::gvk(group, version, kind),
            plural,
        );
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &resource);
        for object in api.list(&Default::default()).await?.items {
            let name = object.metadata.name.unwrap_or_default();
            api.patch(&name, &PatchParams::default(), &Patch::Merge(&unfinalize))
                .await?;
        }
    }
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let _ = namespaces.delete(ns, &DeleteParams::default()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(())
}
