//! Hub origin: auth, repo routing, `/resolve`, and the read-only JSON API.

use base64::Engine;
use bytes::Bytes;
use serde_json::{json, Map, Value};

use crate::model::{CommitObj, Denied, HubError, Lookup, Repo, RepoType, State, User};
use crate::server::{Ctx, Resp, Shared};
use crate::util::{iso8601, object_id, pct_decode, pct_encode, query_bool, query_get};
use crate::Access;

const API_KEYWORDS: &[&str] = &[
    "revision",
    "tree",
    "refs",
    "commits",
    "preupload",
    "commit",
    "branch",
    "tag",
    "paths-info",
    "auth-check",
    "settings",
    "xet-read-token",
    "xet-write-token",
    "lfs-files",
    "discussions",
];

pub(crate) fn route(sh: &Shared, ctx: &Ctx) -> Resp {
    let mut st = sh.state();
    let user = match authenticate(&st, ctx) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let user = user.as_ref();
    let segs: Vec<&str> = ctx.raw_path.split('/').skip(1).collect();
    match segs.as_slice() {
        ["api", "whoami-v2"] => whoami(user),
        ["api", "agent-harnesses"] => Resp::json(200, &json!({"standardEnvVars": [], "harnesses": {}})),
        ["api", "validate-yaml"] => Resp::json(200, &json!({"errors": [], "warnings": []})),
        ["api", "repos", "create"] => crate::upload::create_repo(sh, &mut st, ctx, user),
        ["api", "repos", "delete"] => crate::upload::delete_repo(&mut st, ctx, user),
        ["api", "repos", "move"] => crate::upload::move_repo(&mut st, ctx, user),
        ["api", "complete_multipart"] => crate::upload::complete_multipart(&mut st, ctx),
        ["api", t, ..] if RepoType::from_plural(t).is_some() => {
            let rt = RepoType::from_plural(t).unwrap_or(RepoType::Model);
            api_repo(sh, &mut st, ctx, user, rt, &segs)
        }
        _ => web(sh, &mut st, ctx, user, &segs),
    }
}

/// `Ok(None)` = anonymous; an unknown token is a 401 on every endpoint.
fn authenticate(st: &State, ctx: &Ctx) -> Result<Option<User>, Resp> {
    let Some(h) = ctx.header("authorization") else {
        return Ok(None);
    };
    let token = match h.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => t.trim(),
        _ => "",
    };
    match st.user_by_token(token) {
        Some(u) if !token.is_empty() => Ok(Some(u.clone())),
        _ => Err(Resp::error(401, None, "Invalid credentials in Authorization header")),
    }
}

fn whoami(user: Option<&User>) -> Resp {
    let Some(u) = user else {
        return Resp::error(401, None, "Invalid username or password.");
    };
    let orgs: Vec<Value> = u
        .orgs
        .iter()
        .map(|o| {
            json!({
                "type": "org",
                "name": o,
                "fullname": o,
                "id": object_id(&format!("org/{o}")),
                "email": null,
                "canPay": false,
                "isEnterprise": false,
                "avatarUrl": format!("/avatars/{}.svg", object_id(o)),
                "roleInOrg": "write",
            })
        })
        .collect();
    Resp::json(
        200,
        &json!({
            "type": "user",
            "id": object_id(&format!("user/{}", u.name)),
            "name": u.name,
            "fullname": u.name,
            "email": format!("{}@example.com", u.name),
            "emailVerified": true,
            "isPro": false,
            "canPay": false,
            "periodEnd": null,
            "avatarUrl": format!("/avatars/{}.svg", object_id(&u.name)),
            "orgs": orgs,
            "auth": {
                "type": "access_token",
                "accessToken": {
                    "displayName": format!("token-{}", u.name),
                    "role": "write",
                    "createdAt": "2024-01-01T00:00:00.000Z",
                },
            },
        }),
    )
}

