//! Repository ids, types, revisions and filenames: validation, URL encoding and cache-folder naming
//! (hub-protocol.md §0.1, §0.2, §2.3, §2.12, §3.1).

use crate::error::{Error, Result};

/// The kind of repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RepoType {
    /// A model repository (the default).
    #[default]
    Model,
    /// A dataset repository.
    Dataset,
    /// A Space.
    Space,
}

impl RepoType {
    /// `model`, `dataset`, `space`.
    pub fn as_str(self) -> &'static str {
        match self {
            RepoType::Model => "model",
            RepoType::Dataset => "dataset",
            RepoType::Space => "space",
        }
    }

    /// Parse `model`/`dataset`/`space` (also the plural forms).
    pub fn parse(s: &str) -> Option<RepoType> {
        match s {
            "model" | "models" => Some(RepoType::Model),
            "dataset" | "datasets" => Some(RepoType::Dataset),
            "space" | "spaces" => Some(RepoType::Space),
            _ => None,
        }
    }

    /// The API path segment: `models`, `datasets`, `spaces`.
    pub fn plural(self) -> &'static str {
        match self {
            RepoType::Model => "models",
            RepoType::Dataset => "datasets",
            RepoType::Space => "spaces",
        }
    }

    /// The web/file URL prefix: empty for models, `datasets/`, `spaces/`.
    pub fn url_prefix(self) -> &'static str {
        match self {
            RepoType::Model => "",
            RepoType::Dataset => "datasets/",
            RepoType::Space => "spaces/",
        }
    }
}

/// A validated repository id (`name` or `namespace/name`) with its type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Repo {
    id: String,
    repo_type: RepoType,
}

impl Repo {
    /// Validate `id` (§0.1) and pair it with a type.
    pub fn new(id: &str, repo_type: RepoType) -> Result<Repo> {
        validate_repo_id(id)?;
        Ok(Repo { id: id.to_string(), repo_type })
    }

    /// The id as given (`org/name`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The repository type.
    pub fn repo_type(&self) -> RepoType {
        self.repo_type
    }

    /// The cache folder name: `models--org--name` (§2.3).
    pub fn folder_name(&self) -> String {
        let mut s = self.repo_type.plural().to_string();
        for part in self.id.split('/') {
            s.push_str("--");
            s.push_str(part);
        }
        s
    }

    /// `{endpoint}/{prefix}{id}/resolve/{rev}/{filename}` with the encoding rules of §0.2.
    pub fn resolve_url(&self, endpoint: &str, revision: &str, filename: &str) -> String {
        format!(
            "{}/{}{}/resolve/{}/{}",
            endpoint,
            self.repo_type.url_prefix(),
            self.id,
            encode_all(revision),
            encode_path(filename)
        )
    }

    /// `{endpoint}/api/{type}s/{id}`.
    pub fn api_url(&self, endpoint: &str) -> String {
        format!("{}/api/{}/{}", endpoint, self.repo_type.plural(), self.id)
    }
}

/// *What* a per-file call is about: a file of a repository at a revision (unvalidated until used).
/// *How* it is done (force, offline, verify, progress, cancel) is a separate options value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    /// `name` or `namespace/name`.
    pub repo_id: String,
    /// Repository type.
    pub repo_type: RepoType,
    /// Branch, tag, 40-hex commit or `refs/pr/N`; `None` means `main`.
    pub revision: Option<String>,
    /// Folder inside the repo, prefixed to the filename.
    pub subfolder: Option<String>,
    /// Path inside the repo (`/`-separated).
    pub filename: String,
}

impl FileRef {
    /// A file of a model repo at `main`.
    pub fn new(repo_id: impl Into<String>, filename: impl Into<String>) -> FileRef {
        FileRef {
            repo_id: repo_id.into(),
            repo_type: RepoType::Model,
            revision: None,
            subfolder: None,
            filename: filename.into(),
        }
    }

    /// With another repository type.
    pub fn repo_type(mut self, t: RepoType) -> FileRef {
        self.repo_type = t;
        self
    }

    /// At another revision.
    pub fn revision(mut self, r: impl Into<String>) -> FileRef {
        self.revision = Some(r.into());
        self
    }

    /// Inside a folder of the repo.
    pub fn subfolder(mut self, s: impl Into<String>) -> FileRef {
        self.subfolder = Some(s.into());
        self
    }

