//! `tk bootstrap github` provider tests against the local GitHub API server.
//!
//! The client (`tk::cli::bootstrap::github::GitHub`) talks to `testenv::github::FakeGitHub`
//! as to GitHub Enterprise Server over TLS with `--ca-file`; repositories and deploy keys
//! are real (bare repositories of the rig's git servers, authorized keys of its sshd).

use std::sync::Arc;

use testenv::git::{
    GitServers, HttpOptions, HttpServer, SshKeyPair, SshKeyType, TlsOptions, git_command,
};
use testenv::github::{
    FakeGitHub, FakeGitHubOptions, FakeOrg, FakeUser, LoggedRequest, SeedRepo, ls_remote,
};
use tk::cli::bootstrap::github::GitHub;
use tk::cli::bootstrap::provider::{
    Change, DeployKeyRequest, Repository, RepositoryRequest, Visibility,
};
use tk::cli::printer::Printer;

const ALICE: &str = "ghp_alice_token_0123456789";
const CAROL_NO_SCOPES: &str = "ghp_carol_token_without_scopes";
const ERIN_PUBLIC_REPO: &str = "ghp_erin_token_public_repo_only";
const GIT_TOKEN: &str = "git-http-token";

struct Rig {
    gh: FakeGitHub,
    https: HttpServer,
    servers: Arc<GitServers>,
    _dir: tempfile::TempDir,
    ca_file: std::path::PathBuf,
}

fn rig_with(ssh_url_with_port: bool) -> Rig {
    let servers = Arc::new(GitServers::start().unwrap_or_else(|e| panic!("{e:#}")));
    let https = servers
        .start_http(&HttpOptions {
            basic_auth: Some(("git".into(), GIT_TOKEN.into())),
            tls: Some(TlsOptions::default()),
            ..HttpOptions::default()
        })
        .unwrap_or_else(|e| panic!("{e:#}"));
    let gh = FakeGitHub::start(
        servers.clone(),
        FakeGitHubOptions {
            users: vec![
                FakeUser::new("alice", ALICE),
                FakeUser::new("carol", CAROL_NO_SCOPES).with_scopes(&[]),
                FakeUser::new("erin", ERIN_PUBLIC_REPO).with_scopes(&["public_repo"]),
            ],
            orgs: vec![FakeOrg {
                login: "acme".into(),
                teams: vec!["devs".into(), "ops".into()],
                members: vec!["alice".into(), "carol".into(), "erin".into()],
            }],
            clone_url_base: Some(format!("https://127.0.0.1:{}", https.port())),
            ssh_url_with_port,
        },
    )
    .unwrap_or_else(|e| panic!("{e:#}"));
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("git-ca.crt");
    std::fs::write(&ca_file, https.ca_pem().unwrap()).unwrap();
    Rig {
        gh,
        https,
        servers,
        _dir: dir,
        ca_file,
    }
}

fn rig() -> Rig {
    rig_with(false)
}

impl Rig {
    fn client(&self, token: &str) -> GitHub {
        GitHub::new(Some(&self.gh.hostname()), token, Some(self.gh.ca_pem()))
            .unwrap_or_else(|e| panic!("{e:#}"))
    }

    /// Requests other than GETs: what changed something.
    fn writes(&self) -> Vec<LoggedRequest> {
        self.gh
            .requests()
            .into_iter()
            .filter(|r| r.method != "GET")
            .collect()
    }

    /// `git ls-remote` of the repository's HTTPS clone URL with the git server's CA.
    fn https_refs(&self, url: &str) -> String {
        let authed = url.replacen("https://", &format!("https://git:{GIT_TOKEN}@"), 1);
        let ca = self.ca_file.display().to_string();
        ls_remote(
            &authed,
            &[
                ("GIT_CONFIG_COUNT", "1"),
                ("GIT_CONFIG_KEY_0", "http.sslCAInfo"),
                ("GIT_CONFIG_VALUE_0", &ca),
            ],
        )
        .unwrap_or_else(|e| panic!("{e:#}"))
    }

