//! API compatibility with Flux: the generated CRDs against Flux's own CRDs, and Flux's sample
//! and fixture objects round-tripping through the typed structs. Reads only the copies under
//! `tests/corpus/flux` (see PROVENANCE.md there).

use std::path::{Path, PathBuf};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tk::api::{crds, crds_yaml, duration, helm, kustomize, notification, source};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/flux")
}

/// Flux's CRD files for the kinds tk serves, in `crds()` order.
const REFERENCE_CRDS: [&str; 10] = [
    "source-controller/config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml",
    "source-controller/config/crd/bases/source.toolkit.fluxcd.io_helmrepositories.yaml",
    "source-controller/config/crd/bases/source.toolkit.fluxcd.io_helmcharts.yaml",
    "source-controller/config/crd/bases/source.toolkit.fluxcd.io_buckets.yaml",
    "source-controller/config/crd/bases/source.toolkit.fluxcd.io_ocirepositories.yaml",
    "kustomize-controller/config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml",
    "helm-controller/config/crd/bases/helm.toolkit.fluxcd.io_helmreleases.yaml",
    "notification-controller/config/crd/bases/notification.toolkit.fluxcd.io_providers.yaml",
    "notification-controller/config/crd/bases/notification.toolkit.fluxcd.io_alerts.yaml",
    "notification-controller/config/crd/bases/notification.toolkit.fluxcd.io_receivers.yaml",
];

/// The (apiVersion, kind) pairs tk serves.
const SERVED: [(&str, &str); 10] = [
    ("source.toolkit.fluxcd.io/v1", "GitRepository"),
    ("source.toolkit.fluxcd.io/v1", "HelmRepository"),
    ("source.toolkit.fluxcd.io/v1", "HelmChart"),
    ("source.toolkit.fluxcd.io/v1", "Bucket"),
    ("source.toolkit.fluxcd.io/v1", "OCIRepository"),
    ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"),
    ("helm.toolkit.fluxcd.io/v2", "HelmRelease"),
    ("notification.toolkit.fluxcd.io/v1beta3", "Provider"),
    ("notification.toolkit.fluxcd.io/v1beta3", "Alert"),
    ("notification.toolkit.fluxcd.io/v1", "Receiver"),
];

