//! Fetching just what a reference needs and writing its tree to a directory.

use crate::auth::Auth;
use crate::error::{Error, Result};
use crate::reference::{PEELED_SUFFIX, Reference, Strategy};
use crate::remote::semver_candidates;
use crate::transport::{Session, connect_and_list};
use crate::url::{RemoteUrl, Scheme};
use git2::{ObjectType, Oid, Repository, build::CheckoutBuilder};
use std::path::{Component, Path};
use std::time::Duration;

/// Flux's `DefaultSubmoduleRecursionDepth`.
const SUBMODULE_DEPTH: usize = 10;

/// Where fetched references are stored inside the checkout's own `.git`.
const FETCHED: &str = "refs/tk/fetched";

#[derive(Clone, Debug)]
pub struct CheckoutOptions {
    /// History depth to fetch; 1 (Flux's shallow clone) by default, 0 for everything.
    /// A pinned commit reached through a branch always fetches that branch whole, to prove
    /// the commit is on it.
    pub depth: u32,
    /// Check out submodules (recursively, with the same auth), `spec.recurseSubmodules`.
    pub recurse_submodules: bool,
    /// Directories to check out instead of the whole tree, `spec.sparseCheckout`.
    pub sparse_paths: Vec<String>,
    /// Deadline for the whole operation, submodules included.
    pub timeout: Duration,
}

impl Default for CheckoutOptions {
    fn default() -> Self {
        CheckoutOptions {
            depth: 1,
            recurse_submodules: false,
            sparse_paths: Vec::new(),
            timeout: crate::DEFAULT_TIMEOUT,
        }
    }
}

/// A person and time, as recorded in a commit or tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub name: String,
    pub email: String,
    /// Seconds since the Unix epoch.
    pub time: i64,
    /// Offset of the recorded time zone from UTC, in minutes.
    pub offset_minutes: i32,
}

/// An armored signature and the exact bytes it signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedPayload {
    pub signature: String,
    pub payload: Vec<u8>,
}

/// An annotated tag the checked out commit was reached through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagInfo {
    pub name: String,
    /// SHA of the tag object.
    pub sha: String,
    pub tagger: Option<Signature>,
    /// The message without its signature block.
    pub message: String,
    pub signature: Option<SignedPayload>,
}

/// The checked out commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    pub sha: String,
    /// Full reference name it was reached through, `None` for a bare pinned commit.
    pub reference: Option<String>,
    /// The artifact revision, e.g. `main@sha1:<hex>`.
    pub revision: String,
    pub author: Signature,
    pub committer: Signature,
    pub message: String,
    pub signature: Option<SignedPayload>,
    pub tag: Option<TagInfo>,
}

impl Commit {
    /// The subject, cut to 50 characters plus `...` as Flux's `ShortMessage`.
    pub fn short_message(&self) -> String {
        let subject = self.message.lines().next().unwrap_or_default();
        match subject.char_indices().nth(50) {
            Some((cut, _)) => format!("{}...", &subject[..cut]),
            None => subject.to_string(),
        }
    }
}

impl TagInfo {
    /// `<name>@<sha>`, how Flux names a tag in verification messages.
    pub fn display(&self) -> String {
        format!("{}@{}", self.name, self.sha)
    }
}

