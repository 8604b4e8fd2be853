//! The metric checks of an analysis step: each metric of `spec.analysis.metrics` queried
//! (built-in, inline query, or MetricTemplate) and judged against its threshold, in Flagger's
//! words. A query that fails or finds nothing fails the check: it never counts as a pass.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::Api;

use crate::api::flagger::{
    Canary, CanaryAnalysis, CanaryMetric, MetricProviderType, MetricTemplate,
};

use super::CanaryContext;
use super::analysis::{self, MetricCheck, Observed, PrometheusClient, QueryModel};
use super::router::Router;

/// Flagger's window of a metric without `interval`.
const METRIC_INTERVAL: &str = "1m";

/// The Prometheus the built-in metrics and inline queries go to.
fn metrics_server<'a>(ctx: &'a CanaryContext, canary: &'a Canary) -> &'a str {
    canary
        .spec
        .metrics_server
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or(&ctx.options.metrics_server)
}

fn model(canary: &Canary, metric: &CanaryMetric) -> QueryModel {
    let target = canary.spec.target_ref.name.clone();
    let or_target = |name: Option<&String>| {
        name.filter(|n| !n.is_empty())
            .cloned()
            .unwrap_or_else(|| target.clone())
    };
    QueryModel {
        name: canary.name_any(),
        namespace: canary.namespace().unwrap_or_default(),
        service: or_target(canary.spec.service.as_ref().and_then(|s| s.name.as_ref())),
        ingress: or_target(canary.spec.ingress_ref.as_ref().map(|r| &r.name)),
        route: or_target(canary.spec.route_ref.as_ref().map(|r| &r.name)),
        interval: metric
            .interval
            .clone()
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| METRIC_INTERVAL.to_string()),
        variables: metric.template_variables.clone().unwrap_or_default(),
        target,
    }
}

/// Where a MetricTemplate's queries go, with its credentials.
async fn template_client(
    ctx: &CanaryContext,
    canary: &Canary,
    template: &MetricTemplate,
) -> Result<PrometheusClient, String> {
    let provider = &template.spec.provider;
    if provider.r#type != MetricProviderType::Prometheus {
        return Err(format!(
            "spec.provider.type: {:?} is not supported by tk yet: use prometheus",
            serde_json::to_value(provider.r#type).unwrap_or_default()
        ));
    }
    let credentials = match provider.secret_ref.as_ref() {
        Some(r) => {
            let namespace = template.namespace().unwrap_or_default();
            let secrets: Api<Secret> = Api::namespaced(ctx.rt.client.clone(), &namespace);
            let secret = secrets
                .get_opt(&r.name)
                .await
                .map_err(|e| format!("reading Secret {}: {e}", r.name))?
                .ok_or_else(|| {
                    format!(
                        "spec.provider.secretRef: Secret {}/{namespace} not found",
                        r.name
                    )
                })?;
            Some(
                secret
                    .data
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| (k, v.0))
                    .collect::<BTreeMap<_, _>>(),
            )
        }
        None => None,
    };
    let address = provider
        .address
        .as_deref()
        .filter(|a| !a.is_empty())
        .unwrap_or(metrics_server(ctx, canary));
    PrometheusClient::new(
        address,
        analysis::ClientOptions {
            headers: provider.headers.clone().unwrap_or_default(),
            credentials,
            insecure_skip_verify: provider.insecure_skip_verify.unwrap_or(false),
            ..Default::default()
        },
    )
    .map_err(|e| e.to_string())
}

async fn template(
    ctx: &CanaryContext,
    canary: &Canary,
    metric: &CanaryMetric,
) -> Result<MetricTemplate, String> {
    let r = metric.template_ref.as_ref().expect("a template metric");
    let namespace = r
        .namespace
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| canary.namespace().unwrap_or_default());
    let api: Api<MetricTemplate> = Api::namespaced(ctx.rt.client.clone(), &namespace);
    match api.get_opt(&r.name).await {
        Ok(Some(t)) => Ok(t),
        Ok(None) => Err(format!(
            "Metric template {}.{namespace} error: not found: create it, or fix the templateRef of metric {}",
            r.name, metric.name
        )),
        Err(e) => Err(format!("Metric template {}.{namespace} error: {e}", r.name)),
    }
}

