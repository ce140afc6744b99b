//! Publishing a blob (hub-protocol.md §2.4, §2.9, §3.2 steps 7–9): the incomplete blob has a
//! deterministic name per ETag, `blobs/<etag>.incomplete`, and is only ever written under the blob
//! lock (`.locks/<repo>/<etag>.lock`, the one Python takes); it is checked (size, SHA-256) and
//! renamed onto `blobs/<etag>` atomically. A wrong blob is never published; an abandoned incomplete
//! blob is removed when its writer is dropped (cancel, error).

use std::fs::{self, File};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use bytes::Bytes;

use crate::cache::layout::probe_new_file_mode;
use crate::cache::RepoCache;
use crate::error::{Error, Result};
use crate::hash::Sha256Stream;

/// Files at least this large are hashed on a worker of the blocking pool, overlapped with the
/// transfer; smaller ones inline (a hand-off would cost more than it saves).
pub(crate) const HASH_WORKER_MIN_SIZE: u64 = 8 << 20;
/// Chunks queued for the hash worker at most (constant memory; the writer waits beyond that).
const HASH_QUEUE: usize = 32;

/// SHA-256 of what was written: inline, or on a worker fed through a bounded queue.
#[derive(Debug)]
enum Hasher {
    Inline(Sha256Stream),
    Worker { tx: SyncSender<Bytes>, done: Receiver<String> },
}

impl Hasher {
    fn new(worker: bool) -> Hasher {
        if !worker {
            return Hasher::Inline(Sha256Stream::new());
        }
        let (tx, rx) = sync_channel::<Bytes>(HASH_QUEUE);
        let (done_tx, done) = sync_channel(1);
        let job = move || {
            let mut h = Sha256Stream::new();
            while let Ok(b) = rx.recv() {
                h.update(&b);
            }
            let _ = done_tx.send(h.finish_hex());
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => drop(rt.spawn_blocking(job)),
            Err(_) => return Hasher::Inline(Sha256Stream::new()),
        }
        Hasher::Worker { tx, done }
    }

    fn update(&mut self, data: Bytes) {
        match self {
            Hasher::Inline(h) => h.update(&data),
            Hasher::Worker { tx, .. } => {
                // The worker only stops when this sender is dropped.
                let _ = tx.send(data);
            }
        }
    }

    fn finish(self) -> Option<String> {
        match self {
            Hasher::Inline(h) => Some(h.finish_hex()),
            Hasher::Worker { tx, done } => {
                drop(tx);
                done.recv().ok()
            }
        }
    }
}

/// An incomplete blob being written. Dropped unpublished, it deletes its file.
#[derive(Debug)]
pub struct IncompleteBlob {
    path: PathBuf,
    blob: PathBuf,
    file: Option<File>,
    written: u64,
    hasher: Option<Hasher>,
    worker: bool,
    name: String,
    /// Start writeback every `WRITEBACK_STEP` bytes (durable downloads).
    writeback: bool,
    written_back: u64,
}

/// Durable downloads start writeback of every this many bytes while they run.
const WRITEBACK_STEP: u64 = 8 << 20;

impl IncompleteBlob {
    /// Create (or truncate) `blobs/<etag>.incomplete`. The caller holds the blob lock. `hash`:
    /// compute the SHA-256 while writing (on a worker when `size` is at least
    /// `HASH_WORKER_MIN_SIZE`). `name` is the repo filename, for messages.
    pub fn create(rc: &RepoCache, etag: &str, hash: bool, size: u64, name: &str) -> Result<IncompleteBlob> {
        IncompleteBlob::create_at(rc.incomplete_path(etag), rc.blob_path(etag), hash, size, name)
    }

    /// An incomplete file at `path`, published by renaming it onto `blob` (a `local_dir` file
    /// uses its own temporary name and destination). The caller holds the destination's lock.
    pub fn create_at(path: PathBuf, blob: PathBuf, hash: bool, size: u64, name: &str) -> Result<IncompleteBlob> {
        let dir = path.parent().expect("the incomplete file has a parent");
        fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        let file = File::options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        Ok(IncompleteBlob {
            path,
            blob,
            file: Some(file),
            written: 0,
            hasher: hash.then(|| Hasher::new(size >= HASH_WORKER_MIN_SIZE)),
            worker: size >= HASH_WORKER_MIN_SIZE,
            name: name.to_string(),
            writeback: false,
            written_back: 0,
        })
    }

    /// Start writeback to stable storage while writing (for a durable publish).
    pub fn with_writeback(mut self, on: bool) -> IncompleteBlob {
        self.writeback = on;
        self
    }

    /// The incomplete file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Append `data` (and hash it).
    pub fn write(&mut self, data: Bytes) -> Result<()> {
        let f = self.file.as_mut().expect("open until published");
        f.write_all(&data).map_err(|e| Error::io(format!("writing {}", self.path.display()), e))?;
        self.written += data.len() as u64;
        if let Some(h) = self.hasher.as_mut() {
            h.update(data);
        }
        if self.writeback && self.written - self.written_back >= WRITEBACK_STEP {
            crate::ffi::sys::start_writeback(f, self.written_back, self.written - self.written_back);
            self.written_back = self.written;
        }
        Ok(())
    }

