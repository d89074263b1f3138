//! The three time limits over the wire (see `ClientBuilder::timeout`): the
//! request limit, the read limit on each wait for body bytes, and the total
//! limit of a streamed response. Servers are raw TCP so they can stall,
//! trickle or ping exactly as a test needs; limits are short real times.

use std::time::{Duration, Instant};

use client_tests::{builder, read_request, serve_raw, Sleeps, TestServer};
use futures_util::StreamExt;
use openai_client::runtime::{
    Method, RequestSpec, StreamConfig, TimeoutKind, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
};
use openai_client::{Client, Error, RequestOptions};
use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const CHAT: StreamConfig = StreamConfig::data_only().done_marker("[DONE]");

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A client without retries, so each test sees one attempt.
fn client(
    server: &TestServer,
    adjust: impl FnOnce(openai_client::ClientBuilder) -> openai_client::ClientBuilder,
) -> Client {
    adjust(builder(server, &Sleeps::new()).max_retries(0))
        .build()
        .unwrap()
}

/// Writes one chunk of a chunked body.
async fn chunk(stream: &mut TcpStream, text: &str) -> std::io::Result<()> {
    stream
        .write_all(format!("{:x}\r\n{text}\r\n", text.len()).as_bytes())
        .await
}

/// Answers with a chunked body of `content_type`: `first`, then `every`
/// after `pace` for as long as the client listens.
async fn paced_server(
    content_type: &'static str,
    first: &'static str,
    every: &'static str,
    pace: Duration,
) -> TestServer {
    serve_raw(move |mut stream, _| async move {
        let _ = read_request(&mut stream).await;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\nx-request-id: req_t\r\ntransfer-encoding: chunked\r\n\r\n"
        );
        if stream.write_all(head.as_bytes()).await.is_err() || chunk(&mut stream, first).await.is_err() {
            return;
        }
        loop {
            tokio::time::sleep(pace).await;
            if chunk(&mut stream, every).await.is_err() {
                return;
            }
        }
    })
    .await
}

/// Sends the headers and part of a JSON body, then nothing for a minute.
async fn stalling_server() -> TestServer {
    serve_raw(|mut stream, _| async move {
        let _ = read_request(&mut stream).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 40\r\nx-request-id: req_t\r\n\r\n{\"half\": ";
        let _ = stream.write_all(head.as_bytes()).await;
        tokio::time::sleep(Duration::from_secs(60)).await;
    })
    .await
}

fn json_spec() -> RequestSpec {
    RequestSpec::new(Method::GET, "/models")
}

fn stream_spec() -> RequestSpec {
    RequestSpec::new(Method::POST, "/chat/completions")
        .json(&serde_json::json!({"model": "m"}))
        .accept("text/event-stream")
}

fn assert_timeout(error: &Error, want: TimeoutKind, after: Duration) {
    match error {
        Error::Timeout {
            kind,
            after: Some(got),
            ..
        } => assert_eq!((*kind, *got), (want, after), "{error}"),
        other => panic!("expected a {want:?} timeout, got {other:?}"),
    }
}

#[test]
fn defaults_match_openai_python() {
    assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(600));
    assert_eq!(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs(5));
}

