//! `cargo xtask diff-selftest`: runs `cargo xtask diff` on the two in-repo specs
//! the way a CI job would, and checks the output formats and exit codes.

use crate::workspace_root;
use serde_json::Value;
use std::process::{Command, ExitCode};

const OLD: &str = "specs/openai-1.2.0.yaml";
const NEW: &str = "specs/openai-2.0.0.json";

fn diff(args: &[&str]) -> Result<(i32, String), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe).arg("diff").args([OLD, NEW]).args(args).current_dir(workspace_root()).output().map_err(|e| format!("cannot run xtask diff: {e}"))?;
    let code = out.status.code().ok_or("xtask diff was killed")?;
    if code == 2 {
        return Err(format!("xtask diff {args:?} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok((code, String::from_utf8_lossy(&out.stdout).into_owned()))
}

pub const USAGE: &str = "usage: cargo xtask diff-selftest

Runs the spec diff on the in-repo seed specs and checks its output formats and exit codes.";

pub fn run(_args: &[String]) -> Result<ExitCode, String> {
    let (code, json) = diff(&["--format", "json"])?;
    if code != 0 {
        return Err(format!("without --fail-on the diff must exit 0, got {code}"));
    }
    let report: Value = serde_json::from_str(&json).map_err(|e| format!("--format json is not JSON: {e}"))?;
    let findings = report["findings"].as_array().ok_or("JSON report has no findings array")?;
    let total = report["summary"]["total"].as_u64().ok_or("JSON report has no summary.total")?;
    if total as usize != findings.len() || findings.is_empty() {
        return Err(format!("summary.total is {total} but {} findings are listed", findings.len()));
    }
    for f in findings {
        for key in ["rule", "level", "location", "message"] {
            if !f[key].is_string() {
                return Err(format!("finding without a string `{key}`: {f}"));
            }
        }
    }
    let verdict = report["semver"]["verdict"].as_str().ok_or("JSON report has no semver.verdict")?;
    if report["semver"]["change"] != "breaking" || !verdict.starts_with("semver: breaking") {
        return Err(format!("1.2.0 -> 2.0.0 removes operations: the verdict must be breaking, got {verdict}"));
    }
    let removed = findings.iter().any(|f| f["rule"] == "path.removed" && f["location"] == "/answers" && f["level"] == "breaking-wire");
    if !removed {
        return Err("the removal of /answers between 1.2.0 and 2.0.0 is not reported as breaking-wire".to_owned());
    }
    let (code, _) = diff(&["--format", "json", "--fail-on", "breaking"])?;
    if code != 1 {
        return Err(format!("--fail-on breaking must exit 1 on breaking findings, got {code}"));
    }
    let (_, github) = diff(&["--format", "github"])?;
    let commands = github.lines().filter(|l| l.starts_with("::")).count();
    if commands as u64 != total || !github.lines().any(|l| l.starts_with("::error ")) {
        return Err(format!("--format github must print one workflow command per finding ({total}), with ::error for breaking ones; got {commands}"));
    }
    let (_, markdown) = diff(&["--format", "markdown"])?;
    if !markdown.contains('|') && !markdown.contains("## ") {
        return Err("--format markdown printed neither headings nor tables".to_owned());
    }
    let (_, text) = diff(&[])?;
    if !text.contains("/answers") {
        return Err("text output does not mention /answers".to_owned());
    }
    for (name, out) in [("text", &text), ("github", &github)] {
        if out.lines().last() != Some(verdict) {
            return Err(format!("--format {name} does not end with the semver verdict `{verdict}`"));
        }
    }
    if markdown.lines().last() != Some(format!("**{verdict}**").as_str()) {
        return Err("--format markdown does not end with the semver verdict".to_owned());
    }
    println!("diff {OLD} -> {NEW}: {total} findings, {verdict}; json, github, markdown and text formats, the verdict and --fail-on exit codes checked");
    Ok(ExitCode::SUCCESS)
}
