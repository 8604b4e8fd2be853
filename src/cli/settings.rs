//! Global flags resolved into the settings commands take.

use std::time::Duration;

use anyhow::{Context as _, Result};

use super::args::GlobalArgs;
use crate::api::duration;

#[derive(Debug, Clone)]
pub struct GlobalSettings {
    pub kubeconfig: Option<String>,
    pub context: Option<String>,
    pub namespace: String,
    pub timeout: Duration,
    pub verbose: bool,
}

impl GlobalSettings {
    pub fn resolve(args: &GlobalArgs) -> Result<Self> {
        let timeout = duration::parse_positive(&args.timeout)
            .with_context(|| "flag --timeout: pass a Go duration such as 30s or 5m")?;
        Ok(Self {
            kubeconfig: args.kubeconfig.clone().filter(|p| !p.is_empty()),
            context: args.context.clone(),
            namespace: args.namespace.clone(),
            timeout,
            verbose: args.verbose,
        })
    }

    /// A kube client for the selected kubeconfig and context.
    pub async fn client(&self) -> Result<kube::Client> {
        let options = kube::config::KubeConfigOptions {
            context: self.context.clone(),
            ..Default::default()
        };
        let config = match &self.kubeconfig {
            Some(path) => {
                let kubeconfig = kube::config::Kubeconfig::read_from(path)
                    .with_context(|| format!("reading kubeconfig {path}"))?;
                kube::Config::from_custom_kubeconfig(kubeconfig, &options).await
            }
            None => kube::Config::from_kubeconfig(&options).await,
        }
        .context("loading the kubeconfig: pass --kubeconfig or set KUBECONFIG")?;
        let mut config = config;
        // An unreachable server should fail within --timeout; reads keep kube's defaults so
        // long watches (`get --watch`) are not cut.
        config.connect_timeout = Some(self.timeout.min(Duration::from_secs(30)));
        kube::Client::try_from(config).context("building the Kubernetes client")
    }
}
