//! `cargo xtask test`: every check the project has, in the order CI runs them.
//! `.ci/run` calls exactly this, so a green local run means a green CI run.

use crate::workspace_root;
use std::process::{Command, ExitCode};
use std::time::Instant;

/// One step: a label and the command line (the first word is `cargo`).
const STEPS: &[(&str, &[&str])] = &[
    ("specs/ state the same facts as the official files", &["xtask", "verify-specs"]),
    ("checked-in generated client is fresh", &["xtask", "codegen", "--check"]),
    ("all tests, examples and benches build; tests pass", &["test", "--workspace", "--all-targets", "--quiet"]),
    ("the client builds with one API group only (chat)", &["check", "-p", "openai-client", "--no-default-features", "--features", "rustls,chat", "--quiet"]),
    ("doc tests", &["test", "--workspace", "--doc", "--quiet"]),
    ("no warnings in the workspace (clippy)", &["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"]),
    ("spec diff of the two in-repo specs, JSON output checked", &["xtask", "diff-selftest"]),
    ("generator on every official spec; a chosen set compiled", &["xtask", "conformance", "--compile", "set"]),
];

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let skip_conformance = args.iter().any(|a| a == "--quick");
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let total = Instant::now();
    for (label, argv) in STEPS {
        if skip_conformance && argv.contains(&"conformance") {
            println!("==> skipped (--quick): {label}");
            continue;
        }
        println!("==> {label}: cargo {}", argv.join(" "));
        let start = Instant::now();
        let status = Command::new(&cargo).args(*argv).current_dir(&root).status().map_err(|e| format!("cannot run cargo: {e}"))?;
        println!("    {:.1} s", start.elapsed().as_secs_f64());
        if !status.success() {
            eprintln!("FAILED: {label} (cargo {})", argv.join(" "));
            return Ok(ExitCode::FAILURE);
        }
    }
    println!("all checks passed in {:.1} s", total.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}
