//! Waiting for a set of objects to become Current, as Flux's health checks do: kstatus with
//! Flux's rules (`kstatus::flux_status`), stopping early when an object has Failed. A caller
//! may decide the status of some objects itself (Flux's custom status readers, which the
//! kustomize controller builds from `healthCheckExprs`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::{StreamExt, stream};
use kstatus::Status;
use serde_json::Value;

use super::discovery::{api_for, list_all};
use super::{Error, ObjectRef, ResourceManager, api_message};

const CONCURRENCY: usize = 4;
/// The first pause between polls; each next one doubles, up to the caller's interval.
const FIRST_POLL: Duration = Duration::from_millis(100);

impl ResourceManager {
    /// [`ResourceManager::wait_for_set`], with `custom` deciding the status (and message) of
    /// the objects it returns `Some` for, from the live object; kstatus decides the others.
    /// An object whose status cannot be decided is reported `Unknown` with the reason, and
    /// waited for until `timeout`, as Flux does for a custom status reader's error.
    pub async fn wait_for_set_with<F>(
        &self,
        objects: &[ObjectRef],
        interval: Duration,
        timeout: Duration,
        custom: &F,
    ) -> Result<(), Error>
    where
        F: Fn(&ObjectRef, &Value) -> Option<(Status, String)> + Sync,
    {
        wait_for_set_with(self, objects, interval, timeout, custom).await
    }
}

pub(crate) async fn wait_for_set(
    m: &ResourceManager,
    objects: &[ObjectRef],
    interval: Duration,
    timeout: Duration,
) -> Result<(), Error> {
    wait_for_set_with(
        m,
        objects,
        interval,
        timeout,
        &|_: &ObjectRef, _: &Value| None,
    )
    .await
}

async fn wait_for_set_with<F>(
    m: &ResourceManager,
    objects: &[ObjectRef],
    interval: Duration,
    timeout: Duration,
    custom: &F,
) -> Result<(), Error>
where
    F: Fn(&ObjectRef, &Value) -> Option<(Status, String)> + Sync,
{
    if objects.is_empty() {
        return Ok(());
    }
    let deadline = Instant::now() + timeout;
    // Polls start quickly and slow down to `interval`: a workload just applied usually
    // needs only its controller's first pass (observedGeneration), and waiting a whole
    // interval for that was most of a small Kustomization's reconcile.
    let mut pause = FIRST_POLL;
    // Objects kstatus found Current that report no progress of their own (a Service, a
    // ConfigMap, RBAC) stay Current: they are not read again while the workloads settle.
    let mut settled = vec![false; objects.len()];
    let mut statuses: Vec<(Status, String)> = vec![(Status::Unknown, String::new()); objects.len()];
    loop {
        let unsettled: Vec<usize> = (0..objects.len()).filter(|&i| !settled[i]).collect();
        let wanted: Vec<ObjectRef> = unsettled.iter().map(|&i| objects[i].clone()).collect();
        for (live, i) in read_live(m, &wanted).await.into_iter().zip(unsettled) {
            let r = &objects[i];
            statuses[i] = match live {
                Ok(Some(value)) => custom(r, &value).unwrap_or_else(|| {
                    let outcome = kstatus::flux_status(&value);
                    settled[i] = outcome.status == Status::Current && reports_no_progress(&value);
                    (outcome.status, outcome.message)
                }),
                Ok(None) => (Status::NotFound, "Resource not found".into()),
                Err(unknown) => unknown,
            };
        }
        let describe = |wanted: &dyn Fn(Status) -> bool| -> Vec<String> {
            objects
                .iter()
                .zip(&statuses)
                .filter(|(_, (status, _))| wanted(*status))
                .map(|(r, (status, message))| describe(r, *status, message))
                .collect()
        };
        if statuses.iter().all(|(s, _)| *s == Status::Current) {
            return Ok(());
        }
        let failed = describe(&|s| s == Status::Failed);
        if !failed.is_empty() {
            return Err(Error::WaitFailed(failed));
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Error::WaitTimeout(describe(&|s| s != Status::Current)));
        }
        tokio::time::sleep(pause.min(interval).min(deadline - now)).await;
        pause *= 2;
    }
}

/// Whether an object has no status conditions and no observedGeneration: nothing kstatus
/// reads can move it from Current.
fn reports_no_progress(value: &Value) -> bool {
    let status = &value["status"];
    status.get("conditions").is_none() && status.get("observedGeneration").is_none()
}

