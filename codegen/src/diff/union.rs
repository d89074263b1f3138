//! `oneOf`/`anyOf` unions: branches are matched by `$ref` name, then title, then
//! shape, then kind; matched branches are compared, the others are added or
//! removed variants. What the generator made of a union (open string, tagged
//! enum with an `Unknown` fallback, untagged enum) and its tags are read from
//! the generated models, not inferred here.

use super::flat::{Flat, Types, View};
use super::rules::RuleId;
use super::schema::Slot;
use super::generated::Side;
use super::doc::{component_name, Dir, Doc, Loc, Node};
use super::walk::Ctx;
use crate::ir::{EnumValue, TaggedDef, TypeKind, TypeRef};
use serde_json::Value;
use std::collections::BTreeMap;

/// The component a branch names, looking through an `allOf` wrapper.
fn ref_name<'a>(node: &Node<'a>) -> Option<&'a str> {
    component_name(View::of(node.clone()).core.v)
}

fn body<'a>(doc: &Doc<'a>, node: &Node<'a>) -> Node<'a> {
    doc.resolve(&View::of(node.clone()).core)
}

/// The single string value of property `key` of an object branch (a tag), if it has one.
fn tag_value<'a>(doc: &Doc<'a>, f: &Flat<'a>, key: &str) -> Option<&'a str> {
    let prop = body(doc, &f.props.get(key)?.node);
    match prop.v.get("enum").and_then(Value::as_array).map(Vec::as_slice) {
        Some([Value::String(s)]) => Some(s.as_str()),
        _ => None,
    }
}

/// A tag of an object branch: the discriminator property, else `type`, else the first single-valued property.
fn tag<'a>(doc: &Doc<'a>, f: &Flat<'a>, preferred: Option<&str>) -> Option<(&'a str, &'a str)> {
    let keys: Vec<&'a str> = f.props.keys().copied().collect();
    let order = preferred.into_iter().chain(std::iter::once("type")).chain(keys.iter().copied());
    for key in order {
        if let (Some(k), Some(v)) = (keys.iter().find(|k| **k == key), tag_value(doc, f, key)) {
            return Some((k, v));
        }
    }
    None
}

fn flat<'a>(doc: &Doc<'a>, node: &Node<'a>) -> Flat<'a> {
    let b = body(doc, node);
    Flat::build(doc, &b, &b)
}

/// A branch's kind: its JSON type(s).
fn kind(doc: &Doc<'_>, node: &Node<'_>) -> String {
    let f = flat(doc, node);
    if !f.union.is_empty() {
        return "union".to_owned();
    }
    f.types.describe()
}

/// A branch's shape: its tag, or its property names, or its item kind, or type and format.
fn shape(doc: &Doc<'_>, node: &Node<'_>) -> String {
    let f = flat(doc, node);
    if !f.union.is_empty() {
        return format!("union of {}", f.union.len());
    }
    if f.types.has(Types::OBJECT) || !f.props.is_empty() {
        if let Some((k, v)) = tag(doc, &f, None) {
            return format!("object {k}={v}");
        }
        let mut names: Vec<&str> = f.props.keys().copied().chain(f.required.iter().copied()).collect();
        names.sort_unstable();
        names.dedup();
        return format!("object {{{}}}", names.join(","));
    }
    if f.types == Types::ARRAY {
        let inner = f.items.as_ref().map_or_else(|| "any".to_owned(), |i| ref_name(i).map_or_else(|| kind(doc, i), str::to_owned));
        return format!("array[{inner}]");
    }
    scalar(&f)
}

/// `string`, `string:date-time`, `string enum`.
fn scalar(f: &Flat<'_>) -> String {
    let format = f.format.map(|x| format!(":{x}")).unwrap_or_default();
    let enumeration = if f.enumeration.is_some() { " enum" } else { "" };
    format!("{}{format}{enumeration}", f.types.describe())
}

