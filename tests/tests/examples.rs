//! The examples of `generated-client/examples`, run against a local server:
//! each example file is mounted as a module and its logic called with a client
//! pointed at the server, so an example that stops working fails here.

mod common;

use client_tests::record::{Reply, Seen};
use common::{client, json_reply, named_event, only, recording_server, sse_reply, Part};
use serde_json::{json, Value};

#[path = "../../generated-client/examples/chat_stream.rs"]
#[allow(dead_code)]
mod chat_stream;
#[path = "../../generated-client/examples/responses_stream.rs"]
#[allow(dead_code)]
mod responses_stream;
#[path = "../../generated-client/examples/speech_to_file.rs"]
#[allow(dead_code)]
mod speech_to_file;
#[path = "../../generated-client/examples/structured_output.rs"]
#[allow(dead_code)]
mod structured_output;
#[path = "../../generated-client/examples/upload_file.rs"]
#[allow(dead_code)]
mod upload_file;

/// SSE chunks of a streamed chat completion, one per piece, then `[DONE]`.
fn chat_reply(pieces: &[&str]) -> Reply {
    let mut chunks: Vec<Value> = pieces
        .iter()
        .map(|piece| {
            json!({
                "id": "chatcmpl-7", "object": "chat.completion.chunk", "created": 1731000000,
                "model": "gpt-4o-mini-2024-07-18",
                "choices": [{"index": 0, "delta": {"content": piece}, "logprobs": null, "finish_reason": null}]
            })
        })
        .collect();
    chunks.push(json!({
        "id": "chatcmpl-7", "object": "chat.completion.chunk", "created": 1731000000,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "delta": {}, "logprobs": null, "finish_reason": "stop"}]
    }));
    Reply::sse_done(&chunks).request_id("req_chat")
}

/// A request line of the upper layer, parsed as the example parses it.
fn pars(user_id: &str, group_id: &str, question: &str) -> chat_stream::Pars {
    let line = json!({
        "version": "1.0.0",
        "pars": {"user_id": user_id, "question": question, "group_id": group_id, "question_id": ""}
    });
    let request: chat_stream::UpperRequest = serde_json::from_value(line).unwrap();
    assert_eq!(request.version, chat_stream::SUPPORTED_VERSION);
    request.pars
}

#[tokio::test]
async fn chat_stream_keeps_context_per_user_and_group() {
    let answers = [
        ["Rust is a systems", " programming language."],
        ["Its 1.0 release", " was in 2015."],
        ["Bonjour", " !"],
    ];
    let calls = client_tests::Counter::new();
    let (server, log) =
        recording_server(move |_, _| chat_reply(&answers[calls.hit().min(2)])).await;
    let client = client(&server);
    let mut conversations = chat_stream::Conversations::new("gpt-4o-mini", 20);

    let mut printed = String::new();
    let first = conversations
        .ask(&client, &pars("123", "456", "What is Rust?"), |d| {
            printed.push_str(d)
        })
        .await
        .unwrap();
    assert_eq!(first, "Rust is a systems programming language.");
    assert_eq!(printed, first, "deltas are passed on as they arrive");
    let second = conversations
        .ask(
            &client,
            &pars("123", "456", "When was it released?"),
            |_| {},
        )
        .await
        .unwrap();
    assert_eq!(second, "Its 1.0 release was in 2015.");
    // Same user, another group: a conversation of its own.
    conversations
        .ask(&client, &pars("123", "789", "Dis bonjour"), |_| {})
        .await
        .unwrap();

    let requests: Vec<Seen> = log.entries();
    assert_eq!(requests.len(), 3);
    for seen in &requests {
        seen.assert_call("POST", "/chat/completions");
        assert_eq!(seen.header("accept"), Some("text/event-stream"));
        assert_eq!(seen.json()["stream"], json!(true));
        assert_eq!(seen.json()["model"], json!("gpt-4o-mini"));
    }
    assert_eq!(
        requests[0].json()["messages"],
        json!([{"role": "user", "content": "What is Rust?"}])
    );
    assert_eq!(
        requests[1].json()["messages"],
        json!([
            {"role": "user", "content": "What is Rust?"},
            {"role": "assistant", "content": "Rust is a systems programming language."},
            {"role": "user", "content": "When was it released?"}
        ])
    );
    assert_eq!(
        requests[2].json()["messages"],
        json!([{"role": "user", "content": "Dis bonjour"}])
    );
}

