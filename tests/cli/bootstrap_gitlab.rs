//! `tk bootstrap gitlab` provider tests against the local GitLab API server.
//!
//! The client (`tk::cli::bootstrap::gitlab::GitLab`) talks HTTPS to `testenv`'s
//! [`FakeGitLab`], whose projects, deploy keys and deploy tokens are real repositories, sshd
//! authorized keys and HTTPS credentials of the rig's Git servers.

use std::sync::Arc;

use testenv::GitServers;
use testenv::git::{GitServersOptions, SshKeyPair, SshKeyType, SshOptions, git_command};
use testenv::gitlab::{FakeGitLab, FakeGitLabOptions, FakeUser};
use tk::cli::bootstrap::gitlab::GitLab;
use tk::cli::bootstrap::provider::{
    Change, DeployKeyRequest, Repository, RepositoryRequest, Visibility, deploy_key_name,
};
use tk::cli::printer::Printer;

const ALICE: &str = "glpat-alice-0123456789";

fn servers() -> Arc<GitServers> {
    Arc::new(
        GitServers::start_with(GitServersOptions {
            ssh: Some(SshOptions::default()),
            http: None,
            daemon: false,
        })
        .unwrap_or_else(|e| panic!("{e:#}")),
    )
}

/// A fake with user alice (api scope), bob (read_api), carol (read_user) and groups.
fn fake_with(options: FakeGitLabOptions) -> FakeGitLab {
    let mut options = options;
    if options.users.is_empty() {
        options.users = vec![
            FakeUser::new("alice", ALICE, &["api"]),
            FakeUser::new("bob", "glpat-bob", &["read_api"]),
            FakeUser::new("carol", "glpat-carol", &["read_user"]),
        ];
    }
    if options.groups.is_empty() {
        options.groups = vec!["acme/platform/team".into(), "acme/ops".into()];
    }
    FakeGitLab::start(servers(), options).unwrap_or_else(|e| panic!("{e:#}"))
}

fn fake() -> FakeGitLab {
    fake_with(FakeGitLabOptions::default())
}

fn client(fake: &FakeGitLab, token: &str) -> GitLab {
    GitLab::new(Some(&fake.hostname()), token, Some(&fake.ca_pem()))
        .unwrap_or_else(|e| panic!("{e:#}"))
}

fn request(owner: &str, name: &str, personal: bool) -> RepositoryRequest {
    RepositoryRequest {
        owner: owner.to_string(),
        name: name.to_string(),
        personal,
        description: String::new(),
        default_branch: "main".to_string(),
        visibility: Visibility::Private,
        reconcile: false,
        teams: Vec::new(),
    }
}

fn printer() -> Printer {
    Printer::new(false)
}

fn key_request(key: &SshKeyPair, read_only: bool) -> DeployKeyRequest {
    DeployKeyRequest {
        title: deploy_key_name("flux-system", "main", "flux-system", "clusters/dev"),
        public_key: key.public_key.clone(),
        read_only,
    }
}

/// `git ls-remote` of `url` with `env`; Ok(refs) or Err(git's stderr).
fn ls_remote(url: &str, config: &[String], env: &[(&str, &str)]) -> Result<String, String> {
    let mut cmd = git_command();
    for c in config {
        cmd.args(["-c", c]);
    }
    cmd.args(["ls-remote", url]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("git runs");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// ls-remote over SSH with `key`, trusting the rig's host key.
fn ls_remote_ssh(fake: &FakeGitLab, url: &str, key: &SshKeyPair) -> Result<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let identity = dir.path().join("identity");
    key.write_private_key(&identity).unwrap();
    let known_hosts = dir.path().join("known_hosts");
    std::fs::write(&known_hosts, fake.servers().ssh().known_hosts()).unwrap();
    let command = format!(
        "ssh -F /dev/null -i {} -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes",
        identity.display(),
        known_hosts.display()
    );
    ls_remote(url, &[], &[("GIT_SSH_COMMAND", &command)])
}

/// ls-remote over HTTPS with basic auth, trusting the PEM CAs `ca`.
fn ls_remote_https(ca_pem: &str, url: &str, user: &str, password: &str) -> Result<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, ca_pem).unwrap();
    let with_auth = url.replacen("https://", &format!("https://{user}:{password}@"), 1);
    ls_remote(
        &with_auth,
        &[format!("http.sslCAInfo={}", ca.display())],
        &[],
    )
}

