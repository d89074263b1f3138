//! Server-sent event streams over the wire: end markers, error and unknown
//! events, keep-alives, and streams that end too early.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use client_tests::{client, read_request, serve, serve_raw, Counter, Log, Sleeps};
use futures_util::StreamExt;
use openai_client::runtime::{Method, RequestSpec, StreamConfig};
use openai_client::{Error, StreamItem};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

#[derive(Debug, Deserialize, PartialEq)]
struct Delta {
    n: u32,
}

const CHAT: StreamConfig = StreamConfig::data_only().done_marker("[DONE]");

/// Each scenario runs on a current-thread runtime and on a multi-thread one
/// (where the stream's own task runs beside the connection on a worker
/// thread), and in a task on each (where the task reads the stream itself):
/// the items must be the same.
macro_rules! on_every_runtime {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn current_thread() {
                super::$name().await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn multi_thread() {
                super::$name().await
            }
            // A stream read in a task is read in that task, not by a task
            // of its own (a server's handler).
            #[tokio::test]
            async fn in_a_task_current_thread() {
                if let Err(e) = tokio::spawn(super::$name()).await {
                    std::panic::resume_unwind(e.into_panic());
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn in_a_task_multi_thread() {
                if let Err(e) = tokio::spawn(super::$name()).await {
                    std::panic::resume_unwind(e.into_panic());
                }
            }
        }
    )*};
}

on_every_runtime!(
    events_until_done_with_keep_alives_and_split_chunks,
    error_event_becomes_an_api_error,
    error_payload_in_a_data_event_becomes_an_api_error,
    unknown_events_are_passed_through,
    terminal_event_ends_named_event_streams,
    clean_close_before_done_is_an_error,
    connection_dropped_mid_stream_is_an_error,
    stalled_stream_times_out,
    non_2xx_start_is_retried_then_streams,
    non_2xx_start_is_returned_as_api_error,
    every_chunk_size_on_the_wire,
    each_event_arrives_before_the_next_is_sent,
);

/// A response streaming `chunks` with a short pause between them, so they
/// reach the client as separate reads.
fn event_stream(chunks: Vec<&'static str>) -> Response {
    let stream = futures_util::stream::iter(chunks).then(|chunk| async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        Ok::<_, std::convert::Infallible>(Bytes::from_static(chunk.as_bytes()))
    });
    let headers = [
        ("content-type", "text/event-stream"),
        ("x-request-id", "req_sse"),
    ];
    (headers, Body::from_stream(stream)).into_response()
}

fn stream_spec() -> RequestSpec {
    RequestSpec::new(Method::POST, "/chat/completions")
        .json(&json!({"model": "m", "stream": false}))
        .json_override("stream", Some(json!(true)))
        .accept("text/event-stream")
}

/// Serves `chunks` on `/chat/completions`, logging each request's Accept header and body.
async fn sse_server(
    chunks: Vec<&'static str>,
    requests: &Log<(String, Value)>,
) -> client_tests::TestServer {
    let requests = requests.clone();
    let router = Router::new().route(
        "/chat/completions",
        post(move |headers: HeaderMap, Json(body): Json<Value>| {
            let accept = headers
                .get("accept")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            requests.push((accept, body));
            let chunks = chunks.clone();
            async move { event_stream(chunks) }
        }),
    );
    serve(router).await
}

async fn events_until_done_with_keep_alives_and_split_chunks() {
    let requests = Log::new();
    let chunks = vec![
        ": keep-alive\n\n",
        "data: {\"n\":1}\n\n",
        "data: {\"n\"",
        ":2}\r\n\r",
        "\n: ping\n\ndata: {\"n\":3}\n\ndata: [DO",
        "NE]\n\n",
        "data: {\"n\":99}\n\n",
    ];
    let server = sse_server(chunks, &requests).await;
    let stream = client(&server, &Sleeps::new())
        .execute_sse::<Delta>(stream_spec(), CHAT)
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(stream.request_id(), Some("req_sse"));
    let events: Vec<Delta> = stream.events().map(Result::unwrap).collect().await;
    assert_eq!(events, vec![Delta { n: 1 }, Delta { n: 2 }, Delta { n: 3 }]);
    let (accept, body) = requests.entries().remove(0);
    assert_eq!(accept, "text/event-stream");
    assert_eq!(body, json!({"model": "m", "stream": true}));
}

