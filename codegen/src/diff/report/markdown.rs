//! Markdown for a pull-request comment: counts, then tables per group; info
//! findings folded away.

use super::{groups, relative_location, used_by};
use crate::diff::model::{Finding, Level, Report};
use std::fmt::Write;

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn code(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("`{}`", cell(text).replace('`', "'"))
    }
}

fn tables(out: &mut String, findings: &[&Finding]) {
    let owned: Vec<Finding> = findings.iter().map(|f| (*f).clone()).collect();
    for (group, list) in groups(&owned) {
        let _ = write!(out, "\n#### {}", code(group));
        if let Some(users) = used_by(list[0], 8) {
            let _ = write!(out, " (used by {})", cell(&users));
        }
        out.push_str("\n\n| Level | Rule | Where | Change |\n|---|---|---|---|\n");
        for f in list {
            let _ = writeln!(out, "| {} | {} | {} | {} |", f.level, code(f.rule.id()), code(relative_location(f)), cell(&f.message));
        }
    }
}

pub(super) fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### OpenAPI diff: {} → {}\n", code(&report.old_file), code(&report.new_file));
    let counts = report.counts();
    out.push_str("| Level | Findings |\n|---|---:|\n");
    for (level, n) in Level::ALL.iter().zip(counts) {
        let _ = writeln!(out, "| {level} | {n} |");
    }
    if report.suppressed > 0 {
        let _ = writeln!(out, "| suppressed | {} |", report.suppressed);
    }
    let (info, main): (Vec<&Finding>, Vec<&Finding>) = report.findings.iter().partition(|f| f.level == Level::Info);
    if report.findings.is_empty() {
        out.push_str("\nNo changes found.\n");
    }
    tables(&mut out, &main);
    if !info.is_empty() {
        let _ = writeln!(out, "\n<details><summary>{} info finding{}</summary>", info.len(), if info.len() == 1 { "" } else { "s" });
        tables(&mut out, &info);
        out.push_str("\n</details>\n");
    }
    out
}
