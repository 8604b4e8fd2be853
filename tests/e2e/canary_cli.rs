//! The canary CLI against the rig, with Flagger's CRDs and no canary controller: create
//! canary (its `--export` applied and exported back, and applied with and without a wait),
//! get canaries, suspend/resume, promote, export and delete on a real apiserver. Where a
//! command waits, the test answers as the canary controller would by writing the Canary's
//! status subresource, so the waits meet real phases.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::played::Played;
use crate::support::{
    assert_all_namespaces_row, client, create_namespace, output_text, rig, stderr, stdout, tk,
    tk_async, tk_ok, with_flagger_crds,
};

const CANARY: Played = Played {
    group: "flagger.app",
    version: "v1beta1",
    kind: "Canary",
    plural: "canaries",
    manager: "tk-e2e-canary-cli",
};

const APPROVED: &str = "canary.tk-gitops.io/approved-revision";
const REQUESTED_AT: &str = "reconcile.fluxcd.io/requestedAt";

/// Flagger's CRDs (held in place by the guard) and a fresh namespace.
async fn setup(
    client: &kube::Client,
    prefix: &str,
) -> (tokio::sync::RwLockReadGuard<'static, ()>, String) {
    let crds = with_flagger_crds(client).await;
    (crds, create_namespace(client, prefix).await)
}

/// A blue/green Canary spec the CRD admits.
fn spec() -> Value {
    json!({
        "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
        "service": { "port": 9898 },
        "analysis": { "interval": "1m", "threshold": 5, "iterations": 10 }
    })
}

/// A status as the canary controller writes it in `phase`.
fn status(phase: &str, promoted: &str, message: &str) -> Value {
    json!({
        "phase": phase, "canaryWeight": 0, "failedChecks": 0, "iterations": 0,
        "lastTransitionTime": "2024-05-01T10:00:00Z",
        "conditions": [{
            "type": "Promoted", "status": promoted, "reason": phase, "message": message,
            "lastUpdateTime": "2024-05-01T10:00:00Z", "lastTransitionTime": "2024-05-01T10:00:00Z"
        }]
    })
}

async fn get(client: &kube::Client, ns: &str, name: &str) -> kube::api::DynamicObject {
    CANARY.api(client, ns).get(name).await.unwrap()
}

