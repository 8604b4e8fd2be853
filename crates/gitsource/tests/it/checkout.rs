use crate::{files, fixture, servers, unique};
use gitsource::{Auth, CheckoutOptions, Error, Options, Reference, checkout, ls_remote};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

fn is_shallow(dir: &Path) -> bool {
    dir.join(".git/shallow").exists()
}

#[test]
fn fetches_one_commit_by_default_and_full_history_at_depth_zero() {
    let f = fixture("shallow");
    let dir = tempfile::tempdir().unwrap();
    for url in [
        servers().daemon().url(f.repo.name()),
        servers().http().url(f.repo.name()),
    ] {
        let shallow = dir.path().join(unique("d1"));
        checkout(
            &url,
            &Reference::branch("main"),
            &Auth::default(),
            &shallow,
            &CheckoutOptions::default(),
        )
        .unwrap();
        assert!(is_shallow(&shallow), "{url}");
        let repo = git2::Repository::open(&shallow).unwrap();
        assert!(
            repo.find_commit(git2::Oid::from_str(&f.first).unwrap())
                .is_err(),
            "{url}: parent fetched"
        );

        let full = dir.path().join(unique("d0"));
        let opts = CheckoutOptions {
            depth: 0,
            ..Default::default()
        };
        checkout(
            &url,
            &Reference::branch("main"),
            &Auth::default(),
            &full,
            &opts,
        )
        .unwrap();
        assert!(!is_shallow(&full), "{url}");
        let repo = git2::Repository::open(&full).unwrap();
        assert!(
            repo.find_commit(git2::Oid::from_str(&f.first).unwrap())
                .is_ok(),
            "{url}"
        );
    }
}

#[test]
fn sparse_checkout_writes_only_the_listed_directories() {
    let f = fixture("sparse");
    let url = servers().daemon().url(f.repo.name());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("co");
    let opts = CheckoutOptions {
        sparse_paths: vec!["./deploy/".into()],
        ..Default::default()
    };
    let c = checkout(
        &url,
        &Reference::branch("main"),
        &Auth::default(),
        &out,
        &opts,
    )
    .unwrap();
    assert_eq!(files(&out), vec!["deploy/app.yaml"]);
    assert_eq!(c.revision, format!("main@sha1:{}", f.second));

    let opts = CheckoutOptions {
        sparse_paths: vec!["nothere".into()],
        ..Default::default()
    };
    let err = checkout(
        &url,
        &Reference::branch("main"),
        &Auth::default(),
        &dir.path().join("co2"),
        &opts,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "sparse checkout dir 'nothere' does not exist in commit '{}'",
            f.second
        )
    );
    for bad in ["../outside", "/etc", "deploy/../../x"] {
        let opts = CheckoutOptions {
            sparse_paths: vec![bad.into()],
            ..Default::default()
        };
        let target = dir.path().join("co3");
        let err = checkout(
            &url,
            &Reference::branch("main"),
            &Auth::default(),
            &target,
            &opts,
        )
        .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{bad}: {err}");
        assert!(
            !target.exists(),
            "{bad}: nothing may be written before validation"
        );
    }
}

#[test]
fn submodules_are_checked_out_only_when_asked() {
    let lib = servers().create_repo(&unique("lib")).unwrap();
    let lib_sha = lib.commit("lib", &[("lib.txt", "library\n")]).unwrap();
    lib.push().unwrap();
    let app = servers().create_repo(&unique("app")).unwrap();
    app.commit("app", &[("app.txt", "app\n")]).unwrap();
    app.git([
        "submodule",
        "--quiet",
        "add",
        &servers().daemon().url(lib.name()),
        "vendor/lib",
    ])
    .unwrap();
    // A relative URL, resolved against the parent's like git does.
    app.write_file(
        ".gitmodules",
        format!(
            "[submodule \"vendor/lib\"]\n\tpath = vendor/lib\n\turl = ../{}.git\n",
            lib.name()
        ),
    )
    .unwrap();
    app.commit("add lib", &[]).unwrap();
    app.push().unwrap();
    let url = servers().daemon().url(app.name());
    let dir = tempfile::tempdir().unwrap();

    let without = dir.path().join("without");
    checkout(
        &url,
        &Reference::branch("main"),
        &Auth::default(),
        &without,
        &CheckoutOptions::default(),
    )
    .unwrap();
    assert_eq!(files(&without), vec![".gitmodules", "app.txt"]);

    let with = dir.path().join("with");
    let opts = CheckoutOptions {
        recurse_submodules: true,
        ..Default::default()
    };
    checkout(
        &url,
        &Reference::branch("main"),
        &Auth::default(),
        &with,
        &opts,
    )
    .unwrap();
    assert_eq!(
        files(&with),
        vec![".gitmodules", "app.txt", "vendor/lib/lib.txt"]
    );
    let sub = git2::Repository::open(with.join("vendor/lib")).unwrap();
    assert_eq!(sub.head().unwrap().target().unwrap().to_string(), lib_sha);

    // With sparse checkout only submodules inside the listed directories are fetched, and
    // .gitmodules (read to find them) does not stay behind.
    let sparse = dir.path().join("sparse");
    let opts = CheckoutOptions {
        recurse_submodules: true,
        sparse_paths: vec!["vendor".into()],
        ..Default::default()
    };
    checkout(
        &url,
        &Reference::branch("main"),
        &Auth::default(),
        &sparse,
        &opts,
    )
    .unwrap();
    assert_eq!(files(&sparse), vec!["vendor/lib/lib.txt"]);
}

