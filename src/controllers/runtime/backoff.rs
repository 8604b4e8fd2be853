//! When an object is reconciled again: at its `interval` spread by jitter after success, and
//! after an exponentially growing delay per object after failure, as Flux's controllers do
//! (`--min-retry-delay` 750ms doubling up to `--max-retry-delay` 15m). controller-runtime's
//! own 5ms start would hammer a Git server that is down with a burst of retries.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use kube::Resource;
use kube::runtime::controller::Action;

pub const ERROR_BACKOFF_BASE: Duration = Duration::from_millis(750);
pub const ERROR_BACKOFF_MAX: Duration = Duration::from_secs(15 * 60);

/// The delay before retrying an object that has now failed `failures` times in a row
/// (1 for the first failure).
pub fn error_backoff(failures: u32) -> Duration {
    let exponent = failures.saturating_sub(1);
    // 2^11 x 750ms already exceeds the cap; stopping there keeps the multiplication in range.
    if exponent >= 11 {
        return ERROR_BACKOFF_MAX;
    }
    (ERROR_BACKOFF_BASE * (1u32 << exponent)).min(ERROR_BACKOFF_MAX)
}

/// `interval` moved by up to `fraction` of itself either way; `unit` is a random number in
/// `[0, 1)` (0 gives the earliest time, values near 1 the latest).
pub fn jittered(interval: Duration, fraction: f64, unit: f64) -> Duration {
    let fraction = fraction.clamp(0.0, 1.0);
    let unit = unit.clamp(0.0, 1.0);
    let factor = 1.0 + fraction * (2.0 * unit - 1.0);
    interval.mul_f64(factor)
}

/// The backoff of a controller's watches. kube-runtime's `Controller` puts one backoff over
/// all its watches together (the object's and its sources'); its default (800ms doubling to
/// 30s, reset after 120s without error) meant that after an API server restart, whose
/// connection errors and 410s each grow the shared delay, no watch was polled for minutes and
/// new source revisions went unseen. client-go backs off each watch on its own; with a shared
/// one, a short cap is what keeps a restart's outage short: 100ms doubling to 2s, with
/// jitter, reset after 10s without error.
pub struct WatchBackoff {
    next: Duration,
    last: Option<std::time::Instant>,
}

const WATCH_BACKOFF_MIN: Duration = Duration::from_millis(100);
const WATCH_BACKOFF_MAX: Duration = Duration::from_secs(2);
const WATCH_BACKOFF_RESET: Duration = Duration::from_secs(10);

impl Default for WatchBackoff {
    fn default() -> Self {
        Self {
            next: WATCH_BACKOFF_MIN,
            last: None,
        }
    }
}

impl Iterator for WatchBackoff {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let now = std::time::Instant::now();
        if self
            .last
            .is_some_and(|last| now.duration_since(last) > WATCH_BACKOFF_RESET)
        {
            self.next = WATCH_BACKOFF_MIN;
        }
        self.last = Some(now);
        let delay = self.next;
        self.next = (self.next * 2).min(WATCH_BACKOFF_MAX);
        // Up to half again, so that controllers restarted together do not relist in step.
        Some(delay.mul_f64(1.0 + fastrand::f64() * 0.5))
    }
}

