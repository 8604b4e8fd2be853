//! The Kustomization CLI against the rig: create, get, suspend/resume, reconcile, export and
//! delete on a real apiserver. No controller runs here: each test plays the kustomize (and,
//! for `--with-source`, the source) controller by patching the status subresource the way
//! the controllers write it, so the CLI's waits are exercised against real conditions.
//! Outputs are compared with flux's golden files where flux has them.

use std::time::{Duration, Instant};

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::{Value, json};

use crate::support::{client, create_namespace, flux_testdata, rig, setup, tk, tk_async, tk_ok};

const REVISION: &str = "6.3.5@sha1:67e2c98a60dc92283531412a9e604dd4bae005a9";

fn ks_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("kustomize.toolkit.fluxcd.io", "v1", "Kustomization"),
        "kustomizations",
    )
}

fn git_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("source.toolkit.fluxcd.io", "v1", "GitRepository"),
        "gitrepositories",
    )
}

fn api(client: &kube::Client, ns: &str, resource: &ApiResource) -> Api<DynamicObject> {
    Api::namespaced_with(client.clone(), ns, resource)
}

fn kustomizations(client: &kube::Client, ns: &str) -> Api<DynamicObject> {
    api(client, ns, &ks_resource())
}

async fn apply(client: &kube::Client, ns: &str, resource: &ApiResource, object: &Value) {
    let name = object["metadata"]["name"].as_str().unwrap();
    api(client, ns, resource)
        .patch(
            name,
            &PatchParams::apply("tk-e2e-kustomizations"),
            &Patch::Apply(object),
        )
        .await
        .unwrap();
}

fn kustomization(ns: &str, name: &str, labels: Value) -> Value {
    json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": { "name": name, "namespace": ns, "labels": labels },
        "spec": { "path": "./infrastructure/", "sourceRef": { "kind": "GitRepository", "name": "tkfg" },
                  "interval": "5m", "prune": true }
    })
}

async fn set_status(
    client: &kube::Client,
    ns: &str,
    resource: &ApiResource,
    name: &str,
    status: Value,
) {
    api(client, ns, resource)
        .patch_status(
            name,
            &PatchParams::default(),
            &Patch::Merge(&json!({ "status": status })),
        )
        .await
        .unwrap();
}

/// The status a controller writes: the revision where the kind keeps it, and Ready.
fn status(resource: &ApiResource, generation: i64, ready: &str, message: &str) -> Value {
    let mut status = json!({
        "observedGeneration": generation,
        "conditions": [{
            "type": "Ready", "status": ready, "reason": "ReconciliationSucceeded",
            "message": message, "lastTransitionTime": "2021-07-20T00:48:16Z",
            "observedGeneration": generation
        }]
    });
    if resource.kind == "Kustomization" {
        status["lastAppliedRevision"] = json!(REVISION);
    } else {
        status["artifact"] = json!({
            "digest": "sha256:1234567890abcdef", "lastUpdateTime": "2021-08-01T04:28:42Z",
            "path": "example", "revision": REVISION, "url": "http://example/artifact.tar.gz"
        });
    }
    status
}

fn applied(resource: &ApiResource, generation: i64) -> Value {
    status(
        resource,
        generation,
        "True",
        &format!("Applied revision: {REVISION}"),
    )
}

