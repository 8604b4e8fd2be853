//! Bare repositories under the servers' root, filled through a work tree with the git CLI.

use super::{GpgKey, Root};
use anyhow::{Context, Result, bail};
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Author and committer of every commit and tag the helpers make.
pub const AUTHOR_NAME: &str = "tk testenv";
pub const AUTHOR_EMAIL: &str = "testenv@tk.invalid";
/// 2024-01-01T00:00:00Z; each commit or tag in a repository is one minute after the last,
/// so the same sequence of calls always yields the same commit ids (unsigned ones).
const EPOCH: u64 = 1_704_067_200;

/// A `git` command isolated from the machine's and the user's configuration and from
/// `GIT_DIR`-style variables of the environment, that never prompts, with the fixed author
/// and committer. Tests use it for clones and pushes too.
pub fn git_command() -> Command {
    let mut cmd = Command::new("git");
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_SSH",
        "GIT_SSH_COMMAND",
        "GIT_ASKPASS",
        "SSH_ASKPASS",
        "GIT_PROXY_COMMAND",
        // These override -c http.sslCAInfo and friends, and CI images set them.
        "GIT_SSL_CAINFO",
        "GIT_SSL_CAPATH",
        "GIT_SSL_NO_VERIFY",
        "GIT_SSL_CERT",
        "GIT_SSL_KEY",
        "GIT_SSL_CERT_PASSWORD_PROTECTED",
        "GIT_SSL_VERSION",
        "GIT_SSL_CIPHER_LIST",
        "GIT_HTTP_PROXY_AUTHMETHOD",
        "GIT_HTTP_USER_AGENT",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_AUTHOR_NAME", AUTHOR_NAME)
        .env("GIT_AUTHOR_EMAIL", AUTHOR_EMAIL)
        .env("GIT_COMMITTER_NAME", AUTHOR_NAME)
        .env("GIT_COMMITTER_EMAIL", AUTHOR_EMAIL)
        // A proxy from the environment must never see loopback traffic.
        .env("NO_PROXY", "*")
        .env("no_proxy", "*")
        .stdin(Stdio::null());
    cmd
}

