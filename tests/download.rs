//! Single-file download against the in-process hub emulator: requests sent and files written.

mod common;

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{files_under, git_blob_sha1, sha256_hex, Env};
use hf_hub::{CacheLookup, CancelToken, DownloadOptions, Error, FileRef, RepoType};
use hub_emulator::{Fault, FaultAction, Origin, DEMO_TOKEN};

const REPO: &str = "test-org/test-model";
const FOLDER: &str = "models--test-org--test-model";

#[test]
fn regular_file_cold_cache_layout_and_requests() {
    let env = Env::new();
    let client = env.client();
    let path = client.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    let content = env.emu.file("model", REPO, "main", "config.json").unwrap();
    let sha1 = git_blob_sha1(&content);

    let repo_dir = env.repo_dir(FOLDER);
    assert_eq!(path, repo_dir.join("snapshots").join(&env.commit).join("config.json"));
    assert_eq!(fs::read(&path).unwrap(), content);
    assert_eq!(fs::read_link(&path).unwrap(), PathBuf::from(format!("../../blobs/{sha1}")));
    assert_eq!(fs::read(repo_dir.join("refs/main")).unwrap(), env.commit.as_bytes(), "40 hex, no newline");
    assert!(env.cache().join(format!(".locks/{FOLDER}/{sha1}.lock")).is_file());
    assert_eq!(fs::read_to_string(env.cache().join("CACHEDIR.TAG")).unwrap().len(), 191);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(repo_dir.join("blobs").join(&sha1)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o600, 0o600, "blob readable and writable by its owner: {mode:o}");
    }
    assert_eq!(
        files_under(&repo_dir),
        vec![format!("blobs/{sha1}"), "refs/main".to_string(), format!("snapshots/{}/config.json", env.commit)]
    );

    let reqs = env.requests();
    let seq: Vec<(Origin, &str, &str)> = reqs.iter().map(|r| (r.origin, r.method.as_str(), r.path.as_str())).collect();
    assert_eq!(
        seq,
        vec![
            (Origin::Hub, "HEAD", "/test-org/test-model/resolve/main/config.json"),
            (Origin::Hub, "GET", "/test-org/test-model/resolve/main/config.json"),
        ]
    );
    for r in &reqs {
        assert_eq!(r.header("authorization"), Some(format!("Bearer {DEMO_TOKEN}").as_str()));
        assert_eq!(r.header("accept-encoding"), Some("identity"));
        assert!(r.header("user-agent").unwrap().contains("hf_hub_c/"), "{:?}", r.header("user-agent"));
    }
}

#[test]
fn lfs_file_goes_to_cdn_without_token_and_is_verified() {
    let env = Env::new();
    let client = env.client();
    let path = client.download(&FileRef::new(REPO, "model.safetensors"), DownloadOptions::default()).unwrap();
    let content = env.emu.file("model", REPO, "main", "model.safetensors").unwrap();
    let sha = sha256_hex(&content);
    assert_eq!(fs::read(&path).unwrap(), content);
    assert_eq!(fs::read_link(&path).unwrap(), PathBuf::from(format!("../../blobs/{sha}")));

    let reqs = env.requests();
    assert_eq!(reqs.len(), 2, "{reqs:#?}");
    assert_eq!((reqs[0].origin, reqs[0].method.as_str(), reqs[0].status), (Origin::Hub, "HEAD", 302));
    assert!(reqs[0].header("authorization").is_some(), "the Hub gets the token");
    assert_eq!((reqs[1].origin, reqs[1].method.as_str(), reqs[1].status), (Origin::Cdn, "GET", 200));
    assert_eq!(reqs[1].header("authorization"), None, "the token never goes to the CDN origin");
    assert!(reqs[1].path.ends_with(&sha));
}

#[test]
fn cache_hit_on_branch_sends_one_head_and_commit_pin_sends_nothing() {
    let env = Env::new();
    let client = env.client();
    let p1 = client.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    env.emu.clear_requests();
    let p2 = client.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    assert_eq!(p1, p2);
    let reqs = env.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "HEAD");

    env.emu.clear_requests();
    let p3 =
        client.download(&FileRef::new(REPO, "config.json").revision(&env.commit), DownloadOptions::default()).unwrap();
    assert_eq!(p1, p3);
    assert!(env.requests().is_empty(), "a commit-pinned cache hit makes zero requests");
}

