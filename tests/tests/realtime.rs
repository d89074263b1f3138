//! The Realtime API over WebSocket, against a local WebSocket server
//! (tokio-tungstenite's server side): the handshake openai-python makes,
//! client events on the wire, server events decoded (unknown ones kept),
//! size limits, closes, Azure OpenAI, and credentials kept out of errors.

use std::future::Future;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use openai_client::runtime::TimeoutKind;
use openai_client::types::{RealtimeClientEvent, RealtimeServerEvent};
use openai_client::{AzureConfig, Client, Error, RequestOptions};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderMap, StatusCode};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

const KEY: &str = client_tests::TEST_API_KEY;

/// The handshake request as the server saw it.
#[derive(Debug)]
struct Handshake {
    path: String,
    query: Option<String>,
    headers: HeaderMap,
}

impl Handshake {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    fn query_pairs(&self) -> Vec<(String, String)> {
        let query = self.query.as_deref().unwrap_or("");
        url_pairs(query)
    }
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (name.to_owned(), value.replace('+', " "))
        })
        .collect()
}

type ServerSocket = WebSocketStream<TcpStream>;

/// A WebSocket server for one connection on 127.0.0.1: records the
/// handshake, answers it with `refuse` (an HTTP error) or accepts it and runs
/// `script` on the socket. Returns the `http://` base URL (`/v1`) and the
/// recorded handshake.
async fn server<F, Fut>(
    refuse: Option<ErrorResponse>,
    script: F,
) -> (String, oneshot::Receiver<Handshake>)
where
    F: FnOnce(ServerSocket) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (seen_tx, seen_rx) = oneshot::channel();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        // The error type is tungstenite's (an HTTP response), large or not.
        #[allow(clippy::result_large_err)]
        let callback = |request: &Request, response: Response| {
            let _ = seen_tx.send(Handshake {
                path: request.uri().path().to_owned(),
                query: request.uri().query().map(str::to_owned),
                headers: request.headers().clone(),
            });
            match refuse {
                Some(error) => Err(error),
                None => Ok(response),
            }
        };
        // Large enough to send the oversized messages the tests need.
        let config = WebSocketConfig::default()
            .max_message_size(Some(64 << 20))
            .max_frame_size(Some(64 << 20));
        if let Ok(socket) =
            tokio_tungstenite::accept_hdr_async_with_config(tcp, callback, Some(config)).await
        {
            script(socket).await;
        }
    });
    (format!("http://{addr}/v1"), seen_rx)
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base_url)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// A connection to model `m` with the default settings.
async fn connect(base_url: &str) -> openai_client::realtime::RealtimeConnection {
    client(base_url)
        .realtime()
        .model("m")
        .connect()
        .await
        .unwrap()
}

/// The next text message the server receives, as JSON.
async fn next_json(socket: &mut ServerSocket) -> Value {
    loop {
        match socket.next().await.expect("a message").expect("readable") {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Close(_) => panic!("closed before a message"),
            _ => {}
        }
    }
}

async fn send_json(socket: &mut ServerSocket, value: Value) {
    socket.send(Message::text(value.to_string())).await.unwrap();
}

async fn close(socket: &mut ServerSocket, code: CloseCode, reason: &str) {
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = socket.close(Some(frame)).await;
    // Wait for the client's answer so the close handshake completes.
    while let Some(Ok(_)) = socket.next().await {}
}

fn session_update() -> (RealtimeClientEvent, Value) {
    let wire = json!({
        "type": "session.update",
        "event_id": "evt_client_1",
        "session": {"type": "realtime", "instructions": "Answer briefly.", "output_modalities": ["text"]}
    });
    (serde_json::from_value(wire.clone()).unwrap(), wire)
}

fn session_created() -> Value {
    json!({
        "type": "session.created",
        "event_id": "event_1",
        "session": {"type": "realtime", "object": "realtime.session", "id": "sess_1", "model": "gpt-realtime"}
    })
}

