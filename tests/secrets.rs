//! Secrets, for every public call that uses the network (file download with HEAD, GET, CDN
//! redirect and ranged lanes, into the cache or a local_dir; metadata; snapshot, into the cache or
//! a local_dir; the repo read API; GGUF resolve and download;
//! repository administration; commits with LFS `basic` and `multipart` uploads; whoami and login):
//!
//! - the token reaches the Hub origin only: in the emulator's request log every request carrying
//!   `Authorization` went to the Hub origin, with exactly our token, and none went to the CDN
//!   (where the LFS download URLs and the LFS upload URLs point);
//! - a redirect from the Hub to a third loopback origin never brings the token there (checked on
//!   the raw bytes that origin receives);
//! - a server that echoes the token (error body, `X-Error-Message`, a `Location` it redirects to)
//!   never gets it into an error message (`Display` and `Debug`), for every call family, with an
//!   `hf_`-shaped token and with one that is not token-shaped (so the redaction of the configured
//!   token itself is exercised, not only the `hf_…` pattern);
//! - through an HTTP proxy (`HTTP_PROXY`, honoured by `Config::from_env` clients): what a plain
//!   `http://` forward proxy can see. It necessarily sees the Hub requests with their
//!   `Authorization` header (that is what a clear-text proxy is; with an `https` endpoint it only
//!   sees `CONNECT host:port`). Asserted: requests do go through it, the CDN requests it relays carry
//!   no token and no byte of the token, the token is never put in `Proxy-Authorization`, with
//!   `NO_PROXY` naming the host the proxy sees nothing at all, and an unreachable proxy's password
//!   (`http://user:pass@host`) is not in the error;
//! - token files: `token` and `stored_tokens` 0600 in a 0700 folder, also when `HF_HOME` does not
//!   exist yet (nested) and under umask 0.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::Env;
use hf_hub::download::{GgufOptions, GgufSelect};
use hf_hub::{
    Client, CommitOperation, CommitSpec, Config, CreateRepo, DownloadOptions, FileRef, FolderSpec, Repo, RepoType,
    SnapshotOptions, SnapshotRef, UploadOptions, Visibility,
};
use hub_emulator::{pseudo_random_bytes, Access, Emulator, EmulatorOptions, Fault, FaultAction, Origin, DEMO_TOKEN};

const MODEL: &str = "test-org/test-model";
const GGUF: &str = "test-org/tiny-GGUF";
const NEW: &str = "tester/secret-model";
const MOVED: &str = "tester/secret-moved";
/// A token that looks like nothing in particular: only the redaction of the configured token can
/// hide it (the `hf_…` pattern does not match it).
const PLAIN_TOKEN: &str = "Zq9plainSecretValue77";

type Call = fn(&Client, &Path) -> hf_hub::Result<()>;

