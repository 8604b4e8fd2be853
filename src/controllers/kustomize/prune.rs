//! `spec.prune`: garbage collection of the objects that left the source.

use super::reconcile::{Failure, Run};
use super::status;
use crate::api::meta::{ResourceInventory, ResourceRef, reason};
use crate::ssa;

impl Run<'_> {
    /// Deletes the objects that left the source (`spec.prune`), only ever after a successful
    /// apply; objects whose deletion failed go back into the inventory, so the next reconcile
    /// tries again instead of forgetting them.
    pub(super) async fn prune(
        &mut self,
        manager: &ssa::ResourceManager,
        stale: Vec<ssa::ObjectRef>,
    ) -> Result<(), Failure> {
        if stale.is_empty() {
            return Ok(());
        }
        match manager
            .delete_all(&stale, &ssa::DeleteOptions::default())
            .await
        {
            Ok(deleted) => {
                let summary = deleted.summary();
                if !summary.is_empty() {
                    tracing::info!("garbage collection completed:\n{summary}");
                    self.event(false, &status::ready_reason(&self.status), &summary)
                        .await;
                }
                Ok(())
            }
            Err(err) => {
                if let ssa::Error::Delete { change_set, .. } = &err {
                    let summary = change_set.summary();
                    if !summary.is_empty() {
                        self.event(false, &status::ready_reason(&self.status), &summary)
                            .await;
                    }
                }
                let failed = match err.objects() {
                    failed if failed.is_empty() => stale,
                    failed => failed,
                };
                inventory_merge(
                    self.status.inventory.get_or_insert_with(Default::default),
                    &failed,
                );
                Err(Failure::retry(reason::PRUNE_FAILED, err.to_string()))
            }
        }
    }
}

fn inventory_entry(object: &ssa::ObjectRef) -> ResourceRef {
    ResourceRef {
        id: ssa::inventory::entry_id(object),
        v: object.version.clone(),
    }
}

fn inventory_merge(inventory: &mut ResourceInventory, objects: &[ssa::ObjectRef]) {
    for object in objects {
        let entry = inventory_entry(object);
        if !inventory.entries.iter().any(|e| e.id == entry.id) {
            inventory.entries.push(entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_deletions_are_merged_back_once() {
        let object = ssa::ObjectRef {
            group: String::new(),
            version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: "ns".into(),
            name: "gone".into(),
        };
        let mut inventory = ResourceInventory::default();
        inventory_merge(&mut inventory, std::slice::from_ref(&object));
        inventory_merge(&mut inventory, &[object]);
        assert_eq!(
            inventory.entries,
            [ResourceRef {
                id: "ns_gone__ConfigMap".into(),
                v: "v1".into()
            }]
        );
    }
}
