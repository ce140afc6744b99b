//! The layout of the transparent C structs, as rustc lays them out, for the 64-bit Linux ABI.
//! tests/c/test_layout.c asserts the same numbers with `_Static_assert` on what the header declares, so
//! a field reordered, inserted, resized or removed in src/ffi fails both suites.
//!
//! Options structs may only grow at the end: when a field is appended, add its offset in both files.

#![cfg(all(target_os = "linux", target_pointer_width = "64"))]

use std::mem::{align_of, offset_of, size_of};

use hf_hub::ffi::client::hf_call_options;
use hf_hub::ffi::client::hf_client_options;
use hf_hub::ffi::download::{hf_download_options, hf_progress};
use hf_hub::ffi::gguf::hf_gguf_options;
use hf_hub::ffi::repo::hf_repo_options;
use hf_hub::ffi::snapshot::hf_snapshot_options;

/// Asserts the size, the alignment and every field's offset of a struct, naming the first that differs.
macro_rules! assert_layout {
    ($ty:ty, size = $size:expr, align = $align:expr, { $($field:ident: $off:expr),+ $(,)? }) => {{
        assert_eq!(size_of::<$ty>(), $size, "sizeof({})", stringify!($ty));
        assert_eq!(align_of::<$ty>(), $align, "alignof({})", stringify!($ty));
        $(assert_eq!(offset_of!($ty, $field), $off, "offsetof({}, {})", stringify!($ty), stringify!($field));)+
    }};
}

#[test]
fn client_options_layout() {
    assert_layout!(hf_client_options, size = 136, align = 8, {
        struct_size: 0,
        ignore_env: 4,
        endpoint: 8,
        hf_home: 16,
        cache_dir: 24,
        token: 32,
        token_path: 40,
        offline: 48,
        disable_implicit_token: 52,
        etag_timeout_ms: 56,
        download_timeout_ms: 60,
        user_agent: 64,
        user_agent_origin: 72,
        disable_symlinks: 80,
        max_retries: 84,
        cache_max_bytes: 88,
        durable: 96,
        max_bytes_per_sec: 104,
        lanes: 112,
        lane_chunk_bytes: 120,
        lanes_min_size: 128,
    });
}

#[test]
fn download_options_layout() {
    assert_layout!(hf_download_options, size = 64, align = 8, {
        struct_size: 0,
        repo_type: 4,
        revision: 8,
        subfolder: 16,
        force_download: 24,
        local_files_only: 25,
        verify: 26,
        progress: 32,
        user_data: 40,
        cancel: 48,
        local_dir: 56, // appended in 0.1: the first header's struct was 56 bytes
    });
}

#[test]
fn snapshot_options_layout() {
    assert_layout!(hf_snapshot_options, size = 88, align = 8, {
        struct_size: 0,
        repo_type: 4,
        revision: 8,
        allow_patterns: 16,
        allow_pattern_count: 24,
        ignore_patterns: 32,
        ignore_pattern_count: 40,
        local_dir: 48,
        max_workers: 56,
        force_download: 60,
        local_files_only: 61,
        verify: 62,
        progress: 64,
        user_data: 72,
        cancel: 80,
    });
}

#[test]
fn repo_options_layout() {
    assert_layout!(hf_repo_options, size = 40, align = 8, {
        struct_size: 0,
        repo_type: 4,
        revision: 8,
        cancel: 16,
        visibility: 24,
        exist_ok: 28,
        missing_ok: 29,
        space_sdk: 32,
    });
}

#[test]
fn gguf_options_layout() {
    assert_layout!(hf_gguf_options, size = 48, align = 8, {
        struct_size: 0,
        revision: 8,
        no_mmproj: 16,
        other_sidecars: 17,
        local_files_only: 18,
        verify: 19,
        max_workers: 20,
        progress: 24,
        user_data: 32,
        cancel: 40,
    });
}

#[test]
fn call_options_layout() {
    assert_layout!(hf_call_options, size = 16, align = 8, {
        struct_size: 0,
        cancel: 8,
    });
}

#[test]
fn progress_layout() {
    assert_layout!(hf_progress, size = 72, align = 8, {
        struct_size: 0,
        filename: 8,
        bytes_done: 16,
        bytes_total: 24,
        files_done: 32, // appended in 0.1
        files_total: 40,
        total_bytes_done: 48,
        total_bytes_total: 56,
        phase: 64,
    });
}

/// Each `_init` writes `struct_size` = the Rust size, which the C side compares with `sizeof`.
#[test]
fn init_sets_struct_size() {
    unsafe {
        let mut c = std::mem::MaybeUninit::<hf_client_options>::zeroed();
        hf_hub::ffi::client::hf_client_options_init_sized(c.as_mut_ptr(), size_of_val(&c) as u32);
        assert_eq!(c.assume_init().struct_size as usize, size_of::<hf_client_options>());
        let mut d = std::mem::MaybeUninit::<hf_download_options>::zeroed();
        hf_hub::ffi::download::hf_download_options_init_sized(d.as_mut_ptr(), size_of_val(&d) as u32);
        assert_eq!(d.assume_init().struct_size as usize, size_of::<hf_download_options>());
        let mut g = std::mem::MaybeUninit::<hf_gguf_options>::zeroed();
        hf_hub::ffi::gguf::hf_gguf_options_init_sized(g.as_mut_ptr(), size_of_val(&g) as u32);
        assert_eq!(g.assume_init().struct_size as usize, size_of::<hf_gguf_options>());
        let mut o = std::mem::MaybeUninit::<hf_call_options>::zeroed();
        hf_hub::ffi::client::hf_call_options_init_sized(o.as_mut_ptr(), size_of_val(&o) as u32);
        assert_eq!(o.assume_init().struct_size as usize, size_of::<hf_call_options>());
    }
}