async fn error_event_becomes_an_api_error() {
    let chunks = vec![
        "data: {\"n\":1}\n\n",
        "event: error\ndata: {\"error\": {\"message\": \"The server had an error\", \"type\": \"server_error\", \"code\": null}}\n\n",
        "data: {\"n\":2}\n\n",
    ];
    let server = sse_server(chunks, &Log::new()).await;
    let items: Vec<_> = client(&server, &Sleeps::new())
        .execute_sse::<Delta>(stream_spec(), CHAT)
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(items.len(), 2, "the stream ends at the error: {items:?}");
    assert_eq!(
        items[0].as_ref().unwrap(),
        &StreamItem::Event(Delta { n: 1 })
    );
    let err = items[1].as_ref().unwrap_err();
    assert!(matches!(err, Error::Api { .. }), "{err:?}");
    assert_eq!(err.status(), Some(StatusCode::OK));
    assert_eq!(err.request_id(), Some("req_sse"));
    assert_eq!(err.api_error().unwrap().message, "The server had an error");
    assert_eq!(
        err.api_error().unwrap().error_type.as_deref(),
        Some("server_error")
    );
}

async fn error_payload_in_a_data_event_becomes_an_api_error() {
    let chunks = vec!["data: {\"error\": {\"message\": \"context too long\", \"code\": \"context_length_exceeded\"}}\n\n"];
    let server = sse_server(chunks, &Log::new()).await;
    let mut stream = client(&server, &Sleeps::new())
        .execute_sse::<Delta>(stream_spec(), CHAT)
        .await
        .unwrap();
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(
        err.api_error().unwrap().code.as_deref(),
        Some("context_length_exceeded")
    );
    assert!(stream.next().await.is_none());
}

async fn unknown_events_are_passed_through() {
    let chunks = vec![
        "event: rate_limits.updated\ndata: {\"limit\": 5}\nid: 9\n\n",
        "data: {\"n\":1}\n\ndata: [DONE]\n\n",
    ];
    let server = sse_server(chunks, &Log::new()).await;
    let items: Vec<_> = client(&server, &Sleeps::new())
        .execute_sse::<Delta>(stream_spec(), CHAT)
        .await
        .unwrap()
        .map(Result::unwrap)
        .collect()
        .await;
    match &items[..] {
        [StreamItem::Unknown(raw), StreamItem::Event(Delta { n: 1 })] => {
            assert_eq!(raw.event.as_deref(), Some("rate_limits.updated"));
            assert_eq!(raw.data, "{\"limit\": 5}");
            assert_eq!(raw.id.as_deref(), Some("9"));
        }
        other => panic!("{other:?}"),
    }
}

async fn terminal_event_ends_named_event_streams() {
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(tag = "event", content = "data")]
    enum RunEvent {
        #[serde(rename = "thread.run.created")]
        Created { id: String },
        #[serde(rename = "thread.run.completed")]
        Completed { id: String },
    }
    const RUNS: StreamConfig = StreamConfig::event_and_data()
        .known_events(&["thread.run.created", "thread.run.completed"])
        .terminal_events(&["thread.run.completed"]);
    let chunks = vec![
        "event: thread.run.created\ndata: {\"id\":\"run_1\"}\n\n",
        "event: thread.run.completed\ndata: {\"id\":\"run_1\"}\n\n",
    ];
    let server = sse_server(chunks, &Log::new()).await;
    let events: Vec<RunEvent> = client(&server, &Sleeps::new())
        .execute_sse::<RunEvent>(stream_spec(), RUNS)
        .await
        .unwrap()
        .events()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(
        events,
        vec![
            RunEvent::Created { id: "run_1".into() },
            RunEvent::Completed { id: "run_1".into() }
        ]
    );

    // The same stream without its terminal event is cut short.
    let server = sse_server(
        vec!["event: thread.run.created\ndata: {\"id\":\"run_1\"}\n\n"],
        &Log::new(),
    )
    .await;
    let items: Vec<_> = client(&server, &Sleeps::new())
        .execute_sse::<RunEvent>(stream_spec(), RUNS)
        .await
        .unwrap()
        .collect()
        .await;
    assert!(
        matches!(items.last(), Some(Err(Error::Stream { .. }))),
        "{items:?}"
    );
}

