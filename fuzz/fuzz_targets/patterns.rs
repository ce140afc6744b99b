#![no_main]
//! See hf_hub::fuzzing::patterns.
libfuzzer_sys::fuzz_target!(|data: &[u8]| hf_hub::fuzzing::patterns(data));
