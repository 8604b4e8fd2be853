//! Cases from Masterminds/semver v3 version_test.go and fluxcd/pkg version_test.go.

use std::cmp::Ordering;

use versionrange::Version;

#[test]
fn strict_parsing_matches_strict_new_version() {
    let cases = [
        ("1.2.3", false),
        ("1.2.3-alpha.01", true),
        ("1.2.3+test.01", false),
        ("1.2.3-alpha.-1", false),
        ("v1.2.3", true),
        ("1.0", true),
        ("v1.0", true),
        ("1", true),
        ("v1", true),
        ("1.2.beta", true),
        ("v1.2.beta", true),
        ("foo", true),
        ("1.2-5", true),
        ("v1.2-5", true),
        ("1.2-beta.5", true),
        ("v1.2-beta.5", true),
        ("\n1.2", true),
        ("\nv1.2", true),
        ("1.2.0-x.Y.0+metadata", false),
        ("v1.2.0-x.Y.0+metadata", true),
        ("1.2.0-x.Y.0+metadata-width-hypen", false),
        ("v1.2.0-x.Y.0+metadata-width-hypen", true),
        ("1.2.3-rc1-with-hypen", false),
        ("v1.2.3-rc1-with-hypen", true),
        ("1.2.3.4", true),
        ("v1.2.3.4", true),
        ("1.2.2147483648", false),
        ("1.2147483648.3", false),
        ("2147483648.3.0", false),
        ("20221209-update-renovatejson-v4", true),
        ("", true),
        ("01.2.3", true),
        ("1.2.3-", true),
        ("1.2.3+", true),
        ("18446744073709551616.0.0", true),
    ];
    for (input, want_err) in cases {
        assert_eq!(Version::parse_strict(input).is_err(), want_err, "{input:?}");
    }
}

#[test]
fn lenient_parsing_matches_new_version() {
    let cases = [
        ("1.2.3", false),
        ("1.2.3-alpha.01", true),
        ("1.2.3+test.01", false),
        ("1.2.3-alpha.-1", false),
        ("v1.2.3", false),
        ("1.0", false),
        ("v1.0", false),
        ("1", false),
        ("v1", false),
        ("1.2.beta", true),
        ("v1.2.beta", true),
        ("foo", true),
        ("1.2-5", false),
        ("v1.2-5", false),
        ("1.2-beta.5", false),
        ("v1.2-beta.5", false),
        ("\n1.2", true),
        ("\nv1.2", true),
        ("1.2.0-x.Y.0+metadata", false),
        ("v1.2.0-x.Y.0+metadata", false),
        ("1.2.0-x.Y.0+metadata-width-hypen", false),
        ("v1.2.0-x.Y.0+metadata-width-hypen", false),
        ("1.2.3-rc1-with-hypen", false),
        ("v1.2.3-rc1-with-hypen", false),
        ("1.2.3.4", true),
        ("v1.2.3.4", true),
        ("1.2.2147483648", false),
        ("1.2147483648.3", false),
        ("2147483648.3.0", false),
        ("12.3.4.1234", true),
        ("12.23.4.1234", true),
        ("12.3.34.1234", true),
        ("20221209-update-renovatejson-v4", false),
        ("", true),
        ("V1.2.3", true),
        ("1.2.3 ", true),
        ("1.2.3-alpha..1", true),
        ("1.2.3-al_pha", true),
        ("1.2.3+meta+data", true),
        ("18446744073709551616.0.0", true),
    ];
    for (input, want_err) in cases {
        assert_eq!(Version::parse(input).is_err(), want_err, "{input:?}");
    }
}

#[test]
fn tags_parse_like_flux_parse_version() {
    let cases = [
        ("v1.2.3", false),
        ("v1.0", true),
        ("v1", true),
        ("v1.2.beta", true),
        ("v1.2-5", true),
        ("v1.2-beta.5", true),
        ("\nv1.2", true),
        ("v1.2.0-x.Y.0+metadata", false),
        ("v1.2.0-x.Y.0+metadata-width-hypen", false),
        ("v1.2.3-rc1-with-hypen", false),
        ("v1.2.3.4", true),
        ("1.2.3", false),
    ];
    for (input, want_err) in cases {
        assert_eq!(Version::parse_tag(input).is_err(), want_err, "{input:?}");
    }
    assert_eq!(Version::parse_tag("v1.2.3").unwrap().original(), "v1.2.3");
}

