//! Rendering a metric query as Flagger's `observers.RenderQuery` does: the query is a Go
//! `text/template` whose only additions to Go's builtins are the model's functions —
//! `name`, `namespace`, `target`, `service`, `ingress`, `route`, `interval` (each returning a
//! string) and `variables` (returning the metric's `templateVariables` as a
//! `map[string]string`). There is no Sprig and no data: queries write `{{ target }}` and
//! `{{ variables.direction }}`, never `{{ .target }}`.
//!
//! A key missing from `variables` is an error, as in Flagger (its render test
//! `missing_variable_key` expects one), not Go's default `<no value>`.
//!
//! ```
//! use std::collections::BTreeMap;
//! use tk::controllers::canary::analysis::template::{QueryModel, render};
//! let model = QueryModel {
//!     namespace: "test".into(),
//!     target: "podinfo".into(),
//!     interval: "1m".into(),
//!     variables: BTreeMap::from([("direction".into(), "inbound".into())]),
//!     ..QueryModel::default()
//! };
//! let query = r#"rate(response_total{namespace="{{ namespace }}", deployment="{{ target }}", direction="{{ variables.direction }}"}[{{ interval }}])"#;
//! assert_eq!(
//!     render(query, &model).unwrap(),
//!     r#"rate(response_total{namespace="test", deployment="podinfo", direction="inbound"}[1m])"#
//! );
//! ```

use std::collections::BTreeMap;

use gotemplate::{FuncMap, Map, MissingKey, Str, Template, Type, Value};

/// The name Flagger gives the template; Go's error messages quote it (`template: tmpl:1: …`).
const TEMPLATE_NAME: &str = "tmpl";

/// What a query template can see of the Canary and the metric (Flagger's
/// `MetricTemplateModel`, filled by its `toMetricModel`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryModel {
    /// `metadata.name` of the Canary.
    pub name: String,
    /// `metadata.namespace` of the Canary.
    pub namespace: String,
    /// `spec.targetRef.name`.
    pub target: String,
    /// `spec.service.name`, or the target's name when unset.
    pub service: String,
    /// `spec.ingressRef.name`, or the target's name when unset.
    pub ingress: String,
    /// `spec.routeRef.name` (APISIX), or the target's name when unset.
    pub route: String,
    /// The metric's `interval`, or the analysis interval when unset.
    pub interval: String,
    /// The metric's `templateVariables`.
    pub variables: BTreeMap<String, String>,
}

impl QueryModel {
    /// One function per model field, as Flagger's `TemplateFunctions`.
    fn functions(&self) -> FuncMap {
        let mut funcs = FuncMap::new();
        for (name, value) in [
            ("name", &self.name),
            ("namespace", &self.namespace),
            ("target", &self.target),
            ("service", &self.service),
            ("ingress", &self.ingress),
            ("route", &self.route),
            ("interval", &self.interval),
        ] {
            let value = Value::string(value.as_str());
            funcs.add(name, "func() string", move |_, _| Ok(value.clone()));
        }
        let entries = self
            .variables
            .iter()
            .map(|(k, v)| (Str::from(k.as_str()), Value::string(v.as_str())))
            .collect();
        let variables = Map::from_entries(Type::String, entries);
        funcs.add("variables", "func() map[string]string", move |_, _| {
            Ok(Value::Map(variables.clone()))
        });
        funcs
    }
}

/// Why a query did not render: Go's message, which names the line, column and action
/// (`template: tmpl:1:22: executing "tmpl" at <variables>: map has no entry for key
/// "cluster"`), and a hint where the mistake is a common one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("template parsing failed: {message}{}", parse_hint(.message))]
    Parse { message: String },
    #[error("template execution failed: {message}{}", execute_hint(.message))]
    Execute { message: String },
}

fn parse_hint(message: &str) -> &'static str {
    if message.contains("not defined") {
        " (a query can call name, namespace, target, service, ingress, route, interval, \
         variables and Go's template builtins; there is no Sprig)"
    } else {
        ""
    }
}

fn execute_hint(message: &str) -> &'static str {
    if message.contains("nil data; no entry for key") {
        " (the model's values are functions: write {{ target }}, not {{ .target }})"
    } else if message.contains("at <variables") && message.contains("map has no entry for key") {
        " (set that key in the metric's templateVariables)"
    } else {
        ""
    }
}

