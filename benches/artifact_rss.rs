//! Peak memory and throughput of building one artifact from a large source tree: 10 000
//! files totalling ~200 MB (issue 3, "Performance": peak RSS under 50 MB, throughput
//! reported).
//!
//! The tree is generated once in a temporary directory from a seeded PRNG (sizes from a
//! few hundred bytes to a few MB; most bytes random, so incompressible, the rest YAML-like
//! text). The archive is then built in a child process (this binary re-executed with
//! `--child`) through the controller's own code path, `Storage::archive` with the filter
//! `Filter::for_git_repository` makes, so the child's peak RSS (`VmHWM`) is the cost of one
//! artifact build plus the process's baseline, which is reported separately.
//!
//! ```text
//! cargo bench --bench artifact_rss                      # 10 000 files, ~200 MB
//! ARTIFACT_RSS_FILES=20000 ARTIFACT_RSS_MB=400 cargo bench --bench artifact_rss
//! ```
//!
//! Exits 1 when the peak RSS is not under the bound (`ARTIFACT_RSS_LIMIT_MB`, default 50).
//! Run without `--bench` (as `cargo test --benches` does) it builds a small tree only, as a
//! smoke test of the harness.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use tk::controllers::source::storage::Storage;

const MB: f64 = 1_000_000.0;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let (Some(source), Some(storage)) = (args.get(i + 1), args.get(i + 2)) else {
            eprintln!("usage: artifact_rss --child <source> <storage>");
            return ExitCode::from(2);
        };
        return child(Path::new(source), Path::new(storage));
    }
    let full = args.iter().any(|a| a == "--bench");
    let files = env_number("ARTIFACT_RSS_FILES", if full { 10_000 } else { 200 });
    let total_mb = env_number("ARTIFACT_RSS_MB", if full { 200 } else { 4 });
    let limit_mb = env_number("ARTIFACT_RSS_LIMIT_MB", 50);
    match parent(files, total_mb, limit_mb) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("artifact_rss: {err}");
            ExitCode::from(2)
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a number")),
        Err(_) => default,
    }
}

/// Generates the tree, runs the build in a child and reports. Ok(false): over the bound.
fn parent(files: u64, total_mb: u64, limit_mb: u64) -> std::io::Result<bool> {
    let work = tempfile::Builder::new()
        .prefix("tk-artifact-rss-")
        .tempdir()?;
    let source = work.path().join("source");
    let storage = work.path().join("storage");

    let started = Instant::now();
    let (bytes, random_bytes) = generate(&source, files, total_mb * 1_000_000)?;
    let generated = started.elapsed();
    println!(
        "source: {files} files, {:.1} MB ({:.0}% random bytes), generated in {:.1}s",
        bytes as f64 / MB,
        random_bytes as f64 * 100.0 / bytes.max(1) as f64,
        generated.as_secs_f64()
    );
    // The files are in the page cache now: the build below measures compression and
    // archiving, not the disk.

    let exe = std::env::current_exe()?;
    let out = Command::new(exe)
        .arg("--child")
        .arg(&source)
        .arg(&storage)
        .output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
        return Err(std::io::Error::other(format!(
            "the child failed: {}",
            out.status
        )));
    }
    let field = |key: &str| -> f64 {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('=')?.trim().parse().ok())
            .unwrap_or(f64::NAN)
    };
    let (baseline_kb, hwm_kb) = (field("baseline_rss_kb"), field("peak_rss_kb"));
    let (secs, size) = (field("seconds"), field("artifact_bytes"));
    let peak_mb = hwm_kb / 1024.0;
    println!(
        "artifact: {:.1} MB ({:.0}% of the input), built in {secs:.2}s: {:.1} MB/s of input",
        size / MB,
        size * 100.0 / bytes as f64,
        bytes as f64 / MB / secs
    );
    println!(
        "child peak RSS (VmHWM): {peak_mb:.1} MiB; baseline before the build {:.1} MiB, so the build added {:.1} MiB",
        baseline_kb / 1024.0,
        (hwm_kb - baseline_kb) / 1024.0
    );
    let ok = peak_mb < limit_mb as f64;
    println!(
        "bound: peak RSS < {limit_mb} MiB: {}",
        if ok { "PASS" } else { "FAIL" }
    );
    Ok(ok)
}

