use crate::{file_url, files, fixture, servers};
use gitsource::{Auth, CheckoutOptions, Error, Options, Reference, checkout, ls_remote};

fn both(url: &str, r: &Reference) -> (gitsource::RemoteHead, gitsource::Commit) {
    let head = ls_remote(url, r, &Auth::default(), &Options::default())
        .unwrap_or_else(|e| panic!("{r:?}: {e}"));
    let dir = tempfile::tempdir().unwrap();
    let commit = checkout(
        url,
        r,
        &Auth::default(),
        &dir.path().join("co"),
        &CheckoutOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{r:?}: {e}"));
    assert_eq!(
        head.commit, commit.sha,
        "{r:?}: ls-remote and checkout disagree"
    );
    assert_eq!(head.revision, commit.revision, "{r:?}");
    (head, commit)
}

#[test]
fn every_ref_kind_resolves_over_git_daemon_and_file() {
    let f = fixture("refs");
    for url in [servers().daemon().url(f.repo.name()), file_url(&f.repo)] {
        let (_, c) = both(&url, &Reference::branch("main"));
        assert_eq!(c.revision, format!("main@sha1:{}", f.second));
        assert_eq!(c.reference.as_deref(), Some("refs/heads/main"));
        assert_eq!(c.message, "second\n");
        assert_eq!(c.author.email, testenv::git::AUTHOR_EMAIL);
        assert!(c.tag.is_none());

        let (_, c) = both(&url, &Reference::branch("feature/x"));
        assert_eq!(c.revision, format!("feature/x@sha1:{}", f.feature));

        let (_, c) = both(&url, &Reference::default());
        assert_eq!(c.revision, format!("master@sha1:{}", f.first));

        let (_, c) = both(&url, &Reference::tag("v1.0.0"));
        assert_eq!(c.revision, format!("v1.0.0@sha1:{}", f.first));
        assert!(c.tag.is_none(), "a lightweight tag has no tag object");

        let (_, c) = both(&url, &Reference::tag("v1.1.0"));
        assert_eq!(c.revision, format!("v1.1.0@sha1:{}", f.second));
        let tag = c.tag.expect("annotated tag");
        assert_eq!(
            (tag.name.as_str(), tag.message.as_str()),
            ("v1.1.0", "release 1.1.0\n")
        );
        assert_eq!(tag.sha, f.repo.bare_rev_parse("refs/tags/v1.1.0").unwrap());
        assert!(tag.signature.is_none());

        let (_, c) = both(&url, &Reference::semver(">=1.0.0"));
        assert_eq!(c.revision, format!("v1.1.0@sha1:{}", f.second));
        assert_eq!(c.tag.unwrap().name, "v1.1.0");
        let (_, c) = both(&url, &Reference::semver("~1.0"));
        assert_eq!(c.revision, format!("v1.0.0@sha1:{}", f.first));
        let (_, c) = both(&url, &Reference::semver(">=2.0.0-0"));
        assert_eq!(c.revision, format!("v2.0.0-rc.1@sha1:{}", f.second));

        let (_, c) = both(&url, &Reference::name("refs/pull/1/head"));
        assert_eq!(c.revision, format!("refs/pull/1/head@sha1:{}", f.feature));
        let (_, c) = both(&url, &Reference::name("refs/tags/v1.1.0"));
        assert_eq!(c.revision, format!("refs/tags/v1.1.0@sha1:{}", f.second));
        assert!(c.tag.is_some());

        let pinned = Reference {
            branch: Some("main".into()),
            commit: Some(f.first.clone()),
            ..Default::default()
        };
        let (_, c) = both(&url, &pinned);
        assert_eq!(c.revision, format!("main@sha1:{}", f.first));
        let (_, c) = both(&url, &Reference::commit(&f.feature));
        assert_eq!(c.revision, format!("sha1:{}", f.feature));
    }
}

#[test]
fn checkout_writes_the_tree_of_the_resolved_commit() {
    let f = fixture("tree");
    let url = servers().daemon().url(f.repo.name());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("co");
    checkout(
        &url,
        &Reference::tag("v1.0.0"),
        &Auth::default(),
        &out,
        &CheckoutOptions::default(),
    )
    .unwrap();
    assert_eq!(files(&out), vec!["README.md"]);
    let out = dir.path().join("co2");
    checkout(
        &url,
        &Reference::branch("feature/x"),
        &Auth::default(),
        &out,
        &CheckoutOptions::default(),
    )
    .unwrap();
    assert_eq!(
        files(&out),
        vec![
            "README.md",
            "deploy/app.yaml",
            "docs/guide.md",
            "feature.txt"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(out.join("deploy/app.yaml")).unwrap(),
        "kind: ConfigMap\n"
    );
}

#[test]
fn missing_refs_are_named_in_the_error() {
    let f = fixture("missing");
    let url = servers().daemon().url(f.repo.name());
    let dir = tempfile::tempdir().unwrap();
    for (r, want) in [
        (Reference::branch("nope"), "refs/heads/nope"),
        (Reference::tag("v9.9.9"), "refs/tags/v9.9.9"),
        (Reference::name("refs/pull/9/head"), "refs/pull/9/head"),
    ] {
        let err = ls_remote(&url, &r, &Auth::default(), &Options::default()).unwrap_err();
        assert!(
            matches!(&err, Error::RefNotFound { reference, .. } if reference == want),
            "{err}"
        );
        let err = checkout(
            &url,
            &r,
            &Auth::default(),
            &dir.path().join(want.replace('/', "_")),
            &CheckoutOptions::default(),
        )
        .unwrap_err();
        assert!(
            matches!(&err, Error::RefNotFound { reference, .. } if reference == want),
            "{err}"
        );
    }
    for range in [">=5.0.0", "~0.1"] {
        let err = ls_remote(
            &url,
            &Reference::semver(range),
            &Auth::default(),
            &Options::default(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::NoMatchingTag { .. }), "{err}");
        let err = checkout(
            &url,
            &Reference::semver(range),
            &Auth::default(),
            &dir.path().join(range),
            &CheckoutOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("no tag in {url} matches semver range '{range}'")
        );
    }
}

#[test]
fn pinned_commit_must_be_reachable_from_its_branch() {
    let f = fixture("pinned");
    let url = servers().daemon().url(f.repo.name());
    let dir = tempfile::tempdir().unwrap();
    let r = Reference {
        branch: Some("master".into()),
        commit: Some(f.feature.clone()),
        ..Default::default()
    };
    let err = checkout(
        &url,
        &r,
        &Auth::default(),
        &dir.path().join("co"),
        &CheckoutOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::CommitNotFound { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "commit '{}' not found in {url} on 'refs/heads/master'",
            f.feature
        )
    );
    let unknown = "0000000000000000000000000000000000000001";
    let err = checkout(
        &url,
        &Reference::commit(unknown),
        &Auth::default(),
        &dir.path().join("co2"),
        &CheckoutOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::CommitNotFound { .. }), "{err}");
}

#[test]
fn semver_ties_are_broken_by_commit_time_like_flux() {
    let repo = servers().create_repo(&crate::unique("ties")).unwrap();
    repo.commit("old", &[("a", "1")]).unwrap();
    repo.tag("1.0.0").unwrap();
    let newer = repo.commit("new", &[("a", "2")]).unwrap();
    repo.tag("v1.0.0").unwrap();
    repo.push().unwrap();
    let url = servers().daemon().url(repo.name());
    let dir = tempfile::tempdir().unwrap();
    let c = checkout(
        &url,
        &Reference::semver("1.x"),
        &Auth::default(),
        &dir.path().join("co"),
        &CheckoutOptions::default(),
    )
    .unwrap();
    assert_eq!(c.revision, format!("v1.0.0@sha1:{newer}"));
}
