//! The runtime bench's HTTP server: an axum router serving the payloads of
//! `payloads.rs` (included beside this file as `super::payloads`).
//!
//! Routes, under a base URL the clients are given:
//! - `POST /sse/{framing}/chat/completions`: the chat stream, one HTTP chunk
//!   per event (`event`), HTTP chunks of N bytes (a number), one body
//!   with a length (`body`), or `PACED_EVENTS` events one at a time, one
//!   every `PACE_MICROS` (`paced`: the client waits for each, as it does
//!   for a model's tokens);
//! - `POST /sse/{framing}/responses`: a Responses API stream of as many
//!   events, in the same framings but `paced`;
//! - `POST /sse-many/{framing}/chat/completions`: the chat stream of
//!   `events_per_stream` events, for a client that reads `STREAMS` at once
//!   (`paced` as above);
//! - `GET /v1/files`: the files list, compact; `GET /indented/v1/files`: the
//!   same laid out as the API lays it out (see `payloads::indented`);
//! - `POST /v1/files`: a multipart upload sink that counts the file's bytes;
//! - `GET /v1/models/{id}`: a model;
//! - `POST /v1/chat/completions`: a short chat completion, answered only when
//!   the request is the chat request of the payloads (else 400), so a client
//!   that sends less cannot be measured as faster;
//! - `POST /v1/embeddings`: the embeddings of the payloads' request (else
//!   400), as JSON numbers or, when the request asks for `base64`, as base64.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::payloads;

/// Everything the server sends, built once.
pub struct Payloads {
    chat: Sse,
    /// Each stream of the many read at once.
    many: Sse,
    responses: Sse,
    /// The paced stream's events.
    paced: Vec<Bytes>,
    files: Bytes,
    files_indented: Bytes,
    chat_request: serde_json::Value,
    embed_request: serde_json::Value,
    /// The embeddings as JSON numbers, and as base64.
    embeddings: [Bytes; 2],
}

impl Payloads {
    /// A stream of `events` chunks and a list of `files` files.
    pub fn new(events: usize, files: usize) -> Self {
        let list = payloads::files_list(files);
        Payloads {
            chat: Sse::new(payloads::sse_body(events)),
            many: Sse::new(payloads::sse_body(payloads::events_per_stream(events))),
            responses: Sse::new(payloads::responses_sse_body(events)),
            paced: each_event(&Bytes::from(payloads::sse_body(payloads::PACED_EVENTS))),
            files_indented: Bytes::from(payloads::indented(&list)),
            files: Bytes::from(list),
            chat_request: serde_json::from_str(&payloads::chat_send_json())
                .expect("the chat request is JSON"),
            embed_request: serde_json::from_str(&payloads::embed_request_json())
                .expect("the embeddings request is JSON"),
            embeddings: [false, true].map(|b| Bytes::from(payloads::embeddings_json(b))),
        }
    }
}

/// A whole SSE body, and the same cut into its events.
struct Sse {
    body: Bytes,
    events: Vec<Bytes>,
}

impl Sse {
    fn new(body: Vec<u8>) -> Self {
        let body = Bytes::from(body);
        Sse {
            events: each_event(&body),
            body,
        }
    }
}

/// An SSE body cut into its events (each up to and with its blank line).
fn each_event(sse: &Bytes) -> Vec<Bytes> {
    let ends = payloads::event_ends(sse);
    let starts = std::iter::once(0).chain(ends.iter().copied());
    starts.zip(&ends).map(|(a, &b)| sse.slice(a..b)).collect()
}

/// The bench's routes over `payloads`.
pub fn router(payloads: Arc<Payloads>) -> Router {
    Router::new()
        .route("/sse/{framing}/chat/completions", post(sse_chat))
        .route("/sse/{framing}/responses", post(sse_responses))
        .route("/sse-many/{framing}/chat/completions", post(sse_many))
        .route("/v1/files", get(list).post(upload))
        .route("/indented/v1/files", get(list_indented))
        .route("/v1/models/{id}", get(model))
        .route("/v1/chat/completions", post(chat))
        .route("/v1/embeddings", post(embeddings))
        // The upload is as large as the bench makes it.
        .layer(DefaultBodyLimit::disable())
        .with_state(payloads)
}

fn json(body: impl Into<Body>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body.into()).into_response()
}

