//! Builds a `serde_json::Value` from any self-describing deserializer (YAML or JSON)
//! while tolerating what real OpenAPI files contain: integers beyond 64 bits and
//! mapping keys that YAML reads as numbers or booleans (`200:` for a status code).
//!
//! It also bounds what a document may cost before anything else looks at it:
//! nesting depth, key length and string length (see [`limits`](super::limits)),
//! and remembers where it was, so an error names the JSON pointer it happened at.

use super::error::escape_token;
use super::limits::{MAX_DEPTH, MAX_KEY_BYTES, MAX_STRING_BYTES};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::RefCell;
use std::fmt;

/// One step of the path from the root to the node being read.
enum Step {
    Key(String),
    Index(usize),
}

/// The path to the node being read. When reading fails it is left as it was
/// at the failure, so it names where the error is.
#[derive(Default)]
pub(crate) struct Path(RefCell<Vec<Step>>);

impl Path {
    /// The JSON pointer of the node being read (after a failure: where it failed).
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        for step in self.0.borrow().iter() {
            out.push('/');
            match step {
                Step::Key(k) => out.push_str(&escape_token(k)),
                Step::Index(i) => out.push_str(&i.to_string()),
            }
        }
        out
    }
}

/// Seed that deserializes any document into a JSON value.
pub(crate) struct AnyValue<'p>(pub &'p Path);

impl<'de> DeserializeSeed<'de> for AnyValue<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor(self.0))
    }
}

struct ValueVisitor<'p>(&'p Path);

impl ValueVisitor<'_> {
    fn enter<E: de::Error>(&self) -> Result<(), E> {
        let depth = self.0 .0.borrow().len();
        if depth >= MAX_DEPTH {
            return Err(E::custom(format!("the document nests deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    /// Checked before the string is copied: an oversized one is never copied.
    fn check_string<E: de::Error>(len: usize) -> Result<(), E> {
        if len > MAX_STRING_BYTES {
            return Err(E::custom(format!("a string of {len} bytes is longer than the limit of {MAX_STRING_BYTES}")));
        }
        Ok(())
    }
}

/// Integers that do not fit in 64 bits become the nearest `f64`; schema
/// normalisation later clamps them where an `i64` is required.
fn wide_int(v: f64) -> Value {
    Number::from_f64(v).map_or(Value::Null, Value::Number)
}

impl<'de> Visitor<'de> for ValueVisitor<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML or JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or_else(|_| wide_int(v as f64), |v| Value::Number(v.into())))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(u64::try_from(v).map_or_else(|_| wide_int(v as f64), |v| Value::Number(v.into())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // YAML allows `.inf` and `.nan`, which JSON cannot hold: keep them as text.
        Ok(Number::from_f64(v).map_or_else(|| Value::String(v.to_string()), Value::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Self::check_string(v.len())?;
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Self::check_string(v.len())?;
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.enter()?;
        let path = self.0;
        // A size hint is what the input claims; it may be a lie, so it is capped.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        path.0.borrow_mut().push(Step::Index(0));
        while let Some(v) = seq.next_element_seed(AnyValue(path))? {
            out.push(v);
            if let Some(Step::Index(i)) = path.0.borrow_mut().last_mut() {
                *i = out.len();
            }
        }
        path.0.borrow_mut().pop();
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.enter()?;
        let path = self.0;
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(AnyValue(path))? {
            let key = match key {
                Value::String(s) => s,
                Value::Null => "null".to_owned(),
                other => other.to_string(),
            };
            if key.len() > MAX_KEY_BYTES {
                return Err(de::Error::custom(format!("a mapping key of {} bytes is longer than the limit of {MAX_KEY_BYTES}", key.len())));
            }
            path.0.borrow_mut().push(Step::Key(key));
            let value = map.next_value_seed(AnyValue(path))?;
            let Some(Step::Key(key)) = path.0.borrow_mut().pop() else { unreachable!("pushed above") };
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}
