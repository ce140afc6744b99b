//! `hf_hub_download` in cache mode (hub-protocol.md §3.1–§3.5): one file into the shared cache.
//! Orchestration only: metadata from `download::metadata`, bytes from `download::transfer`,
//! publishing from `cache::blob`, pointers from `cache::layout`, waits from `http::retry`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::Url;

use crate::cache::layout::{create_pointer, ensure_cachedir_tag};
use crate::cache::{FileLock, IncompleteBlob, RepoCache};
use crate::client::{CallCtx, Inner};
use crate::download::blocking;
use crate::download::metadata::{head_metadata, FileMetadata};
use crate::download::transfer::{fetch_into, Expect, Fetch, Lanes};
use crate::error::{Error, Result};
use crate::http::RetryPolicy;
use crate::progress::{CancelToken, ProgressFn};
use crate::repo::{is_commit_hash, FileRef, FileTarget};

/// Timeout of the patient metadata attempts (§0.6).
const PATIENT_HEAD_TIMEOUT: Duration = Duration::from_secs(60);

/// *How* a download is done (what is downloaded is a [`FileRef`]). `Default`: verify on, nothing
/// else. Snapshots reuse it.
pub struct DownloadOptions<'a> {
    /// Download again even when cached.
    pub force_download: bool,
    /// Never touch the network; fail with [`Error::Offline`] when not cached.
    pub local_files_only: bool,
    /// Check the SHA-256 of LFS files against their ETag (on by default).
    pub verify: bool,
    /// Progress callback on the calling thread; return `false` to cancel.
    pub progress: Option<ProgressFn<'a>>,
    /// Cancellation from another thread.
    pub cancel: Option<&'a CancelToken>,
    /// Write real files into this folder instead of the shared cache (hub-protocol.md §3.7).
    pub local_dir: Option<&'a Path>,
}

impl Default for DownloadOptions<'_> {
    /// Verify on, nothing else.
    fn default() -> Self {
        DownloadOptions {
            force_download: false,
            local_files_only: false,
            verify: true,
            progress: None,
            cancel: None,
            local_dir: None,
        }
    }
}

/// The plain flags of [`DownloadOptions`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flags {
    pub force_download: bool,
    pub local_files_only: bool,
    pub verify: bool,
}

pub(crate) fn resolve_url(c: &Inner, t: &FileTarget) -> Result<Url> {
    Url::parse(&t.repo.resolve_url(&c.config.endpoint, &t.revision, &t.filename))
        .map_err(|e| Error::InvalidArgument(format!("endpoint {:?}: {e}", c.config.endpoint)))
}

async fn head(c: &Inner, t: &FileTarget, timeout: Duration) -> Result<FileMetadata> {
    let token = c.token();
    head_metadata(&c.http, resolve_url(c, t)?, token.as_deref(), timeout, &t.describe()).await
}

/// The metadata HEAD of a validated target, with the configured timeout.
pub(crate) async fn head_target(c: &Inner, t: &FileTarget) -> Result<FileMetadata> {
    head(c, t, c.config.etag_timeout).await
}

/// File metadata (one HEAD, no retries).
pub(crate) async fn metadata(c: &Inner, file: &FileRef) -> Result<FileMetadata> {
    let t = file.validate()?;
    head(c, &t, c.config.etag_timeout).await
}

/// Step 1 of the algorithm, synchronously (no runtime entered, no allocation beyond the path):
/// a commit-pinned file already in the cache.
pub(crate) fn pinned_hit(c: &Inner, file: &FileRef, how: Flags) -> Option<PathBuf> {
    let rev = file.revision.as_deref()?;
    if how.force_download || !is_commit_hash(rev) {
        return None;
    }
    let t = file.validate().ok()?;
    let p = RepoCache::new(&c.config.cache_dir, &t.repo).pointer_path(&t.revision, &t.filename);
    p.exists().then_some(p)
}

