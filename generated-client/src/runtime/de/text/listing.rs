//! Decoding a large listing while its body arrives.
//!
//! A listing (`{"object": "list", "data": [...], ...}`) can be tens of
//! megabytes. Gathered whole, its body takes a buffer that size, all of it
//! fresh pages the kernel maps in one fault at a time: for a list of 100,000
//! files, 5,300 of the client's 12,900 page faults, about 9 ms of the 60 ms
//! the whole request took. [`ItemStream`] instead decodes the items of the listing's
//! array one by one out of a small buffer that each chunk of the body is
//! appended to and that the decoded items are cut from; the rest of the
//! document (the members around the array, with the array written as `[]`)
//! is kept and decoded by the listing's own type at the end, the items then
//! put in its field. Each item is decoded exactly as `Vec`'s reader
//! ([`decode_array`](super::decode_array)) decodes it, at the same nesting
//! depth, in the same strict or lenient mode.
//!
//! Only bodies larger than [`STREAM_AFTER`] are split: a smaller one is
//! gathered and decoded whole, as any other response. So is a large one that
//! does not start the way a listing does (an object whose members before
//! the array can be scanned past): then nothing is split.
//!
//! A chunk may end inside an item. An item is taken only when its text
//! ended before the bytes at hand did (so a number cut short is not taken
//! for a shorter one); otherwise it is read again from its start once more
//! bytes come, and only once the bytes from its start have doubled, so that
//! one very long item is read a bounded number of times, not once per chunk.

use serde::de::{DeserializeOwned, Error as _};
use serde_json::Error;

use super::{consumed, forget_reports, Level, Members, TextDeserializer, LARGE_ELEMENT};
use crate::runtime::de::{collect_fills, fills_noted, forget_fills_after, strict, MAX_FILLS};

/// Bodies up to this size are decoded whole; past it, a listing's items are
/// decoded as they arrive. Below it the buffer costs little (256 page faults
/// at most) and keeping one path for most responses keeps them simple.
const STREAM_AFTER: usize = 1 << 20;

/// Decodes the items of a listing's array from its body's chunks; see the
/// module docs.
pub(crate) struct ItemStream<'a> {
    /// The array's wire name (`data`).
    key: &'static str,
    /// Decode the items in strict mode.
    strict: bool,
    /// Split only bodies larger than this.
    stream_after: usize,
    phase: Phase,
    /// Bytes not yet decoded: the whole body until the array is found, then
    /// from the next item on.
    pending: Vec<u8>,
    /// Where `pending` starts in the body.
    offset: usize,
    /// Read `pending` again once it holds this many bytes (see the module
    /// docs on items cut by a chunk).
    retry_at: usize,
    /// The document without the array's items: what came before the array,
    /// `[]`, and once the array has closed, everything after it.
    outer: Vec<u8>,
    /// The items decoded so far.
    items: &'a mut dyn Items,
    fills: Vec<String>,
}

/// The items of a listing decoded so far, whatever their type: the one part
/// of decoding a listing that is generic, so that the rest is compiled once,
/// not once for each of the client's listings.
pub(crate) trait Items: Send {
    /// Decodes the item at the start of `text` (anything may follow it) and
    /// keeps it, giving the length of its text; `None`, keeping nothing,
    /// when it ran to the end of `text` and that is not `complete` (a
    /// number cut short must not be taken for a shorter one).
    fn take(&mut self, text: &str, complete: bool) -> Result<Option<usize>, Error>;
    /// How many are kept.
    fn count(&self) -> usize;
    /// Forgets them all.
    fn clear(&mut self);
}

impl<I: DeserializeOwned + Send> Items for Vec<I> {
    fn take(&mut self, text: &str, complete: bool) -> Result<Option<usize>, Error> {
        forget_reports();
        let value = I::deserialize(TextDeserializer::value(text))?;
        let len = consumed(text)?;
        if len == text.len() && !complete {
            return Ok(None);
        }
        // As `decode_array` does.
        if self.is_empty() && std::mem::size_of::<I>() > LARGE_ELEMENT {
            self.reserve_exact(1);
        }
        self.push(value);
        Ok(Some(len))
    }

    fn count(&self) -> usize {
        self.len()
    }

