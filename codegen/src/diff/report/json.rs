//! JSON for tools: a summary and the findings with both positions.

use crate::diff::model::{Level, Position, Report};
use serde_json::{json, Map, Value};

fn position(p: &Option<Position>) -> Value {
    match p {
        Some(p) => json!({ "pointer": p.pointer, "line": p.line }),
        None => Value::Null,
    }
}

pub(super) fn render(report: &Report) -> String {
    let mut summary = Map::new();
    summary.insert("total".to_owned(), json!(report.findings.len()));
    for (level, n) in Level::ALL.iter().zip(report.counts()) {
        summary.insert(level.as_str().to_owned(), json!(n));
    }
    summary.insert("suppressed".to_owned(), json!(report.suppressed));
    let findings: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule.id(),
                "level": f.level.as_str(),
                "location": f.location,
                "group": f.group,
                "message": f.message,
                "used_by": f.used_by,
                "absorbed": f.absorbed,
                "old": position(&f.old),
                "new": position(&f.new),
            })
        })
        .collect();
    let doc = json!({ "old": report.old_file, "new": report.new_file, "summary": summary, "findings": findings });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}
