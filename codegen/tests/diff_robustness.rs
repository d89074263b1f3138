//! The diff on odd and hostile input: it must neither panic nor recurse without
//! bound, whatever the documents contain.

use codegen::diff::report::{render, Format};
use codegen::diff::{diff, fill_lines, Options, Report};
use codegen::load::{load_bytes, Spec};
use serde_json::{json, Value};

fn spec(name: &str, doc: &Value) -> Spec {
    load_bytes(name, serde_json::to_string_pretty(doc).expect("serialisable").as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

/// Diffs and renders in every format, returning the report.
fn run(old: &Value, new: &Value) -> Report {
    run_specs(spec("old.json", old), spec("new.json", new))
}

/// The diff alone on a thread with a small stack (loading is not measured: it has its own needs).
fn run_on_small_stack(old: &Value, new: &Value, kib: usize) -> Report {
    let (old, new) = (spec("old.json", old), spec("new.json", new));
    std::thread::Builder::new().stack_size(kib * 1024).spawn(move || run_specs(old, new)).expect("spawn").join().expect("no stack overflow")
}

fn run_specs(old: Spec, new: Spec) -> Report {
    let mut report = diff(&old, &new, &Options { docs: true, ..Default::default() });
    fill_lines(&mut report, &old, &new);
    for format in [Format::Text, Format::Markdown, Format::Json, Format::Github] {
        assert!(!render(&report, format).is_empty());
    }
    report
}

fn doc(schemas: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"post": {
            "operationId": "x",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Root"}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Root"}}}}}
        }}},
        "components": {"schemas": schemas}
    })
}

#[test]
fn long_reference_chains_do_not_grow_the_stack() {
    // Root → S0 → S1 → … → S2999, each a distinct component: compared through the work queue.
    let chain = |extra: bool| {
        let mut schemas = serde_json::Map::new();
        schemas.insert("Root".into(), json!({"type": "object", "properties": {"next": {"$ref": "#/components/schemas/S0"}}}));
        for i in 0..3000 {
            let mut props = json!({"next": {"$ref": format!("#/components/schemas/S{}", i + 1)}});
            if extra && i == 2999 {
                props["added"] = json!({"type": "string"});
            }
            schemas.insert(format!("S{i}"), json!({"type": "object", "properties": props}));
        }
        schemas.insert("S3000".into(), json!({"type": "string"}));
        doc(Value::Object(schemas))
    };
    let report = run_on_small_stack(&chain(false), &chain(true), 256);
    let found: Vec<&str> = report.findings.iter().map(|f| f.location.as_str()).collect();
    // Both directions on the wire, and the new field of the generated type;
    // and the one field whose type the new field takes past the size at which
    // codegen boxes a field (each level of the chain holds the rest by value).
    assert_eq!(found, ["api field S2958::next", "schema S2999 .added", "schema S2999 .added", "schema S2999 api"], "{found:?}");
}

#[test]
fn differently_named_recursive_types_and_deep_nesting_terminate() {
    // Old refers to A, new to B (both exist on both sides, both self-recursive and deeply nested).
    let mut deep = json!({"type": "string"});
    for _ in 0..40 {
        deep = json!({"type": "object", "properties": {"d": deep}});
    }
    let schemas = json!({
        "Root": {"type": "object", "properties": {"t": {"$ref": "#/components/schemas/A"}}},
        "A": {"type": "object", "properties": {"self": {"$ref": "#/components/schemas/A"}, "other": {"$ref": "#/components/schemas/B"}, "deep": deep}},
        "B": {"type": "object", "properties": {"self": {"$ref": "#/components/schemas/B"}, "other": {"$ref": "#/components/schemas/A"}, "deep": deep}}
    });
    let mut new = schemas.clone();
    new["Root"]["properties"]["t"]["$ref"] = json!("#/components/schemas/B");
    let report = run_on_small_stack(&doc(schemas), &doc(new), 1024);
    // Only `Root.t` changed (on the wire, and in the generated field and setter).
    assert!(report.findings.iter().all(|f| f.location == "schema Root .t" || f.location.starts_with("api ") && f.rust == ["Root::t"]), "{:?}", report.findings);
}

#[test]
fn odd_documents_do_not_panic() {
    let odd = [
        json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}}),
        json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "x", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}}}}}}}}),
        json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/Nope"}, {"name": "q", "in": "query", "content": {"application/json": {"schema": {"type": "array"}}}}], "responses": {"200": {"$ref": "#/components/responses/Gone"}, "2XX": {"description": "x"}}}}}}),
        json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "other.yaml#/Thing"}}}}, "responses": {}}}},
            "components": {"schemas": {"Loop": {"$ref": "#/components/schemas/Loop"}, "SelfAll": {"allOf": [{"$ref": "#/components/schemas/SelfAll"}, {"type": "object"}]}, "U": {"oneOf": [{"$ref": "#/components/schemas/U"}, {"type": "string"}], "discriminator": {"propertyName": "t", "mapping": {"x": "#/components/schemas/Nowhere"}}}}}}),
        json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "security": [{"k": []}], "paths": {"/a/{id}": {"parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "delete": {"security": [], "responses": {"204": {"description": "gone"}}}}},
            "components": {"securitySchemes": {"k": {"type": "apiKey", "in": "header", "name": "k"}}, "schemas": {"E": {"enum": [1, "a", null, {"x": 1}]}, "N": {"type": ["string", "integer", "null"]}}}}),
    ];
    for old in &odd {
        for new in &odd {
            run(old, new);
        }
    }
}