impl kube::runtime::utils::Backoff for WatchBackoff {
    fn reset(&mut self) {
        self.next = WATCH_BACKOFF_MIN;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ObjectKey {
    api_version: String,
    kind: String,
    namespace: Option<String>,
    name: String,
}

impl ObjectKey {
    fn of<K: Resource<DynamicType = ()>>(obj: &K) -> Self {
        Self {
            api_version: K::api_version(&()).into_owned(),
            kind: K::kind(&()).into_owned(),
            namespace: obj.meta().namespace.clone(),
            name: obj.meta().name.clone().unwrap_or_default(),
        }
    }
}

/// Per-object requeue decisions shared by every reconciler in the process.
///
/// A reconciler returns `requeue.success(&obj, interval)` from `reconcile` and its
/// `error_policy` returns `requeue.failure(&obj)`; `forget` is called once an object is gone
/// so its failure count does not outlive it.
#[derive(Debug)]
pub struct Requeue {
    jitter: f64,
    failures: Mutex<HashMap<ObjectKey, u32>>,
    rng: Mutex<fastrand::Rng>,
}

impl Requeue {
    /// `jitter` is the fraction of the interval a requeue may move either way.
    pub fn new(jitter: f64) -> Self {
        Self::with_rng(jitter, fastrand::Rng::new())
    }

    /// A deterministic sequence, for tests.
    pub fn with_seed(jitter: f64, seed: u64) -> Self {
        Self::with_rng(jitter, fastrand::Rng::with_seed(seed))
    }

    fn with_rng(jitter: f64, rng: fastrand::Rng) -> Self {
        Self {
            jitter,
            failures: Mutex::default(),
            rng: Mutex::new(rng),
        }
    }

    /// The object converged: reset its failure count and come back at `interval` with jitter.
    pub fn success<K: Resource<DynamicType = ()>>(&self, obj: &K, interval: Duration) -> Action {
        self.lock_failures().remove(&ObjectKey::of(obj));
        Action::requeue(self.interval(interval))
    }

    /// The reconcile failed: come back after the object's next backoff step.
    pub fn failure<K: Resource<DynamicType = ()>>(&self, obj: &K) -> Action {
        let mut failures = self.lock_failures();
        let count = failures.entry(ObjectKey::of(obj)).or_insert(0);
        *count = count.saturating_add(1);
        Action::requeue(error_backoff(*count))
    }

    /// The object was deleted; drop what we remember about it.
    pub fn forget<K: Resource<DynamicType = ()>>(&self, obj: &K) {
        self.lock_failures().remove(&ObjectKey::of(obj));
    }

    /// `interval` with this process's jitter applied.
    pub fn interval(&self, interval: Duration) -> Duration {
        let unit = self.rng.lock().unwrap_or_else(|p| p.into_inner()).f64();
        jittered(interval, self.jitter, unit)
    }

    /// Failures in a row recorded for the object; 0 after a success.
    pub fn failures<K: Resource<DynamicType = ()>>(&self, obj: &K) -> u32 {
        self.lock_failures()
            .get(&ObjectKey::of(obj))
            .copied()
            .unwrap_or(0)
    }

    fn lock_failures(&self) -> std::sync::MutexGuard<'_, HashMap<ObjectKey, u32>> {
        // A panic while holding the map leaves counts that are still valid numbers.
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::api::ObjectMeta;
    use kube::runtime::utils::Backoff as _;

    use super::*;

    fn config_map(ns: &str, name: &str) -> ConfigMap {
        ConfigMap {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some(ns.into()),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    #[test]
    fn error_backoff_doubles_from_750ms_and_caps_at_15m() {
        assert_eq!(error_backoff(1), Duration::from_millis(750));
        assert_eq!(error_backoff(2), Duration::from_millis(1500));
        assert_eq!(error_backoff(3), Duration::from_millis(3000));
        assert_eq!(error_backoff(11), Duration::from_millis(750 << 10));
        assert_eq!(error_backoff(12), ERROR_BACKOFF_MAX);
        assert_eq!(error_backoff(u32::MAX), ERROR_BACKOFF_MAX);
        // Zero failures is treated as the first.
        assert_eq!(error_backoff(0), Duration::from_millis(750));
    }

    #[test]
    fn jitter_spreads_either_side_within_the_fraction() {
        let interval = Duration::from_secs(600);
        assert_eq!(jittered(interval, 0.1, 0.0), Duration::from_secs(540));
        assert_eq!(jittered(interval, 0.1, 0.5), Duration::from_secs(600));
        assert_eq!(jittered(interval, 0.1, 1.0), Duration::from_secs(660));
        assert_eq!(jittered(interval, 0.0, 0.9), interval);
        // Out-of-range inputs are clamped rather than producing negative or huge delays.
        assert_eq!(jittered(interval, 5.0, 0.0), Duration::ZERO);
        assert_eq!(jittered(interval, 0.1, 7.0), Duration::from_secs(660));
    }

    #[test]
    fn seeded_requeue_is_deterministic_and_bounded() {
        let a = Requeue::with_seed(0.05, 42);
        let b = Requeue::with_seed(0.05, 42);
        let interval = Duration::from_secs(60);
        let mut seen_different = false;
        for _ in 0..100 {
            let (x, y) = (a.interval(interval), b.interval(interval));
            assert_eq!(x, y);
            assert!(
                x >= Duration::from_secs(57) && x <= Duration::from_secs(63),
                "{x:?}"
            );
            seen_different |= x != interval;
        }
        assert!(seen_different);
    }

    #[test]
    fn failures_back_off_per_object_and_reset_on_success() {
        let requeue = Requeue::with_seed(0.0, 1);
        let a = config_map("ns", "a");
        let b = config_map("ns", "b");
        assert_eq!(
            requeue.failure(&a),
            Action::requeue(Duration::from_millis(750))
        );
        assert_eq!(
            requeue.failure(&a),
            Action::requeue(Duration::from_millis(1500))
        );
        assert_eq!(
            requeue.failure(&b),
            Action::requeue(Duration::from_millis(750))
        );
        assert_eq!(requeue.failures(&a), 2);
        assert_eq!(
            requeue.success(&a, Duration::from_secs(30)),
            Action::requeue(Duration::from_secs(30))
        );
        assert_eq!(requeue.failures(&a), 0);
        assert_eq!(
            requeue.failure(&a),
            Action::requeue(Duration::from_millis(750))
        );
        requeue.forget(&b);
        assert_eq!(requeue.failures(&b), 0);
    }

    #[test]
    fn watch_backoff_stays_short_and_resets() {
        let mut backoff = WatchBackoff::default();
        let delays: Vec<Duration> = (0..10).map(|_| backoff.next().unwrap()).collect();
        assert!(delays[0] >= WATCH_BACKOFF_MIN && delays[0] <= WATCH_BACKOFF_MIN * 2);
        assert!(
            delays.iter().all(|d| *d <= WATCH_BACKOFF_MAX.mul_f64(1.5)),
            "{delays:?}"
        );
        assert!(delays[9] >= WATCH_BACKOFF_MAX, "{delays:?}");
        backoff.reset();
        assert!(backoff.next().unwrap() <= WATCH_BACKOFF_MIN * 2);
    }
}
