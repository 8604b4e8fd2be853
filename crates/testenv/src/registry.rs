//! A real OCI registry on loopback: CNCF Distribution (`registry serve`, built from the Go
//! module proxy by `hack/rig-build.sh --registry`, or `TK_REGISTRY_BIN`), storing on disk in
//! a temporary directory, on plain HTTP or HTTPS from a fresh CA (the rig's pki), with
//! optional htpasswd (bcrypt) basic authentication. Charts are pushed with the real `helm`
//! (`helm registry login` + `helm push`), so what a client pulls is exactly what Helm
//! stores.
//!
//! If the binary cannot be built or the registry does not start, the error says why, with
//! the tail of its log; nothing is skipped.
//!
//! ```no_run
//! use testenv::registry::{Registry, RegistryOptions};
//! use testenv::charts::{ChartRepo, write_test_chart};
//! # fn main() -> anyhow::Result<()> {
//! let registry = Registry::start(&RegistryOptions {
//!     basic_auth: Some(("fleet".into(), "s3cret".into())),
//!     ..Default::default()
//! })?;
//! let charts = ChartRepo::new()?;
//! let src = tempfile::tempdir()?;
//! let tgz = charts.add_chart(&write_test_chart(src.path(), "app", "1.0.0")?, None, None)?;
//! registry.push_chart(&tgz, "charts")?; // oci://127.0.0.1:<port>/charts/app:1.0.0
//! let url = registry.url("charts"); // HelmRepository.spec.url (type: oci)
//! # let _ = url; Ok(()) }
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;

use crate::procs::Component;

/// The htpasswd realm the registry challenges with.
pub const REALM: &str = "tk-testenv-registry";

/// How to start a registry; `Default` is plain HTTP without authentication.
#[derive(Clone, Debug, Default)]
pub struct RegistryOptions {
    /// `(username, password)`: every request needs them (htpasswd, bcrypt), else it gets
    /// `401` with `WWW-Authenticate: Basic realm="tk-testenv-registry"`.
    pub basic_auth: Option<(String, String)>,
    /// Serve HTTPS with a certificate for 127.0.0.1 from a fresh CA ([`Registry::ca_pem`]).
    pub tls: bool,
}

/// A running registry; dropping it kills the process and removes its storage.
pub struct Registry {
    dir: tempfile::TempDir,
    port: u16,
    options: RegistryOptions,
    ca_pem: Option<String>,
    helm: PathBuf,
    process: Mutex<Component>,
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.process
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .kill();
    }
}

