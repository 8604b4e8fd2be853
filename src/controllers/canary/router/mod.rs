//! Traffic routers: how a Canary's weights reach the traffic. Each provider writes exactly the
//! objects Flagger writes for it.

mod gateway_api;

use anyhow::{Result, bail};

use crate::api::flagger::{Canary, CanaryProvider};

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
}

impl Router {
    pub fn of(provider: CanaryProvider) -> Result<Self> {
        Ok(match provider {
            CanaryProvider::Kubernetes => Router::Kubernetes,
            CanaryProvider::GatewayapiV1 => Router::GatewayApi { version: "v1" },
            CanaryProvider::GatewayapiV1beta1 => Router::GatewayApi { version: "v1beta1" },
            other => bail!(
                "spec.provider: {:?} is not supported by tk yet: use kubernetes or gatewayapi:v1",
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
        }
    }
}
