//! The Kustomization CLI against the rig: create, get, suspend/resume, reconcile, export and
//! delete on a real apiserver. No controller runs here: each test plays the kustomize (and,
//! for `--with-source`, the source) controller by patching the status subresource the way
//! the controllers write it, so the CLI's waits are exercised against real conditions.
//! Outputs are compared with flux's golden files where flux has them.

use std::time::Duration;

use serde_json::{Value, json};

use crate::played::Played;
use crate::support::{
    assert_all_namespaces_row, client, create_namespace, flux_testdata, rig, setup, tk, tk_async,
    tk_ok,
};

const REVISION: &str = "6.3.5@sha1:67e2c98a60dc92283531412a9e604dd4bae005a9";

const KUSTOMIZATION: Played = Played {
    group: "kustomize.toolkit.fluxcd.io",
    version: "v1",
    kind: "Kustomization",
    plural: "kustomizations",
    manager: "tk-e2e-kustomizations",
};

const GIT: Played = Played {
    group: "source.toolkit.fluxcd.io",
    version: "v1",
    kind: "GitRepository",
    plural: "gitrepositories",
    ..KUSTOMIZATION
};

fn kustomization(ns: &str, name: &str, labels: Value) -> Value {
    json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": { "name": name, "namespace": ns, "labels": labels },
        "spec": { "path": "./infrastructure/", "sourceRef": { "kind": "GitRepository", "name": "tkfg" },
                  "interval": "5m", "prune": true }
    })
}

/// The status a controller writes: the revision where the kind keeps it, and Ready.
fn status(kind: Played, generation: i64, ready: &str, message: &str) -> Value {
    let mut status = json!({
        "observedGeneration": generation,
        "conditions": [{
            "type": "Ready", "status": ready, "reason": "ReconciliationSucceeded",
            "message": message, "lastTransitionTime": "2021-07-20T00:48:16Z",
            "observedGeneration": generation
        }]
    });
    if kind == KUSTOMIZATION {
        status["lastAppliedRevision"] = json!(REVISION);
    } else {
        status["artifact"] = json!({
            "digest": "sha256:1234567890abcdef", "lastUpdateTime": "2021-08-01T04:28:42Z",
            "path": "example", "revision": REVISION, "url": "http://example/artifact.tar.gz"
        });
    }
    status
}

fn applied(kind: Played, generation: i64) -> Value {
    status(
        kind,
        generation,
        "True",
        &format!("Applied revision: {REVISION}"),
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn create_kustomization_applies_and_waits_for_ready() {
    let client = client(rig().kubeconfig_path()).await;
    let (_crds, ns) = setup(&client, "ks-create").await;

    let sim = KUSTOMIZATION.play(&client, &ns, "tkfg", |generation| {
        applied(KUSTOMIZATION, generation)
    });
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
    let object = KUSTOMIZATION.api(&client, &ns).get("tkfg").await.unwrap();
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
    let object = KUSTOMIZATION.api(&client, &ns).get("tkfg").await.unwrap();
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

    let sim = KUSTOMIZATION.play(&client, &ns, "broken", |generation| {
        status(KUSTOMIZATION, generation, "False", "Applied revision: test")
    });
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
    let idle = KUSTOMIZATION.api(&client, &ns).get("idle").await.unwrap();
    assert_eq!(idle.data["spec"]["sourceRef"]["name"], "apps");
}

#[tokio::test(flavor = "multi_thread")]
async fn get_kustomizations_prints_flux_tables() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "ks-get").await;
    KUSTOMIZATION
        .apply(
            &client,
            &ns,
            &kustomization(&ns, "tkfg", json!({ "tier": "apps" })),
        )
        .await;
    KUSTOMIZATION
        .set_status(&client, &ns, "tkfg", applied(KUSTOMIZATION, 1))
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

    KUSTOMIZATION
        .apply(
            &client,
            &ns,
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
    assert_all_namespaces_row(&text(&out.stdout), &ns, "tkfg");

    // `get all` prints a table per kind with objects, kind-prefixed names, a blank line after.
    let git = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": { "name": "tkfg", "namespace": ns },
        "spec": { "interval": "1m", "url": "https://example.com/tkfg", "ref": { "branch": "main" } }
    });
    GIT.apply(&client, &ns, &git).await;
    GIT.set_status(&client, &ns, "tkfg", applied(GIT, 1)).await;
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
    KUSTOMIZATION
        .apply(&client, &ns, &kustomization(&ns, "tkfg", json!({})))
        .await;
    let watch = tk_async(format!("get ks -n {ns} --watch --timeout 6s"));
    let patcher = {
        let client = client.clone();
        let ns = ns.clone();
        async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            KUSTOMIZATION
                .set_status(&client, &ns, "tkfg", applied(KUSTOMIZATION, 1))
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
    GIT.apply(&client, &ns, &git).await;
    for name in ["tkfg", "other"] {
        KUSTOMIZATION
            .apply(&client, &ns, &kustomization(&ns, name, json!({})))
            .await;
        KUSTOMIZATION
            .set_status(&client, &ns, name, applied(KUSTOMIZATION, 1))
            .await;
    }
    let expected = |file: &str| flux_testdata(file).replace("{{ .ns }}", &ns);

    let out = tk(kubeconfig, &["suspend", "kustomization", "tkfg", "-n", &ns]);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stderr),
        expected("kustomization/suspend_kustomization_from_git.golden")
    );
    let object = KUSTOMIZATION.api(&client, &ns).get("tkfg").await.unwrap();
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

    let ks_sim = KUSTOMIZATION.play(&client, &ns, "tkfg", |generation| {
        applied(KUSTOMIZATION, generation)
    });
    let git_sim = GIT.play(&client, &ns, "tkfg", |generation| applied(GIT, generation));
    let out = tk_async(format!("resume ks tkfg -n {ns} --timeout 60s")).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        expected("kustomization/resume_kustomization_from_git.golden")
    );
    let object = KUSTOMIZATION.api(&client, &ns).get("tkfg").await.unwrap();
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
    for kind in [KUSTOMIZATION, GIT] {
        let object = kind.api(&client, &ns).get("tkfg").await.unwrap();
        let requested = &object.metadata.annotations.unwrap()["reconcile.fluxcd.io/requestedAt"];
        assert_eq!(
            object.data["status"]["lastHandledReconcileAt"],
            requested.as_str()
        );
    }

    tk_ok(kubeconfig, &["suspend", "ks", "--all", "-n", &ns]);
    for name in ["tkfg", "other"] {
        let object = KUSTOMIZATION.api(&client, &ns).get(name).await.unwrap();
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
        let object = KUSTOMIZATION.api(&client, &ns).get(name).await.unwrap();
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
    KUSTOMIZATION.apply(&client, &ns, &object).await;
    KUSTOMIZATION
        .set_status(&client, &ns, "flux-system", applied(KUSTOMIZATION, 1))
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
    KUSTOMIZATION.apply(&client, &ns, &doc).await;
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
        KUSTOMIZATION.apply(&client, &ns, doc).await;
    }
    let mut expected = before;
    expected[1]["interval"] = json!("5m0s");
    assert_eq!(specs(&client, &ns).await, expected);
}

/// The specs of every Kustomization in `ns`, by name.
async fn specs(client: &kube::Client, ns: &str) -> Vec<Value> {
    let mut items = KUSTOMIZATION
        .api(client, ns)
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
    KUSTOMIZATION
        .apply(&client, &ns, &kustomization(&ns, "tkfg", json!({})))
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
        KUSTOMIZATION
            .api(&client, &ns)
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
        KUSTOMIZATION
            .api(&client, &ns)
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
