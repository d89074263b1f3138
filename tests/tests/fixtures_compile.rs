//! Compiles the checked-in snapshot outputs of `codegen/tests/fixtures/` and
//! checks what they mean on the wire: a snapshot cannot drift into code that
//! does not build, and each generator feature is exercised through serde and,
//! for the operations fixture, through a real local server.
//!
//! Generated code reaches the runtime as `crate::runtime`; this shim gives it
//! the real runtime's types and a local `Client` (inherent methods can only be
//! added to a type of the same crate) that delegates to `openai_client::Client`.

#![allow(dead_code, unused_imports)]
// The `operations` fixture holds a module named `operations`, as every generated client does.
#![allow(clippy::module_inception)]

mod runtime {
    pub use openai_client::runtime::{
        de, encode_path_segment, path_param, ser, ArrayFormat, BinaryResponse, Error, EventStream,
        InputFile, Items, Json, Method, MultipartForm, NextPage, PageFuture, Pages, RequestSpec,
        Response, StreamConfig, Webhooks,
    };

    // Auto-paging methods clone the client into the stream they return.
    #[derive(Clone)]
    pub struct Client(pub openai_client::Client);

    impl Client {
        pub async fn execute_json<T: serde::de::DeserializeOwned>(
            &self,
            r: RequestSpec,
        ) -> Result<Response<T>, Error> {
            self.0.execute_json(r).await
        }
        pub async fn execute_listing<T, I>(
            &self,
            r: RequestSpec,
            items: &'static str,
            put: fn(&mut T, Vec<I>),
        ) -> Result<Response<T>, Error>
        where
            T: serde::de::DeserializeOwned,
            I: serde::de::DeserializeOwned + Send,
        {
            self.0.execute_listing(r, items, put).await
        }
        pub async fn execute_empty(&self, r: RequestSpec) -> Result<Response<()>, Error> {
            self.0.execute_empty(r).await
        }
        pub async fn execute_binary(&self, r: RequestSpec) -> Result<BinaryResponse, Error> {
            self.0.execute_binary(r).await
        }
        pub async fn execute_sse<E: serde::de::DeserializeOwned + Send + 'static>(
            &self,
            r: RequestSpec,
            c: StreamConfig,
        ) -> Result<EventStream<E>, Error> {
            self.0.execute_sse(r, c).await
        }
        pub fn webhooks_as<E>(&self) -> Webhooks<E> {
            self.0.webhooks_as()
        }
    }
}

#[path = "../../codegen/tests/fixtures/all_of/expected/mod.rs"]
#[rustfmt::skip]
mod all_of;
#[path = "../../codegen/tests/fixtures/collisions/expected/mod.rs"]
#[rustfmt::skip]
mod collisions;
#[path = "../../codegen/tests/fixtures/constructors/expected/mod.rs"]
#[rustfmt::skip]
mod constructors;
#[path = "../../codegen/tests/fixtures/conversions/expected/mod.rs"]
#[rustfmt::skip]
mod conversions;
#[path = "../../codegen/tests/fixtures/hostile/expected/mod.rs"]
#[rustfmt::skip]
mod hostile;
#[path = "../../codegen/tests/fixtures/keywords/expected/mod.rs"]
#[rustfmt::skip]
mod keywords;
#[path = "../../codegen/tests/fixtures/nullable_30/expected/mod.rs"]
#[rustfmt::skip]
mod nullable_30;
#[path = "../../codegen/tests/fixtures/nullable_31/expected/mod.rs"]
#[rustfmt::skip]
mod nullable_31;
#[path = "../../codegen/tests/fixtures/objects/expected/mod.rs"]
#[rustfmt::skip]
mod objects;
#[path = "../../codegen/tests/fixtures/open_enum/expected/mod.rs"]
#[rustfmt::skip]
mod open_enum;
#[path = "../../codegen/tests/fixtures/operations/expected/mod.rs"]
#[rustfmt::skip]
mod operations;
#[path = "../../codegen/tests/fixtures/pagination/expected/mod.rs"]
#[rustfmt::skip]
mod pagination;
#[path = "../../codegen/tests/fixtures/recursion/expected/mod.rs"]
#[rustfmt::skip]
mod recursion;
#[path = "../../codegen/tests/fixtures/tagged_union/expected/mod.rs"]
#[rustfmt::skip]
mod tagged_union;
#[path = "../../codegen/tests/fixtures/untagged_union/expected/mod.rs"]
#[rustfmt::skip]
mod untagged_union;
#[path = "../../codegen/tests/fixtures/webhooks/expected/mod.rs"]
#[rustfmt::skip]
mod webhooks;

