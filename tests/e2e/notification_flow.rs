//! The notification controller beside the source controller, as `tk install` deploys them:
//! two processes, events POSTed from one to the other, webhooks turned into reconcile
//! requests through the API server. A Git change becomes a Slack message; a signed GitHub
//! push makes a GitRepository with a one-hour interval fetch at once; refused webhooks (bad
//! signature, wrong token, oversized body, a flood) change nothing.

use std::process::Child;
use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::{Value, json};
use tk::api::source::GitRepository;

use crate::notification_alerts::Capture;
use crate::source_support::{Harness, HarnessOptions, sample_repo};
use crate::support::{controller_command, free_port, hmac_sha256};

const TOKEN: &str = "flow-webhook-token";

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn artifact_revision(repo: &GitRepository) -> Option<String> {
    Some(repo.status.as_ref()?.artifact.as_ref()?.revision.clone())
}

fn requested_at(repo: &GitRepository) -> Option<String> {
    repo.metadata
        .annotations
        .as_ref()?
        .get("reconcile.fluxcd.io/requestedAt")
        .cloned()
}

#[tokio::test(flavor = "multi_thread")]
async fn git_changes_reach_slack_and_signed_pushes_reconcile_at_once() {
    let events_port = free_port();
    let h = Harness::start_with(
        "notify-flow",
        HarnessOptions {
            extra_args: vec![format!("--events-addr=http://127.0.0.1:{events_port}/")],
            ..Default::default()
        },
    )
    .await;
    let receiver_port = free_port();
    let storage = tempfile::tempdir().unwrap();
    let _notification = Killed(
        controller_command("notification", &h.ns, storage.path())
            .arg(format!("--events-listen-addr=127.0.0.1:{events_port}"))
            .arg(format!("--receiver-addr=127.0.0.1:{receiver_port}"))
            .spawn()
            .expect("the notification controller starts"),
    );
    let capture = Capture::start();
    h.create_secret("capture-ca", &[("ca.crt", capture.server.ca_pem())])
        .await;
    h.create_secret("webhook-token", &[("token", TOKEN)]).await;
    let notification = |kind: &str, name: &str, version: &str, spec: Value| {
        json!({
            "apiVersion": format!("notification.toolkit.fluxcd.io/{version}"),
            "kind": kind,
            "metadata": { "name": name, "namespace": h.ns },
            "spec": spec,
        })
    };
    for object in [
        notification(
            "Provider",
            "slack",
            "v1beta3",
            json!({
                "type": "slack",
                "address": capture.server.base_url() + "/services/T0/B0/secret",
                "channel": "#fleet",
                "username": "tk",
                "certSecretRef": { "name": "capture-ca" },
            }),
        ),
        notification(
            "Alert",
            "sources",
            "v1beta3",
            json!({
                "providerRef": { "name": "slack" },
                "eventSources": [{ "kind": "GitRepository", "name": "*" }],
                "summary": "fleet sources",
            }),
        ),
        notification(
            "Receiver",
            "github",
            "v1",
            json!({
                "type": "github",
                "events": ["ping", "push"],
                "secretRef": { "name": "webhook-token" },
                "resources": [{ "kind": "GitRepository", "name": "fleet" }],
            }),
        ),
    ] {
        apply(&h.client, &object).await;
    }

    // The first artifact: a Slack message in the webhook's shape.
    let (repo, first) = sample_repo(&h.servers, "fleet");
    h.apply_repo(
        "fleet",
        json!({ "url": h.servers.http().url("fleet"), "interval": "1h", "ref": { "branch": "main" } }),
    )
    .await;
    let first_revision = format!("main@sha1:{first}");
    h.wait_ready("fleet", &first_revision).await;
    let message = slack_message(&capture, &first_revision).await;
    assert_eq!(message["channel"], "#fleet");
    assert_eq!(message["username"], "tk");
    let attachment = &message["attachments"][0];
    assert_eq!(attachment["color"], "good");
    assert_eq!(
        attachment["author_name"],
        format!("gitrepository/fleet.{}", h.ns)
    );
    assert_eq!(attachment["mrkdwn_in"], json!(["text"]));
    let text = attachment["text"].as_str().unwrap();
    assert!(text.contains("stored artifact for commit"), "{text}");
    let fields = attachment["fields"].as_array().unwrap();
    assert!(
        fields.contains(&json!({ "title": "summary", "value": "fleet sources", "short": false })),
        "{fields:?}"
    );

    // The Receiver's path, once it is Ready.
    let path = wait_webhook_path(&h.client, &h.ns).await;
    let url = format!("http://127.0.0.1:{receiver_port}{path}");
    let http = reqwest::Client::new();
    let post = |headers: Vec<(&'static str, String)>, body: Vec<u8>| {
        let mut request = http.post(&url).body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };

    // A new commit, announced by a signed push: the artifact follows at once, not in an hour.
    let second = repo
        .commit(
            "Scale the app",
            &[(
                "deploy/app.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  replicas: \"3\"\n",
            )],
        )
        .unwrap();
    repo.push().unwrap();
    let push = format!(r#"{{"ref":"refs/heads/main","after":"{second}"}}"#).into_bytes();
    let signed = |body: &[u8]| format!("sha256={}", hmac_sha256(TOKEN, body));
    let sent = Instant::now();
    let code = post(
        vec![
            ("X-GitHub-Event", "push".into()),
            ("X-Hub-Signature-256", signed(&push)),
            ("Content-Type", "application/json".into()),
        ],
        push.clone(),
    )
    .await;
    assert_eq!(code, 200, "a signed push");
    let second_revision = format!("main@sha1:{second}");
    let fetched = h.wait_ready("fleet", &second_revision).await;
    eprintln!("webhook to new artifact: {} ms", sent.elapsed().as_millis());
    slack_message(&capture, &second_revision).await;

    // Refused requests leave the repository as it is.
    let before = (
        requested_at(&fetched),
        artifact_revision(&fetched),
        fetched
            .status
            .as_ref()
            .unwrap()
            .last_handled_reconcile_at
            .clone(),
    );
    let forged = format!("sha256={}", hmac_sha256("not-the-token", &push));
    let refused = [
        (
            "a signature made with another secret",
            vec![
                ("X-GitHub-Event", "push".into()),
                ("X-Hub-Signature-256", forged.clone()),
            ],
            push.clone(),
            401,
        ),
        (
            "no signature",
            vec![("X-GitHub-Event", "push".into())],
            push.clone(),
            401,
        ),
        (
            "an event the Receiver does not take",
            vec![
                ("X-GitHub-Event", "issues".into()),
                ("X-Hub-Signature-256", signed(&push)),
            ],
            push.clone(),
            400,
        ),
        (
            "a body over 3 MiB",
            vec![
                ("X-GitHub-Event", "push".into()),
                ("X-Hub-Signature-256", signed(&push)),
            ],
            vec![b' '; 3 * 1024 * 1024 + 1],
            413,
        ),
    ];
    for (what, headers, body, expected) in refused {
        assert_eq!(post(headers, body).await, expected, "{what}");
    }
    let wrong_path = format!("http://127.0.0.1:{receiver_port}/hook/{}", "f".repeat(64));
    assert_eq!(
        http.post(&wrong_path)
            .body(push.clone())
            .send()
            .await
            .unwrap()
            .status(),
        404,
        "a path of no Receiver (a wrong token gives another path)"
    );
    // A flood of forged pushes: each refused, the server still answers a valid one after.
    let flood = join_all((0..200).map(|_| {
        post(
            vec![
                ("X-GitHub-Event", "push".into()),
                ("X-Hub-Signature-256", forged.clone()),
            ],
            push.clone(),
        )
    }))
    .await;
    assert!(flood.iter().all(|code| *code == 401), "{flood:?}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = h.repos().get("fleet").await.unwrap();
    assert_eq!(
        (
            requested_at(&after),
            artifact_revision(&after),
            after
                .status
                .as_ref()
                .unwrap()
                .last_handled_reconcile_at
                .clone(),
        ),
        before,
        "a refused request changed the GitRepository"
    );
    assert_eq!(
        post(
            vec![
                ("X-GitHub-Event", "push".into()),
                ("X-Hub-Signature-256", signed(&push))
            ],
            push.clone(),
        )
        .await,
        200,
        "a valid push after the flood"
    );
}

async fn apply(client: &kube::Client, object: &Value) {
    use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
    let (group, version) = object["apiVersion"]
        .as_str()
        .unwrap()
        .split_once('/')
        .unwrap();
    let kind = object["kind"].as_str().unwrap();
    let gvk = GroupVersionKind::gvk(group, version, kind);
    let api: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        object["metadata"]["namespace"].as_str().unwrap(),
        &ApiResource::from_gvk_with_plural(&gvk, &format!("{}s", kind.to_lowercase())),
    );
    api.patch(
        object["metadata"]["name"].as_str().unwrap(),
        &PatchParams::apply("tk-e2e").force(),
        &Patch::Apply(object),
    )
    .await
    .unwrap_or_else(|e| panic!("applying {kind}: {e}"));
}

/// The Slack message about `revision`.
async fn slack_message(capture: &Capture, revision: &str) -> Value {
    capture
        .wait(
            "/services/T0/B0/secret",
            &format!("a message about {revision}"),
            |body| {
                body["attachments"][0]["fields"]
                    .as_array()
                    .is_some_and(|fields| {
                        fields
                            .iter()
                            .any(|f| f["title"] == "revision" && f["value"] == revision)
                    })
            },
        )
        .await
        .json()
        .unwrap()
}

async fn wait_webhook_path(client: &kube::Client, ns: &str) -> String {
    let receivers: kube::Api<tk::api::notification::Receiver> =
        kube::Api::namespaced(client.clone(), ns);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let receiver = receivers.get("github").await.unwrap();
        if let Some(path) = receiver
            .status
            .as_ref()
            .and_then(|s| s.webhook_path.clone())
        {
            return path;
        }
        assert!(
            Instant::now() < deadline,
            "the Receiver has no webhook path: {:?}",
            receiver.status
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
