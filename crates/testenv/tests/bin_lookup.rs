//! When the binaries are missing or broken, start() fails and says exactly why.
//! (Its own test binary, since it sets TK_RIG_BIN for the whole process.)

use std::os::unix::fs::PermissionsExt;
use testenv::{ControlPlane, Options};

fn start_error(opts: Options) -> String {
    match ControlPlane::start_with(opts) {
        Ok(_) => panic!("the control plane started"),
        Err(e) => format!("{e:#}"),
    }
}

#[test]
fn missing_or_broken_binaries_are_reported() {
    let tmp = tempfile::tempdir().unwrap();

    let missing = tmp.path().join("no-such-bin-dir");
    // SAFETY: this is the only test in this binary, so no other thread reads the environment.
    unsafe { std::env::set_var("TK_RIG_BIN", &missing) };
    let err = start_error(Options::default());
    assert!(err.contains("TK_RIG_BIN"), "{err}");
    assert!(err.contains(&missing.display().to_string()), "{err}");

    let partial = tmp.path().join("partial");
    std::fs::create_dir(&partial).unwrap();
    std::fs::write(partial.join("etcd"), "").unwrap();
    unsafe { std::env::set_var("TK_RIG_BIN", &partial) };
    let err = start_error(Options::default());
    assert!(
        err.contains(&partial.join("kube-apiserver").display().to_string()),
        "{err}"
    );

    // A component that dies at start-up is named, with its exit status and log.
    let broken = tmp.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    for name in [
        "etcd",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "kwok",
    ] {
        let path = broken.join(name);
        std::fs::write(
            &path,
            format!("#!/bin/sh\necho '{name}: cannot start here' >&2\nexit 3\n"),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let err = start_error(Options {
        bin_dir: Some(broken),
        ..Default::default()
    });
    assert!(err.contains("etcd exited (exit code 3)"), "{err}");
    assert!(err.contains("etcd: cannot start here"), "{err}");
}
