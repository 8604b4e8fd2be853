//! The OCIRepository reconciler (Flux's `ocirepository_controller.go`): resolve `spec.ref`
//! to a manifest digest (a digest as given; else the highest `semver` tag; else `tag`, else
//! `latest`, by `HEAD`); when that revision, `spec.ignore` or `spec.layerSelector` differ
//! from what built the stored artifact, pull the manifest by digest, select a layer, extract
//! it (archived with the ignore rules) or copy it into the store, and publish the artifact
//! with the manifest's annotations as its metadata. A failed pull keeps the last artifact.

mod auth;
mod layer;
mod reference;
mod status;

use std::sync::Arc;
use std::time::{Duration, Instant};

use kube::runtime::controller::Action;

use super::SourceContext;
use super::archive::{archive_with_ignore_rules, publish};
use super::outcome::{Failure, reason as shared};
use super::reconciler::{self, Published};
use crate::api::source::{OCILayerOperation, OCIRepository, OCIRepositoryStatus};
use reference::{Resolved, Selector, Target};
use status::{Attempt, Progress, reason};

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

reconciler::impl_source_kind!(OCIRepository, OCIRepositoryStatus, "ocirepository");

pub async fn run(ctx: Arc<SourceContext>) -> anyhow::Result<()> {
    reconciler::run::<OCIRepository, _, _>(ctx, apply).await
}

/// One converging pass. Every outcome, failures included, is written to the status; the
/// returned action says when to come back.
async fn apply(obj: Arc<OCIRepository>, ctx: Arc<SourceContext>, started: Instant) -> Action {
    let (interval, attempt) = match reconciler::interval_and_timeout(
        &obj.spec.interval,
        obj.spec.timeout.as_deref(),
        DEFAULT_TIMEOUT,
    ) {
        Ok((interval, timeout)) => (Some(interval), converge(&obj, &ctx, timeout).await),
        Err(failure) => (None, Attempt::failed(failure)),
    };
    let new = status::next(&obj, &attempt);
    let outcome = match &attempt.result {
        Ok(progress) => Ok(Published {
            artifact: &progress.artifact,
            event: status::event(&obj, progress),
        }),
        Err(failure) => Err(failure),
    };
    reconciler::finish(obj.as_ref(), &ctx, &new, outcome, interval, started).await
}

/// Resolves the reference; pulls and stores only when the artifact would differ.
async fn converge(obj: &OCIRepository, ctx: &SourceContext, timeout: Duration) -> Attempt {
    if let Err(failure) = refuse_unsupported(obj) {
        return Attempt::failed(failure);
    }
    // spec.timeout bounds every registry operation of the reconcile together, as Flux's
    // context deadline does; storing is not counted.
    let deadline = tokio::time::Instant::now() + timeout;
    let within = |prefix: String| {
        move |_| {
            Failure::retry(
                reason::OCI_PULL_FAILED,
                format!("{prefix}: timed out after {timeout:?} (spec.timeout)"),
            )
        }
    };
    let (registry, resolved) = match tokio::time::timeout_at(deadline, resolve(obj, ctx, timeout))
        .await
        .map_err(within("failed to determine artifact digest".into()))
        .and_then(|r| r)
    {
        Ok(found) => found,
        Err(failure) => return Attempt::failed(failure),
    };
    let revision = resolved.revision();
    let current = obj
        .status
        .as_ref()
        .and_then(|s| s.artifact.clone())
        .filter(|a| ctx.storage.exists(&a.path));
    if let Some(artifact) = &current
        && artifact.revision == revision
        && status::content_config_unchanged(obj)
    {
        tracing::debug!(%revision, "artifact up-to-date with remote revision");
        return Attempt {
            outdated: None,
            result: Ok(Progress {
                artifact: artifact.clone(),
                url: obj.status.as_ref().and_then(|s| s.url.clone()),
            }),
        };
    }
    let outdated = current
        .filter(|a| a.revision != revision)
        .map(|_| format!("new revision '{revision}' for '{resolved}'"));
    let workdir = match tempfile::tempdir() {
        Ok(dir) => dir,
        Err(e) => {
            return Attempt {
                outdated,
                result: Err(Failure::retry(
                    shared::DIRECTORY_CREATION_FAILED,
                    format!("failed to create temporary working directory: {e}"),
                )),
            };
        }
    };
    let pulled = tokio::time::timeout_at(deadline, pull(obj, &registry, &resolved, workdir.path()))
        .await
        .map_err(within(format!(
            "failed to pull artifact from '{}'",
            obj.spec.url
        )))
        .and_then(|r| r);
    let result = match pulled {
        Ok(pulled) => store(obj, ctx, &resolved, pulled).await,
        Err(failure) => Err(failure),
    };
    Attempt { outdated, result }
}

