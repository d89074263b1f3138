//! Whether a document's top-level object has a member named `error`, told
//! by the decoder that read it.
//!
//! A data-only stream reports an API error as an event whose payload is
//! `{"error": ...}` (openai-python checks `data.get("error")`). Searching each
//! payload's text for the key before decoding it cost two searches of the
//! whole text per event, 2.9 % of the instructions of a chat stream read on a
//! current-thread runtime (callgrind, 2026-12-02). The decoder reads every
//! top-level key anyway: so the payload is decoded first, and the caller
//! searches only when the decoder cannot vouch that the key is absent.
//!
//! The decoder vouches when an [`Object`](super::Object) read the document's
//! text from its first byte to its closing brace, with no undeclared member
//! named `error` and no declared field of that name (a declared `error` is
//! taken as present). That is a fact about the text, whichever type's reader
//! met it: a union variant that read the whole object and then failed saw
//! every key all the same. Anything else (the payload read as a `Value`, by a
//! type that is not generated, not an object, a decode that stopped early)
//! leaves the answer unknown.

use std::cell::Cell;

thread_local! {
    /// The document being watched, if any.
    static WATCH: Cell<Watch> = const { Cell::new(Watch::NONE) };
}

#[derive(Clone, Copy)]
struct Watch {
    /// The address of the document's first byte after leading whitespace
    /// (where its top-level object's text starts); 0 when nothing is watched.
    root: usize,
    /// Whether an object read from `root` to its closing brace had no
    /// member named `error`.
    clear: bool,
}

impl Watch {
    const NONE: Watch = Watch {
        root: 0,
        clear: false,
    };
}

/// Runs `decode`, which decodes the JSON document `text` with the client's
/// decoder ([`from_str`](super::from_str)), and tells whether the decoder
/// read the document's top-level object whole and found no member named
/// `error` in it. `false` means "not known", not "present".
pub(crate) fn decode_noting_error_member<T>(text: &str, decode: impl FnOnce() -> T) -> (T, bool) {
    let root = text.trim_start_matches([' ', '\t', '\n', '\r']).as_ptr() as usize;
    // Restored on the way out, also by unwinding (a decode inside a decode
    // watches its own document).
    struct Restore(Watch);
    impl Drop for Restore {
        fn drop(&mut self) {
            WATCH.with(|w| w.set(self.0));
        }
    }
    let _restore = Restore(WATCH.with(|w| w.replace(Watch { root, clear: false })));
    let decoded = decode();
    let clear = WATCH.with(|w| w.get().clear);
    (decoded, clear)
}

