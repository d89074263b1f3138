//! Renders a [`Report`] in one of the output formats.

mod github;
mod json;
mod markdown;
mod text;

use super::model::{Finding, Report};
use std::str::FromStr;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Plain text grouped by operation / schema (the default).
    #[default]
    Text,
    /// Markdown for a pull-request comment.
    Markdown,
    /// JSON for tools.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Format::Text),
            "markdown" | "md" => Ok(Format::Markdown),
            "json" => Ok(Format::Json),
            "github" => Ok(Format::Github),
            _ => Err(format!("unknown format `{s}` (expected text, markdown, json or github)")),
        }
    }
}

/// The report in `format`, ending with a newline.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => text::render(report),
        Format::Markdown => markdown::render(report),
        Format::Json => json::render(report),
        Format::Github => github::render(report),
    }
}

/// Findings by group, groups in report order, each group's findings most severe first.
pub(crate) fn groups(findings: &[Finding]) -> Vec<(&str, Vec<&Finding>)> {
    let mut out: Vec<(&str, Vec<&Finding>)> = Vec::new();
    // Group → its index in `out`: thousands of groups are looked up in constant time.
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for f in findings {
        match index.get(f.group.as_str()) {
            Some(&i) => out[i].1.push(f),
            None => {
                index.insert(&f.group, out.len());
                out.push((&f.group, vec![f]));
            }
        }
    }
    for (_, list) in &mut out {
        list.sort_by(|a, b| b.level.rank().cmp(&a.level.rank()).then(a.location.cmp(&b.location)));
    }
    out
}

/// The location relative to its group heading (`.choices[].index` under `schema X`).
pub(crate) fn relative_location(f: &Finding) -> &str {
    f.location.strip_prefix(f.group.as_str()).map_or(f.location.as_str(), str::trim_start)
}

/// "used by A, B and 3 more" for schema groups.
pub(crate) fn used_by(f: &Finding, limit: usize) -> Option<String> {
    if f.used_by.is_empty() {
        return None;
    }
    let shown: Vec<&str> = f.used_by.iter().take(limit).map(String::as_str).collect();
    let more = f.used_by.len().saturating_sub(limit);
    Some(if more > 0 { format!("{} and {more} more", shown.join(", ")) } else { shown.join(", ") })
}
