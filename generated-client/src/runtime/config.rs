//! Client configuration: the builder, environment defaults, and the settled
//! configuration shared by all clones of a client.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, USER_AGENT};

use super::azure::{AzureConfig, AzureCredential, TokenProvider};
use super::endpoint::{check_base_url, AzureRoute, BaseUrl, Endpoint};
use super::error::{config_error, Error};
use super::redact::{self, redact_userinfo, RedactedHeaderMap, RedactedHeaders, REDACTED};
use super::redirect::RedirectPolicy;
use super::retry::{tokio_sleeper, Sleeper};
use super::webhooks::ENV_WEBHOOK_SECRET;

/// Base URL when neither the builder nor `OPENAI_BASE_URL` sets one.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// Default limit for establishing a connection (openai-python's `connect=5.0`).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default limit for a request (openai-python's 600 s; see [`ClientBuilder::timeout`]).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default cap on a buffered (JSON) response body.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 << 20;
/// Default cap on one server-sent event.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 16 << 20;
/// How much of an error body is read to find the error object.
pub(crate) const MAX_ERROR_BODY_BYTES: usize = 1 << 20;

const ENV_API_KEY: &str = "OPENAI_API_KEY";
const ENV_BASE_URL: &str = "OPENAI_BASE_URL";
const ENV_ORGANIZATION: &str = "OPENAI_ORG_ID";
const ENV_PROJECT: &str = "OPENAI_PROJECT_ID";

// A fixed product name: the runtime is also mounted in crates generated from other specs.
const USER_AGENT_VALUE: &str = concat!("openai-client/", env!("CARGO_PKG_VERSION"));

/// Configures and builds a [`Client`](super::Client).
///
/// Settings not given fall back to the environment (`OPENAI_API_KEY`,
/// `OPENAI_BASE_URL`, `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID`; for Azure see
/// [`AzureConfig`]), read by [`build`](Self::build), then to the documented
/// defaults.
#[derive(Clone)]
pub struct ClientBuilder {
    api_key: Option<String>,
    base_url: Option<String>,
    organization: Option<String>,
    project: Option<String>,
    default_headers: Vec<(String, String)>,
    default_query: Vec<(String, String)>,
    sensitive_headers: Vec<String>,
    azure: Option<AzureConfig>,
    redirect_policy: RedirectPolicy,
    http_client: Option<reqwest::Client>,
    connect_timeout: Duration,
    timeout: Duration,
    read_timeout: Option<Duration>,
    stream_timeout: Option<Duration>,
    max_retries: u32,
    strict_decoding: bool,
    max_response_bytes: usize,
    max_event_bytes: usize,
    sleeper: Option<Sleeper>,
    webhook_secret: Option<String>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            base_url: None,
            organization: None,
            project: None,
            default_headers: Vec::new(),
            default_query: Vec::new(),
            sensitive_headers: Vec::new(),
            azure: None,
            redirect_policy: RedirectPolicy::default(),
            http_client: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            read_timeout: None,
            stream_timeout: None,
            max_retries: DEFAULT_MAX_RETRIES,
            strict_decoding: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_event_bytes: DEFAULT_MAX_EVENT_BYTES,
            sleeper: None,
            webhook_secret: None,
        }
    }
}

impl ClientBuilder {
    /// A builder with defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The API key, sent as `Authorization: Bearer <key>` (default: `OPENAI_API_KEY`).
    pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// The URL every request path is appended to, base path included
    /// (default: `OPENAI_BASE_URL`, else [`DEFAULT_BASE_URL`]), e.g.
    /// `http://localhost:8000/v1` for a vLLM or Ollama server.
    ///
    /// A `user:password@` part is refused with [`Error::Config`] when the
    /// client is built: credentials go in [`api_key`](Self::api_key) or a
    /// [`default_header`](Self::default_header), never in a URL that ends up
    /// in logs.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Sent as `OpenAI-Organization` (default: `OPENAI_ORG_ID`).
    pub fn organization(mut self, organization: impl Into<String>) -> Self {
        self.organization = Some(organization.into());
        self
    }

    /// Sent as `OpenAI-Project` (default: `OPENAI_PROJECT_ID`).
    pub fn project(mut self, project: impl Into<String>) -> Self {
        self.project = Some(project.into());
        self
    }