#[tokio::test]
async fn chat_stream_caps_history_and_keeps_the_system_prompt() {
    let (server, log) = recording_server(|_, _| chat_reply(&["ok"])).await;
    let client = client(&server);
    // Room for two messages: the previous question and answer are dropped
    // together once a third message comes.
    let mut conversations =
        chat_stream::Conversations::new("gpt-4o", 2).with_system_prompt("Be brief.");
    for question in ["one", "two", "three"] {
        conversations
            .ask(&client, &pars("u", "g", question), |_| {})
            .await
            .unwrap();
    }
    let last = log.entries().pop().unwrap().json();
    assert_eq!(
        last["messages"],
        json!([
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "two"},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "three"}
        ])
    );
}

/// The `response` object inside `response.created`.
fn response_object(id: &str) -> Value {
    json!({
        "id": id, "object": "response", "created_at": 1756315934, "status": "in_progress",
        "model": "gpt-4.1-mini", "output": [], "parallel_tool_calls": true, "tool_choice": "auto",
        "tools": [], "metadata": {}, "temperature": 1.0, "top_p": 1.0, "error": null,
        "incomplete_details": null, "instructions": null
    })
}

/// The first response: the model calls `get_weather` for Oslo.
fn tool_call_turn() -> String {
    let call = json!({
        "type": "function_call", "id": "fc_1", "call_id": "call_oslo", "name": "get_weather",
        "arguments": "{\"city\":\"Oslo\"}", "status": "completed"
    });
    [
        named_event("response.created", &json!({"type": "response.created", "sequence_number": 0, "response": response_object("resp_1")})),
        named_event("response.output_item.done", &json!({"type": "response.output_item.done", "sequence_number": 1, "output_index": 0, "item": call})),
        named_event("response.completed", &json!({"type": "response.completed", "sequence_number": 2, "response": response_object("resp_1")})),
    ]
    .concat()
}

/// The second response: text that uses the tool's result.
fn answer_turn() -> String {
    let delta = |n: i64, text: &str| {
        json!({"type": "response.output_text.delta", "sequence_number": n, "item_id": "msg_1",
               "output_index": 0, "content_index": 0, "delta": text, "logprobs": []})
    };
    [
        named_event("response.created", &json!({"type": "response.created", "sequence_number": 0, "response": response_object("resp_2")})),
        named_event("response.output_text.delta", &delta(1, "Light rain in Oslo:")),
        named_event("response.output_text.delta", &delta(2, " take an umbrella.")),
        named_event("response.completed", &json!({"type": "response.completed", "sequence_number": 3, "response": response_object("resp_2")})),
    ]
    .concat()
}

#[tokio::test]
async fn responses_stream_answers_a_function_call_and_streams_the_answer() {
    let calls = client_tests::Counter::new();
    let (server, log) = recording_server(move |_, _| {
        let body = if calls.hit() == 0 {
            tool_call_turn()
        } else {
            answer_turn()
        };
        sse_reply("req_resp", vec![body])
    })
    .await;
    let mut printed = String::new();
    let answer =
        responses_stream::ask(&client(&server), "gpt-4.1-mini", "Umbrella in Oslo?", |d| {
            printed.push_str(d)
        })
        .await
        .unwrap();
    assert_eq!(answer, "Light rain in Oslo: take an umbrella.");
    assert_eq!(printed, answer);

    let requests = log.entries();
    assert_eq!(
        requests.len(),
        2,
        "one request for the tool call, one for the answer"
    );
    let first = requests[0].json();
    requests[0].assert_call("POST", "/responses");
    assert_eq!(first["input"], json!("Umbrella in Oslo?"));
    assert_eq!(first["stream"], json!(true));
    assert_eq!(first["tools"][0]["type"], json!("function"));
    assert_eq!(first["tools"][0]["name"], json!("get_weather"));
    assert_eq!(first["tools"][0]["strict"], json!(true));
    assert_eq!(first["tools"][0]["parameters"]["required"], json!(["city"]));
    let second = requests[1].json();
    assert_eq!(second["previous_response_id"], json!("resp_1"));
    let output = &second["input"][0];
    assert_eq!(output["type"], json!("function_call_output"));
    assert_eq!(output["call_id"], json!("call_oslo"));
    let result: Value =
        serde_json::from_str(output["output"].as_str().expect("output is a string")).unwrap();
    assert_eq!(result["city"], json!("Oslo"));
}

