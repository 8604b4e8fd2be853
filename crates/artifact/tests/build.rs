//! Building artifacts: determinism, normalised headers, ignore rules, symlinks.

use std::fs;
use std::io::Read;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::time::{Duration, SystemTime};

use artifact::{DIR_MODE, EXE_FILE_MODE, Error, FILE_MODE, Filter, build};
use flate2::read::GzDecoder;

fn write(root: &Path, rel: &str, content: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

struct Entry {
    name: String,
    kind: tar::EntryType,
    mode: u32,
    uid: u64,
    gid: u64,
    mtime: u64,
    user: Vec<u8>,
    content: Vec<u8>,
}

fn entries(tgz: &[u8]) -> Vec<Entry> {
    let mut archive = tar::Archive::new(GzDecoder::new(tgz));
    let mut out = Vec::new();
    for e in archive.entries().unwrap() {
        let mut e = e.unwrap();
        let h = e.header().clone();
        let mut content = Vec::new();
        e.read_to_end(&mut content).unwrap();
        out.push(Entry {
            name: String::from_utf8(e.path_bytes().into_owned()).unwrap(),
            kind: h.entry_type(),
            mode: h.mode().unwrap(),
            uid: h.uid().unwrap(),
            gid: h.gid().unwrap(),
            mtime: h.mtime().unwrap(),
            user: h.username_bytes().unwrap_or_default().to_vec(),
            content,
        });
    }
    out
}

fn names(tgz: &[u8]) -> Vec<String> {
    entries(tgz).into_iter().map(|e| e.name).collect()
}

fn archive(root: &Path, filter: &Filter) -> Vec<u8> {
    let mut out = Vec::new();
    build(root, filter, &mut out).unwrap();
    out
}

fn sample(root: &Path) {
    write(root, "a/b.txt", "b");
    write(root, "a.txt", "a");
    write(root, "z/deep/er/file.yaml", "kind: X\n");
    write(root, "run.sh", "#!/bin/sh\n");
    fs::set_permissions(root.join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn same_tree_gives_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    sample(dir.path());
    let filter = Filter::source_ignore(vec![]);
    assert_eq!(archive(dir.path(), &filter), archive(dir.path(), &filter));
}

#[test]
fn mtimes_owners_and_umask_do_not_change_the_digest() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    sample(one.path());
    sample(two.path());
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    for rel in ["a/b.txt", "a.txt", "run.sh"] {
        let f = fs::File::options()
            .write(true)
            .open(two.path().join(rel))
            .unwrap();
        f.set_modified(old).unwrap();
    }
    fs::set_permissions(two.path().join("a.txt"), fs::Permissions::from_mode(0o664)).unwrap();
    fs::set_permissions(two.path().join("run.sh"), fs::Permissions::from_mode(0o711)).unwrap();
    fs::set_permissions(two.path().join("a"), fs::Permissions::from_mode(0o777)).unwrap();
    // Changing owners needs root; the test runs as whoever runs it, so try and move on.
    let _ = std::os::unix::fs::chown(two.path().join("a.txt"), Some(1234), Some(5678));

    let filter = Filter::none();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    let sx = build(one.path(), &filter, &mut x).unwrap();
    let sy = build(two.path(), &filter, &mut y).unwrap();
    assert_eq!(sx.digest, sy.digest);
    assert_eq!(x, y);
}

#[test]
fn entries_follow_walk_order_with_normalised_headers() {
    let dir = tempfile::tempdir().unwrap();
    sample(dir.path());
    let tgz = archive(dir.path(), &Filter::none());
    let got = entries(&tgz);
    let listed: Vec<&str> = got.iter().map(|e| e.name.as_str()).collect();
    // filepath.Walk order: "a" is walked (with its children) before "a.txt".
    assert_eq!(
        listed,
        [
            ".",
            "a",
            "a/b.txt",
            "a.txt",
            "run.sh",
            "z",
            "z/deep",
            "z/deep/er",
            "z/deep/er/file.yaml"
        ]
    );
    for e in &got {
        assert_eq!((e.uid, e.gid, e.mtime), (0, 0, 0), "{}", e.name);
        assert!(e.user.is_empty(), "{}", e.name);
        let want = match (e.kind, e.name.as_str()) {
            (tar::EntryType::Directory, _) => DIR_MODE,
            (_, "run.sh") => EXE_FILE_MODE,
            _ => FILE_MODE,
        };
        assert_eq!(e.mode, want, "{}", e.name);
    }
    assert_eq!(got[2].content, b"b");
}

#[test]
fn summary_digest_and_size_describe_the_written_bytes() {
    let dir = tempfile::tempdir().unwrap();
    sample(dir.path());
    let mut out = Vec::new();
    let s = build(dir.path(), &Filter::none(), &mut out).unwrap();
    assert_eq!(s.size, out.len() as u64);
    assert_eq!(s.digest.verify(&out[..]).unwrap(), s.size);
    assert!(s.digest.to_string().starts_with("sha256:"));
    assert_eq!((s.files, s.dirs), (4, 5));
}

#[test]
fn symlinks_are_skipped_never_followed() {
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret/key", "do not archive");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app.yaml", "ok");
    symlink(outside.path().join("secret/key"), dir.path().join("key")).unwrap();
    symlink(outside.path().join("secret"), dir.path().join("secret-dir")).unwrap();
    symlink("app.yaml", dir.path().join("alias.yaml")).unwrap();
    symlink("/nonexistent", dir.path().join("dangling")).unwrap();
    let tgz = archive(dir.path(), &Filter::none());
    assert_eq!(names(&tgz), [".", "app.yaml"]);
}

