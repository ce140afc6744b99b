//! GGUF model plans against the hub emulator: resolve without downloading, download with
//! aggregate progress, the same answer offline (from the tree cache, or from the snapshot folder
//! alone), a missing split part, an unreachable Hub, and a cache llama.cpp filled.

mod common;

use std::fs;

use common::{llama_cpp_put, llama_cpp_write_ref, sha256_hex, Env};
use hf_hub::download::{GgufOptions, GgufRole, GgufSelect};
use hf_hub::{Client, Error, Progress};
use hub_emulator::{Access, Origin};

const REPO: &str = "test-org/tiny-GGUF";

fn gguf_bytes(tag: &str, n: usize) -> Vec<u8> {
    let mut v = b"GGUF".to_vec();
    v.extend(hub_emulator::pseudo_random_bytes(n, tag.len() as u64 * 7919 + n as u64));
    v
}

/// A repo with several quants, a 3-part BF16 model in a folder and projectors at two quants.
fn seed(env: &Env) -> (String, Vec<(&'static str, Vec<u8>)>) {
    env.emu.create_repo("model", REPO, Access::Public);
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("README.md", b"# tiny\n".to_vec()),
        ("tiny-Q4_K_M.gguf", gguf_bytes("Q4_K_M", 3000)),
        ("tiny-Q4_K.gguf", gguf_bytes("Q4_K", 2900)),
        ("tiny-Q8_0.gguf", gguf_bytes("Q8_0", 5000)),
        ("BF16/tiny-BF16-00001-of-00003.gguf", gguf_bytes("p1", 4000)),
        ("BF16/tiny-BF16-00002-of-00003.gguf", gguf_bytes("p2", 4000)),
        ("BF16/tiny-BF16-00003-of-00003.gguf", gguf_bytes("p3", 1000)),
        ("mmproj-tiny-F16.gguf", gguf_bytes("F16", 700)),
        ("mmproj-tiny-Q8_0.gguf", gguf_bytes("mQ8_0", 400)),
    ];
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, d)| (*p, d.as_slice())).collect();
    let commit = env.emu.commit("model", REPO, "main", "add gguf", &refs, &[]);
    (commit, files)
}

fn data_of<'a>(files: &'a [(&str, Vec<u8>)], path: &str) -> &'a [u8] {
    &files.iter().find(|(p, _)| *p == path).unwrap().1
}

fn offline(env: &Env) -> Client {
    env.client_with(|c| c.offline = true)
}