/// (name, touches the CDN when it succeeds, the call). Run in this order, each with a fresh cache.
fn families() -> Vec<(&'static str, bool, Call)> {
    fn force() -> DownloadOptions<'static> {
        DownloadOptions { force_download: true, ..Default::default() }
    }
    vec![
        ("download small (HEAD + GET)", false, |c, _| {
            c.download(&FileRef::new(MODEL, "config.json"), force()).map(drop)
        }),
        ("download LFS (HEAD + CDN redirect)", true, |c, _| {
            c.download(&FileRef::new(MODEL, "model.safetensors"), force()).map(drop)
        }),
        ("download into a local_dir", true, |c, dir| {
            let d = dir.join("local-file");
            let how = DownloadOptions { local_dir: Some(&d), force_download: true, ..Default::default() };
            c.download(&FileRef::new(MODEL, "model.safetensors"), how).map(drop)
        }),
        ("file_metadata", false, |c, _| c.file_metadata(&FileRef::new(MODEL, "model.safetensors"), None).map(drop)),
        ("snapshot_download", true, |c, _| {
            let how = SnapshotOptions { force_download: true, ..Default::default() };
            c.snapshot_download(&SnapshotRef::new(MODEL), how).map(drop)
        }),
        ("snapshot_download into a local_dir", true, |c, dir| {
            let d = dir.join("local-snapshot");
            let how = SnapshotOptions { local_dir: Some(&d), force_download: true, ..Default::default() };
            c.snapshot_download(&SnapshotRef::new(MODEL), how).map(drop)
        }),
        ("repo_info", false, |c, _| c.repo_info(&Repo::new(MODEL, RepoType::Model)?, None, None).map(drop)),
        ("list_tree", false, |c, _| c.list_tree(&Repo::new(MODEL, RepoType::Model)?, None, None, true, None).map(drop)),
        ("paths_info", false, |c, _| {
            c.paths_info(&Repo::new(MODEL, RepoType::Model)?, None, &["config.json".into()], None).map(drop)
        }),
        ("list_refs", false, |c, _| c.list_refs(&Repo::new(MODEL, RepoType::Model)?, true, None).map(drop)),
        ("list_commits", false, |c, _| c.list_commits(&Repo::new(MODEL, RepoType::Model)?, None, None).map(drop)),
        ("repo_exists", false, |c, _| {
            let found = c.repo_exists(&Repo::new(MODEL, RepoType::Model)?, None)?;
            found.then_some(()).ok_or_else(|| hf_hub::Error::Internal("repo_exists said no".into()))
        }),
        ("file_exists", false, |c, _| {
            let found = c.file_exists(&Repo::new(MODEL, RepoType::Model)?, None, "model.safetensors", None)?;
            found.then_some(()).ok_or_else(|| hf_hub::Error::Internal("file_exists said no".into()))
        }),
        ("gguf_resolve", false, |c, _| c.gguf_resolve(GGUF, &GgufSelect::default(), false, None).map(drop)),
        ("gguf_download", true, |c, _| c.gguf_download(GGUF, &GgufSelect::default(), GgufOptions::default()).map(drop)),
        ("create_repo", false, |c, _| {
            c.create_repo(&CreateRepo { repo_id: NEW.into(), ..Default::default() }, None).map(drop)
        }),
        ("update_repo_visibility", false, |c, _| {
            c.update_repo_visibility(NEW, RepoType::Model, Visibility::Private, None)
        }),
        ("create_branch", false, |c, _| c.create_branch(NEW, RepoType::Model, "dev", None, false, None)),
        ("create_tag", false, |c, _| c.create_tag(NEW, RepoType::Model, "v1", None, Some("tag"), false, None)),
        ("delete_tag", false, |c, _| c.delete_tag(NEW, RepoType::Model, "v1", None)),
        ("delete_branch", false, |c, _| c.delete_branch(NEW, RepoType::Model, "dev", None)),
        ("create_commit (LFS basic + multipart)", true, |c, _| {
            let ops = vec![
                CommitOperation::add_bytes("notes.txt", b"plain text\n".to_vec()),
                CommitOperation::add_bytes("small.bin", pseudo_random_bytes(20_000, 1)),
                CommitOperation::add_bytes("big.bin", pseudo_random_bytes(150_000, 2)),
            ];
            let info = c.create_commit(&CommitSpec::new(NEW, "secrets"), ops, UploadOptions::default())?;
            info.committed.then_some(()).ok_or_else(|| hf_hub::Error::Internal("nothing committed".into()))
        }),
        ("upload_file", true, |c, dir| {
            let f = dir.join("upl.bin");
            std::fs::write(&f, pseudo_random_bytes(90_000, 3)).unwrap();
            c.upload_file(&CommitSpec::new(NEW, ""), &f, "upl.bin", UploadOptions::default()).map(drop)
        }),
        ("upload_folder", true, |c, dir| {
            let d = dir.join("folder");
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("x.bin"), pseudo_random_bytes(70_000, 4)).unwrap();
            std::fs::write(d.join("y.txt"), b"y\n").unwrap();
            let spec = FolderSpec { folder: d, ..Default::default() };
            c.upload_folder(&CommitSpec::new(NEW, ""), &spec, UploadOptions::default()).map(drop)
        }),
        ("move_repo", false, |c, _| c.move_repo(NEW, MOVED, RepoType::Model, None)),
        ("delete_repo", false, |c, _| c.delete_repo(MOVED, RepoType::Model, false, None)),
        ("whoami", false, |c, _| c.whoami(None).map(drop)),
        ("whoami_with", false, |c, _| c.whoami_with(&c.token().unwrap_or_default(), None).map(drop)),
        ("login", false, |c, _| {
            let t = c.token().unwrap_or_default();
            c.login(&t, None).map(drop)
        }),
    ]
}

