//! From body chunks to typed stream items: the SSE parser, the stream's end
//! rules, error events, and decoding each event's data straight from its
//! bytes into the item type. [`EventStream`](super::EventStream) runs this
//! in its own task or inline (see `stream_task`).

use std::borrow::Cow;
use std::collections::VecDeque;
use std::marker::PhantomData;
use std::ops::Range;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};

use futures_util::Stream;
use memchr::memmem::Finder;
use serde::de::{DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::body::BodyStream;
use super::error::{excerpt, ApiErrorObject, Error};
use super::response::ResponseMeta;
use super::sse::{EventSink, EventText, RawEvent, SseError, SseParser};
use super::stream_config::{Shape, StreamConfig, StreamItem, DEFAULT_EVENT};

/// One item, with the required fields its decoding filled in leniently.
///
/// The event is boxed on its way to the caller: a chat chunk was 688 bytes
/// then (216 since its seldom-set `usage` and `moderation` are boxed), and
/// it was copied at each of the eight or so hand-overs between the
/// decoder, its task's batches and the stream; a box is one allocation and
/// one copy out (0.96 × the CPU of a chat stream flushed event by event,
/// on a current-thread runtime).
///
/// Every kind of item is boxed, so that one is 40 bytes whatever it holds:
/// as a `Result<StreamItem<..>, Error>` it was 144 (an error is 120, an
/// unknown event 72), all of them copied at every hand-over.
pub(crate) struct Decoded<E> {
    item: Item<E>,
    fills: Vec<String>,
}

/// What a [`Decoded`] holds.
enum Item<E> {
    Event(Box<E>),
    Unknown(Box<RawEvent>),
    Failed(Box<Error>),
}

impl<E> Decoded<E> {
    /// An item that ends the stream with `error`.
    pub(crate) fn failed(error: Error) -> Self {
        Decoded {
            item: Item::Failed(Box::new(error)),
            fills: Vec::new(),
        }
    }

    /// Whether this is an error (which ends the stream).
    pub(crate) fn is_failed(&self) -> bool {
        matches!(self.item, Item::Failed(_))
    }

    /// The item as the stream yields it, and the fills.
    pub(crate) fn into_parts(self) -> (Result<StreamItem<Box<E>>, Error>, Vec<String>) {
        let item = match self.item {
            Item::Event(event) => Ok(StreamItem::Event(event)),
            Item::Unknown(raw) => Ok(StreamItem::Unknown(*raw)),
            Item::Failed(error) => Err(*error),
        };
        (item, self.fills)
    }
}

/// Reads a body as events of type `E`; yields `None` after the end.
///
/// Each chunk's events are converted as the parser completes them, while
/// their text still lies in the chunk (see [`EventText`]), and queued until
/// asked for (1.3 % fewer instructions for a chat stream read on a
/// current-thread runtime, under callgrind, than copying each event's text
/// first; 0.93 × the CPU of a whole stream sent as one body, where a chunk
/// holds hundreds of events). Only so many are converted ahead (see
/// [`convert_ahead`]); the rest of a chunk's events wait as text, as they
/// all did before.
pub(crate) struct Decoder<E> {
    reading: Reading,
    queue: VecDeque<Queued<E>>,
    rules: Rules,
    /// An item that ends the stream is queued: later events are dropped, not
    /// converted.
    closed: bool,
    finished: bool,
    // `fn() -> E`: the decoder owns no `E`, so it is Send/Unpin whatever `E` is.
    _item: PhantomData<fn() -> E>,
}

/// The body and the parser it is fed to, chunk by chunk.
struct Reading {
    body: BodyStream,
    parser: SseParser,
    /// An oversized event, reported after the events parsed before it.
    too_large: Option<usize>,
    /// Body bytes read so far (see [`Decoder::body_bytes`]).
    body_bytes: u64,
}

/// What reading the body's next chunk did.
enum Read {
    /// The chunk was fed to the parser.
    Fed,
    /// The body failed.
    Failed(Error),
    /// The body ended.
    Ended,
}

impl Reading {
    /// Reads the body's next chunk and feeds it to the parser, which hands
    /// the events it completes to `sink`. An event past the size limit is
    /// noted (`too_large`) and the events the chunk completed before it are
    /// handed over first, as they would be had the chunk been split there.
    fn next_chunk(&mut self, cx: &mut Context<'_>, sink: &mut impl EventSink) -> Poll<Read> {
        let read = match std::task::ready!(Pin::new(&mut self.body).poll_next(cx)) {
            Some(Ok(chunk)) => chunk,
            Some(Err(error)) => return Poll::Ready(Read::Failed(error)),
            None => return Poll::Ready(Read::Ended),
        };
        self.body_bytes += read.len() as u64;
        if let Err(SseError::TooLarge { limit }) = self.parser.feed(&read, sink) {
            self.too_large = Some(limit);
        }
        Poll::Ready(Read::Fed)
    }
}

/// Memory for events converted ahead of being asked for, about: each is
/// counted at its type's size and 256 bytes of what it owns.
const CONVERT_AHEAD_BYTES: usize = 1 << 20;

/// Events of type `E` converted ahead of being asked for, at most (a 216-byte
/// chat chunk: 2,221). A decoded event can take far more memory than its
/// text (`data: {}` read as a chat chunk is 216 bytes and five lines of
/// fills), and one HTTP chunk can hold hundreds of kilobytes of events:
/// converting them all at once could hold tens of megabytes where their
/// text is one chunk. Never fewer than a batch of the stream's task.
pub(crate) fn convert_ahead<E>() -> usize {
    (CONVERT_AHEAD_BYTES / (std::mem::size_of::<E>() + 256)).max(64)
}

/// An event waiting to be asked for.
enum Queued<E> {
    /// Converted while its text lay in the chunk.
    Converted {
        /// `None` for the end marker.
        item: Option<Decoded<E>>,
        /// The item ends the stream.
        ends: bool,
    },
    /// Kept as text, past [`convert_ahead`]: converted when asked for.
    Text(RawEvent),
}

/// What turns an event into an item: the stream's shape and names, the
/// response it came in, and how strictly it is decoded. A reader task's
/// caller converts the events it is handed as text by a copy of these.
#[derive(Clone)]
pub(crate) struct Rules {
    config: StreamConfig,
    meta: ResponseMeta,
    strict: bool,
}

/// Converts each event the parser completes and queues it, until one ends
/// the stream.
struct Converter<'a, E> {
    rules: &'a Rules,
    queue: &'a mut VecDeque<Queued<E>>,
    closed: &'a mut bool,
}

