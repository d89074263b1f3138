//! Facts about the values of a field or parameter (default, bounds, format,
//! allowed values), read from its schema for the documentation.

use super::view::View;
use crate::ir::FieldFacts;
use serde_json::Value;

/// Key `lower` puts on a property schema the config lists in `base64_floats`.
pub const BASE64_FLOAT32_MARK: &str = "x-codegen-base64-float32";

/// The facts of a property or parameter schema. Normalising leaves some fields
/// as a wrapper around one inline schema (`anyOf: [{type: string, maxLength: 8}, null]`
/// keeps the bound inside), so single inline branches are looked through; the
/// outer schema wins where both say something. `$ref`s are not followed: a named
/// type documents its own facts.
pub fn field_facts(schema: &Value) -> FieldFacts {
    // `base64_float32` is set by `lower` from the config's `base64_floats` on the property schema itself.
    let mut facts = FieldFacts { base64_float32: schema.get(BASE64_FLOAT32_MARK) == Some(&Value::Bool(true)), ..FieldFacts::default() };
    let mut current = Some(schema);
    // Depth-limited: normalised wrappers nest a level or two, never deeper.
    for _ in 0..8 {
        let Some(s) = current.take() else { break };
        let view = View::of(s);
        fill(&mut facts, view);
        current = ["allOf", "anyOf", "oneOf"].iter().find_map(|key| match view.list(key) {
            [only] if View::of(only).reference().is_none() => Some(only),
            _ => None,
        });
    }
    facts
}

/// Sets the facts `view` states that `facts` does not have yet.
fn fill(facts: &mut FieldFacts, view: View) {
    let json = |key: &str| view.get(key).map(Value::to_string);
    let count = |key: &str| view.get(key).and_then(Value::as_u64);
    if facts.default.is_none() {
        facts.default = json("default");
    }
    // Normalised documents state exclusive bounds as `minimum` plus `exclusiveMinimum: true`.
    if facts.minimum.is_none() {
        facts.minimum = json("minimum").filter(|_| view.get("minimum").is_some_and(Value::is_number));
        facts.exclusive_minimum = facts.minimum.is_some() && view.get("exclusiveMinimum") == Some(&Value::Bool(true));
    }
    if facts.maximum.is_none() {
        facts.maximum = json("maximum").filter(|_| view.get("maximum").is_some_and(Value::is_number));
        facts.exclusive_maximum = facts.maximum.is_some() && view.get("exclusiveMaximum") == Some(&Value::Bool(true));
    }
    facts.min_length = facts.min_length.or_else(|| count("minLength"));
    facts.max_length = facts.max_length.or_else(|| count("maxLength"));
    facts.min_items = facts.min_items.or_else(|| count("minItems"));
    facts.max_items = facts.max_items.or_else(|| count("maxItems"));
    if facts.format.is_none() {
        facts.format = view.format().map(str::to_owned);
    }
    if facts.allowed.is_empty() {
        // `null` in an enum is nullability, which the field states on its own.
        facts.allowed = view.enum_values().unwrap_or(&[]).iter().filter(|v| !v.is_null()).map(Value::to_string).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::field_facts;
    use serde_json::json;

    #[test]
    fn reads_bounds_defaults_and_looks_through_wrappers() {
        let f = field_facts(&json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "default": 3, "format": "int32"}));
        assert_eq!((f.minimum.as_deref(), f.exclusive_minimum, f.maximum.as_deref(), f.exclusive_maximum), (Some("0"), true, Some("10"), false));
        assert_eq!((f.default.as_deref(), f.format.as_deref()), (Some("3"), Some("int32")));
        let f = field_facts(&json!({"nullable": true, "default": "a", "allOf": [{"type": "string", "enum": ["a", "b", null], "maxLength": 4, "default": "b"}]}));
        assert_eq!(f.default.as_deref(), Some("\"a\""), "the outer schema wins");
        assert_eq!((f.allowed.clone(), f.max_length), (vec!["\"a\"".to_owned(), "\"b\"".to_owned()], Some(4)));
        let f = field_facts(&json!({"allOf": [{"$ref": "#/components/schemas/X"}], "default": {"a": 1}}));
        assert_eq!((f.default.as_deref(), f.allowed.len()), (Some(r#"{"a":1}"#), 0));
    }
}
