//! `cargo xtask update-spec OFFICIAL_FILE`: moves the shipped client to a new
//! official spec in one command.
//!
//! Everything is computed before anything is written: the facts-only copy, the
//! spec diff against the current spec, the client generated from the new one,
//! the change of the client's public Rust API ([`codegen::api`]), the version
//! bump and the CHANGELOG entry. A spec that does not load or generate stops
//! the command with exit status 2 and leaves the workspace untouched.

use crate::codegen_cmd::{self, load_config, shipped_spec, MANIFEST, OUTPUT};
use crate::spec_index::{write_atomic, SpecIndex};
use crate::{features, vendor};
use codegen::api::{self, ApiItem, ItemKind, SurfaceDiff};
use codegen::diff::report::{render, Format};
use codegen::diff::{next_version, Change};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

pub const USAGE: &str = "usage: cargo xtask update-spec OFFICIAL_FILE

Moves the shipped client to a new official spec:
  1. vendors OFFICIAL_FILE into specs/ (facts only) and records it in specs/index.json;
  2. prints the spec diff against the current spec, with its level summary;
  3. points specs/codegen.yaml at the new spec and regenerates the client and its features;
  4. bumps generated-client's version by the diff's semver verdict (0.x: breaking -> minor,
     otherwise patch; from 1.0: breaking -> major, additions -> minor, otherwise patch);
  5. adds an entry to generated-client/CHANGELOG.md: breaking changes as Rust items (renames as old -> new), additions in summary;
  6. lists the places in examples, tests and the README that use removed, changed or renamed items.
Exit status 2 when OFFICIAL_FILE does not load or generate; nothing is written then.";

/// The changelog of the generated crate, relative to the workspace.
pub const CHANGELOG: &str = "generated-client/CHANGELOG.md";
const LOCKFILE: &str = "Cargo.lock";
/// Hand-written code that uses the shipped client, searched for removed items.
const USERS: &[&str] = &["generated-client/examples", "generated-client/tests", "tests/tests", "README.md"];

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let [file] = args else { return Err(USAGE.to_owned()) };
    let root = crate::workspace_root();
    update(&root, &crate::official_dir(&root), Path::new(file))
}

