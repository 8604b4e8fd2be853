//! Flux objects as the CLI sees them: the source kinds, Kustomizations and HelmReleases, their status
//! (Ready, revision, suspend), reconcile requests and the waits `create`, `reconcile` and
//! `resume` share.
//!
//! Objects are handled as `DynamicObject`s so one code path serves every kind, and so an
//! object written by a newer Flux with fields tk does not know still reads.

use std::time::Instant;

use anyhow::{Result, bail};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::{Value, json};

use super::cluster_call;
use crate::api::meta::{RECONCILE_REQUEST_ANNOTATION, condition_type};

/// A Flux kind the CLI manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    /// The words after the verb in tk's commands (`tk resume <command> NAME`).
    pub command: &'static str,
    /// The noun suspend, resume and delete print: flux's `humanKind` ("kustomization",
    /// "source oci"); GitRepository, HelmRepository and HelmChart keep the kind name tk's
    /// commands for them have always printed.
    pub human: &'static str,
    /// The controller that reconciles the kind, named in timeout hints.
    pub controller: &'static str,
    /// Where the status keeps the revision `get` prints and waits report.
    pub revision: RevisionField,
    /// The columns `get` prints for the kind (flux's per-kind table).
    pub table: Table,
    /// The kind has no status (notification v1beta3 Alerts and Providers): flux treats such
    /// an object as ready as soon as it exists.
    pub static_status: bool,
}

/// The columns of a kind's `get` table, as flux lays them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// NAME, REVISION, SUSPENDED, READY, MESSAGE: sources and appliers.
    Revision,
    /// NAME, SUSPENDED, READY, MESSAGE: Alerts and Receivers.
    Suspended,
    /// NAME, READY, MESSAGE: Providers.
    Ready,
    /// NAME, STATUS, WEIGHT, FAILED CHECKS, SUSPENDED, LAST TRANSITION, MESSAGE: Canaries,
    /// which report a phase and Flagger's `Promoted` condition instead of Ready.
    Canary,
}

/// Which status field holds a kind's revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionField {
    /// `status.artifact.revision`: what a source fetched.
    Artifact,
    /// `status.lastAppliedRevision`: what an applier applied.
    LastApplied,
    /// `status.history[0].chartVersion`, else `status.lastAttemptedRevision`: the chart
    /// version a HelmRelease last released (flux's `getHelmReleaseRevision`).
    History,
    /// The kind reports no revision (the notification kinds).
    None,
}

const SOURCE_GROUP: &str = "source.toolkit.fluxcd.io";

const fn source(kind: &'static str, plural: &'static str, command: &'static str) -> Kind {
    Kind {
        group: SOURCE_GROUP,
        version: "v1",
        kind,
        plural,
        command,
        human: kind,
        controller: "source-controller",
        revision: RevisionField::Artifact,
        table: Table::Revision,
        static_status: false,
    }
}

pub const GIT_REPOSITORY: Kind = source("GitRepository", "gitrepositories", "source git");
pub const HELM_REPOSITORY: Kind = source("HelmRepository", "helmrepositories", "source helm");
pub const HELM_CHART: Kind = source("HelmChart", "helmcharts", "source chart");
/// Its commands came to tk after the other sources', with no earlier output to keep: they
/// print flux's `humanKind`, as flux's OCI goldens have it.
pub const OCI_REPOSITORY: Kind = Kind {
    human: "source oci",
    ..source("OCIRepository", "ocirepositories", "source oci")
};
/// Like [`OCI_REPOSITORY`], a late arrival that prints flux's `humanKind`.
pub const BUCKET: Kind = Kind {
    human: "source bucket",
    ..source("Bucket", "buckets", "source bucket")
};

/// Every source kind, in the order `get sources all` prints them (Flux's order).
pub const SOURCE_KINDS: [Kind; 5] = [
    GIT_REPOSITORY,
    HELM_REPOSITORY,
    HELM_CHART,
    BUCKET,
    OCI_REPOSITORY,
];

pub const KUSTOMIZATION: Kind = Kind {
    group: crate::api::kustomize::GROUP,
    version: "v1",
    kind: "Kustomization",
    plural: "kustomizations",
    command: "kustomization",
    human: "kustomization",
    controller: "kustomize-controller",
    revision: RevisionField::LastApplied,
    table: Table::Revision,
    static_status: false,
};

