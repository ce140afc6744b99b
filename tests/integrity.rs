//! Nothing wrong is ever published: a server that lies about content or size gets a checksum
//! error and leaves no blob, pointer or temporary file behind. Uses a tiny hand-written HTTP server
//! so the bytes can be wrong on purpose.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use common::{files_under, sha256_hex};
use hf_hub::{Client, Config, DownloadOptions, Error, FileRef};

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

/// Serve HEAD with LFS headers announcing `announced` (sha256 and size), and GET with `served`.
fn rogue_server(
    announced: &'static [u8],
    announced_size: usize,
    served: &'static [u8],
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    let sha = sha256_hex(announced);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let request_line = line.trim().to_string();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                log2.lock().unwrap().push(request_line.clone());
                let resp = if request_line.starts_with("HEAD") {
                    format!(
                        "HTTP/1.1 200 OK\r\nX-Repo-Commit: {COMMIT}\r\nX-Linked-Etag: \"{sha}\"\r\nX-Linked-Size: {announced_size}\r\nETag: \"x\"\r\nContent-Length: 0\r\n\r\n"
                    )
                    .into_bytes()
                } else {
                    let mut r = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", served.len()).into_bytes();
                    r.extend_from_slice(served);
                    r
                };
                if stream.write_all(&resp).is_err() {
                    break;
                }
            }
        }
    });
    (base, log)
}

fn client(endpoint: &str, home: &std::path::Path) -> Client {
    let mut cfg = Config::without_env();
    cfg.endpoint = endpoint.to_string();
    cfg.set_hf_home(home.to_path_buf());
    cfg.http_retries = 0;
    Client::new(cfg).unwrap()
}

#[test]
fn sha256_mismatch_publishes_nothing() {
    let (base, log) = rogue_server(b"the real weights", 16, b"evil weights!!!!");
    let home = tempfile::tempdir().unwrap();
    let c = client(&base, home.path());
    let e = c.download(&FileRef::new("org/model", "w.bin"), DownloadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Checksum(_)), "{e:?}");
    assert!(e.to_string().contains("SHA-256"), "{e}");
    let repo = home.path().join("hub/models--org--model");
    let left: Vec<String> = files_under(&repo).into_iter().filter(|f| !f.starts_with("refs/")).collect();
    assert!(left.is_empty(), "no blob, pointer or .incomplete: {left:?}");
    assert_eq!(log.lock().unwrap().len(), 2);

    // With verification off the (wrong) bytes are accepted: the switch really switches.
    let opts = DownloadOptions { verify: false, ..Default::default() };
    let p = c.download(&FileRef::new("org/model", "w.bin"), opts).unwrap();
    assert_eq!(std::fs::read(p).unwrap(), b"evil weights!!!!");
}

#[test]
fn short_body_is_a_consistency_error() {
    let (base, _log) = rogue_server(b"0123456789", 10, b"01234");
    let home = tempfile::tempdir().unwrap();
    let c = client(&base, home.path());
    let opts = DownloadOptions { verify: false, ..Default::default() };
    let e = c.download(&FileRef::new("org/model", "w.bin"), opts).unwrap_err();
    assert!(matches!(e, Error::Checksum(_)), "{e:?}");
    assert!(e.to_string().contains("should be 10 bytes"), "{e}");
    let blobs = home.path().join("hub/models--org--model/blobs");
    assert_eq!(std::fs::read_dir(blobs).unwrap().count(), 0);
}

#[test]
fn hostile_etag_and_commit_never_become_paths() {
    // An ETag with a path separator must be refused before anything is written.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut l = String::new();
            while reader.read_line(&mut l).unwrap_or(0) > 0 && l != "\r\n" {
                l.clear();
            }
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nX-Repo-Commit: ../../../../tmp\r\nETag: \"../../evil\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let home = tempfile::tempdir().unwrap();
    let e =
        client(&base, home.path()).download(&FileRef::new("org/model", "x"), DownloadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Metadata(_)), "{e:?}");
    assert!(!home.path().join("hub").exists());
}
