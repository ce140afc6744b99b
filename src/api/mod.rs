//! Hub API calls that are not downloads (hub-protocol.md §1): whoami; repo info, tree listing,
//! paths-info, refs, commits, existence checks.

pub mod repo;
pub mod repos;
mod whoami;

pub use repo::{CommitInfo, EntryKind, GitRef, LfsInfo, RefKind, RepoInfo, Sibling, TreeEntry};
pub use repos::{CreateRepo, Visibility};
pub(crate) use whoami::whoami;
pub use whoami::WhoAmI;
