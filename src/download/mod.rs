//! Downloads: the metadata HEAD, the byte transfer, the `hf_hub_download` algorithm (cache and
//! local_dir modes) and `snapshot_download`.

pub mod file;
pub mod local_dir;
pub mod metadata;
pub mod snapshot;
pub mod transfer;

pub use metadata::FileMetadata;
pub use snapshot::{Snapshot, SnapshotFile, SnapshotRef};
