//! Verifying cached blobs against their names: the SHA-256 of LFS blobs (64 hex digits), the git
//! blob SHA-1 of regular files (40 hex digits). Hashing runs on the runtime's blocking pool, one
//! blob at a time, with progress in bytes; a cancel stops it between blocks.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;

use super::manage::{CachePlan, PlanEntry, PlanKind};
use super::scan::CacheInfo;
use crate::error::{Error, Result};
use crate::hash::{file_digest, Algo};
use crate::progress::ProgressSink;

/// A blob whose content does not match its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// The repo folder (`models--org--name`).
    pub repo_folder: String,
    /// The blob.
    pub blob_path: PathBuf,
    /// The digest its name promises.
    pub expected: String,
    /// The digest of its content.
    pub actual: String,
    /// The snapshot pointers that resolve to it.
    pub pointers: Vec<PathBuf>,
}

/// What a verification found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Blobs hashed.
    pub files_checked: u64,
    /// Bytes hashed.
    pub bytes_checked: u64,
    /// Blobs whose content does not match their name.
    pub mismatches: Vec<Mismatch>,
    /// Files that could not be checked: not named after a digest (copies made without symlinks),
    /// or unreadable; with why.
    pub unchecked: Vec<String>,
}

impl VerifyReport {
    /// A plan removing every mismatched blob and the pointers to it.
    pub fn plan_delete_mismatches(&self, cache_dir: &std::path::Path) -> CachePlan {
        let mut entries = Vec::new();
        let mut freed = 0;
        for m in &self.mismatches {
            for p in &m.pointers {
                entries.push(PlanEntry::new(PlanKind::Pointer, p.clone(), m.repo_folder.clone()));
            }
            entries.push(PlanEntry::new(PlanKind::Blob, m.blob_path.clone(), m.repo_folder.clone()));
            freed += std::fs::metadata(&m.blob_path).map_or(0, |md| md.len());
        }
        entries.sort_by_key(|e| e.kind);
        CachePlan { cache_dir: cache_dir.to_path_buf(), entries, expected_freed: freed, warnings: Vec::new() }
    }
}

/// Hash every distinct blob of the scanned repos (those of `only`, when given: repo ids).
pub async fn verify(info: &CacheInfo, only: Option<&str>, sink: &ProgressSink) -> Result<VerifyReport> {
    // Distinct blobs → (repo folder, pointers, size).
    let mut blobs: BTreeMap<PathBuf, (String, Vec<PathBuf>, u64)> = BTreeMap::new();
    for repo in info.repos.iter().filter(|r| only.is_none_or(|id| r.repo_id == id)) {
        let folder = repo.folder_name();
        for rev in &repo.revisions {
            for f in &rev.files {
                let e =
                    blobs.entry(f.blob_path.clone()).or_insert_with(|| (folder.clone(), Vec::new(), f.size_on_disk));
                e.1.push(f.file_path.clone());
            }
        }
    }
    let mut report = VerifyReport::default();
    let stop = Arc::new(AtomicBool::new(false));
    // Stop the blocking hash when this future is dropped (a cancel).
    struct StopOnDrop(Arc<AtomicBool>);
    impl Drop for StopOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let _guard = StopOnDrop(stop.clone());
    for (blob, (folder, pointers, size)) in blobs {
        let name = blob.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(algo) = Algo::for_blob_name(&name) else {
            report.unchecked.push(format!("{}: not named after a digest", blob.display()));
            continue;
        };
        sink.start(&name, 0, size);
        let (s, st, path) = (sink.clone(), stop.clone(), blob.clone());
        let digest = tokio::task::spawn_blocking(move || {
            file_digest(&path, algo, &mut |n| {
                s.add(n);
                !st.load(Ordering::Relaxed)
            })
        })
        .await
        .map_err(|e| Error::Internal(format!("hash worker: {e}")))?;
        sink.finish();
        match digest {
            Ok(Some(actual)) => {
                report.files_checked += 1;
                report.bytes_checked += size;
                if !actual.eq_ignore_ascii_case(&name) {
                    report.mismatches.push(Mismatch {
                        repo_folder: folder,
                        blob_path: blob,
                        expected: name,
                        actual,
                        pointers,
                    });
                }
            }
            Ok(None) => return Err(Error::Cancelled),
            Err(e) => report.unchecked.push(format!("{}: {e}", blob.display())),
        }
    }
    Ok(report)
}