fn err_text<T: std::fmt::Debug>(result: anyhow::Result<T>) -> String {
    format!("{:#}", result.expect_err("an error"))
}

#[tokio::test]
async fn missing_personal_project_is_created_with_a_readme() {
    let fake = fake();
    let gl = client(&fake, ALICE);
    let repo = gl
        .reconcile_repository(&request("alice", "fleet", true), printer())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(repo.created);
    assert_eq!(repo.full_name, "alice/fleet");
    assert_eq!(repo.default_branch.as_deref(), Some("main"));
    let project = fake.project("alice/fleet").expect("the project exists");
    assert_eq!(repo.id, project.id.to_string());
    assert_eq!(project.visibility, "private");
    assert_eq!(
        repo.https_url,
        format!(
            "https://127.0.0.1:{}/alice/fleet.git",
            fake.git_http().port()
        )
    );
    let ssh = fake.servers().ssh();
    assert_eq!(
        repo.ssh_url,
        format!(
            "ssh://{}@127.0.0.1:{}/alice/fleet.git",
            ssh.user(),
            ssh.port()
        )
    );
    // The project was made in alice's namespace: no namespace_id, so no group lookup.
    assert!(
        !fake
            .requests()
            .iter()
            .any(|r| r.path.starts_with("/api/v4/groups")),
        "{:?}",
        fake.requests()
    );
    // A real repository with the README on main, behind the HTTPS URL GitLab reported.
    let refs = ls_remote_https(&fake.ca_pem(), &repo.https_url, "alice", ALICE).unwrap();
    assert!(refs.contains("refs/heads/main"), "{refs}");
}

#[tokio::test]
async fn missing_group_project_is_created_in_the_group() {
    let fake = fake();
    let gl = client(&fake, ALICE);
    let repo = gl
        .reconcile_repository(&request("acme", "fleet", false), printer())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(repo.created);
    assert_eq!(repo.full_name, "acme/fleet");
    assert!(fake.project("acme/fleet").is_some());
    assert_eq!(
        fake.requests_with_method("POST"),
        vec!["POST /api/v4/projects".to_string()]
    );
}

#[tokio::test]
async fn missing_subgroup_project_gets_the_requested_settings() {
    let fake = fake();
    let gl = client(&fake, ALICE);
    let mut req = request("acme/platform/team", "fleet", false);
    req.default_branch = "trunk".into();
    req.description = "the fleet".into();
    req.visibility = Visibility::Internal;
    let repo = gl
        .reconcile_repository(&req, printer())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(repo.created);
    assert_eq!(repo.full_name, "acme/platform/team/fleet");
    assert_eq!(repo.default_branch.as_deref(), Some("trunk"));
    let project = fake.project("acme/platform/team/fleet").unwrap();
    assert_eq!(project.description, "the fleet");
    assert_eq!(project.visibility, "internal");
    assert_eq!(project.default_branch.as_deref(), Some("trunk"));
    // The project path was looked up URL-encoded, then the group.
    let paths: Vec<String> = fake.requests().into_iter().map(|r| r.path).collect();
    assert!(
        paths.contains(&"/api/v4/projects/acme%2Fplatform%2Fteam%2Ffleet".to_string()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"/api/v4/groups/acme%2Fplatform%2Fteam".to_string()),
        "{paths:?}"
    );
    let refs = ls_remote_https(&fake.ca_pem(), &repo.https_url, "alice", ALICE).unwrap();
    assert!(refs.contains("refs/heads/trunk"), "{refs}");
    assert!(!refs.contains("refs/heads/main"), "{refs}");
}

#[tokio::test]
async fn existing_project_is_left_untouched() {
    let fake = fake();
    let seeded = fake.seed_project("acme/ops", "fleet").unwrap();
    let gl = client(&fake, ALICE);
    let mut req = request("acme/ops", "fleet", false);
    req.description = "ignored without --reconcile".into();
    req.visibility = Visibility::Public;
    let repo = gl
        .reconcile_repository(&req, printer())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(!repo.created);
    assert_eq!(repo.id, seeded.id.to_string());
    let writes: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    assert_eq!(fake.project("acme/ops/fleet").unwrap(), seeded);
}

