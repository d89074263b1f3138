//! Wire tests of the files operations: list, upload (multipart from a path),
//! retrieve, delete and download (bytes and to disk).

mod common;
use client_tests::wire::{Part, Reply, Wire};
use common::SeedWire;
use seed_client::params::ListFilesParams;
use seed_client::types::{CreateFileRequest, CreateFileRequestPurpose, OpenAiFilePurpose};
use seed_client::InputFile;
use serde_json::{json, Value};

fn file_json(id: &str, filename: &str, purpose: &str, bytes: u64) -> Value {
    json!({
        "id": id,
        "object": "file",
        "bytes": bytes,
        "created_at": 1699061776,
        "filename": filename,
        "purpose": purpose,
        "status": "processed",
        "status_details": null
    })
}

#[tokio::test]
async fn list_files() {
    let wire = Wire::serve(
        "GET",
        "/files",
        Reply::json(json!({
            "object": "list",
            "data": [
                file_json("file-abc123", "salesOverview.pdf", "assistants", 175),
                file_json("file-abc456", "puppy.jsonl", "fine-tune", 140)
            ]
        }))
        .request_id("req_list_files"),
    )
    .await;

    let params = ListFilesParams::new().purpose("fine-tune");
    let resp = wire.seed().list_files(&params).await.unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/files");
    seen.assert_query(&[("purpose", "fine-tune")]);
    seen.assert_no_body();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req_list_files"));
    assert_eq!(resp.data.len(), 2);
    assert_eq!(resp.data[0].id, "file-abc123");
    assert_eq!(resp.data[0].purpose, OpenAiFilePurpose::Assistants);
    assert_eq!(resp.data[1].purpose, OpenAiFilePurpose::FineTune);
    assert_eq!(resp.data[1].bytes, 140);
}

#[tokio::test]
async fn list_files_without_filter_sends_no_query() {
    let wire = Wire::serve(
        "GET",
        "/files",
        Reply::json(json!({"object": "list", "data": []})),
    )
    .await;
    let resp = wire
        .seed()
        .list_files(&ListFilesParams::new())
        .await
        .unwrap();
    let seen = wire.request();
    seen.assert_call("GET", "/files");
    seen.assert_no_query();
    assert!(resp.data.is_empty());
    assert_eq!(resp.request_id(), None);
}

#[tokio::test]
async fn create_file_uploads_from_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.jsonl");
    let contents = concat!(
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello ü\"}]}\n",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Bye\"}, {\"role\": \"assistant\", \"content\": \"Ciao\"}]}\n",
    );
    std::fs::write(&path, contents).unwrap();
    let wire = Wire::serve(
        "POST",
        "/files",
        Reply::json(file_json(
            "file-xyz",
            "train.jsonl",
            "fine-tune",
            contents.len() as u64,
        ))
        .request_id("req_upload"),
    )
    .await;

    let body = CreateFileRequest::new(
        InputFile::from_path(&path),
        CreateFileRequestPurpose::FineTune,
    );
    let resp = wire.seed().create_file(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/files");
    seen.assert_no_query();
    assert_eq!(seen.header("accept"), Some("application/json"));
    assert_eq!(
        seen.multipart(),
        [
            Part::file(
                "file",
                "train.jsonl",
                "application/octet-stream",
                contents.as_bytes()
            ),
            Part::text("purpose", "fine-tune"),
        ]
    );
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req_upload"));
    assert_eq!(resp.id, "file-xyz");
    assert_eq!(resp.filename, "train.jsonl");
    assert_eq!(resp.bytes, contents.len() as i64);
    assert_eq!(resp.purpose, OpenAiFilePurpose::FineTune);
}

#[tokio::test]
async fn retrieve_file_encodes_a_space() {
    let wire = Wire::serve(
        "GET",
        "/files/x%20y",
        Reply::json(file_json("x y", "notes.pdf", "assistants", 2048)).request_id("req_file"),
    )
    .await;

    let resp = wire.seed().retrieve_file("x y").await.unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/files/x%20y");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_file"));
    assert_eq!(resp.id, "x y");
    assert_eq!(resp.filename, "notes.pdf");
    assert_eq!(resp.created_at, 1699061776);
}

#[tokio::test]
async fn delete_file_cannot_escape_its_segment() {
    let wire = Wire::serve(
        "DELETE",
        "/files/..%2Fx",
        Reply::json(json!({"id": "../x", "object": "file", "deleted": true}))
            .request_id("req_delete_file"),
    )
    .await;

    let resp = wire.seed().delete_file("../x").await.unwrap();

    let seen = wire.request();
    seen.assert_call("DELETE", "/files/..%2Fx");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req_delete_file"));
    assert_eq!(resp.id, "../x");
    assert!(resp.deleted);
}

#[tokio::test]
async fn download_file_as_bytes_and_to_disk() {
    // Not valid UTF-8 on purpose: the body must arrive byte for byte.
    let contents: Vec<u8> = b"step,train_loss\n1,0.91\n"
        .iter()
        .copied()
        .chain((0..=255u8).cycle().take(70_000))
        .collect();
    let wire = Wire::serve(
        "GET",
        "/files/file-abc%2F1/content",
        Reply::bytes("application/octet-stream", contents.clone()).request_id("req_download"),
    )
    .await;
    let client = wire.seed();

    let download = client.download_file("file-abc/1").await.unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.request_id(), Some("req_download"));
    assert_eq!(download.content_type(), Some("application/octet-stream"));
    assert_eq!(download.bytes().await.unwrap(), contents);

    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("results.csv");
    let written = client
        .download_file("file-abc/1")
        .await
        .unwrap()
        .save_to(&target)
        .await
        .unwrap();
    assert_eq!(written, contents.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), contents);

    let requests = wire.requests();
    assert_eq!(requests.len(), 2);
    for seen in requests {
        seen.assert_call("GET", "/files/file-abc%2F1/content");
        seen.assert_no_query();
        seen.assert_no_body();
        assert_eq!(
            seen.header("accept"),
            Some("*/*"),
            "binary responses accept anything"
        );
    }
}
