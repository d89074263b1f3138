//! Which `From` impls a union gets: one per value that has exactly one way
//! into it, through the union's own branches and the unions inside them, so
//! `InputItem::from(function_call_output)` works where the spec nests
//! `FunctionCallOutputItemParam` in `Item` inside `InputItem`, and
//! `.model("gpt-4.1")` works where the model id is a union of open strings.
//!
//! The rules (the README's "Conversions" section says the same):
//! - a type that is a branch of the union converts into that branch; a type
//!   that is not converts when exactly one branch reaches it (through inner
//!   unions, each choosing the same way). A type two branches reach, or two
//!   branches of the same type, is ambiguous: no impl, and a warning.
//! - `&str` and `String` convert when a branch takes any string (a string, an
//!   open string, or an inner union that does): the first such branch in
//!   decoding order, which is the branch decoding the same JSON string picks.
//!   Without one, a single closed enum branch takes them (through its catch-all
//!   for values it does not list); two such branches are ambiguous.
//! - `serde_json::Value` and free-form objects never convert implicitly (they
//!   are escape hatches: callers name the branch).

use super::{holds_file, is_file_union};
use crate::ir::*;
use std::collections::{BTreeMap, HashMap};

/// How deep conversions look into unions of unions (real specs nest two or
/// three; a hostile spec cannot make the search deep or slow).
const MAX_DEPTH: usize = 8;

/// What a `From` impl converts from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// `&str` and `String` (two impls, one route).
    Text,
    /// A value of this type (aliases resolved to what they name).
    Value(TypeRef),
}

/// One step of a route: the variant of a union a value is wrapped in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The union.
    pub union: TypeId,
    /// Its variant's Rust name.
    pub variant: String,
}

/// A `From` impl of a union: what it takes and the variants it wraps the
/// value in, from the union itself inwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// What it converts from.
    pub source: Source,
    /// The variants, outermost first; the first step's union is the union itself.
    pub route: Vec<Step>,
    /// Text that goes into a closed string enum (which keeps values it does
    /// not list in its catch-all variant), not into a string.
    pub closed: bool,
}

impl Conversion {
    /// The type the innermost variant holds, through aliases: what the value itself becomes.
    pub fn leaf<'m>(&self, model: &'m Model) -> Option<&'m TypeRef> {
        let step = self.route.last()?;
        branches(model.types.get(&step.union)?)?.into_iter().find(|(name, _)| *name == step.variant).map(|(_, ty)| crate::ir::through_aliases(ty, &model.types))
    }
}

/// A value several branches of a union lead to: no `From` impl for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguity {
    /// The value.
    pub source: Source,
    /// The union's branches (variant names) that reach it.
    pub branches: Vec<String>,
}

/// The conversions of one union.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversions {
    /// The `From` impls, text first, then by source type.
    pub from: Vec<Conversion>,
    /// Values left without an impl because two branches of this union reach
    /// them (reported once, here; unions that hold this one inherit the gap
    /// without a report of their own).
    pub ambiguous: Vec<Ambiguity>,
}

/// How a union reaches one source.
#[derive(Debug, Clone)]
enum Reach {
    /// One route (steps outermost first).
    One(Vec<Step>),
    /// Several branches of this union reach it.
    Many(Vec<String>),
    /// The one branch that reaches it is itself ambiguous.
    Inherited,
}

/// How a union takes strings.
#[derive(Debug, Clone)]
enum Text {
    /// A branch takes any string: the route to it.
    Open(Vec<Step>),
    /// Only closed enums take strings; one of them: the route to it.
    Closed(Vec<Step>),
    /// Only closed enums, more than one (or one that is itself ambiguous).
    Ambiguous(Vec<String>, bool),
}

/// What one union offers: its value routes and its text route.
#[derive(Debug, Clone, Default)]
struct Routes {
    values: BTreeMap<TypeRef, Reach>,
    text: Option<Text>,
}

/// The `From` impls of the type `id` (empty for anything but a union).
pub fn conversions(id: &TypeId, model: &Model) -> Conversions {
    let mut memo = HashMap::new();
    let routes = routes(id, model, 0, &mut memo);
    let mut out = Conversions::default();
    match &routes.text {
        Some(Text::Open(route)) => out.from.push(Conversion { source: Source::Text, route: route.clone(), closed: false }),
        Some(Text::Closed(route)) => out.from.push(Conversion { source: Source::Text, route: route.clone(), closed: true }),
        Some(Text::Ambiguous(branches, false)) => out.ambiguous.push(Ambiguity { source: Source::Text, branches: branches.clone() }),
        _ => {}
    }
    for (ty, reach) in &routes.values {
        let source = Source::Value(ty.clone());
        match reach {
            Reach::One(route) => out.from.push(Conversion { source, route: route.clone(), closed: false }),
            Reach::Many(branches) => out.ambiguous.push(Ambiguity { source, branches: branches.clone() }),
            Reach::Inherited => {}
        }
    }
    out
}

