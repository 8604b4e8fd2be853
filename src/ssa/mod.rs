//! Server-side apply engine: what fluxcd/pkg `ssa` is to Flux's kustomize-controller.
//!
//! A [`ResourceManager`] validates a set of objects with a server-side dry run, applies what
//! drifted (staged: class definitions first), deletes what left the source, and waits for
//! objects to become Current per kstatus. It knows nothing of Kustomizations: the controller
//! (and `tk diff`) build the objects and decide what to do with the [`ChangeSet`].
//!
//! ```no_run
//! # async fn reconcile(client: kube::Client, objects: Vec<serde_json::Value>,
//! #     old: tk::api::meta::ResourceInventory) -> Result<(), tk::ssa::Error> {
//! use std::time::Duration;
//! use tk::ssa::{ApplyOptions, DeleteOptions, Owner, ResourceManager, inventory};
//!
//! let owner = Owner {
//!     group: "kustomize.toolkit.fluxcd.io".into(),
//!     name: "apps".into(),
//!     namespace: "flux-system".into(),
//! };
//! let manager = ResourceManager::new(client, "kustomize-controller", owner);
//! let applied = manager.apply_all_staged(objects, &ApplyOptions::default()).await?;
//! println!("{}", applied.summary()); // "Deployment/apps/podinfo configured" ...
//! let new = inventory::from_change_set(&applied);
//! manager.delete_all(&inventory::stale(&old, &new), &DeleteOptions::default()).await?;
//! manager
//!     .wait_for_set(&inventory::list(&new), Duration::from_secs(5), Duration::from_secs(300))
//!     .await?;
//! # Ok(())
//! # }
//! ```
//!
//! Differences from fluxcd/pkg/ssa worth knowing:
//! - every object of a stage is dry-run before any of it is written, and every failure is
//!   reported (Flux stops at the first); objects of later stages that do not depend on the
//!   earlier ones are dry-run too before the first stage is written;
//! - force recreates only on errors that say a field is immutable (Flux also recreates on
//!   any other `Invalid` error).

// Errors carry the ObjectRef they are about (144 bytes); they are rare, and boxing would
// only make matching on them clumsier for callers.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde_json::Value;

mod apply;
mod delete;
mod diff;
mod discovery;
mod drift;
mod fields;
pub mod inventory;

pub use diff::DiffEntry;
pub use discovery::DiscoveryCache;
pub use drift::{DriftCache, VERIFIED_FOR};
mod normalize;
mod order;
mod wait;

/// The annotation/label prefix of the per-object policies (`ssa`, `force`, `prune`,
/// `reconcile`), the Kustomization API group.
pub const POLICY_PREFIX: &str = "kustomize.toolkit.fluxcd.io";

/// The labels (`<group>/name`, `<group>/namespace`) put on every applied object, naming the
/// object that owns it (a Kustomization). Deletion only touches objects still carrying them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// Label prefix, e.g. `kustomize.toolkit.fluxcd.io`.
    pub group: String,
    pub name: String,
    pub namespace: String,
}

impl Owner {
    /// `{<group>/name: name, <group>/namespace: namespace}`.
    pub fn labels(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            (format!("{}/name", self.group), self.name.clone()),
            (format!("{}/namespace", self.group), self.namespace.clone()),
        ])
    }
}

/// Applies, deletes and waits for sets of objects with one field manager, on behalf of one
/// [`Owner`]. Cheap to clone; clones share the discovery cache.
#[derive(Clone)]
pub struct ResourceManager {
    client: kube::Client,
    field_manager: String,
    owner: Owner,
    discovery: DiscoveryCache,
    /// The drift cache and the identity this manager applies as.
    drift: Option<(DriftCache, String)>,
}

impl ResourceManager {
    /// A manager applying as `field_manager` (e.g. "kustomize-controller") and labelling
    /// objects with `owner`. Discovery is lazy: the first call that needs a kind reads the
    /// API server's resource lists, and a kind it does not know triggers a refresh.
    pub fn new(client: kube::Client, field_manager: &str, owner: Owner) -> Self {
        Self {
            client,
            field_manager: field_manager.to_string(),
            owner,
            discovery: DiscoveryCache::default(),
            drift: None,
        }
    }

