//! What a generated reader does with each member [`Object::next_field`]
//! gives ([`put`] and its siblings), and with the fields once the object is
//! read: required ones finished ([`or_empty`], [`required`]), undeclared
//! ones kept ([`unknown`], [`rest`]).

use serde::de::{DeserializeOwned, Error};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use super::enums::{known_at, WireEnum};
use super::lenient::{is_strict, note_fill};
use super::object::{report_end, Object};
use super::text::{self, report};
use super::{decode_text, field_error, message, Failure, Node};

/// Reads the value of the member [`Object::next_field`] just gave, declared
/// field `index`, into `slot`.
pub fn put<T: DeserializeOwned>(
    object: &mut Object,
    index: usize,
    slot: &mut Option<T>,
) -> Result<(), Failure> {
    let key = object.key(index);
    decode_into(key, object.current_text(), slot, decode_text::<T>)
}

/// Decodes `text`, the value of field `key`, into `slot` with `decode`.
#[inline]
fn decode_into<V>(
    key: &'static str,
    text: &str,
    slot: &mut Option<V>,
    decode: impl FnOnce(&str) -> Result<V, serde_json::Error>,
) -> Result<(), Failure> {
    match decode(text) {
        Ok(value) => {
            *slot = Some(value);
            Ok(())
        }
        Err(e) => Err(field_error(key, &e)),
    }
}

/// [`put`], leaving `slot` empty for `null` (an optional field's `None`, or
/// a required one read as empty: see [`or_empty`]), without decoding it.
pub fn put_nullable<T: DeserializeOwned>(
    object: &mut Object,
    index: usize,
    slot: &mut Option<T>,
) -> Result<(), Failure> {
    put_nullable_with(object, index, slot, decode_text::<T>)
}

/// [`put_nullable`] for an array field: its elements are decoded where
/// they stand and pushed, without the copies of each one through
/// `Vec<T>`'s own impl.
pub fn put_nullable_array<T: DeserializeOwned>(
    object: &mut Object,
    index: usize,
    slot: &mut Option<Vec<T>>,
) -> Result<(), Failure> {
    put_nullable_with(object, index, slot, text::decode_array::<T>)
}

/// [`put_nullable`] for a `String` field: a string is copied into the field
/// straight from its text (scanned once for its end, its escapes read by
/// serde_json) and reported read; serde's string visitor, and the dispatch
/// on what the text holds, are left out. Anything else
/// (not a string, a broken one) is decoded as [`put_nullable`] decodes it,
/// with its errors.
pub fn put_nullable_string(
    object: &mut Object,
    index: usize,
    slot: &mut Option<String>,
) -> Result<(), Failure> {
    put_nullable_fast(object, index, slot, |text| {
        // Anything but a string is left to the decoder (which makes its
        // error); the scanner's would be made and dropped.
        if !text.starts_with('"') {
            return None;
        }
        let (string, len) = text::string_at(text).ok()?;
        report(text, len);
        Some(string.into_owned())
    })
}

/// [`put_nullable`] for a string enum field: a known value written
/// without escapes is matched in the enum's table where it stands, without
/// serde's deserializer and visitor (which cost about 115 instructions of
/// the 205 a chat chunk's `object` and `service_tier` took each); anything
/// else is decoded as [`put_nullable`] decodes it, with its errors.
pub fn put_nullable_enum<T: WireEnum + DeserializeOwned>(
    object: &mut Object,
    index: usize,
    slot: &mut Option<T>,
) -> Result<(), Failure> {
    put_nullable_fast(object, index, slot, known_at::<T>)
}

/// [`put_nullable`] with `fast` tried first on what is not `null`: what it
/// reads is the value (and it reports the length it read); what it leaves
/// (`None`) is decoded as [`put_nullable`] decodes it, with its errors.
#[inline]
fn put_nullable_fast<V: DeserializeOwned>(
    object: &mut Object,
    index: usize,
    slot: &mut Option<V>,
    fast: impl FnOnce(&str) -> Option<V>,
) -> Result<(), Failure> {
    let key = object.key(index);
    let Some(text) = object.current_unless_null() else {
        return Ok(());
    };
    if let Some(value) = fast(text) {
        *slot = Some(value);
        return Ok(());
    }
    decode_into(key, text, slot, decode_text::<V>)
}

/// [`put_nullable`] with `decode` for what is not `null`.
#[inline]
fn put_nullable_with<V>(
    object: &mut Object,
    index: usize,
    slot: &mut Option<V>,
    decode: impl FnOnce(&str) -> Result<V, serde_json::Error>,
) -> Result<(), Failure> {
    let key = object.key(index);
    match object.current_unless_null() {
        Some(text) => decode_into(key, text, slot, decode),
        None => Ok(()),
    }
}