fn read_yaml_docs(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_multiple::<Value>(&text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .into_iter()
        .filter(|d| !d.is_null())
        .collect()
}

fn reference_crds() -> Vec<Value> {
    REFERENCE_CRDS
        .iter()
        .map(|p| {
            let mut docs = read_yaml_docs(&corpus().join(p));
            assert_eq!(docs.len(), 1, "{p}: expected one CRD");
            docs.remove(0)
        })
        .collect()
}

fn ours() -> Vec<Value> {
    crds()
        .iter()
        .map(|c| serde_json::to_value(c).unwrap())
        .collect()
}

/// Numbers compare by value: Flux writes `minimum: 0`, the k8s types serialize `0.0`.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Schema keywords whose values must match Flux's exactly (descriptions are ours to word).
const COMPARED: [&str; 14] = [
    "type",
    "format",
    "pattern",
    "default",
    "maxLength",
    "minLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-validations",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
];

fn compare_schema(path: &str, flux: &Value, ours: &Value, out: &mut Vec<String>) {
    for key in COMPARED {
        let (f, o) = (flux.get(key), ours.get(key));
        match (f, o) {
            (None, None) => {}
            (Some(f), Some(o)) if same(f, o) => {}
            _ => out.push(format!("{path}: {key}: flux {f:?}, ours {o:?}")),
        }
    }
    // Enums are sets to the apiserver; order is cosmetic.
    let set = |v: Option<&Value>| {
        let mut items: Vec<String> = v
            .and_then(Value::as_array)
            .map(|a| a.iter().map(Value::to_string).collect())
            .unwrap_or_default();
        items.sort();
        items
    };
    if set(flux.get("enum")) != set(ours.get("enum")) {
        out.push(format!(
            "{path}: enum: flux {:?}, ours {:?}",
            flux.get("enum"),
            ours.get("enum")
        ));
    }
    if set(flux.get("required")) != set(ours.get("required")) {
        out.push(format!(
            "{path}: required: flux {:?}, ours {:?}",
            flux.get("required"),
            ours.get("required")
        ));
    }
    let empty = serde_json::Map::new();
    let fprops = flux
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let oprops = ours
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for (name, fchild) in fprops {
        match oprops.get(name) {
            Some(ochild) => compare_schema(&format!("{path}.{name}"), fchild, ochild, out),
            None => out.push(format!("{path}.{name}: missing from our schema")),
        }
    }
    for name in oprops.keys().filter(|n| !fprops.contains_key(*n)) {
        out.push(format!("{path}.{name}: not in Flux's schema"));
    }
    for (key, suffix) in [("items", "[]"), ("additionalProperties", "{}")] {
        match (flux.get(key), ours.get(key)) {
            (None, None) => {}
            (Some(f), Some(o)) => compare_schema(&format!("{path}{suffix}"), f, o, out),
            (f, o) => out.push(format!("{path}: {key}: flux {f:?}, ours {o:?}")),
        }
    }
}

#[test]
fn schemas_accept_exactly_what_flux_accepts() {
    let mut mismatches = Vec::new();
    for (flux, ours) in reference_crds().iter().zip(ours()) {
        let name = flux["metadata"]["name"].as_str().unwrap();
        assert_eq!(
            ours["metadata"]["name"], name,
            "crds() order differs from Flux's list"
        );
        let fv = &flux["spec"]["versions"][0];
        let ov = &ours["spec"]["versions"][0];
        let mut out = Vec::new();
        compare_schema(
            "",
            &fv["schema"]["openAPIV3Schema"],
            &ov["schema"]["openAPIV3Schema"],
            &mut out,
        );
        mismatches.extend(out.into_iter().map(|m| format!("{name}: {m}")));
    }
    assert!(
        mismatches.is_empty(),
        "{} schema mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn crd_names_versions_and_printer_columns_match_flux() {
    let mut mismatches = Vec::new();
    for (flux, ours) in reference_crds().iter().zip(ours()) {
        let name = flux["metadata"]["name"].as_str().unwrap();
        let mut check = |what: &str, f: &Value, o: &Value| {
            if !same(f, o) {
                mismatches.push(format!("{name}: {what}: flux {f}, ours {o}"));
            }
        };
        check("group", &flux["spec"]["group"], &ours["spec"]["group"]);
        check("scope", &flux["spec"]["scope"], &ours["spec"]["scope"]);
        check("names", &flux["spec"]["names"], &ours["spec"]["names"]);
        let fv = flux["spec"]["versions"].as_array().unwrap();
        let ov = ours["spec"]["versions"].as_array().unwrap();
        check("version count", &json!(fv.len()), &json!(ov.len()));
        for key in [
            "name",
            "served",
            "storage",
            "subresources",
            "additionalPrinterColumns",
        ] {
            check(key, &fv[0][key], &ov[0][key]);
        }
        // controller-gen stamps its version; every other annotation is behaviour.
        let mut annotations = flux["metadata"]["annotations"].clone();
        annotations
            .as_object_mut()
            .map(|a| a.remove("controller-gen.kubebuilder.io/version"));
        let annotations = match annotations.as_object() {
            Some(a) if a.is_empty() => Value::Null,
            _ => annotations,
        };
        check(
            "annotations",
            &annotations,
            &ours["metadata"]["annotations"],
        );
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// Walks a schema and reports what the apiserver's structural-schema check would refuse.
fn structural_problems(path: &str, schema: &Value, out: &mut Vec<String>) {
    let Some(obj) = schema.as_object() else {
        out.push(format!("{path}: schema is not an object"));
        return;
    };
    for key in [
        "$ref", "anyOf", "oneOf", "allOf", "not", "nullable", "title", "$schema",
    ] {
        if obj.contains_key(key) {
            out.push(format!("{path}: has `{key}`"));
        }
    }
    // The apiserver asks for a type except where a value may be anything (preserved unknown
    // fields) or either of two types (`x-kubernetes-int-or-string`).
    let untyped = [
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-int-or-string",
    ]
    .iter()
    .any(|key| obj.get(*key) == Some(&json!(true)));
    if !untyped && !obj.contains_key("type") {
        out.push(format!("{path}: no type"));
    }
    if let Some(Value::Array(values)) = obj.get("enum")
        && values.iter().any(Value::is_null)
    {
        out.push(format!("{path}: null in enum"));
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (name, child) in props {
            structural_problems(&format!("{path}.{name}"), child, out);
        }
    }
    if let Some(items) = obj.get("items") {
        structural_problems(&format!("{path}[]"), items, out);
    }
    if let Some(additional) = obj.get("additionalProperties").filter(|v| v.is_object()) {
        structural_problems(&format!("{path}{{}}"), additional, out);
    }
}

#[test]
fn generated_schemas_are_structural() {
    let mut problems = Vec::new();
    for crd in ours() {
        let name = crd["metadata"]["name"].as_str().unwrap().to_string();
        let mut out = Vec::new();
        structural_problems(
            "",
            &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"],
            &mut out,
        );
        problems.extend(out.into_iter().map(|p| format!("{name}: {p}")));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn crds_yaml_is_every_crd_in_order() {
    let yaml = crds_yaml();
    let parsed: Vec<CustomResourceDefinition> = serde_saphyr::from_multiple(&yaml).unwrap();
    assert_eq!(parsed, crds());
    assert!(yaml.starts_with("---\n"));
    assert_eq!(yaml.matches("\n---\n").count() + 1, 10);
}

/// Deserializes into `T` and serializes back.
fn through<T: DeserializeOwned + Serialize>(doc: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(doc.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

fn round_trip(kind: &str, doc: &Value) -> Result<Value, String> {
    match kind {
        "GitRepository" => through::<source::GitRepository>(doc),
        "HelmRepository" => through::<source::HelmRepository>(doc),
        "HelmChart" => through::<source::HelmChart>(doc),
        "Bucket" => through::<source::Bucket>(doc),
        "OCIRepository" => through::<source::OCIRepository>(doc),
        "Kustomization" => through::<kustomize::Kustomization>(doc),
        "HelmRelease" => through::<helm::HelmRelease>(doc),
        "Provider" => through::<notification::Provider>(doc),
        "Alert" => through::<notification::Alert>(doc),
        "Receiver" => through::<notification::Receiver>(doc),
        other => unreachable!("{other} is not served"),
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// Every object of a served kind in Flux's samples and e2e fixtures, with its file.
fn sample_objects() -> Vec<(String, Value)> {
    let mut files = Vec::new();
    for controller in ["source", "kustomize", "helm", "notification"] {
        for sub in ["config/samples", "config/testdata"] {
            yaml_files(
                &corpus().join(format!("{controller}-controller/{sub}")),
                &mut files,
            );
        }
    }
    files.sort();
    let mut objects = Vec::new();
    for file in files {
        let rel = file.strip_prefix(corpus()).unwrap().display().to_string();
        for doc in read_yaml_docs(&file) {
            let served = SERVED
                .iter()
                .any(|(v, k)| doc["apiVersion"] == *v && doc["kind"] == *k);
            if served {
                objects.push((rel.clone(), doc));
            }
        }
    }
    objects
}

/// The first differing JSON path, to make a failure readable.
fn first_difference(path: &str, a: &Value, b: &Value) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                match (x.get(key), y.get(key)) {
                    (Some(v), Some(w)) if v == w => {}
                    (Some(v), Some(w)) => return first_difference(&format!("{path}.{key}"), v, w),
                    (v, w) => return format!("{path}.{key}: input {v:?}, output {w:?}"),
                }
            }
            String::new()
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find(|(_, (v, w))| v != w)
            .map(|(i, (v, w))| first_difference(&format!("{path}[{i}]"), v, w))
            .unwrap_or_default(),
        _ => format!("{path}: input {a}, output {b}"),
    }
}

#[test]
fn flux_samples_round_trip_unchanged() {
    let objects = sample_objects();
    let mut failures = Vec::new();
    let mut without_spec = Vec::new();
    for (file, doc) in &objects {
        let kind = doc["kind"].as_str().unwrap();
        let name = doc["metadata"]["name"].as_str().unwrap_or("?");
        // Flux's `status-defaults` fixtures have no spec: they check that the apiserver
        // defaults status. Such an object reads as the default spec (and writes one back).
        if doc.get("spec").is_none() {
            match round_trip(kind, doc) {
                Ok(mut back) => {
                    back.as_object_mut().unwrap().remove("spec");
                    if back != *doc {
                        failures.push(format!(
                            "{file}: {kind}/{name}: {}",
                            first_difference("", doc, &back)
                        ));
                    }
                }
                Err(e) => failures.push(format!(
                    "{file}: {kind}/{name}: spec-less object does not parse: {e}"
                )),
            }
            without_spec.push(file.as_str());
            continue;
        }
        match round_trip(kind, doc) {
            Ok(back) if back == *doc => {}
            Ok(back) => failures.push(format!(
                "{file}: {kind}/{name}: {}",
                first_difference("", doc, &back)
            )),
            Err(e) => failures.push(format!("{file}: {kind}/{name}: does not parse: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        without_spec.iter().all(|f| f.contains("/status-defaults/")),
        "unexpected spec-less fixtures: {without_spec:?}"
    );
    // The corpus holds 114 objects; a silently shrinking corpus would weaken this test.
    assert!(
        objects.len() >= 110,
        "only {} sample objects found",
        objects.len()
    );
    for (_, kind) in SERVED {
        assert!(
            objects.iter().any(|(_, d)| d["kind"] == kind),
            "no sample of {kind}"
        );
    }
}

#[test]
fn unknown_values_are_preserved_and_unset_fields_stay_unset() {
    let doc = json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "podinfo", "namespace": "default"},
        "spec": {
            "interval": "1m0s",
            "chartRef": {"kind": "OCIRepository", "name": "podinfo"},
            "values": {"replicas": 2, "nested": {"list": [1, "two", null, {"x": true}]}},
            "install": {"remediation": {"retries": -1}},
            "upgrade": {"remediation": {"retries": 3, "strategy": "uninstall"}}
        }
    });
    assert_eq!(round_trip("HelmRelease", &doc).unwrap(), doc);
    let hr: helm::HelmRelease = serde_json::from_value(doc).unwrap();
    assert_eq!(hr.spec.values.unwrap().0["nested"]["list"][1], "two");
    assert!(hr.spec.timeout.is_none() && hr.status.is_none());

    let minimal = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "x"},
        "spec": {"interval": "5m", "url": "https://example.com/repo"}
    });
    assert_eq!(round_trip("GitRepository", &minimal).unwrap(), minimal);
}

#[test]
fn unknown_enum_values_are_refused() {
    let doc = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "OCIRepository",
        "metadata": {"name": "x"},
        "spec": {"interval": "5m", "url": "oci://ghcr.io/x", "provider": "ibm"}
    });
    assert!(round_trip("OCIRepository", &doc).is_err());
}

#[test]
fn durations_round_trip_byte_identically() {
    let doc = json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "x"},
        "spec": {
            "interval": "1m0s",
            "retryInterval": "1h0m0s",
            "timeout": "90s",
            "prune": true,
            "sourceRef": {"kind": "GitRepository", "name": "x"}
        }
    });
    assert_eq!(round_trip("Kustomization", &doc).unwrap(), doc);
    let ks: kustomize::Kustomization = serde_json::from_value(doc).unwrap();
    assert_eq!(duration::parse(&ks.spec.interval).unwrap().as_secs(), 60);
    assert_eq!(duration::format(duration::parse("1m0s").unwrap()), "1m0s");
}

