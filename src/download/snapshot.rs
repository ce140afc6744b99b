//! `snapshot_download` (hub-protocol.md §4): every file of one commit (or the part the patterns
//! select) into the shared cache or a local_dir, files in parallel on the client's runtime.
//!
//! Requests: one revision call (none for a commit), the tree listing (none when
//! `trees/<commit>.json` is cached), then one GET per missing file — no per-file HEAD, since the
//! listing gives the size and blob name; the GET's own headers are checked against it. A file
//! already present costs no request. Offline, a snapshot is returned only when its cached file
//! list says every selected file is present.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use futures_util::{StreamExt, TryStreamExt};

use crate::api::repo::{list_tree, resolve_commit, EntryKind, TreeEntry};
use crate::cache::layout::ensure_cachedir_tag;
use crate::cache::tree_cache::{self, TreeFile};
use crate::cache::RepoCache;
use crate::client::{CallCtx, Inner};
use crate::download::file::{finish_checked, resolve_url, Flags};
use crate::download::local_dir::{fetch_local, LocalDir};
use crate::download::metadata::FileMetadata;
use crate::error::{Error, Result};
use crate::pattern::Filter;
use crate::repo::{is_commit_hash, validate_revision, FileTarget, Repo, RepoType};

/// Files fetched at once when the caller does not say (the Python client's default; measured in
/// BENCHMARKS.md, workload b).
pub(crate) const DEFAULT_MAX_WORKERS: usize = 8;
/// Names listed in an incomplete-snapshot message before "and N more".
const MISSING_SHOWN: usize = 10;

/// *What* a snapshot is: a repo at a revision, optionally narrowed by patterns (§4.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SnapshotRef {
    /// `name` or `namespace/name`.
    pub repo_id: String,
    /// Repository type.
    pub repo_type: RepoType,
    /// Branch, tag, 40-hex commit or `refs/pr/N`; `None` means `main`.
    pub revision: Option<String>,
    /// Keep only paths matching one of these (empty: everything).
    pub allow_patterns: Vec<String>,
    /// Drop paths matching one of these (wins over `allow_patterns`).
    pub ignore_patterns: Vec<String>,
}

impl SnapshotRef {
    /// The whole repo at `main`.
    pub fn new(repo_id: impl Into<String>) -> SnapshotRef {
        SnapshotRef { repo_id: repo_id.into(), ..Default::default() }
    }
}

/// One file of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFile {
    /// Path in the repo.
    pub path: String,
    /// Where it is on disk.
    pub local_path: PathBuf,
    /// Size in bytes.
    pub size: u64,
}

/// A snapshot on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// `snapshots/<commit>` in the cache, or the real path of the local_dir.
    pub path: PathBuf,
    /// The commit.
    pub commit: String,
    /// The selected files, in path order.
    pub files: Vec<SnapshotFile>,
}

/// Where a snapshot's files go.
pub(crate) enum Dest {
    /// The shared cache.
    Cache(RepoCache),
    /// A plain folder.
    Local(LocalDir),
}

impl Dest {
    fn trees_dir(&self) -> PathBuf {
        match self {
            Dest::Cache(rc) => rc.repo_dir().join("trees"),
            Dest::Local(ld) => ld.trees_dir(),
        }
    }

    fn root(&self, commit: &str) -> PathBuf {
        match self {
            Dest::Cache(rc) => rc.repo_dir().join("snapshots").join(commit),
            Dest::Local(ld) => ld.root().to_path_buf(),
        }
    }

    /// Where `path` of `commit` is (or will be).
    fn local_path(&self, commit: &str, path: &str) -> Result<PathBuf> {
        match self {
            Dest::Cache(rc) => Ok(rc.pointer_path(commit, path)),
            Dest::Local(ld) => ld.file_path(path),
        }
    }
}

/// The listing of one commit: files only, by path (the tree-cache shape).
pub(crate) type Listing = BTreeMap<String, TreeFile>;

