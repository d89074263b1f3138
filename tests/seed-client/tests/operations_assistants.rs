//! Wire tests of the assistants (beta) operations: assistants and their
//! files, threads, messages and their files, runs and run steps.

mod common;
use client_tests::wire::{Reply, Wire};
use common::SeedWire;
use seed_client::params::{
    ListAssistantFilesParams, ListAssistantsParams, ListMessageFilesParams, ListMessagesParams,
    ListRunStepsParams, ListRunsParams,
};
use seed_client::types::{
    AssistantObjectToolsItem, AssistantToolsCode, AssistantToolsFunction, AssistantToolsRetrieval,
    CreateAssistantFileRequest, CreateAssistantRequest, CreateMessageRequest, CreateRunRequest,
    CreateThreadAndRunRequest, CreateThreadRequest, FunctionObject, ListAssistantFilesOrder,
    ListAssistantsOrder, ListMessageFilesOrder, ListMessagesOrder, ListRunStepsOrder,
    ListRunsOrder, MessageContentTextObjectAnnotationsItem, MessageObjectContentItem,
    MessageObjectRole, ModifyAssistantRequest, ModifyMessageRequest, ModifyRunRequest,
    ModifyThreadRequest, RunObjectStatus, RunStepDetailsToolCallsCodeObjectOutputsItem,
    RunStepDetailsToolCallsObjectToolCallsItem, RunStepObjectStatus, RunStepObjectStepDetails,
    SubmitToolOutputsRunRequest, SubmitToolOutputsRunRequestToolOutputsItem,
};
use serde_json::{json, Map, Value};

fn map(value: Value) -> Map<String, Value> {
    value.as_object().expect("a JSON object").clone()
}

fn list_json(data: Vec<Value>, first_id: &str, last_id: &str, has_more: bool) -> Value {
    json!({"object": "list", "data": data, "first_id": first_id, "last_id": last_id, "has_more": has_more})
}

// ---------------------------------------------------------------------------
// Assistants.

fn assistant_json(id: &str) -> Value {
    json!({
        "id": id,
        "object": "assistant",
        "created_at": 1698984975,
        "name": "Math Tutor",
        "description": null,
        "model": "gpt-4-1106-preview",
        "instructions": "You are a personal math tutor. When asked a question, write and run Python code to answer the question.",
        "tools": [
            {"type": "code_interpreter"},
            {"type": "function", "function": {
                "name": "get_weather",
                "description": "Weather at a place",
                "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}
            }}
        ],
        "file_ids": ["file-abc123"],
        "metadata": {"team": "math"}
    })
}

#[tokio::test]
async fn list_assistants() {
    let wire = Wire::serve(
        "GET",
        "/assistants",
        Reply::json(list_json(
            vec![assistant_json("asst_abc123"), assistant_json("asst_abc456")],
            "asst_abc123",
            "asst_abc456",
            false,
        ))
        .request_id("req_assistants"),
    )
    .await;

    let params = ListAssistantsParams::new()
        .limit(2)
        .order(ListAssistantsOrder::Desc)
        .after("asst_abc000")
        .before("asst_abc999");
    let resp = wire.seed().list_assistants(&params).await.unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/assistants");
    seen.assert_query(&[
        ("limit", "2"),
        ("order", "desc"),
        ("after", "asst_abc000"),
        ("before", "asst_abc999"),
    ]);
    seen.assert_no_body();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req_assistants"));
    assert_eq!(resp.data.len(), 2);
    assert_eq!(resp.first_id, "asst_abc123");
    assert_eq!(resp.last_id, "asst_abc456");
    assert!(!resp.has_more);
    assert_eq!(resp.data[1].id, "asst_abc456");
}

