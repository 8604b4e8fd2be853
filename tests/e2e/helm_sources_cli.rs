//! The HelmRepository and HelmChart CLI against the rig: create (with and without
//! `--export`), create secret helm, get, suspend/resume, reconcile, export and delete on a real
//! apiserver. No source controller runs here: each test plays it by patching the status
//! subresource the way source-controller writes it, so the CLI's waits meet real conditions.
//! `--export` output is compared with flux's own golden files.

use std::path::Path;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, PostParams};
use serde_json::{Value, json};

use crate::played::Played;
use crate::support::{
    assert_lines, client, create_namespace, flux_testdata, output_text, rig, setup, stdout, tk,
    tk_async, tk_ok,
};

/// A HelmRepository's revision: the digest of its index.
const INDEX_REVISION: &str =
    "sha256:7f3c1b6e6e0d5d6f8b2c4a1e9d0f3b5a7c9e1d3f5b7a9c1e3d5f7b9a1c3e5d7f";
/// A HelmChart's revision: the chart version.
const CHART_REVISION: &str = "6.5.1";

const REPOSITORY: Played = Played {
    group: "source.toolkit.fluxcd.io",
    version: "v1",
    kind: "HelmRepository",
    plural: "helmrepositories",
    manager: "tk-e2e-helm-sources",
};

const CHART: Played = Played {
    kind: "HelmChart",
    plural: "helmcharts",
    ..REPOSITORY
};

/// The status source-controller writes: an artifact of `kind`'s revision and a Ready
/// condition for `generation`.
fn status(kind: Played, generation: i64, ready: &str, message: &str) -> Value {
    let revision = if kind == REPOSITORY {
        INDEX_REVISION
    } else {
        CHART_REVISION
    };
    json!({
        "observedGeneration": generation,
        "artifact": {
            "digest": "sha256:1234567890abcdef", "lastUpdateTime": "2024-05-01T10:00:00Z",
            "path": "example", "revision": revision, "url": "http://example/artifact"
        },
        "conditions": [{
            "type": "Ready", "status": ready, "reason": "Succeeded", "message": message,
            "lastTransitionTime": "2024-05-01T10:00:00Z", "observedGeneration": generation
        }]
    })
}

