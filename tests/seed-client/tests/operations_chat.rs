//! Wire tests of chat completions, completions and edits, streamed and not,
//! against a local
//! server.

mod common;
use client_tests::wire::{Reply, Wire};
use common::SeedWire;
use futures_util::StreamExt;
use seed_client::types::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCallFunction,
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestMessage,
    ChatCompletionRequestMessageContentPartImage,
    ChatCompletionRequestMessageContentPartImageDetail,
    ChatCompletionRequestMessageContentPartImageUrl, ChatCompletionRequestMessageContentPartText,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestToolMessage,
    ChatCompletionRequestUserMessage, ChatCompletionRequestUserMessageContent,
    ChatCompletionResponseMessageRole, ChatCompletionTool, ChatCompletionToolChoiceOptionMode,
    CreateChatCompletionRequest, CreateChatCompletionRequestModel,
    CreateChatCompletionRequestResponseFormat, CreateChatCompletionRequestResponseFormatType,
    CreateChatCompletionRequestStop, CreateChatCompletionResponseFinishReason,
    CreateChatCompletionStreamResponseFinishReason, CreateCompletionRequest,
    CreateCompletionRequestModel, CreateCompletionRequestStop,
    CreateCompletionResponseFinishReason, CreateEditRequest, CreateEditRequestModel,
    FunctionObject,
};
use seed_client::StreamItem;
use serde_json::{json, Value};

fn user(text: &str) -> ChatCompletionRequestMessage {
    let content = ChatCompletionRequestUserMessageContent::TextContent(text.into());
    ChatCompletionRequestUserMessage::new(content).into()
}

fn system(text: &str) -> ChatCompletionRequestMessage {
    ChatCompletionRequestSystemMessage::new(text).into()
}

fn chat_completion_json(content: &str) -> Value {
    json!({
        "id": "chatcmpl-8Xx9",
        "object": "chat.completion",
        "created": 1702685778,
        "model": "gpt-3.5-turbo-0613",
        "system_fingerprint": "fp_44709d6fcb",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "logprobs": null,
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 9, "completion_tokens": 12, "total_tokens": 21}
    })
}

#[tokio::test]
async fn create_chat_completion() {
    let wire = Wire::serve(
        "POST",
        "/chat/completions",
        Reply::json(chat_completion_json(
            "Hello there, how may I assist you today?",
        ))
        .request_id("req_chat_1"),
    )
    .await;
    let body = CreateChatCompletionRequest::new(
        vec![system("You are a helpful assistant."), user("Hello!")],
        CreateChatCompletionRequestModel::GPT_3_5_TURBO,
    )
    .temperature(0.7)
    .max_tokens(256);

    let resp = wire.seed().create_chat_completion(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/chat/completions");
    seen.assert_no_query();
    // No `stream` key at all: the non-streaming method never asks for a stream.
    seen.assert_json(&json!({
        "messages": [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "Hello!"}
        ],
        "model": "gpt-3.5-turbo",
        "temperature": 0.7,
        "max_tokens": 256
    }));
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req_chat_1"));
    assert_eq!(resp.id, "chatcmpl-8Xx9");
    assert_eq!(
        resp.choices[0].message.content.as_deref(),
        Some("Hello there, how may I assist you today?")
    );
    assert_eq!(
        resp.choices[0].message.role,
        ChatCompletionResponseMessageRole::Assistant
    );
    assert_eq!(
        resp.choices[0].finish_reason,
        CreateChatCompletionResponseFinishReason::Stop
    );
    assert_eq!(resp.usage.as_ref().unwrap().total_tokens, 21);
    assert_eq!(resp.system_fingerprint.as_deref(), Some("fp_44709d6fcb"));
}

