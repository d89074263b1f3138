//! Harness for the per-operation wire tests (`tests/tests/operations_*.rs`).
//!
//! [`Wire::serve`] starts a real HTTP server that answers one endpoint. Its
//! handler checks what a real API server would refuse outright (the method,
//! the raw path, the bearer token) and answers anything else with an error the
//! client surfaces; every request is recorded as a [`Seen`] (raw path, query,
//! headers, body, multipart parts), for the test to assert after the call.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, OriginalUri, Query, Request};
use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use futures_util::StreamExt;
use openai_client::Client;
use serde_json::{json, Value};

use crate::{client, serve, Log, Sleeps, TestServer, BASE_PATH, TEST_API_KEY};

/// One part of a multipart body as the server parsed it.
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
    /// A text field.
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
    /// The parts of a `multipart/form-data` body, or why they could not be parsed.
    pub parts: Option<Result<Vec<Part>, String>>,
}

impl Seen {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The query string decoded into name/value pairs, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        let uri = format!("/?{}", self.query.as_deref().unwrap_or_default());
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&uri.parse().unwrap())
            .expect("well-formed query string");
        pairs
    }

    /// Method and raw path (relative to the base path), and the bearer token.
    pub fn assert_call(&self, method: &str, path: &str) {
        assert_eq!(self.method, method, "method");
        assert_eq!(self.path, format!("{BASE_PATH}{path}"), "raw request path");
        assert_eq!(
            self.header("authorization"),
            Some(format!("Bearer {TEST_API_KEY}").as_str()),
            "authorization header"
        );
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
        serde_json::from_slice(&self.body).expect("JSON body")
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

    /// The parts of a `multipart/form-data; boundary=...` body.
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

/// What the server answers.
#[derive(Clone, Debug)]
pub struct Reply {
    status: StatusCode,
    headers: Vec<(String, String)>,
    /// Sent as separate chunks with a short pause between them.
    chunks: Vec<Bytes>,
}

impl Reply {
    /// A 200 response with a JSON body.
    pub fn json(body: Value) -> Reply {
        Reply::bytes("application/json", body.to_string().into_bytes())
    }

    /// A 200 response with raw bytes of the given content type.
    pub fn bytes(content_type: &str, body: impl Into<Bytes>) -> Reply {
        Reply {
            status: StatusCode::OK,
            headers: vec![("content-type".into(), content_type.into())],
            chunks: vec![body.into()],
        }
    }

    /// A `text/event-stream` response of `data:` events, each in its own chunk.
    pub fn events<I: IntoIterator<Item = String>>(data: I) -> Reply {
        Reply {
            status: StatusCode::OK,
            headers: vec![("content-type".into(), "text/event-stream".into())],
            chunks: data
                .into_iter()
                .map(|data| Bytes::from(format!("data: {data}\n\n")))
                .collect(),
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

    /// Adds the `x-request-id` header.
    pub fn request_id(self, id: &str) -> Reply {
        self.header("x-request-id", id)
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }

    fn into_http(self) -> Response {
        let mut builder = Response::builder().status(self.status);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        let body = if self.chunks.len() == 1 {
            Body::from(self.chunks.into_iter().next().unwrap())
        } else {
            let stream = futures_util::stream::iter(self.chunks).then(|chunk| async move {
                tokio::time::sleep(Duration::from_millis(2)).await;
                Ok::<_, Infallible>(chunk)
            });
            Body::from_stream(stream)
        };
        builder.body(body).expect("valid reply")
    }
}

/// A server answering one endpoint, and the requests it saw.
pub struct Wire {
    /// The running server.
    pub server: TestServer,
    seen: Log<Seen>,
    sleeps: Sleeps,
}

type Respond = dyn Fn(&Seen) -> Reply + Send + Sync;

impl Wire {
    /// Answers `method path` (path relative to the base path and exactly as it
    /// must arrive, percent-encoding included) with `reply`.
    pub async fn serve(method: &str, path: &str, reply: Reply) -> Wire {
        Wire::serve_with(method, path, move |_| reply.clone()).await
    }

    /// Like [`Wire::serve`], computing each reply from the request.
    pub async fn serve_with(
        method: &str,
        path: &str,
        respond: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Wire {
        let seen = Log::new();
        let expected = Arc::new((method.to_owned(), format!("{BASE_PATH}{path}")));
        let respond: Arc<Respond> = Arc::new(respond);
        let log = seen.clone();
        let handler = move |request: Request| {
            let (log, expected, respond) = (log.clone(), expected.clone(), respond.clone());
            async move {
                let request = record(request).await;
                log.push(request.clone());
                let (method, path) = (&expected.0, &expected.1);
                if request.method != *method || request.path != *path {
                    return refuse(
                        StatusCode::NOT_FOUND,
                        &format!(
                            "wire test expected {method} {path}, got {} {}",
                            request.method, request.path
                        ),
                    );
                }
                if request.header("authorization") != Some(&format!("Bearer {TEST_API_KEY}")) {
                    return refuse(StatusCode::UNAUTHORIZED, "wire test: wrong bearer token");
                }
                respond(&request).into_http()
            }
        };
        let router = Router::new()
            .route("/", any(handler.clone()))
            .route("/{*rest}", any(handler));
        Wire {
            server: serve(router).await,
            seen,
            sleeps: Sleeps::new(),
        }
    }

    /// A client for this server (test API key, retry waits recorded).
    pub fn client(&self) -> Client {
        client(&self.server, &self.sleeps)
    }

    /// Every request seen so far.
    pub fn requests(&self) -> Vec<Seen> {
        self.seen.entries()
    }

    /// The one request seen (asserts there was exactly one: no retries).
    pub fn request(&self) -> Seen {
        let mut requests = self.requests();
        assert_eq!(requests.len(), 1, "requests seen: {requests:#?}");
        assert!(self.sleeps.recorded().is_empty(), "no retries expected");
        requests.remove(0)
    }
}

fn refuse(status: StatusCode, message: &str) -> Response {
    let body = json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": null}});
    (
        status,
        [(CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
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

/// `createChatCompletion` → `create_chat_completion`.
pub fn snake_case(operation_id: &str) -> String {
    let mut out = String::new();
    for (i, c) in operation_id.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
