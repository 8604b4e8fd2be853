//! The template set: named parse trees, functions and options, as Go's `*Template`.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::func::FuncMap;
use crate::parse::Tree;
use crate::value::{Str, Value};

/// What a missing map key evaluates to (Go's `missingkey` option).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `missingkey=default` / `missingkey=invalid`: no value (prints `<no value>`).
    #[default]
    Default,
    /// `missingkey=zero`: the zero value of the map's element type.
    Zero,
    /// `missingkey=error`: execution fails.
    Error,
}

/// Bounds on execution that Go leaves (nearly) open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How deeply `{{template}}` calls and nested executions (Helm's `include`, `tpl`)
    /// may nest. Go allows 100000, which overflows a thread's stack here long before;
    /// real charts nest a few dozen levels at most.
    pub max_depth: usize,
    /// The most bytes one execution may produce.
    pub max_output: usize,
    /// The most stack one execution (and one parse) may use, nested executions included.
    /// Template calls and nested pipelines recurse; this turns what would be a stack
    /// overflow (an abort) into an error. The default leaves half of a 2 MiB thread stack
    /// (Rust's and Tokio's default) to the caller.
    pub max_stack: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 1000,
            max_output: 256 << 20,
            max_stack: 1 << 20,
        }
    }
}

/// Below this much text, [`Template::parse_many`] parses on the calling thread: a helper
/// thread costs more than it saves, in its start and in the allocator's lock that the
/// threads then share (measured with bitnami/redis, 320 KB of templates: 15.1 ms as one
/// process pinned to one core against 17.5 ms on two).
const PARALLEL_PARSE_MIN_BYTES: usize = 1 << 20;

#[derive(Clone, Default)]
pub(crate) struct Set {
    pub(crate) trees: HashMap<Str, Arc<Tree>>,
    pub(crate) funcs: Arc<FuncMap>,
    pub(crate) missing_key: MissingKey,
    pub(crate) limits: Limits,
    pub(crate) left_delim: Option<Str>,
    pub(crate) right_delim: Option<Str>,
}

/// A set of named templates sharing functions and options; one of them is this
/// template's own (its [`Template::name`]). Cloning is cheap and yields an independent
/// set, as Go's `Clone`.
#[derive(Clone)]
pub struct Template {
    pub(crate) name: Str,
    pub(crate) set: Arc<Set>,
}

