//! Azure OpenAI configuration: endpoint, deployment, API version and one
//! credential, with openai-python's `AzureOpenAI` environment variables.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::error::{config_error, BoxError, Error};
use super::path::{check_path, encode_path_segment};
use super::redact::{redact_userinfo, REDACTED};

pub(crate) const ENV_ENDPOINT: &str = "AZURE_OPENAI_ENDPOINT";
pub(crate) const ENV_API_KEY: &str = "AZURE_OPENAI_API_KEY";
pub(crate) const ENV_AD_TOKEN: &str = "AZURE_OPENAI_AD_TOKEN";
pub(crate) const ENV_API_VERSION: &str = "OPENAI_API_VERSION";

/// An async function returning a Microsoft Entra ID (Azure AD) access token.
pub(crate) type TokenProvider =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<String, BoxError>> + Send>> + Send + Sync>;

/// Azure OpenAI settings for [`ClientBuilder::azure`](super::ClientBuilder::azure).
///
/// What is not set here is read from the environment when the client is
/// built, as openai-python's `AzureOpenAI` reads it: the endpoint from
/// `AZURE_OPENAI_ENDPOINT`, the API version from `OPENAI_API_VERSION`, and,
/// when no credential is set here, `AZURE_OPENAI_AD_TOKEN` or else
/// `AZURE_OPENAI_API_KEY`.
///
/// Requests go to `{endpoint}/openai/deployments/{deployment}` for the
/// operations Azure serves per deployment (chat and text completions,
/// embeddings, audio, image generation and edits) and to `{endpoint}/openai`
/// for the others, with `api-version` in the query of every request. Without
/// a configured deployment the request's `model` names it.
///
/// ```no_run
/// use openai_client::runtime::AzureConfig;
/// use openai_client::Client;
///
/// # fn demo() -> Result<(), openai_client::Error> {
/// let client = Client::builder()
///     .azure(
///         AzureConfig::new()
///             .endpoint("https://my-resource.openai.azure.com")
///             .deployment("gpt-4o-prod")
///             .api_version("2024-10-21")
///             .ad_token_provider(|| async { Ok::<_, std::io::Error>(fetch_token().await) }),
///     )
///     .build()?;
/// # Ok(()) }
/// # async fn fetch_token() -> String { String::new() }
/// ```
#[derive(Clone, Default)]
pub struct AzureConfig {
    endpoint: Option<String>,
    deployment: Option<String>,
    api_version: Option<String>,
    api_key: Option<String>,
    ad_token: Option<String>,
    token_provider: Option<TokenProvider>,
}

impl AzureConfig {
    /// Nothing set: everything comes from the environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// The resource endpoint, e.g. `https://my-resource.openai.azure.com`
    /// (default: `AZURE_OPENAI_ENDPOINT`). `/openai` is appended.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The model deployment deployment-scoped operations go to. Without it,
    /// each request's `model` is taken as the deployment name.
    pub fn deployment(mut self, deployment: impl Into<String>) -> Self {
        self.deployment = Some(deployment.into());
        self
    }

    /// The `api-version` query parameter, e.g. `2024-10-21` (default: `OPENAI_API_VERSION`).
    pub fn api_version(mut self, api_version: impl Into<String>) -> Self {
        self.api_version = Some(api_version.into());
        self
    }

    /// Authenticates with this key, sent as the `api-key` header.
    pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// Authenticates with this fixed Microsoft Entra ID token, sent as
    /// `Authorization: Bearer <token>`.
    pub fn ad_token(mut self, token: impl Into<String>) -> Self {
        self.ad_token = Some(token.into());
        self
    }

    /// Authenticates with a token from `provider`, called before every
    /// attempt of every request (retries included), so it can hand out a
    /// cached token and refresh it when it nears expiry. The token is sent as
    /// `Authorization: Bearer <token>`.
    ///
    /// When the provider fails or returns an empty token, the call fails with
    /// [`Error::Auth`] and nothing is sent; that error is not retried. An
    /// `Authorization` header set through
    /// [`RequestOptions::header`](super::RequestOptions::header) replaces the
    /// provider's token, which is then not asked for.
    pub fn ad_token_provider<F, Fut, E>(mut self, provider: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        let provider = Arc::new(provider);
        self.token_provider = Some(Arc::new(move || {
            let token = provider();
            Box::pin(async move { token.await.map_err(Into::into) })
        }));
        self
    }

