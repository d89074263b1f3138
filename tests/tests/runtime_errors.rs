//! How failed responses become errors: status, request id, the API's error
//! object or a bounded body excerpt, and no credentials anywhere.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::Router;
use client_tests::{builder, client, serve, Sleeps, TEST_API_KEY};
use openai_client::runtime::{Method, RequestSpec};
use openai_client::Error;
use serde_json::Value;

fn respond(status: StatusCode, content_type: &'static str, body: impl Into<String>) -> Response {
    let body = body.into();
    let headers = [
        ("content-type", content_type),
        ("x-request-id", "req_err_1"),
    ];
    (status, headers, body).into_response()
}

fn get_spec(path: &str) -> RequestSpec {
    RequestSpec::new(Method::GET, path)
}

fn assert_no_secret(err: &Error) {
    let display = err.to_string();
    let debug = format!("{err:?}");
    assert!(
        !display.contains(TEST_API_KEY) && !display.contains("SECRET"),
        "{display}"
    );
    assert!(
        !debug.contains(TEST_API_KEY) && !debug.contains("SECRET"),
        "{debug}"
    );
}

async fn error_server() -> client_tests::TestServer {
    let json_error = r#"{"error": {"message": "Invalid 'model': unknown.", "type": "invalid_request_error", "param": "model", "code": null}}"#;
    let router =
        Router::new()
            .route(
                "/json",
                get(move || async move {
                    respond(StatusCode::BAD_REQUEST, "application/json", json_error)
                }),
            )
            .route(
                "/html",
                get(|| async {
                    respond(
                        StatusCode::BAD_GATEWAY,
                        "text/html",
                        "<html><body><h1>502 Bad Gateway</h1></body></html>",
                    )
                }),
            )
            .route(
                "/empty",
                get(|| async { respond(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", "") }),
            )
            .route(
                "/huge",
                get(|| async {
                    respond(StatusCode::BAD_REQUEST, "text/plain", "x".repeat(3 << 20))
                }),
            )
            .route(
                "/not-json",
                get(|| async {
                    respond(StatusCode::OK, "application/json", "{\"id\": \"abc\", oops")
                }),
            )
            .route(
                "/big-ok",
                get(|| async {
                    respond(
                        StatusCode::OK,
                        "application/json",
                        format!("\"{}\"", "y".repeat(10_000)),
                    )
                }),
            )
            .route(
                "/gone",
                delete(|| async { (StatusCode::NO_CONTENT, [("x-request-id", "req_del")]) }),
            );
    serve(router).await
}

#[tokio::test]
async fn json_error_body_is_parsed() {
    let server = error_server().await;
    let err = client(&server, &Sleeps::new())
        .execute_json::<Value>(get_spec("/json"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    assert_eq!(err.request_id(), Some("req_err_1"));
    let api = err.api_error().expect("parsed error object");
    assert_eq!(api.message, "Invalid 'model': unknown.");
    assert_eq!(api.error_type.as_deref(), Some("invalid_request_error"));
    assert_eq!(api.param.as_deref(), Some("model"));
    assert_eq!(api.code, None);
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "API error 400 Bad Request: Invalid 'model': unknown [type invalid_request_error] [param model] (request id req_err_1)"
    );
    assert!(err
        .headers()
        .is_some_and(|h| h.contains_key("x-request-id")));
    assert_no_secret(&err);
}

#[tokio::test]
async fn html_error_body_is_kept_as_excerpt() {
    let server = error_server().await;
    let client = builder(&server, &Sleeps::new())
        .max_retries(0)
        .build()
        .unwrap();
    let err = client
        .execute_json::<Value>(get_spec("/html"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
    assert_eq!(err.request_id(), Some("req_err_1"));
    assert!(err.api_error().is_none());
    match &err {
        Error::Api { body_excerpt, .. } => {
            assert!(body_excerpt.contains("<h1>502 Bad Gateway</h1>"))
        }
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.starts_with("API error 502 Bad Gateway: <html>"),
        "{text}"
    );
    assert!(text.ends_with("(request id req_err_1)"), "{text}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn empty_error_body() {
    let server = error_server().await;
    let client = builder(&server, &Sleeps::new())
        .max_retries(0)
        .build()
        .unwrap();
    let err = client
        .execute_json::<Value>(get_spec("/empty"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    assert_eq!(err.request_id(), Some("req_err_1"));
    assert!(err.api_error().is_none());
    assert_eq!(
        err.to_string(),
        "API error 500 Internal Server Error (empty body) (request id req_err_1)"
    );
}

#[tokio::test]
async fn huge_error_body_is_bounded() {
    let server = error_server().await;
    let err = client(&server, &Sleeps::new())
        .execute_json::<Value>(get_spec("/huge"))
        .await
        .unwrap_err();
    match &err {
        Error::Api { body_excerpt, .. } => {
            assert!(body_excerpt.len() <= 4096, "{}", body_excerpt.len())
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().len() < 400);
}

#[tokio::test]
async fn invalid_json_success_body_is_a_decode_error() {
    let server = error_server().await;
    let err = client(&server, &Sleeps::new())
        .execute_json::<Value>(get_spec("/not-json"))
        .await
        .unwrap_err();
    match &err {
        Error::Decode {
            status,
            request_id,
            body_excerpt,
            source,
            ..
        } => {
            assert_eq!(*status, StatusCode::OK);
            assert_eq!(request_id.as_deref(), Some("req_err_1"));
            assert_eq!(body_excerpt, "{\"id\": \"abc\", oops");
            assert!(source.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert!(std::error::Error::source(&err).is_some());
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn wrong_shape_is_a_decode_error() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Model {
        created: u64,
    }
    let server = error_server().await;
    let err = client(&server, &Sleeps::new())
        .execute_json::<Model>(get_spec("/big-ok"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("(request id req_err_1)"));
}

#[tokio::test]
async fn oversized_success_body_is_rejected() {
    let server = error_server().await;
    let client = builder(&server, &Sleeps::new())
        .max_response_bytes(1024)
        .build()
        .unwrap();
    let err = client
        .execute_json::<Value>(get_spec("/big-ok"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { message, .. } if message.contains("1024-byte limit")),
        "{err:?}"
    );
    // Within the limit the same body decodes.
    let roomy = builder(&server, &Sleeps::new())
        .max_response_bytes(20_000)
        .build()
        .unwrap();
    assert!(roomy
        .execute_json::<Value>(get_spec("/big-ok"))
        .await
        .is_ok());
}

#[tokio::test]
async fn empty_responses() {
    let server = error_server().await;
    let response = client(&server, &Sleeps::new())
        .execute_empty(RequestSpec::new(Method::DELETE, "/gone"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(response.request_id(), Some("req_del"));
}

#[tokio::test]
async fn connection_refused_names_no_secret() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sleeps = Sleeps::new();
    let client = sleeps
        .install(openai_client::Client::builder())
        .api_key(TEST_API_KEY)
        .base_url(format!("http://127.0.0.1:{port}/v1"))
        .build()
        .unwrap();
    let err = client
        .execute_json::<Value>(get_spec("/models"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert!(err.to_string().starts_with("connection error: "), "{err}");
    assert_eq!(sleeps.recorded().len(), 2, "connection errors are retried");
    assert_no_secret(&err);
    assert!(!format!("{client:?}").contains(TEST_API_KEY));
}

#[tokio::test]
async fn invalid_requests_fail_before_sending() {
    let server = error_server().await;
    let client = client(&server, &Sleeps::new());
    let err = client
        .execute_json::<Value>(get_spec("/files/.."))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    let err = client
        .execute_json::<Value>(get_spec("/json").header("X-Bad", &"a\nb"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(!err.is_retryable());
}
