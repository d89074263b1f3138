//! The module (file) of `types` a type lives in: the API group whose
//! operations use it, so `types/chat.rs` holds chat's types and a file says
//! what part of the API it serves. Types re-export flat from `types`, so a
//! user's path (`openai_client::types::X`) does not depend on the module.

use std::collections::BTreeSet;

/// Types that several API groups use (or so many that they are compiled with
/// any feature).
pub const COMMON: &str = "common";
/// Types no operation uses (server events of the realtime API, ...).
pub const UNREFERENCED: &str = "unreferenced";

/// The module of a type used by the API groups (Cargo features) `features`.
/// `unreferenced` is no API group: a type an operation of one group uses and
/// a type no operation uses reaches lives with that group.
pub fn type_module(features: &BTreeSet<String>) -> String {
    let mut iter = api_groups(features);
    match (iter.next(), iter.next()) {
        (None, _) => UNREFERENCED.to_owned(),
        (Some(one), None) => group_module(one),
        _ => COMMON.to_owned(),
    }
}

/// The API groups among a type's features (all but `unreferenced`).
pub fn api_groups(features: &BTreeSet<String>) -> impl Iterator<Item = &String> {
    features.iter().filter(|f| f.as_str() != crate::ir::UNREFERENCED_FEATURE)
}

/// The module of one API group: its feature in `snake_case` (`fine-tuning` →
/// `fine_tuning`); characters a file-backed module cannot have (non-ASCII)
/// are spelled as their code (`u65e5`); a name that starts with a digit gets a
/// `group_` prefix, and one that is a keyword or one of the shared modules'
/// an `_api` suffix, as a feature that is one of the crate's own does.
pub fn group_module(feature: &str) -> String {
    let mut out = String::with_capacity(feature.len());
    for c in feature.chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            '-' | '_' => {
                if !out.is_empty() && !out.ends_with('_') {
                    out.push('_');
                }
            }
            c => {
                if !out.is_empty() && !out.ends_with('_') {
                    out.push('_');
                }
                out.push_str(&format!("u{:x}_", c as u32));
            }
        }
    }
    let mut out = out.trim_end_matches('_').to_owned();
    if out.is_empty() {
        out.push_str("group");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "group_");
    }
    if super::field_name(&out) != out || out == COMMON || out == UNREFERENCED || out == "mod" {
        out.push_str("_api");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_follow_the_api_group() {
        let set = |f: &[&str]| f.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<String>>();
        assert_eq!(type_module(&set(&["chat"])), "chat");
        assert_eq!(type_module(&set(&["fine-tuning"])), "fine_tuning");
        assert_eq!(type_module(&set(&["chat", "responses"])), COMMON);
        assert_eq!(type_module(&set(&[])), UNREFERENCED);
        // Behind `unreferenced` because a type no operation uses reaches it: not a second group.
        assert_eq!(type_module(&set(&["unreferenced"])), UNREFERENCED);
        assert_eq!(type_module(&set(&["unreferenced", "usage"])), "usage");
        assert_eq!(type_module(&set(&["chat", "unreferenced", "usage"])), COMMON);
        assert_eq!(group_module("type"), "type_api");
        assert_eq!(group_module("self"), "self_api");
        assert_eq!(group_module("common"), "common_api");
        assert_eq!(group_module("unreferenced"), "unreferenced_api");
        assert_eq!(group_module("日本"), "u65e5_u672c");
        assert_eq!(group_module("3d"), "group_3d");
        assert_eq!(group_module("http2-api"), "http2_api");
    }
}
