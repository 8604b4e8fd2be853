//! The notification CLI against the rig: `create`, `get`, `export`, `suspend`, `resume`,
//! `reconcile` and `delete` for alert-providers and alerts (no controller: v1beta3 Alerts
//! and Providers have no status, flux treats them as ready once they exist), and `create
//! receiver` against a running `tk controller notification`, which must publish the webhook
//! path the CLI prints. Exports are compared with flux's export goldens.

use std::path::Path;
use std::process::Child;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::{Value, json};
use sha2::Digest;

use crate::support::{
    assert_lines, client, controller_command, create_namespace, flux_testdata, rig, tk, tk_ok,
    with_crds,
};

fn golden(path: &str, ns: &str) -> String {
    flux_testdata(path).replace("{{ .fluxns }}", ns)
}

fn resource(version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("notification.toolkit.fluxcd.io", version, kind),
        plural,
    )
}

fn alerts(client: &kube::Client, ns: &str) -> Api<DynamicObject> {
    Api::namespaced_with(client.clone(), ns, &resource("v1beta3", "Alert", "alerts"))
}

fn providers(client: &kube::Client, ns: &str) -> Api<DynamicObject> {
    Api::namespaced_with(
        client.clone(),
        ns,
        &resource("v1beta3", "Provider", "providers"),
    )
}

/// Applies a flux golden (the objects flux's export test creates) as the cluster's state.
async fn apply_golden(api: &Api<DynamicObject>, text: &str) {
    let object: Value = serde_saphyr::from_str(text).unwrap();
    let name = object["metadata"]["name"].as_str().unwrap();
    api.patch(
        name,
        &PatchParams::apply("tk-e2e-notification").force(),
        &Patch::Apply(&object),
    )
    .await
    .unwrap();
}

