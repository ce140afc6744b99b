//! Paths and small writes of the cache layout (hub-protocol.md §2): `blobs/`, `snapshots/`, `refs/`,
//! `.no_exist/`, `.locks/`, `CACHEDIR.TAG`, pointers as relative symlinks.

use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

use crate::repo::{is_commit_hash, Repo};

/// Exact content of `CACHEDIR.TAG` (§2.11).
pub const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by huggingface_hub.\n\
# For information about cache directory tags, see:\n\
#\thttps://bford.info/cachedir/\n";

/// What the cache knows about a file without asking the network (§3.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheLookup {
    /// The file is cached here.
    Found(PathBuf),
    /// A `.no_exist` marker says the file does not exist at that commit.
    KnownMissing,
    /// The cache cannot tell.
    Unknown,
}

/// The cache folder of one repository.
#[derive(Debug, Clone)]
pub struct RepoCache {
    cache_dir: PathBuf,
    folder: String,
    repo_dir: PathBuf,
}

impl RepoCache {
    /// `cache_dir/<type>s--org--name`.
    pub fn new(cache_dir: &Path, repo: &Repo) -> RepoCache {
        let folder = repo.folder_name();
        RepoCache { cache_dir: cache_dir.to_path_buf(), repo_dir: cache_dir.join(&folder), folder }
    }

    /// The hub cache root.
    pub fn cache_dir(&self) -> &Path {
        &self.cache_dir
    }

    /// The repository folder.
    pub fn repo_dir(&self) -> &Path {
        &self.repo_dir
    }

    /// `blobs/<etag>`.
    pub fn blob_path(&self, etag: &str) -> PathBuf {
        self.repo_dir.join("blobs").join(etag)
    }

    /// `blobs/<etag>.part.incomplete`: the one name of a blob being written (under its lock).
    /// Not `<etag>.incomplete`: Python clients up to 1.17 resume that file by appending to it, taking
    /// its size for the bytes present; ours is preallocated and filled in any order, and must never
    /// be mistaken for a prefix of the blob.
    pub fn incomplete_path(&self, etag: &str) -> PathBuf {
        self.repo_dir.join("blobs").join(format!("{etag}.part.incomplete"))
    }

    /// `blobs/<etag>.journal.incomplete`: the resume journal of the incomplete blob (its name ends
    /// in `.incomplete` so that every scan and prune treats it like the data it describes).
    pub fn journal_path(&self, etag: &str) -> PathBuf {
        self.repo_dir.join("blobs").join(format!("{etag}.journal.incomplete"))
    }

    /// Remove our incomplete blob of `etag` and its journal, if any (the caller holds the blob
    /// lock and the blob is complete: nothing is left to resume).
    pub fn remove_incomplete(&self, etag: &str) {
        for p in [self.incomplete_path(etag), self.journal_path(etag)] {
            let _ = fs::remove_file(p);
        }
    }

    /// `snapshots/<commit>/<filename>` (filename already validated).
    pub fn pointer_path(&self, commit: &str, filename: &str) -> PathBuf {
        join_repo_path(&self.repo_dir.join("snapshots").join(commit), filename)
    }

    /// `refs/<revision>` (revision already validated).
    pub fn ref_path(&self, revision: &str) -> PathBuf {
        join_repo_path(&self.repo_dir.join("refs"), revision)
    }

    /// `.no_exist/<commit>/<filename>`.
    pub fn no_exist_path(&self, commit: &str, filename: &str) -> PathBuf {
        join_repo_path(&self.repo_dir.join(".no_exist").join(commit), filename)
    }

    /// `.locks/<repo folder>/<etag>.lock` under the cache root.
    pub fn lock_path(&self, etag: &str) -> PathBuf {
        blob_lock_path(&self.cache_dir, &self.folder, etag)
    }

    /// The commit a revision points to: the revision itself for a 40-hex commit, else `refs/<rev>`
    /// (surrounding whitespace ignored).
    pub fn resolve_commit(&self, revision: &str) -> Option<String> {
        if is_commit_hash(revision) {
            return Some(revision.to_string());
        }
        let text = fs::read_to_string(self.ref_path(revision)).ok()?;
        let t = text.trim();
        (!t.is_empty()).then(|| t.to_string())
    }

