//! The HTTP layer (hub-protocol.md §0): one async `reqwest` client per [`crate::Client`], requests
//! with streaming bodies, the token-origin rule and redirect policies ([`auth`]), the one retry
//! policy ([`retry`]), error classification with token redaction ([`classify`]) and Link-header
//! pagination ([`paginate`]). It knows nothing about the cache.

pub mod auth;
pub mod classify;
pub mod paginate;
pub mod retry;
pub mod throttle;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_LENGTH, USER_AGENT};
use reqwest::{Method, Response, Url};
use serde::de::DeserializeOwned;

pub use auth::{same_origin, token_for, Redirects, MAX_REDIRECTS};
pub use classify::classify;
pub use retry::RetryPolicy;

use crate::config::Config;
use crate::error::{Error, HttpDetails, Result};
use crate::progress::CancelToken;

/// The most of an error body read for its message.
const ERROR_BODY_LIMIT: usize = 64 * 1024;
/// The most of a JSON answer read into memory.
const JSON_LIMIT: usize = 256 * 1024 * 1024;

/// A configured HTTP client shared by every call of one [`crate::Client`] (thread-safe, pooled).
#[derive(Debug, Clone)]
pub struct Http {
    /// Built on first use: loading the system's trusted certificates costs a few milliseconds,
    /// which a client that only answers from the cache (offline, commit-pinned) never pays.
    inner: Arc<OnceLock<reqwest::Client>>,
    /// The same without a read-inactivity timeout, for requests that send a long body (uploads):
    /// no answer byte arrives while a part of many megabytes is being sent, which a read timeout
    /// would take for a stalled server. Built on first use.
    sending: Arc<OnceLock<reqwest::Client>>,
    use_env_proxy: bool,
    timeout: Duration,
    /// The client's bandwidth cap, shared by every transfer.
    throttle: Option<Arc<throttle::Throttle>>,
    user_agent: String,
    offline: bool,
    hub: Url,
}

/// A long-body request fails when the server takes none of its body for this many read timeouts
/// (1 min by default: a 256 KiB chunk still passes a 5 KB/s uplink)...
const STALL_FACTOR: u32 = 6;
/// ...or gives no answer this many read timeouts after the whole body was sent (10 min by
/// default: a multipart completion or a large commit can take minutes on the Hub).
const ANSWER_WAIT_FACTOR: u32 = 60;

/// Progress of one long-body request (uploads, patient calls), which has no read-inactivity
/// timeout: when the body last moved, and since when it is all sent.
#[derive(Debug)]
struct SendWatch {
    start: std::time::Instant,
    /// Milliseconds after `start` of the last body chunk taken.
    last_ms: std::sync::atomic::AtomicU64,
    /// Milliseconds after `start` when the body was all sent, or `u64::MAX` while sending.
    sent_ms: std::sync::atomic::AtomicU64,
}

impl SendWatch {
    /// `streamed`: the body is a stream (it reports its chunks and its end); otherwise it is
    /// sent at once, and only the answer wait applies.
    fn new(streamed: bool) -> Arc<SendWatch> {
        let w = SendWatch {
            start: std::time::Instant::now(),
            last_ms: 0.into(),
            sent_ms: (if streamed { u64::MAX } else { 0 }).into(),
        };
        Arc::new(w)
    }

    fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    fn progress(&self) {
        self.last_ms.store(self.now_ms(), std::sync::atomic::Ordering::Relaxed);
    }

    /// We hold the body back ourselves (bandwidth cap) until the next [`SendWatch::progress`].
    fn pause(&self) {
        self.last_ms.store(u64::MAX, std::sync::atomic::Ordering::Relaxed);
    }

    fn sent(&self) {
        self.sent_ms.store(self.now_ms(), std::sync::atomic::Ordering::Relaxed);
    }

    /// Resolves (with the reason) when no body byte was taken for `stall`, or no answer came
    /// `answer` after the whole body was sent. Never resolves while the request makes progress.
    async fn stalled(&self, stall: Duration, answer: Duration) -> String {
        use std::sync::atomic::Ordering::Relaxed;
        let tick = (stall / 4).clamp(Duration::from_millis(10), Duration::from_secs(1));
        loop {
            tokio::time::sleep(tick).await;
            let now = self.now_ms();
            let sent = self.sent_ms.load(Relaxed);
            if sent == u64::MAX {
                let last = self.last_ms.load(Relaxed);
                if last != u64::MAX && now.saturating_sub(last) > stall.as_millis() as u64 {
                    return format!("the server took no request body bytes for {} s", stall.as_secs_f32());
                }
            } else if now.saturating_sub(sent) > answer.as_millis() as u64 {
                return format!("no answer {} s after the request body was sent", answer.as_secs_f32());
            }
        }
    }
}