/// `Deployment/ns/app status: 'InProgress': Deployment does not have minimum availability.`
pub(crate) fn describe(r: &ObjectRef, status: Status, message: &str) -> String {
    if message.is_empty() {
        format!("{r} status: '{status}'")
    } else {
        format!("{r} status: '{status}': {message}")
    }
}

/// One object's live state: `Ok(None)` when absent, `Err` with the status and message to
/// report when it cannot be read.
type Live = Result<Option<Value>, (Status, String)>;

/// The live state of each of `objects`, in order. Objects sharing a kind and namespace are
/// read with one LIST of what the owner's labels select (a few requests per poll instead of
/// one per object, as Flux's caching status reader); an object the list does not hold (not
/// labelled by the owner, or absent) is read with a GET of its own.
async fn read_live(m: &ResourceManager, objects: &[ObjectRef]) -> Vec<Live> {
    let mut live: Vec<Option<Live>> = vec![None; objects.len()];
    let mut kinds = Vec::with_capacity(objects.len());
    let mut groups: HashMap<(&str, &str, String, &str), Vec<usize>> = HashMap::new();
    for (i, r) in objects.iter().enumerate() {
        match m.discovery.lookup(&m.client, r).await {
            Ok(Some(kind)) => {
                let key = (
                    r.group.as_str(),
                    r.version.as_str(),
                    kind.resource.plural.clone(),
                    r.namespace.as_str(),
                );
                groups.entry(key).or_default().push(i);
                kinds.push(Some(kind));
            }
            Ok(None) => {
                live[i] = Some(Err((
                    Status::NotFound,
                    format!(
                        "no matches for kind \"{}\" in version \"{}\"",
                        r.kind,
                        r.api_version()
                    ),
                )));
                kinds.push(None);
            }
            Err(err) => {
                live[i] = Some(Err((Status::Unknown, err.to_string())));
                kinds.push(None);
            }
        }
    }
    let selector = m.owner_selector();
    for members in groups.into_values().filter(|g| g.len() > 1) {
        let first = members[0];
        let Some(kind) = &kinds[first] else { continue };
        let api = &api_for(&m.client, kind, &objects[first]);
        let Ok(listed) = list_all(|p| async move { api.list(&p).await }, &selector).await else {
            continue;
        };
        let by_name: HashMap<String, Value> = listed
            .into_iter()
            .filter_map(|o| Some((o.metadata.name.clone()?, serde_json::to_value(o).ok()?)))
            .collect();
        for i in members {
            if let Some(value) = by_name.get(&objects[i].name) {
                // Items of a LIST carry no apiVersion and kind, which kstatus goes by.
                let mut value = value.clone();
                value["apiVersion"] = Value::String(objects[i].api_version());
                value["kind"] = Value::String(objects[i].kind.clone());
                live[i] = Some(Ok(Some(value)));
            }
        }
    }
    // Futures are built up front (no closure inside the stream type), which keeps the
    // caller's future provably Send.
    let gets: Vec<_> = live
        .iter()
        .enumerate()
        .filter(|(_, l)| l.is_none())
        .filter_map(|(i, _)| {
            let kind = kinds[i].as_ref()?;
            let api = api_for(&m.client, kind, &objects[i]);
            let name = objects[i].name.clone();
            Some(async move {
                let got = match api.get_opt(&name).await {
                    Ok(object) => object
                        .map(serde_json::to_value)
                        .transpose()
                        .map_err(|e| (Status::Unknown, e.to_string())),
                    Err(err) => Err((Status::Unknown, api_message(&err))),
                };
                (i, got)
            })
        })
        .collect();
    let got: Vec<(usize, Live)> = stream::iter(gets).buffered(CONCURRENCY).collect().await;
    for (i, l) in got {
        live[i] = Some(l);
    }
    live.into_iter()
        .map(|l| l.unwrap_or_else(|| Err((Status::Unknown, "not read".into()))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_objects_as_flux_does() {
        let r = ObjectRef {
            group: "apps".into(),
            version: "v1".into(),
            kind: "Deployment".into(),
            namespace: "default".into(),
            name: "app".into(),
        };
        assert_eq!(
            describe(
                &r,
                Status::InProgress,
                "Deployment does not have minimum availability."
            ),
            "Deployment/default/app status: 'InProgress': Deployment does not have minimum availability."
        );
        assert_eq!(
            describe(&r, Status::Failed, ""),
            "Deployment/default/app status: 'Failed'"
        );
    }
}