/// An emulator with the demo fixture, a GGUF repo, multipart uploads past 64 KiB (so the commit
/// family uploads one LFS file with `basic` and one with `multipart`), and `PLAIN_TOKEN` as a
/// second user's token.
fn env() -> Env {
    let emu = Emulator::start_with(EmulatorOptions { multipart_chunk_size: Some(64 * 1024), ..Default::default() });
    let commit = emu.seed_demo();
    emu.add_user(PLAIN_TOKEN, "plain", &[]);
    emu.create_repo("model", GGUF, Access::Public);
    let mut q = b"GGUF".to_vec();
    q.extend(pseudo_random_bytes(3000, 9));
    emu.commit("model", GGUF, "main", "gguf", &[("tiny-Q4_K_M.gguf", &q), ("README.md", b"# t\n")], &[]);
    Env { emu, home: tempfile::tempdir().unwrap(), commit }
}

/// A client with its own fresh HF_HOME (so every call goes to the network) and token.
fn client(env: &Env, token: &str, home: &Path, f: impl FnOnce(&mut Config)) -> Client {
    env.client_with(|c| {
        c.set_hf_home(home.to_path_buf());
        c.token = Some(token.to_string());
        c.lanes = 4;
        c.lane_chunk = 64 * 1024;
        c.lanes_min_size = 1; // the 1 MiB LFS file comes in ranged lanes
        f(c)
    })
}

#[test]
fn token_reaches_the_hub_origin_only() {
    let env = env();
    let work = tempfile::tempdir().unwrap();
    let mut cdn_families = 0;
    for (name, touches_cdn, call) in families() {
        let home = tempfile::tempdir().unwrap();
        let c = client(&env, DEMO_TOKEN, home.path(), |_| {});
        env.emu.clear_requests();
        call(&c, work.path()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let reqs = env.requests();
        let bearer = format!("Bearer {DEMO_TOKEN}");
        assert!(!reqs.is_empty(), "{name}: no request");
        for r in &reqs {
            match r.origin {
                Origin::Hub => assert_eq!(
                    r.header("authorization"),
                    Some(bearer.as_str()),
                    "{name}: every Hub request carries the token: {} {}",
                    r.method,
                    r.path
                ),
                Origin::Cdn => {
                    assert_eq!(
                        r.header("authorization"),
                        None,
                        "{name}: token sent to the CDN: {} {}",
                        r.method,
                        r.path
                    );
                    let all = r.headers.iter().map(|(k, v)| format!("{k}: {v}\n")).collect::<String>();
                    assert!(!all.contains(DEMO_TOKEN), "{name}: token in a CDN request header");
                    assert!(!r.path_and_query().contains(DEMO_TOKEN), "{name}: token in a CDN URL");
                }
            }
        }
        let on_cdn = reqs.iter().filter(|r| r.origin == Origin::Cdn).count();
        if touches_cdn {
            assert!(on_cdn > 0, "{name}: expected CDN traffic (LFS download or upload)");
            cdn_families += 1;
        }
        if name.starts_with("download LFS") {
            let ranged = reqs.iter().filter(|r| r.origin == Origin::Cdn && r.header("range").is_some()).count();
            assert!(ranged >= 4, "{name}: the 1 MiB file comes in lanes of 64 KiB ranges ({ranged})");
        }
        if name.starts_with("create_commit") {
            let paths: Vec<&str> = reqs.iter().filter(|r| r.origin == Origin::Cdn).map(|r| r.path.as_str()).collect();
            assert!(paths.iter().any(|p| p.contains("/part/")), "multipart parts on the CDN: {paths:?}");
            assert!(paths.iter().any(|p| !p.contains("/part/")), "a basic PUT on the CDN: {paths:?}");
        }
    }
    assert!(cdn_families >= 6);
}

/// A tiny HTTP server on loopback that records every request's raw head and body, and answers
/// `status` with an empty body.
struct Recorder {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Recorder {
    fn start(status: u16) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut s) = conn else { continue };
                let log = log.clone();
                std::thread::spawn(move || {
                    s.set_read_timeout(Some(Duration::from_millis(500))).ok();
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 8192];
                    // Read the head (and whatever body arrives quickly).
                    while let Ok(n) = s.read(&mut chunk) {
                        if n == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        if buf.windows(4).any(|w| w == b"\r\n\r\n") {
                            break;
                        }
                    }
                    log.lock().unwrap().push(String::from_utf8_lossy(&buf).into_owned());
                    let answer = format!("HTTP/1.1 {status} Nope\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                    let _ = s.write_all(answer.as_bytes());
                    let _ = s.shutdown(Shutdown::Both);
                });
            }
        });
        Recorder { url, seen }
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

