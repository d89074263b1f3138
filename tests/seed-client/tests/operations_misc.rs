//! Wire tests of the models, embeddings and moderations operations.

mod common;
use client_tests::wire::{Reply, Wire};
use common::SeedWire;
use seed_client::types::{
    CreateEmbeddingRequest, CreateEmbeddingRequestEncodingFormat, CreateEmbeddingRequestInput,
    CreateModerationRequest, CreateModerationRequestInput,
};
use serde_json::{json, Value};

#[tokio::test]
async fn create_embedding() {
    let wire = Wire::serve(
        "POST",
        "/embeddings",
        Reply::json(json!({
            "object": "list",
            "data": [
                {"object": "embedding", "index": 0, "embedding": [0.0023064255, -0.009327292, 0.015797347]},
                {"object": "embedding", "index": 1, "embedding": [-0.0028842222, 0.0016048, -0.01133]}
            ],
            "model": "text-embedding-ada-002-v2",
            "usage": {"prompt_tokens": 8, "total_tokens": 8}
        }))
        .request_id("req_embed_1"),
    )
    .await;
    let body = CreateEmbeddingRequest::new(
        CreateEmbeddingRequestInput::Texts(vec![
            "The food was delicious".into(),
            "and the waiter...".into(),
        ]),
        "text-embedding-ada-002",
    )
    .encoding_format(CreateEmbeddingRequestEncodingFormat::Float)
    .user("user-1234");

    let resp = wire.seed().create_embedding(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/embeddings");
    seen.assert_no_query();
    seen.assert_json(&json!({
        "input": ["The food was delicious", "and the waiter..."],
        "model": "text-embedding-ada-002",
        "encoding_format": "float",
        "user": "user-1234"
    }));
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req_embed_1"));
    assert_eq!(resp.data.len(), 2);
    assert_eq!(resp.data[1].index, 1);
    assert_eq!(
        resp.data[0].embedding,
        [0.0023064255, -0.009327292, 0.015797347]
    );
    assert_eq!(resp.model, "text-embedding-ada-002-v2");
    assert_eq!(resp.usage.total_tokens, 8);
}

#[tokio::test]
async fn create_embedding_from_tokens_sends_only_required_fields() {
    let wire = Wire::serve(
        "POST",
        "/embeddings",
        Reply::json(json!({
            "object": "list",
            "data": [{"object": "embedding", "index": 0, "embedding": [0.5]}],
            "model": "text-embedding-ada-002-v2",
            "usage": {"prompt_tokens": 3, "total_tokens": 3}
        })),
    )
    .await;
    let body = CreateEmbeddingRequest::new(
        CreateEmbeddingRequestInput::Tokens(vec![1212, 318, 257]),
        "text-embedding-ada-002",
    );
    let resp = wire.seed().create_embedding(&body).await.unwrap();
    // Only the required fields, plus the encoding the runtime asks for when
    // the caller chose none (base64, as openai-python does; the float reply
    // the server sends here still decodes).
    wire.request().assert_json(&json!({
        "input": [1212, 318, 257],
        "model": "text-embedding-ada-002",
        "encoding_format": "base64"
    }));
    assert_eq!(resp.request_id(), None);
    assert_eq!(resp.data[0].embedding, [0.5]);
}

fn model_json(id: &str, owned_by: &str) -> Value {
    json!({"id": id, "object": "model", "created": 1686935002, "owned_by": owned_by})
}

#[tokio::test]
async fn list_models() {
    let wire = Wire::serve(
        "GET",
        "/models",
        Reply::json(json!({
            "object": "list",
            "data": [
                model_json("gpt-4", "openai"),
                model_json("ft:gpt-3.5-turbo-0613:acme::8abc", "acme")
            ]
        }))
        .request_id("req_models"),
    )
    .await;

    let resp = wire.seed().list_models().await.unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/models");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(seen.header("accept"), Some("application/json"));
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req_models"));
    let ids: Vec<&str> = resp.data.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["gpt-4", "ft:gpt-3.5-turbo-0613:acme::8abc"]);
    assert_eq!(resp.data[1].owned_by, "acme");
    assert_eq!(resp.data[0].created, 1686935002);
}