/// Splits `segs[base..]` into a repo id (one or two segments) and the rest. Prefers an id that
/// exists (or was renamed); otherwise the first id whose rest is valid.
pub(crate) fn split_repo(
    st: &State,
    rt: RepoType,
    segs: &[&str],
    base: usize,
    git_suffix: bool,
    valid_rest: impl Fn(&[&str]) -> bool,
) -> Option<(String, usize)> {
    let mut first = None;
    for n in [2usize, 1] {
        if base + n > segs.len() || !valid_rest(&segs[base + n..]) {
            continue;
        }
        let parts: Vec<String> = segs[base..base + n].iter().map(|s| pct_decode(s)).collect();
        if parts.iter().any(String::is_empty) {
            continue;
        }
        let mut id = parts.join("/");
        if git_suffix {
            match id.strip_suffix(".git") {
                Some(s) => id = s.to_string(),
                None => continue,
            }
        }
        if !matches!(st.lookup(rt, &id), Lookup::Missing) {
            return Some((id, base + n));
        }
        first.get_or_insert((id, base + n));
    }
    first
}

/// The access check plus rename handling; `Ok(())` = the repo exists and can be read.
pub(crate) fn open_repo(
    sh: &Shared,
    st: &State,
    ctx: &Ctx,
    user: Option<&User>,
    rt: RepoType,
    id: &str,
    at: &RepoSpan<'_>,
) -> Result<(), Resp> {
    match st.lookup(rt, id) {
        Lookup::Missing => Err(Resp::from_err(&HubError::repo_not_found())),
        Lookup::Moved(new_id) => Err(moved(ctx, at, &new_id)),
        Lookup::Found => {
            let repo = st.repo(rt, id).ok_or_else(|| Resp::from_err(&HubError::repo_not_found()))?;
            repo.check_read(user).map_err(|d| denied(sh, repo, d))
        }
    }
}

pub(crate) fn denied(sh: &Shared, repo: &Repo, d: Denied) -> Resp {
    let kind = repo.rtype.as_str();
    let id = &repo.id;
    match d {
        Denied::NotFound => Resp::from_err(&HubError::repo_not_found()),
        Denied::GatedAnonymous => Resp::error(
            401,
            Some("GatedRepo"),
            &format!(
                "Access to {kind} {id} is restricted. You must have access to it and be authenticated to access it. Please log in."
            ),
        ),
        Denied::GatedNoAccess => Resp::error(
            403,
            Some("GatedRepo"),
            &format!(
                "Access to {kind} {id} is restricted and you are not in the authorized list. Visit {}/{}{id} to ask for access.",
                sh.hub_url,
                repo.rtype.url_prefix()
            ),
        ),
        Denied::Disabled => Resp::error(403, None, "Access to this resource is disabled."),
    }
}

/// Where the repo id sits in the path: `segs[start..end]`, plus a suffix (`.git`).
pub(crate) struct RepoSpan<'a> {
    pub segs: &'a [&'a str],
    pub start: usize,
    pub end: usize,
    pub suffix: &'static str,
}

/// 307 with a relative Location: the same path with the new repo id.
fn moved(ctx: &Ctx, at: &RepoSpan<'_>, new_id: &str) -> Resp {
    let mut parts: Vec<String> = at.segs[..at.start].iter().map(|s| s.to_string()).collect();
    parts.push(format!("{new_id}{}", at.suffix));
    parts.extend(at.segs[at.end..].iter().map(|s| s.to_string()));
    let mut loc = format!("/{}", parts.join("/"));
    if let Some(q) = &ctx.query {
        loc.push('?');
        loc.push_str(q);
    }
    Resp::text(307, &format!("Temporary Redirect. Redirecting to {loc}")).header("location", loc)
}

/// Reads a revision segment; an unencoded `refs/x/y` spans three segments.
pub(crate) fn take_rev<'a, 'b>(rest: &'a [&'b str]) -> Option<(String, &'a [&'b str])> {
    let first = pct_decode(rest.first()?);
    if first == "refs" && rest.len() >= 3 {
        let rev = format!("refs/{}/{}", pct_decode(rest[1]), pct_decode(rest[2]));
        return Some((rev, &rest[3..]));
    }
    Some((first, &rest[1..]))
}

fn join_path(segs: &[&str]) -> String {
    segs.iter().map(|s| pct_decode(s)).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("/")
}

