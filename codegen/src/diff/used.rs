//! `--used-by`: keeps the findings on items that the user's code names.
//!
//! The code is given as the set of identifiers it contains (collected by the
//! caller, e.g. with `syn`). Code written against the old client reaches types
//! it never names (the response of a method it calls, the fields of that
//! response), so members count as used when the code names the member and
//! reaches its type: by naming it, or by calling a method that takes or
//! returns it (directly or inside other types).

use super::model::Finding;
use super::generated::{touched_types, Models};
use std::collections::BTreeSet;

/// What the user's code names and reaches.
pub(crate) struct Usage<'n> {
    names: &'n BTreeSet<String>,
    /// Types the code reaches (old side: the code was written against it).
    touched: BTreeSet<String>,
}

impl<'n> Usage<'n> {
    pub fn new(names: &'n BTreeSet<String>, models: Option<&Models>) -> Self {
        let mut touched = BTreeSet::new();
        if let Some(m) = models {
            touched = touched_types(&m.old.model, names);
        }
        // Without models, a named type is all that is known to be reached.
        touched.extend(names.iter().cloned());
        Usage { names, touched }
    }

    fn named(&self, ident: &str) -> bool {
        self.names.contains(ident.trim_start_matches("r#"))
    }

    /// Whether the code uses one Rust item of a finding. `api_removed`: the
    /// finding says the item is gone, so a type counts only where it is named.
    fn uses_item(&self, item: &str, is_api: bool, api_removed: bool) -> bool {
        match item.split_once("::") {
            Some(("Client", method)) => self.named(method),
            Some((ty, "new")) => self.named(ty),
            Some((ty, member)) => self.named(member) && self.touched.contains(ty),
            None if api_removed => self.named(item),
            None if is_api => self.named(item) || self.touched.contains(item),
            // A wire change inside a type matters to code that reaches the type, named or not.
            None => self.touched.contains(item),
        }
    }

    /// Whether the code uses any item of the finding; findings on no Rust
    /// item (security, the document) concern every call and are kept.
    pub fn uses(&self, f: &Finding) -> bool {
        let is_api = f.rule.id().starts_with("api.");
        // A renamed item is gone under the name the code uses.
        let removed = matches!(f.rule, super::RuleId::ApiRemoved | super::RuleId::ApiRenamed);
        f.rust.is_empty() || f.rust.iter().any(|i| self.uses_item(i, is_api, removed))
    }
}
