//! WebSocket connections to the API (the Realtime API), generic over the
//! events sent (`S`, serialised as JSON text messages) and received (`R`,
//! decoded from each text or binary message).
//!
//! The handshake is made like openai-python's `realtime.connect()`:
//! `GET {base URL}{path}?model=...` with the scheme turned into `ws`/`wss`
//! (openai-python always uses `wss`; a plain `http://` base URL, a local
//! server, gets `ws`), the client's headers (`Authorization: Bearer`,
//! `User-Agent`, and also `OpenAI-Organization`, `OpenAI-Project` and default
//! headers, which openai-python leaves out: the connection belongs to the same
//! organization and project, and goes through the same gateway, as the
//! client's other calls), the client's default query, and the caller's own
//! query and headers on top. No `OpenAI-Beta: realtime=v1`: openai-python
//! sends it only for the beta interface.
//!
//! For Azure OpenAI, as openai-python's `AzureOpenAI`: `{endpoint}/openai{path}`
//! with `api-version` and `deployment` (the configured deployment, else the
//! model) in the query instead of `model`, and the Azure credential (`api-key`,
//! or a bearer token, from the token provider if there is one).
//!
//! Limits: the handshake must finish within the client's request timeout; a
//! received message (and frame) larger than the client's event size limit
//! ([`ClientBuilder::max_event_bytes`](super::ClientBuilder::max_event_bytes),
//! 16 MiB by default, as for server-sent events) ends the connection with an
//! error instead of growing the buffer. Redirects are not followed (a 3xx
//! answer is an [`Error::Api`]), so credentials never go to another host.
//! `wss://` uses rustls with the platform's certificate verifier when the
//! `rustls` feature is on (as reqwest does), else native-tls; a custom
//! `http_client` (proxy, extra root certificates) does not apply here.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, Stream, StreamExt};
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::client::Client;
use super::error::{excerpt, BoxError, Error};
use super::redact::RedactedHeaderMap;
use super::request::RequestSpec;
use super::response::request_id_of;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Longest wait for the server's answer to our close frame in [`Connection::close`].
const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);

/// At most this many decode warnings are kept per connection.
const MAX_DECODE_WARNINGS: usize = 1000;

/// Headers of an HTTP request that mean nothing in a WebSocket handshake.
const NOT_FOR_WEBSOCKETS: [&str; 1] = ["x-stainless-retry-count"];

impl Client {
    /// Settings for a WebSocket connection to `path` (relative to the base
    /// URL, like an operation's path, e.g. `/realtime`), sending `S` and
    /// receiving `R`; [`Connect::connect`] opens it. See the
    /// [module docs](self) for the handshake.
    pub fn websocket<S, R>(&self, path: impl Into<String>) -> Connect<S, R> {
        Connect {
            client: self.clone(),
            path: path.into(),
            model: None,
            query: Vec::new(),
            headers: Vec::new(),
            base_url: None,
            max_message_bytes: None,
            events: PhantomData,
        }
    }
}

/// Settings of a WebSocket connection, from [`Client::websocket`].
pub struct Connect<S, R> {
    client: Client,
    path: String,
    model: Option<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    base_url: Option<String>,
    max_message_bytes: Option<usize>,
    events: PhantomData<fn(S) -> R>,
}

impl<S, R> Connect<S, R> {
    /// The model: the `model` query parameter, or for Azure OpenAI the
    /// `deployment` one when the client has no deployment configured.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Adds a query parameter (e.g. `call_id`), replacing a default of the same name.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a handshake header, replacing the client's own of the same name.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Connects to `base_url` (`ws://` or `wss://`, or `http(s)://` turned
    /// into them) followed by the path, instead of the client's base URL, as
    /// openai-python's `websocket_base_url`. The client's credentials are sent
    /// there.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Largest message (and frame) accepted from the server, in bytes
    /// (default: the client's `max_event_bytes`).
    pub fn max_message_bytes(mut self, limit: usize) -> Self {
        self.max_message_bytes = Some(limit);
        self
    }
}