use serde_json::json;

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(
    value: serde_json::Value,
) -> (T, serde_json::Value) {
    let typed: T = serde_json::from_value(value).expect("decodes");
    let back = serde_json::to_value(&typed).expect("encodes");
    (typed, back)
}

#[test]
fn optional_fields_are_omitted_and_required_nullable_are_sent_as_null() {
    let (p, back) = round_trip::<nullable_31::types::Profile>(
        json!({"id": "p1", "nickname": null, "manager": null}),
    );
    assert_eq!(p.nickname, None);
    assert_eq!(
        back,
        json!({"id": "p1", "nickname": null, "manager": null}),
        "age and bio are optional: omitted, not null"
    );
    let (_, back) = round_trip::<nullable_30::types::Profile>(
        json!({"id": "p1", "nickname": "n", "bio": null}),
    );
    assert_eq!(back, json!({"id": "p1", "nickname": "n"}));
}

#[test]
fn unknown_enum_values_and_tags_are_kept() {
    let (m, back) =
        round_trip::<tagged_union::types::Message>(json!({"role": "tool", "content": "x"}));
    assert!(matches!(m, tagged_union::types::Message::Unknown(_)));
    assert_eq!(back, json!({"role": "tool", "content": "x"}));
    let (m, back) = round_trip::<tagged_union::types::Message>(
        json!({"role": "developer", "content": "be brief"}),
    );
    match &m {
        tagged_union::types::Message::System(s) => assert_eq!(s.role.as_str(), "developer"),
        other => panic!("developer maps to the system branch, got {other:?}"),
    }
    assert_eq!(back, json!({"role": "developer", "content": "be brief"}));
    let (s, back) =
        round_trip::<tagged_union::types::Shape>(json!({"kind": "Circle", "radius": 2.0}));
    assert!(matches!(s, tagged_union::types::Shape::Circle(_)));
    assert_eq!(
        back,
        json!({"kind": "Circle", "radius": 2.0}),
        "the tag is written back although Circle has no kind property"
    );
    let (c, _) = round_trip::<objects::types::RecordColor>(json!("ultraviolet"));
    assert_eq!(
        c,
        objects::types::RecordColor::Unknown("ultraviolet".into())
    );
}

#[test]
fn open_enums_accept_any_string() {
    let (m, back) = round_trip::<open_enum::types::RequestModel>(json!("my-fine-tune"));
    assert_eq!(m.as_str(), "my-fine-tune");
    assert_eq!(back, json!("my-fine-tune"));
    assert_eq!(
        serde_json::to_value(open_enum::types::RequestModel::GPT_4O).unwrap(),
        json!("gpt-4o")
    );
}

#[test]
fn untagged_unions_pick_the_matching_shape() {
    use untagged_union::types::Prompt;
    assert!(matches!(
        round_trip::<Prompt>(json!("hi")).0,
        Prompt::Text(_)
    ));
    assert!(matches!(
        round_trip::<Prompt>(json!(["a", "b"])).0,
        Prompt::Texts(_)
    ));
    assert!(matches!(
        round_trip::<Prompt>(json!([1, 2])).0,
        Prompt::Tokens(_)
    ));
    assert!(matches!(
        round_trip::<Prompt>(json!([[1], [2]])).0,
        Prompt::TokenArrays(_)
    ));
    use untagged_union::types::Transcription;
    assert!(matches!(
        round_trip::<Transcription>(json!({"text": "hi"})).0,
        Transcription::Plain(_)
    ));
    let verbose = json!({"text": "hi", "language": "en", "duration": 1.5});
    assert!(
        matches!(
            round_trip::<Transcription>(verbose).0,
            Transcription::Verbose(_)
        ),
        "the richer branch is not lost to the plain one"
    );
}

