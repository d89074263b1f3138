//! `cargo xtask verify-specs [OFFICIAL_DIR]`: checks that our specs in `specs/`
//! state the same facts as the official OpenAI files they were written from.
//!
//! Our copies carry our own prose, so both sides are first reduced to facts:
//! `description`, `summary`, `example`, `examples` and every `x-` extension are
//! dropped wherever they are keywords (a property *named* `description` is a
//! fact and stays), top-level `info` and `servers` go, and top-level `tags`
//! shrink to their names. What remains must be identical, key order included.

use codegen::load::{child, parse_value};
use serde_json::{Map, Value};
use std::path::Path;
use std::process::ExitCode;

const PROSE: [&str; 4] = ["description", "summary", "example", "examples"];

/// Keywords whose value is a map from names (properties, paths, status codes,
/// media types, ...) to objects: its keys are facts, never keywords.
const NAME_MAPS: [&str; 17] = [
    "properties",
    "webhooks",
    "patternProperties",
    "definitions",
    "$defs",
    "paths",
    "schemas",
    "parameters",
    "responses",
    "requestBodies",
    "securitySchemes",
    "content",
    "headers",
    "encoding",
    "links",
    "callbacks",
    "variables",
];

/// Name maps whose keys are plain strings, not objects (`discriminator.mapping`, OAuth scopes).
const STRING_MAPS: [&str; 2] = ["mapping", "scopes"];

/// Keywords whose value is data, compared verbatim.
const LITERALS: [&str; 3] = ["enum", "default", "const"];

/// OpenAPI objects that are maps yet accept `x-` extensions among their names.
const EXTENSIBLE_MAPS: [&str; 3] = ["paths", "responses", "callbacks"];

pub const USAGE: &str = "usage: cargo xtask verify-specs [OFFICIAL_DIR]

Checks every spec listed in specs/index.json against the official file it was
made from (default folder ../shared/specs/openai): the official file must still
have the recorded sha256, and both must state the same facts once prose is set
aside.";

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let root = crate::workspace_root();
    let official_dir = match args {
        [] => crate::official_dir(&root),
        [dir] if !dir.starts_with('-') => dir.into(),
        _ => return Err(USAGE.to_owned()),
    };
    let index = crate::spec_index::SpecIndex::read(&root)?;
    if index.specs.is_empty() {
        return Err(format!("{} lists no spec", crate::spec_index::INDEX));
    }
    let mut failed = false;
    for entry in &index.specs {
        let label = format!("specs/{}", entry.file);
        let official_path = official_dir.join(&entry.official);
        let official_bytes = match std::fs::read(&official_path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: {label}: cannot read its official file {}: {e}", official_path.display());
                failed = true;
                continue;
            }
        };
        let sha = codegen::load::sha256_hex(&official_bytes);
        if sha != entry.sha256 {
            eprintln!("error: {label}: {} has sha256 {sha}, but {} records {}; run `cargo xtask update-spec {}` to take the new version", entry.official, crate::spec_index::INDEX, entry.sha256, official_path.display());
            failed = true;
            continue;
        }
        let (ours_doc, official_doc) = match (read(&root.join("specs").join(&entry.file)), parse(&official_path, &official_bytes)) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                for message in [a.err(), b.err()].into_iter().flatten() {
                    eprintln!("error: {label}: {message}");
                }
                failed = true;
                continue;
            }
        };
        let differences = compare_specs(&ours_doc, &official_doc);
        if differences.is_empty() {
            let (operations, schemas) = counts(&official_doc);
            println!("{label}: structure identical to {} ({operations} operations, {schemas} schemas; prose: {})", entry.official, entry.prose);
        } else {
            for difference in &differences {
                println!("{label}: {difference}");
            }
            println!("{label}: {} differences from {}", differences.len(), entry.official);
            failed = true;
        }
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

fn parse(path: &Path, bytes: &[u8]) -> Result<Value, String> {
    let name = path.display().to_string();
    let text = std::str::from_utf8(bytes).map_err(|e| format!("{name}: not UTF-8: {e}"))?;
    parse_value(&name, text).map_err(|e| e.to_string())
}