impl Registry {
    /// Starts a registry on a free loopback port and waits until it answers `GET /v2/`.
    pub fn start(options: &RegistryOptions) -> Result<Registry> {
        let bin = crate::reference(crate::Reference::Registry)?;
        let helm = crate::reference(crate::Reference::Helm)?;
        let prefix = format!("tk-testenv-{}-registry-", std::process::id());
        let dir = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir()
            .context("creating a temporary directory for the registry")?;
        for sub in ["data", "helm/cache", "helm/config", "helm/data"] {
            std::fs::create_dir_all(dir.path().join(sub))?;
        }
        let ca_pem = if options.tls {
            let pki = crate::pki::Pki::generate().context("generating the registry's TLS")?;
            std::fs::write(dir.path().join("ca.crt"), &pki.ca.cert_pem)?;
            std::fs::write(dir.path().join("tls.crt"), &pki.serving.cert_pem)?;
            std::fs::write(dir.path().join("tls.key"), &pki.serving.key_pem)?;
            Some(pki.ca.cert_pem)
        } else {
            None
        };
        if let Some((user, password)) = &options.basic_auth {
            if user.is_empty() || user.contains(':') {
                bail!("registry user {user:?} must be non-empty and without ':'");
            }
            // bcrypt is the only scheme Distribution's htpasswd accepts; cost 5 keeps each
            // authenticated request cheap.
            let hash = bcrypt::hash(password, 5).context("hashing the registry password")?;
            std::fs::write(dir.path().join("htpasswd"), format!("{user}:{hash}\n"))?;
        }
        let (port, process) = crate::git::with_port_retry(|port| {
            let config = dir.path().join("config.yml");
            std::fs::write(&config, config_yaml(dir.path(), port, options))?;
            let mut process = Component::start(
                "registry",
                &bin,
                &["serve".to_string(), config.display().to_string()],
                dir.path(),
            )?;
            match crate::http::wait_answering(
                &mut process,
                port,
                "/v2/",
                ca_pem.as_deref(),
                |status| matches!(status, 200 | 401),
            ) {
                Ok(()) => Ok((port, process)),
                Err(e) => {
                    process.kill();
                    Err(e)
                }
            }
        })
        .context("starting the OCI registry")?;
        Ok(Registry {
            dir,
            port,
            options: options.clone(),
            ca_pem,
            helm,
            process: Mutex::new(process),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:<port>`: the registry host, as Docker config keys name it.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `oci://127.0.0.1:<port>/<path>` (no trailing slash; `path` may be empty).
    pub fn url(&self, path: &str) -> String {
        let path = path.trim_matches('/');
        if path.is_empty() {
            format!("oci://{}", self.host())
        } else {
            format!("oci://{}/{path}", self.host())
        }
    }

    /// `http(s)://127.0.0.1:<port>`: where the Distribution API answers.
    pub fn api_url(&self) -> String {
        let scheme = if self.options.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.host())
    }

    /// The CA (PEM) that signed the serving certificate, with [`RegistryOptions::tls`].
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The credentials of [`RegistryOptions::basic_auth`].
    pub fn credentials(&self) -> Option<(&str, &str)> {
        self.options
            .basic_auth
            .as_ref()
            .map(|(u, p)| (u.as_str(), p.as_str()))
    }

    /// A Docker `config.json` (a `kubernetes.io/dockerconfigjson` Secret's
    /// `.dockerconfigjson`) for this registry with `user` and `password`, as `kubectl create
    /// secret docker-registry` writes it.
    pub fn docker_config_json(&self, user: &str, password: &str) -> String {
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        serde_json::json!({
            "auths": { self.host(): { "username": user, "password": password, "auth": auth } }
        })
        .to_string()
    }

    /// The registry's log (Distribution's application and access log).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// Checks the registry process is still running, with its log tail when it is not.
    pub fn check_alive(&self) -> Result<()> {
        self.process
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .check_alive()
    }

    /// `helm` with cache, config, data and registry login private to this registry, no
    /// proxy for loopback, and no cluster.
    pub fn helm_command(&self) -> Command {
        let home = self.dir.path().join("helm");
        let mut cmd = crate::charts::isolated_helm(&self.helm, &home);
        cmd.env("HELM_REGISTRY_CONFIG", home.join("config/registry.json"))
            .env_remove("DOCKER_CONFIG");
        cmd
    }

    /// The flags that make helm reach this registry: `--plain-http`, or `--ca-file`.
    fn transport_args(&self) -> Vec<String> {
        if self.options.tls {
            vec![
                "--ca-file".into(),
                self.dir.path().join("ca.crt").display().to_string(),
            ]
        } else {
            vec!["--plain-http".into()]
        }
    }

    /// `helm registry login` with [`RegistryOptions::basic_auth`] (a no-op without it).
    pub fn login(&self) -> Result<()> {
        let Some((user, password)) = &self.options.basic_auth else {
            return Ok(());
        };
        let mut cmd = self.helm_command();
        cmd.args(["registry", "login", &self.host(), "--username", user])
            .arg("--password-stdin")
            .args(self.transport_args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().context("running helm registry login")?;
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(password.as_bytes())?;
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!(
                "helm registry login {} failed ({}): {}{}",
                self.host(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(())
    }

    /// `helm push <tgz> oci://127.0.0.1:<port>/<path>` (logging in first when the registry
    /// needs it): the chart lands at `<path>/<chart name>:<version with + as _>`. Returns the
    /// manifest digest helm reports.
    pub fn push_chart(&self, tgz: &Path, path: &str) -> Result<String> {
        self.login()?;
        let out = self
            .helm_command()
            .arg("push")
            .arg(tgz)
            .arg(self.url(path))
            .args(self.transport_args())
            .stdin(Stdio::null())
            .output()
            .context("running helm push")?;
        // helm prints "Pushed: ..." and "Digest: sha256:..." on stderr.
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if !out.status.success() {
            bail!(
                "helm push {} {} failed ({}): {text}\nregistry log:\n{}",
                tgz.display(),
                self.url(path),
                out.status,
                crate::procs::tail(&self.dir.path().join("registry.log"), 20)
            );
        }
        text.lines()
            .find_map(|l| l.trim().strip_prefix("Digest: ").map(str::to_string))
            .ok_or_else(|| anyhow!("helm push printed no digest: {text}"))
    }
}

fn config_yaml(dir: &Path, port: u16, options: &RegistryOptions) -> String {
    let mut config = format!(
        "version: 0.1\n\
         log:\n  level: info\n  formatter: text\n\
         storage:\n  filesystem:\n    rootdirectory: {data}\n  delete:\n    enabled: true\n  \
         maintenance:\n    uploadpurging:\n      enabled: false\n\
         http:\n  addr: 127.0.0.1:{port}\n  secret: tk-testenv-{port}\n",
        data = dir.join("data").display(),
    );
    if options.tls {
        config.push_str(&format!(
            "  tls:\n    certificate: {}\n    key: {}\n",
            dir.join("tls.crt").display(),
            dir.join("tls.key").display()
        ));
    }
    if options.basic_auth.is_some() {
        config.push_str(&format!(
            "auth:\n  htpasswd:\n    realm: {REALM}\n    path: {}\n",
            dir.join("htpasswd").display()
        ));
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::{ChartRepo, write_test_chart};

    fn get(registry: &Registry, path: &str, auth: Option<(&str, &str)>) -> (u16, String) {
        let agent: ureq::Agent = match registry.ca_pem() {
            Some(ca) => crate::http::agent(ca, None).unwrap(),
            None => ureq::Agent::config_builder()
                .http_status_as_error(false)
                .proxy(None)
                .build()
                .into(),
        };
        let mut request = agent.get(format!("{}{path}", registry.api_url()));
        if let Some((u, p)) = auth {
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
            request = request.header("Authorization", format!("Basic {token}"));
        }
        let mut response = request.call().unwrap();
        let status = response.status().as_u16();
        (
            status,
            response.body_mut().read_to_string().unwrap_or_default(),
        )
    }

    #[test]
    fn registry_starts_with_basic_auth_and_helm_pushes_charts() {
        let registry = Registry::start(&RegistryOptions {
            basic_auth: Some(("fleet".into(), "s3cret".into())),
            ..Default::default()
        })
        .unwrap();
        let (status, body) = get(&registry, "/v2/", None);
        assert_eq!(status, 401, "{body}");
        assert_eq!(get(&registry, "/v2/", Some(("fleet", "wrong"))).0, 401);
        assert_eq!(get(&registry, "/v2/", Some(("fleet", "s3cret"))).0, 200);

        let charts = ChartRepo::new().unwrap();
        let src = tempfile::tempdir().unwrap();
        let dir = write_test_chart(src.path(), "app", "1.0.0").unwrap();
        for version in ["1.0.0", "1.1.0+build.7"] {
            let tgz = charts.add_chart(&dir, Some(version), None).unwrap();
            let digest = registry.push_chart(&tgz, "charts").unwrap();
            assert!(digest.starts_with("sha256:"), "{digest}");
        }
        let (status, body) = get(
            &registry,
            "/v2/charts/app/tags/list",
            Some(("fleet", "s3cret")),
        );
        assert_eq!(status, 200, "{body}");
        let tags: serde_json::Value = serde_json::from_str(&body).unwrap();
        let mut tags: Vec<&str> = tags["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        tags.sort();
        // helm writes SemVer's `+` as `_` in tags.
        assert_eq!(tags, ["1.0.0", "1.1.0_build.7"]);
        registry.check_alive().unwrap();
    }

    #[test]
    fn registry_serves_https_from_its_own_ca() {
        let registry = Registry::start(&RegistryOptions {
            tls: true,
            ..Default::default()
        })
        .unwrap();
        assert!(registry.api_url().starts_with("https://"));
        assert_eq!(get(&registry, "/v2/", None).0, 200);
        let charts = ChartRepo::new().unwrap();
        let src = tempfile::tempdir().unwrap();
        let dir = write_test_chart(src.path(), "tls-app", "0.1.0").unwrap();
        let tgz = charts.add_chart(&dir, None, None).unwrap();
        registry.push_chart(&tgz, "charts").unwrap();
        let (status, body) = get(&registry, "/v2/charts/tls-app/tags/list", None);
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("0.1.0"), "{body}");
    }
}
