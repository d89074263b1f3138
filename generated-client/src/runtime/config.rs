//! Client configuration: the builder, environment defaults, and the settled
//! configuration shared by all clones of a client.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, USER_AGENT};

use super::client::Client;
use super::error::Error;
use super::redact::{RedactedHeaderMap, RedactedHeaders};
use super::retry::{tokio_sleeper, Sleeper};

/// Base URL when neither the builder nor `OPENAI_BASE_URL` sets one.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// Default limit for establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default limit for a whole request (see [`RequestOptions::timeout`](super::RequestOptions::timeout)).
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

/// Configures and builds a [`Client`].
///
/// Settings not given fall back to the environment (`OPENAI_API_KEY`,
/// `OPENAI_BASE_URL`, `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID`), read by
/// [`build`](Self::build), then to the documented defaults.
#[derive(Clone)]
pub struct ClientBuilder {
    api_key: Option<String>,
    base_url: Option<String>,
    organization: Option<String>,
    project: Option<String>,
    default_headers: Vec<(String, String)>,
    http_client: Option<reqwest::Client>,
    connect_timeout: Duration,
    timeout: Duration,
    max_retries: u32,
    max_response_bytes: usize,
    max_event_bytes: usize,
    sleeper: Option<Sleeper>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            base_url: None,
            organization: None,
            project: None,
            default_headers: Vec::new(),
            http_client: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_event_bytes: DEFAULT_MAX_EVENT_BYTES,
            sleeper: None,
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
    /// (default: `OPENAI_BASE_URL`, else [`DEFAULT_BASE_URL`]).
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
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// Sends requests with this `reqwest` client (proxies, TLS settings, ...).
    /// Its own timeouts apply in addition to this client's; the connect
    /// timeout set here is not applied to it.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Limit for establishing a connection (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Limit for a request (default 600 s); see [`RequestOptions::timeout`](super::RequestOptions::timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retries after a failed attempt (default 2).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
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

    /// Builds the client.
    ///
    /// Fails with [`Error::Config`] when no API key is set or found in
    /// `OPENAI_API_KEY`, or when a setting is malformed.
    pub fn build(self) -> Result<Client, Error> {
        self.build_with_env(&|name| std::env::var(name).ok())
    }

    /// [`build`](Self::build) with the environment passed in, so tests need not touch the real one.
    fn build_with_env(self, env_var: &dyn Fn(&str) -> Option<String>) -> Result<Client, Error> {
        // An empty variable is as good as none.
        let env = |name: &str| env_var(name).filter(|value| !value.is_empty());
        let api_key = self.api_key.or_else(|| env(ENV_API_KEY)).filter(|key| !key.is_empty()).ok_or_else(|| {
            Error::Config {
                message: format!("no API key: call ClientBuilder::api_key or set the {ENV_API_KEY} environment variable"),
            }
        })?;
        let base_url = self
            .base_url
            .or_else(|| env(ENV_BASE_URL))
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let base_url = check_base_url(&base_url)?;

        let mut headers = HeaderMap::new();
        let mut auth = HeaderValue::from_str(&format!("Bearer {api_key}")).map_err(|_| {
            config_error("the API key contains characters not allowed in an HTTP header")
        })?;
        // Marks the value so HeaderMap's Debug, and HTTP/2 header compression, skip it.
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
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
            let value = HeaderValue::from_str(&value)
                .map_err(|_| config_error(format!("invalid value for header `{name}`")))?;
            headers.insert(header, value);
        }

        let http = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .build()
                .map_err(|e| config_error(format!("cannot create the HTTP client: {e}")))?,
        };
        Ok(Client::from_config(Config {
            http,
            base_url,
            headers,
            timeout: self.timeout,
            max_retries: self.max_retries,
            max_response_bytes: self.max_response_bytes,
            max_event_bytes: self.max_event_bytes,
            sleeper: self.sleeper.unwrap_or_else(tokio_sleeper),
        }))
    }
}

fn config_error(message: impl Into<String>) -> Error {
    Error::Config {
        message: message.into(),
    }
}

/// Validates the base URL and drops trailing slashes, since request paths start with one.
fn check_base_url(base_url: &str) -> Result<String, Error> {
    let trimmed = base_url.trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed)
        .map_err(|e| config_error(format!("invalid base URL `{base_url}`: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https")
        || parsed.query().is_some()
        || parsed.fragment().is_some()
    {
        return Err(config_error(format!(
            "base URL `{base_url}` must be http(s) without query or fragment"
        )));
    }
    Ok(trimmed.to_owned())
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("organization", &self.organization)
            .field("project", &self.project)
            .field("default_headers", &RedactedHeaders(&self.default_headers))
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .finish_non_exhaustive()
    }
}

/// The settled configuration, shared (behind an `Arc`) by clones of a client.
pub(crate) struct Config {
    pub(crate) http: reqwest::Client,
    /// Without trailing slash.
    pub(crate) base_url: String,
    /// Authorization, User-Agent, organization/project and default headers.
    pub(crate) headers: HeaderMap,
    pub(crate) timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) max_response_bytes: usize,
    pub(crate) max_event_bytes: usize,
    pub(crate) sleeper: Sleeper,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url)
            .field("headers", &RedactedHeaderMap(&self.headers))
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_event_bytes", &self.max_event_bytes)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-test-SECRET-0123456789";

    #[test]
    fn base_url_keeps_path_and_drops_trailing_slash() {
        assert_eq!(
            check_base_url("https://api.openai.com/v1/").unwrap(),
            "https://api.openai.com/v1"
        );
        assert_eq!(
            check_base_url("http://127.0.0.1:8080/proxy/v1").unwrap(),
            "http://127.0.0.1:8080/proxy/v1"
        );
        assert!(check_base_url("ftp://x").is_err());
        assert!(check_base_url("not a url").is_err());
        assert!(check_base_url("https://x/v1?a=b").is_err());
    }

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
            let err = ClientBuilder::new()
                .build_with_env(&fake_env(vars))
                .unwrap_err();
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
        let client = ClientBuilder::new().build_with_env(&env).unwrap();
        let config = client.config();
        assert_eq!(config.base_url, "http://127.0.0.1:9/custom/v1");
        assert_eq!(config.headers["openai-organization"], "org-env");
        assert_eq!(config.headers["openai-project"], "proj-env");
        assert_eq!(config.timeout, DEFAULT_TIMEOUT);
        assert_eq!(config.max_retries, DEFAULT_MAX_RETRIES);

        // Explicit settings win over the environment.
        let client = ClientBuilder::new()
            .base_url("http://127.0.0.1:9")
            .organization("org-explicit")
            .build_with_env(&env)
            .unwrap();
        assert_eq!(client.config().base_url, "http://127.0.0.1:9");
        assert_eq!(
            client.config().headers["openai-organization"],
            "org-explicit"
        );

        let client = ClientBuilder::new()
            .build_with_env(&fake_env(&[("OPENAI_API_KEY", KEY)]))
            .unwrap();
        assert_eq!(client.config().base_url, DEFAULT_BASE_URL);
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
