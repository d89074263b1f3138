//! The data of a diff: levels, findings and the report that holds them.

use super::rules::{Level, RuleId};
use std::str::FromStr;


/// Which findings make the exit code non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// Never fail because of findings.
    #[default]
    None,
    /// Fail on breaking findings (wire or source).
    Breaking,
    /// Fail on breaking findings and warnings.
    Warning,
}

impl FailOn {
    /// Whether a finding at `level` fails the run.
    pub fn fails(self, level: Level) -> bool {
        match self {
            FailOn::None => false,
            FailOn::Breaking => level.is_breaking(),
            FailOn::Warning => level.rank() >= Level::Warning.rank(),
        }
    }

    /// The process exit code for a report: 1 when a finding fails the run, else 0.
    pub fn exit_code(self, report: &Report) -> u8 {
        u8::from(report.findings.iter().any(|f| self.fails(f.level)))
    }
}

impl FromStr for FailOn {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(FailOn::None),
            "breaking" => Ok(FailOn::Breaking),
            "warning" => Ok(FailOn::Warning),
            _ => Err(format!("unknown --fail-on value `{s}` (expected breaking, warning or none)")),
        }
    }
}

/// A node of one side of the diff: its JSON pointer and, once looked up, its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// JSON pointer (RFC 6901) into the normalised document; usually also valid in the source.
    pub pointer: String,
    /// 1-based line in the source file, where it can be found.
    pub line: Option<usize>,
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What kind of change this is.
    pub rule: RuleId,
    /// How bad it is: the rule's default level unless overridden.
    pub level: Level,
    /// Stable, human-readable place of the change (what an ignore file names), e.g.
    /// `POST /chat/completions response 200 application/json .choices[].finish_reason`
    /// or `schema CreateChatCompletionResponse .usage`.
    pub location: String,
    /// What changed and what it means for the generated client, without a trailing period.
    pub message: String,
    /// The heading the finding is grouped under: an operation (`POST /files`), a
    /// path, a component schema (`schema Name`) or `document`.
    pub group: String,
    /// For findings inside a component schema: the operations that reach it.
    pub used_by: Vec<String>,
    /// For an added response enum value or union variant: whether the generated
    /// client's catch-all variant absorbs it on the wire.
    pub absorbed: Option<bool>,
    /// Where it was in the old document (absent for additions).
    pub old: Option<Position>,
    /// Where it is in the new document (absent for removals).
    pub new: Option<Position>,
    /// The items of the generated Rust API it concerns, as paths: `Type`,
    /// `Type::member` (field, variant, constant, setter, `new`) or
    /// `Client::method`. What `--used-by` matches against the user's code.
    pub rust: Vec<String>,
}

impl Finding {
    /// The line to annotate: the new side's where there is one, else the old side's.
    pub fn line(&self) -> Option<(bool, usize)> {
        if let Some(line) = self.new.as_ref().and_then(|p| p.line) {
            return Some((true, line));
        }
        self.old.as_ref().and_then(|p| p.line).map(|l| (false, l))
    }
}

/// The result of diffing two documents.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// File name of the old document as given.
    pub old_file: String,
    /// File name of the new document as given.
    pub new_file: String,
    /// Findings, sorted by group, then severity, then location.
    pub findings: Vec<Finding>,
    /// Number of findings an ignore file or an `off` level removed.
    pub suppressed: usize,
    /// Findings left out because the code given to `--used-by` names none of
    /// their items (`None`: no such filter).
    pub unused: Option<usize>,
    /// Why the generated Rust APIs were not compared (a side does not
    /// generate), when they were not.
    pub api_note: Option<String>,
    /// Version of the generated crate the verdict bumps, when known.
    pub crate_version: Option<String>,
}

impl Report {
    /// Number of findings at each level, in [`Level::ALL`] order.
    pub fn counts(&self) -> [usize; 4] {
        let mut out = [0; 4];
        for f in &self.findings {
            out[Level::ALL.iter().position(|l| *l == f.level).unwrap_or(3)] += 1;
        }
        out
    }

    /// One-line summary such as `12 findings: 3 breaking-wire, 1 breaking-source, 2 warning, 6 info`.
    pub fn summary(&self) -> String {
        let counts = self.counts();
        let parts: Vec<String> = Level::ALL.iter().zip(counts).map(|(l, n)| format!("{n} {l}")).collect();
        let n = self.findings.len();
        let mut out = format!("{n} finding{}: {}", if n == 1 { "" } else { "s" }, parts.join(", "));
        if self.suppressed > 0 {
            out.push_str(&format!(" ({} suppressed)", self.suppressed));
        }
        if let Some(unused) = self.unused {
            out.push_str(&format!(" ({unused} on items the given code does not use, left out)"));
        }
        out
    }


    /// Findings of one rule.
    pub fn of_rule(&self, rule: RuleId) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.rule == rule)
    }
}
