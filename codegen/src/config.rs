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
    /// The spec the shipped client is generated from, relative to the folder
    /// of this file (`specs/`). Read by `cargo xtask codegen`; the library
    /// itself generates from whatever spec it is given.
    #[serde(default)]
    pub spec: Option<String>,
    /// One-line summaries of operations in the project's own words, by
    /// `operationId`, put first on each generated method. They come from a
    /// file of their own (`specs/summaries.yaml`, see [`Config::with_summaries_yaml`]),
    /// so the key is not accepted in the configuration file itself.
    #[serde(skip)]
    pub summaries: BTreeMap<String, String>,
    /// Headers sent on every request of an API group (keyed by the group's
    /// first tag, e.g. `Assistants`) or of one operation (keyed by its
    /// `operationId`, which wins over its group), such as `OpenAI-Beta:
    /// assistants=v2`, which openai-python sends on the assistants API.
    #[serde(default)]
    pub headers: BTreeMap<String, BTreeMap<String, String>>,
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
    /// Number arrays the API may send as base64 of little-endian `float32`
    /// (embeddings asked for with `encoding_format: base64`), as JSON pointers
    /// to the property schema. Their decoder accepts both forms and gives the
    /// numbers either way. Pointers into schemas a spec does not have are ignored.
    #[serde(default)]
    pub base64_floats: Vec<String>,
    /// Top-level JSON body fields an operation sends when the caller left them
    /// out, by `operationId`: openai-python asks for embeddings as base64
    /// (`createEmbedding: {encoding_format: base64}`), several times smaller on
    /// the wire, and decodes them. Values are strings, numbers or booleans.
    #[serde(default)]
    pub body_defaults: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    /// How query parameters holding a list are written: `brackets`
    /// (`include[]=a&include[]=b`, what openai-python sends, the default) or
    /// `repeat` (`include=a&include=b`). A parameter the spec itself names
    /// `include[]` keeps its name in both.
    #[serde(default)]
    pub array_query_format: crate::ir::ArrayQueryFormat,
    /// Auto-pagination by `operationId`, where detection from the response
    /// schema gets it wrong: `none` (no auto-paging method), or the rule.
    #[serde(default)]
    pub pagination: BTreeMap<String, PaginationConfig>,
    /// Method names by `operationId`, for operations whose operationId does
    /// not make a good name even split into words (see
    /// [`methods`](crate::names::methods)). Entries for operations a
    /// spec does not have are ignored.
    #[serde(default)]
    pub method_names: BTreeMap<String, String>,
}

/// How one operation pages, when the config says so.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum PaginationConfig {
    /// `none`: the operation gets no auto-paging method.
    Off(Off),
    /// The rule to use instead of the detected one.
    Rule(PaginationRule),
}

/// The word `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Off {
    /// No auto-pagination.
    None,
}

/// A pagination rule written in the config.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationRule {
    /// `single` (one page), `last_item` (the cursor is a field of the last
    /// item) or `field` (the cursor is a field of the response).
    pub kind: PaginationKindConfig,
    /// The response's list of items; default `data`.
    #[serde(default)]
    pub items: Option<String>,
    /// The cursor field: of the last item (default `id`) or of the response.
    #[serde(default)]
    pub cursor: Option<String>,
    /// The query parameter the cursor is sent in; default `after`.
    #[serde(default)]
    pub param: Option<String>,
}

