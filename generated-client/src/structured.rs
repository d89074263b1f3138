//! Structured outputs from a Rust type: the `json_schema` response format for
//! chat completions (`response_format`) and the Responses API (`text.format`),
//! built from the type's [`schemars::JsonSchema`] in the strict
//! form the API requires, and typed parsing of the answer.
//!
//! ```no_run
//! # #[cfg(feature = "chat")]
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use openai_client::structured::{self, schemars::JsonSchema};
//! use openai_client::types::{ChatCompletionRequestUserMessage, CreateChatCompletionRequest};
//!
//! #[derive(serde::Deserialize, JsonSchema)]
//! #[schemars(crate = "openai_client::structured::schemars")]
//! struct Event {
//!     name: String,
//!     /// ISO 8601 date, if the text gives one.
//!     date: Option<String>,
//!     participants: Vec<String>,
//! }
//!
//! let client = openai_client::Client::new()?;
//! let message = ChatCompletionRequestUserMessage::new("Alice and Bob meet on Friday.");
//! let request = CreateChatCompletionRequest::new(vec![message.into()], "gpt-4o-mini")
//!     .response_format(structured::response_format::<Event>()?);
//! let reply = client.create_chat_completion(&request).await?;
//! if let Some(text) = reply.choices[0].message.content.as_deref() {
//!     let event: Event = structured::parse(text)?;
//!     println!("{} with {:?}", event.name, event.participants);
//! }
//! # Ok(()) }
//! ```
//!
//! The rules of the strict form, and what it cannot express, are listed on
//! [`runtime::structured`](crate::runtime::structured).

pub use crate::runtime::structured::{format_name, parse, strict_schema, ParseError, SchemaError};
/// The schemars version these helpers take types from; derive with
/// `#[schemars(crate = "openai_client::structured::schemars")]` to use it
/// without a dependency of your own.
pub use schemars;

#[cfg(any(feature = "chat", feature = "responses"))]
use schemars::JsonSchema;

/// The chat completions `response_format` for answers of type `T`: strict
/// JSON schema mode, named after `T`. Pass it to
/// `CreateChatCompletionRequest::response_format`.
#[cfg(feature = "chat")]
pub fn response_format<T: JsonSchema + ?Sized>(
) -> Result<crate::types::ResponseFormatJsonSchema, SchemaError> {
    let format = serde_json::json!({
        "type": "json_schema",
        "json_schema": {"name": format_name::<T>(), "schema": strict_schema::<T>()?, "strict": true},
    });
    from_json::<T, _>(format)
}

/// The Responses API `text.format` for answers of type `T`: strict JSON
/// schema mode, named after `T`. Pass it to `ResponseTextParam::format`.
#[cfg(feature = "responses")]
pub fn text_format<T: JsonSchema + ?Sized>(
) -> Result<crate::types::TextResponseFormatJsonSchema, SchemaError> {
    let format = serde_json::json!({
        "type": "json_schema",
        "name": format_name::<T>(),
        "schema": strict_schema::<T>()?,
        "strict": true,
    });
    from_json::<T, _>(format)
}

/// The generated type from its wire form, so these helpers depend only on the
/// JSON shape, not on the generated constructors.
#[cfg(any(feature = "chat", feature = "responses"))]
fn from_json<T: JsonSchema + ?Sized, F: serde::de::DeserializeOwned>(
    format: serde_json::Value,
) -> Result<F, SchemaError> {
    serde_json::from_value(format).map_err(|error| {
        SchemaError::new(
            &T::schema_name(),
            "",
            &format!("the response format does not decode: {error}"),
        )
    })
}
