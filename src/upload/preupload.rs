//! Preparing additions and `POST /api/{type}s/{repo}/preupload/{rev}` (hub-protocol.md §1.11):
//! size and 512-byte sample of each file, the Hub's upload mode (regular or LFS), whether it is
//! ignored, and the remote oid of the path; then the local oids (SHA-256 of LFS files, streaming,
//! once; git blob SHA-1 of regular files, from the bytes that go into the commit).

use std::path::Path;

use base64::Engine;
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::AddSource;
use crate::client::Inner;
use crate::error::{Error, Result};
use crate::hash::{file_digest, Algo, Sha256Stream};
use crate::http::{read_limited, Body, Http, Redirects, Req, RetryPolicy};
use crate::progress::{CancelToken, Phase, ProgressSink};
use crate::repo::{encode_all, Repo};

/// Files per preupload call (§7.6).
pub(crate) const PREUPLOAD_BATCH: usize = 256;
/// Bytes of each file sent as its sample.
const SAMPLE_LEN: usize = 512;

/// How the Hub wants a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Inside the commit payload, base64.
    Regular,
    /// Through LFS; the commit holds a pointer.
    Lfs,
}

/// One addition being prepared.
#[derive(Debug)]
pub(crate) struct Addition {
    pub path: String,
    pub source: AddSource,
    pub size: u64,
    pub sample: Vec<u8>,
    pub mode: Mode,
    pub should_ignore: bool,
    pub remote_oid: Option<String>,
    /// SHA-256 hex (LFS files).
    pub sha256: Option<String>,
}

impl Addition {
    /// Size and sample, read without loading the file.
    pub(crate) async fn new(path: String, source: AddSource) -> Result<Addition> {
        let (size, sample) = match &source {
            AddSource::Bytes(b) => (b.len() as u64, b[..b.len().min(SAMPLE_LEN)].to_vec()),
            AddSource::File(p) => {
                use tokio::io::AsyncReadExt;
                let mut f =
                    tokio::fs::File::open(p).await.map_err(|e| Error::io(format!("opening {}", p.display()), e))?;
                let meta = f.metadata().await.map_err(|e| Error::io(format!("reading {}", p.display()), e))?;
                if !meta.is_file() {
                    return Err(Error::InvalidArgument(format!("{} is not a file", p.display())));
                }
                let mut sample = Vec::with_capacity(SAMPLE_LEN);
                (&mut f)
                    .take(SAMPLE_LEN as u64)
                    .read_to_end(&mut sample)
                    .await
                    .map_err(|e| Error::io(format!("reading {}", p.display()), e))?;
                (meta.len(), sample)
            }
        };
        Ok(Addition {
            path,
            source,
            size,
            sample,
            mode: Mode::Regular,
            should_ignore: false,
            remote_oid: None,
            sha256: None,
        })
    }

    /// The whole content (regular files only: they are small and go into the payload).
    pub(crate) async fn read_all(&self) -> Result<bytes::Bytes> {
        match &self.source {
            AddSource::Bytes(b) => Ok(b.clone()),
            AddSource::File(p) => {
                let data = tokio::fs::read(p).await.map_err(|e| Error::io(format!("reading {}", p.display()), e))?;
                if data.len() as u64 != self.size {
                    return Err(Error::Checksum(format!(
                        "{} changed while it was being uploaded ({} bytes, then {})",
                        p.display(),
                        self.size,
                        data.len()
                    )));
                }
                Ok(data.into())
            }
        }
    }

    /// Compute the SHA-256 once (streaming, on the blocking pool), reporting `Phase::Hash`.
    pub(crate) async fn hash(&mut self, sink: &ProgressSink, cancel: &CancelToken) -> Result<()> {
        if self.sha256.is_some() {
            return Ok(());
        }
        sink.start_phase(&self.path, Phase::Hash, 0, self.size);
        sink.settle().await?;
        let digest = match &self.source {
            AddSource::Bytes(b) => {
                let mut h = Sha256Stream::new();
                h.update(b);
                sink.add(b.len() as u64);
                h.finish_hex()
            }
            AddSource::File(p) => hash_file(p, self.size, sink, cancel).await?,
        };
        sink.finish();
        self.sha256 = Some(digest);
        sink.settle().await
    }
}

