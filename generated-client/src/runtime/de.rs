//! Helpers for the generated `Deserialize` impls of object types.
//!
//! An object's members are read in the order they come: the generated impl
//! asks [`Object::next_field`] for each member's declared index and decodes
//! it into its field's local ([`put`] and its siblings), then finishes the
//! required fields ([`or_empty`], [`required`]). Against
//! `#[derive(Deserialize)]` this writes a few lines per type instead of a
//! field enum, a visitor and a map loop, which is most of what a 3 000-type
//! client costs to compile. Error messages name the field.
//!
//! The client decodes responses and events with [`from_slice`], whose
//! deserializer hands each object over as its members' JSON texts (see
//! [`TextDeserializer`]): every field is decoded straight from its text,
//! with no `serde_json::Value` in between. Any other deserializer gives a `Value`
//! (a [`Node::Value`]), read the same way.

use serde::de::{DeserializeOwned, Error, Unexpected};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

mod enums;
mod fields;
mod fit;
mod lenient;
mod object;
pub(crate) mod text;
mod watch;

pub use enums::{read_enum, EnumValues, WireEnum};
pub use fields::*;
pub use fit::*;
pub use lenient::{collect_fills, strict};
pub(crate) use lenient::{fills_noted, forget_fills_after, MAX_FILLS};
pub use object::{Object, Shape};
use text::{ends_scalar, report};
pub use text::{from_slice, from_str, Str, TextDeserializer};
pub(crate) use watch::decode_noting_error_member;

/// One JSON value as a generated impl receives it: its text, when it came
/// through [`TextDeserializer`], or a parsed `Value` from any other
/// deserializer.
#[derive(Debug, Clone)]
pub enum Node<'de> {
    /// The text from the value's first byte to the end of the document
    /// (prefix mode, see [`TextDeserializer`]): whatever reads the value
    /// finds where it ends, and checks it as it reads.
    Text(&'de str),
    /// The value, parsed (boxed: most nodes are texts, kept small).
    Value(Box<Value>),
}

impl<'de> serde::Deserialize<'de> for Node<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> serde::de::Visitor<'de> for NodeVisitor {
            type Value = Node<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            // Only `TextDeserializer` answers the token with the text.
            fn visit_borrowed_str<E: Error>(self, text: &'de str) -> Result<Node<'de>, E> {
                Ok(Node::Text(text))
            }
            fn visit_newtype_struct<D: serde::Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Node<'de>, D::Error> {
                <Value as serde::Deserialize>::deserialize(deserializer)
                    .map(|v| Node::Value(Box::new(v)))
            }
        }
        deserializer.deserialize_newtype_struct(text::RAW_TOKEN, NodeVisitor)
    }
}

impl<'de> Node<'de> {
    /// Decodes the value as `T`, always through [`TextDeserializer`] (a
    /// `Value` is written out as text first).
    pub fn decode<T: DeserializeOwned, E: Error>(self) -> Result<T, E> {
        match decode_text::<T>(&self.text()) {
            Ok(value) => Ok(value),
            Err(e) => Err(E::custom(message(&e))),
        }
    }

