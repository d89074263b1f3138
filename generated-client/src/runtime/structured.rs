//! Structured outputs: the JSON schema of a Rust type in the strict form the
//! API requires for `json_schema` response formats with `strict: true`, and
//! typed parsing of the model's answer.
//!
//! The schema comes from [`schemars`] (JSON Schema 2020-12, describing what
//! the type *deserializes*) and is then made strict, as openai-python's
//! `to_strict_json_schema` does for pydantic models:
//!
//! - every object gets `additionalProperties: false` and lists all of its
//!   properties in `required`. An `Option<T>` field stays nullable, so the
//!   model answers `null` for it; a non-`Option` field with
//!   `#[serde(default)]` becomes required and not nullable (a `null` would
//!   not deserialize into it), so the model always fills it;
//! - `oneOf` (schemars' form of enums with data) becomes `anyOf`, which the
//!   API supports; an `allOf` of one schema is merged into its parent;
//! - a `$ref` with sibling keywords (a documented field of a struct type) is
//!   replaced by the referenced schema with those keywords on top, since the
//!   API does not accept siblings beside `$ref`; plain `$ref`s to `$defs`
//!   (and recursion) stay;
//! - `format` is kept only for the string formats the API supports
//!   (`date-time`, `time`, `date`, `duration`, `email`, `hostname`, `ipv4`,
//!   `ipv6`, `uuid`); schemars' integer and float widths (`uint8`, `int64`,
//!   `double`, ...) are dropped: the type and its bounds stay;
//! - `$schema` and `default: null` are dropped.
//!
//! What strict mode cannot express is an error naming the type and the JSON
//! pointer of the offending part: a map (`HashMap`, `BTreeMap`: an object
//! with `additionalProperties`), an arbitrary JSON value
//! (`serde_json::Value`), `allOf` with several parts, `not`, `if`/`then`/`else`,
//! `patternProperties`, and a root that is not an object (wrap an enum in a
//! struct). Other keywords (`pattern`, `minimum`, `minItems`, `uniqueItems`
//! from sets, ...) are passed on as they are, for the API to judge.
//!
//! The properties of an object are written in the order of
//! `serde_json::Map`, which is alphabetical unless the application enables
//! serde_json's `preserve_order` feature; the model generates them in that
//! order.

use std::borrow::Cow;
use std::fmt;

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The string formats the API accepts in a strict schema.
const SUPPORTED_FORMATS: [&str; 9] = [
    "date-time",
    "time",
    "date",
    "duration",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "uuid",
];

/// Keywords strict mode rejects, which no amount of rewriting can express.
const UNSUPPORTED_KEYWORDS: [&str; 7] = [
    "not",
    "if",
    "then",
    "else",
    "patternProperties",
    "dependentRequired",
    "dependentSchemas",
];

/// How many `$ref`s with siblings may be inlined inside one another before the
/// schema is taken to be a cycle of them.
const MAX_INLINE_DEPTH: usize = 32;

/// Longest name the API accepts for a response format.
const MAX_NAME_CHARS: usize = 64;

/// The JSON schema of `T` in the strict form (see the module docs).
///
/// Fails with [`SchemaError`] when `T` uses something strict mode cannot express.
pub fn strict_schema<T: JsonSchema + ?Sized>() -> Result<Value, SchemaError> {
    let generator = SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<T>().to_value();
    make_strict(schema, &T::schema_name())
}

/// Makes a JSON schema (as schemars writes it, `$defs` at the root) strict.
/// `type_name` names the type in errors.
pub fn make_strict(mut schema: Value, type_name: &str) -> Result<Value, SchemaError> {
    let error = |pointer: &str, message: &str| SchemaError::new(type_name, pointer, message);
    let Value::Object(root) = &mut schema else {
        return Err(error("", "the schema is not an object"));
    };
    root.remove("$schema");
    // `$ref`s are resolved against the schema as generated.
    let defs = root.get("$defs").cloned().unwrap_or(Value::Null);
    let mut walker = Walker {
        defs: &defs,
        error: &error,
    };
    walker.visit(&mut schema, "", 0)?;
    if schema.get("type").and_then(Value::as_str) != Some("object") {
        return Err(error(
            "",
            "the root must be an object (a struct); wrap an enum or a list in a struct",
        ));
    }
    Ok(schema)
}

