//! `rig up | down | status`: a long-lived control plane for the demo and for iterating on
//! tests (`TK_TEST_KUBECONFIG`), started by the same code the tests use.
//!
//! `up` re-executes this binary as `rig serve` in its own session, so the control plane
//! outlives the shell command; `serve` owns the component processes (they die with it) and
//! tears them down on SIGTERM. State lives in `$TK_RIG_STATE`, else
//! `${XDG_CACHE_HOME:-~/.cache}/tk-rig/run`.

use anyhow::{Context, Result, anyhow, bail};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: rig up|down|status

  up       start a control plane and a demo Git server in the background and print
           `export KUBECONFIG=...` and `export TK_DEMO_GIT_URL=...`
           (eval \"$(hack/rig up)\"); does nothing but print if one is already running
  down     stop it and remove its state
  status   say whether it runs, where, and which version answers

State directory: $TK_RIG_STATE, else ${XDG_CACHE_HOME:-~/.cache}/tk-rig/run.
Binaries: $TK_RIG_BIN, else hack/rig-build.sh.";

struct State {
    dir: PathBuf,
}

impl State {
    fn new() -> Result<State> {
        let dir = match std::env::var_os("TK_RIG_STATE") {
            Some(d) => PathBuf::from(d),
            None => {
                let cache = match std::env::var_os("XDG_CACHE_HOME") {
                    Some(c) => PathBuf::from(c),
                    None => PathBuf::from(
                        std::env::var_os("HOME")
                            .ok_or_else(|| anyhow!("neither TK_RIG_STATE nor HOME is set"))?,
                    )
                    .join(".cache"),
                };
                cache.join("tk-rig/run")
            }
        };
        let dir = if dir.is_absolute() {
            dir
        } else {
            std::env::current_dir()?.join(dir)
        };
        Ok(State { dir })
    }
    fn pid_file(&self) -> PathBuf {
        self.dir.join("serve.pid")
    }
    fn log(&self) -> PathBuf {
        self.dir.join("serve.log")
    }
    /// Written last by `serve`, once the control plane is ready: kubeconfig path, then server.
    fn ready_file(&self) -> PathBuf {
        self.dir.join("ready")
    }
    fn pids_file(&self) -> PathBuf {
        self.dir.join("pids")
    }
    fn cp_dir(&self) -> PathBuf {
        self.dir.join("cp")
    }

    /// The pid of a live `rig serve` for this state directory, if any.
    fn serve_pid(&self) -> Option<i32> {
        let pid: i32 = std::fs::read_to_string(self.pid_file())
            .ok()?
            .trim()
            .parse()
            .ok()?;
        is_serve_process(pid).then_some(pid)
    }

    fn ready(&self) -> Option<(PathBuf, String)> {
        let text = std::fs::read_to_string(self.ready_file()).ok()?;
        let mut lines = text.lines();
        Some((PathBuf::from(lines.next()?), lines.next()?.to_string()))
    }

    /// The demo repository's URL, the ready file's third line.
    fn demo_git_url(&self) -> Option<String> {
        let text = std::fs::read_to_string(self.ready_file()).ok()?;
        text.lines().nth(2).map(str::to_string)
    }
}

/// Alive (not a zombie) and really a `rig serve`, so a recycled pid is never signalled.
fn is_serve_process(pid: i32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat
        .rsplit_once(") ")
        .and_then(|(_, rest)| rest.chars().next());
    if matches!(state, Some('Z') | Some('X') | None) {
        return false;
    }
    let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    cmdline.split(|b| *b == 0).any(|arg| arg == b"serve")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["up"] => up(),
        ["down"] => down(),
        ["status"] => status(),
        ["serve"] => serve(),
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            eprintln!("{USAGE}");
            Ok(ExitCode::from(2))
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("rig: {e:#}");
        ExitCode::FAILURE
    })
}

