//! Azure OpenAI and OpenAI-compatible servers on the wire: base URL with and
//! without a deployment, `api-version` on every request (JSON, streaming,
//! multipart), the deployment taken from the request's `model`, the three
//! credentials (`api-key`, a fixed Entra ID token, a token provider asked
//! again on retry), configuration errors raised before anything is sent,
//! and default query parameters on a non-Azure client.
//!
//! Each expected request is the one openai-python's `AzureOpenAI` sends. They
//! were confirmed, not only read from its source: openai 3.57.0 was installed
//! with `pip install openai` (in a virtualenv, outside this repository), its
//! `openai/lib/azure.py` read, and a script pointed `AzureOpenAI` and
//! `OpenAI` at a local recording server for each case below; the requests it
//! printed are quoted above each test as "openai-python: ...". The endpoint
//! is the test server's `http://127.0.0.1:<port>/v1`, so every path starts
//! with `/v1/openai`. Two deliberate differences, noted where they show:
//! streaming requests send `Accept: text/event-stream` (openai-python sends
//! `application/json`), and a model used as a deployment name is
//! percent-encoded as a whole segment, so `my model:a` becomes
//! `my%20model%3Aa` where openai-python sends `my%20model:a` (the same
//! segment once decoded).

#[path = "../../generated-client/examples/azure_chat_stream.rs"]
#[allow(dead_code)]
mod azure_chat_stream;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use axum::routing::any;
use axum::Router;
use client_tests::record::{json_reply, only, recording_server, Reply, Seen};
use client_tests::{serve, Counter, Sleeps, TestServer};
use futures_util::StreamExt;
use openai_client::runtime::{Method, RequestSpec};
use openai_client::types::{
    ChatCompletionRequestUserMessage, CreateChatCompletionRequest, CreateImageEditRequest,
    CreateTranscriptionRequest,
};
use openai_client::{AzureConfig, Client, ClientBuilder, Error, InputFile, RequestOptions};
use serde_json::{json, Value};

const API_VERSION: &str = "2024-10-21";
const AZURE_KEY: &str = "azure-key-SECRET-31337";
const AD_TOKEN: &str = "ad-token-SECRET-27182";

/// Azure settings for `server` without a credential.
fn azure(server: &TestServer) -> AzureConfig {
    AzureConfig::new()
        .endpoint(&server.base_url)
        .api_version(API_VERSION)
}

/// A client without retries (unless the test sets them) and short timeouts.
fn build(builder: ClientBuilder) -> Client {
    builder
        .max_retries(0)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("azure test client")
}

fn key_client(config: AzureConfig) -> Client {
    build(Client::builder().azure(config.api_key(AZURE_KEY)))
}

fn chat_request(model: &str) -> CreateChatCompletionRequest {
    CreateChatCompletionRequest::new(
        vec![ChatCompletionRequestUserMessage::new("Hi").into()],
        model,
    )
}

fn chat_completion() -> Value {
    json!({
        "id": "chatcmpl-az", "object": "chat.completion", "created": 1, "model": "gpt-4o",
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": null,
                     "message": {"role": "assistant", "content": "hi", "refusal": null}}]
    })
}

/// Answers by path: chat completions, transcriptions, image edits, and a
/// list for everything else.
fn reply_for(seen: &Seen) -> Reply {
    let path = seen.path.as_str();
    if path.ends_with("/chat/completions") && seen.header("accept") == Some("text/event-stream") {
        chat_stream_reply(&["Hel", "lo"])
    } else if path.ends_with("/chat/completions") {
        json_reply("req_az", chat_completion())
    } else if path.ends_with("/audio/transcriptions") {
        json_reply("req_az", json!({"text": "hi"}))
    } else if path.ends_with("/images/edits") {
        json_reply("req_az", json!({"created": 1, "data": []}))
    } else {
        json_reply("req_az", json!({"object": "list", "data": []}))
    }
}

/// A streamed chat completion as Azure sends it: a first chunk without
/// choices (prompt filter results), then the pieces, then `[DONE]`.
fn chat_stream_reply(pieces: &[&str]) -> Reply {
    let mut chunks = vec![json!({
        "id": "", "object": "", "created": 0, "model": "", "choices": [],
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}]
    })];
    chunks.extend(pieces.iter().map(|piece| {
        json!({
            "id": "chatcmpl-az", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o",
            "choices": [{"index": 0, "delta": {"content": piece}, "logprobs": null, "finish_reason": null}]
        })
    }));
    Reply::sse_done(&chunks).request_id("req_az_stream")
}

