//! Differential test: generated kustomizations built by this engine and by the real
//! `kustomize build` v5.5.0 must print the same bytes.
//!
//! Each case is a tree made from a seeded PRNG (so a failure is reproducible from its seed):
//! one or two bases with a mix of kinds (Deployment, StatefulSet, CronJob, Service, ConfigMap,
//! Secret, ServiceAccount, Role/RoleBinding, Ingress, a CRD and a custom resource), then one to three
//! overlays, each with a random subset of namePrefix/nameSuffix, namespace, commonLabels,
//! labels, commonAnnotations, images, replicas, configMap/secret generators (create, merge
//! and replace), generatorOptions, strategic merge patches (`patches` and `patchesStrategicMerge`)
//! and JSON 6902 patches (`patches` with a target and `patchesJson6902`). A quarter of the
//! cases are built with `--reorder none`, the rest with the default `legacy` order.
//!
//! The reference binary comes from `TK_KUSTOMIZE_BIN`, else from
//! `hack/rig-build.sh --kustomize` (built from the Go module proxy into the rig cache). The
//! test fails when neither gives one: it never skips.
//!
//! `DIFF_CASES=N` runs N cases (default 100), `DIFF_SEED=S` runs only seed S. Failing trees
//! are kept under `$CARGO_TARGET_TMPDIR/kustomize-differential/seed-S` to rerun by hand.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use kustomize::{BuildOptions, Reorder, Root};

/// Failures whose diff is printed in full.
const SHOWN_FAILURES: usize = 5;

#[test]
fn generated_kustomizations_build_like_kustomize() {
    let reference =
        testenv::reference(testenv::Reference::Kustomize).unwrap_or_else(|e| panic!("{e:#}"));
    let seeds: Vec<u64> = match std::env::var("DIFF_SEED") {
        Ok(s) => vec![s.parse().expect("DIFF_SEED is a number")],
        Err(_) => {
            let n: u64 = std::env::var("DIFF_CASES")
                .ok()
                .map(|s| s.parse().expect("DIFF_CASES is a number"))
                .unwrap_or(100);
            (0..n).collect()
        }
    };
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kustomize-differential");
    let mut failures = Vec::new();
    let mut both_failed = 0;
    for &seed in &seeds {
        let tmp = tempfile::tempdir().unwrap();
        let case = generate(seed);
        case.write(tmp.path());
        let ours = build_ours(tmp.path(), &case.target, case.reorder_none);
        let theirs = build_reference(&reference, tmp.path(), &case.target, case.reorder_none);
        let verdict = match (&ours, &theirs) {
            (Ok(a), Ok(b)) if a == b => None,
            (Ok(a), Ok(b)) => Some(minimal_diff(b, a)),
            (Err(ours), Err(theirs)) => {
                both_failed += 1;
                if std::env::var_os("DIFF_VERBOSE").is_some() {
                    println!(
                        "seed {seed}: both failed\n  kustomize: {}\n  ours: {ours}",
                        theirs.trim().lines().last().unwrap_or_default()
                    );
                }
                None
            }
            (Ok(_), Err(e)) => Some(format!("kustomize failed, this engine succeeded:\n{e}")),
            (Err(e), Ok(_)) => Some(format!("this engine failed, kustomize succeeded:\n{e}")),
        };
        if let Some(diff) = verdict {
            let dir = keep.join(format!("seed-{seed}"));
            let _ = std::fs::remove_dir_all(&dir);
            case.write(&dir);
            failures.push((seed, dir, diff));
        }
    }
    println!(
        "differential: {} cases, {} identical, {} failed in both, {} differ",
        seeds.len(),
        seeds.len() - failures.len() - both_failed,
        both_failed,
        failures.len()
    );
    // Both failing is parity, but a generator that mostly makes broken trees tests little.
    assert!(
        both_failed * 10 <= seeds.len(),
        "{both_failed} of {} generated cases fail in both engines: the generator makes invalid trees",
        seeds.len()
    );
    if !failures.is_empty() {
        let mut report = String::new();
        for (seed, dir, diff) in failures.iter().take(SHOWN_FAILURES) {
            let _ = writeln!(
                report,
                "--- seed {seed} (tree kept in {}; rerun with DIFF_SEED={seed}; `kustomize build {} --reorder {}`)\n{diff}",
                dir.display(),
                generate(*seed).target,
                if generate(*seed).reorder_none {
                    "none"
                } else {
                    "legacy"
                }
            );
        }
        let failed: Vec<String> = failures.iter().map(|(s, _, _)| s.to_string()).collect();
        panic!(
            "{} of {} cases differ from kustomize (seeds {}):\n{report}",
            failures.len(),
            seeds.len(),
            failed.join(", ")
        );
    }
}

