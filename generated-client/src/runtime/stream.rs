//! Typed server-sent event streams on top of the SSE parser.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use super::body::BodyStream;
use super::error::Error;
use super::response::ResponseMeta;
use super::stream_config::{StreamConfig, StreamItem};
use super::stream_decode::Decoder;
use super::stream_task::{moves_when_fast, reads_in_own_task, Pace, TaskSource};

/// A stream of server-sent events decoded as `E`.
///
/// Yields `Ok(StreamItem)` per event and ends (`None`) after the configured
/// end marker or terminal event. An error event, a malformed or oversized
/// event, or a body that ends too early yields one `Err` and then ends.
///
/// Polled from the future a tokio runtime's `block_on` runs (the body of
/// `#[tokio::main]`), the body is read and decoded by a task of its own, a
/// few events ahead of the caller (at most three batches of 64 events or
/// 256 KiB of their data); dropping the stream stops that task. Polled from
/// a task (a server's request handler, anything under `tokio::spawn`), or
/// outside any tokio runtime, it is read as the stream is polled, which
/// there costs less; but on a multi-thread runtime a stream whose events
/// come quickly (64 in a row, each within 100 µs of the one before) then
/// moves into a task of its own, which there costs less for such a stream.
pub struct EventStream<E> {
    source: Source<E>,
    /// Whether it is settled where the body is read (inline or in a task):
    /// on the first poll, or by `EventStream::inline` in tests.
    started: bool,
    /// The pace of a stream read inline that moves into a task once fast
    /// (see `stream_task::moves_when_fast`); `None` otherwise.
    pace: Option<Pace>,
    config: StreamConfig,
    meta: ResponseMeta,
    finished: bool,
    decode_warnings: Vec<String>,
}

// Nothing in the stream is pinned in place (items are moved out whole), so it
// is `Unpin` whatever `E` is.
impl<E> Unpin for EventStream<E> {}

/// Where items come from: decoded on the caller's task, or by a task of their own.
enum Source<E> {
    Inline(Box<Decoder<E>>),
    Task(Box<TaskSource<E>>),
    /// Only while moving the decoder into its task.
    Moving,
}

impl<E: DeserializeOwned> EventStream<E> {
    pub(crate) fn new(
        body: BodyStream,
        config: StreamConfig,
        max_event_bytes: usize,
        meta: ResponseMeta,
    ) -> Self {
        let decoder = Decoder::new(body, config, max_event_bytes, meta.clone());
        EventStream {
            source: Source::Inline(Box::new(decoder)),
            started: false,
            pace: None,
            config,
            meta,
            finished: false,
            decode_warnings: Vec::new(),
        }
    }

    /// Whether a task of the stream's own reads it now.
    #[cfg(test)]
    fn in_task(&self) -> bool {
        matches!(self.source, Source::Task(_))
    }

    /// Reads in the caller's task even on a tokio runtime (the path a stream
    /// polled outside any runtime takes), for tests comparing the two.
    #[cfg(test)]
    fn inline(mut self) -> Self {
        self.started = true;
        self
    }

    pub(crate) fn strict(mut self, strict: bool) -> Self {
        if let Source::Inline(decoder) = &mut self.source {
            decoder.set_strict(strict);
        }
        self
    }
}

impl<E> EventStream<E> {
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

    /// Only the known events, unknown ones skipped (and counted: see
    /// [`Events::skipped`]).
    pub fn events(self) -> Events<E> {
        Events {
            inner: self,
            skipped: 0,
        }
    }
}

impl<E: DeserializeOwned + Send + 'static> Stream for EventStream<E> {
    type Item = Result<StreamItem<E>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx).map(|item| {
            item.map(|item| {
                item.map(|item| match item {
                    StreamItem::Event(event) => StreamItem::Event(*event),
                    StreamItem::Unknown(raw) => StreamItem::Unknown(raw),
                })
            })
        })
    }
}

