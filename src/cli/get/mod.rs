//! `tk get sources git|helm|chart|oci|bucket|all`, `tk get kustomizations|helmreleases`,
//! `tk get alerts|alert-providers|receivers`, `tk get canaries` and `tk get all`: each kind's
//! flux table (NAME, REVISION, SUSPENDED, READY, MESSAGE for sources, Kustomizations and
//! HelmReleases; NAME, SUSPENDED, READY, MESSAGE for Alerts and Receivers; NAME, READY,
//! MESSAGE for Providers), laid out exactly as the flux CLI's table printer does (cells
//! padded, tab-separated, a trailing tab on rows). One code path serves every kind; the
//! revision comes from the field the kind keeps it in, and the status-less Alerts and
//! Providers (and OCI HelmRepositories, which no controller reports on) are always Ready, as
//! flux prints them. Canaries, which report a phase instead of Ready, get Flagger's printer
//! columns (STATUS, WEIGHT, FAILED CHECKS, LAST TRANSITION, the time as Flagger writes it)
//! in the same layout, with SUSPENDED and the `Promoted` condition's MESSAGE.

use std::time::Instant;

use anyhow::{Result, bail};
use comfy_table::{ContentLineStyle, Table, TableStyle};
use futures::StreamExt as _;
use kube::api::{DynamicObject, ListParams};
use kube::runtime::watcher;

use crate::cli::args::GetFilterArgs;
use crate::cli::canary;
use crate::cli::cluster_call;
use crate::cli::objects::{self, Kind, Table as Columns};
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;

#[derive(Debug, Clone)]
pub struct GetOptions {
    /// `None` lists every namespace and adds the NAMESPACE column.
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub no_header: bool,
    /// Condition type and status, compared case-insensitively.
    pub status_selector: Option<(String, String)>,
    pub label_selector: Option<String>,
    pub watch: bool,
}

impl GetOptions {
    pub fn resolve(
        filter: &GetFilterArgs,
        name: Option<&str>,
        watch: bool,
        settings: &GlobalSettings,
    ) -> Result<Self> {
        let status_selector = match filter.status_selector.as_deref() {
            None | Some("") => None,
            Some(selector) => match selector.split_once('=') {
                Some((t, s)) if !t.is_empty() && !s.is_empty() => {
                    Some((t.to_string(), s.to_string()))
                }
                _ => bail!(
                    "flag --status-selector: expected type=status such as ready=false, got {selector:?}"
                ),
            },
        };
        Ok(Self {
            namespace: (!filter.all_namespaces).then(|| settings.namespace.clone()),
            name: name.map(str::to_string),
            no_header: filter.no_header,
            status_selector,
            label_selector: filter.label_selector.clone().filter(|s| !s.is_empty()),
            watch,
        })
    }

