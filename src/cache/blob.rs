//! Publishing a blob (hub-protocol.md §2.4, §2.9, §3.2 steps 7–9): the incomplete blob has a
//! deterministic name per ETag, `blobs/<etag>.part.incomplete`, and is only ever written under the blob
//! lock (`.locks/<repo>/<etag>.lock`, the one Python takes); it is preallocated to the blob's size
//! and written with positional writes (ranged lanes write anywhere in it), then checked (size,
//! SHA-256) and renamed onto `blobs/<etag>` atomically. A wrong blob is never published.
//!
//! A resumable incomplete blob has a journal beside it ([`super::journal`]): dropped unpublished
//! (cancel, error, the process killed) it keeps its file and journal, and the next writer — in this
//! process or another — fetches only the ranges the journal lacks. A checksum or size mismatch at
//! publishing deletes both. Leftovers of other writers (Python's `<etag>.<8 hex>.incomplete`, and
//! `<etag>.incomplete` of Python up to 1.17) are never resumed from, and they never take ours for
//! theirs (see `RepoCache::incomplete_path`).

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cache::journal::{Journal, Ranges};
use crate::cache::layout::probe_new_file_mode;
use crate::cache::RepoCache;
use crate::error::{Error, Result};

/// An incomplete blob being written (under the blob lock).
#[derive(Debug)]
pub struct IncompleteBlob {
    path: PathBuf,
    journal_path: PathBuf,
    blob: PathBuf,
    file: Option<File>,
    /// Present when the download is resumable.
    journal: Option<Journal>,
    /// A range was recorded in the journal (else there is nothing worth keeping).
    recorded: AtomicBool,
    /// Ranges already present when opened (from the journal).
    resumed: Ranges,
    size: u64,
    etag: String,
    name: String,
    /// Start writeback to stable storage while writing (durable downloads).
    writeback: bool,
    published: bool,
}

impl IncompleteBlob {
    /// Open `blobs/<etag>.part.incomplete` for a blob of `size` bytes. The caller holds the blob lock.
    /// `resumable`: keep a journal of written ranges, and resume from the one found when it
    /// matches (same ETag and size, intact, data file of the right size); otherwise the file is
    /// created (or truncated) and preallocated, and any old journal discarded. `name` is the repo
    /// filename, for messages.
    pub fn open(rc: &RepoCache, etag: &str, size: u64, name: &str, resumable: bool) -> Result<IncompleteBlob> {
        IncompleteBlob::open_at(
            rc.incomplete_path(etag),
            rc.journal_path(etag),
            rc.blob_path(etag),
            etag,
            size,
            name,
            resumable,
        )
    }

    /// [`IncompleteBlob::open`] with explicit paths: the data file `path` (and its `journal_path`
    /// when resumable), published by renaming it onto `blob` (a `local_dir` file uses its own
    /// temporary name and destination). The caller holds the destination's lock.
    pub fn open_at(
        path: PathBuf,
        journal_path: PathBuf,
        blob: PathBuf,
        etag: &str,
        size: u64,
        name: &str,
        resumable: bool,
    ) -> Result<IncompleteBlob> {
        let dir = path.parent().expect("the incomplete file has a parent");
        fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        let mut out = IncompleteBlob {
            path,
            journal_path,
            blob,
            file: None,
            journal: None,
            recorded: AtomicBool::new(false),
            resumed: Ranges::new(),
            size,
            etag: etag.to_string(),
            name: name.to_string(),
            writeback: false,
            published: false,
        };
        if resumable {
            if let Some((journal, ranges)) = Journal::resume(&out.journal_path, etag, size) {
                let data = File::options().read(true).write(true).open(&out.path);
                if let Ok(Some(f)) = data.and_then(|f| Ok((f.metadata()?.len() == size).then_some(f))) {
                    out.file = Some(f);
                    out.journal = Some(journal);
                    out.recorded = AtomicBool::new(ranges.total() > 0);
                    out.resumed = ranges;
                    return Ok(out);
                }
            }
        }
        out.start_over(resumable)?;
        Ok(out)
    }

    /// Create (truncate) and preallocate the data file; a new journal when resumable.
    fn start_over(&mut self, resumable: bool) -> Result<()> {
        let had_journal = self.journal.take().is_some();
        self.resumed = Ranges::new();
        *self.recorded.get_mut() = false;
        // A download that keeps no journal skips the removal (one syscall per small file); a stale
        // journal left beside its data can only lead a later resume to a hash failure, which
        // downloads again from nothing.
        if resumable || had_journal {
            let _ = fs::remove_file(&self.journal_path);
        }
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&self.path)
            .map_err(|e| Error::io(format!("creating {}", self.path.display()), e))?;
        crate::ffi::sys::preallocate(&file, self.size)
            .map_err(|e| Error::io(format!("allocating {} bytes for {}", self.size, self.path.display()), e))?;
        self.file = Some(file);
        if resumable {
            self.journal = Some(
                Journal::create(&self.journal_path, &self.etag, self.size)
                    .map_err(|e| Error::io(format!("creating {}", self.journal_path.display()), e))?,
            );
        }
        Ok(())
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

