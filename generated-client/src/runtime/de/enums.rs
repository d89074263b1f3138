//! String enums: a value the enum knows, written as its own bytes, is found
//! in one probe of a table built at compile time, without reading it as a
//! string first.
//!
//! A list of 100,000 files has three enum members in each file (`object`,
//! `purpose`, `status`); read as strings (the string scanned for its end
//! and escapes, then matched), they took about 220 instructions each.

use serde::de::{Error, Visitor};
use std::borrow::Cow;
use std::fmt;

use super::text::{report, KeyTable, Str, TextDeserializer, RAW_TOKEN};

/// The wire values a generated string enum knows, for [`read_enum`]
/// (evaluated at compile time in the generated `static`s).
#[derive(Debug)]
pub struct EnumValues {
    names: &'static [&'static str],
    keys: KeyTable,
}

impl EnumValues {
    /// The table of the known wire values `names`.
    pub const fn new(names: &'static [&'static str]) -> EnumValues {
        EnumValues {
            names,
            keys: KeyTable::new(names),
        }
    }

    /// The known value the JSON string at the start of `text` is written as,
    /// quotes included; `None` for any other text (another string, one
    /// with escapes, anything but a string).
    #[inline]
    fn find_quoted(&self, text: &str) -> Option<&'static str> {
        let after_quote = text.as_bytes().strip_prefix(b"\"")?;
        let index = self.keys.find_text(self.names, after_quote)?;
        self.names.get(index).copied()
    }

    /// [`EnumValues::find_quoted`], and the value reported read (prefix
    /// mode: its length, quotes included): what both [`read_enum`] and a
    /// field's [`known_at`] do with a known value.
    #[inline]
    fn take_quoted(&self, text: &str) -> Option<&'static str> {
        let known = self.find_quoted(text)?;
        report(text, known.len() + 2);
        Some(known)
    }
}

/// A generated string enum: its table of known wire values, which both its
/// `Deserialize` impl ([`read_enum`]) and the fields that hold it
/// ([`put_nullable_enum`](super::put_nullable_enum)) match a value against.
pub trait WireEnum: for<'a> From<&'a str> {
    /// The known wire values (a `static` of the generated impl).
    fn wire_values() -> &'static EnumValues;
}

/// The known value of `T` the JSON string at the start of `text` is
/// written as, reported read (prefix mode); `None` for anything else, which
/// is then read as [`read_enum`] reads it.
#[inline]
pub(super) fn known_at<T: WireEnum>(text: &str) -> Option<T> {
    T::wire_values().take_quoted(text).map(T::from)
}

/// Reads a string enum: any string, the values it does not know included
/// (its `From<&str>` keeps those). From the client's own deserializer, a
/// known value written without escapes is matched by its bytes in the
/// enum's table ([`WireEnum::wire_values`]); any other value, and any other
/// deserializer, is read as a string.
pub fn read_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: WireEnum,
{
    let visitor = EnumVisitor(T::wire_values());
    let value = deserializer.deserialize_newtype_struct(RAW_TOKEN, visitor)?;
    Ok(T::from(value.as_str()))
}

/// Reads a string enum's value (one visitor for every enum: it is not
/// generic over the enum's type).
struct EnumVisitor(&'static EnumValues);

impl<'de> Visitor<'de> for EnumVisitor {
    type Value = Str<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    // Only `TextDeserializer` answers the token, with the text from the
    // value's first byte to the end of the document.
    fn visit_borrowed_str<E: Error>(self, text: &'de str) -> Result<Str<'de>, E> {
        match self.0.take_quoted(text) {
            Some(known) => Ok(Str(Cow::Borrowed(known))),
            None => read_string(text).map_err(E::custom),
        }
    }

    // A deserializer that answers the newtype with what it holds (formats
    // that forward it to `deserialize_any`): a string is the value.
    fn visit_str<E: Error>(self, value: &str) -> Result<Str<'de>, E> {
        Ok(Str(Cow::Owned(value.to_owned())))
    }

    fn visit_string<E: Error>(self, value: String) -> Result<Str<'de>, E> {
        Ok(Str(Cow::Owned(value)))
    }

    // Any other deserializer: the value, read as a string.
    fn visit_newtype_struct<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Str<'de>, D::Error> {
        serde::Deserialize::deserialize(deserializer)
    }
}

