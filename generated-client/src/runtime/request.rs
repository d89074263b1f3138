//! The description of one API call (`RequestSpec`) and its resolution into a
//! request that can be sent, once per attempt.

use std::fmt;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, Url};
use serde::Serialize;
use serde_json::Value;

use super::encode::{self, ArrayFormat};
use super::endpoint::Endpoint;
use super::error::Error;
use super::json_body::JsonBody;
use super::multipart::MultipartForm;
use super::options::RequestOptions;
use super::path::check_path;
use super::redact::{self, RedactedHeaders};
use super::redirect::Hop;
use super::ser::Encode;

/// Header carrying the attempt number, as openai-python sends it, so server
/// logs can tell retries from new requests.
const RETRY_COUNT_HEADER: HeaderName = HeaderName::from_static("x-stainless-retry-count");

/// Everything needed to send one API call, any number of times.
///
/// Built by generated code; values are serialised right away but errors are
/// kept and reported as [`Error::InvalidRequest`] when the request is executed,
/// so the builder methods can be chained without `?`.
#[derive(Clone)]
pub struct RequestSpec {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: SpecBody,
    accept: Option<String>,
    error: Option<String>,
}

#[derive(Clone, Debug)]
enum SpecBody {
    Empty,
    Json(JsonBody),
    Multipart(MultipartForm),
}

