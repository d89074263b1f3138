//! The calls of issue 13, written the short way against the client of the
//! newest spec: each must compile as written (a regression in the generator's
//! conversions or constructors fails this file's build) and serialize to the
//! JSON the API expects. README's "Using the client" shows the same calls.

use openai_client::types::{
    BetaCompactResponseMethodPublicBody, BetaCreateResponse, ChatCompletionRequestUserMessage,
    CompactResponseMethodPublicBody, CreateChatCompletionRequest, CreateCompletionRequest,
    CreateResponse, CreateSpeechRequest, CreateSpeechRequestModel,
    CreateVectorStoreFileBatchRequest, FunctionCallOutputItemParam, FunctionTool, InputItem,
    UpdateChatCompletionRequest,
};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn to_json(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).expect("request types always serialize")
}

#[test]
fn model_ids_take_str_and_string() {
    assert_eq!(
        to_json(CreateResponse::new().model("gpt-4.1")),
        json!({"model": "gpt-4.1"})
    );
    let model = String::from("o3-pro");
    assert_eq!(
        to_json(CreateResponse::new().model(model)),
        json!({"model": "o3-pro"})
    );
    assert_eq!(
        to_json(BetaCreateResponse::new().model("gpt-4.1")),
        json!({"model": "gpt-4.1"})
    );
    assert_eq!(
        to_json(CompactResponseMethodPublicBody::new("gpt-4.1")),
        json!({"model": "gpt-4.1"})
    );
    assert_eq!(
        to_json(BetaCompactResponseMethodPublicBody::new("gpt-4.1").model_null()),
        json!({"model": null})
    );
    let chat = CreateChatCompletionRequest::new(
        vec![ChatCompletionRequestUserMessage::new("Hello").into()],
        "gpt-4o-mini",
    );
    assert_eq!(
        to_json(chat),
        json!({"messages": [{"role": "user", "content": "Hello"}], "model": "gpt-4o-mini"})
    );
    let speech = CreateSpeechRequest::new(CreateSpeechRequestModel::GPT_4O_MINI_TTS, "Hi", "alloy");
    assert_eq!(
        to_json(speech),
        json!({"model": "gpt-4o-mini-tts", "input": "Hi", "voice": "alloy"})
    );
}

#[test]
fn input_items_go_straight_into_the_request() {
    let output = FunctionCallOutputItemParam::new("{\"celsius\":9}").call_id("call_1");
    let request = CreateResponse::new()
        .model("gpt-4.1")
        .previous_response_id("resp_1")
        .input(vec![output.into()]);
    assert_eq!(
        to_json(request),
        json!({
            "model": "gpt-4.1",
            "previous_response_id": "resp_1",
            "input": [{"type": "function_call_output", "call_id": "call_1", "output": "{\"celsius\":9}"}]
        })
    );
    // One union further in, `From` skips the middle union too.
    let item: InputItem = FunctionCallOutputItemParam::new("done").into();
    assert_eq!(
        to_json(item),
        json!({"type": "function_call_output", "output": "done"})
    );
    assert_eq!(
        to_json(CreateResponse::new().input("Write a haiku.")),
        json!({"input": "Write a haiku."})
    );
}

#[test]
fn required_nullable_fields_take_values() {
    let metadata = BTreeMap::from([("topic".to_owned(), "demo".to_owned())]);
    assert_eq!(
        to_json(UpdateChatCompletionRequest::new(metadata.clone())),
        json!({"metadata": {"topic": "demo"}})
    );
    assert_eq!(
        to_json(UpdateChatCompletionRequest::new(metadata).metadata_null()),
        json!({"metadata": null})
    );
    assert_eq!(
        to_json(CreateCompletionRequest::new(
            "gpt-3.5-turbo-instruct",
            "Say this is a test"
        )),
        json!({"model": "gpt-3.5-turbo-instruct", "prompt": "Say this is a test"})
    );
    let prompts = vec!["one".to_owned(), "two".to_owned()];
    assert_eq!(
        to_json(CreateCompletionRequest::new("davinci-002", prompts)),
        json!({"model": "davinci-002", "prompt": ["one", "two"]})
    );
}

#[test]
fn free_form_parameters_take_any_json() {
    let parameters = json!({"type": "object", "properties": {"city": {"type": "string"}}});
    let tool = FunctionTool::new("get_weather", parameters.clone(), true);
    let request = CreateResponse::new()
        .model("gpt-4.1")
        .tools(vec![tool.into()]);
    assert_eq!(
        to_json(request),
        json!({
            "model": "gpt-4.1",
            "tools": [{"type": "function", "name": "get_weather", "parameters": parameters, "strict": true}]
        })
    );
    // Any `Serialize` value goes in as it is: the caller's own struct, a map.
    #[derive(serde::Serialize)]
    struct Schema {
        r#type: &'static str,
        required: Vec<&'static str>,
    }
    let tool = FunctionTool::new(
        "noop",
        Schema {
            r#type: "object",
            required: vec![],
        },
        false,
    )
    .strict_null();
    assert_eq!(
        to_json(tool),
        json!({"type": "function", "name": "noop", "parameters": {"type": "object", "required": []}, "strict": null})
    );
    let properties = std::collections::HashMap::from([("type", "object")]);
    let tool = FunctionTool::new("map", &properties, true);
    assert_eq!(
        tool.parameters.as_ref().map(|p| &p["type"]),
        Some(&json!("object"))
    );
}

#[test]
fn constraint_only_branches_add_no_argument() {
    let batch = CreateVectorStoreFileBatchRequest::new().file_ids(vec!["file-1".to_owned()]);
    assert_eq!(to_json(batch), json!({"file_ids": ["file-1"]}));
}