    fn namespace_phrase(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns:?} namespace"),
            None => "any namespace".to_string(),
        }
    }

    fn matches(&self, kind: Kind, object: &DynamicObject) -> bool {
        match &self.status_selector {
            None => true,
            // flux's static kinds match no status selector.
            Some(_) if kind.static_status => false,
            Some((type_, status)) => objects::condition(object, type_)
                .and_then(|c| c["status"].as_str())
                .is_some_and(|s| s.eq_ignore_ascii_case(status)),
        }
    }

    fn header(&self, kind: Kind) -> Vec<&'static str> {
        let mut header = match kind.table {
            Columns::Revision => vec!["NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"],
            Columns::Suspended => vec!["NAME", "SUSPENDED", "READY", "MESSAGE"],
            Columns::Ready => vec!["NAME", "READY", "MESSAGE"],
            Columns::Canary => vec![
                "NAME",
                "STATUS",
                "WEIGHT",
                "FAILED CHECKS",
                "SUSPENDED",
                "LAST TRANSITION",
                "MESSAGE",
            ],
        };
        if self.namespace.is_none() {
            header.insert(0, "NAMESPACE");
        }
        header
    }

    /// One row; `with_kind` prefixes the name with the lowercased kind, as `get all` does.
    fn row(&self, kind: Kind, with_kind: bool, object: &DynamicObject) -> Vec<String> {
        let name = object.metadata.name.clone().unwrap_or_default();
        let name = if with_kind {
            format!("{}/{name}", kind.kind.to_ascii_lowercase())
        } else {
            name
        };
        let (ready, message) = if kind.is_static(object) {
            ("True".to_string(), kind.static_ready_message())
        } else {
            objects::ready_status(object)
        };
        let suspended = if objects::suspended(object) {
            "True"
        } else {
            "False"
        }
        .to_string();
        let mut row = match kind.table {
            // flux's HelmRelease table prints the chart version and message as they are.
            Columns::Revision if kind.revision == objects::RevisionField::History => vec![
                name,
                kind.revision(object).unwrap_or_default().to_string(),
                suspended,
                ready,
                message,
            ],
            Columns::Revision => vec![
                name,
                truncate_hex(kind.revision(object).unwrap_or_default()),
                suspended,
                ready,
                truncate_hex(&message),
            ],
            // flux shortens hex only in the source and applier tables: a Receiver's message
            // keeps its whole webhook path.
            Columns::Suspended => vec![name, suspended, ready, message],
            Columns::Ready => vec![name, ready, message],
            // Flagger's printer columns, printed as kubectl prints them (the transition time
            // is a string column).
            Columns::Canary => {
                let status = &object.data["status"];
                let cell = |field: &str| match &status[field] {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                vec![
                    name,
                    canary::phase(object).to_string(),
                    cell("canaryWeight"),
                    cell("failedChecks"),
                    suspended,
                    cell("lastTransitionTime"),
                    canary::message(object),
                ]
            }
        };
        if self.namespace.is_none() {
            row.insert(0, object.metadata.namespace.clone().unwrap_or_default());
        }
        row
    }

    fn list_params(&self) -> ListParams {
        let mut params = ListParams::default();
        if let Some(labels) = &self.label_selector {
            params = params.labels(labels);
        }
        if let Some(name) = &self.name {
            params = params.fields(&format!("metadata.name={name}"));
        }
        params
    }
}

/// Flux shortens commit and digest hex in revisions and messages to 8 characters.
fn truncate_hex(text: &str) -> String {
    static HEX: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\b([0-9a-f]{8})[0-9a-f]{32,120}\b").expect("valid regex")
    });
    HEX.replace_all(text, "$1").into_owned()
}

