//! GGUF model loading (`org/repo[:QUANT]`): resolve to a plan with [`crate::gguf::resolve`] over the
//! file list of one commit, then fetch the plan's files in parallel into the shared cache with the
//! snapshot machinery (aggregate progress). Offline — or when the Hub cannot be reached — the plan
//! comes from the cache alone: the commit from `refs/`, the file list from `trees/<commit>.json`
//! when cached, else from the snapshot folder (as llama.cpp reads it, so a cache llama.cpp filled
//! works too).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::api::repo::resolve_commit;
use crate::cache::tree_cache::{self, TreeFile};
use crate::cache::RepoCache;
use crate::client::{CallCtx, Inner};
use crate::download::file::Flags;
use crate::download::snapshot::{fetch_files, listing, Dest, Listing, DEFAULT_MAX_WORKERS};
use crate::error::{Error, Result};
use crate::gguf::{self, RepoEntry, SidecarKind};
use crate::repo::{is_commit_hash, validate_revision, Repo, RepoType};

/// What a file of a plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GgufRole {
    /// The model (one file, or one part of a split model).
    Model,
    /// The multimodal projector.
    Mmproj,
    /// Multi-token-prediction draft.
    Mtp,
    /// EAGLE-3 draft.
    Eagle3,
    /// DFlash draft.
    Dflash,
    /// DSpark draft.
    Dspark,
    /// `preset.ini`.
    Preset,
}

impl From<SidecarKind> for GgufRole {
    fn from(k: SidecarKind) -> GgufRole {
        match k {
            SidecarKind::Mmproj => GgufRole::Mmproj,
            SidecarKind::Mtp => GgufRole::Mtp,
            SidecarKind::Eagle3 => GgufRole::Eagle3,
            SidecarKind::Dflash => GgufRole::Dflash,
            SidecarKind::Dspark => GgufRole::Dspark,
            SidecarKind::Preset => GgufRole::Preset,
        }
    }
}

/// One file of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GgufFile {
    /// What it is for.
    pub role: GgufRole,
    /// Path in the repo.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// The listing's record (blob id, LFS SHA-256, Xet hash): what the download checks against.
    #[serde(skip)]
    pub(crate) file: TreeFile,
    /// SHA-256 of an LFS file.
    pub sha256: Option<String>,
    /// The snapshot path in the cache, when the file is there.
    pub local_path: Option<PathBuf>,
}

/// What `org/repo[:QUANT]` resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GgufPlan {
    /// `org/repo`.
    pub repo_id: String,
    /// The revision asked for (`main` by default).
    pub revision: String,
    /// The commit it resolved to.
    pub commit: String,
    /// The chosen model's quant (may be empty).
    pub quant: String,
    /// Model parts in order, then the sidecars (projector first).
    pub files: Vec<GgufFile>,
}

impl GgufPlan {
    /// The model's local paths in part order (all `Some` after a download).
    pub fn model_paths(&self) -> Vec<Option<&Path>> {
        self.files.iter().filter(|f| f.role == GgufRole::Model).map(|f| f.local_path.as_deref()).collect()
    }

    /// The first file of a role, if the plan has one.
    pub fn file(&self, role: GgufRole) -> Option<&GgufFile> {
        self.files.iter().find(|f| f.role == role)
    }
}

/// Which files and revision a GGUF call takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GgufSelect {
    /// Branch, tag or commit (`None`: `main`).
    pub revision: Option<String>,
    /// Leave out the multimodal projector.
    pub no_mmproj: bool,
    /// Also take the other sidecars llama.cpp recognises (draft models, `preset.ini`).
    pub other_sidecars: bool,
}

/// *How* a GGUF plan is downloaded. `Default`: verify on, the snapshot default of workers.
pub struct GgufOptions<'a> {
    /// Never touch the network: answer from the cache or fail.
    pub local_files_only: bool,
    /// Check the SHA-256 of LFS files (on by default).
    pub verify: bool,
    /// Files fetched at once (0: the snapshot default).
    pub max_workers: usize,
    /// Aggregate progress on the calling thread; return `false` to cancel.
    pub progress: Option<crate::progress::ProgressFn<'a>>,
    /// Cancellation from another thread.
    pub cancel: Option<&'a crate::progress::CancelToken>,
}

impl Default for GgufOptions<'_> {
    fn default() -> Self {
        GgufOptions { local_files_only: false, verify: true, max_workers: 0, progress: None, cancel: None }
    }
}

