//! Every `spec.ref` kind, suspend/resume, sparse checkout and `spec.ignore`, through the
//! source controller against real Git servers, asserting Flux's revision strings and the
//! artifact contents.

use std::time::Duration;

use serde_json::json;
use testenv::git::{HttpOptions, SshKeyPair, SshKeyType};
use tk::api::meta::Artifact;
use tk::api::source::GitRepository;

use crate::source_support::{Harness, condition, download};

fn artifact(repo: &GitRepository) -> Artifact {
    repo.status
        .as_ref()
        .and_then(|s| s.artifact.clone())
        .unwrap_or_else(|| panic!("no artifact in {:?}", repo.status))
}

/// Waits for Ready at `revision`, checks the artifact file is named after `sha` as Flux
/// names it, and returns the files in the artifact.
async fn ready_files(h: &Harness, name: &str, revision: &str, sha: &str) -> Vec<String> {
    let ready = h.wait_ready(name, revision).await;
    let (_, reason, message) = condition(&ready, "Ready").unwrap();
    assert_eq!(reason, "Succeeded", "{name}");
    assert_eq!(
        message,
        format!("stored artifact for revision '{revision}'"),
        "{name}"
    );
    let artifact = artifact(&ready);
    assert_eq!(
        artifact.path,
        format!("gitrepository/{}/{name}/{sha}.tar.gz", h.ns),
        "{name}: the artifact is named after the commit"
    );
    download(&artifact.url, &artifact.digest)
}

/// Waits for FetchFailed=True and returns (reason, message).
async fn fetch_failed(h: &Harness, name: &str) -> (String, String) {
    let failed = h
        .wait_for(name, "FetchFailed=True", |r| {
            condition(r, "FetchFailed").is_some_and(|(s, _, _)| s == "True")
        })
        .await;
    let (_, reason, message) = condition(&failed, "FetchFailed").unwrap();
    let (ready, ready_reason, _) = condition(&failed, "Ready").unwrap();
    assert_eq!(ready, "False", "{name}: Ready while FetchFailed: {message}");
    assert_eq!(
        ready_reason, reason,
        "{name}: Ready carries the failure reason"
    );
    assert!(
        failed.status.as_ref().unwrap().artifact.is_none(),
        "{name}: an artifact without a successful fetch"
    );
    (reason, message)
}

