//! SHA-256 rate on one core, each implementation over the same 256 MiB (1 MiB updates), best of 5.
//! Run: `cargo run --release --manifest-path scripts/sha256-rates/Cargo.toml` (its own workspace,
//! outside the library's dependencies). Picks the implementation of `src/hash.rs` by measurement.
use std::time::Instant;

fn rate(name: &str, data: &[u8], f: &dyn Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut best = f64::MAX;
    let mut out = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        out = f(data);
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("{name:28} {:8.0} MB/s  {:6.0} MiB/s", data.len() as f64 / best / 1e6, data.len() as f64 / best / 1048576.0);
    out
}

fn main() {
    let n = 256usize << 20;
    let data: Vec<u8> = (0..n).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    println!("sha_ni: {}", std::arch::is_x86_feature_detected!("sha"));
    let a = rate("sha2 0.10 (auto SHA-NI)", &data, &|d| {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for c in d.chunks(1 << 20) { h.update(c); }
        h.finalize().to_vec()
    });
    let b = rate("ring 0.17", &data, &|d| {
        let mut h = ring::digest::Context::new(&ring::digest::SHA256);
        for c in d.chunks(1 << 20) { h.update(c); }
        h.finish().as_ref().to_vec()
    });
    let c = rate("aws-lc-rs 1", &data, &|d| {
        let mut h = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        for c in d.chunks(1 << 20) { h.update(c); }
        h.finish().as_ref().to_vec()
    });
    // sha2's "asm" feature swaps only its *software* fallback for sha2-asm's compress256; with
    // SHA-NI detected the intrinsics path runs either way. Measure sha2-asm's compress directly.
    let blocks: &[[u8; 64]] = unsafe { std::slice::from_raw_parts(data.as_ptr() as *const [u8; 64], n / 64) };
    rate("sha2-asm compress256 (asm)", &data, &|_| {
        let mut st = [0x6a09e667u32, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
        sha2_asm::compress256(&mut st, blocks);
        st.iter().flat_map(|w| w.to_be_bytes()).collect()
    });
    assert!(a == b && b == c);
}
