//! Accumulating a kustomization: resources, bases (recursively), then transformers.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::build_state;
use crate::builtin;
use crate::config;
use crate::error::{Error, Result};
use crate::generate;
use crate::kustomization::{self, Kind, Kustomization};
use crate::order;
use crate::origin;
use crate::patch;
use crate::replacements;
use crate::resource::Resource;
use crate::root::Root;
use crate::transform;
use crate::vars;
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
    /// Adds `app.kubernetes.io/managed-by: kustomize-v5.5.0` to every resource (kustomize's
    /// `--enable-managedby-label`).
    pub add_managed_by_label: bool,
    /// The version the managed-by label names (`kustomize-<version>`); `None` is `v5.5.0`,
    /// the kustomize release this engine follows.
    pub managed_by_version: Option<&'static str>,
}

/// Builds the kustomization in `dir` (relative to the root), confined to `root`.
pub fn build_at(root: &Root, dir: &Path, options: &BuildOptions) -> Result<Vec<Resource>> {
    let dir = root.resolve(root.path(), &dir.to_string_lossy())?;
    let mut builder = Builder {
        root,
        options,
        stack: Vec::new(),
        plugins: build_state::BuildState::default(),
        openapi: patch::OpenApi::default(),
        vars: vars::VarSet::new(),
    };
    // The root's buildMetadata applies to every kustomization it includes.
    let metadata = builder
        .load_kustomization(&dir)
        .map(|k| k.build_metadata)
        .unwrap_or_default();
    builder.plugins = build_state::BuildState::new(&dir, metadata);
    let (k, mut resources) = builder.accumulate(&dir)?;
    // Once, after all accumulation: generated names get their content hash (kustomize's
    // HashTransformer), then references follow renames (kustomize's FixBackReferences).
    generate::apply_hashes(&mut resources)?;
    let name_refs = builder.plugins.config().name_refs();
    transform::namereference::apply(&mut resources, &name_refs)?;
    // Vars resolve last, once references follow renames (kustomize's ResolveVars).
    if !builder.vars.is_empty() {
        let var_specs = builder.plugins.config().var_reference.clone();
        vars::resolve(&mut resources, &builder.vars, &var_specs)?;
    }
    transform::drop_local_config(&mut resources);
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
    builder.plugins.finish(&mut resources, options);
    Ok(resources)
}

