//! A blocking HTTPS client for the apiserver, so the rig needs no Kubernetes client library.

use crate::pki::Credentials;
use anyhow::{Context, Result};
use std::time::Duration;
use ureq::Agent;
use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig, TlsProvider};

fn config() -> ureq::config::ConfigBuilder<ureq::typestate::AgentScope> {
    Agent::config_builder()
        // Callers look at status codes themselves: 403 and 404 are answers, not failures.
        .http_status_as_error(false)
        // A proxy from the environment must never see loopback traffic.
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(30)))
}

/// An agent that trusts `ca_pem` and, when given, presents `client` as its identity.
pub fn agent(ca_pem: &str, client: Option<&Credentials>) -> Result<Agent> {
    let ca = Certificate::from_pem(ca_pem.as_bytes()).context("parsing the CA certificate")?;
    let mut tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(RootCerts::new_with_certs(&[ca]));
    if let Some(c) = client {
        let cert = Certificate::from_pem(c.cert_pem.as_bytes())
            .context("parsing the client certificate")?;
        let key = PrivateKey::from_pem(c.key_pem.as_bytes()).context("parsing the client key")?;
        tls = tls.client_cert(Some(ClientCert::new_with_certs(&[cert], key)));
    }
    Ok(config().tls_config(tls.build()).build().into())
}

/// An agent for components' self-signed health endpoints, which are only probed, never trusted.
pub fn insecure_agent() -> Agent {
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .disable_verification(true)
        .build();
    config()
        .tls_config(tls)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into()
}

/// GET, returning the status code and body.
pub fn get(agent: &Agent, url: &str) -> Result<(u16, String)> {
    let mut resp = agent
        .get(url)
        .call()
        .with_context(|| format!("GET {url}"))?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .read_to_string()
        .with_context(|| format!("reading GET {url}"))?;
    Ok((status, body))
}

/// POST a JSON document, returning the status code and body.
pub fn post_json(agent: &Agent, url: &str, body: &serde_json::Value) -> Result<(u16, String)> {
    let mut resp = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .with_context(|| format!("POST {url}"))?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .read_to_string()
        .with_context(|| format!("reading POST {url}"))?;
    Ok((status, body))
}

/// Polls `GET <http or https>://127.0.0.1:<port><path>` (HTTPS trusting `ca_pem`) until the
/// status is one `ready` accepts, for up to 30 s, failing early with the log tail when the
/// process exits.
pub(crate) fn wait_answering(
    process: &mut crate::procs::Component,
    port: u16,
    path: &str,
    ca_pem: Option<&str>,
    ready: impl Fn(u16) -> bool,
) -> Result<()> {
    let (agent, scheme) = match ca_pem {
        Some(ca) => (agent(ca, None)?, "https"),
        None => (
            config()
                .timeout_global(Some(Duration::from_secs(5)))
                .build()
                .into(),
            "http",
        ),
    };
    let url = format!("{scheme}://127.0.0.1:{port}{path}");
    let start = std::time::Instant::now();
    loop {
        process.check_alive()?;
        let last = match agent.get(&url).call() {
            Ok(r) if ready(r.status().as_u16()) => return Ok(()),
            Ok(r) => format!("status {}", r.status()),
            Err(e) => e.to_string(),
        };
        if start.elapsed() > Duration::from_secs(30) {
            return Err(process.failure(&format!("did not answer {url} within 30s (last: {last})")));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
