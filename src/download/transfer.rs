//! The byte transfer: GET into a temporary file with in-process resume (`Range`), hashing while
//! writing, the size and SHA-256 checks, progress reports and cancellation (hub-protocol.md §1.2, §3.6).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use reqwest::header::CONTENT_RANGE;
use reqwest::{Method, StatusCode, Url};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::http::{
    body_read_error, check_status, redact_url, redirect_target, same_origin, Http, Req, CANCEL_POLL, MAX_REDIRECTS,
};
use crate::{CancelToken, Progress};
use reqwest::blocking::Response;

const READ_BUF: usize = 256 * 1024;
const CHUNKS_IN_FLIGHT: usize = 4;
const MAX_STALLS: u32 = 5;
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// What to fetch and how to check it.
pub struct Fetch<'a> {
    /// The URL to GET (CDN location or resolve URL).
    pub url: Url,
    /// The token, sent only while the request stays on `token_origin`.
    pub token: Option<&'a str>,
    /// The origin the token belongs to (the Hub endpoint).
    pub token_origin: &'a Url,
    /// Exact size the file must have.
    pub expected_size: u64,
    /// When set, the SHA-256 (hex) the content must have.
    pub expected_sha256: Option<&'a str>,
    /// Repo filename, for progress reports.
    pub filename: &'a str,
}

/// Progress and cancellation plumbing shared by the download calls.
pub struct Observer<'a> {
    /// Called on the calling thread at a bounded rate; returns false to cancel.
    pub progress: Option<&'a mut dyn FnMut(&Progress) -> bool>,
    /// Cancelled from any thread.
    pub cancel: Option<&'a CancelToken>,
    last: Option<Instant>,
}

impl<'a> Observer<'a> {
    /// Bundle a callback and a token.
    pub fn new(progress: Option<&'a mut dyn FnMut(&Progress) -> bool>, cancel: Option<&'a CancelToken>) -> Self {
        Observer { progress, cancel, last: None }
    }

    /// True when the cancel token fired.
    pub fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| c.is_cancelled())
    }

    /// Report progress (rate-limited unless `force`) and check for cancellation.
    pub fn report(&mut self, filename: &str, done: u64, total: u64, force: bool) -> Result<()> {
        if self.cancelled() {
            return Err(Error::Cancelled);
        }
        if let Some(cb) = self.progress.as_mut() {
            let now = Instant::now();
            if force || self.last.is_none_or(|l| now.duration_since(l) >= PROGRESS_EVERY) {
                self.last = Some(now);
                if !cb(&Progress { filename, bytes_done: done, bytes_total: total }) {
                    return Err(Error::Cancelled);
                }
            }
        }
        Ok(())
    }

    /// Sleep in small steps, returning early with `Cancelled` when cancelled.
    pub fn sleep(&self, d: Duration) -> Result<()> {
        let end = Instant::now() + d;
        while Instant::now() < end {
            if self.cancelled() {
                return Err(Error::Cancelled);
            }
            std::thread::sleep(Duration::from_millis(20).min(end - Instant::now()));
        }
        Ok(())
    }
}

/// Parse `bytes <start>-<end>/<total>` → start.
fn content_range_start(v: &str) -> Option<u64> {
    v.trim().strip_prefix("bytes ")?.split('-').next()?.trim().parse().ok()
}

