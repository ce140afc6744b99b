//! Git object ids (blobs, trees, commits) and the Hub's LFS rules.

use std::collections::BTreeMap;

use sha1::{Digest, Sha1};
use sha2::Sha256;

/// The Hub's default `.gitattributes` LFS extensions.
pub const LFS_EXTENSIONS: &[&str] = &[
    "7z",
    "arrow",
    "bin",
    "bz2",
    "ckpt",
    "ftz",
    "gguf",
    "gz",
    "h5",
    "joblib",
    "mlmodel",
    "model",
    "msgpack",
    "npy",
    "npz",
    "onnx",
    "ot",
    "parquet",
    "pb",
    "pickle",
    "pkl",
    "pt",
    "pth",
    "rar",
    "safetensors",
    "tar",
    "tflite",
    "tgz",
    "wasm",
    "xz",
    "zip",
    "zst",
];

/// Files at or above this size are stored in LFS whatever their extension.
pub const LFS_SIZE_THRESHOLD: u64 = 10 * 1024 * 1024;

pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

pub(crate) fn sha1_hex(data: &[u8]) -> String {
    hex(&Sha1::digest(data))
}

/// sha256 of `data`, lowercase hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn object_sha1(kind: &str, data: &[u8]) -> [u8; 20] {
    let mut h = Sha1::new();
    h.update(format!("{kind} {}\0", data.len()).as_bytes());
    h.update(data);
    h.finalize().into()
}

/// Git blob id: `sha1("blob <len>\0" + bytes)`.
pub fn git_blob_sha1(data: &[u8]) -> String {
    hex(&object_sha1("blob", data))
}

/// The standard git-lfs pointer file.
pub fn lfs_pointer(sha256: &str, size: u64) -> String {
    format!("version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n")
}

/// Whether the Hub stores `path` (with `size` bytes) in LFS. Empty files never are.
pub fn is_lfs_path(path: &str, size: u64) -> bool {
    if size == 0 {
        return false;
    }
    if size >= LFS_SIZE_THRESHOLD {
        return true;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.contains("tfevents") {
        return true;
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() || name.starts_with('.') => LFS_EXTENSIONS.contains(&ext),
        _ => false,
    }
}

#[derive(Default)]
struct Node {
    files: BTreeMap<String, [u8; 20]>,
    dirs: BTreeMap<String, Node>,
}

fn hex_to_raw(h: &str) -> [u8; 20] {
    let mut out = [0u8; 20];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap_or(0);
    }
    out
}

fn hash_node(node: &Node, prefix: &str, dirs_out: &mut BTreeMap<String, String>) -> [u8; 20] {
    // (sort key, mode, name, id)
    let mut entries: Vec<(Vec<u8>, &str, &str, [u8; 20])> = Vec::new();
    for (name, id) in &node.files {
        entries.push((name.as_bytes().to_vec(), "100644", name, *id));
    }
    for (name, child) in &node.dirs {
        let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}/{name}") };
        let id = hash_node(child, &path, dirs_out);
        let mut key = name.as_bytes().to_vec();
        key.push(b'/');
        entries.push((key, "40000", name, id));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut content = Vec::new();
    for (_, mode, name, id) in &entries {
        content.extend_from_slice(mode.as_bytes());
        content.push(b' ');
        content.extend_from_slice(name.as_bytes());
        content.push(0);
        content.extend_from_slice(id);
    }
    let id = object_sha1("tree", &content);
    dirs_out.insert(prefix.to_string(), hex(&id));
    id
}

/// Builds the git trees for a flat `path -> blob id` map. Returns the root tree id and the tree id
/// of every folder (keyed by its path; the root is `""`).
pub(crate) fn build_trees<'a>(files: impl Iterator<Item = (&'a str, &'a str)>) -> (String, BTreeMap<String, String>) {
    let mut root = Node::default();
    for (path, oid) in files {
        let mut node = &mut root;
        let mut parts: Vec<&str> = path.split('/').collect();
        let last = parts.pop().unwrap_or_default();
        for p in parts {
            node = node.dirs.entry(p.to_string()).or_default();
        }
        node.files.insert(last.to_string(), hex_to_raw(oid));
    }
    let mut dirs = BTreeMap::new();
    let id = hash_node(&root, "", &mut dirs);
    (hex(&id), dirs)
}

/// Git commit object id.
pub(crate) fn commit_id(tree: &str, parent: Option<&str>, author: &str, timestamp: u64, message: &str) -> String {
    let mut s = format!("tree {tree}\n");
    if let Some(p) = parent {
        s.push_str(&format!("parent {p}\n"));
    }
    let who = format!("{author} <{author}@users.noreply.huggingface.co> {timestamp} +0000");
    s.push_str(&format!("author {who}\ncommitter {who}\n\n{message}\n"));
    hex(&object_sha1("commit", s.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors() {
        assert_eq!(git_blob_sha1(b"Hello, World!"), "b45ef6fec89518d314f546fd6c3025367b721684");
        assert_eq!(git_blob_sha1(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        assert_eq!(git_blob_sha1(b"hello"), "b6fc4c620b67d95f953a5c1c1230aaab5db5a1b0");
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        // `git mktree` of nothing
        let (empty, _) = build_trees(std::iter::empty());
        assert_eq!(empty, "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
    }

    #[test]
    fn tree_matches_git() {
        // printf hello > a.txt; mkdir d; printf hello > d/b.txt; git add -A; git write-tree
        let blob = git_blob_sha1(b"hello");
        let files = [("a.txt", blob.as_str()), ("d/b.txt", blob.as_str())];
        let (root, dirs) = build_trees(files.iter().map(|(p, o)| (*p, *o)));
        assert_eq!(dirs["d"], "0594002367016b05ad9b2afd95fc6760bb884d8b");
        assert_eq!(root, "a63f001e64f38fe0b1a31e470fac31cc3325b4ba");
        assert_eq!(dirs[""], root);
        assert_eq!(
            commit_id(&root, None, "tester", 1_700_000_000, "first"),
            "dc134ec9b4ecf0b95c13d8e6871e24514e2030dc"
        );
    }

    #[test]
    fn lfs_rules() {
        assert!(is_lfs_path("model.safetensors", 10));
        assert!(is_lfs_path("a/b/w.bin", 10));
        assert!(!is_lfs_path("w.bin", 0));
        assert!(!is_lfs_path("config.json", 100));
        assert!(is_lfs_path("config.json", LFS_SIZE_THRESHOLD));
        assert!(!is_lfs_path("README.md", 10));
    }
}