/// Runs a git command, returning trimmed stdout, or an error with its stderr.
pub(crate) fn run(mut cmd: Command) -> Result<String> {
    let shown = format!(
        "git {}",
        cmd.get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let out = cmd.output().with_context(|| format!("running {shown}"))?;
    if !out.status.success() {
        bail!(
            "{shown} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim(),
            String::from_utf8_lossy(&out.stdout).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A bare repository served by the [`super::GitServers`] and a work tree whose `origin` is
/// it. Methods act on the work tree; [`Repo::push`] publishes.
pub struct Repo {
    name: String,
    bare: PathBuf,
    work: PathBuf,
    clock: AtomicU64,
    _root: Arc<Root>,
}

impl Repo {
    pub(crate) fn create(root: &Arc<Root>, name: &str) -> Result<Repo> {
        let rel = Path::new(name);
        if name.is_empty()
            || name.ends_with(".git")
            || !rel.components().all(|c| matches!(c, Component::Normal(_)))
        {
            bail!("repository name {name:?} must be a relative path without .git, like org/app");
        }
        let bare = root.repos().join(format!("{name}.git"));
        if bare.exists() {
            bail!("repository {name} exists already");
        }
        let work = root.path().join("work").join(name);
        std::fs::create_dir_all(&work)?;
        let mut init = git_command();
        init.args(["init", "--quiet", "--bare", "--initial-branch=main"])
            .arg(&bare);
        run(init)?;
        let mut init = git_command();
        init.args(["init", "--quiet", "--initial-branch=main"])
            .arg(&work);
        run(init)?;
        let repo = Repo {
            name: name.to_string(),
            bare,
            work,
            clock: AtomicU64::new(0),
            _root: root.clone(),
        };
        repo.git(
            ["remote", "add", "origin"]
                .map(OsStr::new)
                .into_iter()
                .chain([repo.bare.as_os_str()]),
        )?;
        Ok(repo)
    }

    /// The name given to [`super::GitServers::create_repo`]; URLs end in `/<name>.git`.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn bare_path(&self) -> &Path {
        &self.bare
    }

    pub fn work_path(&self) -> &Path {
        &self.work
    }

    /// Runs git in the work tree with the current fixed date, returning trimmed stdout.
    pub fn git<I, S>(&self, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.dated_git();
        cmd.args(args);
        run(cmd)
    }

    fn dated_git(&self) -> Command {
        let n = self.clock.load(Ordering::Relaxed);
        let date = format!("@{} +0000", EPOCH + 60 * n);
        let mut cmd = git_command();
        cmd.current_dir(&self.work)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date);
        cmd
    }

    /// Moves the fixed clock a minute on, so each commit or tag gets its own date.
    fn tick(&self) {
        self.clock.fetch_add(1, Ordering::Relaxed);
    }

    fn signing_git(&self, key: &GpgKey) -> Command {
        let mut cmd = self.dated_git();
        cmd.env("GNUPGHOME", key.home())
            .arg("-c")
            .arg("gpg.format=openpgp")
            .arg("-c")
            .arg(format!("user.signingKey={}", key.fingerprint()));
        cmd
    }

    /// Writes a file (creating directories) in the work tree, relative to its top.
    pub fn write_file(&self, path: &str, contents: impl AsRef<[u8]>) -> Result<()> {
        let full = self.work.join(path);
        if let Some(dir) = full.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&full, contents).with_context(|| format!("writing {}", full.display()))
    }

    pub fn remove_file(&self, path: &str) -> Result<()> {
        let full = self.work.join(path);
        std::fs::remove_file(&full).with_context(|| format!("removing {}", full.display()))
    }

    /// Writes `files`, stages everything and commits on the current branch; returns the
    /// commit id. With no changes the commit is empty.
    pub fn commit(&self, message: &str, files: &[(&str, &str)]) -> Result<String> {
        self.stage(files)?;
        self.tick();
        self.git(["commit", "--quiet", "--allow-empty", "-m", message])?;
        self.head()
    }

    /// Like [`Repo::commit`], signed with `key`.
    pub fn signed_commit(
        &self,
        message: &str,
        files: &[(&str, &str)],
        key: &GpgKey,
    ) -> Result<String> {
        self.stage(files)?;
        self.tick();
        let mut cmd = self.signing_git(key);
        cmd.args(["commit", "--quiet", "--allow-empty", "-S", "-m", message]);
        run(cmd)?;
        self.head()
    }

    fn stage(&self, files: &[(&str, &str)]) -> Result<()> {
        for (path, contents) in files {
            self.write_file(path, contents)?;
        }
        self.git(["add", "--all"])?;
        Ok(())
    }

    /// The commit id the work tree's HEAD points at.
    pub fn head(&self) -> Result<String> {
        self.git(["rev-parse", "HEAD"])
    }

    /// Creates branch `name` at HEAD and switches to it.
    pub fn checkout_new_branch(&self, name: &str) -> Result<()> {
        self.git(["checkout", "--quiet", "-b", name]).map(drop)
    }

    /// Switches to an existing branch (or detaches at a tag or commit).
    pub fn checkout(&self, rev: &str) -> Result<()> {
        self.git(["checkout", "--quiet", rev]).map(drop)
    }

    /// Creates (or moves) branch `name` to HEAD without switching.
    pub fn branch(&self, name: &str) -> Result<()> {
        self.git(["branch", "--force", name]).map(drop)
    }

    /// A lightweight tag at HEAD.
    pub fn tag(&self, name: &str) -> Result<()> {
        self.tick();
        self.git(["tag", name]).map(drop)
    }

    /// An annotated tag at HEAD; returns the tag object's id.
    pub fn annotated_tag(&self, name: &str, message: &str) -> Result<String> {
        self.tick();
        self.git(["tag", "--annotate", "-m", message, name])?;
        self.git(["rev-parse", &format!("refs/tags/{name}")])
    }

    /// An annotated tag at HEAD signed with `key`; returns the tag object's id.
    pub fn signed_tag(&self, name: &str, message: &str, key: &GpgKey) -> Result<String> {
        self.tick();
        let mut cmd = self.signing_git(key);
        cmd.args(["tag", "--sign", "-m", message, name]);
        run(cmd)?;
        self.git(["rev-parse", &format!("refs/tags/{name}")])
    }

    /// Force-pushes every branch and tag of the work tree to the bare repository.
    pub fn push(&self) -> Result<()> {
        self.push_refspecs(&["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"])
    }

    pub fn push_refspecs(&self, refspecs: &[&str]) -> Result<()> {
        let mut args = vec!["push", "--quiet", "origin"];
        args.extend_from_slice(refspecs);
        self.git(args).map(drop)
    }

    /// Deletes a branch or tag (`refs/heads/x`, `refs/tags/v1`) from the bare repository.
    pub fn delete_remote_ref(&self, refname: &str) -> Result<()> {
        self.push_refspecs(&[&format!(":{refname}")])
    }

    /// The id of the commit a ref of the bare repository (as served) points at, peeling
    /// annotated tags: `main`, `refs/heads/main`, `v1.0.0`, `HEAD`.
    pub fn commit_of(&self, refname: &str) -> Result<String> {
        self.bare_rev_parse(&format!("{refname}^{{commit}}"))
    }

    /// The object id a ref of the bare repository points at (a tag object for annotated
    /// tags).
    pub fn bare_rev_parse(&self, rev: &str) -> Result<String> {
        let mut cmd = git_command();
        cmd.arg("--git-dir").arg(&self.bare).args([
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            rev,
        ]);
        run(cmd).with_context(|| format!("{rev} does not exist in {}", self.name))
    }

    /// Points the bare repository's HEAD (the default branch clones get) at `branch`.
    pub fn set_default_branch(&self, branch: &str) -> Result<()> {
        let mut cmd = git_command();
        cmd.arg("--git-dir").arg(&self.bare).args([
            "symbolic-ref",
            "HEAD",
            &format!("refs/heads/{branch}"),
        ]);
        run(cmd).map(drop)
    }
}