fn redirect_to(location: &str) -> FaultAction {
    FaultAction::Respond { status: 302, headers: vec![("location".into(), location.into())], body: String::new() }
}

#[test]
fn a_redirect_to_a_third_origin_gets_no_token() {
    let env = env();
    let third = Recorder::start(404);
    let work = tempfile::tempdir().unwrap();
    let mut followed = 0;
    for (name, _, call) in families() {
        for token in [DEMO_TOKEN, PLAIN_TOKEN] {
            let home = tempfile::tempdir().unwrap();
            let c = client(&env, token, home.path(), |_| {});
            env.emu.clear_faults();
            // Every Hub answer is a redirect to the third origin (absolute, and with a path that
            // looks like the Hub's own, as a compromised mirror would use).
            env.emu.add_fault(Fault::new(redirect_to(&format!("{}/api/whoami-v2", third.url))).origin(Origin::Hub));
            let r = call(&c, work.path());
            env.emu.clear_faults();
            let seen = third.take();
            followed += seen.len();
            for raw in &seen {
                let lower = raw.to_ascii_lowercase();
                assert!(
                    !lower.contains("authorization"),
                    "{name}: the third origin got an Authorization header:\n{raw}"
                );
                assert!(!raw.contains(token), "{name}: the third origin got the token:\n{raw}");
            }
            if let Err(e) = r {
                let text = format!("{e} {e:?}");
                assert!(!text.contains(token), "{name}: {text}");
            }
        }
    }
    assert!(followed >= 20, "the API calls follow redirects: the third origin must have been asked ({followed})");
}