    /// Validate everything and join the subfolder.
    pub fn validate(&self) -> Result<FileTarget> {
        let repo = Repo::new(&self.repo_id, self.repo_type)?;
        let revision = self.revision.clone().unwrap_or_else(|| "main".to_string());
        validate_revision(&revision)?;
        let filename = match self.subfolder.as_deref().map(|s| s.trim_matches('/')).filter(|s| !s.is_empty()) {
            Some(sub) => format!("{sub}/{}", self.filename),
            None => self.filename.clone(),
        };
        validate_filename(&filename)?;
        Ok(FileTarget { repo, revision, filename })
    }
}

impl<R: Into<String>, F: Into<String>> From<(R, F)> for FileRef {
    fn from((repo_id, filename): (R, F)) -> FileRef {
        FileRef::new(repo_id, filename)
    }
}

/// A validated [`FileRef`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileTarget {
    /// The repository.
    pub repo: Repo,
    /// The revision (`main` when none was given).
    pub revision: String,
    /// The path inside the repo, subfolder included.
    pub filename: String,
}

impl FileTarget {
    /// `"<file> in <repo> at revision <rev>"`, for messages.
    pub fn describe(&self) -> String {
        format!("{} in {} at revision {}", self.filename, self.repo.id(), self.revision)
    }
}

/// Validate a repo id like the Python client's `validate_repo_id` (§0.1).
pub fn validate_repo_id(id: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::InvalidArgument(format!("repo id {}: {why}", shown(id))));
    if id.is_empty() {
        return bad("must not be empty");
    }
    let parts: Vec<&str> = id.split('/').collect();
    if parts.len() > 2 {
        return bad("must be 'name' or 'namespace/name'");
    }
    for part in &parts {
        if part.is_empty() {
            return bad("empty namespace or name");
        }
        if !part.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.') {
            return bad("only letters, digits, '_', '-' and '.' are allowed");
        }
        if part.starts_with(['-', '.']) || part.ends_with(['-', '.']) {
            return bad("a part may not start or end with '-' or '.'");
        }
    }
    let name = parts[parts.len() - 1];
    if name.chars().count() > 96 {
        return bad("name longer than 96 characters");
    }
    if id.contains("--") || id.contains("..") {
        return bad("'--' and '..' are forbidden");
    }
    if id.ends_with(".git") {
        return bad("must not end with '.git'");
    }
    Ok(())
}

/// True when `rev` is a full lowercase 40-hex commit id (§2.12).
pub fn is_commit_hash(rev: &str) -> bool {
    rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Validate a revision before it is used in a URL or as a path under `refs/`: non-empty, no control
/// characters, no backslash, no empty, `.` or `..` segments, not absolute.
pub fn validate_revision(rev: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::InvalidArgument(format!("revision {}: {why}", shown(rev))));
    if rev.is_empty() {
        return bad("must not be empty");
    }
    if rev.chars().any(|c| c.is_control() || c == '\\') {
        return bad("control characters and '\\' are not allowed");
    }
    if rev.split('/').any(|seg| seg.is_empty() || seg == "." || seg == "..") {
        return bad("empty, '.' or '..' path segments are not allowed");
    }
    Ok(())
}

/// Longest path inside a repo we accept (bytes), and longest segment of it.
pub(crate) const MAX_PATH_BYTES: usize = 4096;
pub(crate) const MAX_SEGMENT_BYTES: usize = 255;

/// A value fit for an error message: Debug-quoted, cut after 200 characters.
pub(crate) fn shown(v: &str) -> String {
    match v.char_indices().nth(200) {
        Some((i, _)) => format!("{:?}… ({} bytes)", &v[..i], v.len()),
        None => format!("{v:?}"),
    }
}

