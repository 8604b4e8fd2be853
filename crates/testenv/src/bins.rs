//! Finding the control-plane binaries: TK_RIG_BIN, or whatever hack/rig-build.sh builds.

use anyhow::{Context, Result, anyhow, bail};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub const BINARIES: [&str; 5] = [
    "etcd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kwok",
];

/// Checks that `dir` holds every binary; `source` says where the path came from so the
/// error points at what to fix.
pub fn check_bin_dir(dir: &Path, source: &str) -> Result<PathBuf> {
    if !dir.is_dir() {
        bail!("{source} ({}): no such directory", dir.display());
    }
    for name in BINARIES {
        let path = dir.join(name);
        if !path.is_file() {
            bail!(
                "{source} ({}): {} is missing",
                dir.display(),
                path.display()
            );
        }
    }
    Ok(dir.to_path_buf())
}

fn build_script() -> Result<PathBuf> {
    // The compile-time manifest dir is right for tests and `cargo run`; walking up from the
    // working directory covers a copied `rig` binary run from inside the repository.
    let mut starts = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR"))];
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    for start in &starts {
        for dir in start.ancestors() {
            let script = dir.join("hack/rig-build.sh");
            if script.is_file() {
                return Ok(script);
            }
        }
    }
    Err(anyhow!(
        "TK_RIG_BIN is not set and hack/rig-build.sh was not found above {} or the working directory",
        env!("CARGO_MANIFEST_DIR")
    ))
}

/// TK_RIG_BIN if set, else the directory hack/rig-build.sh prints (building on first use).
pub fn locate() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("TK_RIG_BIN") {
        return check_bin_dir(Path::new(&dir), "TK_RIG_BIN");
    }
    let script = build_script()?;
    let dir = run_build_script(&script, None)?;
    check_bin_dir(
        Path::new(&dir),
        &format!("the directory printed by {}", script.display()),
    )
}

/// Runs hack/rig-build.sh (with `--<tool>` to build only that reference CLI) and returns the
/// last line it printed: the bin directory, or the tool's path.
fn run_build_script(script: &Path, tool: Option<&str>) -> Result<String> {
    let mut command = Command::new("bash");
    command.arg(script);
    if let Some(tool) = tool {
        command.arg(format!("--{tool}"));
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running {}", script.display()))?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    // A cold build takes minutes: pass its progress through (past the test harness's
    // capture) and keep the end for the error message.
    let mut last = std::collections::VecDeque::new();
    for line in BufReader::new(child.stderr.take().expect("piped stderr")).lines() {
        let Ok(line) = line else { break };
        let _ = writeln!(std::io::stderr(), "{line}");
        if last.len() == 30 {
            last.pop_front();
        }
        last.push_back(line);
    }
    let status = child
        .wait()
        .with_context(|| format!("waiting for {}", script.display()))?;
    let stdout = out_thread.join().unwrap_or_default();
    let what = tool.unwrap_or("the rig's binaries");
    if !status.success() {
        bail!(
            "{} failed ({status}), so {what} is not available; its last output:\n{}",
            script.display(),
            Vec::from(last).join("\n")
        );
    }
    let line = stdout.lines().last().unwrap_or_default().trim();
    if line.is_empty() {
        bail!("{} printed no path for {what}", script.display());
    }
    Ok(line.to_string())
}

/// The tools built from the Go module proxy that tests run beside tk: the reference CLIs the
/// differential and interoperability tests compare tk with, and the servers tk talks to.
#[derive(Clone, Copy, Debug)]
pub enum Reference {
    /// kustomize v5.5.0 (crates/kustomize follows it)
    Kustomize,
    /// helm v3.22.0 (crates/helm follows it)
    Helm,
    /// CNCF Distribution's `registry` (the OCI registry)
    Registry,
    /// Versity Gateway (`versitygw`, the S3-compatible server)
    S3,
}

impl Reference {
    /// The `hack/rig-build.sh --<flag>` that builds it.
    fn flag(self) -> &'static str {
        match self {
            Reference::Kustomize => "kustomize",
            Reference::Helm => "helm",
            Reference::Registry => "registry",
            Reference::S3 => "s3",
        }
    }

    fn binary(self) -> &'static str {
        match self {
            Reference::S3 => "versitygw",
            other => other.flag(),
        }
    }

    fn env_var(self) -> &'static str {
        match self {
            Reference::Kustomize => "TK_KUSTOMIZE_BIN",
            Reference::Helm => "TK_HELM_BIN",
            Reference::Registry => "TK_REGISTRY_BIN",
            Reference::S3 => "TK_S3_BIN",
        }
    }
}

/// The tool's binary: its environment variable (`TK_KUSTOMIZE_BIN`, `TK_HELM_BIN`,
/// `TK_REGISTRY_BIN`, `TK_S3_BIN`) when set, else what `hack/rig-build.sh --<flag>` builds
/// from the Go module proxy (once, into the rig cache).
pub fn reference(tool: Reference) -> Result<PathBuf> {
    let var = tool.env_var();
    if let Some(path) = std::env::var_os(var) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            bail!(
                "{var}={} is not a file: point it at a `{}` binary or unset it",
                path.display(),
                tool.binary()
            );
        }
        return Ok(path);
    }
    let script = build_script()?;
    let path = PathBuf::from(run_build_script(&script, Some(tool.flag()))?);
    if !path.is_file() {
        bail!(
            "{} --{} printed {}, which is not a file",
            script.display(),
            tool.flag(),
            path.display()
        );
    }
    Ok(path)
}
