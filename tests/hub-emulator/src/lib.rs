//! A small, faithful Hugging Face Hub emulator for tests.
//!
//! Two origins on `127.0.0.1`: the Hub (API, `/resolve`, LFS batch, uploads, a `/_emulator/` control
//! API) and a "CDN" (LFS blobs behind 302s, presigned-style PUT uploads). Repos hold real git object
//! ids, a commit history, branches, tags and PR refs. Every request is logged, and faults can be
//! injected per origin / method / path.
//!
//! ```no_run
//! let emu = hub_emulator::Emulator::start();
//! let commit = emu.seed_demo();
//! println!("{} {} {commit}", emu.hub_url(), emu.cdn_url());
//! ```

#![forbid(unsafe_code)]

mod cdn;
mod control;
mod git;
mod hub;
mod model;
mod server;
mod upload;
mod util;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

pub use git::{git_blob_sha1, is_lfs_path, lfs_pointer, sha256_hex, LFS_EXTENSIONS, LFS_SIZE_THRESHOLD};
use model::{parse_repo_type, Op, Target};
use server::Shared;

/// The demo user's token (see [`Emulator::seed_demo`]).
pub const DEMO_TOKEN: &str = "hf_localtesttoken0123456789";
/// The demo user's name.
pub const DEMO_USER: &str = "tester";
/// The demo user's organisation.
pub const DEMO_ORG: &str = "test-org";

/// Start-up options.
#[derive(Default, Clone, Debug)]
pub struct EmulatorOptions {
    /// Hub port; 0 = ephemeral.
    pub hub_port: u16,
    /// CDN port; 0 = ephemeral.
    pub cdn_port: u16,
    /// Tree page size; default 1000, or 50 with `expand=true`. Also used for the commits listing.
    pub tree_page_size: Option<usize>,
    /// Base URL the LFS 302s of `/resolve` point at instead of the built-in CDN origin, e.g.
    /// `http://127.0.0.1:8080/lfs` → `<base>/repos/<repo_id>/<sha256>?X-Amz-Signature=…`. For an
    /// external static server (the benchmarks' nginx) serving the files [`Emulator::export_lfs`]
    /// writes. Upload URLs follow `upload_base`. `None`: the built-in CDN.
    pub cdn_base: Option<String>,
    /// Origin the LFS upload URLs (basic PUT, multipart parts) point at instead of the built-in
    /// CDN's, e.g. a fault-injecting proxy in front of it: `http://127.0.0.1:P`. `None`: the CDN.
    pub upload_base: Option<String>,
    /// LFS uploads larger than this many bytes get the `multipart` transfer with parts of this
    /// size (like the Hub, which picks the threshold and the part size). `None`: always `basic`.
    pub multipart_chunk_size: Option<u64>,
}

/// Who may read a repo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Public,
    /// Readable by the owner (user or org members) and granted users; others get 401 RepoNotFound.
    Private,
    /// Gated ("manual"): owner/members and granted users; 401 GatedRepo without a token, 403 with one.
    Gated,
    /// 403 "Access to this resource is disabled." for everyone.
    Disabled,
}

/// Which listener received a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Hub,
    Cdn,
}

/// One request as received (logged before the answer is sent).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoggedRequest {
    pub origin: Origin,
    pub method: String,
    /// Raw path, still percent-encoded.
    pub path: String,
    pub query: Option<String>,
    /// Names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    /// The status that was answered.
    pub status: u16,
    /// The request body as text, when it is UTF-8 and at most 1 MiB (JSON, NDJSON, forms).
    #[serde(default)]
    pub body: Option<String>,
    /// Request body size in bytes.
    #[serde(default)]
    pub body_len: u64,
}

impl LoggedRequest {
    /// First value of a header, case-insensitive.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Path and query as sent (`/a/b?x=1`).
    pub fn path_and_query(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }
}

