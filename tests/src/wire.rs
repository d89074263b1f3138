//! Harness for the per-operation wire tests (`tests/tests/operations_*.rs`).
//!
//! [`Wire::serve`] starts a [`recording_server`] that answers one endpoint.
//! Its handler checks what a real API server would refuse outright (the
//! method, the raw path, the bearer token) and answers anything else with an
//! error the client surfaces; every request is recorded as a [`Seen`] (raw
//! path, query, headers, body, multipart parts), for the test to assert after
//! the call. What is tied to `openai_client` is only [`Wire::client`].

use std::sync::Arc;

use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use openai_client::Client;
use serde_json::json;

use crate::record::{only, recording_server};
pub use crate::record::{Part, Reply, Seen};
use crate::{client, Log, Sleeps, TestServer, BASE_PATH, TEST_API_KEY};

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
        let expected = Arc::new((method.to_owned(), format!("{BASE_PATH}{path}")));
        let respond: Arc<Respond> = Arc::new(respond);
        let (server, seen) = recording_server(move |request: &Seen, _| {
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
            respond(request).into_response()
        })
        .await;
        Wire {
            server,
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
        let request = only(&self.seen);
        assert!(self.sleeps.recorded().is_empty(), "no retries expected");
        request
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
