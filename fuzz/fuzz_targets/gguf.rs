#![no_main]
//! See hf_hub::fuzzing::gguf.
libfuzzer_sys::fuzz_target!(|data: &[u8]| hf_hub::fuzzing::gguf(data));
