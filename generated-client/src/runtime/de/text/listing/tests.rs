//! Every listing decoded as it arrives, cut into chunks of every size, must
//! come out as the same listing decoded whole: the same value, the same
//! lenient fills, an error where that is one.

use super::*;
use crate::runtime::de::{
    check, or_empty, put_int64, put_nullable, put_nullable_array, put_nullable_string, read_object,
    unknown, Shape,
};
use serde::Deserialize;
use serde_json::{Map, Value};

/// An item as the generated types read one: a string, an integer, what is
/// undeclared kept.
#[derive(Debug, PartialEq)]
struct File {
    id: String,
    bytes: i64,
    rest: Map<String, Value>,
}

impl<'de> Deserialize<'de> for File {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        static SHAPE: Shape = Shape::new("File", &["id", "bytes"]);
        read_object(d, &SHAPE, |object| {
            let (mut v0, mut v1) = (None, None);
            while let Some(index) = object.next_field()? {
                match index {
                    0 => put_nullable_string(object, 0, &mut v0),
                    1 => put_int64(object, 1, &mut v1),
                    _ => Ok(()),
                }?;
            }
            let rest = unknown(object)?;
            let id = or_empty(object, 0, v0);
            let bytes = or_empty(object, 1, v1);
            check(object)?;
            Ok(File { id, bytes, rest })
        })
    }
}

/// A listing of `T`, read as the generated types read one.
#[derive(Debug, PartialEq)]
struct Page<T> {
    object: String,
    data: Vec<T>,
    has_more: bool,
    rest: Map<String, Value>,
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Page<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        static SHAPE: Shape = Shape::new("Page", &["object", "data", "has_more"]);
        read_object(d, &SHAPE, |object| {
            let (mut v0, mut v1, mut v2) = (None, None, None);
            while let Some(index) = object.next_field()? {
                match index {
                    0 => put_nullable_string(object, 0, &mut v0),
                    1 => put_nullable_array(object, 1, &mut v1),
                    2 => put_nullable(object, 2, &mut v2),
                    _ => Ok(()),
                }?;
            }
            let rest = unknown(object)?;
            let object_name = or_empty(object, 0, v0);
            let data = or_empty(object, 1, v1);
            let has_more = or_empty(object, 2, v2);
            check(object)?;
            Ok(Page {
                object: object_name,
                data,
                has_more,
                rest,
            })
        })
    }
}

/// What a decode came to: the listing and its fills, or the error.
type Outcome<T> = Result<(Page<T>, Vec<String>), String>;

/// `doc` decoded whole, as `execute_json` decodes it.
fn whole<T: DeserializeOwned>(doc: &[u8], strict_mode: bool) -> Outcome<T> {
    let decode = || crate::runtime::de::from_slice::<Page<T>>(doc);
    let (decoded, fills) = match strict_mode {
        true => (strict(decode), Vec::new()),
        false => collect_fills(decode),
    };
    decoded.map(|page| (page, fills)).map_err(|e| e.to_string())
}

/// `doc` in chunks of `size`, decoded as `execute_listing` decodes it
/// (splitting bodies over `after` bytes), and which way it went.
fn split<T: DeserializeOwned + Send>(
    doc: &[u8],
    size: usize,
    after: usize,
    strict_mode: bool,
) -> (Outcome<T>, &'static str) {
    let mut items = Vec::<T>::new();
    let mut stream = ItemStream::new("data", strict_mode, &mut items).stream_after(after);
    stream.push(b"stale bytes of an attempt before a retry");
    stream.reset();
    for chunk in doc.chunks(size) {
        stream.push(chunk);
    }
    match stream.finish() {
        Finished::Whole(body) => (whole(&body, strict_mode), "whole"),
        Finished::Split { outer, fills } => {
            let outcome = whole::<T>(&outer, strict_mode).map(|(mut page, outer_fills)| {
                assert!(page.data.is_empty(), "the outer document has `[]`");
                page.data = items;
                (page, [fills, outer_fills].concat())
            });
            (outcome, "split")
        }
        Finished::Failed { error, rest } => {
            assert!(doc.ends_with(&rest), "the rest is the end of the body");
            (Err(error.to_string()), "failed")
        }
    }
}