    /// The open incomplete file (for reading back what was written).
    pub fn file(&self) -> &File {
        self.file.as_ref().expect("open until published")
    }

    /// The blob's size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The ranges already written when this blob was opened (resumed from the journal).
    pub fn resumed(&self) -> &Ranges {
        &self.resumed
    }

    /// Write `data` at `offset` (positional: several writers may fill different ranges).
    pub fn write_at(&self, offset: u64, data: &[u8]) -> Result<()> {
        if offset + data.len() as u64 > self.size {
            return Err(Error::Checksum(format!(
                "{}: the server sent more than the expected {} bytes",
                self.name, self.size
            )));
        }
        write_all_at(self.file(), data, offset).map_err(|e| Error::io(format!("writing {}", self.path.display()), e))
    }

    /// Start writing back `[offset, offset + len)` (durable downloads; a no-op otherwise).
    pub fn start_writeback(&self, offset: u64, len: u64) {
        if self.writeback {
            crate::ffi::sys::start_writeback(self.file(), offset, len);
        }
    }

    /// Record in the journal that `[start, end)` is written (call after writing it; a no-op when
    /// not resumable).
    pub fn record(&self, start: u64, end: u64) -> Result<()> {
        if let Some(j) = &self.journal {
            j.record(start, end).map_err(|e| Error::io(format!("writing {}", self.journal_path.display()), e))?;
            self.recorded.store(true, Ordering::Relaxed);
        }
        Ok(())
    }

    /// Start over from nothing (the server ignored a `Range`): truncate, preallocate, new journal.
    pub fn restart(&mut self) -> Result<()> {
        let resumable = self.journal.is_some();
        self.start_over(resumable)
    }

    /// Check that `written` bytes cover the expected size and, when given, that the SHA-256
    /// computed (`got`) is the one expected; then give the file the mode of a new file in `blobs/`
    /// and rename it onto `blobs/<etag>`. `durable`: fsync the file first and the folder after, so
    /// the blob survives a power loss. A failed check deletes the incomplete file and its journal.
    pub fn publish(mut self, written: u64, sha256: Option<(&str, &str)>, durable: bool) -> Result<PathBuf> {
        if written != self.size {
            let e = format!("consistency check failed: {} should be {} bytes, got {written}", self.name, self.size);
            self.discard();
            return Err(Error::Checksum(e));
        }
        if let Some((expected, got)) = sha256 {
            if !got.eq_ignore_ascii_case(expected) {
                let e = format!("{}: SHA-256 is {got}, expected {expected}", self.name);
                self.discard();
                return Err(Error::Checksum(e));
            }
        }
        let file = self.file.take().expect("open until published");
        if durable {
            file.sync_all().map_err(|e| Error::io("syncing the incomplete blob", e))?;
        }
        drop(file);
        if let Some(mode) = self.blob.parent().and_then(probe_new_file_mode) {
            set_mode(&self.path, mode);
        }
        fs::rename(&self.path, &self.blob)
            .map_err(|e| Error::io(format!("renaming into {}", self.blob.display()), e))?;
        self.published = true;
        if self.journal.take().is_some() {
            let _ = fs::remove_file(&self.journal_path);
        }
        if durable {
            // The rename itself must survive a power loss: sync the folder that records it.
            if let Some(dir) = self.blob.parent() {
                File::open(dir).and_then(|d| d.sync_all()).map_err(|e| Error::io("syncing the blobs folder", e))?;
            }
        }
        Ok(self.blob.clone())
    }

    /// Check that the bytes written hash to `expected`, a git blob SHA-1 (the ETag of a regular
    /// file, which names its blob): a mismatch deletes the incomplete file and its journal and is a
    /// checksum error, like a wrong SHA-256. Reads the file back (regular files are small).
    pub fn verify_git_sha1(&mut self, expected: &str) -> Result<()> {
        let got = crate::hash::file_digest(&self.path, crate::hash::Algo::GitSha1, &mut |_| true)
            .map_err(|e| Error::io("reading back the incomplete blob", e))?
            .unwrap_or_default();
        if got.eq_ignore_ascii_case(expected) {
            return Ok(());
        }
        let e = format!("{}: git blob SHA-1 is {got}, expected {expected}", self.name);
        self.discard();
        Err(Error::Checksum(e))
    }

    /// Delete the incomplete file and its journal (nothing worth resuming).
    pub fn discard(&mut self) {
        self.file.take();
        self.journal = None;
        let _ = fs::remove_file(&self.path);
        let _ = fs::remove_file(&self.journal_path);
        self.published = true; // nothing left to clean up
    }
}

impl Drop for IncompleteBlob {
    /// Unpublished: a resumable blob with recorded ranges keeps its file and journal for the next
    /// writer; anything else is deleted.
    fn drop(&mut self) {
        let keep = self.journal.is_some() && *self.recorded.get_mut();
        if !self.published && !keep {
            self.discard();
        }
    }
}

