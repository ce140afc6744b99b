//! The HTTP layer on its own: Link-header pagination against the emulator's tree listing, and a
//! request body streamed from a file range.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use hf_hub::http::{Body, Http, Req, RetryPolicy};
use hf_hub::{CancelToken, Config};
use hub_emulator::{Emulator, EmulatorOptions};
use reqwest::{Method, Url};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn http_for(endpoint: &str) -> Http {
    let mut cfg = Config::without_env();
    cfg.endpoint = endpoint.to_string();
    Http::new(&cfg, Url::parse(endpoint).unwrap()).unwrap()
}

#[test]
fn paginated_listing_reads_every_page() {
    let emu = Emulator::start_with(EmulatorOptions { tree_page_size: Some(2), ..Default::default() });
    emu.seed_demo();
    let http = http_for(&emu.hub_url());
    let url =
        Url::parse(&format!("{}/api/models/test-org/test-model/tree/main?recursive=true", emu.hub_url())).unwrap();
    let cancel = CancelToken::new();
    let all: Vec<serde_json::Value> = rt()
        .block_on(http.get_json_pages(url.clone(), None, "tree", RetryPolicy::transient(2), &cancel, 1000, Ok))
        .unwrap();
    let pages = emu.requests().iter().filter(|r| r.path.contains("/tree/")).count();
    assert!(all.len() >= 4, "{} entries", all.len());
    assert_eq!(pages, all.len().div_ceil(2), "one request per page of 2");
    let paths: Vec<&str> = all.iter().filter_map(|e| e["path"].as_str()).collect();
    assert!(paths.contains(&"config.json") && paths.contains(&"subdir/data.txt"), "{paths:?}");
    // A listing longer than the page cap is an error, not a hang.
    let capped = rt().block_on(http.get_json_pages::<serde_json::Value, serde_json::Value>(
        url,
        None,
        "tree",
        RetryPolicy::transient(0),
        &cancel,
        1,
        Ok,
    ));
    assert!(capped.is_err());
}

#[test]
fn request_bodies_stream_from_a_file_range() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("weights.bin");
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    let (offset, len) = (1_000_003u64, 1_500_000u64);

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut content_length = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                content_length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0u8; content_length];
        reader.read_exact(&mut body).unwrap();
        let mut stream = stream;
        stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").unwrap();
        body
    });
    let http = http_for(&format!("http://{addr}"));
    let mut req = Req::new(Method::PUT, Url::parse(&format!("http://{addr}/upload")).unwrap());
    req.body = Body::File { path: path.clone(), offset, len };
    let resp = rt().block_on(http.send(&req)).unwrap();
    assert_eq!(resp.status(), 200);
    let received = server.join().unwrap();
    assert_eq!(received.len() as u64, len, "Content-Length is the range length");
    assert!(received == data[offset as usize..(offset + len) as usize], "the exact bytes of the range");
}
