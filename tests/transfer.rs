//! Ranged lanes and resume across processes, against the in-process hub emulator: sizes around
//! the chunk, a server ignoring `Range`, a dropped lane, a corrupted range, the bandwidth cap with
//! several lanes, a SIGKILL mid-download then a rerun, two processes resuming the same blob.
//!
//! The "other process" is this test binary run again on one `#[ignore]`d test (`child_download`),
//! which downloads with the settings it finds in its environment and prints the path.

mod common;

use std::fs;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{files_under, sha256_hex, Env};
use hf_hub::{Client, Config, DownloadOptions, Error, FileRef};
use hub_emulator::{Fault, FaultAction, LoggedRequest, Origin};

const REPO: &str = "test-org/test-model";
const FOLDER: &str = "models--test-org--test-model";
/// The smallest chunk the configuration accepts: many ranges from small files.
const CHUNK: u64 = 64 << 10;
const LANES: u32 = 4;

fn lanes(c: &mut Config) {
    c.lanes = LANES;
    c.lane_chunk = CHUNK;
    c.lanes_min_size = 1;
}

/// Commit `name` (LFS by its extension) with `size` pseudo-random bytes; returns them.
fn add_file(env: &Env, name: &str, size: usize) -> Vec<u8> {
    let data = hub_emulator::pseudo_random_bytes(size, 0x1234_5678 + size as u64);
    env.emu.commit("model", REPO, "main", "add", &[(name, &data)], &[]);
    data
}

fn cdn_gets(env: &Env) -> Vec<LoggedRequest> {
    env.requests().into_iter().filter(|r| r.origin == Origin::Cdn && r.method == "GET").collect()
}

/// `bytes=a-b` → (a, b + 1); `bytes=a-` → (a, size).
fn range_of(r: &LoggedRequest, size: u64) -> (u64, u64) {
    match r.header("range") {
        None => (0, size),
        Some(v) => {
            let (a, b) = v.trim_start_matches("bytes=").split_once('-').unwrap();
            (a.parse().unwrap(), if b.is_empty() { size } else { b.parse::<u64>().unwrap() + 1 })
        }
    }
}

fn requested_bytes(gets: &[LoggedRequest], size: u64) -> u64 {
    gets.iter().map(|r| range_of(r, size)).map(|(a, b)| b - a).sum()
}

fn blobs(env: &Env) -> PathBuf {
    env.repo_dir(FOLDER).join("blobs")
}

#[test]
fn sizes_around_the_chunk_are_exact_and_ranges_tile_the_file() {
    let env = Env::new();
    let client = env.client_with(lanes);
    let c = CHUNK as usize;
    for size in [0, 1, c - 1, c, c + 1, 5 * c + 12345] {
        let name = format!("f{size}.bin");
        let data = add_file(&env, &name, size);
        env.emu.clear_requests();
        let mut last = (0, 0);
        let mut cb = |p: &hf_hub::Progress| {
            last = (p.bytes_done, p.bytes_total);
            true
        };
        let opts = DownloadOptions { progress: Some(&mut cb), ..Default::default() };
        let p = client.download(&FileRef::new(REPO, &name), opts).unwrap();
        assert_eq!(fs::read(&p).unwrap(), data, "size {size}");
        assert_eq!(last, (size as u64, size as u64), "final progress of size {size}");
        let gets =
            if size == 0 { env.requests().into_iter().filter(|r| r.method == "GET").collect() } else { cdn_gets(&env) };
        if size as u64 <= CHUNK {
            assert_eq!(gets.len(), 1, "one stream for size {size}: {gets:#?}");
            assert_eq!(gets[0].header("range"), None);
            continue;
        }
        // Ranged: the probe asks for the first chunk, then every chunk exactly once, 206 each.
        let chunks = (size as u64).div_ceil(CHUNK) as usize;
        assert_eq!(gets.len(), chunks, "size {size}");
        assert_eq!(gets[0].header("range"), Some(format!("bytes=0-{}", CHUNK - 1).as_str()));
        let mut spans: Vec<(u64, u64)> = gets.iter().map(|r| range_of(r, size as u64)).collect();
        spans.sort();
        let mut at = 0;
        for (a, b) in spans {
            assert_eq!(a, at, "ranges tile the file");
            assert!(b - a <= CHUNK);
            at = b;
        }
        assert_eq!(at, size as u64);
        assert!(gets.iter().all(|r| r.status == 206 && r.header("authorization").is_none()));
        assert_eq!(files_under(&blobs(&env)).iter().filter(|n| n.contains("incomplete")).count(), 0);
    }
}