#[tokio::test]
async fn buffered_body_that_stalls_hits_the_read_timeout() {
    let server = stalling_server().await;
    let client = client(&server, |b| {
        b.timeout(Duration::from_secs(30)).read_timeout(ms(300))
    });
    let started = Instant::now();
    let error = client.execute_json::<Value>(json_spec()).await.unwrap_err();
    assert_timeout(&error, TimeoutKind::Read, ms(300));
    assert_eq!(error.request_id(), Some("req_t"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(error.to_string().contains("read timeout"), "{error}");
}

#[tokio::test]
async fn read_timeout_per_request_replaces_the_clients() {
    let server = stalling_server().await;
    let client = client(&server, |b| b.read_timeout(Duration::from_secs(30)));
    let started = Instant::now();
    let error = client
        .with_options(RequestOptions::new().read_timeout(ms(200)))
        .execute_json::<Value>(json_spec())
        .await
        .unwrap_err();
    assert_timeout(&error, TimeoutKind::Read, ms(200));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn without_a_read_timeout_a_stalled_body_waits_for_the_request_timeout() {
    let server = stalling_server().await;
    let client = client(&server, |b| b.timeout(ms(400)));
    let error = client.execute_json::<Value>(json_spec()).await.unwrap_err();
    assert_timeout(&error, TimeoutKind::Request, ms(400));
}

#[tokio::test]
async fn trickling_body_hits_the_request_timeout() {
    // A byte every 50 ms never trips the 1 s read limit; the whole body must come in 500 ms.
    let server = paced_server("application/json", "[", " ", ms(50)).await;
    let client = client(&server, |b| {
        b.timeout(ms(500)).read_timeout(Duration::from_secs(1))
    });
    let started = Instant::now();
    let error = client.execute_json::<Value>(json_spec()).await.unwrap_err();
    assert_timeout(&error, TimeoutKind::Request, ms(500));
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn pinged_stream_hits_the_stream_timeout() {
    // An event, then `: ping` every 100 ms: the read limit never passes.
    let server = paced_server(
        "text/event-stream",
        "data: {\"n\":1}\n\n",
        ": ping\n\n",
        ms(100),
    )
    .await;
    let client = client(&server, |b| b.read_timeout(ms(400)).stream_timeout(ms(700)));
    let started = Instant::now();
    let items: Vec<_> = client
        .execute_sse::<Value>(stream_spec(), CHAT)
        .await
        .unwrap()
        .collect()
        .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items[0].is_ok());
    let error = items[1].as_ref().unwrap_err();
    assert_timeout(error, TimeoutKind::Stream, ms(700));
    assert_eq!(error.request_id(), Some("req_t"));
    let elapsed = started.elapsed();
    assert!(
        elapsed >= ms(700) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn pinged_stream_without_a_stream_timeout_does_not_end() {
    // What the stream timeout is for: the same stream otherwise outlives any read limit.
    let server = paced_server(
        "text/event-stream",
        "data: {\"n\":1}\n\n",
        ": ping\n\n",
        ms(100),
    )
    .await;
    let client = client(&server, |b| b.read_timeout(ms(400)));
    let mut stream = client
        .execute_sse::<Value>(stream_spec(), CHAT)
        .await
        .unwrap();
    assert!(stream.next().await.unwrap().is_ok());
    let next = tokio::time::timeout(ms(1200), stream.next()).await;
    assert!(next.is_err(), "no item and no error for 1.2 s: {next:?}");
}

#[tokio::test]
async fn stream_timeout_per_request_and_for_downloads() {
    let server = paced_server("audio/mpeg", "ID3", "x", ms(100)).await;
    let client = client(&server, |b| b);
    let started = Instant::now();
    let response = client
        .with_options(RequestOptions::new().stream_timeout(ms(500)))
        .execute_binary(RequestSpec::new(Method::POST, "/audio/speech"))
        .await
        .unwrap();
    let error = response.bytes().await.unwrap_err();
    assert_timeout(&error, TimeoutKind::Stream, ms(500));
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn stream_timeout_also_bounds_the_wait_for_headers() {
    let server = serve_raw(|mut stream, _| async move {
        let _ = read_request(&mut stream).await;
        tokio::time::sleep(Duration::from_secs(60)).await;
    })
    .await;
    let client = client(&server, |b| b.timeout(Duration::from_secs(30)));
    let started = Instant::now();
    let error = client
        .with_options(RequestOptions::new().stream_timeout(ms(300)))
        .execute_sse::<Value>(stream_spec(), CHAT)
        .await
        .unwrap_err();
    assert_timeout(&error, TimeoutKind::Stream, ms(300));
    assert!(started.elapsed() < Duration::from_secs(5));
    // A buffered request ignores the stream limit.
    let error = client
        .with_options(
            RequestOptions::new()
                .stream_timeout(ms(100))
                .timeout(ms(400)),
        )
        .execute_json::<Value>(json_spec())
        .await
        .unwrap_err();
    assert_timeout(&error, TimeoutKind::Request, ms(400));
}