    /// `git ls-remote` over SSH with `key`.
    fn ssh_refs(&self, url: &str, key: &SshKeyPair) -> anyhow::Result<String> {
        let dir = tempfile::tempdir().unwrap();
        let key_path = dir.path().join("identity");
        key.write_private_key(&key_path).unwrap();
        let kh = dir.path().join("known_hosts");
        std::fs::write(&kh, self.servers.ssh().known_hosts()).unwrap();
        let command = format!(
            "ssh -F /dev/null -i {} -o IdentitiesOnly=yes -o BatchMode=yes \
             -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes",
            key_path.display(),
            kh.display()
        );
        ls_remote(url, &[("GIT_SSH_COMMAND", &command)])
    }
}

fn printer() -> Printer {
    Printer::new(false)
}

fn request(owner: &str, name: &str, personal: bool) -> RepositoryRequest {
    RepositoryRequest {
        owner: owner.into(),
        name: name.into(),
        personal,
        description: "fleet of clusters".into(),
        default_branch: "main".into(),
        visibility: Visibility::Private,
        reconcile: false,
        teams: Vec::new(),
    }
}

fn err_text<T: std::fmt::Debug>(r: anyhow::Result<T>) -> String {
    let err = format!("{:#}", r.expect_err("an error"));
    eprintln!("error: {err}");
    err
}

fn key(title: &str, pair: &SshKeyPair) -> DeployKeyRequest {
    DeployKeyRequest {
        title: title.into(),
        public_key: pair.public_key.clone(),
        read_only: true,
    }
}

const TITLE: &str = "flux-system-main-flux-system-./clusters/prod";

#[tokio::test]
async fn a_missing_personal_repository_is_created_with_an_initial_commit() {
    let rig = rig();
    let repo = rig
        .client(ALICE)
        .reconcile_repository(&request("alice", "fleet", true), printer())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    assert!(repo.created);
    assert_eq!(repo.full_name, "alice/fleet");
    assert_eq!(repo.default_branch.as_deref(), Some("main"));
    assert_eq!(repo.https_url, rig.https.url("alice/fleet"));
    // GitHub's scp-like ssh_url, converted.
    let user = rig.servers.ssh().user();
    assert_eq!(
        repo.ssh_url,
        format!("ssh://{user}@127.0.0.1/alice/fleet.git")
    );
    let posts: Vec<_> = rig.writes();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(
        (posts[0].method.as_str(), posts[0].path.as_str()),
        ("POST", "/user/repos")
    );

    let info = rig
        .gh
        .repository("alice/fleet")
        .expect("created in the fake");
    assert!(info.private);
    assert_eq!(info.description, "fleet of clusters");
    assert_eq!(repo.id, info.id.to_string());
    // A real repository with the default branch, served at the reported clone URL.
    let head = rig.gh.branch_head("alice/fleet", "main").unwrap();
    let refs = rig.https_refs(&repo.https_url);
    assert!(refs.contains(&format!("{head}\trefs/heads/main")), "{refs}");
    assert!(refs.contains(&format!("{head}\tHEAD")), "{refs}");
}

#[tokio::test]
async fn a_missing_org_repository_is_created_on_the_requested_branch() {
    let rig = rig();
    let mut req = request("acme", "fleet", false);
    req.default_branch = "production".into();
    req.visibility = Visibility::Internal;
    let repo = rig
        .client(ALICE)
        .reconcile_repository(&req, printer())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    assert!(repo.created);
    assert_eq!(repo.full_name, "acme/fleet");
    assert_eq!(repo.default_branch.as_deref(), Some("production"));
    let writes: Vec<_> = rig
        .writes()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(writes[0], "POST /orgs/acme/repos", "{writes:?}");
    let info = rig.gh.repository("acme/fleet").unwrap();
    assert_eq!(info.visibility, "internal");
    assert_eq!(info.default_branch, "production");
    let head = rig.gh.branch_head("acme/fleet", "production").unwrap();
    let refs = rig.https_refs(&repo.https_url);
    assert!(refs.contains(&format!("{head}\tHEAD")), "{refs}");
    assert!(refs.contains("refs/heads/production"), "{refs}");
}

