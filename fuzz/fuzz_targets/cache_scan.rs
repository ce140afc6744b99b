#![no_main]
//! See hf_hub::fuzzing::cache_scan.
libfuzzer_sys::fuzz_target!(|data: &[u8]| hf_hub::fuzzing::cache_scan(data));