/// Fetches what `reference` needs from `url` into `dir` (created if missing, else it must
/// be empty) and checks it out, following Flux's clone strategies:
/// a branch or tag is fetched alone at `depth`; a semver range lists the tags and fetches
/// only the winners; a `name` is fetched as is; a pinned commit is fetched through its
/// branch (and must be reachable from it) or, without one, directly by SHA, falling back
/// to all branches and tags when the server does not allow that.
///
/// On error `dir` may hold a partial `.git`; callers check out into a fresh temporary
/// directory and discard it, as source-controller does.
pub fn checkout(
    url: &str,
    reference: &Reference,
    auth: &Auth,
    dir: &Path,
    options: &CheckoutOptions,
) -> Result<Commit> {
    let url = RemoteUrl::parse(url)?;
    let strategy = reference.strategy()?;
    let sparse = sparse_paths(&options.sparse_paths)?;
    let session = Session::new(&url, auth, options.timeout)?;
    prepare_dir(dir)?;
    let repo = Repository::init(dir).map_err(|e| session.error(e))?;
    let depth = options.depth.min(i32::MAX as u32) as i32;

    let fetched = fetch_strategy(&repo, &session, reference, &strategy, depth)?;
    let commit = repo
        .find_commit(fetched.commit)
        .map_err(|e| session.error(e))?;
    let tree = commit.tree().map_err(|e| session.error(e))?;
    for path in &sparse {
        if tree.get_path(Path::new(path)).is_err() {
            return Err(Error::SparsePathNotFound {
                path: path.clone(),
                commit: fetched.commit.to_string(),
            });
        }
    }
    let extra_gitmodules = options.recurse_submodules
        && !sparse.is_empty()
        && tree.get_path(Path::new(".gitmodules")).is_ok();
    check_out(&repo, &session, &commit, &sparse, extra_gitmodules)?;
    if options.recurse_submodules {
        update_submodules(&repo, &session, &sparse, depth, 1)?;
        if extra_gitmodules {
            let path = dir.join(".gitmodules");
            std::fs::remove_file(&path).map_err(|e| Error::io("remove", &path, e))?;
        }
    }

    let label = Reference::label(&strategy, fetched.semver_tag.as_deref());
    let tag = match fetched.tag_object {
        Some(oid) => Some(tag_info(&repo, oid).map_err(|e| session.error(e))?),
        None => None,
    };
    Ok(Commit {
        sha: fetched.commit.to_string(),
        revision: reference.revision(label.as_deref(), &fetched.commit.to_string()),
        reference: label,
        author: signature(&commit.author()),
        committer: signature(&commit.committer()),
        message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
        signature: commit_signature(&repo, fetched.commit),
        tag,
    })
}

struct Fetched {
    commit: Oid,
    tag_object: Option<Oid>,
    semver_tag: Option<String>,
}

