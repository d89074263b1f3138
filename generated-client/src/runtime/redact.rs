//! Keeping credentials out of `Debug` output.

use std::fmt;

/// Headers whose values are credentials and must never be printed.
pub(crate) fn is_sensitive(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie"
    ) || name.contains("api-key")
        || name.contains("token")
        || name.contains("secret")
}

/// `Debug` view of a header list that shows names and hides sensitive values.
pub(crate) struct RedactedHeaders<'a>(pub(crate) &'a [(String, String)]);

impl fmt::Debug for RedactedHeaders<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if is_sensitive(name) {
                map.entry(name, &"[redacted]");
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}

/// `Debug` view of a `HeaderMap` with sensitive values hidden.
pub(crate) struct RedactedHeaderMap<'a>(pub(crate) &'a reqwest::header::HeaderMap);

impl fmt::Debug for RedactedHeaderMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if is_sensitive(name.as_str()) || value.is_sensitive() {
                map.entry(&name.as_str(), &"[redacted]");
            } else {
                map.entry(&name.as_str(), &String::from_utf8_lossy(value.as_bytes()));
            }
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_credentials_only() {
        let headers = vec![
            ("Authorization".to_owned(), "Bearer sk-secret".to_owned()),
            ("X-Api-Key".to_owned(), "sk-secret".to_owned()),
            ("X-Trace".to_owned(), "visible".to_owned()),
        ];
        let text = format!("{:?}", RedactedHeaders(&headers));
        assert!(!text.contains("sk-secret"), "{text}");
        assert!(text.contains("visible"));
    }
}
