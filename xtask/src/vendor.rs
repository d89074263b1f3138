//! `cargo xtask vendor OFFICIAL_FILE`: writes the facts of an official OpenAI
//! spec into `specs/` and records where they came from in `specs/index.json`.
//!
//! The reduction is the one `verify-specs` compares by (see
//! [`crate::verify_specs::facts`]): every `description`, `summary`, `example(s)`
//! and `x-` extension goes, top-level tags keep their names, and `info` becomes
//! our own short one. The official prose therefore never enters the project;
//! the only text added back is what OpenAPI requires (an empty `description`
//! on each response object).

use crate::spec_index::{write_atomic, Entry, SpecIndex};
use crate::verify_specs::{compare_specs, strip_keywords};
use codegen::load::{locate, Spec, SpecError};
use serde_json::{Map, Value};
use std::path::Path;
use std::process::ExitCode;

pub const USAGE: &str = "usage: cargo xtask vendor OFFICIAL_FILE

Writes the facts of an official OpenAI spec (YAML or JSON, OpenAPI 3.x) into
specs/openai-<info.version>.json, without its prose, and records the official
file and its sha256 in specs/index.json. Exit status 2 when the file does not
load; nothing in specs/ is touched then.";

/// An official spec reduced to its facts, ready to be written into `specs/`.
#[derive(Debug, Clone)]
pub struct Vendored {
    /// File name in `specs/` (`openai-<version>.json`).
    pub file: String,
    /// `info.version` of the official file.
    pub version: String,
    /// The reduced document as pretty JSON with a final newline.
    pub text: String,
    /// Hex sha256 of the official bytes.
    pub official_sha256: String,
    /// The official file, relative to the official folder when it is inside it.
    pub official: String,
}

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let [file] = args else { return Err(USAGE.to_owned()) };
    let root = crate::workspace_root();
    let vendored = match vendor_file(Path::new(file), &crate::official_dir(&root)) {
        Ok((v, _)) => v,
        Err(message) => return Ok(crate::input_error(&message)),
    };
    let previous = write(&root, &vendored)?;
    let action = if previous { "replaced" } else { "wrote" };
    println!("{action} specs/{} (facts of {}, sha256 {}); recorded in {}", vendored.file, vendored.official, vendored.official_sha256, crate::spec_index::INDEX);
    Ok(ExitCode::SUCCESS)
}

/// Reads, checks and reduces one official file; returns it with the reduced
/// copy loaded (as `specs/<file>`), which the check had to load anyway. Every
/// failure names the file and, where the document has one, the line and JSON
/// pointer.
pub fn vendor_file(path: &Path, official_dir: &Path) -> Result<(Vendored, Spec), String> {
    let label = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("{label}: cannot read file: {e}"))?;
    let spec = codegen::load::load_bytes(&label, &bytes).map_err(|e| e.to_string())?;
    let text = std::str::from_utf8(&bytes).map_err(|e| format!("{label}: not UTF-8: {e}"))?;
    let original = codegen::load::parse_value(&label, text).map_err(|e| e.to_string())?;
    let at = |pointer: &str, reason: &str| SpecError { file: label.clone(), pointer: pointer.to_owned(), position: locate(text, pointer), reason: reason.to_owned() }.to_string();
    let version = match original.pointer("/info/version") {
        Some(Value::String(v)) if !v.trim().is_empty() => v.trim().to_owned(),
        Some(_) => return Err(at("/info/version", "`info.version` must be a non-empty string: it names the vendored file")),
        None => return Err(at("/info", "`info.version` is missing: it names the vendored file")),
    };
    if !version.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
        return Err(at("/info/version", &format!("`info.version` {version:?} has characters that cannot be part of a file name (letters, digits, `.`, `-`, `_`)")));
    }
    let reduced = reduce(&original, &version);
    // The reduction must lose no fact and must still load: check both here, so
    // a bug in it can never reach specs/.
    let differences = compare_specs(&reduced, &original);
    if let Some(first) = differences.first() {
        return Err(format!("{label}: the facts-only copy differs from the official file ({} differences, first {first}); this is a bug in `xtask vendor`", differences.len()));
    }
    let file = format!("openai-{version}.json");
    let out = serde_json::to_string_pretty(&reduced).map_err(|e| e.to_string())? + "\n";
    let reduced_spec = codegen::load::load_bytes(&format!("specs/{file}"), out.as_bytes()).map_err(|e| format!("the facts-only copy of {label} does not load (a bug in `xtask vendor`): {e}"))?;
    Ok((Vendored { file, version, text: out, official_sha256: spec.sha256, official: crate::codegen_cmd::display_path(official_dir, path) }, reduced_spec))
}

