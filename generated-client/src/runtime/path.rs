//! Encoding of values substituted into URL paths.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::error::Error;

/// Everything but RFC 3986 "unreserved" characters (ALPHA / DIGIT / "-" / "." / "_" / "~").
const NOT_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path segment so a value cannot change the path's shape.
///
/// Only unreserved characters stay as they are, so `a/b` becomes `a%2Fb` and
/// `../x` becomes `..%2Fx`. A value that is exactly `.` or `..` cannot be
/// made safe by encoding (URL parsers treat `%2E%2E` as `..` too); such paths
/// are rejected when the request is sent.
pub fn encode_path_segment(value: &str) -> String {
    utf8_percent_encode(value, NOT_UNRESERVED).to_string()
}

/// A path parameter's value as one percent-encoded segment (see
/// [`encode_path_segment`]), refusing values that would make the request
/// address another endpoint: an empty value (`retrieve_model("")` would send
/// `GET /models/`, the list) and the dot segments `.` and `..`. The error is
/// [`Error::InvalidRequest`] naming the parameter; nothing is sent.
pub fn path_param(name: &str, value: &str) -> Result<String, Error> {
    if value.is_empty() {
        return Err(Error::invalid_request(format!(
            "path parameter `{name}` is empty; an empty value would address another endpoint"
        )));
    }
    if value == "." || value == ".." {
        return Err(Error::invalid_request(format!(
            "path parameter `{name}` is `{value}`, a dot segment that would address another endpoint"
        )));
    }
    Ok(encode_path_segment(value))
}

/// Checks a request path before it is joined to the base URL: it must start
/// with `/` and contain no dot segments, which URL normalisation would resolve
/// into a different endpoint.
pub(crate) fn check_path(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err(format!("request path `{path}` must start with '/'"));
    }
    let path_only = path.split(['?', '#']).next().unwrap_or_default();
    const DOTS: [&str; 6] = [".", "..", "%2e", ".%2e", "%2e.", "%2e%2e"];
    for segment in path_only.split('/') {
        if DOTS.iter().any(|dot| segment.eq_ignore_ascii_case(dot)) {
            return Err(format!(
                "request path `{path}` contains the dot segment `{segment}`"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slashes_and_dots_cannot_escape_the_segment() {
        assert_eq!(encode_path_segment("../x"), "..%2Fx");
        assert_eq!(encode_path_segment("a/b"), "a%2Fb");
        assert_eq!(encode_path_segment("a\\b"), "a%5Cb");
        assert_eq!(encode_path_segment("?q=1#f"), "%3Fq%3D1%23f");
        assert_eq!(encode_path_segment("%2F"), "%252F");
    }

    #[test]
    fn spaces_unicode_and_unreserved() {
        assert_eq!(encode_path_segment("my file"), "my%20file");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
        assert_eq!(encode_path_segment("日本"), "%E6%97%A5%E6%9C%AC");
        assert_eq!(encode_path_segment("file-abc_1.2~x"), "file-abc_1.2~x");
        assert_eq!(encode_path_segment("a+b:c@d"), "a%2Bb%3Ac%40d");
    }

    #[test]
    fn encoded_values_keep_one_segment_after_url_parsing() {
        for value in ["../x", "a/b", "..%2F..", "x?y", "a b", "ü/.."] {
            let path = format!("/files/{}/content", encode_path_segment(value));
            let url = reqwest::Url::parse(&format!("https://h/v1{path}")).unwrap();
            let segments: Vec<_> = url.path_segments().unwrap().collect();
            assert_eq!(segments.len(), 4, "{value} -> {url}");
            assert_eq!(segments[0], "v1");
            assert_eq!(segments[3], "content");
            assert!(url.query().is_none());
        }
    }

    #[test]
    fn empty_and_dot_path_parameters_are_errors_naming_the_parameter() {
        assert_eq!(path_param("model", "gpt-4o").unwrap(), "gpt-4o");
        assert_eq!(path_param("file_id", "a/b").unwrap(), "a%2Fb");
        assert_eq!(path_param("file_id", "...").unwrap(), "...");
        for bad in ["", ".", ".."] {
            let err = path_param("model", bad).unwrap_err();
            assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
            assert!(err.to_string().contains("path parameter `model`"), "{err}");
        }
    }

    #[test]
    fn dot_segments_are_rejected() {
        assert!(check_path("/files/abc").is_ok());
        assert!(check_path("/files/..%2Fx").is_ok());
        assert!(check_path("/files/...").is_ok());
        for bad in [
            "/files/..",
            "/files/.",
            "/files/%2E%2e/x",
            "/a/.%2E",
            "files",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        assert!(check_path(&format!("/files/{}", encode_path_segment(".."))).is_err());
    }
}