#[tokio::test]
async fn an_existing_repository_is_left_untouched_without_reconcile() {
    let rig = rig();
    rig.gh
        .seed_repository(
            "acme",
            "fleet",
            &SeedRepo {
                description: "old".into(),
                visibility: "public".into(),
                ..SeedRepo::default()
            },
        )
        .unwrap();
    let before = rig.gh.branch_head("acme/fleet", "main").unwrap();
    let repo = rig
        .client(ALICE)
        .reconcile_repository(&request("acme", "fleet", false), printer())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    assert!(!repo.created);
    assert_eq!(
        rig.writes(),
        Vec::new(),
        "nothing may be created or changed"
    );
    let info = rig.gh.repository("acme/fleet").unwrap();
    assert_eq!((info.description.as_str(), info.private), ("old", false));
    assert_eq!(rig.gh.branch_head("acme/fleet", "main").unwrap(), before);
}

#[tokio::test]
async fn reconcile_brings_description_visibility_and_existing_default_branch_in_line() {
    let rig = rig();
    rig.gh
        .seed_repository(
            "acme",
            "fleet",
            &SeedRepo {
                description: "old".into(),
                visibility: "public".into(),
                default_branch: "master".into(),
                auto_init: true,
            },
        )
        .unwrap();
    let mut req = request("acme", "fleet", false);
    req.reconcile = true;
    req.default_branch = "prod".into();
    let gh = rig.client(ALICE);

    // "prod" does not exist yet: description and visibility change, the branch stays.
    let repo = gh.reconcile_repository(&req, printer()).await.unwrap();
    assert!(!repo.created);
    let info = rig.gh.repository("acme/fleet").unwrap();
    assert_eq!(info.description, "fleet of clusters");
    assert_eq!((info.private, info.visibility.as_str()), (true, "private"));
    assert_eq!(info.default_branch, "master");
    assert_eq!(repo.default_branch.as_deref(), Some("master"));

    // Once it exists, it becomes the default branch.
    let sha = rig.gh.branch_head("acme/fleet", "master").unwrap();
    let status = git_command()
        .arg("--git-dir")
        .arg(rig.servers.repos_dir().join("acme/fleet.git"))
        .args(["update-ref", "refs/heads/prod", &sha])
        .status()
        .unwrap();
    assert!(status.success());
    rig.gh.clear_requests();
    let repo = gh.reconcile_repository(&req, printer()).await.unwrap();
    assert_eq!(repo.default_branch.as_deref(), Some("prod"));
    assert_eq!(
        rig.gh.repository("acme/fleet").unwrap().default_branch,
        "prod"
    );
    let patches = rig.writes();
    assert_eq!(patches.len(), 1, "{patches:?}");
    assert_eq!(patches[0].path, "/repos/acme/fleet");

    // In line: nothing to change.
    rig.gh.clear_requests();
    gh.reconcile_repository(&req, printer()).await.unwrap();
    assert_eq!(rig.writes(), Vec::new());
}

#[tokio::test]
async fn personal_and_organisation_owners_must_match_the_token() {
    let rig = rig();
    let gh = rig.client(ALICE);

    let err = err_text(
        gh.reconcile_repository(&request("bob", "fleet", true), printer())
            .await,
    );
    assert!(
        err.contains("--personal was given but the token belongs to \"alice\", not \"bob\""),
        "{err}"
    );

    // The token's own user is not an organisation.
    let err = err_text(
        gh.reconcile_repository(&request("alice", "fleet", false), printer())
            .await,
    );
    assert!(
        err.contains("not an organisation: pass --personal"),
        "{err}"
    );

    // An organisation that does not exist (or the token cannot see).
    let err = err_text(
        gh.reconcile_repository(&request("nobody", "fleet", false), printer())
            .await,
    );
    assert!(
        err.contains(&format!(
            "owner \"nobody\" not found on {}, or the token cannot see it: check --owner, and pass --personal when it is your user",
            rig.gh.hostname()
        )),
        "{err}"
    );
    assert_eq!(rig.writes(), Vec::new());
    assert!(rig.gh.repository("alice/fleet").is_none());
    assert!(rig.gh.repository("bob/fleet").is_none());
}

