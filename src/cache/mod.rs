//! The on-disk cache shared with the Python client: layout and paths, `flock` locks, publishing
//! blobs; scanning, deleting, pruning, evicting and verifying.
//! Knows nothing about HTTP.

pub mod blob;
pub mod journal;
pub mod layout;
pub mod lock;
pub mod manage;
pub mod scan;
pub mod tree_cache;
pub mod verify;

pub use blob::IncompleteBlob;
pub use layout::{CacheLookup, RepoCache};
pub use lock::FileLock;
pub use manage::{execute, CachePlan, ExecReport, PlanEntry, PlanKind};
pub use scan::{scan, CacheInfo, CachedFile, CachedRepo, CachedRevision, IncompleteFile};
pub use verify::{Mismatch, VerifyReport};