#[test]
fn a_server_ignoring_range_is_read_as_one_stream() {
    let env = Env::new();
    let data = add_file(&env, "big.bin", 10 * CHUNK as usize + 7);
    env.emu.add_fault(Fault::new(FaultAction::IgnoreRange).origin(Origin::Cdn));
    env.emu.clear_requests();
    let p = env.client_with(lanes).download(&FileRef::new(REPO, "big.bin"), DownloadOptions::default()).unwrap();
    assert_eq!(fs::read(&p).unwrap(), data);
    let gets = cdn_gets(&env);
    assert_eq!(gets.len(), 1, "the 200 answer to the probe is the whole file: {gets:#?}");
    assert_eq!(gets[0].status, 200);
}

#[test]
fn a_wrong_content_range_falls_back_to_one_stream() {
    let env = Env::new();
    let size = 6 * CHUNK as usize + 1;
    let data = add_file(&env, "big.bin", size);
    // The probe's answer claims another range.
    let wrong = FaultAction::Respond {
        status: 206,
        headers: vec![("content-range".into(), format!("bytes 5-10/{size}"))],
        body: "xxxxxx".into(),
    };
    env.emu.add_fault(Fault::new(wrong).origin(Origin::Cdn).times(1));
    env.emu.clear_requests();
    let p = env.client_with(lanes).download(&FileRef::new(REPO, "big.bin"), DownloadOptions::default()).unwrap();
    assert_eq!(fs::read(&p).unwrap(), data);
    let gets = cdn_gets(&env);
    assert_eq!(gets.len(), 2, "{gets:#?}");
    assert_eq!((gets[1].header("range"), gets[1].status), (None, 200));
}

#[test]
fn a_dropped_lane_retries_the_rest_of_its_range() {
    let env = Env::new();
    let data = add_file(&env, "big.bin", 8 * CHUNK as usize);
    let third = format!("bytes={}-", 2 * CHUNK);
    env.emu
        .add_fault(Fault::new(FaultAction::DropAfterBytes(10_000)).origin(Origin::Cdn).range_contains(&third).times(1));
    env.emu.clear_requests();
    let p = env.client_with(lanes).download(&FileRef::new(REPO, "big.bin"), DownloadOptions::default()).unwrap();
    assert_eq!(fs::read(&p).unwrap(), data);
    let gets = cdn_gets(&env);
    assert_eq!(gets.len(), 9, "8 chunks and one retry: {gets:#?}");
    let retry = gets.iter().find(|r| {
        let (a, b) = range_of(r, data.len() as u64);
        a > 2 * CHUNK && a < 3 * CHUNK && b == 3 * CHUNK
    });
    let (from, _) = range_of(retry.expect("the lane asked again for the rest of its range"), data.len() as u64);
    assert!(from <= 2 * CHUNK + 10_000, "nothing received was lost: from {from}");
}

#[test]
fn a_corrupted_range_is_caught_and_nothing_is_published() {
    let env = Env::new();
    add_file(&env, "big.bin", 6 * CHUNK as usize);
    let second = format!("bytes={CHUNK}-");
    env.emu.add_fault(Fault::new(FaultAction::CorruptAt(100)).origin(Origin::Cdn).range_contains(&second).times(1));
    let client = env.client_with(lanes);
    let e = client.download(&FileRef::new(REPO, "big.bin"), DownloadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Checksum(_)), "{e:?}");
    assert!(files_under(&blobs(&env)).is_empty(), "no blob, no incomplete file, no journal");
    assert!(!env
        .repo_dir(FOLDER)
        .join("snapshots")
        .join(env.emu.resolve("model", REPO, "main").unwrap())
        .join("big.bin")
        .exists());
    // The fault is spent: the next call downloads it right.
    client.download(&FileRef::new(REPO, "big.bin"), DownloadOptions::default()).unwrap();
}

/// The cap holds with several lanes (one bucket for all of them), within 10%.
#[test]
fn bandwidth_cap_holds_with_several_lanes() {
    let env = Env::new();
    let data = add_file(&env, "big.bin", 64 * CHUNK as usize); // 4 MiB
    let rate = 1_000_000u64;
    let client = env.client_with(|c| {
        lanes(c);
        c.max_bytes_per_sec = Some(rate);
    });
    let t0 = Instant::now();
    client.download(&FileRef::new(REPO, "big.bin"), DownloadOptions::default()).unwrap();
    let took = t0.elapsed().as_secs_f64();
    let expected = data.len() as f64 / rate as f64;
    assert!(took > expected * 0.9 && took < expected * 1.1, "{took:.2} s, expected ≈{expected:.2} s");
    assert!(cdn_gets(&env).len() >= 64, "it went through the lanes");
}

// ---- across processes ---------------------------------------------------------------------------

