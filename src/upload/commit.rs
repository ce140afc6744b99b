//! `create_commit` (hub-protocol.md §7.1): validate, preupload, LFS uploads, copies, drop no-ops,
//! then the NDJSON commit — always the last request, never retried (§1.13).

use std::collections::{HashMap, HashSet};

use base64::Engine;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::ndjson::line;
use super::preupload::{exchange, fetch_upload_modes, git_blob_sha1, Addition, Mode};
use super::{normalize_path_in_repo, CommitInfo, CommitOperation, CommitSpec};
use crate::api::repos::{bad_answer, revision_sha};
use crate::client::{CallCtx, Inner};
use crate::error::{Error, HttpDetails, Result};
use crate::http::{read_limited, Body, Redirects, Req, RetryPolicy};
use crate::repo::{encode_all, validate_revision, Repo};

/// Paths per paths-info call (the official client's batch; the Hub's limit is 1000).
const PATHS_INFO_BATCH: usize = 500;
/// The most bytes of a regular file read back from the Hub for a copy.
const COPY_LIMIT: usize = 1 << 30;

/// A validated operation, in the caller's order.
enum Op {
    Add(usize),
    Delete { path: String, folder: bool },
    Copy { src: String, src_rev: String, dest: String },
}

/// What a copy turned into once its source is known.
enum CopyLine {
    Lfs {
        sha256: String,
    },
    Regular {
        content: bytes::Bytes,
    },
    /// The destination already holds the source's content.
    NoOp,
}

#[derive(Debug, Deserialize)]
struct PathInfo {
    path: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    oid: Option<String>,
    #[serde(default)]
    lfs: Option<PathInfoLfs>,
}

#[derive(Debug, Deserialize)]
struct PathInfoLfs {
    #[serde(alias = "sha256")]
    oid: String,
}

#[derive(Debug, Deserialize)]
struct CommitAnswer {
    #[serde(rename = "commitOid")]
    commit_oid: String,
    #[serde(rename = "commitUrl")]
    commit_url: Option<String>,
    #[serde(rename = "pullRequestUrl")]
    pr_url: Option<String>,
}

fn validate(spec: &CommitSpec) -> Result<(Repo, String)> {
    let repo = Repo::new(&spec.repo_id, spec.repo_type)?;
    let revision = spec.revision.clone().unwrap_or_else(|| "main".to_string());
    validate_revision(&revision)?;
    if spec.summary.trim().is_empty() {
        return Err(Error::InvalidArgument("the commit summary (message) must not be empty".into()));
    }
    if let Some(p) = &spec.parent_commit {
        if !(5..=40).contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::InvalidArgument(format!("parent_commit {p:?} is not 5 to 40 hex digits")));
        }
    }
    Ok((repo, revision))
}

