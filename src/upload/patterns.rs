//! Allow / ignore / delete patterns with Python `fnmatch.fnmatchcase` semantics (hub-protocol.md
//! §4.1), on top of `globset`: `*` and `?` cross `/`, `**` is `*`, case-sensitive, no escape
//! character, `{` `}` are literal, an unclosed `[` is literal; `\` becomes `/` in patterns and
//! paths; a pattern ending in `/` gets `*` appended.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::error::{Error, Result};

/// The folder-upload ignore patterns always added (§7.4): `.git` and `.cache/huggingface`.
pub const DEFAULT_IGNORE: [&str; 8] = [
    ".git",
    ".git/*",
    "*/.git",
    "**/.git/**",
    ".cache/huggingface",
    ".cache/huggingface/*",
    "*/.cache/huggingface",
    "**/.cache/huggingface/**",
];

/// A compiled list of patterns; a path matches when it matches any of them.
#[derive(Debug, Clone)]
pub struct Patterns {
    set: GlobSet,
    empty: bool,
}

/// Rewrite one fnmatch pattern into globset syntax with the same meaning.
fn translate(pattern: &str) -> String {
    let mut p = pattern.replace('\\', "/");
    if p.ends_with('/') {
        p.push('*');
    }
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '*' => {
                out.push('*');
                while i + 1 < chars.len() && chars[i + 1] == '*' {
                    i += 1;
                }
            }
            '{' | '}' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            '[' => {
                // Find the end of the set like fnmatch: `]` right after `[` or `[!` is literal.
                let mut j = i + 1;
                if j < chars.len() && chars[j] == '!' {
                    j += 1;
                }
                if j < chars.len() && chars[j] == ']' {
                    j += 1;
                }
                while j < chars.len() && chars[j] != ']' {
                    j += 1;
                }
                if j >= chars.len() {
                    out.push_str("[[]");
                } else {
                    let body: String = chars[i + 1..j].iter().collect();
                    let (neg, body) = match body.strip_prefix('!') {
                        Some(b) => (true, b.to_string()),
                        None => (false, body),
                    };
                    out.push('[');
                    if neg {
                        out.push('!');
                    }
                    out.push_str(&body);
                    out.push(']');
                    i = j;
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

impl Patterns {
    /// Compile `patterns` (none: an empty list, which matches nothing).
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Patterns> {
        let mut b = GlobSetBuilder::new();
        for p in patterns {
            let g = GlobBuilder::new(&translate(p.as_ref()))
                .literal_separator(false)
                .case_insensitive(false)
                .backslash_escape(false)
                .empty_alternates(false)
                .build()
                .map_err(|e| Error::InvalidArgument(format!("pattern {:?}: {e}", p.as_ref())))?;
            b.add(g);
        }
        let set = b.build().map_err(|e| Error::InvalidArgument(format!("patterns: {e}")))?;
        Ok(Patterns { set, empty: patterns.is_empty() })
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// Whether `path` (with `\` turned into `/`) matches one of the patterns.
    pub fn matches(&self, path: &str) -> bool {
        !self.empty && self.set.is_match(path.replace('\\', "/"))
    }
}

/// `filter_repo_objects`: kept when (no allow list or it matches one) and it matches no ignore.
pub fn keep(path: &str, allow: &Patterns, ignore: &Patterns) -> bool {
    (allow.is_empty() || allow.matches(path)) && !ignore.matches(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILES: [&str; 7] =
        ["config.json", "data/train/a.json", "data/b.txt", "README.md", ".gitattributes", "sub/.git/x", "Data/c.JSON"];

    fn run(allow: &[&str], ignore: &[&str]) -> Vec<&'static str> {
        let (a, i) = (Patterns::new(allow).unwrap(), Patterns::new(ignore).unwrap());
        FILES.iter().copied().filter(|f| keep(f, &a, &i)).collect()
    }

    #[test]
    fn protocol_examples() {
        assert_eq!(run(&["*.json"], &[]), ["config.json", "data/train/a.json"]);
        assert_eq!(run(&["data/"], &[]), ["data/train/a.json", "data/b.txt"]);
        assert_eq!(run(&["data/*.json"], &[]), ["data/train/a.json"]);
        assert_eq!(run(&[], &["*.json", ".*"]), ["data/b.txt", "README.md", "sub/.git/x", "Data/c.JSON"]);
        assert_eq!(run(&["[!c]*.json"], &[]), ["data/train/a.json"]);
        assert_eq!(run(&["data\\b.txt"], &[]), ["data/b.txt"]);
    }

    #[test]
    fn fnmatch_corners() {
        let m = |p: &str, s: &str| Patterns::new(&[p]).unwrap().matches(s);
        assert!(m("a?b", "a/b"), "? crosses /");
        assert!(m("**.bin", "x/y.bin"));
        assert!(m("{a,b}", "{a,b}"), "braces are literal");
        assert!(!m("{a,b}", "a"));
        assert!(m("x[", "x["), "an unclosed [ is literal");
        assert!(m("[]]", "]"));
        assert!(m("[!]]", "a"));
        assert!(!m("*.JSON", "a.json"), "case-sensitive");
        assert!(m("a\\*", "a/zz"), "no escape: \\ is a separator");
    }

    #[test]
    fn default_ignores() {
        let i = Patterns::new(&DEFAULT_IGNORE).unwrap();
        for p in [".git/config", "sub/.git/HEAD", ".cache/huggingface/x", "a/.cache/huggingface/upload/y", ".git"] {
            assert!(i.matches(p), "{p}");
        }
        for p in [".gitattributes", "a/.github/x", ".cache/other", "git/x"] {
            assert!(!i.matches(p), "{p}");
        }
    }
}
