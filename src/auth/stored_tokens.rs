//! `stored_tokens`: named tokens in Python configparser format, byte-compatible with the Python client.

use super::*;

// ---------------------------------------------------------------------------------------------------------
// Stored tokens
// ---------------------------------------------------------------------------------------------------------

/// One named token from `stored_tokens`.
///
/// `Debug` redacts the token and refresh token.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// Section name: the token's display name on the Hub, or `oauth-<user>`.
    pub name: String,
    /// The access token (`hf_token`).
    pub token: String,
    /// OAuth refresh token (`refresh_token`), OAuth logins only.
    pub refresh_token: Option<String>,
    /// OAuth expiry in unix seconds (`expires_at`), OAuth logins only.
    pub expires_at: Option<u64>,
}

impl fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredToken")
            .field("name", &self.name)
            .field("token", &"<redacted>")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "<redacted>"))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The stored_tokens INI file (Python configparser format, interpolation off). Keeps unknown sections/keys as they were.
///
/// Sections live in a map sorted by name (byte order, which is Python's `sorted()` order); each section
/// keeps its keys (lower-cased) in insertion order. A `[DEFAULT]` section read from a file is folded into
/// every section, as Python's `config.items(section)` does, and is never written back.
///
/// `Debug` shows section names and keys only, never values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct StoredTokens {
    pub(crate) sections: BTreeMap<String, Vec<(String, String)>>,
}

impl fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, fields) in &self.sections {
            let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
            map.entry(name, &keys);
        }
        map.finish()
    }
}

