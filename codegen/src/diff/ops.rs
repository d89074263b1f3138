//! Paths and operations: what an operation takes (parameters, request body) and
//! what it returns (success responses), plus operation ids and deprecation.

use super::rules::RuleId;
use super::doc::{Dir, Loc, Node, Owner};
use super::walk::Ctx;
use crate::ir::Operation;
use crate::ir::PathSegment;
use crate::load::{child, parse_path_template};
use serde_json::Value;
use std::collections::BTreeMap;

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// `/a/{id}` and `/a/{name}` are the same path: the template as the generator
/// parses it ([`parse_path_template`], kept in each operation's
/// `path_segments`), with placeholders left unnamed. A malformed template is
/// its own key.
fn template_key(path: &str) -> String {
    match parse_path_template(path) {
        Ok(segments) => segments.iter().map(|s| match s {
            PathSegment::Literal(text) => text.as_str(),
            PathSegment::Param(_) => "{}",
        }).collect(),
        Err(_) => path.to_owned(),
    }
}

/// `application/json; charset=utf-8` and `Application/JSON` are the same media type.
fn media_key(media: &str) -> String {
    media.split(';').next().unwrap_or(media).trim().to_ascii_lowercase()
}

/// An operation's label, with its method name where it is generated.
fn describe(method: &str, op: &Node<'_>, generated: Option<&Operation>) -> String {
    match (op.str("operationId"), generated) {
        (Some(id), Some(g)) => format!("{} `{id}` (method `{}`)", method.to_uppercase(), g.rust_name),
        (Some(id), None) => format!("{} `{id}`", method.to_uppercase()),
        (None, Some(g)) => format!("{} (method `{}`)", method.to_uppercase(), g.rust_name),
        (None, None) => method.to_uppercase(),
    }
}

