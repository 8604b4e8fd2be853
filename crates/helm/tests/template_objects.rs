//! `.Chart` reads chart metadata with Go's field names, as Helm's `*chart.Metadata`.

#[test]
fn chart_metadata_reads_with_go_field_names() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus/helm/charts/bitnami/nginx");
    let chart = helm::loader::load(&dir, &helm::loader::Limits::default()).unwrap();
    let mut t = gotemplate::Template::new("t");
    t.parse(
        "{{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Chart.Annotations.licenses }} \
         {{ (index .Chart.Dependencies 0).Name }} {{ (index .Chart.Dependencies 0).Tags }} {{ printf \"%T\" .Chart }} \
         {{ (index .Chart.Maintainers 0).Name }} {{ .Chart.Deprecated }}",
    )
    .unwrap();
    let data = gotemplate::Value::map(
        [(
            gotemplate::Str::from("Chart"),
            helm::template_objects::MetadataObject::value(&chart.metadata),
        )]
        .into_iter()
        .collect(),
    );
    let out = t.execute(&data).unwrap();
    assert_eq!(
        out,
        format!(
            "nginx {} {} Apache-2.0 common [bitnami-common] *chart.Metadata Broadcom, Inc. All Rights Reserved. false",
            chart.metadata.version, chart.metadata.app_version
        )
    );
}
