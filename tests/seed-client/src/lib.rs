//! The client generated from the seed spec `specs/openai-2.0.0.json`, built
//! on the shipped crate's runtime, so the operation-by-operation wire tests in
//! `tests/` keep covering a second, older shape of the API.
//!
//! Generated code reaches its runtime as `crate::runtime` and adds its methods
//! to `crate::runtime::Client`. Inherent methods can only be added to a type of
//! the same crate, so `Client` here is a thin wrapper that dereferences to
//! `openai_client::Client`; everything else is the shipped runtime itself.
#![allow(missing_docs)]

pub mod runtime {
    pub use openai_client::runtime::*;

    /// The shipped client with the seed spec's operations as methods.
    #[derive(Debug, Clone)]
    pub struct Client(pub openai_client::Client);

    impl std::ops::Deref for Client {
        type Target = openai_client::Client;
        fn deref(&self) -> &openai_client::Client {
            &self.0
        }
    }

    impl From<openai_client::Client> for Client {
        fn from(client: openai_client::Client) -> Self {
            Client(client)
        }
    }
}

include!(concat!(env!("OUT_DIR"), "/seed.rs"));

/// The generated source, for tests that compare it with the spec.
pub const GENERATED_SOURCE: &str = include_str!(concat!(env!("OUT_DIR"), "/seed.rs"));

pub use generated::{params, types};
pub use runtime::{
    BinaryResponse, Client, Error, EventStream, InputFile, RequestOptions, Response, StreamItem,
};