#[tokio::test]
async fn create_assistant() {
    let wire = Wire::serve(
        "POST",
        "/assistants",
        Reply::json(assistant_json("asst_abc123")).request_id("req_asst_create"),
    )
    .await;
    let function = FunctionObject::new(
        "get_weather",
        map(json!({"type": "object", "properties": {"location": {"type": "string"}}})),
    )
    .description("Weather at a place");
    let body = CreateAssistantRequest::new("gpt-4-1106-preview")
        .name("Math Tutor")
        .description("Helps with maths")
        .instructions("You are a personal math tutor.")
        .tools(vec![
            AssistantToolsCode::new().into(),
            AssistantToolsRetrieval::new().into(),
            AssistantToolsFunction::new(function).into(),
        ])
        .file_ids(vec!["file-abc123".to_owned()])
        .metadata(map(json!({"team": "math"})));

    let resp = wire.seed().create_assistant(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/assistants");
    seen.assert_no_query();
    seen.assert_json(&json!({
        "model": "gpt-4-1106-preview",
        "name": "Math Tutor",
        "description": "Helps with maths",
        "instructions": "You are a personal math tutor.",
        "tools": [
            {"type": "code_interpreter"},
            {"type": "retrieval"},
            {"type": "function", "function": {
                "name": "get_weather",
                "description": "Weather at a place",
                "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}
            }}
        ],
        "file_ids": ["file-abc123"],
        "metadata": {"team": "math"}
    }));
    assert_eq!(resp.request_id(), Some("req_asst_create"));
    assert_eq!(resp.id, "asst_abc123");
    assert_eq!(resp.name.as_deref(), Some("Math Tutor"));
    assert_eq!(resp.description, None);
    assert!(matches!(
        resp.tools[0],
        AssistantObjectToolsItem::CodeInterpreter(_)
    ));
    let AssistantObjectToolsItem::Function(tool) = &resp.tools[1] else {
        panic!("function tool expected: {:?}", resp.tools[1])
    };
    assert_eq!(tool.function.name, "get_weather");
    assert_eq!(resp.file_ids, ["file-abc123"]);
    assert_eq!(resp.metadata.as_ref().unwrap()["team"], "math");
}

#[tokio::test]
async fn get_assistant_encodes_the_id() {
    let wire = Wire::serve(
        "GET",
        "/assistants/asst%2F1",
        Reply::json(assistant_json("asst/1")).request_id("req_asst_get"),
    )
    .await;

    let resp = wire.seed().get_assistant("asst/1").await.unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/assistants/asst%2F1");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_asst_get"));
    assert_eq!(resp.id, "asst/1");
    assert_eq!(resp.model, "gpt-4-1106-preview");
}

#[tokio::test]
async fn modify_assistant() {
    let mut modified = assistant_json("asst_abc123");
    modified["instructions"] = json!("Always answer in rhymes.");
    modified["tools"] = json!([{"type": "retrieval"}]);
    modified["file_ids"] = json!(["file-abc123", "file-abc456"]);
    let wire = Wire::serve(
        "POST",
        "/assistants/asst_abc123",
        Reply::json(modified).request_id("req_asst_modify"),
    )
    .await;
    let body = ModifyAssistantRequest::new()
        .instructions("Always answer in rhymes.")
        .tools(vec![AssistantToolsRetrieval::new().into()])
        .file_ids(vec!["file-abc123".to_owned(), "file-abc456".to_owned()]);

    let resp = wire
        .seed()
        .modify_assistant("asst_abc123", &body)
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/assistants/asst_abc123");
    seen.assert_json(&json!({
        "instructions": "Always answer in rhymes.",
        "tools": [{"type": "retrieval"}],
        "file_ids": ["file-abc123", "file-abc456"]
    }));
    assert_eq!(resp.request_id(), Some("req_asst_modify"));
    assert_eq!(
        resp.instructions.as_deref(),
        Some("Always answer in rhymes.")
    );
    assert!(matches!(
        resp.tools[0],
        AssistantObjectToolsItem::Retrieval(_)
    ));
    assert_eq!(resp.file_ids.len(), 2);
}

#[tokio::test]
async fn delete_assistant() {
    let wire = Wire::serve(
        "DELETE",
        "/assistants/asst_abc123",
        Reply::json(json!({"id": "asst_abc123", "object": "assistant.deleted", "deleted": true}))
            .request_id("req_asst_delete"),
    )
    .await;

    let resp = wire.seed().delete_assistant("asst_abc123").await.unwrap();

    let seen = wire.request();
    seen.assert_call("DELETE", "/assistants/asst_abc123");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_asst_delete"));
    assert_eq!(resp.id, "asst_abc123");
    assert!(resp.deleted);
}

// ---------------------------------------------------------------------------
// Assistant files.

fn assistant_file_json(id: &str) -> Value {
    json!({"id": id, "object": "assistant.file", "created_at": 1699055364, "assistant_id": "asst_abc123"})
}

