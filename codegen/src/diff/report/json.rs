//! JSON for tools: a summary and the findings with both positions.

use crate::diff::model::{Position, Report};
use crate::diff::rules::Level;
use crate::diff::semver::{next_version, Bump};
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
    if let Some(unused) = report.unused {
        summary.insert("unused".to_owned(), json!(unused));
    }
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
                "rust": f.rust,
            })
        })
        .collect();
    let change = report.change();
    let version = report.crate_version.as_deref();
    let major = version.and_then(|v| v.split('.').next()?.trim().parse::<u64>().ok());
    let semver = json!({
        "change": change.as_str(),
        "bump": major.map(|m| Bump::for_change(m, change).as_str()),
        "bump_before_1_0": Bump::for_change(0, change).as_str(),
        "bump_from_1_0": Bump::for_change(1, change).as_str(),
        "version": version,
        "next_version": version.and_then(|v| next_version(v, change).ok()),
        "verdict": report.verdict(),
    });
    let doc = json!({ "old": report.old_file, "new": report.new_file, "summary": summary, "api_note": report.api_note, "findings": findings, "semver": semver });
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}
