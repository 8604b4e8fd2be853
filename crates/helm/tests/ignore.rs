//! `.helmignore` rules, with Helm's own rule table (pkg/ignore/rules_test.go) and the
//! chartutil fixture whose sub-chart files a parent's `.helmignore` removes.

mod common;

use helm::ignore::Rules;

#[test]
fn matches_helms_rule_table() {
    let dirs = ["cargo", "cargo/", "mast/", "templates"];
    let cases: &[(&str, &str, bool)] = &[
        ("helm.txt", "helm.txt", true),
        ("helm.*", "helm.txt", true),
        ("helm.*", "rudder.txt", false),
        ("*.txt", "tiller.txt", true),
        ("*.txt", "cargo/a.txt", true),
        ("cargo/*.txt", "cargo/a.txt", true),
        ("cargo/*.*", "cargo/a.txt", true),
        ("cargo/*.txt", "mast/a.txt", false),
        ("ru[c-e]?er.txt", "rudder.txt", true),
        ("templates/.?*", "templates/.dotfile", true),
        (".*", ".", false),
        (".*", "./", false),
        (".*", ".joonix", true),
        (".*", "helm.txt", false),
        (".*", "", false),
        ("cargo/", "cargo", true),
        ("cargo/", "cargo/", true),
        ("cargo/", "mast/", false),
        ("helm.txt/", "helm.txt", false),
        ("!helm.txt", "helm.txt", false),
        ("!helm.txt", "tiller.txt", true),
        ("!*.txt", "cargo", true),
        ("!cargo/", "mast/", true),
        ("/a.txt", "a.txt", true),
        ("/a.txt", "cargo/a.txt", false),
        ("/cargo/a.txt", "cargo/a.txt", true),
    ];
    for (pattern, name, expect) in cases {
        let rules = Rules::parse(pattern).unwrap();
        let is_dir = dirs.contains(name);
        assert_eq!(
            rules.ignore(name, is_dir),
            *expect,
            "pattern {pattern:?} name {name:?}"
        );
    }
}

#[test]
fn refuses_double_star_and_bad_patterns() {
    assert_eq!(
        Rules::parse("a/**/b").unwrap_err().to_string(),
        "double-star (**) syntax is not supported"
    );
    assert_eq!(
        Rules::parse("[").unwrap_err().to_string(),
        "syntax error in pattern"
    );
}

#[test]
fn skips_comments_blank_lines_and_a_bom() {
    let rules = Rules::parse("\u{feff}# comment\n\n  *.bak  \r\n").unwrap();
    assert!(rules.ignore("x.bak", false));
    assert!(!rules.ignore("x.txt", false));
}

#[test]
fn default_rule_ignores_template_dot_files() {
    let mut rules = Rules::empty();
    rules.add_defaults();
    assert!(rules.ignore("templates/.swp", false));
    assert!(!rules.ignore("templates/a.yaml", false));
    assert!(!rules.ignore(".helmignore", false));
}

#[test]
fn parent_helmignore_applies_to_subchart_directories() {
    let dir = common::chartutil_testdata().join("dependent-chart-helmignore");
    let c = helm::loader::load(&dir, &helm::loader::Limits::default()).unwrap();
    // `.helmignore` there has `charts/` with `!charts/subchart` style rules; Helm keeps
    // exactly these sub-charts:
    let mut names: Vec<&str> = c.dependencies.iter().map(|d| d.name()).collect();
    names.sort();
    let expected = common::expected_lines("load.jsonl")
        .into_iter()
        .find(|l| {
            l["path"]
                .as_str()
                .unwrap()
                .ends_with("dependent-chart-helmignore")
        })
        .unwrap();
    let want: Vec<&str> = expected["chart"]["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, want);
}