#[test]
fn resolve_download_then_offline() {
    let env = Env::new();
    let (commit, files) = seed(&env);
    let client = env.client();
    env.emu.clear_requests();

    // Resolve only: the listing, no file bytes.
    let plan = client.gguf_resolve(&format!("{REPO}:bf16"), &GgufSelect::default(), false, None).unwrap();
    assert_eq!(plan.commit, commit);
    assert_eq!(plan.quant, "BF16");
    let paths: Vec<(&str, GgufRole, u64)> = plan.files.iter().map(|f| (f.path.as_str(), f.role, f.size)).collect();
    assert_eq!(
        paths,
        [
            ("BF16/tiny-BF16-00001-of-00003.gguf", GgufRole::Model, 4004),
            ("BF16/tiny-BF16-00002-of-00003.gguf", GgufRole::Model, 4004),
            ("BF16/tiny-BF16-00003-of-00003.gguf", GgufRole::Model, 1004),
            ("mmproj-tiny-F16.gguf", GgufRole::Mmproj, 704),
        ]
    );
    assert!(plan.files.iter().all(|f| f.local_path.is_none()));
    assert_eq!(
        plan.files[3].sha256.as_deref(),
        Some(sha256_hex(data_of(&files, "mmproj-tiny-F16.gguf")).as_str()),
        "LFS SHA-256 from the listing"
    );
    assert_eq!(env.count(Origin::Cdn, "GET"), 0, "nothing downloaded: {:?}", env.requests());
    assert!(env.requests().iter().all(|r| !r.path.contains("/resolve/")), "{:?}", env.requests());

    // Download the plan with aggregate progress.
    let mut last: Option<(u64, u64, u64, u64)> = None;
    let mut cb = |p: &Progress| {
        last = Some((p.files_done, p.files_total, p.total_bytes_done, p.total_bytes_total));
        true
    };
    let done = client.gguf_download_plan(&plan, GgufOptions { progress: Some(&mut cb), ..Default::default() }).unwrap();
    let total: u64 = plan.files.iter().map(|f| f.size).sum();
    assert_eq!(last, Some((4, 4, total, total)));
    for f in &done.files {
        let local = f.local_path.as_ref().unwrap();
        assert_eq!(fs::read(local).unwrap(), data_of(&files, &f.path), "{}", f.path);
        assert!(local.starts_with(env.cache().join("models--test-org--tiny-GGUF/snapshots").join(&commit)));
    }
    assert_eq!(fs::read(env.cache().join("models--test-org--tiny-GGUF/refs/main")).unwrap(), commit.as_bytes());

    // The same plan offline, from the tree cache; local paths filled.
    let off = offline(&env).gguf_resolve(&format!("{REPO}:BF16"), &GgufSelect::default(), false, None).unwrap();
    assert_eq!(off, done);
    // A quant that was never downloaded: the tree cache knows it exists, so the snapshot is incomplete.
    match offline(&env).gguf_resolve(&format!("{REPO}:Q8_0"), &GgufSelect::default(), false, None) {
        Err(Error::IncompleteSnapshot(m)) => assert!(m.contains("tiny-Q8_0.gguf"), "{m}"),
        other => panic!("{other:?}"),
    }
    // And the one-call download offline answers from the cache without a request.
    env.emu.clear_requests();
    let again = client
        .gguf_download(
            &format!("{REPO}:BF16"),
            &GgufSelect::default(),
            GgufOptions { local_files_only: true, ..Default::default() },
        )
        .unwrap();
    assert_eq!(again, done);
    assert!(env.requests().is_empty(), "{:?}", env.requests());

    // Without the tree cache, the snapshot folder alone answers (as llama.cpp reads it).
    fs::remove_dir_all(env.cache().join("models--test-org--tiny-GGUF/trees")).unwrap();
    let off = offline(&env).gguf_resolve(&format!("{REPO}:bf16"), &GgufSelect::default(), false, None).unwrap();
    let local = |p: &hf_hub::download::GgufPlan| {
        p.files.iter().map(|f| (f.path.clone(), f.local_path.clone())).collect::<Vec<_>>()
    };
    assert_eq!(local(&off), local(&done));
    assert_eq!(off.files[0].sha256, done.files[0].sha256, "blob names give the SHA-256");
    match offline(&env).gguf_resolve(&format!("{REPO}:Q8_0"), &GgufSelect::default(), false, None) {
        Err(Error::EntryNotFound(d)) => assert!(d.message.contains("BF16"), "lists what the cache has: {}", d.message),
        other => panic!("{other:?}"),
    }
}

