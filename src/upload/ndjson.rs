//! The commit payload (hub-protocol.md §1.13): one JSON object per line, written like Python's
//! `json.dumps` (`", "` and `": "` separators, non-ASCII as `\uXXXX`), so that our commits are
//! byte-identical to the official client's.

use serde_json::Value;

/// Append `v` in `json.dumps` form.
pub(crate) fn write_py_json(out: &mut String, v: &Value) {
    match v {
        Value::Object(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(out, k);
                out.push_str(": ");
                write_py_json(out, v);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_py_json(out, v);
            }
            out.push(']');
        }
        Value::String(s) => write_str(out, s),
        other => out.push_str(&other.to_string()),
    }
}

fn write_str(out: &mut String, s: &str) {
    let quoted = Value::String(s.to_string()).to_string();
    for c in quoted.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
}

/// One line: `{"key": <key>, "value": {<fields in this order>}}\n` (Python keeps insertion order).
pub(crate) fn line(out: &mut String, key: &str, fields: &[(&str, Value)]) {
    out.push_str("{\"key\": ");
    write_str(out, key);
    out.push_str(", \"value\": {");
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_str(out, k);
        out.push_str(": ");
        write_py_json(out, v);
    }
    out.push_str("}}\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_format() {
        let mut s = String::new();
        line(
            &mut s,
            "header",
            &[("summary", json!("Upload hello.txt with huggingface_hub")), ("description", json!(""))],
        );
        line(
            &mut s,
            "file",
            &[("content", json!("aGVsbG8gd29ybGQK")), ("path", json!("hello.txt")), ("encoding", json!("base64"))],
        );
        // The observed bytes of trace N (observed-traces.md).
        assert_eq!(
            s,
            "{\"key\": \"header\", \"value\": {\"summary\": \"Upload hello.txt with huggingface_hub\", \"description\": \"\"}}\n\
             {\"key\": \"file\", \"value\": {\"content\": \"aGVsbG8gd29ybGQK\", \"path\": \"hello.txt\", \"encoding\": \"base64\"}}\n"
        );
        let mut u = String::new();
        write_py_json(&mut u, &json!(["é😀\n", 1, null, true]));
        assert_eq!(u, "[\"\\u00e9\\ud83d\\ude00\\n\", 1, null, true]");
    }
}
