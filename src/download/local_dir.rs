//! `local_dir` mode (hub-protocol.md §3.7): real files under a folder of the caller's, with the
//! Python client's bookkeeping in `<local_dir>/.cache/huggingface/` (`download/<path>.metadata`,
//! `download/<path>.lock`, temporary `*.incomplete` files, `.gitignore`, `CACHEDIR.TAG`,
//! `trees/`). A file is fetched again only when its ETag changed or it was modified locally.
//!
//! Every path is checked so nothing lands outside the folder: repo paths are validated, may not
//! point into the bookkeeping folder, and the real (symlink-resolved) parent folder of each file
//! must be inside the real local_dir.
//!
//! Unlike the Python client, `refs/` of the main cache are not written (hub-protocol.md §9.11).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use sha1::Digest as _;

use crate::cache::layout::{ensure_cachedir_tag, random_hex8};
use crate::cache::{FileLock, IncompleteBlob, RepoCache};
use crate::client::{CallCtx, Inner};
use crate::download::blocking;
use crate::download::file::Flags;
use crate::download::metadata::FileMetadata;
use crate::download::transfer::{fetch_into, Expect, Fetch, Lanes};
use crate::error::{Error, Result};
use crate::hash::{file_digest, Algo};
use crate::repo::{is_commit_hash, validate_filename, Repo};

/// The bookkeeping folder, relative to the local_dir.
const META_DIR: &str = ".cache/huggingface";

/// A local_dir: its canonical root and bookkeeping paths.
#[derive(Debug, Clone)]
pub struct LocalDir {
    root: PathBuf,
}

/// What `download/<path>.metadata` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalMeta {
    /// The commit the file was fetched at.
    pub commit: String,
    /// Its ETag (blob name).
    pub etag: String,
}

impl LocalDir {
    /// Create the folder if needed and resolve it.
    pub fn open(path: &Path) -> Result<LocalDir> {
        fs::create_dir_all(path).map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        let root = fs::canonicalize(path).map_err(|e| Error::io(format!("resolving {}", path.display()), e))?;
        Ok(LocalDir { root })
    }

    /// The real path of the folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `.cache/huggingface/`.
    pub fn meta_dir(&self) -> PathBuf {
        self.root.join(META_DIR)
    }

    /// `.cache/huggingface/trees/`.
    pub fn trees_dir(&self) -> PathBuf {
        self.meta_dir().join("trees")
    }

    /// Validate a repo path for this folder.
    fn check(&self, name: &str) -> Result<()> {
        validate_filename(name)?;
        let unified = name.replace('\\', "/");
        if unified == ".cache/huggingface" || unified.starts_with(".cache/huggingface/") {
            return Err(Error::InvalidArgument(format!(
                "{name:?} would overwrite the local_dir bookkeeping folder {META_DIR}/"
            )));
        }
        Ok(())
    }

    /// Where the file `name` lives, without touching the disk.
    pub fn file_path(&self, name: &str) -> Result<PathBuf> {
        self.check(name)?;
        Ok(self.root.join(name))
    }

    /// [`LocalDir::file_path`], with its parent folder created and checked to be inside the root
    /// once symlinks are resolved.
    fn prepare_file(&self, name: &str) -> Result<PathBuf> {
        let path = self.file_path(name)?;
        let parent = path.parent().expect("a file under the root has a parent");
        fs::create_dir_all(parent).map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
        let real = fs::canonicalize(parent).map_err(|e| Error::io(format!("resolving {}", parent.display()), e))?;
        if !real.starts_with(&self.root) {
            return Err(Error::InvalidArgument(format!(
                "{name:?}: its folder resolves to {}, outside the local_dir {}",
                real.display(),
                self.root.display()
            )));
        }
        Ok(path)
    }

    fn metadata_path(&self, name: &str) -> PathBuf {
        self.meta_dir().join("download").join(format!("{name}.metadata"))
    }

    /// The metadata path with its last suffix replaced: `download/<name>.lock`.
    fn lock_path(&self, name: &str) -> PathBuf {
        self.meta_dir().join("download").join(format!("{name}.lock"))
    }

