//! `org/repo[:TAG]` resolution for GGUF model loaders, following current llama.cpp
//! (`common/download.cpp`, hub-protocol.md §1.18): which files of one commit make up the model
//! (every part of a split model, in order), its multimodal projector and the other sidecars
//! llama.cpp recognises. Pure: the input is the file list of one commit, nothing is read or sent.
//!
//! Rules (llama.cpp's, with its ambiguities settled; each deviation is marked "unlike llama.cpp"):
//! - a *model* GGUF is a `.gguf` file whose name contains none of `mmproj`, `imatrix`, `mtp-`,
//!   `eagle3-`, `dflash-`, `dspark-` (case-insensitively here; llama.cpp is case-sensitive);
//! - a split model is `<prefix>-NNNNN-of-MMMMM.gguf`; its parts are the files with the same prefix
//!   and count, and every part `1..=MMMMM` must exist (a missing part is an error naming it);
//! - a file's *quant* is the last `-` or `.` separated word of its name, after the split suffix
//!   (`Qwen3-8B-Q4_K_M-00001-of-00002.gguf` → `Q4_K_M`), upper-cased;
//! - a tag matches a path, case-insensitively, where it is followed by `.`, `-`, `/` or the end, and
//!   (unlike llama.cpp, whose search would take `IQ8_0` for `Q8_0`) preceded by the start or a
//!   character that is not a letter or digit; so `Q4_K` never matches `Q4_K_M`, nor `Q4_0`
//!   `Q4_0_4_4`, nor `Q8_0` `IQ8_0`;
//! - no tag (or `latest`, the manifest API's default): `Q4_K_M`, else `Q8_0`, else the first model
//!   GGUF; files are taken in path order (the Hub's listing order), and among the files a tag
//!   matches, one whose quant *is* the tag comes first (unlike llama.cpp, which takes the first);
//! - a sidecar (`mmproj`, `mtp-`, `eagle3-`, `dflash-`, `dspark-` in the file name) must sit in the
//!   model's folder or one above it; the deepest wins, then the one whose quant is the tag (the
//!   model's quant when no tag was given), then the closest number of bits (`Q4_K_M` → 4,
//!   `BF16` → 16), then path order;
//! - `preset.ini` at the repo root is listed as a sidecar (llama.cpp then reads only that file).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::error::{Error, HttpDetails, Result};
use crate::repo::validate_repo_id;

/// Tags tried in order when none is given.
const DEFAULT_TAGS: [&str; 2] = ["Q4_K_M", "Q8_0"];

/// Words in a file name that make a GGUF something other than a model.
const NON_MODEL_WORDS: [&str; 6] = ["mmproj", "imatrix", "mtp-", "eagle3-", "dflash-", "dspark-"];

/// A parsed `org/repo[:TAG]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelSpec {
    /// `org/repo` (validated).
    pub repo_id: String,
    /// The tag after `:`; `None` when absent, empty or `latest`.
    pub tag: Option<String>,
}

/// Parse `org/repo[:TAG]`. The repo id must be `namespace/name` (llama.cpp's rule) and valid; the
/// tag, when present, is letters, digits, `_`, `-` and `.`. An empty tag or `latest` (any case)
/// means "no tag".
pub fn parse_spec(spec: &str) -> Result<ModelSpec> {
    let bad = |why: &str| Err(Error::InvalidArgument(format!("model {spec:?}: {why}")));
    let (repo, tag) = match spec.split_once(':') {
        Some((r, t)) => (r, Some(t)),
        None => (spec, None),
    };
    if repo.split('/').count() != 2 {
        return bad("expected <user>/<model>[:quant]");
    }
    validate_repo_id(repo)?;
    let tag = match tag {
        None => None,
        Some(t) if t.is_empty() || t.eq_ignore_ascii_case("latest") => None,
        Some(t) => {
            if !t.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')) {
                return bad("the tag may only hold letters, digits, '_', '-' and '.'");
            }
            Some(t.to_string())
        }
    };
    Ok(ModelSpec { repo_id: repo.to_string(), tag })
}

/// A file of the commit being resolved: anything with a repo path.
pub trait RepoEntry {
    /// The `/`-separated path in the repo.
    fn path(&self) -> &str;
}

