//! Extracting artifacts: round trips and every bad input SECURITY.md 1-4 names.

use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

use artifact::{Error, Filter, Limits, Refusal, build, extract};
use flate2::Compression;
use flate2::write::GzEncoder;
use tar::{EntryType, Header};

fn gzip(tar: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    io::Write::write_all(&mut gz, tar).unwrap();
    gz.finish().unwrap()
}

/// Appends an entry with the name written straight into the header, bypassing the
/// tar crate's own path checks so hostile names can be produced.
fn raw(b: &mut tar::Builder<Vec<u8>>, name: &[u8], kind: EntryType, data: &[u8]) {
    let mut h = Header::new_gnu();
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_entry_type(kind);
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    if matches!(kind, EntryType::Symlink | EntryType::Link) {
        h.set_link_name_literal("../../outside").unwrap();
    }
    h.set_cksum();
    b.append(&h, data).unwrap();
}

fn tgz(entries: &[(&[u8], EntryType, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, kind, data) in entries {
        raw(&mut b, name, *kind, data);
    }
    gzip(&b.into_inner().unwrap())
}

fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            if p.is_dir() && !p.is_symlink() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

fn refusal(err: Error) -> Refusal {
    match err {
        Error::Refused { reason, .. } => reason,
        other => panic!("expected a refusal, got {other}"),
    }
}

#[test]
fn round_trips_a_built_artifact() {
    let src = tempfile::tempdir().unwrap();
    fs::create_dir_all(src.path().join("a/empty")).unwrap();
    fs::write(src.path().join("a/b.yaml"), "b: 1\n").unwrap();
    fs::write(src.path().join("run.sh"), "#!/bin/sh\n").unwrap();
    fs::set_permissions(src.path().join("run.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    let long = format!("{}/{}.yaml", "x".repeat(150), "y".repeat(150));
    fs::create_dir_all(src.path().join("x".repeat(150))).unwrap();
    fs::write(src.path().join(&long), "long").unwrap();

    let mut artifact = Vec::new();
    build(src.path(), &Filter::none(), &mut artifact).unwrap();
    let dest = tempfile::tempdir().unwrap();
    let got = extract(&artifact[..], dest.path(), Limits::default()).unwrap();
    assert_eq!((got.files, got.dirs, got.bytes), (3, 3, 19));
    assert_eq!(listing(dest.path()), listing(src.path()));
    assert_eq!(fs::read(dest.path().join("a/b.yaml")).unwrap(), b"b: 1\n");
    assert_eq!(fs::read(dest.path().join(&long)).unwrap(), b"long");
    let mode = fs::metadata(dest.path().join("run.sh"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
}

#[test]
fn refuses_each_bad_entry_and_leaves_nothing_behind() {
    let cases: &[(&[u8], EntryType, Refusal)] = &[
        (b"../evil.yaml", EntryType::Regular, Refusal::ParentDir),
        (b"a/../../evil.yaml", EntryType::Regular, Refusal::ParentDir),
        (b"a/..", EntryType::Directory, Refusal::ParentDir),
        (b"/etc/evil.yaml", EntryType::Regular, Refusal::AbsolutePath),
        (b"a\\..\\evil.yaml", EntryType::Regular, Refusal::Backslash),
        (b"link", EntryType::Symlink, Refusal::Symlink),
        (b"hard", EntryType::Link, Refusal::HardLink),
        (b"tty", EntryType::Char, Refusal::Device),
        (b"disk", EntryType::Block, Refusal::Device),
        (b"pipe", EntryType::Fifo, Refusal::Fifo),
        (
            b"contiguous",
            EntryType::Continuous,
            Refusal::UnsupportedType(b'7'),
        ),
        (b"ok.yaml", EntryType::Regular, Refusal::DuplicateName),
        (b"./ok.yaml", EntryType::Regular, Refusal::DuplicateName),
        (b"dir/", EntryType::Directory, Refusal::DuplicateName),
    ];
    for (name, kind, want) in cases {
        let outer = tempfile::tempdir().unwrap();
        let dest = outer.path().join("dest");
        fs::create_dir(&dest).unwrap();
        // Good entries first, so a refusal must also undo what was written.
        let artifact = tgz(&[
            (b".", EntryType::Directory, b""),
            (b"dir", EntryType::Directory, b""),
            (b"dir/keep.yaml", EntryType::Regular, b"keep"),
            (b"ok.yaml", EntryType::Regular, b"ok"),
            (name, *kind, b"payload"),
        ]);
        let err = extract(&artifact[..], &dest, Limits::default()).unwrap_err();
        let message = err.to_string();
        assert_eq!(refusal(err), *want, "{}", String::from_utf8_lossy(name));
        assert!(
            message.contains(&format!("{:?}", String::from_utf8_lossy(name))),
            "message names the entry: {message}"
        );
        assert!(listing(&dest).is_empty(), "{message}: {:?}", listing(&dest));
        assert_eq!(listing(outer.path()), ["dest"]);
    }
}

#[test]
fn skipping_symlinks_leaves_them_out_and_keeps_the_rest() {
    let dest = tempfile::tempdir().unwrap();
    // Escaping and in-tree targets alike: neither is ever created.
    let artifact = tgz(&[
        (b"dir", EntryType::Directory, b""),
        (b"dir/escape", EntryType::Symlink, b""),
        (b"dir/app.yaml", EntryType::Regular, b"kind: ConfigMap"),
        (b"escape", EntryType::Symlink, b""),
    ]);
    let limits = Limits {
        skip_symlinks: true,
        ..Limits::default()
    };
    let got = extract(&artifact[..], dest.path(), limits).unwrap();
    assert_eq!((got.files, got.dirs), (1, 1));
    assert_eq!(listing(dest.path()), ["dir", "dir/app.yaml"]);
    // Hard links stay refused: they could alias a file outside the artifact.
    let hard = tgz(&[(b"hard", EntryType::Link, b"")]);
    let err = extract(&hard[..], dest.path(), limits).unwrap_err();
    assert_eq!(refusal(err), Refusal::HardLink);
}

#[test]
fn a_bomb_is_cut_at_the_cap_before_its_data_is_read() {
    let limits = Limits {
        max_bytes: 1 << 20,
        ..Limits::default()
    };
    let mut b = tar::Builder::new(Vec::new());
    raw(&mut b, b"small", EntryType::Regular, &vec![0u8; 512 << 10]);
    raw(&mut b, b"bomb", EntryType::Regular, &vec![0u8; 32 << 20]);
    let artifact = gzip(&b.into_inner().unwrap());

    /// Counts how much of the compressed stream extraction pulled.
    struct Counting<'a>(&'a [u8], usize);
    impl Read for Counting<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1 += n;
            Ok(n)
        }
    }
    let mut input = Counting(&artifact, 0);
    let dest = tempfile::tempdir().unwrap();
    let err = extract(&mut input, dest.path(), limits).unwrap_err();
    assert!(
        matches!(&err, Error::TooLarge { limit, name } if *limit == 1 << 20 && name == "bomb"),
        "{err}"
    );
    assert!(err.to_string().contains("1048576"), "{err}");
    assert!(
        input.1 < artifact.len() / 2,
        "read {} of {}",
        input.1,
        artifact.len()
    );
    assert!(listing(dest.path()).is_empty());
}

#[test]
fn many_small_files_add_up_to_the_cap() {
    let limits = Limits {
        max_bytes: 10_000,
        ..Limits::default()
    };
    let names: Vec<String> = (0..20).map(|i| format!("f{i}")).collect();
    let data = vec![b'x'; 1000];
    let entries: Vec<(&[u8], EntryType, &[u8])> = names
        .iter()
        .map(|n| (n.as_bytes(), EntryType::Regular, &data[..]))
        .collect();
    let dest = tempfile::tempdir().unwrap();
    let err = extract(&tgz(&entries)[..], dest.path(), limits).unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { ref name, .. } if name == "f10"),
        "{err}"
    );
}

