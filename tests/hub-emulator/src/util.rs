//! Small helpers: percent-encoding, query strings, time formatting, ids.

use std::time::{SystemTime, UNIX_EPOCH};

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn decode_impl(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-decodes a path segment (`+` stays `+`).
pub(crate) fn pct_decode(s: &str) -> String {
    decode_impl(s, false)
}

/// Decodes a form / query component (`+` is a space).
pub(crate) fn form_decode(s: &str) -> String {
    decode_impl(s, true)
}

/// Percent-encodes everything except the unreserved set (and `/` when `keep_slash`).
pub(crate) fn pct_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        let keep = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') || (keep_slash && c == b'/');
        if keep {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// Parses `a=b&c=d` (form-decoded), keeping repeated keys and order.
pub(crate) fn parse_query(q: Option<&str>) -> Vec<(String, String)> {
    let Some(q) = q else { return Vec::new() };
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (form_decode(k), form_decode(v)),
            None => (form_decode(p), String::new()),
        })
        .collect()
}

pub(crate) fn query_get<'a>(q: &'a [(String, String)], key: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

pub(crate) fn query_bool(q: &[(String, String)], key: &str) -> bool {
    matches!(query_get(q, key).map(|v| v.to_ascii_lowercase()).as_deref(), Some("1" | "true" | "yes" | "on"))
}

pub(crate) fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// `2024-05-01T12:00:00.000Z`
pub(crate) fn iso8601(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z", rem / 3600, (rem / 60) % 60, rem % 60)
}

/// A stable 24-hex "object id" derived from a string (looks like a Mongo ObjectId).
pub(crate) fn object_id(seed: &str) -> String {
    crate::git::sha1_hex(seed.as_bytes())[..24].to_string()
}

pub(crate) fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_encode() {
        assert_eq!(pct_decode("refs%2Fpr%2F1"), "refs/pr/1");
        assert_eq!(pct_decode("a%20b/%C3%BC%23%3F.txt"), "a b/ü#?.txt");
        assert_eq!(pct_decode("100%"), "100%");
        assert_eq!(pct_decode("%4"), "%4");
        assert_eq!(form_decode("a+b"), "a b");
        assert_eq!(pct_encode("a b/ü#?.txt", true), "a%20b/%C3%BC%23%3F.txt");
        assert_eq!(pct_encode("sub/dir", false), "sub%2Fdir");
    }

    #[test]
    fn time() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_700_000_000), "2023-11-14T22:13:20.000Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00.000Z");
    }
}
