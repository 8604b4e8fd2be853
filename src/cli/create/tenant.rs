//! `tk create tenant NAME`: for each namespace the tenant owns, the Namespace, a
//! ServiceAccount and a RoleBinding that grants `--cluster-role` inside that namespace only;
//! printed with `--export` or applied with server-side apply.
//!
//! Objects, names, flags and messages follow `flux create tenant`. The RoleBinding has two
//! subjects: the ServiceAccount, which Kustomizations and HelmReleases of the tenant name in
//! `serviceAccountName`, and the user `gotk:<namespace>:reconciler`, which the controllers
//! impersonate when an object names no ServiceAccount.

use std::collections::BTreeMap;

use anyhow::{Result, bail};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, Preconditions};
use serde_json::{Value, json};

use super::{export_document, parse_labels};
use crate::cli::args::CreateTenantArgs;
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;
use crate::cli::{cluster, cluster_call};

/// The label flux puts on every object of a tenant, valued with the tenant's name.
pub const TENANT_LABEL: &str = "toolkit.fluxcd.io/tenant";

const RBAC_API_GROUP: &str = "rbac.authorization.k8s.io";

#[derive(Debug, Clone)]
pub struct TenantOptions {
    pub name: String,
    pub namespaces: Vec<String>,
    pub cluster_role: String,
    /// The ServiceAccount made in each namespace: `--with-service-account`, else the tenant.
    pub service_account: String,
    /// `--label` values plus the tenant label, set on every object.
    pub labels: BTreeMap<String, String>,
    /// The namespaces exist already: neither exported nor applied.
    pub skip_namespace: bool,
    pub export: bool,
}

impl TenantOptions {
    pub fn resolve(args: &CreateTenantArgs) -> Result<Self> {
        let name = &args.name;
        if !is_object_name(name) {
            bail!(
                "tenant name '{name}' is invalid: it should adhere to RFC 1123, 2 to 63 lowercase \
                 alphanumeric characters or '-', starting and ending with an alphanumeric"
            );
        }
        if args.cluster_role.trim().is_empty() {
            bail!(
                "flag --cluster-role: cluster-role is required: name the ClusterRole that tenant \
                 {name} is granted in its namespaces (the default is cluster-admin)"
            );
        }
        let namespaces: Vec<String> = args
            .with_namespace
            .iter()
            .filter(|ns| !ns.is_empty())
            .cloned()
            .collect();
        if namespaces.is_empty() {
            bail!(
                "flag --with-namespace: with-namespace is required: pass each namespace tenant \
                 {name} owns, as --with-namespace=apps"
            );
        }
        // flux only checks these are qualified names; a namespace must be a DNS label, so
        // anything else would be refused by the API server after the first objects applied.
        if let Some(ns) = namespaces.iter().find(|ns| !is_dns_label(ns)) {
            bail!(
                "flag --with-namespace: invalid namespace '{ns}': use an RFC 1123 label, up to \
                 63 lowercase alphanumeric characters or '-', starting and ending with an \
                 alphanumeric"
            );
        }
        let service_account = match args.with_service_account.as_deref() {
            None | Some("") => name.clone(),
            Some(account) if is_dns_subdomain(account) => account.to_string(),
            Some(account) => bail!(
                "flag --with-service-account: invalid service account '{account}': use an RFC \
                 1123 subdomain, lowercase alphanumeric characters, '-' or '.'"
            ),
        };
        let mut labels = parse_labels(&args.label)?;
        labels.insert(TENANT_LABEL.to_string(), name.clone());
        Ok(Self {
            name: name.clone(),
            namespaces,
            cluster_role: args.cluster_role.clone(),
            service_account,
            labels,
            skip_namespace: args.skip_namespace,
            export: args.export,
        })
    }

    /// `<tenant>-reconciler`, one in each namespace.
    pub fn role_binding_name(&self) -> String {
        format!("{}-reconciler", self.name)
    }

    /// The objects of one namespace in the order flux prints and applies them; without the
    /// Namespace when it is skipped.
    pub fn objects(&self, namespace: &str) -> Vec<Value> {
        let mut objects = Vec::with_capacity(3);
        if !self.skip_namespace {
            objects.push(json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": { "name": namespace, "labels": self.labels },
            }));
        }
        objects.push(json!({
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": self.service_account,
                "namespace": namespace,
                "labels": self.labels,
            },
        }));
        objects.push(json!({
            "apiVersion": format!("{RBAC_API_GROUP}/v1"),
            "kind": "RoleBinding",
            "metadata": {
                "name": self.role_binding_name(),
                "namespace": namespace,
                "labels": self.labels,
            },
            "roleRef": {
                "apiGroup": RBAC_API_GROUP,
                "kind": "ClusterRole",
                "name": self.cluster_role,
            },
            "subjects": [
                {
                    "apiGroup": RBAC_API_GROUP,
                    "kind": "User",
                    "name": format!("gotk:{namespace}:reconciler"),
                },
                {
                    "kind": "ServiceAccount",
                    "name": self.service_account,
                    "namespace": namespace,
                },
            ],
        }));
        objects
    }

    /// Every namespace's objects as `--export` prints them: one `---` document each.
    pub fn export(&self) -> String {
        self.namespaces
            .iter()
            .flat_map(|ns| self.objects(ns))
            .map(|object| export_document(&object))
            .collect()
    }
}

