//! Leader election on a `coordination.k8s.io/v1` Lease, following client-go's `leaderelection`
//! package step for step so tk and Flux controllers contend for the same Lease correctly:
//! candidates retry every retry period (with jitter), a Lease held by someone else counts as
//! expired only after a full lease duration of *locally observed* silence (immune to clock
//! skew), the leader renews every retry period and gives up once it has failed to renew for
//! the renew deadline, and a graceful exit clears the holder so a successor need not wait.
//!
//! Hand-written rather than kube-lease-manager because that crate renews only shortly before
//! expiry and keeps reporting leadership while renewals fail, where controller-runtime
//! semantics require stepping down (and exiting) once the renew deadline passes.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, ObjectMeta, PostParams};
use tokio::time::Instant;

use super::options::LeaderElection;

/// client-go's `JitterFactor`: a candidate waits between 1 and 2.2 retry periods.
pub const JITTER_FACTOR: f64 = 1.2;

/// Why this process stopped leading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LostLeadership {
    #[error("failed to renew Lease {lease} within the renew deadline of {deadline:?}")]
    RenewDeadlineExceeded { lease: String, deadline: Duration },
    #[error("Lease {lease} was taken over by {holder}")]
    TakenOver { lease: String, holder: String },
}

#[derive(Debug)]
enum Attempt {
    Leading,
    HeldBy(String),
    Failed(kube::Error),
}

/// What this candidate last saw of the Lease, and when, by its own monotonic clock.
#[derive(Debug)]
struct Observed {
    spec: LeaseSpec,
    at: Instant,
}

pub struct LeaderElector {
    api: Api<Lease>,
    lease: String,
    identity: String,
    timing: LeaderElection,
    observed: Option<Observed>,
}

impl LeaderElector {
    pub fn new(
        client: kube::Client,
        namespace: &str,
        lease: impl Into<String>,
        identity: impl Into<String>,
        timing: LeaderElection,
    ) -> Self {
        Self {
            api: Api::namespaced(client, namespace),
            lease: lease.into(),
            identity: identity.into(),
            timing,
            observed: None,
        }
    }

    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// Returns once this process holds the Lease; retries forever otherwise.
    pub async fn acquire(&mut self) {
        tracing::info!(lease = %self.lease, identity = %self.identity, "attempting to acquire leader lease");
        loop {
            match self.try_acquire_or_renew().await {
                Attempt::Leading => {
                    tracing::info!(lease = %self.lease, identity = %self.identity, "successfully acquired lease");
                    return;
                }
                Attempt::HeldBy(holder) => {
                    tracing::debug!(lease = %self.lease, %holder, "lease is held by another candidate");
                }
                Attempt::Failed(err) => {
                    tracing::warn!(lease = %self.lease, error = %err, "failed to acquire lease");
                }
            }
            tokio::time::sleep(jittered_retry(self.timing.retry_period, fastrand::f64())).await;
        }
    }

    /// Keeps the Lease renewed; returns only when leadership is lost.
    pub async fn hold(&mut self) -> LostLeadership {
        loop {
            tokio::time::sleep(self.timing.retry_period).await;
            let deadline = Instant::now() + self.timing.renew_deadline;
            loop {
                let attempt = tokio::time::timeout_at(deadline, self.try_acquire_or_renew()).await;
                match attempt {
                    Ok(Attempt::Leading) => break,
                    Ok(Attempt::HeldBy(holder)) => {
                        return LostLeadership::TakenOver {
                            lease: self.lease.clone(),
                            holder,
                        };
                    }
                    Ok(Attempt::Failed(err)) => {
                        tracing::warn!(lease = %self.lease, error = %err, "failed to renew lease");
                    }
                    Err(_) => {}
                }
                let next = Instant::now() + self.timing.retry_period;
                if next >= deadline {
                    return LostLeadership::RenewDeadlineExceeded {
                        lease: self.lease.clone(),
                        deadline: self.timing.renew_deadline,
                    };
                }
                tokio::time::sleep_until(next).await;
            }
        }
    }

