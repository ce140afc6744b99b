//! Read-only repository API (hub-protocol.md §1.4–§1.7): repo info, tree listing, paths-info,
//! refs, commits, file and repo existence. Every answer keeps the server's JSON record (`raw`)
//! for the fields not modelled here.

use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::Value;

use crate::client::{CallCtx, Inner};
use crate::error::{Error, HttpDetails, Result};
use crate::http::{Body, Redirects, Req, RetryPolicy};
use crate::repo::{encode_all, validate_filename, validate_revision, Repo};

/// Most pages a listing may have before we call it endless (1000 entries per page: 10 M files).
const MAX_PAGES: usize = 10_000;
/// Paths per paths-info request (the Python client's batch; the Hub refuses above 1000).
const PATHS_PER_CALL: usize = 500;

/// LFS data of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LfsInfo {
    /// SHA-256 of the content (names the blob in the cache).
    pub sha256: String,
    /// Size of the content.
    pub size: u64,
}

/// Whether a tree entry is a file or a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A file.
    File,
    /// A folder.
    Directory,
}

/// One entry of a tree listing or a paths-info answer.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeEntry {
    /// Path in the repo (`/`-separated), validated like a filename.
    pub path: String,
    /// File or folder.
    pub kind: EntryKind,
    /// Size in bytes (0 for folders).
    pub size: u64,
    /// Git object id: the blob SHA-1 of a file, the tree SHA-1 of a folder.
    pub oid: String,
    /// LFS data, for LFS files.
    pub lfs: Option<LfsInfo>,
    /// The Xet hash when valid (64 hex digits); redacted values are dropped.
    pub xet_hash: Option<String>,
    /// The server's record.
    pub raw: Value,
}

impl TreeEntry {
    /// The cache's name for this file's blob: the LFS SHA-256, else the git blob id.
    pub fn etag(&self) -> &str {
        self.lfs.as_ref().map_or(&self.oid, |l| &l.sha256)
    }

    /// Parse one record; `Err` names what is wrong (hostile or malformed listings are refused
    /// whole rather than partly trusted).
    pub fn from_json(raw: Value) -> Result<TreeEntry> {
        #[derive(Deserialize)]
        struct Lfs {
            oid: String,
            size: u64,
        }
        #[derive(Deserialize)]
        struct E {
            #[serde(rename = "type")]
            kind: String,
            path: String,
            #[serde(default)]
            oid: String,
            #[serde(default)]
            size: u64,
            lfs: Option<Lfs>,
            #[serde(rename = "xetHash")]
            xet_hash: Option<String>,
        }
        let e: E =
            serde_json::from_value(raw.clone()).map_err(|err| bad_listing(format!("an entry is malformed ({err})")))?;
        let kind = match e.kind.as_str() {
            "file" => EntryKind::File,
            "directory" => EntryKind::Directory,
            other => return Err(bad_listing(format!("unknown entry type {other:?}"))),
        };
        validate_filename(&e.path).map_err(|_| bad_listing(format!("unsafe path {}", crate::repo::shown(&e.path))))?;
        if kind == EntryKind::File && !is_hex_id(&e.oid, 40) {
            return Err(bad_listing(format!("{}: blob id {:?} is not 40 hex digits", e.path, e.oid)));
        }
        let lfs = match e.lfs {
            Some(l) if is_hex_id(&l.oid, 64) => Some(LfsInfo { sha256: l.oid.to_ascii_lowercase(), size: l.size }),
            Some(l) => return Err(bad_listing(format!("{}: LFS oid {:?} is not a SHA-256", e.path, l.oid))),
            None => None,
        };
        if let Some(l) = &lfs {
            if l.size != e.size {
                return Err(bad_listing(format!("{}: size {} differs from the LFS size {}", e.path, e.size, l.size)));
            }
        }
        let xet_hash = e.xet_hash.filter(|x| is_hex_id(x, 64));
        Ok(TreeEntry { path: e.path, kind, size: e.size, oid: e.oid.to_ascii_lowercase(), lfs, xet_hash, raw })
    }
}