fn read(path: &Path) -> Result<Value, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    parse_value(&name, &text).map_err(|e| e.to_string())
}

/// Operations (HTTP methods under `paths`) and component schemas of a document.
fn counts(doc: &Value) -> (usize, usize) {
    const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    let operations = doc.get("paths").and_then(Value::as_object).map_or(0, |paths| {
        paths.values().filter_map(Value::as_object).map(|item| item.keys().filter(|k| METHODS.contains(&k.as_str())).count()).sum()
    });
    let schemas = doc.pointer("/components/schemas").and_then(Value::as_object).map_or(0, Map::len);
    (operations, schemas)
}

/// One fact that differs, at a JSON pointer into the (prose-free) documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub pointer: String,
    pub message: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}: {}", self.pointer, self.message)
    }
}

/// Every structural difference between our document and the official one, prose set aside.
pub fn compare_specs(ours: &Value, official: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    compare(&facts(ours), &facts(official), "", &mut out);
    out
}

/// What a value is, for deciding which of its keys are prose.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// An OpenAPI or JSON Schema object: its keys are keywords.
    Keywords,
    /// A map whose keys are names; `extensible` maps also allow `x-` keys.
    Names { extensible: bool },
    /// Data (`enum`, `default`, string maps): kept as is.
    Literal,
}

/// The document reduced to its facts.
fn facts(doc: &Value) -> Value {
    let Value::Object(top) = doc else { return strip(doc, Shape::Keywords) };
    let mut out = Map::new();
    for (key, value) in top {
        match key.as_str() {
            "info" | "servers" => {}
            "tags" => {
                let names = value.as_array().map(|tags| tags.iter().map(|t| t.get("name").cloned().unwrap_or(Value::Null)).collect());
                out.insert(key.clone(), names.map_or_else(|| value.clone(), Value::Array));
            }
            k if k.starts_with("x-") => {}
            _ => {
                out.insert(key.clone(), strip(value, child_shape(key)));
            }
        }
    }
    Value::Object(out)
}

/// The prose-free form of `value`, found under the keyword `key`.
pub fn strip_keywords(value: &Value, key: &str) -> Value {
    strip(value, child_shape(key))
}

fn child_shape(keyword: &str) -> Shape {
    if NAME_MAPS.contains(&keyword) {
        Shape::Names { extensible: EXTENSIBLE_MAPS.contains(&keyword) }
    } else if LITERALS.contains(&keyword) || STRING_MAPS.contains(&keyword) {
        Shape::Literal
    } else {
        Shape::Keywords
    }
}

fn strip(value: &Value, shape: Shape) -> Value {
    match (value, shape) {
        (_, Shape::Literal) => value.clone(),
        // Arrays hold keyword objects (`parameters`, `oneOf`, `allOf`, ...) or plain strings (`required`).
        (Value::Array(items), _) => Value::Array(items.iter().map(|v| strip(v, Shape::Keywords)).collect()),
        (Value::Object(map), Shape::Keywords) => Value::Object(
            map.iter()
                .filter(|(k, _)| !PROSE.contains(&k.as_str()) && !k.starts_with("x-"))
                .map(|(k, v)| (k.clone(), strip(v, child_shape(k))))
                .collect(),
        ),
        (Value::Object(map), Shape::Names { extensible }) => Value::Object(
            map.iter().filter(|(k, _)| !(extensible && k.starts_with("x-"))).map(|(k, v)| (k.clone(), strip(v, Shape::Keywords))).collect(),
        ),
        _ => value.clone(),
    }
}

