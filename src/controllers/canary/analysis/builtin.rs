//! The builtin metrics, `request-success-rate` and `request-duration`: the PromQL Flagger's
//! observers run for them, which observer a provider gets, and how each observer turns the
//! query's value into the duration compared with the metric's thresholds.
//!
//! Flagger picks the observer from the *metrics provider* ([`metrics_provider`]): the
//! Canary's `spec.provider`, else the controller's mesh provider. `kubernetes` gets the
//! HTTP observer (the app's own `http_request_duration_seconds` histogram), `istio`,
//! `linkerd` and `osm` their mesh's metrics, and every provider without an observer of its own —
//! `gatewayapi:v1`, `gatewayapi:v1beta1`, `smi:*`, an empty or unknown name, and
//! `kubernetes:service` (a Service target) — falls to Flagger's default, the Istio observer.
//! Providers whose Flagger observer tk does not carry (App Mesh, Contour, Gloo, NGINX,
//! Skipper, Traefik, Kuma, APISIX, Knative) have no builtin query here.
//!
//! The queries are templates for [`super::template::render`] (the same model as a
//! MetricTemplate's). Their layout does not matter: the client collapses whitespace before
//! sending, as Flagger does.
//!
//! Units: `request-success-rate` is a percentage (0–100). `request-duration` is the P99 in
//! milliseconds, cut to whole milliseconds ([`request_duration_millis`]): the Istio, Linkerd
//! and OSM histograms are in milliseconds, the HTTP observer's in seconds (×1000).

/// The builtin metric names.
pub const REQUEST_SUCCESS_RATE: &str = "request-success-rate";
pub const REQUEST_DURATION: &str = "request-duration";

/// A Flagger observer: which metrics the builtin queries read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observer {
    /// The app's `http_request_duration_seconds` histogram (provider `kubernetes`).
    Http,
    /// Istio's `istio_requests_total` and `istio_request_duration_milliseconds` (provider
    /// `istio`, and Flagger's default).
    Istio,
    /// Linkerd's `response_total` and `response_latency_ms` (provider `linkerd`).
    Linkerd,
    /// Open Service Mesh's `osm_request_total` and `osm_request_duration_ms` (provider `osm`).
    Osm,
}

/// Providers for which Flagger has an observer of its own that tk does not carry (matched as
/// Flagger's factory does: App Mesh and Gloo by prefix, the rest by name).
const FOREIGN_OBSERVERS: &[&str] = &[
    "contour", "nginx", "skipper", "traefik", "kuma", "apisix", "knative",
];

/// The observer Flagger's `observers.Factory.Observer` picks for `provider` (a metrics
/// provider, see [`metrics_provider`]); `None` when Flagger would use an observer tk does
/// not carry.
pub fn observer(provider: &str) -> Option<Observer> {
    if provider.starts_with("appmesh")
        || provider.starts_with("gloo")
        || FOREIGN_OBSERVERS.contains(&provider)
    {
        return None;
    }
    Some(match provider {
        "kubernetes" => Observer::Http,
        "linkerd" => Observer::Linkerd,
        "osm" => Observer::Osm,
        _ => Observer::Istio,
    })
}

/// The query template of a builtin `metric` for `provider`; `None` when `metric` is not a
/// builtin name or the provider's observer is one tk does not carry.
pub fn builtin_query(provider: &str, metric: &str) -> Option<&'static str> {
    let observer = observer(provider)?;
    match metric {
        REQUEST_SUCCESS_RATE => Some(observer.success_rate_query()),
        REQUEST_DURATION => Some(observer.duration_query()),
        _ => None,
    }
}

