//! Following redirects without taking credentials or request bodies to
//! another origin.
//!
//! The client's own `reqwest` client follows no redirects; [`next_hop`]
//! decides each one, so every header the client knows to be a credential is
//! dropped when a redirect leaves the origin (scheme, host and port) the
//! request was configured for, not only the `Authorization` and `Cookie`
//! headers `reqwest` would drop.

use reqwest::header::{
    HeaderMap, HeaderName, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, TRANSFER_ENCODING,
};
use reqwest::{Method, StatusCode, Url};

use super::redact::is_origin_bound;

/// Redirects followed at most per attempt, as `reqwest`'s and httpx's default.
pub const MAX_REDIRECTS: u32 = 10;

/// What the client does with a redirect (301, 302, 303, 307, 308).
///
/// Whatever the policy, a redirect is followed only to `http` or `https`
/// URLs, at most [`MAX_REDIRECTS`] times per attempt, and a `user:password@`
/// in its `Location` is dropped. Within the origin, 303 (and 301/302 after a
/// `POST`) continue as a body-less `GET`, as browsers, `reqwest` and httpx do;
/// 307/308 re-send the request as it was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedirectPolicy {
    /// Follow redirects; when one leaves the origin, drop every sensitive
    /// header first: `Authorization`, `api-key`, `OpenAI-Organization`,
    /// `OpenAI-Project`, the headers marked with
    /// [`ClientBuilder::sensitive_header`](super::ClientBuilder::sensitive_header),
    /// and every header whose name contains `auth`, `key`, `token`, `secret`,
    /// `cookie` or `password`. Once dropped they stay dropped for the rest of
    /// the chain. A 307/308 that would re-send a request body to another
    /// origin is refused with [`Error::Redirect`](super::Error::Redirect):
    /// prompts and files stay with the origin too. The default.
    #[default]
    StripCredentials,
    /// Follow redirects within the origin only; any other is an
    /// [`Error::Redirect`](super::Error::Redirect).
    SameOriginOnly,
    /// Follow none: a redirect response is returned as an
    /// [`Error::Api`](super::Error::Api) with its 3xx status and headers.
    Never,
}

/// One request of a redirect chain: what is sent.
#[derive(Debug)]
pub(crate) struct Hop {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    /// Whether the prepared body is sent.
    pub(crate) with_body: bool,
}

