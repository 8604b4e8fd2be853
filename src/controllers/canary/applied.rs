//! What a tick may leave out. Flagger applies a Canary's primary, Services and routes on
//! every tick; at hundreds of Canaries that is most of the controller's API traffic (six of
//! the eight requests of an idle Gateway API tick). tk applies them again when anything they
//! are built from changed (the Canary's generation, the target's selector and discovered
//! ports; not the phase, which none of them depends on), after a failed tick, after a
//! restart, and at least every [`RESYNC`], so that edits and deletions by hand are still
//! undone.

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kube::ResourceExt;

use crate::api::flagger::Canary;

use super::target::Selector;

/// The longest a Canary's objects go without being applied again.
pub const RESYNC: Duration = Duration::from_secs(300);

/// Per Canary (`namespace/name`): what its objects were last applied from, and when.
#[derive(Default)]
pub struct Applied {
    entries: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    fingerprint: u64,
    at: Instant,
}

impl Applied {
    /// Whether the objects built from `fingerprint` were applied less than [`RESYNC`] ago.
    pub fn fresh(&self, key: &str, fingerprint: u64) -> bool {
        self.entries
            .lock()
            .unwrap()
            .get(key)
            .is_some_and(|e| e.fingerprint == fingerprint && e.at.elapsed() < RESYNC)
    }

    /// Records that the objects built from `fingerprint` were applied; keeps the time of the
    /// last full apply when nothing changed.
    pub fn record(&self, key: &str, fingerprint: u64) {
        let mut entries = self.entries.lock().unwrap();
        match entries.get(key) {
            Some(e) if e.fingerprint == fingerprint && e.at.elapsed() < RESYNC => {}
            _ => {
                entries.insert(
                    key.to_string(),
                    Entry {
                        fingerprint,
                        at: Instant::now(),
                    },
                );
            }
        }
    }

    pub fn forget(&self, key: &str) {
        self.entries.lock().unwrap().remove(key);
    }
}

/// What the primary, the Services (with their discovered `ports`) and the routes of `canary`
/// are built from.
pub fn fingerprint(canary: &Canary, sel: &Selector, ports: &BTreeMap<String, i32>) -> u64 {
    let mut hasher = DefaultHasher::new();
    canary.uid().hash(&mut hasher);
    canary.metadata.generation.hash(&mut hasher);
    sel.key.hash(&mut hasher);
    sel.value.hash(&mut hasher);
    ports.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canary(generation: i64) -> Canary {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": { "name": "podinfo", "namespace": "test", "uid": "u1",
                          "generation": generation },
            "spec": { "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment",
                                     "name": "podinfo" },
                      "service": { "port": 80 } }
        }))
        .unwrap()
    }

    fn selector(value: &str) -> Selector {
        Selector {
            key: "app".into(),
            value: value.into(),
        }
    }

    #[test]
    fn a_changed_input_is_not_fresh() {
        let applied = Applied::default();
        let none = BTreeMap::new();
        let first = fingerprint(&canary(1), &selector("podinfo"), &none);
        assert!(!applied.fresh("test/podinfo", first));
        applied.record("test/podinfo", first);
        assert!(applied.fresh("test/podinfo", first));
        assert_eq!(first, fingerprint(&canary(1), &selector("podinfo"), &none));
        for changed in [
            fingerprint(&canary(2), &selector("podinfo"), &none),
            fingerprint(&canary(1), &selector("other"), &none),
            fingerprint(
                &canary(1),
                &selector("podinfo"),
                &BTreeMap::from([("metrics".to_string(), 9797)]),
            ),
        ] {
            assert!(!applied.fresh("test/podinfo", changed));
        }
        // A new phase (the analysis's own status writes) is not a new input.
        let mut progressing = canary(1);
        crate::controllers::canary::status::set_phase(
            progressing.status.get_or_insert_with(Default::default),
            crate::api::flagger::CanaryPhase::Progressing,
        );
        assert!(applied.fresh(
            "test/podinfo",
            fingerprint(&progressing, &selector("podinfo"), &none)
        ));
        applied.forget("test/podinfo");
        assert!(!applied.fresh("test/podinfo", first));
    }
}
