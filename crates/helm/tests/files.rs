//! `.Files` data behaves as Helm's `engine.files`: Get, GetBytes, Glob (gobwas/glob with
//! `/` separator), Lines, AsConfig, AsSecrets.

use helm::File;
use helm::files::Files;

fn files() -> Files {
    Files::new(&[
        File::new("README.md", "# readme\n"),
        File::new("config/a.yaml", "a: 1\n"),
        File::new("config/b.yml", "b: 2"),
        File::new("config/nested/c.yaml", "c: 3\n"),
        File::new("data/lines.txt", "one\ntwo\n\nthree\n"),
        File::new("data/bin", vec![0u8, 159, 146, 150]),
    ])
}

#[test]
fn get_and_get_bytes() {
    let f = files();
    assert_eq!(f.get("config/a.yaml"), "a: 1\n");
    assert_eq!(f.get("missing"), "");
    assert_eq!(f.get_bytes("data/bin"), &[0u8, 159, 146, 150]);
    assert_eq!(f.get_bytes("missing"), b"");
}

#[test]
fn glob_uses_slash_as_separator() {
    let f = files();
    let names = |g: &Files| g.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>();
    assert_eq!(
        names(&f.glob("config/*")),
        ["config/a.yaml", "config/b.yml"]
    );
    assert_eq!(
        names(&f.glob("config/**")),
        ["config/a.yaml", "config/b.yml", "config/nested/c.yaml"]
    );
    assert_eq!(
        names(&f.glob("**.{yaml,yml}")),
        ["config/a.yaml", "config/b.yml", "config/nested/c.yaml"]
    );
    assert_eq!(names(&f.glob("*.md")), ["README.md"]);
    assert_eq!(names(&f.glob("config/?.yaml")), ["config/a.yaml"]);
    assert_eq!(names(&f.glob("config/[!a].y*")), ["config/b.yml"]);
    // A pattern that does not compile matches everything, as in Helm.
    assert_eq!(f.glob("config/{a").len(), 6);
}

#[test]
fn lines_drop_one_trailing_newline() {
    let f = files();
    assert_eq!(f.lines("data/lines.txt"), ["one", "two", "", "three"]);
    assert_eq!(f.lines("config/b.yml"), ["b: 2"]);
    assert!(f.lines("missing").is_empty());
}

#[test]
fn as_config_and_as_secrets_key_by_base_name() {
    let f = files().glob("config/*");
    assert_eq!(f.as_config(), "a.yaml: |\n  a: 1\nb.yml: 'b: 2'");
    assert_eq!(f.as_secrets(), "a.yaml: YTogMQo=\nb.yml: YjogMg==");
    assert_eq!(Files::default().as_config(), "{}");
}
