//! `upload_folder` (hub-protocol.md §7.4): walk the folder (sorted, files only, symlinked folders
//! not followed), filter with allow/ignore patterns plus the defaults (`.git/`,
//! `.cache/huggingface/`), plan deletes from `delete_patterns` against the remote tree, then
//! commit — split into several commits when the operations exceed the limits (§7.6). A rerun after
//! an interruption commits only what the Hub does not have (preupload oids, LFS batch actions).

use std::path::{Path, PathBuf};

use super::patterns::DEFAULT_IGNORE;
use super::{CommitInfo, CommitOperation, CommitSpec, FolderSpec};
use crate::client::{CallCtx, Inner};
use crate::error::{Error, Result};
use crate::pattern::{Filter, Patterns};
use crate::repo::Repo;

/// Operations per commit by default: the official client's per-commit LFS file limit (§7.6).
pub(crate) const MAX_OPS_PER_COMMIT: usize = 25_000;
/// Bytes of small (regular-sized) files per commit: the payload limit is 1 GB of base64 (§7.6).
pub(crate) const MAX_REGULAR_BYTES_PER_COMMIT: u64 = 512 << 20;
/// Files at least this large are LFS by the Hub's rules (never in the payload).
const LFS_SIZE: u64 = 10 << 20;

/// Files under `root`, as (repo-relative path with `/`, absolute path, size), sorted by path.
fn walk(root: &Path) -> Result<Vec<(String, PathBuf, u64)>> {
    fn rec(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf, u64)>) -> Result<()> {
        let rd = std::fs::read_dir(dir).map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
        for entry in rd {
            let entry = entry.map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
            let path = entry.path();
            let ft = entry.file_type().map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
            if ft.is_dir() {
                rec(root, &path, out)?;
                continue;
            }
            // A symlink counts when it points at a file (its target's content is uploaded).
            let meta = match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => m,
                _ => continue,
            };
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            out.push((rel.join("/"), path, meta.len()));
        }
        Ok(())
    }
    let meta = std::fs::metadata(root).map_err(|e| Error::io(format!("reading {}", root.display()), e))?;
    if !meta.is_dir() {
        return Err(Error::InvalidArgument(format!("{} is not a folder", root.display())));
    }
    let mut out = Vec::new();
    rec(root, root, &mut out)?;
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Every file path of the repo at `rev`: the validated tree listing of the repository API (a
/// hostile listing is refused there, before any of its paths becomes a delete operation).
async fn remote_files(c: &Inner, repo: &Repo, rev: &str, ctx: &CallCtx) -> Result<Vec<String>> {
    let entries = crate::api::repo::list_tree(c, repo, Some(rev), None, true, ctx).await?;
    Ok(entries.into_iter().filter(|e| e.kind == crate::api::EntryKind::File).map(|e| e.path).collect())
}

/// Upload a folder (see the module documentation). Returns the last commit's info, with
/// `commits` = how many commits were made.
pub(crate) async fn upload_folder(c: &Inner, spec: &CommitSpec, f: &FolderSpec, ctx: &CallCtx) -> Result<CommitInfo> {
    let repo = Repo::new(&spec.repo_id, spec.repo_type)?;
    let revision = spec.revision.clone().unwrap_or_else(|| "main".into());
    if spec.create_pr && revision != "main" {
        return Err(Error::InvalidArgument("create_pr uploads always target main: leave the revision unset".into()));
    }
    let prefix = match f.path_in_repo.trim_matches('/') {
        "" => String::new(),
        p => format!("{p}/"),
    };
    let mut ignore_list: Vec<String> = f.ignore_patterns.clone();
    ignore_list.extend(DEFAULT_IGNORE.iter().map(|s| s.to_string()));
    let filter = Filter::new(&f.allow_patterns, &ignore_list);
    let files: Vec<(String, PathBuf, u64)> = {
        let root = f.folder.clone();
        tokio::task::spawn_blocking(move || walk(&root))
            .await
            .map_err(|e| Error::Internal(format!("folder walk: {e}")))??
    }
    .into_iter()
    .filter(|(rel, _, _)| filter.keeps(rel))
    .collect();
    // Like the official client, a README.md at the folder's root is validated first.
    if let Some((_, abs, _)) = files.iter().find(|(rel, _, _)| rel == "README.md") {
        let text = tokio::fs::read(abs).await.map_err(|e| Error::io(format!("reading {}", abs.display()), e))?;
        super::commit::validate_yaml(c, &repo, &text).await?;
    }
    let added: std::collections::HashSet<String> = files.iter().map(|(r, _, _)| format!("{prefix}{r}")).collect();
    let mut ops: Vec<(CommitOperation, u64)> = Vec::new();
    if !f.delete_patterns.is_empty() {
        let del = Patterns::new(&f.delete_patterns);
        let at = if spec.create_pr { "main" } else { revision.as_str() };
        for path in remote_files(c, &repo, at, ctx).await? {
            let Some(rel) = path.strip_prefix(&prefix) else { continue };
            if del.matches(rel)
                && path != ".gitattributes"
                && !rel.ends_with("/.gitattributes")
                && !added.contains(&path)
            {
                ops.push((CommitOperation::Delete { path_in_repo: path, is_folder: false }, 0));
            }
        }
    }
    for (rel, abs, size) in files {
        ops.push((CommitOperation::add_file(format!("{prefix}{rel}"), abs), size));
    }
    // Split into commits within the limits.
    let max_ops = if f.max_ops_per_commit == 0 { MAX_OPS_PER_COMMIT } else { f.max_ops_per_commit };
    let mut chunks: Vec<Vec<CommitOperation>> = vec![Vec::new()];
    let mut small_bytes = 0u64;
    for (op, size) in ops {
        let small = if size < LFS_SIZE { size } else { 0 };
        let cur = chunks.last_mut().expect("one chunk at least");
        if !cur.is_empty() && (cur.len() >= max_ops || small_bytes + small > MAX_REGULAR_BYTES_PER_COMMIT) {
            chunks.push(Vec::new());
            small_bytes = 0;
        }
        small_bytes += small;
        chunks.last_mut().expect("one chunk at least").push(op);
    }
    let n = chunks.len();
    let mut last = CommitInfo::default();
    let mut made = 0u32;
    let mut pr: Option<String> = None;
    for (i, chunk) in chunks.into_iter().enumerate() {
        let mut s = spec.clone();
        if n > 1 {
            s.summary = format!("{} (part {} of {n})", spec.summary, i + 1);
        }
        if i > 0 {
            s.parent_commit = None;
        }
        if let Some(r) = &pr {
            // Later parts of a pull request go to its ref.
            s.create_pr = false;
            s.revision = Some(r.clone());
        }
        let info = super::commit::create_commit(c, &s, chunk, ctx).await?;
        if info.committed {
            made += 1;
        }
        if pr.is_none() {
            pr = info.pr_revision.clone();
        }
        let keep_pr = (last.pr_url.clone(), last.pr_num, last.pr_revision.clone());
        last = info;
        if last.pr_url.is_none() {
            (last.pr_url, last.pr_num, last.pr_revision) = keep_pr;
        }
    }
    last.commits = made;
    last.committed = made > 0;
    Ok(last)
}
