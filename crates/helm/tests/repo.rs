//! `helm::repo`: chart repository indexes read, queried and written as Helm v3.22 and
//! Flux's source-controller do. Expected texts and bytes were recorded from Go (Helm
//! v3.22.0's `repo` package with Flux's `IndexFromBytes` and `getChartVersion`, Go 1.26);
//! the last tests run the real `helm` against indexes it generated itself.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use helm::repo::{
    IndexFile, MAX_CHART_FILE_SIZE, MAX_CHART_SIZE, MAX_INDEX_SIZE, Timestamp,
    resolve_reference_url,
};

fn index(text: &str) -> IndexFile {
    IndexFile::from_bytes(text.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn error(text: &str) -> String {
    match IndexFile::from_bytes(text.as_bytes()) {
        Ok(i) => panic!("expected an error, got {i:?}\n{text}"),
        Err(e) => e.to_string(),
    }
}

fn versions(index: &IndexFile, name: &str) -> Vec<String> {
    index.entries[name]
        .iter()
        .map(|cv| cv.version().to_string())
        .collect()
}

// ---------------------------------------------------------------- reading

#[test]
fn flux_size_caps_are_flux_defaults() {
    assert_eq!(MAX_INDEX_SIZE, 50 * 1024 * 1024);
    assert_eq!(MAX_CHART_SIZE, 10 * 1024 * 1024);
    assert_eq!(MAX_CHART_FILE_SIZE, 5 * 1024 * 1024);
}

#[test]
fn refuses_empty_index() {
    assert_eq!(error(""), "empty index.yaml file");
}

#[test]
fn refuses_index_without_api_version() {
    for text in [
        "entries: {}\n",
        "# only a comment\n",
        "  \n",
        "null",
        r#"{"entries":{}}"#,
        r#"{"apiVersion":""}"#,
    ] {
        assert_eq!(error(text), "no API version specified", "{text:?}");
    }
}

#[test]
fn refuses_index_over_the_size_cap() {
    let text = "apiVersion: v1\nentries: {}\n";
    let err = IndexFile::from_bytes_limited(text.as_bytes(), 10).unwrap_err();
    assert_eq!(
        err.to_string(),
        "index exceeds the maximum index file size of 10 bytes"
    );
    assert!(IndexFile::from_bytes_limited(text.as_bytes(), text.len() as u64).is_ok());
}

#[test]
fn drops_null_and_invalid_entries_and_keeps_the_rest() {
    let i = index(
        "apiVersion: v1
entries:
  a:
    -
    - {name: a, version: 1.0.0}
    - {name: a, version: not-semver}
    - {version: 2.0.0}
    - {name: a}
    - {name: ../a, version: 3.0.0}
    - {name: a, version: 4.0.0, type: plugin}
    - {name: a, version: 5.0.0, maintainers: [null]}
    - {name: a, version: 6.0.0, dependencies: [{name: d, alias: 'not ok'}]}
    - {name: a, version: 7.0.0, dependencies: [{name: d, repository: r}, {name: d, repository: r}]}
  b:
    - {name: b, version: x}
",
    );
    // A repeated dependency name is tolerated (JFrog strips aliases, helm/helm#12748).
    assert_eq!(versions(&i, "a"), ["7.0.0", "1.0.0"]);
    assert!(i.entries["b"].is_empty());
}

#[test]
fn entries_without_api_version_are_v1_and_metadata_is_sanitized() {
    let i = index(
        "apiVersion: v1\nentries:\n  a:\n    - {name: a, version: 1.0.0, description: \"x\\ty\\u0007z\", apiVersion: v2}\n    - {name: a, version: 0.1.0}\n",
    );
    let a = &i.entries["a"];
    assert_eq!(a[0].metadata.api_version, "v2");
    assert_eq!(a[0].metadata.description, "x yz");
    assert_eq!(a[1].metadata.api_version, "v1");
}

#[test]
fn sorts_each_chart_newest_first() {
    let i = index(
        "apiVersion: v1
entries:
  a:
    - {name: a, version: 1.0.0}
    - {name: a, version: 1.10.0}
    - {name: a, version: 1.2.0}
    - {name: a, version: 2.0.0-rc.1}
    - {name: a, version: 2.0.0-rc.10}
    - {name: a, version: 2.0.0-rc.2}
    - {name: a, version: v1.5}
    - {name: a, version: 0.0.1}
",
    );
    assert_eq!(
        versions(&i, "a"),
        [
            "2.0.0-rc.10",
            "2.0.0-rc.2",
            "2.0.0-rc.1",
            "1.10.0",
            "v1.5",
            "1.2.0",
            "1.0.0",
            "0.0.1"
        ]
    );
}

/// Go's sort.Sort is not stable: equal versions (build metadata, a `v` prefix) come out
/// in the order pdqsort leaves them, recorded here from Go for 60 entries.
#[test]
fn orders_equal_versions_as_go_sort_does() {
    let pairs: &[(&str, u32)] = &[
        ("0.5.0", 22),
        ("0.5.0", 20),
        ("1.0.0+a", 22),
        ("1.0.0-rc.1", 20),
        ("1.0.0", 22),
        ("2.0.0", 20),
        ("1.0.0", 20),
        ("2.0.0+z", 22),
        ("0.5.0", 20),
        ("2.0.0+z", 20),
        ("v2.0.0", 20),
        ("1.0.0", 20),
        ("1.0.0+a", 20),
        ("2.0.0+z", 20),
        ("v2.0.0", 22),
        ("2.0.0", 22),
        ("2.0.0+z", 20),
        ("2.0.0+z", 20),
        ("1.0.0-rc.1", 22),
        ("0.5.0", 20),
        ("1.0.0-rc.1", 20),
        ("0.5.0", 22),
        ("0.5.0", 20),
        ("1.0.0-rc.1", 22),
        ("2.0.0", 20),
        ("2.0.0+z", 22),
        ("1.0.0", 20),
        ("2.0.0+z", 20),
        ("0.5.0", 20),
        ("v2.0.0", 22),
        ("0.5.0", 20),
        ("1.0.0", 20),
        ("1.0.0+a", 20),
        ("1.0.0", 22),
        ("0.5.0", 22),
        ("0.5.0", 20),
        ("2.0.0+z", 20),
        ("v2.0.0", 22),
        ("2.0.0", 20),
        ("2.0.0", 22),
        ("1.0.0", 22),
        ("v2.0.0", 20),
        ("1.0.0+a", 20),
        ("1.0.0-rc.1", 20),
        ("1.0.0", 20),
        ("0.5.0", 22),
        ("1.0.0+a", 20),
        ("0.5.0", 20),
        ("1.0.0-rc.1", 20),
        ("0.5.0", 22),
        ("1.0.0", 22),
        ("0.5.0", 20),
        ("1.0.0", 22),
        ("v2.0.0", 22),
        ("1.0.0", 20),
        ("1.0.0+a", 22),
        ("v2.0.0", 20),
        ("1.0.0", 20),
        ("1.0.0+a", 22),
        ("2.0.0", 20),
    ];
    let mut text = String::from("apiVersion: v1\nentries:\n  mix:\n");
    for (n, (v, year)) in pairs.iter().enumerate() {
        text.push_str(&format!(
            "    - {{name: mix, version: '{v}', urls: [u{n}], created: '20{year}-01-01T00:00:00Z'}}\n"
        ));
    }
    let i = index(&text);
    let order: Vec<&str> = i.entries["mix"]
        .iter()
        .map(|cv| cv.urls[0].as_str())
        .collect();
    let want = "u24 u59 u56 u53 u41 u5 u39 u7 u38 u9 u10 u37 u36 u13 u14 u15 u16 u17 u29 u27 u25 u31 u40 u44 u58 u42 u26 u57 u2 u4 u55 u54 u32 u33 u46 u52 u12 u11 u50 u6 u3 u18 u20 u43 u23 u48 u0 u47 u45 u49 u8 u51 u35 u34 u22 u30 u28 u19 u21 u1";
    assert_eq!(order.join(" "), want);
    // Flux's pick among them (stable sort, newest `created` among equals).
    for (constraint, url) in [
        ("", "u25"),
        ("2.0.0", "u24"),
        ("~1", "u50"),
        (">=1.0.0-0 <1.0.0", "u23"),
        ("<1", "u21"),
    ] {
        assert_eq!(
            i.chart_version("mix", constraint).unwrap().urls[0],
            url,
            "{constraint:?}"
        );
    }
}

#[test]
fn reads_json_and_yaml_alike() {
    let yaml = index(GOLDEN_YAML);
    let json = IndexFile::from_bytes(&yaml.to_json_pretty().unwrap()).unwrap();
    assert_eq!(json, yaml);
    assert_eq!(
        json.to_json_pretty().unwrap(),
        yaml.to_json_pretty().unwrap()
    );
}

#[test]
fn yaml_scalars_become_text_only_in_fields_sigs_yaml_can_see() {
    // Top-level and ChartVersion's own string fields: numbers and booleans become text.
    let i = index(
        "apiVersion: 1\npublicKeys: [1, true]\nannotations: {a: 1.50}\nentries:\n  a:\n    - {name: a, version: 1.0.0, urls: [1, 1.5], digest: 12}\n",
    );
    assert_eq!(i.api_version, "1");
    assert_eq!(i.public_keys, ["1", "true"]);
    assert_eq!(i.annotations["a"], "1.5");
    assert_eq!(i.entries["a"][0].urls, ["1", "1.5"]);
    assert_eq!(i.entries["a"][0].digest, "12");
    // Chart.yaml fields sit behind the embedded *Metadata pointer: no conversion.
    assert_eq!(
        error("apiVersion: v1\nentries:\n  a:\n    - {name: a, version: 1.0.0, appVersion: 3.1}\n"),
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go struct field ChartVersion.entries.Metadata.appVersion of type string"
    );
    assert_eq!(
        error(
            "apiVersion: v1\nentries:\n  a:\n    - {name: a, version: 1.0.0, maintainers: [{name: 1}]}\n"
        ),
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go struct field Maintainer.entries.Metadata.maintainers.name of type string"
    );
}

#[test]
fn json_index_types_are_strict() {
    assert_eq!(
        error(r#"{"apiVersion":"v1","entries":{"a":[{"name":"a","version":"1.0.0","urls":[1]}]}}"#),
        "json: cannot unmarshal number into Go struct field ChartVersion.entries.urls of type string"
    );
    assert_eq!(
        error(
            r#"{"apiVersion":"v1","entries":{"a":[{"name":"a","version":"1.0.0","created":5}]}}"#
        ),
        "Time.UnmarshalJSON: input is not a JSON string"
    );
}

#[test]
fn unknown_fields_are_errors_in_yaml_and_ignored_in_json() {
    assert_eq!(
        error("apiVersion: v1\nunknown: 1\n"),
        "error unmarshaling JSON: while decoding JSON: json: unknown field \"unknown\""
    );
    assert_eq!(
        error("apiVersion: v1\nentries:\n  a:\n    - {name: a, version: 1.0.0, bogus: true}\n"),
        "error unmarshaling JSON: while decoding JSON: json: unknown field \"bogus\""
    );
    let i = index(
        r#"{"apiVersion":"v1","unknown":1,"entries":{"a":[{"name":"a","version":"1.0.0","bogus":true}]}}"#,
    );
    assert_eq!(versions(&i, "a"), ["1.0.0"]);
}

#[test]
fn field_names_match_case_insensitively_as_go_does() {
    let i = index("apiVersion: v1\nentries:\n  a:\n    - {Name: a, VERSION: 1.0.0, URLs: [x]}\n");
    assert_eq!(i.entries["a"][0].version(), "1.0.0");
    assert_eq!(i.entries["a"][0].urls, ["x"]);
    // Go folds `ſ` to `s` and the Kelvin sign to `k`.
    let i = index(
        "{\"apiVerſion\":\"v1\",\"entries\":{\"a\":[{\"name\":\"a\",\"version\":\"1.0.0\",\"\u{212A}eywords\":[\"k\"]}]}}",
    );
    assert_eq!(i.api_version, "v1");
    assert_eq!(i.entries["a"][0].metadata.keywords, ["k"]);
}

#[test]
fn malformed_indexes_are_errors_with_go_texts() {
    let cases: &[(&str, &str)] = &[
        (
            "[]",
            "json: cannot unmarshal array into Go value of type repo.IndexFile",
        ),
        (
            r#"{"apiVersion":"v1","entries":[]}"#,
            "json: cannot unmarshal array into Go struct field IndexFile.entries of type map[string]repo.ChartVersions",
        ),
        (
            r#"{"apiVersion":"v1","entries":{"a":{"x":1}}}"#,
            "json: cannot unmarshal object into Go struct field IndexFile.entries of type repo.ChartVersions",
        ),
        (
            r#"{"apiVersion":"v1","entries":{"a":["x"]}}"#,
            "json: cannot unmarshal string into Go struct field IndexFile.entries of type repo.ChartVersion",
        ),
        (
            r#"{"apiVersion":"v1","serverInfo":[]}"#,
            "json: cannot unmarshal array into Go struct field IndexFile.serverInfo of type map[string]interface {}",
        ),
        (
            r#"{"apiVersion":true}"#,
            "json: cannot unmarshal bool into Go struct field IndexFile.apiVersion of type string",
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n    - {name: a, version: 1.0.0, maintainers: [x]}\n",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field ChartVersion.entries.Metadata.maintainers of type chart.Maintainer",
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n    - {name: a, version: 1.0.0, dependencies: {}}\n",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go struct field ChartVersion.entries.Metadata.dependencies of type []*chart.Dependency",
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n    - {name: a, version: 1.0.0, deprecated: 'yes'}\n",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field ChartVersion.entries.Metadata.deprecated of type bool",
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n    - {name: a, version: 1.0.0, removed: 1}\n",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go struct field ChartVersion.entries.removed of type bool",
        ),
        (
            "apiVersion: v1\nentries:\n  a:\n    - {name: a, version: 1.0.0, dependencies: [{name: d, import-values: x}]}\n",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field Dependency.entries.Metadata.dependencies.import-values of type []interface {}",
        ),
        (
            "apiVersion: v1\ngenerated: 2020-01-01\n",
            "error unmarshaling JSON: while decoding JSON: parsing time \"2020-01-01\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"T\"",
        ),
        (
            "apiVersion: [v1\n",
            "error converting YAML to JSON: yaml: line 1: did not find expected ',' or ']'",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(&error(text), want, "{text}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let json = format!(
        r#"{{"apiVersion":"v1","serverInfo":{{"a":{}1{}}}}}"#,
        "[".repeat(5000),
        "]".repeat(5000)
    );
    assert!(
        error(&json).contains("nested too deeply"),
        "{}",
        error(&json)
    );
    let yaml = format!(
        "apiVersion: v1\nserverInfo: {{a: {}1{}}}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    error(&yaml);
}

/// Every prefix and many single-byte corruptions of valid indexes: an answer each time,
/// never a panic (SECURITY.md item 24).
#[test]
fn truncated_or_corrupted_indexes_never_panic() {
    let yaml = GOLDEN_YAML.as_bytes().to_vec();
    let json = index(GOLDEN_YAML).to_json_pretty().unwrap();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for doc in [yaml, json] {
        for n in 0..doc.len() {
            let _ = IndexFile::from_bytes(&doc[..n]);
        }
        for _ in 0..3000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut d = doc.clone();
            let at = (seed % d.len() as u64) as usize;
            let bytes = b"{}[]:,\"'-\n 0a\\&*!%@#\x00\xff";
            d[at] = bytes[(seed >> 32) as usize % bytes.len()];
            if let Ok(i) = IndexFile::from_bytes(&d) {
                let _ = i.to_json_pretty();
                for name in i.entries.keys() {
                    let _ = i.chart_version(name, "");
                    let _ = i.chart_version(name, ">=0.0.0-0");
                }
            }
        }
    }
}

// ---------------------------------------------------------------- times

#[test]
fn times_parse_and_print_as_go_time_does() {
    let cases = [
        (
            "2016-10-06T16:23:20.499814565-06:00",
            "2016-10-06T16:23:20.499814565-06:00",
        ),
        ("2020-01-01T10:00:00.120000000Z", "2020-01-01T10:00:00.12Z"),
        ("2020-01-01T10:00:00.000Z", "2020-01-01T10:00:00Z"),
        ("2020-01-01T00:00:00-00:00", "2020-01-01T00:00:00Z"),
        (
            "2020-01-01T10:00:00.123456789123+05:30",
            "2020-01-01T10:00:00.123456789+05:30",
        ),
        // Go 1.26 leaves strict RFC 3339 checks off: these parse.
        ("2020-01-01T1:00:00Z", "2020-01-01T01:00:00Z"),
        ("2020-01-01T10:00:00,5Z", "2020-01-01T10:00:00.5Z"),
        ("0000-01-01T00:30:00+01:00", "0000-01-01T00:30:00+01:00"),
        ("2020-02-29T00:00:00Z", "2020-02-29T00:00:00Z"),
    ];
    for (text, printed) in cases {
        let t = Timestamp::parse_rfc3339(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(t.to_string(), printed);
        assert_eq!(t.to_json_text().unwrap(), printed);
    }
    assert_eq!(Timestamp::default().to_string(), "0001-01-01T00:00:00Z");
    assert!(Timestamp::default().is_zero());
    assert_eq!(
        Timestamp::from_unix(1_700_000_000, 5).to_string(),
        "2023-11-14T22:13:20.000000005Z"
    );
    let early = Timestamp::parse_rfc3339("2021-06-01T01:30:00+02:00").unwrap();
    let late = Timestamp::parse_rfc3339("2021-06-01T00:00:00Z").unwrap();
    assert!(early.before(&late) && !late.before(&early));
}

#[test]
fn bad_times_give_go_parse_errors() {
    let cases = [
        (
            "2020-13-01T00:00:00Z",
            "parsing time \"2020-13-01T00:00:00Z\": month out of range",
        ),
        (
            "2020-02-30T10:00:00Z",
            "parsing time \"2020-02-30T10:00:00Z\": day out of range",
        ),
        (
            "2021-02-29T00:00:00Z",
            "parsing time \"2021-02-29T00:00:00Z\": day out of range",
        ),
        (
            "2020-01-01T24:00:00Z",
            "parsing time \"2020-01-01T24:00:00Z\": hour out of range",
        ),
        (
            "2020-01-01T10:00:60Z",
            "parsing time \"2020-01-01T10:00:60Z\": second out of range",
        ),
        (
            "2020-01-01T10:00:00+25:00",
            "parsing time \"2020-01-01T10:00:00+25:00\": time zone offset hour out of range",
        ),
        (
            "2020-01-01t10:00:00Z",
            "parsing time \"2020-01-01t10:00:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"t10:00:00Z\" as \"T\"",
        ),
        (
            "2020-01-01T10:00:00z",
            "parsing time \"2020-01-01T10:00:00z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"z\" as \"Z07:00\"",
        ),
        (
            "2020-01-01T10:00:00Zjunk",
            "parsing time \"2020-01-01T10:00:00Zjunk\": extra text: \"junk\"",
        ),
        (
            "2020-1-01T10:00:00Z",
            "parsing time \"2020-1-01T10:00:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"1-01T10:00:00Z\" as \"01\"",
        ),
        (
            "é2020-01-01T10:00:00Z",
            "parsing time \"\\xc3\\xa92020-01-01T10:00:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\\xc3\\xa92020-01-01T10:00:00Z\" as \"2006\"",
        ),
        (
            "",
            "parsing time \"\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"2006\"",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(
            Timestamp::parse_rfc3339(text).unwrap_err().to_string(),
            want
        );
    }
    // `+24:00` parses but Go cannot write it back.
    let t = Timestamp::parse_rfc3339("2020-01-01T10:00:00+24:00").unwrap();
    assert!(
        t.to_json_text()
            .unwrap_err()
            .to_string()
            .contains("timezone hour outside of range [0,23]")
    );
    let i = index("apiVersion: v1\ngenerated: '2020-01-01T10:00:00+23:60'\n");
    assert!(i.to_json_pretty().is_err());
}

// ---------------------------------------------------------------- chart_version

fn lookup_index() -> IndexFile {
    index(
        "apiVersion: v1
entries:
  nginx:
    - {name: nginx, version: 0.1.0, urls: [a.tgz]}
    - {name: nginx, version: 0.2.0, urls: [b.tgz], created: '2020-01-01T00:00:00Z'}
    - {name: nginx, version: 1.0.0-rc.1, urls: [rc.tgz]}
    - {name: nginx, version: v0.3.0, urls: [v.tgz]}
    - {name: nginx, version: 0.2.0+build2, urls: [b2.tgz], created: '2021-01-01T00:00:00+02:00'}
    - {name: nginx, version: 0.2.0+build1, urls: [b1.tgz], created: '2021-01-01T00:00:00Z'}
    - {name: nginx, version: 01.2.3, urls: [lenient.tgz]}
  empty: []
  small:
    - {name: small, version: 1.0.0+a, urls: [a.tgz], created: '2020-01-01T00:00:00Z'}
    - {name: small, version: 1.0.0+b, urls: [b.tgz], created: '2020-01-01T00:00:00Z'}
    - {name: small, version: 1.0.0+c, urls: [c.tgz], created: '2020-01-01T00:00:00Z'}
",
    )
}

#[test]
fn chart_version_prefers_the_exact_version_string() {
    let i = lookup_index();
    assert_eq!(i.chart_version("nginx", "v0.3.0").unwrap().urls, ["v.tgz"]);
    assert_eq!(i.chart_version("nginx", "0.2.0").unwrap().urls, ["b.tgz"]);
    // Not strict SemVer, so only an exact match finds it.
    assert_eq!(
        i.chart_version("nginx", "01.2.3").unwrap().urls,
        ["lenient.tgz"]
    );
    assert!(i.chart_version("nginx", ">1").is_err());
}

#[test]
fn chart_version_empty_or_star_is_the_latest_stable() {
    let i = lookup_index();
    for v in ["", "*"] {
        assert_eq!(i.chart_version("nginx", v).unwrap().version(), "v0.3.0");
    }
    assert_eq!(
        i.chart_version("nginx", ">=1.0.0-0").unwrap().version(),
        "1.0.0-rc.1"
    );
}

#[test]
fn chart_version_breaks_ties_by_created_then_as_go_stable_sort() {
    let i = lookup_index();
    // 0.2.0, +build1 and +build2 are equal versions: the newest `created` wins
    // (+build2 was created at 2020-12-31T22:00Z, before +build1).
    assert_eq!(i.chart_version("nginx", "~0.2").unwrap().urls, ["b1.tgz"]);
    // Everything equal: Go's stable sort with Flux's comparator puts the last first.
    assert_eq!(i.chart_version("small", "").unwrap().urls, ["c.tgz"]);
}

#[test]
fn chart_version_errors_are_fluxs() {
    let i = lookup_index();
    let err = |n: &str, v: &str| i.chart_version(n, v).unwrap_err().to_string();
    assert_eq!(err("missing", ""), "no chart name found");
    assert_eq!(err("empty", ""), "no chart version found");
    assert_eq!(
        err("nginx", ">5"),
        "no 'nginx' chart with version matching '>5' found"
    );
    assert_eq!(
        err("nginx", "bad constraint!!"),
        "improper constraint: \"bad constraint!!\""
    );
    assert_eq!(
        err("nginx", "1.2.3 || foo"),
        "improper constraint: \" foo\""
    );
    assert_eq!(err("nginx", "> 1 ||"), "improper constraint: \"\"");
}

// ---------------------------------------------------------------- writing

const GOLDEN_YAML: &str = r####"apiVersion: v1
generated: "2024-05-06T07:08:09.120000000+02:00"
serverInfo: {contextPath: /v1/helm, count: 10, f: 0.0000001, big: 1e21}
annotations: {team: "a&b", ctl: "\b\f\u0001\u2028\u2029<>"}
entries:
  web:
    - name: web
      version: 1.2.0
      appVersion: "1.2"
      description: "<b>\u2028\b\f\t\u0001"
      urls: [web-1.2.0.tgz]
      created: "2024-05-06T07:08:09Z"
      digest: abc
      maintainers: [{name: ann, email: ann@example.com}]
      dependencies: [{name: db, version: ~1.0, repository: "https://x", import-values: [1, 2.5]}]
    - name: web
      version: 1.10.0
      urls: []
      removed: true
      deprecated: true
      annotations: {b: "2", a: "1"}
  nothing:
  none: []
  bad:
    - name: bad
      version: x.y
"####;

/// `json.MarshalIndent` of this index, recorded from Go: field order, omitempty, `null`
/// for nil lists, escapes (`\u003c`, `\b`, `\u2028`), float formatting, sanitized text.
const GOLDEN_JSON: &str = r####"{
  "serverInfo": {
    "big": 1e+21,
    "contextPath": "/v1/helm",
    "count": 10,
    "f": 1e-7
  },
  "apiVersion": "v1",
  "generated": "2024-05-06T07:08:09.12+02:00",
  "entries": {
    "bad": [],
    "none": [],
    "nothing": null,
    "web": [
      {
        "name": "web",
        "version": "1.10.0",
        "apiVersion": "v1",
        "deprecated": true,
        "annotations": {
          "a": "1",
          "b": "2"
        },
        "urls": [],
        "created": "0001-01-01T00:00:00Z",
        "removed": true
      },
      {
        "name": "web",
        "version": "1.2.0",
        "description": "\u003cb\u003e   ",
        "maintainers": [
          {
            "name": "ann",
            "email": "ann@example.com"
          }
        ],
        "apiVersion": "v1",
        "appVersion": "1.2",
        "dependencies": [
          {
            "name": "db",
            "version": "~1.0",
            "repository": "https://x",
            "import-values": [
              1,
              2.5
            ]
          }
        ],
        "urls": [
          "web-1.2.0.tgz"
        ],
        "created": "2024-05-06T07:08:09Z",
        "digest": "abc"
      }
    ]
  },
  "annotations": {
    "ctl": "\b\f\u0001\u2028\u2029\u003c\u003e",
    "team": "a\u0026b"
  }
}"####;

#[test]
fn writes_the_json_go_writes() {
    let json = index(GOLDEN_YAML).to_json_pretty().unwrap();
    assert_eq!(String::from_utf8(json).unwrap(), GOLDEN_JSON);
    assert_eq!(
        String::from_utf8(index("apiVersion: v1\n").to_json_pretty().unwrap()).unwrap(),
        "{\n  \"apiVersion\": \"v1\",\n  \"generated\": \"0001-01-01T00:00:00Z\",\n  \"entries\": null\n}"
    );
    assert_eq!(
        String::from_utf8(IndexFile::new().to_json_pretty().unwrap()).unwrap(),
        "{\n  \"apiVersion\": \"v1\",\n  \"generated\": \"0001-01-01T00:00:00Z\",\n  \"entries\": {}\n}"
    );
}

// ---------------------------------------------------------------- URLs

#[test]
fn resolves_reference_urls_as_helm() {
    let base = "https://charts.example.com/stable?token=x";
    let cases = [
        (
            "demo-0.9.0.tgz",
            "https://charts.example.com/stable/demo-0.9.0.tgz?token=x",
        ),
        ("/abs/x.tgz", "https://charts.example.com/abs/x.tgz?token=x"),
        ("../x.tgz", "https://charts.example.com/x.tgz?token=x"),
        (
            "./a/./b/../c.tgz",
            "https://charts.example.com/stable/a/c.tgz?token=x",
        ),
        (
            "sub/dir/x.tgz?sig=1",
            "https://charts.example.com/stable/sub/dir/x.tgz?token=x",
        ),
        (
            "x y.tgz",
            "https://charts.example.com/stable/x%20y.tgz?token=x",
        ),
        ("#frag", "https://charts.example.com/stable/?token=x#frag"),
        ("//host/p", "https://host/p?token=x"),
        // Absolute references come back exactly as written.
        ("https://other/x.tgz", "https://other/x.tgz"),
        ("oci://r/x", "oci://r/x"),
        ("a:b", "a:b"),
    ];
    for (reference, want) in cases {
        assert_eq!(
            resolve_reference_url(base, reference).unwrap(),
            want,
            "{reference}"
        );
    }
    let join = |b: &str, r: &str| resolve_reference_url(b, r).unwrap();
    assert_eq!(
        join("https://charts.example.com/stable/", "a.tgz"),
        "https://charts.example.com/stable/a.tgz"
    );
    assert_eq!(
        join("https://charts.example.com", "a.tgz"),
        "https://charts.example.com/a.tgz"
    );
    assert_eq!(
        join(
            "https://u:p%40x@charts.example.com:8443/a%2Fb/c?x=1#f",
            "b%2Fc.tgz"
        ),
        "https://u:p%40x@charts.example.com:8443/a%2Fb/c/b%2Fc.tgz?x=1"
    );
    assert_eq!(
        join("http://[fe80::1%25en0]/charts", "a.tgz"),
        "http://[fe80::1%25en0]/charts/a.tgz"
    );
    assert_eq!(
        join("https://héllo.com/ch arts", "ü.tgz"),
        "https://h%C3%A9llo.com/ch%20arts/%C3%BC.tgz"
    );
    assert_eq!(
        join("file:///tmp/charts", "a.tgz"),
        "file:///tmp/charts/a.tgz"
    );
    for (b, r, want) in [
        (
            "https://x",
            "%zz",
            "failed to parse %zz as URL: parse \"%zz\": invalid URL escape \"%zz\"",
        ),
        (
            "http://a:1:2/charts",
            "a.tgz",
            "failed to parse http://a:1:2/charts as URL: parse \"http://a:1:2/charts\": invalid port \":1:2\" after host",
        ),
        (
            "http://[1.2.3.4]/a",
            "x",
            "failed to parse http://[1.2.3.4]/a as URL: parse \"http://[1.2.3.4]/a\": invalid IP-literal",
        ),
        (
            "http://x.com/a",
            "c:d/x",
            "failed to parse c:d/x as URL: parse \"c:d/x\": first path segment in URL cannot contain colon",
        ),
    ] {
        if want.starts_with("failed to parse c:d") {
            // `c:d/x` has a scheme: it is absolute and returned as is.
            assert_eq!(join(b, r), r);
            continue;
        }
        assert_eq!(resolve_reference_url(b, r).unwrap_err().to_string(), want);
    }
}

// ---------------------------------------------------------------- against helm

fn helm() -> PathBuf {
    testenv::reference(testenv::Reference::Helm).unwrap_or_else(|e| panic!("{e:#}"))
}

/// Runs helm with no user configuration, returning (success, stdout, stderr).
fn run_helm(helm: &Path, home: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(helm)
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_DATA_HOME", home.join("data"))
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", helm.display()));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn corpus_chart(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus/helm/charts")
        .join(name)
}

/// A plain HTTP server for the files of `dir`, enough for helm's getter.
fn serve(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
            }
            let path = request.split(' ').nth(1).unwrap_or("/");
            let path = path.split('?').next().unwrap_or("").trim_start_matches('/');
            let file = dir.join(path);
            let response = match (path.contains(".."), std::fs::read(&file)) {
                (false, Ok(body)) => {
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend(body);
                    r
                }
                _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    url
}

fn packaged_chart_version(tgz: &Path) -> String {
    let mut data = Vec::new();
    std::fs::File::open(tgz)
        .unwrap()
        .read_to_end(&mut data)
        .unwrap();
    let chart =
        helm::loader::load_archive(data.as_slice(), &helm::loader::Limits::default()).unwrap();
    chart.metadata.version
}

/// `helm repo index` over podinfo packaged at several versions (one archive written by
/// `helm::package`): the index reads back with every archive, and for each constraint
/// `chart_version` picks the version helm itself resolves when pulling from the
/// repository.
#[test]
fn agrees_with_helm_repo_index_and_helm_resolution() {
    let helm = helm();
    let home = tempfile::tempdir().unwrap();
    let repo = tempfile::tempdir().unwrap();
    let chart = corpus_chart("podinfo");
    let versions = [
        "5.9.9",
        "6.0.0",
        "6.1.0-rc.1",
        "6.1.0",
        "6.2.0-beta.1",
        "v6.0.2",
    ];
    for v in versions {
        let (ok, _, stderr) = run_helm(
            &helm,
            home.path(),
            &[
                "package",
                chart.to_str().unwrap(),
                "--version",
                v,
                "-d",
                repo.path().to_str().unwrap(),
            ],
        );
        assert!(ok, "helm package --version {v}: {stderr}");
    }
    let mut ours = helm::loader::load(&chart, &helm::loader::Limits::default()).unwrap();
    ours.metadata.version = "6.0.1".into();
    let file = repo.path().join(helm::package::file_name(&ours));
    helm::package::save(&ours, std::fs::File::create(&file).unwrap()).unwrap();

    let (ok, _, stderr) = run_helm(
        &helm,
        home.path(),
        &["repo", "index", repo.path().to_str().unwrap()],
    );
    assert!(ok, "helm repo index: {stderr}");
    let index =
        IndexFile::from_bytes(&std::fs::read(repo.path().join("index.yaml")).unwrap()).unwrap();
    assert_eq!(index.api_version, "v1");
    let entries = &index.entries["podinfo"];
    assert_eq!(
        entries.len(),
        versions.len() + 1,
        "helm indexed every archive, ours included"
    );
    let got: Vec<&str> = entries.iter().map(|cv| cv.version()).collect();
    assert_eq!(
        got,
        [
            "6.2.0-beta.1",
            "6.1.0",
            "6.1.0-rc.1",
            "v6.0.2",
            "6.0.1",
            "6.0.0",
            "5.9.9"
        ]
    );
    for cv in entries {
        assert_eq!(cv.name(), "podinfo");
        assert!(
            cv.digest.len() == 64 && cv.digest.bytes().all(|b| b.is_ascii_hexdigit()),
            "{}",
            cv.digest
        );
        assert!(!cv.created.is_zero());
        let tgz = repo.path().join(&cv.urls[0]);
        assert_eq!(packaged_chart_version(&tgz), cv.version(), "{}", cv.urls[0]);
    }
    // JSON out and back in keeps the index.
    assert_eq!(
        IndexFile::from_bytes(&index.to_json_pretty().unwrap()).unwrap(),
        index
    );

    let url = serve(repo.path().to_path_buf());
    for constraint in [
        "",
        "*",
        "~6.0",
        "<6.1.0",
        ">=6.1.0-0",
        "6.1.0-rc.1",
        "^5",
        "5.9.9",
        "6.0.1",
        "v6.0.2",
        ">=6.0.0 <6.0.2",
        ">7",
    ] {
        let mut args = vec!["show", "chart", "--repo", url.as_str(), "podinfo"];
        if !constraint.is_empty() {
            args.extend(["--version", constraint]);
        }
        let (ok, stdout, stderr) = run_helm(&helm, home.path(), &args);
        let ours = index.chart_version("podinfo", constraint);
        match ours {
            Ok(cv) => {
                assert!(
                    ok,
                    "helm found nothing for {constraint:?} but we found {}: {stderr}",
                    cv.version()
                );
                let theirs = stdout
                    .lines()
                    .find_map(|l| l.strip_prefix("version: "))
                    .unwrap();
                assert_eq!(cv.version(), theirs, "constraint {constraint:?}");
                let resolved = resolve_reference_url(&url, &cv.urls[0]).unwrap();
                assert_eq!(resolved, format!("{url}/{}", cv.urls[0]));
            }
            Err(e) => assert!(
                !ok,
                "we found nothing for {constraint:?} ({e}) but helm did:\n{stdout}"
            ),
        }
    }
}

#[test]
fn reads_helm_repo_index_with_base_url() {
    let helm = helm();
    let home = tempfile::tempdir().unwrap();
    let repo = tempfile::tempdir().unwrap();
    let chart = corpus_chart("bitnami/nginx");
    let (ok, _, stderr) = run_helm(
        &helm,
        home.path(),
        &[
            "package",
            chart.to_str().unwrap(),
            "-d",
            repo.path().to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");
    let (ok, _, stderr) = run_helm(
        &helm,
        home.path(),
        &[
            "repo",
            "index",
            repo.path().to_str().unwrap(),
            "--url",
            "https://charts.example.com/sub",
        ],
    );
    assert!(ok, "{stderr}");
    let index =
        IndexFile::from_bytes(&std::fs::read(repo.path().join("index.yaml")).unwrap()).unwrap();
    let cv = index.chart_version("nginx", "").unwrap();
    let loaded = helm::loader::load(&chart, &helm::loader::Limits::default()).unwrap();
    assert_eq!(
        cv.metadata, loaded.metadata,
        "the index carries the chart's metadata"
    );
    assert_eq!(
        cv.urls,
        [format!(
            "https://charts.example.com/sub/nginx-{}.tgz",
            loaded.metadata.version
        )]
    );
    assert_eq!(
        resolve_reference_url("https://mirror.example.com/x", &cv.urls[0]).unwrap(),
        cv.urls[0]
    );
}