#[cfg(unix)]
fn write_all_at(f: &File, data: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(f, data, offset)
}

#[cfg(windows)]
fn write_all_at(f: &File, mut data: &[u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !data.is_empty() {
        let n = f.seek_write(data, offset)?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        data = &data[n..];
        offset += n as u64;
    }
    Ok(())
}

/// Read exactly `buf.len()` bytes at `offset`.
#[cfg(unix)]
pub(crate) fn read_exact_at(f: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, offset)
}

/// Read exactly `buf.len()` bytes at `offset`.
#[cfg(windows)]
pub(crate) fn read_exact_at(f: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = f.seek_read(buf, offset)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf = &mut buf[n..];
        offset += n as u64;
    }
    Ok(())
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

    fn rc(dir: &Path) -> RepoCache {
        RepoCache::new(dir, &Repo::new("org/m", RepoType::Model).unwrap())
    }

    #[test]
    fn publish_checks_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let rc = rc(dir.path());
        // Wrong size: nothing published, nothing left.
        let w = IncompleteBlob::open(&rc, ABC, 3, "f", true).unwrap();
        assert_eq!(w.path(), rc.incomplete_path(ABC));
        assert_eq!(fs::metadata(w.path()).unwrap().len(), 3, "preallocated");
        w.write_at(0, b"ab").unwrap();
        w.record(0, 2).unwrap();
        assert!(matches!(w.publish(2, None, false), Err(Error::Checksum(_))));
        assert!(!rc.incomplete_path(ABC).exists() && !rc.journal_path(ABC).exists() && !rc.blob_path(ABC).exists());
        // Past the end: refused.
        let w = IncompleteBlob::open(&rc, ABC, 3, "f", true).unwrap();
        assert!(matches!(w.write_at(1, b"abc"), Err(Error::Checksum(_))));
        // Wrong hash: both files go.
        w.write_at(0, b"abd").unwrap();
        w.record(0, 3).unwrap();
        assert!(matches!(w.publish(3, Some((ABC, "00")), false), Err(Error::Checksum(_))));
        assert!(!rc.blob_path(ABC).exists() && !rc.journal_path(ABC).exists());
        // Right: published under the ETag, journal gone.
        let w = IncompleteBlob::open(&rc, ABC, 3, "f", true).unwrap();
        w.write_at(1, b"bc").unwrap();
        w.write_at(0, b"a").unwrap();
        assert_eq!(w.publish(3, Some((ABC, ABC)), true).unwrap(), rc.blob_path(ABC));
        assert_eq!(fs::read(rc.blob_path(ABC)).unwrap(), b"abc");
        assert!(!rc.incomplete_path(ABC).exists() && !rc.journal_path(ABC).exists());
    }

    #[test]
    fn dropped_blobs_keep_what_can_be_resumed() {
        let dir = tempfile::tempdir().unwrap();
        let rc = rc(dir.path());
        // Not resumable: deleted.
        let w = IncompleteBlob::open(&rc, "e1", 10, "g", false).unwrap();
        w.write_at(0, b"x").unwrap();
        w.record(0, 1).unwrap();
        assert!(!rc.journal_path("e1").exists());
        drop(w);
        assert!(!rc.incomplete_path("e1").exists());
        // Resumable, nothing recorded: deleted.
        let w = IncompleteBlob::open(&rc, "e2", 10, "g", true).unwrap();
        w.write_at(0, b"xyz").unwrap();
        drop(w);
        assert!(!rc.incomplete_path("e2").exists() && !rc.journal_path("e2").exists());
        // Resumable with a recorded range: kept, and resumed by the next writer.
        let w = IncompleteBlob::open(&rc, "e3", 10, "g", true).unwrap();
        w.write_at(4, b"4567").unwrap();
        w.record(4, 8).unwrap();
        w.write_at(0, b"0123").unwrap(); // written, not recorded: lost on purpose
        drop(w);
        assert!(rc.incomplete_path("e3").exists() && rc.journal_path("e3").exists());
        let w = IncompleteBlob::open(&rc, "e3", 10, "g", true).unwrap();
        assert_eq!(w.resumed().as_slice(), &[(4, 8)]);
        drop(w);
        // Another size, or a data file of the wrong length: start over.
        let w = IncompleteBlob::open(&rc, "e3", 11, "g", true).unwrap();
        assert_eq!(w.resumed().total(), 0);
        w.record(0, 1).unwrap();
        drop(w);
        fs::OpenOptions::new().write(true).open(rc.incomplete_path("e3")).unwrap().set_len(5).unwrap();
        let mut w = IncompleteBlob::open(&rc, "e3", 11, "g", true).unwrap();
        assert_eq!(w.resumed().total(), 0);
        assert_eq!(fs::metadata(w.path()).unwrap().len(), 11);
        w.record(0, 1).unwrap();
        w.restart().unwrap();
        drop(w);
        assert!(!rc.incomplete_path("e3").exists(), "restarted, nothing recorded since");
    }
}
