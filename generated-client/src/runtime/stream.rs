//! Typed server-sent event streams on top of the SSE parser.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::body::BodyStream;
use super::error::{excerpt, ApiErrorObject, Error};
use super::response::ResponseMeta;
use super::sse::{RawEvent, SseError, SseParser};

/// How the events of one streaming operation map to a Rust type.
///
/// `const` so generated code can write the configuration inline.
#[derive(Clone, Copy, Debug)]
pub struct StreamConfig {
    shape: Shape,
    done_marker: Option<&'static str>,
    terminal_events: &'static [&'static str],
    known_events: &'static [&'static str],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    DataOnly,
    EventAndData,
}

/// Event name of events that have none.
const DEFAULT_EVENT: &str = "message";

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

    fn expects_end(&self) -> bool {
        self.done_marker.is_some() || !self.terminal_events.is_empty()
    }
}

/// One item of an [`EventStream`].
#[derive(Clone, Debug, PartialEq)]
pub enum StreamItem<E> {
    /// A known event, deserialised.
    Event(E),
    /// An event with a name the operation does not know, as received.
    Unknown(RawEvent),
}

/// A stream of server-sent events decoded as `E`.
///
/// Yields `Ok(StreamItem)` per event and ends (`None`) after the configured
/// end marker or terminal event. An error event, a malformed or oversized
/// event, or a body that ends too early yields one `Err` and then ends.
pub struct EventStream<E> {
    body: BodyStream,
    parser: SseParser,
    queue: VecDeque<RawEvent>,
    config: StreamConfig,
    meta: ResponseMeta,
    finished: bool,
    strict: bool,
    decode_warnings: Vec<String>,
    // `fn() -> E`: the stream owns no `E`, so it is Send/Unpin whatever `E` is.
    _item: PhantomData<fn() -> E>,
}

impl<E: DeserializeOwned> EventStream<E> {
    pub(crate) fn new(
        body: BodyStream,
        config: StreamConfig,
        max_event_bytes: usize,
        meta: ResponseMeta,
    ) -> Self {
        EventStream {
            body,
            parser: SseParser::new(max_event_bytes),
            queue: VecDeque::new(),
            config,
            meta,
            finished: false,
            strict: false,
            decode_warnings: Vec::new(),
            _item: PhantomData,
        }
    }

    pub(crate) fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Required fields of the events so far that the server left out or sent
    /// as `null`, read as their empty value (see
    /// [`Response::decode_warnings`](crate::runtime::Response::decode_warnings)); at most 1,000 lines.
    pub fn decode_warnings(&self) -> &[String] {
        &self.decode_warnings
    }

    /// HTTP status of the stream's response.
    pub fn status(&self) -> StatusCode {
        self.meta.status
    }

    /// Headers of the stream's response.
    pub fn headers(&self) -> &HeaderMap {
        &self.meta.headers
    }