/// The `hf_hub_download` algorithm, from step 2 (the caller has tried [`pinned_hit`]).
pub(crate) async fn download(c: &Inner, file: &FileRef, how: Flags, ctx: &CallCtx) -> Result<PathBuf> {
    let t = file.validate()?;
    let cfg = &c.config;
    let offline = cfg.offline || how.local_files_only;
    if how.force_download && offline {
        return Err(Error::InvalidArgument(
            "force_download cannot be combined with offline mode or local_files_only".into(),
        ));
    }
    let rc = RepoCache::new(&cfg.cache_dir, &t.repo);

    // 1. The commit shortcut (no request at all) is `pinned_hit`, which `Client::download` runs
    // before entering the runtime; it found nothing when we get here.

    // 2. Metadata.
    let first = if offline { Err(Error::Offline(String::new())) } else { head(c, &t, cfg.etag_timeout).await };
    let err = match first {
        Ok(meta) => return finish(c, &rc, &t, meta, how, ctx).await,
        Err(e) => e,
    };
    if matches!(err, Error::RevisionNotFound(_) | Error::EntryNotFound(_) | Error::Cancelled) {
        return Err(record_missing(&rc, &t, err));
    }
    // 3. Fall back to the cache, then make the patient attempts (§0.6), waiting as the server asks.
    if !how.force_download {
        if let Some(commit) = rc.resolve_commit(&t.revision) {
            let p = rc.pointer_path(&commit, &t.filename);
            if p.exists() {
                return Ok(p);
            }
        }
    }
    let mut err = err;
    let policy = RetryPolicy::transient(cfg.http_retries.saturating_sub(1));
    if !how.force_download && !offline && cfg.http_retries > 0 && policy.retries(&err) {
        ctx.cancel.sleep(policy.wait(1, &err)).await?;
        match policy.run(&ctx.cancel, |_| head(c, &t, PATIENT_HEAD_TIMEOUT)).await {
            Ok(meta) => return finish(c, &rc, &t, meta, how, ctx).await,
            Err(e) => err = e,
        }
    }
    Err(not_cached_error(record_missing(&rc, &t, err), &t, offline))
}

/// On EntryNotFound carrying the commit: write `.no_exist/<commit>/<file>` and the ref (§2.7).
/// Errors writing them are ignored. Returns the error unchanged.
fn record_missing(rc: &RepoCache, t: &FileTarget, err: Error) -> Error {
    if let Error::EntryNotFound(d) = &err {
        if let Some(commit) = d.repo_commit.as_deref().filter(|c| is_commit_hash(c)) {
            let _ = rc.write_no_exist(commit, &t.filename);
            if !is_commit_hash(&t.revision) {
                let _ = rc.write_ref(&t.revision, commit);
            }
        }
    }
    err
}

/// Steps 5–9 with the metadata known (from the HEAD, or from a snapshot's listing, which then
/// passes `expect` so the GET's own headers are checked against it).
pub(crate) async fn finish(
    c: &Inner,
    rc: &RepoCache,
    t: &FileTarget,
    meta: FileMetadata,
    how: Flags,
    ctx: &CallCtx,
) -> Result<PathBuf> {
    finish_checked(c, rc, t, meta, how, ctx, false).await
}

