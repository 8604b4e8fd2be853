//! `tk create canary NAME`: a Canary (`flagger.app/v1beta1`) made from flags, printed with
//! `--export` or applied with server-side apply and waited for until the canary controller
//! reports it Initialized.
//!
//! The spec is built as tk's typed `CanarySpec`, so what `--export` prints reads back into
//! the types unchanged. The flags are checked as Flagger's CRD checks the fields they fill
//! (the provider in Flagger's list, intervals matching `^[0-9]+(m|s)`, exactly one of
//! `iterations`, `stepWeight` and `stepWeights`), and a little further where the CRD admits
//! what Flagger cannot run (a weight above 100, decreasing step weights, a `maxWeight`
//! without `stepWeight`); each error names the Canary, the flag and what to pass.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Result;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{Value, json};

use super::notification::enum_values;
use super::secret_helm::given;
use super::{apply, export_document, generated, metadata, object, parse_labels};
use crate::api::flagger::{
    CanaryAnalysis, CanaryMetric, CanaryProvider, CanaryService, CanarySpec, CanaryWebhook,
    CrossNamespaceRef, GatewayRef, HookType, TargetKind, TargetRef, ThresholdRange,
};
use crate::cli::args::CreateCanaryArgs;
use crate::cli::canary::{self, INITIALIZED};
use crate::cli::objects::CANARY;
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;

/// The workloads `--target-ref` names (Flagger's `apps/v1` kinds).
const TARGET_KINDS: [TargetKind; 2] = [TargetKind::Deployment, TargetKind::DaemonSet];

/// The built-in metrics `--metric` checks, each with the bound its value sets.
const SUCCESS_RATE: &str = "request-success-rate";
const DURATION: &str = "request-duration";

#[derive(Debug, Clone)]
pub struct CanaryOptions {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub spec: CanarySpec,
    pub wait: bool,
    pub export: bool,
}

impl CanaryOptions {
    pub fn resolve(args: &CreateCanaryArgs, settings: &GlobalSettings) -> Result<Self> {
        let spec =
            spec(args).map_err(|message| anyhow::anyhow!("Canary {}: {message}", args.name))?;
        Ok(Self {
            name: args.name.clone(),
            namespace: settings.namespace.clone(),
            labels: parse_labels(&args.label)?,
            spec,
            wait: args.wait,
            export: args.export,
        })
    }

    /// The Canary as applied and exported.
    pub fn object(&self) -> Value {
        object(
            CANARY,
            metadata(&self.name, &self.namespace, &self.labels),
            serde_json::to_value(&self.spec).expect("a CanarySpec serializes"),
        )
    }
}

