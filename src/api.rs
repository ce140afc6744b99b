//! Hub API calls that are not downloads: whoami, and the login/logout/switch flows that validate a
//! token with whoami before touching the token files (hub-protocol.md §1.3, §5.3).

use reqwest::Url;

use crate::auth::{self, AuthError, StoredToken, StoredTokens, TokenPaths};
use crate::error::{Error, Result};
use crate::Client;

/// Who a token belongs to (`GET /api/whoami-v2`).
#[derive(Debug, Clone, PartialEq)]
pub struct WhoAmI {
    /// User (or org/app) name.
    pub name: String,
    /// `user`, `org` or `app`.
    pub kind: String,
    /// Display name, when the Hub sent one.
    pub fullname: Option<String>,
    /// Names of the organizations the user belongs to.
    pub orgs: Vec<String>,
    /// The token's display name (`auth.accessToken.displayName`); absent for OAuth tokens.
    pub token_name: Option<String>,
    /// The token's role: `read`, `write` or `fineGrained`.
    pub token_role: Option<String>,
    /// The whole JSON answer.
    pub raw: serde_json::Value,
}

impl WhoAmI {
    fn from_json(v: serde_json::Value) -> Result<WhoAmI> {
        let s = |x: Option<&serde_json::Value>| x.and_then(|v| v.as_str()).map(String::from);
        let name = s(v.get("name")).ok_or_else(|| Error::Metadata("whoami answer has no name".into()))?;
        let orgs = v
            .get("orgs")
            .and_then(|o| o.as_array())
            .map(|a| a.iter().filter_map(|o| s(o.get("name"))).collect())
            .unwrap_or_default();
        let access = v.get("auth").and_then(|a| a.get("accessToken"));
        Ok(WhoAmI {
            kind: s(v.get("type")).unwrap_or_else(|| "user".into()),
            fullname: s(v.get("fullname")),
            token_name: s(access.and_then(|a| a.get("displayName"))),
            token_role: s(access.and_then(|a| a.get("role"))),
            orgs,
            name,
            raw: v,
        })
    }
}

fn auth_err(e: AuthError) -> Error {
    match e {
        AuthError::Io(io) => Error::io("token files", io),
        other => Error::InvalidArgument(other.to_string()),
    }
}

impl Client {
    fn token_paths(&self) -> TokenPaths {
        TokenPaths::new(self.config().token_path.clone())
    }

    /// Who the configured token belongs to. Needs a token ([`Error::NoToken`] otherwise).
    pub fn whoami(&self) -> Result<WhoAmI> {
        let token = self
            .resolved_token()
            .ok_or_else(|| Error::NoToken("whoami needs a token: log in, or set HF_TOKEN".into()))?;
        self.whoami_with(&token)
    }

    /// Who `token` belongs to.
    pub fn whoami_with(&self, token: &str) -> Result<WhoAmI> {
        let url = Url::parse(&format!("{}/api/whoami-v2", self.config().endpoint))
            .map_err(|e| Error::InvalidArgument(format!("endpoint: {e}")))?;
        let v = self.http().get_json(url, Some(token), "whoami")?;
        WhoAmI::from_json(v)
    }

    /// Validate `token` with whoami, store it in `stored_tokens` under its name and make it the
    /// active token (the token file). Returns the name it was stored under.
    pub fn login(&self, token: &str) -> Result<String> {
        let token = auth::clean_token(token).ok_or_else(|| Error::InvalidArgument("empty token".into()))?;
        if token.starts_with("api_org") {
            return Err(Error::InvalidArgument("organization API tokens (api_org…) cannot log in".into()));
        }
        let who = self.whoami_with(&token)?;
        let name = who.token_name.clone().unwrap_or_else(|| format!("oauth-{}", who.name));
        let st = StoredToken { name: name.clone(), token, refresh_token: None, expires_at: None };
        auth::save_login(&self.token_paths(), &st).map_err(auth_err)?;
        Ok(name)
    }

    /// Log out: `None` deletes the token file and every stored token; `Some(name)` removes that
    /// stored token (and the token file when it held it). Tokens from `HF_TOKEN` are not affected.
    pub fn logout(&self, name: Option<&str>) -> Result<()> {
        auth::logout(&self.token_paths(), name).map_err(auth_err)
    }

    /// Make the stored token `name` the active one.
    pub fn switch_token(&self, name: &str) -> Result<()> {
        auth::switch(&self.token_paths(), name).map_err(auth_err)
    }

    /// Names of the stored tokens, sorted.
    pub fn stored_token_names(&self) -> Result<Vec<String>> {
        Ok(StoredTokens::load(&self.token_paths().stored_tokens)
            .map_err(|e| Error::io("reading stored_tokens", e))?
            .names())
    }

    /// The name of the stored token that is currently active, if any.
    pub fn active_token_name(&self) -> Option<String> {
        auth::active_name(&self.token_paths())
    }
}
