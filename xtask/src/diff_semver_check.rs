//! `cargo xtask diff-semver-check OLD NEW`: checks the spec diff's
//! `breaking-source` findings against an independent tool, cargo-semver-checks,
//! run on the two generated clients.
//!
//! Both clients are generated (with `specs/codegen.yaml`) into
//! `target/diff-semver-check/`, as crates of the same name and version, and
//! `cargo semver-checks` compares their rustdoc. Every break it reports must be
//! covered by a `breaking-source` finding on the same Rust item, and every
//! `breaking-source` finding must be on an item it reports, except the
//! differences `specs/semver-accepted.txt` lists, each with its reason.

use crate::conformance::write_client_crate;
use crate::workspace_root;
use codegen::diff::{diff, glob, Finding, Level, Options};
use codegen::load::load_path;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

pub const USAGE: &str = "usage: cargo xtask diff-semver-check OLD NEW [--accepted FILE]

Generates the clients of OLD and NEW (with specs/codegen.yaml) into
target/diff-semver-check/, runs `cargo semver-checks` on them (installs it with
`cargo install --locked cargo-semver-checks` when it is missing) and compares
its breaks with the diff's breaking-source findings:
  - every break it reports must be covered by a finding on the same Rust item;
  - every breaking-source finding must be on an item it reports;
except the differences FILE (default specs/semver-accepted.txt) accepts, each
with a reason. Prints both lists, the agreement and the time taken.

Slow (two rustdoc builds of a large crate), so not part of `cargo xtask test`.
exit status: 0 = they agree, 1 = unaccepted differences, 2 = usage or tool error";

const ACCEPTED: &str = "specs/semver-accepted.txt";
/// The crate name and version both generated clients get, so that only their APIs differ.
const CRATE: &str = "openai-client";

/// One accepted difference.
#[derive(Debug, Clone)]
struct Accepted {
    /// `unconfirmed` (a finding the tool does not report) or `uncovered` (a tool break no finding covers).
    kind: String,
    /// Rule id (unconfirmed) or lint name (uncovered), `*` allowed.
    name: String,
    /// Location (unconfirmed) or item (uncovered), `*` allowed.
    pattern: String,
    line: usize,
    hits: usize,
}

fn parse_accepted(file: &str, text: &str) -> Result<Vec<Accepted>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (entry, reason) = line.split_once(" -- ").ok_or_else(|| format!("{file}:{}: `{line}` has no ` -- reason`", i + 1))?;
        if reason.trim().is_empty() {
            return Err(format!("{file}:{}: the reason is empty", i + 1));
        }
        let mut parts = entry.trim().splitn(3, ' ');
        let (Some(kind), Some(name), Some(pattern)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("{file}:{}: expected `unconfirmed RULE LOCATION -- reason` or `uncovered LINT ITEM -- reason`", i + 1));
        };
        if kind != "unconfirmed" && kind != "uncovered" {
            return Err(format!("{file}:{}: `{kind}` is neither `unconfirmed` nor `uncovered`", i + 1));
        }
        out.push(Accepted { kind: kind.to_owned(), name: name.to_owned(), pattern: pattern.trim().to_owned(), line: i + 1, hits: 0 });
    }
    Ok(out)
}

/// One break cargo-semver-checks reports: its lint, the line as printed, and
/// the Rust item it names (`Type`, `Type::member`, `Client::method`, `feature x`).
#[derive(Debug, Clone)]
pub struct Break {
    lint: String,
    text: String,
    item: String,
}

/// The last segments of a Rust path that name an item of the crate:
/// `openai_client::generated::types::Foo::new` → `Foo::new`.
fn short_path(path: &str) -> String {
    let segments: Vec<&str> = path.split("::").collect();
    // From the last segment that starts with an upper-case letter (a type) on.
    match segments.iter().rposition(|s| s.starts_with(|c: char| c.is_ascii_uppercase()) && segments.last() != Some(s) || segments.len() == 1) {
        Some(i) if segments[i..].len() <= 2 => segments[i..].join("::"),
        _ => segments.last().map(|s| (*s).to_owned()).unwrap_or_default(),
    }
}

