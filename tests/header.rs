//! The committed header must be exactly what cbindgen generates from the code now.
//! cbindgen is installed by `make tools` (or set `CBINDGEN` to its path).

use std::path::Path;
use std::process::Command;

#[test]
fn header_matches_cbindgen_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cbindgen = std::env::var("CBINDGEN").unwrap_or_else(|_| "cbindgen".to_string());
    let out = tempfile::NamedTempFile::new().unwrap();
    let status = Command::new(&cbindgen)
        .current_dir(root)
        .args(["--config", "cbindgen.toml", "--quiet", "--output"])
        .arg(out.path())
        .status()
        .unwrap_or_else(|e| panic!("cannot run {cbindgen} ({e}): run `make tools` or set CBINDGEN"));
    assert!(status.success(), "cbindgen failed");
    let generated = std::fs::read_to_string(out.path()).unwrap();
    let committed = std::fs::read_to_string(root.join("include/hf_hub.h")).unwrap();
    if generated != committed {
        let first = generated.lines().zip(committed.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "include/hf_hub.h is stale (first difference at line {}): run `make header` and commit it\n  generated: {:?}\n  committed: {:?}",
            first + 1,
            generated.lines().nth(first),
            committed.lines().nth(first)
        );
    }
}

#[test]
fn header_exports_only_hf_names() {
    let mut inits = 0;
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("include/hf_hub.h")).unwrap();
    for line in text.lines() {
        let l = line.trim_start();
        if let Some(rest) = l.strip_prefix("#define ") {
            let name = rest.split_whitespace().next().unwrap();
            // Constants are HF_HUB_*; the function-like macros are the options initialisers,
            // each forwarding to its exported `_sized` function.
            if let Some(init) = name.strip_suffix("(options)") {
                inits += 1;
                assert!(init.starts_with("hf_") && init.ends_with("_options_init"), "macro {name}");
                assert!(text.contains(&format!("void {init}_sized(")), "{name} has no {init}_sized");
                continue;
            }
            assert!(name.starts_with("HF_HUB_") || name == "HF_HUB_H", "macro {name} is not HF_HUB_*");
        }
        if l.starts_with("typedef struct ") || l.starts_with("typedef enum ") {
            assert!(l.contains(" hf_"), "type outside the hf_ namespace: {l}");
        }
    }
    // Every `_init_sized` export has its macro.
    assert_eq!(inits, text.matches("_options_init_sized(struct").count(), "an _init_sized without its macro");
}
