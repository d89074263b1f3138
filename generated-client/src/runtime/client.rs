//! The client: sends requests with retries and turns responses into results.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use serde::de::DeserializeOwned;
use tokio::time::Instant;

use super::azure::AzureConfig;
use super::binary::BinaryResponse;
use super::body::{self, BodyStream, Overflow, ReadError, ReadLimits};
use super::config::{ClientBuilder, Config, MAX_ERROR_BODY_BYTES};
use super::error::{excerpt, Error, TimeoutKind};
use super::options::RequestOptions;
use super::redirect;
use super::request::{Prepared, RequestSpec};
use super::response::{request_id_of, Response, ResponseMeta};
use super::retry;
use super::stream::EventStream;
use super::stream_config::StreamConfig;
use super::webhooks::Webhooks;

/// An API client. Cloning is cheap (the configuration is shared), so clone it
/// freely into tasks.
#[derive(Clone)]
pub struct Client {
    config: Arc<Config>,
    options: Arc<RequestOptions>,
}

/// How much of a successful response is read before returning.
pub(super) enum Read<'s> {
    /// Whole body into memory, within the size limit.
    Buffered,
    /// Whole body, dropped.
    Discard,
    /// Nothing: the caller streams it.
    Streamed,
    /// Whole body, each chunk handed to the sink as it comes (within the
    /// size limit), not kept.
    Sink(&'s mut dyn body::Sink),
}

/// A successful (2xx) response after retries.
pub(super) struct Sent {
    pub(super) meta: ResponseMeta,
    body: SentBody,
    /// When the attempt that got it began (a stream's total limit counts from here).
    started: Instant,
}

/// The time limits of a request: the client's, with the request options on top
/// (see `ClientBuilder::timeout` for what each bounds).
#[derive(Clone, Copy)]
struct Timeouts {
    request: Duration,
    read: Duration,
    stream: Option<Duration>,
}

impl Timeouts {
    fn of(config: &Config, options: &RequestOptions) -> Self {
        let request = options.timeout.unwrap_or(config.timeout);
        Timeouts {
            request,
            // Unset, a pause may be as long as the request may take (the
            // behaviour before the read timeout existed).
            read: options
                .read_timeout
                .or(config.read_timeout)
                .unwrap_or(request),
            stream: options.stream_timeout.or(config.stream_timeout),
        }
    }

    /// The body of a streamed response under the read and stream limits.
    fn body_stream(
        self,
        response: reqwest::Response,
        meta: &ResponseMeta,
        started: Instant,
    ) -> BodyStream {
        let body = BodyStream::new(response, self.read, meta.request_id.clone());
        match self.stream {
            Some(total) => body.with_total(total, started + total),
            None => body,
        }
    }
}

enum SentBody {
    Read(Bytes),
    Unread(reqwest::Response),
}

impl ClientBuilder {
    /// Builds the client.
    ///
    /// Fails with [`Error::Config`] when no API key is set or found in
    /// `OPENAI_API_KEY` (for Azure: when the endpoint, API version or
    /// credential is missing, or more than one credential is set), or when a
    /// setting is malformed.
    ///
    /// (Here, not beside the other builder methods: the configuration does
    /// not know the client it configures.)
    pub fn build(self) -> Result<Client, Error> {
        let config = self.settle(&|name| std::env::var(name).ok())?;
        Ok(Client::from_config(config))
    }
}

impl Client {
    /// A client configured from the environment (`OPENAI_API_KEY`, and
    /// optionally `OPENAI_BASE_URL`, `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID`).
    ///
    /// Fails with [`Error::Config`] when `OPENAI_API_KEY` is not set.
    pub fn new() -> Result<Client, Error> {
        ClientBuilder::new().build()
    }

