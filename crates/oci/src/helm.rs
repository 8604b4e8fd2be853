//! Helm charts in OCI registries, as `helm push`/`helm pull` store them and Flux's
//! source-controller resolves them: one manifest per chart version, tagged with the version
//! (`+` written `_`), a config blob of media type [`CONFIG_MEDIA_TYPE`] and the packaged chart
//! as a layer of media type [`CHART_LAYER_MEDIA_TYPE`].

use versionrange::{Constraint, Version};

use crate::manifest::{Descriptor, Manifest};
use crate::reference::version_to_tag;
use crate::{Client, Error, Result};

pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
pub const CHART_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
/// What charts pushed by Helm before 3.7 used; still read, as Helm does.
pub const LEGACY_CHART_LAYER_MEDIA_TYPE: &str = "application/tar+gzip";
pub const PROV_LAYER_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";

/// The chart versions among a repository's tags, as Helm's registry client lists them: tags
/// that are strict SemVer once `_` is read as `+`, highest first, written with `+`.
pub fn chart_versions(tags: &[String]) -> Vec<String> {
    let mut versions: Vec<Version> = tags
        .iter()
        .filter_map(|t| Version::parse_strict(&crate::reference::tag_to_version(t)).ok())
        .collect();
    // Stable: among equal versions (differing in build metadata only) the listing order stays.
    versions.sort_by(|a, b| b.cmp(a));
    versions
        .into_iter()
        .map(|v| v.original().to_string())
        .collect()
}

/// Whether `version` names one exact version (strict SemVer, optionally with a leading `v`,
/// as Flux's `version.ParseVersion`): then no tag list is needed.
pub fn is_exact_version(version: &str) -> bool {
    Version::parse_tag(version).is_ok()
}

/// Why no version was selected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    #[error("{0}")]
    Constraint(String),
    #[error("could not locate a version matching provided version string {0}")]
    NoMatch(String),
}

/// Flux's choice among the listed versions ([`chart_versions`]): an exact string match first;
/// else the highest version the constraint accepts, `*` when `version` is empty or `*` (which,
/// like any constraint without a pre-release, accepts stable versions only).
pub fn select_version(versions: &[String], version: &str) -> Result<String, SelectError> {
    if !version.is_empty()
        && let Some(exact) = versions.iter().find(|v| *v == version)
    {
        return Ok(exact.clone());
    }
    let text = if version.is_empty() { "*" } else { version };
    let constraint = Constraint::parse(text).map_err(|e| SelectError::Constraint(e.to_string()))?;
    versions
        .iter()
        .filter_map(|v| Version::parse_tag(v).ok())
        .filter(|v| constraint.check(v))
        .max()
        .map(|v| v.original().to_string())
        .ok_or_else(|| SelectError::NoMatch(version.to_string()))
}

/// A chart pulled from a registry.
#[derive(Clone, Debug)]
pub struct PulledChart {
    /// The packaged chart (`.tgz`) as pushed.
    pub archive: Vec<u8>,
    pub manifest: Manifest,
    /// The chart layer's descriptor.
    pub layer: Descriptor,
}

/// The chart layer of a chart manifest, checked as Helm's `Pull` checks it: the config must
/// be a Helm chart config, and a layer must hold the chart.
pub fn chart_layer(manifest: &Manifest) -> Result<&Descriptor> {
    if manifest.config.media_type != CONFIG_MEDIA_TYPE {
        return Err(Error::Manifest(format!(
            "{} is not a Helm chart: its config has media type '{}', expected '{CONFIG_MEDIA_TYPE}'",
            manifest.digest, manifest.config.media_type
        )));
    }
    manifest
        .layers
        .iter()
        .find(|l| {
            l.media_type == CHART_LAYER_MEDIA_TYPE || l.media_type == LEGACY_CHART_LAYER_MEDIA_TYPE
        })
        .ok_or_else(|| {
            Error::Manifest(format!(
                "manifest {} does not contain a layer with mediatype {CHART_LAYER_MEDIA_TYPE}",
                manifest.digest
            ))
        })
}