#[tokio::test]
async fn teams_are_granted_best_effort() {
    let rig = rig();
    let seed = SeedRepo {
        description: "fleet of clusters".into(),
        ..SeedRepo::default()
    };
    rig.gh.seed_repository("acme", "fleet", &seed).unwrap();
    rig.gh.seed_team_grant("acme/fleet", "ops", "pull").unwrap();
    let mut req = request("acme", "fleet", false);
    req.teams = vec![
        ("devs".into(), "maintain".into()),
        ("ops".into(), "push".into()),
        ("ghosts".into(), "maintain".into()),
    ];
    let gh = rig.client(ALICE);

    // The unknown team fails (a printed failure line) without failing the whole.
    gh.reconcile_repository(&req, printer())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        rig.gh.team_permission("acme/fleet", "devs").as_deref(),
        Some("maintain")
    );
    // Already granted: skipped without --reconcile.
    assert_eq!(
        rig.gh.team_permission("acme/fleet", "ops").as_deref(),
        Some("pull")
    );
    let puts: Vec<_> = rig
        .writes()
        .into_iter()
        .map(|r| (r.path, r.status))
        .collect();
    assert_eq!(
        puts,
        vec![
            ("/orgs/acme/teams/devs/repos/acme/fleet".to_string(), 204),
            ("/orgs/acme/teams/ghosts/repos/acme/fleet".to_string(), 404),
        ]
    );

    // With --reconcile the existing grant is brought in line; an equal one is left alone.
    req.reconcile = true;
    rig.gh.clear_requests();
    gh.reconcile_repository(&req, printer()).await.unwrap();
    assert_eq!(
        rig.gh.team_permission("acme/fleet", "ops").as_deref(),
        Some("push")
    );
    let puts: Vec<_> = rig.writes().into_iter().map(|r| r.path).collect();
    assert_eq!(
        puts,
        vec![
            "/orgs/acme/teams/ops/repos/acme/fleet".to_string(),
            "/orgs/acme/teams/ghosts/repos/acme/fleet".to_string(),
        ]
    );
}

async fn created(rig: &Rig, owner: &str, personal: bool) -> Repository {
    rig.client(ALICE)
        .reconcile_repository(&request(owner, "fleet", personal), printer())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"))
}