/// Notes that an object whose text starts at `text` was read to its closing
/// brace; `has_error_member` tells whether it had a member named `error`.
/// Only the watched document's top-level object counts.
#[inline]
pub(super) fn object_read(text: &str, has_error_member: impl FnOnce() -> bool) {
    WATCH.with(|w| {
        let watch = w.get();
        if watch.root != 0 && watch.root == text.as_ptr() as usize {
            w.set(Watch {
                clear: !has_error_member(),
                ..watch
            });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::de::{from_str, put_nullable, read_object, unknown, Object, Shape};
    use serde_json::{Map, Value};

    /// A type read as the generated ones are, declaring `id` and `nested`
    /// (another of its kind).
    #[derive(Debug)]
    #[allow(dead_code)]
    struct Event(Option<Value>, Option<Box<Event>>, Map<String, Value>);

    impl<'de> serde::Deserialize<'de> for Event {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            static SHAPE: Shape = Shape::new("Event", &["id", "nested"]);
            read_object(d, &SHAPE, |o: &mut Object<'_>| {
                let (mut id, mut nested) = (None, None);
                while let Some(index) = o.next_field()? {
                    match index {
                        0 => put_nullable(o, 0, &mut id)?,
                        _ => put_nullable(o, 1, &mut nested)?,
                    }
                }
                Ok(Event(id, nested, unknown(o)?))
            })
        }
    }

    /// The same, declaring a field named `error`.
    #[derive(Debug)]
    #[allow(dead_code)]
    struct Declares(Option<Value>, Map<String, Value>);

    impl<'de> serde::Deserialize<'de> for Declares {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            static SHAPE: Shape = Shape::new("Declares", &["error"]);
            read_object(d, &SHAPE, |o: &mut Object<'_>| {
                let mut error = None;
                while o.next_field()?.is_some() {
                    put_nullable(o, 0, &mut error)?;
                }
                Ok(Declares(error, unknown(o)?))
            })
        }
    }

    /// Whether the text has a top-level `error` member, by `serde_json`.
    fn has_error_member(text: &str) -> bool {
        serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|v| v.as_object().map(|o| o.contains_key("error")))
            .unwrap_or(false)
    }

    const TEXTS: &[&str] = &[
        r#"{"id":"a","nested":{"error":1}}"#,
        r#"  {"id":"a","x":[{"error":null}]}  "#,
        r#"{}"#,
        r#"{"x":"error","y":"\"error\""}"#,
        r#"{"error":{"message":"m"}}"#,
        r#"{"id":"a","error":null}"#,
        r#"{"id":"a", "error" : false, "z":1}"#,
        r#"{"\u0065rror":{"message":"m"}}"#,
        r#"{"err\u006fr":1,"id":"a"}"#,
        r#"{"nested":{"a":1},"error":"x"}"#,
        r#"{"id":"a","error":{"message":"m"}"#,
        r#"{"id":1,"error":2,}"#,
        r#"{"id":"a"} trailing"#,
        r#"[{"error":1}]"#,
        r#""error""#,
        r#"null"#,
        r#"not json "error""#,
        "",
    ];

    /// Whatever the text and whichever type reads it, the decoder vouches
    /// for no `error` member only where there is none; and it vouches for
    /// every object its reader reads whole without one.
    #[test]
    fn vouches_only_for_objects_read_whole_without_the_key() {
        for text in TEXTS {
            let (event, clear) = decode_noting_error_member(text, || from_str::<Event>(text));
            if clear {
                assert!(!has_error_member(text), "{text}: {event:?}");
            }
            if serde_json::from_str::<Map<String, Value>>(text).is_ok() {
                assert_eq!(clear, !has_error_member(text), "{text}: {event:?}");
            }
            // A type declaring `error` never vouches; nor does one that is
            // not read member by member.
            let (_, clear) = decode_noting_error_member(text, || from_str::<Declares>(text));
            assert!(!clear, "{text}");
            let (_, clear) = decode_noting_error_member(text, || from_str::<Value>(text));
            assert!(!clear, "{text}");
        }
        // An object inside the document is not the document: read whole and
        // without the key, it vouches for nothing when the top-level object
        // is not read whole.
        for text in [
            r#"{"error":1,"nested":{"id":"b"}"#,
            r#"{"error":1,"nested":{"id":"b"},"#,
            r#"{"nested":{"id":"b"},"error":"#,
        ] {
            let (_, clear) = decode_noting_error_member(text, || from_str::<Event>(text));
            assert!(!clear, "{text}");
        }
    }

    /// Only the watched document's top-level object counts: an object
    /// decoded outside a watch, or inside another watch, leaves it alone.
    #[test]
    fn watches_nest_and_end() {
        let outer = r#"{"id":"a"}"#;
        let inner = r#"{"id":"b","error":1}"#;
        let ((_, inner_clear), clear) = decode_noting_error_member(outer, || {
            let inner = decode_noting_error_member(inner, || from_str::<Event>(inner));
            (from_str::<Event>(outer).unwrap(), inner.1)
        });
        assert!(clear);
        assert!(!inner_clear);
        // After the watch, nothing is watched: reading the same text again
        // does not mark a watch that is not there.
        WATCH.with(|w| assert_eq!(w.get().root, 0));
        from_str::<Event>(outer).unwrap();
        WATCH.with(|w| assert_eq!((w.get().root, w.get().clear), (0, false)));
    }
}
