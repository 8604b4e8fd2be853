//! The prerequisites of an installation: a supported Kubernetes version and the rights to
//! create and patch every kind the manifests contain. `tk check --pre` prints them; `tk
//! install` refuses to apply anything when one fails.

use std::collections::BTreeSet;

use anyhow::Result;
use serde_json::Value;

use super::cluster::{self, MIN_KUBERNETES};
use crate::manifests;

pub struct CheckLine {
    pub ok: bool,
    pub text: String,
}

/// Whether the server's version meets tk's minimum.
fn version_line(major: u32, minor: u32, git_version: &str) -> CheckLine {
    let (min_major, min_minor) = MIN_KUBERNETES;
    let ok = (major, minor) >= MIN_KUBERNETES;
    let text = if ok {
        format!("Kubernetes {git_version} >={min_major}.{min_minor}.0")
    } else {
        format!(
            "Kubernetes {git_version} is too old: tk needs >={min_major}.{min_minor}.0; upgrade the cluster"
        )
    };
    CheckLine { ok, text }
}

pub async fn run(
    client: &kube::Client,
    objects: &[Value],
    namespace: &str,
) -> Result<Vec<CheckLine>> {
    let (major, minor, git_version) = cluster::server_version(client).await?;
    let mut lines = vec![version_line(major, minor, &git_version)];

    let mut kinds = BTreeSet::new();
    for object in objects {
        let (api_version, kind) = manifests::type_of(object);
        let resource = cluster::api_resource(api_version, kind);
        let namespaced = object["metadata"]["namespace"].is_string();
        kinds.insert((resource.group, resource.plural, namespaced));
    }
    let mut missing = Vec::new();
    for (group, plural, namespaced) in &kinds {
        let scope = namespaced.then_some(namespace);
        for verb in ["create", "patch", "delete"] {
            if !cluster::can_i(client, verb, group, plural, scope).await? {
                let qualified = if group.is_empty() {
                    plural.clone()
                } else {
                    format!("{plural}.{group}")
                };
                missing.push(format!("{verb} {qualified}"));
            }
        }
    }
    lines.push(if missing.is_empty() {
        CheckLine {
            ok: true,
            text: format!("permissions to install {} kinds of objects", kinds.len()),
        }
    } else {
        CheckLine {
            ok: false,
            text: format!(
                "missing permissions: {}; run as a cluster admin or grant these rights",
                missing.join(", ")
            ),
        }
    });
    Ok(lines)
}

/// Fails with the text of every failed check, and `consequence` ("nothing was applied").
pub fn require(checks: &[CheckLine], consequence: &str) -> Result<()> {
    let failed: Vec<&str> = checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.text.as_str())
        .collect();
    if !failed.is_empty() {
        anyhow::bail!("{}; {consequence}", failed.join("; "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::version_line;

    #[test]
    fn refuses_clusters_older_than_the_minimum() {
        let old = version_line(1, 31, "v1.31.9");
        assert!(!old.ok);
        assert!(
            old.text.contains("v1.31.9") && old.text.contains(">=1.32.0"),
            "{}",
            old.text
        );
        assert!(version_line(1, 32, "v1.32.0").ok);
        assert!(version_line(1, 40, "v1.40.1").ok);
        assert!(version_line(2, 0, "v2.0.0").ok);
    }
}