    fn clear(&mut self) {
        Vec::clear(self);
    }
}

/// Where in the listing the bytes at hand are.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    /// Gathering the first [`STREAM_AFTER`] bytes.
    Gather,
    /// Looking for the array among the object's first members.
    Head,
    /// Inside the array, before an item (`first`: the first, where `]` may
    /// also come).
    Item { first: bool },
    /// Inside the array, after an item: `,` or `]` comes next.
    AfterItem,
    /// After the array: the rest of the document goes to `outer`.
    Tail,
    /// Not split: the whole body is gathered and decoded as one.
    Whole,
}

/// What a listing's body came to, once it has all arrived.
#[derive(Debug)]
pub(crate) enum Finished {
    /// The body, whole: decode it as any other response.
    Whole(Vec<u8>),
    /// The document without its items (the array written `[]`; the items
    /// are in the [`Items`] given), and what was filled in leniently while
    /// decoding them.
    Split { outer: Vec<u8>, fills: Vec<String> },
    /// An item (or the array around it) did not decode: what was wrong,
    /// where, and the body from there on.
    Failed { error: Error, rest: Vec<u8> },
}

/// What reading the bytes at hand came to.
#[derive(Clone, Copy)]
enum Step {
    /// Go on in the phase now set.
    Go,
    /// The next value is not all here yet.
    More,
    /// The bytes cannot be what the phase expects.
    Wrong,
}

impl<'a> ItemStream<'a> {
    /// A decoder of the items under the listing's member `key`, into `items`.
    pub(crate) fn new(key: &'static str, strict: bool, items: &'a mut dyn Items) -> Self {
        ItemStream {
            key,
            strict,
            stream_after: STREAM_AFTER,
            phase: Phase::Gather,
            pending: Vec::new(),
            offset: 0,
            retry_at: 0,
            outer: Vec::new(),
            items,
            fills: Vec::new(),
        }
    }

    /// Splits bodies larger than `bytes` (tests split small ones).
    #[cfg(test)]
    pub(crate) fn stream_after(mut self, bytes: usize) -> Self {
        self.stream_after = bytes;
        self
    }

    /// Starts over (a retried request's body comes from the start).
    pub(crate) fn reset(&mut self) {
        self.phase = Phase::Gather;
        self.pending.clear();
        self.offset = 0;
        self.retry_at = 0;
        self.outer.clear();
        self.items.clear();
        self.fills.clear();
    }

    /// Takes the next chunk of the body.
    pub(crate) fn push(&mut self, chunk: &[u8]) {
        match self.phase {
            Phase::Tail => return self.outer.extend_from_slice(chunk),
            Phase::Whole => return self.pending.extend_from_slice(chunk),
            Phase::Gather if self.pending.len() + chunk.len() <= self.stream_after => {
                return self.pending.extend_from_slice(chunk)
            }
            Phase::Gather => self.phase = Phase::Head,
            _ => {}
        }
        self.pending.extend_from_slice(chunk);
        if self.pending.len() >= self.retry_at {
            self.advance(false);
        }
    }

    /// The body has all arrived: what it came to.
    pub(crate) fn finish(mut self) -> Finished {
        if !matches!(self.phase, Phase::Gather | Phase::Whole | Phase::Tail) {
            self.advance(true);
        }
        match self.phase {
            Phase::Gather | Phase::Whole | Phase::Head => Finished::Whole(self.pending),
            Phase::Tail => Finished::Split {
                outer: self.outer,
                fills: self.fills,
            },
            Phase::Item { .. } | Phase::AfterItem => {
                // The array did not close: whatever stops the next item (or
                // the end) is the error.
                let error = self.next_item_error();
                Finished::Failed {
                    error,
                    rest: self.pending,
                }
            }
        }
    }

    /// Reads what it can of the bytes at hand; `last`: no more will come.
    fn advance(&mut self, last: bool) {
        if self.phase == Phase::Head {
            match self.find_array(last) {
                Step::Go => {}
                Step::More => return self.wait(),
                Step::Wrong => return self.phase = Phase::Whole,
            }
        }
        if matches!(self.phase, Phase::Item { .. } | Phase::AfterItem) {
            let pending = std::mem::take(&mut self.pending);
            let (step, used) = self.decode_items(&pending, last);
            self.pending = pending;
            self.after_read(step, used, last);
        }
    }

