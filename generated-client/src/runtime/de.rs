//! Helpers for the generated `Deserialize` impls of object types.
//!
//! An object's members are read in the order they come: the generated impl
//! asks [`Object::next_field`] for each member's declared index and decodes
//! it into its field's local ([`put`] and its siblings), then finishes the
//! required fields ([`or_empty`], [`required`]). Against
//! `#[derive(Deserialize)]` this writes a few lines per type instead of a
//! field enum, a visitor and a map loop, which is most of what a 3 000-type
//! client costs to compile. Error messages name the field.
//!
//! The client decodes responses and events with [`from_slice`], whose
//! deserializer hands each object over as its members' JSON texts (see
//! [`TextDeserializer`]): every field is decoded straight from its text,
//! with no `serde_json::Value` in between. Any other deserializer gives a `Value`
//! (a [`Node::Value`]), read the same way.

use serde::de::{DeserializeOwned, Error, Unexpected};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

pub(crate) mod text;
use text::{consumed, ends_scalar, forget_reports, report, Members};
pub use text::{from_slice, from_str, Str, TextDeserializer};

/// One JSON value as a generated impl receives it: its text, when it came
/// through [`TextDeserializer`], or a parsed `Value` from any other
/// deserializer.
#[derive(Debug, Clone)]
pub enum Node<'de> {
    /// The text from the value's first byte to the end of the document
    /// (prefix mode, see [`TextDeserializer`]): whatever reads the value
    /// finds where it ends, and checks it as it reads.
    Text(&'de str),
    /// The value, parsed (boxed: most nodes are texts, kept small).
    Value(Box<Value>),
}

impl<'de> serde::Deserialize<'de> for Node<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> serde::de::Visitor<'de> for NodeVisitor {
            type Value = Node<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            // Only `TextDeserializer` answers the token with the text.
            fn visit_borrowed_str<E: Error>(self, text: &'de str) -> Result<Node<'de>, E> {
                Ok(Node::Text(text))
            }
            fn visit_newtype_struct<D: serde::Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Node<'de>, D::Error> {
                <Value as serde::Deserialize>::deserialize(deserializer)
                    .map(|v| Node::Value(Box::new(v)))
            }
        }
        deserializer.deserialize_newtype_struct(text::RAW_TOKEN, NodeVisitor)
    }
}

impl<'de> Node<'de> {
    /// Decodes the value as `T`, always through [`TextDeserializer`] (a
    /// `Value` is written out as text first).
    pub fn decode<T: DeserializeOwned, E: Error>(self) -> Result<T, E> {
        match decode_text::<T>(&self.text()) {
            Ok(value) => Ok(value),
            Err(e) => Err(E::custom(message(&e))),
        }
    }

    /// The value's text, in prefix mode (a `Value` is written out).
    fn text(&self) -> Cow<'de, str> {
        match self {
            Node::Text(text) => Cow::Borrowed(text),
            Node::Value(value) => Cow::Owned(value.to_string()),
        }
    }

    /// The value as a `serde_json::Value` (parsing its text).
    pub fn into_value<E: Error>(self) -> Result<Value, E> {
        match self {
            Node::Text(text) if text.starts_with('"') => {
                // A string (an undeclared member is mostly one) without
                // serde_json set up for it: 565 instructions each.
                let (string, len) = text::string_at(text).map_err(E::custom)?;
                if !ends_scalar(text.as_bytes().get(len).copied()) {
                    return Err(E::custom("trailing characters"));
                }
                report(text, len);
                Ok(Value::String(string.into_owned()))
            }
            Node::Text(text) => {
                // One value from the start of the text, and where it ended.
                let mut values = serde_json::Deserializer::from_str(text).into_iter::<Value>();
                let value = values.next().unwrap_or_else(|| {
                    Err(serde::de::Error::custom("expected a value, found the end"))
                });
                let len = values.byte_offset();
                // serde_json stops after `true` in `true"`: what follows must
                // end the value, as it does for every other reader.
                if !ends_scalar(text.as_bytes().get(len).copied()) {
                    return Err(E::custom("trailing characters"));
                }
                report(text, len);
                value.map_err(E::custom)
            }
            Node::Value(value) => Ok(*value),
        }
    }

    /// The string under key `key` when the value is an object (a tagged
    /// union's tag); `None` for anything else.
    pub fn tag(&self, key: &str) -> Result<Option<Cow<'de, str>>, Failure> {
        match self {
            Node::Text(text) => text::string_member(text, key),
            Node::Value(value) => Ok(value
                .get(key)
                .and_then(Value::as_str)
                .map(|tag| Cow::Owned(tag.to_owned()))),
        }
    }
}

