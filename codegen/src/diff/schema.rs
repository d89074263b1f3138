//! Compares two schemas at the same position, judging each change by direction:
//! a request value must still accept what old clients send, a response value
//! must still parse into the old generated type.

use super::flat::{Flat, Types, View};
use super::rules::RuleId;
use super::walk::{component_name, Ctx, Dir, Loc, Node};
use serde_json::Value;

/// How the set of accepted values moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rel {
    Same,
    Widened,
    Narrowed,
    Incompatible,
}

/// The rule for a change of a value's type, by direction and relation.
fn type_rule(dir: Dir, rel: Rel) -> Option<RuleId> {
    Some(match (dir, rel) {
        (_, Rel::Same) => return None,
        (Dir::Request, Rel::Incompatible) => RuleId::RequestTypeChanged,
        (Dir::Request, Rel::Narrowed) => RuleId::RequestTypeNarrowed,
        (Dir::Request, Rel::Widened) => RuleId::RequestTypeChangedCompatible,
        (Dir::Response, Rel::Incompatible | Rel::Widened) => RuleId::ResponseTypeChanged,
        (Dir::Response, Rel::Narrowed) => RuleId::ResponseTypeChangedCompatible,
    })
}

fn types_rel(old: Types, new: Types) -> Rel {
    match (new.accepts(old), old.accepts(new)) {
        (true, true) => Rel::Same,
        (true, false) => Rel::Widened,
        (false, true) => Rel::Narrowed,
        (false, false) => Rel::Incompatible,
    }
}

fn format_rel(old: Option<&str>, new: Option<&str>) -> Rel {
    match (old, new) {
        (a, b) if a == b => Rel::Same,
        (None, Some(_)) => Rel::Narrowed,
        (Some(_), None) => Rel::Widened,
        (Some("int32"), Some("int64")) | (Some("float"), Some("double")) => Rel::Widened,
        (Some("int64"), Some("int32")) | (Some("double"), Some("float")) => Rel::Narrowed,
        _ => Rel::Incompatible,
    }
}

