//! [`Client`]: the whole Rust surface, one short delegating method per operation, grouped by area.
//! It owns the one async runtime and the one HTTP client (design.md §1.1): a call blocks its
//! caller until done, every wait inside it races against its cancel token, and progress is
//! reported on the calling thread, outside the runtime, at a bounded rate.
//!
//! The runtime is tokio's *current-thread* scheduler, driven by the calling threads themselves:
//! the thread inside `block_on` runs the I/O driver and the connection tasks; other callers poll
//! their own calls and take over driving when it leaves. Measured against a two-worker
//! multi-thread runtime (BENCHMARKS.md), it removes the cross-thread hand-offs of every request
//! (warm `main` hit 155 → 71 µs per call, curl's bare HEAD being 56 µs) and lets the socket reads
//! overlap with the hashing (512 MiB: 0.69 → 0.61 s). Blocking work (lock waits, the SHA-256 of
//! large files) goes to the runtime's blocking pool. Since nothing drives idle connections
//! between calls, a connection the server closed meanwhile is detected on use, and an idempotent
//! request is then sent again once on a new one (`http::Http::send`).

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use reqwest::Url;

use crate::api::{CommitInfo as CommitSummary, CreateRepo, GitRef, RepoInfo, TreeEntry, Visibility, WhoAmI};
use crate::cache::{CacheInfo, CacheLookup, CachePlan, ExecReport, RepoCache, VerifyReport};
use crate::config::Config;
use crate::download::file::DownloadOptions;
use crate::download::gguf::GgufOptions;
use crate::download::snapshot::SnapshotOptions;
use crate::download::{FileMetadata, GgufPlan, GgufSelect, Snapshot, SnapshotRef};
use crate::error::{Error, Result};
use crate::http::Http;
use crate::progress::{CancelToken, ProgressFn, ProgressSink, PROGRESS_INTERVAL};
use crate::repo::{FileRef, Repo, RepoType};
use crate::upload::{CommitInfo, CommitOperation, CommitSpec, FolderSpec, UploadOptions};

/// A Hub client. Cheap to clone and to share: `&Client` is usable from many threads at once.
///
/// Its methods block; do not call them from inside an async runtime's worker (use
/// `spawn_blocking`), since the client drives its own runtime.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

/// What every operation needs: configuration, HTTP client, runtime.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) http: Http,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Never block the dropping thread on lingering blocking tasks (abandoned lock waits).
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The cancel token and progress sink of one call, handed to its async body.
#[derive(Debug, Clone)]
pub(crate) struct CallCtx {
    pub(crate) cancel: CancelToken,
    pub(crate) sink: ProgressSink,
    /// The token, resolved once per call (the files of a snapshot share it).
    pub(crate) token: Arc<std::sync::OnceLock<Option<String>>>,
}

impl CallCtx {
    /// A context for one more file of the same call: same cancel token and resolved token, its
    /// own progress view.
    pub(crate) fn for_file(&self) -> CallCtx {
        CallCtx { cancel: self.cancel.clone(), sink: self.sink.for_file(), token: self.token.clone() }
    }

    /// The call's token ([`Inner::token`], read once per call).
    pub(crate) fn token(&self, c: &Inner) -> Option<String> {
        self.token.get_or_init(|| c.token()).clone()
    }
}

impl Inner {
    /// The token sent to the Hub: explicit, else (unless implicit tokens are disabled) the
    /// environment's, else the token file's (§5.1, §5.4).
    pub(crate) fn token(&self) -> Option<String> {
        crate::auth::resolve_token(&self.config, !self.config.disable_implicit_token)
    }

    /// The token regardless of `HF_HUB_DISABLE_IMPLICIT_TOKEN` (calls that require one).
    pub(crate) fn required_token(&self) -> Option<String> {
        crate::auth::resolve_token(&self.config, true)
    }

    /// `{endpoint}{path}` as a URL.
    pub(crate) fn api_url(&self, path: &str) -> Result<Url> {
        Url::parse(&format!("{}{path}", self.config.endpoint))
            .map_err(|e| Error::InvalidArgument(format!("endpoint {:?}: {e}", self.config.endpoint)))
    }
}

