//! Shared by the seed client's operation tests: the wire harness of
//! [`client_tests::wire`] builds a shipped `openai_client::Client`; [`SeedWire::seed`]
//! wraps it into the seed client, whose methods are the seed spec's operations.
//!
//! Lives in `common/mod.rs` so Cargo does not build it as a test target of its own.

use client_tests::wire::Wire;

/// The seed client of a wire harness.
pub trait SeedWire {
    /// A client for the harness's server, with the seed spec's methods.
    fn seed(&self) -> seed_client::Client;
}

impl SeedWire for Wire {
    fn seed(&self) -> seed_client::Client {
        seed_client::Client::from(self.client())
    }
}
