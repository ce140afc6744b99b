//! The one retry policy (hub-protocol.md §0.6): exponential backoff with jitter; `Retry-After` and
//! `RateLimit` honoured (with a cap); which errors are retried. Every wait is a cancellable sleep.

use std::future::Future;
use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::error::{Error, Result};
use crate::progress::CancelToken;

/// The longest wait a server can impose through `Retry-After` / `RateLimit`.
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(300);

/// What a retry loop retries, and how often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (5 → 6 attempts).
    pub max_retries: u32,
    /// Which failures are worth another attempt.
    pub on: RetryOn,
}

/// Classes of retryable failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryOn {
    /// Transport errors and statuses 408, 429, 500, 502, 503, 504 (`http_backoff`).
    Transient,
    /// 408 and 429 only (the download GET: transport errors mid-body resume instead).
    Throttling,
}

impl RetryPolicy {
    /// `http_backoff` with `n` retries.
    pub const fn transient(n: u32) -> RetryPolicy {
        RetryPolicy { max_retries: n, on: RetryOn::Transient }
    }

    /// Status-level retries of the download GET: 408/429, 5 retries.
    pub const fn throttling() -> RetryPolicy {
        RetryPolicy { max_retries: 5, on: RetryOn::Throttling }
    }

    /// Whether `e` is worth another attempt under this policy.
    pub fn retries(&self, e: &Error) -> bool {
        match self.on {
            RetryOn::Transient => e.is_retryable(),
            RetryOn::Throttling => matches!(e.http_status(), 408 | 429),
        }
    }

    /// The wait before retry number `attempt` (1-based) after `e`: what the server asked for, else
    /// exponential backoff.
    pub fn wait(&self, attempt: u32, e: &Error) -> Duration {
        e.http_details().and_then(|d| d.retry_after).unwrap_or_else(|| backoff(attempt))
    }

    /// Run `op` until it succeeds, fails for good, or the retries are spent; sleeps are cancellable.
    pub async fn run<T, F, Fut>(&self, cancel: &CancelToken, mut op: F) -> Result<T>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut attempt = 0;
        loop {
            match op(attempt).await {
                Err(e) if attempt < self.max_retries && self.retries(&e) => {
                    attempt += 1;
                    cancel.sleep(self.wait(attempt, &e)).await?;
                }
                other => return other,
            }
        }
    }
}

/// Exponential backoff before retry `attempt` (1-based): 1, 2, 4, 8, 8 s, each scaled by a random
/// factor in [0.8, 1.2) so that many clients do not retry in lockstep.
pub fn backoff(attempt: u32) -> Duration {
    let base = (1u64 << attempt.saturating_sub(1).min(3)).min(8) as f64;
    Duration::from_secs_f64(base * (0.8 + 0.4 * unit_random()))
}

fn unit_random() -> f64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut h = RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// What the server asked for (§0.4, §0.6): `RateLimit: "api";r=0;t=<s>` → t+1 s; else an integer
/// `Retry-After` → value+1 s (like the official client). Capped at [`MAX_SERVER_WAIT`].
pub fn server_wait(headers: &HeaderMap) -> Option<Duration> {
    let get = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let from_ratelimit = get("ratelimit").and_then(|v| {
        let mut remaining = None;
        let mut reset = None;
        for part in v.split(';').map(str::trim) {
            if let Some(r) = part.strip_prefix("r=") {
                remaining = r.trim().parse::<u64>().ok();
            } else if let Some(t) = part.strip_prefix("t=") {
                reset = t.trim().parse::<u64>().ok();
            }
        }
        (remaining == Some(0)).then_some(reset).flatten()
    });
    let secs = from_ratelimit.or_else(|| get("retry-after").and_then(|v| v.trim().parse::<u64>().ok()))?;
    Some(Duration::from_secs(secs.saturating_add(1)).min(MAX_SERVER_WAIT))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        m
    }

    #[test]
    fn server_waits() {
        assert_eq!(server_wait(&h(&[("retry-after", "5")])), Some(Duration::from_secs(6)));
        assert_eq!(
            server_wait(&h(&[("ratelimit", "\"api\";r=0;t=12"), ("retry-after", "5")])),
            Some(Duration::from_secs(13))
        );
        assert_eq!(
            server_wait(&h(&[("ratelimit", "\"api\";r=3;t=12"), ("retry-after", "2")])),
            Some(Duration::from_secs(3))
        );
        assert_eq!(server_wait(&h(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")])), None);
        assert_eq!(server_wait(&h(&[("retry-after", "999999")])), Some(MAX_SERVER_WAIT));
        assert_eq!(server_wait(&HeaderMap::new()), None);
    }

    #[test]
    fn backoff_grows_with_jitter() {
        for (attempt, base) in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (9, 8.0)] {
            let d = backoff(attempt).as_secs_f64();
            assert!(d >= base * 0.8 && d < base * 1.2, "attempt {attempt}: {d}");
        }
    }

    #[test]
    fn policies() {
        let d = |s: u16| crate::error::HttpDetails { status: s, ..Default::default() };
        let t = RetryPolicy::transient(5);
        assert!(t.retries(&Error::Http(d(503))));
        assert!(t.retries(&Error::Network("x".into())));
        assert!(!t.retries(&Error::Http(d(404))));
        let g = RetryPolicy::throttling();
        assert!(g.retries(&Error::RateLimited(d(429))));
        assert!(!g.retries(&Error::Http(d(503))));
        let mut waited = d(429);
        waited.retry_after = Some(Duration::from_secs(6));
        assert_eq!(g.wait(1, &Error::RateLimited(waited)), Duration::from_secs(6));
    }
}