pub(crate) async fn finish_checked(
    c: &Inner,
    rc: &RepoCache,
    t: &FileTarget,
    meta: FileMetadata,
    how: Flags,
    ctx: &CallCtx,
    from_listing: bool,
) -> Result<PathBuf> {
    let cfg = &c.config;
    let blob = rc.blob_path(&meta.etag);
    let pointer = rc.pointer_path(&meta.commit, &t.filename);
    let is_commit = is_commit_hash(&t.revision);

    // 5. Pointer already there.
    if pointer.exists() && !how.force_download {
        if !is_commit {
            let _ = rc.write_ref(&t.revision, &meta.commit);
        }
        ctx.sink.skip(meta.size);
        return Ok(pointer);
    }

    // 6. Prepare folders, tag and ref (on the blocking pool, like every file-system step below
    // that creates or renames: on a file system where that is slow, the files of a snapshot then
    // proceed on every core instead of queueing on the runtime's one thread).
    {
        let (rc, blob, pointer) = (rc.clone(), blob.clone(), pointer.clone());
        let (rev, commit) = (t.revision.clone(), meta.commit.clone());
        blocking(move || {
            // The ref first: a snapshot folder with no ref yet is a detached revision to a prune
            // scanning meanwhile (the official client writes it first too).
            if !is_commit {
                rc.write_ref(&rev, &commit)
                    .map_err(|e| Error::io(format!("writing {}", rc.ref_path(&rev).display()), e))?;
            }
            for dir in [blob.parent(), pointer.parent()].into_iter().flatten() {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
            }
            ensure_cachedir_tag(rc.cache_dir());
            Ok(())
        })
        .await?;
    }

    // 7–9. Under the blob lock: reuse the blob, or download and publish it.
    let lock = FileLock::acquire(&rc.lock_path(&meta.etag)).await?;
    let link = |new_blob: bool| {
        create_pointer(&blob, &pointer, new_blob, cfg.disable_symlinks)
            .map_err(|e| Error::io(format!("linking {}", pointer.display()), e))
    };
    if blob.exists() && !how.force_download {
        // A resumable incomplete blob of a writer killed before another client published the
        // blob is dead weight (up to the blob's size); under the lock nobody is writing it.
        rc.remove_incomplete(&meta.etag);
        link(false)?;
        ctx.sink.skip(meta.size);
        return Ok(pointer);
    }
    let expect = from_listing.then_some(Expect { commit: &meta.commit, etag: &meta.etag });
    let sha = meta.sha256_to_verify(how.verify);
    let git_sha1 = meta.git_sha1_to_verify(how.verify).map(str::to_string);
    let url = Url::parse(&meta.location).map_err(|e| Error::Metadata(format!("bad download location: {e}")))?;
    let token = ctx.token(c);
    let lanes = Lanes::from_config(cfg);
    let fetch = Fetch { url, token: token.as_deref(), filename: &t.filename, hash: sha.is_some(), lanes, expect };
    // Only a verified download resumes (from the journal of an earlier attempt, any process): the
    // SHA-256 over the whole file is what makes resumed bytes trustworthy.
    let resumable = sha.is_some();
    loop {
        let mut out = {
            let (rc, etag, name, size) = (rc.clone(), meta.etag.clone(), t.filename.clone(), meta.size);
            blocking(move || IncompleteBlob::open(&rc, &etag, size, &name, resumable)).await?
        }
        .with_writeback(cfg.durable);
        let resumed = out.resumed().total() > 0;
        let got = fetch_into(&c.http, &fetch, &mut out, &ctx.sink, &ctx.cancel).await?;
        let check = sha.map(|expected| (expected.to_string(), got.sha256.unwrap_or_default()));
        let (durable, written) = (cfg.durable, got.written);
        let git_sha1 = git_sha1.clone().filter(|_| written == out.size());
        let published = blocking(move || {
            if let Some(expected) = &git_sha1 {
                out.verify_git_sha1(expected)?;
            }
            out.publish(written, check.as_ref().map(|(e, g)| (e.as_str(), g.as_str())), durable).map(|_| ())
        })
        .await;
        match published {
            // Resumed bytes that do not add up (a journal that outlived its data after a power
            // loss): the files are gone; download once more from nothing.
            Err(Error::Checksum(_)) if resumed => continue,
            r => {
                r?;
                break;
            }
        }
    }
    {
        let (blob, pointer, no_symlinks) = (blob.clone(), pointer.clone(), cfg.disable_symlinks);
        blocking(move || {
            create_pointer(&blob, &pointer, true, no_symlinks)
                .map_err(|e| Error::io(format!("linking {}", pointer.display()), e))
        })
        .await?;
    }
    drop(lock);
    if let Some(max) = cfg.cache_max_bytes {
        // A scan of the whole cache: on the blocking pool, so the runtime keeps serving others.
        let (dir, commit) = (cfg.cache_dir.clone(), meta.commit.clone());
        let _ = tokio::task::spawn_blocking(move || enforce_quota(&dir, max, &commit)).await;
    }
    Ok(pointer)
}

/// The cache quota (`Config::cache_max_bytes`), after a download added a blob: evict the least
/// recently used revisions down to `max` bytes, keeping `commit` (the one just downloaded into)
/// and whatever other downloads hold locked. Best effort: a failure here never fails the download.
fn enforce_quota(cache_dir: &std::path::Path, max: u64, commit: &str) {
    if let Ok(info) = crate::cache::scan(cache_dir) {
        if info.size_on_disk > max {
            crate::cache::execute(&info.plan_evict_keeping(max, Some(commit)));
        }
    }
}

/// The error when the metadata failed and nothing was cached (§3.2 step 3.3).
fn not_cached_error(err: Error, t: &FileTarget, offline: bool) -> Error {
    let what = t.describe();
    if offline {
        return Error::Offline(format!(
            "{what} is not in the local cache and outgoing traffic is disabled (offline mode or local_files_only)"
        ));
    }
    match err {
        Error::Network(m) => Error::Network(format!("{m}; {what} is not in the local cache")),
        Error::Timeout(m) => Error::Timeout(format!("{m}; {what} is not in the local cache")),
        Error::Metadata(m) => Error::Metadata(format!("{m}; {what} is not in the local cache")),
        other => other,
    }
}