/// The spec the flags describe; errors name the flag (the caller names the Canary).
fn spec(args: &CreateCanaryArgs) -> Result<CanarySpec, String> {
    let Some(target) = given(&args.target_ref) else {
        return Err(
            "flag --target-ref is required: pass the workload to roll out, such as \
             --target-ref Deployment/podinfo"
                .to_string(),
        );
    };
    let target_ref = target_ref(&target)?;
    let provider = given(&args.provider).map(|p| provider(&p)).transpose()?;
    let Some(port) = args.port else {
        return Err(
            "flag --port is required: pass the port the generated Services expose, \
             such as --port 9898"
                .to_string(),
        );
    };
    if port == 0 {
        return Err("flag --port: 0 is not a port: pass 1 to 65535".to_string());
    }
    let gateway_refs = args
        .gateway_ref
        .iter()
        .filter(|r| !r.trim().is_empty())
        .map(|r| gateway_ref(r))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(provider) = provider
        && !gateway_refs.is_empty()
        && !matches!(
            provider,
            CanaryProvider::GatewayapiV1 | CanaryProvider::GatewayapiV1beta1
        )
    {
        return Err(format!(
            "flag --gateway-ref: the {} provider does not attach routes to Gateways: pass \
             --provider gatewayapi:v1, or leave --gateway-ref out",
            provider.as_str()
        ));
    }
    let hosts: Vec<String> = args
        .host
        .iter()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .collect();
    let service = CanaryService {
        port: i32::from(port),
        target_port: given(&args.target_port)
            .map(|p| target_port(&p))
            .transpose()?,
        hosts: (!hosts.is_empty()).then_some(hosts),
        gateway_refs: (!gateway_refs.is_empty()).then_some(gateway_refs),
        ..Default::default()
    };
    let mut metrics = args
        .metric
        .iter()
        .map(|m| builtin_metric(m))
        .collect::<Result<Vec<_>, _>>()?;
    for template in &args.metric_template {
        metrics.push(template_metric(template)?);
    }
    let mut webhooks: Vec<CanaryWebhook> = Vec::new();
    for hook in &args.webhook {
        let mut hook = webhook(hook)?;
        // Named after the type; a second hook of a type is `<type>-2`, and so on.
        let same = webhooks.iter().filter(|h| h.r#type == hook.r#type).count();
        if same > 0 {
            hook.name = format!("{}-{}", hook.name, same + 1);
        }
        webhooks.push(hook);
    }
    let metrics_server = given(&args.metrics_server)
        .map(|url| http_url("metrics-server", &url))
        .transpose()?;
    Ok(CanarySpec {
        provider,
        metrics_server,
        target_ref,
        service: Some(service),
        analysis: Some(CanaryAnalysis {
            metrics: (!metrics.is_empty()).then_some(metrics),
            webhooks: (!webhooks.is_empty()).then_some(webhooks),
            ..schedule(args)?
        }),
        ..Default::default()
    })
}

/// `--target-ref [KIND/]NAME`.
fn target_ref(text: &str) -> Result<TargetRef, String> {
    let (kind, name) = match text.split_once('/') {
        Some((kind, name)) => (Some(kind), name),
        None => (None, text),
    };
    if name.is_empty() || name.contains('/') || kind == Some("") {
        return Err(format!(
            "flag --target-ref: invalid target '{text}', must be in format [<kind>/]<name>, \
             such as Deployment/podinfo"
        ));
    }
    let kind = match kind {
        None => TargetKind::Deployment,
        Some(kind) => TARGET_KINDS
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(kind))
            .ok_or_else(|| {
                format!(
                    "flag --target-ref: kind '{kind}' is not supported, must be one of: {}",
                    TARGET_KINDS.map(TargetKind::as_str).join(", ")
                )
            })?,
    };
    Ok(TargetRef {
        api_version: "apps/v1".to_string(),
        kind,
        name: name.to_string(),
    })
}

/// `--provider`, one of the providers Flagger's CRD lists.
fn provider(text: &str) -> Result<CanaryProvider, String> {
    serde_json::from_value(json!(text)).map_err(|_| {
        format!(
            "flag --provider: provider '{text}' is not supported, must be one of: {}",
            enum_values::<CanaryProvider>().join(", ")
        )
    })
}

/// `--target-port`: a port number, or a container port's name (an IANA service name).
fn target_port(text: &str) -> Result<IntOrString, String> {
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<u16>() {
            Ok(port) if port > 0 => Ok(IntOrString::Int(i32::from(port))),
            _ => Err(format!(
                "flag --target-port: {text} is not a port: pass 1 to 65535 or a port name"
            )),
        };
    }
    let name_ok = text.len() <= 15
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && text.bytes().any(|b| b.is_ascii_lowercase())
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--");
    if !name_ok {
        return Err(format!(
            "flag --target-port: '{text}' is neither a port number nor a port name: a name is \
             up to 15 lowercase letters, digits and single '-', such as http"
        ));
    }
    Ok(IntOrString::String(text.to_string()))
}