/// Make one commit of `ops` (see the module documentation).
pub(crate) async fn create_commit(
    c: &Inner,
    spec: &CommitSpec,
    ops: Vec<CommitOperation>,
    ctx: &CallCtx,
) -> Result<CommitInfo> {
    let (repo, revision) = validate(spec)?;
    // 1. Validate and prepare every operation.
    let mut additions: Vec<Addition> = Vec::new();
    let mut plan: Vec<Op> = Vec::new();
    for op in ops {
        match op {
            CommitOperation::Add { path_in_repo, source } => {
                let path = normalize_path_in_repo(&path_in_repo)?;
                if path.ends_with('/') {
                    return Err(Error::InvalidArgument(format!("cannot add a folder path {path_in_repo:?}")));
                }
                additions.push(Addition::new(path, source).await?);
                plan.push(Op::Add(additions.len() - 1));
            }
            CommitOperation::Delete { path_in_repo, is_folder } => {
                let mut path = normalize_path_in_repo(&path_in_repo)?;
                let folder = is_folder || path.ends_with('/');
                if folder && !path.ends_with('/') {
                    path.push('/');
                }
                plan.push(Op::Delete { path, folder });
            }
            CommitOperation::Copy { src_path_in_repo, src_revision, path_in_repo } => {
                let src = normalize_path_in_repo(&src_path_in_repo)?;
                let dest = normalize_path_in_repo(&path_in_repo)?;
                let src_rev = src_revision.unwrap_or_else(|| revision.clone());
                validate_revision(&src_rev)?;
                plan.push(Op::Copy { src, src_rev, dest });
            }
        }
    }
    // README.md metadata is checked before anything is hashed or sent (§1.15).
    if let Some(readme) = additions.iter().find(|a| a.path == "README.md") {
        validate_yaml(c, &repo, &readme.read_all().await?).await?;
    }
    // 2. Upload modes.
    if !additions.is_empty() {
        fetch_upload_modes(c, &repo, &revision, spec.create_pr, &mut additions, &ctx.cancel).await?;
    }
    // 3. LFS: hash once, then upload what the server lacks.
    let lfs: Vec<usize> =
        (0..additions.len()).filter(|&i| additions[i].mode == Mode::Lfs && !additions[i].should_ignore).collect();
    ctx.sink.add_overall(lfs.iter().map(|&i| 2 * additions[i].size).sum());
    for &i in &lfs {
        additions[i].hash(&ctx.sink, &ctx.cancel).await?;
    }
    if !lfs.is_empty() {
        let refs: Vec<&Addition> = lfs.iter().map(|&i| &additions[i]).collect();
        super::lfs::upload_lfs(c, &repo, &revision, spec.create_pr, &refs, &ctx.sink, &ctx.cancel).await?;
    }
    // 4. Copies: learn the sources (and destinations, for no-ops).
    let copies = resolve_copies(c, &repo, &revision, &plan, &ctx.cancel).await?;
    // 5. The payload, without no-ops.
    let deleted: HashSet<String> = plan
        .iter()
        .filter_map(|o| match o {
            Op::Delete { path, .. } => Some(path.trim_end_matches('/').to_string()),
            _ => None,
        })
        .collect();
    let is_deleted = |p: &str| deleted.contains(p) || p.match_indices('/').any(|(i, _)| deleted.contains(&p[..i]));
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut body = String::new();
    let mut header: Vec<(&str, Value)> =
        vec![("summary", json!(spec.summary)), ("description", json!(spec.description))];
    if let Some(p) = &spec.parent_commit {
        header.push(("parentCommit", json!(p)));
    }
    line(&mut body, "header", &header);
    let mut n_ops = 0;
    for (k, op) in plan.iter().enumerate() {
        match op {
            Op::Add(i) => {
                let a = &additions[*i];
                if a.should_ignore {
                    continue;
                }
                match a.mode {
                    Mode::Lfs => {
                        let sha = a.sha256.clone().unwrap_or_default();
                        if a.remote_oid.as_deref() == Some(sha.as_str()) && !is_deleted(&a.path) {
                            continue;
                        }
                        line(
                            &mut body,
                            "lfsFile",
                            &[
                                ("path", json!(a.path)),
                                ("algo", json!("sha256")),
                                ("oid", json!(sha)),
                                ("size", json!(a.size)),
                            ],
                        );
                    }
                    Mode::Regular => {
                        let data = a.read_all().await?;
                        if a.remote_oid.as_deref() == Some(git_blob_sha1(&data).as_str()) && !is_deleted(&a.path) {
                            continue;
                        }
                        line(
                            &mut body,
                            "file",
                            &[
                                ("content", json!(b64.encode(&data))),
                                ("path", json!(a.path)),
                                ("encoding", json!("base64")),
                            ],
                        );
                    }
                }
            }
            Op::Delete { path, folder } => {
                line(&mut body, if *folder { "deletedFolder" } else { "deletedFile" }, &[("path", json!(path))]);
            }
            Op::Copy { dest, .. } => match copies.get(&k) {
                Some(CopyLine::Lfs { sha256 }) => {
                    line(
                        &mut body,
                        "lfsFile",
                        &[("path", json!(dest)), ("algo", json!("sha256")), ("oid", json!(sha256))],
                    );
                }
                Some(CopyLine::Regular { content }) => line(
                    &mut body,
                    "file",
                    &[("content", json!(b64.encode(content))), ("path", json!(dest)), ("encoding", json!("base64"))],
                ),
                Some(CopyLine::NoOp) if !is_deleted(dest) => continue,
                _ => {
                    return Err(Error::Internal(format!("copy to {dest} was not resolved")));
                }
            },
        }
        n_ops += 1;
    }
    // 6. Nothing changed: no commit; the current head (§7.1 step 6).
    let base = format!("{}/{}{}", c.config.endpoint, repo.repo_type().url_prefix(), repo.id());
    if n_ops == 0 {
        let oid = revision_sha(c, &repo, &revision).await?;
        return Ok(CommitInfo { url: format!("{base}/commit/{oid}"), oid, committed: false, ..Default::default() });
    }
    // 7. The commit.
    ctx.sink.settle().await?;
    ctx.cancel.check()?;
    let mut path = format!("/api/{}/{}/commit/{}", repo.repo_type().plural(), repo.id(), encode_all(&revision));
    if spec.create_pr {
        path.push_str("?create_pr=1");
    }
    let token = c.required_token();
    let req = Req::new(Method::POST, c.api_url(&path)?)
        .token(token.as_deref())
        .header("content-type", "application/x-ndjson")
        .body(Body::Bytes(body.into_bytes().into()));
    let resp = c.http.send_following(req, Redirects::Follow).await?;
    let resp = match c.http.check(resp, "commit", token.as_deref()).await {
        Ok(r) => r,
        Err(e) => return Err(stale_parent(e, spec)),
    };
    let bytes = read_limited(resp, 1 << 20, "commit").await?;
    let a: CommitAnswer =
        serde_json::from_slice(&bytes).map_err(|e| bad_answer("commit", format!("unexpected answer: {e}")))?;
    let pr_num = a.pr_url.as_deref().and_then(|u| u.rsplit('/').next()).and_then(|n| n.parse::<u64>().ok());
    Ok(CommitInfo {
        url: a.commit_url.unwrap_or_else(|| format!("{base}/commit/{}", a.commit_oid)),
        oid: a.commit_oid,
        pr_url: a.pr_url,
        pr_num,
        pr_revision: pr_num.map(|n| format!("refs/pr/{n}")),
        committed: true,
        commits: 1,
    })
}