#[test]
fn submodules_on_the_local_filesystem_are_refused() {
    let app = servers().create_repo(&unique("localsub")).unwrap();
    app.commit("app", &[("app.txt", "app\n")]).unwrap();
    let victim = servers().create_repo(&unique("victim")).unwrap();
    victim.commit("secret", &[("secret.txt", "s\n")]).unwrap();
    victim.push().unwrap();
    app.git([
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "--quiet",
        "add",
        &format!("file://{}", victim.bare_path().display()),
        "v",
    ])
    .unwrap();
    app.commit("add v", &[]).unwrap();
    app.push().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opts = CheckoutOptions {
        recurse_submodules: true,
        ..Default::default()
    };
    let err = checkout(
        &servers().daemon().url(app.name()),
        &Reference::branch("main"),
        &Auth::default(),
        &dir.path().join("co"),
        &opts,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                what: "submodule URL",
                ..
            }
        ),
        "{err}"
    );
}

/// The controller's no-op path: compare ls-remote's revision with the stored one and, when
/// equal, never touch the disk.
#[test]
fn ls_remote_answers_without_writing_anything() {
    let f = fixture("noop");
    let url = servers().http().url(f.repo.name());
    let snapshot = |p: &Path| -> Vec<(String, SystemTime)> {
        let mut v: Vec<_> = walk(p)
            .into_iter()
            .map(|e| (e.0.display().to_string(), e.1))
            .collect();
        v.sort();
        v
    };
    let before = snapshot(f.repo.bare_path());
    let scratch = tempfile::tempdir().unwrap();
    let cwd_before = snapshot(scratch.path());
    let stored = format!("main@sha1:{}", f.second);
    let head = ls_remote(
        &url,
        &Reference::branch("main"),
        &Auth::default(),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(head.revision, stored);
    assert_eq!(snapshot(f.repo.bare_path()), before);
    assert_eq!(snapshot(scratch.path()), cwd_before);
    // A push changes the answer.
    let third = f.repo.commit("third", &[("c", "3")]).unwrap();
    f.repo.push().unwrap();
    let head = ls_remote(
        &url,
        &Reference::branch("main"),
        &Auth::default(),
        &Options::default(),
    )
    .unwrap();
    assert_eq!(head.revision, format!("main@sha1:{third}"));
}

fn walk(p: &Path) -> Vec<(std::path::PathBuf, SystemTime)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(p).unwrap() {
        let e = e.unwrap();
        let m = e.metadata().unwrap();
        out.push((e.path(), m.modified().unwrap()));
        if m.is_dir() {
            out.extend(walk(&e.path()));
        }
    }
    out
}

#[test]
fn refuses_a_non_empty_target_directory() {
    let f = fixture("nonempty");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep"), "x").unwrap();
    let err = checkout(
        &servers().daemon().url(f.repo.name()),
        &Reference::branch("main"),
        &Auth::default(),
        dir.path(),
        &CheckoutOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("keep")).unwrap(),
        "x"
    );
}

#[test]
fn unreachable_hosts_and_closed_ports_are_reported_as_such() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for url in [
        format!("http://127.0.0.1:{port}/r.git"),
        format!("git://127.0.0.1:{port}/r.git"),
        "https://nonexistent.invalid/r.git".to_string(),
    ] {
        let err = ls_remote(
            &url,
            &Reference::branch("main"),
            &Auth::default(),
            &Options::default(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::Unreachable { .. }), "{url}: {err:?}");
    }
}

#[test]
fn a_server_that_stops_answering_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts and then says nothing, like a wedged server.
    let held = std::thread::spawn(move || {
        let conns: Vec<_> = listener.incoming().take(2).filter_map(Result::ok).collect();
        std::thread::sleep(Duration::from_secs(5));
        drop(conns);
    });
    let start = Instant::now();
    let opts = Options {
        timeout: Duration::from_secs(2),
    };
    let err = ls_remote(
        &format!("git://127.0.0.1:{port}/r.git"),
        &Reference::branch("main"),
        &Auth::default(),
        &opts,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("git operation on git://127.0.0.1:{port}/r.git timed out after 2s")
    );
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
    drop(held);
}

#[test]
fn empty_repositories_have_no_branch() {
    let repo = servers().create_repo(&unique("empty")).unwrap();
    let err = ls_remote(
        &servers().daemon().url(repo.name()),
        &Reference::default(),
        &Auth::default(),
        &Options::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::RefNotFound { .. }), "{err}");
    let missing = format!("{}-nope", repo.name());
    let err = ls_remote(
        &servers().http().url(&missing),
        &Reference::default(),
        &Auth::default(),
        &Options::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound { .. }), "{err:?}");
}