    /// Shares `cache` with other managers (each Kustomization gets its own manager, possibly
    /// with an impersonating client; the kinds the API server serves are the same for all).
    pub fn with_discovery_cache(mut self, cache: DiscoveryCache) -> Self {
        self.discovery = cache;
        self
    }

    /// Lets unchanged objects skip their read and dry run (see [`DriftCache`]).
    /// `identity` names whom the client applies as (e.g. the impersonated service account,
    /// empty for the controller's own): proofs are kept apart per identity.
    pub fn with_drift_cache(mut self, cache: DriftCache, identity: &str) -> Self {
        self.drift = Some((cache, identity.to_string()));
        self
    }

    fn drift_scope(&self) -> Option<String> {
        let (_, identity) = self.drift.as_ref()?;
        Some(drift::scope(&self.owner, &self.field_manager, identity))
    }

    /// The label selector of the objects this manager's owner owns.
    fn owner_selector(&self) -> String {
        let labels = self.owner.labels();
        let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        pairs.join(",")
    }

    /// The client this manager applies with.
    pub fn client(&self) -> &kube::Client {
        &self.client
    }

    /// Server-side dry run of every object (all must pass before anything is applied), then a
    /// staged apply: CRDs, Namespaces and cluster-scoped class kinds first (waiting until CRDs
    /// are Established and Namespaces Active), then the rest. Honours the per-object
    /// annotations `kustomize.toolkit.fluxcd.io/ssa: Merge|IfNotPresent|Ignore` and
    /// `kustomize.toolkit.fluxcd.io/force: Enabled`; `opts.force` recreates objects whose
    /// apply fails on immutable fields. Objects whose dry-run result equals the live object
    /// (after normalisation) are reported Unchanged and not written.
    pub async fn apply_all_staged(
        &self,
        objects: Vec<Value>,
        opts: &ApplyOptions,
    ) -> Result<ChangeSet, Error> {
        apply::apply_all_staged(self, objects, opts).await
    }

    /// Deletes objects (prune, deletionPolicy), skipping those annotated
    /// `kustomize.toolkit.fluxcd.io/prune: disabled` (read from the live object) and those no
    /// longer labelled as owned by the owner. Objects already gone are reported Deleted.
    /// Every object is attempted; failures are reported together at the end.
    pub async fn delete_all(
        &self,
        objects: &[ObjectRef],
        opts: &DeleteOptions,
    ) -> Result<ChangeSet, Error> {
        delete::delete_all(self, objects, opts).await
    }

    /// Whether `object` still exists (being deleted counts as existing).
    pub async fn exists(&self, object: &ObjectRef) -> Result<bool, String> {
        delete::exists(self, object).await
    }

    /// What [`Self::apply_all_staged`] would do to each object, without writing: a
    /// server-side dry run against the live object (`tk diff`). Objects whose CRD or
    /// Namespace the set creates are reported Created; `ssa: Ignore` objects Skipped. Every
    /// dry-run failure is reported together.
    pub async fn diff_all(&self, objects: Vec<Value>) -> Result<Vec<DiffEntry>, Error> {
        diff::diff_all(self, objects).await
    }

    /// Polls (after 100ms, then doubling up to `interval`) until every object is Current per
    /// kstatus (Flux's rules, see `kstatus::flux_status`), or `timeout` passes: the error
    /// lists each object not ready with its status and message.
    pub async fn wait_for_set(
        &self,
        objects: &[ObjectRef],
        interval: Duration,
        timeout: Duration,
    ) -> Result<(), Error> {
        wait::wait_for_set(self, objects, interval, timeout).await
    }
}

/// How [`ResourceManager::apply_all_staged`] applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Recreate objects whose apply fails on an immutable field (`spec.force`).
    pub force: bool,
    /// How often to poll CRDs and Namespaces of the first stage.
    pub wait_interval: Duration,
    /// How long CRDs and Namespaces of the first stage may take to become ready.
    pub wait_timeout: Duration,
}

impl Default for ApplyOptions {
    /// No force; poll every 2s for up to 60s, as Flux's staging wait.
    fn default() -> Self {
        Self {
            force: false,
            wait_interval: Duration::from_secs(2),
            wait_timeout: Duration::from_secs(60),
        }
    }
}

/// How [`ResourceManager::delete_all`] deletes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteOptions {
    /// `Background` (the default when `None`), `Foreground` or `Orphan`.
    pub propagation: Option<String>,
}

