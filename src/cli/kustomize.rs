//! `tk kustomize build DIR`: the kustomize engine (crates/kustomize) behind kustomize's own
//! flags, with no cluster. The output is what `kustomize build` v5.5 prints, byte for byte.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use super::args::{KustomizeBuildArgs, LoadRestrictorArg, ReorderArg};

/// `tk kustomize build`, resolved: absolute paths, engine options.
#[derive(Debug, Clone)]
pub struct BuildSettings {
    /// DIR as the user wrote it, for messages.
    pub shown: String,
    /// The kustomization directory, canonical.
    pub dir: PathBuf,
    /// The build root, canonical; `dir` is inside it.
    pub root: PathBuf,
    pub options: kustomize::BuildOptions,
    pub output: Option<PathBuf>,
}

impl BuildSettings {
    pub fn resolve(args: &KustomizeBuildArgs) -> Result<Self> {
        let shown = args.dir.display().to_string();
        if is_remote(&shown) {
            bail!(
                "tk kustomize build {shown}: remote kustomizations are not supported: clone the repository and build the directory"
            );
        }
        let dir = std::fs::canonicalize(&args.dir)
            .with_context(|| format!("tk kustomize build {shown}: reading the directory"))?;
        if !dir.is_dir() {
            bail!("tk kustomize build {shown}: not a directory");
        }
        let root = match &args.root {
            Some(root) => std::fs::canonicalize(root)
                .with_context(|| format!("flag --root: reading {}", root.display()))?,
            None => default_root(&dir),
        };
        if !dir.starts_with(&root) {
            bail!(
                "tk kustomize build {shown}: the directory is not inside the build root {} (flag --root)",
                root.display()
            );
        }
        let options = kustomize::BuildOptions {
            reorder: match args.reorder {
                ReorderArg::Legacy => kustomize::Reorder::Legacy,
                ReorderArg::None => kustomize::Reorder::None,
            },
            load_restrictor: match args.load_restrictor {
                LoadRestrictorArg::RootOnly => kustomize::LoadRestrictor::RootOnly,
                LoadRestrictorArg::None => kustomize::LoadRestrictor::None,
            },
            ..kustomize::BuildOptions::default()
        };
        Ok(Self {
            shown,
            dir,
            root,
            options,
            output: args.output.clone(),
        })
    }
}

/// Builds and writes the YAML to stdout or the output file.
pub fn build(settings: &BuildSettings) -> Result<()> {
    let yaml = render(settings)?;
    match &settings.output {
        Some(path) => write_atomically(path, yaml.as_bytes())
            .with_context(|| format!("flag --output: writing {}", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(yaml.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}

/// The build's YAML, or kustomize's message prefixed with the command and directory.
pub fn render(settings: &BuildSettings) -> Result<String> {
    let shown = &settings.shown;
    let root = kustomize::Root::new(&settings.root)
        .map_err(|err| anyhow::anyhow!("tk kustomize build {shown}: {err}"))?;
    let relative = settings
        .dir
        .strip_prefix(root.path())
        .unwrap_or(Path::new(""));
    let relative = if relative.as_os_str().is_empty() {
        Path::new(".")
    } else {
        relative
    };
    let resources = kustomize::build_at(&root, relative, &settings.options).map_err(|err| {
        let hint = hint(&err, root.path());
        anyhow::anyhow!("tk kustomize build {shown}: {err}{hint}")
    })?;
    Ok(kustomize::to_yaml(&resources))
}

/// A pointer to the flag that lifts a confinement, when that is what failed.
fn hint(err: &kustomize::Error, root: &Path) -> String {
    let mut innermost = err;
    while let kustomize::Error::Accumulate { source, .. } = innermost {
        innermost = source;
    }
    match innermost {
        kustomize::Error::OutsideRoot { allowed, .. } if allowed == root => format!(
            " (the build root is {}: pass --root to allow reads above it)",
            root.display()
        ),
        kustomize::Error::OutsideRoot { .. } => {
            " (pass --load-restrictor LoadRestrictionsNone to allow it)".to_string()
        }
        _ => String::new(),
    }
}

/// The Git work tree holding `dir`, else the working directory if it holds `dir`, else
/// `dir`: wide enough for `../base` in a repository, never wider than the user's tree.
pub(super) fn default_root(dir: &Path) -> PathBuf {
    if let Some(top) = dir.ancestors().find(|d| d.join(".git").exists()) {
        return top.to_path_buf();
    }
    match std::env::current_dir().and_then(std::fs::canonicalize) {
        Ok(cwd) if dir.starts_with(&cwd) => cwd,
        _ => dir.to_path_buf(),
    }
}

/// What kustomize would fetch from a Git host or over HTTP.
fn is_remote(dir: &str) -> bool {
    dir.contains("://")
        || dir.starts_with("git@")
        || ["github.com/", "gitlab.com/", "bitbucket.org/"]
            .iter()
            .any(|host| dir.starts_with(host))
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`, so readers
/// see the old file or the new one, never half of one.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.is_dir() {
        bail!("is a directory: pass a file name");
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new()
        .prefix(".tk-kustomize-")
        .tempfile_in(parent)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    // tempfile creates 0600; a rendered manifest is no more secret than its sources.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0o644);
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    file.persist(path).map_err(|err| err.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_directories_are_recognised() {
        for remote in [
            "https://github.com/org/repo//deploy?ref=v1",
            "git@github.com:org/repo.git",
            "github.com/org/repo/deploy",
        ] {
            assert!(is_remote(remote), "{remote}");
        }
        for local in ["overlays/prod", ".", "../base", "github.com"] {
            assert!(!is_remote(local), "{local}");
        }
    }

    #[test]
    fn default_root_is_the_git_work_tree() {
        let tmp = tempfile::tempdir().unwrap();
        let top = std::fs::canonicalize(tmp.path()).unwrap();
        std::fs::create_dir_all(top.join(".git")).unwrap();
        std::fs::create_dir_all(top.join("apps/web/overlay")).unwrap();
        assert_eq!(default_root(&top.join("apps/web/overlay")), top);
    }
}