    /// Decodes the items at the start of `bytes` in the client's strict or
    /// lenient mode, keeping what was filled; gives how far it read.
    fn decode_items(&mut self, bytes: &[u8], last: bool) -> (Step, usize) {
        let (read, fills) = if self.strict {
            (strict(|| self.read_items(bytes, last)), Vec::new())
        } else {
            collect_fills(|| self.read_items(bytes, last))
        };
        let room = MAX_FILLS.saturating_sub(self.fills.len());
        self.fills.extend(fills.into_iter().take(room));
        read
    }

    /// Cuts what was read (`used` bytes) from `pending`; once the array has
    /// closed, the rest goes to `outer`.
    fn after_read(&mut self, step: Step, used: usize, last: bool) {
        self.drop_front(used);
        if self.phase == Phase::Tail {
            self.outer.extend_from_slice(&self.pending);
            self.pending.clear();
        }
        self.settle_wait(step, last);
    }

    /// When to read `pending` again after a read that came to `step`.
    fn settle_wait(&mut self, step: Step, last: bool) {
        match step {
            Step::More if !last => self.wait(),
            // Nothing more can mend it: the rest is only gathered, and
            // `finish` reports it.
            Step::Wrong => self.retry_at = usize::MAX,
            _ => self.retry_at = 0,
        }
    }

    /// The value at hand is cut short: read it again once the bytes from
    /// its start have doubled.
    fn wait(&mut self) {
        self.retry_at = self.pending.len() * 2;
    }

    /// Scans the object's members up to the array under `key`, leaving
    /// `pending` at its first item and `outer` holding what came before it.
    fn find_array(&mut self, last: bool) -> Step {
        let bytes = &self.pending;
        let start = bytes
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        match start.map(|at| bytes[at]) {
            None if !last => return Step::More,
            Some(b'{') => {}
            _ => return Step::Wrong,
        }
        // Scanned up to any bytes that are not UTF-8: if the array starts
        // before them, they are an item's error.
        let (text, ends) = valid_prefix(bytes);
        // Where the scan stops short: more may come, unless none will or
        // the text stops at bytes that are not UTF-8.
        let cut = match last || ends == Ends::Broken {
            true => Step::Wrong,
            false => Step::More,
        };
        let Ok(mut members) = Members::new(&text[start.unwrap_or(0)..]) else {
            return cut;
        };
        let array_at = loop {
            match members.next_key() {
                None => return Step::Wrong,
                Some(Err(_)) => return cut,
                Some(Ok(key)) if key == self.key => {
                    let value = members.value_text();
                    if value.is_empty() {
                        return cut;
                    }
                    if !value.starts_with('[') {
                        return Step::Wrong;
                    }
                    break value.as_ptr() as usize - text.as_ptr() as usize;
                }
                Some(Ok(_)) => {
                    if members.skip_value().is_err() {
                        return cut;
                    }
                }
            }
        };
        self.outer.extend_from_slice(&self.pending[..array_at]);
        self.outer.extend_from_slice(b"[]");
        self.drop_front(array_at + 1);
        self.phase = Phase::Item { first: true };
        Step::Go
    }