/// Path, decoded query and the two credential headers of a request.
fn assert_azure_call(seen: &Seen, method: &str, path: &str) {
    assert_eq!(seen.method, method, "method");
    assert_eq!(seen.path, path, "raw request path");
    seen.assert_query(&[("api-version", API_VERSION)]);
}

fn assert_api_key(seen: &Seen) {
    assert_eq!(seen.header("api-key"), Some(AZURE_KEY), "api-key header");
    assert_eq!(seen.header("authorization"), None, "no bearer token");
}

// openai-python: POST /v1/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21
//   api-key: <key>, no Authorization
#[tokio::test]
async fn chat_without_deployment_goes_to_the_models_deployment_with_the_api_key() {
    let (server, log) = recording_server(|seen, _| reply_for(seen)).await;
    let client = key_client(azure(&server));
    let response = client
        .create_chat_completion(&chat_request("gpt-4o"))
        .await
        .expect("chat completion");
    assert_eq!(response.choices[0].message.content.as_deref(), Some("hi"));
    let seen = only(&log);
    assert_azure_call(
        &seen,
        "POST",
        "/v1/openai/deployments/gpt-4o/chat/completions",
    );
    assert_api_key(&seen);
    assert_eq!(
        seen.json()["model"],
        json!("gpt-4o"),
        "the body is unchanged"
    );
    assert!(
        !format!("{client:?}").contains(AZURE_KEY),
        "the key is not in Debug"
    );
}

// openai-python (azure_deployment="dep1"):
//   POST /v1/openai/deployments/dep1/chat/completions?api-version=2024-10-21
#[tokio::test]
async fn a_configured_deployment_wins_over_the_model() {
    let (server, log) = recording_server(|seen, _| reply_for(seen)).await;
    let client = key_client(azure(&server).deployment("dep1"));
    client
        .create_chat_completion(&chat_request("gpt-4o"))
        .await
        .expect("chat completion");
    let seen = only(&log);
    assert_azure_call(
        &seen,
        "POST",
        "/v1/openai/deployments/dep1/chat/completions",
    );
    assert_api_key(&seen);
}

// openai-python, with azure_deployment="dep1" and without:
//   GET /v1/openai/models?api-version=2024-10-21
//   GET /v1/openai/files?api-version=2024-10-21
//   GET /v1/openai/chat/completions/cmpl_1?api-version=2024-10-21
#[tokio::test]
async fn other_operations_go_to_the_resource_also_with_a_configured_deployment() {
    for deployment in [Some("dep1"), None] {
        let (server, log) = recording_server(|seen, _| reply_for(seen)).await;
        let config = match deployment {
            Some(name) => azure(&server).deployment(name),
            None => azure(&server),
        };
        let client = key_client(config);
        client.list_models().await.expect("models");
        for path in ["/files", "/chat/completions/cmpl_1"] {
            client
                .execute_json::<Value>(RequestSpec::new(Method::GET, path))
                .await
                .expect(path);
        }
        let seen = log.entries();
        let paths: Vec<&str> = seen.iter().map(|seen| seen.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/v1/openai/models",
                "/v1/openai/files",
                "/v1/openai/chat/completions/cmpl_1"
            ],
            "deployment {deployment:?}"
        );
        for seen in &seen {
            seen.assert_query(&[("api-version", API_VERSION)]);
            assert_api_key(seen);
        }
    }
}

