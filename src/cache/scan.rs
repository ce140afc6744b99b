//! Scanning the cache (hub-protocol.md §8.1), with the same rules as the official client's
//! `scan_cache_dir`: a problem with a repo is a warning and leaves that repo out, never a failure.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::repo::RepoType;

/// Entries of the cache root that are not repos.
const SKIPPED_ROOT: [&str; 5] = [".locks", "CACHEDIR.TAG", ".DS_Store", "Thumbs.db", "desktop.ini"];
/// OS helper files: skipped by the scan, removed with an emptied repo folder.
pub(crate) const OS_FILES: [&str; 3] = [".DS_Store", "Thumbs.db", "desktop.ini"];

/// One file of a cached revision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CachedFile {
    /// Path inside the repo (`/`-separated), relative to the snapshot folder.
    pub path: String,
    /// The pointer in the snapshot folder.
    pub file_path: PathBuf,
    /// The blob it resolves to (symlinks followed).
    pub blob_path: PathBuf,
    /// Size of the blob in bytes.
    pub size_on_disk: u64,
    /// Last access of the blob (seconds since the epoch).
    pub blob_last_accessed: f64,
    /// Last modification of the blob (seconds since the epoch).
    pub blob_last_modified: f64,
}

/// One revision (snapshot folder) of a cached repo.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CachedRevision {
    /// The commit (the snapshot folder's name).
    pub commit_hash: String,
    /// The snapshot folder.
    pub snapshot_path: PathBuf,
    /// Bytes of the distinct blobs its files resolve to.
    pub size_on_disk: u64,
    /// Its files, sorted by path.
    pub files: Vec<CachedFile>,
    /// Names of the refs pointing at it, sorted (empty: detached).
    pub refs: Vec<String>,
    /// Newest blob modification, else the folder's (seconds since the epoch).
    pub last_modified: f64,
    /// Newest blob access, else the folder's (seconds since the epoch): the LRU key of eviction.
    pub last_accessed: f64,
}

/// One cached repo.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CachedRepo {
    /// Repository type.
    pub repo_type: RepoType,
    /// `org/name`.
    pub repo_id: String,
    /// `<cache>/<type>s--org--name`.
    pub repo_path: PathBuf,
    /// Bytes of its distinct blobs (each counted once).
    pub size_on_disk: u64,
    /// Number of distinct blobs.
    pub nb_files: u64,
    /// Newest blob access, else the folder's (seconds since the epoch).
    pub last_accessed: f64,
    /// Newest blob modification, else the folder's (seconds since the epoch).
    pub last_modified: f64,
    /// Ref name → commit (the raw content of `refs/<name>`).
    pub refs: BTreeMap<String, String>,
    /// Its revisions, sorted by commit.
    pub revisions: Vec<CachedRevision>,
}

impl CachedRepo {
    /// The repo folder's name (`models--org--name`): where its locks live under `.locks/`.
    pub fn folder_name(&self) -> String {
        self.repo_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    }
}

/// Suffix of llama.cpp's temporary download files (hub-protocol.md §1.18): `blobs/<oid>` +
/// this while it downloads, or `snapshots/<commit>/<path>` + this when it writes into the snapshot.
pub(crate) const LLAMA_CPP_TEMP: &str = ".downloadInProgress";

/// Whether a file name is a download in progress (ours or another writer's), never a cached file.
pub(crate) fn is_temp_download(name: &str) -> bool {
    name.ends_with(".incomplete") || name.ends_with(LLAMA_CPP_TEMP)
}

/// A file being (or left over from being) downloaded: `*/blobs/*.incomplete` (the Python client,
/// us), `*/blobs/*.downloadInProgress` and `*/snapshots/*/**/*.downloadInProgress` (llama.cpp).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncompleteFile {
    /// The file.
    pub path: PathBuf,
    /// The repo folder it belongs to (`models--org--name`).
    pub repo_folder: String,
    /// Its size in bytes.
    pub size: u64,
}

/// What the cache holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CacheInfo {
    /// The hub cache folder scanned.
    pub cache_dir: PathBuf,
    /// Bytes of all repos.
    pub size_on_disk: u64,
    /// Repos, sorted by type then id.
    pub repos: Vec<CachedRepo>,
    /// Incomplete downloads, sorted by path.
    pub incomplete: Vec<IncompleteFile>,
    /// Why some entries were left out (corrupted repos), one message each.
    pub warnings: Vec<String>,
}