/// Builds the artifact the way the GitRepository reconciler does and prints `key=value`
/// lines for the parent.
fn child(source: &Path, storage: &Path) -> ExitCode {
    let baseline = status_kb("VmRSS");
    let run = || -> Result<(u64, Duration), Box<dyn std::error::Error>> {
        let store = Storage::new(storage, "127.0.0.1:0")?;
        let started = Instant::now();
        let filter = artifact::Filter::for_git_repository(source, None)?;
        let dir = Storage::object_dir("GitRepository", "bench", "tree");
        let stored = store.archive(&dir, "0123456789abcdef.tar.gz", source, &filter)?;
        Ok((stored.size, started.elapsed()))
    };
    match run() {
        Ok((size, elapsed)) => {
            println!("baseline_rss_kb={baseline}");
            println!("peak_rss_kb={}", status_kb("VmHWM"));
            println!("artifact_bytes={size}");
            println!("seconds={}", elapsed.as_secs_f64());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("building the artifact: {err}");
            ExitCode::FAILURE
        }
    }
}

/// A field of /proc/self/status in kB.
fn status_kb(key: &str) -> u64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix(key)?
                    .strip_prefix(':')?
                    .trim()
                    .strip_suffix("kB")?
                    .trim()
                    .parse()
                    .ok()
            })
        })
        .unwrap_or(0)
}

/// SplitMix64: fast, seeded, good enough for incompressible test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// Writes `files` files totalling about `total` bytes under `root`, in directories of at
/// most 100 files two levels deep (`apps/app-NN/part-M/`). Returns (bytes, random bytes).
fn generate(root: &Path, files: u64, total: u64) -> std::io::Result<(u64, u64)> {
    let mut rng = Rng(0x746b_2d62_656e_6368);
    // 99% small files (0.2–16 kB: manifests, sources), 1% large ones that carry the rest
    // of the volume (vendored blobs, images, test data).
    let large = (files / 100).max(1);
    let mut sizes: Vec<u64> = (0..files)
        .map(|i| {
            if i % 100 == 99 {
                0
            } else {
                200 + rng.below(16_000)
            }
        })
        .collect();
    let small: u64 = sizes.iter().sum();
    let rest = total.saturating_sub(small);
    let mut weights: Vec<u64> = (0..large).map(|_| 1 + rng.below(100)).collect();
    let weight_sum: u64 = weights.iter().sum();
    for w in &mut weights {
        *w = rest * *w / weight_sum;
    }
    let mut big = weights.into_iter();
    for (i, size) in sizes.iter_mut().enumerate() {
        if i % 100 == 99 || (i as u64 + 1 == files && *size == 0) {
            *size = big.next().unwrap_or(0);
        }
    }

    const WORDS: &[&str] = &[
        "apiVersion:",
        "kind:",
        "metadata:",
        "name:",
        "namespace:",
        "spec:",
        "replicas:",
        "image:",
        "ghcr.io/org/app",
        "- name:",
        "value:",
        "true",
        "false",
        "containers:",
        "ports:",
        "8080",
        "labels:",
        "app.kubernetes.io/name:",
    ];
    let (mut bytes, mut random_bytes) = (0u64, 0u64);
    let mut buf = Vec::new();
    for (i, size) in sizes.into_iter().enumerate() {
        let dir: PathBuf = root
            .join("apps")
            .join(format!("app-{:03}", i / 100))
            .join(format!("part-{}", (i % 100) / 25));
        if i % 25 == 0 {
            fs::create_dir_all(&dir)?;
        }
        let size = usize::try_from(size).expect("file sizes fit in memory");
        buf.clear();
        // A third of the small files are text; every large file is random.
        let text = size < 16_200 && rng.below(3) == 0;
        if text {
            while buf.len() < size {
                let word = WORDS[rng.below(WORDS.len() as u64) as usize];
                buf.extend_from_slice(word.as_bytes());
                buf.push(if rng.below(4) == 0 { b'\n' } else { b' ' });
            }
            buf.truncate(size);
        } else {
            buf.resize(size, 0);
            rng.fill(&mut buf);
            random_bytes += size as u64;
        }
        let ext = if text { "yaml" } else { "bin" };
        let mut f = fs::File::create(dir.join(format!("file-{i:05}.{ext}")))?;
        f.write_all(&buf)?;
        bytes += size as u64;
    }
    Ok((bytes, random_bytes))
}
