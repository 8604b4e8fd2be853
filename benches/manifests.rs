//! What `tk install --export` does per run: render every object (CRD schemas included) and
//! serialise them as YAML. Whole-process start-up is measured by benches/startup.sh.

use criterion::{Criterion, criterion_group, criterion_main};
use tk::manifests::{self, InstallOptions};

fn render(c: &mut Criterion) {
    let options = InstallOptions::defaults("flux-system");
    c.bench_function("manifests/render", |b| {
        b.iter(|| manifests::render(&options))
    });
    let objects = manifests::render(&options);
    c.bench_function("manifests/to_yaml", |b| {
        b.iter(|| manifests::to_yaml(&objects))
    });
}

criterion_group!(benches, render);
criterion_main!(benches);
