//! The HTTP client: headers, user agent, redirect and token rules, transport-error mapping, and the
//! Hub's error classification (hub-protocol.md §0.3–§0.7). It knows nothing about the cache.

use std::time::Duration;

use reqwest::blocking::{Client as ReqwestClient, Response};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT_ENCODING, AUTHORIZATION, LOCATION, USER_AGENT};
use reqwest::{Method, StatusCode, Url};

use crate::config::Config;
use crate::error::{Error, HttpDetails, Result};

/// Redirect hops followed at most, for the metadata HEAD and for API GETs.
pub(crate) const MAX_REDIRECTS: usize = 10;

/// How often a waiting call checks its cancel token.
pub(crate) const CANCEL_POLL: Duration = Duration::from_millis(20);

/// The message the Hub sends with a 401 for a bad token; such a 401 is not a "repo not found".
const INVALID_CREDENTIALS: &str = "Invalid credentials in Authorization header";

/// A configured HTTP client shared by every call of one [`crate::Client`] (thread-safe, pooled).
#[derive(Debug, Clone)]
pub struct Http {
    inner: ReqwestClient,
    user_agent: String,
    offline: bool,
}

/// One request before it is sent.
#[derive(Debug)]
pub struct Req {
    /// HTTP method.
    pub method: Method,
    /// Absolute URL.
    pub url: Url,
    /// Bearer token to send, if any. The caller decides (origin rule); this layer only sends it.
    pub token: Option<String>,
    /// Extra headers, applied after the generated ones (they win).
    pub headers: Vec<(&'static str, String)>,
    /// A total deadline for this request (the client's per-operation timeout applies otherwise).
    pub timeout: Option<Duration>,
    /// Request body.
    pub body: Option<Vec<u8>>,
}

impl Req {
    /// A request with no body, token or extra headers.
    pub fn new(method: Method, url: Url) -> Req {
        Req { method, url, token: None, headers: Vec::new(), timeout: None, body: None }
    }
}

impl Http {
    /// Build the client from a configuration: no automatic redirects (we follow them by hand, so the
    /// token rule is ours), per-operation timeouts of `download_timeout`.
    pub fn new(cfg: &Config) -> Result<Http> {
        let mut builder = ReqwestClient::builder();
        if !cfg.use_env_proxy {
            builder = builder.no_proxy();
        }
        let inner = builder
            .redirect(reqwest::redirect::Policy::none())
            .timeout(cfg.download_timeout)
            .connect_timeout(cfg.download_timeout)
            .tcp_nodelay(true)
            .pool_max_idle_per_host(16)
            .build()
            .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(Http { inner, user_agent: build_user_agent(cfg), offline: cfg.offline })
    }

    /// The `user-agent` sent on Hub requests.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// Send one request; no redirect following, no status check. Fails before touching the network
    /// in offline mode.
    pub fn send(&self, req: Req) -> Result<Response> {
        if self.offline {
            return Err(Error::Offline(format!(
                "offline mode is enabled (HF_HUB_OFFLINE): no request to {}",
                redact_url(&req.url)
            )));
        }
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, header_value(&self.user_agent)?);
        if let Some(token) = &req.token {
            headers.insert(AUTHORIZATION, header_value(&format!("Bearer {token}"))?);
        }
        // We never ask for compressed bodies: sizes stay checkable against the metadata (§1.2).
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        for (name, value) in &req.headers {
            headers.insert(*name, header_value(value)?);
        }
        let shown = redact_url(&req.url);
        let mut builder = self.inner.request(req.method, req.url).headers(headers);
        if let Some(t) = req.timeout {
            builder = builder.timeout(t);
        }
        if let Some(body) = req.body {
            builder = builder.body(body);
        }
        builder.send().map_err(|e| transport_error(e, &shown))
    }