/// Every `interval`/`timeout`-like value in the samples matches the pattern our schema
/// declares for that field and parses as a Go duration.
#[test]
fn sample_durations_match_schema_patterns_and_parse() {
    let schemas: Vec<(String, Value)> = ours()
        .into_iter()
        .map(|c| {
            let kind = c["spec"]["names"]["kind"].as_str().unwrap().to_string();
            (
                kind,
                c["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone(),
            )
        })
        .collect();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (file, doc) in sample_objects() {
        let kind = doc["kind"].as_str().unwrap();
        let schema = &schemas.iter().find(|(k, _)| k == kind).unwrap().1;
        let mut stack = vec![(doc["spec"].clone(), schema["properties"]["spec"].clone())];
        while let Some((value, schema)) = stack.pop() {
            match &value {
                Value::Object(map) => {
                    for (k, v) in map {
                        if let Some(s) = schema["properties"].get(k) {
                            stack.push((v.clone(), s.clone()));
                        }
                    }
                }
                Value::Array(items) => {
                    for v in items {
                        stack.push((v.clone(), schema["items"].clone()));
                    }
                }
                Value::String(text) => {
                    let Some(pattern) = schema["pattern"].as_str() else {
                        continue;
                    };
                    if !pattern.contains("ms|s|m") {
                        continue;
                    }
                    checked += 1;
                    if !regex::Regex::new(pattern).unwrap().is_match(text) {
                        failures.push(format!("{file}: {text:?} does not match {pattern}"));
                    }
                    if duration::parse_positive(text).is_err() {
                        failures.push(format!("{file}: {text:?} is not a positive duration"));
                    }
                }
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 100, "only {checked} durations checked");
}

fn spec_schema(kind: &str) -> Value {
    let crd = ours()
        .into_iter()
        .find(|c| c["spec"]["names"]["kind"] == kind)
        .unwrap();
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone()
}

#[test]
fn flux_defaults_are_in_the_schema() {
    let git = spec_schema("GitRepository");
    assert_eq!(
        git["properties"]["spec"]["properties"]["timeout"]["default"],
        "60s"
    );
    assert_eq!(
        git["properties"]["spec"]["properties"]["verify"]["properties"]["mode"]["default"],
        "HEAD"
    );
    let chart = spec_schema("HelmChart");
    assert_eq!(
        chart["properties"]["spec"]["properties"]["version"]["default"],
        "*"
    );
    assert_eq!(
        chart["properties"]["spec"]["properties"]["verify"]["properties"]["provider"]["default"],
        "cosign"
    );
    let hr = spec_schema("HelmRelease");
    let hr_spec = &hr["properties"]["spec"]["properties"];
    assert_eq!(
        hr_spec["uninstall"]["properties"]["deletionPropagation"]["default"],
        "background"
    );
    assert_eq!(
        hr_spec["chart"]["properties"]["spec"]["properties"]["reconcileStrategy"]["default"],
        "ChartVersion"
    );
    assert_eq!(
        hr_spec["values"],
        json!({"description": "Inline values, merged last.", "x-kubernetes-preserve-unknown-fields": true})
    );
    let receiver = spec_schema("Receiver");
    assert_eq!(
        receiver["properties"]["spec"]["properties"]["interval"]["default"],
        "10m"
    );
    let alert = spec_schema("Alert");
    assert_eq!(
        alert["properties"]["spec"]["properties"]["eventSeverity"]["default"],
        "info"
    );
    for kind in ["GitRepository", "Kustomization", "HelmRelease", "Receiver"] {
        assert_eq!(
            spec_schema(kind)["properties"]["status"]["default"],
            json!({"observedGeneration": -1}),
            "{kind}"
        );
    }
}

#[test]
fn printer_columns_show_readiness() {
    for crd in crds() {
        let version = &crd.spec.versions[0];
        let columns = version
            .additional_printer_columns
            .as_deref()
            .unwrap_or_default();
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert!(names.contains(&"Age"), "{}: {names:?}", crd.spec.names.kind);
        let has_status = version
            .subresources
            .as_ref()
            .is_some_and(|s| s.status.is_some());
        if has_status {
            assert!(
                names.contains(&"Ready") && names.contains(&"Status"),
                "{}: {names:?}",
                crd.spec.names.kind
            );
            let ready = columns.iter().find(|c| c.name == "Ready").unwrap();
            assert_eq!(
                ready.json_path,
                ".status.conditions[?(@.type==\"Ready\")].status"
            );
        }
    }
}

#[test]
fn status_written_by_flux_round_trips() {
    let git = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "podinfo", "namespace": "flux-system"},
        "spec": {"interval": "1m0s", "ref": {"branch": "master"}, "timeout": "60s",
                 "url": "https://github.com/stefanprodan/podinfo"},
        "status": {
            "artifact": {
                "digest": "sha256:2b0b3c5e1f4f0d1c8b2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80",
                "lastUpdateTime": "2024-05-01T10:00:00Z",
                "path": "gitrepository/flux-system/podinfo/0123456789abcdef0123456789abcdef01234567.tar.gz",
                "revision": "master@sha1:0123456789abcdef0123456789abcdef01234567",
                "size": 12345,
                "url": "http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/podinfo/0123456789abcdef0123456789abcdef01234567.tar.gz"
            },
            "conditions": [{
                "lastTransitionTime": "2024-05-01T10:00:00Z",
                "message": "stored artifact for revision 'master@sha1:0123456789abcdef0123456789abcdef01234567'",
                "observedGeneration": 1,
                "reason": "Succeeded",
                "status": "True",
                "type": "Ready"
            }],
            "lastHandledReconcileAt": "2024-05-01T09:59:58.123456789Z",
            "observedGeneration": 1
        }
    });
    assert_eq!(round_trip("GitRepository", &git).unwrap(), git);

    let hr = json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "podinfo", "namespace": "default"},
        "spec": {"interval": "5m", "chart": {"spec": {"chart": "podinfo", "version": "6.x",
                 "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}}}},
        "status": {
            "conditions": [{"lastTransitionTime": "2024-05-01T10:00:00Z", "message": "Helm install succeeded",
                            "observedGeneration": 1, "reason": "InstallSucceeded", "status": "True", "type": "Released"}],
            "helmChart": "default/default-podinfo",
            "history": [{
                "chartName": "podinfo", "chartVersion": "6.5.4", "appVersion": "6.5.4",
                "configDigest": "sha256:aa", "digest": "sha256:bb",
                "firstDeployed": "2024-05-01T10:00:00Z", "lastDeployed": "2024-05-01T10:00:00Z",
                "name": "podinfo", "namespace": "default", "status": "deployed", "version": 1,
                "testHooks": {"podinfo-grpc-test": {"phase": "Succeeded",
                    "lastStarted": "2024-05-01T10:00:01Z", "lastCompleted": "2024-05-01T10:00:02Z"}}
            }],
            "inventory": {"entries": [{"id": "default_podinfo_apps_Deployment", "v": "v1"}]},
            "lastAttemptedConfigDigest": "sha256:aa",
            "lastAttemptedGeneration": 1,
            "lastAttemptedReleaseAction": "install",
            "lastAttemptedRevision": "6.5.4",
            "observedGeneration": 1,
            "storageNamespace": "default"
        }
    });
    assert_eq!(round_trip("HelmRelease", &hr).unwrap(), hr);
}

