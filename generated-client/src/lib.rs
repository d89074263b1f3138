//! Async client for the OpenAI API.
//!
//! The crate has two layers: a hand-written [`runtime`] (configuration,
//! retries, errors, streaming, uploads) and code generated from the OpenAPI
//! document, which adds the request/response types and one method per
//! operation on [`Client`].
//!
//! ```no_run
//! use openai_client::runtime::{Method, RequestSpec};
//! use openai_client::{Client, RequestOptions};
//! use std::time::Duration;
//!
//! # async fn demo() -> Result<(), openai_client::Error> {
//! // Reads OPENAI_API_KEY (and OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_PROJECT_ID).
//! let client = Client::new()?;
//!
//! // Generated methods wrap calls like this one.
//! let models = client
//!     .with_options(RequestOptions::new().timeout(Duration::from_secs(20)))
//!     .execute_json::<serde_json::Value>(RequestSpec::new(Method::GET, "/models"))
//!     .await?;
//! println!("{} (request id {:?})", *models, models.request_id());
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]
pub mod runtime;
// Generated code: types, parameter structs and one method per operation on
// `Client`. Never edited by hand: `cargo xtask codegen` rewrites it from the spec.
// Every public item has docs (from facts where the spec has no prose), so
// `missing_docs` stays denied here too.
#[rustfmt::skip]
mod generated;
pub use generated::{params, types};
#[cfg(feature = "realtime-ws")]
pub mod realtime;
#[cfg(feature = "structured-outputs")]
pub mod structured;
pub use runtime::{
    AzureConfig, BinaryResponse, Client, ClientBuilder, Error, EventStream, InputFile, Json,
    RedirectPolicy, RequestOptions, Response, StreamItem,
};

// The README's Rust examples are compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
