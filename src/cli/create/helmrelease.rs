//! `tk create helmrelease NAME`: a HelmRelease, printed with `--export` or applied with
//! server-side apply and waited for until the helm controller reports it Ready.
//!
//! Flags, defaults and output follow `flux create helmrelease`: the chart comes either from a
//! template (`--source <kind>/<name>[.<namespace>]` and `--chart`) or from an existing object
//! (`--chart-ref`); `--values` files are merged as flux merges them (maps recursively, other
//! values replaced by the later file); `--crds` is the upgrade policy, install always
//! creating CRDs, as flux writes it.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Result, bail};
use serde_json::{Map, Value, json};

use super::kustomization::parse_depends_on;
use super::secret_helm::given;
use super::{apply_and_wait, export_document, generated, go_duration, parse_labels};
use crate::cli::args::{CrdsPolicyArg, CreateHelmReleaseArgs, ReconcileStrategyArg};
use crate::cli::objects::{HELM_CHART_REF_KINDS, HELM_CHART_SOURCE_KINDS, HELM_RELEASE};
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;

/// The kinds `--values-from` names, as flux lists them.
const VALUES_FROM_KINDS: [&str; 2] = ["Secret", "ConfigMap"];

/// An object named `<kind>/<name>[.<namespace>]`, the kind as the API spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub kind: &'static str,
    pub name: String,
    pub namespace: Option<String>,
}

impl ObjectRef {
    fn to_json(&self) -> Value {
        let mut reference = json!({ "kind": self.kind, "name": self.name });
        if let Some(namespace) = &self.namespace {
            reference["namespace"] = json!(namespace);
        }
        reference
    }
}

/// Where the release's chart comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chart {
    /// `spec.chart`: the helm controller makes a HelmChart from this template.
    Template {
        source: ObjectRef,
        chart: String,
        version: Option<String>,
        interval: Option<String>,
        reconcile_strategy: &'static str,
    },
    /// `spec.chartRef`: an OCIRepository or HelmChart that exists already.
    Reference(ObjectRef),
}

