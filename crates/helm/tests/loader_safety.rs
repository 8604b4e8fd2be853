//! SECURITY.md 2–4, 24–25: hostile archives and directories are refused with a clear
//! error, never followed, never read past the caps.

mod common;

use common::{CHART_YAML, Entry, tgz};
use helm::loader::{Limits, load, load_archive};

fn load_tgz(entries: &[Entry<'_>]) -> Result<helm::Chart, String> {
    load_archive(tgz(entries).as_slice(), &Limits::default()).map_err(|e| e.to_string())
}

#[test]
fn loads_a_minimal_archive() {
    let c = load_tgz(&[
        Entry::Dir("demo/"),
        Entry::File("demo/Chart.yaml", CHART_YAML),
    ])
    .unwrap();
    assert_eq!(c.name(), "demo");
    assert_eq!(c.raw.len(), 1);
}

#[test]
fn refuses_parent_directory_entries() {
    let err = load_tgz(&[
        Entry::File("demo/Chart.yaml", CHART_YAML),
        Entry::File("demo/../../etc/x", b"x"),
    ]);
    assert_eq!(
        err.unwrap_err(),
        "chart illegally references parent directory"
    );
}

#[test]
fn refuses_parent_directory_entries_that_clean_inside() {
    let err = load_tgz(&[
        Entry::File("demo/Chart.yaml", CHART_YAML),
        Entry::File("demo/a/../b", b"x"),
    ]);
    assert_eq!(
        err.unwrap_err(),
        "chart illegally references parent directory"
    );
}

#[test]
fn refuses_absolute_entries() {
    let err = load_tgz(&[
        Entry::File("demo/Chart.yaml", CHART_YAML),
        Entry::File("demo//etc/passwd", b"x"),
    ]);
    assert_eq!(err.unwrap_err(), "chart illegally contains absolute paths");
}

#[test]
fn refuses_entries_at_the_archive_root() {
    let err = load_tgz(&[Entry::File("Chart.yaml", CHART_YAML)]);
    assert_eq!(err.unwrap_err(), "chart yaml not in base directory");
    let err = load_tgz(&[
        Entry::File("demo/Chart.yaml", CHART_YAML),
        Entry::File("demo", b"x"),
    ]);
    assert_eq!(
        err.unwrap_err(),
        "chart illegally contains content outside the base directory: \"demo\""
    );
}

#[test]
fn refuses_windows_drive_paths() {
    let err = load_tgz(&[
        Entry::File("demo/Chart.yaml", CHART_YAML),
        Entry::File("demo/c:/x", b"x"),
    ]);
    assert_eq!(err.unwrap_err(), "chart contains illegally named files");
}

#[test]
fn refuses_symlinks_hardlinks_and_devices() {
    let err = load_tgz(&[
        Entry::File("demo/Chart.yaml", CHART_YAML),
        Entry::Symlink("demo/values.yaml", "/etc/passwd"),
    ]);
    assert_eq!(
        err.unwrap_err(),
        "chart archive entry \"demo/values.yaml\" is a link"
    );
    let err = load_tgz(&[
        Entry::File("demo/Chart.yaml", CHART_YAML),
        Entry::Hardlink("demo/x", "demo/Chart.yaml"),
    ]);
    assert_eq!(err.unwrap_err(), "chart archive entry \"demo/x\" is a link");
    let err = load_tgz(&[
        Entry::File("demo/Chart.yaml", CHART_YAML),
        Entry::Device("demo/tty"),
    ]);
    assert_eq!(
        err.unwrap_err(),
        "chart archive entry \"demo/tty\" is not a regular file"
    );
}

#[test]
fn refuses_duplicate_entries() {
    let err = load_tgz(&[
        Entry::File("demo/Chart.yaml", CHART_YAML),
        Entry::File("demo/Chart.yaml", CHART_YAML),
    ]);
    assert_eq!(
        err.unwrap_err(),
        "chart archive has more than one entry named \"demo/Chart.yaml\""
    );
}

#[test]
fn refuses_a_file_above_the_file_cap() {
    let big = vec![b'a'; 2048];
    let limits = Limits {
        max_file_size: 1024,
        ..Limits::default()
    };
    let err = load_archive(
        tgz(&[
            Entry::File("demo/Chart.yaml", CHART_YAML),
            Entry::File("demo/big.txt", &big),
        ])
        .as_slice(),
        &limits,
    );
    assert_eq!(
        err.unwrap_err().to_string(),
        "decompressed chart file \"demo/big.txt\" is larger than the maximum file size 1024"
    );
}

#[test]
fn refuses_a_chart_above_the_chart_cap_while_streaming() {
    // A decompression bomb: 64 MiB of zeros compress to about 64 KiB.
    let zeros = vec![0u8; 4 << 20];
    let names: Vec<String> = (0..16).map(|i| format!("demo/z{i}")).collect();
    let mut entries = vec![Entry::File("demo/Chart.yaml", CHART_YAML)];
    entries.extend(names.iter().map(|n| Entry::File(n, &zeros)));
    let archive = tgz(&entries);
    assert!(archive.len() < 1 << 20);
    let err = load_archive(archive.as_slice(), &Limits::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "decompressed chart is larger than the maximum file size 10485760"
    );
}

#[test]
fn refuses_more_files_than_the_cap() {
    let names: Vec<String> = (0..20).map(|i| format!("demo/f{i}")).collect();
    let mut entries = vec![Entry::File("demo/Chart.yaml", CHART_YAML)];
    entries.extend(names.iter().map(|n| Entry::File(n, b"x")));
    let limits = Limits {
        max_files: 10,
        ..Limits::default()
    };
    let err = load_archive(tgz(&entries).as_slice(), &limits).unwrap_err();
    assert_eq!(
        err.to_string(),
        "chart has more than the maximum of 10 files"
    );
}

#[test]
fn nested_archives_share_the_budget() {
    let inner_zeros = vec![0u8; 3 << 20];
    let inner = tgz(&[
        Entry::File(
            "sub/Chart.yaml",
            b"apiVersion: v2\nname: sub\nversion: 1.0.0\n",
        ),
        Entry::File("sub/z", &inner_zeros),
    ]);
    let outer_zeros = vec![0u8; 3 << 20];
    let archive = tgz(&[
        Entry::File("demo/Chart.yaml", CHART_YAML),
        Entry::File("demo/z", &outer_zeros),
        Entry::File("demo/charts/sub-1.0.0.tgz", &inner),
    ]);
    let limits = Limits {
        max_chart_size: 5 << 20,
        ..Limits::default()
    };
    let err = load_archive(archive.as_slice(), &limits).unwrap_err();
    assert_eq!(
        err.to_string(),
        "decompressed chart is larger than the maximum file size 5242880"
    );
    // With room for both, the nested chart loads.
    let c = load_archive(archive.as_slice(), &Limits::default()).unwrap();
    assert_eq!(c.dependencies[0].name(), "sub");
}

#[test]
fn refuses_subcharts_nested_deeper_than_the_cap() {
    let mut files = vec![helm::File::new("Chart.yaml", CHART_YAML)];
    let mut prefix = String::new();
    for i in 0..5 {
        prefix.push_str(&format!("charts/c{i}/"));
        files.push(helm::File::new(
            format!("{prefix}Chart.yaml"),
            format!("apiVersion: v2\nname: c{i}\nversion: 1.0.0\n"),
        ));
    }
    let limits = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    let err = helm::loader::load_files(files, &limits).unwrap_err();
    assert_eq!(
        err.to_string(),
        "sub-charts are nested deeper than 3 levels"
    );
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    for data in [
        &b""[..],
        b"\x1f\x8b\x08garbage",
        b"not gzip at all",
        &[0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0],
    ] {
        assert!(load_archive(data, &Limits::default()).is_err());
    }
    assert_eq!(load_tgz(&[]).unwrap_err(), "no files in chart archive");
}

#[test]
fn refuses_a_non_gzip_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("chart.yaml");
    std::fs::write(&p, "a: b").unwrap();
    let err = load(&p, &Limits::default()).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "file '{}' seems to be a YAML file, but expected a gzipped archive",
            p.display()
        )
    );
}

