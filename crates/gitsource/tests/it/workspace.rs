//! Workspace: fetch a branch, commit without a work tree, sign, push; over SSH and HTTP
//! with basic auth, checked with the git CLI on the server side.

use crate::{PASSWORD, USER, basic_http, servers, unique};
use gitsource::{
    Auth, Author, CheckoutOptions, Credentials, Error, Reference, Signer, SshIdentity, Workspace,
    checkout, verify_commit,
};
use std::time::Duration;
use testenv::git::{GpgKey, SshKeyPair, SshKeyType, git_command};

const TIMEOUT: Duration = Duration::from_secs(30);

fn author() -> Author {
    Author {
        name: "Flux".into(),
        email: "flux@example.com".into(),
    }
}

fn ssh_auth() -> Auth {
    let key = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    servers().ssh().add_authorized_key(&key.public_key).unwrap();
    Auth {
        credentials: Credentials::Ssh(SshIdentity {
            private_key: key.private_key.clone(),
            ..Default::default()
        }),
        known_hosts: Some(servers().ssh().known_hosts()),
        ..Default::default()
    }
}

fn basic_auth(password: &str) -> Auth {
    Auth {
        credentials: Credentials::Basic {
            username: USER.into(),
            password: password.into(),
        },
        ..Default::default()
    }
}

