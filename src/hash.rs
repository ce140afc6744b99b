//! SHA-256 of a stream or a file, and the git blob SHA-1 (download and cache verification).

use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

/// An incremental SHA-256.
#[derive(Debug, Clone, Default)]
pub struct Sha256Stream(Sha256);

impl Sha256Stream {
    /// A fresh hasher.
    pub fn new() -> Sha256Stream {
        Sha256Stream::default()
    }

    /// Feed bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The lowercase hex digest.
    pub fn finish_hex(self) -> String {
        format!("{:x}", self.0.finalize())
    }
}

/// The SHA-256 (lowercase hex) of a whole file, read in 1 MiB blocks.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    file_digest(path, Algo::Sha256, &mut |_| true).map(|d| d.unwrap_or_default())
}

/// Which digest names a cached blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algo {
    /// SHA-256 of the content: LFS files (64 hex digits).
    Sha256,
    /// Git blob SHA-1, `sha1("blob <len>\0" + content)`: regular files (40 hex digits).
    GitSha1,
}

impl Algo {
    /// The digest a blob named `name` must have, from the name's shape (`None`: not a digest).
    pub fn for_blob_name(name: &str) -> Option<Algo> {
        let hex = name.bytes().all(|b| b.is_ascii_hexdigit());
        match name.len() {
            64 if hex => Some(Algo::Sha256),
            40 if hex => Some(Algo::GitSha1),
            _ => None,
        }
    }
}

/// The digest (lowercase hex) of a file, read in 1 MiB blocks; `on_bytes` hears of each block
/// and may stop the work by returning false (then `Ok(None)`).
pub fn file_digest(path: &Path, algo: Algo, on_bytes: &mut dyn FnMut(u64) -> bool) -> io::Result<Option<String>> {
    use sha1::Digest as _;
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let mut sha256 = Sha256Stream::new();
    let mut sha1 = sha1::Sha1::new();
    if algo == Algo::GitSha1 {
        sha1.update(format!("blob {len}\0").as_bytes());
    }
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        match algo {
            Algo::Sha256 => sha256.update(&buf[..n]),
            Algo::GitSha1 => sha1.update(&buf[..n]),
        }
        if !on_bytes(n as u64) {
            return Ok(None);
        }
    }
    Ok(Some(match algo {
        Algo::Sha256 => sha256.finish_hex(),
        Algo::GitSha1 => format!("{:x}", sha1.finalize()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        let mut h = Sha256Stream::new();
        h.update(b"ab");
        h.update(b"c");
        assert_eq!(h.finish_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"").unwrap();
        assert_eq!(sha256_file(&p).unwrap(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        // git hash-object of "hello\n".
        std::fs::write(&p, b"hello\n").unwrap();
        let got = file_digest(&p, Algo::GitSha1, &mut |_| true).unwrap().unwrap();
        assert_eq!(got, "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(Algo::for_blob_name(&got), Some(Algo::GitSha1));
        assert_eq!(
            Algo::for_blob_name("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            Some(Algo::Sha256)
        );
        assert_eq!(Algo::for_blob_name("x.incomplete"), None);
        assert_eq!(file_digest(&p, Algo::Sha256, &mut |_| false).unwrap(), None, "stopped");
    }
}
