//! Compressed responses: the client asks for gzip as openai-python does, decodes
//! it transparently, and applies the response size limits to the decompressed
//! bytes, so a small gzip bomb fails at the limit instead of filling memory.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use client_tests::{builder, client, serve, Sleeps};
use flate2::write::GzEncoder;
use flate2::Compression;
use openai_client::runtime::{Method, RequestSpec};
use openai_client::Error;
use serde_json::{json, Value};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// `n` bytes of a JSON string of zeros: valid JSON, compressing about 1000:1.
fn zeros_json(n: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(n);
    body.push(b'"');
    body.resize(n - 1, b'0');
    body.push(b'"');
    body
}

async fn gzip_server(accept_encoding: Arc<Mutex<Vec<String>>>) -> client_tests::TestServer {
    let small = gzip(
        json!({"object": "list", "data": [1, 2, 3]})
            .to_string()
            .as_bytes(),
    );
    let bomb = gzip(&zeros_json(8 << 20));
    let error_bomb = gzip(&zeros_json(8 << 20));
    let router = Router::new()
        .route(
            "/small",
            get(move |headers: HeaderMap| {
                let seen = accept_encoding.clone();
                let small = small.clone();
                async move {
                    let value = headers
                        .get("accept-encoding")
                        .map(|v| v.to_str().unwrap().to_owned());
                    seen.lock().unwrap().push(value.unwrap_or_default());
                    (
                        [
                            ("content-type", "application/json"),
                            ("content-encoding", "gzip"),
                        ],
                        small,
                    )
                }
            }),
        )
        .route(
            "/bomb",
            get(move || {
                let bomb = bomb.clone();
                async move {
                    (
                        [
                            ("content-type", "application/json"),
                            ("content-encoding", "gzip"),
                        ],
                        bomb,
                    )
                }
            }),
        )
        .route(
            "/error-bomb",
            get(move || {
                let bomb = error_bomb.clone();
                async move {
                    (
                        StatusCode::BAD_REQUEST,
                        [
                            ("content-type", "application/json"),
                            ("content-encoding", "gzip"),
                        ],
                        bomb,
                    )
                        .into_response()
                }
            }),
        );
    serve(router).await
}

#[tokio::test]
async fn gzip_is_requested_and_decoded() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let server = gzip_server(seen.clone()).await;
    let value = client(&server, &Sleeps::new())
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/small"))
        .await
        .unwrap();
    assert_eq!(
        value.into_inner(),
        json!({"object": "list", "data": [1, 2, 3]})
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    // openai-python (httpx) sends `gzip, deflate`.
    assert!(
        seen[0].contains("gzip") && seen[0].contains("deflate"),
        "{seen:?}"
    );
}

#[tokio::test]
async fn the_size_limit_applies_to_decompressed_bytes() {
    let server = gzip_server(Arc::default()).await;
    // The bomb is about 8 KiB on the wire and 8 MiB decompressed.
    let limited = builder(&server, &Sleeps::new())
        .max_response_bytes(1 << 20)
        .build()
        .unwrap();
    let err = limited
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/bomb"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { message, .. } if message.contains("1048576-byte limit")),
        "{err:?}"
    );
    // With room for it, the same body decodes: the failure above was the limit.
    let roomy = builder(&server, &Sleeps::new())
        .max_response_bytes(16 << 20)
        .build()
        .unwrap();
    let value = roomy
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/bomb"))
        .await
        .unwrap();
    assert_eq!(
        value.into_inner().as_str().map(str::len),
        Some((8 << 20) - 2)
    );
}

#[tokio::test]
async fn a_compressed_error_body_is_cut_to_its_bound() {
    let server = gzip_server(Arc::default()).await;
    let err = client(&server, &Sleeps::new())
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/error-bomb"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err:?}");
    // The body was read decompressed (at most the 1 MiB error-body bound) and
    // its excerpt is text, not gzip bytes.
    let Error::Api { body_excerpt, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(body_excerpt.starts_with("\"0000"), "{body_excerpt:?}");
    assert!(body_excerpt.len() < 64 * 1024, "{}", body_excerpt.len());
}