    /// A header sent with every request (replaces the client's own of the same name).
    ///
    /// A header whose name contains `auth`, `key`, `token`, `secret`,
    /// `cookie` or `password` is treated as a credential: hidden in `Debug`
    /// and dropped on redirects to another origin. Mark others with
    /// [`sensitive_header`](Self::sensitive_header).
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// A query parameter sent with every request, unless the request sets a
    /// parameter of the same name itself, e.g. a gateway's routing key or a
    /// compatible server's option. Values of names that look like
    /// credentials (see [`default_header`](Self::default_header)) are hidden
    /// in `Debug` and in connection errors.
    pub fn default_query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_query.push((name.into(), value.into()));
        self
    }

    /// Treats the header `name` as a credential wherever it comes from (a
    /// default header or [`RequestOptions`](super::RequestOptions)): its
    /// value is hidden in `Debug` and HTTP/2 header compression, and it is
    /// dropped when a redirect leaves the origin (see [`RedirectPolicy`]).
    pub fn sensitive_header(mut self, name: impl Into<String>) -> Self {
        self.sensitive_headers.push(name.into());
        self
    }

    /// Sends requests to Azure OpenAI as configured by `azure` (see
    /// [`AzureConfig`]). The OpenAI settings [`api_key`](Self::api_key) and
    /// [`base_url`](Self::base_url) cannot be combined with it, and
    /// `OPENAI_API_KEY` and `OPENAI_BASE_URL` are not read; everything else
    /// (headers, query, timeouts, retries) applies as usual.
    pub fn azure(mut self, azure: AzureConfig) -> Self {
        self.azure = Some(azure);
        self
    }

    /// What to do with redirects (default: [`RedirectPolicy::StripCredentials`]).
    pub fn redirect_policy(mut self, policy: RedirectPolicy) -> Self {
        self.redirect_policy = policy;
        self
    }

    /// Sends requests with this `reqwest` client (proxies, TLS settings, ...).
    /// Its own timeouts apply in addition to this client's; the connect
    /// timeout set here is not applied to it.
    ///
    /// Build it with `.redirect(reqwest::redirect::Policy::none())`: this
    /// client follows redirects itself, under its [`RedirectPolicy`]. A
    /// `reqwest` client that follows redirects on its own does so before this
    /// client sees them, dropping only `Authorization` and `Cookie` when the
    /// host changes.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Limit for establishing a connection (default 5 s, as openai-python).
    /// Not applied to a client given with [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Limit for one attempt of a request (default 600 s, openai-python's
    /// default). Each retry gets the whole limit again.
    ///
    /// Three limits bound a request; whichever passes first ends the attempt
    /// with [`Error::Timeout`], whose `kind` names it:
    ///
    /// | limit | buffered response (JSON, empty) | streamed response (events, download) |
    /// |---|---|---|
    /// | `timeout` | connecting, sending, headers **and the whole body** | connecting, sending and the headers |
    /// | [`read_timeout`](Self::read_timeout) | each wait for more body bytes | each wait for more body bytes (keep-alive comments count as bytes) |
    /// | [`stream_timeout`](Self::stream_timeout) | not used | connecting through the last byte of the body (default: none) |
    ///
    /// [`connect_timeout`](Self::connect_timeout) bounds the connection
    /// inside all of them. openai-python's 600 s is a limit on each read
    /// (and on connecting, writing and waiting for a pooled connection), with
    /// no limit on the whole; here a buffered body also has the whole-body
    /// limit, so a server that trickles bytes cannot hold a call for ever.
    /// Timeouts before a streamed body starts are retried like any other;
    /// once events flow, a timeout ends the stream as its last item.
    /// Per request: [`RequestOptions::timeout`](super::RequestOptions::timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Limit on each wait for more bytes of a response body, buffered or
    /// streamed (default: the [`timeout`](Self::timeout), so a stream may
    /// pause for as long as a request may take). A server that stalls half
    /// way through a body fails after this long rather than at the end of
    /// the whole-request limit. Per request:
    /// [`RequestOptions::read_timeout`](super::RequestOptions::read_timeout).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Limit on the whole duration of a streamed response (server-sent
    /// events, downloads), from the start of the attempt to its last byte
    /// (default: none, as openai-python). A server that keeps a stream alive
    /// with `: ping` comments never trips the [`read_timeout`](Self::read_timeout);
    /// this one ends such a stream. Per request:
    /// [`RequestOptions::stream_timeout`](super::RequestOptions::stream_timeout).
    pub fn stream_timeout(mut self, timeout: Duration) -> Self {
        self.stream_timeout = Some(timeout);
        self
    }

    /// Retries after a failed attempt (default 2).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// Decodes responses exactly as the spec says (default off): a required
    /// field the server leaves out or sends as `null` is an [`Error::Decode`]
    /// instead of being read as its empty value and reported in
    /// [`Response::decode_warnings`](crate::runtime::Response::decode_warnings).
    /// For tests that hold a server to the spec.
    pub fn strict_decoding(mut self, strict: bool) -> Self {
        self.strict_decoding = strict;
        self
    }

    /// Largest JSON response body accepted (default 64 MiB); larger ones are an [`Error::Decode`].
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Largest server-sent event accepted (default 16 MiB); larger ones are an [`Error::Stream`].
    pub fn max_event_bytes(mut self, limit: usize) -> Self {
        self.max_event_bytes = limit;
        self
    }

    /// The secret webhook deliveries are signed with (`whsec_...`), used by
    /// `Client::webhooks()` (default: `OPENAI_WEBHOOK_SECRET`). Hidden in `Debug`.
    pub fn webhook_secret(mut self, secret: impl Into<String>) -> Self {
        self.webhook_secret = Some(secret.into());
        self
    }

    /// Replaces how the client waits between retries (default: `tokio::time::sleep`),
    /// e.g. to record the waits in tests instead of sleeping.
    pub fn sleeper<F, Fut>(mut self, sleep: F) -> Self
    where
        F: Fn(Duration) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.sleeper = Some(Arc::new(move |delay| Box::pin(sleep(delay))));
        self
    }

    /// The settled configuration of a client (what `build`, beside
    /// [`Client`](super::Client), makes one from), with the environment read
    /// through `env_var`, so tests need not touch the real one.
    pub(crate) fn settle(self, env_var: &dyn Fn(&str) -> Option<String>) -> Result<Config, Error> {
        // An empty variable is as good as none.
        let env = |name: &str| env_var(name).filter(|value| !value.is_empty());
        let sensitive = self
            .sensitive_headers
            .iter()
            .map(|name| {
                HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| config_error(format!("invalid header name `{name}`")))
            })
            .collect::<Result<Vec<_>, _>>()?;

        let mut headers = HeaderMap::new();
        let mut default_query = self.default_query;
        let mut token_provider: Option<TokenProvider> = None;
        let endpoint = match self.azure {
            Some(azure) => {
                if self.api_key.is_some() {
                    return Err(config_error(
                        "ClientBuilder::api_key is the OpenAI key; for Azure OpenAI set AzureConfig::api_key",
                    ));
                }
                if self.base_url.is_some() {
                    return Err(config_error(
                        "ClientBuilder::base_url and AzureConfig are mutually exclusive; set AzureConfig::endpoint",
                    ));
                }
                let azure = azure.resolve(&env)?;
                match azure.credential {
                    AzureCredential::ApiKey(key) => {
                        headers.insert("api-key", secret_value(&key, "the Azure API key")?);
                    }
                    AzureCredential::AdToken(token) => {
                        let value = secret_value(&format!("Bearer {token}"), "the Azure AD token")?;
                        headers.insert(AUTHORIZATION, value);
                    }
                    AzureCredential::Provider(provider) => token_provider = Some(provider),
                }
                // The configured version wins over a default of the same name.
                default_query.retain(|(name, _)| name != "api-version");
                default_query.insert(0, ("api-version".to_owned(), azure.api_version));
                Endpoint {
                    base_url: parsed_base_url(azure.base_url)?,
                    default_query,
                    azure: Some(AzureRoute {
                        openai_url: parsed_base_url(azure.openai_url)?,
                        has_deployment: azure.has_deployment,
                    }),
                }
            }
            None => {
                let api_key = self
                    .api_key
                    .or_else(|| env(ENV_API_KEY))
                    .filter(|key| !key.is_empty())
                    .ok_or_else(|| {
                        config_error(format!(
                            "no API key: call ClientBuilder::api_key or set the {ENV_API_KEY} environment variable"
                        ))
                    })?;
                let base_url = self
                    .base_url
                    .or_else(|| env(ENV_BASE_URL))
                    .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
                headers.insert(
                    AUTHORIZATION,
                    secret_value(&format!("Bearer {api_key}"), "the API key")?,
                );
                Endpoint {
                    base_url: check_base_url("base URL", &base_url)?,
                    default_query,
                    azure: None,
                }
            }
        };

        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
        let webhook_secret = self
            .webhook_secret
            .or_else(|| env(ENV_WEBHOOK_SECRET))
            .filter(|secret| !secret.is_empty());
        let organization = self.organization.or_else(|| env(ENV_ORGANIZATION));
        let project = self.project.or_else(|| env(ENV_PROJECT));
        let extra = [
            ("OpenAI-Organization", organization),
            ("OpenAI-Project", project),
        ];
        let extra = extra
            .into_iter()
            .filter_map(|(name, value)| Some((name.to_owned(), value?)));
        for (name, value) in extra.chain(self.default_headers) {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| config_error(format!("invalid header name `{name}`")))?;
            let mut value = HeaderValue::from_str(&value)
                .map_err(|_| config_error(format!("invalid value for header `{name}`")))?;
            if redact::is_sensitive(header.as_str()) || sensitive.contains(&header) {
                value.set_sensitive(true);
            }
            headers.insert(header, value);
        }

        let http = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                // Redirects are followed by the client, under its RedirectPolicy.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| config_error(format!("cannot create the HTTP client: {e}")))?,
        };
        Ok(Config {
            http,
            endpoint,
            headers,
            sensitive,
            token_provider,
            redirect_policy: self.redirect_policy,
            timeout: self.timeout,
            read_timeout: self.read_timeout,
            stream_timeout: self.stream_timeout,
            max_retries: self.max_retries,
            strict_decoding: self.strict_decoding,
            max_response_bytes: self.max_response_bytes,
            max_event_bytes: self.max_event_bytes,
            sleeper: self.sleeper.unwrap_or_else(tokio_sleeper),
            webhook_secret,
        })
    }
}