/// How a branch is named in locations and messages: its schema name, title, tag or kind.
fn labels(doc: &Doc<'_>, branches: &[Node<'_>], preferred: Option<&str>) -> Vec<String> {
    let raw: Vec<String> = branches
        .iter()
        .map(|b| {
            if let Some(name) = ref_name(b) {
                return name.to_owned();
            }
            let bd = body(doc, b);
            if let Some(t) = bd.str("title") {
                return t.to_owned();
            }
            let f = Flat::build(doc, &bd, &bd);
            if let Some((k, v)) = tag(doc, &f, preferred) {
                return format!("{k}={v}");
            }
            if f.union.is_empty() && !f.types.has(Types::OBJECT) && f.types != Types::ARRAY {
                return scalar(&f);
            }
            kind(doc, b)
        })
        .collect();
    raw.iter().enumerate().map(|(i, l)| if raw.iter().filter(|x| *x == l).count() > 1 { format!("{l}#{i}") } else { l.clone() }).collect()
}

/// What the generator made of a union: the kind of the type at the schema that
/// holds it, on one side (`None` without models or where nothing was generated).
fn kind_at<'m>(side: Option<&'m Side>, f: &Flat<'_>) -> Option<&'m TypeKind> {
    Some(&side?.type_at(&f.union_at.as_ref()?.ptr)?.kind)
}

/// Whether the generated enum absorbs values of an unknown variant: a tagged
/// union (its `Unknown` fallback), an open string (any string), or an untagged
/// union with a branch that holds any JSON value.
fn absorbs(kind: Option<&TypeKind>) -> bool {
    match kind {
        Some(TypeKind::Tagged(_) | TypeKind::OpenString(_)) => true,
        Some(TypeKind::Untagged(variants)) => variants.iter().any(|v| v.ty == TypeRef::Json),
        _ => false,
    }
}

/// Tag value → what the variant holds (its component schema's name, or its type's
/// Rust name), for a union the generator tags.
fn tag_map(side: &Side, t: &TaggedDef) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for v in &t.variants {
        let target = match &v.ty {
            // An inline schema by its longest name: its short name may change with titles and clashes elsewhere.
            TypeRef::Named(id) => crate::lower::component_name(id).unwrap_or_else(|| side.model.types.get(id).map_or_else(|| id.clone(), |d| d.long_name.clone())),
            other => format!("{other:?}"),
        };
        for value in &v.tag_values {
            out.entry(value.clone()).or_insert_with(|| target.clone());
        }
    }
    out
}