fn api_repo(sh: &Shared, st: &mut State, ctx: &Ctx, user: Option<&User>, rt: RepoType, segs: &[&str]) -> Resp {
    let valid = |rest: &[&str]| match rest.first() {
        None => true,
        Some(&"") => rest.len() == 1,
        Some(k) => API_KEYWORDS.contains(k),
    };
    let Some((id, end)) = split_repo(st, rt, segs, 2, false, valid) else {
        return Resp::not_found();
    };
    if let Err(r) = open_repo(sh, st, ctx, user, rt, &id, &RepoSpan { segs, start: 2, end, suffix: "" }) {
        return r;
    }
    let rest = &segs[end..];
    let get = ctx.is_get_or_head();
    let method = ctx.method.as_str();
    let Some(repo) = st.repo(rt, &id) else {
        return Resp::from_err(&HubError::repo_not_found());
    };
    match (rest.first().copied(), method) {
        (None | Some(""), _) if get => repo_info(sh, repo, None, ctx),
        (Some("revision"), _) if get => match take_rev(&rest[1..]) {
            Some((rev, _)) => repo_info(sh, repo, Some(&rev), ctx),
            None => Resp::not_found(),
        },
        (Some("tree"), _) if get => match take_rev(&rest[1..]) {
            Some((rev, path)) => tree(sh, repo, ctx, &rev, &join_path(path)),
            None => Resp::not_found(),
        },
        (Some("refs"), _) if get => refs(repo, ctx),
        (Some("commits"), _) if get => match take_rev(&rest[1..]) {
            Some((rev, _)) => commits(sh, repo, ctx, &rev),
            None => commits(sh, repo, ctx, "main"),
        },
        (Some("paths-info"), "POST") => match take_rev(&rest[1..]) {
            Some((rev, _)) => paths_info(repo, ctx, &rev),
            None => Resp::not_found(),
        },
        (Some("auth-check"), _) if get => Resp::json(200, &json!({})),
        (Some("preupload"), "POST") => match take_rev(&rest[1..]) {
            Some((rev, _)) => crate::upload::preupload(repo, ctx, user, &rev),
            None => Resp::not_found(),
        },
        (Some("commit"), "POST") => match take_rev(&rest[1..]) {
            Some((rev, _)) => crate::upload::commit(sh, st, ctx, user, rt, &id, &rev),
            None => Resp::not_found(),
        },
        (Some("branch"), "POST" | "DELETE") if rest.len() >= 2 => {
            let name = join_path(&rest[1..]);
            crate::upload::branch(st, ctx, user, rt, &id, &name)
        }
        (Some("tag"), "POST" | "DELETE") if rest.len() >= 2 => {
            let name = join_path(&rest[1..]);
            crate::upload::tag(st, ctx, user, rt, &id, &name)
        }
        (Some("settings"), "PUT") => crate::upload::settings(st, ctx, user, rt, &id),
        _ => Resp::not_found(),
    }
}

fn web(sh: &Shared, st: &mut State, ctx: &Ctx, user: Option<&User>, segs: &[&str]) -> Resp {
    let (rt, base) = match segs.first() {
        Some(&"datasets") => (RepoType::Dataset, 1),
        Some(&"spaces") => (RepoType::Space, 1),
        _ => (RepoType::Model, 0),
    };
    let is_lfs_api = |rest: &[&str]| {
        rest.len() == 4 && rest[..3] == ["info", "lfs", "objects"] && matches!(rest[3], "batch" | "verify")
    };
    if let Some((id, end)) = split_repo(st, rt, segs, base, true, is_lfs_api) {
        if ctx.method != axum::http::Method::POST {
            return Resp::method_not_allowed();
        }
        if let Err(r) = open_repo(sh, st, ctx, user, rt, &id, &RepoSpan { segs, start: base, end, suffix: ".git" }) {
            return r;
        }
        return match segs[end + 3] {
            "batch" => crate::upload::lfs_batch(sh, st, ctx, user, rt, &id),
            _ => crate::upload::lfs_verify(st, ctx),
        };
    }
    let is_resolve = |rest: &[&str]| rest.len() >= 3 && rest[0] == "resolve";
    if let Some((id, end)) = split_repo(st, rt, segs, base, false, is_resolve) {
        if !ctx.is_get_or_head() {
            return Resp::method_not_allowed();
        }
        if let Err(r) = open_repo(sh, st, ctx, user, rt, &id, &RepoSpan { segs, start: base, end, suffix: "" }) {
            return r;
        }
        let Some(repo) = st.repo(rt, &id) else {
            return Resp::from_err(&HubError::repo_not_found());
        };
        let Some((rev, path)) = take_rev(&segs[end + 1..]) else {
            return Resp::not_found();
        };
        let path = path.iter().map(|s| pct_decode(s)).collect::<Vec<_>>().join("/");
        return resolve_file(sh, repo, ctx, &rev, &path);
    }
    Resp::not_found()
}