    /// The `x-request-id` response header.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id.as_deref()
    }

    /// Only the known events, unknown ones skipped.
    pub fn events(self) -> Events<E> {
        Events { inner: self }
    }

    fn stream_error(&self, message: impl Into<String>, source: Option<Error>) -> Error {
        Error::Stream {
            status: self.meta.status,
            request_id: self.meta.request_id.clone(),
            message: message.into(),
            source: source.map(|e| Box::new(e) as _),
        }
    }

    fn api_error(&self, data: &str, json: Option<&Value>) -> Error {
        Error::Api {
            status: self.meta.status,
            request_id: self.meta.request_id.clone(),
            error: json.and_then(ApiErrorObject::from_json).map(Box::new),
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

    /// Turns one raw event into what the stream yields; `None` means the end marker.
    fn convert(&mut self, raw: RawEvent) -> Option<Result<StreamItem<E>, Error>> {
        if self.config.done_marker == Some(raw.data.as_str()) {
            return None;
        }
        let name = raw.event.as_deref().unwrap_or(DEFAULT_EVENT);
        if name == "error" {
            let json = serde_json::from_str::<Value>(&raw.data).ok();
            return Some(Err(self.api_error(&raw.data, json.as_ref())));
        }
        // Data-only streams (chat, transcriptions) send no event names at all:
        // an unnamed event is the stream's payload whatever the known names are.
        let unnamed = raw.event.is_none() && self.config.shape == Shape::DataOnly;
        if !unnamed && !self.config.known_events.contains(&name) {
            return Some(Ok(StreamItem::Unknown(raw)));
        }
        let json = match serde_json::from_str::<Value>(&raw.data) {
            Ok(json) => json,
            Err(_) if self.config.shape == Shape::EventAndData => Value::String(raw.data.clone()),
            Err(e) => return Some(Err(self.decode_error(name, &raw.data, e))),
        };
        // Errors can arrive as an ordinary event whose payload is `{"error": ...}`.
        if json.get("error").is_some_and(is_truthy) {
            return Some(Err(self.api_error(&raw.data, Some(&json))));
        }
        let json = match self.config.shape {
            Shape::DataOnly => json,
            Shape::EventAndData => serde_json::json!({ "event": name, "data": json }),
        };
        let decode = || serde_json::from_value::<E>(json);
        let decoded = if self.strict {
            super::de::strict(decode)
        } else {
            let (decoded, fills) = super::de::collect_fills(decode);
            let room = 1000usize.saturating_sub(self.decode_warnings.len());
            self.decode_warnings.extend(fills.into_iter().take(room));
            decoded
        };
        Some(
            decoded
                .map(StreamItem::Event)
                .map_err(|e| self.decode_error(name, &raw.data, e)),
        )
    }

    /// What the end of the body means: success, or an error if an end marker
    /// or terminal event was expected and not seen.
    fn at_end_of_body(&mut self) -> Option<Result<StreamItem<E>, Error>> {
        match self.parser.finish() {
            Some(pending) if self.config.done_marker == Some(pending.data.as_str()) => None,
            Some(_) => Some(Err(
                self.stream_error("the stream ended in the middle of an event", None)
            )),
            None if self.config.expects_end() => Some(Err(self.stream_error(
                "the stream ended before its end marker or final event",
                None,
            ))),
            None => None,
        }
    }
}

/// Whether `raw` ends the stream: its event name, or for an unnamed event the
/// `type` of its payload (data-only streams name their events there), is one
/// of `terminal`.
fn is_terminal(raw: &RawEvent, terminal: &[&str]) -> bool {
    if terminal.is_empty() {
        return false;
    }
    match raw.event.as_deref() {
        Some(name) => terminal.contains(&name),
        None => {
            #[derive(serde::Deserialize)]
            struct Kind<'a> {
                #[serde(rename = "type", borrow)]
                kind: Option<std::borrow::Cow<'a, str>>,
            }
            serde_json::from_str::<Kind>(&raw.data)
                .ok()
                .and_then(|k| k.kind)
                .is_some_and(|k| terminal.contains(&k.as_ref()))
        }
    }
}

/// Python-like truthiness, as openai-python checks `data.get("error")`.
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

impl<E: DeserializeOwned> Stream for EventStream<E> {
    type Item = Result<StreamItem<E>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.finished {
                return Poll::Ready(None);
            }
            if let Some(raw) = this.queue.pop_front() {
                let terminal = is_terminal(&raw, this.config.terminal_events);
                let item = this.convert(raw);
                // Stop after the end marker, a terminal event, or any error.
                this.finished = terminal || !matches!(item, Some(Ok(_)));
                return Poll::Ready(item);
            }
            match Pin::new(&mut this.body).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    if let Err(SseError::TooLarge { limit }) =
                        this.parser.feed(&chunk, &mut this.queue)
                    {
                        this.finished = true;
                        let message = format!("an event is larger than the {limit}-byte limit");
                        return Poll::Ready(Some(Err(this.stream_error(message, None))));
                    }
                }
                Poll::Ready(Some(Err(error @ Error::Timeout { .. }))) => {
                    this.finished = true;
                    return Poll::Ready(Some(Err(error)));
                }
                Poll::Ready(Some(Err(error))) => {
                    this.finished = true;
                    return Poll::Ready(Some(Err(
                        this.stream_error("the stream was interrupted", Some(error))
                    )));
                }
                Poll::Ready(None) => {
                    this.finished = true;
                    return Poll::Ready(this.at_end_of_body());
                }
            }
        }
    }
}