    /// Write `refs/<revision>` = commit, with no newline, atomically (temp + rename), and only when
    /// the content changes.
    pub fn write_ref(&self, revision: &str, commit: &str) -> io::Result<()> {
        let path = self.ref_path(revision);
        if fs::read(&path).ok().as_deref() == Some(commit.as_bytes()) {
            return Ok(());
        }
        let parent = path.parent().expect("ref path has a parent");
        fs::create_dir_all(parent)?;
        let name = path.file_name().expect("ref path has a name").to_string_lossy().into_owned();
        let tmp = parent.join(format!("{name}.{}.tmp", random_hex8()));
        let res = fs::write(&tmp, commit.as_bytes()).and_then(|_| fs::rename(&tmp, &path));
        if res.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        res
    }

    /// Create the empty marker `.no_exist/<commit>/<filename>`.
    pub fn write_no_exist(&self, commit: &str, filename: &str) -> io::Result<()> {
        let p = self.no_exist_path(commit, filename);
        fs::create_dir_all(p.parent().expect("marker has a parent"))?;
        fs::OpenOptions::new().create(true).append(true).open(&p).map(|_| ())
    }

    /// `try_to_load_from_cache` (§3.5).
    pub fn lookup(&self, revision: &str, filename: &str) -> CacheLookup {
        if !self.repo_dir.is_dir() {
            return CacheLookup::Unknown;
        }
        let commit = self.resolve_commit(revision).unwrap_or_else(|| revision.to_string());
        if self.no_exist_path(&commit, filename).is_file() {
            return CacheLookup::KnownMissing;
        }
        let pointer = self.pointer_path(&commit, filename);
        if pointer.is_file() {
            CacheLookup::Found(pointer)
        } else {
            CacheLookup::Unknown
        }
    }
}

/// `.locks/<repo folder>/<etag>.lock` under the cache root: the lock downloads of that blob hold.
pub fn blob_lock_path(cache_dir: &Path, repo_folder: &str, etag: &str) -> PathBuf {
    cache_dir.join(".locks").join(repo_folder).join(format!("{etag}.lock"))
}

/// Join a `/`-separated repo path under `base`, segment by segment.
fn join_repo_path(base: &Path, rel: &str) -> PathBuf {
    let mut p = base.to_path_buf();
    for seg in rel.split('/') {
        p.push(seg);
    }
    p
}

/// Create `CACHEDIR.TAG` in `dir` if missing; errors are ignored (§2.11).
pub fn ensure_cachedir_tag(dir: &Path) {
    let tag = dir.join("CACHEDIR.TAG");
    if tag.exists() {
        return;
    }
    let _ = fs::create_dir_all(dir);
    if let Ok(mut f) = fs::OpenOptions::new().write(true).create_new(true).open(&tag) {
        let _ = f.write_all(CACHEDIR_TAG.as_bytes());
    }
}

/// Eight random lowercase hex digits (unique temp-file suffixes).
pub fn random_hex8() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(d.as_nanos());
    }
    format!("{:08x}", h.finish() as u32)
}

/// The mode a new file gets in `dir` (`0666 & ~umask`), probed like Python by creating a file.
pub fn probe_new_file_mode(dir: &Path) -> Option<u32> {
    // Probed once per folder and process (a probe is a file created and deleted: on some file
    // systems that costs more than the download of a small file). The umask is process-wide and a
    // folder's default ACL does not change under a running download.
    // A Vec (a few folders; a HashMap's interior table pointer reads as a possible leak to
    // valgrind, a Vec's does not).
    static SEEN: std::sync::Mutex<Vec<(PathBuf, u32)>> = std::sync::Mutex::new(Vec::new());
    if let Some((_, m)) = SEEN.lock().unwrap_or_else(|p| p.into_inner()).iter().find(|(d, _)| d == dir) {
        return Some(*m);
    }
    let mode = probe_mode_uncached(dir)?;
    SEEN.lock().unwrap_or_else(|p| p.into_inner()).push((dir.to_path_buf(), mode));
    Some(mode)
}