/// A name for the response format from the type's schema name: the
/// characters the API accepts (`a-z`, `A-Z`, `0-9`, `_`, `-`), at most 64.
pub fn format_name<T: JsonSchema + ?Sized>() -> String {
    let name: String = T::schema_name()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(MAX_NAME_CHARS)
        .collect();
    if name.is_empty() {
        "response".to_owned()
    } else {
        name
    }
}

/// Parses the model's answer (the message content, or the output text) as `T`.
///
/// A reply that is not JSON, or does not fit `T`, is a [`ParseError`] naming
/// `T`; the reply is kept in the error.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    serde_json::from_str(text).map_err(|source| ParseError {
        type_name: std::any::type_name::<T>(),
        text: text.to_owned(),
        source,
    })
}

struct Walker<'a> {
    defs: &'a Value,
    error: &'a dyn Fn(&str, &str) -> SchemaError,
}

impl Walker<'_> {
    fn visit(
        &mut self,
        node: &mut Value,
        pointer: &str,
        inlined: usize,
    ) -> Result<(), SchemaError> {
        let fields = match node {
            Value::Object(fields) => fields,
            // `false` (nothing fits, e.g. the `items` after a tuple's `prefixItems`) is exact.
            Value::Bool(false) => return Ok(()),
            _ => return Err((self.error)(
                pointer,
                "accepts any JSON value (e.g. serde_json::Value), which strict mode cannot express",
            )),
        };
        if fields.is_empty() {
            return Err((self.error)(
                pointer,
                "accepts any JSON value (e.g. serde_json::Value), which strict mode cannot express",
            ));
        }
        if let Some(keyword) = UNSUPPORTED_KEYWORDS
            .iter()
            .find(|k| fields.contains_key(**k))
        {
            return Err((self.error)(
                pointer,
                &format!("`{keyword}` is not supported in strict mode"),
            ));
        }

        if fields.contains_key("$ref") && fields.len() > 1 {
            let merged = self.inline_ref(fields, pointer, inlined)?;
            *node = merged;
            return self.visit(node, pointer, inlined + 1);
        }

        fields.remove("$schema");
        if fields.get("default").is_some_and(Value::is_null) {
            fields.remove("default");
        }
        if let Some(format) = fields.get("format") {
            if !format
                .as_str()
                .is_some_and(|f| SUPPORTED_FORMATS.contains(&f))
            {
                fields.remove("format");
            }
        }

        if let Some(one_of) = fields.remove("oneOf") {
            if fields.contains_key("anyOf") {
                return Err((self.error)(
                    pointer,
                    "both `oneOf` and `anyOf`; strict mode has only `anyOf`",
                ));
            }
            fields.insert("anyOf".to_owned(), one_of);
        }
        if let Some(all_of) = fields.remove("allOf") {
            match all_of {
                Value::Array(mut parts) if parts.len() == 1 => {
                    let Value::Object(part) = parts.remove(0) else {
                        return Err((self.error)(pointer, "an `allOf` part is not a schema"));
                    };
                    // The node's own keywords (its description, say) win.
                    for (key, value) in part {
                        fields.entry(key).or_insert(value);
                    }
                    return self.visit(node, pointer, inlined + 1);
                }
                _ => {
                    return Err((self.error)(
                        pointer,
                        "`allOf` with several parts is not supported in strict mode",
                    ))
                }
            }
        }

        let is_object = match fields.get("type") {
            Some(Value::String(kind)) => kind == "object",
            Some(Value::Array(kinds)) => kinds.iter().any(|kind| kind == "object"),
            _ => false,
        } || fields.contains_key("properties");
        if is_object {
            match fields.get("additionalProperties") {
                None | Some(Value::Bool(false)) => {}
                Some(_) => {
                    return Err((self.error)(
                        pointer,
                        "a map (an object with `additionalProperties`, e.g. HashMap) cannot be expressed in strict mode; use a struct or a list of pairs",
                    ))
                }
            }
            fields.insert("additionalProperties".to_owned(), Value::Bool(false));
            let properties = fields
                .entry("properties")
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(properties) = properties else {
                return Err((self.error)(pointer, "`properties` is not an object"));
            };
            let required: Vec<Value> = properties.keys().cloned().map(Value::String).collect();
            for (name, property) in properties.iter_mut() {
                let at = format!("{pointer}/properties/{}", escape_pointer(name));
                self.visit(property, &at, 0)?;
            }
            fields.insert("required".to_owned(), Value::Array(required));
        }

        if let Some(items) = fields.get_mut("items") {
            self.visit(items, &format!("{pointer}/items"), 0)?;
        }
        for keyword in ["prefixItems", "anyOf"] {
            if let Some(list) = fields.get_mut(keyword) {
                let Value::Array(list) = list else {
                    return Err((self.error)(pointer, &format!("`{keyword}` is not a list")));
                };
                for (i, entry) in list.iter_mut().enumerate() {
                    self.visit(entry, &format!("{pointer}/{keyword}/{i}"), 0)?;
                }
            }
        }
        for keyword in ["$defs", "definitions"] {
            if let Some(Value::Object(defs)) = fields.get_mut(keyword) {
                for (name, def) in defs.iter_mut() {
                    let at = format!("{pointer}/{keyword}/{}", escape_pointer(name));
                    self.visit(def, &at, 0)?;
                }
            }
        }
        Ok(())
    }

    /// The referenced schema with the node's other keywords on top.
    fn inline_ref(
        &self,
        fields: &Map<String, Value>,
        pointer: &str,
        inlined: usize,
    ) -> Result<Value, SchemaError> {
        if inlined >= MAX_INLINE_DEPTH {
            return Err((self.error)(
                pointer,
                "`$ref`s with sibling keywords refer to one another in a cycle",
            ));
        }
        let reference = fields.get("$ref").and_then(Value::as_str).unwrap_or("");
        let target = reference
            .strip_prefix("#/$defs/")
            .and_then(|name| self.defs.get(unescape_pointer(name).as_ref()));
        let Some(Value::Object(target)) = target else {
            return Err((self.error)(
                pointer,
                &format!(
                    "`$ref` `{reference}` with sibling keywords does not name a schema in `$defs`"
                ),
            ));
        };
        let mut merged = target.clone();
        for (key, value) in fields {
            if key != "$ref" {
                merged.insert(key.clone(), value.clone());
            }
        }
        Ok(Value::Object(merged))
    }
}

