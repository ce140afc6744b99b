//! Uploads and repository administration against the in-process hub emulator: the requests sent
//! (compared with the official client's traces) and the repository contents afterwards.

mod common;

use std::fs;

use common::{sha256_hex, Env};
use hf_hub::{CommitOperation, CommitSpec, CreateRepo, Error, FolderSpec, Phase, RepoType, UploadOptions, Visibility};
use hub_emulator::{pseudo_random_bytes, Emulator, EmulatorOptions, Fault, FaultAction, Origin, DEMO_TOKEN};

const REPO: &str = "tester/new-model";

fn env_with(opts: EmulatorOptions) -> Env {
    let emu = Emulator::start_with(opts);
    let commit = emu.seed_demo();
    Env { emu, home: tempfile::tempdir().unwrap(), commit }
}

fn new_repo(env: &Env) -> hf_hub::Client {
    let client = env.client();
    client.create_repo(&CreateRepo { repo_id: REPO.into(), ..Default::default() }, None).unwrap();
    env.emu.clear_requests();
    client
}

fn seq(env: &Env) -> Vec<(Origin, String, String)> {
    env.requests().iter().map(|r| (r.origin, r.method.clone(), r.path.clone())).collect()
}

fn head(env: &Env) -> String {
    env.emu.resolve("model", REPO, "main").unwrap()
}

