//! Link-header pagination (hub-protocol.md §0.8): `Link: <url>; rel="next"`.

use reqwest::header::HeaderMap;
use reqwest::Url;

/// The `rel="next"` target of a `Link` header, resolved against the page URL. A target that is
/// not http(s) is ignored (found by the `response` fuzz target).
pub fn next_page(page_url: &Url, headers: &HeaderMap) -> Option<Url> {
    for value in headers.get_all("link").iter().filter_map(|v| v.to_str().ok()) {
        for link in split_links(value) {
            let mut parts = link.split(';');
            let target = parts.next()?.trim();
            let Some(target) = target.strip_prefix('<').and_then(|t| t.strip_suffix('>')) else { continue };
            let is_next = parts.any(|p| {
                let p = p.trim();
                p.strip_prefix("rel=")
                    .map(|r| r.trim_matches('"').split_ascii_whitespace().any(|r| r.eq_ignore_ascii_case("next")))
                    .unwrap_or(false)
            });
            if is_next {
                return page_url.join(target).ok().filter(|u| matches!(u.scheme(), "http" | "https"));
            }
        }
    }
    None
}

/// Split a `Link` header value on the commas between links (not those inside `<...>`).
fn split_links(v: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in v.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&v[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&v[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn next_links() {
        let page = Url::parse("https://hf.co/api/models/a/b/tree/main?recursive=true").unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "link",
            HeaderValue::from_static(r#"<https://hf.co/api/models/a/b/tree/main?recursive=true&cursor=a,b>; rel="next", </first>; rel="first""#),
        );
        assert_eq!(
            next_page(&page, &h).unwrap().as_str(),
            "https://hf.co/api/models/a/b/tree/main?recursive=true&cursor=a,b"
        );
        let mut rel = HeaderMap::new();
        rel.insert("link", HeaderValue::from_static("</api/x?cursor=2>; rel=next"));
        assert_eq!(next_page(&page, &rel).unwrap().as_str(), "https://hf.co/api/x?cursor=2");
        let mut none = HeaderMap::new();
        none.insert("link", HeaderValue::from_static(r#"</p>; rel="prev""#));
        assert!(next_page(&page, &none).is_none());
        assert!(next_page(&page, &HeaderMap::new()).is_none());
    }
}
