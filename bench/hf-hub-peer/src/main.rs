//! hf_hub_peer: the `hf-hub` crate 1.0.0 (blocking API) as a benchmark peer, the twin of
//! bench/hf_bench.c and bench/py_bench.py (same arguments, same JSON line).
//!
//!   hf_hub_peer [--revision REV] [--repeat N] [--warmup] REPO_ID FILE...   download_file per file
//!   hf_hub_peer --snapshot [--revision REV] [--max-workers N] REPO_ID      one snapshot_download
//!
//! Configured from the environment like the other clients: `HF_ENDPOINT` (the Hub URL) and
//! `HF_HOME` (cache in `$HF_HOME/hub`), read by `HFClientSync::new()`.

use std::time::Instant;

use hf_hub::HFClientSync;

fn die(msg: String) -> ! {
    eprintln!("hf_hub_peer: {msg}");
    std::process::exit(1)
}

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let (mut revision, mut repeat, mut warmup, mut snapshot, mut max_workers) = (None, 1usize, false, false, None);
    while let Some(a) = args.peek().filter(|a| a.starts_with("--")).cloned() {
        args.next();
        let mut val = |name: &str| args.next().unwrap_or_else(|| die(format!("{name} needs a value")));
        match a.as_str() {
            "--revision" => revision = Some(val("--revision")),
            "--repeat" => repeat = val("--repeat").parse().unwrap_or_else(|e| die(format!("--repeat: {e}"))),
            "--max-workers" => {
                max_workers = Some(val("--max-workers").parse().unwrap_or_else(|e| die(format!("--max-workers: {e}"))))
            }
            "--warmup" => warmup = true,
            "--snapshot" => snapshot = true,
            _ => die(format!("unknown option {a}")),
        }
    }
    let rest: Vec<String> = args.collect();
    if rest.is_empty() || (!snapshot && rest.len() < 2) || repeat == 0 {
        die("usage: hf_hub_peer [--revision REV] [--repeat N] [--warmup] REPO_ID FILE... | --snapshot REPO_ID".into());
    }
    let (owner, name) = rest[0].split_once('/').unwrap_or_else(|| die(format!("{}: expected OWNER/NAME", rest[0])));

    let t0 = Instant::now();
    let client = HFClientSync::new().unwrap_or_else(|e| die(format!("client: {e}")));
    let repo = client.model(owner, name);
    let client_new = t0.elapsed().as_secs_f64();

    if snapshot {
        let start = Instant::now();
        let dir = repo
            .snapshot_download()
            .maybe_revision(revision)
            .maybe_max_workers(max_workers)
            .send()
            .unwrap_or_else(|e| die(format!("snapshot_download: {e}")));
        let total = start.elapsed().as_secs_f64();
        println!(
            "{{\"client_new_s\":{client_new:.9},\"calls\":1,\"total_s\":{total:.9},\"call_min_s\":{total:.9},\
             \"call_p50_s\":{total:.9},\"call_max_s\":{total:.9},\"path\":{:?}}}",
            dir.display().to_string()
        );
        return;
    }

    let files = &rest[1..];
    let download = |f: &str| {
        repo.download_file()
            .filename(f)
            .maybe_revision(revision.clone())
            .send()
            .unwrap_or_else(|e| die(format!("{f}: {e}")))
    };
    if warmup {
        download(&files[0]);
    }
    let mut lat = Vec::with_capacity(files.len() * repeat);
    let start = Instant::now();
    for _ in 0..repeat {
        for f in files {
            let c0 = Instant::now();
            download(f);
            lat.push(c0.elapsed().as_secs_f64());
        }
    }
    let total = start.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    println!(
        "{{\"client_new_s\":{client_new:.9},\"calls\":{},\"total_s\":{total:.9},\"call_min_s\":{:.9},\
         \"call_p50_s\":{:.9},\"call_max_s\":{:.9}}}",
        lat.len(),
        lat[0],
        lat[lat.len() / 2],
        lat[lat.len() - 1]
    );
}
