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
