//! Webhook deliveries: checking that a request came from the API and
//! decoding its event, under the Standard Webhooks scheme the API signs with
//! (as openai-python's `client.webhooks`).
//!
//! A delivery carries three headers: `webhook-id`, `webhook-timestamp` (Unix
//! seconds) and `webhook-signature`, a space-separated list of `v1,<base64>`
//! signatures. Each is HMAC-SHA256 over `"{id}.{timestamp}.{body}"` keyed
//! with the endpoint's secret: the base64 text after a `whsec_` prefix,
//! decoded (a secret without the prefix is used as its bytes, as
//! openai-python does). A delivery is accepted when one signature matches
//! (compared in constant time) and the timestamp is within the tolerance of
//! the local clock, in both directions.
//!
//! The event type is the caller's (the generated `WebhookEvent` through
//! `Client::webhooks()`); this module knows nothing about individual events.

use std::fmt;
use std::marker::PhantomData;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::redact::REDACTED;

/// How far a delivery's timestamp may be from the local clock, either way
/// (openai-python's default: 5 minutes).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// The environment variable the webhook secret is read from.
pub const ENV_WEBHOOK_SECRET: &str = "OPENAI_WEBHOOK_SECRET";

/// Header names of a delivery.
const ID: &str = "webhook-id";
const TIMESTAMP: &str = "webhook-timestamp";
const SIGNATURE: &str = "webhook-signature";

/// Prefix of secrets given as base64 (`whsec_...`).
const SECRET_PREFIX: &str = "whsec_";

/// Why a delivery was refused. Never contains the secret.
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookError {
    /// No secret was given, configured (`ClientBuilder::webhook_secret`) or
    /// found in `OPENAI_WEBHOOK_SECRET`.
    NoSecret,
    /// The secret has the `whsec_` prefix but what follows is not base64.
    InvalidSecret,
    /// A required header is missing.
    MissingHeader {
        /// `webhook-id`, `webhook-timestamp` or `webhook-signature`.
        name: &'static str,
    },
    /// A header is not visible ASCII text.
    InvalidHeader {
        /// The header's name.
        name: &'static str,
    },
    /// `webhook-timestamp` is not a whole number of seconds.
    InvalidTimestamp,
    /// The timestamp is further in the past than the tolerance allows
    /// (a replay, or a delivery held up too long).
    TimestampTooOld {
        /// The delivery's timestamp (Unix seconds).
        timestamp: i64,
        /// The local clock when it was checked (Unix seconds).
        now: i64,
    },
    /// The timestamp is further in the future than the tolerance allows.
    TimestampTooNew {
        /// The delivery's timestamp (Unix seconds).
        timestamp: i64,
        /// The local clock when it was checked (Unix seconds).
        now: i64,
    },
    /// No signature in `webhook-signature` matches the body with this secret.
    SignatureMismatch,
    /// The body is not UTF-8 text (openai-python refuses it too).
    InvalidBody,
    /// The signature is valid but the body is not the expected event JSON.
    Decode {
        /// What serde said.
        source: serde_json::Error,
    },
}

impl WebhookError {
    /// True for every error but [`WebhookError::Decode`] and
    /// [`WebhookError::NoSecret`]: the delivery cannot be trusted (answer it
    /// with a 4xx), as opposed to a trusted one this client cannot read.
    pub fn is_verification_failure(&self) -> bool {
        !matches!(self, WebhookError::Decode { .. } | WebhookError::NoSecret)
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::NoSecret => write!(
                f,
                "no webhook secret: pass one, call ClientBuilder::webhook_secret or set {ENV_WEBHOOK_SECRET}"
            ),
            WebhookError::InvalidSecret => {
                write!(f, "the webhook secret after `{SECRET_PREFIX}` is not base64")
            }
            WebhookError::MissingHeader { name } => write!(f, "missing `{name}` header"),
            WebhookError::InvalidHeader { name } => write!(f, "`{name}` header is not ASCII text"),
            WebhookError::InvalidTimestamp => {
                write!(f, "`{TIMESTAMP}` is not a whole number of seconds")
            }
            WebhookError::TimestampTooOld { timestamp, now } => write!(
                f,
                "webhook timestamp is too old ({timestamp}, {}s before now)",
                now - timestamp
            ),
            WebhookError::TimestampTooNew { timestamp, now } => write!(
                f,
                "webhook timestamp is too new ({timestamp}, {}s after now)",
                timestamp - now
            ),
            WebhookError::SignatureMismatch => {
                write!(f, "no webhook signature matches the body and secret")
            }
            WebhookError::InvalidBody => write!(f, "webhook body is not UTF-8 text"),
            WebhookError::Decode { source } => {
                write!(f, "webhook body is not a valid event: {source}")
            }
        }
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebhookError::Decode { source } => Some(source),
            _ => None,
        }
    }
}

