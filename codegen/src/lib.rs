//! OpenAPI → Rust client generator for the OpenAI API.
//!
//! The pipeline is `load` (bytes → normalised document) → `lower` (document →
//! data-only [`ir`] model) → `emit` (model → token streams) → `render`
//! (formatted files). Every stage reports what it could not express as a
//! [`Warning`] or an error; nothing is dropped silently.

#![deny(missing_docs)]

pub mod api;
pub mod config;
pub mod diff;
pub mod emit;
pub mod ir;
pub mod load;
pub mod lower;
pub mod names;
pub mod render;

mod generate;
pub use generate::{generate, Generated, GenerateError, Summary, Timings};

/// Something the generator repaired or could not express, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// JSON pointer into the spec.
    pub pointer: String,
    /// What happened, without a trailing period.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}: {}", self.pointer, self.message)
    }
}
