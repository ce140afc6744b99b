#![no_main]
//! See hf_hub::fuzzing::repo_inputs.
libfuzzer_sys::fuzz_target!(|data: &[u8]| hf_hub::fuzzing::repo_inputs(data));
