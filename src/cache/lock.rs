//! Advisory locks on the same files, with the same primitive, as the Python client (`filelock`):
//! `flock(LOCK_EX)` on Unix, polled so that a wait can be cancelled. Lock files are created with mode
//! 0664 and left in place on release (hub-protocol.md §2.8). Where `flock` is unsupported the lock
//! degrades to a "soft" lock: an `O_EXCL` file deleted on release.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};

const POLL: Duration = Duration::from_millis(20);

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
    e.kind() == io::ErrorKind::Unsupported || matches!(e.raw_os_error(), Some(38) | Some(95))
    // ENOSYS, EOPNOTSUPP
}

impl FileLock {
    /// Take the lock at `path`, waiting as long as needed; `cancelled` is polled while waiting.
    pub fn acquire(path: &Path, cancelled: &dyn Fn() -> bool) -> Result<FileLock> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
        }
        let file = open_lock_file(path).map_err(|e| Error::io(format!("opening lock {}", path.display()), e))?;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(FileLock { file: Some(file), soft_path: None }),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) if is_unsupported(&e) => return Self::acquire_soft(path, cancelled),
                Err(TryLockError::Error(e)) => {
                    return Err(Error::io(format!("locking {}", path.display()), e));
                }
            }
            if cancelled() {
                return Err(Error::Cancelled);
            }
            std::thread::sleep(POLL);
        }
    }

    fn acquire_soft(path: &Path, cancelled: &dyn Fn() -> bool) -> Result<FileLock> {
        let soft = path.with_extension("lock.soft");
        loop {
            match OpenOptions::new().write(true).create_new(true).open(&soft) {
                Ok(_) => return Ok(FileLock { file: None, soft_path: Some(soft) }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::io(format!("creating soft lock {}", soft.display()), e)),
            }
            if cancelled() {
                return Err(Error::Cancelled);
            }
            std::thread::sleep(POLL);
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
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    #[test]
    fn excludes_and_is_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".locks/models--a--b/etag.lock");
        let held = FileLock::acquire(&path, &|| false).unwrap();
        // A second open file description cannot take it (flock semantics, even in one process).
        let other = File::options().read(true).write(true).open(&path).unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        // A waiter can be cancelled.
        let flag = Arc::new(AtomicBool::new(false));
        let f2 = flag.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(60));
            f2.store(true, Ordering::SeqCst);
        });
        let p2 = path.clone();
        assert!(matches!(FileLock::acquire(&p2, &|| flag.load(Ordering::SeqCst)), Err(Error::Cancelled)));
        t.join().unwrap();
        drop(held);
        assert!(other.try_lock().is_ok());
        assert!(path.exists(), "lock files stay in place like Python's");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o664);
        }
    }
}