/// [`put`] for an `int64` field: besides JSON integers, accepts the spec's
/// own bounds written as floats (`9223372036854776000`,
/// `-9.223372036854776e18`), which is how JSON tools that hold numbers as
/// doubles write them, saturating to `i64::MIN..=i64::MAX`; other
/// fractional values are errors. A plain integer is read without building a
/// `Value`; `null` leaves `slot` empty (see [`int64_or_empty`]).
pub fn put_int64<T: Int64>(
    object: &mut Object,
    index: usize,
    slot: &mut Option<T>,
) -> Result<(), Failure> {
    let (owner, key) = (object.shape.name, object.key(index));
    let Some(text) = object.current_unless_null() else {
        return Ok(());
    };
    if let Some(n) = plain_int64(text) {
        *slot = Some(T::from_i64(n));
        return Ok(());
    }
    *slot = Some(int64_value::<T>(owner, key, Some(object.current_node()))?);
    Ok(())
}

/// [`put`] for a number array the API may send as base64 of little-endian
/// `float32` values (embeddings asked for with `encoding_format: base64`,
/// which is how the client asks for them unless the caller chose): both
/// forms give the numbers. `null` leaves `slot` empty (see [`or_empty`]).
///
/// Both are read from the text where they stand: the base64 is decoded from
/// the string's own bytes (unless it has escapes, which the API does not
/// write), and the numbers an element at a time. Going through a `Value`
/// made an array of 1,536 numbers 1,536 `Value`s first, and took 1.5 × the
/// CPU of async-openai's derived `Vec<f32>` to read 100 responses of 64
/// vectors (`cargo xtask bench-runtime --only embed`).
pub fn put_base64_float32(
    object: &mut Object,
    index: usize,
    slot: &mut Option<Vec<f64>>,
) -> Result<(), Failure> {
    let key = object.key(index);
    let Some(text) = object.current_unless_null() else {
        return Ok(());
    };
    *slot = Some(match text.starts_with('"') {
        true => base64_member(key, text)?,
        false => text::decode_array::<f64>(text).map_err(|e| field_error::<Failure>(key, &e))?,
    });
    Ok(())
}

/// The numbers of the base64 string at the start of `text`, the value of
/// field `key`, its length reported to the walk.
fn base64_member(key: &str, text: &str) -> Result<Vec<f64>, Failure> {
    // Base64 has no quote, backslash or control character, so the next
    // quote ends it, and a decoder that takes what lies before has also
    // checked it is a plain JSON string: no scan of 8 KiB a vector for
    // escapes. Anything else is read as any string is.
    if let Some(end) = memchr::memchr(b'"', &text.as_bytes()[1..]).map(|at| at + 1) {
        if let Ok(numbers) = decode_base64_float32(&text[1..end]) {
            report(text, end + 1);
            return Ok(numbers);
        }
    }
    let (base64, len) = text::string_at(text).map_err(|e| field_error::<Failure>(key, &e))?;
    report(text, len);
    decode_base64_float32(&base64)
        .map_err(|reason| Failure::custom(format_args!("field `{key}`: {reason}")))
}

/// The value of required field `index` read into `slot`, or, when it was
/// missing or `null`, its type's empty value (`""`, `[]`, `{}`, `0`,
/// `false`, or an object whose fields are all empty), as the API's own SDKs
/// read it: servers omit fields the spec calls required (an empty page's
/// `first_id`, a usage object without a newer counter). Each such fill is
/// reported (see [`collect_fills`](super::collect_fills)); in [`strict`](super::strict) mode it is an error
/// instead, kept in the object for [`check`].
pub fn or_empty<T: Default>(object: &mut Object, index: usize, slot: Option<T>) -> T {
    match slot {
        Some(value) => value,
        None => {
            if !may_fill(object.shape.name, object.key(index)) {
                object.fail(Failure::missing_field(object.key(index)));
            }
            T::default()
        }
    }
}

/// [`or_empty`] for an `int64` field: `None` for an optional one, 0 for a
/// required one (noted, or an error in [`strict`](super::strict) mode).
pub fn int64_or_empty<T: Int64>(object: &mut Object, index: usize, slot: Option<T>) -> T {
    match slot {
        Some(value) => value,
        None => match int64_value::<T>(object.shape.name, object.key(index), None) {
            Ok(value) => value,
            Err(e) => {
                object.fail(e);
                T::from_i64(0)
            }
        },
    }
}

/// The value of required field `index` read into `slot`; a missing one is
/// read as `null` (a type that takes `null` gets its value for it), else it
/// is reported missing.
pub fn required<T: DeserializeOwned>(
    object: &Object,
    index: usize,
    slot: Option<T>,
) -> Result<T, Failure> {
    match slot {
        Some(value) => Ok(value),
        None => decode_text::<T>("null").map_err(|_| Failure::missing_field(object.key(index))),
    }
}

