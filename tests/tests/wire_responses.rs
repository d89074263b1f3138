//! `POST /responses` streamed, as generated from the newest spec: named
//! events (`event: response.created` ...) decoded into `ResponseStreamEvent`,
//! unknown event names passed through, and the end after `response.completed`.

mod common;

use common::{client, cut, json_reply, named_event, only, recording_server, sse_reply};
use futures_util::StreamExt;
use openai_client::types::{
    CreateResponse, OutputItem, OutputMessageContent, OutputMessageStatus, ResponseStatus,
    ResponseStreamEvent,
};
use openai_client::{Error, StreamItem};
use serde_json::{json, Value};

const TEXT: &str = "Code flows like water";

/// A `response` object as the API sends it inside `response.*` events.
fn response_object(status: &str, output: Value, usage: Value) -> Value {
    json!({
        "id": "resp_68af3d1e7c2c8190a1b2c3d4e5f60718",
        "object": "response",
        "created_at": 1756315934,
        "status": status,
        "background": false,
        "error": null,
        "incomplete_details": null,
        "instructions": "Answer with one line of a haiku.",
        "max_output_tokens": null,
        "max_tool_calls": null,
        "model": "gpt-4.1-2025-04-14",
        "output": output,
        "parallel_tool_calls": true,
        "previous_response_id": null,
        "reasoning": {"effort": null, "summary": null},
        "service_tier": "auto",
        "store": true,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_logprobs": 0,
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": usage,
        "user": null,
        "metadata": {}
    })
}

fn message_item(status: &str, content: Value) -> Value {
    json!({
        "id": "msg_68af3d1f0a4c8190b1c2d3e4f5a60718",
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": content
    })
}

fn delta(sequence_number: i64, delta: &str) -> Value {
    json!({
        "type": "response.output_text.delta",
        "sequence_number": sequence_number,
        "item_id": "msg_68af3d1f0a4c8190b1c2d3e4f5a60718",
        "output_index": 0,
        "content_index": 0,
        "delta": delta,
        "logprobs": []
    })
}

/// The SSE body of a whole streamed response, with an event the client does
/// not know in the middle and an extra event after `response.completed`.
fn stream_body() -> String {
    let mut events = vec![
        named_event(
            "response.created",
            &json!({"type": "response.created", "sequence_number": 0,
                    "response": response_object("in_progress", json!([]), Value::Null)}),
        ),
        named_event(
            "response.in_progress",
            &json!({"type": "response.in_progress", "sequence_number": 1,
                    "response": response_object("in_progress", json!([]), Value::Null)}),
        ),
        named_event(
            "response.output_item.added",
            &json!({"type": "response.output_item.added", "sequence_number": 2, "output_index": 0,
                    "item": message_item("in_progress", json!([]))}),
        ),
        named_event(
            "response.future_thing",
            &json!({"type": "response.future_thing", "sequence_number": 3, "novel": {"field": true}}),
        ),
    ];
    for (i, piece) in ["Code ", "flows like", " water"].into_iter().enumerate() {
        events.push(named_event(
            "response.output_text.delta",
            &delta(4 + i as i64, piece),
        ));
    }
    events.push(named_event(
        "response.output_text.done",
        &json!({"type": "response.output_text.done", "sequence_number": 7,
                "item_id": "msg_68af3d1f0a4c8190b1c2d3e4f5a60718", "output_index": 0,
                "content_index": 0, "text": TEXT, "logprobs": []}),
    ));
    let output = json!([message_item(
        "completed",
        json!([{"type": "output_text", "text": TEXT, "annotations": [], "logprobs": []}])
    )]);
    let usage = json!({
        "input_tokens": 31,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": 6,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 37
    });
    events.push(named_event(
        "response.completed",
        &json!({"type": "response.completed", "sequence_number": 8,
                "response": response_object("completed", output, usage)}),
    ));
    // After the terminal event: must never reach the caller.
    events.push(named_event(
        "response.output_text.delta",
        &delta(9, " AFTER THE END"),
    ));
    events.concat()
}

