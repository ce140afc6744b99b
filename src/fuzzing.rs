//! Entry points for the fuzz targets in `fuzz/` (built with the `fuzzing` feature only; not part of
//! the API). Each takes raw bytes, drives one parser of untrusted input, and asserts the invariants
//! the rest of the library relies on, so a violation is a crash the fuzzer reports.
//! `tests/fuzz_regressions.rs` replays every saved input of `fuzz/regressions/<target>/`.

use std::collections::BTreeMap;
use std::path::Path;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};

use crate::repo::{encode_all, encode_path, validate_filename, validate_repo_id, validate_revision, FileRef};

/// Split fuzz bytes into UTF-8 fields at `\n` (invalid UTF-8 is replaced).
fn fields(data: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(data).split('\n').map(String::from).collect()
}

/// Repo ids, revisions, filenames: validation and URL encoding.
pub fn repo_inputs(data: &[u8]) {
    let f = fields(data);
    let get = |i: usize| f.get(i).map(String::as_str).unwrap_or("");
    let (id, rev, name) = (get(0), get(1), get(2));
    if validate_filename(name).is_ok() {
        let unified = name.replace('\\', "/");
        assert!(!unified.starts_with('/') && !unified.split('/').any(|s| s == ".." || s.is_empty()), "{name:?}");
        assert!(!name.contains('\0'));
    }
    if validate_revision(rev).is_ok() {
        assert!(!rev.split('/').any(|s| s == ".." || s.is_empty()), "{rev:?}");
    }
    let _ = validate_repo_id(id);
    for s in [encode_all(name), encode_path(name), encode_all(rev)] {
        assert!(s.is_ascii() && !s.contains(' ') && !s.contains('?') && !s.contains('#'), "{s:?}");
    }
    assert!(!encode_all(rev).contains('/'));
    let file = FileRef::new(id, name).revision(rev).subfolder(get(3));
    if let Ok(t) = file.validate() {
        assert!(validate_filename(&t.filename).is_ok());
        let url = t.repo.resolve_url("https://hub.example", &t.revision, &t.filename);
        let parsed = Url::parse(&url).expect("a resolve URL of validated parts parses");
        assert_eq!(parsed.host_str(), Some("hub.example"), "{url}");
        assert!(!t.repo.folder_name().contains('/'));
    }
}

/// Allow/ignore patterns: first line allow patterns (`\t`-separated), second ignore, the rest paths.
pub fn patterns(data: &[u8]) {
    let f = fields(data);
    let split = |s: Option<&String>| -> Vec<String> {
        s.map(|s| s.split('\t').filter(|p| !p.is_empty()).map(String::from).collect()).unwrap_or_default()
    };
    let (allow, ignore) = (split(f.first()), split(f.get(1)));
    let filter = crate::pattern::Filter::new(&allow, &ignore);
    let everything = crate::pattern::Filter::new(&[], &ignore);
    for path in f.iter().skip(2) {
        let kept = filter.keeps(path);
        // Allow patterns only narrow what the ignore list leaves.
        assert!(!kept || everything.keeps(path), "{path:?}");
        // `*` keeps everything (fnmatch `*` crosses `/`).
        if ignore.is_empty() {
            assert!(crate::pattern::Filter::new(&["*"], &[]).keeps(path));
        }
    }
}

/// Response headers and bodies: error classification, redaction, waits, pagination, ETags.
pub fn response(data: &[u8]) {
    let f = fields(data);
    let token = "hf_fuzzsecrettoken0123456789";
    let mut h = HeaderMap::new();
    for line in f.iter().skip(2) {
        if let Some((k, v)) = line.split_once(':') {
            if let (Ok(k), Ok(v)) = (HeaderName::from_bytes(k.trim().as_bytes()), HeaderValue::from_str(v.trim())) {
                h.append(k, v);
            }
        }
    }
    let status = f.first().and_then(|s| s.trim().parse::<u16>().ok()).and_then(|s| StatusCode::from_u16(s).ok());
    let body = format!("{} {token}", f.get(1).map(String::as_str).unwrap_or(""));
    let url = Url::parse("https://hub.example/api/models/a/b/tree/main?cursor=x").expect("static URL");
    if let Some(status) = status.filter(|s| s.as_u16() >= 400) {
        let e = crate::http::classify::classify(status, &h, &url, &body, "fuzz", Some(token));
        assert!(!e.to_string().contains(token), "the token leaked into {e}");
    }
    if let Some(w) = crate::http::retry::server_wait(&h) {
        assert!(w <= crate::http::retry::MAX_SERVER_WAIT + std::time::Duration::from_secs(1), "{w:?}");
    }
    if let Some(next) = crate::http::paginate::next_page(&url, &h) {
        assert!(matches!(next.scheme(), "http" | "https"), "{next}");
    }
    if let Some(etag) = h.get("etag").and_then(|v| v.to_str().ok()) {
        let n = crate::download::metadata::normalize_etag(etag);
        assert!(!n.starts_with('"') && !n.ends_with('"'), "{n:?}");
    }
}

/// A tree listing (JSON) as the Hub sends it: accepted entries are safe and unique.
pub fn tree_listing(data: &[u8]) {
    let Ok(raw) = serde_json::from_slice::<Vec<serde_json::Value>>(data) else { return };
    if let Ok(entries) = crate::api::repo::parse_entries(raw) {
        let mut seen = std::collections::HashSet::new();
        for e in &entries {
            assert!(validate_filename(&e.path).is_ok(), "{:?}", e.path);
            assert!(seen.insert(e.path.clone()));
            if e.kind != crate::api::EntryKind::File {
                continue; // a folder's id names nothing on disk
            }
            let etag = e.etag();
            assert!(etag.len() == 40 || etag.len() == 64, "{etag}");
            assert!(etag.bytes().all(|b| b.is_ascii_hexdigit()));
        }
        let listing = crate::download::snapshot::to_listing(entries);
        let dir = tempfile::tempdir().expect("temp dir");
        let commit = "0123456789abcdef0123456789abcdef01234567";
        crate::cache::tree_cache::write(dir.path(), commit, &listing).expect("writing the tree cache");
        if let Some(back) = crate::cache::tree_cache::read(dir.path(), commit) {
            assert_eq!(back, listing);
        }
    }
}

