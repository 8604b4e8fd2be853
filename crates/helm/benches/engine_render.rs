//! Rendering cost: a chart with many partials, and `tpl` called in a loop. Helm re-parses
//! every template of the release on each `tpl` call (quadratic in loops); ours parses
//! only the new text, so time per `tpl` call should stay flat as the chart grows.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use helm::File;
use helm::engine::{RenderOptions, render_templates};

fn chart(partials: usize, calls: usize) -> helm::Chart {
    let mut files = vec![File::new(
        "Chart.yaml",
        "apiVersion: v2\nname: bench\nversion: 0.1.0\n",
    )];
    for i in 0..partials {
        files.push(File::new(
            format!("templates/_h{i}.tpl"),
            format!("{{{{ define \"h{i}\" }}}}name-{{{{ .Release.Name }}}}-{i}{{{{ end }}}}"),
        ));
    }
    files.push(File::new(
        "values.yaml",
        "label: \"{{ include \\\"h0\\\" . }}\"\n",
    ));
    files.push(File::new(
        "templates/cm.yaml",
        format!("{{{{ range until {calls} }}}}- {{{{ tpl $.Values.label $ }}}}\n{{{{ end }}}}"),
    ));
    helm::loader::load_files(files, &Default::default()).unwrap()
}

fn tpl_in_loop(c: &mut Criterion) {
    let mut g = c.benchmark_group("tpl_in_loop");
    g.sample_size(10);
    for partials in [10, 100, 1000] {
        let ch = chart(partials, 1000);
        let vals = helm::values::to_render_values(&ch, &Default::default(), false).unwrap();
        let opts = RenderOptions::default();
        g.bench_with_input(BenchmarkId::from_parameter(partials), &partials, |b, _| {
            b.iter(|| render_templates(&ch, &vals, &opts).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, tpl_in_loop);
criterion_main!(benches);