/// A request body.
#[derive(Debug, Clone, Default)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// Bytes in memory (small JSON documents).
    Bytes(Bytes),
    /// `len` bytes of a file from `offset`, streamed from disk (never read into memory whole);
    /// re-opened for every attempt, so a retry sends it again from the start.
    File {
        /// The file.
        path: PathBuf,
        /// First byte sent.
        offset: u64,
        /// Number of bytes sent.
        len: u64,
    },
}

/// Hears of every chunk of a request body as it is handed to the connection (upload progress).
pub type OnSent = Arc<dyn Fn(u64) + Send + Sync>;

impl Body {
    async fn into_reqwest(
        self,
        on_sent: Option<OnSent>,
        throttle: Option<Arc<throttle::Throttle>>,
        watch: Option<Arc<SendWatch>>,
    ) -> Result<(Option<reqwest::Body>, Option<u64>)> {
        match self {
            Body::Empty => Ok((None, None)),
            Body::Bytes(b) => {
                let n = b.len() as u64;
                Ok((Some(reqwest::Body::from(b)), Some(n)))
            }
            Body::File { path, offset, len } => {
                use tokio::io::{AsyncReadExt, AsyncSeekExt};
                let mut f = tokio::fs::File::open(&path)
                    .await
                    .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
                f.seek(std::io::SeekFrom::Start(offset))
                    .await
                    .map_err(|e| Error::io(format!("seeking in {}", path.display()), e))?;
                let stream = tokio_util::io::ReaderStream::with_capacity(f.take(len), 256 * 1024);
                if on_sent.is_none() && throttle.is_none() && watch.is_none() {
                    return Ok((Some(reqwest::Body::wrap_stream(stream)), Some(len)));
                }
                use futures_util::StreamExt;
                let w = watch.clone();
                let counted = stream.then(move |chunk| {
                    let (on_sent, throttle, w) = (on_sent.clone(), throttle.clone(), w.clone());
                    async move {
                        if let Ok(b) = &chunk {
                            if let Some(t) = &throttle {
                                // Waiting for our own bandwidth cap is not the server stalling.
                                if let Some(w) = &w {
                                    w.pause();
                                }
                                t.consume(b.len() as u64).await;
                            }
                            if let Some(f) = &on_sent {
                                f(b.len() as u64);
                            }
                            if let Some(w) = &w {
                                w.progress();
                            }
                        }
                        chunk
                    }
                });
                // The end of the stream is the end of the body: from then on the answer is awaited.
                let done = futures_util::stream::poll_fn(move |_| {
                    if let Some(w) = &watch {
                        w.sent();
                    }
                    std::task::Poll::Ready(None)
                });
                Ok((Some(reqwest::Body::wrap_stream(counted.chain(done))), Some(len)))
            }
        }
    }
}

/// One request before it is sent.
#[derive(Clone)]
pub struct Req {
    /// HTTP method.
    pub method: Method,
    /// Absolute URL.
    pub url: Url,
    /// The Hub token, if any. The HTTP layer alone decides where it goes ([`auth::token_for`]).
    pub token: Option<String>,
    /// Extra headers, applied after the generated ones (they win).
    pub headers: Vec<(&'static str, String)>,
    /// A total deadline for this request (connect and read-inactivity timeouts apply otherwise).
    pub timeout: Option<Duration>,
    /// Request body.
    pub body: Body,
    /// Called with the size of each chunk of a [`Body::File`] as it is sent (and the chunk is
    /// charged to the bandwidth cap then). `None`: not counted, not capped.
    pub on_sent: Option<OnSent>,
    /// Wait for the answer without a read-inactivity timeout (calls a server may take long to
    /// answer, such as the completion of a multipart upload). Requests with a file body always do.
    pub patient: bool,
}

impl std::fmt::Debug for Req {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Req")
            .field("method", &self.method)
            .field("url", &redact_url_token(&self.url, self.token.as_deref()))
            .field("headers", &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("body", &self.body)
            .finish_non_exhaustive()
    }
}

impl Req {
    /// A request with no body, token or extra headers.
    pub fn new(method: Method, url: Url) -> Req {
        Req {
            method,
            url,
            token: None,
            headers: Vec::new(),
            timeout: None,
            body: Body::Empty,
            on_sent: None,
            patient: false,
        }
    }

