//! The HelmRelease CLI against the rig: create (with and without `--export`, with values
//! files), get, suspend/resume, reconcile (`--with-source`, `--force`, `--reset`), export and
//! delete on a real apiserver. No helm controller runs here: each test plays it (and, for
//! `--with-source`, the source controller) by patching the status subresource the way the
//! controllers write it, so the CLI's waits meet real conditions. Outputs are compared with
//! flux's own golden files.

use std::path::Path;

use serde_json::{Value, json};

use crate::played::Played;
use crate::support::{
    client, create_namespace, flux_testdata, output_text, rig, setup, stderr, stdout, tk, tk_async,
    tk_ok,
};

/// The chart version the fake helm controller releases.
const CHART_VERSION: &str = "6.3.5";
/// The GitRepository revision of flux's HelmRelease goldens.
const GIT_REVISION: &str = "6.3.5@sha1:67e2c98a60dc92283531412a9e604dd4bae005a9";
/// The Ready message of flux's `get helmreleases` golden.
const INSTALLED: &str =
    "Helm install succeeded for release thrfg-1/thrfg.v1 with chart podinfo@6.3.5";

const RELEASE: Played = Played {
    group: "helm.toolkit.fluxcd.io",
    version: "v2",
    kind: "HelmRelease",
    plural: "helmreleases",
    manager: "tk-e2e-helmreleases",
};

const CHART: Played = Played {
    group: "source.toolkit.fluxcd.io",
    version: "v1",
    kind: "HelmChart",
    plural: "helmcharts",
    ..RELEASE
};

const GIT: Played = Played {
    kind: "GitRepository",
    plural: "gitrepositories",
    ..CHART
};

const OCI: Played = Played {
    kind: "OCIRepository",
    plural: "ocirepositories",
    ..CHART
};

/// A HelmRelease spec with a chart template from the GitRepository `thrfg`.
fn release_spec() -> Value {
    json!({
        "interval": "5m",
        "chart": { "spec": { "chart": "./charts/podinfo",
                             "sourceRef": { "kind": "GitRepository", "name": "thrfg" } } }
    })
}

/// The status each controller writes for `generation`: Ready=`ready` with `message`, and
/// the revision where the kind keeps it (a HelmRelease's release history, a source's
/// artifact).
fn status(kind: Played, generation: i64, ready: &str, message: &str) -> Value {
    let mut status = json!({
        "observedGeneration": generation,
        "conditions": [{
            "type": "Ready", "status": ready, "reason": "Succeeded", "message": message,
            "lastTransitionTime": "2024-05-01T10:00:00Z", "observedGeneration": generation
        }]
    });
    if kind == RELEASE {
        status["lastAttemptedRevision"] = json!(CHART_VERSION);
        if ready == "True" {
            status["history"] = json!([{
                "chartName": "podinfo", "chartVersion": CHART_VERSION,
                "appVersion": CHART_VERSION,
                "configDigest": "sha256:1d8b2d8a3a6c1e4f5b7c9d0e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a",
                "digest": "sha256:2e9c3e9b4b7d2f5a6c8d0e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a1b",
                "firstDeployed": "2024-05-01T10:00:00Z", "lastDeployed": "2024-05-01T10:00:00Z",
                "name": "thrfg", "namespace": "thrfg-1", "status": "deployed", "version": 1
            }]);
        }
    } else {
        let revision = if kind == GIT {
            GIT_REVISION
        } else {
            CHART_VERSION
        };
        status["artifact"] = json!({
            "digest": "sha256:1234567890abcdef", "lastUpdateTime": "2024-05-01T10:00:00Z",
            "path": "example", "revision": revision, "url": "http://example/artifact"
        });
    }
    status
}