/// The first error of the fields finished without returning one
/// ([`or_empty`], [`int64_or_empty`]): one check for them all, so that a
/// reader has one early return, not one per field (each with its own drops).
pub fn check(object: &mut Object) -> Result<(), Failure> {
    match object.failure.take() {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Reads the members nobody took as `T` (a flattened part), leaving them in
/// `object`.
pub fn whole<T: DeserializeOwned>(object: &mut Object) -> Result<T, Failure> {
    object.finish()?;
    decode_text(&object.rest_value::<Failure>()?.to_string())
        .map_err(|e| Failure::custom(message(&e)))
}

/// The fields nobody took, as a map of `T` (`additionalProperties`).
pub fn rest<T: DeserializeOwned>(object: &mut Object) -> Result<BTreeMap<String, T>, Failure> {
    object.finish()?;
    let end = object.end();
    let rest = object
        .take_rest()
        .map(|(key, node)| {
            let value = node
                .decode::<T, Failure>()
                .map_err(|e| Failure::custom(format_args!("field `{key}`: {e}")))?;
            Ok((key.into_owned(), value))
        })
        .collect::<Result<_, Failure>>()?;
    report_end(end);
    Ok(rest)
}

/// The fields nobody took, kept as JSON (a type's unknown fields). Reads
/// the object to its end: the last call of a generated impl.
pub fn unknown(object: &mut Object) -> Result<Map<String, Value>, Failure> {
    object.finish()?;
    if object.left().next().is_none() {
        // The common case, without the iterator machinery ([`Object::finish`]
        // reported the length last).
        return Ok(Map::new());
    }
    let end = object.end();
    // Inserted one at a time: collecting into the map first gathers the
    // members in a `Vec` and sorts it, which for the one or two members an
    // object mostly has (the `obfuscation` of every Responses stream delta)
    // cost more than reading the event's declared fields.
    let mut unknown = Map::new();
    for (key, node) in object.take_rest() {
        unknown.insert(key.into_owned(), node.into_value::<Failure>()?);
    }
    report_end(end);
    Ok(unknown)
}

/// Whether a required field that is missing or `null` may read as empty
/// (not in [`strict`](super::strict) mode); the fill is noted for [`collect_fills`](super::collect_fills).
fn may_fill(owner: &'static str, key: &'static str) -> bool {
    if is_strict() {
        return false;
    }
    note_fill(owner, key);
    true
}

/// Base64 (standard alphabet, padded) of little-endian `float32` values.
fn decode_base64_float32(text: &str) -> Result<Vec<f64>, String> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| format!("invalid base64 float32 data: {e}"))?;
    if bytes.len() % 4 != 0 {
        return Err(format!(
            "base64 float32 data of {} bytes is not a whole number of 4-byte floats",
            bytes.len()
        ));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
        .collect())
}

/// The plain integer (no fraction, exponent or leading zero) that fits 64
/// bits at the start of `text`, reported read; `None` for anything else,
/// which [`int64_value`] reads.
fn plain_int64(text: &str) -> Option<i64> {
    let (n, len) = text::plain_integer(text)?;
    let n = match n {
        Ok(n) => i64::try_from(n).ok()?,
        Err(n) => n,
    };
    report(text, len);
    Some(n)
}

/// An `int64` field's value, read from its node (not a plain integer).
fn int64_value<T: Int64>(
    owner: &'static str,
    key: &'static str,
    node: Option<Node>,
) -> Result<T, Failure> {
    match node.map(Node::into_value::<Failure>).transpose()? {
        Some(Value::Number(n)) if n.as_i64().is_none() => {
            let wide = n.as_u64().map(|u| u as f64).or_else(|| n.as_f64());
            match wide {
                Some(f) if f.fract() == 0.0 && f.abs() >= 9.0e18 && f.abs() <= 9.3e18 => {
                    // `as` saturates: the bounds themselves, however they were rounded.
                    Ok(T::from_i64(f as i64))
                }
                _ => Err(Failure::custom(format_args!(
                    "field `{key}`: {n} is not a 64-bit integer"
                ))),
            }
        }
        None | Some(Value::Null) => match T::deserialize(Value::Null) {
            Ok(none) => Ok(none),
            Err(_) if is_strict() => Err(Failure::missing_field(key)),
            Err(_) => {
                note_fill(owner, key);
                Ok(T::from_i64(0))
            }
        },
        Some(value) => {
            T::deserialize(value).map_err(|e| Failure::custom(format_args!("field `{key}`: {e}")))
        }
    }
}

/// `i64` and `Option<i64>`: the field types [`put_int64`] reads.
pub trait Int64: DeserializeOwned {
    /// The field's value for the integer `value` (read, or a saturated bound).
    fn from_i64(value: i64) -> Self;
}

impl Int64 for i64 {
    fn from_i64(value: i64) -> Self {
        value
    }
}

impl Int64 for Option<i64> {
    fn from_i64(value: i64) -> Self {
        Some(value)
    }
}
