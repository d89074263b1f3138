//! Decoding straight from JSON text, without a `serde_json::Value` tree.
//!
//! [`TextDeserializer`] holds the text of one JSON value. Asked for an object
//! or an array, it splits the text into its members' texts and hands each
//! member on as another `TextDeserializer`; scalars are read into one
//! non-generic [`Scalar`](mod@scalar) and visited from there. The generated
//! `Deserialize` impls ask any deserializer for the raw text of their value
//! ([`RAW_TOKEN`]): this one answers with it, so an object's fields arrive
//! as texts and each is decoded once, straight into the field's type (a
//! string is allocated once, in the field that keeps it). Every other deserializer (`serde_json::Value`, serde's buffering for
//! flattened or untagged user types, other formats) knows nothing of the
//! token and the impls read a `Value` instead.
//!
//! Nothing is checked up front: each part of the text is checked as it is
//! read, so every byte is checked once by whatever reads it. Splitting
//! ([`scan`]) checks an object's or array's own punctuation and its keys;
//! each member is read by the type that takes it, the common scalars here
//! (plain strings and integers, `true`, `false`, `null`), every other one
//! by serde_json for a fixed type (a string with escapes, a float), and
//! members nobody declared into a `Value` or through serde_json's own check
//! when ignored. Arrays, objects and generated types count one nesting
//! depth per thread, refused past serde_json's own limit of 128 (see
//! [`Level`]). When decoding fails, the text is checked whole by
//! serde_json, so that a syntax error is reported as such, with its line and
//! column in the document.
//!
//! **One pass.** A value is read from where it starts, in *prefix mode*: the
//! deserializer's text runs from the value's first byte to the end of the
//! document, and whatever reads the value finds where it ends as it goes,
//! as serde_json's own reader does. It then [`report`]s that length, and the
//! array or object holding the value goes on from there ([`consumed`]);
//! where nobody reported (a path that does not), the holder scans past the
//! value instead, which is slower but gives the same answer. So an element
//! of a long list, or a nested object, is read once, not first scanned for
//! its end and then read. Only members that come before the one a generated
//! impl asks for are scanned past and kept as texts for later.

use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
use serde::de::{
    DeserializeOwned, DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor,
};
use serde_json::Error;
use std::borrow::Cow;
use std::fmt;

mod digits;
mod keys;
mod listing;
mod scalar;
mod scan;
pub(crate) use keys::KeyTable;
pub(crate) use listing::{Finished, ItemStream, Items};
use scalar::Scalar;
pub(crate) use scan::{ends_scalar, string_at, Members};

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
    let value = text.trim_matches([' ', '\t', '\n', '\r']);
    forget_reports();
    let whole = T::deserialize(TextDeserializer::value(value)).and_then(|decoded| {
        // The value must be all of the document.
        match consumed(value)? == value.len() {
            true => Ok(decoded),
            false => Err(Error::custom("trailing characters")),
        }
    });
    whole.map_err(|error| {
        // A syntax error anywhere is reported as one, where it is.
        match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Err(syntax) => syntax,
            Ok(_) => error,
        }
    })
}

/// Decodes the JSON array at the start of `text` (no leading whitespace),
/// an element at a time, each decoded where it stands and pushed: what
/// `Vec<T>`'s own impl does through a `SeqAccess`, less the copies of each
/// element on its way out of `next_element` (a chat choice is 320 bytes,
/// a file 200). Anything but an array gets `Vec`'s error.
pub(crate) fn decode_array<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, Error> {
    if text.as_bytes().first() != Some(&b'[') {
        return Err(not_an_array(text));
    }
    let _level = Level::enter()?;
    let mut out = Vec::new();
    let mut elements = scan::Elements::new(text)?;
    while let Some(start) = elements.next_start() {
        forget_reports();
        let element = T::deserialize(TextDeserializer::value(start))?;
        if out.is_empty() && std::mem::size_of::<T>() > LARGE_ELEMENT {
            out.reserve_exact(1);
        }
        out.push(element);
        elements.after_element(consumed(start)?)?;
    }
    TextDeserializer::value(text).finished(elements.len(), out)
}

/// Elements larger than this get room for one when the first is pushed,
/// not `Vec`'s first four.
///
/// Arrays of large elements in responses and events mostly hold one (a chat
/// chunk's `choices`), and room for four 320-byte choices is a 1,280-byte
/// allocation: past glibc's per-thread cache (up to 1,032 bytes), so each
/// one took malloc's slow path, 4.8 % of the CPU of a chat stream read on a
/// current-thread runtime. A longer array pays one small reallocation more.
pub(crate) const LARGE_ELEMENT: usize = 256;

