//! Per-rule level overrides (`RULE=LEVEL`, where LEVEL may be `off`).

use super::ignore::{check_rule_pattern, glob};
use super::model::Report;
use super::rules::Level;

/// Overrides in the order given; the last one that matches a rule wins.
#[derive(Debug, Clone, Default)]
pub struct LevelOverrides {
    /// (rule pattern, new level or `None` for off).
    pub entries: Vec<(String, Option<Level>)>,
}

impl LevelOverrides {
    /// Adds one `RULE=LEVEL` override; RULE may use `*`.
    pub fn add(&mut self, spec: &str) -> Result<(), String> {
        let (rule, level) = spec.split_once('=').ok_or_else(|| format!("`{spec}` is not RULE=LEVEL"))?;
        check_rule_pattern(rule.trim())?;
        let level = match level.trim() {
            "off" => None,
            other => Some(other.parse::<Level>()?),
        };
        self.entries.push((rule.trim().to_owned(), level));
        Ok(())
    }

    /// Sets each finding's level; findings turned `off` are removed and counted as suppressed.
    pub fn apply(&self, report: &mut Report) {
        if self.entries.is_empty() {
            return;
        }
        let before = report.findings.len();
        report.findings.retain_mut(|f| match self.entries.iter().rev().find(|(p, _)| glob(p, f.rule.id())) {
            Some((_, Some(level))) => {
                f.level = *level;
                true
            }
            Some((_, None)) => false,
            None => true,
        });
        report.suppressed += before - report.findings.len();
    }
}