/// Reads the string at the start of `text` (prefix mode: its length is
/// reported), or fails as a string would: a value the enum does not know, or
/// one written with escapes. Out of line: the known values are the common
/// case.
#[inline(never)]
fn read_string(text: &str) -> Result<Str<'_>, serde_json::Error> {
    serde::Deserialize::deserialize(TextDeserializer::value(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::de::{from_str, text};
    use serde::Deserializer as _;

    /// Values sharing their first bytes, one a prefix of another.
    const NAMES: &[&str] = &["fine-tune", "fine-tune-results", "batch", "b"];
    static VALUES: EnumValues = EnumValues::new(NAMES);

    /// A string enum as the generated ones are read: its wire value.
    #[derive(Debug, PartialEq)]
    struct Wire(String);

    impl From<&str> for Wire {
        fn from(value: &str) -> Self {
            Wire(value.to_owned())
        }
    }

    impl WireEnum for Wire {
        fn wire_values() -> &'static EnumValues {
            &VALUES
        }
    }

    impl<'de> serde::Deserialize<'de> for Wire {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            read_enum(deserializer)
        }
    }

    /// The value at the start of `text`, as the client's deserializer reads
    /// it for an enum.
    fn visit(text: &str) -> Result<Str<'_>, serde_json::Error> {
        TextDeserializer::new(text).deserialize_newtype_struct(RAW_TOKEN, EnumVisitor(&VALUES))
    }

    #[test]
    fn a_known_value_written_plainly_is_taken_from_the_table() {
        for name in NAMES {
            let text = format!("\"{name}\",\"batch\"]");
            let value = visit(&text).unwrap();
            // Borrowed from the table, not from the text: found by its bytes.
            assert!(std::ptr::eq(value.as_str(), *name), "{name}");
            assert_eq!(text::consumed(&text).unwrap(), name.len() + 2);
        }
        // Prefixes and extensions of known values, escapes: read as strings.
        for (text, expected) in [
            ("\"fine\"", "fine"),
            ("\"fine-tune-\"", "fine-tune-"),
            ("\"batches\"", "batches"),
            ("\"fine\\u002dtune\"", "fine-tune"),
            ("\"\"", ""),
        ] {
            let value = visit(text).unwrap();
            assert!(
                !NAMES.iter().any(|n| std::ptr::eq(value.as_str(), *n)),
                "{text}"
            );
            assert_eq!(value.as_str(), expected, "{text}");
        }
    }

    #[test]
    fn every_deserializer_reads_the_same_values_and_refuses_the_same_texts() {
        let texts = [
            "\"fine-tune\"",
            "\"fine-tune-results\"",
            "\"b\"",
            "\"fine\\u002dtune\"",
            "\"something new\"",
            "[\"batch\",\"b\",\"fine-tune\",\"x\"]",
        ];
        for text in texts {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            let expected = match &value {
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|v| Wire(v.as_str().unwrap().to_owned()))
                    .collect(),
                v => vec![Wire(v.as_str().unwrap().to_owned())],
            };
            if value.is_array() {
                assert_eq!(from_str::<Vec<Wire>>(text).unwrap(), expected);
                assert_eq!(serde_json::from_str::<Vec<Wire>>(text).unwrap(), expected);
                assert_eq!(
                    serde_json::from_value::<Vec<Wire>>(value).unwrap(),
                    expected
                );
            } else {
                assert_eq!(from_str::<Wire>(text).unwrap(), expected[0]);
                assert_eq!(serde_json::from_str::<Wire>(text).unwrap(), expected[0]);
                assert_eq!(serde_json::from_value::<Wire>(value).unwrap(), expected[0]);
            }
        }
        // Formats that answer the newtype with the string they hold.
        type ValueError = serde::de::value::Error;
        let owned = serde::de::value::StringDeserializer::<ValueError>::new("batch".into());
        assert_eq!(
            <Wire as serde::Deserialize>::deserialize(owned).unwrap(),
            Wire("batch".into())
        );
        let borrowed = serde::de::value::StrDeserializer::<ValueError>::new("new value");
        assert_eq!(
            <Wire as serde::Deserialize>::deserialize(borrowed).unwrap(),
            Wire("new value".into())
        );
        for text in ["null", "1", "{}", "[\"batch\"]", "\"batch", "\"ba"] {
            let ours = from_str::<Wire>(text).unwrap_err().to_string();
            let string = from_str::<String>(text).unwrap_err().to_string();
            assert_eq!(ours, string, "{text}");
        }
    }

    #[test]
    fn values_that_cannot_be_matched_by_bytes_are_always_read_as_strings() {
        assert!(VALUES.keys.by_bytes());
        for names in [
            &["a\"b", "c"][..],
            &["a\\b"][..],
            &["tab\there"][..],
            &["", "x"][..],
        ] {
            assert!(!EnumValues::new(names).keys.by_bytes(), "{names:?}");
        }
        // More values than a table holds.
        let many: Vec<&'static str> = (0..100).map(|i| &*String::leak(format!("v{i}"))).collect();
        let many = EnumValues::new(Vec::leak(many));
        assert!(!many.keys.by_bytes());
        assert_eq!(many.find_quoted("\"v1\""), None);
    }
}