#[test]
fn offline_mode_serves_cache_and_fails_cleanly_otherwise() {
    let env = Env::new();
    env.client().download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    env.emu.clear_requests();
    let offline = env.client_with(|c| c.offline = true);
    let p = offline.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    assert!(p.ends_with("config.json"));
    let err = offline.download(&FileRef::new(REPO, "README.md"), DownloadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::Offline(_)), "{err:?}");
    assert!(err.to_string().contains("README.md"));
    // local_files_only behaves the same on an online client.
    let online = env.client();
    let opts = DownloadOptions { local_files_only: true, ..Default::default() };
    assert!(online.download(&FileRef::new(REPO, "config.json"), opts).is_ok());
    let opts = DownloadOptions { local_files_only: true, ..Default::default() };
    assert!(matches!(online.download(&FileRef::new(REPO, "README.md"), opts), Err(Error::Offline(_))));
    let opts = DownloadOptions { local_files_only: true, force_download: true, ..Default::default() };
    assert!(matches!(online.download(&FileRef::new(REPO, "config.json"), opts), Err(Error::InvalidArgument(_))));
    assert!(env.requests().is_empty(), "offline and local-only never touch the network");
}

#[test]
fn missing_file_writes_no_exist_marker_and_ref() {
    let env = Env::new();
    let client = env.client();
    let err = client
        .download(&FileRef::new(REPO, "missing.txt").revision("refs/pr/1"), DownloadOptions::default())
        .unwrap_err();
    // refs/pr/1 does not exist in the fixture: the revision error comes first.
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");

    let (_, pr_commit) = env.emu.create_pr("model", REPO, &[("pr.txt", b"pr")]);
    let err = client
        .download(&FileRef::new(REPO, "missing.txt").revision("refs/pr/1"), DownloadOptions::default())
        .unwrap_err();
    assert!(matches!(err, Error::EntryNotFound(_)), "{err:?}");
    assert_eq!(err.http_status(), 404);
    assert!(err.to_string().contains("missing.txt in test-org/test-model at revision refs/pr/1"), "{err}");
    let repo_dir = env.repo_dir(FOLDER);
    assert!(repo_dir.join(".no_exist").join(&pr_commit).join("missing.txt").is_file());
    assert_eq!(fs::read(repo_dir.join("refs/refs/pr/1")).unwrap(), pr_commit.as_bytes());
    assert!(env.requests().iter().any(|r| r.path == "/test-org/test-model/resolve/refs%2Fpr%2F1/missing.txt"));
    assert_eq!(
        client.try_load_from_cache(&FileRef::new(REPO, "missing.txt").revision("refs/pr/1")).unwrap(),
        CacheLookup::KnownMissing
    );
    assert_eq!(
        client.try_load_from_cache(&FileRef::new(REPO, "other.txt").revision("refs/pr/1")).unwrap(),
        CacheLookup::Unknown
    );
    // The PR file itself downloads under the PR commit.
    let p = client.download(&FileRef::new(REPO, "pr.txt").revision("refs/pr/1"), DownloadOptions::default()).unwrap();
    assert!(p.to_string_lossy().contains(&pr_commit));
    assert_eq!(
        client.try_load_from_cache(&FileRef::new(REPO, "pr.txt").revision("refs/pr/1")).unwrap(),
        CacheLookup::Found(p)
    );
}

