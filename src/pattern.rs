//! Allow / ignore patterns with the semantics of the Python client's `filter_repo_objects`
//! (hub-protocol.md §4.1): `fnmatch.fnmatchcase` on the whole repo path, where `*` and `?` cross
//! `/`, `[seq]`/`[!seq]` are sets, nothing escapes, matching is case-sensitive, `\` counts as `/`
//! and a pattern ending in `/` means everything under that folder.
//!
//! Matching is done by `globset` (one compiled automaton per list). Its glob dialect differs from
//! `fnmatch` in a few places, so each pattern is first rewritten into the globset spelling of the
//! same meaning: `{`, `}` are literal in fnmatch (globset alternation), `**` is just `*` (globset
//! gives it a directory meaning), a `^` opening a set is literal (globset negation), and an
//! unclosed `[` is literal. A pattern globset still refuses (a reversed range `[z-a]`, which
//! fnmatch treats as matching nothing) matches nothing.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// Rewrite one fnmatch pattern (already `\`→`/` and trailing-`/` normalized) into globset syntax.
fn to_globset(pat: &str) -> String {
    let chars: Vec<char> = pat.chars().collect();
    let mut out = String::with_capacity(pat.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '*' => {
                while chars.get(i) == Some(&'*') {
                    i += 1;
                }
                out.push('*');
            }
            '{' | '}' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            '[' => {
                // Python's rule for the extent of a set: an optional `!`, then a `]` right away is
                // a member, then everything up to the next `]`.
                let mut j = i;
                if chars.get(j) == Some(&'!') {
                    j += 1;
                }
                if chars.get(j) == Some(&']') {
                    j += 1;
                }
                while j < chars.len() && chars[j] != ']' {
                    j += 1;
                }
                if j >= chars.len() {
                    out.push_str("[[]");
                    continue;
                }
                let (negated, body) = match chars[i] {
                    '!' => (true, &chars[i + 1..j]),
                    _ => (false, &chars[i..j]),
                };
                i = j + 1;
                if !negated && body == ['^'] {
                    out.push('^');
                    continue;
                }
                out.push('[');
                if negated {
                    out.push('!');
                }
                // A `^` first would be globset's negation: move it to the end, where it is plain.
                let (lead_caret, rest) = match body.first() {
                    Some('^') => (true, &body[1..]),
                    _ => (false, body),
                };
                out.extend(rest.iter());
                if lead_caret {
                    out.push('^');
                }
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}

/// Normalize as Python does before matching: `\` → `/`, a trailing `/` gets `*`.
fn normalize(pat: &str) -> String {
    let mut p = pat.replace('\\', "/");
    if p.ends_with('/') {
        p.push('*');
    }
    p
}

/// One compiled list of patterns: a path matches when it matches any of them.
#[derive(Debug, Clone)]
pub struct Patterns {
    set: GlobSet,
    empty: bool,
}

impl Patterns {
    /// Compile `patterns` (a pattern fnmatch would match nothing with, like `[z-a]`, matches
    /// nothing here either).
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Patterns {
        let mut b = GlobSetBuilder::new();
        for p in patterns {
            let g = GlobBuilder::new(&to_globset(&normalize(p.as_ref())))
                .literal_separator(false)
                .backslash_escape(false)
                .case_insensitive(false)
                .allow_unclosed_class(true)
                .build();
            if let Ok(g) = g {
                b.add(g);
            }
        }
        Patterns { set: b.build().unwrap_or_else(|_| GlobSet::empty()), empty: patterns.is_empty() }
    }

    /// No pattern was given.
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// Whether `path` (`\` counts as `/`) matches one of the patterns.
    pub fn matches(&self, path: &str) -> bool {
        !self.empty && self.set.is_match(path.replace('\\', "/"))
    }
}

/// Allow and ignore lists (§4.1). A path is kept when (no allow list, or it matches an allow
/// pattern) and it matches no ignore pattern.
#[derive(Debug, Clone)]
pub struct Filter {
    allow: Patterns,
    ignore: Patterns,
}

impl Filter {
    /// Compile the lists; an empty list means "no list" (as `None` in Python).
    pub fn new<S: AsRef<str>>(allow: &[S], ignore: &[S]) -> Filter {
        Filter { allow: Patterns::new(allow), ignore: Patterns::new(ignore) }
    }

    /// Keep everything.
    pub fn all() -> Filter {
        Filter::new::<&str>(&[], &[])
    }

    /// Whether `path` (a repo path, `/`-separated) is kept.
    pub fn keeps(&self, path: &str) -> bool {
        (self.allow.is_empty() || self.allow.matches(path)) && !self.ignore.matches(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    const FILES: &[&str] =
        &["config.json", "data/train/a.json", "data/b.txt", "README.md", ".gitattributes", "sub/.git/x", "Data/c.JSON"];

    fn kept(allow: &[&str], ignore: &[&str]) -> Vec<&'static str> {
        let f = Filter::new(&v(allow), &v(ignore));
        FILES.iter().copied().filter(|p| f.keeps(p)).collect()
    }

    /// The observed table of hub-protocol.md §4.1.
    #[test]
    fn spec_table() {
        assert_eq!(kept(&["*.json"], &[]), ["config.json", "data/train/a.json"]);
        assert_eq!(kept(&["data/"], &[]), ["data/train/a.json", "data/b.txt"]);
        assert_eq!(kept(&["data/*.json"], &[]), ["data/train/a.json"]);
        assert_eq!(kept(&[], &["*.json", ".*"]), ["data/b.txt", "README.md", "sub/.git/x", "Data/c.JSON"]);
        assert_eq!(kept(&["[!c]*.json"], &[]), ["data/train/a.json"]);
        assert_eq!(kept(&["data\\b.txt"], &[]), ["data/b.txt"]);
        assert_eq!(kept(&[], &[]), FILES);
    }

    /// Cases checked against Python's `fnmatch.fnmatchcase` (3.11).
    #[test]
    fn fnmatch_corners() {
        let m = |pat: &str, path: &str| Filter::new(&v(&[pat]), &[]).keeps(path);
        assert!(m("**.safetensors", "a/b/c.safetensors"));
        assert!(m("a/**/c", "a/c/c") && !m("a/**/c", "a/c"));
        assert!(m("{a,b}.txt", "{a,b}.txt") && !m("{a,b}.txt", "a.txt"));
        assert!(m("[^a]x", "^x") && m("[^a]x", "ax") && !m("[^a]x", "bx"));
        assert!(m("[^]x", "^x"));
        assert!(m("[]]x", "]x") && m("[!]]x", "ax") && !m("[!]]x", "]x"));
        assert!(m("a[b", "a[b") && !m("a[b", "ab"));
        assert!(m("?/x", "a/x") && m("a?b", "a/b"));
        assert!(!m("*.JSON", "a.json"));
        assert!(!m("[z-a]", "z"));
        assert!(!m("model-0000[1-3]-of-*.gguf", "q/model-00002-of-00003.gguf"));
        assert!(m("*model-0000[1-3]-of-*.gguf", "q/model-00002-of-00003.gguf"));
    }

    #[test]
    fn ignore_beats_allow() {
        assert_eq!(kept(&["*.json"], &["data/*"]), ["config.json"]);
    }
}
