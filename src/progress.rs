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
///
/// A call that transfers several files (a snapshot) reports each file's own counters *and* the
/// totals of the whole call; with files in parallel, the per-file fields are those of the file
/// that changed most recently. A single-file call has `files_total == 1` and totals equal to the
/// file's.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    /// The repo filename being transferred.
    pub filename: &'a str,
    /// Bytes of this file written so far.
    pub bytes_done: u64,
    /// Total bytes of this file.
    pub bytes_total: u64,
    /// Files of the call finished so far (downloaded, or found in the cache).
    pub files_done: u64,
    /// Files the call will process.
    pub files_total: u64,
    /// Bytes of all the call's files done so far.
    pub total_bytes_done: u64,
    /// Bytes of all the call's files.
    pub total_bytes_total: u64,
    /// What is being done to the bytes of `filename` (downloads: [`Phase::Download`]).
    pub phase: Phase,
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

/// One report, owned (queued until the calling thread delivers it).
#[derive(Debug, Default, Clone)]
struct Report {
    filename: String,
    done: u64,
    total: u64,
    files_done: u64,
    files_total: u64,
    all_done: u64,
    all_total: u64,
    phase: Phase,
}

impl Report {
    fn view(&self) -> Progress<'_> {
        Progress {
            filename: &self.filename,
            bytes_done: self.done,
            bytes_total: self.total,
            files_done: self.files_done,
            files_total: self.files_total,
            total_bytes_done: self.all_done,
            total_bytes_total: self.all_total,
            phase: self.phase,
        }
    }
}

#[derive(Debug, Default)]
struct State {
    /// Per-file counters by slot (one slot per [`ProgressSink::for_file`] view): name, done,
    /// total, phase.
    files: std::collections::HashMap<u64, (String, u64, u64, Phase)>,
    next_slot: u64,
    /// The slot reported as "the current file".
    current: u64,
    /// Totals of the call.
    files_done: u64,
    files_total: u64,
    all_done: u64,
    all_total: u64,
    /// The totals were announced up front ([`ProgressSink::plan`]); else each file adds its own.
    planned: bool,
    /// Changed since the last report.
    dirty: bool,
    /// Reports that must be delivered whatever the rate (start and end of a file).
    forced: Vec<Report>,
    /// Forced reports queued so far, and delivered so far.
    queued: u64,
    delivered: u64,
    /// A callback reads this sink (else nothing waits for deliveries).
    reporting: bool,
    /// The callback asked to stop.
    stopped: bool,
}

impl State {
    fn report(&self, slot: u64) -> Report {
        let (filename, done, total, phase) = self.files.get(&slot).cloned().unwrap_or_default();
        Report {
            filename,
            done,
            total,
            phase,
            files_done: self.files_done,
            files_total: self.files_total,
            all_done: self.all_done,
            all_total: self.all_total,
        }
    }

    fn force(&mut self, slot: u64) {
        let r = self.report(slot);
        self.forced.push(r);
        self.queued += 1;
    }
}

/// Where the workers of one call add progress. Cheap to clone; `Send + Sync`.
///
/// The methods `start`/`add`/`set`/`finish` concern one file at a time: the file of this view.
/// Workers that transfer files in parallel each take their own view with [`ProgressSink::for_file`];
/// all views of a call share the totals and the delivery to the caller.
#[derive(Debug, Clone, Default)]
pub struct ProgressSink {
    state: Arc<Mutex<State>>,
    wake: Arc<tokio::sync::Notify>,
    delivered: Arc<tokio::sync::Notify>,
    slot: u64,
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

    /// A view of the same sink for another file transferred in parallel.
    pub fn for_file(&self) -> ProgressSink {
        let slot = self.with(|s| {
            s.next_slot += 1;
            s.next_slot
        });
        ProgressSink { slot, ..self.clone() }
    }

    /// Announce the call's totals up front (a snapshot: its files and their bytes).
    pub fn plan(&self, files: u64, bytes: u64) {
        self.with(|s| {
            s.planned = true;
            s.files_total = files;
            s.all_total = bytes;
            s.dirty = true;
        });
    }

    /// A planned file needs no transfer (already present): count it as done. Ignored when no
    /// totals were planned (a single-file call reports nothing for a cache hit).
    pub fn skip(&self, bytes: u64) {
        self.with(|s| {
            if !s.planned {
                return;
            }
            s.files_done += 1;
            s.all_done += bytes;
            s.dirty = true;
        });
    }