/// The item a "Failed in" line names.
fn item_of(lint: &str, line: &str) -> String {
    let text = line.trim();
    // What follows the item: `, previously in file …`, ` in file …`, ` now takes …`, ….
    let cut = [", previously", " in file", ", in file", " in /", " now ", " no longer", " is ", " was ", " has ", ", in "].iter().filter_map(|m| text.find(m)).min().unwrap_or(text.len());
    let head = text[..cut].trim();
    if lint.starts_with("feature_") {
        return format!("feature {}", head.trim_start_matches("feature ").split_whitespace().next().unwrap_or(head));
    }
    // `field bar of struct Foo`, `field bar of variant Foo::Baz`.
    if let Some(rest) = head.strip_prefix("field ") {
        if let Some((field, owner)) = rest.split_once(" of ") {
            let owner = owner.split_whitespace().last().unwrap_or(owner);
            return format!("{}::{field}", short_path(owner));
        }
    }
    let words: Vec<&str> = head.split_whitespace().collect();
    // `variant Foo::Bar`, `struct a::b::Foo`, `enum Foo`, `method Foo::bar`, `type Foo`, or a bare path.
    let path = words.iter().rev().find(|w| w.contains("::") || w.starts_with(|c: char| c.is_ascii_uppercase())).copied().unwrap_or(head);
    // Some lints print `Foo:Bar` for a variant.
    let path = if !path.contains("::") && path.matches(':').count() == 1 { path.replace(':', "::") } else { path.to_owned() };
    short_path(path.trim_end_matches(','))
}

/// The breaks in cargo-semver-checks' output: each `--- failure LINT: … ---`
/// block's `Failed in:` lines.
pub fn parse_breaks(output: &str) -> Vec<Break> {
    let mut out = Vec::new();
    let mut lint: Option<String> = None;
    let mut in_list = false;
    for line in output.lines() {
        if let Some(rest) = line.trim().strip_prefix("--- failure ") {
            lint = rest.split(':').next().map(|s| s.trim().to_owned());
            in_list = false;
            continue;
        }
        if line.trim() == "Failed in:" {
            in_list = true;
            continue;
        }
        if in_list {
            if line.trim().is_empty() || !line.starts_with(' ') {
                in_list = false;
                continue;
            }
            if let Some(l) = &lint {
                out.push(Break { lint: l.clone(), text: line.trim().to_owned(), item: item_of(l, line) });
            }
        }
    }
    out
}

/// Whether a finding is about the item a break names (or about the type that holds it).
fn covers(f: &Finding, b: &Break) -> bool {
    if let Some(feature) = b.item.strip_prefix("feature ") {
        return f.location == format!("api feature {feature}");
    }
    let owner = b.item.split_once("::").map(|(o, _)| o);
    // Rustdoc prints a raw identifier without its `r#` (`Foo::type` for `Foo::r#type`).
    f.rust.iter().map(|r| r.replace("r#", "")).any(|r| r == b.item || owner == Some(r.as_str()) || b.item.split_once("::").is_none() && r.split_once("::").is_some_and(|(o, _)| o == b.item))
}

fn ensure_semver_checks() -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let found = Command::new(&cargo).args(["semver-checks", "--version"]).output().is_ok_and(|o| o.status.success());
    if found {
        return Ok(());
    }
    println!("cargo-semver-checks is missing: cargo install --locked cargo-semver-checks");
    let status = Command::new(&cargo).args(["install", "--locked", "cargo-semver-checks"]).status().map_err(|e| format!("cannot run cargo install: {e}"))?;
    if !status.success() {
        return Err("cargo install --locked cargo-semver-checks failed".to_owned());
    }
    Ok(())
}

/// Writes one generated client as the crate `openai-client` 1.0.0 (both sides
/// get the same name and version: cargo-semver-checks then reports every major
/// change with `--release-type minor`).
fn write_crate(root: &Path, dir: &Path, source: &str, generated: &codegen::Generated) -> Result<(), String> {
    write_client_crate(root, dir, CRATE, source, generated)?;
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| e.to_string())?;
    std::fs::write(&manifest, text.replacen("version = \"0.0.0\"", "version = \"1.0.0\"", 1)).map_err(|e| e.to_string())?;
    // Rustdoc warnings (links in old specs' prose) must not stop the rustdoc build.
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/lib.rs"), lib.replace("#![deny(warnings)]\n", "")).map_err(|e| e.to_string())
}

/// What one run found.
pub struct Outcome {
    pub breaks: usize,
    pub covered: usize,
    pub findings: usize,
    pub confirmed: usize,
    pub accepted: usize,
    pub disagreements: Vec<String>,
}

