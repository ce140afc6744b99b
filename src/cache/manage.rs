//! Freeing space (hub-protocol.md §8.2): a plan first (what goes, how many bytes), then its
//! execution. Plans: delete revisions (the official client's rules), prune (detached revisions and
//! incomplete downloads), evict to a size (least recently used revisions first). Execution takes
//! the same `.locks/` locks as downloads, without waiting: what a download holds is skipped.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::layout::blob_lock_path;
use super::lock::FileLock;
use super::scan::{CacheInfo, CachedRevision, LLAMA_CPP_TEMP, OS_FILES};

/// A llama.cpp temporary download written to within this long is taken as still being written:
/// llama.cpp takes none of the `.locks/` locks, so recent writes are the only sign of a live download.
const FOREIGN_WRITER_QUIET: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Whether `path` is a llama.cpp temporary download that was written to recently.
fn foreign_download_active(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().ends_with(LLAMA_CPP_TEMP))
        && fs::symlink_metadata(path)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().map_or(true, |age| age < FOREIGN_WRITER_QUIET))
}

/// What a plan entry removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// A whole repo folder (every revision was selected).
    Repo,
    /// A snapshot folder (one revision).
    Snapshot,
    /// A `refs/<name>` file pointing at a deleted revision.
    Ref,
    /// A snapshot pointer (a file in a snapshot folder), removed with its bad blob by verify.
    Pointer,
    /// A blob no kept revision uses.
    Blob,
    /// An incomplete download (a `blobs/*.incomplete` file: data or resume journal, ours or another
    /// client's; or a llama.cpp `*.downloadInProgress` file; execution skips one of llama.cpp's
    /// written to in the last 10 minutes).
    Incomplete,
}

/// One path a plan removes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanEntry {
    /// What it is.
    pub kind: PlanKind,
    /// The path.
    pub path: PathBuf,
    /// The repo folder it belongs to (`models--org--name`): where its locks live.
    pub repo_folder: String,
    /// What execution re-checks under the locks, against what changed since the scan.
    #[serde(skip)]
    pub(crate) guard: Guard,
}

/// A re-check at execution: downloads may have added to the cache since the plan's scan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Guard {
    /// None (a verify plan: the blob is wrong, whoever links to it).
    #[default]
    None,
    /// A whole repo: only while its snapshots are these revisions (the ones the plan selected); a
    /// revision downloaded since keeps the repo.
    Revisions(Vec<String>),
    /// A blob of deleted revisions: only while no snapshot pointer resolves to it (a download of a
    /// kept or new revision may have linked it since the scan; it links under the blob lock).
    Unused,
    /// A detached revision's snapshot (prune): only while no ref points to this commit (a
    /// download of a branch at that commit writes its ref before linking files).
    Detached(String),
}

impl PlanEntry {
    pub(crate) fn new(kind: PlanKind, path: PathBuf, repo_folder: String) -> PlanEntry {
        PlanEntry { kind, path, repo_folder, guard: Guard::None }
    }
}

/// What a deletion, prune or eviction would remove, and the bytes it would free.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CachePlan {
    /// The hub cache folder.
    pub cache_dir: PathBuf,
    /// Paths, in execution order: repos, snapshots, refs, blobs, incomplete files.
    pub entries: Vec<PlanEntry>,
    /// Bytes freed when every entry goes.
    pub expected_freed: u64,
    /// Revisions asked for that the cache does not hold.
    pub warnings: Vec<String>,
}

/// What an execution did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExecReport {
    /// Paths removed.
    pub deleted: Vec<PathBuf>,
    /// Paths left because a download holds their lock.
    pub skipped: Vec<PathBuf>,
    /// Paths already gone, or that could not be removed, with why (execution never aborts).
    pub warnings: Vec<String>,
}