impl<E: DeserializeOwned + Send + 'static> EventStream<E> {
    /// The next item, its event still boxed (see `Decoded`): each kind of
    /// stream takes it out of the box where it hands it over.
    fn poll_item(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<StreamItem<Box<E>>, Error>>> {
        if self.finished {
            return Poll::Ready(None);
        }
        if !std::mem::replace(&mut self.started, true) {
            if reads_in_own_task() {
                self.move_to_task();
            } else if moves_when_fast() {
                self.pace = Some(Pace::default());
            }
        }
        let next = match &mut self.source {
            Source::Inline(decoder) => Pin::new(&mut **decoder).poll_next(cx),
            Source::Task(task) => task.poll_next(cx),
            Source::Moving => Poll::Ready(None),
        };
        match next {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                self.finished = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(decoded)) => {
                // The clock is read only while a pace is watched: not for a
                // stream in its own task, on a current-thread runtime or
                // after a move.
                let quick = self
                    .pace
                    .as_mut()
                    .is_some_and(|pace| pace.quick(std::time::Instant::now()));
                if quick
                    && matches!(&self.source, Source::Inline(decoder) if !decoder.holds_events())
                {
                    // Between chunks' events: what the parser holds of the
                    // next event goes with it. (Events of a chunk already
                    // read wait in the decoder, which the task would not
                    // hand out: the move waits for the last of them.)
                    self.pace = None;
                    self.move_to_task();
                }
                let (item, fills) = decoded.into_parts();
                // Most events have no fills: no iterator is set up for them
                // (85 instructions an event, under callgrind).
                if !fills.is_empty() {
                    let room = 1000usize.saturating_sub(self.decode_warnings.len());
                    self.decode_warnings.extend(fills.into_iter().take(room));
                }
                Poll::Ready(Some(item))
            }
        }
    }
}

