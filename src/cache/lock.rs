//! Advisory locks on the same files, with the same primitive, as the Python client (`filelock`):
//! `flock(LOCK_EX)` on Unix. A contended lock is waited for by a blocking `flock` on the runtime's
//! blocking pool, so the waiting call stays cancellable: dropping the wait abandons it, and the
//! helper releases the lock as soon as it gets it. Lock files are created with mode 0664 and left
//! in place on release (hub-protocol.md §2.8). Where `flock` is unsupported the lock degrades to a
//! "soft" lock: an `O_EXCL` file deleted on release, retried every 20 ms.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};

/// Retry interval of the soft-lock fallback (filesystems without `flock`).
const SOFT_RETRY: Duration = Duration::from_millis(20);

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct FileLock {
    file: Option<File>,
    soft_path: Option<PathBuf>,
}

fn open_lock_file(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o664);
    }
    let file = opts.open(path)?;
    // Like Python's filelock: fchmod to exactly 0664 (umask notwithstanding), ignoring refusals
    // (a lock file owned by another user).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = file.set_permissions(std::fs::Permissions::from_mode(0o664));
    }
    Ok(file)
}

fn is_unsupported(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Unsupported || matches!(e.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP))
}

impl FileLock {
    /// Take the lock at `path`, waiting as long as needed. Cancel by dropping the future.
    pub async fn acquire(path: &Path) -> Result<FileLock> {
        // Creating the lock file is a file-system step that can be slow: on the blocking pool.
        let p = path.to_path_buf();
        let first = tokio::task::spawn_blocking(move || -> Result<(std::fs::File, Option<TryLockError>)> {
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
            }
            let file = open_lock_file(&p).map_err(|e| Error::io(format!("opening lock {}", p.display()), e))?;
            let got = file.try_lock().err();
            Ok((file, got))
        })
        .await
        .map_err(|e| Error::Internal(format!("lock worker: {e}")))??;
        let file = match first {
            (file, None) => return Ok(FileLock { file: Some(file), soft_path: None }),
            (file, Some(TryLockError::WouldBlock)) => file,
            (_, Some(TryLockError::Error(e))) if is_unsupported(&e) => return Self::acquire_soft(path).await,
            (_, Some(TryLockError::Error(e))) => return Err(Error::io(format!("locking {}", path.display()), e)),
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::task::spawn_blocking(move || {
            let got = file.lock().map(|()| file);
            // When the waiter is gone, the file is dropped here, which releases the lock.
            let _ = tx.send(got);
        });
        match rx.await {
            Ok(Ok(file)) => Ok(FileLock { file: Some(file), soft_path: None }),
            Ok(Err(e)) => Err(Error::io(format!("locking {}", path.display()), e)),
            Err(_) => Err(Error::Internal("the lock waiter stopped".into())),
        }
    }

    /// Take the lock at `path` if nobody holds it; `None` when another process (or call) does.
    /// Used by cache maintenance, which skips what a download is busy with instead of waiting.
    pub fn try_acquire(path: &Path) -> Result<Option<FileLock>> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
        }
        let file = open_lock_file(path).map_err(|e| Error::io(format!("opening lock {}", path.display()), e))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(FileLock { file: Some(file), soft_path: None })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) if is_unsupported(&e) => {
                let soft = path.with_extension("lock.soft");
                match OpenOptions::new().write(true).create_new(true).open(&soft) {
                    Ok(_) => Ok(Some(FileLock { file: None, soft_path: Some(soft) })),
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(None),
                    Err(e) => Err(Error::io(format!("creating soft lock {}", soft.display()), e)),
                }
            }
            Err(TryLockError::Error(e)) => Err(Error::io(format!("locking {}", path.display()), e)),
        }
    }

    async fn acquire_soft(path: &Path) -> Result<FileLock> {
        let soft = path.with_extension("lock.soft");
        loop {
            match OpenOptions::new().write(true).create_new(true).open(&soft) {
                Ok(_) => return Ok(FileLock { file: None, soft_path: Some(soft) }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::io(format!("creating soft lock {}", soft.display()), e)),
            }
            tokio::time::sleep(SOFT_RETRY).await;
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        if let Some(f) = self.file.take() {
            let _ = f.unlock();
        }
        if let Some(p) = self.soft_path.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap()
    }

    #[test]
    fn excludes_waits_is_cancellable_and_left_behind() {
        let rt = rt();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".locks/models--a--b/etag.lock");
        let held = rt.block_on(FileLock::acquire(&path)).unwrap();
        // A second open file description cannot take it (flock semantics, even in one process).
        let other = File::options().read(true).write(true).open(&path).unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        // A waiter is abandoned promptly when its future is dropped (a cancel).
        let t0 = Instant::now();
        let waited =
            rt.block_on(async { tokio::time::timeout(Duration::from_millis(60), FileLock::acquire(&path)).await });
        assert!(waited.is_err(), "still locked");
        assert!(t0.elapsed() < Duration::from_millis(500));
        // A waiter gets the lock as soon as it is released, without polling delays.
        let p2 = path.clone();
        let waiter = rt.spawn(async move { FileLock::acquire(&p2).await.map(|_| Instant::now()) });
        std::thread::sleep(Duration::from_millis(100));
        let released = Instant::now();
        drop(held);
        let got = rt.block_on(waiter).unwrap().unwrap();
        assert!(got.duration_since(released) < Duration::from_millis(200));
        // The abandoned waiter released what it got: the lock is free again.
        std::thread::sleep(Duration::from_millis(50));
        assert!(other.try_lock().is_ok());
        assert!(path.exists(), "lock files stay in place like Python's");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o664);
        }
    }
}
