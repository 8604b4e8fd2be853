//! `create kustomization` without a cluster: `--export` output compared byte-for-byte with the
//! flux CLI's golden files (and with what flux's code writes for other flag combinations),
//! and flag validation errors.

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
fn create_kustomization_export_matches_flux_golden_files() {
    assert_eq!(
        export(
            "create kustomization mysql --source=GitRepository/apps --path=./apps \
             --decryption-provider=sops --decryption-secret=sops-age --namespace=flux-system \
             --interval=1m --export"
        ),
        golden("create_kustomization/with-sops-decryption.yaml")
    );
    // flux's export golden of the Kustomization `flux bootstrap` writes, less the trailing
    // slash that `--path` cleaning drops.
    assert_eq!(
        export(
            "create ks flux-system --source=flux-system --path=./infrastructure --prune \
             --interval=5m -n gitops --export"
        ),
        golden("export/ks.yaml")
            .replace("{{ .fluxns }}", "gitops")
            .replace("./infrastructure/", "./infrastructure")
    );
}

#[test]
fn create_kustomization_export_writes_every_flag_as_flux_does() {
    let cases = [
        (
            // flux's first example: --wait drops health checks, sets the timeout.
            "create kustomization kyverno --source=GitRepository/kyverno --path=./config/release \
             --prune=true --interval=60m --wait=true --health-check-timeout=3m \
             --health-check=Deployment/kyverno.kyverno --export",
            "---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  \
             name: kyverno\n  namespace: flux-system\nspec:\n  interval: 1h0m0s\n  path: \
             ./config/release\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: \
             kyverno\n  timeout: 3m0s\n  wait: true\n",
        ),
        (
            // A source in another namespace, health checks (HelmRelease with its apiVersion),
            // dependencies with and without a namespace, every optional field.
            "create kustomization podinfo --namespace=default \
             --source=ocirepository/podinfo.flux-system --path=kustomize/../deploy/ \
             --prune --health-check Deployment/podinfo.default,HelmRelease/redis.cache \
             --depends-on=infra/crds --depends-on=base --service-account=deployer \
             --target-namespace=apps --retry-interval=90s --kubeconfig-secret-ref=remote \
             --label team=web --interval=5m --export",
            "---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  \
             labels:\n    team: web\n  name: podinfo\n  namespace: default\nspec:\n  dependsOn:\n  \
             - name: crds\n    namespace: infra\n  - name: base\n  healthChecks:\n  - kind: \
             Deployment\n    name: podinfo\n    namespace: default\n  - apiVersion: \
             helm.toolkit.fluxcd.io/v2\n    kind: HelmRelease\n    name: redis\n    namespace: \
             cache\n  interval: 5m0s\n  kubeConfig:\n    secretRef:\n      name: remote\n  path: \
             ./deploy\n  prune: true\n  retryInterval: 1m30s\n  serviceAccountName: deployer\n  \
             sourceRef:\n    kind: OCIRepository\n    name: podinfo\n    namespace: flux-system\n  \
             targetNamespace: apps\n  timeout: 2m0s\n",
        ),
        (
            // The defaults: path ./, prune written as false, no timeout without health checks.
            "create kustomization secrets --source=Bucket/secrets --retry-interval=0s --export",
            "---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  \
             name: secrets\n  namespace: flux-system\nspec:\n  interval: 1m0s\n  path: ./\n  \
             prune: false\n  sourceRef:\n    kind: Bucket\n    name: secrets\n",
        ),
    ];
    for (args, expected) in cases {
        assert_eq!(export(args), expected, "tk {args}");
    }
}

#[test]
fn create_kustomization_needs_a_source() {
    let err = error("create kustomization my-app --path=./deploy --export");
    assert!(err.contains("source is required"), "{err}");
    let err = error("create kustomization my-app --source= --export");
    assert!(
        err.contains("flag --source: no Kustomization source given"),
        "{err}"
    );
    let err = error("create kustomization my-app --source=GitRepository --export");
    assert!(
        err.contains("no name given for source of kind 'GitRepository'"),
        "{err}"
    );
}

#[test]
fn create_kustomization_refuses_sources_it_cannot_build() {
    let err = error("create kustomization a --source=HelmRepository/charts --export");
    assert!(
        err.contains(
            "source kind 'HelmRepository' is not supported, must be one of: OCIRepository, \
             GitRepository, Bucket"
        ),
        "{err}"
    );
}

#[test]
fn create_kustomization_refuses_malformed_health_checks() {
    let err =
        error("create kustomization a --source=a --health-check=Service/web.default --export");
    assert!(
        err.contains(
            "invalid health check kind 'Service' can be HelmRelease, Deployment, DaemonSet or \
             StatefulSet"
        ),
        "{err}"
    );
    for bad in ["Deployment/web", "Deployment/web.a.b", "web.default"] {
        let err = error(&format!(
            "create kustomization a --source=a --health-check={bad} --export"
        ));
        assert!(
            err.contains(&format!(
                "invalid health check '{bad}' must be in the format 'kind/name.namespace'"
            )),
            "{bad}: {err}"
        );
    }
}

#[test]
fn create_kustomization_refuses_bad_flags() {
    let err = error("create kustomization a --source=a --decryption-provider=vault --export");
    assert!(
        err.contains("unsupported decryption provider 'vault', must be one of: sops"),
        "{err}"
    );
    let err = error("create kustomization a --source=a --interval=5 --export");
    assert!(err.contains("flag --interval"), "{err}");
    let err = error("create kustomization a --source=a --health-check-timeout=soon --export");
    assert!(err.contains("flag --health-check-timeout"), "{err}");
    let err = error("create kustomization a --source=a --retry-interval=-1m --export");
    assert!(err.contains("flag --retry-interval"), "{err}");
    let err = error("create kustomization a --source=a --label=novalue --export");
    assert!(err.contains("flag --label"), "{err}");
}

#[test]
fn kustomization_commands_need_a_name_or_all() {
    for args in [
        &["suspend", "kustomization"][..],
        &["resume", "ks"],
        &["export", "kustomization"],
        &["delete", "kustomization"],
        &["reconcile", "ks"],
    ] {
        let out = tk(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("<NAME>"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = tk(&["export", "kustomization", "a", "--all"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_lists_the_kustomization_commands() {
    for verb in [
        "create",
        "get",
        "reconcile",
        "suspend",
        "resume",
        "delete",
        "export",
    ] {
        let help = stdout(&tk(&[verb, "--help"]));
        assert!(
            help.contains("\n  kustomization") || help.contains("\n  kustomizations"),
            "{verb} --help lacks kustomization:\n{help}"
        );
    }
    let help = stdout(&tk(&["get", "--help"]));
    assert!(help.contains("\n  all "), "{help}");
}
