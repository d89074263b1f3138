//! `cargo xtask conformance [DIR] [--compile none|set|all]`: runs the generator
//! on every OpenAPI file under DIR (default `../shared/specs/openai`), prints one
//! row per file, and compiles the generated client of a chosen set of files in
//! scratch crates under `target/conformance/`.
//!
//! It fails when a file cannot be generated, when the generator panics, when an
//! operation is lost without a reported reason, or when a compiled client does
//! not build or builds with warnings.

use crate::codegen_cmd::load_config;
use crate::workspace_root;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

/// Files whose generated client is compiled with `--compile set` (the default),
/// and whether to `build` rather than `check` them.
const COMPILE_SET: &[(&str, bool)] = &[
    ("openapi-1.2.0.yaml", false),
    ("openai_api_spec-2.0.0.json", false),
    ("history/2024-05-28-14b66f5.yaml", false),
    ("history/2025-04-29-498c71d.yaml", false),
    ("history/2026-08-21-f85dbe2.yaml", false),
    ("openapi-latest.json", true),
];

struct Row {
    file: String,
    version: String,
    ops_in: usize,
    ops_out: usize,
    skipped: Vec<String>,
    streaming: usize,
    multipart: usize,
    schemas_in: usize,
    types_out: usize,
    warnings: usize,
    time: Duration,
}

pub const USAGE: &str = "usage: cargo xtask conformance [DIR] [--compile none|set|all]

Generates the client for every official spec under DIR (default ../shared/specs/openai),
prints one row per file, and compiles none, a chosen set (default) or all of them.";

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let root = workspace_root();
    let mut dir = root.join("../shared/specs/openai");
    let mut compile = "set".to_owned();
    let mut iter = args.iter();
    while let Some(a) = iter.next() {
        match a.as_str() {
            "--compile" => compile = iter.next().ok_or("--compile needs none, set or all")?.clone(),
            other if other.starts_with("--") => return Err(format!("unknown option `{other}`; usage: cargo xtask conformance [DIR] [--compile none|set|all]")),
            other => dir = PathBuf::from(other),
        }
    }
    if !matches!(compile.as_str(), "none" | "set" | "all") {
        return Err(format!("--compile takes none, set or all, not `{compile}`"));
    }
    let config = load_config(&root)?;
    let mut files = spec_files(&dir)?;
    files.sort();
    if files.is_empty() {
        return Err(format!("no .yaml or .json files under {}", dir.display()));
    }

    let mut failures = Vec::new();
    let mut rows = Vec::new();
    let mut outputs = Vec::new();
    for path in &files {
        let rel = path
            .strip_prefix(&dir)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let start = Instant::now();
        let result =
            std::panic::catch_unwind(|| -> Result<(codegen::Generated, String), String> {
                let spec = codegen::load::load_path(path).map_err(|e| e.to_string())?;
                let version = spec.openapi_version.clone();
                let generated = codegen::generate(&spec, &config, &format!("{rel} (conformance)"))
                    .map_err(|e| e.to_string())?;
                Ok((generated, version))
            });
        let time = start.elapsed();
        match result {
            Err(_) => failures.push(format!("{rel}: the generator panicked")),
            Ok(Err(e)) => failures.push(format!("{rel}: {e}")),
            Ok(Ok((generated, version))) => {
                let s = &generated.summary;
                let skipped: Vec<String> = generated
                    .model
                    .skipped_operations
                    .iter()
                    .map(|k| format!("{} ({})", k.operation, k.reason))
                    .collect();
                if s.operations_out + skipped.len() != s.operations_in {
                    failures.push(format!(
                        "{rel}: {} operations in the spec, {} generated and {} reported as skipped",
                        s.operations_in,
                        s.operations_out,
                        skipped.len()
                    ));
                }
                rows.push(Row {
                    file: rel.clone(),
                    version,
                    ops_in: s.operations_in,
                    ops_out: s.operations_out,
                    skipped,
                    streaming: s.streaming,
                    multipart: s.multipart,
                    schemas_in: s.schemas_in,
                    types_out: s.types_out,
                    warnings: s.warnings,
                    time,
                });
                outputs.push((rel, generated));
            }
        }
    }
    print!("{}", table(&rows));

    if compile != "none" {
        let chosen: Vec<(&(String, codegen::Generated), bool)> = outputs
            .iter()
            .filter_map(|o| {
                let build = COMPILE_SET.iter().find(|(f, _)| *f == o.0).map(|(_, b)| *b);
                match (compile.as_str(), build) {
                    ("all", b) => Some((o, b.unwrap_or(false))),
                    (_, Some(b)) => Some((o, b)),
                    _ => None,
                }
            })
            .collect();
        if compile == "set" && chosen.len() != COMPILE_SET.len() {
            failures.push(format!(
                "the compile set names {} files but {} were generated",
                COMPILE_SET.len(),
                chosen.len()
            ));
        }
        println!(
            "\ncompiling {} generated clients in {}",
            chosen.len(),
            root.join("target/conformance").display()
        );
        println!(
            "{:<40} {:>6} {:>9} {:>9}",
            "file", "cargo", "seconds", "warnings"
        );
        for ((rel, generated), build) in chosen {
            match compile_client(&root, rel, generated, build) {
                Ok((secs, warnings)) => {
                    println!(
                        "{:<40} {:>6} {:>9.1} {:>9}",
                        rel,
                        if build { "build" } else { "check" },
                        secs.as_secs_f64(),
                        warnings
                    );
                    if warnings > 0 {
                        failures.push(format!(
                            "{rel}: the generated client compiles with {warnings} warning(s)"
                        ));
                    }
                }
                Err(e) => {
                    failures.push(format!("{rel}: the generated client does not compile: {e}"))
                }
            }
        }
    }

    if failures.is_empty() {
        println!(
            "\nconformance: {} files, all generated without loss",
            rows.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("\nconformance failures:");
        for f in &failures {
            eprintln!("  {f}");
        }
        Ok(ExitCode::FAILURE)
    }
}

