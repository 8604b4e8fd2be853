//! Control-plane processes never outlive their owner, and `rig up|status|down` works.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use testenv::ControlPlane;

/// Gone or a zombie: either way no longer running.
fn is_running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !matches!(
            stat.rsplit_once(") ").and_then(|(_, r)| r.chars().next()),
            Some('Z' | 'X')
        ),
        Err(_) => false,
    }
}

fn wait_gone(pids: &[(String, u32)], timeout: Duration) {
    let start = Instant::now();
    while pids.iter().any(|(_, pid)| is_running(*pid)) {
        let alive: Vec<_> = pids.iter().filter(|(_, p)| is_running(*p)).collect();
        assert!(
            start.elapsed() < timeout,
            "still running after {timeout:?}: {alive:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn drop_stops_components_and_removes_the_directory() {
    let cp = ControlPlane::start().unwrap_or_else(|e| panic!("{e:#}"));
    let pids: Vec<(String, u32)> = cp
        .component_pids()
        .into_iter()
        .map(|(n, p)| (n.to_string(), p))
        .collect();
    assert_eq!(pids.len(), 5, "{pids:?}");
    let dir = cp.dir().expect("a local control plane has a directory");
    assert!(dir.join("kube-apiserver.log").is_file());
    drop(cp);
    wait_gone(&pids, Duration::from_secs(5));
    assert!(!dir.exists(), "{} still exists", dir.display());
}

fn rig(state: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rig"))
        .args(args)
        .env("TK_RIG_STATE", state)
        .output()
        .expect("running rig")
}

fn text(out: &Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `rig down` however the test ends, so no detached control plane is left behind.
struct Down(PathBuf);
impl Drop for Down {
    fn drop(&mut self) {
        let _ = rig(&self.0, &["down"]);
    }
}

#[test]
fn rig_up_status_down() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let _down = Down(state.clone());

    let up = rig(&state, &["up"]);
    assert!(up.status.success(), "{}", text(&up));
    let stdout = String::from_utf8_lossy(&up.stdout).to_string();
    let kubeconfig = stdout
        .lines()
        .find_map(|l| l.strip_prefix("export KUBECONFIG="))
        .unwrap_or_else(|| panic!("no export line: {}", text(&up)));
    let cp = ControlPlane::external(kubeconfig).expect("reading the kubeconfig");
    let mut resp = cp
        .admin_agent()
        .unwrap()
        .get(&format!("{}/version", cp.server_url()))
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(
        resp.body_mut()
            .read_to_string()
            .unwrap()
            .contains(testenv::KUBERNETES_VERSION)
    );

    let status = rig(&state, &["status"]);
    assert!(status.status.success(), "{}", text(&status));
    assert!(
        text(&status).contains(&format!("version: {}", testenv::KUBERNETES_VERSION)),
        "{}",
        text(&status)
    );

    let again = rig(&state, &["up"]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("already running"), "{}", text(&again));
    assert_eq!(String::from_utf8_lossy(&again.stdout), stdout);

    let down = rig(&state, &["down"]);
    assert!(down.status.success(), "{}", text(&down));
    assert!(!state.exists(), "state directory left behind");
    let status = rig(&state, &["status"]);
    assert!(!status.status.success(), "{}", text(&status));
    assert!(text(&status).contains("not running"), "{}", text(&status));
}

#[test]
fn components_die_when_their_owner_is_killed() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let _down = Down(state.clone());
    let mut serve = Command::new(env!("CARGO_BIN_EXE_rig"))
        .arg("serve")
        .env("TK_RIG_STATE", &state)
        .stderr(std::fs::File::create(tmp.path().join("serve.log")).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !state.join("ready").exists() {
        if let Some(status) = serve.try_wait().unwrap() {
            panic!(
                "rig serve exited ({status}):\n{}",
                std::fs::read_to_string(tmp.path().join("serve.log")).unwrap_or_default()
            );
        }
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "rig serve not ready"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let pids: Vec<(String, u32)> = std::fs::read_to_string(state.join("pids"))
        .unwrap()
        .lines()
        .filter_map(|l| {
            let (name, pid) = l.split_once(": pid ")?;
            Some((name.to_string(), pid.parse().ok()?))
        })
        .collect();
    assert_eq!(pids.len(), 5, "{pids:?}");
    assert!(pids.iter().all(|(_, p)| is_running(*p)), "{pids:?}");
    // SIGKILL leaves serve no chance to clean up; only PR_SET_PDEATHSIG can stop the children.
    serve.kill().unwrap();
    serve.wait().unwrap();
    wait_gone(&pids, Duration::from_secs(10));
}
