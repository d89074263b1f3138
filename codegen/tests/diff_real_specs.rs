//! The diff on real OpenAI spec pairs from `../shared/specs/openai` (outside the
//! repository; CI always has it, so a missing directory fails these tests).

use codegen::diff::{diff, Level, Options, Report, RuleId};
use codegen::load::{load_path, parse_value};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn shared(file: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs/openai");
    assert!(dir.is_dir(), "{} is missing: the real-spec diff tests need the official OpenAI specs there", dir.display());
    dir.join(file)
}

fn diff_files(old: &str, new: &str) -> Report {
    let old = load_path(&shared(old)).unwrap_or_else(|e| panic!("{e}"));
    let new = load_path(&shared(new)).unwrap_or_else(|e| panic!("{e}"));
    diff(&old, &new, &Options::default())
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
    assert_eq!(report.counts(), [15, 59, 11, 151], "{}", report.summary());
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
    assert_eq!(report.counts(), [7, 10, 4, 130], "{}", report.summary());
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
    assert_eq!(report.counts(), [201, 146, 163, 1028], "{}\n{:#?}", report.summary(), per_rule(&report));
}
