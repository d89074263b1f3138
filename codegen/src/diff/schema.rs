//! Compares two schemas at the same position, judging each change by direction:
//! a request value must still accept what old clients send, a response value
//! must still parse into the old generated type.

use super::flat::{Flat, Types, View};
use super::rules::RuleId;
use super::doc::{component_name, Dir, Loc, Node};
use super::walk::Ctx;
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

/// A format change as the generated client sees it: integers are `i32` for
/// `int32` and `i64` otherwise; numbers are always `f64`; strings stay `String`,
/// so a string format only matters where the server validates it (requests).
fn format_rel(types: Types, old: Option<&str>, new: Option<&str>, dir: Dir) -> Rel {
    if old == new {
        return Rel::Same;
    }
    if types == Types::INTEGER {
        return match (old == Some("int32"), new == Some("int32")) {
            (true, false) => Rel::Widened,
            (false, true) => Rel::Narrowed,
            _ => Rel::Same,
        };
    }
    if types != Types::STRING || dir == Dir::Response {
        return Rel::Same;
    }
    match (old, new) {
        (_, None) => Rel::Same, // validation dropped: accepts more, same Rust type
        (None, Some(_)) => Rel::Narrowed,
        (Some(_), Some(_)) => Rel::Incompatible,
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

/// What kind of position is compared, for judging nullability: the generated
/// field type is `Option<T>` exactly when the property is optional or nullable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    /// Compare nullability, default and documentation here (false when the caller already did).
    pub attrs: bool,
    /// Whether the position is required on the old and new side (always true for
    /// anything but a property: bodies, items, map values).
    pub required: (bool, bool),
}

impl Slot {
    /// A body, array item or map value.
    pub const VALUE: Slot = Slot { attrs: true, required: (true, true) };
    /// A position whose attributes the caller compared already.
    pub const SKIP_ATTRS: Slot = Slot { attrs: false, required: (true, true) };

    /// A property, required or not on each side.
    pub fn property(was: bool, is: bool) -> Slot {
        Slot { attrs: true, required: (was, is) }
    }
}

impl<'a> Ctx<'a> {
    /// Compares the schemas `o` (old) and `n` (new) found at `loc`.
    pub(crate) fn schema(&mut self, o: Node<'a>, n: Node<'a>, dir: Dir, loc: &Loc) {
        self.schema_with(o, n, dir, loc, Slot::VALUE);
    }

    /// Like [`Ctx::schema`] for a position of the given kind.
    pub(crate) fn schema_with(&mut self, o: Node<'a>, n: Node<'a>, dir: Dir, loc: &Loc, slot: Slot) {
        if !self.enter() {
            return;
        }
        self.schema_at(o, n, dir, loc, slot);
        self.leave();
    }

    fn schema_at(&mut self, o: Node<'a>, n: Node<'a>, dir: Dir, loc: &Loc, slot: Slot) {
        let (ov, nv) = (View::of(o), View::of(n));
        // A component's own body counts as naming it below the component's root (depth 1).
        let named = |doc: &super::doc::Doc<'a>, node: &Node<'a>, depth: usize| if depth > 1 { doc.named_component(node) } else { component_name(node.v) };
        if let (Some(a), Some(b)) = (named(&self.old, &ov.core, self.depth), named(&self.new, &nv.core, self.depth)) {
            // Both name a type: compare what sits beside the reference here, the types themselves once.
            if slot.attrs {
                let (oa, na) = (Flat::attributes(&ov.outer, &ov.outer), Flat::attributes(&nv.outer, &nv.outer));
                self.attributes(&oa, &na, &ov.outer, &nv.outer, dir, loc, slot);
            }
            if self.same_component(a, b) || self.rename_candidate(a, b) {
                self.component(a, b, dir);
                return;
            }
            let key = (a.to_owned(), b.to_owned(), dir);
            let outermost = self.cross.is_empty();
            if !self.cross.insert(key.clone()) {
                return;
            }
            if outermost {
                // Inside this comparison, fields of A and B that name each other are implied by it.
                let rule = if dir == Dir::Request { RuleId::RequestTypeChangedCompatible } else { RuleId::ResponseTypeChangedCompatible };
                let msg = format!("now refers to `{b}` instead of `{a}`: the Rust type name changes");
                self.emit(rule, &loc.text(), msg, Some(&ov.outer.ptr), Some(&nv.outer.ptr));
            }
            let (ob, nb) = (self.old.resolve(&ov.core), self.new.resolve(&nv.core));
            self.body(&ob, &ob, &nb, &nb, dir, loc, slot);
            self.cross.remove(&key);
            return;
        }
        let ob = self.old.resolve(&ov.core);
        let nb = self.new.resolve(&nv.core);
        if component_name(ob.v).is_some() || component_name(nb.v).is_some() {
            return; // an unresolvable reference: nothing to compare
        }
        self.body(&ov.outer, &ob, &nv.outer, &nb, dir, loc, slot);
    }

    /// Compares two resolved schema bodies.
    #[allow(clippy::too_many_arguments)]
    fn body(&mut self, oo: &Node<'a>, ob: &Node<'a>, no: &Node<'a>, nb: &Node<'a>, dir: Dir, loc: &Loc, slot: Slot) {
        let fo = Flat::build(&self.old, oo, ob);
        let fnew = Flat::build(&self.new, no, nb);
        if slot.attrs {
            self.attributes(&fo, &fnew, oo, no, dir, loc, slot);
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
        } else if let Some(rule) = type_rule(dir, format_rel(fnew.types, fo.format, fnew.format, dir)) {
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
    #[allow(clippy::too_many_arguments)]
    fn attributes(&mut self, fo: &Flat<'a>, fnew: &Flat<'a>, o: &Node<'a>, n: &Node<'a>, dir: Dir, loc: &Loc, slot: Slot) {
        let (op, np) = (Some(o.ptr.as_str()), Some(n.ptr.as_str()));
        // The generated type is Option<T> for optional or nullable properties.
        let (was_option, is_option) = (!slot.required.0 || fo.nullable, !slot.required.1 || fnew.nullable);
        let at = loc.text();
        match (fo.nullable, fnew.nullable, dir) {
            (false, true, Dir::Request) if !was_option => self.emit(RuleId::RequestTypeChangedCompatible, &at, "now nullable: the Rust type becomes Option<T>".to_owned(), op, np),
            (false, true, Dir::Response) if !was_option => self.emit(RuleId::ResponseNullableAdded, &at, "now nullable: the generated non-Option type fails on null".to_owned(), op, np),
            (false, true, Dir::Response) => {
                let msg = "now nullable: absorbed, the generated field is already Option<T>".to_owned();
                self.emit_absorbed(RuleId::ResponseOptionAbsorbed, &at, msg, op, np, Some(true));
            }
            (true, false, Dir::Request) => self.emit(RuleId::RequestTypeNarrowed, &at, "no longer nullable: clients sending null are rejected".to_owned(), op, np),
            (true, false, Dir::Response) if !is_option => self.emit(RuleId::ResponseTypeChangedCompatible, &at, "no longer nullable: Option<T> becomes T".to_owned(), op, np),
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
        let (op, np) = (Some(op), Some(np));
        match (&fo.enumeration, &fnew.enumeration) {
            (None, None) => {}
            (None, Some(values)) => {
                let list = values.iter().map(|v| show(v)).collect::<Vec<_>>().join(", ");
                match dir {
                    Dir::Request => self.emit(RuleId::RequestTypeNarrowed, &loc.text(), format!("now restricted to the enum [{list}]"), op, np),
                    // Other enums are generated as plain numbers: nothing changes for them.
                    Dir::Response if fnew.string_enum() => {
                        let msg = format!("now the enum [{list}]: the String becomes an enum with an Unknown(String) catch-all");
                        self.emit(RuleId::ResponseTypeChangedCompatible, &loc.text(), msg, op, np);
                    }
                    Dir::Response => {}
                }
            }
            (Some(_), None) if fo.string_enum() => {
                let rule = if dir == Dir::Request { RuleId::RequestTypeChangedCompatible } else { RuleId::ResponseTypeChangedCompatible };
                self.emit(rule, &loc.text(), "enum restriction dropped: the Rust enum becomes a String".to_owned(), op, np);
            }
            (Some(_), None) => {}
            (Some(old), Some(new)) => {
                let string = fnew.string_enum();
                for v in old.iter().filter(|v| !new.contains(v)) {
                    let at = loc.seg(&format!("={v}")).text();
                    match dir {
                        Dir::Request => self.emit(RuleId::RequestEnumValueRemoved, &at, format!("enum value {v} removed: clients sending it are rejected and its variant disappears"), op, np),
                        Dir::Response if fo.string_enum() => self.emit(RuleId::ResponseEnumValueRemoved, &at, format!("enum value {v} removed: its variant disappears"), op, np),
                        Dir::Response => {}
                    }
                }
                for v in new.iter().filter(|v| !old.contains(v)) {
                    let at = loc.seg(&format!("={v}")).text();
                    match dir {
                        Dir::Request => self.emit(RuleId::RequestEnumValueAdded, &at, format!("enum value {v} added"), op, np),
                        Dir::Response => {
                            let how = if string {
                                "absorbed on the wire by the generated Unknown(String) catch-all; the enum is #[non_exhaustive], so matches compile, but the value now arrives as a new variant instead of Unknown"
                            } else {
                                "absorbed: non-string enums are generated as plain numbers"
                            };
                            self.emit_absorbed(RuleId::ResponseEnumValueAdded, &at, format!("enum value {v} added: {how}"), op, np, Some(true));
                        }
                    }
                }
            }
        }
    }

    /// Request bounds that now reject values old clients may send.
    fn constraints(&mut self, fo: &Flat<'a>, fnew: &Flat<'a>, loc: &Loc, op: &str, np: &str) {
        let mut tighter = Vec::new();
        // An integer bound at or beyond the range of the old Rust type rejects nothing old clients can send.
        let range = (fo.types == Types::INTEGER).then(|| match crate::lower::integer_type(fo.format) {
            crate::ir::TypeRef::I32 => (f64::from(i32::MIN), f64::from(i32::MAX)),
            _ => (i64::MIN as f64, i64::MAX as f64),
        });
        for key in super::flat::CONSTRAINTS {
            let (a, b) = (fo.constraint(key), fnew.constraint(key));
            if a == b {
                continue;
            }
            let num = |v: Option<&Value>| v.and_then(Value::as_f64);
            let narrowed = match key {
                "minimum" if range.zip(num(b)).is_some_and(|((min, _), b)| b <= min) => false,
                "maximum" if range.zip(num(b)).is_some_and(|((_, max), b)| b >= max) => false,
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
            self.base_component(a, b, dir);
            self.included(b, dir, loc, fnew.props.keys().copied().collect());
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
                self.removed_property(rule, loc, name, format!("property `{name}` removed: {what}"), &p.node.ptr, np, dir);
                continue;
            };
            if from_old_base(p.owner) && from_new_base(q.owner) {
                continue;
            }
            let (was, is) = (fo.required.contains(name), fnew.required.contains(name));
            let (was_option, is_option) = (!was || self.old.nullable(&p.node), !is || self.new.nullable(&q.node));
            let change = match (was, is, dir) {
                (false, true, Dir::Request) => Some((RuleId::RequestPropertyRequired, "now required: old clients may omit it")),
                (true, false, Dir::Request) if !was_option => Some((RuleId::RequestPropertyOptional, "now optional: its field becomes Option<T>")),
                (true, false, Dir::Response) if !was_option => Some((RuleId::ResponsePropertyOptional, "now optional: the generated non-Option field fails when it is absent")),
                (true, false, Dir::Response) => Some((RuleId::ResponseOptionAbsorbed, "now optional: absorbed, the generated field is already Option<T>")),
                (false, true, Dir::Response) if !is_option => Some((RuleId::ResponseTypeChangedCompatible, "now required: its field becomes T instead of Option<T>")),
                _ => None,
            };
            if let Some((rule, what)) = change {
                let absorbed = (rule == RuleId::ResponseOptionAbsorbed).then_some(true);
                self.emit_absorbed(rule, &at.text(), format!("property `{name}` {what}"), Some(&p.node.ptr), Some(&q.node.ptr), absorbed);
            }
            self.schema_with(p.node.clone(), q.node.clone(), dir, &at, Slot::property(was, is));
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
        assert_eq!(format_rel(int, Some("int32"), Some("int64"), Dir::Response), Rel::Widened);
        assert_eq!(format_rel(int, Some("int64"), Some("unixtime"), Dir::Response), Rel::Same);
        assert_eq!(format_rel(Types::STRING, Some("date-time"), Some("uri"), Dir::Request), Rel::Incompatible);
        assert_eq!(format_rel(Types::STRING, None, Some("uri"), Dir::Response), Rel::Same);
    }
}