impl Template {
    pub fn new(name: impl Into<Str>) -> Template {
        Template {
            name: name.into(),
            set: Arc::new(Set::default()),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The template of this set named `name` (defined or not), sharing nothing with `self`
    /// afterwards; Go's `t.New(name)` without the sharing.
    pub fn with_name(&self, name: impl Into<Str>) -> Template {
        Template {
            name: name.into(),
            set: self.set.clone(),
        }
    }

    /// Adds functions, replacing builtins and earlier ones of the same name (Go's `Funcs`).
    /// Call it before parsing: the parser rejects unknown function names.
    pub fn funcs(&mut self, funcs: FuncMap) -> &mut Template {
        let set = Arc::make_mut(&mut self.set);
        Arc::make_mut(&mut set.funcs).extend(funcs);
        self
    }

    /// The functions added with [`Template::funcs`].
    pub fn func_map(&self) -> &FuncMap {
        &self.set.funcs
    }

    /// Sets an option as Go's `Option`: `missingkey=default|invalid|zero|error`.
    pub fn option(&mut self, opt: &str) -> Result<&mut Template> {
        let mk = match opt.split_once('=') {
            Some(("missingkey", "default" | "invalid")) => MissingKey::Default,
            Some(("missingkey", "zero")) => MissingKey::Zero,
            Some(("missingkey", "error")) => MissingKey::Error,
            Some(("missingkey", _)) => {
                return Err(Error::new(
                    ErrorKind::Option,
                    format!("unrecognized option: {opt}"),
                ));
            }
            _ => {
                return Err(Error::new(
                    ErrorKind::Option,
                    format!("unrecognized option: {opt}"),
                ));
            }
        };
        Ok(self.set_missing_key(mk))
    }

    pub fn set_missing_key(&mut self, mk: MissingKey) -> &mut Template {
        Arc::make_mut(&mut self.set).missing_key = mk;
        self
    }

    pub fn missing_key(&self) -> MissingKey {
        self.set.missing_key
    }

    pub fn set_limits(&mut self, limits: Limits) -> &mut Template {
        Arc::make_mut(&mut self.set).limits = limits;
        self
    }

    pub fn limits(&self) -> &Limits {
        &self.set.limits
    }

    /// Sets the action delimiters for later parses; empty means the default `{{` / `}}`.
    pub fn delims(&mut self, left: &str, right: &str) -> &mut Template {
        let set = Arc::make_mut(&mut self.set);
        set.left_delim = (!left.is_empty()).then(|| Str::from(left));
        set.right_delim = (!right.is_empty()).then(|| Str::from(right));
        self
    }

    /// Parses `text` as the body of this template; `{{define}}`s in it join the set.
    pub fn parse(&mut self, text: &str) -> Result<&mut Template> {
        let name = self.name.clone();
        self.parse_named(&name, text)
    }

    /// Parses `text` as the body of the template `name` of this set (Go's
    /// `t.New(name).Parse(text)`); `{{define}}`s in it join the set. A definition replaces
    /// an earlier one of the same name, unless it is empty (only spaces and comments).
    pub fn parse_named(&mut self, name: &str, text: &str) -> Result<&mut Template> {
        let trees = crate::parse::parse(name, text, self)?;
        self.join(trees);
        Ok(self)
    }

    /// [`Template::parse_named`] for each `(name, text)` in turn, with the parsing of large
    /// sets spread over the machine's cores: a file's parse needs only the set's functions,
    /// delimiters and limits, never another file, and the trees join the set in the order
    /// given, so the set (and the error, the first file's in that order) is what one-by-one
    /// gives.
    /// An error comes with the index of its file. The calling thread parses a share too,
    /// so it needs the stack [`Limits::max_stack`] promises, as the helper threads get.
    pub fn parse_many(
        &mut self,
        files: &[(&str, &str)],
    ) -> std::result::Result<(), (usize, Error)> {
        let bytes: usize = files.iter().map(|(_, text)| text.len()).sum();
        let threads = if bytes < PARALLEL_PARSE_MIN_BYTES {
            1
        } else {
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(files.len() / 4)
                .max(1)
        };
        if threads == 1 {
            for (i, (name, text)) in files.iter().enumerate() {
                self.parse_named(name, text).map_err(|e| (i, e))?;
            }
            return Ok(());
        }
        let this = &*self;
        // Each parse thread gets the stack the parser's depth check assumes.
        let stack = this.limits().max_stack + (1 << 20);
        let mut parsed: Vec<Option<Result<Vec<crate::parse::Tree>>>> =
            (0..files.len()).map(|_| None).collect();
        std::thread::scope(|s| {
            // The caller parses share 0 itself: one thread fewer to start and wake.
            let workers: Vec<_> = (1..threads)
                .map(|k| {
                    std::thread::Builder::new()
                        .stack_size(stack)
                        .spawn_scoped(s, move || {
                            // Interleaved, so one large file does not leave a thread idle.
                            (k..files.len())
                                .step_by(threads)
                                .map(|i| (i, crate::parse::parse(files[i].0, files[i].1, this)))
                                .collect::<Vec<_>>()
                        })
                })
                .collect();
            for i in (0..files.len()).step_by(threads) {
                parsed[i] = Some(crate::parse::parse(files[i].0, files[i].1, this));
            }
            for worker in workers {
                let results = match worker {
                    Ok(handle) => handle
                        .join()
                        .unwrap_or_else(|p| std::panic::resume_unwind(p)),
                    // No thread to be had: the caller's thread parses what is left below.
                    Err(_) => Vec::new(),
                };
                for (i, r) in results {
                    parsed[i] = Some(r);
                }
            }
        });
        for (i, ((name, text), result)) in files.iter().zip(parsed).enumerate() {
            let trees = match result {
                Some(r) => r,
                None => crate::parse::parse(name, text, self),
            }
            .map_err(|e| (i, e))?;
            self.join(trees);
        }
        Ok(())
    }

    /// Adds parsed trees to the set: a definition replaces an earlier one of the same
    /// name, unless it is empty.
    fn join(&mut self, trees: Vec<crate::parse::Tree>) {
        let set = Arc::make_mut(&mut self.set);
        for tree in trees {
            let keep_old =
                tree.is_empty() && set.trees.get(&tree.name).is_some_and(|old| !old.is_empty());
            if !keep_old {
                set.trees.insert(tree.name.clone(), Arc::new(tree));
            }
        }
    }

    /// Adds the template `from_name` of another set under `name` (Go's `AddParseTree`
    /// with that set's tree), sharing the parsed tree. As with parsing, an empty template
    /// does not replace an existing one. Errors refer to the original source.
    pub fn add_template(&mut self, name: &str, from: &Template, from_name: &str) -> Result<()> {
        let Some(tree) = from.tree(from_name) else {
            return Err(Error::new(
                ErrorKind::NoTemplate,
                format!(
                    "template: no template {:?} associated with template {:?}",
                    from_name, from.name
                ),
            ));
        };
        let set = Arc::make_mut(&mut self.set);
        if tree.is_empty() && set.trees.contains_key(name) {
            return Ok(());
        }
        let tree = if *tree.name == *name {
            tree.clone()
        } else {
            Arc::new(tree.renamed(name))
        };
        set.trees.insert(Str::from(name), tree);
        Ok(())
    }

    /// Whether the set has a template `name` (possibly empty).
    pub fn lookup(&self, name: &str) -> bool {
        self.set.trees.contains_key(name)
    }

    /// The names of the templates in the set, sorted.
    pub fn template_names(&self) -> Vec<Str> {
        let mut names: Vec<Str> = self.set.trees.keys().cloned().collect();
        names.sort();
        names
    }

    /// Go's `DefinedTemplates`: `; defined templates are: "a", "b"`, or empty. (Sorted
    /// here; Go lists them in map order.)
    pub fn defined_templates(&self) -> String {
        let names = self.template_names();
        if names.is_empty() {
            return String::new();
        }
        let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
        format!("; defined templates are: {}", quoted.join(", "))
    }

    /// Executes this template with `data`.
    pub fn execute(&self, data: &Value) -> Result<String> {
        let mut out = String::with_capacity(self.tree(&self.name).map_or(0, |t| t.text.len()));
        crate::exec::execute(self, &self.name, data, &mut out, 0, None)?;
        Ok(out)
    }

    /// Executes the template `name` of this set with `data` (Go's `ExecuteTemplate`).
    pub fn execute_template(&self, name: &str, data: &Value) -> Result<String> {
        // The source length is a fair first guess at the output's, and saves the first
        // several doublings of the buffer.
        let mut out = String::with_capacity(self.tree(name).map_or(0, |t| t.text.len()));
        self.execute_template_to(&mut out, name, data)?;
        Ok(out)
    }

    /// As [`Template::execute_template`], appending to `out`; on error `out` holds the
    /// output up to the failure, as Go's writer would.
    pub fn execute_template_to(&self, out: &mut String, name: &str, data: &Value) -> Result<()> {
        if !self.set.trees.contains_key(name) {
            return Err(Error::new(
                ErrorKind::NoTemplate,
                format!(
                    "template: no template {:?} associated with template {:?}",
                    name, self.name
                ),
            ));
        }
        crate::exec::execute(self, name, data, out, 0, None)
    }

    pub(crate) fn tree(&self, name: &str) -> Option<&Arc<Tree>> {
        self.set.trees.get(name)
    }
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Template")
            .field("name", &self.name)
            .field("templates", &self.template_names())
            .finish()
    }
}
