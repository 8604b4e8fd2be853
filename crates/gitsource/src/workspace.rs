//! One branch of a remote repository to commit to and push back: what `tk bootstrap`
//! needs. The branch is fetched into a bare repository in a directory the caller owns, and
//! files are written straight into new trees: there is no work tree and no checkout, so a
//! commit costs the blobs that changed and nothing else.

use std::io::Write as _;
use std::path::{Component, Path};
use std::time::Duration;

use git2::build::TreeUpdateBuilder;
use git2::{FileMode, ObjectType, Oid, PushOptions, Repository};
use pgp::composed::{ArmorOptions, Deserializable, DetachedSignature, SignedSecretKey};
use pgp::crypto::hash::HashAlgorithm;
use pgp::types::{KeyDetails, Password};

use crate::auth::Auth;
use crate::error::{Error, Result};
use crate::transport::{Session, connect_and_list};
use crate::url::RemoteUrl;

/// Name and email of commits' author and committer.
#[derive(Clone, Debug)]
pub struct Author {
    pub name: String,
    pub email: String,
}

/// An OpenPGP secret key that signs commits (`gpgsig` header, as `git commit -S` writes it).
pub struct Signer {
    key: SignedSecretKey,
    password: Password,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Picks the key with primary key ID `key_id` (16 hex digits, any case), or the first
    /// key, from a keyring (armored or binary, several keys allowed) and checks that
    /// `passphrase` unlocks it.
    pub fn from_keyring(keyring: &[u8], key_id: Option<&str>, passphrase: &str) -> Result<Signer> {
        let invalid = |reason: String| Error::InvalidKeyring { index: 0, reason };
        let keys: Vec<SignedSecretKey> = if keyring.trim_ascii_start().starts_with(b"-----") {
            SignedSecretKey::from_armor_many(keyring)
                .map_err(|e| invalid(e.to_string()))?
                .0
                .collect::<std::result::Result<_, _>>()
        } else {
            SignedSecretKey::from_bytes_many(keyring)
                .map_err(|e| invalid(e.to_string()))?
                .collect::<std::result::Result<_, _>>()
        }
        .map_err(|e| invalid(e.to_string()))?;
        if keys.is_empty() {
            return Err(invalid("it holds no secret key".into()));
        }
        let key = match key_id {
            Some(wanted) => keys
                .into_iter()
                .find(|k| hex_upper(k.legacy_key_id().as_ref()) == wanted.to_ascii_uppercase())
                .ok_or_else(|| invalid(format!("no secret key with ID {wanted}")))?,
            None => keys.into_iter().next().expect("checked non-empty"),
        };
        let password = Password::from(passphrase);
        key.primary_key
            .unlock(&password, |_, _| Ok(()))
            .and_then(|inner| inner)
            .map_err(|e| invalid(format!("the passphrase does not unlock it ({e})")))?;
        Ok(Signer { key, password })
    }

    /// The primary key ID, 16 upper-case hex digits.
    pub fn key_id(&self) -> String {
        hex_upper(self.key.legacy_key_id().as_ref())
    }

    fn sign(&self, payload: &[u8]) -> Result<String> {
        let failed = |e: pgp::errors::Error| Error::InvalidKeyring {
            index: 0,
            reason: format!("signing failed: {e}"),
        };
        let signature = DetachedSignature::sign_binary_data(
            rand::thread_rng(),
            &self.key.primary_key,
            &self.password,
            HashAlgorithm::Sha256,
            payload,
        )
        .map_err(failed)?;
        signature
            .to_armored_string(ArmorOptions::default())
            .map_err(failed)
    }
}

