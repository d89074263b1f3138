//! Auto-pagination on the wire, against a local server: the `…_auto_paging`
//! methods of the shipped client fetch pages lazily, send the right cursor
//! back (`after` = the last item's id for files, the page's `last_id` for
//! conversation items, `next` for groups, the `next_page` token as `page` for
//! usage), stop on `has_more: false`, and end with an error instead of
//! looping when a cursor does not advance.

mod common;

use common::{client, json_reply, recording_server};
use futures_util::StreamExt;
use openai_client::params::{
    ListConversationItemsParams, ListFilesParams, ListGroupsParams, UsageCostsParams,
};
use openai_client::types::ConversationItem;
use openai_client::Error;
use serde_json::{json, Value};

fn file(id: &str) -> Value {
    json!({
        "object": "file", "id": id, "purpose": "batch", "filename": format!("{id}.jsonl"),
        "bytes": 10, "created_at": 1752000000, "status": "processed"
    })
}

/// A files page holding `ids`, with `first_id`/`last_id` as the API writes them.
fn files_page(ids: &[&str], has_more: bool) -> Value {
    json!({
        "object": "list",
        "data": ids.iter().map(|id| file(id)).collect::<Vec<_>>(),
        "first_id": ids.first(),
        "last_id": ids.last(),
        "has_more": has_more
    })
}