#[tokio::test]
async fn handshake_and_events_as_openai_python() {
    let (update, update_wire) = session_update();
    let unknown =
        json!({"type": "response.brand_new_kind", "event_id": "event_9", "detail": {"x": [1, 2]}});
    let error_event = json!({
        "type": "error", "event_id": "event_2",
        "error": {"type": "invalid_request_error", "code": "bad", "message": "nope", "param": null, "event_id": "evt_client_1"}
    });
    let (received_tx, received_rx) = oneshot::channel();
    let script = {
        let unknown = unknown.clone();
        let error_event = error_event.clone();
        move |mut socket: ServerSocket| async move {
            let first = next_json(&mut socket).await;
            let _ = received_tx.send(first);
            send_json(&mut socket, session_created()).await;
            send_json(&mut socket, unknown).await;
            // A binary message is decoded like a text one.
            let bytes = serde_json::to_vec(&error_event).unwrap();
            socket.send(Message::binary(bytes)).await.unwrap();
            socket
                .send(Message::Ping("keepalive".into()))
                .await
                .unwrap();
            close(&mut socket, CloseCode::Normal, "done").await;
        }
    };
    let (base_url, seen) = server(None, script).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&base_url)
        .organization("org-rt")
        .project("proj-rt")
        .default_header("X-Gateway-Team", "blue")
        .build()
        .unwrap();
    let client = client.with_options(RequestOptions::new().header("X-Per-View", "yes"));
    let mut connection = client
        .realtime()
        .model("gpt-realtime")
        .query("call_id", "rtc_1")
        .connect()
        .await
        .unwrap();

    let handshake = seen.await.unwrap();
    assert_eq!(handshake.path, "/v1/realtime");
    assert_eq!(
        handshake.query_pairs(),
        [
            ("model".into(), "gpt-realtime".into()),
            ("call_id".into(), "rtc_1".into())
        ]
    );
    assert_eq!(
        handshake.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(handshake.header("openai-organization"), Some("org-rt"));
    assert_eq!(handshake.header("openai-project"), Some("proj-rt"));
    assert_eq!(handshake.header("x-gateway-team"), Some("blue"));
    assert_eq!(handshake.header("x-per-view"), Some("yes"));
    assert!(handshake
        .header("user-agent")
        .unwrap()
        .starts_with("openai-client/"));
    // GA Realtime: no beta header (openai-python sends it only for the beta interface),
    // and nothing that belongs to an HTTP request with a body.
    for absent in [
        "openai-beta",
        "x-stainless-retry-count",
        "accept",
        "content-type",
    ] {
        assert_eq!(handshake.header(absent), None, "{absent}");
    }
    assert_eq!(handshake.header("upgrade"), Some("websocket"));

    connection.send(&update).await.unwrap();
    assert_eq!(received_rx.await.unwrap(), update_wire);

    match connection.recv().await {
        Some(Ok(RealtimeServerEvent::SessionCreated(created))) => {
            assert_eq!(created.event_id, "event_1")
        }
        other => panic!("expected session.created, got {other:?}"),
    }
    match connection.recv().await {
        Some(Ok(RealtimeServerEvent::Unknown(kept))) => assert_eq!(kept, unknown),
        other => panic!("expected the unknown event kept, got {other:?}"),
    }
    match connection.recv().await {
        Some(Ok(event @ RealtimeServerEvent::Error(_))) => {
            let back = serde_json::to_value(&event).unwrap();
            assert_eq!(back["error"]["code"], error_event["error"]["code"]);
            assert_eq!(back["event_id"], error_event["event_id"]);
        }
        other => panic!("expected the error event, got {other:?}"),
    }
    assert!(
        connection.recv().await.is_none(),
        "a normal close ends the stream"
    );
    assert!(connection.recv().await.is_none(), "and it stays ended");
    assert!(
        connection.decode_warnings().is_empty(),
        "{:?}",
        connection.decode_warnings()
    );
    let debug = format!("{connection:?}");
    assert!(!debug.contains(KEY), "{debug}");
}

