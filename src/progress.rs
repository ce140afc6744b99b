//! Progress and cancellation, shared by every long call (design.md §1.1).
//!
//! - [`CancelToken`]: set from any thread; every wait inside a call races against it.
//! - [`ProgressSink`]: `Send + Sync`; the workers of a call add to it, and the calling thread drains
//!   it and reports through the caller's callback at a bounded rate (see `Client::run`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};

/// Minimum interval between two rate-limited progress reports (about 10 Hz).
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// A progress report, delivered on the calling thread.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// The repo filename being transferred.
    pub filename: &'a str,
    /// Bytes written so far.
    pub bytes_done: u64,
    /// Total bytes expected.
    pub bytes_total: u64,
    /// What is being done to the bytes of `filename`.
    pub phase: Phase,
    /// Bytes done over the whole call (every file and phase); `bytes_done` for single-file calls.
    pub total_done: u64,
    /// Bytes expected over the whole call; `bytes_total` for single-file calls.
    pub total_bytes: u64,
}

/// What a progress report counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    /// Bytes received and written (downloads).
    #[default]
    Download,
    /// Bytes read and hashed (cache verify, upload preparation).
    Hash,
    /// Bytes sent to the server (uploads).
    Upload,
}

/// The caller's progress callback: return `false` to cancel the call.
pub type ProgressFn<'a> = &'a mut dyn FnMut(&Progress) -> bool;

/// A cancellation flag that can be set from any thread; clones share the flag. Waiting on it is
/// event-driven (no polling): a cancel wakes every wait raced against it at once.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(CancellationToken);

impl CancelToken {
    /// A fresh, not-cancelled token.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Ask every operation watching this token to stop.
    pub fn cancel(&self) {
        self.0.cancel();
    }

    /// Whether [`CancelToken::cancel`] was called (on this token or a parent).
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }

    /// A token cancelled when this one is (but not the other way round).
    pub fn child(&self) -> CancelToken {
        CancelToken(self.0.child_token())
    }

    /// Resolves when the token is cancelled.
    pub async fn cancelled(&self) {
        self.0.cancelled().await
    }

    /// Run `fut`, or fail with [`Error::Cancelled`] as soon as the token is cancelled (the future
    /// is dropped, which aborts its request and runs its clean-up guards).
    pub async fn guard<T>(&self, fut: impl std::future::Future<Output = Result<T>>) -> Result<T> {
        tokio::select! {
            biased;
            _ = self.0.cancelled() => Err(Error::Cancelled),
            r = fut => r,
        }
    }

    /// Sleep for `d`, or fail with [`Error::Cancelled`] when cancelled first.
    pub async fn sleep(&self, d: Duration) -> Result<()> {
        self.guard(async {
            tokio::time::sleep(d).await;
            Ok(())
        })
        .await
    }

    /// `Err(Cancelled)` when cancelled.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// One report as queued.
#[derive(Debug, Clone, Default)]
struct Snap {
    filename: String,
    done: u64,
    total: u64,
    phase: Phase,
    all_done: u64,
    all_total: u64,
}

#[derive(Debug, Default)]
struct State {
    filename: String,
    done: u64,
    total: u64,
    phase: Phase,
    /// Whole-call counters (`all_total` 0: the call has one file; the file's counters are used).
    all_done: u64,
    all_total: u64,
    /// Changed since the last report.
    dirty: bool,
    /// Reports that must be delivered whatever the rate (start and end of a file).
    forced: Vec<Snap>,
    /// Forced reports queued so far, and delivered so far.
    queued: u64,
    delivered: u64,
    /// A callback reads this sink (else nothing waits for deliveries).
    reporting: bool,
    /// The callback asked to stop.
    stopped: bool,
}

impl State {
    fn snap(&self) -> Snap {
        Snap {
            filename: self.filename.clone(),
            done: self.done,
            total: self.total,
            phase: self.phase,
            all_done: self.all_done,
            all_total: self.all_total,
        }
    }
}

/// Where the workers of one call add progress. Cheap to clone; `Send + Sync`.
#[derive(Debug, Clone, Default)]
pub struct ProgressSink {
    state: Arc<Mutex<State>>,
    wake: Arc<tokio::sync::Notify>,
    delivered: Arc<tokio::sync::Notify>,
}

