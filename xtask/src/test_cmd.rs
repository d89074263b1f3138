//! `cargo xtask test`: every check the project has, in the order CI runs them.
//! `.ci/run` calls exactly this, so a green local run means a green CI run.

use crate::workspace_root;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// One step: a label, the command line (the first word is `cargo`) and extra
/// environment variables.
type Step = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

const STEPS: &[Step] = &[
    (
        "specs/ state the same facts as the official files",
        &["xtask", "verify-specs"],
        &[],
    ),
    (
        "checked-in generated client and its features are fresh",
        &["xtask", "codegen", "--check"],
        &[],
    ),
    (
        "all tests, examples and benches build; tests pass",
        &["test", "--workspace", "--all-targets", "--quiet"],
        &[],
    ),
    (
        "the client builds with one API group only (chat)",
        &[
            "check",
            "-p",
            "openai-client",
            "--no-default-features",
            "--features",
            "rustls,chat",
            "--quiet",
        ],
        &[],
    ),
    (
        "the client builds with the types no operation uses only (Realtime over WebSocket)",
        &[
            "check",
            "-p",
            "openai-client",
            "--no-default-features",
            "--features",
            "rustls,realtime-ws",
            "--quiet",
        ],
        &[],
    ),
    (
        "doc tests",
        &["test", "--workspace", "--doc", "--quiet"],
        &[],
    ),
    (
        "the client's docs build without a warning (optional features included)",
        &[
            "doc",
            "-p",
            "openai-client",
            "--no-deps",
            "--features",
            "realtime-ws,structured-outputs",
            "--quiet",
        ],
        &[("RUSTDOCFLAGS", "-D warnings")],
    ),
    (
        "no warnings in the workspace (clippy)",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    ),
    (
        "dependency policy: licenses, bans, crates.io only (cargo-deny, deny.toml, offline)",
        &["deny", "--offline", "check", "licenses", "bans", "sources"],
        &[],
    ),
    (
        "spec diff of the two in-repo specs, JSON output checked",
        &["xtask", "diff-selftest"],
        &[],
    ),
    (
        "1,000 mutated specs: no panic, hang, abort or invalid output; two clients compiled",
        &["xtask", "fuzz", "--cases", "1000", "--compile", "1"],
        &[],
    ),
    (
        "a real spec update end to end on a copy of the workspace",
        &["xtask", "e2e-update"],
        &[],
    ),
    (
        "generator on every official spec; a chosen set compiled",
        &["xtask", "conformance", "--compile", "set"],
        &[],
    ),
];

const GIB: f64 = (1u64 << 30) as f64;

pub const USAGE: &str = "usage: cargo xtask test [--quick]

Runs every check CI runs, in order, and stops at the first failure.
--quick skips the conformance step (generating and compiling the official specs)
and the end-to-end spec update. Builds are not incremental unless
CARGO_INCREMENTAL says otherwise, and each step reports the size of target/.";

/// Incremental compilation stays off unless the caller chose otherwise. CI
/// builds from a clean clone, where the incremental caches are never read
/// again but cost disk: 3.9 GiB of the 11 GiB a fresh run left in `target/`
/// (2026-11-29), and one CI machine ran out of space.
fn incremental() -> String {
    std::env::var("CARGO_INCREMENTAL").unwrap_or_else(|_| "0".to_owned())
}

/// Bytes under `dir`, counting each file once (hard links in `deps/` are
/// common) and not following symbolic links.
fn disk_usage(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut seen = std::collections::HashSet::new();
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.path().symlink_metadata() else {
                continue;
            };
            if meta.is_dir() {
                stack.push(entry.path());
            } else if seen.insert((meta.dev(), meta.ino())) {
                total += meta.blocks() * 512;
            }
        }
    }
    total
}

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    let skip_conformance = args.iter().any(|a| a == "--quick");
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let incremental = incremental();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let total = Instant::now();
    let mut peak = 0;
    for (label, argv, env) in STEPS {
        if skip_conformance && (argv.contains(&"conformance") || argv.contains(&"e2e-update")) {
            println!("==> skipped (--quick): {label}");
            continue;
        }
        println!("==> {label}: cargo {}", argv.join(" "));
        let start = Instant::now();
        let status = Command::new(&cargo)
            .args(*argv)
            .env("CARGO_INCREMENTAL", &incremental)
            .envs(env.iter().copied())
            .current_dir(&root)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        // The size of the build folder after each step, so a CI log shows
        // how much disk the run needs and which step took it.
        let used = disk_usage(&target);
        peak = peak.max(used);
        println!(
            "    {:.1} s, target/ {:.2} GiB",
            start.elapsed().as_secs_f64(),
            used as f64 / GIB
        );
        if !status.success() {
            eprintln!("FAILED: {label} (cargo {})", argv.join(" "));
            return Ok(ExitCode::FAILURE);
        }
    }
    println!(
        "all checks passed in {:.1} s; target/ peaked at {:.2} GiB",
        total.elapsed().as_secs_f64(),
        peak as f64 / GIB
    );
    Ok(ExitCode::SUCCESS)
}
