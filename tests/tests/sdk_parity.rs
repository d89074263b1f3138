//! Headers openai-python sends that the spec does not declare: `OpenAI-Beta:
//! assistants=v2` on the assistants and vector store APIs (from
//! `specs/codegen.yaml`), replaceable per request, and absent elsewhere.

// The assistants API is deprecated in the spec, and still served.
#![allow(deprecated)]

mod common;

use common::{client, json_reply, only, recording_server};
use openai_client::params::{ListAssistantsParams, ListFilesParams, ListVectorStoresParams};
use openai_client::RequestOptions;
use serde_json::json;

fn empty_page() -> serde_json::Value {
    json!({"object": "list", "data": [], "first_id": "a", "last_id": "b", "has_more": false})
}

#[tokio::test]
async fn assistants_and_vector_stores_send_the_beta_header() {
    let (server, log) = recording_server(|_, _| json_reply("req_1", empty_page())).await;
    client(&server)
        .list_assistants(&ListAssistantsParams::new())
        .await
        .unwrap();
    assert_eq!(only(&log).header("openai-beta"), Some("assistants=v2"));

    let (server, log) = recording_server(|_, _| json_reply("req_2", empty_page())).await;
    client(&server)
        .list_vector_stores(&ListVectorStoresParams::new())
        .await
        .unwrap();
    assert_eq!(only(&log).header("openai-beta"), Some("assistants=v2"));
}

#[tokio::test]
async fn a_caller_replaces_the_beta_header_and_other_apis_do_not_send_it() {
    let (server, log) = recording_server(|_, _| json_reply("req_3", empty_page())).await;
    client(&server)
        .with_options(RequestOptions::new().header("OpenAI-Beta", "assistants=v3"))
        .list_assistants(&ListAssistantsParams::new())
        .await
        .unwrap();
    let seen = only(&log);
    assert_eq!(seen.header("openai-beta"), Some("assistants=v3"));

    let (server, log) = recording_server(|_, _| json_reply("req_4", empty_page())).await;
    client(&server)
        .list_files(&ListFilesParams::new())
        .await
        .unwrap();
    assert_eq!(only(&log).header("openai-beta"), None);
}
