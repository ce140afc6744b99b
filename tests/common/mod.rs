//! Shared fixtures for the integration tests: an in-process hub emulator and a client whose
//! configuration ignores the environment and points at it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use hf_hub::{Client, Config};
use hub_emulator::{Emulator, LoggedRequest, Origin, DEMO_TOKEN};

pub struct Env {
    pub emu: Emulator,
    pub home: tempfile::TempDir,
    pub commit: String,
}

impl Env {
    /// A fresh emulator with the demo fixture and an empty HF_HOME.
    pub fn new() -> Env {
        let emu = Emulator::start();
        let commit = emu.seed_demo();
        Env { emu, home: tempfile::tempdir().unwrap(), commit }
    }

    pub fn config(&self) -> Config {
        let mut cfg = Config::without_env();
        cfg.endpoint = self.emu.hub_url();
        cfg.set_hf_home(self.home.path().to_path_buf());
        cfg.token = Some(DEMO_TOKEN.to_string());
        cfg.http_retries = 0;
        cfg
    }

    pub fn client(&self) -> Client {
        Client::new(self.config()).unwrap()
    }

    pub fn client_with(&self, f: impl FnOnce(&mut Config)) -> Client {
        let mut cfg = self.config();
        f(&mut cfg);
        Client::new(cfg).unwrap()
    }

    pub fn cache(&self) -> PathBuf {
        self.home.path().join("hub")
    }

    pub fn repo_dir(&self, folder: &str) -> PathBuf {
        self.cache().join(folder)
    }

    /// Requests received since the last clear, control calls excluded.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.emu.requests()
    }

    pub fn count(&self, origin: Origin, method: &str) -> usize {
        self.requests().iter().filter(|r| r.origin == origin && r.method == method).count()
    }
}

pub fn git_blob_sha1(data: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", data.len()).as_bytes());
    h.update(data);
    format!("{:x}", h.finalize())
}

pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(data))
}

/// Every file (not folder) under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        if let Ok(rd) = std::fs::read_dir(d) {
            for e in rd.flatten() {
                let p = e.path();
                let ft = std::fs::symlink_metadata(&p).unwrap().file_type();
                if ft.is_dir() {
                    walk(base, &p, out);
                } else {
                    out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
                }
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// What llama.cpp does for one downloaded file (`get_repo_files`, `common_download_file_single`,
/// `finalize_file`): the bytes go to `blobs/<oid>.downloadInProgress`, are renamed onto
/// `blobs/<oid>` (no `.etag` in HF mode), and `snapshots/<commit>/<path>` becomes a relative
/// symlink (`fs::relative(blob, link.parent())` in C++).
pub fn llama_cpp_put(repo: &Path, commit: &str, path: &str, oid: &str, data: &[u8]) {
    let blobs = repo.join("blobs");
    std::fs::create_dir_all(&blobs).unwrap();
    let tmp = blobs.join(format!("{oid}.downloadInProgress"));
    std::fs::write(&tmp, data).unwrap();
    std::fs::rename(&tmp, blobs.join(oid)).unwrap();
    let link = repo.join("snapshots").join(commit).join(path);
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    let depth = path.matches('/').count() + 2; // <commit>/[dirs/] → repo folder
    let target = format!("{}blobs/{oid}", "../".repeat(depth));
    std::os::unix::fs::symlink(target, &link).unwrap();
}

/// llama.cpp's `write_ref`: `refs/<branch>.tmp` then rename, no newline.
pub fn llama_cpp_write_ref(repo: &Path, branch: &str, commit: &str) {
    let refs = repo.join("refs");
    std::fs::create_dir_all(&refs).unwrap();
    std::fs::write(refs.join(format!("{branch}.tmp")), commit).unwrap();
    std::fs::rename(refs.join(format!("{branch}.tmp")), refs.join(branch)).unwrap();
}
