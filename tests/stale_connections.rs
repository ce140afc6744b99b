//! A server that closes a kept-alive connection while the client is idle (as CDNs and load
//! balancers do after a few seconds) must not make the next call fail or wait: the pooled
//! connection is seen to be closed and a new one is opened.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hf_hub::{Client, Config, FileRef};

#[test]
fn idle_connections_closed_by_the_server_are_not_reused() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let acc = accepted.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            acc.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                }
                let commit = "c909c5a94a0a3f7a775c18c29743a7bca90cdbff";
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nx-repo-commit: {commit}\r\netag: \"abc123\"\r\ncontent-length: 5\r\nconnection: keep-alive\r\n\r\n"
                );
                let _ = stream.write_all(answer.as_bytes());
                // Keep-alive promised, then closed while the client is idle.
                std::thread::sleep(Duration::from_millis(50));
            });
        }
    });
    let home = tempfile::tempdir().unwrap();
    let cfg = Config::builder_without_env()
        .endpoint(&format!("http://127.0.0.1:{port}"))
        .hf_home(home.path())
        .build()
        .unwrap();
    let client = Client::new(cfg).unwrap();
    let f = FileRef::new("org/model", "x.txt");
    for i in 0..4 {
        let t0 = Instant::now();
        let m = client.file_metadata(&f, None).unwrap_or_else(|e| panic!("call {i}: {e}"));
        assert_eq!(m.etag, "abc123");
        assert!(t0.elapsed() < Duration::from_millis(500), "call {i} took {:?}", t0.elapsed());
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 4, "one connection per call: closed ones are not reused");
}