#[tokio::test]
async fn a_refused_handshake_is_an_api_error_without_the_key() {
    let mut refusal = ErrorResponse::new(Some(
        json!({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key", "param": null}})
            .to_string(),
    ));
    *refusal.status_mut() = StatusCode::UNAUTHORIZED;
    refusal
        .headers_mut()
        .insert("x-request-id", "req_rt_401".parse().unwrap());
    let (base_url, seen) = server(Some(refusal), |_| async {}).await;
    let connect = client(&base_url).realtime().model("gpt-realtime");
    assert!(!format!("{connect:?}").contains(KEY));
    let error = connect.connect().await.unwrap_err();
    assert!(seen.await.is_ok());
    assert!(error.is_authentication(), "{error:?}");
    assert_eq!(error.request_id(), Some("req_rt_401"));
    assert_eq!(
        error.api_error().unwrap().code.as_deref(),
        Some("invalid_api_key")
    );
    let text = format!("{error} {error:?}");
    assert!(!text.contains(KEY), "{text}");
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    // Where the redirect points: it must never see a connection (or the key).
    let elsewhere = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target = format!("ws://{}/v1/realtime", elsewhere.local_addr().unwrap());
    let mut redirect = ErrorResponse::new(None);
    *redirect.status_mut() = StatusCode::TEMPORARY_REDIRECT;
    redirect
        .headers_mut()
        .insert("location", target.parse().unwrap());
    let (base_url, _seen) = server(Some(redirect), |_| async {}).await;
    let error = client(&base_url)
        .realtime()
        .model("m")
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Api { .. }), "{error:?}");
    assert_eq!(error.status(), Some(StatusCode::TEMPORARY_REDIRECT));
    let accepted = tokio::time::timeout(Duration::from_millis(200), elsewhere.accept()).await;
    assert!(accepted.is_err(), "the redirect target was contacted");
}

#[tokio::test]
async fn a_message_over_the_limit_is_an_error_then_the_end() {
    // The explicit limit, the client's event limit, and the 16 MiB default.
    let cases: [(Option<usize>, Option<usize>, usize, usize); 3] = [
        (Some(1024), None, 2048, 1024),
        (None, Some(4096), 5000, 4096),
        (None, None, (16 << 20) + 1, 16 << 20),
    ];
    for (explicit, client_limit, size, limit) in cases {
        let script = move |mut socket: ServerSocket| async move {
            send_json(&mut socket, session_created()).await;
            let big = json!({"type": "response.output_text.delta", "delta": "x".repeat(size)});
            let _ = socket.send(Message::text(big.to_string())).await;
            let _ = socket.next().await;
        };
        let (base_url, _seen) = server(None, script).await;
        let mut builder = Client::builder().api_key(KEY).base_url(&base_url);
        if let Some(limit) = client_limit {
            builder = builder.max_event_bytes(limit);
        }
        let mut connect = builder.build().unwrap().realtime().model("m");
        if let Some(limit) = explicit {
            connect = connect.max_message_bytes(limit);
        }
        let mut connection = connect.connect().await.unwrap();
        assert!(matches!(
            connection.recv().await,
            Some(Ok(RealtimeServerEvent::SessionCreated(_)))
        ));
        match connection.recv().await {
            Some(Err(error @ Error::WebSocket { .. })) => {
                let text = error.to_string();
                assert!(
                    text.contains(&format!("larger than the {limit}-byte limit")),
                    "{text}"
                );
            }
            other => panic!("expected a size error for {size} bytes, got {other:?}"),
        }
        assert!(connection.recv().await.is_none());
    }
}

#[tokio::test]
async fn a_close_with_an_error_code_is_reported_with_it() {
    let (base_url, _seen) = server(None, |mut socket| async move {
        close(&mut socket, CloseCode::Error, "server \u{1b}[31mfault").await;
    })
    .await;
    let mut connection = connect(&base_url).await;
    match connection.recv().await {
        Some(Err(
            error @ Error::WebSocket {
                close_code: Some(1011),
                ..
            },
        )) => {
            let text = error.to_string();
            assert!(text.contains("code 1011"), "{text}");
            assert!(
                text.contains("server \\u{1b}[31mfault"),
                "server text is escaped: {text}"
            );
        }
        other => panic!("expected the close code, got {other:?}"),
    }
    assert!(connection.recv().await.is_none());
}