/// Checks that `body` with `headers` was signed with `secret` within
/// `tolerance` of now. `body` must be the raw bytes as received: re-encoded
/// JSON does not match its signature.
pub fn verify_signature(
    body: &[u8],
    headers: &HeaderMap,
    secret: &str,
    tolerance: Duration,
) -> Result<(), WebhookError> {
    verify_at(body, headers, secret, tolerance, unix_now())
}

/// [`verify_signature`], then decodes the body as `T`.
pub fn unwrap<T: DeserializeOwned>(
    body: &[u8],
    headers: &HeaderMap,
    secret: &str,
    tolerance: Duration,
) -> Result<T, WebhookError> {
    verify_signature(body, headers, secret, tolerance)?;
    super::de::from_slice(body).map_err(|source| WebhookError::Decode { source })
}

/// Verifies and decodes deliveries with one secret; events decode as `E`.
///
/// From a client: `client.webhooks()` (the generated event type, the
/// client's secret). Without one: `Webhooks::<E>::new(secret)` or
/// [`from_env`](Self::from_env).
pub struct Webhooks<E> {
    secret: Option<String>,
    tolerance: Duration,
    // `fn() -> E`: holds no `E`, so it is Send/Sync/Clone whatever `E` is.
    _event: PhantomData<fn() -> E>,
}

impl<E> Webhooks<E> {
    /// Deliveries signed with `secret` (`whsec_...`), within [`DEFAULT_TOLERANCE`].
    pub fn new(secret: impl Into<String>) -> Self {
        Self::with_secret(Some(secret.into()))
    }

    /// Deliveries signed with the secret in `OPENAI_WEBHOOK_SECRET` (an empty
    /// or missing variable: every call fails with [`WebhookError::NoSecret`]).
    pub fn from_env() -> Self {
        Self::with_secret(std::env::var(ENV_WEBHOOK_SECRET).ok())
    }

    pub(crate) fn with_secret(secret: Option<String>) -> Self {
        Webhooks {
            secret: secret.filter(|s| !s.is_empty()),
            tolerance: DEFAULT_TOLERANCE,
            _event: PhantomData,
        }
    }

    /// Uses `secret` instead (openai-python's per-call `secret=`).
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// How far a timestamp may be from now, either way (default 300 s).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Checks the signature and timestamp of a delivery (see [`verify_signature`]).
    pub fn verify_signature(&self, body: &[u8], headers: &HeaderMap) -> Result<(), WebhookError> {
        let secret = self.secret.as_deref().ok_or(WebhookError::NoSecret)?;
        verify_signature(body, headers, secret, self.tolerance)
    }

    /// Checks a delivery and decodes its event; nothing unverified is ever decoded.
    pub fn unwrap(&self, body: &[u8], headers: &HeaderMap) -> Result<E, WebhookError>
    where
        E: DeserializeOwned,
    {
        self.verify_signature(body, headers)?;
        super::de::from_slice(body).map_err(|source| WebhookError::Decode { source })
    }
}

impl<E> Clone for Webhooks<E> {
    fn clone(&self) -> Self {
        Webhooks {
            secret: self.secret.clone(),
            tolerance: self.tolerance,
            _event: PhantomData,
        }
    }
}

impl<E> fmt::Debug for Webhooks<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhooks")
            .field("secret", &self.secret.as_ref().map(|_| REDACTED))
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