#[derive(Debug, Clone)]
pub struct HelmReleaseOptions {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub chart: Chart,
    pub release_name: Option<String>,
    pub target_namespace: Option<String>,
    pub create_target_namespace: bool,
    pub storage_namespace: Option<String>,
    pub depends_on: Vec<Value>,
    pub service_account: Option<String>,
    /// `spec.values`: the `--values` files merged, `None` without any.
    pub values: Option<Map<String, Value>>,
    /// `spec.valuesFrom`: kind and name of each ConfigMap or Secret.
    pub values_from: Vec<(&'static str, String)>,
    pub crds: Option<&'static str>,
    pub kubeconfig_secret: Option<String>,
    pub interval: String,
    pub export: bool,
}

impl HelmReleaseOptions {
    pub fn resolve(args: &CreateHelmReleaseArgs, settings: &GlobalSettings) -> Result<Self> {
        let chart = match (given(&args.chart), given(&args.chart_ref)) {
            (None, None) => bail!(
                "HelmRelease {}: chart or chart-ref is required: pass --source and --chart, or \
                 --chart-ref",
                args.name
            ),
            (Some(_), Some(_)) => {
                bail!("flag --chart-ref: cannot use --chart in combination with --chart-ref")
            }
            (Some(chart), None) => {
                let Some(source) = given(&args.source) else {
                    bail!(
                        "flag --source: --chart needs the source holding it: pass --source \
                         <kind>/<name>[.<namespace>], kind one of {}",
                        HELM_CHART_SOURCE_KINDS.join(", ")
                    );
                };
                Chart::Template {
                    source: parse_source(&source)?,
                    chart,
                    version: given(&args.chart_version),
                    interval: given(&args.chart_interval)
                        .map(|i| go_duration("chart-interval", &i))
                        .transpose()?,
                    reconcile_strategy: match args.reconcile_strategy {
                        None | Some(ReconcileStrategyArg::ChartVersion) => "ChartVersion",
                        Some(ReconcileStrategyArg::Revision) => "Revision",
                    },
                }
            }
            (None, Some(reference)) => {
                let template_flags = [
                    ("source", given(&args.source).is_some()),
                    ("chart-version", given(&args.chart_version).is_some()),
                    ("chart-interval", given(&args.chart_interval).is_some()),
                    ("reconcile-strategy", args.reconcile_strategy.is_some()),
                ];
                if let Some((flag, _)) = template_flags.iter().find(|(_, set)| *set) {
                    bail!(
                        "flag --{flag}: it configures the chart template of --chart, not the \
                         object --chart-ref names: leave it out"
                    );
                }
                Chart::Reference(parse_chart_ref(&reference)?)
            }
        };
        let depends_on = args
            .depends_on
            .iter()
            .filter(|d| !d.is_empty())
            .map(|d| parse_depends_on(d))
            .collect::<Result<Vec<_>>>()?;
        let values_files: Vec<&String> = args.values.iter().filter(|v| !v.is_empty()).collect();
        let values = if values_files.is_empty() {
            None
        } else {
            Some(merge_values_files(&values_files)?)
        };
        let values_from = args
            .values_from
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| parse_values_from(v))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            name: args.name.clone(),
            namespace: settings.namespace.clone(),
            labels: parse_labels(&args.label)?,
            chart,
            release_name: given(&args.release_name),
            target_namespace: given(&args.target_namespace),
            create_target_namespace: args.create_target_namespace,
            storage_namespace: given(&args.storage_namespace),
            depends_on,
            service_account: given(&args.service_account),
            values,
            values_from,
            crds: args.crds.map(|c| match c {
                CrdsPolicyArg::Skip => "Skip",
                CrdsPolicyArg::Create => "Create",
                CrdsPolicyArg::CreateReplace => "CreateReplace",
            }),
            kubeconfig_secret: given(&args.kubeconfig_secret_ref),
            interval: go_duration("interval", &args.interval)?,
            export: args.export,
        })
    }

    /// The HelmRelease, with Go's omissions so `--export` matches flux (the YAML printer
    /// sorts the keys).
    pub fn object(&self) -> Value {
        let mut spec = json!({ "interval": self.interval });
        match &self.chart {
            Chart::Template {
                source,
                chart,
                version,
                interval,
                reconcile_strategy,
            } => {
                let mut template = json!({
                    "chart": chart,
                    "reconcileStrategy": reconcile_strategy,
                    "sourceRef": source.to_json(),
                });
                if let Some(version) = version {
                    template["version"] = json!(version);
                }
                if let Some(interval) = interval {
                    template["interval"] = json!(interval);
                }
                spec["chart"] = json!({ "spec": template });
            }
            Chart::Reference(reference) => spec["chartRef"] = reference.to_json(),
        }
        let mut install = Map::new();
        if self.create_target_namespace {
            install.insert("createNamespace".into(), json!(true));
        }
        if let Some(crds) = self.crds {
            // flux writes the flag as the upgrade policy and always creates CRDs on install.
            install.insert("crds".into(), json!("Create"));
            spec["upgrade"] = json!({ "crds": crds });
        }
        let optional = [
            ("releaseName", self.release_name.as_ref().map(|s| json!(s))),
            (
                "targetNamespace",
                self.target_namespace.as_ref().map(|s| json!(s)),
            ),
            (
                "storageNamespace",
                self.storage_namespace.as_ref().map(|s| json!(s)),
            ),
            (
                "dependsOn",
                (!self.depends_on.is_empty()).then(|| json!(self.depends_on)),
            ),
            (
                "serviceAccountName",
                self.service_account.as_ref().map(|s| json!(s)),
            ),
            (
                "kubeConfig",
                self.kubeconfig_secret
                    .as_ref()
                    .map(|s| json!({ "secretRef": { "name": s } })),
            ),
            ("install", (!install.is_empty()).then(|| json!(install))),
            ("values", self.values.clone().map(Value::Object)),
            (
                "valuesFrom",
                (!self.values_from.is_empty()).then(|| {
                    json!(
                        self.values_from
                            .iter()
                            .map(|(kind, name)| json!({ "kind": kind, "name": name }))
                            .collect::<Vec<_>>()
                    )
                }),
            ),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                spec[key] = value;
            }
        }
        super::object(
            HELM_RELEASE,
            super::metadata(&self.name, &self.namespace, &self.labels),
            spec,
        )
    }
}