#[test]
fn constructors_take_values_and_null_is_explicit() {
    use constructors::types::{CreateBatch, FunctionTool, ToolInfo};
    use std::collections::BTreeMap;
    let schema = json!({"type": "object", "properties": {"city": {"type": "string"}}});
    let metadata = BTreeMap::from([("team".to_owned(), "ops".to_owned())]);
    let tool = FunctionTool::new("get_weather", schema.clone(), true, metadata);
    assert_eq!(
        serde_json::to_value(&tool).unwrap(),
        json!({"type": "function", "name": "get_weather", "parameters": schema, "strict": true, "metadata": {"team": "ops"}})
    );
    // Required fields that may be null are sent as null when asked.
    let tool = FunctionTool::new("f", serde_json::Map::new(), false, BTreeMap::new())
        .strict_null2()
        .metadata_null()
        .parameters_null();
    assert_eq!(
        serde_json::to_value(&tool).unwrap(),
        json!({"type": "function", "name": "f", "parameters": null, "strict": null, "metadata": null})
    );
    // Any `Serialize` value goes in as it is, and reads back as JSON.
    #[derive(serde::Serialize)]
    struct Params {
        r#type: &'static str,
    }
    let tool = FunctionTool::new("g", Params { r#type: "object" }, true, BTreeMap::new());
    assert_eq!(tool.parameters.as_deref(), Some(&json!({"type": "object"})));
    // A response-only type keeps its free-form object as a map.
    let info: ToolInfo = serde_json::from_value(json!({"schema": {"a": 1}})).unwrap();
    assert_eq!(info.schema["a"], 1);
    assert_eq!(
        serde_json::to_value(CreateBatch::new().file_ids(vec!["f1".to_owned()])).unwrap(),
        json!({"file_ids": ["f1"]})
    );
}

#[test]
fn values_convert_into_unions_through_inner_unions() {
    use conversions::types::{
        CompactionModel, FunctionCall, FunctionCallOutput, Input, InputItem, Message, Note,
        Request, ResponsesModel, ToolChoice,
    };
    let output = FunctionCallOutput::new("{\"ok\":true}").call_id("call_1");
    let call = FunctionCall::new("get_weather", "{}");
    let request = Request::new()
        .model("gpt-4.1")
        .compaction_model(String::from("my-model"))
        .tool_choice("auto")
        .limit(5)
        .input(vec![output.into(), call.into()])
        .pick(Note::new("n"));
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({
            "model": "gpt-4.1",
            "compaction_model": "my-model",
            "tool_choice": "auto",
            "limit": 5,
            "input": [
                {"type": "function_call_output", "output": "{\"ok\":true}", "call_id": "call_1"},
                {"type": "function_call", "name": "get_weather", "arguments": "{}"}
            ],
            "pick": {"text": "n"}
        })
    );
    // Text takes the branch decoding the same string takes.
    let decoded: ResponsesModel = serde_json::from_value(json!("my-model")).unwrap();
    assert!(matches!(decoded, ResponsesModel::SharedModel(_)));
    assert!(matches!(
        ResponsesModel::from("my-model"),
        ResponsesModel::SharedModel(_)
    ));
    let decoded: CompactionModel = serde_json::from_value(json!("x")).unwrap();
    assert!(matches!(decoded, CompactionModel::ResponsesModel(_)));
    assert!(matches!(
        CompactionModel::from("x"),
        CompactionModel::ResponsesModel(ResponsesModel::SharedModel(_))
    ));
    assert!(matches!(
        InputItem::from(Message::new("user", "hi")),
        InputItem::Message(_)
    ));
    assert_eq!(
        serde_json::to_value(Input::from("hi")).unwrap(),
        json!("hi")
    );
    let _: ToolChoice = String::from("none").into();
}

/// An object that holds a union's fields beside its own (`allOf` of an
/// object and a union): read from text, the union takes the members the
/// declared fields left, in any order; and through a `Value` alike.
#[test]
fn flattened_unions_read_the_members_the_fields_left() {
    use all_of::types::{Pet, PetOnly, Tracked};
    for text in [
        r#"{"stream_id":"s1","kind":"dog","barks":3}"#,
        r#"{"kind":"dog","barks":3,"stream_id":"s1"}"#,
    ] {
        let from_text: Tracked = openai_client::runtime::de::from_str(text).unwrap();
        let from_value: Tracked = serde_json::from_str(text).unwrap();
        for t in [from_text, from_value] {
            assert_eq!(t.stream_id, "s1", "{text}");
            assert!(matches!(&t.variant, Pet::Dog(d) if d.barks == 3), "{text}");
        }
    }
    let only: PetOnly =
        openai_client::runtime::de::from_str(r#"{"kind":"cat","meows":true}"#).unwrap();
    assert!(matches!(only.variant, Pet::Cat(c) if c.meows));
    // Broken after the union's members: still refused.
    let broken = openai_client::runtime::de::from_str::<Tracked>(r#"{"kind":"cat","meows":true,}"#);
    assert!(broken.is_err());
}

#[test]
fn merged_recursive_and_renamed_types_decode() {
    let (d, _) = round_trip::<all_of::types::Document>(
        json!({"id": "d", "title": "t", "tags": ["x"], "status": "draft"}),
    );
    assert_eq!((d.id.as_str(), d.tags.len()), ("d", 1));
    let (n, back) = round_trip::<recursion::types::Node>(
        json!({"value": 1, "next": {"value": 2}, "children": [{"value": 3}]}),
    );
    assert_eq!(n.next.unwrap().value, 2);
    assert_eq!(back["children"][0]["value"], 3);
    // A field boxed for its size reads and writes as the value it holds.
    let (e, back) =
        round_trip::<recursion::types::Envelope>(json!({"large": {"f0": "a", "f42": "z"}}));
    assert_eq!(
        (e.large.f0.as_deref(), e.large.f42.as_deref()),
        (Some("a"), Some("z"))
    );
    assert_eq!(back, json!({"large": {"f0": "a", "f42": "z"}}));
    let (t, back) = round_trip::<keywords::types::Type>(
        json!({"type": "a", "self": "b", "Content-Type": "c", "1st_place": 1}),
    );
    assert_eq!(
        (
            t.r#type.as_deref(),
            t.self_.as_deref(),
            t.content_type.as_deref(),
            t._1st_place
        ),
        (Some("a"), Some("b"), Some("c"), Some(1))
    );
    assert_eq!(
        back,
        json!({"type": "a", "self": "b", "Content-Type": "c", "1st_place": 1})
    );
    let (c, _) = round_trip::<collisions::types::Foo>(json!({"fieldName": "a", "field_name": 2}));
    assert_eq!(
        (c.field_name.as_deref(), c.field_name2),
        (Some("a"), Some(2))
    );
    let (o, back) = round_trip::<objects::types::Open>(json!({"name": "n", "a": 1, "b": 2}));
    assert_eq!(o.additional_properties.len(), 2);
    assert_eq!(back, json!({"name": "n", "a": 1, "b": 2}));
}

#[tokio::test]
async fn operations_fixture_calls_a_real_server() {
    use axum::routing::get;
    let server = client_tests::serve(axum::Router::new().route(
        "/items/{id}",
        get(
            |uri: axum::http::Uri, headers: axum::http::HeaderMap| async move {
                assert_eq!(
                    uri.path(),
                    "/items/a%2Fb",
                    "the id is one percent-encoded segment"
                );
                // `array_query_format: repeat` in the fixture's config; the
                // spec's own `tags[]` keeps its name.
                assert_eq!(
                    uri.query(),
                    Some("expand=x&expand=y&limit=2&tags%5B%5D=t&tags%5B%5D=u")
                );
                assert_eq!(
                    headers.get("OpenAI-Beta").and_then(|v| v.to_str().ok()),
                    Some("v2")
                );
                assert_eq!(
                    headers.get("X-Api-Version").and_then(|v| v.to_str().ok()),
                    Some("2026-01"),
                    "the header the config fixes for this operation"
                );
                axum::Json(json!({"id": "a/b"}))
            },
        ),
    ))
    .await;
    let client = fixture_client(&server);
    let params = operations::params::GetItemParams::new(2)
        .expand(vec!["x".to_owned(), "y".to_owned()])
        .tags(vec!["t".to_owned(), "u".to_owned()])
        .open_ai_beta("v2");
    let item = client.get_item("a/b", &params).await.unwrap();
    assert_eq!(item.id, "a/b");
}

#[tokio::test]
async fn event_and_data_streams_decode_named_events() {
    use axum::routing::post;
    use futures_util::StreamExt;
    let body = "event: item.created\ndata: {\"id\": \"i1\"}\n\nevent: item.future\ndata: {}\n\nevent: item.deleted\ndata: {\"id\": \"i1\"}\n\nevent: done\ndata: [DONE]\n\n";
    let server = client_tests::serve(axum::Router::new().route(
        "/runs",
        post(move || async move { ([("content-type", "text/event-stream")], body) }),
    ))
    .await;
    let client = fixture_client(&server);
    let items: Vec<_> = client.create_run_stream().await.unwrap().collect().await;
    use operations::types::RunStreamEvent;
    let items: Vec<_> = items.into_iter().map(Result::unwrap).collect();
    assert_eq!(items.len(), 4, "{items:?}");
    assert!(
        matches!(&items[0], openai_client::StreamItem::Event(RunStreamEvent::ItemCreated(e)) if e.data.id == "i1"),
        "{items:?}"
    );
    assert!(
        matches!(&items[1], openai_client::StreamItem::Unknown(raw) if raw.event.as_deref() == Some("item.future"))
    );
    assert!(matches!(
        &items[2],
        openai_client::StreamItem::Event(RunStreamEvent::ItemDeleted(_))
    ));
    assert!(matches!(
        &items[3],
        openai_client::StreamItem::Event(RunStreamEvent::Done(_))
    ));
}

#[tokio::test]
async fn an_empty_path_parameter_is_refused_before_sending() {
    // Nothing listens on the discard port: a request that was sent would fail as a connection error.
    let client = runtime::Client(
        openai_client::Client::builder()
            .api_key("k")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap(),
    );
    let params = operations::params::GetItemParams::new(2);
    for value in ["", ".."] {
        let err = client.get_item(value, &params).await.unwrap_err();
        assert!(
            matches!(&err, openai_client::Error::InvalidRequest { message, .. } if message.contains("path parameter `item_id`")),
            "{err:?}"
        );
    }
}

/// The pagination fixture's config gives `listEvents` a rule detection does
/// not know (`cursor` = the page's `next_cursor`): followed over three pages.
#[tokio::test]
async fn a_pagination_rule_from_the_config_is_followed() {
    use futures_util::StreamExt;
    let (server, log) = client_tests::record::recording_server(|seen, _| {
        let query = seen.query.clone().unwrap_or_default();
        let body = match query.as_str() {
            "" => {
                json!({"data": [{"id": "e1"}, {"id": "e2"}], "has_more": true, "next_cursor": "c2"})
            }
            "cursor=c2" => json!({"data": [{"id": "e3"}], "has_more": true, "next_cursor": "c3"}),
            "cursor=c3" => json!({"data": [{"id": "e4"}], "has_more": false}),
            // Anything else ends the listing; the query assertion below names it.
            _ => json!({"data": [], "has_more": false}),
        };
        client_tests::record::Reply::json(body)
    })
    .await;
    let client = fixture_client(&server);
    let ids: Vec<String> = client
        .list_events_auto_paging(&pagination::params::ListEventsParams::new())
        .map(|item| item.unwrap().id)
        .collect()
        .await;
    assert_eq!(ids, ["e1", "e2", "e3", "e4"]);
    let queries: Vec<Option<String>> = log.entries().into_iter().map(|s| s.query).collect();
    assert_eq!(
        queries,
        [
            None,
            Some("cursor=c2".to_owned()),
            Some("cursor=c3".to_owned())
        ]
    );
}

#[test]
fn webhook_events_decode_by_type_and_keep_unknown_ones() {
    use webhooks::types::WebhookEvent;
    // Both `type` values of one payload select its variant.
    for kind in ["job.done", "job.finished"] {
        let event: WebhookEvent =
            serde_json::from_value(json!({"id": "j1", "type": kind})).unwrap();
        assert!(
            matches!(&event, WebhookEvent::JobDone(job) if job.id == "j1"),
            "{event:?}"
        );
        assert_eq!(
            serde_json::to_value(&event).unwrap(),
            json!({"id": "j1", "type": kind})
        );
    }
    let ringing: WebhookEvent =
        serde_json::from_value(json!({"type": "call.ringing", "data": {"caller": null}})).unwrap();
    assert!(
        matches!(&ringing, WebhookEvent::CallRinging(call) if call.data.caller.is_none()),
        "{ringing:?}"
    );
    let unknown = json!({"type": "job.paused", "id": "j2"});
    let event: WebhookEvent = serde_json::from_value(unknown.clone()).unwrap();
    assert!(
        matches!(&event, WebhookEvent::Unknown(raw) if *raw == unknown),
        "{event:?}"
    );
    // The generated method hands the client's secret to the runtime.
    let client = runtime::Client(
        openai_client::Client::builder()
            .api_key("sk-test")
            .webhook_secret("whsec_AAAA")
            .build()
            .unwrap(),
    );
    let hooks: runtime::Webhooks<WebhookEvent> = client.webhooks();
    let error = hooks.unwrap(b"{}", &Default::default()).unwrap_err();
    assert!(
        matches!(
            error,
            openai_client::runtime::WebhookError::MissingHeader { .. }
        ),
        "{error:?}"
    );
}

#[test]
fn recursive_types_nested_without_end_are_refused_not_a_stack_overflow() {
    // A response can nest a recursive type deeper than any stack (a
    // hostile proxy, a broken server): decoding refuses it, as serde_json
    // refuses its 128th level, instead of aborting the process. The test
    // thread has the 2 MiB stack of a tokio worker.
    use recursion::types::Node;
    let next = |n: usize| {
        let open = r#"{"value":1,"next":"#.repeat(n);
        format!(r#"{open}{{"value":1}}{}"#, "}".repeat(n))
    };
    let children = |n: usize| {
        let open = r#"{"value":1,"children":["#.repeat(n);
        format!(r#"{open}{{"value":1}}{}"#, "]}".repeat(n))
    };
    for deep in [next(100_000), children(100_000)] {
        let err = openai_client::runtime::de::from_str::<Node>(&deep).unwrap_err();
        assert!(err.to_string().contains("recursion limit"), "{err}");
    }
    // The limit is serde_json's: as deep as it reads a document, a node
    // chain is read.
    for n in 124..=130 {
        let text = next(n);
        let ours = openai_client::runtime::de::from_str::<Node>(&text).is_ok();
        let reads = serde_json::from_str::<serde_json::Value>(&text).is_ok();
        assert_eq!(ours, reads, "{} nodes", n + 1);
    }
    // And read right: as through serde_json's reader. (Not compared at the
    // limit: writing a value 127 levels deep out again takes more than
    // this stack in a debug build.)
    for text in [next(40), children(40)] {
        let ours: Node = openai_client::runtime::de::from_str(&text).unwrap();
        let theirs: Node = serde_json::from_str(&text).unwrap();
        let value = |node: &Node| serde_json::to_value(node).unwrap();
        assert_eq!(value(&ours), value(&theirs));
    }
    // The arrays between the nodes count as serde_json counts them: 64
    // nodes, each in its parent's `children` (127 levels), are the deepest
    // read, on this 2 MiB stack.
    for n in 61..=66 {
        let text = children(n);
        let ours = openai_client::runtime::de::from_str::<Node>(&text).is_ok();
        let reads = serde_json::from_str::<serde_json::Value>(&text).is_ok();
        assert_eq!(ours, reads, "{} nodes in arrays", n + 1);
    }
    assert!(openai_client::runtime::de::from_str::<Node>(&children(63)).is_ok());
    assert!(openai_client::runtime::de::from_str::<Node>(&children(64)).is_err());
    assert!(openai_client::runtime::de::from_str::<Node>(&children(127)).is_err());
}

/// An optional `data` array of a response that is not a listing (a POST) is
/// decoded as a large body arrives and put back as `Some`; left out, it
/// stays `None`.
#[tokio::test]
async fn an_optional_data_array_is_decoded_as_it_arrives() {
    let (server, log) = client_tests::record::recording_server(|seen, _| {
        let body = match seen.json()["query"].as_str() {
            Some("many") => {
                // 1.4 MB: past the 1 MiB below which a body is decoded whole.
                let data: Vec<_> = (0..60_000)
                    .map(|i| json!({"id": format!("item-{i:08}")}))
                    .collect();
                json!({"data": data})
            }
            _ => json!({}),
        };
        client_tests::record::Reply::json(body)
    })
    .await;
    let client = fixture_client(&server);
    let mut request = pagination::types::SearchItemsRequest::new();
    request.query = Some("many".to_owned());
    let found = client.search_items(&request).await.unwrap().into_inner();
    let ids = found.data.expect("the array");
    assert_eq!(ids.len(), 60_000);
    assert_eq!(ids[59_999].id, "item-00059999");
    request.query = None;
    let none = client.search_items(&request).await.unwrap().into_inner();
    assert!(none.data.is_none());
    assert_eq!(log.entries().len(), 2);
}

/// The config names a listing's array `results`: that member is the one
/// decoded as a large body arrives (an item that does not decode is named
/// under it, which only that path does).
#[tokio::test]
async fn a_list_the_config_names_is_decoded_as_it_arrives() {
    let (server, _log) = client_tests::record::recording_server(|seen, _| {
        // 1.4 MB: past the 1 MiB below which a body is decoded whole.
        let mut results: Vec<_> = (0..60_000)
            .map(|i| json!({"id": format!("item-{i:08}")}))
            .collect();
        if seen.headers.iter().any(|(name, _)| name == "x-broken") {
            results[50_000] = json!({"id": 5});
        }
        client_tests::record::Reply::json(json!({"results": results}))
    })
    .await;
    let client = fixture_client(&server);
    let reports = client.list_reports().await.unwrap().into_inner();
    assert_eq!(reports.results.len(), 60_000);
    assert_eq!(reports.results[59_999].id, "item-00059999");
    let broken = runtime::Client(
        client
            .0
            .with_options(openai_client::RequestOptions::new().header("x-broken", "1")),
    );
    let error = broken.list_reports().await.unwrap_err();
    assert!(
        error.to_string().contains("item 50000 of `results`"),
        "{error}"
    );
}

/// A client of the fixtures' runtime stand-in for `server`.
fn fixture_client(server: &client_tests::TestServer) -> runtime::Client {
    runtime::Client(
        openai_client::Client::builder()
            .api_key("k")
            .base_url(server.base_url.clone())
            .build()
            .unwrap(),
    )
}