    /// Clears the holder if it is us, so a successor takes over at its next retry instead of
    /// waiting out the lease duration. Safe to call when not leading.
    pub async fn release(&mut self) -> kube::Result<()> {
        let Some(mut lease) = self.api.get_opt(&self.lease).await? else {
            return Ok(());
        };
        let spec = lease.spec.take().unwrap_or_default();
        if spec.holder_identity.as_deref() != Some(self.identity.as_str()) {
            return Ok(());
        }
        let now = MicroTime(Timestamp::now());
        // The same record client-go writes on release.
        lease.spec = Some(LeaseSpec {
            holder_identity: Some(String::new()),
            lease_duration_seconds: Some(1),
            acquire_time: Some(now.clone()),
            renew_time: Some(now),
            lease_transitions: spec.lease_transitions,
            ..Default::default()
        });
        self.api
            .replace(&self.lease, &PostParams::default(), &lease)
            .await?;
        tracing::info!(lease = %self.lease, identity = %self.identity, "released leader lease");
        Ok(())
    }

    async fn try_acquire_or_renew(&mut self) -> Attempt {
        let now = MicroTime(Timestamp::now());
        let lease_seconds =
            i32::try_from(self.timing.lease_duration.as_secs().max(1)).unwrap_or(i32::MAX);
        let existing = match self.api.get_opt(&self.lease).await {
            Ok(existing) => existing,
            Err(err) => return Attempt::Failed(err),
        };
        let Some(mut lease) = existing else {
            let spec = LeaseSpec {
                holder_identity: Some(self.identity.clone()),
                lease_duration_seconds: Some(lease_seconds),
                acquire_time: Some(now.clone()),
                renew_time: Some(now),
                lease_transitions: Some(0),
                ..Default::default()
            };
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(self.lease.clone()),
                    ..Default::default()
                },
                spec: Some(spec.clone()),
            };
            return match self.api.create(&PostParams::default(), &lease).await {
                Ok(_) => {
                    self.observe(spec);
                    Attempt::Leading
                }
                Err(err) => Attempt::Failed(err),
            };
        };

        let spec = lease.spec.take().unwrap_or_default();
        self.observe(spec.clone());
        let holder = spec.holder_identity.clone().filter(|h| !h.is_empty());
        let leading = holder.as_deref() == Some(self.identity.as_str());
        if let Some(holder) = holder.filter(|_| !leading) {
            let observed_at = self.observed.as_ref().map_or_else(Instant::now, |o| o.at);
            if observed_at + self.timing.lease_duration > Instant::now() {
                return Attempt::HeldBy(holder);
            }
        }

        let (acquire_time, transitions) = if leading {
            (spec.acquire_time.clone(), spec.lease_transitions)
        } else {
            (
                Some(now.clone()),
                Some(spec.lease_transitions.unwrap_or(0) + 1),
            )
        };
        let new_spec = LeaseSpec {
            holder_identity: Some(self.identity.clone()),
            lease_duration_seconds: Some(lease_seconds),
            acquire_time,
            renew_time: Some(now),
            lease_transitions: transitions,
            ..spec
        };
        lease.spec = Some(new_spec.clone());
        // The resourceVersion from the read makes this a compare-and-swap: of two candidates
        // racing for an expired Lease, only one replace succeeds.
        match self
            .api
            .replace(&self.lease, &PostParams::default(), &lease)
            .await
        {
            Ok(_) => {
                self.observe(new_spec);
                Attempt::Leading
            }
            Err(err) => Attempt::Failed(err),
        }
    }

    fn observe(&mut self, spec: LeaseSpec) {
        if self.observed.as_ref().is_none_or(|o| o.spec != spec) {
            self.observed = Some(Observed {
                spec,
                at: Instant::now(),
            });
        }
    }
}

/// client-go's `wait.Jitter(retryPeriod, 1.2)`: `unit` in `[0, 1)` picks the point.
pub fn jittered_retry(retry_period: Duration, unit: f64) -> Duration {
    retry_period + retry_period.mul_f64(JITTER_FACTOR * unit.clamp(0.0, 1.0))
}

/// `<hostname>_<random>`, as controller-runtime builds it; in a Pod the hostname is the Pod
/// name, and the suffix keeps two processes on one host apart.
pub fn holder_identity() -> String {
    let host = hostname::get()
        .ok()
        .and_then(|h| h.into_string().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "tk".to_string());
    format!("{host}_{:016x}", fastrand::u64(..))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_jitter_stays_within_client_go_bounds() {
        let period = Duration::from_secs(5);
        assert_eq!(jittered_retry(period, 0.0), period);
        assert_eq!(jittered_retry(period, 0.5), Duration::from_secs(8));
        assert_eq!(jittered_retry(period, 1.0), Duration::from_secs(11));
    }

    #[test]
    fn identities_are_unique_per_process_start() {
        let a = holder_identity();
        let b = holder_identity();
        assert_ne!(a, b);
        assert!(a.contains('_'), "{a}");
    }
}