/// flux's check on the names of everything `create` makes: an RFC 1123 label of at least two
/// characters.
fn is_object_name(name: &str) -> bool {
    name.len() >= 2 && is_dns_label(name)
}

fn is_dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_dns_label)
}

/// What applying one object did, in kubectl's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Created,
    Configured,
    Unchanged,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Configured => "configured",
            Outcome::Unchanged => "unchanged",
        }
    }
}

pub async fn run(
    options: &TenantOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    if options.export {
        print!("{}", options.export());
        return Ok(());
    }
    let client = settings.client().await?;
    tokio::time::timeout(settings.timeout, apply_all(&client, options, printer))
        .await
        .map_err(|_| {
            anyhow::anyhow!(
                "tenant {}: not set up within --timeout {:?}: check the API server is reachable, \
                 or raise --timeout",
                options.name,
                settings.timeout
            )
        })??;
    printer.success("tenant setup completed");
    Ok(())
}

async fn apply_all(client: &kube::Client, options: &TenantOptions, printer: Printer) -> Result<()> {
    for namespace in &options.namespaces {
        if options.skip_namespace {
            require_namespace(client, namespace).await?;
        }
        for object in options.objects(namespace) {
            let (kind, name) = (object["kind"].as_str(), &object["metadata"]["name"]);
            let what = match kind {
                Some("Namespace") => "namespace",
                Some("ServiceAccount") => "service account",
                _ => "role binding",
            };
            printer.action(format!(
                "applying {what} {}",
                name.as_str().unwrap_or_default()
            ));
            let outcome = apply(client, &object).await?;
            printer.detail(format!(
                "{} {}",
                describe_namespaced(&object),
                outcome.as_str()
            ));
        }
    }
    Ok(())
}

/// With `--skip-namespace` nothing creates the namespace; say so before applying into it,
/// rather than let the API server answer that the ServiceAccount's namespace is not found.
async fn require_namespace(client: &kube::Client, namespace: &str) -> Result<()> {
    let api: Api<Namespace> = Api::all(client.clone());
    let found = cluster_call(
        api.get_opt(namespace),
        &format!("reading namespace {namespace}"),
    )
    .await?;
    if found.is_none() {
        bail!(
            "namespace {namespace} does not exist: --skip-namespace applies into existing \
             namespaces only: create it first, or drop --skip-namespace"
        );
    }
    Ok(())
}

/// Server-side applies `object` and tells whether it was created, changed or already so.
async fn apply(client: &kube::Client, object: &Value) -> Result<Outcome> {
    let api = cluster::api_for(client, object);
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    let what = describe_namespaced(object);
    let before = cluster_call(api.get_opt(name), &format!("reading {what}")).await?;
    let Some(before) = before else {
        cluster::apply(client, object, false).await?;
        return Ok(Outcome::Created);
    };
    if object["kind"] == "RoleBinding" && before.data["roleRef"] != object["roleRef"] {
        // The API server refuses to change a roleRef, so a new --cluster-role replaces the
        // binding, as flux does. The uid precondition leaves a binding someone else just
        // recreated alone.
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                uid: before.metadata.uid.clone(),
                resource_version: None,
            }),
            ..DeleteParams::default()
        };
        cluster_call(
            api.delete(name, &params),
            &format!("replacing {what} to change its roleRef"),
        )
        .await?;
        cluster::apply(client, object, false).await?;
        return Ok(Outcome::Configured);
    }
    cluster::apply(client, object, false).await?;
    let after = cluster_call(api.get(name), &format!("reading {what}")).await?;
    Ok(
        if after.metadata.resource_version == before.metadata.resource_version {
            Outcome::Unchanged
        } else {
            Outcome::Configured
        },
    )
}