/// Validate a repo filename before it touches the disk (§3.1): no `..` segment (after turning `\`
/// into `/`), not absolute, no Windows drive or root in any segment, no NUL, not empty, not longer than
/// [`MAX_PATH_BYTES`] nor with a segment longer than [`MAX_SEGMENT_BYTES`].
pub fn validate_filename(name: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::InvalidArgument(format!("filename {}: {why}", shown(name))));
    if name.is_empty() {
        return bad("must not be empty");
    }
    // No file system holds a longer name (NAME_MAX, PATH_MAX on Linux); refusing it here keeps a
    // hostile listing from reaching the disk, and a 1 MiB name out of every message.
    if name.len() > MAX_PATH_BYTES {
        return bad(&format!("longer than {MAX_PATH_BYTES} bytes"));
    }
    if name.split(['/', '\\']).any(|seg| seg.len() > MAX_SEGMENT_BYTES) {
        return bad(&format!("a path segment is longer than {MAX_SEGMENT_BYTES} bytes"));
    }
    if name.contains('\0') {
        return bad("contains NUL");
    }
    let unified = name.replace('\\', "/");
    if unified.split('/').any(|seg| seg == "..") {
        return bad("'..' segments are not allowed");
    }
    if name.starts_with('/') || unified.starts_with('/') {
        return bad("absolute paths are not allowed");
    }
    for seg in name.split('/') {
        let b = seg.as_bytes();
        if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
            return bad("Windows drive letters are not allowed");
        }
        if seg.starts_with('\\') {
            return bad("Windows root or UNC paths are not allowed");
        }
    }
    if unified.split('/').any(|seg| seg.is_empty() || seg == ".") {
        return bad("empty or '.' path segments are not allowed");
    }
    Ok(())
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn encode_with(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-encode everything outside the unreserved set, `/` included (revisions, branch names).
pub fn encode_all(s: &str) -> String {
    encode_with(s, false)
}

/// Percent-encode a filename for a resolve URL: like [`encode_all`] but `/` is kept.
pub fn encode_path(s: &str) -> String {
    encode_with(s, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names() {
        assert_eq!(Repo::new("google/fleurs", RepoType::Dataset).unwrap().folder_name(), "datasets--google--fleurs");
        assert_eq!(Repo::new("gpt2", RepoType::Model).unwrap().folder_name(), "models--gpt2");
        assert_eq!(Repo::new("user/app", RepoType::Space).unwrap().folder_name(), "spaces--user--app");
    }

    #[test]
    fn resolve_url_encoding() {
        let r = Repo::new("user/repo", RepoType::Dataset).unwrap();
        assert_eq!(
            r.resolve_url("https://huggingface.co", "refs/pr/1", "a b/ü#?.txt"),
            "https://huggingface.co/datasets/user/repo/resolve/refs%2Fpr%2F1/a%20b/%C3%BC%23%3F.txt"
        );
    }

    #[test]
    fn repo_ids() {
        for ok in ["gpt2", "org/name", "a.b_c-d/x1", "Qwen/Qwen2.5-0.5B"] {
            assert!(validate_repo_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a/b/c", "/x", "x/", "-a/b", "a./b", "a--b", "a..b", "x.git", "a b", "a/b\0"] {
            assert!(validate_repo_id(bad).is_err(), "{bad}");
        }
        assert!(validate_repo_id(&"n".repeat(97)).is_err());
        assert!(validate_repo_id(&"n".repeat(96)).is_ok());
    }

    #[test]
    fn commit_hashes() {
        assert!(is_commit_hash("c909c5a94a0a3f7a775c18c29743a7bca90cdbff"));
        assert!(!is_commit_hash("C909C5A94A0A3F7A775C18C29743A7BCA90CDBFF"));
        assert!(!is_commit_hash("c909c5a"));
        assert!(!is_commit_hash("main"));
    }

    #[test]
    fn filenames() {
        for ok in ["config.json", "sub/dir/model.bin", "a b/ü#?.txt", ".gitattributes"] {
            assert!(validate_filename(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "../x",
            "a/../../x",
            "a\\..\\x",
            "/etc/passwd",
            "C:\\x",
            "D:foo",
            "a/C:x",
            "\\foo",
            "\\\\host\\share",
            "a//b",
            "./a",
            "a\0b",
        ] {
            assert!(validate_filename(bad).is_err(), "{bad}");
        }
        // Lengths: a 255-byte segment and a 4096-byte path are fine, one byte more is not; the
        // message shows a cut-down name.
        let seg = "s".repeat(MAX_SEGMENT_BYTES);
        assert!(validate_filename(&seg).is_ok());
        assert!(validate_filename(&format!("{seg}x")).is_err());
        let path = format!("{}/{}", vec!["p".repeat(200); 20].join("/"), "q".repeat(76));
        assert_eq!(path.len(), MAX_PATH_BYTES);
        assert!(validate_filename(&path).is_ok());
        let err = validate_filename(&format!("{path}/x")).unwrap_err().to_string();
        assert!(err.contains("longer than 4096 bytes") && err.len() < 400, "{err}");
    }

    #[test]
    fn revisions() {
        for ok in ["main", "refs/pr/1", "v1.0", "feature/x"] {
            assert!(validate_revision(ok).is_ok(), "{ok}");
        }
        for bad in ["", "../x", "a/../b", "/abs", "a//b", "a\\b", "a\nb"] {
            assert!(validate_revision(bad).is_err(), "{bad}");
        }
    }
}