#[test]
fn echoed_tokens_never_reach_an_error_message() {
    let env = env();
    let work = tempfile::tempdir().unwrap();
    for (name, _, call) in families() {
        for token in [DEMO_TOKEN, PLAIN_TOKEN] {
            let echo = format!("Authorization: Bearer {token} / your token is {token} ({token})");
            let echoes = [
                FaultAction::Respond {
                    status: 400,
                    headers: vec![
                        ("x-error-message".into(), echo.clone()),
                        ("x-request-id".into(), format!("req-{token}")),
                        ("x-repo-commit".into(), token.to_string()),
                    ],
                    body: format!("{{\"error\": \"{echo}\"}}"),
                },
                FaultAction::Respond {
                    status: 403,
                    headers: vec![
                        ("x-error-code".into(), "GatedRepo".into()),
                        ("x-error-message".into(), echo.clone()),
                    ],
                    body: echo.clone(),
                },
                FaultAction::Respond {
                    status: 500,
                    headers: vec![("content-type".into(), "text/plain".into())],
                    body: format!("internal error for {token}"),
                },
                // A redirect whose target (path and query) holds the token, to a dead port.
                redirect_to(&format!("http://127.0.0.1:9/{token}/x?token={token}&sig={token}")),
            ];
            for (i, action) in echoes.into_iter().enumerate() {
                let home = tempfile::tempdir().unwrap();
                let c = client(&env, token, home.path(), |_| {});
                env.emu.clear_faults();
                env.emu.add_fault(Fault::new(action).origin(Origin::Hub));
                let r = call(&c, work.path());
                env.emu.clear_faults();
                // repo_exists and file_exists answer "yes" to a 403 (a gated repo exists).
                let Err(e) = r else {
                    assert!(name.ends_with("exists") && i == 1, "{name}: echo {i} must fail");
                    continue;
                };
                let text = format!("{e}\n{e:?}");
                assert!(!text.contains(token), "{name}, echo {i}, token {token}: {text}");
                assert!(!text.contains(&token[3..]), "{name}, echo {i}: a part of the token: {text}");
            }
        }
    }
}

/// The metadata HEAD of an LFS file answers a well-formed 302 whose Location (the "CDN") holds the
/// token in its path and query and points at a dead port: the download that follows fails with a
/// transport error naming that URL, without the token (with ranged lanes and as one stream).
/// (A snapshot takes its URLs from the tree listing, not from a HEAD: not concerned.)
#[test]
fn a_download_location_holding_the_token_stays_out_of_messages() {
    let env = env();
    let data = pseudo_random_bytes(1 << 20, 0x5eed_1234_abcd_0001);
    let oid = common::sha256_hex(&data);
    for token in [DEMO_TOKEN, PLAIN_TOKEN] {
        let location = format!("http://127.0.0.1:9/repos/{token}/{oid}?X-Amz-Signature={token}");
        let head = FaultAction::Respond {
            status: 302,
            headers: vec![
                ("location".into(), location),
                ("x-repo-commit".into(), env.commit.clone()),
                ("x-linked-etag".into(), format!("\"{oid}\"")),
                ("x-linked-size".into(), (1u32 << 20).to_string()),
            ],
            body: String::new(),
        };
        env.emu.clear_faults();
        env.emu.add_fault(Fault::new(head).origin(Origin::Hub).method("HEAD").path_contains("model.safetensors"));
        let calls: [(&str, Call); 2] = [
            ("download", |c, _| {
                c.download(&FileRef::new(MODEL, "model.safetensors"), DownloadOptions::default()).map(drop)
            }),
            ("lanes off", |c, _| {
                c.download(&FileRef::new(MODEL, "model.safetensors"), DownloadOptions::default()).map(drop)
            }),
        ];
        // In parallel: each call waits out its resume pauses (1 s each) before giving up.
        std::thread::scope(|scope| {
            for (i, (name, call)) in calls.into_iter().enumerate() {
                let env = &env;
                scope.spawn(move || {
                    let home = tempfile::tempdir().unwrap();
                    let c = client(env, token, home.path(), |c| {
                        if i == 1 {
                            c.lanes = 1;
                        }
                    });
                    let e = call(&c, home.path()).expect_err(name);
                    let text = format!("{e}\n{e:?}");
                    assert!(text.contains("127.0.0.1:9"), "{name}: the error names the download URL: {text}");
                    assert!(!text.contains(token), "{name}, token {token}: {text}");
                });
            }
        });
    }
}