impl Serialize for RepoType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

fn secs(t: std::io::Result<std::time::SystemTime>) -> f64 {
    t.ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0.0, |d| d.as_secs_f64())
}

#[derive(Clone, Copy)]
struct BlobStat {
    size: u64,
    atime: f64,
    mtime: f64,
}

/// Scan `cache_dir` (§8.1).
pub fn scan(cache_dir: &Path) -> Result<CacheInfo> {
    let md = fs::metadata(cache_dir).map_err(|e| Error::io(format!("cache folder {}", cache_dir.display()), e))?;
    // Resolved once, like Python's `resolve()`: pointers are then resolved lexically below it, one
    // readlink each, and each distinct blob costs one stat.
    let resolved =
        fs::canonicalize(cache_dir).map_err(|e| Error::io(format!("resolving {}", cache_dir.display()), e))?;
    let cache_dir = resolved.as_path();
    if !md.is_dir() {
        return Err(Error::InvalidArgument(format!("{} is not a folder", cache_dir.display())));
    }
    let mut repos = Vec::new();
    let mut warnings = Vec::new();
    let mut incomplete = Vec::new();
    let entries = fs::read_dir(cache_dir).map_err(|e| Error::io(format!("reading {}", cache_dir.display()), e))?;
    let todo: Vec<(String, PathBuf)> = entries
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(name, _)| !SKIPPED_ROOT.contains(&name.as_str()))
        .collect();
    // Repos are independent: scan them on a few threads (the work is system calls on the page
    // cache, which the kernel serves in parallel).
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8).min(todo.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    type One = (Vec<IncompleteFile>, std::result::Result<CachedRepo, String>);
    let results: Vec<Vec<One>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((name, path)) = todo.get(i) else { break };
                        let mut inc = incomplete_files(path, name);
                        let repo = scan_repo(path, name, &mut inc);
                        mine.push((inc, repo));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    for (inc, res) in results.into_iter().flatten() {
        incomplete.extend(inc);
        match res {
            Ok(r) => repos.push(r),
            Err(msg) => warnings.push(msg),
        }
    }
    repos.sort_by(|a, b| (a.repo_type.as_str(), &a.repo_id).cmp(&(b.repo_type.as_str(), &b.repo_id)));
    incomplete.sort_by(|a, b| a.path.cmp(&b.path));
    warnings.sort();
    let size_on_disk = repos.iter().map(|r| r.size_on_disk).sum();
    Ok(CacheInfo { cache_dir: cache_dir.to_path_buf(), size_on_disk, repos, incomplete, warnings })
}

fn incomplete_files(repo_path: &Path, folder: &str) -> Vec<IncompleteFile> {
    let Ok(rd) = fs::read_dir(repo_path.join("blobs")) else { return Vec::new() };
    rd.flatten()
        .filter(|e| is_temp_download(&e.file_name().to_string_lossy()))
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            m.is_file().then(|| IncompleteFile { path: e.path(), repo_folder: folder.to_string(), size: m.len() })
        })
        .collect()
}

/// The files of `blobs/` by inode number, from the directory listing alone (no stat).
struct BlobIndex {
    #[cfg(unix)]
    dev: Option<u64>,
    #[cfg(unix)]
    by_ino: HashMap<u64, PathBuf>,
}

impl BlobIndex {
    #[cfg(unix)]
    fn new(dir: &Path) -> BlobIndex {
        use std::os::unix::fs::{DirEntryExt, MetadataExt};
        let dev = fs::metadata(dir).ok().map(|m| m.dev());
        let by_ino = match fs::read_dir(dir) {
            Ok(rd) => rd.flatten().map(|e| (e.ino(), e.path())).collect(),
            Err(_) => HashMap::new(),
        };
        BlobIndex { dev, by_ino }
    }

    #[cfg(not(unix))]
    fn new(_dir: &Path) -> BlobIndex {
        BlobIndex {}
    }

    /// The blob whose inode `md` (a stat through a pointer) describes.
    #[cfg(unix)]
    fn lookup(&self, md: &fs::Metadata) -> Option<&PathBuf> {
        use std::os::unix::fs::MetadataExt;
        if self.dev != Some(md.dev()) {
            return None;
        }
        self.by_ino.get(&md.ino())
    }

