//! `trees/<commit>.json` (hub-protocol.md §2.10): the complete, unfiltered file list of one commit,
//! as the Python client 2.x writes and reads it. Cache mode keeps it in `<repo folder>/trees/`,
//! local_dir mode in `<local_dir>/.cache/huggingface/trees/`.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cache::layout::random_hex8;
use crate::repo::{is_commit_hash, validate_filename};

/// One file of a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeFile {
    /// Size in bytes.
    pub size: u64,
    /// Git blob SHA-1.
    pub blob_id: String,
    /// SHA-256 of an LFS file.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lfs_sha256: Option<String>,
    /// Size of an LFS file (present with `lfs_sha256`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lfs_size: Option<u64>,
    /// Xet hash, when valid.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub xet_hash: Option<String>,
}

impl TreeFile {
    /// The blob name in the cache: the LFS SHA-256, else the git blob id.
    pub fn etag(&self) -> &str {
        self.lfs_sha256.as_deref().unwrap_or(&self.blob_id)
    }
}

#[derive(Serialize, Deserialize)]
struct Doc {
    format_version: u32,
    files: BTreeMap<String, TreeFile>,
}

fn hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `<dir>/<commit>.json`.
pub fn tree_path(trees_dir: &Path, commit: &str) -> PathBuf {
    trees_dir.join(format!("{commit}.json"))
}

/// Read the file list of `commit`; `None` when absent, of another format version, corrupt, or
/// carrying an invalid Xet hash or an unsafe path (then it is ignored, as Python does).
pub fn read(trees_dir: &Path, commit: &str) -> Option<BTreeMap<String, TreeFile>> {
    if !is_commit_hash(commit) {
        return None;
    }
    let bytes = fs::read(tree_path(trees_dir, commit)).ok()?;
    let doc: Doc = serde_json::from_slice(&bytes).ok()?;
    if doc.format_version != 1 {
        return None;
    }
    let sane = doc.files.iter().all(|(path, f)| {
        validate_filename(path).is_ok()
            && hex(&f.blob_id, 40)
            && f.lfs_sha256.as_deref().is_none_or(|s| hex(s, 64))
            && f.xet_hash.as_deref().is_none_or(|x| hex(x, 64))
    });
    sane.then_some(doc.files)
}

/// Write the file list of `commit` (complete, never filtered) atomically, mode 0600, formatted as
/// Python's `json.dump(indent=1)` with sorted file names. Not written when a Xet hash is invalid.
pub fn write(trees_dir: &Path, commit: &str, files: &BTreeMap<String, TreeFile>) -> io::Result<()> {
    if !is_commit_hash(commit) || files.values().any(|f| f.xet_hash.as_deref().is_some_and(|x| !hex(x, 64))) {
        return Ok(());
    }
    fs::create_dir_all(trees_dir)?;
    let doc = Doc { format_version: 1, files: files.clone() };
    let mut buf = Vec::with_capacity(files.len() * 120 + 64);
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, serde_json::ser::PrettyFormatter::with_indent(b" "));
    doc.serialize(&mut ser).map_err(io::Error::other)?;
    let path = tree_path(trees_dir, commit);
    let tmp = trees_dir.join(format!(".{commit}.{}.tmp", random_hex8()));
    let res = (|| {
        let mut f = fs::OpenOptions::new();
        f.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut f, 0o600);
        let mut file = f.open(&tmp)?;
        file.write_all(&buf)?;
        drop(file);
        fs::rename(&tmp, &path)
    })();
    if res.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_python_format() {
        let d = tempfile::tempdir().unwrap();
        let commit = "c909c5a94a0a3f7a775c18c29743a7bca90cdbff";
        let mut files = BTreeMap::new();
        files.insert(
            "z.txt".to_string(),
            TreeFile { size: 1, blob_id: "a".repeat(40), lfs_sha256: None, lfs_size: None, xet_hash: None },
        );
        files.insert(
            "a/m.bin".to_string(),
            TreeFile {
                size: 9,
                blob_id: "b".repeat(40),
                lfs_sha256: Some("c".repeat(64)),
                lfs_size: Some(9),
                xet_hash: None,
            },
        );
        write(d.path(), commit, &files).unwrap();
        let text = fs::read_to_string(tree_path(d.path(), commit)).unwrap();
        assert!(
            text.starts_with("{\n \"format_version\": 1,\n \"files\": {\n  \"a/m.bin\": {\n   \"size\": 9,"),
            "{text}"
        );
        assert_eq!(read(d.path(), commit).unwrap(), files);
        // Another version, a corrupt file, an unsafe path: ignored.
        fs::write(tree_path(d.path(), commit), text.replace("\"format_version\": 1", "\"format_version\": 2")).unwrap();
        assert!(read(d.path(), commit).is_none());
        fs::write(tree_path(d.path(), commit), &text[..text.len() / 2]).unwrap();
        assert!(read(d.path(), commit).is_none());
        fs::write(tree_path(d.path(), commit), text.replace("a/m.bin", "../m.bin")).unwrap();
        assert!(read(d.path(), commit).is_none());
    }
}