struct Builder<'a> {
    root: &'a Root,
    options: &'a BuildOptions,
    /// Directories being built, outermost first: a repeat is a cycle.
    stack: Vec<PathBuf>,
    /// Transformer configuration and buildMetadata shared by the generator and transformer
    /// steps.
    plugins: build_state::BuildState,
    /// The schema strategic merges use, set by the first `openapi:` field met.
    openapi: patch::OpenApi,
    /// The vars of the kustomization being built and everything it includes so far.
    vars: vars::VarSet,
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

    /// Builds the kustomization in `dir` on its own (the build target, or a base).
    fn accumulate(&mut self, dir: &Path) -> Result<(Kustomization, Vec<Resource>)> {
        self.enter(dir, |b| b.accumulate_inner(dir, false))
    }

    /// Runs `f` with `dir` on the stack of directories being built; a directory already on
    /// it means the kustomizations include each other.
    fn enter<T>(&mut self, dir: &Path, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.refuse_cycle(dir)?;
        self.stack.push(dir.to_path_buf());
        let result = f(self);
        self.stack.pop();
        result
    }

    /// `as_resource`: the directory is a `resources` entry, where a Component is refused
    /// before anything in it is read.
    fn accumulate_inner(
        &mut self,
        dir: &Path,
        as_resource: bool,
    ) -> Result<(Kustomization, Vec<Resource>)> {
        let k = self.load_kustomization(dir)?;
        if as_resource && k.kind == Kind::Component {
            return Err(Error::WrongKind(format!(
                "expected kind != 'Component' for path '{}': list components under 'components', not 'resources'",
                self.root.display(dir).display()
            )));
        }
        let mut resources = Vec::new();
        // A kustomization has its own transformer configuration, which its parent inherits.
        let outer = self.plugins.take_config();
        // So are its vars: a name its parent already has is a collision.
        let outer_vars = std::mem::take(&mut self.vars);
        let built = self.accumulate_target(dir, &k, &mut resources);
        let own = self.plugins.restore_config(outer);
        let own_vars = std::mem::replace(&mut self.vars, outer_vars);
        built?;
        self.plugins.merge_config(&own)?;
        self.vars.merge(own_vars)?;
        Ok((k, resources))
    }

    /// kustomize's accumulateTarget. `resources` starts empty for a kustomization; for a
    /// component it is the parent's list, which the component's resources, generators and
    /// transformers extend and rewrite in place.
    fn accumulate_target(
        &mut self,
        dir: &Path,
        k: &Kustomization,
        resources: &mut Vec<Resource>,
    ) -> Result<()> {
        refuse_unsupported(k)?;
        let mut openapi = std::mem::take(&mut self.openapi);
        let load = |p: &str| self.confined_file(dir, p).and_then(|f| self.root.read(&f));
        let configured = openapi.configure(&k.openapi, &load, self.stack.len() <= 1);
        self.openapi = openapi;
        configured?;
        self.accumulate_resources(dir, k, resources)?;
        for entry in &k.crds {
            self.confined_file(dir, entry)?;
        }
        self.run_generators(dir, k, resources)?;
        // Components see the generated objects and run before this kustomization's own
        // transformers, as kustomize orders them.
        self.accumulate_components(dir, k, resources)?;
        self.run_transformers(dir, k, resources)?;
        // Vars bind to this kustomization's resources as its transformers left them.
        self.vars.declare(&k.vars, resources)
    }

    /// Loads `resources` entries into the list; an id already in it is a conflict.
    fn accumulate_resources(
        &mut self,
        dir: &Path,
        k: &Kustomization,
        resources: &mut Vec<Resource>,
    ) -> Result<()> {
        let mut ids: HashSet<_> = resources.iter().map(resource_id).collect();
        for entry in &k.resources {
            let loaded = self.load_entry(dir, entry).map_err(|e| Error::Accumulate {
                entry: entry.clone(),
                source: Box::new(e),
            })?;
            for r in loaded {
                if !ids.insert(resource_id(&r)) {
                    return Err(Error::Conflict(r.id_string()));
                }
                resources.push(r);
            }
        }
        Ok(())
    }

    /// Applies each `components` entry, in order, to the list: a component adds to and
    /// transforms its parent's resources instead of building its own.
    fn accumulate_components(
        &mut self,
        dir: &Path,
        k: &Kustomization,
        resources: &mut Vec<Resource>,
    ) -> Result<()> {
        for entry in &k.components {
            let path = self
                .component_dir(dir, entry)
                .map_err(|e| Error::Component {
                    step: "loader.New",
                    message: e.to_string(),
                })?;
            self.enter(&path, |b| b.accumulate_component(&path, resources))
                .map_err(|e| Error::Component {
                    step: "accumulateDirectory:",
                    message: e.to_string(),
                })?;
        }
        Ok(())
    }

    /// Resolves a `components` entry, which must be a directory (or a cycle error).
    fn component_dir(&self, dir: &Path, entry: &str) -> Result<PathBuf> {
        if is_remote(entry) {
            return Err(Error::Remote(entry.to_string()));
        }
        let path = self.root.resolve(dir, entry)?;
        if !path.is_dir() {
            return Err(Error::InvalidKustomization(format!(
                "must build at directory: '{}': file is not directory; list files under 'resources', and component directories under 'components'",
                self.root.display(&path).display()
            )));
        }
        self.refuse_cycle(&path)?;
        Ok(path)
    }

    fn refuse_cycle(&self, dir: &Path) -> Result<()> {
        if let Some(start) = self.stack.iter().position(|d| d == dir) {
            let mut chain: Vec<String> = self.stack[start..]
                .iter()
                .map(|d| self.root.display(d).display().to_string())
                .collect();
            chain.push(self.root.display(dir).display().to_string());
            return Err(Error::Cycle(chain));
        }
        Ok(())
    }

    fn accumulate_component(&mut self, dir: &Path, resources: &mut Vec<Resource>) -> Result<()> {
        let shown = self.root.display(dir);
        let k = self.load_kustomization(dir)?;
        if k.kind != Kind::Component {
            return Err(Error::WrongKind(format!(
                "expected kind 'Component' for path '{}' but got 'Kustomization': list kustomizations under 'resources', not 'components'",
                shown.display()
            )));
        }
        self.accumulate_target(dir, &k, resources)
            .map_err(|e| Error::RecursedAccumulation {
                path: shown,
                source: Box::new(e),
            })
    }

    /// This kustomization's generators, run against the accumulated list: the transformer
    /// configuration first joins the accumulated one (kustomize merges it right after the
    /// resources), then the builtin generator fields, then `generators:` entries.
    fn run_generators(
        &mut self,
        dir: &Path,
        k: &Kustomization,
        resources: &mut Vec<Resource>,
    ) -> Result<()> {
        let kust_file = self.kustomization_file(dir)?;
        let plugins = self.plugin_configs(dir, &kust_file, &k.generators)?;
        let load = |p: &str| self.confined_file(dir, p).and_then(|f| self.root.read(&f));
        let own = config::load(&k.configurations, &load)?;
        self.plugins.merge_config(&own)?;
        let crds: Vec<(String, Vec<u8>)> = k
            .crds
            .iter()
            .map(|c| load(c).map(|bytes| (c.clone(), bytes)))
            .collect::<Result<_>>()?;
        self.plugins.merge_config(&config::from_crds(&crds)?)?;
        let origin = |kind: &str| {
            self.plugins
                .builtin_origin(&kust_file, kind)
                .unwrap_or_default()
        };
        let with_origin: Option<&dyn Fn(&str) -> origin::Origin> =
            self.plugins.tracking().then_some(&origin);
        // Generators run before every transformer.
        generate::run(
            resources,
            &k.config_map_generator,
            &k.secret_generator,
            k.generator_options.as_ref(),
            &load,
            with_origin,
        )?;
        for config in &plugins {
            builtin::generate(resources, config, &load)?;
        }
        Ok(())
    }

    /// This kustomization's transformers, in kustomize's builtin order, run against the list,
    /// each with its field specs from the accumulated transformer configuration; then the
    /// `transformers:` entries, then the `validators:`.
    fn run_transformers(
        &mut self,
        dir: &Path,
        k: &Kustomization,
        resources: &mut Vec<Resource>,
    ) -> Result<()> {
        let kust_file = self.kustomization_file(dir)?;
        let transformers = self.plugin_configs(dir, &kust_file, &k.transformers)?;
        let validators = self.plugin_configs(dir, &kust_file, &k.validators)?;
        let config = self.plugins.config();
        let load = |p: &str| self.confined_file(dir, p).and_then(|f| self.root.read(&f));
        let origin = |kind: &str| self.plugins.builtin_origin(&kust_file, kind);
        let mark = |resources: &mut Vec<Resource>, kind: &str| {
            self.plugins.mark(resources, origin(kind).as_ref());
        };
        // kustomize's builtin order: patches (strategic merge, then `patches`) before namespace.
        if !k.patches_strategic_merge.is_empty() {
            patch::apply_strategic_merge(
                resources,
                &k.patches_strategic_merge,
                &load,
                &self.openapi,
            )?;
            mark(resources, "PatchStrategicMergeTransformer");
        }
        for entry in &k.patches {
            patch::apply_patches(resources, std::slice::from_ref(entry), &load, &self.openapi)?;
            mark(resources, "PatchTransformer");
        }
        if !k.namespace.is_empty() {
            let subjects = transform::BindingSubjects::default();
            transform::namespace(resources, &k.namespace, &config.namespace, false, subjects)?;
            mark(resources, "NamespaceTransformer");
        }
        if !k.name_prefix.is_empty() {
            let prefix = transform::Affix::Prefix(&k.name_prefix);
            transform::affix(resources, prefix, &config.name_prefix)?;
            mark(resources, "PrefixTransformer");
        }
        if !k.name_suffix.is_empty() {
            let suffix = transform::Affix::Suffix(&k.name_suffix);
            transform::affix(resources, suffix, &config.name_suffix)?;
            mark(resources, "SuffixTransformer");
        }
        // kustomize's builtin order: labels entries, then commonLabels (one LabelTransformer
        // configurator), annotations, replicas, images.
        for entry in &k.labels {
            transform::labels::apply(
                resources,
                &transform::labels::entry_pairs(entry),
                &transform::labels::entry_specs(entry, &config),
            )?;
            mark(resources, "LabelTransformer");
        }
        if !k.common_labels.is_empty() {
            transform::labels::apply(resources, &k.common_labels, &config.common_labels)?;
            mark(resources, "LabelTransformer");
        }
        if !k.common_annotations.is_empty() {
            transform::annotations(resources, &k.common_annotations, &config.common_annotations)?;
            mark(resources, "AnnotationsTransformer");
        }
        // patchesJson6902 runs after annotations, before replicas and images.
        for entry in &k.patches_json6902 {
            patch::apply_json6902(resources, std::slice::from_ref(entry), &load)?;
            mark(resources, "PatchJson6902Transformer");
        }
        for entry in &k.replicas {
            transform::replicas::apply(resources, entry, &config.replicas)?;
            mark(resources, "ReplicaCountTransformer");
        }
        for entry in k.images.iter().chain(&k.image_tags) {
            let image = transform::images::Image::from_value(entry);
            transform::images::apply(resources, &image, &config.images)?;
            mark(resources, "ImageTagTransformer");
        }
        if !k.replacements.is_empty() {
            replacements::run(resources, &k.replacements, &load)?;
            mark(resources, "ReplacementTransformer");
        }
        let dir_name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        let cx = builtin::Context {
            load: &load,
            openapi: &self.openapi,
            dir_name: dir_name.as_deref().unwrap_or(""),
        };
        for plugin in &transformers {
            builtin::transform(resources, plugin, &cx)?;
            self.plugins
                .mark(resources, origin::Origin::of_plugin(plugin).as_ref());
        }
        for plugin in &validators {
            builtin::validate(resources, plugin, &cx)?;
        }
        Ok(())
    }

    /// The kustomization file in `dir`, which kustomize's origins name.
    fn kustomization_file(&self, dir: &Path) -> Result<PathBuf> {
        kustomization::find(self.root, dir)?
            .ok_or_else(|| Error::MissingKustomization(self.root.display(dir)))
    }

    /// The plugin config objects of `generators:`, `transformers:` or `validators:` entries:
    /// inline YAML, files, or kustomization directories whose output are the configs (built on
    /// their own, so their transformer configuration stays theirs).
    fn plugin_configs(
        &mut self,
        dir: &Path,
        kust_file: &Path,
        entries: &[Value],
    ) -> Result<Vec<Resource>> {
        let mut out = Vec::new();
        let mut paths = Vec::new();
        // Like kustomize, every inline config comes before the configs read from paths.
        for entry in entries {
            let Some(text) = entry.as_str() else {
                return Err(Error::InvalidKustomization(format!(
                    "plugin entry {entry} must be a file path or a string of inline YAML"
                )));
            };
            if !text.contains('\n') {
                paths.push(text);
                continue;
            }
            let shown = self.root.display(kust_file);
            let mut loaded = Vec::new();
            for doc in yaml::parse_all(text.as_bytes(), &shown)? {
                push_object(&mut loaded, doc, &shown)?;
            }
            self.plugins.annotate_read(&mut loaded, kust_file);
            out.extend(loaded);
        }
        for text in paths {
            // A kustomization read for its plugin configs keeps its transformer configuration
            // and vars to itself, as kustomize builds it separately.
            let outer = self.plugins.take_config();
            let outer_vars = std::mem::take(&mut self.vars);
            let loaded = self.load_entry(dir, text);
            self.plugins.restore_config(outer);
            self.vars = outer_vars;
            out.extend(loaded.map_err(|e| Error::Accumulate {
                entry: text.to_string(),
                source: Box::new(e),
            })?);
        }
        Ok(out)
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
            let (_, resources) = self.enter(&path, |b| b.accumulate_inner(&path, true))?;
            return Ok(resources);
        }
        let shown = self.root.display(&path);
        let bytes = self.root.read(&path)?;
        let mut out = Vec::new();
        for doc in yaml::parse_all(&bytes, &shown)? {
            push_object(&mut out, doc, &shown)?;
        }
        self.plugins.annotate_read(&mut out, &path);
        Ok(out)
    }
}

/// kustomize's current resource id: group/version/kind, namespace, name.
fn resource_id(r: &Resource) -> (crate::resource::Gvk, String, String) {
    (r.gvk(), r.namespace().to_string(), r.name().to_string())
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

/// Fields this engine refuses on principle (SECURITY 8: helm charts are never inflated; the
/// plugin fields are checked entry by entry in `builtin`, where only builtins pass).
fn refuse_unsupported(k: &Kustomization) -> Result<()> {
    let refused = [
        ("helmCharts", !k.helm_charts.is_empty()),
        (
            "helmChartInflationGenerator",
            !k.helm_chart_inflation_generator.is_empty(),
        ),
    ];
    if let Some((field, _)) = refused.iter().find(|(_, set)| *set) {
        return Err(Error::Unsupported(format!(
            "kustomization field '{field}' is refused: helm charts are not run; render the chart and list its output under 'resources'"
        )));
    }
    Ok(())
}