#[tokio::test]
async fn list_assistant_files() {
    let wire = Wire::serve(
        "GET",
        "/assistants/asst_abc123/files",
        Reply::json(list_json(
            vec![
                assistant_file_json("file-abc123"),
                assistant_file_json("file-abc456"),
            ],
            "file-abc123",
            "file-abc456",
            true,
        ))
        .request_id("req_asst_files"),
    )
    .await;

    let params = ListAssistantFilesParams::new()
        .limit(2)
        .order(ListAssistantFilesOrder::Asc);
    let resp = wire
        .seed()
        .list_assistant_files("asst_abc123", &params)
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/assistants/asst_abc123/files");
    seen.assert_query(&[("limit", "2"), ("order", "asc")]);
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_asst_files"));
    assert!(resp.has_more);
    assert_eq!(resp.data[1].id, "file-abc456");
    assert_eq!(resp.data[0].assistant_id, "asst_abc123");
}

#[tokio::test]
async fn create_assistant_file() {
    let wire = Wire::serve(
        "POST",
        "/assistants/asst_abc123/files",
        Reply::json(assistant_file_json("file-abc123")).request_id("req_asst_file_create"),
    )
    .await;

    let resp = wire
        .seed()
        .create_assistant_file(
            "asst_abc123",
            &CreateAssistantFileRequest::new("file-abc123"),
        )
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/assistants/asst_abc123/files");
    seen.assert_no_query();
    seen.assert_json(&json!({"file_id": "file-abc123"}));
    assert_eq!(resp.request_id(), Some("req_asst_file_create"));
    assert_eq!(resp.id, "file-abc123");
    assert_eq!(resp.created_at, 1699055364);
}

#[tokio::test]
async fn get_assistant_file() {
    let wire = Wire::serve(
        "GET",
        "/assistants/asst_abc123/files/file%20abc",
        Reply::json(assistant_file_json("file abc")).request_id("req_asst_file_get"),
    )
    .await;

    let resp = wire
        .seed()
        .get_assistant_file("asst_abc123", "file abc")
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/assistants/asst_abc123/files/file%20abc");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_asst_file_get"));
    assert_eq!(resp.id, "file abc");
}

#[tokio::test]
async fn delete_assistant_file() {
    let wire = Wire::serve(
        "DELETE",
        "/assistants/asst_abc123/files/file-abc123",
        Reply::json(
            json!({"id": "file-abc123", "object": "assistant.file.deleted", "deleted": true}),
        )
        .request_id("req_asst_file_delete"),
    )
    .await;

    let resp = wire
        .seed()
        .delete_assistant_file("asst_abc123", "file-abc123")
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("DELETE", "/assistants/asst_abc123/files/file-abc123");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_asst_file_delete"));
    assert!(resp.deleted);
}

// ---------------------------------------------------------------------------
// Threads.

fn thread_json(id: &str, metadata: Value) -> Value {
    json!({"id": id, "object": "thread", "created_at": 1699012949, "metadata": metadata})
}

#[tokio::test]
async fn create_thread() {
    let wire = Wire::serve(
        "POST",
        "/threads",
        Reply::json(thread_json("thread_abc123", json!({"user": "123"}))).request_id("req_thread"),
    )
    .await;
    let body = CreateThreadRequest::new()
        .messages(vec![
            CreateMessageRequest::new("Hello, what is AI?")
                .file_ids(vec!["file-abc123".to_owned()]),
            CreateMessageRequest::new("How does AI work? Explain it in simple terms."),
        ])
        .metadata(map(json!({"user": "123"})));

    let resp = wire.seed().create_thread(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/threads");
    seen.assert_no_query();
    seen.assert_json(&json!({
        "messages": [
            {"role": "user", "content": "Hello, what is AI?", "file_ids": ["file-abc123"]},
            {"role": "user", "content": "How does AI work? Explain it in simple terms."}
        ],
        "metadata": {"user": "123"}
    }));
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req_thread"));
    assert_eq!(resp.id, "thread_abc123");
    assert_eq!(resp.metadata.as_ref().unwrap()["user"], "123");
}

#[tokio::test]
async fn create_thread_empty_sends_an_empty_object() {
    let wire = Wire::serve(
        "POST",
        "/threads",
        Reply::json(thread_json("thread_abc124", json!({}))),
    )
    .await;
    wire.seed()
        .create_thread(&CreateThreadRequest::new())
        .await
        .unwrap();
    wire.request().assert_json(&json!({}));
}

#[tokio::test]
async fn get_thread() {
    let wire = Wire::serve(
        "GET",
        "/threads/thread_abc123",
        Reply::json(thread_json("thread_abc123", Value::Null)).request_id("req_thread_get"),
    )
    .await;

    let resp = wire.seed().get_thread("thread_abc123").await.unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/threads/thread_abc123");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_thread_get"));
    assert_eq!(resp.created_at, 1699012949);
    assert_eq!(resp.metadata, None);
}