#[test]
fn each_refusal_has_its_own_error() {
    let env = Env::new();
    let client = env.client();
    env.emu.add_user("hf_outsidertoken0123456789", "outsider", &[]);
    let outsider = env.client_with(|c| c.token = Some("hf_outsidertoken0123456789".into()));
    let e = outsider
        .download(&FileRef::new("test-org/gated-model", "config.json"), DownloadOptions::default())
        .unwrap_err();
    assert!(matches!(e, Error::Gated(_)), "{e:?}");
    assert_eq!(e.http_status(), 403);
    let e = client.download(&FileRef::new("nobody/nothing", "config.json"), DownloadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::RepoNotFound(_)), "{e:?}");
    assert!(e.request_id().is_some(), "the server's request id is kept");
    let e = client
        .download(&FileRef::new(REPO, "config.json").revision("no-such-branch"), DownloadOptions::default())
        .unwrap_err();
    assert!(matches!(e, Error::RevisionNotFound(_)), "{e:?}");
    let bad = env.client_with(|c| c.token = Some("hf_wrongtoken".into()));
    let e = bad.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Unauthorized(_)), "{e:?}");
    assert!(!e.to_string().contains("hf_wrongtoken"), "the token never appears in messages");
    let anon = env.client_with(|c| c.token = None);
    let e =
        anon.download(&FileRef::new("test-org/private-model", "config.json"), DownloadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::RepoNotFound(_)), "{e:?}");
    let e =
        anon.download(&FileRef::new("test-org/gated-model", "config.json"), DownloadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Gated(_)), "{e:?}");
    // A member of the owning org reads both.
    assert!(client.download(&FileRef::new("test-org/gated-model", "config.json"), DownloadOptions::default()).is_ok());
    assert!(client
        .download(&FileRef::new("test-org/private-model", "config.json"), DownloadOptions::default())
        .is_ok());
    // Invalid inputs are refused before any request.
    env.emu.clear_requests();
    for (repo, file) in [("a/b/c", "x"), ("org/m", "../x"), ("org/m", "/etc/passwd"), ("org/m", "C:\\x")] {
        let e = client.download(&FileRef::new(repo, file), DownloadOptions::default()).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{repo} {file}: {e:?}");
    }
    assert!(env.requests().is_empty());
}

#[test]
fn cancel_from_the_progress_callback_keeps_what_was_written_for_the_next_call() {
    let env = Env::new();
    env.emu.add_fault(Fault::new(FaultAction::Throttle { bytes_per_sec: 2_000_000 }).origin(Origin::Cdn));
    let client = env.client();
    let mut calls = 0u32;
    let mut seen_total = 0u64;
    let mut cb = |p: &hf_hub::Progress| {
        calls += 1;
        seen_total = p.bytes_total;
        assert_eq!(p.filename, "model.safetensors");
        p.bytes_done < 100_000
    };
    let opts = DownloadOptions { progress: Some(&mut cb), ..Default::default() };
    let err = client.download(&FileRef::new(REPO, "model.safetensors"), opts).unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert!(calls >= 2);
    assert_eq!(seen_total, 1 << 20);
    let content = env.emu.file("model", REPO, "main", "model.safetensors").unwrap();
    let sha = sha256_hex(&content);
    let blobs = env.repo_dir(FOLDER).join("blobs");
    assert_eq!(
        files_under(&blobs),
        vec![format!("{sha}.journal.incomplete"), format!("{sha}.part.incomplete")],
        "no blob; the incomplete file and its journal are kept for the next call"
    );
    assert!(!env.repo_dir(FOLDER).join("snapshots").join(&env.commit).join("model.safetensors").exists());

    // The next call fetches only the rest, and publishes the verified whole.
    env.emu.clear_faults();
    env.emu.clear_requests();
    let p = client.download(&FileRef::new(REPO, "model.safetensors"), DownloadOptions::default()).unwrap();
    assert_eq!(fs::read(&p).unwrap(), content);
    assert_eq!(files_under(&blobs), vec![sha.clone()]);
    let gets: Vec<_> = env.requests().into_iter().filter(|r| r.origin == Origin::Cdn).collect();
    assert_eq!(gets.len(), 1, "{gets:#?}");
    let from: u64 =
        gets[0].header("range").unwrap().trim_start_matches("bytes=").trim_end_matches('-').parse().unwrap();
    assert!((100_000..1 << 20).contains(&from), "resumed from {from}");
}