impl<E: DeserializeOwned + Send + 'static> EventStream<E> {
    /// Hands the stream's decoder to a task of its own, which reads ahead of
    /// the caller from here on.
    fn move_to_task(&mut self) {
        if let Source::Inline(decoder) = std::mem::replace(&mut self.source, Source::Moving) {
            self.source = Source::Task(Box::new(TaskSource::spawn(*decoder)));
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
    skipped: u64,
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

    /// How many events of names the operation does not know were skipped so
    /// far (the [`EventStream`] itself yields them as
    /// [`StreamItem::Unknown`]).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Required fields of the events so far that the server left out or sent
    /// as `null`, read as their empty value (see
    /// [`EventStream::decode_warnings`]).
    pub fn decode_warnings(&self) -> &[String] {
        self.inner.decode_warnings()
    }
}

impl<E: DeserializeOwned + Send + 'static> Stream for Events<E> {
    type Item = Result<E, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match this.inner.poll_item(cx) {
                Poll::Ready(Some(Ok(StreamItem::Unknown(_)))) => this.skipped += 1,
                Poll::Ready(Some(Ok(StreamItem::Event(event)))) => {
                    return Poll::Ready(Some(Ok(*event)))
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
        f.debug_struct("Events")
            .field("inner", &self.inner)
            .field("skipped", &self.skipped)
            .finish()
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
        let chunks = chunks.iter().map(|c| c.as_bytes()).collect::<Vec<_>>();
        stream_of_bytes(&chunks, config)
    }

    /// An event stream over a body delivered in the given chunks of bytes.
    fn stream_of_bytes<E: DeserializeOwned>(
        chunks: &[&'static [u8]],
        config: StreamConfig,
    ) -> EventStream<E> {
        let chunks: Vec<Result<Bytes, std::io::Error>> =
            chunks.iter().map(|c| Ok(Bytes::from_static(c))).collect();
        stream_of_body(
            reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)),
            config,
        )
    }

    /// An event stream over `body`.
    fn stream_of_body<E: DeserializeOwned>(
        body: reqwest::Body,
        config: StreamConfig,
    ) -> EventStream<E> {
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

    async fn collect<E: DeserializeOwned + Send + 'static>(
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

    /// An event that ends the stream only once converted (a payload that
    /// does not decode, an `error` member) ends it there also when a task of
    /// its own reads the stream and hands the caller events as text: what
    /// the task read past it is dropped, and the body, which here never
    /// ends, is let go, not waited for.
    #[tokio::test]
    async fn a_stream_read_in_a_task_ends_at_an_event_that_fails_to_convert() {
        assert!(super::super::stream_task::reads_in_own_task());
        for failing in ["{\"n\":\"x\"}", "{\"error\":{\"message\":\"m\"}}"] {
            let text = format!("data: {{\"n\":1}}\n\ndata: {failing}\n\ndata: {{\"n\":3}}\n\n");
            let chunk: Result<Bytes, std::io::Error> = Ok(Bytes::from(text));
            let endless =
                futures_util::stream::iter([chunk]).chain(futures_util::stream::pending());
            let stream = stream_of_body::<Chunk>(reqwest::Body::wrap_stream(endless), CHAT);
            let items = tokio::time::timeout(Duration::from_secs(5), collect(stream))
                .await
                .expect("the stream ends at the event, not at the body's end");
            assert_eq!(items.len(), 2, "{failing}: {items:?}");
            assert_eq!(
                items[0].as_ref().unwrap(),
                &StreamItem::Event(Chunk { n: 1 })
            );
            assert!(items[1].is_err(), "{failing}: {items:?}");
        }
    }

    #[tokio::test]
    async fn data_only_events_are_payloads_and_end_on_their_type() {
        // Transcription streams: no `event:` names, the kind is the payload's `type`.
        let config = StreamConfig::data_only()
            .known_events(&["transcript.text.delta", "transcript.text.done"])
            .terminal_events(&["transcript.text.done"]);
        let body = "data: {\"type\":\"transcript.text.delta\",\"n\":1}\n\ndata: {\"type\":\"transcript.text.done\",\"n\":2}\n\ndata: {\"n\":3}\n\n";
        // Read in a task of its own (the test's body is `block_on`'s
        // future), which asks whether each event ends the stream as it reads
        // it: the final event's `type` is parsed there, once, not again
        // where the caller converts it.
        assert!(super::super::stream_task::reads_in_own_task());
        super::super::stream_decode::TERMINAL_PARSES.with(|n| n.set(0));
        let items = collect::<Chunk>(stream(&[body], config)).await;
        assert_eq!(
            super::super::stream_decode::TERMINAL_PARSES.with(|n| n.get()),
            1
        );
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

        // `events()` skips the unknown ones, and counts them.
        let mut events = stream::<Chunk>(
            &["event: x\ndata: 1\n\ndata: {\"n\":7}\n\nevent: y\ndata: 2\n\n"],
            StreamConfig::data_only(),
        )
        .events();
        let mut known = Vec::new();
        while let Some(event) = events.next().await {
            known.push(event.unwrap());
            assert_eq!(events.skipped(), 1, "the one before the first known event");
        }
        assert_eq!(known, vec![Chunk { n: 7 }]);
        assert_eq!(events.skipped(), 2);
        assert!(events.decode_warnings().is_empty());
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
        // An `error` member makes the event an API error, even where the
        // payload decodes as the event it names.
        let items = collect::<Assistant>(stream(
            &["event: thread.created\ndata: {\"id\":\"t1\",\"error\":{\"message\":\"m\"}}\n\n"],
            ASSISTANT,
        ))
        .await;
        assert_eq!(items.len(), 1, "the stream ends after an error");
        assert_eq!(
            items[0].as_ref().unwrap_err().api_error().unwrap().message,
            "m"
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
        check::<EventStream<Chunk>>();
        check::<Events<Chunk>>();
        fn unpin<T: Unpin>() {}
        unpin::<EventStream<std::marker::PhantomPinned>>();
    }

    /// Items as text, to compare runs (errors have no `PartialEq`).
    fn shown<E: fmt::Debug>(items: &[Result<StreamItem<E>, Error>]) -> Vec<String> {
        items.iter().map(|item| format!("{item:?}")).collect()
    }

    fn runtime(multi_thread: bool) -> tokio::runtime::Runtime {
        let mut builder = if multi_thread {
            tokio::runtime::Builder::new_multi_thread()
        } else {
            tokio::runtime::Builder::new_current_thread()
        };
        builder.worker_threads(2);
        builder.enable_all().build().unwrap()
    }

    /// The items of a chat stream over `chunks`, shown, read four ways: in
    /// the caller's task and in a task of its own (`inline`, given with
    /// each), on a current-thread and then a multi-thread runtime.
    fn read_four_ways(
        runtimes: &[&tokio::runtime::Runtime; 2],
        chunks: &[&'static [u8]],
    ) -> Vec<(bool, Vec<String>)> {
        let mut ways = Vec::new();
        for rt in runtimes {
            for inline in [true, false] {
                let items = rt.block_on(async {
                    let stream = stream_of_bytes(chunks, CHAT);
                    collect::<Chunk>(if inline { stream.inline() } else { stream }).await
                });
                ways.push((inline, shown(&items)));
            }
        }
        ways
    }

    /// Every kind of item and ending, for `same_items_on_both_runtimes_at_every_chunk_size`.
    const MIXED: &str = "data: {\"n\":1}\n\n: ping\n\nevent: odd\ndata: hi\n\n\
        data: {\"n\":2,\"extra\":\"caf\u{e9}\"}\r\n\r\ndata: {\"m\":3}\n\n\
        data: {\"n\":4}\n\ndata: [DONE]\n\n";

    /// Read in the caller's task and in a task of its own, on a current-thread
    /// and a multi-thread runtime: the same items, whatever the chunking.
    #[test]
    fn same_items_on_both_runtimes_at_every_chunk_size() {
        let ends: &[&str] = &[
            MIXED,
            // Cut before the end marker, and in the middle of an event.
            "data: {\"n\":1}\n\ndata: {\"n\":2}\n\n",
            "data: {\"n\":1}\n\ndata: {\"n\"",
            // An error payload, an error event, an oversized event.
            "data: {\"n\":1}\n\ndata: {\"error\":{\"message\":\"m\"}}\n\n",
            "event: error\ndata: {\"message\":\"bad\"}\n\n",
        ];
        let big: &'static str = Box::leak(
            format!("data: {{\"n\":1}}\n\ndata: {}\n\n", "x".repeat(2000)).into_boxed_str(),
        );
        let current = runtime(false);
        let multi = runtime(true);
        for body in ends.iter().chain([&big]) {
            let whole =
                current.block_on(async { collect::<Chunk>(stream(&[body], CHAT).inline()).await });
            let expected = shown(&whole);
            assert!(!expected.is_empty());
            for size in (1..=body.len()).filter(|s| *s < 40 || s % 97 == 0) {
                let bytes = body.as_bytes();
                let chunks: Vec<&'static [u8]> = bytes.chunks(size).collect();
                for (inline, items) in read_four_ways(&[&current, &multi], &chunks) {
                    assert_eq!(
                        items, expected,
                        "chunk size {size} of {body:?}, inline {inline}"
                    );
                }
            }
        }
    }

    /// Required fields an event leaves out are read as empty and reported by
    /// the stream, at most 1,000 lines of them, whether the stream is read in
    /// the caller's task or in its own; events that leave nothing out add
    /// nothing.
    #[cfg(feature = "chat")]
    #[test]
    fn fills_are_reported_as_decode_warnings_up_to_a_bound() {
        use crate::generated::types::CreateChatCompletionStreamResponse as Chunk;
        let whole =
            r#"{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}"#;
        let no_created = r#"{"id":"c","object":"chat.completion.chunk","model":"m","choices":[]}"#;
        let event = |json: &str| format!("data: {json}\n\n");
        let mut body = event(whole) + &event(no_created) + &event(whole);
        for _ in 0..1_005 {
            body.push_str(&event(no_created));
        }
        body.push_str("data: [DONE]\n\n");
        let body: &'static [u8] = Box::leak(body.into_bytes().into_boxed_slice());
        for inline in [true, false] {
            let warnings = runtime(false).block_on(async {
                let stream = stream_of_bytes::<Chunk>(&[body], CHAT);
                let mut stream = if inline { stream.inline() } else { stream };
                let mut events = 0;
                while let Some(item) = stream.next().await {
                    item.unwrap();
                    events += 1;
                    if events == 3 {
                        // One event so far left `created` out.
                        assert_eq!(stream.decode_warnings().len(), 1, "inline {inline}");
                    }
                }
                assert_eq!(events, 1_008);
                stream.decode_warnings().to_vec()
            });
            assert_eq!(warnings.len(), 1_000, "inline {inline}");
            assert!(
                warnings[0].contains("created"),
                "inline {inline}: {}",
                warnings[0]
            );
        }
        // The known events alone report them too.
        let two: &'static [u8] = Box::leak(
            (event(whole) + &event(no_created) + "data: [DONE]\n\n")
                .into_bytes()
                .into_boxed_slice(),
        );
        let warnings = runtime(false).block_on(async {
            let mut events = stream_of_bytes::<Chunk>(&[two], CHAT).events();
            while let Some(event) = events.next().await {
                event.unwrap();
            }
            events.decode_warnings().to_vec()
        });
        assert_eq!(warnings.len(), 1, "{warnings:?}");
    }

    /// Random streams of every kind of event (payloads, an unknown name, an
    /// empty name, two data lines, a comment, an id, a payload that does not
    /// decode, an error payload, the end marker), read whole and in random
    /// chunks, in the caller's task and in a task of its own, on both
    /// runtimes: the same items.
    #[test]
    fn random_streams_give_the_same_items_in_any_chunks() {
        let events: [&str; 11] = [
            "data: {\"n\":1}\n\n",
            "data: {\"n\":2}\r\n\r\n",
            "data: {\"n\":3,\"extra\":\"caf\u{e9}\"}\n\n",
            "event: odd\ndata: hi\n\n",
            "event:\ndata: {\"n\":4}\n\n",
            "data: {\"n\"\ndata: :5}\n\n",
            ": ping\n\n",
            "id: 9\ndata: {\"n\":6}\n\n",
            "data: {\"m\":7}\n\n",
            "data: {\"error\":{\"message\":\"m\"}}\n\n",
            "data: [DONE]\n\n",
        ];
        let current = runtime(false);
        let multi = runtime(true);
        let mut rng = fastrand::Rng::with_seed(11);
        for case in 0..150 {
            let mut body = String::new();
            // Sometimes more payloads than are converted ahead of being
            // asked for (`convert_ahead`): read whole, the rest wait as text.
            let long = rng.u8(..8) == 0;
            let ahead = super::super::stream_decode::convert_ahead::<Chunk>();
            let count = if long {
                ahead + rng.usize(0..100)
            } else {
                rng.usize(0..14)
            };
            for _ in 0..count {
                // Mostly payloads, so that streams seldom end at once.
                let pick = if !long && rng.u8(..3) == 0 {
                    rng.usize(..events.len())
                } else {
                    rng.usize(..3)
                };
                body.push_str(events[pick]);
            }
            if rng.bool() {
                body.push_str("data: [DONE]\n\n");
            }
            let body: &'static [u8] = Box::leak(body.into_bytes().into_boxed_slice());
            let whole = shown(&current.block_on(async {
                collect::<Chunk>(stream_of_bytes(&[body], CHAT).inline()).await
            }));
            let chunks = super::super::sse::random_chunks(&mut rng, body, 40);
            let text = String::from_utf8_lossy(body);
            for (inline, items) in read_four_ways(&[&current, &multi], &chunks) {
                assert_eq!(
                    items, whole,
                    "case {case}, inline {inline}: {text:?} in {chunks:?}"
                );
            }
        }
    }

    /// A body of `events` events, one per chunk, that then stays open; counts
    /// the chunks taken from it and notes when it is dropped.
    fn counted_body(
        events: usize,
    ) -> (
        BodyStream,
        std::sync::Arc<std::sync::atomic::AtomicUsize>,
        std::sync::Arc<std::sync::atomic::AtomicBool>,
    ) {
        counted_padded_body(events, 0)
    }

    /// [`counted_body`] with `pad` more bytes of data in each event.
    fn counted_padded_body(
        events: usize,
        pad: usize,
    ) -> (
        BodyStream,
        std::sync::Arc<std::sync::atomic::AtomicUsize>,
        std::sync::Arc<std::sync::atomic::AtomicBool>,
    ) {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        use std::sync::Arc;
        struct OnDrop(Arc<AtomicBool>);
        impl Drop for OnDrop {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let pulled = Arc::new(AtomicUsize::new(0));
        let dropped = Arc::new(AtomicBool::new(false));
        let (count, guard) = (pulled.clone(), OnDrop(dropped.clone()));
        let padding = " ".repeat(pad);
        let chunks = futures_util::stream::iter(0..events)
            .map(move |n| Bytes::from(format!("data: {{\"n\":{n}{padding}}}\n\n")))
            .chain(futures_util::stream::pending())
            .map(move |chunk| {
                let _keep = &guard;
                count.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::io::Error>(chunk)
            });
        let body = reqwest::Body::wrap_stream(chunks);
        let body = BodyStream::new(http_response(body), Duration::from_secs(60), None);
        (body, pulled, dropped)
    }

    fn meta() -> ResponseMeta {
        ResponseMeta {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            request_id: None,
        }
    }

    #[test]
    fn reads_ahead_boundedly_in_its_own_task_and_inline_only_when_polled() {
        use std::sync::atomic::Ordering;
        for (multi_thread, inline) in [(false, false), (true, false), (false, true), (true, true)] {
            runtime(multi_thread).block_on(async {
                let (body, pulled, _) = counted_body(1000);
                let stream = EventStream::<Chunk>::new(body, CHAT, 1024, meta());
                let mut stream = if inline { stream.inline() } else { stream };
                let first = stream.next().await.unwrap().unwrap();
                assert_eq!(first, StreamItem::Event(Chunk { n: 0 }));
                tokio::time::sleep(Duration::from_millis(200)).await;
                let ahead = pulled.load(Ordering::SeqCst);
                if !inline {
                    // The task read on while nobody polled, up to its bound:
                    // a batch being read, one queued, one at the caller.
                    assert!(ahead > 1, "{ahead}");
                    assert!(ahead <= 3 * super::super::stream_task::BATCH + 1, "{ahead}");
                } else {
                    assert_eq!(ahead, 1, "read only when polled");
                }
                // Nothing lost or reordered by reading ahead.
                let rest: Vec<u32> = stream
                    .take(999)
                    .map(|item| match item.unwrap() {
                        StreamItem::Event(chunk) => chunk.n,
                        StreamItem::Unknown(raw) => panic!("{raw:?}"),
                    })
                    .collect()
                    .await;
                assert_eq!(rest, (1..1000).collect::<Vec<u32>>());
            });
        }
    }

    /// Events taken from a body of 1,000 while the caller, having read the
    /// first, sat 200 ms without polling: more than one when a task of the
    /// stream's own reads ahead, one when the caller reads.
    async fn read_while_the_caller_sleeps() -> usize {
        let (body, pulled, _) = counted_body(1000);
        let mut stream = EventStream::<Chunk>::new(body, CHAT, 1024, meta());
        assert!(stream.next().await.unwrap().is_ok());
        tokio::time::sleep(Duration::from_millis(200)).await;
        pulled.load(std::sync::atomic::Ordering::SeqCst)
    }

    #[test]
    fn where_a_stream_is_read_follows_its_caller() {
        use super::super::stream_task::reads_in_own_task;
        assert!(!reads_in_own_task(), "outside any runtime");
        for multi_thread in [false, true] {
            let runtime = runtime(multi_thread);
            // The future `block_on` runs (`#[tokio::main]`): a task of its own.
            assert!(runtime.block_on(async { reads_in_own_task() }));
            let ahead = runtime.block_on(read_while_the_caller_sleeps());
            assert!(ahead > 1, "multi-thread {multi_thread}: {ahead}");
            // A task, on either runtime: the caller's.
            let (own, ahead) = runtime.block_on(async {
                let read = async { (reads_in_own_task(), read_while_the_caller_sleeps().await) };
                tokio::spawn(read).await.unwrap()
            });
            assert!(!own, "multi-thread {multi_thread}");
            assert_eq!(
                ahead, 1,
                "multi-thread {multi_thread}: read only when polled"
            );
        }
    }

    /// A body of `events` chat events `{"n":i}` in HTTP chunks of `size`
    /// bytes, each chunk after `gap` (none: back to back), then never ending.
    fn chunked_body(events: usize, size: usize, gap: Option<Duration>) -> BodyStream {
        let text: String = (0..events)
            .map(|n| format!("data: {{\"n\":{n}}}\n\n"))
            .collect();
        let chunks: Vec<Bytes> = text
            .as_bytes()
            .chunks(size)
            .map(Bytes::copy_from_slice)
            .collect();
        let chunks = futures_util::stream::iter(chunks)
            .then(move |chunk| async move {
                if let Some(gap) = gap {
                    tokio::time::sleep(gap).await;
                }
                Ok::<_, std::io::Error>(chunk)
            })
            .chain(futures_util::stream::pending());
        let body = reqwest::Body::wrap_stream(chunks);
        BodyStream::new(http_response(body), Duration::from_secs(60), None)
    }

    /// Reads `events` events of `body` (made in the task) in a task on
    /// `runtime`, checking each is the next one; gives whether a task of the
    /// stream's own read it at the end.
    fn read_in_a_task(
        runtime: &tokio::runtime::Runtime,
        body: impl FnOnce() -> BodyStream + Send + 'static,
        events: usize,
    ) -> bool {
        runtime.block_on(async move {
            let read = async move {
                let mut stream = EventStream::<Chunk>::new(body(), CHAT, 1024, meta());
                for n in 0..events {
                    let item = stream.next().await.unwrap().unwrap();
                    assert_eq!(item, StreamItem::Event(Chunk { n: n as u32 }));
                }
                stream.in_task()
            };
            tokio::spawn(read).await.unwrap()
        })
    }

    /// Read in a task, a stream moves into a task of its own once its events
    /// come back to back, on a multi-thread runtime only, and every event
    /// arrives once, in order, across the move: in 7-byte chunks (the
    /// parser holds part of the next event when it moves) and in 50-byte
    /// chunks of about three events (the decoder holds the rest of a chunk's
    /// events until the caller has taken them: a move before then lost
    /// them).
    #[test]
    fn a_fast_stream_read_in_a_task_moves_into_its_own_on_a_multi_thread_runtime() {
        let events = 4000;
        for size in [7, 50] {
            let body = move || chunked_body(events, size, None);
            assert!(
                read_in_a_task(&runtime(true), body, events),
                "back to back on a multi-thread runtime, {size}-byte chunks"
            );
            assert!(
                !read_in_a_task(&runtime(false), body, events),
                "a current-thread runtime keeps it with its caller"
            );
        }
    }

    /// Events a millisecond apart are read by their caller: a reader task
    /// would hand each one over on its own.
    #[test]
    fn a_slow_stream_read_in_a_task_stays_with_its_caller() {
        use super::super::stream_task::QUICK_RUN;
        let events = QUICK_RUN as usize + 16;
        // Three chunks an event: one event in three chunks' time.
        let body = move || chunked_body(events, 7, Some(Duration::from_micros(400)));
        assert!(!read_in_a_task(&runtime(true), body, events));
    }

    #[test]
    fn pace_is_quick_after_a_run_of_close_events_and_starts_again_after_a_gap() {
        use super::super::stream_task::{QUICK_GAP, QUICK_RUN};
        let mut pace = Pace::default();
        let start = std::time::Instant::now();
        let close = QUICK_GAP / 2;
        let mut at = start;
        // The first event has nothing before it: QUICK_RUN more follow it.
        for _ in 0..QUICK_RUN {
            assert!(!pace.quick(at));
            at += close;
        }
        assert!(pace.quick(at), "the {QUICK_RUN}th close event");
        // A gap past QUICK_GAP starts the run again.
        at += QUICK_GAP + close;
        assert!(!pace.quick(at));
        for _ in 1..QUICK_RUN {
            at += QUICK_GAP;
            assert!(!pace.quick(at), "a gap of exactly QUICK_GAP is close");
        }
        at += QUICK_GAP;
        assert!(pace.quick(at));
    }

    #[test]
    fn large_events_are_read_ahead_by_their_bytes_not_only_their_count() {
        use super::super::stream_task::{BATCH, BATCH_BYTES};
        use std::sync::atomic::Ordering;
        let pad = 32 * 1024;
        // Whole events per batch: it ends once its data passes the bound.
        let per_batch = (BATCH_BYTES as usize).div_ceil(pad + 8) + 1;
        assert!(3 * per_batch + 1 < 3 * BATCH, "the bound is the bytes here");
        for multi_thread in [false, true] {
            runtime(multi_thread).block_on(async {
                let (body, pulled, _) = counted_padded_body(4 * BATCH, pad);
                let mut stream = EventStream::<Chunk>::new(body, CHAT, 1 << 20, meta());
                let first = stream.next().await.unwrap().unwrap();
                assert_eq!(first, StreamItem::Event(Chunk { n: 0 }));
                tokio::time::sleep(Duration::from_millis(200)).await;
                let ahead = pulled.load(Ordering::SeqCst);
                assert!(ahead > 1, "{ahead}");
                assert!(
                    ahead <= 3 * per_batch + 1,
                    "{ahead} events of {pad} bytes read ahead"
                );
                let rest = stream.take(4 * BATCH - 1).count().await;
                assert_eq!(rest, 4 * BATCH - 1);
            });
        }
    }

    #[test]
    fn dropping_the_stream_stops_its_task() {
        use std::sync::atomic::Ordering;
        runtime(true).block_on(async {
            let (body, _, dropped) = counted_body(3);
            let mut stream = EventStream::<Chunk>::new(body, CHAT, 1024, meta());
            assert!(stream.next().await.unwrap().is_ok());
            // The task now waits for a body that never ends.
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert!(!dropped.load(Ordering::SeqCst));
            drop(stream);
            let start = std::time::Instant::now();
            while !dropped.load(Ordering::SeqCst) {
                assert!(
                    start.elapsed() < Duration::from_secs(5),
                    "the task still holds the body"
                );
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }

    #[test]
    fn a_stalled_body_times_out_in_the_task_too() {
        runtime(true).block_on(async {
            let pending = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
            let body = BodyStream::new(
                http_response(reqwest::Body::wrap_stream(pending)),
                Duration::from_millis(100),
                None,
            );
            let items = collect(EventStream::<Chunk>::new(body, CHAT, 1024, meta())).await;
            assert!(
                matches!(&items[..], [Err(Error::Timeout { after: Some(after), .. })] if *after == Duration::from_millis(100)),
                "{items:?}"
            );
        });
    }

    #[test]
    #[should_panic(expected = "decoding panicked")]
    fn a_panic_while_decoding_in_the_task_reaches_the_caller() {
        struct Boom;
        impl<'de> Deserialize<'de> for Boom {
            fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
                panic!("decoding panicked")
            }
        }
        runtime(true).block_on(async {
            let _ = collect::<Boom>(stream(&["data: {}\n\n"], CHAT)).await;
        });
    }
}