fn fetch_strategy(
    repo: &Repository,
    session: &Session<'_>,
    reference: &Reference,
    strategy: &Strategy,
    depth: i32,
) -> Result<Fetched> {
    let url = &session.url.redacted;
    match strategy {
        Strategy::Branch(b) => {
            let oid = fetch_ref(repo, session, &format!("refs/heads/{b}"), depth)?;
            Ok(Fetched {
                commit: peel(repo, session, oid)?,
                tag_object: None,
                semver_tag: None,
            })
        }
        Strategy::Tag(t) => {
            let oid = fetch_ref(repo, session, &format!("refs/tags/{t}"), depth)?;
            Ok(Fetched {
                commit: peel(repo, session, oid)?,
                tag_object: annotated(repo, oid),
                semver_tag: None,
            })
        }
        Strategy::Name(n) => {
            let bare = n.strip_suffix(PEELED_SUFFIX).unwrap_or(n);
            let oid = fetch_ref(repo, session, bare, depth)?;
            let wants_tag = bare.starts_with("refs/tags/") && bare == n;
            Ok(Fetched {
                commit: peel(repo, session, oid)?,
                tag_object: if wants_tag {
                    annotated(repo, oid)
                } else {
                    None
                },
                semver_tag: None,
            })
        }
        Strategy::SemVer(range) => {
            let mut remote = repo
                .remote_anonymous(&session.url.raw)
                .map_err(|e| session.error(e))?;
            let advertised: Vec<(String, String)> = connect_and_list(&mut remote, session)?
                .into_iter()
                .map(|(n, o)| (n, o.to_string()))
                .collect();
            let candidates = semver_candidates(range, &advertised)?;
            if candidates.is_empty() {
                return Err(Error::NoMatchingTag {
                    url: url.clone(),
                    range: range.clone(),
                });
            }
            // Flux breaks ties between equal versions with the tagged commit's time.
            let mut picked: Vec<(String, Oid, Oid, i64)> = Vec::new();
            for tag in candidates {
                let oid = fetch_ref(repo, session, &format!("refs/tags/{tag}"), depth)?;
                let commit = peel(repo, session, oid)?;
                let time = repo
                    .find_commit(commit)
                    .map(|c| c.committer().when().seconds())
                    .unwrap_or(0);
                picked.push((tag, oid, commit, time));
            }
            let constraint = versionrange::Constraint::parse(range)
                .map_err(|e| Error::invalid("semver range", e.to_string()))?;
            let (winner, _) = versionrange::latest_matching_by(
                &constraint,
                picked.iter().map(|(t, _, _, time)| (t.as_str(), *time)),
            )
            .ok_or_else(|| Error::NoMatchingTag {
                url: url.clone(),
                range: range.clone(),
            })?;
            let (tag, oid, commit, _) = picked
                .into_iter()
                .find(|(t, ..)| *t == winner)
                .expect("winner is a candidate");
            Ok(Fetched {
                commit,
                tag_object: annotated(repo, oid),
                semver_tag: Some(tag),
            })
        }
        Strategy::Commit { commit, via } => {
            let wanted = Oid::from_str(commit)
                .map_err(|e| Error::invalid("commit", e.message().to_string()))?;
            let not_found = || Error::CommitNotFound {
                url: url.clone(),
                commit: commit.clone(),
                reference: via.clone(),
            };
            let mut tag_object = None;
            match via {
                Some(via) => {
                    let tip = fetch_ref(repo, session, via, 0)?;
                    let tip_commit = peel(repo, session, tip)?;
                    let reachable = tip_commit == wanted
                        || (repo.find_commit(wanted).is_ok()
                            && repo
                                .graph_descendant_of(tip_commit, wanted)
                                .unwrap_or(false));
                    if !reachable {
                        return Err(not_found());
                    }
                    if reference.name.as_deref() == Some(via.as_str())
                        && via.starts_with("refs/tags/")
                    {
                        tag_object = annotated(repo, tip);
                    }
                }
                None => {
                    if !fetch_commit(repo, session, wanted, depth)? {
                        return Err(not_found());
                    }
                }
            }
            Ok(Fetched {
                commit: wanted,
                tag_object,
                semver_tag: None,
            })
        }
    }
}

/// Fetches one reference into [`FETCHED`] and returns what it points to. libgit2 fetches
/// nothing, without an error, for a source the server does not advertise, so the missing
/// local ref is what tells.
fn fetch_ref(repo: &Repository, session: &Session<'_>, name: &str, depth: i32) -> Result<Oid> {
    if let Ok(mut stale) = repo.find_reference(FETCHED) {
        stale.delete().map_err(|e| session.error(e))?;
    }
    fetch_refspecs(repo, session, &[format!("+{name}:{FETCHED}")], depth)?;
    repo.refname_to_id(FETCHED).map_err(|_| Error::RefNotFound {
        url: session.url.redacted.clone(),
        reference: name.to_string(),
    })
}

fn fetch_refspecs(
    repo: &Repository,
    session: &Session<'_>,
    refspecs: &[String],
    depth: i32,
) -> Result<()> {
    let mut remote = repo
        .remote_anonymous(&session.url.raw)
        .map_err(|e| session.error(e))?;
    let mut options = session.fetch_options()?;
    // libgit2's local transport cannot negotiate a shallow pack.
    if depth > 0 && session.url.scheme != Scheme::File {
        options.depth(depth);
    }
    remote
        .fetch(refspecs, Some(&mut options), None)
        .map_err(|e| session.error(e))?;
    session.check_deadline()
}

