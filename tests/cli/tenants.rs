//! `create tenant` without a cluster: `--export` output compared byte for byte with the flux
//! CLI's golden files (run with the arguments of flux's own tests), and the refusals.

use super::{stderr, stdout, tk};

const TESTDATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/corpus/flux/flux2/cmd/flux/testdata/create_tenant"
);

fn golden(file: &str) -> String {
    std::fs::read_to_string(format!("{TESTDATA}/{file}")).expect("golden file exists")
}

fn export(args: &str) -> String {
    let args: Vec<&str> = args.split_whitespace().collect();
    let out = tk(&args);
    assert!(out.status.success(), "tk {args:?} failed: {}", stderr(&out));
    assert!(stderr(&out).is_empty(), "an export logs nothing");
    stdout(&out)
}

/// A refusal: exit 1, nothing on stdout, the message (behind `✗ `) on stderr.
fn error(args: &str) -> String {
    let args: Vec<&str> = args.split_whitespace().collect();
    let out = tk(&args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "tk {args:?} should fail: {}",
        stdout(&out)
    );
    assert!(stdout(&out).is_empty(), "a refused create prints nothing");
    stderr(&out)
}

#[test]
fn create_tenant_export_matches_flux_golden_files() {
    let cases = [
        (
            "create tenant dev-team --with-namespace=apps --cluster-role=cluster-admin --export",
            "tenant-basic.yaml",
        ),
        (
            "create tenant dev-team --with-namespace=apps --cluster-role=cluster-admin \
             --with-service-account=flux-tenant --export",
            "tenant-with-service-account.yaml",
        ),
        (
            "create tenant dev-team --with-namespace=apps --cluster-role=custom-role --export",
            "tenant-with-cluster-role.yaml",
        ),
        (
            "create tenant dev-team --with-namespace=apps --skip-namespace --export",
            "tenant-with-skip-namespace.yaml",
        ),
    ];
    for (args, file) in cases {
        assert_eq!(export(args), golden(file), "tk {args}");
    }
}

#[test]
fn create_tenant_export_writes_every_namespace_with_the_labels() {
    // Comma-separated and repeated flags mean the same, as with flux's string slices.
    let text = export(
        "create tenant dev-team --with-namespace=frontend,backend --label=environment=dev \
         --export",
    );
    assert_eq!(
        text,
        export(
            "create tenant dev-team --with-namespace=frontend --with-namespace=backend \
             --label=environment=dev --export"
        )
    );
    let labelled =
        golden("tenant-basic.yaml").replace("  labels:\n", "  labels:\n    environment: dev\n");
    assert_eq!(
        text,
        format!(
            "{}{}",
            labelled.replace("apps", "frontend"),
            labelled.replace("apps", "backend")
        )
    );
}

#[test]
fn create_tenant_refuses_bad_names_and_missing_flags() {
    let cases = [
        (
            "create tenant dev-team --export",
            "✗ flag --with-namespace: with-namespace is required: pass each namespace tenant \
             dev-team owns, as --with-namespace=apps\n",
        ),
        (
            "create tenant dev-team --with-namespace= --export",
            "✗ flag --with-namespace: with-namespace is required: pass each namespace tenant \
             dev-team owns, as --with-namespace=apps\n",
        ),
        (
            "create tenant dev-team --with-namespace=apps --cluster-role= --export",
            "✗ flag --cluster-role: cluster-role is required: name the ClusterRole that tenant \
             dev-team is granted in its namespaces (the default is cluster-admin)\n",
        ),
        (
            "create tenant Dev_Team --with-namespace=apps --export",
            "✗ tenant name 'Dev_Team' is invalid: it should adhere to RFC 1123, 2 to 63 \
             lowercase alphanumeric characters or '-', starting and ending with an \
             alphanumeric\n",
        ),
        (
            "create tenant dev-team --with-namespace=apps,my.apps --export",
            "✗ flag --with-namespace: invalid namespace 'my.apps': use an RFC 1123 label, up to \
             63 lowercase alphanumeric characters or '-', starting and ending with an \
             alphanumeric\n",
        ),
        (
            "create tenant dev-team --with-namespace=apps --with-service-account=Flux --export",
            "✗ flag --with-service-account: invalid service account 'Flux': use an RFC 1123 \
             subdomain, lowercase alphanumeric characters, '-' or '.'\n",
        ),
    ];
    for (args, message) in cases {
        assert_eq!(error(args), message, "tk {args}");
    }
    let err = error("create tenant dev-team --with-namespace=apps --label=env --export");
    assert!(
        err.starts_with("✗ flag --label: \"env\" is not key=value"),
        "{err}"
    );
}

#[test]
fn create_tenant_needs_a_name() {
    let out = tk(&["create", "tenant", "--with-namespace=apps", "--export"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("<NAME>"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}
