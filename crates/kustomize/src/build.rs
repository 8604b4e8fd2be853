//! Accumulating a kustomization: resources, bases (recursively), then transformers.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::generate;
use crate::kustomization::{self, Kind, Kustomization};
use crate::order;
use crate::patch;
use crate::resource::Resource;
use crate::root::Root;
use crate::transform;
use crate::yaml;

/// How resources are ordered in the output when the kustomization has no `sortOptions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reorder {
    /// kustomize's legacy kind order (the `kustomize build` default).
    #[default]
    Legacy,
    /// Depth-first input order.
    None,
}

/// Which files a kustomization may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoadRestrictor {
    /// Files only inside the kustomization's own directory tree (bases may be anywhere in the
    /// build root).
    #[default]
    RootOnly,
    /// Files anywhere inside the build root.
    None,
}

/// Build options (kustomize's CLI flags).
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOptions {
    /// Output order.
    pub reorder: Reorder,
    /// File load restriction.
    pub load_restrictor: LoadRestrictor,
}

/// Builds the kustomization in `dir` (relative to the root), confined to `root`.
pub fn build_at(root: &Root, dir: &Path, options: &BuildOptions) -> Result<Vec<Resource>> {
    let dir = root.resolve(root.path(), &dir.to_string_lossy())?;
    let mut builder = Builder {
        root,
        options,
        stack: Vec::new(),
    };
    let (k, mut resources) = builder.accumulate(&dir)?;
    // Once, after all accumulation: generated names get their content hash (kustomize's
    // HashTransformer), then references follow renames (kustomize's FixBackReferences).
    generate::apply_hashes(&mut resources)?;
    transform::namereference::apply(&mut resources, &transform::namereference::builtin_specs())?;
    match &k.sort_options {
        Some(sort) if sort.order == "legacy" => match &sort.legacy_sort_options {
            Some(l) => order::sort_legacy(&mut resources, &l.order_first, &l.order_last),
            None => order::sort_legacy(
                &mut resources,
                order::LEGACY_ORDER_FIRST,
                order::LEGACY_ORDER_LAST,
            ),
        },
        Some(sort) if sort.order == "fifo" && sort.legacy_sort_options.is_some() => {
            return Err(Error::InvalidKustomization(
                "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'".into(),
            ));
        }
        Some(sort) if sort.order == "fifo" => {}
        Some(sort) => {
            return Err(Error::InvalidKustomization(format!(
                "the field 'sortOptions.order' must be one of [fifo, legacy], got {:?}",
                sort.order
            )));
        }
        None if options.reorder == Reorder::Legacy => order::sort_legacy(
            &mut resources,
            order::LEGACY_ORDER_FIRST,
            order::LEGACY_ORDER_LAST,
        ),
        None => {}
    }
    Ok(resources)
}

struct Builder<'a> {
    root: &'a Root,
    options: &'a BuildOptions,
    /// Directories being built, outermost first: a repeat is a cycle.
    stack: Vec<PathBuf>,
}

/// Whether a `resources` entry names something remote (never fetched).
fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.starts_with("github.com/")
        || entry.starts_with("gitlab.com/")
        || entry.starts_with("bitbucket.org/")
}

