//! Types that never lose data, on the shipped client: untagged unions decode
//! to the branch the value belongs to, properties the spec does not declare
//! survive a round trip and can be set on requests, required fields the
//! server leaves out decode (reported), and int64 bounds written as floats
//! decode.

use openai_client::runtime::de;
use openai_client::types::{
    CreateResponse, InputItem, InputParam, Item, ListFilesResponse, ResponseUsage, ToolChoiceParam,
};
use serde_json::{json, Value};

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(value: &Value) -> (T, Value) {
    let decoded: T = serde_json::from_value(value.clone()).expect("decodes");
    let encoded = serde_json::to_value(&decoded).expect("encodes");
    (decoded, encoded)
}

#[test]
fn a_function_call_output_item_keeps_its_call_id_and_output() {
    let item = json!({"type": "function_call_output", "call_id": "call_1", "output": "42"});
    let (decoded, encoded) = round_trip::<InputItem>(&item);
    assert!(
        matches!(&decoded, InputItem::Item(Item::FunctionCallOutputItemParam(p)) if p.call_id.as_deref() == Some("call_1")),
        "{decoded:?}"
    );
    assert_eq!(encoded, item);
    // The same inside a request body: function calling sends what it was given.
    let request =
        json!({"model": "gpt-4.1", "input": [item, {"type": "item_reference", "id": "msg_1"}]});
    let (_, encoded) = round_trip::<CreateResponse>(&request);
    assert_eq!(encoded, request);
}

#[test]
fn other_items_land_in_their_own_branch() {
    for item in [
        json!({"type": "function_call", "call_id": "call_2", "name": "get_weather", "arguments": "{}"}),
        json!({"type": "item_reference", "id": "msg_1"}),
        json!({"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Thinking."}]}),
        json!({"type": "message", "role": "user", "content": "Hi"}),
    ] {
        let (_, encoded) = round_trip::<InputItem>(&item);
        assert_eq!(encoded, item);
    }
}

#[test]
fn an_mcp_tool_choice_keeps_its_server_label() {
    let choice = json!({"type": "mcp", "server_label": "deepwiki", "name": "ask_question"});
    let (decoded, encoded) = round_trip::<ToolChoiceParam>(&choice);
    assert!(matches!(decoded, ToolChoiceParam::Mcp(_)), "{decoded:?}");
    assert_eq!(encoded, choice);
}

#[test]
fn undeclared_properties_survive_and_can_be_set() {
    let usage = json!({
        "input_tokens": 31, "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": 6, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 37,
        "billed_units": {"compute": 3}
    });
    let (decoded, encoded) = round_trip::<ResponseUsage>(&usage);
    assert_eq!(decoded.extra_fields["billed_units"], json!({"compute": 3}));
    assert_eq!(encoded, usage);

    let request = CreateResponse::new()
        .input(InputParam::TextInput("Hi".into()))
        .extra_field("prompt_cache_retention", "24h");
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({"input": "Hi", "prompt_cache_retention": "24h"})
    );
}

#[test]
fn required_fields_the_server_leaves_out_decode_and_are_reported() {
    // An empty page as the API sends it: the spec says string, the server says null.
    let page =
        json!({"object": "list", "data": [], "first_id": null, "last_id": null, "has_more": false});
    let (decoded, fills) =
        de::collect_fills(|| serde_json::from_value::<ListFilesResponse>(page.clone()));
    let decoded = decoded.expect("an empty page decodes");
    assert_eq!(
        (decoded.first_id.as_str(), decoded.last_id.as_str()),
        ("", "")
    );
    assert_eq!(
        fills,
        [
            "ListFilesResponse.first_id: missing or null, read as empty",
            "ListFilesResponse.last_id: missing or null, read as empty"
        ]
    );
    // A usage object from before `cache_write_tokens` existed.
    let usage = json!({
        "input_tokens": 3, "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 1, "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 4
    });
    let (decoded, fills) =
        de::collect_fills(|| serde_json::from_value::<ResponseUsage>(usage.clone()));
    assert_eq!(decoded.expect("decodes").input_tokens, 3);
    assert_eq!(fills.len(), 1, "{fills:?}");
    // Strict mode: the spec as written.
    let err = de::strict(|| serde_json::from_value::<ListFilesResponse>(page.clone())).unwrap_err();
    assert!(
        err.to_string().contains("missing field `first_id`"),
        "{err}"
    );
}

#[test]
#[allow(deprecated)] // `seed` is deprecated in the spec, and still a field.
fn int64_bounds_written_as_floats_decode() {
    let request = json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}], "seed": 9223372036854776000u64});
    let decoded: openai_client::types::CreateChatCompletionRequest =
        serde_json::from_value(request).unwrap();
    assert_eq!(decoded.seed, Some(i64::MAX));
}

#[test]
fn a_value_that_fits_no_branch_names_the_branches_tried() {
    let err = serde_json::from_value::<InputParam>(json!(42))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("InputParam") && err.contains("TextInput") && err.contains("InputItemList"),
        "{err}"
    );
}

mod common;

#[tokio::test]
async fn a_response_reports_what_it_filled_in_and_strict_clients_refuse_it() {
    use client_tests::TEST_API_KEY;
    use common::{client, json_reply, recording_server};
    let page =
        json!({"object": "list", "data": [], "first_id": null, "last_id": null, "has_more": false});
    let reply = page.clone();
    let (server, _log) = recording_server(move |_, _| json_reply("req_page", reply.clone())).await;
    let params = openai_client::params::ListFilesParams::new();
    let response = client(&server)
        .list_files(&params)
        .await
        .expect("an empty page decodes");
    assert!(response.data.is_empty());
    assert_eq!(
        response.decode_warnings(),
        [
            "ListFilesResponse.first_id: missing or null, read as empty",
            "ListFilesResponse.last_id: missing or null, read as empty"
        ]
    );

    let strict = openai_client::Client::builder()
        .api_key(TEST_API_KEY)
        .base_url(&server.base_url)
        .max_retries(0)
        .strict_decoding(true)
        .build()
        .unwrap();
    let err = strict.list_files(&params).await.unwrap_err();
    assert!(
        err.to_string().contains("missing field `first_id`"),
        "{err}"
    );
    let body: Value =
        serde_json::from_slice(err.body().expect("a decode error keeps the body")).unwrap();
    assert_eq!(body, page);
}
