//! Rewrites an OpenAPI 3.1 document (and the quirks of real 3.0 files) into the
//! OpenAPI 3.0 shape that `openapiv3` reads, without changing its meaning:
//!
//! - `type: [T, "null"]`, and `anyOf`/`oneOf` with a `{type: "null"}` branch, become
//!   `nullable: true` (a single remaining `$ref` branch becomes `allOf: [$ref]`);
//! - `const: X` becomes `enum: [X]`;
//! - numeric `exclusiveMinimum`/`exclusiveMaximum` become bound plus flag;
//! - `$ref` with sibling keywords becomes `allOf: [$ref]` plus the siblings, so
//!   the siblings are not lost (prose-only siblings are dropped);
//! - `null`, `true` and `false` where a schema is expected become `{}` / `{not: {}}`
//!   with a warning;
//! - integer bounds outside `i64` are clamped with a warning;
//! - a `type` beside `oneOf`/`anyOf`/`allOf` is folded into an `allOf` so that
//!   neither part is dropped by the reader;
//! - prose (`description`, `summary`, `title`) that is not a string, such as a
//!   `description: {$ref: ...}` seen in a real file, is dropped with a warning
//!   at its exact pointer instead of failing the whole document;
//! - the prose `openapiv3` insists on (a response's `description`, `info.title`)
//!   is added, empty, where a facts-only spec has none.

use super::error::child;
use crate::ir::Warning;
use serde_json::{json, Map, Value};

/// Keys of a schema that are documentation only.
const PROSE: &[&str] = &["description", "summary", "title", "example", "examples", "externalDocs", "deprecated"];

/// Keys that modify a schema without giving it a shape.
const MODIFIERS: &[&str] = &["nullable", "default", "readOnly", "writeOnly"];

const COMBINATORS: &[&str] = &["oneOf", "anyOf", "allOf"];

pub(crate) struct Normalizer<'w> {
    pub warnings: &'w mut Vec<Warning>,
    /// The first place the document goes past a [`limits`](super::limits) fan-out or name limit.
    pub over_limit: &'w mut Option<(String, String)>,
}