#[test]
fn create_source_helm_and_chart_export_match_flux() {
    // --export never reads the kubeconfig, let alone reaches a cluster.
    let kubeconfig = Path::new("/nonexistent/kubeconfig");
    for (args, golden) in [
        (
            "create source helm podinfo --url=https://stefanprodan.github.io/charts/podinfo --interval 5m --export",
            "create_source_helm/https.golden",
        ),
        (
            "create source helm podinfo --url=oci://ghcr.io/stefanprodan/charts/podinfo --interval 5m --export",
            "create_source_helm/oci.golden",
        ),
        (
            "create source helm podinfo --url=oci://ghcr.io/stefanprodan/charts/podinfo --interval 5m \
             --secret-ref=creds --export",
            "create_source_helm/oci-with-secret.golden",
        ),
    ] {
        let mut args: Vec<&str> = args.split_whitespace().collect();
        args.extend(["-n", "helm-export"]);
        let out = tk(kubeconfig, &args);
        assert!(out.status.success(), "{}", output_text(&out));
        assert_eq!(
            stdout(&out),
            flux_testdata(golden).replace("{{ .fluxns }}", "helm-export"),
            "{golden}"
        );
        assert!(out.stderr.is_empty(), "{}", output_text(&out));
    }

    // flux's chart goldens hold its stderr line too, and `interval: 0s` because its test
    // harness zeroes --interval between runs; tk's default is flux's, 1m.
    for (args, golden) in [
        (
            "create source chart podinfo --source helmrepository/podinfo --chart podinfo --export",
            "create_source_chart/basic.yaml",
        ),
        (
            "create source chart podinfo --source helmrepository/podinfo --chart podinfo \
             --verify-provider cosign --export",
            "create_source_chart/verify_basic.yaml",
        ),
        (
            "create source chart podinfo --source helmrepository/podinfo --chart podinfo \
             --verify-provider cosign --verify-issuer foo --verify-subject bar --export",
            "create_source_chart/verify_complete.yaml",
        ),
    ] {
        let mut args: Vec<&str> = args.split_whitespace().collect();
        args.extend(["-n", "helm-export"]);
        let out = tk(kubeconfig, &args);
        assert!(out.status.success(), "{}", output_text(&out));
        let expected = flux_testdata(golden)
            .replace("{{ .fluxns }}", "helm-export")
            .replace("interval: 0s", "interval: 1m0s");
        let (stderr_line, document) = expected.split_once('\n').unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stderr).trim_end(), stderr_line);
        assert_eq!(stdout(&out), document, "{golden}");
    }

    // Flags flux's golden files leave out, in flux's field order and omissions.
    let out = tk(
        kubeconfig,
        &[
            "create",
            "source",
            "helm",
            "private",
            "--url=oci://registry.example.com/charts",
            "--oci-provider=aws",
            "--secret-ref=creds",
            "--pass-credentials",
            "--fetch-timeout=2m",
            "--label=team=web",
            "--export",
        ],
    );
    assert_eq!(
        stdout(&out),
        "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  \
         labels:\n    team: web\n  name: private\n  namespace: flux-system\nspec:\n  interval: 1m0s\n  \
         passCredentials: true\n  provider: aws\n  secretRef:\n    name: creds\n  timeout: 2m0s\n  \
         type: oci\n  url: oci://registry.example.com/charts\n"
    );
    let out = tk(
        kubeconfig,
        &[
            "create",
            "source",
            "chart",
            "app",
            "--source=GitRepository/apps",
            "--chart=./charts/app",
            "--chart-version=1.x",
            "--reconcile-strategy=Revision",
            "--interval=10m",
            "--export",
        ],
    );
    assert_eq!(
        stdout(&out),
        "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata:\n  name: app\n  \
         namespace: flux-system\nspec:\n  chart: ./charts/app\n  interval: 10m0s\n  \
         reconcileStrategy: Revision\n  sourceRef:\n    kind: GitRepository\n    name: apps\n  \
         version: 1.x\n"
    );

    // What flux refuses, tk refuses, with the flag named.
    for (args, error) in [
        (
            vec![
                "create",
                "source",
                "helm",
                "p",
                "--url=git://example.com/charts",
                "--export",
            ],
            "flag --url: scheme \"git\" of \"git://example.com/charts\" is not supported",
        ),
        (
            vec![
                "create",
                "source",
                "chart",
                "p",
                "--source=foobar/podinfo",
                "--chart=podinfo",
                "--export",
            ],
            "flag --source: source kind \"foobar\" is not supported: use one of HelmRepository, \
             GitRepository, Bucket",
        ),
        (
            vec![
                "create",
                "source",
                "chart",
                "p",
                "--source=HelmRepository/podinfo",
                "--chart=podinfo",
                "--verify-subject=bar",
                "--export",
            ],
            "flags --verify-issuer/--verify-subject: pass --verify-provider too",
        ),
        (
            vec![
                "create",
                "source",
                "helm",
                "p",
                "--url=https://example.com",
                "-u",
                "user",
                "--export",
            ],
            "flags --username/--password: pass both",
        ),
    ] {
        let out = tk(kubeconfig, &args);
        assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(error),
            "{}",
            output_text(&out)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn create_source_helm_stores_credentials_and_waits_for_the_index() {
    let client = client(rig().kubeconfig_path()).await;
    let (_crds, ns) = setup(&client, "helm-create").await;
    let dir = tempfile::tempdir().unwrap();
    for (file, text) in [
        ("cert.pem", "CERT\n"),
        ("key.pem", "KEY\n"),
        ("ca.pem", "CA\n"),
    ] {
        std::fs::write(dir.path().join(file), text).unwrap();
    }
    let path = |f: &str| dir.path().join(f).display().to_string();

    let sim = REPOSITORY.play(&client, &ns, "podinfo", |generation| {
        status(REPOSITORY, generation, "True", "stored artifact")
    });
    let out = tk_async(format!(
        "create source helm podinfo --url https://stefanprodan.github.io/podinfo \
         --username user --password secret --cert-file {} --key-file {} --ca-file {} \
         --pass-credentials --interval 10m --label team=web -n {ns} --timeout 60s",
        path("cert.pem"),
        path("key.pem"),
        path("ca.pem"),
    ))
    .await;
    sim.abort();
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert_lines(
        &text,
        &[
            "✚ generating HelmRepository source",
            "► applying secret with repository credentials",
            "✔ authentication configured",
            "► applying HelmRepository source",
            "✔ source created",
            "◎ waiting for HelmRepository source reconciliation",
            "✔ HelmRepository source reconciliation completed",
            &format!("✔ fetched revision: {INDEX_REVISION}"),
        ],
    );
    let repo = REPOSITORY.api(&client, &ns).get("podinfo").await.unwrap();
    assert_eq!(
        repo.data["spec"]["url"],
        "https://stefanprodan.github.io/podinfo"
    );
    assert_eq!(repo.data["spec"]["interval"], "10m0s");
    assert_eq!(
        repo.data["spec"]["secretRef"],
        json!({ "name": "helm-podinfo" })
    );
    assert_eq!(repo.data["spec"]["passCredentials"], true);
    assert_eq!(repo.metadata.labels.unwrap()["team"], "web");
    // flux's create source helm stores the TLS files under the legacy keys.
    let secret = Api::<Secret>::namespaced(client.clone(), &ns)
        .get("helm-podinfo")
        .await
        .unwrap();
    let data = secret.data.unwrap();
    let keys: Vec<&str> = data.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["caFile", "certFile", "keyFile", "password", "username"]
    );
    assert_eq!(data["username"].0, b"user");
    assert_eq!(data["password"].0, b"secret");
    assert_eq!(data["certFile"].0, b"CERT\n");
    assert_eq!(data["caFile"].0, b"CA\n");

    // Creating again updates in place; --secret-ref replaces the generated Secret.
    let sim = REPOSITORY.play(&client, &ns, "podinfo", |generation| {
        status(REPOSITORY, generation, "True", "stored artifact")
    });
    let out = tk_async(format!(
        "create source helm podinfo --url https://stefanprodan.github.io/podinfo \
         --secret-ref mine -n {ns} --timeout 60s"
    ))
    .await;
    sim.abort();
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert_lines(&text, &["✔ source updated"]);
    assert!(!text.contains("authentication configured"), "{text}");
    let repo = REPOSITORY.api(&client, &ns).get("podinfo").await.unwrap();
    assert_eq!(repo.data["spec"]["secretRef"], json!({ "name": "mine" }));
    assert_eq!(repo.data["spec"]["interval"], "1m0s");
    assert!(repo.data["spec"].get("passCredentials").is_none());

    // A failing repository ends the wait with its Ready message.
    let failing = REPOSITORY.play(&client, &ns, "broken", |generation| {
        status(REPOSITORY, generation, "False", "index.yaml: 404 Not Found")
    });
    let out = tk_async(format!(
        "create source helm broken --url https://example.com/charts -n {ns} --timeout 60s"
    ))
    .await;
    failing.abort();
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    assert!(
        output_text(&out).contains(&format!(
            "✗ HelmRepository {ns}/broken is not ready: index.yaml: 404 Not Found"
        )),
        "{}",
        output_text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn create_source_helm_oci_does_not_wait_for_an_artifact() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "helm-oci").await;

    // No controller runs: an OCI repository is ready once it exists, as flux has it.
    let text = tk_ok(
        kubeconfig,
        &[
            "create",
            "source",
            "helm",
            "charts",
            "--url",
            "oci://ghcr.io/stefanprodan/charts",
            "--username",
            "user",
            "--password",
            "token",
            "--oci-provider",
            "generic",
            "-n",
            &ns,
            "--timeout",
            "20s",
        ],
    );
    assert_lines(
        &text,
        &[
            "✔ authentication configured",
            "✔ source created",
            "✔ HelmRepository source reconciliation completed",
        ],
    );
    assert!(!text.contains("fetched revision"), "{text}");
    let repo = REPOSITORY.api(&client, &ns).get("charts").await.unwrap();
    assert_eq!(repo.data["spec"]["type"], "oci");
    assert_eq!(repo.data["spec"]["provider"], "generic");
    assert_eq!(
        repo.data["spec"]["secretRef"],
        json!({ "name": "helm-charts" })
    );

    // flux neither requests nor waits for a reconcile of one, and prints it Ready.
    let text = tk_ok(
        kubeconfig,
        &[
            "reconcile",
            "source",
            "helm",
            "charts",
            "-n",
            &ns,
            "--timeout",
            "5s",
        ],
    );
    assert_lines(&text, &["✔ reconciliation not supported by the object"]);
    let repo = REPOSITORY.api(&client, &ns).get("charts").await.unwrap();
    assert!(repo.metadata.annotations.unwrap_or_default().is_empty());
    let table = tk_ok(kubeconfig, &["get", "sources", "helm", "-n", &ns]);
    assert_eq!(
        table.lines().nth(1).unwrap(),
        "charts\t        \tFalse    \tTrue \tHelm repository is Ready\t"
    );

    tk_ok(
        kubeconfig,
        &["suspend", "source", "helm", "charts", "-n", &ns],
    );
    let text = tk_ok(
        kubeconfig,
        &[
            "resume",
            "source",
            "helm",
            "charts",
            "-n",
            &ns,
            "--timeout",
            "5s",
        ],
    );
    assert_lines(
        &text,
        &[
            "✔ HelmRepository resumed",
            "✔ HelmRepository charts reconciliation completed",
        ],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn create_source_chart_waits_for_the_chart() {
    let client = client(rig().kubeconfig_path()).await;
    let (_crds, ns) = setup(&client, "helm-chart").await;
    let sim = CHART.play(&client, &ns, "podinfo", |generation| {
        status(CHART, generation, "True", "stored artifact")
    });
    let out = tk_async(format!(
        "create source chart podinfo --source HelmRepository/podinfo --chart podinfo \
         --chart-version 6.x -n {ns} --timeout 60s"
    ))
    .await;
    sim.abort();
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert_lines(
        &text,
        &[
            "✚ generating HelmChart source",
            "► applying HelmChart source",
            "✔ source created",
            "◎ waiting for HelmChart source reconciliation",
            "✔ HelmChart source reconciliation completed",
            &format!("✔ fetched revision: {CHART_REVISION}"),
        ],
    );
    let chart = CHART.api(&client, &ns).get("podinfo").await.unwrap();
    assert_eq!(
        chart.data["spec"],
        json!({
            "chart": "podinfo", "interval": "1m0s", "reconcileStrategy": "ChartVersion",
            "sourceRef": { "kind": "HelmRepository", "name": "podinfo" }, "version": "6.x"
        })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn create_secret_helm_applies_and_exports_the_credentials() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "helm-secret").await;
    let dir = tempfile::tempdir().unwrap();
    for (file, text) in [
        ("tls.crt", "CERT\n"),
        ("tls.key", "KEY\n"),
        ("ca.crt", "CA\n"),
    ] {
        std::fs::write(dir.path().join(file), text).unwrap();
    }
    let path = |f: &str| dir.path().join(f).display().to_string();

    let text = tk_ok(
        kubeconfig,
        &[
            "create",
            "secret",
            "helm",
            "repo-auth",
            "--username",
            "my-username",
            "--password",
            "my-password",
            "--tls-crt-file",
            &path("tls.crt"),
            "--tls-key-file",
            &path("tls.key"),
            "--ca-crt-file",
            &path("ca.crt"),
            "--label",
            "team=web",
            "-n",
            &ns,
        ],
    );
    assert_lines(
        &text,
        &[&format!(
            "► helm secret 'repo-auth' created in '{ns}' namespace"
        )],
    );
    let secret = Api::<Secret>::namespaced(client.clone(), &ns)
        .get("repo-auth")
        .await
        .unwrap();
    assert_eq!(secret.metadata.labels.unwrap()["team"], "web");
    let data = secret.data.unwrap();
    let keys: Vec<&str> = data.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["ca.crt", "password", "tls.crt", "tls.key", "username"]
    );
    assert_eq!(data["tls.key"].0, b"KEY\n");

    // flux's example: basic auth exported for SOPS, with the blank line flux's Println adds.
    let out = tk(
        kubeconfig,
        &[
            "create",
            "secret",
            "helm",
            "repo-auth",
            "--namespace=my-namespace",
            "--username=my-username",
            "--password=my-password",
            "--export",
        ],
    );
    assert_eq!(
        stdout(&out),
        "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: repo-auth\n  namespace: my-namespace\n\
         stringData:\n  password: my-password\n  username: my-username\n\n"
    );
    // The deprecated flags still work, into the legacy keys, with flux's warning.
    let out = tk(
        kubeconfig,
        &[
            "create",
            "secret",
            "helm",
            "legacy",
            "--cert-file",
            &path("tls.crt"),
            "--key-file",
            &path("tls.key"),
            "--export",
        ],
    );
    let doc: Value = serde_saphyr::from_str(stdout(&out).trim_start_matches("---\n")).unwrap();
    assert_eq!(
        doc["stringData"],
        json!({ "certFile": "CERT\n", "keyFile": "KEY\n" })
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("Flag --cert-file has been deprecated, please use --tls-crt-file instead"),
        "{}",
        output_text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn get_sources_helm_and_chart_print_flux_tables() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "helm-get").await;
    REPOSITORY
        .create(
            &client,
            &ns,
            "podinfo",
            json!({ "url": "https://stefanprodan.github.io/podinfo", "interval": "5m" }),
            Some(status(
                REPOSITORY,
                1,
                "True",
                &format!("stored artifact: revision '{INDEX_REVISION}'"),
            )),
        )
        .await;
    REPOSITORY
        .create(
            &client,
            &ns,
            "broken",
            json!({ "url": "https://example.com/charts", "interval": "5m", "suspend": true }),
            Some(json!({ "conditions": [{
            "type": "Ready", "status": "False", "reason": "FetchFailed",
            "message": "failed to fetch index: 404", "lastTransitionTime": "2024-05-01T10:00:00Z"
        }] })),
        )
        .await;
    REPOSITORY
        .create(
            &client,
            &ns,
            "oci",
            json!({ "url": "oci://ghcr.io/stefanprodan/charts", "type": "oci" }),
            None,
        )
        .await;
    CHART
        .create(
            &client,
            &ns,
            "podinfo",
            json!({ "chart": "podinfo", "interval": "5m",
                "sourceRef": { "kind": "HelmRepository", "name": "podinfo" } }),
            Some(status(
                CHART,
                1,
                "True",
                "pulled 'podinfo' chart with version '6.5.1'",
            )),
        )
        .await;
    CHART
        .create(
            &client,
            &ns,
            "pending",
            json!({ "chart": "./charts/app", "interval": "5m",
                "sourceRef": { "kind": "GitRepository", "name": "apps" } }),
            None,
        )
        .await;

    let out = tk(kubeconfig, &["get", "sources", "helm", "-n", &ns]);
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stdout(&out),
        "NAME   \tREVISION       \tSUSPENDED\tREADY\tMESSAGE                                     \n\
         broken \t               \tTrue     \tFalse\tfailed to fetch index: 404                 \t\n\
         oci    \t               \tFalse    \tTrue \tHelm repository is Ready                   \t\n\
         podinfo\tsha256:7f3c1b6e\tFalse    \tTrue \tstored artifact: revision 'sha256:7f3c1b6e'\t\n"
    );
    let out = tk(kubeconfig, &["get", "sources", "chart", "-n", &ns]);
    assert_eq!(
        stdout(&out),
        "NAME   \tREVISION\tSUSPENDED\tREADY\tMESSAGE                                     \n\
         pending\t        \tFalse    \tFalse\twaiting to be reconciled                   \t\n\
         podinfo\t6.5.1   \tFalse    \tTrue \tpulled 'podinfo' chart with version '6.5.1'\t\n"
    );
    let out = tk(
        kubeconfig,
        &[
            "get",
            "sources",
            "helm",
            "-n",
            &ns,
            "--status-selector",
            "ready=false",
        ],
    );
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
    assert!(stdout(&out).lines().nth(1).unwrap().starts_with("broken\t"));
    let out = tk(
        kubeconfig,
        &[
            "get",
            "sources",
            "chart",
            "podinfo",
            "-n",
            &ns,
            "--no-header",
        ],
    );
    assert!(
        stdout(&out).starts_with("podinfo\t6.5.1"),
        "{}",
        stdout(&out)
    );

    // `get sources all` prints one table per kind, in flux's order, kinds named in the rows.
    let out = tk(kubeconfig, &["get", "sources", "all", "-n", &ns]);
    let text = stdout(&out);
    let tables: Vec<&str> = text.split("\n\n").filter(|t| !t.is_empty()).collect();
    assert_eq!(tables.len(), 2, "{text}");
    assert!(tables[0].contains("\nhelmrepository/oci "), "{text}");
    assert!(tables[0].contains("\nhelmrepository/podinfo\t"), "{text}");
    assert!(tables[1].contains("\nhelmchart/podinfo"), "{text}");
    assert!(tables[1].contains("\nhelmchart/pending"), "{text}");
    let empty = create_namespace(&client, "helm-empty").await;
    let out = tk(kubeconfig, &["get", "sources", "chart", "-n", &empty]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!(
        "✗ no HelmChart objects found in \"{empty}\" namespace"
    )));
}