/// A schema and the leaves of the unions inside it (nested unions and `$ref`s
/// followed a few levels), for asking whether a union accepts a value.
fn leaves<'a>(doc: &Doc<'a>, branches: &[Node<'a>]) -> Vec<Node<'a>> {
    let mut out = Vec::new();
    let mut stack: Vec<(Node<'a>, usize)> = branches.iter().rev().map(|b| (b.clone(), 0)).collect();
    while let Some((b, depth)) = stack.pop() {
        let f = flat(doc, &b);
        if !f.union.is_empty() && depth < 8 {
            stack.extend(f.union.iter().rev().map(|x| (x.clone(), depth + 1)));
        } else {
            out.push(b);
        }
    }
    out
}

struct Matching {
    pairs: Vec<(usize, usize)>,
    removed: Vec<usize>,
    added: Vec<usize>,
}

impl<'a> Ctx<'a> {
    fn match_branches(&self, ov: &[Node<'a>], nv: &[Node<'a>]) -> Matching {
        let mut om: Vec<Option<usize>> = vec![None; ov.len()];
        let mut nm = vec![false; nv.len()];
        for (i, o) in ov.iter().enumerate() {
            let Some(a) = ref_name(o) else { continue };
            let found = (0..nv.len()).find(|&j| !nm[j] && ref_name(&nv[j]).is_some_and(|b| self.same_component(a, b)));
            if let Some(j) = found {
                om[i] = Some(j);
                nm[j] = true;
            }
        }
        type KeyFn<'k, 'a> = &'k dyn Fn(&Doc<'a>, &Node<'a>) -> Option<String>;
        let by_title: KeyFn<'_, 'a> = &|d, n| body(d, n).str("title").map(str::to_owned);
        let by_shape: KeyFn<'_, 'a> = &|d, n| Some(shape(d, n));
        let by_kind: KeyFn<'_, 'a> = &|d, n| Some(kind(d, n));
        for key in [by_title, by_shape, by_kind] {
            let ok: Vec<Option<String>> = ov.iter().enumerate().map(|(i, o)| if om[i].is_none() { key(&self.old, o) } else { None }).collect();
            let nk: Vec<Option<String>> = nv.iter().enumerate().map(|(j, n)| if !nm[j] { key(&self.new, n) } else { None }).collect();
            for i in 0..ov.len() {
                let Some(k) = &ok[i] else { continue };
                if ok.iter().filter(|x| x.as_ref() == Some(k)).count() != 1 {
                    continue;
                }
                let candidates: Vec<usize> = (0..nv.len()).filter(|&j| nk[j].as_ref() == Some(k)).collect();
                if let [j] = candidates[..] {
                    om[i] = Some(j);
                    nm[j] = true;
                }
            }
        }
        Matching {
            pairs: om.iter().enumerate().filter_map(|(i, j)| j.map(|j| (i, j))).collect(),
            removed: (0..ov.len()).filter(|&i| om[i].is_none()).collect(),
            added: (0..nv.len()).filter(|&j| !nm[j]).collect(),
        }
    }

    /// Compares two unions; a side that is not a union counts as a union of itself.
    pub(crate) fn union(&mut self, fo: &Flat<'a>, fnew: &Flat<'a>, oo: &Node<'a>, no: &Node<'a>, dir: Dir, loc: &Loc) {
        let ov = if fo.union.is_empty() { vec![oo.clone()] } else { fo.union.clone() };
        let nv = if fnew.union.is_empty() { vec![no.clone()] } else { fnew.union.clone() };
        let (old_kind, new_kind) = (kind_at(self.models.map(|m| &m.old), fo), kind_at(self.models.map(|m| &m.new), fnew));
        if let (Some(TypeKind::OpenString(old_values)), Some(TypeKind::OpenString(new_values))) = (old_kind, new_kind) {
            self.open_values(old_values, new_values, loc, &oo.ptr, &no.ptr);
            return;
        }
        let disc = fnew.discriminator.as_ref().and_then(|d| d.str("propertyName"));
        self.discriminator(old_kind, new_kind, fo, fnew, loc);
        let olabels = labels(&self.old, &ov, disc);
        let nlabels = labels(&self.new, &nv, disc);
        let m = self.match_branches(&ov, &nv);
        for (i, j) in m.pairs {
            // A side that is not a union stands for itself: its attributes were compared already.
            let plain = fo.union.is_empty() || fnew.union.is_empty();
            let slot = if plain { Slot::SKIP_ATTRS } else { Slot::VALUE };
            self.schema_with(ov[i].clone(), nv[j].clone(), dir, &loc.seg(&format!("|{}", nlabels[j])), slot);
        }
        let new_leaves = if m.removed.is_empty() || dir == Dir::Response { Vec::new() } else { leaves(&self.new, &nv) };
        for i in m.removed {
            let label = &olabels[i];
            if dir == Dir::Request && self.accepts(&new_leaves, &ov[i]) {
                continue; // what clients sent as this branch another branch still takes
            }
            let (rule, what) = match dir {
                Dir::Request => (RuleId::RequestUnionVariantRemoved, "clients sending it are rejected"),
                Dir::Response => (RuleId::ResponseUnionVariantRemoved, "its Rust variant disappears"),
            };
            self.emit(rule, &loc.seg(&format!("|{label}")).text(), format!("variant `{label}` removed: {what}"), Some(&ov[i].ptr), Some(&no.ptr));
        }
        let absorbing = !fnew.union.is_empty() && absorbs(new_kind);
        for j in m.added {
            let label = &nlabels[j];
            let at = loc.seg(&format!("|{label}")).text();
            match dir {
                Dir::Request => self.emit(RuleId::RequestUnionVariantAdded, &at, format!("variant `{label}` added"), Some(&oo.ptr), Some(&nv[j].ptr)),
                Dir::Response if absorbing => {
                    let msg = format!("variant `{label}` added: absorbed on the wire by the generated union's Unknown fallback; the enum is #[non_exhaustive], so matches compile, but such values now arrive as a new variant");
                    self.emit_absorbed(RuleId::ResponseUnionVariantAdded, &at, msg, Some(&oo.ptr), Some(&nv[j].ptr), Some(true));
                }
                Dir::Response => {
                    let msg = format!("variant `{label}` added: not absorbed, the union has no tag and the generated untagged enum no fallback");
                    self.emit_absorbed(RuleId::ResponseUnionVariantAddedUncaught, &at, msg, Some(&oo.ptr), Some(&nv[j].ptr), Some(false));
                }
            }
        }
    }

    /// Known values of an open string: removing one removes a constant, the wire accepts any string.
    fn open_values(&mut self, old: &[EnumValue], new: &[EnumValue], loc: &Loc, op: &str, np: &str) {
        let has = |list: &[EnumValue], v: &EnumValue| list.iter().any(|x| x.wire == v.wire);
        for v in old.iter().filter(|v| !has(new, v)) {
            let shown = Value::String(v.wire.clone());
            let msg = format!("known value {shown} removed: its constant `{}` disappears, any string is still accepted", v.rust_name);
            self.emit(RuleId::OpenEnumValueRemoved, &loc.seg(&format!("={shown}")).text(), msg, Some(op), Some(np));
        }
        for v in new.iter().filter(|v| !has(old, v)) {
            let shown = Value::String(v.wire.clone());
            self.emit(RuleId::OpenEnumValueAdded, &loc.seg(&format!("={shown}")).text(), format!("known value {shown} added"), Some(op), Some(np));
        }
    }

    /// Whether one of the new union's leaves takes every value of the old branch
    /// `b`: the same component, a plain string for any string branch, or a string
    /// enum with all of the branch's values.
    fn accepts(&self, new_leaves: &[Node<'a>], b: &Node<'a>) -> bool {
        let name = ref_name(b);
        let ob = flat(&self.old, b);
        let old_strings = ob.union.is_empty() && (ob.types == Types::STRING || (ob.types == Types::ANY && ob.string_enum()));
        new_leaves.iter().any(|leaf| {
            if let (Some(a), Some(n)) = (name, ref_name(leaf)) {
                if self.same_component(a, n) {
                    return true;
                }
            }
            let lf = flat(&self.new, leaf);
            if !old_strings || !lf.union.is_empty() || !(lf.types == Types::STRING || lf.types == Types::ANY && lf.string_enum()) || !lf.constraints.is_empty() || lf.format.is_some() && lf.format != ob.format {
                return false;
            }
            match (&ob.enumeration, &lf.enumeration) {
                (_, None) => lf.types == Types::STRING,
                (Some(old), Some(new)) => old.iter().all(|v| new.contains(v)),
                (None, Some(_)) => false,
            }
        })
    }

    /// The tag of a union the generator tags (explicit discriminator or inferred
    /// from the branches, as `lower` decides): a union no longer tagged, another
    /// tag property, a tag value that now selects another variant.
    fn discriminator(&mut self, old_kind: Option<&TypeKind>, new_kind: Option<&TypeKind>, fo: &Flat<'a>, fnew: &Flat<'a>, loc: &Loc) {
        let (Some(TypeKind::Tagged(ot)), Some(m)) = (old_kind, self.models) else { return };
        let (op, np) = (fo.union_at.as_ref().map(|n| n.ptr.clone()), fnew.union_at.as_ref().map(|n| n.ptr.clone()));
        let (op, np) = (op.as_deref(), np.as_deref());
        let Some(TypeKind::Tagged(nt)) = new_kind else {
            let msg = format!("the union is no longer told apart by its tag `{}`: the generated enum becomes untagged", ot.tag);
            self.emit(RuleId::DiscriminatorPropertyChanged, &loc.text(), msg, op, np);
            return;
        };
        if ot.tag != nt.tag {
            let msg = format!("discriminator property `{}` → `{}`: tagged values no longer match", ot.tag, nt.tag);
            self.emit(RuleId::DiscriminatorPropertyChanged, &loc.text(), msg, op, np);
            return;
        }
        let (old_tags, new_tags) = (tag_map(&m.old, ot), tag_map(&m.new, nt));
        for (t, a) in &old_tags {
            let same = |b: &str| a == b || self.same_component(a, b) || self.rename_candidate(a, b);
            let at = loc.seg(&format!("@{t}")).text();
            match new_tags.get(t) {
                Some(b) if same(b) => {}
                Some(b) => {
                    let msg = format!("discriminator tag `{t}` now maps to `{b}` instead of `{a}`");
                    self.emit(RuleId::DiscriminatorMappingChanged, &at, msg, op, np);
                }
                None => {
                    if let Some((t2, _)) = new_tags.iter().find(|(_, b)| same(b)) {
                        let msg = format!("variant `{a}` is now tagged `{t2}` instead of `{t}`");
                        self.emit(RuleId::DiscriminatorMappingChanged, &at, msg, op, np);
                    }
                }
            }
        }
    }
}
