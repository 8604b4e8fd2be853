//! The layer an OCIRepository stores, as Flux's `selectLayer` and the `extract`/`copy`
//! operations treat it: the first layer of `layerSelector.mediaType` (or the first layer),
//! streamed to disk under a size cap and checked against its digest before anything reads
//! it, then unpacked with the caps and refusals of `artifact::extract` (symlinks skipped, as
//! Flux's untar skips them) or kept as is.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use oci::Descriptor;

/// The largest layer pulled: what the kustomize controller would refuse to download is of
/// no use stored.
pub const MAX_LAYER_SIZE: u64 = crate::controllers::kustomize::artifact::MAX_DOWNLOAD_BYTES;

/// The layer `media_type` selects, as Flux words the failures.
pub fn select<'a>(
    manifest: &'a oci::Manifest,
    media_type: Option<&str>,
) -> Result<&'a Descriptor, String> {
    let first = manifest
        .layers
        .first()
        .ok_or_else(|| "no layers found in artifact".to_string())?;
    match media_type.filter(|m| !m.is_empty()) {
        None => Ok(first),
        Some(wanted) => manifest
            .layers
            .iter()
            .find(|l| l.media_type == wanted)
            .ok_or_else(|| format!("failed to find layer with media type '{wanted}' in artifact")),
    }
}

/// Streams the layer blob into the new file `path`; memory stays at one chunk whatever the
/// layer's size.
pub async fn download(
    client: &oci::Client,
    repository: &str,
    layer: &Descriptor,
    path: &Path,
) -> Result<(), String> {
    let file =
        std::fs::File::create_new(path).map_err(|e| format!("creating {}: {e}", path.display()))?;
    let mut out = BufWriter::new(file);
    client
        .blob_into(repository, layer, MAX_LAYER_SIZE, "the layer", &mut out)
        .await
        .map_err(|e| e.to_string())?;
    out.flush()
        .map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Unpacks the tar+gzip at `layer` into the existing directory `dest`, off the async
/// runtime.
pub async fn extract(layer: PathBuf, dest: PathBuf) -> Result<(), String> {
    tokio::task::spawn_blocking(move || {
        let file =
            std::fs::File::open(&layer).map_err(|e| format!("opening {}: {e}", layer.display()))?;
        let limits = artifact::Limits {
            skip_symlinks: true,
            ..artifact::Limits::default()
        };
        artifact::extract(std::io::BufReader::new(file), &dest, limits)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .await
    .unwrap_or_else(|e| Err(format!("extraction aborted: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(layers: &[&str]) -> oci::Manifest {
        let d = |m: &str| Descriptor {
            media_type: m.into(),
            digest: format!("sha256:{}", "0".repeat(64)),
            size: 1,
            annotations: None,
        };
        oci::Manifest {
            digest: "sha256:m".into(),
            media_type: oci::media_type::OCI_MANIFEST.into(),
            config: d(oci::flux::CONFIG_MEDIA_TYPE),
            layers: layers.iter().map(|l| d(l)).collect(),
            annotations: Default::default(),
        }
    }

    #[test]
    fn selects_the_first_layer_or_the_first_of_the_media_type() {
        let chart = oci::helm::CHART_LAYER_MEDIA_TYPE;
        let m = manifest(&[oci::flux::CONTENT_MEDIA_TYPE, chart, chart]);
        assert_eq!(
            select(&m, None).unwrap().media_type,
            oci::flux::CONTENT_MEDIA_TYPE
        );
        assert_eq!(
            select(&m, Some("")).unwrap().media_type,
            oci::flux::CONTENT_MEDIA_TYPE
        );
        assert!(std::ptr::eq(select(&m, Some(chart)).unwrap(), &m.layers[1]));
        assert_eq!(
            select(&m, Some("application/x-unknown")).unwrap_err(),
            "failed to find layer with media type 'application/x-unknown' in artifact"
        );
        assert_eq!(
            select(&manifest(&[]), Some(chart)).unwrap_err(),
            "no layers found in artifact"
        );
    }
}
