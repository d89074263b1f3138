//! The diff on real OpenAI spec pairs from `../shared/specs/openai` (outside the
//! repository; CI always has it, so a missing directory fails these tests).

use codegen::config::Config;
use codegen::diff::{diff, Change, Level, Options, Report, RuleId};
use codegen::load::{load_path, parse_value};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn shared(file: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs/openai");
    assert!(dir.is_dir(), "{} is missing: the real-spec diff tests need the official OpenAI specs there", dir.display());
    dir.join(file)
}

/// The codegen configuration the shipped client is generated with.
fn config() -> Config {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs/codegen.yaml");
    Config::from_yaml("specs/codegen.yaml", &std::fs::read_to_string(path).expect("specs/codegen.yaml")).unwrap_or_else(|e| panic!("{e}"))
}

fn diff_files(old: &str, new: &str) -> Report {
    let old = load_path(&shared(old)).unwrap_or_else(|e| panic!("{e}"));
    let new = load_path(&shared(new)).unwrap_or_else(|e| panic!("{e}"));
    diff(&old, &new, &Options { config: config(), ..Options::default() })
}

fn count(report: &Report, rule: RuleId) -> usize {
    report.of_rule(rule).count()
}

fn has(report: &Report, rule: RuleId, location: &str) -> bool {
    report.of_rule(rule).any(|f| f.location == location)
}

fn per_rule(report: &Report) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for f in &report.findings {
        *out.entry(f.rule.id()).or_default() += 1;
    }
    out
}

#[test]
fn v1_2_to_v2_0_reports_the_removed_operations_as_breaking() {
    let report = diff_files("openapi-1.2.0.yaml", "openai_api_spec-2.0.0.json");
    for path in ["/engines", "/engines/{engine_id}", "/engines/{engine_id}/search", "/answers", "/classifications"] {
        let f = report.of_rule(RuleId::PathRemoved).find(|f| f.location == path).unwrap_or_else(|| panic!("{path} not reported as removed"));
        assert_eq!(f.level, Level::BreakingWire);
    }
    let search = report.of_rule(RuleId::PathRemoved).find(|f| f.location == "/engines/{engine_id}/search").expect("checked");
    assert!(search.message.contains("createSearch") && search.message.contains("create_search"), "{}", search.message);
    assert!(has(&report, RuleId::SchemaRemoved, "schema CreateAnswerRequest"));
    assert!(has(&report, RuleId::PathAdded, "/assistants"));
    assert_eq!(count(&report, RuleId::PathRemoved), 5, "{:#?}", per_rule(&report));
    // The header parameter OpenAI-Organization left every operation.
    assert_eq!(count(&report, RuleId::ParameterRemoved), 23);
    assert_eq!(report.counts(), [15, 233, 11, 352], "{}", report.summary());
}

#[test]
fn may_to_august_2024_reports_enum_values_and_removed_schemas() {
    let report = diff_files("history/2024-05-28-14b66f5.yaml", "history/2024-08-28-440c171.yaml");
    let code = "schema VectorStoreFileObject .last_error.code";
    assert!(has(&report, RuleId::ResponseEnumValueAdded, &format!("{code}=\"server_error\"")));
    assert!(has(&report, RuleId::ResponseEnumValueRemoved, &format!("{code}=\"file_not_found\"")));
    // Model ids are an open string (any string or a known id): new ids are new constants.
    assert!(has(&report, RuleId::OpenEnumValueAdded, "schema CreateChatCompletionRequest .model=\"gpt-4o-mini\""));
    assert!(has(&report, RuleId::RequestEnumValueRemoved, "schema AssistantsApiResponseFormatOption |string enum=\"none\""));
    let added = report.of_rule(RuleId::ResponseEnumValueAdded).next().expect("one");
    assert_eq!(added.absorbed, Some(true));
    assert!(added.message.contains("absorbed"), "{}", added.message);
    assert!(has(&report, RuleId::SchemaRemoved, "schema AssistantsApiResponseFormat"));
    let renamed = report.of_rule(RuleId::SchemaRenamed).next().expect("a rename");
    assert_eq!(renamed.location, "schema ChatCompletionRequestUserMessageContentPart");
    assert!(renamed.message.contains("ChatCompletionRequestMessageContentPart"));
    let counts = per_rule(&report);
    assert_eq!(
        (counts.get("response.enum.value-added"), counts.get("response.enum.value-removed"), counts.get("open-enum.value-added"), counts.get("request.enum.value-removed"), counts.get("schema.removed")),
        (Some(&3), Some(&5), Some(&14), Some(&1), Some(&1)),
        "{counts:#?}"
    );
    assert_eq!(report.counts(), [9, 39, 5, 269], "{}", report.summary());
}

