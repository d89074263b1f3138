//! One old/new mini spec pair per rule under `tests/diff/<rule id>/`, plus pairs
//! that must report nothing (`noise-*`) and pairs for the walk's special cases.
//!
//! `expected.txt` lists every finding as `LEVEL RULE LOCATION`, then the exit
//! code for `--fail-on breaking` and `--fail-on warning` as `exit breaking N`;
//! an optional first line `# args: --docs` turns on documentation findings, and
//! an optional `codegen.yaml` beside the specs is the codegen configuration both
//! sides are generated with (streaming events, Cargo features).
//! Run with `DIFF_BLESS=1` to rewrite the expectations from the current output
//! (then review the change).

use codegen::config::Config;
use codegen::diff::report::{render, Format};
use codegen::diff::{diff, fill_lines, FailOn, Options, Report, RuleId};
use codegen::load::{load_path, Spec};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff")
}

fn side(dir: &Path, name: &str) -> Spec {
    for ext in ["yaml", "json"] {
        let path = dir.join(format!("{name}.{ext}"));
        if path.exists() {
            return load_path(&path).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    panic!("{} has no {name}.yaml or {name}.json", dir.display());
}

struct Outcome {
    args: Option<String>,
    text: String,
    report: Report,
}

fn run(dir: &Path) -> Outcome {
    let expected_path = dir.join("expected.txt");
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    let args = expected.lines().next().and_then(|l| l.strip_prefix("# args:")).map(|a| a.trim().to_owned());
    let config = match std::fs::read_to_string(dir.join("codegen.yaml")) {
        Ok(text) => Config::from_yaml("codegen.yaml", &text).unwrap_or_else(|e| panic!("{e}")),
        Err(_) => Config::default(),
    };
    let options = Options { docs: args.as_deref().is_some_and(|a| a.contains("--docs")), config, ..Default::default() };
    let (old, new) = (side(dir, "old"), side(dir, "new"));
    let mut report = diff(&old, &new, &options);
    fill_lines(&mut report, &old, &new);
    let mut text = String::new();
    if let Some(a) = &args {
        text.push_str(&format!("# args: {a}\n"));
    }
    for f in &report.findings {
        text.push_str(&format!("{} {} {}\n", f.level, f.rule, f.location));
    }
    for (name, fail_on) in [("breaking", FailOn::Breaking), ("warning", FailOn::Warning)] {
        text.push_str(&format!("exit {name} {}\n", fail_on.exit_code(&report)));
    }
    Outcome { args, text, report }
}

fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_dir()).expect("tests/diff exists").filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()).collect();
    dirs.sort();
    dirs
}

#[test]
fn every_fixture_reports_exactly_its_expected_findings() {
    let bless = std::env::var_os("DIFF_BLESS").is_some();
    let mut failures = Vec::new();
    for dir in fixture_dirs() {
        let outcome = run(&dir);
        let expected_path = dir.join("expected.txt");
        if bless {
            std::fs::write(&expected_path, &outcome.text).expect("write expected.txt");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_else(|_| panic!("{} is missing", expected_path.display()));
        if expected != outcome.text {
            failures.push(format!("--- {}\nexpected:\n{expected}actual:\n{}", dir.display(), outcome.text));
        }
    }
    assert!(failures.is_empty(), "{} fixture(s) differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_rule_has_a_fixture_that_reports_it() {
    let mut missing = Vec::new();
    for rule in RuleId::ALL {
        let dir = fixtures_dir().join(rule.id());
        if !dir.is_dir() {
            missing.push(format!("{}: no fixture directory", rule.id()));
            continue;
        }
        let outcome = run(&dir);
        if !outcome.report.findings.iter().any(|f| f.rule == *rule && f.level == rule.default_level()) {
            missing.push(format!("{}: its fixture does not report it", rule.id()));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// Noise for the wire: these changes send and accept the same values. Some do
/// change the generated Rust API (reordered properties reorder constructor
/// arguments; an inline enum replaced by a `$ref` renames its type): those
/// `api.*` findings are real and pinned in each fixture's `expected.txt`.
#[test]
fn noise_fixtures_report_nothing() {
    for dir in fixture_dirs().into_iter().filter(|d| d.file_name().is_some_and(|n| n.to_string_lossy().starts_with("noise-"))) {
        let outcome = run(&dir);
        let found: Vec<String> = outcome.report.findings.iter().filter(|f| !f.rule.id().starts_with("api.")).map(|f| format!("{} {}: {}", f.rule, f.location, f.message)).collect();
        assert!(found.is_empty(), "{} reports:\n{}", dir.display(), found.join("\n"));
    }
}

#[test]
fn docs_findings_need_the_flag() {
    for name in ["docs.description-changed", "docs.example-changed"] {
        let dir = fixtures_dir().join(name);
        let report = diff(&side(&dir, "old"), &side(&dir, "new"), &Options::default());
        assert!(report.findings.is_empty(), "{name} without --docs: {:?}", report.findings);
        assert_eq!(run(&dir).args.as_deref(), Some("--docs"));
    }
}

#[test]
fn all_formats_render_every_fixture_and_findings_have_lines() {
    for dir in fixture_dirs() {
        let outcome = run(&dir);
        for f in &outcome.report.findings {
            assert!(f.line().is_some(), "{}: no line for {} {}", dir.display(), f.rule, f.location);
            assert!(!f.message.ends_with('.'), "{}: message ends with a period: {}", dir.display(), f.message);
        }
        let json: serde_json::Value = serde_json::from_str(&render(&outcome.report, Format::Json)).expect("valid JSON");
        assert_eq!(json["findings"].as_array().map(Vec::len), Some(outcome.report.findings.len()));
        assert_eq!(json["summary"]["total"], outcome.report.findings.len());
        let github = render(&outcome.report, Format::Github);
        assert_eq!(github.lines().filter(|l| l.starts_with("::")).count(), outcome.report.findings.len());
        let markdown = render(&outcome.report, Format::Markdown);
        assert!(markdown.starts_with("### OpenAPI diff"));
        let text = render(&outcome.report, Format::Text);
        // Every format ends with (or carries) the semver verdict.
        let verdict = outcome.report.verdict();
        assert!(verdict.starts_with("semver: "), "{verdict}");
        for (name, out) in [("text", &text), ("github", &github)] {
            assert_eq!(out.lines().last(), Some(verdict.as_str()), "{}: {name} does not end with the verdict", dir.display());
        }
        assert_eq!(markdown.lines().last(), Some(format!("**{verdict}**").as_str()), "{}", dir.display());
        assert_eq!(json["semver"]["verdict"], verdict.as_str());
        assert_eq!(json["semver"]["change"], outcome.report.change().as_str());
        let rules: BTreeSet<&str> = outcome.report.findings.iter().map(|f| f.rule.id()).collect();
        for rule in rules {
            assert!(text.contains(rule) && markdown.contains(rule), "{}: {rule} missing from text or markdown", dir.display());
        }
    }
}