impl<S: Serialize, R: DeserializeOwned> Connect<S, R> {
    /// Opens the connection.
    ///
    /// A refused handshake (401, 404, 429, a 3xx...) is an [`Error::Api`]
    /// with the status, headers and error object of the answer; a connection
    /// or TLS failure an [`Error::WebSocket`]; no answer within the client's
    /// timeout an [`Error::Timeout`].
    pub async fn connect(self) -> Result<Connection<S, R>, Error> {
        let config = self.client.config();
        let options = self.client.options();
        let mut spec = RequestSpec::new(Method::GET, self.path.as_str());
        match config.endpoint.azure_deployment() {
            None => spec = spec.query("model", &self.model),
            Some(deployment) => {
                let Some(deployment) = deployment.or(self.model) else {
                    return Err(Error::invalid_request(
                        "a model (the deployment) is required for an Azure OpenAI WebSocket connection",
                    ));
                };
                spec = spec.query("deployment", &deployment);
            }
        }
        for (name, value) in &self.query {
            spec = spec.query(name, value);
        }
        for (name, value) in &self.headers {
            spec = spec.header(name, value);
        }
        let prepared = spec.prepare(
            &config.endpoint,
            &config.headers,
            &config.sensitive,
            options,
            "application/json",
        )?;
        let timeout = options.timeout.unwrap_or(config.timeout);
        let deadline = Instant::now() + timeout;
        let credentials = self.client.attempt_credentials(&prepared, deadline).await?;
        let hop = prepared.first_hop(0, credentials);
        let url = websocket_url(hop.url, self.base_url.as_deref(), &self.path)?;
        let origin = url.origin().ascii_serialization();

        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| connect_error(&origin, e))?;
        let mut headers = hop.headers;
        headers.remove(ACCEPT);
        headers.remove(CONTENT_TYPE);
        for name in NOT_FOR_WEBSOCKETS {
            headers.remove(name);
        }
        request.headers_mut().extend(headers);

        let limit = self.max_message_bytes.unwrap_or(config.max_event_bytes);
        let ws_config = WebSocketConfig::default()
            .max_message_size(Some(limit))
            .max_frame_size(Some(limit));
        let opening = tls::open(request, ws_config);
        let (socket, response) = match tokio::time::timeout_at(deadline, opening).await {
            Err(_) => {
                return Err(Error::Timeout {
                    after: Some(timeout),
                    kind: super::error::TimeoutKind::Request,
                    request_id: None,
                })
            }
            Ok(Err(WsError::Http(response))) => {
                let (parts, body) = (*response).into_parts();
                let request_id = request_id_of(&parts.headers);
                let body = body.unwrap_or_default();
                return Err(Error::from_response(
                    parts.status,
                    parts.headers,
                    request_id,
                    &body,
                ));
            }
            Ok(Err(error)) => return Err(connect_error(&origin, error)),
            Ok(Ok(opened)) => opened,
        };
        let headers = response.headers().clone();
        Ok(Connection {
            socket,
            decoder: Decoder {
                request_id: request_id_of(&headers),
                strict: config.strict_decoding,
                limit,
                warnings: Vec::new(),
                finished: false,
            },
            headers,
            events: PhantomData,
        })
    }
}

impl<S, R> fmt::Debug for Connect<S, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connect")
            .field("client", &self.client)
            .field("path", &self.path)
            .field("model", &self.model)
            .field("query", &super::redact::RedactedHeaders::new(&self.query))
            .field(
                "headers",
                &super::redact::RedactedHeaders::new(&self.headers),
            )
            .field(
                "base_url",
                &self.base_url.as_deref().map(super::redact::redact_userinfo),
            )
            .field("max_message_bytes", &self.max_message_bytes)
            .finish()
    }
}

/// The handshake URL: the prepared request's, or `base_url` + `path` with its
/// query, in a WebSocket scheme.
fn websocket_url(prepared: Url, base_url: Option<&str>, path: &str) -> Result<Url, Error> {
    let mut url = match base_url {
        None => prepared,
        Some(base) => {
            let shown = super::redact::redact_userinfo(base);
            let mut url =
                Url::parse(&format!("{}{path}", base.trim_end_matches('/'))).map_err(|e| {
                    Error::Config {
                        message: format!("invalid WebSocket base URL `{shown}`: {e}"),
                    }
                })?;
            if !url.username().is_empty() || url.password().is_some() {
                return Err(Error::Config {
                    message: format!(
                        "WebSocket base URL `{shown}` must not contain credentials (`user:password@`)"
                    ),
                });
            }
            url.set_query(prepared.query());
            url
        }
    };
    let scheme = match url.scheme() {
        "http" | "ws" => "ws",
        "https" | "wss" => "wss",
        other => {
            return Err(Error::Config {
                message: format!("a WebSocket URL must be ws(s) or http(s), not `{other}`"),
            })
        }
    };
    // All four are "special" schemes, between which the scheme may change.
    url.set_scheme(scheme).map_err(|()| Error::Config {
        message: format!("cannot use `{scheme}` for this URL"),
    })?;
    Ok(url)
}

