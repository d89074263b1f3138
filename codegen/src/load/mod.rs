//! Load: bytes (YAML or JSON, OpenAPI 3.0 or 3.1) → a normalised document.
//!
//! Parsing keeps going where real files are odd (see [`value`] and
//! [`normalize`]); each such repair is a [`Warning`]. What cannot be repaired is
//! a [`SpecError`] naming the file, the JSON pointer and, where known, the line.

mod error;
mod locate;
mod normalize;
mod refine;
mod value;

pub use error::{child, escape_token, unescape_token, LineCol, SpecError};
pub use locate::locate;

use crate::Warning;
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
    /// The document in OpenAPI 3.0 shape (see [`normalize`]).
    pub document: Value,
    /// The same document read by `openapiv3`.
    pub openapi: openapiv3::OpenAPI,
    /// Repairs made while loading.
    pub warnings: Vec<Warning>,
}

impl Spec {
    /// An error at `pointer` of this spec, with the source line where it can be found.
    pub fn error(&self, pointer: &str, reason: impl Into<String>) -> SpecError {
        SpecError { file: self.file.clone(), pointer: pointer.to_owned(), position: locate(&self.text, pointer), reason: reason.into() }
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
/// (a superset of JSON).
pub fn parse_value(file: &str, text: &str) -> Result<Value, SpecError> {
    let err = |reason: String, position: Option<LineCol>| SpecError { file: file.to_owned(), pointer: String::new(), position, reason };
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(err("the file is empty".to_owned(), None));
    }
    if trimmed.starts_with('{') {
        let mut de = serde_json::Deserializer::from_str(trimmed);
        let value = value::AnyValue.deserialize(&mut de).map_err(|e| err(format!("invalid JSON: {}", strip_position(&e.to_string())), Some(LineCol { line: e.line(), column: e.column() })))?;
        de.end().map_err(|e| err(format!("invalid JSON: {}", strip_position(&e.to_string())), Some(LineCol { line: e.line(), column: e.column() })))?;
        Ok(value)
    } else {
        let de = serde_yaml::Deserializer::from_str(trimmed);
        value::AnyValue.deserialize(de).map_err(|e| {
            let position = e.location().map(|l| LineCol { line: l.line(), column: l.column() });
            err(format!("invalid YAML: {}", strip_position(&e.to_string())), position)
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
    let text = std::str::from_utf8(bytes).map_err(|e| SpecError { file: file.to_owned(), pointer: String::new(), position: None, reason: format!("not UTF-8 text: {e}") })?.to_owned();
    let mut document = parse_value(file, &text)?;
    let spec_err = |pointer: &str, reason: String| SpecError { file: file.to_owned(), pointer: pointer.to_owned(), position: locate(&text, pointer), reason };
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
    let mut warnings = Vec::new();
    normalize::Normalizer { warnings: &mut warnings }.document(&mut document);
    let openapi: openapiv3::OpenAPI = serde_path_to_error::deserialize(&document).map_err(|e| {
        let (pointer, reason) = refine::deepest_error(&document, path_to_pointer(e.path()), e.inner().to_string());
        spec_err(&pointer, reason)
    })?;
    Ok(Spec { file: file.to_owned(), text, sha256, openapi_version, version, document, openapi, warnings })
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

/// Hex SHA-256 of `bytes`, as [`Spec::sha256`] records it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
