//! Shared by the wire tests of the newest-spec client: a local server that
//! records every request as it arrived (raw path, query, headers, JSON body or
//! multipart parts) and answers with what the test asks for.
//!
//! Lives in `common/mod.rs` so Cargo does not build it as a test target of its own.
#![allow(dead_code)]

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, OriginalUri, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use client_tests::{serve, Log, TestServer, TEST_API_KEY};
use futures_util::StreamExt;
use latest_client_tests::Client;
use serde_json::Value;

/// One part of a multipart body as axum's parser saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl Part {
    /// A text field (no filename, no content type).
    pub fn text(name: &str, value: &str) -> Part {
        Part {
            name: name.into(),
            filename: None,
            content_type: None,
            bytes: value.as_bytes().to_vec(),
        }
    }

    /// A file field.
    pub fn file(name: &str, filename: &str, content_type: &str, bytes: &[u8]) -> Part {
        Part {
            name: name.into(),
            filename: Some(filename.into()),
            content_type: Some(content_type.into()),
            bytes: bytes.to_vec(),
        }
    }
}

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    /// The full raw path, base path (`/v1`) and percent-encoding included.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Bytes,
    /// The parsed parts when the body is `multipart/form-data`, else empty.
    pub parts: Vec<Part>,
}

impl Seen {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }

    /// Checks the bearer token the client sends.
    pub fn assert_auth(&self) {
        assert_eq!(
            self.header(AUTHORIZATION.as_str()),
            Some(format!("Bearer {TEST_API_KEY}").as_str())
        );
    }

    /// The content type without parameters (e.g. the multipart boundary).
    pub fn media_type(&self) -> Option<&str> {
        self.header(CONTENT_TYPE.as_str())
            .map(|value| value.split(';').next().unwrap_or_default().trim())
    }
}

/// Serves every path under `/v1`: records each request, then answers with
/// `reply(request, index)` (index = 0-based number of the request).
pub async fn recording_server<F>(reply: F) -> (TestServer, Log<Seen>)
where
    F: Fn(&Seen, usize) -> Response + Clone + Send + Sync + 'static,
{
    let log = Log::new();
    let seen_log = log.clone();
    let handler = move |OriginalUri(uri): OriginalUri, request: Request| {
        let (log, reply) = (seen_log.clone(), reply.clone());
        async move {
            let (head, body) = request.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX)
                .await
                .expect("read the request body");
            let is_multipart = head
                .headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("multipart/form-data"));
            let mut parts = Vec::new();
            if is_multipart {
                let again = Request::from_parts(head.clone(), Body::from(body.clone()));
                let mut form = Multipart::from_request(again, &())
                    .await
                    .expect("a multipart body");
                while let Some(field) = form.next_field().await.expect("well-formed multipart") {
                    let name = field.name().unwrap_or_default().to_owned();
                    let filename = field.file_name().map(str::to_owned);
                    let content_type = field.content_type().map(str::to_owned);
                    let bytes = field.bytes().await.expect("part body").to_vec();
                    parts.push(Part {
                        name,
                        filename,
                        content_type,
                        bytes,
                    });
                }
            }
            let seen = Seen {
                method: head.method,
                path: uri.path().to_owned(),
                query: uri.query().map(str::to_owned),
                headers: head.headers,
                body,
                parts,
            };
            let index = log.entries().len();
            log.push(seen.clone());
            reply(&seen, index)
        }
    };
    let router = Router::new().route("/{*rest}", any(handler));
    (serve(router).await, log)
}

/// The only request the server saw.
pub fn only(log: &Log<Seen>) -> Seen {
    let mut entries = log.entries();
    assert_eq!(entries.len(), 1, "expected exactly one request");
    entries.remove(0)
}

/// A client for `server`: the test key, no retries (a failure shows at once).
pub fn client(server: &TestServer) -> Client {
    Client::builder()
        .api_key(TEST_API_KEY)
        .base_url(&server.base_url)
        .max_retries(0)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("test client")
}

/// A JSON response with an `x-request-id`.
pub fn json_reply(request_id: &str, body: Value) -> Response {
    (
        StatusCode::OK,
        [
            ("content-type", "application/json"),
            ("x-request-id", request_id),
        ],
        body.to_string(),
    )
        .into_response()
}

/// A `text/event-stream` response whose body arrives in the given chunks (as
/// separate writes, so events may be split across reads).
pub fn sse_reply(request_id: &str, chunks: Vec<String>) -> Response {
    let stream = futures_util::stream::iter(chunks)
        .map(|chunk| Ok::<_, Infallible>(Bytes::from(chunk)))
        // A pause between writes so they are not coalesced into one read.
        .then(|chunk| async move {
            tokio::time::sleep(Duration::from_millis(2)).await;
            chunk
        });
    (
        StatusCode::OK,
        [
            ("content-type", "text/event-stream"),
            ("x-request-id", request_id),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

/// An SSE event without a name (`data:` only).
pub fn data_event(data: &Value) -> String {
    format!("data: {data}\n\n")
}

/// An SSE event with a name.
pub fn named_event(name: &str, data: &Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

/// Splits a text into chunks of at most `size` bytes (ASCII input), so an
/// SSE body reaches the client cut in the middle of lines.
pub fn cut(text: &str, size: usize) -> Vec<String> {
    text.as_bytes()
        .chunks(size)
        .map(|chunk| String::from_utf8(chunk.to_vec()).expect("ASCII"))
        .collect()
}