/// Plays a controller for `name`: reports the current generation as Ready=`ready` and, each
/// time a new `requestedAt` appears, records it as handled.
fn controller(
    client: kube::Client,
    ns: String,
    resource: ApiResource,
    name: &'static str,
    ready: &'static str,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut handled: Option<String> = None;
        let mut reported_generation = None;
        while Instant::now() < deadline {
            if let Ok(Some(object)) = api(&client, &ns, &resource).get_opt(name).await {
                let generation = object.metadata.generation.unwrap();
                let suspended = object.data["spec"]["suspend"] == true;
                let requested = object
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("reconcile.fluxcd.io/requestedAt"))
                    .cloned();
                let new_request = requested.is_some() && requested != handled;
                if !suspended && (new_request || reported_generation != Some(generation)) {
                    let mut s = status(&resource, generation, ready, "Applied revision: test");
                    if ready == "True" {
                        s = applied(&resource, generation);
                    }
                    if let Some(at) = &requested {
                        s["lastHandledReconcileAt"] = json!(at);
                    }
                    set_status(&client, &ns, &resource, name, s).await;
                    handled = requested;
                    reported_generation = Some(generation);
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn create_kustomization_applies_and_waits_for_ready() {
    let client = client(rig().kubeconfig_path()).await;
    let (_crds, ns) = setup(&client, "ks-create").await;

    let sim = controller(client.clone(), ns.clone(), ks_resource(), "tkfg", "True");
    let out = tk_async(format!(
        "create kustomization tkfg --source=tkfg --path=./kustomize --prune \
         --health-check=Deployment/podinfo.{ns} --label team=web -n {ns} --timeout 60s"
    ))
    .await;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stderr,
        flux_testdata("kustomization/create_kustomization_from_git.golden")
    );
    assert!(out.stdout.is_empty());
    let object = kustomizations(&client, &ns).get("tkfg").await.unwrap();
    assert_eq!(
        object.data["spec"],
        // `force: false` is the CRD's default.
        json!({
            "interval": "1m0s", "path": "./kustomize", "prune": true, "timeout": "2m0s", "force": false,
            "sourceRef": { "kind": "GitRepository", "name": "tkfg" },
            "healthChecks": [{ "kind": "Deployment", "name": "podinfo", "namespace": ns }]
        })
    );
    assert_eq!(object.metadata.labels.unwrap()["team"], "web");

    // Creating again updates in place; fields no longer given are dropped.
    let out = tk_async(format!(
        "create ks tkfg --source=OCIRepository/tkfg --path=./deploy -n {ns} --timeout 60s"
    ))
    .await;
    sim.abort();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("✔ Kustomization updated"), "{stderr}");
    let object = kustomizations(&client, &ns).get("tkfg").await.unwrap();
    assert_eq!(
        object.data["spec"],
        json!({
            "interval": "1m0s", "path": "./deploy", "prune": false, "force": false,
            "sourceRef": { "kind": "OCIRepository", "name": "tkfg" }
        })
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn create_kustomization_fails_with_the_ready_message_or_times_out() {
    let client = client(rig().kubeconfig_path()).await;
    let (_crds, ns) = setup(&client, "ks-fail").await;

    let sim = controller(client.clone(), ns.clone(), ks_resource(), "broken", "False");
    let out = tk_async(format!(
        "create kustomization broken --source=apps -n {ns} --timeout 60s"
    ))
    .await;
    sim.abort();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "✗ Kustomization {ns}/broken is not ready: Applied revision: test"
        )),
        "{stderr}"
    );

    // Without a controller the object is applied and the wait ends at --timeout.
    let out = tk_async(format!(
        "create kustomization idle --source=apps -n {ns} --timeout 2s"
    ))
    .await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("✔ Kustomization created"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "✗ timed out waiting for Kustomization {ns}/idle to become ready"
        )) && stderr.contains("check that the kustomize-controller is running"),
        "{stderr}"
    );
    let idle = kustomizations(&client, &ns).get("idle").await.unwrap();
    assert_eq!(idle.data["spec"]["sourceRef"]["name"], "apps");
}

