//! The recording server both wire-test suites share: the per-operation tests of
//! the seed client (`tests/seed-client/tests`, through [`crate::wire::Wire`])
//! and the tests of the shipped client, generated from the newest spec
//! (`tests/tests/wire_*.rs`).
//!
//! [`recording_server`] answers every path under [`BASE_PATH`], records each
//! request as a [`Seen`] (method, raw path, query, headers, body, multipart
//! parts) and answers with what the test's closure returns, typically a
//! [`Reply`]. Nothing here depends on which client sends the requests.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, OriginalUri, Query, Request};
use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use futures_util::StreamExt;
use serde_json::Value;

use crate::{serve, Log, TestServer, BASE_PATH, TEST_API_KEY};

/// One part of a multipart body as the server (axum's multer parser) saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// Field name, e.g. `file` or `include[]`.
    pub name: String,
    /// Filename of a file part.
    pub filename: Option<String>,
    /// Content type of a file part.
    pub content_type: Option<String>,
    /// The part's contents.
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
    /// e.g. `POST`.
    pub method: String,
    /// The raw (still percent-encoded) path, base path included: `/v1/files/..%2Fx`.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// All request headers.
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Bytes,
    /// The parts of a `multipart/form-data` body, or why they could not be
    /// parsed; `None` for any other body. Read them with [`Seen::multipart`].
    pub parts: Option<Result<Vec<Part>, String>>,
}

impl Seen {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The content type without parameters (e.g. the multipart boundary).
    pub fn media_type(&self) -> Option<&str> {
        self.header(CONTENT_TYPE.as_str())
            .map(|value| value.split(';').next().unwrap_or_default().trim())
    }

    /// The query string decoded into name/value pairs, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let uri = format!("/?{}", self.query.as_deref().unwrap_or_default());
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&uri.parse().unwrap())
            .expect("well-formed query string");
        pairs
    }

    /// The bearer token is the test key.
    pub fn assert_auth(&self) {
        assert_eq!(
            self.header(AUTHORIZATION.as_str()),
            Some(format!("Bearer {TEST_API_KEY}").as_str()),
            "authorization header"
        );
    }

    /// Method and raw path (relative to the base path), and the bearer token.
    pub fn assert_call(&self, method: &str, path: &str) {
        assert_eq!(self.method, method, "method");
        assert_eq!(self.path, format!("{BASE_PATH}{path}"), "raw request path");
        self.assert_auth();
    }

    /// The decoded query pairs, compared regardless of the order of different
    /// names (repeated names keep their relative order).
    pub fn assert_query(&self, expected: &[(&str, &str)]) {
        let mut got = self.query_pairs();
        let mut want: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        got.sort_by(|a, b| a.0.cmp(&b.0));
        want.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(got, want, "query pairs of `{:?}`", self.query);
    }

    /// No query string at all.
    pub fn assert_no_query(&self) {
        assert_eq!(self.query, None, "query string");
    }

    /// A JSON body equal to `expected` (so unset optional fields must be
    /// absent), sent as `application/json`, with a JSON response accepted.
    pub fn assert_json(&self, expected: &Value) {
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "content type"
        );
        assert_eq!(self.header("accept"), Some("application/json"), "accept");
        let body: Value = serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        });
        assert_eq!(&body, expected, "JSON body");
    }

    /// The JSON body, whatever it is.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }

    /// No body and no content type (GET, DELETE, body-less POST).
    pub fn assert_no_body(&self) {
        assert!(
            self.body.is_empty(),
            "unexpected body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.header("content-type"), None, "content type");
    }

    /// The parts of a `multipart/form-data; boundary=...` body (asserts the
    /// content type and that the body parsed).
    pub fn multipart(&self) -> Vec<Part> {
        let content_type = self.header("content-type").unwrap_or_default();
        assert!(
            content_type.starts_with("multipart/form-data; boundary="),
            "content type `{content_type}`"
        );
        match &self.parts {
            Some(Ok(parts)) => parts.clone(),
            Some(Err(error)) => panic!("malformed multipart body: {error}"),
            None => panic!("no multipart body"),
        }
    }
}

/// Serves every path under [`BASE_PATH`]: records each request, then answers
/// with `respond(request, index)` (index = 0-based number of the request).
pub async fn recording_server<F, R>(respond: F) -> (TestServer, Log<Seen>)
where
    F: Fn(&Seen, usize) -> R + Clone + Send + Sync + 'static,
    R: IntoResponse,
{
    let log = Log::new();
    let seen_log = log.clone();
    let handler = move |request: Request| {
        let (log, respond) = (seen_log.clone(), respond.clone());
        async move {
            let seen = record(request).await;
            let index = log.append(seen.clone());
            respond(&seen, index).into_response()
        }
    };
    let router = Router::new()
        .route("/", any(handler.clone()))
        .route("/{*rest}", any(handler));
    (serve(router).await, log)
}

/// The only request the server saw (asserts there was exactly one).
pub fn only(log: &Log<Seen>) -> Seen {
    let mut requests = log.entries();
    assert_eq!(
        requests.len(),
        1,
        "expected exactly one request, saw: {requests:#?}"
    );
    requests.remove(0)
}

