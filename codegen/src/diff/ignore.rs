//! Ignore files: accepted findings, named by rule id and location (never by
//! message text, so rewording a message does not revive an accepted finding).
//!
//! One entry per line, `RULE LOCATION`; `#` starts a comment line; `*` in either
//! part matches any run of characters:
//!
//! ```text
//! # accepted for the 2.0 migration
//! path.removed /engines*
//! response.enum.value-added schema RunObject .status="cancelled"
//! ```

use super::model::Report;
use super::rules::RuleId;

/// `*` matches any run of characters; everything else matches itself. The
/// pattern language of ignore files, level overrides and `xtask`'s
/// `specs/semver-accepted.txt`.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// Checks that a rule pattern names at least one rule, to catch typos.
pub(crate) fn check_rule_pattern(pattern: &str) -> Result<(), String> {
    if RuleId::ALL.iter().any(|r| glob(pattern, r.id())) {
        Ok(())
    } else {
        Err(format!("`{pattern}` names no rule (see --rules)"))
    }
}

/// One accepted finding (or family of findings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreEntry {
    /// Rule id or pattern.
    pub rule: String,
    /// Location or pattern.
    pub location: String,
    /// 1-based line in the ignore file.
    pub line: usize,
    /// How many findings it suppressed in the last [`IgnoreList::apply`].
    pub hits: usize,
}

/// The entries of an ignore file.
#[derive(Debug, Clone, Default)]
pub struct IgnoreList {
    /// Entries in file order.
    pub entries: Vec<IgnoreEntry>,
}

impl IgnoreList {
    /// Parses an ignore file; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, String> {
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (rule, location) = line.split_once(char::is_whitespace).map_or((line, ""), |(r, l)| (r, l.trim()));
            if location.is_empty() {
                return Err(format!("{file}:{}: expected `RULE LOCATION` (use `*` for any location)", i + 1));
            }
            check_rule_pattern(rule).map_err(|e| format!("{file}:{}: {e}", i + 1))?;
            entries.push(IgnoreEntry { rule: rule.to_owned(), location: location.to_owned(), line: i + 1, hits: 0 });
        }
        Ok(IgnoreList { entries })
    }

    /// Removes the findings the list accepts and counts them as suppressed.
    pub fn apply(&mut self, report: &mut Report) {
        let before = report.findings.len();
        let entries = &mut self.entries;
        report.findings.retain(|f| {
            let hit = entries.iter_mut().find(|e| glob(&e.rule, f.rule.id()) && glob(&e.location, &f.location));
            match hit {
                Some(e) => {
                    e.hits += 1;
                    false
                }
                None => true,
            }
        });
        report.suppressed += before - report.findings.len();
    }

    /// Entries that matched nothing (stale entries worth deleting).
    pub fn unused(&self) -> impl Iterator<Item = &IgnoreEntry> {
        self.entries.iter().filter(|e| e.hits == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_runs() {
        assert!(glob("a*c", "abbbc"));
        assert!(glob("*", ""));
        assert!(glob("path.*", "path.removed"));
        assert!(!glob("a*c", "abcd"));
        assert!(glob("a*b*c", "a-b-c"));
        assert!(!glob("ab*ba", "aba"));
    }

    #[test]
    fn parse_rejects_unknown_rules_and_missing_locations() {
        assert!(IgnoreList::parse("f", "no.such.rule x").unwrap_err().contains("f:1"));
        assert!(IgnoreList::parse("f", "\n# c\npath.removed").unwrap_err().contains("f:3"));
        let list = IgnoreList::parse("f", "path.* /engines*\n").unwrap();
        assert_eq!(list.entries[0].location, "/engines*");
    }
}