    /// A file starts downloading, `done` of its `total` bytes already present (reported whatever
    /// the rate).
    pub fn start(&self, filename: &str, done: u64, total: u64) {
        self.start_phase(filename, Phase::Download, done, total);
    }

    /// The whole call has `bytes` more to move (over every file and phase), announced up front
    /// (uploads: hashing and sending).
    pub fn add_overall(&self, bytes: u64) {
        self.with(|s| {
            s.planned = true;
            s.all_total += bytes;
        });
    }

    /// `bytes` counted by [`ProgressSink::add`] must be done again (a failed attempt is retried).
    pub fn retract(&self, bytes: u64) {
        let slot = self.slot;
        self.with(|s| {
            if let Some(f) = s.files.get_mut(&slot) {
                f.1 = f.1.saturating_sub(bytes);
            }
            s.all_done = s.all_done.saturating_sub(bytes);
            s.dirty = true;
        });
    }

    /// A file starts a phase (downloading, hashing, sending), `done` of its `total` bytes already
    /// done (reported whatever the rate).
    pub fn start_phase(&self, filename: &str, phase: Phase, done: u64, total: u64) {
        let slot = self.slot;
        self.with(|s| {
            // A restart of the same phase replaces its bytes; a new phase adds to the call's.
            if let Some((_, old, _, old_phase)) = s.files.insert(slot, (filename.to_string(), done, total, phase)) {
                if old_phase == phase {
                    s.all_done -= old.min(s.all_done);
                }
            }
            if !s.planned {
                s.files_total += 1;
                s.all_total += total;
            }
            s.all_done += done;
            s.current = slot;
            s.dirty = false;
            s.force(slot);
        });
        self.wake.notify_one();
    }

    /// `bytes` more were written for this view's file.
    pub fn add(&self, bytes: u64) {
        let slot = self.slot;
        self.with(|s| {
            if let Some(f) = s.files.get_mut(&slot) {
                f.1 += bytes;
            }
            s.all_done += bytes;
            s.current = slot;
            s.dirty = true;
        });
    }

    /// This view's file restarted from `done` bytes (a server ignored a `Range`).
    pub fn set(&self, done: u64) {
        let slot = self.slot;
        self.with(|s| {
            if let Some(f) = s.files.get_mut(&slot) {
                s.all_done = (s.all_done + done).saturating_sub(f.1);
                f.1 = done;
            }
            s.current = slot;
            s.dirty = true;
        });
    }

    /// This view's file (or phase of it) is complete (reported whatever the rate). A finished
    /// download counts as a file done.
    pub fn finish(&self) {
        let slot = self.slot;
        self.with(|s| {
            if s.files.get(&slot).is_some_and(|f| f.3 == Phase::Download) {
                s.files_done += 1;
            }
            s.dirty = false;
            s.force(slot);
            s.files.remove(&slot);
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
                s.report(s.current)
            });
            (forced, current)
        });
        let mut go_on = !self.with(|s| s.stopped);
        for r in forced.iter().chain(current.iter()) {
            if !go_on {
                break;
            }
            *last = Some(Instant::now());
            go_on = cb(&r.view());
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
    fn parallel_files_share_totals() {
        let sink = ProgressSink::new();
        sink.plan(3, 30);
        sink.skip(10);
        let (a, b) = (sink.for_file(), sink.for_file());
        a.start("a", 0, 10);
        b.start("b", 4, 10);
        a.add(6);
        b.set(0);
        b.add(7);
        a.add(4);
        a.finish();
        let mut seen = Vec::new();
        let mut last = None;
        sink.drain(
            &mut |p| {
                seen.push((p.filename.to_string(), p.bytes_done, p.files_done, p.files_total, p.total_bytes_done));
                true
            },
            &mut last,
        );
        // Forced: a's start, b's start (4 bytes already there), a's end; then the current state (b).
        assert_eq!(seen, vec![("a".into(), 0, 1, 3, 10), ("b".into(), 4, 1, 3, 14), ("a".into(), 10, 2, 3, 27),]);
        b.add(3);
        b.finish();
        seen.clear();
        sink.drain(
            &mut |p| {
                seen.push((p.filename.to_string(), p.bytes_done, p.files_done, p.files_total, p.total_bytes_done));
                true
            },
            &mut last,
        );
        assert_eq!(seen, vec![("b".into(), 10, 3, 3, 30)]);
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