#[tokio::test(flavor = "multi_thread")]
async fn get_kustomizations_prints_flux_tables() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "ks-get").await;
    apply(
        &client,
        &ns,
        &ks_resource(),
        &kustomization(&ns, "tkfg", json!({ "tier": "apps" })),
    )
    .await;
    set_status(
        &client,
        &ns,
        &ks_resource(),
        "tkfg",
        applied(&ks_resource(), 1),
    )
    .await;

    for alias in ["kustomizations", "kustomization", "ks"] {
        let out = tk(kubeconfig, &["get", alias, "-n", &ns]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(
            text(&out.stdout),
            flux_testdata("kustomization/get_kustomization_from_git.golden"),
            "get {alias}"
        );
    }

    apply(
        &client,
        &ns,
        &ks_resource(),
        &kustomization(&ns, "waiting", json!({ "tier": "infra" })),
    )
    .await;
    let out = tk(kubeconfig, &["get", "ks", "-n", &ns, "-l", "tier=infra"]);
    assert_eq!(
        text(&out.stdout),
        "NAME   \tREVISION\tSUSPENDED\tREADY\tMESSAGE                  \n\
         waiting\t        \tFalse    \tFalse\twaiting to be reconciled\t\n"
    );
    let out = tk(
        kubeconfig,
        &["get", "ks", "-n", &ns, "--status-selector", "ready=true"],
    );
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(stdout.contains("\ntkfg\t"), "{stdout}");
    let out = tk(kubeconfig, &["get", "ks", "tkfg", "-n", &ns, "--no-header"]);
    assert_eq!(
        text(&out.stdout),
        "tkfg\t6.3.5@sha1:67e2c98a\tFalse\tTrue\tApplied revision: 6.3.5@sha1:67e2c98a\t\n"
    );

    let out = tk(kubeconfig, &["get", "ks", "-A"]);
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("NAMESPACE"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with(&ns) && l.contains("\ttkfg")),
        "{stdout}"
    );

    // `get all` prints a table per kind with objects, kind-prefixed names, a blank line after.
    let git = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": { "name": "tkfg", "namespace": ns },
        "spec": { "interval": "1m", "url": "https://example.com/tkfg", "ref": { "branch": "main" } }
    });
    apply(&client, &ns, &git_resource(), &git).await;
    set_status(
        &client,
        &ns,
        &git_resource(),
        "tkfg",
        applied(&git_resource(), 1),
    )
    .await;
    let out = tk(kubeconfig, &["get", "all", "-n", &ns]);
    let stdout = text(&out.stdout);
    let tables: Vec<&str> = stdout.split("\n\n").filter(|t| !t.is_empty()).collect();
    assert_eq!(tables.len(), 2, "{stdout}");
    let names = |table: &str| -> Vec<String> {
        table
            .lines()
            .skip(1)
            .map(|l| l.split('\t').next().unwrap().trim_end().to_string())
            .collect()
    };
    assert_eq!(names(tables[0]), ["gitrepository/tkfg"], "{stdout}");
    assert_eq!(
        names(tables[1]),
        ["kustomization/tkfg", "kustomization/waiting"],
        "{stdout}"
    );
    assert!(stdout.ends_with("\t\n\n"), "{stdout:?}");

    let empty = create_namespace(&client, "ks-empty").await;
    let out = tk(kubeconfig, &["get", "ks", "-n", &empty]);
    assert!(out.status.success());
    assert!(
        text(&out.stderr).contains(&format!(
            "✗ no Kustomization objects found in \"{empty}\" namespace"
        )),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn get_kustomizations_watch_prints_changes() {
    let client = client(rig().kubeconfig_path()).await;
    let (_crds, ns) = setup(&client, "ks-watch").await;
    apply(
        &client,
        &ns,
        &ks_resource(),
        &kustomization(&ns, "tkfg", json!({})),
    )
    .await;
    let watch = tk_async(format!("get ks -n {ns} --watch --timeout 6s"));
    let patcher = {
        let client = client.clone();
        let ns = ns.clone();
        async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            set_status(
                &client,
                &ns,
                &ks_resource(),
                "tkfg",
                applied(&ks_resource(), 1),
            )
            .await;
        }
    };
    let (out, ()) = tokio::join!(watch, patcher);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].starts_with("NAME"), "{stdout}");
    assert!(lines[1].contains("waiting to be reconciled"), "{stdout}");
    assert!(
        lines[2].starts_with("tkfg\t6.3.5@sha1:67e2c98a\t"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn suspend_resume_and_reconcile_drive_the_controller() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "ks-suspend").await;
    let git = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": { "name": "tkfg", "namespace": ns },
        "spec": { "interval": "1m", "url": "https://example.com/tkfg", "ref": { "branch": "main" } }
    });
    apply(&client, &ns, &git_resource(), &git).await;
    for name in ["tkfg", "other"] {
        apply(
            &client,
            &ns,
            &ks_resource(),
            &kustomization(&ns, name, json!({})),
        )
        .await;
        set_status(
            &client,
            &ns,
            &ks_resource(),
            name,
            applied(&ks_resource(), 1),
        )
        .await;
    }
    let expected = |file: &str| flux_testdata(file).replace("{{ .ns }}", &ns);

    let out = tk(kubeconfig, &["suspend", "kustomization", "tkfg", "-n", &ns]);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stderr),
        expected("kustomization/suspend_kustomization_from_git.golden")
    );
    let object = kustomizations(&client, &ns).get("tkfg").await.unwrap();
    assert_eq!(object.data["spec"]["suspend"], true);
    let table = tk_ok(kubeconfig, &["get", "ks", "tkfg", "-n", &ns]);
    assert!(table.contains("\tTrue     \t"), "{table}");

    let out = tk(kubeconfig, &["reconcile", "ks", "tkfg", "-n", &ns]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is suspended: run `tk resume kustomization tkfg` instead"),
        "{}",
        text(&out.stderr)
    );

    let ks_sim = controller(client.clone(), ns.clone(), ks_resource(), "tkfg", "True");
    let git_sim = controller(client.clone(), ns.clone(), git_resource(), "tkfg", "True");
    let out = tk_async(format!("resume ks tkfg -n {ns} --timeout 60s")).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        expected("kustomization/resume_kustomization_from_git.golden")
    );
    let object = kustomizations(&client, &ns).get("tkfg").await.unwrap();
    assert!(object.data["spec"].get("suspend").is_none());

    let out = tk_async(format!(
        "reconcile kustomization tkfg --with-source -n {ns} --timeout 60s"
    ))
    .await;
    ks_sim.abort();
    git_sim.abort();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        expected("kustomization/reconcile_kustomization_from_git.golden")
    );
    for resource in [ks_resource(), git_resource()] {
        let object = api(&client, &ns, &resource).get("tkfg").await.unwrap();
        let requested = &object.metadata.annotations.unwrap()["reconcile.fluxcd.io/requestedAt"];
        assert_eq!(
            object.data["status"]["lastHandledReconcileAt"],
            requested.as_str()
        );
    }

    tk_ok(kubeconfig, &["suspend", "ks", "--all", "-n", &ns]);
    for name in ["tkfg", "other"] {
        let object = kustomizations(&client, &ns).get(name).await.unwrap();
        assert_eq!(object.data["spec"]["suspend"], true, "{name}");
    }
    let stderr = tk_ok(
        kubeconfig,
        &["resume", "ks", "--all", "-n", &ns, "--wait=false"],
    );
    assert_eq!(
        stderr.matches("✔ kustomization resumed").count(),
        2,
        "{stderr}"
    );
    for name in ["tkfg", "other"] {
        let object = kustomizations(&client, &ns).get(name).await.unwrap();
        assert!(object.data["spec"].get("suspend").is_none(), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn export_round_trips_and_matches_flux() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "ks-export").await;
    let mut object = kustomization(&ns, "flux-system", json!({}));
    object["metadata"].as_object_mut().unwrap().remove("labels");
    object["spec"]["sourceRef"]["name"] = json!("flux-system");
    apply(&client, &ns, &ks_resource(), &object).await;
    set_status(
        &client,
        &ns,
        &ks_resource(),
        "flux-system",
        applied(&ks_resource(), 1),
    )
    .await;

    let out = tk(kubeconfig, &["export", "ks", "flux-system", "-n", &ns]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        flux_testdata("export/ks.yaml").replace("{{ .fluxns }}", &ns)
    );

    // What `create --export` prints, applied, exports to the same bytes.
    let created = tk_ok(
        kubeconfig,
        &[
            "create",
            "ks",
            "apps",
            "--source=OCIRepository/apps.flux-system",
            "--path=./apps",
            "--depends-on=flux-system",
            "--health-check=HelmRelease/web.apps",
            "--retry-interval=2m",
            "--label=tier=apps",
            "-n",
            &ns,
            "--export",
        ],
    );
    let doc: Value = serde_saphyr::from_str(created.trim_start_matches("---\n")).unwrap();
    apply(&client, &ns, &ks_resource(), &doc).await;
    let out = tk(kubeconfig, &["export", "kustomization", "apps", "-n", &ns]);
    assert_eq!(text(&out.stdout), created);

    // export --all, delete, apply the export: the same specs come back.
    let out = tk(kubeconfig, &["export", "ks", "--all", "-n", &ns]);
    let all = text(&out.stdout);
    let docs: Vec<Value> = serde_saphyr::from_multiple(&all).unwrap();
    assert_eq!(docs.len(), 2, "{all}");
    let before: Vec<Value> = specs(&client, &ns).await;
    for doc in &docs {
        let name = doc["metadata"]["name"].as_str().unwrap();
        tk_ok(kubeconfig, &["delete", "ks", name, "-n", &ns, "--silent"]);
    }
    assert!(specs(&client, &ns).await.is_empty());
    for doc in &docs {
        apply(&client, &ns, &ks_resource(), doc).await;
    }
    let mut expected = before;
    expected[1]["interval"] = json!("5m0s");
    assert_eq!(specs(&client, &ns).await, expected);
}