/// A listing entry as [`gguf::resolve`] sees it.
#[derive(Clone)]
struct Entry<'a> {
    path: &'a str,
    file: &'a TreeFile,
}

impl RepoEntry for Entry<'_> {
    fn path(&self) -> &str {
        self.path
    }
}

/// Build the plan of `tag` over one commit's listing; local paths filled for files the cache has.
fn plan_of(
    rc: &RepoCache,
    repo_id: &str,
    revision: &str,
    commit: &str,
    listing: &Listing,
    tag: Option<&str>,
    sel: &GgufSelect,
) -> Result<GgufPlan> {
    let entries: Vec<Entry> = listing.iter().map(|(p, f)| Entry { path: p, file: f }).collect();
    let p = gguf::resolve(&entries, tag)?;
    let mut chosen: Vec<(GgufRole, Entry)> = p.model.into_iter().map(|e| (GgufRole::Model, e)).collect();
    if !sel.no_mmproj {
        chosen.extend(p.mmproj.map(|e| (GgufRole::Mmproj, e)));
    }
    if sel.other_sidecars {
        chosen.extend(p.others.into_iter().map(|s| (GgufRole::from(s.kind), s.file)));
    }
    let files = chosen
        .into_iter()
        .map(|(role, e)| {
            let local = rc.pointer_path(commit, e.path);
            GgufFile {
                role,
                path: e.path.to_string(),
                size: e.file.size,
                file: e.file.clone(),
                sha256: e.file.lfs_sha256.clone(),
                local_path: local.is_file().then_some(local),
            }
        })
        .collect();
    Ok(GgufPlan {
        repo_id: repo_id.to_string(),
        revision: revision.to_string(),
        commit: commit.to_string(),
        quant: p.quant,
        files,
    })
}

/// Resolve `spec` (`org/repo[:QUANT]`) to a plan without downloading. Online: the commit, then the
/// listing (tree cache, else the tree API). Offline (`offline` or the client's offline mode), or
/// when the Hub cannot be reached: from the cache alone, see [`from_cache`].
pub(crate) async fn resolve(c: &Inner, spec: &str, sel: &GgufSelect, offline: bool, ctx: &CallCtx) -> Result<GgufPlan> {
    let s = gguf::parse_spec(spec)?;
    let repo = Repo::new(&s.repo_id, RepoType::Model)?;
    let revision = sel.revision.clone().unwrap_or_else(|| "main".to_string());
    validate_revision(&revision)?;
    let rc = RepoCache::new(&c.config.cache_dir, &repo);
    let tag = s.tag.as_deref();
    let fallback = |err| from_cache(&rc, &s.repo_id, &revision, sel.revision.is_none(), tag, sel, err);
    if offline || c.config.offline {
        return fallback(None);
    }
    let commit = if is_commit_hash(&revision) {
        revision.clone()
    } else {
        match resolve_commit(c, &repo, &revision).await {
            Ok(commit) => commit,
            Err(e) if unreachable(&e) => return fallback(Some(e)),
            Err(e) => return Err(e),
        }
    };
    let l = match listing(c, &repo, &commit, &rc.repo_dir().join("trees"), ctx).await {
        Ok(l) => l,
        Err(e) if unreachable(&e) => return fallback(Some(e)),
        Err(e) => return Err(e),
    };
    plan_of(&rc, &s.repo_id, &revision, &commit, &l, tag, sel)
}

/// Errors after which the cache may answer instead (the Hub could not be asked).
fn unreachable(e: &Error) -> bool {
    matches!(e, Error::Network(_) | Error::Timeout(_)) || matches!(e, Error::Http(d) if d.status >= 500)
}