#[tokio::test(flavor = "multi_thread")]
async fn default_master_branches_and_tags_have_flux_revisions() {
    let h = Harness::start("src-refs").await;
    let repo = h.servers.create_repo("refs").unwrap();
    // `main` is the served default branch (the bare HEAD); Flux's default is `master`
    // regardless, so the two must differ.
    let on_main = repo.commit("main", &[("main.txt", "main\n")]).unwrap();
    repo.checkout_new_branch("master").unwrap();
    let on_master = repo
        .commit("master", &[("master.txt", "master\n")])
        .unwrap();
    repo.checkout("main").unwrap();
    repo.checkout_new_branch("feature/x").unwrap();
    let light = repo
        .commit("feature", &[("feature.txt", "feature\n")])
        .unwrap();
    repo.tag("v0.1.0").unwrap();
    let annotated = repo
        .commit("release", &[("release.txt", "release\n")])
        .unwrap();
    let tag_object = repo.annotated_tag("v0.2.0", "Release v0.2.0").unwrap();
    assert_ne!(tag_object, annotated);
    repo.push().unwrap();
    assert_eq!(repo.commit_of("HEAD").unwrap(), on_main);

    let url = h.servers.http().url("refs");
    h.apply_repo("no-ref", json!({ "url": url, "interval": "10m" }))
        .await;
    h.apply_repo(
        "branch",
        json!({ "url": url, "interval": "10m", "ref": { "branch": "feature/x" } }),
    )
    .await;
    h.apply_repo(
        "light-tag",
        json!({ "url": url, "interval": "10m", "ref": { "tag": "v0.1.0" } }),
    )
    .await;
    h.apply_repo(
        "annotated-tag",
        json!({ "url": url, "interval": "10m", "ref": { "tag": "v0.2.0" } }),
    )
    .await;
    // Flux's precedence: commit > name > semver > tag > branch.
    h.apply_repo(
        "tag-over-branch",
        json!({ "url": url, "interval": "10m", "ref": { "branch": "main", "tag": "v0.1.0" } }),
    )
    .await;

    let files = ready_files(
        &h,
        "no-ref",
        &format!("master@sha1:{on_master}"),
        &on_master,
    )
    .await;
    assert_eq!(
        files,
        ["main.txt", "master.txt"],
        "no ref checks out master"
    );
    let files = ready_files(
        &h,
        "branch",
        &format!("feature/x@sha1:{annotated}"),
        &annotated,
    )
    .await;
    assert_eq!(files, ["feature.txt", "main.txt", "release.txt"]);
    let files = ready_files(&h, "light-tag", &format!("v0.1.0@sha1:{light}"), &light).await;
    assert_eq!(files, ["feature.txt", "main.txt"]);
    // An annotated tag's revision names the commit it points at, not the tag object.
    let files = ready_files(
        &h,
        "annotated-tag",
        &format!("v0.2.0@sha1:{annotated}"),
        &annotated,
    )
    .await;
    assert_eq!(files, ["feature.txt", "main.txt", "release.txt"]);
    ready_files(
        &h,
        "tag-over-branch",
        &format!("v0.1.0@sha1:{light}"),
        &light,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn semver_picks_the_highest_matching_tag_and_follows_new_tags() {
    let h = Harness::start("src-semver").await;
    let repo = h.servers.create_repo("semver").unwrap();
    let v100 = repo.commit("1.0.0", &[("v.txt", "1.0.0\n")]).unwrap();
    repo.tag("v1.0.0").unwrap();
    let v110 = repo.commit("1.1.0", &[("v.txt", "1.1.0\n")]).unwrap();
    repo.annotated_tag("v1.1.0", "Release 1.1.0").unwrap();
    let rc = repo
        .commit("1.2.0-rc.1", &[("v.txt", "1.2.0-rc.1\n")])
        .unwrap();
    repo.tag("v1.2.0-rc.1").unwrap();
    repo.commit("2.0.0", &[("v.txt", "2.0.0\n")]).unwrap();
    repo.tag("v2.0.0").unwrap();
    repo.tag("latest").unwrap();
    repo.push().unwrap();

    let url = h.servers.http().url("semver");
    let with_range =
        |range: &str| json!({ "url": url, "interval": "10m", "ref": { "semver": range } });
    h.apply_repo("stable", with_range(">=1.0.0 <2.0.0")).await;
    h.apply_repo("pre", with_range(">=1.2.0-rc.0 <2.0.0")).await;
    h.apply_repo("tilde", with_range("~1.0")).await;
    h.apply_repo("none", with_range(">=3.0.0")).await;
    // semver wins over tag and branch.
    h.apply_repo(
        "semver-over-tag",
        json!({ "url": url, "interval": "10m", "ref": { "branch": "main", "tag": "v1.0.0", "semver": "1.1.x" } }),
    )
    .await;

    // Pre-releases are excluded unless the range names one.
    h.wait_ready("stable", &format!("v1.1.0@sha1:{v110}")).await;
    h.wait_ready("pre", &format!("v1.2.0-rc.1@sha1:{rc}")).await;
    h.wait_ready("tilde", &format!("v1.0.0@sha1:{v100}")).await;
    h.wait_ready("semver-over-tag", &format!("v1.1.0@sha1:{v110}"))
        .await;
    let (_, message) = fetch_failed(&h, "none").await;
    assert!(
        message.contains(">=3.0.0"),
        "the failure names the range: {message}"
    );

    // A higher tag in range is pushed: a requested reconcile moves to it.
    let v130 = repo.commit("1.3.0", &[("v.txt", "1.3.0\n")]).unwrap();
    repo.tag("v1.3.0").unwrap();
    repo.push().unwrap();
    h.request_reconcile("stable").await;
    let moved = h.wait_ready("stable", &format!("v1.3.0@sha1:{v130}")).await;
    assert_eq!(
        artifact(&moved).path,
        format!("gitrepository/{}/stable/{v130}.tar.gz", h.ns)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ref_names_and_pinned_commits() {
    let h = Harness::start("src-pinned").await;
    let repo = h.servers.create_repo("pinned").unwrap();
    let first = repo.commit("first", &[("first.txt", "1\n")]).unwrap();
    let second = repo.commit("second", &[("second.txt", "2\n")]).unwrap();
    repo.tag("t1").unwrap();
    repo.push().unwrap();
    // A pull request head: a ref outside refs/heads and refs/tags.
    repo.checkout_new_branch("pr").unwrap();
    let pr = repo.commit("pr", &[("pr.txt", "pr\n")]).unwrap();
    repo.push_refspecs(&["+HEAD:refs/pull/1/head"]).unwrap();
    repo.checkout("main").unwrap();
    assert_eq!(repo.commit_of("refs/pull/1/head").unwrap(), pr);
    assert!(repo.bare_rev_parse("refs/heads/pr").is_err());

    let url = h.servers.http().url("pinned");
    let with_ref = |r: serde_json::Value| json!({ "url": url, "interval": "10m", "ref": r });
    h.apply_repo("pull", with_ref(json!({ "name": "refs/pull/1/head" })))
        .await;
    h.apply_repo("heads-main", with_ref(json!({ "name": "refs/heads/main" })))
        .await;
    h.apply_repo("commit", with_ref(json!({ "commit": first })))
        .await;
    h.apply_repo(
        "branch-commit",
        with_ref(json!({ "branch": "main", "commit": first })),
    )
    .await;
    h.apply_repo(
        "name-over-tag",
        with_ref(json!({ "tag": "t1", "name": "refs/pull/1/head" })),
    )
    .await;

    let files = ready_files(&h, "pull", &format!("refs/pull/1/head@sha1:{pr}"), &pr).await;
    assert_eq!(files, ["first.txt", "pr.txt", "second.txt"]);
    ready_files(
        &h,
        "heads-main",
        &format!("refs/heads/main@sha1:{second}"),
        &second,
    )
    .await;
    // A pinned commit that is not the branch tip: the artifact holds that commit.
    let files = ready_files(&h, "commit", &format!("sha1:{first}"), &first).await;
    assert_eq!(files, ["first.txt"]);
    let files = ready_files(&h, "branch-commit", &format!("main@sha1:{first}"), &first).await;
    assert_eq!(files, ["first.txt"]);
    ready_files(
        &h,
        "name-over-tag",
        &format!("refs/pull/1/head@sha1:{pr}"),
        &pr,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_refs_fail_naming_the_ref_and_recover() {
    let h = Harness::start("src-missing").await;
    let repo = h.servers.create_repo("missing").unwrap();
    repo.commit("init", &[("a.txt", "a\n")]).unwrap();
    repo.push().unwrap();
    let url = h.servers.http().url("missing");
    let with_ref = |r: serde_json::Value| json!({ "url": url, "interval": "10m", "ref": r });
    h.apply_repo("branch", with_ref(json!({ "branch": "no-such-branch" })))
        .await;
    h.apply_repo("tag", with_ref(json!({ "tag": "v9.9.9" })))
        .await;
    let absent = "0123456789abcdef0123456789abcdef01234567";
    h.apply_repo(
        "commit",
        with_ref(json!({ "branch": "main", "commit": absent })),
    )
    .await;
    h.apply_repo("name", with_ref(json!({ "name": "refs/pull/7/head" })))
        .await;

    for (name, needle) in [
        ("branch", "no-such-branch"),
        ("tag", "v9.9.9"),
        ("commit", absent),
        ("name", "refs/pull/7/head"),
    ] {
        let (reason, message) = fetch_failed(&h, name).await;
        assert_eq!(reason, "GitOperationFailed", "{name}: {message}");
        assert!(
            message.contains(needle),
            "{name}: the message names '{needle}': {message}"
        );
    }
    // A missing branch may appear later: Flux retries rather than stalling.
    let branch = h.repos().get("branch").await.unwrap();
    assert!(
        condition(&branch, "Stalled").is_none_or(|(s, _, _)| s != "True"),
        "a missing branch is not a terminal error: {:?}",
        branch.status
    );

    repo.checkout_new_branch("no-such-branch").unwrap();
    let sha = repo.commit("now it exists", &[("b.txt", "b\n")]).unwrap();
    repo.push().unwrap();
    h.request_reconcile("branch").await;
    let ready = h
        .wait_ready("branch", &format!("no-such-branch@sha1:{sha}"))
        .await;
    assert!(
        condition(&ready, "FetchFailed").is_none(),
        "FetchFailed cleared on success: {:?}",
        ready.status
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn suspend_stops_reconciling_until_resumed() {
    let h = Harness::start("src-suspend").await;
    let repo = h.servers.create_repo("app").unwrap();
    let first = repo.commit("first", &[("a.txt", "1\n")]).unwrap();
    repo.push().unwrap();
    let url = h.servers.http().url("app");
    let spec = |suspend: bool| json!({ "url": url, "interval": "10m", "ref": { "branch": "main" }, "suspend": suspend });
    h.apply_repo("app", spec(false)).await;
    let ready = h.wait_ready("app", &format!("main@sha1:{first}")).await;
    let before = ready.status.clone().unwrap();

    h.apply_repo("app", spec(true)).await;
    let second = repo.commit("second", &[("a.txt", "2\n")]).unwrap();
    repo.push().unwrap();
    let log_path = h.servers.http().log_path().to_path_buf();
    let requests = || {
        std::fs::read_to_string(&log_path)
            .unwrap_or_default()
            .lines()
            .count()
    };
    let seen = requests();
    h.request_reconcile("app").await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    let suspended = h.repos().get("app").await.unwrap();
    let after = suspended.status.clone().unwrap();
    assert_eq!(
        requests(),
        seen,
        "a suspended GitRepository contacted the Git server"
    );
    assert_eq!(
        after.artifact, before.artifact,
        "artifact changed while suspended"
    );
    assert_eq!(
        after.conditions, before.conditions,
        "conditions changed while suspended"
    );

    // Resuming reconciles at once and picks up the pushed commit.
    h.apply_repo("app", spec(false)).await;
    h.wait_ready("app", &format!("main@sha1:{second}")).await;
    assert!(requests() > seen);
}

#[tokio::test(flavor = "multi_thread")]
async fn sparse_checkout_keeps_only_the_listed_directories() {
    let h = Harness::start("src-sparse").await;
    let repo = h.servers.create_repo("mono").unwrap();
    let sha = repo
        .commit(
            "monorepo",
            &[
                ("README.md", "root file\n"),
                ("apps/prod/app.yaml", "kind: ConfigMap\n"),
                ("apps/staging/app.yaml", "kind: ConfigMap\n"),
                ("infra/net.yaml", "kind: ConfigMap\n"),
                ("docs/guide.md", "docs\n"),
            ],
        )
        .unwrap();
    repo.push().unwrap();
    let url = h.servers.http().url("mono");
    h.apply_repo(
        "sparse",
        json!({ "url": url, "interval": "10m", "ref": { "branch": "main" }, "sparseCheckout": ["apps/prod", "infra"] }),
    )
    .await;
    let revision = format!("main@sha1:{sha}");
    let ready = h.wait_ready("sparse", &revision).await;
    let first = artifact(&ready);
    assert_eq!(
        download(&first.url, &first.digest),
        ["apps/prod/app.yaml", "infra/net.yaml"],
        "only the sparse-checkout directories"
    );
    assert_eq!(
        ready.status.as_ref().unwrap().observed_sparse_checkout,
        Some(vec!["apps/prod".to_string(), "infra".to_string()]),
    );

    // Dropping the sparse checkout rebuilds the artifact from the same commit.
    h.apply_repo(
        "sparse",
        json!({ "url": url, "interval": "10m", "ref": { "branch": "main" } }),
    )
    .await;
    let full = h
        .wait_for("sparse", "a full artifact", |r| {
            r.status.as_ref().is_some_and(|s| {
                s.observed_sparse_checkout.is_none()
                    && s.artifact
                        .as_ref()
                        .is_some_and(|a| a.digest != first.digest)
            })
        })
        .await;
    let full = artifact(&full);
    assert_eq!(full.revision, revision);
    assert_eq!(
        download(&full.url, &full.digest),
        [
            "README.md",
            "apps/prod/app.yaml",
            "apps/staging/app.yaml",
            "docs/guide.md",
            "infra/net.yaml"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn spec_ignore_replaces_the_default_excludes() {
    let h = Harness::start("src-ignore").await;
    let repo = h.servers.create_repo("ign").unwrap();
    let sha = repo
        .commit(
            "content with default-excluded files",
            &[
                ("deploy/app.yaml", "kind: ConfigMap\n"),
                ("deploy/notes.txt", "notes\n"),
                ("logo.png", "not an image\n"),
                ("bundle.zip", "not a zip\n"),
                (".github/workflows/ci.yaml", "on: push\n"),
                (".goreleaser.yml", "builds: []\n"),
            ],
        )
        .unwrap();
    repo.push().unwrap();
    let url = h.servers.http().url("ign");
    let revision = format!("main@sha1:{sha}");

    // No rules at all: Flux's defaults drop media, archives and CI files.
    h.apply_repo(
        "ign",
        json!({ "url": url, "interval": "10m", "ref": { "branch": "main" } }),
    )
    .await;
    let defaults = artifact(&h.wait_ready("ign", &revision).await);
    assert_eq!(
        download(&defaults.url, &defaults.digest),
        ["deploy/app.yaml", "deploy/notes.txt"],
        "Flux's default excludes"
    );

    // spec.ignore replaces the defaults: only its own patterns (and .git) stay out.
    let ignore = "# keep the docs out\n/deploy/*.txt\n";
    h.apply_repo(
        "ign",
        json!({ "url": url, "interval": "10m", "ref": { "branch": "main" }, "ignore": ignore }),
    )
    .await;
    let custom = h
        .wait_for("ign", "an artifact built with spec.ignore", |r| {
            r.status.as_ref().is_some_and(|s| {
                s.observed_ignore.as_deref() == Some(ignore)
                    && condition(r, "Ready").is_some_and(|(s, _, _)| s == "True")
            })
        })
        .await;
    let custom = artifact(&custom);
    assert_eq!(custom.revision, revision);
    assert_ne!(custom.digest, defaults.digest);
    assert_eq!(
        download(&custom.url, &custom.digest),
        [
            ".github/workflows/ci.yaml",
            ".goreleaser.yml",
            "bundle.zip",
            "deploy/app.yaml",
            "logo.png"
        ],
        "spec.ignore replaces the defaults"
    );
}

/// Ready at `revision`, or a description of what happened instead.
async fn outcome(h: &Harness, name: &str, revision: &str) -> Result<(), String> {
    let done = h
        .wait_for(name, &format!("Ready at {revision} or FetchFailed"), |r| {
            condition(r, "FetchFailed").is_some_and(|(s, _, _)| s == "True")
                || (condition(r, "Ready").is_some_and(|(s, _, _)| s == "True")
                    && r.status
                        .as_ref()
                        .and_then(|s| s.artifact.as_ref())
                        .is_some_and(|a| a.revision == revision))
        })
        .await;
    match condition(&done, "FetchFailed") {
        Some((status, reason, message)) if status == "True" => Err(format!(
            "{name}: expected Ready at '{revision}', got FetchFailed ({reason}): {message}"
        )),
        _ => Ok(()),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_ref_kind_over_ssh_and_basic_auth() {
    let h = Harness::start("src-refs-auth").await;
    let repo = h.servers.create_repo("auth").unwrap();
    let first = repo.commit("first", &[("first.txt", "1\n")]).unwrap();
    repo.tag("v1.0.0").unwrap();
    let second = repo.commit("second", &[("second.txt", "2\n")]).unwrap();
    repo.annotated_tag("v1.1.0", "Release 1.1.0").unwrap();
    repo.push().unwrap();
    repo.checkout_new_branch("pr").unwrap();
    let pr = repo.commit("pr", &[("pr.txt", "pr\n")]).unwrap();
    repo.push_refspecs(&["+HEAD:refs/pull/1/head"]).unwrap();
    repo.checkout("main").unwrap();

    let key = SshKeyPair::generate(SshKeyType::Ed25519).unwrap();
    h.servers.ssh().add_authorized_key(&key.public_key).unwrap();
    let ssh_data = key.secret_data(&h.servers.ssh().known_hosts());
    let ssh_data: Vec<(&str, &str)> = ssh_data
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    h.create_secret("ssh", &ssh_data).await;
    let basic = h
        .servers
        .start_http(&HttpOptions {
            basic_auth: Some(("flux".into(), "refs-pw".into())),
            ..Default::default()
        })
        .unwrap();
    h.create_secret("basic", &[("username", "flux"), ("password", "refs-pw")])
        .await;

    let refs = [
        (
            "branch",
            json!({ "branch": "main" }),
            format!("main@sha1:{second}"),
        ),
        (
            "tag",
            json!({ "tag": "v1.0.0" }),
            format!("v1.0.0@sha1:{first}"),
        ),
        (
            "annotated",
            json!({ "tag": "v1.1.0" }),
            format!("v1.1.0@sha1:{second}"),
        ),
        (
            "semver",
            json!({ "semver": ">=1.0.0 <2.0.0" }),
            format!("v1.1.0@sha1:{second}"),
        ),
        (
            "name",
            json!({ "name": "refs/pull/1/head" }),
            format!("refs/pull/1/head@sha1:{pr}"),
        ),
        (
            "commit",
            json!({ "commit": first }),
            format!("sha1:{first}"),
        ),
        (
            "branch-commit",
            json!({ "branch": "main", "commit": first }),
            format!("main@sha1:{first}"),
        ),
    ];
    let transports = [
        ("ssh", h.servers.ssh().url("auth")),
        ("basic", basic.url("auth")),
    ];
    for (transport, url) in &transports {
        for (kind, r, _) in &refs {
            h.apply_repo(
                &format!("{transport}-{kind}"),
                json!({ "url": url, "interval": "10m", "ref": r, "secretRef": { "name": transport } }),
            )
            .await;
        }
    }
    let mut failures = Vec::new();
    for (transport, _) in &transports {
        for (kind, _, revision) in &refs {
            if let Err(e) = outcome(&h, &format!("{transport}-{kind}"), revision).await {
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} authenticated ref kinds failed:\n{}",
        failures.len(),
        refs.len() * transports.len(),
        failures.join("\n")
    );
}
