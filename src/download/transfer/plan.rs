//! The plan of a transfer: one stream or several lanes, and the queue of ranges the lanes take
//! from (a fast lane simply takes more of them).

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::cache::journal::Ranges;

/// How a file is fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lanes {
    /// Connections at most (1: a single stream).
    pub lanes: u32,
    /// Bytes per range request.
    pub chunk: u64,
    /// Files below this size are one stream.
    pub min_size: u64,
}

/// Chunks are never made smaller than this to spread a file over the lanes (each range request
/// costs a round trip).
const SPLIT_FLOOR: u64 = 1 << 20;

impl Lanes {
    /// The client's lane settings.
    pub fn from_config(cfg: &crate::config::Config) -> Lanes {
        Lanes { lanes: cfg.lanes, chunk: cfg.lane_chunk, min_size: cfg.lanes_min_size }
    }

    /// Whether a file of `size` bytes goes through ranged lanes.
    pub fn ranged(&self, size: u64) -> bool {
        self.lanes > 1 && self.chunk > 0 && size >= self.min_size.max(1) && size > self.chunk.min(SPLIT_FLOOR)
    }

    /// The chunk for `left` bytes to fetch: the configured one, or smaller when that would leave
    /// lanes idle (`left / lanes`, at least `SPLIT_FLOOR`), so a file of a few chunks still uses
    /// every lane.
    pub fn chunk_for(&self, left: u64) -> u64 {
        let even = left.div_ceil(u64::from(self.lanes.max(1)));
        self.chunk.min(even.max(SPLIT_FLOOR)).max(1)
    }
}

/// The ranges still to fetch, cut into chunks, taken in file order.
#[derive(Debug, Default)]
pub struct Queue(Mutex<VecDeque<(u64, u64)>>);

impl Queue {
    /// What `done` lacks of `[0, size)`, in chunks of at most `chunk` bytes.
    pub fn new(done: &Ranges, size: u64, chunk: u64) -> Queue {
        let mut q = VecDeque::new();
        for (s, e) in done.missing(size) {
            let mut at = s;
            while at < e {
                let end = (at + chunk.max(1)).min(e);
                q.push_back((at, end));
                at = end;
            }
        }
        Queue(Mutex::new(q))
    }

    /// The next range, if any.
    pub fn take(&self) -> Option<(u64, u64)> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).pop_front()
    }

    /// Ranges left.
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Nothing left.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_of_what_is_missing() {
        let mut done = Ranges::new();
        let q = Queue::new(&done, 25, 10);
        assert_eq!(q.len(), 3);
        assert_eq!((q.take(), q.take(), q.take(), q.take()), (Some((0, 10)), Some((10, 20)), Some((20, 25)), None));
        done.insert(0, 12);
        done.insert(15, 16);
        let q = Queue::new(&done, 40, 10);
        let all: Vec<_> = std::iter::from_fn(|| q.take()).collect();
        assert_eq!(all, vec![(12, 15), (16, 26), (26, 36), (36, 40)]);
        assert_eq!(Queue::new(&done, 0, 10).len(), 0);
    }

    #[test]
    fn which_files_are_ranged() {
        let l = Lanes { lanes: 4, chunk: 10, min_size: 100 };
        assert!(!l.ranged(99) && l.ranged(100));
        assert!(!Lanes { lanes: 1, ..l }.ranged(1000));
        assert!(!Lanes { min_size: 0, ..l }.ranged(10), "one chunk is one stream");
        assert!(Lanes { min_size: 0, ..l }.ranged(11));
        let default = Lanes { lanes: 8, chunk: 16 << 20, min_size: 16 << 20 };
        assert!(default.ranged(16 << 20), "one configured chunk, split over the lanes");
        assert!(!default.ranged((16 << 20) - 1));
        let big = Lanes { lanes: 8, chunk: 16 << 20, min_size: 0 };
        assert_eq!(big.chunk_for(2 << 30), 16 << 20, "large files: the configured chunk");
        assert_eq!(big.chunk_for(24 << 20), 3 << 20, "spread over every lane");
        assert_eq!(big.chunk_for(4 << 20), 1 << 20, "never below the floor");
        assert_eq!(l.chunk_for(1000), 10, "never above the configured chunk");
    }
}