/// Files of a listing as the tree cache records them.
pub(crate) fn to_listing(entries: Vec<TreeEntry>) -> Listing {
    entries
        .into_iter()
        .filter(|e| e.kind == EntryKind::File)
        .map(|e| {
            let (lfs_sha256, lfs_size) = match e.lfs {
                Some(l) => (Some(l.sha256), Some(l.size)),
                None => (None, None),
            };
            (e.path, TreeFile { size: e.size, blob_id: e.oid, lfs_sha256, lfs_size, xet_hash: e.xet_hash })
        })
        .collect()
}

/// The listing of `commit`: from the tree cache, else from the Hub (then cached).
pub(crate) async fn listing(c: &Inner, repo: &Repo, commit: &str, trees_dir: &Path, ctx: &CallCtx) -> Result<Listing> {
    if let Some(l) = tree_cache::read(trees_dir, commit) {
        return Ok(l);
    }
    let l = to_listing(list_tree(c, repo, Some(commit), None, true, ctx).await?);
    let _ = tree_cache::write(trees_dir, commit, &l);
    Ok(l)
}

/// Download the given files of `commit` into `dest`, `workers` at a time, with aggregate progress
/// (planned up front; present files count as done at once). The first failure cancels the rest.
/// Returns the local paths in the order given.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn fetch_files(
    c: &Inner,
    repo: &Repo,
    commit: &str,
    files: &[(&str, &TreeFile)],
    dest: &Dest,
    how: Flags,
    workers: usize,
    ctx: &CallCtx,
) -> Result<Vec<PathBuf>> {
    ctx.sink.plan(files.len() as u64, files.iter().map(|(_, f)| f.size).sum());
    let mut out: Vec<Option<PathBuf>> = vec![None; files.len()];
    let mut todo = Vec::new();
    for (i, (path, f)) in files.iter().enumerate() {
        let local = dest.local_path(commit, path)?;
        // Fast path: a cache pointer of this commit is this file (no lock, no request).
        if matches!(dest, Dest::Cache(_)) && !how.force_download && local.exists() {
            ctx.sink.skip(f.size);
            out[i] = Some(local);
        } else {
            todo.push(i);
        }
    }
    if let Dest::Cache(rc) = dest {
        if !todo.is_empty() {
            ensure_cachedir_tag(rc.cache_dir());
        }
    }
    let results: Vec<(usize, PathBuf)> = futures_util::stream::iter(todo)
        .map(|i| {
            let (path, f) = files[i];
            let fctx = ctx.for_file();
            async move { fetch_one(c, repo, commit, path, f, dest, how, &fctx).await.map(|p| (i, p)) }
        })
        .buffer_unordered(workers.max(1))
        .try_collect()
        .await?;
    for (i, p) in results {
        out[i] = Some(p);
    }
    Ok(out.into_iter().map(|p| p.expect("every file was fetched or present")).collect())
}

#[allow(clippy::too_many_arguments)]
async fn fetch_one(
    c: &Inner,
    repo: &Repo,
    commit: &str,
    path: &str,
    f: &TreeFile,
    dest: &Dest,
    how: Flags,
    ctx: &CallCtx,
) -> Result<PathBuf> {
    let t = FileTarget { repo: repo.clone(), revision: commit.to_string(), filename: path.to_string() };
    let meta = FileMetadata {
        commit: commit.to_string(),
        etag: f.etag().to_string(),
        size: f.size,
        location: resolve_url(c, &t)?.to_string(),
        is_lfs: f.lfs_sha256.is_some(),
        xet_hash: f.xet_hash.clone(),
    };
    match dest {
        Dest::Cache(rc) => finish_checked(c, rc, &t, meta, how, ctx, true).await,
        Dest::Local(ld) => fetch_local(c, ld, repo, path, &meta, how, ctx, true).await,
    }
}