#[tokio::test]
async fn create_chat_completion_with_tools_images_and_every_option() {
    let weather = FunctionObject::new(
        "get_current_weather",
        json!({
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}
            },
            "required": ["location"]
        })
        .as_object()
        .unwrap()
        .clone(),
    )
    .description("Get the current weather in a given location");
    let image = ChatCompletionRequestMessageContentPartImage::new(
        ChatCompletionRequestMessageContentPartImageUrl::new(
            "https://upload.wikimedia.org/wikipedia/commons/boardwalk.jpg",
        )
        .detail(ChatCompletionRequestMessageContentPartImageDetail::Low),
    );
    let looking = ChatCompletionRequestUserMessage::new(
        ChatCompletionRequestUserMessageContent::ArrayOfContentParts(vec![
            ChatCompletionRequestMessageContentPartText::new(
                "Where is this, and how is the weather?",
            )
            .into(),
            image.into(),
        ]),
    );
    // A tool-calling reply has no text: `content` is required and nullable, so it is sent as null.
    let call = ChatCompletionRequestAssistantMessage::new("")
        .content_null()
        .tool_calls(vec![ChatCompletionMessageToolCall::new(
            "call_abc123",
            ChatCompletionMessageToolCallFunction::new(
                "get_current_weather",
                "{\"location\": \"Boston, MA\"}",
            ),
        )]);
    let result = ChatCompletionRequestToolMessage::new(
        "{\"temperature\": 22, \"unit\": \"celsius\"}",
        "call_abc123",
    );
    // `stream(true)` on the body must not leak into the non-streaming call.
    let body = CreateChatCompletionRequest::new(
        vec![looking.into(), call.into(), result.into()],
        "gpt-4-1106-preview",
    )
    .frequency_penalty(0.5)
    .presence_penalty(-0.5)
    .logit_bias(
        [("50256".to_owned(), -100)]
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
    .n(1)
    .seed(42)
    .top_p(0.9)
    .stop(CreateChatCompletionRequestStop::Texts(vec![
        "\n\n".into(),
        "END".into(),
    ]))
    .response_format(
        CreateChatCompletionRequestResponseFormat::new()
            .r#type(CreateChatCompletionRequestResponseFormatType::JsonObject),
    )
    .tools(vec![ChatCompletionTool::new(weather)])
    .tool_choice(ChatCompletionToolChoiceOptionMode::Auto)
    .user("user-1234")
    .stream(true);
    let wire = Wire::serve(
        "POST",
        "/chat/completions",
        Reply::json(json!({
            "id": "chatcmpl-abc123",
            "object": "chat.completion",
            "created": 1699896916,
            "model": "gpt-4-1106-preview",
            "choices": [{
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": null,
                    "tool_calls": [{
                        "id": "call_def456",
                        "type": "function",
                        "function": {"name": "get_current_weather", "arguments": "{\n\"location\": \"Boston, MA\"\n}"}
                    }]
                },
                "logprobs": null,
                "finish_reason": "tool_calls"
            }],
            "usage": {"prompt_tokens": 82, "completion_tokens": 17, "total_tokens": 99}
        }))
        .request_id("req_chat_tools"),
    )
    .await;

    let resp = wire.seed().create_chat_completion(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/chat/completions");
    seen.assert_json(&json!({
        "messages": [
            {"role": "user", "content": [
                {"type": "text", "text": "Where is this, and how is the weather?"},
                {"type": "image_url", "image_url": {
                    "url": "https://upload.wikimedia.org/wikipedia/commons/boardwalk.jpg",
                    "detail": "low"
                }}
            ]},
            {"role": "assistant", "content": null, "tool_calls": [{
                "id": "call_abc123",
                "type": "function",
                "function": {"name": "get_current_weather", "arguments": "{\"location\": \"Boston, MA\"}"}
            }]},
            {"role": "tool", "content": "{\"temperature\": 22, \"unit\": \"celsius\"}", "tool_call_id": "call_abc123"}
        ],
        "model": "gpt-4-1106-preview",
        "frequency_penalty": 0.5,
        "presence_penalty": -0.5,
        "logit_bias": {"50256": -100},
        "n": 1,
        "seed": 42,
        "top_p": 0.9,
        "stop": ["\n\n", "END"],
        "response_format": {"type": "json_object"},
        "tools": [{
            "type": "function",
            "function": {
                "name": "get_current_weather",
                "description": "Get the current weather in a given location",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}
                    },
                    "required": ["location"]
                }
            }
        }],
        "tool_choice": "auto",
        "user": "user-1234"
    }));
    assert_eq!(resp.request_id(), Some("req_chat_tools"));
    let choice = &resp.choices[0];
    assert_eq!(
        choice.finish_reason,
        CreateChatCompletionResponseFinishReason::ToolCalls
    );
    assert_eq!(choice.message.content, None);
    let calls = choice.message.tool_calls.as_ref().unwrap();
    assert_eq!(calls[0].id, "call_def456");
    assert_eq!(calls[0].function.name, "get_current_weather");
    assert_eq!(
        calls[0].function.arguments,
        "{\n\"location\": \"Boston, MA\"\n}"
    );
}