fn compare(ours: &Value, official: &Value, pointer: &str, out: &mut Vec<Difference>) {
    let mut push = |pointer: String, message: String| out.push(Difference { pointer, message });
    match (ours, official) {
        (Value::Object(a), Value::Object(b)) => {
            for key in b.keys().filter(|k| !a.contains_key(*k)) {
                push(child(pointer, key), "missing key (the official file has it)".to_owned());
            }
            for key in a.keys().filter(|k| !b.contains_key(*k)) {
                push(child(pointer, key), "extra key (the official file does not have it)".to_owned());
            }
            let common_a: Vec<&String> = a.keys().filter(|k| b.contains_key(*k)).collect();
            let common_b: Vec<&String> = b.keys().filter(|k| a.contains_key(*k)).collect();
            if common_a != common_b {
                push(pointer.to_owned(), format!("keys in a different order: ours {}, official {}", key_list(&common_a), key_list(&common_b)));
            }
            for key in common_b {
                compare(&a[key], &b[key], &child(pointer, key), out);
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                push(pointer.to_owned(), format!("different array length: ours {}, official {}", a.len(), b.len()));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(x, y, &child(pointer, &i.to_string()), out);
            }
        }
        _ if ours == official => {}
        _ => push(pointer.to_owned(), format!("different value: ours {}, official {}", brief(ours), brief(official))),
    }
}

fn key_list(keys: &[&String]) -> String {
    keys.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
}