/// Not a test on its own: the other process of the tests below (does nothing unless told to).
#[test]
#[ignore]
fn child_download() {
    let (Ok(endpoint), Ok(home), Ok(file)) =
        (std::env::var("LANES_CHILD_ENDPOINT"), std::env::var("LANES_CHILD_HOME"), std::env::var("LANES_CHILD_FILE"))
    else {
        return;
    };
    let mut cfg = Config::without_env();
    cfg.endpoint = endpoint;
    cfg.set_hf_home(PathBuf::from(home));
    cfg.http_retries = 0;
    lanes(&mut cfg);
    let p = Client::new(cfg).unwrap().download(&FileRef::new(REPO, &file), DownloadOptions::default()).unwrap();
    println!("PATH={}", p.display());
}

fn spawn_child(env: &Env, file: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "child_download", "--nocapture", "--test-threads=1"])
        .env("LANES_CHILD_ENDPOINT", env.emu.hub_url())
        .env("LANES_CHILD_HOME", env.home.path())
        .env("LANES_CHILD_FILE", file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn child_path(c: Child) -> PathBuf {
    let out = c.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "child failed: {text}\n{}", String::from_utf8_lossy(&out.stderr));
    let line =
        text.lines().find_map(|l| l.split_once("PATH=").map(|(_, p)| p)).unwrap_or_else(|| panic!("no path in {text}"));
    PathBuf::from(line)
}

/// Start a download in another process, slowed down, and SIGKILL it once its journal records at
/// least `records` ranges. Returns the file's bytes.
fn killed_mid_download(env: &Env, name: &str, size: usize, records: u64) -> Vec<u8> {
    let data = add_file(env, name, size);
    let journal = blobs(env).join(format!("{}.journal.incomplete", sha256_hex(&data)));
    env.emu.add_fault(Fault::new(FaultAction::Throttle { bytes_per_sec: 400_000 }).origin(Origin::Cdn));
    let mut child = spawn_child(env, name);
    let header = 8 + 8 + 2 + 64 + 8;
    let t0 = Instant::now();
    while fs::metadata(&journal).map(|m| m.len()).unwrap_or(0) < header + 24 * records {
        assert!(t0.elapsed() < Duration::from_secs(30), "the child made no progress");
        assert!(child.try_wait().unwrap().is_none(), "the child ended before it was killed");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    env.emu.clear_faults();
    env.emu.clear_requests();
    assert!(journal.exists());
    data
}

#[test]
fn a_killed_download_is_resumed_by_the_next_process() {
    let env = Env::new();
    let size = 40 * CHUNK as usize + 99;
    let data = killed_mid_download(&env, "big.bin", size, 3);
    let sha = sha256_hex(&data);
    // Our scan lists both leftovers; nothing is published.
    let client = env.client_with(lanes);
    let info = client.cache_scan().unwrap();
    let names: Vec<String> =
        info.incomplete.iter().map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec![format!("{sha}.journal.incomplete"), format!("{sha}.part.incomplete")]);
    assert!(!blobs(&env).join(&sha).exists());

    let p = client.download(&FileRef::new(REPO, "big.bin"), DownloadOptions::default()).unwrap();
    assert_eq!(fs::read(&p).unwrap(), data, "exact bytes");
    assert_eq!(files_under(&blobs(&env)), vec![sha.clone()], "journal and incomplete file gone");
    let fetched = requested_bytes(&cdn_gets(&env), size as u64);
    assert!(fetched <= size as u64 - 3 * CHUNK, "the rerun fetched {fetched} of {size} bytes");
}

#[test]
fn a_corrupt_journal_is_discarded_with_its_data() {
    let env = Env::new();
    let size = 40 * CHUNK as usize;
    let data = killed_mid_download(&env, "big.bin", size, 2);
    let journal = blobs(&env).join(format!("{}.journal.incomplete", sha256_hex(&data)));
    let mut j = fs::read(&journal).unwrap();
    let last = j.len() - 1;
    j[last] ^= 1;
    fs::write(&journal, j).unwrap();
    let p = env.client_with(lanes).download(&FileRef::new(REPO, "big.bin"), DownloadOptions::default()).unwrap();
    assert_eq!(fs::read(&p).unwrap(), data);
    assert_eq!(requested_bytes(&cdn_gets(&env), size as u64), size as u64, "everything fetched again");
}

#[test]
fn two_processes_resume_the_same_blob_at_once() {
    let env = Env::new();
    let size = 40 * CHUNK as usize;
    let data = killed_mid_download(&env, "big.bin", size, 2);
    let (a, b) = (spawn_child(&env, "big.bin"), spawn_child(&env, "big.bin"));
    let (pa, pb) = (child_path(a), child_path(b));
    assert_eq!(pa, pb);
    assert_eq!(fs::read(&pa).unwrap(), data);
    assert_eq!(files_under(&blobs(&env)), vec![sha256_hex(&data)]);
    // One of them fetched the rest while the other waited on the lock, then found the blob.
    let fetched = requested_bytes(&cdn_gets(&env), size as u64);
    assert!(fetched < size as u64, "the rest was fetched once: {fetched} of {size} bytes");
}

