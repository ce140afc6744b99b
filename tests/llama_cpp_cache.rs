//! Interop with llama.cpp's HF-cache mode (hub-protocol.md §1.18, llama.cpp `common/hf-cache.cpp`
//! and `common/download.cpp`): a cache written the way llama.cpp writes it is read by our scan,
//! lookups and offline downloads, and its `*.downloadInProgress` leftovers are reported and
//! cleaned without disturbing a live llama.cpp download; what we write is found by llama.cpp's
//! reader.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::{git_blob_sha1, llama_cpp_put, llama_cpp_write_ref, sha256_hex, Env};
use hf_hub::cache::PlanKind;
use hf_hub::{CacheLookup, Client, Config, DownloadOptions, FileRef};

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

fn age(path: &Path, by: Duration) {
    let f = fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() - by).unwrap();
}

fn offline_client(cache: &Path) -> Client {
    let mut cfg = Config::without_env();
    cfg.cache_dir = cache.to_path_buf();
    cfg.offline = true;
    Client::new(cfg).unwrap()
}

#[test]
fn a_cache_written_by_llama_cpp_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("hub");
    let repo = cache.join("models--ggml-org--tiny-GGUF");
    let model = b"GGUF model bytes".repeat(100);
    let mmproj = b"GGUF projector".to_vec();
    let readme = b"# tiny\n".to_vec();
    let (model_oid, mmproj_oid, readme_oid) = (sha256_hex(&model), sha256_hex(&mmproj), git_blob_sha1(&readme));
    llama_cpp_write_ref(&repo, "main", COMMIT);
    llama_cpp_put(&repo, COMMIT, "tiny-Q4_K_M.gguf", &model_oid, &model);
    llama_cpp_put(&repo, COMMIT, "vision/mmproj-tiny-F16.gguf", &mmproj_oid, &mmproj);
    llama_cpp_put(&repo, COMMIT, "README.md", &readme_oid, &readme);
    // Leftovers: an interrupted download (old), one being written now, and a degraded-mode
    // download straight into the snapshot (old).
    let stale = repo.join("blobs").join(format!("{}.downloadInProgress", "a".repeat(64)));
    fs::write(&stale, vec![1u8; 1000]).unwrap();
    age(&stale, Duration::from_secs(3600));
    let live = repo.join("blobs").join(format!("{}.downloadInProgress", "b".repeat(64)));
    fs::write(&live, vec![2u8; 500]).unwrap();
    let in_snapshot = repo.join("snapshots").join(COMMIT).join("vision/tiny-Q8_0.gguf.downloadInProgress");
    fs::write(&in_snapshot, vec![3u8; 70]).unwrap();
    age(&in_snapshot, Duration::from_secs(3600));

    let client = offline_client(&cache);
    let info = client.cache_scan().unwrap();
    assert!(info.warnings.is_empty(), "{:?}", info.warnings);
    assert_eq!(info.repos.len(), 1);
    let r = &info.repos[0];
    assert_eq!(r.repo_id, "ggml-org/tiny-GGUF");
    assert_eq!(r.refs.get("main").map(String::as_str), Some(COMMIT));
    assert_eq!(r.nb_files, 3);
    assert_eq!(r.size_on_disk, (model.len() + mmproj.len() + readme.len()) as u64);
    let rev = &r.revisions[0];
    let paths: Vec<&str> = rev.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        ["README.md", "tiny-Q4_K_M.gguf", "vision/mmproj-tiny-F16.gguf"],
        "temp files are not cached files"
    );
    let blob_of = |p: &str| rev.files.iter().find(|f| f.path == p).unwrap().blob_path.clone();
    assert_eq!(blob_of("tiny-Q4_K_M.gguf"), fs::canonicalize(repo.join("blobs").join(&model_oid)).unwrap());
    let mut incomplete: Vec<(PathBuf, u64)> = info.incomplete.iter().map(|i| (i.path.clone(), i.size)).collect();
    incomplete.sort();
    let canon = |p: &Path| fs::canonicalize(p).unwrap();
    let mut want = vec![(canon(&stale), 1000), (canon(&live), 500), (canon(&in_snapshot), 70)];
    want.sort();
    assert_eq!(incomplete, want);

    // Lookups and offline downloads find llama.cpp's files through refs/main.
    let f = FileRef::new("ggml-org/tiny-GGUF", "vision/mmproj-tiny-F16.gguf");
    let pointer = repo.join("snapshots").join(COMMIT).join("vision/mmproj-tiny-F16.gguf");
    assert_eq!(client.try_load_from_cache(&f).unwrap(), CacheLookup::Found(pointer.clone()));
    let got = client.download(&f, DownloadOptions::default()).unwrap();
    assert_eq!(fs::read(got).unwrap(), mmproj);
    let unfinished = FileRef::new("ggml-org/tiny-GGUF", "vision/tiny-Q8_0.gguf");
    assert_eq!(client.try_load_from_cache(&unfinished).unwrap(), CacheLookup::Unknown);
    assert!(client.download(&unfinished, DownloadOptions::default()).is_err(), "a temp file is not the file");

    // Its blobs verify against their names.
    let report = client.cache_verify(&info, None, None, None).unwrap();
    assert!(report.mismatches.is_empty(), "{:?}", report.mismatches);

    // Prune removes the stale temp files; the one being written is skipped, not deleted.
    let plan = info.plan_prune();
    let planned: Vec<&Path> =
        plan.entries.iter().filter(|e| e.kind == PlanKind::Incomplete).map(|e| e.path.as_path()).collect();
    assert_eq!(planned.len(), 3, "{plan:?}");
    let done = client.cache_execute(&plan);
    assert!(!stale.exists() && !in_snapshot.exists(), "{done:?}");
    assert!(live.exists(), "a live llama.cpp download is left alone: {done:?}");
    assert_eq!(done.skipped, vec![canon(&live)]);
    assert!(pointer.exists() && repo.join("blobs").join(&model_oid).exists(), "cached files untouched");
    let locks = cache.join(".locks/models--ggml-org--tiny-GGUF");
    let lock_names: Vec<String> = fs::read_dir(&locks)
        .map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    assert!(
        lock_names.iter().all(|n| n.len() == 64 + 5 && n.ends_with(".lock")),
        "locks only for blob names, none for a snapshot temp file: {lock_names:?}"
    );

    // Once quiet for long enough, the last one goes too.
    age(&live, Duration::from_secs(3600));
    let done = client.cache_execute(&client.cache_scan().unwrap().plan_prune());
    assert!(!live.exists(), "{done:?}");
    assert!(client.cache_scan().unwrap().incomplete.is_empty());
}

