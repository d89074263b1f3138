//! `oneOf`/`anyOf` unions: branches are matched by `$ref` name, then title, then
//! shape, then kind; matched branches are compared, the others are added or
//! removed variants. Also compares discriminators.

use super::flat::{Flat, Types, View};
use super::rules::RuleId;
use super::schema::Slot;
use super::walk::{component_name, Ctx, Dir, Doc, Loc, Node};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

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

/// The string values of a branch's enum, if it is a string enum.
fn string_values<'a>(doc: &Doc<'a>, node: &Node<'a>) -> Vec<&'a str> {
    body(doc, node).v.get("enum").and_then(Value::as_array).map(|l| l.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

/// Whether the generated client tells the branches apart by a tag (and so has an
/// `Unknown` fallback): every branch is an object, and there is an explicit
/// discriminator or a property every branch has as a string enum with values
/// no two branches share (the generator's inference).
fn tagged(doc: &Doc<'_>, branches: &[Node<'_>], discriminator: bool) -> bool {
    let flats: Vec<Flat<'_>> = branches.iter().map(|b| flat(doc, b)).collect();
    if branches.len() < 2 || flats.iter().any(|f| !f.union.is_empty() || (!f.types.has(Types::OBJECT) && f.props.is_empty())) {
        return false;
    }
    if discriminator {
        return true;
    }
    flats[0].props.keys().any(|key| {
        let mut seen = HashSet::new();
        flats.iter().all(|f| f.props.get(key).is_some_and(|p| {
            let values = string_values(doc, &p.node);
            !values.is_empty() && values.into_iter().all(|v| seen.insert(v))
        }))
    })
}

/// The known values of an open string: a union of at least one plain string
/// and string enums (model ids), which the client generates as a string newtype
/// with constants. `None` when the union is something else.
fn open_string<'a>(doc: &Doc<'a>, branches: &[Node<'a>]) -> Option<Vec<&'a Value>> {
    let mut plain = 0;
    let mut values: Vec<&'a Value> = Vec::new();
    for b in branches {
        let f = flat(doc, b);
        let stringy = f.union.is_empty() && (f.types == Types::STRING || (f.types == Types::ANY && f.enumeration.is_some()));
        match &f.enumeration {
            _ if !stringy => return None,
            None => plain += 1,
            Some(list) if list.iter().all(|v| v.is_string()) => values.extend(list.iter().filter(|v| !values.contains(v)).collect::<Vec<_>>()),
            Some(_) => return None,
        }
    }
    (plain >= 1 && branches.len() > 1).then_some(values)
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
        if let (false, false, Some(old_values), Some(new_values)) = (fo.union.is_empty(), fnew.union.is_empty(), open_string(&self.old, &ov), open_string(&self.new, &nv)) {
            self.open_values(&old_values, &new_values, loc, &oo.ptr, &no.ptr);
            return;
        }
        let disc = fnew.discriminator.as_ref().and_then(|d| d.str("propertyName"));
        self.discriminator(fo, fnew, &ov, &nv, loc);
        let olabels = labels(&self.old, &ov, disc);
        let nlabels = labels(&self.new, &nv, disc);
        let m = self.match_branches(&ov, &nv);
        for (i, j) in m.pairs {
            // A side that is not a union stands for itself: its attributes were compared already.
            let plain = fo.union.is_empty() || fnew.union.is_empty();
            let slot = if plain { Slot::SKIP_ATTRS } else { Slot::VALUE };
            self.schema_with(ov[i].clone(), nv[j].clone(), dir, &loc.seg(&format!("|{}", nlabels[j])), slot);
        }
        for i in m.removed {
            let label = &olabels[i];
            let (rule, what) = match dir {
                Dir::Request => (RuleId::RequestUnionVariantRemoved, "clients sending it are rejected"),
                Dir::Response => (RuleId::ResponseUnionVariantRemoved, "its Rust variant disappears"),
            };
            self.emit(rule, &loc.seg(&format!("|{label}")).text(), format!("variant `{label}` removed: {what}"), Some(&ov[i].ptr), Some(&no.ptr));
        }
        let absorbing = !fnew.union.is_empty() && (tagged(&self.new, &nv, fnew.discriminator.is_some()) || open_string(&self.new, &nv).is_some());
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
    fn open_values(&mut self, old: &[&Value], new: &[&Value], loc: &Loc, op: &str, np: &str) {
        for v in old.iter().filter(|v| !new.contains(v)) {
            let msg = format!("known value {v} removed: its constant disappears, any string is still accepted");
            self.emit(RuleId::OpenEnumValueRemoved, &loc.seg(&format!("={v}")).text(), msg, Some(op), Some(np));
        }
        for v in new.iter().filter(|v| !old.contains(v)) {
            self.emit(RuleId::OpenEnumValueAdded, &loc.seg(&format!("={v}")).text(), format!("known value {v} added"), Some(op), Some(np));
        }
    }

    fn discriminator(&mut self, fo: &Flat<'a>, fnew: &Flat<'a>, ov: &[Node<'a>], nv: &[Node<'a>], loc: &Loc) {
        let Some(od) = &fo.discriminator else { return };
        let Some(nd) = &fnew.discriminator else {
            let msg = format!("discriminator `{}` removed: the union is no longer tagged", od.str("propertyName").unwrap_or("?"));
            self.emit(RuleId::DiscriminatorPropertyChanged, &loc.text(), msg, Some(&od.ptr), None);
            return;
        };
        let (op, np) = (od.str("propertyName"), nd.str("propertyName"));
        if op != np {
            let msg = format!("discriminator property `{}` → `{}`: tagged values no longer match", op.unwrap_or("?"), np.unwrap_or("?"));
            self.emit(RuleId::DiscriminatorPropertyChanged, &loc.text(), msg, Some(&od.ptr), Some(&nd.ptr));
            return;
        }
        let old_tags = tags(&self.old, od, ov, op);
        let new_tags = tags(&self.new, nd, nv, np);
        for (t, a) in &old_tags {
            let same = |b: &str| a == b || self.same_component(a, b) || self.rename_candidate(a, b);
            let at = loc.seg(&format!("@{t}")).text();
            match new_tags.get(t) {
                Some(b) if same(b) => {}
                Some(b) => {
                    let msg = format!("discriminator tag `{t}` now maps to `{b}` instead of `{a}`");
                    self.emit(RuleId::DiscriminatorMappingChanged, &at, msg, Some(&od.ptr), Some(&nd.ptr));
                }
                None => {
                    if let Some((t2, _)) = new_tags.iter().find(|(_, b)| same(b)) {
                        let msg = format!("variant `{a}` is now tagged `{t2}` instead of `{t}`");
                        self.emit(RuleId::DiscriminatorMappingChanged, &at, msg, Some(&od.ptr), Some(&nd.ptr));
                    }
                }
            }
        }
    }
}

/// Tag → variant name: the explicit mapping, then each named branch by its tag property (or its name).
fn tags(doc: &Doc<'_>, disc: &Node<'_>, branches: &[Node<'_>], prop: Option<&str>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(mapping) = disc.v.get("mapping").and_then(Value::as_object) {
        for (t, target) in mapping {
            if let Some(target) = target.as_str() {
                out.insert(t.clone(), target.rsplit('/').next().unwrap_or(target).to_owned());
            }
        }
    }
    let names = labels(doc, branches, prop);
    for (b, name) in branches.iter().zip(names) {
        if out.values().any(|x| *x == name) {
            continue;
        }
        let f = flat(doc, b);
        let t = prop.and_then(|p| tag_value(doc, &f, p)).map_or_else(|| name.clone(), str::to_owned);
        out.entry(t).or_insert(name);
    }
    out
}