/// A fault: every request matching all the set filters gets `action` (at most `times` times).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Fault {
    #[serde(default)]
    pub origin: Option<Origin>,
    /// HTTP method, case-insensitive.
    #[serde(default)]
    pub method: Option<String>,
    /// Substring of the raw path (also tried on the decoded path and on `path?query`).
    #[serde(default)]
    pub path_contains: Option<String>,
    /// Substring of the request's `Range` header (`"bytes=0-"`); a request without one never
    /// matches when this is set.
    #[serde(default)]
    pub range_contains: Option<String>,
    /// `None` = every matching request.
    #[serde(default)]
    pub times: Option<u32>,
    pub action: FaultAction,
}

impl Fault {
    /// A fault matching every request.
    pub fn new(action: FaultAction) -> Self {
        Fault { origin: None, method: None, path_contains: None, range_contains: None, times: None, action }
    }
    pub fn origin(mut self, origin: Origin) -> Self {
        self.origin = Some(origin);
        self
    }
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_string());
        self
    }
    pub fn path_contains(mut self, s: &str) -> Self {
        self.path_contains = Some(s.to_string());
        self
    }
    pub fn range_contains(mut self, s: &str) -> Self {
        self.range_contains = Some(s.to_string());
        self
    }
    pub fn times(mut self, n: u32) -> Self {
        self.times = Some(n);
        self
    }
}

/// What a fault does. JSON forms: `{"status":503}`, `{"drop_after_bytes":1000}`,
/// `{"delay_ms":1500}`, `{"throttle":{"bytes_per_sec":1000}}`, `"ignore_range"`,
/// `{"omit_header":"x-repo-commit"}`, `{"corrupt_at":5}`, `{"redirect":{"status":302,"location":"…"}}`,
/// `{"short_body":1000}`, `{"extra_bytes":10}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer this status (with a JSON `{"error": ...}` body) instead of the real response.
    Status(u16),
    /// Send the headers and this many body bytes, then abort the connection.
    DropAfterBytes(u64),
    /// Wait before answering.
    #[serde(rename = "delay_ms", with = "duration_ms")]
    Delay(Duration),
    /// Stream the body slowly (a chunk every ~10 ms).
    Throttle { bytes_per_sec: u64 },
    /// Answer 200 with the full body even when `Range` was sent.
    IgnoreRange,
    /// Drop this response header.
    OmitHeader(String),
    /// Flip the bits of the body byte at this offset (of the body sent, not of the file).
    CorruptAt(u64),
    /// Answer exactly this instead of the real response (status, extra headers, body text):
    /// `Retry-After`/`RateLimit` throttling, hostile error bodies...
    Respond { status: u16, headers: Vec<(String, String)>, body: String },
    /// Answer `status` (a 3xx) with this `Location` (absolute or relative, sent as given) instead
    /// of the real body; the real answer's other headers are kept (`ETag`, `X-Repo-Commit`...), so
    /// a redirected `/resolve` HEAD still carries its metadata. Loops: a `location` pointing at
    /// the request itself, or two faults pointing at each other.
    Redirect { status: u16, location: String },
    /// Declare the full `Content-Length` but send only this many body bytes, then end the
    /// response (hyper closes the connection: the client sees a body shorter than announced).
    ShortBody(u64),
    /// Append this many bytes (`0x5a`) to the body, `Content-Length` included: a body longer than
    /// the file (`X-Linked-Size`) or than the range asked for.
    ExtraBytes(u64),
}

mod duration_ms {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

/// A running emulator; the servers stop when it is dropped.
pub struct Emulator {
    shared: Arc<Shared>,
    stop: Mutex<Option<(tokio::sync::oneshot::Sender<()>, JoinHandle<()>)>>,
}

impl Emulator {
    /// Starts on ephemeral ports.
    pub fn start() -> Emulator {
        Self::start_with(EmulatorOptions::default())
    }