#[tokio::test]
async fn modify_thread() {
    let wire = Wire::serve(
        "POST",
        "/threads/thread_abc123",
        Reply::json(thread_json(
            "thread_abc123",
            json!({"modified": "true", "user": "abc123"}),
        ))
        .request_id("req_thread_modify"),
    )
    .await;
    let body =
        ModifyThreadRequest::new().metadata(map(json!({"modified": "true", "user": "abc123"})));

    let resp = wire
        .seed()
        .modify_thread("thread_abc123", &body)
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/threads/thread_abc123");
    seen.assert_json(&json!({"metadata": {"modified": "true", "user": "abc123"}}));
    assert_eq!(resp.request_id(), Some("req_thread_modify"));
    assert_eq!(resp.metadata.as_ref().unwrap()["modified"], "true");
}

#[tokio::test]
async fn delete_thread_cannot_escape_its_segment() {
    let wire = Wire::serve(
        "DELETE",
        "/threads/..%2Fassistants",
        Reply::json(json!({"id": "../assistants", "object": "thread.deleted", "deleted": true}))
            .request_id("req_thread_delete"),
    )
    .await;

    let resp = wire.seed().delete_thread("../assistants").await.unwrap();

    let seen = wire.request();
    seen.assert_call("DELETE", "/threads/..%2Fassistants");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_thread_delete"));
    assert_eq!(resp.id, "../assistants");
    assert!(resp.deleted);
}

// ---------------------------------------------------------------------------
// Messages.

fn user_message_json(id: &str, text: &str) -> Value {
    json!({
        "id": id,
        "object": "thread.message",
        "created_at": 1699017614,
        "thread_id": "thread_abc123",
        "role": "user",
        "content": [{"type": "text", "text": {"value": text, "annotations": []}}],
        "file_ids": [],
        "assistant_id": null,
        "run_id": null,
        "metadata": {}
    })
}

fn assistant_message_json() -> Value {
    json!({
        "id": "msg_abc456",
        "object": "thread.message",
        "created_at": 1699017620,
        "thread_id": "thread_abc123",
        "role": "assistant",
        "content": [
            {"type": "text", "text": {
                "value": "The chart is saved as sandbox:/mnt/data/chart.png, based on report.pdf【1†source】.",
                "annotations": [
                    {"type": "file_path", "text": "sandbox:/mnt/data/chart.png",
                     "file_path": {"file_id": "file-chart"}, "start_index": 21, "end_index": 48},
                    {"type": "file_citation", "text": "【1†source】",
                     "file_citation": {"file_id": "file-report", "quote": "revenue grew"},
                     "start_index": 67, "end_index": 77}
                ]
            }},
            {"type": "image_file", "image_file": {"file_id": "file-chart"}}
        ],
        "file_ids": ["file-chart"],
        "assistant_id": "asst_abc123",
        "run_id": "run_abc123",
        "metadata": {}
    })
}

fn text_of(content: &MessageObjectContentItem) -> &str {
    match content {
        MessageObjectContentItem::Text(text) => &text.text.value,
        other => panic!("text content expected: {other:?}"),
    }
}

#[tokio::test]
async fn list_messages() {
    let wire = Wire::serve(
        "GET",
        "/threads/thread_abc123/messages",
        Reply::json(list_json(
            vec![
                assistant_message_json(),
                user_message_json(
                    "msg_abc123",
                    "How does AI work? Explain it in simple terms.",
                ),
            ],
            "msg_abc456",
            "msg_abc123",
            false,
        ))
        .request_id("req_messages"),
    )
    .await;

    let params = ListMessagesParams::new()
        .limit(20)
        .order(ListMessagesOrder::Desc)
        .before("msg_abc999");
    let resp = wire
        .seed()
        .list_messages("thread_abc123", &params)
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/threads/thread_abc123/messages");
    seen.assert_query(&[("limit", "20"), ("order", "desc"), ("before", "msg_abc999")]);
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_messages"));
    let reply = &resp.data[0];
    assert_eq!(reply.role, MessageObjectRole::Assistant);
    assert_eq!(reply.run_id.as_deref(), Some("run_abc123"));
    let MessageObjectContentItem::Text(text) = &reply.content[0] else {
        panic!("text content expected")
    };
    match &text.text.annotations[..] {
        [MessageContentTextObjectAnnotationsItem::FilePath(path), MessageContentTextObjectAnnotationsItem::FileCitation(citation)] =>
        {
            assert_eq!(path.file_path.file_id, "file-chart");
            assert_eq!(path.start_index, 21);
            assert_eq!(citation.file_citation.quote, "revenue grew");
        }
        other => panic!("annotations: {other:?}"),
    }
    let MessageObjectContentItem::ImageFile(image) = &reply.content[1] else {
        panic!("image content expected")
    };
    assert_eq!(image.image_file.file_id, "file-chart");
    assert_eq!(resp.data[1].role, MessageObjectRole::User);
    assert_eq!(
        text_of(&resp.data[1].content[0]),
        "How does AI work? Explain it in simple terms."
    );
}

