//! The bandwidth cap: one token bucket per client, shared by every transfer (lanes and files), so
//! the client as a whole stays under `max_bytes_per_sec`. Bytes are taken as they arrive; a
//! transfer that runs into debt sleeps until the bucket has refilled it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A shared token bucket.
#[derive(Debug)]
pub struct Throttle {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl Throttle {
    /// A cap of `bytes_per_sec`, with a burst of a tenth of a second (at least 64 KiB).
    pub fn new(bytes_per_sec: u64) -> Throttle {
        let rate = bytes_per_sec.max(1) as f64;
        let burst = (rate / 10.0).max(65536.0);
        Throttle { rate, burst, state: Mutex::new((burst, Instant::now())) }
    }

    /// Account for `n` bytes received; returns how long the caller must wait to stay under the cap.
    pub fn take(&self, n: u64) -> Duration {
        let mut g = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let (tokens, last) = *g;
        let refilled = (tokens + now.duration_since(last).as_secs_f64() * self.rate).min(self.burst);
        let left = refilled - n as f64;
        *g = (left, now);
        if left >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-left / self.rate)
        }
    }

    /// [`Throttle::take`], then wait (cancellation drops the wait with the call).
    pub async fn consume(&self, n: u64) {
        let wait = self.take(n);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debt_becomes_waiting() {
        let t = Throttle::new(1_000_000);
        // The burst (100 kB) passes at once; beyond it, the debt is paid at the rate.
        assert_eq!(t.take(100_000), Duration::ZERO);
        let w = t.take(500_000);
        assert!(w >= Duration::from_millis(490) && w <= Duration::from_millis(510), "{w:?}");
        let w2 = t.take(100_000);
        assert!(w2 >= Duration::from_millis(590), "debt accumulates: {w2:?}");
    }
}
