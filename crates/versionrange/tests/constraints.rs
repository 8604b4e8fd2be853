//! Cases from Masterminds/semver v3 constraints_test.go (TestNewConstraint,
//! TestConstraintsCheck, TestConstraintsCheckIncludePrerelease, TestConstraintsValidate,
//! TestConstraintsValidateIncludePrerelease, TestConstraintString, TestTextMarshalConstraints)
//! and the selection rule of fluxcd/pkg git/gogit clone.go (cloneSemVer).

use versionrange::{Constraint, Version, latest_matching, latest_matching_by};

fn v(s: &str) -> Version {
    Version::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

fn strict(s: &str) -> Version {
    Version::parse_strict(s).unwrap_or_else(|e| panic!("{e}"))
}

fn c(s: &str) -> Constraint {
    Constraint::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn parses_constraint_strings_like_new_constraint() {
    // (input, alternatives, comparators in the first alternative) or None for an error.
    let cases: &[(&str, Option<(usize, usize)>)] = &[
        (">= 1.1", Some((1, 1))),
        (">40.50.60, < 50.70", Some((1, 2))),
        ("2.0", Some((1, 1))),
        ("v2.3.5-20161202202307-sha.e8fc5e5", Some((1, 1))),
        (">= bar", None),
        ("BAR >= 1.2.3", None),
        (">= 1.2.3 < 2.0", Some((1, 2))),
        (">= 1.2.3 < 2.0 || => 3.0 < 4", Some((2, 2))),
        (">= 1.2.3, < 2.0", Some((1, 2))),
        (">= 1.2.3, < 2.0 || => 3.0, < 4", Some((2, 2))),
        ("3 - 4 || => 3.0, < 4", Some((2, 2))),
        ("12.3.4.1234", None),
        ("12.23.4.1234", None),
        ("12.3.34.1234", None),
        ("12.3.34 ~1.2.3", Some((1, 2))),
        ("12.3.34~ 1.2.3", None),
        ("1.0.0 - 2.0.0, <=2.0.0", Some((1, 3))),
        ("", None),
        ("||", None),
        ("1.2.3 ||", None),
    ];
    for (input, want) in cases {
        match (Constraint::parse(input), want) {
            (Ok(got), Some((ors, count))) => {
                assert_eq!(got.alternatives(), *ors, "{input}");
                assert_eq!(got.comparators_per_alternative()[0], *count, "{input}");
            }
            (Err(_), None) => {}
            (got, want) => panic!("{input}: got {got:?}, want {want:?}"),
        }
    }
}

/// TestConstraintsCheck; the bool after the version is the answer without
/// IncludePrerelease, the last one the answer with it (TestConstraintsCheckIncludePrerelease
/// lists the same cases; only the pre-release ones differ).
const CHECKS: &[(&str, &str, bool)] = &[
    ("*", "1.2.3", true),
    ("~0.0.0", "1.2.3", true),
    ("0.x.x", "1.2.3", false),
    ("0.0.x", "1.2.3", false),
    ("0.0.0", "1.2.3", false),
    ("^0.0.0", "1.2.3", false),
    ("= 2.0", "1.2.3", false),
    ("= 2.0", "2.0.0", true),
    ("4.1", "4.1.0", true),
    ("4.1.x", "4.1.3", true),
    ("1.x", "1.4", true),
    ("!=4.1", "4.1.0", false),
    ("!=4.1-alpha", "4.1.0-alpha", false),
    ("!=4.1-alpha", "4.1.1-alpha", false),
    ("!=4.1-alpha", "4.1.0", true),
    ("!=4.1", "5.1.0", true),
    ("!=4.x", "5.1.0", true),
    ("!=4.x", "4.1.0", false),
    ("!=4.1.x", "4.2.0", true),
    ("!=4.2.x", "4.2.3", false),
    (">1.1", "4.1.0", true),
    (">1.1", "1.1.0", false),
    ("<1.1", "0.1.0", true),
    ("<1.1", "1.1.0", false),
    ("<1.1", "1.1.1", false),
    ("<1.x", "1.1.1", false),
    ("<1.x", "0.1.1", true),
    ("<1.x", "2.0.0", false),
    ("<1.1.x", "1.2.1", false),
    ("<1.1.x", "1.1.500", false),
    ("<1.1.x", "1.0.500", true),
    ("<1.2.x", "1.1.1", true),
    (">=1.1", "4.1.0", true),
    (">=1.1", "1.1.0", true),
    (">=1.1", "0.0.9", false),
    ("<=1.1", "0.1.0", true),
    ("<=1.1-a", "0.1.0-alpha", true),
    ("<=1.1", "1.1.0", true),
    ("<=1.x", "1.1.0", true),
    ("<=2.x", "3.0.0", false),
    ("<=1.1", "1.1.1", true),
    ("<=1.1.x", "1.2.500", false),
    ("<=4.5", "3.4.0", true),
    ("<=4.5", "3.7.0", true),
    ("<=4.5", "4.6.3", false),
    (">1.1, <2", "1.1.1", false),
    (">1.1, <2", "1.2.1", true),
    (">1.1, <3", "4.3.2", false),
    (">=1.1, <2, !=1.2.3", "1.2.3", false),
    (">1.1 <2", "1.1.1", false),
    (">1.1 <2", "1.2.1", true),
    (">1.1    <3", "4.3.2", false),
    (">=1.1    <2    !=1.2.3", "1.2.3", false),
    (">=1.1, <2, !=1.2.3 || > 3", "4.1.2", true),
    (">=1.1, <2, !=1.2.3 || > 3", "3.1.2", false),
    (">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", true),
    (">=1.1, <2, !=1.2.3 || > 3", "3.0.0", false),
    (">=1.1, <2, !=1.2.3 || > 3", "1.2.3", false),
    (">=1.1 <2 !=1.2.3", "1.2.3", false),
    (">=1.1 <2 !=1.2.3 || > 3", "4.1.2", true),
    (">=1.1 <2 !=1.2.3 || > 3", "3.1.2", false),
    (">=1.1 <2 !=1.2.3 || >= 3", "3.0.0", true),
    (">=1.1 <2 !=1.2.3 || > 3", "3.0.0", false),
    (">=1.1 <2 !=1.2.3 || > 3", "1.2.3", false),
    ("> 1.1, <     2", "1.1.1", false),
    (">   1.1, <2", "1.2.1", true),
    (">1.1, <  3", "4.3.2", false),
    (">= 1.1, <     2, !=1.2.3", "1.2.3", false),
    ("> 1.1 < 2", "1.1.1", false),
    (">1.1 < 2", "1.2.1", true),
    ("> 1.1    <3", "4.3.2", false),
    (">=1.1    < 2    != 1.2.3", "1.2.3", false),
    (">= 1.1, <2, !=1.2.3 || > 3", "4.1.2", true),
    (">= 1.1, <2, != 1.2.3 || > 3", "3.1.2", false),
    (">= 1.1, <2, != 1.2.3 || >= 3", "3.0.0", true),
    (">= 1.1, <2, !=1.2.3 || > 3", "3.0.0", false),
    (">= 1.1, <2, !=1.2.3 || > 3", "1.2.3", false),
    (">= 1.1 <2 != 1.2.3", "1.2.3", false),
    (">= 1.1 <2 != 1.2.3 || > 3", "4.1.2", true),
    (">= 1.1 <2 != 1.2.3 || > 3", "3.1.2", false),
    (">= 1.1 <2 != 1.2.3 || >= 3", "3.0.0", true),
    (">= 1.1 < 2 !=1.2.3 || > 3", "3.0.0", false),
    (">=1.1 < 2 !=1.2.3 || > 3", "1.2.3", false),
    (">= 1.0.0  <= 2.0.0-beta", "1.0.1-beta", true),
    (">= 1.0.0  <= 2.0.0-beta", "1.0.1", true),
    (">= 1.0.0  <= 2.0.0-beta", "3.0.0", false),
    (">= 1.0.0  <= 2.0.0-beta || > 3", "1.0.1-beta", true),
    (">= 1.0.0  <= 2.0.0-beta || > 3", "3.0.1-beta", false),
    (
        ">= 1.0.0  <= 2.0.0-beta != 1.0.1 || > 3",
        "1.0.1-beta",
        true,
    ),
    (
        ">= 1.0.0  <= 2.0.0-beta != 1.0.1-beta || > 3",
        "1.0.1-beta",
        false,
    ),
    (">= 1.0.0-0  <= 2.0.0", "1.0.1-beta", true),
    ("1.1 - 2", "1.1.1", true),
    ("1.5.0 - 4.5", "3.7.0", true),
    ("1.1-3", "4.3.2", false),
    ("^1.1", "1.1.1", true),
    ("^1.1", "4.3.2", false),
    ("^1.x", "1.1.1", true),
    ("^2.x", "1.1.1", false),
    ("^1.x", "2.1.1", false),
    ("^1.1.2-alpha", "1.2.1-beta1", true),
    ("^1.2.x-alpha", "1.1.1-beta1", false),
    ("^0.0.1", "0.0.1", true),
    ("^0.0.1", "0.3.1", false),
    ("~*", "2.1.1", true),
    ("~1", "2.1.1", false),
    ("~1", "1.3.5", true),
    ("~1", "1.4", true),
    ("~1.x", "2.1.1", false),
    ("~1.x", "1.3.5", true),
    ("~1.x", "1.4", true),
    ("~1.1", "1.1.1", true),
    ("~1.1-alpha", "1.1.1-beta", true),
    ("~1.1.1-beta", "1.1.1-alpha", false),
    ("~1.1.1-beta", "1.1.1", true),
    ("~1.2.3", "1.2.5", true),
    ("~1.2.3", "1.2.2", false),
    ("~1.2.3", "1.3.2", false),
    ("~1.1", "1.2.3", false),
    ("~1.3", "2.4.5", false),
    // Ranges work together with other comparators ANDed to them.
    ("1.0.0 - 2.0.0 <=2.0.0", "1.5.0", true),
    ("1.0.0 - 2.0.0, <=2.0.0", "1.5.0", true),
];

#[test]
fn checks_versions_like_constraints_check() {
    let mut cases: Vec<(&str, &str, bool)> = CHECKS.to_vec();
    // Only in TestConstraintsCheck: pre-releases the constraint does not ask for.
    cases.extend([
        (">=1.1", "4.1.0-beta", false),
        ("<=1.1", "0.1.0-alpha", false),
        ("^1.x", "1.1.1-beta1", false),
        ("~1.1", "1.1.1-alpha", false),
    ]);
    for (constraint, version, want) in cases {
        assert_eq!(
            c(constraint).check(&v(version)),
            want,
            "{constraint:?} {version:?}"
        );
    }
}

#[test]
fn include_prerelease_lets_prereleases_through() {
    let mut cases: Vec<(&str, &str, bool)> = CHECKS.to_vec();
    cases.extend([
        (">=1.1", "4.1.0-beta", true),
        (">1.1", "4.1.0-beta", true),
        ("<=1.1", "0.1.0-alpha", true),
        ("<1.1", "0.1.0-alpha", true),
        ("^1.x", "1.1.1-beta1", true),
        ("~1.1", "1.1.1-alpha", true),
        ("*", "1.2.3-alpha", true),
        ("= 2.0", "2.0.1-beta", true),
    ]);
    for (constraint, version, want) in cases {
        let con = c(constraint).with_include_prerelease(true);
        assert_eq!(con.check(&v(version)), want, "{constraint:?} {version:?}");
    }
}

const VALIDATES: &[(&str, &str, bool)] = &[
    ("*", "1.2.3", true),
    ("~0.0.0", "1.2.3", true),
    ("= 2.0", "1.2.3", false),
    ("= 2.0", "2.0.0", true),
    ("4.1", "4.1.0", true),
    ("4.1.x", "4.1.3", true),
    ("1.x", "1.4", true),
    ("!=4.1", "4.1.0", false),
    ("!=4.1", "5.1.0", true),
    ("!=4.x", "5.1.0", true),
    ("!=4.x", "4.1.0", false),
    ("!=4.1.x", "4.2.0", true),
    ("!=4.2.x", "4.2.3", false),
    (">1.1", "4.1.0", true),
    (">1.1", "1.1.0", false),
    ("<1.1", "0.1.0", true),
    ("<1.1", "1.1.0", false),
    ("<1.1", "1.1.1", false),
    ("<1.x", "1.1.1", false),
    ("<2.x", "1.1.1", true),
    ("<1.x", "2.1.1", false),
    ("<1.1.x", "1.2.1", false),
    ("<1.1.x", "1.1.500", false),
    ("<1.2.x", "1.1.1", true),
    (">=1.1", "4.1.0", true),
    (">=1.1", "1.1.0", true),
    (">=1.1", "0.0.9", false),
    ("<=1.1", "0.1.0", true),
    ("<=1.1", "1.1.0", true),
    ("<=1.x", "1.1.0", true),
    ("<=2.x", "3.1.0", false),
    ("<=1.1", "1.1.1", true),
    ("<=1.1.x", "1.2.500", false),
    (">1.1, <2", "1.1.1", false),
    (">1.1, <2", "1.2.1", true),
    (">1.1, <3", "4.3.2", false),
    (">=1.1, <2, !=1.2.3", "1.2.3", false),
    (">=1.1, <2, !=1.2.3 || > 3", "3.1.2", false),
    (">=1.1, <2, !=1.2.3 || > 3", "4.1.2", true),
    (">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", true),
    (">=1.1, <2, !=1.2.3 || > 3", "3.0.0", false),
    (">=1.1, <2, !=1.2.3 || > 3", "1.2.3", false),
    ("1.1 - 2", "1.1.1", true),
    ("1.1-3", "4.3.2", false),
    ("^1.1", "1.1.1", true),
    ("^1.1.1-alpha", "1.1.1-beta", true),
    ("^1.1.1-beta", "1.1.1-alpha", false),
    ("^1.1", "4.3.2", false),
    ("^1.x", "1.1.1", true),
    ("^2.x", "1.1.1", false),
    ("^1.x", "2.1.1", false),
    ("^0.0.1", "0.1.3", false),
    ("^0.0.1", "0.0.1", true),
    ("~*", "2.1.1", true),
    ("~1", "2.1.1", false),
    ("~1", "1.3.5", true),
    ("~1.x", "2.1.1", false),
    ("~1.x", "1.3.5", true),
    ("~1.3.6-alpha", "1.3.5-beta", false),
    ("~1.3.5-alpha", "1.3.5-beta", true),
    ("~1.3.5-beta", "1.3.5-alpha", false),
    ("~1.x", "1.4", true),
    ("~1.1", "1.1.1", true),
    ("~1.2.3", "1.2.5", true),
    ("~1.2.3", "1.2.2", false),
    ("~1.2.3", "1.3.2", false),
    ("~1.1", "1.2.3", false),
    ("~1.3", "2.4.5", false),
];

/// TestConstraintsValidate's message table; messages are the same with
/// IncludePrerelease except for the last one.
const MESSAGES: &[(&str, &str, &str)] = &[
    ("2.x", "1.2.3", "1.2.3 is less than 2.x"),
    ("2", "1.2.3", "1.2.3 is less than 2"),
    ("= 2.0", "1.2.3", "1.2.3 is less than 2.0"),
    ("!=4.1", "4.1.0", "4.1.0 is equal to 4.1"),
    ("!=4.x", "4.1.0", "4.1.0 is equal to 4.x"),
    ("!=4.2.x", "4.2.3", "4.2.3 is equal to 4.2.x"),
    (">1.1", "1.1.0", "1.1.0 is less than or equal to 1.1"),
    ("<1.1", "1.1.0", "1.1.0 is greater than or equal to 1.1"),
    ("<1.1", "1.1.1", "1.1.1 is greater than or equal to 1.1"),
    ("<1.x", "2.1.1", "2.1.1 is greater than or equal to 1.x"),
    ("<1.1.x", "1.2.1", "1.2.1 is greater than or equal to 1.1.x"),
    (">=1.1", "0.0.9", "0.0.9 is less than 1.1"),
    ("<=2.x", "3.1.0", "3.1.0 is greater than 2.x"),
    ("<=1.1", "1.2.1", "1.2.1 is greater than 1.1"),
    ("<=1.1.x", "1.2.500", "1.2.500 is greater than 1.1.x"),
    (">1.1, <3", "4.3.2", "4.3.2 is greater than or equal to 3"),
    (">=1.1, <2, !=1.2.3", "1.2.3", "1.2.3 is equal to 1.2.3"),
    (
        ">=1.1, <2, !=1.2.3 || > 3",
        "3.0.0",
        "3.0.0 is greater than or equal to 2",
    ),
    (
        ">=1.1, <2, !=1.2.3 || > 3",
        "1.2.3",
        "1.2.3 is equal to 1.2.3",
    ),
    ("1.1 - 3", "4.3.2", "4.3.2 is greater than 3"),
    (
        "^1.1",
        "4.3.2",
        "4.3.2 does not have same major version as 1.1",
    ),
    ("^1.12.7", "1.6.6", "1.6.6 is less than 1.12.7"),
    ("^2.x", "1.1.1", "1.1.1 is less than 2.x"),
    (
        "^1.x",
        "2.1.1",
        "2.1.1 does not have same major version as 1.x",
    ),
    (
        "^0.2",
        "0.3.0",
        "0.3.0 does not have same minor version as 0.2. Expected minor versions to match when constraint major version is 0",
    ),
    ("^0.2", "0.1.1", "0.1.1 is less than 0.2"),
    (
        "^0.0.3",
        "0.1.1",
        "0.1.1 does not have same minor version as 0.0.3",
    ),
    (
        "^0.0.3",
        "0.0.4",
        "0.0.4 does not equal 0.0.3. Expect version and constraint to equal when major and minor versions are 0",
    ),
    ("^0.0.3", "0.0.2", "0.0.2 is less than 0.0.3"),
    ("~1", "2.1.2", "2.1.2 does not have same major version as 1"),
    (
        "~1.x",
        "2.1.1",
        "2.1.1 does not have same major version as 1.x",
    ),
    ("~1.2.3", "1.2.2", "1.2.2 is less than 1.2.3"),
    (
        "~1.2.3",
        "1.3.2",
        "1.3.2 does not have same major and minor version as 1.2.3",
    ),
    (
        "~1.1",
        "1.2.3",
        "1.2.3 does not have same major and minor version as 1.1",
    ),
    (
        "~1.3",
        "2.4.5",
        "2.4.5 does not have same major version as 1.3",
    ),
];

fn assert_validates(include_pre: bool, extra: &[(&str, &str, bool)]) {
    for (constraint, version, want) in VALIDATES.iter().chain(extra) {
        let con = c(constraint).with_include_prerelease(include_pre);
        let got = con.validate(&v(version));
        assert_eq!(got.is_ok(), *want, "{constraint:?} {version:?}");
        if let Err(reasons) = got {
            assert!(!reasons.is_empty(), "{constraint:?} failed without reasons");
        }
    }
    let con = c("!= 1.2.5, ^2, <= 1.1.x").with_include_prerelease(include_pre);
    assert_eq!(
        con.validate(&strict("1.2.3")).unwrap_err(),
        vec!["1.2.3 is less than 2", "1.2.3 is greater than 1.1.x"]
    );
    for (constraint, version, msg) in MESSAGES {
        let con = c(constraint).with_include_prerelease(include_pre);
        let reasons = con.validate(&strict(version)).unwrap_err();
        assert_eq!(reasons[0], *msg, "{constraint:?} {version:?}");
    }
}

#[test]
fn validate_explains_refusals() {
    assert_validates(
        false,
        &[
            ("^1.1", "1.1.1-alpha", false),
            ("~1", "1.3.5-beta", false),
            ("~1.x", "1.3.5-beta", false),
        ],
    );
    let reasons = c("> 1.2.3").validate(&strict("1.2.3-beta.1")).unwrap_err();
    assert_eq!(
        reasons,
        vec![
            "1.2.3-beta.1 is a prerelease version and the constraint is only looking for release versions"
        ]
    );
}

#[test]
fn validate_with_prereleases_included() {
    assert_validates(
        true,
        &[
            ("^1.1", "1.1.1-alpha", true),
            ("~1", "1.3.5-beta", true),
            ("~1.x", "1.3.5-beta", true),
            (">=1.1", "4.1.0-beta", true),
            (">1.1", "4.1.0-beta", true),
            ("<=1.1", "0.1.0-alpha", true),
            ("<1.1", "0.1.0-alpha", true),
            ("^1.x", "1.1.1-beta1", true),
            ("~1.1", "1.1.1-alpha", true),
            ("*", "1.2.3-alpha", true),
            ("= 2.0", "2.0.1-beta", true),
        ],
    );
    let cases = [
        (
            "> 1.2.3",
            "1.2.3-beta.1",
            "1.2.3-beta.1 is less than or equal to 1.2.3",
        ),
        (
            "< 1.2.3",
            "1.2.4-beta.1",
            "1.2.4-beta.1 is greater than or equal to 1.2.3",
        ),
        (
            ">= 1.2.3",
            "1.2.3-beta.1",
            "1.2.3-beta.1 is less than 1.2.3",
        ),
        (
            "<= 1.2.3",
            "1.2.4-beta.1",
            "1.2.4-beta.1 is greater than 1.2.3",
        ),
    ];
    for (constraint, version, msg) in cases {
        let con = c(constraint).with_include_prerelease(true);
        assert_eq!(con.validate(&strict(version)).unwrap_err()[0], msg);
    }
}

#[test]
fn prints_normalised_constraints() {
    let cases = [
        ("*", "*"),
        (">=1.2.3", ">=1.2.3"),
        (">= 1.2.3", ">=1.2.3"),
        (
            "2.x,   >=1.2.3 || >4.5.6, < 5.7",
            "2.x >=1.2.3 || >4.5.6 <5.7",
        ),
        (
            "2.x,   >=1.2.3 || >4.5.6, < 5.7 || >40.50.60, < 50.70",
            "2.x >=1.2.3 || >4.5.6 <5.7 || >40.50.60 <50.70",
        ),
        ("1.2", "1.2"),
        ("1.2.3", "1.2.3"),
        ("<=1.2.3", "<=1.2.3"),
        ("1 <=1.2.3", "1 <=1.2.3"),
        ("1, <=1.2.3", "1 <=1.2.3"),
        (">1, <=1.2.3", ">1 <=1.2.3"),
        ("> 1 , <=1.2.3", ">1 <=1.2.3"),
        ("> 1 <=1.2.3", ">1 <=1.2.3"),
    ];
    for (input, want) in cases {
        let printed = c(input).to_string();
        assert_eq!(printed, want, "{input}");
        Constraint::parse(&printed).unwrap();
    }
}

#[test]
fn constraint_errors_name_the_bad_input() {
    let e = Constraint::parse(">= 1.2 || >= bar")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "improper constraint:  >= bar");
}

#[test]
fn picks_the_highest_matching_tag() {
    let con = c(">=1.0.0 <2.0.0");
    let tags = [
        "v0.9.0",
        "v1.0.0",
        "v1.4.2",
        "1.9.9-rc.1",
        "v2.0.0",
        "latest",
        "v1.3",
        "v1.10.0",
    ];
    let (tag, version) = latest_matching(&con, tags.into_iter()).unwrap();
    assert_eq!(tag, "v1.10.0");
    assert_eq!(version, v("1.10.0"));
    // Partial versions are not tags Flux considers.
    assert_eq!(latest_matching(&c("~1.3"), ["v1.3"].into_iter()), None);
    assert_eq!(latest_matching(&c(">=3"), tags.into_iter()), None);
    // A pre-release tag only wins when the constraint asks for pre-releases.
    let (tag, _) = latest_matching(&c(">=1.9.9-0 <1.10.0"), tags.into_iter()).unwrap();
    assert_eq!(tag, "1.9.9-rc.1");
}

#[test]
fn equal_versions_keep_the_first_tag_or_the_latest_key() {
    let con = c("1.x");
    let (tag, _) = latest_matching(&con, ["1.2.0+b", "v1.2.0", "1.2.0+a"].into_iter()).unwrap();
    assert_eq!(tag, "1.2.0+b");
    let timed = [
        ("1.2.0+b", 10),
        ("v1.2.0", 30),
        ("1.2.0+a", 20),
        ("1.1.0", 99),
    ];
    let (tag, _) = latest_matching_by(&con, timed.into_iter()).unwrap();
    assert_eq!(tag, "v1.2.0");
}