#[test]
fn create_helmrelease_export_matches_flux() {
    // --export never reads the kubeconfig, let alone reaches a cluster.
    let kubeconfig = Path::new("/nonexistent/kubeconfig");
    for (args, golden) in [
        (
            "create helmrelease podinfo --source Helmrepository/podinfo --chart podinfo \
             --interval=1m0s --export",
            "create_hr/basic.yaml",
        ),
        (
            "create helmrelease podinfo --chart-ref OCIRepository/podinfo --interval=1m0s --export",
            "create_hr/or_basic.yaml",
        ),
        (
            "create hr podinfo --chart-ref HelmChart/podinfo --export",
            "create_hr/hc_basic.yaml",
        ),
    ] {
        let mut args: Vec<&str> = args.split_whitespace().collect();
        args.extend(["-n", "hr-export"]);
        let out = tk(kubeconfig, &args);
        assert!(out.status.success(), "{}", output_text(&out));
        assert_eq!(
            stdout(&out),
            flux_testdata(golden).replace("{{ .fluxns }}", "hr-export"),
            "{golden}"
        );
        // flux says "generating HelmRelease" only when it applies.
        assert!(out.stderr.is_empty(), "{}", output_text(&out));
    }

    // Every flag flux's golden files leave out, in flux's fields and omissions; the values
    // files merged in order (maps merge, lists and scalars are replaced).
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("values1.yaml");
    let second = dir.path().join("values2.yaml");
    std::fs::write(
        &first,
        "image:\n  repository: ghcr.io/stefanprodan/podinfo\n  tag: 6.3.0\nports: [9898]\n\
         ingress:\n  enabled: yes\n",
    )
    .unwrap();
    std::fs::write(
        &second,
        "image:\n  tag: 6.3.5\nports: [8080, 9090]\nreplicaCount: 2\n",
    )
    .unwrap();
    let values = format!("--values={},{}", first.display(), second.display());
    let out = tk(
        kubeconfig,
        &[
            "create",
            "hr",
            "podinfo",
            "--source=GitRepository/charts.flux-system",
            "--chart=./charts/podinfo",
            "--chart-version=6.x",
            "--chart-interval=10m",
            "--reconcile-strategy=Revision",
            "--release-name=podinfo-dev",
            "--target-namespace=test",
            "--create-target-namespace=true",
            "--storage-namespace=helm-storage",
            "--depends-on=infra/cert-manager,ingress",
            "--service-account=deployer",
            &values,
            "--values-from=secret/podinfo-values",
            "--values-from=ConfigMap/defaults",
            "--crds=CreateReplace",
            "--kubeconfig-secret-ref=remote",
            "--interval=5m",
            "--label=team=web",
            "-n",
            "apps",
            "--export",
        ],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stdout(&out),
        "---\n\
         apiVersion: helm.toolkit.fluxcd.io/v2\n\
         kind: HelmRelease\n\
         metadata:\n  labels:\n    team: web\n  name: podinfo\n  namespace: apps\n\
         spec:\n\
         \x20 chart:\n    spec:\n      chart: ./charts/podinfo\n      interval: 10m0s\n      \
         reconcileStrategy: Revision\n      sourceRef:\n        kind: GitRepository\n        \
         name: charts\n        namespace: flux-system\n      version: 6.x\n\
         \x20 dependsOn:\n  - name: cert-manager\n    namespace: infra\n  - name: ingress\n\
         \x20 install:\n    crds: Create\n    createNamespace: true\n\
         \x20 interval: 5m0s\n\
         \x20 kubeConfig:\n    secretRef:\n      name: remote\n\
         \x20 releaseName: podinfo-dev\n\
         \x20 serviceAccountName: deployer\n\
         \x20 storageNamespace: helm-storage\n\
         \x20 targetNamespace: test\n\
         \x20 upgrade:\n    crds: CreateReplace\n\
         \x20 values:\n    image:\n      repository: ghcr.io/stefanprodan/podinfo\n      \
         tag: 6.3.5\n    ingress:\n      enabled: true\n    ports:\n    - 8080\n    - 9090\n    \
         replicaCount: 2\n\
         \x20 valuesFrom:\n  - kind: Secret\n    name: podinfo-values\n  - kind: ConfigMap\n    \
         name: defaults\n"
    );

    // What flux refuses, tk refuses, with the flag named.
    for (args, error) in [
        (
            "create helmrelease podinfo --export",
            "chart or chart-ref is required",
        ),
        (
            "create helmrelease podinfo --chart podinfo --chart-ref foobar/podinfo --export",
            "cannot use --chart in combination with --chart-ref",
        ),
        (
            "create helmrelease podinfo --source foobar/podinfo --chart podinfo --export",
            "flag --source: source kind 'foobar' is not supported, must be one of: \
             HelmRepository, GitRepository, Bucket",
        ),
        (
            "create helmrelease podinfo --chart-ref foobar/podinfo --export",
            "flag --chart-ref: chart reference kind 'foobar' is not supported, must be one of: \
             OCIRepository, HelmChart",
        ),
        (
            "create hr podinfo --chart podinfo --export",
            "flag --source: --chart needs the source holding it",
        ),
        (
            "create hr podinfo --chart-ref HelmChart/podinfo --chart-version 1.x --export",
            "flag --chart-version: it configures the chart template of --chart",
        ),
        (
            "create hr podinfo --chart-ref HelmChart/podinfo --values-from Deployment/x --export",
            "flag --values-from: reference kind 'Deployment' is not supported, must be one of: \
             Secret, ConfigMap",
        ),
        (
            "create hr podinfo --chart-ref HelmChart/podinfo --values /nonexistent.yaml --export",
            "flag --values: reading /nonexistent.yaml",
        ),
        (
            "create hr podinfo --chart-ref HelmChart/podinfo --interval 0s --export",
            "flag --interval",
        ),
    ] {
        let args: Vec<&str> = args.split_whitespace().collect();
        let out = tk(kubeconfig, &args);
        assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
        assert!(stderr(&out).contains(error), "{}", output_text(&out));
    }
    // clap refuses what is not a value of the flag.
    for args in [
        "create hr --chart-ref HelmChart/podinfo --export",
        "create hr podinfo --chart-ref HelmChart/podinfo --crds skip --export",
        "create hr podinfo --source HelmRepository/p --chart p --reconcile-strategy Latest --export",
    ] {
        let args: Vec<&str> = args.split_whitespace().collect();
        let out = tk(kubeconfig, &args);
        assert_eq!(out.status.code(), Some(2), "{}", output_text(&out));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn create_helmrelease_applies_values_and_waits_for_ready() {
    let client = client(rig().kubeconfig_path()).await;
    let (_crds, ns) = setup(&client, "hr-create").await;

    let sim = RELEASE.play(&client, &ns, "thrfg", |generation| {
        status(RELEASE, generation, "True", INSTALLED)
    });
    let out = tk_async(format!(
        "create helmrelease thrfg --source=GitRepository/thrfg --chart=./charts/podinfo \
         -n {ns} --timeout 60s"
    ))
    .await;
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        flux_testdata("helmrelease/create_helmrelease_from_git.golden")
    );
    assert!(out.stdout.is_empty());
    let release = RELEASE.api(&client, &ns).get("thrfg").await.unwrap();
    // `version: '*'` is the CRD's default.
    assert_eq!(
        release.data["spec"],
        json!({
            "interval": "1m0s",
            "chart": { "spec": { "chart": "./charts/podinfo", "reconcileStrategy": "ChartVersion",
                                 "version": "*",
                                 "sourceRef": { "kind": "GitRepository", "name": "thrfg" } } }
        })
    );

    // Creating again updates in place, with the values files merged into spec.values;
    // fields no longer given are dropped.
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.yaml");
    let prod = dir.path().join("prod.yaml");
    std::fs::write(
        &base,
        "replicaCount: 1\nresources:\n  limits:\n    memory: 256Mi\n    cpu: 100m\n",
    )
    .unwrap();
    std::fs::write(
        &prod,
        "replicaCount: 3\nresources:\n  limits:\n    memory: 512Mi\nhpa:\n  enabled: on\n",
    )
    .unwrap();
    let out = tk_async(format!(
        "create hr thrfg --chart-ref=OCIRepository/podinfo --values={} --values={} \
         --values-from=ConfigMap/defaults --target-namespace=apps --create-target-namespace \
         --crds=Skip --label=team=web -n {ns} --timeout 60s",
        base.display(),
        prod.display()
    ))
    .await;
    sim.abort();
    assert!(out.status.success(), "{}", output_text(&out));
    assert!(
        stderr(&out).contains("✔ HelmRelease updated"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).ends_with("✔ HelmRelease thrfg is ready\n✔ applied revision 6.3.5\n"),
        "{}",
        stderr(&out)
    );
    let release = RELEASE.api(&client, &ns).get("thrfg").await.unwrap();
    assert_eq!(
        release.data["spec"],
        json!({
            "interval": "1m0s",
            "chartRef": { "kind": "OCIRepository", "name": "podinfo" },
            "targetNamespace": "apps",
            "install": { "createNamespace": true, "crds": "Create" },
            "upgrade": { "crds": "Skip" },
            "values": { "replicaCount": 3, "hpa": { "enabled": true },
                        "resources": { "limits": { "memory": "512Mi", "cpu": "100m" } } },
            "valuesFrom": [{ "kind": "ConfigMap", "name": "defaults" }]
        })
    );
    assert_eq!(release.metadata.labels.unwrap()["team"], "web");

    // A failing release ends the wait with its Ready message; without a controller the wait
    // ends at --timeout, naming the helm controller.
    let failing = RELEASE.play(&client, &ns, "broken", |generation| {
        status(RELEASE, generation, "False", "install retries exhausted")
    });
    let out = tk_async(format!(
        "create hr broken --chart-ref=HelmChart/podinfo -n {ns} --timeout 60s"
    ))
    .await;
    failing.abort();
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    assert!(
        stderr(&out).contains(&format!(
            "✗ HelmRelease {ns}/broken is not ready: install retries exhausted"
        )),
        "{}",
        stderr(&out)
    );
    let out = tk_async(format!(
        "create hr idle --chart-ref=HelmChart/podinfo -n {ns} --timeout 2s"
    ))
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    assert!(
        stderr(&out).contains("✔ HelmRelease created"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(&format!(
            "✗ timed out waiting for HelmRelease {ns}/idle to become ready"
        )) && stderr(&out).contains("check that the helm-controller is running"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn get_helmreleases_prints_flux_tables() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "hr-get").await;
    RELEASE
        .create(
            &client,
            &ns,
            "thrfg",
            release_spec(),
            Some(status(RELEASE, 1, "True", INSTALLED)),
        )
        .await;

    for alias in ["helmreleases", "helmrelease", "hr"] {
        let out = tk(kubeconfig, &["get", alias, "-n", &ns]);
        assert!(out.status.success(), "{}", output_text(&out));
        assert_eq!(
            stdout(&out),
            flux_testdata("helmrelease/get_helmrelease_from_git.golden"),
            "get {alias}"
        );
    }

    // Without a release in the history, the revision is the one last attempted; flux prints
    // HelmRelease messages unshortened.
    let digest = "sha256:4c2a0f8e3b1d7e6c5a9f0b2d4e6f8a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d0f2";
    RELEASE
        .create(
            &client,
            &ns,
            "failed",
            release_spec(),
            Some(status(
                RELEASE,
                1,
                "False",
                &format!("chart pull error: {digest}"),
            )),
        )
        .await;
    RELEASE
        .create(&client, &ns, "waiting", release_spec(), None)
        .await;
    let cells = |out: &std::process::Output| -> Vec<Vec<String>> {
        stdout(out)
            .lines()
            .map(|l| {
                l.trim_end_matches('\t')
                    .split('\t')
                    .map(|c| c.trim_end().to_string())
                    .collect()
            })
            .collect()
    };
    let out = tk(kubeconfig, &["get", "hr", "-n", &ns, "--no-header"]);
    assert_eq!(
        cells(&out),
        [
            vec![
                "failed",
                "6.3.5",
                "False",
                "False",
                &format!("chart pull error: {digest}")
            ],
            vec!["thrfg", "6.3.5", "False", "True", INSTALLED],
            vec!["waiting", "", "False", "False", "waiting to be reconciled"],
        ],
        "{}",
        stdout(&out)
    );
    let out = tk(
        kubeconfig,
        &["get", "hr", "-n", &ns, "--status-selector", "ready=false"],
    );
    let names: Vec<String> = cells(&out).into_iter().map(|row| row[0].clone()).collect();
    assert_eq!(names, ["NAME", "failed"], "{}", stdout(&out));
    let out = tk(kubeconfig, &["get", "hr", "-A"]);
    let rows = cells(&out);
    assert_eq!(rows[0][..2], ["NAMESPACE", "NAME"], "{}", stdout(&out));
    assert!(
        rows.iter()
            .any(|row| row[..3] == [ns.as_str(), "thrfg", "6.3.5"]),
        "{}",
        stdout(&out)
    );

    // `get all` prints flux's order: sources, HelmReleases, then Kustomizations.
    GIT.create(
        &client,
        &ns,
        "thrfg",
        json!({ "interval": "1m", "url": "https://github.com/stefanprodan/podinfo",
                "ref": { "tag": "6.3.5" } }),
        Some(status(GIT, 1, "True", "stored artifact")),
    )
    .await;
    let kustomization = Played {
        group: "kustomize.toolkit.fluxcd.io",
        version: "v1",
        kind: "Kustomization",
        plural: "kustomizations",
        ..RELEASE
    };
    kustomization
        .create(
            &client,
            &ns,
            "apps",
            json!({ "interval": "5m", "path": "./", "prune": true,
                    "sourceRef": { "kind": "GitRepository", "name": "thrfg" } }),
            None,
        )
        .await;
    let out = tk(kubeconfig, &["get", "all", "-n", &ns]);
    let text = stdout(&out);
    let tables: Vec<&str> = text.split("\n\n").filter(|t| !t.is_empty()).collect();
    assert_eq!(tables.len(), 3, "{text}");
    let first_names = |table: &str| -> String {
        table
            .lines()
            .nth(1)
            .unwrap()
            .split('\t')
            .next()
            .unwrap()
            .trim_end()
            .to_string()
    };
    assert_eq!(first_names(tables[0]), "gitrepository/thrfg", "{text}");
    assert_eq!(first_names(tables[1]), "helmrelease/failed", "{text}");
    assert_eq!(tables[1].lines().count(), 4, "{text}");
    assert_eq!(first_names(tables[2]), "kustomization/apps", "{text}");

    let empty = create_namespace(&client, "hr-empty").await;
    let out = tk(kubeconfig, &["get", "hr", "-n", &empty]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains(&format!(
            "✗ no HelmRelease objects found in \"{empty}\" namespace"
        )),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn suspend_resume_and_reconcile_drive_the_controllers() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "hr-suspend").await;
    GIT.create(
        &client,
        &ns,
        "thrfg",
        json!({ "interval": "1m", "url": "https://github.com/stefanprodan/podinfo",
                "ref": { "tag": "6.3.5" } }),
        Some(status(GIT, 1, "True", "stored artifact")),
    )
    .await;
    // The HelmChart the helm controller makes from the template: `<namespace>-<name>`.
    let chart = format!("{ns}-thrfg");
    CHART
        .create(
            &client,
            &ns,
            &chart,
            json!({ "chart": "./charts/podinfo", "interval": "5m",
                "sourceRef": { "kind": "GitRepository", "name": "thrfg" } }),
            Some(status(CHART, 1, "True", "packaged chart")),
        )
        .await;
    for name in ["thrfg", "other"] {
        RELEASE
            .create(
                &client,
                &ns,
                name,
                release_spec(),
                Some(status(RELEASE, 1, "True", INSTALLED)),
            )
            .await;
    }
    let expected = |file: &str| flux_testdata(file).replace("{{ .ns }}", &ns);

    let out = tk(kubeconfig, &["suspend", "helmrelease", "thrfg", "-n", &ns]);
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        expected("helmrelease/suspend_helmrelease_from_git.golden")
    );
    let release = RELEASE.api(&client, &ns).get("thrfg").await.unwrap();
    assert_eq!(release.data["spec"]["suspend"], true);
    let table = tk_ok(kubeconfig, &["get", "hr", "thrfg", "-n", &ns]);
    assert!(table.contains("\tTrue     \t"), "{table}");
    let out = tk(kubeconfig, &["reconcile", "hr", "thrfg", "-n", &ns]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is suspended: run `tk resume helmrelease thrfg` instead"),
        "{}",
        stderr(&out)
    );

    let sims = [
        (RELEASE, "thrfg".to_string(), INSTALLED),
        (CHART, chart.clone(), "packaged chart"),
        (GIT, "thrfg".to_string(), "stored artifact"),
    ]
    .map(|(kind, name, message)| {
        kind.play(&client, &ns, &name, move |generation| {
            status(kind, generation, "True", message)
        })
    });
    let out = tk_async(format!("resume hr thrfg -n {ns} --timeout 60s")).await;
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        expected("helmrelease/resume_helmrelease_from_git.golden")
    );
    let release = RELEASE.api(&client, &ns).get("thrfg").await.unwrap();
    assert!(release.data["spec"].get("suspend").is_none());

    // --with-source: the GitRepository, then the generated HelmChart, then the release.
    let out = tk_async(format!(
        "reconcile helmrelease thrfg --with-source -n {ns} --timeout 60s"
    ))
    .await;
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        expected("helmrelease/reconcile_helmrelease_from_git.golden")
    );
    for (kind, name) in [(RELEASE, "thrfg"), (CHART, chart.as_str()), (GIT, "thrfg")] {
        let object = kind.api(&client, &ns).get(name).await.unwrap();
        let requested = &object.metadata.annotations.unwrap()["reconcile.fluxcd.io/requestedAt"];
        assert_eq!(
            object.data["status"]["lastHandledReconcileAt"],
            requested.as_str(),
            "{name}"
        );
    }

    // --force and --reset ask at the same time as the reconcile request.
    let out = tk_async(format!(
        "reconcile hr thrfg --force --reset -n {ns} --timeout 60s"
    ))
    .await;
    assert!(out.status.success(), "{}", output_text(&out));
    assert!(
        !stderr(&out).contains("GitRepository") && !stderr(&out).contains("HelmChart"),
        "{}",
        stderr(&out)
    );
    let release = RELEASE.api(&client, &ns).get("thrfg").await.unwrap();
    let annotations = release.metadata.annotations.unwrap();
    let requested = &annotations["reconcile.fluxcd.io/requestedAt"];
    assert_eq!(&annotations["reconcile.fluxcd.io/forceAt"], requested);
    assert_eq!(&annotations["reconcile.fluxcd.io/resetAt"], requested);
    assert_eq!(
        release.data["status"]["lastHandledForceAt"],
        requested.as_str()
    );
    assert_eq!(
        release.data["status"]["lastHandledResetAt"],
        requested.as_str()
    );
    let out = tk_async(format!("reconcile hr thrfg --force -n {ns} --timeout 60s")).await;
    assert!(out.status.success(), "{}", output_text(&out));
    let release = RELEASE.api(&client, &ns).get("thrfg").await.unwrap();
    let annotations = release.metadata.annotations.unwrap();
    assert_eq!(
        annotations["reconcile.fluxcd.io/forceAt"],
        annotations["reconcile.fluxcd.io/requestedAt"]
    );
    assert_ne!(&annotations["reconcile.fluxcd.io/requestedAt"], requested);
    assert_eq!(&annotations["reconcile.fluxcd.io/resetAt"], requested);
    for sim in sims {
        sim.abort();
    }

    // A chartRef to an OCIRepository: --with-source reconciles that repository first.
    OCI.create(
        &client,
        &ns,
        "podinfo",
        json!({ "interval": "10m", "url": "oci://ghcr.io/stefanprodan/charts/podinfo",
                "ref": { "semver": "6.x" } }),
        Some(status(OCI, 1, "True", "stored artifact")),
    )
    .await;
    RELEASE
        .create(
            &client,
            &ns,
            "oci",
            json!({ "interval": "5m", "chartRef": { "kind": "OCIRepository", "name": "podinfo" } }),
            Some(status(RELEASE, 1, "True", INSTALLED)),
        )
        .await;
    let sims = [
        RELEASE.play(&client, &ns, "oci", |generation| {
            status(RELEASE, generation, "True", INSTALLED)
        }),
        OCI.play(&client, &ns, "podinfo", |generation| {
            status(OCI, generation, "True", "ok")
        }),
    ];
    let out = tk_async(format!(
        "reconcile hr oci --with-source -n {ns} --timeout 60s"
    ))
    .await;
    for sim in sims {
        sim.abort();
    }
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "► annotating OCIRepository podinfo in {ns} namespace\n\
             ✔ OCIRepository annotated\n\
             ◎ waiting for OCIRepository reconciliation\n\
             ✔ fetched revision 6.3.5\n\
             ► annotating HelmRelease oci in {ns} namespace\n\
             ✔ HelmRelease annotated\n\
             ◎ waiting for HelmRelease reconciliation\n\
             ✔ applied revision 6.3.5\n"
        )
    );

    tk_ok(kubeconfig, &["suspend", "hr", "--all", "-n", &ns]);
    for name in ["thrfg", "other", "oci"] {
        let release = RELEASE.api(&client, &ns).get(name).await.unwrap();
        assert_eq!(release.data["spec"]["suspend"], true, "{name}");
    }
    let text = tk_ok(
        kubeconfig,
        &["resume", "hr", "--all", "-n", &ns, "--wait=false"],
    );
    assert_eq!(text.matches("✔ helmrelease resumed").count(), 3, "{text}");
    for name in ["thrfg", "other", "oci"] {
        let release = RELEASE.api(&client, &ns).get(name).await.unwrap();
        assert!(release.data["spec"].get("suspend").is_none(), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn export_round_trips_into_another_namespace() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "hr-export").await;
    // flux's export fixture; the CRD defaults fill in the chart's version and strategy.
    RELEASE
        .create(
            &client,
            &ns,
            "flux-system",
            json!({ "interval": "5m", "chart": { "spec": {
            "chart": "podinfo",
            "sourceRef": { "kind": "HelmRepository", "name": "flux-systen", "namespace": ns }
        } } }),
            Some(status(RELEASE, 1, "True", INSTALLED)),
        )
        .await;
    let out = tk(
        kubeconfig,
        &["export", "helmrelease", "flux-system", "-n", &ns],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stdout(&out),
        flux_testdata("export/helm-release.yaml").replace("{{ .fluxns }}", &ns)
    );

    // What `create --export` prints, applied, exports to the same bytes.
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("values.yaml");
    std::fs::write(
        &values,
        "replicaCount: 2\nui:\n  message: hello\n  enabled: false\n",
    )
    .unwrap();
    let values = format!("--values={}", values.display());
    let created = tk_ok(
        kubeconfig,
        &[
            "create",
            "hr",
            "apps",
            "--source=HelmRepository/podinfo.flux-system",
            "--chart=podinfo",
            "--chart-version=6.x",
            "--chart-interval=30m",
            "--depends-on=flux-system",
            "--target-namespace=apps",
            "--create-target-namespace",
            &values,
            "--values-from=Secret/apps-values",
            "--crds=CreateReplace",
            "--label=tier=apps",
            "-n",
            &ns,
            "--export",
        ],
    );
    let doc: Value = serde_saphyr::from_str(created.trim_start_matches("---\n")).unwrap();
    RELEASE.apply(&client, &ns, &doc).await;
    let out = tk(kubeconfig, &["export", "hr", "apps", "-n", &ns]);
    assert_eq!(stdout(&out), created);

    // export --all, re-applied into another namespace: the same specs come back.
    let out = tk(kubeconfig, &["export", "hr", "--all", "-n", &ns]);
    let all = stdout(&out);
    let docs: Vec<Value> = serde_saphyr::from_multiple(&all).unwrap();
    assert_eq!(docs.len(), 2, "{all}");
    let fresh = create_namespace(&client, "hr-import").await;
    for doc in &docs {
        let mut doc = doc.clone();
        doc["metadata"]["namespace"] = json!(fresh);
        RELEASE.apply(&client, &fresh, &doc).await;
    }
    for name in ["apps", "flux-system"] {
        let original = RELEASE.api(&client, &ns).get(name).await.unwrap();
        let imported = RELEASE.api(&client, &fresh).get(name).await.unwrap();
        let mut expected = original.data["spec"].clone();
        if name == "flux-system" {
            expected["interval"] = json!("5m0s");
        }
        assert_eq!(imported.data["spec"], expected, "{name}");
        assert_eq!(imported.metadata.labels, original.metadata.labels, "{name}");
    }
    let out = tk(kubeconfig, &["export", "hr", "--all", "-n", &fresh]);
    let again: Vec<Value> = serde_saphyr::from_multiple(&stdout(&out)).unwrap();
    let moved: Vec<Value> = docs
        .iter()
        .map(|doc| {
            let mut doc = doc.clone();
            doc["metadata"]["namespace"] = json!(fresh);
            doc
        })
        .collect();
    assert_eq!(again, moved);
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_helmrelease_needs_silent() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "hr-delete").await;
    RELEASE
        .create(&client, &ns, "thrfg", release_spec(), None)
        .await;

    let out = tk(kubeconfig, &["delete", "helmrelease", "thrfg", "-n", &ns]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "refusing to delete HelmRelease {ns}/thrfg without confirmation: pass --silent"
        )),
        "{}",
        stderr(&out)
    );
    assert!(
        RELEASE
            .api(&client, &ns)
            .get_opt("thrfg")
            .await
            .unwrap()
            .is_some()
    );

    let out = tk(
        kubeconfig,
        &["delete", "hr", "thrfg", "-n", &ns, "--silent"],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        flux_testdata("helmrelease/delete_helmrelease_from_git.golden").replace("{{ .ns }}", &ns)
    );
    assert!(
        RELEASE
            .api(&client, &ns)
            .get_opt("thrfg")
            .await
            .unwrap()
            .is_none()
    );
    let out = tk(kubeconfig, &["delete", "hr", "thrfg", "-n", &ns, "-s"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("HelmRelease thrfg not found in namespace"),
        "{}",
        stderr(&out)
    );
}
