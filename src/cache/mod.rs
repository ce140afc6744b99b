//! The on-disk cache shared with the Python client: layout and paths, `flock` locks.
//! Knows nothing about HTTP.

pub mod layout;
pub mod lock;

pub use layout::{CacheLookup, RepoCache};
pub use lock::FileLock;
