//! The steps every `tk bootstrap` runs, in order. Everything that can be checked without
//! changing anything is checked first (flags, the cluster's version and the rights to
//! install, the path of an existing sync, the signing key, access to the repository), so a
//! bad input stops the command before anything is pushed or applied. Then: commit, push,
//! install (first time only: afterwards the cluster upgrades itself from Git), the Secret,
//! the sync objects, and a wait until the cluster has applied the pushed commit.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use gitsource::{Auth, Author, Signer, Workspace};
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, Patch, PatchParams};
use serde_json::Value;

use super::sync::{self, SyncOptions, TargetPath};
use crate::cli::args::BootstrapCommonArgs;
use crate::cli::cluster::{self, FIELD_MANAGER};
use crate::cli::create::{go_duration, secret_apply};
use crate::cli::objects::{self, GIT_REPOSITORY, KUSTOMIZATION, Kind};
use crate::cli::printer::Printer;
use crate::cli::settings::GlobalSettings;
use crate::cli::{cluster_call, install, preflight};
use crate::manifests::{self, Component, InstallOptions, labels};

/// The components a cluster cannot reconcile itself without.
const REQUIRED: [Component; 2] = [Component::Source, Component::Kustomize];

pub struct Bootstrap {
    pub printer: Printer,
    pub client: kube::Client,
    pub branch: String,
    pub path: TargetPath,
    pub secret_name: String,
    install: InstallOptions,
    interval: String,
    author: Author,
    appendix: String,
    signer: Option<Signer>,
    started: Instant,
    deadline: Instant,
    steps: Vec<(&'static str, Duration)>,
    /// Whether any step changed the repository or the cluster.
    changed: bool,
    dir: tempfile::TempDir,
    workspace: Option<(Workspace, String)>,
    /// The build of `<path>/<namespace>/` at the local tip: what the cluster will apply.
    built: Vec<Value>,
    /// The URL `gotk-sync.yaml` gives the cluster, kept to commit again after a conflict.
    sync_url: String,
}

impl Bootstrap {
    /// Checks the flags, the cluster and an existing installation; changes nothing.
    pub async fn prepare(
        common: &BootstrapCommonArgs,
        settings: &GlobalSettings,
        printer: Printer,
    ) -> Result<Bootstrap> {
        let started = Instant::now();
        let install = install::options(&common.components, settings, &Component::ALL)?;
        for component in REQUIRED {
            if !install.has(component) {
                bail!(
                    "flag --components: {} is required, the cluster reconciles itself with it",
                    component.name()
                );
            }
        }
        let path = TargetPath::parse(&common.path)?;
        let interval = go_duration("interval", &common.interval)?;
        if !gitsource::is_valid_branch(&common.branch) {
            bail!(
                "flag --branch: {:?} is not a valid branch name",
                common.branch
            );
        }
        if common.secret_name.is_empty() {
            bail!("flag --secret-name: must not be empty");
        }
        let signer = signer(common)?;
        let client = settings.client().await?;
        let deadline = started + settings.timeout;
        let mut bootstrap = Bootstrap {
            printer,
            client,
            branch: common.branch.clone(),
            path,
            secret_name: common.secret_name.clone(),
            install,
            interval,
            author: Author {
                name: common.author_name.clone(),
                email: common.author_email.clone(),
            },
            appendix: common.commit_message_appendix.clone(),
            signer,
            started,
            deadline,
            steps: Vec::new(),
            changed: false,
            dir: tempfile::Builder::new()
                .prefix("tk-bootstrap-")
                .tempdir()
                .context("creating a temporary directory")?,
            workspace: None,
            built: Vec::new(),
            sync_url: String::new(),
        };
        let step = Instant::now();
        bootstrap.check_cluster(common.force).await?;
        bootstrap.record("checks", step);
        Ok(bootstrap)
    }

    pub fn namespace(&self) -> &str {
        &self.install.namespace
    }

    /// Records a change made outside these steps (a deploy key), for the final message.
    pub fn note_change(&mut self, changed: bool) {
        self.changed |= changed;
    }

    fn record(&mut self, name: &'static str, since: Instant) {
        self.steps.push((name, since.elapsed()));
    }