    /// A builder for a client with custom settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// An Azure OpenAI client configured from the environment:
    /// `AZURE_OPENAI_ENDPOINT`, `OPENAI_API_VERSION`, and
    /// `AZURE_OPENAI_AD_TOKEN` or `AZURE_OPENAI_API_KEY` (see [`AzureConfig`]).
    ///
    /// Fails with [`Error::Config`] naming whatever is missing.
    pub fn azure() -> Result<Client, Error> {
        ClientBuilder::new().azure(AzureConfig::new()).build()
    }

    pub(crate) fn from_config(config: Config) -> Self {
        Client {
            config: Arc::new(config),
            options: Arc::new(RequestOptions::default()),
        }
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    /// This view's request options (the WebSocket handshake applies them too).
    #[cfg(feature = "realtime-ws")]
    pub(crate) fn options(&self) -> &RequestOptions {
        &self.options
    }

    /// Verifies and decodes webhook deliveries as `E` with this client's
    /// webhook secret ([`ClientBuilder::webhook_secret`], else
    /// `OPENAI_WEBHOOK_SECRET`). The generated `webhooks()` calls this with
    /// the spec's event type.
    pub fn webhooks_as<E>(&self) -> Webhooks<E> {
        Webhooks::with_secret(self.config.webhook_secret.clone())
    }

    /// A view of this client whose requests also apply `options` (on top of
    /// any this view already has). The original client is unchanged.
    pub fn with_options(&self, options: RequestOptions) -> Client {
        Client {
            config: Arc::clone(&self.config),
            options: Arc::new(self.options.merged(&options)),
        }
    }

    /// Sends the request and decodes a JSON response body as `T`.
    pub async fn execute_json<T: DeserializeOwned>(
        &self,
        request: RequestSpec,
    ) -> Result<Response<T>, Error> {
        let sent = self
            .send(&request, Read::Buffered, "application/json")
            .await?;
        let SentBody::Read(bytes) = sent.body else {
            unreachable!("buffered reads return bytes")
        };
        self.decode_json(bytes, sent.meta, "")
    }

    /// Decodes a JSON response body as `T`, in the client's strict or
    /// lenient mode; `what` says what the body is, if not all of it.
    pub(super) fn decode_json<T: DeserializeOwned>(
        &self,
        bytes: Bytes,
        meta: ResponseMeta,
        what: &str,
    ) -> Result<Response<T>, Error> {
        let decode = || super::de::from_slice::<T>(&bytes);
        let (decoded, fills) = if self.config.strict_decoding {
            (super::de::strict(decode), Vec::new())
        } else {
            super::de::collect_fills(decode)
        };
        match decoded {
            Ok(value) => Ok(Response::new(value, meta).with_decode_warnings(fills)),
            Err(source) => Err(Error::Decode {
                status: meta.status,
                request_id: meta.request_id,
                message: format!("invalid JSON response body{what}: {source}"),
                body_excerpt: excerpt(&bytes),
                body: bytes,
                source: Some(source),
            }),
        }
    }

    /// Sends the request and ignores the response body.
    pub async fn execute_empty(&self, request: RequestSpec) -> Result<Response<()>, Error> {
        let sent = self
            .send(&request, Read::Discard, "application/json")
            .await?;
        Ok(Response::new((), sent.meta))
    }

    /// Sends the request and returns the response with its body unread.
    pub async fn execute_binary(&self, request: RequestSpec) -> Result<BinaryResponse, Error> {
        let sent = self.send(&request, Read::Streamed, "*/*").await?;
        let SentBody::Unread(response) = sent.body else {
            unreachable!("streamed reads leave the body")
        };
        let timeouts = Timeouts::of(&self.config, &self.options);
        let body = timeouts.body_stream(response, &sent.meta, sent.started);
        Ok(BinaryResponse::new(body, sent.meta))
    }

    /// Sends the request and returns its server-sent events decoded as `E`.
    ///
    /// A non-2xx answer is returned as an error (after retries) like any other
    /// request; once the stream has started, failures arrive as stream items.
    pub async fn execute_sse<E: DeserializeOwned + Send + 'static>(
        &self,
        request: RequestSpec,
        config: StreamConfig,
    ) -> Result<EventStream<E>, Error> {
        let sent = self
            .send(&request, Read::Streamed, "text/event-stream")
            .await?;
        let SentBody::Unread(response) = sent.body else {
            unreachable!("streamed reads leave the body")
        };
        let timeouts = Timeouts::of(&self.config, &self.options);
        let body = timeouts.body_stream(response, &sent.meta, sent.started);
        let limit = self.config.max_event_bytes;
        Ok(EventStream::new(body, config, limit, sent.meta).strict(self.config.strict_decoding))
    }