impl Normalizer<'_> {
    fn warn(&mut self, pointer: &str, message: String) {
        self.warnings.push(Warning { pointer: pointer.to_owned(), message });
    }

    fn over(&mut self, pointer: String, reason: String) {
        self.over_limit.get_or_insert((pointer, reason));
    }

    /// Drops `description`, `summary` and `title` of `obj` when they are not strings:
    /// they are documentation only, and one of the wrong type must not make the
    /// whole document unreadable.
    fn prose_types(&mut self, obj: &mut Map<String, Value>, pointer: &str) {
        for key in ["description", "summary", "title"] {
            if let Some(v) = obj.get(key).filter(|v| !v.is_string()) {
                let found = kind_of(v);
                self.warn(&child(pointer, key), format!("`{key}` must be a string, found {found}; ignored"));
                obj.remove(key);
            }
        }
    }

    /// Counts and name lengths of one schema against the limits.
    fn check_limits(&mut self, obj: &Map<String, Value>, pointer: &str) {
        use super::limits::{MAX_BRANCHES, MAX_ENUM_VALUES, MAX_NAME_BYTES, MAX_PROPERTIES};
        if let Some(n) = obj.get("properties").and_then(Value::as_object).map(Map::len).filter(|n| *n > MAX_PROPERTIES) {
            self.over(child(pointer, "properties"), format!("an object with {n} properties; the limit is {MAX_PROPERTIES}"));
        }
        for key in COMBINATORS {
            if let Some(n) = obj.get(*key).and_then(Value::as_array).map(Vec::len).filter(|n| *n > MAX_BRANCHES) {
                self.over(child(pointer, key), format!("`{key}` with {n} branches; the limit is {MAX_BRANCHES}"));
            }
        }
        if let Some(values) = obj.get("enum").and_then(Value::as_array) {
            if values.len() > MAX_ENUM_VALUES {
                self.over(child(pointer, "enum"), format!("an enum with {} values; the limit is {MAX_ENUM_VALUES}", values.len()));
            }
            if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| v.as_str().is_some_and(|s| s.len() > MAX_NAME_BYTES)) {
                let len = v.as_str().map_or(0, str::len);
                self.over(child(&child(pointer, "enum"), &i.to_string()), format!("an enum value of {len} bytes becomes a Rust name; the limit is {MAX_NAME_BYTES} bytes"));
            }
        }
    }

    /// Strings of an operation that become Rust names.
    fn check_operation_names(&mut self, op: &Map<String, Value>, pointer: &str) {
        use super::limits::MAX_NAME_BYTES;
        if let Some(id) = op.get("operationId").and_then(Value::as_str).filter(|s| s.len() > MAX_NAME_BYTES) {
            self.over(child(pointer, "operationId"), format!("an operationId of {} bytes; the limit is {MAX_NAME_BYTES}", id.len()));
        }
        if let Some((i, tag)) = op.get("tags").and_then(Value::as_array).into_iter().flatten().enumerate().find(|(_, t)| t.as_str().is_some_and(|s| s.len() > MAX_NAME_BYTES)) {
            self.over(child(&child(pointer, "tags"), &i.to_string()), format!("a tag of {} bytes; the limit is {MAX_NAME_BYTES}", tag.as_str().map_or(0, str::len)));
        }
    }

    /// Normalises every schema position of the document.
    pub fn document(&mut self, doc: &mut Value) {
        if let Some(v) = doc.get_mut("openapi") {
            // `openapiv3` checks nothing about the version; we keep the original in `SpecInfo`.
            *v = Value::String("3.0.3".to_owned());
        }
        if let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) {
            self.prose_types(info, "/info");
            // Also required by `openapiv3`, and also prose a facts-only copy may drop.
            info.entry("title").or_insert_with(|| Value::String(String::new()));
        }
        if let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut) {
            if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
                for (name, schema) in schemas.iter_mut() {
                    let pointer = child("/components/schemas", name);
                    self.schema(schema, &pointer);
                    self.self_references(schema, &pointer);
                }
            }
            for (section, kind) in [("parameters", Holder::Parameter), ("requestBodies", Holder::Body), ("responses", Holder::Response), ("headers", Holder::Parameter)] {
                if let Some(items) = components.get_mut(section).and_then(Value::as_object_mut) {
                    let base = child("/components", section);
                    for (name, item) in items.iter_mut() {
                        self.holder(item, &child(&base, name), kind);
                    }
                }
            }
        }
        if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
            for (path, item) in paths.iter_mut() {
                let pp = child("/paths", path);
                let Some(item) = item.as_object_mut() else { continue };
                self.prose_types(item, &pp);
                for (key, op) in item.iter_mut() {
                    let op_ptr = child(&pp, key);
                    if key == "parameters" {
                        self.parameter_list(op, &op_ptr);
                        continue;
                    }
                    let Some(op) = op.as_object_mut() else { continue };
                    self.prose_types(op, &op_ptr);
                    self.check_operation_names(op, &op_ptr);
                    if let Some(params) = op.get_mut("parameters") {
                        self.parameter_list(params, &child(&op_ptr, "parameters"));
                    }
                    if let Some(body) = op.get_mut("requestBody") {
                        self.holder(body, &child(&op_ptr, "requestBody"), Holder::Body);
                    }
                    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                        for (status, resp) in responses.iter_mut() {
                            self.holder(resp, &child(&child(&op_ptr, "responses"), status), Holder::Response);
                        }
                    }
                }
            }
        }
    }

    fn parameter_list(&mut self, list: &mut Value, pointer: &str) {
        if let Some(list) = list.as_array_mut() {
            for (i, p) in list.iter_mut().enumerate() {
                self.holder(p, &child(pointer, &i.to_string()), Holder::Parameter);
            }
        }
    }

    /// A parameter, header, request body or response: schemas sit under `schema`
    /// and under `content/*/schema`; responses also have `headers`.
    fn holder(&mut self, item: &mut Value, pointer: &str, kind: Holder) {
        let Some(obj) = item.as_object_mut() else { return };
        if obj.contains_key("$ref") {
            obj.retain(|k, _| k == "$ref");
            return;
        }
        self.prose_types(obj, pointer);
        if kind == Holder::Response && !obj.contains_key("description") {
            // Prose that `openapiv3` requires; facts-only copies of a spec leave it out.
            obj.insert("description".to_owned(), Value::String(String::new()));
        }
        if let Some(schema) = obj.get_mut("schema") {
            self.schema(schema, &child(pointer, "schema"));
        }
        if let Some(content) = obj.get_mut("content").and_then(Value::as_object_mut) {
            for (media, m) in content.iter_mut() {
                let mp = child(&child(pointer, "content"), media);
                if let Some(m) = m.as_object_mut() {
                    m.remove("examples");
                    m.remove("example");
                    if let Some(schema) = m.get_mut("schema") {
                        self.schema(schema, &child(&mp, "schema"));
                    }
                }
            }
        }
        if kind == Holder::Response {
            if let Some(headers) = obj.get_mut("headers").and_then(Value::as_object_mut) {
                for (name, h) in headers.iter_mut() {
                    self.holder(h, &child(&child(pointer, "headers"), name), Holder::Parameter);
                }
            }
        }
        if kind == Holder::Parameter {
            obj.remove("examples");
            obj.remove("example");
        }
    }

    /// Normalises one schema in place, children first.
    pub fn schema(&mut self, schema: &mut Value, pointer: &str) {
        match schema {
            Value::Object(_) => {}
            Value::Null | Value::Bool(true) => {
                if schema.is_null() {
                    self.warn(pointer, "null where a schema is expected; read as any value".to_owned());
                }
                *schema = json!({});
                return;
            }
            Value::Bool(false) => {
                *schema = json!({"not": {}});
                return;
            }
            _ => {
                let found = kind_of(schema);
                self.warn(pointer, format!("a schema must be an object, found {found}; read as any value"));
                *schema = json!({});
                return;
            }
        }
        let obj = schema.as_object_mut().expect("checked above");
        self.prose_types(obj, pointer);
        self.check_limits(obj, pointer);
        obj.remove("examples");
        obj.remove("$schema");
        obj.remove("$id");

        // Children first, so a parent sees normalised branches.
        if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
            for (name, p) in props.iter_mut() {
                self.schema(p, &child(&child(pointer, "properties"), name));
            }
        }
        if let Some(items) = obj.get_mut("items") {
            if items.is_array() {
                self.warn(&child(pointer, "items"), "tuple `items` is not supported; items read as any value".to_owned());
                *items = json!({});
            } else {
                self.schema(items, &child(pointer, "items"));
            }
        }
        if obj.contains_key("prefixItems") {
            self.warn(&child(pointer, "prefixItems"), "`prefixItems` is not supported; items read as any value".to_owned());
            obj.remove("prefixItems");
        }
        if let Some(ap) = obj.get_mut("additionalProperties") {
            if ap.is_object() || ap.is_null() {
                self.schema(ap, &child(pointer, "additionalProperties"));
            }
        }
        if let Some(not) = obj.get_mut("not") {
            self.schema(not, &child(pointer, "not"));
        }
        for key in COMBINATORS {
            if let Some(list) = obj.get_mut(*key).and_then(Value::as_array_mut) {
                for (i, s) in list.iter_mut().enumerate() {
                    self.schema(s, &child(&child(pointer, key), &i.to_string()));
                }
            }
        }

        self.modifier_parts(obj);
        self.reference_siblings(obj);
        self.type_list(obj);
        self.null_branches(obj);
        if let Some(c) = obj.remove("const") {
            if !obj.contains_key("type") {
                if let Some(t) = json_type(&c) {
                    obj.insert("type".to_owned(), Value::String(t.to_owned()));
                }
            }
            obj.insert("enum".to_owned(), Value::Array(vec![c]));
        }
        for (exclusive, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
            if let Some(v) = obj.get(exclusive).filter(|v| v.is_number()).cloned() {
                obj.insert(bound.to_owned(), v);
                obj.insert(exclusive.to_owned(), Value::Bool(true));
            }
        }
        if obj.get("type").and_then(Value::as_str) == Some("integer") {
            for key in ["minimum", "maximum", "multipleOf"] {
                if let Some(v) = obj.get_mut(key) {
                    if let Some(f) = v.as_f64().filter(|_| !v.is_i64() && !v.is_u64()) {
                        let clamped = f.clamp(i64::MIN as f64, i64::MAX as f64) as i64;
                        if f.fract() != 0.0 || f < i64::MIN as f64 || f > i64::MAX as f64 {
                            self.warn(&child(pointer, key), format!("integer bound {f} does not fit in i64; read as {clamped}"));
                        }
                        *v = Value::from(clamped);
                    } else if let Some(u) = v.as_u64().filter(|u| *u > i64::MAX as u64) {
                        self.warn(&child(pointer, key), format!("integer bound {u} does not fit in i64; read as {}", i64::MAX));
                        *v = Value::from(i64::MAX);
                    }
                }
            }
        }
        if obj.get("type").and_then(Value::as_str) == Some("string") {
            if let Some(list) = obj.get_mut("enum").and_then(Value::as_array_mut) {
                for v in list.iter_mut() {
                    if !(v.is_string() || v.is_null()) {
                        let text = v.to_string();
                        self.warnings.push(Warning { pointer: child(pointer, "enum"), message: format!("enum value {text} of a string schema read as the string \"{text}\"") });
                        *v = Value::String(text);
                    }
                }
            }
            if obj.get("contentEncoding").and_then(Value::as_str) == Some("base64") && !obj.contains_key("format") {
                obj.insert("format".to_owned(), Value::String("byte".to_owned()));
            } else if obj.contains_key("contentMediaType") && !obj.contains_key("format") {
                obj.insert("format".to_owned(), Value::String("binary".to_owned()));
            }
        }
        self.type_beside_combinator(obj);
    }

    /// A component whose `oneOf`, `anyOf` or `allOf` lists the component itself:
    /// that branch adds nothing (a value of the schema is already one of it) and
    /// would make a type that contains itself, so it is dropped.
    fn self_references(&mut self, schema: &mut Value, pointer: &str) {
        let own = format!("#{pointer}");
        let Some(obj) = schema.as_object_mut() else { return };
        for key in COMBINATORS {
            let Some(Value::Array(list)) = obj.get_mut(*key) else { continue };
            let before = list.len();
            list.retain(|b| b.get("$ref").and_then(Value::as_str) != Some(own.as_str()) || b.as_object().is_some_and(|o| o.len() > 1));
            if list.len() != before {
                self.warn(&child(pointer, key), format!("{} branch(es) referring to the schema itself dropped: they add nothing", before - list.len()));
                if list.is_empty() {
                    obj.remove(*key);
                }
            }
        }
    }

    /// `allOf: [{$ref: X}, {nullable: true, description: ...}]`: a part that only
    /// modifies (nullable, default, docs) belongs to the schema itself.
    fn modifier_parts(&mut self, obj: &mut Map<String, Value>) {
        let Some(Value::Array(parts)) = obj.get_mut("allOf") else { return };
        let is_modifier = |p: &Value| p.as_object().is_some_and(|o| !o.is_empty() && o.keys().all(|k| MODIFIERS.contains(&k.as_str()) || PROSE.contains(&k.as_str()) || k.starts_with("x-")));
        if parts.len() < 2 || !parts.iter().any(is_modifier) || parts.iter().all(is_modifier) {
            return;
        }
        let (modifiers, rest): (Vec<Value>, Vec<Value>) = std::mem::take(parts).into_iter().partition(is_modifier);
        *parts = rest;
        for m in modifiers {
            for (k, v) in m.as_object().expect("modifier parts are objects").clone() {
                if k == "nullable" {
                    if v == Value::Bool(true) {
                        obj.insert(k, v);
                    }
                } else {
                    obj.entry(k).or_insert(v);
                }
            }
        }
    }

    /// `$ref` with siblings: in 3.0 siblings are ignored, in 3.1 they apply. We
    /// keep the structural ones by wrapping the reference in `allOf`.
    fn reference_siblings(&mut self, obj: &mut Map<String, Value>) {
        if !obj.contains_key("$ref") || obj.len() == 1 {
            return;
        }
        let structural: Vec<String> = obj.keys().filter(|k| *k != "$ref" && !PROSE.contains(&k.as_str()) && !k.starts_with("x-")).cloned().collect();
        let reference = obj.remove("$ref").expect("checked above");
        if structural.is_empty() {
            // Only prose beside the reference: keep the documentation for the field doc.
            let keep: Map<String, Value> = obj.iter().filter(|(k, _)| *k == "description" || *k == "deprecated").map(|(k, v)| (k.clone(), v.clone())).collect();
            obj.clear();
            obj.insert("$ref".to_owned(), reference);
            if !keep.is_empty() {
                // `openapiv3` reads a `$ref` object as a bare reference; siblings survive only in the raw document.
                obj.extend(keep);
            }
            return;
        }
        let mut all_of = vec![json!({ "$ref": reference })];
        if let Some(Value::Array(existing)) = obj.remove("allOf") {
            all_of.extend(existing);
        }
        obj.insert("allOf".to_owned(), Value::Array(all_of));
    }

    /// `type: [T, "null"]` → `type: T, nullable: true`; several non-null types become an `anyOf`.
    fn type_list(&mut self, obj: &mut Map<String, Value>) {
        let Some(Value::Array(types)) = obj.get("type") else {
            if obj.get("type").and_then(Value::as_str) == Some("null") {
                obj.remove("type");
                obj.insert("nullable".to_owned(), Value::Bool(true));
                obj.insert("enum".to_owned(), json!([null]));
            }
            return;
        };
        let nullable = types.iter().any(|t| t == "null");
        let rest: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        obj.remove("type");
        if nullable {
            obj.insert("nullable".to_owned(), Value::Bool(true));
        }
        match rest.len() {
            0 => {
                obj.insert("enum".to_owned(), json!([null]));
            }
            1 => {
                obj.insert("type".to_owned(), rest[0].clone());
            }
            _ => {
                let branches: Vec<Value> = rest.into_iter().map(|t| json!({ "type": t })).collect();
                obj.insert("anyOf".to_owned(), Value::Array(branches));
            }
        }
    }

    /// Drops `{type: null}` branches of `anyOf`/`oneOf` and marks the schema nullable.
    fn null_branches(&mut self, obj: &mut Map<String, Value>) {
        for key in ["anyOf", "oneOf"] {
            let Some(Value::Array(list)) = obj.get_mut(key) else { continue };
            let before = list.len();
            list.retain(|b| !is_null_schema(b));
            if list.len() == before {
                continue;
            }
            obj.insert("nullable".to_owned(), Value::Bool(true));
            let Some(Value::Array(list)) = obj.get(key) else { continue };
            if list.len() == 1 {
                let only = list[0].clone();
                obj.remove(key);
                let plain = only.as_object().is_some_and(|o| !o.contains_key("$ref"));
                let outer_is_bare = obj.keys().all(|k| k == "nullable" || PROSE.contains(&k.as_str()) || k.starts_with("x-") || k == "default");
                if plain && outer_is_bare {
                    // Inline the single branch: `anyOf: [{type: string}, {type: null}]` is a nullable string.
                    for (k, v) in only.as_object().expect("checked").clone() {
                        if k == "description" && obj.contains_key("description") {
                            continue;
                        }
                        obj.entry(k).or_insert(v);
                    }
                } else {
                    let mut all_of = vec![only];
                    if let Some(Value::Array(existing)) = obj.remove("allOf") {
                        all_of.extend(existing);
                    }
                    obj.insert("allOf".to_owned(), Value::Array(all_of));
                }
            } else if list.is_empty() {
                obj.remove(key);
                obj.insert("enum".to_owned(), json!([null]));
            }
        }
    }

    /// `openapiv3` reads a schema with `type` as a typed schema and ignores any
    /// `oneOf`/`anyOf`/`allOf` beside it; fold both into one `allOf` instead.
    fn type_beside_combinator(&mut self, obj: &mut Map<String, Value>) {
        let combinators: Vec<&str> = COMBINATORS.iter().copied().filter(|k| obj.contains_key(*k)).collect();
        if combinators.is_empty() {
            return;
        }
        let typed_keys = ["type", "properties", "items", "additionalProperties", "required", "enum", "format"];
        let has_typed = typed_keys.iter().any(|k| obj.contains_key(*k));
        if !has_typed && combinators.len() == 1 {
            return;
        }
        let only_type = obj.keys().filter(|k| typed_keys.contains(&k.as_str())).all(|k| k == "type");
        if only_type && combinators.len() == 1 {
            // `type: object` beside `oneOf` of objects adds nothing the branches do not say.
            obj.remove("type");
            return;
        }
        let mut typed = Map::new();
        for k in typed_keys {
            if let Some(v) = obj.remove(k) {
                typed.insert(k.to_owned(), v);
            }
        }
        let mut all_of: Vec<Value> = match obj.remove("allOf") {
            Some(Value::Array(list)) => list,
            _ => Vec::new(),
        };
        for key in ["oneOf", "anyOf"] {
            if let Some(list) = obj.remove(key) {
                all_of.push(json!({ key: list }));
            }
        }
        if !typed.is_empty() {
            all_of.push(Value::Object(typed));
        }
        obj.insert("allOf".to_owned(), Value::Array(all_of));
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Holder {
    Parameter,
    Body,
    Response,
}

fn is_null_schema(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return v.is_null() };
    let meaningful: Vec<&String> = o.keys().filter(|k| !PROSE.contains(&k.as_str()) && !k.starts_with("x-")).collect();
    let null_type = o.get("type").is_some_and(|t| t == "null" || t == &json!(["null"]));
    let null_enum = o.get("enum") == Some(&json!([null])) && o.get("nullable") == Some(&Value::Bool(true));
    (null_type && meaningful.len() == 1) || (null_enum && meaningful.len() == 2)
}

fn json_type(v: &Value) -> Option<&'static str> {
    match v {
        Value::String(_) => Some("string"),
        Value::Bool(_) => Some("boolean"),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
        Value::Number(_) => Some("number"),
        _ => None,
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
