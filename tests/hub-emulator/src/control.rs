//! `/_emulator/*`: the JSON control API for tests written in other languages (not logged).

use std::path::Path;

use axum::http::Method;
use base64::Engine;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::model::{HubError, Op, RepoType, Target};
use crate::server::{read_dir_files, Resp, Shared};
use crate::util::{parse_query, query_get};
use crate::{Access, Fault};

#[derive(Deserialize)]
struct UserReq {
    token: String,
    name: String,
    #[serde(default)]
    orgs: Vec<String>,
}

#[derive(Deserialize)]
struct RepoReq {
    #[serde(rename = "type", default)]
    rtype: String,
    id: String,
    #[serde(default = "public")]
    access: Access,
}

fn public() -> Access {
    Access::Public
}

#[derive(Deserialize)]
struct FileReq {
    path: String,
    #[serde(default)]
    content_b64: Option<String>,
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
struct CommitReq {
    #[serde(rename = "type", default)]
    rtype: String,
    id: String,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    files: Vec<FileReq>,
    #[serde(default)]
    deletes: Vec<String>,
}

#[derive(Deserialize)]
struct GrantReq {
    #[serde(rename = "type", default)]
    rtype: String,
    id: String,
    user: String,
}

#[derive(Deserialize)]
struct RefReq {
    #[serde(rename = "type", default)]
    rtype: String,
    id: String,
    #[serde(alias = "tag", alias = "branch")]
    name: String,
    #[serde(default, alias = "from", alias = "from_rev")]
    rev: Option<String>,
}

#[derive(Deserialize)]
struct RenameReq {
    #[serde(rename = "type", default)]
    rtype: String,
    from: String,
    to: String,
}

#[derive(Deserialize)]
struct LoadReq {
    #[serde(rename = "type", default)]
    rtype: String,
    id: String,
    dir: String,
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, Resp> {
    serde_json::from_slice(body).map_err(|e| Resp::error(400, None, &format!("bad request: {e}")))
}

fn rtype(s: &str) -> Result<RepoType, Resp> {
    RepoType::parse(s).ok_or_else(|| Resp::error(400, None, &format!("unknown repo type {s:?}")))
}

fn decode_files(files: Vec<FileReq>) -> Result<Vec<Op>, Resp> {
    files
        .into_iter()
        .map(|f| {
            let data = match (f.content_b64, f.content) {
                (Some(b), _) => base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .map_err(|e| Resp::error(400, None, &format!("bad base64 for {}: {e}", f.path)))?,
                (None, Some(t)) => t.into_bytes(),
                (None, None) => Vec::new(),
            };
            Ok(Op::Add { path: f.path, data: Bytes::from(data), lfs: None })
        })
        .collect()
}

fn hub_err(e: HubError) -> Resp {
    Resp::from_err(&e)
}

pub(crate) fn route(sh: &Shared, method: &Method, path: &str, query: Option<&str>, body: &[u8]) -> Resp {
    match route_inner(sh, method, path, query, body) {
        Ok(r) | Err(r) => r,
    }
}

fn route_inner(sh: &Shared, method: &Method, path: &str, query: Option<&str>, body: &[u8]) -> Result<Resp, Resp> {
    let ok = || Resp::json(200, &json!({"ok": true}));
    let what = path.trim_start_matches("/_emulator/").trim_end_matches('/');
    match (method.as_str(), what) {
        ("GET", "info") => Ok(Resp::json(200, &json!({"hub": sh.hub_url, "cdn": sh.cdn_url}))),
        ("GET", "requests") => {
            let log = sh.log_snapshot();
            Ok(Resp::json(200, &serde_json::to_value(log).unwrap_or(Value::Null)))
        }
        ("DELETE", "requests") => {
            sh.log_clear();
            Ok(ok())
        }
        ("POST", "faults") => {
            let f: Fault = parse(body)?;
            sh.add_fault(f);
            Ok(ok())
        }
        ("DELETE", "faults") => {
            sh.faults.lock().unwrap_or_else(|e| e.into_inner()).clear();
            Ok(ok())
        }
        ("POST", "users") => {
            let u: UserReq = parse(body)?;
            sh.add_user(&u.token, &u.name, u.orgs);
            Ok(ok())
        }
        ("POST", "repos") => {
            let r: RepoReq = parse(body)?;
            sh.create_repo(rtype(&r.rtype)?, &r.id, r.access);
            Ok(ok())
        }
        ("POST", "commit") => {
            let c: CommitReq = parse(body)?;
            let rt = rtype(&c.rtype)?;
            let mut ops = decode_files(c.files)?;
            for d in c.deletes {
                ops.push(if d.ends_with('/') { Op::DeleteFolder(d) } else { Op::DeleteFile(d) });
            }
            let target = Target::Branch { name: c.branch.unwrap_or_else(|| "main".into()), create: true };
            let msg = c.message.unwrap_or_else(|| "Update".into());
            let out = sh.state().commit(rt, &c.id, target, None, ops, &msg, "", "emulator").map_err(hub_err)?;
            Ok(Resp::json(200, &json!({"commit": out.commit})))
        }
        ("POST", "pr") => {
            let c: CommitReq = parse(body)?;
            let rt = rtype(&c.rtype)?;
            let ops = decode_files(c.files)?;
            let msg = c.message.unwrap_or_else(|| "Pull request".into());
            let out =
                sh.state().commit(rt, &c.id, Target::NewPr(None), None, ops, &msg, "", "emulator").map_err(hub_err)?;
            Ok(Resp::json(200, &json!({"num": out.pr, "commit": out.commit})))
        }
        ("POST", "grant") => {
            let g: GrantReq = parse(body)?;
            let rt = rtype(&g.rtype)?;
            let mut st = sh.state();
            let repo = st.repo_mut(rt, &g.id).ok_or_else(|| hub_err(HubError::repo_not_found()))?;
            repo.granted.insert(g.user);
            Ok(ok())
        }
        ("POST", kind @ ("branch" | "tag")) => {
            let r: RefReq = parse(body)?;
            let rev = r.rev.unwrap_or_else(|| "main".into());
            sh.create_ref(rtype(&r.rtype)?, &r.id, &r.name, &rev, kind == "tag").map_err(hub_err)?;
            Ok(ok())
        }
        ("POST", "rename") => {
            let r: RenameReq = parse(body)?;
            sh.state().rename_repo(rtype(&r.rtype)?, &r.from, &r.to).map_err(hub_err)?;
            Ok(ok())
        }
        ("POST", "load") => {
            let l: LoadReq = parse(body)?;
            let files = read_dir_files(Path::new(&l.dir))
                .map_err(|e| Resp::error(400, None, &format!("cannot read {}: {e}", l.dir)))?;
            let commit = sh.load_files(rtype(&l.rtype)?, &l.id, files);
            Ok(Resp::json(200, &json!({"commit": commit})))
        }
        ("GET", "resolve") => {
            let q = parse_query(query);
            let rt = rtype(query_get(&q, "type").unwrap_or("model"))?;
            let id = query_get(&q, "id").unwrap_or_default();
            let rev = query_get(&q, "rev").unwrap_or("main");
            let st = sh.state();
            let commit = st.repo(rt, id).and_then(|r| r.resolve(rev));
            Ok(Resp::json(200, &json!({"commit": commit})))
        }
        // Forget an LFS object (stored, half-uploaded or refused), so that the next upload of the same
        // bytes is sent again and a long benchmark does not keep every GiB it uploaded in memory.
        ("DELETE", w) if w.starts_with("lfs/") => {
            let oid = w["lfs/".len()..].to_ascii_lowercase();
            let mut st = sh.state();
            let existed = st.lfs.remove(&oid).is_some() | st.parts.remove(&oid).is_some();
            st.bad_uploads.remove(&oid);
            Ok(Resp::json(200, &json!({"ok": true, "existed": existed})))
        }
        ("POST", "seed-demo") => Ok(Resp::json(200, &json!({"commit": sh.seed_demo()}))),
        _ => Err(Resp::not_found()),
    }
}
