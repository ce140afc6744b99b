//! The `token` file: the raw active token, no trailing newline, mode 0600, folder 0700 (§5.2).

use super::*;

/// Locations of the two token files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPaths {
    /// The active-token file (`HF_TOKEN_PATH`, default `$HF_HOME/token`).
    pub token_file: PathBuf,
    /// The stored-tokens INI file, always `dirname(token_file)/stored_tokens`.
    pub stored_tokens: PathBuf,
}

impl TokenPaths {
    /// Paths for a given token file; `stored_tokens` is `dirname(token_file)/stored_tokens` (there is no
    /// environment variable for it).
    pub fn new(token_file: PathBuf) -> Self {
        let dir = token_file.parent().unwrap_or(&token_file);
        let stored_tokens = dir.join(STORED_TOKENS_FILE_NAME);
        TokenPaths { token_file, stored_tokens }
    }
}

/// Missing file → Ok(None). Content cleaned with clean_token.
///
/// Other I/O errors are returned; content that is not UTF-8 gives an `InvalidData` error.
pub fn read_token_file(path: &Path) -> io::Result<Option<String>> {
    match fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "token file is not valid UTF-8"))?;
            Ok(clean_token(&text))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes the raw token, no newline, O_WRONLY|O_CREAT|O_TRUNC mode 0600 then chmod 0600; creates the parent dir and chmods it to 0700.
///
/// The token is written as given (callers pass a cleaned token). As in Python, the two `chmod`s are
/// best-effort: a failure (for example a folder owned by another user) is ignored.
pub fn write_token_file(path: &Path, token: &str) -> io::Result<()> {
    let parent = parent_dir(path);
    if let Some(dir) = parent {
        create_secret_dir(dir)?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(SECRET_FILE_MODE);
    let mut file = options.open(path)?;
    file.write_all(token.as_bytes())?;
    file.flush()?;
    drop(file);
    restrict_permissions(path, parent);
    Ok(())
}

/// The folder holding `path`, or `None` when `path` is a bare relative file name.
///
/// Python would chmod the current directory in that case; we deliberately leave it alone.
pub(crate) fn parent_dir(path: &Path) -> Option<&Path> {
    path.parent().filter(|p| !p.as_os_str().is_empty())
}

/// `mkdir -p`, giving the last component mode 0700 when it is created (Python:
/// `mkdir(parents=True, exist_ok=True, mode=0o700)`; intermediate folders get default permissions).
pub(crate) fn create_secret_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(grandparent) = parent_dir(dir) {
        fs::create_dir_all(grandparent)?;
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(SECRET_DIR_MODE);
    builder.create(dir)
}

/// Best-effort `chmod 0600 file` and `chmod 0700 dir` (no-op off Unix).
#[cfg(unix)]
pub(crate) fn restrict_permissions(file: &Path, dir: Option<&Path>) {
    let _ = fs::set_permissions(file, fs::Permissions::from_mode(SECRET_FILE_MODE));
    if let Some(dir) = dir {
        let _ = fs::set_permissions(dir, fs::Permissions::from_mode(SECRET_DIR_MODE));
    }
}

/// Best-effort `chmod 0600 file` and `chmod 0700 dir` (no-op off Unix).
#[cfg(not(unix))]
pub(crate) fn restrict_permissions(_file: &Path, _dir: Option<&Path>) {}

pub(crate) fn remove_if_exists(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