/// Fetches `commit` by SHA or, when the server refuses to serve unadvertised objects
/// (no `uploadpack.allowReachableSHA1InWant`), every branch and tag, as Flux clones all
/// branches for a commit without a branch.
fn fetch_commit(repo: &Repository, session: &Session<'_>, commit: Oid, depth: i32) -> Result<bool> {
    let direct = fetch_refspecs(repo, session, &[format!("+{commit}:{FETCHED}")], depth);
    if direct.is_err() || repo.find_commit(commit).is_err() {
        session.check_deadline()?;
        if let Err(
            e @ (Error::UnknownHostKey { .. }
            | Error::HostKeyMismatch { .. }
            | Error::AuthenticationFailed { .. }),
        ) = direct
        {
            return Err(e);
        }
        fetch_refspecs(repo, session, &all_refs(), 0)?;
    }
    Ok(repo.find_commit(commit).is_ok())
}

fn all_refs() -> [String; 2] {
    [
        "+refs/heads/*:refs/remotes/origin/*".to_string(),
        "+refs/tags/*:refs/tags/*".to_string(),
    ]
}

fn peel(repo: &Repository, session: &Session<'_>, oid: Oid) -> Result<Oid> {
    repo.find_object(oid, None)
        .and_then(|o| o.peel(ObjectType::Commit))
        .map(|c| c.id())
        .map_err(|e| session.error(e))
}

fn annotated(repo: &Repository, oid: Oid) -> Option<Oid> {
    repo.find_tag(oid).ok().map(|t| t.id())
}

fn check_out(
    repo: &Repository,
    session: &Session<'_>,
    commit: &git2::Commit<'_>,
    sparse: &[String],
    with_gitmodules: bool,
) -> Result<()> {
    let mut builder = CheckoutBuilder::new();
    builder.force();
    for path in sparse {
        builder.path(path.as_str());
    }
    if with_gitmodules {
        builder.path(".gitmodules");
    }
    repo.checkout_tree(commit.as_object(), Some(&mut builder))
        .and_then(|()| repo.set_head_detached(commit.id()))
        .map_err(|e| session.error(e))
}

/// Checks out each submodule's recorded commit with the parent's auth and deadline.
/// Local-path and file:// submodule URLs are refused unless the parent itself is local:
/// a tenant's `.gitmodules` must not read repositories off the controller's disk.
fn update_submodules(
    repo: &Repository,
    session: &Session<'_>,
    sparse: &[String],
    depth: i32,
    level: usize,
) -> Result<()> {
    if level > SUBMODULE_DEPTH {
        return Err(Error::invalid(
            "submodules",
            format!("nested deeper than {SUBMODULE_DEPTH} levels"),
        ));
    }
    let workdir = repo
        .workdir()
        .expect("checkouts have a working tree")
        .to_path_buf();
    let submodules = repo.submodules().map_err(|e| session.error(e))?;
    for sm in submodules {
        let path = sm.path().to_string_lossy().into_owned();
        if !sparse.is_empty()
            && !sparse
                .iter()
                .any(|s| path == *s || path.starts_with(&format!("{s}/")))
        {
            continue;
        }
        let Some(commit) = sm.head_id() else { continue };
        let raw = sm.url().ok().flatten().unwrap_or_default().to_string();
        let sub_url = resolve_submodule_url(session.url, &raw)?;
        let target = secure_join(&workdir, &path)?;
        let sub_session = session.fork(&sub_url)?;
        prepare_dir(&target)?;
        let sub_repo = Repository::init(&target).map_err(|e| sub_session.error(e))?;
        if !fetch_commit(&sub_repo, &sub_session, commit, depth)? {
            return Err(Error::CommitNotFound {
                url: sub_url.redacted.clone(),
                commit: commit.to_string(),
                reference: Some(format!("submodule '{path}'")),
            });
        }
        let c = sub_repo
            .find_commit(commit)
            .map_err(|e| sub_session.error(e))?;
        check_out(&sub_repo, &sub_session, &c, &[], false)?;
        update_submodules(&sub_repo, &sub_session, &[], depth, level + 1)?;
    }
    Ok(())
}

