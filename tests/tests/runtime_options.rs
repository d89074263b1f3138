//! What goes on the wire: base URL joining, auth and identity headers,
//! query/path encoding, and per-request options (headers, query, body, timeout).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery};
use axum::http::{HeaderMap, Method as HttpMethod};
use axum::routing::{any, get};
use axum::{Json, Router};
use client_tests::{builder, client, serve, Sleeps, TestServer, TEST_API_KEY};
use openai_client::runtime::{encode_path_segment, Method, RequestSpec};
use openai_client::{Error, RequestOptions};
use serde_json::{json, Value};

/// Echoes the request back as JSON: method, full path (before axum strips
/// the nesting prefix), query, headers, body.
async fn echo(
    method: HttpMethod,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Json<Value> {
    let headers: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(name, value)| {
            (
                name.to_string(),
                Value::String(value.to_str().unwrap_or("<bin>").to_owned()),
            )
        })
        .collect();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    Json(json!({
        "method": method.as_str(),
        "path": uri.path(),
        "query": uri.query(),
        "headers": headers,
        "body": body,
    }))
}

async fn echo_server() -> TestServer {
    let router = Router::new()
        .route("/echo", any(echo))
        .route(
            "/files/{id}",
            get(
                |Path(id): Path<String>, RawQuery(query): RawQuery| async move {
                    Json(json!({"id": id, "query": query}))
                },
            ),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(600)).await;
                Json(json!({"slow": true}))
            }),
        );
    serve(router).await
}

#[tokio::test]
async fn default_headers_auth_and_base_path() {
    let server = echo_server().await;
    let client = builder(&server, &Sleeps::new())
        .organization("org-123")
        .project("proj-456")
        .default_header("X-Team", "runtime")
        .build()
        .unwrap();
    let echo = client
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/echo"))
        .await
        .unwrap();
    assert_eq!(echo["path"], "/v1/echo", "the base path is kept");
    let headers = &echo["headers"];
    assert_eq!(headers["authorization"], format!("Bearer {TEST_API_KEY}"));
    assert_eq!(headers["openai-organization"], "org-123");
    assert_eq!(headers["openai-project"], "proj-456");
    assert_eq!(headers["x-team"], "runtime");
    assert_eq!(headers["accept"], "application/json");
    assert_eq!(headers["x-stainless-retry-count"], "0");
    let agent = headers["user-agent"].as_str().unwrap();
    assert!(agent.starts_with("openai-client/"), "{agent}");
}

#[tokio::test]
async fn trailing_slash_in_base_url_is_harmless() {
    let server = echo_server().await;
    let client = Sleeps::new()
        .install(openai_client::Client::builder())
        .api_key(TEST_API_KEY)
        .base_url(format!("{}/", server.base_url))
        .build()
        .unwrap();
    let echo = client
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/echo"))
        .await
        .unwrap();
    assert_eq!(echo["path"], "/v1/echo");
}

#[tokio::test]
async fn query_and_json_body_encoding() {
    let server = echo_server().await;
    let spec = RequestSpec::new(Method::POST, "/echo")
        .query("limit", &20)
        .query("order", &Some("desc"))
        .query("after", &Option::<String>::None)
        .query("include", &["a b", "c&d"])
        .query("metadata", &json!({"k": "v"}))
        .json(&json!({"model": "m", "stream": true}))
        .json_override("stream", None);
    let echo = client(&server, &Sleeps::new())
        .execute_json::<Value>(spec)
        .await
        .unwrap();
    assert_eq!(echo["method"], "POST");
    assert_eq!(
        echo["query"],
        "limit=20&order=desc&include=a+b&include=c%26d&metadata%5Bk%5D=v"
    );
    assert_eq!(echo["body"], json!({"model": "m"}));
    assert_eq!(echo["headers"]["content-type"], "application/json");
}

#[tokio::test]
async fn path_values_stay_one_segment() {
    let server = echo_server().await;
    let client = client(&server, &Sleeps::new());
    for id in ["file-abc", "a/b", "../x", "with space", "ünï/cödé?x=1#f"] {
        let spec = RequestSpec::new(Method::GET, format!("/files/{}", encode_path_segment(id)));
        let echo = client.execute_json::<Value>(spec).await.unwrap();
        assert_eq!(echo["id"], id, "{id}");
        assert_eq!(echo["query"], Value::Null, "{id}");
    }
}

#[tokio::test]
async fn request_options_add_headers_query_and_body_fields() {
    let server = echo_server().await;
    let base = builder(&server, &Sleeps::new())
        .default_header("X-Team", "runtime")
        .build()
        .unwrap();
    let client = base.with_options(
        RequestOptions::new()
            .header("X-Team", "override")
            .header("OpenAI-Beta", "assistants=v2")
            .query("api-version", "2024-10-01")
            .body_field("user", "u-1")
            .body_field("model", "replaced"),
    );
    let spec = RequestSpec::new(Method::POST, "/echo")
        .query("a", &1)
        .json(&json!({"model": "m", "n": 1}));
    let echo = client.execute_json::<Value>(spec.clone()).await.unwrap();
    assert_eq!(echo["headers"]["x-team"], "override");
    assert_eq!(echo["headers"]["openai-beta"], "assistants=v2");
    assert_eq!(echo["query"], "a=1&api-version=2024-10-01");
    assert_eq!(
        echo["body"],
        json!({"model": "replaced", "n": 1, "user": "u-1"})
    );

    // Options stack, and the original client is untouched.
    let stacked = client.with_options(RequestOptions::new().header("X-Extra", "1"));
    let echo = stacked.execute_json::<Value>(spec.clone()).await.unwrap();
    assert_eq!(echo["headers"]["x-extra"], "1");
    assert_eq!(echo["headers"]["openai-beta"], "assistants=v2");
    let echo = base.execute_json::<Value>(spec).await.unwrap();
    assert_eq!(echo["headers"]["x-team"], "runtime");
    assert!(echo["headers"].get("openai-beta").is_none());
    assert_eq!(echo["body"], json!({"model": "m", "n": 1}));
}

#[tokio::test]
async fn request_options_timeout() {
    let server = echo_server().await;
    let sleeps = Sleeps::new();
    let client = client(&server, &sleeps);
    let hurried = client.with_options(
        RequestOptions::new()
            .timeout(Duration::from_millis(100))
            .max_retries(0),
    );
    let started = std::time::Instant::now();
    let err = hurried
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/slow"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after: Some(after), .. } if after == Duration::from_millis(100)),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(500));
    assert!(sleeps.recorded().is_empty());
    // The default timeout is generous enough for the same endpoint.
    let echo = client
        .execute_json::<Value>(RequestSpec::new(Method::GET, "/slow"))
        .await
        .unwrap();
    assert_eq!(*echo, json!({"slow": true}));
}

#[tokio::test]
async fn debug_output_never_shows_the_key() {
    let server = echo_server().await;
    let client = client(&server, &Sleeps::new()).with_options(
        RequestOptions::new().header("Authorization", format!("Bearer {TEST_API_KEY}")),
    );
    let debug = format!("{client:?} {client:#?}");
    assert!(!debug.contains(TEST_API_KEY), "{debug}");
    assert!(!debug.contains("SECRET"), "{debug}");
}
