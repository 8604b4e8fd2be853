//! Waiting for a set of objects to become Current, as Flux's health checks do: kstatus with
//! Flux's rules (`kstatus::flux_status`), stopping early when an object has Failed.

use std::time::{Duration, Instant};

use futures::{StreamExt, stream};
use kstatus::Status;

use super::discovery::api_for;
use super::{Error, ObjectRef, ResourceManager, api_message};

const CONCURRENCY: usize = 4;

pub(crate) async fn wait_for_set(
    m: &ResourceManager,
    objects: &[ObjectRef],
    interval: Duration,
    timeout: Duration,
) -> Result<(), Error> {
    if objects.is_empty() {
        return Ok(());
    }
    let deadline = Instant::now() + timeout;
    loop {
        // Futures are built up front (no closure inside the stream type), which keeps the
        // caller's future provably Send.
        let polls: Vec<_> = objects.iter().map(|r| status_of(m, r)).collect();
        let statuses: Vec<(Status, String)> =
            stream::iter(polls).buffered(CONCURRENCY).collect().await;
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
        tokio::time::sleep(interval.min(deadline - now)).await;
    }
}

/// `Deployment/ns/app status: 'InProgress': Deployment does not have minimum availability.`
pub(crate) fn describe(r: &ObjectRef, status: Status, message: &str) -> String {
    if message.is_empty() {
        format!("{r} status: '{status}'")
    } else {
        format!("{r} status: '{status}': {message}")
    }
}

async fn status_of(m: &ResourceManager, r: &ObjectRef) -> (Status, String) {
    let kind = match m.discovery.lookup(&m.client, r).await {
        Ok(Some(kind)) => kind,
        Ok(None) => {
            return (
                Status::NotFound,
                format!(
                    "no matches for kind \"{}\" in version \"{}\"",
                    r.kind,
                    r.api_version()
                ),
            );
        }
        Err(err) => return (Status::Unknown, err.to_string()),
    };
    match api_for(&m.client, &kind, r).get_opt(&r.name).await {
        Ok(Some(object)) => match serde_json::to_value(object) {
            Ok(value) => {
                let outcome = kstatus::flux_status(&value);
                (outcome.status, outcome.message)
            }
            Err(err) => (Status::Unknown, err.to_string()),
        },
        Ok(None) => (Status::NotFound, "Resource not found".into()),
        Err(err) => (Status::Unknown, api_message(&err)),
    }
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