#[test]
fn keeps_the_original_text() {
    for input in [
        "1.2.3",
        "v1.2.3",
        "1.0",
        "v1.0",
        "1",
        "v1",
        "1.2-5",
        "v1.2-5",
        "1.2-beta.5",
        "v1.2-beta.5",
        "1.2.0-x.Y.0+metadata",
        "v1.2.0-x.Y.0+metadata",
        "1.2.0-x.Y.0+metadata-width-hypen",
        "v1.2.0-x.Y.0+metadata-width-hypen",
        "1.2.3-rc1-with-hypen",
        "v1.2.3-rc1-with-hypen",
    ] {
        assert_eq!(Version::parse(input).unwrap().original(), input);
    }
}

#[test]
fn exposes_parts() {
    let v = Version::parse("1.2.3-beta.1+build.123").unwrap();
    assert_eq!((v.major(), v.minor(), v.patch()), (1, 2, 3));
    assert_eq!(v.prerelease(), "beta.1");
    assert_eq!(v.metadata(), "build.123");
    assert_eq!(Version::new(0, 1, 2, "", "").to_string(), "0.1.2");
    assert_eq!(
        Version::new(1, 2, 3, "alpha.1", "foo.bar").to_string(),
        "1.2.3-alpha.1+foo.bar"
    );
}

#[test]
fn coerces_to_canonical_strings() {
    let cases = [
        ("1.2.3", "1.2.3"),
        ("v1.2.3", "1.2.3"),
        ("1.0", "1.0.0"),
        ("v1.0", "1.0.0"),
        ("1", "1.0.0"),
        ("v1", "1.0.0"),
        ("1.2-5", "1.2.0-5"),
        ("v1.2-5", "1.2.0-5"),
        ("1.2-beta.5", "1.2.0-beta.5"),
        ("v1.2-beta.5", "1.2.0-beta.5"),
        ("1.2.0-x.Y.0+metadata", "1.2.0-x.Y.0+metadata"),
        ("v1.2.0-x.Y.0+metadata", "1.2.0-x.Y.0+metadata"),
        (
            "1.2.0-x.Y.0+metadata-width-hypen",
            "1.2.0-x.Y.0+metadata-width-hypen",
        ),
        (
            "v1.2.0-x.Y.0+metadata-width-hypen",
            "1.2.0-x.Y.0+metadata-width-hypen",
        ),
        ("1.2.3-rc1-with-hypen", "1.2.3-rc1-with-hypen"),
        ("v1.2.3-rc1-with-hypen", "1.2.3-rc1-with-hypen"),
        ("01.002.0003", "1.2.3"),
    ];
    for (input, want) in cases {
        assert_eq!(Version::parse(input).unwrap().to_string(), want, "{input}");
    }
}

