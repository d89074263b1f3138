//! Spec diff: classifies the changes between two OpenAPI documents by what they
//! break for users of a strongly typed generated client.
//!
//! [`diff`] compares two loaded [`Spec`]s (any mix of YAML/JSON and 3.0/3.1:
//! both are normalised to one shape by [`crate::load`]) and returns a
//! [`Report`] of [`Finding`]s, each with a stable [`RuleId`], a location and a
//! [`Level`]. [`LevelOverrides`] and [`IgnoreList`] adjust a report;
//! [`report::render`] prints it as text, markdown, JSON or GitHub annotations.
//!
//! Schemas are compared where operations use them, so each change is judged by
//! direction (request or response). Component schemas are compared once per
//! direction and their findings are located at the schema and list the
//! operations that reach them.

mod flat;
mod ignore;
mod levels;
mod lines;
mod model;
mod ops;
mod rename;
pub mod report;
mod rules;
mod schema;
mod security;
mod shape;
mod union;
mod walk;

pub use ignore::{IgnoreEntry, IgnoreList};
pub use levels::LevelOverrides;
pub use lines::fill_lines;
pub use model::{FailOn, Finding, Level, Position, Report};
pub use rules::RuleId;

use crate::load::Spec;

/// What to compare beyond the defaults.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Also report description, summary and example changes.
    pub docs: bool,
}

/// Compares `old` with `new` and classifies every change. Findings carry JSON
/// pointers but no line numbers yet: see [`fill_lines`].
pub fn diff(old: &Spec, new: &Spec, options: &Options) -> Report {
    walk::Ctx::new(old, new, options).run(&old.file, &new.file)
}