impl RequestSpec {
    /// A request for `path`, which is already percent-encoded (see
    /// [`encode_path_segment`](super::encode_path_segment)), relative to the
    /// base URL and starts with `/`.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        RequestSpec {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: SpecBody::Empty,
            accept: None,
            error: None,
        }
    }

    /// Adds a query parameter: null/`None` skipped, strings as they are,
    /// numbers and booleans as text, arrays as one pair per item under the
    /// same name ([`ArrayFormat::Repeat`]), objects as `name[key]` pairs.
    pub fn query(self, name: &str, value: &impl Serialize) -> Self {
        self.query_as(name, value, ArrayFormat::Repeat)
    }

    /// Like [`query`](Self::query), with arrays written in `format`
    /// (`name[]=a&name[]=b` for [`ArrayFormat::Brackets`]).
    pub fn query_as(mut self, name: &str, value: &impl Serialize, format: ArrayFormat) -> Self {
        match encode::to_json(name, value) {
            Ok(json) => encode::query_pairs(name, &json, format, &mut self.query),
            Err(message) => self.defer(message),
        }
        self
    }

    /// Adds a header: null/`None` skipped, scalars as text, arrays comma-separated.
    pub fn header(mut self, name: &str, value: &impl Serialize) -> Self {
        match encode::to_json(name, value).and_then(|json| encode::header_text(name, &json)) {
            Ok(Some(text)) => self.headers.push((name.to_owned(), text)),
            Ok(None) => {}
            Err(message) => self.defer(message),
        }
        self
    }

    /// Sets a JSON body: any `Serialize` value, written by serde_json.
    pub fn json(self, body: &impl Serialize) -> Self {
        self.json_with(JsonBody::serialize(body))
    }

    /// Sets a JSON body written by the value's own [`Encode`], as generated
    /// operations send their typed bodies (see the `ser` module).
    pub fn encoded_json(self, body: &(impl Encode + ?Sized)) -> Self {
        self.json_with(JsonBody::encode(body))
    }

    fn json_with(mut self, body: Result<JsonBody, serde_json::Error>) -> Self {
        match body {
            Ok(json) => self.body = SpecBody::Json(json),
            Err(e) => self.defer(format!("cannot serialise `request body`: {e}")),
        }
        self
    }

    /// Sets (`Some`) or removes (`None`) a top-level key of the JSON body, e.g.
    /// to force `"stream": true` on streaming methods. Call after [`json`](Self::json).
    pub fn json_override(mut self, key: &str, value: Option<Value>) -> Self {
        match &mut self.body {
            SpecBody::Json(json) if json.is_object() => json.set(key, value),
            SpecBody::Empty if value.is_none() => {}
            SpecBody::Empty => {
                let mut json = JsonBody::empty_object();
                json.set(key, value);
                self.body = SpecBody::Json(json);
            }
            _ => self.defer(format!(
                "cannot set body key `{key}`: the body is not a JSON object"
            )),
        }
        self
    }

    /// Sets a top-level key of the JSON body when the body does not have it,
    /// e.g. to ask for a compact encoding the caller did not choose. Call after
    /// [`json`](Self::json).
    pub fn json_default(mut self, key: &str, value: Value) -> Self {
        if let SpecBody::Json(json) = &mut self.body {
            if json.is_object() {
                json.set_default(key, value);
            }
        }
        self
    }

    /// Sets a `multipart/form-data` body.
    pub fn multipart(mut self, form: MultipartForm) -> Self {
        self.body = SpecBody::Multipart(form);
        self
    }

    /// Sets the `Accept` header (by default `application/json`, or
    /// `text/event-stream` for streams).
    pub fn accept(mut self, media_type: &str) -> Self {
        self.accept = Some(media_type.to_owned());
        self
    }

    fn defer(&mut self, message: String) {
        self.error.get_or_insert(message);
    }

    /// The body's top-level `model`, as text: the deployment of an Azure
    /// request without a configured one. Read from the operation's own body
    /// (JSON, or the multipart text field), before extra body fields are
    /// merged, as openai-python reads `json_data`.
    fn model(&self) -> Option<String> {
        match &self.body {
            SpecBody::Json(json) => match json.member("model")? {
                Value::Null => None,
                Value::String(model) => Some(model),
                other => Some(other.to_string()),
            },
            SpecBody::Multipart(form) => form.text_field("model").map(str::to_owned),
            _ => None,
        }
    }

    /// Resolves the description against the client's endpoint, headers and
    /// per-request options. Done once per call; attempts reuse the result.
    ///
    /// Headers named like credentials or listed in `sensitive` are marked
    /// sensitive, so they are hidden from `Debug` and never follow a redirect
    /// to another origin.
    pub(crate) fn prepare(
        &self,
        endpoint: &Endpoint,
        base_headers: &HeaderMap,
        sensitive: &[HeaderName],
        options: &RequestOptions,
        default_accept: &str,
    ) -> Result<Prepared, Error> {
        if let Some(message) = &self.error {
            return Err(Error::invalid_request(message.clone()));
        }
        // Checked as routed: it ends with the request's own path, and an
        // Azure deployment taken from the model is checked with it.
        let (base_url, path) = endpoint.route(&self.path, || self.model());
        check_path(&path).map_err(Error::invalid_request)?;
        // Appended to the base path (`/v1`), which `Url::join` would drop.
        let mut url = base_url.join(&path).map_err(|e| Error::InvalidRequest {
            message: format!("invalid request URL for path `{path}`"),
            source: Some(Box::new(e)),
        })?;
        // The request's own parameters replace defaults of the same name.
        let own: Vec<&(String, String)> = self.query.iter().chain(&options.query).collect();
        let defaults = endpoint
            .default_query
            .iter()
            .filter(|(name, _)| !own.iter().any(|(own_name, _)| own_name == name));
        let query: Vec<&(String, String)> = defaults.chain(own.iter().copied()).collect();
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in query {
                pairs.append_pair(name, value);
            }
        }

        let mut headers = base_headers.clone();
        let accept = self.accept.as_deref().unwrap_or(default_accept);
        headers.insert(ACCEPT, header_value(ACCEPT.as_str(), accept)?);
        for (name, value) in self.headers.iter().chain(&options.headers) {
            let name = header_name(name)?;
            let mut value = header_value(name.as_str(), value)?;
            if redact::is_sensitive(name.as_str()) || sensitive.contains(&name) {
                value.set_sensitive(true);
            }
            headers.insert(name, value);
        }

        let body = match &self.body {
            SpecBody::Empty if options.body.is_empty() => PreparedBody::Empty,
            SpecBody::Empty => json_body(&JsonBody::empty_object(), options, &mut headers)?,
            SpecBody::Json(json) => json_body(json, options, &mut headers)?,
            SpecBody::Multipart(form) => {
                if let Some(message) = form.deferred_error() {
                    return Err(Error::invalid_request(message));
                }
                let mut form = form.clone();
                for (name, value) in &options.body {
                    form.json_value(name, value);
                }
                PreparedBody::Multipart(form)
            }
        };
        Ok(Prepared {
            method: self.method.clone(),
            url,
            headers,
            body,
        })
    }
}