#[test]
fn leftovers_of_other_writers_are_never_resumed_from() {
    let env = Env::new();
    let data = add_file(&env, "big.bin", 8 * CHUNK as usize);
    let sha = sha256_hex(&data);
    let dir = blobs(&env);
    fs::create_dir_all(&dir).unwrap();
    let python = dir.join(format!("{sha}.1a2b3c4d.incomplete"));
    let llama = dir.join(format!("{sha}.downloadInProgress"));
    fs::write(&python, vec![0u8; 3 * CHUNK as usize]).unwrap();
    fs::write(&llama, b"partial").unwrap();
    // Python <= 1.17's `<etag>.incomplete` (a prefix it appends to): garbage here.
    let old_python = dir.join(format!("{sha}.incomplete"));
    fs::write(&old_python, vec![7u8; 2 * CHUNK as usize]).unwrap();
    // Our own data file without its journal: garbage of the right size.
    fs::write(dir.join(format!("{sha}.part.incomplete")), vec![7u8; data.len()]).unwrap();
    env.emu.clear_requests();
    let p = env.client_with(lanes).download(&FileRef::new(REPO, "big.bin"), DownloadOptions::default()).unwrap();
    assert_eq!(fs::read(&p).unwrap(), data);
    assert_eq!(requested_bytes(&cdn_gets(&env), data.len() as u64), data.len() as u64, "nothing resumed");
    assert!(python.exists() && llama.exists() && old_python.exists(), "other writers' files are left alone");
    assert_eq!(fs::read(&old_python).unwrap(), vec![7u8; 2 * CHUNK as usize]);
    assert!(!dir.join(format!("{sha}.part.incomplete")).exists());
}

#[test]
fn prune_removes_the_journal_with_the_incomplete_file() {
    let env = Env::new();
    let data = killed_mid_download(&env, "big.bin", 40 * CHUNK as usize, 1);
    let client = env.client_with(lanes);
    let info = client.cache_scan().unwrap();
    assert_eq!(info.incomplete.len(), 2);
    let report = client.cache_execute(&info.plan_prune());
    assert!(report.warnings.is_empty() && report.skipped.is_empty(), "{report:?}");
    assert_eq!(report.deleted.len(), 2, "{report:?}");
    let left: Vec<String> = files_under(&blobs(&env));
    assert!(left.is_empty(), "{left:?}");
    // The next download starts from nothing.
    let p = client.download(&FileRef::new(REPO, "big.bin"), DownloadOptions::default()).unwrap();
    assert_eq!(fs::read(p).unwrap(), data);
}

#[test]
fn a_cancel_keeps_every_lane_s_bytes_for_the_next_call() {
    let env = Env::new();
    let size = 32 * CHUNK as usize;
    let data = add_file(&env, "big.bin", size);
    env.emu.add_fault(Fault::new(FaultAction::Throttle { bytes_per_sec: 300_000 }).origin(Origin::Cdn));
    let client = env.client_with(lanes);
    let mut cb = |p: &hf_hub::Progress| p.bytes_done < 6 * CHUNK;
    let opts = DownloadOptions { progress: Some(&mut cb), ..Default::default() };
    let e = client.download(&FileRef::new(REPO, "big.bin"), opts).unwrap_err();
    assert!(matches!(e, Error::Cancelled), "{e:?}");
    env.emu.clear_faults();
    env.emu.clear_requests();
    let p = client.download(&FileRef::new(REPO, "big.bin"), DownloadOptions::default()).unwrap();
    assert_eq!(fs::read(&p).unwrap(), data);
    // Every byte received before the cancel was journaled (ranges in flight included).
    let fetched = requested_bytes(&cdn_gets(&env), size as u64);
    assert!(fetched <= size as u64 - 6 * CHUNK, "the rerun fetched {fetched} of {size} bytes");
}

#[test]
fn durable_downloads_go_through_the_lanes_too() {
    let env = Env::new();
    let data = add_file(&env, "big.bin", 20 * CHUNK as usize + 5);
    let client = env.client_with(|c| {
        lanes(c);
        c.durable = true;
    });
    let p = client.download(&FileRef::new(REPO, "big.bin"), DownloadOptions::default()).unwrap();
    assert_eq!(fs::read(&p).unwrap(), data);
    assert_eq!(cdn_gets(&env).len(), 21);
}