impl<E: DeserializeOwned> EventSink for Converter<'_, E> {
    fn event(&mut self, event: EventText<'_>) {
        if *self.closed {
            return;
        }
        if self.queue.len() >= convert_ahead::<E>() {
            self.queue.push_back(Queued::Text(event.to_raw()));
            return;
        }
        let (item, ends) = self.rules.take(event);
        *self.closed = ends;
        self.queue.push_back(Queued::Converted { item, ends });
    }
}

/// Events read from the body and not converted, their text in one buffer:
/// what a stream's reader task hands its caller, who converts them by the
/// decoder's [`Rules`] (see `stream_task`).
///
/// Converting is where an event's allocations are made (its strings, its
/// arrays), and the caller is where they are freed. Made on a runtime
/// worker and freed on `block_on`'s thread, they overflowed glibc's
/// per-thread cache of freed blocks at every batch, and the rest went back
/// to the worker's arena under its lock, against the worker's own
/// allocations: on a multi-thread runtime a chat stream took 0.64 × the CPU
/// with jemalloc preloaded, and 0.98 × on a current-thread runtime
/// (2026-12-02). Text in one buffer is one allocation a batch.
#[derive(Default)]
pub(crate) struct RawEvents {
    text: String,
    spans: Vec<RawSpan>,
    /// How many times the text grew past its room.
    #[cfg(test)]
    grew: usize,
}

