//! One lane: GET a byte range into the writer, retrying what remains of it after a dropped
//! connection (hub-protocol.md §3.6: wait 1 s, at most 5 consecutive failures without new bytes;
//! 408/429 waited out as the server asks), journaling what is written as it goes.

use std::time::Duration;

use reqwest::header::CONTENT_RANGE;
use reqwest::{Method, Response, StatusCode, Url};

use super::writer::Writer;
use crate::cache::IncompleteBlob;
use crate::error::{Error, Result};
use crate::http::{transport_error, Http, Redirects, Req, RetryPolicy};
use crate::progress::{CancelToken, ProgressSink};

/// Consecutive failures without new bytes before giving up (§3.6).
pub(super) const MAX_STALLS: u32 = 5;
/// Wait before resuming after a dropped connection (§3.6).
const RESUME_WAIT: Duration = Duration::from_secs(1);
/// Written bytes are recorded in the journal (and, durable, written back) every this many bytes.
const JOURNAL_STEP: u64 = 8 << 20;

/// What every lane of one transfer shares.
pub(super) struct Cx<'a> {
    pub http: &'a Http,
    pub token: Option<&'a str>,
    pub size: u64,
    pub filename: &'a str,
    pub blob: &'a IncompleteBlob,
    pub writer: &'a Writer<'a>,
    pub sink: &'a ProgressSink,
    pub cancel: &'a CancelToken,
    pub expect: Option<super::Expect<'a>>,
}

/// Why a lane stopped short.
pub(super) enum Stop {
    /// A failure that ends the transfer.
    Fail(Error),
    /// The server does not serve ranges (a 200 to a `Range`, or a wrong `Content-Range`); the
    /// 200 answer, when there is one, carries the whole file from byte 0.
    Ignored(Option<Response>),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Stop {
        Stop::Fail(e)
    }
}

/// Parse `bytes <start>-<end>/<total>`.
pub(super) fn content_range(v: &str) -> Option<(u64, u64, u64)> {
    let rest = v.trim().strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let (s, e) = span.split_once('-')?;
    Some((s.trim().parse().ok()?, e.trim().parse().ok()?, total.trim().parse().ok()?))
}

/// A range to fetch: `[start, end)`; `open`: to the end of the file, as one stream (`Range:
/// bytes=<start>-`, none from 0).
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    pub start: u64,
    pub end: u64,
    pub open: bool,
}

impl Span {
    fn header(&self, from: u64) -> Option<String> {
        match (self.open, from) {
            (true, 0) => None,
            (true, _) => Some(format!("bytes={from}-")),
            (false, _) => Some(format!("bytes={from}-{}", self.end - 1)),
        }
    }
}