fn build_ours(root: &Path, target: &str, reorder_none: bool) -> Result<String, String> {
    let root = Root::new(root).map_err(|e| e.to_string())?;
    let options = BuildOptions {
        reorder: if reorder_none {
            Reorder::None
        } else {
            Reorder::Legacy
        },
        ..BuildOptions::default()
    };
    kustomize::build_at(&root, Path::new(target), &options)
        .map(|r| kustomize::to_yaml(&r))
        .map_err(|e| e.to_string())
}

fn build_reference(
    kustomize: &Path,
    root: &Path,
    target: &str,
    reorder_none: bool,
) -> Result<String, String> {
    let reorder = if reorder_none { "none" } else { "legacy" };
    let out = Command::new(kustomize)
        .args(["build", target, "--reorder", reorder])
        .current_dir(root)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", kustomize.display()));
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).expect("kustomize prints UTF-8"))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The first differing line with three lines of context either side, `-` kustomize, `+` ours.
fn minimal_diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let first = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let from = first.saturating_sub(3);
    let mut out = String::new();
    for line in &e[from..first] {
        let _ = writeln!(out, "  {line}");
    }
    for line in e.iter().skip(first).take(4) {
        let _ = writeln!(out, "- {line}");
    }
    for line in a.iter().skip(first).take(4) {
        let _ = writeln!(out, "+ {line}");
    }
    let _ = writeln!(
        out,
        "  (first difference at line {}; kustomize printed {} lines, this engine {})",
        first + 1,
        e.len(),
        a.len()
    );
    out
}

// --- the generator ---------------------------------------------------------------------

/// splitmix64: small, seedable, the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    /// True with probability `percent` %.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A generated tree: files relative to its root, the directory to build, and whether to
/// build it with `--reorder none` (else `legacy`).
struct Case {
    files: Vec<(String, String)>,
    target: String,
    reorder_none: bool,
}

impl Case {
    fn write(&self, root: &Path) {
        for (path, text) in &self.files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }
}

/// What the generator knows of an object as it moves up the overlays.
#[derive(Clone)]
struct Obj {
    kind: &'static str,
    /// The name in its base file.
    original: String,
    /// The name after the prefixes and suffixes of the levels built so far.
    current: String,
    /// Generated by a configMapGenerator/secretGenerator (its final name gets a hash).
    generated: bool,
    /// The namespace set by the levels built so far.
    namespace: Option<String>,
}

const IMAGES: &[&str] = &[
    "nginx",
    "nginx:1.27",
    "redis:7.2",
    "registry.example.com/team/api:v1.4.0",
    "ghcr.io/org/worker",
    "busybox@sha256:0000000000000000000000000000000000000000000000000000000000000001",
];
const WORDS: &[&str] = &[
    "web", "api", "cache", "db", "worker", "front", "auth", "queue",
];
const LABEL_KEYS: &[&str] = &[
    "team",
    "tier",
    "env",
    "app.kubernetes.io/part-of",
    "example.com/owner",
];
const LABEL_VALUES: &[&str] = &[
    "blue", "green", "backend", "prod", "dev", "\"1.5\"", "x_y.z",
];

fn generate(seed: u64) -> Case {
    let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5EED);
    let mut files = Vec::new();
    let mut objects = generate_base(&mut rng, "base", 0, &mut files);
    let mut below = vec!["../base".to_string()];
    if rng.chance(25) {
        objects.extend(generate_base(&mut rng, "base2", 1, &mut files));
        below.push("../base2".to_string());
    }
    let depth = rng.range(1, 3);
    let mut target = String::new();
    for level in 1..=depth {
        let dir = format!("overlay{level}");
        generate_overlay(&mut rng, &dir, &below, &mut objects, &mut files);
        below = vec![format!("../{dir}")];
        target = dir;
    }
    let reorder_none = rng.chance(25);
    Case {
        files,
        target,
        reorder_none,
    }
}

