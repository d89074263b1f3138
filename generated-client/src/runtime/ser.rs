//! Encoding the generated types: one function writes every object, for
//! serde's serializers and, faster, straight to JSON.
//!
//! A derived `Serialize` for an object is a body generic over the serializer,
//! with a `?` on `S::Error` for every field; across the spec's 1,600-odd
//! object types that made the client crate build 1.15 × as long (measured
//! 2026-11-30, the crate alone, paired builds). The generated impls
//! instead list their members, each as its wire name and its value as
//! `&dyn erased_serde::Serialize` (`None` for an absent optional field), and
//! hand the list to [`write_object`], the one body generic over the
//! serializer. The JSON is the same as the derived impls wrote: declared
//! members in declared order, absent optional ones left out, then the kept
//! extra members in their map's order.
//!
//! Through a serde serializer every member is one more type-erased call
//! deep, which made a large chat request 3.7 × as slow to encode as
//! async-openai's derived impls. Request bodies therefore take the other
//! way, [`Encode::write_json`]: each value writes its own JSON into a byte
//! buffer, one dynamic call per member and none inside the leaves, each
//! object key copied as the generator escaped it (0.88 × async-openai's
//! time for that request, measured 2026-11-30). Both ways give the same
//! bytes: the round-trip test over every request schema checks it.

use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use std::collections::BTreeMap;

/// A value the client can write as JSON without serde's generic serializer.
///
/// The generated types a request can hold have it, and so do the types
/// their fields are made of. `write_json` must write what
/// `serde_json::to_writer` writes for the same value.
pub trait Encode {
    /// Appends the value's JSON to `out`.
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error>;
}

/// Encodes with serde_json, for the leaves (serde_json's own code for
/// strings, numbers and free-form JSON) and the few generated types whose
/// `Serialize` is derived.
#[inline]
pub fn write_with_serde<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), serde_json::Error> {
    serde_json::to_writer(out, value)
}

/// A string enum's value, as its `Serialize` writes it.
#[inline]
pub fn write_str(out: &mut Vec<u8>, value: &str) -> Result<(), serde_json::Error> {
    serde_json::to_writer(out, value)
}

macro_rules! encode_with_serde {
    ($($ty:ty),* $(,)?) => {$(
        impl Encode for $ty {
            #[inline]
            fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
                write_with_serde(out, self)
            }
        }
    )*};
}

encode_with_serde!(
    String,
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    serde_json::Value,
    serde_json::Map<String, serde_json::Value>,
    super::Json,
);

impl<T: Encode> Encode for Option<T> {
    #[inline]
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        match self {
            Some(value) => value.write_json(out),
            None => {
                out.extend_from_slice(b"null");
                Ok(())
            }
        }
    }
}

impl<T: Encode> Encode for Box<T> {
    #[inline]
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        (**self).write_json(out)
    }
}

impl<T: Encode> Encode for Vec<T> {
    #[inline]
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        out.push(b'[');
        for (at, item) in self.iter().enumerate() {
            if at > 0 {
                out.push(b',');
            }
            item.write_json(out)?;
        }
        out.push(b']');
        Ok(())
    }
}

impl<T: Encode> Encode for BTreeMap<String, T> {
    #[inline]
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
        out.push(b'{');
        let mut first = true;
        for (key, value) in self {
            write_key(out, &mut first, key)?;
            value.write_json(out)?;
        }
        out.push(b'}');
        Ok(())
    }
}

/// An object member as a generated `Serialize` impl lists it: the wire
/// name, and the value, or `None` when an optional field is absent (the
/// member is left out).
pub type Member<'a> = (&'static str, Option<&'a dyn erased_serde::Serialize>);

/// The same member as a generated `Encode` impl lists it: the key already
/// written as JSON with its colon (`"model":`, escaped by the generator, so
/// it is copied as it is), and the value.
pub type JsonMember<'a> = (&'static str, Option<&'a dyn Encode>);

/// Members kept beside the declared ones: the unknown-fields map, or the
/// `additionalProperties` map, written after the declared members.
pub trait Entries {
    /// Whether there are no entries.
    fn is_empty(&self) -> bool;
    /// Calls `visit` with each entry in order, stopping when it returns false.
    fn visit(&self, visit: &mut dyn FnMut(&str, &dyn erased_serde::Serialize) -> bool);
}

/// The kept members of an object that has `Encode`, as it writes them.
pub trait JsonEntries {
    /// Calls `visit` with each entry in order, stopping when it returns false.
    fn visit_json(&self, visit: &mut dyn FnMut(&str, &dyn Encode) -> bool);
}