    /// `download/<dirs>/<short>.<etag>.<8hex>.incomplete`, `<short>` being the url-safe base64 of
    /// the SHA-1 of the metadata file's base name (as the Python client names it).
    fn temp_path(&self, name: &str, etag: &str) -> PathBuf {
        let meta = self.metadata_path(name);
        let base = meta.file_name().expect("metadata has a name").to_string_lossy().into_owned();
        let short = base64::engine::general_purpose::URL_SAFE.encode(sha1::Sha1::digest(base.as_bytes()));
        meta.with_file_name(format!("{short}.{etag}.{}.incomplete", random_hex8()))
    }

    /// `.gitignore` (`*`) and `CACHEDIR.TAG` in the bookkeeping folder.
    fn ensure_bookkeeping(&self) {
        let dir = self.meta_dir();
        let _ = fs::create_dir_all(&dir);
        if let Ok(mut f) = fs::OpenOptions::new().write(true).create_new(true).open(dir.join(".gitignore")) {
            let _ = f.write_all(b"*");
        }
        ensure_cachedir_tag(&dir);
    }

    /// The metadata of `name` if it is valid: parseable, and the file was not modified after it
    /// was written (`mtime - 1 <= timestamp`). An unparseable one is deleted.
    pub fn read_metadata(&self, name: &str) -> Option<LocalMeta> {
        let mp = self.metadata_path(name);
        let text = fs::read_to_string(&mp).ok()?;
        let mut lines = text.lines();
        let parsed = (|| {
            let commit = lines.next()?.trim().to_string();
            let etag = lines.next()?.trim().to_string();
            let ts: f64 = lines.next()?.trim().parse().ok()?;
            (!commit.is_empty() && !etag.is_empty()).then_some((commit, etag, ts))
        })();
        let Some((commit, etag, ts)) = parsed else {
            let _ = fs::remove_file(&mp);
            return None;
        };
        let mtime = fs::metadata(self.root.join(name)).ok()?.modified().ok()?;
        let mtime = mtime.duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
        (mtime - 1.0 <= ts).then_some(LocalMeta { commit, etag })
    }

    /// Write `download/<name>.metadata`: commit, ETag, now (as a Python float), each on a line.
    pub fn write_metadata(&self, name: &str, commit: &str, etag: &str) -> Result<()> {
        let mp = self.metadata_path(name);
        let parent = mp.parent().expect("metadata has a parent");
        fs::create_dir_all(parent).map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let text = format!("{commit}\n{etag}\n{}.{:06}\n", now.as_secs(), now.subsec_micros());
        fs::write(&mp, text).map_err(|e| Error::io(format!("writing {}", mp.display()), e))
    }
}

/// Copy `from` to `to` through a temporary file in `to`'s folder (the reader never sees a partial
/// file under the final name).
fn copy_atomic(from: &Path, to: &Path) -> io::Result<()> {
    let tmp = to.with_file_name(format!(
        ".{}.{}.tmp",
        to.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        random_hex8()
    ));
    let res = fs::copy(from, &tmp).and_then(|_| fs::rename(&tmp, to));
    if res.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    res
}

/// The local file is already what the Hub has: fast check by the metadata's ETag, else (LFS, no
/// valid metadata) by hashing it.
async fn up_to_date(ld: &LocalDir, name: &str, dest: &Path, etag: &str) -> Result<bool> {
    if !dest.is_file() {
        return Ok(false);
    }
    if let Some(m) = ld.read_metadata(name) {
        return Ok(m.etag == etag);
    }
    if etag.len() != 64 {
        return Ok(false);
    }
    let path = dest.to_path_buf();
    let digest = blocking(move || {
        file_digest(&path, Algo::Sha256, &mut |_| true).map_err(|e| Error::io(format!("hashing {}", path.display()), e))
    })
    .await?;
    Ok(digest.as_deref() == Some(etag))
}

