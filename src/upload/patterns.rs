//! The patterns a folder upload always ignores (§7.4). Matching itself is `crate::pattern`
//! (Python `fnmatch` semantics, shared with snapshots).

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

#[cfg(test)]
mod tests {
    use super::DEFAULT_IGNORE;
    use crate::pattern::Filter;

    #[test]
    fn git_and_bookkeeping_are_never_sent() {
        let f = Filter::new(&[], &DEFAULT_IGNORE);
        for p in [".git", ".git/config", "sub/.git", "a/.git/objects/x", ".cache/huggingface/download/x.metadata"] {
            assert!(!f.keeps(p), "{p}");
        }
        for p in ["model.bin", ".gitattributes", "a/.github/x", "cache/huggingface.txt"] {
            assert!(f.keeps(p), "{p}");
        }
    }
}
