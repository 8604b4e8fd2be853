//! The GitRepository reconciler: fetch (or, when the remote head is unchanged, only
//! ls-remote), verify, include, archive, and publish the artifact in the status.

mod fetch;
mod include;
mod status;

use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::Api;
use kube::runtime::controller::Action;

use super::SourceContext;
use super::reconciler::{self, Published, kube_message};
use super::storage::Storage;
use crate::api::meta::{self, Artifact};
use crate::api::source::{GitRepository, GitRepositoryStatus};
use status::{Failure, Progress};

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

reconciler::impl_source_kind!(GitRepository, GitRepositoryStatus, "gitrepository");

pub async fn run(ctx: Arc<SourceContext>) -> anyhow::Result<()> {
    reconciler::run::<GitRepository, _, _>(ctx, apply).await
}

/// One converging pass. Every outcome, failures included, is written to the status; the
/// returned action says when to come back.
async fn apply(obj: Arc<GitRepository>, ctx: Arc<SourceContext>, started: Instant) -> Action {
    let (interval, progress) = match reconciler::interval_and_timeout(
        &obj.spec.interval,
        obj.spec.timeout.as_deref(),
        DEFAULT_TIMEOUT,
    ) {
        Ok((interval, timeout)) => (Some(interval), converge(&obj, &ctx, timeout).await),
        Err(failure) => (None, Err(failure)),
    };
    let old = obj.status.clone().unwrap_or_default();
    let new = status::next(&obj, &old, &progress);
    let outcome = match &progress {
        Ok(progress) => Ok(Published {
            artifact: &progress.artifact,
            event: progress
                .event_message()
                .map(|message| (status::reason::NEW_ARTIFACT, message)),
        }),
        Err(failure) => Err(failure),
    };
    reconciler::finish(obj.as_ref(), &ctx, &new, outcome, interval, started).await
}

/// Fetches and archives when needed; returns what happened for the status.
async fn converge(
    obj: &GitRepository,
    ctx: &SourceContext,
    timeout: Duration,
) -> Result<Progress, Failure> {
    let ns = obj.namespace().unwrap_or_default();
    let dir = Storage::object_dir("GitRepository", &ns, &obj.name_any());
    let current = obj
        .status
        .as_ref()
        .and_then(|s| s.artifact.clone())
        .filter(|a| ctx.storage.exists(&a.path));

    let secrets: Api<Secret> = Api::namespaced(ctx.rt.client.clone(), &ns);
    let read_secret = |name: String, field: &'static str| {
        let secrets = secrets.clone();
        let ns = ns.clone();
        async move {
            secrets.get(&name).await.map_err(|e| {
                Failure::retry(
                    status::reason::AUTHENTICATION_FAILED,
                    format!(
                        "{field}: failed to get secret '{ns}/{name}': {}",
                        kube_message(&e)
                    ),
                )
            })
        }
    };
    let mut auth = match &obj.spec.secret_ref {
        Some(secret) => {
            let secret = read_secret(secret.name.clone(), "spec.secretRef").await?;
            fetch::auth_from_secret(&secret, &obj.spec.url).map_err(|message| {
                Failure::stalled(status::reason::AUTHENTICATION_FAILED, message)
            })?
        }
        None => gitsource::Auth::default(),
    };
    if let Some(proxy) = &obj.spec.proxy_secret_ref {
        let secret = read_secret(proxy.name.clone(), "spec.proxySecretRef").await?;
        auth.proxy =
            Some(fetch::proxy_from_secret(&secret).map_err(|message| {
                Failure::stalled(status::reason::AUTHENTICATION_FAILED, message)
            })?);
    }
    let verify = match &obj.spec.verify {
        Some(verify) => {
            let secret =
                read_secret(verify.secret_ref.name.clone(), "spec.verify.secretRef").await?;
            let mode = verify
                .mode
                .unwrap_or(crate::api::source::GitVerificationMode::Head);
            Some((mode, fetch::keyrings_from_secret(&secret)))
        }
        None => None,
    };
    let request = Arc::new(
        fetch::Request::new(obj, auth, verify, timeout)
            .map_err(|message| Failure::stalled(meta::reason::INVALID_URL, message))?,
    );

    let repos: Api<GitRepository> = Api::namespaced(ctx.rt.client.clone(), &ns);
    let includes = include::resolve(
        &repos,
        &ctx.storage,
        obj.spec.include.as_deref().unwrap_or_default(),
    )
    .await?;
    let included: Vec<Artifact> = includes.iter().map(|i| i.artifact.clone()).collect();
    let unchanged = |artifact: &Artifact| Progress::unchanged(artifact.clone(), included.clone());
    let settings_unchanged =
        status::artifact_settings_unchanged(obj) && status::includes_unchanged(obj, &included);

    // The no-op path: one ls-remote, no clone and no disk writes, when the remote head and
    // everything else that shapes the artifact are unchanged.
    if let Some(artifact) = &current
        && settings_unchanged
    {
        let head = fetch::ls_remote(request.clone())
            .await
            .map_err(Failure::from)?;
        if head == artifact.revision {
            return Ok(unchanged(artifact));
        }
    }

    let workdir = tempfile::tempdir().map_err(|e| {
        Failure::retry(
            status::reason::DIRECTORY_CREATION_FAILED,
            format!("creating a temporary directory: {e}"),
        )
    })?;
    let checkout = fetch::checkout(request.clone(), workdir.path().to_path_buf())
        .await
        .map_err(Failure::from)?;

    if let Some(artifact) = &current
        && artifact.revision == checkout.revision
        && settings_unchanged
    {
        return Ok(unchanged(artifact));
    }

    if !includes.is_empty() {
        let storage = ctx.storage.clone();
        let root = workdir.path().to_path_buf();
        let includes = includes.clone();
        tokio::task::spawn_blocking(move || include::copy_all(&storage, &root, &includes))
            .await
            .map_err(|e| {
                Failure::include(
                    status::reason::COPY_FAILED,
                    format!("copying includes: {e}"),
                )
            })??;
    }

    let stored = super::archive::archive_with_ignore_rules(
        ctx.storage.clone(),
        dir,
        format!("{}.tar.gz", checkout.sha),
        workdir.path().to_path_buf(),
        obj.spec.ignore.clone(),
    )
    .await?;
    Ok(Progress::new_artifact(
        &ctx.storage,
        stored,
        checkout,
        included,
    ))
}
