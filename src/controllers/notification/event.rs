//! The event the controllers POST to the notification controller, in Flux's JSON shape
//! (`fluxcd/pkg/apis/event/v1beta1` Event).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `info` or `error`; Flux's severities.
pub const SEVERITY_INFO: &str = "info";
pub const SEVERITY_ERROR: &str = "error";

/// The object an event is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectReference {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uid: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resource_version: String,
}

impl ObjectReference {
    /// The API group of `apiVersion` (`kustomize.toolkit.fluxcd.io`), empty for core.
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub involved_object: ObjectReference,
    /// `info` or `error`.
    pub severity: String,
    /// RFC 3339, as the sender wrote it.
    pub timestamp: String,
    pub message: String,
    /// A short machine-readable reason (`ReconciliationSucceeded`, `BuildFailed`, ...).
    pub reason: String,
    /// Keys prefixed with the sender's group (`kustomize.toolkit.fluxcd.io/revision`) when
    /// POSTed; the server keeps those of the object's group, without the prefix, and adds
    /// the Alert's `eventMetadata` and `summary`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    pub reporting_controller: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reporting_instance: String,
}

impl Event {
    /// The revision the event is about (metadata `revision`, after the server stripped the
    /// group prefix), if any.
    pub fn revision(&self) -> Option<&str> {
        self.metadata.get("revision").map(String::as_str)
    }

    pub fn is_error(&self) -> bool {
        self.severity == SEVERITY_ERROR
    }

    /// `Kind/namespace/name` of the involved object, for logs.
    pub fn object_path(&self) -> String {
        let o = &self.involved_object;
        format!("{}/{}/{}", o.kind, o.namespace, o.name)
    }
}