/// Whether `name` may be a branch (`refs/heads/<name>` is a valid reference name).
pub fn is_valid_branch(name: &str) -> bool {
    !name.is_empty() && git2::Reference::is_valid_name(&format!("refs/heads/{name}"))
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// A branch fetched for committing. Commits stay local until [`Workspace::push`].
pub struct Workspace {
    repo: Repository,
    url: RemoteUrl,
    auth: Auth,
    branch: String,
    timeout: Duration,
    /// The branch's tip on the remote when fetched; `None` for an empty repository.
    remote_tip: Option<Oid>,
    /// The local tip: `remote_tip` plus the commits made since.
    tip: Option<Oid>,
}

impl Workspace {
    /// Fetches `branch` of `url` into a bare repository at `dir` (which must not exist or
    /// be empty). A repository without any branch is started afresh on `branch`; one that
    /// has branches but not this one is refused ([`Error::RefNotFound`]), as pushing a new
    /// branch nobody reconciles is rarely what was meant.
    pub fn clone(
        url: &str,
        auth: &Auth,
        branch: &str,
        dir: &Path,
        timeout: Duration,
    ) -> Result<Workspace> {
        let url = RemoteUrl::parse(url)?;
        if !is_valid_branch(branch) {
            return Err(Error::invalid(
                "branch",
                format!("'{branch}' is not a valid branch name"),
            ));
        }
        let repo = Repository::init_bare(dir).map_err(|e| Error::Io {
            action: "creating a repository in",
            path: dir.display().to_string(),
            source: std::io::Error::other(e.message().to_string()),
        })?;
        let mut workspace = Workspace {
            repo,
            url,
            auth: auth.clone(),
            branch: branch.to_string(),
            timeout,
            remote_tip: None,
            tip: None,
        };
        workspace.refresh()?;
        Ok(workspace)
    }

    /// Fetches the branch again and drops the local commits: after a rejected push, the
    /// commits are made again on top of what the remote has now.
    pub fn refresh(&mut self) -> Result<()> {
        let refname = format!("refs/heads/{}", self.branch);
        let session = Session::new(&self.url, &self.auth, self.timeout)?;
        let mut remote = self
            .repo
            .remote_anonymous(&self.url.raw)
            .map_err(|e| session.error(e))?;
        let advertised = connect_and_list(&mut remote, &session)?;
        let has_branches = advertised.iter().any(|(n, _)| n.starts_with("refs/heads/"));
        self.remote_tip = if advertised.iter().any(|(n, _)| *n == refname) {
            let mut remote = self
                .repo
                .remote_anonymous(&self.url.raw)
                .map_err(|e| session.error(e))?;
            let mut options = session.fetch_options()?;
            // Forced: local commits that were not pushed are dropped.
            remote
                .fetch(&[format!("+{refname}:{refname}")], Some(&mut options), None)
                .map_err(|e| session.error(e))?;
            session.check_deadline()?;
            Some(
                self.repo
                    .refname_to_id(&refname)
                    .map_err(|_| Error::RefNotFound {
                        url: self.url.redacted.clone(),
                        reference: refname.clone(),
                    })?,
            )
        } else if has_branches {
            return Err(Error::RefNotFound {
                url: self.url.redacted.clone(),
                reference: refname,
            });
        } else {
            if let Ok(mut local) = self.repo.find_reference(&refname) {
                local.delete().map_err(|e| self.local(e))?;
            }
            None
        };
        self.tip = self.remote_tip;
        Ok(())
    }

    /// The local tip (hex), `None` while an empty repository has no commit.
    pub fn head(&self) -> Option<String> {
        self.tip.map(|oid| oid.to_string())
    }

    /// True when commits were made that the remote does not have yet.
    pub fn has_unpushed(&self) -> bool {
        self.tip != self.remote_tip
    }

    /// The content of `path` at the local tip, `None` when there is no such file.
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let Some(tree) = self.tree()? else {
            return Ok(None);
        };
        let entry = match tree.get_path(Path::new(path)) {
            Ok(entry) => entry,
            Err(_) => return Ok(None),
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        let blob = self.repo.find_blob(entry.id()).map_err(|e| self.local(e))?;
        Ok(Some(blob.content().to_vec()))
    }

    /// Writes every file under `dir` of the local tip into `dest` (created), keeping the
    /// relative layout; symbolic links and submodules are skipped. Returns how many files
    /// were written.
    pub fn export_dir(&self, dir: &str, dest: &Path) -> Result<usize> {
        let io = |action: &'static str, path: &Path| {
            let path = path.display().to_string();
            move |source| Error::Io {
                action,
                path,
                source,
            }
        };
        std::fs::create_dir_all(dest).map_err(io("creating", dest))?;
        let Some(tree) = self.tree()? else {
            return Ok(0);
        };
        let subtree = match tree.get_path(Path::new(dir)) {
            Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                self.repo.find_tree(entry.id()).map_err(|e| self.local(e))?
            }
            _ => return Ok(0),
        };
        let mut written = 0;
        let mut failure = None;
        subtree
            .walk(git2::TreeWalkMode::PreOrder, |parent, entry| {
                if entry.kind() != Some(ObjectType::Blob) || entry.filemode() == 0o120000 {
                    return git2::TreeWalkResult::Ok;
                }
                let target = dest.join(parent).join(entry.name().unwrap_or_default());
                let result = self
                    .repo
                    .find_blob(entry.id())
                    .map_err(|e| self.local(e))
                    .and_then(|blob| {
                        if let Some(dir) = target.parent() {
                            std::fs::create_dir_all(dir).map_err(io("creating", dir))?;
                        }
                        std::fs::File::create(&target)
                            .and_then(|mut f| f.write_all(blob.content()))
                            .map_err(io("writing", &target))
                    });
                match result {
                    Ok(()) => {
                        written += 1;
                        git2::TreeWalkResult::Ok
                    }
                    Err(err) => {
                        failure = Some(err);
                        git2::TreeWalkResult::Abort
                    }
                }
            })
            .map_err(|e| failure.take().unwrap_or_else(|| self.local(e)))?;
        match failure {
            Some(err) => Err(err),
            None => Ok(written),
        }
    }

    /// Commits `files` (repository-relative `/` paths and contents) on top of the local tip
    /// when they change its tree; returns the new commit, or `None` when every file already
    /// has that content. Files not named are left as they are.
    pub fn commit(
        &mut self,
        files: &[(&str, &[u8])],
        author: &Author,
        message: &str,
        signer: Option<&Signer>,
    ) -> Result<Option<String>> {
        for (path, _) in files {
            check_path(path)?;
        }
        // The trees and commits borrow the repository; they must be gone before `tip` moves.
        let oid = {
            let base = self.tree()?;
            let mut update = TreeUpdateBuilder::new();
            for (path, content) in files {
                let blob = self.repo.blob(content).map_err(|e| self.local(e))?;
                update.upsert(*path, blob, FileMode::Blob);
            }
            let base_tree = match &base {
                Some(tree) => tree.clone(),
                None => {
                    let empty = self
                        .repo
                        .treebuilder(None)
                        .and_then(|b| b.write())
                        .map_err(|e| self.local(e))?;
                    self.repo.find_tree(empty).map_err(|e| self.local(e))?
                }
            };
            let tree_id = update
                .create_updated(&self.repo, &base_tree)
                .map_err(|e| self.local(e))?;
            if base.is_some() && tree_id == base_tree.id() {
                return Ok(None);
            }
            let content = commit_object(tree_id, self.tip, author, message)?;
            let oid = match signer {
                Some(signer) => {
                    let armored = signer.sign(content.as_bytes())?;
                    self.repo
                        .commit_signed(&content, &armored, Some("gpgsig"))
                        .map_err(|e| self.local(e))?
                }
                None => self
                    .repo
                    .odb()
                    .and_then(|odb| odb.write(ObjectType::Commit, content.as_bytes()))
                    .map_err(|e| self.local(e))?,
            };
            self.repo
                .reference(&format!("refs/heads/{}", self.branch), oid, true, "commit")
                .map_err(|e| self.local(e))?;
            oid
        };
        self.tip = Some(oid);
        Ok(Some(oid.to_string()))
    }

    /// Pushes the local tip to the branch. The push is a fast-forward only: when someone
    /// pushed meanwhile the server refuses it and nothing changes there.
    pub fn push(&mut self) -> Result<()> {
        if !self.has_unpushed() {
            return Ok(());
        }
        let session = Session::new(&self.url, &self.auth, self.timeout)?;
        let refname = format!("refs/heads/{}", self.branch);
        let rejected = std::cell::RefCell::new(None::<String>);
        {
            let mut callbacks = session.callbacks();
            callbacks.push_update_reference(|name, status| {
                if let Some(status) = status {
                    rejected.replace(Some(format!("{name}: {status}")));
                }
                Ok(())
            });
            let mut options = PushOptions::new();
            options.remote_callbacks(callbacks);
            options.proxy_options(session.proxy_options()?);
            let headers = session.headers();
            let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
            if !refs.is_empty() {
                options.custom_headers(&refs);
            }
            let mut remote = self
                .repo
                .remote_anonymous(&self.url.raw)
                .map_err(|e| session.error(e))?;
            remote
                .push(&[format!("{refname}:{refname}")], Some(&mut options))
                .map_err(|e| match e.code() {
                    // libgit2 sees the remote tip first and refuses before sending anything.
                    git2::ErrorCode::NotFastForward => Error::PushRejected {
                        url: self.url.redacted.clone(),
                        reason: format!("{refname} moved on the remote since it was fetched"),
                    },
                    _ => session.error(e),
                })?;
        }
        session.check_deadline()?;
        if let Some(reason) = rejected.into_inner() {
            return Err(Error::PushRejected {
                url: self.url.redacted.clone(),
                reason,
            });
        }
        self.remote_tip = self.tip;
        Ok(())
    }

    fn tree(&self) -> Result<Option<git2::Tree<'_>>> {
        match self.tip {
            Some(oid) => {
                let commit = self.repo.find_commit(oid).map_err(|e| self.local(e))?;
                Ok(Some(commit.tree().map_err(|e| self.local(e))?))
            }
            None => Ok(None),
        }
    }

    fn local(&self, e: git2::Error) -> Error {
        Error::Git {
            url: self.url.redacted.clone(),
            message: e.message().to_string(),
        }
    }
}

