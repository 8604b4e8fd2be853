//! What the scale harnesses share: the release `tk` they run, tk's CRDs on the rig, and
//! readings of a process's `/proc` files. Included by each harness with `#[path]` (a bench
//! is a crate of its own); each reads the fields it reports, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::fs;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, Patch, PatchParams};

/// `cargo build --release --bin tk`, returning the executable cargo reports.
pub fn build_tk() -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--bin",
            "tk",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo build --release --bin tk")?;
    if !out.status.success() {
        bail!("cargo build --release --bin tk failed: {}", out.status);
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "tk")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .context("cargo build did not report the tk executable")
}

pub fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

pub async fn apply_crds(client: &kube::Client) -> Result<()> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let params = PatchParams::apply("tk-scale").force();
    for crd in tk::api::crds() {
        let name = crd.metadata.name.clone().unwrap_or_default();
        api.patch(&name, &params, &Patch::Apply(&crd))
            .await
            .with_context(|| format!("applying CRD {name}"))?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let established = api
                .get(&name)
                .await?
                .status
                .and_then(|s| s.conditions)
                .is_some_and(|c| {
                    c.iter()
                        .any(|c| c.type_ == "Established" && c.status == "True")
                });
            if established {
                break;
            }
            if Instant::now() > deadline {
                bail!("CRD {name} not established within 30s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    Ok(())
}

/// A harness's `main`: without `--bench` (as `cargo test --benches` runs it) it only says
/// it was skipped; a bad option or a failed run exits 2, a missed bound 1.
pub fn main<C>(
    name: &str,
    parse: fn(&[String]) -> Result<C>,
    run: fn(&C) -> Result<bool>,
) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("{name}: skipped (takes minutes); run `cargo bench --bench {name}`");
        return ExitCode::SUCCESS;
    }
    let outcome = parse(&args).and_then(|config| run(&config));
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("{name}: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// One reading of a process's /proc files.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    pub rss_kb: u64,
    pub hwm_kb: u64,
    pub anon_kb: u64,
    pub file_kb: u64,
    pub threads: u64,
    /// utime + stime in clock ticks.
    pub cpu_ticks: u64,
    /// stime alone: time in the kernel on the process's behalf.
    pub sys_ticks: u64,
}

pub fn sample(pid: u32) -> Result<Sample> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |key: &str| -> u64 {
        status
            .lines()
            .find_map(|l| {
                l.strip_prefix(key)?
                    .strip_prefix(':')?
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()
            })
            .unwrap_or(0)
    };
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest: Vec<&str> = stat[stat.rfind(')').context("bad /proc stat")? + 1..]
        .split_whitespace()
        .collect();
    let ticks = |i: usize| -> u64 { rest.get(i - 3).and_then(|v| v.parse().ok()).unwrap_or(0) };
    Ok(Sample {
        rss_kb: field("VmRSS"),
        hwm_kb: field("VmHWM"),
        anon_kb: field("RssAnon"),
        file_kb: field("RssFile"),
        threads: field("Threads"),
        cpu_ticks: ticks(14) + ticks(15),
        sys_ticks: ticks(15),
    })
}

/// A duration flag: seconds, `Ns` or `Nm`.
pub fn parse_secs(v: &str) -> Result<Duration> {
    let (number, unit) = match v.strip_suffix('m') {
        Some(n) => (n, 60),
        None => (v.strip_suffix('s').unwrap_or(v), 1),
    };
    let n: u64 = number
        .parse()
        .with_context(|| format!("{v:?} is not a duration like 120, 120s or 2m"))?;
    Ok(Duration::from_secs(n * unit))
}

/// The last 20 lines of a controller's log, for the error when it exits early.
pub fn log_tail(path: &std::path::Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let tail: Vec<&str> = text.lines().rev().take(20).collect();
    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
}

/// The `/metrics` page a controller serves on `127.0.0.1:<port>`.
pub fn scrape_metrics(port: u16) -> Result<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut text = String::new();
    stream.read_to_string(&mut text)?;
    let (head, body) = text.split_once("\r\n\r\n").context("no HTTP response")?;
    if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
        bail!("GET /metrics: {}", head.lines().next().unwrap_or(""));
    }
    Ok(body.to_string())
}

/// The `p` quantile (0..=1) of sorted durations, by the nearest-rank rule.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The rig: the cluster of `TK_TEST_KUBECONFIG` when set, else a new testenv control plane.
pub fn control_plane() -> Result<testenv::ControlPlane> {
    match std::env::var_os("TK_TEST_KUBECONFIG") {
        Some(path) => testenv::ControlPlane::external(PathBuf::from(path)),
        None => testenv::ControlPlane::start(),
    }
}

/// A client for `kubeconfig`, as the harness's own requests use.
pub async fn client(kubeconfig: &std::path::Path) -> Result<kube::Client> {
    use kube::config::{KubeConfigOptions, Kubeconfig};
    tk::cli::install_crypto_provider();
    let config = kube::Config::from_custom_kubeconfig(
        Kubeconfig::read_from(kubeconfig)?,
        &KubeConfigOptions::default(),
    )
    .await?;
    Ok(kube::Client::try_from(config)?)
}

/// Walks `--flag value` / `--flag=value` arguments: `apply` gets each flag and a closure that
/// takes its value (from after `=`, else the next argument).
pub fn each_flag(
    args: &[String],
    mut apply: impl FnMut(&str, &mut dyn FnMut() -> Result<String>) -> Result<()>,
) -> Result<()> {
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        let mut value = || -> Result<String> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .with_context(|| format!("{flag} needs a value"))
        };
        apply(flag, &mut value)?;
    }
    Ok(())
}