async fn clean_close_before_done_is_an_error() {
    let server = sse_server(vec!["data: {\"n\":1}\n\n"], &Log::new()).await;
    let items: Vec<_> = client(&server, &Sleeps::new())
        .execute_sse::<Delta>(stream_spec(), CHAT)
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(items.len(), 2);
    match &items[1] {
        Err(err @ Error::Stream { message, .. }) => {
            assert!(message.contains("ended before"), "{message}");
            assert_eq!(err.request_id(), Some("req_sse"));
        }
        other => panic!("{other:?}"),
    }
}

/// A raw server that starts a chunked event stream and drops the connection
/// in the middle of it (no terminating chunk).
async fn connection_dropped_mid_stream_is_an_error() {
    let server = serve_raw(|mut stream, _| async move {
        let _ = read_request(&mut stream).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nx-request-id: req_cut\r\ntransfer-encoding: chunked\r\n\r\n";
        let event = "data: {\"n\":1}\n\n";
        let chunk = format!("{:x}\r\n{event}\r\n", event.len());
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.write_all(chunk.as_bytes()).await;
        let _ = stream.write_all(b"40\r\ndata: {\"n\"").await; // half a chunk, then gone
        let _ = stream.flush().await;
    })
    .await;
    let items: Vec<_> = client(&server, &Sleeps::new())
        .execute_sse::<Delta>(stream_spec(), CHAT)
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(
        items[0].as_ref().unwrap(),
        &StreamItem::Event(Delta { n: 1 })
    );
    let err = items[1].as_ref().unwrap_err();
    assert!(matches!(err, Error::Stream { .. }), "{err:?}");
    assert_eq!(err.request_id(), Some("req_cut"));
}