/// The commit object's text. Written by hand rather than through libgit2's signature type,
/// which refuses an empty email: flux's default author is `Flux` with none, and git itself
/// accepts `Flux <>`.
fn commit_object(tree: Oid, parent: Option<Oid>, author: &Author, message: &str) -> Result<String> {
    let unsafe_char = |s: &str| s.contains(['<', '>', '\n', '\0']);
    if author.name.trim().is_empty() || unsafe_char(&author.name) || unsafe_char(&author.email) {
        return Err(Error::invalid(
            "author",
            format!(
                "{:?} <{}>: the name must not be empty and neither may contain '<', '>' or a newline",
                author.name, author.email
            ),
        ));
    }
    if message.contains('\0') {
        return Err(Error::invalid("commit message", "must not contain NUL"));
    }
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let who = format!("{} <{}> {seconds} +0000", author.name, author.email);
    let mut text = format!("tree {tree}\n");
    if let Some(parent) = parent {
        text.push_str(&format!("parent {parent}\n"));
    }
    text.push_str(&format!("author {who}\ncommitter {who}\n\n{message}"));
    if !message.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// Paths are relative, `/`-separated and stay inside the repository.
fn check_path(path: &str) -> Result<()> {
    let ok = !path.is_empty()
        && !path.contains('\\')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(part) if part != ".git"));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "path",
            format!("'{path}' must be relative, inside the repository and not under .git"),
        ))
    }
}
