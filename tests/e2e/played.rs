//! Kinds whose controller a CLI flow plays. No controller runs in those flows: the test writes
//! the status a controller would through the status subresource, so the CLI's waits meet real
//! conditions. What a controller reports differs by kind and stays with each flow; how it
//! notices work and records it as handled is the same for every kind, and lives here.

use std::time::{Duration, Instant};

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::{Value, json};

const REQUESTED_AT: &str = "reconcile.fluxcd.io/requestedAt";

/// The annotations the CLI writes to ask for work, each with the status field a controller
/// records it in once handled. Only HelmReleases get `forceAt` and `resetAt`, so recording
/// them for every kind changes nothing for the others.
const REQUESTS: [(&str, &str); 3] = [
    (REQUESTED_AT, "lastHandledReconcileAt"),
    ("reconcile.fluxcd.io/forceAt", "lastHandledForceAt"),
    ("reconcile.fluxcd.io/resetAt", "lastHandledResetAt"),
];

/// A namespaced kind a flow writes, and the field manager that flow applies it as.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Played {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    pub manager: &'static str,
}

impl Played {
    pub fn resource(self) -> ApiResource {
        ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk(self.group, self.version, self.kind),
            self.plural,
        )
    }

    /// Secrets, applied as this flow: exports carry them alongside the kind.
    pub fn secrets(self) -> Played {
        Played {
            group: "",
            version: "v1",
            kind: "Secret",
            plural: "secrets",
            ..self
        }
    }

    pub fn api(self, client: &kube::Client, ns: &str) -> Api<DynamicObject> {
        Api::namespaced_with(client.clone(), ns, &self.resource())
    }

    /// Server-side applies `object` as written; a status in it is ignored by the apiserver.
    pub async fn apply(self, client: &kube::Client, ns: &str, object: &Value) {
        let name = object["metadata"]["name"].as_str().unwrap();
        self.api(client, ns)
            .patch(
                name,
                &PatchParams::apply(self.manager),
                &Patch::Apply(object),
            )
            .await
            .unwrap();
    }

    /// Creates `name` with `spec` and, when given, `status` (written as its controller would,
    /// since the main resource ignores it).
    pub async fn create(
        self,
        client: &kube::Client,
        ns: &str,
        name: &str,
        spec: Value,
        status: Option<Value>,
    ) {
        let object = json!({
            "apiVersion": self.resource().api_version, "kind": self.kind,
            "metadata": { "name": name, "namespace": ns }, "spec": spec,
        });
        self.apply(client, ns, &object).await;
        if let Some(status) = status {
            self.set_status(client, ns, name, status).await;
        }
    }

    pub async fn set_status(self, client: &kube::Client, ns: &str, name: &str, status: Value) {
        self.api(client, ns)
            .patch_status(
                name,
                &PatchParams::default(),
                &Patch::Merge(&json!({ "status": status })),
            )
            .await
            .unwrap();
    }

    /// Plays the controller of `name` for a minute, or until aborted: each new generation and
    /// each new `requestedAt` is answered with `status(generation)`, every request annotation
    /// present recorded as handled. A suspended object is left alone, as controllers leave
    /// it, so resuming is what gets it answered.
    pub fn play(
        self,
        client: &kube::Client,
        ns: &str,
        name: &str,
        status: impl Fn(i64) -> Value + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let (client, ns, name) = (client.clone(), ns.to_string(), name.to_string());
        tokio::spawn(async move {
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut handled: Option<String> = None;
            let mut reported_generation = None;
            while Instant::now() < deadline {
                if let Ok(Some(object)) = self.api(&client, &ns).get_opt(&name).await {
                    let generation = object.metadata.generation.unwrap();
                    let suspended = object.data["spec"]["suspend"] == true;
                    let annotations = object.metadata.annotations.unwrap_or_default();
                    let requested = annotations.get(REQUESTED_AT).cloned();
                    let new_request = requested.is_some() && requested != handled;
                    if !suspended && (new_request || reported_generation != Some(generation)) {
                        let mut s = status(generation);
                        for (annotation, field) in REQUESTS {
                            if let Some(at) = annotations.get(annotation) {
                                s[field] = json!(at);
                            }
                        }
                        self.set_status(&client, &ns, &name, s).await;
                        handled = requested;
                        reported_generation = Some(generation);
                    }
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    }
}
