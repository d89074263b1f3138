//! The client generated from `../shared/specs/openai/openapi-latest.json`,
//! mounted beside the same hand-written runtime as `openai-client`, so the wire
//! tests in `tests/` exercise what a user generating from the newest spec gets.
#![allow(missing_docs)]

#[path = "../../../generated-client/src/runtime/mod.rs"]
pub mod runtime;

include!(concat!(env!("OUT_DIR"), "/latest.rs"));

pub use generated::{params, types};
pub use runtime::{BinaryResponse, Client, ClientBuilder, Error, EventStream, InputFile, RequestOptions, Response, StreamItem};
