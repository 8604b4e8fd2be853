//! `tk events [--for Kind[/name]] [-A] [--watch]`: the Kubernetes events (core/v1, as flux
//! reads them) about Flux objects, as flux prints them: LAST SEEN, TYPE, REASON, OBJECT,
//! MESSAGE, oldest first. `--for Kind/name` also lists the events of the objects it refers
//! to (a Kustomization's source, a HelmRelease's chart and its source, an Alert's provider).

use std::time::Instant;

use anyhow::{Result, bail};
use futures::StreamExt as _;
use k8s_openapi::api::core::v1::Event;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::api::{Api, DynamicObject, ListParams};
use kube::core::{ApiResource, GroupVersionKind};
use kube::runtime::watcher;

use crate::cli::cluster_call;
use crate::cli::get::render;
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;

/// How `--for` finds what an object refers to (flux's `refInfo`).
struct RefInfo {
    kind: &'static str,
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    /// The kind referred to, when the reference does not say it.
    ref_kind: Option<&'static str>,
    /// Whether the reference may name another namespace.
    cross_namespaced: bool,
    /// Where the reference is in the object; empty when the kind refers to nothing.
    field: &'static [&'static str],
    /// A HelmRelease's chart: `HelmChart/<namespace>-<name>`.
    helm_chart: bool,
}

const fn kind(
    kind: &'static str,
    group: &'static str,
    version: &'static str,
    plural: &'static str,
) -> RefInfo {
    RefInfo {
        kind,
        group,
        version,
        plural,
        ref_kind: None,
        cross_namespaced: false,
        field: &[],
        helm_chart: false,
    }
}

const SOURCE: &str = "source.toolkit.fluxcd.io";
const NOTIFICATION: &str = "notification.toolkit.fluxcd.io";
const IMAGE: &str = "image.toolkit.fluxcd.io";

/// Every Flux kind (events about other kinds are left out), as flux's `fluxKindMap`, and
/// the Flagger Canary tk's canary controller serves.
const FLUX_KINDS: [RefInfo; 14] = [
    RefInfo {
        cross_namespaced: true,
        field: &["spec", "sourceRef"],
        ..kind(
            "Kustomization",
            "kustomize.toolkit.fluxcd.io",
            "v1",
            "kustomizations",
        )
    },
    RefInfo {
        cross_namespaced: true,
        field: &["spec", "chart", "spec", "sourceRef"],
        helm_chart: true,
        ..kind(
            "HelmRelease",
            "helm.toolkit.fluxcd.io",
            "v2",
            "helmreleases",
        )
    },
    RefInfo {
        ref_kind: Some("Provider"),
        field: &["spec", "providerRef"],
        ..kind("Alert", NOTIFICATION, "v1beta3", "alerts")
    },
    kind("Receiver", NOTIFICATION, "v1", "receivers"),
    kind("Provider", NOTIFICATION, "v1beta3", "providers"),
    RefInfo {
        ref_kind: Some("ImageRepository"),
        cross_namespaced: true,
        field: &["spec", "imageRepositoryRef"],
        ..kind("ImagePolicy", IMAGE, "v1beta2", "imagepolicies")
    },
    RefInfo {
        cross_namespaced: true,
        field: &["spec", "sourceRef"],
        ..kind("HelmChart", SOURCE, "v1", "helmcharts")
    },
    kind("GitRepository", SOURCE, "v1", "gitrepositories"),
    kind("OCIRepository", SOURCE, "v1", "ocirepositories"),
    kind("Bucket", SOURCE, "v1", "buckets"),
    kind("HelmRepository", SOURCE, "v1", "helmrepositories"),
    kind(
        "ImageUpdateAutomation",
        IMAGE,
        "v1beta2",
        "imageupdateautomations",
    ),
    kind("ImageRepository", IMAGE, "v1beta2", "imagerepositories"),
    kind("Canary", "flagger.app", "v1beta1", "canaries"),
];

fn flux_kind(kind: &str) -> Option<&'static RefInfo> {
    FLUX_KINDS
        .iter()
        .find(|k| k.kind.eq_ignore_ascii_case(kind))
}

#[derive(Debug, Clone)]
pub struct EventsOptions {
    pub for_selector: Option<String>,
    pub all_namespaces: bool,
    pub watch: bool,
    /// `--types`: Normal and/or Warning; empty keeps every type.
    pub types: Vec<String>,
}

/// One list (or watch) of events: a namespace (or all) and a field selector.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Query {
    namespace: Option<String>,
    fields: String,
}