    /// The cluster's version and the rights to install; an existing sync of another path;
    /// a namespace another tool manages.
    async fn check_cluster(&self, force: bool) -> Result<()> {
        let ns = self.namespace();
        self.printer.action("checking the cluster");
        let checks = preflight::run(&self.client, &manifests::render(&self.install), ns).await?;
        preflight::require(&checks, "nothing was pushed or applied")?;
        if let Some(existing) = KUSTOMIZATION
            .api(&self.client, Some(ns))
            .get_opt(ns)
            .await
            .ok()
            .flatten()
        {
            let current = existing.data["spec"]["path"].as_str().unwrap_or_default();
            let wanted = format!("./{}", self.path.dir);
            if TargetPath::parse(current).map(|p| p.dir).ok().as_deref() != Some(&self.path.dir) {
                bail!(
                    "the cluster is already synced from path {current:?} (Kustomization {ns}/{ns}); \
                     bootstrapping {wanted:?} would overwrite it: pass --path {current:?}, or \
                     delete that Kustomization first"
                );
            }
        }
        let namespaces: Api<Namespace> = Api::all(self.client.clone());
        if let Some(namespace) =
            cluster_call(namespaces.get_opt(ns), &format!("reading namespace {ns}")).await?
        {
            let manager = namespace
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(labels::MANAGED_BY))
                .map(String::as_str);
            if let Some(manager) = manager
                && manager != labels::MANAGED_BY_VALUE
                && !force
            {
                bail!(
                    "namespace {ns} is managed by {manager:?} ({} label): pass --force to take \
                     the installation over",
                    labels::MANAGED_BY
                );
            }
        }
        self.printer.success("cluster checks passed");
        Ok(())
    }

    /// Fetches the branch with `auth`, the credentials of whoever runs the command.
    pub fn clone(&mut self, url: &str, auth: &Auth) -> Result<()> {
        let step = Instant::now();
        self.printer.action(format!(
            "cloning branch {:?} from Git repository {:?}",
            self.branch,
            gitsource::redact_url(url)
        ));
        let spinner = self.printer.spinner("cloning");
        let timeout = self.remaining();
        let dir = self.dir.path().join("repository");
        let result = tokio::task::block_in_place(|| {
            Workspace::clone(url, auth, &self.branch, &dir, timeout)
        });
        spinner.finish_and_clear();
        let workspace = result.map_err(|err| git_error(err, url, &self.branch))?;
        self.printer.success(match workspace.head() {
            Some(_) => "cloned repository".to_string(),
            None => format!("the repository is empty: starting branch {:?}", self.branch),
        });
        self.workspace = Some((workspace, url.to_string()));
        self.record("clone", step);
        Ok(())
    }