/// A map entry (its key as written and its value) on the old and the new side.
type Pair<'a> = (Option<(String, Node<'a>)>, Option<(String, Node<'a>)>);

/// The pairs of a map's entries present on one or both sides, by a key function.
fn pair_entries<'a>(old: Option<&Node<'a>>, new: Option<&Node<'a>>, key: impl Fn(&str) -> String) -> BTreeMap<String, Pair<'a>> {
    let mut out: BTreeMap<String, Pair<'a>> = BTreeMap::new();
    for (side, node) in [(0, old), (1, new)] {
        let Some(node) = node else { continue };
        let Some(map) = node.v.as_object() else { continue };
        for name in map.keys() {
            let Some(v) = node.get(name) else { continue };
            let slot = out.entry(key(name)).or_default();
            let entry = Some((name.clone(), v));
            if side == 0 {
                slot.0 = entry;
            } else {
                slot.1 = entry;
            }
        }
    }
    out
}

impl<'a> Ctx<'a> {
    /// The generated operation of `method` on `path`, on one side.
    fn generated(&self, old: bool, method: &str, path: &str) -> Option<&'a Operation> {
        let m = self.models?;
        if old { m.old.op(method, path) } else { m.new.op(method, path) }
    }

    /// Compares the `paths` of both documents.
    pub(crate) fn paths(&mut self) {
        let op = self.old.root.get("paths").map(|v| Node::new(v, "/paths"));
        let np = self.new.root.get("paths").map(|v| Node::new(v, "/paths"));
        let old_keys: Vec<String> = op.as_ref().and_then(|n| n.v.as_object()).map(|m| m.keys().cloned().collect()).unwrap_or_default();
        let new_keys: Vec<String> = np.as_ref().and_then(|n| n.v.as_object()).map(|m| m.keys().cloned().collect()).unwrap_or_default();
        // Exact spelling first, then the same template with other parameter names when that is unambiguous.
        let unique = |keys: &[String], k: &str| keys.iter().filter(|p| template_key(p) == k).count() == 1;
        let mut pairs: Vec<(Option<String>, Option<String>)> = Vec::new();
        let mut taken: Vec<&String> = Vec::new();
        for p in &old_keys {
            if new_keys.contains(p) {
                pairs.push((Some(p.clone()), Some(p.clone())));
                taken.push(p);
                continue;
            }
            let k = template_key(p);
            let found = new_keys.iter().find(|q| !old_keys.contains(q) && template_key(q) == k && unique(&old_keys, &k) && unique(&new_keys, &k));
            if let Some(q) = found {
                taken.push(q);
            }
            pairs.push((Some(p.clone()), found.cloned()));
        }
        for q in new_keys.iter().filter(|q| !taken.contains(q)) {
            pairs.push((None, Some(q.clone())));
        }
        for (o, n) in pairs {
            let on = o.as_ref().and_then(|p| op.as_ref()?.get(p));
            let nn = n.as_ref().and_then(|p| np.as_ref()?.get(p));
            match (on, nn) {
                (Some(on), Some(nn)) => self.path_item(n.as_deref().unwrap_or_default(), &on, &nn),
                (Some(on), None) => {
                    let path = o.unwrap_or_default();
                    let ops: Vec<String> = METHODS.iter().filter_map(|m| on.get(m).map(|op| describe(m, &op, self.generated(true, m, &path)))).collect();
                    self.owner = Owner::Path(path.clone());
                    let msg = format!("path removed with its operations: {}", if ops.is_empty() { "none".to_owned() } else { ops.join(", ") });
                    self.emit(RuleId::PathRemoved, &path, msg, Some(&on.ptr), None);
                }
                (None, Some(nn)) => {
                    let path = n.unwrap_or_default();
                    let ops: Vec<String> = METHODS.iter().filter_map(|m| nn.get(m).map(|op| describe(m, &op, self.generated(false, m, &path)))).collect();
                    self.owner = Owner::Path(path.clone());
                    self.emit(RuleId::PathAdded, &path, format!("path added with its operations: {}", ops.join(", ")), None, Some(&nn.ptr));
                }
                (None, None) => {}
            }
        }
        self.owner = Owner::Document;
    }

    fn path_item(&mut self, path: &str, oi: &Node<'a>, ni: &Node<'a>) {
        for m in METHODS {
            let label = format!("{} {path}", m.to_uppercase());
            self.owner = Owner::Op(label.clone());
            match (oi.get(m), ni.get(m)) {
                (Some(o), Some(n)) => self.operation(&label, m, path, oi, ni, &o, &n),
                (Some(o), None) => {
                    let msg = format!("operation {} removed: its method disappears and calls fail", describe(m, &o, self.generated(true, m, path)));
                    self.emit(RuleId::OperationRemoved, &label, msg, Some(&o.ptr), Some(&ni.ptr));
                }
                (None, Some(n)) => self.emit(RuleId::OperationAdded, &label, format!("operation {} added", describe(m, &n, self.generated(false, m, path))), Some(&oi.ptr), Some(&n.ptr)),
                (None, None) => {}
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(&mut self, label: &str, method: &str, path: &str, oi: &Node<'a>, ni: &Node<'a>, o: &Node<'a>, n: &Node<'a>) {
        let (op, np) = (Some(o.ptr.as_str()), Some(n.ptr.as_str()));
        let (oid, nid) = (o.str("operationId"), n.str("operationId"));
        if oid != nid {
            // The method names are the generator's (the Rust change itself is an api.* finding).
            let (om, nm) = (self.generated(true, method, path), self.generated(false, method, path));
            let show = |id: Option<&str>, g: Option<&Operation>| match (id, g) {
                (Some(id), Some(g)) => format!("`{id}` (method `{}`)", g.rust_name),
                (Some(id), None) => format!("`{id}`"),
                (None, _) => "(none)".to_owned(),
            };
            let renamed = match (om, nm) {
                (Some(a), Some(b)) if a.rust_name == b.rust_name => "the generated method keeps its name",
                _ => "the generated method is renamed",
            };
            let msg = format!("operationId {} → {}: {renamed}", show(oid, om), show(nid, nm));
            self.emit(RuleId::OperationIdChanged, label, msg, op, np);
        }
        self.deprecation(o.flag("deprecated"), n.flag("deprecated"), label, op, np);
        if self.options.docs && (o.str("summary") != n.str("summary") || o.str("description") != n.str("description")) {
            self.emit(RuleId::DocsDescriptionChanged, label, "summary or description changed".to_owned(), op, np);
        }
        if o.v.get("security").is_some() || n.v.get("security").is_some() {
            let global = |root: &Value| root.get("security").cloned();
            let (og, ng) = (global(self.old.root), global(self.new.root));
            let os = super::security::requirements(o.v.get("security").or(og.as_ref()));
            let ns = super::security::requirements(n.v.get("security").or(ng.as_ref()));
            self.compare_requirements(&os, &ns, &format!("{label} security"), op, np);
        }
        self.parameters(label, oi, ni, o, n);
        self.request_body(label, o, n);
        self.responses(label, o, n);
    }

    /// Path-level and operation-level parameters by (location, name); the operation's win.
    fn parameter_map(&self, old: bool, item: &Node<'a>, op: &Node<'a>) -> BTreeMap<(String, String), Node<'a>> {
        let doc = if old { &self.old } else { &self.new };
        let mut out = BTreeMap::new();
        for list in [item.items("parameters"), op.items("parameters")] {
            for p in list {
                let p = doc.resolve(&p);
                let (Some(name), Some(place)) = (p.str("name"), p.str("in")) else { continue };
                let name = if place == "header" { name.to_ascii_lowercase() } else { name.to_owned() };
                out.insert((place.to_owned(), name), p);
            }
        }
        out
    }

    fn parameters(&mut self, label: &str, oi: &Node<'a>, ni: &Node<'a>, o: &Node<'a>, n: &Node<'a>) {
        let old = self.parameter_map(true, oi, o);
        let new = self.parameter_map(false, ni, n);
        let required = |p: &Node<'_>| p.flag("required") || p.str("in") == Some("path");
        for (key, p) in &old {
            let at = format!("{label} parameter {}.{}", key.0, key.1);
            let Some(q) = new.get(key) else {
                let msg = format!("{} parameter `{}` removed: its argument disappears from the method", key.0, key.1);
                self.emit(RuleId::ParameterRemoved, &at, msg, Some(&p.ptr), Some(&n.ptr));
                continue;
            };
            match (required(p), required(q)) {
                (false, true) => self.emit(RuleId::ParameterRequired, &at, "now required: calls without it are rejected".to_owned(), Some(&p.ptr), Some(&q.ptr)),
                (true, false) => self.emit(RuleId::ParameterOptional, &at, "now optional: its argument becomes Option<T>".to_owned(), Some(&p.ptr), Some(&q.ptr)),
                _ => {}
            }
            self.deprecation(p.flag("deprecated"), q.flag("deprecated"), &at, Some(&p.ptr), Some(&q.ptr));
            if self.options.docs && p.str("description") != q.str("description") {
                self.emit(RuleId::DocsDescriptionChanged, &at, "description changed".to_owned(), Some(&p.ptr), Some(&q.ptr));
            }
            if let (Some(ps), Some(qs)) = (parameter_schema(p), parameter_schema(q)) {
                self.schema(ps, qs, Dir::Request, &Loc::root(at));
            }
        }
        for (key, q) in new.iter().filter(|(k, _)| !old.contains_key(*k)) {
            let at = format!("{label} parameter {}.{}", key.0, key.1);
            if required(q) {
                self.emit(RuleId::ParameterAddedRequired, &at, format!("required {} parameter `{}` added: old calls lack it", key.0, key.1), Some(&o.ptr), Some(&q.ptr));
            } else {
                self.emit(RuleId::ParameterAddedOptional, &at, format!("optional {} parameter `{}` added", key.0, key.1), Some(&o.ptr), Some(&q.ptr));
            }
        }
    }

    fn request_body(&mut self, label: &str, o: &Node<'a>, n: &Node<'a>) {
        let ob = o.get("requestBody").map(|b| self.old.resolve(&b));
        let nb = n.get("requestBody").map(|b| self.new.resolve(&b));
        let at = format!("{label} request");
        let (ob, nb) = match (ob, nb) {
            (None, None) => return,
            (None, Some(nb)) => {
                if nb.flag("required") {
                    self.emit(RuleId::RequestBodyAddedRequired, &at, "required request body added: old calls send none".to_owned(), Some(&o.ptr), Some(&nb.ptr));
                } else {
                    self.emit(RuleId::RequestBodyAddedOptional, &at, "optional request body added: the method signature changes".to_owned(), Some(&o.ptr), Some(&nb.ptr));
                }
                return;
            }
            (Some(ob), None) => {
                self.emit(RuleId::RequestBodyRemoved, &at, "request body removed: the body argument disappears".to_owned(), Some(&ob.ptr), Some(&n.ptr));
                return;
            }
            (Some(ob), Some(nb)) => (ob, nb),
        };
        if !ob.flag("required") && nb.flag("required") {
            self.emit(RuleId::RequestBodyRequired, &at, "request body now required: calls without it are rejected".to_owned(), Some(&ob.ptr), Some(&nb.ptr));
        }
        for (media, (om, nm)) in pair_entries(ob.get("content").as_ref(), nb.get("content").as_ref(), media_key) {
            let at = format!("{label} request {media}");
            let multipart = media.starts_with("multipart/");
            match (om, nm) {
                (Some((_, om)), Some((_, nm))) => {
                    if let (Some(os), Some(ns)) = (om.get("schema"), nm.get("schema")) {
                        self.schema(os, ns, Dir::Request, &Loc::root(at));
                    }
                }
                (Some((_, om)), None) if multipart => self.emit(RuleId::RequestMultipartRemoved, &at, format!("{media} no longer accepted: uploads are rejected"), Some(&om.ptr), Some(&nb.ptr)),
                (Some((_, om)), None) => self.emit(RuleId::RequestMediaTypeRemoved, &at, format!("{media} no longer accepted: clients sending it are rejected"), Some(&om.ptr), Some(&nb.ptr)),
                (None, Some((_, nm))) if multipart => self.emit(RuleId::RequestMultipartAdded, &at, format!("{media} now accepted: the generated call builds a form"), Some(&ob.ptr), Some(&nm.ptr)),
                (None, Some((_, nm))) => self.emit(RuleId::RequestMediaTypeAdded, &at, format!("{media} now accepted"), Some(&ob.ptr), Some(&nm.ptr)),
                (None, None) => {}
            }
        }
    }

    fn responses(&mut self, label: &str, o: &Node<'a>, n: &Node<'a>) {
        let pairs = pair_entries(o.get("responses").as_ref(), n.get("responses").as_ref(), str::to_owned);
        // Success responses as the generator reads them.
        for (code, (or, nr)) in pairs {
            if !crate::lower::is_success_status(&code) {
                continue;
            }
            let at = format!("{label} response {code}");
            match (or, nr) {
                (Some((_, or)), Some((_, nr))) => {
                    let (or, nr) = (self.old.resolve(&or), self.new.resolve(&nr));
                    self.response(&at, &or, &nr);
                }
                (Some((_, or)), None) => self.emit(RuleId::ResponseStatusRemoved, &at, format!("success status {code} removed: its response type disappears"), Some(&or.ptr), Some(&child(&n.ptr, "responses"))),
                (None, Some((_, nr))) => self.emit(RuleId::ResponseStatusAdded, &at, format!("success status {code} added: one more response to decode"), Some(&child(&o.ptr, "responses")), Some(&nr.ptr)),
                (None, None) => {}
            }
        }
    }

    fn response(&mut self, at: &str, or: &Node<'a>, nr: &Node<'a>) {
        if self.options.docs && or.str("description") != nr.str("description") {
            self.emit(RuleId::DocsDescriptionChanged, at, "description changed".to_owned(), Some(&or.ptr), Some(&nr.ptr));
        }
        for (media, (om, nm)) in pair_entries(or.get("content").as_ref(), nr.get("content").as_ref(), media_key) {
            let here = format!("{at} {media}");
            let stream = media == "text/event-stream";
            match (om, nm) {
                (Some((_, om)), Some((_, nm))) => {
                    if let (Some(os), Some(ns)) = (om.get("schema"), nm.get("schema")) {
                        self.schema(os, ns, Dir::Response, &Loc::root(here));
                    }
                }
                (Some((_, om)), None) if stream => self.emit(RuleId::ResponseStreamingRemoved, &here, "no longer streams: streaming calls fail".to_owned(), Some(&om.ptr), Some(&nr.ptr)),
                (Some((_, om)), None) => self.emit(RuleId::ResponseMediaTypeRemoved, &here, format!("{media} no longer returned: clients expecting it get something else"), Some(&om.ptr), Some(&nr.ptr)),
                (None, Some((_, nm))) if stream => self.emit(RuleId::ResponseStreamingAdded, &here, "can now stream: a streaming call appears".to_owned(), Some(&or.ptr), Some(&nm.ptr)),
                (None, Some((_, nm))) => self.emit(RuleId::ResponseMediaTypeAdded, &here, format!("{media} now returned as well"), Some(&or.ptr), Some(&nm.ptr)),
                (None, None) => {}
            }
        }
    }
}

/// A parameter's schema: `schema`, or the schema of its single `content` entry.
fn parameter_schema<'a>(p: &Node<'a>) -> Option<Node<'a>> {
    if let Some(s) = p.get("schema") {
        return Some(s);
    }
    let content = p.get("content")?;
    let first = content.v.as_object()?.keys().next()?.clone();
    content.get(&first)?.get("schema")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_and_media_types_normalise() {
        assert_eq!(template_key("/a/{id}/b/{x}"), "/a/{}/b/{}");
        assert_eq!(media_key("Application/JSON; charset=utf-8"), "application/json");
    }
}
