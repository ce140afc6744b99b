//! The one error type of the library. Each variant maps to exactly one `hf_status` code in the C ABI
//! (see `ffi::status`). Messages never contain a token.

use std::fmt;
use std::io;

/// Details of a failed HTTP exchange with the Hub or the CDN.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpDetails {
    /// The HTTP status code the server answered.
    pub status: u16,
    /// A human-readable message: what we were doing plus the server's own explanation.
    pub message: String,
    /// The server's request id (`X-Request-Id`, `X-Amzn-Trace-Id` or `X-Amz-Cf-Id`), if any.
    pub request_id: Option<String>,
    /// The `X-Repo-Commit` of the error response (sent with EntryNotFound on `/resolve`).
    pub repo_commit: Option<String>,
    /// How long the server asked us to wait before trying again (`Retry-After`, `RateLimit`).
    pub retry_after: Option<std::time::Duration>,
}

impl fmt::Display for HttpDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.status == 0 {
            // Not from an HTTP answer (a GGUF plan that cannot be made, say).
            return write!(f, "{}", self.message);
        }
        write!(f, "{} (HTTP {}", self.message, self.status)?;
        if let Some(id) = &self.request_id {
            write!(f, ", request id {id}")?;
        }
        write!(f, ")")
    }
}

/// Everything that can go wrong. Variants are what a caller would handle differently.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A caller-supplied value is malformed (repo id, filename, revision, option combination).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The repository does not exist, or is private and the token cannot see it.
    #[error("repository not found: {0}")]
    RepoNotFound(HttpDetails),
    /// The revision (branch, tag, commit, PR ref) does not exist in the repository.
    #[error("revision not found: {0}")]
    RevisionNotFound(HttpDetails),
    /// The file (or folder) does not exist at that revision.
    #[error("entry not found: {0}")]
    EntryNotFound(HttpDetails),
    /// The repository is gated and the token has not been granted access (or no token was sent).
    #[error("gated repository: {0}")]
    Gated(HttpDetails),
    /// The repository has been disabled by the Hub.
    #[error("repository disabled: {0}")]
    Disabled(HttpDetails),
    /// 401: the token was rejected (invalid, expired, revoked).
    #[error("unauthorized: {0}")]
    Unauthorized(HttpDetails),
    /// 403: the token lacks a permission.
    #[error("forbidden: {0}")]
    Forbidden(HttpDetails),
    /// 429: rate limited by the Hub.
    #[error("rate limited: {0}")]
    RateLimited(HttpDetails),
    /// 400: the Hub refused the request as malformed.
    #[error("bad request: {0}")]
    BadRequest(HttpDetails),
    /// A commit named a parent commit that is no longer the head of its branch (someone else
    /// committed meanwhile): refresh and try again.
    #[error("stale parent commit: {0}")]
    StaleParent(HttpDetails),
    /// Any other HTTP status >= 400 (5xx, 416, ...).
    #[error("HTTP error: {0}")]
    Http(HttpDetails),
    /// Offline mode (or local-files-only) is on and what was asked is not in the local cache.
    #[error("{0}")]
    Offline(String),
    /// A snapshot was asked for offline and the cached copy lacks some of its files.
    #[error("incomplete snapshot: {0}")]
    IncompleteSnapshot(String),
    /// A token is required (e.g. whoami) and none is configured.
    #[error("no token: {0}")]
    NoToken(String),
    /// The connection failed (DNS, refused, reset, TLS, peer closed mid-response).
    #[error("network error: {0}")]
    Network(String),
    /// A connect or read timeout expired.
    #[error("timeout: {0}")]
    Timeout(String),
    /// The server answered without the metadata a Hub must send (commit, ETag, size).
    #[error("missing metadata: {0}")]
    Metadata(String),
    /// Downloaded bytes do not match the expected size or SHA-256.
    #[error("checksum mismatch: {0}")]
    Checksum(String),
    /// A local file-system operation failed.
    #[error("I/O error: {context}: {source}")]
    Io {
        /// What we were doing, usually with the path.
        context: String,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The operation was cancelled by the progress callback or a cancel token.
    #[error("cancelled")]
    Cancelled,
    /// A bug: a panic caught at the C boundary, or an invariant that did not hold.
    #[error("internal error: {0}")]
    Internal(String),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The same error with `token` replaced by `[REDACTED]` in its texts (tokens shorter than 4
    /// characters are left alone: replacing them would garble the message and hide nothing).
    pub fn redact_token(self, token: &str) -> Error {
        let token = token.trim();
        let r = |s: String| if token.len() >= 4 && s.contains(token) { s.replace(token, "[REDACTED]") } else { s };
        let d = |d: HttpDetails| HttpDetails {
            message: r(d.message),
            request_id: d.request_id.map(r),
            repo_commit: d.repo_commit.map(r),
            ..d
        };
        match self {
            Error::InvalidArgument(s) => Error::InvalidArgument(r(s)),
            Error::RepoNotFound(x) => Error::RepoNotFound(d(x)),
            Error::RevisionNotFound(x) => Error::RevisionNotFound(d(x)),
            Error::EntryNotFound(x) => Error::EntryNotFound(d(x)),
            Error::Gated(x) => Error::Gated(d(x)),
            Error::Disabled(x) => Error::Disabled(d(x)),
            Error::Unauthorized(x) => Error::Unauthorized(d(x)),
            Error::Forbidden(x) => Error::Forbidden(d(x)),
            Error::RateLimited(x) => Error::RateLimited(d(x)),
            Error::BadRequest(x) => Error::BadRequest(d(x)),
            Error::StaleParent(x) => Error::StaleParent(d(x)),
            Error::Http(x) => Error::Http(d(x)),
            Error::Offline(s) => Error::Offline(r(s)),
            Error::IncompleteSnapshot(s) => Error::IncompleteSnapshot(r(s)),
            Error::NoToken(s) => Error::NoToken(r(s)),
            Error::Network(s) => Error::Network(r(s)),
            Error::Timeout(s) => Error::Timeout(r(s)),
            Error::Metadata(s) => Error::Metadata(r(s)),
            Error::Checksum(s) => Error::Checksum(r(s)),
            Error::Io { context, source } => Error::Io { context: r(context), source },
            Error::Cancelled => Error::Cancelled,
            Error::Internal(s) => Error::Internal(r(s)),
        }
    }

    /// Wrap an I/O error with what we were doing.
    pub fn io(context: impl Into<String>, source: io::Error) -> Error {
        Error::Io { context: context.into(), source }
    }

    /// The HTTP details for errors that came from an HTTP answer.
    pub fn http_details(&self) -> Option<&HttpDetails> {
        match self {
            Error::RepoNotFound(d)
            | Error::RevisionNotFound(d)
            | Error::EntryNotFound(d)
            | Error::Gated(d)
            | Error::Disabled(d)
            | Error::Unauthorized(d)
            | Error::Forbidden(d)
            | Error::RateLimited(d)
            | Error::BadRequest(d)
            | Error::StaleParent(d)
            | Error::Http(d) => Some(d),
            _ => None,
        }
    }

    /// The HTTP status, or 0 when the error did not come from an HTTP answer.
    pub fn http_status(&self) -> u16 {
        self.http_details().map_or(0, |d| d.status)
    }

    /// The server's request id, when known.
    pub fn request_id(&self) -> Option<&str> {
        self.http_details().and_then(|d| d.request_id.as_deref())
    }

    /// Whether a second, patient metadata attempt is worth it (§3.2 step 3.2): transport errors and
    /// statuses 408, 429, 500, 502, 503, 504.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Network(_) | Error::Timeout(_) | Error::RateLimited(_) => true,
            Error::Http(d) => matches!(d.status, 408 | 500 | 502 | 503 | 504),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_token_reaches_every_text() {
        let t = "Zq9plainSecret";
        let net = Error::Network(format!("http://x/{t}/y: reset")).redact_token(t);
        assert_eq!(net.to_string(), "network error: http://x/[REDACTED]/y: reset");
        let d = HttpDetails {
            status: 500,
            message: format!("m {t}"),
            request_id: Some(t.into()),
            repo_commit: Some(t.into()),
            ..Default::default()
        };
        let text = format!("{:?}", Error::Http(d).redact_token(t));
        assert!(!text.contains(t) && text.matches("[REDACTED]").count() == 3, "{text}");
        let io = Error::io(format!("opening /tmp/{t}"), io::Error::other("x")).redact_token(t);
        assert!(!io.to_string().contains(t));
        assert_eq!(Error::Internal("abc".into()).redact_token("ab").to_string(), "internal error: abc", "too short");
    }
}