/// Where one event's fields lie in [`RawEvents::text`].
struct RawSpan {
    event: Option<Range<usize>>,
    data: Range<usize>,
    id: Option<Range<usize>>,
    /// The event ends the stream by what it is ([`Rules::ends_unconverted`],
    /// asked once, where the event was read).
    ends: bool,
}

impl RawEvents {
    /// Room for `events` events and `text` bytes of their text.
    pub(crate) fn with_capacity(events: usize, text: usize) -> Self {
        RawEvents {
            text: String::with_capacity(text),
            spans: Vec::with_capacity(events),
            #[cfg(test)]
            grew: 0,
        }
    }

    /// How many times the text grew past its room.
    #[cfg(test)]
    pub(crate) fn grew(&self) -> usize {
        self.grew
    }

    /// How many events there are.
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// How many events there is room for without growing.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.spans.capacity()
    }

    /// Forgets the events, keeping the room for them.
    pub(crate) fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
    }

    /// Bytes of event text held (names, data and ids).
    pub(crate) fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Event `index`, borrowed, and whether it ends the stream by what it
    /// is (see [`Rules::take_read`]).
    pub(crate) fn get(&self, index: usize) -> Option<(EventText<'_>, bool)> {
        let span = self.spans.get(index)?;
        let field = |range: &Range<usize>| self.text.get(range.clone());
        let event = EventText {
            event: span.event.as_ref().and_then(field),
            data: field(&span.data).unwrap_or_default(),
            id: span.id.as_ref().and_then(field),
        };
        Some((event, span.ends))
    }

    /// Appends `event`, which `ends` the stream by what it is or not.
    fn push(&mut self, event: EventText<'_>, ends: bool) {
        #[cfg(test)]
        let room = self.text.capacity();
        let mut field = |text: &str| {
            let start = self.text.len();
            self.text.push_str(text);
            start..self.text.len()
        };
        let span = RawSpan {
            event: event.event.map(&mut field),
            data: field(event.data),
            id: event.id.map(&mut field),
            ends,
        };
        self.spans.push(span);
        #[cfg(test)]
        if self.text.capacity() != room {
            self.grew += 1;
        }
    }
}

/// What a step of [`Decoder::poll_raw`] did.
pub(crate) enum RawStep<E> {
    /// It read one event or more into the batch; `ended`: the last of them
    /// ends the stream by what it is, and nothing more is read.
    Read { ended: bool },
    /// The stream ended: with this error, if one ends it here.
    Finished(Option<Decoded<E>>),
}

/// Keeps each event the parser completes as text, until one that ends the
/// stream by what it is named or holds without being decoded (the end
/// marker, a terminal event, an `error` event); an event that ends it by
/// failing to decode is found where it is converted, which drops what
/// follows it.
struct Recorder<'a> {
    rules: &'a Rules,
    out: &'a mut RawEvents,
    closed: &'a mut bool,
}

impl EventSink for Recorder<'_> {
    fn event(&mut self, event: EventText<'_>) {
        if *self.closed {
            return;
        }
        let ends = self.rules.ends_unconverted(&event);
        *self.closed = ends;
        self.out.push(event, ends);
    }
}

impl<E: DeserializeOwned> Decoder<E> {
    pub(crate) fn new(
        body: BodyStream,
        config: StreamConfig,
        max_event_bytes: usize,
        meta: ResponseMeta,
    ) -> Self {
        Decoder {
            reading: Reading {
                body,
                parser: SseParser::new(max_event_bytes),
                too_large: None,
                body_bytes: 0,
            },
            queue: VecDeque::new(),
            rules: Rules {
                config,
                meta,
                strict: false,
            },
            closed: false,
            finished: false,
            _item: PhantomData,
        }
    }

    /// Bytes read from the body so far, whether or not they completed an
    /// event: what tells a reader that a poll which gave no item still made
    /// progress.
    pub(crate) fn body_bytes(&self) -> u64 {
        self.reading.body_bytes
    }

    /// Decodes every event strictly (no field filled in), or not.
    pub(crate) fn set_strict(&mut self, strict: bool) {
        self.rules.strict = strict;
    }

