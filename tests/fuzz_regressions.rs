//! Replays the inputs saved under `fuzz/regressions/<target>/` (crashes the fuzzers once found,
//! kept so they stay fixed) and `fuzz/seeds/<target>/` through the same entry points the fuzz
//! targets call. Runs with `cargo test --features fuzzing` (part of `make test`).

use std::path::Path;

type Target = fn(&[u8]);

const TARGETS: &[(&str, Target)] = &[
    ("repo_inputs", hf_hub::fuzzing::repo_inputs),
    ("patterns", hf_hub::fuzzing::patterns),
    ("response", hf_hub::fuzzing::response),
    ("tree_listing", hf_hub::fuzzing::tree_listing),
    ("tree_cache", hf_hub::fuzzing::tree_cache),
    ("ini", hf_hub::fuzzing::ini),
    ("cache_scan", hf_hub::fuzzing::cache_scan),
    ("gguf", hf_hub::fuzzing::gguf),
];

#[test]
fn saved_inputs_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for (name, target) in TARGETS {
        assert!(root.join("fuzz_targets").join(format!("{name}.rs")).is_file(), "no fuzz target {name}");
        for kind in ["seeds", "regressions"] {
            let Ok(dir) = std::fs::read_dir(root.join(kind).join(name)) else { continue };
            for e in dir.flatten().filter(|e| e.path().is_file()) {
                let data = std::fs::read(e.path()).unwrap();
                target(&data);
                replayed += 1;
            }
        }
    }
    assert!(replayed >= TARGETS.len(), "only {replayed} saved inputs");
}

/// Every fuzz target of fuzz/Cargo.toml is replayed here.
#[test]
fn every_target_is_listed() {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/Cargo.toml")).unwrap();
    let bins = manifest.matches("[[bin]]").count();
    assert_eq!(bins, TARGETS.len(), "fuzz/Cargo.toml has {bins} targets, this test replays {}", TARGETS.len());
}