/// Decodes `T` from the text of one JSON value. Every value is decoded
/// through [`TextDeserializer`] (one from another deserializer is written out
/// as text first), so each type's `Deserialize` impl is compiled for that one
/// deserializer: a second one would double the client's generated machine
/// code. The helpers around it are written to add as few generic functions
/// per type as they can (no closures, non-generic bookkeeping), for the same
/// reason.
fn decode_text<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    T::deserialize(TextDeserializer::value(text))
}

/// The error of the readers a generated impl is made of: serde_json's, the
/// error of [`TextDeserializer`], through which every value is decoded. It
/// reaches the caller's deserializer as a `custom` error with the same
/// message.
pub type Failure = serde_json::Error;

/// Reads an object of the type `shape` describes, with `read`, the generated
/// impl's reader of its fields.
///
/// The readers are ordinary functions, not generic over the deserializer:
/// rustc type-checks each once against one error type, where a body generic
/// over `D` proves `D::Error` conversions at every `?` (3,400 such bodies were
/// the largest part of the client's type and borrow checking). Generated
/// readers are `#[inline]`, so a type nobody decodes costs no machine code.
pub fn read_object<'de, D, T, F>(
    deserializer: D,
    shape: &'static Shape,
    read: F,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    F: FnOnce(&mut Object<'de>) -> Result<T, Failure>,
{
    let _level = text::Level::enter().map_err(lift)?;
    let mut object = Object::new(shape);
    object.open(deserializer)?;
    read(&mut object).map_err(lift)
}

/// Reads one value as a [`Node`] and hands it to `read`, the generated
/// impl's reader (a union's: see [`read_object`]).
pub fn read_node<'de, D, T, F>(deserializer: D, read: F) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    F: FnOnce(Node<'de>) -> Result<T, Failure>,
{
    let _level = text::Level::enter().map_err(lift)?;
    let node = <Node<'de> as serde::Deserialize>::deserialize(deserializer)?;
    read(node).map_err(lift)
}

/// A reader's error as the deserializer's (the same message), made out of
/// line: it is on the error path of every generated impl.
#[cold]
#[inline(never)]
fn lift<E: Error>(error: Failure) -> E {
    E::custom(error)
}

/// Reads a string enum: any string, the values it does not know included
/// (its `From<&str>` keeps those).
pub fn read_str<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: for<'a> From<&'a str>,
{
    let value = <Str<'de> as serde::Deserialize>::deserialize(deserializer)?;
    Ok(T::from(value.as_str()))
}

/// The error of field `key` that did not decode.
#[cold]
#[inline(never)]
fn field_error<E: Error>(key: &str, error: &serde_json::Error) -> E {
    E::custom(format_args!("field `{key}`: {}", message(error)))
}

/// A serde_json error's message without its position: a field's text is
/// decoded on its own, so a line and column would point into that text.
fn message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    if error.line() == 0 {
        return text;
    }
    let position = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&position) {
        Some(bare) => bare.to_owned(),
        None => text,
    }
}