/// The metrics provider Flagger's `runBuiltinMetricChecks` derives: a mesh provider
/// containing `crossover` gives `crossover`; the Canary's `spec.provider` overrides the mesh
/// provider, except that any Canary provider reads Linkerd's metrics when the mesh provider
/// contains `linkerd`; a `Service` target appends `:service`.
pub fn metrics_provider(
    mesh_provider: &str,
    canary_provider: Option<&str>,
    target_kind: &str,
) -> String {
    let mut provider = if mesh_provider.contains("crossover") {
        "crossover".to_string()
    } else {
        mesh_provider.to_string()
    };
    if let Some(canary) = canary_provider.filter(|p| !p.is_empty()) {
        provider = if mesh_provider.contains("linkerd") {
            "linkerd".to_string()
        } else {
            canary.to_string()
        };
    }
    if target_kind == "Service" {
        provider.push_str(":service");
    }
    provider
}

/// The `request-duration` value in whole milliseconds, from the query's value, as the
/// observer converts it (Go's `time.Duration(int64(v))`: cut toward zero; tk saturates
/// where Go's conversion of an out-of-range float is undefined).
pub fn request_duration_millis(observer: Observer, value: f64) -> i64 {
    match observer {
        Observer::Http => (value * 1000.0) as i64,
        Observer::Istio | Observer::Linkerd | Observer::Osm => value as i64,
    }
}

impl Observer {
    pub fn success_rate_query(self) -> &'static str {
        match self {
            Observer::Http => HTTP_SUCCESS_RATE,
            Observer::Istio => ISTIO_SUCCESS_RATE,
            Observer::Linkerd => LINKERD_SUCCESS_RATE,
            Observer::Osm => OSM_SUCCESS_RATE,
        }
    }

    pub fn duration_query(self) -> &'static str {
        match self {
            Observer::Http => HTTP_DURATION,
            Observer::Istio => ISTIO_DURATION,
            Observer::Linkerd => LINKERD_DURATION,
            Observer::Osm => OSM_DURATION,
        }
    }
}

// Flagger's pkg/metrics/observers/http.go.
const HTTP_SUCCESS_RATE: &str = r#"
    sum(
        rate(
            http_request_duration_seconds_count{
                kubernetes_namespace="{{ namespace }}",
                kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)",
                status!~"5.*"
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            http_request_duration_seconds_count{
                kubernetes_namespace="{{ namespace }}",
                kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"
            }[{{ interval }}]
        )
    )
    * 100"#;

const HTTP_DURATION: &str = r#"
    histogram_quantile(
        0.99,
        sum(
            rate(
                http_request_duration_seconds_bucket{
                    kubernetes_namespace="{{ namespace }}",
                    kubernetes_pod_name=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"
                }[{{ interval }}]
            )
        ) by (le)
    )"#;