/// Value of `key` in a section's field list.
pub(crate) fn field<'a>(fields: &'a [(String, String)], key: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// Python `int(text)` for a non-negative value (surrounding whitespace, `+`, single `_` between digits).
pub(crate) fn parse_expires_at(text: &str) -> Option<u64> {
    let s = py_strip(text);
    let s = s.strip_prefix('+').unwrap_or(s);
    if s.is_empty() || s.starts_with('_') || s.ends_with('_') || s.contains("__") {
        return None;
    }
    let digits: String = s.chars().filter(|c| *c != '_').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl StoredTokens {
    /// Parse a `stored_tokens` text; any configparser parse error → empty (as Python treats it).
    pub fn parse(text: &str) -> StoredTokens {
        Self::try_parse(text).unwrap_or_default()
    }

    /// Parse a `stored_tokens` text, reporting what configparser would reject.
    pub fn try_parse(text: &str) -> Result<StoredTokens, IniParseError> {
        parse_ini(text).map(|sections| StoredTokens { sections })
    }

    /// Read `path`; a missing file → empty, a file configparser rejects → empty.
    ///
    /// Other I/O errors are returned, and so is content that is not UTF-8 (`InvalidData`; Python would
    /// raise too), so that a later save never silently wipes a file we could not read.
    pub fn load(path: &Path) -> io::Result<StoredTokens> {
        match fs::read(path) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes)
                    .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "stored_tokens file is not valid UTF-8"))?;
                Ok(Self::parse(&text))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(StoredTokens::default()),
            Err(e) => Err(e),
        }
    }

    /// Serialize exactly as `configparser.write` does: sections sorted by name (byte order), `[name]`,
    /// then `key = value` per key in insertion order (a multi-line value continues with `\n\t`), then one
    /// empty line after each section. No sections → empty string.
    pub fn to_ini(&self) -> String {
        let mut out = String::new();
        for (name, fields) in &self.sections {
            out.push('[');
            out.push_str(name);
            out.push_str("]\n");
            for (key, value) in fields {
                out.push_str(key);
                out.push_str(" = ");
                out.push_str(&value.replace('\n', "\n\t"));
                out.push('\n');
            }
            out.push('\n');
        }
        out
    }

    /// Write [`Self::to_ini`] to `path`: mode 0600, parent folder created and chmod-ed to 0700. The text
    /// goes to a temporary file in the same folder, which is then renamed over `path`.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let parent = parent_dir(path);
        if let Some(dir) = parent {
            create_secret_dir(dir)?;
        }
        let file_name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "stored_tokens path has no file name"))?;
        let dir = parent.unwrap_or_else(|| Path::new("."));
        let (tmp_path, mut file) = create_temp_file(dir, &file_name.to_string_lossy())?;
        let written = file.write_all(self.to_ini().as_bytes()).and_then(|()| file.sync_all());
        drop(file);
        let result = written.and_then(|()| fs::rename(&tmp_path, path));
        if result.is_err() {
            let _ = fs::remove_file(&tmp_path);
        }
        result?;
        restrict_permissions(path, parent);
        Ok(())
    }

    /// The named token, if its section exists and has a non-empty `hf_token` (cleaned, as Python's
    /// `_get_token_by_name`). `expires_at` is `None` when missing or not an integer.
    pub fn get(&self, name: &str) -> Option<StoredToken> {
        let fields = self.sections.get(name)?;
        let token = clean_token(field(fields, KEY_HF_TOKEN)?)?;
        Some(StoredToken {
            name: name.to_owned(),
            token,
            refresh_token: field(fields, KEY_REFRESH_TOKEN).map(str::to_owned),
            expires_at: field(fields, KEY_EXPIRES_AT).and_then(parse_expires_at),
        })
    }

    /// All keys and raw values of a section, in file order (unknown keys included).
    pub fn fields(&self, name: &str) -> Option<&[(String, String)]> {
        self.sections.get(name).map(Vec::as_slice)
    }

    /// Store `tok`, replacing its section entirely (`hf_token`, then `refresh_token` and `expires_at` when
    /// set). Other sections are untouched.
    ///
    /// Rejected: names Python cannot store or that would not read back as the same name (empty,
    /// `DEFAULT`, containing a line break or `]`), and values that would not read back identically
    /// (line breaks, leading/trailing whitespace, an empty `token`). Callers should pass
    /// [`clean_token`]-ed values.
    pub fn set(&mut self, tok: StoredToken) -> Result<(), AuthError> {
        validate_name(&tok.name)?;
        validate_value("token", &tok.token, false)?;
        if let Some(refresh) = &tok.refresh_token {
            validate_value("refresh token", refresh, true)?;
        }
        let mut fields = vec![(KEY_HF_TOKEN.to_owned(), tok.token)];
        if let Some(refresh) = tok.refresh_token {
            fields.push((KEY_REFRESH_TOKEN.to_owned(), refresh));
        }
        if let Some(expires_at) = tok.expires_at {
            fields.push((KEY_EXPIRES_AT.to_owned(), expires_at.to_string()));
        }
        self.sections.insert(tok.name, fields);
        Ok(())
    }

    /// Remove a section; returns whether it existed.
    pub fn remove(&mut self, name: &str) -> bool {
        self.sections.remove(name).is_some()
    }

    /// All section names, sorted (byte order: upper case before lower case).
    pub fn names(&self) -> Vec<String> {
        self.sections.keys().cloned().collect()
    }

    /// Number of sections.
    pub fn len(&self) -> usize {
        self.sections.len()
    }

    /// Whether there are no sections.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }
}

pub(crate) fn validate_name(name: &str) -> Result<(), AuthError> {
    let problem = if name.is_empty() {
        "must not be empty"
    } else if name == DEFAULT_SECTION {
        "is reserved by configparser"
    } else if name.contains(['\r', '\n']) {
        "must not contain a line break"
    } else if name.contains(']') {
        "must not contain ']' (older Python versions would misread the section header)"
    } else {
        return Ok(());
    };
    Err(AuthError::InvalidName(format!("{name:?} {problem}")))
}

pub(crate) fn validate_value(what: &str, value: &str, allow_empty: bool) -> Result<(), AuthError> {
    let problem = if value.contains(['\r', '\n']) {
        "must not contain a line break"
    } else if py_strip(value) != value {
        "must not start or end with whitespace"
    } else if value.is_empty() && !allow_empty {
        "must not be empty"
    } else {
        return Ok(());
    };
    Err(AuthError::InvalidToken(format!("{what} {problem}")))
}

/// Create a new file (mode 0600) with a unique name next to the target.
pub(crate) fn create_temp_file(dir: &Path, base: &str) -> io::Result<(PathBuf, fs::File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    for _ in 0..100 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{base}.{}.{nanos:09}.{n}.tmp", std::process::id()));
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(SECRET_FILE_MODE);
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(io::ErrorKind::AlreadyExists, "could not create a unique temporary file"))
}