/// What a generated impl tells [`read_object`] about its type: the name (for
/// errors and fill reports) and the wire names of its declared fields, in
/// the order [`Object::next_field`] gives their indices in.
#[derive(Debug)]
pub struct Shape {
    /// The Rust type's name.
    pub name: &'static str,
    /// The declared (not flattened) fields' wire names.
    pub fields: &'static [&'static str],
    /// Whether JSON writes every field name as its own bytes between quotes
    /// (none holds a `"`, a `\` or a control character): then a member's key
    /// is matched against the names by its bytes, before it is scanned. Not
    /// public: only [`Shape::new`] sets it, from the names themselves.
    plain: bool,
    /// The names by their first two bytes, so that a key is found in one
    /// probe whatever order the members come in (built at compile time).
    keys: text::KeyTable,
}

impl Shape {
    /// The shape of type `name` with declared fields `fields`; evaluated at
    /// compile time in the generated `static`s.
    pub const fn new(name: &'static str, fields: &'static [&'static str]) -> Shape {
        let mut plain = true;
        let mut i = 0;
        while i < fields.len() {
            let bytes = fields[i].as_bytes();
            let mut j = 0;
            while j < bytes.len() {
                plain &= !matches!(bytes[j], b'"' | b'\\' | 0..=0x1f);
                j += 1;
            }
            i += 1;
        }
        Shape {
            name,
            fields,
            plain,
            keys: text::KeyTable::new(fields),
        }
    }

    /// The wire name of declared field `index`.
    fn key(&self, index: usize) -> &'static str {
        self.fields.get(index).copied().unwrap_or("?")
    }
}

impl serde::de::Expected for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object `{}`", self.name)
    }
}

/// A JSON object being taken apart, one member at a time, in the order the
/// members come ([`Object::next_field`]).
///
/// The member an impl reads is read where it stands, from its text in prefix
/// mode, so it is read once and never scanned (see [`TextDeserializer`]); a
/// declared field that repeats is refused, as serde's derived impls refuse
/// it. Members nobody declared are kept, in order, for the unknown-fields
/// map or `additionalProperties` ([`unknown`], [`rest`]).
pub struct Object<'de> {
    shape: &'static Shape,
    /// The members of an object that came as a `Value`, each in the slot of
    /// its declared field (none for one that came as text).
    slots: Vec<Slot<'de>>,
    rest: Vec<(Cow<'de, str>, Node<'de>)>,
    /// The slot [`Object::next_field`] looks at next, when the object came
    /// as a `Value` (its slots are given in declared order).
    next: usize,
    /// The members not read yet, when the object came as text.
    walk: Option<Members<'de>>,
    /// The text of the member [`Object::next_field`] last gave: the walk
    /// goes on past it when the next member is asked for, by when its reader
    /// has reported its length. (Settling it then, not on the reader's
    /// return, lets the `put` functions return without holding the value.)
    pending: Option<&'de str>,
    /// The value of the member [`Object::next_field`] last gave, when the
    /// object came as a `Value`.
    current: Option<Node<'de>>,
    /// The declared fields below 128 met by [`Object::next_field`], a bit
    /// each in two words: one met again is refused. (Two `u64`s, not a
    /// `u128`: a shift of a `u128` by a variable count is a branchy
    /// sequence, and this runs once per member.)
    seen: [u64; 2],
    /// Where the text of a member kept as a `Value` is written out.
    written: String,
    /// The first error of the fields finished without returning one (see
    /// [`check`]).
    failure: Option<serde_json::Error>,
}

impl fmt::Debug for Object<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Object")
            .field("shape", &self.shape.name)
            .field("rest", &self.rest.len())
            .field("text", &self.walk.is_some())
            .finish()
    }
}

/// A declared field's slot, in an object that came as a `Value`.
#[derive(Debug)]
enum Slot<'de> {
    /// Not in the object.
    Empty,
    /// In the object, not read yet.
    Kept(Node<'de>),
    /// Given by [`Object::next_field`].
    Taken,
}