/// Writes the vendored file and its index entry. Returns whether a file of
/// that name was there before.
pub fn write(root: &Path, vendored: &Vendored) -> Result<bool, String> {
    let mut index = SpecIndex::read(root)?;
    let target = root.join("specs").join(&vendored.file);
    let existed = target.exists();
    if let Some(entry) = index.get(&vendored.file) {
        if entry.prose != "none" {
            return Err(format!(
                "specs/{} carries the project's own prose and is kept as it is (it is a seed spec, checked against {}); vendoring {} would overwrite it",
                vendored.file, entry.official, vendored.official
            ));
        }
    }
    write_atomic(&target, vendored.text.as_bytes())?;
    index.upsert(Entry { file: vendored.file.clone(), official: vendored.official.clone(), sha256: vendored.official_sha256.clone(), prose: "none".to_owned() });
    index.write(root)?;
    Ok(existed)
}

/// The facts of an official document, in a shape that is still valid OpenAPI.
pub fn reduce(doc: &Value, version: &str) -> Value {
    let Value::Object(top) = doc else { return doc.clone() };
    let mut out = Map::new();
    for (key, value) in top {
        match key.as_str() {
            "info" => {
                let mut info = Map::new();
                info.insert("title".to_owned(), Value::from("OpenAI API (facts-only copy)"));
                info.insert("description".to_owned(), Value::from("The facts of the official OpenAI API description without its prose, written by `cargo xtask vendor`."));
                info.insert("version".to_owned(), Value::from(version));
                out.insert(key.clone(), Value::Object(info));
            }
            "tags" => {
                let names = value.as_array().map(|tags| tags.iter().filter_map(|t| t.get("name").cloned()).map(|name| Value::Object(Map::from_iter([("name".to_owned(), name)]))).collect());
                out.insert(key.clone(), names.map_or_else(|| value.clone(), Value::Array));
            }
            k if k.starts_with("x-") => {}
            _ => {
                out.insert(key.clone(), strip_keywords(value, key));
            }
        }
    }
    let mut out = Value::Object(out);
    require_response_descriptions(&mut out);
    out
}