#[tokio::test]
async fn create_message() {
    let wire = Wire::serve(
        "POST",
        "/threads/thread_abc123/messages",
        Reply::json(user_message_json(
            "msg_abc123",
            "How does AI work? Explain it in simple terms.",
        ))
        .request_id("req_message_create"),
    )
    .await;
    let body = CreateMessageRequest::new("How does AI work? Explain it in simple terms.")
        .file_ids(vec!["file-abc123".to_owned()])
        .metadata(map(json!({"question_id": "q-1"})));

    let resp = wire
        .seed()
        .create_message("thread_abc123", &body)
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/threads/thread_abc123/messages");
    seen.assert_no_query();
    seen.assert_json(&json!({
        "role": "user",
        "content": "How does AI work? Explain it in simple terms.",
        "file_ids": ["file-abc123"],
        "metadata": {"question_id": "q-1"}
    }));
    assert_eq!(resp.request_id(), Some("req_message_create"));
    assert_eq!(resp.id, "msg_abc123");
    assert_eq!(resp.thread_id, "thread_abc123");
    assert_eq!(resp.assistant_id, None);
    assert_eq!(
        text_of(&resp.content[0]),
        "How does AI work? Explain it in simple terms."
    );
}

#[tokio::test]
async fn get_message_encodes_both_ids() {
    let wire = Wire::serve(
        "GET",
        "/threads/thread%2F1/messages/msg%20a",
        Reply::json(user_message_json("msg a", "Hi")).request_id("req_message_get"),
    )
    .await;

    let resp = wire.seed().get_message("thread/1", "msg a").await.unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/threads/thread%2F1/messages/msg%20a");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_message_get"));
    assert_eq!(resp.id, "msg a");
    assert_eq!(text_of(&resp.content[0]), "Hi");
}

#[tokio::test]
async fn modify_message() {
    let mut modified = user_message_json("msg_abc123", "Hi");
    modified["metadata"] = json!({"modified": "true", "user": "abc123"});
    let wire = Wire::serve(
        "POST",
        "/threads/thread_abc123/messages/msg_abc123",
        Reply::json(modified).request_id("req_message_modify"),
    )
    .await;
    let body =
        ModifyMessageRequest::new().metadata(map(json!({"modified": "true", "user": "abc123"})));

    let resp = wire
        .seed()
        .modify_message("thread_abc123", "msg_abc123", &body)
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/threads/thread_abc123/messages/msg_abc123");
    seen.assert_json(&json!({"metadata": {"modified": "true", "user": "abc123"}}));
    assert_eq!(resp.request_id(), Some("req_message_modify"));
    assert_eq!(resp.metadata.as_ref().unwrap()["user"], "abc123");
}

// ---------------------------------------------------------------------------
// Message files.

fn message_file_json(id: &str) -> Value {
    json!({"id": id, "object": "thread.message.file", "created_at": 1698107661, "message_id": "msg_abc123"})
}

#[tokio::test]
async fn list_message_files() {
    let wire = Wire::serve(
        "GET",
        "/threads/thread_abc123/messages/msg_abc123/files",
        Reply::json(list_json(
            vec![
                message_file_json("file-abc123"),
                message_file_json("file-abc456"),
            ],
            "file-abc123",
            "file-abc456",
            false,
        ))
        .request_id("req_message_files"),
    )
    .await;

    let params = ListMessageFilesParams::new()
        .order(ListMessageFilesOrder::Asc)
        .after("file-abc000");
    let resp = wire
        .seed()
        .list_message_files("thread_abc123", "msg_abc123", &params)
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/threads/thread_abc123/messages/msg_abc123/files");
    seen.assert_query(&[("order", "asc"), ("after", "file-abc000")]);
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_message_files"));
    assert_eq!(resp.data.len(), 2);
    assert_eq!(resp.data[0].message_id, "msg_abc123");
}

