//! The status of a Kubernetes object, computed the way
//! [kstatus](https://github.com/kubernetes-sigs/cli-utils/tree/master/pkg/kstatus)
//! (`sigs.k8s.io/cli-utils/pkg/kstatus/status`, `Compute`) computes it. Flux's
//! kustomize-controller runs its health checks (`.spec.healthChecks`, `.spec.wait`) through
//! kstatus, and surfaces kstatus's statuses and messages to users, so both are reproduced
//! here word for word.
//!
//! The computation is pure: it reads one object (as JSON) and never talks to a cluster.
//!
//! # The rules, in order
//!
//! 1. **Generic rules**, for every kind:
//!    - a non-empty `metadata.deletionTimestamp` → `Terminating`
//!      ("Resource scheduled for deletion");
//!    - when both `metadata.generation` and `status.observedGeneration` are set and differ →
//!      `InProgress` ("`<Kind>` generation is N, but latest observed generation is M");
//!    - the first `status.conditions` entry that is `Reconciling=True` → `InProgress`, or
//!      `Stalled=True` → `Failed`, with that condition's message. This is how Flux's own
//!      objects (Kustomization, HelmRelease, sources) report progress and terminal failure.
//! 2. **Built-in kinds** (keyed by API group and kind, the version is ignored): Deployment,
//!    StatefulSet, DaemonSet, ReplicaSet (also in the old `extensions` group), Pod,
//!    PersistentVolumeClaim, Service, Job, PodDisruptionBudget and CustomResourceDefinition
//!    have their own rules; Secret, ConfigMap and CronJob are always `Current`.
//! 3. **Anything else** is `Current` ("Resource is current").
//!
//! kstatus does *not* read the `Ready` condition: a custom resource that only reports
//! `Ready=False`, with its generation observed and no `Reconciling`/`Stalled` condition, is
//! `Current`. Flux's objects set `Reconciling` or `Stalled` whenever they are not ready, so
//! they read correctly.
//!
//! kstatus returns an error (rather than a status) when a field it reads has the wrong type,
//! for example a string `metadata.generation`, or a Pod in a phase it does not know. Flux's
//! poller reports such objects as `Unknown` with the error as message; [`flux_status_at`]
//! does the same.
//!
//! # Flux's Job rule
//!
//! kustomize-controller replaces kstatus's Job rule with its own (fluxcd/pkg
//! `runtime/statusreaders`): a Job is `InProgress` ("Job in progress") until its `Complete`
//! or `Failed` condition is `True`, and the generic rules are skipped for it. Use
//! [`flux_status_at`] for what a Flux health check sees, [`compute_at`] for plain kstatus.
//!
//! ```
//! use serde_json::json;
//! let deployment = json!({
//!     "apiVersion": "apps/v1",
//!     "kind": "Deployment",
//!     "metadata": {"name": "app", "generation": 2},
//!     "spec": {"replicas": 2},
//!     "status": {"observedGeneration": 2, "replicas": 1, "updatedReplicas": 1}
//! });
//! let out = kstatus::compute(&deployment).unwrap();
//! assert_eq!(out.status, kstatus::Status::InProgress);
//! assert_eq!(out.message, "Replicas: 1/2");
//! ```

mod fields;
mod generic;
mod kinds;
mod time;

use std::fmt;
use std::time::SystemTime;

use serde_json::Value;

pub use time::SCHEDULE_WINDOW;

/// A kstatus status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// The object's controller is still working towards the desired state.
    InProgress,
    /// The controller gave up: the desired state will not be reached without a change.
    Failed,
    /// The desired state is reached.
    Current,
    /// The object is being deleted.
    Terminating,
    /// The object does not exist (reported by pollers, never by [`compute`]).
    NotFound,
    /// The status could not be computed.
    Unknown,
}

impl Status {
    /// kstatus's spelling, which Flux prints (`status: 'InProgress'`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InProgress => "InProgress",
            Status::Failed => "Failed",
            Status::Current => "Current",
            Status::Terminating => "Terminating",
            Status::NotFound => "NotFound",
            Status::Unknown => "Unknown",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kstatus condition types (abnormal-true: present and `True` only when something is
/// off).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConditionType {
    Reconciling,
    Stalled,
}

impl ConditionType {
    pub fn as_str(self) -> &'static str {
        match self {
            ConditionType::Reconciling => "Reconciling",
            ConditionType::Stalled => "Stalled",
        }
    }
}

/// A standard condition kstatus derives for the object (always with status `True`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub type_: ConditionType,
    pub reason: String,
    pub message: String,
}

/// What kstatus computed: the status, a human-readable message, and the standard
/// conditions that belong on the object (empty when it is `Current`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub message: String,
    pub conditions: Vec<Condition>,
}

impl Outcome {
    pub(crate) fn current(message: impl Into<String>) -> Outcome {
        Outcome {
            status: Status::Current,
            message: message.into(),
            conditions: Vec::new(),
        }
    }

    pub(crate) fn in_progress(reason: &str, message: impl Into<String>) -> Outcome {
        Self::with_condition(
            Status::InProgress,
            ConditionType::Reconciling,
            reason,
            message,
        )
    }

    pub(crate) fn failed(reason: &str, message: impl Into<String>) -> Outcome {
        Self::with_condition(Status::Failed, ConditionType::Stalled, reason, message)
    }

    pub(crate) fn with_condition(
        status: Status,
        type_: ConditionType,
        reason: &str,
        message: impl Into<String>,
    ) -> Outcome {
        let message = message.into();
        Outcome {
            status,
            conditions: vec![Condition {
                type_,
                reason: reason.to_string(),
                message: message.clone(),
            }],
            message,
        }
    }
}

/// Why kstatus could not compute a status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A field kstatus reads has the wrong type.
    #[error("{0}")]
    Field(String),
    /// A field kstatus reads has the wrong type, in the named lookup.
    #[error("looking up {what} from resource: {source}")]
    Lookup {
        what: &'static str,
        source: Box<Error>,
    },
    /// A Pod phase kstatus does not know.
    #[error("unknown phase {0}")]
    UnknownPhase(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// kstatus's `Compute` at the current time (the time only matters for Pods waiting to be
/// scheduled, see [`compute_at`]).
pub fn compute(obj: &Value) -> Result<Outcome> {
    compute_at(obj, SystemTime::now())
}

/// kstatus's `Compute`, with `now` as the current time: a Pod that is unschedulable is
/// `InProgress` for the first [`SCHEDULE_WINDOW`] after its creation, `Failed` after.
pub fn compute_at(obj: &Value, now: SystemTime) -> Result<Outcome> {
    if let Some(out) = generic::check(obj)? {
        return Ok(out);
    }
    if let Some(rule) = kinds::rule_for(obj) {
        return rule(obj, now);
    }
    Ok(Outcome::current("Resource is current"))
}

/// [`flux_status_at`] at the current time.
pub fn flux_status(obj: &Value) -> Outcome {
    flux_status_at(obj, SystemTime::now())
}

/// The status a Flux kustomize-controller health check sees for `obj`: kstatus, except that
/// Jobs must have completed (Flux's custom Job reader), and computation errors read as
/// `Unknown` with the error as message (as the kstatus poller reports them).
pub fn flux_status_at(obj: &Value, now: SystemTime) -> Outcome {
    let computed = if kinds::group_kind(obj) == Some(("batch", "Job")) {
        kinds::flux_job(obj)
    } else {
        compute_at(obj, now)
    };
    computed.unwrap_or_else(|e| Outcome {
        status: Status::Unknown,
        message: e.to_string(),
        conditions: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