// openai-python sends each of its eight deployment operations to
// /deployments/{model}{path} when the JSON body has a model, and to {path}
// when it has none; e.g. embeddings.create(model="emb") is
//   POST /v1/openai/deployments/emb/embeddings?api-version=2024-10-21
// and model "my model:a" is /v1/openai/deployments/my%20model:a/chat/completions.
#[tokio::test]
async fn every_deployment_operation_takes_the_deployment_from_the_json_model() {
    let (server, log) = recording_server(|_, _| json_reply("req", json!({}))).await;
    let client = key_client(azure(&server));
    let paths = [
        "/completions",
        "/chat/completions",
        "/embeddings",
        "/audio/transcriptions",
        "/audio/translations",
        "/audio/speech",
        "/images/generations",
        "/images/edits",
    ];
    for path in paths {
        let spec = RequestSpec::new(Method::POST, path).json(&json!({"model": "m-1", "x": 1}));
        client.execute_json::<Value>(spec).await.expect(path);
        let seen = log.entries().pop().unwrap();
        assert_azure_call(&seen, "POST", &format!("/v1/openai/deployments/m-1{path}"));
        assert_eq!(seen.json(), json!({"model": "m-1", "x": 1}));
    }
    // No model: the path stays.
    let spec = RequestSpec::new(Method::POST, "/embeddings").json(&json!({"input": "x"}));
    client.execute_json::<Value>(spec).await.unwrap();
    assert_azure_call(
        &log.entries().pop().unwrap(),
        "POST",
        "/v1/openai/embeddings",
    );
    // A model that is not a plain name stays one segment (see the module doc).
    client
        .create_chat_completion(&chat_request("my model:a"))
        .await
        .ok();
    assert_azure_call(
        &log.entries().pop().unwrap(),
        "POST",
        "/v1/openai/deployments/my%20model%3Aa/chat/completions",
    );
    // A model that would change the path's shape is refused before sending.
    let sent = log.entries().len();
    let err = client
        .create_chat_completion(&chat_request(".."))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert_eq!(log.entries().len(), sent, "nothing was sent");
}

// openai-python: audio.transcriptions.create(model="whisper-1", file=...) is
//   POST /v1/openai/deployments/whisper-1/audio/transcriptions?api-version=2024-10-21
// (multipart/form-data), and with azure_deployment="dep1"
//   POST /v1/openai/deployments/dep1/audio/transcriptions?api-version=2024-10-21
#[tokio::test]
async fn multipart_model_field_names_the_deployment() {
    let (server, log) = recording_server(|seen, _| reply_for(seen)).await;
    let client = key_client(azure(&server));
    let transcription =
        CreateTranscriptionRequest::new(InputFile::from_bytes("a.wav", &b"RIFF"[..]), "whisper-1");
    client
        .create_transcription(&transcription)
        .await
        .expect("transcription");
    let edit = CreateImageEditRequest::new(
        vec![InputFile::from_bytes("cat.png", &b"\x89PNG"[..])],
        "a hat",
    )
    .model("gpt-image-1");
    client.create_image_edit(&edit).await.expect("image edit");

    let requests = log.entries();
    assert_azure_call(
        &requests[0],
        "POST",
        "/v1/openai/deployments/whisper-1/audio/transcriptions",
    );
    assert_eq!(requests[0].media_type(), Some("multipart/form-data"));
    assert!(requests[0]
        .multipart()
        .iter()
        .any(|part| part.name == "model" && part.bytes == b"whisper-1"));
    assert_api_key(&requests[0]);
    assert_azure_call(
        &requests[1],
        "POST",
        "/v1/openai/deployments/gpt-image-1/images/edits",
    );
    assert_eq!(requests[1].media_type(), Some("multipart/form-data"));

    let (server, log) = recording_server(|seen, _| reply_for(seen)).await;
    let client = key_client(azure(&server).deployment("dep1"));
    client
        .create_transcription(&transcription)
        .await
        .expect("transcription");
    assert_azure_call(
        &only(&log),
        "POST",
        "/v1/openai/deployments/dep1/audio/transcriptions",
    );
}

// openai-python: chat.completions.create(..., stream=True) is
//   POST /v1/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21
// with "stream": true (and Accept: application/json; we send text/event-stream).
#[tokio::test]
async fn streaming_goes_through_the_same_route_with_the_api_version() {
    let (server, log) = recording_server(|seen, _| reply_for(seen)).await;
    let client = key_client(azure(&server));
    let mut events = client
        .create_chat_completion_stream(&chat_request("gpt-4o"))
        .await
        .expect("stream")
        .events();
    let mut text = String::new();
    while let Some(chunk) = events.next().await {
        for choice in chunk.expect("chunk").choices {
            text.push_str(choice.delta.content.as_deref().unwrap_or(""));
        }
    }
    assert_eq!(text, "Hello");
    let seen = only(&log);
    assert_azure_call(
        &seen,
        "POST",
        "/v1/openai/deployments/gpt-4o/chat/completions",
    );
    assert_api_key(&seen);
    assert_eq!(seen.header("accept"), Some("text/event-stream"));
    assert_eq!(seen.json()["stream"], json!(true));
}