#[tokio::test]
async fn reconcile_brings_settings_in_line() {
    let fake = fake();
    fake.seed_project("acme", "fleet").unwrap();
    let gl = client(&fake, ALICE);
    let mut req = request("acme", "fleet", false);
    req.reconcile = true;
    req.description = "managed by tk".into();
    req.visibility = Visibility::Public;
    let repo = gl
        .reconcile_repository(&req, printer())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(!repo.created);
    let project = fake.project("acme/fleet").unwrap();
    assert_eq!(project.description, "managed by tk");
    assert_eq!(project.visibility, "public");
    assert_eq!(fake.requests_with_method("PUT").len(), 1);
    // In line now: a second run changes nothing.
    gl.reconcile_repository(&req, printer()).await.unwrap();
    assert_eq!(fake.requests_with_method("PUT").len(), 1);
}

#[tokio::test]
async fn personal_owner_must_be_the_token_user() {
    let fake = fake();
    let gl = client(&fake, ALICE);
    let err = err_text(
        gl.reconcile_repository(&request("mallory", "fleet", true), printer())
            .await,
    );
    assert!(
        err.contains("\"mallory\"") && err.contains("\"alice\"") && err.contains("--personal"),
        "{err}"
    );
    assert!(fake.requests_with_method("POST").is_empty());
}

#[tokio::test]
async fn unknown_group_is_a_clear_error() {
    let fake = fake();
    let gl = client(&fake, ALICE);
    let err = err_text(
        gl.reconcile_repository(&request("acme/nowhere", "fleet", false), printer())
            .await,
    );
    assert_eq!(
        err,
        format!(
            "group \"acme/nowhere\" not found on {}, or the token cannot see it: check --owner, and pass --personal when it is your user",
            fake.hostname()
        )
    );
    assert!(fake.requests_with_method("POST").is_empty());
}

#[tokio::test]
async fn bad_token_is_rejected_without_showing_it() {
    let fake = fake();
    let token = "glpat-wrong-secret";
    let gl = client(&fake, token);
    let err = err_text(
        gl.reconcile_repository(&request("acme", "fleet", false), printer())
            .await,
    );
    assert!(
        err.contains("rejected the token") && err.contains("401") && err.contains("GITLAB_TOKEN"),
        "{err}"
    );
    assert!(!err.contains(token), "{err}");
    assert!(fake.project("acme/fleet").is_none());
}

#[tokio::test]
async fn token_without_api_scope_is_a_clear_error() {
    let fake = fake();
    // read_api: reads work, the project cannot be created.
    let err = err_text(
        client(&fake, "glpat-bob")
            .reconcile_repository(&request("acme", "fleet", false), printer())
            .await,
    );
    assert!(
        err.contains("`api` scope") && err.contains("repository \"acme/fleet\""),
        "{err}"
    );
    assert!(fake.project("acme/fleet").is_none());
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.status == 201)
            .count(),
        0
    );
    // read_user: only the user can be read.
    let err = err_text(
        client(&fake, "glpat-carol")
            .reconcile_repository(&request("acme", "fleet", false), printer())
            .await,
    );
    assert!(err.contains("`api` scope"), "{err}");
    assert!(!err.contains("glpat-carol"), "{err}");
    assert!(fake.project("acme/fleet").is_none());
}

#[tokio::test]
async fn an_untrusted_certificate_points_at_ca_file() {
    let fake = fake();
    let gl = GitLab::new(Some(&fake.hostname()), ALICE, None).unwrap();
    let err = err_text(
        gl.reconcile_repository(&request("acme", "fleet", false), printer())
            .await,
    );
    assert!(err.contains("--ca-file"), "{err}");
    assert!(fake.requests().is_empty(), "{:?}", fake.requests());
}

