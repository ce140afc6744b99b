//! Listeners, the per-request pipeline (faults, logging, request ids) and shared state.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::Router;
use bytes::Bytes;
use serde_json::Value;

use crate::model::{HubError, Lookup, RepoType, State, Target, User};
use crate::util::pct_decode;
use crate::{Access, EmulatorOptions, Fault, FaultAction, LoggedRequest, Origin};

pub(crate) struct FaultSlot {
    fault: Fault,
    remaining: Option<u32>,
}

pub(crate) struct Shared {
    pub state: Mutex<State>,
    /// (sequence number, entry)
    log: Mutex<Vec<(u64, LoggedRequest)>>,
    pub faults: Mutex<Vec<FaultSlot>>,
    pub hub_url: String,
    pub cdn_url: String,
    pub opts: EmulatorOptions,
    counter: AtomicU64,
}

type Spawned = (Arc<Shared>, tokio::sync::oneshot::Sender<()>, JoinHandle<()>);

pub(crate) fn spawn(opts: EmulatorOptions) -> Spawned {
    let bind = |port: u16, what: &str| {
        let l = std::net::TcpListener::bind(("127.0.0.1", port))
            .unwrap_or_else(|e| panic!("hub-emulator: cannot bind the {what} port {port}: {e}"));
        l.set_nonblocking(true).expect("set_nonblocking");
        l
    };
    let hub_l = bind(opts.hub_port, "hub");
    let cdn_l = bind(opts.cdn_port, "cdn");
    let port = |l: &std::net::TcpListener| l.local_addr().map(|a| a.port()).unwrap_or(0);
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        log: Mutex::new(Vec::new()),
        faults: Mutex::new(Vec::new()),
        hub_url: format!("http://127.0.0.1:{}", port(&hub_l)),
        cdn_url: format!("http://127.0.0.1:{}", port(&cdn_l)),
        opts,
        counter: AtomicU64::new(0),
    });
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let sh = shared.clone();
    let thread = std::thread::Builder::new()
        .name("hub-emulator".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("hub-emulator-worker")
                .enable_all()
                .build()
                .expect("tokio runtime");
            rt.block_on(async move {
                for (origin, l) in [(Origin::Hub, hub_l), (Origin::Cdn, cdn_l)] {
                    let listener = tokio::net::TcpListener::from_std(l).expect("listener");
                    let sh = sh.clone();
                    let app = Router::new().fallback(move |req: Request| {
                        let sh = sh.clone();
                        async move { handle(origin, sh, req).await }
                    });
                    tokio::spawn(async move {
                        let _ = axum::serve(listener, app).await;
                    });
                }
                let _ = rx.await;
            });
            rt.shutdown_timeout(Duration::from_secs(2));
        })
        .expect("spawn emulator thread");
    (shared, tx, thread)
}

/// What a route produces: the full GET answer (HEAD drops the body later).
pub(crate) struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Resp {
    pub(crate) fn new(status: u16) -> Self {
        Resp { status, headers: Vec::new(), body: Bytes::new() }
    }

    pub(crate) fn json(status: u16, v: &Value) -> Self {
        Resp::new(status).header("content-type", "application/json; charset=utf-8").body(Bytes::from(v.to_string()))
    }

    pub(crate) fn text(status: u16, s: &str) -> Self {
        Resp::new(status).header("content-type", "text/plain; charset=utf-8").body(Bytes::from(s.to_string()))
    }

    pub(crate) fn header(mut self, k: &str, v: impl Into<String>) -> Self {
        self.headers.push((k.to_string(), v.into()));
        self
    }

    pub(crate) fn body(mut self, b: Bytes) -> Self {
        self.body = b;
        self
    }

    /// `{"error": msg}` with `X-Error-Message` (and `X-Error-Code` when given).
    pub(crate) fn error(status: u16, code: Option<&str>, msg: &str) -> Self {
        let mut r = Resp::json(status, &serde_json::json!({ "error": msg }));
        if let Some(c) = code {
            r = r.header("x-error-code", c);
        }
        r.header("x-error-message", header_safe(msg))
    }

    pub(crate) fn from_err(e: &HubError) -> Self {
        let mut r = Resp::error(e.status, e.code, &e.message);
        if let Some(c) = &e.repo_commit {
            r = r.header("x-repo-commit", c.clone());
        }
        r
    }

    pub(crate) fn not_found() -> Self {
        Resp::error(404, None, "Sorry, we can't find the page you are looking for.")
    }

    pub(crate) fn method_not_allowed() -> Self {
        Resp::error(405, None, "Method not allowed")
    }
}