/// `helm.toolkit.fluxcd.io/v2` HelmRelease: `tk ... helmrelease`.
pub const HELM_RELEASE: Kind = Kind {
    group: crate::api::helm::GROUP,
    version: "v2",
    kind: "HelmRelease",
    plural: "helmreleases",
    command: "helmrelease",
    human: "helmrelease",
    controller: "helm-controller",
    revision: RevisionField::History,
    table: Table::Revision,
    static_status: false,
};

/// The kinds a HelmRelease's `--source` names for its chart template, as flux lists them.
pub const HELM_CHART_SOURCE_KINDS: [&str; 3] = ["HelmRepository", "GitRepository", "Bucket"];

/// The kinds a HelmRelease's `--chart-ref` names, as flux lists them.
pub const HELM_CHART_REF_KINDS: [&str; 2] = ["OCIRepository", "HelmChart"];

const NOTIFICATION_CONTROLLER: &str = "notification-controller";

/// `notification.toolkit.fluxcd.io/v1beta3` Provider: `tk ... alert-provider`.
pub const PROVIDER: Kind = Kind {
    group: crate::api::notification::GROUP,
    version: "v1beta3",
    kind: "Provider",
    plural: "providers",
    command: "alert-provider",
    human: "alert provider",
    controller: NOTIFICATION_CONTROLLER,
    revision: RevisionField::None,
    table: Table::Ready,
    static_status: true,
};

/// `notification.toolkit.fluxcd.io/v1beta3` Alert: `tk ... alert`.
pub const ALERT: Kind = Kind {
    group: crate::api::notification::GROUP,
    version: "v1beta3",
    kind: "Alert",
    plural: "alerts",
    command: "alert",
    human: "alert",
    controller: NOTIFICATION_CONTROLLER,
    revision: RevisionField::None,
    table: Table::Suspended,
    static_status: true,
};

/// `notification.toolkit.fluxcd.io/v1` Receiver: `tk ... receiver`.
pub const RECEIVER: Kind = Kind {
    group: crate::api::notification::GROUP,
    version: "v1",
    kind: "Receiver",
    plural: "receivers",
    command: "receiver",
    human: "receiver",
    controller: NOTIFICATION_CONTROLLER,
    revision: RevisionField::None,
    table: Table::Suspended,
    static_status: false,
};

/// `flagger.app/v1beta1` Canary: `tk ... canary`. Its status has no Ready condition,
/// `observedGeneration` or `lastHandledReconcileAt`: waits on it follow its phase
/// (`cli::canary`).
pub const CANARY: Kind = Kind {
    group: "flagger.app",
    version: "v1beta1",
    kind: "Canary",
    plural: "canaries",
    command: "canary",
    human: "canary",
    controller: "canary-controller",
    revision: RevisionField::None,
    table: Table::Canary,
    static_status: false,
};

/// The notification kinds in the order flux's `get all` prints them.
pub const NOTIFICATION_KINDS: [Kind; 3] = [RECEIVER, PROVIDER, ALERT];

/// The source kinds a Kustomization can build from, as `--source` spells them (flux's order).
pub const KUSTOMIZATION_SOURCE_KINDS: [&str; 3] = ["OCIRepository", "GitRepository", "Bucket"];

/// The source kind named `kind` (as written in a `sourceRef`).
pub fn source_kind(kind: &str) -> Option<Kind> {
    SOURCE_KINDS.into_iter().find(|k| k.kind == kind)
}