fn resolve_submodule_url(parent: &RemoteUrl, raw: &str) -> Result<RemoteUrl> {
    let absolute = if raw.starts_with("./") || raw.starts_with("../") {
        let base = ::url::Url::parse(&format!("{}/", parent.raw.trim_end_matches('/')))
            .map_err(|e| Error::invalid("submodule URL", e.to_string()))?;
        base.join(raw)
            .map_err(|e| Error::invalid("submodule URL", format!("'{raw}': {e}")))?
            .to_string()
    } else {
        raw.to_string()
    };
    let url = RemoteUrl::parse(&absolute).map_err(|_| {
        Error::invalid(
            "submodule URL",
            format!(
                "'{}' is not a supported remote URL",
                crate::url::redact_url(raw)
            ),
        )
    })?;
    if url.scheme == Scheme::File && parent.scheme != Scheme::File {
        return Err(Error::invalid(
            "submodule URL",
            format!("'{}' points at the local filesystem", url.redacted),
        ));
    }
    Ok(url)
}

/// Joins a repository-relative path below `root`, refusing anything that could leave it.
fn secure_join(root: &Path, rel: &str) -> Result<std::path::PathBuf> {
    let mut out = root.to_path_buf();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(part) if part == ".git" => {
                return Err(Error::invalid(
                    "path",
                    format!("'{rel}' points into a .git directory"),
                ));
            }
            Component::Normal(part) => {
                out.push(part);
                if out
                    .symlink_metadata()
                    .is_ok_and(|m| m.file_type().is_symlink())
                {
                    return Err(Error::invalid(
                        "path",
                        format!("'{rel}' goes through a symlink"),
                    ));
                }
            }
            Component::CurDir => {}
            _ => {
                return Err(Error::invalid(
                    "path",
                    format!("'{rel}' escapes the checkout"),
                ));
            }
        }
    }
    Ok(out)
}

/// Validates `spec.sparseCheckout`: relative, no `..`, normalised (`./a/` → `a`).
fn sparse_paths(paths: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for p in paths {
        let mut parts = Vec::new();
        for c in Path::new(p).components() {
            match c {
                Component::Normal(part) => {
                    let part = part.to_str().ok_or_else(|| {
                        Error::invalid("sparse checkout path", format!("{p:?} is not UTF-8"))
                    })?;
                    parts.push(part);
                }
                Component::CurDir => {}
                Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                    return Err(Error::invalid(
                        "sparse checkout path",
                        format!("'{p}' must be relative to the repository root and stay inside it"),
                    ));
                }
            }
        }
        if parts.is_empty() || parts.contains(&".git") {
            return Err(Error::invalid(
                "sparse checkout path",
                format!("'{p}' names no directory of the repository"),
            ));
        }
        out.push(parts.join("/"));
    }
    Ok(out)
}

fn prepare_dir(dir: &Path) -> Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::invalid(
                    "checkout directory",
                    format!("'{}' is not empty", dir.display()),
                ));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))
        }
        Err(e) => Err(Error::io("read", dir, e)),
    }
}