/// A base directory with 3-10 objects of mixed kinds; returns what it defines.
fn generate_base(
    rng: &mut Rng,
    dir: &str,
    base: usize,
    files: &mut Vec<(String, String)>,
) -> Vec<Obj> {
    let mut objects = Vec::new();
    let mut docs = Vec::new();
    let mut k = String::from("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n");
    let n = rng.range(1, 3);
    let mut deployments = Vec::new();
    for i in 0..n {
        let name = format!("{}-{base}{i}", rng.pick(WORDS));
        deployments.push(name.clone());
    }
    let sa = format!("sa-{base}");
    let has_sa = rng.chance(60);
    let config = format!("config-{base}");
    let has_generated_config = rng.chance(60);
    let secret = format!("creds-{base}");
    let has_secret = rng.chance(50);
    let static_cm = format!("static-{base}");
    let has_static_cm = rng.chance(50);
    for name in &deployments {
        docs.push(deployment(
            rng,
            name,
            has_sa.then_some(sa.as_str()),
            has_generated_config.then_some(config.as_str()),
            has_secret.then_some(secret.as_str()),
            has_static_cm.then_some(static_cm.as_str()),
        ));
        objects.push(obj("Deployment", name, false));
        if rng.chance(70) {
            docs.push(service(rng, name));
            objects.push(obj("Service", name, false));
        }
    }
    if has_sa {
        docs.push(format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {sa}\n"
        ));
        objects.push(obj("ServiceAccount", &sa, false));
        if rng.chance(60) {
            let role = format!("reader-{base}");
            docs.push(format!(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: {role}\nrules:\n\
                 - apiGroups:\n  - \"\"\n  resources:\n  - configmaps\n  - secrets\n  verbs:\n  - get\n  - list\n"
            ));
            docs.push(format!(
                "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: {role}-binding\n\
                 roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: {role}\nsubjects:\n\
                 - kind: ServiceAccount\n  name: {sa}\n"
            ));
            objects.push(obj("Role", &role, false));
            objects.push(obj("RoleBinding", &format!("{role}-binding"), false));
        }
    }
    if has_static_cm {
        let mut data = String::new();
        for j in 0..rng.range(1, 3) {
            let _ = writeln!(
                data,
                "  key{j}: {}",
                rng.pick(&["value", "\"42\"", "true-ish", "a b c"])
            );
        }
        docs.push(format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {static_cm}\ndata:\n{data}"
        ));
        objects.push(obj("ConfigMap", &static_cm, false));
    }
    if has_secret {
        docs.push(format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {secret}\ntype: Opaque\ndata:\n  password: c2VjcmV0\n  user: YWRtaW4=\n"
        ));
        objects.push(obj("Secret", &secret, false));
    }
    if rng.chance(40) {
        let backend = rng.pick(&deployments).clone();
        let name = format!("ingress-{base}");
        docs.push(format!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\nspec:\n  rules:\n\
             \x20 - host: {backend}.example.com\n    http:\n      paths:\n      - path: /\n        pathType: Prefix\n\
             \x20       backend:\n          service:\n            name: {backend}\n            port:\n              number: 80\n"
        ));
        objects.push(obj("Ingress", &name, false));
    }
    if rng.chance(25) {
        // A StatefulSet whose serviceName and volumes name other objects of the base.
        let name = format!("store-{base}");
        let service = deployments[0].clone();
        let mut text = format!(
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {name}\nspec:\n  serviceName: {service}\n\
             \x20 replicas: {}\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n\
             \x20     labels:\n        app: {name}\n    spec:\n      containers:\n      - name: db\n        image: {}\n",
            rng.range(1, 3),
            rng.pick(IMAGES)
        );
        if has_static_cm {
            let _ = write!(
                text,
                "      volumes:\n      - name: config\n        configMap:\n          name: {static_cm}\n"
            );
        }
        text.push_str(
            "  volumeClaimTemplates:\n  - metadata:\n      name: data\n    spec:\n      accessModes:\n\
             \x20     - ReadWriteOnce\n      resources:\n        requests:\n          storage: 1Gi\n",
        );
        docs.push(text);
        objects.push(obj("StatefulSet", &name, false));
    }
    if rng.chance(25) {
        let name = format!("nightly-{base}");
        let mut text = format!(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {name}\nspec:\n  schedule: \"0 3 * * *\"\n\
             \x20 jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n\
             \x20         containers:\n          - name: job\n            image: {}\n",
            rng.pick(IMAGES)
        );
        if has_generated_config {
            let _ = write!(
                text,
                "            envFrom:\n            - configMapRef:\n                name: {config}\n"
            );
        }
        docs.push(text);
        objects.push(obj("CronJob", &name, false));
    }
    if base == 0 && rng.chance(30) {
        docs.push(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n\
             spec:\n  group: example.com\n  names:\n    kind: Widget\n    listKind: WidgetList\n    plural: widgets\n\
             \x20   singular: widget\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n\
             \x20   schema:\n      openAPIV3Schema:\n        type: object\n        x-kubernetes-preserve-unknown-fields: true\n"
                .to_string(),
        );
        objects.push(obj(
            "CustomResourceDefinition",
            "widgets.example.com",
            false,
        ));
        docs.push(format!(
            "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: gadget\nspec:\n  size: {}\n  colour: {}\n",
            rng.range(1, 9),
            rng.pick(&["red", "blue"])
        ));
        objects.push(obj("Widget", "gadget", false));
    }
    // Objects go into one to three files, in order.
    let parts = rng.range(1, 3).min(docs.len());
    let per = docs.len().div_ceil(parts);
    k.push_str("resources:\n");
    for (i, chunk) in docs.chunks(per).enumerate() {
        let file = format!("res{i}.yaml");
        let _ = writeln!(k, "- {file}");
        files.push((format!("{dir}/{file}"), chunk.join("---\n")));
    }
    if has_generated_config {
        k.push_str("configMapGenerator:\n");
        let _ = writeln!(k, "- name: {config}");
        k.push_str("  literals:\n");
        for j in 0..rng.range(1, 3) {
            let _ = writeln!(
                k,
                "  - KEY_{j}={}",
                rng.pick(&["on", "off", "3", "a=b", "with space"])
            );
        }
        if rng.chance(40) {
            k.push_str("  files:\n  - app.properties\n");
            files.push((
                format!("{dir}/app.properties"),
                "color=blue\nsize=large\n".into(),
            ));
        }
        objects.push(obj("ConfigMap", &config, true));
    }
    files.push((format!("{dir}/kustomization.yaml"), k));
    objects
}