#[test]
fn cancel_from_another_thread() {
    let env = Env::new();
    env.emu.add_fault(Fault::new(FaultAction::Throttle { bytes_per_sec: 100_000 }).origin(Origin::Cdn));
    let client = env.client();
    let token = CancelToken::new();
    let t2 = token.clone();
    let done = Arc::new(AtomicU64::new(0));
    let d2 = done.clone();
    let canceller = std::thread::spawn(move || {
        while d2.load(Ordering::SeqCst) == 0 {
            std::thread::sleep(Duration::from_millis(10));
        }
        t2.cancel();
    });
    let mut cb = |p: &hf_hub::Progress| {
        done.store(p.bytes_done.max(1), Ordering::SeqCst);
        true
    };
    let start = Instant::now();
    let opts = DownloadOptions { progress: Some(&mut cb), cancel: Some(&token), ..Default::default() };
    let err = client.download(&FileRef::new(REPO, "model.safetensors"), opts).unwrap_err();
    canceller.join().unwrap();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(5), "cancellation is prompt: {:?}", start.elapsed());
    let names = files_under(&env.repo_dir(FOLDER).join("blobs"));
    assert!(names.iter().all(|n| n.ends_with(".incomplete")), "nothing published: {names:?}");
}

#[test]
fn hub_failure_falls_back_to_cache_and_fails_without_it() {
    let env = Env::new();
    let client = env.client();
    let cached = client.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    env.emu.add_fault(Fault::new(FaultAction::Status(503)).origin(Origin::Hub));
    env.emu.clear_requests();
    assert_eq!(client.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap(), cached);
    let e = client.download(&FileRef::new(REPO, "README.md"), DownloadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Http(_)), "{e:?}");
    assert_eq!(e.http_status(), 503);
    // A private repo that now answers 401 still serves what is cached (Python's rule).
    env.emu.clear_faults();
    let priv_path =
        client.download(&FileRef::new("test-org/private-model", "config.json"), DownloadOptions::default()).unwrap();
    let anon = env.client_with(|c| c.token = None);
    assert_eq!(
        anon.download(&FileRef::new("test-org/private-model", "config.json"), DownloadOptions::default()).unwrap(),
        priv_path
    );
    // An unreachable endpoint: the cached file, else a network error that names the file.
    let dead = env.client_with(|c| c.endpoint = "http://127.0.0.1:9".into());
    assert_eq!(dead.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap(), cached);
    let e = dead.download(&FileRef::new(REPO, "README.md"), DownloadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Network(_)), "{e:?}");
    assert!(e.to_string().contains("README.md"));
}

#[test]
fn patient_retry_recovers_from_a_transient_5xx() {
    let env = Env::new();
    env.emu.add_fault(Fault::new(FaultAction::Status(503)).origin(Origin::Hub).method("HEAD").times(1));
    let client = env.client_with(|c| c.http_retries = 2);
    let start = Instant::now();
    let p = client.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    assert!(p.exists());
    assert!(start.elapsed() >= Duration::from_millis(750), "waited for the backoff (1 s, jitter ±20%)");
    assert_eq!(env.count(Origin::Hub, "HEAD"), 2);
}

#[test]
fn dropped_connection_resumes_with_range() {
    let env = Env::new();
    env.emu.add_fault(Fault::new(FaultAction::DropAfterBytes(300_000)).origin(Origin::Cdn).times(1));
    let client = env.client();
    let p = client.download(&FileRef::new(REPO, "model.safetensors"), DownloadOptions::default()).unwrap();
    assert_eq!(fs::read(&p).unwrap(), env.emu.file("model", REPO, "main", "model.safetensors").unwrap());
    let gets: Vec<_> = env.requests().into_iter().filter(|r| r.origin == Origin::Cdn).collect();
    assert_eq!(gets.len(), 2, "{gets:#?}");
    assert_eq!(gets[0].header("range"), None);
    let range = gets[1].header("range").expect("the retry resumes");
    let from: u64 = range.trim_start_matches("bytes=").trim_end_matches('-').parse().unwrap();
    assert!(from > 0 && from <= 300_000, "{range}");
    assert_eq!(gets[1].status, 206);
}

#[test]
fn a_server_ignoring_range_restarts_from_zero() {
    let env = Env::new();
    env.emu.add_fault(Fault::new(FaultAction::DropAfterBytes(200_000)).origin(Origin::Cdn).times(1));
    env.emu.add_fault(Fault::new(FaultAction::IgnoreRange).origin(Origin::Cdn));
    let p = env.client().download(&FileRef::new(REPO, "model.safetensors"), DownloadOptions::default()).unwrap();
    assert_eq!(fs::read(&p).unwrap(), env.emu.file("model", REPO, "main", "model.safetensors").unwrap());
}