fn is_hex_id(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn bad_listing(msg: String) -> Error {
    Error::Metadata(format!("the server's file listing is not usable: {msg}"))
}

/// Parse a listing and refuse it when it names a path twice.
pub(crate) fn parse_entries(raw: Vec<Value>) -> Result<Vec<TreeEntry>> {
    parse_page(raw, &mut Default::default())
}

/// Parse one page of a listing; `seen` holds the paths of the pages before it (a path listed
/// twice, on one page or across pages, refuses the listing).
fn parse_page(raw: Vec<Value>, seen: &mut std::collections::HashSet<String>) -> Result<Vec<TreeEntry>> {
    let entries = raw.into_iter().map(TreeEntry::from_json).collect::<Result<Vec<_>>>()?;
    for e in &entries {
        if !seen.insert(e.path.clone()) {
            return Err(bad_listing(format!("{} is listed twice", crate::repo::shown(&e.path))));
        }
    }
    Ok(entries)
}

/// One sibling of a repo-info answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Sibling {
    /// Path in the repo.
    pub path: String,
    /// Size, when the Hub sent it (`blobs=true`).
    pub size: Option<u64>,
    /// Git blob id, when sent.
    pub blob_id: Option<String>,
    /// LFS data, when sent.
    pub lfs: Option<LfsInfo>,
}

/// Repo info (§1.4).
#[derive(Debug, Clone, PartialEq)]
pub struct RepoInfo {
    /// `org/name`.
    pub id: String,
    /// The commit of the revision asked for.
    pub sha: Option<String>,
    /// The files (`siblings`).
    pub siblings: Vec<Sibling>,
    /// Private repo.
    pub private: bool,
    /// `"auto"`, `"manual"`, or `None` when not gated.
    pub gated: Option<String>,
    /// Disabled by the Hub.
    pub disabled: bool,
    /// Last modification date (ISO 8601), when sent.
    pub last_modified: Option<String>,
    /// The server's record.
    pub raw: Value,
}

impl RepoInfo {
    fn from_json(raw: Value) -> Result<RepoInfo> {
        let bad = |m: &str| Error::Metadata(format!("the repo info answer is not usable: {m}"));
        let obj = raw.as_object().ok_or_else(|| bad("not an object"))?;
        let s = |k: &str| obj.get(k).and_then(Value::as_str).map(String::from);
        let id = s("id").or_else(|| s("modelId")).ok_or_else(|| bad("no id"))?;
        let sha = s("sha").filter(|c| is_hex_id(c, 40));
        let gated = match obj.get("gated") {
            Some(Value::String(g)) => Some(g.clone()),
            Some(Value::Bool(true)) => Some("true".into()),
            _ => None,
        };
        let mut siblings = Vec::new();
        for sib in obj.get("siblings").and_then(Value::as_array).into_iter().flatten() {
            let Some(path) = sib.get("rfilename").and_then(Value::as_str) else { continue };
            let lfs = sib.get("lfs").and_then(|l| {
                Some(LfsInfo { sha256: l.get("sha256")?.as_str()?.to_string(), size: l.get("size")?.as_u64()? })
            });
            siblings.push(Sibling {
                path: path.to_string(),
                size: sib.get("size").and_then(Value::as_u64),
                blob_id: sib.get("blobId").and_then(Value::as_str).map(String::from),
                lfs,
            });
        }
        let flag = |k: &str| obj.get(k).and_then(Value::as_bool).unwrap_or(false);
        Ok(RepoInfo {
            id,
            sha,
            siblings,
            private: flag("private"),
            gated,
            disabled: flag("disabled"),
            last_modified: s("lastModified"),
            raw,
        })
    }
}

/// One ref (§1.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitRef {
    /// `branch`, `tag`, `convert` or `pull_request`.
    pub kind: RefKind,
    /// Short name (`main`, `v1.0`, `refs/pr/1` for PRs as the Hub names them).
    pub name: String,
    /// Full ref (`refs/heads/main`).
    pub full_ref: String,
    /// The commit it points to.
    pub target_commit: String,
}

/// Kinds of refs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// A branch.
    Branch,
    /// A tag.
    Tag,
    /// A conversion ref (e.g. `refs/convert/parquet`).
    Convert,
    /// A pull request (`refs/pr/N`).
    PullRequest,
}

/// One commit of a history listing (§1.7).
#[derive(Debug, Clone, PartialEq)]
pub struct CommitInfo {
    /// The 40-hex commit id.
    pub id: String,
    /// First line of the message.
    pub title: String,
    /// The rest of the message.
    pub message: String,
    /// ISO 8601 date.
    pub date: String,
    /// Author user names.
    pub authors: Vec<String>,
    /// The server's record.
    pub raw: Value,
}