/// `--gateway-ref [NAMESPACE/]NAME`.
fn gateway_ref(text: &str) -> Result<GatewayRef, String> {
    let text = text.trim();
    let (namespace, name) = match text.split_once('/') {
        Some((namespace, name)) => (Some(namespace), name),
        None => (None, text),
    };
    if name.is_empty() || name.contains('/') || namespace == Some("") {
        return Err(format!(
            "flag --gateway-ref: invalid gateway '{text}', must be in format \
             [<namespace>/]<name>, such as istio-ingress/public"
        ));
    }
    Ok(GatewayRef {
        name: name.to_string(),
        namespace: namespace.map(str::to_string),
        ..Default::default()
    })
}

/// The analysis' interval, threshold and traffic steps.
fn schedule(args: &CreateCanaryArgs) -> Result<CanaryAnalysis, String> {
    let interval = analysis_interval(&args.interval)?;
    let count = |flag: &str, value: u32| match i32::try_from(value) {
        Ok(count) if count > 0 => Ok(count),
        _ => Err(format!(
            "flag --{flag}: {value} is not a count of checks: pass 1 to {}",
            i32::MAX
        )),
    };
    let threshold = count("threshold", args.threshold)?;
    let iterations = args
        .iterations
        .map(|i| count("iterations", i))
        .transpose()?;
    let chosen: Vec<&str> = [
        (args.step_weight.is_some(), "--step-weight"),
        (!args.step_weights.is_empty(), "--step-weights"),
        (iterations.is_some(), "--iterations"),
    ]
    .into_iter()
    .filter_map(|(set, flag)| set.then_some(flag))
    .collect();
    match chosen[..] {
        [_] => {}
        [] => {
            return Err(
                "flags --step-weight/--step-weights/--iterations: pass one: --step-weight \
                 (with --max-weight) or --step-weights to shift traffic step by step, or \
                 --iterations to run checks without shifting (A/B testing, blue/green)"
                    .to_string(),
            );
        }
        _ => {
            return Err(format!(
                "flags {}: pass only one: a canary shifts traffic by --step-weight or \
                 through --step-weights, or runs --iterations checks without shifting",
                chosen.join("/")
            ));
        }
    }
    if args.max_weight.is_some() && args.step_weight.is_none() {
        return Err(
            "flag --max-weight: applies to --step-weight only (the last of --step-weights is \
             the highest weight): pass --step-weight, or leave --max-weight out"
                .to_string(),
        );
    }
    let percent = |flag: &str, value: u32| match i32::try_from(value) {
        Ok(weight @ 1..=100) => Ok(weight),
        _ => Err(format!(
            "flag --{flag}: {value} is not a percentage of traffic: pass 1 to 100"
        )),
    };
    let step_weight = args
        .step_weight
        .map(|w| percent("step-weight", w))
        .transpose()?;
    let max_weight = args
        .max_weight
        .map(|w| percent("max-weight", w))
        .transpose()?;
    if let (Some(step), Some(max)) = (step_weight, max_weight)
        && step > max
    {
        return Err(format!(
            "flag --step-weight: {step} is above --max-weight {max}: pass a step no larger \
             than the highest weight"
        ));
    }
    let step_weights = args
        .step_weights
        .iter()
        .map(|&w| percent("step-weights", w))
        .collect::<Result<Vec<_>, _>>()?;
    if step_weights.windows(2).any(|w| w[0] >= w[1]) {
        let given: Vec<String> = step_weights.iter().map(i32::to_string).collect();
        return Err(format!(
            "flag --step-weights: {} does not increase at every step: pass increasing \
             weights, such as 10,20,50",
            given.join(",")
        ));
    }
    Ok(CanaryAnalysis {
        interval: Some(interval),
        threshold: Some(threshold),
        max_weight,
        step_weight,
        step_weights: (!step_weights.is_empty()).then_some(step_weights),
        iterations,
        ..Default::default()
    })
}

