//! Login, logout, switch and the listing of stored tokens, as the client offers them: login
//! validates the token with whoami before it touches the token files (§5.3).

use crate::client::Inner;
use crate::config::Config;
use crate::error::{Error, Result};

use super::{AuthError, StoredToken, StoredTokens, TokenPaths};

fn auth_err(e: AuthError) -> Error {
    match e {
        AuthError::Io(io) => Error::io("token files", io),
        other => Error::InvalidArgument(other.to_string()),
    }
}

fn paths(cfg: &Config) -> TokenPaths {
    TokenPaths::new(cfg.token_path.clone())
}

/// Validate `token` with whoami, store it under its name, make it active; returns the name.
pub(crate) async fn login(c: &Inner, token: &str) -> Result<String> {
    let token = crate::pycompat::clean_token(token).ok_or_else(|| Error::InvalidArgument("empty token".into()))?;
    if token.starts_with("api_org") {
        return Err(Error::InvalidArgument("organization API tokens (api_org…) cannot log in".into()));
    }
    let who = crate::api::whoami(c, Some(&token)).await?;
    let name = who.token_name.clone().unwrap_or_else(|| format!("oauth-{}", who.name));
    let st = StoredToken { name: name.clone(), token, refresh_token: None, expires_at: None };
    super::save_login(&paths(&c.config), &st).map_err(auth_err)?;
    Ok(name)
}

/// See `Client::logout`.
pub(crate) fn logout(cfg: &Config, name: Option<&str>) -> Result<()> {
    super::logout(&paths(cfg), name).map_err(auth_err)
}

/// See `Client::switch_token`.
pub(crate) fn switch(cfg: &Config, name: &str) -> Result<()> {
    super::switch(&paths(cfg), name).map_err(auth_err)
}

/// Names of the stored tokens, sorted.
pub(crate) fn stored_names(cfg: &Config) -> Result<Vec<String>> {
    Ok(StoredTokens::load(&paths(cfg).stored_tokens).map_err(|e| Error::io("reading stored_tokens", e))?.names())
}

/// The name of the active stored token.
pub(crate) fn active_name(cfg: &Config) -> Option<String> {
    super::active_name(&paths(cfg))
}