/// `POST /api/validate-yaml` with a README's text: a 400 (invalid metadata) refuses the commit.
pub(crate) async fn validate_yaml(c: &Inner, repo: &Repo, content: &[u8]) -> Result<()> {
    let body = json!({"content": String::from_utf8_lossy(content), "repoType": repo.repo_type().as_str()});
    let token = c.required_token();
    let req = Req::new(Method::POST, c.api_url("/api/validate-yaml")?)
        .token(token.as_deref())
        .header("content-type", "application/json")
        .body(Body::Bytes(body.to_string().into_bytes().into()));
    let resp = c.http.send_following(req, Redirects::Follow).await?;
    c.http.check(resp, "README.md metadata validation", token.as_deref()).await.map(drop)
}

/// A refused parent commit (409/412 when one was given) is its own error.
fn stale_parent(e: Error, spec: &CommitSpec) -> Error {
    let status = e.http_status();
    let given = spec.parent_commit.is_some() && !spec.create_pr;
    match e {
        Error::Http(d) | Error::BadRequest(d) if given && matches!(status, 409 | 412) => Error::StaleParent(d),
        Error::Http(d) if status == 412 => Error::StaleParent(d),
        other => other,
    }
}

/// `POST /api/{type}s/{repo}/paths-info/{rev}` for `paths` (500 per call; missing paths are
/// left out of the answer).
async fn paths_info(
    c: &Inner,
    repo: &Repo,
    rev: &str,
    paths: &[&str],
    cancel: &crate::progress::CancelToken,
) -> Result<Vec<PathInfo>> {
    let token = c.token();
    let url = c.api_url(&format!("/api/{}/{}/paths-info/{}", repo.repo_type().plural(), repo.id(), encode_all(rev)))?;
    let mut out = Vec::new();
    for chunk in paths.chunks(PATHS_INFO_BATCH) {
        let mut form = String::new();
        for p in chunk {
            form.push_str("paths=");
            form.push_str(&form_encode(p));
            form.push('&');
        }
        form.push_str("expand=false");
        let req = Req::new(Method::POST, url.clone())
            .token(token.as_deref())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::Bytes(form.into_bytes().into()));
        let (_, bytes) = RetryPolicy::transient(c.config.http_retries)
            .run(cancel, |_| exchange(&c.http, &req, token.as_deref(), "paths-info"))
            .await?;
        let page: Vec<PathInfo> =
            serde_json::from_slice(&bytes).map_err(|e| bad_answer("paths-info", format!("unexpected answer: {e}")))?;
        out.extend(page);
    }
    Ok(out)
}

