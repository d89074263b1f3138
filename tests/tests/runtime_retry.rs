//! Retries over the wire: which failures are retried, how long the client
//! waits (recorded by the injected sleeper), and when it gives up.

use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use client_tests::{
    builder, client, read_request, reset, serve, serve_raw, write_response, Counter, Log, Sleeps,
};
use openai_client::runtime::{Method, RequestSpec};
use openai_client::{Error, RequestOptions};
use serde_json::{json, Value};

/// One scripted answer: status, extra headers, JSON body.
type Answer = (StatusCode, Vec<(&'static str, &'static str)>, Value);

fn spec() -> RequestSpec {
    RequestSpec::new(Method::POST, "/things").json(&json!({"name": "x"}))
}

/// A `/things` route answering the scripted responses in turn (the last one repeats),
/// recording each request's retry-count header.
fn scripted(script: Vec<Answer>, hits: &Counter, retry_counts: &Log<String>) -> Router {
    let (hits, retry_counts) = (hits.clone(), retry_counts.clone());
    Router::new().route(
        "/things",
        post(move |headers: HeaderMap| {
            let index = hits.hit();
            let count = headers
                .get("x-stainless-retry-count")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            retry_counts.push(count.to_owned());
            let (status, extra, body) = script[index.min(script.len() - 1)].clone();
            async move {
                let mut response = (status, Json(body)).into_response();
                for (name, value) in extra {
                    response.headers_mut().insert(name, value.parse().unwrap());
                }
                response
                    .headers_mut()
                    .insert("x-request-id", format!("req_{index}").parse().unwrap());
                response
            }
        }),
    )
}

fn ok() -> Answer {
    (StatusCode::OK, vec![], json!({"ok": true}))
}

fn error_body(code: &str) -> Value {
    json!({"error": {"message": "slow down", "type": "requests", "param": null, "code": code}})
}

#[tokio::test]
async fn rate_limit_honours_retry_after_ms_then_succeeds() {
    let (hits, counts, sleeps) = (Counter::new(), Log::new(), Sleeps::new());
    let script = vec![
        (
            StatusCode::TOO_MANY_REQUESTS,
            vec![("retry-after-ms", "250")],
            error_body("rate_limit_exceeded"),
        ),
        ok(),
    ];
    let server = serve(scripted(script, &hits, &counts)).await;
    let response = client(&server, &sleeps)
        .execute_json::<Value>(spec())
        .await
        .unwrap();
    assert_eq!(*response, json!({"ok": true}));
    assert_eq!(response.request_id(), Some("req_1"));
    assert_eq!(hits.get(), 2);
    assert_eq!(sleeps.recorded(), vec![Duration::from_millis(250)]);
    // Every attempt is a freshly built request carrying its attempt number.
    assert_eq!(counts.entries(), vec!["0", "1"]);
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let (hits, counts, sleeps) = (Counter::new(), Log::new(), Sleeps::new());
    let script = vec![
        (
            StatusCode::SERVICE_UNAVAILABLE,
            vec![("retry-after", "2")],
            json!({}),
        ),
        ok(),
    ];
    let server = serve(scripted(script, &hits, &counts)).await;
    client(&server, &sleeps)
        .execute_json::<Value>(spec())
        .await
        .unwrap();
    assert_eq!(sleeps.recorded(), vec![Duration::from_secs(2)]);
}

#[tokio::test]
async fn retry_after_of_90_seconds_is_waited_for() {
    let (hits, counts, sleeps) = (Counter::new(), Log::new(), Sleeps::new());
    let script = vec![
        (
            StatusCode::TOO_MANY_REQUESTS,
            vec![("retry-after", "90")],
            error_body("rate_limit_exceeded"),
        ),
        ok(),
    ];
    let server = serve(scripted(script, &hits, &counts)).await;
    client(&server, &sleeps)
        .execute_json::<Value>(spec())
        .await
        .unwrap();
    assert_eq!(sleeps.recorded(), vec![Duration::from_secs(90)]);
    assert_eq!(hits.get(), 2);
}