#[tokio::test]
async fn upload_file_streams_the_file_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.jsonl");
    let jsonl = b"{\"messages\": []}\n";
    std::fs::write(&path, jsonl).unwrap();
    let (server, log) = recording_server(|_, _| {
        json_reply(
            "req_up",
            json!({"id": "file-1", "object": "file", "bytes": 17, "created_at": 1731000000,
                   "filename": "train.jsonl", "purpose": "fine-tune", "status": "processed"}),
        )
    })
    .await;
    let file = upload_file::upload(&client(&server), &path, "fine-tune".into())
        .await
        .unwrap();
    assert_eq!(file.id, "file-1");
    assert_eq!(file.request_id(), Some("req_up"));
    let seen = only(&log);
    seen.assert_call("POST", "/files");
    assert_eq!(
        seen.multipart(),
        vec![
            Part::file("file", "train.jsonl", "application/octet-stream", jsonl),
            Part::text("purpose", "fine-tune")
        ]
    );
}

#[tokio::test]
async fn speech_to_file_saves_the_audio_in_the_format_of_the_extension() {
    let audio: &[u8] = b"OggS\x00fake opus bytes";
    let (server, log) = recording_server(move |_, _| {
        Reply::bytes("audio/ogg", audio.to_vec()).request_id("req_tts")
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("hello.opus");
    let written = speech_to_file::speak(&client(&server), "Hello there", &output, "marin")
        .await
        .unwrap();
    assert_eq!(written, audio.len() as u64);
    assert_eq!(std::fs::read(&output).unwrap(), audio);
    let seen = only(&log);
    seen.assert_call("POST", "/audio/speech");
    assert_eq!(
        seen.json(),
        json!({"model": "gpt-4o-mini-tts", "input": "Hello there", "voice": "marin", "response_format": "opus"})
    );
}

#[test]
fn the_weather_tool_reads_its_arguments() {
    let result: Value =
        serde_json::from_str(&responses_stream::get_weather("{\"city\":\"Lima\"}")).unwrap();
    assert_eq!(result["city"], json!("Lima"));
}

#[tokio::test]
async fn the_example_extracts_an_event_and_reports_a_refusal() {
    use structured_output::{extract, CalendarEvent, EventKind, Outcome, Participant};
    let answers = [
        json!({"role": "assistant", "refusal": null, "content": json!({
            "name": "Science fair", "date": "2025-05-09", "kind": "social",
            "participants": [{"name": "Alice", "role": null}, {"name": "Bob", "role": "judge"}]
        }).to_string()}),
        json!({"role": "assistant", "content": null, "refusal": "I can't help with that."}),
    ];
    let calls = client_tests::Counter::new();
    let (server, log) = recording_server(move |_, _| {
        json_reply("req_structured", json!({
            "id": "chatcmpl-2", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": null, "message": answers[calls.hit().min(1)]}]
        }))
    })
    .await;
    let client = client(&server);
    let text = "Alice and Bob go to the science fair on 2025-05-09; Bob judges.";
    let outcome = extract(&client, "gpt-4o-mini", text).await.unwrap();
    assert_eq!(
        outcome,
        Outcome::Event(CalendarEvent {
            name: "Science fair".into(),
            date: Some("2025-05-09".into()),
            participants: vec![
                Participant {
                    name: "Alice".into(),
                    role: None
                },
                Participant {
                    name: "Bob".into(),
                    role: Some("judge".into())
                },
            ],
            kind: EventKind::Social,
        })
    );
    let refused = extract(&client, "gpt-4o-mini", "Something else")
        .await
        .unwrap();
    assert_eq!(refused, Outcome::Refused("I can't help with that.".into()));

    let requests = log.entries();
    let format = &requests[0].json()["response_format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["json_schema"]["name"], "CalendarEvent");
    assert_eq!(format["json_schema"]["strict"], true);
    let schema = &format["json_schema"]["schema"];
    // In the order of `properties`: alphabetical, or declared with serde_json's `preserve_order`.
    let mut required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap())
        .collect();
    required.sort_unstable();
    assert_eq!(required, ["date", "kind", "name", "participants"]);
    assert_eq!(
        schema["$defs"]["Participant"]["additionalProperties"],
        false
    );
    assert_eq!(
        schema["properties"]["name"]["description"],
        "A short title for the event."
    );
}