impl CacheInfo {
    /// Plan the deletion of revisions (`delete_revisions`, §8.2): a repo whose every revision is
    /// selected goes whole; otherwise each selected revision's snapshot and refs go, and each of
    /// its blobs that no remaining revision of the repo uses.
    pub fn plan_delete(&self, commits: &[&str]) -> CachePlan {
        let wanted: BTreeSet<&str> = commits.iter().copied().collect();
        let mut found: BTreeSet<&str> = BTreeSet::new();
        let mut plan = self.empty_plan();
        let mut blobs: Vec<PlanEntry> = Vec::new();
        let mut blob_set: BTreeSet<PathBuf> = BTreeSet::new();
        let (mut repos, mut snapshots, mut refs) = (Vec::new(), Vec::new(), Vec::new());
        for repo in &self.repos {
            let folder = repo.folder_name();
            let selected: Vec<&CachedRevision> =
                repo.revisions.iter().filter(|r| wanted.contains(r.commit_hash.as_str())).collect();
            found.extend(selected.iter().map(|r| r.commit_hash.as_str()));
            if selected.is_empty() {
                continue;
            }
            if selected.len() == repo.revisions.len() {
                let revisions = repo.revisions.iter().map(|r| r.commit_hash.clone()).collect();
                repos.push(PlanEntry {
                    guard: Guard::Revisions(revisions),
                    ..PlanEntry::new(PlanKind::Repo, repo.repo_path.clone(), folder)
                });
                plan.expected_freed += repo.size_on_disk;
                continue;
            }
            let kept: BTreeSet<&PathBuf> = repo
                .revisions
                .iter()
                .filter(|r| !wanted.contains(r.commit_hash.as_str()))
                .flat_map(|r| r.files.iter().map(|f| &f.blob_path))
                .collect();
            for rev in selected {
                snapshots.push(PlanEntry::new(PlanKind::Snapshot, rev.snapshot_path.clone(), folder.clone()));
                for name in &rev.refs {
                    let mut p = repo.repo_path.join("refs");
                    p.extend(name.split('/'));
                    refs.push(PlanEntry::new(PlanKind::Ref, p, folder.clone()));
                }
                for f in &rev.files {
                    if blob_set.contains(&f.blob_path) || kept.contains(&f.blob_path) {
                        continue;
                    }
                    blob_set.insert(f.blob_path.clone());
                    plan.expected_freed += f.size_on_disk;
                    // A copied file inside the snapshot folder goes with the snapshot.
                    if !f.blob_path.starts_with(&rev.snapshot_path) {
                        blobs.push(PlanEntry {
                            guard: Guard::Unused,
                            ..PlanEntry::new(PlanKind::Blob, f.blob_path.clone(), folder.clone())
                        });
                    }
                }
            }
        }
        for c in &wanted {
            if !found.contains(c) {
                plan.warnings.push(format!("revision {c} is not in the cache"));
            }
        }
        plan.entries = [repos, snapshots, refs, blobs].concat();
        plan
    }

    /// `hf cache prune`: every detached revision (no ref points to it) and every incomplete file.
    pub fn plan_prune(&self) -> CachePlan {
        let detached: Vec<&str> = self
            .repos
            .iter()
            .flat_map(|r| r.revisions.iter())
            .filter(|rev| rev.refs.is_empty())
            .map(|rev| rev.commit_hash.as_str())
            .collect();
        let mut plan = self.plan_delete(&detached);
        for e in plan.entries.iter_mut().filter(|e| e.kind == PlanKind::Snapshot) {
            let commit = e.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            e.guard = Guard::Detached(commit);
        }
        self.add_incomplete(&mut plan);
        plan
    }

    /// Evict to at most `max_bytes` on disk: least recently used revisions first (the newest
    /// access time of their blobs, as the official client's `last_accessed`), each removed with the
    /// rules of [`CacheInfo::plan_delete`]; incomplete files are not counted.
    pub fn plan_evict(&self, max_bytes: u64) -> CachePlan {
        self.plan_evict_keeping(max_bytes, None)
    }

    /// [`CacheInfo::plan_evict`], never selecting the revision `keep` (a commit: the one a
    /// download just returned a path into).
    pub fn plan_evict_keeping(&self, max_bytes: u64, keep: Option<&str>) -> CachePlan {
        let mut revs: Vec<&CachedRevision> = self
            .repos
            .iter()
            .flat_map(|r| r.revisions.iter())
            .filter(|r| keep != Some(r.commit_hash.as_str()))
            .collect();
        revs.sort_by(|a, b| a.last_accessed.total_cmp(&b.last_accessed).then(a.commit_hash.cmp(&b.commit_hash)));
        let mut selected: Vec<&str> = Vec::new();
        let mut plan = self.plan_delete(&[]);
        for rev in revs {
            if self.size_on_disk.saturating_sub(plan.expected_freed) <= max_bytes {
                break;
            }
            selected.push(&rev.commit_hash);
            plan = self.plan_delete(&selected);
        }
        plan
    }

