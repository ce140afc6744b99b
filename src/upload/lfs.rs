//! LFS uploads (hub-protocol.md §1.12): the batch API, the `basic` transfer (one PUT), the
//! `multipart` transfer (part PUTs in parallel on the client's runtime, then the completion call)
//! and verify. Part and object PUTs go to presigned URLs without the token (the HTTP layer only
//! sends it to the Hub origin); every step is retried under the one policy, and bytes sent are
//! reported as `Phase::Upload` (a failed attempt's bytes are taken back before the retry).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::{json, Value};

use super::preupload::{exchange, Addition};
use super::AddSource;
use crate::api::repos::bad_answer;
use crate::client::Inner;
use crate::error::{Error, Result};
use crate::http::{Body, Http, Req, RetryPolicy};
use crate::progress::{CancelToken, Phase, ProgressSink};
use crate::repo::Repo;

/// Objects per batch request (§7.6).
pub(crate) const BATCH_SIZE: usize = 256;
/// Part PUTs in flight at once for one multipart object.
const PARALLEL_PARTS: usize = 8;
const LFS_JSON: &str = "application/vnd.git-lfs+json";

#[derive(Debug, Deserialize)]
struct BatchAnswer {
    objects: Vec<BatchObject>,
}

#[derive(Debug, Deserialize)]
struct BatchObject {
    oid: String,
    #[serde(default)]
    actions: Option<Actions>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Actions {
    upload: Option<Action>,
    verify: Option<Action>,
}

#[derive(Debug, Deserialize)]
struct Action {
    href: String,
    #[serde(default)]
    header: serde_json::Map<String, Value>,
}

/// Upload the LFS additions the server does not have yet: batches of 256, then each object
/// (one file at a time, its parts in parallel), verified where the server asks.
pub(crate) async fn upload_lfs(
    c: &Inner,
    repo: &Repo,
    revision: &str,
    create_pr: bool,
    additions: &[&Addition],
    sink: &ProgressSink,
    cancel: &CancelToken,
) -> Result<()> {
    let token = c.required_token();
    let url = c.api_url(&format!("/{}{}.git/info/lfs/objects/batch", repo.repo_type().url_prefix(), repo.id()))?;
    for chunk in additions.chunks(BATCH_SIZE) {
        let objects: Vec<Value> =
            chunk.iter().map(|a| json!({"oid": a.sha256.as_deref().unwrap_or_default(), "size": a.size})).collect();
        let mut body = json!({
            "operation": "upload",
            "transfers": ["basic", "multipart"],
            "objects": objects,
            "hash_algo": "sha256",
        });
        if !create_pr {
            body["ref"] = json!({"name": revision});
        }
        let req = Req::new(Method::POST, url.clone())
            .token(token.as_deref())
            .header("accept", LFS_JSON)
            .header("content-type", LFS_JSON)
            .body(Body::Bytes(body.to_string().into_bytes().into()));
        let (_, bytes) = RetryPolicy::transient(c.config.http_retries)
            .run(cancel, |_| exchange(&c.http, &req, token.as_deref(), "LFS batch"))
            .await?;
        let answer: BatchAnswer =
            serde_json::from_slice(&bytes).map_err(|e| bad_answer("LFS batch", format!("unexpected answer: {e}")))?;
        for obj in &answer.objects {
            if let Some(err) = &obj.error {
                return Err(bad_answer("LFS batch", format!("the server refused object {}: {err}", obj.oid)));
            }
        }
        for a in chunk {
            let oid = a.sha256.as_deref().unwrap_or_default();
            let obj = answer.objects.iter().find(|o| o.oid.eq_ignore_ascii_case(oid));
            match obj.and_then(|o| o.actions.as_ref()).and_then(|acts| acts.upload.as_ref().map(|u| (u, acts))) {
                // No actions: the server already has these bytes (§7.2).
                None => sink.skip(a.size),
                Some((upload, acts)) => {
                    upload_object(c, a, upload, token.as_deref(), sink, cancel).await?;
                    if let Some(v) = &acts.verify {
                        verify(c, a, v, token.as_deref(), cancel).await?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// `https://huggingface.co` (or hub-ci) inside a server-given URL → the custom endpoint (§1.12).
fn fix_endpoint(c: &Inner, href: &str) -> Result<Url> {
    let ep = c.config.endpoint.trim_end_matches('/');
    let mut s = href.to_string();
    if ep != "https://huggingface.co" {
        for official in ["https://huggingface.co", "https://hub-ci.huggingface.co"] {
            if s.starts_with(official) {
                s = format!("{ep}{}", &s[official.len()..]);
                break;
            }
        }
    }
    Url::parse(&s).map_err(|e| bad_answer("LFS batch", format!("bad upload URL: {e}")))
}

/// The bytes `[offset, offset+len)` of an addition as a request body.
fn range_body(a: &Addition, offset: u64, len: u64) -> Body {
    match &a.source {
        AddSource::File(p) => Body::File { path: p.clone(), offset, len },
        AddSource::Bytes(b) => Body::Bytes(b.slice(offset as usize..(offset + len) as usize)),
    }
}

/// PUT `body` to a presigned URL, retried; bytes reported as they are sent and taken back when an
/// attempt fails. Returns the answer's `ETag` (quotes kept).
async fn put(
    http: &Http,
    retry: RetryPolicy,
    url: Url,
    body: Body,
    sink: &ProgressSink,
    cancel: &CancelToken,
) -> Result<Option<String>> {
    retry
        .run(cancel, |_| {
            let sent = Arc::new(AtomicU64::new(0));
            let mut req = Req::new(Method::PUT, url.clone()).body(body.clone());
            let (counter, s) = (sent.clone(), sink.clone());
            req.on_sent = Some(Arc::new(move |n| {
                counter.fetch_add(n, Ordering::Relaxed);
                s.add(n);
            }));
            let len = match &req.body {
                Body::File { len, .. } => *len,
                Body::Bytes(b) => b.len() as u64,
                Body::Empty => 0,
            };
            async move {
                let out = exchange(http, &req, None, "LFS upload").await;
                if out.is_err() {
                    sink.retract(sent.load(Ordering::Relaxed));
                }
                let (headers, _) = out?;
                // Bodies from memory are not counted while sent: count them once accepted.
                sink.add(len.saturating_sub(sent.load(Ordering::Relaxed)));
                Ok(headers.get("etag").and_then(|v| v.to_str().ok()).map(String::from))
            }
        })
        .await
}

async fn upload_object(
    c: &Inner,
    a: &Addition,
    upload: &Action,
    token: Option<&str>,
    sink: &ProgressSink,
    cancel: &CancelToken,
) -> Result<()> {
    let href = fix_endpoint(c, &upload.href)?;
    sink.start_phase(&a.path, Phase::Upload, 0, a.size);
    sink.settle().await?;
    match upload.header.get("chunk_size") {
        None => {
            put(&c.http, RetryPolicy::transient(c.config.http_retries), href, range_body(a, 0, a.size), sink, cancel)
                .await?;
        }
        Some(cs) => {
            let chunk_size = cs
                .as_u64()
                .or_else(|| cs.as_str().and_then(|s| s.trim().parse().ok()))
                .filter(|n| *n > 0)
                .ok_or_else(|| bad_answer("LFS batch", format!("chunk_size {cs} is not a positive integer")))?;
            multipart(c, a, href, &upload.header, chunk_size, token, sink, cancel).await?;
        }
    }
    sink.finish();
    sink.settle().await
}

#[allow(clippy::too_many_arguments)]
async fn multipart(
    c: &Inner,
    a: &Addition,
    completion: Url,
    header: &serde_json::Map<String, Value>,
    chunk_size: u64,
    token: Option<&str>,
    sink: &ProgressSink,
    cancel: &CancelToken,
) -> Result<()> {
    let mut parts: Vec<(u64, Url)> = Vec::new();
    for (k, v) in header {
        if !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()) {
            let n: u64 = k.parse().map_err(|_| bad_answer("LFS batch", format!("part number {k}")))?;
            let href = v.as_str().ok_or_else(|| bad_answer("LFS batch", format!("part {k} has no URL")))?;
            parts.push((n, fix_endpoint(c, href)?));
        }
    }
    parts.sort_by_key(|(n, _)| *n);
    let expected = a.size.div_ceil(chunk_size);
    if parts.len() as u64 != expected {
        return Err(bad_answer(
            "LFS batch",
            format!("{} part URLs for {} bytes in parts of {chunk_size} (expected {expected})", parts.len(), a.size),
        ));
    }
    // Parts in parallel on the client's runtime; the set aborts them all when dropped (cancel).
    let mut set = tokio::task::JoinSet::new();
    let mut etags: Vec<Option<String>> = vec![None; parts.len()];
    let mut next = 0usize;
    loop {
        while next < parts.len() && set.len() < PARALLEL_PARTS {
            let i = next;
            let offset = i as u64 * chunk_size;
            let len = chunk_size.min(a.size - offset);
            let (http, url, body) = (c.http.clone(), parts[i].1.clone(), range_body(a, offset, len));
            let (sink, cancel, retry) = (sink.clone(), cancel.clone(), RetryPolicy::transient(c.config.http_retries));
            set.spawn(async move { (i, put(&http, retry, url, body, &sink, &cancel).await) });
            next += 1;
        }
        let Some(joined) = set.join_next().await else { break };
        let (i, r) = joined.map_err(|e| Error::Internal(format!("part upload task: {e}")))?;
        let etag = r?.filter(|e| !e.is_empty()).ok_or_else(|| {
            bad_answer("LFS multipart upload", format!("no ETag in the answer to part {} of {}", i + 1, a.path))
        })?;
        etags[i] = Some(etag);
    }
    let parts_json: Vec<Value> = etags
        .into_iter()
        .enumerate()
        .map(|(i, e)| json!({"partNumber": i + 1, "etag": e.unwrap_or_default()}))
        .collect();
    let body = json!({"oid": a.sha256.as_deref().unwrap_or_default(), "parts": parts_json});
    let mut req = Req::new(Method::POST, completion)
        .token(token)
        .header("accept", LFS_JSON)
        .header("content-type", LFS_JSON)
        .body(Body::Bytes(body.to_string().into_bytes().into()));
    // The storage assembles the parts before answering: no read timeout.
    req.patient = true;
    RetryPolicy::transient(c.config.http_retries)
        .run(cancel, |_| exchange(&c.http, &req, token, "LFS multipart completion"))
        .await?;
    Ok(())
}

async fn verify(c: &Inner, a: &Addition, v: &Action, token: Option<&str>, cancel: &CancelToken) -> Result<()> {
    let body = json!({"oid": a.sha256.as_deref().unwrap_or_default(), "size": a.size});
    let mut req = Req::new(Method::POST, fix_endpoint(c, &v.href)?)
        .token(token)
        .header("content-type", "application/json")
        .body(Body::Bytes(body.to_string().into_bytes().into()));
    req.patient = true;
    RetryPolicy::transient(c.config.http_retries).run(cancel, |_| exchange(&c.http, &req, token, "LFS verify")).await?;
    Ok(())
}