#[tokio::test]
async fn retry_after_over_120_seconds_is_not_retried() {
    let (hits, counts, sleeps) = (Counter::new(), Log::new(), Sleeps::new());
    let script = vec![
        (
            StatusCode::TOO_MANY_REQUESTS,
            vec![("retry-after", "150")],
            error_body("rate_limit_exceeded"),
        ),
        ok(),
    ];
    let server = serve(scripted(script, &hits, &counts)).await;
    let error = client(&server, &sleeps)
        .execute_json::<Value>(spec())
        .await
        .unwrap_err();
    assert!(error.is_rate_limited(), "{error}");
    assert!(sleeps.recorded().is_empty());
    assert_eq!(
        hits.get(),
        1,
        "not sent again while the server says wait 150 s"
    );
}

#[tokio::test]
async fn server_error_then_success_uses_backoff() {
    let (hits, counts, sleeps) = (Counter::new(), Log::new(), Sleeps::new());
    let script = vec![
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            vec![],
            error_body("server_error"),
        ),
        ok(),
    ];
    let server = serve(scripted(script, &hits, &counts)).await;
    client(&server, &sleeps)
        .execute_json::<Value>(spec())
        .await
        .unwrap();
    assert_eq!(hits.get(), 2);
    let waits = sleeps.recorded();
    assert_eq!(waits.len(), 1);
    assert!(
        waits[0] >= Duration::from_millis(375) && waits[0] <= Duration::from_millis(500),
        "{waits:?}"
    );
}

#[tokio::test]
async fn max_retries_is_respected_with_growing_backoff() {
    let (hits, counts, sleeps) = (Counter::new(), Log::new(), Sleeps::new());
    let script = vec![(StatusCode::BAD_GATEWAY, vec![], json!({}))];
    let server = serve(scripted(script, &hits, &counts)).await;
    let client = builder(&server, &sleeps).max_retries(3).build().unwrap();
    let err = client.execute_json::<Value>(spec()).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
    assert_eq!(
        err.request_id(),
        Some("req_3"),
        "the error is the last attempt's"
    );
    assert_eq!(hits.get(), 4);
    let waits = sleeps.recorded();
    let bounds = [(375, 500), (750, 1000), (1500, 2000)];
    assert_eq!(waits.len(), bounds.len());
    for (wait, (low, high)) in waits.iter().zip(bounds) {
        assert!(
            *wait >= Duration::from_millis(low) && *wait <= Duration::from_millis(high),
            "{waits:?}"
        );
    }

    // Per-request override: no retries at all.
    let before = hits.get();
    let err = client
        .with_options(RequestOptions::new().max_retries(0))
        .execute_json::<Value>(spec())
        .await;
    assert!(err.is_err());
    assert_eq!(hits.get() - before, 1);
}

#[tokio::test]
async fn default_is_two_retries() {
    let (hits, counts, sleeps) = (Counter::new(), Log::new(), Sleeps::new());
    let server = serve(scripted(
        vec![(StatusCode::SERVICE_UNAVAILABLE, vec![], json!({}))],
        &hits,
        &counts,
    ))
    .await;
    assert!(client(&server, &sleeps)
        .execute_json::<Value>(spec())
        .await
        .is_err());
    assert_eq!(hits.get(), 3);
    assert_eq!(counts.entries(), vec!["0", "1", "2"]);
}

#[tokio::test]
async fn should_retry_false_is_not_retried() {
    let (hits, counts, sleeps) = (Counter::new(), Log::new(), Sleeps::new());
    let script = vec![
        (
            StatusCode::SERVICE_UNAVAILABLE,
            vec![("x-should-retry", "false")],
            json!({}),
        ),
        ok(),
    ];
    let server = serve(scripted(script, &hits, &counts)).await;
    let err = client(&server, &sleeps)
        .execute_json::<Value>(spec())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert!(!err.is_retryable());
    assert_eq!(hits.get(), 1);
    assert!(sleeps.recorded().is_empty());
}

#[tokio::test]
async fn should_retry_true_retries_a_client_error() {
    let (hits, counts, sleeps) = (Counter::new(), Log::new(), Sleeps::new());
    let script = vec![
        (
            StatusCode::BAD_REQUEST,
            vec![("x-should-retry", "true")],
            json!({}),
        ),
        ok(),
    ];
    let server = serve(scripted(script, &hits, &counts)).await;
    client(&server, &sleeps)
        .execute_json::<Value>(spec())
        .await
        .unwrap();
    assert_eq!(hits.get(), 2);
}