#[tokio::test]
async fn teams_are_shared_best_effort() {
    let fake = fake();
    let gl = client(&fake, ALICE);
    let mut req = request("acme", "fleet", false);
    req.teams = vec![
        ("acme/ops".into(), "maintain".into()),
        ("ghosts".into(), "push".into()),
    ];
    // The missing group is a printed failure, not an error.
    let repo = gl
        .reconcile_repository(&req, printer())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let project = fake.project("acme/fleet").unwrap();
    assert_eq!(project.shares, vec![("acme/ops".to_string(), 40)]);

    let outcomes = gl.reconcile_teams(&repo, &req.teams).await.unwrap();
    assert_eq!(outcomes.len(), 2);
    assert_eq!(outcomes[0].0, "acme/ops");
    assert_eq!(*outcomes[0].1.as_ref().unwrap(), Change::Unchanged);
    assert_eq!(outcomes[1].0, "ghosts");
    let err = format!("{:#}", outcomes[1].1.as_ref().unwrap_err());
    assert!(
        err.contains("group \"ghosts\" not granted access to \"acme/fleet\"")
            && err.contains("group \"ghosts\" not found")
            && err.contains("--team")
            && !err.contains("--owner"),
        "{err}"
    );

    // Another level replaces the share; a bad permission is reported.
    let teams = vec![
        ("acme/ops".to_string(), "developer".to_string()),
        ("acme/platform".to_string(), "superuser".to_string()),
    ];
    let outcomes = gl.reconcile_teams(&repo, &teams).await.unwrap();
    assert_eq!(*outcomes[0].1.as_ref().unwrap(), Change::Replaced);
    let err = format!("{:#}", outcomes[1].1.as_ref().unwrap_err());
    assert!(
        err.contains("superuser") && err.contains("maintainer"),
        "{err}"
    );
    assert_eq!(
        fake.project("acme/fleet").unwrap().shares,
        vec![("acme/ops".to_string(), 30)]
    );
}

async fn created_repo(gl: &GitLab) -> Repository {
    gl.reconcile_repository(&request("acme", "fleet", false), printer())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"))
}

#[tokio::test]
async fn deploy_key_is_created_kept_and_replaced() {
    let fake = fake();
    let gl = client(&fake, ALICE);
    let repo = created_repo(&gl).await;
    let first = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    let second = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    assert!(
        ls_remote_ssh(&fake, &repo.ssh_url, &first).is_err(),
        "the key works before it was added"
    );

    let change = gl
        .reconcile_deploy_key(&repo, &key_request(&first, true))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(change, Change::Created);
    let refs = ls_remote_ssh(&fake, &repo.ssh_url, &first).unwrap();
    assert!(refs.contains("refs/heads/main"), "{refs}");
    let keys = fake.project("acme/fleet").unwrap().deploy_keys;
    assert_eq!(keys.len(), 1);
    assert_eq!(
        keys[0].title,
        "flux-system-main-flux-system-clusters/dev".to_string()
    );
    assert!(!keys[0].can_push);

    let change = gl
        .reconcile_deploy_key(&repo, &key_request(&first, true))
        .await
        .unwrap();
    assert_eq!(change, Change::Unchanged);
    assert_eq!(fake.requests_with_method("DELETE").len(), 0);

    // Same title, another key: the old one is deleted and no longer lets anyone in.
    let change = gl
        .reconcile_deploy_key(&repo, &key_request(&second, true))
        .await
        .unwrap();
    assert_eq!(change, Change::Replaced);
    let err = ls_remote_ssh(&fake, &repo.ssh_url, &first).unwrap_err();
    assert!(err.contains("Permission denied"), "{err}");
    assert!(ls_remote_ssh(&fake, &repo.ssh_url, &second).is_ok());

    // Same key, write access now: replaced too.
    let change = gl
        .reconcile_deploy_key(&repo, &key_request(&second, false))
        .await
        .unwrap();
    assert_eq!(change, Change::Replaced);
    let keys = fake.project("acme/fleet").unwrap().deploy_keys;
    assert_eq!(keys.len(), 1);
    assert!(keys[0].can_push);
    assert_eq!(keys[0].key, second.public_key.trim());
    assert!(ls_remote_ssh(&fake, &repo.ssh_url, &second).is_ok());
}

