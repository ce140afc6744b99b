//! The positional writer of one transfer, with its prefix hasher: every lane writes its bytes at
//! their offsets in the incomplete blob; the writer keeps the set of written ranges, and the
//! SHA-256 follows the contiguous prefix from byte 0 as the lanes complete it.
//!
//! Hashing never makes a second pass after the download: small files are hashed inline from the
//! received buffers; large ones (at least `HASH_WORKER_MIN_SIZE`) on a worker of the blocking pool
//! that reads the prefix back (from the page cache, just written) as it grows, one buffer at a time
//! (constant memory whatever the size). A resumed file's present prefix is read back once.

use std::fs::File;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::cache::blob::read_exact_at;
use crate::cache::journal::Ranges;
use crate::cache::IncompleteBlob;
use crate::error::{Error, Result};
use crate::hash::Sha256Stream;

/// Files at least this large are hashed on a worker of the blocking pool, overlapped with the
/// transfer; smaller ones inline (a hand-off would cost more than it saves).
pub(crate) const HASH_WORKER_MIN_SIZE: u64 = 8 << 20;
/// The worker's read-back buffer (its only memory).
const READ_BACK: usize = 1 << 20;

#[derive(Debug, Default)]
struct State {
    written: Ranges,
    /// End of the contiguous written prefix.
    frontier: u64,
    /// The transfer was abandoned: the worker stops.
    stop: bool,
}

#[derive(Debug, Default)]
struct Shared {
    st: Mutex<State>,
    grown: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.st.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Debug)]
enum Hasher {
    Off,
    /// The hasher and how far it got.
    Inline(Mutex<(Sha256Stream, u64)>),
    Worker(tokio::sync::oneshot::Receiver<std::io::Result<String>>),
}

/// Positional writes into an [`IncompleteBlob`], tracking what is written and hashing its prefix.
#[derive(Debug)]
pub struct Writer<'a> {
    blob: &'a IncompleteBlob,
    shared: Arc<Shared>,
    hasher: Hasher,
}

impl<'a> Writer<'a> {
    /// A writer over `blob`, starting from the ranges it was resumed with. `hash`: compute the
    /// SHA-256 (on a worker for large files).
    pub fn new(blob: &'a IncompleteBlob, hash: bool) -> Result<Writer<'a>> {
        let written = blob.resumed().clone();
        let frontier = written.prefix();
        let shared =
            Arc::new(Shared { st: Mutex::new(State { written, frontier, stop: false }), grown: Condvar::new() });
        let worker = blob.size() >= HASH_WORKER_MIN_SIZE;
        let hasher = match (hash, worker, tokio::runtime::Handle::try_current()) {
            (false, ..) => Hasher::Off,
            (true, true, Ok(rt)) => {
                let file = blob.file().try_clone().map_err(|e| Error::io("opening the incomplete blob again", e))?;
                let (tx, rx) = tokio::sync::oneshot::channel();
                let (sh, size) = (shared.clone(), blob.size());
                drop(rt.spawn_blocking(move || {
                    if let Some(r) = hash_prefix(&file, size, &sh) {
                        let _ = tx.send(r);
                    }
                }));
                Hasher::Worker(rx)
            }
            (true, ..) => Hasher::Inline(Mutex::new((Sha256Stream::new(), 0))),
        };
        let w = Writer { blob, shared, hasher };
        w.catch_up(None)?;
        Ok(w)
    }

    /// Write `data` at `offset`.
    pub fn write(&self, offset: u64, data: &[u8]) -> Result<()> {
        self.blob.write_at(offset, data)?;
        let end = offset + data.len() as u64;
        let grew = {
            let mut st = self.shared.lock();
            st.written.insert(offset, end);
            let f = st.written.prefix();
            let grew = f > st.frontier;
            st.frontier = f;
            grew
        };
        match &self.hasher {
            Hasher::Off => Ok(()),
            Hasher::Worker(_) => {
                if grew {
                    self.shared.grown.notify_one();
                }
                Ok(())
            }
            Hasher::Inline(_) => self.catch_up(Some((offset, data))),
        }
    }

    /// Inline hashing: take what `data` (just written at its offset) adds to the hashed prefix,
    /// then read back whatever else the prefix gained.
    fn catch_up(&self, data: Option<(u64, &[u8])>) -> Result<()> {
        let Hasher::Inline(h) = &self.hasher else { return Ok(()) };
        let mut g = h.lock().unwrap_or_else(|p| p.into_inner());
        let (hasher, hashed) = &mut *g;
        if let Some((off, d)) = data {
            let end = off + d.len() as u64;
            if off <= *hashed && *hashed < end {
                hasher.update(&d[(*hashed - off) as usize..]);
                *hashed = end;
            }
        }
        let frontier = self.shared.lock().frontier;
        let mut buf = Vec::new();
        while *hashed < frontier {
            let n = (frontier - *hashed).min(READ_BACK as u64) as usize;
            buf.resize(n, 0);
            read_exact_at(self.blob.file(), &mut buf, *hashed)
                .map_err(|e| Error::io("reading back the incomplete blob", e))?;
            hasher.update(&buf);
            *hashed += n as u64;
        }
        Ok(())
    }

    /// Bytes written (the union of the ranges; resumed ones included).
    pub fn written(&self) -> u64 {
        self.shared.lock().written.total()
    }

    /// Whether `[0, size)` is all written.
    pub fn complete(&self) -> bool {
        self.shared.lock().frontier == self.blob.size()
    }

    /// The SHA-256 (lowercase hex) of the whole file, once it is all written; `None` when not
    /// hashing. Waits for the worker to reach the end.
    pub async fn finish(mut self) -> Result<Option<String>> {
        if !self.complete() {
            return Err(Error::Internal("the transfer ended before its file was complete".into()));
        }
        // Taken out, the worker is not stopped when the writer is dropped: it finishes its work.
        let hasher = std::mem::replace(&mut self.hasher, Hasher::Off);
        drop(self);
        match hasher {
            Hasher::Off => Ok(None),
            Hasher::Inline(h) => Ok(Some(h.into_inner().unwrap_or_else(|p| p.into_inner()).0.finish_hex())),
            Hasher::Worker(rx) => match rx.await {
                Ok(r) => r.map(Some).map_err(|e| Error::io("reading back the incomplete blob", e)),
                Err(_) => Err(Error::Internal("the hash worker stopped".into())),
            },
        }
    }
}

impl Drop for Writer<'_> {
    /// An abandoned transfer (error, cancel, restart) stops its hash worker.
    fn drop(&mut self) {
        if matches!(self.hasher, Hasher::Worker(_)) {
            self.shared.lock().stop = true;
            self.shared.grown.notify_all();
        }
    }
}

