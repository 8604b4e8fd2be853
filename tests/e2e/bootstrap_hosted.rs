//! `tk bootstrap github` and `tk bootstrap gitlab` to a Ready cluster, against local
//! servers that follow the services' REST APIs (crates/testenv `github`, `gitlab`) over TLS
//! (`--hostname`, `--ca-file`), with real repositories and real deploy keys behind them.

use std::path::PathBuf;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::Api;
use testenv::git::{HttpOptions, SshKeyPair, SshKeyType, TlsOptions};
use testenv::github::{FakeGitHub, FakeGitHubOptions, FakeOrg, FakeUser, SeedRepo};
use testenv::gitlab::{FakeGitLab, FakeGitLabOptions};

use crate::bootstrap_git::{Rig, rev_parse, show};

const GH_TOKEN: &str = "ghp_bootstrap_0123456789";
const GH_NO_SCOPES: &str = "ghp_no_scopes_0123456789";
const GL_TOKEN: &str = "glpat-bootstrap-0123456789";

/// A fake GitHub whose clone URLs point at an HTTPS Git server taking the token, and a
/// CA bundle for both.
fn github(rig: &Rig) -> (FakeGitHub, testenv::git::HttpServer, String) {
    let https = rig
        .servers
        .start_http(&HttpOptions {
            basic_auth: Some(("git".into(), GH_TOKEN.into())),
            tls: Some(TlsOptions::default()),
            ..Default::default()
        })
        .unwrap();
    let gh = FakeGitHub::start(
        rig.servers.clone(),
        FakeGitHubOptions {
            users: vec![
                FakeUser::new("alice", GH_TOKEN),
                FakeUser::new("carol", GH_NO_SCOPES).with_scopes(&[]),
            ],
            orgs: vec![FakeOrg {
                login: "acme".into(),
                teams: vec!["devs".into()],
                members: vec!["alice".into(), "carol".into()],
            }],
            clone_url_base: Some(format!("https://127.0.0.1:{}", https.port())),
            ssh_url_with_port: false,
        },
    )
    .unwrap();
    let bundle = rig.dir.path().join("github-ca.pem");
    std::fs::write(
        &bundle,
        format!("{}{}", gh.ca_pem(), https.ca_pem().unwrap()),
    )
    .unwrap();
    (gh, https, bundle.display().to_string())
}

/// An existing organisation repository with a stale deploy key of the cluster's name: the
/// key is replaced, the team granted, and the cluster syncs over SSH with the new key
/// (which sshd accepts only because the fake GitHub registered it).
#[tokio::test(flavor = "multi_thread")]
async fn github_org_repository_with_a_stale_deploy_key_to_a_ready_cluster() {
    let rig = Rig::start("tk-boot-gh").await;
    let (gh, _https, bundle) = github(&rig);
    gh.seed_repository("acme", "fleet", &SeedRepo::default())
        .unwrap();
    let ns = rig.ns.clone();
    let title = format!("{ns}-main-flux-system-./clusters/prod");
    let stale = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    gh.seed_deploy_key("acme/fleet", &title, &stale.public_key, true)
        .unwrap();
    let hostname = gh.hostname();
    let ssh_host = format!("127.0.0.1:{}", rig.servers.ssh().port());
    let args = [
        "bootstrap",
        "github",
        "--owner",
        "acme",
        "--repository",
        "fleet",
        "--team",
        "devs",
        "--hostname",
        &hostname,
        "--ca-file",
        &bundle,
        "--ssh-hostname",
        &ssh_host,
        "--path",
        "clusters/prod",
        "--components",
        "source-controller,kustomize-controller",
        "--timeout",
        "3m",
    ];
    let env = [("GITHUB_TOKEN", GH_TOKEN)];
    let out = rig.tk_env_ok(&env, &args);
    assert!(out.contains("replaced the stale deploy key"), "{out}");
    assert!(!out.contains(GH_TOKEN), "the token leaked:\n{out}");

    let keys = gh.deploy_keys("acme/fleet");
    assert_eq!(keys.len(), 1, "{keys:?}");
    let secret = rig.secret("flux-system").await.data.unwrap();
    let public = String::from_utf8(secret["identity.pub"].0.clone()).unwrap();
    assert_eq!(keys[0].title, title);
    assert!(keys[0].read_only);
    assert_eq!(
        keys[0].key.split_whitespace().take(2).collect::<Vec<_>>(),
        public.split_whitespace().take(2).collect::<Vec<_>>()
    );
    assert_eq!(
        gh.team_permission("acme/fleet", "devs").as_deref(),
        Some("maintain")
    );
    let head = gh.branch_head("acme/fleet", "main").unwrap();
    rig.assert_synced_at(&head).await;
    let repo = bare(&rig, "acme/fleet");
    let sync = show(&repo, &format!("main:clusters/prod/{ns}/gotk-sync.yaml")).unwrap();
    let user = rig.servers.ssh().user();
    assert!(
        sync.contains(&format!("  url: ssh://{user}@{ssh_host}/acme/fleet.git\n")),
        "{sync}"
    );
    assert!(show(&repo, "main:README.md").is_some(), "history kept");

    // Again: the key is in place and nothing else changes.
    let out = rig.tk_env_ok(&env, &args);
    assert!(out.contains("is in place"), "{out}");
    assert!(out.contains("nothing changed"), "{out}");
    assert_eq!(gh.deploy_keys("acme/fleet"), keys);
    assert_eq!(gh.branch_head("acme/fleet", "main").unwrap(), head);

    rig.cleanup().await;
}