/// A connection that could not be opened. Names only the origin: the query
/// may hold a credential.
fn connect_error(origin: &str, error: WsError) -> Error {
    Error::WebSocket {
        message: format!("cannot open a WebSocket connection to {origin}"),
        close_code: None,
        source: Some(Box::new(error)),
    }
}

/// An open WebSocket connection: [`send`](Self::send) events of type `S`,
/// receive events of type `R` with [`recv`](Self::recv) or as a
/// [`Stream`], and [`close`](Self::close) it. [`split`](Self::split) gives a
/// sending and a receiving half for separate tasks.
///
/// Each text (or binary) message is one event. A message that is not valid
/// JSON for `R` is an [`Error::Decode`] (holding the message) and the
/// connection goes on; with an `Unknown` variant in `R`, events of types this
/// client does not know are kept, not dropped. The stream ends (`None`) when
/// the server closes the connection normally (code 1000 or 1001); a close
/// with another code, a message over the size limit and a broken connection
/// are one [`Error::WebSocket`] and then the end.
pub struct Connection<S, R> {
    socket: Socket,
    decoder: Decoder,
    headers: HeaderMap,
    events: PhantomData<fn(S) -> R>,
}

impl<S: Serialize, R: DeserializeOwned> Connection<S, R> {
    /// Sends one event as a JSON text message.
    pub async fn send(&mut self, event: &S) -> Result<(), Error> {
        let message = encode(event)?;
        self.socket.send(message).await.map_err(send_error)
    }

    /// The next event from the server; `None` once the connection has ended.
    pub async fn recv(&mut self) -> Option<Result<R, Error>> {
        self.next().await
    }

    /// Closes the connection (code 1000) and waits, at most 10 seconds, for
    /// the server to confirm; events still arriving meanwhile are dropped.
    pub async fn close(mut self) -> Result<(), Error> {
        match self.socket.close(None).await {
            Ok(()) | Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => {}
            Err(error) => return Err(send_error(error)),
        }
        let drain = async { while self.socket.next().await.is_some_and(|m| m.is_ok()) {} };
        // The server not confirming in time changes nothing for us: the socket is dropped.
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, drain).await;
        Ok(())
    }

    /// A sending and a receiving half, to use from different tasks.
    pub fn split(self) -> (Sender<S>, Receiver<R>) {
        let (sink, stream) = self.socket.split();
        (
            Sender {
                sink,
                events: PhantomData,
            },
            Receiver {
                stream,
                decoder: self.decoder,
                headers: self.headers,
                events: PhantomData,
            },
        )
    }
}

impl<S, R> Connection<S, R> {
    /// The `x-request-id` of the handshake answer.
    pub fn request_id(&self) -> Option<&str> {
        self.decoder.request_id.as_deref()
    }

    /// The headers of the handshake answer.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Required fields the server left out of events so far, read as their
    /// empty value (see [`de::collect_fills`](super::de::collect_fills)); at
    /// most 1,000 lines.
    pub fn decode_warnings(&self) -> &[String] {
        &self.decoder.warnings
    }
}

impl<S, R: DeserializeOwned> Stream for Connection<S, R> {
    type Item = Result<R, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        this.decoder.poll(&mut this.socket, cx)
    }
}

impl<S, R> fmt::Debug for Connection<S, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("request_id", &self.decoder.request_id)
            .field("headers", &RedactedHeaderMap(&self.headers))
            .field("max_message_bytes", &self.decoder.limit)
            .field("finished", &self.decoder.finished)
            .finish_non_exhaustive()
    }
}

/// The sending half of a [`Connection`].
pub struct Sender<S> {
    sink: SplitSink<Socket, Message>,
    events: PhantomData<fn(S)>,
}

impl<S: Serialize> Sender<S> {
    /// Sends one event as a JSON text message.
    pub async fn send(&mut self, event: &S) -> Result<(), Error> {
        let message = encode(event)?;
        self.sink.send(message).await.map_err(send_error)
    }

    /// Sends a close frame (code 1000); the receiving half then sees the
    /// server's answer and ends.
    pub async fn close(&mut self) -> Result<(), Error> {
        match self.sink.close().await {
            Ok(()) | Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => Ok(()),
            Err(error) => Err(send_error(error)),
        }
    }
}

impl<S> fmt::Debug for Sender<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

/// The receiving half of a [`Connection`]: a [`Stream`] of events, ending as
/// the connection's does.
pub struct Receiver<R> {
    stream: SplitStream<Socket>,
    decoder: Decoder,
    headers: HeaderMap,
    events: PhantomData<fn() -> R>,
}

