//! `create source git|bucket` / `create secret git` without a cluster: `--export` output
//! compared byte-for-byte with the flux CLI's golden files, and flag validation errors.

use super::{stderr, stdout, tk};

const TESTDATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/corpus/flux/flux2/cmd/flux/testdata"
);

fn golden(path: &str) -> String {
    std::fs::read_to_string(format!("{TESTDATA}/{path}")).expect("golden file exists")
}

fn export(args: &str) -> String {
    let args: Vec<&str> = args.split_whitespace().collect();
    let out = tk(&args);
    assert!(out.status.success(), "tk {args:?} failed: {}", stderr(&out));
    stdout(&out)
}

fn error(args: &[&str]) -> String {
    let out = tk(args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "tk {args:?} should fail: {}",
        stdout(&out)
    );
    stderr(&out)
}

#[test]
fn create_source_git_export_matches_flux_golden_files() {
    let cases = [
        (
            "create source git podinfo --url=https://github.com/stefanprodan/podinfo --branch=master \
             --sparse-checkout-paths .cosign,non-existent-dir/ --ignore-paths .cosign,non-existent-dir/ \
             -n default --interval 1m --export --timeout=10s",
            "create_source_git/export.golden",
        ),
        (
            "create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo \
             --commit=c88a2f41 --interval=1m0s --export",
            "create_source_git/source-git-commit.yaml",
        ),
        (
            "create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo \
             --ref-name=refs/heads/main --interval=1m0s --export",
            "create_source_git/source-git-refname.yaml",
        ),
        (
            "create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo \
             --branch=main --commit=c88a2f41 --interval=1m0s --export",
            "create_source_git/source-git-branch-commit.yaml",
        ),
        (
            "create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo \
             --tag-semver=v1.01 --interval=1m0s --export",
            "create_source_git/source-git-semver.yaml",
        ),
        (
            "create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo \
             --tag=test --interval=1m0s --export",
            "create_source_git/source-git-tag.yaml",
        ),
        (
            "create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo \
             --branch=test --interval=1m0s --export",
            "create_source_git/source-git-branch.yaml",
        ),
        (
            "create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo \
             --provider generic --branch=test --interval=1m0s --export",
            "create_source_git/source-git-provider-generic.yaml",
        ),
        (
            "create source git podinfo --namespace=flux-system --url=https://dev.azure.com/foo/bar/_git/podinfo \
             --provider azure --branch=test --interval=1m0s --export",
            "create_source_git/source-git-provider-azure.yaml",
        ),
        (
            "create source git podinfo --namespace=flux-system --url=https://github.com/stefanprodan/podinfo \
             --provider github --branch=test --interval=1m0s --secret-ref appinfo --export",
            "create_source_git/source-git-provider-github.yaml",
        ),
    ];
    for (args, file) in cases {
        assert_eq!(export(args), golden(file), "tk {args}");
    }
}

#[test]
fn create_secret_git_export_matches_flux_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca-crt");
    std::fs::write(&ca, "ca-data").unwrap();
    let cases = [
        (
            "create secret git podinfo-auth --url=https://github.com/stefanprodan/podinfo \
             --username=my-username --password=my-password --namespace=my-namespace --export"
                .to_string(),
            "create_secret/git/secret-git-basic.yaml",
        ),
        (
            "create secret git bearer-token-auth --url=https://github.com/stefanprodan/podinfo \
             --bearer-token=ghp_baR2qnFF0O41WlucePL3udt2N9vVZS4R0hAS --namespace=my-namespace --export"
                .to_string(),
            "create_secret/git/git-bearer-token.yaml",
        ),
        (
            format!(
                "create secret git ca-crt --url=https://github.com/stefanprodan/podinfo --password=my-password \
                 --username=my-username --ca-crt-file={} --namespace=my-namespace --export",
                ca.display()
            ),
            "create_secret/git/secret-ca-crt.yaml",
        ),
    ];
    for (args, file) in cases {
        assert_eq!(export(&args), golden(file), "tk {args}");
    }
}

#[test]
fn create_export_sets_labels_interval_and_submodules() {
    let text = export(
        "create source git app --url=ssh://git@example.com/org/app --tag=v1 --interval=90s \
         --label team=web,tier=front --recurse-submodules --secret-ref app-auth --fetch-timeout 2m --export",
    );
    assert_eq!(
        text,
        "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  labels:\n    \
         team: web\n    tier: front\n  name: app\n  namespace: flux-system\nspec:\n  interval: 1m30s\n  \
         recurseSubmodules: true\n  ref:\n    tag: v1\n  secretRef:\n    name: app-auth\n  timeout: 2m0s\n  \
         url: ssh://git@example.com/org/app\n"
    );
}

