//! The OCIRepository status a reconcile leads to, and its event, with Flux's condition
//! types, reasons and messages (`reconcileSource`, `reconcileArtifact`, `notify`).

use crate::api::meta::{self, remove_condition};
use crate::api::source::{OCIRepository, OCIRepositoryStatus};
pub use crate::controllers::source::outcome::{Attempt, Progress};
use crate::controllers::source::outcome::{
    condition, mark_attempt_failed, mark_stored, stored_event_reason,
};

pub mod reason {
    pub const OCI_PULL_FAILED: &str = "OCIArtifactPullFailed";
    pub const OCI_LAYER_OPERATION_FAILED: &str = "OCIArtifactLayerOperationFailed";
    pub const READ_OPERATION_FAILED: &str = "ReadOperationFailed";
}

/// Whether the artifact was built with the spec's ignore rules and layer selector (Flux's
/// `ociContentConfigChanged`, negated).
pub fn content_config_unchanged(obj: &OCIRepository) -> bool {
    let Some(status) = &obj.status else {
        return false;
    };
    status.observed_ignore == obj.spec.ignore
        && status.observed_layer_selector == obj.spec.layer_selector
}

/// The status after this reconcile. Conditions whose status does not change keep their
/// transition time, so an unchanged outcome yields an identical status and no write.
pub fn next(obj: &OCIRepository, attempt: &Attempt) -> OCIRepositoryStatus {
    let generation = obj.metadata.generation;
    let old = obj.status.clone().unwrap_or_default();
    let mut status = old.clone();
    let mut conditions = old.conditions.unwrap_or_default();
    status.last_handled_reconcile_at = meta::handled_reconcile_request(
        obj.metadata.annotations.as_ref(),
        old.last_handled_reconcile_at,
    );
    match &attempt.result {
        Ok(progress) => {
            let message = format!(
                "stored artifact for digest '{}'",
                progress.artifact.revision
            );
            mark_stored(
                &mut conditions,
                meta::reason::SUCCEEDED,
                &message,
                generation,
            );
            // Nothing is verified: a SourceVerified left from an earlier spec goes.
            remove_condition(&mut conditions, condition::SOURCE_VERIFIED);
            status.artifact = Some(progress.artifact.clone());
            status.url = progress.url.clone().or(status.url);
            status.observed_generation = generation;
            status.observed_ignore = obj.spec.ignore.clone();
            status.observed_layer_selector = obj.spec.layer_selector.clone();
        }
        Err(failure) => {
            mark_attempt_failed(
                &mut conditions,
                attempt.outdated.as_deref(),
                failure,
                generation,
            );
            if failure.stalled {
                status.observed_generation = generation;
            }
        }
    }
    status.conditions = Some(conditions);
    status
}

