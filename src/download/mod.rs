//! Downloads: the metadata HEAD, the byte transfer, and the `hf_hub_download` algorithm.

pub mod file;
pub mod metadata;
pub mod transfer;

pub use metadata::FileMetadata;