#[tokio::test]
async fn get_message_file() {
    let wire = Wire::serve(
        "GET",
        "/threads/thread_abc123/messages/msg_abc123/files/file-abc123",
        Reply::json(message_file_json("file-abc123")).request_id("req_message_file"),
    )
    .await;

    let resp = wire
        .seed()
        .get_message_file("thread_abc123", "msg_abc123", "file-abc123")
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call(
        "GET",
        "/threads/thread_abc123/messages/msg_abc123/files/file-abc123",
    );
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_message_file"));
    assert_eq!(resp.id, "file-abc123");
    assert_eq!(resp.created_at, 1698107661);
}

// ---------------------------------------------------------------------------
// Runs.

fn run_json(id: &str, status: &str) -> Value {
    json!({
        "id": id,
        "object": "thread.run",
        "created_at": 1699063290,
        "assistant_id": "asst_abc123",
        "thread_id": "thread_abc123",
        "status": status,
        "started_at": 1699063290,
        "expires_at": 1699063890,
        "cancelled_at": null,
        "failed_at": null,
        "completed_at": null,
        "last_error": null,
        "required_action": null,
        "model": "gpt-4-1106-preview",
        "instructions": "You are a personal math tutor.",
        "tools": [{"type": "code_interpreter"}],
        "file_ids": ["file-abc123"],
        "metadata": {}
    })
}

#[tokio::test]
async fn create_thread_and_run() {
    let wire = Wire::serve(
        "POST",
        "/threads/runs",
        Reply::json(run_json("run_abc123", "queued")).request_id("req_thread_run"),
    )
    .await;
    let body = CreateThreadAndRunRequest::new("asst_abc123")
        .thread(
            CreateThreadRequest::new().messages(vec![CreateMessageRequest::new(
                "Explain deep learning to a 5 year old.",
            )]),
        )
        .model("gpt-4-1106-preview")
        .instructions("Answer simply.")
        .tools(vec![AssistantToolsCode::new().into()])
        .metadata(map(json!({"source": "wire-test"})));

    let resp = wire.seed().create_thread_and_run(&body).await.unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/threads/runs");
    seen.assert_no_query();
    seen.assert_json(&json!({
        "assistant_id": "asst_abc123",
        "thread": {"messages": [{"role": "user", "content": "Explain deep learning to a 5 year old."}]},
        "model": "gpt-4-1106-preview",
        "instructions": "Answer simply.",
        "tools": [{"type": "code_interpreter"}],
        "metadata": {"source": "wire-test"}
    }));
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.request_id(), Some("req_thread_run"));
    assert_eq!(resp.id, "run_abc123");
    assert_eq!(resp.status, RunObjectStatus::Queued);
    assert_eq!(resp.expires_at, 1699063890);
}

#[tokio::test]
async fn list_runs() {
    let mut completed = run_json("run_abc456", "completed");
    completed["completed_at"] = json!(1699063291);
    let wire = Wire::serve(
        "GET",
        "/threads/thread_abc123/runs",
        Reply::json(list_json(
            vec![run_json("run_abc123", "in_progress"), completed],
            "run_abc123",
            "run_abc456",
            false,
        ))
        .request_id("req_runs"),
    )
    .await;

    let params = ListRunsParams::new().limit(2).order(ListRunsOrder::Asc);
    let resp = wire
        .seed()
        .list_runs("thread_abc123", &params)
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/threads/thread_abc123/runs");
    seen.assert_query(&[("limit", "2"), ("order", "asc")]);
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_runs"));
    assert_eq!(resp.data[0].status, RunObjectStatus::InProgress);
    assert_eq!(resp.data[1].status, RunObjectStatus::Completed);
    assert_eq!(resp.data[1].completed_at, Some(1699063291));
}

#[tokio::test]
async fn create_run() {
    let wire = Wire::serve(
        "POST",
        "/threads/thread_abc123/runs",
        Reply::json(run_json("run_abc123", "queued")).request_id("req_run_create"),
    )
    .await;
    let body = CreateRunRequest::new("asst_abc123")
        .instructions("Please address the user as Jane Doe.")
        .tools(vec![AssistantToolsRetrieval::new().into()]);

    let resp = wire
        .seed()
        .create_run("thread_abc123", &body)
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/threads/thread_abc123/runs");
    seen.assert_no_query();
    seen.assert_json(&json!({
        "assistant_id": "asst_abc123",
        "instructions": "Please address the user as Jane Doe.",
        "tools": [{"type": "retrieval"}]
    }));
    assert_eq!(resp.request_id(), Some("req_run_create"));
    assert_eq!(resp.thread_id, "thread_abc123");
    assert_eq!(resp.file_ids, ["file-abc123"]);
}