fn probe_mode_uncached(dir: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let probe = dir.join(format!("tmp_{}", random_hex8()));
        let f = fs::OpenOptions::new().write(true).create_new(true).open(&probe).ok()?;
        let mode = f.metadata().ok().map(|m| m.permissions().mode() & 0o777);
        drop(f);
        let _ = fs::remove_file(&probe);
        mode
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// The relative path from the folder of `from` to `to`; both must be under a common ancestor.
pub fn relative_path(from_dir: &Path, to: &Path) -> PathBuf {
    let a: Vec<Component> = from_dir.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut rel = PathBuf::new();
    for _ in common..a.len() {
        rel.push("..");
    }
    for c in &b[common..] {
        rel.push(c.as_os_str());
    }
    rel
}

/// Make `pointer` refer to `blob` (§2.5): a relative symlink; when symlinks are disabled or
/// unsupported, move a blob that was just downloaded (`new_blob`) or copy an existing one.
///
/// A published pointer is never removed, not even for a moment, since other callers may hold its
/// path: one that already points at `blob` is left alone; one that must change is replaced
/// atomically (the new link is made under a temporary name, then renamed over the old one).
pub fn create_pointer(blob: &Path, pointer: &Path, new_blob: bool, disable_symlinks: bool) -> io::Result<()> {
    let parent = pointer.parent().expect("pointer has a parent");
    fs::create_dir_all(parent)?;
    let name = pointer.file_name().expect("pointer has a name").to_string_lossy().into_owned();
    let tmp = parent.join(format!(".{name}.{}.tmp", random_hex8()));
    if !disable_symlinks {
        let target = relative_path(parent, blob);
        if points_at(pointer, &target, blob) {
            return Ok(());
        }
        // No pointer yet (the usual case): symlink(2) creates it atomically at its final name.
        // One that exists (pointing elsewhere) is replaced atomically below, never removed first.
        match make_symlink(&target, pointer) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied || e.kind() == io::ErrorKind::Unsupported => {}
            Err(e) if matches!(e.raw_os_error(), Some(libc::EPERM) | Some(libc::EOPNOTSUPP)) => {}
            Err(e) => return Err(e),
        }
        match make_symlink(&target, &tmp) {
            Ok(()) => {
                return fs::rename(&tmp, pointer).inspect_err(|_| {
                    let _ = fs::remove_file(&tmp);
                })
            }
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied || e.kind() == io::ErrorKind::Unsupported => {}
            Err(e) if matches!(e.raw_os_error(), Some(libc::EPERM) | Some(libc::EOPNOTSUPP)) => {}
            Err(e) => return Err(e),
        }
    }
    if new_blob {
        // rename(2) replaces an existing pointer atomically.
        fs::rename(blob, pointer)
    } else {
        let res = fs::copy(blob, &tmp).and_then(|_| fs::rename(&tmp, pointer));
        if res.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        res
    }
}

/// Whether `pointer` is a symlink to `target` already (or resolves to the same file as `blob`).
fn points_at(pointer: &Path, target: &Path, blob: &Path) -> bool {
    match fs::read_link(pointer) {
        Ok(t) if t == target => true,
        Ok(_) => matches!((fs::canonicalize(pointer), fs::canonicalize(blob)), (Ok(a), Ok(b)) if a == b),
        Err(_) => false,
    }
}