    /// The value's text, in prefix mode (a `Value` is written out).
    fn text(&self) -> Cow<'de, str> {
        match self {
            Node::Text(text) => Cow::Borrowed(text),
            Node::Value(value) => Cow::Owned(value.to_string()),
        }
    }

    /// The value as a `serde_json::Value` (parsing its text).
    pub fn into_value<E: Error>(self) -> Result<Value, E> {
        match self {
            Node::Text(text) if text.starts_with('"') => {
                // A string (an undeclared member is mostly one) without
                // serde_json set up for it: 565 instructions each.
                let (string, len) = text::string_at(text).map_err(E::custom)?;
                if !ends_scalar(text.as_bytes().get(len).copied()) {
                    return Err(E::custom("trailing characters"));
                }
                report(text, len);
                Ok(Value::String(string.into_owned()))
            }
            Node::Text(text) => {
                // One value from the start of the text, and where it ended.
                let mut values = serde_json::Deserializer::from_str(text).into_iter::<Value>();
                let value = values.next().unwrap_or_else(|| {
                    Err(serde::de::Error::custom("expected a value, found the end"))
                });
                let len = values.byte_offset();
                // serde_json stops after `true` in `true"`: what follows must
                // end the value, as it does for every other reader.
                if !ends_scalar(text.as_bytes().get(len).copied()) {
                    return Err(E::custom("trailing characters"));
                }
                report(text, len);
                value.map_err(E::custom)
            }
            Node::Value(value) => Ok(*value),
        }
    }

    /// The string under key `key` when the value is an object (a tagged
    /// union's tag); `None` for anything else.
    pub fn tag(&self, key: &str) -> Result<Option<Cow<'de, str>>, Failure> {
        match self {
            Node::Text(text) => text::string_member(text, key),
            Node::Value(value) => Ok(value
                .get(key)
                .and_then(Value::as_str)
                .map(|tag| Cow::Owned(tag.to_owned()))),
        }
    }
}

/// Decodes `T` from the text of one JSON value. Every value is decoded
/// through [`TextDeserializer`] (one from another deserializer is written out
/// as text first), so each type's `Deserialize` impl is compiled for that one
/// deserializer: a second one would double the client's generated machine
/// code. The helpers around it are written to add as few generic functions
/// per type as they can (no closures, non-generic bookkeeping), for the same
/// reason.
fn decode_text<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    T::deserialize(TextDeserializer::value(text))
}

/// The error of the readers a generated impl is made of: serde_json's, the
/// error of [`TextDeserializer`], through which every value is decoded. It
/// reaches the caller's deserializer as a `custom` error with the same
/// message.
pub type Failure = serde_json::Error;

/// Reads an object of the type `shape` describes, with `read`, the generated
/// impl's reader of its fields.
///
/// The readers are ordinary functions, not generic over the deserializer:
/// rustc type-checks each once against one error type, where a body generic
/// over `D` proves `D::Error` conversions at every `?` (3,400 such bodies were
/// the largest part of the client's type and borrow checking). Generated
/// readers are `#[inline]`, so a type nobody decodes costs no machine code.
pub fn read_object<'de, D, T, F>(
    deserializer: D,
    shape: &'static Shape,
    read: F,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    F: FnOnce(&mut Object<'de>) -> Result<T, Failure>,
{
    let _level = text::Level::enter().map_err(lift)?;
    let mut object = Object::new(shape);
    object.open(deserializer)?;
    read(&mut object).map_err(lift)
}

/// Reads one value as a [`Node`] and hands it to `read`, the generated
/// impl's reader (a union's: see [`read_object`]).
pub fn read_node<'de, D, T, F>(deserializer: D, read: F) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    F: FnOnce(Node<'de>) -> Result<T, Failure>,
{
    let _level = text::Level::enter().map_err(lift)?;
    let node = <Node<'de> as serde::Deserialize>::deserialize(deserializer)?;
    read(node).map_err(lift)
}

/// A reader's error as the deserializer's (the same message), made out of
/// line: it is on the error path of every generated impl.
#[cold]
#[inline(never)]
fn lift<E: Error>(error: Failure) -> E {
    E::custom(error)
}

/// The error of field `key` that did not decode.
#[cold]
#[inline(never)]
fn field_error<E: Error>(key: &str, error: &serde_json::Error) -> E {
    E::custom(format_args!("field `{key}`: {}", message(error)))
}

/// A serde_json error's message without its position: a field's text is
/// decoded on its own, so a line and column would point into that text.
fn message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    if error.line() == 0 {
        return text;
    }
    let position = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&position) {
        Some(bare) => bare.to_owned(),
        None => text,
    }
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
mod tests;