/// The Hub redirects an API call to a third origin whose URL path holds the token; that origin
/// answers 200 and cuts the body short. The error about the cut body names the URL, not the token.
#[test]
fn a_body_cut_short_after_a_redirect_names_no_token() {
    let env = env();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let third = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut s) = conn else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                let _ = s.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"id\":",
                );
                let _ = s.shutdown(Shutdown::Both);
            });
        }
    });
    let work = tempfile::tempdir().unwrap();
    let mut failed = 0;
    for (name, _, call) in families() {
        let home = tempfile::tempdir().unwrap();
        let c = client(&env, PLAIN_TOKEN, home.path(), |_| {});
        env.emu.clear_faults();
        let target = format!("{third}/{PLAIN_TOKEN}/x/{PLAIN_TOKEN}");
        env.emu.add_fault(Fault::new(redirect_to(&target)).origin(Origin::Hub));
        let r = call(&c, work.path());
        env.emu.clear_faults();
        if let Err(e) = r {
            failed += 1;
            let text = format!("{e}\n{e:?}");
            assert!(!text.contains(PLAIN_TOKEN), "{name}: {text}");
        }
    }
    assert!(failed >= 20, "{failed}");
}

/// A recording HTTP forward proxy (`GET http://host:port/path HTTP/1.1`): logs each request head,
/// relays it to the target with `Connection: close`, pipes the answer back, closes.
fn start_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut client) = conn else { continue };
            let log = log.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match client.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let text = String::from_utf8_lossy(&head).into_owned();
                log.lock().unwrap().push(text.clone());
                let mut lines = text.split("\r\n");
                let first = lines.next().unwrap_or_default();
                let mut parts = first.split(' ');
                let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                let Some(rest) = target.strip_prefix("http://") else { return };
                let (hostport, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
                let Ok(mut upstream) = TcpStream::connect(hostport) else { return };
                let mut out = format!("{method} {} HTTP/1.1\r\n", if path.is_empty() { "/" } else { path });
                for l in lines.filter(|l| !l.is_empty()) {
                    let lower = l.to_ascii_lowercase();
                    if lower.starts_with("connection:") || lower.starts_with("proxy-") {
                        continue;
                    }
                    out.push_str(l);
                    out.push_str("\r\n");
                }
                out.push_str("connection: close\r\n\r\n");
                if upstream.write_all(out.as_bytes()).is_err() {
                    return;
                }
                let (mut c2, mut u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                let body = std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c2, &mut u2);
                });
                let _ = std::io::copy(&mut upstream, &mut client);
                let _ = client.shutdown(Shutdown::Both);
                let _ = upstream.shutdown(Shutdown::Both);
                let _ = body.join();
            });
        }
    });
    (url, seen)
}

