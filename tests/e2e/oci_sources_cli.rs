//! The OCIRepository CLI against the rig: create source oci (with and without `--export`),
//! create secret oci, get, suspend/resume, reconcile, export and delete on a real apiserver.
//! No source controller runs here: each test plays it by patching the status subresource the
//! way source-controller writes it, so the CLI's waits meet real conditions. Output is
//! compared with flux's own golden files (`testdata/oci`, `testdata/create_secret/oci`).

use std::path::Path;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use serde_json::{Value, json};

use crate::played::Played;
use crate::support::{
    assert_all_kinds_table, assert_all_namespaces_row, client, create_namespace, flux_testdata,
    output_text, rig, setup, stderr, stdout, tk, tk_async, tk_ok,
};

/// The revision flux's OCI goldens show: the tag and the manifest digest.
const REVISION: &str =
    "6.3.5@sha256:6c959c51ccbb952e5fe4737563338a0aaf975675dcf812912cf09e5463181871";
const URL: &str = "oci://ghcr.io/stefanprodan/manifests/podinfo";

/// An OCI golden with flux's `{{ .ns }}` placeholder filled in.
fn golden(path: &str, ns: &str) -> String {
    flux_testdata(path).replace("{{ .ns }}", ns)
}

const OCI: Played = Played {
    group: "source.toolkit.fluxcd.io",
    version: "v1",
    kind: "OCIRepository",
    plural: "ocirepositories",
    manager: "tk-e2e-oci-sources",
};

/// The status source-controller writes: the artifact of [`REVISION`] and a Ready condition
/// for `generation`.
fn status(generation: i64, ready: &str, message: &str) -> Value {
    json!({
        "observedGeneration": generation,
        "artifact": {
            "digest": "sha256:1234567890abcdef", "lastUpdateTime": "2024-05-01T10:00:00Z",
            "path": "ocirepository/ns/podinfo/6c959c51.tar.gz", "revision": REVISION,
            "url": "http://example/artifact"
        },
        "conditions": [{
            "type": "Ready", "status": ready, "reason": "Succeeded", "message": message,
            "lastTransitionTime": "2024-05-01T10:00:00Z", "observedGeneration": generation
        }]
    })
}

/// What source-controller says of a stored artifact.
fn stored() -> String {
    format!("stored artifact for digest '{REVISION}'")
}

/// A flux `--export` golden as the flux CLI prints it outside its test harness, which resets
/// every flag to Go's zero value between runs: there `--provider` is "" (left out) and
/// `--interval` 0s, where the CLI's defaults, and tk's, are generic and 1m.
fn export_golden(path: &str) -> String {
    flux_testdata(path)
        .replace("  ref:\n", "  provider: generic\n  ref:\n")
        .replace("interval: 0s", "interval: 1m0s")
}