fn request() -> CreateResponse {
    CreateResponse::new()
        .model("gpt-4.1")
        .input("Write about code.")
        .instructions("Answer with one line of a haiku.")
}

#[tokio::test]
async fn responses_stream_named_events_unknown_event_and_terminal_event() {
    let (server, log) =
        recording_server(|_, _| sse_reply("req_resp_1", cut(&stream_body(), 200))).await;
    let stream = client(&server)
        .create_response_stream(&request())
        .await
        .expect("stream opens");
    assert_eq!(stream.request_id(), Some("req_resp_1"));
    let items: Vec<StreamItem<ResponseStreamEvent>> = stream
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|item| item.expect("no stream error"))
        .collect();

    let seen = only(&log);
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, "/v1/responses");
    assert_eq!(seen.query, None);
    seen.assert_auth();
    assert_eq!(seen.header("accept"), Some("text/event-stream"));
    assert_eq!(seen.media_type(), Some("application/json"));
    assert_eq!(
        seen.json(),
        json!({
            "model": "gpt-4.1",
            "input": "Write about code.",
            "instructions": "Answer with one line of a haiku.",
            "stream": true
        })
    );

    // Nine items: the trailing delta after `response.completed` is not among them.
    assert_eq!(items.len(), 9, "{items:#?}");
    assert!(matches!(
        &items[0],
        StreamItem::Event(ResponseStreamEvent::ResponseCreated(created))
            if created.sequence_number == 0
                && created.response.id == "resp_68af3d1e7c2c8190a1b2c3d4e5f60718"
                && created.response.status == Some(ResponseStatus::InProgress)
                && created.response.output.is_empty()
    ));
    assert!(matches!(
        &items[1],
        StreamItem::Event(ResponseStreamEvent::ResponseInProgress(_))
    ));
    match &items[2] {
        StreamItem::Event(ResponseStreamEvent::ResponseOutputItemAdded(added)) => {
            assert!(matches!(&added.item, OutputItem::Message(message)
                if message.status == OutputMessageStatus::InProgress && message.content.is_empty()));
        }
        other => panic!("expected output_item.added, got {other:?}"),
    }
    // The event name the client does not know: passed through raw, not an error.
    match &items[3] {
        StreamItem::Unknown(raw) => {
            assert_eq!(raw.event.as_deref(), Some("response.future_thing"));
            let data: Value = serde_json::from_str(&raw.data).unwrap();
            assert_eq!(data["novel"], json!({"field": true}));
        }
        other => panic!("expected StreamItem::Unknown, got {other:?}"),
    }
    let mut text = String::new();
    for item in &items[4..7] {
        match item {
            StreamItem::Event(ResponseStreamEvent::ResponseOutputTextDelta(delta)) => {
                assert_eq!(delta.item_id, "msg_68af3d1f0a4c8190b1c2d3e4f5a60718");
                text.push_str(&delta.delta);
            }
            other => panic!("expected a text delta, got {other:?}"),
        }
    }
    assert_eq!(text, TEXT);
    assert!(matches!(
        &items[7],
        StreamItem::Event(ResponseStreamEvent::ResponseOutputTextDone(done)) if done.text == TEXT
    ));
    let StreamItem::Event(ResponseStreamEvent::ResponseCompleted(completed)) = &items[8] else {
        panic!("expected response.completed, got {:?}", items[8]);
    };
    let response = &completed.response;
    assert_eq!(response.status, Some(ResponseStatus::Completed));
    let usage = response.usage.as_ref().expect("usage");
    assert_eq!(
        (usage.input_tokens, usage.output_tokens, usage.total_tokens),
        (31, 6, 37)
    );
    let OutputItem::Message(message) = &response.output[0] else {
        panic!("expected a message, got {:?}", response.output[0]);
    };
    assert_eq!(message.status, OutputMessageStatus::Completed);
    assert!(matches!(&message.content[..],
        [OutputMessageContent::OutputText(part)] if part.text == TEXT));
}

