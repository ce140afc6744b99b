//! A configparser-exact INI reader for `stored_tokens`.

use super::*;

// ---------------------------------------------------------------------------------------------------------
// configparser reader (Python 3.11 `RawConfigParser._read` with the defaults used by huggingface_hub:
// delimiters `=`/`:`, comment prefixes `#`/`;` on full lines only, strict, empty lines allowed in values,
// no valueless keys, keys lower-cased, interpolation off)
// ---------------------------------------------------------------------------------------------------------

pub(crate) type RawFields = Vec<(String, Vec<String>)>;

/// Split like Python's universal-newline file iteration: `\n`, `\r\n` and `\r` end a line.
pub(crate) fn universal_lines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&text[start..i]);
                i += 1;
                start = i;
            }
            b'\r' => {
                lines.push(&text[start..i]);
                i += if bytes.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < bytes.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// `SECTCRE = \[(?P<header>.+)\]` matched (not full-matched) against the stripped line: the header runs
/// to the *last* `]`, and anything after it is ignored.
pub(crate) fn match_section_header(line: &str) -> Option<&str> {
    if !line.starts_with('[') {
        return None;
    }
    let end = line.rfind(']')?;
    (end >= 2).then(|| &line[1..end])
}

/// `OPTCRE = (?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$`: the first `=` or `:` splits the line.
pub(crate) fn match_option(line: &str) -> Option<(&str, &str)> {
    let pos = line.find(['=', ':'])?;
    Some((py_rstrip(&line[..pos]), py_strip(&line[pos + 1..])))
}

pub(crate) fn parse_ini(text: &str) -> Result<BTreeMap<String, Vec<(String, String)>>, IniParseError> {
    #[derive(Clone, Copy)]
    enum Current {
        Nothing,
        Defaults,
        Section(usize),
    }

    let mut defaults: RawFields = Vec::new();
    let mut sections: Vec<(String, RawFields)> = Vec::new();
    let mut current = Current::Nothing;
    let mut option: Option<usize> = None; // index of the last key in the current section
    let mut indent_level = 0usize;

    for (index, line) in universal_lines(text).into_iter().enumerate() {
        let err = |kind| IniParseError { line: index + 1, kind };
        let stripped = py_strip(line);
        let is_comment = stripped.starts_with('#') || stripped.starts_with(';');
        let value = if is_comment { "" } else { stripped };

        let fields: Option<&mut RawFields> = match current {
            Current::Nothing => None,
            Current::Defaults => Some(&mut defaults),
            Current::Section(i) => Some(&mut sections[i].1),
        };

        if value.is_empty() {
            // An empty (non-comment) line becomes part of the current value; trailing ones are
            // stripped when the value is joined.
            if let (false, Some(fields), Some(opt)) = (is_comment, fields, option) {
                fields[opt].1.push(String::new());
            }
            continue;
        }

        let cur_indent = line.chars().take_while(|c| is_py_space(*c)).count();
        if let (Some(fields), Some(opt)) = (fields, option) {
            if cur_indent > indent_level {
                fields[opt].1.push(value.to_owned());
                continue;
            }
        }
        indent_level = cur_indent;

        if let Some(header) = match_section_header(value) {
            if sections.iter().any(|(name, _)| name == header) {
                return Err(err(IniParseErrorKind::DuplicateSection));
            }
            if header == DEFAULT_SECTION {
                current = Current::Defaults;
            } else {
                sections.push((header.to_owned(), Vec::new()));
                current = Current::Section(sections.len() - 1);
            }
            option = None;
            continue;
        }

        let fields = match current {
            Current::Nothing => return Err(err(IniParseErrorKind::MissingSectionHeader)),
            Current::Defaults => &mut defaults,
            Current::Section(i) => &mut sections[i].1,
        };
        let Some((name, val)) = match_option(value) else {
            return Err(err(IniParseErrorKind::Syntax));
        };
        if name.is_empty() {
            return Err(err(IniParseErrorKind::Syntax));
        }
        let key = name.to_lowercase();
        if fields.iter().any(|(k, _)| *k == key) {
            return Err(err(IniParseErrorKind::DuplicateOption));
        }
        fields.push((key, vec![val.to_owned()]));
        option = Some(fields.len() - 1);
    }

    let join = |parts: &[String]| py_rstrip(&parts.join("\n")).to_owned();
    let defaults: Vec<(String, String)> = defaults.iter().map(|(k, v)| (k.clone(), join(v))).collect();
    let mut out = BTreeMap::new();
    for (name, raw) in sections {
        // `config.items(section)`: the defaults first, overridden in place, then the section's own keys.
        let mut merged = defaults.clone();
        for (key, parts) in raw {
            let value = join(&parts);
            match merged.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => merged.push((key, value)),
            }
        }
        out.insert(name, merged);
    }
    Ok(out)
}