    fn empty_plan(&self) -> CachePlan {
        CachePlan { cache_dir: self.cache_dir.clone(), entries: Vec::new(), expected_freed: 0, warnings: Vec::new() }
    }

    fn add_incomplete(&self, plan: &mut CachePlan) {
        for f in &self.incomplete {
            plan.entries.push(PlanEntry::new(PlanKind::Incomplete, f.path.clone(), f.repo_folder.clone()));
            plan.expected_freed += f.size;
        }
    }
}

/// The blob lock of a blob or incomplete file: `.locks/<repo folder>/<etag>.lock`, the ETag being
/// the file name up to its first `.` (`<etag>`, `<etag>.part.incomplete`, `<etag>.journal.incomplete`,
/// `<etag>.incomplete`, `<etag>.<8 hex>.incomplete`).
fn lock_of(cache_dir: &Path, repo_folder: &str, file: &Path) -> Option<PathBuf> {
    // Only `blobs/` files are named by their ETag (a llama.cpp temp file in a snapshot is not).
    if file.parent().and_then(Path::file_name).is_none_or(|d| d != "blobs") {
        return None;
    }
    let name = file.file_name()?.to_string_lossy().into_owned();
    let etag = name.split('.').next().filter(|e| !e.is_empty())?;
    Some(blob_lock_path(cache_dir, repo_folder, etag))
}

/// Take every lock a removal needs, without waiting; `None` if one is held.
fn take_locks(cache_dir: &Path, e: &PlanEntry) -> io::Result<Option<Vec<(PathBuf, FileLock)>>> {
    let locks: Vec<PathBuf> = match e.kind {
        PlanKind::Blob | PlanKind::Incomplete => lock_of(cache_dir, &e.repo_folder, &e.path).into_iter().collect(),
        // Every blob of the repo, and every lock a download ever took for it (a download holds its
        // lock before its incomplete file exists).
        PlanKind::Repo => {
            let mut l: BTreeSet<PathBuf> =
                list(&e.path.join("blobs")).iter().filter_map(|b| lock_of(cache_dir, &e.repo_folder, b)).collect();
            l.extend(
                list(&cache_dir.join(".locks").join(&e.repo_folder))
                    .into_iter()
                    .filter(|p| p.extension().is_some_and(|x| x == "lock")),
            );
            l.into_iter().collect()
        }
        PlanKind::Snapshot | PlanKind::Ref | PlanKind::Pointer => Vec::new(),
    };
    let mut held = Vec::new();
    for lock in locks {
        match FileLock::try_acquire(&lock) {
            Ok(Some(l)) => held.push((lock, l)),
            Ok(None) => return Ok(None),
            Err(err) => return Err(io::Error::other(err.to_string())),
        }
    }
    Ok(Some(held))
}

/// Whether a download changed what `e` was planned on since the scan (checked under its locks):
/// a repo gained a revision, or a blob of deleted revisions is linked from a snapshot again.
fn changed_since_scan(e: &PlanEntry) -> bool {
    match &e.guard {
        Guard::None => false,
        Guard::Revisions(known) => list(&e.path.join("snapshots"))
            .iter()
            .any(|s| s.file_name().is_some_and(|n| !known.iter().any(|k| n == k.as_str()))),
        Guard::Unused => {
            let (Ok(blob), Some(repo)) = (fs::canonicalize(&e.path), e.path.parent().and_then(Path::parent)) else {
                return false;
            };
            links_to(&repo.join("snapshots"), &blob)
        }
        Guard::Detached(commit) => {
            let refs = e.path.parent().and_then(Path::parent).map(|r| r.join("refs"));
            refs.is_some_and(|r| ref_points_to(&r, commit))
        }
    }
}

/// The files (and symlinks) below `dir`, recursively; those of an unreadable folder are left out.
fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let _ = super::scan::walk_files(dir, "", &mut out);
    out.into_iter().map(|(_, p)| p).collect()
}