#[tokio::test]
async fn get_run() {
    let mut waiting = run_json("run_abc123", "requires_action");
    waiting["required_action"] = json!({
        "type": "submit_tool_outputs",
        "submit_tool_outputs": {"tool_calls": [{
            "id": "call_abc123",
            "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"location\": \"Paris\"}"}
        }]}
    });
    let wire = Wire::serve(
        "GET",
        "/threads/thread_abc123/runs/run_abc123",
        Reply::json(waiting).request_id("req_run_get"),
    )
    .await;

    let resp = wire
        .seed()
        .get_run("thread_abc123", "run_abc123")
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/threads/thread_abc123/runs/run_abc123");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_run_get"));
    assert_eq!(resp.status, RunObjectStatus::RequiresAction);
    let calls = &resp
        .required_action
        .as_ref()
        .unwrap()
        .submit_tool_outputs
        .tool_calls;
    assert_eq!(calls[0].id, "call_abc123");
    assert_eq!(calls[0].function.name, "get_weather");
}

#[tokio::test]
async fn modify_run() {
    let mut modified = run_json("run_abc123", "completed");
    modified["metadata"] = json!({"user_id": "user_abc123"});
    let wire = Wire::serve(
        "POST",
        "/threads/thread_abc123/runs/run_abc123",
        Reply::json(modified).request_id("req_run_modify"),
    )
    .await;
    let body = ModifyRunRequest::new().metadata(map(json!({"user_id": "user_abc123"})));

    let resp = wire
        .seed()
        .modify_run("thread_abc123", "run_abc123", &body)
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/threads/thread_abc123/runs/run_abc123");
    seen.assert_json(&json!({"metadata": {"user_id": "user_abc123"}}));
    assert_eq!(resp.request_id(), Some("req_run_modify"));
    assert_eq!(resp.metadata.as_ref().unwrap()["user_id"], "user_abc123");
}

#[tokio::test]
async fn submit_tool_ouputs_to_run() {
    let wire = Wire::serve(
        "POST",
        "/threads/thread_abc123/runs/run_abc123/submit_tool_outputs",
        Reply::json(run_json("run_abc123", "queued")).request_id("req_tool_outputs"),
    )
    .await;
    let body = SubmitToolOutputsRunRequest::new(vec![
        SubmitToolOutputsRunRequestToolOutputsItem::new()
            .tool_call_id("call_abc123")
            .output("28C"),
        SubmitToolOutputsRunRequestToolOutputsItem::new().tool_call_id("call_abc456"),
    ]);

    let resp = wire
        .seed()
        .submit_tool_ouputs_to_run("thread_abc123", "run_abc123", &body)
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call(
        "POST",
        "/threads/thread_abc123/runs/run_abc123/submit_tool_outputs",
    );
    seen.assert_no_query();
    seen.assert_json(&json!({
        "tool_outputs": [
            {"tool_call_id": "call_abc123", "output": "28C"},
            {"tool_call_id": "call_abc456"}
        ]
    }));
    assert_eq!(resp.request_id(), Some("req_tool_outputs"));
    assert_eq!(resp.status, RunObjectStatus::Queued);
}

#[tokio::test]
async fn cancel_run() {
    let mut cancelling = run_json("run_abc123", "cancelling");
    cancelling["cancelled_at"] = json!(1699075072);
    let wire = Wire::serve(
        "POST",
        "/threads/thread_abc123/runs/run%20abc/cancel",
        Reply::json(cancelling).request_id("req_run_cancel"),
    )
    .await;

    let resp = wire
        .seed()
        .cancel_run("thread_abc123", "run abc")
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("POST", "/threads/thread_abc123/runs/run%20abc/cancel");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_run_cancel"));
    assert_eq!(resp.status, RunObjectStatus::Cancelling);
    assert_eq!(resp.cancelled_at, Some(1699075072));
}

// ---------------------------------------------------------------------------
// Run steps.

