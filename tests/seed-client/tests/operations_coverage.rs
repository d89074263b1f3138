//! Every operation of the spec has a wire test: a new operation without one
//! (or a renamed one) fails here, so CI notices.
//!
//! "Has a wire test" means its method is called as `.<snake_case name>(` in
//! the code of some `tests/seed-client/tests/operations_*.rs`.

use std::collections::BTreeSet;
use std::path::Path;

use client_tests::wire::snake_case;
use serde_json::Value;

fn workspace_file(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The operation IDs of the spec.
fn spec_operation_ids() -> Vec<String> {
    let spec: Value = serde_json::from_str(&workspace_file("specs/openai-2.0.0.json")).unwrap();
    let mut ids = Vec::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for (method, operation) in item.as_object().unwrap() {
            let is_method = [
                "get", "put", "post", "delete", "options", "head", "patch", "trace",
            ]
            .contains(&method.as_str());
            if is_method {
                let id = operation["operationId"].as_str().expect("operationId");
                ids.push(id.to_owned());
            }
        }
    }
    ids
}

/// The code (comment lines dropped) of every `tests/seed-client/tests/operations_*.rs`.
fn operation_test_sources() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut sources = String::new();
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("operations_") && name.ends_with(".rs") {
            files += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                sources.push_str(line);
                sources.push('\n');
            }
        }
    }
    assert!(files >= 6, "operations_*.rs files found: {files}");
    sources
}

/// Names of the methods generated on `Client` (streaming variants included).
fn generated_methods() -> BTreeSet<String> {
    seed_client::GENERATED_SOURCE
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("pub async fn "))
        .map(|rest| rest.split(['(', '<']).next().unwrap().trim().to_owned())
        .collect()
}

#[test]
fn every_operation_has_a_wire_test() {
    let ids = spec_operation_ids();
    assert!(
        ids.len() >= 57,
        "operations in specs/openai-2.0.0.json: {}",
        ids.len()
    );
    let sources = operation_test_sources();
    let methods = generated_methods();

    let untested: Vec<String> = ids
        .iter()
        .map(|id| snake_case(id))
        .filter(|name| !sources.contains(&format!(".{name}(")))
        .collect();
    assert!(
        untested.is_empty(),
        "operations without a wire test: {untested:?}"
    );

    // The spec's operations and the generated methods match one to one
    // (streaming variants aside), and the streaming variants are tested too.
    let snake: BTreeSet<String> = ids.iter().map(|id| snake_case(id)).collect();
    let missing: Vec<&String> = snake.difference(&methods).collect();
    assert!(
        missing.is_empty(),
        "operations without a generated method: {missing:?}"
    );
    let extra: Vec<&String> = methods
        .iter()
        .filter(|m| !snake.contains(*m) && !m.ends_with("_stream"))
        .collect();
    assert!(
        extra.is_empty(),
        "generated methods without an operation: {extra:?}"
    );
    let untested_methods: Vec<&String> = methods
        .iter()
        .filter(|m| !sources.contains(&format!(".{m}(")))
        .collect();
    assert!(
        untested_methods.is_empty(),
        "methods without a wire test: {untested_methods:?}"
    );
}

#[test]
fn snake_case_of_operation_ids() {
    assert_eq!(snake_case("createChatCompletion"), "create_chat_completion");
    assert_eq!(
        snake_case("submitToolOuputsToRun"),
        "submit_tool_ouputs_to_run"
    );
    assert_eq!(snake_case("listFiles"), "list_files");
}
