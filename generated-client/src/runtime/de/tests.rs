//! Tests of reading objects: members in any order, from text and from a
//! `Value`, fields filled or refused, unions' best fit.

use super::fields::*;
use super::fit::*;
use super::lenient::*;
use super::object::*;
use super::*;
use serde_json::json;
use serde_json::Map;
use std::collections::BTreeMap;

/// Reads a JSON object of the type `shape` describes, as `read_object`
/// does before its reader takes the fields.
fn object<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
    shape: &'static Shape,
) -> Result<Object<'de>, D::Error> {
    let mut object = Object::new(shape);
    object.open(deserializer)?;
    Ok(object)
}

type E = serde_json::Error;

/// The 64-bit integer bounds and one past each: where a plain integer
/// stops being read as one.
const INTEGER_BOUNDS: [&str; 6] = [
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
];

/// A type `T` declaring `fields`.
fn shape(fields: &[&'static str]) -> &'static Shape {
    let fields: &'static [&'static str] = Vec::leak(fields.to_vec());
    Box::leak(Box::new(Shape::new("T", fields)))
}

/// The object through `serde_json::Value`, as any deserializer but the
/// client's gives it, read as a type declaring `fields`.
fn obj(v: Value, fields: &[&'static str]) -> Object<'static> {
    object(v, shape(fields)).unwrap()
}

/// The object through the client's own text deserializer.
fn text_obj<'a>(text: &'a str, fields: &[&'static str]) -> Object<'a> {
    object(TextDeserializer::new(text), shape(fields)).unwrap()
}

/// The object both ways: as text, and through a `Value`.
fn both<'a>(text: &'a str, fields: &[&'static str]) -> [Object<'a>; 2] {
    let value = serde_json::from_str(text).unwrap();
    [text_obj(text, fields), obj(value, fields)]
}

/// Keys matched by their bytes (a shape of plain names) are read as the
/// same keys scanned and looked up (the same shape marked not plain):
/// in and out of declared order, escaped, unknown, spaced, repeated, or
/// broken.
#[test]
fn keys_matched_by_bytes_are_read_as_keys_scanned() {
    // Without the empty name (which no table holds: it has no two bytes
    // to hash, so the shape with it scans every key) keys are matched by
    // their bytes; both shapes are read against the same shape scanning.
    let matched: &'static [&'static str] = &["id", "object", "i", "ids"];
    let with_empty: &'static [&'static str] = &["id", "object", "i", "ids", ""];
    assert!(shape(matched).keys.by_bytes());
    assert!(!shape(with_empty).keys.by_bytes());
    let read = |text: &str, shape: &'static Shape| -> Result<_, String> {
        let mut o = object(TextDeserializer::new(text), shape).map_err(|e| e.to_string())?;
        let mut got = Vec::new();
        while let Some(index) = o.next_field().map_err(|e| e.to_string())? {
            let mut value: Option<Value> = None;
            put_nullable(&mut o, index, &mut value).map_err(|e| e.to_string())?;
            got.push((index, value));
        }
        let rest = unknown(&mut o).map_err(|e| e.to_string())?;
        Ok((got, rest))
    };
    let texts = [
        r#"{"id":"a","object":"o","i":1,"ids":[2],"":3}"#,
        r#"{"":3,"ids":[2],"i":1,"object":"o","id":"a"}"#,
        r#"{ "i" : 1 , "id"	:"a",
           "x":null, "object":{"id":1}}"#,
        r#"{"i\u0064":"escaped","\"":1,"id\"":2,"i\\d":3}"#,
        r#"{"idx":1,"i":2,"id ":3,"Id":4}"#,
        r#"{"id":1,"i\u0064":2}"#,
        r#"{"i\u0064":1,"id":2}"#,
        r#"{"id":1,"id":2}"#,
        r#"{"id" 1}"#,
        r#"{"id":1,"object"}"#,
        r#"{"id":1,"i"#,
        r#"{"id"#,
        r#"{""#,
        r#"{"":1,"":2}"#,
        r#"{"id:1,"x":2}"#,
        r#"{"ids:1}"#,
    ];
    for fields in [matched, with_empty] {
        let plain = shape(fields);
        let scanned: &'static Shape = Box::leak(Box::new(Shape {
            keys: plain.keys.scanning_only(),
            ..Shape::new("T", fields)
        }));
        for text in texts {
            let by_bytes = read(text, plain);
            assert_eq!(by_bytes, read(text, scanned), "{fields:?} {text}");
            let through_serde = serde_json::from_str::<Value>(text);
            if by_bytes.is_ok() {
                assert!(through_serde.is_ok(), "{text}");
            }
        }
    }
    // A name JSON must escape is never matched by its bytes: `a"b`
    // written raw is not a key, and `\n` written raw is not `\n`.
    for names in [&["a\"b"][..], &["x\\n"], &["tab\there"]] {
        assert!(!Shape::new("T", names).keys.by_bytes(), "{names:?}");
    }
    let escaped: &'static [&'static str] = &["a\\nb"];
    let shape = shape(escaped);
    assert_eq!(read(r#"{"a\\nb":1}"#, shape).unwrap().0.len(), 1);
    assert_eq!(read(r#"{"a\nb":1}"#, shape).unwrap().0.len(), 0);
}

#[test]
fn nullable_members_are_none_when_missing_or_null_and_checked_otherwise() {
    type Read = (
        Option<String>,
        Option<String>,
        Option<BTreeMap<String, Vec<i64>>>,
        Option<String>,
        Option<i64>,
    );
    let read = |o: &mut Object| -> Result<(Read, Map<String, Value>), E> {
        let (mut a, mut b, mut c, mut d, mut e) = (None, None, None, None, None);
        while let Some(index) = o.next_field()? {
            match index {
                0 => put_nullable(o, 0, &mut a),
                1 => put_nullable(o, 1, &mut b),
                2 => put_nullable(o, 2, &mut c),
                3 => put_nullable(o, 3, &mut d),
                _ => put_nullable(o, 4, &mut e),
            }?;
        }
        Ok(((a, b, c, d, e), unknown(o)?))
    };
    let fields = &["a", "b", "c", "d", "e"];
    for mut o in both(r#"{"a":null,"b":"x","c":{"k":[1]},"z":1}"#, fields) {
        let (got, rest) = read(&mut o).unwrap();
        let map = BTreeMap::from([("k".to_owned(), vec![1])]);
        assert_eq!(got, (None, Some("x".into()), Some(map), None, None));
        assert_eq!(rest, obj_map(json!({"z": 1})));
    }
    for mut o in both(r#"{"a":null,"d":7}"#, fields) {
        let err = read(&mut o).unwrap_err().to_string();
        assert_eq!(
            err,
            "field `d`: invalid type: integer `7`, expected a string"
        );
    }
}

#[test]
fn one_large_element_gets_room_for_one_and_more_grow_as_vec_grows() {
    // 320 bytes, larger than `LARGE_ELEMENT`, as a chat choice is.
    type Large = ([i64; 32], [i64; 8]);
    assert!(std::mem::size_of::<Large>() > text::LARGE_ELEMENT);
    let large = |n: i64| ([n; 32], [n; 8]);
    let json = |n: i64| format!("[{:?},{:?}]", [n; 32], [n; 8]);
    let decoded = text::decode_array::<Large>(&format!("[{}]", json(7))).unwrap();
    assert_eq!((decoded.len(), decoded.capacity()), (1, 1));
    assert_eq!(decoded[0], large(7));
    let three = format!("[{},{},{}]", json(1), json(2), json(3));
    let decoded = text::decode_array::<Large>(&three).unwrap();
    assert_eq!(decoded, vec![large(1), large(2), large(3)]);
    // Small elements keep `Vec`'s own first growth.
    let decoded = text::decode_array::<i64>("[5]").unwrap();
    assert_eq!((decoded.len(), decoded.capacity()), (1, 4));
}

#[test]
fn array_fields_decode_as_vec_decodes_them() {
    // `put_nullable_array` pushes each element as it is decoded; what
    // it gives (or the error) must be what `put_nullable` gives through
    // `Vec<T>`'s own impl, from text and from a `Value`, and the member
    // after the array must be read from where the array ends.
    fn read<T: DeserializeOwned>(
        o: &mut Object,
        pushed: bool,
    ) -> Result<(Option<Vec<T>>, Option<String>), String> {
        let (mut a, mut b) = (None, None);
        while let Some(index) = o.next_field().map_err(|e| e.to_string())? {
            let read = match (index, pushed) {
                (0, true) => put_nullable_array(o, 0, &mut a),
                (0, false) => put_nullable(o, 0, &mut a),
                _ => put(o, 1, &mut b),
            };
            read.map_err(|e| e.to_string())?;
        }
        Ok((a, b))
    }
    fn same<T: DeserializeOwned + PartialEq + fmt::Debug>(member: &str) {
        let text = format!(r#"{{"a":{member},"b":"after"}}"#);
        let [mut pushed, mut pushed_value] = both(&text, &["a", "b"]);
        let [mut through_vec, mut through_vec_value] = both(&text, &["a", "b"]);
        let want = read::<T>(&mut through_vec, false);
        assert_eq!(read::<T>(&mut pushed, true), want, "{member}");
        let want = read::<T>(&mut through_vec_value, false);
        assert_eq!(
            read::<T>(&mut pushed_value, true),
            want,
            "{member} as a value"
        );
    }
    for member in [
        "[]",
        "[ ]",
        "[1,2,3]",
        "[ 1 , -2 ]",
        "null",
        "{}",
        "\"x\"",
        "[1,\"x\"]",
        "[1.5]",
        "7",
    ] {
        same::<i64>(member);
    }
    for member in ["[[],[1],[2,3]]", "[null]", "[[1],{}]"] {
        same::<Vec<i64>>(member);
    }
    for member in [
        r#"[{"k":"v"},{}]"#,
        r#"[{"k":1}]"#,
        r#"[{"k":"]"}, {"k":"}"}]"#,
    ] {
        same::<BTreeMap<String, String>>(member);
    }
    // Cases pinned, so that the comparison cannot pass on two identical
    // wrong answers.
    let [mut o, _] = both(r#"{"b":"x","a":[ [1] , [] ]}"#, &["a", "b"]);
    let want = (Some(vec![vec![1], vec![]]), Some("x".into()));
    assert_eq!(read::<Vec<i64>>(&mut o, true), Ok(want));
    let [mut o, _] = both(r#"{"a":{}}"#, &["a", "b"]);
    let err = read::<i64>(&mut o, true).unwrap_err();
    assert_eq!(err, "field `a`: invalid type: map, expected a sequence");
}

/// The declared fields' values (`None`: missing or `null`) and the
/// undeclared members of an object.
type ReadMembers = (Vec<Option<Value>>, Map<String, Value>);

/// Reads every member of `o` as a generated reader does, each declared
/// field with `put_nullable` into its slot, and what nobody declared.
fn members(o: &mut Object, fields: usize) -> Result<ReadMembers, E> {
    let mut slots = vec![None; fields];
    while let Some(index) = o.next_field()? {
        put_nullable(o, index, &mut slots[index])?;
    }
    Ok((slots, unknown(o)?))
}

#[test]
fn members_are_read_in_the_order_they_come_from_text_and_from_a_value() {
    let text = r#"{"b":2,"x":[1,{"y":null}],"a":"s\u0041","n":null,"z":true}"#;
    let fields = &["a", "b", "n", "m"];
    for mut o in [
        text_obj(text, fields),
        obj(serde_json::from_str(text).unwrap(), fields),
    ] {
        let (slots, rest) = members(&mut o, 4).unwrap();
        assert_eq!(slots, [Some(json!("sA")), Some(json!(2)), None, None]);
        assert_eq!(rest, obj_map(json!({"x": [1, {"y": null}], "z": true})));
    }
    // Members in another order than their fields are declared in.
    let mut o = text_obj(r#"{"c":"3","b":"2","a":"1"}"#, &["a", "b", "c"]);
    let (slots, _) = members(&mut o, 3).unwrap();
    assert_eq!(
        slots,
        [Some(json!("1")), Some(json!("2")), Some(json!("3"))]
    );
    // A member whose reader failed ends the reading with its error, named.
    let mut o = text_obj(r#"{"a":"x"}"#, &["a"]);
    assert_eq!(o.next_field().unwrap(), Some(0));
    let mut slot: Option<i64> = None;
    let err = put(&mut o, 0, &mut slot).unwrap_err().to_string();
    assert_eq!(err, "field `a`: invalid type: string \"x\", expected i64");
}

#[test]
fn a_declared_member_met_twice_is_refused_and_an_undeclared_one_keeps_its_last() {
    for text in [
        r#"{"a":1,"a":2}"#,
        r#"{"b":0,"a":1,"a":2}"#,
        r#"{"a":1,"b":0,"a":2}"#,
        r#"{"a":1,"a":2,"b":0}"#,
        r#"{"a":1,"b":0,"a":null}"#,
    ] {
        let err = members(&mut text_obj(text, &["a", "b"]), 2).unwrap_err();
        assert_eq!(err.to_string(), "duplicate field `a`", "{text}");
    }
    let (_, rest) = members(&mut text_obj(r#"{"a":1,"x":1,"x":2}"#, &["a"]), 1).unwrap();
    assert_eq!(rest, obj_map(json!({"x": 2})));
    // Across both words of the mask: each field of a wide shape is
    // refused when met twice, and only that one.
    let names: Vec<&'static str> = (0..128)
        .map(|i| &*Box::leak(format!("f{i}").into_boxed_str()))
        .collect();
    for twice in [0, 1, 63, 64, 65, 127] {
        let others = [0, 63, 64, 127].map(|i| format!(r#""f{i}":{i}"#));
        let text = format!(r#"{{{},"f{twice}":0}}"#, others.join(","));
        let result = members(&mut text_obj(&text, &names), names.len());
        if [0, 63, 64, 127].contains(&twice) {
            let err = result.unwrap_err().to_string();
            assert_eq!(err, format!("duplicate field `f{twice}`"), "{text}");
        } else {
            assert!(result.is_ok(), "{text}");
        }
    }
}

#[test]
fn required_fields_are_finished_filled_and_reported_or_refused_when_strict() {
    let read = |o: &mut Object| -> Result<(String, Vec<i64>, i64, Value), E> {
        let (mut a, mut b, mut n, mut v) = (None, None, None, None);
        while let Some(index) = o.next_field()? {
            match index {
                0 => put_nullable(o, 0, &mut a),
                1 => put_nullable(o, 1, &mut b),
                2 => put_int64(o, 2, &mut n),
                _ => put(o, 3, &mut v),
            }?;
        }
        unknown(o)?;
        let a = or_empty(o, 0, a);
        let b = or_empty(o, 1, b);
        let n = int64_or_empty(o, 2, n);
        let v = required(o, 3, v)?;
        check(o)?;
        Ok((a, b, n, v))
    };
    let fields = &["a", "b", "n", "v"];
    for mut o in both(r#"{"a":null}"#, fields) {
        let (read_back, fills) = collect_fills(|| read(&mut o));
        // A required `Value` that is missing reads as `null`.
        assert_eq!(read_back.unwrap(), (String::new(), vec![], 0, Value::Null));
        assert_eq!(
            fills,
            [
                "T.a: missing or null, read as empty",
                "T.b: missing or null, read as empty",
                "T.n: missing or null, read as empty"
            ]
        );
    }
    for mut o in both(r#"{"n":7,"b":[1]}"#, fields) {
        let err = strict(|| read(&mut o)).unwrap_err();
        assert_eq!(err.to_string(), "missing field `a`");
    }
    // Strict mode ends with its closure.
    let got = read(&mut text_obj(r#"{"n":7,"b":[1]}"#, fields)).unwrap();
    assert_eq!(got, (String::new(), vec![1], 7, Value::Null));
    let got = strict(|| {
        read(&mut obj(
            json!({"a": "s", "b": [1], "n": 7, "v": 1}),
            fields,
        ))
    });
    assert_eq!(got.unwrap(), ("s".to_owned(), vec![1], 7, json!(1)));
    // A required field of a type that takes no `null` is reported missing.
    for mut o in both("{}", &["a"]) {
        assert_eq!(o.next_field().unwrap(), None);
        let err = required::<i64>(&o, 0, None).unwrap_err().to_string();
        assert_eq!(err, "missing field `a`");
    }
}

#[test]
fn int64_members_saturate_at_their_bounds_written_as_floats() {
    let read = |o: &mut Object| -> Result<(i64, Option<i64>), E> {
        let (mut n, mut opt) = (None, None);
        while let Some(index) = o.next_field()? {
            match index {
                0 => put_int64(o, 0, &mut n),
                _ => put_int64(o, 1, &mut opt),
            }?;
        }
        let n = int64_or_empty::<i64>(o, 0, n);
        let opt = int64_or_empty::<Option<i64>>(o, 1, opt);
        check(o)?;
        Ok((n, opt))
    };
    let fields = &["n", "o"];
    let cases = [
        (
            r#"{"n":9223372036854776000,"o":-9.223372036854776e18}"#,
            Ok((i64::MAX, Some(i64::MIN))),
        ),
        (r#"{"o":-5,"n":3}"#, Ok((3, Some(-5)))),
        (r#"{"n":null}"#, Ok((0, None))),
        (
            r#"{"n":1.5}"#,
            Err("field `n`: 1.5 is not a 64-bit integer"),
        ),
        (
            r#"{"n":1,"o":-2.5}"#,
            Err("field `o`: -2.5 is not a 64-bit integer"),
        ),
    ];
    for (text, expected) in cases {
        for mut o in both(text, fields) {
            let got = read(&mut o).map_err(|e| e.to_string());
            assert_eq!(got, expected.map_err(str::to_owned), "{text}");
        }
    }
    // A required one missing reads as 0 and is noted; strict refuses it.
    for mut o in both(r#"{"o":1}"#, fields) {
        let (got, fills) = collect_fills(|| read(&mut o));
        assert_eq!((got.unwrap(), fills.len()), ((0, Some(1)), 1));
    }
    for mut o in both(r#"{"o":1}"#, fields) {
        let err = strict(|| read(&mut o)).unwrap_err().to_string();
        assert_eq!(err, "missing field `n`");
    }
}

#[test]
fn a_node_kind_is_its_first_byte_or_its_value() {
    let cases = [
        ("{}", kind::OBJECT),
        ("[1]", kind::ARRAY),
        ("\"a\"", kind::STRING),
        ("-1.5", kind::NUMBER),
        ("7", kind::NUMBER),
        ("true", kind::BOOL),
        ("false", kind::BOOL),
        ("null", kind::NULL),
    ];
    for (text, expected) in cases {
        assert_eq!(json_kind(&Node::Text(text)), expected, "{text}");
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(json_kind(&Node::Value(Box::new(value))), expected, "{text}");
    }
    assert_eq!(json_kind(&Node::Text(" \n{}")), kind::OBJECT);
    let all = [
        kind::OBJECT,
        kind::ARRAY,
        kind::STRING,
        kind::NUMBER,
        kind::BOOL,
        kind::NULL,
    ];
    assert_eq!(all.iter().fold(0, |a, k| a | k), 63, "one bit each");
}

#[test]
fn base64_members_and_number_arrays_give_the_same_numbers() {
    use base64::Engine as _;
    let floats = [0.5f32, -1.25, 3.0e-8, f32::MAX, 0.1];
    let bytes: Vec<u8> = floats.iter().flat_map(|f| f.to_le_bytes()).collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let expected: Vec<f64> = floats.iter().map(|&f| f64::from(f)).collect();
    let read = |o: &mut Object| -> Result<Vec<f64>, E> {
        let mut e = None;
        while let Some(index) = o.next_field()? {
            put_base64_float32(o, index, &mut e)?;
        }
        let e = or_empty(o, 0, e);
        check(o)?;
        Ok(e)
    };
    let array = serde_json::to_string(&expected).unwrap();
    // JSON may escape `/`; the API does not, but an escape must not change the numbers.
    let escaped = encoded.replace('/', "\\/");
    assert_ne!(escaped, encoded, "the test's base64 has a `/` to escape");
    for text in [
        format!(r#"{{"e":"{encoded}"}}"#),
        format!(r#"{{"e":"{escaped}"}}"#),
        format!(r#"{{"e":{array}}}"#),
        // The members after it are read from where it ends.
        format!(r#"{{"e":"{encoded}","x":[1,"]"]}}"#),
        format!(r#"{{"e": {array} ,"x":"\""}}"#),
    ] {
        for mut o in both(&text, &["e"]) {
            assert_eq!(read(&mut o).unwrap(), expected, "{text} {o:?}");
        }
    }
    for mut o in both(r#"{"e":[1,"2"]}"#, &["e"]) {
        let err = read(&mut o).unwrap_err().to_string();
        assert!(err.starts_with("field `e`: invalid type: string"), "{err}");
    }
    for mut o in both(r#"{"e":null}"#, &["e"]) {
        assert_eq!(read(&mut o).unwrap(), Vec::<f64>::new());
    }
    for mut o in both(r#"{"e":"AAAA!"}"#, &["e"]) {
        let err = read(&mut o).unwrap_err().to_string();
        assert!(err.starts_with("field `e`: invalid base64"), "{err}");
    }
    for mut o in both(r#"{"e":"AAA="}"#, &["e"]) {
        let err = read(&mut o).unwrap_err().to_string();
        assert!(err.contains("not a whole number"), "{err}");
    }
}

#[test]
fn text_and_value_objects_read_alike() {
    type Read = (String, i64, Option<i64>, BTreeMap<String, Vec<i64>>);
    let read = |o: &mut Object| -> Result<(Read, Map<String, Value>), E> {
        let (mut s, mut a, mut n, mut m) = (None, None, None, None);
        while let Some(index) = o.next_field()? {
            match index {
                0 => put(o, 0, &mut s),
                1 => put(o, 1, &mut a),
                2 => put_nullable(o, 2, &mut n),
                _ => put(o, 3, &mut m),
            }?;
        }
        let rest = unknown(o)?;
        let (s, a, m) = (required(o, 0, s)?, required(o, 1, a)?, required(o, 3, m)?);
        Ok(((s, a, n, m), rest))
    };
    let text = r#"{"a":2,"s":"x\u0041","n":null,"o":{"k":[1,2]},"z":true}"#;
    for mut o in both(text, &["s", "a", "n", "o"]) {
        let (got, rest) = read(&mut o).unwrap();
        let map = BTreeMap::from([("k".to_owned(), vec![1, 2])]);
        assert_eq!(got, ("xA".to_owned(), 2, None, map));
        assert_eq!(rest, obj_map(json!({"z": true})));
    }
    // Checked once, at the top, with the position in the whole text.
    let err = from_str::<BTreeMap<String, i64>>("{\n\"a\":1")
        .unwrap_err()
        .to_string();
    assert_eq!(err, "EOF while parsing an object at line 2 column 5");
    // Text read without that check is still refused, without a panic,
    // where the reading finds it broken.
    let mut o = object(TextDeserializer::new(r#"{"a":1"#), shape(&["a"])).unwrap();
    let err = unknown(&mut o).unwrap_err().to_string();
    assert_eq!(err, "expected `,` or `}`, found the end");
    let mut o = object(TextDeserializer::new(r#"{"a" 1}"#), shape(&["a"])).unwrap();
    let err = unknown(&mut o).unwrap_err().to_string();
    assert_eq!(err, "expected `:`, found `1` at byte 5");
    let err = object(TextDeserializer::new("[1]"), shape(&[]))
        .unwrap_err()
        .to_string();
    assert_eq!(err, "invalid type: sequence, expected an object `T`");
}

#[test]
fn documents_decode_from_text_as_serde_json_decodes_them() {
    let text = " {\"list\": [{\"a\": [1, -2.5e3, \"\\n\"]}, null, {}], \"b\": false}\n";
    let ours: Value = from_str(text).unwrap();
    assert_eq!(ours, serde_json::from_str::<Value>(text).unwrap());
    assert!(from_str::<Value>("{} x").is_err());
    assert!(from_str::<Value>("[1,]").is_err());
    assert!(from_slice::<Value>(b"\xff").is_err());
    assert_eq!(from_str::<Option<Vec<u8>>>("null").unwrap(), None);
    let tag = Node::Text(r#"{"b":1,"type":"x\u0079"}"#)
        .tag("type")
        .unwrap();
    assert_eq!(tag.as_deref(), Some("xy"));
    assert_eq!(Node::Text(r#"{"type":1}"#).tag("type").unwrap(), None);
    assert_eq!(Node::Text("[]").tag("type").unwrap(), None);
    // A repeated tag: in text the first one (read before the rest of the
    // object, whose type refuses the repeat), in a `Value` the last.
    let repeated = r#"{"type":"a","x":{"type":"c"},"type":"b"}"#;
    let tag = Node::Text(repeated).tag("type").unwrap();
    assert_eq!(tag.as_deref(), Some("a"));
    let value = Node::Value(Box::new(serde_json::from_str(repeated).unwrap()));
    assert_eq!(value.tag("type").unwrap().as_deref(), Some("b"));
    // A string read as a `Value` (an undeclared member's) is the one
    // serde_json reads, or refused where serde_json refuses it.
    let strings = [
        r#""plain""#,
        r#""a\nb\u00e9\"""#,
        r#""""#,
        r#""bad \x""#,
        "\"unclosed",
        "\"a\"x",
        "\"tab\there\"",
        r#""\ud800""#,
    ];
    for text in strings {
        let ours = Node::Text(text).into_value::<serde_json::Error>();
        match serde_json::from_str::<Value>(text) {
            Ok(value) => assert_eq!(ours.unwrap(), value, "{text}"),
            Err(_) => assert!(ours.is_err(), "{text}: {ours:?}"),
        }
    }
    // In a text that goes on, the string ends at its quote.
    let value = Node::Text(r#""a\"b" , "c"}"#).into_value::<serde_json::Error>();
    assert_eq!(value.unwrap(), json!("a\"b"));
}

/// Plain strings and integers are read without serde_json: every type
/// must still get what serde_json gives it, value or error message.
#[test]
fn scalars_read_as_serde_json_reads_them() {
    #[derive(serde::Deserialize, PartialEq, Debug)]
    struct Unit;
    #[derive(serde::Deserialize, PartialEq, Debug)]
    enum Variants {
        A,
        B(i64),
    }
    /// What a visitor that asks for bytes is given.
    #[derive(PartialEq, Debug)]
    struct Bytes(Vec<u8>);
    impl<'de> serde::Deserialize<'de> for Bytes {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct BytesVisitor;
            impl<'de> serde::de::Visitor<'de> for BytesVisitor {
                type Value = Bytes;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Bytes, E> {
                    Ok(Bytes(v.to_vec()))
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(
                    self,
                    mut seq: A,
                ) -> Result<Bytes, A::Error> {
                    let mut out = Vec::new();
                    while let Some(b) = seq.next_element()? {
                        out.push(b);
                    }
                    Ok(Bytes(out))
                }
            }
            d.deserialize_bytes(BytesVisitor)
        }
    }
    fn same<T: DeserializeOwned + PartialEq + fmt::Debug>(text: &str) {
        let ours = T::deserialize(TextDeserializer::new(text)).map_err(|e| message(&e));
        let theirs = serde_json::from_str::<T>(text).map_err(|e| message(&e));
        let what = format!("{text} as {}", std::any::type_name::<T>());
        if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
            // The same value, or the same complaint.
            assert_eq!(ours, theirs, "{what}");
        } else {
            // Broken JSON: refused (serde_json's own message for it
            // depends on the type asked for; `from_str` reports its).
            assert!(ours.is_err() && theirs.is_err(), "{what}: {ours:?}");
        }
    }
    let head = [
        "0",
        "-0",
        "7",
        "-7",
        "255",
        "256",
        "-129",
        "2147483648",
        "4294967296",
    ];
    let tail = [
        "1.0",
        "1e3",
        "-1.5E-3",
        "true",
        "false",
        "null",
        "\"\"",
        "\"a\"",
        "\"é✓\"",
        "\"a\\nb\"",
        "\"\\u00e9\"",
        "\"7\"",
        "[1]",
        "[1,300]",
        "{}",
        "{\"B\":3}",
        "1e400",
        "-",
        "01",
        "1.",
        "nul",
        "\"\\ud800\"",
        "\"\\ud83d\\ude00\"",
        "\"ab",
        "\"A\"",
        "\"xy\"",
        "\"\\u0041\"",
        "170141183460469231731687303715884105727",
        "-170141183460469231731687303715884105728",
    ];
    for text in head.into_iter().chain(INTEGER_BOUNDS).chain(tail) {
        same::<i64>(text);
        same::<f32>(text);
        same::<char>(text);
        same::<()>(text);
        same::<Unit>(text);
        same::<Bytes>(text);
        same::<i128>(text);
        same::<u128>(text);
        same::<Variants>(text);
        same::<i32>(text);
        same::<i8>(text);
        same::<u64>(text);
        same::<u32>(text);
        same::<u8>(text);
        same::<f64>(text);
        same::<bool>(text);
        same::<String>(text);
        same::<Option<String>>(text);
        same::<Option<i64>>(text);
        same::<Value>(text);
    }
    // A string enum's text is borrowed when it has no escapes.
    let plain = <Str as serde::Deserialize>::deserialize(TextDeserializer::new("\"ab\"")).unwrap();
    assert!(matches!(plain, Str(Cow::Borrowed("ab"))), "{plain:?}");
    let escaped =
        <Str as serde::Deserialize>::deserialize(TextDeserializer::new("\"a\\u0062\"")).unwrap();
    assert_eq!(escaped.as_str(), "ab");
}

/// Numbers are read exactly, as openai-python reads them: the shortest
/// text that names an `f64` reads back as that `f64`, in a field and in
/// a `Value` (serde_json's default reading is one unit off in the last
/// place for some 17-digit numbers; the client turns on its
/// `float_roundtrip`).
#[test]
fn numbers_are_read_exactly() {
    let mut bits: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut tried = 0;
    for _ in 0..20_000 {
        bits = bits
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let x = f64::from_bits(bits);
        if !x.is_finite() {
            continue;
        }
        tried += 1;
        for text in [format!("{x:e}"), serde_json::to_string(&x).unwrap()] {
            assert_eq!(
                from_str::<f64>(&text).unwrap().to_bits(),
                x.to_bits(),
                "{text}"
            );
            let value = from_str::<Value>(&format!("[{text}]")).unwrap();
            assert_eq!(
                value[0].as_f64().map(f64::to_bits),
                Some(x.to_bits()),
                "{text}"
            );
        }
    }
    assert!(tried > 19_000);
    let max = f64::from(f32::MAX);
    assert_eq!(from_str::<f64>("3.4028234663852886e+38").unwrap(), max);
}

/// Plain integers are read in one pass from the start of a text (prefix
/// mode): the value and length serde_json gives an integer that fits 64
/// bits, whatever ends it, and `None` for anything serde_json reads
/// otherwise (`-0`, fractions, exponents, wider integers) or refuses.
#[test]
fn plain_integers_are_read_from_the_start_of_a_text() {
    let head = [
        "0", "-0", "7", "-7", "10", "01", "-01", "00", "-", "", "1.5", "1e3", "-1E-2",
    ];
    let tail = ["99999999999999999999", "+1"];
    let numbers = head.into_iter().chain(INTEGER_BOUNDS).chain(tail);
    let ends = ["", ",", "}", "]", " ", "\n", "x", ".", "e", "\""];
    for number in numbers {
        let expected = match serde_json::from_str::<Value>(number) {
            Ok(Value::Number(n)) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Some(Ok(u)),
                (None, Some(i)) => Some(Err(i)),
                _ => None,
            },
            _ => None,
        };
        for end in ends {
            let text = format!("{number}{end}");
            let ends_it = ends_scalar(end.as_bytes().first().copied());
            let want = expected.filter(|_| ends_it).map(|n| (n, number.len()));
            assert_eq!(text::plain_integer(&text), want, "{text:?}");
        }
    }
}

/// Nothing is checked up front, so every part must be checked by what
/// reads it: each document, broken at every byte in several ways, is
/// accepted only where serde_json accepts it, as the same value.
/// Each value is read once: every reader reports how long its value
/// was, so no array or object has to scan past a member it just read.
/// (Scanning is the fallback, slower but as correct: this catches a
/// reader that stopped reporting.)
#[test]
fn members_are_read_in_one_pass() {
    fn scans_past<T: DeserializeOwned>(text: &str) -> usize {
        text::SCANS_PAST.with(|n| n.set(0));
        from_str::<T>(text).unwrap();
        text::SCANS_PAST.with(|n| n.get())
    }
    let list = r#"{"object":"list","data":[{"id":"file-1","object":"file","bytes":10,"created_at":1700000000,"expires_at":null,"filename":"a.jsonl","purpose":"fine-tune","status":"processed","status_details":null,"x":[1,-2.5e3,true,{"k\u00e9":"\n"}]},{"id":"file-2","object":"file","bytes":1,"created_at":1,"filename":"b","purpose":"batch","status":"uploaded"}],"first_id":"file-1","last_id":"file-2","has_more":false}"#;
    let chunk = r#"{"id":"c1","choices":[{"delta":{"content":" hi\"","role":"assistant"},"logprobs":null,"finish_reason":null,"index":0}],"created":1741570283,"model":"m","system_fingerprint":"fp","object":"chat.completion.chunk","usage":null}"#;
    let event = r#"{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":" hello","sequence_number":5,"logprobs":[]}"#;
    assert_eq!(scans_past::<crate::types::ListFilesResponse>(list), 0);
    assert_eq!(
        scans_past::<crate::types::CreateChatCompletionStreamResponse>(chunk),
        0
    );
    assert_eq!(scans_past::<crate::types::ResponseStreamEvent>(event), 0);
    for text in [list, chunk, event] {
        assert_eq!(scans_past::<Value>(text), 0);
        assert_eq!(scans_past::<BTreeMap<String, Value>>(text), 0);
    }
    assert_eq!(scans_past::<Vec<Option<i64>>>("[1, null, -3]"), 0);
    // The fallback itself: a value taken as a node and never read is
    // scanned past.
    struct Unread;
    impl<'de> serde::Deserialize<'de> for Unread {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Node::deserialize(d).map(|_| Unread)
        }
    }
    let mut o = text_obj(r#"{"a":[1,{"b":"]"}],"c":2}"#, &["a", "c"]);
    text::SCANS_PAST.with(|n| n.set(0));
    assert_eq!(o.next_field().unwrap(), Some(0));
    put::<Unread>(&mut o, 0, &mut None).unwrap();
    assert_eq!(o.next_field().unwrap(), Some(1));
    let mut c = None;
    put::<i64>(&mut o, 1, &mut c).unwrap();
    assert_eq!(c, Some(2));
    assert_eq!(text::SCANS_PAST.with(|n| n.get()), 1);
}

#[test]
fn broken_documents_are_refused_wherever_they_break() {
    let documents = [
        r#"{"object":"list","data":[{"object":"file","id":"file-1","purpose":"fine-tune","filename":"a.jsonl","bytes":10,"created_at":1700000000,"expires_at":null,"status":"processed","status_details":null,"x":[1,-2.5e3,true,{"k\u00e9":"\n"}]}],"has_more":false}"#,
        r#"{"id":"c1","object":"chat.completion.chunk","created":1741570283,"model":"m","system_fingerprint":"fp","choices":[{"index":0,"delta":{"content":" hi\"","role":"assistant"},"logprobs":null,"finish_reason":null}],"usage":null}"#,
        r#" [ {"a" : [ [], {}, "", 0 ] } , null , -0 , 1E+2 ] "#,
    ];
    let replacements: &[&[u8]] = &[
        b"",
        b"\"",
        b"\\",
        b"{",
        b"}",
        b"[",
        b"]",
        b",",
        b":",
        b" ",
        b"\x01",
        b"x",
        b"0",
        b"-",
        b"n",
        b"\xc3\xa9",
        b"\"\"",
    ];
    fn agree<T: DeserializeOwned + serde::Serialize>(text: &str) -> Result<(), String> {
        let theirs = serde_json::from_str::<Value>(text);
        match (from_str::<T>(text), theirs) {
            (Ok(ours), Ok(theirs)) if std::any::type_name::<T>().ends_with("Value") => {
                let ours = serde_json::to_value(&ours).unwrap();
                (ours == theirs)
                    .then_some(())
                    .ok_or(format!("{ours} != {theirs}"))
            }
            (Ok(_), Err(e)) => Err(format!("accepted, serde_json says {e}")),
            _ => Ok(()),
        }
    }
    let mut broken = 0;
    for document in documents {
        let bytes = document.as_bytes();
        for at in 0..=bytes.len() {
            for (replace, with) in [(0, 0), (1, 0)]
                .iter()
                .flat_map(|&(r, _)| replacements.iter().map(move |w| (r, *w)))
            {
                let end = (at + replace).min(bytes.len());
                let mut text = bytes[..at].to_vec();
                text.extend_from_slice(with);
                text.extend_from_slice(&bytes[end..]);
                let Ok(text) = String::from_utf8(text) else {
                    continue;
                };
                broken += usize::from(serde_json::from_str::<Value>(&text).is_err());
                let checks = [
                    agree::<Value>(&text),
                    agree::<crate::types::ListFilesResponse>(&text),
                    agree::<crate::types::CreateChatCompletionStreamResponse>(&text),
                    agree::<BTreeMap<String, Value>>(&text),
                    agree::<Vec<Value>>(&text),
                ];
                for check in checks {
                    if let Err(why) = check {
                        panic!("{text:?}: {why}");
                    }
                }
            }
        }
    }
    assert!(broken > 1000, "only {broken} broken documents were tried");
    // Nested deeper than serde_json allows: refused, not a stack overflow.
    let nested = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let objects = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    for deep in [nested(100_000), objects] {
        let err = from_str::<Value>(&deep).unwrap_err().to_string();
        assert!(err.contains("recursion limit"), "{err}");
    }
    for depth in 126..=130 {
        let ours = from_str::<Value>(&nested(depth)).is_ok();
        let theirs = serde_json::from_str::<Value>(&nested(depth)).is_ok();
        assert_eq!(ours, theirs, "depth {depth}");
    }
}

fn obj_map(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[test]
fn wrong_types_name_the_field() {
    let mut o = obj(json!({"n": "x"}), &["n"]);
    assert_eq!(o.next_field().unwrap(), Some(0));
    let err = put::<i64>(&mut o, 0, &mut None).unwrap_err().to_string();
    assert!(
        err.starts_with("field `n`: invalid type: string \"x\""),
        "{err}"
    );
    static THING: Shape = Shape::new("Thing", &[]);
    let not_object = object(json!([1]), &THING).unwrap_err().to_string();
    assert_eq!(
        not_object,
        "invalid type: sequence, expected an object `Thing`"
    );
}

#[test]
fn untagged_attempts() {
    let node = |v: Value| Node::Value(Box::new(v));
    assert_eq!(
        variant::<i64>(&node(json!(3))).map(Attempt::accept),
        Some(3)
    );
    assert!(variant::<i64>(&node(json!("3"))).is_none());
    assert_eq!(
        variant::<i64>(&Node::Text("3")).map(Attempt::accept),
        Some(3)
    );
    assert!(variant::<i64>(&Node::Text("\"3\"")).is_none());
    let e = no_variant(&Node::Text("true"), "a value matching one variant of `X`");
    assert_eq!(
        e.to_string(),
        "invalid value: boolean `true`, expected a value matching one variant of `X`"
    );
    let e = no_variant(&node(json!(true)), "a value matching one variant of `X`");
    assert_eq!(
        e.to_string(),
        "invalid value: boolean `true`, expected a value matching one variant of `X`"
    );
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
    // `y` is declared but left in its slot: it counts as not taken.
    let mut o = obj(json!({"x": 1, "y": 2}), &["y"]);
    assert_eq!(whole::<Value>(&mut o).unwrap(), json!({"x": 1, "y": 2}));
    let r: BTreeMap<String, i64> = rest::<i64>(&mut o).unwrap();
    assert_eq!(
        r.into_iter().collect::<Vec<_>>(),
        vec![("x".to_owned(), 1), ("y".to_owned(), 2)]
    );
}

#[test]
fn members_fill_their_fields_in_any_order_and_unknown_ones_keep_theirs() {
    let text = r#"{"z":0,"c":4,"b":2,"y":{"k":1},"a":1,"x":[]}"#;
    for mut o in both(text, &["a", "b", "c"]) {
        let (slots, rest) = members(&mut o, 3).unwrap();
        assert_eq!(slots, [Some(json!(1)), Some(json!(2)), Some(json!(4))]);
        assert_eq!(Value::Object(rest), json!({"z": 0, "y": {"k": 1}, "x": []}));
    }
    // Many declared fields, members in reverse order.
    let names: Vec<&'static str> = (0..20).map(|i| &*String::leak(format!("f{i}"))).collect();
    let members_text: Vec<String> = names
        .iter()
        .rev()
        .map(|n| format!("\"{n}\":{}", &n[1..]))
        .collect();
    let text = format!("{{{},\"zz\":1}}", members_text.join(","));
    for mut o in both(&text, &names) {
        let (slots, rest) = members(&mut o, 20).unwrap();
        let expected: Vec<Option<Value>> = (0..20).map(|i| Some(json!(i))).collect();
        assert_eq!(slots, expected);
        assert_eq!(Value::Object(rest), json!({"zz": 1}));
    }
}

/// How a generated reader puts a field's value in its slot.
type Put<T> = fn(&mut Object, usize, &mut Option<T>) -> Result<(), Failure>;

/// Reads `o`'s members `s` and `t` into slots of `T`, `s` by `put_s`, `t` by
/// `put_nullable`: each member's index and slot, or the first error.
fn read_members<T: DeserializeOwned>(
    o: &mut Object,
    put_s: Put<T>,
) -> Result<Vec<(usize, Option<T>)>, String> {
    let mut got = Vec::new();
    while let Some(index) = o.next_field().map_err(|e| e.to_string())? {
        let mut slot: Option<T> = None;
        match index {
            0 => put_s(o, 0, &mut slot),
            _ => put_nullable(o, index, &mut slot),
        }
        .map_err(|e| e.to_string())?;
        got.push((index, slot));
    }
    Ok(got)
}

/// Asserts that `put` reads member `s` of each of `texts` (objects of `s`
/// and `t`) as `put_nullable` reads it, from the text and from a `Value`:
/// the same values, `null` as nothing, the same errors, and the member
/// after it read as usual.
fn reads_as_put_nullable<T>(texts: &[&str], put: Put<T>)
where
    T: DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let fields = &["s", "t"];
    for &text in texts {
        let expected = read_members::<T>(&mut text_obj(text, fields), put_nullable);
        assert_eq!(
            read_members(&mut text_obj(text, fields), put),
            expected,
            "{text}"
        );
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            let expected = read_members::<T>(&mut obj(value.clone(), fields), put_nullable);
            assert_eq!(
                read_members(&mut obj(value, fields), put),
                expected,
                "{text}"
            );
        }
    }
}

/// A `String` field read by `put_nullable_string` gets what `put_nullable`
/// gives it (see [`reads_as_put_nullable`]).
#[test]
fn string_fields_read_as_put_nullable_reads_them() {
    let texts = [
        r#"{"s":"plain","t":"x"}"#,
        r#"{"s":"","t":"x"}"#,
        r#"{"s":"h\u00e9 \"q\" \\ \n","t":"x"}"#,
        r#"{"s":"naïve ✓","t":"x"}"#,
        r#"{"s" : "spaced" ,"t":"x"}"#,
        r#"{"s":null,"t":"x"}"#,
        r#"{"s":1,"t":"x"}"#,
        r#"{"s":["a"],"t":"x"}"#,
        r#"{"s":"raw	tab","t":"x"}"#,
        r#"{"s":"bad \q","t":"x"}"#,
        r#"{"s":"unclosed"#,
        r#"{"s":"a"x,"t":"x"}"#,
    ];
    reads_as_put_nullable::<String>(&texts, put_nullable_string);
    // A plain string is copied from its text and reported read: nothing
    // scans past it again.
    text::SCANS_PAST.with(|n| n.set(0));
    let mut o = text_obj(r#"{"s":"plain","t":null}"#, &["s", "t"]);
    assert_eq!(
        read_members(&mut o, put_nullable_string).unwrap()[0],
        (0, Some("plain".to_owned()))
    );
    assert_eq!(text::SCANS_PAST.with(|n| n.get()), 0);
}

/// A string enum as the generated ones are: known values, a catch-all, a
/// table, read by `read_enum`; it counts the times serde asks it to decode.
#[derive(Debug, Clone, PartialEq)]
enum Tier {
    Auto,
    Default,
    Other(String),
}

thread_local! {
    static TIER_DECODES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl From<&str> for Tier {
    fn from(value: &str) -> Self {
        match value {
            "auto" => Tier::Auto,
            "default" => Tier::Default,
            other => Tier::Other(other.to_owned()),
        }
    }
}

impl WireEnum for Tier {
    fn wire_values() -> &'static EnumValues {
        static VALUES: EnumValues = EnumValues::new(&["auto", "default"]);
        &VALUES
    }
}

impl<'de> serde::Deserialize<'de> for Tier {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        TIER_DECODES.with(|n| n.set(n.get() + 1));
        read_enum(deserializer)
    }
}

/// A string enum field read by `put_nullable_enum` gets what `put_nullable`
/// gives it (see [`reads_as_put_nullable`]): known and unknown values alike;
/// a known value written plainly is matched in the enum's table without
/// serde decoding it, and is not scanned again.
#[test]
fn enum_fields_read_as_put_nullable_reads_them() {
    let texts = [
        r#"{"s":"auto","t":"default"}"#,
        r#"{"s":"default","t":"x"}"#,
        r#"{"s":"autos","t":"x"}"#,
        r#"{"s":"aut","t":"x"}"#,
        r#"{"s":"","t":"x"}"#,
        r#"{"s":"\u0061uto","t":"x"}"#,
        r#"{"s" : "auto" ,"t":"x"}"#,
        r#"{"s":null,"t":"x"}"#,
        r#"{"s":1,"t":"x"}"#,
        r#"{"s":["auto"],"t":"x"}"#,
        r#"{"s":"auto"x,"t":"x"}"#,
        r#"{"s":"auto"#,
    ];
    reads_as_put_nullable::<Tier>(&texts, put_nullable_enum);
    let read = |o: &mut Object| read_members(o, put_nullable_enum::<Tier>);
    // Known values written plainly: no decode through serde, no scan past.
    TIER_DECODES.with(|n| n.set(0));
    text::SCANS_PAST.with(|n| n.set(0));
    let mut o = text_obj(r#"{"s":"default","t":null}"#, &["s", "t"]);
    assert_eq!(read(&mut o).unwrap(), [(0, Some(Tier::Default)), (1, None)]);
    assert_eq!(TIER_DECODES.with(|n| n.get()), 0);
    assert_eq!(text::SCANS_PAST.with(|n| n.get()), 0);
    // Anything else is decoded as the enum's own impl decodes it.
    let mut o = text_obj(r#"{"s":"new tier","t":null}"#, &["s", "t"]);
    let got = read(&mut o).unwrap();
    assert_eq!(got[0], (0, Some(Tier::Other("new tier".to_owned()))));
    assert_eq!(TIER_DECODES.with(|n| n.get()), 1);
}