/// `--interval`: Flagger's pattern `^[0-9]+(m|s)` and a Go duration (the controller parses
/// it as one), written as given.
fn analysis_interval(text: &str) -> Result<String, String> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let pattern = digits > 0 && matches!(text.as_bytes().get(digits), Some(b'm' | b's'));
    if !pattern || crate::api::duration::parse_positive(text).is_err() {
        return Err(format!(
            "flag --interval: '{text}' is not an analysis interval: pass seconds or minutes, \
             such as 30s or 1m (Flagger's pattern ^[0-9]+(m|s))"
        ));
    }
    Ok(text.to_string())
}

/// A threshold: a finite number.
fn threshold(flag: &str, what: &str, text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("flag --{flag}: '{text}' is not a number: pass the {what}"))
}

/// `--metric NAME=VALUE`: a built-in metric and its bound.
fn builtin_metric(text: &str) -> Result<CanaryMetric, String> {
    let Some((name, value)) = text.split_once('=') else {
        return Err(format!(
            "flag --metric: invalid metric '{text}', must be {SUCCESS_RATE}=<min percent> or \
             {DURATION}=<max milliseconds>"
        ));
    };
    let range = match name {
        SUCCESS_RATE => {
            let min = threshold("metric", "lowest success rate, in percent", value)?;
            if !(0.0..=100.0).contains(&min) {
                return Err(format!(
                    "flag --metric: {SUCCESS_RATE} {value} is not a percentage: pass 0 to 100"
                ));
            }
            ThresholdRange {
                min: Some(min),
                max: None,
            }
        }
        DURATION => {
            let max = threshold("metric", "highest request duration, in milliseconds", value)?;
            if max <= 0.0 {
                return Err(format!(
                    "flag --metric: {DURATION} {value} would fail every check: pass a duration \
                     above 0 milliseconds"
                ));
            }
            ThresholdRange {
                min: None,
                max: Some(max),
            }
        }
        other => {
            return Err(format!(
                "flag --metric: '{other}' is not a built-in metric, must be one of: \
                 {SUCCESS_RATE}, {DURATION} (check other queries with --metric-template)"
            ));
        }
    };
    Ok(CanaryMetric {
        name: name.to_string(),
        threshold_range: Some(range),
        ..Default::default()
    })
}

/// `--metric-template [NAMESPACE/]NAME:MIN:MAX`: a MetricTemplate's query and its bounds.
fn template_metric(text: &str) -> Result<CanaryMetric, String> {
    let format = || {
        format!(
            "flag --metric-template: invalid metric template '{text}', must be in format \
             [<namespace>/]<name>:<min>:<max> with one bound or both, such as error-rate::1"
        )
    };
    let parts: Vec<&str> = text.split(':').collect();
    let [reference, min, max] = parts[..] else {
        return Err(format());
    };
    let (namespace, name) = match reference.split_once('/') {
        Some((namespace, name)) => (Some(namespace), name),
        None => (None, reference),
    };
    if name.is_empty() || name.contains('/') || namespace == Some("") {
        return Err(format());
    }
    let bound = |which: &str, value: &str| {
        (!value.trim().is_empty())
            .then(|| threshold("metric-template", which, value))
            .transpose()
    };
    let (min, max) = (
        bound("lowest accepted value", min)?,
        bound("highest accepted value", max)?,
    );
    match (min, max) {
        (None, None) => return Err(format()),
        (Some(min), Some(max)) if min > max => {
            return Err(format!(
                "flag --metric-template: {name}'s min {min} is above its max {max}: pass \
                 <min>:<max> in order"
            ));
        }
        _ => {}
    }
    Ok(CanaryMetric {
        name: name.to_string(),
        threshold_range: Some(ThresholdRange { min, max }),
        template_ref: Some(CrossNamespaceRef {
            name: name.to_string(),
            namespace: namespace.map(str::to_string),
        }),
        ..Default::default()
    })
}

