//! Finds component schemas that were renamed without any other change: a name
//! that is gone and a new name whose content has the same shape, one to one.

use super::shape::fingerprint;
use super::doc::Doc;
use std::collections::HashMap;

/// Old name → new name for schemas that moved to a new name unchanged.
pub(crate) fn identical_renames(old: &Doc<'_>, new: &Doc<'_>) -> HashMap<String, String> {
    let (Some(old_schemas), Some(new_schemas)) = (old.schemas, new.schemas) else { return HashMap::new() };
    let mut added: HashMap<String, Vec<&str>> = HashMap::new();
    for (name, v) in new_schemas.iter().filter(|(n, v)| !old_schemas.contains_key(n.as_str()) && distinctive(v)) {
        added.entry(fingerprint(v)).or_default().push(name);
    }
    let mut removed: HashMap<String, Vec<&str>> = HashMap::new();
    for (name, v) in old_schemas.iter().filter(|(n, v)| !new_schemas.contains_key(n.as_str()) && distinctive(v)) {
        removed.entry(fingerprint(v)).or_default().push(name);
    }
    let mut out = HashMap::new();
    for (print, gone) in removed {
        if let (Some(new_names), [single]) = (added.get(&print), gone.as_slice()) {
            if let [target] = new_names.as_slice() {
                out.insert((*single).to_owned(), (*target).to_owned());
            }
        }
    }
    out
}

/// Bare scalars (`{type: string}`) look alike by chance; only structured schemas
/// are matched by content.
fn distinctive(v: &serde_json::Value) -> bool {
    ["properties", "enum", "oneOf", "anyOf", "allOf", "items"].iter().any(|k| v.get(*k).is_some())
}
