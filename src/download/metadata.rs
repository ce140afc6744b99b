//! The metadata HEAD on `/resolve` (hub-protocol.md §1.1); its redirect rule lives in `http::auth`.

use std::time::Duration;

use reqwest::header::{HeaderMap, CONTENT_LENGTH, LOCATION};
use reqwest::{Method, Url};

use crate::error::{Error, Result};
use crate::http::{Http, Redirects, Req};

/// What the Hub says about one file at one revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMetadata {
    /// The 40-hex commit the revision resolved to (`X-Repo-Commit`).
    pub commit: String,
    /// The normalized ETag: git blob sha1 for regular files, sha256 for LFS files. Names the blob.
    pub etag: String,
    /// The file size in bytes.
    pub size: u64,
    /// Where to GET the bytes: the CDN `Location` for LFS files, else the (final) resolve URL.
    pub location: String,
    /// True when the Hub linked the file to LFS storage (`X-Linked-Etag` present).
    pub is_lfs: bool,
    /// The Xet file hash when the Hub announced one (informational; downloads use plain HTTP).
    pub xet_hash: Option<String>,
}

impl FileMetadata {
    /// The SHA-256 a download must match: an LFS file's ETag, when verification is on.
    pub fn sha256_to_verify(&self, verify: bool) -> Option<&str> {
        (verify && self.is_lfs && self.etag.len() == 64).then_some(self.etag.as_str())
    }

    /// The git blob SHA-1 a download must match: the ETag when it has that shape (a regular file,
    /// hub-protocol.md §2.4: a 40-hex blob name is the git hash of its content), verification on.
    pub fn git_sha1_to_verify(&self, verify: bool) -> Option<&str> {
        let git = crate::hash::Algo::for_blob_name(&self.etag) == Some(crate::hash::Algo::GitSha1);
        (verify && git).then_some(self.etag.as_str())
    }
}

fn header<'h>(h: &'h HeaderMap, name: &str) -> Option<&'h str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// Drop a leading `W/` and surrounding quotes.
pub fn normalize_etag(raw: &str) -> String {
    let t = raw.trim();
    let t = t.strip_prefix("W/").unwrap_or(t);
    t.trim_matches('"').to_string()
}

/// A value that becomes a file or folder name must be plain: letters, digits, `-`, `_`, `.` (not leading).
fn safe_name(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 128
        && !v.starts_with('.')
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// Send the HEAD (no retries; redirects under the `/resolve` policy) and extract the metadata.
/// `token` is the Hub token (the HTTP layer sends it to the Hub origin only). `what` names the
/// file in error messages.
pub async fn head_metadata(
    http: &Http,
    url: Url,
    token: Option<&str>,
    timeout: Duration,
    what: &str,
) -> Result<FileMetadata> {
    let mut req = Req::new(Method::HEAD, url).token(token);
    req.timeout = Some(timeout);
    let resp = http.send_following(req, Redirects::ResolveHead).await?;
    let final_url = resp.url().clone();
    let resp = http.check(resp, what, token).await?;
    let h = resp.headers();
    let commit = header(h, "x-repo-commit")
        .ok_or_else(|| {
            Error::Metadata("the server sent no X-Repo-Commit: not a Hub endpoint, or a proxy stripped it".into())
        })?
        .to_string();
    let linked = header(h, "x-linked-etag");
    let etag = linked
        .or_else(|| header(h, "etag"))
        .map(normalize_etag)
        .ok_or_else(|| Error::Metadata("the server sent no ETag: cannot name the cached file".into()))?;
    if !safe_name(&commit) || !safe_name(&etag) {
        return Err(Error::Metadata("the server sent a commit or ETag that is not a plain identifier".into()));
    }
    let size = match header(h, "x-linked-size") {
        Some(s) => Some(s),
        None if !resp.status().is_redirection() => header(h, CONTENT_LENGTH.as_str()),
        None => None,
    }
    .and_then(|s| s.parse::<u64>().ok())
    .ok_or_else(|| Error::Metadata("the server sent no file size".into()))?;
    let location = match header(h, LOCATION.as_str()) {
        Some(loc) => final_url.join(loc).map_err(|e| Error::Metadata(format!("bad Location: {e}")))?.to_string(),
        None => final_url.to_string(),
    };
    let xet_hash =
        header(h, "x-xet-hash").filter(|x| x.len() == 64 && x.bytes().all(|b| b.is_ascii_hexdigit())).map(String::from);
    Ok(FileMetadata { commit, etag, size, location, is_lfs: linked.is_some(), xet_hash })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_normalization() {
        assert_eq!(normalize_etag("W/\"abc\""), "abc");
        assert_eq!(normalize_etag("\"abc\""), "abc");
        assert_eq!(normalize_etag("abc"), "abc");
    }

    #[test]
    fn safe_names() {
        assert!(safe_name("c909c5a94a0a3f7a775c18c29743a7bca90cdbff"));
        assert!(!safe_name("../../etc"));
        assert!(!safe_name("a/b"));
        assert!(!safe_name(""));
        assert!(!safe_name(".hidden"));
    }
}
