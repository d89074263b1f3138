//! Load: bytes (YAML or JSON, OpenAPI 3.0 or 3.1) → a normalised document.
//!
//! Parsing keeps going where real files are odd (see [`value`] and
//! [`normalize`]); each such repair is a [`Warning`]. What cannot be repaired is
//! a [`SpecError`] naming the file, the JSON pointer and, where known, the line.

mod error;
pub mod limits;
mod locate;
mod normalize;
mod refine;
mod value;
mod webhooks;

pub use error::{child, escape_token, unescape_token, LineCol, SpecError};
pub use locate::{locate, locate_nearest};

use crate::ir::Warning;
use serde::de::DeserializeSeed;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::Path;

/// OpenAPI major/minor line of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OpenApiVersion {
    /// 3.0.x
    V3_0,
    /// 3.1.x
    V3_1,
}

/// A loaded, normalised OpenAPI document.
#[derive(Debug, Clone)]
pub struct Spec {
    /// File name as given by the caller (used in messages).
    pub file: String,
    /// The source text, kept to find lines for later errors.
    pub text: String,
    /// Hex SHA-256 of the source bytes.
    pub sha256: String,
    /// `openapi` field as written in the source.
    pub openapi_version: String,
    /// Version line the document was written for.
    pub version: OpenApiVersion,
    /// The document in OpenAPI 3.0 shape (see [`normalize`]). It is checked
    /// against `openapiv3`'s types when loading; the typed copy is not kept.
    pub document: Value,
    /// Repairs made while loading.
    pub warnings: Vec<Warning>,
}

impl Spec {
    /// An error at `pointer` of this spec, with the source line where it can be found.
    pub fn error(&self, pointer: &str, reason: impl Into<String>) -> SpecError {
        SpecError { file: self.file.clone(), pointer: pointer.to_owned(), position: locate_nearest(&self.text, pointer), reason: reason.into() }
    }

    /// Resolves a local `$ref` (`#/components/...`) in the normalised document.
    pub fn resolve_pointer(&self, reference: &str) -> Option<&Value> {
        let pointer = reference.strip_prefix('#')?;
        self.document.pointer(pointer)
    }
}

/// Reads and loads a spec file.
pub fn load_path(path: &Path) -> Result<Spec, SpecError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| SpecError { file: file.clone(), pointer: String::new(), position: None, reason: format!("cannot read file: {e}") })?;
    load_bytes(&file, &bytes)
}

/// Parses YAML or JSON text into a JSON value without any OpenAPI processing.
/// JSON is recognised by its first non-blank character; everything else is YAML
/// (a superset of JSON). The [`limits`] on depth, key and string length apply;
/// an error names the line and, where the reader got that far, the JSON pointer.
pub fn parse_value(file: &str, text: &str) -> Result<Value, SpecError> {
    let err = |reason: String, pointer: String, position: Option<LineCol>| {
        // The parser's position, else the line of the node the reader was in.
        let position = position.or_else(|| locate_nearest(text, &pointer));
        SpecError { file: file.to_owned(), pointer, position, reason }
    };
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(err("the file is empty".to_owned(), String::new(), None));
    }
    // Positions are reported in `text`; the parsers see `trimmed`, which starts `skipped` lines later.
    let skipped = text[..text.len() - trimmed.len()].matches('\n').count();
    let shift = |line: usize, column: usize| LineCol { line: line + skipped, column };
    let path = value::Path::default();
    if trimmed.starts_with('{') {
        let mut de = serde_json::Deserializer::from_str(trimmed);
        let json_err = |e: serde_json::Error| err(format!("invalid JSON: {}", strip_position(&e.to_string())), path.pointer(), (e.line() > 0).then(|| shift(e.line(), e.column())));
        let value = value::AnyValue(&path).deserialize(&mut de).map_err(json_err)?;
        de.end().map_err(json_err)?;
        Ok(value)
    } else {
        // libyaml's time grows with the square of flow nesting: refuse deep nesting before parsing.
        let scan = limits::scan_yaml(trimmed);
        if let Some(at) = scan.too_deep {
            return Err(err(format!("invalid YAML: flow collections nest deeper than {} levels", limits::MAX_YAML_FLOW_DEPTH), String::new(), Some(shift(at.line, at.column))));
        }
        let de = serde_yaml::Deserializer::from_str(trimmed);
        value::AnyValue(&path).deserialize(de).map_err(|e| {
            let message = strip_position(&e.to_string());
            let mut position = e.location().map(|l| shift(l.line(), l.column()));
            let mut reason = format!("invalid YAML: {message}");
            let pointer = path.pointer();
            if message.contains("repetition limit") {
                // Aliases that expand into too many nodes (an alias bomb): the parser gives no
                // position; the node being read names the alias that went too far.
                reason.push_str(" (aliases expand into too many nodes)");
                if pointer.is_empty() {
                    position = position.or(scan.first_alias.map(|at| shift(at.line, at.column)));
                }
            }
            err(reason, pointer, position)
        })
    }
}

/// serde messages end with " at line X column Y"; we report the position separately.
fn strip_position(message: &str) -> String {
    let cut = message.find(" at line ").map_or(message, |i| &message[..i]);
    cut.trim_end_matches('.').to_owned()
}

