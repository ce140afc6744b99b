//! Repository administration (hub-protocol.md §1.8–§1.10, §1.14): create, delete, move, visibility,
//! branches and tags. Every call is one JSON request, never retried (none is idempotent for sure).

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::client::Inner;
use crate::error::{Error, HttpDetails, Result};
use crate::http::{read_limited, Body, Redirects, Req};
use crate::repo::{encode_all, validate_revision, Repo, RepoType};

/// The most of a JSON answer read from an administration call.
const ANSWER_LIMIT: usize = 1 << 20;

/// Visibility of a repository (`protected` exists for Spaces only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Visibility {
    /// Everyone can read it.
    #[default]
    Public,
    /// Only the owner (user or organization members) and granted users.
    Private,
    /// A Space whose code is hidden but whose app is public.
    Protected,
}

impl Visibility {
    fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Private => "private",
            Visibility::Protected => "protected",
        }
    }
}

/// What [`crate::Client::create_repo`] creates.
#[derive(Debug, Clone, Default)]
pub struct CreateRepo {
    /// `name` or `namespace/name` (no namespace: the token owner's).
    pub repo_id: String,
    /// Model, dataset or Space.
    pub repo_type: RepoType,
    /// `None`: the Hub's default (public). `Some`: sent as `visibility`.
    pub visibility: Option<Visibility>,
    /// Space SDK (`gradio`, `streamlit`, `docker`, `static`); required for Spaces.
    pub space_sdk: Option<String>,
    /// An existing repository is not an error (its URL is returned).
    pub exist_ok: bool,
}

/// `POST /api/repos/create` → the repository URL (§1.8).
pub(crate) async fn create_repo(c: &Inner, what: &CreateRepo) -> Result<String> {
    let repo = Repo::new(&what.repo_id, what.repo_type)?;
    let (org, name) = split_id(repo.id());
    let mut body = json!({"name": name, "organization": org});
    if what.repo_type != RepoType::Model {
        body["type"] = json!(what.repo_type.as_str());
    }
    if let Some(v) = what.visibility {
        if v == Visibility::Protected && what.repo_type != RepoType::Space {
            return Err(Error::InvalidArgument("visibility \"protected\" is for Spaces only".into()));
        }
        body["visibility"] = json!(v.as_str());
    }
    match (&what.space_sdk, what.repo_type) {
        (Some(sdk), RepoType::Space) => body["sdk"] = json!(sdk),
        (None, RepoType::Space) => {
            return Err(Error::InvalidArgument("a Space needs an SDK: gradio, streamlit, docker or static".into()))
        }
        (Some(_), _) => return Err(Error::InvalidArgument("space_sdk is for Spaces only".into())),
        (None, _) => {}
    }
    let url_of_repo = format!("{}/{}{}", c.config.endpoint, what.repo_type.url_prefix(), repo.id());
    match call(c, Method::POST, "/api/repos/create", Some(body), "create repo").await {
        Ok(v) => Ok(v["url"].as_str().map(String::from).unwrap_or(url_of_repo)),
        Err(e) if what.exist_ok && e.http_status() == 409 => Ok(url_of_repo),
        Err(e) => Err(e),
    }
}

/// `DELETE /api/repos/delete` (§1.9); a missing repository is fine with `missing_ok`.
pub(crate) async fn delete_repo(c: &Inner, repo: &Repo, missing_ok: bool) -> Result<()> {
    let (org, name) = split_id(repo.id());
    let mut body = json!({"name": name, "organization": org});
    if repo.repo_type() != RepoType::Model {
        body["type"] = json!(repo.repo_type().as_str());
    }
    match call(c, Method::DELETE, "/api/repos/delete", Some(body), "delete repo").await {
        Ok(_) => Ok(()),
        Err(Error::RepoNotFound(_)) if missing_ok => Ok(()),
        Err(e) => Err(e),
    }
}

/// `POST /api/repos/move` (§1.10): rename or transfer `from` to `to` (both `namespace/name`).
pub(crate) async fn move_repo(c: &Inner, from: &Repo, to: &str) -> Result<()> {
    let to = Repo::new(to, from.repo_type())?;
    if !from.id().contains('/') || !to.id().contains('/') {
        return Err(Error::InvalidArgument("moving a repo needs full ids: namespace/name".into()));
    }
    let body = json!({"fromRepo": from.id(), "toRepo": to.id(), "type": from.repo_type().as_str()});
    call(c, Method::POST, "/api/repos/move", Some(body), "move repo").await.map(drop)
}

/// `PUT /api/{type}s/{repo}/settings` with `{"visibility"}` (§1.10).
pub(crate) async fn update_visibility(c: &Inner, repo: &Repo, visibility: Visibility) -> Result<()> {
    let path = format!("/api/{}/{}/settings", repo.repo_type().plural(), repo.id());
    call(c, Method::PUT, &path, Some(json!({"visibility": visibility.as_str()})), "update visibility").await.map(drop)
}