impl<'de> Object<'de> {
    fn new(shape: &'static Shape) -> Self {
        Object {
            shape,
            slots: Vec::new(),
            rest: Vec::new(),
            next: 0,
            walk: None,
            pending: None,
            current: None,
            seen: [0; 2],
            written: String::new(),
            failure: None,
        }
    }

    /// Reads the JSON object `deserializer` holds; anything else is an
    /// `invalid type` error naming the type. Its members are read as
    /// [`Object::next_field`] asks for them. (In place: [`read_object`] keeps the object
    /// where it made it.)
    fn open<D: serde::Deserializer<'de>>(&mut self, deserializer: D) -> Result<(), D::Error> {
        match <Node<'de> as serde::Deserialize>::deserialize(deserializer)? {
            Node::Text(text) if text.starts_with('{') => match Members::new(text) {
                Ok(walk) => self.walk = Some(walk),
                Err(e) => return Err(lift(e)),
            },
            other => self.open_value(other).map_err(lift)?,
        }
        Ok(())
    }

    /// [`Object::open`] for anything but an object's text: a `Value` (one
    /// from another deserializer), whose members are filed in their slots,
    /// or a text that is not an object. Out of line and not generic: the
    /// text of an object is what the client reads.
    #[inline(never)]
    fn open_value(&mut self, node: Node<'de>) -> Result<(), Failure> {
        match node.into_value::<Failure>()? {
            Value::Object(map) => {
                for (key, value) in map {
                    self.file(Cow::Owned(key), Node::Value(Box::new(value)))?;
                }
                Ok(())
            }
            value => Err(Failure::invalid_type(unexpected(&value), self.shape)),
        }
    }

    /// The index of the declared field `key` (see [`text::KeyTable::find`]).
    fn find(&self, key: &str) -> Option<usize> {
        self.shape.keys.find(self.shape.fields, key)
    }

    /// Files a member of a `Value` in its field's slot, or one nobody read
    /// with the undeclared ones. A declared field met twice is an error.
    fn file(&mut self, key: Cow<'de, str>, value: Node<'de>) -> Result<(), serde_json::Error> {
        match self.find(&key) {
            Some(i) => match &self.slots_mut()[i] {
                Slot::Empty => self.slots[i] = Slot::Kept(value),
                _ => return Err(duplicate_field(&key)),
            },
            None => self.rest.push((key, value)),
        }
        Ok(())
    }

    /// The slots of the declared fields, made when first needed: only a
    /// `Value`'s members are filed in them.
    fn slots_mut(&mut self) -> &mut Vec<Slot<'de>> {
        if self.slots.is_empty() && !self.shape.fields.is_empty() {
            self.slots
                .resize_with(self.shape.fields.len(), || Slot::Empty);
        }
        &mut self.slots
    }

    /// The declared index of the next member, in the order the members come;
    /// `None` after the last. Members nobody declared are kept with the
    /// others nobody took; a declared one met twice is refused, as serde's
    /// derived impls refuse it. The member's value is then read by one of
    /// the `put` functions (or scanned past when the next member is asked for).
    pub fn next_field(&mut self) -> Result<Option<usize>, Failure> {
        self.settle()?;
        self.current = None;
        if self.walk.is_none() {
            // A `Value`: its members were filed by `open`, in declared order.
            while self.next < self.slots.len() {
                let index = self.next;
                self.next += 1;
                if let Slot::Kept(node) = std::mem::replace(&mut self.slots[index], Slot::Taken) {
                    self.current = Some(node);
                    return Ok(Some(index));
                }
            }
            return Ok(None);
        }
        loop {
            let Some(walk) = self.walk.as_mut() else {
                return Ok(None);
            };
            // A key written as one of the names is found by its bytes, in
            // the shape's key table; any other key is scanned and looked up.
            let (fields, keys) = (self.shape.fields, &self.shape.keys);
            if self.shape.plain && keys.is_complete() {
                if let Some(index) = walk.take_key(keys, fields) {
                    return self.found(index, fields[index]);
                }
            }
            let Some(key) = walk.next_key().transpose()? else {
                self.report_len();
                return Ok(None);
            };
            match self.find(&key) {
                Some(index) => return self.found(index, &key),
                None => {
                    let walk = self.walk.as_mut().expect("the walk read the key");
                    let value = walk.skip_value()?;
                    self.rest.push((key, Node::Text(value)));
                }
            }
        }
    }

    /// Gives declared field `index`, whose key was just read: its value is
    /// next. A field met twice is refused.
    ///
    /// `always`: with a plain `#[inline]` rustc kept this and
    /// [`Object::settle`] out of line, a call each per member; inlined, a chat
    /// chunk decodes in 8,344 instructions instead of 8,826.
    #[inline(always)]
    fn found(&mut self, index: usize, key: &str) -> Result<Option<usize>, Failure> {
        if let Some(word) = self.seen.get_mut(index / 64) {
            let bit = 1u64 << (index % 64);
            if *word & bit != 0 {
                return Err(duplicate_field(key));
            }
            *word |= bit;
        }
        let walk = self.walk.as_ref().expect("the walk read the key");
        self.pending = Some(walk.value_text());
        forget_reports();
        Ok(Some(index))
    }

    /// The text of the member [`Object::next_field`] last gave, in prefix
    /// mode (a `Value` written out).
    #[inline]
    fn current_text(&mut self) -> &'_ str {
        match self.pending {
            Some(text) => text,
            None => self.current_value_text(),
        }
    }

    /// [`Object::current_text`], or `None` for `null`, which is then read
    /// (its length reported) without being decoded.
    #[inline]
    fn current_unless_null(&mut self) -> Option<&'_ str> {
        let text = self.current_text();
        if text::is_null(text) {
            report(text, 4);
            return None;
        }
        Some(text)
    }

    /// The member [`Object::next_field`] last gave, as a node to read
    /// whole (the rarer field kinds: `int64` bounds written as floats,
    /// base64 number arrays; out of line).
    #[inline(never)]
    fn current_node(&mut self) -> Node<'de> {
        match (self.current.take(), self.pending) {
            (Some(node), _) => node,
            (None, text) => Node::Text(text.unwrap_or("null")),
        }
    }

    /// [`Object::current_text`] for an object that came as a `Value`.
    #[inline(never)]
    fn current_value_text(&mut self) -> &'_ str {
        match &self.current {
            Some(Node::Text(text)) => text,
            Some(Node::Value(value)) => {
                self.written = value.to_string();
                &self.written
            }
            None => "null",
        }
    }

    /// Notes the first error of a field finished without returning one
    /// (see [`check`]).
    fn fail(&mut self, error: serde_json::Error) {
        if self.failure.is_none() {
            self.failure = Some(error);
        }
    }

    /// Reads on through the members nobody read, filing each, to the closing
    /// brace, and reports the object's length.
    fn read_rest(&mut self) -> Result<(), serde_json::Error> {
        while let Some(walk) = self.walk.as_mut() {
            let Some(key) = walk.next_key().transpose()? else {
                self.report_len();
                break;
            };
            let value = walk.skip_value()?;
            self.file(key, Node::Text(value))?;
        }
        Ok(())
    }

    /// Moves the walk past the value of the member [`Object::next_field`]
    /// last gave, which has been read since (or was not: then it is scanned
    /// past). Inlined always, as [`Object::found`] says why.
    #[inline(always)]
    fn settle(&mut self) -> Result<(), serde_json::Error> {
        if let (Some(text), Some(walk)) = (self.pending.take(), self.walk.as_mut()) {
            walk.after_value(consumed(text)?)?;
        }
        Ok(())
    }

    /// Reads the members nobody read yet (to keep them, and to check the
    /// object to its end).
    fn finish(&mut self) -> Result<(), serde_json::Error> {
        self.settle()?;
        self.read_rest()
    }

    /// The object's text and length, once the walk has read its closing brace.
    fn end(&self) -> Option<(&'de str, usize)> {
        let walk = self.walk.as_ref()?;
        Some((walk.text(), walk.len()?))
    }

    /// Reports the object's length to whoever holds it, once the walk has
    /// read the closing brace.
    fn report_len(&self) {
        report_end(self.end());
    }

    /// The wire name of declared field `index`.
    fn key(&self, index: usize) -> &'static str {
        self.shape.key(index)
    }

    /// The members nobody took, borrowed, once the object is read to its end:
    /// declared fields left in their slots, then the undeclared ones in order.
    fn left(&self) -> impl Iterator<Item = (Cow<'de, str>, &Node<'de>)> {
        let fields = self.shape.fields;
        let slots = self.slots.iter().enumerate();
        let declared = slots.filter_map(move |(i, slot)| match slot {
            Slot::Kept(value) => Some((Cow::Borrowed(fields[i]), value)),
            _ => None,
        });
        declared.chain(self.rest.iter().map(|(key, value)| (key.clone(), value)))
    }

    /// Takes the members nobody took, once the object is read to its end:
    /// declared fields left in their slots, then the undeclared ones in order.
    fn take_rest(&mut self) -> impl Iterator<Item = (Cow<'de, str>, Node<'de>)> {
        let fields = self.shape.fields;
        let slots = std::mem::take(&mut self.slots).into_iter().enumerate();
        slots
            .filter_map(move |(i, slot)| match slot {
                Slot::Kept(value) => Some((Cow::Borrowed(fields[i]), value)),
                _ => None,
            })
            .chain(std::mem::take(&mut self.rest))
    }

    /// The members nobody took, as a JSON object, once the object is read to its end.
    fn rest_value<E: Error>(&self) -> Result<Value, E> {
        let mut map = Map::new();
        for (key, value) in self.left() {
            map.insert(key.into_owned(), value.clone().into_value()?);
        }
        Ok(Value::Object(map))
    }
}

