//! Write endpoints: repo create/delete/move, preupload, NDJSON commit, LFS batch/verify,
//! branches, tags, settings.

use base64::Engine;
use bytes::Bytes;
use serde_json::{json, Value};

use crate::git::{is_lfs_path, sha256_hex};
use crate::model::{HubError, Op, Repo, RepoType, State, Target, User};
use crate::server::{Ctx, Resp, Shared};
use crate::util::query_bool;
use crate::Access;

fn unauthenticated() -> Resp {
    Resp::error(401, None, "Invalid username or password.")
}

fn no_write(repo: &Repo, user: Option<&User>) -> Resp {
    if user.is_none() {
        return unauthenticated();
    }
    Resp::error(
        403,
        None,
        &format!(
            "You don't have the rights to write to {} {}. Make sure your token has write access.",
            repo.rtype.as_str(),
            repo.id
        ),
    )
}

fn err(e: HubError) -> Resp {
    Resp::from_err(&e)
}

fn repo_url(sh: &Shared, rt: RepoType, id: &str) -> String {
    format!("{}/{}{id}", sh.hub_url, rt.url_prefix())
}

fn valid_name(name: &str) -> bool {
    let ok_chars = name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok_chars
        && (1..=96).contains(&name.len())
        && !name.starts_with(['-', '.'])
        && !name.ends_with(['-', '.'])
        && !name.contains("--")
        && !name.contains("..")
        && !name.ends_with(".git")
}

/// Parses `{"name","organization","type"}` → (type, id).
fn repo_from_body(v: &Value, user: &User) -> Result<(RepoType, String), Resp> {
    let name = v["name"].as_str().unwrap_or_default();
    let (ns, name) = match (v["organization"].as_str(), name.split_once('/')) {
        (Some(org), _) => (org.to_string(), name.to_string()),
        (None, Some((ns, n))) => (ns.to_string(), n.to_string()),
        (None, None) => (user.name.clone(), name.to_string()),
    };
    let rt = RepoType::parse(v["type"].as_str().unwrap_or("model"))
        .ok_or_else(|| Resp::error(400, None, "Invalid repo type"))?;
    if !valid_name(&name) || !valid_name(&ns) {
        return Err(Resp::error(400, None, &format!("Invalid repo name: {ns}/{name}")));
    }
    Ok((rt, format!("{ns}/{name}")))
}

fn is_member(user: &User, ns: &str) -> bool {
    user.name == ns || user.orgs.iter().any(|o| o == ns)
}