/// `Kind/namespace/name`, or `Kind/name` for the Namespace.
fn describe_namespaced(object: &Value) -> String {
    let metadata = &object["metadata"];
    let kind = object["kind"].as_str().unwrap_or_default();
    let name = metadata["name"].as_str().unwrap_or_default();
    match metadata["namespace"].as_str() {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TESTDATA: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/flux/flux2/cmd/flux/testdata/create_tenant"
    );

    fn golden(file: &str) -> String {
        std::fs::read_to_string(format!("{TESTDATA}/{file}")).expect("golden file exists")
    }

    fn args(name: &str, namespaces: &[&str]) -> CreateTenantArgs {
        CreateTenantArgs {
            name: name.into(),
            with_namespace: namespaces.iter().map(|ns| ns.to_string()).collect(),
            cluster_role: "cluster-admin".into(),
            with_service_account: None,
            skip_namespace: false,
            label: Vec::new(),
            export: true,
        }
    }

    fn export(args: &CreateTenantArgs) -> String {
        TenantOptions::resolve(args).unwrap().export()
    }

    fn error(args: &CreateTenantArgs) -> String {
        TenantOptions::resolve(args).unwrap_err().to_string()
    }

    #[test]
    fn export_matches_flux_golden_files() {
        let basic = args("dev-team", &["apps"]);
        assert_eq!(export(&basic), golden("tenant-basic.yaml"));
        let role = CreateTenantArgs {
            cluster_role: "custom-role".into(),
            ..args("dev-team", &["apps"])
        };
        assert_eq!(export(&role), golden("tenant-with-cluster-role.yaml"));
        let account = CreateTenantArgs {
            with_service_account: Some("flux-tenant".into()),
            ..args("dev-team", &["apps"])
        };
        assert_eq!(export(&account), golden("tenant-with-service-account.yaml"));
        let skip = CreateTenantArgs {
            skip_namespace: true,
            ..args("dev-team", &["apps"])
        };
        assert_eq!(export(&skip), golden("tenant-with-skip-namespace.yaml"));
    }

    #[test]
    fn each_namespace_gets_its_own_objects_in_flag_order() {
        let text = export(&args("dev-team", &["frontend", "backend"]));
        let documents: Vec<&str> = text.split("---\n").filter(|d| !d.is_empty()).collect();
        assert_eq!(documents.len(), 6, "{text}");
        let per_namespace = golden("tenant-basic.yaml");
        assert_eq!(
            text,
            format!(
                "{}{}",
                per_namespace.replace("apps", "frontend"),
                per_namespace.replace("apps", "backend")
            )
        );
    }

    #[test]
    fn labels_join_the_tenant_label_which_wins() {
        let labelled = CreateTenantArgs {
            label: vec![
                "environment=dev".into(),
                format!("{TENANT_LABEL}=someone-else"),
            ],
            ..args("dev-team", &["apps"])
        };
        let options = TenantOptions::resolve(&labelled).unwrap();
        for object in options.objects("apps") {
            assert_eq!(
                object["metadata"]["labels"],
                json!({ "environment": "dev", TENANT_LABEL: "dev-team" }),
                "{object}"
            );
        }
    }

    #[test]
    fn validation_names_the_flag_and_the_fix() {
        assert!(
            error(&args("Dev_Team", &["apps"]))
                .starts_with("tenant name 'Dev_Team' is invalid: it should adhere to RFC 1123")
        );
        // flux's check on every created name wants two characters at least.
        assert!(error(&args("a", &["apps"])).contains("tenant name 'a' is invalid"));
        assert!(
            error(&args("dev-team", &[]))
                .starts_with("flag --with-namespace: with-namespace is required")
        );
        assert!(
            error(&args("dev-team", &[""]))
                .starts_with("flag --with-namespace: with-namespace is required")
        );
        assert!(
            error(&args("dev-team", &["apps", "Apps"]))
                .starts_with("flag --with-namespace: invalid namespace 'Apps'")
        );
        let no_role = CreateTenantArgs {
            cluster_role: String::new(),
            ..args("dev-team", &["apps"])
        };
        assert!(error(&no_role).starts_with("flag --cluster-role: cluster-role is required"));
        let bad_account = CreateTenantArgs {
            with_service_account: Some("Flux_Tenant".into()),
            ..args("dev-team", &["apps"])
        };
        assert!(
            error(&bad_account)
                .starts_with("flag --with-service-account: invalid service account 'Flux_Tenant'")
        );
        let bad_label = CreateTenantArgs {
            label: vec!["novalue".into()],
            ..args("dev-team", &["apps"])
        };
        assert!(error(&bad_label).starts_with("flag --label:"));
    }

    #[test]
    fn names_follow_rfc_1123() {
        assert!(is_object_name("dev-team") && is_object_name("a1"));
        assert!(!is_object_name("-dev") && !is_object_name("dev-") && !is_object_name("x"));
        assert!(!is_object_name(&"a".repeat(64)) && is_object_name(&"a".repeat(63)));
        assert!(is_dns_subdomain("flux.tenant") && !is_dns_subdomain("flux..tenant"));
    }
}