/// Send the request for what remains of `span` from `from`, waiting out throttling and retrying
/// connection failures (each counts as a stall). Checks the answer serves the bytes asked for.
pub(super) async fn request(
    cx: &Cx<'_>,
    url: &Url,
    span: Span,
    from: u64,
    stalls_left: &mut u32,
) -> std::result::Result<Response, Stop> {
    let throttling = RetryPolicy::throttling();
    let mut throttled = 0u32;
    loop {
        let mut req = Req::new(Method::GET, url.clone()).token(cx.token);
        let range = span.header(from);
        if let Some(r) = &range {
            req = req.header("range", r.clone());
        }
        let resp = match cx.http.send_following(req, Redirects::Follow).await {
            Ok(r) => r,
            Err(Error::Network(_) | Error::Timeout(_)) if *stalls_left > 1 => {
                *stalls_left -= 1;
                cx.cancel.sleep(RESUME_WAIT).await?;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let resp = match cx.http.check(resp, "download", cx.token).await {
            Ok(r) => r,
            Err(e) if throttled < throttling.max_retries && throttling.retries(&e) => {
                throttled += 1;
                cx.cancel.sleep(throttling.wait(throttled, &e)).await?;
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(x) = &cx.expect {
            x.check(resp.headers(), cx.filename)?;
        }
        if range.is_none() {
            return Ok(resp);
        }
        if resp.status() != StatusCode::PARTIAL_CONTENT {
            // The server ignored the range: its answer is the whole file.
            return Err(Stop::Ignored((resp.status() == StatusCode::OK).then_some(resp)));
        }
        let cr = resp.headers().get(CONTENT_RANGE).and_then(|v| v.to_str().ok()).and_then(content_range);
        match cr {
            Some((s, e, total)) if s == from && e >= s && e < span.end && total == cx.size => return Ok(resp),
            _ => return Err(Stop::Ignored(None)),
        }
    }
}

/// Fetch `span` into the writer, starting with `first` (an answer already received for it, from
/// its start) when given. Retries the remaining bytes after dropped connections.
pub(super) async fn fetch(
    cx: &Cx<'_>,
    url: &Url,
    span: Span,
    mut first: Option<Response>,
) -> std::result::Result<(), Stop> {
    let mut stalls_left = MAX_STALLS;
    let mut pos = span.start;
    let mut high_water = span.start;
    loop {
        let mut resp = match first.take() {
            Some(r) => r,
            None => request(cx, url, span, pos, &mut stalls_left).await?,
        };
        let shown = crate::http::redact_url_token(resp.url(), cx.token);
        let mut pending = Unrecorded { blob: cx.blob, from: pos, to: pos };
        let outcome: Result<()> = loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    let n = chunk.len() as u64;
                    if pos + n > span.end {
                        return Err(Error::Checksum(format!(
                            "{}: the server sent more than the {} bytes asked for",
                            cx.filename,
                            span.end - span.start
                        ))
                        .into());
                    }
                    cx.writer.write(pos, &chunk)?;
                    pos += n;
                    pending.to = pos;
                    cx.sink.add(n);
                    if pending.to - pending.from >= JOURNAL_STEP {
                        pending.flush()?;
                    }
                    cx.http.throttle(n).await;
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(transport_error(e, &format!("{shown}: reading the body"))),
            }
        };
        // What was written is kept, whatever happened to the connection.
        pending.flush()?;
        match outcome {
            // A complete single stream: whatever its length, the size check at publishing decides.
            Ok(()) if span.open || pos == span.end => return Ok(()),
            // A range answered short, or a dropped connection: ask again for the rest.
            Ok(()) | Err(_) => {
                // Progress is new bytes beyond the best point reached so far.
                if pos > high_water {
                    high_water = pos;
                    stalls_left = MAX_STALLS;
                } else {
                    stalls_left -= 1;
                }
                if stalls_left == 0 {
                    return Err(outcome
                        .err()
                        .unwrap_or_else(|| {
                            Error::Network(format!("{shown}: the server keeps answering {} short", cx.filename))
                        })
                        .into());
                }
                cx.cancel.sleep(RESUME_WAIT).await?;
            }
        }
    }
}

/// Bytes a lane wrote and has not journaled yet: recorded every `JOURNAL_STEP`, when its answer
/// ends, and when the lane is dropped (a cancel, another lane's failure), so that only a killed
/// process loses them.
struct Unrecorded<'a> {
    blob: &'a IncompleteBlob,
    from: u64,
    to: u64,
}

impl Unrecorded<'_> {
    /// Write back (durable) and journal `[from, to)`, written already.
    fn flush(&mut self) -> Result<()> {
        if self.to > self.from {
            self.blob.start_writeback(self.from, self.to - self.from);
            self.blob.record(self.from, self.to)?;
            self.from = self.to;
        }
        Ok(())
    }
}

impl Drop for Unrecorded<'_> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges() {
        assert_eq!(content_range("bytes 10485760-25165823/25165824"), Some((10485760, 25165823, 25165824)));
        assert_eq!(content_range("bytes */100"), None);
        assert_eq!(content_range("bytes 0-9/*"), None);
        let s = Span { start: 0, end: 10, open: false };
        assert_eq!((s.header(0).as_deref(), s.header(4).as_deref()), (Some("bytes=0-9"), Some("bytes=4-9")));
        let o = Span { open: true, ..s };
        assert_eq!((o.header(0), o.header(4).as_deref()), (None, Some("bytes=4-")));
    }
}
