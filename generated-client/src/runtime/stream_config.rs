//! What a streaming operation is: how its events map to the item type
//! ([`StreamConfig`], written inline by the generated methods), and the
//! items its stream yields ([`StreamItem`]). Below both the stream and its
//! decoder, which read it.

use super::sse::RawEvent;

/// How the events of one streaming operation map to a Rust type.
///
/// `const` so generated code can write the configuration inline.
#[derive(Clone, Copy, Debug)]
pub struct StreamConfig {
    pub(crate) shape: Shape,
    pub(crate) done_marker: Option<&'static str>,
    pub(crate) terminal_events: &'static [&'static str],
    pub(crate) known_events: &'static [&'static str],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    DataOnly,
    EventAndData,
}

/// Event name of events that have none.
pub(crate) const DEFAULT_EVENT: &str = "message";

impl StreamConfig {
    /// Each event's `data` JSON deserialises to the item type.
    pub const fn data_only() -> Self {
        StreamConfig {
            shape: Shape::DataOnly,
            done_marker: None,
            terminal_events: &[],
            known_events: &[DEFAULT_EVENT],
        }
    }

    /// `{"event": <event name>, "data": <data JSON>}` deserialises to the item
    /// type (data that is not JSON is passed as a string).
    pub const fn event_and_data() -> Self {
        StreamConfig {
            shape: Shape::EventAndData,
            ..Self::data_only()
        }
    }

    /// An event whose data is exactly `marker` (e.g. `[DONE]`) ends the stream
    /// successfully; reaching the end of the body without it is an error.
    pub const fn done_marker(mut self, marker: &'static str) -> Self {
        self.done_marker = Some(marker);
        self
    }

    /// The stream ends successfully after one of these events is yielded;
    /// reaching the end of the body before one is an error.
    pub const fn terminal_events(mut self, names: &'static [&'static str]) -> Self {
        self.terminal_events = names;
        self
    }

    /// Event names that deserialise to the item type; others are yielded as
    /// [`StreamItem::Unknown`]. An event without a name counts as `message`.
    /// Default: `["message"]`.
    pub const fn known_events(mut self, names: &'static [&'static str]) -> Self {
        self.known_events = names;
        self
    }

    pub(crate) fn expects_end(&self) -> bool {
        self.done_marker.is_some() || !self.terminal_events.is_empty()
    }
}

/// One item of an [`EventStream`](super::EventStream).
#[derive(Clone, Debug, PartialEq)]
pub enum StreamItem<E> {
    /// A known event, deserialised.
    Event(E),
    /// An event with a name the operation does not know, as received.
    Unknown(RawEvent),
}
