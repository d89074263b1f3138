//! Embeddings on the wire as openai-python sends them: base64 unless the
//! caller chose an encoding, decoded to the same numbers a float reply gives.

mod common;

use base64::Engine as _;
use common::{client, json_reply, only, recording_server};
use openai_client::types::{CreateEmbeddingRequest, CreateEmbeddingRequestEncodingFormat};
use serde_json::{json, Value};

/// Values exactly representable as `float32`, so both encodings carry the same numbers.
const VECTOR: [f32; 6] = [0.5, -0.25, 1.0e-3, 3.5, -1234.5, 0.0];

/// The reply a server gives for the encoding the request asked for.
fn reply(request: &Value) -> Value {
    let embedding = match request["encoding_format"].as_str() {
        Some("base64") => {
            let bytes: Vec<u8> = VECTOR.iter().flat_map(|f| f.to_le_bytes()).collect();
            json!(base64::engine::general_purpose::STANDARD.encode(bytes))
        }
        _ => json!(VECTOR),
    };
    json!({
        "object": "list",
        "data": [{"object": "embedding", "index": 0, "embedding": embedding}],
        "model": "text-embedding-3-small",
        "usage": {"prompt_tokens": 2, "total_tokens": 2}
    })
}

async fn embed(request: &CreateEmbeddingRequest) -> (Value, Vec<f64>) {
    let (server, log) =
        recording_server(|seen, _| json_reply("req_emb", reply(&seen.json()))).await;
    let response = client(&server)
        .create_embedding(request)
        .await
        .expect("embeddings");
    let vector = response.into_inner().data[0].embedding.clone();
    (only(&log).json(), vector)
}

#[tokio::test]
async fn base64_unless_the_caller_chose() {
    let expected: Vec<f64> = VECTOR.iter().map(|f| f64::from(*f)).collect();

    let (sent, by_default) = embed(&CreateEmbeddingRequest::new(
        "hello",
        "text-embedding-3-small",
    ))
    .await;
    assert_eq!(sent["encoding_format"], "base64", "{sent}");
    assert_eq!(by_default, expected);

    let floats = CreateEmbeddingRequest::new("hello", "text-embedding-3-small")
        .encoding_format(CreateEmbeddingRequestEncodingFormat::Float);
    let (sent, as_floats) = embed(&floats).await;
    assert_eq!(sent["encoding_format"], "float", "{sent}");
    assert_eq!(as_floats, expected);

    // Asking for base64 explicitly gives the numbers too: the type holds numbers.
    let base64 = CreateEmbeddingRequest::new("hello", "text-embedding-3-small")
        .encoding_format(CreateEmbeddingRequestEncodingFormat::Base64);
    let (sent, explicit) = embed(&base64).await;
    assert_eq!(sent["encoding_format"], "base64", "{sent}");
    assert_eq!(explicit, expected);
}

/// A batch large enough to be decoded as it arrives (over 1 MiB either way):
/// both encodings give the vectors sent, and an item that does not decode is
/// named, which only the decode-as-it-arrives path does.
#[tokio::test]
async fn a_large_batch_decodes_as_it_arrives_in_both_encodings() {
    let dims = 1536;
    let vector = |i: usize| -> Vec<f32> {
        (0..dims)
            .map(|d| ((i * dims + d) % 977) as f32 * 0.125 - 61.0)
            .collect()
    };
    let body = |format: &str, broken_at: Option<usize>| {
        let data: Vec<Value> = (0..400)
            .map(|i| {
                let embedding = match (format, Some(i) == broken_at) {
                    (_, true) => json!(true),
                    ("base64", _) => {
                        let bytes: Vec<u8> =
                            vector(i).iter().flat_map(|f| f.to_le_bytes()).collect();
                        json!(base64::engine::general_purpose::STANDARD.encode(bytes))
                    }
                    _ => json!(vector(i)),
                };
                json!({"object": "embedding", "index": i, "embedding": embedding})
            })
            .collect();
        json!({"object": "list", "data": data, "model": "m", "usage": {"prompt_tokens": 1, "total_tokens": 1}})
    };
    for format in ["base64", "float"] {
        let sent = body(format, None);
        assert!(sent.to_string().len() > 3 << 20);
        let (server, _log) =
            recording_server(move |_, _| json_reply("req_emb", sent.clone())).await;
        let request = CreateEmbeddingRequest::new("hello", "m");
        let got = client(&server)
            .create_embedding(&request)
            .await
            .unwrap()
            .into_inner();
        assert_eq!(got.data.len(), 400);
        for (i, item) in got.data.iter().enumerate() {
            let want: Vec<f64> = vector(i).iter().map(|f| f64::from(*f)).collect();
            assert_eq!(item.embedding, want, "{format}: vector {i}");
        }

        let broken = body(format, Some(300));
        let (server, _log) =
            recording_server(move |_, _| json_reply("req_emb", broken.clone())).await;
        let error = client(&server)
            .create_embedding(&request)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("item 300 of `data`"),
            "{format}: {error}"
        );
    }
}