#[test]
fn missing_metadata_is_reported() {
    let env = Env::new();
    env.emu.add_fault(Fault::new(FaultAction::OmitHeader("x-repo-commit".into())).method("HEAD"));
    let e = env.client().download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Metadata(_)), "{e:?}");
    assert!(!env.repo_dir(FOLDER).join("blobs").exists());
}

#[test]
fn subfolder_dataset_and_force_download() {
    let env = Env::new();
    let client = env.client();
    let p = client.download(&FileRef::new(REPO, "data.txt").subfolder("subdir"), DownloadOptions::default()).unwrap();
    let sha1 = git_blob_sha1(b"hello from subdir/data.txt\n");
    assert!(p.ends_with("subdir/data.txt"));
    assert_eq!(fs::read_link(&p).unwrap(), PathBuf::from(format!("../../../blobs/{sha1}")));

    let file = FileRef::new("test-org/test-dataset", "data/train.csv").repo_type(RepoType::Dataset);
    let p = client.download(&file, DownloadOptions::default()).unwrap();
    assert!(p.starts_with(env.cache().join("datasets--test-org--test-dataset/snapshots")));
    assert!(env.requests().iter().any(|r| r.path == "/datasets/test-org/test-dataset/resolve/main/data/train.csv"));

    env.emu.clear_requests();
    let opts = DownloadOptions { force_download: true, ..Default::default() };
    client.download(&FileRef::new(REPO, "subdir/data.txt"), opts).unwrap();
    assert_eq!(env.count(Origin::Hub, "GET"), 1, "force_download fetches again");
}

#[test]
fn new_commit_on_branch_moves_the_ref_and_keeps_old_snapshot() {
    let env = Env::new();
    let client = env.client();
    let old = client.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    let new_commit = env.emu.commit("model", REPO, "main", "update", &[("config.json", b"{\"v\": 2}\n")], &[]);
    let new = client.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    assert_ne!(old, new);
    assert_eq!(fs::read(&new).unwrap(), b"{\"v\": 2}\n");
    assert_eq!(fs::read(old).unwrap(), env.emu.file("model", REPO, &env.commit, "config.json").unwrap());
    assert_eq!(fs::read(env.repo_dir(FOLDER).join("refs/main")).unwrap(), new_commit.as_bytes());
    // A tag resolves and gets its own ref.
    env.emu.create_tag("model", REPO, "v1", &env.commit);
    let tagged =
        client.download(&FileRef::new(REPO, "config.json").revision("v1"), DownloadOptions::default()).unwrap();
    assert!(tagged.to_string_lossy().contains(&env.commit));
    assert_eq!(fs::read(env.repo_dir(FOLDER).join("refs/v1")).unwrap(), env.commit.as_bytes());
}

#[test]
fn renamed_repo_follows_relative_redirect_and_keeps_requested_folder() {
    let env = Env::new();
    env.emu.rename_repo("model", REPO, "test-org/renamed-model");
    let p = env.client().download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    assert!(p.starts_with(env.cache().join(FOLDER)), "{}", p.display());
    let heads: Vec<_> = env.requests().into_iter().filter(|r| r.method == "HEAD").collect();
    assert_eq!(heads.len(), 2);
    assert_eq!(heads[0].status, 307);
    assert!(heads[1].path.starts_with("/test-org/renamed-model/"));
    assert!(heads[1].header("authorization").is_some(), "same origin keeps the token");
}

