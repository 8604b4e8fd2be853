//! Rendered files to resources and hooks: Helm's `releaseutil` (SplitManifests,
//! SortManifests, InstallOrder).

use std::collections::BTreeMap;

use crate::release::Hook;

/// One resource document and the file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The template path (`chart/templates/x.yaml`).
    pub name: String,
    pub content: String,
    pub kind: String,
    pub api_version: String,
}

/// Helm's `InstallOrder`: the kind order in which resources are created.
#[derive(Debug, Clone, Copy)]
pub struct InstallOrder;

impl InstallOrder {
    pub const KINDS: [&'static str; 38] = [
        "PriorityClass",
        "Namespace",
        "NetworkPolicy",
        "ResourceQuota",
        "LimitRange",
        "PodSecurityPolicy",
        "PodDisruptionBudget",
        "ServiceAccount",
        "Secret",
        "SecretList",
        "ConfigMap",
        "StorageClass",
        "PersistentVolume",
        "PersistentVolumeClaim",
        "CustomResourceDefinition",
        "ClusterRole",
        "ClusterRoleList",
        "ClusterRoleBinding",
        "ClusterRoleBindingList",
        "Role",
        "RoleList",
        "RoleBinding",
        "RoleBindingList",
        "Service",
        "DaemonSet",
        "Pod",
        "ReplicationController",
        "ReplicaSet",
        "Deployment",
        "HorizontalPodAutoscaler",
        "StatefulSet",
        "Job",
        "CronJob",
        "IngressClass",
        "Ingress",
        "APIService",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
    ];

    fn rank(kind: &str) -> Option<usize> {
        Self::KINDS.iter().position(|k| *k == kind)
    }

    /// Helm's `lessByKind`: known kinds in order, unknown kinds after them sorted by
    /// name; equal ranks keep their order (the sort is stable).
    pub fn compare(a: &str, b: &str) -> std::cmp::Ordering {
        use std::cmp::Ordering::*;
        match (Self::rank(a), Self::rank(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Less,
            (None, Some(_)) => Greater,
            (None, None) => a.cmp(b),
        }
    }
}

fn go_trim_space(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace())
}

/// Go's `\s`: ASCII whitespace without `\v`.
fn is_go_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn skip_go_space(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_go_space(s[i]) {
        i += 1;
    }
    i
}

/// Go's `regexp.MustCompile("(?:^|\\s*\n)---\\s*").Split(s, -1)`, written out: compiling the
/// regex took longer than splitting a chart's output. A separator is `---` at the start,
/// or after a newline that ends a run of whitespace; it takes that run and the whitespace
/// after it.
fn split_on_separators(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut pieces = Vec::new();
    let mut begin = 0;
    if s.starts_with("---") {
        begin = skip_go_space(b, 3);
    }
    let mut from = begin;
    while let Some(at) = s[from..].find("\n---") {
        let newline = from + at;
        let mut start = newline;
        while start > from && is_go_space(b[start - 1]) {
            start -= 1;
        }
        pieces.push(&s[begin..start]);
        begin = skip_go_space(b, newline + 4);
        from = begin;
    }
    pieces.push(&s[begin..]);
    pieces
}

/// Helm's `SplitManifests`: the YAML documents of a file, trimmed, empty ones dropped,
/// in file order.
pub fn split_manifests(big: &str) -> Vec<String> {
    split_on_separators(go_trim_space(big))
        .into_iter()
        .filter(|d| !d.is_empty())
        .map(|d| go_trim_space(d).to_string())
        .collect()
}

const HOOK_ANNOTATION: &str = "helm.sh/hook";
const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";
const HOOK_OUTPUT_LOG_ANNOTATION: &str = "helm.sh/hook-output-log-policy";

