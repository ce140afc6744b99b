//! A real fault-injecting network between the library and the emulator: toxiproxy-server
//! (`HF_TOXIPROXY_BIN`, installed by `make toxiproxy`) in front of both origins, plus the
//! emulator's HTTP-level faults. Every run ends with the exact bytes at the returned path or a
//! clear error, and with a consistent cache (`check_cache`); a rerun without faults then succeeds.
//!
//! The Hub is reached through the `hub` proxy (the client's endpoint) and its LFS 302s point at
//! the `cdn` proxy (`EmulatorOptions::cdn_base`), so both legs of a download cross toxiproxy; so
//! do the LFS upload URLs (`EmulatorOptions::upload_base`), for the upload scenarios.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{git_blob_sha1, sha256_hex};
use hf_hub::{Client, Config, DownloadOptions, Error, FileRef, SnapshotOptions, SnapshotRef};
use hub_emulator::{Access, Emulator, EmulatorOptions, Fault, FaultAction, LoggedRequest, Origin, DEMO_TOKEN};
use serde_json::{json, Value};

const REPO: &str = "faults/model";
const SNAP: &str = "faults/snap";
const BIG: &str = "big.bin"; // LFS (by extension)
const SMALL: &str = "config.json"; // regular
const MIB: usize = 1 << 20;

// ---- toxiproxy ----------------------------------------------------------------------------------

/// The toxiproxy-server binary: `HF_TOXIPROXY_BIN` (set by `make test-rust`), else the Makefile's
/// install location. Missing: the test fails (it is installed by `make toxiproxy`, never skipped).
fn toxiproxy_bin() -> PathBuf {
    let bin = std::env::var_os("HF_TOXIPROXY_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/bin/toxiproxy-server"));
    assert!(
        bin.is_file(),
        "toxiproxy-server not found at {} (HF_TOXIPROXY_BIN): run `make toxiproxy` (or `make test-rust`, \
         which installs it and sets HF_TOXIPROXY_BIN)",
        bin.display()
    );
    bin
}

/// The control API of a running toxiproxy-server (cheap to clone into a timer thread).
#[derive(Clone)]
struct ToxiApi(String);

