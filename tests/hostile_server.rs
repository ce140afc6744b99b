//! A hostile Hub: a raw TCP server (no HTTP library on its side, so it can say anything) that
//! answers with listings that never end, pagination loops, endless and trickling bodies, headers
//! with `../`, NUL bytes, huge or malformed values, and JSON of the wrong shape. Every call must
//! end in bounded time with a clear error (or, where the answer is harmless, the exact bytes),
//! never a panic, a hang or a file outside the cache.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use hf_hub::{
    CancelToken, Client, Config, DownloadOptions, Error, FileRef, Repo, RepoType, SnapshotOptions, SnapshotRef,
};

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
const REPO: &str = "evil/repo";

/// One request as the hostile server saw it.
#[derive(Clone, Debug)]
struct Head {
    target: String,
}

/// What the server does with a request.
enum Answer {
    /// Write these bytes, then close.
    Raw(Vec<u8>),
    /// Write `head`, then `chunk` every `pause` until the client goes away.
    Forever { head: Vec<u8>, chunk: Vec<u8>, pause: Duration },
}

type Handler = dyn Fn(&Head, usize) -> Answer + Send + Sync;

struct Hostile {
    url: String,
    hits: Arc<AtomicUsize>,
}

impl Hostile {
    fn start(handler: impl Fn(&Head, usize) -> Answer + Send + Sync + 'static) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        let counter = hits.clone();
        thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let (handler, counter) = (handler.clone(), counter.clone());
                thread::spawn(move || serve(conn, &*handler, &counter));
            }
        });
        Hostile { url, hits }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    fn client(&self, home: &Path) -> Client {
        let mut cfg = Config::without_env();
        cfg.endpoint = self.url.clone();
        cfg.set_hf_home(home.to_path_buf());
        cfg.http_retries = 0;
        cfg.etag_timeout = Duration::from_secs(5);
        cfg.download_timeout = Duration::from_secs(5);
        Client::new(cfg).unwrap()
    }
}

/// Serve one request on a connection; every answer closes it.
fn serve(conn: TcpStream, handler: &Handler, counter: &AtomicUsize) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut out = conn;
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let head = Head { target: line.split_whitespace().nth(1).unwrap_or("").to_string() };
    let mut body_len = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            return;
        }
        if h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                body_len = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0u8; body_len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let n = counter.fetch_add(1, Ordering::SeqCst);
    match handler(&head, n) {
        Answer::Raw(bytes) => {
            let _ = out.write_all(&bytes);
        }
        Answer::Forever { head, chunk, pause } => {
            if out.write_all(&head).is_err() {
                return;
            }
            while out.write_all(&chunk).is_ok() {
                if !pause.is_zero() {
                    thread::sleep(pause);
                }
            }
        }
    }
}

/// A complete response that closes the connection.
fn respond(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len()).into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    Answer::Raw(out)
}

fn json(body: &str) -> Answer {
    respond("200 OK", &[("Content-Type", "application/json")], body.as_bytes())
}

