//! `tk create source chart NAME`: a HelmChart built from a chart in a HelmRepository,
//! GitRepository or Bucket of the same namespace, applied and waited for until its first
//! artifact, as `flux create source chart` does (`--source` is `<kind>/<name>`, the kind
//! matched case-insensitively; signature verification is for HelmRepository sources only).

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::secret_helm::given;
use super::{
    Label, apply_source_and_wait, export_document, generated, go_duration, parse_labels,
    verification,
};
use crate::cli::args::{CreateSourceChartArgs, ReconcileStrategyArg};
use crate::cli::objects::HELM_CHART;
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;

/// The kinds a HelmChart's `sourceRef` names, as flux lists them.
const CHART_SOURCE_KINDS: [&str; 3] = ["HelmRepository", "GitRepository", "Bucket"];

#[derive(Debug, Clone)]
pub struct SourceChartOptions {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    /// `spec.sourceRef`: the kind as the API spells it, and the name.
    pub source: (&'static str, String),
    pub chart: String,
    pub version: Option<String>,
    pub reconcile_strategy: &'static str,
    pub verify: Option<Value>,
    pub interval: String,
    pub export: bool,
}

/// `--source <kind>/<name>`, the kind matched case-insensitively.
fn parse_source(source: &str) -> Result<(&'static str, String)> {
    let kinds = CHART_SOURCE_KINDS.join(", ");
    let Some((kind, name)) = source
        .split_once('/')
        .filter(|(k, n)| !k.is_empty() && !n.is_empty())
    else {
        bail!(
            "flag --source: invalid helm chart source {source:?}: use <kind>/<name>, kind one of {kinds}"
        );
    };
    let Some(kind) = CHART_SOURCE_KINDS
        .into_iter()
        .find(|k| k.eq_ignore_ascii_case(kind))
    else {
        bail!("flag --source: source kind {kind:?} is not supported: use one of {kinds}");
    };
    Ok((kind, name.to_string()))
}

impl SourceChartOptions {
    pub fn resolve(args: &CreateSourceChartArgs, settings: &GlobalSettings) -> Result<Self> {
        let source = parse_source(&args.source)?;
        if args.chart.trim().is_empty() {
            bail!("flag --chart: the chart name or path is required");
        }
        let verify = verification(
            &format!("HelmChart {}", args.name),
            args.verify_provider,
            &args.verify_secret_ref,
            &args.verify_issuer,
            &args.verify_subject,
        )?;
        if verify.is_some() && source.0 != "HelmRepository" {
            bail!(
                "flag --verify-provider: signatures are verified only for charts from a HelmRepository, not a {}",
                source.0
            );
        }
        Ok(Self {
            name: args.name.clone(),
            namespace: settings.namespace.clone(),
            labels: parse_labels(&args.label)?,
            source,
            chart: args.chart.clone(),
            version: given(&args.chart_version),
            reconcile_strategy: match args.reconcile_strategy {
                ReconcileStrategyArg::ChartVersion => "ChartVersion",
                ReconcileStrategyArg::Revision => "Revision",
            },
            verify,
            interval: go_duration("interval", &args.interval)?,
            export: args.export,
        })
    }

    /// The HelmChart as flux writes it (the YAML printer sorts the keys).
    pub fn object(&self) -> Value {
        let mut spec = json!({
            "chart": self.chart,
            "interval": self.interval,
            "reconcileStrategy": self.reconcile_strategy,
            "sourceRef": { "kind": self.source.0, "name": self.source.1 },
        });
        if let Some(version) = &self.version {
            spec["version"] = json!(version);
        }
        if let Some(verify) = &self.verify {
            spec["verify"] = verify.clone();
        }
        super::object(
            HELM_CHART,
            super::metadata(&self.name, &self.namespace, &self.labels),
            spec,
        )
    }
}

pub async fn run(
    options: &SourceChartOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    // flux says this before it exports, too (on stderr, so the YAML stays clean).
    generated("generating HelmChart source");
    if options.export {
        print!("{}", export_document(&options.object()));
        return Ok(());
    }
    let deadline = Instant::now() + settings.timeout;
    let client = settings.client().await?;
    apply_source_and_wait(
        &client,
        &printer,
        HELM_CHART,
        Label {
            noun: "HelmChart source",
            applied: "source",
        },
        &options.object(),
        (&options.namespace, &options.name),
        deadline,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_kind_is_matched_case_insensitively() {
        assert_eq!(
            parse_source("helmrepository/podinfo").unwrap(),
            ("HelmRepository", "podinfo".to_string())
        );
        assert_eq!(
            parse_source("GitRepository/charts").unwrap(),
            ("GitRepository", "charts".to_string())
        );
        let err = parse_source("foobar/podinfo").unwrap_err().to_string();
        assert_eq!(
            err,
            "flag --source: source kind \"foobar\" is not supported: use one of HelmRepository, GitRepository, Bucket"
        );
        assert!(parse_source("podinfo").is_err());
        assert!(parse_source("HelmRepository/").is_err());
    }
}