/// `git show` of `rev:path` in the server's bare repository.
fn server_file(repo: &testenv::git::Repo, rev_path: &str) -> String {
    let out = git_command()
        .arg("--git-dir")
        .arg(repo.bare_path())
        .args(["show", rev_path])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn an_empty_repository_is_started_on_the_branch_and_pushed_over_ssh() {
    let repo = servers().create_repo(&unique("ws-empty")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = servers().ssh().url(repo.name());
    let mut ws =
        Workspace::clone(&url, &ssh_auth(), "main", &dir.path().join("ws"), TIMEOUT).unwrap();
    assert_eq!(ws.head(), None);
    let first = ws
        .commit(
            &[(
                "clusters/dev/flux-system/gotk-sync.yaml",
                b"kind: GitRepository\n",
            )],
            &author(),
            "Add sync manifests",
            None,
        )
        .unwrap()
        .expect("a first commit");
    assert!(ws.has_unpushed());
    ws.push().unwrap();
    assert!(!ws.has_unpushed());
    assert_eq!(repo.bare_rev_parse("refs/heads/main").unwrap(), first);
    assert_eq!(
        server_file(&repo, "main:clusters/dev/flux-system/gotk-sync.yaml"),
        "kind: GitRepository\n"
    );
    let log = git_command()
        .arg("--git-dir")
        .arg(repo.bare_path())
        .args(["log", "-1", "--format=%an <%ae>|%s", "main"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&log.stdout).trim(),
        "Flux <flux@example.com>|Add sync manifests"
    );
}

#[test]
fn unchanged_files_make_no_commit_and_other_files_are_kept() {
    let repo = servers().create_repo(&unique("ws-keep")).unwrap();
    let base = repo
        .commit(
            "init",
            &[
                ("README.md", "hello\n"),
                ("apps/app.yaml", "kind: ConfigMap\n"),
            ],
        )
        .unwrap();
    repo.push().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = basic_http().url(repo.name());
    let mut ws = Workspace::clone(
        &url,
        &basic_auth(PASSWORD),
        "main",
        &dir.path().join("ws"),
        TIMEOUT,
    )
    .unwrap();
    assert_eq!(ws.head().as_deref(), Some(base.as_str()));
    assert_eq!(
        ws.read("README.md").unwrap().as_deref(),
        Some(&b"hello\n"[..])
    );
    assert_eq!(ws.read("missing.yaml").unwrap(), None);
    assert_eq!(ws.read("apps").unwrap(), None, "a directory is not a file");

    assert_eq!(
        ws.commit(&[("README.md", b"hello\n")], &author(), "noop", None)
            .unwrap(),
        None
    );
    assert!(!ws.has_unpushed());
    let sha = ws
        .commit(
            &[("apps/more.yaml", b"kind: Secret\n")],
            &author(),
            "more",
            None,
        )
        .unwrap()
        .unwrap();
    ws.push().unwrap();
    assert_eq!(repo.bare_rev_parse("refs/heads/main").unwrap(), sha);
    assert_eq!(
        server_file(&repo, "main:apps/app.yaml"),
        "kind: ConfigMap\n"
    );
    assert_eq!(server_file(&repo, "main:apps/more.yaml"), "kind: Secret\n");

    let out = tempfile::tempdir().unwrap();
    assert_eq!(ws.export_dir("apps", out.path()).unwrap(), 2);
    assert_eq!(
        std::fs::read_to_string(out.path().join("more.yaml")).unwrap(),
        "kind: Secret\n"
    );
    assert_eq!(ws.export_dir("nowhere", &out.path().join("x")).unwrap(), 0);
}

#[test]
fn a_missing_branch_and_a_wrong_password_are_refused_before_anything_is_written() {
    let repo = servers().create_repo(&unique("ws-refuse")).unwrap();
    repo.commit("init", &[("README.md", "hello\n")]).unwrap();
    repo.push().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = basic_http().url(repo.name());
    let err = Workspace::clone(
        &url,
        &basic_auth(PASSWORD),
        "prod",
        &dir.path().join("a"),
        TIMEOUT,
    )
    .err()
    .unwrap();
    assert!(
        matches!(&err, Error::RefNotFound { reference, .. } if reference == "refs/heads/prod"),
        "{err}"
    );
    let err = Workspace::clone(
        &url,
        &basic_auth("wrong"),
        "main",
        &dir.path().join("b"),
        TIMEOUT,
    )
    .err()
    .unwrap();
    assert!(matches!(err, Error::AuthenticationFailed { .. }), "{err}");
    let err = Workspace::clone(
        &url,
        &basic_auth(PASSWORD),
        "bad..name",
        &dir.path().join("c"),
        TIMEOUT,
    )
    .err()
    .unwrap();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");

    let mut ws = Workspace::clone(
        &url,
        &basic_auth(PASSWORD),
        "main",
        &dir.path().join("d"),
        TIMEOUT,
    )
    .unwrap();
    for path in ["../escape.yaml", "/etc/passwd", ".git/config", "a/../../b"] {
        let err = ws
            .commit(&[(path, b"x")], &author(), "bad", None)
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{path}: {err}");
    }
}

#[test]
fn a_push_behind_the_remote_is_rejected_then_made_again_on_top() {
    let repo = servers().create_repo(&unique("ws-race")).unwrap();
    repo.commit("init", &[("README.md", "hello\n")]).unwrap();
    repo.push().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = servers().ssh().url(repo.name());
    let mut ws =
        Workspace::clone(&url, &ssh_auth(), "main", &dir.path().join("ws"), TIMEOUT).unwrap();
    ws.commit(&[("mine.yaml", b"a: 1\n")], &author(), "mine", None)
        .unwrap()
        .unwrap();
    let theirs = repo.commit("theirs", &[("theirs.yaml", "b: 2\n")]).unwrap();
    repo.push().unwrap();
    let err = ws.push().unwrap_err();
    assert!(matches!(err, Error::PushRejected { .. }), "{err}");
    assert_eq!(repo.bare_rev_parse("refs/heads/main").unwrap(), theirs);

    // Fetched again, the commit is made on top of theirs and goes through.
    ws.refresh().unwrap();
    assert_eq!(ws.head().as_deref(), Some(theirs.as_str()));
    assert!(!ws.has_unpushed());
    let mine = ws
        .commit(&[("mine.yaml", b"a: 1\n")], &author(), "mine", None)
        .unwrap()
        .unwrap();
    ws.push().unwrap();
    assert_eq!(repo.bare_rev_parse("refs/heads/main").unwrap(), mine);
    assert_eq!(server_file(&repo, "main:theirs.yaml"), "b: 2\n");
    assert_eq!(server_file(&repo, "main:mine.yaml"), "a: 1\n");
}

#[test]
fn signed_commits_verify_with_the_public_key() {
    let key = GpgKey::generate().unwrap();
    let secret = key
        .gpg(&["--armor", "--export-secret-keys", key.fingerprint()])
        .unwrap();
    let signer = Signer::from_keyring(secret.as_bytes(), Some(key.key_id()), "").unwrap();
    assert_eq!(signer.key_id(), key.key_id().to_ascii_uppercase());
    let err = Signer::from_keyring(secret.as_bytes(), Some("0000000000000000"), "").unwrap_err();
    assert!(err.to_string().contains("no secret key with ID"), "{err}");
    let err = Signer::from_keyring(b"not a keyring", None, "").unwrap_err();
    assert!(matches!(err, Error::InvalidKeyring { .. }), "{err}");

    let repo = servers().create_repo(&unique("ws-signed")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = servers().ssh().url(repo.name());
    let auth = ssh_auth();
    let mut ws = Workspace::clone(&url, &auth, "main", &dir.path().join("ws"), TIMEOUT).unwrap();
    let sha = ws
        .commit(&[("a.yaml", b"a: 1\n")], &author(), "signed", Some(&signer))
        .unwrap()
        .unwrap();
    ws.push().unwrap();

    let co = checkout(
        &url,
        &Reference::branch("main"),
        &auth,
        &dir.path().join("co"),
        &CheckoutOptions::default(),
    )
    .unwrap();
    assert_eq!(co.sha, sha);
    let verified = verify_commit(&co, &[key.public_key_armored()]).unwrap();
    assert_eq!(verified, key.key_id().to_ascii_uppercase());
    // git itself sees a good signature from the key too.
    let out = git_command()
        .arg("--git-dir")
        .arg(repo.bare_path())
        .env("GNUPGHOME", key.home())
        .args(["verify-commit", "--raw", &sha])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("GOODSIG"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn flux_default_author_without_email_is_written_and_bad_authors_refused() {
    let repo = servers().create_repo(&unique("ws-author")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = servers().ssh().url(repo.name());
    let mut ws =
        Workspace::clone(&url, &ssh_auth(), "main", &dir.path().join("ws"), TIMEOUT).unwrap();
    let flux = Author {
        name: "Flux".into(),
        email: String::new(),
    };
    let sha = ws
        .commit(&[("a.yaml", b"a: 1\n")], &flux, "one\n\nbody", None)
        .unwrap()
        .unwrap();
    ws.push().unwrap();
    let out = git_command()
        .arg("--git-dir")
        .arg(repo.bare_path())
        .args(["log", "-1", "--format=%H|%an <%ae>|%s|%b", "main"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("{sha}|Flux <>|one|body")
    );
    let fsck = git_command()
        .arg("--git-dir")
        .arg(repo.bare_path())
        .args(["fsck", "--strict"])
        .output()
        .unwrap();
    assert!(
        fsck.status.success(),
        "{}",
        String::from_utf8_lossy(&fsck.stderr)
    );
    for bad in ["", "a <b>", "two\nlines"] {
        let author = Author {
            name: bad.into(),
            email: "x@example.com".into(),
        };
        let err = ws
            .commit(&[("b.yaml", b"b: 1\n")], &author, "bad", None)
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{bad:?}: {err}");
    }
}

#[test]
fn a_protected_signing_key_needs_its_passphrase() {
    let home = GpgKey::generate().unwrap();
    home.gpg(&[
        "--passphrase",
        "s3cret",
        "--quick-gen-key",
        "Protected <protected@example.com>",
        "ed25519",
        "sign",
        "never",
    ])
    .unwrap();
    let ring = home
        .gpg(&[
            "--passphrase",
            "s3cret",
            "--armor",
            "--export-secret-keys",
            "protected@example.com",
        ])
        .unwrap();
    let err = Signer::from_keyring(ring.as_bytes(), None, "wrong").unwrap_err();
    assert!(err.to_string().contains("does not unlock"), "{err}");
    let err = Signer::from_keyring(ring.as_bytes(), None, "").unwrap_err();
    assert!(err.to_string().contains("does not unlock"), "{err}");
    let signer = Signer::from_keyring(ring.as_bytes(), None, "s3cret").unwrap();

    let repo = servers().create_repo(&unique("ws-protected")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = servers().ssh().url(repo.name());
    let auth = ssh_auth();
    let mut ws = Workspace::clone(&url, &auth, "main", &dir.path().join("ws"), TIMEOUT).unwrap();
    let sha = ws
        .commit(&[("a.yaml", b"a: 1\n")], &author(), "signed", Some(&signer))
        .unwrap()
        .unwrap();
    ws.push().unwrap();
    let out = git_command()
        .arg("--git-dir")
        .arg(repo.bare_path())
        .env("GNUPGHOME", home.home())
        .args(["verify-commit", "--raw", &sha])
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&out.stderr);
    assert!(
        status.contains(&format!("GOODSIG {}", signer.key_id())),
        "{status}"
    );
}
