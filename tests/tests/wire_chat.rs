//! Chat completions on the wire, as generated from the newest spec: the JSON
//! call and the streamed call (`data:` chunks ended by `[DONE]`).

mod common;

use client_tests::{read_request, serve_raw};
use common::{client, cut, data_event, json_reply, only, recording_server, sse_reply};
use futures_util::StreamExt;
use openai_client::types::{
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestSystemMessageContent, ChatCompletionRequestUserMessage,
    ChatCompletionRequestUserMessageContent, ChatCompletionResponseMessageRole,
    ChatCompletionStreamOptions, CreateChatCompletionRequest,
    CreateChatCompletionResponseFinishReason, CreateChatCompletionResponseObject,
    CreateChatCompletionStreamResponse, CreateChatCompletionStreamResponseFinishReason,
};
use openai_client::{Error, StreamItem};
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

/// A system and a user message, as plain text contents.
fn messages() -> Vec<ChatCompletionRequestMessage> {
    vec![
        ChatCompletionRequestSystemMessage::new(
            ChatCompletionRequestSystemMessageContent::TextContent(
                "You answer in one short sentence.".into(),
            ),
        )
        .into(),
        ChatCompletionRequestUserMessage::new(
            ChatCompletionRequestUserMessageContent::TextContent("Greet the world.".into()),
        )
        .into(),
    ]
}

/// The messages of [`messages`] as they must appear on the wire.
fn messages_json() -> Value {
    json!([
        {"role": "system", "content": "You answer in one short sentence."},
        {"role": "user", "content": "Greet the world."}
    ])
}

#[tokio::test]
async fn chat_completion_json_request_and_decoded_response() {
    let (server, log) = recording_server(|_, _| {
        json_reply(
            "req_chat_1",
            json!({
                "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
                "object": "chat.completion",
                "created": 1741570283,
                "model": "gpt-4o-2024-08-06",
                "choices": [{
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": "Hello, world!",
                        "refusal": null,
                        "annotations": []
                    },
                    "logprobs": null,
                    "finish_reason": "stop"
                }],
                "usage": {
                    "prompt_tokens": 24,
                    "completion_tokens": 4,
                    "total_tokens": 28,
                    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                    "completion_tokens_details": {
                        "reasoning_tokens": 0,
                        "audio_tokens": 0,
                        "accepted_prediction_tokens": 0,
                        "rejected_prediction_tokens": 0
                    }
                },
                "service_tier": "default",
                "system_fingerprint": "fp_6ec83003ad"
            }),
        )
    })
    .await;

    let request = CreateChatCompletionRequest::new(messages(), "gpt-4o")
        .temperature(0.2)
        .max_completion_tokens(64);
    let response = client(&server)
        .create_chat_completion(&request)
        .await
        .expect("chat completion");

    let seen = only(&log);
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/v1/chat/completions");
    assert_eq!(seen.query, None);
    seen.assert_auth();
    assert_eq!(seen.media_type(), Some("application/json"));
    assert_eq!(seen.header("accept"), Some("application/json"));
    // Exactly the fields set: unset optional fields are absent, not null.
    assert_eq!(
        seen.json(),
        json!({
            "messages": messages_json(),
            "model": "gpt-4o",
            "temperature": 0.2,
            "max_completion_tokens": 64
        })
    );

    assert_eq!(response.status(), 200);
    assert_eq!(response.request_id(), Some("req_chat_1"));
    assert_eq!(response.id, "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG");
    assert_eq!(
        response.object,
        CreateChatCompletionResponseObject::ChatCompletion
    );
    assert_eq!(response.created, 1741570283);
    assert_eq!(response.model, "gpt-4o-2024-08-06");
    assert_eq!(response.choices.len(), 1);
    let choice = &response.choices[0];
    assert_eq!(choice.index, 0);
    assert_eq!(
        choice.finish_reason,
        CreateChatCompletionResponseFinishReason::Stop
    );
    assert_eq!(
        choice.message.role,
        ChatCompletionResponseMessageRole::Assistant
    );
    assert_eq!(choice.message.content.as_deref(), Some("Hello, world!"));
    assert_eq!(choice.message.refusal, None);
    assert!(choice.logprobs.is_none());
    let usage = response.usage.as_ref().expect("usage");
    assert_eq!(
        (
            usage.prompt_tokens,
            usage.completion_tokens,
            usage.total_tokens
        ),
        (24, 4, 28)
    );
    let details = usage.completion_tokens_details.as_ref().expect("details");
    assert_eq!(details.reasoning_tokens, Some(0));
}