    /// Sends the request until it succeeds, fails for good, or retries run out.
    pub(super) async fn send(
        &self,
        request: &RequestSpec,
        mut read: Read<'_>,
        default_accept: &str,
    ) -> Result<Sent, Error> {
        let config = &self.config;
        let prepared = request.prepare(
            &config.endpoint,
            &config.headers,
            &config.sensitive,
            &self.options,
            default_accept,
        )?;
        // A one-shot body cannot be sent twice, so such a request gets one attempt.
        let max_retries = if prepared.is_replayable() {
            self.options.max_retries.unwrap_or(config.max_retries)
        } else {
            0
        };
        let mut retries_taken = 0;
        loop {
            match self.attempt(&prepared, retries_taken, &mut read).await {
                Err(error) if retries_taken < max_retries && error.is_retryable() => {
                    let Some(delay) = retry::retry_delay(
                        error.headers(),
                        retries_taken,
                        SystemTime::now(),
                        fastrand::f64(),
                    ) else {
                        // The server asked for a wait longer than we honour: not soon.
                        return Err(error);
                    };
                    (config.sleeper)(delay).await;
                    retries_taken += 1;
                }
                result => return result,
            }
        }
    }

    /// One attempt: a fresh request, sent within the timeout; the body is read
    /// here (and so covered by retries) unless the caller streams it.
    async fn attempt(
        &self,
        prepared: &Prepared,
        retry_count: u32,
        read: &mut Read<'_>,
    ) -> Result<Sent, Error> {
        let timeouts = Timeouts::of(&self.config, &self.options);
        let started = Instant::now();
        // Until the headers: the request limit, or a stream's total limit when that is shorter.
        let (kind, timeout) = match (&*read, timeouts.stream) {
            (Read::Streamed, Some(stream)) if stream < timeouts.request => {
                (TimeoutKind::Stream, stream)
            }
            _ => (TimeoutKind::Request, timeouts.request),
        };
        let deadline = started + timeout;
        // A buffered body: all of it by the deadline, each chunk within the read limit.
        let limits = ReadLimits {
            deadline,
            total: timeout,
            idle: timeouts.read,
        };
        let credentials = self.attempt_credentials(prepared, deadline).await?;
        // `None` until a redirect is followed: the first request is built
        // straight from `prepared`, and its hop made only if it is redirected.
        let mut hop: Option<redirect::Hop> = None;
        let mut redirects = 0;
        let mut response = loop {
            let http = &self.config.http;
            let request = match &hop {
                None => {
                    prepared
                        .first_request(http, retry_count, credentials.clone())
                        .await?
                }
                Some(hop) => prepared.build(http, hop).await?,
            };
            let response = match tokio::time::timeout_at(deadline, http.execute(request)).await {
                Err(_) => {
                    return Err(Error::Timeout {
                        after: Some(timeout),
                        kind,
                        request_id: None,
                    })
                }
                Ok(result) => result.map_err(|e| Error::from_transport(e, None))?,
            };
            // No hop is made for a response that is not followed.
            if !redirect::follows(response.status(), self.config.redirect_policy) {
                break response;
            }
            let current = match &hop {
                Some(hop) => hop,
                None => &prepared.first_hop(retry_count, credentials.clone()),
            };
            let next = redirect::next_hop(
                current,
                response.status(),
                response.headers(),
                prepared.url(),
                self.config.redirect_policy,
                redirects,
                prepared.is_replayable(),
            );
            match next {
                Ok(None) => break response,
                Ok(Some(next)) => {
                    hop = Some(next);
                    redirects += 1;
                }
                Err(message) => {
                    return Err(Error::Redirect {
                        status: response.status(),
                        request_id: request_id_of(response.headers()),
                        message,
                    })
                }
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        let request_id = request_id_of(&headers);

        if !status.is_success() {
            // Even if the body cannot be read, status and request id make a useful error.
            let body = body::read_limited(
                &mut response,
                MAX_ERROR_BODY_BYTES,
                Overflow::Truncate,
                limits,
            )
            .await
            .unwrap_or_default();
            return Err(Error::from_response(status, headers, request_id, &body));
        }

        let read_error = |error: ReadError, request_id: Option<String>| match error {
            ReadError::Timeout(kind, after) => Error::Timeout {
                after: Some(after),
                kind,
                request_id,
            },
            ReadError::Transport(source) => Error::from_transport(source, request_id),
            ReadError::TooLarge => Error::Decode {
                status,
                request_id,
                message: format!(
                    "response body is larger than the {}-byte limit",
                    self.config.max_response_bytes
                ),
                body_excerpt: String::new(),
                body: Bytes::new(),
                source: None,
            },
        };
        let body = match read {
            Read::Buffered => {
                let limit = self.config.max_response_bytes;
                match body::read_limited(&mut response, limit, Overflow::Fail, limits).await {
                    Ok(bytes) => SentBody::Read(bytes),
                    Err(error) => return Err(read_error(error, request_id)),
                }
            }
            Read::Discard => match body::drain(&mut response, limits).await {
                Ok(()) => SentBody::Read(Bytes::new()),
                Err(error) => return Err(read_error(error, request_id)),
            },
            Read::Streamed => SentBody::Unread(response),
            Read::Sink(sink) => {
                let limit = self.config.max_response_bytes;
                match body::read_into(&mut response, limit, Overflow::Fail, &mut **sink, limits).await {
                    Ok(()) => SentBody::Read(Bytes::new()),
                    Err(error) => return Err(read_error(error, request_id)),
                }
            }
        };
        Ok(Sent {
            meta: ResponseMeta {
                status,
                headers,
                request_id,
            },
            body,
            started,
        })
    }
}

impl Client {
    /// Headers this attempt adds: a fresh bearer token when a token
    /// provider is configured and the request sets no `Authorization` of its
    /// own. The provider is given until `deadline`.
    pub(crate) async fn attempt_credentials(
        &self,
        prepared: &Prepared,
        deadline: Instant,
    ) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        let Some(provider) = &self.config.token_provider else {
            return Ok(headers);
        };
        if prepared.has_header(&AUTHORIZATION) {
            return Ok(headers);
        }
        let auth_error = |message: &str| Error::Auth {
            message: message.to_owned(),
            source: None,
        };
        let token =
            match tokio::time::timeout_at(deadline, provider()).await {
                Err(_) => return Err(auth_error(
                    "the Azure AD token provider did not return a token within the request timeout",
                )),
                Ok(Err(source)) => {
                    return Err(Error::Auth {
                        message: "the Azure AD token provider failed".to_owned(),
                        source: Some(source),
                    })
                }
                Ok(Ok(token)) => token,
            };
        if token.is_empty() {
            return Err(auth_error(
                "the Azure AD token provider returned an empty token",
            ));
        }
        let mut value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            auth_error(
                "the Azure AD token provider returned a token with characters not allowed in an HTTP header",
            )
        })?;
        value.set_sensitive(true);
        headers.insert(AUTHORIZATION, value);
        Ok(headers)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("options", &self.options)
            .finish()
    }
}
