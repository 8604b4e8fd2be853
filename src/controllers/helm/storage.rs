//! Helm 3's Secret storage driver over the Kubernetes API: each release version is a Secret
//! `sh.helm.release.v1.<name>.v<N>` of type `helm.sh/release.v1` in the release's namespace,
//! labelled `name`, `owner=helm`, `status`, `version` (+ `createdAt`/`modifiedAt`), holding
//! the record in `data.release`. Writing exactly what Helm writes is what lets `helm list`,
//! `helm history`, `helm get` and `helm rollback` work on tk's releases, and tk take over
//! releases Helm made.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use ::helm::release::{ReleaseRecord, SECRET_TYPE, secret_name};
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, ListParams, ObjectMeta, PostParams};

/// Why a storage call failed, naming the Secret involved.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("release {name} version {version} already exists (Secret {namespace}/{secret})")]
    Exists {
        namespace: String,
        name: String,
        version: i64,
        secret: String,
    },
    #[error("reading release Secret {namespace}/{secret}: {reason}")]
    Corrupt {
        namespace: String,
        secret: String,
        reason: String,
    },
    #[error("encoding release {name} version {version}: {source}")]
    Encode {
        name: String,
        version: i64,
        source: ::helm::Error,
    },
    #[error("{action} release Secrets in namespace {namespace}: {source}")]
    Api {
        action: &'static str,
        namespace: String,
        source: kube::Error,
    },
}

/// The release Secrets of one namespace.
#[derive(Clone)]
pub struct SecretStorage {
    api: Api<Secret>,
    namespace: String,
    /// Each release's versions as last listed, with this storage's own writes since: a
    /// reconcile reads its history after an install from here rather than listing again.
    /// Made per reconcile, so another writer's change shows at the next one.
    seen: Arc<Mutex<HashMap<String, BTreeMap<i64, Seen>>>>,
}

/// A stored version as this storage knows it.
#[derive(Clone)]
struct Seen {
    record: ReleaseRecord,
    /// The Secret's `createdAt` label, which an update keeps.
    created_at: Option<i64>,
}

impl SecretStorage {
    pub fn new(client: kube::Client, namespace: &str) -> SecretStorage {
        SecretStorage {
            api: Api::namespaced(client, namespace),
            namespace: namespace.to_string(),
            seen: Default::default(),
        }
    }

    /// Every version of release `name`, oldest first (`helm history`), as listed now.
    pub async fn history(&self, name: &str) -> Result<Vec<ReleaseRecord>, StorageError> {
        let listed = self.query_seen(&format!("owner=helm,name={name}")).await?;
        let records = listed.iter().map(|s| s.record.clone()).collect();
        self.lock_seen().insert(
            name.to_string(),
            listed.into_iter().map(|s| (s.record.version, s)).collect(),
        );
        Ok(records)
    }

    /// [`SecretStorage::history`] as of the last listing plus this storage's writes since;
    /// listed when it has not been.
    pub async fn recorded(&self, name: &str) -> Result<Vec<ReleaseRecord>, StorageError> {
        if let Some(versions) = self.lock_seen().get(name) {
            return Ok(versions.values().map(|s| s.record.clone()).collect());
        }
        self.history(name).await
    }

    fn lock_seen(&self) -> std::sync::MutexGuard<'_, HashMap<String, BTreeMap<i64, Seen>>> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes a version written (`Some`) or deleted (`None`), for a release already listed.
    fn wrote(&self, name: &str, version: i64, written: Option<Seen>) {
        if let Some(versions) = self.lock_seen().get_mut(name) {
            match written {
                Some(seen) => versions.insert(version, seen),
                None => versions.remove(&version),
            };
        }
    }

    /// The highest version of release `name`, whatever its status.
    pub async fn last(&self, name: &str) -> Result<Option<ReleaseRecord>, StorageError> {
        Ok(self.history(name).await?.pop())
    }

    /// The version of release `name` that is deployed, if one is (Helm's `Deployed`: the
    /// highest version labelled `status=deployed`).
    pub async fn deployed(&self, name: &str) -> Result<Option<ReleaseRecord>, StorageError> {
        Ok(self
            .query(&format!("owner=helm,name={name},status=deployed"))
            .await?
            .pop())
    }

    /// Every release version in the namespace (what `helm list --all` reads).
    pub async fn all(&self) -> Result<Vec<ReleaseRecord>, StorageError> {
        self.query("owner=helm").await
    }

    /// Stores a new version; an existing Secret of that name is an error, as in Helm, so
    /// two writers cannot both believe they made version N.
    pub async fn create(&self, record: &ReleaseRecord) -> Result<(), StorageError> {
        let created_at = Some(unix_now());
        let secret = self.secret(record, record.secret_labels(created_at, None))?;
        match self.api.create(&PostParams::default(), &secret).await {
            Ok(_) => {
                let seen = Seen {
                    record: record.clone(),
                    created_at,
                };
                self.wrote(&record.name, record.version, Some(seen));
                Ok(())
            }
            Err(kube::Error::Api(e)) if e.code == 409 => Err(StorageError::Exists {
                namespace: self.namespace.clone(),
                name: record.name.clone(),
                version: record.version,
                secret: secret_name(&record.name, record.version),
            }),
            Err(source) => Err(self.api_error("creating", source)),
        }
    }