/// Properties of component schemas that the old (3.0) file marks `nullable: true`
/// and the new (3.1) file spells with a `null` type or a `null` union branch.
fn reencoded_nullables(old: &Value, new: &Value) -> Vec<(String, String)> {
    let null_branch = |list: Option<&Value>| list.and_then(Value::as_array).is_some_and(|l| l.iter().any(|b| b.get("type") == Some(&Value::from("null"))));
    let mut out = Vec::new();
    let (Some(old_schemas), Some(new_schemas)) = (old.pointer("/components/schemas").and_then(Value::as_object), new.pointer("/components/schemas").and_then(Value::as_object)) else { return out };
    for (name, schema) in old_schemas {
        let Some(props) = schema.get("properties").and_then(Value::as_object) else { continue };
        for (prop, p) in props {
            if p.get("nullable") != Some(&Value::Bool(true)) {
                continue;
            }
            let Some(q) = new_schemas.get(name).and_then(|s| s.pointer(&format!("/properties/{}", prop.replace('~', "~0").replace('/', "~1")))) else { continue };
            let typed = q.get("type").and_then(Value::as_array).is_some_and(|t| t.contains(&Value::from("null")));
            if typed || null_branch(q.get("anyOf")) || null_branch(q.get("oneOf")) {
                out.push((name.clone(), prop.clone()));
            }
        }
    }
    out
}

#[test]
fn openapi_3_0_to_3_1_does_not_report_nullability_reencodings() {
    let (old_file, new_file) = ("history/2025-04-29-498c71d.yaml", "history/2026-05-13-5162af9.yaml");
    let raw = |f: &str| {
        let path = shared(f);
        parse_value(f, &std::fs::read_to_string(&path).expect("readable")).unwrap_or_else(|e| panic!("{e}"))
    };
    let pairs = reencoded_nullables(&raw(old_file), &raw(new_file));
    assert!(pairs.len() > 100, "expected many re-encoded nullable properties, found {}", pairs.len());
    let report = diff_files(old_file, new_file);
    let nullability = [RuleId::ResponseNullableAdded, RuleId::ResponseTypeChangedCompatible, RuleId::RequestTypeNarrowed, RuleId::RequestTypeChangedCompatible];
    let noisy: Vec<String> = report
        .findings
        .iter()
        .filter(|f| nullability.contains(&f.rule) && f.message.contains("nullable"))
        .filter(|f| pairs.iter().any(|(s, p)| f.location == format!("schema {s} .{p}")))
        .map(|f| format!("{} {}: {}", f.rule, f.location, f.message))
        .collect();
    assert!(noisy.is_empty(), "nullability re-encodings reported as changes:\n{}", noisy.join("\n"));
    // The real nullability changes of this pair are still found.
    assert!(has(&report, RuleId::ResponseNullableAdded, "schema AdminApiKey .name"));
    // 583 source findings: five are `Response` growing past the size at
    // which codegen boxes a field (`response` of five stream events).
    assert_eq!(report.counts(), [267, 583, 202, 2003], "{}\n{:#?}", report.summary(), per_rule(&report));
}

/// Doc keys aside, the text of a component schema, to tell whether it changed.
fn shape_of(doc: &Value, name: &str) -> Option<String> {
    fn strip(v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(m.iter().filter(|(k, _)| !matches!(k.as_str(), "description" | "title" | "example" | "examples") && !k.starts_with("x-")).map(|(k, v)| (k.clone(), strip(v))).collect()),
            Value::Array(l) => Value::Array(l.iter().map(strip).collect()),
            other => other.clone(),
        }
    }
    doc.pointer(&format!("/components/schemas/{name}")).map(|v| strip(v).to_string())
}

fn in_group<'r>(report: &'r Report, schema: &str) -> Vec<&'r codegen::diff::Finding> {
    report.findings.iter().filter(|f| f.group == format!("schema {schema}")).collect()
}

/// Issue 10: a schema whose uses moved between versions is compared by its
/// name, and its findings sit at the schema with the operations that use it.
#[test]
fn schemas_whose_uses_moved_are_compared_by_name() {
    let report = diff_files("history/2025-04-29-498c71d.yaml", "history/2026-05-13-5162af9.yaml");
    for gone in ["fable", "nova", "onyx"] {
        assert!(has(&report, RuleId::OpenEnumValueRemoved, &format!("schema VoiceIdsShared =\"{gone}\"")), "{gone}");
        assert!(has(&report, RuleId::ApiRemoved, &format!("api constant VoiceIdsShared::{}", gone.to_uppercase())), "{gone}");
    }
    for new in ["marin", "cedar"] {
        assert!(has(&report, RuleId::OpenEnumValueAdded, &format!("schema VoiceIdsShared =\"{new}\"")), "{new}");
    }
    let voice = report.of_rule(RuleId::OpenEnumValueRemoved).find(|f| f.group == "schema VoiceIdsShared").expect("checked");
    assert!(voice.used_by.iter().any(|u| u == "POST /audio/speech"), "{:?}", voice.used_by);
    for status in ["failed", "incomplete"] {
        assert!(has(&report, RuleId::ResponseEnumValueAdded, &format!("schema CodeInterpreterToolCall .status=\"{status}\"")), "{status}");
    }
    // The `voice` union's new string branch still takes any string: nothing was removed from what clients send.
    let removed: Vec<&str> = report.of_rule(RuleId::RequestUnionVariantRemoved).map(|f| f.location.as_str()).filter(|l| l.contains(".voice")).collect();
    assert!(removed.is_empty(), "{removed:?}");
}

