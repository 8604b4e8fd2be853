//! `spec.include`: other GitRepositories' artifacts copied into this one, read straight from
//! the local store (the included objects are reconciled by this same controller).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use kube::api::Api;

use super::status::{Failure, reason};
use crate::api::meta::Artifact;
use crate::api::source::{GitRepository, GitRepositoryInclude};
use crate::controllers::source::storage::Storage;

/// An include resolved to the artifact it currently has.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub include: GitRepositoryInclude,
    pub artifact: Artifact,
}

/// Looks up every included GitRepository and its artifact; a missing object or artifact is
/// `IncludeUnavailable`, retried, as in Flux.
pub async fn resolve(
    api: &Api<GitRepository>,
    storage: &Storage,
    includes: &[GitRepositoryInclude],
) -> Result<Vec<Resolved>, Failure> {
    let mut resolved = Vec::with_capacity(includes.len());
    for (index, include) in includes.iter().enumerate() {
        let name = &include.repository.name;
        confined(include.to_path.as_deref().unwrap_or(name), index, "toPath")?;
        confined(
            include.from_path.as_deref().unwrap_or(""),
            index,
            "fromPath",
        )?;
        let repo = api.get_opt(name).await.map_err(|e| {
            Failure::include(
                reason::NOT_FOUND,
                format!("could not get resource for include '{name}': {e}"),
            )
        })?;
        let Some(repo) = repo else {
            return Err(Failure::include(
                reason::NOT_FOUND,
                format!(
                    "could not get resource for include '{name}': GitRepository '{name}' not found"
                ),
            ));
        };
        let artifact = repo
            .status
            .and_then(|s| s.artifact)
            .filter(|a| storage.exists(&a.path))
            .ok_or_else(|| {
                Failure::include(
                    reason::NO_ARTIFACT,
                    format!("no artifact available for include '{name}'"),
                )
            })?;
        resolved.push(Resolved {
            include: include.clone(),
            artifact,
        });
    }
    Ok(resolved)
}

/// Copies each included artifact's `fromPath` into `root/<toPath>`.
pub fn copy_all(storage: &Storage, root: &Path, includes: &[Resolved]) -> Result<(), Failure> {
    for (index, resolved) in includes.iter().enumerate() {
        let include = &resolved.include;
        let name = &include.repository.name;
        let to = confined(include.to_path.as_deref().unwrap_or(name), index, "toPath")?;
        let from = confined(
            include.from_path.as_deref().unwrap_or(""),
            index,
            "fromPath",
        )?;
        let failed = |e: String| {
            Failure::include(
                reason::COPY_FAILED,
                format!("failed to copy '{name}' include: {e}"),
            )
        };
        let local = storage
            .local_path(&resolved.artifact.path)
            .map_err(|e| failed(e.to_string()))?;
        let file = fs::File::open(&local).map_err(|e| failed(e.to_string()))?;
        let unpacked = tempfile::tempdir().map_err(|e| failed(e.to_string()))?;
        artifact::extract(
            io::BufReader::new(file),
            unpacked.path(),
            artifact::Limits::default(),
        )
        .map_err(|e| failed(e.to_string()))?;
        let source = unpacked.path().join(&from);
        if !source.is_dir() {
            return Err(failed(format!(
                "spec.include[{index}].fromPath '{}' is not a directory in the artifact",
                from.display()
            )));
        }
        let target = root.join(&to);
        copy_tree(&source, &target).map_err(|e| failed(e.to_string()))?;
    }
    Ok(())
}

/// A relative path made only of plain segments; anything that could leave the root is
/// refused as a user error (Stalled).
fn confined(path: &str, index: usize, field: &str) -> Result<PathBuf, Failure> {
    let trimmed = path.trim_start_matches("./");
    let escapes = trimmed.starts_with('/') || trimmed.split('/').any(|segment| segment == "..");
    if escapes {
        return Err(Failure::stalled_include(
            reason::INVALID_INCLUDE,
            format!(
                "spec.include[{index}].{field}: '{path}' must stay inside the artifact: use a relative path without '..'"
            ),
        ));
    }
    Ok(trimmed
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect())
}

/// Regular files and directories only: an extracted artifact holds nothing else.
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_paths_must_stay_inside() {
        assert_eq!(
            confined("deploy/base", 0, "toPath").unwrap(),
            PathBuf::from("deploy/base")
        );
        assert_eq!(
            confined("./a/./b", 0, "toPath").unwrap(),
            PathBuf::from("a/b")
        );
        assert_eq!(confined("", 0, "fromPath").unwrap(), PathBuf::new());
        for bad in ["../x", "/etc", "a/../../b", ".."] {
            let err = confined(bad, 2, "toPath").unwrap_err();
            assert!(err.stalled, "{bad}");
            assert!(
                err.message.contains("spec.include[2].toPath"),
                "{}",
                err.message
            );
        }
    }

    #[test]
    fn copies_regular_files_and_directories() {
        let from = tempfile::tempdir().unwrap();
        fs::create_dir_all(from.path().join("a/b")).unwrap();
        fs::write(from.path().join("a/b/c.yaml"), "c").unwrap();
        fs::write(from.path().join("top.yaml"), "t").unwrap();
        let to = tempfile::tempdir().unwrap();
        copy_tree(from.path(), &to.path().join("inc")).unwrap();
        assert_eq!(
            fs::read_to_string(to.path().join("inc/a/b/c.yaml")).unwrap(),
            "c"
        );
        assert_eq!(
            fs::read_to_string(to.path().join("inc/top.yaml")).unwrap(),
            "t"
        );
    }
}
