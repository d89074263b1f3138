//! Shared by the wire tests of the shipped client (generated from the newest
//! spec). The recording server (every request kept as it arrived: raw path,
//! query, headers, JSON body or multipart parts) and the replies come from
//! [`client_tests::record`], which the seed client's per-operation tests use
//! too; what is specific to this suite is the client it builds.
//!
//! Lives in `common/mod.rs` so Cargo does not build it as a test target of its own.
// Each test file uses only some of these.
#![allow(unused_imports)]

use std::time::Duration;

pub use client_tests::record::{
    cut, data_event, json_reply, named_event, only, recording_server, sse_reply, Part, Seen,
};
use client_tests::{TestServer, TEST_API_KEY};
use openai_client::Client;

/// A client for `server`: the test key, no retries (a failure shows at once).
pub fn client(server: &TestServer) -> Client {
    Client::builder()
        .api_key(TEST_API_KEY)
        .base_url(&server.base_url)
        .max_retries(0)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("test client")
}