fn message_step_json(id: &str) -> Value {
    json!({
        "id": id,
        "object": "thread.run.step",
        "created_at": 1699063291,
        "run_id": "run_abc123",
        "assistant_id": "asst_abc123",
        "thread_id": "thread_abc123",
        "type": "message_creation",
        "status": "completed",
        "cancelled_at": null,
        "completed_at": 1699063291,
        "expired_at": null,
        "failed_at": null,
        "last_error": null,
        "step_details": {"type": "message_creation", "message_creation": {"message_id": "msg_abc123"}},
        "metadata": null
    })
}

fn tool_step_json(id: &str) -> Value {
    let mut step = message_step_json(id);
    step["type"] = json!("tool_calls");
    step["status"] = json!("in_progress");
    step["completed_at"] = Value::Null;
    step["step_details"] = json!({
        "type": "tool_calls",
        "tool_calls": [
            {"id": "call_code", "type": "code_interpreter", "code_interpreter": {
                "input": "print(2 + 2)",
                "outputs": [
                    {"type": "logs", "logs": "4\n"},
                    {"type": "image", "image": {"file_id": "file-plot"}}
                ]
            }},
            {"id": "call_retrieval", "type": "retrieval", "retrieval": {}},
            {"id": "call_fn", "type": "function", "function": {
                "name": "get_weather", "arguments": "{\"location\": \"Paris\"}", "output": null
            }}
        ]
    });
    step
}

#[tokio::test]
async fn list_run_steps() {
    let wire = Wire::serve(
        "GET",
        "/threads/thread_abc123/runs/run_abc123/steps",
        Reply::json(list_json(
            vec![
                message_step_json("step_abc123"),
                tool_step_json("step_abc456"),
            ],
            "step_abc123",
            "step_abc456",
            false,
        ))
        .request_id("req_steps"),
    )
    .await;

    let params = ListRunStepsParams::new()
        .limit(10)
        .order(ListRunStepsOrder::Desc)
        .after("step_abc000")
        .before("step_abc999");
    let resp = wire
        .seed()
        .list_run_steps("thread_abc123", "run_abc123", &params)
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/threads/thread_abc123/runs/run_abc123/steps");
    seen.assert_query(&[
        ("limit", "10"),
        ("order", "desc"),
        ("after", "step_abc000"),
        ("before", "step_abc999"),
    ]);
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_steps"));
    let RunStepObjectStepDetails::MessageCreation(created) = &resp.data[0].step_details else {
        panic!("message creation expected: {:?}", resp.data[0].step_details)
    };
    assert_eq!(created.message_creation.message_id, "msg_abc123");
    assert_eq!(resp.data[1].status, RunStepObjectStatus::InProgress);
    let RunStepObjectStepDetails::ToolCalls(details) = &resp.data[1].step_details else {
        panic!("tool calls expected: {:?}", resp.data[1].step_details)
    };
    match &details.tool_calls[..] {
        [RunStepDetailsToolCallsObjectToolCallsItem::CodeInterpreter(code), RunStepDetailsToolCallsObjectToolCallsItem::Retrieval(retrieval), RunStepDetailsToolCallsObjectToolCallsItem::Function(function)] =>
        {
            assert_eq!(code.code_interpreter.input, "print(2 + 2)");
            assert!(matches!(
                &code.code_interpreter.outputs[..],
                [
                    RunStepDetailsToolCallsCodeObjectOutputsItem::Logs(logs),
                    RunStepDetailsToolCallsCodeObjectOutputsItem::Image(image)
                ] if logs.logs == "4\n" && image.image.file_id == "file-plot"
            ));
            assert_eq!(retrieval.id, "call_retrieval");
            assert_eq!(function.function.name, "get_weather");
            assert_eq!(function.function.output, None);
        }
        other => panic!("tool calls: {other:?}"),
    }
}

#[tokio::test]
async fn get_run_step_encodes_every_id() {
    let wire = Wire::serve(
        "GET",
        "/threads/t%201/runs/r%2F2/steps/..%2Fstep",
        Reply::json(message_step_json("../step")).request_id("req_step"),
    )
    .await;

    let resp = wire
        .seed()
        .get_run_step("t 1", "r/2", "../step")
        .await
        .unwrap();

    let seen = wire.request();
    seen.assert_call("GET", "/threads/t%201/runs/r%2F2/steps/..%2Fstep");
    seen.assert_no_query();
    seen.assert_no_body();
    assert_eq!(resp.request_id(), Some("req_step"));
    assert_eq!(resp.id, "../step");
    assert_eq!(resp.status, RunStepObjectStatus::Completed);
    assert_eq!(resp.completed_at, Some(1699063291));
    assert_eq!(resp.metadata, None);
}