/// `--webhook TYPE=URL`: a webhook named after its type.
fn webhook(text: &str) -> Result<CanaryWebhook, String> {
    let types: Vec<String> = enum_values::<HookType>()
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect();
    let Some((kind, url)) = text.split_once('=') else {
        return Err(format!(
            "flag --webhook: invalid webhook '{text}', must be in format <type>=<url>, such as \
             confirm-promotion=http://flagger-loadtester.test/gate/check"
        ));
    };
    if !types.iter().any(|t| t == kind) {
        return Err(format!(
            "flag --webhook: type '{kind}' is not supported, must be one of: {}",
            types.join(", ")
        ));
    }
    let hook_type: HookType =
        serde_json::from_value(json!(kind)).expect("a listed hook type reads back");
    Ok(CanaryWebhook {
        name: kind.to_string(),
        r#type: Some(hook_type),
        url: http_url("webhook", url)?,
        ..Default::default()
    })
}

/// An http:// or https:// URL with a host, as given.
fn http_url(flag: &str, text: &str) -> Result<String, String> {
    match url::Url::parse(text) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some_and(|h| !h.is_empty()) =>
        {
            Ok(text.to_string())
        }
        _ => Err(format!(
            "flag --{flag}: '{text}' is not an http:// or https:// URL with a host"
        )),
    }
}

