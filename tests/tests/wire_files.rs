//! Files on the wire, as generated from the newest spec: upload from a path,
//! content download (in memory and to disk), path-id encoding, and a
//! paginated list followed page by page.

mod common;

use axum::response::IntoResponse;
use common::{client, json_reply, only, recording_server, Part};
use openai_client::params::ListFilesParams;
use openai_client::types::{
    CreateFileRequest, CreateFileRequestPurpose, FileExpirationAfter, ListFilesOrder,
    OpenAiFileObject, OpenAiFilePurpose,
};
use openai_client::InputFile;
use serde_json::{json, Value};

/// A batch input file: JSON lines, with bytes a text-mangling upload would change.
const JSONL: &[u8] = b"{\"custom_id\": \"r1\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\"}\r\n{\"custom_id\": \"r2\", \"note\": \"caf\xc3\xa9 \\u0000\"}\n";

fn file_object(id: &str, filename: &str, bytes: usize, purpose: &str) -> Value {
    json!({
        "object": "file",
        "id": id,
        "purpose": purpose,
        "filename": filename,
        "bytes": bytes,
        "created_at": 1752000000,
        "expires_at": 1752086400,
        "status": "processed",
        "status_details": null
    })
}

#[tokio::test]
async fn upload_file_from_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("batch input.jsonl");
    std::fs::write(&path, JSONL).unwrap();

    let (server, log) = recording_server(|_, _| {
        json_reply(
            "req_up_1",
            file_object("file-7Kq2", "batch input.jsonl", JSONL.len(), "batch"),
        )
    })
    .await;
    let request =
        CreateFileRequest::new(InputFile::from_path(&path), CreateFileRequestPurpose::Batch)
            .expires_after(FileExpirationAfter::new(86400));
    let file = client(&server).create_file(&request).await.expect("upload");

    let seen = only(&log);
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/v1/files");
    assert_eq!(seen.query, None);
    seen.assert_auth();
    assert_eq!(seen.media_type(), Some("multipart/form-data"));
    assert_eq!(seen.header("accept"), Some("application/json"));
    // No content type can be guessed from `.jsonl`: octet-stream, bytes untouched.
    let content_type = InputFile::from_path(&path).content_type();
    assert_eq!(
        seen.multipart(),
        vec![
            Part::file("file", "batch input.jsonl", &content_type, JSONL),
            Part::text("purpose", "batch"),
            Part::text("expires_after[anchor]", "created_at"),
            Part::text("expires_after[seconds]", "86400"),
        ]
    );

    assert_eq!(file.request_id(), Some("req_up_1"));
    assert_eq!(file.id, "file-7Kq2");
    assert_eq!(file.object, OpenAiFileObject::File);
    assert_eq!(file.filename, "batch input.jsonl");
    assert_eq!(file.bytes, JSONL.len() as i64);
    assert_eq!(file.purpose, OpenAiFilePurpose::Batch);
    assert_eq!(file.expires_at, Some(1752086400));
}

/// Bytes that are not UTF-8 and contain CR/LF and NUL, to catch any text handling.
fn content() -> Vec<u8> {
    (0..=255u8).chain([0, b'\r', b'\n', 0xff]).collect()
}

async fn content_server() -> (client_tests::TestServer, client_tests::Log<common::Seen>) {
    recording_server(|_, _| {
        (
            [
                ("content-type", "application/octet-stream"),
                ("x-request-id", "req_dl_1"),
            ],
            content(),
        )
            .into_response()
    })
    .await
}

#[tokio::test]
async fn download_file_content_as_bytes() {
    let (server, log) = content_server().await;
    let response = client(&server)
        .download_file("file-abc123")
        .await
        .expect("download");
    assert_eq!(response.status(), 200);
    assert_eq!(response.request_id(), Some("req_dl_1"));
    assert_eq!(response.content_type(), Some("application/octet-stream"));
    let bytes = response.bytes().await.expect("body");
    assert_eq!(bytes.as_ref(), content().as_slice());

    let seen = only(&log);
    assert_eq!(seen.method, "GET");
    assert_eq!(seen.path, "/v1/files/file-abc123/content");
    assert_eq!(seen.query, None);
    seen.assert_auth();
    assert!(seen.body.is_empty());
    assert_eq!(seen.header("content-type"), None);
}