/// Flagger's CRD of `name`, from the copy under tests/corpus/flagger.
fn flagger_reference(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/flagger/artifacts/flagger/crd.yaml");
    read_yaml_docs(&path)
        .into_iter()
        .find(|d| d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in {}", path.display()))
}

#[test]
fn flagger_crds_match_flaggers_schemas_names_and_columns() {
    // Where tk says the same thing differently: Flagger requires `type` with exactly one of
    // `address`/`secretRef` through `oneOf`, which a structural schema cannot carry; tk
    // requires `type` and says the rest in CEL.
    let mut expected = vec![
        "alertproviders.flagger.app: .spec: x-kubernetes-validations: flagger None, ours \
         Some(Array [Object {\"message\": String(\"set exactly one of spec.address and \
         spec.secretRef\"), \"rule\": String(\"has(self.address) != has(self.secretRef)\")}])"
            .to_string(),
        "alertproviders.flagger.app: .spec: required: flagger None, ours Some(Array \
         [String(\"type\")])"
            .to_string(),
    ];
    // Flagger's `oneOf`s on Canary, which tk's structural schemas do not carry: each one said
    // as one CEL rule on the same schema node.
    let cel = |path: &str, message: &str, rule: &str| {
        let rules = json!([{ "message": message, "rule": rule }]);
        format!(
            "canaries.flagger.app: {path}: x-kubernetes-validations: flagger None, ours {:?}",
            Some(&rules)
        )
    };
    let at_most_one = (
        "set at most one of exact, prefix and regex",
        "(has(self.exact) ? 1 : 0) + (has(self.prefix) ? 1 : 0) + (has(self.regex) ? 1 : 0) <= 1",
    );
    expected.extend([
        // `oneOf` of three `required` lists.
        cel(
            ".spec.analysis",
            "set interval, threshold and exactly one of iterations, stepWeight and stepWeights",
            "has(self.interval) && has(self.threshold) && (has(self.iterations) ? 1 : 0) \
             + (has(self.stepWeight) ? 1 : 0) + (has(self.stepWeights) ? 1 : 0) == 1",
        ),
        // A/B header matches: exactly one of four.
        cel(
            ".spec.analysis.match[].headers{}",
            "set exactly one of exact, prefix, suffix and regex",
            "(has(self.exact) ? 1 : 0) + (has(self.prefix) ? 1 : 0) + (has(self.suffix) ? 1 : 0) \
             + (has(self.regex) ? 1 : 0) == 1",
        ),
        // CORS origins: exactly one of three.
        cel(
            ".spec.service.corsPolicy.allowOrigins[]",
            "set exactly one of exact, prefix and regex",
            "(has(self.exact) ? 1 : 0) + (has(self.prefix) ? 1 : 0) + (has(self.regex) ? 1 : 0) == 1",
        ),
        // `simple`, or `consistentHash` with one hash key.
        cel(
            ".spec.service.trafficPolicy.loadBalancer",
            "set simple, or consistentHash with exactly one of httpHeaderName, httpCookie, \
             useSourceIp and httpQueryParameterName",
            "has(self.simple) != (has(self.consistentHash) \
             && (has(self.consistentHash.httpHeaderName) ? 1 : 0) \
             + (has(self.consistentHash.httpCookie) ? 1 : 0) \
             + (has(self.consistentHash.useSourceIp) ? 1 : 0) \
             + (has(self.consistentHash.httpQueryParameterName) ? 1 : 0) == 1)",
        ),
    ]);
    // Istio's string matches: at most one of three (`oneOf` with a `not anyOf` branch).
    expected.extend(
        [
            ".spec.analysis.match[].queryParams{}",
            ".spec.service.match[].authority",
            ".spec.service.match[].headers{}",
            ".spec.service.match[].method",
            ".spec.service.match[].queryParams{}",
            ".spec.service.match[].scheme",
            ".spec.service.match[].uri",
            ".spec.service.match[].withoutHeaders{}",
        ]
        .map(|path| cel(path, at_most_one.0, at_most_one.1)),
    );
    let mut mismatches = Vec::new();
    for crd in tk::api::flagger_crds() {
        let ours = serde_json::to_value(&crd).unwrap();
        let name = ours["metadata"]["name"].as_str().unwrap().to_string();
        let flagger = flagger_reference(&name);
        let (fv, ov) = (
            &flagger["spec"]["versions"][0],
            &ours["spec"]["versions"][0],
        );
        let mut out = Vec::new();
        compare_schema(
            "",
            &fv["schema"]["openAPIV3Schema"],
            &ov["schema"]["openAPIV3Schema"],
            &mut out,
        );
        for (what, f, o) in [
            ("group", &flagger["spec"]["group"], &ours["spec"]["group"]),
            ("scope", &flagger["spec"]["scope"], &ours["spec"]["scope"]),
            ("names", &flagger["spec"]["names"], &ours["spec"]["names"]),
            (
                "annotations",
                &flagger["metadata"]["annotations"],
                &ours["metadata"]["annotations"],
            ),
        ] {
            if !same(f, o) {
                out.push(format!("{what}: flagger {f}, ours {o}"));
            }
        }
        for key in [
            "name",
            "served",
            "storage",
            "subresources",
            "additionalPrinterColumns",
        ] {
            if !same(&fv[key], &ov[key]) {
                out.push(format!("{key}: flagger {}, ours {}", fv[key], ov[key]));
            }
        }
        let mut problems = Vec::new();
        structural_problems("", &ov["schema"]["openAPIV3Schema"], &mut problems);
        out.extend(problems);
        mismatches.extend(
            out.into_iter()
                .map(|m| format!("{name}: {}", m.replace("flux ", "flagger ")))
                .filter(|m| !expected.contains(m)),
        );
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