/// Whether a ref file under `dir` (recursively) holds `commit`.
fn ref_points_to(dir: &Path, commit: &str) -> bool {
    files_below(dir).iter().any(|p| fs::read_to_string(p).is_ok_and(|t| t.trim() == commit))
}

/// Whether a pointer under `dir` (recursively) resolves to `blob` (a canonical path).
fn links_to(dir: &Path, blob: &Path) -> bool {
    files_below(dir).iter().any(|p| fs::canonicalize(p).is_ok_and(|t| t == blob))
}

/// The entries of a folder (none when it cannot be read).
fn list(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir).map(|rd| rd.flatten().map(|d| d.path()).collect()).unwrap_or_default()
}

/// Remove a repo folder whose blob locks are held: its snapshots, refs and markers, then the blobs
/// listed now, then the folders if they are empty. A download that started meanwhile (a new lock,
/// a new incomplete file) keeps what it wrote: nothing is removed that was not listed under a lock.
fn remove_repo(repo: &Path, locked: &dyn Fn(&Path) -> bool) -> io::Result<()> {
    for sub in ["snapshots", "refs", ".no_exist", "trees"] {
        match fs::remove_dir_all(repo.join(sub)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    for blob in list(&repo.join("blobs")).into_iter().filter(|b| locked(b) && !foreign_download_active(b)) {
        match fs::remove_file(&blob) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    let _ = fs::remove_dir(repo.join("blobs"));
    for leftover in list(repo) {
        // OS helper files only; anything else keeps the folder.
        if leftover.file_name().is_some_and(|n| OS_FILES.iter().any(|f| n == *f)) {
            let _ = fs::remove_file(leftover);
        }
    }
    fs::remove_dir(repo).or_else(|e| if repo.exists() { Err(e) } else { Ok(()) })
}

/// Execute a plan in its order (repos, snapshots, refs, pointers, blobs, incomplete files). A path already
/// gone or that cannot be removed is a warning; one whose lock a download holds is skipped.
pub fn execute(plan: &CachePlan) -> ExecReport {
    let mut report = ExecReport::default();
    for e in &plan.entries {
        if e.kind == PlanKind::Incomplete && foreign_download_active(&e.path) {
            report.skipped.push(e.path.clone());
            continue;
        }
        let locks = match take_locks(&plan.cache_dir, e) {
            Ok(Some(l)) => l,
            Ok(None) => {
                report.skipped.push(e.path.clone());
                continue;
            }
            Err(err) => {
                report.warnings.push(format!("{}: cannot take its lock: {err}", e.path.display()));
                continue;
            }
        };
        if changed_since_scan(e) {
            report.skipped.push(e.path.clone());
            continue;
        }
        let res = match fs::symlink_metadata(&e.path) {
            Ok(m) if m.is_dir() && e.kind == PlanKind::Repo => {
                let held: BTreeSet<&PathBuf> = locks.iter().map(|(p, _)| p).collect();
                remove_repo(&e.path, &|blob| {
                    lock_of(&plan.cache_dir, &e.repo_folder, blob).is_some_and(|l| held.contains(&l))
                })
            }
            Ok(m) if m.is_dir() => fs::remove_dir_all(&e.path),
            Ok(_) => fs::remove_file(&e.path),
            Err(err) => Err(err),
        };
        drop(locks);
        match res {
            Ok(()) => report.deleted.push(e.path.clone()),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                report.warnings.push(format!("{}: already gone", e.path.display()))
            }
            Err(err) => report.warnings.push(format!("{}: {err}", e.path.display())),
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::scan::scan;

    const OLD: &str = "1111111111111111111111111111111111111111";
    const NEW: &str = "2222222222222222222222222222222222222222";

    /// `models--org--m` with revision `commit` linking `file` to blob `blob` (content `data`).
    fn add(cache: &Path, commit: &str, file: &str, blob: &str, data: &[u8]) {
        let repo = cache.join("models--org--m");
        fs::create_dir_all(repo.join("blobs")).unwrap();
        fs::write(repo.join("blobs").join(blob), data).unwrap();
        let snap = repo.join("snapshots").join(commit);
        fs::create_dir_all(&snap).unwrap();
        std::os::unix::fs::symlink(format!("../../blobs/{blob}"), snap.join(file)).unwrap();
    }

    #[test]
    fn a_blob_linked_since_the_scan_stays() {
        // Two revisions share blob `s`; the plan deletes OLD, which the scan saw as its only user
        // of `s` (NEW had not linked it yet); a download of NEW links it before the execution.
        let dir = tempfile::tempdir().unwrap();
        add(dir.path(), OLD, "shared.bin", "s", b"s");
        add(dir.path(), OLD, "old.bin", "o", b"o");
        add(dir.path(), NEW, "other.bin", "n", b"n");
        let plan = scan(dir.path()).unwrap().plan_delete(&[OLD]);
        let blobs: Vec<_> = plan.entries.iter().filter(|e| e.kind == PlanKind::Blob).collect();
        assert_eq!(blobs.len(), 2);
        let repo = dir.path().join("models--org--m");
        std::os::unix::fs::symlink("../../blobs/s", repo.join("snapshots").join(NEW).join("shared.bin")).unwrap();
        let report = execute(&plan);
        assert!(repo.join("blobs/s").is_file(), "a blob NEW links to was deleted: {report:?}");
        assert_eq!(fs::read(repo.join("snapshots").join(NEW).join("shared.bin")).unwrap(), b"s");
        assert!(!repo.join("blobs/o").exists() && !repo.join("snapshots").join(OLD).exists());
        assert_eq!(report.skipped, vec![repo.join("blobs/s")]);
    }

    #[test]
    fn a_repo_that_gained_a_revision_since_the_scan_stays() {
        let dir = tempfile::tempdir().unwrap();
        add(dir.path(), OLD, "shared.bin", "s", b"s");
        let plan = scan(dir.path()).unwrap().plan_delete(&[OLD]);
        assert_eq!(plan.entries[0].kind, PlanKind::Repo);
        add(dir.path(), NEW, "new.bin", "n", b"n"); // a download finished meanwhile
        let report = execute(&plan);
        let repo = dir.path().join("models--org--m");
        assert_eq!(fs::read(repo.join("snapshots").join(NEW).join("new.bin")).unwrap(), b"n", "{report:?}");
        assert_eq!(report.skipped, vec![repo.clone()]);
        // Planned again, with both revisions known, it goes.
        let report = execute(&scan(dir.path()).unwrap().plan_delete(&[OLD, NEW]));
        assert!(!repo.exists(), "{report:?}");
    }
}

#[cfg(test)]
mod prune_tests {
    use super::*;
    use crate::cache::scan::scan;

    #[test]
    fn a_detached_revision_that_got_a_ref_since_the_scan_stays() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("models--org--m");
        let (detached, main) = ("3333333333333333333333333333333333333333", "4444444444444444444444444444444444444444");
        fs::create_dir_all(repo.join("blobs")).unwrap();
        fs::write(repo.join("blobs/b"), b"b").unwrap();
        for c in [detached, main] {
            fs::create_dir_all(repo.join("snapshots").join(c)).unwrap();
            std::os::unix::fs::symlink("../../blobs/b", repo.join("snapshots").join(c).join("f")).unwrap();
        }
        fs::create_dir_all(repo.join("refs/refs/pr")).unwrap();
        fs::write(repo.join("refs/main"), main).unwrap();
        let plan = scan(dir.path()).unwrap().plan_prune();
        assert_eq!(plan.entries.iter().filter(|e| e.kind == PlanKind::Snapshot).count(), 1);
        fs::write(repo.join("refs/refs/pr/1"), detached).unwrap(); // a download of pr/1 meanwhile
        let report = execute(&plan);
        assert_eq!(fs::read(repo.join("snapshots").join(detached).join("f")).unwrap(), b"b", "{report:?}");
        assert_eq!(report.skipped, vec![repo.join("snapshots").join(detached)]);
        // Detached again, it goes.
        fs::remove_file(repo.join("refs/refs/pr/1")).unwrap();
        execute(&scan(dir.path()).unwrap().plan_prune());
        assert!(!repo.join("snapshots").join(detached).exists());
    }
}