/// `application/x-www-form-urlencoded` value encoding (space as `+`).
fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// For every copy of the plan (by index): its LFS sha256, or its regular content (downloaded from
/// the source revision), or a no-op when the destination already holds the same object.
async fn resolve_copies(
    c: &Inner,
    repo: &Repo,
    revision: &str,
    plan: &[Op],
    cancel: &crate::progress::CancelToken,
) -> Result<HashMap<usize, CopyLine>> {
    let mut out = HashMap::new();
    let copies: Vec<(usize, &str, &str, &str)> = plan
        .iter()
        .enumerate()
        .filter_map(|(k, o)| match o {
            Op::Copy { src, src_rev, dest } => Some((k, src.as_str(), src_rev.as_str(), dest.as_str())),
            _ => None,
        })
        .collect();
    if copies.is_empty() {
        return Ok(out);
    }
    let dests: Vec<&str> = copies.iter().map(|c| c.3).collect();
    let dest_info = paths_info(c, repo, revision, &dests, cancel).await?;
    let mut revs: Vec<&str> = copies.iter().map(|c| c.2).collect();
    revs.sort();
    revs.dedup();
    for rev in revs {
        let srcs: Vec<&str> = copies.iter().filter(|c| c.2 == rev).map(|c| c.1).collect();
        let info = paths_info(c, repo, rev, &srcs, cancel).await?;
        for &(k, src, _, dest) in copies.iter().filter(|c| c.2 == rev) {
            let Some(e) = info.iter().find(|e| e.path == src && e.kind != "directory") else {
                return Err(Error::EntryNotFound(HttpDetails {
                    status: 404,
                    message: format!("cannot copy {src} at revision {rev}: no such file in {}", repo.id()),
                    ..Default::default()
                }));
            };
            let src_oid = e.lfs.as_ref().map(|l| l.oid.clone()).or_else(|| e.oid.clone());
            let dest_oid = dest_info
                .iter()
                .find(|d| d.path == dest)
                .and_then(|d| d.lfs.as_ref().map(|l| l.oid.clone()).or_else(|| d.oid.clone()));
            let line = if src_oid.is_some() && src_oid == dest_oid {
                CopyLine::NoOp
            } else if let Some(l) = &e.lfs {
                CopyLine::Lfs { sha256: l.oid.clone() }
            } else {
                CopyLine::Regular { content: download_regular(c, repo, rev, src).await?.into() }
            };
            out.insert(k, line);
        }
    }
    Ok(out)
}

async fn download_regular(c: &Inner, repo: &Repo, rev: &str, path: &str) -> Result<Vec<u8>> {
    let token = c.token();
    let url = reqwest::Url::parse(&repo.resolve_url(&c.config.endpoint, rev, path))
        .map_err(|e| Error::InvalidArgument(format!("endpoint {:?}: {e}", c.config.endpoint)))?;
    let resp = c.http.send_following(Req::new(Method::GET, url).token(token.as_deref()), Redirects::Follow).await?;
    let resp = c.http.check(resp, "copy source", token.as_deref()).await?;
    read_limited(resp, COPY_LIMIT, "copy source").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding() {
        assert_eq!(form_encode("a b.txt"), "a+b.txt");
        assert_eq!(form_encode("sub/c.txt"), "sub%2Fc.txt");
    }

    #[test]
    fn validation() {
        let mut s = CommitSpec::new("u/r", "msg");
        assert!(validate(&s).is_ok());
        s.parent_commit = Some("abc".into());
        assert!(validate(&s).is_err());
        s.parent_commit = Some("abcde".into());
        assert!(validate(&s).is_ok());
        s.summary = " ".into();
        assert!(validate(&s).is_err());
    }
}