/// The `Normal` event of a successful reconcile (Flux's `notify`), naming the origin the
/// artifact's annotations record.
pub fn event(obj: &OCIRepository, progress: &Progress) -> Option<(&'static str, String)> {
    let old = obj.status.as_ref();
    let reason = stored_event_reason(
        old.and_then(|s| s.artifact.as_ref()),
        old.and_then(|s| s.conditions.as_deref())
            .unwrap_or_default(),
        &progress.artifact,
    )?;
    let artifact = &progress.artifact;
    let mut message = format!(
        "stored artifact with revision '{}' from '{}'",
        artifact.revision, obj.spec.url
    );
    let annotation = |key: &str| {
        artifact
            .metadata
            .as_ref()
            .and_then(|m| m.get(key))
            .filter(|v| !v.is_empty())
    };
    if let (Some(source), Some(revision)) = (
        annotation(oci::flux::SOURCE_ANNOTATION),
        annotation(oci::flux::REVISION_ANNOTATION),
    ) {
        message.push_str(&format!(
            ", origin source '{source}', origin revision '{revision}'"
        ));
    }
    Some((reason, message))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::api::meta::Artifact;
    use crate::controllers::source::outcome::reason::ARCHIVE_OPERATION_FAILED;
    use crate::controllers::source::outcome::{Failure, mark_failed, now};

    fn repo(status: serde_json::Value) -> OCIRepository {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "OCIRepository",
            "metadata": { "name": "app", "namespace": "ns", "generation": 3 },
            "spec": {
                "interval": "5m",
                "url": "oci://ghcr.io/org/app",
                "ignore": "*.md",
            },
            "status": status,
        }))
        .unwrap()
    }

    fn artifact(digest: &str, metadata: &[(&str, &str)]) -> Artifact {
        Artifact {
            digest: digest.into(),
            last_update_time: now(),
            metadata: (!metadata.is_empty()).then(|| {
                metadata
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect::<BTreeMap<_, _>>()
            }),
            path: "ocirepository/ns/app/sha256:x.tar.gz".into(),
            revision: "latest@sha256:x".into(),
            size: Some(1),
            url: "http://storage/ocirepository/ns/app/sha256:x.tar.gz".into(),
        }
    }

    fn condition_of(status: &OCIRepositoryStatus, type_: &str) -> Option<(String, String, String)> {
        let c = meta::find_condition(status.conditions.as_deref()?, type_)?;
        Some((c.status.clone(), c.reason.clone(), c.message.clone()))
    }

    #[test]
    fn a_stored_artifact_is_ready_with_flux_messages() {
        let obj = repo(serde_json::json!({}));
        let progress = Progress {
            artifact: artifact("sha256:d1", &[]),
            url: Some("http://storage/latest.tar.gz".into()),
        };
        let status = next(
            &obj,
            &Attempt {
                outdated: None,
                result: Ok(progress.clone()),
            },
        );
        let message = "stored artifact for digest 'latest@sha256:x'".to_string();
        assert_eq!(
            condition_of(&status, "Ready"),
            Some(("True".into(), "Succeeded".into(), message.clone()))
        );
        assert_eq!(
            condition_of(&status, "ArtifactInStorage"),
            Some(("True".into(), "Succeeded".into(), message))
        );
        assert_eq!(status.observed_generation, Some(3));
        assert_eq!(status.observed_ignore.as_deref(), Some("*.md"));
        assert_eq!(status.url.as_deref(), Some("http://storage/latest.tar.gz"));
        assert!(content_config_unchanged(&OCIRepository {
            status: Some(status),
            ..obj
        }));
    }

    #[test]
    fn a_failed_pull_of_a_new_revision_keeps_the_artifact_and_marks_it_outdated() {
        let kept = artifact("sha256:d1", &[]);
        let obj = repo(serde_json::json!({ "artifact": kept, "observedGeneration": 2 }));
        let status = next(
            &obj,
            &Attempt {
                outdated: Some(
                    "new revision 'latest@sha256:y' for 'ghcr.io/org/app:latest'".into(),
                ),
                result: Err(Failure::retry(
                    reason::OCI_LAYER_OPERATION_FAILED,
                    "failed to find layer with media type 'x' in artifact",
                )),
            },
        );
        assert_eq!(status.artifact.as_ref().unwrap().digest, "sha256:d1");
        assert_eq!(
            condition_of(&status, "ArtifactOutdated"),
            Some((
                "True".into(),
                "NewRevision".into(),
                "new revision 'latest@sha256:y' for 'ghcr.io/org/app:latest'".into()
            ))
        );
        assert_eq!(
            condition_of(&status, "FetchFailed").unwrap().1,
            "OCIArtifactLayerOperationFailed"
        );
        assert_eq!(condition_of(&status, "Ready").unwrap().0, "False");
        // Retried: the generation is not marked as handled.
        assert_eq!(status.observed_generation, Some(2));
    }

    #[test]
    fn events_name_the_origin_and_tell_new_artifacts_from_recoveries() {
        let annotated = artifact(
            "sha256:d1",
            &[
                (oci::flux::SOURCE_ANNOTATION, "https://github.com/org/app"),
                (oci::flux::REVISION_ANNOTATION, "main@sha1:abc"),
            ],
        );
        let progress = Progress {
            artifact: annotated.clone(),
            url: None,
        };
        let fresh = repo(serde_json::json!({}));
        assert_eq!(
            event(&fresh, &progress),
            Some((
                "NewArtifact",
                "stored artifact with revision 'latest@sha256:x' from 'oci://ghcr.io/org/app', \
                 origin source 'https://github.com/org/app', origin revision 'main@sha1:abc'"
                    .to_string()
            ))
        );
        let same = repo(serde_json::json!({ "artifact": annotated }));
        assert_eq!(event(&same, &progress), None);
        let mut failed = same.clone();
        let mut conditions = Vec::new();
        mark_failed(
            &mut conditions,
            &Failure::retry(ARCHIVE_OPERATION_FAILED, "disk full"),
            Some(3),
        );
        failed.status.as_mut().unwrap().conditions = Some(conditions);
        assert_eq!(event(&failed, &progress).unwrap().0, "Succeeded");
        // Without both origin annotations the message stops at the URL.
        let bare = Progress {
            artifact: artifact("sha256:d2", &[(oci::flux::SOURCE_ANNOTATION, "x")]),
            url: None,
        };
        assert_eq!(
            event(&same, &bare).unwrap().1,
            "stored artifact with revision 'latest@sha256:x' from 'oci://ghcr.io/org/app'"
        );
    }
}
