//! GitHub Actions workflow commands: one annotation per finding on the new
//! file's line (or the old file's where only it has one).

use crate::diff::model::Report;
use crate::diff::rules::Level;
use std::fmt::Write;

fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

pub(super) fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let command = match f.level {
            Level::BreakingWire | Level::BreakingSource => "error",
            Level::Warning => "warning",
            Level::Info => "notice",
        };
        let (file, line) = match f.line() {
            Some((true, line)) => (report.new_file.as_str(), Some(line)),
            Some((false, line)) if !report.old_file.contains(':') => (report.old_file.as_str(), Some(line)),
            _ => (report.new_file.as_str(), None),
        };
        let mut props = format!("file={}", property(file));
        if let Some(line) = line {
            let _ = write!(props, ",line={line}");
        }
        let _ = write!(props, ",title={}", property(&format!("{} ({})", f.rule.id(), f.level)));
        let _ = writeln!(out, "::{command} {props}::{}", data(&format!("{}: {}", f.location, f.message)));
    }
    let _ = writeln!(out, "{} → {}: {}", report.old_file, report.new_file, report.summary());
    if let Some(note) = &report.api_note {
        let _ = writeln!(out, "note: {note}");
    }
    let _ = writeln!(out, "{}", report.verdict());
    out
}