/// The error of a value that is not an array where one is wanted:
/// `Vec`'s own (`invalid type: null, expected a sequence`), made once for
/// every element type.
#[cold]
#[inline(never)]
fn not_an_array(text: &str) -> Error {
    let decoded = <Vec<serde::de::IgnoredAny> as serde::Deserialize>::deserialize(
        TextDeserializer::value(text),
    );
    match decoded {
        Err(error) => error,
        Ok(_) => scan::fail("expected an array"),
    }
}

/// serde_json's nesting limit: 127 arrays and objects inside each other
/// pass, the 128th is refused, where deeper text could exhaust the stack
/// (and abort the process).
///
/// Each member is decoded where it stands by a deserializer of its own, so
/// the depth is not a deserializer's but the thread's: one [`Level`] is
/// held by every array and object read through `deserialize_any`, every
/// array read element by element, and every generated object and union
/// being read (`de::read_object`, `de::read_node`). So the types of a
/// recursive schema (a node's children, a filter of filters) count as the
/// text's own nesting does. (A union and the variant it holds count two.)
const MAX_DEPTH: u32 = 128;

thread_local! {
    /// How many [`Level`]s this thread holds.
    static DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// One level of nesting ([`MAX_DEPTH`]), left when dropped (also by
/// unwinding).
pub(crate) struct Level;

impl Level {
    /// Enters one more level, or refuses it past the limit.
    #[inline]
    pub(crate) fn enter() -> Result<Level, Error> {
        DEPTH.with(|depth| match depth.get() {
            held if held + 1 >= MAX_DEPTH => Err(scan::fail("recursion limit exceeded")),
            held => {
                depth.set(held + 1);
                Ok(Level)
            }
        })
    }
}

impl Drop for Level {
    #[inline]
    fn drop(&mut self) {
        DEPTH.with(|depth| depth.set(depth.get() - 1));
    }
}

/// A deserializer over the text of one JSON value, in prefix mode: the
/// text starts with the value, and anything may follow it (see [`from_str`]
/// for a whole document).
pub struct TextDeserializer<'de> {
    /// From the value's first byte to the end of the document.
    text: &'de str,
}

impl<'de> TextDeserializer<'de> {
    /// Reads the JSON value at the start of `text` (leading whitespace is
    /// allowed); it is checked as it is read. Whatever follows the value is
    /// not read: [`from_str`] checks that nothing does.
    pub fn new(text: &'de str) -> Self {
        Self::value(text.trim_start_matches([' ', '\t', '\n', '\r']))
    }

    /// Reads the JSON value at the start of `text`, which has no leading
    /// whitespace (a member's text, or a `Value` written out).
    pub(crate) fn value(text: &'de str) -> Self {
        Self { text }
    }
}

thread_local! {
    /// The last value read in prefix mode: the address of its first byte
    /// and its length (see [`report`]).
    static REPORT: std::cell::Cell<(usize, usize)> = const { std::cell::Cell::new((0, 0)) };
}

/// Notes that the value at the start of `text` is `len` bytes long, for
/// whoever holds it ([`consumed`]).
#[inline]
pub(crate) fn report(text: &str, len: usize) {
    REPORT.with(|r| r.set((text.as_ptr() as usize, len)));
}

/// Forgets what was reported, before a value is read, so that only a
/// report made while it is read can count: an earlier one could be of a
/// freed text that had lain at the same address.
#[inline]
pub(crate) fn forget_reports() {
    REPORT.with(|r| r.set((0, 0)));
}

/// The length of the value at the start of `text`, just read (after
/// [`forget_reports`]): what its reader reported, or else found by scanning.
///
/// A report names the value by its address, which no other text can share
/// while `text` lives, and is made only when the value was read whole, so
/// it is that value's length.
#[inline]
pub(crate) fn consumed(text: &str) -> Result<usize, Error> {
    let (at, len) = REPORT.with(|r| r.get());
    if at == text.as_ptr() as usize && len <= text.len() && at != 0 {
        return Ok(len);
    }
    #[cfg(test)]
    SCANS_PAST.with(|n| n.set(n.get() + 1));
    scan::value_len(text)
}