/// Short text of a JSON value for messages.
pub(crate) fn show(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

impl<'a> Ctx<'a> {
    /// Compares the schemas `o` (old) and `n` (new) found at `loc`.
    pub(crate) fn schema(&mut self, o: Node<'a>, n: Node<'a>, dir: Dir, loc: &Loc) {
        self.schema_with(o, n, dir, loc, true);
    }

    /// Like [`Ctx::schema`]; `attrs: false` skips nullability, default and
    /// documentation of the position (already compared by the caller).
    pub(crate) fn schema_with(&mut self, o: Node<'a>, n: Node<'a>, dir: Dir, loc: &Loc, attrs: bool) {
        if !self.enter() {
            return;
        }
        self.schema_at(o, n, dir, loc, attrs);
        self.leave();
    }

    fn schema_at(&mut self, o: Node<'a>, n: Node<'a>, dir: Dir, loc: &Loc, attrs: bool) {
        let (ov, nv) = (View::of(o), View::of(n));
        if let (Some(a), Some(b)) = (component_name(ov.core.v), component_name(nv.core.v)) {
            // Both name a type: compare what sits beside the reference here, the types themselves once.
            if attrs {
                let (oa, na) = (Flat::attributes(&ov.outer, &ov.outer), Flat::attributes(&nv.outer, &nv.outer));
                self.attributes(&oa, &na, &ov.outer, &nv.outer, dir, loc);
            }
            if self.same_component(a, b) || self.rename_candidate(a, b) {
                self.component(a, b, dir);
                return;
            }
            let key = (a.to_owned(), b.to_owned(), dir);
            if !self.cross.insert(key.clone()) {
                return;
            }
            let mark = self.mark();
            let (ob, nb) = (self.old.resolve(&ov.core), self.new.resolve(&nv.core));
            self.body(&ob, &ob, &nb, &nb, dir, loc, attrs);
            self.cross.remove(&key);
            if self.mark() == mark {
                let rule = if dir == Dir::Request { RuleId::RequestTypeChangedCompatible } else { RuleId::ResponseTypeChangedCompatible };
                let msg = format!("now refers to `{b}` instead of `{a}` (same shape): the Rust type name changes");
                self.emit(rule, &loc.text(), msg, Some(&ov.outer.ptr), Some(&nv.outer.ptr));
            }
            return;
        }
        let ob = self.old.resolve(&ov.core);
        let nb = self.new.resolve(&nv.core);
        if component_name(ob.v).is_some() || component_name(nb.v).is_some() {
            return; // an unresolvable reference: nothing to compare
        }
        self.body(&ov.outer, &ob, &nv.outer, &nb, dir, loc, attrs);
    }

    /// Compares two resolved schema bodies.
    #[allow(clippy::too_many_arguments)]
    fn body(&mut self, oo: &Node<'a>, ob: &Node<'a>, no: &Node<'a>, nb: &Node<'a>, dir: Dir, loc: &Loc, attrs: bool) {
        let fo = Flat::build(&self.old, oo, ob);
        let fnew = Flat::build(&self.new, no, nb);
        if attrs {
            self.attributes(&fo, &fnew, oo, no, dir, loc);
        }
        let (ou, nu) = (!fo.union.is_empty(), !fnew.union.is_empty());
        if ou || nu {
            self.union(&fo, &fnew, oo, no, dir, loc);
            if ou && nu && !(fo.props.is_empty() && fnew.props.is_empty()) {
                self.object(&fo, &fnew, dir, loc, &ob.ptr, &nb.ptr);
            }
            return;
        }
        let rel = types_rel(fo.types, fnew.types);
        if let Some(rule) = type_rule(dir, rel) {
            let msg = format!("type {} → {}", fo.types.describe(), fnew.types.describe());
            self.emit(rule, &loc.text(), msg, Some(&ob.ptr), Some(&nb.ptr));
            if rel == Rel::Incompatible {
                return;
            }
        } else if let Some(rule) = type_rule(dir, format_rel(fo.format, fnew.format)) {
            let msg = format!("format {} → {}", fo.format.unwrap_or("(none)"), fnew.format.unwrap_or("(none)"));
            self.emit(rule, &loc.text(), msg, Some(&ob.ptr), Some(&nb.ptr));
        }
        self.enumeration(&fo, &fnew, dir, loc, &ob.ptr, &nb.ptr);
        if dir == Dir::Request {
            self.constraints(&fo, &fnew, loc, &ob.ptr, &nb.ptr);
        }
        if fo.types.has(Types::OBJECT) || fnew.types.has(Types::OBJECT) || !fo.props.is_empty() || !fnew.props.is_empty() {
            self.object(&fo, &fnew, dir, loc, &ob.ptr, &nb.ptr);
        }
        if let (Some(oi), Some(ni)) = (&fo.items, &fnew.items) {
            self.schema(oi.clone(), ni.clone(), dir, &loc.seg("[]"));
        }
    }

    /// Nullability, default, deprecation and documentation of one position.
    fn attributes(&mut self, fo: &Flat<'a>, fnew: &Flat<'a>, o: &Node<'a>, n: &Node<'a>, dir: Dir, loc: &Loc) {
        let (op, np) = (Some(o.ptr.as_str()), Some(n.ptr.as_str()));
        match (fo.nullable, fnew.nullable, dir) {
            (false, true, Dir::Request) => self.emit(RuleId::RequestTypeChangedCompatible, &loc.text(), "now nullable: the Rust type becomes Option<T>".to_owned(), op, np),
            (false, true, Dir::Response) => self.emit(RuleId::ResponseNullableAdded, &loc.text(), "now nullable: old non-Option types fail on null".to_owned(), op, np),
            (true, false, Dir::Request) => self.emit(RuleId::RequestTypeNarrowed, &loc.text(), "no longer nullable: clients sending null are rejected".to_owned(), op, np),
            (true, false, Dir::Response) => self.emit(RuleId::ResponseTypeChangedCompatible, &loc.text(), "no longer nullable: Option<T> becomes T".to_owned(), op, np),
            _ => {}
        }
        if fo.default != fnew.default {
            let show_opt = |v: Option<&Value>| v.map_or_else(|| "(none)".to_owned(), show);
            let msg = format!("default {} → {}", show_opt(fo.default), show_opt(fnew.default));
            self.emit(RuleId::DefaultChanged, &loc.text(), msg, op, np);
        }
        self.deprecation(fo.deprecated, fnew.deprecated, &loc.text(), op, np);
        if self.options.docs {
            if fo.description != fnew.description {
                self.emit(RuleId::DocsDescriptionChanged, &loc.text(), "description changed".to_owned(), op, np);
            }
            if fo.example != fnew.example {
                self.emit(RuleId::DocsExampleChanged, &loc.text(), "example changed".to_owned(), op, np);
            }
        }
    }

    /// `deprecated` turned on or off.
    pub(crate) fn deprecation(&mut self, old: bool, new: bool, loc: &str, op: Option<&str>, np: Option<&str>) {
        match (old, new) {
            (false, true) => self.emit(RuleId::DeprecationAdded, loc, "now deprecated".to_owned(), op, np),
            (true, false) => self.emit(RuleId::DeprecationRemoved, loc, "no longer deprecated".to_owned(), op, np),
            _ => {}
        }
    }

    fn enumeration(&mut self, fo: &Flat<'a>, fnew: &Flat<'a>, dir: Dir, loc: &Loc, op: &str, np: &str) {
        match (&fo.enumeration, &fnew.enumeration) {
            (None, None) => {}
            (None, Some(values)) => {
                let rule = type_rule(dir, Rel::Narrowed).expect("a change");
                let msg = format!("now restricted to the enum [{}]", values.iter().map(|v| show(v)).collect::<Vec<_>>().join(", "));
                self.emit(rule, &loc.text(), msg, Some(op), Some(np));
            }
            (Some(_), None) => {
                // A string enum with a catch-all already parses any string: only the Rust type changes.
                let rule = if dir == Dir::Response && fo.string_enum() { RuleId::ResponseTypeChangedCompatible } else { type_rule(dir, Rel::Widened).expect("a change") };
                self.emit(rule, &loc.text(), "enum restriction dropped: the Rust enum becomes a plain value".to_owned(), Some(op), Some(np));
            }
            (Some(old), Some(new)) => {
                for v in old.iter().filter(|v| !new.contains(v)) {
                    let (rule, what) = match dir {
                        Dir::Request => (RuleId::RequestEnumValueRemoved, "clients sending it are rejected and its variant disappears"),
                        Dir::Response => (RuleId::ResponseEnumValueRemoved, "its variant disappears"),
                    };
                    self.emit(rule, &loc.seg(&format!("={v}")).text(), format!("enum value {v} removed: {what}"), Some(op), Some(np));
                }
                for v in new.iter().filter(|v| !old.contains(v)) {
                    let at = loc.seg(&format!("={v}")).text();
                    match dir {
                        Dir::Request => self.emit(RuleId::RequestEnumValueAdded, &at, format!("enum value {v} added"), Some(op), Some(np)),
                        Dir::Response if fnew.string_enum() => {
                            let msg = format!("enum value {v} added: absorbed on the wire by the generated client's Unknown(String) catch-all; it becomes a new variant, so exhaustive matches need an arm");
                            self.emit_absorbed(RuleId::ResponseEnumValueAdded, &at, msg, Some(op), Some(np), Some(true));
                        }
                        Dir::Response => {
                            let msg = format!("enum value {v} added: not absorbed, a non-string enum has no catch-all and old types fail to parse it");
                            self.emit_absorbed(RuleId::ResponseEnumValueAddedUncaught, &at, msg, Some(op), Some(np), Some(false));
                        }
                    }
                }
            }
        }
    }

    /// Request bounds that now reject values old clients may send.
    fn constraints(&mut self, fo: &Flat<'a>, fnew: &Flat<'a>, loc: &Loc, op: &str, np: &str) {
        let mut tighter = Vec::new();
        for key in super::flat::CONSTRAINTS {
            let (a, b) = (fo.constraint(key), fnew.constraint(key));
            if a == b {
                continue;
            }
            let num = |v: Option<&Value>| v.and_then(Value::as_f64);
            let narrowed = match key {
                "minimum" | "minLength" | "minItems" | "minProperties" => b.is_some() && (a.is_none() || num(b) > num(a)),
                "maximum" | "maxLength" | "maxItems" | "maxProperties" => b.is_some() && (a.is_none() || num(b) < num(a)),
                "exclusiveMinimum" | "exclusiveMaximum" | "uniqueItems" => b == Some(&Value::Bool(true)),
                _ => b.is_some(), // pattern, multipleOf: new or different
            };
            if narrowed {
                let show_opt = |v: Option<&Value>| v.map_or_else(|| "(none)".to_owned(), show);
                tighter.push(format!("{key} {} → {}", show_opt(a), show_opt(b)));
            }
        }
        let old_open = fo.additional.as_ref().is_some_and(|a| a.v.is_object() || a.v == &Value::Bool(true));
        if old_open && fnew.additional.as_ref().is_some_and(|a| a.v == &Value::Bool(false)) {
            tighter.push("additional properties no longer accepted".to_owned());
        }
        if !tighter.is_empty() {
            self.emit(RuleId::RequestTypeNarrowed, &loc.text(), format!("accepts less: {}", tighter.join(", ")), Some(op), Some(np));
        }
    }

    /// Properties: presence, required-ness and their schemas.
    pub(crate) fn object(&mut self, fo: &Flat<'a>, fnew: &Flat<'a>, dir: Dir, loc: &Loc, op: &str, np: &str) {
        // allOf bases present on both sides are compared as types; their properties are reported there.
        let mut shared: Vec<(&'a str, &'a str)> = Vec::new();
        for a in &fo.bases {
            if let Some(b) = fnew.bases.iter().find(|b| self.same_component(a, b) || self.rename_candidate(a, b)) {
                shared.push((a, b));
            }
        }
        for (a, b) in &shared {
            self.component(a, b, dir);
        }
        let from_old_base = |owner: Option<&str>| owner.is_some_and(|o| shared.iter().any(|(a, _)| *a == o));
        let from_new_base = |owner: Option<&str>| owner.is_some_and(|o| shared.iter().any(|(_, b)| *b == o));
        for (name, p) in &fo.props {
            let at = loc.prop(name);
            let Some(q) = fnew.props.get(name) else {
                if from_old_base(p.owner) {
                    continue;
                }
                let was_required = fo.required.contains(name);
                let (rule, what) = match dir {
                    Dir::Request => (RuleId::RequestPropertyRemoved, "clients sending it may be rejected and the field disappears"),
                    Dir::Response if was_required => (RuleId::ResponsePropertyRemoved, "it was required, so old types fail to parse responses"),
                    Dir::Response => (RuleId::ResponsePropertyRemovedOptional, "the optional field disappears"),
                };
                self.emit(rule, &at.text(), format!("property `{name}` removed: {what}"), Some(&p.node.ptr), Some(np));
                continue;
            };
            if from_old_base(p.owner) && from_new_base(q.owner) {
                continue;
            }
            let (was, is) = (fo.required.contains(name), fnew.required.contains(name));
            let change = match (was, is, dir) {
                (false, true, Dir::Request) => Some((RuleId::RequestPropertyRequired, "now required: old clients may omit it")),
                (true, false, Dir::Request) => Some((RuleId::RequestPropertyOptional, "now optional: its field becomes Option<T>")),
                (true, false, Dir::Response) => Some((RuleId::ResponsePropertyOptional, "now optional: old types fail when it is absent")),
                (false, true, Dir::Response) => Some((RuleId::ResponseTypeChangedCompatible, "now required: its field becomes T instead of Option<T>")),
                _ => None,
            };
            if let Some((rule, what)) = change {
                self.emit(rule, &at.text(), format!("property `{name}` {what}"), Some(&p.node.ptr), Some(&q.node.ptr));
            }
            self.schema(p.node.clone(), q.node.clone(), dir, &at);
        }
        for (name, q) in &fnew.props {
            if fo.props.contains_key(name) || from_new_base(q.owner) {
                continue;
            }
            let at = loc.prop(name).text();
            let required = fnew.required.contains(name);
            let (rule, what) = match dir {
                Dir::Request if required => (RuleId::RequestPropertyAddedRequired, "required property added: old clients do not send it"),
                Dir::Request => (RuleId::RequestPropertyAddedOptional, "optional property added"),
                Dir::Response => (RuleId::ResponsePropertyAdded, "property added"),
            };
            self.emit(rule, &at, format!("{what}: `{name}`"), Some(op), Some(&q.node.ptr));
        }
        if let (Some(oa), Some(na)) = (&fo.additional, &fnew.additional) {
            if oa.v.is_object() && na.v.is_object() {
                self.schema(oa.clone(), na.clone(), dir, &loc.seg("{}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_is_a_number() {
        let int = Types::of_names(&["integer"]);
        let num = Types::of_names(&["number"]);
        assert_eq!(types_rel(int, num), Rel::Widened);
        assert_eq!(types_rel(num, int), Rel::Narrowed);
        assert_eq!(types_rel(Types::STRING, int), Rel::Incompatible);
        assert_eq!(types_rel(Types::ANY, Types::STRING), Rel::Narrowed);
        assert_eq!(format_rel(Some("int32"), Some("int64")), Rel::Widened);
        assert_eq!(format_rel(Some("date-time"), Some("uri")), Rel::Incompatible);
    }
}