const HOOK_EVENTS: [&str; 10] = [
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

struct Head {
    kind: String,
    api_version: String,
    name: String,
    annotations: BTreeMap<String, String>,
}

fn parse_head(path: &str, doc: &str) -> Result<Head, String> {
    let map = goyaml::unmarshal_map(doc).map_err(|e| {
        let msg = e
            .to_string()
            .replace("map[string]interface {}", "releaseutil.SimpleHead");
        format!("YAML parse error on {path}: {msg}")
    })?;
    let field_err = |field: &str, v: &serde_json::Value| {
        let what = match v {
            serde_json::Value::Array(_) => "array",
            serde_json::Value::Object(_) => "object",
            serde_json::Value::Bool(_) => "bool",
            serde_json::Value::Number(_) => "number",
            _ => "string",
        };
        format!(
            "YAML parse error on {path}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {what} into Go struct field {field} of type string"
        )
    };
    let string = |v: Option<&serde_json::Value>, field: &str| -> Result<String, String> {
        match v {
            None | Some(serde_json::Value::Null) => Ok(String::new()),
            Some(serde_json::Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(field_err(field, other)),
        }
    };
    let kind = string(map.get("kind"), "SimpleHead.kind")?;
    let api_version = string(map.get("apiVersion"), "SimpleHead.apiVersion")?;
    let mut name = String::new();
    let mut annotations = BTreeMap::new();
    if let Some(serde_json::Value::Object(md)) = map.get("metadata") {
        name = string(md.get("name"), "SimpleHead.metadata.name")?;
        if let Some(serde_json::Value::Object(ann)) = md.get("annotations") {
            for (k, v) in ann {
                annotations.insert(
                    k.clone(),
                    string(Some(v), "SimpleHead.metadata.annotations")?,
                );
            }
        }
    }
    Ok(Head {
        kind,
        api_version,
        name,
        annotations,
    })
}

fn annotation_values(head: &Head, key: &str) -> Vec<String> {
    head.annotations
        .get(key)
        .map(|v| {
            v.split(',')
                .map(|p| go_trim_space(p).to_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

/// Helm's `SortManifests` with `InstallOrder`: files in path order (partials and blank
/// files skipped), documents in file order, then hooks and resources each sorted stably
/// by kind. Documents with an unknown hook event are dropped, as Helm does. The error
/// is Helm's `YAML parse error on PATH: ...`.
pub fn sort_manifests(
    files: &BTreeMap<String, String>,
    _order: InstallOrder,
) -> Result<(Vec<Hook>, Vec<Manifest>), String> {
    let mut hooks = Vec::new();
    let mut generic = Vec::new();
    for (path, content) in files {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || go_trim_space(content).is_empty() {
            continue;
        }
        for doc in split_manifests(content) {
            let head = parse_head(path, &doc)?;
            let Some(events) = head.annotations.get(HOOK_ANNOTATION) else {
                generic.push(Manifest {
                    name: path.clone(),
                    content: doc,
                    kind: head.kind,
                    api_version: head.api_version,
                });
                continue;
            };
            let events: Vec<String> = events
                .split(',')
                .map(|e| go_trim_space(e).to_lowercase())
                .collect();
            if events.iter().any(|e| !HOOK_EVENTS.contains(&e.as_str())) {
                continue;
            }
            let weight = head
                .annotations
                .get(HOOK_WEIGHT_ANNOTATION)
                .and_then(|w| w.parse::<i32>().ok())
                .unwrap_or(0);
            hooks.push(Hook {
                name: head.name.clone(),
                kind: head.kind.clone(),
                path: path.clone(),
                manifest: doc,
                events: events
                    .into_iter()
                    .map(|e| {
                        if e == "test-success" {
                            "test".into()
                        } else {
                            e
                        }
                    })
                    .collect(),
                weight: weight.into(),
                delete_policies: annotation_values(&head, HOOK_DELETE_ANNOTATION),
                output_log_policies: annotation_values(&head, HOOK_OUTPUT_LOG_ANNOTATION),
                ..Hook::default()
            });
        }
    }
    hooks.sort_by(|a, b| InstallOrder::compare(&a.kind, &b.kind));
    generic.sort_by(|a, b| InstallOrder::compare(&a.kind, &b.kind));
    Ok((hooks, generic))
}

/// Whether a hook runs with `helm test` (and is left out by `--skip-tests`).
pub fn is_test_hook(h: &Hook) -> bool {
    h.events.iter().any(|e| e == "test")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The regex Helm splits with, as the reference; empty pieces (which Go's and Rust's
    /// `Split` place differently) are dropped, as `SplitManifests` drops them.
    fn split_like_go<'a>(re: &regex::Regex, s: &'a str) -> Vec<&'a str> {
        re.split(s).filter(|p| !p.is_empty()).collect()
    }

    fn split(s: &str) -> Vec<&str> {
        let mut pieces = split_on_separators(s);
        pieces.retain(|p| !p.is_empty());
        pieces
    }

    #[test]
    fn splits_where_helms_separator_regex_matches() {
        let re = regex::Regex::new(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*").unwrap();
        // Every string of up to 6 characters over an alphabet that makes separators, near
        // misses and whitespace runs, then some longer ones.
        let alphabet = ['-', '\n', ' ', '\t', 'a', '\x0b'];
        let mut cases: Vec<String> = vec![String::new()];
        let mut last = cases.clone();
        for _ in 0..6 {
            last = last
                .iter()
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            cases.extend(last.iter().cloned());
        }
        cases.extend(
            [
                "a: 1\n---\nb: 2\n  \n---  \n\nc: 3",
                "---\n---\n---",
                "a\n----b\n--- c\n \t\n---\n",
                "x \r\n---\r\ny",
            ]
            .map(String::from),
        );
        for case in &cases {
            assert_eq!(split(case), split_like_go(&re, case), "{case:?}");
        }
    }
}