fn entry(path: &str) -> String {
    format!(r#"{{"type":"file","oid":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":3,"path":"{path}"}}"#)
}

fn repo() -> Repo {
    Repo::new(REPO, RepoType::Model).unwrap()
}

fn file(name: &str) -> FileRef {
    FileRef::new(REPO, name)
}

/// Nothing but folders under `home`, and the cache folder's marker (written when the cache is first
/// used).
fn assert_no_files(home: &Path, case: &str) {
    for f in common::files_under(home) {
        assert!(Path::new(&f).file_name().is_some_and(|n| n == "CACHEDIR.TAG"), "{case}: {f} was written");
    }
}

/// A clear error: anything but a panic; and its message has text.
fn assert_clear(r: &Result<impl std::fmt::Debug, Error>, case: &str) {
    match r {
        Ok(v) => panic!("{case}: accepted: {v:?}"),
        Err(e) => {
            let text = e.to_string();
            eprintln!("{case}: {}", &text[..text.len().min(300)]);
            assert!(!text.trim().is_empty(), "{case}: empty message");
        }
    }
}

#[test]
fn a_listing_whose_pages_never_end_is_cut_off() {
    // Every page links to a fresh next page: the client stops at its page bound, in bounded time.
    let base = Arc::new(std::sync::OnceLock::<String>::new());
    let b2 = base.clone();
    let server = Hostile::start(move |h, n| {
        let path = h.target.split('?').next().unwrap().to_string();
        let next = format!("<{}{path}?cursor={n}>; rel=\"next\"", b2.get().unwrap());
        respond(
            "200 OK",
            &[("Content-Type", "application/json"), ("Link", &next)],
            format!("[{}]", entry(&format!("f{n}"))).as_bytes(),
        )
    });
    base.set(server.url.clone()).unwrap();
    let home = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let r = server.client(home.path()).list_tree(&repo(), Some(COMMIT), None, true, None);
    let took = t.elapsed();
    assert_clear(&r, "endless pages");
    let msg = r.unwrap_err().to_string();
    assert!(msg.contains("pages"), "{msg}");
    assert!(took < Duration::from_secs(120), "endless pages took {took:?}");
    assert!(server.hits() <= 10_001, "{} requests", server.hits());
    eprintln!("endless pages: cut off after {} requests in {took:?}", server.hits());
}

#[test]
fn a_pagination_loop_is_refused_at_once() {
    // Page 2 links back to page 1: a cycle, refused without walking it to the page bound.
    let base = Arc::new(std::sync::OnceLock::<String>::new());
    let b2 = base.clone();
    let server = Hostile::start(move |h, _| {
        let path = h.target.split('?').next().unwrap().to_string();
        let cursor = if h.target.contains("cursor=b") { "a" } else { "b" };
        let next = format!("<{}{path}?recursive=true&cursor={cursor}>; rel=\"next\"", b2.get().unwrap());
        respond(
            "200 OK",
            &[("Content-Type", "application/json"), ("Link", &next)],
            format!("[{}]", entry(&format!("f{cursor}"))).as_bytes(),
        )
    });
    base.set(server.url.clone()).unwrap();
    let home = tempfile::tempdir().unwrap();
    let snap = SnapshotRef { repo_id: REPO.into(), revision: Some(COMMIT.into()), ..Default::default() };
    let r = server.client(home.path()).snapshot_download(&snap, SnapshotOptions::default());
    assert_clear(&r, "pagination loop");
    assert!(server.hits() <= 4, "the loop was walked: {} requests", server.hits());
    assert_no_files(home.path(), "pagination loop");
}

#[test]
fn an_endless_listing_that_repeats_itself_stops_at_the_second_page() {
    // Fresh cursors, the same entries on every page: the duplicate refuses the listing as soon as
    // the second page arrives (pages are checked as they come, not after the last).
    let base = Arc::new(std::sync::OnceLock::<String>::new());
    let b2 = base.clone();
    let server = Hostile::start(move |h, n| {
        let path = h.target.split('?').next().unwrap().to_string();
        let next = format!("<{}{path}?recursive=true&cursor={n}>; rel=\"next\"", b2.get().unwrap());
        respond(
            "200 OK",
            &[("Content-Type", "application/json"), ("Link", &next)],
            format!("[{},{}]", entry("a.txt"), entry("b.txt")).as_bytes(),
        )
    });
    base.set(server.url.clone()).unwrap();
    let home = tempfile::tempdir().unwrap();
    let r = server.client(home.path()).list_tree(&repo(), Some(COMMIT), None, true, None);
    assert_clear(&r, "repeating pages");
    assert!(r.unwrap_err().to_string().contains("listed twice"));
    assert_eq!(server.hits(), 2, "pages read");
}

#[test]
fn a_body_that_never_ends_is_cut_off() {
    // A chunked listing that streams entries forever: bounded by the JSON size limit.
    let server = Hostile::start(|_, _| {
        let mut chunk = Vec::new();
        let mut data = String::new();
        while data.len() < 60_000 {
            data.push_str(&entry("x"));
            data.push(',');
        }
        chunk.extend_from_slice(format!("{:x}\r\n{data}\r\n", data.len()).as_bytes());
        Answer::Forever {
            head: b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n[\r\n"
                .to_vec(),
            chunk,
            pause: Duration::ZERO,
        }
    });
    let home = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let r = server.client(home.path()).list_tree(&repo(), Some(COMMIT), None, true, None);
    assert_clear(&r, "endless body");
    assert!(t.elapsed() < Duration::from_secs(60), "endless body took {:?}", t.elapsed());
    let msg = r.unwrap_err().to_string();
    assert!(msg.contains("larger than"), "{msg}");
}

#[test]
fn a_trickling_listing_is_cancelled_promptly() {
    // One byte every 200 ms forever (each read arrives before the read timeout): the caller's
    // cancel token ends it.
    let server = Hostile::start(|_, _| Answer::Forever {
        head: b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(),
        chunk: b"1\r\n \r\n".to_vec(),
        pause: Duration::from_millis(200),
    });
    let home = tempfile::tempdir().unwrap();
    let client = server.client(home.path());
    let cancel = CancelToken::new();
    let c2 = cancel.clone();
    thread::spawn(move || {
        thread::sleep(Duration::from_secs(1));
        c2.cancel();
    });
    let t = Instant::now();
    let r = client.list_tree(&repo(), Some(COMMIT), None, true, Some(&cancel));
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
    assert!(t.elapsed() < Duration::from_secs(3), "cancel took {:?}", t.elapsed());
}

#[test]
fn hostile_listing_entries_are_refused() {
    let long = "a".repeat(100_000);
    let cases: Vec<(&str, String)> = vec![
        ("NUL in a path", format!("[{}]", entry("a\\u0000b"))),
        ("backslash path", format!("[{}]", entry("..\\\\evil"))),
        ("dot segment", format!("[{}]", entry("a/./b"))),
        ("dot-dot in the middle", format!("[{}]", entry("a/../../b"))),
        ("empty path", format!("[{}]", entry(""))),
        ("empty segment", format!("[{}]", entry("a//b"))),
        ("huge path", format!("[{}]", entry(&long))),
        (
            "negative size",
            r#"[{"type":"file","oid":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":-1,"path":"a"}]"#.into(),
        ),
        (
            "size past u64",
            r#"[{"type":"file","oid":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":1e400,"path":"a"}]"#.into(),
        ),
        ("wrong type", r#"[{"type":7,"oid":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":3,"path":"a"}]"#.into()),
        ("null entry", "[null]".into()),
        ("deep nesting", format!("{}{}", "[".repeat(100_000), "]".repeat(100_000))),
        ("not JSON", "<html>hello</html>".into()),
    ];
    for (case, body) in cases {
        let body = Arc::new(body);
        let b = body.clone();
        let server = Hostile::start(move |_, _| json(&b));
        let home = tempfile::tempdir().unwrap();
        let snap = SnapshotRef { repo_id: REPO.into(), revision: Some(COMMIT.into()), ..Default::default() };
        let r = server.client(home.path()).snapshot_download(&snap, SnapshotOptions::default());
        assert_clear(&r, case);
        assert_no_files(home.path(), case);
        let r = server.client(home.path()).list_tree(&repo(), Some(COMMIT), None, true, None);
        assert_clear(&r, case);
    }
}

#[test]
fn hostile_metadata_headers_are_refused() {
    const SHA: &str = "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c"; // sha256("foo\n")
    let huge = "x".repeat(1 << 20);
    let cases: Vec<(&str, Vec<(&'static str, String)>)> = vec![
        ("commit with ../", vec![("X-Repo-Commit", "../../../../tmp/evil".into()), ("ETag", format!("\"{SHA}\""))]),
        ("etag with ../", vec![("X-Repo-Commit", COMMIT.into()), ("ETag", "\"../../evil\"".into())]),
        ("etag with a slash", vec![("X-Repo-Commit", COMMIT.into()), ("X-Linked-Etag", "\"a/b\"".into())]),
        (
            "size past u64",
            vec![
                ("X-Repo-Commit", COMMIT.into()),
                ("X-Linked-Etag", format!("\"{SHA}\"")),
                ("X-Linked-Size", "18446744073709551616".into()),
            ],
        ),
        (
            "negative size",
            vec![
                ("X-Repo-Commit", COMMIT.into()),
                ("X-Linked-Etag", format!("\"{SHA}\"")),
                ("X-Linked-Size", "-4".into()),
            ],
        ),
        (
            "size not a number",
            vec![
                ("X-Repo-Commit", COMMIT.into()),
                ("X-Linked-Etag", format!("\"{SHA}\"")),
                ("X-Linked-Size", "4e3".into()),
            ],
        ),
        (
            "1 MiB header",
            vec![("X-Repo-Commit", COMMIT.into()), ("ETag", format!("\"{SHA}\"")), ("X-Junk", huge.clone())],
        ),
        ("no commit", vec![("ETag", format!("\"{SHA}\""))]),
    ];
    for (case, headers) in cases {
        let headers = Arc::new(headers);
        let h2 = headers.clone();
        let server = Hostile::start(move |_, _| {
            let hs: Vec<(&str, &str)> = h2.iter().map(|(k, v)| (*k, v.as_str())).collect();
            respond("200 OK", &hs, b"foo\n")
        });
        let home = tempfile::tempdir().unwrap();
        let client = server.client(home.path());
        assert_clear(&client.file_metadata(&file("a.bin"), None), case);
        assert_clear(&client.download(&file("a.bin"), DownloadOptions::default()), case);
        assert_no_files(home.path(), case);
    }
}

#[test]
fn raw_protocol_garbage_is_a_clear_error() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("NUL in a header", b"HTTP/1.1 200 OK\r\nX-Repo-Commit: 01\x0023\r\nContent-Length: 0\r\n\r\n".to_vec()),
        ("not HTTP", b"SSH-2.0-OpenSSH_9.6\r\n".to_vec()),
        ("no status line", b"\r\n\r\n".to_vec()),
        ("status 999", b"HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n".to_vec()),
        ("huge content length", b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\nabc".to_vec()),
        ("two content lengths", b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabc".to_vec()),
        ("short body", b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[]".to_vec()),
        ("bad chunk size", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n[]\r\n0\r\n\r\n".to_vec()),
        ("empty answer", Vec::new()),
    ];
    for (case, bytes) in cases {
        let bytes = Arc::new(bytes);
        let b = bytes.clone();
        let server = Hostile::start(move |_, _| Answer::Raw(b.to_vec()));
        let home = tempfile::tempdir().unwrap();
        let client = server.client(home.path());
        let t = Instant::now();
        assert_clear(&client.list_tree(&repo(), Some(COMMIT), None, true, None), case);
        assert_clear(&client.download(&file("a.bin"), DownloadOptions::default()), case);
        assert_clear(&client.repo_info(&repo(), None, None), case);
        assert!(t.elapsed() < Duration::from_secs(30), "{case}: took {:?}", t.elapsed());
        assert_no_files(home.path(), case);
    }
}
