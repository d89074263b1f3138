//! The one error type of the client and the API's error object.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::Serialize;
use serde_json::Value;

use super::redact::{self, EscapeControl, RedactedHeaderMap};
use super::retry;

/// Longest body excerpt kept in an error, in bytes. Error bodies can be whole
/// HTML pages from a proxy; a few KiB are enough to see what went wrong.
pub(crate) const BODY_EXCERPT_LIMIT: usize = 4096;

/// How much of a body excerpt `Display` shows; the full excerpt stays in the field.
const DISPLAY_EXCERPT_CHARS: usize = 200;

/// Boxed error used as a `source` where the concrete type varies.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The error object the API returns as `{"error": {"message", "type", "param", "code"}}`.
///
/// Every field is optional on the wire; missing ones become `None` (or an empty
/// `message`), and non-string values (a numeric `code`, say) are kept as their
/// JSON text so nothing is lost.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ApiErrorObject {
    /// Human-readable description of the error.
    pub message: String,
    /// The error's `type`, e.g. `invalid_request_error`.
    #[serde(rename = "type")]
    pub error_type: Option<String>,
    /// The request parameter the error is about, if any.
    pub param: Option<String>,
    /// Machine-readable code, e.g. `insufficient_quota`.
    pub code: Option<String>,
}

impl ApiErrorObject {
    /// Extracts the error object from a response body or stream event.
    ///
    /// Accepts `{"error": {...}}`, `{"error": "text"}` and a bare
    /// `{"message": ..., "type": ...}` object (what some stream error events
    /// carry). Returns `None` for anything else.
    pub fn from_json(value: &Value) -> Option<Self> {
        let object = value.as_object()?;
        match object.get("error") {
            Some(Value::Object(inner)) => Some(Self::from_fields(inner)),
            Some(Value::String(message)) => Some(ApiErrorObject {
                message: message.clone(),
                ..Default::default()
            }),
            _ if object.contains_key("message") => Some(Self::from_fields(object)),
            _ => None,
        }
    }

    fn from_fields(fields: &serde_json::Map<String, Value>) -> Self {
        ApiErrorObject {
            message: text_of(fields.get("message")).unwrap_or_default(),
            error_type: text_of(fields.get("type")),
            param: text_of(fields.get("param")),
            code: text_of(fields.get("code")),
        }
    }

    /// True when the API says the account has no quota left: retrying cannot help.
    pub fn is_insufficient_quota(&self) -> bool {
        const QUOTA: &str = "insufficient_quota";
        self.code.as_deref() == Some(QUOTA) || self.error_type.as_deref() == Some(QUOTA)
    }
}

/// Strings as they are, other scalars as JSON text, null/missing as `None`.
fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// Which limit an [`Error::Timeout`] hit (see `ClientBuilder::timeout`,
/// `read_timeout` and `stream_timeout` for what each one bounds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// `timeout`: a buffered response was not complete in time, or a
    /// streamed one sent no headers in time.
    Request,
    /// `read_timeout`: no body bytes arrived for that long.
    Read,
    /// `stream_timeout`: a streamed response (events, download) lasted that long.
    Stream,
    /// The HTTP client's own limit, e.g. `connect_timeout`.
    Transport,
}

impl fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutKind::Request => "request timeout",
            TimeoutKind::Read => "read timeout: no body bytes for that long",
            TimeoutKind::Stream => "stream timeout: the stream's total duration",
            TimeoutKind::Transport => "the HTTP client's own timeout, e.g. connect",
        })
    }
}

