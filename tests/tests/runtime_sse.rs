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

#[tokio::test]
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

#[tokio::test]
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

#[tokio::test]
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

#[tokio::test]
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

#[tokio::test]
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

#[tokio::test]
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
#[tokio::test]
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

#[tokio::test]
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

#[tokio::test]
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

#[tokio::test]
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