impl<R: DeserializeOwned> Receiver<R> {
    /// The next event from the server; `None` once the connection has ended.
    pub async fn recv(&mut self) -> Option<Result<R, Error>> {
        self.next().await
    }
}

impl<R> Receiver<R> {
    /// The `x-request-id` of the handshake answer.
    pub fn request_id(&self) -> Option<&str> {
        self.decoder.request_id.as_deref()
    }

    /// The headers of the handshake answer.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// As [`Connection::decode_warnings`].
    pub fn decode_warnings(&self) -> &[String] {
        &self.decoder.warnings
    }
}

impl<R: DeserializeOwned> Stream for Receiver<R> {
    type Item = Result<R, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        this.decoder.poll(&mut this.stream, cx)
    }
}

impl<R> fmt::Debug for Receiver<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("request_id", &self.decoder.request_id)
            .field("finished", &self.decoder.finished)
            .finish_non_exhaustive()
    }
}

fn encode<S: Serialize>(event: &S) -> Result<Message, Error> {
    let text = serde_json::to_string(event).map_err(|e| Error::InvalidRequest {
        message: "cannot serialise the event".to_owned(),
        source: Some(Box::new(e)),
    })?;
    Ok(Message::text(text))
}

fn send_error(error: WsError) -> Error {
    let message = match error {
        WsError::ConnectionClosed | WsError::AlreadyClosed => "the connection is closed",
        _ => "cannot send on the WebSocket connection",
    };
    Error::WebSocket {
        message: message.to_owned(),
        close_code: None,
        source: Some(Box::new(error)),
    }
}

/// Turns received messages into events; shared by [`Connection`] and [`Receiver`].
struct Decoder {
    request_id: Option<String>,
    strict: bool,
    limit: usize,
    warnings: Vec<String>,
    /// Set once the connection has ended: every later poll is `None`.
    finished: bool,
}

impl Decoder {
    fn poll<R, St>(
        &mut self,
        socket: &mut St,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<R, Error>>>
    where
        R: DeserializeOwned,
        St: Stream<Item = Result<Message, WsError>> + Unpin,
    {
        loop {
            if self.finished {
                return Poll::Ready(None);
            }
            let item = ready!(socket.poll_next_unpin(cx));
            if let Some(event) = self.on_message(item) {
                return Poll::Ready(event);
            }
        }
    }

    /// What one read means: an event or error (`Some(Some(_))`), the end
    /// (`Some(None)`), or nothing for the caller (`None`: control frames).
    fn on_message<R: DeserializeOwned>(
        &mut self,
        item: Option<Result<Message, WsError>>,
    ) -> Option<Option<Result<R, Error>>> {
        let message = match item {
            None | Some(Err(WsError::ConnectionClosed | WsError::AlreadyClosed)) => {
                self.finished = true;
                return Some(None);
            }
            Some(Err(error)) => {
                self.finished = true;
                return Some(Some(Err(self.read_error(error))));
            }
            Some(Ok(message)) => message,
        };
        match message {
            Message::Text(text) => Some(Some(self.decode(text.as_bytes()))),
            Message::Binary(bytes) => Some(Some(self.decode(&bytes))),
            Message::Close(frame) => {
                self.finished = true;
                let code = frame.as_ref().map(|f| f.code);
                match code {
                    None | Some(CloseCode::Normal | CloseCode::Away) => Some(None),
                    Some(code) => {
                        let reason = frame.as_ref().map(|f| f.reason.as_str()).unwrap_or("");
                        let mut message =
                            format!("the server closed the connection with code {code}");
                        if !reason.is_empty() {
                            message.push_str(&format!(": {reason}"));
                        }
                        Some(Some(Err(Error::WebSocket {
                            message,
                            close_code: Some(code.into()),
                            source: None,
                        })))
                    }
                }
            }
            // Pings are answered by tungstenite itself on the next read or write.
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => None,
        }
    }

    fn read_error(&self, error: WsError) -> Error {
        let message = match &error {
            WsError::Capacity(_) => format!(
                "a message from the server is larger than the {}-byte limit",
                self.limit
            ),
            WsError::Protocol(
                tokio_tungstenite::tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
            ) => "the connection ended without a close frame".to_owned(),
            _ => "the WebSocket connection failed".to_owned(),
        };
        Error::WebSocket {
            message,
            close_code: None,
            source: Some(Box::new(error) as BoxError),
        }
    }

    fn decode<R: DeserializeOwned>(&mut self, data: &[u8]) -> Result<R, Error> {
        let decode = || super::de::from_slice::<R>(data);
        let decoded = if self.strict {
            super::de::strict(decode)
        } else {
            let (decoded, fills) = super::de::collect_fills(decode);
            let room = MAX_DECODE_WARNINGS.saturating_sub(self.warnings.len());
            self.warnings.extend(fills.into_iter().take(room));
            decoded
        };
        decoded.map_err(|source| Error::Decode {
            status: StatusCode::SWITCHING_PROTOCOLS,
            request_id: self.request_id.clone(),
            message: format!(
                "a WebSocket message does not match the expected event type: {source}"
            ),
            body_excerpt: excerpt(data),
            body: Bytes::copy_from_slice(data),
            source: Some(source),
        })
    }
}

/// Opening the connection, with TLS for `wss://` as the features say.
mod tls {
    use super::Socket;
    use tokio_tungstenite::tungstenite::handshake::client::{Request, Response};
    use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
    use tokio_tungstenite::tungstenite::Error as WsError;