/// Loads a spec from bytes.
pub fn load_bytes(file: &str, bytes: &[u8]) -> Result<Spec, SpecError> {
    let sha256 = hex(&Sha256::digest(bytes));
    let text = std::str::from_utf8(bytes)
        .map_err(|e| SpecError { file: file.to_owned(), pointer: String::new(), position: Some(limits::line_col(bytes, e.valid_up_to())), reason: format!("not UTF-8 text: {e}") })?
        .to_owned();
    let mut document = parse_value(file, &text)?;
    let spec_err = |pointer: &str, reason: String| SpecError { file: file.to_owned(), pointer: pointer.to_owned(), position: locate_nearest(&text, pointer), reason };
    if !document.is_object() {
        return Err(spec_err("", "an OpenAPI document must be a mapping at the top level".to_owned()));
    }
    let openapi_version = match document.get("openapi") {
        Some(Value::String(v)) => v.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err(spec_err("/openapi", "`openapi` must be a version string".to_owned())),
        None if document.get("swagger").is_some() => return Err(spec_err("/swagger", "Swagger 2.0 documents are not supported; convert to OpenAPI 3 first".to_owned())),
        None => return Err(spec_err("", "missing `openapi` version field".to_owned())),
    };
    let version = if openapi_version.starts_with("3.0") {
        OpenApiVersion::V3_0
    } else if openapi_version.starts_with("3.1") {
        OpenApiVersion::V3_1
    } else {
        return Err(spec_err("/openapi", format!("unsupported OpenAPI version {openapi_version:?}; 3.0.x and 3.1.x are supported")));
    };
    if let Some(paths) = document.get("paths").and_then(Value::as_object) {
        for path in paths.keys() {
            if let Err(reason) = parse_path_template(path) {
                return Err(spec_err(&child("/paths", path), format!("malformed path template `{path}`: {reason}")));
            }
        }
    }
    let mut warnings = Vec::new();
    let mut over_limit = None;
    let mut normalizer = normalize::Normalizer { warnings: &mut warnings, over_limit: &mut over_limit };
    normalizer.document(&mut document);
    webhooks::normalize(&mut normalizer, &mut document).map_err(|(pointer, reason)| spec_err(&pointer, reason))?;
    if let Some((pointer, reason)) = over_limit {
        return Err(spec_err(&pointer, reason));
    }
    // The typed reading only checks the document's shape: nothing keeps it, so it costs no memory after loading.
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&document).map_err(|e| {
        let (pointer, reason) = refine::deepest_error(&document, path_to_pointer(e.path()), e.inner().to_string());
        spec_err(&pointer, reason)
    })?;
    Ok(Spec { file: file.to_owned(), text, sha256, openapi_version, version, document, warnings })
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out = child(&out, &index.to_string()),
            Segment::Map { key } => out = child(&out, key),
            Segment::Enum { variant } => out = child(&out, variant),
            Segment::Unknown => break,
        }
    }
    out
}

/// Parses a path template (`/files/{file_id}/content`) into literal text and
/// parameter names. A `{` inside a placeholder, a `}` outside one, an unclosed
/// or an empty placeholder is an error (the reason, without position).
pub fn parse_path_template(path: &str) -> Result<Vec<crate::ir::PathSegment>, String> {
    use crate::ir::PathSegment;
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        match rest.find(['{', '}']) {
            None => {
                out.push(PathSegment::Literal(rest.to_owned()));
                break;
            }
            Some(i) if rest.as_bytes()[i] == b'}' => return Err(format!("`}}` at byte {} closes no `{{`", path.len() - rest.len() + i)),
            Some(i) => {
                if i > 0 {
                    out.push(PathSegment::Literal(rest[..i].to_owned()));
                }
                let after = &rest[i + 1..];
                let end = after.find(['{', '}']).ok_or_else(|| format!("`{{` at byte {} is never closed", path.len() - rest.len() + i))?;
                if after.as_bytes()[end] == b'{' {
                    return Err(format!("`{{` at byte {} opens inside another placeholder", path.len() - after.len() + end));
                }
                let name = &after[..end];
                if name.is_empty() {
                    return Err(format!("empty placeholder `{{}}` at byte {}", path.len() - rest.len() + i));
                }
                out.push(PathSegment::Param(name.to_owned()));
                rest = &after[end + 1..];
            }
        }
    }
    Ok(out)
}

/// Hex SHA-256 of `bytes`, as [`Spec::sha256`] records it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod template_tests {
    use super::parse_path_template;
    use crate::ir::PathSegment::{Literal, Param};

    #[test]
    fn path_templates_parse_into_segments() {
        assert_eq!(parse_path_template("/files/{file_id}/content").unwrap(), [Literal("/files/".into()), Param("file_id".into()), Literal("/content".into())]);
        assert_eq!(parse_path_template("/a/{b}{c}").unwrap(), [Literal("/a/".into()), Param("b".into()), Param("c".into())]);
        assert_eq!(parse_path_template("/x").unwrap(), [Literal("/x".into())]);
        assert_eq!(parse_path_template("/a/{b{c}").unwrap_err(), "`{` at byte 5 opens inside another placeholder");
        assert_eq!(parse_path_template("/a/{b").unwrap_err(), "`{` at byte 3 is never closed");
        assert_eq!(parse_path_template("/a/b}").unwrap_err(), "`}` at byte 4 closes no `{`");
        assert_eq!(parse_path_template("/a/{}").unwrap_err(), "empty placeholder `{}` at byte 3");
    }
}