#[test]
fn refuses_urls_that_are_not_git_urls() {
    let err = error(&[
        "create", "source", "git", "x", "--url", "ftp://x", "--branch", "main", "--export",
    ]);
    assert!(
        err.contains(r#"flag --url: "ftp://x" is not a Git URL: use ssh://, https:// or http://"#),
        "{err}"
    );
    let err = error(&[
        "create",
        "secret",
        "git",
        "x",
        "--url",
        "git@github.com:org/repo",
        "--export",
    ]);
    assert!(err.contains("flag --url"), "{err}");
}

#[test]
fn refuses_a_source_without_a_ref() {
    let err = error(&[
        "create",
        "source",
        "git",
        "podinfo",
        "--url",
        "https://h/r",
        "--export",
    ]);
    assert!(
        err.contains("GitRepository podinfo: a Git ref is required: pass one of --branch"),
        "{err}"
    );
}

#[test]
fn refuses_bad_durations() {
    let err = error(&[
        "create",
        "source",
        "git",
        "x",
        "--url",
        "https://h/r",
        "--branch",
        "main",
        "--interval",
        "5",
        "--export",
    ]);
    assert!(
        err.contains("flag --interval: invalid duration \"5\""),
        "{err}"
    );
    let err = error(&[
        "create",
        "source",
        "git",
        "x",
        "--url",
        "https://h/r",
        "--branch",
        "main",
        "--interval",
        "0s",
        "--export",
    ]);
    assert!(err.contains("flag --interval"), "{err}");
}

#[test]
fn refuses_a_ca_file_for_ssh() {
    let err = error(&[
        "create",
        "source",
        "git",
        "x",
        "--url",
        "ssh://git@h/r",
        "--branch",
        "main",
        "--ca-file",
        "ca.pem",
        "--export",
    ]);
    assert!(err.contains("flag --ca-file"), "{err}");
}

#[test]
fn refuses_basic_auth_together_with_a_bearer_token() {
    let err = error(&[
        "create",
        "secret",
        "git",
        "podinfo-auth",
        "--url=https://github.com/stefanprodan/podinfo",
        "--username=aaa",
        "--password=zzzz",
        "--bearer-token=aaaa",
        "--export",
    ]);
    assert!(
        err.contains("user credentials and a bearer token cannot be used together"),
        "{err}"
    );
    let err = error(&[
        "create",
        "secret",
        "git",
        "a",
        "--url=https://h/r",
        "--username=u",
        "--export",
    ]);
    assert!(err.contains("flags --username/--password"), "{err}");
}

#[test]
fn refuses_bad_labels_and_key_sizes() {
    let err = error(&[
        "create",
        "source",
        "git",
        "x",
        "--url",
        "https://h/r",
        "--branch",
        "main",
        "--label",
        "novalue",
        "--export",
    ]);
    assert!(
        err.contains(r#"flag --label: "novalue" is not key=value"#),
        "{err}"
    );
    let err = error(&[
        "create",
        "secret",
        "git",
        "x",
        "--url",
        "ssh://git@127.0.0.1:1/r",
        "--ssh-key-algorithm",
        "rsa",
        "--ssh-rsa-bits",
        "1024",
        "--export",
    ]);
    assert!(err.contains("flag --ssh-rsa-bits: 1024"), "{err}");
}

#[test]
fn refuses_a_bad_status_selector() {
    let err = error(&["get", "sources", "git", "--status-selector", "ready"]);
    assert!(
        err.contains("flag --status-selector: expected type=status"),
        "{err}"
    );
}

#[test]
fn suspend_needs_a_name_or_all() {
    let out = tk(&["suspend", "source", "git"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("<NAME>"), "{}", stderr(&out));
    let out = tk(&["export", "source", "git", "a", "--all"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_lists_the_source_commands() {
    let help = stdout(&tk(&["--help"]));
    for command in [
        "create",
        "get",
        "reconcile",
        "suspend",
        "resume",
        "delete",
        "export",
    ] {
        assert!(
            help.contains(&format!("\n  {command} ")),
            "{command} missing:\n{help}"
        );
    }
    let help = stdout(&tk(&["create", "source", "--help"]));
    assert!(help.contains("git"), "{help}");
}

#[test]
fn create_source_bucket_export_matches_flux() {
    // The Bucket of flux's export golden, flag for flag; flux prints nothing else.
    let out = tk(&[
        "create",
        "source",
        "bucket",
        "flux-system",
        "--bucket-name=podinfo",
        "--endpoint=s3.amazonaws.com",
        "--provider=aws",
        "--region=us-east-1",
        "--interval=5m",
        "--fetch-timeout=30s",
        "-n",
        "flux-system",
        "--export",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        golden("export/bucket.yaml").replace("{{ .fluxns }}", "flux-system")
    );
    assert!(out.stderr.is_empty(), "{}", stderr(&out));

    // As flux's, the export of static credentials holds neither the keys nor a reference to
    // the Secret that would store them.
    let text = export(
        "create source bucket podinfo --bucket-name=podinfo \
         --endpoint=minio.minio.svc.cluster.local:9000 --insecure=true \
         --access-key=myaccesskey --secret-key=mysecretkey --export",
    );
    assert!(
        !text.contains("myaccesskey") && !text.contains("secretRef"),
        "{text}"
    );
    assert_eq!(text.matches("\n---\n").count(), 0, "{text}");
}

#[test]
fn create_source_bucket_refuses_incomplete_flags() {
    for (args, message) in [
        (
            &["create", "source", "bucket", "podinfo", "--endpoint=e"][..],
            "✗ Bucket podinfo: bucket-name is required",
        ),
        (
            &["create", "source", "bucket", "podinfo", "--bucket-name=b"],
            "✗ Bucket podinfo: endpoint is required",
        ),
        (
            &[
                "create",
                "source",
                "bucket",
                "podinfo",
                "--bucket-name=b",
                "--endpoint=e",
                "--secret-key=sk",
                "--export",
            ],
            "✗ Bucket podinfo: flags --access-key/--secret-key: pass both for static \
             authentication, or neither",
        ),
    ] {
        let err = error(args);
        assert!(err.starts_with(message), "{err}");
    }
    let out = tk(&[
        "create",
        "source",
        "bucket",
        "podinfo",
        "--bucket-name=b",
        "--endpoint=e",
        "--provider=ibm",
        "--export",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("[possible values: generic, aws, azure, gcp]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_source_verb_has_a_bucket_command() {
    for verb in [
        &["create", "source"][..],
        &["get", "sources"],
        &["reconcile", "source"],
        &["suspend", "source"],
        &["resume", "source"],
        &["delete", "source"],
        &["export", "source"],
    ] {
        let mut args = verb.to_vec();
        args.extend(["bucket", "--help"]);
        let out = tk(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
}
