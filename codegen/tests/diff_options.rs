//! Level overrides and ignore files on a fixture with a warning and a breaking finding.

use codegen::diff::{diff, FailOn, IgnoreList, Level, LevelOverrides, Options, Report, RuleId};
use codegen::load::load_path;
use std::path::Path;

/// The report of a fixture (`allof-bases`: breaking-wire at `schema Base .created`,
/// info at `schema Thing .color`, and the generated API's `api.*` findings).
fn report(fixture: &str) -> Report {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff").join(fixture);
    let old = load_path(&dir.join("old.yaml")).expect("loads");
    let new = load_path(&dir.join("new.yaml")).expect("loads");
    diff(&old, &new, &Options::default())
}

#[test]
fn a_level_override_changes_the_level_and_the_exit_code() {
    let mut r = report("response.enum.value-added");
    assert_eq!(FailOn::Breaking.exit_code(&r), 0);
    let mut levels = LevelOverrides::default();
    levels.add("response.enum.*=breaking-source").expect("valid");
    levels.apply(&mut r);
    assert_eq!(r.findings[0].level, Level::BreakingSource);
    assert_eq!(FailOn::Breaking.exit_code(&r), 1);
}

#[test]
fn the_last_matching_override_wins_and_off_suppresses() {
    let mut r = report("allof-bases");
    assert_eq!(r.findings.len(), 5);
    let mut levels = LevelOverrides::default();
    levels.add("api.*=off").expect("valid");
    levels.add("response.*=warning").expect("valid");
    levels.add("response.property.added=off").expect("valid");
    levels.apply(&mut r);
    assert_eq!(r.findings.len(), 1);
    assert_eq!((r.findings[0].rule, r.findings[0].level), (RuleId::ResponsePropertyRemoved, Level::Warning));
    assert_eq!(r.suppressed, 4);
    assert_eq!(FailOn::Breaking.exit_code(&r), 0);
    assert_eq!(FailOn::Warning.exit_code(&r), 1);
    assert!(levels.add("response.property.added=fatal").is_err());
    assert!(levels.add("no.such.rule=info").is_err());
    assert!(levels.add("missing-equals").is_err());
}

#[test]
fn an_ignore_file_accepts_findings_by_rule_and_location() {
    let mut r = report("allof-bases");
    let text = "# accepted\nresponse.property.removed schema Base .created\nresponse.property.added schema Other*\napi.* *\n";
    let mut list = IgnoreList::parse("diff-ignore.txt", text).expect("valid");
    list.apply(&mut r);
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    assert_eq!(r.findings[0].rule, RuleId::ResponsePropertyAdded);
    assert_eq!(r.suppressed, 4);
    let unused: Vec<usize> = list.unused().map(|e| e.line).collect();
    assert_eq!(unused, [3]);
    assert_eq!(FailOn::Breaking.exit_code(&r), 0);
}

#[test]
fn an_ignore_entry_never_matches_message_text() {
    let mut r = report("allof-bases");
    let (message, all) = (r.findings[0].message.clone(), r.findings.len());
    let mut list = IgnoreList::parse("f", &format!("* {message}\n")).expect("valid");
    list.apply(&mut r);
    assert_eq!(r.findings.len(), all);
}
