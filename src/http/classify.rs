//! Hub error classification (hub-protocol.md §0.4) and the redaction of secrets from everything a
//! server sends before it reaches a message.

use reqwest::header::HeaderMap;
use reqwest::{StatusCode, Url};

use crate::error::{Error, HttpDetails};

/// The message the Hub sends with a 401 for a bad token; such a 401 is not a "repo not found".
const INVALID_CREDENTIALS: &str = "Invalid credentials in Authorization header";

/// Shown instead of a secret.
const REDACTED: &str = "[REDACTED]";

fn header_str<'h>(h: &'h HeaderMap, name: &str) -> Option<&'h str> {
    h.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty())
}

/// Remove secrets from server-sent text: the token sent with the request (if any), anything after
/// `Bearer `, and every token-shaped string (`hf_…`, `api_org_…`).
pub fn redact(text: &str, token: Option<&str>) -> String {
    let mut s = text.to_string();
    if let Some(t) = token.map(str::trim).filter(|t| t.len() >= 4) {
        s = s.replace(t, REDACTED);
    }
    let mut out = String::with_capacity(s.len());
    let bytes = s.as_bytes();
    let word = |b: u8| {
        b.is_ascii_alphanumeric()
            || b == b'_'
            || b == b'-'
            || b == b'.'
            || b == b'~'
            || b == b'+'
            || b == b'/'
            || b == b'='
    };
    let mut i = 0;
    while i < bytes.len() {
        let rest = &s[i..];
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        // Compared as bytes: `rest` may hold a multi-byte character across the prefix's length.
        let lower_prefix =
            |p: &str| rest.len() >= p.len() && rest.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes());
        if lower_prefix("bearer ") {
            out.push_str(&rest[..7]);
            let n = rest[7..].bytes().take_while(|b| word(*b)).count();
            if n > 0 {
                out.push_str(REDACTED);
            }
            i += 7 + n;
            continue;
        }
        if at_word_start && (rest.starts_with("hf_") || rest.starts_with("api_org_")) {
            let prefix = if rest.starts_with("hf_") { 3 } else { 8 };
            let n = rest[prefix..].bytes().take_while(|b| b.is_ascii_alphanumeric()).count();
            if n >= 10 {
                out.push_str(REDACTED);
                i += prefix + n;
                continue;
            }
        }
        let ch = rest.chars().next().expect("non-empty");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// The server's explanation: `X-Error-Message`, then the JSON body shapes of §0.4, else the raw
/// text (not HTML). Not yet redacted.
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
    for p in parts.into_iter().map(|p| p.trim().chars().take(1000).collect::<String>()).filter(|p| !p.is_empty()) {
        if !seen.contains(&p) {
            seen.push(p);
        }
    }
    seen.join("; ")
}

/// Classify an HTTP error exactly in the order of §0.4. `token` is the token that may have been
/// sent: it is redacted from the server's text, as are all token-shaped strings.
pub fn classify(
    status: StatusCode,
    headers: &HeaderMap,
    url: &Url,
    body: &str,
    what: &str,
    token: Option<&str>,
) -> Error {
    let code = header_str(headers, "x-error-code");
    let server_msg = redact(&server_message(headers, body), token);
    let request_id = ["x-request-id", "x-amzn-trace-id", "x-amz-cf-id"]
        .iter()
        .find_map(|h| header_str(headers, h))
        .map(|r| redact(r, token).chars().take(200).collect());
    let message = if server_msg.is_empty() { what.to_string() } else { format!("{what}: {server_msg}") };
    // Kept only when it looks like a commit id: the field is shown by `Debug` and handed to C,
    // and a server could put anything there (the token it was sent, say).
    let repo_commit = header_str(headers, "x-repo-commit")
        .filter(|c| (7..=64).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(String::from);
    let retry_after = super::retry::server_wait(headers);
    let d = HttpDetails { status: status.as_u16(), message, request_id, repo_commit, retry_after };
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `response` fuzz target: a multi-byte character where "bearer " could end.
    #[test]
    fn redact_multibyte_near_a_prefix() {
        assert_eq!(redact("4\u{fffd}29teeeee", None), "4\u{fffd}29teeeee");
        assert_eq!(redact("Beare\u{fffd}x", None), "Beare\u{fffd}x");
        assert_eq!(redact("BEARER hf_x", None), format!("BEARER {REDACTED}"));
    }
    use reqwest::header::HeaderValue;

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
            classify(StatusCode::from_u16(s).unwrap(), &hm(h), u, "", "t", None)
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
        let e = c(429, &[("retry-after", "5")], &api);
        assert_eq!(e.http_details().unwrap().retry_after, Some(std::time::Duration::from_secs(6)));
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
        let e = classify(StatusCode::BAD_GATEWAY, &h, &u, "", "doing", None);
        assert_eq!(e.request_id(), Some("abc"));
        assert_eq!(e.http_status(), 502);
    }

    #[test]
    fn secrets_never_reach_a_message() {
        let tok = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345";
        assert_eq!(redact(&format!("bad header: Bearer {tok}"), Some(tok)), "bad header: Bearer [REDACTED]");
        assert_eq!(redact("Authorization: bearer my-custom.token", None), "Authorization: bearer [REDACTED]");
        assert_eq!(redact("echo plain-secret-value here", Some("plain-secret-value")), "echo [REDACTED] here");
        assert_eq!(redact("other hf_zzzzzzzzzzzz and api_org_yyyyyyyyyy", None), "other [REDACTED] and [REDACTED]");
        assert_eq!(
            redact("hf_hub.h, hf_hub_download and shf_abcdefghijkl stay", None),
            "hf_hub.h, hf_hub_download and shf_abcdefghijkl stay"
        );
        let u = Url::parse("https://hf.co/api/whoami-v2").unwrap();
        let h = hm(&[("x-error-message", &format!("token {tok} rejected")), ("x-request-id", tok)]);
        let e =
            classify(StatusCode::UNAUTHORIZED, &h, &u, &format!("{{\"error\":\"Bearer {tok}\"}}"), "whoami", Some(tok));
        let text = e.to_string();
        assert!(!text.contains(tok) && !text.contains("AbCdEf"), "{text}");
        assert!(!e.request_id().unwrap_or("").contains("AbCdEf"));
    }
}