/// A credential header value, marked sensitive (hidden from `Debug`, not
/// indexed by HTTP/2 header compression, dropped on cross-origin redirects).
/// The value is never part of the error.
fn secret_value(value: &str, what: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        config_error(format!(
            "{what} contains characters not allowed in an HTTP header"
        ))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// A URL made from a base URL [`check_base_url`] passed (Azure's
/// `{endpoint}/openai`), parsed once for every request.
fn parsed_base_url(checked: String) -> Result<BaseUrl, Error> {
    BaseUrl::new(checked).map_err(|e| config_error(format!("invalid base URL: {e}")))
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| REDACTED))
            .field("base_url", &self.base_url.as_deref().map(redact_userinfo))
            .field("organization", &self.organization)
            .field("project", &self.project)
            .field(
                "default_headers",
                &RedactedHeaders::new(&self.default_headers).with_extra(&self.sensitive_headers),
            )
            .field("default_query", &RedactedHeaders::new(&self.default_query))
            .field("sensitive_headers", &self.sensitive_headers)
            .field("azure", &self.azure)
            .field("redirect_policy", &self.redirect_policy)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("read_timeout", &self.read_timeout)
            .field("stream_timeout", &self.stream_timeout)
            .field("max_retries", &self.max_retries)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| REDACTED),
            )
            .finish_non_exhaustive()
    }
}