impl ProgressSink {
    /// An empty sink.
    pub fn new() -> ProgressSink {
        ProgressSink::default()
    }

    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut g = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut g)
    }

    /// A file starts (reported whatever the rate).
    pub fn start(&self, filename: &str, done: u64, total: u64) {
        self.start_phase(filename, Phase::Download, done, total);
    }

    /// A file starts a phase (hashing, sending...); reported whatever the rate.
    pub fn start_phase(&self, filename: &str, phase: Phase, done: u64, total: u64) {
        self.with(|s| {
            s.filename = filename.to_string();
            s.done = done;
            s.total = total;
            s.phase = phase;
            s.dirty = false;
            let snap = s.snap();
            s.forced.push(snap);
            s.queued += 1;
        });
        self.wake.notify_one();
    }

    /// The whole call has `bytes` more to move (over every file and phase); see [`Progress::total_bytes`].
    pub fn add_overall(&self, bytes: u64) {
        self.with(|s| s.all_total += bytes);
    }

    /// `bytes` more were written for the current file.
    pub fn add(&self, bytes: u64) {
        self.with(|s| {
            s.done += bytes;
            s.all_done += bytes;
            s.dirty = true;
        });
    }

    /// `bytes` counted by [`ProgressSink::add`] must be done again (a failed attempt is retried).
    pub fn retract(&self, bytes: u64) {
        self.with(|s| {
            s.done = s.done.saturating_sub(bytes);
            s.all_done = s.all_done.saturating_sub(bytes);
            s.dirty = true;
        });
    }

    /// `bytes` of the whole call need no work (already on the server): counted as done overall.
    pub fn skip(&self, bytes: u64) {
        self.with(|s| {
            s.all_done += bytes;
            s.dirty = true;
        });
    }

    /// The current file restarted from `done` bytes (a server ignored a `Range`).
    pub fn set(&self, done: u64) {
        self.with(|s| {
            s.all_done = (s.all_done + done).saturating_sub(s.done);
            s.done = done;
            s.dirty = true;
        });
    }

    /// The current file is complete (reported whatever the rate).
    pub fn finish(&self) {
        self.with(|s| {
            s.dirty = false;
            let snap = s.snap();
            s.forced.push(snap);
            s.queued += 1;
        });
        self.wake.notify_one();
    }

    /// Mark this sink as read by a callback (set by the call driver).
    pub(crate) fn set_reporting(&self) {
        self.with(|s| s.reporting = true);
    }

    /// Wait until every forced report queued so far was delivered to the callback (a no-op when
    /// there is none); `Err(Cancelled)` when the callback asked to stop. Workers call it before
    /// starting a transfer and before publishing, so a callback's "stop" is obeyed in time.
    pub async fn settle(&self) -> Result<()> {
        loop {
            let notified = self.delivered.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            let (done, stopped) = self.with(|s| (!s.reporting || s.delivered >= s.queued, s.stopped));
            if stopped {
                return Err(Error::Cancelled);
            }
            if done {
                return Ok(());
            }
            notified.await;
        }
    }

    /// Resolves when a forced report is queued (or spuriously); used by the reporting thread.
    pub(crate) async fn notified(&self) {
        self.wake.notified().await
    }

    /// Deliver what is due to `cb`: every forced report, then the current state if it changed and
    /// `rate_ok`. Returns false when the callback asked to cancel.
    pub(crate) fn drain(&self, cb: &mut dyn FnMut(&Progress) -> bool, last: &mut Option<Instant>) -> bool {
        let (forced, current) = self.with(|s| {
            if s.stopped {
                return (Vec::new(), None);
            }
            let forced = std::mem::take(&mut s.forced);
            let due = s.dirty && last.is_none_or(|l| l.elapsed() >= PROGRESS_INTERVAL);
            let current = due.then(|| {
                s.dirty = false;
                s.snap()
            });
            (forced, current)
        });
        let mut go_on = !self.with(|s| s.stopped);
        for p in forced.iter().chain(current.iter()) {
            if !go_on {
                break;
            }
            *last = Some(Instant::now());
            let (total_done, total_bytes) =
                if p.all_total == 0 { (p.done, p.total) } else { (p.all_done, p.all_total) };
            go_on = cb(&Progress {
                filename: &p.filename,
                bytes_done: p.done,
                bytes_total: p.total,
                phase: p.phase,
                total_done,
                total_bytes,
            });
        }
        let n = forced.len() as u64;
        self.with(|s| {
            s.delivered += n;
            s.stopped |= !go_on;
        });
        self.delivered.notify_waiters();
        go_on
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sink_forced_and_rate_limited() {
        let sink = ProgressSink::new();
        let mut seen = Vec::new();
        let mut last = None;
        sink.start("a", 0, 10);
        sink.add(3);
        assert!(sink.drain(
            &mut |p| {
                seen.push((p.filename.to_string(), p.bytes_done));
                true
            },
            &mut last
        ));
        // The start is forced; the change after it is delivered too (first report, no rate yet).
        assert_eq!(seen, vec![("a".to_string(), 0), ("a".to_string(), 3)]);
        sink.add(2);
        seen.clear();
        sink.drain(
            &mut |p| {
                seen.push((p.filename.to_string(), p.bytes_done));
                true
            },
            &mut last,
        );
        assert!(seen.is_empty(), "rate-limited: {seen:?}");
        sink.add(5);
        sink.finish();
        sink.drain(
            &mut |p| {
                seen.push((p.filename.to_string(), p.bytes_done));
                true
            },
            &mut last,
        );
        assert_eq!(seen, vec![("a".to_string(), 10)]);
        sink.set(0);
        std::thread::sleep(PROGRESS_INTERVAL);
        assert!(!sink.drain(&mut |_| false, &mut last), "a false return asks to cancel");
    }

    #[test]
    fn child_tokens_follow_parents() {
        let parent = CancelToken::new();
        let child = parent.child();
        child.cancel();
        assert!(!parent.is_cancelled());
        let c2 = parent.child();
        parent.cancel();
        assert!(c2.is_cancelled());
        assert!(matches!(c2.check(), Err(Error::Cancelled)));
    }
}
