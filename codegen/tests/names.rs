//! Names on the newest OpenAI spec (the vendored facts, and the official file
//! in `../shared` when it is there): no type name over the limit, no numbered
//! variant, every type name unique, the same names on every run, methods that
//! are words, and the report lists the methods not named from the operationId
//! as written.

use codegen::config::Config;
use codegen::ir::{Model, NameSource, TypeKind};
use codegen::names::types::MAX_TYPE_NAME;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn config() -> Config {
    let text = std::fs::read_to_string(root().join("specs/codegen.yaml")).unwrap();
    Config::from_yaml("specs/codegen.yaml", &text).unwrap()
}

/// The newest spec: the vendored copy the client ships from, then the official file if present.
fn newest_specs() -> Vec<(String, codegen::load::Spec)> {
    let shipped = root().join("specs").join(config().spec.expect("codegen.yaml names the shipped spec"));
    let mut out = vec![(shipped.display().to_string(), codegen::load::load_path(&shipped).unwrap())];
    let official = root().join("../shared/specs/openai/openapi-latest.json");
    if official.is_file() {
        out.push((official.display().to_string(), codegen::load::load_path(&official).unwrap()));
    }
    out
}

/// Every generated type name: named types and parameter structs.
fn type_names(model: &Model) -> Vec<&str> {
    model.types.values().map(|t| t.rust_name.as_str()).chain(model.operations.iter().filter_map(|o| o.params_type.as_deref())).collect()
}

/// Variant names of unions that end in a number or say `Variant` (enum
/// values such as `Gpt5` or `Rouge1` are the spec's words, not numbers).
fn numbered_variants(model: &Model) -> Vec<String> {
    let mut out = Vec::new();
    for t in model.types.values() {
        let names: Vec<&str> = match &t.kind {
            TypeKind::Untagged(v) => v.iter().map(|v| v.rust_name.as_str()).collect(),
            // A tag value that carries a number (`c2pa`) is the spec's word.
            TypeKind::Tagged(tagged) => tagged.variants.iter().filter(|v| !v.tag_values.iter().any(|tag| tag.chars().any(|c| c.is_ascii_digit()))).map(|v| v.rust_name.as_str()).collect(),
            _ => continue,
        };
        for n in names {
            if n.ends_with(|c: char| c.is_ascii_digit()) || n.contains("Variant") {
                out.push(format!("{}::{n}", t.rust_name));
            }
        }
    }
    out
}

#[test]
fn newest_spec_names_are_short_unique_stable_and_unnumbered() {
    let config = config();
    for (label, spec) in newest_specs() {
        let model = codegen::lower::lower(&spec, &config).unwrap();
        let names = type_names(&model);
        let long: Vec<&&str> = names.iter().filter(|n| n.len() > MAX_TYPE_NAME).collect();
        assert!(long.is_empty(), "{label}: type names over {MAX_TYPE_NAME} characters: {long:?}");
        let mut seen = BTreeSet::new();
        let dup: Vec<&str> = model.types.values().map(|t| t.rust_name.as_str()).filter(|n| !seen.insert(*n)).collect();
        assert!(dup.is_empty(), "{label}: type names given twice: {dup:?}");
        assert_eq!(numbered_variants(&model), Vec::<String>::new(), "{label}: numbered variant names");
        let numbered: Vec<String> = model.warnings.iter().filter(|w| w.message.contains("is numbered")).map(|w| w.to_string()).collect();
        assert!(numbered.is_empty(), "{label}: names numbered by clash resolution: {numbered:#?}");
        // The same names on a second run.
        let again = codegen::lower::lower(&spec, &config).unwrap();
        assert_eq!(type_names(&model), type_names(&again), "{label}: names differ between runs");
        let methods = |m: &Model| m.operations.iter().map(|o| o.rust_name.clone()).collect::<Vec<_>>();
        assert_eq!(methods(&model), methods(&again));
    }
}

#[test]
fn newest_spec_methods_are_words_and_the_report_lists_the_split_ones() {
    let config = config();
    let (label, spec) = newest_specs().swap_remove(0);
    let generated = codegen::generate(&spec, &config, &label).unwrap();
    let model = &generated.model;
    let method = |id: &str| model.operations.iter().find(|o| o.operation_id == id).unwrap_or_else(|| panic!("{label} has no {id}"));
    for (id, name) in [
        ("getorganizationspendlimit", "get_organization_spend_limit"),
        ("CreateanAPIkeyforaserviceaccount", "create_api_key_for_service_account"),
        ("getinputtokencounts", "get_input_token_counts"),
        ("compactconversation", "compact_conversation"),
        ("createcontentprovenancecheck", "create_content_provenance_check"),
    ] {
        let op = model.operations.iter().find(|o| o.operation_id.eq_ignore_ascii_case(id)).unwrap_or_else(|| panic!("{label} has no {id}"));
        assert_eq!((op.rust_name.as_str(), op.name_source), (name, NameSource::Split), "{id}");
    }
    assert_eq!(method("createChatCompletion").name_source, NameSource::OperationId);
    // The types named after an operation use its words too.
    assert!(model.types.values().all(|t| !t.rust_name.contains("Getinputtokencounts") && !t.rust_name.contains("Compactconversation")));
    // Every method that needed the splitter is in the report, and only those.
    let split = model.operations.iter().filter(|o| o.name_source != NameSource::OperationId).count();
    assert_eq!(generated.summary.method_name_fallbacks.len(), split);
    assert!(split >= 5, "{split}");
    assert!(generated.summary.method_name_fallbacks.iter().any(|l| l.contains("`Getinputtokencounts` → `get_input_token_counts`") || l.contains("`getinputtokencounts` → `get_input_token_counts`")), "{:?}", generated.summary.method_name_fallbacks);
    // A name in the config wins, and is reported as such.
    let mut config = config.clone();
    let compact = method("Compactconversation").operation_id.clone();
    config.method_names.insert(compact.clone(), "compact".to_owned());
    let generated = codegen::generate(&spec, &config, &label).unwrap();
    let op = generated.model.operations.iter().find(|o| o.operation_id == compact).unwrap();
    assert_eq!((op.rust_name.as_str(), op.name_source), ("compact", NameSource::Override));
    assert!(generated.summary.method_name_fallbacks.iter().any(|l| l == &format!("`{compact}` → `compact` (`method_names` in the codegen config)")), "{:?}", generated.summary.method_name_fallbacks);
}
