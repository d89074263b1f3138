//! Helpers for the generated `Deserialize` impls of object types.
//!
//! An object is read into a JSON map once and each field is taken out by name.
//! Against `#[derive(Deserialize)]` this writes a few lines per type instead
//! of a field enum, a visitor and a map loop, which is most of what a
//! 3 000-type client costs to compile. Nested fields are decoded from
//! `serde_json::Value`, so a program instantiates the field code for that one
//! deserializer. Error messages name the field.

use serde::de::{DeserializeOwned, Error, Unexpected};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A JSON object being taken apart.
pub type Object = Map<String, Value>;

/// Reads a JSON object; anything else is an `invalid type` error naming `expected`.
pub fn object<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
    expected: &'static str,
) -> Result<Object, D::Error> {
    match <Value as serde::Deserialize>::deserialize(deserializer)? {
        Value::Object(map) => Ok(map),
        other => Err(D::Error::invalid_type(unexpected(&other), &expected)),
    }
}

/// Takes field `key` out of `object`. A missing field reads as `null`, so an
/// `Option` field becomes `None` and any other type reports the field missing.
pub fn field<T: DeserializeOwned, E: Error>(
    object: &mut Object,
    key: &'static str,
) -> Result<T, E> {
    match object.remove(key) {
        Some(value) => {
            T::deserialize(value).map_err(|e| E::custom(format_args!("field `{key}`: {e}")))
        }
        None => T::deserialize(Value::Null).map_err(|_| E::missing_field(key)),
    }
}

/// Reads the whole object as `T` (a flattened part), leaving `object` as it is.
pub fn whole<T: DeserializeOwned, E: Error>(object: &Object) -> Result<T, E> {
    T::deserialize(Value::Object(object.clone())).map_err(E::custom)
}

/// The fields nobody took, as a map of `T` (`additionalProperties`).
pub fn rest<T: DeserializeOwned, E: Error>(object: Object) -> Result<BTreeMap<String, T>, E> {
    object
        .into_iter()
        .map(|(key, value)| {
            T::deserialize(value)
                .map(|v| (key.clone(), v))
                .map_err(|e| E::custom(format_args!("field `{key}`: {e}")))
        })
        .collect()
}

/// `value` read as `T`, or `None` (one attempt of an untagged union). Reads
/// through a reference: a failed attempt must not cost a copy of the value.
pub fn variant<T: DeserializeOwned>(value: &Value) -> Option<T> {
    T::deserialize(value).ok()
}

/// The error when no variant of an untagged union accepts `value`.
pub fn no_variant<E: Error>(value: &Value, expected: &'static str) -> E {
    E::invalid_value(unexpected(value), &expected)
}

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => n
            .as_i64()
            .map(Unexpected::Signed)
            .or_else(|| n.as_f64().map(Unexpected::Float))
            .unwrap_or(Unexpected::Other("number")),
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    type E = serde_json::Error;

    fn obj(v: Value) -> Object {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn missing_optional_is_none_and_missing_required_is_named() {
        let mut o = obj(json!({"a": 1}));
        assert_eq!(field::<Option<i64>, E>(&mut o, "b").unwrap(), None);
        assert_eq!(field::<i64, E>(&mut o, "a").unwrap(), 1);
        assert_eq!(
            field::<i64, E>(&mut o, "c").unwrap_err().to_string(),
            "missing field `c`"
        );
        assert!(o.is_empty(), "taken fields are removed");
    }

    #[test]
    fn wrong_types_name_the_field() {
        let mut o = obj(json!({"n": "x"}));
        let err = field::<i64, E>(&mut o, "n").unwrap_err().to_string();
        assert!(
            err.starts_with("field `n`: invalid type: string \"x\""),
            "{err}"
        );
        let not_object = object(json!([1]), "an object `Thing`")
            .unwrap_err()
            .to_string();
        assert_eq!(
            not_object,
            "invalid type: sequence, expected an object `Thing`"
        );
    }

    #[test]
    fn untagged_attempts() {
        assert_eq!(variant::<i64>(&json!(3)), Some(3));
        assert_eq!(variant::<i64>(&json!("3")), None);
        let e: E = no_variant(&json!(true), "a value matching one variant of `X`");
        assert_eq!(
            e.to_string(),
            "invalid value: boolean `true`, expected a value matching one variant of `X`"
        );
    }

    #[test]
    fn rest_and_whole() {
        let o = obj(json!({"x": 1, "y": 2}));
        assert_eq!(whole::<Value, E>(&o).unwrap(), json!({"x": 1, "y": 2}));
        let r: BTreeMap<String, i64> = rest::<i64, E>(o).unwrap();
        assert_eq!(
            r.into_iter().collect::<Vec<_>>(),
            vec![("x".to_owned(), 1), ("y".to_owned(), 2)]
        );
    }
}