    /// The rules this decoder converts events by (also for the caller of a
    /// reader task that hands it events as text).
    pub(crate) fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Whether events read from the body wait in the decoder to be handed
    /// out by [`Stream::poll_next`]: only a decoder holding none may be read
    /// by [`Decoder::poll_raw`] from then on, which reads on from the body.
    pub(crate) fn holds_events(&self) -> bool {
        !self.queue.is_empty()
    }

    /// Reads chunks until they complete one event or more, which go into
    /// `out` as text, unconverted (see [`RawEvents`]); [`RawStep::Finished`]
    /// once the stream ends: after an event that ends it by name, at the
    /// body's end, or at an error of its own (one in the body, an event past
    /// the size limit), which it then carries. The events a chunk completed
    /// before an oversized one come first, as with [`Decoder::poll_next`].
    pub(crate) fn poll_raw(
        &mut self,
        cx: &mut Context<'_>,
        out: &mut RawEvents,
    ) -> Poll<RawStep<E>> {
        let before = out.len();
        loop {
            if out.len() > before {
                return Poll::Ready(RawStep::Read { ended: self.closed });
            }
            if self.finished || self.closed {
                self.finished = true;
                return Poll::Ready(RawStep::Finished(None));
            }
            if let Some(limit) = self.reading.too_large {
                self.finished = true;
                let error = self.too_large_error(limit);
                return Poll::Ready(RawStep::Finished(Some(Decoded::failed(error))));
            }
            let mut recorder = Recorder {
                rules: &self.rules,
                out: &mut *out,
                closed: &mut self.closed,
            };
            let read = std::task::ready!(self.reading.next_chunk(cx, &mut recorder));
            if let Some(end) = self.end_at(read) {
                return Poll::Ready(RawStep::Finished(end));
            }
        }
    }

    /// The error of an event past the size limit.
    fn too_large_error(&self, limit: usize) -> Error {
        let message = format!("an event is larger than the {limit}-byte limit");
        self.rules.stream_error(message, None)
    }

    /// What a chunk read means for the stream: `None` when it was fed to
    /// the parser and reading goes on; else the stream is finished, with the
    /// error that ends it, if any (the body failed, or ended where an end
    /// marker or final event was expected).
    fn end_at(&mut self, read: Read) -> Option<Option<Decoded<E>>> {
        let error = match read {
            Read::Fed => return None,
            Read::Ended => {
                self.finished = true;
                return Some(self.at_end_of_body());
            }
            Read::Failed(error @ Error::Timeout { .. }) => error,
            Read::Failed(error) => self
                .rules
                .stream_error("the stream was interrupted", Some(error)),
        };
        self.finished = true;
        Some(Some(Decoded::failed(error)))
    }

    /// What the end of the body means: success, or an error if an end marker
    /// or terminal event was expected and not seen.
    fn at_end_of_body(&mut self) -> Option<Decoded<E>> {
        let config = &self.rules.config;
        let error = match self.reading.parser.finish() {
            Some(pending) if config.done_marker == Some(pending.data.as_str()) => None,
            Some(_) => Some(
                self.rules
                    .stream_error("the stream ended in the middle of an event", None),
            ),
            None if config.expects_end() => Some(self.rules.stream_error(
                "the stream ended before its end marker or final event",
                None,
            )),
            None => None,
        };
        error.map(Decoded::failed)
    }
}

impl Rules {
    /// What `event` becomes, and whether it ends the stream: the end marker,
    /// a terminal event, or any error does.
    pub(crate) fn take<E: DeserializeOwned>(
        &self,
        event: EventText<'_>,
    ) -> (Option<Decoded<E>>, bool) {
        let by_kind = self.ends_unconverted(&event);
        self.take_read(event, by_kind)
    }

    /// [`Rules::take`] for an event whose reader already asked whether it
    /// ends the stream by what it is (`by_kind`): a reader task records the
    /// answer with the event's text ([`RawEvents`]), and a terminal event
    /// of a data-only stream is not searched for and parsed again.
    pub(crate) fn take_read<E: DeserializeOwned>(
        &self,
        event: EventText<'_>,
        by_kind: bool,
    ) -> (Option<Decoded<E>>, bool) {
        let item = self.convert(event);
        let ends = by_kind || item.as_ref().is_none_or(Decoded::is_failed);
        (item, ends)
    }