impl Kind {
    pub fn resource(&self) -> ApiResource {
        ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk(self.group, self.version, self.kind),
            self.plural,
        )
    }

    pub fn api_version(&self) -> String {
        format!("{}/{}", self.group, self.version)
    }

    pub fn is_source(&self) -> bool {
        self.group == SOURCE_GROUP
    }

    /// The noun `delete` prints: `human`, except that the source kinds printed by their kind
    /// name say just "source", as tk's delete has always said for them.
    pub fn delete_noun(&self) -> &'static str {
        if self.is_source() && self.human == self.kind {
            "source"
        } else {
            self.human
        }
    }

    /// Whether no controller reports on `object`, so flux's static readiness applies (ready
    /// once it exists): the status-less kinds, and HelmRepositories of type `oci`, which
    /// source-controller leaves without artifact or conditions (the HelmChart pulls the chart).
    pub fn is_static(&self, object: &DynamicObject) -> bool {
        self.static_status || is_oci_helm_repository(*self, object)
    }

    /// The READY and MESSAGE cells `get` prints for a static object, as flux words them.
    pub fn static_ready_message(&self) -> String {
        if *self == HELM_REPOSITORY {
            "Helm repository is Ready".to_string()
        } else {
            format!("{} is Ready", self.kind)
        }
    }

    /// The revision `get` prints and waits report, from the field the kind keeps it in.
    pub fn revision<'a>(&self, object: &'a DynamicObject) -> Option<&'a str> {
        let status = status(object);
        match self.revision {
            RevisionField::Artifact => status["artifact"]["revision"].as_str(),
            RevisionField::LastApplied => status["lastAppliedRevision"].as_str(),
            RevisionField::History => status["history"][0]["chartVersion"]
                .as_str()
                .or_else(|| status["lastAttemptedRevision"].as_str()),
            RevisionField::None => None,
        }
        .filter(|r| !r.is_empty())
    }

    /// What a finished reconcile reports, as flux words it.
    pub fn revision_message(&self, revision: &str) -> String {
        match self.revision {
            RevisionField::Artifact => format!("fetched revision {revision}"),
            RevisionField::LastApplied | RevisionField::History | RevisionField::None => {
                format!("applied revision {revision}")
            }
        }
    }

    /// The API in one namespace, or across all of them with `None`.
    pub fn api(&self, client: &kube::Client, namespace: Option<&str>) -> Api<DynamicObject> {
        match namespace {
            Some(ns) => Api::namespaced_with(client.clone(), ns, &self.resource()),
            None => Api::all_with(client.clone(), &self.resource()),
        }
    }

    /// Reads one object; a missing one is an error that says where tk looked.
    pub async fn get(
        &self,
        client: &kube::Client,
        namespace: &str,
        name: &str,
    ) -> Result<DynamicObject> {
        let api = self.api(client, Some(namespace));
        match cluster_call(
            api.get_opt(name),
            &format!("reading {} {namespace}/{name}", self.kind),
        )
        .await?
        {
            Some(object) => Ok(object),
            None => bail!(
                "{} {name} not found in namespace {namespace}: check the name and --namespace",
                self.kind
            ),
        }
    }

    /// Every object in `namespace`.
    pub async fn list(&self, client: &kube::Client, namespace: &str) -> Result<Vec<DynamicObject>> {
        let api = self.api(client, Some(namespace));
        let list = cluster_call(
            api.list(&Default::default()),
            &format!("listing {} objects in namespace {namespace}", self.kind),
        )
        .await?;
        let mut items = list.items;
        items.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        Ok(items)
    }

    /// Merge-patches one object.
    pub async fn patch(
        &self,
        client: &kube::Client,
        namespace: &str,
        name: &str,
        patch: &Value,
    ) -> Result<DynamicObject> {
        let api = self.api(client, Some(namespace));
        cluster_call(
            api.patch(name, &PatchParams::default(), &Patch::Merge(patch)),
            &format!("patching {} {namespace}/{name}", self.kind),
        )
        .await
    }
}

/// A HelmRepository of type `oci`: flux's CLI neither waits for nor requests a reconcile of
/// one (source-controller does not reconcile them).
pub fn is_oci_helm_repository(kind: Kind, object: &DynamicObject) -> bool {
    kind == HELM_REPOSITORY && object.data["spec"]["type"].as_str() == Some("oci")
}

fn status(object: &DynamicObject) -> &Value {
    &object.data["status"]
}

/// The Ready condition's status and message, Flux's way: an object without one is `False`,
/// "waiting to be reconciled".
pub fn ready_status(object: &DynamicObject) -> (String, String) {
    match condition(object, condition_type::READY) {
        Some(c) => (
            c["status"].as_str().unwrap_or("Unknown").to_string(),
            c["message"].as_str().unwrap_or_default().to_string(),
        ),
        None => ("False".to_string(), "waiting to be reconciled".to_string()),
    }
}

/// The condition of `type_`, compared case-insensitively as `--status-selector` does.
pub fn condition<'a>(object: &'a DynamicObject, type_: &str) -> Option<&'a Value> {
    status(object)["conditions"]
        .as_array()?
        .iter()
        .rev()
        .find(|c| {
            c["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(type_))
        })
}

pub fn suspended(object: &DynamicObject) -> bool {
    object.data["spec"]["suspend"].as_bool().unwrap_or(false)
}

fn last_handled_reconcile_at(object: &DynamicObject) -> Option<&str> {
    status(object)["lastHandledReconcileAt"].as_str()
}

