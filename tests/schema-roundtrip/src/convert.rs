//! OpenAPI 3.0 schema (as the generator's loader normalises it) → JSON Schema
//! 2020-12, for the `jsonschema` crate:
//!
//! - `nullable: true` → `anyOf: [the schema without nullable, {type: "null"}]`;
//! - boolean `exclusiveMinimum`/`exclusiveMaximum` (3.0) → the numeric form;
//! - `$ref: "#/components/schemas/X"` is kept: the converted components sit in
//!   one root document registered under [`BASE`];
//! - `$recursiveRef: "#"` (2019-09, in the official spec) → `$ref` to the
//!   enclosing component, which is what its `$recursiveAnchor` means there;
//! - names listed twice in `required` are listed once;
//! - OpenAPI-only keywords (`discriminator`, `xml`, `externalDocs`, `example`,
//!   `deprecated`, `readOnly`, `writeOnly`, `x-…`) are dropped;
//! - with `wide_int64`, an integer `maximum` of `i64::MAX` becomes
//!   `9223372036854776000`, the way the official spec writes it (a double), so
//!   instances at that written bound are valid, as the spec says they are.

use serde_json::{json, Map, Value};

/// URI the converted document is registered under.
pub const BASE: &str = "https://schema-roundtrip.invalid/openapi.json";

/// Dropped keywords (besides `x-…`).
const OPENAPI_ONLY: &[&str] = &["discriminator", "xml", "externalDocs", "example", "examples", "deprecated", "readOnly", "writeOnly", "nullable", "$recursiveAnchor"];

/// `components` with every `$recursiveRef: "#"` (2019-09) replaced by a `$ref`
/// to the component it sits in. In the specs the `$recursiveAnchor` it
/// refers to is always on that component itself, and no schema that refers to
/// such a component has an anchor of its own, so the dynamic reference always
/// ends there.
pub fn static_recursive_refs(components: &Map<String, Value>) -> Map<String, Value> {
    fn walk(value: &mut Value, target: &str) {
        match value {
            Value::Object(map) => {
                if map.get("$recursiveRef").and_then(Value::as_str) == Some("#") {
                    map.remove("$recursiveRef");
                    map.insert("$ref".to_owned(), Value::String(target.to_owned()));
                }
                for v in map.values_mut() {
                    walk(v, target);
                }
            }
            Value::Array(list) => list.iter_mut().for_each(|v| walk(v, target)),
            _ => {}
        }
    }
    let mut out = components.clone();
    for (name, schema) in out.iter_mut() {
        walk(schema, &format!("#/components/schemas/{}", name.replace('~', "~0").replace('/', "~1")));
    }
    out
}

/// The 2020-12 root document holding every converted component schema.
pub fn document(components: &Map<String, Value>, wide_int64: bool) -> Value {
    let schemas: Map<String, Value> = components.iter().map(|(name, schema)| (name.clone(), Converter { component: name, wide_int64 }.schema(schema))).collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": BASE,
        "components": { "schemas": schemas },
    })
}

/// The schema that validates an instance of component `name` against [`document`].
pub fn component_ref(name: &str) -> Value {
    json!({ "$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": format!("{BASE}#/components/schemas/{}", fragment(name)) })
}

/// A JSON pointer token as a URI fragment (RFC 6901 escaping, then percent-encoding).
fn fragment(token: &str) -> String {
    let escaped = token.replace('~', "~0").replace('/', "~1");
    let mut out = String::new();
    for b in escaped.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

struct Converter<'a> {
    component: &'a str,
    wide_int64: bool,
}

impl Converter<'_> {
    fn schema(&self, schema: &Value) -> Value {
        let Some(obj) = schema.as_object() else { return schema.clone() };
        let mut out = Map::new();
        for (key, value) in obj {
            if OPENAPI_ONLY.contains(&key.as_str()) || key.starts_with("x-") {
                continue;
            }
            let converted = match key.as_str() {
                "properties" | "patternProperties" | "$defs" | "definitions" => Value::Object(value.as_object().map(|m| m.iter().map(|(k, v)| (k.clone(), self.schema(v))).collect()).unwrap_or_default()),
                "items" | "additionalProperties" | "not" | "propertyNames" | "contains" | "additionalItems" | "unevaluatedProperties" | "unevaluatedItems" => self.schema(value),
                "allOf" | "anyOf" | "oneOf" | "prefixItems" => Value::Array(value.as_array().map(|l| l.iter().map(|s| self.schema(s)).collect()).unwrap_or_default()),
                // A name listed twice means the same; 2020-12 wants each once.
                "required" => match value.as_array() {
                    Some(names) => {
                        let mut unique: Vec<Value> = Vec::new();
                        for n in names {
                            if !unique.contains(n) {
                                unique.push(n.clone());
                            }
                        }
                        Value::Array(unique)
                    }
                    None => value.clone(),
                },
                "$recursiveRef" => {
                    out.insert("$ref".to_owned(), Value::String(format!("#/components/schemas/{}", self.component.replace('~', "~0").replace('/', "~1"))));
                    continue;
                }
                _ => value.clone(),
            };
            out.insert(key.clone(), converted);
        }
        for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
            match out.get(exclusive) {
                Some(Value::Bool(true)) => {
                    out.remove(exclusive);
                    if let Some(b) = out.remove(bound) {
                        out.insert(exclusive.to_owned(), b);
                    }
                }
                Some(Value::Bool(false)) => {
                    out.remove(exclusive);
                }
                _ => {}
            }
        }
        if self.wide_int64 && out.get("type").and_then(Value::as_str) == Some("integer") {
            if let Some(max) = out.get_mut("maximum") {
                if max.as_i64() == Some(i64::MAX) {
                    *max = Value::from(INT64_MAX_AS_WRITTEN);
                }
            }
        }
        if obj.get("nullable") == Some(&Value::Bool(true)) {
            return json!({ "anyOf": [Value::Object(out), { "type": "null" }] });
        }
        Value::Object(out)
    }
}

/// `i64::MAX` as the official spec writes it (`9223372036854776000`, the
/// shortest decimal of the double nearest to it).
pub const INT64_MAX_AS_WRITTEN: u64 = 9_223_372_036_854_776_000;

/// The spec writes 64-bit bounds as doubles (`9223372036854776000`,
/// `-9.223372036854776e+18`), which the loader clamps to `i64`.
pub fn writes_int64_bounds_as_doubles(spec_text: &str) -> bool {
    spec_text.contains("9223372036854776000") || spec_text.contains("9.223372036854776e")
}
