//! Security: requirement lists (alternatives of scheme combinations) and the
//! security schemes they name.

use super::rules::RuleId;
use super::doc::{Node, Owner};
use super::walk::Ctx;
use crate::load::child;
use serde_json::Value;
use std::collections::BTreeSet;

/// The alternatives a requirement list accepts, each as text (`ApiKeyAuth`,
/// `a + b`, `oauth[read, write]`); an empty alternative means "no credentials".
/// An absent or empty list accepts calls without credentials.
pub(crate) fn requirements(list: Option<&Value>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for alt in list.and_then(Value::as_array).into_iter().flatten() {
        let Some(obj) = alt.as_object() else { continue };
        let mut parts: Vec<String> = obj
            .iter()
            .map(|(scheme, scopes)| {
                let mut scopes: Vec<&str> = scopes.as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                scopes.sort_unstable();
                if scopes.is_empty() {
                    scheme.clone()
                } else {
                    format!("{scheme}[{}]", scopes.join(", "))
                }
            })
            .collect();
        parts.sort();
        out.insert(parts.join(" + "));
    }
    if out.is_empty() {
        out.insert(String::new());
    }
    out
}

fn describe(alt: &str) -> String {
    if alt.is_empty() {
        "calling without credentials".to_owned()
    } else {
        format!("authenticating with `{alt}`")
    }
}

impl<'a> Ctx<'a> {
    /// Alternatives removed (breaking) and added (additive).
    pub(crate) fn compare_requirements(&mut self, old: &BTreeSet<String>, new: &BTreeSet<String>, at: &str, op: Option<&str>, np: Option<&str>) {
        for alt in old.difference(new) {
            self.emit(RuleId::SecurityRequirementRemoved, at, format!("{} is no longer accepted", describe(alt)), op, np);
        }
        for alt in new.difference(old) {
            self.emit(RuleId::SecurityRequirementAdded, at, format!("{} is now accepted", describe(alt)), op, np);
        }
    }

    /// The document-wide `security` list.
    pub(crate) fn global_security(&mut self) {
        let (o, n) = (self.old.root.get("security"), self.new.root.get("security"));
        if o.is_none() && n.is_none() {
            return;
        }
        self.owner = Owner::Document;
        let (os, ns) = (requirements(o), requirements(n));
        self.compare_requirements(&os, &ns, "security", Some("/security"), Some("/security"));
    }

    /// `components/securitySchemes`: a scheme that is gone or works differently.
    pub(crate) fn security_schemes(&mut self) {
        let base = "/components/securitySchemes";
        let (Some(old), new) = (self.old.root.pointer(base).and_then(Value::as_object), self.new.root.pointer(base).and_then(Value::as_object)) else { return };
        self.owner = Owner::Document;
        for (name, ov) in old {
            let ptr = child(base, name);
            let at = format!("securityScheme {name}");
            let on = self.old.resolve(&Node::new(ov, ptr.clone()));
            let Some(nv) = new.and_then(|m| m.get(name)) else {
                self.emit(RuleId::SecuritySchemeChanged, &at, format!("security scheme `{name}` removed"), Some(&ptr), None);
                continue;
            };
            let nn = self.new.resolve(&Node::new(nv, ptr.clone()));
            // HTTP auth scheme names and header names are case-insensitive.
            let get = |n: &Node<'_>, k: &str| n.str(k).map(|v| if matches!(k, "scheme") || (k == "name" && n.str("in") == Some("header")) { v.to_ascii_lowercase() } else { v.to_owned() });
            let changed: Vec<String> = ["type", "in", "name", "scheme"]
                .iter()
                .filter(|k| get(&on, k) != get(&nn, k))
                .map(|k| format!("{k} {} → {}", on.str(k).unwrap_or("(none)"), nn.str(k).unwrap_or("(none)")))
                .collect();
            if !changed.is_empty() {
                self.emit(RuleId::SecuritySchemeChanged, &at, format!("security scheme `{name}` changed: {}", changed.join(", ")), Some(&on.ptr), Some(&nn.ptr));
            }
        }
    }
}
