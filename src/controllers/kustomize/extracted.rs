//! One extraction per artifact, shared by every Kustomization that builds from it.
//!
//! Flux downloads and unpacks the source's tarball into a fresh directory for every
//! reconcile of every Kustomization: a fleet of N Kustomizations on one repository unpacks it
//! N times per interval, and writing the files is most of a reconcile's cost. Builds never
//! write into the tree (the generated kustomization file is held in memory, see
//! `build::generate`), so one verified extraction per digest can serve them all. The most
//! recent trees are kept between reconciles; older ones are removed once the last build
//! using them ends.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

/// How many extracted artifacts stay on disk while no build uses them.
const KEEP: usize = 4;

/// An extracted artifact; the directory is removed when the last holder drops it.
pub struct Tree {
    dir: tempfile::TempDir,
    digest: String,
}

impl Tree {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

type Slot = Arc<OnceCell<Arc<Tree>>>;

#[derive(Default)]
pub struct Extractions {
    /// Extractions by digest, done or in progress (concurrent reconciles of one artifact wait
    /// for the same extraction).
    slots: Mutex<HashMap<String, Slot>>,
    /// The most recently extracted trees, kept alive between reconciles (newest last).
    recent: Mutex<VecDeque<Arc<Tree>>>,
}

impl Extractions {
    /// The extracted tree of the artifact with `digest`; `extract` fills an empty directory
    /// when no verified extraction exists (it must check the digest). A failed extraction is
    /// not remembered: the next call tries again.
    pub async fn get<E, F, Fut>(&self, digest: &str, extract: F) -> Result<Arc<Tree>, E>
    where
        F: FnOnce(std::path::PathBuf) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: From<std::io::Error>,
    {
        let slot = lock(&self.slots)
            .entry(digest.to_string())
            .or_default()
            .clone();
        let mut fresh = false;
        let tree = slot
            .get_or_try_init(|| async {
                fresh = true;
                let dir = tempfile::Builder::new()
                    .prefix("kustomization-")
                    .tempdir()?;
                extract(dir.path().to_path_buf()).await?;
                Ok::<_, E>(Arc::new(Tree {
                    dir,
                    digest: digest.to_string(),
                }))
            })
            .await?
            .clone();
        if fresh {
            self.keep(tree.clone());
        }
        Ok(tree)
    }

    /// Keeps `tree` among the recent ones and forgets the oldest beyond [`KEEP`] (its
    /// directory goes when the builds still using it end).
    fn keep(&self, tree: Arc<Tree>) {
        let mut recent = lock(&self.recent);
        recent.push_back(tree);
        while recent.len() > KEEP {
            let Some(old) = recent.pop_front() else { break };
            let mut slots = lock(&self.slots);
            let same = slots
                .get(&old.digest)
                .and_then(|slot| slot.get())
                .is_some_and(|t| Arc::ptr_eq(t, &old));
            if same {
                slots.remove(&old.digest);
            }
        }
    }

    /// How many trees are known (kept or being extracted), for tests.
    #[cfg(test)]
    fn len(&self) -> usize {
        lock(&self.slots).len()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    async fn write_marker(dir: std::path::PathBuf, count: &AtomicUsize) -> std::io::Result<()> {
        count.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        std::fs::write(dir.join("marker"), "x")
    }

    #[tokio::test]
    async fn concurrent_builds_of_one_artifact_share_one_extraction() {
        let cache = Extractions::default();
        let count = AtomicUsize::new(0);
        let gets: Vec<_> = (0..8)
            .map(|_| cache.get("sha256:a", |dir| write_marker(dir, &count)))
            .collect();
        let trees: Vec<Arc<Tree>> = futures::future::try_join_all(gets).await.unwrap();
        assert_eq!(count.load(Ordering::SeqCst), 1, "extracted once");
        assert!(trees.iter().all(|t| Arc::ptr_eq(t, &trees[0])));
        assert!(trees[0].path().join("marker").is_file());
    }

    #[tokio::test]
    async fn failures_are_retried_and_old_trees_are_removed_when_unused() {
        let cache = Extractions::default();
        let failed: Result<Arc<Tree>, std::io::Error> = cache
            .get("sha256:bad", |_| async {
                Err(std::io::Error::other("digest mismatch"))
            })
            .await;
        assert!(failed.is_err());
        let count = AtomicUsize::new(0);
        cache
            .get("sha256:bad", |dir| write_marker(dir, &count))
            .await
            .expect("a failed extraction is tried again");

        let first = cache
            .get("sha256:0", |dir| write_marker(dir, &count))
            .await
            .unwrap();
        let first_dir = first.path().to_path_buf();
        for i in 1..=KEEP {
            cache
                .get(&format!("sha256:{i}"), |dir| write_marker(dir, &count))
                .await
                .unwrap();
        }
        assert!(cache.len() <= KEEP + 1, "{} trees known", cache.len());
        assert!(first_dir.exists(), "a tree in use stays");
        drop(first);
        assert!(
            !first_dir.exists(),
            "an evicted tree goes with its last user"
        );
        let before = count.load(Ordering::SeqCst);
        cache
            .get("sha256:0", |dir| write_marker(dir, &count))
            .await
            .unwrap();
        assert_eq!(count.load(Ordering::SeqCst), before + 1, "extracted again");
    }
}
