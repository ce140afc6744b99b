//! sha256-rate [MIB] [SECONDS]: hashes a MIB MiB in-memory buffer (default 64) with `sha2` on one
//! thread, repeatedly for at least SECONDS (default 2), and prints one JSON line
//! `{"impl":"sha2 0.10","bytes":…,"seconds":…,"mib_per_s":…}`. The buffer is filled once beforehand,
//! so the figure is the hash alone (no I/O), fed in 1 MiB updates like a download's writes.

use sha2::{Digest, Sha256};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let mib: usize = args.next().map_or(64, |s| s.parse().expect("MIB"));
    let seconds: f64 = args.next().map_or(2.0, |s| s.parse().expect("SECONDS"));
    let mut buf = vec![0u8; mib << 20];
    let mut x: u32 = 0x9e37_79b9;
    for b in buf.iter_mut() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *b = x as u8;
    }
    let mut h = Sha256::new();
    h.update(&buf[..1 << 20]); // warm-up: code, feature detection
    let mut bytes = 0u64;
    let t0 = Instant::now();
    while t0.elapsed().as_secs_f64() < seconds {
        let mut h = Sha256::new();
        for chunk in buf.chunks(1 << 20) {
            h.update(chunk);
        }
        std::hint::black_box(h.finalize());
        bytes += buf.len() as u64;
    }
    let s = t0.elapsed().as_secs_f64();
    println!(
        "{{\"impl\":\"sha2 0.10\",\"bytes\":{bytes},\"seconds\":{s:.6},\"mib_per_s\":{:.1}}}",
        bytes as f64 / s / (1u64 << 20) as f64
    );
}