#[tokio::test]
async fn deploy_keys_are_created_kept_and_replaced_in_sshd() {
    let rig = rig_with(true);
    let repo = created(&rig, "alice", true).await;
    // With a port, GitHub Enterprise's ssh:// form is kept as it is.
    assert_eq!(repo.ssh_url, rig.servers.ssh().url("alice/fleet"));
    let gh = rig.client(ALICE);
    let first = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    let second = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    assert!(
        rig.ssh_refs(&repo.ssh_url, &first).is_err(),
        "no key is authorized yet"
    );

    assert_eq!(
        gh.reconcile_deploy_key(&repo, &key(TITLE, &first))
            .await
            .unwrap(),
        Change::Created
    );
    let keys = rig.gh.deploy_keys("alice/fleet");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].title, TITLE);
    assert!(keys[0].read_only);
    let refs = rig
        .ssh_refs(&repo.ssh_url, &first)
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(refs.contains("refs/heads/main"), "{refs}");

    rig.gh.clear_requests();
    assert_eq!(
        gh.reconcile_deploy_key(&repo, &key(TITLE, &first))
            .await
            .unwrap(),
        Change::Unchanged
    );
    assert_eq!(rig.writes(), Vec::new());
    assert_eq!(rig.gh.deploy_keys("alice/fleet"), keys);

    // Same title, new key material: the stale key is deleted, and revoked in sshd.
    assert_eq!(
        gh.reconcile_deploy_key(&repo, &key(TITLE, &second))
            .await
            .unwrap(),
        Change::Replaced
    );
    let now = rig.gh.deploy_keys("alice/fleet");
    assert_eq!(now.len(), 1, "{now:?}");
    assert_ne!(now[0].id, keys[0].id);
    assert!(second.public_key.starts_with(&now[0].key), "{now:?}");
    let err = format!("{:#}", rig.ssh_refs(&repo.ssh_url, &first).unwrap_err());
    assert!(err.contains("Permission denied"), "{err}");
    rig.ssh_refs(&repo.ssh_url, &second)
        .unwrap_or_else(|e| panic!("{e:#}"));

    // Same key, other access: replaced too.
    let mut writable = key(TITLE, &second);
    writable.read_only = false;
    assert_eq!(
        gh.reconcile_deploy_key(&repo, &writable).await.unwrap(),
        Change::Replaced
    );
    let now = rig.gh.deploy_keys("alice/fleet");
    assert_eq!(now.len(), 1);
    assert!(!now[0].read_only);
    rig.ssh_refs(&repo.ssh_url, &second)
        .unwrap_or_else(|e| panic!("{e:#}"));
}

#[tokio::test]
async fn a_key_used_elsewhere_is_refused_with_advice() {
    let rig = rig();
    let repo = created(&rig, "acme", false).await;
    rig.gh
        .seed_repository("acme", "other", &SeedRepo::default())
        .unwrap();
    let pair = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    rig.gh
        .seed_deploy_key("acme/other", "someone else's", &pair.public_key, true)
        .unwrap();
    let err = err_text(
        rig.client(ALICE)
            .reconcile_deploy_key(&repo, &key(TITLE, &pair))
            .await,
    );
    assert!(err.contains("key is already in use"), "{err}");
    assert!(err.contains("one repository only"), "{err}");
    assert!(rig.gh.deploy_keys("acme/fleet").is_empty());
}

#[tokio::test]
async fn deploy_keys_are_found_on_later_pages() {
    let rig = rig();
    let repo = created(&rig, "acme", false).await;
    // 130 keys: GitHub answers at most 100 a page.
    for i in 0..130u32 {
        let fake = format!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{i:043}");
        rig.gh
            .seed_deploy_key("acme/fleet", &format!("other-{i}"), &fake, true)
            .unwrap();
    }
    let pair = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    rig.gh
        .seed_deploy_key("acme/fleet", TITLE, &pair.public_key, true)
        .unwrap();
    let gh = rig.client(ALICE);

    rig.gh.clear_requests();
    assert_eq!(
        gh.reconcile_deploy_key(&repo, &key(TITLE, &pair))
            .await
            .unwrap(),
        Change::Unchanged
    );
    assert_eq!(rig.writes(), Vec::new(), "the key on page 2 was found");
    let pages: Vec<_> = rig.gh.requests().into_iter().map(|r| r.path).collect();
    let id = rig.gh.repository("acme/fleet").unwrap().id;
    assert_eq!(
        pages,
        vec![
            "/repos/acme/fleet/keys".to_string(),
            format!("/repositories/{id}/keys"),
        ]
    );

    // A stale key of the same title on page 2 is replaced, not duplicated.
    let newer = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    assert_eq!(
        gh.reconcile_deploy_key(&repo, &key(TITLE, &newer))
            .await
            .unwrap(),
        Change::Replaced
    );
    let keys = rig.gh.deploy_keys("acme/fleet");
    assert_eq!(keys.len(), 131);
    let mine: Vec<_> = keys.iter().filter(|k| k.title == TITLE).collect();
    assert_eq!(mine.len(), 1);
    assert!(newer.public_key.starts_with(&mine[0].key));
}

