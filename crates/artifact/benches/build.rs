//! Archiving a source of 10 000 small files (SECURITY.md 26: large repositories).

use std::fs;
use std::hint::black_box;
use std::io;
use std::time::Duration;

use artifact::{Filter, build};
use criterion::{Criterion, criterion_group, criterion_main};

fn small_files(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    // 100 directories of 100 files: a wide, shallow tree like a manifests repo.
    for d in 0..100 {
        let sub = dir.path().join(format!("apps/app-{d:03}"));
        fs::create_dir_all(&sub).unwrap();
        for f in 0..100 {
            let body = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{d}-{f}\n");
            fs::write(sub.join(format!("cm-{f:03}.yaml")), body).unwrap();
        }
    }
    let filter = Filter::for_git_repository(dir.path(), None).unwrap();

    let mut group = c.benchmark_group("artifact");
    // Each run takes tens of milliseconds; a few samples are enough and keep the
    // bench short on the shared 2-core machines.
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("build_10k_small_files", |b| {
        b.iter(|| black_box(build(dir.path(), &filter, io::sink()).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, small_files);
criterion_main!(benches);