/// One object by API group, version, kind, namespace and name. Displays as Flux's subject
/// `Kind/namespace/name` (`Kind/name` when cluster-scoped).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectRef {
    /// API group; empty for the core group.
    pub group: String,
    pub version: String,
    pub kind: String,
    /// Empty for cluster-scoped objects.
    pub namespace: String,
    pub name: String,
}

impl ObjectRef {
    /// The reference of a manifest (`apiVersion`, `kind`, `metadata.name|namespace`).
    pub fn from_object(object: &Value) -> Result<ObjectRef, Error> {
        let field = |pointer: &str| object.pointer(pointer).and_then(Value::as_str);
        let kind = field("/kind").unwrap_or_default();
        let name = field("/metadata/name").unwrap_or_default();
        let api_version = field("/apiVersion").unwrap_or_default();
        let invalid = |reason: &str| Error::InvalidObject {
            object: format!(
                "{}/{}",
                if kind.is_empty() { "<no kind>" } else { kind },
                name
            ),
            reason: reason.to_string(),
        };
        if kind.is_empty() {
            return Err(invalid("kind is missing"));
        }
        if name.is_empty() {
            return Err(invalid("metadata.name is missing"));
        }
        if api_version.is_empty() {
            return Err(invalid("apiVersion is missing"));
        }
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        if version.is_empty() || group.contains('/') {
            return Err(invalid(&format!(
                "apiVersion {api_version:?} is not <group>/<version>"
            )));
        }
        Ok(ObjectRef {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
            namespace: field("/metadata/namespace").unwrap_or_default().to_string(),
            name: name.to_string(),
        })
    }

    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// What happened to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Created,
    Configured,
    Unchanged,
    Deleted,
    Skipped,
}

impl Action {
    /// Whether the object was written (created, configured or deleted); Flux lists only these
    /// in events.
    pub fn is_change(self) -> bool {
        matches!(self, Action::Created | Action::Configured | Action::Deleted)
    }

    /// Flux's spelling: "created", "configured", "unchanged", "deleted", "skipped".
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Configured => "configured",
            Action::Unchanged => "unchanged",
            Action::Deleted => "deleted",
            Action::Skipped => "skipped",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One object and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSetEntry {
    pub object: ObjectRef,
    pub action: Action,
}

impl fmt::Display for ChangeSetEntry {
    /// `Deployment/default/app configured`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.object, self.action)
    }
}

/// The result of an apply or delete, in the order objects were handled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    pub entries: Vec<ChangeSetEntry>,
}

impl ChangeSet {
    /// Flux's event body: one `Kind/ns/name action` line per object that was created,
    /// configured or deleted (unchanged and skipped objects are left out), joined by `\n`.
    /// Empty when nothing changed.
    pub fn summary(&self) -> String {
        self.entries
            .iter()
            .filter(|e| e.action.is_change())
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Appends the entries of `other`.
    pub fn append(&mut self, other: ChangeSet) {
        self.entries.extend(other.entries);
    }
}

impl fmt::Display for ChangeSet {
    /// Every entry, one `Kind/ns/name action` per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, entry) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{entry}")?;
        }
        Ok(())
    }
}

/// Why an apply, delete or wait failed. Each message names the object(s) and the API
/// server's own words.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A manifest lacks `apiVersion`, `kind` or `metadata.name`, or has them of the wrong type.
    #[error("invalid object {object}: {reason}")]
    InvalidObject { object: String, reason: String },
    /// The server-side dry run rejected one or more objects; nothing of their stage was
    /// applied.
    #[error("{}", lines(.0))]
    DryRun(Vec<ObjectFailure>),
    /// Writing an object failed after its dry run passed.
    #[error("{object} apply failed: {message}")]
    Apply { object: ObjectRef, message: String },
    /// An object with an immutable-field change could not be deleted for recreation.
    #[error("{object} immutable field detected, failed to delete object: {message}")]
    Recreate { object: ObjectRef, message: String },
    /// Waiting for an object to be deleted before recreating it timed out or failed.
    #[error(
        "{object} immutable field detected, failed to wait for object to be deleted: {message}"
    )]
    RecreateWait { object: ObjectRef, message: String },
    /// One or more deletions failed; the others were attempted, and `change_set` says what
    /// happened to them (failed objects are not in it).
    #[error("delete failed, errors: {}", lines(failures))]
    Delete {
        failures: Vec<ObjectFailure>,
        change_set: ChangeSet,
    },
    /// Objects did not become Current in time: one `Kind/ns/name status: 'S': message` each.
    #[error("timeout waiting for: [{}]", .0.join(", "))]
    WaitTimeout(Vec<String>),
    /// Objects reached kstatus' Failed status (stalled) while being waited for.
    #[error("failed early due to stalled resources: [{}]", .0.join(", "))]
    WaitFailed(Vec<String>),
    /// Any other API call failed (discovery, reads); `message` is the API server's.
    #[error("{what}: {message}")]
    Kube {
        what: String,
        message: String,
        #[source]
        source: Box<kube::Error>,
    },
    /// Building an impersonating client failed.
    #[error("building a client impersonating {user}: {message}")]
    Impersonation { user: String, message: String },
}

