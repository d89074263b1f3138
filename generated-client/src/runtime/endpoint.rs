//! Where a request goes: the base URL, the query parameters every request
//! carries, and Azure OpenAI's deployment routing.

use std::borrow::Cow;
use std::fmt;

use reqwest::Url;

use super::error::{config_error, Error};
use super::path::encode_path_segment;
use super::redact::{redact_userinfo, RedactedHeaders};

/// Why a URL did not parse (the `url` crate's error, through reqwest).
pub(crate) type ParseError = <Url as std::str::FromStr>::Err;

/// The operations Azure OpenAI serves per deployment, under
/// `/openai/deployments/{deployment}` (openai-python's `_deployments_endpoints`).
/// Matched against the whole request path, so `/chat/completions/{id}` is not one.
pub(crate) const DEPLOYMENT_PATHS: [&str; 8] = [
    "/completions",
    "/chat/completions",
    "/embeddings",
    "/audio/transcriptions",
    "/audio/translations",
    "/audio/speech",
    "/images/generations",
    "/images/edits",
];

/// A base URL, as its text and parsed once: a request's URL is the base's
/// with the request path appended to its path, without parsing the whole
/// URL again (the host's IDNA processing made a parse 7,000 instructions,
/// a tenth of a small request's CPU).
pub(crate) struct BaseUrl {
    /// Without trailing slash.
    text: String,
    parsed: Url,
}

impl BaseUrl {
    /// `text` is an http(s) URL without query, fragment or trailing slash
    /// (see [`check_base_url`]).
    pub(crate) fn new(text: String) -> Result<Self, ParseError> {
        let parsed = Url::parse(&text)?;
        Ok(Self::parsed(text, parsed))
    }