#[test]
fn concurrent_downloads_share_one_transfer() {
    let env = Env::new();
    let client = env.client();
    let paths: Vec<PathBuf> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    client.download(&FileRef::new(REPO, "model.safetensors"), DownloadOptions::default()).unwrap()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(paths.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(env.count(Origin::Cdn, "GET"), 1, "the lock lets one thread download, the others reuse the blob");
    let blobs = env.repo_dir(FOLDER).join("blobs");
    assert_eq!(fs::read_dir(blobs).unwrap().count(), 1);
}

#[test]
fn implicit_token_can_be_disabled_and_file_token_is_used() {
    let env = Env::new();
    fs::create_dir_all(env.home.path()).unwrap();
    fs::write(env.home.path().join("token"), DEMO_TOKEN).unwrap();
    let from_file = env.client_with(|c| c.token = None);
    assert_eq!(from_file.token().as_deref(), Some(DEMO_TOKEN));
    from_file.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    assert!(env.requests().iter().all(|r| r.header("authorization") == Some(&format!("Bearer {DEMO_TOKEN}"))));
    env.emu.clear_requests();
    let no_implicit = env.client_with(|c| {
        c.token = None;
        c.disable_implicit_token = true;
        c.user_agent_origin = Some("unit-test".into());
    });
    no_implicit.download(&FileRef::new(REPO, "README.md"), DownloadOptions::default()).unwrap();
    for r in env.requests() {
        assert_eq!(r.header("authorization"), None);
        assert!(r.header("user-agent").unwrap().ends_with("; origin/unit-test"));
    }
}

#[test]
fn file_metadata_and_empty_files() {
    let env = Env::new();
    let client = env.client();
    let m = client.file_metadata(&FileRef::new(REPO, "model.safetensors"), None).unwrap();
    let content = env.emu.file("model", REPO, "main", "model.safetensors").unwrap();
    assert_eq!(m.commit, env.commit);
    assert_eq!(m.etag, sha256_hex(&content));
    assert_eq!(m.size, 1 << 20);
    assert!(m.is_lfs);
    assert!(m.location.starts_with(&env.emu.cdn_url()));
    assert!(!env.cache().exists(), "metadata writes nothing");
    let m = client.file_metadata(&FileRef::new(REPO, "data.txt").subfolder("subdir"), None).unwrap();
    assert!(!m.is_lfs);
    assert_eq!(m.etag, git_blob_sha1(b"hello from subdir/data.txt\n"));

    env.emu.commit("model", REPO, "main", "empty", &[("empty.txt", b"")], &[]);
    let p = client.download(&FileRef::new(REPO, "empty.txt"), DownloadOptions::default()).unwrap();
    assert_eq!(fs::read(&p).unwrap(), b"");
    assert!(p.symlink_metadata().unwrap().file_type().is_symlink());
}

#[test]
fn symlinks_disabled_moves_new_blobs_into_snapshots() {
    let env = Env::new();
    let client = env.client_with(|c| c.disable_symlinks = true);
    let p = client.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    assert!(!p.symlink_metadata().unwrap().file_type().is_symlink());
    assert_eq!(fs::read_dir(env.repo_dir(FOLDER).join("blobs")).unwrap().count(), 0);
    // Offline lookups accept real files in snapshots/.
    let off = env.client_with(|c| c.offline = true);
    assert_eq!(off.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap(), p);
}

/// Cancellation does not wait for the server: a HEAD or GET the server sits on is abandoned at once.
#[test]
fn cancel_is_prompt_while_the_server_is_silent() {
    let env = Env::new();
    let client = env.client();
    for fault in [
        Fault::new(FaultAction::Delay(Duration::from_secs(5))).origin(Origin::Hub).method("HEAD"),
        Fault::new(FaultAction::Delay(Duration::from_secs(5))).origin(Origin::Cdn),
    ] {
        env.emu.clear_faults();
        env.emu.add_fault(fault);
        let token = CancelToken::new();
        let t2 = token.clone();
        let canceller = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            t2.cancel();
        });
        let start = Instant::now();
        let opts = DownloadOptions { cancel: Some(&token), force_download: true, ..Default::default() };
        let err = client.download(&FileRef::new(REPO, "model.safetensors"), opts).unwrap_err();
        canceller.join().unwrap();
        assert!(matches!(err, Error::Cancelled), "{err:?}");
        let took = start.elapsed();
        assert!(took < Duration::from_millis(1500), "cancelled after {took:?}, not after the 5 s delay");
        let blobs = env.repo_dir(FOLDER).join("blobs");
        assert!(fs::read_dir(&blobs).map(|d| d.count()).unwrap_or(0) == 0, "nothing left in blobs/");
    }
}

