//! Spec diff: classifies the changes between two OpenAPI documents by what they
//! break for users of a strongly typed generated client.
//!
//! [`diff`] compares two loaded [`Spec`]s (any mix of YAML/JSON and 3.0/3.1:
//! both are normalised to one shape by [`crate::load`]) and returns a
//! [`Report`] of [`Finding`]s, each with a stable [`RuleId`], a location and a
//! [`Level`]. [`LevelOverrides`] and [`IgnoreList`] adjust a report;
//! [`report::render`] prints it as text, markdown, JSON or GitHub annotations.
//!
//! Two views are compared:
//! - the wire: schemas are compared where operations use them, so each change
//!   is judged by direction (request or response). Component schemas are
//!   compared once per direction by identity (their name), wherever their uses
//!   moved, and their findings are located at the schema and list the
//!   operations that reach them; schemas no operation uses are judged as
//!   responses;
//! - the generated Rust API: both documents are lowered (with the codegen
//!   configuration) to the [`ir`](crate::ir) model and [`api::surface`](crate::api::surface)
//!   of each is compared (`api.*` rules). Every `breaking-source` finding
//!   comes from there, so the diff never guesses at the Rust shape: union
//!   tags, open strings, Option-ness, names and signatures are what `lower`
//!   and [`crate::api`] decide for the generator.
//!
//! The report ends with a semver verdict ([`semver`]).

mod doc;
mod flat;
mod ignore;
mod levels;
mod lines;
mod generated;
mod model;
mod ops;
mod rename;
pub mod report;
mod rust;
pub mod semver;
mod rules;
mod schema;
mod security;
mod shape;
mod union;
mod used;
mod walk;

pub use ignore::{glob, IgnoreEntry, IgnoreList};
pub use levels::LevelOverrides;
pub use lines::fill_lines;
pub use model::{FailOn, Finding, Position, Report};
pub use rules::{Level, RuleId};
pub use generated::GeneratedApi;
pub use semver::{next_version, Bump, Change};

use crate::config::Config;
use crate::load::Spec;
use std::collections::BTreeSet;

/// What to compare beyond the defaults.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Also report description, summary and example changes.
    pub docs: bool,
    /// The codegen configuration both sides are lowered with (streaming event
    /// types, nullable patches, Cargo features): the one the client is
    /// generated with, so that the compared APIs are the generated ones.
    pub config: Config,
    /// Keep only findings on items these identifiers name (`--used-by`: every
    /// identifier of the user's code); `None` keeps every finding.
    pub used_names: Option<BTreeSet<String>>,
}

/// Compares `old` with `new` and classifies every change. Findings carry JSON
/// pointers but no line numbers yet: see [`fill_lines`].
pub fn diff(old: &Spec, new: &Spec, options: &Options) -> Report {
    let models = generated::Models::lower(old, new, &options.config);
    compare(old, new, options, models)
}

/// Like [`diff`], with each side's generated API built beforehand by
/// [`GeneratedApi::of`] with `options.config` (for instance on the thread that
/// loaded it).
pub fn diff_generated(old: &Spec, new: &Spec, old_api: GeneratedApi, new_api: GeneratedApi, options: &Options) -> Report {
    compare(old, new, options, generated::Models::of(old_api, new_api))
}

fn compare(old: &Spec, new: &Spec, options: &Options, models: Result<generated::Models, String>) -> Report {
    let mut report = walk::Ctx::new(old, new, options, models.as_ref().ok()).run(&old.file, &new.file);
    match models {
        // Freeing two models of a large spec takes a noticeable share of the
        // diff's time: it happens beside the caller's work, not before it returns.
        Ok(models) => drop(std::thread::Builder::new().name("diff-drop".to_owned()).spawn(move || drop(models))),
        Err(note) => report.api_note = Some(note),
    }
    report
}