#[test]
fn create_source_oci_export_matches_flux() {
    // --export never reads the kubeconfig, let alone reaches a cluster.
    let kubeconfig = Path::new("/nonexistent/kubeconfig");
    let base = format!("create source oci podinfo --url={URL} --tag=6.3.5");
    for (flags, golden) in [
        ("--interval 10m", "oci/export.golden"),
        (
            "--interval 10m --secret-ref=creds",
            "oci/export_with_secret.golden",
        ),
        (
            "--interval 10m --verify-provider=cosign --verify-secret-ref=cosign-pub",
            "oci/export_with_verify_secret.golden",
        ),
        (
            "--interval 10m \
             --layer-selector=application/vnd.cncf.helm.chart.content.v1.tar+gzip:copy",
            "oci/export_with_layer_selector.golden",
        ),
        (
            "--verify-issuer=github --verify-provider=cosign",
            "oci/export_with_issuer.golden",
        ),
        (
            "--verify-subject=stefanprodan --verify-provider=cosign",
            "oci/export_with_subject.golden",
        ),
        (
            "--verify-issuer=github --verify-subject=stefanprodan --verify-provider=cosign",
            "oci/export_with_complete_verification.golden",
        ),
    ] {
        let args = format!("{base} {flags} --export");
        let out = tk(kubeconfig, &args.split_whitespace().collect::<Vec<_>>());
        assert!(out.status.success(), "{}", output_text(&out));
        assert_eq!(stdout(&out), export_golden(golden), "{golden}");
        assert!(out.stderr.is_empty(), "{}", output_text(&out));
    }

    // The flags flux's golden files leave out, in flux's field order and omissions.
    let out = tk(
        kubeconfig,
        &[
            "create",
            "source",
            "oci",
            "app",
            "--url=oci://registry.example.com:5000/org/app",
            "--digest=sha256:6c959c51ccbb952e5fe4737563338a0aaf975675dcf812912cf09e5463181871",
            "--tag-semver=>=1.0.0",
            "--provider=aws",
            "--secret-ref=creds",
            "--service-account=puller",
            "--cert-ref=tls",
            "--proxy-secret-ref=proxy",
            "--insecure",
            "--ignore-paths=/*,!/deploy",
            "--fetch-timeout=2m",
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
        "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  \
         labels:\n    team: web\n  name: app\n  namespace: apps\nspec:\n  certSecretRef:\n    \
         name: tls\n  ignore: |-\n    /*\n    !/deploy\n  insecure: true\n  interval: 5m0s\n  \
         provider: aws\n  proxySecretRef:\n    name: proxy\n  ref:\n    digest: \
         sha256:6c959c51ccbb952e5fe4737563338a0aaf975675dcf812912cf09e5463181871\n    \
         semver: '>=1.0.0'\n  secretRef:\n    name: creds\n  serviceAccountName: puller\n  \
         timeout: 2m0s\n  url: oci://registry.example.com:5000/org/app\n"
    );

    // What flux refuses, tk refuses, in flux's words and with what to do.
    let with_url = format!("--url={URL}");
    for (args, error) in [
        (vec!["create", "source", "oci"], "name is required"),
        (
            vec!["create", "source", "oci", "podinfo"],
            "url is required",
        ),
        (
            vec!["create", "source", "oci", "podinfo", &with_url],
            "--tag, --tag-semver or --digest is required",
        ),
        (
            vec![
                "create",
                "source",
                "oci",
                "podinfo",
                &with_url,
                "--tag=6.3.5",
                "--verify-secret-ref=cosign-pub",
            ],
            "a verification provider must be specified when a secret is specified",
        ),
        (
            vec![
                "create",
                "source",
                "oci",
                "podinfo",
                &with_url,
                "--tag=6.3.5",
                "--verify-issuer=github.com",
            ],
            "a verification provider must be specified when OIDC issuer/subject is specified",
        ),
        (
            vec![
                "create",
                "source",
                "oci",
                "podinfo",
                &with_url,
                "--tag=6.3.5",
                "--verify-subject=developer",
            ],
            "a verification provider must be specified when OIDC issuer/subject is specified",
        ),
        (
            vec![
                "create",
                "source",
                "oci",
                "podinfo",
                &with_url,
                "--tag=6.3.5",
                "--layer-selector=application/vnd.cncf.helm.chart.content.v1.tar+gzip:move",
                "--export",
            ],
            "invalid --layer-selector \"application/vnd.cncf.helm.chart.content.v1.tar+gzip:move\": \
             operation must be \"extract\" or \"copy\"",
        ),
        (
            vec![
                "create",
                "source",
                "oci",
                "podinfo",
                &with_url,
                "--tag=6.3.5",
                "--layer-selector=application/vnd.cncf.helm.chart.content.v1.tar+gzip",
                "--export",
            ],
            "invalid --layer-selector \"application/vnd.cncf.helm.chart.content.v1.tar+gzip\": \
             must be in the format '<media-type>:<operation>'",
        ),
        (
            vec![
                "create",
                "source",
                "oci",
                "podinfo",
                "--url=ghcr.io/stefanprodan/manifests/podinfo",
                "--tag=6.3.5",
                "--export",
            ],
            "OCIRepository podinfo: flag --url: ",
        ),
        (
            vec![
                "create",
                "source",
                "oci",
                "podinfo",
                &with_url,
                "--tag=6.3.5",
                "--provider=ibm",
                "--export",
            ],
            "invalid value 'ibm' for '--provider <PROVIDER>'",
        ),
    ] {
        let out = tk(kubeconfig, &args);
        assert!(!out.status.success(), "{}", output_text(&out));
        assert!(stderr(&out).contains(error), "{}", output_text(&out));
    }
}

#[test]
fn create_secret_oci_export_matches_flux() {
    let kubeconfig = Path::new("/nonexistent/kubeconfig");
    let out = tk(
        kubeconfig,
        &[
            "create",
            "secret",
            "oci",
            "ghcr",
            "--namespace=my-namespace",
            "--url",
            "ghcr.io",
            "--username",
            "stefanprodan",
            "--password=password",
            "--export",
        ],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stdout(&out),
        flux_testdata("create_secret/oci/create-secret.yaml")
    );

    for (args, error) in [
        (vec!["create", "secret", "oci"], "name is required"),
        (vec!["create", "secret", "oci", "ghcr"], "--url is required"),
        (
            vec![
                "create",
                "secret",
                "oci",
                "ghcr",
                "--url=ghcr.io",
                "-p",
                "x",
            ],
            "--username is required",
        ),
        (
            vec![
                "create",
                "secret",
                "oci",
                "ghcr",
                "--url=ghcr.io",
                "-u",
                "x",
            ],
            "--password is required",
        ),
        (
            vec![
                "create",
                "secret",
                "oci",
                "ghcr",
                "--url=oci://ghcr.io",
                "-u",
                "x",
                "-p",
                "y",
                "--export",
            ],
            "Secret ghcr: flag --url: error parsing url: ",
        ),
    ] {
        let out = tk(kubeconfig, &args);
        assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
        assert!(stderr(&out).contains(error), "{}", output_text(&out));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn create_source_oci_waits_for_the_artifact() {
    let client = client(rig().kubeconfig_path()).await;
    let (_crds, ns) = setup(&client, "oci-create").await;

    // flux's own e2e flow: the output is its golden, line for line.
    let sim = OCI.play(&client, &ns, "thrfg", |generation| {
        status(generation, "True", &stored())
    });
    let out = tk_async(format!(
        "create source oci thrfg --url={URL} --tag=6.3.5 --interval 10m -n {ns} --timeout 60s"
    ))
    .await;
    sim.abort();
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(stderr(&out), golden("oci/create_source_oci.golden", &ns));
    assert!(out.stdout.is_empty(), "{}", output_text(&out));
    let repo = OCI.api(&client, &ns).get("thrfg").await.unwrap();
    assert_eq!(
        repo.data["spec"],
        json!({
            "interval": "10m0s", "provider": "generic", "ref": { "tag": "6.3.5" },
            "timeout": "60s", "url": URL
        })
    );

    // Creating again updates in place.
    let sim = OCI.play(&client, &ns, "thrfg", |generation| {
        status(generation, "True", &stored())
    });
    let out = tk_async(format!(
        "create source oci thrfg --url={URL} --tag-semver=6.x --secret-ref=ghcr-auth \
         --verify-provider=cosign -n {ns} --timeout 60s"
    ))
    .await;
    sim.abort();
    assert!(out.status.success(), "{}", output_text(&out));
    assert!(
        stderr(&out).contains("\n✔ OCIRepository updated\n"),
        "{}",
        output_text(&out)
    );
    let repo = OCI.api(&client, &ns).get("thrfg").await.unwrap();
    assert_eq!(repo.data["spec"]["ref"], json!({ "semver": "6.x" }));
    assert_eq!(
        repo.data["spec"]["secretRef"],
        json!({ "name": "ghcr-auth" })
    );
    assert_eq!(repo.data["spec"]["verify"], json!({ "provider": "cosign" }));
    assert_eq!(repo.data["spec"]["interval"], "1m0s");

    // A failing repository ends the wait with its Ready message.
    let sim = OCI.play(&client, &ns, "broken", |generation| {
        status(
            generation,
            "False",
            "failed to get credential: secret 'missing' not found",
        )
    });
    let out = tk_async(format!(
        "create source oci broken --url={URL} --tag=6.3.5 --secret-ref=missing -n {ns} \
         --timeout 60s"
    ))
    .await;
    sim.abort();
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    assert!(
        stderr(&out).contains(&format!(
            "✗ OCIRepository {ns}/broken is not ready: failed to get credential: secret \
             'missing' not found"
        )),
        "{}",
        output_text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn get_sources_oci_prints_flux_tables() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "oci-get").await;
    let spec = json!({ "interval": "10m", "url": URL, "ref": { "tag": "6.3.5" } });
    OCI.create(
        &client,
        &ns,
        "thrfg",
        spec.clone(),
        Some(status(1, "True", &stored())),
    )
    .await;

    let out = tk(kubeconfig, &["get", "sources", "oci", "thrfg", "-n", &ns]);
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(stdout(&out), flux_testdata("oci/get_oci.golden"));

    let mut suspended = spec.clone();
    suspended["suspend"] = json!(true);
    OCI.create(
        &client,
        &ns,
        "broken",
        suspended,
        Some(status(1, "False", "failed to pull artifact: 404")),
    )
    .await;
    OCI.create(&client, &ns, "pending", spec.clone(), None)
        .await;
    let out = tk(kubeconfig, &["get", "sources", "oci", "-n", &ns]);
    assert_eq!(
        stdout(&out),
        "NAME   \tREVISION             \tSUSPENDED\tREADY\tMESSAGE                                            \n\
         broken \t6.3.5@sha256:6c959c51\tTrue     \tFalse\tfailed to pull artifact: 404                      \t\n\
         pending\t                     \tFalse    \tFalse\twaiting to be reconciled                          \t\n\
         thrfg  \t6.3.5@sha256:6c959c51\tFalse    \tTrue \tstored artifact for digest '6.3.5@sha256:6c959c51'\t\n"
    );
    let out = tk(
        kubeconfig,
        &[
            "get",
            "sources",
            "oci",
            "-n",
            &ns,
            "--status-selector",
            "ready=false",
            "--no-header",
        ],
    );
    let table = stdout(&out);
    let names: Vec<&str> = table
        .lines()
        .map(|l| l.split('\t').next().unwrap().trim_end())
        .collect();
    // As in flux, an object without the condition matches no selector.
    assert_eq!(names, ["broken"]);

    let text = stdout(&tk(kubeconfig, &["get", "sources", "oci", "-A"]));
    assert_all_namespaces_row(&text, &ns, "thrfg");
    assert_all_kinds_table(kubeconfig, &ns, "OCIRepository", 4, "ocirepository/thrfg ");

    // --watch prints the listed rows, then a row for each change, until --timeout.
    let watch = tk_async(format!(
        "get sources oci pending -n {ns} --watch --timeout 6s"
    ));
    let reporter = {
        let client = client.clone();
        let ns = ns.clone();
        async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            OCI.set_status(&client, &ns, "pending", status(1, "True", "now ready"))
                .await;
        }
    };
    let (out, ()) = tokio::join!(watch, reporter);
    let text = stdout(&out);
    assert!(out.status.success(), "{}", output_text(&out));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("NAME"), "{text}");
    assert!(
        lines.iter().any(|l| l.contains("waiting to be reconciled")),
        "{text}"
    );
    assert!(lines.iter().any(|l| l.contains("now ready")), "{text}");

    let empty = create_namespace(&client, "oci-empty").await;
    let out = tk(kubeconfig, &["get", "sources", "oci", "-n", &empty]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains(&format!(
            "✗ no OCIRepository objects found in \"{empty}\" namespace"
        )),
        "{}",
        output_text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn suspend_resume_and_reconcile_follow_flux() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "oci-suspend").await;
    OCI.create(
        &client,
        &ns,
        "thrfg",
        json!({ "interval": "10m", "url": URL, "ref": { "tag": "6.3.5" } }),
        Some(status(1, "True", &stored())),
    )
    .await;

    let out = tk(
        kubeconfig,
        &["suspend", "source", "oci", "thrfg", "-n", &ns],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(stderr(&out), golden("oci/suspend_oci.golden", &ns));
    let repo = OCI.api(&client, &ns).get("thrfg").await.unwrap();
    assert_eq!(repo.data["spec"]["suspend"], true);
    let out = tk(
        kubeconfig,
        &["reconcile", "source", "oci", "thrfg", "-n", &ns],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "OCIRepository {ns}/thrfg is suspended: run `tk resume source oci thrfg` instead"
        )),
        "{}",
        output_text(&out)
    );

    let sim = OCI.play(&client, &ns, "thrfg", |generation| {
        status(generation, "True", &stored())
    });
    let out = tk_async(format!("resume source oci thrfg -n {ns} --timeout 60s")).await;
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(stderr(&out), golden("oci/resume_oci.golden", &ns));
    let repo = OCI.api(&client, &ns).get("thrfg").await.unwrap();
    assert!(
        repo.data["spec"].get("suspend").is_none(),
        "{:?}",
        repo.data["spec"]
    );

    let out = tk_async(format!("reconcile source oci thrfg -n {ns} --timeout 60s")).await;
    sim.abort();
    assert!(out.status.success(), "{}", output_text(&out));
    // tk confirms a source's reconcile before its revision, which flux's golden has not.
    let without_confirmation =
        stderr(&out).replace("✔ OCIRepository reconciliation completed\n", "");
    assert_eq!(
        without_confirmation,
        golden("oci/reconcile_oci.golden", &ns)
    );
    let repo = OCI.api(&client, &ns).get("thrfg").await.unwrap();
    let requested = repo.metadata.annotations.unwrap()["reconcile.fluxcd.io/requestedAt"].clone();
    requested.parse::<k8s_openapi::jiff::Timestamp>().unwrap();
    assert_eq!(
        repo.data["status"]["lastHandledReconcileAt"],
        requested.as_str()
    );

    // --all suspends and resumes every OCIRepository of the namespace; --wait=false returns
    // without waiting for a controller.
    OCI.create(
        &client,
        &ns,
        "other",
        json!({ "interval": "10m", "url": URL, "ref": { "tag": "6.3.5" } }),
        None,
    )
    .await;
    let text = tk_ok(
        kubeconfig,
        &["suspend", "source", "oci", "--all", "-n", &ns],
    );
    assert_eq!(text.matches("✔ source oci suspended").count(), 2, "{text}");
    let text = tk_ok(
        kubeconfig,
        &[
            "resume",
            "source",
            "oci",
            "--all",
            "-n",
            &ns,
            "--wait=false",
        ],
    );
    assert_eq!(text.matches("✔ source oci resumed").count(), 2, "{text}");
    assert!(!text.contains("waiting"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn export_round_trips_with_credentials() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "oci-export").await;

    // The credentials through `tk create secret oci`: a docker-registry Secret.
    let text = tk_ok(
        kubeconfig,
        &[
            "create",
            "secret",
            "oci",
            "ghcr-auth",
            "--url=ghcr.io",
            "--username=flux",
            "--password=s3cr<t>",
            "-n",
            &ns,
        ],
    );
    assert!(
        text.contains(&format!(
            "► oci secret 'ghcr-auth' created in '{ns}' namespace"
        )),
        "{text}"
    );
    let secret = Api::<Secret>::namespaced(client.clone(), &ns)
        .get("ghcr-auth")
        .await
        .unwrap();
    assert_eq!(
        secret.type_.as_deref(),
        Some("kubernetes.io/dockerconfigjson")
    );
    let config: Value =
        serde_json::from_slice(&secret.data.unwrap()[".dockerconfigjson"].0).unwrap();
    assert_eq!(
        config,
        json!({ "auths": { "ghcr.io": {
            "username": "flux", "password": "s3cr<t>", "auth": "Zmx1eDpzM2NyPHQ+"
        } } })
    );

    OCI.create(
        &client,
        &ns,
        "podinfo",
        json!({
            "interval": "10m", "url": URL, "ref": { "tag": "6.3.5" },
            "secretRef": { "name": "ghcr-auth" }, "insecure": false, "suspend": false,
            "ignore": "/*\n!/deploy\n",
            "layerSelector": { "mediaType": "application/vnd.cncf.flux.content.v1.tar+gzip",
                               "operation": "extract" },
            "verify": { "provider": "cosign", "matchOIDCIdentity": [
                { "issuer": "^https://token.actions.githubusercontent.com$", "subject": "" }
            ] }
        }),
        Some(status(1, "True", &stored())),
    )
    .await;
    let out = tk(
        kubeconfig,
        &["export", "source", "oci", "podinfo", "-n", &ns],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    // Status and server fields gone, the CRD's defaults (provider, timeout) kept, durations
    // and omissions as Go writes them.
    assert_eq!(
        stdout(&out),
        format!(
            "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  \
             name: podinfo\n  namespace: {ns}\nspec:\n  ignore: |\n    /*\n    !/deploy\n  \
             interval: 10m0s\n  layerSelector:\n    mediaType: \
             application/vnd.cncf.flux.content.v1.tar+gzip\n    operation: extract\n  \
             provider: generic\n  ref:\n    tag: 6.3.5\n  secretRef:\n    name: ghcr-auth\n  \
             timeout: 1m0s\n  url: {URL}\n  verify:\n    matchOIDCIdentity:\n    - issuer: \
             ^https://token.actions.githubusercontent.com$\n      subject: \"\"\n    \
             provider: cosign\n"
        )
    );

    OCI.create(
        &client,
        &ns,
        "other",
        json!({ "interval": "5m", "url": URL, "ref": { "digest": format!("sha256:{}", "0a".repeat(32)) } }),
        None,
    )
    .await;
    let out = tk(
        kubeconfig,
        &[
            "export",
            "source",
            "oci",
            "--all",
            "--with-credentials",
            "-n",
            &ns,
        ],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    let exported = stdout(&out);
    let docs: Vec<Value> = serde_saphyr::from_multiple(&exported).unwrap();
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["OCIRepository", "OCIRepository", "Secret"]);
    assert_eq!(docs[2]["type"], "kubernetes.io/dockerconfigjson");
    assert!(docs[2]["metadata"].get("uid").is_none());

    // The export applies into another namespace, and exports from there the same.
    let fresh = create_namespace(&client, "oci-import").await;
    for doc in &docs {
        let mut doc = doc.clone();
        doc["metadata"]["namespace"] = json!(fresh);
        let kind = if doc["kind"] == "Secret" {
            OCI.secrets()
        } else {
            OCI
        };
        kind.apply(&client, &fresh, &doc).await;
    }
    let out = tk(
        kubeconfig,
        &[
            "export",
            "source",
            "oci",
            "--all",
            "--with-credentials",
            "-n",
            &fresh,
        ],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stdout(&out),
        exported.replace(
            &format!("namespace: {ns}\n"),
            &format!("namespace: {fresh}\n")
        )
    );

    let out = tk(
        kubeconfig,
        &["export", "source", "oci", "missing", "-n", &ns],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "OCIRepository missing not found in namespace {ns}: check the name and --namespace"
        )),
        "{}",
        output_text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_source_oci_needs_silent() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "oci-delete").await;
    OCI.create(
        &client,
        &ns,
        "thrfg",
        json!({ "interval": "10m", "url": URL, "ref": { "tag": "6.3.5" } }),
        None,
    )
    .await;

    let out = tk(kubeconfig, &["delete", "source", "oci", "thrfg", "-n", &ns]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "refusing to delete OCIRepository {ns}/thrfg without confirmation: pass --silent"
        )),
        "{}",
        output_text(&out)
    );
    assert!(
        OCI.api(&client, &ns)
            .get_opt("thrfg")
            .await
            .unwrap()
            .is_some()
    );

    let out = tk(
        kubeconfig,
        &["delete", "source", "oci", "thrfg", "--silent", "-n", &ns],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(stderr(&out), golden("oci/delete_oci.golden", &ns));
    let deadline = Instant::now() + Duration::from_secs(30);
    while OCI
        .api(&client, &ns)
        .get_opt("thrfg")
        .await
        .unwrap()
        .is_some()
    {
        assert!(
            Instant::now() < deadline,
            "OCIRepository thrfg was not deleted"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