    /// Starts with options. Panics when a port cannot be bound.
    pub fn start_with(opts: EmulatorOptions) -> Emulator {
        let (shared, stop_tx, thread) = server::spawn(opts);
        Emulator { shared, stop: Mutex::new(Some((stop_tx, thread))) }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn hub_url(&self) -> String {
        self.shared.hub_url.clone()
    }

    /// `http://127.0.0.1:PORT` of the CDN origin.
    pub fn cdn_url(&self) -> String {
        self.shared.cdn_url.clone()
    }

    /// Registers a token. whoami's token display name is `token-<name>`, role `write`.
    pub fn add_user(&self, token: &str, name: &str, orgs: &[&str]) {
        self.shared.add_user(token, name, orgs.iter().map(|s| s.to_string()).collect());
    }

    /// Creates a repo (owner = namespace) with an empty initial commit on `main`. If it already
    /// exists, only its access is changed.
    pub fn create_repo(&self, repo_type: &str, repo_id: &str, access: Access) {
        self.shared.create_repo(parse_repo_type(repo_type), repo_id, access);
    }

    /// Lets `user` read a gated or private repo.
    pub fn grant_access(&self, repo_type: &str, repo_id: &str, user: &str) {
        let mut st = self.shared.state();
        let repo = st
            .repo_mut(parse_repo_type(repo_type), repo_id)
            .unwrap_or_else(|| panic!("hub-emulator: no repo {repo_id}"));
        repo.granted.insert(user.to_string());
    }

    /// Commits `files` (added or replaced; LFS by the Hub's rules) and `deletes` (a path ending in
    /// `/` deletes a folder) on `branch`, created from `main` when missing. Returns the commit id.
    pub fn commit(
        &self,
        repo_type: &str,
        repo_id: &str,
        branch: &str,
        message: &str,
        files: &[(&str, &[u8])],
        deletes: &[&str],
    ) -> String {
        let ops = ops_from(files, deletes);
        self.shared
            .state()
            .commit(
                parse_repo_type(repo_type),
                repo_id,
                Target::Branch { name: branch.to_string(), create: true },
                None,
                ops,
                message,
                "",
                "emulator",
            )
            .unwrap_or_else(|e| panic!("hub-emulator: commit failed: {e}"))
            .commit
    }

    /// Creates the repo (public) if missing and commits every file under `dir` on `main`.
    pub fn load_dir(&self, repo_type: &str, repo_id: &str, dir: &Path) -> String {
        let rt = parse_repo_type(repo_type);
        let files =
            server::read_dir_files(dir).unwrap_or_else(|e| panic!("hub-emulator: cannot read {}: {e}", dir.display()));
        self.shared.load_files(rt, repo_id, files)
    }

    /// Creates `branch` at `from_rev`.
    pub fn create_branch(&self, repo_type: &str, repo_id: &str, branch: &str, from_rev: &str) {
        self.shared
            .create_ref(parse_repo_type(repo_type), repo_id, branch, from_rev, false)
            .unwrap_or_else(|e| panic!("hub-emulator: create_branch failed: {e}"));
    }

    /// Creates tag `tag` at `rev`.
    pub fn create_tag(&self, repo_type: &str, repo_id: &str, tag: &str, rev: &str) {
        self.shared
            .create_ref(parse_repo_type(repo_type), repo_id, tag, rev, true)
            .unwrap_or_else(|e| panic!("hub-emulator: create_tag failed: {e}"));
    }

    /// Opens a PR (`refs/pr/N`) on top of `main` with `files`. Returns (N, commit).
    pub fn create_pr(&self, repo_type: &str, repo_id: &str, files: &[(&str, &[u8])]) -> (u64, String) {
        let out = self
            .shared
            .state()
            .commit(
                parse_repo_type(repo_type),
                repo_id,
                Target::NewPr(None),
                None,
                ops_from(files, &[]),
                "Pull request",
                "",
                "emulator",
            )
            .unwrap_or_else(|e| panic!("hub-emulator: create_pr failed: {e}"));
        (out.pr.unwrap_or_default(), out.commit)
    }

    /// Renames a repo; the old id then answers 307 with a relative `Location`.
    pub fn rename_repo(&self, repo_type: &str, from: &str, to: &str) {
        self.shared
            .state()
            .rename_repo(parse_repo_type(repo_type), from, to)
            .unwrap_or_else(|e| panic!("hub-emulator: rename failed: {e}"));
    }

    /// Resolves a revision (branch, tag, `refs/pr/N`, commit or prefix) to a commit id.
    pub fn resolve(&self, repo_type: &str, repo_id: &str, rev: &str) -> Option<String> {
        let st = self.shared.state();
        st.repo(parse_repo_type(repo_type), repo_id)?.resolve(rev)
    }

    /// Every logged request so far (both origins; control API calls are not logged).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.log_snapshot()
    }