fn v(s: &str) -> Version {
    Version::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn orders_by_semver_precedence() {
    let cases = [
        ("1.2.3", "1.5.1", Ordering::Less),
        ("2.2.3", "1.5.1", Ordering::Greater),
        ("2.2.3", "2.2.2", Ordering::Greater),
        ("3.2-beta", "3.2-beta", Ordering::Equal),
        ("1.3", "1.1.4", Ordering::Greater),
        ("4.2", "4.2-beta", Ordering::Greater),
        ("4.2-beta", "4.2", Ordering::Less),
        ("4.2-alpha", "4.2-beta", Ordering::Less),
        ("4.2-alpha", "4.2-alpha", Ordering::Equal),
        ("4.2-beta.2", "4.2-beta.1", Ordering::Greater),
        ("4.2-beta2", "4.2-beta1", Ordering::Greater),
        ("4.2-beta", "4.2-beta.2", Ordering::Less),
        ("4.2-beta", "4.2-beta.foo", Ordering::Less),
        ("4.2-beta.2", "4.2-beta", Ordering::Greater),
        ("4.2-beta.foo", "4.2-beta", Ordering::Greater),
        ("1.2+bar", "1.2+baz", Ordering::Equal),
        ("1.0.0-beta.4", "1.0.0-beta.-2", Ordering::Less),
        ("1.0.0-beta.-2", "1.0.0-beta.-3", Ordering::Less),
        ("1.0.0-beta.-3", "1.0.0-beta.5", Ordering::Greater),
    ];
    for (a, b, want) in cases {
        assert_eq!(v(a).cmp(&v(b)), want, "{a} vs {b}");
    }
}

#[test]
fn less_greater_and_equal_agree_with_masterminds() {
    let less = [
        ("1.2.3", "1.5.1", true),
        ("2.2.3", "1.5.1", false),
        ("3.2-beta", "3.2-beta", false),
    ];
    for (a, b, want) in less {
        assert_eq!(v(a) < v(b), want, "{a} < {b}");
    }

    let greater = [
        ("1.2.3", "1.5.1", false),
        ("2.2.3", "1.5.1", true),
        ("3.2-beta", "3.2-beta", false),
        ("3.2.0-beta.1", "3.2.0-beta.5", false),
        ("3.2-beta.4", "3.2-beta.2", true),
        ("7.43.0-SNAPSHOT.99", "7.43.0-SNAPSHOT.103", false),
        ("7.43.0-SNAPSHOT.FOO", "7.43.0-SNAPSHOT.103", true),
        ("7.43.0-SNAPSHOT.99", "7.43.0-SNAPSHOT.BAR", false),
    ];
    for (a, b, want) in greater {
        assert_eq!(v(a) > v(b), want, "{a} > {b}");
    }

    let equal = [
        ("1.2.3", "1.5.1", false),
        ("2.2.3", "1.5.1", false),
        ("3.2-beta", "3.2-beta", true),
        ("3.2-beta+foo", "3.2-beta+bar", true),
    ];
    for (a, b, want) in equal {
        assert_eq!(v(a) == v(b), want, "{a} == {b}");
    }
}

#[test]
fn validates_prerelease_and_metadata_like_masterminds() {
    let pre = [
        ("foo", None),
        ("alpha.1", None),
        ("alpha.01", Some("version segment starts with 0")),
        ("foo\u{2603}\u{fe0e}", Some("invalid")),
        ("alpha.0-1", None),
    ];
    for (p, want) in pre {
        let got = Version::parse_strict(&format!("1.2.3-{p}"));
        match want {
            None => assert!(got.is_ok(), "{p}: {got:?}"),
            Some(msg) => assert!(got.unwrap_err().to_string().contains(msg), "{p}"),
        }
    }
    let meta = [
        ("foo", true),
        ("alpha.1", true),
        ("alpha.01", true),
        ("foo\u{2603}\u{fe0e}", false),
        ("alpha.0-1", true),
        (
            "al-pha.1Phe70CgWe050H9K1mJwRUqTNQXZRERwLOEg37wpXUb4JgzgaD5YkL52ABnoyiE",
            true,
        ),
    ];
    for (m, ok) in meta {
        assert_eq!(
            Version::parse_strict(&format!("1.2.3+{m}")).is_ok(),
            ok,
            "{m}"
        );
    }
}

#[test]
fn errors_name_the_bad_input() {
    let e = Version::parse("1.2.beta").unwrap_err().to_string();
    assert_eq!(e, "invalid version \"1.2.beta\": invalid semantic version");
    let e = Version::parse_strict("1.2.3-alpha.01")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("1.2.3-alpha.01") && e.contains("starts with 0"),
        "{e}"
    );
    let e = Version::parse("99999999999999999999.0.0")
        .unwrap_err()
        .to_string();
    assert!(e.contains("99999999999999999999"), "{e}");
}

#[test]
fn equal_versions_hash_alike() {
    use std::collections::HashSet;
    let set: HashSet<Version> = ["1.2.3+a", "1.2.3+b", "v1.2.3"]
        .iter()
        .map(|s| v(s))
        .collect();
    assert_eq!(set.len(), 1);
}