#[test]
fn deleting_a_repo_spares_a_live_llama_cpp_download() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("hub");
    let repo = cache.join("models--ggml-org--tiny-GGUF");
    let data = b"weights".to_vec();
    llama_cpp_write_ref(&repo, "main", COMMIT);
    llama_cpp_put(&repo, COMMIT, "tiny-Q8_0.gguf", &sha256_hex(&data), &data);
    let live = repo.join("blobs").join(format!("{}.downloadInProgress", "c".repeat(64)));
    fs::write(&live, b"partial").unwrap();
    let client = offline_client(&cache);
    let info = client.cache_scan().unwrap();
    let done = client.cache_execute(&info.plan_delete(&[COMMIT]));
    assert!(live.exists(), "{done:?}");
    assert!(!repo.join("snapshots").exists() && !repo.join("blobs").join(sha256_hex(&data)).exists(), "{done:?}");
}

/// llama.cpp's offline reader (`get_cached_files` + `get_cached_ref`): the commit is the first line
/// of `refs/main` (else of the first regular file in `refs/`), and the files are everything below
/// `snapshots/<commit>/` (regular files or symlinks).
fn llama_cpp_cached_files(cache: &Path, repo_id: &str) -> Vec<(String, PathBuf)> {
    let repo = cache.join(format!("models--{}", repo_id.replace('/', "--")));
    let refs = repo.join("refs");
    let mut commit = None;
    for e in fs::read_dir(&refs).unwrap().flatten() {
        if !e.file_type().unwrap().is_file() {
            continue;
        }
        let text = fs::read_to_string(e.path()).unwrap();
        let line = text.lines().next().unwrap_or("").to_string();
        assert!(line.len() == 40 && line.bytes().all(|b| b.is_ascii_hexdigit()), "invalid commit {line:?}");
        if e.file_name() == "main" {
            commit = Some(line);
            break;
        }
        commit.get_or_insert(line);
    }
    let root = repo.join("snapshots").join(commit.expect("a ref"));
    let mut out = Vec::new();
    fn walk(root: &Path, d: &Path, out: &mut Vec<(String, PathBuf)>) {
        for e in fs::read_dir(d).unwrap().flatten() {
            let t = e.file_type().unwrap();
            if t.is_dir() {
                walk(root, &e.path(), out);
            } else if t.is_file() || t.is_symlink() {
                let rel = e.path().strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push((rel, e.path()));
            }
        }
    }
    walk(&root, &root, &mut out);
    out.sort();
    out
}

#[test]
fn what_we_write_is_what_llama_cpp_reads() {
    let env = Env::new();
    let client = env.client();
    for path in ["model.safetensors", "subdir/data.txt"] {
        client.download(&FileRef::new("test-org/test-model", path), DownloadOptions::default()).unwrap();
    }
    let cache = env.cache();
    let repo = cache.join("models--test-org--test-model");
    assert_eq!(fs::read(repo.join("refs/main")).unwrap(), env.commit.as_bytes(), "40 hex, no newline");
    let files = llama_cpp_cached_files(&cache, "test-org/test-model");
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(names, ["model.safetensors", "subdir/data.txt"]);
    for (path, local) in &files {
        let data = env.emu.file("model", "test-org/test-model", "main", path).unwrap();
        assert_eq!(&fs::read(local).unwrap(), &data, "{path}");
        // llama.cpp's online mode names the blob by the tree's `lfs.oid`, else `oid`, and skips
        // the download when the snapshot path exists: ours must be that blob.
        let oid = if path.ends_with(".safetensors") { sha256_hex(&data) } else { git_blob_sha1(&data) };
        let target = fs::read_link(local).unwrap();
        assert!(target.is_relative(), "{target:?}");
        assert_eq!(fs::canonicalize(local).unwrap(), fs::canonicalize(repo.join("blobs").join(&oid)).unwrap());
    }
}