/// The selected files of a listing, in path order.
fn select<'l>(l: &'l Listing, filter: &Filter) -> Vec<(&'l str, &'l TreeFile)> {
    l.iter().filter(|(p, _)| filter.keeps(p)).map(|(p, f)| (p.as_str(), f)).collect()
}

fn snapshot_of(dest: &Dest, commit: &str, files: &[(&str, &TreeFile)], paths: Vec<PathBuf>) -> Snapshot {
    Snapshot {
        path: dest.root(commit),
        commit: commit.to_string(),
        files: files
            .iter()
            .zip(paths)
            .map(|((p, f), local)| SnapshotFile { path: p.to_string(), local_path: local, size: f.size })
            .collect(),
    }
}

/// *How* a snapshot is fetched. `Default`: verify on, [`DEFAULT_MAX_WORKERS`], the shared cache.
pub struct SnapshotOptions<'a> {
    /// Download every selected file again even when present.
    pub force_download: bool,
    /// Never touch the network: answer from the cache, when complete.
    pub local_files_only: bool,
    /// Check the SHA-256 of LFS files (on by default).
    pub verify: bool,
    /// Files fetched at once (0: [`DEFAULT_MAX_WORKERS`]).
    pub max_workers: usize,
    /// Real files in this folder instead of the shared cache.
    pub local_dir: Option<&'a Path>,
    /// Aggregate progress on the calling thread; return `false` to cancel.
    pub progress: Option<crate::progress::ProgressFn<'a>>,
    /// Cancellation from another thread.
    pub cancel: Option<&'a crate::progress::CancelToken>,
}

impl Default for SnapshotOptions<'_> {
    fn default() -> Self {
        SnapshotOptions {
            force_download: false,
            local_files_only: false,
            verify: true,
            max_workers: 0,
            local_dir: None,
            progress: None,
            cancel: None,
        }
    }
}

/// The flags and tuning of one snapshot call.
#[derive(Debug, Clone)]
pub(crate) struct Params {
    pub flags: Flags,
    pub local_dir: Option<PathBuf>,
    pub max_workers: usize,
}

/// `snapshot_download`.
pub(crate) async fn snapshot(c: &Inner, what: &SnapshotRef, p: &Params, ctx: &CallCtx) -> Result<Snapshot> {
    let cfg = &c.config;
    let repo = Repo::new(&what.repo_id, what.repo_type)?;
    let revision = what.revision.clone().unwrap_or_else(|| "main".to_string());
    validate_revision(&revision)?;
    let offline = cfg.offline || p.flags.local_files_only;
    if p.flags.force_download && offline {
        return Err(Error::InvalidArgument(
            "force_download cannot be combined with offline mode or local_files_only".into(),
        ));
    }
    let rc = RepoCache::new(&cfg.cache_dir, &repo);
    let dest = match &p.local_dir {
        Some(d) => Dest::Local(LocalDir::open(d)?),
        None => Dest::Cache(rc.clone()),
    };
    let filter = Filter::new(&what.allow_patterns, &what.ignore_patterns);
    let workers = if p.max_workers == 0 { DEFAULT_MAX_WORKERS } else { p.max_workers };

    // 1. The commit.
    let mut remote_err = None;
    let commit = if is_commit_hash(&revision) {
        Some(revision.clone())
    } else if offline {
        None
    } else {
        match resolve_commit(c, &repo, &revision).await {
            Ok(sha) => Some(sha),
            Err(e @ (Error::RevisionNotFound(_) | Error::Cancelled | Error::InvalidArgument(_))) => return Err(e),
            Err(e) => {
                remote_err = Some(e);
                None
            }
        }
    };

    // 2. Offline, or the Hub could not tell: the cache alone.
    let commit = match commit {
        Some(c) if !offline => c,
        known => return from_cache(&rc, &dest, &repo, &revision, known, &filter, offline, remote_err),
    };

    // 3–4. The listing, filtered.
    let listing = listing(c, &repo, &commit, &dest.trees_dir(), ctx).await?;
    let files = select(&listing, &filter);

    // 5. The ref (cache mode only; hub-protocol.md §9.11).
    if let Dest::Cache(rc) = &dest {
        if revision != commit {
            let _ = rc.write_ref(&revision, &commit);
        }
    }

    // 6–7. The files.
    let paths = fetch_files(c, &repo, &commit, &files, &dest, p.flags, workers, ctx).await?;
    Ok(snapshot_of(&dest, &commit, &files, paths))
}

