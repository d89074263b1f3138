//! Structured outputs: the strict JSON schema made from Rust types, the
//! response formats built from it on the wire (chat and Responses), and
//! parsing answers into the type.

mod common;

use std::collections::{BTreeSet, HashMap};

use common::{client, json_reply, only, recording_server};
use openai_client::structured::{self, ParseError, SchemaError};
use openai_client::types::{
    ChatCompletionRequestUserMessage, CreateChatCompletionRequest, CreateResponse,
    ResponseTextParam,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

/// Every shape strict mode has to handle: nested and recursive structs,
/// `Option` of scalars, structs and lists, `Vec`s, unit enums, enums with
/// data (external, internal and adjacent tags), a documented struct field (a
/// `$ref` with a sibling), integer widths (schemars' `format`), a field with a
/// default, sets and a renamed field.
#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Report {
    title: String,
    /// Who wrote it (a description beside a `$ref`).
    author: Person,
    reviewers: Vec<Person>,
    editor: Option<Person>,
    note: Option<String>,
    labels: Option<Vec<String>>,
    status: Status,
    shape: Shape,
    payload: Payload,
    tagged: Adjacent,
    score: u8,
    count: i64,
    ratio: f32,
    #[serde(default)]
    pages: u32,
    #[serde(rename = "tree-root")]
    tree: Node,
    keywords: BTreeSet<String>,
    pair: Option<Pair>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Person {
    name: String,
    email: Option<String>,
    address: Option<Address>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Address {
    city: String,
    lines: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum Status {
    Draft,
    InReview,
    Published,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Shape {
    Circle { radius: f64 },
    Rectangle { width: f64, height: f64 },
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
enum Payload {
    Empty,
    Text(String),
    Point { x: i32, y: i32 },
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
#[serde(tag = "t", content = "c")]
enum Adjacent {
    Number(f64),
    Words(Vec<String>),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Node {
    value: i32,
    children: Vec<Node>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)]
struct Pair {
    left: Option<Box<Node>>,
    right: Option<Box<Node>>,
}

/// Calls `check` on every schema in `schema`: the root, `$defs`, properties,
/// items and union branches, with its JSON pointer.
fn each_schema<'a>(schema: &'a Value, pointer: String, check: &mut dyn FnMut(&str, &'a Value)) {
    check(&pointer, schema);
    let Value::Object(fields) = schema else {
        return;
    };
    for keyword in ["$defs", "properties"] {
        if let Some(Value::Object(map)) = fields.get(keyword) {
            for (name, sub) in map {
                each_schema(sub, format!("{pointer}/{keyword}/{name}"), check);
            }
        }
    }
    if let Some(items) = fields.get("items") {
        each_schema(items, format!("{pointer}/items"), check);
    }
    for keyword in ["anyOf", "oneOf", "allOf", "prefixItems"] {
        if let Some(Value::Array(list)) = fields.get(keyword) {
            for (i, sub) in list.iter().enumerate() {
                each_schema(sub, format!("{pointer}/{keyword}/{i}"), check);
            }
        }
    }
}

/// Whether `schema` (resolving a `$ref`) accepts `null`.
fn accepts_null(root: &Value, schema: &Value) -> bool {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/$defs/");
        return accepts_null(root, &root["$defs"][name]);
    }
    match schema.get("type") {
        Some(Value::String(kind)) if kind == "null" => return true,
        Some(Value::Array(kinds)) if kinds.iter().any(|k| k == "null") => return true,
        _ => {}
    }
    ["anyOf", "oneOf"].iter().any(|keyword| {
        schema
            .get(keyword)
            .and_then(Value::as_array)
            .is_some_and(|list| list.iter().any(|s| accepts_null(root, s)))
    })
}

#[test]
fn every_object_of_the_strict_schema_is_strict() {
    let schema = structured::strict_schema::<Report>().unwrap();
    if std::env::var_os("SHOW_SCHEMA").is_some() {
        println!("{schema:#}");
    }
    let mut objects = 0;
    let mut refs = Vec::new();
    each_schema(&schema, String::new(), &mut |at, node| {
        let Value::Object(fields) = node else {
            panic!("{at}: a boolean schema left in {schema:#}");
        };
        assert!(!fields.is_empty(), "{at}: an empty schema accepts anything");
        for keyword in ["oneOf", "allOf", "$schema", "not"] {
            assert!(!fields.contains_key(keyword), "{at}: `{keyword}` left");
        }
        if let Some(reference) = fields.get("$ref") {
            assert_eq!(fields.len(), 1, "{at}: `$ref` with siblings: {node}");
            refs.push(reference.as_str().unwrap().to_owned());
        }
        if let Some(format) = fields.get("format") {
            panic!("{at}: format {format} is not one the API supports");
        }
        let is_object =
            fields.get("type") == Some(&json!("object")) || fields.contains_key("properties");
        if is_object {
            objects += 1;
            assert_eq!(
                fields.get("additionalProperties"),
                Some(&json!(false)),
                "{at}"
            );
            let properties: BTreeSet<&str> = fields["properties"]
                .as_object()
                .unwrap_or_else(|| panic!("{at}: object without properties"))
                .keys()
                .map(String::as_str)
                .collect();
            let required: BTreeSet<&str> = fields["required"]
                .as_array()
                .unwrap_or_else(|| panic!("{at}: no `required`"))
                .iter()
                .map(|name| name.as_str().unwrap())
                .collect();
            assert_eq!(required, properties, "{at}: every property is required");
        }
    });
    assert!(
        objects >= 10,
        "only {objects} objects checked in {schema:#}"
    );
    // Recursion (Node) stays a `$ref`, and every `$ref` resolves.
    assert!(refs.iter().any(|r| r == "#/$defs/Node"), "{refs:?}");
    for reference in &refs {
        let name = reference
            .strip_prefix("#/$defs/")
            .expect("a $defs reference");
        assert!(
            schema["$defs"].get(name).is_some(),
            "{reference} does not resolve"
        );
    }

    // Optional fields answer `null`; the others cannot.
    let properties = &schema["properties"];
    for optional in ["editor", "note", "labels", "pair"] {
        assert!(
            accepts_null(&schema, &properties[optional]),
            "{optional}: {}",
            properties[optional]
        );
    }
    for required in [
        "title",
        "author",
        "reviewers",
        "status",
        "score",
        "pages",
        "tree-root",
    ] {
        assert!(
            !accepts_null(&schema, &properties[required]),
            "{required}: {}",
            properties[required]
        );
    }
    // The documented struct field: its `$ref` inlined under the description.
    assert_eq!(
        properties["author"]["description"],
        "Who wrote it (a description beside a `$ref`)."
    );
    assert_eq!(properties["author"]["type"], "object");
    // Integer widths lose schemars' `format` but keep the bounds.
    assert_eq!(
        properties["score"],
        json!({"type": "integer", "minimum": 0, "maximum": 255})
    );
    // Enums with data become `anyOf`.
    for (name, branches) in [("Payload", 3), ("Shape", 2), ("Adjacent", 2)] {
        let any_of = schema["$defs"][name]["anyOf"].as_array();
        assert_eq!(
            any_of.map(Vec::len),
            Some(branches),
            "{name}: {:#}",
            schema["$defs"][name]
        );
    }
}

#[test]
fn the_strict_schema_does_not_depend_on_being_asked_twice() {
    assert_eq!(
        structured::strict_schema::<Report>().unwrap(),
        structured::strict_schema::<Report>().unwrap()
    );
}

// A small type whose response format is checked byte for byte (a doc
// comment would become its `description`).
#[derive(Debug, PartialEq, Deserialize, JsonSchema)]
struct Answer {
    value: i64,
    unit: Option<String>,
}

/// `value` with every `required` list sorted: the list follows the order of
/// `properties`, which is alphabetical or, when something in the build turns
/// on serde_json's `preserve_order` (the workspace's codegen does), the
/// declaration order.
fn sort_required(mut value: Value) -> Value {
    match &mut value {
        Value::Object(fields) => {
            for (key, field) in fields.iter_mut() {
                let mut taken = std::mem::take(field);
                if key == "required" {
                    if let Value::Array(names) = &mut taken {
                        names.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                    }
                }
                *field = sort_required(taken);
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                *item = sort_required(std::mem::take(item));
            }
        }
        _ => {}
    }
    value
}

fn answer_schema() -> Value {
    json!({
        "title": "Answer",
        "type": "object",
        "properties": {"unit": {"type": ["string", "null"]}, "value": {"type": "integer"}},
        "required": ["unit", "value"],
        "additionalProperties": false
    })
}

#[tokio::test]
async fn chat_request_carries_the_strict_format_and_the_reply_parses() {
    let (server, log) = recording_server(|_, _| {
        json_reply("req_structured", json!({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": null,
                "message": {"role": "assistant", "content": "{\"value\": 42, \"unit\": null}", "refusal": null}}]
        }))
    })
    .await;
    let format = structured::response_format::<Answer>().unwrap();
    let request = CreateChatCompletionRequest::new(
        vec![ChatCompletionRequestUserMessage::new("How many?").into()],
        "gpt-4o-mini",
    )
    .response_format(format);
    let reply = client(&server)
        .create_chat_completion(&request)
        .await
        .unwrap();

    let seen = only(&log);
    seen.assert_call("POST", "/chat/completions");
    assert_eq!(
        sort_required(seen.json()["response_format"].clone()),
        json!({
            "type": "json_schema",
            "json_schema": {"name": "Answer", "schema": answer_schema(), "strict": true}
        })
    );
    let content = reply.choices[0].message.content.as_deref().unwrap();
    let answer: Answer = structured::parse(content).unwrap();
    assert_eq!(
        answer,
        Answer {
            value: 42,
            unit: None
        }
    );
}

#[tokio::test]
async fn responses_request_carries_the_strict_format() {
    let (server, log) = recording_server(|_, _| {
        json_reply(
            "req_structured",
            json!({"id": "resp_1", "object": "response"}),
        )
    })
    .await;
    let format = structured::text_format::<Answer>().unwrap();
    let request = CreateResponse::new()
        .input("How many?")
        .text(ResponseTextParam::new().format(format));
    let _ = client(&server).create_response(&request).await;
    let seen = only(&log);
    seen.assert_call("POST", "/responses");
    assert_eq!(
        sort_required(seen.json()["text"].clone()),
        json!({"format": {"type": "json_schema", "name": "Answer", "schema": answer_schema(), "strict": true}})
    );
}

#[test]
fn a_reply_that_does_not_fit_is_a_typed_error_naming_the_type() {
    for reply in [
        r#"{"value": "many", "unit": null}"#,
        r#"{"unit": "kg"}"#,
        "I cannot answer that",
        "",
    ] {
        let error: ParseError = structured::parse::<Answer>(reply).unwrap_err();
        assert!(
            error.type_name().ends_with("Answer"),
            "{}",
            error.type_name()
        );
        assert!(error.to_string().contains("Answer"), "{error}");
        assert_eq!(error.text(), reply);
        assert!(std::error::Error::source(&error).is_some());
    }
    // Unknown keys are not an error unless the type says so (serde's default).
    assert_eq!(
        structured::parse::<Answer>(r#"{"value": 1, "unit": "kg", "extra": true}"#).unwrap(),
        Answer {
            value: 1,
            unit: Some("kg".into())
        }
    );
}

#[derive(JsonSchema)]
#[allow(dead_code)]
struct WithMap {
    counts: HashMap<String, u32>,
}

#[derive(JsonSchema)]
#[allow(dead_code)]
struct WithAnything {
    name: String,
    extra: Value,
}

#[derive(JsonSchema)]
#[allow(dead_code)]
enum NotAnObject {
    A,
    B,
}

#[test]
fn what_strict_mode_cannot_express_is_a_clear_error() {
    let cases: [(Result<Value, SchemaError>, &str, &str, &str); 3] = [
        (
            structured::strict_schema::<WithMap>(),
            "WithMap",
            "/properties/counts",
            "map",
        ),
        (
            structured::strict_schema::<WithAnything>(),
            "WithAnything",
            "/properties/extra",
            "any JSON value",
        ),
        (
            structured::strict_schema::<NotAnObject>(),
            "NotAnObject",
            "",
            "root must be an object",
        ),
    ];
    for (result, type_name, pointer, needle) in cases {
        let error = result.unwrap_err();
        assert_eq!(error.type_name(), type_name);
        assert_eq!(error.pointer(), pointer);
        assert!(error.to_string().contains(needle), "{error}");
        assert!(error.to_string().contains(type_name), "{error}");
    }
    // The response format helpers pass the error on.
    assert!(structured::response_format::<WithMap>().is_err());
    assert!(structured::text_format::<NotAnObject>().is_err());
}