#[test]
fn the_entry_count_is_capped() {
    let limits = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    let names: Vec<String> = (0..11).map(|i| format!("e{i}")).collect();
    let entries: Vec<(&[u8], EntryType, &[u8])> = names
        .iter()
        .map(|n| (n.as_bytes(), EntryType::Regular, &b""[..]))
        .collect();
    let dest = tempfile::tempdir().unwrap();
    let err = extract(&tgz(&entries)[..], dest.path(), limits).unwrap_err();
    assert!(matches!(err, Error::TooManyEntries { limit: 10 }), "{err}");
    assert!(listing(dest.path()).is_empty());
}

#[test]
fn oversized_long_names_are_refused_without_buffering_them() {
    let huge = vec![b'a'; 1 << 20];
    let artifact = tgz(&[(b"././@LongLink", EntryType::GNULongName, &huge)]);
    let dest = tempfile::tempdir().unwrap();
    let err = extract(&artifact[..], dest.path(), Limits::default()).unwrap_err();
    assert_eq!(refusal(err), Refusal::OversizedMetadata);
}

fn pax_record(key: &str, value: &str) -> Vec<u8> {
    let body = format!(" {key}={value}\n");
    let mut len = body.len() + 1;
    while format!("{len}").len() + body.len() != len {
        len += 1;
    }
    format!("{len}{body}").into_bytes()
}

