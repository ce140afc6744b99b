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
/// OS helper files skipped among refs.
const OS_FILES: [&str; 3] = [".DS_Store", "Thumbs.db", "desktop.ini"];

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

/// A blob being (or left over from being) downloaded: `*/blobs/*.incomplete`.
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

fn stat(p: &Path) -> std::io::Result<BlobStat> {
    let m = fs::metadata(p)?;
    Ok(BlobStat { size: m.len(), atime: secs(m.accessed()), mtime: secs(m.modified()) })
}

/// Scan `cache_dir` (§8.1).
pub fn scan(cache_dir: &Path) -> Result<CacheInfo> {
    let md = fs::metadata(cache_dir).map_err(|e| Error::io(format!("cache folder {}", cache_dir.display()), e))?;
    if !md.is_dir() {
        return Err(Error::InvalidArgument(format!("{} is not a folder", cache_dir.display())));
    }
    let mut repos = Vec::new();
    let mut warnings = Vec::new();
    let mut incomplete = Vec::new();
    let entries = fs::read_dir(cache_dir).map_err(|e| Error::io(format!("reading {}", cache_dir.display()), e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if SKIPPED_ROOT.contains(&name.as_str()) {
            continue;
        }
        let path = entry.path();
        incomplete.extend(incomplete_files(&path, &name));
        match scan_repo(&path, &name) {
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
        .filter(|e| e.file_name().to_string_lossy().ends_with(".incomplete"))
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            m.is_file().then(|| IncompleteFile { path: e.path(), repo_folder: folder.to_string(), size: m.len() })
        })
        .collect()
}

/// Every non-folder entry below `dir`, as paths relative to it (`/`-separated), sorted.
fn walk_files(dir: &Path, rel: &str, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel_name = if rel.is_empty() { name } else { format!("{rel}/{name}") };
        let p = e.path();
        // Like Python's `is_dir()`: symlinks are followed.
        if p.is_dir() {
            walk_files(&p, &rel_name, out)?;
        } else {
            out.push((rel_name, p));
        }
    }
    Ok(())
}

fn scan_repo(repo_path: &Path, name: &str) -> std::result::Result<CachedRepo, String> {
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
    let mut blob_stats: HashMap<PathBuf, BlobStat> = HashMap::new();
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
        let mut rev_blobs: BTreeSet<PathBuf> = BTreeSet::new();
        for (rel, file_path) in files {
            let blob_path = fs::canonicalize(&file_path)
                .map_err(|_| corrupted(&format!("blob missing (broken symlink): {}", file_path.display())))?;
            let st = match blob_stats.get(&blob_path) {
                Some(s) => *s,
                None => {
                    let s = stat(&blob_path)
                        .map_err(|_| corrupted(&format!("blob missing (broken symlink): {}", file_path.display())))?;
                    blob_stats.insert(blob_path.clone(), s);
                    s
                }
            };
            rev_blobs.insert(blob_path.clone());
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
        let sizes = rev_blobs.iter().map(|b| blob_stats[b].size).sum();
        let newest = |f: fn(&BlobStat) -> f64, default: f64| {
            if rev_blobs.is_empty() {
                default
            } else {
                rev_blobs.iter().map(|b| f(&blob_stats[b])).fold(f64::MIN, f64::max)
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
    let (size, atime, mtime) = if blob_stats.is_empty() {
        (0, repo_atime, repo_mtime)
    } else {
        (
            blob_stats.values().map(|s| s.size).sum(),
            blob_stats.values().map(|s| s.atime).fold(f64::MIN, f64::max),
            blob_stats.values().map(|s| s.mtime).fold(f64::MIN, f64::max),
        )
    };
    Ok(CachedRepo {
        repo_type,
        repo_id,
        repo_path: repo_path.to_path_buf(),
        size_on_disk: size,
        nb_files: blob_stats.len() as u64,
        last_accessed: atime,
        last_modified: mtime,
        refs,
        revisions,
    })
}