#[tokio::test]
async fn a_connection_cut_without_a_close_frame_is_an_error() {
    let (base_url, _seen) = server(None, |socket| async move {
        drop(socket);
    })
    .await;
    let mut connection = connect(&base_url).await;
    match connection.recv().await {
        Some(Err(Error::WebSocket {
            close_code: None, ..
        })) => {}
        other => panic!("expected a broken connection, got {other:?}"),
    }
    assert!(connection.recv().await.is_none());
}

#[tokio::test]
async fn an_undecodable_message_is_a_decode_error_and_the_connection_goes_on() {
    let (base_url, _seen) = server(None, |mut socket| async move {
        socket.send(Message::text("not json")).await.unwrap();
        send_json(
            &mut socket,
            json!({"type": "session.created", "event_id": 5}),
        )
        .await;
        send_json(&mut socket, session_created()).await;
        close(&mut socket, CloseCode::Away, "").await;
    })
    .await;
    let mut connection = connect(&base_url).await;
    match connection.recv().await {
        Some(Err(error @ Error::Decode { .. })) => {
            assert_eq!(error.body(), Some(&b"not json"[..]));
            assert_eq!(error.status(), Some(StatusCode::SWITCHING_PROTOCOLS));
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(matches!(
        connection.recv().await,
        Some(Err(Error::Decode { .. }))
    ));
    assert!(matches!(
        connection.recv().await,
        Some(Ok(RealtimeServerEvent::SessionCreated(_)))
    ));
    assert!(
        connection.recv().await.is_none(),
        "1001 (going away) is a normal end"
    );
}

#[tokio::test]
async fn split_halves_send_and_receive_from_separate_tasks() {
    // The server answers each client event with an event of a type the client does not know.
    let (base_url, _seen) = server(None, |mut socket| async move {
        while let Some(Ok(message)) = socket.next().await {
            // Reading on after a close frame sends tungstenite's answer to it.
            if let Message::Text(text) = message {
                let event: Value = serde_json::from_str(&text).unwrap();
                send_json(
                    &mut socket,
                    json!({"type": "echo", "of": event["event_id"]}),
                )
                .await;
            }
        }
    })
    .await;
    let connection = connect(&base_url).await;
    let (mut sender, mut receiver) = connection.split();
    let sending = tokio::spawn(async move {
        for i in 0..3 {
            let event: RealtimeClientEvent = serde_json::from_value(json!({
                "type": "input_audio_buffer.append", "event_id": format!("evt_{i}"), "audio": "AAAA"
            }))
            .unwrap();
            sender.send(&event).await.unwrap();
        }
        sender
    });
    let mut echoed = Vec::new();
    while echoed.len() < 3 {
        match receiver.next().await {
            Some(Ok(RealtimeServerEvent::Unknown(event))) => echoed.push(event["of"].clone()),
            other => panic!("expected an echo, got {other:?}"),
        }
    }
    assert_eq!(echoed, [json!("evt_0"), json!("evt_1"), json!("evt_2")]);
    let mut sender = sending.await.unwrap();
    sender.close().await.unwrap();
    let end = receiver.next().await;
    assert!(
        end.is_none(),
        "our close, answered by the server, ends the stream: {end:?}"
    );
}

#[tokio::test]
async fn close_ends_the_connection_for_both_sides() {
    let (done_tx, done_rx) = oneshot::channel();
    let (base_url, _seen) = server(None, |mut socket| async move {
        let mut saw_close = false;
        while let Some(Ok(message)) = socket.next().await {
            saw_close |= matches!(message, Message::Close(_));
        }
        let _ = done_tx.send(saw_close);
    })
    .await;
    let connection = connect(&base_url).await;
    connection.close().await.unwrap();
    assert!(done_rx.await.unwrap(), "the server saw our close frame");
}

#[tokio::test]
async fn azure_uses_the_deployment_and_its_credential() {
    let azure_client = |base: &str, deployment: Option<&str>| {
        let endpoint = base.trim_end_matches("/v1").to_owned();
        let mut azure = AzureConfig::new()
            .endpoint(endpoint)
            .api_version("2025-04-01-preview")
            .api_key("azure-SECRET-key");
        if let Some(name) = deployment {
            azure = azure.deployment(name);
        }
        Client::builder().azure(azure).build().unwrap()
    };
    for (deployment, model, expected) in [
        (None, Some("gpt-4o-rt"), "gpt-4o-rt"),
        (Some("rt prod"), Some("ignored"), "rt prod"),
        (Some("rt-prod"), None, "rt-prod"),
    ] {
        let (base_url, seen) = server(None, |mut socket| async move {
            close(&mut socket, CloseCode::Normal, "").await;
        })
        .await;
        let mut connect = azure_client(&base_url, deployment).realtime();
        if let Some(model) = model {
            connect = connect.model(model);
        }
        let mut connection = connect.connect().await.unwrap();
        let handshake = seen.await.unwrap();
        assert_eq!(handshake.path, "/openai/realtime");
        assert_eq!(
            handshake.query_pairs(),
            [
                ("api-version".into(), "2025-04-01-preview".into()),
                ("deployment".into(), expected.into())
            ]
        );
        assert_eq!(handshake.header("api-key"), Some("azure-SECRET-key"));
        assert_eq!(handshake.header("authorization"), None);
        assert!(connection.recv().await.is_none());
    }
    // Azure needs a deployment: configured or given as the model.
    let error = azure_client("http://127.0.0.1:9/v1", None)
        .realtime()
        .connect()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
    assert!(!format!("{error} {error:?}").contains("SECRET"));
}

#[tokio::test]
async fn a_server_that_never_answers_the_handshake_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let holder = tokio::spawn(async move {
        let (_tcp, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
    });
    let client = Client::builder()
        .api_key(KEY)
        .base_url(format!("http://{addr}/v1"))
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = client.realtime().model("m").connect().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                kind: TimeoutKind::Request,
                ..
            }
        ),
        "{error:?}"
    );
    holder.abort();
}

