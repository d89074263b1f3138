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

/// Takes the required field `key` out of `object`, reading a missing or
/// `null` value as the type's empty value (`""`, `[]`, `{}`, `0`, `false`, or
/// an object whose fields are all empty), as the API's own SDKs do: servers
/// omit fields the spec calls required (an empty page's `first_id`, a usage
/// object without a newer counter). Each such fill is reported (see
/// [`collect_fills`]); in [`strict`] mode it is an error instead.
pub fn field_or_empty<T: DeserializeOwned + Default, E: Error>(
    object: &mut Object,
    owner: &'static str,
    key: &'static str,
) -> Result<T, E> {
    match object.remove(key) {
        None | Some(Value::Null) => {
            if is_strict() {
                return Err(E::missing_field(key));
            }
            note_fill(owner, key);
            Ok(T::default())
        }
        Some(value) => {
            T::deserialize(value).map_err(|e| E::custom(format_args!("field `{key}`: {e}")))
        }
    }
}

/// A number array the API may send as base64 of little-endian `float32`
/// values (embeddings asked for with `encoding_format: base64`, which is how
/// the client asks for them unless the caller chose): both forms give the
/// numbers. A missing or `null` field reads as empty, as in [`field_or_empty`].
pub fn base64_float32_field<E: Error>(
    object: &mut Object,
    owner: &'static str,
    key: &'static str,
) -> Result<Vec<f64>, E> {
    match object.remove(key) {
        Some(Value::String(text)) => decode_base64_float32(&text)
            .map_err(|reason| E::custom(format_args!("field `{key}`: {reason}"))),
        other => {
            if let Some(value) = other {
                object.insert(key.to_owned(), value);
            }
            field_or_empty(object, owner, key)
        }
    }
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

/// An `int64` field: besides JSON integers, accepts the spec's own bounds
/// written as floats (`9223372036854776000`, `-9.223372036854776e18`), which
/// is how JSON tools that hold numbers as doubles write them, saturating to
/// `i64::MIN..=i64::MAX`. Other fractional values are errors. A required
/// field that is missing or `null` reads as 0, as in [`field_or_empty`].
pub fn int64_field<T: Int64, E: Error>(
    object: &mut Object,
    owner: &'static str,
    key: &'static str,
) -> Result<T, E> {
    match object.remove(key) {
        Some(Value::Number(n)) if n.as_i64().is_none() => {
            let wide = n.as_u64().map(|u| u as f64).or_else(|| n.as_f64());
            match wide {
                Some(f) if f.fract() == 0.0 && f.abs() >= 9.0e18 && f.abs() <= 9.3e18 => {
                    // `as` saturates: the bounds themselves, however they were rounded.
                    Ok(T::from_i64(f as i64))
                }
                _ => Err(E::custom(format_args!(
                    "field `{key}`: {n} is not a 64-bit integer"
                ))),
            }
        }
        None | Some(Value::Null) => match T::deserialize(Value::Null) {
            Ok(none) => Ok(none),
            Err(_) if is_strict() => Err(E::missing_field(key)),
            Err(_) => {
                note_fill(owner, key);
                Ok(T::from_i64(0))
            }
        },
        Some(value) => {
            T::deserialize(value).map_err(|e| E::custom(format_args!("field `{key}`: {e}")))
        }
    }
}

/// `i64` and `Option<i64>`: the field types [`int64_field`] reads.
pub trait Int64: DeserializeOwned {
    /// The value of a saturated bound.
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

thread_local! {
    static STRICT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static FILLS: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

fn is_strict() -> bool {
    STRICT.with(|s| s.get())
}

fn note_fill(owner: &str, key: &str) {
    FILLS.with(|f| {
        if let Some(fills) = f.borrow_mut().as_mut() {
            // Bounded: a pathological body cannot grow the list without end.
            if fills.len() < 1000 {
                fills.push(format!("{owner}.{key}: missing or null, read as empty"));
            }
        }
    });
}

/// Runs `decode` in strict mode: a required field that is missing or `null`
/// is an error, as the spec says, instead of being read as empty.
pub fn strict<T>(decode: impl FnOnce() -> T) -> T {
    let before = STRICT.with(|s| s.replace(true));
    let out = decode();
    STRICT.with(|s| s.set(before));
    out
}

/// Runs `decode` and returns what it filled in leniently (see
/// [`field_or_empty`]), one line per field, such as
/// `ResponseUsage.cache_write_tokens: missing or null, read as empty`.
pub fn collect_fills<T>(decode: impl FnOnce() -> T) -> (T, Vec<String>) {
    let before = FILLS.with(|f| f.replace(Some(Vec::new())));
    let out = decode();
    let fills = FILLS.with(|f| f.replace(before)).unwrap_or_default();
    (out, fills)
}

/// How well a decoded value fits the JSON it came from: 0 is a perfect fit;
/// each key the value did not know (kept as an extra field) adds 1, a tag the
/// value did not recognise adds [`UNKNOWN_TAG`]. An untagged union keeps the
/// branch with the lowest misfit, so no branch that knows fewer of the keys
/// (or has the wrong tag) wins over one that knows them.
pub trait Fit {
    /// The misfit of this value.
    fn misfit(&self) -> usize;
}

/// Misfit of a value whose tag (a one-value enum, or a tagged union's tag) is
/// not the one its type expects.
pub const UNKNOWN_TAG: usize = 1 << 20;
/// Misfit of a free-form JSON branch: it accepts anything, so any typed
/// branch that decodes is preferred.
pub const ANY_VALUE: usize = 1 << 10;

macro_rules! exact_fit {
    ($($t:ty),*) => { $(impl Fit for $t { fn misfit(&self) -> usize { 0 } })* };
}
exact_fit!(String, bool, i64, i32, f64);

impl<T> Fit for Vec<T> {
    fn misfit(&self) -> usize {
        0
    }
}

impl<T> Fit for BTreeMap<String, T> {
    fn misfit(&self) -> usize {
        0
    }
}

impl Fit for Value {
    fn misfit(&self) -> usize {
        ANY_VALUE
    }
}

impl Fit for Map<String, Value> {
    fn misfit(&self) -> usize {
        ANY_VALUE
    }
}

impl<T: Fit> Fit for Box<T> {
    fn misfit(&self) -> usize {
        (**self).misfit()
    }
}

/// Keeps the better of two decoded branches: the first with the lowest misfit.
pub fn keep_best<T>(best: &mut Option<(usize, T)>, misfit: usize, candidate: T) {
    if best.as_ref().is_none_or(|(m, _)| misfit < *m) {
        *best = Some((misfit, candidate));
    }
}

/// One decoded branch of an untagged union: the value, and the required
/// fields it had to fill in (each counts as a misfit: the branch wanted a key
/// the value does not have). Only the chosen branch's fills are reported.
pub struct Attempt<T> {
    /// The decoded value.
    pub value: T,
    fills: Vec<String>,
}

impl<T: Fit> Attempt<T> {
    /// Unknown keys, wrong tags and filled-in fields together.
    pub fn misfit(&self) -> usize {
        self.value.misfit() + self.fills.len()
    }

    /// The value, reporting its fills to the surrounding [`collect_fills`].
    pub fn accept(self) -> T {
        FILLS.with(|f| {
            if let Some(all) = f.borrow_mut().as_mut() {
                let room = 1000usize.saturating_sub(all.len());
                all.extend(self.fills.into_iter().take(room));
            }
        });
        self.value
    }

    /// The same attempt holding `wrap(value)` (the union variant).
    pub fn map<U>(self, wrap: impl FnOnce(T) -> U) -> Attempt<U> {
        Attempt {
            value: wrap(self.value),
            fills: self.fills,
        }
    }
}

/// `value` read as `T`, or `None` (one attempt of an untagged union). Reads
/// through a reference: a failed attempt must not cost a copy of the value.
pub fn variant<T: DeserializeOwned>(value: &Value) -> Option<Attempt<T>> {
    let (decoded, fills) = collect_fills(|| T::deserialize(value));
    decoded.ok().map(|value| Attempt { value, fills })
}

/// The error when no variant of an untagged union accepts `value`;
/// `expected` names the union and the branches tried.
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
    fn base64_float32_and_number_arrays_give_the_same_numbers() {
        use base64::Engine as _;
        let floats = [0.5f32, -1.25, 3.0e-8, f32::MAX, 0.1];
        let bytes: Vec<u8> = floats.iter().flat_map(|f| f.to_le_bytes()).collect();
        let text = base64::engine::general_purpose::STANDARD.encode(&bytes);
        let as_numbers: Vec<f64> = floats.iter().map(|f| f64::from(*f)).collect();
        let mut o = obj(json!({"e": text, "n": as_numbers}));
        let from_base64 = base64_float32_field::<E>(&mut o, "T", "e").unwrap();
        let from_numbers = base64_float32_field::<E>(&mut o, "T", "n").unwrap();
        assert_eq!(from_base64, as_numbers);
        assert_eq!(from_numbers, as_numbers);
        assert!(o.is_empty());
        let mut bad = obj(json!({"e": "AAAA!", "f": "AAA="}));
        let err = base64_float32_field::<E>(&mut bad, "T", "e").unwrap_err();
        assert!(
            err.to_string().starts_with("field `e`: invalid base64"),
            "{err}"
        );
        let err = base64_float32_field::<E>(&mut bad, "T", "f").unwrap_err();
        assert!(err.to_string().contains("not a whole number"), "{err}");
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
        assert_eq!(variant::<i64>(&json!(3)).map(Attempt::accept), Some(3));
        assert!(variant::<i64>(&json!("3")).is_none());
        let e: E = no_variant(&json!(true), "a value matching one variant of `X`");
        assert_eq!(
            e.to_string(),
            "invalid value: boolean `true`, expected a value matching one variant of `X`"
        );
    }

    #[test]
    fn lenient_required_fields_are_filled_and_reported_unless_strict() {
        let mut o = obj(json!({"a": null, "n": 3}));
        let ((a, b, n), fills) = collect_fills(|| {
            (
                field_or_empty::<String, E>(&mut o, "Page", "a").unwrap(),
                field_or_empty::<Vec<i64>, E>(&mut o, "Page", "b").unwrap(),
                field_or_empty::<i64, E>(&mut o, "Page", "n").unwrap(),
            )
        });
        assert_eq!((a.as_str(), b.len(), n), ("", 0, 3));
        assert_eq!(
            fills,
            [
                "Page.a: missing or null, read as empty",
                "Page.b: missing or null, read as empty"
            ]
        );
        let mut o = obj(json!({}));
        let err = strict(|| field_or_empty::<String, E>(&mut o, "Page", "a")).unwrap_err();
        assert_eq!(err.to_string(), "missing field `a`");
        // Strict mode ends with its closure; fills outside a collector are dropped.
        assert_eq!(
            field_or_empty::<String, E>(&mut o, "Page", "a").unwrap(),
            ""
        );
    }

    #[test]
    fn int64_bounds_written_as_floats_saturate() {
        let mut o = obj(
            json!({"max": 9223372036854776000u64, "min": -9.223372036854776e18, "ok": 5, "half": 1.5}),
        );
        assert_eq!(int64_field::<i64, E>(&mut o, "T", "max").unwrap(), i64::MAX);
        assert_eq!(
            int64_field::<Option<i64>, E>(&mut o, "T", "min").unwrap(),
            Some(i64::MIN)
        );
        assert_eq!(int64_field::<i64, E>(&mut o, "T", "ok").unwrap(), 5);
        assert!(int64_field::<i64, E>(&mut o, "T", "half").is_err());
        assert_eq!(
            int64_field::<Option<i64>, E>(&mut o, "T", "absent").unwrap(),
            None
        );
        let (zero, fills) = collect_fills(|| int64_field::<i64, E>(&mut o, "T", "absent"));
        assert_eq!((zero.unwrap(), fills.len()), (0, 1));
        assert!(strict(|| int64_field::<i64, E>(&mut o, "T", "absent")).is_err());
    }

    #[test]
    fn the_best_branch_is_the_first_with_the_lowest_misfit() {
        let mut best = None;
        keep_best(&mut best, 3, "knows fewer keys");
        keep_best(&mut best, UNKNOWN_TAG, "wrong tag");
        keep_best(&mut best, 1, "knows more keys");
        keep_best(&mut best, 1, "equal but later");
        assert_eq!(best, Some((1, "knows more keys")));
        assert_eq!(json!({"x": 1}).misfit(), ANY_VALUE);
        assert_eq!("s".to_owned().misfit(), 0);
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
