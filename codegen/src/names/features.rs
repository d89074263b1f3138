//! The Cargo features of the generated crate: one per API group, named
//! from the group's tag (or first path segment), never one of the names the
//! crate defines itself.

use crate::ir::UNREFERENCED_FEATURE;

/// Features the client crate defines itself (or that Cargo gives a meaning),
/// which an API group must not take.
/// (`cargo xtask`'s tests check that every feature the client's manifest
/// declares outside the generated region is here.)
pub const RESERVED_FEATURES: &[&str] = &[
    "default",
    "full",
    "rustls",
    "native-tls",
    "http2",
    "gzip",
    "brotli",
    "zstd",
    UNREFERENCED_FEATURE,
    "untagged",
    "realtime-ws",
    "structured-outputs",
];

/// The Cargo feature of an API group: its tag in kebab-case (`Fine-tuning` →
/// `fine-tuning`). An operation without a tag goes with the first segment of
/// its path (`/containers/{id}` → `containers`), so untagged endpoints still
/// sit behind a meaningful feature; `untagged` is left for paths with none.
/// Names the crate uses itself get an `-api` suffix.
pub fn feature_name(tag: Option<&str>, path: &str) -> String {
    use heck::ToKebabCase;
    // Cargo takes letters, digits and `-` (non-ASCII letters too); anything else is dropped.
    let clean = |s: &str| {
        s.chars()
            .take(64)
            .filter(|c| {
                c.is_ascii_alphanumeric()
                    || *c == '-'
                    || (!c.is_ascii() && c.is_alphabetic())
                    || c.is_whitespace()
                    || *c == '_'
            })
            .collect::<String>()
            .to_kebab_case()
    };
    let first_segment = || {
        path.split(['/', '?'])
            .find(|s| !s.is_empty() && !s.starts_with('{'))
            .map(str::to_owned)
    };
    match tag
        .map(clean)
        .filter(|t| !t.is_empty())
        .or_else(|| first_segment().map(|s| clean(&s)).filter(|s| !s.is_empty()))
    {
        Some(t) if RESERVED_FEATURES.contains(&t.as_str()) => format!("{t}-api"),
        Some(t) => t,
        None => "untagged".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::feature_name;

    #[test]
    fn features_come_from_the_tag_or_the_path_and_avoid_the_crates_own_names() {
        assert_eq!(
            feature_name(Some("Fine-tuning"), "/fine_tuning/jobs"),
            "fine-tuning"
        );
        assert_eq!(
            feature_name(Some("Vector stores"), "/vector_stores"),
            "vector-stores"
        );
        assert_eq!(
            feature_name(None, "/containers/{container_id}/files"),
            "containers"
        );
        assert_eq!(
            feature_name(None, "/content_provenance_checks"),
            "content-provenance-checks"
        );
        assert_eq!(
            feature_name(None, "/responses/compact?beta=true"),
            "responses"
        );
        assert_eq!(feature_name(None, "/{id}"), "untagged");
        for reserved in [
            "http2",
            "gzip",
            "brotli",
            "zstd",
            "default",
            "full",
            "rustls",
            "native-tls",
            "unreferenced",
            "untagged",
            "realtime-ws",
            "structured-outputs",
        ] {
            assert_eq!(
                feature_name(Some(reserved), "/x"),
                format!("{reserved}-api")
            );
        }
        assert_eq!(feature_name(Some("日本"), "/x"), "日本");
        assert_eq!(
            feature_name(Some("a²b"), "/x"),
            "ab",
            "only what Cargo accepts in a feature name"
        );
        assert_eq!(feature_name(Some("🚀"), "/rockets"), "rockets");
    }
}