/// Generates both clients, runs cargo-semver-checks and compares.
pub fn check(root: &Path, old_path: &Path, new_path: &Path, accepted_file: &Path) -> Result<Outcome, String> {
    let start = Instant::now();
    let accepted_text = std::fs::read_to_string(accepted_file).map_err(|e| format!("cannot read {}: {e}", accepted_file.display()))?;
    let mut accepted = parse_accepted(&accepted_file.display().to_string(), &accepted_text)?;
    let config = crate::codegen_cmd::load_config(root)?;
    let old = load_path(old_path).map_err(|e| e.to_string())?;
    let new = load_path(new_path).map_err(|e| e.to_string())?;
    let report = diff(&old, &new, &Options { config: config.clone(), ..Default::default() });
    if let Some(note) = &report.api_note {
        return Err(note.clone());
    }
    let label = |p: &Path| p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let base = root.join("target/diff-semver-check");
    let pair = base.join(format!("{}--{}", label(old_path), label(new_path)));
    for (side, spec, path) in [("old", &old, old_path), ("new", &new, new_path)] {
        let generated = codegen::generate(spec, &config, &path.display().to_string()).map_err(|e| format!("{}: {e}", path.display()))?;
        write_crate(root, &pair.join(side), &path.display().to_string(), &generated)?;
    }
    let generated_in = start.elapsed();
    ensure_semver_checks()?;
    let t = Instant::now();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .args(["semver-checks", "check-release", "--manifest-path"])
        .arg(pair.join("new/Cargo.toml"))
        .arg("--baseline-root")
        .arg(pair.join("old"))
        .args(["--release-type", "minor", "--default-features"])
        .env("CARGO_TARGET_DIR", base.join("target"))
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .map_err(|e| format!("cannot run cargo semver-checks: {e}"))?;
    let checked_in = t.elapsed();
    let text = format!("{}\n{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    std::fs::write(pair.join("semver-checks.txt"), &text).map_err(|e| e.to_string())?;
    let breaks = parse_breaks(&text);
    // Exit 1 is "breaking changes found"; anything else without a summary is a failure of the tool.
    if !output.status.success() && breaks.is_empty() {
        let tail: Vec<&str> = text.lines().rev().take(15).collect::<Vec<_>>().into_iter().rev().collect();
        return Err(format!("cargo semver-checks failed ({}):\n{}", output.status, tail.join("\n")));
    }
    let source: Vec<&Finding> = report.findings.iter().filter(|f| f.level == Level::BreakingSource && f.rule.id().starts_with("api.")).collect();
    let mut disagreements = Vec::new();
    let mut accept = |kind: &str, name: &str, text: &str| {
        for a in accepted.iter_mut() {
            if a.kind == kind && glob(&a.name, name) && glob(&a.pattern, text) {
                a.hits += 1;
                return true;
            }
        }
        false
    };
    let mut covered = 0;
    let mut n_accepted = 0;
    for b in &breaks {
        if source.iter().any(|f| covers(f, b)) {
            covered += 1;
        } else if accept("uncovered", &b.lint, &b.item) {
            n_accepted += 1;
        } else {
            disagreements.push(format!("uncovered {} {} -- reported by cargo-semver-checks: {}", b.lint, b.item, b.text));
        }
    }
    let mut confirmed = 0;
    for f in &source {
        if breaks.iter().any(|b| covers(f, b)) {
            confirmed += 1;
        } else if accept("unconfirmed", f.rule.id(), &f.location) {
            n_accepted += 1;
        } else {
            disagreements.push(format!("unconfirmed {} {} -- {}", f.rule, f.location, f.message));
        }
    }
    println!("{} -> {}: generated both clients in {:.1} s, cargo semver-checks took {:.1} s", old_path.display(), new_path.display(), generated_in.as_secs_f64(), checked_in.as_secs_f64());
    println!("cargo-semver-checks: {} breaks, {covered} covered by a breaking-source finding", breaks.len());
    println!("spec diff: {} breaking-source api findings, {confirmed} on an item cargo-semver-checks reports", source.len());
    println!("accepted differences ({}): {n_accepted}; not accepted: {}", accepted_file.display(), disagreements.len());
    for d in &disagreements {
        println!("  {d}");
    }
    for a in accepted.iter().filter(|a| a.hits == 0) {
        println!("  ({}:{}: `{} {} {}` matched nothing in this pair)", accepted_file.display(), a.line, a.kind, a.name, a.pattern);
    }
    Ok(Outcome { breaks: breaks.len(), covered, findings: source.len(), confirmed, accepted: n_accepted, disagreements })
}

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let root = workspace_root();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut accepted = root.join(ACCEPTED);
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--accepted" => {
                i += 1;
                accepted = PathBuf::from(args.get(i).ok_or("--accepted needs a FILE")?);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            a if a.starts_with('-') => return Ok(crate::input_error(&format!("unknown option `{a}`\n{USAGE}"))),
            a => files.push(PathBuf::from(a)),
        }
        i += 1;
    }
    let [old, new] = files.as_slice() else { return Ok(crate::input_error(USAGE)) };
    match check(&root, old, new, &accepted) {
        Ok(outcome) if outcome.disagreements.is_empty() => {
            println!("agreement: {}/{} breaks covered, {}/{} findings confirmed, {} accepted", outcome.covered, outcome.breaks, outcome.confirmed, outcome.findings, outcome.accepted);
            Ok(ExitCode::SUCCESS)
        }
        Ok(_) => Ok(ExitCode::from(1)),
        Err(message) => Ok(crate::input_error(&message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_items_of_cargo_semver_checks_failures() {
        let out = "--- failure enum_variant_missing: pub enum variant removed or renamed ---\n\nDescription:\nA variant was removed.\n\nFailed in:\n  variant VoiceIdsShared::Fable, previously in file /t/src/generated/types/v.rs:10\n  variant Role:Function, previously in file /t/x.rs:3\n\n--- failure struct_pub_field_missing: pub struct's pub field removed or renamed ---\n\nFailed in:\n  field results of struct CodeInterpreterToolCall, previously in file /t/c.rs:4\n--- failure method_parameter_count_changed: pub method parameter count changed ---\nFailed in:\n  openai_client::generated::types::UserMessage::new now takes 1 parameters instead of 0, in /t/u.rs:9\n--- failure struct_missing: pub struct removed or renamed ---\nFailed in:\n  struct openai_client::generated::types::FineTune, previously in file /t/f.rs:1\n--- failure feature_missing: package feature removed or renamed ---\nFailed in:\n  feature archive in the package's Cargo.toml\n";
        let items: Vec<String> = parse_breaks(out).into_iter().map(|b| format!("{} {}", b.lint, b.item)).collect();
        assert_eq!(
            items,
            [
                "enum_variant_missing VoiceIdsShared::Fable",
                "enum_variant_missing Role::Function",
                "struct_pub_field_missing CodeInterpreterToolCall::results",
                "method_parameter_count_changed UserMessage::new",
                "struct_missing FineTune",
                "feature_missing feature archive",
            ]
        );
    }

    #[test]
    fn a_raw_identifier_is_the_item_rustdoc_names_without_r_hash() {
        let finding = Finding {
            rule: codegen::diff::RuleId::ApiRemoved,
            level: Level::BreakingSource,
            location: "api setter Choice::r#type".to_owned(),
            message: String::new(),
            group: String::new(),
            used_by: Vec::new(),
            absorbed: None,
            old: None,
            new: None,
            rust: vec!["Choice::r#type".to_owned()],
        };
        let b = |item: &str| Break { lint: "inherent_method_missing".to_owned(), text: String::new(), item: item.to_owned() };
        assert!(covers(&finding, &b("Choice::type")));
        assert!(!covers(&finding, &b("Other::type")));
    }

    #[test]
    fn accepted_entries_need_a_kind_and_a_reason() {
        let list = parse_accepted("a.txt", "# comment\nunconfirmed api.changed api field * -- no lint compares field types\n").expect("parses");
        assert_eq!((list[0].kind.as_str(), list[0].name.as_str(), list[0].pattern.as_str()), ("unconfirmed", "api.changed", "api field *"));
        assert!(parse_accepted("a.txt", "unconfirmed api.changed api field *\n").is_err());
        assert!(parse_accepted("a.txt", "maybe x y -- why\n").is_err());
        assert!(glob("api field *", "api field Foo::bar") && !glob("api field *", "api setter Foo::bar"));
    }

    #[test]
    fn the_accepted_file_parses() {
        let path = workspace_root().join(ACCEPTED);
        let text = std::fs::read_to_string(&path).expect("specs/semver-accepted.txt");
        assert!(!parse_accepted(ACCEPTED, &text).expect("parses").is_empty());
    }
}