#[tokio::test(flavor = "multi_thread")]
async fn suspend_resume_and_reconcile_request_new_artifacts() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "helm-suspend").await;
    REPOSITORY
        .create(
            &client,
            &ns,
            "podinfo",
            json!({ "url": "https://stefanprodan.github.io/podinfo", "interval": "5m" }),
            Some(status(REPOSITORY, 1, "True", "ok")),
        )
        .await;
    CHART
        .create(
            &client,
            &ns,
            "podinfo",
            json!({ "chart": "podinfo", "interval": "5m",
                "sourceRef": { "kind": "HelmRepository", "name": "podinfo" } }),
            Some(status(CHART, 1, "True", "ok")),
        )
        .await;

    for (command, kind) in [("helm", "HelmRepository"), ("chart", "HelmChart")] {
        let text = tk_ok(
            kubeconfig,
            &["suspend", "source", command, "podinfo", "-n", &ns],
        );
        assert_lines(
            &text,
            &[
                &format!("► suspending {kind} podinfo in {ns} namespace"),
                &format!("✔ {kind} suspended"),
            ],
        );
        let table = tk_ok(
            kubeconfig,
            &["get", "sources", command, "podinfo", "-n", &ns],
        );
        assert!(table.contains("\tTrue     \t"), "{table}");
        let out = tk(
            kubeconfig,
            &["reconcile", "source", command, "podinfo", "-n", &ns],
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(
            output_text(&out).contains(&format!(
                "{kind} {ns}/podinfo is suspended: run `tk resume source {command} podinfo`"
            )),
            "{}",
            output_text(&out)
        );
    }
    assert_eq!(
        CHART.api(&client, &ns).get("podinfo").await.unwrap().data["spec"]["suspend"],
        true
    );

    let repo_sim = REPOSITORY.play(&client, &ns, "podinfo", |generation| {
        status(REPOSITORY, generation, "True", "stored artifact")
    });
    let chart_sim = CHART.play(&client, &ns, "podinfo", |generation| {
        status(CHART, generation, "True", "stored artifact")
    });
    let out = tk_async(format!("resume source helm podinfo -n {ns} --timeout 60s")).await;
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert_lines(
        &text,
        &[
            "✔ HelmRepository resumed",
            "✔ HelmRepository podinfo reconciliation completed",
            &format!("✔ fetched revision {INDEX_REVISION}"),
        ],
    );
    let repo = REPOSITORY.api(&client, &ns).get("podinfo").await.unwrap();
    assert!(
        repo.data["spec"].get("suspend").is_none(),
        "{:?}",
        repo.data["spec"]
    );
    let text = tk_ok(
        kubeconfig,
        &[
            "resume",
            "source",
            "chart",
            "--all",
            "-n",
            &ns,
            "--wait=false",
        ],
    );
    assert_lines(&text, &["✔ HelmChart resumed"]);
    assert!(!text.contains("waiting"), "{text}");

    let out = tk_async(format!(
        "reconcile source helm podinfo -n {ns} --timeout 60s"
    ))
    .await;
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    assert_lines(
        &text,
        &[
            &format!("► annotating HelmRepository podinfo in {ns} namespace"),
            "✔ HelmRepository annotated",
            "◎ waiting for HelmRepository reconciliation",
            "✔ HelmRepository reconciliation completed",
            &format!("✔ fetched revision {INDEX_REVISION}"),
        ],
    );
    let repo = REPOSITORY.api(&client, &ns).get("podinfo").await.unwrap();
    let requested = repo.metadata.annotations.unwrap()["reconcile.fluxcd.io/requestedAt"].clone();
    requested.parse::<k8s_openapi::jiff::Timestamp>().unwrap();
    assert_eq!(
        repo.data["status"]["lastHandledReconcileAt"],
        requested.as_str()
    );

    // --with-source asks the chart's HelmRepository first, then the chart.
    let out = tk_async(format!(
        "reconcile source chart podinfo --with-source -n {ns} --timeout 60s"
    ))
    .await;
    repo_sim.abort();
    chart_sim.abort();
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    let repository_step = text.find("► annotating HelmRepository podinfo").unwrap();
    let chart_step = text.find("► annotating HelmChart podinfo").unwrap();
    assert!(repository_step < chart_step, "{text}");
    assert_lines(
        &text,
        &[
            "✔ HelmChart reconciliation completed",
            &format!("✔ fetched revision {CHART_REVISION}"),
        ],
    );
    let repo = REPOSITORY.api(&client, &ns).get("podinfo").await.unwrap();
    let again = repo.metadata.annotations.unwrap()["reconcile.fluxcd.io/requestedAt"].clone();
    assert_ne!(again, requested);
    let chart = CHART.api(&client, &ns).get("podinfo").await.unwrap();
    assert!(
        chart
            .metadata
            .annotations
            .unwrap()
            .contains_key("reconcile.fluxcd.io/requestedAt")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn export_round_trips_and_matches_flux() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "helm-export").await;
    // flux's export fixtures; the CRD defaults fill in provider, version and strategy.
    REPOSITORY.create(
        &client,
        &ns,
        "flux-system",
        json!({ "interval": "5m", "timeout": "1m0s", "url": "https://stefanprodan.github.io/podinfo" }),
        Some(status(REPOSITORY, 1, "True", "ok")),
    )
    .await;
    CHART
        .create(
            &client,
            &ns,
            "flux-system",
            json!({ "chart": "podinfo", "interval": "1m",
                "sourceRef": { "kind": "HelmRepository", "name": "podinfo" } }),
            Some(status(CHART, 1, "True", "ok")),
        )
        .await;

    let out = tk(
        kubeconfig,
        &["export", "source", "helm", "flux-system", "-n", &ns],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stdout(&out),
        flux_testdata("export/helm-repo.yaml").replace("{{ .fluxns }}", &ns)
    );
    let out = tk(
        kubeconfig,
        &["export", "source", "chart", "flux-system", "-n", &ns],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stdout(&out),
        flux_testdata("export/helm-chart.yaml").replace("{{ .fluxns }}", &ns)
    );

    // An OCI repository without an interval exports Go's zero duration, as flux does.
    REPOSITORY
        .create(
            &client,
            &ns,
            "oci",
            json!({ "type": "oci", "url": "oci://ghcr.io/stefanprodan/charts",
                "secretRef": { "name": "oci-creds" } }),
            None,
        )
        .await;
    let out = tk(kubeconfig, &["export", "source", "helm", "oci", "-n", &ns]);
    assert!(
        stdout(&out).ends_with(
            "spec:\n  interval: 0s\n  provider: generic\n  secretRef:\n    name: oci-creds\n  \
             type: oci\n  url: oci://ghcr.io/stefanprodan/charts\n"
        ),
        "{}",
        stdout(&out)
    );

    Api::<Secret>::namespaced(client.clone(), &ns)
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({
                "metadata": { "name": "oci-creds" },
                "type": "kubernetes.io/dockerconfigjson",
                "stringData": { ".dockerconfigjson": "{\"auths\":{}}" }
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    let out = tk(
        kubeconfig,
        &[
            "export",
            "source",
            "helm",
            "--all",
            "--with-credentials",
            "-n",
            &ns,
        ],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    let helm_docs: Vec<Value> = serde_saphyr::from_multiple(&stdout(&out)).unwrap();
    let kinds: Vec<&str> = helm_docs
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["HelmRepository", "HelmRepository", "Secret"]);
    assert_eq!(helm_docs[2]["type"], "kubernetes.io/dockerconfigjson");
    assert!(helm_docs[2]["metadata"].get("uid").is_none());
    let out = tk(
        kubeconfig,
        &["export", "source", "chart", "--all", "-n", &ns],
    );
    let chart_docs: Vec<Value> = serde_saphyr::from_multiple(&stdout(&out)).unwrap();
    assert_eq!(chart_docs.len(), 1);

    // The export re-applies into another namespace with the same specs.
    let fresh = create_namespace(&client, "helm-import").await;
    for doc in helm_docs.iter().chain(&chart_docs) {
        let mut doc = doc.clone();
        doc["metadata"]["namespace"] = json!(fresh);
        let kind = match doc["kind"].as_str().unwrap() {
            "Secret" => REPOSITORY.secrets(),
            "HelmChart" => CHART,
            _ => REPOSITORY,
        };
        kind.apply(&client, &fresh, &doc).await;
    }
    for (kind, name, normalised) in [
        (REPOSITORY, "flux-system", json!({ "interval": "5m0s" })),
        (REPOSITORY, "oci", json!({ "interval": "0s" })),
        (CHART, "flux-system", json!({ "interval": "1m0s" })),
    ] {
        let original = kind.api(&client, &ns).get(name).await.unwrap();
        let imported = kind.api(&client, &fresh).get(name).await.unwrap();
        let mut expected = original.data["spec"].clone();
        for (k, v) in normalised.as_object().unwrap() {
            expected[k] = v.clone();
        }
        assert_eq!(imported.data["spec"], expected, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_source_helm_and_chart_need_silent() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "helm-delete").await;
    REPOSITORY
        .create(
            &client,
            &ns,
            "podinfo",
            json!({ "url": "https://stefanprodan.github.io/podinfo", "interval": "5m" }),
            None,
        )
        .await;
    CHART
        .create(
            &client,
            &ns,
            "podinfo",
            json!({ "chart": "podinfo", "interval": "5m",
                "sourceRef": { "kind": "HelmRepository", "name": "podinfo" } }),
            None,
        )
        .await;

    for (command, kind, resource) in [
        ("helm", "HelmRepository", REPOSITORY),
        ("chart", "HelmChart", CHART),
    ] {
        let out = tk(
            kubeconfig,
            &["delete", "source", command, "podinfo", "-n", &ns],
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(
            output_text(&out).contains(&format!(
                "refusing to delete {kind} {ns}/podinfo without confirmation: pass --silent"
            )),
            "{}",
            output_text(&out)
        );
        let text = tk_ok(
            kubeconfig,
            &[
                "delete", "source", command, "podinfo", "-n", &ns, "--silent",
            ],
        );
        assert_lines(
            &text,
            &[
                &format!("► deleting source podinfo in {ns} namespace"),
                "✔ source deleted",
            ],
        );
        assert!(
            resource
                .api(&client, &ns)
                .get_opt("podinfo")
                .await
                .unwrap()
                .is_none()
        );
    }
}