#[tokio::test]
async fn non_stream_call_never_sends_stream_true() {
    let (server, log) = recording_server(|_, _| {
        json_reply(
            "req_chat_2",
            json!({
                "id": "chatcmpl-2", "object": "chat.completion", "created": 1, "model": "m",
                "choices": [{"index": 0, "finish_reason": "stop", "logprobs": null,
                             "message": {"role": "assistant", "content": "ok", "refusal": null}}]
            }),
        )
    })
    .await;
    // `stream` set on the request by mistake: the JSON call must not ask for a stream.
    let request = CreateChatCompletionRequest::new(messages(), "gpt-4o").stream(true);
    let response = client(&server)
        .create_chat_completion(&request)
        .await
        .unwrap();
    assert_eq!(response.choices[0].message.content.as_deref(), Some("ok"));
    assert_eq!(
        only(&log).json(),
        json!({"messages": messages_json(), "model": "gpt-4o"})
    );
}

/// One `chat.completion.chunk` with the given delta and finish reason.
fn chunk(delta: Value, finish_reason: Value) -> Value {
    json!({
        "id": "chatcmpl-stream-1",
        "object": "chat.completion.chunk",
        "created": 1741570300,
        "model": "gpt-4o-mini-2024-07-18",
        "system_fingerprint": "fp_44709d6fcb",
        "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}]
    })
}

fn stream_body(with_done: bool) -> String {
    let mut body = String::new();
    body.push_str(&data_event(&chunk(
        json!({"role": "assistant", "content": "", "refusal": null}),
        Value::Null,
    )));
    body.push_str(": keep-alive\n\n");
    for piece in ["Hello", ",", " world", "!"] {
        body.push_str(&data_event(&chunk(json!({"content": piece}), Value::Null)));
    }
    body.push_str(&data_event(&chunk(json!({}), json!("stop"))));
    // The usage chunk `stream_options.include_usage` asks for: no choices.
    body.push_str(&data_event(&json!({
        "id": "chatcmpl-stream-1",
        "object": "chat.completion.chunk",
        "created": 1741570300,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [],
        "usage": {"prompt_tokens": 21, "completion_tokens": 5, "total_tokens": 26}
    })));
    if with_done {
        body.push_str("data: [DONE]\n\n");
    }
    body
}

#[tokio::test]
async fn chat_completion_stream_request_and_deltas() {
    // Cut into 37-byte writes: events and lines arrive split across reads.
    let (server, log) =
        recording_server(|_, _| sse_reply("req_stream_1", cut(&stream_body(true), 37))).await;

    let request = CreateChatCompletionRequest::new(messages(), "gpt-4o-mini")
        .stream_options(ChatCompletionStreamOptions::new().include_usage(true));
    let stream = client(&server)
        .create_chat_completion_stream(&request)
        .await
        .expect("stream opens");
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.request_id(), Some("req_stream_1"));
    let items: Vec<_> = stream.collect().await;

    let seen = only(&log);
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/v1/chat/completions");
    seen.assert_auth();
    assert_eq!(seen.header("accept"), Some("text/event-stream"));
    assert_eq!(seen.media_type(), Some("application/json"));
    assert_eq!(
        seen.json(),
        json!({
            "messages": messages_json(),
            "model": "gpt-4o-mini",
            "stream": true,
            "stream_options": {"include_usage": true}
        })
    );

    // Every item is a decoded chunk; `[DONE]` ends the stream without an item.
    let chunks: Vec<CreateChatCompletionStreamResponse> = items
        .into_iter()
        .map(|item| match item.expect("no stream error") {
            StreamItem::Event(chunk) => chunk,
            other => panic!("unexpected item {other:?}"),
        })
        .collect();
    assert_eq!(chunks.len(), 7);
    let text: String = chunks
        .iter()
        .flat_map(|chunk| &chunk.choices)
        .filter_map(|choice| choice.delta.content.as_deref())
        .collect();
    assert_eq!(text, "Hello, world!");
    assert!(chunks.iter().all(|chunk| chunk.id == "chatcmpl-stream-1"));
    assert_eq!(
        chunks[5].choices[0].finish_reason,
        Some(CreateChatCompletionStreamResponseFinishReason::Stop)
    );
    let usage = chunks[6].usage.as_ref().expect("usage chunk");
    assert!(chunks[6].choices.is_empty());
    assert_eq!(usage.total_tokens, 26);
}