#[tokio::test]
async fn download_file_content_to_disk() {
    let (server, _log) = content_server().await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("downloaded.bin");
    let written = client(&server)
        .download_file("file-abc123")
        .await
        .expect("download")
        .save_to(&target)
        .await
        .expect("saved");
    assert_eq!(written, content().len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), content());
}

#[tokio::test]
async fn file_id_is_encoded_as_one_path_segment() {
    let (server, log) = content_server().await;
    let client = client(&server);
    for id in ["file/..x", "file-a b?c#d%e"] {
        let bytes = client
            .download_file(id)
            .await
            .expect("download")
            .bytes()
            .await
            .unwrap();
        assert_eq!(bytes.len(), content().len());
    }
    let paths: Vec<(String, Option<String>)> = log
        .entries()
        .into_iter()
        .map(|seen| (seen.path, seen.query))
        .collect();
    assert_eq!(
        paths,
        [
            ("/v1/files/file%2F..x/content".to_owned(), None),
            ("/v1/files/file-a%20b%3Fc%23d%25e/content".to_owned(), None),
        ]
    );
    // An id that is a dot segment cannot be made safe: refused before sending.
    let error = client.download_file("..").await.unwrap_err();
    assert!(
        matches!(error, openai_client::Error::InvalidRequest { .. }),
        "{error:?}"
    );
    assert_eq!(log.entries().len(), 2);
}

#[tokio::test]
async fn list_files_follows_pages_with_after() {
    let (server, log) = recording_server(|seen, _| {
        let page = if seen.query.as_deref().is_some_and(|q| q.contains("after=")) {
            json!({
                "object": "list",
                "data": [file_object("file-3", "c.jsonl", 30, "fine-tune")],
                "first_id": "file-3",
                "last_id": "file-3",
                "has_more": false
            })
        } else {
            json!({
                "object": "list",
                "data": [
                    file_object("file-1", "a.jsonl", 10, "batch"),
                    file_object("file-2", "b.pdf", 20, "user_data")
                ],
                "first_id": "file-1",
                "last_id": "file-2",
                "has_more": true
            })
        };
        json_reply("req_list", page)
    })
    .await;
    let client = client(&server);

    let mut params = ListFilesParams::new().limit(2).order(ListFilesOrder::Asc);
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let page = client.list_files(&params).await.expect("page");
        pages += 1;
        assert_eq!(page.object, "list");
        ids.extend(page.data.iter().map(|file| file.id.clone()));
        if !page.has_more {
            break;
        }
        params = params.after(page.last_id.clone());
        assert!(pages < 5, "runaway pagination");
    }
    assert_eq!(pages, 2);
    assert_eq!(ids, ["file-1", "file-2", "file-3"]);

    let seen = log.entries();
    assert!(seen
        .iter()
        .all(|s| s.method == "GET" && s.path == "/v1/files" && s.body.is_empty()));
    seen.iter().for_each(common::Seen::assert_auth);
    // Unset parameters (purpose, and `after` on the first page) are not sent.
    let queries: Vec<Option<&str>> = seen.iter().map(|s| s.query.as_deref()).collect();
    assert_eq!(
        queries,
        [
            Some("limit=2&order=asc"),
            Some("limit=2&order=asc&after=file-2")
        ]
    );
}

#[tokio::test]
async fn list_files_decodes_purposes_and_unknown_values() {
    let (server, log) = recording_server(|_, _| {
        json_reply(
            "req_list_2",
            json!({
                "object": "list",
                "data": [
                    file_object("file-1", "a.jsonl", 10, "batch_output"),
                    file_object("file-2", "b.bin", 20, "some_future_purpose")
                ],
                "first_id": "file-1",
                "last_id": "file-2",
                "has_more": false
            }),
        )
    })
    .await;
    let params = ListFilesParams::new()
        .purpose("batch")
        .order(ListFilesOrder::Desc);
    let page = client(&server).list_files(&params).await.expect("page");
    assert_eq!(
        only(&log).query.as_deref(),
        Some("purpose=batch&order=desc")
    );
    assert_eq!(page.data[0].purpose, OpenAiFilePurpose::BatchOutput);
    assert_eq!(
        page.data[1].purpose,
        OpenAiFilePurpose::Unknown("some_future_purpose".into())
    );
}