// Flagger's pkg/metrics/observers/istio.go.
const ISTIO_SUCCESS_RATE: &str = r#"
    sum(
        rate(
            istio_requests_total{
                reporter="destination",
                destination_workload_namespace="{{ namespace }}",
                destination_workload=~"{{ target }}",
                response_code!~"5.*"
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            istio_requests_total{
                reporter="destination",
                destination_workload_namespace="{{ namespace }}",
                destination_workload=~"{{ target }}"
            }[{{ interval }}]
        )
    )
    * 100"#;

const ISTIO_DURATION: &str = r#"
    histogram_quantile(
        0.99,
        sum(
            rate(
                istio_request_duration_milliseconds_bucket{
                    reporter="destination",
                    destination_workload_namespace="{{ namespace }}",
                    destination_workload=~"{{ target }}"
                }[{{ interval }}]
            )
        ) by (le)
    )"#;

// Flagger's pkg/metrics/observers/linkerd.go.
const LINKERD_SUCCESS_RATE: &str = r#"
    sum(
        rate(
            response_total{
                namespace="{{ namespace }}",
                deployment=~"{{ target }}",
                classification!="failure",
                direction="inbound"
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            response_total{
                namespace="{{ namespace }}",
                deployment=~"{{ target }}",
                direction="inbound"
            }[{{ interval }}]
        )
    )
    * 100"#;

const LINKERD_DURATION: &str = r#"
    histogram_quantile(
        0.99,
        sum(
            rate(
                response_latency_ms_bucket{
                    namespace="{{ namespace }}",
                    deployment=~"{{ target }}",
                    direction="inbound"
                }[{{ interval }}]
            )
        ) by (le)
    )"#;

// Flagger's pkg/metrics/observers/osm.go.
const OSM_SUCCESS_RATE: &str = r#"
    sum(
        rate(
            osm_request_total{
                destination_namespace="{{ namespace }}",
                destination_kind="Deployment",
                destination_name="{{ target }}",
                response_code!~"5.*"
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            osm_request_total{
                destination_namespace="{{ namespace }}",
                destination_kind="Deployment",
                destination_name="{{ target }}"
            }[{{ interval }}]
        )
    )
    * 100"#;

const OSM_DURATION: &str = r#"
    histogram_quantile(
        0.99,
        sum(
            rate(
                osm_request_duration_ms_bucket{
                    destination_namespace="{{ namespace }}",
                    destination_kind="Deployment",
                    destination_name="{{ target }}"
                }[{{ interval }}]
            )
        ) by (le)
    )"#;

#[cfg(test)]
mod tests {
    use super::super::prometheus::collapse_whitespace;
    use super::super::template::{QueryModel, render};
    use super::*;

    /// The model of Flagger's observer tests.
    fn podinfo() -> QueryModel {
        QueryModel {
            name: "podinfo".into(),
            namespace: "default".into(),
            target: "podinfo".into(),
            service: "podinfo".into(),
            interval: "1m".into(),
            ..QueryModel::default()
        }
    }

    fn sent(provider: &str, metric: &str) -> String {
        let template = builtin_query(provider, metric).expect("a builtin query");
        collapse_whitespace(&render(template, &podinfo()).unwrap())
    }

    // The expected strings are the PromQL Flagger's own observer tests
    // (pkg/metrics/observers/{http,istio,linkerd,osm}_test.go) expect its server to receive.
    const FLAGGER_HTTP_SUCCESS_RATE: &str = r#" sum( rate( http_request_duration_seconds_count{ kubernetes_namespace="default", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)", status!~"5.*" }[1m] ) ) / sum( rate( http_request_duration_seconds_count{ kubernetes_namespace="default", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)" }[1m] ) ) * 100"#;
    const FLAGGER_HTTP_DURATION: &str = r#" histogram_quantile( 0.99, sum( rate( http_request_duration_seconds_bucket{ kubernetes_namespace="default", kubernetes_pod_name=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)" }[1m] ) ) by (le) )"#;
    const FLAGGER_ISTIO_SUCCESS_RATE: &str = r#" sum( rate( istio_requests_total{ reporter="destination", destination_workload_namespace="default", destination_workload=~"podinfo", response_code!~"5.*" }[1m] ) ) / sum( rate( istio_requests_total{ reporter="destination", destination_workload_namespace="default", destination_workload=~"podinfo" }[1m] ) ) * 100"#;
    const FLAGGER_ISTIO_DURATION: &str = r#" histogram_quantile( 0.99, sum( rate( istio_request_duration_milliseconds_bucket{ reporter="destination", destination_workload_namespace="default", destination_workload=~"podinfo" }[1m] ) ) by (le) )"#;
    const FLAGGER_LINKERD_SUCCESS_RATE: &str = r#" sum( rate( response_total{ namespace="default", deployment=~"podinfo", classification!="failure", direction="inbound" }[1m] ) ) / sum( rate( response_total{ namespace="default", deployment=~"podinfo", direction="inbound" }[1m] ) ) * 100"#;
    const FLAGGER_OSM_SUCCESS_RATE: &str = r#" sum( rate( osm_request_total{ destination_namespace="default", destination_kind="Deployment", destination_name="podinfo", response_code!~"5.*" }[1m] ) ) / sum( rate( osm_request_total{ destination_namespace="default", destination_kind="Deployment", destination_name="podinfo" }[1m] ) ) * 100"#;
    const FLAGGER_OSM_DURATION: &str = r#" histogram_quantile( 0.99, sum( rate( osm_request_duration_ms_bucket{ destination_namespace="default", destination_kind="Deployment", destination_name="podinfo" }[1m] ) ) by (le) )"#;
    const FLAGGER_LINKERD_DURATION: &str = r#" histogram_quantile( 0.99, sum( rate( response_latency_ms_bucket{ namespace="default", deployment=~"podinfo", direction="inbound" }[1m] ) ) by (le) )"#;

    #[test]
    fn kubernetes_reads_the_apps_own_http_histogram() {
        assert_eq!(
            sent("kubernetes", REQUEST_SUCCESS_RATE),
            FLAGGER_HTTP_SUCCESS_RATE
        );
        assert_eq!(sent("kubernetes", REQUEST_DURATION), FLAGGER_HTTP_DURATION);
    }

    #[test]
    fn meshes_read_their_own_metrics() {
        assert_eq!(
            sent("istio", REQUEST_SUCCESS_RATE),
            FLAGGER_ISTIO_SUCCESS_RATE
        );
        assert_eq!(sent("istio", REQUEST_DURATION), FLAGGER_ISTIO_DURATION);
        assert_eq!(
            sent("linkerd", REQUEST_SUCCESS_RATE),
            FLAGGER_LINKERD_SUCCESS_RATE
        );
        assert_eq!(sent("linkerd", REQUEST_DURATION), FLAGGER_LINKERD_DURATION);
        assert_eq!(sent("osm", REQUEST_SUCCESS_RATE), FLAGGER_OSM_SUCCESS_RATE);
        assert_eq!(sent("osm", REQUEST_DURATION), FLAGGER_OSM_DURATION);
    }

    #[test]
    fn providers_without_an_observer_fall_to_istio() {
        for provider in [
            "",
            "gatewayapi:v1",
            "gatewayapi:v1beta1",
            "smi:v1alpha3",
            "kubernetes:service",
            "no-such-mesh",
        ] {
            assert_eq!(observer(provider), Some(Observer::Istio), "{provider}");
            assert_eq!(
                sent(provider, REQUEST_SUCCESS_RATE),
                FLAGGER_ISTIO_SUCCESS_RATE
            );
        }
    }

    #[test]
    fn foreign_observers_and_other_metrics_have_no_builtin_query() {
        for provider in [
            "appmesh",
            "appmesh:v1beta2",
            "gloo",
            "contour",
            "nginx",
            "kuma",
        ] {
            assert_eq!(
                builtin_query(provider, REQUEST_DURATION),
                None,
                "{provider}"
            );
        }
        assert_eq!(builtin_query("istio", "error-rate"), None);
    }

    #[test]
    fn metrics_provider_follows_flaggers_overrides() {
        assert_eq!(metrics_provider("istio", None, "Deployment"), "istio");
        assert_eq!(
            metrics_provider("istio", Some("kubernetes"), "Deployment"),
            "kubernetes"
        );
        assert_eq!(
            metrics_provider("linkerd", Some("kubernetes"), "Deployment"),
            "linkerd"
        );
        assert_eq!(
            metrics_provider("smi:crossover", None, "Deployment"),
            "crossover"
        );
        assert_eq!(
            metrics_provider("kubernetes", Some(""), "Service"),
            "kubernetes:service"
        );
    }

    #[test]
    fn durations_are_whole_milliseconds_in_each_observers_unit() {
        assert_eq!(request_duration_millis(Observer::Http, 0.1), 100);
        assert_eq!(request_duration_millis(Observer::Http, 0.0999), 99);
        assert_eq!(request_duration_millis(Observer::Istio, 100.9), 100);
        assert_eq!(request_duration_millis(Observer::Linkerd, 42.0), 42);
        assert_eq!(
            request_duration_millis(Observer::Istio, f64::INFINITY),
            i64::MAX
        );
    }
}