/// The settled configuration, shared (behind an `Arc`) by clones of a client.
pub(crate) struct Config {
    pub(crate) http: reqwest::Client,
    /// Base URL, default query and Azure routing.
    pub(crate) endpoint: Endpoint,
    /// Authorization (or `api-key`), User-Agent, organization/project and
    /// default headers; credentials marked sensitive.
    pub(crate) headers: HeaderMap,
    /// Header names the user marked as credentials.
    pub(crate) sensitive: Vec<HeaderName>,
    /// Asked for a bearer token before each attempt (Azure AD).
    pub(crate) token_provider: Option<TokenProvider>,
    pub(crate) redirect_policy: RedirectPolicy,
    pub(crate) timeout: Duration,
    /// `None`: the request's `timeout`.
    pub(crate) read_timeout: Option<Duration>,
    /// `None`: streams may last any time.
    pub(crate) stream_timeout: Option<Duration>,
    pub(crate) max_retries: u32,
    pub(crate) strict_decoding: bool,
    pub(crate) max_response_bytes: usize,
    pub(crate) max_event_bytes: usize,
    pub(crate) sleeper: Sleeper,
    /// For `Client::webhooks()`; never shown in `Debug`.
    pub(crate) webhook_secret: Option<String>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("endpoint", &self.endpoint)
            .field("headers", &RedactedHeaderMap(&self.headers))
            .field("sensitive", &self.sensitive)
            .field(
                "token_provider",
                &self.token_provider.as_ref().map(|_| "<fn>"),
            )
            .field("redirect_policy", &self.redirect_policy)
            .field("timeout", &self.timeout)
            .field("read_timeout", &self.read_timeout)
            .field("stream_timeout", &self.stream_timeout)
            .field("max_retries", &self.max_retries)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_event_bytes", &self.max_event_bytes)
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| REDACTED),
            )
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-test-SECRET-0123456789";

    #[test]
    fn api_key_is_redacted_everywhere() {
        let builder = ClientBuilder::new()
            .api_key(KEY)
            .base_url("http://127.0.0.1:1/v1");
        assert!(!format!("{builder:?}").contains(KEY));
        let client = builder.build().unwrap();
        let debug = format!("{client:?}");
        assert!(!debug.contains(KEY), "{debug}");
        assert!(!debug.contains("SECRET"), "{debug}");
        assert!(debug.contains("[redacted]"), "{debug}");
        assert!(!format!("{client:#?}").contains(KEY));
    }

    #[test]
    fn invalid_key_error_does_not_echo_it() {
        let err = ClientBuilder::new()
            .api_key("sk-bad\nkey-SECRET")
            .base_url("http://127.0.0.1:1")
            .build()
            .unwrap_err();
        assert!(!err.to_string().contains("SECRET"), "{err}");
        assert!(!format!("{err:?}").contains("SECRET"), "{err:?}");
    }

    fn fake_env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    #[test]
    fn missing_api_key_is_a_clear_error() {
        for vars in [&[][..], &[("OPENAI_API_KEY", "")][..]] {
            let err = ClientBuilder::new().settle(&fake_env(vars)).unwrap_err();
            assert!(matches!(err, Error::Config { .. }));
            assert!(err.to_string().contains("OPENAI_API_KEY"), "{err}");
        }
    }

    #[test]
    fn settings_come_from_the_environment() {
        let env = fake_env(&[
            ("OPENAI_API_KEY", KEY),
            ("OPENAI_BASE_URL", "http://127.0.0.1:9/custom/v1/"),
            ("OPENAI_ORG_ID", "org-env"),
            ("OPENAI_PROJECT_ID", "proj-env"),
        ]);
        let config = ClientBuilder::new().settle(&env).unwrap();
        assert_eq!(
            config.endpoint.base_url.as_str(),
            "http://127.0.0.1:9/custom/v1"
        );
        assert_eq!(config.headers["openai-organization"], "org-env");
        assert_eq!(config.headers["openai-project"], "proj-env");
        assert_eq!(config.timeout, DEFAULT_TIMEOUT);
        assert_eq!(config.max_retries, DEFAULT_MAX_RETRIES);
        assert_eq!(config.webhook_secret, None);

        // Explicit settings win over the environment.
        let config = ClientBuilder::new()
            .base_url("http://127.0.0.1:9")
            .organization("org-explicit")
            .settle(&env)
            .unwrap();
        assert_eq!(config.endpoint.base_url.as_str(), "http://127.0.0.1:9");
        assert_eq!(config.headers["openai-organization"], "org-explicit");

        let config = ClientBuilder::new()
            .settle(&fake_env(&[("OPENAI_API_KEY", KEY)]))
            .unwrap();
        assert_eq!(config.endpoint.base_url.as_str(), DEFAULT_BASE_URL);
    }

    #[test]
    fn webhook_secret_from_builder_or_environment_and_hidden() {
        let env = fake_env(&[
            ("OPENAI_API_KEY", KEY),
            ("OPENAI_WEBHOOK_SECRET", "whsec_ENV-SECRET"),
        ]);
        let config = ClientBuilder::new().settle(&env).unwrap();
        assert_eq!(config.webhook_secret.as_deref(), Some("whsec_ENV-SECRET"));
        let builder = ClientBuilder::new().webhook_secret("whsec_OWN-SECRET");
        assert!(!format!("{builder:?}").contains("SECRET"));
        let config = builder.settle(&env).unwrap();
        assert_eq!(config.webhook_secret.as_deref(), Some("whsec_OWN-SECRET"));
        assert!(!format!("{config:?}").contains("OWN-SECRET"));
        let empty = fake_env(&[("OPENAI_API_KEY", KEY), ("OPENAI_WEBHOOK_SECRET", "")]);
        let config = ClientBuilder::new().settle(&empty).unwrap();
        assert_eq!(config.webhook_secret, None);
    }

    #[test]
    fn base_url_credentials_are_refused_and_never_echoed() {
        for url in [
            "https://user:pa55-SECRET@api.example.com/v1",
            "https://tok-SECRET@api.example.com/v1",
        ] {
            let builder = ClientBuilder::new().api_key(KEY).base_url(url);
            let debug = format!("{builder:?}");
            assert!(!debug.contains("SECRET"), "{debug}");
            let err = builder.build().unwrap_err();
            assert!(matches!(err, Error::Config { .. }));
            let text = format!("{err} {err:?}");
            assert!(!text.contains("SECRET"), "{text}");
            assert!(text.contains("must not contain credentials"), "{text}");
            assert!(text.contains("[redacted]@api.example.com"), "{text}");
        }
        let err = ClientBuilder::new()
            .api_key(KEY)
            .base_url("ftp://u:p-SECRET@x")
            .build()
            .unwrap_err();
        assert!(!err.to_string().contains("SECRET"), "{err}");
    }

    #[test]
    fn sensitive_headers_are_marked_and_redacted() {
        let builder = ClientBuilder::new()
            .api_key(KEY)
            .base_url("http://127.0.0.1:1")
            .default_header("X-Tenant", "tenant-SECRET")
            .default_header("X-Gateway-Token", "gw-SECRET")
            .default_header("X-Team", "visible")
            .default_query("subscription-key", "q-SECRET")
            .sensitive_header("x-tenant");
        assert!(!format!("{builder:?}").contains("SECRET"));
        let client = builder.build().unwrap();
        let headers = &client.config().headers;
        assert!(headers["x-tenant"].is_sensitive());
        assert!(headers["x-gateway-token"].is_sensitive());
        assert!(!headers["x-team"].is_sensitive());
        let debug = format!("{client:?}");
        assert!(!debug.contains("SECRET"), "{debug}");
        assert!(debug.contains("visible"), "{debug}");
        let err = ClientBuilder::new()
            .api_key(KEY)
            .sensitive_header("bad header")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("bad header"), "{err}");
    }

    const AZURE_ENV: &[(&str, &str)] = &[
        ("AZURE_OPENAI_ENDPOINT", "https://r.openai.azure.com"),
        ("OPENAI_API_VERSION", "2024-10-21"),
        ("AZURE_OPENAI_API_KEY", "azure-SECRET"),
        ("OPENAI_API_KEY", KEY),
        ("OPENAI_BASE_URL", "https://ignored.example/v1"),
    ];

    #[test]
    fn azure_client_from_the_environment() {
        let config = ClientBuilder::new()
            .azure(AzureConfig::new())
            .default_query("api-version", "overridden")
            .default_query("x", "1")
            .settle(&fake_env(AZURE_ENV))
            .unwrap();
        assert_eq!(
            config.endpoint.base_url.as_str(),
            "https://r.openai.azure.com/openai"
        );
        assert_eq!(
            config.endpoint.default_query,
            [
                ("api-version".to_owned(), "2024-10-21".to_owned()),
                ("x".to_owned(), "1".to_owned())
            ]
        );
        assert_eq!(config.headers["api-key"], "azure-SECRET");
        assert!(config.headers["api-key"].is_sensitive());
        assert!(config.headers.get(AUTHORIZATION).is_none());
        assert!(!format!("{config:?}").contains("SECRET"));
    }

    #[test]
    fn azure_refuses_openai_settings() {
        for builder in [
            ClientBuilder::new().api_key(KEY),
            ClientBuilder::new().base_url("https://x/v1"),
        ] {
            let err = builder
                .azure(AzureConfig::new())
                .settle(&fake_env(AZURE_ENV))
                .unwrap_err();
            assert!(err.to_string().contains("AzureConfig"), "{err}");
            assert!(!err.to_string().contains(KEY), "{err}");
        }
    }

    #[test]
    fn user_agent_names_product_and_version() {
        let (product, version) = USER_AGENT_VALUE.split_once('/').unwrap();
        assert_eq!(product, "openai-client");
        assert!(
            version.split('.').count() == 3 && version.split('.').all(|n| n.parse::<u32>().is_ok()),
            "{version}"
        );
    }

    #[test]
    fn headers_include_auth_org_project_and_defaults() {
        let client = ClientBuilder::new()
            .api_key(KEY)
            .base_url("http://127.0.0.1:1")
            .organization("org-1")
            .project("proj-1")
            .default_header("X-Custom", "yes")
            .build()
            .unwrap();
        let headers = &client.config().headers;
        assert_eq!(headers[AUTHORIZATION], format!("Bearer {KEY}").as_str());
        assert!(headers[AUTHORIZATION].is_sensitive());
        assert_eq!(headers["openai-organization"], "org-1");
        assert_eq!(headers["openai-project"], "proj-1");
        assert_eq!(headers["x-custom"], "yes");
    }
}