impl Builder<'_> {
    fn load_kustomization(&self, dir: &Path) -> Result<Kustomization> {
        let file = kustomization::find(self.root, dir)?
            .ok_or_else(|| Error::MissingKustomization(self.root.display(dir)))?;
        let bytes = self.root.read(&file)?;
        kustomization::parse(&bytes, &self.root.display(&file))
    }

    fn accumulate(&mut self, dir: &Path) -> Result<(Kustomization, Vec<Resource>)> {
        if let Some(start) = self.stack.iter().position(|d| d == dir) {
            let mut chain: Vec<String> = self.stack[start..]
                .iter()
                .map(|d| self.root.display(d).display().to_string())
                .collect();
            chain.push(self.root.display(dir).display().to_string());
            return Err(Error::Cycle(chain));
        }
        self.stack.push(dir.to_path_buf());
        let result = self.accumulate_inner(dir);
        self.stack.pop();
        result
    }

    fn accumulate_inner(&mut self, dir: &Path) -> Result<(Kustomization, Vec<Resource>)> {
        let k = self.load_kustomization(dir)?;
        refuse_unsupported(&k)?;
        let mut resources = Vec::new();
        let mut ids = HashSet::new();
        for entry in &k.resources {
            let loaded = self.load_entry(dir, entry).map_err(|e| Error::Accumulate {
                entry: entry.clone(),
                source: Box::new(e),
            })?;
            for r in loaded {
                let id = (r.gvk(), r.namespace().to_string(), r.name().to_string());
                if !ids.insert(id) {
                    return Err(Error::Conflict(r.id_string()));
                }
                resources.push(r);
            }
        }
        for entry in &k.crds {
            self.confined_file(dir, entry)?;
        }
        // kustomize's builtin order: patches (strategic merge, then `patches`) before namespace.
        let load = |p: &str| self.confined_file(dir, p).and_then(|f| self.root.read(&f));
        // Generators run before every transformer.
        generate::run(
            &mut resources,
            &k.config_map_generator,
            &k.secret_generator,
            k.generator_options.as_ref(),
            &load,
        )?;
        patch::apply_strategic_merge(&mut resources, &k.patches_strategic_merge, &load)?;
        patch::apply_patches(&mut resources, &k.patches, &load)?;
        if !k.namespace.is_empty() {
            transform::namespace(&mut resources, &k.namespace);
        }
        if !k.name_prefix.is_empty() || !k.name_suffix.is_empty() {
            transform::prefix_suffix(&mut resources, &k.name_prefix, &k.name_suffix);
        }
        // kustomize's builtin order: labels entries, then commonLabels (one LabelTransformer
        // configurator), annotations, replicas, images.
        for entry in &k.labels {
            transform::labels::apply(
                &mut resources,
                &transform::labels::entry_pairs(entry),
                &transform::labels::entry_specs(entry),
            )?;
        }
        transform::labels::apply(
            &mut resources,
            &k.common_labels,
            &transform::labels::common_label_specs(),
        )?;
        if !k.common_annotations.is_empty() {
            transform::annotations(&mut resources, &k.common_annotations);
        }
        // patchesJson6902 runs after annotations, before replicas and images.
        patch::apply_json6902(&mut resources, &k.patches_json6902, &load)?;
        for entry in &k.replicas {
            transform::replicas::apply(&mut resources, entry)?;
        }
        for entry in k.images.iter().chain(&k.image_tags) {
            transform::images::apply(&mut resources, &transform::images::Image::from_value(entry));
        }
        Ok((k, resources))
    }

    /// Resolves a file entry and applies the load restrictor.
    fn confined_file(&self, dir: &Path, entry: &str) -> Result<PathBuf> {
        if is_remote(entry) {
            return Err(Error::Remote(entry.to_string()));
        }
        let path = self.root.resolve(dir, entry)?;
        if self.options.load_restrictor == LoadRestrictor::RootOnly
            && path.is_file()
            && !path.starts_with(dir)
        {
            return Err(Error::OutsideRoot {
                path: self.root.display(&path),
                allowed: self.root.display(dir),
            });
        }
        Ok(path)
    }

    fn load_entry(&mut self, dir: &Path, entry: &str) -> Result<Vec<Resource>> {
        let path = self.confined_file(dir, entry)?;
        if path.is_dir() {
            let (k, resources) = self.accumulate(&path)?;
            if k.kind == Kind::Component {
                return Err(Error::InvalidKustomization(format!(
                    "expected kind 'Kustomization' for path '{}' but got 'Component'",
                    self.root.display(&path).display()
                )));
            }
            return Ok(resources);
        }
        let shown = self.root.display(&path);
        let bytes = self.root.read(&path)?;
        let mut out = Vec::new();
        for doc in yaml::parse_all(&bytes, &shown)? {
            push_object(&mut out, doc, &shown)?;
        }
        Ok(out)
    }
}

/// Adds an object, expanding `*List` kinds into their items.
fn push_object(out: &mut Vec<Resource>, doc: Value, path: &Path) -> Result<()> {
    let is_list = doc
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && doc.get("items").is_some_and(Value::is_array);
    if is_list {
        if let Some(Value::Array(items)) = doc.get("items") {
            for item in items.clone() {
                push_object(out, item, path)?;
            }
        }
        return Ok(());
    }
    let invalid = |message: &str| Error::InvalidResource {
        path: path.to_path_buf(),
        message: message.to_string(),
    };
    let mut r = Resource::from_value(doc).ok_or_else(|| invalid("not a mapping"))?;
    r.stringify_metadata_maps();
    if r.kind().is_empty() {
        return Err(invalid("missing kind in object"));
    }
    out.push(r);
    Ok(())
}

/// Fields this engine does not interpret yet, and the ones it refuses on principle
/// (SECURITY 8: plugins, KRM functions and helm charts are never run).
fn refuse_unsupported(k: &Kustomization) -> Result<()> {
    let refused = [
        ("generators", !k.generators.is_empty()),
        ("transformers", !k.transformers.is_empty()),
        ("validators", !k.validators.is_empty()),
        ("helmCharts", !k.helm_charts.is_empty()),
        (
            "helmChartInflationGenerator",
            !k.helm_chart_inflation_generator.is_empty(),
        ),
    ];
    if let Some((field, _)) = refused.iter().find(|(_, set)| *set) {
        return Err(Error::Unsupported(format!(
            "kustomization field '{field}' is refused: plugins, functions and helm charts are not run"
        )));
    }
    let pending = [
        ("components", !k.components.is_empty()),
        ("replacements", !k.replacements.is_empty()),
        ("vars", !k.vars.is_empty()),
        ("configurations", !k.configurations.is_empty()),
        ("openapi", !k.openapi.is_empty()),
        ("buildMetadata", !k.build_metadata.is_empty()),
    ];
    if let Some((field, _)) = pending.iter().find(|(_, set)| *set) {
        return Err(Error::Unsupported(format!(
            "kustomization field '{field}' is not supported yet"
        )));
    }
    Ok(())
}