fn api_error(status: u16) -> axum::response::Response {
    use axum::response::IntoResponse;
    let body = json!({"error": {"message": "backend hiccup", "type": "server_error", "param": null, "code": null}});
    (
        axum::http::StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn queries(log: &client_tests::Log<common::Seen>) -> Vec<String> {
    log.entries()
        .into_iter()
        .map(|seen| seen.query.unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn files_are_followed_over_three_pages_with_the_last_items_id() {
    let (server, log) = recording_server(|seen, _| {
        use axum::response::IntoResponse;
        let page = match seen.query.as_deref() {
            Some("limit=2&order=asc") => files_page(&["file-1", "file-2"], true),
            Some("limit=2&order=asc&after=file-2") => files_page(&["file-3", "file-4"], true),
            Some("limit=2&order=asc&after=file-4") => files_page(&["file-5"], false),
            _ => return api_error(400),
        };
        json_reply("req_files", page).into_response()
    })
    .await;
    let params = ListFilesParams::new()
        .limit(2)
        .order(openai_client::types::ListFilesOrder::Asc);
    let mut items = client(&server).list_files_auto_paging(&params);

    // Lazy: the first item needs the first page only.
    let first = items.next().await.unwrap().unwrap();
    assert_eq!(first.id, "file-1");
    assert_eq!(
        log.entries().len(),
        1,
        "one page fetched for the first item"
    );

    let rest: Vec<String> = items.map(|f| f.unwrap().id).collect().await;
    assert_eq!(rest, ["file-2", "file-3", "file-4", "file-5"]);
    assert_eq!(
        queries(&log),
        [
            "limit=2&order=asc",
            "limit=2&order=asc&after=file-2",
            "limit=2&order=asc&after=file-4"
        ],
        "the caller's parameters are kept and `after` follows the last item"
    );
    for seen in log.entries() {
        assert_eq!(seen.path, "/v1/files");
        seen.assert_auth();
    }
}

#[tokio::test]
async fn a_caller_cursor_starts_the_listing_and_whole_pages_keep_their_metadata() {
    let (server, log) = recording_server(|seen, index| {
        let page = match seen.query.as_deref() {
            Some("after=file-0") => files_page(&["file-1"], true),
            _ => files_page(&["file-2"], false),
        };
        json_reply(&format!("req_page_{index}"), page)
    })
    .await;
    let pages: Vec<_> = client(&server)
        .list_files_auto_paging(&ListFilesParams::new().after("file-0"))
        .pages()
        .map(Result::unwrap)
        .collect()
        .await;
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].request_id(), Some("req_page_0"));
    assert_eq!(pages[1].request_id(), Some("req_page_1"));
    assert_eq!(pages[1].data[0].id, "file-2");
    assert!(!pages[1].has_more);
    assert_eq!(queries(&log), ["after=file-0", "after=file-1"]);
}

#[tokio::test]
async fn an_empty_first_page_yields_nothing() {
    let empty =
        json!({"object": "list", "data": [], "first_id": null, "last_id": null, "has_more": false});
    let (server, log) = recording_server(move |_, _| json_reply("req_empty", empty.clone())).await;
    let items: Vec<_> = client(&server)
        .list_files_auto_paging(&ListFilesParams::new())
        .collect()
        .await;
    assert!(items.is_empty(), "{items:?}");
    assert_eq!(log.entries().len(), 1);
}

#[tokio::test]
async fn an_error_mid_way_is_yielded_and_ends_the_stream() {
    let (server, log) = recording_server(|_, index| {
        use axum::response::IntoResponse;
        match index {
            0 => json_reply("req_ok", files_page(&["file-1", "file-2"], true)).into_response(),
            _ => api_error(500),
        }
    })
    .await;
    let got: Vec<Result<String, Error>> = client(&server)
        .list_files_auto_paging(&ListFilesParams::new())
        .map(|item| item.map(|f| f.id))
        .collect()
        .await;
    assert_eq!(got.len(), 3, "two items, the error, then nothing: {got:?}");
    assert_eq!(got[0].as_deref().unwrap(), "file-1");
    assert_eq!(got[1].as_deref().unwrap(), "file-2");
    let error = got[2].as_ref().unwrap_err();
    assert!(error.is_server_error(), "{error:?}");
    assert_eq!(
        queries(&log),
        ["", "after=file-2"],
        "no request after the error"
    );
}

fn groups_page(ids: &[&str], next: Option<&str>, has_more: bool) -> Value {
    json!({
        "object": "list",
        "data": ids.iter().map(|id| json!({
            "id": id, "name": format!("group {id}"), "created_at": 1752000000,
            "is_scim_managed": false, "group_type": "custom"
        })).collect::<Vec<_>>(),
        "has_more": has_more,
        "next": next
    })
}

#[tokio::test]
async fn a_cursor_that_does_not_advance_ends_with_an_error_instead_of_looping() {
    // `next` names the cursor the page was fetched with: the same page would come back forever.
    let (server, log) = recording_server(|seen, index| {
        let page = match seen.query.as_deref() {
            None => groups_page(&["g1"], Some("cur-2"), true),
            _ => groups_page(&["g2"], Some("cur-2"), true),
        };
        json_reply(&format!("req_groups_{index}"), page)
    })
    .await;
    // `take` bounds the test should the stream loop.
    let got: Vec<Result<String, Error>> = client(&server)
        .list_groups_auto_paging(&ListGroupsParams::new())
        .map(|item| item.map(|g| g.id))
        .take(10)
        .collect()
        .await;
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[0].as_deref().unwrap(), "g1");
    assert_eq!(got[1].as_deref().unwrap(), "g2");
    match &got[2] {
        Err(error @ Error::Pagination { message, .. }) => {
            assert!(message.contains("cur-2"), "{message}");
            assert_eq!(error.request_id(), Some("req_groups_1"));
        }
        other => panic!("expected a pagination error, got {other:?}"),
    }
    assert_eq!(queries(&log), ["", "after=cur-2"]);

    // `has_more: true` with no items (no last id to continue from) is an error too.
    let (server, log) =
        recording_server(|_, _| json_reply("req_stuck", files_page(&[], true))).await;
    let got: Vec<_> = client(&server)
        .list_files_auto_paging(&ListFilesParams::new())
        .collect()
        .await;
    assert!(
        matches!(got.as_slice(), [Err(Error::Pagination { message, .. })] if message.contains("names no cursor")),
        "{got:?}"
    );
    assert_eq!(log.entries().len(), 1);
}

#[tokio::test]
async fn next_page_tokens_are_sent_back_as_page() {
    let bucket = |start: i64| json!({"object": "bucket", "start_time": start, "end_time": start + 86400, "results": []});
    let (server, log) = recording_server(move |seen, _| {
        let query = seen.query.clone().unwrap_or_default();
        let page = if query.ends_with("page=tok_3") {
            json!({"object": "page", "data": [bucket(3)], "has_more": false, "next_page": null})
        } else if query.ends_with("page=tok_2") {
            json!({"object": "page", "data": [bucket(2)], "has_more": true, "next_page": "tok_3"})
        } else {
            json!({"object": "page", "data": [bucket(0), bucket(1)], "has_more": true, "next_page": "tok_2"})
        };
        json_reply("req_usage", page)
    })
    .await;
    let params = UsageCostsParams::new(1700000000).project_ids(vec!["proj_a".to_owned()]);
    let starts: Vec<i64> = client(&server)
        .usage_costs_auto_paging(&params)
        .map(|bucket| bucket.unwrap().start_time)
        .collect()
        .await;
    assert_eq!(starts, [0, 1, 2, 3]);
    assert_eq!(
        queries(&log),
        [
            "start_time=1700000000&project_ids%5B%5D=proj_a",
            "start_time=1700000000&project_ids%5B%5D=proj_a&page=tok_2",
            "start_time=1700000000&project_ids%5B%5D=proj_a&page=tok_3"
        ]
    );
}

#[tokio::test]
async fn conversation_items_continue_after_the_pages_last_id() {
    let message = |id: &str| {
        json!({"type": "message", "id": id, "status": "completed", "role": "user",
               "content": [{"type": "input_text", "text": "hi"}]})
    };
    let (server, log) = recording_server(move |seen, _| {
        let page = match seen.query.as_deref() {
            Some("limit=1") => json!({"object": "list", "data": [message("msg_1")], "first_id": "msg_1", "last_id": "cursor_1", "has_more": true}),
            Some("limit=1&after=cursor_1") => json!({"object": "list", "data": [message("msg_2")], "first_id": "msg_2", "last_id": "cursor_2", "has_more": true}),
            _ => json!({"object": "list", "data": [message("msg_3")], "first_id": "msg_3", "last_id": "cursor_3", "has_more": false}),
        };
        json_reply("req_items", page)
    })
    .await;
    let items: Vec<ConversationItem> = client(&server)
        .list_conversation_items_auto_paging("conv/1", &ListConversationItemsParams::new().limit(1))
        .map(Result::unwrap)
        .collect()
        .await;
    let ids: Vec<&str> = items
        .iter()
        .map(|item| match item {
            ConversationItem::Message(m) => m.id.as_str(),
            other => panic!("expected a message, got {other:?}"),
        })
        .collect();
    assert_eq!(ids, ["msg_1", "msg_2", "msg_3"]);
    assert_eq!(
        queries(&log),
        [
            "limit=1",
            "limit=1&after=cursor_1",
            "limit=1&after=cursor_2"
        ],
        "`after` is the page's `last_id`, as openai-python's conversation cursor page sends it"
    );
    for seen in log.entries() {
        assert_eq!(
            seen.path, "/v1/conversations/conv%2F1/items",
            "the path id stays one segment"
        );
    }
}