fn obj(kind: &'static str, name: &str, generated: bool) -> Obj {
    Obj {
        kind,
        original: name.to_string(),
        current: name.to_string(),
        generated,
        namespace: None,
    }
}

fn deployment(
    rng: &mut Rng,
    name: &str,
    sa: Option<&str>,
    config: Option<&str>,
    secret: Option<&str>,
    static_cm: Option<&str>,
) -> String {
    let mut d = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels:\n    app: {name}\nspec:\n"
    );
    if rng.chance(70) {
        let _ = writeln!(d, "  replicas: {}", rng.range(1, 5));
    }
    let _ = write!(
        d,
        "  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n"
    );
    if let Some(sa) = sa {
        let _ = writeln!(d, "      serviceAccountName: {sa}");
    }
    d.push_str("      containers:\n");
    let _ = writeln!(d, "      - name: main\n        image: {}", rng.pick(IMAGES));
    d.push_str("        ports:\n        - containerPort: 8080\n");
    if let Some(config) = config {
        let _ = writeln!(
            d,
            "        envFrom:\n        - configMapRef:\n            name: {config}"
        );
    }
    if let Some(secret) = secret {
        let _ = writeln!(
            d,
            "        env:\n        - name: PASSWORD\n          valueFrom:\n            secretKeyRef:\n              name: {secret}\n              key: password"
        );
    }
    if rng.chance(40) {
        let _ = writeln!(
            d,
            "      - name: sidecar\n        image: {}",
            rng.pick(IMAGES)
        );
    }
    if let Some(cm) = static_cm {
        let _ = writeln!(
            d,
            "      volumes:\n      - name: config\n        configMap:\n          name: {cm}"
        );
    }
    d
}

fn service(rng: &mut Rng, app: &str) -> String {
    let port = rng.pick(&[80, 443, 8080]);
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\n  labels:\n    app: {app}\nspec:\n  selector:\n    app: {app}\n  ports:\n  - name: http\n    port: {port}\n    targetPort: 8080\n"
    )
}

/// One or two `key: value` lines.
fn labels_map(rng: &mut Rng, indent: &str) -> String {
    let mut out = String::new();
    let mut used = Vec::new();
    for _ in 0..rng.range(1, 2) {
        let key = *rng.pick(LABEL_KEYS);
        if used.contains(&key) {
            continue;
        }
        used.push(key);
        let _ = writeln!(out, "{indent}{key}: {}", rng.pick(LABEL_VALUES));
    }
    if used.is_empty() {
        let _ = writeln!(out, "{indent}generator-level: \"true\"");
    }
    out
}

