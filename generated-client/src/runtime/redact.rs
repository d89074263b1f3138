//! Keeping credentials out of `Debug` output, error messages and other
//! origins, and server text from steering a terminal.

use std::borrow::Cow;
use std::fmt;

use reqwest::header::{HeaderMap, HeaderName};

/// What a redacted value is shown as.
pub(crate) const REDACTED: &str = "[redacted]";

/// Parts of a header (or query parameter) name that mark its value as a
/// credential, compared case-insensitively: `Authorization`, `api-key`,
/// `X-Auth-Token`, `Cookie`, `X-Client-Secret`, `proxy-password`, ...
const SENSITIVE_NAME_PARTS: [&str; 6] = ["auth", "key", "token", "secret", "cookie", "password"];

/// Whether a header or query parameter of this name carries a credential
/// (see [`SENSITIVE_NAME_PARTS`]).
pub(crate) fn is_sensitive(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SENSITIVE_NAME_PARTS.iter().any(|part| name.contains(part))
}

/// Whether a header must not follow a redirect to another origin: a
/// credential by name or by marking (the client marks its own credentials
/// and the headers named with `ClientBuilder::sensitive_header`), or the
/// account identity headers.
pub(crate) fn is_origin_bound(name: &HeaderName, value: &reqwest::header::HeaderValue) -> bool {
    value.is_sensitive()
        || is_sensitive(name.as_str())
        || matches!(name.as_str(), "openai-organization" | "openai-project")
}

/// `Debug` view of name/value pairs (headers or query parameters) that shows
/// names and hides the values of sensitive ones: those matching the name
/// pattern and those named in `extra`.
pub(crate) struct RedactedHeaders<'a> {
    pairs: &'a [(String, String)],
    extra: &'a [String],
}

impl<'a> RedactedHeaders<'a> {
    /// Redacts by the name pattern only.
    pub(crate) fn new(pairs: &'a [(String, String)]) -> Self {
        RedactedHeaders { pairs, extra: &[] }
    }

    /// Also redacts the values of these names (compared case-insensitively).
    pub(crate) fn with_extra(mut self, extra: &'a [String]) -> Self {
        self.extra = extra;
        self
    }
}

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.pairs {
            let marked = self
                .extra
                .iter()
                .any(|extra| extra.eq_ignore_ascii_case(name));
            if marked || is_sensitive(name) {
                map.entry(name, &REDACTED);
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

/// `Debug` view of a `HeaderMap` with sensitive values hidden (by name
/// pattern, or marked sensitive on the value).
pub(crate) struct RedactedHeaderMap<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for RedactedHeaderMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if is_sensitive(name.as_str()) || value.is_sensitive() {
                map.entry(&name.as_str(), &REDACTED);
            } else {
                map.entry(&name.as_str(), &String::from_utf8_lossy(value.as_bytes()));
            }
        }
        map.finish()
    }
}

/// The URL text with any `user:password@` part replaced by `[redacted]@`.
///
/// Works on text that may not parse as a URL, since it is also used in the
/// message that says the URL is invalid.
pub(crate) fn redact_userinfo(url: &str) -> Cow<'_, str> {
    let Some(scheme_end) = url.find("://") else {
        return Cow::Borrowed(url);
    };
    let authority_start = scheme_end + 3;
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_len].rfind('@') {
        Some(at) => Cow::Owned(format!(
            "{}{REDACTED}{}",
            &url[..authority_start],
            &rest[at..]
        )),
        None => Cow::Borrowed(url),
    }
}

