//! Decoding straight from JSON text, without a `serde_json::Value` tree.
//!
//! [`TextDeserializer`] holds the text of one JSON value. Asked for an object
//! or an array, it splits the text into its members' texts and hands each
//! member on as another `TextDeserializer`; scalars are read by serde_json
//! itself. The generated `Deserialize` impls ask any deserializer
//! for the raw text of their value ([`RAW_TOKEN`]): this one answers with it,
//! so an object's fields arrive as texts and each is decoded once, straight
//! into the field's type (a string is allocated once, in the field that keeps
//! it). Every other deserializer (`serde_json::Value`, serde's buffering for
//! flattened or untagged user types, other formats) knows nothing of the
//! token and the impls read a `Value` instead.
//!
//! The whole text is checked once, at the top ([`from_str`]), by serde_json
//! (syntax, trailing characters, its recursion limit), with positions in
//! the whole document. Splitting then trusts the syntax: it only finds where
//! each member ends ([`scan`]: strings eight bytes at a time, containers by
//! counting brackets), one member at a time as it is read. Each nesting level
//! scans its text once more, which is far cheaper than allocating a tree.

use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{
    DeserializeOwned, DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor,
};
use serde_json::Error;
use std::borrow::Cow;
use std::fmt;

mod scan;
pub(crate) use scan::Members;

/// The name of the newtype the generated impls ask for: a deserializer that
/// knows it answers `visit_borrowed_str` with the value's raw JSON text.
pub const RAW_TOKEN: &str = "$openai_client::de::raw_json_text";

/// Decodes `T` from a JSON document in `bytes`.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::custom(format_args!("the body is not UTF-8: {e}")))?;
    from_str(text)
}

/// Decodes `T` from a JSON document in `text`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    T::deserialize(TextDeserializer::new(text)?)
}

/// A deserializer over the text of one JSON value (checked JSON, without
/// surrounding whitespace).
pub struct TextDeserializer<'de> {
    text: &'de str,
}

impl<'de> TextDeserializer<'de> {
    /// Reads `text`, the text of one JSON value (surrounding whitespace is
    /// allowed), after checking that it is one.
    pub fn new(text: &'de str) -> Result<Self, Error> {
        serde_json::from_str::<serde::de::IgnoredAny>(text)?;
        Ok(Self::trusted(text.trim_matches([' ', '\t', '\n', '\r'])))
    }

    /// Reads `text`, known to be the checked text of one JSON value without
    /// surrounding whitespace (a member split out of checked text, or a
    /// `Value` written out).
    pub(crate) fn trusted(text: &'de str) -> Self {
        Self { text }
    }
}

/// The value of key `key` in the text of an object, when it is a string
/// (the tag of a tagged union); `None` for anything else.
pub(crate) fn string_member<'de>(
    text: &'de str,
    key: &str,
) -> Result<Option<Cow<'de, str>>, Error> {
    if !text.starts_with('{') {
        return Ok(None);
    }
    // The last one counts if the key repeats, as everywhere else.
    let mut found = None;
    for member in scan::Members::new(text)? {
        let (name, value) = member?;
        if name == key {
            found = Some(value);
        }
    }
    match found {
        Some(value) if value.starts_with('"') => Ok(Some(serde_json::from_str::<Key>(value)?.0)),
        _ => Ok(None),
    }
}

/// Runs serde_json on a scalar's text and checks nothing follows it.
fn scalar<'de, T>(
    text: &'de str,
    read: impl FnOnce(&mut serde_json::Deserializer<serde_json::de::StrRead<'de>>) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let out = read(&mut de)?;
    de.end()?;
    Ok(out)
}

macro_rules! scalar_methods {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            scalar(self.text, |de| de.$method(visitor))
        }
    )*};
}

impl<'de> Deserializer<'de> for TextDeserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text.as_bytes().first() {
            Some(b'{') => visitor.visit_map(MemberAccess {
                members: scan::Members::new(self.text)?,
                value: None,
            }),
            Some(b'[') => visitor.visit_seq(ElementAccess {
                elements: scan::Elements::new(self.text)?,
            }),
            _ => scalar(self.text, |de| de.deserialize_any(visitor)),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.text == "null" {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == RAW_TOKEN {
            visitor.visit_borrowed_str(self.text)
        } else {
            visitor.visit_newtype_struct(self)
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        scalar(self.text, |de| de.deserialize_enum(name, variants, visitor))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        scalar(self.text, |de| de.deserialize_unit_struct(name, visitor))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // The whole text was checked at the top.
        visitor.visit_unit()
    }

    // Containers are split by `deserialize_any`, whatever the visitor asked for.
    serde::forward_to_deserialize_any! { seq tuple tuple_struct map struct }

    scalar_methods! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_str
        deserialize_string deserialize_bytes deserialize_byte_buf deserialize_unit
        deserialize_identifier
    }
}

/// An object's members, for visitors that read a map.
struct MemberAccess<'de> {
    members: scan::Members<'de>,
    value: Option<&'de str>,
}

impl<'de> MapAccess<'de> for MemberAccess<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.members.next().transpose()? else {
            return Ok(None);
        };
        self.value = Some(value);
        match key {
            Cow::Borrowed(key) => seed
                .deserialize(BorrowedStrDeserializer::new(key))
                .map(Some),
            Cow::Owned(key) => seed.deserialize(StringDeserializer::new(key)).map(Some),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| Error::custom("a map value was read before its key"))?;
        seed.deserialize(TextDeserializer::trusted(value))
    }

    fn size_hint(&self) -> Option<usize> {
        // Unknown without reading on, as with serde_json's own objects.
        None
    }
}

/// An array's elements, for visitors that read a sequence.
struct ElementAccess<'de> {
    elements: scan::Elements<'de>,
}

impl<'de> SeqAccess<'de> for ElementAccess<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.elements.next() {
            Some(text) => seed.deserialize(TextDeserializer::trusted(text?)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        // Unknown without reading on, as with serde_json's own arrays.
        None
    }
}

/// A key, borrowed from the text unless it has escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}