/// Listings of files: plain, pretty, with members around the array,
/// characters of several bytes and escapes, items that fill leniently.
fn file_listings() -> Vec<String> {
    let item = |i: usize| {
        format!(
            r#"{{"id":"file-{i}-é😀","bytes":{},"note":"a \"quoted\" \u00e9 {i}"}}"#,
            i * 1_000_003
        )
    };
    let items = (0..12).map(item).collect::<Vec<_>>();
    let joined = items.join(",");
    vec![
        format!(r#"{{"object":"list","data":[{joined}],"has_more":false}}"#),
        format!(
            "\n {{ \"object\" : \"list\" ,\n \"data\" :\n [\n  {} \n ] , \"has_more\" : true, \"last\": [1, {{\"a\": 2}}] }} \n",
            items.join(" ,\n  ")
        ),
        format!(r#"{{"object":"list","extra":{{"a":[1,"]"]}},"data":[{joined}]}}"#),
        r#"{"object":"list","data":[],"has_more":false}"#.to_owned(),
        format!(r#"{{"data":[{joined}]}}"#),
        // Lenient: a missing id and a `null` size are filled.
        format!(r#"{{"object":"list","data":[{joined},{{"bytes":1}},{{"id":"x","bytes":null}}],"has_more":false}}"#),
        // Not split: no array, not an object, the array not under `data`.
        r#"{"object":"list","data":null,"has_more":false}"#.to_owned(),
        format!(r#"[{joined}]"#),
        format!(r#"{{"object":"list","items":[{joined}],"has_more":false}}"#),
    ]
}

/// Broken listings: each is an error, however it is cut.
fn broken_listings() -> Vec<String> {
    let good = r#"{"id":"file-1","bytes":1}"#;
    let wrong = [
        r#"{"id":5,"bytes":1}"#,
        r#"{"id":"a","bytes":1.5}"#,
        r#"{"id":"a" "bytes":1}"#,
        r#"{"id":"a","bytes":1"#,
        r#""file""#,
        "12",
        "",
    ];
    let mut docs = Vec::new();
    for item in wrong {
        docs.push(format!(
            r#"{{"object":"list","data":[{good},{item},{good}],"has_more":false}}"#
        ));
    }
    docs.push(format!(r#"{{"object":"list","data":[{good},{good}"#));
    docs.push(format!(
        r#"{{"object":"list","data":[{good} {good}],"has_more":false}}"#
    ));
    docs.push(format!(
        r#"{{"object":"list","data":[{good},],"has_more":false}}"#
    ));
    docs.push(format!(
        r#"{{"object":"list","data":[{good}],"has_more":false}} x"#
    ));
    docs.push(format!(
        r#"{{"object":"list","data":[{good}],"has_more":false"#
    ));
    docs.push(format!(
        r#"{{"object":"list","data":[{good}],"has_more":fals}}"#
    ));
    docs.push(format!(
        r#"{{"object":"list","data":[{good}],"data":[],"has_more":false}}"#
    ));
    docs.push(format!(r#"{{"object":"list" "data":[{good}]}}"#));
    docs
}

/// Chunk sizes: every one up to 9, then some, then the whole body.
fn sizes(doc: &str) -> Vec<usize> {
    let mut sizes = (1..10).chain([13, 31, 64, 200]).collect::<Vec<_>>();
    sizes.push(doc.len().max(1));
    sizes
}

#[test]
fn every_listing_in_every_chunking_decodes_as_whole() {
    for (n, doc) in file_listings().into_iter().enumerate() {
        for strict_mode in [false, true] {
            let expected = whole::<File>(doc.as_bytes(), strict_mode);
            for size in sizes(&doc) {
                for after in [0, 40, doc.len()] {
                    let (got, how) = split::<File>(doc.as_bytes(), size, after, strict_mode);
                    // The first six are listings: split however they are cut
                    // (or failed in strict mode, the sixth's fills refused).
                    let listing = n < 6 && after < doc.len();
                    assert_eq!(
                        how != "whole",
                        listing,
                        "{doc} in {size}-byte chunks, {how}"
                    );
                    match (&expected, &got) {
                        (Ok(_), _) => {
                            assert_eq!(got, expected, "{doc} in {size}-byte chunks, {how}")
                        }
                        (Err(_), Err(_)) => {}
                        (Err(e), Ok(_)) => {
                            panic!("{doc} in {size}-byte chunks decoded ({how}), whole: {e}")
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn large_chunks_and_items_longer_than_a_chunk_decode_as_whole() {
    // Chunks of socket-read sizes, items of every length up to 9 KB, one
    // longer than most chunks.
    let items = (0..3000)
        .map(|i| {
            let pad = "ü".repeat((i * 37) % 3000 + usize::from(i == 1500) * 30_000);
            format!(r#"{{"id":"f{i}{pad}","bytes":{i}}}"#)
        })
        .collect::<Vec<_>>();
    let doc = format!(
        r#"{{"object":"list","data":[{}],"has_more":true}}"#,
        items.join(", ")
    );
    let expected = whole::<File>(doc.as_bytes(), false);
    assert_eq!(expected.as_ref().unwrap().0.data.len(), 3000);
    for size in [4095, 4096, 4097, 5000, 10_007, 65_536, 1 << 20] {
        let (got, how) = split::<File>(doc.as_bytes(), size, 100_000, false);
        assert_eq!(how, "split");
        assert!(got == expected, "{size}-byte chunks");
    }
}

#[test]
fn numbers_cut_by_a_chunk_are_not_taken_for_shorter_ones() {
    let doc = r#"{"object":"list","data":[1234567,-12.5e3,true,null,"x",[1,22],{"a":333}],"has_more":false}"#;
    let expected = whole::<Value>(doc.as_bytes(), false);
    assert!(expected.is_ok());
    for size in sizes(doc) {
        let (got, how) = split::<Value>(doc.as_bytes(), size, 0, false);
        assert_eq!(got, expected, "{size}-byte chunks, {how}");
    }
}

#[test]
fn listings_are_split_when_large_and_shaped_as_one() {
    let docs = file_listings();
    let way = |doc: &String, after| split::<File>(doc.as_bytes(), 7, after, false).1;
    assert_eq!(way(&docs[0], 0), "split");
    assert_eq!(way(&docs[1], 0), "split");
    assert_eq!(way(&docs[2], 0), "split");
    assert_eq!(
        way(&docs[0], docs[0].len()),
        "whole",
        "small bodies are decoded whole"
    );
    for not_listing in &docs[6..] {
        assert_eq!(way(not_listing, 0), "whole", "{not_listing}");
    }
}

#[test]
fn every_broken_listing_in_every_chunking_is_an_error() {
    for doc in broken_listings() {
        assert!(
            whole::<File>(doc.as_bytes(), false).is_err(),
            "{doc} decodes whole"
        );
        for size in sizes(&doc) {
            for after in [0, 40] {
                let (got, how) = split::<File>(doc.as_bytes(), size, after, false);
                assert!(
                    got.is_err(),
                    "{doc} in {size}-byte chunks ({how}) decoded: {got:?}"
                );
            }
        }
    }
}

#[test]
fn an_item_that_does_not_decode_is_named_with_the_body_from_it_on() {
    let doc = br#"{"object":"list","data":[{"id":"a","bytes":1}, {"id":5,"bytes":2},{"id":"c","bytes":3}]}"#;
    let mut items = Vec::<File>::new();
    let mut stream = ItemStream::new("data", false, &mut items).stream_after(0);
    for chunk in doc.chunks(5) {
        stream.push(chunk);
    }
    let Finished::Failed { error, rest } = stream.finish() else {
        panic!("decoded")
    };
    let message = error.to_string();
    assert!(
        message.starts_with("item 1 of `data`, from byte 47 of the body: "),
        "{message}"
    );
    assert!(message.contains("`id`"), "{message}");
    assert_eq!(rest, br#"{"id":5,"bytes":2},{"id":"c","bytes":3}]}"#);
    assert_eq!(doc[47], b'{');
}

#[test]
fn items_nest_as_deep_as_in_the_whole_body() {
    // The listing and its array hold two levels: items reach the limit
    // where they do decoded whole.
    for depth in 120..130 {
        let item = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let doc = format!(r#"{{"object":"list","data":[1,{item}],"has_more":false}}"#);
        let expected = whole::<Value>(doc.as_bytes(), false).is_ok();
        let (got, how) = split::<Value>(doc.as_bytes(), 16, 0, false);
        assert_eq!(got.is_ok(), expected, "depth {depth}, {how}: {got:?}");
    }
}

#[test]
fn a_long_item_cut_into_many_chunks_is_read_a_few_times() {
    let long = "x".repeat(200_000);
    let doc = format!(r#"{{"object":"list","data":[{{"id":"{long}","bytes":1}}]}}"#);
    ATTEMPTS.with(|n| n.set(0));
    let (got, how) = split::<File>(doc.as_bytes(), 1, 0, false);
    assert_eq!(how, "split");
    assert_eq!(got.unwrap().0.data[0].id.len(), long.len());
    let attempts = ATTEMPTS.with(|n| n.get());
    // Once each time the bytes from the item's start double, not once a chunk.
    assert!(attempts <= 20, "{attempts} reads of one item");
}

#[test]
fn bytes_that_are_not_utf8_are_an_error_where_a_cut_character_is_not() {
    let doc = "{\"object\":\"list\",\"data\":[{\"id\":\"é\",\"bytes\":1}]}".as_bytes();
    let (got, _) = split::<File>(doc, 1, 0, false);
    assert_eq!(got.unwrap().0.data[0].id, "é");
    let mut bad = doc.to_vec();
    let at = bad.iter().position(|&b| b == 0xc3).unwrap();
    bad[at] = 0xff;
    for size in [1, 3, bad.len()] {
        let (got, _) = split::<File>(&bad, size, 0, false);
        let message = got.unwrap_err();
        assert!(
            message.contains(&format!("not UTF-8 at byte {at}")),
            "{size}-byte chunks: {message}"
        );
    }
}