fn print_ready(state: &State, kubeconfig: &Path, server: &str) {
    println!("export KUBECONFIG={}", kubeconfig.display());
    if let Some(url) = state.demo_git_url() {
        println!("export TK_DEMO_GIT_URL={url}");
    }
    eprintln!(
        "rig: control plane at {server}\nrig: kubeconfig {}\nrig: logs in {} and {}\nrig: stop it with hack/rig down",
        kubeconfig.display(),
        state.log().display(),
        state.cp_dir().display()
    );
}

fn up() -> Result<ExitCode> {
    let state = State::new()?;
    if state.serve_pid().is_some()
        && let Some((kubeconfig, server)) = state.ready()
    {
        eprintln!("rig: already running");
        print_ready(&state, &kubeconfig, &server);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(pid) = state.serve_pid() {
        bail!(
            "a rig serve (pid {pid}) is still starting or stuck in {}; see {} or run `rig down`",
            state.dir.display(),
            state.log().display()
        );
    }
    // Leftovers of a serve that died: its children died with it.
    let _ = std::fs::remove_dir_all(&state.dir);
    std::fs::create_dir_all(&state.dir)
        .with_context(|| format!("creating {}", state.dir.display()))?;
    let log = std::fs::File::create(state.log())
        .with_context(|| format!("creating {}", state.log().display()))?;
    let exe = std::env::current_exe().context("finding the rig executable")?;
    let mut cmd = Command::new(exe);
    cmd.arg("serve")
        .env("TK_RIG_STATE", &state.dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    // SAFETY: setsid is async-signal-safe; a new session keeps the terminal's hangup and
    // Ctrl-C away from the control plane.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = cmd.spawn().context("starting rig serve")?;
    eprintln!(
        "rig: starting the control plane (logs: {})",
        state.log().display()
    );
    let start = Instant::now();
    // A cold cache means building Kubernetes first, which takes many minutes.
    let timeout = Duration::from_secs(30 * 60);
    loop {
        if let Some((kubeconfig, server)) = state.ready() {
            eprintln!("rig: ready in {:.1}s", start.elapsed().as_secs_f64());
            print_ready(&state, &kubeconfig, &server);
            return Ok(ExitCode::SUCCESS);
        }
        if let Some(status) = child.try_wait()? {
            bail!(
                "rig serve exited ({status}) before the control plane was ready; last lines of {}:\n{}",
                state.log().display(),
                tail(&state.log(), 40)
            );
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            bail!(
                "the control plane was not ready within {}s; last lines of {}:\n{}",
                timeout.as_secs(),
                state.log().display(),
                tail(&state.log(), 40)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn tail(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn down() -> Result<ExitCode> {
    let state = State::new()?;
    if let Some(pid) = state.serve_pid() {
        // SAFETY: plain kill(2) on a pid verified to be our serve process.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let start = Instant::now();
        while is_serve_process(pid) {
            if start.elapsed() > Duration::from_secs(30) {
                eprintln!("rig: serve (pid {pid}) ignored SIGTERM for 30s; killing it");
                // SAFETY: as above; its components die with it through PR_SET_PDEATHSIG.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                std::thread::sleep(Duration::from_millis(500));
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("rig: stopped (pid {pid})");
    } else {
        eprintln!("rig: not running");
    }
    if state.dir.exists() {
        std::fs::remove_dir_all(&state.dir)
            .with_context(|| format!("removing {}", state.dir.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn status() -> Result<ExitCode> {
    let state = State::new()?;
    let Some(pid) = state.serve_pid() else {
        println!("not running");
        if state.log().exists() {
            println!(
                "last lines of {}:\n{}",
                state.log().display(),
                tail(&state.log(), 20)
            );
        }
        return Ok(ExitCode::FAILURE);
    };
    let Some((kubeconfig, server)) = state.ready() else {
        println!("starting (pid {pid}); see {}", state.log().display());
        return Ok(ExitCode::FAILURE);
    };
    println!(
        "running (pid {pid})\nserver: {server}\nkubeconfig: {}",
        kubeconfig.display()
    );
    let cp = testenv::ControlPlane::external(&kubeconfig)?;
    let (code, body) = {
        let mut resp = cp
            .admin_agent()?
            .get(&format!("{server}/version"))
            .call()
            .context("GET /version")?;
        (resp.status().as_u16(), resp.body_mut().read_to_string()?)
    };
    let version: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    match version["gitVersion"].as_str() {
        Some(v) if code == 200 => println!("version: {v}"),
        _ => println!("GET /version: {code} {body}"),
    }
    if let Ok(pids) = std::fs::read_to_string(state.pids_file()) {
        print!("{pids}");
    }
    Ok(ExitCode::SUCCESS)
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

fn write_atomically(path: &Path, contents: &str) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, contents).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}

/// A Git server (smart HTTP) holding a `demo` repository for the quickstart to reconcile.
fn demo_git_server() -> Result<testenv::GitServers> {
    let git = testenv::GitServers::start_with(testenv::git::GitServersOptions {
        ssh: None,
        daemon: false,
        ..Default::default()
    })?;
    let repo = git.create_repo("demo")?;
    // An app the quickstart's Kustomization delivers: kwok plays the kubelet, so the
    // Deployment becomes Ready and `--wait` health checks pass.
    repo.commit(
        "Add the demo app",
        &[
            (
                "apps/demo/namespace.yaml",
                "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n",
            ),
            (
                "apps/demo/configmap.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\n  namespace: demo\ndata:\n  greeting: hello from tk\n",
            ),
            (
                "apps/demo/deployment.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: demo\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        envFrom:\n        - configMapRef:\n            name: demo\n",
            ),
            (
                "apps/demo/service.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: demo\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n",
            ),
        ],
    )?;
    repo.push()?;
    Ok(git)
}

fn serve() -> Result<ExitCode> {
    let state = State::new()?;
    std::fs::create_dir_all(&state.dir)?;
    write_atomically(&state.pid_file(), &format!("{}\n", std::process::id()))?;
    for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        // SAFETY: the handler only stores to an atomic.
        unsafe { libc::signal(sig, on_signal as *const () as libc::sighandler_t) };
    }
    let cp = testenv::ControlPlane::start_with(testenv::Options {
        dir: Some(state.cp_dir()),
        ..Default::default()
    });
    let cp = match cp {
        Ok(cp) => cp,
        Err(e) => {
            let _ = std::fs::remove_file(state.pid_file());
            return Err(e);
        }
    };
    let git = match demo_git_server() {
        Ok(git) => git,
        Err(e) => {
            let _ = std::fs::remove_file(state.pid_file());
            return Err(e.context("starting the demo Git server"));
        }
    };
    let demo_url = git.http().url("demo");
    let pids: String = cp
        .component_pids()
        .iter()
        .map(|(name, pid)| format!("{name}: pid {pid}\n"))
        .collect();
    write_atomically(&state.pids_file(), &pids)?;
    write_atomically(
        &state.ready_file(),
        &format!(
            "{}\n{}\n{demo_url}\n",
            cp.kubeconfig_path().display(),
            cp.server_url()
        ),
    )?;
    eprintln!("rig serve: ready at {}", cp.server_url());
    let _ = std::io::stderr().flush();
    let mut outcome = Ok(ExitCode::SUCCESS);
    let mut ticks = 0u32;
    while !STOP.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(100));
        ticks += 1;
        if ticks.is_multiple_of(10)
            && let Err(e) = cp.check_alive()
        {
            // Stop advertising a half-dead control plane; `status` shows this log.
            outcome = Err(e.context("a component died; shutting the control plane down"));
            break;
        }
    }
    let _ = std::fs::remove_file(state.ready_file());
    drop(git);
    drop(cp);
    let _ = std::fs::remove_file(state.pid_file());
    eprintln!("rig serve: stopped");
    outcome
}
