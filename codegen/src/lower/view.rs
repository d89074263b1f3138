//! Read-only helpers over a schema held as a JSON value (the normalised
//! document), so lowering code reads like the spec: `s.ty()`, `s.enum_values()`.

use serde_json::{Map, Value};

/// A schema object; a non-object schema reads as the empty schema.
#[derive(Clone, Copy)]
pub struct View<'a>(pub &'a Map<String, Value>);

static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();

impl<'a> View<'a> {
    pub fn of(v: &'a Value) -> View<'a> {
        match v {
            Value::Object(m) => View(m),
            _ => View(EMPTY.get_or_init(Map::new)),
        }
    }
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key)
    }
    pub fn str(&self, key: &str) -> Option<&'a str> {
        self.0.get(key).and_then(Value::as_str)
    }
    pub fn reference(&self) -> Option<&'a str> {
        self.str("$ref")
    }
    pub fn ty(&self) -> Option<&'a str> {
        self.str("type")
    }
    pub fn format(&self) -> Option<&'a str> {
        self.str("format")
    }
    pub fn nullable(&self) -> bool {
        self.0.get("nullable").and_then(Value::as_bool).unwrap_or(false)
    }
    pub fn deprecated(&self) -> bool {
        self.0.get("deprecated").and_then(Value::as_bool).unwrap_or(false)
    }
    pub fn doc(&self) -> Option<String> {
        let d = self.str("description").or_else(|| self.str("title"))?.trim();
        (!d.is_empty()).then(|| d.to_owned())
    }
    pub fn list(&self, key: &str) -> &'a [Value] {
        self.0.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
    }
    pub fn enum_values(&self) -> Option<&'a [Value]> {
        self.0.get("enum").and_then(Value::as_array).map(Vec::as_slice)
    }
    pub fn properties(&self) -> Option<&'a Map<String, Value>> {
        self.0.get("properties").and_then(Value::as_object)
    }
    pub fn required(&self) -> impl Iterator<Item = &'a str> {
        self.list("required").iter().filter_map(Value::as_str)
    }
    pub fn is_required(&self, name: &str) -> bool {
        self.required().any(|r| r == name)
    }
    /// `additionalProperties` as a schema: `true` and `{}` read as "any value".
    pub fn additional(&self) -> Additional<'a> {
        match self.0.get("additionalProperties") {
            None | Some(Value::Bool(false)) | Some(Value::Null) => Additional::None,
            Some(Value::Bool(true)) => Additional::Any,
            Some(Value::Object(m)) if m.is_empty() => Additional::Any,
            Some(v) => Additional::Schema(v),
        }
    }
    pub fn has_combinator(&self) -> bool {
        ["oneOf", "anyOf", "allOf"].iter().any(|k| self.0.contains_key(*k))
    }
    /// Has `oneOf` or `anyOf` branches.
    pub fn is_union(&self) -> bool {
        !self.list("oneOf").is_empty() || !self.list("anyOf").is_empty()
    }
    /// Looks like an object schema.
    pub fn is_object(&self) -> bool {
        self.ty() == Some("object") || (self.ty().is_none() && (self.0.contains_key("properties") || self.0.contains_key("additionalProperties")))
    }
}

/// What `additionalProperties` allows.
pub enum Additional<'a> {
    /// Not given or `false`.
    None,
    /// `true` or `{}`.
    Any,
    /// A schema for the values.
    Schema(&'a Value),
}
