//! Identifier cleanup in one place: case conversion, keywords, leading digits,
//! characters Rust does not allow, and clash resolution.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::BTreeSet;

/// Words that cannot be identifiers even as raw identifiers (`r#self` is invalid).
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Strict and reserved keywords of Rust 2021 (plus 2024's `gen`).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop",
    "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract",
    "become", "box", "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "gen",
];

/// Characters of a spec string that a Rust name is built from.
const MAX_NAME_CHARS: usize = 256;

/// Replaces characters that heck does not treat as separators (`.`, `/`, `+`, ...)
/// with `_`, and spells out a few that carry meaning in enum values.
fn words(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len().min(MAX_NAME_CHARS * 6));
    // A name is built from the first characters only, so case conversion costs
    // the same for any input (names longer than this are rejected at load where
    // they come from the spec's keys and names; titles are only bounded here).
    for c in raw.chars().take(MAX_NAME_CHARS) {
        match c {
            '+' => out.push_str("_plus_"),
            '*' => out.push_str("_star_"),
            c if c.is_alphanumeric() => out.push(c),
            _ => out.push('_'),
        }
    }
    out
}

/// A type or variant name: `UpperCamelCase`, never starting with a digit.
pub fn type_name(raw: &str) -> String {
    let mut name = words(raw).to_upper_camel_case();
    if name.is_empty() {
        name = "Empty".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if NOT_RAW.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// A field, method or parameter name: `snake_case`; keywords become raw
/// identifiers (`r#type`), `self` and friends get a trailing underscore.
pub fn field_name(raw: &str) -> String {
    let mut name = words(raw).to_snake_case();
    if name.is_empty() {
        name = "value".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if NOT_RAW.contains(&name.as_str()) {
        name.push('_');
    } else if KEYWORDS.contains(&name.as_str()) {
        name.insert_str(0, "r#");
    }
    name
}

/// A constant name: `SCREAMING_SNAKE_CASE`.
pub fn const_name(raw: &str) -> String {
    let mut name = field_name(raw).trim_start_matches("r#").trim_matches('_').to_uppercase();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if name == "SELF" {
        name.push('_');
    }
    name
}

/// Hands out names that are unique within one scope: the first claimant of a
/// name gets it, later ones get `2`, `3`, ... appended.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    taken: BTreeSet<String>,
}

impl Scope {
    /// A scope where `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Scope { taken: reserved.iter().map(|s| (*s).to_owned()).collect() }
    }

    /// Claims `wanted`, or the first free `wanted{n}`.
    pub fn claim(&mut self, wanted: &str) -> String {
        if self.taken.insert(wanted.to_owned()) {
            return wanted.to_owned();
        }
        // `r#type` + 2 is `type2`, which needs no raw prefix; `Self_` + 2 is
        // `Self2` (`Self_2` is not UpperCamelCase, and warns).
        let base = wanted.strip_prefix("r#").unwrap_or(wanted);
        let base = match base.trim_end_matches('_') {
            "" => base,
            trimmed => trimmed,
        };
        for n in 2.. {
            let candidate = format!("{base}{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
        unreachable!("an unbounded counter always finds a free name")
    }

    /// Whether a name is taken.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_identifiers() {
        assert_eq!(type_name("CreateChatCompletionRequest"), "CreateChatCompletionRequest");
        assert_eq!(type_name("gpt-3.5-turbo"), "Gpt35Turbo");
        assert_eq!(type_name("256x256"), "V256x256");
        assert_eq!(type_name("self"), "Self_");
        assert_eq!(type_name(""), "Empty");
        assert_eq!(type_name("thread.run.created"), "ThreadRunCreated");
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("1st"), "_1st");
        assert_eq!(field_name("logit_bias"), "logit_bias");
        assert_eq!(field_name("timestamp_granularities[]"), "timestamp_granularities");
        assert_eq!(field_name("Content-Type"), "content_type");
        assert_eq!(const_name("gpt-4o"), "GPT_4O");
        assert_eq!(const_name("3d"), "V3D");
    }

    #[test]
    fn resolves_clashes() {
        let mut scope = Scope::with_reserved(&["Unknown"]);
        assert_eq!(scope.claim("Unknown"), "Unknown2");
        assert_eq!(scope.claim("A"), "A");
        assert_eq!(scope.claim("A"), "A2");
        assert_eq!(scope.claim("A2"), "A22");
        let mut fields = Scope::default();
        assert_eq!(fields.claim("r#type"), "r#type");
        assert_eq!(fields.claim("r#type"), "type2");
        let mut types = Scope::default();
        assert_eq!(types.claim(&type_name("self")), "Self_");
        assert_eq!(types.claim(&type_name("Self")), "Self2");
        assert_eq!(fields.claim("self_"), "self_");
        assert_eq!(fields.claim("self_"), "self2");
    }
}