#[test]
fn refuses_symlink_escaping_root() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "s3cr3t").unwrap();
    std::fs::write(dir.path().join("Chart.yaml"), CHART_YAML).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("leak.txt")).unwrap();
    let err = load(dir.path(), &Limits::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "chart file \"leak.txt\" is a symbolic link that points outside the chart root"
    );
}

#[test]
fn follows_symlinks_inside_the_root() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Chart.yaml"), CHART_YAML).unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/a.txt"), "A").unwrap();
    std::os::unix::fs::symlink("data/a.txt", dir.path().join("b.txt")).unwrap();
    let c = load(dir.path(), &Limits::default()).unwrap();
    let names: Vec<&str> = c.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["b.txt", "data/a.txt"]);
    assert_eq!(c.files[0].data, b"A");
}

#[test]
fn a_symlink_loop_ends_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Chart.yaml"), CHART_YAML).unwrap();
    std::fs::create_dir(dir.path().join("d")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("d/up")).unwrap();
    let limits = Limits {
        max_depth: 8,
        ..Limits::default()
    };
    let err = load(dir.path(), &limits).unwrap_err().to_string();
    assert!(
        err.starts_with("chart directory \"d/up/d/up/d/up/d/up"),
        "{err}"
    );
}

#[test]
fn refuses_a_directory_file_above_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Chart.yaml"), CHART_YAML).unwrap();
    std::fs::write(dir.path().join("big.bin"), vec![0u8; 4096]).unwrap();
    let limits = Limits {
        max_file_size: 1000,
        ..Limits::default()
    };
    let err = load(dir.path(), &limits).unwrap_err();
    assert_eq!(
        err.to_string(),
        "chart file \"big.bin\" is larger than the maximum file size 1000"
    );
}