#[test]
fn what_a_plain_http_proxy_sees() {
    let env = env();
    let (proxy, seen) = start_proxy();
    let hub = env.emu.hub_url();
    let cdn = env.emu.cdn_url();
    // Only this test of the binary sets these, and only clients with use_env_proxy read them.
    std::env::set_var("HTTP_PROXY", &proxy);
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");
    let home = tempfile::tempdir().unwrap();
    let c = client(&env, DEMO_TOKEN, home.path(), |c| c.use_env_proxy = true);
    c.download(&FileRef::new(MODEL, "model.safetensors"), DownloadOptions::default()).unwrap();
    c.download(&FileRef::new(MODEL, "config.json"), DownloadOptions::default()).unwrap();
    let heads = std::mem::take(&mut *seen.lock().unwrap());
    fn to<'a>(heads: &'a [String], origin: &'a str) -> impl Iterator<Item = &'a String> + 'a {
        heads.iter().filter(move |h| h.split(' ').nth(1).is_some_and(|t| t.starts_with(origin)))
    }
    assert!(to(&heads, &hub).count() >= 2, "the Hub requests went through the proxy: {heads:?}");
    assert!(to(&heads, &cdn).count() >= 1, "the CDN requests went through the proxy: {heads:?}");
    for h in to(&heads, &cdn) {
        assert!(!h.to_ascii_lowercase().contains("authorization"), "a CDN request through the proxy: {h}");
        assert!(!h.contains(DEMO_TOKEN), "{h}");
    }
    for h in &heads {
        let lower = h.to_ascii_lowercase();
        assert!(!lower.contains("proxy-authorization"), "the token is not proxy credentials: {h}");
        if h.contains(DEMO_TOKEN) {
            assert!(to(&heads, &hub).any(|x| x == h), "the token only in Hub-bound requests: {h}");
        }
    }

    // NO_PROXY naming the loopback address: the proxy sees nothing.
    std::env::set_var("NO_PROXY", "127.0.0.1");
    let home = tempfile::tempdir().unwrap();
    let c = client(&env, DEMO_TOKEN, home.path(), |c| c.use_env_proxy = true);
    c.download(&FileRef::new(MODEL, "model.safetensors"), DownloadOptions::default()).unwrap();
    assert!(seen.lock().unwrap().is_empty(), "NO_PROXY bypasses the proxy: {:?}", seen.lock().unwrap());

    // A proxy with credentials that cannot be reached: its password stays out of the error too.
    std::env::set_var("HTTP_PROXY", "http://proxyuser:Pxy9secretWord@127.0.0.1:9");
    std::env::remove_var("NO_PROXY");
    let home = tempfile::tempdir().unwrap();
    let c = client(&env, DEMO_TOKEN, home.path(), |c| c.use_env_proxy = true);
    let e = c.download(&FileRef::new(MODEL, "config.json"), DownloadOptions::default()).unwrap_err();
    std::env::remove_var("HTTP_PROXY");
    let text = format!("{e}\n{e:?}");
    assert!(!text.contains("Pxy9secretWord") && !text.contains(DEMO_TOKEN), "{text}");
}

#[cfg(unix)]
mod files {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    /// The process umask, from /proc/self/status (std has no umask call, and `unsafe` stays in src/ffi).
    fn current_umask() -> u32 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("Umask:")).expect("Umask in /proc/self/status");
        u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
    }

    /// Login into an HF_HOME that does not exist yet (two levels), under the process umask: the
    /// token file and stored tokens are 0600 and the created HF_HOME 0700.
    fn login_into_fresh_home() {
        let umask = current_umask();
        let env = env();
        let base = tempfile::tempdir().unwrap();
        let home = base.path().join("new-parent").join("hf-home");
        let c = env.client_with(|c| {
            c.set_hf_home(home.clone());
            c.token = None;
        });
        assert_eq!(c.login(DEMO_TOKEN, None).unwrap(), "token-tester");
        assert_eq!(mode(&home.join("token")), 0o600, "umask {umask:o}");
        assert_eq!(mode(&home.join("stored_tokens")), 0o600, "umask {umask:o}");
        assert_eq!(mode(&home), 0o700, "umask {umask:o}");
        // A parent folder created on the way follows the umask (as Python's os.makedirs does): it
        // holds no secret, and the 0700 folder below it is what keeps the files private.
        // Again over existing files: still 0600.
        c.login(PLAIN_TOKEN, None).unwrap();
        c.switch_token("token-tester").unwrap();
        assert_eq!(mode(&home.join("token")), 0o600);
        assert_eq!(mode(&home.join("stored_tokens")), 0o600);
    }

    #[test]
    fn token_files_private_in_a_new_home() {
        login_into_fresh_home();
    }

    /// Run by [`umask_zero_does_not_widen_token_files`] in a child process whose umask is 0 (the
    /// umask is process-wide: changing it here would race the other tests).
    #[test]
    #[ignore = "run in a child process under umask 0 by umask_zero_does_not_widen_token_files"]
    fn child_login_under_umask_zero() {
        assert_eq!(current_umask(), 0, "the parent test sets umask 0");
        login_into_fresh_home();
    }

    #[test]
    fn umask_zero_does_not_widen_token_files() {
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg("umask 000 && exec \"$0\" --exact files::child_login_under_umask_zero --ignored --test-threads=1")
            .arg(&exe)
            .output()
            .unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{text}");
        assert!(text.contains("1 passed"), "the child test ran: {text}");
    }
}