    /// Set the body.
    pub fn body(mut self, body: Body) -> Req {
        self.body = body;
        self
    }

    /// Set the Hub token.
    pub fn token(mut self, token: Option<&str>) -> Req {
        self.token = token.map(String::from);
        self
    }

    /// Add a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Req {
        self.headers.push((name, value.into()));
        self
    }
}

impl Http {
    /// A client with no automatic redirects (the policies are ours, so is the token rule) and
    /// connect and read-inactivity timeouts of `download_timeout`. `hub` is the endpoint origin.
    /// The underlying connection pool and TLS setup are built on the first request.
    pub fn new(cfg: &Config, hub: Url) -> Result<Http> {
        Ok(Http {
            inner: Arc::new(OnceLock::new()),
            sending: Arc::new(OnceLock::new()),
            use_env_proxy: cfg.use_env_proxy,
            timeout: cfg.download_timeout,
            throttle: cfg.max_bytes_per_sec.map(|r| Arc::new(throttle::Throttle::new(r))),
            user_agent: build_user_agent(cfg),
            offline: cfg.offline,
            hub,
        })
    }

    fn client(&self, long_body: bool) -> Result<&reqwest::Client> {
        let cell = if long_body { &self.sending } else { &self.inner };
        if let Some(c) = cell.get() {
            return Ok(c);
        }
        let mut builder = reqwest::Client::builder();
        if !self.use_env_proxy {
            builder = builder.no_proxy();
        }
        builder =
            if long_body { builder.tcp_keepalive(Duration::from_secs(30)) } else { builder.read_timeout(self.timeout) };
        let built = builder
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.timeout)
            .tcp_nodelay(true)
            .pool_max_idle_per_host(32)
            .build()
            .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(cell.get_or_init(|| built))
    }

    /// Account for `n` body bytes received under the bandwidth cap (waits when over it).
    pub async fn throttle(&self, n: u64) {
        if let Some(t) = &self.throttle {
            t.consume(n).await;
        }
    }

    /// The `user-agent` sent on Hub requests.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Send one request (one hop: no redirect following, no status check). Fails before touching
    /// the network in offline mode. Dropping the future aborts the request.
    pub async fn send(&self, req: &Req) -> Result<Response> {
        if self.offline {
            return Err(Error::Offline(format!(
                "offline mode is enabled (HF_HUB_OFFLINE): no request to {}",
                redact_url_token(&req.url, req.token.as_deref())
            )));
        }
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, header_value(&self.user_agent)?);
        if let Some(token) = token_for(&self.hub, &req.url, req.token.as_deref()) {
            let mut v = header_value(&format!("Bearer {token}"))?;
            v.set_sensitive(true);
            headers.insert(AUTHORIZATION, v);
        }
        // We never ask for compressed bodies: sizes stay checkable against the metadata (§1.2).
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        let throttle = req.on_sent.as_ref().and(self.throttle.clone());
        let long_body = req.patient || matches!(req.body, Body::File { .. }) || req.on_sent.is_some();
        // Long-body requests have no read-inactivity timeout; a watch ends them when the server
        // stops taking the body, or never answers once it has it.
        let watch = long_body.then(|| SendWatch::new(matches!(req.body, Body::File { .. })));
        let (body, len) = req.body.clone().into_reqwest(req.on_sent.clone(), throttle, watch.clone()).await?;
        if let Some(n) = len {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(n));
        }
        for (name, value) in &req.headers {
            headers.insert(HeaderName::from_static(name), header_value(value)?);
        }
        let shown = redact_url_token(&req.url, req.token.as_deref());
        let client = self.client(long_body)?;
        let build = |body: Option<reqwest::Body>| {
            let mut b = client.request(req.method.clone(), req.url.clone()).headers(headers.clone());
            if let Some(t) = req.timeout {
                b = b.timeout(t);
            }
            match body {
                Some(body) => b.body(body),
                None => b,
            }
        };
        // A pooled connection the server closed while we were idle (CDNs do after a few seconds)
        // fails before any answer: an idempotent request without a body is sent again, once, on a
        // new connection.
        let resendable = matches!(req.method, Method::GET | Method::HEAD) && matches!(req.body, Body::Empty);
        let sent = async {
            match build(body).send().await {
                Err(e) if resendable && stale_connection(&e) => build(None).send().await,
                other => other,
            }
            .map_err(|e| transport_error(e, &shown))
        };
        match watch {
            None => sent.await,
            Some(w) => tokio::select! {
                r = sent => r,
                why = w.stalled(self.timeout * STALL_FACTOR, self.timeout * ANSWER_WAIT_FACTOR) => {
                    Err(Error::Timeout(format!("{shown}: {why}")))
                }
            },
        }
    }

    /// Send `req`, following redirects under `policy`. Returns the last answer (which, for
    /// [`Redirects::ResolveHead`], may be a 3xx pointing at a CDN).
    pub async fn send_following(&self, mut req: Req, policy: Redirects) -> Result<Response> {
        let first = redact_url_token(&req.url, req.token.as_deref());
        for _ in 0..=MAX_REDIRECTS {
            let resp = self.send(&req).await?;
            if !resp.status().is_redirection() {
                return Ok(resp);
            }
            match auth::next_hop(policy, &self.hub, &req.url, resp.headers())? {
                Some(next) => req.url = next,
                None => return Ok(resp),
            }
        }
        match policy {
            Redirects::ResolveHead => self.send(&req).await,
            Redirects::Follow => Err(Error::Network(format!("too many redirects starting at {first}"))),
        }
    }

    /// Pass a success or 3xx through; turn an error status into the right [`Error`] (§0.4), with
    /// `token` and token-shaped strings redacted from the server's text.
    pub async fn check(&self, resp: Response, what: &str, token: Option<&str>) -> Result<Response> {
        if resp.status().as_u16() < 400 {
            return Ok(resp);
        }
        let status = resp.status();
        let headers = resp.headers().clone();
        let url = resp.url().clone();
        let body = read_limited(resp, ERROR_BODY_LIMIT, what).await.unwrap_or_default();
        Err(classify(status, &headers, &url, &String::from_utf8_lossy(&body), what, token))
    }

    /// GET a JSON document from the Hub (redirects followed), classify error statuses, decode.
    pub async fn get_json<T: DeserializeOwned>(&self, url: Url, token: Option<&str>, what: &str) -> Result<T> {
        Ok(self.get_json_page(url, token, what).await?.0)
    }

    /// One page of a paginated JSON listing and the URL of the next one (`Link: rel="next"`).
    pub async fn get_json_page<T: DeserializeOwned>(
        &self,
        url: Url,
        token: Option<&str>,
        what: &str,
    ) -> Result<(T, Option<Url>)> {
        let resp = self.send_following(Req::new(Method::GET, url).token(token), Redirects::Follow).await?;
        let resp = self.check(resp, what, token).await?;
        let next = paginate::next_page(resp.url(), resp.headers());
        let body = read_limited(resp, JSON_LIMIT, what).await?;
        let value = serde_json::from_slice(&body).map_err(|e| {
            Error::Http(HttpDetails {
                status: 200,
                message: format!("{what}: the server's answer is not the expected JSON ({e})"),
                ..Default::default()
            })
        })?;
        Ok((value, next))
    }

    /// Every page of a paginated JSON list, each turned into items by `on_page` as it arrives (a
    /// hostile page fails the listing there, not after the last page), concatenated. The first
    /// page is not retried; pages 2+ are, under `retry` (§0.6). At most `max_pages` pages are
    /// read (a listing that never ends is an error, not a hang).
    #[allow(clippy::too_many_arguments)]
    pub async fn get_json_pages<T: DeserializeOwned, U>(
        &self,
        url: Url,
        token: Option<&str>,
        what: &str,
        retry: RetryPolicy,
        cancel: &CancelToken,
        max_pages: usize,
        mut on_page: impl FnMut(Vec<T>) -> Result<Vec<U>>,
    ) -> Result<Vec<U>> {
        let mut seen = std::collections::HashSet::from([url.to_string()]);
        let (first, mut next): (Vec<T>, _) = self.get_json_page(url, token, what).await?;
        let mut items = on_page(first)?;
        let mut pages = 1;
        while let Some(url) = next {
            let endless = |why: String| {
                Err(Error::Http(HttpDetails { status: 200, message: format!("{what}: {why}"), ..Default::default() }))
            };
            if pages >= max_pages {
                return endless(format!("more than {max_pages} pages; giving up"));
            }
            // A next link back to a page already read is a loop: it would only end at the bound.
            if !seen.insert(url.to_string()) {
                return endless(format!("the pages link back to {}; giving up", redact_url(&url)));
            }
            let (page, after): (Vec<T>, _) =
                retry.run(cancel, |_| self.get_json_page(url.clone(), token, what)).await?;
            items.extend(on_page(page)?);
            next = after;
            pages += 1;
        }
        Ok(items)
    }
}