/// The error of a declared field met twice, made out of line as the
/// scanner's errors are (see `text::scan::fail`).
#[cold]
#[inline(never)]
fn duplicate_field(key: &str) -> Failure {
    Failure::custom(format_args!("duplicate field `{key}`"))
}

/// Reports an object's length (see [`Object::end`]): again as the last word
/// of an impl that read members after [`Object::finish`] (they reported theirs).
fn report_end(end: Option<(&str, usize)>) {
    if let Some((text, len)) = end {
        report(text, len);
    }
}

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
/// reported (see [`collect_fills`]); in [`strict`] mode it is an error
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
/// required one (noted, or an error in [`strict`] mode).
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
/// (not in [`strict`] mode); the fill is noted for [`collect_fills`].
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
    let before = set_strict(true);
    let out = decode();
    set_strict(before);
    out
}

/// Sets strict mode, returning what it was (outside the generic wrappers:
/// one thread-local access compiled once, not once per decoded type).
fn set_strict(on: bool) -> bool {
    STRICT.with(|s| s.replace(on))
}

/// Runs `decode` and returns what it filled in leniently (see
/// [`or_empty`]), one line per field, such as
/// `ResponseUsage.cache_write_tokens: missing or null, read as empty`.
pub fn collect_fills<T>(decode: impl FnOnce() -> T) -> (T, Vec<String>) {
    let before = swap_fills(Some(Vec::new()));
    let out = decode();
    let fills = swap_fills(before).unwrap_or_default();
    (out, fills)
}

