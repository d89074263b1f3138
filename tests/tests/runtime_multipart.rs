//! Multipart uploads parsed by a real multipart server (axum/multer), part by
//! part, including across retries.

use axum::http::StatusCode;
use client_tests::record::{recording_server, Part, Reply, Seen};
use client_tests::{client, Counter, Log, Sleeps, TestServer};
use openai_client::runtime::{Method, MultipartForm, RequestSpec};
use openai_client::{Error, InputFile, RequestOptions};
use serde_json::{json, Value};

/// Serves `/uploads`: records every attempt's parts, fails the first
/// `failures` attempts with a 500 (after reading the whole body).
async fn upload_server(failures: usize, attempts: &Log<Vec<Part>>, hits: &Counter) -> TestServer {
    let (attempts, hits) = (attempts.clone(), hits.clone());
    let (server, _log) = recording_server(move |seen: &Seen, _| {
        assert_eq!(
            (seen.method.as_str(), seen.path.as_str()),
            ("POST", "/v1/uploads")
        );
        attempts.push(seen.multipart());
        if hits.hit() < failures {
            Reply::json(json!({"error": {"message": "try again"}}))
                .status(StatusCode::INTERNAL_SERVER_ERROR)
        } else {
            Reply::json(json!({"id": "file-1"}))
        }
    })
    .await;
    server
}

fn upload(form: MultipartForm) -> RequestSpec {
    RequestSpec::new(Method::POST, "/uploads").multipart(form)
}

#[tokio::test]
async fn files_from_path_bytes_and_reader_with_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("diagram.png");
    let png: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    std::fs::write(&path, &png).unwrap();

    let mut form = MultipartForm::new();
    form.text("purpose", "assistants");
    form.file("image", &InputFile::from_path(&path));
    form.file(
        "notes",
        &InputFile::from_bytes("notes.txt", "hello ü".as_bytes().to_vec()),
    );
    form.file(
        "audio",
        &InputFile::from_reader("voice", &b"RIFF....WAVE"[..]).with_content_type("audio/wav"),
    );
    form.value("include", &["logprobs", "segments"]);
    form.value("temperature", &0.25);
    form.value("language", &Option::<String>::None);
    form.value("meta", &json!({"k": "v"}));

    let (attempts, hits) = (Log::new(), Counter::new());
    let server = upload_server(0, &attempts, &hits).await;
    let response = client(&server, &Sleeps::new())
        .execute_json::<Value>(upload(form))
        .await
        .unwrap();
    assert_eq!(response["id"], "file-1");

    let parts = attempts.entries().remove(0);
    let expected = vec![
        Part::text("purpose", "assistants"),
        Part::file("image", "diagram.png", "image/png", &png),
        Part::file("notes", "notes.txt", "text/plain", "hello ü".as_bytes()),
        Part::file("audio", "voice", "audio/wav", b"RIFF....WAVE"),
        Part::text("include[]", "logprobs"),
        Part::text("include[]", "segments"),
        Part::text("temperature", "0.25"),
        Part::text("meta[k]", "v"),
    ];
    assert_eq!(
        parts.len(),
        expected.len(),
        "{:?}",
        parts.iter().map(|p| &p.name).collect::<Vec<_>>()
    );
    for (got, want) in parts.iter().zip(&expected) {
        assert_eq!(got, want);
    }
}

#[tokio::test]
async fn retried_multipart_request_still_carries_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.jsonl");
    std::fs::write(&path, b"{\"prompt\": \"a\"}\n{\"prompt\": \"b\"}\n").unwrap();
    let mut form = MultipartForm::new();
    form.file(
        "file",
        &InputFile::from_path(&path).with_content_type("application/jsonl"),
    );
    form.file(
        "extra",
        &InputFile::from_bytes("extra.bin", vec![7u8; 4096]),
    );
    form.text("purpose", "fine-tune");

    let (attempts, hits, sleeps) = (Log::new(), Counter::new(), Sleeps::new());
    let server = upload_server(1, &attempts, &hits).await;
    client(&server, &sleeps)
        .execute_json::<Value>(upload(form))
        .await
        .unwrap();
    assert_eq!(hits.get(), 2);
    assert_eq!(sleeps.recorded().len(), 1);
    let attempts = attempts.entries();
    assert_eq!(attempts[0], attempts[1], "the retry sends the same parts");
    assert_eq!(
        attempts[1][0],
        Part::file(
            "file",
            "train.jsonl",
            "application/jsonl",
            b"{\"prompt\": \"a\"}\n{\"prompt\": \"b\"}\n"
        )
    );
    assert_eq!(attempts[1][1].bytes, vec![7u8; 4096]);
}

#[tokio::test]
async fn request_with_a_reader_is_not_retried() {
    let mut form = MultipartForm::new();
    form.file(
        "file",
        &InputFile::from_reader("stream.bin", &b"one-shot"[..]),
    );
    let (attempts, hits, sleeps) = (Log::new(), Counter::new(), Sleeps::new());
    let server = upload_server(1, &attempts, &hits).await;
    let err = client(&server, &sleeps)
        .execute_json::<Value>(upload(form))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    assert!(
        err.is_retryable(),
        "retryable in itself, but the body cannot be replayed"
    );
    assert_eq!(hits.get(), 1);
    assert!(sleeps.recorded().is_empty());
}

#[tokio::test]
async fn extra_body_fields_become_form_fields() {
    let mut form = MultipartForm::new();
    form.text("model", "whisper-1");
    let (attempts, hits) = (Log::new(), Counter::new());
    let server = upload_server(0, &attempts, &hits).await;
    client(&server, &Sleeps::new())
        .with_options(
            RequestOptions::new()
                .body_field("prompt", "hi")
                .body_field("tags", json!(["a", "b"])),
        )
        .execute_json::<Value>(upload(form))
        .await
        .unwrap();
    let parts = attempts.entries().remove(0);
    assert_eq!(
        parts,
        vec![
            Part::text("model", "whisper-1"),
            Part::text("prompt", "hi"),
            Part::text("tags[]", "a"),
            Part::text("tags[]", "b")
        ]
    );
}

#[tokio::test]
async fn missing_file_is_an_invalid_request_without_sending() {
    let mut form = MultipartForm::new();
    form.file("file", &InputFile::from_path("/no/such/dir/upload.txt"));
    let (attempts, hits) = (Log::new(), Counter::new());
    let server = upload_server(0, &attempts, &hits).await;
    let err = client(&server, &Sleeps::new())
        .execute_json::<Value>(upload(form))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(err.to_string().contains("/no/such/dir/upload.txt"), "{err}");
    assert_eq!(hits.get(), 0);
}