fn resolve_commit<'r>(repo: &'r Repo, rev: &str) -> Result<&'r CommitObj, Resp> {
    repo.resolve(rev)
        .and_then(|c| repo.commits.get(&c))
        .ok_or_else(|| Resp::from_err(&HubError::revision_not_found(rev)))
}

fn content_disposition(kind: &str, path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    format!("{kind}; filename*=UTF-8''{}; filename=\"{ascii}\";", pct_encode(name, false))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("json") => "application/json",
        Some("md" | "txt" | "csv" | "py" | "yaml" | "yml" | "gitattributes") => "text/plain; charset=utf-8",
        _ if path.ends_with(".gitattributes") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn resolve_file(sh: &Shared, repo: &Repo, ctx: &Ctx, rev: &str, path: &str) -> Resp {
    let commit = match resolve_commit(repo, rev) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(entry) = commit.files.get(path) else {
        return Resp::from_err(&HubError::entry_not_found(Some(commit.id.clone())));
    };
    if let Some(lfs) = &entry.lfs {
        let base = sh.opts.cdn_base.as_deref().unwrap_or(&sh.cdn_url).trim_end_matches('/');
        let location = format!(
            "{base}/repos/{}/{}?X-Amz-Signature=fakesig&response-content-disposition=attachment",
            repo.id, lfs.sha256
        );
        return Resp::text(302, &format!("Found. Redirecting to {location}"))
            .header("location", location)
            .header("etag", format!("\"{}\"", entry.oid))
            .header("x-linked-etag", format!("\"{}\"", lfs.sha256))
            .header("x-linked-size", entry.size.to_string())
            .header("x-repo-commit", commit.id.clone());
    }
    let headers = vec![
        ("content-type".to_string(), content_type(path).to_string()),
        ("etag".to_string(), format!("\"{}\"", entry.oid)),
        ("x-repo-commit".to_string(), commit.id.clone()),
        ("content-disposition".to_string(), content_disposition("inline", path)),
    ];
    serve_bytes(ctx, &entry.data, headers)
}

enum RangeReq {
    Full,
    Part(usize, usize),
    Unsatisfiable,
}

fn parse_range(header: Option<&str>, total: usize) -> RangeReq {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
        return RangeReq::Full;
    };
    if spec.contains(',') {
        return RangeReq::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeReq::Full;
    };
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        let Ok(suffix) = b.parse::<usize>() else {
            return RangeReq::Full;
        };
        if suffix == 0 || total == 0 {
            return RangeReq::Unsatisfiable;
        }
        return RangeReq::Part(total.saturating_sub(suffix), total - 1);
    }
    let Ok(start) = a.parse::<usize>() else {
        return RangeReq::Full;
    };
    let end = if b.is_empty() {
        usize::MAX
    } else {
        match b.parse::<usize>() {
            Ok(e) if e >= start => e,
            _ => return RangeReq::Full,
        }
    };
    if start >= total {
        return RangeReq::Unsatisfiable;
    }
    RangeReq::Part(start, end.min(total - 1))
}

/// 200 / 206 / 416 for `data`, honouring `Range` (unless the IgnoreRange fault is active).
pub(crate) fn serve_bytes(ctx: &Ctx, data: &Bytes, headers: Vec<(String, String)>) -> Resp {
    let total = data.len();
    let range = if ctx.ignore_range { RangeReq::Full } else { parse_range(ctx.header("range"), total) };
    let mut r = match range {
        RangeReq::Full => Resp::new(200).body(data.clone()),
        RangeReq::Part(s, e) => {
            Resp::new(206).body(data.slice(s..=e)).header("content-range", format!("bytes {s}-{e}/{total}"))
        }
        RangeReq::Unsatisfiable => {
            return Resp::new(416)
                .header("content-type", "text/plain; charset=utf-8")
                .header("content-range", format!("bytes */{total}"))
                .body(Bytes::from_static(b"Range Not Satisfiable"))
        }
    };
    r.headers.extend(headers);
    r.header("accept-ranges", "bytes")
}

fn gated_value(repo: &Repo) -> Value {
    if repo.access == Access::Gated {
        json!("manual")
    } else {
        json!(false)
    }
}