/// `<kind>/<name>[.<namespace>]` with `kind` one of `kinds` (matched case-insensitively and
/// written as the API spells it); the namespace is what follows the last dot.
fn parse_object_ref(
    flag: &str,
    what: &str,
    text: &str,
    kinds: &[&'static str],
) -> Result<ObjectRef> {
    let text = text.trim();
    let Some((kind, rest)) = text
        .split_once('/')
        .filter(|(kind, rest)| !kind.is_empty() && !rest.is_empty() && !rest.contains('/'))
    else {
        bail!(
            "flag --{flag}: invalid {what} {text:?}: use <kind>/<name>[.<namespace>], kind one of {}",
            kinds.join(", ")
        );
    };
    let Some(kind) = kinds.iter().find(|k| k.eq_ignore_ascii_case(kind)) else {
        bail!(
            "flag --{flag}: {what} kind '{kind}' is not supported, must be one of: {}",
            kinds.join(", ")
        );
    };
    let (name, namespace) = match rest.rsplit_once('.') {
        Some((name, namespace)) => (name, Some(namespace)),
        None => (rest, None),
    };
    if name.is_empty() {
        bail!("flag --{flag}: no name given in {text:?}: use <kind>/<name>[.<namespace>]");
    }
    Ok(ObjectRef {
        kind,
        name: name.to_string(),
        namespace: namespace.filter(|ns| !ns.is_empty()).map(str::to_string),
    })
}

/// `--source <kind>/<name>[.<namespace>]`: a HelmRepository, GitRepository or Bucket.
pub fn parse_source(text: &str) -> Result<ObjectRef> {
    parse_object_ref("source", "source", text, &HELM_CHART_SOURCE_KINDS)
}

/// `--chart-ref <kind>/<name>[.<namespace>]`: an OCIRepository or HelmChart.
pub fn parse_chart_ref(text: &str) -> Result<ObjectRef> {
    parse_object_ref("chart-ref", "chart reference", text, &HELM_CHART_REF_KINDS)
}

/// `--values-from <kind>/<name>`: a Secret or ConfigMap.
fn parse_values_from(text: &str) -> Result<(&'static str, String)> {
    let parts: Vec<&str> = text.split('/').collect();
    let [kind, name] = parts[..] else {
        bail!(
            "flag --values-from: invalid Kubernetes object reference '{text}', must be in format \
             <kind>/<name>"
        );
    };
    let Some(kind) = VALUES_FROM_KINDS
        .into_iter()
        .find(|k| k.eq_ignore_ascii_case(kind))
    else {
        bail!(
            "flag --values-from: reference kind '{kind}' is not supported, must be one of: {}",
            VALUES_FROM_KINDS.join(", ")
        );
    };
    if name.is_empty() {
        bail!("flag --values-from: no name given in '{text}': use <kind>/<name>");
    }
    Ok((kind, name.to_string()))
}

/// The `--values` files merged in order, as flux does: each read as `sigs.k8s.io/yaml` reads
/// YAML (YAML 1.1 scalars), maps merged recursively, anything else replaced by the later
/// file. An empty file adds nothing; one whose top level is not a map is refused.
fn merge_values_files(paths: &[&String]) -> Result<Map<String, Value>> {
    let mut merged = Map::new();
    for path in paths {
        let data = std::fs::read(path)
            .map_err(|err| anyhow::anyhow!("flag --values: reading {path}: {err}"))?;
        let values = match helm::yaml::to_json_raw(&data)
            .map_err(|err| anyhow::anyhow!("flag --values: {path}: {err}"))?
        {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => bail!(
                "flag --values: {path} holds a YAML {}, not a map of values",
                match other {
                    Value::Array(_) => "list",
                    _ => "scalar",
                }
            ),
        };
        helm::values::merge_maps(&mut merged, go_numbers(values));
    }
    Ok(merged)
}

/// flux decodes values into Go's `interface{}`, where every number is a `float64` that
/// `encoding/json` writes back without a fraction when it has none (`1.0` as `1`).
fn go_numbers(values: Map<String, Value>) -> Map<String, Value> {
    fn number(value: Value) -> Value {
        match value {
            Value::Number(n) => match n.as_f64() {
                Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => json!(f as i64),
                _ => Value::Number(n),
            },
            Value::Array(items) => Value::Array(items.into_iter().map(number).collect()),
            Value::Object(map) => Value::Object(go_numbers(map)),
            other => other,
        }
    }
    values.into_iter().map(|(k, v)| (k, number(v))).collect()
}

pub async fn run(
    options: &HelmReleaseOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    if options.export {
        print!("{}", export_document(&options.object()));
        return Ok(());
    }
    let deadline = Instant::now() + settings.timeout;
    let client = settings.client().await?;
    generated("generating HelmRelease");

    let ready = apply_and_wait(
        &client,
        &printer,
        HELM_RELEASE,
        "HelmRelease",
        &options.object(),
        (&options.namespace, &options.name),
        deadline,
    )
    .await?;
    printer.success(format!("HelmRelease {} is ready", options.name));
    printer.success(format!(
        "applied revision {}",
        HELM_RELEASE.revision(&ready).unwrap_or_default()
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(kind: &'static str, name: &str, namespace: Option<&str>) -> ObjectRef {
        ObjectRef {
            kind,
            name: name.into(),
            namespace: namespace.map(Into::into),
        }
    }

    #[test]
    fn source_kind_is_matched_case_insensitively_with_an_optional_namespace() {
        assert_eq!(
            parse_source("Helmrepository/podinfo").unwrap(),
            reference("HelmRepository", "podinfo", None)
        );
        assert_eq!(
            parse_source("GitRepository/charts.flux-system").unwrap(),
            reference("GitRepository", "charts", Some("flux-system"))
        );
        assert_eq!(
            parse_source("bucket/a.b.c").unwrap(),
            reference("Bucket", "a.b", Some("c"))
        );
        assert_eq!(
            parse_source("foobar/podinfo").unwrap_err().to_string(),
            "flag --source: source kind 'foobar' is not supported, must be one of: \
             HelmRepository, GitRepository, Bucket"
        );
        assert!(parse_source("podinfo").is_err());
        assert!(parse_source("HelmRepository/").is_err());
        assert!(parse_source("HelmRepository/.ns").is_err());
        assert!(parse_source("a/b/c").is_err());
    }

    #[test]
    fn chart_ref_takes_oci_repositories_and_helm_charts() {
        assert_eq!(
            parse_chart_ref("OCIRepository/podinfo.flux-system").unwrap(),
            reference("OCIRepository", "podinfo", Some("flux-system"))
        );
        assert_eq!(
            parse_chart_ref("helmchart/podinfo").unwrap(),
            reference("HelmChart", "podinfo", None)
        );
        assert_eq!(
            parse_chart_ref("foobar/podinfo").unwrap_err().to_string(),
            "flag --chart-ref: chart reference kind 'foobar' is not supported, must be one of: \
             OCIRepository, HelmChart"
        );
    }

    #[test]
    fn values_from_takes_secrets_and_config_maps() {
        assert_eq!(
            parse_values_from("secret/my-values").unwrap(),
            ("Secret", "my-values".to_string())
        );
        assert_eq!(
            parse_values_from("ConfigMap/defaults").unwrap(),
            ("ConfigMap", "defaults".to_string())
        );
        assert_eq!(
            parse_values_from("my-values").unwrap_err().to_string(),
            "flag --values-from: invalid Kubernetes object reference 'my-values', must be in \
             format <kind>/<name>"
        );
        assert!(
            parse_values_from("Deployment/x")
                .unwrap_err()
                .to_string()
                .contains("reference kind 'Deployment' is not supported")
        );
    }

    #[test]
    fn values_files_merge_maps_and_replace_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name).display().to_string();
            std::fs::write(&path, text).unwrap();
            path
        };
        let first = write(
            "a.yaml",
            "image:\n  repository: nginx\n  tag: \"1.0\"\nports: [80]\nenabled: yes\n",
        );
        let second = write(
            "b.yaml",
            "image:\n  tag: \"2.0\"\nports: [8080]\nreplicas: 2\nratio: 1.0\nscale: 0.5\n",
        );
        let empty = write("empty.yaml", "");
        let merged = merge_values_files(&[&first, &empty, &second]).unwrap();
        assert_eq!(
            Value::Object(merged),
            json!({
                "image": { "repository": "nginx", "tag": "2.0" },
                "ports": [8080], "enabled": true, "replicas": 2, "ratio": 1, "scale": 0.5
            })
        );
        let list = write("list.yaml", "- a\n");
        let err = merge_values_files(&[&list]).unwrap_err().to_string();
        assert!(
            err.contains("holds a YAML list, not a map of values"),
            "{err}"
        );
        let missing = dir.path().join("missing.yaml").display().to_string();
        let err = merge_values_files(&[&missing]).unwrap_err().to_string();
        assert!(err.starts_with("flag --values: reading "), "{err}");
    }
}
