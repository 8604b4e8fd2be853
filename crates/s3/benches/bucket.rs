//! What a Bucket reconcile costs against a real S3 server (versitygw on loopback, SigV4 on
//! every request): listing 1 000 objects (the index, every reconcile) and fetching them all
//! (only when the index moved), 32 at a time as the reconciler does, and one by one for
//! comparison.
//!
//! cargo bench -p s3 --bench bucket

use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use futures::StreamExt;
use testenv::s3::{S3Options, S3Server};

const OBJECTS: usize = 1000;

fn client(server: &S3Server) -> s3::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    s3::Client::new(s3::ClientOptions {
        endpoint: server.endpoint(),
        insecure: true,
        region: Some(testenv::s3::REGION.into()),
        credentials: Some(s3::Credentials {
            access_key: server.access_key().into(),
            secret_key: server.secret_key().into(),
            session_token: None,
        }),
        ..Default::default()
    })
    .unwrap()
}

async fn list(client: &s3::Client) -> Vec<String> {
    let mut keys = Vec::new();
    client
        .list_objects("bench", None, |o| {
            keys.push(o.key);
            Ok(())
        })
        .await
        .unwrap();
    keys
}

async fn fetch_all(client: &s3::Client, keys: &[String], dir: &std::path::Path, at_once: usize) {
    let fetches = keys.iter().map(|key| async move {
        client
            .get_object("bench", key, &dir.join(key), 1 << 20)
            .await
            .unwrap()
    });
    let mut fetched = futures::stream::iter(fetches).buffer_unordered(at_once);
    while fetched.next().await.is_some() {}
}

fn benches(c: &mut Criterion) {
    let server = S3Server::start(&S3Options::default()).expect("S3 server");
    server.create_bucket("bench").unwrap();
    let tree = tempfile::tempdir().unwrap();
    for i in 0..OBJECTS {
        let path = tree.path().join(format!("dir{}/cm{i}.yaml", i % 20));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\n{}",
                "#\n".repeat(512)
            ),
        )
        .unwrap();
    }
    server.put_dir("bench", "", tree.path()).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = client(&server);
    let keys = runtime.block_on(list(&client));
    assert_eq!(keys.len(), OBJECTS);

    let mut g = c.benchmark_group("bucket");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("list_1000", |b| b.iter(|| runtime.block_on(list(&client))));
    for at_once in [32, 1] {
        g.bench_function(format!("fetch_1000_{at_once}_at_once"), |b| {
            b.iter_batched(
                || tempfile::tempdir().unwrap(),
                |dir| {
                    runtime.block_on(fetch_all(&client, &keys, dir.path(), at_once));
                    dir
                },
                BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

criterion_group!(bucket, benches);
criterion_main!(bucket);