#[test]
fn etag_timeout_falls_back_to_cache_and_reports_timeouts() {
    let env = Env::new();
    let cached = env.client().download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    env.emu.add_fault(Fault::new(FaultAction::Delay(Duration::from_secs(3))).origin(Origin::Hub).method("HEAD"));
    let client = env.client_with(|c| c.etag_timeout = Duration::from_millis(300));
    let start = Instant::now();
    assert_eq!(client.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap(), cached);
    assert!(start.elapsed() < Duration::from_secs(2), "served from the cache after the etag timeout");
    let e = client.download(&FileRef::new(REPO, "README.md"), DownloadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Timeout(_)), "{e:?}");
    assert!(e.to_string().contains("README.md"), "{e}");
}

#[test]
fn download_timeout_bounds_a_silent_cdn() {
    let env = Env::new();
    env.emu.add_fault(Fault::new(FaultAction::Delay(Duration::from_secs(10))).origin(Origin::Cdn));
    let client = env.client_with(|c| c.download_timeout = Duration::from_millis(300));
    let start = Instant::now();
    let e = client.download(&FileRef::new(REPO, "model.safetensors"), DownloadOptions::default()).unwrap_err();
    assert!(matches!(e, Error::Timeout(_)), "{e:?}");
    // A few in-process retries, one second apart, then the error: well before the server answers.
    assert!(start.elapsed() < Duration::from_secs(8), "{:?}", start.elapsed());
    assert_eq!(fs::read_dir(env.repo_dir(FOLDER).join("blobs")).unwrap().count(), 0);
}

/// Defect 1: a snapshot pointer that already points at the right blob is never removed, not even
/// for a moment, while other callers download (here: force_download in a loop) the same file.
#[test]
fn pointer_never_disappears_under_concurrent_force_downloads() {
    let env = Env::new();
    let client = env.client();
    let path = client.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (stop, path) = (stop.clone(), path.clone());
        std::thread::spawn(move || {
            let mut misses = 0u64;
            let mut checks = 0u64;
            while !stop.load(Ordering::Relaxed) {
                checks += 1;
                if fs::symlink_metadata(&path).is_err() || fs::read(&path).is_err() {
                    misses += 1;
                }
            }
            (misses, checks)
        })
    };
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || {
                for _ in 0..15 {
                    let opts = DownloadOptions { force_download: true, ..Default::default() };
                    client.download(&FileRef::new(REPO, "config.json"), opts).unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let (misses, checks) = watcher.join().unwrap();
    assert!(checks > 100, "the watcher ran ({checks} checks)");
    assert_eq!(misses, 0, "the pointer vanished {misses} times in {checks} checks");
    let snapshot_dir = path.parent().unwrap();
    let names: Vec<_> = fs::read_dir(snapshot_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 1, "no stray temporary links: {names:?}");
}

fn throttled(status: u16, headers: &[(&str, &str)]) -> FaultAction {
    FaultAction::Respond {
        status,
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        body: r#"{"error":"slow down"}"#.into(),
    }
}

/// Defect 2: a 429 with `Retry-After` is waited out as the server says (+1 s, like the official
/// client), on the metadata HEAD and on the CDN GET.
#[test]
fn retry_after_is_honoured_on_head_and_get() {
    let env = Env::new();
    env.emu.add_fault(Fault::new(throttled(429, &[("retry-after", "2")])).origin(Origin::Hub).method("HEAD").times(1));
    let client = env.client_with(|c| c.http_retries = 2);
    let t0 = Instant::now();
    client.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    let waited = t0.elapsed();
    assert!(waited >= Duration::from_millis(2900) && waited < Duration::from_secs(6), "HEAD retry after {waited:?}");

    env.emu.add_fault(
        Fault::new(throttled(429, &[("ratelimit", "\"api\";r=0;t=1"), ("retry-after", "9")]))
            .origin(Origin::Cdn)
            .method("GET")
            .times(1),
    );
    let t0 = Instant::now();
    client.download(&FileRef::new(REPO, "model.safetensors"), DownloadOptions::default()).unwrap();
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(1900) && waited < Duration::from_secs(5),
        "RateLimit t=1 → 2 s: {waited:?}"
    );
}