/// The type an alias names, through aliases of aliases (bounded); other
/// references as they are. Two references to one Rust type compare equal.
pub fn canonical(ty: &TypeRef, model: &Model) -> TypeRef {
    let mut ty = ty.clone();
    for _ in 0..32 {
        ty = match ty {
            TypeRef::Named(id) => match model.types.get(&id).map(|t| &t.kind) {
                Some(TypeKind::Alias(target)) => target.clone(),
                _ => return TypeRef::Named(id),
            },
            TypeRef::Array(inner) => return TypeRef::Array(Box::new(canonical(&inner, model))),
            TypeRef::Map(inner) => return TypeRef::Map(Box::new(canonical(&inner, model))),
            other => return other,
        };
    }
    ty
}

/// The branches of a union as (variant, payload), or `None` for other types.
fn branches(def: &TypeDef) -> Option<Vec<(&str, &TypeRef)>> {
    match &def.kind {
        TypeKind::Tagged(t) => Some(t.variants.iter().map(|v| (v.rust_name.as_str(), &v.ty)).collect()),
        TypeKind::Untagged(v) => Some(v.iter().map(|v| (v.rust_name.as_str(), &v.ty)).collect()),
        _ => None,
    }
}


/// Whether a payload of this type gets a `From` impl of its own: not strings
/// (the text route covers them) and not free-form JSON.
fn is_source(ty: &TypeRef) -> bool {
    !matches!(ty, TypeRef::String | TypeRef::Json | TypeRef::JsonObject | TypeRef::JsonInput)
}

fn routes(id: &TypeId, model: &Model, depth: usize, memo: &mut HashMap<TypeId, Routes>) -> Routes {
    if let Some(done) = memo.get(id) {
        return done.clone();
    }
    let Some(def) = model.types.get(id) else { return Routes::default() };
    let Some(variants) = branches(def) else { return Routes::default() };
    let file_union = is_file_union(def);
    let step = |variant: &str| Step { union: id.clone(), variant: variant.to_owned() };
    // Direct branches first: a branch's own type always converts into it.
    let mut direct: BTreeMap<TypeRef, Vec<&str>> = BTreeMap::new();
    for (variant, ty) in &variants {
        let ty = canonical(ty, model);
        // A form-field union converts from its file branches only.
        if is_source(&ty) && (!file_union || holds_file(&ty)) && ty != TypeRef::Named(id.clone()) {
            direct.entry(ty).or_default().push(variant);
        }
    }
    let mut nested: BTreeMap<TypeRef, Vec<(&str, Reach)>> = BTreeMap::new();
    let mut text: Option<Text> = None;
    let mut closed: Vec<(&str, Option<Vec<Step>>)> = Vec::new();
    if !file_union {
        for (variant, ty) in &variants {
            let ty = canonical(ty, model);
            let inner_def = match &ty {
                TypeRef::Named(inner) => model.types.get(inner),
                _ => None,
            };
            // Which strings this branch takes, in decoding order.
            let inner_text = match (&ty, inner_def.map(|d| &d.kind)) {
                (TypeRef::String, _) | (_, Some(TypeKind::OpenString(_))) => Some(Text::Open(Vec::new())),
                (_, Some(TypeKind::StringEnum(_))) => Some(Text::Closed(Vec::new())),
                _ => None,
            };
            let inner_routes = match (&ty, inner_def) {
                (TypeRef::Named(inner), Some(d)) if depth < MAX_DEPTH && branches(d).is_some() && !is_file_union(d) && inner != id => Some(routes(inner, model, depth + 1, memo)),
                _ => None,
            };
            let inner_text = inner_text.or_else(|| inner_routes.as_ref().and_then(|r| r.text.clone()));
            let wrap = |route: &[Step]| std::iter::once(step(variant)).chain(route.iter().cloned()).collect::<Vec<Step>>();
            match inner_text {
                Some(Text::Open(route)) if !matches!(text, Some(Text::Open(_))) => text = Some(Text::Open(wrap(&route))),
                Some(Text::Closed(route)) => closed.push((variant, Some(wrap(&route)))),
                Some(Text::Ambiguous(..)) => closed.push((variant, None)),
                _ => {}
            }
            for (source, reach) in inner_routes.map(|r| r.values).unwrap_or_default() {
                let reach = match reach {
                    Reach::One(route) => Reach::One(wrap(&route)),
                    _ => Reach::Inherited,
                };
                nested.entry(source).or_default().push((variant, reach));
            }
        }
    }
    if text.is_none() {
        text = match closed.as_slice() {
            [] => None,
            [(_, Some(route))] => Some(Text::Closed(route.clone())),
            [(_, None)] => Some(Text::Ambiguous(Vec::new(), true)),
            many => Some(Text::Ambiguous(many.iter().map(|(v, _)| (*v).to_owned()).collect(), false)),
        };
    }
    let mut values = BTreeMap::new();
    for (source, via) in &direct {
        let reach = match via.as_slice() {
            [one] => Reach::One(vec![step(one)]),
            many => Reach::Many(many.iter().map(|v| (*v).to_owned()).collect()),
        };
        values.insert(source.clone(), reach);
    }
    for (source, via) in nested {
        // A branch of the union's own type wins over the same type deeper
        // down, and the union never converts from itself.
        if direct.contains_key(&source) || source == TypeRef::Named(id.clone()) {
            continue;
        }
        let reach = match via.as_slice() {
            [(_, reach)] => reach.clone(),
            many => Reach::Many(many.iter().map(|(v, _)| (*v).to_owned()).collect()),
        };
        values.insert(source, reach);
    }
    let out = Routes { values, text };
    memo.insert(id.clone(), out.clone());
    out
}
