//! `cargo xtask fuzz-targets`: type-checks the `cargo fuzz` targets in
//! `fuzz/`, which are their own workspace and otherwise built by nobody, so
//! they cannot rot unseen (two had, by 2026-11-30: the SSE target lacked a
//! dependency the parser had gained, the diff target built options that had
//! gained fields).
//!
//! libFuzzer itself (C++) is not built: the check turns off the feature that
//! links it. The workspace's lock file is copied in first (the fuzz crate's
//! own is not kept in git), so the crates both use resolve to the versions
//! the workspace is tested with; only the fuzzing crates are resolved anew.

use crate::conformance::cargo_in;
use crate::workspace_root;
use std::process::ExitCode;

pub const USAGE: &str = "usage: cargo xtask fuzz-targets

Type-checks the cargo-fuzz targets in fuzz/ (without building libFuzzer), with
the workspace's Cargo.lock copied to fuzz/Cargo.lock first. Builds in
target/fuzz-targets, removed after a successful check.";

pub fn run(args: &[String]) -> Result<ExitCode, String> {
    if let Some(arg) = args.first() {
        return Err(format!("unexpected argument `{arg}`\n\n{USAGE}"));
    }
    let root = workspace_root();
    let lock = root.join("fuzz/Cargo.lock");
    std::fs::copy(root.join("Cargo.lock"), &lock)
        .map_err(|e| format!("cannot copy Cargo.lock to {}: {e}", lock.display()))?;
    let target = root.join("target/fuzz-targets");
    let args = ["check", "--bins", "--no-default-features", "--quiet"];
    if let Err(errors) = cargo_in(&root.join("fuzz"), &target, &args) {
        eprintln!("the cargo-fuzz targets in fuzz/ do not build: fix them as these errors say\n    {errors}");
        return Ok(ExitCode::FAILURE);
    }
    // A check leaves nothing worth keeping, and CI's disk is counted.
    std::fs::remove_dir_all(&target)
        .map_err(|e| format!("cannot remove {}: {e}", target.display()))?;
    Ok(ExitCode::SUCCESS)
}
