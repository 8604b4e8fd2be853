//! Which API resource serves a kind, and whether it is namespaced, cached per
//! group/version/kind. A kind missing from the cache is looked up again, so CRDs applied
//! earlier in the same run are found.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kube::api::{Api, DynamicObject, ListParams, ObjectList};
use kube::core::{ApiResource, GroupVersionKind};
use kube::discovery::Scope;

use super::{Error, ObjectRef, api_message};

/// How a kind is served.
#[derive(Debug, Clone)]
pub(crate) struct Kind {
    pub resource: ApiResource,
    pub namespaced: bool,
}

/// (group, version, kind)
type KindKey = (String, String, String);

/// Which resource serves each kind, learnt from the API server. Clones share the cache:
/// give one to every [`super::ResourceManager`] of a controller (see
/// [`super::ResourceManager::with_discovery_cache`]) so that kinds are discovered once per
/// process rather than once per reconcile. A kind not in the cache is looked up again, so
/// CRDs created later are found.
#[derive(Clone, Default)]
pub struct DiscoveryCache {
    kinds: Arc<Mutex<HashMap<KindKey, Kind>>>,
}

impl DiscoveryCache {
    /// The kind of `r`; `Ok(None)` when the API server does not serve it.
    pub(crate) async fn lookup(
        &self,
        client: &kube::Client,
        r: &ObjectRef,
    ) -> Result<Option<Kind>, Error> {
        let key = (r.group.clone(), r.version.clone(), r.kind.clone());
        if let Some(kind) = self
            .kinds
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(Some(kind.clone()));
        }
        let gvk = GroupVersionKind::gvk(&r.group, &r.version, &r.kind);
        match kube::discovery::pinned_kind(client, &gvk).await {
            Ok((resource, caps)) => {
                let kind = Kind {
                    resource,
                    namespaced: caps.scope == Scope::Namespaced,
                };
                self.kinds
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key, kind.clone());
                Ok(Some(kind))
            }
            Err(kube::Error::Discovery(_)) => Ok(None),
            Err(err) if super::is_not_found(&err) => Ok(None),
            Err(err) => Err(Error::Kube {
                what: format!("discovering the API of {r} ({})", r.api_version()),
                message: api_message(&err),
                source: Box::new(err),
            }),
        }
    }
}

/// The dynamic API serving `r` (in its namespace when the kind is namespaced).
pub(crate) fn api_for(client: &kube::Client, kind: &Kind, r: &ObjectRef) -> Api<DynamicObject> {
    if kind.namespaced {
        Api::namespaced_with(client.clone(), &r.namespace, &kind.resource)
    } else {
        Api::all_with(client.clone(), &kind.resource)
    }
}

/// Page size of LISTs, so a large namespace is read in bounded pieces.
const PAGE: u32 = 500;

/// Every object `list` returns for `selector`, read page by page.
pub(crate) async fn list_all<T, F, Fut>(list: F, selector: &str) -> kube::Result<Vec<T>>
where
    // ObjectList requires it.
    T: Clone,
    F: Fn(ListParams) -> Fut,
    Fut: std::future::Future<Output = kube::Result<ObjectList<T>>>,
{
    let mut params = ListParams::default().labels(selector).limit(PAGE);
    let mut found = Vec::new();
    loop {
        let page = list(params.clone()).await?;
        let next = page.metadata.continue_.clone().filter(|c| !c.is_empty());
        found.extend(page.items);
        match next {
            Some(token) => params = params.continue_token(&token),
            None => return Ok(found),
        }
    }
}