    /// Completes the settings from the environment and checks them.
    pub(crate) fn resolve(self, env: &dyn Fn(&str) -> Option<String>) -> Result<Azure, Error> {
        let given = |value: Option<String>| value.filter(|value| !value.is_empty());
        let (api_key, ad_token) = (given(self.api_key), given(self.ad_token));
        let explicit: Vec<&str> = [
            ("api_key", api_key.is_some()),
            ("ad_token", ad_token.is_some()),
            ("ad_token_provider", self.token_provider.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect();
        if explicit.len() > 1 {
            return Err(config_error(format!(
                "AzureConfig has {} credentials ({}); set exactly one of api_key, ad_token or ad_token_provider",
                explicit.len(),
                explicit.join(", ")
            )));
        }
        // An explicit credential wins; only without one is the environment
        // read, the AD token first (openai-python's precedence).
        let credential = if let Some(key) = api_key {
            Some(AzureCredential::ApiKey(key))
        } else if let Some(token) = ad_token {
            Some(AzureCredential::AdToken(token))
        } else if let Some(provider) = self.token_provider {
            Some(AzureCredential::Provider(provider))
        } else if let Some(token) = env(ENV_AD_TOKEN) {
            Some(AzureCredential::AdToken(token))
        } else {
            env(ENV_API_KEY).map(AzureCredential::ApiKey)
        };
        let endpoint = given(self.endpoint).or_else(|| env(ENV_ENDPOINT));
        let api_version = given(self.api_version).or_else(|| env(ENV_API_VERSION));

        let mut missing = Vec::new();
        if endpoint.is_none() {
            missing.push(format!(
                "no endpoint (AzureConfig::endpoint or {ENV_ENDPOINT})"
            ));
        }
        if api_version.is_none() {
            missing.push(format!(
                "no API version (AzureConfig::api_version or {ENV_API_VERSION})"
            ));
        }
        if credential.is_none() {
            missing.push(format!(
                "no credential (AzureConfig::api_key, ad_token or ad_token_provider, or {ENV_API_KEY} or {ENV_AD_TOKEN})"
            ));
        }
        let (Some(endpoint), Some(api_version), Some(credential)) =
            (endpoint, api_version, credential)
        else {
            return Err(config_error(format!(
                "incomplete Azure OpenAI configuration: {}",
                missing.join("; ")
            )));
        };

        let endpoint = super::endpoint::check_base_url("Azure endpoint", &endpoint)?;
        let openai_url = format!("{endpoint}/openai");
        let deployment = given(self.deployment);
        let base_url = match &deployment {
            Some(name) => {
                let segment = encode_path_segment(name);
                check_path(&format!("/{segment}"))
                    .map_err(|_| config_error(format!("invalid Azure deployment name `{name}`")))?;
                format!("{openai_url}/deployments/{segment}")
            }
            None => openai_url.clone(),
        };
        Ok(Azure {
            base_url,
            openai_url,
            has_deployment: deployment.is_some(),
            api_version,
            credential,
        })
    }
}

/// Azure settings after [`AzureConfig::resolve`].
pub(crate) struct Azure {
    pub(crate) base_url: String,
    pub(crate) openai_url: String,
    pub(crate) has_deployment: bool,
    pub(crate) api_version: String,
    pub(crate) credential: AzureCredential,
}

/// The one credential of an Azure client.
pub(crate) enum AzureCredential {
    /// `api-key: <key>`.
    ApiKey(String),
    /// `Authorization: Bearer <token>`, fixed.
    AdToken(String),
    /// `Authorization: Bearer <token>`, asked for before each attempt.
    Provider(TokenProvider),
}

impl fmt::Debug for AzureConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |value: &Option<String>| value.as_ref().map(|_| REDACTED);
        f.debug_struct("AzureConfig")
            .field("endpoint", &self.endpoint.as_deref().map(redact_userinfo))
            .field("deployment", &self.deployment)
            .field("api_version", &self.api_version)
            .field("api_key", &hidden(&self.api_key))
            .field("ad_token", &hidden(&self.ad_token))
            .field(
                "ad_token_provider",
                &self.token_provider.as_ref().map(|_| "<fn>"),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    const FULL_ENV: &[(&str, &str)] = &[
        ("AZURE_OPENAI_ENDPOINT", "https://env.openai.azure.com/"),
        ("OPENAI_API_VERSION", "2024-10-21"),
        ("AZURE_OPENAI_API_KEY", "env-key"),
    ];

    #[test]
    fn everything_from_the_environment() {
        let azure = AzureConfig::new().resolve(&env(FULL_ENV)).unwrap();
        assert_eq!(azure.base_url, "https://env.openai.azure.com/openai");
        assert_eq!(azure.openai_url, azure.base_url);
        assert!(!azure.has_deployment);
        assert_eq!(azure.api_version, "2024-10-21");
        assert!(matches!(azure.credential, AzureCredential::ApiKey(ref key) if key == "env-key"));
    }

    #[test]
    fn deployment_is_one_encoded_segment() {
        let azure = AzureConfig::new()
            .deployment("my dep")
            .resolve(&env(FULL_ENV))
            .unwrap();
        assert_eq!(
            azure.base_url,
            "https://env.openai.azure.com/openai/deployments/my%20dep"
        );
        assert!(azure.has_deployment);
        let err = AzureConfig::new()
            .deployment("..")
            .resolve(&env(FULL_ENV))
            .err()
            .expect("an error");
        assert!(err.to_string().contains("deployment"), "{err}");
    }

    #[test]
    fn ad_token_env_wins_over_api_key_env_and_explicit_wins_over_both() {
        const BOTH: &[(&str, &str)] = &[
            ("AZURE_OPENAI_ENDPOINT", "https://e"),
            ("OPENAI_API_VERSION", "v"),
            ("AZURE_OPENAI_API_KEY", "env-key"),
            ("AZURE_OPENAI_AD_TOKEN", "env-token"),
        ];
        let azure = AzureConfig::new().resolve(&env(BOTH)).unwrap();
        assert!(matches!(azure.credential, AzureCredential::AdToken(ref t) if t == "env-token"));
        let azure = AzureConfig::new().api_key("k").resolve(&env(BOTH)).unwrap();
        assert!(matches!(azure.credential, AzureCredential::ApiKey(ref k) if k == "k"));
    }

    #[test]
    fn more_than_one_credential_is_refused() {
        let err = AzureConfig::new()
            .api_key("k")
            .ad_token_provider(|| async { Ok::<_, BoxError>("t".to_owned()) })
            .resolve(&env(FULL_ENV))
            .err()
            .expect("an error");
        let text = err.to_string();
        assert!(matches!(err, Error::Config { .. }));
        assert!(text.contains("api_key, ad_token_provider"), "{text}");
        assert!(!text.contains("\"k\""), "{text}");
    }

    #[test]
    fn everything_missing_is_named() {
        let err = AzureConfig::new()
            .resolve(&env(&[]))
            .err()
            .expect("an error");
        let text = err.to_string();
        for name in [
            "AZURE_OPENAI_ENDPOINT",
            "OPENAI_API_VERSION",
            "AZURE_OPENAI_API_KEY",
            "AZURE_OPENAI_AD_TOKEN",
        ] {
            assert!(text.contains(name), "{text}");
        }
    }

    #[test]
    fn debug_hides_credentials() {
        let config = AzureConfig::new()
            .endpoint("https://user:pw-SECRET@r.openai.azure.com")
            .api_key("key-SECRET")
            .ad_token("token-SECRET");
        let debug = format!("{config:?}");
        assert!(!debug.contains("SECRET"), "{debug}");
        assert!(debug.contains("r.openai.azure.com"), "{debug}");
    }
}