fn spec_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).map_err(|e| format!("cannot list {}: {e}", d.display()))?;
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            {
                out.push(p);
            }
        }
    }
    Ok(out)
}

fn table(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<40} {:>7} {:>9} {:>6} {:>6} {:>12} {:>8} {:>8}",
        "file", "openapi", "ops", "stream", "multi", "schemas>types", "warnings", "ms"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:<40} {:>7} {:>9} {:>6} {:>6} {:>12} {:>8} {:>8.1}",
            r.file,
            r.version,
            format!("{}/{}", r.ops_out, r.ops_in),
            r.streaming,
            r.multipart,
            format!("{}>{}", r.schemas_in, r.types_out),
            r.warnings,
            r.time.as_secs_f64() * 1000.0
        );
        for s in &r.skipped {
            let _ = writeln!(out, "    not generated: {s}");
        }
    }
    out
}

/// Writes a scratch crate at `dir` that mounts the hand-written runtime beside
/// the generated code, with the runtime's dependencies and one feature per API group.
pub fn write_client_crate(
    root: &Path,
    dir: &Path,
    name: &str,
    source: &str,
    generated: &codegen::Generated,
) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(dir.join("src/generated"));
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    crate::codegen_cmd::ensure_files(&dir.join("src/generated"), &generated.files, false)?;
    // The runtime's dependencies are declared once, in the workspace manifest.
    let workspace = std::fs::read_to_string(root.join("Cargo.toml")).map_err(|e| e.to_string())?;
    let deps = section(&workspace, "[workspace.dependencies]")
        .ok_or("Cargo.toml has no [workspace.dependencies]")?;
    let client = std::fs::read_to_string(root.join("generated-client/Cargo.toml"))
        .map_err(|e| e.to_string())?;
    let deps = mark_optional(&deps, &optional_deps(&client));
    let features = features_section(&client, &generated.model.features());
    let cargo = format!("[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n[dependencies]\n{deps}\n[features]\n{features}\n");
    std::fs::write(dir.join("Cargo.toml"), cargo).map_err(|e| e.to_string())?;
    let runtime = root.join("generated-client/src/runtime/mod.rs");
    let lib = format!(
        "//! Scratch crate: the client generated from `{source}`.\n#![deny(warnings)]\n#[path = {:?}]\npub mod runtime;\n#[allow(missing_docs)]\npub mod generated;\npub use runtime::*;\n",
        runtime.display().to_string()
    );
    std::fs::write(dir.join("src/lib.rs"), lib).map_err(|e| e.to_string())?;
    let _ = std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"));
    Ok(())
}

/// Runs `cargo <args>` in `dir` with its own target folder; returns the wall
/// time and the number of warnings, or the first errors.
pub fn cargo_in(dir: &Path, target: &Path, args: &[&str]) -> Result<(Duration, usize), String> {
    cargo_with(dir, target, args, &[])
}

/// [`cargo_in`] with environment variables `envs` set for cargo.
pub fn cargo_with(
    dir: &Path,
    target: &Path,
    args: &[&str],
    envs: &[(&str, &str)],
) -> Result<(Duration, usize), String> {
    let start = Instant::now();
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command.args(args).envs(envs.iter().copied());
    if matches!(args.first(), Some(&"build") | Some(&"check")) {
        command.arg("--message-format=short");
    }
    let output = command
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let elapsed = start.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("error"))
            .take(10)
            .collect();
        return Err(errors.join("\n    "));
    }
    Ok((
        elapsed,
        stderr.lines().filter(|l| l.contains("warning:")).count(),
    ))
}