/// GET `f.url` into `dest` (which must not exist), resuming in-process after dropped connections.
/// On success `dest` holds exactly `expected_size` verified bytes. On failure `dest` may hold a
/// partial file; the caller removes it.
pub fn fetch_to_file(http: &Http, f: &Fetch<'_>, dest: &Path, obs: &mut Observer<'_>) -> Result<()> {
    let mut file = File::options()
        .write(true)
        .create_new(true)
        .open(dest)
        .map_err(|e| Error::io(format!("creating {}", dest.display()), e))?;
    let shown = redact_url(&f.url);
    let mut written: u64 = 0;
    let mut hasher = f.expected_sha256.map(|_| Sha256::new());
    let mut stalls_left = MAX_STALLS;
    let mut high_water: u64 = 0;
    let mut status_retries = 0u32;
    obs.report(f.filename, 0, f.expected_size, true)?;

    while written < f.expected_size || (written == 0 && f.expected_size == 0) {
        if obs.cancelled() {
            return Err(Error::Cancelled);
        }
        let cancel = obs.cancel;
        let resp = match open_get(http, f, written, &|| cancel.is_some_and(|c| c.is_cancelled())) {
            Ok(r) => r,
            Err(Error::Network(_) | Error::Timeout(_)) if stalls_left > 1 => {
                stalls_left -= 1;
                obs.sleep(Duration::from_secs(1))?;
                continue;
            }
            Err(e) => return Err(e),
        };
        let status = resp.status();
        if matches!(status.as_u16(), 408 | 429) && status_retries < 5 {
            status_retries += 1;
            obs.sleep(Duration::from_secs(1 << (status_retries - 1).min(3)))?;
            continue;
        }
        let resp = check_status(resp, "download")?;
        if written > 0 {
            let start = resp.headers().get(CONTENT_RANGE).and_then(|v| v.to_str().ok()).and_then(content_range_start);
            if resp.status() != StatusCode::PARTIAL_CONTENT || start != Some(written) {
                // The server ignored the range: start over from byte 0.
                file.set_len(0).map_err(|e| Error::io("truncating the temporary file", e))?;
                file.seek(SeekFrom::Start(0)).map_err(|e| Error::io("rewinding the temporary file", e))?;
                written = 0;
                hasher = f.expected_sha256.map(|_| Sha256::new());
            }
        }
        if f.expected_size == 0 {
            break;
        }
        let chunks = spawn_reader(resp);
        let outcome: Result<()> = loop {
            let chunk = match chunks.recv_timeout(CANCEL_POLL) {
                Ok(Ok(c)) if c.is_empty() => break Ok(()),
                Ok(Ok(c)) => c,
                Ok(Err(e)) => break Err(body_read_error(e, &shown)),
                Err(RecvTimeoutError::Timeout) if obs.cancelled() => return Err(Error::Cancelled),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => {
                    break Err(Error::Network(format!("{shown}: the body reader stopped")));
                }
            };
            let n = chunk.len();
            if written + n as u64 > f.expected_size {
                return Err(Error::Checksum(format!(
                    "{}: the server sent more than the expected {} bytes",
                    f.filename, f.expected_size
                )));
            }
            file.write_all(&chunk).map_err(|e| Error::io(format!("writing {}", dest.display()), e))?;
            if let Some(h) = hasher.as_mut() {
                h.update(&chunk);
            }
            written += n as u64;
            obs.report(f.filename, written, f.expected_size, false)?;
        };
        match outcome {
            // A complete response: whatever its length, the size check below decides.
            Ok(()) => break,
            Err(e) => {
                // Progress is new bytes beyond the best point reached so far; a server that keeps
                // restarting from zero cannot loop forever.
                if written > high_water {
                    high_water = written;
                    stalls_left = MAX_STALLS;
                } else {
                    stalls_left -= 1;
                }
                if stalls_left == 0 {
                    return Err(e);
                }
                obs.sleep(Duration::from_secs(1))?;
            }
        }
    }
    file.flush().map_err(|e| Error::io("flushing the temporary file", e))?;
    file.sync_all().map_err(|e| Error::io("syncing the temporary file", e))?;
    if written != f.expected_size {
        return Err(Error::Checksum(format!(
            "consistency check failed: {} should be {} bytes, got {}",
            f.filename, f.expected_size, written
        )));
    }
    if let (Some(h), Some(expected)) = (hasher, f.expected_sha256) {
        let got = format!("{:x}", h.finalize());
        if !got.eq_ignore_ascii_case(expected) {
            return Err(Error::Checksum(format!("{}: SHA-256 is {got}, expected {expected}", f.filename)));
        }
    }
    obs.report(f.filename, written, f.expected_size, true)?;
    Ok(())
}

/// Read a response body on a helper thread, in chunks of at most `READ_BUF` bytes, so that the
/// calling thread can notice a cancellation even while the connection stalls. An empty chunk marks
/// the end. At most `CHUNKS_IN_FLIGHT` chunks wait in the channel: memory stays bounded. The thread
/// stops when the receiver is dropped.
fn spawn_reader(mut resp: Response) -> Receiver<std::io::Result<Vec<u8>>> {
    let (tx, rx) = sync_channel(CHUNKS_IN_FLIGHT);
    let spawned = std::thread::Builder::new().name("hf_hub-body".into()).spawn(move || loop {
        let mut buf = vec![0u8; READ_BUF];
        match resp.read(&mut buf) {
            Ok(0) => {
                let _ = tx.send(Ok(Vec::new()));
                return;
            }
            Ok(n) => {
                buf.truncate(n);
                if tx.send(Ok(buf)).is_err() {
                    return;
                }
            }
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        }
    });
    if let Err(e) = spawned {
        let (tx, rx) = sync_channel(1);
        let _ = tx.send(Err(e));
        return rx;
    }
    rx
}

/// Send the GET (with `Range` when resuming), following redirects; the token never leaves its origin.
fn open_get(http: &Http, f: &Fetch<'_>, offset: u64, cancelled: &dyn Fn() -> bool) -> Result<Response> {
    let mut url = f.url.clone();
    for _ in 0..=MAX_REDIRECTS {
        let mut req = Req::new(Method::GET, url.clone());
        req.token = f.token.filter(|_| same_origin(f.token_origin, &url)).map(String::from);
        if offset > 0 {
            req.headers.push(("range", format!("bytes={offset}-")));
        }
        let resp = http.send_cancellable(req, cancelled)?;
        if !resp.status().is_redirection() {
            return Ok(resp);
        }
        match redirect_target(&url, &resp)? {
            Some(next) => url = next,
            None => return Ok(resp),
        }
    }
    Err(Error::Network(format!("too many redirects fetching {}", redact_url(&f.url))))
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
