//! Binary downloads: whole, streamed to disk, chunk by chunk, and broken.

use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use client_tests::{client, read_request, serve, serve_raw, Sleeps, TestServer};
use futures_util::StreamExt;
use openai_client::runtime::{Method, RequestSpec};
use openai_client::{Error, RequestOptions};
use tokio::io::AsyncWriteExt;

fn payload() -> Vec<u8> {
    (0..3_000_000u32).map(|i| (i % 251) as u8).collect()
}

async fn file_server() -> TestServer {
    let router = Router::new()
        .route(
            "/files/file-1/content",
            get(|| async {
                (
                    [
                        ("content-type", "application/octet-stream"),
                        ("x-request-id", "req_bin"),
                    ],
                    payload(),
                )
            }),
        )
        .route(
            "/files/missing/content",
            get(|| async {
                (
                    StatusCode::NOT_FOUND,
                    "{\"error\": {\"message\": \"No such file\"}}",
                )
            }),
        );
    serve(router).await
}

fn content(id: &str) -> RequestSpec {
    RequestSpec::new(Method::GET, format!("/files/{id}/content"))
}

#[tokio::test]
async fn bytes_reads_the_whole_body() {
    let server = file_server().await;
    let response = client(&server, &Sleeps::new())
        .execute_binary(content("file-1"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.content_type(), Some("application/octet-stream"));
    assert_eq!(response.request_id(), Some("req_bin"));
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.as_ref(), payload().as_slice());
}

#[tokio::test]
async fn save_to_streams_to_disk() {
    let server = file_server().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.bin");
    std::fs::write(&path, b"old contents that are longer than nothing").unwrap();
    let response = client(&server, &Sleeps::new())
        .execute_binary(content("file-1"))
        .await
        .unwrap();
    let written = response.save_to(&path).await.unwrap();
    assert_eq!(written, payload().len() as u64);
    assert_eq!(std::fs::read(&path).unwrap(), payload());
}

#[tokio::test]
async fn into_stream_yields_the_chunks() {
    let server = file_server().await;
    let response = client(&server, &Sleeps::new())
        .execute_binary(content("file-1"))
        .await
        .unwrap();
    let mut stream = response.into_stream();
    let mut total = Vec::new();
    let mut chunks = 0;
    while let Some(chunk) = stream.next().await {
        total.extend_from_slice(&chunk.unwrap());
        chunks += 1;
    }
    assert!(chunks > 1, "a 3 MB body arrives in several chunks");
    assert_eq!(total, payload());
}

#[tokio::test]
async fn error_status_is_an_api_error() {
    let server = file_server().await;
    let err = client(&server, &Sleeps::new())
        .execute_binary(content("missing"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(err.api_error().unwrap().message, "No such file");
}

/// A server that promises 1000 bytes, sends 10 and closes.
async fn truncating_server() -> TestServer {
    serve_raw(|mut stream, _| async move {
        let _ = read_request(&mut stream).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: audio/mpeg\r\ncontent-length: 1000\r\nx-request-id: req_short\r\n\r\n";
        let _ = stream.write_all(head.as_bytes()).await;
        let _ = stream.write_all(&[1u8; 10]).await;
    })
    .await
}

#[tokio::test]
async fn truncated_download_fails_and_leaves_no_partial_file() {
    let server = truncating_server().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("speech.mp3");
    let response = client(&server, &Sleeps::new())
        .execute_binary(content("file-1"))
        .await
        .unwrap();
    assert_eq!(response.content_type(), Some("audio/mpeg"));
    let err = response.save_to(&path).await.unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert_eq!(err.request_id(), Some("req_short"));
    assert!(!path.exists(), "partial file removed");

    let response = client(&server, &Sleeps::new())
        .execute_binary(content("file-1"))
        .await
        .unwrap();
    assert!(response.bytes().await.is_err());
}

#[tokio::test]
async fn save_to_unwritable_path_is_an_io_error() {
    let server = file_server().await;
    let response = client(&server, &Sleeps::new())
        .execute_binary(content("file-1"))
        .await
        .unwrap();
    let err = response.save_to("/no/such/dir/out.bin").await.unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("/no/such/dir/out.bin"), "{err}");
}

#[tokio::test]
async fn stalled_download_times_out() {
    let server = serve_raw(|mut stream, _| async move {
        let _ = read_request(&mut stream).await;
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nabc")
            .await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let client = client(&server, &Sleeps::new())
        .with_options(RequestOptions::new().timeout(Duration::from_millis(300)));
    let response = client.execute_binary(content("file-1")).await.unwrap();
    let err = response.bytes().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}