/// Renders `query` with `model` as Flagger does (see the module documentation).
pub fn render(query: &str, model: &QueryModel) -> Result<String, RenderError> {
    let mut template = Template::new(TEMPLATE_NAME);
    template
        .funcs(model.functions())
        .set_missing_key(MissingKey::Error);
    template.parse(query).map_err(|e| RenderError::Parse {
        message: e.to_string(),
    })?;
    template
        .execute(&Value::Nil)
        .map_err(|e| RenderError::Execute {
            message: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> QueryModel {
        QueryModel {
            name: "podinfo-canary".into(),
            namespace: "test".into(),
            target: "podinfo".into(),
            service: "podinfo-svc".into(),
            ingress: "podinfo-ing".into(),
            route: "podinfo-route".into(),
            interval: "1m".into(),
            variables: BTreeMap::from([
                ("cluster".into(), "dev".into()),
                ("consumer_group".into(), "my_consumer".into()),
            ]),
        }
    }

    #[test]
    fn every_model_field_is_a_function() {
        let out = render(
            "{{ name }} {{ namespace }} {{ target }} {{ service }} {{ ingress }} {{ route }} \
             {{ interval }}",
            &model(),
        )
        .unwrap();
        assert_eq!(
            out,
            "podinfo-canary test podinfo podinfo-svc podinfo-ing podinfo-route 1m"
        );
    }

    /// Flagger's render test `ok_without_variables`.
    #[test]
    fn renders_flaggers_query_without_variables() {
        let model = QueryModel {
            name: "standard".into(),
            namespace: "default".into(),
            target: "myapp".into(),
            interval: "1m".into(),
            ..QueryModel::default()
        };
        let out = render(
            r#"sum(envoy_cluster_upstream_rq{envoy_cluster_name=~"{{ namespace }}_{{ target }}"})"#,
            &model,
        )
        .unwrap();
        assert_eq!(
            out,
            r#"sum(envoy_cluster_upstream_rq{envoy_cluster_name=~"default_myapp"})"#
        );
    }

    /// Flagger's render test `ok_with_variables`: a field chain on the `variables` function.
    #[test]
    fn variables_are_a_map_read_with_a_field_chain() {
        let out = render(
            r#"delta(max by (consumer_group) (kafka_consumer_current_offset{cluster="{{ variables.cluster }}", consumer_group="{{ variables.consumer_group }}"}[{{ interval }}]))"#,
            &model(),
        )
        .unwrap();
        assert_eq!(
            out,
            r#"delta(max by (consumer_group) (kafka_consumer_current_offset{cluster="dev", consumer_group="my_consumer"}[1m]))"#
        );
        // Go's other spellings of the same lookup work too.
        assert_eq!(
            render(
                r#"{{ (variables).cluster }} {{ index variables "cluster" }} {{ len variables }}"#,
                &model()
            )
            .unwrap(),
            "dev dev 2"
        );
    }

    /// Flagger's render test `missing_variable_key`: an error, not `<no value>`.
    #[test]
    fn refuses_a_variable_the_metric_does_not_set() {
        let err = render("{{ variables.region }}", &model()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "template execution failed: template: tmpl:1:3: executing \"tmpl\" at \
             <variables>: map has no entry for key \"region\" (set that key in the metric's \
             templateVariables)"
        );
        // No variables at all (Go's nil map) is the same.
        let err = render("{{ variables.region }}", &QueryModel::default()).unwrap_err();
        assert!(matches!(err, RenderError::Execute { .. }), "{err}");
    }

    #[test]
    fn refuses_fields_of_the_data_and_says_to_call_the_function() {
        let err = render("{{ .target }}", &model()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "template execution failed: template: tmpl:1:3: executing \"tmpl\" at <.target>: \
             nil data; no entry for key \"target\" (the model's values are functions: write \
             {{ target }}, not {{ .target }})"
        );
    }

    #[test]
    fn refuses_unknown_functions_and_sprig() {
        for query in ["{{ upper target }}", "{{ canary }}"] {
            let err = render(query, &model()).unwrap_err();
            assert!(matches!(err, RenderError::Parse { .. }), "{err}");
            assert!(err.to_string().contains("there is no Sprig"), "{err}");
        }
        let err = render("{{ if }}", &model()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "template parsing failed: template: tmpl:1: missing value for if"
        );
    }

    #[test]
    fn go_builtins_and_fields_of_strings() {
        assert_eq!(
            render(r#"{{ printf "%s-%s" target namespace }}"#, &model()).unwrap(),
            "podinfo-test"
        );
        let err = render("{{ target.name }}", &model()).unwrap_err();
        assert!(
            err.to_string()
                .contains("can't evaluate field name in type string"),
            "{err}"
        );
    }
}
