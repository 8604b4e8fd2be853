//! Controller logs on stderr. The JSON form writes the keys Flux's zap logger writes (`level`,
//! `ts`, `msg`, then the fields of the enclosing spans such as `controller`, `kind`, `name`,
//! `namespace`, then the event's own), so log pipelines built for Flux keep working.
//!
//! Reconcilers open a span per object, e.g.
//! `tracing::info_span!("reconcile", controller = "gitrepository", kind = "GitRepository", name, namespace)`,
//! and every line logged inside carries those keys.

use std::fmt::{self, Write as _};
use std::io::Write as _;

use k8s_openapi::jiff::Timestamp;
use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

use super::options::{LogEncoding, LogLevel};

/// Installs the process-wide subscriber; a second call (as in tests) leaves the first in place.
pub fn init(level: LogLevel, encoding: LogEncoding) {
    let filter = EnvFilter::new(filter_directives(level));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match encoding {
        LogEncoding::Json => registry.with(FluxJson).try_init(),
        LogEncoding::Console => registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_target(false),
            )
            .try_init(),
    };
}

/// At debug level the HTTP and TLS stacks would drown the controllers' own lines.
fn filter_directives(level: LogLevel) -> String {
    match level {
        LogLevel::Debug => "debug,hyper=info,hyper_util=info,h2=info,rustls=info,tower=info".into(),
        LogLevel::Info => "info".into(),
        LogLevel::Error => "error".into(),
    }
}

/// Span fields stored on the span, so events inside it can repeat them.
struct SpanFields(Map<String, Value>);

/// The JSON layer: one object per line, keys in Flux's order.
pub struct FluxJson;

impl<S> Layer<S> for FluxJson
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        attrs.record(&mut JsonVisitor(&mut fields));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            let mut extensions = span.extensions_mut();
            if let Some(SpanFields(fields)) = extensions.get_mut::<SpanFields>() {
                values.record(&mut JsonVisitor(fields));
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(span_fields)) = span.extensions().get::<SpanFields>() {
                    fields.extend(span_fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
        }
        let mut own = Map::new();
        event.record(&mut JsonVisitor(&mut own));
        let msg = own
            .remove("message")
            .unwrap_or(Value::String(String::new()));
        fields.extend(own);
        let line = render(*event.metadata().level(), Timestamp::now(), &msg, &fields);
        // One write per line keeps lines whole when several threads log at once.
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

fn render(level: Level, ts: Timestamp, msg: &Value, fields: &Map<String, Value>) -> String {
    let level = match level {
        Level::ERROR => "error",
        Level::WARN => "warn",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        Level::TRACE => "trace",
    };
    let mut line = format!(r#"{{"level":"{level}","ts":"{ts:.3}","msg":{msg}"#);
    for (key, value) in fields {
        if matches!(key.as_str(), "level" | "ts" | "msg") {
            continue;
        }
        let _ = write!(line, ",{}:{}", Value::String(key.clone()), value);
    }
    line.push_str("}\n");
    line
}

struct JsonVisitor<'a>(&'a mut Map<String, Value>);

impl Visit for JsonVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_string(), Value::from(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_string(), Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_string(), Value::from(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().to_string(), Value::from(value));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0
            .insert(field.name().to_string(), Value::from(value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().to_string(), Value::from(format!("{value:?}")));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn renders_flux_keys_first_then_fields() {
        let ts: Timestamp = "2024-05-01T10:20:30.123456Z".parse().unwrap();
        let mut fields = Map::new();
        fields.insert("controller".into(), Value::from("gitrepository"));
        fields.insert("revision".into(), Value::from("main@sha1:abc"));
        let line = render(Level::INFO, ts, &Value::from("stored artifact"), &fields);
        assert_eq!(
            line,
            "{\"level\":\"info\",\"ts\":\"2024-05-01T10:20:30.123Z\",\"msg\":\"stored artifact\",\
             \"controller\":\"gitrepository\",\"revision\":\"main@sha1:abc\"}\n"
        );
        let parsed: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["level"], "info");
    }

    /// Captures what the layer renders, through a subscriber local to the test.
    struct Capture(Arc<Mutex<Vec<Map<String, Value>>>>);

    impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
        fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
            let mut fields = Map::new();
            if let Some(scope) = ctx.event_scope(event) {
                for span in scope.from_root() {
                    if let Some(SpanFields(f)) = span.extensions().get::<SpanFields>() {
                        fields.extend(f.clone());
                    }
                }
            }
            event.record(&mut JsonVisitor(&mut fields));
            self.0.lock().unwrap().push(fields);
        }
    }

    #[test]
    fn events_inherit_span_fields() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry()
            .with(FluxJson)
            .with(Capture(seen.clone()));
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!(
                "reconcile",
                controller = "kustomization",
                kind = "Kustomization",
                name = "apps",
                namespace = "flux-system"
            );
            let _enter = span.enter();
            tracing::info!(attempt = 2, "applied");
        });
        let seen = seen.lock().unwrap();
        let event = &seen[0];
        assert_eq!(event["controller"], "kustomization");
        assert_eq!(event["namespace"], "flux-system");
        assert_eq!(event["attempt"], 2);
        assert_eq!(event["message"], "applied");
    }
}
