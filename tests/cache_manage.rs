//! Cache management against a cache filled through the emulator: scan numbers, deletion plans
//! that keep shared blobs, prune with a held lock, eviction, verification of a flipped byte.

mod common;

use std::fs;

use common::Env;
use hf_hub::cache::{execute, PlanKind};
use hf_hub::{DownloadOptions, FileRef};

const REPO: &str = "test-org/test-model";

fn dl(env: &Env, file: &str, rev: Option<&str>) -> std::path::PathBuf {
    let mut f = FileRef::new(REPO, file);
    f.revision = rev.map(String::from);
    env.client().download(&f, DownloadOptions::default()).unwrap()
}

fn size(p: &std::path::Path) -> u64 {
    fs::metadata(p).unwrap().len()
}

#[test]
fn scan_delete_prune_evict_verify() {
    let env = Env::new();
    let client = env.client();
    let a = env.commit.clone();
    let cfg_a = dl(&env, "config.json", None);
    let model = dl(&env, "model.safetensors", None);
    let data = dl(&env, "subdir/data.txt", None);
    let b = env.emu.commit("model", REPO, "main", "update", &[("config.json", b"{\"new\": true}\n")], &[]);
    let cfg_b = dl(&env, "config.json", None);
    let model_b = dl(&env, "model.safetensors", None);
    assert_ne!(a, b);
    // Corrupted entries are warnings, not failures.
    fs::write(env.cache().join("version.txt"), b"1").unwrap();
    fs::create_dir_all(env.cache().join("kernels--a--b/snapshots")).unwrap();

    let info = client.cache_scan().unwrap();
    assert_eq!(info.warnings.len(), 2, "{:?}", info.warnings);
    assert_eq!(info.repos.len(), 1);
    let repo = &info.repos[0];
    assert_eq!(repo.repo_id, REPO);
    assert_eq!(repo.nb_files, 4, "config A, config B, model (shared), data");
    let blob = |p: &std::path::Path| size(&fs::canonicalize(p).unwrap());
    let (ca, cb, m, d) = (blob(&cfg_a), blob(&cfg_b), blob(&model), blob(&data));
    assert_eq!(repo.size_on_disk, ca + cb + m + d);
    assert_eq!(info.size_on_disk, repo.size_on_disk);
    assert_eq!(repo.refs.get("main"), Some(&b));
    let rev_a = repo.revisions.iter().find(|r| r.commit_hash == a).unwrap();
    let rev_b = repo.revisions.iter().find(|r| r.commit_hash == b).unwrap();
    assert_eq!(rev_a.size_on_disk, ca + m + d);
    assert_eq!(rev_b.size_on_disk, cb + m);
    assert!(rev_a.refs.is_empty() && rev_b.refs == vec!["main".to_string()]);
    assert_eq!(fs::canonicalize(&model).unwrap(), fs::canonicalize(&model_b).unwrap());

    // Deleting revision A frees config A and data, not the model blob B still uses.
    let plan = info.plan_delete(&[a.as_str(), "0000000000000000000000000000000000000000"]);
    assert_eq!(plan.expected_freed, ca + d);
    assert_eq!(plan.warnings.len(), 1, "unknown revision: {:?}", plan.warnings);
    let kinds: Vec<PlanKind> = plan.entries.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, vec![PlanKind::Snapshot, PlanKind::Blob, PlanKind::Blob]);
    // Prune plans the same (A is detached).
    assert_eq!(info.plan_prune().expected_freed, ca + d);
    let report = execute(&plan);
    assert_eq!(report.deleted.len(), 3, "{report:?}");
    assert!(fs::read(&model_b).is_ok() && fs::read(&cfg_b).is_ok());
    let info = client.cache_scan().unwrap();
    assert_eq!(info.repos[0].revisions.len(), 1);
    assert_eq!(info.repos[0].size_on_disk, cb + m);

    // An incomplete download held by a (simulated) download is skipped, then removed.
    let inc = env.repo_dir("models--test-org--test-model").join("blobs/deadbeef.incomplete");
    fs::write(&inc, b"partial").unwrap();
    let lock = env.cache().join(".locks/models--test-org--test-model/deadbeef.lock");
    let held = hf_hub::cache::FileLock::try_acquire(&lock).unwrap().unwrap();
    let info = client.cache_scan().unwrap();
    assert_eq!(info.incomplete.len(), 1);
    let plan = info.plan_prune();
    assert_eq!(plan.expected_freed, 7);
    let report = execute(&plan);
    assert_eq!(report.skipped, vec![inc.clone()]);
    assert!(inc.exists());
    drop(held);
    assert_eq!(execute(&plan).deleted, vec![inc.clone()]);

    // Verify catches a flipped byte, and its plan removes the blob and its pointer.
    let model_blob = fs::canonicalize(&model_b).unwrap();
    let mut bytes = fs::read(&model_blob).unwrap();
    bytes[1000] ^= 0xff;
    fs::write(&model_blob, &bytes).unwrap();
    let info = client.cache_scan().unwrap();
    let mut reports = 0;
    let mut cb_fn = |_: &hf_hub::Progress| {
        reports += 1;
        true
    };
    let v = client.cache_verify(&info, None, Some(&mut cb_fn), None).unwrap();
    assert_eq!(v.files_checked, 2);
    assert_eq!(v.mismatches.len(), 1, "{v:?}");
    assert_eq!(v.mismatches[0].blob_path, model_blob);
    assert_eq!(v.mismatches[0].pointers, vec![model_b.clone()]);
    assert!(reports >= 2);
    let report = execute(&v.plan_delete_mismatches(&info.cache_dir));
    assert_eq!(report.deleted.len(), 2);
    let info = client.cache_scan().unwrap();
    assert_eq!(info.warnings.len(), 2, "no broken pointer left: {:?}", info.warnings);
    assert!(client.cache_verify(&info, None, None, None).unwrap().mismatches.is_empty());
    // The next download fetches it again.
    assert_eq!(
        fs::read(dl(&env, "model.safetensors", None)).unwrap(),
        env.emu.file("model", REPO, "main", "model.safetensors").unwrap()
    );

    // Evicting to 0 bytes removes the whole repo; to the current size, nothing.
    let info = client.cache_scan().unwrap();
    assert!(info.plan_evict(info.size_on_disk).entries.is_empty());
    let plan = info.plan_evict(0);
    assert_eq!(plan.expected_freed, info.size_on_disk);
    assert_eq!(plan.entries.iter().map(|e| e.kind).collect::<Vec<_>>(), vec![PlanKind::Repo]);
    execute(&plan);
    assert!(client.cache_scan().unwrap().repos.is_empty());
}