    /// Start over from byte 0 (the server ignored a `Range`).
    pub fn restart(&mut self) -> Result<()> {
        let f = self.file.as_mut().expect("open until published");
        f.set_len(0).map_err(|e| Error::io("truncating the incomplete blob", e))?;
        f.seek(SeekFrom::Start(0)).map_err(|e| Error::io("rewinding the incomplete blob", e))?;
        self.written = 0;
        self.written_back = 0;
        if self.hasher.is_some() {
            self.hasher = Some(Hasher::new(self.worker));
        }
        Ok(())
    }

    /// Check the size (and the SHA-256 when one is expected and was computed), then give the file
    /// the mode of a new file in `blobs/` and rename it onto `blobs/<etag>`. `durable`: fsync the
    /// file first and the folder after, so the blob survives a power loss.
    pub fn publish(mut self, expected_size: u64, expected_sha256: Option<&str>, durable: bool) -> Result<PathBuf> {
        let file = self.file.take().expect("open until published");
        if self.written != expected_size {
            return Err(Error::Checksum(format!(
                "consistency check failed: {} should be {} bytes, got {}",
                self.name, expected_size, self.written
            )));
        }
        if let (Some(h), Some(expected)) = (self.hasher.take(), expected_sha256) {
            let got = h.finish().ok_or_else(|| Error::Internal("the hash worker stopped".into()))?;
            if !got.eq_ignore_ascii_case(expected) {
                return Err(Error::Checksum(format!("{}: SHA-256 is {got}, expected {expected}", self.name)));
            }
        }
        if durable {
            file.sync_all().map_err(|e| Error::io("syncing the incomplete blob", e))?;
        }
        drop(file);
        if let Some(mode) = self.blob.parent().and_then(probe_new_file_mode) {
            set_mode(&self.path, mode);
        }
        fs::rename(&self.path, &self.blob)
            .map_err(|e| Error::io(format!("renaming into {}", self.blob.display()), e))?;
        self.written = u64::MAX; // published: nothing to clean up
        if durable {
            // The rename itself must survive a power loss: sync the folder that records it.
            if let Some(dir) = self.blob.parent() {
                File::open(dir).and_then(|d| d.sync_all()).map_err(|e| Error::io("syncing the blobs folder", e))?;
            }
        }
        Ok(self.blob.clone())
    }
}

impl Drop for IncompleteBlob {
    fn drop(&mut self) {
        if self.written != u64::MAX {
            self.file.take();
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(unix)]
fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = fs::set_permissions(p, fs::Permissions::from_mode(mode));
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::{Repo, RepoType};

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn publish_checks_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let rc = RepoCache::new(dir.path(), &Repo::new("org/m", RepoType::Model).unwrap());
        // Wrong size: nothing published, nothing left.
        let mut w = IncompleteBlob::create(&rc, ABC, true, 3, "f").unwrap();
        assert_eq!(w.path(), rc.incomplete_path(ABC));
        w.write(Bytes::from_static(b"ab")).unwrap();
        assert!(matches!(w.publish(3, Some(ABC), false), Err(Error::Checksum(_))));
        assert!(!rc.incomplete_path(ABC).exists() && !rc.blob_path(ABC).exists());
        // Wrong hash.
        let mut w = IncompleteBlob::create(&rc, ABC, true, 3, "f").unwrap();
        w.write(Bytes::from_static(b"abd")).unwrap();
        assert!(matches!(w.publish(3, Some(ABC), false), Err(Error::Checksum(_))));
        assert!(!rc.blob_path(ABC).exists());
        // Restart, then right: published under the ETag.
        let mut w = IncompleteBlob::create(&rc, ABC, true, 3, "f").unwrap();
        w.write(Bytes::from_static(b"zz")).unwrap();
        w.restart().unwrap();
        w.write(Bytes::from_static(b"abc")).unwrap();
        assert_eq!(w.publish(3, Some(ABC), true).unwrap(), rc.blob_path(ABC));
        assert_eq!(fs::read(rc.blob_path(ABC)).unwrap(), b"abc");
        assert!(!rc.incomplete_path(ABC).exists());
        // Dropped (cancel): the incomplete file goes.
        let mut w = IncompleteBlob::create(&rc, "e2", false, 1, "g").unwrap();
        w.write(Bytes::from_static(b"x")).unwrap();
        assert!(rc.incomplete_path("e2").exists());
        drop(w);
        assert!(!rc.incomplete_path("e2").exists());
    }

    #[test]
    fn large_files_hash_on_a_worker() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let rc = RepoCache::new(dir.path(), &Repo::new("org/m", RepoType::Model).unwrap());
        let data: Vec<u8> = (0..HASH_WORKER_MIN_SIZE + 12345).map(|i| (i * 7 % 251) as u8).collect();
        let mut h = Sha256Stream::new();
        h.update(&data);
        let sha = h.finish_hex();
        rt.block_on(async {
            let mut w = IncompleteBlob::create(&rc, &sha, true, data.len() as u64, "big").unwrap();
            assert!(matches!(w.hasher, Some(Hasher::Worker { .. })));
            w.write(Bytes::from_static(b"junk")).unwrap();
            w.restart().unwrap();
            for c in data.chunks(100_000) {
                w.write(Bytes::copy_from_slice(c)).unwrap();
            }
            assert_eq!(w.publish(data.len() as u64, Some(&sha), false).unwrap(), rc.blob_path(&sha));
            let mut w = IncompleteBlob::create(&rc, "other", true, data.len() as u64, "big").unwrap();
            w.write(Bytes::copy_from_slice(&data)).unwrap();
            assert!(matches!(w.publish(data.len() as u64, Some("00"), false), Err(Error::Checksum(_))));
        });
    }
}