/// §4 step 2: answer from the cache when its file list says the selection is complete.
#[allow(clippy::too_many_arguments)]
fn from_cache(
    rc: &RepoCache,
    dest: &Dest,
    repo: &Repo,
    revision: &str,
    commit: Option<String>,
    filter: &Filter,
    offline: bool,
    remote_err: Option<Error>,
) -> Result<Snapshot> {
    let commit = commit.or_else(|| match dest {
        Dest::Cache(_) => rc.resolve_commit(revision),
        Dest::Local(ld) => newest_tree(&ld.trees_dir()),
    });
    let why = |e: &Option<Error>| match e {
        Some(e) => format!(" (the Hub could not be asked: {e})"),
        None if offline => " (offline mode or local_files_only)".to_string(),
        None => String::new(),
    };
    let present = commit.as_deref().is_some_and(|c| match dest {
        Dest::Cache(_) => dest.root(c).is_dir(),
        Dest::Local(ld) => std::fs::read_dir(ld.root()).is_ok_and(|mut d| d.next().is_some()),
    });
    let Some(commit) = commit.filter(|_| present) else {
        return Err(match remote_err {
            Some(e @ (Error::RepoNotFound(_) | Error::Gated(_) | Error::Unauthorized(_) | Error::Disabled(_))) => e,
            Some(Error::Network(m)) => {
                Error::Network(format!("{m}; no snapshot of {} at {revision} is in the local cache", repo.id()))
            }
            Some(Error::Timeout(m)) => {
                Error::Timeout(format!("{m}; no snapshot of {} at {revision} is in the local cache", repo.id()))
            }
            Some(other) => other,
            None => Error::Offline(format!(
                "no snapshot of {} at {revision} is in the local cache and outgoing traffic is disabled \
                 (offline mode or local_files_only; set HF_HUB_OFFLINE=0 to allow downloads)",
                repo.id()
            )),
        });
    };
    let Some(listing) = tree_cache::read(&dest.trees_dir(), &commit) else {
        return Err(Error::IncompleteSnapshot(format!(
            "{} at {revision} (commit {commit}): the cache has some files but no file list \
             (trees/{commit}.json), so it cannot tell whether the snapshot is complete{}",
            repo.id(),
            why(&remote_err)
        )));
    };
    let files = select(&listing, filter);
    let mut paths = Vec::with_capacity(files.len());
    let mut missing = Vec::new();
    for (p, _) in &files {
        let local = dest.local_path(&commit, p)?;
        if !local.is_file() {
            missing.push(*p);
        }
        paths.push(local);
    }
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(MISSING_SHOWN).copied().collect();
        let more = missing.len().saturating_sub(MISSING_SHOWN);
        return Err(Error::IncompleteSnapshot(format!(
            "{} at {revision} (commit {commit}): {} of {} selected files are missing from the local copy: {}{}{}",
            repo.id(),
            missing.len(),
            files.len(),
            shown.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() },
            why(&remote_err)
        )));
    }
    Ok(snapshot_of(dest, &commit, &files, paths))
}

/// The commit of the most recent file list in a local_dir's `trees/` (a local_dir records no refs).
fn newest_tree(trees_dir: &Path) -> Option<String> {
    std::fs::read_dir(trees_dir)
        .ok()?
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let commit = name.strip_suffix(".json").filter(|c| is_commit_hash(c))?.to_string();
            Some((e.metadata().ok()?.modified().ok()?, commit))
        })
        .max()
        .map(|(_, c)| c)
}
