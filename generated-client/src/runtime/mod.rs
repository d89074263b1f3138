//! The hand-written runtime the generated operations call: configuration,
//! request building, retries, error decoding, server-sent events, multipart
//! uploads and binary downloads. It knows nothing about individual API types.

mod azure;
mod binary;
mod body;
mod client;
mod config;
pub mod de;
mod encode;
mod endpoint;
mod error;
mod file;
mod json;
mod json_body;
mod listing;
mod multipart;
mod options;
mod paginate;
mod path;
#[cfg(feature = "realtime-ws")]
pub mod realtime;
mod redact;
mod redirect;
mod request;
mod response;
mod retry;
pub mod ser;
mod sse;
mod stream;
mod stream_config;
mod stream_decode;
mod stream_task;
#[cfg(feature = "structured-outputs")]
pub mod structured;
pub mod webhooks;

pub use azure::AzureConfig;
pub use binary::BinaryResponse;
pub use client::Client;
pub use config::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_EVENT_BYTES,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT,
};
pub use encode::ArrayFormat;
pub use error::{ApiErrorObject, Error, TimeoutKind};
pub use file::InputFile;
pub use json::Json;
pub use multipart::MultipartForm;
pub use options::RequestOptions;
pub use paginate::{Items, NextPage, PageFuture, Pages};
pub use path::{encode_path_segment, path_param};
pub use redirect::{RedirectPolicy, MAX_REDIRECTS};
pub use request::RequestSpec;
pub use response::Response;
pub use retry::Sleeper;
pub use sse::RawEvent;
pub use stream::{EventStream, Events};
pub use stream_config::{StreamConfig, StreamItem};
pub use webhooks::{WebhookError, Webhooks};

// Re-exported so generated code and users name the same versions as the runtime.
pub use reqwest::header::HeaderMap;
pub use reqwest::{Method, StatusCode};
