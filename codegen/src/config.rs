//! Generator configuration that a spec cannot express: which operations stream
//! (where the spec does not declare `text/event-stream`), how each stream ends,
//! and which responses are bytes although the spec calls them JSON.
//!
//! It is a small YAML file checked in beside the specs (`specs/codegen.yaml`),
//! keyed by `operationId`. Entries for operations a spec does not have are
//! ignored, so one file serves every version of the OpenAI spec.

use crate::load::SpecError;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Streaming operations by `operationId`.
    #[serde(default)]
    pub streaming: BTreeMap<String, StreamConfig>,
    /// `operationId`s whose success response is bytes whatever the spec says.
    #[serde(default)]
    pub binary_responses: Vec<String>,
    /// Put each API group (first tag) behind a Cargo feature of the same name,
    /// so a user who needs only chat compiles only chat's types. The crate
    /// must declare the features (see [`Model::features`](crate::ir::Model::features)).
    #[serde(default)]
    pub cargo_features: bool,
    /// Schemas the API sends `null` for although the spec does not allow it
    /// (completion stream chunks carry `finish_reason: null`), as JSON pointers
    /// such as `/components/schemas/X/properties/y`. Pointers into schemas a
    /// spec does not have are ignored.
    #[serde(default)]
    pub nullable: Vec<String>,
}

/// How one operation streams.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StreamConfig {
    /// Component schema each event decodes to; needed only where the spec declares no `text/event-stream`.
    pub event: Option<String>,
    /// `data` payload that ends the stream, such as `[DONE]`.
    pub done: Option<String>,
    /// Event names after which the stream ends (responses API: `response.completed`).
    #[serde(default)]
    pub terminal_events: Vec<String>,
}

impl Config {
    /// Parses the YAML configuration.
    pub fn from_yaml(file: &str, text: &str) -> Result<Config, SpecError> {
        serde_yaml::from_str(text).map_err(|e| SpecError {
            file: file.to_owned(),
            pointer: String::new(),
            position: e.location().map(|l| crate::load::LineCol { line: l.line(), column: l.column() }),
            reason: format!("invalid codegen config: {e}"),
        })
    }
}