/// The whole update of the workspace at `root` to the official spec `file`.
pub fn update(root: &Path, official_dir: &Path, file: &Path) -> Result<ExitCode, String> {
    let root = root.to_path_buf();
    let config = load_config(&root)?;
    let current_path = shipped_spec(&root, &config)?;
    let current_name = config.spec.clone().unwrap_or_default();

    // 1. Everything that can fail on the input, before any write.
    let (vendored, new_spec) = match vendor::vendor_file(file, official_dir) {
        Ok(v) => v,
        Err(message) => return Ok(crate::input_error(&message)),
    };
    let new_label = new_spec.file.clone();
    let generated = match codegen::generate(&new_spec, &config, &new_label) {
        Ok(g) => g,
        Err(e) => return Ok(crate::input_error(&e.to_string())),
    };
    let old_label = format!("specs/{current_name}");
    let old_spec = codegen::load::load_path(&current_path).map_err(|e| format!("the current spec does not load: {e}"))?;
    let old_model = codegen::lower::lower(&old_spec, &config).map_err(|e| format!("the current spec does not generate: {e}"))?;
    let mut report = codegen::diff::diff(&old_spec, &new_spec, &codegen::diff::Options { config: config.clone(), ..Default::default() });
    // Both sides often share a file name (every recent spec is 2.3.0): say which is which.
    report.old_file = format!("{old_label} (current)");
    report.new_file = format!("{new_label} (from {})", vendored.official);
    report.crate_version = package_version(&std::fs::read_to_string(root.join(MANIFEST)).unwrap_or_default());
    let surface = api::compare(&api::surface(&old_model), &api::surface(&generated.model));
    // The diff's verdict (its api.* findings are this same surface comparison); a
    // surface change it could not see (a side that does not lower) still counts.
    let change = match report.change() {
        _ if surface.is_breaking() => Change::Breaking,
        Change::Patch if !surface.added.is_empty() => Change::Additive,
        change => change,
    };
    let breaking = change == Change::Breaking;
    let changed = !report.findings.is_empty() || surface != SurfaceDiff::default();

    // 2. The diff, as `cargo xtask diff` prints it.
    print!("{}", render(&report, Format::Text));
    println!("spec diff {} -> {}: {}", report.old_file, report.new_file, report.summary());

    // 3. Writes.
    let index_before = SpecIndex::read(&root)?;
    vendor::write(&root, &vendored)?;
    if vendored.file != current_name {
        set_config_spec(&root, &vendored.file)?;
        if index_before.get(&current_name).is_some_and(|e| e.prose == "none") {
            let mut index = SpecIndex::read(&root)?;
            index.remove(&current_name);
            index.write(&root)?;
            std::fs::remove_file(&current_path).map_err(|e| format!("cannot remove the replaced {old_label}: {e}"))?;
            println!("removed {old_label}, replaced by {new_label}");
        }
    }
    let written = codegen_cmd::ensure_files(&root.join(OUTPUT), &generated.files, false)?;
    let manifest_path = root.join(MANIFEST);
    let manifest = std::fs::read_to_string(&manifest_path).map_err(|e| format!("cannot read {MANIFEST}: {e}"))?;
    let mut manifest = if config.cargo_features { features::with_features(&manifest, &generated.model.features()).map_err(|e| format!("{MANIFEST}: {e}"))? } else { manifest };
    let old_version = package_version(&manifest).ok_or_else(|| format!("{MANIFEST} has no `version = \"…\"` in [package]"))?;
    let new_version = if changed { next_version(&old_version, change)? } else { old_version.clone() };
    if new_version != old_version {
        manifest = manifest.replacen(&format!("version = \"{old_version}\""), &format!("version = \"{new_version}\""), 1);
        set_lock_version(&root, &old_version, &new_version)?;
    }
    write_atomic(&manifest_path, manifest.as_bytes())?;
    println!("regenerated {OUTPUT} ({} file(s) changed) and the API-group features of {MANIFEST}", written.len());
    let s = &generated.summary;
    println!("{new_label}: {}/{} operations, {} types, {} warnings", s.operations_out, s.operations_in, s.types_out, s.warnings);

    if !changed {
        println!("no change to the spec's facts or the client's API: version stays {old_version}, no CHANGELOG entry");
        return Ok(ExitCode::SUCCESS);
    }
    let entry = changelog_entry(&new_version, &vendored, &report.summary(), &surface);
    let changelog_path = root.join(CHANGELOG);
    let changelog = std::fs::read_to_string(&changelog_path).unwrap_or_default();
    write_atomic(&changelog_path, insert_entry(&changelog, &entry).as_bytes())?;
    println!("openai-client {old_version} -> {new_version} ({}); entry added to {CHANGELOG}", if breaking { "breaking" } else { "compatible" });

    // 4. What a person must change.
    let uses = find_uses(&root, &surface);
    if uses.is_empty() {
        println!("no example, test or README line uses a removed, changed or renamed item");
    } else {
        println!("hand-written code to update ({} place(s)):", uses.len());
        for line in &uses {
            println!("  {line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Points `spec:` in `specs/codegen.yaml` at `file`.
fn set_config_spec(root: &Path, file: &str) -> Result<(), String> {
    let path = root.join(codegen_cmd::CONFIG);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", codegen_cmd::CONFIG))?;
    let mut found = false;
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            if !found && l.starts_with("spec:") {
                found = true;
                format!("spec: {file}")
            } else {
                l.to_owned()
            }
        })
        .collect();
    if !found {
        return Err(format!("{} has no top-level `spec:` line to update", codegen_cmd::CONFIG));
    }
    write_atomic(&path, (lines.join("\n") + "\n").as_bytes())
}

/// The `version` of `[package]`.
pub fn package_version(manifest: &str) -> Option<String> {
    let package = manifest.split("[package]").nth(1)?.split("\n[").next()?;
    let line = package.lines().find(|l| l.trim_start().starts_with("version") && l.contains('"'))?;
    Some(line.split('"').nth(1)?.to_owned())
}

/// Keeps `Cargo.lock` in step with the bumped version, so builds with `--locked` pass.
fn set_lock_version(root: &Path, old: &str, new: &str) -> Result<(), String> {
    let path = root.join(LOCKFILE);
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(()) };
    let from = format!("name = \"openai-client\"\nversion = \"{old}\"");
    if text.contains(&from) {
        write_atomic(&path, text.replacen(&from, &format!("name = \"openai-client\"\nversion = \"{new}\""), 1).as_bytes())?;
    }
    Ok(())
}

fn item_line(item: &ApiItem) -> String {
    format!("{} `{}`", item.kind.as_str(), item.path)
}

/// The CHANGELOG entry: breaking changes one per line as Rust items, additions counted.
pub fn changelog_entry(version: &str, vendored: &vendor::Vendored, diff_summary: &str, surface: &SurfaceDiff) -> String {
    let mut out = format!("## {version}\n\nGenerated from spec {} ({}, sha256 {}). Spec diff: {diff_summary}.\n", vendored.version, vendored.official, &vendored.official_sha256[..16.min(vendored.official_sha256.len())]);
    let removed = surface.removed_roots();
    if removed.is_empty() && surface.changed.is_empty() && surface.renamed.is_empty() {
        out.push_str("\nNo breaking change to the Rust API.\n");
    } else {
        out.push_str("\n### Breaking changes\n\n");
        for (old, new) in &surface.renamed {
            out.push_str(&format!("- renamed: {} → `{}`\n", item_line(old), new.path));
        }
        for item in removed {
            out.push_str(&format!("- removed: {}\n", item_line(item)));
        }
        for (old, new) in &surface.changed {
            out.push_str(&format!("- changed: {}: `{}` → `{}`\n", item_line(old), old.signature, new.signature));
        }
    }
    if !surface.added.is_empty() {
        out.push_str("\n### Added\n\n");
        let kinds = [ItemKind::Method, ItemKind::Type, ItemKind::Field, ItemKind::Variant, ItemKind::Const, ItemKind::Constructor, ItemKind::Setter, ItemKind::Conversion];
        for kind in kinds {
            let items: Vec<&ApiItem> = surface.added.iter().filter(|i| i.kind == kind).collect();
            if items.is_empty() {
                continue;
            }
            let mut line = format!("- {} {}(s)", items.len(), kind.as_str());
            if matches!(kind, ItemKind::Method | ItemKind::Type) {
                let names: Vec<String> = items.iter().take(12).map(|i| format!("`{}`", i.path.trim_start_matches("Client::"))).collect();
                let more = items.len().saturating_sub(12);
                line.push_str(&format!(": {}{}", names.join(", "), if more > 0 { format!(" and {more} more") } else { String::new() }));
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The changelog with `entry` as its newest entry (after the title block).
fn insert_entry(changelog: &str, entry: &str) -> String {
    const HEADER: &str = "# Changelog\n\nChanges of `openai-client` by version. Entries are written by `cargo xtask update-spec`: breaking changes are listed as Rust items, additions in summary.\n\n";
    if changelog.trim().is_empty() {
        return format!("{HEADER}{entry}");
    }
    match changelog.find("\n## ") {
        Some(i) => format!("{}{entry}\n{}", &changelog[..i + 1], &changelog[i + 1..]),
        None => format!("{}\n\n{entry}", changelog.trim_end()),
    }
}

/// Places in hand-written code that name a removed, changed or renamed item, as
/// `file uses `Item`, removed in this update`.
pub fn find_uses(root: &Path, surface: &SurfaceDiff) -> Vec<String> {
    let mut files = Vec::new();
    for rel in USERS {
        let path = root.join(rel);
        if path.is_file() {
            files.push(path);
        } else {
            // Unreadable folders just have nothing to report.
            files.extend(codegen_cmd::list_files(&path).unwrap_or_default().into_iter().filter(|p| p.extension().is_some_and(|e| e == "rs" || e == "md")));
        }
    }
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let words = identifiers(&text);
        let rel = codegen_cmd::display_path(root, &file);
        let mentions = |item: &ApiItem| match item.path.split_once("::") {
            Some(("Client", method)) => words.contains(method),
            Some((owner, member)) => words.contains(owner) && words.contains(member),
            None => words.contains(item.path.as_str()),
        };
        for item in surface.removed_roots() {
            if mentions(item) {
                out.push(format!("{rel} uses {} `{}`, removed in this update", item.kind.as_str(), item.path));
            }
        }
        for (old, new) in &surface.changed {
            if mentions(old) {
                out.push(format!("{rel} uses {} `{}`, changed in this update: `{}` → `{}`", old.kind.as_str(), old.path, old.signature, new.signature));
            }
        }
        for (old, new) in &surface.renamed {
            if mentions(old) {
                out.push(format!("{rel} uses {} `{}`, renamed to `{}` in this update", old.kind.as_str(), old.path, new.path));
            }
        }
    }
    out
}

fn identifiers(text: &str) -> BTreeSet<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workspace with a config, a spec and a manifest, and a snapshot of its files.
    fn small_workspace() -> (std::path::PathBuf, Vec<(std::path::PathBuf, Vec<u8>)>) {
        let root = crate::spec_index::tests::tempdir("update");
        std::fs::create_dir_all(root.join("specs")).unwrap();
        std::fs::create_dir_all(root.join("generated-client")).unwrap();
        std::fs::write(root.join("specs/codegen.yaml"), "spec: openai-1.json\n").unwrap();
        std::fs::write(root.join("specs/openai-1.json"), r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}}"#).unwrap();
        std::fs::write(root.join("specs/index.json"), r#"{"specs": []}"#).unwrap();
        std::fs::write(root.join("generated-client/Cargo.toml"), "[package]\nversion = \"0.1.0\"\n").unwrap();
        // Every file of the workspace, whatever its kind (specs, manifests, index).
        let files = codegen_cmd::list_files(&root).unwrap();
        let snapshot = files.into_iter().map(|f| { let b = std::fs::read(&f).unwrap(); (f, b) }).collect();
        (root, snapshot)
    }

    #[test]
    fn bad_input_exits_2_and_touches_nothing() {
        let (root, before) = small_workspace();
        for (name, text) in [
            ("broken.yaml", "openapi: 3.0.0\ninfo: [\n"),
            ("swagger.json", r#"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}"#),
            ("noversion.yaml", "openapi: 3.1.0\ninfo:\n  title: t\npaths: {}\n"),
        ] {
            let bad = root.join(name);
            std::fs::write(&bad, text).unwrap();
            let code = update(&root, Path::new("/nowhere"), &bad).unwrap();
            assert_eq!(code, ExitCode::from(2), "{name}");
            std::fs::remove_file(&bad).unwrap();
            let now = codegen_cmd::list_files(&root).unwrap();
            assert_eq!(now.len(), before.len(), "{name}: files appeared: {now:?}");
            for (file, bytes) in &before {
                assert_eq!(&std::fs::read(file).unwrap(), bytes, "{name}: {} changed", file.display());
            }
        }
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn reads_the_package_version_not_a_dependency_one() {
        let m = "[package]\nname = \"openai-client\"\nversion = \"0.3.1\"\n\n[dependencies]\nx = { version = \"9\" }\n";
        assert_eq!(package_version(m).as_deref(), Some("0.3.1"));
    }

    fn item(kind: ItemKind, path: &str, signature: &str) -> ApiItem {
        ApiItem { kind, path: path.into(), signature: signature.into(), origin: format!("origin of {path}") }
    }

    #[test]
    fn changelog_lists_breaking_items_and_counts_additions() {
        let surface = SurfaceDiff {
            removed: vec![item(ItemKind::Type, "CreateSpeechRequestVoice", "enum"), item(ItemKind::Variant, "CreateSpeechRequestVoice::Alloy", "= \"alloy\"")],
            changed: vec![(item(ItemKind::Constructor, "UserMessage::new", "fn new(content: Option<Content>)"), item(ItemKind::Constructor, "UserMessage::new", "fn new(content: impl Into<Content>)"))],
            added: vec![item(ItemKind::Method, "Client::create_response", "fn"), item(ItemKind::Field, "A::b", "i64")],
            renamed: vec![(item(ItemKind::Variant, "CreateEmbeddingRequestInput::Array2", "(Vec<i64>)"), item(ItemKind::Variant, "CreateEmbeddingRequestInput::Tokens", "(Vec<i64>)"))],
        };
        let vendored = vendor::Vendored { file: "openai-2.3.0.json".into(), version: "2.3.0".into(), text: String::new(), official_sha256: "ab".repeat(32), official: "openapi-latest.json".into() };
        let entry = changelog_entry("0.2.0", &vendored, "3 findings", &surface);
        assert!(entry.starts_with("## 0.2.0\n"), "{entry}");
        assert!(entry.contains("- removed: type `CreateSpeechRequestVoice`\n"), "{entry}");
        assert!(!entry.contains("CreateSpeechRequestVoice::Alloy"), "members of a removed type are not listed: {entry}");
        assert!(entry.contains("- changed: constructor `UserMessage::new`: `fn new(content: Option<Content>)` → `fn new(content: impl Into<Content>)`"), "{entry}");
        assert!(entry.contains("- renamed: variant `CreateEmbeddingRequestInput::Array2` → `CreateEmbeddingRequestInput::Tokens`\n"), "{entry}");
        let only_renames = SurfaceDiff { renamed: surface.renamed.clone(), ..SurfaceDiff::default() };
        assert!(only_renames.is_breaking(), "a rename breaks callers");
        assert!(changelog_entry("0.2.0", &vendored, "0 findings", &only_renames).contains("### Breaking changes"));
        assert!(entry.contains("- 1 method(s): `create_response`\n- 1 field(s)\n"), "{entry}");

        let first = insert_entry("", &entry);
        assert!(first.starts_with("# Changelog\n"));
        let second = insert_entry(&first, &entry.replace("0.2.0", "0.3.0"));
        assert!(!second.contains("\n\n\n"), "{second}");
        assert!(second.find("## 0.3.0").unwrap() < second.find("## 0.2.0").unwrap(), "{second}");
    }

    #[test]
    fn finds_hand_written_uses_of_removed_changed_and_renamed_items() {
        let root = crate::spec_index::tests::tempdir("uses");
        std::fs::create_dir_all(root.join("generated-client/examples")).unwrap();
        std::fs::write(root.join("generated-client/examples/speech.rs"), "use x::CreateSpeechRequestVoice;\nlet m = UserMessage::new(None);\nlet i = Input::Array2(vec![1]);\n").unwrap();
        std::fs::write(root.join("README.md"), "nothing relevant; UserMessage alone\n").unwrap();
        let surface = SurfaceDiff {
            removed: vec![item(ItemKind::Type, "CreateSpeechRequestVoice", "enum")],
            changed: vec![(item(ItemKind::Constructor, "UserMessage::new", "fn new(a: Option<A>)"), item(ItemKind::Constructor, "UserMessage::new", "fn new(a: impl Into<A>)"))],
            added: vec![],
            renamed: vec![(item(ItemKind::Variant, "Input::Array2", "(Vec<i64>)"), item(ItemKind::Variant, "Input::Tokens", "(Vec<i64>)"))],
        };
        let uses = find_uses(&root, &surface);
        assert_eq!(uses.len(), 3, "{uses:?}");
        assert!(uses[0].starts_with("generated-client/examples/speech.rs uses type `CreateSpeechRequestVoice`, removed"), "{uses:?}");
        assert!(uses[1].contains("constructor `UserMessage::new`, changed"), "{uses:?}");
        assert!(uses[2].ends_with("uses variant `Input::Array2`, renamed to `Input::Tokens` in this update"), "{uses:?}");
        let _ = std::fs::remove_dir_all(&root);
    }
}