#[tokio::test]
async fn responses_stream_events_view_skips_unknown_events() {
    let (server, _log) =
        recording_server(|_, _| sse_reply("req_resp_2", vec![stream_body()])).await;
    let events: Vec<ResponseStreamEvent> = client(&server)
        .create_response_stream(&request())
        .await
        .expect("stream opens")
        .events()
        .map(|event| event.expect("no stream error"))
        .collect()
        .await;
    let names: Vec<&str> = events
        .iter()
        .map(|event| match event {
            ResponseStreamEvent::ResponseCreated(_) => "created",
            ResponseStreamEvent::ResponseInProgress(_) => "in_progress",
            ResponseStreamEvent::ResponseOutputItemAdded(_) => "item_added",
            ResponseStreamEvent::ResponseOutputTextDelta(_) => "delta",
            ResponseStreamEvent::ResponseOutputTextDone(_) => "text_done",
            ResponseStreamEvent::ResponseCompleted(_) => "completed",
            _ => "other",
        })
        .collect();
    assert_eq!(
        names,
        [
            "created",
            "in_progress",
            "item_added",
            "delta",
            "delta",
            "delta",
            "text_done",
            "completed"
        ]
    );
}

#[tokio::test]
async fn responses_stream_error_event_is_an_api_error_and_ends_the_stream() {
    let body = vec![
        named_event(
            "response.created",
            &json!({"type": "response.created", "sequence_number": 0,
                    "response": response_object("in_progress", json!([]), Value::Null)}),
        ),
        named_event("response.output_text.delta", &delta(1, "Code")),
        named_event(
            "error",
            &json!({"type": "error", "sequence_number": 2, "code": "server_error",
                    "message": "The model failed to finish.", "param": null}),
        ),
        named_event("response.output_text.delta", &delta(3, " never")),
    ];
    let (server, _log) = recording_server(move |_, _| sse_reply("req_resp_3", body.clone())).await;
    let items: Vec<_> = client(&server)
        .create_response_stream(&request())
        .await
        .expect("stream opens")
        .collect()
        .await;
    assert_eq!(items.len(), 3, "{items:#?}");
    assert!(matches!(
        items[0],
        Ok(StreamItem::Event(ResponseStreamEvent::ResponseCreated(_)))
    ));
    assert!(matches!(
        items[1],
        Ok(StreamItem::Event(
            ResponseStreamEvent::ResponseOutputTextDelta(_)
        ))
    ));
    let error = items[2].as_ref().unwrap_err();
    assert!(matches!(error, Error::Api { .. }), "{error:?}");
    assert_eq!(error.request_id(), Some("req_resp_3"));
    let api = error.api_error().expect("error object");
    assert_eq!(api.message, "The model failed to finish.");
    assert_eq!(api.code.as_deref(), Some("server_error"));
}

#[tokio::test]
async fn responses_stream_without_a_terminal_event_is_an_error() {
    let body = vec![
        named_event(
            "response.created",
            &json!({"type": "response.created", "sequence_number": 0,
                    "response": response_object("in_progress", json!([]), Value::Null)}),
        ),
        named_event("response.output_text.delta", &delta(1, "Code")),
    ];
    let (server, _log) = recording_server(move |_, _| sse_reply("req_resp_4", body.clone())).await;
    let items: Vec<_> = client(&server)
        .create_response_stream(&request())
        .await
        .expect("stream opens")
        .collect()
        .await;
    assert_eq!(items.len(), 3, "{items:#?}");
    assert!(items[..2].iter().all(Result::is_ok));
    assert!(
        matches!(items[2], Err(Error::Stream { .. })),
        "{:?}",
        items[2]
    );
}

