//! ls-remote (the controller's no-op reconcile) and a shallow checkout of a 1 000-file
//! repository, both from a local git daemon.
//!
//! cargo bench -p gitsource

use criterion::{Criterion, criterion_group, criterion_main};
use gitsource::{Auth, CheckoutOptions, Options, Reference, checkout, ls_remote};
use std::time::Duration;
use testenv::git::{GitServers, GitServersOptions};

fn benches(c: &mut Criterion) {
    let servers = GitServers::start_with(GitServersOptions {
        ssh: None,
        http: None,
        daemon: true,
    })
    .expect("git daemon");
    let repo = servers.create_repo("bench").unwrap();
    let contents: Vec<(String, String)> = (0..1000)
        .map(|i| {
            (
                format!("dir{}/file{i}.yaml", i % 20),
                format!("kind: ConfigMap\nmetadata:\n  name: cm{i}\n"),
            )
        })
        .collect();
    let files: Vec<(&str, &str)> = contents
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    repo.commit("1000 files", &files).unwrap();
    repo.push().unwrap();
    let url = servers.daemon().url("bench");
    let main = Reference::branch("main");

    let mut g = c.benchmark_group("gitsource");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    g.bench_function("ls_remote", |b| {
        b.iter(|| ls_remote(&url, &main, &Auth::default(), &Options::default()).unwrap())
    });
    g.bench_function("checkout_1000_files", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                checkout(
                    &url,
                    &main,
                    &Auth::default(),
                    &dir.path().join("co"),
                    &CheckoutOptions::default(),
                )
                .unwrap();
                dir
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(gitsource, benches);
criterion_main!(gitsource);