#[tokio::test]
async fn non_retryable_status_is_not_retried() {
    let (hits, counts, sleeps) = (Counter::new(), Log::new(), Sleeps::new());
    let server = serve(scripted(
        vec![(StatusCode::NOT_FOUND, vec![], json!({})), ok()],
        &hits,
        &counts,
    ))
    .await;
    assert!(client(&server, &sleeps)
        .execute_json::<Value>(spec())
        .await
        .is_err());
    assert_eq!(hits.get(), 1);
}

#[tokio::test]
async fn insufficient_quota_is_not_retried() {
    let (hits, counts, sleeps) = (Counter::new(), Log::new(), Sleeps::new());
    let quota = json!({"error": {"message": "You exceeded your current quota.", "type": "insufficient_quota", "code": "insufficient_quota", "param": null}});
    let server = serve(scripted(
        vec![(StatusCode::TOO_MANY_REQUESTS, vec![], quota), ok()],
        &hits,
        &counts,
    ))
    .await;
    let err = client(&server, &sleeps)
        .execute_json::<Value>(spec())
        .await
        .unwrap_err();
    assert_eq!(hits.get(), 1);
    assert!(sleeps.recorded().is_empty());
    let api = err.api_error().expect("error object");
    assert_eq!(api.code.as_deref(), Some("insufficient_quota"));
    assert_eq!(api.message, "You exceeded your current quota.");
}

#[tokio::test]
async fn connection_reset_then_success() {
    let sleeps = Sleeps::new();
    let server = serve_raw(|mut stream, index| async move {
        let _ = read_request(&mut stream).await;
        if index == 0 {
            reset(stream);
        } else {
            let _ = write_response(
                &mut stream,
                "200 OK",
                &[("content-type", "application/json")],
                b"{\"ok\":1}",
            )
            .await;
        }
    })
    .await;
    let response = client(&server, &sleeps)
        .execute_json::<Value>(spec())
        .await
        .unwrap();
    assert_eq!(*response, json!({"ok": 1}));
    assert_eq!(sleeps.recorded().len(), 1);
}

#[tokio::test]
async fn connection_errors_are_retried_then_reported() {
    let sleeps = Sleeps::new();
    let connections = Counter::new();
    let seen = connections.clone();
    let server = serve_raw(move |mut stream, _| {
        seen.hit();
        async move {
            let _ = read_request(&mut stream).await;
            reset(stream);
        }
    })
    .await;
    let err = client(&server, &sleeps)
        .execute_json::<Value>(spec())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(connections.get(), 3);
    assert_eq!(sleeps.recorded().len(), 2);
}

#[tokio::test]
async fn timeouts_are_retried_then_reported() {
    let sleeps = Sleeps::new();
    let connections = Counter::new();
    let seen = connections.clone();
    let server = serve_raw(move |mut stream, _| {
        seen.hit();
        async move {
            let _ = read_request(&mut stream).await;
            // Stall: never answer while the test runs.
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    })
    .await;
    let client = client(&server, &sleeps)
        .with_options(RequestOptions::new().timeout(Duration::from_millis(200)));
    let started = std::time::Instant::now();
    let err = client.execute_json::<Value>(spec()).await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after: Some(after), .. } if after == Duration::from_millis(200)),
        "{err:?}"
    );
    assert_eq!(connections.get(), 3, "first attempt and two retries");
    assert_eq!(sleeps.recorded().len(), 2);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "each attempt is bounded by the timeout"
    );
}

#[tokio::test]
async fn timeout_then_success() {
    let sleeps = Sleeps::new();
    let server = serve_raw(|mut stream, index| async move {
        let _ = read_request(&mut stream).await;
        if index == 0 {
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        let _ = write_response(&mut stream, "200 OK", &[], b"{\"late\":false}").await;
    })
    .await;
    let client = builder(&server, &sleeps)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let response = client.execute_json::<Value>(spec()).await.unwrap();
    assert_eq!(*response, json!({"late": false}));
}