impl Entries for serde_json::Map<String, serde_json::Value> {
    fn is_empty(&self) -> bool {
        serde_json::Map::is_empty(self)
    }
    fn visit(&self, visit: &mut dyn FnMut(&str, &dyn erased_serde::Serialize) -> bool) {
        visit_each(self, |key, value| visit(key, value));
    }
}

impl<V: Serialize> Entries for BTreeMap<String, V> {
    fn is_empty(&self) -> bool {
        BTreeMap::is_empty(self)
    }
    fn visit(&self, visit: &mut dyn FnMut(&str, &dyn erased_serde::Serialize) -> bool) {
        visit_each(self, |key, value| visit(key, value));
    }
}

impl JsonEntries for serde_json::Map<String, serde_json::Value> {
    fn visit_json(&self, visit: &mut dyn FnMut(&str, &dyn Encode) -> bool) {
        visit_each(self, |key, value| visit(key, value));
    }
}

impl<V: Encode> JsonEntries for BTreeMap<String, V> {
    fn visit_json(&self, visit: &mut dyn FnMut(&str, &dyn Encode) -> bool) {
        visit_each(self, |key, value| visit(key, value));
    }
}

/// Hands `entries` to `visit` in order until it returns false.
fn visit_each<'a, V: 'a>(
    entries: impl IntoIterator<Item = (&'a String, &'a V)>,
    mut visit: impl FnMut(&str, &'a V) -> bool,
) {
    for (key, value) in entries {
        if !visit(key, value) {
            return;
        }
    }
}

/// An optional field as a [`Member`] value: `None` leaves the member out.
#[inline]
pub fn optional<T: Serialize>(value: &Option<T>) -> Option<&dyn erased_serde::Serialize> {
    value
        .as_ref()
        .map(|value| value as &dyn erased_serde::Serialize)
}

/// An optional field as a [`JsonMember`] value: `None` leaves the member out.
#[inline]
pub fn optional_json<T: Encode>(value: &Option<T>) -> Option<&dyn Encode> {
    value.as_ref().map(|value| value as &dyn Encode)
}

/// Writes the object type `name` to a serde serializer: `members` in order
/// (those that are `None` left out), then the entries of `rest`.
///
/// Without kept entries the object is written as a struct, whose member
/// names reach the serializer as they are; with them, as a map (the kept
/// names are not `'static`), as serde writes a flattened map. JSON is the
/// same either way; a struct saves erasing each name on its way through a
/// nested, type-erased serializer (15 % of the time to encode a large chat
/// request).
pub fn write_object<S: Serializer>(
    serializer: S,
    name: &'static str,
    members: &[Member<'_>],
    rest: Option<&dyn Entries>,
) -> Result<S::Ok, S::Error> {
    let Some(rest) = rest.filter(|rest| !rest.is_empty()) else {
        let present = members.iter().filter(|(_, value)| value.is_some()).count();
        let mut object = serializer.serialize_struct(name, present)?;
        for (name, value) in members {
            match value {
                Some(value) => object.serialize_field(name, value)?,
                None => object.skip_field(name)?,
            }
        }
        return object.end();
    };
    // The length is not given: the kept entries are not counted up front, as
    // serde's own flattening does not count them.
    let mut map = serializer.serialize_map(None)?;
    for (name, value) in members {
        if let Some(value) = value {
            map.serialize_entry(name, value)?;
        }
    }
    let mut failed = None;
    rest.visit(&mut |key, value| match map.serialize_entry(key, value) {
        Ok(()) => true,
        Err(error) => {
            failed = Some(error);
            false
        }
    });
    match failed {
        Some(error) => Err(error),
        None => map.end(),
    }
}

/// Writes an object's JSON into `out`, as [`write_object`] writes it through
/// serde_json: `members` in order (those that are `None` left out), then
/// the entries of `rest`.
pub fn write_json_object(
    out: &mut Vec<u8>,
    members: &[JsonMember<'_>],
    rest: Option<&dyn JsonEntries>,
) -> Result<(), serde_json::Error> {
    out.push(b'{');
    let mut first = true;
    for (key, value) in members {
        if let Some(value) = value {
            if !std::mem::take(&mut first) {
                out.push(b',');
            }
            out.extend_from_slice(key.as_bytes());
            value.write_json(out)?;
        }
    }
    if let Some(rest) = rest {
        let mut failed = Ok(());
        rest.visit_json(&mut |key, value| {
            failed = write_key(out, &mut first, key).and_then(|()| value.write_json(out));
            failed.is_ok()
        });
        failed?;
    }
    out.push(b'}');
    Ok(())
}

/// A kept member's key and colon, after a comma unless it is the `first`.
#[inline]
pub(crate) fn write_key(
    out: &mut Vec<u8>,
    first: &mut bool,
    key: &str,
) -> Result<(), serde_json::Error> {
    if !std::mem::take(first) {
        out.push(b',');
    }
    write_str(out, key)?;
    out.push(b':');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::ser::Error as _;
    use serde_json::json;

    struct Sample {
        id: String,
        count: Option<u32>,
        note: Option<String>,
        nothing: Option<bool>,
        extra: serde_json::Map<String, serde_json::Value>,
    }

    impl Serialize for Sample {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            write_object(
                serializer,
                "Sample",
                &[
                    ("id", Some(&self.id)),
                    ("count", optional(&self.count)),
                    ("note", optional(&self.note)),
                    ("nothing", Some(&self.nothing)),
                ],
                Some(&self.extra),
            )
        }
    }

    impl Encode for Sample {
        fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
            write_json_object(
                out,
                &[
                    (r#""id":"#, Some(&self.id)),
                    (r#""count":"#, optional_json(&self.count)),
                    (r#""note":"#, optional_json(&self.note)),
                    (r#""nothing":"#, Some(&self.nothing)),
                ],
                Some(&self.extra),
            )
        }
    }

    /// The JSON `write_json` writes, which must be serde_json's.
    fn json_of(value: &(impl Encode + Serialize)) -> String {
        let mut out = Vec::new();
        value.write_json(&mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out, serde_json::to_string(value).unwrap());
        out
    }

    #[test]
    fn members_in_order_absent_left_out_then_the_kept_ones() {
        let mut extra = serde_json::Map::new();
        extra.insert("zeta".into(), json!(1));
        extra.insert("alpha".into(), json!({"x": [true]}));
        let sample = Sample {
            id: "a\"b".into(),
            count: Some(3),
            note: None,
            nothing: None,
            extra,
        };
        // Declared order, not sorted; a required nullable field writes null;
        // the kept members follow in the map's order (sorted, or as inserted
        // where serde_json's `preserve_order` is on, as in this workspace's
        // feature-unified test build).
        let kept: Vec<String> = sample
            .extra
            .iter()
            .map(|(key, value)| format!("{}:{value}", serde_json::to_string(key).unwrap()))
            .collect();
        assert_eq!(
            json_of(&sample),
            format!(
                r#"{{"id":"a\"b","count":3,"nothing":null,{}}}"#,
                kept.join(",")
            )
        );
        // With nothing kept it is written as a struct: the same JSON.
        let sample = Sample {
            extra: serde_json::Map::new(),
            ..sample
        };
        assert_eq!(
            json_of(&sample),
            r#"{"id":"a\"b","count":3,"nothing":null}"#
        );
        // Leaves and containers write what serde_json writes.
        json_of(&vec![Some(1.5f64), None, Some(f64::NAN), Some(-0.0)]);
        json_of(&BTreeMap::from([(
            "\u{1}\n".to_string(),
            vec![Box::new(u64::MAX)],
        )]));
        json_of(&json!({"a": [1, "\u{2028}", null, {"b": false}]}));
        json_of(&i64::MIN);
        assert_eq!(
            serde_json::to_value(&sample).unwrap(),
            json!({"id": "a\"b", "count": 3, "nothing": null})
        );
    }

    #[test]
    fn a_map_of_typed_values_is_written_after_the_members() {
        struct WithMap(BTreeMap<String, u8>);
        impl Serialize for WithMap {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                write_object(serializer, "WithMap", &[("k", Some(&1u8))], Some(&self.0))
            }
        }
        let map = BTreeMap::from([("b".to_string(), 2), ("a".to_string(), 1)]);
        assert_eq!(
            serde_json::to_string(&WithMap(map)).unwrap(),
            r#"{"k":1,"a":1,"b":2}"#
        );
    }

    #[test]
    fn an_error_in_a_kept_entry_stops_the_object() {
        struct Bad;
        impl Serialize for Bad {
            fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(S::Error::custom("refused"))
            }
        }
        impl Encode for Bad {
            fn write_json(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
                write_with_serde(out, self)
            }
        }
        struct Holder(BTreeMap<String, Bad>);
        impl Serialize for Holder {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                write_object(serializer, "Holder", &[], Some(&self.0))
            }
        }
        let holder = Holder(BTreeMap::from([
            ("x".to_string(), Bad),
            ("y".to_string(), Bad),
        ]));
        let error = serde_json::to_string(&holder).unwrap_err();
        assert!(error.to_string().contains("refused"), "{error}");
        // Straight to JSON: the same error, and the walk stops at it.
        let mut visited = 0;
        holder.0.visit(&mut |_, _| {
            visited += 1;
            false
        });
        assert_eq!(visited, 1);
        let mut out = Vec::new();
        let error = write_json_object(&mut out, &[], Some(&holder.0)).unwrap_err();
        assert!(error.to_string().contains("refused"), "{error}");
    }
}