/// [`PaginationRule::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaginationKindConfig {
    /// One page.
    Single,
    /// The last item's field.
    LastItem,
    /// A field of the response.
    Field,
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
        let config: Config = serde_yaml::from_str(text).map_err(|e| SpecError {
            file: file.to_owned(),
            pointer: String::new(),
            position: e.location().map(|l| crate::load::LineCol { line: l.line(), column: l.column() }),
            reason: format!("invalid codegen config: {e}"),
        })?;
        for (operation, fields) in &config.body_defaults {
            if let Some((key, _)) = fields.iter().find(|(_, v)| !(v.is_string() || v.is_number() || v.is_boolean())) {
                let pointer = format!("/body_defaults/{}/{}", crate::load::escape_token(operation), crate::load::escape_token(key));
                let position = crate::load::locate_nearest(text, &pointer);
                return Err(SpecError { file: file.to_owned(), pointer, position, reason: "invalid codegen config: a body default must be a string, number or boolean".to_owned() });
            }
        }
        Ok(config)
    }

    /// Adds the operation summaries of a YAML map `operationId: sentence`.
    pub fn with_summaries_yaml(mut self, file: &str, text: &str) -> Result<Config, SpecError> {
        self.summaries = serde_yaml::from_str(text).map_err(|e| SpecError {
            file: file.to_owned(),
            pointer: String::new(),
            position: e.location().map(|l| crate::load::LineCol { line: l.line(), column: l.column() }),
            reason: format!("invalid summaries file (a map from operationId to one sentence): {e}"),
        })?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_come_from_their_own_file() {
        let config = Config::from_yaml("c.yaml", "spec: openai-9.0.0.json\n").unwrap();
        assert_eq!(config.spec.as_deref(), Some("openai-9.0.0.json"));
        let config = config.with_summaries_yaml("s.yaml", "listFiles: \"Lists files.\"\n").unwrap();
        assert_eq!(config.summaries["listFiles"], "Lists files.");
        let err = Config::default().with_summaries_yaml("s.yaml", "listFiles: [1]\n").unwrap_err();
        assert!(err.to_string().contains("s.yaml"), "{err}");
        assert!(Config::from_yaml("c.yaml", "summaries: {}\n").is_err(), "summaries live in their own file");
    }

    #[test]
    fn body_defaults_are_scalars() {
        let config = Config::from_yaml("c.yaml", "body_defaults:\n  createEmbedding: {encoding_format: base64, n: 2}\n").unwrap();
        assert_eq!(config.body_defaults["createEmbedding"]["encoding_format"], "base64");
        let err = Config::from_yaml("c.yaml", "body_defaults:\n  createEmbedding:\n    encoding_format: [base64]\n").unwrap_err();
        assert_eq!(err.pointer, "/body_defaults/createEmbedding/encoding_format");
        assert!(err.to_string().contains("c.yaml:3"), "{err}");
    }

    #[test]
    fn pagination_overrides() {
        let text = "pagination:\n  listA: none\n  listB: {kind: field, cursor: next_page, param: page}\n  listC: {kind: single}\n";
        let config = Config::from_yaml("c.yaml", text).unwrap();
        assert_eq!(config.pagination["listA"], PaginationConfig::Off(Off::None));
        let PaginationConfig::Rule(rule) = &config.pagination["listB"] else { panic!() };
        assert_eq!((rule.kind, rule.cursor.as_deref(), rule.param.as_deref(), rule.items.as_deref()), (PaginationKindConfig::Field, Some("next_page"), Some("page"), None));
        assert!(matches!(&config.pagination["listC"], PaginationConfig::Rule(r) if r.kind == PaginationKindConfig::Single));
        assert!(Config::from_yaml("c.yaml", "pagination:\n  listA: sometimes\n").is_err());
        assert!(Config::from_yaml("c.yaml", "pagination:\n  listA: {kind: field, cursr: x}\n").is_err());
    }

    #[test]
    fn array_query_format_defaults_to_brackets() {
        use crate::ir::ArrayQueryFormat;
        assert_eq!(Config::default().array_query_format, ArrayQueryFormat::Brackets);
        assert_eq!(Config::from_yaml("c.yaml", "array_query_format: repeat\n").unwrap().array_query_format, ArrayQueryFormat::Repeat);
        assert_eq!(Config::from_yaml("c.yaml", "array_query_format: brackets\n").unwrap().array_query_format, ArrayQueryFormat::Brackets);
        let err = Config::from_yaml("c.yaml", "array_query_format: comma\n").unwrap_err();
        assert!(err.to_string().contains("array_query_format") || err.to_string().contains("comma"), "{err}");
    }

    #[test]
    fn method_names_are_keyed_by_operation_id() {
        let config = Config::from_yaml("c.yaml", "method_names:\n  getinputtokencounts: count_input_tokens\n").unwrap();
        assert_eq!(config.method_names["getinputtokencounts"], "count_input_tokens");
        assert!(Config::from_yaml("c.yaml", "method_names: [a]\n").is_err());
    }
}