/// Everything that can go wrong when calling the API.
///
/// Variants carry what is known at the point of failure: the HTTP status and
/// `x-request-id` whenever a response was seen, so a failure can be reported
/// to the API provider. Credentials are never part of an error: `Debug`
/// hides sensitive response headers, URLs in transport errors have
/// sensitive query values redacted, and `Display` shows control characters
/// in server-provided text as escapes (`\u{1b}`, `\n`).
#[non_exhaustive]
pub enum Error {
    /// The server answered with a non-2xx status, or a stream delivered an error event.
    Api {
        /// HTTP status of the response (for stream errors: of the stream's response).
        status: StatusCode,
        /// The `x-request-id` response header.
        request_id: Option<String>,
        /// The parsed error object, when the body was one.
        error: Option<Box<ApiErrorObject>>,
        /// The start of the raw body (at most a few KiB), for bodies that are not JSON.
        body_excerpt: String,
        /// Response headers (rate-limit and retry headers live here).
        headers: Box<HeaderMap>,
    },
    /// The request could not be sent or the response could not be read
    /// (connection refused or reset, TLS, DNS, broken body).
    Connection {
        /// The underlying HTTP client error.
        source: reqwest::Error,
        /// The `x-request-id` header, when the failure happened after the headers arrived.
        request_id: Option<String>,
    },
    /// No answer (or no further body bytes) within a configured timeout.
    Timeout {
        /// The timeout that elapsed, when the runtime enforced it itself.
        after: Option<Duration>,
        /// Which limit it was.
        kind: TimeoutKind,
        /// The `x-request-id` header, when the failure happened after the headers arrived.
        request_id: Option<String>,
    },
    /// A 2xx response whose body is not what the operation expects (bad JSON, too large).
    Decode {
        /// HTTP status of the response.
        status: StatusCode,
        /// The `x-request-id` response header.
        request_id: Option<String>,
        /// What was wrong.
        message: String,
        /// The start of the offending body or event data.
        body_excerpt: String,
        /// The whole offending body or event data (bounded by the response and
        /// event size limits; empty when the limit itself was the problem), so
        /// a decode failure never loses what the server sent. See [`Error::body`].
        /// A listing over a megabyte is decoded as it arrives and not kept
        /// whole: for one of its items, this is the body from that item on
        /// (the message names the item and its byte offset); for the members
        /// around its array, the body with the array's items left out.
        body: bytes::Bytes,
        /// The JSON error, when decoding failed in serde.
        source: Option<serde_json::Error>,
    },
    /// A server-sent event stream was malformed, oversized, interrupted or ended
    /// before its end marker.
    Stream {
        /// HTTP status of the stream's response.
        status: StatusCode,
        /// The `x-request-id` response header.
        request_id: Option<String>,
        /// What was wrong.
        message: String,
        /// The underlying error, e.g. the connection error that cut the stream.
        source: Option<BoxError>,
    },
    /// The request could not be built: a value that does not serialise, an
    /// invalid header, an unreadable file, a one-shot reader used twice.
    InvalidRequest {
        /// What was wrong.
        message: String,
        /// The underlying error, if any.
        source: Option<BoxError>,
    },
    /// The client could not be configured (missing API key, Azure endpoint
    /// or API version, two credentials at once, bad base URL).
    Config {
        /// What was wrong, naming the setting and its environment variable.
        message: String,
    },
    /// A credential could not be obtained for a request (an Azure AD token
    /// provider failed or returned no usable token); nothing was sent.
    Auth {
        /// What was wrong.
        message: String,
        /// The provider's error, if it returned one.
        source: Option<BoxError>,
    },
    /// A redirect was not followed: it leaves the origin under a policy that
    /// forbids that, would re-send the request body to another origin, or is
    /// one too many (see `ClientBuilder::redirect_policy`).
    Redirect {
        /// The redirect's status (301, 302, 303, 307 or 308).
        status: StatusCode,
        /// The `x-request-id` header of the redirect response.
        request_id: Option<String>,
        /// What was refused; names origins only, never full URLs.
        message: String,
    },
    /// An auto-paging stream could not go on: a page said more items follow
    /// but named no cursor, or named the cursor it was itself fetched with
    /// (the same page would come back forever). The pages and items before
    /// it were yielded; the stream ends after this error.
    Pagination {
        /// What was wrong, with the cursor involved.
        message: String,
        /// The `x-request-id` of the page that named the bad cursor.
        request_id: Option<String>,
    },
    /// A WebSocket connection (the Realtime API) failed: it could not be
    /// opened (connection, TLS, handshake protocol), a message from the
    /// server was larger than the limit, the server closed it with an error
    /// code, or it broke. A handshake the server refused with an HTTP status
    /// is an [`Error::Api`] instead.
    WebSocket {
        /// What went wrong; names the origin, never the full URL.
        message: String,
        /// The close code, when the server closed the connection with an error.
        close_code: Option<u16>,
        /// The underlying error.
        source: Option<BoxError>,
    },
    /// A local file operation failed (e.g. `BinaryResponse::save_to`).
    Io {
        /// What was being done.
        message: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// An [`Error::Config`]: a setting the client cannot work with (the builder,
/// Azure's settings and a base URL are checked with it).
pub(crate) fn config_error(message: impl Into<String>) -> Error {
    Error::Config {
        message: message.into(),
    }
}

/// The API error classes openai-python raises (`RateLimitError`,
/// `AuthenticationError`, ...), as predicates on an [`Error::Api`] status.
impl Error {
    fn api_status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(status.as_u16()),
            _ => None,
        }
    }