    /// `text` with `parsed`, what parsing it gave (a checked base URL is
    /// parsed to be checked: not again here).
    pub(crate) fn parsed(text: String, parsed: Url) -> Self {
        BaseUrl { text, parsed }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// The URL of `path` (which starts with `/`) under this base: what
    /// parsing the base's text followed by `path` gives.
    pub(crate) fn join(&self, path: &str) -> Result<Url, ParseError> {
        if path.contains(['?', '#']) {
            // A query or fragment in the path is parsed as one.
            return Url::parse(&format!("{}{path}", self.text));
        }
        let mut url = self.parsed.clone();
        let base_path = self.parsed.path().trim_end_matches('/');
        url.set_path(&format!("{base_path}{path}"));
        Ok(url)
    }
}

/// Validates a base URL (`what` names it in errors) and drops trailing
/// slashes, since request paths start with one; the URL is kept parsed. A
/// `user:password@` part is refused, and redacted from every message.
pub(crate) fn check_base_url(what: &str, base_url: &str) -> Result<BaseUrl, Error> {
    let shown = redact_userinfo(base_url);
    let trimmed = base_url.trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed)
        .map_err(|e| config_error(format!("invalid {what} `{shown}`: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https")
        || parsed.query().is_some()
        || parsed.fragment().is_some()
    {
        return Err(config_error(format!(
            "{what} `{shown}` must be http(s) without query or fragment"
        )));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(config_error(format!(
            "{what} `{shown}` must not contain credentials (`user:password@`): \
             set the API key, or send a header with ClientBuilder::default_header"
        )));
    }
    Ok(BaseUrl::parsed(trimmed.to_owned(), parsed))
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The settled target of a client's requests.
pub(crate) struct Endpoint {
    /// Without trailing slash; for Azure `{endpoint}/openai` or
    /// `{endpoint}/openai/deployments/{deployment}`.
    pub(crate) base_url: BaseUrl,
    /// Sent with every request unless the request sets a parameter of the
    /// same name itself (Azure's `api-version` is one).
    pub(crate) default_query: Vec<(String, String)>,
    /// Azure OpenAI's path rules, for an Azure client.
    pub(crate) azure: Option<AzureRoute>,
}

/// Azure OpenAI's routing, as openai-python's `BaseAzureClient` does it.
pub(crate) struct AzureRoute {
    /// `{endpoint}/openai`, without trailing slash.
    pub(crate) openai_url: BaseUrl,
    /// Whether the base URL names a deployment.
    pub(crate) has_deployment: bool,
}

impl Endpoint {
    /// A plain endpoint: every path is appended to `base_url`.
    #[cfg(test)]
    pub(crate) fn new(base_url: impl Into<String>) -> Self {
        Endpoint {
            base_url: BaseUrl::new(base_url.into()).expect("a valid test URL"),
            default_query: Vec::new(),
            azure: None,
        }
    }

    /// The URL prefix and path for a request to `path` whose body names
    /// `model` (read only for Azure deployment operations).
    ///
    /// For Azure: a deployment operation goes to the configured deployment,
    /// or else to `/deployments/{model}` (the model percent-encoded as one
    /// path segment); every other operation goes to `{endpoint}/openai`, also
    /// when a deployment is configured. The path is checked afterwards, so a
    /// model of `..` is refused like any dot segment.
    pub(crate) fn route<'p>(
        &self,
        path: &'p str,
        model: impl FnOnce() -> Option<String>,
    ) -> (&BaseUrl, Cow<'p, str>) {
        let Some(azure) = &self.azure else {
            return (&self.base_url, Cow::Borrowed(path));
        };
        if !DEPLOYMENT_PATHS.contains(&path) {
            return (&azure.openai_url, Cow::Borrowed(path));
        }
        if azure.has_deployment {
            return (&self.base_url, Cow::Borrowed(path));
        }
        match model() {
            Some(model) => (
                &azure.openai_url,
                Cow::Owned(format!(
                    "/deployments/{}{path}",
                    encode_path_segment(&model)
                )),
            ),
            None => (&azure.openai_url, Cow::Borrowed(path)),
        }
    }
}

impl Endpoint {
    #[cfg(any(test, feature = "realtime-ws"))]
    /// For an Azure OpenAI endpoint `Some`, holding the configured deployment
    /// if there is one (the last segment of the base URL, decoded); `None`
    /// for any other endpoint.
    pub(crate) fn azure_deployment(&self) -> Option<Option<String>> {
        let azure = self.azure.as_ref()?;
        if !azure.has_deployment {
            return Some(None);
        }
        let segment = self
            .base_url
            .as_str()
            .strip_prefix(azure.openai_url.as_str())
            .and_then(|rest| rest.strip_prefix("/deployments/"))?;
        let name = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
        Some(Some(name.into_owned()))
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Endpoint");
        debug
            .field("base_url", &self.base_url.as_str())
            .field("default_query", &RedactedHeaders::new(&self.default_query));
        if let Some(azure) = &self.azure {
            debug.field("azure_openai_url", &azure.openai_url.as_str());
        }
        debug.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_keeps_path_and_drops_trailing_slash() {
        assert_eq!(
            check_base_url("base URL", "https://api.openai.com/v1/")
                .unwrap()
                .as_str(),
            "https://api.openai.com/v1"
        );
        assert_eq!(
            check_base_url("base URL", "http://127.0.0.1:8080/proxy/v1")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080/proxy/v1"
        );
        assert!(check_base_url("base URL", "ftp://x").is_err());
        assert!(check_base_url("base URL", "not a url").is_err());
        assert!(check_base_url("base URL", "https://x/v1?a=b").is_err());
    }

    fn azure(deployment: Option<&str>) -> Endpoint {
        let openai_url = "https://r.openai.azure.com/openai".to_owned();
        let base_url = match deployment {
            Some(name) => format!("{openai_url}/deployments/{name}"),
            None => openai_url.clone(),
        };
        Endpoint {
            base_url: BaseUrl::new(base_url).unwrap(),
            default_query: vec![("api-version".into(), "2024-10-21".into())],
            azure: Some(AzureRoute {
                openai_url: BaseUrl::new(openai_url).unwrap(),
                has_deployment: deployment.is_some(),
            }),
        }
    }

    fn url(endpoint: &Endpoint, path: &str, model: Option<&str>) -> String {
        let (base, path) = endpoint.route(path, || model.map(str::to_owned));
        let url = base.join(&path).unwrap();
        // What parsing the whole text gives, without parsing it.
        assert_eq!(url, Url::parse(&format!("{base}{path}")).unwrap());
        url.to_string()
    }

    #[test]
    fn a_joined_url_is_what_parsing_the_whole_text_gives() {
        let bases = [
            "https://api.openai.com/v1",
            "http://127.0.0.1:8080",
            "http://[::1]:9000/a/b",
            "https://bücher.example/v1",
            "https://h:443/v1",
            "HTTPS://Upper.Example/V1",
            "https://r.openai.azure.com/openai/deployments/a%2Fb%20c",
            "https://h/with%20space/x",
        ];
        let paths = [
            "/models",
            "/models/gpt-4o%2Fx",
            "/files/a b",
            "/x/é日本",
            "/files//x",
            "/a\\b",
            "/a\tb\nc",
            "/%2e%2E/../x",
            "/q?x=1&y=a b",
            "/f#frag",
            "/",
        ];
        for base in bases {
            let base = BaseUrl::new(base.to_owned()).unwrap();
            for path in paths {
                let whole = Url::parse(&format!("{base}{path}")).unwrap();
                assert_eq!(base.join(path).unwrap(), whole, "{base} + {path}");
            }
        }
    }

    #[test]
    fn azure_deployment_is_read_back_from_the_base_url() {
        assert_eq!(Endpoint::new("https://x/v1").azure_deployment(), None);
        assert_eq!(azure(None).azure_deployment(), Some(None));
        assert_eq!(
            azure(Some("prod%2Fa%20b")).azure_deployment(),
            Some(Some("prod/a b".to_owned()))
        );
    }

    #[test]
    fn plain_endpoints_append_the_path() {
        let plain = Endpoint::new("http://localhost:8000/v1");
        assert_eq!(
            url(&plain, "/chat/completions", Some("m")),
            "http://localhost:8000/v1/chat/completions"
        );
    }

    #[test]
    fn azure_without_deployment_takes_it_from_the_model() {
        let endpoint = azure(None);
        assert_eq!(
            url(&endpoint, "/chat/completions", Some("gpt-4o")),
            "https://r.openai.azure.com/openai/deployments/gpt-4o/chat/completions"
        );
        assert_eq!(
            url(&endpoint, "/audio/transcriptions", Some("whisper")),
            "https://r.openai.azure.com/openai/deployments/whisper/audio/transcriptions"
        );
        assert_eq!(
            url(&endpoint, "/chat/completions", Some("a/b c")),
            "https://r.openai.azure.com/openai/deployments/a%2Fb%20c/chat/completions"
        );
        // No model in the body: the path stays as it is, as in openai-python.
        assert_eq!(
            url(&endpoint, "/embeddings", None),
            "https://r.openai.azure.com/openai/embeddings"
        );
        assert_eq!(
            url(&endpoint, "/models", Some("ignored")),
            "https://r.openai.azure.com/openai/models"
        );
        assert_eq!(
            url(&endpoint, "/chat/completions/abc", Some("ignored")),
            "https://r.openai.azure.com/openai/chat/completions/abc"
        );
    }

    #[test]
    fn azure_with_deployment_routes_other_operations_to_the_resource() {
        let endpoint = azure(Some("prod"));
        assert_eq!(
            url(&endpoint, "/chat/completions", Some("gpt-4o")),
            "https://r.openai.azure.com/openai/deployments/prod/chat/completions"
        );
        assert_eq!(
            url(&endpoint, "/files", None),
            "https://r.openai.azure.com/openai/files"
        );
        assert_eq!(
            url(&endpoint, "/chat/completions/abc", None),
            "https://r.openai.azure.com/openai/chat/completions/abc"
        );
    }
}