/// `spec.verify` needs cosign or notation, which tk does not have: stalled rather than an
/// unverified artifact the user believes verified.
fn refuse_unsupported(obj: &OCIRepository) -> Result<(), Failure> {
    if obj.spec.verify.is_some() {
        return Err(Failure::verification(format!(
            "spec.verify: tk does not verify OCI artifact signatures (cosign, notation) yet; \
             remove spec.verify from OCIRepository '{}' to pull '{}' unverified",
            kube::ResourceExt::name_any(obj),
            obj.spec.url
        ))
        .stalling());
    }
    Ok(())
}

/// The registry client and the reference resolved to a manifest digest.
async fn resolve(
    obj: &OCIRepository,
    ctx: &SourceContext,
    timeout: Duration,
) -> Result<(auth::Registry, Resolved), Failure> {
    let url = &obj.spec.url;
    let repository = reference::parse_url(url).map_err(|e| {
        Failure::stalled(
            shared::URL_INVALID,
            format!("URL validation failed for '{url}': {e}"),
        )
    })?;
    let registry = auth::connect(obj, ctx, &repository.registry, timeout).await?;
    let client = &registry.client;
    let refused = |e: &oci::Error| {
        if e.is_unauthorized() {
            registry.unauthorized_hint.clone()
        } else {
            String::new()
        }
    };
    let digest_failure = |e: oci::Error| {
        Failure::retry(
            reason::OCI_PULL_FAILED,
            format!("failed to determine artifact digest: {e}{}", refused(&e)),
        )
    };
    let (target, digest) = match Selector::of(obj.spec.r#ref.as_ref()) {
        Selector::Digest(digest) => {
            oci::check_digest(&digest).map_err(digest_failure)?;
            (Target::Digest(digest.clone()), digest)
        }
        Selector::Tag(tag) => {
            let digest = client
                .manifest_digest(&repository.name, &tag)
                .await
                .map_err(digest_failure)?;
            (Target::Tag(tag), digest)
        }
        Selector::Semver { range, filter } => {
            let tag_failure = |message: String| {
                Failure::retry(
                    reason::READ_OPERATION_FAILED,
                    format!("failed to determine the artifact tag for '{url}': {message}"),
                )
            };
            let tags = client
                .tags(&repository.name)
                .await
                .map_err(|e| tag_failure(format!("{e}{}", refused(&e))))?;
            let tag =
                reference::select_tag(&tags, &range, filter.as_deref()).map_err(tag_failure)?;
            let digest = client
                .manifest_digest(&repository.name, &tag)
                .await
                .map_err(digest_failure)?;
            (Target::Tag(tag), digest)
        }
    };
    Ok((
        registry,
        Resolved {
            repository,
            target,
            digest,
        },
    ))
}

/// What was pulled: the layer file (extracted into `content` unless copied) and the
/// manifest's annotations.
struct Pulled {
    layer: std::path::PathBuf,
    content: std::path::PathBuf,
    annotations: std::collections::BTreeMap<String, String>,
}