/// Flagger checks, before the first analysis, that every metric's provider answers.
pub async fn providers_online(
    ctx: &CanaryContext,
    canary: &Canary,
    analysis: &CanaryAnalysis,
) -> Result<(), String> {
    let mut builtin = false;
    for metric in analysis.metrics.iter().flatten() {
        if metric.template_ref.is_some() && !is_builtin(metric) {
            let t = template(ctx, canary, metric).await?;
            let client = template_client(ctx, canary, &t).await.map_err(|e| {
                format!(
                    "Metric template {}.{} error: {e}",
                    t.name_any(),
                    t.namespace().unwrap_or_default()
                )
            })?;
            client.is_online().await.map_err(|e| e.to_string())?;
        } else {
            builtin = true;
        }
    }
    if builtin {
        let client = PrometheusClient::new(metrics_server(ctx, canary), Default::default())
            .map_err(|e| format!("spec.metricsServer: {e}"))?;
        client.is_online().await.map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn is_builtin(metric: &CanaryMetric) -> bool {
    metric.name == analysis::REQUEST_SUCCESS_RATE || metric.name == analysis::REQUEST_DURATION
}

/// Runs every metric check; the first failure's message.
pub async fn run(
    ctx: &CanaryContext,
    canary: &Canary,
    spec: &CanaryAnalysis,
    _router: Router,
) -> Result<(), String> {
    let namespace = canary.namespace().unwrap_or_default();
    let name = canary.name_any();
    for metric in spec.metrics.iter().flatten() {
        let model = model(canary, metric);
        let check = MetricCheck {
            canary: &name,
            namespace: &namespace,
            metric: &metric.name,
            threshold_range: metric
                .threshold_range
                .as_ref()
                .map(|r| analysis::ThresholdRange {
                    min: r.min,
                    max: r.max,
                }),
            threshold: metric.threshold,
        };
        let (value, observed) = if is_builtin(metric) {
            let provider = analysis::metrics_provider(
                ctx.options.mesh_provider.as_str(),
                canary.spec.provider.map(|p| p.as_str()),
                canary.spec.target_ref.kind.as_str(),
            );
            let observer = analysis::observer(&provider).ok_or_else(|| {
                format!("Metric {}: tk has no built-in query for provider {provider}: use a MetricTemplate", metric.name)
            })?;
            let query = analysis::builtin_query(&provider, &metric.name).unwrap_or_default();
            let query = analysis::render(query, &model)
                .map_err(|e| format!("Metric {}: {e}", metric.name))?;
            let client = PrometheusClient::new(metrics_server(ctx, canary), Default::default())
                .map_err(|e| format!("spec.metricsServer: {e}"))?;
            let value = client.query(&query).await.map_err(|e| {
                if e.is_no_values() {
                    format!(
                        "Halt advancement no values found for {provider} metric {} probably {}.{namespace} is not receiving traffic: {e}",
                        metric.name, canary.spec.target_ref.name
                    )
                } else {
                    format!("Prometheus query failed: {e}")
                }
            })?;
            let observed = if metric.name == analysis::REQUEST_DURATION {
                Observed::RequestDuration {
                    millis: analysis::request_duration_millis(observer, value),
                }
            } else {
                Observed::SuccessRate(value)
            };
            (value, observed)
        } else {
            let (client, query) = match (&metric.template_ref, &metric.query) {
                (Some(_), _) => {
                    let t = template(ctx, canary, metric).await?;
                    let id = format!("{}.{}", t.name_any(), t.namespace().unwrap_or_default());
                    let client = template_client(ctx, canary, &t)
                        .await
                        .map_err(|e| format!("Metric template {id} error: {e}"))?;
                    let query = analysis::render(&t.spec.query, &model)
                        .map_err(|e| format!("Metric template {id} query render error: {e}"))?;
                    (client, query)
                }
                (None, Some(query)) => {
                    let client =
                        PrometheusClient::new(metrics_server(ctx, canary), Default::default())
                            .map_err(|e| format!("spec.metricsServer: {e}"))?;
                    (client, query.clone())
                }
                (None, None) => {
                    return Err(format!(
                        "Metric {}: set templateRef (or query), or use a built-in metric name \
                         (request-success-rate, request-duration)",
                        metric.name
                    ));
                }
            };
            let value = client.query(&query).await.map_err(|e| {
                if e.is_no_values() {
                    format!(
                        "Halt advancement no values found for custom metric: {}: {e}",
                        metric.name
                    )
                } else {
                    format!("Metric query failed for {}: {e}", metric.name)
                }
            })?;
            (value, Observed::Value(value))
        };
        ctx.telemetry.set_analysis(canary, &metric.name, value);
        check.decide(observed).map_err(|halt| halt.0)?;
    }
    Ok(())
}
