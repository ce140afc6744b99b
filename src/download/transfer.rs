//! The byte transfer of one file: GET into the incomplete blob with in-process resume (`Range`),
//! hashing while writing, status-level retries and progress (hub-protocol.md §1.2, §3.6).
//! Cancellation is the caller's: dropping the future aborts the request at once.

use std::time::Duration;

use reqwest::header::CONTENT_RANGE;
use reqwest::{Method, StatusCode, Url};

use crate::cache::IncompleteBlob;
use crate::error::{Error, Result};
use crate::http::{redact_url, transport_error, Http, Redirects, Req, RetryPolicy};
use crate::progress::{CancelToken, ProgressSink};

/// Consecutive failures without new bytes before giving up (§3.6).
const MAX_STALLS: u32 = 5;
/// Wait before resuming after a dropped connection (§3.6).
const RESUME_WAIT: Duration = Duration::from_secs(1);

/// What to fetch.
pub struct Fetch<'a> {
    /// The URL to GET (CDN location or resolve URL).
    pub url: Url,
    /// The Hub token (sent to the Hub origin only, by the HTTP layer).
    pub token: Option<&'a str>,
    /// Exact size the file must have.
    pub expected_size: u64,
    /// Repo filename, for progress reports and messages.
    pub filename: &'a str,
    /// What the Hub's own answer must say when the GET was not preceded by a HEAD (snapshots
    /// take commit and blob id from the listing): checked when the final response carries them.
    pub expect: Option<Expect<'a>>,
}

/// The commit and blob name a listing promised for a file.
#[derive(Debug, Clone, Copy)]
pub struct Expect<'a> {
    /// The 40-hex commit.
    pub commit: &'a str,
    /// The blob name (git blob id, or the SHA-256 of an LFS file).
    pub etag: &'a str,
}

impl Expect<'_> {
    /// A response from the Hub itself (it carries `X-Repo-Commit`; a CDN's does not) must match.
    fn check(&self, h: &reqwest::header::HeaderMap, filename: &str) -> Result<()> {
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

/// Parse `bytes <start>-<end>/<total>` → start.
fn content_range_start(v: &str) -> Option<u64> {
    v.trim().strip_prefix("bytes ")?.split('-').next()?.trim().parse().ok()
}

/// GET `f.url` into `out`, resuming in-process after dropped connections, until `out` holds
/// `expected_size` bytes (the caller then publishes, which checks size and hash).
pub async fn fetch_into(
    http: &Http,
    f: &Fetch<'_>,
    out: &mut IncompleteBlob,
    sink: &ProgressSink,
    cancel: &CancelToken,
) -> Result<()> {
    let shown = redact_url(&f.url);
    let throttling = RetryPolicy::throttling();
    let mut throttled = 0u32;
    let mut stalls_left = MAX_STALLS;
    let mut high_water: u64 = 0;
    sink.start(f.filename, out.written(), f.expected_size);
    sink.settle().await?;
    loop {
        let offset = out.written();
        let mut req = Req::new(Method::GET, f.url.clone()).token(f.token);
        if offset > 0 {
            req = req.header("range", format!("bytes={offset}-"));
        }
        let resp = match http.send_following(req, Redirects::Follow).await {
            Ok(r) => r,
            Err(Error::Network(_) | Error::Timeout(_)) if stalls_left > 1 => {
                stalls_left -= 1;
                cancel.sleep(RESUME_WAIT).await?;
                continue;
            }
            Err(e) => return Err(e),
        };
        let mut resp = match http.check(resp, "download", f.token).await {
            Ok(r) => r,
            Err(e) if throttled < throttling.max_retries && throttling.retries(&e) => {
                throttled += 1;
                cancel.sleep(throttling.wait(throttled, &e)).await?;
                continue;
            }
            Err(e) => return Err(e),
        };
        if let Some(x) = &f.expect {
            x.check(resp.headers(), f.filename)?;
        }
        if offset > 0 {
            let start = resp.headers().get(CONTENT_RANGE).and_then(|v| v.to_str().ok()).and_then(content_range_start);
            if resp.status() != StatusCode::PARTIAL_CONTENT || start != Some(offset) {
                // The server ignored the range: start over from byte 0.
                out.restart()?;
                sink.set(0);
            }
        }
        if f.expected_size == 0 {
            break;
        }
        let outcome: Result<()> = loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if out.written() + chunk.len() as u64 > f.expected_size {
                        return Err(Error::Checksum(format!(
                            "{}: the server sent more than the expected {} bytes",
                            f.filename, f.expected_size
                        )));
                    }
                    let n = chunk.len() as u64;
                    out.write(chunk)?;
                    sink.add(n);
                    http.throttle(n).await;
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(transport_error(e, &format!("{shown}: reading the body"))),
            }
        };
        match outcome {
            // A complete response: whatever its length, the size check at publishing decides.
            Ok(()) => break,
            Err(e) => {
                // Progress is new bytes beyond the best point reached so far; a server that keeps
                // restarting from zero cannot loop forever.
                if out.written() > high_water {
                    high_water = out.written();
                    stalls_left = MAX_STALLS;
                } else {
                    stalls_left -= 1;
                }
                if stalls_left == 0 {
                    return Err(e);
                }
                cancel.sleep(RESUME_WAIT).await?;
            }
        }
    }
    sink.finish();
    sink.settle().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range() {
        assert_eq!(content_range_start("bytes 10485760-25165823/25165824"), Some(10485760));
        assert_eq!(content_range_start("bytes */100"), None);
    }
}