#[test]
fn refuses_fifos_in_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Chart.yaml"), CHART_YAML).unwrap();
    let fifo = dir.path().join("pipe");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a plain mkfifo on a path we own.
    assert_eq!(unsafe { libc_mkfifo(c.as_ptr(), 0o644) }, 0);
    let err = load(dir.path(), &Limits::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "cannot load irregular file {} as it has file mode type bits set",
            std::fs::canonicalize(dir.path())
                .unwrap()
                .join("pipe")
                .display()
        )
    );
}

unsafe extern "C" {
    #[link_name = "mkfifo"]
    fn libc_mkfifo(path: *const std::ffi::c_char, mode: u32) -> i32;
}

/// A tiny deterministic generator, so that the mutation test needs no extra crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn mutated_archives_and_chart_files_never_panic() {
    let base = tgz(&[
        Entry::File("demo/Chart.yaml", b"apiVersion: v2\nname: demo\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 1.x\n"),
        Entry::File("demo/values.yaml", b"a: {b: [1, 2, {c: d}]}\nglobal: {x: 1}\n"),
        Entry::File("demo/charts/sub/Chart.yaml", b"apiVersion: v2\nname: sub\nversion: 1.0.0\n"),
        Entry::File("demo/templates/x.yaml", b"{{ .Values.a }}"),
    ]);
    let mut rng = Lcg(7);
    for _ in 0..300 {
        let mut data = base.clone();
        for _ in 0..1 + rng.next() % 4 {
            let i = (rng.next() as usize) % data.len();
            data[i] = rng.next() as u8;
        }
        let _ = load_archive(data.as_slice(), &Limits::default());
    }
    let texts: &[&[u8]] = &[
        b"apiVersion: v2\nname: x\nversion: 1.0.0\n",
        b"dependencies: [{name: a, import-values: [{child: 1}, 2, x]}]\n",
        b"maintainers: [[], {}, ~, 3]\n",
        b"annotations: {a: [1]}\n",
        b"&a [*a]\n",
        b"{{{{",
        b"\xff\xfe\x00",
    ];
    for _ in 0..300 {
        let mut doc = texts[(rng.next() as usize) % texts.len()].to_vec();
        if !doc.is_empty() && rng.next().is_multiple_of(2) {
            let i = (rng.next() as usize) % doc.len();
            doc[i] = rng.next() as u8;
        }
        for name in [
            "Chart.yaml",
            "values.yaml",
            "Chart.lock",
            "requirements.yaml",
        ] {
            let files = vec![
                helm::File::new("Chart.yaml", CHART_YAML.to_vec()),
                helm::File::new(name, doc.clone()),
            ];
            let _ = helm::loader::load_files(files, &Limits::default());
        }
    }
}