    /// Whether `event` ends the stream by what it is, before it is
    /// converted: the end marker, a terminal event, an `error` event (what
    /// [`Rules::take`] says ends it, but for a payload that fails to decode
    /// or holds an `error` member, which only converting finds).
    fn ends_unconverted(&self, event: &EventText<'_>) -> bool {
        self.config.done_marker == Some(event.data)
            || event.event == Some("error")
            || is_terminal(event, self.config.terminal_events)
    }

    pub(crate) fn stream_error(&self, message: impl Into<String>, source: Option<Error>) -> Error {
        Error::Stream {
            status: self.meta.status,
            request_id: self.meta.request_id.clone(),
            message: message.into(),
            source: source.map(|e| Box::new(e) as _),
        }
    }

    /// The error an event reports, from its `data` (an API error object
    /// when it parses as one).
    fn api_error(&self, data: &str) -> Error {
        let json = serde_json::from_str::<Value>(data).ok();
        Error::Api {
            status: self.meta.status,
            request_id: self.meta.request_id.clone(),
            error: json
                .as_ref()
                .and_then(ApiErrorObject::from_json)
                .map(Box::new),
            body_excerpt: excerpt(data.as_bytes()),
            headers: Box::new(self.meta.headers.clone()),
        }
    }

    fn decode_error(&self, name: &str, data: &str, source: serde_json::Error) -> Error {
        Error::Decode {
            status: self.meta.status,
            request_id: self.meta.request_id.clone(),
            message: format!("event `{name}` does not match the expected type: {source}"),
            body_excerpt: excerpt(data.as_bytes()),
            body: bytes::Bytes::copy_from_slice(data.as_bytes()),
            source: Some(source),
        }
    }

    /// Decodes the event `text` with the stream's strictness; returns what
    /// was filled in. The event is boxed where it is decoded: a chat chunk
    /// was 688 bytes when this was measured (216 now), and each hand-over
    /// of it unboxed (out of the decoder, out of the fill collector, into
    /// the box) was a copy; memmove was 12 % of the CPU of a stream read on
    /// a current-thread runtime.
    fn decode<E: DeserializeOwned>(
        &self,
        text: &str,
    ) -> (Result<Box<E>, serde_json::Error>, Vec<String>) {
        let decode = || super::de::from_str::<E>(text).map(Box::new);
        if self.strict {
            (super::de::strict(decode), Vec::new())
        } else {
            super::de::collect_fills(decode)
        }
    }

    /// Decodes an event-and-data stream's event `name` with payload `data`:
    /// the event enum reads `{"event": name, "data": payload}`, written as
    /// text so the payload is decoded straight from it. Data that is not
    /// JSON is passed as a string.
    fn decode_named<E: DeserializeOwned>(
        &self,
        name: &str,
        data: &str,
    ) -> (Result<Box<E>, serde_json::Error>, Vec<String>) {
        let data = if serde_json::from_str::<IgnoredAny>(data).is_ok() {
            Cow::Borrowed(data)
        } else {
            Cow::Owned(Value::String(data.to_owned()).to_string())
        };
        let event = format!(
            "{{\"event\":{},\"data\":{data}}}",
            Value::String(name.to_owned())
        );
        self.decode(&event)
    }

