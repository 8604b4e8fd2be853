//! `tk create secret oci NAME`: a `kubernetes.io/dockerconfigjson` Secret with registry
//! credentials, the kind an OCIRepository's `secretRef` names, written as `flux create secret
//! oci` writes it (its `.dockerconfigjson` byte for byte: Go's indented JSON, the registry
//! keyed as given, `username`, `password` and `auth`).

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use base64::Engine as _;
use serde::Serialize;
use serde_json::json;

use super::secret_helm::given;
use super::{export_document, parse_labels, secret_apply, secret_export};
use crate::cli::args::CreateSecretOciArgs;
use crate::cli::cluster;
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;

const DOCKER_CONFIG_JSON_TYPE: &str = "kubernetes.io/dockerconfigjson";
const DOCKER_CONFIG_JSON_KEY: &str = ".dockerconfigjson";

#[derive(Debug, Clone)]
pub struct SecretOciOptions {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    /// The registry, as the Docker config keys it.
    pub registry: String,
    pub username: String,
    pub password: String,
    pub export: bool,
}

/// `--url`: what flux accepts, a registry host with an optional repository path (its
/// `name.ParseReference` check); a scheme would make a key no client looks up.
fn check_registry(name: &str, url: &str) -> Result<()> {
    let invalid = |reason: String| {
        anyhow::anyhow!(
            "Secret {name}: flag --url: error parsing url: '{reason}': pass the registry host, \
             optionally with a repository path, without a scheme (e.g. ghcr.io or \
             ghcr.io/stefanprodan/charts)"
        )
    };
    if url.contains("://") {
        return Err(invalid(format!("{url:?} has a scheme")));
    }
    oci::Repository::parse(&format!("oci://{url}")).map_err(|err| invalid(err.to_string()))?;
    Ok(())
}

impl SecretOciOptions {
    pub fn resolve(args: &CreateSecretOciArgs, settings: &GlobalSettings) -> Result<Self> {
        let Some(name) = given(&args.name) else {
            bail!(
                "name is required: pass the Secret's name, as in \
                 `tk create secret oci NAME --url ghcr.io --username USER --password TOKEN`"
            );
        };
        let required = |value: &Option<String>, flag: &str, what: &str| {
            given(value)
                .ok_or_else(|| anyhow::anyhow!("Secret {name}: --{flag} is required: pass {what}"))
        };
        let registry = required(&args.url, "url", "the registry host, e.g. --url ghcr.io")?;
        let username = required(&args.username, "username", "the registry username")?;
        let password = required(&args.password, "password", "the registry password or token")?;
        check_registry(&name, &registry)?;
        Ok(Self {
            namespace: settings.namespace.clone(),
            labels: parse_labels(&args.label)?,
            registry,
            username,
            password,
            export: args.export,
            name,
        })
    }

    /// The Secret's string data: the Docker config with this registry's credentials.
    pub fn data(&self) -> BTreeMap<String, String> {
        BTreeMap::from([(
            DOCKER_CONFIG_JSON_KEY.to_string(),
            docker_config_json(&self.registry, &self.username, &self.password),
        )])
    }
}

/// One registry's entry, in the field order of flux's `DockerConfigEntry`.
#[derive(Serialize)]
struct DockerConfigEntry<'a> {
    username: &'a str,
    password: &'a str,
    auth: String,
}

#[derive(Serialize)]
struct DockerConfig<'a> {
    auths: BTreeMap<&'a str, DockerConfigEntry<'a>>,
}

/// The Docker config as Go's `json.MarshalIndent(cfg, "", "  ")` writes it, HTML-safe
/// escapes included, so the exported Secret is flux's byte for byte.
fn docker_config_json(registry: &str, username: &str, password: &str) -> String {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    let config = DockerConfig {
        auths: BTreeMap::from([(
            registry,
            DockerConfigEntry {
                username,
                password,
                auth,
            },
        )]),
    };
    let text = serde_json::to_string_pretty(&config).expect("a Docker config serializes");
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

pub async fn run(
    options: &SecretOciOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let data = options.data();
    if options.export {
        let mut secret = secret_export(&options.name, &options.namespace, &options.labels, &data);
        secret["type"] = json!(DOCKER_CONFIG_JSON_TYPE);
        // flux prints the document with Println, hence the blank line after it.
        println!("{}", export_document(&secret));
        return Ok(());
    }
    let client = settings.client().await?;
    let mut secret = secret_apply(&options.name, &options.namespace, &options.labels, &data);
    secret["type"] = json!(DOCKER_CONFIG_JSON_TYPE);
    cluster::apply(&client, &secret, false).await?;
    printer.action(format!(
        "oci secret '{}' created in '{}' namespace",
        options.name, options.namespace
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_config_is_go_indented_json() {
        assert_eq!(
            docker_config_json("ghcr.io", "stefanprodan", "password"),
            "{\n  \"auths\": {\n    \"ghcr.io\": {\n      \"username\": \"stefanprodan\",\n      \
             \"password\": \"password\",\n      \"auth\": \"c3RlZmFucHJvZGFuOnBhc3N3b3Jk\"\n    \
             }\n  }\n}"
        );
        assert!(docker_config_json("r", "u", "a<b>&c").contains("\"a\\u003cb\\u003e\\u0026c\""));
    }

    #[test]
    fn registries_are_hosts_without_a_scheme() {
        check_registry("s", "ghcr.io").unwrap();
        check_registry("s", "ghcr.io/stefanprodan/charts").unwrap();
        check_registry("s", "localhost:5000").unwrap();
        for url in ["oci://ghcr.io", "https://ghcr.io", "ghcr.io/Org"] {
            let err = check_registry("s", url).unwrap_err().to_string();
            assert!(
                err.starts_with("Secret s: flag --url: error parsing url: "),
                "{url}: {err}"
            );
        }
    }
}