/// Answers as the controller once `ready` holds of the Canary: writes `then` to its status.
fn answer(
    client: &kube::Client,
    ns: &str,
    name: &str,
    ready: impl Fn(&kube::api::DynamicObject) -> bool + Send + 'static,
    then: Value,
) -> tokio::task::JoinHandle<()> {
    let (client, ns, name) = (client.clone(), ns.to_string(), name.to_string());
    tokio::spawn(async move {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(object)) = CANARY.api(&client, &ns).get_opt(&name).await
                && ready(&object)
            {
                CANARY.set_status(&client, &ns, &name, then).await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn create_export_applies_and_exports_back() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "canary-export").await;

    // Each export applies as printed (the CRD's schema and CEL rules admit it) and `export
    // canary` gives back the same bytes.
    for flags in [
        "podinfo --target-ref Deployment/podinfo --provider kubernetes --port 9898 \
         --iterations 10 --metric request-success-rate=99 --metric request-duration=500 \
         --webhook confirm-promotion=http://gate.test/check --label team=web",
        "weighted --target-ref daemonset/web --provider linkerd --port 8080 --target-port http \
         --interval 30s --threshold 2 --step-weights 5,10,50 \
         --metric-template flagger-system/latency::0.5 \
         --metrics-server http://prometheus.monitoring:9090 --webhook pre-rollout=http://t/",
    ] {
        let name = flags.split_whitespace().next().unwrap();
        let created = tk_async(format!("create canary {flags} -n {ns} --export")).await;
        assert!(created.status.success(), "{}", output_text(&created));
        assert!(created.stderr.is_empty(), "{}", output_text(&created));
        let yaml = stdout(&created);
        let docs: Vec<Value> = serde_saphyr::from_multiple(&yaml).unwrap();
        assert_eq!(docs.len(), 1, "{yaml}");
        CANARY.apply(&client, &ns, &docs[0]).await;
        let out = tk(kubeconfig, &["export", "canary", name, "-n", &ns]);
        assert!(out.status.success(), "{}", output_text(&out));
        assert_eq!(stdout(&out), yaml, "{flags}");
    }

    // A Gateway reference comes back with the group and kind the CRD defaults.
    let created = tk_async(format!(
        "create canary routed --target-ref podinfo --provider gatewayapi:v1 --port 9898 \
         --gateway-ref gateways/public --host app.example.com --step-weight 10 \
         --max-weight 50 -n {ns} --export"
    ))
    .await;
    assert!(created.status.success(), "{}", output_text(&created));
    let mut doc: Value =
        serde_saphyr::from_multiple::<Value>(&stdout(&created)).unwrap()[0].clone();
    CANARY.apply(&client, &ns, &doc).await;
    let out = tk_ok(kubeconfig, &["export", "canary", "routed", "-n", &ns]);
    let exported: Vec<Value> = serde_saphyr::from_multiple(&out).unwrap();
    doc["spec"]["service"]["gatewayRefs"][0]["group"] = json!("gateway.networking.k8s.io");
    doc["spec"]["service"]["gatewayRefs"][0]["kind"] = json!("Gateway");
    assert_eq!(exported, [doc]);

    // --all exports every Canary of the namespace, by name.
    let out = tk_ok(kubeconfig, &["export", "canary", "--all", "-n", &ns]);
    let docs: Vec<Value> = serde_saphyr::from_multiple(&out).unwrap();
    let names: Vec<&str> = docs
        .iter()
        .map(|d| d["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["podinfo", "routed", "weighted"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn create_canary_applies_and_waits_for_initialization() {
    let client = client(rig().kubeconfig_path()).await;
    let (_crds, ns) = setup(&client, "canary-create").await;
    let flags = "--target-ref podinfo --port 9898 --iterations 10";

    // --wait=false returns once applied; applying again updates in place.
    for verb in ["created", "updated"] {
        let out = tk_async(format!(
            "create canary podinfo {flags} -n {ns} --wait=false"
        ))
        .await;
        assert!(out.status.success(), "{}", output_text(&out));
        assert_eq!(
            stderr(&out),
            format!("✚ generating Canary\n► applying Canary\n✔ Canary {verb}\n")
        );
    }
    let canary = get(&client, &ns, "podinfo").await;
    assert_eq!(canary.data["spec"]["targetRef"]["name"], "podinfo");
    assert_eq!(canary.data["spec"]["analysis"]["iterations"], 10);

    // With the wait, done once the controller reports Initialized with Promoted=True.
    let sim = answer(
        &client,
        &ns,
        "blue",
        |_| true,
        status(
            "Initialized",
            "True",
            "Deployment initialization completed.",
        ),
    );
    let out = tk_async(format!("create canary blue {flags} -n {ns} --timeout 60s")).await;
    sim.abort();
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        "✚ generating Canary\n► applying Canary\n✔ Canary created\n\
         ◎ waiting for Canary initialization\n✔ Canary blue is Initialized\n"
    );

    // A rollback fails the wait with the controller's words; silence fails it at the
    // deadline with the phase it is in.
    let sim = answer(
        &client,
        &ns,
        "failing",
        |_| true,
        status(
            "Failed",
            "False",
            "Canary analysis failed, Deployment scaled to zero.",
        ),
    );
    let out = tk_async(format!(
        "create canary failing {flags} -n {ns} --timeout 60s"
    ))
    .await;
    sim.abort();
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    assert!(
        stderr(&out).contains(&format!(
            "✗ Canary {ns}/failing failed (Canary analysis failed, Deployment scaled to zero.): \
             inspect `tk events --for Canary/failing`"
        )),
        "{}",
        output_text(&out)
    );
    let out = tk_async(format!("create canary silent {flags} -n {ns} --timeout 2s")).await;
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    assert!(
        stderr(&out).contains(&format!(
            "✗ timed out waiting for Canary {ns}/silent to be initialized (not yet reported on \
             by the controller): raise --timeout or check that the canary-controller is running"
        )),
        "{}",
        output_text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn get_canaries_prints_flaggers_columns() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "canary-get").await;
    let mut progressing = status(
        "Progressing",
        "Unknown",
        "New revision detected, starting canary analysis.",
    );
    progressing["canaryWeight"] = json!(10);
    progressing["failedChecks"] = json!(1);
    progressing["lastTransitionTime"] = json!("2024-05-01T10:02:00Z");
    CANARY
        .create(&client, &ns, "podinfo", spec(), Some(progressing))
        .await;
    let mut suspended = spec();
    suspended["suspend"] = json!(true);
    let mut succeeded = status(
        "Succeeded",
        "True",
        "Canary analysis completed successfully, promotion finished.",
    );
    succeeded["lastTransitionTime"] = json!("2024-05-01T10:15:00Z");
    CANARY
        .create(&client, &ns, "paused", suspended, Some(succeeded))
        .await;
    CANARY.create(&client, &ns, "pending", spec(), None).await;

    let out = tk(kubeconfig, &["get", "canaries", "-n", &ns]);
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stdout(&out),
        "NAME   \tSTATUS     \tWEIGHT\tFAILED CHECKS\tSUSPENDED\tLAST TRANSITION     \tMESSAGE                                                     \n\
         paused \tSucceeded  \t0     \t0            \tTrue     \t2024-05-01T10:15:00Z\tCanary analysis completed successfully, promotion finished.\t\n\
         pending\t           \t      \t             \tFalse    \t                    \twaiting to be reconciled                                   \t\n\
         podinfo\tProgressing\t10    \t1            \tFalse    \t2024-05-01T10:02:00Z\tNew revision detected, starting canary analysis.           \t\n"
    );
    let out = tk(kubeconfig, &["get", "canary", "podinfo", "-n", &ns]);
    assert_eq!(
        stdout(&out),
        "NAME   \tSTATUS     \tWEIGHT\tFAILED CHECKS\tSUSPENDED\tLAST TRANSITION     \tMESSAGE                                          \n\
         podinfo\tProgressing\t10    \t1            \tFalse    \t2024-05-01T10:02:00Z\tNew revision detected, starting canary analysis.\t\n"
    );
    // --status-selector reads Flagger's Promoted condition.
    let out = tk(
        kubeconfig,
        &[
            "get",
            "canaries",
            "--status-selector",
            "promoted=true",
            "--no-header",
            "-n",
            &ns,
        ],
    );
    assert!(
        stdout(&out).starts_with("paused\t"),
        "{}",
        output_text(&out)
    );
    assert_eq!(stdout(&out).lines().count(), 1, "{}", output_text(&out));

    let text = stdout(&tk(kubeconfig, &["get", "canaries", "-A"]));
    assert_all_namespaces_row(&text, &ns, "podinfo");

    let empty = create_namespace(&client, "canary-empty").await;
    let out = tk(kubeconfig, &["get", "canaries", "-n", &empty]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains(&format!(
            "✗ no Canary objects found in \"{empty}\" namespace"
        )),
        "{}",
        output_text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn suspend_and_resume_flip_spec_suspend() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "canary-suspend").await;
    CANARY.create(&client, &ns, "podinfo", spec(), None).await;
    CANARY.create(&client, &ns, "other", spec(), None).await;

    let out = tk(kubeconfig, &["suspend", "canary", "podinfo", "-n", &ns]);
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        format!("► suspending canary podinfo in {ns} namespace\n✔ canary suspended\n")
    );
    assert_eq!(
        get(&client, &ns, "podinfo").await.data["spec"]["suspend"],
        true
    );
    assert!(
        get(&client, &ns, "other").await.data["spec"]
            .get("suspend")
            .is_none()
    );

    // Promote refuses a suspended Canary, which the controller would leave alone.
    let out = tk(kubeconfig, &["promote", "canary", "podinfo", "-n", &ns]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "Canary {ns}/podinfo is suspended: run `tk resume canary podinfo` first"
        )),
        "{}",
        output_text(&out)
    );

    // Resume drops the field (Flagger's `omitempty`) and asks for an analysis run at once;
    // a Canary reports no handled request, so there is no wait.
    let out = tk(kubeconfig, &["resume", "canary", "podinfo", "-n", &ns]);
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        format!("► resuming canary podinfo in {ns} namespace\n✔ canary resumed\n")
    );
    let canary = get(&client, &ns, "podinfo").await;
    assert!(
        canary.data["spec"].get("suspend").is_none(),
        "{:?}",
        canary.data
    );
    assert!(
        canary
            .metadata
            .annotations
            .unwrap()
            .contains_key(REQUESTED_AT),
        "resume requests a reconcile"
    );

    let text = tk_ok(kubeconfig, &["suspend", "canary", "--all", "-n", &ns]);
    assert_eq!(text.matches("✔ canary suspended").count(), 2, "{text}");
    for name in ["podinfo", "other"] {
        assert_eq!(
            get(&client, &ns, name).await.data["spec"]["suspend"],
            true,
            "{name}"
        );
    }
    let text = tk_ok(kubeconfig, &["resume", "canary", "--all", "-n", &ns]);
    assert_eq!(text.matches("✔ canary resumed").count(), 2, "{text}");
    for name in ["podinfo", "other"] {
        assert!(
            get(&client, &ns, name).await.data["spec"]
                .get("suspend")
                .is_none(),
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn promote_approves_the_revision_under_analysis() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "canary-promote").await;
    let mut progressing = status(
        "Progressing",
        "Unknown",
        "New revision detected, starting canary analysis.",
    );
    progressing["lastAppliedSpec"] = json!("abc");
    CANARY
        .create(&client, &ns, "podinfo", spec(), Some(progressing.clone()))
        .await;

    let out = tk(
        kubeconfig,
        &["promote", "canary", "podinfo", "-n", &ns, "--wait=false"],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "► approving canary podinfo promotion of revision abc in {ns} namespace\n\
             ✔ canary promotion approved\n"
        )
    );
    let annotations = get(&client, &ns, "podinfo")
        .await
        .metadata
        .annotations
        .unwrap();
    assert_eq!(annotations[APPROVED], "abc");
    assert!(annotations.contains_key(REQUESTED_AT), "{annotations:?}");

    // With the wait: done once the controller starts promoting the approved revision.
    let mut next = progressing.clone();
    next["lastAppliedSpec"] = json!("def");
    CANARY.set_status(&client, &ns, "podinfo", next).await;
    let mut promoting = status(
        "Promoting",
        "Unknown",
        "Canary analysis completed, starting primary rolling update.",
    );
    promoting["lastAppliedSpec"] = json!("def");
    let sim = answer(
        &client,
        &ns,
        "podinfo",
        |c| {
            c.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(APPROVED))
                .map(String::as_str)
                == Some("def")
        },
        promoting,
    );
    let out = tk_async(format!("promote canary podinfo -n {ns} --timeout 60s")).await;
    sim.abort();
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        format!(
            "► approving canary podinfo promotion of revision def in {ns} namespace\n\
             ✔ canary promotion approved\n\
             ◎ waiting for canary promotion\n\
             ✔ Canary podinfo is Promoting\n"
        )
    );

    // A rollback while waiting fails the promotion with the controller's words.
    let mut waiting = status("WaitingPromotion", "Unknown", "Waiting for approval.");
    waiting["lastAppliedSpec"] = json!("ghi");
    CANARY.set_status(&client, &ns, "podinfo", waiting).await;
    let sim = answer(
        &client,
        &ns,
        "podinfo",
        |c| {
            c.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(APPROVED))
                .map(String::as_str)
                == Some("ghi")
        },
        status(
            "Failed",
            "False",
            "Canary analysis failed, Deployment scaled to zero.",
        ),
    );
    let out = tk_async(format!("promote canary podinfo -n {ns} --timeout 60s")).await;
    sim.abort();
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    assert!(
        stderr(&out).contains(&format!(
            "✗ Canary {ns}/podinfo failed (Canary analysis failed"
        )),
        "{}",
        output_text(&out)
    );

    // Nothing is under analysis in Initialized: refused, the approval left as it was.
    let mut initialized = status(
        "Initialized",
        "True",
        "Deployment initialization completed.",
    );
    initialized["lastAppliedSpec"] = json!("jkl");
    CANARY
        .set_status(&client, &ns, "podinfo", initialized)
        .await;
    let out = tk(kubeconfig, &["promote", "canary", "podinfo", "-n", &ns]);
    assert_eq!(out.status.code(), Some(1), "{}", output_text(&out));
    assert!(
        stderr(&out).contains(&format!(
            "✗ Canary {ns}/podinfo is in phase Initialized: only a rollout waiting for \
             approval (phase Waiting) or a revision under analysis (Progressing, \
             WaitingPromotion) can be promoted"
        )),
        "{}",
        output_text(&out)
    );
    let annotations = get(&client, &ns, "podinfo")
        .await
        .metadata
        .annotations
        .unwrap();
    assert_eq!(annotations[APPROVED], "ghi");

    let out = tk(kubeconfig, &["promote", "canary", "missing", "-n", &ns]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "Canary missing not found in namespace {ns}: check the name and --namespace"
        )),
        "{}",
        output_text(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_canary_needs_silent() {
    let client = client(rig().kubeconfig_path()).await;
    let kubeconfig = rig().kubeconfig_path();
    let (_crds, ns) = setup(&client, "canary-delete").await;
    CANARY.create(&client, &ns, "podinfo", spec(), None).await;

    let out = tk(kubeconfig, &["delete", "canary", "podinfo", "-n", &ns]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!(
            "refusing to delete Canary {ns}/podinfo without confirmation: pass --silent"
        )),
        "{}",
        output_text(&out)
    );
    assert!(
        CANARY
            .api(&client, &ns)
            .get_opt("podinfo")
            .await
            .unwrap()
            .is_some()
    );

    let out = tk(
        kubeconfig,
        &["delete", "canary", "podinfo", "--silent", "-n", &ns],
    );
    assert!(out.status.success(), "{}", output_text(&out));
    assert_eq!(
        stderr(&out),
        format!("► deleting canary podinfo in {ns} namespace\n✔ canary deleted\n")
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while CANARY
        .api(&client, &ns)
        .get_opt("podinfo")
        .await
        .unwrap()
        .is_some()
    {
        assert!(Instant::now() < deadline, "Canary podinfo was not deleted");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