/// Issue 10: schemas no operation names in the spec (the chat stream chunk is
/// the config's stream event type) are compared, in every monthly pair from
/// 2023-07 to 2024-11 where they changed.
#[test]
fn stream_chunk_types_are_compared_in_every_pair_that_changes_them() {
    let dir = shared("history");
    let mut files: Vec<String> = std::fs::read_dir(&dir).expect("history").filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|n| n.ends_with(".yaml") && ("2023-07" ..= "2024-11-99").contains(&&n[..7])).collect();
    files.sort();
    assert_eq!(files.len(), 17, "{files:?}");
    let mut changed = 0;
    for pair in files.windows(2) {
        let (old, new) = (format!("history/{}", pair[0]), format!("history/{}", pair[1]));
        let raw = |f: &str| parse_value(f, &std::fs::read_to_string(shared(f)).expect("readable")).unwrap_or_else(|e| panic!("{e}"));
        if shape_of(&raw(&old), "CreateChatCompletionStreamResponse") == shape_of(&raw(&new), "CreateChatCompletionStreamResponse") {
            continue;
        }
        changed += 1;
        let report = diff_files(&old, &new);
        let found = in_group(&report, "CreateChatCompletionStreamResponse");
        assert!(!found.is_empty(), "{old} → {new}: CreateChatCompletionStreamResponse changed, no finding");
        assert!(found.iter().all(|f| f.used_by.iter().any(|u| u == "POST /chat/completions")), "{old} → {new}: {:?}", found[0].used_by);
    }
    assert!(changed >= 5, "only {changed} pairs change the stream chunk");
}

#[test]
fn stream_delta_roles_and_chat_roles_are_reported() {
    let report = diff_files("history/2023-10-19-e145786.yaml", "history/2023-11-27-23a4b18.yaml");
    assert!(has(&report, RuleId::ResponseEnumValueRemoved, "schema ChatCompletionStreamResponseDelta .role=\"function\""));
    assert!(has(&report, RuleId::ApiRemoved, "api variant ChatCompletionStreamResponseDeltaRole::Function"));
    let report = diff_files("history/2025-01-31-2fb90fe.yaml", "history/2025-02-10-acea67a.yaml");
    assert!(has(&report, RuleId::ResponseEnumValueAdded, "schema ChatCompletionRole =\"developer\""));
}

/// Issue 10: three changes that accept as much as before are not breaking.
#[test]
fn int64_bounds_and_properties_moved_into_includers_are_not_breaking() {
    let report = diff_files("history/2025-03-22-76489c0.yaml", "history/2025-04-29-498c71d.yaml");
    let seed: Vec<&str> = report.of_rule(RuleId::RequestTypeNarrowed).map(|f| f.location.as_str()).filter(|l| l.ends_with(".seed")).collect();
    assert!(seed.is_empty(), "{seed:?}");
    let report = diff_files("history/2026-07-31-117ce56.yaml", "history/2026-08-21-f85dbe2.yaml");
    let tier: Vec<String> = report.findings.iter().filter(|f| f.location.ends_with(".service_tier") && matches!(f.rule, RuleId::RequestPropertyRemoved | RuleId::ResponsePropertyRemovedOptional)).map(|f| format!("{} {}", f.rule, f.location)).collect();
    assert!(tier.is_empty(), "{tier:?}");
}

/// The newest spec against the seed spec breaks the Rust API: the verdict says so.
#[test]
fn the_verdict_of_a_breaking_pair_is_a_minor_bump_before_1_0() {
    let mut report = diff_files("openai_api_spec-2.0.0.json", "openapi-latest.json");
    assert_eq!(report.change(), Change::Breaking);
    report.crate_version = Some("0.4.1".to_owned());
    assert!(report.verdict().ends_with("(0.4.1 → 0.5.0)"), "{}", report.verdict());
    report.crate_version = Some("1.4.1".to_owned());
    assert!(report.verdict().contains("major") && report.verdict().ends_with("(1.4.1 → 2.0.0)"), "{}", report.verdict());
}