/// Free-form JSON (a function tool's `parameters`) is any `Serialize` value:
/// the caller's struct goes on the wire as JSON, the echoed tool reads back as
/// JSON, and a value that cannot become JSON fails before anything is sent.
#[tokio::test]
async fn free_form_parameters_from_any_serialize_value() {
    use openai_client::types::{FunctionTool, Tool};
    use std::collections::BTreeMap;

    #[derive(serde::Serialize)]
    struct Parameters {
        r#type: &'static str,
        properties: BTreeMap<&'static str, BTreeMap<&'static str, &'static str>>,
    }
    let parameters = Parameters {
        r#type: "object",
        properties: BTreeMap::from([("city", BTreeMap::from([("type", "string")]))]),
    };
    let wire_parameters = json!({"type": "object", "properties": {"city": {"type": "string"}}});
    let tool = json!({"type": "function", "name": "get_weather", "parameters": wire_parameters, "strict": true});
    let mut body = response_object("completed", json!([]), Value::Null);
    body["tools"] = json!([tool]);
    let (server, log) = recording_server(move |_, _| json_reply("req_tools_1", body.clone())).await;
    let client = client(&server);

    let with_tool = request().tools(vec![
        FunctionTool::new("get_weather", &parameters, true).into()
    ]);
    let response = client.create_response(&with_tool).await.expect("response");
    assert_eq!(only(&log).json()["tools"], json!([tool]));
    let Some(Tool::Function(echoed)) = response.tools.first() else {
        panic!("a function tool: {:?}", response.tools)
    };
    let echoed = echoed.parameters.as_ref().expect("parameters");
    assert_eq!(echoed["properties"]["city"]["type"], "string");
    assert_eq!(*echoed, wire_parameters);

    // serde_json refuses map keys that are not strings or numbers.
    let broken = BTreeMap::from([(vec![1u8], "one")]);
    let with_broken = request().tools(vec![FunctionTool::new("broken", &broken, true).into()]);
    let err = client.create_response(&with_broken).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidRequest { message, .. } if message.contains("free-form JSON value")),
        "{err:?}"
    );
    assert_eq!(log.entries().len(), 1, "nothing more was sent");
}

/// A `Response` held by value (about 1.8 KB) made every event of the union
/// that large, the 150-byte text deltas too: each move copied it, and each
/// event the stream boxes was an allocation past glibc's thread cache.
/// Codegen boxes fields of types estimated past 1 KiB, so the unions are
/// smaller than the large types their events hold (the same holds for the
/// Realtime session events).
#[test]
fn stream_event_unions_are_smaller_than_the_types_they_box() {
    use openai_client::types::{
        RealtimeServerEvent, RealtimeServerEventSessionCreatedSession as Session, Response,
        ResponseCompletedEvent,
    };
    let event: ResponseCompletedEvent = serde_json::from_value(json!({
        "type": "response.completed",
        "sequence_number": 9,
        "response": response_object("completed", json!([]), Value::Null),
    }))
    .unwrap();
    // Read through the box as through the value.
    assert_eq!(event.response.status, Some(ResponseStatus::Completed));
    let (stream, realtime) = (size_of::<ResponseStreamEvent>(), size_of::<RealtimeServerEvent>());
    assert!(stream < size_of::<Response>(), "ResponseStreamEvent is {stream} bytes");
    assert!(realtime < size_of::<Session>(), "RealtimeServerEvent is {realtime} bytes");
    // With serde_json's own maps (24 bytes), both are under 1 KiB. Its
    // `preserve_order` (which a workspace beside ours may turn on: this
    // one's does, for codegen) makes every map and `Value` 72 bytes.
    if size_of::<serde_json::Map<String, Value>>() == 24 {
        assert!(stream <= 1024 && realtime <= 1024, "{stream} and {realtime} bytes");
    }
}