#[test]
fn special_files_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app.yaml", "ok");
    let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("sock")).unwrap();
    assert_eq!(
        names(&archive(dir.path(), &Filter::none())),
        [".", "app.yaml"]
    );
}

#[test]
fn refuses_a_root_that_is_not_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "file", "x");
    symlink(dir.path().join("sub"), dir.path().join("link")).unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    for p in ["file", "link", "missing"] {
        let err = build(&dir.path().join(p), &Filter::none(), Vec::new()).unwrap_err();
        assert!(
            matches!(err, Error::NotADirectory(_) | Error::Io { .. }),
            "{p}: {err}"
        );
        assert!(err.to_string().contains(p), "{err}");
    }
}

#[test]
fn long_paths_survive() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!(
        "{}/{}/{}.yaml",
        "d".repeat(120),
        "e".repeat(150),
        "f".repeat(100)
    );
    write(dir.path(), &long, "deep");
    let got = entries(&archive(dir.path(), &Filter::none()));
    let last = got.last().unwrap();
    assert_eq!(last.name, long);
    assert_eq!(last.content, b"deep");
}

#[test]
fn default_excludes_apply_without_ignore_rules() {
    let dir = tempfile::tempdir().unwrap();
    for f in [
        ".git/config",
        ".gitignore",
        ".gitmodules",
        ".github/workflows/ci.yaml",
        "logo.png",
        "docs/photo.JPG",
        "docs/photo.jpg",
        "release.tar.gz",
        "deploy/.sops.yaml",
        ".travis.yml",
        "sub/.travis.yml",
        "app.yaml",
    ] {
        write(dir.path(), f, "x");
    }
    let filter = Filter::for_git_repository(dir.path(), None).unwrap();
    let got = names(&archive(dir.path(), &filter));
    // `.travis.yml` has no slash, so like any gitignore name it matches at any depth.
    assert_eq!(
        got,
        [".", "app.yaml", "deploy", "docs", "docs/photo.JPG", "sub"]
    );
}

#[test]
fn a_sourceignore_replaces_the_defaults_but_not_vcs_excludes() {
    // Flux's storage test "custom": with a pattern given, horse.jpg is archived.
    let dir = tempfile::tempdir().unwrap();
    for f in [".git/config", "custom", "horse.jpg"] {
        write(dir.path(), f, "x");
    }
    write(dir.path(), ".sourceignore", "# comment\n\ncustom\r\n");
    let filter = Filter::for_git_repository(dir.path(), None).unwrap();
    assert_eq!(
        names(&archive(dir.path(), &filter)),
        [".", ".sourceignore", "horse.jpg"]
    );
}

#[test]
fn nested_sourceignore_files_are_scoped_to_their_directory() {
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "a/secret.yaml",
        "b/secret.yaml",
        "b/c/secret.yaml",
        "b/keep.yaml",
    ] {
        write(dir.path(), f, "x");
    }
    write(dir.path(), "b/.sourceignore", "secret.yaml\n");
    let filter = Filter::for_git_repository(dir.path(), None).unwrap();
    assert_eq!(
        names(&archive(dir.path(), &filter)),
        [
            ".",
            "a",
            "a/secret.yaml",
            "b",
            "b/.sourceignore",
            "b/c",
            "b/keep.yaml"
        ]
    );
}

#[test]
fn spec_ignore_has_the_last_word() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["deploy/prod/app.yaml", "deploy/dev/app.yaml", "README.md"] {
        write(dir.path(), f, "x");
    }
    write(dir.path(), ".sourceignore", "deploy/prod/\n");
    // Re-include prod, exclude everything else at the top level but deploy.
    let spec = "/*\n!/deploy\n!deploy/prod/\ndeploy/dev/\n";
    let filter = Filter::for_git_repository(dir.path(), Some(spec)).unwrap();
    assert_eq!(
        names(&archive(dir.path(), &filter)),
        [".", "deploy", "deploy/prod", "deploy/prod/app.yaml"]
    );
}

#[test]
fn a_symlinked_sourceignore_is_not_read() {
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "rules", "app.yaml\n");
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app.yaml", "x");
    symlink(
        outside.path().join("rules"),
        dir.path().join(".sourceignore"),
    )
    .unwrap();
    let filter = Filter::for_git_repository(dir.path(), None).unwrap();
    assert_eq!(names(&archive(dir.path(), &filter)), [".", "app.yaml"]);
}