#[test]
fn eviction_takes_least_recently_used_revisions_first() {
    let env = Env::new();
    let client = env.client();
    let a = env.commit.clone();
    dl(&env, "config.json", None);
    let b = env.emu.commit("model", REPO, "main", "b", &[("config.json", b"b-content-bbbb\n")], &[]);
    dl(&env, "config.json", None);
    let c = env.emu.commit("model", REPO, "main", "c", &[("config.json", b"c-content-cccccc\n")], &[]);
    let pc = dl(&env, "config.json", None);
    // Access order: A long ago, C an hour ago, B now.
    let info = client.cache_scan().unwrap();
    let set_atime = |commit: &str, secs_ago: u64| {
        let rev = info.repos[0].revisions.iter().find(|r| r.commit_hash == commit).unwrap();
        let t = std::time::SystemTime::now() - std::time::Duration::from_secs(secs_ago);
        let f = fs::File::options().write(true).open(&rev.files[0].blob_path).unwrap();
        f.set_times(fs::FileTimes::new().set_accessed(t)).unwrap();
    };
    set_atime(&a, 86400);
    set_atime(&c, 3600);
    set_atime(&b, 0);
    let info = client.cache_scan().unwrap();
    let keep_two = info.size_on_disk - 1;
    let plan = info.plan_evict(keep_two);
    let snapshots: Vec<_> =
        plan.entries.iter().filter(|e| e.kind == PlanKind::Snapshot).map(|e| e.path.clone()).collect();
    assert_eq!(snapshots.len(), 1);
    assert!(snapshots[0].ends_with(&a), "A is the least recently used: {snapshots:?}");
    let b_size = info.repos[0].revisions.iter().find(|r| r.commit_hash == b).unwrap().size_on_disk;
    let plan = info.plan_evict(b_size);
    let gone: Vec<_> = plan.entries.iter().filter(|e| e.kind == PlanKind::Snapshot).map(|e| e.path.clone()).collect();
    assert_eq!(gone.len(), 2, "A then C; B (accessed now) stays: {gone:?}");
    assert!(gone.iter().any(|p| p.ends_with(&a)) && gone.iter().any(|p| p.ends_with(&c)), "{gone:?}");
    assert_eq!(plan.expected_freed, info.size_on_disk - b_size);
    assert!(pc.exists());
}

