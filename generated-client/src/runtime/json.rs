//! Free-form JSON that a request sends (a function's parameter schema, a
//! metadata blob, an eval item), made from any `Serialize` value.
//!
//! Converting a `Serialize` value to JSON can fail (a map with non-string
//! keys, a `Serialize` impl that returns an error). The setters that take one
//! stay infallible so builder chains read naturally; the failure is kept and
//! reported when the request is sent, as `reqwest::RequestBuilder::json`
//! does, so it is never lost and never a panic.

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Error as _, Serialize, Serializer};
use serde_json::Value;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A free-form JSON value, built from any `Serialize` value with
/// [`Json::new`] (the generated setters call it) or from a
/// [`serde_json::Value`]. It reads as the `Value` it holds (`Deref`).
///
/// When the conversion failed, the value reads as `null`, [`Json::error`]
/// says why, and sending a request that holds it fails with
/// [`Error::InvalidRequest`](crate::runtime::Error::InvalidRequest) before
/// anything goes on the wire.
#[derive(Clone, PartialEq, Default)]
pub struct Json {
    value: Value,
    error: Option<Arc<str>>,
}

impl Json {
    /// Converts any `Serialize` value (a `serde_json::Value`, a
    /// `json!({...})`, a `HashMap`, your own struct) to JSON.
    pub fn new(value: impl Serialize) -> Self {
        match serde_json::to_value(value) {
            Ok(value) => Self { value, error: None },
            Err(error) => Self {
                value: Value::Null,
                error: Some(error.to_string().into()),
            },
        }
    }

    /// Why the conversion failed, when it did.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The JSON value, or why the conversion failed.
    pub fn into_value(self) -> Result<Value, String> {
        match self.error {
            None => Ok(self.value),
            Some(error) => Err(error.to_string()),
        }
    }
}

impl Deref for Json {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.value
    }
}

impl From<Value> for Json {
    fn from(value: Value) -> Self {
        Self { value, error: None }
    }
}

impl PartialEq<Value> for Json {
    fn eq(&self, other: &Value) -> bool {
        self.error.is_none() && self.value == *other
    }
}

impl fmt::Debug for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error {
            None => fmt::Debug::fmt(&self.value, f),
            Some(error) => f.debug_struct("Json").field("error", error).finish(),
        }
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.error {
            None => self.value.serialize(serializer),
            Some(error) => Err(S::Error::custom(format_args!(
                "a free-form JSON value could not be converted: {error}"
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(serde::Serialize)]
    struct Schema {
        r#type: &'static str,
        required: Vec<&'static str>,
    }

    #[test]
    fn any_serialize_value_converts() {
        let json = Json::new(Schema {
            r#type: "object",
            required: vec!["city"],
        });
        assert_eq!(
            json,
            serde_json::json!({"type": "object", "required": ["city"]})
        );
        assert_eq!(json["type"], "object");
        assert_eq!(json.error(), None);
    }

    #[test]
    fn a_failed_conversion_is_kept_and_fails_serialisation() {
        // serde_json refuses maps whose keys are not strings or numbers.
        let mut map = BTreeMap::new();
        map.insert(vec![1u8], 1);
        let json = Json::new(&map);
        assert!(json.error().is_some_and(|e| e.contains("key must be")));
        assert!(json.is_null());
        assert_ne!(json, Value::Null);
        let err = serde_json::to_vec(&json).unwrap_err().to_string();
        assert!(err.contains("free-form JSON value"), "{err}");
        assert!(format!("{json:?}").contains("error"));
        assert!(json.into_value().is_err());
    }

    #[test]
    fn decodes_and_reencodes_unchanged() {
        let json: Json = serde_json::from_str(r#"{"a":[1,2.5,null]}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&json).unwrap(),
            r#"{"a":[1,2.5,null]}"#
        );
        assert_eq!(format!("{json:?}"), format!("{:?}", *json));
    }
}