/// One object that failed: the full line (`Kind/ns/name dry-run failed (Invalid): ...`)
/// naming the object, what failed and the API server's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectFailure {
    pub object: ObjectRef,
    pub message: String,
}

impl fmt::Display for ObjectFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn lines(failures: &[ObjectFailure]) -> String {
    failures
        .iter()
        .map(|f| f.message.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// The objects this error is about (empty when it is not about particular objects).
    pub fn objects(&self) -> Vec<ObjectRef> {
        match self {
            Error::DryRun(failures) | Error::Delete { failures, .. } => {
                failures.iter().map(|f| f.object.clone()).collect()
            }
            Error::Apply { object, .. }
            | Error::Recreate { object, .. }
            | Error::RecreateWait { object, .. } => vec![object.clone()],
            _ => Vec::new(),
        }
    }
}

/// Whether `object` has `key: value` (case-insensitive value) among its labels or
/// annotations, as Flux's `AnyInMetadata`.
pub(crate) fn has_policy(object: &Value, key: &str, value: &str) -> bool {
    ["labels", "annotations"].iter().any(|field| {
        object["metadata"][field][key]
            .as_str()
            .is_some_and(|v| !v.is_empty() && v.eq_ignore_ascii_case(value))
    })
}

/// The API server's message of a failed call, or the error itself.
pub(crate) fn api_message(err: &kube::Error) -> String {
    match err {
        kube::Error::Api(status) if !status.message.is_empty() => status.message.clone(),
        other => {
            let root = std::iter::successors(Some(other as &dyn std::error::Error), |e| e.source())
                .last()
                .map(ToString::to_string)
                .unwrap_or_default();
            let top = other.to_string();
            if root.is_empty() || top.contains(&root) {
                top
            } else {
                format!("{top}: {root}")
            }
        }
    }
}

pub(crate) fn api_status(err: &kube::Error) -> Option<(u16, &str)> {
    match err {
        kube::Error::Api(status) => Some((status.code, status.reason.as_str())),
        _ => None,
    }
}

pub(crate) fn is_not_found(err: &kube::Error) -> bool {
    api_status(err).is_some_and(|(code, _)| code == 404)
}

/// A client that impersonates `system:serviceaccount:<namespace>:<service_account>` (with the
/// groups the API server gives service accounts), built from the controller's own config:
/// applies then get exactly the rights the tenant's account has (`spec.serviceAccountName`,
/// `--default-service-account`).
pub fn impersonating(
    config: &kube::Config,
    namespace: &str,
    service_account: &str,
) -> Result<kube::Client, Error> {
    let config = impersonation_config(config, namespace, service_account)?;
    let user = config.auth_info.impersonate.clone().unwrap_or_default();
    kube::Client::try_from(config).map_err(|e| Error::Impersonation {
        user,
        message: api_message(&e),
    })
}

/// `config`, impersonating `system:serviceaccount:<namespace>:<service_account>`.
pub fn impersonation_config(
    config: &kube::Config,
    namespace: &str,
    service_account: &str,
) -> Result<kube::Config, Error> {
    let user = format!("system:serviceaccount:{namespace}:{service_account}");
    let valid = |s: &str| !s.is_empty() && !s.contains(':') && !s.contains('/');
    if !valid(namespace) || !valid(service_account) {
        return Err(Error::Impersonation {
            user,
            message: "the namespace and service account name must be non-empty names".into(),
        });
    }
    let mut config = config.clone();
    // Only the user: the API server adds the service account groups
    // (system:serviceaccounts, system:serviceaccounts:<namespace>) itself, as for Flux.
    config.auth_info.impersonate = Some(user);
    config.auth_info.impersonate_groups = None;
    Ok(config)
}

/// Compile-time check: the manager's futures can be spawned (Send + 'static when owned).
#[allow(dead_code)]
fn futures_are_spawnable(m: ResourceManager, refs: Vec<ObjectRef>) {
    tokio::spawn(async move {
        let _ = m
            .apply_all_staged(Vec::new(), &ApplyOptions::default())
            .await;
        let _ = m.delete_all(&refs, &DeleteOptions::default()).await;
        let _ = m.diff_all(Vec::new()).await;
        let _ = m
            .wait_for_set(&refs, Duration::from_secs(1), Duration::from_secs(1))
            .await;
    });
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn refs_read_from_manifests_and_print_as_flux_subjects() {
        let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
                                "metadata": {"name": "app", "namespace": "default"}});
        let r = ObjectRef::from_object(&deployment).unwrap();
        assert_eq!((r.group.as_str(), r.version.as_str()), ("apps", "v1"));
        assert_eq!(r.to_string(), "Deployment/default/app");
        assert_eq!(r.api_version(), "apps/v1");
        let ns = ObjectRef::from_object(&json!({"apiVersion": "v1", "kind": "Namespace",
                                                "metadata": {"name": "apps"}}))
        .unwrap();
        assert_eq!(
            (ns.group.as_str(), ns.to_string()),
            ("", "Namespace/apps".into())
        );
        assert_eq!(ns.api_version(), "v1");
        let err = ObjectRef::from_object(&json!({"apiVersion": "v1", "kind": "ConfigMap",
                                                 "metadata": {}}))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid object ConfigMap/: metadata.name is missing"
        );
    }

    #[test]
    fn change_set_summary_lists_only_changes() {
        let r = |kind: &str, name: &str| ObjectRef {
            group: String::new(),
            version: "v1".into(),
            kind: kind.into(),
            namespace: "default".into(),
            name: name.into(),
        };
        let cs = ChangeSet {
            entries: vec![
                ChangeSetEntry {
                    object: r("ConfigMap", "a"),
                    action: Action::Created,
                },
                ChangeSetEntry {
                    object: r("ConfigMap", "b"),
                    action: Action::Unchanged,
                },
                ChangeSetEntry {
                    object: r("Service", "c"),
                    action: Action::Configured,
                },
                ChangeSetEntry {
                    object: r("Secret", "d"),
                    action: Action::Skipped,
                },
                ChangeSetEntry {
                    object: r("Pod", "e"),
                    action: Action::Deleted,
                },
            ],
        };
        assert_eq!(
            cs.summary(),
            "ConfigMap/default/a created\nService/default/c configured\nPod/default/e deleted"
        );
        assert_eq!(cs.to_string().lines().count(), 5);
        assert!(cs.to_string().contains("Secret/default/d skipped"));
    }

    #[test]
    fn policies_match_labels_or_annotations_case_insensitively() {
        let object = json!({"metadata": {
            "annotations": {"kustomize.toolkit.fluxcd.io/ssa": "ifnotpresent"},
            "labels": {"kustomize.toolkit.fluxcd.io/prune": "Disabled"}
        }});
        assert!(has_policy(
            &object,
            "kustomize.toolkit.fluxcd.io/ssa",
            "IfNotPresent"
        ));
        assert!(has_policy(
            &object,
            "kustomize.toolkit.fluxcd.io/prune",
            "disabled"
        ));
        assert!(!has_policy(
            &object,
            "kustomize.toolkit.fluxcd.io/ssa",
            "Merge"
        ));
        assert!(!has_policy(
            &json!({}),
            "kustomize.toolkit.fluxcd.io/ssa",
            "Merge"
        ));
    }

    #[test]
    fn owner_labels_name_the_kustomization() {
        let owner = Owner {
            group: "kustomize.toolkit.fluxcd.io".into(),
            name: "apps".into(),
            namespace: "flux-system".into(),
        };
        let labels = owner.labels();
        assert_eq!(labels["kustomize.toolkit.fluxcd.io/name"], "apps");
        assert_eq!(
            labels["kustomize.toolkit.fluxcd.io/namespace"],
            "flux-system"
        );
    }
}