#[cfg(test)]
thread_local! {
    /// How many values [`consumed`] had to scan past (nobody reported).
    pub(crate) static SCANS_PAST: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The value of key `key` in the text of the object at the start of
/// `text`, when it is a string (the tag of a tagged union); `None` for
/// anything else. The first one counts: a tag is read before the rest of the
/// object, and a type that declares it refuses it repeated.
pub(crate) fn string_member<'de>(
    text: &'de str,
    key: &str,
) -> Result<Option<Cow<'de, str>>, Error> {
    if !text.starts_with('{') {
        return Ok(None);
    }
    for member in scan::Members::new(text)? {
        let (name, value) = member?;
        if name == key {
            if !value.starts_with('"') {
                return Ok(None);
            }
            // Borrowed unless it has escapes: a tag is read once per event
            // of a stream, and serde_json set up for it cost 790
            // instructions of the 17,300 a Responses stream event took.
            return Ok(Some(scan::string_at(value)?.0));
        }
    }
    Ok(None)
}

/// serde_json's deserializer over a text.
type Json<'de> = serde_json::Deserializer<serde_json::de::StrRead<'de>>;

/// Runs serde_json on a scalar's whole text and checks nothing follows it.
fn scalar<'de, T>(
    text: &'de str,
    read: impl FnOnce(&mut Json<'de>) -> Result<T, Error>,
) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let out = read(&mut de)?;
    de.end()?;
    Ok(out)
}

/// The integer as JSON writes it (an optional `-`, digits, no leading
/// zero) that fits 64 bits at the start of `text`, as serde_json visits it
/// (`u64` unless it is negative), and its length; `None` for any other
/// scalar (a fraction, an exponent, `-0`, a wider integer), which serde_json
/// then reads. One pass: the digits are added up as they are checked, eight
/// at a time ([`digits`]; a separate scan, check and `parse` took three
/// times the instructions of one at a time). Always inlined: once the
/// listing decode came, rustc stopped inlining it into `plain_int64` and
/// the scalar reader, 5 M more instructions on a list of 100,000 files
/// and 12 M on a chat stream of 200,001 events.
#[inline(always)]
pub(super) fn plain_integer(text: &str) -> Option<(Result<u64, i64>, usize)> {
    let bytes = text.as_bytes();
    let negative = bytes.first() == Some(&b'-');
    let start = usize::from(negative);
    let (n, at) = match bytes.get(start) {
        Some(b'0') => (0, start + 1),
        Some(b'1'..=b'9') => match digits::digit_run(bytes, start, 0) {
            // Up to 19 digits cannot have wrapped; 20 may have.
            (n, end) if end - start <= 19 => (n, end),
            _ => wide_integer(bytes, start)?,
        },
        _ => return None,
    };
    if !ends_scalar(bytes.get(at).copied()) {
        return None;
    }
    match negative {
        false => Some((Ok(n), at)),
        // serde_json reads `-0` as a float.
        true if n == 0 => None,
        true => Some((Err(0i64.checked_sub_unsigned(n)?), at)),
    }
}

/// [`plain_integer`]'s digits from `start` on, one at a time, each step
/// checked: for 20 digits or more, which may not fit 64 bits.
#[inline(never)]
fn wide_integer(bytes: &[u8], start: usize) -> Option<(u64, usize)> {
    let mut at = start;
    let mut n: u64 = 0;
    while let Some(&digit @ b'0'..=b'9') = bytes.get(at) {
        n = n.checked_mul(10)?.checked_add(u64::from(digit - b'0'))?;
        at += 1;
    }
    Some((n, at))
}

/// Whether the value at the start of `text` is `null` (looking no further
/// than that).
#[inline]
pub(super) fn is_null(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.starts_with(b"null") && ends_scalar(bytes.get(4).copied())
}

/// The whole text of the scalar (not a string, array or object) at the
/// start of `text`.
#[inline]
pub(super) fn scalar_text(text: &str) -> &str {
    &text[..scan::scalar_run(text.as_bytes())]
}

impl<'de> TextDeserializer<'de> {
    /// What a reader returns once it has read `len` bytes into `out`: the
    /// length is reported to whoever holds the value.
    #[inline]
    fn done<T>(&self, len: usize, out: T) -> Result<T, Error> {
        report(self.text, len);
        Ok(out)
    }

    /// [`TextDeserializer::done`] for an array or object a visitor has
    /// read; one the visitor left before its end (a tuple of fewer elements)
    /// is an error, as with serde_json.
    fn finished<T>(&self, len: Option<usize>, out: T) -> Result<T, Error> {
        let len = len.ok_or_else(|| scan::fail("trailing characters"))?;
        self.done(len, out)
    }