/// A property name as one JSON pointer segment.
fn escape_pointer(segment: &str) -> Cow<'_, str> {
    if segment.contains(['~', '/']) {
        Cow::Owned(segment.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(segment)
    }
}

fn unescape_pointer(segment: &str) -> Cow<'_, str> {
    if segment.contains('~') {
        Cow::Owned(segment.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// A type whose schema strict mode cannot express (see [`strict_schema`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    type_name: String,
    pointer: String,
    message: String,
}

impl SchemaError {
    pub(crate) fn new(type_name: &str, pointer: &str, message: &str) -> Self {
        SchemaError {
            type_name: type_name.to_owned(),
            pointer: pointer.to_owned(),
            message: message.to_owned(),
        }
    }

    /// The schema name of the type.
    pub fn type_name(&self) -> &str {
        &self.type_name
    }

    /// JSON pointer of the offending part of its schema (`""` for the root).
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// What strict mode cannot express there.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "root"
        } else {
            &self.pointer
        };
        write!(
            f,
            "no strict JSON schema for `{}` (at {at}): {}",
            self.type_name, self.message
        )
    }
}

impl std::error::Error for SchemaError {}

/// The model's answer does not parse as the requested type.
#[derive(Debug)]
pub struct ParseError {
    type_name: &'static str,
    text: String,
    source: serde_json::Error,
}

impl ParseError {
    /// The Rust type the answer was parsed as.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// The answer as received.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// What serde found wrong (with line and column).
    pub fn json_error(&self) -> &serde_json::Error {
        &self.source
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the answer does not parse as `{}`: {}",
            self.type_name, self.source
        )
    }
}

