//! `AlertProvider` (flagger.app/v1beta1): a chat service a Canary's analysis alerts go to.

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::SecretRef;

// kube's `printcolumn(...)`/`category = ...` repeat keys by design; clippy reads them as
// duplicated attributes.
#[allow(clippy::duplicated_attributes)]
/// Desired state of an alert provider.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "flagger.app",
    version = "v1beta1",
    kind = "AlertProvider",
    plural = "alertproviders",
    singular = "alertprovider",
    namespaced,
    category = "all",
    doc = "AlertProvider is the Schema for the AlertProvider API.",
    annotation("helm.sh/resource-policy", "keep"),
    derive = "PartialEq",
    derive = "Default",
    printcolumn(name = "Type", type_ = "string", json_path = ".spec.type")
)]
#[serde(rename_all = "camelCase")]
// Flagger's schema says this with `oneOf` over `required`, which tk's structural schemas do
// not carry: the same rule in CEL.
#[schemars(extend("x-kubernetes-validations" = [{
    "message": "set exactly one of spec.address and spec.secretRef",
    "rule": "has(self.address) != has(self.secretRef)"
}]))]
pub struct AlertProviderSpec {
    /// Chat service.
    pub r#type: AlertProviderType,
    /// Channel to post to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Name to post as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Webhook address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// HTTP/S proxy address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Secret with `address` (and optionally `proxy`) instead of the fields above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretRef>,
}

/// The chat services Flagger's schema admits.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AlertProviderType {
    #[default]
    Slack,
    Msteams,
    Discord,
    Rocket,
    Gchat,
}