    /// Reads the value's whole text with `read`, found by scanning it: for
    /// the rarely read kinds (128-bit integers, enums) that serde_json reads.
    fn read_whole<T>(self, read: impl FnOnce(&'de str) -> Result<T, Error>) -> Result<T, Error> {
        let len = scan::value_len(self.text)?;
        let out = read(&self.text[..len])?;
        self.done(len, out)
    }

    /// Reads a scalar of the kind `wanted` accepts and hands it to `visitor`;
    /// any other value is an `invalid type` error.
    fn scalar_of<V: Visitor<'de>>(
        self,
        visitor: V,
        wanted: fn(&Scalar<'de>) -> bool,
    ) -> Result<V::Value, Error> {
        let (scalar, len) = Scalar::read(self.text, &visitor)?;
        if !wanted(&scalar) {
            return Err(scalar.mismatch(&visitor));
        }
        let out = scalar.visit(visitor)?;
        self.done(len, out)
    }
}

macro_rules! scalar_methods {
    ($wanted:expr => $($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            self.scalar_of(visitor, $wanted)
        }
    )*};
}

impl<'de> Deserializer<'de> for TextDeserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text.as_bytes().first() {
            Some(b'{') => {
                let _level = Level::enter()?;
                let mut access = MemberAccess {
                    members: scan::Members::new(self.text)?,
                    value: None,
                };
                let out = visitor.visit_map(&mut access)?;
                let len = access.members.len();
                self.finished(len, out)
            }
            Some(b'[') => {
                let _level = Level::enter()?;
                let mut access = ElementAccess {
                    elements: scan::Elements::new(self.text)?,
                };
                let out = visitor.visit_seq(&mut access)?;
                let len = access.elements.len();
                self.finished(len, out)
            }
            _ => {
                let (scalar, len) = Scalar::read(self.text, &visitor)?;
                let out = scalar.visit(visitor)?;
                self.done(len, out)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if is_null(self.text) {
            let out = visitor.visit_none()?;
            self.done(4, out)
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
            // The value's text in prefix mode: its reader reports its end.
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
        self.read_whole(|text| scalar(text, |de| de.deserialize_enum(name, variants, visitor)))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        // As serde_json reads it: a `null`.
        self.deserialize_unit(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // As serde_json reads it: a string, which the visitor checks.
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // As serde_json reads it: an array of numbers, or a string's bytes.
        match self.text.as_bytes().first() {
            Some(b'[') => self.deserialize_any(visitor),
            Some(b'"') => match scan::string_len(self.text)? {
                (len, true) => {
                    let out = visitor.visit_borrowed_bytes(&self.text.as_bytes()[1..len - 1])?;
                    self.done(len, out)
                }
                // Escapes, which may spell bytes no string holds (a lone
                // surrogate): serde_json's own reading, for this rare case.
                (_, false) => {
                    self.read_whole(|text| scalar(text, |de| de.deserialize_bytes(visitor)))
                }
            },
            _ => Err(Scalar::read(self.text, &visitor)?.0.mismatch(&visitor)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.read_whole(|text| scalar(text, |de| de.deserialize_i128(visitor)))
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.read_whole(|text| scalar(text, |de| de.deserialize_u128(visitor)))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        // Read by nobody else: checked here.
        self.read_whole(|text| {
            serde_json::from_str::<serde::de::IgnoredAny>(text)?;
            visitor.visit_unit()
        })
    }

    // Containers are split by `deserialize_any`, whatever the visitor asked for.
    serde::forward_to_deserialize_any! { seq tuple tuple_struct map struct }

    // Scalars are read into a `Scalar` (see `scalar.rs`) and visited as
    // serde_json visits them; a value of another kind is an `invalid type`.
    scalar_methods! { |s| matches!(s, Scalar::Str(_)) =>
        deserialize_str deserialize_string deserialize_identifier
    }

    scalar_methods! { Scalar::is_number =>
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_f32 deserialize_f64
    }

    scalar_methods! { |s| matches!(s, Scalar::Bool(_)) => deserialize_bool }

    scalar_methods! { |s| matches!(s, Scalar::Null) => deserialize_unit }
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
        let Some(key) = self.members.next_key().transpose()? else {
            return Ok(None);
        };
        self.value = Some(self.members.value_text());
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
        forget_reports();
        let out = seed.deserialize(TextDeserializer::value(value))?;
        self.members.after_value(consumed(value)?)?;
        Ok(out)
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
        let Some(text) = self.elements.next_start() else {
            return Ok(None);
        };
        forget_reports();
        let out = seed.deserialize(TextDeserializer::value(text))?;
        self.elements.after_element(consumed(text)?)?;
        Ok(Some(out))
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