    /// [`Http::send`], but the wait for the response headers can be abandoned: `cancelled` is polled
    /// while a helper thread waits, and the call returns [`Error::Cancelled`] as soon as it says so
    /// (the abandoned request ends on its own, bounded by the timeouts).
    pub fn send_cancellable(&self, req: Req, cancelled: &dyn Fn() -> bool) -> Result<Response> {
        if cancelled() {
            return Err(Error::Cancelled);
        }
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let http = self.clone();
        std::thread::Builder::new()
            .name("hf_hub-request".into())
            .spawn(move || {
                let _ = tx.send(http.send(req));
            })
            .map_err(|e| Error::Internal(format!("cannot start a request thread: {e}")))?;
        loop {
            match rx.recv_timeout(CANCEL_POLL) {
                Ok(result) => return result,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) if cancelled() => return Err(Error::Cancelled),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(Error::Internal("the request thread ended without an answer".into()))
                }
            }
        }
    }

    /// GET a JSON document from the Hub, following redirects (the token is dropped when a hop
    /// changes origin, and https→http downgrades are refused), and classify error statuses.
    pub fn get_json(&self, url: Url, token: Option<&str>, what: &str) -> Result<serde_json::Value> {
        let resp = self.get_following(url, token)?;
        let resp = check_status(resp, what)?;
        let text = resp.text().map_err(|e| transport_error(e, what))?;
        serde_json::from_str(&text).map_err(|e| {
            Error::Http(HttpDetails {
                status: 200,
                message: format!("{what}: the server's answer is not valid JSON ({e})"),
                request_id: None,
                repo_commit: None,
            })
        })
    }

    /// GET with redirects followed by hand under the origin rule (§0.5).
    pub fn get_following(&self, url: Url, token: Option<&str>) -> Result<Response> {
        let first = url.clone();
        let mut url = url;
        for _ in 0..=MAX_REDIRECTS {
            let send_token = if same_origin(&first, &url) { token } else { None };
            let mut req = Req::new(Method::GET, url.clone());
            req.token = send_token.map(String::from);
            let resp = self.send(req)?;
            if !resp.status().is_redirection() {
                return Ok(resp);
            }
            let Some(next) = redirect_target(&url, &resp)? else { return Ok(resp) };
            url = next;
        }
        Err(Error::Network(format!("too many redirects starting at {}", redact_url(&first))))
    }
}

/// Where a 3xx response points, resolved against the current URL. `None` when it has no Location.
/// An https→http downgrade is refused.
pub fn redirect_target(current: &Url, resp: &Response) -> Result<Option<Url>> {
    let Some(loc) = resp.headers().get(LOCATION) else { return Ok(None) };
    let loc = loc.to_str().map_err(|_| Error::Network("redirect Location is not valid text".to_string()))?;
    let next = current.join(loc).map_err(|e| Error::Network(format!("bad redirect Location: {e}")))?;
    if current.scheme() == "https" && next.scheme() != "https" {
        return Err(Error::Network(format!("refusing an https→http redirect to {}", redact_url(&next))));
    }
    Ok(Some(next))
}

/// Same scheme, host and port.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

/// A URL fit for messages: no query (presigned signatures), no credentials.
pub fn redact_url(u: &Url) -> String {
    let mut u = u.clone();
    u.set_query(None);
    let _ = u.set_password(None);
    let _ = u.set_username("");
    u.to_string()
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
        src = s.source();
    }
    if is_timeout {
        Error::Timeout(msg)
    } else {
        Error::Network(msg)
    }
}

/// Map an I/O error raised while reading a response body.
pub fn body_read_error(e: std::io::Error, shown_url: &str) -> Error {
    if e.kind() == std::io::ErrorKind::TimedOut || e.to_string().contains("timed out") {
        Error::Timeout(format!("{shown_url}: reading the body: {e}"))
    } else {
        Error::Network(format!("{shown_url}: reading the body: {e}"))
    }
}

/// Pass a success or 3xx through; turn an error status into the right [`Error`] (§0.4).
pub fn check_status(resp: Response, what: &str) -> Result<Response> {
    let status = resp.status();
    if status.as_u16() < 400 {
        return Ok(resp);
    }
    let headers = resp.headers().clone();
    let url = resp.url().clone();
    let body = resp.text().unwrap_or_default();
    Err(classify(status, &headers, &url, &body, what))
}

fn header_str<'h>(h: &'h HeaderMap, name: &str) -> Option<&'h str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// The server's explanation: `X-Error-Message`, then the JSON body shapes of §0.4, else the raw text.
pub fn server_message(headers: &HeaderMap, body: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(m) = header_str(headers, "x-error-message") {
        parts.push(m.to_string());
    }
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) => {
            let err = v.get("error");
            let desc = v.get("error_description").and_then(|d| d.as_str());
            match (err, desc) {
                (Some(serde_json::Value::String(e)), Some(d)) => parts.push(format!("{e}: {d}")),
                (Some(serde_json::Value::String(e)), None) => parts.push(e.clone()),
                (Some(serde_json::Value::Array(a)), _) => {
                    parts.extend(a.iter().filter_map(|x| x.as_str().map(String::from)))
                }
                (None, Some(d)) => parts.push(d.to_string()),
                _ => {}
            }
            if let Some(errs) = v.get("errors").and_then(|e| e.as_array()) {
                parts.extend(errs.iter().filter_map(|e| e.get("message")?.as_str().map(String::from)));
            }
        }
        Err(_) => {
            let t = body.trim();
            if !t.is_empty() && !t.starts_with('<') {
                parts.push(t.chars().take(500).collect());
            }
        }
    }
    let mut seen: Vec<String> = Vec::new();
    for p in parts.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()) {
        if !seen.contains(&p) {
            seen.push(p);
        }
    }
    seen.join("; ")
}