#[cfg(unix)]
fn make_symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn make_symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::windows::fs::symlink_file(target, link)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repo::RepoType;

    #[test]
    fn paths() {
        let rc = RepoCache::new(Path::new("/c"), &Repo::new("org/m", RepoType::Model).unwrap());
        assert_eq!(rc.ref_path("refs/pr/1"), PathBuf::from("/c/models--org--m/refs/refs/pr/1"));
        assert_eq!(rc.pointer_path("abc", "sub/x.bin"), PathBuf::from("/c/models--org--m/snapshots/abc/sub/x.bin"));
        assert_eq!(rc.lock_path("e"), PathBuf::from("/c/.locks/models--org--m/e.lock"));
        assert_eq!(rc.no_exist_path("abc", "m.txt"), PathBuf::from("/c/models--org--m/.no_exist/abc/m.txt"));
    }

    #[test]
    fn relative_links() {
        let r = relative_path(Path::new("/c/m/snapshots/abc/sub"), Path::new("/c/m/blobs/e"));
        assert_eq!(r, PathBuf::from("../../../blobs/e"));
        let r = relative_path(Path::new("/c/m/snapshots/abc"), Path::new("/c/m/blobs/e"));
        assert_eq!(r, PathBuf::from("../../blobs/e"));
    }

    #[test]
    fn refs_lookup_pointers() {
        let dir = tempfile::tempdir().unwrap();
        let rc = RepoCache::new(dir.path(), &Repo::new("org/m", RepoType::Model).unwrap());
        let commit = "c909c5a94a0a3f7a775c18c29743a7bca90cdbff";
        assert_eq!(rc.lookup("main", "a.txt"), CacheLookup::Unknown);
        rc.write_ref("refs/pr/1", commit).unwrap();
        assert_eq!(fs::read(rc.ref_path("refs/pr/1")).unwrap(), commit.as_bytes());
        assert_eq!(rc.resolve_commit("refs/pr/1").as_deref(), Some(commit));
        fs::write(rc.ref_path("main"), format!("{commit}\n")).unwrap();
        assert_eq!(rc.resolve_commit("main").as_deref(), Some(commit), "whitespace tolerated on read");
        rc.write_no_exist(commit, "gone.txt").unwrap();
        assert_eq!(rc.lookup("main", "gone.txt"), CacheLookup::KnownMissing);
        let blob = rc.blob_path("e");
        fs::create_dir_all(blob.parent().unwrap()).unwrap();
        fs::write(&blob, b"hi").unwrap();
        let ptr = rc.pointer_path(commit, "sub/a.txt");
        create_pointer(&blob, &ptr, false, false).unwrap();
        assert_eq!(fs::read_link(&ptr).unwrap(), PathBuf::from("../../../blobs/e"));
        assert_eq!(rc.lookup("main", "sub/a.txt"), CacheLookup::Found(ptr.clone()));
        assert_eq!(rc.lookup(commit, "sub/a.txt"), CacheLookup::Found(ptr.clone()));
        // Idempotent re-creation over an existing pointer leaves it untouched (same inode).
        let ino = |p: &Path| std::os::unix::fs::MetadataExt::ino(&fs::symlink_metadata(p).unwrap());
        let before = ino(&ptr);
        create_pointer(&blob, &ptr, false, false).unwrap();
        assert_eq!(ino(&ptr), before, "a right pointer is left alone");
        // A pointer to another blob is replaced atomically (no stray temp links left).
        let blob2 = rc.blob_path("f");
        fs::write(&blob2, b"new").unwrap();
        create_pointer(&blob2, &ptr, false, false).unwrap();
        assert_eq!(fs::read(&ptr).unwrap(), b"new");
        let leftovers: Vec<_> = fs::read_dir(ptr.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
        create_pointer(&blob, &ptr, false, false).unwrap();
        // Symlinks disabled: existing blob is copied, a new one moved.
        let p2 = rc.pointer_path(commit, "copy.txt");
        create_pointer(&blob, &p2, false, true).unwrap();
        assert!(!fs::symlink_metadata(&p2).unwrap().file_type().is_symlink());
        assert!(blob.exists());
        let p3 = rc.pointer_path(commit, "moved.txt");
        create_pointer(&blob, &p3, true, true).unwrap();
        assert!(!blob.exists());
        assert_eq!(fs::read(&p3).unwrap(), b"hi");
    }

    #[test]
    fn cachedir_tag_exact() {
        let dir = tempfile::tempdir().unwrap();
        ensure_cachedir_tag(dir.path());
        let text = fs::read_to_string(dir.path().join("CACHEDIR.TAG")).unwrap();
        assert_eq!(text.len(), 191, "same size as the file Python writes");
        assert!(text.ends_with("#\thttps://bford.info/cachedir/\n"));
    }

    #[test]
    fn random_suffixes_differ() {
        let a = random_hex8();
        assert_eq!(a.len(), 8);
        assert_ne!(a, random_hex8());
    }
}