// openai-python: extra_query={"api-version": ...} replaces the client's one.
#[tokio::test]
async fn a_request_may_replace_the_api_version() {
    let (server, log) = recording_server(|seen, _| reply_for(seen)).await;
    let client = key_client(azure(&server));
    client
        .with_options(RequestOptions::new().query("api-version", "2025-04-01-preview"))
        .list_models()
        .await
        .expect("models");
    only(&log).assert_query(&[("api-version", "2025-04-01-preview")]);
}

// openai-python (azure_ad_token="..."):
//   POST /v1/openai/deployments/gpt-4o/chat/completions?api-version=...
//   Authorization: Bearer <token>, no api-key
#[tokio::test]
async fn a_fixed_entra_id_token_is_a_bearer_header() {
    let (server, log) = recording_server(|seen, _| reply_for(seen)).await;
    let client = build(Client::builder().azure(azure(&server).ad_token(AD_TOKEN)));
    client
        .create_chat_completion(&chat_request("gpt-4o"))
        .await
        .expect("chat completion");
    let seen = only(&log);
    assert_azure_call(
        &seen,
        "POST",
        "/v1/openai/deployments/gpt-4o/chat/completions",
    );
    assert_eq!(
        seen.header("authorization"),
        Some(format!("Bearer {AD_TOKEN}").as_str())
    );
    assert_eq!(seen.header("api-key"), None);
    assert!(!format!("{client:?}").contains(AD_TOKEN));
}

// openai-python (azure_ad_token_provider, first answer a 500, one retry):
//   Authorization: Bearer token-1, x-stainless-retry-count: 0
//   Authorization: Bearer token-2, x-stainless-retry-count: 1
// (the provider is called twice).
#[tokio::test]
async fn the_token_provider_is_asked_again_for_every_attempt() {
    let (server, log) = recording_server(|seen, index| {
        if index == 0 {
            Reply::json(json!({"error": {"message": "try again"}}))
                .status(StatusCode::INTERNAL_SERVER_ERROR)
        } else {
            reply_for(seen)
        }
    })
    .await;
    let calls = Counter::new();
    let provider_calls = calls.clone();
    let provider = move || {
        let n = provider_calls.hit() + 1;
        async move { Ok::<_, std::io::Error>(format!("token-{n}")) }
    };
    let sleeps = Sleeps::new();
    let client = sleeps
        .install(Client::builder().azure(azure(&server).ad_token_provider(provider)))
        .max_retries(1)
        .build()
        .unwrap();
    client
        .create_chat_completion(&chat_request("gpt-4o"))
        .await
        .expect("chat completion after one retry");
    assert_eq!(calls.get(), 2);
    assert_eq!(sleeps.recorded().len(), 1);
    let requests = log.entries();
    assert_eq!(requests.len(), 2);
    for (n, seen) in requests.iter().enumerate() {
        assert_azure_call(
            seen,
            "POST",
            "/v1/openai/deployments/gpt-4o/chat/completions",
        );
        assert_eq!(
            seen.header("authorization"),
            Some(format!("Bearer token-{}", n + 1).as_str())
        );
        assert_eq!(
            seen.header("x-stainless-retry-count"),
            Some(n.to_string().as_str())
        );
        assert_eq!(seen.header("api-key"), None);
    }

    // An Authorization header set for a request replaces the provider's token.
    client
        .with_options(RequestOptions::new().header("Authorization", "Bearer mine"))
        .list_models()
        .await
        .unwrap();
    assert_eq!(calls.get(), 2, "the provider was not asked");
    let last = log.entries().pop().unwrap();
    assert_eq!(last.header("authorization"), Some("Bearer mine"));
}

