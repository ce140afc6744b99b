//! Downloads: the metadata HEAD, the byte transfer, the `hf_hub_download` algorithm (cache and
//! local_dir modes), `snapshot_download` and GGUF model plans.

pub mod file;
pub mod gguf;
pub mod local_dir;
pub mod metadata;
pub mod snapshot;
pub mod transfer;

pub use gguf::{GgufFile, GgufOptions, GgufPlan, GgufRole, GgufSelect};
pub use metadata::FileMetadata;
pub use snapshot::{Snapshot, SnapshotFile, SnapshotRef};

/// Run a short file-system step (or a hash of a local file) on the runtime's blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> crate::error::Result<T> + Send + 'static,
) -> crate::error::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| crate::error::Error::Internal(format!("file-system worker: {e}")))?
}
