//! Python-faithful helpers: `str.strip()`, `_clean_token`, truthy values, `os.path.expanduser`
//! and `posixpath.expandvars` (so our paths and tokens are exactly the Python client's).

// ---------------------------------------------------------------------------------------------------------
// Python string helpers
// ---------------------------------------------------------------------------------------------------------

/// Python's `str.isspace()`: Unicode White_Space plus the information separators U+001C..U+001F.
pub(crate) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()` with no argument.
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Python's `str.rstrip()` with no argument.
pub(crate) fn py_rstrip(s: &str) -> &str {
    s.trim_end_matches(is_py_space)
}

/// Remove every '\r' and '\n', trim whitespace; empty → None.
///
/// This is Python's `_clean_token`, applied to every token source (§5.1). Whitespace is trimmed with
/// Python's `str.strip()` rules.
pub fn clean_token(raw: &str) -> Option<String> {
    let joined: String = raw.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    let trimmed = py_strip(&joined);
    if trimmed.is_empty() {
        None
    } else {
        Some(trimmed.to_owned())
    }
}

/// `1`, `ON`, `YES`, `TRUE` in any case.
pub fn is_truthy(v: &str) -> bool {
    matches!(v.trim().to_ascii_uppercase().as_str(), "1" | "ON" | "YES" | "TRUE")
}

fn is_sep(c: char) -> bool {
    c == '/' || (cfg!(windows) && c == '\\')
}

/// `os.path.expanduser`: `~` → home (`HOME`, on Windows `USERPROFILE`), `~user` → that user's home from
/// `/etc/passwd`; left unchanged when unknown.
pub fn expand_user(path: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    let Some(rest) = path.strip_prefix('~') else {
        return path.to_owned();
    };
    let end = rest.find(is_sep).unwrap_or(rest.len());
    let (user, tail) = rest.split_at(end);
    let home = if user.is_empty() {
        let var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
        match env(var).or_else(|| std::env::home_dir().map(|p| p.to_string_lossy().into_owned())) {
            Some(home) => home,
            None => return path.to_owned(),
        }
    } else {
        match user_home(user) {
            Some(home) => home,
            None => return path.to_owned(),
        }
    };
    let joined = format!("{}{tail}", home.trim_end_matches(is_sep));
    if joined.is_empty() {
        "/".to_owned()
    } else {
        joined
    }
}

/// Home folder of a named user (`getpwnam_r`, so NSS sources count too), Unix only.
#[cfg(unix)]
fn user_home(user: &str) -> Option<String> {
    crate::ffi::sys::user_home(user)
}

#[cfg(not(unix))]
fn user_home(_user: &str) -> Option<String> {
    None
}

/// `posixpath.expandvars`: `$name` (ASCII word characters) and `${name}` are replaced when set; unknown
/// variables are left as written. Substituted values are not expanded again.
pub fn expand_vars(path: &str, env: &dyn Fn(&str) -> Option<String>) -> String {
    if !path.contains('$') {
        return path.to_owned();
    }
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        let word = after.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
        let matched = if word > 0 {
            Some((&after[..word], word))
        } else if let Some(inner) = after.strip_prefix('{') {
            inner.find('}').map(|close| (&inner[..close], close + 2))
        } else {
            None
        };
        match matched {
            Some((name, len)) => {
                match env(name).filter(|_| !name.is_empty()) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(&rest[dollar..dollar + 1 + len]),
                }
                rest = &after[len..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
