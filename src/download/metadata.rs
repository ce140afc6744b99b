//! The metadata HEAD on `/resolve` and its redirect rule (hub-protocol.md §0.5, §1.1).

use reqwest::header::{HeaderMap, CONTENT_LENGTH, LOCATION};
use reqwest::{Method, Url};

use crate::error::{Error, Result};
use crate::http::{check_status, same_origin, Http, Req, MAX_REDIRECTS};

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

/// Hosts whose absolute redirects the HEAD follows besides the same origin (§0.5, v1.30 rule).
const KNOWN_HUB_HOSTS: [&str; 3] = ["huggingface.co", "hf.co", "hub-ci.huggingface.co"];

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

/// Send the HEAD (no retries) and extract the metadata. `endpoint` is the Hub origin: the token is
/// only ever sent to it. `what` names the file in error messages.
pub fn head_metadata(
    http: &Http,
    endpoint: &Url,
    url: Url,
    token: Option<&str>,
    timeout: std::time::Duration,
    what: &str,
    cancelled: &dyn Fn() -> bool,
) -> Result<FileMetadata> {
    let mut url = url;
    let mut hops = 0;
    let resp = loop {
        let mut req = Req::new(Method::HEAD, url.clone());
        req.token = token.filter(|_| same_origin(endpoint, &url)).map(String::from);
        req.timeout = Some(timeout);
        let resp = http.send_cancellable(req, cancelled)?;
        if !resp.status().is_redirection() || hops >= MAX_REDIRECTS {
            break resp;
        }
        let Some(loc) = header(resp.headers(), LOCATION.as_str()).map(String::from) else { break resp };
        let next = match Url::parse(&loc) {
            // Relative: replace the path of the current URL, keep its query (Python's rule).
            Err(_) => {
                let mut n = url.clone();
                let joined = url.join(&loc).map_err(|e| Error::Metadata(format!("bad redirect: {e}")))?;
                n.set_path(joined.path());
                n
            }
            Ok(abs) => {
                let downgrade = url.scheme() == "https" && abs.scheme() != "https";
                let host = abs.host_str().unwrap_or("");
                let known = same_origin(&url, &abs)
                    || KNOWN_HUB_HOSTS.contains(&host)
                    || (endpoint.host_str() == Some(host)
                        && endpoint.port_or_known_default() == abs.port_or_known_default());
                if downgrade || !known {
                    break resp; // a CDN redirect: the metadata is on this response
                }
                abs
            }
        };
        url = next;
        hops += 1;
    };
    let final_url = url;
    let resp = check_status(resp, what)?;
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
