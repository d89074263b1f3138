//! Flattening of serialisable values into name/text pairs, for query strings,
//! headers and multipart forms. Each target has its own rules for arrays.

use serde::Serialize;
use serde_json::Value;

/// Serialises a value to JSON, keeping the error text for deferred reporting.
pub(crate) fn to_json(name: &str, value: &impl Serialize) -> Result<Value, String> {
    serde_json::to_value(value).map_err(|e| format!("cannot serialise `{name}`: {e}"))
}

/// Text of a scalar: strings as they are, numbers and booleans as JSON text.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// How a query parameter holding a list is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ArrayFormat {
    /// One pair per item under the parameter's own name: `include=a&include=b`.
    #[default]
    Repeat,
    /// One pair per item under the name with `[]` appended:
    /// `include[]=a&include[]=b` (sent as `include%5B%5D=a`), as openai-python
    /// sends lists. A name that already ends in `[]` (some specs name the
    /// parameter `include[]`) is used as it is, never doubled.
    Brackets,
}

/// Query rules: null skipped, array → one pair per item (under the same name,
/// or `name[]`, by `format`), object → `name[key]` pairs.
pub(crate) fn query_pairs(
    name: &str,
    value: &Value,
    format: ArrayFormat,
    out: &mut Vec<(String, String)>,
) {
    match value {
        Value::Null => {}
        Value::Array(items) => {
            let item_name = match format {
                ArrayFormat::Brackets if !name.ends_with("[]") => format!("{name}[]"),
                _ => name.to_owned(),
            };
            items
                .iter()
                .for_each(|item| query_pairs(&item_name, item, format, out))
        }
        Value::Object(fields) => {
            for (key, field) in fields {
                query_pairs(&format!("{name}[{key}]"), field, format, out);
            }
        }
        scalar => out.extend(scalar_text(scalar).map(|text| (name.to_owned(), text))),
    }
}

/// Header rules: null skipped, scalars as text, arrays as a comma-separated
/// list (HTTP's list syntax); objects have no header form.
pub(crate) fn header_text(name: &str, value: &Value) -> Result<Option<String>, String> {
    match value {
        Value::Null => Ok(None),
        Value::Array(items) => {
            let parts: Option<Vec<String>> = items.iter().map(scalar_text).collect();
            parts
                .map(|parts| Some(parts.join(", ")))
                .ok_or_else(|| format!("header `{name}` must be a scalar or a list of scalars"))
        }
        Value::Object(_) => Err(format!("header `{name}` cannot be an object")),
        scalar => Ok(scalar_text(scalar)),
    }
}