/// Classify an HTTP error exactly in the order of §0.4.
pub fn classify(status: StatusCode, headers: &HeaderMap, url: &Url, body: &str, what: &str) -> Error {
    let code = header_str(headers, "x-error-code");
    let server_msg = server_message(headers, body);
    let request_id = ["x-request-id", "x-amzn-trace-id", "x-amz-cf-id"]
        .iter()
        .find_map(|h| header_str(headers, h))
        .map(String::from);
    let message = if server_msg.is_empty() { what.to_string() } else { format!("{what}: {server_msg}") };
    let repo_commit = header_str(headers, "x-repo-commit").map(String::from);
    let d = HttpDetails { status: status.as_u16(), message, request_id, repo_commit };
    let path = url.path();
    let is_repo_url = path.starts_with("/api/models/")
        || path.starts_with("/api/datasets/")
        || path.starts_with("/api/spaces/")
        || path.contains("/resolve/");
    match code {
        Some("RevisionNotFound") => return Error::RevisionNotFound(d),
        Some("EntryNotFound") => return Error::EntryNotFound(d),
        Some("GatedRepo") => return Error::Gated(d),
        _ => {}
    }
    if header_str(headers, "x-error-message") == Some("Access to this resource is disabled.") {
        return Error::Disabled(d);
    }
    let invalid_credentials = header_str(headers, "x-error-message") == Some(INVALID_CREDENTIALS);
    if code == Some("RepoNotFound") || (status == StatusCode::UNAUTHORIZED && is_repo_url && !invalid_credentials) {
        return Error::RepoNotFound(d);
    }
    match status.as_u16() {
        400 => Error::BadRequest(d),
        401 => Error::Unauthorized(d),
        403 => Error::Forbidden(d),
        429 => Error::RateLimited(d),
        _ => Error::Http(d),
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

    fn hm(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn classification_order() {
        let u = Url::parse("https://hf.co/org/r/resolve/main/x").unwrap();
        let api = Url::parse("https://hf.co/api/whoami-v2").unwrap();
        let c = |s: u16, h: &[(&'static str, &str)], u: &Url| {
            classify(StatusCode::from_u16(s).unwrap(), &hm(h), u, "", "t")
        };
        assert!(matches!(c(404, &[("x-error-code", "EntryNotFound")], &u), Error::EntryNotFound(_)));
        assert!(matches!(c(404, &[("x-error-code", "RevisionNotFound")], &u), Error::RevisionNotFound(_)));
        assert!(matches!(c(401, &[("x-error-code", "GatedRepo")], &u), Error::Gated(_)));
        assert!(matches!(
            c(403, &[("x-error-message", "Access to this resource is disabled.")], &u),
            Error::Disabled(_)
        ));
        assert!(matches!(c(404, &[("x-error-code", "RepoNotFound")], &u), Error::RepoNotFound(_)));
        assert!(matches!(c(401, &[], &u), Error::RepoNotFound(_)));
        assert!(matches!(c(401, &[("x-error-message", INVALID_CREDENTIALS)], &u), Error::Unauthorized(_)));
        assert!(matches!(c(401, &[], &api), Error::Unauthorized(_)));
        assert!(matches!(c(400, &[], &api), Error::BadRequest(_)));
        assert!(matches!(c(403, &[], &api), Error::Forbidden(_)));
        assert!(matches!(c(429, &[], &api), Error::RateLimited(_)));
        assert!(matches!(c(503, &[], &api), Error::Http(_)));
    }

    #[test]
    fn messages_and_request_id() {
        let h = hm(&[("x-error-message", "Nope"), ("x-request-id", "abc")]);
        assert_eq!(server_message(&h, r#"{"error":"Nope"}"#), "Nope");
        assert_eq!(server_message(&HeaderMap::new(), r#"{"error":["a","b"]}"#), "a; b");
        assert_eq!(server_message(&HeaderMap::new(), r#"{"error":"c","error_description":"d"}"#), "c: d");
        assert_eq!(server_message(&HeaderMap::new(), r#"{"errors":[{"message":"m"}]}"#), "m");
        assert_eq!(server_message(&HeaderMap::new(), "plain text"), "plain text");
        assert_eq!(server_message(&HeaderMap::new(), "<html>x</html>"), "");
        let u = Url::parse("https://hf.co/api/x").unwrap();
        let e = classify(StatusCode::BAD_GATEWAY, &h, &u, "", "doing");
        assert_eq!(e.request_id(), Some("abc"));
        assert_eq!(e.http_status(), 502);
    }

    #[test]
    fn origins_and_redaction() {
        let a = Url::parse("http://127.0.0.1:80/a").unwrap();
        assert!(same_origin(&a, &Url::parse("http://127.0.0.1/b").unwrap()));
        assert!(!same_origin(&a, &Url::parse("http://127.0.0.1:81/a").unwrap()));
        assert!(!same_origin(&a, &Url::parse("https://127.0.0.1:80/a").unwrap()));
        let s = Url::parse("https://u:p@cdn.example/x?X-Amz-Signature=secret").unwrap();
        assert_eq!(redact_url(&s), "https://cdn.example/x");
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