    /// Turns one event into what the stream yields; `None` means the end marker.
    fn convert<E: DeserializeOwned>(&self, raw: EventText<'_>) -> Option<Decoded<E>> {
        if self.config.done_marker == Some(raw.data) {
            return None;
        }
        let name = raw.event.unwrap_or(DEFAULT_EVENT);
        if name == "error" {
            return Some(Decoded::failed(self.api_error(raw.data)));
        }
        // Data-only streams (chat, transcriptions) send no event names at all:
        // an unnamed event is the stream's payload whatever the known names are.
        let unnamed = raw.event.is_none() && self.config.shape == Shape::DataOnly;
        if !unnamed && !self.config.known_events.contains(&name) {
            return Some(Decoded {
                item: Item::Unknown(Box::new(raw.to_raw())),
                fills: Vec::new(),
            });
        }
        // Errors can arrive as an ordinary event whose payload is
        // `{"error": ...}`: an error whatever the payload decodes to. The
        // payload is decoded first: the decoder reads every top-level key of
        // a data-only payload, so the text is searched for the key only when
        // the decoder cannot say there is none.
        let ((decoded, fills), clear) = match self.config.shape {
            // Straight from the text: no intermediate `Value`.
            Shape::DataOnly => {
                super::de::decode_noting_error_member(raw.data, || self.decode(raw.data))
            }
            // Read inside a wrapper, which vouches for nothing.
            Shape::EventAndData => (self.decode_named(name, raw.data), false),
        };
        if !clear && has_error_field(raw.data) {
            return Some(Decoded::failed(self.api_error(raw.data)));
        }
        let item = match decoded {
            Ok(event) => Item::Event(event),
            Err(e) => Item::Failed(Box::new(self.decode_error(name, raw.data, e))),
        };
        Some(Decoded { item, fills })
    }
}

impl<E: DeserializeOwned> Stream for Decoder<E> {
    type Item = Decoded<E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Decoded<E>>> {
        let this = self.get_mut();
        loop {
            if this.finished {
                return Poll::Ready(None);
            }
            if let Some(queued) = this.queue.pop_front() {
                let (item, ends) = match queued {
                    Queued::Converted { item, ends } => (item, ends),
                    Queued::Text(raw) => this.rules.take(raw.as_text()),
                };
                this.finished = ends;
                return Poll::Ready(item);
            }
            if let Some(limit) = this.reading.too_large {
                this.finished = true;
                let error = this.too_large_error(limit);
                return Poll::Ready(Some(Decoded::failed(error)));
            }
            let mut converter = Converter {
                rules: &this.rules,
                queue: &mut this.queue,
                closed: &mut this.closed,
            };
            let read = std::task::ready!(this.reading.next_chunk(cx, &mut converter));
            if let Some(end) = this.end_at(read) {
                return Poll::Ready(end);
            }
        }
    }
}

#[cfg(test)]
thread_local! {
    /// How many unnamed events [`is_terminal`] parsed for their `type`.
    pub(crate) static TERMINAL_PARSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Whether `raw` ends the stream: its event name, or for an unnamed event the
/// `type` of its payload (data-only streams name their events there), is one
/// of `terminal`.
fn is_terminal(raw: &EventText<'_>, terminal: &[&str]) -> bool {
    if terminal.is_empty() {
        return false;
    }
    match raw.event {
        Some(name) => terminal.contains(&name),
        None => {
            // The name must appear in the text, as is or behind a `\u` escape;
            // most events are told apart without parsing.
            if !terminal.iter().any(|t| raw.data.contains(t)) && !raw.data.contains("\\u") {
                return false;
            }
            #[cfg(test)]
            TERMINAL_PARSES.with(|n| n.set(n.get() + 1));
            #[derive(Deserialize)]
            struct Kind<'a> {
                #[serde(rename = "type", borrow)]
                kind: Option<std::borrow::Cow<'a, str>>,
            }
            serde_json::from_str::<Kind>(raw.data)
                .ok()
                .and_then(|k| k.kind)
                .is_some_and(|k| terminal.contains(&k.as_ref()))
        }
    }
}

/// Whether a data-only event's payload is an object with a truthy `error`
/// field (openai-python checks `data.get("error")`). The key must appear in
/// the text, as is or behind a `\u` escape, so most events are cleared
/// without parsing; the others are scanned without building a `Value`.
///
/// The two searchers are built once: `str::contains` sets one up at every
/// call, which for a chat chunk cost more than the search (561 instructions
/// an event, 3.8 % of a stream's, under callgrind). A data-only payload the
/// decoder read whole is not searched at all (see `de::watch`).
fn has_error_field(data: &str) -> bool {
    static ERROR_KEY: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("\"error\""));
    static ESCAPE: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("\\u"));
    let bytes = data.as_bytes();
    if ERROR_KEY.find(bytes).is_none() && ESCAPE.find(bytes).is_none() {
        return false;
    }
    serde_json::from_str::<ErrorProbe>(data).is_ok_and(|p| p.0)
}