impl ToxiApi {
    /// One HTTP/1.1 exchange (`Connection: close`), status and body.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, String) {
        let mut s = TcpStream::connect(&self.0).unwrap_or_else(|e| panic!("toxiproxy API {}: {e}", self.0));
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            self.0,
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let text = out.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (status, text)
    }

    fn ok(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let (status, text) = self.call(method, path, body);
        assert!((200..300).contains(&status), "toxiproxy {method} {path} {body:?}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// A proxy listening on an ephemeral loopback port; returns its `127.0.0.1:port`.
    fn proxy(&self, name: &str, upstream: &str) -> String {
        let v =
            self.ok("POST", "/proxies", Some(&json!({"name": name, "listen": "127.0.0.1:0", "upstream": upstream})));
        v["listen"].as_str().expect("listen address").to_string()
    }

    fn set_upstream(&self, name: &str, upstream: &str) {
        self.ok("POST", &format!("/proxies/{name}"), Some(&json!({"upstream": upstream})));
    }

    fn add(&self, t: &Toxic) {
        let stream = if t.upstream { "upstream" } else { "downstream" };
        let body = json!({"name": t.name, "type": t.kind, "stream": stream, "toxicity": t.toxicity,
                          "attributes": t.attrs});
        self.ok("POST", &format!("/proxies/{}/toxics", t.proxy), Some(&body));
    }

    /// Every toxic removed, every proxy enabled.
    fn reset(&self) {
        self.ok("POST", "/reset", None);
    }

    fn toxic_count(&self) -> usize {
        let v = self.ok("GET", "/proxies", None);
        v.as_object().map_or(0, |m| m.values().map(|p| p["toxics"].as_array().map_or(0, Vec::len)).sum())
    }
}

/// toxiproxy-server on an ephemeral loopback port, killed on drop.
struct Toxiproxy {
    child: Child,
    api: ToxiApi,
    _log: tempfile::NamedTempFile,
}

impl Toxiproxy {
    fn start() -> Toxiproxy {
        let bin = toxiproxy_bin();
        for _ in 0..3 {
            let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let log = tempfile::NamedTempFile::new().unwrap();
            let mut child = Command::new(&bin)
                .args(["-host", "127.0.0.1", "-port", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(log.reopen().unwrap())
                .stderr(log.reopen().unwrap())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
            let api = ToxiApi(format!("127.0.0.1:{port}"));
            let t0 = Instant::now();
            while t0.elapsed() < Duration::from_secs(10) {
                if child.try_wait().unwrap().is_some() {
                    break; // the port was taken meanwhile: another one
                }
                if TcpStream::connect(&api.0).is_ok() && api.call("GET", "/version", None).0 == 200 {
                    return Toxiproxy { child, api, _log: log };
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
            eprintln!("toxiproxy did not start: {}", std::fs::read_to_string(log.path()).unwrap_or_default());
        }
        panic!("toxiproxy-server ({}) did not start", bin.display());
    }
}

impl Drop for Toxiproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One toxic on one proxy (downstream: server to client).
#[derive(Clone, Debug)]
struct Toxic {
    proxy: &'static str,
    name: String,
    kind: &'static str,
    toxicity: f64,
    attrs: Value,
    /// Client to server (uploads) instead of server to client.
    upstream: bool,
}

fn toxic(proxy: &'static str, kind: &'static str, attrs: Value) -> Toxic {
    Toxic { proxy, name: format!("{proxy}-{kind}"), kind, toxicity: 1.0, attrs, upstream: false }
}

/// The same toxic on the client-to-server direction.
fn up(t: Toxic) -> Toxic {
    Toxic { name: format!("{}-up", t.name), upstream: true, ..t }
}

// ---- the network: emulator behind two proxies ------------------------------------------------

struct Fixture {
    big: Vec<u8>,
    small: Vec<u8>,
    /// (path, bytes) of the snapshot repo.
    snap: Vec<(String, Vec<u8>)>,
}

struct Net {
    // Dropped in this order: the client side goes first, the emulator last.
    toxi: Toxiproxy,
    emu: Emulator,
    /// `http://127.0.0.1:P`: the Hub through toxiproxy (the client's endpoint).
    hub: String,
    fx: Fixture,
}

fn host_port(url: &str) -> &str {
    url.trim_start_matches("http://").trim_end_matches('/')
}

impl Net {
    fn new() -> Net {
        Self::with(None)
    }

    /// `cdn_base`: where the Hub's LFS 302s point instead of the CDN proxy (a third origin).
    fn with(cdn_base: Option<String>) -> Net {
        let toxi = Toxiproxy::start();
        // The CDN proxy's port must be known before the emulator starts (its 302s name it); its
        // upstream, the emulator's CDN, is set once that is listening.
        let cdn_proxy = toxi.api.proxy("cdn", "127.0.0.1:9");
        let base = cdn_base.unwrap_or_else(|| format!("http://{cdn_proxy}"));
        // Uploads go through the CDN proxy too.
        let upload_base = Some(format!("http://{cdn_proxy}"));
        let emu = Emulator::start_with(EmulatorOptions { cdn_base: Some(base), upload_base, ..Default::default() });
        toxi.api.set_upstream("cdn", host_port(&emu.cdn_url()));
        let hub_proxy = toxi.api.proxy("hub", host_port(&emu.hub_url()));
        let fx = seed(&emu);
        Net { toxi, emu, hub: format!("http://{hub_proxy}"), fx }
    }

    fn config(&self, home: &Path) -> Config {
        let mut cfg = Config::without_env();
        cfg.endpoint = self.hub.clone();
        cfg.set_hf_home(home.to_path_buf());
        cfg.token = Some(DEMO_TOKEN.to_string());
        cfg.http_retries = 0;
        cfg.lanes = 4;
        cfg.lane_chunk = 256 << 10;
        cfg.lanes_min_size = MIB as u64;
        cfg.download_timeout = Duration::from_secs(3);
        cfg.etag_timeout = Duration::from_secs(3);
        cfg
    }
}

fn seed(emu: &Emulator) -> Fixture {
    emu.seed_demo(); // the demo user and its token
    let big = hub_emulator::pseudo_random_bytes(4 * MIB + 12_345, 11);
    let small: Vec<u8> = format!("{{\"pad\": \"{}\"}}\n", "x".repeat(20_000)).into_bytes();
    emu.create_repo("model", REPO, Access::Public);
    emu.commit("model", REPO, "main", "files", &[(BIG, &big), (SMALL, &small)], &[]);
    let snap: Vec<(String, Vec<u8>)> = vec![
        ("a.safetensors".into(), hub_emulator::pseudo_random_bytes(2 * MIB + 7, 12)),
        ("b.bin".into(), hub_emulator::pseudo_random_bytes(3 * MIB / 2, 13)),
        ("c.txt".into(), "line of text\n".repeat(2_500).into_bytes()),
        ("d/e.json".into(), b"{\"e\": true}\n".to_vec()),
    ];
    emu.create_repo("model", SNAP, Access::Public);
    let files: Vec<(&str, &[u8])> = snap.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
    emu.commit("model", SNAP, "main", "files", &files, &[]);
    Fixture { big, small, snap }
}

// ---- what every run must leave behind ------------------------------------------------------------

fn is_hex(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Every file (and symlink) below `dir`, as full paths.
fn files(dir: &Path) -> Vec<PathBuf> {
    common::files_under(dir).into_iter().map(|rel| dir.join(rel)).collect()
}

/// The cache under `cache` is consistent: every blob's name is the hash of its bytes (SHA-256 for
/// LFS, git blob SHA-1 for regular files), every snapshot pointer resolves to an existing blob of
/// its repo, the only incomplete files are resumable pairs (`.part.incomplete` with its
/// `.journal.incomplete`), no temp file anywhere, refs hold 40-hex commits.
fn check_cache(cache: &Path) {
    let mut problems = Vec::new();
    let all = files(cache);
    for p in &all {
        let name = p.file_name().unwrap().to_string_lossy();
        if name.ends_with(".tmp") || name.contains(".tmp.") || name.ends_with(".downloadInProgress") {
            problems.push(format!("temp file {}", p.display()));
        }
    }
    for repo in std::fs::read_dir(cache).into_iter().flatten().flatten().map(|e| e.path()) {
        let folder = repo.file_name().unwrap().to_string_lossy().into_owned();
        if !folder.contains("--") {
            continue; // .locks, CACHEDIR.TAG
        }
        let blobs = repo.join("blobs");
        for e in std::fs::read_dir(&blobs).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            if let Some(etag) = name.strip_suffix(".part.incomplete") {
                if !blobs.join(format!("{etag}.journal.incomplete")).is_file() {
                    problems.push(format!("{folder}: {name} without its journal"));
                }
            } else if let Some(etag) = name.strip_suffix(".journal.incomplete") {
                if !blobs.join(format!("{etag}.part.incomplete")).is_file() {
                    problems.push(format!("{folder}: {name} without its data file"));
                }
            } else if is_hex(&name, 64) {
                let got = sha256_hex(&std::fs::read(&path).unwrap());
                if got != name {
                    problems.push(format!("{folder}: blob {name} holds bytes of sha256 {got}"));
                }
            } else if is_hex(&name, 40) {
                let got = git_blob_sha1(&std::fs::read(&path).unwrap());
                if got != name {
                    problems.push(format!("{folder}: blob {name} holds bytes of git sha1 {got}"));
                }
            } else {
                problems.push(format!("{folder}: stray file blobs/{name}"));
            }
        }
        let pointers = files(&repo.join("snapshots"));
        for p in pointers {
            let rel = p.strip_prefix(repo.join("snapshots")).unwrap();
            let commit = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
            if !is_hex(&commit, 40) {
                problems.push(format!("{folder}: snapshot folder {commit}"));
            }
            match std::fs::read_link(&p) {
                Ok(target) => {
                    let resolved = p.parent().unwrap().join(&target);
                    let in_blobs = resolved.parent().and_then(|d| d.canonicalize().ok()) == blobs.canonicalize().ok();
                    if !in_blobs || !resolved.is_file() {
                        problems.push(format!("{folder}: dangling pointer {} -> {}", rel.display(), target.display()));
                    }
                }
                Err(_) => problems.push(format!("{folder}: pointer {} is not a symlink", rel.display())),
            }
        }
        let refs = files(&repo.join("refs"));
        for r in refs {
            let text = std::fs::read_to_string(&r).unwrap_or_default();
            if !is_hex(&text, 40) {
                problems.push(format!("{folder}: ref {} holds {text:?}", r.display()));
            }
        }
    }
    assert!(problems.is_empty(), "inconsistent cache {}:\n{}", cache.display(), problems.join("\n"));
}

/// A failure a caller can act on: one of the statuses a network fault may produce, with a message
/// (never Internal, Io or a panic).
fn assert_clear(e: &Error, what: &str) {
    let clear = matches!(
        e,
        Error::Network(_)
            | Error::Timeout(_)
            | Error::Checksum(_)
            | Error::Http(_)
            | Error::RateLimited(_)
            | Error::Metadata(_)
    );
    assert!(clear && !e.to_string().is_empty(), "{what}: not a clear status: {e:?}");
}

// ---- one scenario ----------------------------------------------------------------------------------

/// What a scenario must end with.
#[derive(Clone, Copy, Debug)]
enum Must {
    Succeed,
    /// Fail with a clear status (the kind is checked by the scenario's own predicate).
    Fail(fn(&Error) -> bool),
}

/// Toxics added while an operation runs: at its start (offset 0) or later, and `None` = remove
/// them all (the fault lifts).
type Timeline = Vec<(Duration, Option<Toxic>)>;

struct Scenario {
    name: &'static str,
    timeline: Timeline,
    retries: u32,
    timeout: Duration,
    /// For the LFS file, the regular file and the snapshot.
    must: [Must; 3],
    /// The LFS file failed part-way: its received bytes must be kept (a resumable pair) and the
    /// rerun must fetch less than the whole file.
    keeps_partial: bool,
}

fn at(ms: u64, t: Toxic) -> (Duration, Option<Toxic>) {
    (Duration::from_millis(ms), Some(t))
}

fn lift(ms: u64) -> (Duration, Option<Toxic>) {
    (Duration::from_millis(ms), None)
}

/// Run `op` under `timeline` (a timer thread applies the later steps; the faults are all removed
/// when `op` returns).
fn under<T>(toxi: &ToxiApi, timeline: &Timeline, op: impl FnOnce() -> T) -> T {
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    for (when, step) in timeline {
        if when.is_zero() {
            if let Some(t) = step {
                toxi.add(t);
            }
        }
    }
    let later: Timeline = timeline.iter().filter(|(w, _)| !w.is_zero()).cloned().collect();
    let api = toxi.clone();
    let timer = std::thread::spawn(move || {
        let t0 = Instant::now();
        for (when, step) in later {
            let left = when.saturating_sub(t0.elapsed());
            if stop_rx.recv_timeout(left) != Err(mpsc::RecvTimeoutError::Timeout) {
                return;
            }
            match step {
                Some(t) => api.add(&t),
                None => api.reset(),
            }
        }
    });
    let out = op();
    let _ = stop_tx.send(());
    timer.join().unwrap();
    toxi.reset();
    out
}

fn check_file(r: Result<PathBuf, Error>, want: &[u8], must: Must, what: &str) -> bool {
    match (r, must) {
        (Ok(p), Must::Succeed) => {
            assert!(std::fs::read(&p).unwrap() == want, "{what}: wrong bytes at {}", p.display());
            true
        }
        (Ok(p), Must::Fail(_)) => panic!("{what}: expected a failure, got {}", p.display()),
        (Err(e), Must::Succeed) => panic!("{what}: {e:?}"),
        (Err(e), Must::Fail(kind)) => {
            assert_clear(&e, what);
            assert!(kind(&e), "{what}: unexpected status {e:?}");
            false
        }
    }
}

fn snapshot(client: &Client) -> Result<hf_hub::Snapshot, Error> {
    client.snapshot_download(&SnapshotRef::new(SNAP), SnapshotOptions::default())
}

fn check_snapshot(net: &Net, r: Result<hf_hub::Snapshot, Error>, must: Must, what: &str) {
    let ok = match (r, must) {
        (Ok(s), Must::Succeed) => s,
        (Ok(_), Must::Fail(_)) => panic!("{what}: expected a failure"),
        (Err(e), Must::Succeed) => panic!("{what}: {e:?}"),
        (Err(e), Must::Fail(kind)) => {
            assert_clear(&e, what);
            assert!(kind(&e), "{what}: unexpected status {e:?}");
            return;
        }
    };
    assert_eq!(ok.files.len(), net.fx.snap.len(), "{what}");
    for (f, (path, data)) in ok.files.iter().zip(&net.fx.snap) {
        assert_eq!(&f.path, path, "{what}");
        assert!(std::fs::read(&f.local_path).unwrap() == *data, "{what}: wrong bytes in {path}");
    }
}

/// The three downloads under the scenario's faults, the cache check, then the same three without
/// faults (same cache): exact bytes. Returns the requests the emulator received under the faults.
fn run(s: Scenario) -> Vec<LoggedRequest> {
    let net = Net::new();
    let home = tempfile::tempdir().unwrap();
    let mut cfg = net.config(home.path());
    cfg.http_retries = s.retries;
    cfg.download_timeout = s.timeout;
    cfg.etag_timeout = s.timeout;
    let client = Client::new(cfg).unwrap();
    let api = &net.toxi.api;
    let t0 = Instant::now();
    let what = |x: &str| format!("{}: {x}", s.name);
    let r = under(api, &s.timeline, || client.download(&FileRef::new(REPO, BIG), DownloadOptions::default()));
    check_file(r, &net.fx.big, s.must[0], &what("LFS file"));
    let r = under(api, &s.timeline, || client.download(&FileRef::new(REPO, SMALL), DownloadOptions::default()));
    check_file(r, &net.fx.small, s.must[1], &what("regular file"));
    let r = under(api, &s.timeline, || snapshot(&client));
    check_snapshot(&net, r, s.must[2], &what("snapshot"));
    let faulty = t0.elapsed();
    let log = net.emu.requests();
    assert_eq!(api.toxic_count(), 0);
    check_cache(&home.path().join("hub"));

    // The network is healthy again: everything completes, exactly.
    if s.keeps_partial {
        let part = home
            .path()
            .join("hub/models--faults--model/blobs")
            .join(format!("{}.part.incomplete", sha256_hex(&net.fx.big)));
        assert!(part.is_file(), "{}: the bytes received were kept", s.name);
    }
    net.emu.clear_requests();
    let client = Client::new(net.config(home.path())).unwrap();
    let p = client.download(&FileRef::new(REPO, BIG), DownloadOptions::default()).unwrap();
    assert!(std::fs::read(p).unwrap() == net.fx.big, "{}: rerun, LFS file", s.name);
    if s.keeps_partial {
        let fetched = cdn_bytes_asked(&net.emu.requests(), net.fx.big.len() as u64);
        assert!(fetched < net.fx.big.len() as u64, "{}: the rerun fetched {fetched} bytes, all over again", s.name);
    }
    let p = client.download(&FileRef::new(REPO, SMALL), DownloadOptions::default()).unwrap();
    assert!(std::fs::read(p).unwrap() == net.fx.small, "{}: rerun, regular file", s.name);
    check_snapshot(&net, snapshot(&client), Must::Succeed, &what("rerun, snapshot"));
    check_cache(&home.path().join("hub"));
    // The rerun published everything: no incomplete file is left.
    let left = files(&home.path().join("hub"));
    assert!(!left.iter().any(|p| p.to_string_lossy().ends_with(".incomplete")), "{}: {left:?}", s.name);
    eprintln!("{}: {:.1} s under faults, {:.1} s in all", s.name, faulty.as_secs_f64(), t0.elapsed().as_secs_f64());
    log
}

/// Bytes the CDN GETs asked for (a GET without `Range` asks for the whole `size`).
fn cdn_bytes_asked(log: &[LoggedRequest], size: u64) -> u64 {
    log.iter()
        .filter(|r| r.origin == Origin::Cdn && r.method == "GET")
        .map(|r| match r.header("range").and_then(|v| v.strip_prefix("bytes=")?.split_once('-')) {
            None => size,
            Some((a, b)) => {
                let a: u64 = a.parse().unwrap();
                b.parse::<u64>().map_or(size, |b| b + 1) - a
            }
        })
        .sum()
}

/// CDN GETs resuming inside a chunk (a range not starting on a chunk boundary): bytes received
/// before a cut were kept.
fn resumed_ranges(log: &[LoggedRequest]) -> usize {
    let chunk = 256 << 10;
    log.iter()
        .filter(|r| r.origin == Origin::Cdn && r.method == "GET")
        .filter_map(|r| r.header("range")?.strip_prefix("bytes=")?.split('-').next()?.parse::<u64>().ok())
        .filter(|from| from % chunk != 0)
        .count()
}

const OK3: [Must; 3] = [Must::Succeed; 3];
const SECS: fn(u64) -> Duration = Duration::from_secs;

#[test]
fn latency_and_jitter() {
    let lat = |p| toxic(p, "latency", json!({"latency": 40, "jitter": 20}));
    run(Scenario {
        name: "latency",
        timeline: vec![at(0, lat("hub")), at(0, lat("cdn"))],
        retries: 2,
        timeout: SECS(3),
        must: OK3,
        keeps_partial: false,
    });
}

#[test]
fn bandwidth_limits() {
    // `rate` in KB/s, per connection.
    run(Scenario {
        name: "bandwidth",
        timeline: vec![
            at(0, toxic("hub", "bandwidth", json!({"rate": 500}))),
            at(0, toxic("cdn", "bandwidth", json!({"rate": 2000}))),
        ],
        retries: 2,
        timeout: SECS(3),
        must: OK3,
        keeps_partial: false,
    });
}

#[test]
fn connections_reset_mid_body() {
    // Bytes flow, then every CDN connection is reset (RST) at its next write, for one second:
    // the lanes resume where each stopped. No metadata retries: resuming is not retrying.
    let log = run(Scenario {
        name: "reset_peer, mid-body",
        timeline: vec![
            at(0, toxic("cdn", "bandwidth", json!({"rate": 1500}))),
            at(400, toxic("cdn", "reset_peer", json!({"timeout": 0}))),
            lift(1_400),
        ],
        retries: 0,
        timeout: SECS(3),
        must: OK3,
        keeps_partial: false,
    });
    assert!(resumed_ranges(&log) > 0, "the resets came mid-body and the lanes resumed there");
}

#[test]
fn connections_reset_for_good_is_a_network_error() {
    // toxiproxy's reset_peer swallows what the server sends and resets: not one byte ever
    // arrives from the CDN. A network error once the lane gives up; the Hub's file is unaffected.
    let network = |e: &Error| matches!(e, Error::Network(_));
    run(Scenario {
        name: "reset_peer, for good",
        timeline: vec![at(0, toxic("cdn", "reset_peer", json!({"timeout": 0})))],
        retries: 0,
        timeout: SECS(3),
        must: [Must::Fail(network), Must::Succeed, Must::Fail(network)],
        keeps_partial: false,
    });
}

#[test]
fn data_cut_after_n_bytes() {
    // Each connection closes after so many bytes: 300 KB on the CDN, 100 KB on the Hub.
    let log = run(Scenario {
        name: "limit_data",
        timeline: vec![
            at(0, toxic("cdn", "limit_data", json!({"bytes": 300_000}))),
            at(0, toxic("hub", "limit_data", json!({"bytes": 100_000}))),
        ],
        retries: 0,
        timeout: SECS(3),
        must: OK3,
        keeps_partial: false,
    });
    assert!(resumed_ranges(&log) > 0, "cut mid-body, resumed there");
}

#[test]
fn a_stall_that_lifts() {
    // Bytes flow, then nothing at all (the connections stay open) for 1.5 s: the read timeout
    // ends the silent connections, the lanes come back once the link does.
    run(Scenario {
        name: "stall, lifted",
        timeline: vec![
            at(0, toxic("cdn", "bandwidth", json!({"rate": 1500}))),
            at(300, toxic("cdn", "timeout", json!({"timeout": 0}))),
            at(300, toxic("hub", "timeout", json!({"timeout": 0}))),
            lift(1_800),
        ],
        retries: 2,
        timeout: Duration::from_millis(800),
        must: OK3,
        keeps_partial: false,
    });
}

#[test]
fn a_stall_that_lasts_is_a_timeout() {
    // The CDN goes silent mid-body for good; no retries: a timeout, in bounded time. The regular
    // file (the Hub) is unaffected.
    let timeout = |e: &Error| matches!(e, Error::Timeout(_));
    let t0 = Instant::now();
    run(Scenario {
        name: "stall, for good",
        timeline: vec![
            at(0, toxic("cdn", "bandwidth", json!({"rate": 1500}))),
            at(300, toxic("cdn", "timeout", json!({"timeout": 0}))),
        ],
        retries: 0,
        timeout: Duration::from_millis(500),
        must: [Must::Fail(timeout), Must::Succeed, Must::Fail(timeout)],
        keeps_partial: true,
    });
    assert!(t0.elapsed() < SECS(40), "bounded: {:?}", t0.elapsed());
}

#[test]
fn a_silent_hub_is_a_timeout() {
    // The Hub accepts connections and never answers: the metadata HEAD and the listing time out
    // (no retries, nothing cached), each in about the configured timeout.
    let timeout = |e: &Error| matches!(e, Error::Timeout(_));
    let t0 = Instant::now();
    run(Scenario {
        name: "hub silent",
        timeline: vec![at(0, toxic("hub", "timeout", json!({"timeout": 0})))],
        retries: 0,
        timeout: Duration::from_millis(500),
        must: [Must::Fail(timeout); 3],
        keeps_partial: false,
    });
    assert!(t0.elapsed() < SECS(15), "bounded: {:?}", t0.elapsed());
}

#[test]
fn slow_close() {
    // Connections cut after 300 KB whose close then takes 400 ms; the Hub closes slowly too.
    run(Scenario {
        name: "slow_close",
        timeline: vec![
            at(0, toxic("cdn", "limit_data", json!({"bytes": 300_000}))),
            at(0, toxic("cdn", "slow_close", json!({"delay": 400}))),
            at(0, toxic("hub", "slow_close", json!({"delay": 400}))),
        ],
        retries: 1,
        timeout: SECS(3),
        must: OK3,
        keeps_partial: false,
    });
}

#[test]
fn tiny_tcp_segments() {
    // Every write split into segments of 1–1000 bytes, 20 µs apart.
    let slicer = |p| toxic(p, "slicer", json!({"average_size": 500, "size_variation": 499, "delay": 20}));
    run(Scenario {
        name: "slicer",
        timeline: vec![at(0, slicer("hub")), at(0, slicer("cdn"))],
        retries: 2,
        timeout: SECS(3),
        must: OK3,
        keeps_partial: false,
    });
}

// ---- the emulator's HTTP-level faults, through the proxies -------------------------------------

fn client(net: &Net, home: &Path, f: impl FnOnce(&mut Config)) -> Client {
    let mut cfg = net.config(home);
    f(&mut cfg);
    Client::new(cfg).unwrap()
}

fn big(c: &Client) -> Result<PathBuf, Error> {
    c.download(&FileRef::new(REPO, BIG), DownloadOptions::default())
}

fn small(c: &Client) -> Result<PathBuf, Error> {
    c.download(&FileRef::new(REPO, SMALL), DownloadOptions::default())
}

fn blob_of(home: &Path, data: &[u8]) -> PathBuf {
    home.join("hub/models--faults--model/blobs").join(sha256_hex(data))
}

#[test]
fn server_errors_then_success() {
    let net = Net::new();
    let home = tempfile::tempdir().unwrap();
    let c = client(&net, home.path(), |c| c.http_retries = 2);
    // A 503 on the metadata HEAD: the patient attempt (after ~1 s) succeeds.
    net.emu.add_fault(Fault::new(FaultAction::Status(503)).origin(Origin::Hub).method("HEAD").times(1));
    assert!(std::fs::read(small(&c).unwrap()).unwrap() == net.fx.small);
    // A 500 on the snapshot's file listing: the first page is not retried (like the official
    // client), an HTTP error with its status; the next call succeeds.
    net.emu.add_fault(Fault::new(FaultAction::Status(500)).origin(Origin::Hub).path_contains("/tree/").times(1));
    let e = snapshot(&c).unwrap_err();
    assert!(matches!(e, Error::Http(_)) && e.http_status() == 500, "{e:?}");
    check_cache(&home.path().join("hub"));
    check_snapshot(&net, snapshot(&c), Must::Succeed, "snapshot after a 500");
    // The download GET retries throttling only (hub-protocol.md §3.6): a CDN 503 is an HTTP
    // error with its status, nothing published, and the next call succeeds.
    net.emu.add_fault(Fault::new(FaultAction::Status(503)).origin(Origin::Cdn).method("GET").times(1));
    let e = big(&c).unwrap_err();
    assert!(matches!(e, Error::Http(_)) && e.http_status() == 503, "{e:?}");
    assert!(!blob_of(home.path(), &net.fx.big).exists());
    check_cache(&home.path().join("hub"));
    assert!(std::fs::read(big(&c).unwrap()).unwrap() == net.fx.big);
    check_cache(&home.path().join("hub"));
}

#[test]
fn throttled_lanes_wait_as_told() {
    let net = Net::new();
    let home = tempfile::tempdir().unwrap();
    let c = client(&net, home.path(), |_| {});
    let throttled = |headers: Vec<(String, String)>| FaultAction::Respond {
        status: 429,
        headers,
        body: "{\"error\":\"rate limited\"}".into(),
    };
    let retry_after = throttled(vec![("retry-after".into(), "1".into())]);
    let ratelimit = throttled(vec![("ratelimit".into(), "\"api\";r=0;t=1".into())]);
    net.emu.add_fault(Fault::new(retry_after).origin(Origin::Cdn).range_contains("bytes=262144-").times(1));
    net.emu.add_fault(Fault::new(ratelimit).origin(Origin::Cdn).range_contains("bytes=524288-").times(1));
    let t0 = Instant::now();
    assert!(std::fs::read(big(&c).unwrap()).unwrap() == net.fx.big);
    // Both ask for 1 s; the client waits that plus one second (like the official client).
    assert!(t0.elapsed() >= Duration::from_millis(1_900), "{:?}", t0.elapsed());
    let log = net.emu.requests();
    let throttled = log.iter().filter(|r| r.origin == Origin::Cdn && r.status == 429).count();
    assert_eq!(throttled, 2);
    check_cache(&home.path().join("hub"));
}

#[test]
fn short_bodies_are_resumed_or_reported() {
    let net = Net::new();
    let home = tempfile::tempdir().unwrap();
    let c = client(&net, home.path(), |_| {});
    // Content-Length says more than what comes before the close: the rest is asked for again.
    net.emu.add_fault(Fault::new(FaultAction::ShortBody(100_000)).origin(Origin::Cdn).method("GET").times(3));
    net.emu.add_fault(Fault::new(FaultAction::ShortBody(5_000)).origin(Origin::Hub).method("GET").times(1));
    assert!(std::fs::read(big(&c).unwrap()).unwrap() == net.fx.big);
    assert!(std::fs::read(small(&c).unwrap()).unwrap() == net.fx.small);
    let log = net.emu.requests();
    assert!(resumed_ranges(&log) >= 3, "each short answer resumed where it stopped");
    assert!(log.iter().any(|r| r.origin == Origin::Hub && r.header("range") == Some("bytes=5000-")));
    check_cache(&home.path().join("hub"));
    // Nothing ever arrives: a network error once the lanes give up, in bounded time.
    let home = tempfile::tempdir().unwrap();
    let c = client(&net, home.path(), |_| {});
    net.emu.add_fault(Fault::new(FaultAction::ShortBody(0)).origin(Origin::Cdn).method("GET"));
    let t0 = Instant::now();
    let e = big(&c).unwrap_err();
    assert!(matches!(e, Error::Network(_)), "{e:?}");
    assert!(t0.elapsed() < SECS(20), "{:?}", t0.elapsed());
    assert!(!blob_of(home.path(), &net.fx.big).exists());
    check_cache(&home.path().join("hub"));
    net.emu.clear_faults();
    assert!(std::fs::read(big(&c).unwrap()).unwrap() == net.fx.big);
}

#[test]
fn long_and_corrupted_bodies_are_checksum_errors() {
    let net = Net::new();
    let cases: Vec<(&str, u32, Fault)> = vec![
        // More bytes than the range asked for (lanes) / than X-Linked-Size (one stream).
        ("long range", 4, Fault::new(FaultAction::ExtraBytes(10)).range_contains("bytes=524288-")),
        ("long stream", 1, Fault::new(FaultAction::ExtraBytes(1))),
        // One flipped byte: the SHA-256 differs.
        ("corrupt range", 4, Fault::new(FaultAction::CorruptAt(77)).range_contains("bytes=786432-")),
        ("corrupt stream", 1, Fault::new(FaultAction::CorruptAt(3 * MIB as u64))),
    ];
    for (what, lanes, fault) in cases {
        let home = tempfile::tempdir().unwrap();
        let cache = home.path().join("hub");
        let c = client(&net, home.path(), |c| c.lanes = lanes);
        net.emu.add_fault(fault.origin(Origin::Cdn).method("GET").times(1));
        let e = big(&c).unwrap_err();
        assert!(matches!(e, Error::Checksum(_)), "{what}: {e:?}");
        assert!(!blob_of(home.path(), &net.fx.big).exists(), "{what}: no blob");
        check_cache(&cache);
        if what.starts_with("corrupt") {
            // A wrong SHA-256 discards the bytes; a cut-off long answer keeps what came before it
            // (a resumable pair, which the final SHA-256 still checks).
            let left = files(&cache);
            assert!(!left.iter().any(|p| p.to_string_lossy().ends_with(".incomplete")), "{what}: {left:?}");
        }
        net.emu.clear_faults();
        assert!(std::fs::read(big(&c).unwrap()).unwrap() == net.fx.big, "{what}: rerun");
        check_cache(&cache);
    }
    // A regular file longer than its Content-Length said (HEAD), or with a flipped byte (its
    // git blob SHA-1, the ETag, differs): refused, nothing published.
    let home = tempfile::tempdir().unwrap();
    let c = client(&net, home.path(), |_| {});
    let sha1 = git_blob_sha1(&net.fx.small);
    for action in [FaultAction::ExtraBytes(3), FaultAction::CorruptAt(100)] {
        net.emu.add_fault(Fault::new(action.clone()).origin(Origin::Hub).method("GET").times(1));
        let e = small(&c).unwrap_err();
        assert!(matches!(e, Error::Checksum(_)), "{action:?}: {e:?}");
        assert!(!home.path().join("hub/models--faults--model/blobs").join(&sha1).exists(), "{action:?}");
        check_cache(&home.path().join("hub"));
    }
    // The same into a local folder: no file appears there.
    let dir = tempfile::tempdir().unwrap();
    net.emu.add_fault(Fault::new(FaultAction::CorruptAt(100)).origin(Origin::Hub).method("GET").times(1));
    let opts = DownloadOptions { local_dir: Some(dir.path()), ..Default::default() };
    let e = c.download(&FileRef::new(REPO, SMALL), opts).unwrap_err();
    assert!(matches!(e, Error::Checksum(_)), "local_dir: {e:?}");
    assert!(!dir.path().join(SMALL).exists());
    assert!(std::fs::read(small(&c).unwrap()).unwrap() == net.fx.small);
    check_cache(&home.path().join("hub"));
}

#[test]
fn redirect_loops_end_in_bounded_time() {
    let net = Net::new();
    let home = tempfile::tempdir().unwrap();
    let c = client(&net, home.path(), |_| {});
    // The metadata HEAD: config.json -> other.json -> config.json -> ... (relative, same origin).
    let to = |p: &str| FaultAction::Redirect { status: 302, location: format!("/{REPO}/resolve/main/{p}") };
    net.emu.add_fault(Fault::new(to("other.json")).origin(Origin::Hub).path_contains("/config.json"));
    net.emu.add_fault(Fault::new(to("config.json")).origin(Origin::Hub).path_contains("/other.json"));
    let t0 = Instant::now();
    let e = small(&c).unwrap_err();
    assert!(matches!(e, Error::Metadata(_)), "{e:?}");
    assert!(t0.elapsed() < SECS(5), "{:?}", t0.elapsed());
    net.emu.clear_faults();
    // The CDN redirects to itself: the GET gives up after its hops (and the lane after its retries).
    let sha = sha256_hex(&net.fx.big);
    let self_loc = format!("/repos/{REPO}/{sha}?X-Amz-Signature=fakesig");
    net.emu.add_fault(
        Fault::new(FaultAction::Redirect { status: 302, location: self_loc }).origin(Origin::Cdn).method("GET"),
    );
    net.emu.clear_requests();
    let t0 = Instant::now();
    let e = big(&c).unwrap_err();
    assert!(matches!(e, Error::Network(_)) && e.to_string().contains("redirect"), "{e:?}");
    assert!(t0.elapsed() < SECS(20), "{:?}", t0.elapsed());
    let hops = net.emu.requests().iter().filter(|r| r.origin == Origin::Cdn).count();
    assert!(hops > 10 && hops < 200, "{hops} CDN requests");
    check_cache(&home.path().join("hub"));
    net.emu.clear_faults();
    assert!(std::fs::read(big(&c).unwrap()).unwrap() == net.fx.big);
    assert!(std::fs::read(small(&c).unwrap()).unwrap() == net.fx.small);
}

#[test]
fn redirects_to_a_third_origin_are_followed_without_the_token() {
    let net = Net::new();
    // The third origin: another emulator holding the same repo (same bytes, same ids).
    let third = Emulator::start();
    seed(&third);
    let home = tempfile::tempdir().unwrap();
    let c = client(&net, home.path(), |_| {});
    let sha = sha256_hex(&net.fx.big);
    let to_third_cdn = format!("{}/repos/{REPO}/{sha}?X-Amz-Signature=fakesig", third.cdn_url());
    let to_third_hub = format!("{}/{REPO}/resolve/main/{SMALL}", third.hub_url());
    net.emu.add_fault(
        Fault::new(FaultAction::Redirect { status: 302, location: to_third_cdn }).origin(Origin::Cdn).method("GET"),
    );
    net.emu.add_fault(
        Fault::new(FaultAction::Redirect { status: 307, location: to_third_hub })
            .origin(Origin::Hub)
            .method("GET")
            .path_contains(SMALL),
    );
    assert!(std::fs::read(big(&c).unwrap()).unwrap() == net.fx.big);
    assert!(std::fs::read(small(&c).unwrap()).unwrap() == net.fx.small);
    check_cache(&home.path().join("hub"));
    let seen = third.requests();
    assert!(seen.iter().any(|r| r.origin == Origin::Cdn && r.method == "GET"), "the CDN's redirect was followed");
    assert!(seen.iter().any(|r| r.origin == Origin::Hub && r.method == "GET"), "the Hub's redirect was followed");
    for r in &seen {
        assert_eq!(r.header("authorization"), None, "the token went to a third origin: {} {}", r.method, r.path);
    }
    // The Hub (through its proxy) did get it.
    let hub = net.emu.requests();
    assert!(hub.iter().filter(|r| r.origin == Origin::Hub).all(|r| r.header("authorization").is_some()));
}

// ---- uploads through the faulty network (client-to-server toxics) --------------------------------

#[test]
fn uploads_through_faults() {
    // A 3 MiB LFS upload (preupload, batch and commit through the `hub` proxy, the PUT through the
    // `cdn` proxy) under each fault: it succeeds with the exact bytes in the repo, or fails with a
    // clear status and the repo's head unchanged; then the same upload without faults succeeds.
    const UP_REPO: &str = "tester/uploads";
    let data = hub_emulator::pseudo_random_bytes(3 * MIB + 5, 21);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("w.bin");
    std::fs::write(&file, &data).unwrap();
    // What each case may end with: success only; success or a clear failure; a failure only.
    #[derive(Clone, Copy)]
    enum End {
        Ok,
        Either,
        Fails(fn(&Error) -> bool),
    }
    let cases: Vec<(&str, Timeline, u32, Duration, End)> = vec![
        (
            "latency + jitter, both ways",
            vec![
                at(0, up(toxic("hub", "latency", json!({"latency": 30, "jitter": 15})))),
                at(0, up(toxic("cdn", "latency", json!({"latency": 30, "jitter": 15})))),
            ],
            1,
            SECS(3),
            End::Ok,
        ),
        (
            "bandwidth cap on the PUT",
            vec![at(0, up(toxic("cdn", "bandwidth", json!({"rate": 3000}))))],
            1,
            SECS(3),
            End::Ok,
        ),
        (
            "tiny segments",
            vec![at(0, up(toxic("cdn", "slicer", json!({"average_size": 700, "size_variation": 300, "delay": 0}))))],
            1,
            SECS(3),
            End::Ok,
        ),
        (
            "reset mid-PUT, lifted",
            vec![
                at(0, up(toxic("cdn", "bandwidth", json!({"rate": 2000})))),
                at(500, up(toxic("cdn", "reset_peer", json!({"timeout": 0})))),
                lift(1_200),
            ],
            3,
            SECS(3),
            End::Either,
        ),
        (
            "PUT cut after 1 MB",
            vec![at(0, up(toxic("cdn", "limit_data", json!({"bytes": 1_000_000}))))],
            1,
            SECS(3),
            End::Fails(|e| matches!(e, Error::Network(_) | Error::Timeout(_))),
        ),
        (
            "PUT stalled for good",
            vec![at(0, up(toxic("cdn", "timeout", json!({"timeout": 0}))))],
            0,
            Duration::from_millis(300),
            End::Fails(|e| matches!(e, Error::Timeout(_))),
        ),
    ];
    for (name, timeline, retries, timeout, end) in cases {
        let net = Net::new();
        let home = tempfile::tempdir().unwrap();
        let c = client(&net, home.path(), |c| {
            c.http_retries = retries;
            c.download_timeout = timeout;
            c.etag_timeout = timeout;
        });
        c.create_repo(&hf_hub::CreateRepo { repo_id: UP_REPO.into(), ..Default::default() }, None).unwrap();
        let before = net.emu.resolve("model", UP_REPO, "main").unwrap();
        let spec = hf_hub::CommitSpec { repo_id: UP_REPO.into(), ..Default::default() };
        let t0 = Instant::now();
        let r =
            under(&net.toxi.api, &timeline, || c.upload_file(&spec, &file, "w.bin", hf_hub::UploadOptions::default()));
        let took = t0.elapsed();
        let outcome = r.as_ref().map(|_| "uploaded".to_string()).unwrap_or_else(|e| e.to_string());
        match r {
            Ok(info) => {
                assert!(!matches!(end, End::Fails(_)), "{name}: expected a failure");
                assert_eq!(net.emu.resolve("model", UP_REPO, "main").unwrap(), info.oid, "{name}");
                assert!(net.emu.file("model", UP_REPO, "main", "w.bin").unwrap() == data, "{name}: wrong bytes");
            }
            Err(e) => {
                assert_clear(&e, name);
                match end {
                    End::Ok => panic!("{name}: {e:?}"),
                    End::Either => {}
                    End::Fails(kind) => assert!(kind(&e), "{name}: unexpected status {e:?}"),
                }
                assert_eq!(net.emu.resolve("model", UP_REPO, "main").unwrap(), before, "{name}: head moved");
                // Healthy again: the same upload goes through.
                let c = client(&net, home.path(), |_| {});
                c.upload_file(&spec, &file, "w.bin", hf_hub::UploadOptions::default()).unwrap();
                assert!(net.emu.file("model", UP_REPO, "main", "w.bin").unwrap() == data, "{name}: rerun bytes");
            }
        }
        assert!(took < Duration::from_secs(40), "{name}: {took:?}");
        eprintln!("{name}: {:.1} s, {outcome}", took.as_secs_f64());
    }
}