fn unix_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        // A clock before 1970: every real timestamp is then "too new".
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// A required header as text.
fn header<'h>(headers: &'h HeaderMap, name: &'static str) -> Result<&'h str, WebhookError> {
    let value = headers
        .get(name)
        .ok_or(WebhookError::MissingHeader { name })?;
    value
        .to_str()
        .map_err(|_| WebhookError::InvalidHeader { name })
}

/// The HMAC key: base64-decoded after `whsec_`, else the secret's bytes.
fn key(secret: &str) -> Result<Vec<u8>, WebhookError> {
    match secret.strip_prefix(SECRET_PREFIX) {
        Some(encoded) => base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| WebhookError::InvalidSecret),
        None => Ok(secret.as_bytes().to_vec()),
    }
}

/// The checks of [`verify_signature`] against the clock reading `now`, in
/// openai-python's order: headers, timestamp, then signatures.
fn verify_at(
    body: &[u8],
    headers: &HeaderMap,
    secret: &str,
    tolerance: Duration,
    now: i64,
) -> Result<(), WebhookError> {
    let signatures = header(headers, SIGNATURE)?;
    let timestamp_text = header(headers, TIMESTAMP)?;
    let id = header(headers, ID)?;

    let timestamp: i64 = timestamp_text
        .trim()
        .parse()
        .map_err(|_| WebhookError::InvalidTimestamp)?;
    // i128: a hostile timestamp near i64::MIN or MAX must not overflow.
    let tolerance = i128::from(tolerance.as_secs());
    let (stamp, clock) = (i128::from(timestamp), i128::from(now));
    if clock - stamp > tolerance {
        return Err(WebhookError::TimestampTooOld { timestamp, now });
    }
    if stamp - clock > tolerance {
        return Err(WebhookError::TimestampTooNew { timestamp, now });
    }

    if std::str::from_utf8(body).is_err() {
        return Err(WebhookError::InvalidBody);
    }
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&key(secret)?).expect("HMAC takes a key of any length");
    // Signed exactly as sent: the timestamp header's text, not the parsed number.
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp_text.as_bytes());
    mac.update(b".");
    mac.update(body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    // Each entry is `v1,<base64>`; an entry without a version is compared as
    // it is, and other versions never match (as openai-python).
    let matched = signatures
        .split_whitespace()
        .map(|entry| entry.strip_prefix("v1,").unwrap_or(entry))
        .fold(subtle::Choice::from(0), |found, candidate| {
            found | expected.as_bytes().ct_eq(candidate.as_bytes())
        });
    if bool::from(matched) {
        Ok(())
    } else {
        Err(WebhookError::SignatureMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    // The example delivery of the Standard Webhooks specification, which its
    // libraries test against: this secret, id, timestamp and body give this
    // published signature (recomputed with Python's hmac when it was added).
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID_VALUE: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const STAMP: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNED: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn headers(id: &str, timestamp: &str, signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in [(ID, id), (TIMESTAMP, timestamp), (SIGNATURE, signature)] {
            headers.insert(name, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn example() -> HeaderMap {
        headers(ID_VALUE, &STAMP.to_string(), SIGNED)
    }

    #[test]
    fn standard_webhooks_example_verifies() {
        verify_at(BODY, &example(), SECRET, DEFAULT_TOLERANCE, STAMP).unwrap();
        // Within the tolerance either way, inclusive.
        for now in [STAMP - 300, STAMP + 300] {
            verify_at(BODY, &example(), SECRET, DEFAULT_TOLERANCE, now).unwrap();
        }
    }

    #[test]
    fn timestamps_outside_the_tolerance_are_refused() {
        let old = verify_at(BODY, &example(), SECRET, DEFAULT_TOLERANCE, STAMP + 301);
        assert!(
            matches!(old, Err(WebhookError::TimestampTooOld { timestamp: STAMP, now }) if now == STAMP + 301),
            "{old:?}"
        );
        let new = verify_at(BODY, &example(), SECRET, DEFAULT_TOLERANCE, STAMP - 301);
        assert!(
            matches!(new, Err(WebhookError::TimestampTooNew { .. })),
            "{new:?}"
        );
        let tight = verify_at(
            BODY,
            &example(),
            SECRET,
            Duration::from_secs(10),
            STAMP + 11,
        );
        assert!(matches!(tight, Err(WebhookError::TimestampTooOld { .. })));
        // Extreme values neither overflow nor pass.
        for stamp in ["-9223372036854775808", "9223372036854775807"] {
            let result = verify_at(
                BODY,
                &headers(ID_VALUE, stamp, SIGNED),
                SECRET,
                DEFAULT_TOLERANCE,
                STAMP,
            );
            assert!(!matches!(result, Ok(())), "{stamp}");
        }
    }

    #[test]
    fn signed_text_and_key_are_exactly_as_sent() {
        // The timestamp is signed as its text: `+1614265330` parses to the same
        // number but is not what was signed.
        let padded = headers(ID_VALUE, &format!("+{STAMP}"), SIGNED);
        assert!(matches!(
            verify_at(BODY, &padded, SECRET, DEFAULT_TOLERANCE, STAMP),
            Err(WebhookError::SignatureMismatch)
        ));
        // A key without the prefix is used as its bytes, not decoded.
        let raw = verify_at(BODY, &example(), &SECRET[6..], DEFAULT_TOLERANCE, STAMP);
        assert!(
            matches!(raw, Err(WebhookError::SignatureMismatch)),
            "{raw:?}"
        );
        let bad = verify_at(
            BODY,
            &example(),
            "whsec_!!not base64!!",
            DEFAULT_TOLERANCE,
            STAMP,
        );
        assert!(matches!(bad, Err(WebhookError::InvalidSecret)), "{bad:?}");
    }

    #[test]
    fn non_utf8_body_is_refused() {
        let result = verify_at(b"\xff\xfe", &example(), SECRET, DEFAULT_TOLERANCE, STAMP);
        assert!(
            matches!(result, Err(WebhookError::InvalidBody)),
            "{result:?}"
        );
    }

    #[test]
    fn malformed_headers_are_typed_errors() {
        let result = verify_at(
            BODY,
            &headers(ID_VALUE, "soon", SIGNED),
            SECRET,
            DEFAULT_TOLERANCE,
            STAMP,
        );
        assert!(
            matches!(result, Err(WebhookError::InvalidTimestamp)),
            "{result:?}"
        );
        let mut latin1 = example();
        latin1.insert(ID, HeaderValue::from_bytes(b"msg_\xe9").unwrap());
        let result = verify_at(BODY, &latin1, SECRET, DEFAULT_TOLERANCE, STAMP);
        assert!(
            matches!(
                result,
                Err(WebhookError::InvalidHeader { name: "webhook-id" })
            ),
            "{result:?}"
        );
    }

    #[test]
    fn errors_and_debug_never_show_the_secret() {
        let hooks = Webhooks::<serde_json::Value>::new(SECRET);
        assert!(!format!("{hooks:?}").contains("MfKQ9r8"));
        let errors = [
            verify_at(BODY, &example(), SECRET, DEFAULT_TOLERANCE, STAMP + 999).unwrap_err(),
            verify_at(BODY, &example(), "whsec_%%", DEFAULT_TOLERANCE, STAMP).unwrap_err(),
            verify_at(b"{}", &example(), SECRET, DEFAULT_TOLERANCE, STAMP).unwrap_err(),
        ];
        for error in errors {
            let text = format!("{error} {error:?}");
            assert!(!text.contains("MfKQ9r8") && !text.contains("%%"), "{text}");
        }
    }

    #[test]
    fn no_secret_is_an_error_before_anything_else() {
        let hooks = Webhooks::<serde_json::Value>::with_secret(Some(String::new()));
        let result = hooks.unwrap(BODY, &HeaderMap::new());
        assert!(matches!(result, Err(WebhookError::NoSecret)), "{result:?}");
        assert!(!WebhookError::NoSecret.is_verification_failure());
        assert!(WebhookError::SignatureMismatch.is_verification_failure());
    }
}
