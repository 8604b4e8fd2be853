//! The Flux v2 GA custom resource types, with Flux's field names, defaults and status.
//!
//! Every optional field is an `Option` skipped when `None`, so an object read from the
//! cluster serializes back without gaining or losing fields; Flux's defaults live in the CRD
//! schema (the apiserver applies them), not in serde. Durations stay `String`s in Go syntax
//! so `1m0s` is written back as `1m0s`; parse them with [`duration`].

pub mod duration;
pub mod flagger;
pub mod helm;
pub mod kustomize;
pub mod meta;
pub mod notification;
pub mod schema;
pub mod source;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, CustomResourceSubresourceStatus, CustomResourceSubresources,
    JSONSchemaProps,
};
use kube::CustomResourceExt;

/// Every CRD tk serves, sources first, in a stable order (the order `tk install` applies).
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![
        finish(source::GitRepository::crd()),
        finish(source::HelmRepository::crd()),
        finish(source::HelmChart::crd()),
        finish(source::Bucket::crd()),
        finish(source::OCIRepository::crd()),
        finish(kustomize::Kustomization::crd()),
        finish(helm::HelmRelease::crd()),
        finish(notification::Provider::crd()),
        finish(notification::Alert::crd()),
        finish(notification::Receiver::crd()),
    ]
}

/// The CRDs of Flagger's kinds the canary controller serves, installed with that component:
/// as Flagger declares them, each with a status subresource whether or not it has a status.
pub fn flagger_crds() -> Vec<CustomResourceDefinition> {
    [
        finish(flagger::Canary::crd()),
        finish(flagger::MetricTemplate::crd()),
        finish(flagger::AlertProvider::crd()),
    ]
    .into_iter()
    .map(|mut crd| {
        for version in &mut crd.spec.versions {
            version.subresources = Some(CustomResourceSubresources {
                status: Some(CustomResourceSubresourceStatus(serde_json::json!({}))),
                ..Default::default()
            });
        }
        crd
    })
    .collect()
}

/// Gives a spec struct (derived with `#[serde(remote = "Self")]`) trait impls under which a
/// missing `spec` reads as the default spec, as Flux's Go types do: serde asks a missing
/// field for `deserialize_option`, so going through `Option` turns "absent" into `None`.
/// Without it, one spec-less object (Flux's CRDs admit them) would fail the typed list of
/// its whole kind and stall every watch.
#[macro_export]
macro_rules! spec_defaults_when_missing {
    ($spec:ty) => {
        impl<'de> ::serde::Deserialize<'de> for $spec {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                struct Present($spec);
                impl<'de> ::serde::Deserialize<'de> for Present {
                    fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        <$spec>::deserialize(d).map(Present)
                    }
                }
                let present: Option<Present> = ::serde::Deserialize::deserialize(deserializer)?;
                Ok(present.map(|p| p.0).unwrap_or_default())
            }
        }
        impl ::serde::Serialize for $spec {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                <$spec>::serialize(self, serializer)
            }
        }
    };
}

/// [`crds`] as a multi-document YAML stream.
pub fn crds_yaml() -> String {
    crds()
        .iter()
        .map(|crd| serde_saphyr::to_string(crd).expect("a CRD serializes to YAML"))
        .map(|doc| format!("---\n{doc}"))
        .collect()
}

/// Brings a derived CRD to Flux's shape: structural schema, `listKind`, the root
/// `apiVersion`/`kind`/`metadata` properties, and `subresources: {}` on kinds without status
/// (controller-gen writes it that way; an absent and an empty value mean the same).
fn finish(mut crd: CustomResourceDefinition) -> CustomResourceDefinition {
    crd.spec.names.list_kind = Some(format!("{}List", crd.spec.names.kind));
    for version in &mut crd.spec.versions {
        if let Some(schema) = version
            .schema
            .as_mut()
            .and_then(|s| s.open_api_v3_schema.as_mut())
        {
            let mut value = serde_json::to_value(&*schema).expect("schema serializes");
            schema::make_structural(&mut value);
            let obj = value.as_object_mut().expect("root schema is an object");
            obj.remove("title");
            // Flux's CRDs admit objects without `spec`; the spec types read one as default
            // (`spec_defaults_when_missing!`), so tk admits them too.
            if let Some(serde_json::Value::Array(required)) = obj.get_mut("required") {
                required.retain(|r| r != "spec");
                if required.is_empty() {
                    obj.remove("required");
                }
            }
            let props = obj
                .entry("properties")
                .or_insert_with(|| serde_json::json!({}))
                .as_object_mut()
                .expect("root properties are an object");
            props.insert("apiVersion".into(), serde_json::json!({
                "description": "APIVersion defines the versioned schema of this representation of an object.",
                "type": "string"
            }));
            props.insert("kind".into(), serde_json::json!({
                "description": "Kind is a string value representing the REST resource this object represents.",
                "type": "string"
            }));
            props.insert("metadata".into(), serde_json::json!({ "type": "object" }));
            *schema = serde_json::from_value::<JSONSchemaProps>(value)
                .expect("structural schema deserializes");
        }
        if version.subresources.is_none() {
            version.subresources = Some(CustomResourceSubresources::default());
        }
    }
    crd
}