#[test]
fn quota_evicts_least_recently_used_revisions_after_a_download() {
    let env = Env::new();
    let a = env.commit.clone();
    let cfg_a = dl(&env, "config.json", None);
    let model_a = dl(&env, "model.safetensors", None);
    let big: Vec<u8> = (0..1_500_000u32).map(|i| (i * 31 % 251) as u8).collect();
    let b = env.emu.commit("model", REPO, "main", "big", &[("big.bin", &big)], &[]);
    // A quota below A + B: downloading into B evicts A (least recently used), never B.
    let quota = big.len() as u64 + 100_000;
    let client = env.client_with(|c| c.cache_max_bytes = Some(quota));
    let p = client.download(&FileRef::new(REPO, "big.bin"), DownloadOptions::default()).unwrap();
    assert_eq!(fs::read(&p).unwrap(), big, "the path returned exists and is complete");
    let info = env.client().cache_scan().unwrap();
    let revs: Vec<&str> = info.repos[0].revisions.iter().map(|r| r.commit_hash.as_str()).collect();
    assert_eq!(revs, vec![b.as_str()], "revision A was evicted");
    assert!(info.size_on_disk <= quota, "{} > {quota}", info.size_on_disk);
    assert!(!cfg_a.exists() && !model_a.exists());
    // B's other files come back on demand; the quota then keeps B, the revision in use.
    let model_b = client.download(&FileRef::new(REPO, "model.safetensors"), DownloadOptions::default()).unwrap();
    assert!(model_b.exists() && p.exists());
    let _ = a;
}

/// An eviction racing a download of the same repo leaves both consistent: the download returns a
/// complete file or an error, the eviction skips what the download holds, and the cache has no
/// broken pointer or stray temporary file afterwards.
#[test]
fn eviction_racing_a_download_leaves_the_cache_consistent() {
    use hub_emulator::{Fault, FaultAction, Origin};
    let env = Env::new();
    dl(&env, "config.json", None);
    // The LFS download takes ~1 s (throttled CDN) while another thread evicts everything in a loop.
    env.emu.add_fault(Fault::new(FaultAction::Throttle { bytes_per_sec: 1_000_000 }).origin(Origin::Cdn));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let evictor = {
        let (client, stop) = (env.client(), stop.clone());
        std::thread::spawn(move || {
            let (mut runs, mut skipped) = (0, 0);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(info) = client.cache_scan() {
                    // Prune targets the incomplete blob the download writes; evict(0) the rest.
                    skipped += execute(&info.plan_prune()).skipped.len();
                    skipped += execute(&info.plan_evict(0)).skipped.len();
                    runs += 1;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            (runs, skipped)
        })
    };
    let result = env.client().download(&FileRef::new(REPO, "model.safetensors"), DownloadOptions::default());
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (runs, skipped) = evictor.join().unwrap();
    assert!(runs > 10, "the evictor ran ({runs})");
    assert!(skipped > 0, "the evictor met the download's lock and skipped it");
    let expected = env.emu.file("model", REPO, "main", "model.safetensors").unwrap();
    if let Ok(p) = &result {
        // Published before the next eviction pass, or evicted after: never a wrong file.
        if let Ok(bytes) = fs::read(p) {
            assert_eq!(bytes, expected);
        }
    }
    let info = env.client().cache_scan().unwrap();
    assert!(info.warnings.is_empty(), "no broken pointer: {:?}", info.warnings);
    assert!(info.incomplete.is_empty(), "no stray incomplete file: {:?}", info.incomplete);
    // And the cache works: the file downloads (again) completely.
    env.emu.clear_faults();
    let p = dl(&env, "model.safetensors", None);
    assert_eq!(fs::read(p).unwrap(), expected);
}