/// OpenAPI requires a `description` on every response object; the reduction
/// removed them, so each gets an empty one back.
fn require_response_descriptions(doc: &mut Value) {
    let Value::Object(top) = doc else { return };
    let mut responses: Vec<&mut Value> = Vec::new();
    for (key, section) in top.iter_mut() {
        match (key.as_str(), section) {
            ("paths" | "webhooks", Value::Object(items)) => {
                for item in items.values_mut().filter_map(Value::as_object_mut) {
                    for op in item.values_mut().filter_map(Value::as_object_mut) {
                        if let Some(Value::Object(r)) = op.get_mut("responses") {
                            responses.extend(r.values_mut());
                        }
                    }
                }
            }
            ("components", Value::Object(components)) => {
                if let Some(Value::Object(r)) = components.get_mut("responses") {
                    responses.extend(r.values_mut());
                }
            }
            _ => {}
        }
    }
    for response in responses {
        if let Value::Object(r) = response {
            if !r.contains_key("$ref") && !r.contains_key("description") {
                r.insert("description".to_owned(), Value::from(""));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn official() -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "OpenAI API", "description": "Their words", "version": "2.3.0", "license": {"name": "MIT"}},
            "servers": [{"url": "https://api.openai.com/v1", "description": "Their words"}],
            "tags": [{"name": "Files", "description": "Their words"}],
            "paths": {
                "/files": {
                    "get": {
                        "operationId": "listFiles",
                        "tags": ["Files"],
                        "summary": "Their summary",
                        "parameters": [{"name": "limit", "in": "query", "description": "Their words", "schema": {"type": "integer", "default": 20}}],
                        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/File"}}}}},
                        "x-oaiMeta": {"name": "List files"}
                    }
                }
            },
            "webhooks": {"file.created": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/File"}}}}, "responses": {"200": {"description": "Their words"}}}}},
            "components": {
                "schemas": {
                    "File": {
                        "type": "object",
                        "description": "Their words",
                        "properties": {"description": {"type": ["string", "null"], "description": "Their words", "examples": ["x"]}, "id": {"type": "string"}},
                        "required": ["id"]
                    }
                }
            },
            "x-oaiMeta": {"groups": []}
        })
    }

    #[test]
    fn keeps_facts_drops_prose_and_stays_valid_openapi() {
        let reduced = reduce(&official(), "2.3.0");
        let text = reduced.to_string();
        assert!(!text.contains("Their"), "official prose left in {text}");
        assert!(!text.contains("x-oaiMeta"));
        assert_eq!(reduced["info"]["version"], "2.3.0");
        assert_eq!(reduced["tags"], json!([{"name": "Files"}]));
        assert_eq!(reduced["paths"]["/files"]["get"]["responses"]["200"]["description"], "");
        assert_eq!(reduced["webhooks"]["file.created"]["post"]["responses"]["200"]["description"], "");
        // A property named `description` is a fact.
        assert_eq!(reduced["components"]["schemas"]["File"]["properties"]["description"]["type"], json!(["string", "null"]));
        assert_eq!(compare_specs(&reduced, &official()), vec![]);
        codegen::load::load_bytes("reduced.json", reduced.to_string().as_bytes()).expect("reduced document loads");
    }

    fn write_temp(name: &str, text: &str) -> std::path::PathBuf {
        let dir = crate::spec_index::tests::tempdir("vendor");
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn names_the_file_from_info_version_and_records_the_source() {
        let path = write_temp("openapi-latest.json", &official().to_string());
        let (v, _) = vendor_file(&path, path.parent().unwrap()).unwrap();
        assert_eq!((v.file.as_str(), v.version.as_str(), v.official.as_str()), ("openai-2.3.0.json", "2.3.0", "openapi-latest.json"));
        assert_eq!(v.official_sha256.len(), 64);
        assert!(v.text.ends_with("}\n"));
    }

    #[test]
    fn bad_input_names_file_line_and_pointer() {
        let broken = write_temp("broken.yaml", "openapi: 3.0.0\ninfo: [\n");
        let err = vendor_file(&broken, Path::new("/nowhere")).unwrap_err();
        assert!(err.contains("broken.yaml:3:"), "{err}");

        let swagger = write_temp("old.json", r#"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}"#);
        let err = vendor_file(&swagger, Path::new("/nowhere")).unwrap_err();
        assert!(err.contains("old.json") && err.contains("/swagger"), "{err}");

        let no_version = write_temp("nover.yaml", "openapi: 3.0.0\ninfo:\n  title: t\n  version: ''\npaths: {}\n");
        let err = vendor_file(&no_version, Path::new("/nowhere")).unwrap_err();
        assert!(err.contains("nover.yaml:4:") && err.contains("/info/version"), "{err}");

        let odd = write_temp("odd.yaml", "openapi: 3.0.0\ninfo:\n  title: t\n  version: '1/2'\npaths: {}\n");
        assert!(vendor_file(&odd, Path::new("/nowhere")).unwrap_err().contains("file name"));
    }

    #[test]
    fn seed_specs_with_our_prose_are_never_overwritten() {
        let root = crate::spec_index::tests::tempdir("vendor-root");
        std::fs::create_dir_all(root.join("specs")).unwrap();
        let mut index = SpecIndex::default();
        index.upsert(Entry { file: "openai-2.3.0.json".into(), official: "x.json".into(), sha256: "0".into(), prose: "ours".into() });
        index.write(&root).unwrap();
        let path = write_temp("openapi-latest.json", &official().to_string());
        let (v, _) = vendor_file(&path, Path::new("/nowhere")).unwrap();
        assert!(write(&root, &v).unwrap_err().contains("own prose"));
        assert!(!root.join("specs/openai-2.3.0.json").exists());

        index.specs.clear();
        index.write(&root).unwrap();
        assert!(!write(&root, &v).unwrap());
        assert!(write(&root, &v).unwrap(), "second write replaces");
        let index = SpecIndex::read(&root).unwrap();
        assert_eq!(index.get("openai-2.3.0.json").unwrap().prose, "none");
    }
}