fn header_name(name: &str) -> Result<HeaderName, Error> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::invalid_request(format!("invalid header name `{name}`")))
}

/// The value is left out of the message: it may be a credential.
fn header_value(name: &str, value: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value)
        .map_err(|_| Error::invalid_request(format!("invalid value for header `{name}`")))
}

/// The bytes of a JSON body, with the caller's extra body fields merged.
fn json_body(
    json: &JsonBody,
    options: &RequestOptions,
    headers: &mut HeaderMap,
) -> Result<PreparedBody, Error> {
    let bytes = json.finish(&options.body).map_err(Error::invalid_request)?;
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(PreparedBody::Json(bytes))
}

impl fmt::Debug for RequestSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestSpec")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &RedactedHeaders::new(&self.query))
            .field("headers", &RedactedHeaders::new(&self.headers))
            .field("body", &self.body)
            .field("accept", &self.accept)
            .field("error", &self.error)
            .finish()
    }
}

/// A resolved request: URL, headers and body ready to be sent, any number of times.
pub(crate) struct Prepared {
    method: Method,
    url: Url,
    headers: HeaderMap,
    body: PreparedBody,
}

enum PreparedBody {
    Empty,
    Json(Bytes),
    Multipart(MultipartForm),
}

impl Prepared {
    /// False when the body holds a one-shot reader: such a request gets no retries.
    pub(crate) fn is_replayable(&self) -> bool {
        match &self.body {
            PreparedBody::Multipart(form) => form.is_replayable(),
            _ => true,
        }
    }

    /// Whether a header of this name is set (by the client or the request).
    pub(crate) fn has_header(&self, name: &HeaderName) -> bool {
        self.headers.contains_key(name)
    }

    /// Whether the request sends a body (a redirect may drop it).
    fn has_body(&self) -> bool {
        !matches!(self.body, PreparedBody::Empty)
    }

    /// The headers of attempt number `retry_count`: the prepared ones, the
    /// attempt number, and the attempt's own (e.g. a freshly provided token).
    fn attempt_headers(&self, retry_count: u32, extra: HeaderMap) -> HeaderMap {
        let mut headers = self.headers.clone();
        headers.insert(RETRY_COUNT_HEADER, HeaderValue::from(retry_count));
        headers.extend(extra);
        headers
    }

    /// The first request of attempt number `retry_count` as a [`Hop`], which
    /// a redirect of it is made from.
    pub(crate) fn first_hop(&self, retry_count: u32, extra: HeaderMap) -> Hop {
        Hop {
            method: self.method.clone(),
            url: self.url.clone(),
            headers: self.attempt_headers(retry_count, extra),
            with_body: self.has_body(),
        }
    }

    /// The `reqwest` request of [`first_hop`](Self::first_hop), built with
    /// one copy of the headers instead of two (the hop's and the request's):
    /// the hop itself is only made when a redirect needs it.
    pub(crate) async fn first_request(
        &self,
        http: &reqwest::Client,
        retry_count: u32,
        extra: HeaderMap,
    ) -> Result<reqwest::Request, Error> {
        let headers = self.attempt_headers(retry_count, extra);
        let (method, url) = (self.method.clone(), self.url.clone());
        self.request(http, method, url, headers, self.has_body())
            .await
    }

    /// Builds a fresh `reqwest` request for `hop` (a redirect of an attempt's
    /// first request).
    pub(crate) async fn build(
        &self,
        http: &reqwest::Client,
        hop: &Hop,
    ) -> Result<reqwest::Request, Error> {
        let (method, url) = (hop.method.clone(), hop.url.clone());
        self.request(http, method, url, hop.headers.clone(), hop.with_body)
            .await
    }

