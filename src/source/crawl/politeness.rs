//! Per-host politeness: at most N requests in flight to a host, a minimum gap between
//! request starts, and a shared hold-off when the host says 429/503 + `Retry-After`.
//!
//! Images from CDNs go through the same gates as pages, keyed by host name.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// One host's gate.
#[derive(Debug)]
pub struct Gate {
    slots: Arc<Semaphore>,
    /// When the next request may start, and the gap kept after each start.
    timing: Mutex<Timing>,
}

#[derive(Debug)]
struct Timing {
    next_start: Instant,
    gap: Duration,
}

impl Gate {
    fn new(concurrency: usize, gap: Duration) -> Self {
        Gate {
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            timing: Mutex::new(Timing {
                next_start: Instant::now(),
                gap,
            }),
        }
    }

    /// Wait for a free slot and for the host's next start time; hold the returned
    /// permit for the whole request, body included.
    pub async fn enter(&self) -> OwnedSemaphorePermit {
        let permit = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .expect("gate semaphores are never closed");
        loop {
            let wait = {
                let mut t = lock(&self.timing);
                let now = Instant::now();
                if t.next_start <= now {
                    t.next_start = now + t.gap;
                    None
                } else {
                    Some(t.next_start - now)
                }
            };
            match wait {
                None => return permit,
                Some(d) => tokio::time::sleep(d).await,
            }
        }
    }

    /// Start nothing on this host before `until` (a `Retry-After` applies to the host, not one URL).
    pub fn hold_off(&self, until: Instant) {
        let mut t = lock(&self.timing);
        if until > t.next_start {
            t.next_start = until;
        }
    }

    /// Raise the gap between starts (robots.txt `Crawl-delay`); never lowers it.
    pub fn widen_gap(&self, gap: Duration) {
        let mut t = lock(&self.timing);
        if gap > t.gap {
            t.gap = gap;
        }
    }
}

/// All hosts' gates, created on first use.
#[derive(Debug)]
pub struct Gates {
    gates: Mutex<HashMap<String, Arc<Gate>>>,
    concurrency: usize,
    gap: Duration,
}

impl Gates {
    pub fn new(concurrency: usize, gap: Duration) -> Self {
        Gates {
            gates: Mutex::new(HashMap::new()),
            concurrency,
            gap,
        }
    }

    pub fn for_host(&self, origin_key: &str) -> Arc<Gate> {
        let mut map = lock(&self.gates);
        Arc::clone(
            map.entry(origin_key.to_string())
                .or_insert_with(|| Arc::new(Gate::new(self.concurrency, self.gap))),
        )
    }
}

/// A poisoned lock only means another request panicked mid-update of plain numbers
/// or maps that stay valid; carry on with them.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_time()
            .build()
            .unwrap()
    }

    #[test]
    fn starts_to_one_host_are_spaced_by_the_gap() {
        rt().block_on(async {
            let gate = Gate::new(4, Duration::from_millis(50));
            let t0 = Instant::now();
            for _ in 0..3 {
                drop(gate.enter().await);
            }
            // Three starts need two gaps.
            assert!(
                t0.elapsed() >= Duration::from_millis(100),
                "{:?}",
                t0.elapsed()
            );
        });
    }

    #[test]
    fn hold_off_delays_the_next_start() {
        rt().block_on(async {
            let gate = Gate::new(1, Duration::ZERO);
            let t0 = Instant::now();
            gate.hold_off(t0 + Duration::from_millis(80));
            drop(gate.enter().await);
            assert!(t0.elapsed() >= Duration::from_millis(80));
        });
    }

    #[test]
    fn concurrency_is_bounded_per_host() {
        rt().block_on(async {
            let gates = Gates::new(2, Duration::ZERO);
            let gate = gates.for_host("a:80");
            let _a = gate.enter().await;
            let _b = gate.enter().await;
            let third = tokio::time::timeout(Duration::from_millis(50), gate.enter()).await;
            assert!(
                third.is_err(),
                "a third request started while two were in flight"
            );
            // Another host is not held up by this one.
            let other =
                tokio::time::timeout(Duration::from_millis(50), gates.for_host("b:80").enter())
                    .await;
            assert!(other.is_ok());
        });
    }
}
