//! `hf_hub_download` in cache mode (hub-protocol.md §3.1–§3.5): one file into the shared cache.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::Url;

use crate::cache::layout::{create_pointer, ensure_cachedir_tag, probe_new_file_mode, random_hex8};
use crate::cache::{CacheLookup, FileLock, RepoCache};
use crate::download::metadata::{head_metadata, FileMetadata};
use crate::download::transfer::{fetch_to_file, Fetch, Observer};
use crate::error::{Error, Result};
use crate::repo::{is_commit_hash, validate_filename, validate_revision, Repo, RepoType};
use crate::{CancelToken, Client, Progress};

/// Options of a single-file download. `Default` gives: model repo, `main`, verify on.
pub struct DownloadOptions<'a> {
    /// Repository type.
    pub repo_type: RepoType,
    /// Branch, tag, 40-hex commit or `refs/pr/N`; `None` means `main`.
    pub revision: Option<String>,
    /// Folder inside the repo, prefixed to the filename.
    pub subfolder: Option<String>,
    /// Download again even when cached.
    pub force_download: bool,
    /// Never touch the network; fail with [`Error::Offline`] when not cached.
    pub local_files_only: bool,
    /// Check the SHA-256 of LFS files against their ETag (on by default).
    pub verify: bool,
    /// Progress callback; return `false` to cancel.
    pub progress: Option<&'a mut dyn FnMut(&Progress) -> bool>,
    /// Cancellation from another thread.
    pub cancel: Option<&'a CancelToken>,
}

impl Default for DownloadOptions<'_> {
    fn default() -> Self {
        DownloadOptions {
            repo_type: RepoType::Model,
            revision: None,
            subfolder: None,
            force_download: false,
            local_files_only: false,
            verify: true,
            progress: None,
            cancel: None,
        }
    }
}

/// Retry waits of the patient second metadata attempt (§0.6): 1, 2, 4, 8, 8 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_secs((1u64 << attempt.min(3)).min(8))
}

pub(crate) struct Target {
    pub repo: Repo,
    pub revision: String,
    pub filename: String,
}

/// Validate the inputs shared by download, metadata and cache lookup.
pub(crate) fn target(
    repo_id: &str,
    filename: &str,
    repo_type: RepoType,
    revision: Option<&str>,
    subfolder: Option<&str>,
) -> Result<Target> {
    let repo = Repo::new(repo_id, repo_type)?;
    let revision = revision.unwrap_or("main").to_string();
    validate_revision(&revision)?;
    let filename = match subfolder.map(|s| s.trim_matches('/')).filter(|s| !s.is_empty()) {
        Some(sub) => format!("{sub}/{filename}"),
        None => filename.to_string(),
    };
    validate_filename(&filename)?;
    Ok(Target { repo, revision, filename })
}

impl Client {
    /// The resolve URL of a file.
    fn resolve_url(&self, t: &Target) -> Result<Url> {
        Url::parse(&t.repo.resolve_url(&self.config().endpoint, &t.revision, &t.filename))
            .map_err(|e| Error::InvalidArgument(format!("endpoint {:?}: {e}", self.config().endpoint)))
    }

    fn head(&self, t: &Target, timeout: Duration, cancel: Option<&CancelToken>) -> Result<FileMetadata> {
        let token = self.token();
        let what = format!("{} in {} at revision {}", t.filename, t.repo.id(), t.revision);
        let cancelled = || cancel.is_some_and(|c| c.is_cancelled());
        let url = self.resolve_url(t)?;
        head_metadata(self.http(), self.endpoint_url(), url, token.as_deref(), timeout, &what, &cancelled)
    }

    /// File metadata (HEAD only): commit, ETag, size, download location. Touches no file.
    pub fn file_metadata(
        &self,
        repo_id: &str,
        filename: &str,
        repo_type: RepoType,
        revision: Option<&str>,
        subfolder: Option<&str>,
    ) -> Result<FileMetadata> {
        let t = target(repo_id, filename, repo_type, revision, subfolder)?;
        self.head(&t, self.config().etag_timeout, None)
    }

    /// `try_to_load_from_cache`: what the cache knows, with no network (§3.5).
    pub fn try_load_from_cache(
        &self,
        repo_id: &str,
        filename: &str,
        repo_type: RepoType,
        revision: Option<&str>,
        subfolder: Option<&str>,
    ) -> Result<CacheLookup> {
        let t = target(repo_id, filename, repo_type, revision, subfolder)?;
        Ok(RepoCache::new(&self.config().cache_dir, &t.repo).lookup(&t.revision, &t.filename))
    }