    /// The request itself. The header map is moved in whole: `reqwest`'s
    /// builder would insert its entries one by one into an empty map, hashing
    /// each name again, to the same result.
    async fn request(
        &self,
        http: &reqwest::Client,
        method: Method,
        url: Url,
        headers: HeaderMap,
        with_body: bool,
    ) -> Result<reqwest::Request, Error> {
        let mut request = reqwest::Request::new(method, url);
        *request.headers_mut() = headers;
        match &self.body {
            _ if !with_body => Ok(request),
            PreparedBody::Empty => Ok(request),
            PreparedBody::Json(bytes) => {
                *request.body_mut() = Some(bytes.clone().into());
                Ok(request)
            }
            // The builder sets the multipart content type with its boundary
            // and, when known, the length.
            PreparedBody::Multipart(form) => {
                reqwest::RequestBuilder::from_parts(http.clone(), request)
                    .multipart(form.build().await?)
                    .build()
                    .map_err(|e| Error::InvalidRequest {
                        message: "cannot build the HTTP request".to_owned(),
                        source: Some(Box::new(e)),
                    })
            }
        }
    }

    /// The URL of the first request: its origin is the one credentials belong to.
    pub(crate) fn url(&self) -> &Url {
        &self.url
    }

    #[cfg(test)]
    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    #[cfg(test)]
    pub(crate) fn json(&self) -> Option<Value> {
        match &self.body {
            PreparedBody::Json(bytes) => serde_json::from_slice(bytes).ok(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BASE: &str = "https://api.example.com/v1";

    fn prepare(spec: RequestSpec, options: &RequestOptions) -> Result<Prepared, Error> {
        spec.prepare(
            &Endpoint::new(BASE),
            &HeaderMap::new(),
            &[],
            options,
            "application/json",
        )
    }

    #[test]
    fn url_keeps_base_path_and_encodes_query() {
        let spec = RequestSpec::new(Method::GET, "/files")
            .query("limit", &10)
            .query("after", &Some("file x"))
            .query("before", &Option::<String>::None)
            .query("include", &["a", "b"]);
        let prepared = prepare(spec, &RequestOptions::new().query("extra", "1")).unwrap();
        assert_eq!(
            prepared.url().as_str(),
            "https://api.example.com/v1/files?limit=10&after=file+x&include=a&include=b&extra=1"
        );
        let bare = prepare(
            RequestSpec::new(Method::GET, "/models"),
            &RequestOptions::new(),
        )
        .unwrap();
        assert_eq!(bare.url().as_str(), "https://api.example.com/v1/models");
    }

    #[test]
    fn json_overrides_and_extra_body_fields() {
        let spec = RequestSpec::new(Method::POST, "/chat/completions")
            .json(&json!({"model": "m", "stream": false, "n": 1}))
            .json_override("stream", Some(json!(true)))
            .json_override("n", None);
        let options = RequestOptions::new().body_field("extra", "yes");
        let prepared = prepare(spec, &options).unwrap();
        assert_eq!(
            prepared.json().unwrap(),
            json!({"model": "m", "stream": true, "extra": "yes"})
        );
        assert_eq!(prepared.headers()[CONTENT_TYPE], "application/json");
    }

    #[test]
    fn headers_skip_none_and_options_replace() {
        let spec = RequestSpec::new(Method::GET, "/x")
            .header("OpenAI-Beta", &"assistants=v2")
            .header("X-Skip", &Option::<String>::None)
            .header("X-Num", &3)
            .accept("text/event-stream");
        let options = RequestOptions::new().header("x-num", "4");
        let prepared = prepare(spec, &options).unwrap();
        let headers = prepared.headers();
        assert_eq!(headers["openai-beta"], "assistants=v2");
        assert!(headers.get("x-skip").is_none());
        assert_eq!(headers.get_all("x-num").iter().count(), 1);
        assert_eq!(headers["x-num"], "4");
        assert_eq!(headers[ACCEPT], "text/event-stream");
    }

    #[test]
    fn errors_are_deferred_to_execution() {
        let bad_header = RequestSpec::new(Method::GET, "/x").header("X-Bad", &"line\nbreak");
        let err = prepare(bad_header, &RequestOptions::new())
            .err()
            .expect("invalid header");
        assert!(matches!(err, Error::InvalidRequest { .. }));
        assert!(
            !err.to_string().contains("line"),
            "value must not leak: {err}"
        );

        let bad_override = RequestSpec::new(Method::POST, "/x")
            .json(&[1, 2])
            .json_override("stream", Some(json!(true)));
        assert!(prepare(bad_override, &RequestOptions::new()).is_err());

        let dot = RequestSpec::new(Method::GET, "/files/..");
        assert!(prepare(dot, &RequestOptions::new()).is_err());

        let mut map = std::collections::HashMap::new();
        map.insert(vec![1u8], 1);
        // A value serde_json refuses fails the request, and so does a
        // free-form value that could not be converted.
        let unserialisable = RequestSpec::new(Method::POST, "/x").json(&map);
        assert!(prepare(unserialisable, &RequestOptions::new()).is_err());
        let unserialisable =
            RequestSpec::new(Method::POST, "/x").encoded_json(&crate::runtime::Json::new(map));
        assert!(prepare(unserialisable, &RequestOptions::new()).is_err());
    }

    /// An attempt's first request is built without its hop; a redirect's
    /// from the hop. Both ways must give the same request.
    #[tokio::test]
    async fn first_request_is_what_its_hop_builds() {
        let http = reqwest::Client::new();
        let mut form = MultipartForm::new();
        form.text("purpose", "batch");
        let specs = [
            RequestSpec::new(Method::GET, "/models").query("limit", &2),
            RequestSpec::new(Method::POST, "/chat/completions").json(&json!({"model": "m"})),
            RequestSpec::new(Method::POST, "/files").multipart(form),
        ];
        for spec in specs {
            let prepared = prepare(spec, &RequestOptions::new().header("x-own", "1")).unwrap();
            let mut extra = HeaderMap::new();
            extra.insert("authorization", HeaderValue::from_static("Bearer fresh"));
            let direct = prepared
                .first_request(&http, 3, extra.clone())
                .await
                .unwrap();
            let hop = prepared.first_hop(3, extra);
            let via_hop = prepared.build(&http, &hop).await.unwrap();
            assert_eq!(direct.method(), via_hop.method());
            assert_eq!(direct.url(), via_hop.url());
            assert_eq!(direct.headers()[&RETRY_COUNT_HEADER], "3");
            assert_eq!(direct.headers()["authorization"], "Bearer fresh");
            assert_eq!(direct.headers()["x-own"], "1");
            let bytes =
                |r: &reqwest::Request| r.body().and_then(|b| b.as_bytes()).map(<[u8]>::to_vec);
            if prepared.json().is_some() || matches!(prepared.body, PreparedBody::Empty) {
                assert_eq!(direct.headers(), via_hop.headers());
                assert_eq!(bytes(&direct), bytes(&via_hop));
                assert_eq!(bytes(&direct).is_some(), prepared.json().is_some());
            } else {
                // A multipart body gets a fresh boundary each time it is built.
                let names = |r: &reqwest::Request| r.headers().keys().cloned().collect::<Vec<_>>();
                assert_eq!(names(&direct), names(&via_hop));
                let content_type = direct.headers()[CONTENT_TYPE].to_str().unwrap();
                assert!(content_type.starts_with("multipart/form-data; boundary="));
                assert!(direct.body().is_some());
            }
        }
    }

    #[test]
    fn extra_body_without_body_becomes_json() {
        let prepared = prepare(
            RequestSpec::new(Method::POST, "/x"),
            &RequestOptions::new().body_field("a", 1),
        )
        .unwrap();
        assert_eq!(prepared.json().unwrap(), json!({"a": 1}));
    }
}