    /// 400: the request was malformed (`BadRequestError`).
    pub fn is_bad_request(&self) -> bool {
        self.api_status() == Some(400)
    }

    /// 401: the credentials were refused (`AuthenticationError`).
    pub fn is_authentication(&self) -> bool {
        self.api_status() == Some(401)
    }

    /// 403: the credentials may not do this (`PermissionDeniedError`).
    pub fn is_permission_denied(&self) -> bool {
        self.api_status() == Some(403)
    }

    /// 404: no such resource (`NotFoundError`).
    pub fn is_not_found(&self) -> bool {
        self.api_status() == Some(404)
    }

    /// 409: the resource is in another state (`ConflictError`).
    pub fn is_conflict(&self) -> bool {
        self.api_status() == Some(409)
    }

    /// 422: well-formed but not processable (`UnprocessableEntityError`).
    pub fn is_unprocessable(&self) -> bool {
        self.api_status() == Some(422)
    }

    /// 429: rate limited or out of quota (`RateLimitError`).
    pub fn is_rate_limited(&self) -> bool {
        self.api_status() == Some(429)
    }

    /// 5xx: the server failed (`InternalServerError`).
    pub fn is_server_error(&self) -> bool {
        self.api_status().is_some_and(|s| (500..600).contains(&s))
    }
}

impl Error {
    /// The HTTP status of the response involved, if one was received.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. }
            | Error::Decode { status, .. }
            | Error::Stream { status, .. }
            | Error::Redirect { status, .. } => Some(*status),
            Error::Connection { source, .. } => source.status(),
            _ => None,
        }
    }

    /// The `x-request-id` of the response involved, if one was received.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. }
            | Error::Connection { request_id, .. }
            | Error::Timeout { request_id, .. }
            | Error::Decode { request_id, .. }
            | Error::Stream { request_id, .. }
            | Error::Redirect { request_id, .. }
            | Error::Pagination { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The whole body (or event data) of an [`Error::Decode`], as received.
    pub fn body(&self) -> Option<&[u8]> {
        match self {
            Error::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The API's error object, for [`Error::Api`] errors whose body was one.
    pub fn api_error(&self) -> Option<&ApiErrorObject> {
        match self {
            Error::Api { error, .. } => error.as_deref(),
            _ => None,
        }
    }

    /// Response headers, for [`Error::Api`] errors.
    pub fn headers(&self) -> Option<&HeaderMap> {
        match self {
            Error::Api { headers, .. } => Some(headers),
            _ => None,
        }
    }

    /// Whether sending the same request again may succeed.
    ///
    /// Connection errors and timeouts are; API errors follow the server's
    /// `x-should-retry` header when present, otherwise 408, 409, 429 and 5xx
    /// are (except a 429 for exhausted quota). Everything else is not.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Connection { .. } | Error::Timeout { .. } => true,
            Error::Api {
                status,
                headers,
                error,
                ..
            } => {
                let quota = error
                    .as_deref()
                    .is_some_and(ApiErrorObject::is_insufficient_quota);
                retry::should_retry(*status, headers, quota)
            }
            _ => false,
        }
    }

    /// Builds the error for a non-2xx response from its (possibly truncated) body.
    pub(crate) fn from_response(
        status: StatusCode,
        headers: HeaderMap,
        request_id: Option<String>,
        body: &[u8],
    ) -> Self {
        let error = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|json| ApiErrorObject::from_json(&json))
            .map(Box::new);
        Error::Api {
            status,
            request_id,
            error,
            body_excerpt: excerpt(body),
            headers: Box::new(headers),
        }
    }

    /// Maps an HTTP client error; reqwest's own timeouts (connect timeout of
    /// the default client) count as timeouts so they are reported and retried as such.
    /// Sensitive query values (a gateway key passed as `?subscription-key=`)
    /// are redacted from the error's URL.
    pub(crate) fn from_transport(mut source: reqwest::Error, request_id: Option<String>) -> Self {
        if let Some(url) = source.url_mut() {
            redact::redact_query(url);
        }
        if source.is_timeout() {
            Error::Timeout {
                after: None,
                kind: TimeoutKind::Transport,
                request_id,
            }
        } else {
            Error::Connection { source, request_id }
        }
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            message: message.into(),
            source: None,
        }
    }
}