#[tokio::test]
async fn a_token_without_the_repo_scope_creates_nothing() {
    let rig = rig();
    let err = err_text(
        rig.client(CAROL_NO_SCOPES)
            .reconcile_repository(&request("acme", "fleet", false), printer())
            .await,
    );
    assert!(
        err.contains("the token may not create repositories in organisation \"acme\" (403 Resource not accessible by personal access token"),
        "{err}"
    );
    assert!(
        err.contains(
            "it needs the \"repo\" scope (classic) or Administration: write (fine-grained)"
        ),
        "{err}"
    );
    assert!(err.contains("the token's scopes: none"), "{err}");
    assert!(rig.gh.repository("acme/fleet").is_none());
    assert!(!rig.servers.repos_dir().join("acme/fleet.git").exists());
    assert!(!err.contains(CAROL_NO_SCOPES));
}

#[tokio::test]
async fn a_bad_token_is_named_without_printing_it() {
    let rig = rig();
    let token = "ghp_not_a_real_token";
    let err = err_text(
        rig.client(token)
            .reconcile_repository(&request("alice", "fleet", true), printer())
            .await,
    );
    assert!(
        err.contains(
            "GitHub rejected the token (401 Bad credentials): set GITHUB_TOKEN to a valid personal access token"
        ),
        "{err}"
    );
    assert!(!err.contains(token), "{err}");
    assert_eq!(rig.writes(), Vec::new());
}

#[tokio::test]
async fn a_private_ca_must_be_given() {
    let rig = rig();
    let gh = GitHub::new(Some(&rig.gh.hostname()), ALICE, None).unwrap();
    let err = err_text(
        gh.reconcile_repository(&request("alice", "fleet", true), printer())
            .await,
    );
    assert!(
        err.contains(&format!("cannot reach {}", rig.gh.hostname())),
        "{err}"
    );
    assert!(err.contains("--ca-file"), "{err}");
    assert!(rig.gh.requests().is_empty());

    let err = err_text(GitHub::new(
        Some(&rig.gh.hostname()),
        ALICE,
        Some("not a certificate"),
    ));
    assert!(err.contains("--ca-file"), "{err}");
}

#[tokio::test]
async fn a_private_repository_the_token_cannot_see_is_not_overwritten() {
    let rig = rig();
    rig.gh
        .seed_repository("acme", "fleet", &SeedRepo::default())
        .unwrap();
    let before = rig.gh.branch_head("acme/fleet", "main").unwrap();
    let gh = rig.client(ERIN_PUBLIC_REPO);
    // Without the "repo" scope the private repository is a 404, and creating it a 422.
    let mut req = request("acme", "fleet", false);
    req.visibility = Visibility::Public;
    let err = err_text(gh.reconcile_repository(&req, printer()).await);
    assert!(
        err.contains("repository \"acme/fleet\" exists but the token cannot see it (422 Repository creation failed.: name already exists on this account)"),
        "{err}"
    );
    assert_eq!(rig.gh.branch_head("acme/fleet", "main").unwrap(), before);
    assert!(rig.gh.repository("acme/fleet").unwrap().private);

    // Nor may it manage the repository's deploy keys.
    let repo = Repository {
        full_name: "acme/fleet".into(),
        id: rig.gh.repository("acme/fleet").unwrap().id.to_string(),
        https_url: rig.https.url("acme/fleet"),
        ssh_url: rig.servers.ssh().url("acme/fleet"),
        default_branch: Some("main".into()),
        created: false,
    };
    let pair = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    let err = err_text(gh.reconcile_deploy_key(&repo, &key(TITLE, &pair)).await);
    assert!(
        err.contains(
            "the token may not read the deploy keys of repository \"acme/fleet\" (404 Not Found"
        ),
        "{err}"
    );
    assert!(err.contains("\"repo\" scope"), "{err}");
    assert!(rig.gh.deploy_keys("acme/fleet").is_empty());
}
