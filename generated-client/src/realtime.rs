//! The Realtime API over WebSocket: [`Client::realtime`] connects, sends
//! [`RealtimeClientEvent`]s and receives [`RealtimeServerEvent`]s (events of
//! types this client does not know arrive as `RealtimeServerEvent::Unknown`).
//! Needs the `realtime-ws` feature.
//!
//! ```no_run
//! use futures_util::StreamExt;
//! use openai_client::types::{RealtimeClientEvent, RealtimeServerEvent};
//! use openai_client::Client;
//!
//! # async fn demo() -> Result<(), openai_client::Error> {
//! let client = Client::new()?;
//! let mut connection = client.realtime().model("gpt-realtime").connect().await?;
//! let update: RealtimeClientEvent = serde_json::from_value(serde_json::json!({
//!     "type": "session.update",
//!     "session": {"type": "realtime", "instructions": "Answer briefly."}
//! }))
//! .expect("a session.update event");
//! connection.send(&update).await?;
//! while let Some(event) = connection.next().await {
//!     match event? {
//!         RealtimeServerEvent::Unknown(json) => println!("new event type: {}", json["type"]),
//!         event => println!("{event:?}"),
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! The handshake, limits and Azure OpenAI rules are described on
//! [`runtime::realtime`](crate::runtime::realtime).

use crate::runtime::realtime::{Connect, Connection};
use crate::types::{RealtimeClientEvent, RealtimeServerEvent};
use crate::Client;

/// An open Realtime connection.
pub type RealtimeConnection = Connection<RealtimeClientEvent, RealtimeServerEvent>;

/// Settings of a Realtime connection, from [`Client::realtime`].
pub type RealtimeConnect = Connect<RealtimeClientEvent, RealtimeServerEvent>;

impl Client {
    /// A Realtime API connection to `{base URL}/realtime` (`wss://`), as
    /// openai-python's `client.realtime.connect()`: set the model with
    /// [`model`](Connect::model) (or a `call_id` with
    /// [`query`](Connect::query)), then [`connect`](Connect::connect).
    pub fn realtime(&self) -> RealtimeConnect {
        self.websocket("/realtime")
    }
}