fn stdout(kubeconfig: &Path, args: &[&str]) -> String {
    let out = tk(kubeconfig, args);
    assert!(
        out.status.success(),
        "tk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `args` in namespace `ns`.
fn with_ns<'a>(ns: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    [args, &["-n", ns][..]].concat()
}

#[tokio::test]
async fn alert_provider_and_alert_lifecycle() {
    let kubeconfig = rig().kubeconfig_path();
    let client = client(kubeconfig).await;
    let _crds = with_crds(&client).await;
    let ns = create_namespace(&client, "tk-notify-cli").await;

    // create: flux's lines; static kinds are ready once applied.
    let out = tk_ok(
        kubeconfig,
        &with_ns(
            &ns,
            &[
                "create",
                "alert-provider",
                "slack",
                "--type=slack",
                "--channel=alerts",
                "--address=https://hooks.slack.com/services/mock",
                "--secret-ref=slack-url",
            ],
        ),
    );
    assert_lines(
        &out,
        &[
            "✚ generating Provider",
            "► applying Provider",
            "✔ Provider created",
            "◎ waiting for Provider reconciliation",
            "✔ Provider slack is ready",
        ],
    );
    let provider = providers(&client, &ns).get("slack").await.unwrap();
    assert_eq!(
        provider.data["spec"],
        json!({ "type": "slack", "channel": "alerts",
                "address": "https://hooks.slack.com/services/mock",
                "secretRef": { "name": "slack-url" } })
    );
    let out = tk_ok(
        kubeconfig,
        &with_ns(
            &ns,
            &[
                "create",
                "alert",
                "flux-system",
                "--event-severity=info",
                "--event-source=GitRepository/*,Kustomization/*",
                "--provider-ref=slack",
                "--label=team=ops",
            ],
        ),
    );
    assert_lines(
        &out,
        &[
            "✚ generating Alert",
            "✔ Alert created",
            "✔ Alert flux-system is ready",
        ],
    );
    // Applying again updates in place.
    let out = tk_ok(
        kubeconfig,
        &with_ns(
            &ns,
            &[
                "create",
                "alert",
                "flux-system",
                "--event-severity=error",
                "--event-source=Kustomization/*",
                "--provider-ref=slack",
            ],
        ),
    );
    assert_lines(&out, &["✔ Alert updated", "✔ Alert flux-system is ready"]);
    let alert = alerts(&client, &ns).get("flux-system").await.unwrap();
    assert_eq!(alert.data["spec"]["eventSeverity"], "error");
    assert_eq!(
        alert.data["spec"]["eventSources"],
        json!([{ "kind": "Kustomization", "name": "*" }])
    );

    // get: flux's tables for the static kinds.
    assert_eq!(
        stdout(kubeconfig, &with_ns(&ns, &["get", "alert-providers"])),
        "NAME \tREADY\tMESSAGE           \nslack\tTrue \tProvider is Ready\t\n"
    );
    assert_eq!(
        stdout(kubeconfig, &with_ns(&ns, &["get", "alerts"])),
        "NAME       \tSUSPENDED\tREADY\tMESSAGE        \nflux-system\tFalse    \tTrue \tAlert is Ready\t\n"
    );
    let all_namespaces = stdout(kubeconfig, &["get", "alerts", "-A", "--no-header"]);
    assert!(
        all_namespaces
            .lines()
            .any(|l| l.starts_with(&format!("{ns}\t")) && l.contains("flux-system")),
        "{all_namespaces}"
    );
    // flux's static kinds match no status selector.
    assert!(
        !stdout(
            kubeconfig,
            &with_ns(&ns, &["get", "alerts", "--status-selector", "ready=true"])
        )
        .contains("flux-system\t")
    );

    // suspend / resume: flux's human kinds; resume of a static kind needs no controller.
    let out = tk_ok(
        kubeconfig,
        &with_ns(&ns, &["suspend", "alert", "flux-system"]),
    );
    assert_lines(
        &out,
        &[
            &format!("► suspending alert flux-system in {ns} namespace"),
            "✔ alert suspended",
        ],
    );
    assert!(
        stdout(kubeconfig, &with_ns(&ns, &["get", "alerts", "--no-header"]))
            .starts_with("flux-system\tTrue\tTrue\tAlert is Ready\t"),
    );
    let out = tk_ok(
        kubeconfig,
        &with_ns(&ns, &["resume", "alert", "flux-system", "--timeout=20s"]),
    );
    assert_lines(
        &out,
        &[
            &format!("► resuming alert flux-system in {ns} namespace"),
            "✔ alert resumed",
            "✔ Alert flux-system reconciliation completed",
        ],
    );
    let alert = alerts(&client, &ns).get("flux-system").await.unwrap();
    assert!(alert.data["spec"].get("suspend").is_none(), "{alert:?}");
    let out = tk_ok(
        kubeconfig,
        &with_ns(&ns, &["suspend", "alert-provider", "slack"]),
    );
    assert_lines(&out, &["✔ alert provider suspended"]);
    let provider = providers(&client, &ns).get("slack").await.unwrap();
    assert_eq!(provider.data["spec"]["suspend"], true);
    let out = tk_ok(
        kubeconfig,
        &with_ns(&ns, &["resume", "alert-provider", "slack", "--timeout=20s"]),
    );
    assert_lines(&out, &["✔ alert provider resumed"]);
    let out = tk_ok(
        kubeconfig,
        &with_ns(
            &ns,
            &["reconcile", "alert-provider", "slack", "--timeout=20s"],
        ),
    );
    assert_lines(
        &out,
        &[
            &format!("► annotating Provider slack in {ns} namespace"),
            "✔ Provider annotated",
            "✔ Provider reconciliation completed",
        ],
    );

    // get all: flux's `get all` lists Receivers, Providers and Alerts after the others.
    let all = stdout(kubeconfig, &with_ns(&ns, &["get", "all"]));
    let provider_at = all.find("provider/slack\tTrue \tProvider is Ready\t");
    let alert_at = all.find("alert/flux-system\tFalse    \tTrue \tAlert is Ready\t");
    assert!(
        provider_at.is_some() && alert_at.is_some() && provider_at < alert_at,
        "{all}"
    );

    // export: flux's goldens round-trip (objects applied as flux's export test creates them,
    // in a namespace of their own), and `--all` exports the same.
    let golden_ns = create_namespace(&client, "tk-notify-export").await;
    apply_golden(
        &providers(&client, &golden_ns),
        &golden("export/provider.yaml", &golden_ns),
    )
    .await;
    apply_golden(
        &alerts(&client, &golden_ns),
        &golden("export/alert.yaml", &golden_ns),
    )
    .await;
    assert_eq!(
        stdout(
            kubeconfig,
            &with_ns(&golden_ns, &["export", "alert-provider", "slack"])
        ),
        golden("export/provider.yaml", &golden_ns)
    );
    assert_eq!(
        stdout(
            kubeconfig,
            &with_ns(&golden_ns, &["export", "alert", "flux-system"])
        ),
        golden("export/alert.yaml", &golden_ns)
    );
    assert_eq!(
        stdout(
            kubeconfig,
            &with_ns(&golden_ns, &["export", "alert", "--all"])
        ),
        golden("export/alert.yaml", &golden_ns)
    );
    // The CLI-made Alert exports the reconcile annotation (flux keeps annotations too); its
    // label is gone, as the second `create alert` set none: flux replaces labels the same way.
    let exported = stdout(
        kubeconfig,
        &with_ns(&ns, &["export", "alert", "flux-system"]),
    );
    assert!(
        exported.starts_with(
            "---\napiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Alert\nmetadata:\n"
        ) && !exported.contains("labels:")
            && exported.contains("  annotations:\n    reconcile.fluxcd.io/requestedAt: ")
            && exported.ends_with(
                "spec:\n  eventSeverity: error\n  eventSources:\n  - kind: Kustomization\n    \
                 name: '*'\n  providerRef:\n    name: slack\n"
            ),
        "{exported}"
    );

    // delete: asks first without a terminal, deletes with --silent.
    let refused = tk(
        kubeconfig,
        &with_ns(&ns, &["delete", "alert", "flux-system"]),
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--silent"));
    let out = tk_ok(
        kubeconfig,
        &with_ns(&ns, &["delete", "alert", "flux-system", "--silent"]),
    );
    assert_lines(
        &out,
        &[
            &format!("► deleting alert flux-system in {ns} namespace"),
            "✔ alert deleted",
        ],
    );
    let out = tk_ok(
        kubeconfig,
        &with_ns(&ns, &["delete", "alert-provider", "slack", "--silent"]),
    );
    assert_lines(&out, &["✔ alert provider deleted"]);
    assert!(
        alerts(&client, &ns)
            .get_opt("flux-system")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        providers(&client, &ns)
            .get_opt("slack")
            .await
            .unwrap()
            .is_none()
    );
    let out = tk_ok(kubeconfig, &with_ns(&ns, &["get", "alerts"]));
    assert!(
        out.contains(&format!("✗ no Alert objects found in {ns:?} namespace")),
        "{out}"
    );
}

/// Kills the controller when the test ends, passed or not.
struct Controller(Child);

impl Drop for Controller {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn webhook_path(token: &str, name: &str, ns: &str) -> String {
    let digest = sha2::Sha256::digest(format!("{token}{name}{ns}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("/hook/{hex}")
}

#[tokio::test]
async fn create_receiver_prints_the_webhook_path() {
    let kubeconfig = rig().kubeconfig_path();
    let client = client(kubeconfig).await;
    let _crds = with_crds(&client).await;
    let ns = create_namespace(&client, "tk-receiver-cli").await;
    let storage = tempfile::tempdir().unwrap();
    let _controller = Controller(
        controller_command("notification", &ns, storage.path())
            .args(["--receiver-addr", "127.0.0.1:0"])
            .spawn()
            .expect("the controller starts"),
    );
    let secret: Secret = serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": { "name": "webhook-token" },
        "stringData": { "token": "s3cr3t" },
    }))
    .unwrap();
    Api::<Secret>::namespaced(client.clone(), &ns)
        .create(&Default::default(), &secret)
        .await
        .unwrap();

    let path = webhook_path("s3cr3t", "github-receiver", &ns);
    let out = tk_ok(
        kubeconfig,
        &with_ns(
            &ns,
            &[
                "create",
                "receiver",
                "github-receiver",
                "--type=github",
                "--event=ping,push",
                "--secret-ref=webhook-token",
                "--resource=GitRepository/webapp",
                "--resource=HelmRepository/charts.shared",
                "--timeout=2m",
            ],
        ),
    );
    assert_lines(
        &out,
        &[
            "✚ generating Receiver",
            "► applying Receiver",
            "✔ Receiver created",
            "◎ waiting for Receiver reconciliation",
            "✔ Receiver github-receiver is ready",
            &format!("✔ generated webhook URL {path}"),
        ],
    );

    // get: flux's Receiver table, the message whole (flux shortens hex only for sources).
    let message = format!("Receiver initialized for path: {path}");
    assert_eq!(
        stdout(kubeconfig, &with_ns(&ns, &["get", "receivers"])),
        format!(
            "NAME           \tSUSPENDED\tREADY\tMESSAGE{pad}\ngithub-receiver\tFalse    \tTrue \t{message}\t\n",
            pad = " ".repeat(message.len() - "MESSAGE".len() + 1)
        )
    );
    let all = stdout(kubeconfig, &with_ns(&ns, &["get", "all", "--no-header"]));
    assert!(
        all.contains(&format!(
            "receiver/github-receiver\tFalse\tTrue\t{message}\t"
        )),
        "{all}"
    );

    // export: what was created, plus the API server's default interval, as flux exports it.
    assert_eq!(
        stdout(
            kubeconfig,
            &with_ns(&ns, &["export", "receiver", "github-receiver"])
        ),
        format!(
            "---\napiVersion: notification.toolkit.fluxcd.io/v1\nkind: Receiver\nmetadata:\n  \
             name: github-receiver\n  namespace: {ns}\nspec:\n  events:\n  - ping\n  - push\n  \
             interval: 10m0s\n  resources:\n  - kind: GitRepository\n    name: webapp\n  - kind: \
             HelmRepository\n    name: charts\n    namespace: shared\n  secretRef:\n    name: \
             webhook-token\n  type: github\n"
        )
    );
    // reconcile: the controller handles the request.
    let out = tk_ok(
        kubeconfig,
        &with_ns(
            &ns,
            &["reconcile", "receiver", "github-receiver", "--timeout=1m"],
        ),
    );
    assert_lines(
        &out,
        &[
            "✔ Receiver annotated",
            "◎ waiting for Receiver reconciliation",
            "✔ Receiver reconciliation completed",
        ],
    );

    // suspend / resume.
    let out = tk_ok(
        kubeconfig,
        &with_ns(&ns, &["suspend", "receiver", "github-receiver"]),
    );
    assert_lines(&out, &["✔ receiver suspended"]);
    assert!(
        stdout(
            kubeconfig,
            &with_ns(&ns, &["get", "receiver", "--no-header"])
        )
        .starts_with("github-receiver\tTrue\tTrue\t")
    );
    let out = tk_ok(
        kubeconfig,
        &with_ns(
            &ns,
            &["resume", "receiver", "github-receiver", "--timeout=1m"],
        ),
    );
    assert_lines(
        &out,
        &[
            "✔ receiver resumed",
            "✔ Receiver github-receiver reconciliation completed",
        ],
    );

    // flux's export golden round-trips.
    let receivers = Api::namespaced_with(
        client.clone(),
        &ns,
        &resource("v1", "Receiver", "receivers"),
    );
    apply_golden(&receivers, &golden("export/receiver.yaml", &ns)).await;
    assert_eq!(
        stdout(
            kubeconfig,
            &with_ns(&ns, &["export", "receiver", "flux-system"])
        ),
        golden("export/receiver.yaml", &ns)
    );

    let out = tk_ok(
        kubeconfig,
        &with_ns(&ns, &["delete", "receiver", "github-receiver", "--silent"]),
    );
    assert_lines(&out, &["✔ receiver deleted"]);
    // The controller's finalizer goes first: the delete completes shortly after.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while receivers
        .get_opt("github-receiver")
        .await
        .unwrap()
        .is_some()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the Receiver was not deleted in 30s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
