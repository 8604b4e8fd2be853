//! OCI image manifests and content descriptors (the fields tk reads).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Media types of the manifests themselves.
pub mod media_type {
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    pub const DOCKER_MANIFEST_LIST: &str =
        "application/vnd.docker.distribution.manifest.list.v2+json";
}

/// A content descriptor: what a blob is, how big, and its digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub digest: String,
    pub size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// An image manifest, with the digest of the bytes it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// `sha256:<hex>` of the manifest as served.
    pub digest: String,
    /// The manifest's media type (from its body, else the response's Content-Type).
    pub media_type: String,
    pub config: Descriptor,
    pub layers: Vec<Descriptor>,
    pub annotations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    #[serde(default)]
    schema_version: Option<i64>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Option<Vec<Descriptor>>,
    #[serde(default)]
    manifests: Option<serde_json::Value>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
}

impl Manifest {
    /// Reads an image manifest; image indexes and Docker manifest lists are refused by name.
    pub fn parse(bytes: &[u8], content_type: Option<&str>, digest: String) -> Result<Manifest> {
        let wire: Wire = serde_json::from_slice(bytes)
            .map_err(|e| Error::Manifest(format!("not a JSON image manifest: {e}")))?;
        let media_type = wire
            .media_type
            .clone()
            .or_else(|| content_type.map(|c| c.split(';').next().unwrap_or(c).trim().to_string()))
            .unwrap_or_default();
        if wire.manifests.is_some()
            || media_type == media_type::OCI_INDEX
            || media_type == media_type::DOCKER_MANIFEST_LIST
        {
            return Err(Error::Manifest(format!(
                "{digest} is an image index ({media_type}), not an image manifest"
            )));
        }
        if wire.schema_version != Some(2) {
            return Err(Error::Manifest(format!(
                "{digest} has schemaVersion {}, expected 2",
                wire.schema_version
                    .map_or_else(|| "missing".to_string(), |v| v.to_string())
            )));
        }
        let config = wire
            .config
            .ok_or_else(|| Error::Manifest(format!("{digest} has no config descriptor")))?;
        Ok(Manifest {
            digest,
            media_type,
            config,
            layers: wire.layers.unwrap_or_default(),
            annotations: wire.annotations.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_helm_chart_manifest() {
        let body = br#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"sha256:aa","size":117},
          "layers":[{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"sha256:bb","size":3574}],
          "annotations":{"org.opencontainers.image.title":"app"}}"#;
        let m = Manifest::parse(
            body,
            Some("application/vnd.oci.image.manifest.v1+json"),
            "sha256:cc".into(),
        )
        .unwrap();
        assert_eq!(m.media_type, media_type::OCI_MANIFEST);
        assert_eq!(
            m.config.media_type,
            "application/vnd.cncf.helm.config.v1+json"
        );
        assert_eq!(m.layers[0].size, 3574);
        assert_eq!(m.annotations["org.opencontainers.image.title"], "app");
    }

    #[test]
    fn refuses_indexes_and_junk() {
        let index = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
        let e = Manifest::parse(index, None, "sha256:1".into()).unwrap_err();
        assert!(e.to_string().contains("image index"), "{e}");
        assert!(Manifest::parse(b"[]", None, "sha256:1".into()).is_err());
        assert!(Manifest::parse(br#"{"schemaVersion":1}"#, None, "sha256:1".into()).is_err());
        assert!(Manifest::parse(br#"{"schemaVersion":2}"#, None, "sha256:1".into()).is_err());
    }
}
