//! Every export goes through the one FFI wrapper: each `extern "C" fn` in src/ffi has a body that
//! starts with `ffi_call!` or `ffi_guard!` (or delegates to another export that does).

use std::fs;

#[test]
fn every_export_uses_the_wrapper() {
    let mut exports = 0;
    let mut bad = Vec::new();
    for entry in fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/ffi")).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if !(line.starts_with("pub unsafe extern \"C\" fn ") || line.starts_with("pub extern \"C\" fn ")) {
                continue;
            }
            exports += 1;
            let name = line.split("fn ").nth(1).unwrap().split('(').next().unwrap().to_string();
            // The first statement of the body (after the signature and comment lines).
            let body_start = (i..lines.len()).find(|&j| lines[j].trim_end().ends_with('{')).unwrap() + 1;
            let first = lines[body_start..].iter().map(|l| l.trim()).find(|l| !l.starts_with("//")).unwrap();
            let ok = first.starts_with("ffi_call!(")
                || first.starts_with("ffi_guard!(")
                || (first.starts_with("unsafe { hf_") && first.contains("_ex("));
            if !ok {
                bad.push(format!("{}: {name}: {first}", path.display()));
            }
        }
    }
    assert!(exports >= 40, "found {exports} exports");
    assert!(bad.is_empty(), "exports not going through ffi_call!/ffi_guard!:\n{}", bad.join("\n"));
}