#[test]
fn repo_administration() {
    let env = Env::new();
    let client = env.client();
    let url = client.create_repo(&CreateRepo { repo_id: REPO.into(), ..Default::default() }, None).unwrap();
    assert_eq!(url, format!("{}/{REPO}", env.emu.hub_url()));
    let r = &env.requests()[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/api/repos/create"));
    assert_eq!(r.body.as_deref(), Some(r#"{"name":"new-model","organization":"tester"}"#), "trace M");
    // 409: an error, unless exist_ok (trace M2).
    let again = client.create_repo(&CreateRepo { repo_id: REPO.into(), ..Default::default() }, None);
    assert_eq!(again.unwrap_err().http_status(), 409);
    let what = CreateRepo { repo_id: REPO.into(), exist_ok: true, ..Default::default() };
    assert_eq!(client.create_repo(&what, None).unwrap(), url);

    // A private dataset, then public.
    let ds = CreateRepo {
        repo_id: "tester/data".into(),
        repo_type: RepoType::Dataset,
        visibility: Some(Visibility::Private),
        ..Default::default()
    };
    client.create_repo(&ds, None).unwrap();
    let body = env.requests().last().unwrap().body.clone().unwrap();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!((v["type"].as_str(), v["visibility"].as_str()), (Some("dataset"), Some("private")));
    let anon = env.client_with(|c| c.token = None);
    let hidden =
        anon.file_metadata(&hf_hub::FileRef::new("tester/data", ".gitattributes").repo_type(RepoType::Dataset), None);
    assert!(matches!(hidden, Err(Error::RepoNotFound(_))), "{hidden:?}");
    client.update_repo_visibility("tester/data", RepoType::Dataset, Visibility::Public, None).unwrap();
    anon.file_metadata(&hf_hub::FileRef::new("tester/data", ".gitattributes").repo_type(RepoType::Dataset), None)
        .unwrap();
    assert!(matches!(
        client.create_repo(
            &CreateRepo { repo_id: "tester/sp".into(), repo_type: RepoType::Space, ..Default::default() },
            None
        ),
        Err(Error::InvalidArgument(_))
    ));

    // Branches and tags.
    let main = head(&env);
    client.create_branch(REPO, RepoType::Model, "dev/x", None, false, None).unwrap();
    assert_eq!(env.requests().last().unwrap().path, "/api/models/tester/new-model/branch/dev%2Fx");
    assert_eq!(env.emu.resolve("model", REPO, "dev/x").as_deref(), Some(main.as_str()));
    assert_eq!(client.create_branch(REPO, RepoType::Model, "dev/x", None, false, None).unwrap_err().http_status(), 409);
    client.create_branch(REPO, RepoType::Model, "dev/x", None, true, None).unwrap();
    client.create_tag(REPO, RepoType::Model, "v1", Some("dev/x"), Some("first"), false, None).unwrap();
    let r = env.requests().last().unwrap().clone();
    assert_eq!(r.path, "/api/models/tester/new-model/tag/dev%2Fx");
    assert_eq!(r.body.as_deref(), Some(r#"{"message":"first","tag":"v1"}"#));
    assert_eq!(env.emu.resolve("model", REPO, "v1").as_deref(), Some(main.as_str()));
    client.delete_tag(REPO, RepoType::Model, "v1", None).unwrap();
    assert_eq!(env.emu.resolve("model", REPO, "v1"), None);
    client.delete_branch(REPO, RepoType::Model, "dev/x", None).unwrap();
    assert_eq!(env.emu.resolve("model", REPO, "dev/x"), None);
    assert!(matches!(client.delete_branch(REPO, RepoType::Model, "dev/x", None), Err(Error::RevisionNotFound(_))));

    // Move, then delete (missing_ok).
    client.move_repo(REPO, "tester/renamed", RepoType::Model, None).unwrap();
    assert!(env.emu.resolve("model", "tester/renamed", "main").is_some());
    client.delete_repo("tester/renamed", RepoType::Model, false, None).unwrap();
    assert!(env.emu.resolve("model", "tester/renamed", "main").is_none());
    assert!(matches!(client.delete_repo("tester/renamed", RepoType::Model, false, None), Err(Error::RepoNotFound(_))));
    client.delete_repo("tester/renamed", RepoType::Model, true, None).unwrap();
}

#[test]
fn upload_file_regular_and_lfs_like_the_official_client() {
    let env = Env::new();
    let client = new_repo(&env);
    let dir = tempfile::tempdir().unwrap();
    let hello = dir.path().join("hello.txt");
    fs::write(&hello, b"hello world\n").unwrap();
    let spec = CommitSpec { repo_id: REPO.into(), ..Default::default() };
    let info = client.upload_file(&spec, &hello, "hello.txt", UploadOptions::default()).unwrap();
    assert!(info.committed);
    assert_eq!(info.oid, head(&env));
    assert_eq!(info.url, format!("{}/{REPO}/commit/{}", env.emu.hub_url(), info.oid));
    let reqs = env.requests();
    assert_eq!(
        seq(&env),
        vec![
            (Origin::Hub, "POST".into(), "/api/models/tester/new-model/preupload/main".into()),
            (Origin::Hub, "POST".into(), "/api/models/tester/new-model/commit/main".into()),
        ]
    );
    // Trace N, byte for byte.
    assert_eq!(
        reqs[0].body.as_deref(),
        Some(r#"{"files":[{"path":"hello.txt","sample":"aGVsbG8gd29ybGQK","size":12}]}"#)
    );
    assert_eq!(
        reqs[1].body.as_deref(),
        Some(
            "{\"key\": \"header\", \"value\": {\"summary\": \"Upload hello.txt with huggingface_hub\", \"description\": \"\"}}\n\
             {\"key\": \"file\", \"value\": {\"content\": \"aGVsbG8gd29ybGQK\", \"path\": \"hello.txt\", \"encoding\": \"base64\"}}\n"
        )
    );
    assert_eq!(reqs[1].header("content-type"), Some("application/x-ndjson"));
    assert_eq!(env.emu.file("model", REPO, "main", "hello.txt").unwrap(), b"hello world\n");

    // LFS, basic transfer (trace P).
    env.emu.clear_requests();
    let data = pseudo_random_bytes(200_000, 7);
    let weights = dir.path().join("weights.bin");
    fs::write(&weights, &data).unwrap();
    let mut reports = Vec::new();
    let mut cb = |p: &hf_hub::Progress| {
        reports.push((
            p.filename.to_string(),
            p.phase,
            p.bytes_done,
            p.bytes_total,
            p.total_bytes_done,
            p.total_bytes_total,
        ));
        true
    };
    let how = UploadOptions { progress: Some(&mut cb), cancel: None };
    client.upload_file(&spec, &weights, "weights.bin", how).unwrap();
    let reqs = env.requests();
    let oid = sha256_hex(&data);
    assert_eq!(
        seq(&env),
        vec![
            (Origin::Hub, "POST".into(), "/api/models/tester/new-model/preupload/main".into()),
            (Origin::Hub, "POST".into(), "/tester/new-model.git/info/lfs/objects/batch".into()),
            (Origin::Cdn, "PUT".into(), format!("/upload/{oid}")),
            (Origin::Hub, "POST".into(), "/tester/new-model.git/info/lfs/objects/verify".into()),
            (Origin::Hub, "POST".into(), "/api/models/tester/new-model/commit/main".into()),
        ]
    );
    assert_eq!(
        reqs[1].body.as_deref().unwrap(),
        format!(
            r#"{{"hash_algo":"sha256","objects":[{{"oid":"{oid}","size":200000}}],"operation":"upload","ref":{{"name":"main"}},"transfers":["basic","multipart"]}}"#
        )
    );
    assert_eq!(reqs[1].header("accept"), Some("application/vnd.git-lfs+json"));
    assert_eq!(reqs[2].header("authorization"), None, "no token to the presigned URL");
    assert_eq!(reqs[2].body_len, 200_000);
    assert_eq!(reqs[3].body.as_deref().unwrap(), format!(r#"{{"oid":"{oid}","size":200000}}"#));
    assert_eq!(reqs[3].header("authorization"), Some(format!("Bearer {DEMO_TOKEN}").as_str()));
    assert_eq!(
        reqs[4].body.as_deref().unwrap(),
        format!(
            "{{\"key\": \"header\", \"value\": {{\"summary\": \"Upload weights.bin with huggingface_hub\", \"description\": \"\"}}}}\n\
             {{\"key\": \"lfsFile\", \"value\": {{\"path\": \"weights.bin\", \"algo\": \"sha256\", \"oid\": \"{oid}\", \"size\": 200000}}}}\n"
        )
    );
    assert_eq!(env.emu.file("model", REPO, "main", "weights.bin").unwrap(), data);
    // Progress: hashing then sending, with whole-call totals (2 x size).
    let first = &reports[0];
    assert_eq!(
        (first.0.as_str(), first.1, first.2, first.3, first.5),
        ("weights.bin", Phase::Hash, 0, 200_000, 400_000)
    );
    let last = reports.last().unwrap();
    assert_eq!((last.1, last.2, last.4, last.5), (Phase::Upload, 200_000, 400_000, 400_000));
    assert!(reports.iter().any(|r| r.1 == Phase::Hash && r.2 == 200_000));

    // The same bytes again: the batch answers without actions, nothing is sent, no commit.
    env.emu.clear_requests();
    let before = head(&env);
    let info = client.upload_file(&spec, &weights, "weights.bin", UploadOptions::default()).unwrap();
    assert!(!info.committed);
    assert_eq!(info.oid, before);
    let methods: Vec<String> = seq(&env).into_iter().map(|(_, m, p)| format!("{m} {p}")).collect();
    assert_eq!(
        methods,
        vec![
            "POST /api/models/tester/new-model/preupload/main",
            "POST /tester/new-model.git/info/lfs/objects/batch",
            "GET /api/models/tester/new-model/revision/main",
        ]
    );
    // Same bytes under another name: not sent again, but committed.
    env.emu.clear_requests();
    client.upload_file(&spec, &weights, "copy.bin", UploadOptions::default()).unwrap();
    assert_eq!(env.count(Origin::Cdn, "PUT"), 0);
    assert_eq!(env.emu.file("model", REPO, "main", "copy.bin").unwrap(), data);
}

#[test]
fn every_operation_kind_in_one_commit() {
    let env = Env::new();
    let client = new_repo(&env);
    let big = pseudo_random_bytes(50_000, 3);
    let first = client
        .create_commit(
            &CommitSpec { repo_id: REPO.into(), summary: "seed".into(), ..Default::default() },
            vec![
                CommitOperation::add_bytes("a.txt", &b"alpha"[..]),
                CommitOperation::add_bytes("dir/b.txt", &b"beta"[..]),
                CommitOperation::add_bytes("dir/c.txt", &b"gamma"[..]),
                CommitOperation::add_bytes("w.bin", big.clone()),
                CommitOperation::add_bytes("empty.bin", &b""[..]),
            ],
            UploadOptions::default(),
        )
        .unwrap();
    assert!(first.committed);
    let body = env.requests().last().unwrap().body.clone().unwrap();
    assert!(
        body.contains(r#"{"key": "file", "value": {"content": "", "path": "empty.bin", "encoding": "base64"}}"#),
        "{body}"
    );
    env.emu.clear_requests();
    let spec = CommitSpec {
        repo_id: REPO.into(),
        summary: "ops".into(),
        description: "all kinds".into(),
        parent_commit: Some(first.oid.clone()),
        ..Default::default()
    };
    let info = client
        .create_commit(
            &spec,
            vec![
                CommitOperation::add_bytes("new.txt", &b"new"[..]),
                CommitOperation::delete("a.txt"),
                CommitOperation::delete("dir/"),
                CommitOperation::copy("w.bin", "w2.bin"),
                CommitOperation::Copy {
                    src_path_in_repo: "dir/b.txt".into(),
                    src_revision: Some(first.oid.clone()),
                    path_in_repo: "b-copy.txt".into(),
                },
            ],
            UploadOptions::default(),
        )
        .unwrap();
    assert!(info.committed);
    let f = |p: &str| env.emu.file("model", REPO, "main", p);
    assert_eq!(f("new.txt").unwrap(), b"new");
    assert_eq!(f("a.txt"), None);
    assert_eq!(f("dir/b.txt"), None);
    assert_eq!(f("dir/c.txt"), None);
    assert_eq!(f("w2.bin").unwrap(), big);
    assert_eq!(f("b-copy.txt").unwrap(), b"beta");
    let commit = env.requests().into_iter().find(|r| r.path.ends_with("/commit/main")).unwrap();
    let oid = sha256_hex(&big);
    let expected = format!(
        "{{\"key\": \"header\", \"value\": {{\"summary\": \"ops\", \"description\": \"all kinds\", \"parentCommit\": \"{}\"}}}}\n\
         {{\"key\": \"file\", \"value\": {{\"content\": \"bmV3\", \"path\": \"new.txt\", \"encoding\": \"base64\"}}}}\n\
         {{\"key\": \"deletedFile\", \"value\": {{\"path\": \"a.txt\"}}}}\n\
         {{\"key\": \"deletedFolder\", \"value\": {{\"path\": \"dir/\"}}}}\n\
         {{\"key\": \"lfsFile\", \"value\": {{\"path\": \"w2.bin\", \"algo\": \"sha256\", \"oid\": \"{oid}\"}}}}\n\
         {{\"key\": \"file\", \"value\": {{\"content\": \"YmV0YQ==\", \"path\": \"b-copy.txt\", \"encoding\": \"base64\"}}}}\n",
        first.oid
    );
    assert_eq!(commit.body.unwrap(), expected);
    // Invalid paths and messages are refused before any request.
    env.emu.clear_requests();
    for bad in ["../x", ".git/config", "a/.cache/b"] {
        let r = client.create_commit(&spec, vec![CommitOperation::add_bytes(bad, &b"x"[..])], UploadOptions::default());
        assert!(matches!(r, Err(Error::InvalidArgument(_))), "{bad}");
    }
    let r = client.create_commit(
        &CommitSpec { repo_id: REPO.into(), ..Default::default() },
        vec![CommitOperation::delete("new.txt")],
        UploadOptions::default(),
    );
    assert!(matches!(r, Err(Error::InvalidArgument(_))));
    assert!(env.requests().is_empty());
    // Deleting a missing file: the Hub's EntryNotFound.
    let r = client.create_commit(
        &CommitSpec { repo_id: REPO.into(), summary: "x".into(), ..Default::default() },
        vec![CommitOperation::delete("nope.txt")],
        UploadOptions::default(),
    );
    assert!(matches!(r, Err(Error::EntryNotFound(_))), "{r:?}");
}

#[test]
fn stale_parent_and_pull_requests() {
    let env = Env::new();
    let client = new_repo(&env);
    let base = head(&env);
    let spec = CommitSpec { repo_id: REPO.into(), summary: "one".into(), ..Default::default() };
    client
        .create_commit(&spec, vec![CommitOperation::add_bytes("a.txt", &b"1"[..])], UploadOptions::default())
        .unwrap();
    let now = head(&env);
    let stale = CommitSpec { parent_commit: Some(base.clone()), ..spec.clone() };
    let r =
        client.create_commit(&stale, vec![CommitOperation::add_bytes("b.txt", &b"2"[..])], UploadOptions::default());
    let e = r.unwrap_err();
    assert!(matches!(e, Error::StaleParent(_)), "{e:?}");
    assert_eq!(hf_hub::ffi::status::hf_status::HF_ERR_STALE_PARENT as i32, 22);
    assert_eq!(head(&env), now, "nothing committed");
    // The current head as parent works.
    let ok = CommitSpec { parent_commit: Some(now[..7].to_string()), ..spec.clone() };
    client.create_commit(&ok, vec![CommitOperation::add_bytes("b.txt", &b"2"[..])], UploadOptions::default()).unwrap();

    // A pull request: main stays, the PR ref holds the change.
    let main = head(&env);
    env.emu.clear_requests();
    let pr = CommitSpec { create_pr: true, summary: "pr".into(), ..spec.clone() };
    let big = pseudo_random_bytes(30_000, 9);
    let info = client
        .create_commit(
            &pr,
            vec![CommitOperation::add_bytes("p.txt", &b"pr"[..]), CommitOperation::add_bytes("p.bin", big.clone())],
            UploadOptions::default(),
        )
        .unwrap();
    assert_eq!(info.pr_num, Some(1));
    assert_eq!(info.pr_revision.as_deref(), Some("refs/pr/1"));
    assert_eq!(info.pr_url, Some(format!("{}/{REPO}/discussions/1", env.emu.hub_url())));
    assert_eq!(head(&env), main);
    assert_eq!(env.emu.resolve("model", REPO, "refs/pr/1").as_deref(), Some(info.oid.as_str()));
    assert_eq!(env.emu.file("model", REPO, "refs/pr/1", "p.bin").unwrap(), big);
    let reqs = env.requests();
    assert_eq!(reqs[0].query.as_deref(), Some("create_pr=1"), "preupload");
    assert!(!reqs[1].body.as_deref().unwrap().contains("\"ref\""), "no ref in the batch of a PR");
    assert_eq!(reqs.last().unwrap().query.as_deref(), Some("create_pr=1"), "commit");
    // A further commit on the PR ref.
    let on_pr = CommitSpec { revision: Some("refs/pr/1".into()), summary: "more".into(), ..spec };
    client
        .create_commit(&on_pr, vec![CommitOperation::add_bytes("q.txt", &b"q"[..])], UploadOptions::default())
        .unwrap();
    assert_eq!(env.emu.file("model", REPO, "refs/pr/1", "q.txt").unwrap(), b"q");
    assert!(env.requests().last().unwrap().path.ends_with("/commit/refs%2Fpr%2F1"));
}

#[test]
fn multipart_parts_in_parallel_with_a_retried_part() {
    let env = env_with(EmulatorOptions { multipart_chunk_size: Some(100_000), ..Default::default() });
    let client = {
        let c = env.client_with(|c| c.http_retries = 2);
        c.create_repo(&CreateRepo { repo_id: REPO.into(), ..Default::default() }, None).unwrap();
        env.emu.clear_requests();
        c
    };
    // 350 001 bytes in parts of 100 000: four parts, the last one 50 001 bytes.
    let data = pseudo_random_bytes(350_001, 11);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.safetensors");
    fs::write(&path, &data).unwrap();
    env.emu.add_fault(
        Fault::new(FaultAction::Status(500)).origin(Origin::Cdn).method("PUT").path_contains("/part/2").times(1),
    );
    let spec = CommitSpec { repo_id: REPO.into(), ..Default::default() };
    let mut last_total = (0, 0);
    let mut cb = |p: &hf_hub::Progress| {
        last_total = (p.total_bytes_done, p.total_bytes_total);
        true
    };
    client
        .upload_file(&spec, &path, "big.safetensors", UploadOptions { progress: Some(&mut cb), cancel: None })
        .unwrap();
    assert_eq!(last_total, (700_002, 700_002), "taken-back bytes of the failed part are not counted twice");
    assert_eq!(env.emu.file("model", REPO, "main", "big.safetensors").unwrap(), data);
    let reqs = env.requests();
    let oid = sha256_hex(&data);
    let mut parts: Vec<(String, u16, u64)> =
        reqs.iter().filter(|r| r.origin == Origin::Cdn).map(|r| (r.path.clone(), r.status, r.body_len)).collect();
    parts.sort();
    assert_eq!(
        parts,
        vec![
            (format!("/upload/{oid}/part/1"), 200, 100_000),
            (format!("/upload/{oid}/part/2"), 200, 100_000),
            (format!("/upload/{oid}/part/2"), 500, 100_000),
            (format!("/upload/{oid}/part/3"), 200, 100_000),
            (format!("/upload/{oid}/part/4"), 200, 50_001),
        ]
    );
    assert!(reqs.iter().filter(|r| r.origin == Origin::Cdn).all(|r| r.header("authorization").is_none()));
    let completion = reqs.iter().find(|r| r.path == "/api/complete_multipart").unwrap();
    let v: serde_json::Value = serde_json::from_str(completion.body.as_deref().unwrap()).unwrap();
    assert_eq!(v["oid"], oid.as_str());
    assert_eq!(v["parts"].as_array().unwrap().len(), 4);
    assert_eq!(v["parts"][3]["partNumber"], 4);
    let order: Vec<&str> = reqs.iter().filter(|r| r.origin == Origin::Hub).map(|r| r.path.as_str()).collect();
    assert_eq!(
        order,
        vec![
            "/api/models/tester/new-model/preupload/main",
            "/tester/new-model.git/info/lfs/objects/batch",
            "/api/complete_multipart",
            "/tester/new-model.git/info/lfs/objects/verify",
            "/api/models/tester/new-model/commit/main",
        ]
    );
}

#[test]
fn a_cancelled_upload_leaves_the_repo_unchanged() {
    let env = env_with(EmulatorOptions { multipart_chunk_size: Some(64 * 1024), ..Default::default() });
    let client = new_repo(&env);
    let before = head(&env);
    let data = pseudo_random_bytes(1 << 20, 5);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.bin");
    fs::write(&path, &data).unwrap();
    // Stop halfway through the sending.
    let mut cb = |p: &hf_hub::Progress| !(p.phase == Phase::Upload && p.bytes_done >= 1 << 19);
    env.emu.add_fault(Fault::new(FaultAction::Delay(std::time::Duration::from_millis(30))).origin(Origin::Cdn));
    let spec = CommitSpec { repo_id: REPO.into(), ..Default::default() };
    let r = client.upload_file(&spec, &path, "w.bin", UploadOptions { progress: Some(&mut cb), cancel: None });
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
    assert_eq!(head(&env), before);
    assert!(!env.requests().iter().any(|r| r.path.contains("/commit/")), "no commit call");
    assert!(env.requests().iter().any(|r| r.origin == Origin::Cdn), "cancelled while sending");
    // A cancel token set from another thread, during the hashing.
    let token = hf_hub::CancelToken::new();
    let t2 = token.clone();
    let mut cb2 = |p: &hf_hub::Progress| {
        if p.phase == Phase::Hash {
            t2.cancel();
        }
        true
    };
    let r = client.upload_file(&spec, &path, "w.bin", UploadOptions { progress: Some(&mut cb2), cancel: Some(&token) });
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
    assert_eq!(head(&env), before);
    // And the same upload without a cancel succeeds.
    client.upload_file(&spec, &path, "w.bin", UploadOptions::default()).unwrap();
    assert_eq!(env.emu.file("model", REPO, "main", "w.bin").unwrap(), data);
}

#[test]
fn upload_folder_patterns_deletes_splits_and_resumes() {
    let env = Env::new();
    let client = new_repo(&env);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let write = |p: &str, d: &[u8]| {
        let f = root.join(p);
        fs::create_dir_all(f.parent().unwrap()).unwrap();
        fs::write(f, d).unwrap();
    };
    write("config.json", b"{}");
    write("README.md", b"# hi");
    write("sub/a.txt", b"a");
    write("sub/model.bin", &pseudo_random_bytes(20_000, 1));
    write("skip.log", b"log");
    write(".git/HEAD", b"ref");
    write("sub/.git/x", b"x");
    write(".cache/huggingface/upload/x.metadata", b"m");
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("sub"), root.join("linked")).unwrap();
    let spec = CommitSpec { repo_id: REPO.into(), ..Default::default() };
    let f = FolderSpec {
        folder: root.to_path_buf(),
        path_in_repo: "/up/".into(),
        ignore_patterns: vec!["*.log".into()],
        ..Default::default()
    };
    let info = client.upload_folder(&spec, &f, UploadOptions::default()).unwrap();
    assert_eq!(info.commits, 1);
    let files = |rev: &str| -> Vec<String> {
        let mut v: Vec<String> = [
            "up/config.json",
            "up/README.md",
            "up/sub/a.txt",
            "up/sub/model.bin",
            "up/skip.log",
            "up/.git/HEAD",
            "up/linked/a.txt",
            "old/x.txt",
            "up/old.txt",
            "up/keep.md",
            ".gitattributes",
        ]
        .iter()
        .filter(|p| env.emu.file("model", REPO, rev, p).is_some())
        .map(|p| p.to_string())
        .collect();
        v.sort();
        v
    };
    assert_eq!(
        files("main"),
        vec![".gitattributes", "up/README.md", "up/config.json", "up/sub/a.txt", "up/sub/model.bin"]
    );
    let commit = env.requests().into_iter().find(|r| r.path.ends_with("/commit/main")).unwrap();
    assert!(commit.body.unwrap().contains("\"summary\": \"Upload folder using huggingface_hub\""));

    // Deletes: remote files under path_in_repo matching delete_patterns, unless re-uploaded.
    client
        .create_commit(
            &CommitSpec { repo_id: REPO.into(), summary: "more".into(), ..Default::default() },
            vec![
                CommitOperation::add_bytes("up/old.txt", &b"o"[..]),
                CommitOperation::add_bytes("up/keep.md", &b"k"[..]),
                CommitOperation::add_bytes("old/x.txt", &b"x"[..]),
            ],
            UploadOptions::default(),
        )
        .unwrap();
    write("sub/a.txt", b"a2");
    env.emu.clear_requests();
    let f2 = FolderSpec { delete_patterns: vec!["*.txt".into()], allow_patterns: vec!["sub/*".into()], ..f.clone() };
    let info = client.upload_folder(&spec, &f2, UploadOptions::default()).unwrap();
    assert_eq!(info.commits, 1);
    assert_eq!(
        files("main"),
        vec![
            ".gitattributes",
            "old/x.txt",
            "up/README.md",
            "up/config.json",
            "up/keep.md",
            "up/sub/a.txt",
            "up/sub/model.bin"
        ]
    );
    assert_eq!(env.emu.file("model", REPO, "main", "up/sub/a.txt").unwrap(), b"a2");
    let commit = env.requests().into_iter().find(|r| r.path.ends_with("/commit/main")).unwrap().body.unwrap();
    let keys: Vec<&str> = commit.lines().map(|l| l.split('"').nth(3).unwrap()).collect();
    assert_eq!(keys, vec!["header", "deletedFile", "file"], "deletes first; unchanged model.bin dropped: {commit}");

    // Split into commits of 2 operations; a failed run commits nothing, a rerun skips what is there.
    let big = tempfile::tempdir().unwrap();
    for i in 0..5 {
        fs::write(big.path().join(format!("f{i}.txt")), format!("file {i}")).unwrap();
    }
    let f3 = FolderSpec {
        folder: big.path().to_path_buf(),
        path_in_repo: "many".into(),
        max_ops_per_commit: 2,
        ..Default::default()
    };
    env.emu.add_fault(Fault::new(FaultAction::Status(500)).path_contains("/commit/").times(1).method("POST"));
    // The first commit fails: nothing committed yet.
    let before = head(&env);
    assert!(client.upload_folder(&spec, &f3, UploadOptions::default()).is_err());
    assert_eq!(head(&env), before);
    env.emu.clear_faults();
    env.emu.clear_requests();
    let info = client.upload_folder(&spec, &f3, UploadOptions::default()).unwrap();
    assert_eq!(info.commits, 3);
    for i in 0..5 {
        assert!(env.emu.file("model", REPO, "main", &format!("many/f{i}.txt")).is_some());
    }
    let summaries: Vec<String> = env
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/commit/main") && r.status == 200)
        .map(|r| r.body.clone().unwrap().lines().next().unwrap().to_string())
        .collect();
    assert_eq!(summaries.len(), 3);
    assert!(summaries[2].contains("(part 3 of 3)"), "{summaries:?}");
    // A rerun commits nothing: every file is already there.
    env.emu.clear_requests();
    let info = client.upload_folder(&spec, &f3, UploadOptions::default()).unwrap();
    assert_eq!((info.commits, info.committed), (0, false));
    assert!(!env.requests().iter().any(|r| r.path.contains("/commit/")));
    // A partial earlier run: only the missing files are committed.
    fs::write(big.path().join("f5.txt"), "file 5").unwrap();
    env.emu.clear_requests();
    let info = client.upload_folder(&spec, &f3, UploadOptions::default()).unwrap();
    assert_eq!(info.commits, 1);
    let commits: Vec<String> =
        env.requests().iter().filter(|r| r.path.contains("/commit/")).map(|r| r.body.clone().unwrap()).collect();
    assert_eq!(commits.len(), 1);
    assert!(commits[0].contains("many/f5.txt") && !commits[0].contains("many/f1.txt"), "{commits:?}");
}

#[test]
fn a_stalled_upload_ends_with_a_timeout() {
    // Uploads have no read-inactivity timeout (no answer byte arrives while a body is sent); a
    // server that stops taking the body, or never answers once it has it, must still end the call.
    let env = Env::new();
    let _ = new_repo(&env);
    let client = env.client_with(|c| c.download_timeout = std::time::Duration::from_millis(200));
    let before = head(&env);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.bin");
    fs::write(&path, pseudo_random_bytes(24 << 20, 9)).unwrap();
    let spec = CommitSpec { repo_id: REPO.into(), ..Default::default() };
    let stall = std::time::Duration::from_secs(60);

    // The CDN stops reading the 24 MiB body (the socket buffers fill): 6 timeouts without progress.
    env.emu.add_fault(Fault::new(FaultAction::Delay(stall)).origin(Origin::Cdn).method("PUT").times(1));
    let t = std::time::Instant::now();
    let r = client.upload_file(&spec, &path, "w.bin", UploadOptions::default());
    let msg = format!("{r:?}");
    assert!(matches!(r, Err(Error::Timeout(_))) && msg.contains("took no request body"), "{msg}");
    assert!(t.elapsed() < std::time::Duration::from_secs(10), "{:?}", t.elapsed());
    assert_eq!(head(&env), before);

    // The Hub takes the LFS verify call (patient: no read timeout) and never answers: 60
    // timeouts after the body was sent.
    env.emu.clear_faults();
    env.emu.add_fault(Fault::new(FaultAction::Delay(stall)).path_contains("/objects/verify").times(1));
    let t = std::time::Instant::now();
    let r = client.upload_file(&spec, &path, "w.bin", UploadOptions::default());
    let msg = format!("{r:?}");
    assert!(matches!(r, Err(Error::Timeout(_))) && msg.contains("no answer"), "{msg}");
    assert!(t.elapsed() < std::time::Duration::from_secs(30), "{:?}", t.elapsed());

    // Without faults the same upload goes through.
    env.emu.clear_faults();
    client.upload_file(&spec, &path, "w.bin", UploadOptions::default()).unwrap();
    assert_eq!(env.emu.file("model", REPO, "main", "w.bin").unwrap().len(), 24 << 20);
}
