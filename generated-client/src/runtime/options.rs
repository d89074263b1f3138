//! Per-request overrides, applied on top of the client's configuration.

use std::fmt;
use std::time::Duration;

use serde_json::{Map, Value};

use super::redact::RedactedHeaders;

/// Extra headers, query pairs and body fields, and timeout/retry overrides,
/// for the requests of one [`Client`](super::Client) view
/// (see [`Client::with_options`](super::Client::with_options)).
///
/// Extra headers replace headers of the same name set by the client or the
/// operation; extra body fields are merged into the top level of a JSON body
/// (or added as form fields of a multipart body), replacing existing keys.
#[derive(Clone, Default)]
pub struct RequestOptions {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) body: Map<String, Value>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) stream_timeout: Option<Duration>,
    pub(crate) max_retries: Option<u32>,
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a header, replacing one of the same name.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Appends a query pair.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sets a top-level field of the request body.
    pub fn body_field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body.insert(key.into(), value.into());
        self
    }

    /// Limits how long one attempt may take: until the whole body for
    /// ordinary responses; until the headers for streams and downloads.
    /// Replaces [`ClientBuilder::timeout`](super::ClientBuilder::timeout),
    /// which explains the three limits.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Limits each wait for the next piece of a response body, buffered or
    /// streamed; replaces [`ClientBuilder::read_timeout`](super::ClientBuilder::read_timeout).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Limits the whole duration of a streamed response (events, downloads);
    /// replaces [`ClientBuilder::stream_timeout`](super::ClientBuilder::stream_timeout).
    pub fn stream_timeout(mut self, timeout: Duration) -> Self {
        self.stream_timeout = Some(timeout);
        self
    }

    /// How many times a failed request is retried (0 disables retries).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = Some(max_retries);
        self
    }

    /// `self` with `later` applied on top: lists are appended (later headers
    /// win when applied), body fields and scalars replaced.
    pub(crate) fn merged(&self, later: &RequestOptions) -> RequestOptions {
        let mut merged = self.clone();
        merged.headers.extend(later.headers.iter().cloned());
        merged.query.extend(later.query.iter().cloned());
        merged
            .body
            .extend(later.body.iter().map(|(k, v)| (k.clone(), v.clone())));
        merged.timeout = later.timeout.or(self.timeout);
        merged.read_timeout = later.read_timeout.or(self.read_timeout);
        merged.stream_timeout = later.stream_timeout.or(self.stream_timeout);
        merged.max_retries = later.max_retries.or(self.max_retries);
        merged
    }
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("headers", &RedactedHeaders::new(&self.headers))
            .field("query", &RedactedHeaders::new(&self.query))
            .field("body", &self.body)
            .field("timeout", &self.timeout)
            .field("read_timeout", &self.read_timeout)
            .field("stream_timeout", &self.stream_timeout)
            .field("max_retries", &self.max_retries)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_options_win() {
        let first = RequestOptions::new()
            .header("a", "1")
            .body_field("x", 1)
            .timeout(Duration::from_secs(1))
            .read_timeout(Duration::from_secs(2));
        let second = RequestOptions::new()
            .header("a", "2")
            .body_field("x", 2)
            .max_retries(0)
            .read_timeout(Duration::from_secs(3))
            .stream_timeout(Duration::from_secs(4));
        let merged = first.merged(&second);
        assert_eq!(merged.headers.last().unwrap().1, "2");
        assert_eq!(merged.body["x"], 2);
        assert_eq!(merged.timeout, Some(Duration::from_secs(1)));
        assert_eq!(merged.read_timeout, Some(Duration::from_secs(3)));
        assert_eq!(merged.stream_timeout, Some(Duration::from_secs(4)));
        assert_eq!(merged.max_retries, Some(0));
    }

    #[test]
    fn debug_redacts_auth_headers() {
        let options = RequestOptions::new().header("Authorization", "Bearer sk-live-123");
        assert!(!format!("{options:?}").contains("sk-live-123"));
    }

    #[test]
    fn debug_redacts_by_name_pattern() {
        let options = RequestOptions::new()
            .header("X-Goog-Api-Key", "S1-SECRET")
            .header("X-Auth-Token", "S2-SECRET")
            .header("X-Client-Secret", "S3-SECRET")
            .header("Cookie", "S4-SECRET")
            .header("X-Db-Password", "S5-SECRET")
            .header("OpenAI-Beta", "assistants=v2")
            .query("subscription-key", "S6-SECRET")
            .query("limit", "5");
        let debug = format!("{options:?}");
        assert!(!debug.contains("SECRET"), "{debug}");
        assert!(debug.contains("assistants=v2"), "{debug}");
        assert!(debug.contains("\"limit\": \"5\""), "{debug}");
    }
}
