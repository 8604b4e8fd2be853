//! Child processes of the rig: spawned so they cannot outlive us, logged to files, and
//! reported with their log tail when they fail.

use anyhow::{Context, Result, anyhow};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};

type SpawnRequest = (Command, mpsc::Sender<io::Result<Child>>);

/// PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, not the process.
/// Test harnesses run each test on its own short-lived thread, so a control plane started
/// from a test would be killed as soon as that test finished; spawning from one thread that
/// lives as long as the process ties the children's lifetime to the process instead.
fn spawner() -> &'static Mutex<mpsc::Sender<SpawnRequest>> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name("testenv-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
                // The sender lives in a static, so this loop never ends; park in case it does,
                // since exiting would kill every child.
                loop {
                    std::thread::park();
                }
            })
            .expect("starting the testenv spawner thread");
        Mutex::new(tx)
    })
}

fn spawn_tied(mut cmd: Command) -> io::Result<Child> {
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: only async-signal-safe calls (prctl, getppid, _exit) run between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
    let (tx, rx) = mpsc::channel();
    spawner()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send((cmd, tx))
        .map_err(|_| io::Error::other("testenv spawner thread is gone"))?;
    rx.recv()
        .map_err(|_| io::Error::other("testenv spawner thread is gone"))?
}

/// One running control-plane component.
pub(crate) struct Component {
    pub name: &'static str,
    pub child: Child,
    pub log: PathBuf,
}

impl Component {
    pub fn start(name: &'static str, bin: &Path, args: &[String], dir: &Path) -> Result<Component> {
        let log = dir.join(format!("{name}.log"));
        let out = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        Self::spawn(name, bin, args, dir, log, out)
    }

    /// Starts the component again after it stopped, appending to the log of its earlier runs.
    pub fn restart(&self, bin: &Path, args: &[String], dir: &Path) -> Result<Component> {
        let mut out = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&self.log)
            .with_context(|| format!("opening {}", self.log.display()))?;
        std::io::Write::write_all(&mut out, b"\n--- testenv: restarted ---\n")?;
        Self::spawn(self.name, bin, args, dir, self.log.clone(), out)
    }

    fn spawn(
        name: &'static str,
        bin: &Path,
        args: &[String],
        dir: &Path,
        log: PathBuf,
        out: File,
    ) -> Result<Component> {
        let err = out.try_clone()?;
        let mut cmd = Command::new(bin);
        cmd.args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let child = spawn_tied(cmd).with_context(|| format!("starting {}", bin.display()))?;
        Ok(Component { name, child, log })
    }

    /// Err with the log tail if the process has exited.
    pub fn check_alive(&mut self) -> Result<()> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(self.failure(&format!("exited ({})", describe(status)))),
            Err(e) => Err(anyhow!("{}: waiting on the process: {e}", self.name)),
        }
    }

    pub fn failure(&self, what: &str) -> anyhow::Error {
        anyhow!(
            "{} {what}; last lines of {}:\n{}",
            self.name,
            self.log.display(),
            tail(&self.log, 40)
        )
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        _ => status.to_string(),
    }
}

/// The last `lines` lines of a file, read from its end so huge logs stay cheap.
pub fn tail(path: &Path, lines: usize) -> String {
    let Ok(mut f) = File::open(path) else {
        return format!("(cannot open {})", path.display());
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(64 * 1024);
    let mut buf = Vec::new();
    if f.seek(SeekFrom::Start(start)).is_err() || f.read_to_end(&mut buf).is_err() {
        return format!("(cannot read {})", path.display());
    }
    let text = String::from_utf8_lossy(&buf);
    let all: Vec<&str> = text.lines().collect();
    let from = all.len().saturating_sub(lines);
    if all.is_empty() {
        "(empty log)".to_string()
    } else {
        all[from..].join("\n")
    }
}

/// `n` distinct loopback ports that were free a moment ago. The listeners are held until
/// all are chosen so the kernel cannot hand out the same port twice; another process may
/// still take one before the component binds it, so start() retries when that happens.
pub fn free_ports(n: usize) -> Result<Vec<u16>> {
    let listeners = (0..n)
        .map(|_| {
            TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0 to find a free port")
        })
        .collect::<Result<Vec<_>>>()?;
    listeners
        .iter()
        .map(|l| Ok(l.local_addr()?.port()))
        .collect()
}