    /// Decodes the items at the start of `bytes`, in the array's
    /// punctuation, until the bytes run out or the array closes; gives how
    /// far it read (`last`: no more bytes will come).
    fn read_items(&mut self, bytes: &[u8], last: bool) -> (Step, usize) {
        // The object and the array around the items, as `decode_array`
        // inside the listing's reader holds them.
        let levels = Level::enter().and_then(|outer| Ok((outer, Level::enter()?)));
        let Ok(_levels) = levels else {
            return (Step::Wrong, 0);
        };
        let (text, ends) = valid_prefix(bytes);
        // Everything to the end of the body is here: an item that runs to
        // the end of the text is not cut short.
        let complete = last && ends == Ends::Whole;
        // Where the text stops short, it is cut (more may come) or broken.
        let short = match ends {
            Ends::Broken => Step::Wrong,
            _ => Step::More,
        };
        let mut at = 0;
        let step = loop {
            at = skip_space(text, at);
            let Some(&next) = text.as_bytes().get(at) else {
                break short;
            };
            match (self.phase, next) {
                (Phase::AfterItem, b',') => {
                    at += 1;
                    self.phase = Phase::Item { first: false };
                }
                (Phase::AfterItem | Phase::Item { first: true }, b']') => {
                    at += 1;
                    self.phase = Phase::Tail;
                    break Step::Go;
                }
                (Phase::AfterItem, _) => break Step::Wrong,
                _ => {
                    let item = &text[at..];
                    #[cfg(test)]
                    ATTEMPTS.with(|n| n.set(n.get() + 1));
                    let noted = fills_noted();
                    match self.items.take(item, complete) {
                        Ok(Some(len)) => {
                            at += len;
                            self.phase = Phase::AfterItem;
                        }
                        // Cut short by the end of the bytes at hand, or
                        // wrong (told apart once all have come); what it
                        // filled is noted when it is read again.
                        _ if !complete => {
                            forget_fills_after(noted);
                            break short;
                        }
                        _ => break Step::Wrong,
                    }
                }
            }
        };
        (step, at)
    }

    /// The error that stops the array at the bytes at hand (all of the
    /// body has come and the array did not close).
    fn next_item_error(&mut self) -> Error {
        let position = format!("item {} of `{}`", self.items.count(), self.key);
        let offset = self.offset;
        let (text, ends) = valid_prefix(&self.pending);
        let item = text.trim_start_matches([' ', '\t', '\n', '\r']);
        let error = match self.phase {
            _ if ends == Ends::Broken && !item_fits(&mut *self.items, item) => Error::custom(
                format_args!("the body is not UTF-8 at byte {}", offset + text.len()),
            ),
            Phase::AfterItem if !item.is_empty() => Error::custom("expected `,` or `]` after it"),
            _ if item.is_empty() => Error::custom("the body ended inside the array"),
            _ => item_error(&mut *self.items, item),
        };
        Error::custom(format_args!(
            "{position}, from byte {offset} of the body: {error}"
        ))
    }

    /// Cuts the first `len` bytes of `pending`, read.
    fn drop_front(&mut self, len: usize) {
        self.pending.drain(..len);
        self.offset += len;
    }
}

/// Whether the item at the start of `item` decodes and ends before the text.
fn item_fits(items: &mut dyn Items, item: &str) -> bool {
    !item.is_empty() && matches!(items.take(item, false), Ok(Some(_)))
}

/// Why the item at the start of `item` does not decode: a syntax error in
/// it as serde_json reports it, else the decoder's error.
fn item_error(items: &mut dyn Items, item: &str) -> Error {
    let mut values = serde_json::Deserializer::from_str(item).into_iter::<serde::de::IgnoredAny>();
    if let Some(Err(syntax)) = values.next() {
        return syntax;
    }
    match items.take(item, true) {
        Err(error) => error,
        Ok(_) => Error::custom("the item is not followed by `,` or `]`"),
    }
}

/// The index of the first byte of `text` from `at` that is not JSON
/// whitespace.
fn skip_space(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    while matches!(bytes.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// How the UTF-8 text at the start of some bytes ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ends {
    /// With the bytes: all of them are text.
    Whole,
    /// At a character cut by the end of the bytes (the next chunk has the
    /// rest of it).
    Cut,
    /// At bytes that are not UTF-8.
    Broken,
}

/// The longest prefix of `bytes` that is UTF-8, and how it ends.
fn valid_prefix(bytes: &[u8]) -> (&str, Ends) {
    // `from_utf8` checks ASCII a word at a time; `utf8_chunks` a byte at a
    // time, 7 instructions a byte.
    match std::str::from_utf8(bytes) {
        Ok(text) => (text, Ends::Whole),
        Err(error) => {
            // Checked again, only up to the cut (no `unsafe` here).
            let text = std::str::from_utf8(&bytes[..error.valid_up_to()]).unwrap_or_default();
            match error.error_len() {
                None => (text, Ends::Cut),
                Some(_) => (text, Ends::Broken),
            }
        }
    }
}

#[cfg(test)]
thread_local! {
    /// How many times an item was read (whole or cut short).
    static ATTEMPTS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests;