fn repo_info(sh: &Shared, repo: &Repo, rev: Option<&str>, ctx: &Ctx) -> Resp {
    let commit = match resolve_commit(repo, rev.unwrap_or("main")) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let q = ctx.query_pairs();
    let blobs = query_bool(&q, "blobs");
    let siblings: Vec<Value> = commit
        .files
        .iter()
        .map(|(p, f)| {
            let mut s = json!({ "rfilename": p });
            if blobs {
                s["size"] = json!(f.size);
                s["blobId"] = json!(f.oid);
                if let Some(l) = &f.lfs {
                    s["lfs"] = json!({"sha256": l.sha256, "size": f.size, "pointerSize": l.pointer_size});
                }
            }
            s
        })
        .collect();
    let used: u64 = commit.files.values().map(|f| f.size).sum();
    let mut info = json!({
        "_id": repo.object_id,
        "id": repo.id,
        "author": repo.namespace(),
        "sha": commit.id,
        "lastModified": iso8601(commit.date),
        "createdAt": iso8601(repo.created_at),
        "private": repo.access == Access::Private,
        "gated": gated_value(repo),
        "disabled": repo.access == Access::Disabled,
        "downloads": 0,
        "likes": 0,
        "tags": [],
        "siblings": siblings,
        "usedStorage": used,
        "xetEnabled": false,
    });
    match repo.rtype {
        RepoType::Model => info["modelId"] = json!(repo.id),
        RepoType::Space => info["sdk"] = json!("static"),
        RepoType::Dataset => {}
    }
    let expand: Vec<&str> =
        q.iter().filter(|(k, _)| k == "expand" || k == "expand[]").map(|(_, v)| v.as_str()).collect();
    if !expand.is_empty() {
        let mut out = Map::new();
        for k in ["_id", "id"].into_iter().chain(expand) {
            if let Some(v) = info.get(k) {
                out.insert(k.to_string(), v.clone());
            }
        }
        info = Value::Object(out);
    } else {
        info.as_object_mut().map(|o| o.remove("xetEnabled"));
    }
    let _ = sh;
    Resp::json(200, &info)
}

fn entry_json(repo: &Repo, commit: &CommitObj, path: &str, is_dir: bool, expand: bool) -> Value {
    let mut v = if is_dir {
        json!({
            "type": "directory",
            "oid": commit.dirs.get(path).cloned().unwrap_or_default(),
            "size": 0,
            "path": path,
        })
    } else {
        let Some(f) = commit.files.get(path) else {
            return Value::Null;
        };
        let mut v = json!({"type": "file", "oid": f.oid, "size": f.size, "path": path});
        if let Some(l) = &f.lfs {
            v["lfs"] = json!({"oid": l.sha256, "size": f.size, "pointerSize": l.pointer_size});
        }
        v
    };
    if expand {
        if let Some(c) = repo.last_commit_for(&commit.id, path, is_dir) {
            v["lastCommit"] = json!({"id": c.id, "title": c.title, "date": iso8601(c.date)});
        }
        if !is_dir {
            v["securityFileStatus"] = json!({
                "status": "safe",
                "avScan": {"status": "safe", "virusNames": null},
                "pickleImportScan": {"status": "unscanned", "highestSafetyLevel": null, "imports": []},
            });
        }
    }
    v
}