async fn sse_chat(
    State(p): State<Arc<Payloads>>,
    Path(framing): Path<String>,
    _request: Bytes,
) -> Response {
    sse(&p.chat, &framing, Some(&p.paced))
}

async fn sse_many(
    State(p): State<Arc<Payloads>>,
    Path(framing): Path<String>,
    _request: Bytes,
) -> Response {
    sse(&p.many, &framing, Some(&p.paced))
}

async fn sse_responses(
    State(p): State<Arc<Payloads>>,
    Path(framing): Path<String>,
    _request: Bytes,
) -> Response {
    sse(&p.responses, &framing, None)
}

/// `stream` in `framing`; `paced` is the paced stream's events, where there
/// is one.
fn sse(stream: &Sse, framing: &str, paced: Option<&[Bytes]>) -> Response {
    let body = match (framing, paced) {
        ("body", _) => Body::from(stream.body.clone()),
        ("paced", Some(paced)) => {
            let ticks =
                tokio::time::interval(std::time::Duration::from_micros(payloads::PACE_MICROS));
            // Owned: the body stream outlives the request.
            let events: Vec<Bytes> = paced.to_vec();
            let events = events.into_iter();
            let frames = futures_util::stream::unfold(
                (events, ticks),
                |(mut events, mut ticks)| async move {
                    ticks.tick().await;
                    let event = events.next()?;
                    Some((Ok::<_, Infallible>(event), (events, ticks)))
                },
            );
            Body::from_stream(frames)
        }
        ("event", _) => {
            let frames = stream.events.clone().into_iter().map(Ok::<_, Infallible>);
            Body::from_stream(futures_util::stream::iter(frames))
        }
        (size, _) => match size.parse::<usize>() {
            Ok(n) if n > 0 => {
                let sse = stream.body.clone();
                let len = sse.len();
                let frames = (0..len)
                    .step_by(n)
                    .map(move |a| Ok::<_, Infallible>(sse.slice(a..(a + n).min(len))));
                Body::from_stream(futures_util::stream::iter(frames))
            }
            _ => {
                return (
                    StatusCode::NOT_FOUND,
                    "framing is event, body, paced or a chunk size",
                )
                    .into_response()
            }
        },
    };
    ([(header::CONTENT_TYPE, "text/event-stream")], body).into_response()
}

async fn list(State(p): State<Arc<Payloads>>) -> Response {
    json(p.files.clone())
}

async fn list_indented(State(p): State<Arc<Payloads>>) -> Response {
    json(p.files_indented.clone())
}

async fn model(Path(id): Path<String>) -> Response {
    json(payloads::model_json(&id))
}

async fn chat(State(p): State<Arc<Payloads>>, request: Bytes) -> Response {
    match serde_json::from_slice::<serde_json::Value>(&request) {
        Ok(request) if request == p.chat_request => json(payloads::chat_completion_json()),
        Ok(_) => (StatusCode::BAD_REQUEST, "not the chat request").into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    }
}

/// The embeddings in the form asked for, when the request is the payloads'
/// one but for its `encoding_format`.
async fn embeddings(State(p): State<Arc<Payloads>>, request: Bytes) -> Response {
    let mut request = match serde_json::from_slice::<serde_json::Value>(&request) {
        Ok(request) => request,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let format = request
        .as_object_mut()
        .and_then(|o| o.remove("encoding_format"));
    let base64 = match format.as_ref().map(|f| f.as_str()) {
        None | Some(Some("float")) => false,
        Some(Some("base64")) => true,
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                "encoding_format is float or base64",
            )
                .into_response()
        }
    };
    if request != p.embed_request {
        return (StatusCode::BAD_REQUEST, "not the embeddings request").into_response();
    }
    json(p.embeddings[usize::from(base64)].clone())
}

/// Reads the multipart body as it arrives, counting the `file` part's bytes.
async fn upload(mut form: Multipart) -> Response {
    let mut bytes = 0u64;
    let mut filename = String::new();
    let mut purpose = false;
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
        };
        match field.name() {
            Some("file") => {
                filename = field.file_name().unwrap_or_default().to_owned();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => bytes += chunk.len() as u64,
                        Ok(None) => break,
                        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
                    }
                }
            }
            Some("purpose") => purpose = field.text().await.is_ok_and(|t| t == "assistants"),
            _ => {}
        }
    }
    if !purpose || filename.is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            "expected a file part and purpose=assistants",
        )
            .into_response();
    }
    json(payloads::uploaded_json(&filename, bytes))
}