#[tokio::test]
async fn retrieve_model_encodes_colons_of_fine_tuned_ids() {
    let id = "ft:gpt-3.5-turbo-0613:acme::8abc";
    let wire = Wire::serve(
        "GET",
        "/models/ft%3Agpt-3.5-turbo-0613%3Aacme%3A%3A8abc",
        Reply::json(model_json(id, "acme")).request_id("req_model"),
    )
    .await;

    let resp = wire.seed().retrieve_model(id).await.unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/models/ft%3Agpt-3.5-turbo-0613%3Aacme%3A%3A8abc");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_model"));
    assert_eq!(resp.id, id);
    assert_eq!(resp.owned_by, "acme");
}

#[tokio::test]
async fn delete_model_keeps_a_slash_inside_one_segment() {
    let wire = Wire::serve(
        "DELETE",
        "/models/a%2Fb",
        Reply::json(json!({"id": "a/b", "object": "model", "deleted": true}))
            .request_id("req_del_model"),
    )
    .await;

    let resp = wire.seed().delete_model("a/b").await.unwrap();

    let seen = wire.request();
    seen.assert_call("DELETE", "/models/a%2Fb");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req_del_model"));
    assert_eq!(resp.id, "a/b");
    assert!(resp.deleted);
    assert_eq!(resp.object, "model");
}

fn moderation_categories(flag: bool) -> Value {
    json!({
        "hate": false, "hate/threatening": false, "harassment": flag,
        "harassment/threatening": false, "self-harm": false, "self-harm/intent": false,
        "self-harm/instructions": false, "sexual": false, "sexual/minors": false,
        "violence": flag, "violence/graphic": false
    })
}

#[tokio::test]
async fn create_moderation() {
    let wire = Wire::serve(
        "POST",
        "/moderations",
        Reply::json(json!({
            "id": "modr-8T4P3b0nGQZkpVnqeR3Bgk1S",
            "model": "text-moderation-006",
            "results": [{
                "flagged": true,
                "categories": moderation_categories(true),
                "category_scores": {
                    "hate": 0.01, "hate/threatening": 0.002, "harassment": 0.81,
                    "harassment/threatening": 0.1, "self-harm": 0.0001, "self-harm/intent": 0.00002,
                    "self-harm/instructions": 0.000003, "sexual": 0.0004, "sexual/minors": 0.00001,
                    "violence": 0.93, "violence/graphic": 0.02
                }
            }]
        }))
        .request_id("req_mod"),
    )
    .await;
    let body = CreateModerationRequest::new(CreateModerationRequestInput::Text(
        "I want to hurt them.".into(),
    ))
    .model("text-moderation-stable");

    let resp = wire.seed().create_moderation(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/moderations");
    seen.assert_no_query();
    seen.assert_json(&json!({"input": "I want to hurt them.", "model": "text-moderation-stable"}));
    assert_eq!(resp.request_id(), Some("req_mod"));
    assert_eq!(resp.id, "modr-8T4P3b0nGQZkpVnqeR3Bgk1S");
    let result = &resp.results[0];
    assert!(result.flagged);
    assert!(result.categories.violence);
    assert!(result.categories.harassment);
    assert!(!result.categories.self_harm_intent);
    assert_eq!(result.category_scores.violence, 0.93);
    assert_eq!(result.category_scores.hate_threatening, 0.002);
}

#[tokio::test]
async fn create_moderation_of_several_texts_without_model() {
    let wire = Wire::serve(
        "POST",
        "/moderations",
        Reply::json(json!({
            "id": "modr-2",
            "model": "text-moderation-006",
            "results": [
                {"flagged": false, "categories": moderation_categories(false), "category_scores": zero_scores()},
                {"flagged": false, "categories": moderation_categories(false), "category_scores": zero_scores()}
            ]
        })),
    )
    .await;
    let body = CreateModerationRequest::new(CreateModerationRequestInput::Texts(vec![
        "hello".into(),
        "world".into(),
    ]));
    let resp = wire.seed().create_moderation(&body).await.unwrap();
    wire.request()
        .assert_json(&json!({"input": ["hello", "world"]}));
    assert_eq!(resp.results.len(), 2);
    assert!(!resp.results[1].flagged);
}

fn zero_scores() -> Value {
    let categories = moderation_categories(false);
    let map = categories.as_object().unwrap();
    Value::Object(map.keys().map(|k| (k.clone(), json!(0.0))).collect())
}
