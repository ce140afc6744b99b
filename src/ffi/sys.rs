//! The few OS calls of the core that need `unsafe` (kept here, the crate's one unsafe module).

/// Home folder of `user` from the system's user database (`getpwnam_r`: files, LDAP, NSS...).
#[cfg(unix)]
pub(crate) fn user_home(user: &str) -> Option<String> {
    use std::ffi::{CStr, CString};
    let name = CString::new(user).ok()?;
    let mut buf = vec![0 as libc::c_char; 4096];
    loop {
        // SAFETY: all-zero is a valid `passwd` (integers and null pointers).
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: valid NUL-terminated name, a writable passwd, a buffer of `buf.len()` bytes, and
        // an out-pointer; getpwnam_r writes only into these.
        let rc = unsafe { libc::getpwnam_r(name.as_ptr(), &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result) };
        if rc == libc::ERANGE && buf.len() < (1 << 20) {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || result.is_null() || pwd.pw_dir.is_null() {
            return None;
        }
        // SAFETY: on success pw_dir points to a NUL-terminated string inside `buf`.
        return Some(unsafe { CStr::from_ptr(pwd.pw_dir) }.to_string_lossy().into_owned());
    }
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn root_home() {
        assert_eq!(super::user_home("root").as_deref(), Some("/root"));
        assert_eq!(super::user_home("no-such-user-hf-hub"), None);
        assert_eq!(super::user_home("bad\0name"), None);
    }
}

/// Start writing back `len` bytes of `file` from `offset` to stable storage without waiting
/// (`sync_file_range(SYNC_FILE_RANGE_WRITE)` on Linux; nothing elsewhere), so that a final fsync
/// has little left to do.
pub(crate) fn start_writeback(file: &std::fs::File, offset: u64, len: u64) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: a valid open descriptor; the call only schedules I/O on it.
        unsafe {
            libc::sync_file_range(file.as_raw_fd(), offset as i64, len as i64, libc::SYNC_FILE_RANGE_WRITE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (file, offset, len);
    }
}

/// Reserve `len` bytes for `file` (whose size becomes `len`): `fallocate` on Linux, so that the
/// positional writes of a ranged download land in allocated space (no fragmentation, no ENOSPC
/// half-way); where the file system cannot (or elsewhere), a sparse `set_len`.
pub(crate) fn preallocate(file: &std::fs::File, len: u64) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        if len > 0 && i64::try_from(len).is_ok() {
            // SAFETY: a valid open descriptor; mode 0 only allocates blocks and extends the size.
            let rc = unsafe { libc::fallocate(file.as_raw_fd(), 0, 0, len as i64) };
            if rc == 0 {
                return Ok(());
            }
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() == Some(libc::ENOSPC) {
                return Err(e);
            }
        }
    }
    file.set_len(len)
}
