//! `tk diff kustomization NAME --path DIR` (flux's `diff kustomization`): the build of
//! `tk build kustomization`, server-side dry-run against the cluster through the SSA engine's
//! diff, printed as flux does. Exit status: 0 no differences, 1 differences, 2 failure.

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::{Result, anyhow};

use super::build::{self, BuildOptions};
use super::printer::Printer;
use super::settings::GlobalSettings;
use crate::api::kustomize::GROUP;
use crate::ssa::{Action, DiffEntry, ObjectRef, Owner, ResourceManager};

/// kustomize-controller's field manager: the dry run compares with what it applied.
const FIELD_MANAGER: &str = "kustomize-controller";

/// Runs the diff; the exit code is flux's (0 none, 1 drift, 2 error).
pub async fn run(options: &BuildOptions, settings: &GlobalSettings, printer: Printer) -> ExitCode {
    finish(diff(options, settings).await, printer)
}

/// Prints a diff's report and maps it to flux's exit code (0 none, 1 changes, 2 error).
pub fn finish(result: Result<(String, bool)>, printer: Printer) -> ExitCode {
    match result {
        Ok((output, changed)) => {
            print!("{output}");
            if changed {
                printer.failure("identified at least one change, exiting with non-zero exit code");
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(err) => {
            printer.failure(format!("{err:#}"));
            ExitCode::from(2)
        }
    }
}

/// The report and whether anything would be created, changed or deleted.
pub async fn diff(options: &BuildOptions, settings: &GlobalSettings) -> Result<(String, bool)> {
    let client = settings.client().await?;
    let ks = build::kustomization(options, settings, Some(&client)).await?;
    let objects = build::render(options, &ks, Some(&client)).await?;
    let owner = Owner {
        group: GROUP.to_string(),
        name: ks.metadata.name.clone().unwrap_or_default(),
        namespace: ks.metadata.namespace.clone().unwrap_or_default(),
    };
    let manager = ResourceManager::new(client, FIELD_MANAGER, owner);
    let entries = manager
        .diff_all(objects)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let (mut output, mut changed) = report(&entries);
    let applied: BTreeSet<String> = entries.iter().map(|e| inventory_id(&e.object)).collect();
    if ks.spec.prune {
        let inventory = ks.status.as_ref().and_then(|s| s.inventory.as_ref());
        let mut deleted: Vec<String> = inventory
            .map(|i| i.entries.as_slice())
            .unwrap_or_default()
            .iter()
            .filter(|e| !applied.contains(&e.id))
            .filter_map(|e| describe_id(&e.id))
            .collect();
        deleted.sort();
        for object in deleted {
            output.push_str(&format!("► {object} deleted\n"));
            changed = true;
        }
    }
    Ok((output, changed))
}

/// The `► <object> created` and `► <object> drifted` lines (each drift with its unified
/// diff) of a dry run, and whether there was any.
pub fn report(entries: &[DiffEntry]) -> (String, bool) {
    let mut output = String::new();
    let mut changed = false;
    for entry in entries {
        match entry.action {
            Action::Created => {
                output.push_str(&format!("► {} created\n", entry.object));
                changed = true;
            }
            Action::Configured => {
                output.push_str(&format!("► {} drifted\n", entry.object));
                let live = entry.live.as_ref().map(super::yaml::to_string);
                let merged = entry.merged.as_ref().map(super::yaml::to_string);
                output.push_str(&unified(
                    live.as_deref().unwrap_or_default(),
                    merged.as_deref().unwrap_or_default(),
                ));
                changed = true;
            }
            _ => {}
        }
    }
    (output, changed)
}

/// `<namespace>_<name>_<group>_<kind>`, the inventory's id.
fn inventory_id(r: &ObjectRef) -> String {
    format!("{}_{}_{}_{}", r.namespace, r.name, r.group, r.kind)
}

/// `Kind/namespace/name` (or `Kind/name`) of an inventory id.
fn describe_id(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.split('_').collect();
    let [namespace @ .., name, _group, kind] = parts.as_slice() else {
        return None;
    };
    let namespace = namespace.join("_");
    Some(if namespace.is_empty() {
        format!("{kind}/{name}")
    } else {
        format!("{kind}/{namespace}/{name}")
    })
}

/// A unified diff of two texts (three lines of context), without file headers.
pub fn unified(before: &str, after: &str) -> String {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    // Longest common subsequence table, from the ends.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // The edit script, deletions before insertions: (tag, line).
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    const CONTEXT: usize = 3;
    let changes: Vec<usize> = (0..ops.len()).filter(|&k| ops[k].0 != ' ').collect();
    let mut out = String::new();
    let mut k = 0;
    while k < changes.len() {
        let start = changes[k].saturating_sub(CONTEXT);
        let mut end = (changes[k] + CONTEXT + 1).min(ops.len());
        k += 1;
        while k < changes.len() && changes[k] <= end + CONTEXT {
            end = (changes[k] + CONTEXT + 1).min(ops.len());
            k += 1;
        }
        let before_start = ops[..start].iter().filter(|o| o.0 != '+').count();
        let after_start = ops[..start].iter().filter(|o| o.0 != '-').count();
        let hunk = &ops[start..end];
        let before_len = hunk.iter().filter(|o| o.0 != '+').count();
        let after_len = hunk.iter().filter(|o| o.0 != '-').count();
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@\n",
            before_start + usize::from(before_len > 0),
            before_len,
            after_start + usize::from(after_len > 0),
            after_len
        ));
        for (tag, line) in hunk {
            out.push(*tag);
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unified_diff_shows_changes_with_context() {
        let before = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let after = "a\nb\nc\nd\nE\nf\ng\nh\n";
        assert_eq!(
            unified(before, after),
            "@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
        assert_eq!(unified("x\n", "x\n"), "");
    }

    #[test]
    fn inventory_ids_read_back() {
        assert_eq!(
            describe_id("apps_web_apps_Deployment").unwrap(),
            "Deployment/apps/web"
        );
        assert_eq!(describe_id("_apps__Namespace").unwrap(), "Namespace/apps");
    }
}