/// Steps 4–6 of §3.7 with the metadata known (from a HEAD, or from a snapshot's listing when
/// `from_listing`): reuse the local file, else copy from the main cache, else download.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn fetch_local(
    c: &Inner,
    ld: &LocalDir,
    repo: &Repo,
    name: &str,
    meta: &FileMetadata,
    how: Flags,
    ctx: &CallCtx,
    from_listing: bool,
) -> Result<PathBuf> {
    let dest = ld.prepare_file(name)?;
    ld.ensure_bookkeeping();
    let _lock = FileLock::acquire(&ld.lock_path(name)).await?;
    if !how.force_download {
        if up_to_date(ld, name, &dest, &meta.etag).await? {
            ld.write_metadata(name, &meta.commit, &meta.etag)?;
            ctx.sink.skip(meta.size);
            return Ok(dest);
        }
        let rc = RepoCache::new(&c.config.cache_dir, repo);
        let cached = rc.pointer_path(&meta.commit, name);
        if cached.is_file() && rc.blob_path(&meta.etag).is_file() {
            copy_atomic(&cached, &dest).map_err(|e| Error::io(format!("copying into {}", dest.display()), e))?;
            ld.write_metadata(name, &meta.commit, &meta.etag)?;
            ctx.sink.skip(meta.size);
            return Ok(dest);
        }
    }
    let cfg = &c.config;
    let sha = meta.sha256_to_verify(how.verify);
    let url =
        reqwest::Url::parse(&meta.location).map_err(|e| Error::Metadata(format!("bad download location: {e}")))?;
    let token = ctx.token(c);
    let expect = from_listing.then_some(Expect { commit: &meta.commit, etag: &meta.etag });
    let lanes = Lanes::from_config(cfg);
    let fetch = Fetch { url, token: token.as_deref(), filename: name, hash: sha.is_some(), lanes, expect };
    // A fresh temporary name each time (as Python names it); not resumable across processes.
    let tmp = ld.temp_path(name, &meta.etag);
    let journal = tmp.with_extension("journal");
    let mut out = IncompleteBlob::open_at(tmp, journal, dest.clone(), &meta.etag, meta.size, name, false)?
        .with_writeback(cfg.durable);
    let got = fetch_into(&c.http, &fetch, &mut out, &ctx.sink, &ctx.cancel).await?;
    let check = sha.map(|expected| (expected, got.sha256.as_deref().unwrap_or("")));
    if let Some(expected) = meta.git_sha1_to_verify(how.verify).filter(|_| got.written == out.size()) {
        out.verify_git_sha1(expected)?;
    }
    out.publish(got.written, check, cfg.durable)?;
    ld.write_metadata(name, &meta.commit, &meta.etag)?;
    Ok(dest)
}

/// `hf_hub_download(local_dir=…)` (§3.7) for one file.
pub(crate) async fn download(
    c: &Inner,
    file: &crate::repo::FileRef,
    local_dir: &Path,
    how: Flags,
    ctx: &CallCtx,
) -> Result<PathBuf> {
    let t = file.validate()?;
    let ld = LocalDir::open(local_dir)?;
    let dest = ld.file_path(&t.filename)?;
    let offline = c.config.offline || how.local_files_only;
    if how.force_download && offline {
        return Err(Error::InvalidArgument(
            "force_download cannot be combined with offline mode or local_files_only".into(),
        ));
    }
    // 1. Commit-pinned and already fetched at that commit: no network.
    if !how.force_download
        && is_commit_hash(&t.revision)
        && dest.is_file()
        && ld.read_metadata(&t.filename).is_some_and(|m| m.commit == t.revision)
    {
        return Ok(dest);
    }
    // 2–3. Metadata; on failure an existing local file is returned.
    let meta =
        if offline { Err(Error::Offline(String::new())) } else { crate::download::file::head_target(c, &t).await };
    let meta = match meta {
        Ok(m) => m,
        Err(e @ (Error::Cancelled | Error::RevisionNotFound(_) | Error::EntryNotFound(_))) => return Err(e),
        Err(e) => {
            if dest.is_file() && !how.force_download {
                return Ok(dest);
            }
            return Err(match e {
                Error::Offline(_) => Error::Offline(format!(
                    "{} is not in {} and outgoing traffic is disabled (offline mode or local_files_only)",
                    t.describe(),
                    ld.root().display()
                )),
                other => other,
            });
        }
    };
    fetch_local(c, &ld, &t.repo, &t.filename, &meta, how, ctx, false).await
}