/// The plan from the cache alone. The commit: `refs/<revision>` (a commit is itself); for the
/// default revision without `refs/main`, the first other ref, as llama.cpp does. The file list:
/// `trees/<commit>.json` (then every planned file must be present, else `IncompleteSnapshot` names
/// the missing ones), else the files of `snapshots/<commit>/` (temporary downloads left out).
fn from_cache(
    rc: &RepoCache,
    repo_id: &str,
    revision: &str,
    default_revision: bool,
    tag: Option<&str>,
    sel: &GgufSelect,
    remote_err: Option<Error>,
) -> Result<GgufPlan> {
    let why = match &remote_err {
        Some(e) => format!("the Hub could not be asked: {e}"),
        None => "offline mode or local_files_only".to_string(),
    };
    let commit = rc
        .resolve_commit(revision)
        .or_else(|| default_revision.then(|| first_ref(&rc.repo_dir().join("refs"))).flatten())
        .filter(|c| rc.repo_dir().join("snapshots").join(c).is_dir());
    let Some(commit) = commit else {
        return Err(match remote_err {
            Some(e) => e,
            None => Error::Offline(format!(
                "no snapshot of {repo_id} at {revision} is in the local cache ({why}; set HF_HUB_OFFLINE=0 to allow downloads)"
            )),
        });
    };
    if let Some(l) = tree_cache::read(&rc.repo_dir().join("trees"), &commit) {
        let plan = plan_of(rc, repo_id, revision, &commit, &l, tag, sel)?;
        let missing: Vec<&str> =
            plan.files.iter().filter(|f| f.local_path.is_none()).map(|f| f.path.as_str()).collect();
        if !missing.is_empty() {
            return Err(Error::IncompleteSnapshot(format!(
                "{repo_id} at {revision} (commit {commit}): {} of the {} files of the plan are not in the local cache: {} ({why})",
                missing.len(),
                plan.files.len(),
                missing.join(", ")
            )));
        }
        return Ok(plan);
    }
    let l = snapshot_listing(&rc.repo_dir().join("snapshots").join(&commit));
    plan_of(rc, repo_id, revision, &commit, &l, tag, sel)
}

/// llama.cpp's fallback ref: the first regular file of `refs/` holding a commit (by name order).
fn first_ref(refs: &Path) -> Option<String> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(refs)
        .ok()?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .collect();
    names.sort();
    names.into_iter().find_map(|p| {
        let text = std::fs::read_to_string(p).ok()?;
        let c = text.trim();
        is_commit_hash(c).then(|| c.to_string())
    })
}

/// The files under a snapshot folder as a listing: sizes through the pointers; the blob name gives
/// the blob id or LFS SHA-256. Temporary downloads and dangling pointers are left out.
fn snapshot_listing(root: &Path) -> Listing {
    let mut out = Listing::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                stack.push((e.path(), path));
                continue;
            }
            if crate::cache::scan::is_temp_download(&name) {
                continue;
            }
            let Ok(md) = std::fs::metadata(e.path()) else { continue };
            let blob = std::fs::read_link(e.path())
                .ok()
                .and_then(|t| t.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_default();
            let lfs = (blob.len() == 64).then(|| blob.clone());
            out.insert(
                path,
                TreeFile {
                    size: md.len(),
                    blob_id: if lfs.is_some() { String::new() } else { blob },
                    lfs_size: lfs.as_ref().map(|_| md.len()),
                    lfs_sha256: lfs,
                    xet_hash: None,
                },
            );
        }
    }
    out
}

/// Download every file of `plan` into the cache (present files cost nothing), `workers` at a time
/// with aggregate progress, and write `refs/<revision>` (what llama.cpp and Python read offline).
/// Returns the plan with every local path set.
pub(crate) async fn download(
    c: &Inner,
    plan: &GgufPlan,
    flags: Flags,
    workers: usize,
    ctx: &CallCtx,
) -> Result<GgufPlan> {
    let repo = Repo::new(&plan.repo_id, RepoType::Model)?;
    if !is_commit_hash(&plan.commit) {
        return Err(Error::InvalidArgument(format!("plan commit {:?} is not a commit id", plan.commit)));
    }
    validate_revision(&plan.revision)?;
    let rc = RepoCache::new(&c.config.cache_dir, &repo);
    let offline = c.config.offline || flags.local_files_only;
    let mut out = plan.clone();
    if offline {
        let missing: Vec<&str> = out
            .files
            .iter()
            .filter(|f| !rc.pointer_path(&plan.commit, &f.path).is_file())
            .map(|f| f.path.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(Error::Offline(format!(
                "{} files of {} are not in the local cache and outgoing traffic is disabled: {}",
                missing.len(),
                plan.repo_id,
                missing.join(", ")
            )));
        }
    }
    if plan.revision != plan.commit {
        let _ = rc.write_ref(&plan.revision, &plan.commit);
    }
    let files: Vec<(&str, &TreeFile)> = plan.files.iter().map(|f| (f.path.as_str(), &f.file)).collect();
    let workers = if workers == 0 { DEFAULT_MAX_WORKERS } else { workers };
    let paths = fetch_files(c, &repo, &plan.commit, &files, &Dest::Cache(rc), flags, workers, ctx).await?;
    for (f, p) in out.files.iter_mut().zip(paths) {
        f.local_path = Some(p);
    }
    Ok(out)
}
