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