async fn hash_file(p: &Path, size: u64, sink: &ProgressSink, cancel: &CancelToken) -> Result<String> {
    let (p, sink, cancel) = (p.to_path_buf(), sink.clone(), cancel.clone());
    let shown = p.display().to_string();
    let mut hashed = 0u64;
    let out = tokio::task::spawn_blocking(move || {
        file_digest(&p, Algo::Sha256, &mut |n| {
            hashed += n;
            sink.add(n);
            !cancel.is_cancelled()
        })
        .map(|d| (d, hashed))
    })
    .await
    .map_err(|e| Error::Internal(format!("hashing task: {e}")))?
    .map_err(|e| Error::io(format!("hashing {shown}"), e))?;
    match out {
        (None, _) => Err(Error::Cancelled),
        (Some(_), n) if n != size => {
            Err(Error::Checksum(format!("{shown} changed while it was being uploaded ({size} bytes, then {n})")))
        }
        (Some(d), _) => Ok(d),
    }
}

#[derive(Deserialize)]
struct Answer {
    files: Vec<AnswerFile>,
}

#[derive(Deserialize)]
struct AnswerFile {
    path: String,
    #[serde(rename = "uploadMode")]
    upload_mode: Option<String>,
    #[serde(rename = "shouldIgnore", default)]
    should_ignore: bool,
    oid: Option<String>,
}

/// Ask the Hub for the upload mode of every addition (256 per call, retried), `gitIgnore` sent
/// when a `.gitignore` is part of the commit. Size-0 files are always regular.
pub(crate) async fn fetch_upload_modes(
    c: &Inner,
    repo: &Repo,
    revision: &str,
    create_pr: bool,
    additions: &mut [Addition],
    cancel: &CancelToken,
) -> Result<()> {
    let token = c.required_token();
    let gitignore = match additions.iter().find(|a| a.path == ".gitignore") {
        Some(a) => Some(String::from_utf8_lossy(&a.read_all().await?).into_owned()),
        None => None,
    };
    let mut path = format!("/api/{}/{}/preupload/{}", repo.repo_type().plural(), repo.id(), encode_all(revision));
    if create_pr {
        path.push_str("?create_pr=1");
    }
    let url = c.api_url(&path)?;
    let b64 = base64::engine::general_purpose::STANDARD;
    for chunk in additions.chunks_mut(PREUPLOAD_BATCH) {
        let files: Vec<_> =
            chunk.iter().map(|a| json!({"path": a.path, "sample": b64.encode(&a.sample), "size": a.size})).collect();
        let mut body = json!({"files": files});
        if let Some(g) = &gitignore {
            body["gitIgnore"] = json!(g);
        }
        let req = Req::new(Method::POST, url.clone())
            .token(token.as_deref())
            .header("content-type", "application/json")
            .body(Body::Bytes(body.to_string().into_bytes().into()));
        let (_, bytes) = RetryPolicy::transient(c.config.http_retries)
            .run(cancel, |_| exchange(&c.http, &req, token.as_deref(), "preupload"))
            .await?;
        let answer: Answer = serde_json::from_slice(&bytes)
            .map_err(|e| crate::api::repos::bad_answer("preupload", format!("unexpected answer: {e}")))?;
        for f in answer.files {
            let Some(a) = chunk.iter_mut().find(|a| a.path == f.path) else { continue };
            a.mode = match f.upload_mode.as_deref() {
                Some("lfs") => Mode::Lfs,
                Some("regular") => Mode::Regular,
                other => {
                    return Err(crate::api::repos::bad_answer(
                        "preupload",
                        format!("unknown uploadMode {other:?} for {}", f.path),
                    ))
                }
            };
            if a.size == 0 {
                a.mode = Mode::Regular;
            }
            a.should_ignore = f.should_ignore;
            a.remote_oid = f.oid;
        }
    }
    Ok(())
}

/// The git blob SHA-1 of `data` (the oid of a regular file).
pub(crate) fn git_blob_sha1(data: &[u8]) -> String {
    use sha1::Digest;
    let mut h = sha1::Sha1::new();
    h.update(format!("blob {}\0", data.len()).as_bytes());
    h.update(data);
    format!("{:x}", h.finalize())
}

/// One request (redirects followed, status checked) and its whole answer (at most 64 MiB).
pub(crate) async fn exchange(
    http: &Http,
    req: &Req,
    token: Option<&str>,
    what: &str,
) -> Result<(reqwest::header::HeaderMap, Vec<u8>)> {
    let resp = http.send_following(req.clone(), Redirects::Follow).await?;
    let resp = http.check(resp, what, token).await?;
    let headers = resp.headers().clone();
    Ok((headers, read_limited(resp, 64 << 20, what).await?))
}
