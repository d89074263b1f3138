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
//! Nothing is checked up front: each part of the text is checked as it is
//! read, so every byte is checked once by whatever reads it. Splitting
//! ([`scan`]) finds where each member ends (strings eight bytes at a time,
//! containers by counting brackets) and checks the object's or array's own
//! punctuation; each member is then read by the type that takes it, the
//! common scalars here (plain strings and integers, `true`, `false`,
//! `null`), every other one by serde_json, and members nobody declared into
//! a `Value` or through serde_json's own check when ignored. Each nesting
//! level scans its text once more, which is far cheaper than allocating a
//! tree. Arrays and objects read through `deserialize_any` (a `Value`, a
//! map) count their depth, refused past serde_json's own limit of 128; the
//! generated types nest only as deep as the spec's schemas do. When
//! decoding fails, the text is checked whole by serde_json, so that a syntax
//! error is reported as such, with its line and column in the document.

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
    T::deserialize(TextDeserializer::new(text)).map_err(|error| {
        // A syntax error anywhere is reported as one, where it is.
        match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Err(syntax) => syntax,
            Ok(_) => error,
        }
    })
}

/// serde_json's nesting limit (127 arrays and objects inside each other
/// pass, the 128th is refused), for arrays and objects read through
/// `deserialize_any`: deeper text could exhaust the stack.
const MAX_DEPTH: u32 = 128;

/// A deserializer over the text of one JSON value.
pub struct TextDeserializer<'de> {
    text: &'de str,
    /// How many arrays and objects read through `deserialize_any` hold it.
    depth: u32,
}

impl<'de> TextDeserializer<'de> {
    /// Reads `text`, the text of one JSON value (surrounding whitespace is
    /// allowed); it is checked as it is read.
    pub fn new(text: &'de str) -> Self {
        Self::nested(text.trim_matches([' ', '\t', '\n', '\r']), 0)
    }

    /// Reads `text`, the text of one JSON value without surrounding
    /// whitespace (a member's text, or a `Value` written out).
    pub(crate) fn value(text: &'de str) -> Self {
        Self::nested(text, 0)
    }

    /// Reads `text`, the text of one JSON value without surrounding
    /// whitespace, held by `depth` arrays and objects.
    fn nested(text: &'de str, depth: u32) -> Self {
        Self { text, depth }
    }

    /// The deserializer of a member of this array or object.
    fn member(&self, text: &'de str) -> Self {
        Self::nested(text, self.depth + 1)
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
        Some(value) if value.starts_with('"') => Ok(Some(serde_json::from_str::<Str>(value)?.0)),
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

/// A string without escapes, between its quotes (what serde_json would give
/// for it, read without it); `None` for any other text.
fn plain_string(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    scan::is_plain(inner.as_bytes()).then_some(inner)
}

/// An integer as JSON writes it (an optional `-`, digits, no leading zero)
/// that fits 64 bits, visited as serde_json visits it (`u64` unless it is
/// negative); `None` for any other text, which serde_json then reads.
pub(super) fn plain_integer(text: &str) -> Option<Result<u64, i64>> {
    let digits = text.strip_prefix('-').unwrap_or(text).as_bytes();
    let plain = match digits {
        // serde_json reads `-0` as a float.
        [b'0'] => text == "0",
        [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    match (plain, text.starts_with('-')) {
        (false, _) => None,
        (true, false) => text.parse().ok().map(Ok),
        (true, true) => text.parse().ok().map(Err),
    }
}

macro_rules! string_methods {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match plain_string(self.text) {
                Some(text) => visitor.visit_borrowed_str(text),
                None => scalar(self.text, |de| de.$method(visitor)),
            }
        }
    )*};
}

macro_rules! integer_methods {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match plain_integer(self.text) {
                Some(Ok(n)) => visitor.visit_u64(n),
                Some(Err(n)) => visitor.visit_i64(n),
                None => scalar(self.text, |de| de.$method(visitor)),
            }
        }
    )*};
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
        let first = self.text.as_bytes().first();
        if matches!(first, Some(b'{' | b'[')) && self.depth + 1 >= MAX_DEPTH {
            return Err(Error::custom("recursion limit exceeded"));
        }
        match first {
            Some(b'{') => visitor.visit_map(MemberAccess {
                members: scan::Members::new(self.text)?,
                value: None,
                of: &self,
            }),
            Some(b'[') => visitor.visit_seq(ElementAccess {
                elements: scan::Elements::new(self.text)?,
                of: &self,
            }),
            Some(b'"') => self.deserialize_str(visitor),
            _ => match (plain_integer(self.text), self.text) {
                (Some(Ok(n)), _) => visitor.visit_u64(n),
                (Some(Err(n)), _) => visitor.visit_i64(n),
                (None, "true" | "false") => self.deserialize_bool(visitor),
                (None, "null") => visitor.visit_unit(),
                (None, _) => scalar(self.text, |de| de.deserialize_any(visitor)),
            },
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text {
            "true" => visitor.visit_bool(true),
            "false" => visitor.visit_bool(false),
            _ => scalar(self.text, |de| de.deserialize_bool(visitor)),
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
        // Read by nobody else: checked here.
        serde_json::from_str::<serde::de::IgnoredAny>(self.text)?;
        visitor.visit_unit()
    }

    // Containers are split by `deserialize_any`, whatever the visitor asked for.
    serde::forward_to_deserialize_any! { seq tuple tuple_struct map struct }

    // The common scalars, plain strings and integers, are read here; the
    // rest (escapes, fractions, exponents, errors) by serde_json.
    string_methods! { deserialize_str deserialize_string deserialize_identifier }

    integer_methods! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
    }

    scalar_methods! {
        deserialize_i128 deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char
        deserialize_bytes deserialize_byte_buf deserialize_unit
    }
}

/// An object's members, for visitors that read a map.
struct MemberAccess<'a, 'de> {
    members: scan::Members<'de>,
    value: Option<&'de str>,
    of: &'a TextDeserializer<'de>,
}

impl<'de> MapAccess<'de> for MemberAccess<'_, 'de> {
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
        seed.deserialize(self.of.member(value))
    }

    fn size_hint(&self) -> Option<usize> {
        // Unknown without reading on, as with serde_json's own objects.
        None
    }
}

/// An array's elements, for visitors that read a sequence.
struct ElementAccess<'a, 'de> {
    elements: scan::Elements<'de>,
    of: &'a TextDeserializer<'de>,
}

impl<'de> SeqAccess<'de> for ElementAccess<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.elements.next() {
            Some(text) => seed.deserialize(self.of.member(text?)).map(Some),
            None => Ok(None),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        // Unknown without reading on, as with serde_json's own arrays.
        None
    }
}

/// A JSON string, borrowed from the text unless it has escapes: what a
/// string enum's generated impl reads before it matches the value, so a
/// known value costs no allocation.
#[derive(Debug)]
pub struct Str<'de>(pub(crate) Cow<'de, str>);

impl Str<'_> {
    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(StrVisitor)
    }
}
