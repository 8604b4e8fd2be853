//! Proof, kept between reconciles, that an object needs neither a read nor a dry run.
//!
//! Flux detects drift with a GET and a server-side dry run per object on every reconcile:
//! two requests per object even when nothing changed. After an apply (or a dry run that
//! found no drift) we remember, per object, a digest of what we asked for and the live
//! object's uid and resourceVersion. On the next reconcile one metadata-only LIST per kind
//! and namespace shows whether the live object is still that version: any edit, by anyone,
//! bumps the resourceVersion. Same desired digest and same version mean the dry run would
//! find no drift again, so it is skipped. What a resourceVersion cannot show (an RBAC change
//! to the applying account, new schema defaults, webhooks) is caught by re-verifying every
//! object once its proof is older than [`VERIFIED_FOR`], and after a controller restart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{StreamExt, stream};
use kube::api::ObjectMeta;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::ObjectRef;
use super::discovery::{Kind, api_for, list_all};

/// How long a proof spares an object its dry run.
pub const VERIFIED_FOR: Duration = Duration::from_secs(15 * 60);

/// How many metadata LISTs of one stage are in flight at once.
const LISTS_AT_ONCE: usize = 4;

/// Shared by the managers of one controller; cheap to clone. Entries are kept per owner,
/// field manager and applying identity, and replaced wholesale by each successful apply, so
/// objects that left a set leave the cache with it.
#[derive(Clone, Default)]
pub struct DriftCache {
    scopes: Arc<Mutex<HashMap<String, HashMap<ObjectRef, Verified>>>>,
}

/// What the last apply or drift-free dry run of one object established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Verified {
    digest: [u8; 32],
    uid: String,
    resource_version: String,
    at: Instant,
}

impl Verified {
    /// A proof for `desired` (see [`digest`]) against the live metadata `live`.
    pub(super) fn new(desired: [u8; 32], live: &Value) -> Option<Verified> {
        let meta = &live["metadata"];
        Some(Verified {
            digest: desired,
            uid: non_empty(&meta["uid"])?,
            resource_version: non_empty(&meta["resourceVersion"])?,
            at: Instant::now(),
        })
    }

    /// Whether this proof still covers `desired` against the live metadata `live`.
    fn holds(&self, desired: &[u8; 32], live: &ObjectMeta, now: Instant) -> bool {
        &self.digest == desired
            && live.uid.as_deref() == Some(self.uid.as_str())
            && live.resource_version.as_deref() == Some(self.resource_version.as_str())
            && now.duration_since(self.at) < VERIFIED_FOR
    }
}

