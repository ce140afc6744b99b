#![no_main]
//! See hf_hub::fuzzing::tree_cache.
libfuzzer_sys::fuzz_target!(|data: &[u8]| hf_hub::fuzzing::tree_cache(data));
