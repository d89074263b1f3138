//! Shape-only views of schemas: equality and fingerprints that ignore
//! documentation, used to match renamed schemas and union branches.

use serde_json::Value;
use std::fmt::Write;

/// Keys that document a schema without changing what it accepts.
pub(crate) fn is_doc_key(key: &str) -> bool {
    matches!(key, "description" | "summary" | "title" | "example" | "examples" | "externalDocs") || key.starts_with("x-")
}

/// A canonical text of `v` without documentation keys, with object keys sorted,
/// so that two schemas of the same shape have the same fingerprint.
pub(crate) fn fingerprint(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out, 0);
    out
}

fn write_canonical(v: &Value, out: &mut String, depth: usize) {
    if depth > 64 {
        out.push('…');
        return;
    }
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().filter(|k| !is_doc_key(k)).collect();
            keys.sort();
            out.push('{');
            for k in keys {
                let _ = write!(out, "{k:?}:");
                write_canonical(&map[k.as_str()], out, depth + 1);
                out.push(',');
            }
            out.push('}');
        }
        Value::Array(list) => {
            out.push('[');
            for item in list {
                write_canonical(item, out, depth + 1);
                out.push(',');
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}
