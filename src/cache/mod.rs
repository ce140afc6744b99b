//! The on-disk cache shared with the Python client: layout and paths, `flock` locks, publishing blobs.
//! Knows nothing about HTTP.

pub mod blob;
pub mod layout;
pub mod lock;

pub use blob::IncompleteBlob;
pub use layout::{CacheLookup, RepoCache};
pub use lock::FileLock;