fn field_selector(kind: &str, name: &str) -> String {
    if name.is_empty() {
        format!("involvedObject.kind={kind}")
    } else {
        format!("involvedObject.kind={kind},involvedObject.name={name}")
    }
}

/// `Kind[/name]` as flux's `getKindNameFromSelector` splits it.
fn kind_name(selector: &str) -> (String, String) {
    match selector.split_once('/') {
        Some((kind, name)) => (kind.to_string(), name.to_string()),
        None => (selector.to_string(), String::new()),
    }
}

fn nested_str<'a>(value: &'a serde_json::Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(value, |v, key| v.get(key))?.as_str()
}

/// The objects `info`'s object refers to, as (kind, name, namespace) (flux's
/// `getObjectRef`).
fn object_refs(
    info: &RefInfo,
    object: &serde_json::Value,
    namespace: &str,
    name: &str,
) -> Result<Vec<(String, String, String)>> {
    if info.field.is_empty() {
        return Ok(Vec::new());
    }
    let path = info.field.join(".");
    let ref_kind = match info.ref_kind {
        Some(kind) => kind.to_string(),
        None => match nested_str(object, &[info.field, &["kind"]].concat()) {
            Some(kind) => kind.to_string(),
            None => bail!("field '{path}.kind' for '{namespace}/{name}' not found"),
        },
    };
    let Some(ref_name) = nested_str(object, &[info.field, &["name"]].concat()) else {
        bail!("field '{path}.name' for '{namespace}/{name}' not found");
    };
    let mut ref_namespace = namespace.to_string();
    if info.cross_namespaced
        && let Some(ns) = nested_str(object, &[info.field, &["namespace"]].concat())
    {
        ref_namespace = ns.to_string();
    }
    let mut refs = vec![(ref_kind, ref_name.to_string(), ref_namespace.clone())];
    if info.helm_chart {
        refs.push((
            "HelmChart".to_string(),
            format!("{namespace}-{name}"),
            ref_namespace,
        ));
    }
    Ok(refs)
}

/// The time events are sorted by: the series' last observation, else the last timestamp,
/// else the event time.
fn event_time(e: &Event) -> Option<Timestamp> {
    if let Some(series) = &e.series {
        return series.last_observed_time.as_ref().map(|t| t.0);
    }
    e.last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
}

/// apimachinery's `HumanDuration`.
pub fn human_duration(d: SignedDuration) -> String {
    let seconds = d.as_secs();
    if seconds < -1 {
        return "<invalid>".to_string();
    } else if seconds < 0 {
        return "0s".to_string();
    } else if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        }
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        let h = hours % 24;
        if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        }
    } else if hours < 24 * 365 * 2 {
        format!("{}d", hours / 24)
    } else if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        }
    } else {
        format!("{}y", hours / 24 / 365)
    }
}

fn since(at: Option<Timestamp>, now: Timestamp) -> String {
    match at {
        Some(at) => human_duration(now.duration_since(at)),
        None => "<unknown>".to_string(),
    }
}

/// LAST SEEN as kubectl (and flux) word it.
fn last_seen(e: &Event, now: Timestamp) -> String {
    let first = match &e.event_time {
        Some(t) => since(Some(t.0), now),
        None => since(e.first_timestamp.as_ref().map(|t| t.0), now),
    };
    if let Some(series) = &e.series {
        format!(
            "{} (x{} over {first})",
            since(series.last_observed_time.as_ref().map(|t| t.0), now),
            series.count.unwrap_or_default()
        )
    } else if e.count.unwrap_or_default() > 1 {
        format!(
            "{} (x{} over {first})",
            since(e.last_timestamp.as_ref().map(|t| t.0), now),
            e.count.unwrap_or_default()
        )
    } else {
        first
    }
}

fn header(show_namespace: bool) -> Vec<&'static str> {
    let mut header = vec!["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];
    if show_namespace {
        header.insert(0, "NAMESPACE");
    }
    header
}

fn row(e: &Event, show_namespace: bool, now: Timestamp) -> Vec<String> {
    let mut row = vec![
        last_seen(e, now),
        e.type_.clone().unwrap_or_default(),
        e.reason.clone().unwrap_or_default(),
        format!(
            "{}/{}",
            e.involved_object.kind.as_deref().unwrap_or_default(),
            e.involved_object.name.as_deref().unwrap_or_default()
        ),
        e.message.clone().unwrap_or_default(),
    ];
    if show_namespace {
        row.insert(0, e.metadata.namespace.clone().unwrap_or_default());
    }
    row
}

