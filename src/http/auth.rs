//! The one token-origin rule and the two redirect policies (hub-protocol.md §0.5).
//!
//! Audited rule: the `Authorization` header is attached by [`token_for`] only, and only when the
//! request goes to the Hub origin (same scheme, host and port as the endpoint). Callers always hand
//! the Hub token to the HTTP layer; they never decide where it goes.

use reqwest::header::{HeaderMap, LOCATION};
use reqwest::Url;

use crate::error::{Error, Result};

/// Redirect hops followed at most.
pub const MAX_REDIRECTS: usize = 10;

/// Hosts whose absolute redirects the metadata HEAD follows besides the same origin (§0.5, v1.30 rule).
const KNOWN_HUB_HOSTS: [&str; 3] = ["huggingface.co", "hf.co", "hub-ci.huggingface.co"];

/// Same scheme, host and port.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

/// THE token rule: the token goes to the Hub origin and nowhere else (not the CDN, not a redirect
/// target on another origin, not a mirror the Hub points to).
pub fn token_for<'t>(hub: &Url, target: &Url, token: Option<&'t str>) -> Option<&'t str> {
    token.filter(|_| same_origin(hub, target))
}

/// How a request follows 3xx answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redirects {
    /// API calls and download GETs: follow every hop (at most [`MAX_REDIRECTS`]), refuse https→http.
    Follow,
    /// The `/resolve` metadata HEAD: follow relative redirects (renamed repos) and absolute ones to
    /// the same host and port or a known Hub host; stop at anything else (a CDN), whose answer is
    /// the metadata source.
    ResolveHead,
}

fn location(headers: &HeaderMap) -> Option<&str> {
    headers.get(LOCATION).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// Where a 3xx answer at `current` leads under `policy`; `None` means "stop here".
pub fn next_hop(policy: Redirects, hub: &Url, current: &Url, headers: &HeaderMap) -> Result<Option<Url>> {
    let Some(loc) = location(headers) else { return Ok(None) };
    match policy {
        Redirects::Follow => {
            let next = current.join(loc).map_err(|e| Error::Network(format!("bad redirect Location: {e}")))?;
            if current.scheme() == "https" && next.scheme() != "https" {
                return Err(Error::Network(format!("refusing an https→http redirect to {}", super::redact_url(&next))));
            }
            Ok(Some(next))
        }
        Redirects::ResolveHead => match Url::parse(loc) {
            // Relative: replace the path of the current URL, keep its query (Python's rule).
            Err(_) => {
                let joined = current.join(loc).map_err(|e| Error::Metadata(format!("bad redirect: {e}")))?;
                let mut n = current.clone();
                n.set_path(joined.path());
                Ok(Some(n))
            }
            Ok(abs) => {
                let downgrade = current.scheme() == "https" && abs.scheme() != "https";
                let host = abs.host_str().unwrap_or("");
                let known = same_origin(current, &abs)
                    || KNOWN_HUB_HOSTS.contains(&host)
                    || (hub.host_str() == Some(host) && hub.port_or_known_default() == abs.port_or_known_default());
                Ok((!downgrade && known).then_some(abs))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn loc(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(LOCATION, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn token_only_to_the_hub_origin() {
        let hub = Url::parse("http://127.0.0.1:8000").unwrap();
        let t = Some("hf_secret");
        assert_eq!(token_for(&hub, &Url::parse("http://127.0.0.1:8000/api/x").unwrap(), t), t);
        assert_eq!(token_for(&hub, &Url::parse("http://127.0.0.1:8001/lfs/x").unwrap(), t), None);
        assert_eq!(token_for(&hub, &Url::parse("https://127.0.0.1:8000/x").unwrap(), t), None);
        assert_eq!(token_for(&hub, &Url::parse("http://localhost:8000/x").unwrap(), t), None);
    }

    #[test]
    fn follow_policy() {
        let hub = Url::parse("https://hf.co").unwrap();
        let cur = Url::parse("https://hf.co/a/resolve/main/x").unwrap();
        let n = next_hop(Redirects::Follow, &hub, &cur, &loc("https://cdn.example/x?sig=1")).unwrap();
        assert_eq!(n.unwrap().as_str(), "https://cdn.example/x?sig=1");
        assert!(next_hop(Redirects::Follow, &hub, &cur, &loc("http://cdn.example/x")).is_err());
        assert!(next_hop(Redirects::Follow, &hub, &cur, &HeaderMap::new()).unwrap().is_none());
    }

    #[test]
    fn resolve_head_policy() {
        let hub = Url::parse("http://127.0.0.1:9000").unwrap();
        let cur = Url::parse("http://127.0.0.1:9000/old/repo/resolve/main/x?q=1").unwrap();
        let rel = next_hop(Redirects::ResolveHead, &hub, &cur, &loc("/new/repo/resolve/main/x")).unwrap().unwrap();
        assert_eq!(rel.as_str(), "http://127.0.0.1:9000/new/repo/resolve/main/x?q=1");
        let cdn = next_hop(Redirects::ResolveHead, &hub, &cur, &loc("http://127.0.0.1:9001/lfs/x")).unwrap();
        assert!(cdn.is_none(), "a CDN redirect ends the HEAD");
        let same = next_hop(Redirects::ResolveHead, &hub, &cur, &loc("http://127.0.0.1:9000/y")).unwrap();
        assert!(same.is_some());
        let https = Url::parse("https://hf.co/x").unwrap();
        assert!(next_hop(Redirects::ResolveHead, &hub, &https, &loc("http://hf.co/y")).unwrap().is_none());
        assert!(next_hop(Redirects::ResolveHead, &hub, &https, &loc("https://huggingface.co/y")).unwrap().is_some());
    }
}