/// The worker: hash `[0, size)` of `file` as the written prefix grows; `None` when abandoned.
fn hash_prefix(file: &File, size: u64, sh: &Shared) -> Option<std::io::Result<String>> {
    let mut h = Sha256Stream::new();
    let mut buf = vec![0u8; READ_BACK.min(size as usize)];
    let mut hashed = 0u64;
    while hashed < size {
        let target = {
            let mut st = sh.lock();
            while st.frontier <= hashed && !st.stop {
                st = sh.grown.wait(st).unwrap_or_else(|p| p.into_inner());
            }
            if st.frontier <= hashed {
                return None;
            }
            st.frontier
        };
        while hashed < target {
            if sh.lock().stop {
                return None;
            }
            let n = (target - hashed).min(buf.len() as u64) as usize;
            if let Err(e) = read_exact_at(file, &mut buf[..n], hashed) {
                return Some(Err(e));
            }
            h.update(&buf[..n]);
            hashed += n as u64;
        }
    }
    Some(Ok(h.finish_hex()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::RepoCache;
    use crate::repo::{Repo, RepoType};

    fn sha(d: &[u8]) -> String {
        let mut h = Sha256Stream::new();
        h.update(d);
        h.finish_hex()
    }

    /// Out-of-order writes, inline and on the worker, fresh and resumed: the digest of the whole.
    #[test]
    fn prefix_hash_of_out_of_order_writes() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let rc = RepoCache::new(dir.path(), &Repo::new("org/m", RepoType::Model).unwrap());
        for size in [0usize, 1, 1000, HASH_WORKER_MIN_SIZE as usize + 12345] {
            let data: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
            let piece = (size / 3).max(1);
            rt.block_on(async {
                let etag = format!("e{size}");
                let blob = IncompleteBlob::open(&rc, &etag, size as u64, "f", true).unwrap();
                let w = Writer::new(&blob, true).unwrap();
                // Last third, first third, middle: the prefix grows twice.
                let cuts: Vec<(usize, usize)> = [(2 * piece, size), (0, piece), (piece, 2 * piece)]
                    .into_iter()
                    .map(|(s, e)| (s.min(size), e.min(size)))
                    .filter(|(s, e)| s < e)
                    .collect();
                for (s, e) in &cuts {
                    for c in (*s..*e).step_by(100_000) {
                        w.write(c as u64, &data[c..(c + 100_000).min(*e)]).unwrap();
                    }
                }
                assert_eq!(w.written(), size as u64);
                assert_eq!(w.finish().await.unwrap().as_deref(), Some(sha(&data).as_str()), "size {size}");
                // Resumed with the first part present: only the rest is written.
                if size > 1 {
                    blob.record(0, piece as u64).unwrap();
                }
                drop(blob);
                let blob = IncompleteBlob::open(&rc, &etag, size as u64, "f", true).unwrap();
                let from = blob.resumed().prefix() as usize;
                let w = Writer::new(&blob, true).unwrap();
                if from < size {
                    w.write(from as u64, &data[from..]).unwrap();
                }
                assert_eq!(w.finish().await.unwrap().as_deref(), Some(sha(&data).as_str()), "resumed {size}");
            });
        }
    }

    #[test]
    fn incomplete_files_have_no_digest_and_abandoned_workers_stop() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let rc = RepoCache::new(dir.path(), &Repo::new("org/m", RepoType::Model).unwrap());
        rt.block_on(async {
            let blob = IncompleteBlob::open(&rc, "x", HASH_WORKER_MIN_SIZE * 2, "f", false).unwrap();
            let w = Writer::new(&blob, true).unwrap();
            w.write(0, &[1; 1000]).unwrap();
            assert!(!w.complete());
            assert!(matches!(w.finish().await, Err(Error::Internal(_))));
            let w = Writer::new(&blob, false).unwrap();
            w.write(0, &[1; 10]).unwrap();
            drop(w);
        });
    }
}