    /// Commits the component manifests, then the sync manifests (and a kustomization.yaml
    /// when there is none), each only when it changes; then builds the directory as the
    /// cluster will, so a broken kustomization in the repository stops here, before a push.
    pub fn commit(&mut self, sync_url: &str) -> Result<()> {
        let step = Instant::now();
        self.sync_url = sync_url.to_string();
        let dir = self.path.join(self.namespace());
        let components =
            sync::components_manifest(&manifests::render(&self.install), &self.install);
        let sync_yaml = sync::sync_manifest(&SyncOptions {
            namespace: self.namespace().to_string(),
            url: sync_url.to_string(),
            branch: self.branch.clone(),
            interval: self.interval.clone(),
            secret: self.secret_name.clone(),
            path: self.path.clone(),
        });
        let message = |title: String| {
            if self.appendix.is_empty() {
                title
            } else {
                format!("{title}\n\n{}", self.appendix)
            }
        };
        let components_message = message(format!(
            "Add tk {} component manifests",
            self.install.version
        ));
        let sync_message = message("Add tk sync manifests".to_string());
        let (workspace, _) = self.workspace.as_mut().expect("cloned before commit");
        let components_path = format!("{dir}/{}", sync::COMPONENTS_FILE);
        let committed = workspace
            .commit(
                &[(&components_path, components.as_bytes())],
                &self.author,
                &components_message,
                self.signer.as_ref(),
            )
            .map_err(|err| anyhow!("committing {components_path}: {err}"))?;
        match &committed {
            Some(sha) => self.printer.success(format!(
                "committed component manifests to {:?} ({})",
                self.branch,
                short(sha)
            )),
            None => self.printer.success("component manifests are up to date"),
        }
        let kustomization_path = format!("{dir}/{}", sync::KUSTOMIZATION_FILE);
        let sync_path = format!("{dir}/{}", sync::SYNC_FILE);
        let kustomization = sync::kustomization_manifest();
        let mut files: Vec<(&str, &[u8])> = vec![(&sync_path, sync_yaml.as_bytes())];
        if workspace
            .read(&kustomization_path)
            .map_err(|err| anyhow!("reading {kustomization_path}: {err}"))?
            .is_none()
        {
            files.push((&kustomization_path, kustomization.as_bytes()));
        }
        let committed_sync = workspace
            .commit(&files, &self.author, &sync_message, self.signer.as_ref())
            .map_err(|err| anyhow!("committing {sync_path}: {err}"))?;
        match &committed_sync {
            Some(sha) => self.printer.success(format!(
                "committed sync manifests to {:?} ({})",
                self.branch,
                short(sha)
            )),
            None => self.printer.success("sync manifests are up to date"),
        }
        self.changed |= committed.is_some() || committed_sync.is_some();

        let out = self.dir.path().join("build");
        let _ = std::fs::remove_dir_all(&out);
        workspace
            .export_dir(&dir, &out)
            .map_err(|err| anyhow!("reading {dir} from the repository: {err}"))?;
        let resources = kustomize::build(&out).map_err(|err| {
            anyhow!(
                "building {dir} of branch {:?} as the cluster would: {err}: fix {kustomization_path} \
                 in the repository",
                self.branch
            )
        })?;
        self.built = resources.into_iter().map(|r| r.into_value()).collect();
        if !self.built.iter().any(sync::is_sync_object) {
            bail!(
                "{kustomization_path} does not include {}: add it to its resources",
                sync::SYNC_FILE
            );
        }
        self.record("commit", step);
        Ok(())
    }

    /// Pushes the new commits, if any. When the branch moved since the clone (someone
    /// pushed meanwhile), the manifests are committed again on top of it and pushed once
    /// more, as flux does.
    pub fn push(&mut self) -> Result<()> {
        let step = Instant::now();
        let (workspace, url) = self.workspace.as_mut().expect("cloned before push");
        if !workspace.has_unpushed() {
            return Ok(());
        }
        let url = url.clone();
        self.printer.action(format!(
            "pushing manifests to {:?}",
            gitsource::redact_url(&url)
        ));
        let spinner = self.printer.spinner("pushing");
        let mut result = tokio::task::block_in_place(|| workspace.push());
        if let Err(gitsource::Error::PushRejected { .. }) = &result {
            spinner.finish_and_clear();
            self.printer
                .waiting("the branch moved meanwhile: committing again on top of it");
            let (workspace, _) = self.workspace.as_mut().expect("cloned before push");
            tokio::task::block_in_place(|| workspace.refresh())
                .map_err(|err| git_error(err, &url, &self.branch))?;
            self.commit(&self.sync_url.clone())?;
            let (workspace, _) = self.workspace.as_mut().expect("cloned before push");
            result = tokio::task::block_in_place(|| workspace.push());
        }
        spinner.finish_and_clear();
        result.map_err(|err| git_error(err, &url, &self.branch))?;
        self.printer.success(format!("pushed to {:?}", self.branch));
        self.record("push", step);
        Ok(())
    }

    /// The commit the cluster must end up at.
    pub fn head(&self) -> String {
        self.workspace
            .as_ref()
            .and_then(|(w, _)| w.head())
            .expect("a commit exists once manifests are committed")
    }

    /// Installs the components from the committed manifests, unless the cluster already
    /// reconciles them from Git (then an upgrade arrives through the push).
    pub async fn install(&mut self) -> Result<()> {
        let step = Instant::now();
        let ns = self.namespace().to_string();
        let synced = KUSTOMIZATION
            .api(&self.client, Some(&ns))
            .get_opt(&ns)
            .await
            .ok()
            .flatten()
            .and_then(|k| {
                k.data["status"]["lastAppliedRevision"]
                    .as_str()
                    .map(str::to_string)
            })
            .is_some_and(|r| !r.is_empty());
        if synced {
            self.printer.success(
                "the cluster applies its components from Git: upgrades arrive with the push",
            );
            return Ok(());
        }
        self.printer
            .action(format!("installing components in {ns:?} namespace"));
        let objects: Vec<Value> = self
            .built
            .iter()
            .filter(|o| !sync::is_sync_object(o))
            .cloned()
            .collect();
        install::apply_all(&self.client, &objects, &ns, self.printer, self.deadline).await?;
        install::wait_components(&self.client, &self.install, self.printer, self.deadline).await?;
        self.printer.success("installed components");
        self.changed = true;
        self.record("install", step);
        Ok(())
    }

