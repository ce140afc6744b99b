//! Login, logout and switch bookkeeping on the token files (the HTTP part is in `login.rs`).

use super::*;

// ---------------------------------------------------------------------------------------------------------
// Login, logout, switch
// ---------------------------------------------------------------------------------------------------------

/// Login bookkeeping after the token has been validated (whoami is done by the caller): save the section (name → token [+ refresh/expiry]) in stored_tokens, then write the token file (makes it active).
///
/// Rejects tokens starting with `api_org` (organization tokens), before touching any file.
pub fn save_login(paths: &TokenPaths, tok: &StoredToken) -> Result<(), AuthError> {
    if tok.token.starts_with("api_org") {
        return Err(AuthError::InvalidToken(
            "organization tokens (api_org...) cannot be used to log in; use a personal access token".to_owned(),
        ));
    }
    let mut stored = StoredTokens::load(&paths.stored_tokens)?;
    stored.set(tok.clone())?;
    stored.save(&paths.stored_tokens)?;
    write_token_file(&paths.token_file, &tok.token)?;
    Ok(())
}

/// Logout: name None → delete both files (missing is fine); Some(name) → remove that section (unknown name silently ignored) and delete the token file if it held that token.
///
/// As in Python, an empty name means "all tokens". With a name, `stored_tokens` is only rewritten when
/// the section existed.
pub fn logout(paths: &TokenPaths, name: Option<&str>) -> Result<(), AuthError> {
    let name = match name {
        Some(name) if !name.is_empty() => name,
        _ => {
            remove_if_exists(&paths.token_file)?;
            remove_if_exists(&paths.stored_tokens)?;
            return Ok(());
        }
    };
    let mut stored = StoredTokens::load(&paths.stored_tokens)?;
    let Some(fields) = stored.sections.remove(name) else {
        return Ok(());
    };
    stored.save(&paths.stored_tokens)?;
    let active = read_token_file(&paths.token_file)?;
    if field(&fields, KEY_HF_TOKEN) == active.as_deref() {
        remove_if_exists(&paths.token_file)?;
    }
    Ok(())
}

/// Switch: look the name up (UnknownTokenName if absent), write its token to the token file.
pub fn switch(paths: &TokenPaths, name: &str) -> Result<(), AuthError> {
    let stored = StoredTokens::load(&paths.stored_tokens)?;
    let tok = stored.get(name).ok_or_else(|| AuthError::UnknownTokenName(name.to_owned()))?;
    write_token_file(&paths.token_file, &tok.token)?;
    Ok(())
}

/// The name of the stored token equal to the current token file content, if any.
///
/// When several names hold the same token, the first in sorted order wins. Unreadable files → `None`.
pub fn active_name(paths: &TokenPaths) -> Option<String> {
    let current = read_token_file(&paths.token_file).ok()??;
    let stored = StoredTokens::load(&paths.stored_tokens).ok()?;
    stored.names().into_iter().find(|name| stored.get(name).is_some_and(|t| t.token == current))
}