fn header_safe(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { '?' }).collect()
}

/// A parsed request handed to the routes.
pub(crate) struct Ctx {
    pub method: Method,
    pub raw_path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub ignore_range: bool,
}

impl Ctx {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub(crate) fn query_pairs(&self) -> Vec<(String, String)> {
        crate::util::parse_query(self.query.as_deref())
    }

    pub(crate) fn is_get_or_head(&self) -> bool {
        self.method == Method::GET || self.method == Method::HEAD
    }

    pub(crate) fn json_body(&self) -> Result<Value, HubError> {
        if self.body.is_empty() {
            return Ok(Value::Object(Default::default()));
        }
        serde_json::from_slice(&self.body).map_err(|e| HubError::bad_request(format!("Invalid JSON body: {e}")))
    }
}

pub(crate) async fn handle(origin: Origin, sh: Arc<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let raw_path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let method = parts.method.clone();
    let is_head = method == Method::HEAD;

    if origin == Origin::Hub && raw_path.starts_with("/_emulator/") {
        let resp = crate::control::route(&sh, &method, &raw_path, query.as_deref(), &body);
        return finish(resp, is_head, Shape::default());
    }

    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();

    let range = headers.iter().find(|(k, _)| k == "range").map(|(_, v)| v.as_str());
    let actions = sh.take_faults(origin, method.as_str(), &raw_path, query.as_deref(), range);
    let text_body = if !body.is_empty() && body.len() <= 1 << 20 {
        std::str::from_utf8(&body).ok().map(str::to_string)
    } else {
        None
    };
    let entry = LoggedRequest {
        origin,
        method: method.as_str().to_string(),
        path: raw_path.clone(),
        query: query.clone(),
        headers: headers.clone(),
        status: 0,
        body: text_body,
        body_len: body.len() as u64,
    };
    // With a delay, the request is logged (status 0) before waiting, and completed afterwards.
    let delayed = actions.iter().any(|a| matches!(a, FaultAction::Delay(_)));
    let mut pending = if delayed { Err(sh.log_push(entry)) } else { Ok(entry) };

    let mut status_fault = None;
    let mut custom: Option<Resp> = None;
    let mut drop_after = None;
    let mut throttle = None;
    let mut ignore_range = false;
    let mut omit = Vec::new();
    let mut corrupt = Vec::new();
    let mut redirect: Option<(u16, String)> = None;
    let mut short_body = None;
    let mut extra = 0u64;
    for a in &actions {
        match a {
            FaultAction::Delay(d) => tokio::time::sleep(*d).await,
            FaultAction::Status(s) => status_fault = status_fault.or(Some(*s)),
            FaultAction::DropAfterBytes(n) => drop_after = drop_after.or(Some(*n)),
            FaultAction::Throttle { bytes_per_sec } => throttle = throttle.or(Some(*bytes_per_sec)),
            FaultAction::IgnoreRange => ignore_range = true,
            FaultAction::OmitHeader(h) => omit.push(h.to_ascii_lowercase()),
            FaultAction::CorruptAt(at) => corrupt.push(*at),
            FaultAction::Redirect { status, location } => {
                redirect = redirect.or_else(|| Some((*status, location.clone())))
            }
            FaultAction::ShortBody(n) => short_body = short_body.or(Some(*n)),
            FaultAction::ExtraBytes(n) => extra += n,
            FaultAction::Respond { status, headers, body } => {
                if custom.is_none() {
                    let mut r = Resp::new(*status);
                    r.headers = headers.clone();
                    r.body = Bytes::from(body.clone());
                    custom = Some(r);
                }
            }
        }
    }

    let ctx = Ctx { method, raw_path, query, headers, body, ignore_range };
    let mut resp = match (custom, status_fault) {
        (Some(r), _) => r,
        (None, Some(s)) => Resp::error(s, None, &format!("Injected fault: status {s}")),
        (None, None) => match origin {
            Origin::Hub => crate::hub::route(&sh, &ctx),
            Origin::Cdn => crate::cdn::route(&sh, &ctx),
        },
    };
    if let Some((status, location)) = redirect {
        resp.status = status;
        resp.headers.retain(|(k, _)| {
            !matches!(k.to_ascii_lowercase().as_str(), "location" | "content-range" | "content-type" | "accept-ranges")
        });
        resp.headers.push(("content-type".into(), "text/plain; charset=utf-8".into()));
        resp.body = Bytes::from(format!("Found. Redirecting to {location}"));
        resp.headers.push(("location".into(), location));
    }
    if extra > 0 {
        let mut body = resp.body.to_vec();
        body.resize(body.len() + extra as usize, 0x5a);
        resp.body = Bytes::from(body);
    }
    resp.headers.retain(|(k, _)| !omit.contains(&k.to_ascii_lowercase()));
    if corrupt.iter().any(|&at| (at as usize) < resp.body.len()) {
        let mut body = resp.body.to_vec();
        for at in corrupt {
            if let Some(b) = body.get_mut(at as usize) {
                *b ^= 0xff;
            }
        }
        resp.body = Bytes::from(body);
    }
    if !omit.iter().any(|h| h == "x-request-id") {
        let n = sh.counter.fetch_add(1, Ordering::Relaxed);
        let id = format!("Root=1-{:08x}-{:024x}", crate::util::now_secs(), n + 1);
        resp.headers.push(("x-request-id".into(), id));
    }
    match &mut pending {
        Ok(entry) => {
            entry.status = resp.status;
            sh.log_push(entry.clone());
        }
        Err(seq) => sh.log_set_status(*seq, resp.status),
    }
    finish(resp, is_head, Shape { drop_after, throttle, short_body })
}