#[tokio::test]
async fn a_failed_connection_names_the_origin_only() {
    // A port nobody listens on: bind one, note it, let it go.
    let addr = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let client = Client::builder()
        .api_key(KEY)
        .base_url(format!("http://{addr}/v1"))
        .default_query("subscription-key", "q-SECRET")
        .build()
        .unwrap();
    let error = client.realtime().model("m").connect().await.unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(matches!(error, Error::WebSocket { .. }), "{text}");
    assert!(text.contains(&format!("ws://{addr}")), "{text}");
    assert!(!text.contains("SECRET") && !text.contains(KEY), "{text}");
}

#[tokio::test]
async fn a_websocket_base_url_replaces_the_client_base_url() {
    let (base_url, seen) = server(None, |mut socket| async move {
        close(&mut socket, CloseCode::Normal, "").await;
    })
    .await;
    let ws_base = base_url
        .replace("http://", "ws://")
        .replace("/v1", "/gateway/v1");
    let client = client("https://api.openai.com/v1");
    let mut connection = client
        .realtime()
        .model("m")
        .base_url(ws_base)
        .header("OpenAI-Beta", "realtime=v1")
        .connect()
        .await
        .unwrap();
    let handshake = seen.await.unwrap();
    assert_eq!(handshake.path, "/gateway/v1/realtime");
    assert_eq!(handshake.query.as_deref(), Some("model=m"));
    assert_eq!(
        handshake.header("openai-beta"),
        Some("realtime=v1"),
        "a caller's header is sent"
    );
    assert!(connection.recv().await.is_none());
}