// openai-python: a provider that raises propagates its error; nothing is sent.
#[tokio::test]
async fn a_failing_token_provider_is_a_typed_error_before_any_request() {
    let (server, log) = recording_server(|seen, _| reply_for(seen)).await;
    let calls = Counter::new();
    let counted = calls.clone();
    let failing = move || {
        counted.hit();
        async { Err::<String, _>(std::io::Error::other("vault unreachable")) }
    };
    let client = Client::builder()
        .azure(azure(&server).ad_token_provider(failing))
        .max_retries(3)
        .build()
        .unwrap();
    let err = client
        .create_chat_completion(&chat_request("gpt-4o"))
        .await
        .unwrap_err();
    let Error::Auth { message, source } = &err else {
        panic!("expected an Auth error, got {err:?}");
    };
    assert!(message.contains("token provider"), "{message}");
    assert!(source.is_some());
    assert!(err.to_string().contains("vault unreachable"), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(calls.get(), 1, "not retried");
    assert!(log.entries().is_empty(), "nothing was sent");

    // An empty token or one that cannot be a header value is refused too.
    for token in ["", "line\nbreak-SECRET"] {
        let client = build(Client::builder().azure(
            azure(&server).ad_token_provider(move || async move {
                Ok::<_, std::io::Error>(token.to_owned())
            }),
        ));
        let err = client.list_models().await.unwrap_err();
        assert!(matches!(err, Error::Auth { .. }), "{err:?}");
        assert!(!format!("{err} {err:?}").contains("SECRET"), "{err}");
    }
    assert!(log.entries().is_empty(), "nothing was sent");
}

// openai-python: MutuallyExclusiveAuthError ("... are mutually exclusive;
// Only one can be passed at a time") when the client is created.
#[test]
fn two_credentials_at_once_are_refused_when_building() {
    let endpoint = "https://r.openai.azure.com";
    let base = || {
        AzureConfig::new()
            .endpoint(endpoint)
            .api_version(API_VERSION)
    };
    let provider = || async { Ok::<_, std::io::Error>("t".to_owned()) };
    let cases = [
        (
            base().api_key(AZURE_KEY).ad_token(AD_TOKEN),
            "api_key, ad_token",
        ),
        (
            base().ad_token(AD_TOKEN).ad_token_provider(provider),
            "ad_token, ad_token_provider",
        ),
        (
            base()
                .api_key(AZURE_KEY)
                .ad_token(AD_TOKEN)
                .ad_token_provider(provider),
            "api_key, ad_token, ad_token_provider",
        ),
    ];
    for (config, named) in cases {
        let err = Client::builder().azure(config).build().unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        let text = format!("{err} {err:?}");
        assert!(text.contains(named), "{text}");
        assert!(text.contains("exactly one"), "{text}");
        assert!(!text.contains("SECRET"), "{text}");
    }
}

// openai-python: ValueError "Must provide either the `api_version` argument or
// the `OPENAI_API_VERSION` environment variable", and "Must provide one of the
// `base_url` or `azure_endpoint` arguments, or the `AZURE_OPENAI_ENDPOINT`
// environment variable"; OpenAIError "Missing credentials" without one.
#[test]
fn a_missing_endpoint_api_version_or_credential_is_named() {
    let unset = |name: &str| std::env::var_os(name).is_none();
    let cases = [
        (
            AzureConfig::new()
                .api_version(API_VERSION)
                .api_key(AZURE_KEY),
            "AZURE_OPENAI_ENDPOINT",
            "no endpoint",
        ),
        (
            AzureConfig::new()
                .endpoint("https://r.openai.azure.com")
                .api_key(AZURE_KEY),
            "OPENAI_API_VERSION",
            "no API version",
        ),
        (
            AzureConfig::new()
                .endpoint("https://r.openai.azure.com")
                .api_version(API_VERSION),
            "AZURE_OPENAI_API_KEY",
            "no credential",
        ),
    ];
    for (config, variable, what) in cases {
        // A variable set in the environment running the tests would fill the gap.
        let credential_vars = ["AZURE_OPENAI_API_KEY", "AZURE_OPENAI_AD_TOKEN"];
        if !unset(variable) || (what == "no credential" && !credential_vars.into_iter().all(unset))
        {
            eprintln!("skipped: {variable} is set in this environment");
            continue;
        }
        let err = Client::builder().azure(config).build().unwrap_err();
        assert!(matches!(err, Error::Config { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains(what), "{text}");
        assert!(text.contains(variable), "{text}");
        assert!(!text.contains("SECRET"), "{text}");
    }
}

// openai-python: OpenAI(base_url=..., default_query={"foo": "bar", "api-version": "x"})
//   models.list()                        -> GET /v1/models?foo=bar&api-version=x
//   models.list(extra_query={"foo": "own"}) -> GET /v1/models?foo=own&api-version=x
#[tokio::test]
async fn default_query_parameters_on_a_compatible_server() {
    let (server, log) = recording_server(|seen, _| reply_for(seen)).await;
    let client = build(
        Client::builder()
            .api_key("sk-local")
            .base_url(&server.base_url)
            .default_query("foo", "bar")
            .default_query("api-version", "x"),
    );
    client.list_models().await.expect("models");
    client
        .with_options(RequestOptions::new().query("foo", "own"))
        .list_models()
        .await
        .expect("models");
    client
        .create_chat_completion(&chat_request("llama3"))
        .await
        .expect("chat completion");
    let requests = log.entries();
    assert_eq!(requests[0].path, "/v1/models");
    requests[0].assert_query(&[("foo", "bar"), ("api-version", "x")]);
    assert_eq!(requests[0].header("authorization"), Some("Bearer sk-local"));
    requests[1].assert_query(&[("foo", "own"), ("api-version", "x")]);
    // Not Azure: the model never moves into the path.
    assert_eq!(requests[2].path, "/v1/chat/completions");
    requests[2].assert_query(&[("foo", "bar"), ("api-version", "x")]);
}

// openai-python strips `api-key` when a redirect leaves the Azure origin
// (`_strip_azure_api_key_on_redirect`) and httpx strips `Authorization`.
#[tokio::test]
async fn azure_credentials_never_follow_a_redirect_to_another_origin() {
    let (elsewhere, elsewhere_log) = recording_server(|seen, _| reply_for(seen)).await;
    let target = format!("{}/landing", elsewhere.base_url);
    let hits = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&hits);
    let redirect = move |request: axum::extract::Request| {
        let (target, recorded) = (target.clone(), Arc::clone(&recorded));
        async move {
            recorded.lock().unwrap().push(request.headers().clone());
            Redirect::to(&target).into_response()
        }
    };
    let origin = serve(Router::new().route("/{*rest}", any(redirect))).await;
    for client in [
        key_client(azure(&origin)),
        build(Client::builder().azure(azure(&origin).ad_token(AD_TOKEN))),
    ] {
        client
            .list_models()
            .await
            .expect("followed to the landing page");
    }
    let origin_saw = hits.lock().unwrap().clone();
    assert_eq!(origin_saw[0]["api-key"], AZURE_KEY);
    assert_eq!(origin_saw[1]["authorization"], format!("Bearer {AD_TOKEN}"));
    for seen in elsewhere_log.entries() {
        assert_eq!(seen.path, "/v1/landing");
        assert_eq!(seen.header("api-key"), None);
        assert_eq!(seen.header("authorization"), None);
    }
    assert_eq!(elsewhere_log.entries().len(), 2);
}

/// The `azure_chat_stream` example, run against the local server.
#[tokio::test]
async fn azure_chat_stream_example_streams_through_the_deployment() {
    let (server, log) = recording_server(|seen, _| reply_for(seen)).await;
    let config = azure_chat_stream::azure_config(Some("chat-prod"))
        .endpoint(&server.base_url)
        .api_version(API_VERSION)
        .api_key(AZURE_KEY);
    let client = build(Client::builder().azure(config));
    let mut printed = String::new();
    let answer = azure_chat_stream::ask(&client, "chat-prod", "What is Rust?", |piece| {
        printed.push_str(piece)
    })
    .await
    .expect("streamed answer");
    assert_eq!(answer, "Hello");
    assert_eq!(printed, answer);
    let seen = only(&log);
    assert_azure_call(
        &seen,
        "POST",
        "/v1/openai/deployments/chat-prod/chat/completions",
    );
    assert_api_key(&seen);
    assert_eq!(seen.header("accept"), Some("text/event-stream"));
    let body = seen.json();
    assert_eq!(body["stream"], json!(true));
    assert_eq!(body["model"], json!("chat-prod"));
    assert_eq!(
        body["messages"][1],
        json!({"role": "user", "content": "What is Rust?"})
    );

    // Without a deployment the model names it.
    let (server, log) = recording_server(|seen, _| reply_for(seen)).await;
    let client = key_client(
        azure_chat_stream::azure_config(None)
            .endpoint(&server.base_url)
            .api_version(API_VERSION),
    );
    azure_chat_stream::ask(&client, azure_chat_stream::DEFAULT_MODEL, "Hi", |_| {})
        .await
        .expect("streamed answer");
    assert_eq!(
        only(&log).path,
        format!(
            "/v1/openai/deployments/{}/chat/completions",
            azure_chat_stream::DEFAULT_MODEL
        )
    );
}
