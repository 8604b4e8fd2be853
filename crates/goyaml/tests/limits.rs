//! Hostile input (SECURITY.md items 9, 22, 24): a clear error, never a hang or a panic.

use goyaml::{Error, Limits, yaml_to_json, yaml_to_json_with_limits};

#[test]
fn refuses_billion_laughs_with_go_message() {
    let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        doc.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let err = yaml_to_json(&doc).unwrap_err();
    assert_eq!(
        err.to_string(),
        "yaml: document contains excessive aliasing"
    );
}

#[test]
fn refuses_deep_nesting() {
    let doc = "[".repeat(5000) + &"]".repeat(5000);
    assert!(yaml_to_json(&doc).is_err());
    let doc = (0..3000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect::<String>();
    assert!(yaml_to_json(&doc).is_err());
}

#[test]
fn refuses_input_over_the_size_cap() {
    let limits = Limits {
        max_input_bytes: 10,
        ..Limits::default()
    };
    assert!(matches!(
        yaml_to_json_with_limits("a: 123456789012", &limits),
        Err(Error::Limit(_))
    ));
}

#[test]
fn refuses_self_referencing_anchor() {
    let err = yaml_to_json("a: &x [*x]\n").unwrap_err();
    assert_eq!(err.to_string(), "yaml: anchor 'x' value contains itself");
}

#[test]
fn helm_funcs_fromyaml_rows() {
    // pkg/engine/funcs_test.go (corpus funcs/cases.jsonl).
    let m = goyaml::unmarshal_map("hello: world").unwrap();
    assert_eq!(
        serde_json::Value::Object(m),
        serde_json::json!({"hello": "world"})
    );
    let want_map_err = "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}";
    assert_eq!(
        goyaml::unmarshal_map("- one\n- two\n")
            .unwrap_err()
            .to_string(),
        want_map_err
    );
    assert_eq!(
        goyaml::unmarshal_map("[\"one\", \"two\"]")
            .unwrap_err()
            .to_string(),
        want_map_err
    );
    assert_eq!(
        goyaml::unmarshal_array("hello: world")
            .unwrap_err()
            .to_string(),
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}"
    );
    let a = goyaml::unmarshal_array("[\"one\", 2, { \"name\": \"helm\" }]").unwrap();
    assert_eq!(
        serde_json::Value::Array(a),
        serde_json::json!(["one", 2, {"name": "helm"}])
    );
    assert_eq!(
        goyaml::unmarshal_map("a: b: c").unwrap_err().to_string(),
        "error converting YAML to JSON: yaml: mapping values are not allowed in this context"
    );
}