/// Multipart rules: null skipped, scalars → one text part, array → repeated
/// `name[]` parts, object → `name[key]` parts. Never JSON text, because form
/// endpoints parse bracketed names, not JSON.
pub(crate) fn form_pairs(name: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Array(items) => {
            let item_name = if name.ends_with("[]") {
                name.to_owned()
            } else {
                format!("{name}[]")
            };
            items
                .iter()
                .for_each(|item| form_pairs(&item_name, item, out));
        }
        Value::Object(fields) => {
            for (key, field) in fields {
                form_pairs(&format!("{name}[{key}]"), field, out);
            }
        }
        scalar => out.extend(scalar_text(scalar).map(|text| (name.to_owned(), text))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(name: &str, value: Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        query_pairs(name, &value, ArrayFormat::Repeat, &mut out);
        out
    }

    fn query_brackets(name: &str, value: Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        query_pairs(name, &value, ArrayFormat::Brackets, &mut out);
        out
    }

    fn form(name: &str, value: Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        form_pairs(name, &value, &mut out);
        out
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn query_scalars_and_null() {
        assert_eq!(query("a", json!(null)), pairs(&[]));
        assert_eq!(query("a", json!("x y")), pairs(&[("a", "x y")]));
        assert_eq!(query("a", json!(3)), pairs(&[("a", "3")]));
        assert_eq!(query("a", json!(1.5)), pairs(&[("a", "1.5")]));
        assert_eq!(query("a", json!(true)), pairs(&[("a", "true")]));
        let none: Option<u32> = None;
        assert_eq!(query("a", to_json("a", &none).unwrap()), pairs(&[]));
    }

    #[test]
    fn query_arrays_repeat_the_name_and_objects_use_brackets() {
        assert_eq!(
            query("include", json!(["a", "b"])),
            pairs(&[("include", "a"), ("include", "b")])
        );
        assert_eq!(
            query("include", json!([null, 1])),
            pairs(&[("include", "1")])
        );
        let mut got = query("metadata", json!({"k": "v", "n": {"m": 2}}));
        got.sort();
        assert_eq!(got, pairs(&[("metadata[k]", "v"), ("metadata[n][m]", "2")]));
    }

    #[test]
    fn query_arrays_in_brackets_format() {
        assert_eq!(
            query_brackets("include", json!(["a", "b"])),
            pairs(&[("include[]", "a"), ("include[]", "b")])
        );
        // The spec's own bracketed name is not doubled, in either format.
        assert_eq!(
            query_brackets("include[]", json!(["a"])),
            pairs(&[("include[]", "a")])
        );
        assert_eq!(
            query("include[]", json!(["a"])),
            pairs(&[("include[]", "a")])
        );
        // Scalars and objects are written the same in both formats.
        assert_eq!(query_brackets("limit", json!(2)), pairs(&[("limit", "2")]));
        assert_eq!(
            query_brackets("metadata", json!({"k": ["x", "y"]})),
            pairs(&[("metadata[k][]", "x"), ("metadata[k][]", "y")])
        );
        assert_eq!(
            query_brackets("rows", json!([{"x": 1}])),
            pairs(&[("rows[][x]", "1")])
        );
        assert_eq!(query_brackets("empty", json!([])), pairs(&[]));
    }

    #[test]
    fn header_rules() {
        assert_eq!(header_text("h", &json!(null)).unwrap(), None);
        assert_eq!(header_text("h", &json!("v")).unwrap().as_deref(), Some("v"));
        assert_eq!(header_text("h", &json!(7)).unwrap().as_deref(), Some("7"));
        assert_eq!(
            header_text("h", &json!(["a", 1])).unwrap().as_deref(),
            Some("a, 1")
        );
        assert!(header_text("h", &json!({"a": 1})).is_err());
        assert!(header_text("h", &json!([[1]])).is_err());
    }

    #[test]
    fn form_scalars_arrays_objects() {
        assert_eq!(
            form("model", json!("whisper-1")),
            pairs(&[("model", "whisper-1")])
        );
        assert_eq!(form("n", json!(2)), pairs(&[("n", "2")]));
        assert_eq!(form("flag", json!(false)), pairs(&[("flag", "false")]));
        assert_eq!(form("skip", json!(null)), pairs(&[]));
        assert_eq!(
            form("timestamp_granularities", json!(["word", "segment"])),
            pairs(&[
                ("timestamp_granularities[]", "word"),
                ("timestamp_granularities[]", "segment")
            ])
        );
        assert_eq!(form("tags[]", json!(["a"])), pairs(&[("tags[]", "a")]));
        // Key order depends on serde_json's `preserve_order` feature; compare sorted.
        let mut got = form(
            "meta",
            json!({"a": "1", "list": [1, 2], "deep": {"b": true}}),
        );
        got.sort();
        assert_eq!(
            got,
            pairs(&[
                ("meta[a]", "1"),
                ("meta[deep][b]", "true"),
                ("meta[list][]", "1"),
                ("meta[list][]", "2")
            ])
        );
        assert_eq!(
            form("rows", json!([{"x": 1}])),
            pairs(&[("rows[][x]", "1")])
        );
    }
}
