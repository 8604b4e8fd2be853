//! A Canary's metric analysis, as Flagger runs it: rendering a MetricTemplate's query
//! ([`template`]), the builtin `request-success-rate` and `request-duration` queries of each
//! provider ([`builtin`]), running a query against Prometheus ([`prometheus`]) and judging
//! the value against the metric's threshold range ([`check`]).
//!
//! The pieces a metric check goes through, in order:
//!
//! 1. the query: a MetricTemplate's `spec.query`, or [`builtin_query`] for a builtin name
//!    (with the observer of [`metrics_provider`]);
//! 2. [`render`] with the Canary's [`QueryModel`];
//! 3. [`PrometheusClient::query`]: at the MetricTemplate's `spec.provider` for a template,
//!    at the Canary's `spec.metricsServer` (else the controller's metrics server) for a
//!    builtin or an inline `query`;
//! 4. [`MetricCheck::decide`] on the value ([`request_duration_millis`] first for
//!    `request-duration`).
//!
//! How Flagger's scheduler chooses among them (`scheduler_metrics.go`): a metric *named*
//! `request-success-rate` or `request-duration` runs the builtin query whatever else it
//! sets; a metric with an inline `query` runs it as written (Flagger does not render it)
//! against the metrics server; a metric with a `templateRef` runs the template. A failed
//! query halts the step: "no values found" ([`QueryError::is_no_values`]) as a warning,
//! anything else as an error.

pub mod builtin;
pub mod check;
pub mod prometheus;
pub mod template;

pub use builtin::{
    Observer, REQUEST_DURATION, REQUEST_SUCCESS_RATE, builtin_query, metrics_provider, observer,
    request_duration_millis,
};
pub use check::{Halt, MetricCheck, Observed, ThresholdRange, go_duration};
pub use prometheus::{
    ClientOptions, ConfigError, DEFAULT_TIMEOUT, MAX_RESPONSE_BYTES, PrometheusClient, QueryError,
    collapse_whitespace,
};
pub use template::{QueryModel, RenderError, render};