/// A plain remote file (path, size, LFS sha256): the input the resolution needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoteFile {
    /// Path in the repo.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of an LFS file.
    pub lfs_sha256: Option<String>,
}

impl RepoEntry for RemoteFile {
    fn path(&self) -> &str {
        &self.path
    }
}

/// Every sidecar kind, in plan order.
const SIDECAR_KINDS: [SidecarKind; 6] = [
    SidecarKind::Mmproj,
    SidecarKind::Mtp,
    SidecarKind::Eagle3,
    SidecarKind::Dflash,
    SidecarKind::Dspark,
    SidecarKind::Preset,
];

/// Which sidecar a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SidecarKind {
    /// Multimodal projector (`mmproj` in the name).
    Mmproj,
    /// Multi-token-prediction draft (`mtp-`).
    Mtp,
    /// EAGLE-3 draft (`eagle3-`).
    Eagle3,
    /// DFlash draft (`dflash-`).
    Dflash,
    /// DSpark draft (`dspark-`).
    Dspark,
    /// `preset.ini` at the repo root.
    Preset,
}

impl SidecarKind {
    /// `mmproj`, `mtp`, `eagle3`, `dflash`, `dspark`, `preset`.
    pub fn as_str(self) -> &'static str {
        match self {
            SidecarKind::Mmproj => "mmproj",
            SidecarKind::Mtp => "mtp",
            SidecarKind::Eagle3 => "eagle3",
            SidecarKind::Dflash => "dflash",
            SidecarKind::Dspark => "dspark",
            SidecarKind::Preset => "preset",
        }
    }

    /// The word in the file name that marks a GGUF sidecar of this kind.
    fn word(self) -> Option<&'static str> {
        match self {
            SidecarKind::Mmproj => Some("mmproj"),
            SidecarKind::Mtp => Some("mtp-"),
            SidecarKind::Eagle3 => Some("eagle3-"),
            SidecarKind::Dflash => Some("dflash-"),
            SidecarKind::Dspark => Some("dspark-"),
            SidecarKind::Preset => None,
        }
    }
}

/// A sidecar of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sidecar<T> {
    /// What it is.
    pub kind: SidecarKind,
    /// The file.
    pub file: T,
}

/// What `org/repo[:TAG]` resolves to in one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan<T> {
    /// The chosen model's quant (`Q4_K_M`): its file's, else the tag that picked it, else empty.
    pub quant: String,
    /// The model: one file, or every part of a split model in part order.
    pub model: Vec<T>,
    /// The multimodal projector, if the repo has one beside the model.
    pub mmproj: Option<T>,
    /// The other sidecars llama.cpp recognises (speculative-decoding drafts, `preset.ini`), in
    /// [`SidecarKind`] order, at most one per kind.
    pub others: Vec<Sidecar<T>>,
}

/// The quant of a GGUF path: the last `-`/`.` separated word of its name after the split suffix,
/// upper-cased (`dir/Model-q4_k_m-00001-of-00002.gguf` → `Q4_K_M`); empty when there is none or
/// the path is not a GGUF.
pub fn quant_of(path: &str) -> String {
    match GgufName::parse(path) {
        Some(n) => n.quant,
        None => String::new(),
    }
}

/// The distinct quants of the model GGUFs in `files`, sorted (what an error lists).
pub fn available_quants<T: RepoEntry>(files: &[T]) -> Vec<String> {
    let set: BTreeSet<String> = files
        .iter()
        .filter(|f| is_model(f.path()))
        .filter_map(|f| GgufName::parse(f.path()))
        .map(|n| if n.quant.is_empty() { file_name(&n.prefix).to_string() } else { n.quant })
        .collect();
    set.into_iter().collect()
}