/// `POST /api/{type}s/{repo}/branch/{branch}` with `{"startingPoint"?}` (§1.14).
pub(crate) async fn create_branch(
    c: &Inner,
    repo: &Repo,
    branch: &str,
    from: Option<&str>,
    exist_ok: bool,
) -> Result<()> {
    validate_revision(branch)?;
    let body = match from {
        Some(r) => {
            validate_revision(r)?;
            json!({"startingPoint": r})
        }
        None => json!({}),
    };
    let path = format!("/api/{}/{}/branch/{}", repo.repo_type().plural(), repo.id(), encode_all(branch));
    match call(c, Method::POST, &path, Some(body), "create branch").await {
        Ok(_) => Ok(()),
        Err(e) if exist_ok && e.http_status() == 409 => Ok(()),
        Err(e) => Err(e),
    }
}

/// `DELETE /api/{type}s/{repo}/branch/{branch}` (§1.14).
pub(crate) async fn delete_branch(c: &Inner, repo: &Repo, branch: &str) -> Result<()> {
    validate_revision(branch)?;
    let path = format!("/api/{}/{}/branch/{}", repo.repo_type().plural(), repo.id(), encode_all(branch));
    call(c, Method::DELETE, &path, None, "delete branch").await.map(drop)
}

/// `POST /api/{type}s/{repo}/tag/{revision}` with `{"tag","message"?}` (§1.14).
pub(crate) async fn create_tag(
    c: &Inner,
    repo: &Repo,
    tag: &str,
    revision: Option<&str>,
    message: Option<&str>,
    exist_ok: bool,
) -> Result<()> {
    validate_revision(tag)?;
    let rev = revision.unwrap_or("main");
    validate_revision(rev)?;
    let mut body = json!({"tag": tag});
    if let Some(m) = message {
        body["message"] = json!(m);
    }
    let path = format!("/api/{}/{}/tag/{}", repo.repo_type().plural(), repo.id(), encode_all(rev));
    match call(c, Method::POST, &path, Some(body), "create tag").await {
        Ok(_) => Ok(()),
        Err(e) if exist_ok && e.http_status() == 409 => Ok(()),
        Err(e) => Err(e),
    }
}

/// `DELETE /api/{type}s/{repo}/tag/{tag}` (§1.14).
pub(crate) async fn delete_tag(c: &Inner, repo: &Repo, tag: &str) -> Result<()> {
    validate_revision(tag)?;
    let path = format!("/api/{}/{}/tag/{}", repo.repo_type().plural(), repo.id(), encode_all(tag));
    call(c, Method::DELETE, &path, None, "delete tag").await.map(drop)
}

/// The head commit of `revision` (`GET /api/{type}s/{repo}/revision/{rev}` → `sha`).
pub(crate) async fn revision_sha(c: &Inner, repo: &Repo, revision: &str) -> Result<String> {
    #[derive(Deserialize)]
    struct Info {
        sha: Option<String>,
    }
    let url =
        c.api_url(&format!("/api/{}/{}/revision/{}", repo.repo_type().plural(), repo.id(), encode_all(revision)))?;
    let token = c.token();
    let info: Info = c.http.get_json(url, token.as_deref(), "repo info").await?;
    info.sha.ok_or_else(|| Error::Metadata(format!("repo info of {} at {revision} has no sha", repo.id())))
}

/// `(organization or null, name)` of a repo id.
fn split_id(id: &str) -> (Value, &str) {
    match id.split_once('/') {
        Some((ns, name)) => (json!(ns), name),
        None => (Value::Null, id),
    }
}

/// One JSON call to the Hub with the write token: redirects followed, errors classified, the
/// answer decoded (`{}` when empty or not JSON).
pub(crate) async fn call(c: &Inner, method: Method, path: &str, body: Option<Value>, what: &str) -> Result<Value> {
    let token = c.required_token();
    let mut req = Req::new(method, c.api_url(path)?).token(token.as_deref());
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(Body::Bytes(b.to_string().into_bytes().into()));
    }
    let resp = c.http.send_following(req, Redirects::Follow).await?;
    let resp = c.http.check(resp, what, token.as_deref()).await?;
    let bytes = read_limited(resp, ANSWER_LIMIT, what).await?;
    Ok(serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({})))
}

/// An HTTP error with only a message (answers that are not what the protocol says).
pub(crate) fn bad_answer(what: &str, why: impl std::fmt::Display) -> Error {
    Error::Http(HttpDetails { status: 200, message: format!("{what}: {why}"), ..Default::default() })
}