    /// Stores a new version after removing the oldest ones so that at most `max_history`
    /// remain with it (Helm's `--history-max`, the HelmRelease's `maxHistory`; 0 keeps
    /// all). As in Helm, the deployed version is never removed, and removal is best effort:
    /// a version that cannot be deleted now is left for the next write.
    pub async fn create_with_history(
        &self,
        record: &ReleaseRecord,
        max_history: usize,
    ) -> Result<(), StorageError> {
        if max_history > 0 {
            self.remove_least_recent(&record.name, max_history - 1)
                .await?;
        }
        self.create(record).await
    }

    async fn remove_least_recent(&self, name: &str, keep: usize) -> Result<(), StorageError> {
        let history = self.history(name).await?;
        if history.len() <= keep {
            return Ok(());
        }
        let deployed = history
            .iter()
            .rev()
            .find(|r| r.info.status == ::helm::release::Status::Deployed)
            .map(|r| r.version);
        let excess = history.len() - keep;
        let doomed = history
            .iter()
            .filter(|r| Some(r.version) != deployed)
            .take(excess);
        for record in doomed {
            if let Err(e) = self.delete(name, record.version).await {
                tracing::warn!(error = %e, release = name, version = record.version, "pruning release history");
            }
        }
        Ok(())
    }

    /// Replaces a stored version (a status change: deployed → superseded, pending → failed).
    /// Like Helm, the update is unconditional and sets `modifiedAt`.
    pub async fn update(&self, record: &ReleaseRecord) -> Result<(), StorageError> {
        let name = secret_name(&record.name, record.version);
        let known = self
            .lock_seen()
            .get(&record.name)
            .and_then(|versions| versions.get(&record.version))
            .map(|s| s.created_at);
        let created_at = match known {
            Some(created_at) => created_at,
            None => self
                .api
                .get_opt(&name)
                .await
                .map_err(|e| self.api_error("reading", e))?
                .and_then(|s| created_at(&s)),
        };
        let secret = self.secret(record, record.secret_labels(created_at, Some(unix_now())))?;
        self.api
            .replace(&name, &PostParams::default(), &secret)
            .await
            .map_err(|e| self.api_error("updating", e))?;
        let seen = Seen {
            record: record.clone(),
            created_at,
        };
        self.wrote(&record.name, record.version, Some(seen));
        Ok(())
    }

    /// Removes one stored version; a version that is already gone is not an error.
    pub async fn delete(&self, name: &str, version: i64) -> Result<(), StorageError> {
        match self
            .api
            .delete(&secret_name(name, version), &DeleteParams::default())
            .await
        {
            Ok(_) => {}
            Err(kube::Error::Api(e)) if e.code == 404 => {}
            Err(source) => return Err(self.api_error("deleting", source)),
        }
        self.wrote(name, version, None);
        Ok(())
    }

    async fn query(&self, selector: &str) -> Result<Vec<ReleaseRecord>, StorageError> {
        let listed = self.query_seen(selector).await?;
        Ok(listed.into_iter().map(|s| s.record).collect())
    }

    async fn query_seen(&self, selector: &str) -> Result<Vec<Seen>, StorageError> {
        let list = self
            .api
            .list(&ListParams::default().labels(selector))
            .await
            .map_err(|e| self.api_error("listing", e))?;
        let mut listed = list
            .items
            .into_iter()
            .map(|s| {
                let created_at = created_at(&s);
                self.record(s).map(|record| Seen { record, created_at })
            })
            .collect::<Result<Vec<_>, _>>()?;
        listed.sort_by(|a, b| {
            (&a.record.name, a.record.version).cmp(&(&b.record.name, b.record.version))
        });
        Ok(listed)
    }

    fn record(&self, secret: Secret) -> Result<ReleaseRecord, StorageError> {
        let secret_name = secret.metadata.name.unwrap_or_default();
        let corrupt = |reason: String| StorageError::Corrupt {
            namespace: self.namespace.clone(),
            secret: secret_name.clone(),
            reason,
        };
        let data = secret
            .data
            .as_ref()
            .and_then(|d| d.get("release"))
            .ok_or_else(|| corrupt("it has no data.release".into()))?;
        let text = std::str::from_utf8(&data.0)
            .map_err(|_| corrupt("data.release is not base64 text".into()))?;
        let mut record = ReleaseRecord::decode(text).map_err(|e| corrupt(e.to_string()))?;
        // Helm keeps user labels only on the Secret, not in the encoded record.
        record.labels =
            ReleaseRecord::labels_from_secret(&secret.metadata.labels.unwrap_or_default());
        Ok(record)
    }

    fn secret(
        &self,
        record: &ReleaseRecord,
        labels: BTreeMap<String, String>,
    ) -> Result<Secret, StorageError> {
        let encoded = record.encode().map_err(|source| StorageError::Encode {
            name: record.name.clone(),
            version: record.version,
            source,
        })?;
        Ok(Secret {
            metadata: ObjectMeta {
                name: Some(secret_name(&record.name, record.version)),
                namespace: Some(self.namespace.clone()),
                labels: Some(labels),
                ..Default::default()
            },
            type_: Some(SECRET_TYPE.to_string()),
            data: Some(BTreeMap::from([(
                "release".to_string(),
                ByteString(encoded.into_bytes()),
            )])),
            ..Default::default()
        })
    }

    fn api_error(&self, action: &'static str, source: kube::Error) -> StorageError {
        StorageError::Api {
            action,
            namespace: self.namespace.clone(),
            source,
        }
    }
}

/// A release Secret's `createdAt` label.
fn created_at(secret: &Secret) -> Option<i64> {
    secret
        .metadata
        .labels
        .as_ref()?
        .get("createdAt")?
        .parse()
        .ok()
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