/// Resolve `tag` (or the default preference when `None`) against the files of one commit.
///
/// Errors (`EntryNotFound`, HTTP status 0): no model GGUF at all; no model GGUF matching the tag
/// (the message lists the quants the repo has); a part of the chosen split model is missing (the
/// message names it).
pub fn resolve<T: RepoEntry + Clone>(files: &[T], tag: Option<&str>) -> Result<Plan<T>> {
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|a, b| files[*a].path().cmp(files[*b].path()));
    order.dedup_by(|a, b| files[*a].path() == files[*b].path());
    let names: BTreeMap<usize, GgufName> =
        order.iter().filter_map(|i| GgufName::parse(files[*i].path()).map(|n| (*i, n))).collect();
    let models: Vec<usize> = order.iter().copied().filter(|i| is_model(files[*i].path())).collect();
    if models.is_empty() {
        return Err(not_found(format!(
            "no GGUF model file in the repository ({})",
            match names.len() {
                0 => "it has no .gguf file at all".to_string(),
                _ => format!("only sidecars: {}", list_paths(files, names.keys().copied())),
            }
        )));
    }
    let (chosen, matched) = match tag {
        Some(t) => match best_match(files, &names, &models, t) {
            Some(i) => (i, Some(t)),
            None => {
                return Err(not_found(format!(
                    "no GGUF model file matches the tag `{t}`; the repository has: {}",
                    available_quants(files).join(", ")
                )))
            }
        },
        None => DEFAULT_TAGS
            .iter()
            .find_map(|t| best_match(files, &names, &models, t).map(|i| (i, Some(*t))))
            .unwrap_or((models[0], None)),
    };
    let name = &names[&chosen];
    // The file's own quant; for a file named without one (`Q4_K_M/model-00001-of-00002.gguf`),
    // the tag that picked it.
    let quant = match (&name.quant, matched) {
        (q, Some(t)) if q.is_empty() => t.to_ascii_uppercase(),
        (q, _) => q.clone(),
    };
    let model = parts_of(&names, &order, name)?;
    let reference_tag = tag.map(|t| t.to_ascii_uppercase()).unwrap_or_else(|| name.quant.clone());
    let model_path = files[model[0]].path();
    let mut mmproj = None;
    let mut others = Vec::new();
    for kind in SIDECAR_KINDS {
        let found = match kind.word() {
            Some(word) => best_sidecar(files, &names, &order, model_path, word, &reference_tag),
            None => order.iter().copied().find(|i| files[*i].path() == "preset.ini"),
        };
        match (kind, found) {
            (SidecarKind::Mmproj, f) => mmproj = f.map(|i| files[i].clone()),
            (kind, Some(i)) => others.push(Sidecar { kind, file: files[i].clone() }),
            (_, None) => {}
        }
    }
    Ok(Plan { quant, model: model.iter().map(|i| files[*i].clone()).collect(), mmproj, others })
}

/// `EntryNotFound` without an HTTP answer behind it.
fn not_found(message: String) -> Error {
    Error::EntryNotFound(HttpDetails { message, ..HttpDetails::default() })
}

fn list_paths<T: RepoEntry>(files: &[T], idx: impl Iterator<Item = usize>) -> String {
    idx.map(|i| files[i].path().to_string()).collect::<Vec<_>>().join(", ")
}

/// The parts of a GGUF file name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct GgufName {
    /// The path without `.gguf` and without the split suffix.
    prefix: String,
    /// The upper-cased quant (may be empty).
    quant: String,
    /// Part number (1 for a single file).
    index: u32,
    /// Number of parts (1 for a single file).
    count: u32,
}

impl GgufName {
    fn parse(path: &str) -> Option<GgufName> {
        let stem = strip_suffix_ci(path, ".gguf")?;
        let (prefix, index, count) = match split_suffix(stem) {
            Some((p, i, c)) => (p, i, c),
            None => (stem, 1, 1),
        };
        let name = file_name(prefix);
        let quant = match name.rfind(['-', '.']) {
            Some(pos)
                if pos + 1 < name.len() && name[pos + 1..].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
            {
                name[pos + 1..].to_ascii_uppercase()
            }
            _ => String::new(),
        };
        Some(GgufName { prefix: prefix.to_string(), quant, index, count })
    }
}