#[test]
fn pax_paths_are_honoured_and_checked() {
    let long = format!("{}/file.yaml", "p".repeat(200));
    let good = pax_record("path", &long);
    let artifact = tgz(&[
        (b"PaxHeaders/x", EntryType::XHeader, &good),
        (b"short", EntryType::Regular, b"pax"),
    ]);
    let dest = tempfile::tempdir().unwrap();
    extract(&artifact[..], dest.path(), Limits::default()).unwrap();
    assert_eq!(fs::read(dest.path().join(&long)).unwrap(), b"pax");

    let evil = pax_record("path", "../../evil.yaml");
    let artifact = tgz(&[
        (b"PaxHeaders/x", EntryType::XHeader, &evil),
        (b"innocent", EntryType::Regular, b"pax"),
    ]);
    let dest = tempfile::tempdir().unwrap();
    let err = extract(&artifact[..], dest.path(), Limits::default()).unwrap_err();
    assert!(err.to_string().contains("../../evil.yaml"), "{err}");
    assert_eq!(refusal(err), Refusal::ParentDir);

    let resize = pax_record("size", "999999");
    let artifact = tgz(&[
        (b"PaxHeaders/x", EntryType::XHeader, &resize),
        (b"innocent", EntryType::Regular, b"pax"),
    ]);
    let err = extract(
        &artifact[..],
        tempfile::tempdir().unwrap().path(),
        Limits::default(),
    );
    assert_eq!(refusal(err.unwrap_err()), Refusal::PaxSizeOverride);
}

#[test]
fn symlinks_already_in_dest_are_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    let dest = tempfile::tempdir().unwrap();
    symlink(outside.path(), dest.path().join("a")).unwrap();
    symlink(outside.path().join("f.yaml"), dest.path().join("f.yaml")).unwrap();
    for name in [&b"a/x.yaml"[..], b"f.yaml"] {
        let artifact = tgz(&[(name, EntryType::Regular, b"x")]);
        let err = extract(&artifact[..], dest.path(), Limits::default()).unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        assert!(listing(outside.path()).is_empty());
    }
}

#[test]
fn dest_must_be_an_existing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let artifact = tgz(&[(b"a", EntryType::Regular, b"x")]);
    let missing = extract(
        &artifact[..],
        &dir.path().join("missing"),
        Limits::default(),
    );
    assert!(matches!(missing, Err(Error::Io { .. })));
    symlink(dir.path(), dir.path().join("link")).unwrap();
    let link = extract(&artifact[..], &dir.path().join("link"), Limits::default());
    assert!(matches!(link, Err(Error::NotADirectory(_))));
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    let dest = tempfile::tempdir().unwrap();
    for input in [
        &b""[..],
        b"not gzip at all",
        &gzip(b"not a tar archive either")[..],
    ] {
        let _ = extract(input, dest.path(), Limits::default());
    }
    let mut truncated = tgz(&[(b"a", EntryType::Regular, &[7u8; 4096])]);
    truncated.truncate(truncated.len() / 2);
    assert!(extract(&truncated[..], dest.path(), Limits::default()).is_err());
    assert!(listing(dest.path()).is_empty());
}