async fn stalled_stream_times_out() {
    let server = serve_raw(|mut stream, _| async move {
        let _ = read_request(&mut stream).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
        let event = "data: {\"n\":1}\n\n";
        let _ = stream.write_all(format!("{head}{:x}\r\n{event}\r\n", event.len()).as_bytes()).await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let client = client(&server, &Sleeps::new())
        .with_options(openai_client::RequestOptions::new().timeout(Duration::from_millis(300)));
    let items: Vec<_> = client
        .execute_sse::<Delta>(stream_spec(), CHAT)
        .await
        .unwrap()
        .collect()
        .await;
    assert!(items[0].is_ok());
    assert!(matches!(items[1], Err(Error::Timeout { .. })), "{items:?}");
}

/// The stream's reader task hands events over in batches; a batch must never
/// wait for events the server has not sent. The server here sends each event
/// only after the caller has received the one before it, so holding an event
/// back would stall the stream (and fail on the timeout below).
async fn each_event_arrives_before_the_next_is_sent() {
    let received = std::sync::Arc::new(tokio::sync::Notify::new());
    let heard = received.clone();
    let server = serve_raw(move |mut stream, _| {
        let heard = heard.clone();
        async move {
            let _ = read_request(&mut stream).await;
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
            let _ = stream.write_all(head.as_bytes()).await;
            for n in 1..=3 {
                let event = format!("data: {{\"n\":{n}}}\n\n");
                let chunk = format!("{:x}\r\n{event}\r\n", event.len());
                let _ = stream.write_all(chunk.as_bytes()).await;
                heard.notified().await;
            }
            let done = "data: [DONE]\n\n";
            let _ = stream
                .write_all(format!("{:x}\r\n{done}\r\n0\r\n\r\n", done.len()).as_bytes())
                .await;
        }
    })
    .await;
    let mut stream = client(&server, &Sleeps::new())
        .execute_sse::<Delta>(stream_spec(), CHAT)
        .await
        .unwrap()
        .events();
    for n in 1..=3 {
        let event = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .unwrap_or_else(|_| panic!("event {n} was held back"));
        assert_eq!(event.unwrap().unwrap(), Delta { n });
        received.notify_one();
    }
    assert!(stream.next().await.is_none());
}

async fn non_2xx_start_is_retried_then_streams() {
    let hits = Counter::new();
    let seen = hits.clone();
    let router = Router::new().route(
        "/chat/completions",
        post(move || {
            let first = seen.hit() == 0;
            async move {
                if first {
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        Json(json!({"error": {"message": "busy"}})),
                    )
                        .into_response()
                } else {
                    event_stream(vec!["data: {\"n\":1}\n\ndata: [DONE]\n\n"])
                }
            }
        }),
    );
    let server = serve(router).await;
    let sleeps = Sleeps::new();
    let events: Vec<_> = client(&server, &sleeps)
        .execute_sse::<Delta>(stream_spec(), CHAT)
        .await
        .unwrap()
        .events()
        .collect()
        .await;
    assert_eq!(events.len(), 1);
    assert_eq!(hits.get(), 2);
    assert_eq!(sleeps.recorded().len(), 1);
}

async fn non_2xx_start_is_returned_as_api_error() {
    let router = Router::new().route(
        "/chat/completions",
        post(|| async {
            let body = Json(json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}}));
            (StatusCode::UNAUTHORIZED, [("x-request-id", "req_401")], body)
        }),
    );
    let server = serve(router).await;
    let err = client(&server, &Sleeps::new())
        .execute_sse::<Delta>(stream_spec(), CHAT)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(err.request_id(), Some("req_401"));
    assert_eq!(
        err.api_error().unwrap().code.as_deref(),
        Some("invalid_api_key")
    );
}

/// Serves `body` split into HTTP chunks of `size` bytes, sent back to back.
fn chunked_body(body: &'static [u8], size: usize) -> Response {
    let chunks = body
        .chunks(size)
        .map(|c| Ok::<_, std::convert::Infallible>(Bytes::from_static(c)));
    let headers = [("content-type", "text/event-stream")];
    (
        headers,
        Body::from_stream(futures_util::stream::iter(chunks)),
    )
        .into_response()
}

async fn every_chunk_size_on_the_wire() {
    const BODY: &str = ": hi\r\n\r\ndata: {\"n\":1}\r\n\r\nevent: x\ndata: caf\u{e9} \u{1F600}\n\n\
        data: {\"n\":\n\ndata: {\"n\":2}\n\ndata: [DONE]\n\n";
    let size = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let current = size.clone();
    let router = Router::new().route(
        "/chat/completions",
        post(move || {
            let size = current.load(std::sync::atomic::Ordering::SeqCst);
            async move { chunked_body(BODY.as_bytes(), size) }
        }),
    );
    let server = serve(router).await;
    let client = client(&server, &Sleeps::new());
    let mut expected = None;
    for chunk in (1..=24).chain([BODY.len()]) {
        size.store(chunk, std::sync::atomic::Ordering::SeqCst);
        let items: Vec<String> = client
            .execute_sse::<Delta>(stream_spec(), CHAT)
            .await
            .unwrap()
            .map(|item| format!("{item:?}"))
            .collect()
            .await;
        // A comment, one event, an unknown one, then a bad event ends it.
        assert_eq!(items.len(), 3, "chunk size {chunk}: {items:?}");
        assert!(items[2].starts_with("Err(Decode"), "{items:?}");
        match &expected {
            None => expected = Some(items),
            Some(expected) => assert_eq!(&items, expected, "chunk size {chunk}"),
        }
    }
}
