//! Traffic routers: how a Canary's weights reach the traffic. Each provider writes exactly the
//! objects Flagger writes for it.

mod gateway_api;
mod istio;
mod smi;

use anyhow::{Result, anyhow, bail};
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
use kube::{Resource, ResourceExt};
use serde_json::Value;

use crate::api::flagger::{Canary, CanaryProvider};

use super::FIELD_MANAGER;
use super::services::Names;

/// The current split: weights of primary and canary out of 100, and whether the canary gets
/// a mirror of the primary's requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Routes {
    pub primary: i32,
    pub canary: i32,
    pub mirrored: bool,
}

impl Routes {
    pub const PRIMARY: Routes = Routes {
        primary: 100,
        canary: 0,
        mirrored: false,
    };
}

/// The router of a provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Router {
    /// Plain Services: the apex Service always selects the primary pods, so only blue/green
    /// (the canary tested through `<apex>-canary`) is possible.
    Kubernetes,
    /// An HTTPRoute `<apex>` with weighted backendRefs, at `gateway.networking.k8s.io/<version>`.
    GatewayApi { version: &'static str },
    /// A VirtualService `<apex>` with weighted destinations and the DestinationRules
    /// `<apex>-primary` and `<apex>-canary`.
    Istio,
    /// An SMI TrafficSplit `<apex>` at `split.smi-spec.io/<version>`.
    Smi { version: &'static str },
}

impl Router {
    pub fn of(provider: CanaryProvider) -> Result<Self> {
        Ok(match provider {
            CanaryProvider::Kubernetes => Router::Kubernetes,
            CanaryProvider::GatewayapiV1 => Router::GatewayApi { version: "v1" },
            CanaryProvider::GatewayapiV1beta1 => Router::GatewayApi { version: "v1beta1" },
            CanaryProvider::Istio => Router::Istio,
            // Flagger's linkerd provider is its SMI router at v1alpha1 (pkg/router/factory.go).
            CanaryProvider::Linkerd | CanaryProvider::SmiV1alpha1 => Router::Smi {
                version: "v1alpha1",
            },
            // And its osm provider the v1alpha2 router.
            CanaryProvider::SmiV1alpha2 | CanaryProvider::Osm => Router::Smi {
                version: "v1alpha2",
            },
            CanaryProvider::SmiV1alpha3 => Router::Smi {
                version: "v1alpha3",
            },
            other => bail!(
                "spec.provider: {:?} is not supported by tk yet: use kubernetes, gatewayapi:v1, \
                 istio, linkerd, osm or smi:v1alpha2",
                other.as_str()
            ),
        })
    }

    /// Whether weights can be shifted progressively (else analyses run as blue/green).
    pub fn shifts_traffic(self) -> bool {
        !matches!(self, Router::Kubernetes)
    }

    /// Creates or updates the router's objects, keeping the current weights.
    pub async fn reconcile(
        self,
        client: &kube::Client,
        canary: &Canary,
        names: &Names,
    ) -> Result<()> {
        match self {
            Router::Kubernetes => Ok(()),
            Router::GatewayApi { version } => {
                gateway_api::reconcile(client, version, canary, names).await
            }
            Router::Istio => istio::reconcile(client, canary, names).await,
            Router::Smi { version } => smi::reconcile(client, version, canary, names).await,
        }
    }

    pub async fn set_routes(
        self,
        client: &kube::Client,
        canary: &Canary,
        names: &Names,
        routes: Routes,
    ) -> Result<()> {
        match self {
            Router::Kubernetes => Ok(()),
            Router::GatewayApi { version } => {
                gateway_api::set_routes(client, version, canary, names, routes).await
            }
            Router::Istio => istio::set_routes(client, canary, names, routes).await,
            Router::Smi { version } => {
                smi::set_routes(client, version, canary, names, routes).await
            }
        }
    }

    pub async fn get_routes(
        self,
        client: &kube::Client,
        canary: &Canary,
        names: &Names,
    ) -> Result<Routes> {
        match self {
            Router::Kubernetes => Ok(Routes::PRIMARY),
            Router::GatewayApi { version } => {
                gateway_api::get_routes(client, version, canary, names).await
            }
            Router::Istio => istio::get_routes(client, canary, names).await,
            Router::Smi { version } => smi::get_routes(client, version, canary, names).await,
        }
    }
}

/// A namespaced kind of a mesh's API.
fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural)
}