/// Compiles the generated client of one spec in `target/conformance/`.
fn compile_client(
    root: &Path,
    rel: &str,
    generated: &codegen::Generated,
    build: bool,
) -> Result<(Duration, usize), String> {
    let name = format!(
        "conformance-{}",
        rel.replace(['/', '.'], "-").to_lowercase()
    );
    let base = root.join("target/conformance");
    let dir = base.join(&name);
    write_client_crate(root, &dir, &name, rel, generated)?;
    cargo_in(
        &dir,
        &base.join("target"),
        &[if build { "build" } else { "check" }, "--quiet"],
    )
}

/// `[features]` for a scratch crate: the generated crate's own features for
/// the runtime's parts (TLS backends, compression, `realtime-ws`,
/// `structured-outputs`, and the default set), so a scratch crate builds what
/// a user of the client builds, then `full` and one feature per API group.
pub fn features_section(
    client_manifest: &str,
    groups: &std::collections::BTreeSet<String>,
) -> String {
    let runtime = section(client_manifest, "[features]").unwrap_or_default();
    let mut out = String::new();
    for line in runtime
        .lines()
        .take_while(|l| !l.contains("BEGIN API-group features"))
    {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        // `realtime-ws` turns on the group of the types no operation uses;
        // a spec without such types has no such group.
        let line = if groups.contains("unreferenced") {
            line.to_owned()
        } else {
            line.replace("\"unreferenced\", ", "")
        };
        out.push_str(&line);
        out.push('\n');
    }
    let list: Vec<String> = groups.iter().map(|g| format!("\"{g}\"")).collect();
    out.push_str(&format!("full = [{}]\n", list.join(", ")));
    for g in groups {
        out.push_str(&format!("{} = []\n", crate::features::key(g)));
    }
    out
}

/// The dependencies the generated crate declares optional
/// (`name = { workspace = true, optional = true }`).
fn optional_deps(client_manifest: &str) -> Vec<String> {
    let deps = section(client_manifest, "[dependencies]").unwrap_or_default();
    deps.lines()
        .filter(|l| l.contains("optional = true"))
        .filter_map(|l| l.split_once('=').map(|(name, _)| name.trim().to_owned()))
        .collect()
}

/// The workspace's dependency lines with `optional = true` added to those
/// named in `optional`.
fn mark_optional(deps: &str, optional: &[String]) -> String {
    let mut out = String::new();
    for line in deps.lines() {
        let (name, value) = line
            .split_once('=')
            .map_or(("", ""), |(n, v)| (n.trim(), v.trim()));
        if !optional.iter().any(|o| o == name) {
            out.push_str(line);
        } else if let Some(table) = value.strip_prefix('{') {
            out.push_str(&format!("{name} = {{ optional = true,{table}"));
        } else {
            out.push_str(&format!(
                "{name} = {{ version = {value}, optional = true }}"
            ));
        }
        out.push('\n');
    }
    out
}

/// The lines of a TOML section, up to the next section header.
fn section(manifest: &str, header: &str) -> Option<String> {
    let start = manifest.find(header)? + header.len();
    let rest = &manifest[start..];
    let end = rest.find("\n[").map_or(rest.len(), |i| i + 1);
    Some(rest[..end].trim_matches('\n').to_owned() + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch crate declares the runtime's dependencies and features as
    /// the generated crate does: what is optional there is optional here, and
    /// the default features are the same, so compile-bench and conformance
    /// build what a user builds.
    #[test]
    fn scratch_manifest_follows_the_generated_crate() {
        let root = crate::workspace_root();
        let workspace = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        let client = std::fs::read_to_string(root.join("generated-client/Cargo.toml")).unwrap();
        let optional = optional_deps(&client);
        for name in ["schemars", "tokio-tungstenite", "rustls"] {
            assert!(
                optional.iter().any(|o| o == name),
                "{name} not optional in {optional:?}"
            );
        }
        let deps = mark_optional(
            &section(&workspace, "[workspace.dependencies]").unwrap(),
            &optional,
        );
        for line in deps.lines().filter(|l| l.contains('=')) {
            let name = line.split_once('=').unwrap().0.trim();
            let is_optional = optional.iter().any(|o| o == name);
            assert_eq!(line.contains("optional = true"), is_optional, "{line}");
            assert!(
                line.matches('{').count() == line.matches('}').count(),
                "{line}"
            );
        }
        let groups: std::collections::BTreeSet<String> = ["chat".to_owned()].into();
        let features = features_section(&client, &groups);
        let default = |text: &str| {
            text.lines()
                .find(|l| l.starts_with("default ="))
                .map(str::to_owned)
        };
        assert_eq!(
            default(&features),
            default(&section(&client, "[features]").unwrap())
        );
        assert!(
            features.contains("gzip = [")
                && features.contains("structured-outputs = [\"dep:schemars\"]"),
            "{features}"
        );
        assert!(
            features.contains("realtime-ws = [\"dep:tokio-tungstenite\""),
            "no `unreferenced` group here: {features}"
        );
        assert!(
            features.contains("full = [\"chat\"]\nchat = []\n"),
            "{features}"
        );
    }
}