    #[cfg(not(unix))]
    fn lookup(&self, _md: &fs::Metadata) -> Option<&PathBuf> {
        None
    }
}

/// Where a snapshot pointer leads: a relative symlink is resolved lexically against its folder
/// (the cache writes `../../blobs/<etag>`); anything else (absolute or chained links, copies) is
/// resolved by the file system. `None` when it leads nowhere.
fn resolve_pointer(p: &Path) -> Option<PathBuf> {
    match fs::read_link(p) {
        Ok(target) if target.is_relative() => {
            let mut out = p.parent()?.to_path_buf();
            for c in target.components() {
                match c {
                    std::path::Component::ParentDir => {
                        out.pop();
                    }
                    std::path::Component::CurDir => {}
                    other => out.push(other.as_os_str()),
                }
            }
            // (A chained link, whose target is itself a link, keeps the first target as its
            // blob path; the cache never writes one.)
            Some(out)
        }
        Ok(_) => fs::canonicalize(p).ok(),
        // Not a link: a copy (symlinks disabled) is its own blob.
        Err(_) => fs::metadata(p).ok().map(|_| p.to_path_buf()),
    }
}

/// Every non-folder entry below `dir`, as paths relative to it (`/`-separated), sorted.
pub(super) fn walk_files(dir: &Path, rel: &str, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel_name = if rel.is_empty() { name } else { format!("{rel}/{name}") };
        let p = e.path();
        // The entry's type comes with the directory listing (no stat). A symlink counts as a file:
        // snapshot pointers link to blobs, never to folders.
        let is_dir = match e.file_type() {
            Ok(t) if t.is_symlink() => false,
            Ok(t) => t.is_dir(),
            Err(_) => p.is_dir(),
        };
        if is_dir {
            walk_files(&p, &rel_name, out)?;
        } else {
            out.push((rel_name, p));
        }
    }
    Ok(())
}