/// Events about objects of other kinds, or of types not asked for, are left out.
fn ignored(e: &Event, types: &[String]) -> bool {
    let kind = e.involved_object.kind.as_deref().unwrap_or_default();
    if flux_kind(kind).is_none() {
        return true;
    }
    let type_ = e.type_.as_deref().unwrap_or_default();
    !types.is_empty() && !types.iter().any(|t| t.eq_ignore_ascii_case(type_))
}

/// The table of `events` at `now`, sorted by time; `None` when no event is left.
pub fn table(
    events: &mut [Event],
    show_namespace: bool,
    types: &[String],
    now: Timestamp,
) -> Option<String> {
    events.sort_by_key(event_time);
    let rows: Vec<Vec<String>> = events
        .iter()
        .filter(|e| !ignored(e, types))
        .map(|e| row(e, show_namespace, now))
        .collect();
    if rows.is_empty() {
        return None;
    }
    let header = header(show_namespace);
    Some(render(Some(&header), &rows))
}

fn events_api(client: &kube::Client, namespace: Option<&str>) -> Api<Event> {
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// `tk events`.
pub async fn run(
    options: &EventsOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    for t in &options.types {
        if !t.eq_ignore_ascii_case("Normal") && !t.eq_ignore_ascii_case("Warning") {
            bail!("type '{t}' not supported. Supported types are Normal, Warning");
        }
    }
    let client = settings.client().await?;
    let namespace = (!options.all_namespaces).then(|| settings.namespace.clone());
    let mut main = Query {
        namespace: namespace.clone(),
        fields: String::new(),
    };
    let mut refs = Vec::new();
    let mut different_namespace = false;
    if let Some(selector) = options.for_selector.as_deref().filter(|s| !s.is_empty()) {
        let (kind, name) = kind_name(selector);
        if kind.is_empty() {
            bail!("--for selector must be of format <kind>[/<name>]");
        }
        let Some(info) = flux_kind(&kind) else {
            bail!("'{kind}' is not a recognized Flux kind");
        };
        main.fields = field_selector(info.kind, &name);
        if !name.is_empty() && !info.field.is_empty() {
            let resource = ApiResource::from_gvk_with_plural(
                &GroupVersionKind::gvk(info.group, info.version, info.kind),
                info.plural,
            );
            let ns = &settings.namespace;
            let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &resource);
            let object = cluster_call(
                api.get(&name),
                &format!("reading {} {ns}/{name}", info.kind),
            )
            .await?;
            for (ref_kind, ref_name, ref_ns) in object_refs(info, &object.data, ns, &name)? {
                if Some(&ref_ns) != namespace.as_ref() {
                    different_namespace = true;
                }
                refs.push(Query {
                    namespace: Some(ref_ns),
                    fields: field_selector(&ref_kind, &ref_name),
                });
            }
        }
    }
    let show_namespace = namespace.is_none() || different_namespace;
    let queries: Vec<Query> = std::iter::once(main).chain(refs).collect();
    if options.watch {
        return watch(&client, &queries, show_namespace, options, settings).await;
    }
    let mut events = Vec::new();
    for query in &queries {
        let mut params = ListParams::default();
        if !query.fields.is_empty() {
            params = params.fields(&query.fields);
        }
        let list = cluster_call(
            events_api(&client, query.namespace.as_deref()).list(&params),
            "listing events",
        )
        .await?;
        events.extend(list.items);
    }
    match table(
        &mut events,
        show_namespace,
        &options.types,
        Timestamp::now(),
    ) {
        Some(text) => print!("{text}"),
        None if options.all_namespaces => printer.failure("No events found."),
        None => printer.failure(format!(
            "No events found in {} namespace.",
            settings.namespace
        )),
    }
    Ok(())
}

