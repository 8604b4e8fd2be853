//! `tk create secret helm NAME`: a Secret with Helm repository credentials, in the keys
//! Flux's source controller reads: `username`/`password` for basic authentication, and TLS
//! material under the Kubernetes TLS keys (`tls.crt`, `tls.key`, `ca.crt`) or, from the
//! deprecated flags, the legacy ones (`certFile`, `keyFile`, `caFile`).
//!
//! [`HelmCredentials`] is shared with `tk create source helm`, which stores its flags under
//! the legacy keys, as `flux create source helm` does.

use std::collections::BTreeMap;

use anyhow::{Result, bail};

use super::{export_document, parse_labels, secret_apply, secret_export};
use crate::cli::args::CreateSecretHelmArgs;
use crate::cli::cluster;
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;

/// A file whose content the Secret stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialFile {
    /// The flag that named it, for errors.
    pub flag: &'static str,
    /// The Secret key it is stored under.
    pub key: &'static str,
    pub path: String,
}

/// What a Helm repository Secret holds; files are read only when the Secret is made, so an
/// `--export` of the object alone never touches them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelmCredentials {
    /// Username and password; flux stores them only as a pair.
    pub basic: Option<(String, String)>,
    pub files: Vec<CredentialFile>,
}

impl HelmCredentials {
    /// The Secret's string data.
    pub fn data(&self) -> Result<BTreeMap<String, String>> {
        let mut data = BTreeMap::new();
        if let Some((username, password)) = &self.basic {
            data.insert("username".to_string(), username.clone());
            data.insert("password".to_string(), password.clone());
        }
        for file in &self.files {
            let text = std::fs::read_to_string(&file.path).map_err(|err| {
                anyhow::anyhow!("flag --{}: reading {}: {err}", file.flag, file.path)
            })?;
            data.insert(file.key.to_string(), text);
        }
        Ok(data)
    }
}

/// A flag's value, with an empty one read as not given (as flux reads `--flag=""`).
pub fn given(value: &Option<String>) -> Option<String> {
    value.clone().filter(|v| !v.is_empty())
}

/// `--username`/`--password`: both or neither (flux would silently store neither).
pub fn basic_auth(
    username: &Option<String>,
    password: &Option<String>,
) -> Result<Option<(String, String)>> {
    credential_pair(
        ("username", username),
        ("password", password),
        "basic authentication",
    )
}

/// Two credential flags that only work together (a user and its password, an access key and
/// its secret key): both or neither, where flux would silently store neither.
pub fn credential_pair(
    (first_flag, first): (&str, &Option<String>),
    (second_flag, second): (&str, &Option<String>),
    purpose: &str,
) -> Result<Option<(String, String)>> {
    match (given(first), given(second)) {
        (Some(first), Some(second)) => Ok(Some((first, second))),
        (None, None) => Ok(None),
        _ => bail!("flags --{first_flag}/--{second_flag}: pass both for {purpose}, or neither"),
    }
}

/// A client certificate and its key: both or neither (flux would silently store neither).
pub fn key_pair(
    (cert_flag, cert_key, cert): (&'static str, &'static str, &Option<String>),
    (key_flag, key_key, key): (&'static str, &'static str, &Option<String>),
) -> Result<Vec<CredentialFile>> {
    match (given(cert), given(key)) {
        (Some(cert), Some(key)) => Ok(vec![
            CredentialFile {
                flag: cert_flag,
                key: cert_key,
                path: cert,
            },
            CredentialFile {
                flag: key_flag,
                key: key_key,
                path: key,
            },
        ]),
        (None, None) => Ok(Vec::new()),
        _ => bail!(
            "flags --{cert_flag}/--{key_flag}: a client certificate needs its key, pass both or neither"
        ),
    }
}

#[derive(Debug, Clone)]
pub struct SecretHelmOptions {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub credentials: HelmCredentials,
    pub export: bool,
}

impl SecretHelmOptions {
    pub fn resolve(args: &CreateSecretHelmArgs, settings: &GlobalSettings) -> Result<Self> {
        for (flag, value, replacement) in [
            ("cert-file", &args.cert_file, "tls-crt-file"),
            ("key-file", &args.key_file, "tls-key-file"),
            ("ca-file", &args.ca_file, "ca-crt-file"),
        ] {
            if value.is_some() {
                eprintln!("Flag --{flag} has been deprecated, please use --{replacement} instead");
            }
        }
        let mut files = key_pair(
            ("tls-crt-file", "tls.crt", &args.tls_crt_file),
            ("tls-key-file", "tls.key", &args.tls_key_file),
        )?;
        // The legacy keys only when the new flags give no pair, as flux chooses.
        let legacy = key_pair(
            ("cert-file", "certFile", &args.cert_file),
            ("key-file", "keyFile", &args.key_file),
        )?;
        if files.is_empty() {
            files = legacy;
        }
        if let Some(path) = given(&args.ca_crt_file) {
            files.push(CredentialFile {
                flag: "ca-crt-file",
                key: "ca.crt",
                path,
            });
        } else if let Some(path) = given(&args.ca_file) {
            files.push(CredentialFile {
                flag: "ca-file",
                key: "caFile",
                path,
            });
        }
        Ok(Self {
            name: args.name.clone(),
            namespace: settings.namespace.clone(),
            labels: parse_labels(&args.label)?,
            credentials: HelmCredentials {
                basic: basic_auth(&args.username, &args.password)?,
                files,
            },
            export: args.export,
        })
    }
}

pub async fn run(
    options: &SecretHelmOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let data = options.credentials.data()?;
    if options.export {
        // flux prints the document with Println, hence the blank line after it.
        println!(
            "{}",
            export_document(&secret_export(
                &options.name,
                &options.namespace,
                &options.labels,
                &data
            ))
        );
        return Ok(());
    }
    let client = settings.client().await?;
    let secret = secret_apply(&options.name, &options.namespace, &options.labels, &data);
    cluster::apply(&client, &secret, false).await?;
    printer.action(format!(
        "helm secret '{}' created in '{}' namespace",
        options.name, options.namespace
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_come_in_pairs() {
        assert_eq!(
            basic_auth(&Some("u".into()), &Some("p".into())).unwrap(),
            Some(("u".into(), "p".into()))
        );
        assert_eq!(basic_auth(&Some(String::new()), &None).unwrap(), None);
        assert!(basic_auth(&Some("u".into()), &None).is_err());
        let err = key_pair(
            ("tls-crt-file", "tls.crt", &Some("c".into())),
            ("tls-key-file", "tls.key", &None),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("flags --tls-crt-file/--tls-key-file:"),
            "{err}"
        );
    }

    #[test]
    fn data_reads_each_file_under_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "CA\n").unwrap();
        let credentials = HelmCredentials {
            basic: Some(("u".into(), "p".into())),
            files: vec![CredentialFile {
                flag: "ca-crt-file",
                key: "ca.crt",
                path: ca.display().to_string(),
            }],
        };
        let data = credentials.data().unwrap();
        assert_eq!(
            data.keys().map(String::as_str).collect::<Vec<_>>(),
            ["ca.crt", "password", "username"]
        );
        assert_eq!(data["ca.crt"], "CA\n");
        let missing = HelmCredentials {
            basic: None,
            files: vec![CredentialFile {
                flag: "ca-crt-file",
                key: "ca.crt",
                path: dir.path().join("nope").display().to_string(),
            }],
        };
        let err = missing.data().unwrap_err().to_string();
        assert!(err.starts_with("flag --ca-crt-file: reading "), "{err}");
    }
}
