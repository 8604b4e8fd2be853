//! `values.schema.json` validation reports what Helm v3.21.4 (santhosh-tekuri/jsonschema
//! v6) reports, message for message (tests/expected/schema.jsonl), and never follows
//! references outside the schema (SECURITY.md 23).

mod common;

use helm::schema::validate_against_single_schema;

#[test]
fn reports_failures_as_helm_does() {
    let mut n = 0;
    for case in common::expected_lines("schema.jsonl") {
        let schema = serde_json::to_vec(&case["schema"]).unwrap();
        let values = case["values"].as_object().unwrap().clone();
        let values = helm::yaml::numbers_to_f64(serde_json::Value::Object(values))
            .as_object()
            .unwrap()
            .clone();
        let got = validate_against_single_schema(&values, &schema)
            .err()
            .map(|e| e.to_string());
        let want = case["error"].as_str().map(str::to_string);
        if case.get("unordered").is_some() {
            // Go visits object keys in random order; only the lines are compared.
            let sort = |s: Option<String>| {
                let mut l: Vec<String> =
                    s.unwrap_or_default().lines().map(str::to_string).collect();
                l.sort();
                l
            };
            assert_eq!(sort(got), sort(want), "{}", case["schema"]);
        } else {
            assert_eq!(got, want, "{}", case["schema"]);
        }
        n += 1;
    }
    assert!(n >= 40);
}

#[test]
fn refuses_refs_to_files_urls_and_devices() {
    let values = helm::Values::new();
    for r in [
        "file:///etc/passwd",
        "http://example.com/s.json",
        "/dev/zero",
        "other.json#/a",
    ] {
        let schema = format!(r#"{{"properties": {{"a": {{"$ref": "{r}"}}}}}}"#);
        let err = validate_against_single_schema(&values, schema.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("schema $ref {r:?} points outside values.schema.json and is not followed")
        );
    }
}

#[test]
fn recursive_refs_end_with_an_error() {
    let values: helm::Values = serde_json::from_str(r#"{"a": 1}"#).unwrap();
    let schema = br##"{"$defs": {"x": {"$ref": "#/$defs/y"}, "y": {"$ref": "#/$defs/x"}}, "$ref": "#/$defs/x"}"##;
    let err = validate_against_single_schema(&values, schema).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "schema evaluation is nested deeper than {} levels (recursive $ref?)",
            helm::schema::MAX_DEPTH
        )
    );
}

#[test]
fn a_schema_that_is_not_a_schema_is_an_error() {
    let err = validate_against_single_schema(&helm::Values::new(), b"5").unwrap_err();
    assert_eq!(
        err.to_string(),
        "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation failed with 'https://json-schema.org/draft/2020-12/schema#'\n- at '': got number, want boolean or object"
    );
    assert!(validate_against_single_schema(&helm::Values::new(), b"{not json").is_err());
}

#[test]
fn chartutil_fixture_schema_matches_helms_own_test() {
    let td = common::chartutil_testdata();
    let schema = std::fs::read(td.join("test-values.schema.json")).unwrap();
    let ok =
        helm::values::read_values(&std::fs::read(td.join("test-values.yaml")).unwrap()).unwrap();
    validate_against_single_schema(&ok, &schema).unwrap();
    let bad =
        helm::values::read_values(&std::fs::read(td.join("test-values-negative.yaml")).unwrap())
            .unwrap();
    assert_eq!(
        validate_against_single_schema(&bad, &schema)
            .unwrap_err()
            .to_string(),
        "- at '': missing property 'employmentInfo'\n- at '/age': minimum: got -5, want 0\n"
    );
}
