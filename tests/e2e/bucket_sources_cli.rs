//! The Bucket CLI against the rig: create source bucket (its `--export` round trip, and
//! applied with the Secret it generates), get, suspend/resume, reconcile, export and delete on
//! a real apiserver. No source controller runs here: where a command waits, the test answers
//! as source-controller would by writing the status subresource, so the waits meet real
//! conditions. Exports are compared with flux's golden file (`testdata/export/bucket.yaml`).

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use serde_json::{Value, json};

use crate::played::Played;
use crate::support::{
    assert_all_kinds_table, assert_all_namespaces_row, assert_lines, client, create_namespace,
    flux_testdata, output_text, rig, setup, stderr, stdout, tk, tk_async, tk_ok,
};

/// An artifact revision as source-controller writes a Bucket's: the digest of its index.
const REVISION: &str = "sha256:6c959c51ccbb952e5fe4737563338a0aaf975675dcf812912cf09e5463181871";

const BUCKET: Played = Played {
    group: "source.toolkit.fluxcd.io",
    version: "v1",
    kind: "Bucket",
    plural: "buckets",
    manager: "tk-e2e-bucket-sources",
};

/// flux's export golden, for the Bucket `flux-system` in `ns`.
fn golden(ns: &str) -> String {
    flux_testdata("export/bucket.yaml").replace("{{ .fluxns }}", ns)
}

/// What source-controller says of a Bucket's stored artifact.
fn stored() -> String {
    format!("stored artifact: revision '{REVISION}'")
}