pub async fn run(
    options: &CanaryOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    if options.export {
        print!("{}", export_document(&options.object()));
        return Ok(());
    }
    let deadline = Instant::now() + settings.timeout;
    let client = settings.client().await?;
    let key = (options.namespace.as_str(), options.name.as_str());
    generated("generating Canary");
    apply(&client, &printer, CANARY, "Canary", &options.object(), key).await?;
    if !options.wait {
        return Ok(());
    }
    printer.waiting("waiting for Canary initialization");
    let initialized = canary::wait(&client, key, INITIALIZED, printer, deadline).await?;
    printer.success(format!(
        "Canary {} is {}",
        options.name,
        canary::phase(&initialized)
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::api::flagger::Canary;
    use crate::cli::args::{Cli, Command, CreateCommand};

    fn resolve(args: &str) -> Result<CanaryOptions> {
        let argv = format!("tk create canary {args}");
        let cli = Cli::try_parse_from(argv.split_whitespace()).expect("the arguments parse");
        let settings = GlobalSettings::resolve(&cli.global).unwrap();
        let Command::Create(create) = cli.command else {
            unreachable!()
        };
        let CreateCommand::Canary(canary) = create.command else {
            unreachable!()
        };
        CanaryOptions::resolve(&canary, &settings)
    }

    fn error(args: &str) -> String {
        resolve(args).unwrap_err().to_string()
    }

    const BASE: &str = "podinfo --target-ref podinfo --port 9898";

    #[test]
    fn builds_the_spec_flagger_documents() {
        let options = resolve(
            "podinfo -n test --target-ref Deployment/podinfo --provider gatewayapi:v1 \
             --gateway-ref istio-ingress/public --host app.example.com --port 9898 \
             --target-port http --interval 30s --threshold 3 --step-weight 10 \
             --max-weight 50 --metric request-success-rate=99 --metric request-duration=500 \
             --metric-template flagger-system/latency::0.5 \
             --webhook confirm-promotion=http://gate/ --webhook confirm-promotion=http://g2/",
        )
        .unwrap();
        let value = options.object();
        assert_eq!(
            value["spec"],
            json!({
                "provider": "gatewayapi:v1",
                "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo" },
                "service": {
                    "port": 9898, "targetPort": "http", "hosts": ["app.example.com"],
                    "gatewayRefs": [{ "name": "public", "namespace": "istio-ingress" }]
                },
                "analysis": {
                    "interval": "30s", "threshold": 3, "stepWeight": 10, "maxWeight": 50,
                    "metrics": [
                        { "name": "request-success-rate", "thresholdRange": { "min": 99 } },
                        { "name": "request-duration", "thresholdRange": { "max": 500 } },
                        { "name": "latency", "thresholdRange": { "max": 0.5 },
                          "templateRef": { "name": "latency", "namespace": "flagger-system" } }
                    ],
                    "webhooks": [
                        { "name": "confirm-promotion", "type": "confirm-promotion", "url": "http://gate/" },
                        { "name": "confirm-promotion-2", "type": "confirm-promotion", "url": "http://g2/" }
                    ]
                }
            })
        );
        // What is applied reads back into the types unchanged.
        let canary: Canary = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&canary).unwrap(), value);
    }

    #[test]
    fn refuses_what_flaggers_crd_refuses_naming_the_flag() {
        for (args, start) in [
            (
                "podinfo --port 1 --iterations 1",
                "Canary podinfo: flag --target-ref is required",
            ),
            (
                "podinfo --target-ref x --iterations 1",
                "Canary podinfo: flag --port is required",
            ),
            (
                &format!("{BASE} --iterations 1 --provider envoy"),
                "Canary podinfo: flag --provider: provider 'envoy' is not supported, must be \
                 one of: apisix, appmesh, appmesh:v1beta2",
            ),
            (
                BASE,
                "Canary podinfo: flags --step-weight/--step-weights/--iterations: pass one",
            ),
            (
                &format!("{BASE} --iterations 3 --step-weight 5"),
                "Canary podinfo: flags --step-weight/--iterations: pass only one",
            ),
            (
                &format!("{BASE} --iterations 3 --interval 1h"),
                "Canary podinfo: flag --interval: '1h' is not an analysis interval",
            ),
            (
                &format!("{BASE} --step-weights 10,5"),
                "Canary podinfo: flag --step-weights: 10,5 does not increase",
            ),
            (
                &format!("{BASE} --iterations 3 --max-weight 50"),
                "Canary podinfo: flag --max-weight: applies to --step-weight only",
            ),
            (
                &format!("{BASE} --step-weight 150"),
                "Canary podinfo: flag --step-weight: 150 is not a percentage",
            ),
            (
                "podinfo --target-ref StatefulSet/x --port 1 --iterations 3",
                "Canary podinfo: flag --target-ref: kind 'StatefulSet' is not supported",
            ),
            (
                &format!("{BASE} --iterations 3 --metric error-rate=1"),
                "Canary podinfo: flag --metric: 'error-rate' is not a built-in metric",
            ),
            (
                &format!("{BASE} --iterations 3 --metric-template latency"),
                "Canary podinfo: flag --metric-template: invalid metric template 'latency'",
            ),
            (
                &format!("{BASE} --iterations 3 --webhook load-test=http://x/"),
                "Canary podinfo: flag --webhook: type 'load-test' is not supported",
            ),
            (
                &format!("{BASE} --iterations 3 --webhook rollout=ftp://x/"),
                "Canary podinfo: flag --webhook: 'ftp://x/' is not an http:// or https:// URL",
            ),
            (
                &format!("{BASE} --iterations 3 --provider istio --gateway-ref gw"),
                "Canary podinfo: flag --gateway-ref: the istio provider does not attach",
            ),
            (
                &format!("{BASE} --iterations 3 --target-port Http_1"),
                "Canary podinfo: flag --target-port: 'Http_1' is neither",
            ),
        ] {
            let err = error(args);
            assert!(err.starts_with(start), "{args}: {err}");
        }
    }

    #[test]
    fn intervals_follow_flaggers_pattern() {
        for ok in ["1m", "30s", "90s", "1m30s"] {
            assert_eq!(analysis_interval(ok).unwrap(), ok);
        }
        for bad in ["", "m", "1h", "1.5m", "5", "0s", "1mx"] {
            assert!(analysis_interval(bad).is_err(), "{bad}");
        }
    }
}