fn signature(s: &git2::Signature<'_>) -> Signature {
    Signature {
        name: String::from_utf8_lossy(s.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(s.email_bytes()).into_owned(),
        time: s.when().seconds(),
        offset_minutes: s.when().offset_minutes(),
    }
}

fn commit_signature(repo: &Repository, oid: Oid) -> Option<SignedPayload> {
    let (sig, data) = repo.extract_signature(&oid, None).ok()?;
    Some(SignedPayload {
        signature: String::from_utf8_lossy(&sig).into_owned(),
        payload: data.to_vec(),
    })
}

fn tag_info(repo: &Repository, oid: Oid) -> std::result::Result<TagInfo, git2::Error> {
    let tag = repo.find_tag(oid)?;
    let raw = repo.odb()?.read(oid)?.data().to_vec();
    let (payload, armored) = split_signature(&raw);
    let message = match payload.windows(2).position(|w| w == b"\n\n") {
        Some(i) => String::from_utf8_lossy(&payload[i + 2..]).into_owned(),
        None => String::new(),
    };
    Ok(TagInfo {
        name: String::from_utf8_lossy(tag.name_bytes()).into_owned(),
        sha: oid.to_string(),
        tagger: tag.tagger().as_ref().map(signature),
        message,
        signature: armored.map(|s| SignedPayload {
            signature: s,
            payload: payload.to_vec(),
        }),
    })
}

/// Splits a tag object at the first line that opens a signature block, as git's
/// `parse_signed_buffer` does; the part before is what was signed.
fn split_signature(raw: &[u8]) -> (&[u8], Option<String>) {
    const MARKERS: [&[u8]; 3] = [
        b"-----BEGIN PGP SIGNATURE-----",
        b"-----BEGIN SSH SIGNATURE-----",
        b"-----BEGIN SIGNED MESSAGE-----",
    ];
    let mut start = 0;
    while start < raw.len() {
        let line = &raw[start..];
        if MARKERS.iter().any(|m| line.starts_with(m)) {
            return (
                &raw[..start],
                Some(String::from_utf8_lossy(line).into_owned()),
            );
        }
        match line.iter().position(|b| *b == b'\n') {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    (raw, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_paths_are_normalised_and_confined() {
        let ok = sparse_paths(&["./deploy/".into(), "apps/prod".into()]).unwrap();
        assert_eq!(ok, vec!["deploy", "apps/prod"]);
        for bad in ["../x", "/etc", "a/../../b", ".", "", ".git", "a/.git/hooks"] {
            let err = sparse_paths(&[bad.into()]).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { .. }), "{bad}: {err}");
        }
    }

    #[test]
    fn splits_signed_tags() {
        let raw = b"object abc\ntype commit\ntag v1\ntagger A <a@b> 1 +0000\n\nrelease\n-----BEGIN PGP SIGNATURE-----\n\nxyz\n-----END PGP SIGNATURE-----\n";
        let (payload, sig) = split_signature(raw);
        assert!(payload.ends_with(b"\n\nrelease\n"));
        assert!(sig.unwrap().starts_with("-----BEGIN PGP SIGNATURE-----"));
        let (payload, sig) = split_signature(b"object abc\n\nunsigned\n");
        assert_eq!((payload.len(), sig), (21, None));
    }

    #[test]
    fn short_message_cuts_at_50_characters() {
        let mut c = Commit {
            sha: String::new(),
            reference: None,
            revision: String::new(),
            author: signature(&git2::Signature::new("a", "b", &git2::Time::new(0, 0)).unwrap()),
            committer: signature(&git2::Signature::new("a", "b", &git2::Time::new(0, 0)).unwrap()),
            message: format!("{}\n\nbody", "é".repeat(60)),
            signature: None,
            tag: None,
        };
        assert_eq!(c.short_message(), format!("{}...", "é".repeat(50)));
        c.message = "short\nbody".into();
        assert_eq!(c.short_message(), "short");
    }

    #[test]
    fn submodule_urls_resolve_relative_and_refuse_local_paths() {
        let parent = RemoteUrl::parse("https://example.com/org/app.git").unwrap();
        assert_eq!(
            resolve_submodule_url(&parent, "../lib.git").unwrap().raw,
            "https://example.com/org/lib.git"
        );
        assert_eq!(
            resolve_submodule_url(&parent, "./sub").unwrap().raw,
            "https://example.com/org/app.git/sub"
        );
        for bad in ["file:///etc/secrets", "/srv/repo", "ext::sh -c id"] {
            assert!(
                matches!(
                    resolve_submodule_url(&parent, bad),
                    Err(Error::InvalidInput { .. })
                ),
                "{bad}"
            );
        }
        let local = RemoteUrl::parse("file:///srv/app").unwrap();
        assert!(resolve_submodule_url(&local, "file:///srv/lib").is_ok());
    }

    #[test]
    fn secure_join_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        assert!(secure_join(dir.path(), "a/b").is_ok());
        assert!(secure_join(dir.path(), "../x").is_err());
        assert!(secure_join(dir.path(), "/x").is_err());
        assert!(secure_join(dir.path(), "a/.git/hooks").is_err());
        std::os::unix::fs::symlink("/tmp", dir.path().join("link")).unwrap();
        assert!(secure_join(dir.path(), "link/x").is_err());
    }
}