    /// The cluster's Git Secret as it is, if it exists.
    pub async fn existing_secret(&self) -> Result<Option<Secret>> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), self.namespace());
        cluster_call(
            api.get_opt(&self.secret_name),
            &format!("reading Secret {}/{}", self.namespace(), self.secret_name),
        )
        .await
    }

    /// Applies the Secret with exactly `data` (keys no longer given are removed).
    pub async fn apply_secret(&mut self, data: &BTreeMap<String, String>) -> Result<()> {
        let step = Instant::now();
        let key = format!("{}/{}", self.namespace(), self.secret_name);
        self.printer
            .action(format!("applying source secret {key:?}"));
        let secret = secret_apply(&self.secret_name, self.namespace(), &BTreeMap::new(), data);
        if self.apply_tracked(&secret).await? {
            self.printer.success("reconciled source secret");
        } else {
            self.printer.success("source secret up to date");
        }
        self.record("secret", step);
        Ok(())
    }

    /// Applies the GitRepository and Kustomization (as built, patches included) and asks
    /// the source for a fetch at once, so the pushed commit does not wait for the interval.
    pub async fn apply_sync(&mut self) -> Result<()> {
        let step = Instant::now();
        self.printer.action("applying sync manifests");
        let objects: Vec<Value> = self
            .built
            .iter()
            .filter(|o| sync::is_sync_object(o))
            .cloned()
            .collect();
        for object in &objects {
            self.apply_tracked(object).await?;
        }
        let ns = self.namespace().to_string();
        GIT_REPOSITORY
            .patch(
                &self.client,
                &ns,
                &ns,
                &objects::request_patch(&objects::request_timestamp()),
            )
            .await?;
        self.printer.success("reconciled sync configuration");
        self.record("sync", step);
        Ok(())
    }

    /// Waits until the GitRepository fetched and the Kustomization applied the pushed
    /// commit, then until every component is available (an upgrade rolls them).
    pub async fn wait_ready(&mut self) -> Result<()> {
        let ns = self.namespace().to_string();
        let expected = format!("{}@sha1:{}", self.branch, self.head());
        let step = Instant::now();
        self.printer.waiting(format!(
            "waiting for GitRepository {ns}/{ns} to fetch {expected}"
        ));
        self.wait_revision(GIT_REPOSITORY, &expected).await?;
        self.printer
            .success("GitRepository reconciled successfully");
        self.record("fetched", step);
        let step = Instant::now();
        self.printer.waiting(format!(
            "waiting for Kustomization {ns}/{ns} to apply {expected}"
        ));
        self.wait_revision(KUSTOMIZATION, &expected).await?;
        self.printer
            .success("Kustomization reconciled successfully");
        self.record("applied", step);
        let step = Instant::now();
        install::wait_components(&self.client, &self.install, self.printer, self.deadline).await?;
        self.record("healthy", step);
        Ok(())
    }

    async fn wait_revision(&self, kind: Kind, expected: &str) -> Result<()> {
        let ns = self.namespace();
        let spinner = self
            .printer
            .spinner(format!("waiting for {} {ns}/{ns}", kind.kind));
        let result = async {
            loop {
                let object = kind.get(&self.client, ns, ns).await?;
                let at_revision = kind.revision(&object) == Some(expected);
                // A Kustomization that failed at this very commit will not get better by
                // waiting. A source that cannot fetch yet may: the new deploy key is often
                // being added while this waits.
                let failed_here = kind.revision == objects::RevisionField::LastApplied
                    && object.data["status"]["lastAttemptedRevision"].as_str() == Some(expected);
                match objects::readiness(&object, None) {
                    objects::Readiness::Ready if at_revision => return Ok(()),
                    objects::Readiness::Failed(message) if failed_here => bail!(
                        "{} {ns}/{ns} failed at {expected}: {message}; the commit is pushed: fix \
                         the repository or the cluster and run the bootstrap again",
                        kind.kind
                    ),
                    _ => {}
                }
                if Instant::now() >= self.deadline {
                    let (status, message) = objects::ready_status(&object);
                    bail!(
                        "timed out waiting for {} {ns}/{ns} to reach {expected} (Ready={status}: \
                         {message}): raise --timeout or check that the {} is running",
                        kind.kind,
                        kind.controller
                    );
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
        .await;
        spinner.finish_and_clear();
        result
    }

    /// Says what happened and, with --verbose, how long each step took.
    pub fn finish(self) {
        let total = self.started.elapsed();
        if self.changed {
            self.printer.success("bootstrap finished");
        } else {
            self.printer
                .success("bootstrap finished: nothing changed, the cluster is in sync");
        }
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|(name, took)| format!("{name} {:.2}s", took.as_secs_f64()))
            .collect();
        self.printer.detail(format!(
            "timings: {} (total {:.2}s)",
            steps.join(", "),
            total.as_secs_f64()
        ));
    }

    /// Time left before --timeout, at least a second for a last attempt.
    pub fn remaining(&self) -> Duration {
        self.deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_secs(1))
    }

    /// Server-side applies `object`; true when the live object changed.
    async fn apply_tracked(&mut self, object: &Value) -> Result<bool> {
        let api = cluster::api_for(&self.client, object);
        let name = manifests::name_of(object);
        let what = cluster::describe(object);
        let before = cluster_call(api.get_opt(name), &format!("reading {what}"))
            .await?
            .and_then(|o| o.metadata.resource_version);
        let after = cluster_call(
            api.patch(
                name,
                &PatchParams::apply(FIELD_MANAGER).force(),
                &Patch::Apply(object),
            ),
            &format!("applying {what}"),
        )
        .await?
        .metadata
        .resource_version;
        let changed = before != after;
        self.changed |= changed;
        Ok(changed)
    }
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(8)]
}