fn generate_overlay(
    rng: &mut Rng,
    dir: &str,
    below: &[String],
    objects: &mut [Obj],
    files: &mut Vec<(String, String)>,
) {
    let mut k = String::from(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
    );
    for b in below {
        let _ = writeln!(k, "- {b}");
    }
    let deployments: Vec<Obj> = objects
        .iter()
        .filter(|o| o.kind == "Deployment")
        .cloned()
        .collect();
    let prefix = rng
        .chance(40)
        .then(|| format!("{}-", rng.pick(&["prod", "dev", "eu"])));
    let suffix = rng
        .chance(25)
        .then(|| format!("-{}", rng.pick(&["v2", "blue", "x"])));
    // Patches run before this level's name changes, so they name objects as they are now;
    // a target selector may also name the object as its base did.
    if rng.chance(50) {
        k.push_str("patches:\n");
        for i in 0..rng.range(1, 2) {
            let d = rng.pick(&deployments).clone();
            let selected = if rng.chance(30) {
                d.original.clone()
            } else {
                d.current.clone()
            };
            match rng.below(4) {
                0 => {
                    // A strategic merge patch in a file; its target is the object it names.
                    let file = format!("smp{i}.yaml");
                    files.push((
                        format!("{dir}/{file}"),
                        smp_patch(rng, &d.current, d.namespace.as_deref()),
                    ));
                    let _ = writeln!(k, "- path: {file}");
                }
                1 => {
                    // Inline strategic merge patch with a target selecting by kind and name.
                    let _ = writeln!(
                        k,
                        "- target:\n    kind: Deployment\n    name: {}\n  patch: |-\n{}",
                        selected,
                        indent(&smp_patch(rng, "ignored", None), "    ")
                    );
                }
                2 => {
                    // JSON 6902 ops inline, selected by kind and name.
                    let _ = writeln!(
                        k,
                        "- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: {}\n  patch: |-\n{}",
                        selected,
                        indent(&json_patch(rng), "    ")
                    );
                }
                _ => {
                    // JSON 6902 ops in a file, every Deployment (kind selector only).
                    let file = format!("json{i}.yaml");
                    files.push((format!("{dir}/{file}"), json_patch(rng)));
                    let _ = writeln!(k, "- path: {file}\n  target:\n    kind: Deployment");
                }
            }
        }
    }
    if rng.chance(20) {
        let d = rng.pick(&deployments).clone();
        files.push((
            format!("{dir}/psm.yaml"),
            smp_patch(rng, &d.current, d.namespace.as_deref()),
        ));
        k.push_str("patchesStrategicMerge:\n- psm.yaml\n");
    }
    if rng.chance(20) {
        let d = rng.pick(&deployments).clone();
        files.push((format!("{dir}/pj.yaml"), json_patch(rng)));
        // patchesJson6902 runs after this level's namePrefix/nameSuffix; kustomize's target
        // selectors match a resource's original name (the base's) or its current one.
        let name = if rng.chance(50) {
            d.original.clone()
        } else {
            format!(
                "{}{}{}",
                prefix.as_deref().unwrap_or(""),
                d.current,
                suffix.as_deref().unwrap_or("")
            )
        };
        let _ = writeln!(
            k,
            "patchesJson6902:\n- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: {name}\n  path: pj.yaml"
        );
    }
    if let Some(p) = &prefix {
        let _ = writeln!(k, "namePrefix: {p}");
    }
    if let Some(s) = &suffix {
        let _ = writeln!(k, "nameSuffix: {s}");
    }
    let namespace = rng
        .chance(40)
        .then(|| rng.pick(&["apps", "team-a", "staging"]).to_string());
    if let Some(ns) = &namespace {
        let _ = writeln!(k, "namespace: {ns}");
    }
    if rng.chance(35) {
        k.push_str("commonLabels:\n");
        k.push_str(&labels_map(rng, "  "));
    }
    if rng.chance(35) {
        k.push_str("labels:\n- pairs:\n");
        k.push_str(&labels_map(rng, "    "));
        if rng.chance(50) {
            k.push_str("  includeSelectors: true\n");
        }
        if rng.chance(50) {
            k.push_str("  includeTemplates: true\n");
        }
    }
    if rng.chance(35) {
        let _ = writeln!(
            k,
            "commonAnnotations:\n  example.com/note: {}",
            rng.pick(&["hello", "\"two words\"", "\"v1.0\"", "multi=part"])
        );
    }
    if rng.chance(40) {
        k.push_str("images:\n");
        match rng.below(4) {
            0 => k.push_str("- name: nginx\n  newTag: \"1.28\"\n"),
            1 => k.push_str("- name: redis\n  newName: mirror.example.com/redis\n"),
            2 => k.push_str("- name: ghcr.io/org/worker\n  newName: ghcr.io/org/worker2\n  newTag: v9\n"),
            _ => k.push_str(
                "- name: nginx\n  digest: sha256:00000000000000000000000000000000000000000000000000000000000000ff\n",
            ),
        }
    }
    if rng.chance(30) {
        let d = rng.pick(&deployments).clone();
        let _ = writeln!(
            k,
            "replicas:\n- name: {}\n  count: {}",
            d.current,
            rng.range(0, 7)
        );
    }
    if rng.chance(40) {
        let generated: Vec<Obj> = objects
            .iter()
            .filter(|o| o.generated && o.kind == "ConfigMap")
            .cloned()
            .collect();
        k.push_str("configMapGenerator:\n");
        if !generated.is_empty() && rng.chance(50) {
            // Merging into a base's generated ConfigMap: kustomize finds it by its
            // original name.
            let g = rng.pick(&generated).clone();
            let _ = writeln!(
                k,
                "- name: {}\n  behavior: {}\n  literals:\n  - EXTRA={}",
                g.original,
                rng.pick(&["merge", "merge", "replace"]),
                rng.pick(&["1", "two"])
            );
        } else {
            let _ = writeln!(
                k,
                "- name: {dir}-settings\n  literals:\n  - MODE={}",
                rng.pick(&["fast", "slow"])
            );
            if rng.chance(50) {
                k.push_str("  envs:\n  - settings.env\n");
                files.push((
                    format!("{dir}/settings.env"),
                    "# comment\nA=1\nB=two words\n\nC=\n".into(),
                ));
            }
        }
    }
    if rng.chance(30) {
        let _ = writeln!(
            k,
            "secretGenerator:\n- name: {dir}-token\n  literals:\n  - token={}",
            rng.pick(&["abc123", "s3cr3t!", "x"])
        );
        if rng.chance(40) {
            k.push_str("  type: kubernetes.io/opaque\n");
        }
    }
    if rng.chance(20) {
        k.push_str("generatorOptions:\n");
        if rng.chance(50) {
            k.push_str("  disableNameSuffixHash: true\n");
        }
        k.push_str("  labels:\n    generated: \"yes\"\n");
    }
    for o in objects.iter_mut() {
        if namespace.is_some() && o.kind != "CustomResourceDefinition" {
            o.namespace = namespace.clone();
        }
        o.current = format!(
            "{}{}{}",
            prefix.as_deref().unwrap_or(""),
            o.current,
            suffix.as_deref().unwrap_or("")
        );
    }
    files.push((format!("{dir}/kustomization.yaml"), k));
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| format!("{by}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn smp_patch(rng: &mut Rng, name: &str, namespace: Option<&str>) -> String {
    let mut p = format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n");
    if let Some(ns) = namespace {
        let _ = writeln!(p, "  namespace: {ns}");
    }
    match rng.below(4) {
        0 => {
            let _ = writeln!(p, "spec:\n  replicas: {}", rng.range(1, 9));
        }
        1 => p.push_str(
            "spec:\n  template:\n    spec:\n      containers:\n      - name: main\n        env:\n        - name: LOG_LEVEL\n          value: debug\n",
        ),
        2 => p.push_str(
            "spec:\n  template:\n    spec:\n      containers:\n      - name: main\n        resources:\n          limits:\n            memory: 128Mi\n",
        ),
        _ => {
            let _ = writeln!(
                p,
                "  annotations:\n    patched: \"true\"\nspec:\n  template:\n    metadata:\n      labels:\n        patched: {}",
                rng.pick(&["yes-really", "smp"])
            );
        }
    }
    p
}

fn json_patch(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("- op: add\n  path: /spec/replicas\n  value: {}\n", rng.range(1, 9)),
        1 => "- op: add\n  path: /metadata/annotations\n  value:\n    json-patched: \"yes\"\n".into(),
        2 => "- op: add\n  path: /spec/template/spec/containers/0/args\n  value:\n  - --verbose\n  - --port=8080\n".into(),
        _ => "- op: add\n  path: /spec/minReadySeconds\n  value: 5\n- op: test\n  path: /kind\n  value: Deployment\n".into(),
    }
}