    pub fn clear_requests(&self) {
        self.shared.log_clear();
    }

    pub fn add_fault(&self, fault: Fault) {
        self.shared.add_fault(fault);
    }

    pub fn clear_faults(&self) {
        self.shared.faults.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Seeds the demo fixture and returns the `main` commit of `test-org/test-model`:
    /// user `tester` (token [`DEMO_TOKEN`], org `test-org`); public `test-org/test-model`
    /// (`config.json`, `README.md`, `subdir/data.txt`, `model.safetensors` = 1 MiB LFS);
    /// private `test-org/private-model`; gated `test-org/gated-model` (granted to nobody);
    /// dataset `test-org/test-dataset` (`data/train.csv`).
    pub fn seed_demo(&self) -> String {
        self.shared.seed_demo()
    }

    /// The LFS object served by the CDN for this sha256, if any.
    pub fn lfs_object(&self, sha256: &str) -> Option<Vec<u8>> {
        self.shared.state().lfs.get(sha256).map(|b| b.to_vec())
    }

    /// Writes every LFS object the CDN serves to `dir/<sha256>` (creating `dir`); returns how many.
    pub fn export_lfs(&self, dir: &Path) -> std::io::Result<usize> {
        std::fs::create_dir_all(dir)?;
        // Clone the (cheap, refcounted) blobs so the state lock is not held during the writes.
        let objects: Vec<(String, Bytes)> =
            self.shared.state().lfs.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        for (oid, data) in &objects {
            let tmp = dir.join(format!(".{oid}.tmp"));
            std::fs::write(&tmp, data)?;
            std::fs::rename(&tmp, dir.join(oid))?;
        }
        Ok(objects.len())
    }

    /// The content of `path` at `rev`, if any.
    pub fn file(&self, repo_type: &str, repo_id: &str, rev: &str, path: &str) -> Option<Vec<u8>> {
        let st = self.shared.state();
        let repo = st.repo(parse_repo_type(repo_type), repo_id)?;
        let commit = repo.commits.get(&repo.resolve(rev)?)?;
        commit.files.get(path).map(|f| f.data.to_vec())
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let stop = self.stop.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some((tx, thread)) = stop {
            let _ = tx.send(());
            let _ = thread.join();
        }
    }
}

pub(crate) fn ops_from(files: &[(&str, &[u8])], deletes: &[&str]) -> Vec<Op> {
    let mut ops: Vec<Op> = files
        .iter()
        .map(|(p, d)| Op::Add { path: p.to_string(), data: Bytes::copy_from_slice(d), lfs: None })
        .collect();
    for d in deletes {
        if d.ends_with('/') {
            ops.push(Op::DeleteFolder(d.to_string()));
        } else {
            ops.push(Op::DeleteFile(d.to_string()));
        }
    }
    ops
}

/// 1 MiB-style deterministic pseudo-random bytes (xorshift64*), for fixtures.
pub fn pseudo_random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(len);
    out
}
