//! The admin kubeconfig the rig writes, and just enough reading of other kubeconfigs to
//! reuse an existing cluster (TK_TEST_KUBECONFIG).

use crate::pki::Credentials;
use anyhow::{Context, Result, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value;
use std::path::Path;

pub fn admin(server: &str, ca_pem: &str, admin: &Credentials) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: tk-testenv
  cluster:
    server: {server}
    certificate-authority-data: {ca}
users:
- name: tk-testenv-admin
  user:
    client-certificate-data: {cert}
    client-key-data: {key}
contexts:
- name: tk-testenv
  context:
    cluster: tk-testenv
    user: tk-testenv-admin
current-context: tk-testenv
",
        ca = B64.encode(ca_pem),
        cert = B64.encode(&admin.cert_pem),
        key = B64.encode(&admin.key_pem),
    )
}

/// What the rig needs from an existing cluster's kubeconfig.
pub struct External {
    pub server: String,
    pub ca_pem: Option<String>,
    pub client: Option<Credentials>,
}

fn named<'a>(doc: &'a Value, list: &str, name: &str, field: &str) -> Result<&'a Value> {
    doc.get(list)
        .and_then(Value::as_array)
        .and_then(|items| {
            items
                .iter()
                .find(|i| i.get("name").and_then(Value::as_str) == Some(name))
        })
        .and_then(|i| i.get(field))
        .ok_or_else(|| anyhow!("no {list} entry named {name:?}"))
}

/// Inline `<key>-data` (base64) or the file named by `<key>`, relative to the kubeconfig.
fn material(section: &Value, key: &str, base: &Path) -> Result<Option<String>> {
    if let Some(data) = section.get(format!("{key}-data")).and_then(Value::as_str) {
        let bytes = B64
            .decode(data.trim())
            .with_context(|| format!("{key}-data is not base64"))?;
        return Ok(Some(
            String::from_utf8(bytes).with_context(|| format!("{key}-data is not PEM"))?,
        ));
    }
    if let Some(file) = section.get(key).and_then(Value::as_str) {
        let path = base.join(file);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        return Ok(Some(text));
    }
    Ok(None)
}

pub fn read_external(path: &Path) -> Result<External> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let doc: Value = serde_saphyr::from_str(&text)
        .with_context(|| format!("parsing {} as YAML", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let current = doc
        .get("current-context")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("{} has no current-context", path.display()))?;
    let context = named(&doc, "contexts", current, "context")?;
    let cluster_name = context
        .get("cluster")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let cluster = named(&doc, "clusters", cluster_name, "cluster")?;
    let Some(server) = cluster.get("server").and_then(Value::as_str) else {
        bail!(
            "cluster {cluster_name:?} in {} has no server",
            path.display()
        );
    };
    let ca_pem = material(cluster, "certificate-authority", base)?;
    let client = match context.get("user").and_then(Value::as_str) {
        Some(user_name) => {
            let user = named(&doc, "users", user_name, "user")?;
            match (
                material(user, "client-certificate", base)?,
                material(user, "client-key", base)?,
            ) {
                (Some(cert_pem), Some(key_pem)) => Some(Credentials { cert_pem, key_pem }),
                _ => None,
            }
        }
        None => None,
    };
    Ok(External {
        server: server.trim_end_matches('/').to_string(),
        ca_pem,
        client,
    })
}