fn revision_path(rev: &str) -> String {
    encode_all(rev)
}

fn checked_rev(revision: Option<&str>) -> Result<&str> {
    let rev = revision.unwrap_or("main");
    validate_revision(rev)?;
    Ok(rev)
}

fn url(c: &Inner, repo: &Repo, tail: &str) -> Result<Url> {
    let base = repo.api_url(&c.config.endpoint);
    Url::parse(&format!("{base}{tail}"))
        .map_err(|e| Error::InvalidArgument(format!("endpoint {:?}: {e}", c.config.endpoint)))
}

/// Repo info at a revision (`None`: the default branch).
pub(crate) async fn repo_info(c: &Inner, repo: &Repo, revision: Option<&str>) -> Result<RepoInfo> {
    let tail = match revision {
        Some(r) => {
            validate_revision(r)?;
            format!("/revision/{}?blobs=true", revision_path(r))
        }
        None => "?blobs=true".to_string(),
    };
    let token = c.token();
    let what = format!("repo info of {}", repo.id());
    let raw: Value = c.http.get_json(url(c, repo, &tail)?, token.as_deref(), &what).await?;
    RepoInfo::from_json(raw)
}

/// The commit a revision points to (the snapshot's first request).
pub(crate) async fn resolve_commit(c: &Inner, repo: &Repo, revision: &str) -> Result<String> {
    let token = c.token();
    let tail = format!("/revision/{}", revision_path(revision));
    let what = format!("revision {revision} of {}", repo.id());
    let raw: Value = c.http.get_json(url(c, repo, &tail)?, token.as_deref(), &what).await?;
    raw.get("sha")
        .and_then(Value::as_str)
        .filter(|s| is_hex_id(s, 40))
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| Error::Metadata(format!("{what}: the answer has no commit sha")))
}

/// List a tree (§1.5): every page; `path` = a folder (`None`: the root).
pub(crate) async fn list_tree(
    c: &Inner,
    repo: &Repo,
    revision: Option<&str>,
    path: Option<&str>,
    recursive: bool,
    ctx: &CallCtx,
) -> Result<Vec<TreeEntry>> {
    let rev = checked_rev(revision)?;
    let mut tail = format!("/tree/{}", revision_path(rev));
    if let Some(p) = path.filter(|p| !p.is_empty()) {
        validate_filename(p)?;
        tail.push('/');
        tail.push_str(&encode_all(p));
    }
    tail.push_str(if recursive { "?recursive=true&expand=false" } else { "?recursive=false&expand=false" });
    let token = c.token();
    let what = format!("file list of {} at {rev}", repo.id());
    let mut seen = std::collections::HashSet::new();
    c.http
        .get_json_pages(
            url(c, repo, &tail)?,
            token.as_deref(),
            &what,
            RetryPolicy::transient(5),
            &ctx.cancel,
            MAX_PAGES,
            |page: Vec<Value>| parse_page(page, &mut seen),
        )
        .await
}

/// Entries for the given paths (§1.6); paths that do not exist are left out.
pub(crate) async fn paths_info(
    c: &Inner,
    repo: &Repo,
    revision: Option<&str>,
    paths: &[String],
) -> Result<Vec<TreeEntry>> {
    let rev = checked_rev(revision)?;
    for p in paths {
        validate_filename(p)?;
    }
    let token = c.token();
    let what = format!("paths info of {} at {rev}", repo.id());
    let target = url(c, repo, &format!("/paths-info/{}", revision_path(rev)))?;
    let mut out = Vec::with_capacity(paths.len());
    for chunk in paths.chunks(PATHS_PER_CALL) {
        let mut form = form_urlencoded::Serializer::new(String::new());
        for p in chunk {
            form.append_pair("paths", p);
        }
        form.append_pair("expand", "false");
        let mut req = Req::new(Method::POST, target.clone()).token(token.as_deref());
        req = req.header("content-type", "application/x-www-form-urlencoded");
        req.body = Body::Bytes(form.finish().into_bytes().into());
        let resp = c.http.send_following(req, Redirects::Follow).await?;
        let resp = c.http.check(resp, &what, token.as_deref()).await?;
        let body = crate::http::read_limited(resp, 64 << 20, &what).await?;
        let raw: Vec<Value> = serde_json::from_slice(&body).map_err(|e| {
            Error::Http(HttpDetails {
                status: 200,
                message: format!("{what}: not the expected JSON ({e})"),
                ..Default::default()
            })
        })?;
        out.extend(parse_entries(raw)?);
    }
    Ok(out)
}