impl<E> fmt::Debug for EventStream<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("status", &self.meta.status)
            .field("request_id", &self.meta.request_id)
            .field("config", &self.config)
            .field("finished", &self.finished)
            .finish()
    }
}

/// The known events of an [`EventStream`] (see [`EventStream::events`]).
pub struct Events<E> {
    inner: EventStream<E>,
}

impl<E> Events<E> {
    /// HTTP status of the stream's response.
    pub fn status(&self) -> StatusCode {
        self.inner.meta.status
    }

    /// The `x-request-id` response header.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.meta.request_id.as_deref()
    }
}

impl<E: DeserializeOwned> Stream for Events<E> {
    type Item = Result<E, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let inner = &mut self.get_mut().inner;
        loop {
            match Pin::new(&mut *inner).poll_next(cx) {
                Poll::Ready(Some(Ok(StreamItem::Unknown(_)))) => continue,
                Poll::Ready(Some(Ok(StreamItem::Event(event)))) => {
                    return Poll::Ready(Some(Ok(event)))
                }
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<E> fmt::Debug for Events<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Events").field(&self.inner).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use futures_util::StreamExt;
    use serde::Deserialize;
    use std::time::Duration;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Chunk {
        n: u32,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(tag = "event", content = "data")]
    enum Assistant {
        #[serde(rename = "thread.created")]
        Created { id: String },
        #[serde(rename = "done")]
        Done(String),
    }

    /// An event stream over a body delivered in the given chunks.
    fn stream<E: DeserializeOwned>(
        chunks: &[&'static str],
        config: StreamConfig,
    ) -> EventStream<E> {
        let chunks: Vec<Result<Bytes, std::io::Error>> = chunks
            .iter()
            .map(|c| Ok(Bytes::from_static(c.as_bytes())))
            .collect();
        let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
        let http = http_response(body);
        let headers = http.headers().clone();
        let body = BodyStream::new(http, Duration::from_secs(5), Some("req_s".into()));
        let meta = ResponseMeta {
            status: StatusCode::OK,
            headers,
            request_id: Some("req_s".into()),
        };
        EventStream::new(body, config, 1024, meta)
    }

    fn http_response(body: reqwest::Body) -> reqwest::Response {
        let response = ::http::Response::builder()
            .status(200)
            .header("x-request-id", "req_s")
            .body(body)
            .unwrap();
        reqwest::Response::from(response)
    }

    async fn collect<E: DeserializeOwned>(
        stream: EventStream<E>,
    ) -> Vec<Result<StreamItem<E>, Error>> {
        stream.collect().await
    }

    const CHAT: StreamConfig = StreamConfig::data_only().done_marker("[DONE]");

    #[tokio::test]
    async fn data_only_until_done_marker() {
        let items = collect::<Chunk>(stream(
            &[
                "data: {\"n\":1}\n\n: ping\n\ndata: {\"n\"",
                ":2}\n\ndata: [DONE]\n\ndata: {\"n\":3}\n\n",
            ],
            CHAT,
        ))
        .await;
        let events: Vec<_> = items.into_iter().map(|item| item.unwrap()).collect();
        assert_eq!(
            events,
            vec![
                StreamItem::Event(Chunk { n: 1 }),
                StreamItem::Event(Chunk { n: 2 })
            ]
        );
    }

    #[tokio::test]
    async fn missing_done_marker_is_an_error() {
        let items = collect::<Chunk>(stream(&["data: {\"n\":1}\n\n"], CHAT)).await;
        assert_eq!(items.len(), 2);
        let err = items.into_iter().nth(1).unwrap().unwrap_err();
        assert!(matches!(err, Error::Stream { .. }), "{err:?}");
        assert_eq!(err.request_id(), Some("req_s"));
        // Without an expected end, the end of the body is a normal end.
        let items =
            collect::<Chunk>(stream(&["data: {\"n\":1}\n\n"], StreamConfig::data_only())).await;
        assert_eq!(items.len(), 1);
    }

    #[tokio::test]
    async fn done_marker_without_final_blank_line_is_accepted() {
        let items = collect::<Chunk>(stream(&["data: {\"n\":1}\n\ndata: [DONE]\n"], CHAT)).await;
        assert!(items.iter().all(Result::is_ok));
        let items = collect::<Chunk>(stream(&["data: {\"n\":1}\n\ndata: {\"n\":"], CHAT)).await;
        assert!(matches!(items.last(), Some(Err(Error::Stream { .. }))));
    }

    #[tokio::test]
    async fn error_payloads_and_error_events() {
        let items = collect::<Chunk>(stream(&["data: {\"error\": {\"message\": \"overloaded\", \"code\": 503}}\n\ndata: {\"n\":1}\n\n"], CHAT)).await;
        assert_eq!(items.len(), 1, "the stream ends after an error");
        let err = items.into_iter().next().unwrap().unwrap_err();
        assert_eq!(err.api_error().unwrap().message, "overloaded");
        assert_eq!(err.api_error().unwrap().code.as_deref(), Some("503"));
        assert_eq!(err.status(), Some(StatusCode::OK));

        let items = collect::<Chunk>(stream(
            &["event: error\ndata: {\"type\":\"error\",\"message\":\"bad\"}\n\n"],
            CHAT,
        ))
        .await;
        assert_eq!(
            items[0].as_ref().unwrap_err().api_error().unwrap().message,
            "bad"
        );

        // A null error field is not an error.
        let items = collect::<serde_json::Value>(stream(
            &["data: {\"error\": null}\n\ndata: [DONE]\n\n"],
            CHAT,
        ))
        .await;
        assert!(items[0].is_ok());
    }

    #[tokio::test]
    async fn data_only_events_are_payloads_and_end_on_their_type() {
        // Transcription streams: no `event:` names, the kind is the payload's `type`.
        let config = StreamConfig::data_only()
            .known_events(&["transcript.text.delta", "transcript.text.done"])
            .terminal_events(&["transcript.text.done"]);
        let body = "data: {\"type\":\"transcript.text.delta\",\"n\":1}\n\ndata: {\"type\":\"transcript.text.done\",\"n\":2}\n\ndata: {\"n\":3}\n\n";
        let items = collect::<Chunk>(stream(&[body], config)).await;
        let got: Vec<_> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(
            got,
            vec![
                StreamItem::Event(Chunk { n: 1 }),
                StreamItem::Event(Chunk { n: 2 })
            ],
            "ends after the terminal type"
        );
        let cut = collect::<Chunk>(stream(
            &["data: {\"type\":\"transcript.text.delta\",\"n\":1}\n\n"],
            config,
        ))
        .await;
        assert!(
            matches!(cut.last(), Some(Err(Error::Stream { .. }))),
            "no terminal type seen: {cut:?}"
        );
    }

    #[tokio::test]
    async fn unknown_events_and_known_list() {
        let config = StreamConfig::data_only()
            .known_events(&["a"])
            .terminal_events(&["a"]);
        let items = collect::<Chunk>(stream(
            &["event: b\ndata: hi\n\nevent: a\ndata: {\"n\":5}\n\ndata: {\"n\":6}\n\n"],
            config,
        ))
        .await;
        assert_eq!(items.len(), 2, "ends after the terminal event");
        match &items[0] {
            Ok(StreamItem::Unknown(raw)) => {
                assert_eq!((raw.event.as_deref(), raw.data.as_str()), (Some("b"), "hi"))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            items[1].as_ref().unwrap(),
            &StreamItem::Event(Chunk { n: 5 })
        );

        let events: Vec<_> = stream::<Chunk>(
            &["event: x\ndata: 1\n\ndata: {\"n\":7}\n\n"],
            StreamConfig::data_only(),
        )
        .events()
        .collect()
        .await;
        assert_eq!(
            events.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
            vec![Chunk { n: 7 }]
        );
    }

    #[tokio::test]
    async fn event_and_data_shape() {
        const ASSISTANT: StreamConfig = StreamConfig::event_and_data()
            .known_events(&["thread.created", "done"])
            .done_marker("[DONE]");
        let items = collect::<Assistant>(stream(
            &["event: thread.created\ndata: {\"id\":\"t1\"}\n\nevent: done\ndata: [DONE]\n\n"],
            ASSISTANT,
        ))
        .await;
        assert_eq!(
            items.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
            vec![StreamItem::Event(Assistant::Created { id: "t1".into() })]
        );
        // Non-JSON data is passed as a string.
        let config = StreamConfig::event_and_data().known_events(&["done"]);
        let items = collect::<Assistant>(stream(&["event: done\ndata: bye\n\n"], config)).await;
        assert_eq!(
            items[0].as_ref().unwrap(),
            &StreamItem::Event(Assistant::Done("bye".into()))
        );
    }

    #[tokio::test]
    async fn bad_json_and_oversized_events() {
        let items = collect::<Chunk>(stream(&["data: {\"m\": 1}\n\n"], CHAT)).await;
        let err = items[0].as_ref().unwrap_err();
        assert!(
            matches!(err, Error::Decode { body_excerpt, .. } if body_excerpt == "{\"m\": 1}"),
            "{err:?}"
        );

        let big: &'static str =
            Box::leak(format!("data: {}\n\n", "x".repeat(2000)).into_boxed_str());
        let items = collect::<Chunk>(stream(&[big], CHAT)).await;
        assert!(
            matches!(&items[0], Err(Error::Stream { message, .. }) if message.contains("1024")),
            "{:?}",
            items[0]
        );
    }

    #[tokio::test]
    async fn broken_body_is_a_stream_error() {
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(Bytes::from_static(b"data: {\"n\":1}\n\n")),
            Err(std::io::Error::other("reset")),
        ];
        let body = BodyStream::new(
            http_response(reqwest::Body::wrap_stream(futures_util::stream::iter(
                chunks,
            ))),
            Duration::from_secs(5),
            None,
        );
        let items: Vec<_> = EventStream::<Chunk>::new(
            body,
            CHAT,
            1024,
            ResponseMeta {
                status: StatusCode::OK,
                headers: HeaderMap::new(),
                request_id: None,
            },
        )
        .collect()
        .await;
        assert!(items[0].is_ok());
        assert!(
            matches!(
                &items[1],
                Err(Error::Stream {
                    source: Some(_),
                    ..
                })
            ),
            "{:?}",
            items[1]
        );
        assert_eq!(items.len(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn stalled_body_times_out() {
        let pending = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
        let body = BodyStream::new(
            http_response(reqwest::Body::wrap_stream(pending)),
            Duration::from_secs(30),
            None,
        );
        let items: Vec<_> = EventStream::<Chunk>::new(
            body,
            CHAT,
            1024,
            ResponseMeta {
                status: StatusCode::OK,
                headers: HeaderMap::new(),
                request_id: None,
            },
        )
        .collect()
        .await;
        assert!(
            matches!(&items[..], [Err(Error::Timeout { after: Some(after), .. })] if *after == Duration::from_secs(30)),
            "{items:?}"
        );
    }

    #[test]
    fn stream_is_send_and_unpin() {
        fn check<T: Send + Unpin>() {}
        check::<EventStream<std::rc::Rc<u8>>>();
        check::<Events<Chunk>>();
    }
}