/// The specs of every Kustomization in `ns`, by name.
async fn specs(client: &kube::Client, ns: &str) -> Vec<Value> {
    let mut items = kustomizations(client, ns)
        .list(&Default::default())
        .await
        .unwrap()
        .items;
    items.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    items.into_iter().map(|o| o.data["spec"].clone()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_asks_or_needs_silent() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "ks-delete").await;
    apply(
        &client,
        &ns,
        &ks_resource(),
        &kustomization(&ns, "tkfg", json!({})),
    )
    .await;

    let out = tk(kubeconfig, &["delete", "kustomization", "tkfg", "-n", &ns]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(&format!(
            "refusing to delete Kustomization {ns}/tkfg without confirmation: pass --silent"
        )),
        "{}",
        text(&out.stderr)
    );
    assert!(
        kustomizations(&client, &ns)
            .get_opt("tkfg")
            .await
            .unwrap()
            .is_some()
    );

    let out = tk(kubeconfig, &["delete", "ks", "tkfg", "-n", &ns, "-s"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        flux_testdata("kustomization/delete_kustomization_from_git.golden")
            .replace("{{ .ns }}", &ns)
    );
    assert!(
        kustomizations(&client, &ns)
            .get_opt("tkfg")
            .await
            .unwrap()
            .is_none()
    );

    let out = tk(kubeconfig, &["delete", "ks", "tkfg", "-n", &ns, "-s"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("Kustomization tkfg not found in namespace"),
        "{}",
        text(&out.stderr)
    );
}
