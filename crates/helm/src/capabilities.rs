//! The Kubernetes version a chart is rendered for, and the chart's `kubeVersion`
//! constraint check.

use crate::chart::Chart;
use crate::{Error, Result};

/// `chartutil.KubeVersion`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeVersion {
    /// `v1.20.0`
    pub version: String,
    pub major: String,
    pub minor: String,
}

impl Default for KubeVersion {
    /// What a released Helm v3.22.0 assumes without a cluster: its Makefile stamps the
    /// client-go minor (v0.37 → Kubernetes v1.37.0). Helm's own unit tests, built without
    /// that stamp, see v1.20.0 instead.
    fn default() -> KubeVersion {
        KubeVersion {
            version: "v1.37.0".into(),
            major: "1".into(),
            minor: "37".into(),
        }
    }
}

impl std::fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.version)
    }
}

impl KubeVersion {
    /// `chartutil.ParseKubeVersion` (Kubernetes' generic version syntax: `v?` then at
    /// least two dot-separated numbers; anything after them is dropped).
    pub fn parse(input: &str) -> Result<KubeVersion> {
        let s = input.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let s = s.strip_prefix('v').unwrap_or(s);
        let end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let mut numbers = &s[..end];
        // The generic syntax stops before a trailing dot: `1.2.` parses as `1.2`.
        while numbers.ends_with('.') {
            numbers = &numbers[..numbers.len() - 1];
        }
        if numbers.is_empty() || !numbers.as_bytes()[0].is_ascii_digit() || numbers.contains("..") {
            return Err(Error::KubeVersion(format!(
                "could not parse {input:?} as version"
            )));
        }
        let comps: Vec<&str> = numbers.split('.').collect();
        if comps.len() < 2 {
            return Err(Error::KubeVersion(format!(
                "illegal version string {input:?}"
            )));
        }
        let mut nums = Vec::with_capacity(comps.len());
        for c in &comps {
            if c.len() > 1 && c.starts_with('0') {
                return Err(Error::KubeVersion(format!(
                    "illegal zero-prefixed version component {c:?} in {input:?}"
                )));
            }
            let n: u64 = c.parse().map_err(|_| {
                Error::KubeVersion(format!("illegal version component {c:?} in {input:?}"))
            })?;
            nums.push(n.to_string());
        }
        Ok(KubeVersion {
            version: format!("v{}", nums.join(".")),
            major: nums[0].clone(),
            minor: nums[1].clone(),
        })
    }
}

/// `chartutil.DefaultVersionSet` of Helm v3.22.0 (client-go v0.37 scheme plus
/// apiextensions), in Helm's order: what `.Capabilities.APIVersions` holds when no
/// cluster is asked. Group/versions only, no `group/version/Kind`s. Printed by the
/// reference helm (`{{ range .Capabilities.APIVersions }}`; see tests/differential.rs).
pub const DEFAULT_API_VERSIONS: [&str; 57] = [
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "lifecycle.k8s.io/v1alpha1",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// `chartutil.IsCompatibleRange`: false when either side does not parse.
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Ok(v) = versionrange::Version::parse(version) else {
        return false;
    };
    let Ok(c) = versionrange::Constraint::parse(constraint) else {
        return false;
    };
    c.check(&v)
}

/// The check `helm install`/`template` make before rendering.
pub fn check_kube_version(chart: &Chart, kube: &KubeVersion) -> Result<()> {
    let constraint = &chart.metadata.kube_version;
    if constraint.is_empty() || is_compatible_range(constraint, &kube.version) {
        return Ok(());
    }
    Err(Error::KubeVersion(format!(
        "chart requires kubeVersion: {constraint} which is incompatible with Kubernetes {}",
        kube.version
    )))
}
