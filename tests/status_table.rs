//! The one status table (`hf_status` in src/ffi/status.rs) against its copies: the generated
//! header, the Go constants (which must be `C.HF_ERR_*`) and the C++ enum (defined from the C
//! constants). A code added to the table without its Go and C++ counterparts fails here.

use std::collections::BTreeSet;
use std::fs;

use hf_hub::ffi::status::hf_status;

fn read(rel: &str) -> String {
    fs::read_to_string(format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn names_in(text: &str, prefix: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(prefix) && (w.starts_with("HF_ERR_") || *w == "HF_OK"))
        .map(String::from)
        .collect()
}

#[test]
fn header_go_and_cpp_agree_with_the_table() {
    let table: BTreeSet<String> = hf_status::ALL.iter().map(|s| format!("{s:?}")).collect();
    assert_eq!(table.len(), 23);

    let header = read("include/hf_hub.h");
    for s in hf_status::ALL {
        assert!(header.contains(&format!("{s:?} = {},", s as i32)), "header lacks {s:?} = {}", s as i32);
    }

    // Go: every status constant is `Status = C.HF_ERR_*`, one per table entry.
    let go = read("bindings/go/errors.go");
    let go_consts: BTreeSet<String> = go
        .lines()
        .filter(|l| l.contains("Status = C."))
        .map(|l| l.split("C.").nth(1).unwrap().trim().to_string())
        .collect();
    assert_eq!(go_consts, table, "Go status constants");
    assert!(!go.lines().any(|l| l.trim_start().starts_with("Status") && l.contains("Status = ") && !l.contains("C.")));

    // C++: the enum is defined from the C constants, one per table entry.
    let cpp = read("bindings/cpp/hf_hub/error.hpp");
    let cpp_consts: BTreeSet<String> = cpp
        .lines()
        .filter(|l| l.trim_end().ends_with(',') && l.contains(" = HF_"))
        .flat_map(|l| names_in(l, "HF_"))
        .collect();
    assert_eq!(cpp_consts, table, "C++ Status enum");
}