#[test]
fn default_quant_sidecar_selection_and_unreachable_hub() {
    let env = Env::new();
    let (commit, _files) = seed(&env);
    let client = env.client();
    let sel = GgufSelect { no_mmproj: true, ..Default::default() };
    let plan = client.gguf_download(REPO, &sel, GgufOptions::default()).unwrap();
    let paths: Vec<&str> = plan.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["tiny-Q4_K_M.gguf"], "Q4_K_M by default; projector left out on request");
    let q4k = client.gguf_resolve(&format!("{REPO}:Q4_K"), &GgufSelect::default(), false, None).unwrap();
    assert_eq!(q4k.files[0].path, "tiny-Q4_K.gguf");
    assert_eq!(q4k.files[1].path, "mmproj-tiny-Q8_0.gguf", "closest bits to a 4-bit model");
    // The Hub unreachable: the cache answers.
    let down = env.client_with(|c| c.endpoint = "http://127.0.0.1:9".to_string());
    let plan2 = down.gguf_resolve(REPO, &sel, false, None).unwrap();
    assert_eq!(plan2.commit, commit);
    assert_eq!(plan2.files[0].local_path, plan.files[0].local_path);
    // Unknown quant online: EntryNotFound listing what exists.
    match client.gguf_resolve(&format!("{REPO}:Q5_K_M"), &sel, false, None) {
        Err(Error::EntryNotFound(d)) => assert!(d.message.contains("BF16, Q4_K, Q4_K_M, Q8_0"), "{}", d.message),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_split_part_is_named_and_nothing_is_downloaded() {
    let env = Env::new();
    env.emu.create_repo("model", REPO, Access::Public);
    let (a, c) = (gguf_bytes("a", 100), gguf_bytes("c", 100));
    env.emu.commit(
        "model",
        REPO,
        "main",
        "parts",
        &[("m-Q4_K_M-00001-of-00003.gguf", &a), ("m-Q4_K_M-00003-of-00003.gguf", &c)],
        &[],
    );
    env.emu.clear_requests();
    match env.client().gguf_download(REPO, &GgufSelect::default(), GgufOptions::default()) {
        Err(Error::EntryNotFound(d)) => {
            assert!(d.message.contains("m-Q4_K_M-00002-of-00003.gguf"), "{}", d.message);
            assert_eq!(d.status, 0, "not an HTTP answer");
        }
        other => panic!("{other:?}"),
    }
    assert!(env.requests().iter().all(|r| !r.path.contains("/resolve/")), "{:?}", env.requests());
    assert!(!env.cache().join("models--test-org--tiny-GGUF/blobs").exists());
}

#[test]
fn offline_from_a_cache_llama_cpp_filled() {
    let env = Env::new();
    let repo = env.cache().join("models--ggml-org--tiny-GGUF");
    let commit = "89abcdef0123456789abcdef0123456789abcdef";
    let (m, p) = (gguf_bytes("m", 300), gguf_bytes("p", 200));
    // llama.cpp wrote only the first branch it found (no `main`), and left a temp file behind.
    llama_cpp_write_ref(&repo, "dev", commit);
    llama_cpp_put(&repo, commit, "sub/tiny-Q8_0.gguf", &sha256_hex(&m), &m);
    llama_cpp_put(&repo, commit, "mmproj-F16.gguf", &sha256_hex(&p), &p);
    fs::write(repo.join("snapshots").join(commit).join("sub/tiny-Q4_K_M.gguf.downloadInProgress"), b"part").unwrap();
    let plan = offline(&env).gguf_resolve("ggml-org/tiny-GGUF", &GgufSelect::default(), false, None).unwrap();
    assert_eq!(plan.commit, commit);
    assert_eq!(plan.quant, "Q8_0", "the unfinished Q4_K_M download is not a candidate");
    assert_eq!(fs::read(plan.files[0].local_path.as_ref().unwrap()).unwrap(), m);
    assert_eq!(plan.file(GgufRole::Mmproj).map(|f| f.path.as_str()), Some("mmproj-F16.gguf"));
    assert_eq!(fs::read(plan.file(GgufRole::Mmproj).unwrap().local_path.as_ref().unwrap()).unwrap(), p);
    // An explicit revision is not guessed.
    let sel = GgufSelect { revision: Some("main".into()), ..Default::default() };
    assert!(matches!(offline(&env).gguf_resolve("ggml-org/tiny-GGUF", &sel, false, None), Err(Error::Offline(_))));
    // Nothing cached at all.
    assert!(matches!(
        offline(&env).gguf_resolve("ggml-org/other", &GgufSelect::default(), false, None),
        Err(Error::Offline(_))
    ));
}