fn non_empty(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

/// The digest of a desired object as it is sent (normalised and labelled).
pub(super) fn digest(object: &Value) -> [u8; 32] {
    let bytes = serde_json::to_vec(object).unwrap_or_default();
    Sha256::digest(&bytes).into()
}

impl DriftCache {
    /// The proofs recorded for `scope`.
    pub(super) fn proofs(&self, scope: &str) -> HashMap<ObjectRef, Verified> {
        self.lock().get(scope).cloned().unwrap_or_default()
    }

    /// Replaces the proofs of `scope` after a successful apply of its whole set.
    pub(super) fn replace(&self, scope: String, proofs: HashMap<ObjectRef, Verified>) {
        let mut scopes = self.lock();
        if proofs.is_empty() {
            scopes.remove(&scope);
        } else {
            scopes.insert(scope, proofs);
        }
    }

    /// Drops every proof whose scope belongs to `owner` (it was deleted, or its next apply
    /// must verify everything).
    pub fn forget(&self, owner: &super::Owner) {
        let prefix = owner_prefix(owner);
        self.lock().retain(|scope, _| !scope.starts_with(&prefix));
    }

    /// How many objects have a proof (for tests and metrics).
    pub fn len(&self) -> usize {
        self.lock().values().map(HashMap::len).sum()
    }

    /// Whether no object has a proof.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, HashMap<ObjectRef, Verified>>> {
        self.scopes.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn owner_prefix(owner: &super::Owner) -> String {
    format!("{}\0{}\0{}\0", owner.group, owner.namespace, owner.name)
}

/// The cache key of a manager: owner, field manager and the identity it applies as (a
/// proof made with one account's rights says nothing about another's).
pub(super) fn scope(owner: &super::Owner, field_manager: &str, identity: &str) -> String {
    format!("{}{field_manager}\0{identity}", owner_prefix(owner))
}

/// Which of `candidates` (kind, ref, desired digest; answered by position) are proven
/// unchanged: the live metadata, read with one metadata-only LIST per kind and namespace
/// (only objects carrying the owner's labels), still matches their proof. A failed LIST
/// proves nothing.
pub(super) async fn proven_unchanged(
    client: &kube::Client,
    owner_selector: &str,
    proofs: &HashMap<ObjectRef, Verified>,
    candidates: &[(&Kind, &ObjectRef, &[u8; 32])],
) -> HashMap<usize, Verified> {
    let mut groups: HashMap<(&str, &str, &str, &str), Vec<usize>> = HashMap::new();
    for (i, (kind, r, _)) in candidates.iter().enumerate() {
        if proofs.contains_key(*r) {
            let key = (
                r.group.as_str(),
                r.version.as_str(),
                kind.resource.plural.as_str(),
                r.namespace.as_str(),
            );
            groups.entry(key).or_default().push(i);
        }
    }
    // Built up front (no closure inside the stream type), which keeps callers' futures Send.
    let lists: Vec<_> = groups
        .into_values()
        .map(|members| async move {
            let (kind, r, _) = candidates[members[0]];
            let live = list_metadata(client, kind, r, owner_selector).await;
            (members, live)
        })
        .collect();
    let listed: Vec<_> = stream::iter(lists)
        .buffer_unordered(LISTS_AT_ONCE)
        .collect()
        .await;
    let now = Instant::now();
    let mut proven = HashMap::new();
    for (members, live) in listed {
        let Some(live) = live else { continue };
        for i in members {
            let (_, r, digest) = candidates[i];
            let (Some(proof), Some(meta)) = (proofs.get(r), live.get(&r.name)) else {
                continue;
            };
            if proof.holds(digest, meta, now) {
                // The proof keeps its age: re-verification is due VERIFIED_FOR after the
                // dry run that made it, however often it is reused.
                proven.insert(i, proof.clone());
            }
        }
    }
    proven
}

async fn list_metadata(
    client: &kube::Client,
    kind: &Kind,
    r: &ObjectRef,
    selector: &str,
) -> Option<HashMap<String, ObjectMeta>> {
    let api = &api_for(client, kind, r);
    let listed = list_all(|p| async move { api.list_metadata(&p).await }, selector)
        .await
        .ok()?;
    Some(
        listed
            .into_iter()
            .filter_map(|o| Some((o.metadata.name.clone()?, o.metadata)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn meta(uid: &str, rv: &str) -> ObjectMeta {
        ObjectMeta {
            uid: Some(uid.into()),
            resource_version: Some(rv.into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_proof_holds_only_for_the_same_desired_object_and_live_version() {
        let desired = json!({"kind": "ConfigMap", "data": {"a": "1"}});
        let d = digest(&desired);
        let live = json!({"metadata": {"uid": "u1", "resourceVersion": "7"}});
        let proof = Verified::new(d, &live).unwrap();
        let now = Instant::now();
        assert!(proof.holds(&d, &meta("u1", "7"), now));
        assert!(
            !proof.holds(&d, &meta("u1", "8"), now),
            "edited live object"
        );
        assert!(!proof.holds(&d, &meta("u2", "7"), now), "recreated object");
        let other = digest(&json!({"kind": "ConfigMap", "data": {"a": "2"}}));
        assert!(
            !proof.holds(&other, &meta("u1", "7"), now),
            "new desired state"
        );
        assert!(
            !proof.holds(&d, &meta("u1", "7"), now + VERIFIED_FOR),
            "an old proof must be re-verified"
        );
        assert!(Verified::new(d, &json!({"metadata": {"uid": "u1"}})).is_none());
    }

    #[test]
    fn proofs_are_replaced_per_scope_and_forgotten_per_owner() {
        let owner = |name: &str| super::super::Owner {
            group: "kustomize.toolkit.fluxcd.io".into(),
            name: name.into(),
            namespace: "flux-system".into(),
        };
        let r = ObjectRef {
            group: String::new(),
            version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: "apps".into(),
            name: "a".into(),
        };
        let proof = Verified::new(
            digest(&json!({})),
            &json!({"metadata": {"uid": "u", "resourceVersion": "1"}}),
        )
        .unwrap();
        let cache = DriftCache::default();
        let (a, b) = (
            scope(&owner("a"), "kustomize-controller", ""),
            scope(&owner("ab"), "kustomize-controller", ""),
        );
        cache.replace(a.clone(), HashMap::from([(r.clone(), proof.clone())]));
        cache.replace(b.clone(), HashMap::from([(r.clone(), proof)]));
        assert_eq!(cache.len(), 2);
        assert!(
            cache
                .proofs(&scope(&owner("a"), "kustomize-controller", "sa"))
                .is_empty()
        );
        cache.forget(&owner("a"));
        assert!(cache.proofs(&a).is_empty());
        assert_eq!(cache.proofs(&b).len(), 1, "another owner's proofs stay");
        cache.replace(b, HashMap::new());
        assert!(cache.is_empty());
    }
}