/// A token that may not create repositories, a wrong owner, and no token at all: clear
/// errors, no repository, nothing in the cluster.
#[tokio::test(flavor = "multi_thread")]
async fn github_refusals_change_nothing() {
    let rig = Rig::start("tk-boot-gh-bad").await;
    let (gh, _https, bundle) = github(&rig);
    let hostname = gh.hostname();
    let base = [
        "bootstrap",
        "github",
        "--repository",
        "fleet",
        "--hostname",
        &hostname,
        "--ca-file",
        &bundle,
    ];
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str);
    let cases: [Case; 3] = [
        (
            &[("GITHUB_TOKEN", GH_NO_SCOPES)],
            &["--owner", "acme"],
            "\"repo\" scope",
        ),
        (
            &[("GITHUB_TOKEN", GH_TOKEN)],
            &["--owner", "nobody"],
            "owner \"nobody\" not found",
        ),
        (
            &[("GITHUB_TOKEN", "")],
            &["--owner", "acme"],
            "GITHUB_TOKEN is not set",
        ),
    ];
    for (env, flags, expected) in cases {
        let mut args = base.to_vec();
        args.extend(flags);
        let (ok, out) = rig.tk_env(env, &args);
        assert!(!ok, "{args:?} succeeded");
        assert!(out.contains(expected), "{args:?}: {out}");
        assert!(
            !out.contains(GH_NO_SCOPES) && !out.contains(GH_TOKEN),
            "{out}"
        );
        assert!(gh.repository("acme/fleet").is_none(), "{args:?} created it");
        assert!(gh.repository("nobody/fleet").is_none());
        assert!(
            Api::<Namespace>::all(rig.client.clone())
                .get_opt(&rig.ns)
                .await
                .unwrap()
                .is_none(),
            "{args:?} changed the cluster"
        );
    }
    rig.cleanup().await;
}

/// A missing project in a subgroup: created with a README, the cluster syncs over HTTPS with
/// the token (`--token-auth`), its CA from --ca-file.
#[tokio::test(flavor = "multi_thread")]
async fn gitlab_subgroup_project_created_and_synced_with_token_auth() {
    let rig = Rig::start("tk-boot-gl").await;
    let gl = FakeGitLab::start(
        rig.servers.clone(),
        FakeGitLabOptions {
            users: vec![testenv::gitlab::FakeUser::new("bob", GL_TOKEN, &["api"])],
            groups: vec!["platform/team".into()],
            git_basic_auth: Some(("git".into(), GL_TOKEN.into())),
            ..Default::default()
        },
    )
    .unwrap();
    let bundle = rig.dir.path().join("gitlab-ca.pem");
    std::fs::write(&bundle, gl.ca_pem()).unwrap();
    let bundle = bundle.display().to_string();
    let hostname = gl.hostname();
    let out = rig.tk_env_ok(
        &[("GITLAB_TOKEN", GL_TOKEN)],
        &[
            "bootstrap",
            "gitlab",
            "--owner",
            "platform/team",
            "--repository",
            "fleet",
            "--visibility",
            "internal",
            "--hostname",
            &hostname,
            "--ca-file",
            &bundle,
            "--token-auth",
            "--path",
            "clusters/staging",
            "--components",
            "source-controller,kustomize-controller",
            "--timeout",
            "3m",
        ],
    );
    assert!(
        out.contains("repository \"platform/team/fleet\" created"),
        "{out}"
    );
    let project = gl.project("platform/team/fleet").unwrap();
    assert_eq!(project.visibility, "internal");
    assert!(project.deploy_keys.is_empty(), "token auth needs no key");
    let secret = rig.secret("flux-system").await.data.unwrap();
    let text = |k: &str| String::from_utf8(secret[k].0.clone()).unwrap();
    assert_eq!(text("username"), "git");
    assert_eq!(text("password"), GL_TOKEN);
    assert_eq!(text("ca.crt"), gl.ca_pem());
    let repo = bare(&rig, "platform/team/fleet");
    let head = rev_parse(&repo, "refs/heads/main");
    rig.assert_synced_at(&head).await;
    assert!(
        show(&repo, "main:README.md").is_some(),
        "the README commit is kept"
    );

    rig.cleanup().await;
}

/// The rig's bare repository behind the hosted repository `full`.
fn bare(rig: &Rig, full: &str) -> PathBuf {
    rig.servers.repos_dir().join(format!("{full}.git"))
}