pub(crate) fn create_repo(sh: &Shared, st: &mut State, ctx: &Ctx, user: Option<&User>) -> Resp {
    if ctx.method != axum::http::Method::POST {
        return Resp::method_not_allowed();
    }
    let Some(user) = user else {
        return unauthenticated();
    };
    let v = match ctx.json_body() {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let (rt, id) = match repo_from_body(&v, user) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let ns = id.split('/').next().unwrap_or_default();
    if !is_member(user, ns) {
        return Resp::error(
            403,
            None,
            &format!("You don't have the rights to create a {} under the namespace \"{ns}\".", rt.as_str()),
        );
    }
    let private = match v["visibility"].as_str() {
        Some(vis) => vis != "public",
        None => v["private"].as_bool().unwrap_or(false),
    };
    let url = repo_url(sh, rt, &id);
    let access = if private { Access::Private } else { Access::Public };
    if !st.create_repo(rt, &id, access, true) {
        return Resp::json(
            409,
            &json!({"error": format!("You already created this {} repo", rt.as_str()), "url": url}),
        )
        .header("x-error-message", format!("You already created this {} repo", rt.as_str()));
    }
    let oid = st.repo(rt, &id).map(|r| r.object_id.clone()).unwrap_or_default();
    Resp::json(200, &json!({"url": url, "name": id, "id": oid}))
}

pub(crate) fn delete_repo(st: &mut State, ctx: &Ctx, user: Option<&User>) -> Resp {
    if ctx.method != axum::http::Method::DELETE {
        return Resp::method_not_allowed();
    }
    let Some(user) = user else {
        return unauthenticated();
    };
    let v = match ctx.json_body() {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let (rt, id) = match repo_from_body(&v, user) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(repo) = st.repo(rt, &id) else {
        return Resp::error(404, Some("RepoNotFound"), "Repository not found");
    };
    if !repo.is_member(Some(user)) {
        return if repo.check_read(Some(user)).is_ok() {
            no_write(repo, Some(user))
        } else {
            Resp::error(404, Some("RepoNotFound"), "Repository not found")
        };
    }
    st.repos.remove(&(rt, id));
    Resp::json(200, &json!({}))
}

pub(crate) fn move_repo(st: &mut State, ctx: &Ctx, user: Option<&User>) -> Resp {
    if ctx.method != axum::http::Method::POST {
        return Resp::method_not_allowed();
    }
    let Some(user) = user else {
        return unauthenticated();
    };
    let v = match ctx.json_body() {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let rt = RepoType::parse(v["type"].as_str().unwrap_or("model")).unwrap_or(RepoType::Model);
    let from = v["fromRepo"].as_str().unwrap_or_default();
    let to = v["toRepo"].as_str().unwrap_or_default();
    let Some(repo) = st.repo(rt, from) else {
        return err(HubError::repo_not_found());
    };
    if !repo.is_member(Some(user)) {
        return no_write(repo, Some(user));
    }
    let to_ns = to.split('/').next().unwrap_or_default();
    if !to.contains('/') || !is_member(user, to_ns) {
        return Resp::error(403, None, &format!("You don't have the rights to move a repo to {to}"));
    }
    match st.rename_repo(rt, from, to) {
        Ok(()) => Resp::json(200, &json!({})),
        Err(e) => err(e),
    }
}

pub(crate) fn preupload(repo: &Repo, ctx: &Ctx, user: Option<&User>, rev: &str) -> Resp {
    let create_pr = query_bool(&ctx.query_pairs(), "create_pr");
    if !create_pr && !repo.can_write(user) {
        return no_write(repo, user);
    }
    let Some(commit) = repo.resolve(rev).and_then(|c| repo.commits.get(&c)) else {
        return err(HubError::revision_not_found(rev));
    };
    let v = match ctx.json_body() {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let Some(files) = v["files"].as_array() else {
        return Resp::error(400, None, "Missing files");
    };
    if files.len() > 256 {
        return Resp::error(400, None, "Too many files, max 256 per call");
    }
    let out: Vec<Value> = files
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap_or_default();
            let size = f["size"].as_u64().unwrap_or(0);
            let mode = if is_lfs_path(path, size) { "lfs" } else { "regular" };
            let mut e = json!({"path": path, "uploadMode": mode, "shouldIgnore": false});
            if let Some(existing) = commit.files.get(path) {
                e["oid"] = json!(existing.remote_oid());
            }
            e
        })
        .collect();
    Resp::json(200, &json!({"files": out, "commitOid": commit.id}))
}

fn parse_ndjson(body: &[u8]) -> Result<(Value, Vec<Op>), HubError> {
    let text = std::str::from_utf8(body).map_err(|_| HubError::bad_request("Body is not UTF-8"))?;
    let mut header = None;
    let mut ops = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value =
            serde_json::from_str(line).map_err(|e| HubError::bad_request(format!("Invalid NDJSON line: {e}")))?;
        let val = &v["value"];
        let path = val["path"].as_str().unwrap_or_default().to_string();
        match v["key"].as_str() {
            Some("header") => header = Some(val.clone()),
            Some("file") => {
                let content = val["content"].as_str().unwrap_or_default();
                let data = match val["encoding"].as_str() {
                    Some("base64") | None => base64::engine::general_purpose::STANDARD
                        .decode(content)
                        .map_err(|e| HubError::bad_request(format!("Invalid base64 for {path}: {e}")))?,
                    Some(_) => content.as_bytes().to_vec(),
                };
                ops.push(Op::Add { path, data: Bytes::from(data), lfs: None });
            }
            Some("lfsFile") => {
                let oid = val["oid"].as_str().unwrap_or_default().to_ascii_lowercase();
                ops.push(Op::AddLfs { path, sha256: oid });
            }
            Some("deletedFile") => ops.push(Op::DeleteFile(path)),
            Some("deletedFolder") => ops.push(Op::DeleteFolder(path)),
            other => {
                return Err(HubError::bad_request(format!("Unknown operation key {other:?}")));
            }
        }
    }
    let header = header.ok_or_else(|| HubError::bad_request("Missing commit header"))?;
    Ok((header, ops))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn commit(
    sh: &Shared,
    st: &mut State,
    ctx: &Ctx,
    user: Option<&User>,
    rt: RepoType,
    id: &str,
    rev: &str,
) -> Resp {
    let create_pr = query_bool(&ctx.query_pairs(), "create_pr");
    let Some(repo) = st.repo(rt, id) else {
        return err(HubError::repo_not_found());
    };
    if !create_pr && !repo.can_write(user) {
        return no_write(repo, user);
    }
    let (header, ops) = match parse_ndjson(&ctx.body) {
        Ok(x) => x,
        Err(e) => return err(e),
    };
    let summary = header["summary"].as_str().unwrap_or_default().to_string();
    if summary.trim().is_empty() {
        return Resp::error(400, None, "Commit summary cannot be empty");
    }
    let description = header["description"].as_str().unwrap_or_default().to_string();
    let parent = header["parentCommit"].as_str().map(str::to_string);
    if let Some(p) = &parent {
        let ok = (5..=40).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_hexdigit());
        if !ok {
            return Resp::error(400, None, &format!("Invalid parentCommit: {p}"));
        }
    }
    let branch = rev.strip_prefix("refs/heads/").unwrap_or(rev);
    let target = if create_pr {
        if !repo.branches.contains_key(branch) {
            return err(HubError::revision_not_found(rev));
        }
        let base = match &parent {
            Some(p) => match repo.resolve(p) {
                Some(c) => c,
                None => return err(HubError::revision_not_found(p)),
            },
            None => repo.branches[branch].clone(),
        };
        Target::NewPr(Some(base))
    } else if repo.branches.contains_key(branch) {
        Target::Branch { name: branch.to_string(), create: false }
    } else if let Some(n) = rev.strip_prefix("refs/pr/").and_then(|n| n.parse::<u64>().ok()) {
        Target::Pr(n)
    } else {
        return err(HubError::revision_not_found(rev));
    };
    let author = user.map_or("anonymous", |u| u.name.as_str()).to_string();
    let check = if create_pr { None } else { parent.as_deref() };
    match st.commit(rt, id, target, check, ops, &summary, &description, &author) {
        Ok(out) => {
            let url = repo_url(sh, rt, id);
            let mut v = json!({
                "success": true,
                "commitOid": out.commit,
                "commitUrl": format!("{url}/commit/{}", out.commit),
                "hookOutput": "",
            });
            if let Some(n) = out.pr {
                v["pullRequestUrl"] = json!(format!("{url}/discussions/{n}"));
            }
            Resp::json(200, &v)
        }
        Err(e) => err(e),
    }
}

fn lfs_json(status: u16, v: &Value) -> Resp {
    let mut r = Resp::json(status, v);
    r.headers.retain(|(k, _)| k != "content-type");
    r.header("content-type", "application/vnd.git-lfs+json")
}

pub(crate) fn lfs_batch(sh: &Shared, st: &mut State, ctx: &Ctx, user: Option<&User>, rt: RepoType, id: &str) -> Resp {
    let Some(repo) = st.repo(rt, id) else {
        return err(HubError::repo_not_found());
    };
    let v = match ctx.json_body() {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let op = v["operation"].as_str().unwrap_or("download");
    let has_ref = v.get("ref").is_some_and(|r| !r.is_null());
    if op == "upload" && has_ref && !repo.can_write(user) {
        return no_write(repo, user);
    }
    if op == "upload" && user.is_none() {
        return unauthenticated();
    }
    let objects = v["objects"].as_array().cloned().unwrap_or_default();
    if objects.len() > 1000 {
        return Resp::error(413, None, "Too many objects");
    }
    let verify_href = format!("{}/{}{id}.git/info/lfs/objects/verify", sh.hub_url, rt.url_prefix());
    let expires = "2099-01-01T00:00:00Z";
    let out: Vec<Value> = objects
        .iter()
        .map(|o| {
            let oid = o["oid"].as_str().unwrap_or_default().to_ascii_lowercase();
            let size = o["size"].as_u64().unwrap_or(0);
            if oid.len() != 64 || !oid.bytes().all(|c| c.is_ascii_hexdigit()) {
                return json!({"oid": oid, "size": size, "error": {"code": 422, "message": "Invalid oid"}});
            }
            let stored = st.lfs.get(&oid);
            match op {
                "upload" if stored.is_some() => json!({"oid": oid, "size": size}),
                "upload" if sh.opts.multipart_chunk_size.is_some_and(|cs| cs > 0 && size > cs) => {
                    let cs = sh.opts.multipart_chunk_size.unwrap_or(1);
                    let mut header = serde_json::Map::new();
                    header.insert("chunk_size".into(), json!(cs.to_string()));
                    for n in 1..=size.div_ceil(cs) {
                        header.insert(
                            format!("{n:05}"),
                            json!(format!("{}/upload/{oid}/part/{n}?uploadId={oid}&X-Amz-Signature=fakesig", upload_base(sh))),
                        );
                    }
                    json!({
                        "oid": oid,
                        "size": size,
                        "authenticated": true,
                        "actions": {
                            "upload": {
                                "href": format!("{}/api/complete_multipart?uploadId={oid}&signature=fakesig", sh.hub_url),
                                "header": header,
                                "expires_at": expires,
                            },
                            "verify": {"href": verify_href, "expires_at": expires},
                        },
                    })
                }
                "upload" => json!({
                    "oid": oid,
                    "size": size,
                    "authenticated": true,
                    "actions": {
                        "upload": {
                            "href": format!("{}/upload/{oid}?X-Amz-Signature=fakesig", upload_base(sh)),
                            "expires_at": expires,
                        },
                        "verify": {"href": verify_href, "expires_at": expires},
                    },
                }),
                _ => match stored {
                    Some(data) => json!({
                        "oid": oid,
                        "size": data.len(),
                        "authenticated": true,
                        "actions": {"download": {
                            "href": format!("{}/repos/{id}/{oid}?X-Amz-Signature=fakesig", sh.cdn_url),
                            "expires_at": expires,
                        }},
                    }),
                    None => {
                        json!({"oid": oid, "size": size, "error": {"code": 404, "message": "Object does not exist"}})
                    }
                },
            }
        })
        .collect();
    let multipart = out.iter().any(|o| o["actions"]["upload"]["header"]["chunk_size"].is_string());
    let transfer = if multipart { "multipart" } else { "basic" };
    lfs_json(200, &json!({"transfer": transfer, "objects": out, "hash_algo": "sha256"}))
}

/// `POST /api/complete_multipart?uploadId=<oid>`: `{"oid","parts":[{"partNumber","etag"}]}` →
/// the parts are joined (all of them, in order, with the ETags their PUTs answered) and checked
/// against the oid.
pub(crate) fn complete_multipart(st: &mut State, ctx: &Ctx) -> Resp {
    if ctx.method != axum::http::Method::POST {
        return Resp::method_not_allowed();
    }
    let v = match ctx.json_body() {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let oid = v["oid"].as_str().unwrap_or_default().to_ascii_lowercase();
    let upload_id = crate::util::query_get(&ctx.query_pairs(), "uploadId").unwrap_or_default().to_ascii_lowercase();
    if oid.is_empty() || oid != upload_id {
        return Resp::error(400, None, "oid does not match the upload");
    }
    let Some(stored) = st.parts.get(&oid) else {
        return Resp::error(404, None, "No such upload");
    };
    let listed = v["parts"].as_array().cloned().unwrap_or_default();
    if listed.len() != stored.len() {
        return Resp::error(400, None, &format!("Expected {} parts, got {}", stored.len(), listed.len()));
    }
    let mut data = Vec::new();
    for (i, (n, bytes)) in stored.iter().enumerate() {
        let p = &listed[i];
        let etag = format!("\"{}\"", &sha256_hex(bytes)[..32]);
        if p["partNumber"].as_u64() != Some(*n) || *n != i as u64 + 1 || p["etag"].as_str() != Some(etag.as_str()) {
            return Resp::error(400, None, &format!("Invalid part {}: {p}", i + 1));
        }
        data.extend_from_slice(bytes);
    }
    st.parts.remove(&oid);
    if sha256_hex(&data) != oid {
        st.bad_uploads.insert(oid);
        return Resp::error(400, None, "The uploaded parts do not match the oid");
    }
    st.lfs.entry(oid).or_insert_with(|| Bytes::from(data));
    Resp::json(200, &json!({"success": true}))
}

pub(crate) fn lfs_verify(st: &mut State, ctx: &Ctx) -> Resp {
    let v = match ctx.json_body() {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let oid = v["oid"].as_str().unwrap_or_default().to_ascii_lowercase();
    let size = v["size"].as_u64();
    match st.lfs.get(&oid) {
        Some(data) if size.is_none_or(|s| s == data.len() as u64) => Resp::json(200, &json!({"success": true})),
        Some(_) => Resp::error(422, None, "Object size mismatch"),
        None if st.bad_uploads.contains(&oid) => {
            Resp::error(422, None, "Uploaded content does not match its sha256 oid")
        }
        None => Resp::error(404, None, "Object not found"),
    }
}

fn valid_ref_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with("refs/")
        && !name.starts_with('/')
        && !name.ends_with('/')
        && !name.contains("..")
        && !name.contains(' ')
        && !(name.len() == 40 && name.bytes().all(|c| c.is_ascii_hexdigit()))
}

pub(crate) fn branch(st: &mut State, ctx: &Ctx, user: Option<&User>, rt: RepoType, id: &str, name: &str) -> Resp {
    let Some(repo) = st.repo_mut(rt, id) else {
        return err(HubError::repo_not_found());
    };
    if !repo.can_write(user) {
        return no_write(repo, user);
    }
    if ctx.method == axum::http::Method::DELETE {
        if name == "main" {
            return Resp::error(403, None, "You cannot delete the default branch.");
        }
        return match repo.branches.remove(name) {
            Some(_) => Resp::json(200, &json!({})),
            None => err(HubError::revision_not_found(name)),
        };
    }
    if !valid_ref_name(name) {
        return Resp::error(400, None, &format!("Invalid reference for a branch: {name}"));
    }
    if repo.branches.contains_key(name) {
        return Resp::error(409, None, "Reference already exists");
    }
    let v = ctx.json_body().unwrap_or(Value::Null);
    let start = v["startingPoint"].as_str().unwrap_or("main");
    let Some(commit) = repo.resolve(start) else {
        return err(HubError::revision_not_found(start));
    };
    repo.branches.insert(name.to_string(), commit);
    Resp::json(200, &json!({}))
}

pub(crate) fn tag(st: &mut State, ctx: &Ctx, user: Option<&User>, rt: RepoType, id: &str, rev_or_tag: &str) -> Resp {
    let Some(repo) = st.repo_mut(rt, id) else {
        return err(HubError::repo_not_found());
    };
    if !repo.can_write(user) {
        return no_write(repo, user);
    }
    if ctx.method == axum::http::Method::DELETE {
        return match repo.tags.remove(rev_or_tag) {
            Some(_) => Resp::json(200, &json!({})),
            None => err(HubError::revision_not_found(rev_or_tag)),
        };
    }
    let v = ctx.json_body().unwrap_or(Value::Null);
    let Some(tag) = v["tag"].as_str().filter(|t| valid_ref_name(t)) else {
        return Resp::error(400, None, "Invalid tag name");
    };
    if repo.tags.contains_key(tag) {
        return Resp::error(409, None, "Tag already exists");
    }
    let Some(commit) = repo.resolve(rev_or_tag) else {
        return err(HubError::revision_not_found(rev_or_tag));
    };
    repo.tags.insert(tag.to_string(), commit);
    Resp::json(200, &json!({}))
}

pub(crate) fn settings(st: &mut State, ctx: &Ctx, user: Option<&User>, rt: RepoType, id: &str) -> Resp {
    let Some(repo) = st.repo_mut(rt, id) else {
        return err(HubError::repo_not_found());
    };
    if !repo.can_write(user) {
        return no_write(repo, user);
    }
    let v = match ctx.json_body() {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    match &v["gated"] {
        Value::String(_) => repo.access = Access::Gated,
        Value::Bool(false) if repo.access == Access::Gated => repo.access = Access::Public,
        _ => {}
    }
    let private = v["visibility"].as_str().map(|s| s != "public").or_else(|| v["private"].as_bool());
    match private {
        Some(true) => repo.access = Access::Private,
        Some(false) if repo.access == Access::Private => repo.access = Access::Public,
        _ => {}
    }
    Resp::json(200, &json!({}))
}

/// Where the LFS upload URLs point: [`crate::EmulatorOptions::upload_base`], else the CDN origin.
fn upload_base(sh: &crate::server::Shared) -> &str {
    sh.opts.upload_base.as_deref().unwrap_or(&sh.cdn_url).trim_end_matches('/')
}
