//! Pushing an image: its blobs first (skipping those the registry has), then the OCI image
//! manifest naming them, under a tag, as `crane push` and `flux push artifact` do.

use std::collections::BTreeMap;

use bytes::Bytes;

use crate::manifest::{Manifest, media_type};
use crate::{Client, Error, Result};

/// A blob to push: its media type and bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blob {
    pub media_type: String,
    pub data: Bytes,
}

impl Blob {
    pub fn new(media_type: impl Into<String>, data: impl Into<Bytes>) -> Blob {
        Blob {
            media_type: media_type.into(),
            data: data.into(),
        }
    }
}

/// An image (or artifact) to push: a config blob, layers in order, manifest annotations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub config: Blob,
    pub layers: Vec<Blob>,
    pub annotations: BTreeMap<String, String>,
}

impl Client {
    /// Pushes `image` to `repository:<tag>` and returns the manifest as stored (its digest
    /// is what a pull by digest names).
    pub async fn push_image(&self, repository: &str, tag: &str, image: Image) -> Result<Manifest> {
        let config = self
            .push_blob(repository, &image.config.media_type, image.config.data)
            .await?;
        let mut layers = Vec::with_capacity(image.layers.len());
        for layer in image.layers {
            layers.push(
                self.push_blob(repository, &layer.media_type, layer.data)
                    .await?,
            );
        }
        let mut body = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": media_type::OCI_MANIFEST,
            "config": config,
            "layers": layers,
        });
        if !image.annotations.is_empty() {
            body["annotations"] = serde_json::json!(image.annotations);
        }
        let bytes = serde_json::to_vec(&body)
            .map_err(|e| Error::Other(format!("encoding the manifest: {e}")))?;
        let digest = self
            .push_manifest(repository, tag, media_type::OCI_MANIFEST, bytes.into())
            .await?;
        Ok(Manifest {
            digest,
            media_type: media_type::OCI_MANIFEST.to_string(),
            config,
            layers,
            annotations: image.annotations,
        })
    }
}
