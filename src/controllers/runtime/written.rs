//! The resourceVersion each object had after this controller last wrote its status.
//!
//! A reconcile is handed the object from the watch cache, and the event of our own status
//! write can arrive after the next reconcile of that object has started (a related object's
//! event schedules it at once). A reconciler that builds its status on the status it is
//! handed would then undo its own last write: a release installed a moment ago, reported
//! with the conditions from before the install. So when the cached object is not the one
//! this controller last wrote, it is read once from the API server instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kube::api::Api;
use kube::{Resource, ResourceExt};
use serde::de::DeserializeOwned;

#[derive(Default)]
pub struct OwnWrites {
    versions: Mutex<HashMap<String, String>>,
}

impl OwnWrites {
    /// Remembers the object as a write returned it.
    pub fn record<K: Resource>(&self, written: &K) {
        if let (Some(uid), Some(version)) = (written.uid(), written.resource_version()) {
            self.lock().insert(uid, version);
        }
    }

    pub fn forget<K: Resource>(&self, obj: &K) {
        if let Some(uid) = obj.uid() {
            self.lock().remove(&uid);
        }
    }

    /// `obj` when it is what this controller last wrote (or it never wrote it), else the
    /// object as the API server has it now; `obj` again when that read fails (the
    /// reconcile goes on with what it has, as before).
    pub async fn latest<K>(&self, api: &Api<K>, obj: Arc<K>) -> Arc<K>
    where
        K: Resource + Clone + DeserializeOwned + std::fmt::Debug,
    {
        let Some(uid) = obj.uid() else { return obj };
        let known = self.lock().get(&uid).cloned();
        match known {
            Some(version) if obj.resource_version().as_ref() != Some(&version) => {
                match api.get(&obj.name_any()).await {
                    Ok(fresh) => {
                        if let Some(version) = fresh.resource_version() {
                            self.lock().insert(uid, version);
                        }
                        Arc::new(fresh)
                    }
                    Err(e) => {
                        tracing::debug!(error = %e, "reading the object past the watch cache");
                        obj
                    }
                }
            }
            _ => obj,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.versions.lock().unwrap_or_else(|p| p.into_inner())
    }
}