/// The table as flux's printer lays it out: left-aligned cells padded to the column width,
/// joined by tabs; the header ends in a space and every row in a tab.
pub fn render(header: Option<&[&str]>, rows: &[Vec<String>]) -> String {
    let mut table = Table::new();
    table.load_style(
        TableStyle::new()
            .header_lines(ContentLineStyle::none().junction('\t').right(' '))
            .content_lines(ContentLineStyle::none().junction('\t').right('\t')),
    );
    if let Some(header) = header {
        table.set_header(header.to_vec());
    }
    table.add_rows(rows.to_vec());
    for column in table.column_iter_mut() {
        column.set_padding((0, 0));
    }
    let mut out = String::new();
    for line in table.lines() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The table of one kind; with `--watch`, a row per change until `--timeout`.
pub async fn one_kind(
    kind: Kind,
    options: &GetOptions,
    settings: &GlobalSettings,
    printer: Printer,
) -> Result<()> {
    let client = settings.client().await?;
    if options.watch {
        return watch(&client, kind, options, settings).await;
    }
    let items = list(&client, kind, options).await?;
    if items.is_empty() {
        match &options.name {
            Some(name) => printer.failure(format!(
                "{} object '{name}' not found in {}",
                kind.kind,
                options.namespace_phrase()
            )),
            None => printer.failure(format!(
                "no {} objects found in {}",
                kind.kind,
                options.namespace_phrase()
            )),
        }
        return Ok(());
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .filter(|o| options.matches(kind, o))
        .map(|o| options.row(kind, false, o))
        .collect();
    let header = options.header(kind);
    print!(
        "{}",
        render((!options.no_header).then_some(header.as_slice()), &rows)
    );
    Ok(())
}

/// Every kind of `kinds` with at least one object, one table each, a blank line after each
/// (as flux prints them); kinds whose CRD is not installed are skipped.
pub async fn all(kinds: &[Kind], options: &GetOptions, settings: &GlobalSettings) -> Result<()> {
    let client = settings.client().await?;
    for &kind in kinds {
        let api = kind.api(&client, options.namespace.as_deref());
        if let Err(kube::Error::Api(status)) =
            api.list_metadata(&ListParams::default().limit(1)).await
            && status.code == 404
        {
            continue;
        }
        let items = list(&client, kind, options).await?;
        if items.is_empty() {
            continue;
        }
        let rows: Vec<Vec<String>> = items
            .iter()
            .filter(|o| options.matches(kind, o))
            .map(|o| options.row(kind, true, o))
            .collect();
        let header = options.header(kind);
        print!(
            "{}",
            render((!options.no_header).then_some(header.as_slice()), &rows)
        );
        println!();
    }
    Ok(())
}

async fn list(
    client: &kube::Client,
    kind: Kind,
    options: &GetOptions,
) -> Result<Vec<DynamicObject>> {
    let api = kind.api(client, options.namespace.as_deref());
    let mut items = cluster_call(
        api.list(&options.list_params()),
        &format!(
            "listing {} objects in {}",
            kind.kind,
            options.namespace_phrase()
        ),
    )
    .await?
    .items;
    items.sort_by(|a, b| {
        (&a.metadata.namespace, &a.metadata.name).cmp(&(&b.metadata.namespace, &b.metadata.name))
    });
    Ok(items)
}

/// Prints a row for every object as it is listed and again each time it changes, until
/// `--timeout`; each row is laid out on its own, as flux's watch does.
async fn watch(
    client: &kube::Client,
    kind: Kind,
    options: &GetOptions,
    settings: &GlobalSettings,
) -> Result<()> {
    let api = kind.api(client, options.namespace.as_deref());
    let mut config = watcher::Config::default();
    if let Some(labels) = &options.label_selector {
        config = config.labels(labels);
    }
    if let Some(name) = &options.name {
        config = config.fields(&format!("metadata.name={name}"));
    }
    let deadline = Instant::now() + settings.timeout;
    let stream = watcher(api, config);
    futures::pin_mut!(stream);
    let header = options.header(kind);
    let mut first = !options.no_header;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let event = match tokio::time::timeout(remaining, stream.next()).await {
            Err(_) | Ok(None) => return Ok(()),
            Ok(Some(event)) => event.map_err(|err| {
                anyhow::anyhow!(
                    "watching {} objects: {err}: check --namespace and that the CRD is installed",
                    kind.kind
                )
            })?,
        };
        let object = match event {
            watcher::Event::Apply(o) | watcher::Event::InitApply(o) | watcher::Event::Delete(o) => {
                o
            }
            watcher::Event::Init | watcher::Event::InitDone => continue,
        };
        if !options.matches(kind, &object) {
            continue;
        }
        let row = vec![options.row(kind, false, &object)];
        let text = render(first.then_some(header.as_slice()), &row);
        first = false;
        print!("{text}");
        use std::io::Write as _;
        std::io::stdout().flush()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_flux_table_printer() {
        let rows = vec![
            vec![
                "gr-failed".into(),
                "".into(),
                "False".into(),
                "False".into(),
                "failed to checkout and determine revision".into(),
            ],
            vec![
                "gr-unknown".into(),
                "".into(),
                "False".into(),
                "Unknown".into(),
                "reconciliation in progress".into(),
            ],
        ];
        assert_eq!(
            render(
                Some(&["NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"]),
                &rows
            ),
            "NAME      \tREVISION\tSUSPENDED\tREADY  \tMESSAGE                                   \n\
             gr-failed \t        \tFalse    \tFalse  \tfailed to checkout and determine revision\t\n\
             gr-unknown\t        \tFalse    \tUnknown\treconciliation in progress               \t\n"
        );
    }

    #[test]
    fn shortens_hex_in_revisions_and_messages() {
        assert_eq!(
            truncate_hex("Fetched revision: main@sha1:696f056df216eea4f9401adbee0ff744d4df390f"),
            "Fetched revision: main@sha1:696f056d"
        );
        assert_eq!(truncate_hex("v1.2.3"), "v1.2.3");
    }
}