    /// Download one file into the cache (or find it there) and return its snapshot path
    /// `<cache>/<repo folder>/snapshots/<commit>/<filename>`.
    pub fn download(&self, repo_id: &str, filename: &str, opts: DownloadOptions<'_>) -> Result<PathBuf> {
        let t = target(repo_id, filename, opts.repo_type, opts.revision.as_deref(), opts.subfolder.as_deref())?;
        let cfg = self.config();
        let offline = cfg.offline || opts.local_files_only;
        if opts.force_download && offline {
            return Err(Error::InvalidArgument(
                "force_download cannot be combined with offline mode or local_files_only".into(),
            ));
        }
        let rc = RepoCache::new(&cfg.cache_dir, &t.repo);
        let mut obs = Observer::new(opts.progress, opts.cancel);

        // 1. Commit shortcut: no request at all.
        if is_commit_hash(&t.revision) && !opts.force_download {
            let p = rc.pointer_path(&t.revision, &t.filename);
            if p.exists() {
                return Ok(p);
            }
        }

        // 2. Metadata.
        let first =
            if offline { Err(Error::Offline(String::new())) } else { self.head(&t, cfg.etag_timeout, opts.cancel) };
        let err = match first {
            Ok(meta) => return self.finish(&rc, &t, meta, opts.force_download, opts.verify, &mut obs),
            Err(e) => e,
        };
        if matches!(err, Error::RevisionNotFound(_) | Error::EntryNotFound(_) | Error::Cancelled) {
            return Err(self.record_missing(&rc, &t, err));
        }
        // 3. Fall back to the cache, then make one patient retry.
        if !opts.force_download {
            if let Some(commit) = rc.resolve_commit(&t.revision) {
                let p = rc.pointer_path(&commit, &t.filename);
                if p.exists() {
                    return Ok(p);
                }
            }
        }
        let mut err = err;
        if !opts.force_download && err.is_retryable() {
            for attempt in 0..cfg.http_retries {
                obs.sleep(backoff(attempt))?;
                match self.head(&t, Duration::from_secs(60), opts.cancel) {
                    Ok(meta) => return self.finish(&rc, &t, meta, opts.force_download, opts.verify, &mut obs),
                    Err(e) => {
                        let again = e.is_retryable();
                        err = e;
                        if !again {
                            break;
                        }
                    }
                }
            }
        }
        Err(not_cached_error(self.record_missing(&rc, &t, err), &t, offline))
    }

    /// On EntryNotFound carrying the commit: write `.no_exist/<commit>/<file>` and the ref (§2.7).
    /// Errors writing them are ignored. Returns the error unchanged.
    fn record_missing(&self, rc: &RepoCache, t: &Target, err: Error) -> Error {
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

    fn finish(
        &self,
        rc: &RepoCache,
        t: &Target,
        meta: FileMetadata,
        force: bool,
        verify: bool,
        obs: &mut Observer<'_>,
    ) -> Result<PathBuf> {
        let cfg = self.config();
        let blob = rc.blob_path(&meta.etag);
        let pointer = rc.pointer_path(&meta.commit, &t.filename);
        let is_commit = is_commit_hash(&t.revision);

        // 5. Pointer already there.
        if pointer.exists() && !force {
            if !is_commit {
                let _ = rc.write_ref(&t.revision, &meta.commit);
            }
            return Ok(pointer);
        }

        // 6. Prepare folders, tag and ref.
        let blobs_dir = blob.parent().expect("blob has a parent");
        fs::create_dir_all(blobs_dir).map_err(|e| Error::io(format!("creating {}", blobs_dir.display()), e))?;
        let pdir = pointer.parent().expect("pointer has a parent");
        fs::create_dir_all(pdir).map_err(|e| Error::io(format!("creating {}", pdir.display()), e))?;
        ensure_cachedir_tag(rc.cache_dir());
        if !is_commit {
            rc.write_ref(&t.revision, &meta.commit).map_err(|e| Error::io(format!("writing ref {}", t.revision), e))?;
        }

        // 7–9. Under the lock: reuse the blob, or download it.
        let cancel = obs.cancel;
        let _lock = FileLock::acquire(&rc.lock_path(&meta.etag), &|| cancel.is_some_and(|c| c.is_cancelled()))?;
        if blob.exists() && !force {
            create_pointer(&blob, &pointer, false, cfg.disable_symlinks)
                .map_err(|e| Error::io(format!("linking {}", pointer.display()), e))?;
            return Ok(pointer);
        }
        let tmp = blobs_dir.join(format!("{}.{}.incomplete", meta.etag, random_hex8()));
        let token = self.token();
        let endpoint = self.endpoint_url();
        let url = Url::parse(&meta.location).map_err(|e| Error::Metadata(format!("bad download location: {e}")))?;
        let sha = (verify && meta.is_lfs && meta.etag.len() == 64).then_some(meta.etag.as_str());
        let fetch = Fetch {
            url,
            token: token.as_deref(),
            token_origin: endpoint,
            expected_size: meta.size,
            expected_sha256: sha,
            filename: &t.filename,
        };
        let res = fetch_to_file(self.http(), &fetch, &tmp, obs).and_then(|()| {
            if let Some(mode) = probe_new_file_mode(blobs_dir) {
                set_mode(&tmp, mode);
            }
            fs::rename(&tmp, &blob).map_err(|e| Error::io(format!("renaming into {}", blob.display()), e))
        });
        if let Err(e) = res {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        create_pointer(&blob, &pointer, true, cfg.disable_symlinks)
            .map_err(|e| Error::io(format!("linking {}", pointer.display()), e))?;
        Ok(pointer)
    }
}

#[cfg(unix)]
fn set_mode(p: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = fs::set_permissions(p, fs::Permissions::from_mode(mode));
}

#[cfg(not(unix))]
fn set_mode(_: &std::path::Path, _: u32) {}

/// The error when the metadata failed and nothing was cached (§3.2 step 3.3).
fn not_cached_error(err: Error, t: &Target, offline: bool) -> Error {
    let what = format!("{} in {} at revision {}", t.filename, t.repo.id(), t.revision);
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
