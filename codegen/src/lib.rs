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
pub use ir::Warning;