/// Reads `--gpg-key-ring` and unlocks the key commits are signed with.
fn signer(common: &BootstrapCommonArgs) -> Result<Option<Signer>> {
    let Some(path) = common.gpg_key_ring.as_deref().filter(|p| !p.is_empty()) else {
        if common.gpg_key_id.is_some() {
            bail!("flag --gpg-key-id: pass the keyring holding the key with --gpg-key-ring");
        }
        return Ok(None);
    };
    let keyring =
        std::fs::read(path).map_err(|err| anyhow!("flag --gpg-key-ring: reading {path}: {err}"))?;
    let signer = Signer::from_keyring(
        &keyring,
        common.gpg_key_id.as_deref(),
        common.gpg_passphrase.as_deref().unwrap_or_default(),
    )
    .map_err(|err| {
        anyhow!("flag --gpg-key-ring: {path}: {err}: check --gpg-key-id and --gpg-passphrase")
    })?;
    Ok(Some(signer))
}

/// A Git failure with what to do about it.
fn git_error(err: gitsource::Error, url: &str, branch: &str) -> anyhow::Error {
    use gitsource::Error as E;
    let url = gitsource::redact_url(url);
    let hint = match &err {
        E::RefNotFound { .. } => {
            return anyhow!(
                "branch {branch:?} does not exist in {url}: create it, or pass --branch with an \
                 existing branch (an empty repository gets the branch); nothing was pushed"
            );
        }
        E::AuthenticationFailed { .. } => {
            "check the credentials (--username/--password, --private-key-file or the token) and \
             their rights on the repository"
        }
        E::Unreachable { .. } | E::Timeout { .. } => "check the URL and that the host is reachable",
        E::RepositoryNotFound { .. } => "check the URL (and that the credentials may see it)",
        E::UnknownHostKey { .. } | E::HostKeyMismatch { .. } => {
            "check --ssh-hostname and the server's host key"
        }
        E::Tls { .. } => "pass the server's CA certificate with --ca-file",
        E::PushRejected { .. } => {
            "the branch moved or is protected: run the bootstrap again, or check the branch's \
             protection rules"
        }
        _ => "",
    };
    if hint.is_empty() {
        anyhow!("{err}; nothing was pushed")
    } else {
        anyhow!("{err}: {hint}; nothing was pushed")
    }
}