/// Pulls chart `version` from `repository`: its manifest (tag `version` with `+` as `_`), then
/// the chart layer, at most `cap` bytes, checked against its digest.
pub async fn pull_chart(
    client: &Client,
    repository: &str,
    version: &str,
    cap: u64,
) -> Result<PulledChart> {
    let manifest = client
        .manifest(repository, &version_to_tag(version))
        .await?;
    let layer = chart_layer(&manifest)?.clone();
    let archive = client.blob(repository, &layer, cap, "chart").await?;
    Ok(PulledChart {
        archive,
        manifest,
        layer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chart_versions_are_strict_semver_tags_highest_first() {
        let listed = tags(&[
            "1.0.0",
            "latest",
            "v1.2.0",
            "1.10.0",
            "2.0.0-rc.1",
            "1.2.0_build.7",
            "1.2",
            "01.0.0",
            "sha256-abc.sig",
        ]);
        assert_eq!(
            chart_versions(&listed),
            ["2.0.0-rc.1", "1.10.0", "1.2.0+build.7", "1.0.0"]
        );
    }

    #[test]
    fn selects_as_flux_does() {
        let versions = chart_versions(&tags(&[
            "1.0.0",
            "1.1.0",
            "1.1.1",
            "2.0.0-rc.1",
            "0.9.0_meta",
        ]));
        // Empty and `*`: the highest stable version.
        assert_eq!(select_version(&versions, "").unwrap(), "1.1.1");
        assert_eq!(select_version(&versions, "*").unwrap(), "1.1.1");
        // Ranges.
        assert_eq!(select_version(&versions, "1.x").unwrap(), "1.1.1");
        assert_eq!(select_version(&versions, "~1.0").unwrap(), "1.0.0");
        assert_eq!(select_version(&versions, "<1.0.0").unwrap(), "0.9.0+meta");
        assert_eq!(
            select_version(&versions, ">=1.0.0 <1.1.1").unwrap(),
            "1.1.0"
        );
        // Pre-releases only when the constraint asks for them.
        assert_eq!(
            select_version(&versions, ">=2.0.0-0").unwrap(),
            "2.0.0-rc.1"
        );
        // An exact string wins before any constraint parsing.
        assert_eq!(
            select_version(&versions, "0.9.0+meta").unwrap(),
            "0.9.0+meta"
        );
        assert_eq!(
            select_version(&versions, ">=3.0.0").unwrap_err(),
            SelectError::NoMatch(">=3.0.0".into())
        );
        assert_eq!(
            select_version(&versions, ">=3.0.0")
                .unwrap_err()
                .to_string(),
            "could not locate a version matching provided version string >=3.0.0"
        );
        assert!(matches!(
            select_version(&versions, "not a range").unwrap_err(),
            SelectError::Constraint(_)
        ));
        assert!(select_version(&[], "*").is_err());
    }

    #[test]
    fn exact_versions_skip_the_tag_list() {
        assert!(is_exact_version("1.2.3"));
        assert!(is_exact_version("v1.2.3"));
        assert!(is_exact_version("1.2.3-rc.1+meta"));
        assert!(!is_exact_version("1.2"));
        assert!(!is_exact_version("1.x"));
        assert!(!is_exact_version(">=1.0.0"));
        assert!(!is_exact_version(""));
        assert!(!is_exact_version("*"));
    }

    fn manifest(config: &str, layers: &[&str]) -> Manifest {
        let d = |m: &str| Descriptor {
            media_type: m.into(),
            digest: format!("sha256:{}", "0".repeat(64)),
            size: 1,
            annotations: None,
        };
        Manifest {
            digest: "sha256:m".into(),
            media_type: crate::media_type::OCI_MANIFEST.into(),
            config: d(config),
            layers: layers.iter().map(|l| d(l)).collect(),
            annotations: Default::default(),
        }
    }

    #[test]
    fn chart_manifests_need_the_helm_config_and_chart_layer() {
        let ok = manifest(
            CONFIG_MEDIA_TYPE,
            &[PROV_LAYER_MEDIA_TYPE, CHART_LAYER_MEDIA_TYPE],
        );
        assert_eq!(chart_layer(&ok).unwrap().media_type, CHART_LAYER_MEDIA_TYPE);
        let legacy = manifest(CONFIG_MEDIA_TYPE, &[LEGACY_CHART_LAYER_MEDIA_TYPE]);
        assert!(chart_layer(&legacy).is_ok());
        let image = manifest(
            "application/vnd.oci.image.config.v1+json",
            &["application/vnd.oci.image.layer.v1.tar+gzip"],
        );
        let e = chart_layer(&image).unwrap_err().to_string();
        assert!(e.contains("is not a Helm chart"), "{e}");
        let empty = manifest(CONFIG_MEDIA_TYPE, &[]);
        let e = chart_layer(&empty).unwrap_err().to_string();
        assert!(e.contains(CHART_LAYER_MEDIA_TYPE), "{e}");
    }
}