/// How a body is sent (faults): cut and aborted, throttled, or ended short of its length.
#[derive(Default)]
struct Shape {
    drop_after: Option<u64>,
    throttle: Option<u64>,
    short_body: Option<u64>,
}

fn finish(resp: Resp, is_head: bool, shape: Shape) -> Response {
    let len = resp.body.len();
    let Shape { drop_after, throttle, short_body } = shape;
    let body = if is_head {
        Body::empty()
    } else if let Some(n) = short_body.filter(|&n| (n as usize) < len) {
        stream_body(resp.body, throttle, Some(n), false)
    } else if drop_after.is_some() || throttle.is_some() {
        stream_body(resp.body, throttle, drop_after, true)
    } else {
        Body::from(resp.body)
    };
    let mut out = Response::new(body);
    *out.status_mut() = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = out.headers_mut();
    for (k, v) in resp.headers {
        if let (Ok(k), Ok(v)) = (HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(&v)) {
            h.append(k, v);
        }
    }
    let no_body_status = resp.status == 204 || resp.status == 304 || resp.status < 200;
    if !no_body_status {
        h.insert(axum::http::header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    out
}

enum StreamState {
    Sending { body: Bytes, off: usize, first: bool },
    Done,
}

/// A body sent in chunks: optionally throttled, optionally cut after N bytes: with an error (`abort`,
/// the connection is aborted) or by ending the stream short of its `Content-Length` (hyper then
/// closes the connection).
fn stream_body(body: Bytes, throttle: Option<u64>, cut_at: Option<u64>, abort: bool) -> Body {
    let limit = cut_at.map_or(body.len(), |n| (n as usize).min(body.len()));
    let chunk = throttle.map_or(64 * 1024, |bps| ((bps / 100).max(1)) as usize);
    let cut = cut_at.is_some_and(|n| (n as usize) < body.len());
    let stream =
        futures_util::stream::unfold(StreamState::Sending { body, off: 0, first: true }, move |st| async move {
            let StreamState::Sending { body, off, first } = st else {
                return None;
            };
            if off >= limit {
                if cut || abort {
                    // Let hyper flush what was sent so far; otherwise the bytes before the cut
                    // may never leave its write buffer.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                if abort {
                    let err = io::Error::new(io::ErrorKind::ConnectionAborted, "injected drop");
                    return Some((Err(err), StreamState::Done));
                }
                return None;
            }
            if throttle.is_some() && !first {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            let end = (off + chunk).min(limit);
            let piece = body.slice(off..end);
            Some((Ok::<Bytes, io::Error>(piece), StreamState::Sending { body, off: end, first: false }))
        });
    Body::from_stream(stream)
}

/// Walks `dir` recursively (skipping `.git`) → (relative path with `/`, bytes), sorted.
pub(crate) fn read_dir_files(dir: &Path) -> io::Result<Vec<(String, Vec<u8>)>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let path = entry.path();
            let name = entry.file_name();
            if name == ".git" {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if path.is_file() {
                let rel = path
                    .strip_prefix(root)
                    .map_err(io::Error::other)?
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((rel, std::fs::read(&path)?));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

fn fault_matches(
    f: &Fault,
    origin: Origin,
    method: &str,
    path: &str,
    query: Option<&str>,
    range: Option<&str>,
) -> bool {
    if f.origin.is_some_and(|o| o != origin) {
        return false;
    }
    if let Some(want) = &f.range_contains {
        if !range.is_some_and(|r| r.contains(want.as_str())) {
            return false;
        }
    }
    if f.method.as_ref().is_some_and(|m| !m.eq_ignore_ascii_case(method)) {
        return false;
    }
    if let Some(s) = &f.path_contains {
        let full = match query {
            Some(q) => format!("{path}?{q}"),
            None => path.to_string(),
        };
        if !(full.contains(s.as_str()) || pct_decode(path).contains(s.as_str())) {
            return false;
        }
    }
    true
}

impl Shared {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn take_faults(
        &self,
        origin: Origin,
        method: &str,
        path: &str,
        query: Option<&str>,
        range: Option<&str>,
    ) -> Vec<FaultAction> {
        let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        for slot in faults.iter_mut() {
            if slot.remaining == Some(0) || !fault_matches(&slot.fault, origin, method, path, query, range) {
                continue;
            }
            if let Some(n) = slot.remaining.as_mut() {
                *n -= 1;
            }
            out.push(slot.fault.action.clone());
        }
        faults.retain(|s| s.remaining != Some(0));
        out
    }

    fn log(&self) -> MutexGuard<'_, Vec<(u64, LoggedRequest)>> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn log_push(&self, entry: LoggedRequest) -> u64 {
        let seq = self.counter.fetch_add(1, Ordering::Relaxed);
        self.log().push((seq, entry));
        seq
    }

    fn log_set_status(&self, seq: u64, status: u16) {
        // The entry is recent: search from the end (the log grows with every request).
        if let Some((_, e)) = self.log().iter_mut().rev().find(|(s, _)| *s == seq) {
            e.status = status;
        }
    }

    pub(crate) fn log_snapshot(&self) -> Vec<LoggedRequest> {
        self.log().iter().map(|(_, e)| e.clone()).collect()
    }

    pub(crate) fn log_clear(&self) {
        self.log().clear();
    }

    pub(crate) fn add_fault(&self, fault: Fault) {
        let remaining = fault.times;
        self.faults.lock().unwrap_or_else(|e| e.into_inner()).push(FaultSlot { fault, remaining });
    }

    pub(crate) fn add_user(&self, token: &str, name: &str, orgs: Vec<String>) {
        self.state().users.insert(token.to_string(), User { name: name.to_string(), orgs });
    }

    pub(crate) fn create_repo(&self, rt: RepoType, id: &str, access: Access) {
        let mut st = self.state();
        if !st.create_repo(rt, id, access, false) {
            if let Some(r) = st.repo_mut(rt, id) {
                r.access = access;
            }
        }
    }

    pub(crate) fn load_files(&self, rt: RepoType, id: &str, files: Vec<(String, Vec<u8>)>) -> String {
        let mut st = self.state();
        if matches!(st.lookup(rt, id), Lookup::Missing | Lookup::Moved(_)) {
            st.create_repo(rt, id, Access::Public, false);
        }
        let ops = files
            .into_iter()
            .map(|(path, data)| crate::model::Op::Add { path, data: Bytes::from(data), lfs: None })
            .collect();
        let target = Target::Branch { name: "main".into(), create: true };
        st.commit(rt, id, target, None, ops, "Upload folder", "", "emulator")
            .unwrap_or_else(|e| panic!("hub-emulator: load failed: {e}"))
            .commit
    }

    pub(crate) fn create_ref(&self, rt: RepoType, id: &str, name: &str, rev: &str, tag: bool) -> Result<(), HubError> {
        let mut st = self.state();
        let repo = st.repo_mut(rt, id).ok_or_else(HubError::repo_not_found)?;
        let commit = repo.resolve(rev).ok_or_else(|| HubError::revision_not_found(rev))?;
        if tag {
            repo.tags.insert(name.to_string(), commit);
        } else {
            repo.branches.insert(name.to_string(), commit);
        }
        Ok(())
    }

    pub(crate) fn seed_demo(&self) -> String {
        // Fixed dates: two emulators seeded in different seconds serve the same commit ids.
        self.state().frozen_clock = Some(DEMO_TIME);
        let commit = self.seed_demo_files();
        self.state().frozen_clock = None;
        commit
    }

    fn seed_demo_files(&self) -> String {
        self.add_user(crate::DEMO_TOKEN, crate::DEMO_USER, vec![crate::DEMO_ORG.to_string()]);
        let config = "{\n  \"model_type\": \"demo\",\n  \"hidden_size\": 64\n}\n";
        let readme = "# test-model\n\nA demo repository.\n";
        let data = "hello from subdir/data.txt\n";
        let weights = crate::pseudo_random_bytes(1 << 20, 0x5eed_1234_abcd_0001);
        let files: Vec<(String, Vec<u8>)> = vec![
            ("README.md".into(), readme.into()),
            ("config.json".into(), config.into()),
            ("model.safetensors".into(), weights),
            ("subdir/data.txt".into(), data.into()),
        ];
        let commit = self.load_files(RepoType::Model, "test-org/test-model", files);
        let simple = |rt: RepoType, id: &str, access: Access, path: &str, content: &str| {
            self.create_repo(rt, id, access);
            self.load_files(rt, id, vec![(path.to_string(), content.as_bytes().to_vec())]);
        };
        simple(RepoType::Model, "test-org/private-model", Access::Private, "config.json", "{\"private\": true}\n");
        simple(RepoType::Model, "test-org/gated-model", Access::Gated, "config.json", "{\"gated\": true}\n");
        simple(
            RepoType::Dataset,
            "test-org/test-dataset",
            Access::Public,
            "data/train.csv",
            "id,text\n1,hello\n2,world\n",
        );
        commit
    }
}

/// When the demo fixture's commits are dated (2024-01-01T00:00:00Z).
const DEMO_TIME: u64 = 1_704_067_200;