/// A `trees/<commit>.json` found on disk: what is accepted is safe.
pub fn tree_cache(data: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let commit = "0123456789abcdef0123456789abcdef01234567";
    std::fs::write(crate::cache::tree_cache::tree_path(dir.path(), commit), data).expect("write");
    if let Some(files) = crate::cache::tree_cache::read(dir.path(), commit) {
        for (path, f) in &files {
            assert!(validate_filename(path).is_ok(), "{path:?}");
            assert!(f.etag().bytes().all(|b| b.is_ascii_hexdigit()));
        }
    }
}

/// The configparser-exact INI reader of `stored_tokens`.
pub fn ini(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(sections) = crate::auth::ini::parse_ini(&text) {
        let sections: BTreeMap<_, _> = sections;
        for (name, opts) in &sections {
            assert!(!name.contains('\n') && !name.contains('\r'));
            for (k, _) in opts {
                assert_eq!(k, &k.to_lowercase(), "keys are lower-cased");
            }
        }
    }
}

/// A cache folder built from the bytes (repo folders, blobs, snapshot links, refs, stray files),
/// then scanned: never a panic, sizes add up, every listed file exists.
pub fn cache_scan(data: &[u8]) {
    let dir = tempfile::tempdir().expect("temp dir");
    build_cache(dir.path(), data);
    let Ok(info) = crate::cache::scan(dir.path()) else { return };
    let total: u64 = info.repos.iter().map(|r| r.size_on_disk).sum();
    assert_eq!(total, info.size_on_disk);
    for r in &info.repos {
        for rev in &r.revisions {
            for f in &rev.files {
                assert!(f.blob_path.exists(), "{:?}", f.blob_path);
            }
        }
    }
    let _ = info.plan_prune();
    let _ = info.plan_evict(0);
}

fn build_cache(root: &Path, data: &[u8]) {
    const REPOS: [&str; 3] = ["models--a--b", "datasets--c", "models--x"];
    const NAMES: [&str; 6] =
        ["main", "0123456789abcdef0123456789abcdef01234567", "f.bin", "d/e.txt", "..", ".incomplete"];
    for op in data.chunks(4) {
        let [kind, repo, name, arg] =
            [op[0], *op.get(1).unwrap_or(&0), *op.get(2).unwrap_or(&0), *op.get(3).unwrap_or(&0)];
        let repo = root.join(REPOS[repo as usize % REPOS.len()]);
        let name = NAMES[name as usize % NAMES.len()];
        let blob = format!("{:040x}", arg);
        let _ = match kind % 6 {
            0 => std::fs::create_dir_all(repo.join("blobs"))
                .and_then(|_| std::fs::write(repo.join("blobs").join(&blob), vec![0u8; arg as usize])),
            1 => {
                let p = repo.join("snapshots").join(NAMES[1]).join(name);
                let _ = std::fs::create_dir_all(p.parent().unwrap_or(&repo));
                let depth = name.matches('/').count() + 2;
                let target = format!("{}blobs/{blob}", "../".repeat(depth));
                std::os::unix::fs::symlink(target, p)
            }
            2 => std::fs::create_dir_all(repo.join("refs"))
                .and_then(|_| std::fs::write(repo.join("refs").join("main"), name)),
            3 => std::fs::create_dir_all(repo.join("blobs"))
                .and_then(|_| std::fs::write(repo.join("blobs").join(format!("{blob}.incomplete")), b"x")),
            4 => {
                std::fs::create_dir_all(&repo).and_then(|_| std::fs::write(repo.join(name.replace('/', "_")), b"stray"))
            }
            _ => std::fs::create_dir_all(repo.join("snapshots").join(name)),
        };
    }
}

/// GGUF resolution: first line the `org/repo[:TAG]` spec, the others the repo's paths. A plan
/// only names listed files, model parts are distinct and all `.gguf`.
pub fn gguf(data: &[u8]) {
    let f = fields(data);
    let spec = f.first().map(String::as_str).unwrap_or("");
    let tag = crate::gguf::parse_spec(spec).ok().and_then(|s| s.tag);
    let files: Vec<crate::gguf::RemoteFile> = f
        .iter()
        .skip(1)
        .enumerate()
        .map(|(i, p)| crate::gguf::RemoteFile { path: p.clone(), size: i as u64, lfs_sha256: None })
        .collect();
    let _ = crate::gguf::available_quants(&files);
    for p in &files {
        let _ = crate::gguf::quant_of(&p.path);
    }
    if let Ok(plan) = crate::gguf::resolve(&files, tag.as_deref()) {
        assert!(!plan.model.is_empty());
        let mut seen = std::collections::HashSet::new();
        for m in &plan.model {
            assert!(files.contains(m), "{m:?} is not a listed file");
            assert!(m.path.to_ascii_lowercase().ends_with(".gguf"), "{:?}", m.path);
            assert!(seen.insert(&m.path), "{:?} twice", m.path);
        }
        for s in plan.mmproj.iter().chain(plan.others.iter().map(|o| &o.file)) {
            assert!(files.contains(s));
        }
    }
}
