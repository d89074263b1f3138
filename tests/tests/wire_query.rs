//! Query strings on the wire, as openai-python writes them: a list parameter
//! is sent as `name[]=a&name[]=b` (`include%5B%5D=a`), a parameter the spec
//! itself names `include[]` is not bracketed twice, objects are `name[key]`
//! pairs. (`array_query_format: brackets` in `specs/codegen.yaml`; the
//! `repeat` format is checked on the operations fixture in
//! `fixtures_compile.rs`.)

mod common;

use common::{client, json_reply, only, recording_server};
use openai_client::params::{
    ListAuditLogsParams, ListChatCompletionsParams, ListInputItemsParams, ListRunStepsParams,
    UsageCostsParams,
};
use openai_client::types::{IncludeEnum, ListAuditLogsEffectiveAt, Metadata};
use serde_json::json;

fn empty_page() -> serde_json::Value {
    json!({"object": "list", "data": [], "first_id": null, "last_id": null, "has_more": false})
}

#[tokio::test]
async fn list_parameters_get_brackets() {
    let (server, log) = recording_server(|_, _| json_reply("req_q1", empty_page())).await;
    let params = ListInputItemsParams::new().limit(2).include(vec![
        IncludeEnum::FileSearchCallResults,
        IncludeEnum::ReasoningEncryptedContent,
    ]);
    client(&server)
        .list_input_items("resp_1", &params)
        .await
        .unwrap();
    let seen = only(&log);
    assert_eq!(seen.path, "/v1/responses/resp_1/input_items");
    assert_eq!(
        seen.query.as_deref(),
        Some("limit=2&include%5B%5D=file_search_call.results&include%5B%5D=reasoning.encrypted_content")
    );
}

#[tokio::test]
async fn a_name_the_spec_brackets_is_not_bracketed_twice() {
    let (server, log) = recording_server(|_, _| json_reply("req_q2", empty_page())).await;
    let params = ListRunStepsParams::new().include(vec![
        "step_details.tool_calls[*].file_search.results[*].content".into(),
    ]);
    #[allow(deprecated)]
    client(&server)
        .list_run_steps("thread_1", "run_1", &params)
        .await
        .unwrap();
    let seen = only(&log);
    assert_eq!(
        seen.query.as_deref(),
        Some("include%5B%5D=step_details.tool_calls%5B*%5D.file_search.results%5B*%5D.content")
    );

    let (server, log) = recording_server(|_, _| json_reply("req_q3", empty_page())).await;
    let params = ListAuditLogsParams::new()
        .project_ids(vec!["proj_a".to_owned(), "proj_b".to_owned()])
        .effective_at(ListAuditLogsEffectiveAt::new().gte(1700000000))
        .limit(5);
    client(&server).list_audit_logs(&params).await.unwrap();
    let seen = only(&log);
    assert_eq!(
        seen.query.as_deref(),
        Some("effective_at%5Bgte%5D=1700000000&project_ids%5B%5D=proj_a&project_ids%5B%5D=proj_b&limit=5")
    );
}

#[tokio::test]
async fn several_lists_scalars_and_objects_in_one_query() {
    let usage = json!({"object": "page", "data": [], "has_more": false, "next_page": null});
    let (server, log) = recording_server(move |_, _| json_reply("req_q4", usage.clone())).await;
    let params = UsageCostsParams::new(1700000000)
        .project_ids(vec!["proj_a".to_owned()])
        .api_key_ids(Vec::<String>::new())
        .group_by(vec!["project_id".into(), "line_item".into()])
        .page("tok");
    client(&server).usage_costs(&params).await.unwrap();
    let seen = only(&log);
    assert_eq!(
        seen.query.as_deref(),
        Some("start_time=1700000000&project_ids%5B%5D=proj_a&group_by%5B%5D=project_id&group_by%5B%5D=line_item&page=tok"),
        "an empty list sends nothing"
    );

    let (server, log) = recording_server(|_, _| json_reply("req_q5", empty_page())).await;
    let mut metadata = Metadata::new();
    metadata.insert("team".to_owned(), "core".to_owned());
    let params = ListChatCompletionsParams::new().metadata(metadata);
    client(&server)
        .list_chat_completions(&params)
        .await
        .unwrap();
    assert_eq!(only(&log).query.as_deref(), Some("metadata%5Bteam%5D=core"));
}
