//! Snapshots, local_dir and the repository API against the in-process hub emulator: requests sent,
//! files written, offline answers, hostile listings, cancellation.

mod common;

use std::fs;
use std::path::Path;
use std::sync::Mutex;

use common::{files_under, Env};
use hf_hub::{CancelToken, DownloadOptions, Error, FileRef, Repo, RepoType, SnapshotOptions, SnapshotRef};
use hub_emulator::{Emulator, EmulatorOptions, Fault, FaultAction, Origin};

const REPO: &str = "test-org/test-model";
const FOLDER: &str = "models--test-org--test-model";

fn snap(allow: &[&str], ignore: &[&str]) -> SnapshotRef {
    SnapshotRef {
        repo_id: REPO.into(),
        allow_patterns: allow.iter().map(|s| s.to_string()).collect(),
        ignore_patterns: ignore.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

fn seq(env: &Env) -> Vec<(Origin, String, String)> {
    env.requests().iter().map(|r| (r.origin, r.method.clone(), r.path.clone())).collect()
}

/// Every file of the repo at `rev` as the emulator serves it, by path.
fn opts(d: &Path) -> SnapshotOptions<'_> {
    SnapshotOptions { local_dir: Some(d), ..Default::default() }
}

fn server_files(env: &Env, rev: &str) -> Vec<String> {
    let client = env.client();
    let tree = client.list_tree(&Repo::new(REPO, RepoType::Model).unwrap(), Some(rev), None, true, None).unwrap();
    let mut v: Vec<String> =
        tree.into_iter().filter(|e| e.kind == hf_hub::api::EntryKind::File).map(|e| e.path).collect();
    v.sort();
    v
}

#[test]
fn cold_snapshot_layout_and_requests() {
    let env = Env::new();
    let all = server_files(&env, "main");
    env.emu.clear_requests();
    let client = env.client();
    let s = client.snapshot_download(&snap(&[], &[]), SnapshotOptions::default()).unwrap();
    let repo_dir = env.repo_dir(FOLDER);
    assert_eq!(s.path, repo_dir.join("snapshots").join(&env.commit));
    assert_eq!(s.commit, env.commit);
    assert_eq!(s.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>(), all);
    for f in &s.files {
        assert_eq!(
            fs::read(&f.local_path).unwrap(),
            env.emu.file("model", REPO, "main", &f.path).unwrap(),
            "{}",
            f.path
        );
        assert!(fs::symlink_metadata(&f.local_path).unwrap().file_type().is_symlink());
    }
    assert_eq!(fs::read(repo_dir.join("refs/main")).unwrap(), env.commit.as_bytes());
    let tree = fs::read_to_string(repo_dir.join("trees").join(format!("{}.json", env.commit))).unwrap();
    let v: serde_json::Value = serde_json::from_str(&tree).unwrap();
    assert_eq!(v["format_version"], 1);
    assert_eq!(v["files"].as_object().unwrap().len(), all.len());
    assert!(v["files"]["model.safetensors"]["lfs_sha256"].is_string());

    // The requests: revision, listing, then one GET per file and nothing else (no HEAD).
    let reqs = seq(&env);
    let hub_api: Vec<&(Origin, String, String)> = reqs.iter().filter(|r| r.2.starts_with("/api/")).collect();
    assert_eq!(hub_api.len(), 2, "{reqs:?}");
    assert_eq!(hub_api[0].2, "/api/models/test-org/test-model/revision/main");
    assert_eq!(hub_api[1].2, format!("/api/models/test-org/test-model/tree/{}", env.commit));
    assert_eq!(env.count(Origin::Hub, "HEAD"), 0, "{reqs:?}");
    let gets: Vec<&String> =
        reqs.iter().filter(|r| r.0 == Origin::Hub && r.1 == "GET" && r.2.contains("/resolve/")).map(|r| &r.2).collect();
    assert_eq!(gets.len(), all.len(), "{reqs:?}");
    assert!(gets.iter().all(|g| g.contains(&env.commit)), "files are fetched at the commit: {gets:?}");
    assert_eq!(env.count(Origin::Cdn, "GET"), 1, "one LFS file through the CDN");

    // Warm, by branch name: the revision call and nothing else.
    env.emu.clear_requests();
    let again = client.snapshot_download(&snap(&[], &[]), SnapshotOptions::default()).unwrap();
    assert_eq!(again, s);
    assert_eq!(seq(&env).len(), 1, "{:?}", seq(&env));
    // Warm, pinned: nothing at all.
    env.emu.clear_requests();
    let pinned = SnapshotRef { revision: Some(env.commit.clone()), ..snap(&[], &[]) };
    assert_eq!(client.snapshot_download(&pinned, SnapshotOptions::default()).unwrap(), s);
    assert!(seq(&env).is_empty());
}

#[test]
fn patterns_select_files() {
    let env = Env::new();
    env.emu.commit(
        "model",
        REPO,
        "main",
        "more",
        &[("a/b/c.safetensors", b"w1"), ("a/x.json", b"{}"), ("top.safetensors", b"w2")],
        &[],
    );
    let client = env.client();
    let paths = |allow: &[&str], ignore: &[&str]| -> Vec<String> {
        let s = client.snapshot_download(&snap(allow, ignore), SnapshotOptions::default()).unwrap();
        s.files.into_iter().map(|f| f.path).collect()
    };
    assert_eq!(paths(&["*.safetensors"], &[]), ["a/b/c.safetensors", "model.safetensors", "top.safetensors"]);
    assert_eq!(paths(&["a/"], &[]), ["a/b/c.safetensors", "a/x.json"]);
    assert_eq!(paths(&["a/*.json", "subdir/"], &[]), ["a/x.json", "subdir/data.txt"]);
    assert_eq!(paths(&["*.safetensors"], &["a/*"]), ["model.safetensors", "top.safetensors"], "ignore wins");
    assert_eq!(paths(&["nothing-matches"], &[]), Vec::<String>::new());
    // The tree cache stays complete whatever was selected.
    let commit = env.emu.resolve("model", REPO, "main").unwrap();
    let tree = fs::read_to_string(env.repo_dir(FOLDER).join(format!("trees/{commit}.json"))).unwrap();
    assert!(tree.contains("README.md") && tree.contains("a/b/c.safetensors"));
}

#[test]
fn listing_pages_are_followed() {
    let emu = Emulator::start_with(EmulatorOptions { tree_page_size: Some(2), ..Default::default() });
    let commit = emu.seed_demo();
    let env = Env { emu, home: tempfile::tempdir().unwrap(), commit };
    let s = env.client().snapshot_download(&snap(&[], &[]), SnapshotOptions::default()).unwrap();
    assert_eq!(s.files.len(), server_files(&env, "main").len());
    let pages = env.requests().iter().filter(|r| r.path.contains("/tree/")).count();
    assert!(pages >= 3, "{pages} pages");
}

#[test]
fn branch_moved_vs_pinned_commit() {
    let env = Env::new();
    let client = env.client();
    let first = client.snapshot_download(&snap(&[], &[]), SnapshotOptions::default()).unwrap();
    let new_commit = env.emu.commit("model", REPO, "main", "update", &[("config.json", b"{\"v\": 2}\n")], &[]);
    let second = client.snapshot_download(&snap(&[], &[]), SnapshotOptions::default()).unwrap();
    assert_eq!(second.commit, new_commit);
    assert_ne!(second.path, first.path);
    let cfg = second.files.iter().find(|f| f.path == "config.json").unwrap();
    assert_eq!(fs::read(&cfg.local_path).unwrap(), b"{\"v\": 2}\n");
    assert_eq!(fs::read(env.repo_dir(FOLDER).join("refs/main")).unwrap(), new_commit.as_bytes());
    // The old commit, pinned, is still the old content, with no request.
    env.emu.clear_requests();
    let old = client
        .snapshot_download(&SnapshotRef { revision: Some(first.commit.clone()), ..snap(&[], &[]) }, Default::default())
        .unwrap();
    assert_eq!(old, first);
    assert!(env.requests().is_empty());
    // Unchanged files of the new commit reuse the blobs: only config.json was fetched again.
    let blobs = fs::read_dir(env.repo_dir(FOLDER).join("blobs")).unwrap().count();
    assert_eq!(blobs, first.files.len() + 1);
}

#[test]
fn offline_complete_incomplete_and_unknown() {
    let env = Env::new();
    let client = env.client();
    // Only the JSON files first.
    client.snapshot_download(&snap(&["*.json"], &[]), SnapshotOptions::default()).unwrap();
    let offline = env.client_with(|c| c.offline = true);
    env.emu.clear_requests();
    let ok = offline.snapshot_download(&snap(&["*.json"], &[]), SnapshotOptions::default()).unwrap();
    assert_eq!(ok.commit, env.commit);
    assert_eq!(ok.files.len(), 1);
    match offline.snapshot_download(&snap(&[], &[]), SnapshotOptions::default()) {
        Err(Error::IncompleteSnapshot(m)) => {
            assert!(m.contains("model.safetensors") && m.contains("README.md"), "{m}");
            assert!(!m.contains("config.json"), "present files are not listed: {m}");
        }
        other => panic!("{other:?}"),
    }
    // local_files_only behaves the same on an online client.
    let lfo = SnapshotOptions { local_files_only: true, ..Default::default() };
    assert!(matches!(client.snapshot_download(&snap(&[], &[]), lfo), Err(Error::IncompleteSnapshot(_))));
    assert!(env.requests().is_empty(), "offline makes no request");
    // Unknown repo offline.
    let other = SnapshotRef { repo_id: "nobody/nothing".into(), ..Default::default() };
    assert!(matches!(offline.snapshot_download(&other, Default::default()), Err(Error::Offline(_))));
    // Files from single downloads only (no file list): incomplete, not a silently partial folder.
    let env2 = Env::new();
    env2.client().download(&FileRef::new(REPO, "config.json"), DownloadOptions::default()).unwrap();
    let off2 = env2.client_with(|c| c.offline = true);
    match off2.snapshot_download(&snap(&[], &[]), Default::default()) {
        Err(Error::IncompleteSnapshot(m)) => assert!(m.contains("no file list"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unreachable_hub_falls_back_to_a_complete_snapshot() {
    let env = Env::new();
    let s = env.client().snapshot_download(&snap(&[], &[]), SnapshotOptions::default()).unwrap();
    env.emu.add_fault(Fault::new(FaultAction::Status(503)).origin(Origin::Hub));
    let got = env.client().snapshot_download(&snap(&[], &[]), SnapshotOptions::default()).unwrap();
    assert_eq!(got, s);
    // Nothing cached for another repo: the Hub's error, with the cache named.
    let other =
        SnapshotRef { repo_id: "test-org/test-dataset".into(), repo_type: RepoType::Dataset, ..Default::default() };
    assert!(env.client().snapshot_download(&other, Default::default()).is_err());
}

#[test]
fn local_dir_refetches_only_what_changed() {
    let env = Env::new();
    let client = env.client();
    let dir = tempfile::tempdir().unwrap();
    let s = client.snapshot_download(&snap(&[], &[]), opts(dir.path())).unwrap();
    assert_eq!(s.path, fs::canonicalize(dir.path()).unwrap());
    for f in &s.files {
        let meta = fs::symlink_metadata(&f.local_path).unwrap();
        assert!(meta.file_type().is_file(), "real files in local_dir");
        assert_eq!(fs::read(&f.local_path).unwrap(), env.emu.file("model", REPO, "main", &f.path).unwrap());
        let m = fs::read_to_string(dir.path().join(".cache/huggingface/download").join(format!("{}.metadata", f.path)))
            .unwrap();
        let lines: Vec<&str> = m.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], env.commit);
        assert!(lines[2].parse::<f64>().is_ok());
    }
    assert_eq!(fs::read_to_string(dir.path().join(".cache/huggingface/.gitignore")).unwrap(), "*");
    assert!(!env.repo_dir(FOLDER).join("refs").exists(), "no refs written into the main cache");

    // Change one file on the server and one locally: only those two are fetched again.
    env.emu.commit("model", REPO, "main", "update", &[("README.md", b"# new\n")], &[]);
    fs::write(dir.path().join("subdir/data.txt"), b"edited locally\n").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    fs::write(dir.path().join("subdir/data.txt"), b"edited locally again\n").unwrap();
    env.emu.clear_requests();
    let s2 = client.snapshot_download(&snap(&[], &[]), opts(dir.path())).unwrap();
    let gets: Vec<String> = env
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/resolve/"))
        .map(|r| r.path.rsplit('/').next().unwrap().to_string())
        .collect();
    let mut gets_sorted = gets.clone();
    gets_sorted.sort();
    assert_eq!(gets_sorted, ["README.md", "data.txt"], "{gets:?}");
    assert_eq!(fs::read(dir.path().join("README.md")).unwrap(), b"# new\n");
    assert_eq!(fs::read(dir.path().join("subdir/data.txt")).unwrap(), b"hello from subdir/data.txt\n");
    assert_ne!(s2.commit, s.commit);

    // Offline, the local_dir answers when complete.
    let offline = env.client_with(|c| c.offline = true);
    let s3 = offline.snapshot_download(&snap(&[], &[]), opts(dir.path())).unwrap();
    assert_eq!(s3.commit, s2.commit);

    // Single-file local_dir download: a commit-pinned file already there costs nothing.
    env.emu.clear_requests();
    let one = client
        .download(
            &FileRef::new(REPO, "config.json").revision(s2.commit.clone()),
            DownloadOptions { local_dir: Some(dir.path()), ..Default::default() },
        )
        .unwrap();
    assert_eq!(one, fs::canonicalize(dir.path()).unwrap().join("config.json"));
    assert!(env.requests().is_empty());
}

#[test]
fn local_dir_single_file_copies_from_the_cache() {
    let env = Env::new();
    let client = env.client();
    client.download(&FileRef::new(REPO, "model.safetensors"), DownloadOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    env.emu.clear_requests();
    let p = client
        .download(
            &FileRef::new(REPO, "model.safetensors"),
            DownloadOptions { local_dir: Some(dir.path()), ..Default::default() },
        )
        .unwrap();
    assert_eq!(fs::read(&p).unwrap(), env.emu.file("model", REPO, "main", "model.safetensors").unwrap());
    assert_eq!(env.count(Origin::Hub, "HEAD"), 1);
    assert_eq!(env.count(Origin::Cdn, "GET") + env.count(Origin::Hub, "GET"), 0, "copied from the cache");
}

#[test]
fn local_dir_refuses_escaping_paths() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    // A symlinked folder inside the local_dir pointing outside it.
    std::os::unix::fs::symlink(outside.path(), dir.path().join("subdir")).unwrap();
    let r = env.client().snapshot_download(
        &snap(&["subdir/"], &[]),
        SnapshotOptions { local_dir: Some(dir.path()), ..Default::default() },
    );
    assert!(matches!(r, Err(Error::InvalidArgument(_))), "{r:?}");
    assert!(files_under(outside.path()).is_empty());
}

#[test]
fn hostile_listings_are_refused() {
    let commit_path = |env: &Env| format!("/tree/{}", env.commit);
    for body in [
        r#"[{"type":"file","oid":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":3,"path":"../evil"}]"#,
        r#"[{"type":"file","oid":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":3,"path":"/etc/evil"}]"#,
        r#"[{"type":"file","oid":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":3,"path":"a"},{"type":"file","oid":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","size":3,"path":"a"}]"#,
        r#"[{"type":"file","oid":"nothex","size":3,"path":"a"}]"#,
        r#"[{"type":"file","oid":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":"3","path":"a"}]"#,
        r#"{"not":"a list"}"#,
    ] {
        let env = Env::new();
        env.emu.add_fault(
            Fault::new(FaultAction::Respond {
                status: 200,
                headers: vec![("content-type".into(), "application/json".into())],
                body: body.into(),
            })
            .path_contains(&commit_path(&env)),
        );
        let r = env.client().snapshot_download(&snap(&[], &[]), SnapshotOptions::default());
        assert!(r.is_err(), "{body} accepted");
        let repo_dir = env.repo_dir(FOLDER);
        assert!(!repo_dir.join("snapshots").exists(), "{body}: something was written");
        assert!(!repo_dir.join("trees").exists(), "{body}: a hostile listing was cached");
    }
}

#[test]
fn cancel_mid_snapshot_publishes_nothing_partial() {
    let env = Env::new();
    // Many files so the cancel lands in the middle.
    let files: Vec<(String, Vec<u8>)> = (0..40).map(|i| (format!("f/{i:03}.bin"), vec![i as u8; 20_000])).collect();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, d)| (p.as_str(), d.as_slice())).collect();
    env.emu.commit("model", REPO, "main", "many", &refs, &[]);
    env.emu.add_fault(Fault::new(FaultAction::Throttle { bytes_per_sec: 400_000 }).origin(Origin::Hub).method("GET"));
    let token = CancelToken::new();
    let seen = Mutex::new(0u64);
    let mut cb = |p: &hf_hub::Progress| {
        let mut n = seen.lock().unwrap();
        *n = p.files_done;
        assert_eq!(p.files_total, 44, "planned totals");
        p.files_done < 3
    };
    let r = env.client().snapshot_download(
        &snap(&[], &[]),
        SnapshotOptions { progress: Some(&mut cb), cancel: Some(&token), max_workers: 4, ..Default::default() },
    );
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
    let commit = env.emu.resolve("model", REPO, "main").unwrap();
    let snap_dir = env.repo_dir(FOLDER).join("snapshots").join(&commit);
    // Every published pointer is a complete, correct file; fewer than all were published.
    let mut published = 0;
    for (p, d) in &files {
        let local = snap_dir.join(p);
        if local.exists() {
            assert_eq!(&fs::read(&local).unwrap(), d);
            published += 1;
        }
    }
    assert!(published < files.len(), "the cancel stopped the snapshot");
    // No snapshot entry is anything but a link to a published blob.
    for f in files_under(&snap_dir) {
        let target = fs::read_link(snap_dir.join(&f)).unwrap();
        assert!(!target.to_string_lossy().contains(".incomplete"), "{f} -> {target:?}");
    }
}

#[test]
fn aggregate_progress_reaches_the_totals() {
    let env = Env::new();
    let mut last = None;
    let mut cb = |p: &hf_hub::Progress| {
        last = Some((p.files_done, p.files_total, p.total_bytes_done, p.total_bytes_total));
        true
    };
    let s = env
        .client()
        .snapshot_download(&snap(&[], &[]), SnapshotOptions { progress: Some(&mut cb), ..Default::default() })
        .unwrap();
    let bytes: u64 = s.files.iter().map(|f| f.size).sum();
    let n = s.files.len() as u64;
    assert_eq!(last, Some((n, n, bytes, bytes)));
}

#[test]
fn repository_api() {
    let env = Env::new();
    env.emu.create_branch("model", REPO, "dev", "main");
    env.emu.create_tag("model", REPO, "v1", "main");
    let c = env.client();
    let repo = Repo::new(REPO, RepoType::Model).unwrap();

    let info = c.repo_info(&repo, None, None).unwrap();
    assert_eq!(info.id, REPO);
    assert_eq!(info.sha.as_deref(), Some(env.commit.as_str()));
    assert!(!info.private);
    let lfs = info.siblings.iter().find(|s| s.path == "model.safetensors").unwrap();
    assert_eq!(lfs.lfs.as_ref().unwrap().size, 1 << 20);

    let root = c.list_tree(&repo, None, None, false, None).unwrap();
    assert!(root.iter().any(|e| e.path == "subdir" && e.kind == hf_hub::api::EntryKind::Directory));
    assert!(!root.iter().any(|e| e.path == "subdir/data.txt"));
    let sub = c.list_tree(&repo, None, Some("subdir"), false, None).unwrap();
    assert_eq!(sub.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["subdir/data.txt"]);
    assert!(matches!(c.list_tree(&repo, None, Some("nope"), false, None), Err(Error::EntryNotFound(_))));

    let pi = c
        .paths_info(
            &repo,
            Some("main"),
            &["config.json".into(), "missing.txt".into(), "model.safetensors".into()],
            None,
        )
        .unwrap();
    let mut names: Vec<&str> = pi.iter().map(|e| e.path.as_str()).collect();
    names.sort();
    assert_eq!(names, ["config.json", "model.safetensors"]);
    assert!(pi.iter().find(|e| e.path == "model.safetensors").unwrap().lfs.is_some());

    let refs = c.list_refs(&repo, true, None).unwrap();
    assert!(refs.iter().any(|r| r.kind == hf_hub::api::RefKind::Branch && r.name == "dev"));
    assert!(refs
        .iter()
        .any(|r| r.kind == hf_hub::api::RefKind::Tag && r.name == "v1" && r.target_commit == env.commit));

    let commits = c.list_commits(&repo, None, None).unwrap();
    assert_eq!(commits[0].id, env.commit);

    assert!(c.file_exists(&repo, None, "config.json", None).unwrap());
    assert!(!c.file_exists(&repo, None, "nope.json", None).unwrap());
    assert!(c.repo_exists(&repo, None).unwrap());
    assert!(!c.repo_exists(&Repo::new("nobody/nothing", RepoType::Model).unwrap(), None).unwrap());
    assert!(c.repo_exists(&Repo::new("test-org/gated-model", RepoType::Model).unwrap(), None).unwrap());
    let ds = Repo::new("test-org/test-dataset", RepoType::Dataset).unwrap();
    assert_eq!(
        c.list_tree(&ds, None, None, true, None).unwrap().iter().filter(|e| e.path == "data/train.csv").count(),
        1
    );
}