/// Whether an object's `error` field is truthy (the last one, as a map
/// keeps). Anything but an object fails to read, which the caller takes as
/// no error.
struct ErrorProbe(bool);

impl<'de> Deserialize<'de> for ErrorProbe {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ErrorProbe;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ErrorProbe, A::Error> {
                let mut error = false;
                while let Some(is_error) = map.next_key::<IsError>()? {
                    if is_error.0 {
                        error = map.next_value::<Truthy>()?.0;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(ErrorProbe(error))
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// A key, read as whether it is `error` (escaped or not), without keeping it.
struct IsError(bool);

impl<'de> Deserialize<'de> for IsError {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = IsError;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<X>(self, v: &str) -> Result<IsError, X> {
                Ok(IsError(v == "error"))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// Python-like truthiness of any JSON value, read without keeping it.
#[derive(Default)]
struct Truthy(bool);

impl<'de> Deserialize<'de> for Truthy {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Truthy;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<X>(self, v: bool) -> Result<Truthy, X> {
                Ok(Truthy(v))
            }
            fn visit_i64<X>(self, _: i64) -> Result<Truthy, X> {
                Ok(Truthy(true))
            }
            fn visit_u64<X>(self, _: u64) -> Result<Truthy, X> {
                Ok(Truthy(true))
            }
            fn visit_f64<X>(self, _: f64) -> Result<Truthy, X> {
                Ok(Truthy(true))
            }
            fn visit_str<X>(self, v: &str) -> Result<Truthy, X> {
                Ok(Truthy(!v.is_empty()))
            }
            fn visit_unit<X>(self) -> Result<Truthy, X> {
                Ok(Truthy(false))
            }
            fn visit_none<X>(self) -> Result<Truthy, X> {
                Ok(Truthy(false))
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Truthy, D::Error> {
                Truthy::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Truthy, A::Error> {
                let mut any = false;
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    any = true;
                }
                Ok(Truthy(any))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Truthy, A::Error> {
                let mut any = false;
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {
                    any = true;
                }
                Ok(Truthy(any))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// A decoder of JSON values from `body`, data-only and ended by `[DONE]`, as
/// the stream tests read them; made on a tokio runtime (its idle timer).
#[cfg(test)]
pub(crate) fn value_decoder(body: reqwest::Body) -> Decoder<Value> {
    let response = ::http::Response::builder().status(200).body(body).unwrap();
    let body = BodyStream::new(response.into(), std::time::Duration::from_secs(60), None);
    let meta = ResponseMeta {
        status: reqwest::StatusCode::OK,
        headers: reqwest::header::HeaderMap::new(),
        request_id: None,
    };
    let config = StreamConfig::data_only().done_marker("[DONE]");
    Decoder::new(body, config, 1 << 20, meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Python-like truthiness, as openai-python checks `data.get("error")`:
    /// the oracle `has_error_field` must agree with.
    fn is_truthy(value: &Value) -> bool {
        match value {
            Value::Null => false,
            Value::Bool(flag) => *flag,
            Value::String(text) => !text.is_empty(),
            Value::Array(items) => !items.is_empty(),
            Value::Object(fields) => !fields.is_empty(),
            Value::Number(_) => true,
        }
    }
    use serde_json::json;

    #[test]
    fn an_item_is_small_and_gives_back_what_it_holds() {
        // Moved at every hand-over: its size must not follow the event's,
        // the error's or an unknown event's.
        assert_eq!(std::mem::size_of::<Decoded<[u8; 688]>>(), 40);
        let raw = RawEvent {
            event: Some("x".into()),
            data: "{}".into(),
            id: None,
        };
        let kinds = [
            Item::Event(Box::new(7u8)),
            Item::Unknown(Box::new(raw.clone())),
            Item::Failed(Box::new(Error::Timeout {
                after: None,
                kind: super::super::error::TimeoutKind::Read,
                request_id: None,
            })),
        ];
        for (i, item) in kinds.into_iter().enumerate() {
            let fills = vec![format!("fill {i}")];
            let decoded = Decoded { item, fills };
            assert_eq!(decoded.is_failed(), i == 2);
            let (item, fills) = decoded.into_parts();
            assert_eq!(fills, [format!("fill {i}")]);
            match (i, item) {
                (0, Ok(StreamItem::Event(event))) => assert_eq!(*event, 7),
                (1, Ok(StreamItem::Unknown(got))) => assert_eq!(got, raw),
                (2, Err(Error::Timeout { .. })) => {}
                (i, item) => panic!("{i}: {:?}", item.map(|_| ())),
            }
        }
    }

    #[test]
    fn error_field_probe_agrees_with_truthiness_of_the_value() {
        let cases = [
            json!({"error": {"message": "m"}}),
            json!({"error": {}}),
            json!({"error": null}),
            json!({"error": false}),
            json!({"error": true}),
            json!({"error": ""}),
            json!({"error": "x"}),
            json!({"error": []}),
            json!({"error": [0]}),
            json!({"error": 0}),
            json!({"error": 0.5}),
            json!({"n": 1}),
            json!({"n": {"error": "nested, not top-level"}}),
            json!(["error"]),
            json!("error"),
        ];
        for case in cases {
            let text = case.to_string();
            let expected = case.get("error").is_some_and(is_truthy);
            assert_eq!(has_error_field(&text), expected, "{text}");
        }
        // An escaped key is still the key.
        assert!(has_error_field(r#"{"\u0065rror": {"message": "m"}}"#));
        assert!(!has_error_field("not json \"error\""));
    }

    /// One chunk of more small events than [`convert_ahead`] allows: only
    /// that many are decoded before they are asked for, the others wait as
    /// text, and all come out in order.
    #[test]
    fn only_a_batch_is_converted_ahead() {
        use bytes::Bytes;
        use futures_util::StreamExt;

        let ahead = convert_ahead::<Value>();
        let events = ahead as u64 + 500;
        let mut text: String = (0..events)
            .map(|n| format!("data: {{\"n\":{n}}}\n\n"))
            .collect();
        text.push_str("data: [DONE]\n\n");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let chunks = vec![Ok::<_, std::io::Error>(Bytes::from(text))];
            let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
            let mut decoder = value_decoder(body);
            let first = decoder.next().await.unwrap();
            let converted = |queue: &VecDeque<Queued<Value>>| {
                let ready = |q: &&Queued<Value>| matches!(q, Queued::Converted { .. });
                queue.iter().filter(ready).count()
            };
            // The first was taken; the others and the end marker wait.
            assert_eq!(decoder.queue.len() as u64, events);
            assert_eq!(converted(&decoder.queue), ahead - 1);
            let mut seen = vec![first];
            while let Some(item) = decoder.next().await {
                seen.push(item);
            }
            let numbers: Vec<u64> = seen
                .into_iter()
                .map(|item| match item.into_parts().0 {
                    Ok(StreamItem::Event(value)) => value["n"].as_u64().unwrap(),
                    other => panic!("{:?}", other.map(|_| ())),
                })
                .collect();
            assert_eq!(numbers, (0..events).collect::<Vec<u64>>());
        });
    }

    #[test]
    fn terminal_type_is_found_however_written() {
        let raw = |data| EventText {
            event: None,
            data,
            id: None,
        };
        let terminal = &["t.done"];
        assert!(is_terminal(&raw(r#"{"type":"t.done"}"#), terminal));
        assert!(is_terminal(&raw(r#"{"type":"t.d\u006fne"}"#), terminal));
        assert!(!is_terminal(
            &raw(r#"{"type":"t.delta","text":"t.done"}"#),
            terminal
        ));
        assert!(!is_terminal(&raw(r#"{"type":"t.delta"}"#), terminal));
    }
}
