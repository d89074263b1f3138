//! Webhook deliveries: signatures made here with `hmac` directly (not the
//! client's code), checked and decoded by `Client::webhooks()` into the
//! generated `WebhookEvent`; every refusal is a typed error, never an event.
//! The last test receives deliveries on a local HTTP endpoint, as a webhook
//! server would.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::Engine;
use client_tests::{serve, TestServer, TEST_API_KEY};
use hmac::{Hmac, KeyInit, Mac};
use openai_client::runtime::webhooks::{self, DEFAULT_TOLERANCE};
use openai_client::runtime::{HeaderMap as ClientHeaderMap, WebhookError};
use openai_client::types::WebhookEvent;
use openai_client::Client;
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The endpoint's secret as the dashboard shows it; its key is the base64 after the prefix.
const SECRET: &str = "whsec_dGVzdC13ZWJob29rLWtleS0xMjM0NTY3ODkw";
const KEY: &[u8] = b"test-webhook-key-1234567890";
const OTHER_SECRET: &str = "whsec_b3RoZXIta2V5";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` with `key`.
fn sign(key: &[u8], id: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The three delivery headers, signed with [`KEY`] at `timestamp`.
fn delivery(body: &[u8], timestamp: i64) -> ClientHeaderMap {
    let id = "wh_685342e6c2d08190a1b2c3d4";
    let timestamp = timestamp.to_string();
    let mut headers = ClientHeaderMap::new();
    headers.insert("webhook-id", id.parse().unwrap());
    headers.insert("webhook-timestamp", timestamp.parse().unwrap());
    headers.insert(
        "webhook-signature",
        sign(KEY, id, &timestamp, body).parse().unwrap(),
    );
    headers
}

fn client() -> Client {
    Client::builder()
        .api_key(TEST_API_KEY)
        .base_url("http://127.0.0.1:9/v1")
        .webhook_secret(SECRET)
        .build()
        .unwrap()
}

/// A `response.completed` delivery, shaped as the spec's event schema says.
fn response_completed() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": "evt_685343a1381c819085d44c354e1b330e",
        "object": "event",
        "created_at": 1750287018,
        "type": "response.completed",
        "data": {"id": "resp_abc123"}
    }))
    .unwrap()
}

#[test]
fn a_signed_event_decodes_into_its_variant() {
    let body = response_completed();
    let event = client()
        .webhooks()
        .unwrap(&body, &delivery(&body, now()))
        .unwrap();
    match event {
        WebhookEvent::ResponseCompleted(event) => {
            assert_eq!(event.data.id, "resp_abc123");
            assert_eq!(event.id, "evt_685343a1381c819085d44c354e1b330e");
            assert_eq!(event.created_at, 1750287018);
        }
        other => panic!("expected ResponseCompleted, got {other:?}"),
    }
    // Every event the spec lists has a variant: one more, with its own payload.
    let body = serde_json::to_vec(&json!({
        "id": "evt_1", "object": "event", "created_at": 1750287018,
        "type": "realtime.call.incoming",
        "data": {"call_id": "call_1", "sip_headers": [{"name": "From", "value": "sip:a@b"}]}
    }))
    .unwrap();
    let event = client()
        .webhooks()
        .unwrap(&body, &delivery(&body, now()))
        .unwrap();
    assert!(
        matches!(&event, WebhookEvent::RealtimeCallIncoming(e) if e.data.sip_headers[0].value == "sip:a@b"),
        "{event:?}"
    );
}

#[test]
fn an_unknown_event_type_is_kept_as_json() {
    let raw = json!({
        "id": "evt_2", "object": "event", "created_at": 1750287018,
        "type": "video.generation.finished", "data": {"id": "video_1", "seconds": 8}
    });
    let body = serde_json::to_vec(&raw).unwrap();
    let event = client()
        .webhooks()
        .unwrap(&body, &delivery(&body, now()))
        .unwrap();
    match event {
        WebhookEvent::Unknown(value) => assert_eq!(value, raw),
        other => panic!("expected Unknown, got {other:?}"),
    }
}

#[test]
fn a_known_type_with_a_malformed_payload_is_a_decode_error() {
    // Signed, so trusted, but `data.id` is not a string: an error, not a guess.
    let body = br#"{"id":"evt_3","object":"event","created_at":1,"type":"batch.completed","data":{"id":7}}"#;
    let error = client()
        .webhooks()
        .unwrap(body, &delivery(body, now()))
        .unwrap_err();
    assert!(matches!(error, WebhookError::Decode { .. }), "{error:?}");
    assert!(!error.is_verification_failure());
}

#[test]
fn a_tampered_body_is_refused() {
    let body = response_completed();
    let headers = delivery(&body, now());
    let tampered = String::from_utf8(body)
        .unwrap()
        .replace("resp_abc123", "resp_evil99");
    let error = client()
        .webhooks()
        .unwrap(tampered.as_bytes(), &headers)
        .unwrap_err();
    assert!(
        matches!(error, WebhookError::SignatureMismatch),
        "{error:?}"
    );
    assert!(error.is_verification_failure());
}

#[test]
fn stale_and_future_timestamps_are_refused() {
    let body = response_completed();
    let hooks = client().webhooks();
    let stale = hooks
        .unwrap(&body, &delivery(&body, now() - 301))
        .unwrap_err();
    assert!(
        matches!(stale, WebhookError::TimestampTooOld { .. }),
        "{stale:?}"
    );
    let future = hooks
        .unwrap(&body, &delivery(&body, now() + 301))
        .unwrap_err();
    assert!(
        matches!(future, WebhookError::TimestampTooNew { .. }),
        "{future:?}"
    );
    // Within the window both ways, and a caller's own tolerance.
    hooks.unwrap(&body, &delivery(&body, now() - 250)).unwrap();
    hooks.unwrap(&body, &delivery(&body, now() + 250)).unwrap();
    let strict = hooks.clone().tolerance(Duration::from_secs(60));
    assert!(matches!(
        strict.unwrap(&body, &delivery(&body, now() - 120)),
        Err(WebhookError::TimestampTooOld { .. })
    ));
}

#[test]
fn a_wrong_secret_is_refused() {
    let body = response_completed();
    let headers = delivery(&body, now());
    let error = client()
        .webhooks()
        .secret(OTHER_SECRET)
        .unwrap(&body, &headers)
        .unwrap_err();
    assert!(
        matches!(error, WebhookError::SignatureMismatch),
        "{error:?}"
    );
    // The same secret given per call, as openai-python's `secret=`, is accepted.
    Client::builder()
        .api_key(TEST_API_KEY)
        .build()
        .unwrap()
        .webhooks()
        .secret(SECRET)
        .unwrap(&body, &headers)
        .unwrap();
}

#[test]
fn each_missing_header_is_named() {
    let body = response_completed();
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        let mut headers = delivery(&body, now());
        headers.remove(name);
        let error = client().webhooks().unwrap(&body, &headers).unwrap_err();
        assert!(
            matches!(error, WebhookError::MissingHeader { name: missing } if missing == name),
            "{name}: {error:?}"
        );
        assert!(error.to_string().contains(name), "{error}");
    }
}

#[test]
fn one_matching_signature_of_several_is_enough() {
    let body = response_completed();
    let mut headers = delivery(&body, now());
    let good = headers["webhook-signature"].to_str().unwrap().to_owned();
    // Secret rotation: the old key's signature first, the current one last.
    let old = sign(
        b"rotated-out-key",
        "wh_685342e6c2d08190a1b2c3d4",
        headers["webhook-timestamp"].to_str().unwrap(),
        &body,
    );
    headers.insert(
        "webhook-signature",
        format!("{old} v2,ignored {good}").parse().unwrap(),
    );
    client()
        .webhooks()
        .verify_signature(&body, &headers)
        .unwrap();
    headers.insert(
        "webhook-signature",
        format!("{old} v1,AAAA").parse().unwrap(),
    );
    assert!(matches!(
        client().webhooks().verify_signature(&body, &headers),
        Err(WebhookError::SignatureMismatch)
    ));
}

#[test]
fn no_secret_anywhere_is_an_error() {
    // A client without a secret (OPENAI_WEBHOOK_SECRET is not set by the test runner).
    if std::env::var_os("OPENAI_WEBHOOK_SECRET").is_some() {
        return;
    }
    let body = response_completed();
    let error = Client::builder()
        .api_key(TEST_API_KEY)
        .build()
        .unwrap()
        .webhooks()
        .unwrap(&body, &delivery(&body, now()))
        .unwrap_err();
    assert!(matches!(error, WebhookError::NoSecret), "{error:?}");
    assert!(error.to_string().contains("OPENAI_WEBHOOK_SECRET"));
}

#[test]
fn the_standard_webhooks_example_verifies_through_the_public_api() {
    // The example of the Standard Webhooks specification (its published signature).
    let mut headers = ClientHeaderMap::new();
    headers.insert(
        "webhook-id",
        "msg_p5jXN8AQM9LWM0D4loKWxJek".parse().unwrap(),
    );
    headers.insert("webhook-timestamp", "1614265330".parse().unwrap());
    headers.insert(
        "webhook-signature",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
            .parse()
            .unwrap(),
    );
    let body = br#"{"test": 2432232314}"#;
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    // Our own signer agrees with the published value.
    let key = base64::engine::general_purpose::STANDARD
        .decode(&secret[6..])
        .unwrap();
    assert_eq!(
        sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body),
        headers["webhook-signature"].to_str().unwrap()
    );
    let age = Duration::from_secs((now() - 1614265330) as u64 + 60);
    webhooks::verify_signature(body, &headers, secret, age).unwrap();
    let value: Value = webhooks::unwrap(body, &headers, secret, age).unwrap();
    assert_eq!(value, json!({"test": 2432232314u64}));
    assert!(matches!(
        webhooks::verify_signature(body, &headers, secret, DEFAULT_TOLERANCE),
        Err(WebhookError::TimestampTooOld { .. })
    ));
}

#[tokio::test]
async fn an_endpoint_accepts_signed_deliveries_and_refuses_others() {
    let hooks = client().webhooks();
    let router = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let hooks = hooks.clone();
            async move {
                match hooks.unwrap(&body, &headers) {
                    Ok(WebhookEvent::ResponseCompleted(event)) => {
                        (StatusCode::OK, format!("completed {}", event.data.id))
                    }
                    Ok(other) => (StatusCode::OK, format!("other {other:?}")),
                    Err(error) if error.is_verification_failure() => {
                        (StatusCode::BAD_REQUEST, error.to_string())
                    }
                    Err(error) => (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()),
                }
            }
        }),
    );
    let server = serve(router).await;
    let body = response_completed();
    let (status, text) = deliver(&server, &delivery(&body, now()), &body).await;
    assert_eq!((status, text.as_str()), (200, "completed resp_abc123"));
    let mut forged = body.clone();
    forged.push(b' ');
    let (status, text) = deliver(&server, &delivery(&body, now()), &forged).await;
    assert_eq!(status, 400);
    assert!(text.contains("signature"), "{text}");
}

/// Sends a delivery as the API would (raw HTTP/1.1, so the body goes out
/// byte for byte) and returns the status and body of the answer.
async fn deliver(server: &TestServer, headers: &ClientHeaderMap, body: &[u8]) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let mut request = format!(
        "POST /v1/hook HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        server.addr,
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let status = answer[9..12].parse().unwrap();
    let text = answer
        .split_once("\r\n\r\n")
        .map(|(_, t)| t.to_owned())
        .unwrap_or_default();
    (status, text)
}