/// Replaces the values of sensitive query parameters of `url` by `[redacted]`.
pub(crate) fn redact_query(url: &mut reqwest::Url) {
    if !url.query_pairs().any(|(name, _)| is_sensitive(&name)) {
        return;
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(name, value)| {
            let value = if is_sensitive(&name) {
                REDACTED.to_owned()
            } else {
                value.into_owned()
            };
            (name.into_owned(), value)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
}

/// Whether a character must not reach a terminal or log line as it is:
/// control characters (ESC, BEL, CR, LF, DEL, C1 ...), bidirectional
/// overrides and isolates, and line/paragraph separators.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2028}' | '\u{2029}'
                | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// A `fmt::Write` that passes text through with the characters of
/// [`needs_escape`] written as Rust escapes (`\n`, `\u{1b}`), so text from a
/// server shows what it contains instead of acting on the terminal.
pub(crate) struct EscapeControl<'a, W: fmt::Write + ?Sized>(pub(crate) &'a mut W);

impl<W: fmt::Write + ?Sized> fmt::Write for EscapeControl<'_, W> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let mut rest = text;
        while let Some(index) = rest.find(needs_escape) {
            self.0.write_str(&rest[..index])?;
            let c = rest[index..].chars().next().expect("found a char");
            write!(self.0, "{}", c.escape_debug())?;
            rest = &rest[index + c.len_utf8()..];
        }
        self.0.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write;

    #[test]
    fn hides_credentials_only() {
        let headers = vec![
            ("Authorization".to_owned(), "Bearer sk-secret".to_owned()),
            ("X-Api-Key".to_owned(), "sk-secret".to_owned()),
            ("X-Trace".to_owned(), "visible".to_owned()),
        ];
        let text = format!("{:?}", RedactedHeaders::new(&headers));
        assert!(!text.contains("sk-secret"), "{text}");
        assert!(text.contains("visible"));
    }

    #[test]
    fn name_pattern_is_case_insensitive() {
        for name in [
            "Authorization",
            "proxy-authorization",
            "api-key",
            "X-API-KEY",
            "x-auth-token",
            "X-Client-Secret",
            "Cookie",
            "set-cookie",
            "X-Password",
            "Ocp-Apim-Subscription-Key",
        ] {
            assert!(is_sensitive(name), "{name}");
        }
        for name in ["x-request-id", "OpenAI-Beta", "content-type", "api-version"] {
            assert!(!is_sensitive(name), "{name}");
        }
    }

    #[test]
    fn extra_names_are_redacted_too() {
        let headers = vec![("X-Tenant".to_owned(), "tenant-SECRET".to_owned())];
        let extra = vec!["x-tenant".to_owned()];
        let text = format!("{:?}", RedactedHeaders::new(&headers).with_extra(&extra));
        assert!(!text.contains("tenant-SECRET"), "{text}");
        assert!(text.contains(REDACTED), "{text}");
    }

    #[test]
    fn origin_bound_headers() {
        use reqwest::header::HeaderValue;
        let plain = HeaderValue::from_static("x");
        let mut marked = HeaderValue::from_static("x");
        marked.set_sensitive(true);
        let name = |n: &'static str| HeaderName::from_static(n);
        assert!(is_origin_bound(&name("api-key"), &plain));
        assert!(is_origin_bound(&name("openai-organization"), &plain));
        assert!(is_origin_bound(&name("openai-project"), &plain));
        assert!(is_origin_bound(&name("x-tenant"), &marked));
        assert!(!is_origin_bound(&name("openai-beta"), &plain));
    }

    #[test]
    fn userinfo_is_redacted_in_url_text() {
        assert_eq!(
            redact_userinfo("https://user:pa55@host:1/v1?x=a@b"),
            "https://[redacted]@host:1/v1?x=a@b"
        );
        assert_eq!(
            redact_userinfo("https://tok@host"),
            "https://[redacted]@host"
        );
        assert_eq!(redact_userinfo("https://host/a@b"), "https://host/a@b");
        assert_eq!(redact_userinfo("not a url"), "not a url");
        assert_eq!(redact_userinfo("x://u:p@ bad"), "x://[redacted]@ bad");
    }

    #[test]
    fn sensitive_query_values_are_redacted() {
        let mut url =
            reqwest::Url::parse("https://h/v1/x?api-version=2024&subscription-key=SECRET&a=1")
                .unwrap();
        redact_query(&mut url);
        assert_eq!(
            url.as_str(),
            "https://h/v1/x?api-version=2024&subscription-key=%5Bredacted%5D&a=1"
        );
        let mut plain = reqwest::Url::parse("https://h/x?a=1&b=2").unwrap();
        redact_query(&mut plain);
        assert_eq!(plain.as_str(), "https://h/x?a=1&b=2");
    }

    #[test]
    fn control_characters_are_escaped() {
        let mut out = String::new();
        write!(
            EscapeControl(&mut out),
            "a\x1b[31mred\x07\r\nb\tc\u{202e}d\u{7f}é日"
        )
        .unwrap();
        assert_eq!(out, "a\\u{1b}[31mred\\u{7}\\r\\nb\\tc\\u{202e}d\\u{7f}é日");
    }
}
