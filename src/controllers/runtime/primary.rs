//! The primary watch of a controller, filtered as Flux's predicates filter it
//! (GenerationChanged or ReconcileRequested): a status write, ours above all, does not start
//! another reconcile; a new generation, a `reconcile.fluxcd.io/*` request, a finalizer
//! change or a deletion does. Periodic work comes from the requeue, not from events. The
//! cached objects drop `managedFields`, which the reconcilers never read and which are most
//! of each object's size.

use std::fmt::Debug;
use std::hash::{DefaultHasher, Hash, Hasher};

use futures::Stream;
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Resource, ResourceExt};
use serde::de::DeserializeOwned;

use crate::api::meta::{
    FORCE_REQUEST_ANNOTATION, RECONCILE_REQUEST_ANNOTATION, RESET_REQUEST_ANNOTATION,
};

/// The store the controller reads and the events that start reconciles.
pub fn watch<K>(
    api: Api<K>,
    config: watcher::Config,
) -> (
    Store<K>,
    impl Stream<Item = Result<K, watcher::Error>> + Send,
)
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    let (reader, writer) = reflector::store();
    let events = watcher(api, config)
        .default_backoff()
        .modify(|obj: &mut K| obj.managed_fields_mut().clear())
        .reflect(writer)
        .applied_objects()
        .predicate_filter(inputs, Default::default());
    (reader, events)
}

/// What a reconcile depends on in the object itself, besides its status.
fn inputs<K: Resource>(obj: &K) -> Option<u64> {
    let meta = obj.meta();
    let request = |key: &str| meta.annotations.as_ref().and_then(|a| a.get(key));
    let mut hasher = DefaultHasher::new();
    (
        meta.generation,
        meta.deletion_timestamp.is_some(),
        &meta.finalizers,
        request(RECONCILE_REQUEST_ANNOTATION),
        request(FORCE_REQUEST_ANNOTATION),
        request(RESET_REQUEST_ANNOTATION),
    )
        .hash(&mut hasher);
    Some(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::helm::HelmRelease;

    fn release(status: serde_json::Value, annotations: serde_json::Value) -> HelmRelease {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": { "name": "app", "generation": 2, "annotations": annotations },
            "spec": { "interval": "5m", "chartRef": { "kind": "HelmChart", "name": "app" } },
            "status": status,
        }))
        .unwrap()
    }

    #[test]
    fn status_writes_are_not_inputs_but_requests_are() {
        let before = release(serde_json::json!({}), serde_json::json!({}));
        let written = release(
            serde_json::json!({ "observedGeneration": 2 }),
            serde_json::json!({}),
        );
        assert_eq!(inputs(&before), inputs(&written));
        let requested = release(
            serde_json::json!({}),
            serde_json::json!({ RECONCILE_REQUEST_ANNOTATION: "now" }),
        );
        assert_ne!(inputs(&before), inputs(&requested));
        let mut finalized = before.clone();
        finalized.metadata.finalizers = Some(vec!["finalizers.fluxcd.io".into()]);
        assert_ne!(inputs(&before), inputs(&finalized));
    }
}