impl std::error::Error for ParseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn strict(schema: Value) -> Result<Value, SchemaError> {
        make_strict(schema, "T")
    }

    #[test]
    fn objects_get_all_properties_required_and_no_extras() {
        let out = strict(json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {"a": {"type": "integer", "format": "uint8", "minimum": 0}, "b": {"type": ["string", "null"], "default": null}},
            "required": ["a"]
        }))
        .unwrap();
        assert_eq!(
            out,
            json!({
                "type": "object",
                "properties": {"a": {"type": "integer", "minimum": 0}, "b": {"type": ["string", "null"]}},
                "required": ["a", "b"],
                "additionalProperties": false
            })
        );
    }

    #[test]
    fn supported_string_formats_stay() {
        let out = strict(json!({
            "type": "object",
            "properties": {"at": {"type": "string", "format": "date-time"}, "id": {"type": "string", "format": "uuid"}}
        }))
        .unwrap();
        assert_eq!(out["properties"]["at"]["format"], "date-time");
        assert_eq!(out["properties"]["id"]["format"], "uuid");
    }

    #[test]
    fn refs_with_siblings_are_inlined_and_plain_refs_kept() {
        let out = strict(json!({
            "type": "object",
            "properties": {
                "home": {"$ref": "#/$defs/Address", "description": "where they live"},
                "work": {"$ref": "#/$defs/Address"}
            },
            "$defs": {"Address": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
        }))
        .unwrap();
        assert_eq!(
            out["properties"]["home"],
            json!({
                "type": "object", "description": "where they live",
                "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": false
            })
        );
        assert_eq!(
            out["properties"]["work"],
            json!({"$ref": "#/$defs/Address"})
        );
        assert_eq!(out["$defs"]["Address"]["additionalProperties"], false);
    }

    #[test]
    fn one_of_becomes_any_of_and_single_all_of_is_merged() {
        let out = strict(json!({
            "type": "object",
            "properties": {
                "shape": {"oneOf": [{"type": "object", "properties": {"r": {"type": "number"}}}, {"type": "string", "enum": ["none"]}]},
                "x": {"allOf": [{"type": "string"}], "description": "d"}
            }
        }))
        .unwrap();
        let shape = &out["properties"]["shape"];
        assert!(shape.get("oneOf").is_none());
        assert_eq!(shape["anyOf"][0]["additionalProperties"], false);
        assert_eq!(shape["anyOf"][0]["required"], json!(["r"]));
        assert_eq!(
            out["properties"]["x"],
            json!({"type": "string", "description": "d"})
        );
    }

    #[test]
    fn what_strict_mode_cannot_express_is_an_error_with_a_pointer() {
        let cases = [
            (
                json!({"type": "object", "properties": {"m": {"type": "object", "additionalProperties": {"type": "integer"}}}}),
                "/properties/m",
                "map",
            ),
            (
                json!({"type": "object", "properties": {"v": true}}),
                "/properties/v",
                "any JSON value",
            ),
            (
                json!({"type": "object", "properties": {"v": {}}}),
                "/properties/v",
                "any JSON value",
            ),
            (
                json!({"type": "object", "properties": {"a/b": {"not": {"type": "string"}}}}),
                "/properties/a~1b",
                "`not`",
            ),
            (
                json!({"type": "object", "properties": {"x": {"allOf": [{"type": "string"}, {"minLength": 1}]}}}),
                "/properties/x",
                "allOf",
            ),
            (
                json!({"type": "string", "enum": ["a"]}),
                "",
                "root must be an object",
            ),
            (
                json!({"type": "object", "properties": {"x": {"$ref": "#/$defs/Missing", "description": "d"}}}),
                "/properties/x",
                "does not name",
            ),
        ];
        for (schema, pointer, needle) in cases {
            let err = strict(schema.clone()).unwrap_err();
            assert_eq!(err.pointer(), pointer, "{schema}");
            assert!(err.to_string().contains(needle), "{err}");
            assert!(err.to_string().contains("`T`"), "{err}");
        }
    }

    #[test]
    fn a_cycle_of_refs_with_siblings_is_an_error_not_a_hang() {
        let err = strict(json!({
            "type": "object",
            "properties": {"x": {"$ref": "#/$defs/A", "description": "d"}},
            "$defs": {"A": {"$ref": "#/$defs/A", "title": "again"}}
        }))
        .unwrap_err();
        assert!(err.message().contains("cycle"), "{err}");
    }

    #[test]
    fn names_keep_only_the_characters_the_api_accepts() {
        struct Odd;
        impl JsonSchema for Odd {
            fn schema_name() -> Cow<'static, str> {
                "Wrapper<Ä b>".repeat(10).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({"type": "object"})
            }
        }
        let name = format_name::<Odd>();
        assert_eq!(name.len(), 64);
        assert!(name.starts_with("Wrapper___b_Wrapper"), "{name}");
    }
}