async fn record(request: Request) -> Seen {
    let (parts, body) = request.into_parts();
    // Nested routers see the path without the base path; the original URI is the raw one.
    let uri = parts
        .extensions
        .get::<OriginalUri>()
        .map(|original| original.0.clone())
        .unwrap_or_else(|| parts.uri.clone());
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .expect("request body");
    let is_multipart = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let multipart = if is_multipart {
        Some(parse_multipart(&parts.headers, body.clone()).await)
    } else {
        None
    };
    Seen {
        method: parts.method.to_string(),
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers: parts.headers,
        body,
        parts: multipart,
    }
}

/// Parses a recorded multipart body with axum's (multer's) parser.
async fn parse_multipart(headers: &HeaderMap, body: Bytes) -> Result<Vec<Part>, String> {
    let mut request = Request::builder().method("POST").uri("/");
    for name in [CONTENT_TYPE, ACCEPT, AUTHORIZATION] {
        if let Some(value) = headers.get(&name) {
            request = request.header(name, value);
        }
    }
    let request = request.body(Body::from(body)).map_err(|e| e.to_string())?;
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|e| e.body_text())?;
    let mut parts = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| e.body_text())? {
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map_err(|e| e.body_text())?.to_vec();
        parts.push(Part {
            name,
            filename,
            content_type,
            bytes,
        });
    }
    Ok(parts)
}

/// What the server answers.
#[derive(Clone, Debug)]
pub struct Reply {
    status: StatusCode,
    headers: Vec<(String, String)>,
    /// Sent as separate chunks with a short pause before each.
    chunks: Vec<Bytes>,
    /// Stream the body even when it is a single chunk.
    streamed: bool,
}

impl Reply {
    /// A 200 response with a JSON body, indented as the API indents the
    /// bodies it does not stream (a line break and two spaces per level, a
    /// space after each key's `:`), so every test that decodes one reads
    /// the layout a caller's client reads.
    pub fn json(body: Value) -> Reply {
        let text = serde_json::to_vec_pretty(&body).expect("a JSON value writes");
        Reply::bytes("application/json", text)
    }

    /// A 200 response with raw bytes of the given content type.
    pub fn bytes(content_type: &str, body: impl Into<Bytes>) -> Reply {
        Reply {
            status: StatusCode::OK,
            headers: vec![("content-type".into(), content_type.into())],
            chunks: vec![body.into()],
            streamed: false,
        }
    }

    /// A `text/event-stream` response of `data:` events, each in its own chunk.
    pub fn events<I: IntoIterator<Item = String>>(data: I) -> Reply {
        Reply {
            streamed: false,
            ..Reply::sse(data.into_iter().map(|data| data_line(&data)))
        }
    }

    /// A `text/event-stream` of JSON chunks ended by `data: [DONE]`, as the
    /// completion endpoints stream.
    pub fn sse_done(chunks: &[Value]) -> Reply {
        Reply::events(
            chunks
                .iter()
                .map(Value::to_string)
                .chain(["[DONE]".to_owned()]),
        )
    }

    /// A streamed `text/event-stream` response whose body is written in the
    /// given chunks, as they are (so events may be split across reads).
    pub fn sse<I, B>(chunks: I) -> Reply
    where
        I: IntoIterator<Item = B>,
        B: Into<Bytes>,
    {
        Reply {
            status: StatusCode::OK,
            headers: vec![("content-type".into(), "text/event-stream".into())],
            chunks: chunks.into_iter().map(Into::into).collect(),
            streamed: true,
        }
    }

    /// The same reply with another status.
    pub fn status(mut self, status: StatusCode) -> Reply {
        self.status = status;
        self
    }

    /// Adds the `x-request-id` header.
    pub fn request_id(self, id: &str) -> Reply {
        self.header("x-request-id", id)
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut builder = Response::builder().status(self.status);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let body = if !self.streamed && self.chunks.len() == 1 {
            Body::from(self.chunks.into_iter().next().unwrap())
        } else {
            // A pause before each write so the writes are not coalesced into one read.
            let stream = futures_util::stream::iter(self.chunks).then(|chunk| async move {
                tokio::time::sleep(Duration::from_millis(2)).await;
                Ok::<_, Infallible>(chunk)
            });
            Body::from_stream(stream)
        };
        builder.body(body).expect("valid reply")
    }
}

/// A JSON response with an `x-request-id`.
pub fn json_reply(request_id: &str, body: Value) -> Reply {
    Reply::json(body).request_id(request_id)
}

/// A `text/event-stream` response with an `x-request-id`, whose body arrives
/// in the given chunks (see [`Reply::sse`]).
pub fn sse_reply(request_id: &str, chunks: Vec<String>) -> Reply {
    Reply::sse(chunks).request_id(request_id)
}

fn data_line(data: &str) -> String {
    format!("data: {data}\n\n")
}

/// An SSE event without a name (`data:` only).
pub fn data_event(data: &Value) -> String {
    data_line(&data.to_string())
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
