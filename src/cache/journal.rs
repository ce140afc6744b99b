//! The resume journal of an incomplete blob: `blobs/<etag>.journal.incomplete`, beside
//! `blobs/<etag>.incomplete`, read and written only under the blob lock. It lists the byte ranges
//! of the incomplete file that are known to be written, so that another process (after a crash, a
//! kill or a cancel) fetches only the rest.
//!
//! Its name ends in `.incomplete` on purpose: every cache tool treats it like the data it
//! describes — our scan lists it among the incomplete files, `hf cache prune` (ours and Python's)
//! deletes it with them, under the same lock (the ETag is the name up to its first `.`).
//!
//! Format (little-endian): a header `"HFHUBJ01"`, the blob size (u64), the ETag length (u16) and
//! bytes, and a check (u64, FNV-1a of everything before it); then one 24-byte record per written
//! range: start (u64), end (u64, exclusive) and a check (FNV-1a seeded with the header's check, so
//! a record cannot be taken from another journal). A journal for another ETag or size, or with a
//! bad check anywhere, is rejected whole (its data is discarded with it); a trailing fragment
//! shorter than a record is ignored (an append cut short) and cut off before appending.
//!
//! Order of writes: a range is recorded only after its bytes were written to the incomplete file,
//! so a killed process loses at most the ranges it had in flight.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

const MAGIC: &[u8; 8] = b"HFHUBJ01";
const RECORD: usize = 24;
/// Longest ETag accepted (they are 40 or 64 hex digits).
const MAX_ETAG: usize = 256;

/// Disjoint, sorted, half-open byte ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ranges(Vec<(u64, u64)>);

impl Ranges {
    /// No range.
    pub fn new() -> Ranges {
        Ranges(Vec::new())
    }

    /// Add `[start, end)`, merging with neighbours it touches or overlaps.
    pub fn insert(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        // First range that ends at or after `start` (candidates for merging).
        let i = self.0.partition_point(|&(_, e)| e < start);
        let mut j = i;
        let (mut s, mut e) = (start, end);
        while j < self.0.len() && self.0[j].0 <= e {
            s = s.min(self.0[j].0);
            e = e.max(self.0[j].1);
            j += 1;
        }
        self.0.splice(i..j, [(s, e)]);
    }

    /// End of the contiguous range starting at 0 (0 when byte 0 is missing).
    pub fn prefix(&self) -> u64 {
        match self.0.first() {
            Some(&(0, e)) => e,
            _ => 0,
        }
    }

    /// Bytes covered.
    pub fn total(&self) -> u64 {
        self.0.iter().map(|(s, e)| e - s).sum()
    }

    /// The ranges.
    pub fn as_slice(&self) -> &[(u64, u64)] {
        &self.0
    }

    /// What `[0, size)` lacks, in order.
    pub fn missing(&self, size: u64) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut at = 0;
        for &(s, e) in &self.0 {
            if s > at {
                out.push((at, s.min(size)));
            }
            at = at.max(e);
        }
        if at < size {
            out.push((at, size));
        }
        out.retain(|(s, e)| s < e);
        out
    }
}

