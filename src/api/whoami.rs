//! `GET /api/whoami-v2` (hub-protocol.md §1.3).

use serde::Deserialize;

use crate::client::Inner;
use crate::error::{Error, Result};

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

#[derive(Deserialize)]
struct Answer {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    fullname: Option<String>,
    #[serde(default)]
    orgs: Vec<Org>,
    auth: Option<Auth>,
}

#[derive(Deserialize)]
struct Org {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Auth {
    #[serde(rename = "accessToken")]
    access_token: Option<AccessToken>,
}

#[derive(Deserialize)]
struct AccessToken {
    #[serde(rename = "displayName")]
    display_name: Option<String>,
    role: Option<String>,
}

impl WhoAmI {
    fn from_json(raw: serde_json::Value) -> Result<WhoAmI> {
        let a: Answer = serde_json::from_value(raw.clone())
            .map_err(|e| Error::Metadata(format!("whoami answer has an unexpected shape: {e}")))?;
        let name = a.name.ok_or_else(|| Error::Metadata("whoami answer has no name".into()))?;
        let access = a.auth.and_then(|x| x.access_token);
        Ok(WhoAmI {
            name,
            kind: a.kind.unwrap_or_else(|| "user".into()),
            fullname: a.fullname,
            orgs: a.orgs.into_iter().filter_map(|o| o.name).collect(),
            token_name: access.as_ref().and_then(|t| t.display_name.clone()),
            token_role: access.and_then(|t| t.role),
            raw,
        })
    }
}

/// Who `token` (else the client's token, required) belongs to.
pub(crate) async fn whoami(c: &Inner, token: Option<&str>) -> Result<WhoAmI> {
    let token = match token {
        Some(t) => t.to_string(),
        None => {
            c.required_token().ok_or_else(|| Error::NoToken("whoami needs a token: log in, or set HF_TOKEN".into()))?
        }
    };
    let url = c.api_url("/api/whoami-v2")?;
    let raw: serde_json::Value = c.http.get_json(url, Some(&token), "whoami").await?;
    WhoAmI::from_json(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_answer() {
        let v = serde_json::json!({"name": "u", "type": "user", "orgs": [{"name": "a"}, {"x": 1}],
            "auth": {"accessToken": {"displayName": "t", "role": "write"}}});
        let w = WhoAmI::from_json(v).unwrap();
        assert_eq!((w.name.as_str(), w.kind.as_str()), ("u", "user"));
        assert_eq!(w.orgs, vec!["a"]);
        assert_eq!((w.token_name.as_deref(), w.token_role.as_deref()), (Some("t"), Some("write")));
        assert!(matches!(WhoAmI::from_json(serde_json::json!({"type": "user"})), Err(Error::Metadata(_))));
        assert!(matches!(WhoAmI::from_json(serde_json::json!({"name": 3})), Err(Error::Metadata(_))));
    }
}