fn operation(obj: &OCIRepository) -> OCILayerOperation {
    obj.spec
        .layer_selector
        .as_ref()
        .and_then(|s| s.operation)
        .unwrap_or_default()
}

/// Pulls the manifest by the resolved digest (so a tag moving meanwhile cannot mix two
/// artifacts), then the selected layer into `workdir`, extracted when the operation asks.
async fn pull(
    obj: &OCIRepository,
    registry: &auth::Registry,
    resolved: &Resolved,
    workdir: &std::path::Path,
) -> Result<Pulled, Failure> {
    let name = &resolved.repository.name;
    let layer_failure =
        |message: String| Failure::retry(reason::OCI_LAYER_OPERATION_FAILED, message);
    let manifest = registry
        .client
        .manifest(name, &resolved.digest)
        .await
        .map_err(|e| match e {
            oci::Error::Manifest(_) => {
                layer_failure(format!("failed to parse artifact manifest: {e}"))
            }
            e => {
                let hint = if e.is_unauthorized() {
                    registry.unauthorized_hint.as_str()
                } else {
                    ""
                };
                Failure::retry(
                    reason::OCI_PULL_FAILED,
                    format!("failed to pull artifact from '{}': {e}{hint}", obj.spec.url),
                )
            }
        })?;
    let media_type = obj
        .spec
        .layer_selector
        .as_ref()
        .and_then(|s| s.media_type.as_deref());
    let selected = layer::select(&manifest, media_type).map_err(layer_failure)?;
    let operation = operation(obj);
    let failed = match operation {
        OCILayerOperation::Extract => "failed to extract layer contents from artifact",
        OCILayerOperation::Copy => "failed to copy layer from artifact",
    };
    let layer = workdir.join("layer");
    layer::download(&registry.client, name, selected, &layer)
        .await
        .map_err(|e| layer_failure(format!("{failed}: {e}")))?;
    let content = workdir.join("content");
    if operation == OCILayerOperation::Extract {
        std::fs::create_dir(&content).map_err(|e| {
            Failure::retry(
                shared::DIRECTORY_CREATION_FAILED,
                format!("failed to create temporary working directory: {e}"),
            )
        })?;
        layer::extract(layer.clone(), content.clone())
            .await
            .map_err(|e| layer_failure(format!("{failed}: {e}")))?;
    }
    Ok(Pulled {
        layer,
        content,
        annotations: manifest.annotations,
    })
}

/// Stores the pulled content as `<digest>.tar.gz` and links `latest.tar.gz` to it.
async fn store(
    obj: &OCIRepository,
    ctx: &SourceContext,
    resolved: &Resolved,
    pulled: Pulled,
) -> Result<Progress, Failure> {
    let dir = reconciler::object_dir(obj);
    let file_name = resolved.file_name();
    let stored = match operation(obj) {
        OCILayerOperation::Extract => {
            archive_with_ignore_rules(
                ctx.storage.clone(),
                dir,
                file_name,
                pulled.content,
                obj.spec.ignore.clone(),
            )
            .await?
        }
        OCILayerOperation::Copy => {
            let storage = ctx.storage.clone();
            let layer = pulled.layer;
            tokio::task::spawn_blocking(move || {
                let file =
                    std::fs::File::open(&layer).map_err(|e| format!("{}: {e}", layer.display()))?;
                storage
                    .store(&dir, &file_name, std::io::BufReader::new(file))
                    .map_err(|e| e.to_string())
            })
            .await
            .unwrap_or_else(|e| Err(format!("copy aborted: {e}")))
            .map_err(|e| {
                Failure::retry(
                    shared::ARCHIVE_OPERATION_FAILED,
                    format!("unable to copy artifact to storage: {e}"),
                )
            })?
        }
    };
    Ok(publish(
        &ctx.storage,
        stored,
        resolved.revision(),
        (!pulled.annotations.is_empty()).then_some(pulled.annotations),
    ))
}