/// Scan one repo folder; llama.cpp temp files found in its snapshots go to `incomplete`.
fn scan_repo(
    repo_path: &Path,
    name: &str,
    incomplete: &mut Vec<IncompleteFile>,
) -> std::result::Result<CachedRepo, String> {
    let corrupted = |why: &str| format!("{}: {why}", repo_path.display());
    if !repo_path.is_dir() {
        return Err(corrupted("not a folder: a repo folder is expected"));
    }
    let Some((plural, rest)) = name.split_once("--") else {
        return Err(corrupted("not a valid Hugging Face cache folder name (no `--`)"));
    };
    let repo_type = match plural.strip_suffix('s').and_then(RepoType::parse) {
        Some(t) if plural.ends_with('s') => t,
        _ => return Err(corrupted(&format!("repo type must be `model`, `dataset` or `space`, found `{plural}`"))),
    };
    let repo_id = rest.replace("--", "/");
    let snapshots = repo_path.join("snapshots");
    if !snapshots.is_dir() {
        return Err(corrupted("snapshots folder is missing or not a folder"));
    }
    // Refs.
    let refs_dir = repo_path.join("refs");
    let mut refs = BTreeMap::new();
    if refs_dir.exists() {
        if refs_dir.is_file() {
            return Err(corrupted("refs is a file"));
        }
        let mut files = Vec::new();
        walk_files(&refs_dir, "", &mut files).map_err(|e| corrupted(&format!("reading refs: {e}")))?;
        for (rel, p) in files {
            if OS_FILES.iter().any(|f| rel.rsplit('/').next() == Some(*f)) {
                continue;
            }
            let commit = fs::read_to_string(&p).map_err(|e| corrupted(&format!("reading ref {rel}: {e}")))?;
            refs.insert(rel, commit);
        }
    }
    // Revisions.
    let blobs = BlobIndex::new(&repo_path.join("blobs"));
    // Distinct blobs: path → index into `blob_list`.
    let mut blob_ids: HashMap<PathBuf, usize> = HashMap::new();
    let mut blob_list: Vec<BlobStat> = Vec::new();
    let mut revisions = Vec::new();
    let mut entries: Vec<_> = fs::read_dir(&snapshots).map_err(|e| corrupted(&format!("{e}")))?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let rev_path = e.path();
        let commit = e.file_name().to_string_lossy().into_owned();
        if OS_FILES.contains(&commit.as_str()) {
            continue;
        }
        if !rev_path.is_dir() {
            return Err(corrupted(&format!("a file sits directly in snapshots/: {commit}")));
        }
        let mut files = Vec::new();
        walk_files(&rev_path, "", &mut files).map_err(|e| corrupted(&format!("reading {commit}: {e}")))?;
        let mut cached = Vec::new();
        let mut rev_blobs: Vec<usize> = Vec::new();
        for (rel, file_path) in files {
            if rel.ends_with(LLAMA_CPP_TEMP) {
                // llama.cpp writes there when it cannot link (degraded mode): not a cached file.
                let size = fs::symlink_metadata(&file_path).map_or(0, |m| m.len());
                incomplete.push(IncompleteFile { path: file_path, repo_folder: name.to_string(), size });
                continue;
            }
            let missing = || corrupted(&format!("blob missing (broken symlink): {}", file_path.display()));
            // One stat through the pointer gives the blob's size, times and inode; the inode
            // names the blob through the listing of blobs/ (no readlink). Anything else (a copy, a
            // link elsewhere, a file system whose listing has other inode numbers) is resolved.
            let md = fs::metadata(&file_path).map_err(|_| missing())?;
            let st = BlobStat { size: md.len(), atime: secs(md.accessed()), mtime: secs(md.modified()) };
            let blob_path = match blobs.lookup(&md) {
                Some(b) => b.clone(),
                None => resolve_pointer(&file_path).ok_or_else(missing)?,
            };
            let id = match blob_ids.get(&blob_path) {
                Some(id) => *id,
                None => {
                    blob_list.push(st);
                    blob_ids.insert(blob_path.clone(), blob_list.len() - 1);
                    blob_list.len() - 1
                }
            };
            rev_blobs.push(id);
            cached.push(CachedFile {
                path: rel,
                file_path,
                blob_path,
                size_on_disk: st.size,
                blob_last_accessed: st.atime,
                blob_last_modified: st.mtime,
            });
        }
        let folder = fs::metadata(&rev_path).ok();
        let folder_mtime = secs(folder.as_ref().map_or(Err(std::io::ErrorKind::NotFound.into()), |m| m.modified()));
        let folder_atime = secs(folder.as_ref().map_or(Err(std::io::ErrorKind::NotFound.into()), |m| m.accessed()));
        rev_blobs.sort_unstable();
        rev_blobs.dedup();
        let sizes = rev_blobs.iter().map(|b| blob_list[*b].size).sum();
        let newest = |f: fn(&BlobStat) -> f64, default: f64| {
            if rev_blobs.is_empty() {
                default
            } else {
                rev_blobs.iter().map(|b| f(&blob_list[*b])).fold(f64::MIN, f64::max)
            }
        };
        let mut rev_refs: Vec<String> = refs.iter().filter(|(_, c)| **c == commit).map(|(n, _)| n.clone()).collect();
        rev_refs.sort();
        revisions.push(CachedRevision {
            last_modified: newest(|s| s.mtime, folder_mtime),
            last_accessed: newest(|s| s.atime, folder_atime),
            commit_hash: commit,
            snapshot_path: rev_path,
            size_on_disk: sizes,
            files: cached,
            refs: rev_refs,
        });
    }
    let known: BTreeSet<&str> = revisions.iter().map(|r| r.commit_hash.as_str()).collect();
    let missing: Vec<&str> = refs.values().map(String::as_str).filter(|c| !known.contains(c)).collect();
    if !missing.is_empty() {
        return Err(corrupted(&format!("reference(s) refer to missing commit hashes: {}", missing.join(", "))));
    }
    let folder = fs::metadata(repo_path).ok();
    let (repo_atime, repo_mtime) = match &folder {
        Some(m) => (secs(m.accessed()), secs(m.modified())),
        None => (0.0, 0.0),
    };
    let (size, atime, mtime) = if blob_list.is_empty() {
        (0, repo_atime, repo_mtime)
    } else {
        (
            blob_list.iter().map(|s| s.size).sum(),
            blob_list.iter().map(|s| s.atime).fold(f64::MIN, f64::max),
            blob_list.iter().map(|s| s.mtime).fold(f64::MIN, f64::max),
        )
    };
    Ok(CachedRepo {
        repo_type,
        repo_id,
        repo_path: repo_path.to_path_buf(),
        size_on_disk: size,
        nb_files: blob_list.len() as u64,
        last_accessed: atime,
        last_modified: mtime,
        refs,
        revisions,
    })
}
