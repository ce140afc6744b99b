//! Hub API calls that are not downloads (hub-protocol.md §1): whoami for now; repo info, tree
//! listing, refs and repo administration come with the snapshot and upload work.

pub mod repos;
mod whoami;

pub use repos::{CreateRepo, Visibility};
pub(crate) use whoami::whoami;
pub use whoami::WhoAmI;