fn decode_cursor(q: &[(String, String)]) -> usize {
    query_get(q, "cursor")
        .and_then(|c| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(c).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("offset:").and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// `Link: <abs url with cursor>; rel="next"` for the next page.
fn next_link(sh: &Shared, ctx: &Ctx, offset: usize) -> String {
    let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"));
    let mut parts: Vec<&str> =
        ctx.query.as_deref().unwrap_or("").split('&').filter(|p| !p.is_empty() && !p.starts_with("cursor=")).collect();
    let c = format!("cursor={cursor}");
    parts.push(&c);
    format!("<{}{}?{}>; rel=\"next\"", sh.hub_url, ctx.raw_path, parts.join("&"))
}

fn paginate(sh: &Shared, ctx: &Ctx, items: Vec<Value>, page: usize) -> Resp {
    let q = ctx.query_pairs();
    let offset = decode_cursor(&q).min(items.len());
    let end = (offset + page.max(1)).min(items.len());
    let more = end < items.len();
    let page_items: Vec<Value> = items[offset..end].to_vec();
    let mut r = Resp::json(200, &Value::Array(page_items));
    if more {
        r = r.header("link", next_link(sh, ctx, end));
    }
    r
}

fn tree(sh: &Shared, repo: &Repo, ctx: &Ctx, rev: &str, path: &str) -> Resp {
    let commit = match resolve_commit(repo, rev) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !path.is_empty() && !commit.dirs.contains_key(path) {
        return Resp::from_err(&HubError::entry_not_found(None));
    }
    let q = ctx.query_pairs();
    let recursive = query_bool(&q, "recursive");
    let expand = query_bool(&q, "expand");
    let prefix = if path.is_empty() { String::new() } else { format!("{path}/") };
    let wanted = |p: &str| -> bool {
        match p.strip_prefix(prefix.as_str()) {
            Some(rest) if !rest.is_empty() => recursive || !rest.contains('/'),
            _ => false,
        }
    };
    let mut entries: Vec<(&str, bool)> = commit
        .dirs
        .keys()
        .filter(|d| wanted(d))
        .map(|d| (d.as_str(), true))
        .chain(commit.files.keys().filter(|f| wanted(f)).map(|f| (f.as_str(), false)))
        .collect();
    entries.sort();
    let items = entries.into_iter().map(|(p, d)| entry_json(repo, commit, p, d, expand)).collect();
    let page = sh.opts.tree_page_size.unwrap_or(if expand { 50 } else { 1000 });
    paginate(sh, ctx, items, page)
}

fn refs(repo: &Repo, ctx: &Ctx) -> Resp {
    let q = ctx.query_pairs();
    let r = |kind: &str, name: &str, c: &str| json!({"name": name, "ref": format!("refs/{kind}/{name}"), "targetCommit": c});
    let mut v = json!({
        "branches": repo.branches.iter().map(|(n, c)| r("heads", n, c)).collect::<Vec<_>>(),
        "tags": repo.tags.iter().map(|(n, c)| r("tags", n, c)).collect::<Vec<_>>(),
        "converts": [],
    });
    if query_bool(&q, "include_prs") {
        v["pullRequests"] = repo.prs.iter().map(|(n, c)| r("pr", &n.to_string(), c)).collect();
    }
    Resp::json(200, &v)
}

fn commits(sh: &Shared, repo: &Repo, ctx: &Ctx, rev: &str) -> Resp {
    let commit = match resolve_commit(repo, rev) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let q = ctx.query_pairs();
    let formatted = q.iter().any(|(k, v)| (k == "expand" || k == "expand[]") && v == "formatted");
    let items = repo
        .first_parent_chain(&commit.id)
        .into_iter()
        .map(|c| {
            let mut v = json!({
                "id": c.id,
                "title": c.title,
                "message": c.message,
                "date": iso8601(c.date),
                "authors": [{"user": c.author, "avatar": format!("/avatars/{}.svg", object_id(&c.author))}],
            });
            if formatted {
                v["formatted"] = json!({"title": c.title, "message": c.message});
            }
            v
        })
        .collect();
    paginate(sh, ctx, items, sh.opts.tree_page_size.unwrap_or(50))
}

fn paths_info(repo: &Repo, ctx: &Ctx, rev: &str) -> Resp {
    let commit = match resolve_commit(repo, rev) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let is_json = ctx.header("content-type").is_some_and(|c| c.contains("json"));
    let (paths, expand): (Vec<String>, bool) = if is_json {
        let v: Value = serde_json::from_slice(&ctx.body).unwrap_or(Value::Null);
        let paths = v["paths"]
            .as_array()
            .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        (paths, v["expand"].as_bool().unwrap_or(false))
    } else {
        let body = String::from_utf8_lossy(&ctx.body).into_owned();
        let pairs = crate::util::parse_query(Some(&body));
        let paths = pairs.iter().filter(|(k, _)| k == "paths" || k == "paths[]").map(|(_, v)| v.clone()).collect();
        (paths, query_bool(&pairs, "expand"))
    };
    if paths.len() > 1000 {
        return Resp::error(413, None, "too many parameters");
    }
    let mut out = Vec::new();
    for p in paths {
        let p = p.trim_matches('/').to_string();
        if commit.files.contains_key(&p) {
            out.push(entry_json(repo, commit, &p, false, expand));
        } else if !p.is_empty() && commit.dirs.contains_key(&p) {
            out.push(entry_json(repo, commit, &p, true, expand));
        }
    }
    Resp::json(200, &Value::Array(out))
}
