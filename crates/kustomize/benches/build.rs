//! Criterion benches of `build_at` over trees generated into a temporary directory:
//!
//! - `build/large_4000`: a base of 4 000 mixed objects (~1.4 MB of YAML in 8 files) under one
//!   overlay with a namePrefix, a namespace, labels, an image override, strategic merge
//!   patches and a JSON 6902 patch selecting every Deployment;
//! - `build/trivial`: one kustomization listing one Deployment;
//! - `parallel/{1,2}_threads`: the same 16 builds of a 250-object tree on one thread, then
//!   split over two (`std::thread::scope`), to show the engine scales across cores.
//!
//! `cargo bench -p kustomize --bench build -- --write-tree DIR` writes the 4 000-object tree
//! to DIR and exits (benches/kustomize_vs_kubectl.sh builds it with each tool).

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput};
use kustomize::{BuildOptions, Root};

/// Writes a base of `objects` mixed objects and `overlay/` on top of it into `dir`.
/// Deterministic: the same call writes the same bytes.
fn write_tree(dir: &Path, objects: usize) -> usize {
    let base = dir.join("base");
    let overlay = dir.join("overlay");
    std::fs::create_dir_all(&base).unwrap();
    std::fs::create_dir_all(&overlay).unwrap();
    let files = objects.div_ceil(500);
    let mut kustomization = String::from("resources:\n");
    let mut bytes = 0;
    for f in 0..files {
        let mut text = String::new();
        for i in (f * 500)..((f + 1) * 500).min(objects) {
            if !text.is_empty() {
                text.push_str("---\n");
            }
            object(&mut text, i);
        }
        bytes += text.len();
        let name = format!("objects-{f}.yaml");
        let _ = writeln!(kustomization, "- {name}");
        std::fs::write(base.join(name), text).unwrap();
    }
    std::fs::write(base.join("kustomization.yaml"), kustomization).unwrap();
    std::fs::write(
        overlay.join("kustomization.yaml"),
        "resources:\n- ../base\nnamePrefix: prod-\nnamespace: production\n\
         labels:\n- pairs:\n    env: prod\n  includeSelectors: false\n\
         commonAnnotations:\n  example.com/owner: platform\n\
         images:\n- name: nginx\n  newTag: \"1.28\"\n\
         patches:\n- path: resources.yaml\n  target:\n    kind: Deployment\n    labelSelector: tier=web\n\
         - path: replicas.yaml\n\
         - target:\n    group: apps\n    version: v1\n    kind: Deployment\n  patch: |-\n\
         \x20   - op: add\n      path: /spec/minReadySeconds\n      value: 10\n",
    )
    .unwrap();
    std::fs::write(
        overlay.join("resources.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: any\nspec:\n  template:\n    spec:\n\
         \x20     containers:\n      - name: main\n        resources:\n          limits:\n            memory: 256Mi\n",
    )
    .unwrap();
    std::fs::write(
        overlay.join("replicas.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-0\nspec:\n  replicas: 5\n",
    )
    .unwrap();
    bytes
}

/// One object of a rotating mix: Deployment, Service, ConfigMap, ServiceAccount, Secret.
fn object(out: &mut String, i: usize) {
    let app = format!("app-{i}");
    match i % 5 {
        0 => {
            let tier = if i.is_multiple_of(2) { "web" } else { "batch" };
            let _ = write!(
                out,
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\n  labels:\n    app: {app}\n    tier: {tier}\n\
                 spec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: {app}\n  template:\n    metadata:\n\
                 \x20     labels:\n        app: {app}\n        tier: {tier}\n    spec:\n      serviceAccountName: app-{}\n\
                 \x20     containers:\n      - name: main\n        image: nginx:1.27\n        ports:\n        - containerPort: 8080\n\
                 \x20       envFrom:\n        - configMapRef:\n            name: app-{}\n\
                 \x20       env:\n        - name: POD_NAME\n          valueFrom:\n            fieldRef:\n              fieldPath: metadata.name\n\
                 \x20       - name: GOMAXPROCS\n          value: \"2\"\n\
                 \x20       resources:\n          requests:\n            cpu: 100m\n            memory: 64Mi\n          limits:\n            memory: 128Mi\n\
                 \x20       readinessProbe:\n          httpGet:\n            path: /healthz\n            port: 8080\n          periodSeconds: 10\n",
                i + 3,
                i + 2
            );
        }
        1 => {
            let _ = write!(
                out,
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\n  labels:\n    app: {app}\nspec:\n  selector:\n\
                 \x20   app: app-{}\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n  - name: metrics\n    port: 9090\n    targetPort: 9090\n",
                i - 1
            );
        }
        2 => {
            let _ = write!(
                out,
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}\ndata:\n  LOG_LEVEL: info\n  FEATURE_FLAGS: a,b,c\n\
                 \x20 app.properties: |\n    color=blue\n    size=large\n    replicas={i}\n    cache.ttl=300\n    endpoint=https://api.example.com/v1/items\n"
            );
        }
        3 => {
            let _ = write!(
                out,
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {app}\n  labels:\n    app: {app}\n  annotations:\n    example.com/role: reader\n    example.com/contact: platform-team@example.com\n"
            );
        }
        _ => {
            let _ = write!(
                out,
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {app}\ntype: Opaque\ndata:\n  password: c2VjcmV0LXZhbHVl\n  user: YWRtaW4=\n  token: ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNkltRmlZeUo5LmV5SnpkV0lpT2lKaGNIQWlmUQ==\n"
            );
        }
    }
}

fn build(root: &Root, dir: &str) -> String {
    let resources = kustomize::build_at(root, Path::new(dir), &BuildOptions::default())
        .expect("the generated tree builds");
    kustomize::to_yaml(&resources)
}

fn benches(c: &mut Criterion) {
    let large = tempfile::tempdir().unwrap();
    let bytes = write_tree(large.path(), 4000);
    let large_root = Root::new(large.path()).unwrap();
    let out = build(&large_root, "overlay");
    eprintln!(
        "build/large_4000: {bytes} bytes of input YAML, {} bytes of output",
        out.len()
    );

    let trivial = tempfile::tempdir().unwrap();
    std::fs::write(
        trivial.path().join("kustomization.yaml"),
        "resources:\n- deployment.yaml\n",
    )
    .unwrap();
    let mut one = String::new();
    object(&mut one, 0);
    std::fs::write(trivial.path().join("deployment.yaml"), one).unwrap();
    let trivial_root = Root::new(trivial.path()).unwrap();

    let mut group = c.benchmark_group("build");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("large_4000", |b| {
        b.iter(|| black_box(build(&large_root, "overlay")))
    });
    group.throughput(Throughput::Elements(1));
    group.sample_size(100);
    group.bench_function("trivial", |b| {
        b.iter(|| black_box(build(&trivial_root, ".")))
    });
    group.finish();

    let medium = tempfile::tempdir().unwrap();
    write_tree(medium.path(), 250);
    let medium_root = Root::new(medium.path()).unwrap();
    const BUILDS: usize = 16;
    let mut group = c.benchmark_group("parallel");
    group.throughput(Throughput::Elements(BUILDS as u64));
    group.sample_size(20);
    for threads in [1, 2] {
        group.bench_function(format!("{threads}_threads"), |b| {
            b.iter(|| {
                std::thread::scope(|s| {
                    for t in 0..threads {
                        let root = &medium_root;
                        s.spawn(move || {
                            for _ in (t..BUILDS).step_by(threads) {
                                black_box(build(root, "overlay"));
                            }
                        });
                    }
                })
            })
        });
    }
    group.finish();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--write-tree") {
        let dir = args.get(i + 1).expect("--write-tree DIR");
        let objects = std::env::var("KUSTOMIZE_BENCH_OBJECTS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(4000);
        let bytes = write_tree(Path::new(dir), objects);
        eprintln!("wrote {objects} objects ({bytes} bytes) under {dir}/base and {dir}/overlay");
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
}
