//! Encoding the generated object types: one function writes them all.
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
//! extra members in their map's order. The price is encoding speed, one
//! dynamic call per member: see the README's Performance section.

use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use std::collections::BTreeMap;

/// An object member as a generated impl lists it: the wire name, and the
/// value, or `None` when an optional field is absent (the member is left out).
pub type Member<'a> = (&'static str, Option<&'a dyn erased_serde::Serialize>);

/// Members kept beside the declared ones: the unknown-fields map, or the
/// `additionalProperties` map, written after the declared members.
pub trait Entries {
    /// Whether there are no entries.
    fn is_empty(&self) -> bool;
    /// Calls `visit` with each entry in order, stopping when it returns false.
    fn visit(&self, visit: &mut dyn FnMut(&str, &dyn erased_serde::Serialize) -> bool);
}

impl Entries for serde_json::Map<String, serde_json::Value> {
    fn is_empty(&self) -> bool {
        serde_json::Map::is_empty(self)
    }
    fn visit(&self, visit: &mut dyn FnMut(&str, &dyn erased_serde::Serialize) -> bool) {
        visit_each(self, visit);
    }
}

impl<V: Serialize> Entries for BTreeMap<String, V> {
    fn is_empty(&self) -> bool {
        BTreeMap::is_empty(self)
    }
    fn visit(&self, visit: &mut dyn FnMut(&str, &dyn erased_serde::Serialize) -> bool) {
        visit_each(self, visit);
    }
}

/// Hands `entries` to `visit` in order until it returns false.
fn visit_each<'a, V: Serialize + 'a>(
    entries: impl IntoIterator<Item = (&'a String, &'a V)>,
    visit: &mut dyn FnMut(&str, &dyn erased_serde::Serialize) -> bool,
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

/// Writes the object type `name`: `members` in order (those that are `None`
/// left out), then the entries of `rest`.
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde::ser::Error as _;
    use serde_json::json;

    struct Sample {
        id: String,
        count: Option<u32>,
        note: Option<String>,
        nothing: Option<()>,
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
            serde_json::to_string(&sample).unwrap(),
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
            serde_json::to_string(&sample).unwrap(),
            r#"{"id":"a\"b","count":3,"nothing":null}"#
        );
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
        struct Holder(BTreeMap<String, Bad>);
        impl Serialize for Holder {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                write_object(serializer, "Holder", &[], Some(&self.0))
            }
        }
        let error =
            serde_json::to_string(&Holder(BTreeMap::from([("x".to_string(), Bad)]))).unwrap_err();
        assert!(error.to_string().contains("refused"), "{error}");
    }
}