/// Chunks of a streamed chat completion whose deltas spell `pieces`.
fn chat_chunks(pieces: &[&str]) -> Vec<Value> {
    let chunk = |delta: Value, finish: Value| {
        json!({
            "id": "chatcmpl-123",
            "object": "chat.completion.chunk",
            "created": 1694268190,
            "model": "gpt-3.5-turbo-0613",
            "system_fingerprint": "fp_44709d6fcb",
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}]
        })
    };
    let mut chunks = vec![chunk(
        json!({"role": "assistant", "content": ""}),
        Value::Null,
    )];
    chunks.extend(
        pieces
            .iter()
            .map(|piece| chunk(json!({"content": piece}), Value::Null)),
    );
    chunks.push(chunk(json!({}), json!("stop")));
    chunks
}

#[tokio::test]
async fn create_chat_completion_stream() {
    let wire = Wire::serve(
        "POST",
        "/chat/completions",
        Reply::sse_done(&chat_chunks(&["Hello", " there", ", how may I", " help?"]))
            .request_id("req_chat_stream"),
    )
    .await;
    let body =
        CreateChatCompletionRequest::new(vec![user("Hello!")], "gpt-3.5-turbo").temperature(0.2);

    let stream = wire
        .seed()
        .create_chat_completion_stream(&body)
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.request_id(), Some("req_chat_stream"));
    let items: Vec<_> = stream.collect().await;

    let seen = wire.request();
    seen.assert_call("POST", "/chat/completions");
    seen.assert_no_query();
    assert_eq!(seen.header("content-type"), Some("application/json"));
    assert_eq!(seen.header("accept"), Some("text/event-stream"));
    assert_eq!(
        seen.json(),
        json!({
            "messages": [{"role": "user", "content": "Hello!"}],
            "model": "gpt-3.5-turbo",
            "temperature": 0.2,
            "stream": true
        })
    );
    assert_eq!(items.len(), 6, "one item per chunk, none for [DONE]");
    let mut text = String::new();
    let mut finish = None;
    for item in items {
        let StreamItem::Event(chunk) = item.unwrap() else {
            panic!("unknown event")
        };
        assert_eq!(chunk.id, "chatcmpl-123");
        for choice in &chunk.choices {
            text.push_str(choice.delta.content.as_deref().unwrap_or_default());
            finish = finish.or(choice.finish_reason.clone());
        }
    }
    assert_eq!(text, "Hello there, how may I help?");
    assert_eq!(
        finish,
        Some(CreateChatCompletionStreamResponseFinishReason::Stop)
    );
}