/// The status source-controller writes: the artifact of [`REVISION`] and a Ready condition
/// for `generation`.
fn status(generation: i64, ready: &str, message: &str) -> Value {
    json!({
        "observedGeneration": generation,
        "artifact": {
            "digest": "sha256:1234567890abcdef", "lastUpdateTime": "2024-05-01T10:00:00Z",
            "path": "bucket/ns/podinfo/6c959c51.tar.gz", "revision": REVISION,
            "url": "http://example/artifact"
        },
        "conditions": [{
            "type": "Ready", "status": ready, "reason": "Succeeded", "message": message,
            "lastTransitionTime": "2024-05-01T10:00:00Z", "observedGeneration": generation
        }]
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn create_export_round_trips_and_matches_flux() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "bucket-export").await;

    // The Bucket of flux's export golden, made with `create --export`; then every other
    // flag. Applied as printed and exported again, each comes back byte for byte.
    let golden_flags = "flux-system --bucket-name=podinfo --endpoint=s3.amazonaws.com \
                        --provider=aws --region=us-east-1 --interval=5m --fetch-timeout=30s";
    let other_flags = "podinfo --bucket-name=manifests \
                       --endpoint=minio.minio.svc.cluster.local:9000 --insecure \
                       --secret-ref=minio-keys --proxy-secret-ref=proxy \
                       --ignore-paths=/*,!/deploy --label=team=web --fetch-timeout=1m";
    for flags in [golden_flags, other_flags] {
        let name = flags.split_whitespace().next().unwrap();
        let created = tk_async(format!("create source bucket {flags} -n {ns} --export")).await;
        assert!(created.status.success(), "{}", output_text(&created));
        assert!(created.stderr.is_empty(), "{}", output_text(&created));
        let yaml = stdout(&created);
        let docs: Vec<Value> = serde_saphyr::from_multiple(&yaml).unwrap();
        assert_eq!(docs.len(), 1, "{yaml}");
        BUCKET.apply(&client, &ns, &docs[0]).await;

        let out = tk(kubeconfig, &["export", "source", "bucket", name, "-n", &ns]);
        assert!(out.status.success(), "{}", output_text(&out));
        assert_eq!(stdout(&out), yaml, "{flags}");
    }
    let exported = tk_ok(
        kubeconfig,
        &["export", "source", "bucket", "flux-system", "-n", &ns],
    );
    assert_eq!(exported, golden(&ns));

    // --all exports each Bucket, by name; --with-credentials adds the Secret one references.
    BUCKET
        .secrets()
        .apply(
            &client,
            &ns,
            &json!({
                "apiVersion": "v1", "kind": "Secret",
                "metadata": { "name": "minio-keys", "namespace": ns },
                "stringData": { "accesskey": "ak", "secretkey": "sk" }
            }),
        )
        .await;
    let out = tk(
        kubeconfig,
        &[
            "export",
            "source",
            "bucket",
            "--all",
            "--with-credentials",
            "-n",
            &ns,
        ],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    let docs: Vec<Value> = serde_saphyr::from_multiple(&stdout(&out)).unwrap();
    let names: Vec<(&str, &str)> = docs
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap(),
                d["metadata"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("Bucket", "flux-system"),
            ("Bucket", "podinfo"),
            ("Secret", "minio-keys")
        ]
    );
    assert_eq!(
        docs[2]["data"],
        json!({ "accesskey": "YWs=", "secretkey": "c2s=" })
    );

    let out = tk(
        kubeconfig,
        &["export", "source", "bucket", "missing", "-n", &ns],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "Bucket missing not found in namespace {ns}: check the name and --namespace"
        )),
        "{}",
        output_text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn create_source_bucket_stores_the_keys_and_waits() {
    let client = client(rig().kubeconfig_path()).await;
    let (_crds, ns) = setup(&client, "bucket-create").await;

    // flux's static-authentication example, with a label for the Bucket and its Secret.
    let sim = BUCKET.play(&client, &ns, "podinfo", |generation| {
        status(generation, "True", &stored())
    });
    let out = tk_async(format!(
        "create source bucket podinfo --bucket-name=podinfo \
         --endpoint=minio.minio.svc.cluster.local:9000 --insecure=true \
         --access-key=myaccesskey --secret-key=mysecretkey --interval=10m --label=team=web \
         -n {ns} --timeout 60s"
    ))
    .await;
    sim.abort();
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "✚ generating Bucket source\n\
             ► applying secret with the bucket credentials\n\
             ✔ authentication configured\n\
             ► applying Bucket source\n\
             ✔ Bucket source created\n\
             ◎ waiting for Bucket source reconciliation\n\
             ✔ Bucket source reconciliation completed\n\
             ✔ fetched revision: {REVISION}\n"
        )
    );
    assert!(out.stdout.is_empty(), "{}", output_text(&out));
    let secret = Api::<Secret>::namespaced(client.clone(), &ns)
        .get("bucket-podinfo")
        .await
        .unwrap();
    let data = secret.data.unwrap();
    assert_eq!(data["accesskey"].0, b"myaccesskey");
    assert_eq!(data["secretkey"].0, b"mysecretkey");
    assert_eq!(secret.metadata.labels.unwrap()["team"], "web");
    let bucket = BUCKET.api(&client, &ns).get("podinfo").await.unwrap();
    assert_eq!(bucket.metadata.labels.unwrap()["team"], "web");
    assert_eq!(
        bucket.data["spec"],
        json!({
            "bucketName": "podinfo", "endpoint": "minio.minio.svc.cluster.local:9000",
            "insecure": true, "interval": "10m0s", "provider": "generic",
            "secretRef": { "name": "bucket-podinfo" }, "timeout": "60s"
        })
    );

    // Creating again with --secret-ref updates in place and generates no Secret.
    let sim = BUCKET.play(&client, &ns, "podinfo", |generation| {
        status(generation, "True", &stored())
    });
    let out = tk_async(format!(
        "create source bucket podinfo --bucket-name=podinfo --endpoint=s3.amazonaws.com \
         --provider=aws --region=us-east-1 --secret-ref=aws-keys -n {ns} --timeout 60s"
    ))
    .await;
    sim.abort();
    assert!(out.status.success(), "{}", output_text(&out));
    let err = stderr(&out);
    assert_lines(&err, &["✔ Bucket source updated"]);
    assert!(!err.contains("authentication"), "{err}");
    let bucket = BUCKET.api(&client, &ns).get("podinfo").await.unwrap();
    assert_eq!(
        bucket.data["spec"]["secretRef"],
        json!({ "name": "aws-keys" })
    );
    assert_eq!(bucket.data["spec"]["region"], "us-east-1");
    assert!(bucket.data["spec"].get("insecure").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn get_sources_bucket_prints_flux_tables() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "bucket-get").await;
    let spec = json!({ "interval": "5m", "bucketName": "podinfo", "endpoint": "s3.amazonaws.com" });
    BUCKET
        .create(
            &client,
            &ns,
            "podinfo",
            spec.clone(),
            Some(status(1, "True", &stored())),
        )
        .await;
    let mut suspended = spec.clone();
    suspended["suspend"] = json!(true);
    BUCKET
        .create(
            &client,
            &ns,
            "broken",
            suspended,
            Some(status(1, "False", "bucket 'podinfo' does not exist")),
        )
        .await;
    BUCKET.create(&client, &ns, "pending", spec, None).await;

    let out = tk(
        kubeconfig,
        &["get", "sources", "bucket", "podinfo", "-n", &ns],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stdout(&out),
        "NAME   \tREVISION       \tSUSPENDED\tREADY\tMESSAGE                                     \n\
         podinfo\tsha256:6c959c51\tFalse    \tTrue \tstored artifact: revision 'sha256:6c959c51'\t\n"
    );
    let out = tk(kubeconfig, &["get", "sources", "bucket", "-n", &ns]);
    assert_eq!(
        stdout(&out),
        "NAME   \tREVISION       \tSUSPENDED\tREADY\tMESSAGE                                     \n\
         broken \tsha256:6c959c51\tTrue     \tFalse\tbucket 'podinfo' does not exist            \t\n\
         pending\t               \tFalse    \tFalse\twaiting to be reconciled                   \t\n\
         podinfo\tsha256:6c959c51\tFalse    \tTrue \tstored artifact: revision 'sha256:6c959c51'\t\n"
    );

    let text = stdout(&tk(kubeconfig, &["get", "sources", "bucket", "-A"]));
    assert_all_namespaces_row(&text, &ns, "podinfo");
    assert_all_kinds_table(kubeconfig, &ns, "Bucket", 4, "bucket/podinfo\t");

    let empty = create_namespace(&client, "bucket-empty").await;
    let out = tk(kubeconfig, &["get", "sources", "bucket", "-n", &empty]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains(&format!(
            "✗ no Bucket objects found in \"{empty}\" namespace"
        )),
        "{}",
        output_text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn suspend_resume_and_reconcile_follow_flux() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "bucket-suspend").await;
    let spec = json!({ "interval": "5m", "bucketName": "podinfo", "endpoint": "s3.amazonaws.com" });
    BUCKET
        .create(
            &client,
            &ns,
            "podinfo",
            spec.clone(),
            Some(status(1, "True", &stored())),
        )
        .await;

    let out = tk(
        kubeconfig,
        &["suspend", "source", "bucket", "podinfo", "-n", &ns],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "► suspending source bucket podinfo in {ns} namespace\n✔ source bucket suspended\n"
        )
    );
    let bucket = BUCKET.api(&client, &ns).get("podinfo").await.unwrap();
    assert_eq!(bucket.data["spec"]["suspend"], true);
    let out = tk(
        kubeconfig,
        &["reconcile", "source", "bucket", "podinfo", "-n", &ns],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "Bucket {ns}/podinfo is suspended: run `tk resume source bucket podinfo` instead"
        )),
        "{}",
        output_text(&out)
    );

    let sim = BUCKET.play(&client, &ns, "podinfo", |generation| {
        status(generation, "True", &stored())
    });
    let out = tk_async(format!(
        "resume source bucket podinfo -n {ns} --timeout 60s"
    ))
    .await;
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "► resuming source bucket podinfo in {ns} namespace\n\
             ✔ source bucket resumed\n\
             ◎ waiting for Bucket reconciliation\n\
             ✔ Bucket podinfo reconciliation completed\n\
             ✔ fetched revision {REVISION}\n"
        )
    );
    let bucket = BUCKET.api(&client, &ns).get("podinfo").await.unwrap();
    assert!(
        bucket.data["spec"].get("suspend").is_none(),
        "{:?}",
        bucket.data["spec"]
    );

    let out = tk_async(format!(
        "reconcile source bucket podinfo -n {ns} --timeout 60s"
    ))
    .await;
    sim.abort();
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "► annotating Bucket podinfo in {ns} namespace\n\
             ✔ Bucket annotated\n\
             ◎ waiting for Bucket reconciliation\n\
             ✔ Bucket reconciliation completed\n\
             ✔ fetched revision {REVISION}\n"
        )
    );
    let bucket = BUCKET.api(&client, &ns).get("podinfo").await.unwrap();
    let requested = bucket.metadata.annotations.unwrap()["reconcile.fluxcd.io/requestedAt"].clone();
    assert_eq!(
        bucket.data["status"]["lastHandledReconcileAt"],
        requested.as_str()
    );

    // --all suspends and resumes every Bucket of the namespace; --wait=false returns without
    // waiting for a controller.
    BUCKET.create(&client, &ns, "other", spec, None).await;
    let text = tk_ok(
        kubeconfig,
        &["suspend", "source", "bucket", "--all", "-n", &ns],
    );
    assert_eq!(
        text.matches("✔ source bucket suspended").count(),
        2,
        "{text}"
    );
    for name in ["podinfo", "other"] {
        let bucket = BUCKET.api(&client, &ns).get(name).await.unwrap();
        assert_eq!(bucket.data["spec"]["suspend"], true, "{name}");
    }
    let text = tk_ok(
        kubeconfig,
        &[
            "resume",
            "source",
            "bucket",
            "--all",
            "-n",
            &ns,
            "--wait=false",
        ],
    );
    assert_eq!(text.matches("✔ source bucket resumed").count(), 2, "{text}");
    assert!(!text.contains("waiting"), "{text}");
    for name in ["podinfo", "other"] {
        let bucket = BUCKET.api(&client, &ns).get(name).await.unwrap();
        assert!(bucket.data["spec"].get("suspend").is_none(), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_source_bucket_needs_silent() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "bucket-delete").await;
    BUCKET
        .create(
            &client,
            &ns,
            "podinfo",
            json!({ "interval": "5m", "bucketName": "podinfo", "endpoint": "s3.amazonaws.com" }),
            None,
        )
        .await;

    let out = tk(
        kubeconfig,
        &["delete", "source", "bucket", "podinfo", "-n", &ns],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "refusing to delete Bucket {ns}/podinfo without confirmation: pass --silent"
        )),
        "{}",
        output_text(&out)
    );
    assert!(
        BUCKET
            .api(&client, &ns)
            .get_opt("podinfo")
            .await
            .unwrap()
            .is_some()
    );

    let out = tk(
        kubeconfig,
        &[
            "delete", "source", "bucket", "podinfo", "--silent", "-n", &ns,
        ],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        format!("► deleting source bucket podinfo in {ns} namespace\n✔ source bucket deleted\n")
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while BUCKET
        .api(&client, &ns)
        .get_opt("podinfo")
        .await
        .unwrap()
        .is_some()
    {
        assert!(Instant::now() < deadline, "Bucket podinfo was not deleted");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