/// Whether `a` and `b` share scheme, host and port (default ports filled in).
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Whether `policy` follows a response of `status` at all (where it goes,
/// and whether it may, is for [`next_hop`] to say).
pub(crate) fn follows(status: StatusCode, policy: RedirectPolicy) -> bool {
    policy != RedirectPolicy::Never && matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

/// The next request after a response of `hop`, if it is a redirect the
/// policy follows; `Err` with the reason when it must not be followed and
/// must not be returned as an ordinary response either.
///
/// `origin` is the URL the request was configured for; `followed` counts the
/// redirects taken so far; `replayable` says whether the body can be sent again.
pub(crate) fn next_hop(
    hop: &Hop,
    status: StatusCode,
    response_headers: &HeaderMap,
    origin: &Url,
    policy: RedirectPolicy,
    followed: u32,
    replayable: bool,
) -> Result<Option<Hop>, String> {
    if !follows(status, policy) {
        return Ok(None);
    }
    let code = status.as_u16();
    let Some(mut url) = response_headers
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|location| hop.url.join(location).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"))
    else {
        // No usable target: the 3xx is returned as the response.
        return Ok(None);
    };
    if followed >= MAX_REDIRECTS {
        return Err(format!("more than {MAX_REDIRECTS} redirects"));
    }
    // Credentials in a Location are never taken over, nor is the fragment sent.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_fragment(None);

    let becomes_get = (code == 303 && hop.method != Method::HEAD)
        || (matches!(code, 301 | 302) && hop.method == Method::POST);
    let method = if becomes_get {
        Method::GET
    } else {
        hop.method.clone()
    };
    let with_body = hop.with_body && !becomes_get;
    let cross_origin = !same_origin(origin, &url);
    let target = url.origin().ascii_serialization();
    if cross_origin && policy == RedirectPolicy::SameOriginOnly {
        return Err(format!(
            "{code} to another origin ({target}) while only redirects within {} are allowed",
            origin.origin().ascii_serialization()
        ));
    }
    if cross_origin && with_body {
        return Err(format!(
            "{code} to another origin ({target}) would re-send the request body there"
        ));
    }
    if with_body && !replayable {
        return Err(format!(
            "{code} would re-send a body read from a one-shot reader"
        ));
    }

    let mut headers = hop.headers.clone();
    if !with_body {
        for name in [CONTENT_TYPE, CONTENT_LENGTH, TRANSFER_ENCODING] {
            headers.remove(name);
        }
    }
    if cross_origin {
        let bound: Vec<HeaderName> = headers
            .iter()
            .filter(|(name, value)| is_origin_bound(name, value))
            .map(|(name, _)| name.clone())
            .collect();
        for name in bound {
            headers.remove(name);
        }
    }
    Ok(Some(Hop {
        method,
        url,
        headers,
        with_body,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, AUTHORIZATION};

    const ORIGIN: &str = "https://api.example.com/v1/x";

    fn hop(method: Method) -> Hop {
        let mut headers = HeaderMap::new();
        let mut auth = HeaderValue::from_static("Bearer sk-1");
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        headers.insert("api-key", HeaderValue::from_static("k"));
        headers.insert("openai-organization", HeaderValue::from_static("org"));
        headers.insert("openai-project", HeaderValue::from_static("proj"));
        headers.insert("x-goog-api-key", HeaderValue::from_static("k2"));
        let mut marked = HeaderValue::from_static("tenant");
        marked.set_sensitive(true);
        headers.insert("x-tenant", marked);
        headers.insert("openai-beta", HeaderValue::from_static("assistants=v2"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Hop {
            with_body: method == Method::POST,
            method,
            url: Url::parse(ORIGIN).unwrap(),
            headers,
        }
    }

    fn redirect(
        hop: &Hop,
        code: u16,
        location: &str,
        policy: RedirectPolicy,
    ) -> Result<Option<Hop>, String> {
        let mut headers = HeaderMap::new();
        headers.insert(LOCATION, HeaderValue::from_str(location).unwrap());
        let status = StatusCode::from_u16(code).unwrap();
        next_hop(
            hop,
            status,
            &headers,
            &Url::parse(ORIGIN).unwrap(),
            policy,
            0,
            true,
        )
    }

    fn names(hop: &Hop) -> Vec<&str> {
        let mut names: Vec<&str> = hop.headers.keys().map(HeaderName::as_str).collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn same_origin_keeps_every_header() {
        let next = redirect(&hop(Method::GET), 302, "/v1/y", RedirectPolicy::default())
            .unwrap()
            .unwrap();
        assert_eq!(next.url.as_str(), "https://api.example.com/v1/y");
        assert_eq!(next.headers.len(), hop(Method::GET).headers.len() - 1); // content-type: no body
        assert!(next.headers.contains_key("api-key"));
    }

    #[test]
    fn other_host_port_or_scheme_drops_sensitive_headers() {
        for location in [
            "https://evil.example.net/v1/x",
            "https://api.example.com:8443/v1/x",
            "http://api.example.com/v1/x",
        ] {
            for code in [301, 302, 303, 307, 308] {
                let next = redirect(&hop(Method::GET), code, location, RedirectPolicy::default())
                    .unwrap()
                    .unwrap();
                assert_eq!(names(&next), ["openai-beta"], "{code} {location}");
                assert_eq!(next.method, Method::GET);
            }
        }
    }

    #[test]
    fn post_bodies_never_cross_origins() {
        let post = hop(Method::POST);
        for code in [301, 302, 303] {
            let next = redirect(
                &post,
                code,
                "https://other.example/x",
                RedirectPolicy::default(),
            )
            .unwrap()
            .unwrap();
            assert_eq!(next.method, Method::GET, "{code}");
            assert!(!next.with_body);
            assert_eq!(names(&next), ["openai-beta"]);
        }
        for code in [307, 308] {
            let err = redirect(
                &post,
                code,
                "https://other.example/x",
                RedirectPolicy::default(),
            )
            .unwrap_err();
            assert!(err.contains("re-send the request body"), "{err}");
            assert!(err.contains("https://other.example"), "{err}");
            let same = redirect(&post, code, "/v1/z", RedirectPolicy::default())
                .unwrap()
                .unwrap();
            assert_eq!(same.method, Method::POST);
            assert!(same.with_body);
            assert!(same.headers.contains_key(CONTENT_TYPE));
        }
    }

    #[test]
    fn policies() {
        let get = hop(Method::GET);
        assert!(redirect(
            &get,
            302,
            "https://other.example/",
            RedirectPolicy::SameOriginOnly
        )
        .is_err());
        assert!(
            redirect(&get, 302, "/v1/ok", RedirectPolicy::SameOriginOnly)
                .unwrap()
                .is_some()
        );
        assert!(redirect(&get, 302, "/v1/ok", RedirectPolicy::Never)
            .unwrap()
            .is_none());
    }

    #[test]
    fn unusable_locations_and_limits() {
        let get = hop(Method::GET);
        assert!(redirect(&get, 302, "ftp://x/y", RedirectPolicy::default())
            .unwrap()
            .is_none());
        assert!(redirect(&get, 304, "/v1/y", RedirectPolicy::default())
            .unwrap()
            .is_none());
        let next = redirect(
            &get,
            302,
            "https://u:p@api.example.com/v1/y#f",
            RedirectPolicy::default(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(next.url.as_str(), "https://api.example.com/v1/y");
        let mut headers = HeaderMap::new();
        headers.insert(LOCATION, HeaderValue::from_static("/v1/y"));
        let origin = Url::parse(ORIGIN).unwrap();
        let found = StatusCode::FOUND;
        let policy = RedirectPolicy::default();
        assert!(next_hop(&get, found, &headers, &origin, policy, MAX_REDIRECTS, true).is_err());
        let post = hop(Method::POST);
        let temporary = StatusCode::TEMPORARY_REDIRECT;
        assert!(next_hop(&post, temporary, &headers, &origin, policy, 0, false).is_err());
    }
}