/// The first [`BODY_EXCERPT_LIMIT`] bytes of a body as text, cut on a character boundary.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(BODY_EXCERPT_LIMIT)]);
    let mut text = text.into_owned();
    // A multi-byte character cut by the byte limit decodes as U+FFFD; drop it.
    if body.len() > BODY_EXCERPT_LIMIT && text.ends_with('\u{FFFD}') {
        text.pop();
    }
    text
}

/// Short single-line form of an excerpt for `Display`.
fn display_excerpt(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > DISPLAY_EXCERPT_CHARS {
        let cut: String = flat.chars().take(DISPLAY_EXCERPT_CHARS).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

/// Renders an error and its chain of sources on one line, because reqwest's
/// top-level message ("error sending request") hides the useful part.
fn write_chain(f: &mut dyn fmt::Write, error: &dyn std::error::Error) -> fmt::Result {
    write!(f, "{error}")?;
    let mut next = error.source();
    while let Some(cause) = next {
        write!(f, ": {cause}")?;
        next = cause.source();
    }
    Ok(())
}

fn write_request_id(f: &mut dyn fmt::Write, request_id: &Option<String>) -> fmt::Result {
    match request_id {
        Some(id) => write!(f, " (request id {id})"),
        None => Ok(()),
    }
}

impl fmt::Display for Error {
    /// Server-provided text (error messages, body excerpts, request ids) may
    /// hold control characters; they are written as escapes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_text(&mut EscapeControl(f))
    }
}

impl Error {
    fn write_text(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        match self {
            Error::Api {
                status,
                request_id,
                error,
                body_excerpt,
                ..
            } => {
                write!(f, "API error {status}")?;
                match error.as_deref() {
                    Some(api) => {
                        write!(f, ": {}", api.message.trim_end_matches('.'))?;
                        let tags = [
                            ("type", &api.error_type),
                            ("code", &api.code),
                            ("param", &api.param),
                        ];
                        for (label, value) in tags {
                            if let Some(value) = value {
                                write!(f, " [{label} {value}]")?;
                            }
                        }
                    }
                    None if body_excerpt.trim().is_empty() => write!(f, " (empty body)")?,
                    None => write!(f, ": {}", display_excerpt(body_excerpt))?,
                }
                write_request_id(f, request_id)
            }
            Error::Connection { source, request_id } => {
                write!(f, "connection error: ")?;
                write_chain(f, source)?;
                write_request_id(f, request_id)
            }
            Error::Timeout {
                after,
                kind,
                request_id,
            } => {
                match after {
                    Some(after) => write!(f, "request timed out after {after:?}")?,
                    None => write!(f, "request timed out")?,
                }
                write!(f, " ({kind})")?;
                write_request_id(f, request_id)
            }
            Error::Decode {
                status,
                request_id,
                message,
                body_excerpt,
                ..
            } => {
                write!(f, "could not decode response ({status}): {message}")?;
                if !body_excerpt.is_empty() {
                    write!(f, "; body starts with: {}", display_excerpt(body_excerpt))?;
                }
                write_request_id(f, request_id)
            }
            Error::Stream {
                status,
                request_id,
                message,
                source,
            } => {
                write!(f, "event stream error ({status}): {message}")?;
                if let Some(source) = source {
                    write!(f, ": ")?;
                    write_chain(f, source.as_ref())?;
                }
                write_request_id(f, request_id)
            }
            Error::InvalidRequest { message, source } => {
                write!(f, "invalid request: {message}")?;
                if let Some(source) = source {
                    write!(f, ": {source}")?;
                }
                Ok(())
            }
            Error::Config { message } => write!(f, "client configuration error: {message}"),
            Error::Auth { message, source } => {
                write!(f, "authentication error: {message}")?;
                if let Some(source) = source {
                    write!(f, ": ")?;
                    write_chain(f, source.as_ref())?;
                }
                Ok(())
            }
            Error::Redirect {
                status,
                request_id,
                message,
            } => {
                write!(f, "redirect not followed ({status}): {message}")?;
                write_request_id(f, request_id)
            }
            Error::Pagination {
                message,
                request_id,
            } => {
                write!(f, "pagination stopped: {message}")?;
                write_request_id(f, request_id)
            }
            Error::WebSocket {
                message, source, ..
            } => {
                write!(f, "WebSocket error: {message}")?;
                if let Some(source) = source {
                    write!(f, ": ")?;
                    write_chain(f, source.as_ref())?;
                }
                Ok(())
            }
            Error::Io { message, source } => write!(f, "{message}: {source}"),
        }
    }
}

/// Like the derived form, but sensitive response header values (a
/// `Set-Cookie`, any header named like a credential) are shown as `[redacted]`.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api {
                status,
                request_id,
                error,
                body_excerpt,
                headers,
            } => f
                .debug_struct("Api")
                .field("status", status)
                .field("request_id", request_id)
                .field("error", error)
                .field("body_excerpt", body_excerpt)
                .field("headers", &RedactedHeaderMap(headers))
                .finish(),
            Error::Connection { source, request_id } => f
                .debug_struct("Connection")
                .field("source", source)
                .field("request_id", request_id)
                .finish(),
            Error::Timeout {
                after,
                kind,
                request_id,
            } => f
                .debug_struct("Timeout")
                .field("after", after)
                .field("kind", kind)
                .field("request_id", request_id)
                .finish(),
            Error::Decode {
                status,
                request_id,
                message,
                body_excerpt,
                body,
                source,
            } => f
                .debug_struct("Decode")
                .field("status", status)
                .field("request_id", request_id)
                .field("message", message)
                .field("body_excerpt", body_excerpt)
                .field("body_len", &body.len())
                .field("source", source)
                .finish(),
            Error::Stream {
                status,
                request_id,
                message,
                source,
            } => f
                .debug_struct("Stream")
                .field("status", status)
                .field("request_id", request_id)
                .field("message", message)
                .field("source", source)
                .finish(),
            Error::InvalidRequest { message, source } => f
                .debug_struct("InvalidRequest")
                .field("message", message)
                .field("source", source)
                .finish(),
            Error::Config { message } => {
                f.debug_struct("Config").field("message", message).finish()
            }
            Error::Auth { message, source } => f
                .debug_struct("Auth")
                .field("message", message)
                .field("source", source)
                .finish(),
            Error::Redirect {
                status,
                request_id,
                message,
            } => f
                .debug_struct("Redirect")
                .field("status", status)
                .field("request_id", request_id)
                .field("message", message)
                .finish(),
            Error::Pagination {
                message,
                request_id,
            } => f
                .debug_struct("Pagination")
                .field("message", message)
                .field("request_id", request_id)
                .finish(),
            Error::WebSocket {
                message,
                close_code,
                source,
            } => f
                .debug_struct("WebSocket")
                .field("message", message)
                .field("close_code", close_code)
                .field("source", source)
                .finish(),
            Error::Io { message, source } => f
                .debug_struct("Io")
                .field("message", message)
                .field("source", source)
                .finish(),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Connection { source, .. } => Some(source),
            Error::Decode {
                source: Some(source),
                ..
            } => Some(source),
            Error::Stream {
                source: Some(source),
                ..
            }
            | Error::InvalidRequest {
                source: Some(source),
                ..
            }
            | Error::Auth {
                source: Some(source),
                ..
            }
            | Error::WebSocket {
                source: Some(source),
                ..
            } => Some(source.as_ref()),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod class_tests {
    use super::*;

    fn api(status: u16) -> Error {
        Error::Api {
            status: StatusCode::from_u16(status).unwrap(),
            request_id: None,
            error: None,
            body_excerpt: String::new(),
            headers: Box::default(),
        }
    }

    #[test]
    fn each_status_has_its_class_and_only_that_one() {
        type Class = fn(&Error) -> bool;
        let classes: [(u16, Class); 8] = [
            (400, Error::is_bad_request),
            (401, Error::is_authentication),
            (403, Error::is_permission_denied),
            (404, Error::is_not_found),
            (409, Error::is_conflict),
            (422, Error::is_unprocessable),
            (429, Error::is_rate_limited),
            (503, Error::is_server_error),
        ];
        for (status, _) in classes {
            let error = api(status);
            let matching: Vec<u16> = classes
                .iter()
                .filter(|(_, is)| is(&error))
                .map(|(s, _)| *s)
                .collect();
            assert_eq!(matching, [status], "status {status}");
        }
        assert!(api(500).is_server_error() && !api(499).is_server_error());
        let timeout = Error::Timeout {
            after: None,
            kind: TimeoutKind::Transport,
            request_id: None,
        };
        assert!(
            classes.iter().all(|(_, is)| !is(&timeout)),
            "only API errors have a class"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_standard_error_object() {
        let body = json!({"error": {"message": "Bad key", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}});
        let parsed = ApiErrorObject::from_json(&body).unwrap();
        assert_eq!(parsed.message, "Bad key");
        assert_eq!(parsed.error_type.as_deref(), Some("invalid_request_error"));
        assert_eq!(parsed.param, None);
        assert_eq!(parsed.code.as_deref(), Some("invalid_api_key"));
    }

    #[test]
    fn tolerates_missing_fields_and_numeric_code() {
        let parsed = ApiErrorObject::from_json(&json!({"error": {"code": 42}})).unwrap();
        assert_eq!(parsed.message, "");
        assert_eq!(parsed.code.as_deref(), Some("42"));
        let parsed = ApiErrorObject::from_json(&json!({"error": "plain text"})).unwrap();
        assert_eq!(parsed.message, "plain text");
        let bare =
            ApiErrorObject::from_json(&json!({"type": "error", "message": "m", "code": null}))
                .unwrap();
        assert_eq!(bare.message, "m");
        assert!(ApiErrorObject::from_json(&json!({"id": "x"})).is_none());
        assert!(ApiErrorObject::from_json(&json!([1])).is_none());
    }

    #[test]
    fn quota_detection_uses_code_or_type() {
        let by_code = ApiErrorObject {
            code: Some("insufficient_quota".into()),
            ..Default::default()
        };
        let by_type = ApiErrorObject {
            error_type: Some("insufficient_quota".into()),
            ..Default::default()
        };
        assert!(by_code.is_insufficient_quota());
        assert!(by_type.is_insufficient_quota());
        assert!(!ApiErrorObject::default().is_insufficient_quota());
    }

    #[test]
    fn api_error_display_has_status_message_and_request_id() {
        let body = br#"{"error": {"message": "Rate limit reached.", "type": "requests", "code": "rate_limit_exceeded"}}"#;
        let err = Error::from_response(
            StatusCode::TOO_MANY_REQUESTS,
            HeaderMap::new(),
            Some("req_1".into()),
            body,
        );
        let text = err.to_string();
        assert_eq!(
            text,
            "API error 429 Too Many Requests: Rate limit reached [type requests] [code rate_limit_exceeded] (request id req_1)"
        );
        assert!(!text.ends_with('.'));
        assert_eq!(err.request_id(), Some("req_1"));
        assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
    }

    #[test]
    fn non_json_and_empty_bodies() {
        let html = b"<html>\n<body>Bad gateway</body>\n</html>";
        let err = Error::from_response(StatusCode::BAD_GATEWAY, HeaderMap::new(), None, html);
        assert!(err.api_error().is_none());
        assert_eq!(
            err.to_string(),
            "API error 502 Bad Gateway: <html> <body>Bad gateway</body> </html>"
        );
        let err = Error::from_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            HeaderMap::new(),
            None,
            b"",
        );
        assert_eq!(
            err.to_string(),
            "API error 500 Internal Server Error (empty body)"
        );
    }

    #[test]
    fn excerpt_is_bounded_and_cut_on_char_boundary() {
        let mut body = vec![b'a'; BODY_EXCERPT_LIMIT - 1];
        body.extend_from_slice("é and more".as_bytes());
        let text = excerpt(&body);
        assert_eq!(text.len(), BODY_EXCERPT_LIMIT - 1);
        assert!(text.chars().all(|c| c == 'a'));
    }

    #[test]
    fn server_text_control_characters_are_escaped_in_display() {
        let body = json!({"error": {
            "message": "bad\u{1b}]0;pwned\u{7} key\r\nInjected: line",
            "type": "x\u{1b}[2J", "code": "c\u{0}", "param": "p\u{202e}"
        }})
        .to_string();
        let mut headers = HeaderMap::new();
        headers.insert("set-cookie", "session=SECRET".parse().unwrap());
        let err = Error::from_response(
            StatusCode::BAD_REQUEST,
            headers,
            Some("req\u{1b}[1m".into()),
            body.as_bytes(),
        );
        let text = err.to_string();
        assert_eq!(
            text,
            "API error 400 Bad Request: bad\\u{1b}]0;pwned\\u{7} key\\r\\nInjected: line \
             [type x\\u{1b}[2J] [code c\\0] [param p\\u{202e}] (request id req\\u{1b}[1m)"
        );
        assert!(!text.chars().any(char::is_control), "{text:?}");

        let html = b"<p>\x1b[31mred\x07</p>\r\n\x00";
        let err = Error::from_response(StatusCode::BAD_GATEWAY, HeaderMap::new(), None, html);
        assert_eq!(
            err.to_string(),
            "API error 502 Bad Gateway: <p>\\u{1b}[31mred\\u{7}</p> \\0"
        );
        let decode = Error::Decode {
            status: StatusCode::OK,
            request_id: None,
            message: "unknown variant `\x1b[5m`".into(),
            body_excerpt: "{\"x\": \"\x1b\"}".into(),
            body: bytes::Bytes::new(),
            source: None,
        };
        assert!(!decode.to_string().chars().any(char::is_control));
        let stream = Error::Stream {
            status: StatusCode::OK,
            request_id: None,
            message: "server said \x1b[0m\n".into(),
            source: None,
        };
        assert!(stream.to_string().ends_with("\\u{1b}[0m\\n"), "{stream}");
    }

    #[test]
    fn debug_redacts_sensitive_response_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("set-cookie", "session=SECRET-1".parse().unwrap());
        headers.insert("x-api-key", "SECRET-2".parse().unwrap());
        headers.insert("x-request-id", "req_9".parse().unwrap());
        let err = Error::from_response(StatusCode::FORBIDDEN, headers, None, b"{}");
        let debug = format!("{err:?}{err:#?}");
        assert!(!debug.contains("SECRET"), "{debug}");
        assert!(debug.contains("req_9"), "{debug}");
        assert_eq!(
            err.headers().unwrap()["set-cookie"],
            "session=SECRET-1",
            "the values stay readable through headers()"
        );
    }

    #[test]
    fn error_is_send_sync_and_small() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Error>();
        // Results carrying this error are returned everywhere; keep it small.
        assert!(
            std::mem::size_of::<Error>() <= 128,
            "{}",
            std::mem::size_of::<Error>()
        );
    }
}
