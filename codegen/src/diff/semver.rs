//! The version bump a diff implies for the generated crate, by semver rules.
//! `cargo xtask diff` prints it last and `cargo xtask update-spec` applies it:
//! one function decides for both.

use super::model::Report;
use super::rules::RuleId;
use std::fmt;

/// What a change means for users of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Nothing a user can see in the API, or only fixes (documentation, defaults, new values the wire absorbs).
    Patch,
    /// New items of the Rust API, nothing broken.
    Additive,
    /// Code or calls that worked may fail: a finding at a breaking level.
    Breaking,
}

impl Change {
    /// The change a report shows: breaking when any finding is at a breaking
    /// level, additive when the Rust API gains items (`api.added`, or, where
    /// the API could not be compared, new paths, operations or schemas).
    pub fn of(report: &Report) -> Change {
        if report.findings.iter().any(|f| f.level.is_breaking()) {
            return Change::Breaking;
        }
        let additions: &[RuleId] = if report.api_note.is_some() { &[RuleId::ApiAdded, RuleId::PathAdded, RuleId::OperationAdded, RuleId::SchemaAdded] } else { &[RuleId::ApiAdded] };
        if report.findings.iter().any(|f| additions.contains(&f.rule)) {
            Change::Additive
        } else {
            Change::Patch
        }
    }

    /// Lower-case word for outputs: `breaking`, `additive`, `patch`.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Patch => "patch",
            Change::Additive => "additive",
            Change::Breaking => "breaking",
        }
    }
}

/// Which number of `MAJOR.MINOR.PATCH` goes up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bump {
    /// `MAJOR`.
    Major,
    /// `MINOR`.
    Minor,
    /// `PATCH`.
    Patch,
}

impl Bump {
    /// `major`, `minor` or `patch`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::Major => "major",
            Bump::Minor => "minor",
            Bump::Patch => "patch",
        }
    }

    /// The bump for a crate whose major version is `major`: before 1.0 a
    /// breaking change bumps the minor number and anything else the patch
    /// number; from 1.0 on breaking bumps the major number, additions the minor.
    pub fn for_change(major: u64, change: Change) -> Bump {
        match (major, change) {
            (0, Change::Breaking) => Bump::Minor,
            (0, _) => Bump::Patch,
            (_, Change::Breaking) => Bump::Major,
            (_, Change::Additive) => Bump::Minor,
            (_, Change::Patch) => Bump::Patch,
        }
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn parse(version: &str) -> Result<[u64; 3], String> {
    let bad = || format!("version `{version}` is not MAJOR.MINOR.PATCH");
    let parts: Vec<u64> = version.trim().split('.').map(|p| p.parse::<u64>()).collect::<Result<_, _>>().map_err(|_| bad())?;
    <[u64; 3]>::try_from(parts).map_err(|_| bad())
}

/// The version after `change`, by [`Bump::for_change`].
pub fn next_version(version: &str, change: Change) -> Result<String, String> {
    let [major, minor, patch] = parse(version)?;
    Ok(match Bump::for_change(major, change) {
        Bump::Major => format!("{}.0.0", major + 1),
        Bump::Minor => format!("{major}.{}.0", minor + 1),
        Bump::Patch => format!("{major}.{minor}.{}", patch + 1),
    })
}

/// The verdict line of every output format: the change and the bump, for the
/// crate version when one is known (`semver: breaking → minor bump (0.1.0 → 0.2.0)`).
pub fn verdict(report: &Report) -> String {
    let change = Change::of(report);
    match report.crate_version.as_deref().map(|v| (v, parse(v))) {
        Some((v, Ok([major, ..]))) => {
            let next = next_version(v, change).unwrap_or_default();
            format!("semver: {} → {} bump of the generated crate ({v} → {next})", change.as_str(), Bump::for_change(major, change))
        }
        _ => format!("semver: {} → {} bump of the generated crate before 1.0 ({} from 1.0)", change.as_str(), Bump::for_change(0, change), Bump::for_change(1, change)),
    }
}

impl Report {
    /// The change the findings show and the version bump it implies.
    pub fn change(&self) -> Change {
        Change::of(self)
    }

    /// The closing verdict line: change and version bump of the generated crate.
    pub fn verdict(&self) -> String {
        verdict(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_follow_semver_before_and_after_1_0() {
        assert_eq!(next_version("0.1.0", Change::Breaking).unwrap(), "0.2.0");
        assert_eq!(next_version("0.1.3", Change::Additive).unwrap(), "0.1.4");
        assert_eq!(next_version("0.1.3", Change::Patch).unwrap(), "0.1.4");
        assert_eq!(next_version("1.4.2", Change::Breaking).unwrap(), "2.0.0");
        assert_eq!(next_version("1.4.2", Change::Additive).unwrap(), "1.5.0");
        assert_eq!(next_version("1.4.2", Change::Patch).unwrap(), "1.4.3");
        assert!(next_version("0.1", Change::Breaking).is_err());
        assert!(next_version("1.x.0", Change::Patch).is_err());
    }
}
