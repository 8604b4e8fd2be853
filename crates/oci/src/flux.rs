//! Flux's OCI artifacts, as `flux push artifact` stores them (fluxcd/pkg `oci/client`
//! `Push`, `meta.go`): an OCI image manifest whose config has media type
//! [`CONFIG_MEDIA_TYPE`], one layer holding the tar+gzip of the files
//! ([`CONTENT_MEDIA_TYPE`]), and the OpenContainers `created`, `source` and `revision`
//! annotations that source-controller copies into `status.artifact.metadata`.
//!
//! ```no_run
//! # async fn demo(client: &oci::Client, tgz: Vec<u8>) -> Result<(), oci::Error> {
//! use oci::flux::{Metadata, artifact};
//! let metadata = Metadata {
//!     created: "2025-01-01T00:00:00Z".into(),
//!     source: "https://github.com/org/app.git".into(),
//!     revision: "main@sha1:0123abcd".into(),
//!     annotations: Default::default(),
//! };
//! let manifest = client
//!     .push_image("org/app-manifests", "latest", artifact(tgz, &metadata))
//!     .await?;
//! println!("pushed {}", manifest.digest);
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;

use bytes::Bytes;

use crate::push::{Blob, Image};

pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.flux.config.v1+json";
pub const CONTENT_MEDIA_TYPE: &str = "application/vnd.cncf.flux.content.v1.tar+gzip";
pub const CREATED_ANNOTATION: &str = "org.opencontainers.image.created";
pub const SOURCE_ANNOTATION: &str = "org.opencontainers.image.source";
pub const REVISION_ANNOTATION: &str = "org.opencontainers.image.revision";

/// Where an artifact's content comes from (Flux's `Metadata`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Metadata {
    /// RFC 3339 time of the push.
    pub created: String,
    /// The source URL, e.g. the Git repository.
    pub source: String,
    /// The source revision, e.g. `main@sha1:<hex>`.
    pub revision: String,
    /// More annotations; they win over the three above, as in Flux.
    pub annotations: BTreeMap<String, String>,
}

impl Metadata {
    /// The manifest annotations, as Flux's `ToAnnotations` writes them (the three
    /// OpenContainers keys always, even when empty).
    pub fn to_annotations(&self) -> BTreeMap<String, String> {
        let mut annotations = BTreeMap::from([
            (CREATED_ANNOTATION.to_string(), self.created.clone()),
            (SOURCE_ANNOTATION.to_string(), self.source.clone()),
            (REVISION_ANNOTATION.to_string(), self.revision.clone()),
        ]);
        annotations.extend(self.annotations.clone());
        annotations
    }
}

/// The artifact holding `content` (a tar+gzip, e.g. from `artifact::build`): an empty JSON
/// config and `content` as its only layer.
pub fn artifact(content: impl Into<Bytes>, metadata: &Metadata) -> Image {
    Image {
        config: Blob::new(CONFIG_MEDIA_TYPE, Bytes::from_static(b"{}")),
        layers: vec![Blob::new(CONTENT_MEDIA_TYPE, content)],
        annotations: metadata.to_annotations(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_annotations_win_over_the_opencontainers_ones() {
        let metadata = Metadata {
            created: "2025-01-01T00:00:00Z".into(),
            source: "https://example.com/app.git".into(),
            revision: String::new(),
            annotations: BTreeMap::from([
                (REVISION_ANNOTATION.to_string(), "v1@sha1:abc".to_string()),
                ("team".to_string(), "apps".to_string()),
            ]),
        };
        let image = artifact(b"tgz".to_vec(), &metadata);
        assert_eq!(image.config.media_type, CONFIG_MEDIA_TYPE);
        assert_eq!(&image.config.data[..], b"{}");
        assert_eq!(image.layers.len(), 1);
        assert_eq!(image.layers[0].media_type, CONTENT_MEDIA_TYPE);
        assert_eq!(
            image.annotations,
            BTreeMap::from([
                (
                    CREATED_ANNOTATION.to_string(),
                    "2025-01-01T00:00:00Z".to_string()
                ),
                (
                    SOURCE_ANNOTATION.to_string(),
                    "https://example.com/app.git".to_string()
                ),
                (REVISION_ANNOTATION.to_string(), "v1@sha1:abc".to_string()),
                ("team".to_string(), "apps".to_string()),
            ])
        );
    }
}
