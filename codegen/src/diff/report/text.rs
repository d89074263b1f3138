//! Plain text: a summary line, then findings grouped by operation or schema.

use super::{groups, relative_location, used_by};
use crate::diff::model::Report;
use std::fmt::Write;

pub(super) fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} → {}: {}", report.old_file, report.new_file, report.summary());
    for (group, list) in groups(&report.findings) {
        out.push('\n');
        match used_by(list[0], 6) {
            Some(users) => {
                let _ = writeln!(out, "{group} (used by {users})");
            }
            None => {
                let _ = writeln!(out, "{group}");
            }
        }
        let width = list.iter().map(|f| f.rule.id().len()).max().unwrap_or(0);
        for f in list {
            let at = relative_location(f);
            let sep = if at.is_empty() { "" } else { " " };
            let _ = writeln!(out, "  {:<15} {:<width$} {at}{sep}— {}", f.level.as_str(), f.rule.id(), f.message);
        }
    }
    if let Some(note) = &report.api_note {
        let _ = writeln!(out, "\nnote: {note}");
    }
    let _ = writeln!(out, "\n{}", report.verdict());
    out
}
