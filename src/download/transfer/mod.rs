//! The byte transfer of one file into its incomplete blob (hub-protocol.md §1.2, §3.6).
//!
//! - [`plan`]: one stream, or ranged lanes for large files, and the queue of ranges they share.
//! - [`lanes`]: one lane: a range GET, retried from where it stopped, journaled as it goes.
//! - [`writer`]: positional writes, the set of written ranges, the SHA-256 of the prefix.
//! - The resume journal itself belongs to the cache (`cache::journal`, kept by `IncompleteBlob`).
//!
//! Large files go through `lanes` connections at once, each asking for `chunk` bytes at a time
//! from a shared queue, all on the client's runtime (N requests in flight, no thread per lane).
//! The first request is a `Range: bytes=0-<chunk-1>` probe: a 206 with the right `Content-Range`
//! starts the other lanes; a 200 (the server ignores ranges) is used as it is, a single stream
//! from byte 0. Small files are one stream, with `Range: bytes=<n>-` only to resume.
//! Cancellation is the caller's: dropping the future aborts every request at once.

pub mod lanes;
pub mod plan;
pub mod writer;

use futures_util::stream::{FuturesUnordered, StreamExt};
use reqwest::{Response, Url};

use crate::cache::IncompleteBlob;
use crate::error::{Error, Result};
use crate::http::Http;
use crate::progress::{CancelToken, ProgressSink};
use lanes::{fetch, request, Cx, Span, Stop, MAX_STALLS};
pub use plan::Lanes;
use plan::Queue;
use writer::Writer;

/// What to fetch.
pub struct Fetch<'a> {
    /// The URL to GET (CDN location or resolve URL).
    pub url: Url,
    /// The Hub token (sent to the Hub origin only, by the HTTP layer).
    pub token: Option<&'a str>,
    /// Repo filename, for progress reports and messages.
    pub filename: &'a str,
    /// Compute the SHA-256 of the file.
    pub hash: bool,
    /// Lanes for large files.
    pub lanes: Lanes,
    /// What the Hub's own answer must say (commit, blob), when the GET was not preceded by a HEAD.
    pub expect: Option<Expect<'a>>,
}

/// The commit and blob name a listing promised for a file (snapshots take them from the listing
/// instead of a HEAD): the GET's own headers are checked against them.
#[derive(Debug, Clone, Copy)]
pub struct Expect<'a> {
    /// The 40-hex commit.
    pub commit: &'a str,
    /// The blob name (git blob id, or the SHA-256 of an LFS file).
    pub etag: &'a str,
}
impl Expect<'_> {
    /// A response from the Hub itself (it carries `X-Repo-Commit`; a CDN's does not) must match.
    pub(super) fn check(&self, h: &reqwest::header::HeaderMap, filename: &str) -> Result<()> {
        let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(crate::download::metadata::normalize_etag);
        let Some(commit) = get("x-repo-commit") else { return Ok(()) };
        let etag = get("x-linked-etag").or_else(|| get("etag"));
        if commit != self.commit || etag.as_deref().is_some_and(|e| e != self.etag) {
            return Err(Error::Metadata(format!(
                "{filename}: the server sent commit {commit} / blob {} while the file list said {} / {}: \
                 the repository changed during the download",
                etag.as_deref().unwrap_or("?"),
                self.commit,
                self.etag
            )));
        }
        Ok(())
    }
}

/// What a transfer produced.
#[derive(Debug)]
pub struct Fetched {
    /// Bytes present in the incomplete blob (the size check at publishing compares them).
    pub written: u64,
    /// The SHA-256 of the whole file, when asked for.
    pub sha256: Option<String>,
}

/// GET `f.url` into `out` (resuming from the ranges it was opened with), until every byte of
/// its size is written or the server ends a single stream; the caller then publishes, which
/// checks size and hash.
pub async fn fetch_into(
    http: &Http,
    f: &Fetch<'_>,
    out: &mut IncompleteBlob,
    sink: &ProgressSink,
    cancel: &CancelToken,
) -> Result<Fetched> {
    let size = out.size();
    let mut ranged = f.lanes.ranged(size);
    // A 200 answer to reuse after a restart (the server ignored a range).
    let mut whole: Option<Response> = None;
    let mut restarts = 0;
    let already = if ranged { out.resumed().total() } else { out.resumed().prefix() };
    sink.start(f.filename, already, size);
    sink.settle().await?;
    loop {
        let writer = Writer::new(out, f.hash)?;
        let cx = Cx {
            http,
            token: f.token,
            size,
            filename: f.filename,
            blob: out,
            writer: &writer,
            sink,
            cancel,
            expect: f.expect,
        };
        let outcome = match whole.take() {
            Some(resp) => fetch(&cx, &f.url, Span { start: 0, end: size, open: true }, Some(resp)).await,
            None if ranged => fetch_lanes(&cx, f).await,
            None => {
                let from = out.resumed().prefix();
                if from == size && size > 0 {
                    Ok(()) // all there already: no request (§1.2)
                } else {
                    fetch(&cx, &f.url, Span { start: from, end: size, open: true }, None).await
                }
            }
        };
        match outcome {
            Ok(()) => {
                let written = writer.written();
                let sha256 = if writer.complete() { writer.finish().await? } else { None };
                sink.finish();
                sink.settle().await?;
                return Ok(Fetched { written, sha256 });
            }
            Err(Stop::Fail(e)) => return Err(e),
            Err(Stop::Ignored(resp)) => {
                // Start over from byte 0 as one stream (§1.2), with the 200 answer when there is one.
                restarts += 1;
                if restarts > MAX_STALLS {
                    return Err(Error::Network(format!(
                        "{}: the server keeps answering ranges with the wrong bytes",
                        f.filename
                    )));
                }
                drop(writer);
                out.restart()?;
                sink.set(0);
                ranged = false;
                whole = resp;
            }
        }
    }
}

/// The ranged transfer: the probe, then the lanes drain the queue.
async fn fetch_lanes(cx: &Cx<'_>, f: &Fetch<'_>) -> std::result::Result<(), Stop> {
    let done = cx.blob.resumed();
    let queue = Queue::new(done, cx.size, f.lanes.chunk_for(cx.size - done.total()));
    let Some((s, e)) = queue.take() else { return Ok(()) };
    let first_span = Span { start: s, end: e, open: false };
    let mut stalls = MAX_STALLS;
    let probe = request(cx, &f.url, first_span, s, &mut stalls).await?;
    // The lanes ask where the probe landed (a CDN location after redirects).
    let url = probe.url().clone();
    let lanes = (f.lanes.lanes as usize).min(queue.len() + 1).max(1);
    let (queue, url) = (&queue, &url);
    let mut probe = Some(probe);
    // Polled as they wake (not all of them at every wake-up); the first failure drops the others.
    let mut work: FuturesUnordered<_> = (0..lanes)
        .map(|i| {
            let first = if i == 0 { probe.take().map(|p| (first_span, p)) } else { None };
            async move {
                if let Some((span, resp)) = first {
                    fetch(cx, url, span, Some(resp)).await?;
                }
                while let Some((s, e)) = queue.take() {
                    fetch(cx, url, Span { start: s, end: e, open: false }, None).await?;
                }
                Ok::<(), Stop>(())
            }
        })
        .collect();
    while let Some(lane) = work.next().await {
        lane?;
    }
    Ok(())
}
