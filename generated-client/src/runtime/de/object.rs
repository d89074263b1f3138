//! An object being read: its type's [`Shape`] (name, declared fields, key
//! table) and the [`Object`] a generated reader asks for each member in turn.

use serde::de::Error;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

use super::text::{self, consumed, forget_reports, report, Members};
use super::{lift, unexpected, Failure, Node};

/// What a generated impl tells [`read_object`](super::read_object) about its type: the name (for
/// errors and fill reports) and the wire names of its declared fields, in
/// the order [`Object::next_field`] gives their indices in.
#[derive(Debug)]
pub struct Shape {
    /// The Rust type's name.
    pub name: &'static str,
    /// The declared (not flattened) fields' wire names.
    pub fields: &'static [&'static str],
    /// The names by their first two bytes, so that a key is found in one
    /// probe whatever order the members come in (built at compile time),
    /// matched by its bytes when the names allow it ([`text::KeyTable::by_bytes`]).
    pub(super) keys: text::KeyTable,
    /// Whether a field is named `error` (see [`watch`](super::watch)).
    pub(super) declares_error: bool,
}

impl Shape {
    /// The shape of type `name` with declared fields `fields`; evaluated at
    /// compile time in the generated `static`s.
    pub const fn new(name: &'static str, fields: &'static [&'static str]) -> Shape {
        Shape {
            name,
            fields,
            keys: text::KeyTable::new(fields),
            declares_error: declares(fields, "error"),
        }
    }

    /// The wire name of declared field `index`.
    pub(super) fn key(&self, index: usize) -> &'static str {
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
/// mode, so it is read once and never scanned (see [`TextDeserializer`](super::TextDeserializer)); a
/// declared field that repeats is refused, as serde's derived impls refuse
/// it. Members nobody declared are kept, in order, for the unknown-fields
/// map or `additionalProperties` ([`unknown`](super::unknown), [`rest`](super::rest)).
pub struct Object<'de> {
    pub(super) shape: &'static Shape,
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
    /// [`check`](super::fields::check)).
    pub(super) failure: Option<serde_json::Error>,
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
    pub(super) fn new(shape: &'static Shape) -> Self {
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
    /// [`Object::next_field`] asks for them. (In place: [`read_object`](super::read_object) keeps the object
    /// where it made it.)
    pub(super) fn open<D: serde::Deserializer<'de>>(
        &mut self,
        deserializer: D,
    ) -> Result<(), D::Error> {
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
    ///
    /// Only the common case is here: an object's text whose next key is
    /// written as one of the names. The rest (the end of the object, a key
    /// nobody declared or written with escapes, an object that came as a
    /// `Value`) is out of line, so that this part, run once per member,
    /// stays small: callgrind, 2026-12-02, 200,000 chat chunks decoded
    /// 1,622.7 → 1,574.9 M instructions, a list of 100,000 files read
    /// 523.9 → 504.5 M (with `Members::take_key` and `string_at` always
    /// inlined, which rustc stopped doing once this was split).
    pub fn next_field(&mut self) -> Result<Option<usize>, Failure> {
        let Some(walk) = self.walk.as_mut() else {
            return self.next_slot();
        };
        if let Some(text) = self.pending.take() {
            walk.after_value(consumed(text)?)?;
        }
        let (fields, keys) = (self.shape.fields, &self.shape.keys);
        match walk.take_key(keys, fields) {
            Some(index) => self.found(index, fields[index]),
            None => self.next_scanned(),
        }
    }

    /// [`Object::next_field`] for a key that is not found by its bytes, or
    /// the end of the object: the key is scanned and looked up; a key nobody
    /// declared is kept, with its value, and the next member read.
    #[inline(never)]
    fn next_scanned(&mut self) -> Result<Option<usize>, Failure> {
        loop {
            let Some(walk) = self.walk.as_mut() else {
                return Ok(None);
            };
            let (fields, keys) = (self.shape.fields, &self.shape.keys);
            if let Some(index) = walk.take_key(keys, fields) {
                return self.found(index, fields[index]);
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

    /// [`Object::next_field`] for an object that came as a `Value`: its
    /// members were filed by `open`, in declared order.
    #[cold]
    #[inline(never)]
    fn next_slot(&mut self) -> Result<Option<usize>, Failure> {
        self.current = None;
        while self.next < self.slots.len() {
            let index = self.next;
            self.next += 1;
            if let Slot::Kept(node) = std::mem::replace(&mut self.slots[index], Slot::Taken) {
                self.current = Some(node);
                return Ok(Some(index));
            }
        }
        Ok(None)
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
    pub(super) fn current_text(&mut self) -> &'_ str {
        match self.pending {
            Some(text) => text,
            None => self.current_value_text(),
        }
    }

    /// [`Object::current_text`], or `None` for `null`, which is then read
    /// (its length reported) without being decoded.
    #[inline]
    pub(super) fn current_unless_null(&mut self) -> Option<&'_ str> {
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
    pub(super) fn current_node(&mut self) -> Node<'de> {
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
    /// (see [`check`](super::fields::check)).
    pub(super) fn fail(&mut self, error: serde_json::Error) {
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
    pub(super) fn finish(&mut self) -> Result<(), serde_json::Error> {
        self.settle()?;
        self.read_rest()
    }

    /// The object's text and length, once the walk has read its closing brace.
    pub(super) fn end(&self) -> Option<(&'de str, usize)> {
        let walk = self.walk.as_ref()?;
        Some((walk.text(), walk.len()?))
    }

    /// Reports the object's length to whoever holds it, once the walk has
    /// read the closing brace; and, when it is a watched document's
    /// top-level object, whether it had a member named `error` (see
    /// [`watch`](super::watch)).
    fn report_len(&self) {
        let end = self.end();
        report_end(end);
        if let Some((text, _)) = end {
            super::watch::object_read(text, || {
                // A declared `error` is taken as present.
                self.shape.declares_error || self.rest.iter().any(|(key, _)| key == "error")
            });
        }
    }

    /// The wire name of declared field `index`.
    pub(super) fn key(&self, index: usize) -> &'static str {
        self.shape.key(index)
    }

    /// The members nobody took, borrowed, once the object is read to its end:
    /// declared fields left in their slots, then the undeclared ones in order.
    pub(super) fn left(&self) -> impl Iterator<Item = (Cow<'de, str>, &Node<'de>)> {
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
    pub(super) fn take_rest(&mut self) -> impl Iterator<Item = (Cow<'de, str>, Node<'de>)> {
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
    pub(super) fn rest_value<E: Error>(&self) -> Result<Value, E> {
        let mut map = Map::new();
        for (key, value) in self.left() {
            map.insert(key.into_owned(), value.clone().into_value()?);
        }
        Ok(Value::Object(map))
    }
}

/// Whether `fields` holds `name` (at compile time, in [`Shape::new`]).
const fn declares(fields: &[&str], name: &str) -> bool {
    let mut i = 0;
    while i < fields.len() {
        let (field, name) = (fields[i].as_bytes(), name.as_bytes());
        if field.len() == name.len() {
            let mut at = 0;
            while at < name.len() && field[at] == name[at] {
                at += 1;
            }
            if at == name.len() {
                return true;
            }
        }
        i += 1;
    }
    false
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
pub(super) fn report_end(end: Option<(&str, usize)>) {
    if let Some((text, len)) = end {
        report(text, len);
    }
}