#[tokio::test]
async fn deploy_keys_are_found_on_later_pages() {
    let fake = fake();
    let gl = client(&fake, ALICE);
    let repo = created_repo(&gl).await;
    // 120 other keys first: the cluster's key is on page 2 of 100.
    for i in 0..120 {
        fake.seed_deploy_key(
            "acme/fleet",
            &format!("other-{i}"),
            &format!("ssh-ed25519 AAAAfiller{i:04} other"),
            false,
        )
        .unwrap();
    }
    let key = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    let wanted = key_request(&key, true);
    fake.seed_deploy_key("acme/fleet", &wanted.title, &key.public_key, false)
        .unwrap();
    let change = gl.reconcile_deploy_key(&repo, &wanted).await.unwrap();
    assert_eq!(change, Change::Unchanged);
    let pages: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/deploy_keys") && r.method == "GET")
        .map(|r| {
            r.query
                .iter()
                .find(|(k, _)| k == "page")
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(pages, vec!["1".to_string(), "2".to_string()]);
    assert!(
        fake.requests_with_method("POST").len() == 1,
        "only the project"
    );
}

#[tokio::test]
async fn pagination_follows_small_pages() {
    let fake = fake_with(FakeGitLabOptions {
        max_per_page: Some(2),
        ..Default::default()
    });
    let gl = client(&fake, ALICE);
    let repo = created_repo(&gl).await;
    for i in 0..5 {
        fake.seed_deploy_key(
            "acme/fleet",
            &format!("other-{i}"),
            &format!("ssh-ed25519 AAAAfiller{i:04}"),
            false,
        )
        .unwrap();
    }
    let key = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    let wanted = key_request(&key, true);
    assert_eq!(
        gl.reconcile_deploy_key(&repo, &wanted).await.unwrap(),
        Change::Created
    );
    // Pages 1..=3 were read before the key was added; all six keys are there.
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|r| r.path.ends_with("/deploy_keys") && r.method == "GET")
            .count(),
        3
    );
    assert_eq!(
        gl.reconcile_deploy_key(&repo, &wanted).await.unwrap(),
        Change::Unchanged
    );
    assert_eq!(fake.project("acme/fleet").unwrap().deploy_keys.len(), 6);
}

#[tokio::test]
async fn deploy_token_is_created_once() {
    let fake = fake();
    let gl = client(&fake, ALICE);
    let repo = created_repo(&gl).await;
    let name = deploy_key_name("flux-system", "main", "flux-system", "clusters/dev");
    let token = gl
        .reconcile_deploy_token(&repo, &name)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"))
        .expect("a new token");
    let tokens = fake.project("acme/fleet").unwrap().deploy_tokens;
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].name, name);
    assert_eq!(tokens[0].scopes, vec!["read_repository".to_string()]);
    assert_eq!(token.username, tokens[0].username);
    assert_eq!(token.token, tokens[0].token);
    assert!(!format!("{token:?}").contains(&token.token));

    // The token is a real credential for cloning.
    let git = fake
        .git_http_for_token(&token.username, &token.token)
        .unwrap();
    let url = git.url("acme/fleet");
    let refs = ls_remote_https(git.ca_pem().unwrap(), &url, &token.username, &token.token).unwrap();
    assert!(refs.contains("refs/heads/main"), "{refs}");
    assert!(ls_remote_https(git.ca_pem().unwrap(), &url, &token.username, "wrong").is_err());

    // Its secret cannot be read again: kept, not recreated.
    assert!(
        gl.reconcile_deploy_token(&repo, &name)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(fake.project("acme/fleet").unwrap().deploy_tokens.len(), 1);
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/deploy_tokens"))
            .count(),
        1
    );
}

#[tokio::test]
async fn revoked_deploy_token_is_replaced_by_a_new_one() {
    let fake = fake();
    let gl = client(&fake, ALICE);
    let repo = created_repo(&gl).await;
    let revoked = fake
        .seed_deploy_token("acme/fleet", "flux-system-main", true)
        .unwrap();
    let token = gl
        .reconcile_deploy_token(&repo, "flux-system-main")
        .await
        .unwrap()
        .expect("a new token");
    assert_ne!(token.token, revoked.token);
    assert!(
        fake.git_http_for_token(&revoked.username, &revoked.token)
            .is_err()
    );
    assert_eq!(fake.project("acme/fleet").unwrap().deploy_tokens.len(), 2);
}

#[tokio::test]
async fn scp_like_ssh_urls_become_ssh_urls() {
    let fake = fake_with(FakeGitLabOptions {
        scp_like_ssh_urls: true,
        ..Default::default()
    });
    let gl = client(&fake, ALICE);
    let repo = created_repo(&gl).await;
    assert_eq!(
        repo.ssh_url,
        format!(
            "ssh://{}@127.0.0.1/acme/fleet.git",
            fake.servers().ssh().user()
        )
    );
}
