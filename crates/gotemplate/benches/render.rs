//! Rendering a Helm-like chart: helpers included through `template`, ranges over lists and
//! maps, `printf`, deep field chains, with values decoded from JSON as Helm does.

use criterion::{Criterion, criterion_group, criterion_main};
use gotemplate::{Template, Value};
use serde_json::json;

const HELPERS: &str = r#"
{{- define "chart.name" -}}
{{- if .Values.nameOverride }}{{ .Values.nameOverride }}{{ else }}{{ .Chart.Name }}{{ end -}}
{{- end }}

{{- define "chart.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{ .Values.fullnameOverride }}
{{- else -}}
{{ printf "%s-%s" .Release.Name .Chart.Name }}
{{- end -}}
{{- end }}

{{- define "chart.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ template "chart.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- range $k, $v := .Values.podLabels }}
{{ $k }}: {{ printf "%q" $v }}
{{- end }}
{{- end }}

{{- define "chart.selectorLabels" -}}
app.kubernetes.io/name: {{ template "chart.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
"#;

const DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ template "chart.fullname" . }}
  labels:
    {{- template "chart.labels" . }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      {{- template "chart.selectorLabels" . }}
  template:
    metadata:
      {{- with .Values.podAnnotations }}
      annotations:
        {{- range $k, $v := . }}
        {{ $k }}: {{ $v | printf "%q" }}
        {{- end }}
      {{- end }}
    spec:
      containers:
        {{- range $i, $c := .Values.containers }}
        - name: {{ printf "%s-%d" $c.name $i }}
          image: "{{ $.Values.image.registry }}/{{ $.Values.image.repository }}:{{ $.Values.image.tag | default $.Chart.AppVersion }}"
          imagePullPolicy: {{ $.Values.image.pullPolicy }}
          ports:
            {{- range $c.ports }}
            - name: {{ .name }}
              containerPort: {{ .port }}
              protocol: {{ .protocol | default "TCP" }}
            {{- end }}
          env:
            {{- range $k, $v := $.Values.env }}
            - name: {{ $k }}
              value: {{ printf "%v" $v | printf "%q" }}
            {{- end }}
          resources:
            limits:
              cpu: {{ $.Values.resources.limits.cpu }}
              memory: {{ $.Values.resources.limits.memory }}
          {{- if and $.Values.probes.enabled (gt (len $c.ports) 0) }}
          livenessProbe:
            httpGet:
              path: {{ $.Values.probes.path }}
              port: {{ (index $c.ports 0).name }}
          {{- end }}
        {{- end }}
"#;

fn values() -> Value {
    let env: serde_json::Map<String, serde_json::Value> = (0..40)
        .map(|i| (format!("ENV_VAR_{i:02}"), json!(format!("value-{i}"))))
        .chain((0..10).map(|i| (format!("NUM_{i}"), json!(i * 1000))))
        .collect();
    let containers: Vec<serde_json::Value> = (0..4)
        .map(|c| {
            json!({
                "name": format!("c{c}"),
                "ports": (0..5).map(|p| json!({"name": format!("p{p}"), "port": 8000 + p})).collect::<Vec<_>>(),
            })
        })
        .collect();
    Value::from_json(&json!({
        "Chart": {"Name": "web", "Version": "1.2.3", "AppVersion": "2.0.0"},
        "Release": {"Name": "prod", "Service": "Helm"},
        "Values": {
            "nameOverride": "",
            "fullnameOverride": "",
            "replicaCount": 3,
            "autoscaling": {"enabled": false},
            "podLabels": {"team": "payments", "tier": "backend", "cost-center": "42"},
            "podAnnotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"},
            "image": {"registry": "registry.example.com", "repository": "org/web", "tag": "v2.0.1", "pullPolicy": "IfNotPresent"},
            "containers": containers,
            "env": env,
            "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
            "probes": {"enabled": true, "path": "/healthz"},
        }
    }))
}

fn chart() -> Template {
    let mut t = Template::new("chart");
    let mut funcs = gotemplate::FuncMap::new();
    // Sprig's `default`, the one function charts use everywhere.
    funcs.add(
        "default",
        "func(d interface {}, v ...interface {}) interface {}",
        |_, a| {
            Ok(match a.get(1) {
                Some(v) if v.truth() => v.clone(),
                _ => a[0].clone(),
            })
        },
    );
    t.funcs(funcs);
    t.parse_named("templates/_helpers.tpl", HELPERS).unwrap();
    t.parse_named("templates/deployment.yaml", DEPLOYMENT)
        .unwrap();
    t
}

fn render(c: &mut Criterion) {
    let t = chart();
    let data = values();
    let out = t
        .execute_template("templates/deployment.yaml", &data)
        .unwrap();
    assert!(out.contains("containerPort: 8004") && out.contains("ENV_VAR_39"));
    c.bench_function("render_deployment", |b| {
        b.iter(|| {
            t.execute_template("templates/deployment.yaml", &data)
                .unwrap()
        })
    });
    c.bench_function("parse_chart", |b| b.iter(chart));
    c.bench_function("values_from_json", |b| b.iter(values));
}

criterion_group!(benches, render);
criterion_main!(benches);