/// Read a whole body, failing past `limit` bytes.
pub async fn read_limited(mut resp: Response, limit: usize, what: &str) -> Result<Vec<u8>> {
    let shown = redact_url(resp.url());
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(e, &shown))? {
        if out.len() + chunk.len() > limit {
            return Err(Error::Http(HttpDetails {
                status: resp.status().as_u16(),
                message: format!("{what}: the answer is larger than {limit} bytes"),
                ..Default::default()
            }));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Whether a send failed because a kept-alive connection had been closed by the server before
/// it answered (hyper: "connection closed before message completed", or a reset on reuse).
fn stale_connection(e: &reqwest::Error) -> bool {
    if e.is_timeout() || e.is_connect() {
        return false;
    }
    let mut src: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = src {
        let text = s.to_string();
        if text.contains("connection closed before message completed") || text.contains("Connection reset by peer") {
            return true;
        }
        src = s.source();
    }
    false
}

/// A URL fit for messages: no query (presigned signatures), no credentials.
pub fn redact_url(u: &Url) -> String {
    redact_url_token(u, None)
}

/// [`redact_url`], and `token` (the one sent with the request) removed from what is left: a
/// server can put the token in the path of a `Location` it redirects to, which then shows in the
/// error message of that hop.
pub fn redact_url_token(u: &Url, token: Option<&str>) -> String {
    let mut u = u.clone();
    u.set_query(None);
    let _ = u.set_password(None);
    let _ = u.set_username("");
    classify::redact(u.as_str(), token)
}

fn header_value(v: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(v).map_err(|_| Error::InvalidArgument("a header value contains invalid characters".into()))
}

/// Map a transport failure (never carries the token: reqwest does not print headers).
pub fn transport_error(e: reqwest::Error, shown_url: &str) -> Error {
    let is_timeout = e.is_timeout();
    let e = e.without_url();
    let mut msg = format!("{shown_url}: {e}");
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        msg.push_str(&format!(": {s}"));
        if s.to_string().contains("timed out") {
            return Error::Timeout(msg);
        }
        src = s.source();
    }
    if is_timeout {
        Error::Timeout(msg)
    } else {
        Error::Network(msg)
    }
}

fn build_user_agent(cfg: &Config) -> String {
    let mut parts: Vec<String> = vec!["unknown/None".into(), format!("hf_hub_c/{}", env!("CARGO_PKG_VERSION"))];
    if let Some(extra) = &cfg.user_agent {
        parts.push(extra.clone());
    }
    if let Some(origin) = &cfg.user_agent_origin {
        parts.push(format!("origin/{origin}"));
    }
    let mut out: Vec<String> = Vec::new();
    for p in parts.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()) {
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_of_urls() {
        let s = Url::parse("https://u:p@cdn.example/x?X-Amz-Signature=secret").unwrap();
        assert_eq!(redact_url(&s), "https://cdn.example/x");
        // A token a server put in the path of a Location: the request's own token and any
        // token-shaped string.
        let p = Url::parse("http://127.0.0.1:9/Zq9plainSecret/hf_abcdefghijklmnop/x?t=1").unwrap();
        assert_eq!(redact_url(&p), "http://127.0.0.1:9/Zq9plainSecret/[REDACTED]/x");
        assert_eq!(redact_url_token(&p, Some("Zq9plainSecret")), "http://127.0.0.1:9/[REDACTED]/[REDACTED]/x");
    }

    #[test]
    fn user_agent_parts() {
        let mut cfg = Config::without_env();
        cfg.user_agent_origin = Some("ci".into());
        cfg.user_agent = Some("myapp/1.0".into());
        let ua = build_user_agent(&cfg);
        assert!(ua.starts_with("unknown/None; hf_hub_c/"));
        assert!(ua.ends_with("; myapp/1.0; origin/ci"));
    }
}