/// Refs of a repo (§1.7); pull requests with `include_prs`.
pub(crate) async fn list_refs(c: &Inner, repo: &Repo, include_prs: bool) -> Result<Vec<GitRef>> {
    let token = c.token();
    let what = format!("refs of {}", repo.id());
    let tail = if include_prs { "/refs?include_prs=1" } else { "/refs" };
    let raw: Value = c.http.get_json(url(c, repo, tail)?, token.as_deref(), &what).await?;
    let mut out = Vec::new();
    for (key, kind) in [
        ("branches", RefKind::Branch),
        ("tags", RefKind::Tag),
        ("converts", RefKind::Convert),
        ("pullRequests", RefKind::PullRequest),
    ] {
        for r in raw.get(key).and_then(Value::as_array).into_iter().flatten() {
            let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
            out.push(GitRef { kind, name: s("name"), full_ref: s("ref"), target_commit: s("targetCommit") });
        }
    }
    Ok(out)
}

/// The history of a revision, newest first (§1.7), every page.
pub(crate) async fn list_commits(
    c: &Inner,
    repo: &Repo,
    revision: Option<&str>,
    ctx: &CallCtx,
) -> Result<Vec<CommitInfo>> {
    let rev = checked_rev(revision)?;
    let token = c.token();
    let what = format!("commits of {} at {rev}", repo.id());
    let raw: Vec<Value> = c
        .http
        .get_json_pages(
            url(c, repo, &format!("/commits/{}", revision_path(rev)))?,
            token.as_deref(),
            &what,
            RetryPolicy::transient(5),
            &ctx.cancel,
            MAX_PAGES,
            Ok,
        )
        .await?;
    Ok(raw
        .into_iter()
        .map(|r| {
            let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
            let authors = r
                .get("authors")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|a| a.get("user").and_then(Value::as_str).map(String::from))
                .collect();
            let (id, title, message, date) = (s("id"), s("title"), s("message"), s("date"));
            CommitInfo { id, title, message, date, authors, raw: r }
        })
        .collect())
}

/// Whether a repo exists and is visible with the configured token. Gated repos exist.
pub(crate) async fn repo_exists(c: &Inner, repo: &Repo) -> Result<bool> {
    match repo_info(c, repo, None).await {
        Ok(_) | Err(Error::Gated(_)) => Ok(true),
        Err(Error::RepoNotFound(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Whether a file exists at a revision (one HEAD on `/resolve`, as the Python client does).
pub(crate) async fn file_exists(c: &Inner, repo: &Repo, revision: Option<&str>, filename: &str) -> Result<bool> {
    let rev = checked_rev(revision)?;
    validate_filename(filename)?;
    let u = Url::parse(&repo.resolve_url(&c.config.endpoint, rev, filename))
        .map_err(|e| Error::InvalidArgument(format!("endpoint: {e}")))?;
    let token = c.token();
    match crate::download::metadata::head_metadata(&c.http, u, token.as_deref(), c.config.etag_timeout, filename).await
    {
        Ok(_) => Ok(true),
        Err(Error::EntryNotFound(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_parse_and_refuse_hostile_paths() {
        let ok = json!({"type":"file","oid":"a".repeat(40),"size":3,"path":"a/b.bin",
            "lfs":{"oid":"B".repeat(64),"size":3,"pointerSize":134},"xetHash":"*".repeat(64)});
        let e = TreeEntry::from_json(ok).unwrap();
        assert_eq!(e.etag(), "b".repeat(64));
        assert_eq!(e.xet_hash, None, "a redacted xet hash is dropped");
        for bad in ["../x", "/etc/passwd", "a/../../b", "a\0b", "", "a//b"] {
            let v = json!({"type":"file","oid":"a".repeat(40),"size":1,"path":bad});
            assert!(TreeEntry::from_json(v).is_err(), "{bad:?} accepted");
        }
        let wrong_type = json!({"type":"file","oid":"a".repeat(40),"size":"big","path":"x"});
        assert!(TreeEntry::from_json(wrong_type).is_err());
        let dup = vec![
            json!({"type":"file","oid":"a".repeat(40),"size":1,"path":"x"}),
            json!({"type":"file","oid":"b".repeat(40),"size":1,"path":"x"}),
        ];
        assert!(parse_entries(dup).is_err());
    }
}