/// Puts `fills` in place of the fills being collected, returning those.
fn swap_fills(fills: Option<Vec<String>>) -> Option<Vec<String>> {
    FILLS.with(|f| f.replace(fills))
}

/// Adds `fills` to those being collected, if any are (bounded as in
/// [`note_fill`]).
fn add_fills(fills: Vec<String>) {
    FILLS.with(|f| {
        if let Some(all) = f.borrow_mut().as_mut() {
            let room = 1000usize.saturating_sub(all.len());
            all.extend(fills.into_iter().take(room));
        }
    });
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
}

impl<T> Attempt<T> {
    /// The value, reporting its fills to the surrounding [`collect_fills`].
    pub fn accept(self) -> T {
        add_fills(self.fills);
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

/// Kinds of JSON value, as bits: what each variant of an untagged union can
/// be read from. The generator decides a variant's kinds from its type (an
/// object type takes objects only, a string enum strings) and the union
/// tries a variant only when the value's kind ([`json_kind`]) is among them:
/// each attempt in vain built an error with a formatted message, seventeen
/// in a Responses API response (a tool choice of `"auto"` went through
/// eight object variants first).
pub mod kind {
    /// An object.
    pub const OBJECT: u8 = 1;
    /// An array.
    pub const ARRAY: u8 = 2;
    /// A string.
    pub const STRING: u8 = 4;
    /// A number.
    pub const NUMBER: u8 = 8;
    /// `true` or `false`.
    pub const BOOL: u8 = 16;
    /// `null`.
    pub const NULL: u8 = 32;
}

/// The [`kind`] of the value `node` holds, from its first byte (anything
/// that is not another kind is taken for a number: its reader checks it).
pub fn json_kind(node: &Node) -> u8 {
    match node {
        Node::Text(text) => match text.trim_start().as_bytes().first() {
            Some(b'{') => kind::OBJECT,
            Some(b'[') => kind::ARRAY,
            Some(b'"') => kind::STRING,
            Some(b't' | b'f') => kind::BOOL,
            Some(b'n') => kind::NULL,
            _ => kind::NUMBER,
        },
        Node::Value(value) => match **value {
            Value::Object(_) => kind::OBJECT,
            Value::Array(_) => kind::ARRAY,
            Value::String(_) => kind::STRING,
            Value::Bool(_) => kind::BOOL,
            Value::Null => kind::NULL,
            Value::Number(_) => kind::NUMBER,
        },
    }
}

/// `value` read as `T`, or `None` (one attempt of an untagged union). Reads
/// through a reference: a failed attempt must not cost a copy of the value.
pub fn variant<T: DeserializeOwned>(node: &Node) -> Option<Attempt<T>> {
    let (decoded, fills) = collect_fills(|| decode_text::<T>(&node.text()).ok());
    decoded.map(|value| Attempt { value, fills })
}

/// The error when no variant of an untagged union accepts `node`;
/// `expected` names the union and the branches tried.
pub fn no_variant(node: &Node, expected: &'static str) -> Failure {
    match node.clone().into_value::<Failure>() {
        Ok(value) => Failure::invalid_value(unexpected(&value), &expected),
        Err(error) => error,
    }
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
        let fields: &'static [&'static str] = &["id", "object", "i", "ids", ""];
        let plain = shape(fields);
        assert!(plain.plain);
        let scanned: &'static Shape = Box::leak(Box::new(Shape {
            plain: false,
            ..Shape::new("T", fields)
        }));
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
        for text in texts {
            let by_bytes = read(text, plain);
            assert_eq!(by_bytes, read(text, scanned), "{text}");
            let through_serde = serde_json::from_str::<Value>(text);
            if by_bytes.is_ok() {
                assert!(through_serde.is_ok(), "{text}");
            }
        }
        // A name JSON must escape is never matched by its bytes: `a"b`
        // written raw is not a key, and `\n` written raw is not `\n`.
        for names in [&["a\"b"][..], &["x\\n"], &["tab\there"]] {
            assert!(!Shape::new("T", names).plain, "{names:?}");
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
        let plain =
            <Str as serde::Deserialize>::deserialize(TextDeserializer::new("\"ab\"")).unwrap();
        assert!(matches!(plain, Str(Cow::Borrowed("ab"))), "{plain:?}");
        let escaped =
            <Str as serde::Deserialize>::deserialize(TextDeserializer::new("\"a\\u0062\""))
                .unwrap();
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
}