fn completion_json(text: &str) -> Value {
    json!({
        "id": "cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7",
        "object": "text_completion",
        "created": 1589478378,
        "model": "gpt-3.5-turbo-instruct",
        "system_fingerprint": "fp_44709d6fcb",
        "choices": [{"text": text, "index": 0, "logprobs": null, "finish_reason": "length"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}
    })
}

#[tokio::test]
async fn create_completion() {
    let wire = Wire::serve(
        "POST",
        "/completions",
        Reply::json(completion_json("\n\nThis is indeed a test")).request_id("req_cmpl"),
    )
    .await;
    let body = CreateCompletionRequest::new(
        CreateCompletionRequestModel::GPT_3_5_TURBO_INSTRUCT,
        "Say this is a test",
    )
    .max_tokens(7)
    .temperature(0.0)
    .best_of(2)
    .echo(false)
    .logprobs(3)
    .stop(CreateCompletionRequestStop::Text("\n".into()))
    .suffix("!")
    .user("user-1234")
    .stream(true);

    let resp = wire.seed().create_completion(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/completions");
    seen.assert_no_query();
    // `stream(true)` was set on the body, but the non-streaming method drops it.
    seen.assert_json(&json!({
        "model": "gpt-3.5-turbo-instruct",
        "prompt": "Say this is a test",
        "max_tokens": 7,
        "temperature": 0.0,
        "best_of": 2,
        "echo": false,
        "logprobs": 3,
        "stop": "\n",
        "suffix": "!",
        "user": "user-1234"
    }));
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req_cmpl"));
    assert_eq!(resp.choices[0].text, "\n\nThis is indeed a test");
    assert_eq!(
        resp.choices[0].finish_reason,
        Some(CreateCompletionResponseFinishReason::Length)
    );
    assert!(resp.choices[0].logprobs.is_none());
    assert_eq!(resp.usage.as_ref().unwrap().completion_tokens, 7);
}

#[tokio::test]
async fn create_completion_with_a_null_prompt_and_token_prompts() {
    let wire = Wire::serve("POST", "/completions", Reply::json(completion_json("ok"))).await;
    let client = wire.seed();
    // `prompt` is required and nullable: `prompt_null` sends null.
    client
        .create_completion(&CreateCompletionRequest::new("davinci-002", "").prompt_null())
        .await
        .unwrap();
    client
        .create_completion(&CreateCompletionRequest::new(
            "davinci-002",
            vec![vec![1212, 318], vec![257]],
        ))
        .await
        .unwrap();
    let requests = wire.requests();
    assert_eq!(
        requests[0].json(),
        json!({"model": "davinci-002", "prompt": null})
    );
    assert_eq!(
        requests[1].json(),
        json!({"model": "davinci-002", "prompt": [[1212, 318], [257]]})
    );
}

#[tokio::test]
async fn create_completion_stream() {
    // As the API streams them: `finish_reason` is null until the last chunk.
    let chunk = |text: &str, finish: Value| {
        json!({
            "id": "cmpl-7iA7iJjj8V2zOkCGvWF2hAkDWBQZe",
            "object": "text_completion",
            "created": 1690759702,
            "model": "gpt-3.5-turbo-instruct",
            "system_fingerprint": "fp_44709d6fcb",
            "choices": [{"text": text, "index": 0, "logprobs": null, "finish_reason": finish}]
        })
    };
    let chunks = [
        chunk("This", Value::Null),
        chunk(" is", Value::Null),
        chunk(" a test", Value::Null),
        chunk("", json!("stop")),
    ];
    let wire = Wire::serve(
        "POST",
        "/completions",
        Reply::sse_done(&chunks).request_id("req_cmpl_stream"),
    )
    .await;
    let body = CreateCompletionRequest::new(
        "gpt-3.5-turbo-instruct",
        vec!["Say this is a test".to_owned()],
    )
    .max_tokens(7);

    let stream = wire.seed().create_completion_stream(&body).await.unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.request_id(), Some("req_cmpl_stream"));

    let seen = wire.request();
    seen.assert_call("POST", "/completions");
    seen.assert_no_query();
    assert_eq!(seen.header("content-type"), Some("application/json"));
    assert_eq!(seen.header("accept"), Some("text/event-stream"));
    assert_eq!(
        seen.json(),
        json!({
            "model": "gpt-3.5-turbo-instruct",
            "prompt": ["Say this is a test"],
            "max_tokens": 7,
            "stream": true
        })
    );
    // `finish_reason` is null in every chunk but the last; specs/codegen.yaml
    // marks it nullable because the spec reuses the non-null completion schema.
    let events: Vec<_> = stream.events().collect().await;
    let events: Vec<_> = events.into_iter().map(Result::unwrap).collect();
    let text: String = events.iter().map(|e| e.choices[0].text.as_str()).collect();
    assert_eq!(text, "This is a test");
    assert_eq!(events.len(), 4);
    assert_eq!(events[0].choices[0].finish_reason, None);
    assert_eq!(
        events[3].choices[0]
            .finish_reason
            .as_ref()
            .map(|f| f.as_str()),
        Some("stop")
    );
}

#[tokio::test]
#[allow(deprecated)]
async fn create_edit() {
    let wire = Wire::serve(
        "POST",
        "/edits",
        Reply::json(json!({
            "object": "edit",
            "created": 1589478378,
            "choices": [{"text": "What day of the week is it?", "index": 0, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 25, "completion_tokens": 32, "total_tokens": 57}
        }))
        .request_id("req_edit"),
    )
    .await;
    let body = CreateEditRequest::new(
        "Fix the spelling mistakes",
        CreateEditRequestModel::TEXT_DAVINCI_EDIT_001,
    )
    .input("What day of the wek is it?")
    .n(1)
    .temperature(1.0)
    .top_p(1.0);

    let resp = wire.seed().create_edit(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/edits");
    seen.assert_no_query();
    seen.assert_json(&json!({
        "instruction": "Fix the spelling mistakes",
        "model": "text-davinci-edit-001",
        "input": "What day of the wek is it?",
        "n": 1,
        "temperature": 1.0,
        "top_p": 1.0
    }));
    assert_eq!(resp.request_id(), Some("req_edit"));
    assert_eq!(resp.choices[0].text, "What day of the week is it?");
    assert_eq!(resp.usage.total_tokens, 57);
}

// ---------------------------------------------------------------------------
// The chat_stream example's conversations.