/// FNV-1a, 64 bits, from `seed` (corruption detection, not security).
fn fnv(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = if seed == 0 { 0xcbf2_9ce4_8422_2325 } else { seed };
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn header(etag: &str, size: u64) -> Vec<u8> {
    let mut h = Vec::with_capacity(26 + etag.len());
    h.extend_from_slice(MAGIC);
    h.extend_from_slice(&size.to_le_bytes());
    h.extend_from_slice(&(etag.len() as u16).to_le_bytes());
    h.extend_from_slice(etag.as_bytes());
    let check = fnv(0, &h);
    h.extend_from_slice(&check.to_le_bytes());
    h
}

fn key_of(header: &[u8]) -> u64 {
    u64::from_le_bytes(header[header.len() - 8..].try_into().expect("8 bytes"))
}

fn record(key: u64, start: u64, end: u64) -> [u8; RECORD] {
    let mut r = [0u8; RECORD];
    r[..8].copy_from_slice(&start.to_le_bytes());
    r[8..16].copy_from_slice(&end.to_le_bytes());
    let check = fnv(key, &r[..16]);
    r[16..].copy_from_slice(&check.to_le_bytes());
    r
}

/// Parse a journal's bytes for `etag` and `size`: the ranges it records and the length of its
/// valid part, or `None` when it is for something else or corrupt.
fn parse(bytes: &[u8], etag: &str, size: u64) -> Option<(Ranges, usize)> {
    if etag.is_empty() || etag.len() > MAX_ETAG {
        return None;
    }
    let head = header(etag, size);
    if bytes.len() < head.len() || bytes[..head.len()] != head[..] {
        return None;
    }
    let key = key_of(&head);
    let mut ranges = Ranges::new();
    let body = &bytes[head.len()..];
    let whole = body.len() / RECORD * RECORD;
    for r in body[..whole].chunks_exact(RECORD) {
        let start = u64::from_le_bytes(r[..8].try_into().expect("8 bytes"));
        let end = u64::from_le_bytes(r[8..16].try_into().expect("8 bytes"));
        if r[..] != record(key, start, end)[..] || start >= end || end > size {
            return None;
        }
        ranges.insert(start, end);
    }
    Some((ranges, head.len() + whole))
}

/// An open journal, appended to as ranges complete.
#[derive(Debug)]
pub struct Journal {
    file: File,
    key: u64,
}

impl Journal {
    /// Start a new, empty journal at `path` (replacing any).
    pub fn create(path: &Path, etag: &str, size: u64) -> io::Result<Journal> {
        let head = header(etag, size);
        let mut file = File::options().write(true).create(true).truncate(true).open(path)?;
        file.write_all(&head)?;
        Ok(Journal { file, key: key_of(&head) })
    }

    /// Open the journal at `path` for `etag` and `size`, with the ranges it records; `None` when
    /// it is missing, for another ETag or size, or corrupt (the caller then starts over).
    pub fn resume(path: &Path, etag: &str, size: u64) -> Option<(Journal, Ranges)> {
        let bytes = fs::read(path).ok()?;
        let (ranges, valid) = parse(&bytes, etag, size)?;
        let file = File::options().append(true).open(path).ok()?;
        if valid != bytes.len() {
            file.set_len(valid as u64).ok()?;
        }
        Some((Journal { file, key: key_of(&header(etag, size)) }, ranges))
    }

    /// Record that `[start, end)` is written (call after writing it).
    pub fn record(&self, start: u64, end: u64) -> io::Result<()> {
        (&self.file).write_all(&record(self.key, start, end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_merge_and_missing() {
        let mut r = Ranges::new();
        r.insert(10, 20);
        r.insert(30, 40);
        r.insert(20, 25);
        assert_eq!(r.as_slice(), &[(10, 25), (30, 40)]);
        assert_eq!(r.prefix(), 0);
        assert_eq!(r.missing(50), vec![(0, 10), (25, 30), (40, 50)]);
        r.insert(0, 35);
        assert_eq!(r.as_slice(), &[(0, 40)]);
        assert_eq!((r.prefix(), r.total()), (40, 40));
        assert_eq!(r.missing(40), vec![]);
        r.insert(5, 5);
        r.insert(45, 46);
        r.insert(41, 44);
        r.insert(40, 41);
        assert_eq!(r.as_slice(), &[(0, 44), (45, 46)]);
    }

    #[test]
    fn journal_round_trip_and_rejections() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e.journal.incomplete");
        let j = Journal::create(&p, "abc", 1000).unwrap();
        j.record(0, 100).unwrap();
        j.record(300, 400).unwrap();
        j.record(100, 200).unwrap();
        drop(j);
        let (j, r) = Journal::resume(&p, "abc", 1000).unwrap();
        assert_eq!(r.as_slice(), &[(0, 200), (300, 400)]);
        // Another ETag, another size: rejected.
        assert!(Journal::resume(&p, "abd", 1000).is_none());
        assert!(Journal::resume(&p, "abc", 1001).is_none());
        // A fragment at the end (a cut append) is ignored, then cut off before appending.
        (&j.file).write_all(&[1, 2, 3]).unwrap();
        drop(j);
        let (j, r) = Journal::resume(&p, "abc", 1000).unwrap();
        assert_eq!(r.total(), 300);
        j.record(900, 1000).unwrap();
        drop(j);
        assert_eq!(Journal::resume(&p, "abc", 1000).unwrap().1.as_slice(), &[(0, 200), (300, 400), (900, 1000)]);
        // One flipped bit anywhere: corrupt.
        let good = fs::read(&p).unwrap();
        for i in [0, 9, 20, good.len() - 30, good.len() - 1] {
            let mut bad = good.clone();
            bad[i] ^= 0x10;
            fs::write(&p, &bad).unwrap();
            assert!(Journal::resume(&p, "abc", 1000).is_none(), "flip at {i}");
        }
        // A record past the size is refused even with a right check.
        fs::write(&p, &good).unwrap();
        let (j, _) = Journal::resume(&p, "abc", 1000).unwrap();
        j.record(900, 1001).unwrap();
        assert!(Journal::resume(&p, "abc", 1000).is_none());
        assert!(Journal::resume(&dir.path().join("none"), "abc", 1000).is_none());
    }
}