/// Prints a row per event as it is listed and each time one is added or changes, until
/// `--timeout`; the header comes before the first row.
async fn watch(
    client: &kube::Client,
    queries: &[Query],
    show_namespace: bool,
    options: &EventsOptions,
    settings: &GlobalSettings,
) -> Result<()> {
    let streams = queries.iter().map(|query| {
        let mut config = watcher::Config::default();
        if !query.fields.is_empty() {
            config = config.fields(&query.fields);
        }
        watcher(events_api(client, query.namespace.as_deref()), config).boxed()
    });
    let mut stream = futures::stream::select_all(streams);
    let deadline = Instant::now() + settings.timeout;
    let header = header(show_namespace);
    let mut first = true;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let event = match tokio::time::timeout(remaining, stream.next()).await {
            Err(_) | Ok(None) => return Ok(()),
            Ok(Some(event)) => event.map_err(|err| anyhow::anyhow!("watching events: {err}"))?,
        };
        let e = match event {
            watcher::Event::Apply(e) | watcher::Event::InitApply(e) => e,
            watcher::Event::Delete(_) | watcher::Event::Init | watcher::Event::InitDone => {
                continue;
            }
        };
        if ignored(&e, &options.types) {
            continue;
        }
        let rows = vec![row(&e, show_namespace, Timestamp::now())];
        print!("{}", render(first.then_some(header.as_slice()), &rows));
        first = false;
        use std::io::Write as _;
        std::io::stdout().flush()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(value: serde_json::Value) -> Event {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn human_durations_match_apimachinery() {
        let s = |secs| human_duration(SignedDuration::from_secs(secs));
        assert_eq!(s(-5), "<invalid>");
        assert_eq!(s(59), "59s");
        assert_eq!(s(119), "119s");
        assert_eq!(s(125), "2m5s");
        assert_eq!(s(600), "10m");
        assert_eq!(s(3 * 3600 + 60), "3h1m");
        assert_eq!(s(20 * 3600 + 59), "20h");
        assert_eq!(s(50 * 3600), "2d2h");
        assert_eq!(s(30 * 86400), "30d");
        assert_eq!(s(3 * 365 * 86400), "3y");
    }

    #[test]
    fn table_is_sorted_by_time_and_keeps_flux_kinds() {
        let now: Timestamp = "2024-01-02T00:00:00Z".parse().unwrap();
        let mut events = vec![
            event(json!({
                "metadata": { "name": "b", "namespace": "ns" },
                "involvedObject": { "kind": "Kustomization", "name": "apps" },
                "type": "Warning", "reason": "BuildFailed", "message": "boom",
                "count": 3,
                "firstTimestamp": "2024-01-01T00:00:00Z", "lastTimestamp": "2024-01-01T23:00:00Z"
            })),
            event(json!({
                "metadata": { "name": "a", "namespace": "ns" },
                "involvedObject": { "kind": "GitRepository", "name": "repo" },
                "type": "Normal", "reason": "NewArtifact", "message": "stored",
                "firstTimestamp": "2024-01-01T10:00:00Z", "lastTimestamp": "2024-01-01T10:00:00Z"
            })),
            event(json!({
                "metadata": { "name": "c", "namespace": "ns" },
                "involvedObject": { "kind": "Pod", "name": "p" },
                "type": "Normal", "reason": "Started", "message": "x",
                "lastTimestamp": "2024-01-01T12:00:00Z"
            })),
        ];
        assert_eq!(
            table(&mut events.clone(), false, &[], now).unwrap(),
            "LAST SEEN        \tTYPE   \tREASON     \tOBJECT            \tMESSAGE \n\
             14h              \tNormal \tNewArtifact\tGitRepository/repo\tstored \t\n\
             60m (x3 over 24h)\tWarning\tBuildFailed\tKustomization/apps\tboom   \t\n"
        );
        assert_eq!(
            table(&mut events, true, &["warning".to_string()], now).unwrap(),
            "NAMESPACE\tLAST SEEN        \tTYPE   \tREASON     \tOBJECT            \tMESSAGE \n\
             ns       \t60m (x3 over 24h)\tWarning\tBuildFailed\tKustomization/apps\tboom   \t\n"
        );
    }

    #[test]
    fn for_finds_the_source_and_the_helm_chart() {
        let ks = json!({ "spec": { "sourceRef": { "kind": "GitRepository", "name": "repo", "namespace": "src" } } });
        assert_eq!(
            object_refs(flux_kind("kustomization").unwrap(), &ks, "ns", "apps").unwrap(),
            vec![("GitRepository".into(), "repo".into(), "src".into())]
        );
        let hr = json!({ "spec": { "chart": { "spec": { "sourceRef": { "kind": "HelmRepository", "name": "charts" } } } } });
        assert_eq!(
            object_refs(flux_kind("HelmRelease").unwrap(), &hr, "ns", "web").unwrap(),
            vec![
                ("HelmRepository".into(), "charts".into(), "ns".into()),
                ("HelmChart".into(), "ns-web".into(), "ns".into())
            ]
        );
        assert!(
            object_refs(flux_kind("GitRepository").unwrap(), &ks, "ns", "x")
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            kind_name("Kustomization"),
            ("Kustomization".into(), String::new())
        );
        assert_eq!(
            field_selector("Kustomization", "apps"),
            "involvedObject.kind=Kustomization,involvedObject.name=apps"
        );
    }
}