/// Defect 4: a server that echoes the Authorization header (or the token) in an error body or
/// in `X-Error-Message` cannot put the token into an error message.
#[test]
fn server_echoed_tokens_are_redacted() {
    let env = Env::new();
    let token = env.client().token().unwrap();
    let echo = format!("bad Authorization: Bearer {token} (token {token})");
    env.emu.add_fault(
        Fault::new(FaultAction::Respond {
            status: 403,
            headers: vec![("x-error-message".into(), echo.clone())],
            body: format!("{{\"error\": \"{echo}\"}}"),
        })
        .origin(Origin::Hub)
        .times(2),
    );
    let e = env.client().download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(!text.contains(&token), "{text}");
    assert!(text.contains("REDACTED"), "{text}");
    let e = env.client().whoami(None).unwrap_err();
    assert!(!format!("{e} {e:?}").contains(&token));
}

/// Cancellation aborts a request on a silent server within 50 ms, and a nested library call from
/// the progress callback works (the callback runs outside the runtime).
#[test]
fn prompt_cancel_and_nested_calls_from_the_callback() {
    let env = Env::new();
    env.emu.add_fault(Fault::new(FaultAction::Delay(Duration::from_secs(5))).origin(Origin::Hub).times(1));
    let client = env.client();
    let token = CancelToken::new();
    let t2 = token.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        let at = Instant::now();
        t2.cancel();
        at
    });
    let opts = DownloadOptions { cancel: Some(&token), ..Default::default() };
    let e = client.download(&FileRef::new(REPO, "config.json"), opts).unwrap_err();
    let returned = Instant::now();
    let cancelled_at = canceller.join().unwrap();
    assert!(matches!(e, Error::Cancelled), "{e:?}");
    assert!(returned.duration_since(cancelled_at) < Duration::from_millis(50), "{:?}", returned - cancelled_at);

    let mut nested_ok = 0;
    let inner = client.clone();
    let mut cb = |_: &hf_hub::Progress| {
        if inner.try_load_from_cache(&FileRef::new(REPO, "config.json")).is_ok()
            && inner.download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).is_ok()
        {
            nested_ok += 1;
        }
        true
    };
    let opts = DownloadOptions { progress: Some(&mut cb), ..Default::default() };
    client.download(&FileRef::new(REPO, "model.safetensors"), opts).unwrap();
    assert!(nested_ok > 0, "nested calls from the callback succeeded");
}

/// The bandwidth cap holds for one download and for several at once (one bucket per client),
/// within 10% of the rate.
#[test]
fn bandwidth_cap_is_shared_by_every_transfer_of_a_client() {
    let env = Env::new();
    let rate = 800_000u64;
    let client = env.client_with(|c| c.max_bytes_per_sec = Some(rate));
    let size = env.emu.file("model", REPO, "main", "model.safetensors").unwrap().len() as u64;
    let t0 = Instant::now();
    client.download(&FileRef::new(REPO, "model.safetensors"), DownloadOptions::default()).unwrap();
    let one = t0.elapsed().as_secs_f64();
    let expected = size as f64 / rate as f64;
    assert!(one > expected * 0.85 && one < expected * 1.25, "1 file: {one:.2} s, expected ≈{expected:.2} s");

    // Two new files of the same size at once, through the same client: together at the rate.
    let a: Vec<u8> = (0..size).map(|i| (i % 241) as u8).collect();
    let b: Vec<u8> = (0..size).map(|i| (i % 239) as u8).collect();
    env.emu.commit("model", REPO, "main", "two", &[("a.bin", &a), ("b.bin", &b)], &[]);
    let t0 = Instant::now();
    std::thread::scope(|s| {
        for f in ["a.bin", "b.bin"] {
            let client = &client;
            s.spawn(move || client.download(&FileRef::new(REPO, f), DownloadOptions::default()).unwrap());
        }
    });
    let both = t0.elapsed().as_secs_f64();
    let expected = 2.0 * size as f64 / rate as f64;
    assert!(both > expected * 0.85 && both < expected * 1.25, "2 files: {both:.2} s, expected ≈{expected:.2} s");
}