#[tokio::test]
async fn chat_stream_that_ends_before_done_is_an_error() {
    let (server, _log) =
        recording_server(|_, _| sse_reply("req_cut_1", vec![stream_body(false)])).await;
    let request = CreateChatCompletionRequest::new(messages(), "gpt-4o-mini");
    let stream = client(&server)
        .create_chat_completion_stream(&request)
        .await
        .expect("stream opens");
    let items: Vec<_> = stream.collect().await;

    // All seven chunks, then one error (not a silent end), then nothing.
    assert_eq!(items.len(), 8, "{items:?}");
    assert!(items[..7]
        .iter()
        .all(|item| matches!(item, Ok(StreamItem::Event(_)))));
    let error = items.into_iter().last().unwrap().unwrap_err();
    assert!(matches!(error, Error::Stream { .. }), "{error:?}");
    assert_eq!(error.request_id(), Some("req_cut_1"));
}

#[tokio::test]
async fn chat_stream_connection_dropped_mid_body_is_an_error() {
    // A raw server: the head and one chunked piece, then the connection closes
    // without the terminating chunk.
    let server = serve_raw(|mut socket, _| async move {
        let request = read_request(&mut socket).await.expect("request");
        assert_eq!(request.target, "/v1/chat/completions");
        let event = data_event(&chunk(json!({"content": "Hel"}), Value::Null));
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nx-request-id: req_drop_1\r\ntransfer-encoding: chunked\r\n\r\n";
        socket.write_all(head.as_bytes()).await.unwrap();
        socket
            .write_all(format!("{:x}\r\n{event}\r\n", event.len()).as_bytes())
            .await
            .unwrap();
        socket.flush().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        drop(socket);
    })
    .await;
    let request = CreateChatCompletionRequest::new(messages(), "gpt-4o-mini");
    let stream = client(&server)
        .create_chat_completion_stream(&request)
        .await
        .expect("stream opens");
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 2, "{items:?}");
    match &items[0] {
        Ok(StreamItem::Event(chunk)) => {
            assert_eq!(chunk.choices[0].delta.content.as_deref(), Some("Hel"))
        }
        other => panic!("unexpected first item {other:?}"),
    }
    let error = items[1].as_ref().unwrap_err();
    assert!(matches!(error, Error::Stream { .. }), "{error:?}");
    assert_eq!(error.request_id(), Some("req_drop_1"));
}

#[tokio::test]
async fn chat_stream_error_payload_is_an_api_error() {
    let body = vec![
        data_event(&chunk(json!({"content": "Hi"}), Value::Null)),
        data_event(
            &json!({"error": {"message": "The server had an error", "type": "server_error", "param": null, "code": null}}),
        ),
        data_event(&chunk(json!({"content": " never seen"}), Value::Null)),
        "data: [DONE]\n\n".to_owned(),
    ];
    let (server, _log) = recording_server(move |_, _| sse_reply("req_err_1", body.clone())).await;
    let request = CreateChatCompletionRequest::new(messages(), "gpt-4o-mini");
    let items: Vec<_> = client(&server)
        .create_chat_completion_stream(&request)
        .await
        .expect("stream opens")
        .collect()
        .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(matches!(items[0], Ok(StreamItem::Event(_))));
    let error = items[1].as_ref().unwrap_err();
    let api = error.api_error().expect("an API error object");
    assert_eq!(api.message, "The server had an error");
    assert_eq!(api.error_type.as_deref(), Some("server_error"));
}

/// A chunk does not hold room for the parts the API seldom sends inline:
/// `usage` (the last chunk, when asked for) and `moderation` are boxed
/// (codegen's `BOX_OPTIONAL_ABOVE`), and were 488 of the chunk's 688 bytes,
/// copied at every move of every chunk. Read through the box as through the
/// value (`chat_completion_stream_request_and_deltas` reads `usage`).
#[test]
fn a_chunk_boxes_the_parts_it_seldom_carries() {
    use openai_client::types::{ChatCompletionModeration, CompletionUsage};
    use std::mem::size_of;
    let chunk = size_of::<CreateChatCompletionStreamResponse>();
    let inline = size_of::<CompletionUsage>() + size_of::<ChatCompletionModeration>();
    assert!(chunk < inline, "a chunk is {chunk} bytes");
    // With serde_json's own maps (24 bytes; see `wire_responses.rs`).
    if size_of::<serde_json::Map<String, Value>>() == 24 {
        assert!(chunk <= 256, "a chunk is {chunk} bytes");
    }
}