impl Client {
    /// Build a client from a configuration (validated: see [`Config::validate`]).
    pub fn new(config: Config) -> Result<Client> {
        let hub = config.validate()?;
        let http = Http::new(&config, hub)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .max_blocking_threads(64)
            .thread_name("hf_hub-blocking")
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("cannot start the I/O runtime: {e}")))?;
        Ok(Client { inner: Arc::new(Inner { config, http, runtime: Some(runtime) }) })
    }

    /// Build a client from the process environment.
    pub fn from_env() -> Result<Client> {
        Client::new(Config::from_env())
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The token this client sends to the Hub, if any (§5.1, §5.4): the explicit one; unless
    /// implicit tokens are disabled, then `HF_TOKEN`/`HUGGING_FACE_HUB_TOKEN`, then the token file
    /// (read at each call, so a login is seen at once).
    pub fn token(&self) -> Option<String> {
        self.inner.token()
    }

    /// Run one call: `body` on the calling thread inside the runtime, raced against `cancel`;
    /// with a `progress` callback, the thread leaves the runtime at most every 100 ms (or when a
    /// file starts or ends) to report, so the callback may call the library itself.
    ///
    /// A failed call's error leaves with the client's token redacted from every text it holds:
    /// the last line of defence behind the redaction where server text and URLs enter messages
    /// (a server can put the token anywhere: a redirect target's path, then a transport error
    /// about that URL, say).
    pub(crate) fn run<'a, T, Fut>(
        &'a self,
        cancel: Option<&CancelToken>,
        progress: Option<ProgressFn<'_>>,
        body: impl FnOnce(&'a Inner, CallCtx) -> Fut,
    ) -> Result<T>
    where
        Fut: Future<Output = Result<T>> + 'a,
    {
        let rt = self.inner.runtime.as_ref().expect("the runtime lives as long as the client");
        let ctx = CallCtx {
            cancel: cancel.map(CancelToken::child).unwrap_or_default(),
            sink: ProgressSink::new(),
            token: Default::default(),
        };
        let token = ctx.cancel.clone();
        let sink = ctx.sink.clone();
        let inner = &self.inner;
        let guarded = token.guard(body(inner, ctx));
        let work = async move {
            guarded.await.map_err(|e| match inner.token() {
                Some(t) => e.redact_token(&t),
                None => e,
            })
        };
        let mut work = std::pin::pin!(work);
        let Some(cb) = progress else { return rt.block_on(work) };
        sink.set_reporting();
        let mut last = None;
        loop {
            let step = rt.block_on(async {
                tokio::select! {
                    r = &mut work => Some(r),
                    _ = sink.notified() => None,
                    _ = tokio::time::sleep(PROGRESS_INTERVAL) => None,
                }
            });
            // The call is over: its final state is delivered whatever the rate (a last file found
            // in the cache only marks the state changed).
            if step.is_some() {
                last = None;
            }
            // Outside the runtime: the callback may call the library (nested calls work).
            if !sink.drain(cb, &mut last) {
                token.cancel();
            }
            if let Some(r) = step {
                return r;
            }
        }
    }

    // ---- download ------------------------------------------------------------------------------

    /// Download one file into the cache (or find it there) and return its snapshot path
    /// `<cache>/<repo folder>/snapshots/<commit>/<filename>`.
    pub fn download(&self, file: &FileRef, how: DownloadOptions<'_>) -> Result<PathBuf> {
        let DownloadOptions { progress, cancel, force_download, local_files_only, verify, local_dir } = how;
        let flags = crate::download::file::Flags { force_download, local_files_only, verify };
        if let Some(dir) = local_dir {
            return self.run(cancel, progress, |c, ctx| async move {
                crate::download::local_dir::download(c, file, dir, flags, &ctx).await
            });
        }
        if let Some(hit) = crate::download::file::pinned_hit(&self.inner, file, flags) {
            return Ok(hit);
        }
        self.run(cancel, progress, |c, ctx| async move { crate::download::file::download(c, file, flags, &ctx).await })
    }

    /// File metadata (HEAD only): commit, ETag, size, download location. Touches no file.
    pub fn file_metadata(&self, file: &FileRef, cancel: Option<&CancelToken>) -> Result<FileMetadata> {
        self.run(cancel, None, |c, _| async move { crate::download::file::metadata(c, file).await })
    }

    /// `try_to_load_from_cache`: what the cache knows, with no network (§3.5).
    pub fn try_load_from_cache(&self, file: &FileRef) -> Result<CacheLookup> {
        let t = file.validate()?;
        Ok(RepoCache::new(&self.config().cache_dir, &t.repo).lookup(&t.revision, &t.filename))
    }

    /// Download a snapshot: every file of one commit selected by the patterns, into the cache
    /// (returns `snapshots/<commit>`) or a local_dir (§4). Offline, the cached snapshot is
    /// returned only when complete ([`Error::IncompleteSnapshot`] names what is missing).
    pub fn snapshot_download(&self, what: &SnapshotRef, how: SnapshotOptions<'_>) -> Result<Snapshot> {
        let SnapshotOptions { force_download, local_files_only, verify, max_workers, local_dir, progress, cancel } =
            how;
        let params = crate::download::snapshot::Params {
            flags: crate::download::file::Flags { force_download, local_files_only, verify },
            local_dir: local_dir.map(|d| d.to_path_buf()),
            max_workers,
        };
        self.run(
            cancel,
            progress,
            |c, ctx| async move { crate::download::snapshot::snapshot(c, what, &params, &ctx).await },
        )
    }

    /// Resolve `org/repo[:QUANT]` to a GGUF plan (model parts in order, projector, other sidecars,
    /// commit, sizes) without downloading (see [`crate::gguf`] for the rules). `local_files_only`
    /// (or offline mode, or an unreachable Hub) resolves from the cache alone.
    pub fn gguf_resolve(
        &self,
        spec: &str,
        select: &GgufSelect,
        local_files_only: bool,
        cancel: Option<&CancelToken>,
    ) -> Result<GgufPlan> {
        self.run(cancel, None, |c, ctx| async move {
            crate::download::gguf::resolve(c, spec, select, local_files_only, &ctx).await
        })
    }

    /// Download every file of a plan into the cache (files in parallel, aggregate progress) and
    /// return it with every local path set.
    pub fn gguf_download_plan(&self, plan: &GgufPlan, how: GgufOptions<'_>) -> Result<GgufPlan> {
        let GgufOptions { local_files_only, verify, max_workers, progress, cancel } = how;
        let flags = crate::download::file::Flags { force_download: false, local_files_only, verify };
        self.run(cancel, progress, |c, ctx| async move {
            crate::download::gguf::download(c, plan, flags, max_workers, &ctx).await
        })
    }

    /// [`Client::gguf_resolve`] then [`Client::gguf_download_plan`] in one call.
    pub fn gguf_download(&self, spec: &str, select: &GgufSelect, how: GgufOptions<'_>) -> Result<GgufPlan> {
        let GgufOptions { local_files_only, verify, max_workers, progress, cancel } = how;
        let flags = crate::download::file::Flags { force_download: false, local_files_only, verify };
        self.run(cancel, progress, |c, ctx| async move {
            let plan = crate::download::gguf::resolve(c, spec, select, local_files_only, &ctx).await?;
            crate::download::gguf::download(c, &plan, flags, max_workers, &ctx).await
        })
    }

    // ---- repository API ------------------------------------------------------------------------

    /// Repo info at a revision (`None`: the default branch), with file sizes (§1.4).
    pub fn repo_info(&self, repo: &Repo, revision: Option<&str>, cancel: Option<&CancelToken>) -> Result<RepoInfo> {
        self.run(cancel, None, |c, _| async move { crate::api::repo::repo_info(c, repo, revision).await })
    }

    /// The tree of a revision under `path` (`None`: the root), every page (§1.5).
    pub fn list_tree(
        &self,
        repo: &Repo,
        revision: Option<&str>,
        path: Option<&str>,
        recursive: bool,
        cancel: Option<&CancelToken>,
    ) -> Result<Vec<TreeEntry>> {
        self.run(cancel, None, |c, ctx| async move {
            crate::api::repo::list_tree(c, repo, revision, path, recursive, &ctx).await
        })
    }

    /// Entries of the given paths; paths that do not exist are left out (§1.6).
    pub fn paths_info(
        &self,
        repo: &Repo,
        revision: Option<&str>,
        paths: &[String],
        cancel: Option<&CancelToken>,
    ) -> Result<Vec<TreeEntry>> {
        self.run(cancel, None, |c, _| async move { crate::api::repo::paths_info(c, repo, revision, paths).await })
    }

    /// Branches, tags, converts, and pull requests when `include_prs` (§1.7).
    pub fn list_refs(&self, repo: &Repo, include_prs: bool, cancel: Option<&CancelToken>) -> Result<Vec<GitRef>> {
        self.run(cancel, None, |c, _| async move { crate::api::repo::list_refs(c, repo, include_prs).await })
    }

    /// The history of a revision, newest first (§1.7).
    pub fn list_commits(
        &self,
        repo: &Repo,
        revision: Option<&str>,
        cancel: Option<&CancelToken>,
    ) -> Result<Vec<CommitSummary>> {
        self.run(cancel, None, |c, ctx| async move { crate::api::repo::list_commits(c, repo, revision, &ctx).await })
    }

    /// Whether the repo exists and is visible (gated repos count as existing).
    pub fn repo_exists(&self, repo: &Repo, cancel: Option<&CancelToken>) -> Result<bool> {
        self.run(cancel, None, |c, _| async move { crate::api::repo::repo_exists(c, repo).await })
    }

    /// Whether `filename` exists at a revision (one HEAD).
    pub fn file_exists(
        &self,
        repo: &Repo,
        revision: Option<&str>,
        filename: &str,
        cancel: Option<&CancelToken>,
    ) -> Result<bool> {
        self.run(cancel, None, |c, _| async move { crate::api::repo::file_exists(c, repo, revision, filename).await })
    }

    // ---- upload and repository administration -------------------------------------------------

    /// Make one commit of `ops` (§7.1): preupload, LFS uploads (only what the Hub lacks), then the
    /// commit, last. Nothing is committed when every operation is a no-op (`committed` false).
    pub fn create_commit(
        &self,
        spec: &CommitSpec,
        ops: Vec<CommitOperation>,
        how: UploadOptions<'_>,
    ) -> Result<CommitInfo> {
        self.run(how.cancel, how.progress, |c, ctx| async move {
            crate::upload::commit::create_commit(c, spec, ops, &ctx).await
        })
    }

    /// Upload one local file to `path_in_repo` (`upload_file`, §7.3). An empty `spec.summary`
    /// becomes `Upload {path_in_repo} with huggingface_hub`.
    pub fn upload_file(
        &self,
        spec: &CommitSpec,
        file: impl Into<PathBuf>,
        path_in_repo: &str,
        how: UploadOptions<'_>,
    ) -> Result<CommitInfo> {
        let mut spec = spec.clone();
        if spec.summary.is_empty() {
            spec.summary = format!("Upload {path_in_repo} with huggingface_hub");
        }
        self.create_commit(&spec, vec![CommitOperation::add_file(path_in_repo, file)], how)
    }

    /// Upload a folder (`upload_folder`, §7.4), split into several commits past the limits. An
    /// empty `spec.summary` becomes `Upload folder using huggingface_hub`.
    pub fn upload_folder(&self, spec: &CommitSpec, folder: &FolderSpec, how: UploadOptions<'_>) -> Result<CommitInfo> {
        let mut spec = spec.clone();
        if spec.summary.is_empty() {
            spec.summary = "Upload folder using huggingface_hub".into();
        }
        let spec = &spec;
        self.run(how.cancel, how.progress, |c, ctx| async move {
            crate::upload::folder::upload_folder(c, spec, folder, &ctx).await
        })
    }

    /// Create a repository (§1.8); returns its URL. With `exist_ok`, an existing one is fine.
    pub fn create_repo(&self, what: &CreateRepo, cancel: Option<&CancelToken>) -> Result<String> {
        self.run(cancel, None, |c, _| async move { crate::api::repos::create_repo(c, what).await })
    }

    /// Delete a repository (§1.9); with `missing_ok`, a missing one is fine.
    pub fn delete_repo(
        &self,
        repo_id: &str,
        repo_type: RepoType,
        missing_ok: bool,
        cancel: Option<&CancelToken>,
    ) -> Result<()> {
        let repo = Repo::new(repo_id, repo_type)?;
        self.run(cancel, None, |c, _| async move { crate::api::repos::delete_repo(c, &repo, missing_ok).await })
    }

    /// Rename or transfer a repository (`from` and `to` are `namespace/name`).
    pub fn move_repo(&self, from: &str, to: &str, repo_type: RepoType, cancel: Option<&CancelToken>) -> Result<()> {
        let repo = Repo::new(from, repo_type)?;
        self.run(cancel, None, |c, _| async move { crate::api::repos::move_repo(c, &repo, to).await })
    }

    /// Make a repository public or private.
    pub fn update_repo_visibility(
        &self,
        repo_id: &str,
        repo_type: RepoType,
        visibility: Visibility,
        cancel: Option<&CancelToken>,
    ) -> Result<()> {
        let repo = Repo::new(repo_id, repo_type)?;
        self.run(cancel, None, |c, _| async move { crate::api::repos::update_visibility(c, &repo, visibility).await })
    }

    /// Create `branch` at `from` (default: the head of `main`); with `exist_ok`, an existing one is fine.
    pub fn create_branch(
        &self,
        repo_id: &str,
        repo_type: RepoType,
        branch: &str,
        from: Option<&str>,
        exist_ok: bool,
        cancel: Option<&CancelToken>,
    ) -> Result<()> {
        let repo = Repo::new(repo_id, repo_type)?;
        self.run(cancel, None, |c, _| async move {
            crate::api::repos::create_branch(c, &repo, branch, from, exist_ok).await
        })
    }

    /// Delete a branch.
    pub fn delete_branch(
        &self,
        repo_id: &str,
        repo_type: RepoType,
        branch: &str,
        cancel: Option<&CancelToken>,
    ) -> Result<()> {
        let repo = Repo::new(repo_id, repo_type)?;
        self.run(cancel, None, |c, _| async move { crate::api::repos::delete_branch(c, &repo, branch).await })
    }

    /// Tag `revision` (default `main`) as `tag`, with an optional message.
    #[allow(clippy::too_many_arguments)]
    pub fn create_tag(
        &self,
        repo_id: &str,
        repo_type: RepoType,
        tag: &str,
        revision: Option<&str>,
        message: Option<&str>,
        exist_ok: bool,
        cancel: Option<&CancelToken>,
    ) -> Result<()> {
        let repo = Repo::new(repo_id, repo_type)?;
        self.run(cancel, None, |c, _| async move {
            crate::api::repos::create_tag(c, &repo, tag, revision, message, exist_ok).await
        })
    }

    /// Delete a tag.
    pub fn delete_tag(
        &self,
        repo_id: &str,
        repo_type: RepoType,
        tag: &str,
        cancel: Option<&CancelToken>,
    ) -> Result<()> {
        let repo = Repo::new(repo_id, repo_type)?;
        self.run(cancel, None, |c, _| async move { crate::api::repos::delete_tag(c, &repo, tag).await })
    }

    // ---- cache ---------------------------------------------------------------------------------

    /// Scan this client's cache (§8.1): repos, revisions, files, incomplete downloads, warnings.
    pub fn cache_scan(&self) -> Result<CacheInfo> {
        crate::cache::scan(&self.inner.config.cache_dir)
    }

    /// Execute a deletion, prune, eviction or verify plan, skipping what downloads hold locked.
    pub fn cache_execute(&self, plan: &CachePlan) -> ExecReport {
        crate::cache::execute(plan)
    }

    /// Re-hash the scanned blobs (of one repo id, or all) against their names.
    pub fn cache_verify(
        &self,
        info: &CacheInfo,
        repo_id: Option<&str>,
        progress: Option<ProgressFn<'_>>,
        cancel: Option<&CancelToken>,
    ) -> Result<VerifyReport> {
        self.run(cancel, progress, |_, ctx| async move { crate::cache::verify::verify(info, repo_id, &ctx.sink).await })
    }

    // ---- auth ----------------------------------------------------------------------------------

    /// Who the configured token belongs to. Needs a token ([`Error::NoToken`] otherwise).
    pub fn whoami(&self, cancel: Option<&CancelToken>) -> Result<WhoAmI> {
        self.run(cancel, None, |c, _| async move { crate::api::whoami(c, None).await })
    }

    /// Who `token` belongs to.
    pub fn whoami_with(&self, token: &str, cancel: Option<&CancelToken>) -> Result<WhoAmI> {
        self.run(cancel, None, |c, _| async move { crate::api::whoami(c, Some(token)).await })
    }

    /// Validate `token` with whoami, store it in `stored_tokens` under its name and make it the
    /// active token (the token file). Returns the name it was stored under.
    pub fn login(&self, token: &str, cancel: Option<&CancelToken>) -> Result<String> {
        self.run(cancel, None, |c, _| async move { crate::auth::login::login(c, token).await })
    }

    /// Log out: `None` deletes the token file and every stored token; `Some(name)` removes that
    /// stored token (and the token file when it held it). Tokens from `HF_TOKEN` are not affected.
    pub fn logout(&self, name: Option<&str>) -> Result<()> {
        crate::auth::login::logout(&self.inner.config, name)
    }

    /// Make the stored token `name` the active one.
    pub fn switch_token(&self, name: &str) -> Result<()> {
        crate::auth::login::switch(&self.inner.config, name)
    }

    /// Names of the stored tokens, sorted.
    pub fn stored_token_names(&self) -> Result<Vec<String>> {
        crate::auth::login::stored_names(&self.inner.config)
    }

    /// The name of the stored token that is currently active, if any.
    pub fn active_token_name(&self) -> Option<String> {
        crate::auth::login::active_name(&self.inner.config)
    }
}