    /// rustls as reqwest builds it: the process's default crypto provider or
    /// aws-lc-rs, and the platform's certificate verifier (built once).
    #[cfg(feature = "rustls")]
    pub(super) async fn open(
        request: Request,
        config: WebSocketConfig,
    ) -> Result<(Socket, Response), WsError> {
        use std::sync::{Arc, OnceLock};
        use tokio_tungstenite::tungstenite::error::TlsError;
        static TLS: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
        let tls = match TLS.get() {
            Some(tls) => Arc::clone(tls),
            None => {
                let tls_error = |e: rustls::Error| WsError::Tls(TlsError::Rustls(Box::new(e)));
                let provider = rustls::crypto::CryptoProvider::get_default()
                    .cloned()
                    .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
                let verifier = rustls_platform_verifier::Verifier::new(Arc::clone(&provider))
                    .map_err(tls_error)?;
                let tls = rustls::ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .map_err(tls_error)?
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(verifier))
                    .with_no_client_auth();
                Arc::clone(TLS.get_or_init(|| Arc::new(tls)))
            }
        };
        let connector = tokio_tungstenite::Connector::Rustls(tls);
        tokio_tungstenite::connect_async_tls_with_config(
            request,
            Some(config),
            true,
            Some(connector),
        )
        .await
    }

    /// native-tls: tokio-tungstenite's default connector.
    #[cfg(all(feature = "native-tls", not(feature = "rustls")))]
    pub(super) async fn open(
        request: Request,
        config: WebSocketConfig,
    ) -> Result<(Socket, Response), WsError> {
        tokio_tungstenite::connect_async_tls_with_config(request, Some(config), true, None).await
    }

    /// No TLS feature: `ws://` only (`wss://` fails with tungstenite's
    /// "TLS support not compiled in").
    #[cfg(not(any(feature = "rustls", feature = "native-tls")))]
    pub(super) async fn open(
        request: Request,
        config: WebSocketConfig,
    ) -> Result<(Socket, Response), WsError> {
        tokio_tungstenite::connect_async_with_config(request, Some(config), true).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_take_a_websocket_scheme() {
        let url = |s: &str| Url::parse(s).unwrap();
        let ws = websocket_url(
            url("http://127.0.0.1:9/v1/realtime?model=m"),
            None,
            "/realtime",
        );
        assert_eq!(ws.unwrap().as_str(), "ws://127.0.0.1:9/v1/realtime?model=m");
        let wss = websocket_url(
            url("https://api.openai.com/v1/realtime?model=m"),
            None,
            "/realtime",
        );
        assert_eq!(
            wss.unwrap().as_str(),
            "wss://api.openai.com/v1/realtime?model=m"
        );
        let custom = websocket_url(
            url("https://api.openai.com/v1/realtime?model=m&x=1"),
            Some("wss://gateway.example/ws/"),
            "/realtime",
        );
        assert_eq!(
            custom.unwrap().as_str(),
            "wss://gateway.example/ws/realtime?model=m&x=1"
        );
        let secret = websocket_url(
            url("https://a/v1/realtime"),
            Some("wss://u:pw-SECRET@gateway.example"),
            "/realtime",
        )
        .unwrap_err();
        assert!(!secret.to_string().contains("SECRET"), "{secret}");
        let ftp = websocket_url(url("https://a/v1/realtime"), Some("ftp://x"), "/realtime");
        assert!(ftp.unwrap_err().to_string().contains("ftp"));
    }
}