/// What a wait sees when it reads the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// The controller has not reported on the current generation (or request) yet.
    Pending,
    Ready,
    Failed(String),
}

/// Flux's readiness rule: the status must describe the current generation, then Ready=True
/// is done, Ready=False is a failure with the condition's message, anything else waits.
/// With `request`, the controller must also have handled that reconcile request.
pub fn readiness(object: &DynamicObject, request: Option<&str>) -> Readiness {
    if let Some(request) = request
        && last_handled_reconcile_at(object) != Some(request)
    {
        return Readiness::Pending;
    }
    let observed = status(object)["observedGeneration"].as_i64();
    if observed != object.metadata.generation {
        return Readiness::Pending;
    }
    match condition(object, condition_type::READY).and_then(|c| c["status"].as_str()) {
        Some("True") => Readiness::Ready,
        Some("False") => {
            let message = condition(object, condition_type::READY)
                .and_then(|c| c["message"].as_str())
                .unwrap_or_default();
            Readiness::Failed(message.to_string())
        }
        _ => Readiness::Pending,
    }
}

/// Polls until the object is ready for the current generation (and `request`, when given),
/// failing with the Ready message when the controller reports Ready=False. An object of a
/// kind without status is ready once it exists, as flux's static readiness check has it.
pub async fn wait_ready(
    client: &kube::Client,
    kind: Kind,
    namespace: &str,
    name: &str,
    request: Option<&str>,
    deadline: Instant,
) -> Result<DynamicObject> {
    loop {
        let object = kind.get(client, namespace, name).await?;
        if kind.is_static(&object) {
            return Ok(object);
        }
        if suspended(&object) {
            bail!(
                "{} {namespace}/{name} is suspended: run `tk resume {} {name}` to reconcile it",
                kind.kind,
                kind.command
            );
        }
        match readiness(&object, request) {
            Readiness::Ready => return Ok(object),
            Readiness::Failed(message) => {
                bail!("{} {namespace}/{name} is not ready: {message}", kind.kind)
            }
            Readiness::Pending => {}
        }
        if Instant::now() >= deadline {
            let waiting_for = match request {
                Some(request) => {
                    format!("the controller to handle the reconcile request {request}")
                }
                None => "the controller to report on the current generation".to_string(),
            };
            bail!(
                "timed out waiting for {} {namespace}/{name} to become ready ({waiting_for}): \
                 raise --timeout or check that the {} is running",
                kind.kind,
                kind.controller
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

/// The value `flux reconcile` writes to `reconcile.fluxcd.io/requestedAt`: the current time
/// as Go's RFC3339Nano (fraction without trailing zeros).
pub fn request_timestamp() -> String {
    k8s_openapi::jiff::Timestamp::now().to_string()
}

/// The merge patch that asks for a reconcile.
pub fn request_patch(requested_at: &str) -> Value {
    request_patch_with(requested_at, &[])
}

/// The merge patch that asks for a reconcile and sets each of `also` (a HelmRelease's
/// `forceAt`, `resetAt`) to the same time, as `flux reconcile hr --force --reset` does.
pub fn request_patch_with(requested_at: &str, also: &[&str]) -> Value {
    let mut annotations = serde_json::Map::new();
    annotations.insert(RECONCILE_REQUEST_ANNOTATION.into(), json!(requested_at));
    for key in also {
        annotations.insert((*key).into(), json!(requested_at));
    }
    json!({ "metadata": { "annotations": annotations } })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> DynamicObject {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn readiness_follows_generation_request_and_ready() {
        let base = json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": { "name": "a", "generation": 2 },
            "status": { "observedGeneration": 1, "conditions": [
                { "type": "Ready", "status": "True", "message": "ok" }
            ] }
        });
        assert_eq!(readiness(&object(base.clone()), None), Readiness::Pending);
        let mut current = base.clone();
        current["status"]["observedGeneration"] = json!(2);
        assert_eq!(readiness(&object(current.clone()), None), Readiness::Ready);
        assert_eq!(
            readiness(&object(current.clone()), Some("t1")),
            Readiness::Pending
        );
        current["status"]["lastHandledReconcileAt"] = json!("t1");
        assert_eq!(
            readiness(&object(current.clone()), Some("t1")),
            Readiness::Ready
        );
        current["status"]["conditions"][0]["status"] = json!("False");
        assert_eq!(
            readiness(&object(current), Some("t1")),
            Readiness::Failed("ok".into())
        );
    }

    #[test]
    fn revision_is_read_where_the_kind_keeps_it() {
        let status = json!({
            "artifact": { "revision": "main@sha1:1234" },
            "lastAppliedRevision": "main@sha1:abcd"
        });
        let with = |kind: Kind| {
            object(json!({
                "apiVersion": kind.api_version(), "kind": kind.kind,
                "metadata": { "name": "a" }, "status": status.clone()
            }))
        };
        assert_eq!(
            GIT_REPOSITORY.revision(&with(GIT_REPOSITORY)),
            Some("main@sha1:1234")
        );
        assert_eq!(
            KUSTOMIZATION.revision(&with(KUSTOMIZATION)),
            Some("main@sha1:abcd")
        );
        assert_eq!(
            KUSTOMIZATION.revision_message("v1"),
            "applied revision v1".to_string()
        );
        assert_eq!(source_kind("Bucket"), Some(BUCKET));
        assert_eq!(BUCKET.plural, "buckets");
        assert_eq!(source_kind("OCIRepository"), Some(OCI_REPOSITORY));
        assert_eq!(OCI_REPOSITORY.delete_noun(), "source oci");
        assert_eq!(BUCKET.delete_noun(), "source bucket");
        assert_eq!(GIT_REPOSITORY.delete_noun(), "source");
        assert_eq!(KUSTOMIZATION.delete_noun(), "kustomization");
        assert!(source_kind("HelmRelease").is_none());
        assert!(source_kind("Kustomization").is_none());
    }

    #[test]
    fn helm_release_revision_is_the_latest_chart_version() {
        let release = |status: Value| {
            object(json!({
                "apiVersion": HELM_RELEASE.api_version(), "kind": "HelmRelease",
                "metadata": { "name": "a" }, "status": status
            }))
        };
        let released = release(json!({
            "history": [{ "chartVersion": "6.3.5" }, { "chartVersion": "6.3.4" }],
            "lastAttemptedRevision": "6.4.0"
        }));
        assert_eq!(HELM_RELEASE.revision(&released), Some("6.3.5"));
        let attempted = release(json!({ "lastAttemptedRevision": "6.4.0" }));
        assert_eq!(HELM_RELEASE.revision(&attempted), Some("6.4.0"));
        assert_eq!(HELM_RELEASE.revision(&release(json!({}))), None);
        assert_eq!(HELM_RELEASE.api_version(), "helm.toolkit.fluxcd.io/v2");
        assert_eq!(
            HELM_RELEASE.revision_message("6.3.5"),
            "applied revision 6.3.5"
        );
        assert_eq!(
            request_patch_with("t1", &["reconcile.fluxcd.io/forceAt"]),
            json!({ "metadata": { "annotations": {
                "reconcile.fluxcd.io/requestedAt": "t1", "reconcile.fluxcd.io/forceAt": "t1"
            } } })
        );
    }

    #[test]
    fn oci_helm_repositories_are_static() {
        let repository = |spec: Value| {
            object(json!({
                "apiVersion": HELM_REPOSITORY.api_version(), "kind": "HelmRepository",
                "metadata": { "name": "a" }, "spec": spec
            }))
        };
        let oci = repository(json!({ "type": "oci", "url": "oci://ghcr.io/org/charts" }));
        let index = repository(json!({ "url": "https://charts.example.com" }));
        assert!(HELM_REPOSITORY.is_static(&oci));
        assert!(!HELM_REPOSITORY.is_static(&index));
        assert!(!HELM_CHART.is_static(&oci));
        assert!(PROVIDER.is_static(&index));
        assert_eq!(
            HELM_REPOSITORY.static_ready_message(),
            "Helm repository is Ready"
        );
        assert_eq!(ALERT.static_ready_message(), "Alert is Ready");
    }

    #[test]
    fn canary_kind_is_flaggers() {
        use crate::api::flagger::Canary;
        use kube::Resource as _;
        assert_eq!(CANARY.api_version(), Canary::api_version(&()));
        assert_eq!(CANARY.kind, Canary::kind(&()));
        assert_eq!(CANARY.plural, Canary::plural(&()));
    }

    #[test]
    fn request_timestamp_is_rfc3339_utc() {
        let at = request_timestamp();
        assert!(at.ends_with('Z'), "{at}");
        assert!(
            !at.contains(".") || !at.trim_end_matches('Z').ends_with('0'),
            "{at}"
        );
        at.parse::<k8s_openapi::jiff::Timestamp>().unwrap();
    }
}