/// The Canary's controller reference, which Flagger sets on every object it generates (as
/// `metav1.NewControllerRef` makes it: blocking the owner's deletion).
fn owner_references(canary: &Canary) -> Option<Value> {
    canary.controller_owner_ref(&()).map(|mut o| {
        o.block_owner_deletion = Some(true);
        serde_json::json!([o])
    })
}

/// The error for a kind the cluster does not serve (no CRD, or not this version of it).
fn unserved(resource: &ApiResource, name: &str, install: &str) -> anyhow::Error {
    anyhow!(
        "{kind} {name}: the cluster does not serve {} {kind}s: {install}",
        resource.api_version,
        kind = resource.kind
    )
}

/// Server-side applies `body`, an object of `resource` in the Canary's namespace, as the
/// canary controller. A kind the cluster does not serve is named with `install`, the fix.
async fn apply(
    client: &kube::Client,
    resource: &ApiResource,
    canary: &Canary,
    body: &Value,
    install: &str,
) -> Result<()> {
    let namespace = canary.namespace().unwrap_or_default();
    let name = body["metadata"]["name"].as_str().unwrap_or_default();
    Api::<DynamicObject>::namespaced_with(client.clone(), &namespace, resource)
        .patch(
            name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(body),
        )
        .await
        .map_err(|e| match e {
            // Applying creates what is missing: a 404 is the kind itself.
            kube::Error::Api(s) if s.code == 404 => unserved(resource, name, install),
            e => anyhow!("writing {} {name}: {e}", resource.kind),
        })?;
    Ok(())
}

/// The object `name` of `resource` in the Canary's namespace, if there is one. A kind the
/// cluster does not serve is an error, named with `install`.
async fn get_opt(
    client: &kube::Client,
    resource: &ApiResource,
    canary: &Canary,
    name: &str,
    install: &str,
) -> Result<Option<DynamicObject>> {
    let namespace = canary.namespace().unwrap_or_default();
    match Api::<DynamicObject>::namespaced_with(client.clone(), &namespace, resource)
        .get(name)
        .await
    {
        Ok(obj) => Ok(Some(obj)),
        // A missing object is a NotFound Status; an unserved path a bare "404 page not found".
        Err(kube::Error::Api(s)) if s.code == 404 && s.reason == "NotFound" => Ok(None),
        Err(kube::Error::Api(s)) if s.code == 404 => Err(unserved(resource, name, install)),
        Err(e) => Err(anyhow!("reading {} {name}: {e}", resource.kind)),
    }
}

/// The object `name` of `resource` in the Canary's namespace.
async fn get(
    client: &kube::Client,
    resource: &ApiResource,
    canary: &Canary,
    name: &str,
    install: &str,
) -> Result<DynamicObject> {
    get_opt(client, resource, canary, name, install)
        .await?
        .ok_or_else(|| anyhow!("{} {name} not found", resource.kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_map_to_flaggers_routers() {
        for (provider, router) in [
            (CanaryProvider::Istio, Router::Istio),
            (
                CanaryProvider::Linkerd,
                Router::Smi {
                    version: "v1alpha1",
                },
            ),
            (
                CanaryProvider::SmiV1alpha1,
                Router::Smi {
                    version: "v1alpha1",
                },
            ),
            (
                CanaryProvider::SmiV1alpha2,
                Router::Smi {
                    version: "v1alpha2",
                },
            ),
            (
                CanaryProvider::SmiV1alpha3,
                Router::Smi {
                    version: "v1alpha3",
                },
            ),
        ] {
            let got = Router::of(provider).unwrap();
            assert_eq!(got, router, "{}", provider.as_str());
            assert!(got.shifts_traffic());
        }
        let err = Router::of(CanaryProvider::Contour).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("spec.provider: \"contour\" is not supported by tk yet"),
            "{err}"
        );
    }
}