/// `<prefix>-NNNNN-of-MMMMM` → (prefix, N, M), for 1 <= N <= M and a non-empty prefix.
fn split_suffix(stem: &str) -> Option<(&str, u32, u32)> {
    let b = stem.as_bytes();
    // "-NNNNN-of-MMMMM" is 15 bytes.
    // The cut must fall between characters (found by the `gguf` fuzz target: a multi-byte
    // character inside the last 15 bytes).
    if b.len() < 16 || !stem.is_char_boundary(stem.len() - 15) {
        return None;
    }
    let tail = &stem[stem.len() - 15..];
    let t = tail.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if t[0] != b'-' || !digits(&t[1..6]) || !t[6..10].eq_ignore_ascii_case(b"-of-") || !digits(&t[10..15]) {
        return None;
    }
    let index: u32 = tail[1..6].parse().ok()?;
    let count: u32 = tail[10..15].parse().ok()?;
    (index >= 1 && index <= count).then(|| (&stem[..stem.len() - 15], index, count))
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    (s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case(suffix)).then(|| &s[..cut])
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn dir_parts(path: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    parts
}

/// A `.gguf` whose file name marks no sidecar.
fn is_model(path: &str) -> bool {
    if strip_suffix_ci(path, ".gguf").is_none() {
        return false;
    }
    let name = file_name(path).to_ascii_lowercase();
    !NON_MODEL_WORDS.iter().any(|w| name.contains(w))
}

/// Whether `tag` occurs in `path` (ASCII case-insensitively) as a whole word: preceded by the start
/// or a non-alphanumeric character, followed by `.`, `-`, `/` or the end.
fn tag_matches(path: &str, tag: &str) -> bool {
    if tag.is_empty() {
        return false;
    }
    let hay = path.to_ascii_lowercase();
    let needle = tag.to_ascii_lowercase();
    let b = hay.as_bytes();
    hay.match_indices(&needle).any(|(at, _)| {
        let before_ok = at == 0 || !b[at - 1].is_ascii_alphanumeric();
        let end = at + needle.len();
        let after_ok = end == b.len() || matches!(b[end], b'.' | b'-' | b'/');
        before_ok && after_ok
    })
}

/// The model a tag picks: among the model files it matches (in path order), the first whose quant
/// is the tag, else the first.
fn best_match<T: RepoEntry>(
    files: &[T],
    names: &BTreeMap<usize, GgufName>,
    models: &[usize],
    tag: &str,
) -> Option<usize> {
    let upper = tag.to_ascii_uppercase();
    let matching: Vec<usize> = models.iter().copied().filter(|i| tag_matches(files[*i].path(), tag)).collect();
    matching.iter().copied().find(|i| names[i].quant == upper).or_else(|| matching.first().copied())
}

/// Every part of the model `name` belongs to, in part order; an error names a missing part.
fn parts_of(names: &BTreeMap<usize, GgufName>, order: &[usize], name: &GgufName) -> Result<Vec<usize>> {
    let mut by_index: BTreeMap<u32, usize> = BTreeMap::new();
    for i in order {
        if let Some(n) = names.get(i) {
            if n.count == name.count && n.prefix == name.prefix {
                by_index.entry(n.index).or_insert(*i);
            }
        }
    }
    if name.count <= 1 {
        return Ok(by_index.values().copied().take(1).collect());
    }
    let missing: Vec<String> = (1..=name.count)
        .filter(|k| !by_index.contains_key(k))
        .map(|k| format!("{}-{k:05}-of-{:05}.gguf", name.prefix, name.count))
        .collect();
    if !missing.is_empty() {
        return Err(not_found(format!(
            "split model {} is missing {} of its {} parts: {}",
            name.prefix,
            missing.len(),
            name.count,
            missing.join(", ")
        )));
    }
    Ok(by_index.into_values().collect())
}

/// Bits of a quant: the number starting at its first digit (`Q4_K_M` → 4, `BF16` → 16), 0 if none.
fn quant_bits(quant: &str) -> i64 {
    let digits: String = quant.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    digits.chars().take(9).collect::<String>().parse().unwrap_or(0)
}

/// llama.cpp's `find_best_sibling`: a GGUF whose name holds `word`, in the model's folder or one
/// above it; deepest first, then quant equal to `tag`, then closest bits, then path order.
fn best_sidecar<T: RepoEntry>(
    files: &[T],
    names: &BTreeMap<usize, GgufName>,
    order: &[usize],
    model_path: &str,
    word: &str,
    tag: &str,
) -> Option<usize> {
    let model_dir = dir_parts(model_path);
    let model_bits = quant_bits(tag);
    let mut best: Option<(usize, (usize, bool, i64))> = None;
    for i in order {
        let Some(n) = names.get(i) else { continue };
        let path = files[*i].path();
        if !file_name(path).to_ascii_lowercase().contains(word) {
            continue;
        }
        let dir = dir_parts(path);
        if dir.len() > model_dir.len() || dir[..] != model_dir[..dir.len()] {
            continue;
        }
        let exact = !tag.is_empty() && n.quant == tag;
        let key = (dir.len(), exact, -(quant_bits(&n.quant) - model_bits).abs());
        if best.as_ref().is_none_or(|(_, k)| key > *k) {
            best = Some((*i, key));
        }
    }
    best.map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(paths: &[&str]) -> Vec<RemoteFile> {
        paths.iter().map(|p| RemoteFile { path: p.to_string(), size: 1, lfs_sha256: None }).collect()
    }

    fn plan_paths(p: &Plan<RemoteFile>) -> (Vec<&str>, Option<&str>, Vec<(SidecarKind, &str)>) {
        (
            p.model.iter().map(|f| f.path.as_str()).collect(),
            p.mmproj.as_ref().map(|f| f.path.as_str()),
            p.others.iter().map(|s| (s.kind, s.file.path.as_str())).collect(),
        )
    }

    #[test]
    fn spec_parsing() {
        let s = parse_spec("unsloth/Qwen3-8B-GGUF:q4_k_m").unwrap();
        assert_eq!((s.repo_id.as_str(), s.tag.as_deref()), ("unsloth/Qwen3-8B-GGUF", Some("q4_k_m")));
        assert_eq!(parse_spec("org/repo").unwrap().tag, None);
        assert_eq!(parse_spec("org/repo:").unwrap().tag, None);
        assert_eq!(parse_spec("org/repo:LATEST").unwrap().tag, None);
        assert_eq!(parse_spec("org/repo:IQ3_S-imat").unwrap().tag.as_deref(), Some("IQ3_S-imat"));
        for bad in ["repo", "a/b/c", "org/repo:Q4 K", "org/repo:a:b", "org/re po", "org/..x", ":Q4_K_M", "/x"] {
            assert!(matches!(parse_spec(bad), Err(Error::InvalidArgument(_))), "{bad}");
        }
    }

    #[test]
    fn names() {
        let n = GgufName::parse("BF16/Qwen3-30B-A3B-BF16-00001-of-00002.gguf").unwrap();
        assert_eq!((n.prefix.as_str(), n.quant.as_str(), n.index, n.count), ("BF16/Qwen3-30B-A3B-BF16", "BF16", 1, 2));
        assert_eq!(quant_of("llama-2-7b.Q4_0.gguf"), "Q4_0");
        assert_eq!(quant_of("ggml-model-q4_k.GGUF"), "Q4_K");
        assert_eq!(quant_of("model.gguf"), "");
        assert_eq!(quant_of("Q4_K_M/model.gguf"), "", "a folder name is not the file's quant");
        assert_eq!(quant_of("README.md"), "");
        assert_eq!(quant_of("x-00000-of-00002.gguf"), "00002", "part 0 is not a split suffix");
        assert_eq!(split_suffix("x-00003-of-00002"), None);
        assert_eq!(quant_bits("Q4_K_M"), 4);
        assert_eq!(quant_bits("BF16"), 16);
        assert_eq!(quant_bits("IQ4_XS"), 4);
        assert_eq!(quant_bits("F16"), 16);
        assert_eq!(quant_bits("MMPROJ"), 0);
    }

    #[test]
    fn tag_boundaries() {
        assert!(tag_matches("m-Q4_K_M.gguf", "q4_k_m"));
        assert!(!tag_matches("m-Q4_K_M.gguf", "Q4_K"));
        assert!(tag_matches("m-Q4_K.gguf", "Q4_K"));
        assert!(!tag_matches("m-Q4_0_4_4.gguf", "Q4_0"));
        assert!(!tag_matches("m-IQ8_0.gguf", "Q8_0"));
        assert!(tag_matches("m_Q8_0.gguf", "Q8_0"));
        assert!(tag_matches("Q8_0/m-00001-of-00002.gguf", "Q8_0"));
        assert!(tag_matches("m-IQ3_S-imat.gguf", "IQ3_S-imat"));
        assert!(tag_matches("m-IQ3_S-imat.gguf", "IQ3_S"));
        assert!(!tag_matches("m-XQ4_K_M.gguf", "Q4_K_M"));
    }

    /// Expected model parts, projector and other sidecars.
    type Expected = (&'static [&'static str], Option<&'static str>, &'static [(SidecarKind, &'static str)]);

    /// One layout: files, tag, expected model parts, projector, other sidecars; or an error whose
    /// message holds every listed word.
    struct Case {
        name: &'static str,
        files: &'static [&'static str],
        tag: Option<&'static str>,
        expect: Result<Expected, &'static [&'static str]>,
    }

    const MANY: &[&str] = &[
        ".gitattributes",
        "README.md",
        "Model-IQ4_XS.gguf",
        "Model-Q2_K.gguf",
        "Model-Q4_0.gguf",
        "Model-Q4_0_4_4.gguf",
        "Model-Q4_K.gguf",
        "Model-Q4_K_M.gguf",
        "Model-Q4_K_S.gguf",
        "Model-IQ8_0.gguf",
        "Model-Q8_0.gguf",
        "Model-BF16.gguf",
        "Model-f16.gguf",
    ];

    const CASES: &[Case] = &[
        Case {
            name: "single file, no tag",
            files: &["config.json", "model.gguf"],
            tag: None,
            expect: Ok((&["model.gguf"], None, &[])),
        },
        Case {
            name: "single file, wrong tag",
            files: &["model-Q4_K_M.gguf"],
            tag: Some("Q8_0"),
            expect: Err(&["`Q8_0`", "Q4_K_M"]),
        },
        Case {
            name: "default prefers Q4_K_M",
            files: MANY,
            tag: None,
            expect: Ok((&["Model-Q4_K_M.gguf"], None, &[])),
        },
        Case {
            name: "Q4_K is not Q4_K_M",
            files: MANY,
            tag: Some("Q4_K"),
            expect: Ok((&["Model-Q4_K.gguf"], None, &[])),
        },
        Case {
            name: "Q4_0 is not Q4_0_4_4",
            files: MANY,
            tag: Some("q4_0"),
            expect: Ok((&["Model-Q4_0.gguf"], None, &[])),
        },
        Case {
            name: "Q4_0_4_4",
            files: MANY,
            tag: Some("Q4_0_4_4"),
            expect: Ok((&["Model-Q4_0_4_4.gguf"], None, &[])),
        },
        Case {
            name: "Q8_0 is not IQ8_0",
            files: MANY,
            tag: Some("Q8_0"),
            expect: Ok((&["Model-Q8_0.gguf"], None, &[])),
        },
        Case { name: "IQ8_0", files: MANY, tag: Some("iq8_0"), expect: Ok((&["Model-IQ8_0.gguf"], None, &[])) },
        Case {
            name: "lower-case file, upper tag",
            files: MANY,
            tag: Some("F16"),
            expect: Ok((&["Model-f16.gguf"], None, &[])),
        },
        Case { name: "BF16 is not F16", files: MANY, tag: Some("bf16"), expect: Ok((&["Model-BF16.gguf"], None, &[])) },
        Case {
            name: "missing quant lists what exists",
            files: MANY,
            tag: Some("Q5_K_M"),
            expect: Err(&["`Q5_K_M`", "BF16, F16, IQ4_XS, IQ8_0, Q2_K, Q4_0, Q4_0_4_4, Q4_K, Q4_K_M, Q4_K_S, Q8_0"]),
        },
        Case {
            name: "default falls back to Q8_0",
            files: &["m-Q2_K.gguf", "m-Q8_0.gguf", "m-IQ8_0.gguf"],
            tag: None,
            expect: Ok((&["m-Q8_0.gguf"], None, &[])),
        },
        Case {
            name: "default falls back to the first model in path order",
            files: &["z-Q6_K.gguf", "b-Q5_K_M.gguf", "mmproj-a-f16.gguf"],
            tag: None,
            expect: Ok((&["b-Q5_K_M.gguf"], Some("mmproj-a-f16.gguf"), &[])),
        },
        Case {
            name: "split model in a folder, parts in order",
            files: &[
                "BF16/Qwen3-BF16-00002-of-00003.gguf",
                "BF16/Qwen3-BF16-00003-of-00003.gguf",
                "BF16/Qwen3-BF16-00001-of-00003.gguf",
                "Qwen3-Q4_K_M.gguf",
            ],
            tag: Some("BF16"),
            expect: Ok((
                &[
                    "BF16/Qwen3-BF16-00001-of-00003.gguf",
                    "BF16/Qwen3-BF16-00002-of-00003.gguf",
                    "BF16/Qwen3-BF16-00003-of-00003.gguf",
                ],
                None,
                &[],
            )),
        },
        Case {
            name: "split model, missing part named",
            files: &["Q8_0/m-Q8_0-00001-of-00003.gguf", "Q8_0/m-Q8_0-00003-of-00003.gguf"],
            tag: Some("Q8_0"),
            expect: Err(&["Q8_0/m-Q8_0-00002-of-00003.gguf", "missing 1 of its 3 parts"]),
        },
        Case {
            name: "split model, first part missing",
            files: &["m-Q8_0-00002-of-00002.gguf"],
            tag: None,
            expect: Err(&["m-Q8_0-00001-of-00002.gguf"]),
        },
        Case {
            name: "split parts of another count are another model",
            files: &["m-Q4_K_M-00001-of-00002.gguf", "m-Q4_K_M-00002-of-00002.gguf", "m-Q4_K_M-00003-of-00003.gguf"],
            tag: None,
            expect: Ok((&["m-Q4_K_M-00001-of-00002.gguf", "m-Q4_K_M-00002-of-00002.gguf"], None, &[])),
        },
        Case {
            name: "quant folder with unnamed parts",
            files: &["Q4_K_M/model-00001-of-00002.gguf", "Q4_K_M/model-00002-of-00002.gguf", "Q8_0/model.gguf"],
            tag: Some("q4_k_m"),
            expect: Ok((&["Q4_K_M/model-00001-of-00002.gguf", "Q4_K_M/model-00002-of-00002.gguf"], None, &[])),
        },
        Case {
            name: "mmproj at several quants: closest bits to the model",
            files: &["m-Q4_K_M.gguf", "mmproj-m-F16.gguf", "mmproj-m-Q8_0.gguf", "mmproj-m-F32.gguf"],
            tag: None,
            expect: Ok((&["m-Q4_K_M.gguf"], Some("mmproj-m-Q8_0.gguf"), &[])),
        },
        Case {
            name: "mmproj with the model's exact quant wins a tie (BF16 vs F16)",
            files: &["m-BF16.gguf", "m-Q4_K_M.gguf", "mmproj-F16.gguf", "mmproj-BF16.gguf"],
            tag: Some("BF16"),
            expect: Ok((&["m-BF16.gguf"], Some("mmproj-BF16.gguf"), &[])),
        },
        Case {
            name: "an mmproj below or beside the model's folder is not its own",
            files: &[
                "mmproj-F16.gguf",
                "q8/m-Q8_0.gguf",
                "q8/mmproj-Q8_0.gguf",
                "q4/m-Q4_K_M.gguf",
                "q4/x/mmproj-Q4_K_M.gguf",
                "other/mmproj-Q4_K_M.gguf",
            ],
            tag: None,
            expect: Ok((&["q4/m-Q4_K_M.gguf"], Some("mmproj-F16.gguf"), &[])),
        },
        Case {
            name: "nested model picks its own folder's mmproj",
            files: &["mmproj-F16.gguf", "q8/m-Q8_0.gguf", "q8/mmproj-F32.gguf"],
            tag: Some("Q8_0"),
            expect: Ok((&["q8/m-Q8_0.gguf"], Some("q8/mmproj-F32.gguf"), &[])),
        },
        Case {
            name: "upper-case sidecar words are sidecars",
            files: &["MMPROJ-F16.gguf", "Model.IMATRIX.gguf", "Model-Q4_K_M.gguf"],
            tag: None,
            expect: Ok((&["Model-Q4_K_M.gguf"], Some("MMPROJ-F16.gguf"), &[])),
        },
        Case {
            name: "drafts and preset listed as other sidecars",
            files: &[
                "preset.ini",
                "sub/preset.ini",
                "m-Q4_K_M.gguf",
                "m-Q8_0.gguf",
                "mtp-m-Q8_0.gguf",
                "mtp-m-Q4_K_M.gguf",
                "eagle3-m-F16.gguf",
                "imatrix.gguf",
            ],
            tag: Some("Q8_0"),
            expect: Ok((
                &["m-Q8_0.gguf"],
                None,
                &[
                    (SidecarKind::Mtp, "mtp-m-Q8_0.gguf"),
                    (SidecarKind::Eagle3, "eagle3-m-F16.gguf"),
                    (SidecarKind::Preset, "preset.ini"),
                ],
            )),
        },
        Case {
            name: "no GGUF at all",
            files: &["README.md", "model.safetensors"],
            tag: None,
            expect: Err(&["no .gguf file at all"]),
        },
        Case {
            name: "only sidecars",
            files: &["mmproj-F16.gguf"],
            tag: None,
            expect: Err(&["only sidecars", "mmproj-F16.gguf"]),
        },
        Case {
            name: "tag that is a file-name suffix",
            files: &["m-IQ3_S.gguf", "m-IQ3_S-imat.gguf"],
            tag: Some("IQ3_S-imat"),
            expect: Ok((&["m-IQ3_S-imat.gguf"], None, &[])),
        },
        Case {
            name: "a tag prefers the file whose quant it is",
            files: &["m-IQ3_S-imat.gguf", "m-IQ3_S.gguf"],
            tag: Some("iq3_s"),
            expect: Ok((&["m-IQ3_S.gguf"], None, &[])),
        },
        Case {
            name: "dotted names (TheBloke style)",
            files: &["llama-2-7b.Q4_0.gguf", "llama-2-7b.Q4_K_M.gguf", "llama-2-7b.Q4_K_S.gguf"],
            tag: Some("Q4_K_S"),
            expect: Ok((&["llama-2-7b.Q4_K_S.gguf"], None, &[])),
        },
    ];

    #[test]
    fn layouts() {
        for c in CASES {
            let fs = files(c.files);
            let got = resolve(&fs, c.tag);
            match (&c.expect, got) {
                (Ok((model, mmproj, others)), Ok(plan)) => {
                    let (m, p, o) = plan_paths(&plan);
                    assert_eq!(m, model.to_vec(), "{}: model", c.name);
                    assert_eq!(p, *mmproj, "{}: mmproj", c.name);
                    assert_eq!(o, others.to_vec(), "{}: others", c.name);
                    let q = match quant_of(model[0]) {
                        q if q.is_empty() => c.tag.unwrap_or_default().to_ascii_uppercase(),
                        q => q,
                    };
                    assert_eq!(plan.quant, q, "{}: quant", c.name);
                }
                (Err(words), Err(e)) => {
                    assert!(matches!(e, Error::EntryNotFound(_)), "{}: {e}", c.name);
                    let msg = e.to_string();
                    for w in words.iter() {
                        assert!(msg.contains(w), "{}: {msg:?} lacks {w:?}", c.name);
                    }
                }
                (want, got) => {
                    panic!("{}: want {:?}, got {:?}", c.name, want.is_ok(), got.map(|p| plan_paths(&p).0.join(",")))
                }
            }
        }
    }

    #[test]
    fn input_order_does_not_matter() {
        let mut fs = files(MANY);
        let a = resolve(&fs, Some("Q4_K")).unwrap();
        fs.reverse();
        assert_eq!(resolve(&fs, Some("Q4_K")).unwrap(), a);
        let split = files(&["m-00002-of-00002.gguf", "m-00001-of-00002.gguf", "m-00001-of-00002.gguf"]);
        let p = resolve(&split, None).unwrap();
        assert_eq!(plan_paths(&p).0, ["m-00001-of-00002.gguf", "m-00002-of-00002.gguf"], "duplicates collapse");
    }

    #[test]
    fn sizes_and_hashes_are_carried() {
        let fs = vec![
            RemoteFile { path: "m-Q4_K_M.gguf".into(), size: 42, lfs_sha256: Some("ab".repeat(32)) },
            RemoteFile { path: "mmproj-F16.gguf".into(), size: 7, lfs_sha256: None },
        ];
        let p = resolve(&fs, None).unwrap();
        assert_eq!(p.model, vec![fs[0].clone()]);
        assert_eq!(p.mmproj, Some(fs[1].clone()));
        assert_eq!(available_quants(&fs), ["Q4_K_M"]);
    }
}
