//! The Bucket status a reconcile leads to, and its event, with Flux's condition types,
//! reasons and messages (`reconcileSource`, `reconcileArtifact`, `notify`).

use crate::api::meta;
use crate::api::source::{Bucket, BucketStatus};
use crate::controllers::source::outcome::{
    Attempt, Progress, mark_attempt_failed, mark_stored, stored_event_reason,
};

/// The status after this reconcile. Conditions whose status does not change keep their
/// transition time, so an unchanged outcome yields an identical status and no write.
pub fn next(obj: &Bucket, attempt: &Attempt) -> BucketStatus {
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
            let message = format!("stored artifact: revision '{}'", progress.artifact.revision);
            mark_stored(
                &mut conditions,
                meta::reason::SUCCEEDED,
                &message,
                generation,
            );
            status.artifact = Some(progress.artifact.clone());
            status.url = progress.url.clone().or(status.url);
            status.observed_generation = generation;
            status.observed_ignore = obj.spec.ignore.clone();
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

/// The `Normal` event of a successful reconcile (Flux's `notify`), counting the objects of
/// the index.
pub fn event(obj: &Bucket, progress: &Progress, files: usize) -> Option<(&'static str, String)> {
    let old = obj.status.as_ref();
    let reason = stored_event_reason(
        old.and_then(|s| s.artifact.as_ref()),
        old.and_then(|s| s.conditions.as_deref())
            .unwrap_or_default(),
        &progress.artifact,
    )?;
    Some((
        reason,
        format!(
            "stored artifact with {files} fetched files from '{}' bucket",
            obj.spec.bucket_name
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::meta::Artifact;
    use crate::controllers::source::outcome::{Failure, now};

    fn bucket(status: serde_json::Value) -> Bucket {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "Bucket",
            "metadata": { "name": "app", "namespace": "ns", "generation": 3 },
            "spec": {
                "bucketName": "fleet", "endpoint": "127.0.0.1:9000", "interval": "5m",
                "ignore": "*.md",
            },
            "status": status,
        }))
        .unwrap()
    }

    fn artifact(digest: &str) -> Artifact {
        Artifact {
            digest: digest.into(),
            last_update_time: now(),
            metadata: None,
            path: "bucket/ns/app/abc.tar.gz".into(),
            revision: "sha256:abc".into(),
            size: Some(1),
            url: "http://storage/bucket/ns/app/abc.tar.gz".into(),
        }
    }

    fn condition_of(status: &BucketStatus, type_: &str) -> Option<(String, String, String)> {
        let c = meta::find_condition(status.conditions.as_deref()?, type_)?;
        Some((c.status.clone(), c.reason.clone(), c.message.clone()))
    }

    #[test]
    fn a_stored_artifact_is_ready_with_flux_messages() {
        let obj = bucket(serde_json::json!({}));
        let progress = Progress {
            artifact: artifact("sha256:d1"),
            url: Some("http://storage/bucket/ns/app/latest.tar.gz".into()),
        };
        let status = next(
            &obj,
            &Attempt {
                outdated: None,
                result: Ok(progress.clone()),
            },
        );
        let message = "stored artifact: revision 'sha256:abc'".to_string();
        for type_ in ["Ready", "ArtifactInStorage"] {
            assert_eq!(
                condition_of(&status, type_),
                Some(("True".into(), "Succeeded".into(), message.clone()))
            );
        }
        assert_eq!(status.observed_generation, Some(3));
        assert_eq!(status.observed_ignore.as_deref(), Some("*.md"));
        assert_eq!(
            event(&obj, &progress, 4),
            Some((
                "NewArtifact",
                "stored artifact with 4 fetched files from 'fleet' bucket".to_string()
            ))
        );
        let same = bucket(serde_json::json!({ "artifact": artifact("sha256:d1") }));
        assert_eq!(event(&same, &progress, 4), None);
    }

    #[test]
    fn a_failed_fetch_of_a_new_revision_keeps_the_artifact_and_marks_it_outdated() {
        let obj = bucket(serde_json::json!({
            "artifact": artifact("sha256:d1"), "observedGeneration": 2
        }));
        let status = next(
            &obj,
            &Attempt {
                outdated: Some("new upstream revision 'sha256:def'".into()),
                result: Err(Failure::retry(
                    "BucketOperationFailed",
                    "fetch from bucket 'fleet' failed",
                )),
            },
        );
        assert_eq!(status.artifact.as_ref().unwrap().digest, "sha256:d1");
        assert_eq!(
            condition_of(&status, "ArtifactOutdated"),
            Some((
                "True".into(),
                "NewRevision".into(),
                "new upstream revision 'sha256:def'".into()
            ))
        );
        assert_eq!(
            condition_of(&status, "FetchFailed").unwrap().1,
            "BucketOperationFailed"
        );
        assert_eq!(condition_of(&status, "Ready").unwrap().0, "False");
        assert_eq!(status.observed_generation, Some(2));
    }
}
