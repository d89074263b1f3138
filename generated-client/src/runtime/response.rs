//! A decoded response together with its HTTP metadata.

use std::ops::{Deref, DerefMut};

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

/// The response header the API uses to identify a request in support cases.
pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";

/// The `x-request-id` header of a response, if present and text.
pub(crate) fn request_id_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Status, headers and request id of a response: what [`Response`],
/// `BinaryResponse` and `EventStream` all report.
#[derive(Clone, Debug)]
pub(crate) struct ResponseMeta {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) request_id: Option<String>,
}

/// A successful response: the decoded body plus status, headers and request id.
///
/// Dereferences to the body, so fields can be read directly.
#[derive(Clone, Debug)]
pub struct Response<T> {
    body: T,
    meta: ResponseMeta,
    decode_warnings: Vec<String>,
}

impl<T> Response<T> {
    pub(crate) fn new(body: T, meta: ResponseMeta) -> Self {
        Response {
            body,
            meta,
            decode_warnings: Vec::new(),
        }
    }

    pub(crate) fn with_decode_warnings(mut self, warnings: Vec<String>) -> Self {
        self.decode_warnings = warnings;
        self
    }

    /// The body, to finish it (a listing's items put in).
    pub(crate) fn body_mut(&mut self) -> &mut T {
        &mut self.body
    }

    /// Puts `warnings` before those it has, keeping as many as one decode
    /// keeps.
    pub(crate) fn with_earlier_warnings(mut self, mut warnings: Vec<String>) -> Self {
        warnings.append(&mut self.decode_warnings);
        warnings.truncate(super::de::MAX_FILLS);
        self.decode_warnings = warnings;
        self
    }

    /// Required fields the server left out or sent as `null`, which were read
    /// as their empty value (`""`, `[]`, `0`, ...), one line each such as
    /// `ListFilesResponse.first_id: missing or null, read as empty`. Empty
    /// when the body matched the spec; see
    /// [`ClientBuilder::strict_decoding`](crate::runtime::ClientBuilder::strict_decoding).
    pub fn decode_warnings(&self) -> &[String] {
        &self.decode_warnings
    }

    /// HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        self.meta.status
    }

    /// Response headers (rate-limit information lives here).
    pub fn headers(&self) -> &HeaderMap {
        &self.meta.headers
    }

    /// The `x-request-id` response header.
    pub fn request_id(&self) -> Option<&str> {
        self.meta.request_id.as_deref()
    }

    /// The decoded body, dropping the metadata.
    pub fn into_inner(self) -> T {
        self.body
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.body
    }
}

impl<T> DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A split listing's item fills come first, then the page's own, and
    /// together no more than one decode keeps.
    #[test]
    fn earlier_warnings_come_first_and_stay_bounded() {
        let meta = ResponseMeta {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            request_id: None,
        };
        let page = vec!["page".to_owned(); 3];
        let items = vec!["item".to_owned(); 2];
        let response = Response::new((), meta).with_decode_warnings(page);
        let response = response.with_earlier_warnings(items);
        assert_eq!(
            response.decode_warnings(),
            ["item", "item", "page", "page", "page"]
        );
        let bound = crate::runtime::de::MAX_FILLS;
        let response = response.with_earlier_warnings(vec!["more".to_owned(); bound]);
        assert_eq!(response.decode_warnings().len(), bound);
        assert!(response.decode_warnings().iter().all(|w| w == "more"));
    }
}
