//! Markdown for a pull-request comment: counts, then tables per group; info
//! findings folded away.

use super::{groups, relative_location, used_by};
use crate::diff::model::{Finding, Report};
use crate::diff::rules::Level;
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

/// GitHub rejects comments over 65536 characters; stay below with room for a note.
const COMMENT_LIMIT: usize = 60_000;

/// Tables per group, row by row until `limit` characters; returns how many findings did not fit.
fn tables(out: &mut String, findings: &[&Finding], limit: usize) -> usize {
    let owned: Vec<Finding> = findings.iter().map(|f| (*f).clone()).collect();
    let mut written = 0;
    'groups: for (group, list) in groups(&owned) {
        let mut head = format!("\n#### {}", code(group));
        if let Some(users) = used_by(list[0], 8) {
            let _ = write!(head, " (used by {})", cell(&users));
        }
        head.push_str("\n\n| Level | Rule | Where | Change |\n|---|---|---|---|\n");
        for (i, f) in list.iter().enumerate() {
            let row = format!("| {} | {} | {} | {} |\n", f.level, code(f.rule.id()), code(relative_location(f)), cell(&f.message));
            let need = row.len() + if i == 0 { head.len() } else { 0 };
            if out.len() + need > limit {
                break 'groups;
            }
            if i == 0 {
                out.push_str(&head);
            }
            out.push_str(&row);
            written += 1;
        }
    }
    owned.len() - written
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
    if let Some(unused) = report.unused {
        let _ = writeln!(out, "| not used by the given code | {unused} |");
    }
    let (info, main): (Vec<&Finding>, Vec<&Finding>) = report.findings.iter().partition(|f| f.level == Level::Info);
    if report.findings.is_empty() {
        out.push_str("\nNo changes found.\n");
    }
    let mut left = tables(&mut out, &main, COMMENT_LIMIT);
    if !info.is_empty() && left == 0 {
        let _ = writeln!(out, "\n<details><summary>{} info finding{}</summary>", info.len(), if info.len() == 1 { "" } else { "s" });
        left = tables(&mut out, &info, COMMENT_LIMIT);
        out.push_str("\n</details>\n");
    } else {
        left += info.len();
    }
    if left > 0 {
        let _ = writeln!(out, "\n_{left} more finding{} not shown, to fit a pull-request comment: see `--format text` or `--format json`._", if left == 1 { "" } else { "s" });
    }
    if let Some(note) = &report.api_note {
        let _ = writeln!(out, "\n_{}_", cell(note));
    }
    let _ = writeln!(out, "\n**{}**", cell(&report.verdict()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::rules::RuleId;

    #[test]
    fn large_reports_fit_a_pull_request_comment() {
        let finding = |i: usize, rule: RuleId| Finding {
            rule,
            level: rule.default_level(),
            location: format!("schema S{i} .field"),
            message: "x".repeat(200),
            group: format!("schema S{i}"),
            used_by: vec!["GET /a".to_owned()],
            absorbed: None,
            old: None,
            new: None,
            rust: Vec::new(),
        };
        let findings = (0..2000).map(|i| finding(i, if i % 2 == 0 { RuleId::SchemaRemoved } else { RuleId::SchemaAdded })).collect();
        let mut report = Report { findings, ..Report::default() };
        let text = render(&report);
        assert!(text.len() < 65_536, "{} characters", text.len());
        assert!(text.contains("more findings not shown"));
        report.findings.truncate(3);
        let text = render(&report);
        assert!(!text.contains("not shown") && text.contains("<details>"));
    }
}