/// A value as JSON, cut short so one difference stays on one line.
fn brief(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A small document in the shape of the official specs.
    fn official() -> Value {
        json!({
            "openapi": "3.0.0",
            "info": {"title": "OpenAI API", "description": "Their words", "version": "2.0.0"},
            "servers": [{"url": "https://api.openai.com/v1"}],
            "tags": [{"name": "Assistants", "description": "Their words"}],
            "paths": {
                "/assistants": {
                    "post": {
                        "operationId": "createAssistant",
                        "tags": ["Assistants"],
                        "summary": "Their summary",
                        "parameters": [{"name": "limit", "in": "query", "description": "Their words", "schema": {"type": "integer", "default": 20}}],
                        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Assistant"}}}},
                        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Assistant"}}}}},
                        "x-oaiMeta": {"name": "Create assistant", "examples": {"curl": "curl ..."}}
                    }
                }
            },
            "components": {
                "schemas": {
                    "Assistant": {
                        "type": "object",
                        "title": "Assistant",
                        "description": "Their words",
                        "properties": {
                            "description": {"type": "string", "nullable": true, "description": "Their words", "example": "A helper"},
                            "status": {"type": "string", "enum": ["queued", "done"], "x-oaiTypeLabel": "string"},
                            "tool": {"$ref": "#/components/schemas/Tool"}
                        },
                        "required": ["description", "status"]
                    },
                    "Tool": {"type": "object", "properties": {"type": {"type": "string"}}}
                }
            },
            "x-oaiMeta": {"groups": []}
        })
    }

    /// Our copy: the same facts, our own prose, no examples or extensions.
    fn ours() -> Value {
        json!({
            "openapi": "3.0.0",
            "info": {"title": "OpenAI API (project copy)", "description": "Our words", "version": "2.0.0"},
            "servers": [{"url": "https://api.openai.com/v1"}],
            "tags": [{"name": "Assistants", "description": "Our words"}],
            "paths": {
                "/assistants": {
                    "post": {
                        "operationId": "createAssistant",
                        "tags": ["Assistants"],
                        "summary": "Our summary",
                        "parameters": [{"name": "limit", "in": "query", "description": "Our words", "schema": {"type": "integer", "default": 20}}],
                        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Assistant"}}}},
                        "responses": {"200": {"description": "Success", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Assistant"}}}}}
                    }
                }
            },
            "components": {
                "schemas": {
                    "Assistant": {
                        "type": "object",
                        "title": "Assistant",
                        "properties": {
                            "description": {"type": "string", "nullable": true, "description": "Our words"},
                            "status": {"type": "string", "enum": ["queued", "done"]},
                            "tool": {"$ref": "#/components/schemas/Tool"}
                        },
                        "description": "Our words, placed elsewhere",
                        "required": ["description", "status"]
                    },
                    "Tool": {"type": "object", "description": "Ours only", "properties": {"type": {"type": "string"}}}
                }
            }
        })
    }

    fn pointers(differences: &[Difference]) -> Vec<&str> {
        differences.iter().map(|d| d.pointer.as_str()).collect()
    }

    #[test]
    fn prose_only_differences_are_ignored() {
        assert_eq!(compare_specs(&ours(), &official()), vec![]);
    }

    #[test]
    fn a_property_named_description_is_a_fact() {
        let mut changed = ours();
        changed["components"]["schemas"]["Assistant"]["properties"].as_object_mut().unwrap().shift_remove("description");
        let differences = compare_specs(&changed, &official());
        assert_eq!(pointers(&differences), ["/components/schemas/Assistant/properties/description"]);
        assert!(differences[0].message.starts_with("missing key"), "{}", differences[0]);

        // Its own schema is compared too, though its neighbours are prose.
        let mut changed = ours();
        changed["components"]["schemas"]["Assistant"]["properties"]["description"]["nullable"] = json!(false);
        assert_eq!(pointers(&compare_specs(&changed, &official())), ["/components/schemas/Assistant/properties/description/nullable"]);
    }

    #[test]
    fn a_changed_enum_value_is_reported() {
        let mut changed = ours();
        changed["components"]["schemas"]["Assistant"]["properties"]["status"]["enum"][1] = json!("finished");
        let differences = compare_specs(&changed, &official());
        assert_eq!(pointers(&differences), ["/components/schemas/Assistant/properties/status/enum/1"]);
        assert_eq!(differences[0].message, r#"different value: ours "finished", official "done""#);
    }

    #[test]
    fn a_changed_required_list_is_reported() {
        let mut changed = ours();
        changed["components"]["schemas"]["Assistant"]["required"] = json!(["description"]);
        let differences = compare_specs(&changed, &official());
        assert_eq!(pointers(&differences), ["/components/schemas/Assistant/required"]);
        assert_eq!(differences[0].message, "different array length: ours 1, official 2");
    }

    #[test]
    fn a_ref_replaced_by_its_inline_schema_is_reported() {
        let mut changed = ours();
        changed["components"]["schemas"]["Assistant"]["properties"]["tool"] = json!({"type": "object", "properties": {"type": {"type": "string"}}});
        let differences = compare_specs(&changed, &official());
        assert_eq!(
            pointers(&differences),
            [
                "/components/schemas/Assistant/properties/tool/$ref",
                "/components/schemas/Assistant/properties/tool/type",
                "/components/schemas/Assistant/properties/tool/properties"
            ]
        );
    }

    #[test]
    fn a_removed_property_is_reported() {
        let mut changed = ours();
        changed["components"]["schemas"]["Assistant"]["properties"].as_object_mut().unwrap().shift_remove("status");
        assert_eq!(pointers(&compare_specs(&changed, &official())), ["/components/schemas/Assistant/properties/status"]);
    }

    #[test]
    fn operation_facts_are_compared() {
        let mut changed = ours();
        let operation = &mut changed["paths"]["/assistants"]["post"];
        operation["parameters"][0]["schema"]["default"] = json!(10);
        operation["responses"]["201"] = operation["responses"]["200"].take();
        operation["responses"].as_object_mut().unwrap().shift_remove("200");
        assert_eq!(
            pointers(&compare_specs(&changed, &official())),
            ["/paths/~1assistants/post/parameters/0/schema/default", "/paths/~1assistants/post/responses/200", "/paths/~1assistants/post/responses/201"]
        );
    }

    #[test]
    fn tags_are_compared_by_name_and_key_order_counts() {
        let mut changed = ours();
        changed["tags"][0]["name"] = json!("Assistant");
        let status = changed["components"]["schemas"]["Assistant"]["properties"].as_object_mut().unwrap().shift_remove("status").unwrap();
        changed["components"]["schemas"]["Assistant"]["properties"]["status"] = status;
        let differences = compare_specs(&changed, &official());
        assert_eq!(pointers(&differences), ["/tags/0", "/components/schemas/Assistant/properties"]);
        assert!(differences[1].message.starts_with("keys in a different order"), "{}", differences[1]);
    }

    #[test]
    fn literal_values_keep_keys_that_look_like_prose() {
        let mut a = ours();
        let mut b = official();
        a["components"]["schemas"]["Tool"]["default"] = json!({"description": "x"});
        b["components"]["schemas"]["Tool"]["default"] = json!({"description": "y"});
        assert_eq!(pointers(&compare_specs(&a, &b)), ["/components/schemas/Tool/default/description"]);
    }

    #[test]
    fn counts_operations_and_schemas() {
        assert_eq!(counts(&official()), (1, 2));
    }
}
