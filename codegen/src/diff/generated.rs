//! The generated Rust API of both sides: each document lowered to the
//! [`ir`](crate::ir) model with the codegen configuration (on two threads),
//! with the look-ups the walk needs (a schema's type, an operation's
//! methods, who uses a type). Everything about the Rust shape (names, union
//! kinds, Option-ness, signatures, feature gates) is read from here, never
//! re-derived from the documents.

use super::doc::Owner;
use crate::api::{self, ApiItem};
use crate::config::Config;
use crate::ir::{Model, Operation, TypeDef, TypeRef};
use crate::load::{child, unescape_token, Spec};
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One side's model and its indexes.
pub(crate) struct Side {
    pub model: Model,
    /// The public items the model generates ([`api::surface`]).
    pub(super) surface: BTreeMap<String, ApiItem>,
    /// Their feature gates ([`api::item_features`]).
    pub(super) features: BTreeMap<String, BTreeSet<String>>,
    /// `METHOD /path` → operation.
    ops: HashMap<String, usize>,
    /// Rust type name → type id.
    pub(super) by_name: HashMap<String, String>,
    /// `Client` method name (plain, streaming, alternative body) or parameter
    /// struct name → operation.
    by_method: HashMap<String, usize>,
    /// Type id → labels of the operations that reach it (computed on first use).
    uses: OnceCell<HashMap<String, BTreeSet<String>>>,
    /// Types reached from a response or stream event (computed on first use).
    responses: OnceCell<std::collections::HashSet<String>>,
}

/// `METHOD /path` of an operation, the label the walk groups findings under.
pub(crate) fn label(op: &Operation) -> String {
    format!("{} {}", op.method, op.path)
}

impl Side {
    fn new(model: Model) -> Side {
        let mut ops = HashMap::new();
        let mut by_method = HashMap::new();
        for (i, op) in model.operations.iter().enumerate() {
            ops.insert(label(op), i);
            let names = [Some(&op.rust_name), op.stream_method.as_ref(), op.alternative_body.as_ref().map(|(n, _)| n), op.params_type.as_ref()];
            for name in names.into_iter().flatten() {
                by_method.insert(name.clone(), i);
            }
        }
        let by_name = model.types.iter().map(|(id, t)| (t.rust_name.clone(), id.clone())).collect();
        let (surface, features) = (api::surface(&model), api::item_features(&model));
        Side { model, surface, features, ops, by_name, by_method, uses: OnceCell::new(), responses: OnceCell::new() }
    }

    /// The type generated for the schema at `ptr` (a JSON pointer of the document), if one is.
    pub fn type_at(&self, ptr: &str) -> Option<&TypeDef> {
        self.model.types.get(&format!("#{ptr}"))
    }

    /// The type of component schema `name`.
    pub fn component(&self, name: &str) -> Option<&TypeDef> {
        self.type_at(&child("/components/schemas", name))
    }

    /// The generated operation of `method` (any case) on `path`.
    pub fn op(&self, method: &str, path: &str) -> Option<&Operation> {
        self.ops.get(&format!("{} {path}", method.to_uppercase())).map(|&i| &self.model.operations[i])
    }

    /// Operations (labels) that reach the type `id` through parameters, bodies,
    /// responses and stream events, directly or through other types.
    pub fn uses_of(&self, id: &str) -> Option<&BTreeSet<String>> {
        self.uses.get_or_init(|| uses(&self.model)).get(id)
    }

    /// Whether a response or stream event reaches the type `id`.
    pub fn in_response(&self, id: &str) -> bool {
        self.responses
            .get_or_init(|| {
                let mut stack = Vec::new();
                for op in &self.model.operations {
                    if let crate::ir::ResponseKind::Json(ty) = &op.response {
                        named(ty, &mut stack);
                    }
                    if let Some(s) = &op.stream {
                        named(&s.event, &mut stack);
                    }
                }
                let mut seen = std::collections::HashSet::new();
                while let Some(id) = stack.pop() {
                    if let Some(t) = self.model.types.get(&id) {
                        if seen.insert(id) {
                            stack.extend(crate::lower::references(&t.kind, true));
                        }
                    }
                }
                seen
            })
            .contains(id)
    }

    /// Where an item of the surface belongs: its operation, or the component
    /// schema its type comes from; and the JSON pointer of what it came from.
    pub(super) fn home(&self, path: &str) -> Option<(Owner, String)> {
        let (head, _) = path.split_once("::").unwrap_or((path, ""));
        if head == "Client" {
            let method = path.trim_start_matches("Client::");
            let op = &self.model.operations[*self.by_method.get(method)?];
            return Some((Owner::Op(label(op)), child(&child("/paths", &op.path), &op.method.to_lowercase())));
        }
        if let Some(&i) = self.by_method.get(head) {
            let op = &self.model.operations[i];
            return Some((Owner::Op(label(op)), child(&child("/paths", &op.path), &op.method.to_lowercase())));
        }
        let id = self.by_name.get(head)?;
        let ptr = id.trim_start_matches('#').to_owned();
        Some((owner_of_pointer(&ptr), ptr))
    }

    /// The Rust type name of component schema `name`, if it generates one.
    pub fn component_type_name(&self, name: &str) -> Option<&str> {
        self.component(name).map(|t| t.rust_name.as_str())
    }
}

/// The component schema or operation a JSON pointer sits in.
fn owner_of_pointer(ptr: &str) -> Owner {
    let tokens: Vec<&str> = ptr.split('/').skip(1).collect();
    match tokens.as_slice() {
        ["components", "schemas", name, ..] => Owner::Schema(unescape_token(name)),
        ["paths", path, method, ..] => Owner::Op(format!("{} {}", method.to_uppercase(), unescape_token(path))),
        _ => Owner::Document,
    }
}

/// Type id → operations that reach it, one walk per operation over the types
/// it takes and returns (each type visited once per operation).
fn uses(model: &Model) -> HashMap<String, BTreeSet<String>> {
    let mut out: HashMap<String, BTreeSet<String>> = HashMap::new();
    for op in &model.operations {
        let l = label(op);
        let mut stack = Vec::new();
        for ty in op_types(op) {
            named(ty, &mut stack);
        }
        let mut seen = std::collections::HashSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            if let Some(t) = model.types.get(&id) {
                stack.extend(crate::lower::references(&t.kind, true));
            }
            out.entry(id).or_default().insert(l.clone());
        }
    }
    out
}

/// Every type reference an operation's methods take or return.
pub(crate) fn op_types(op: &Operation) -> Vec<&TypeRef> {
    let mut out: Vec<&TypeRef> = op.path_params.iter().chain(&op.params).map(|p| &p.ty).collect();
    out.extend(op.body.iter().chain(op.alternative_body.as_ref().map(|(_, b)| b)).map(|b| &b.ty));
    if let crate::ir::ResponseKind::Json(ty) = &op.response {
        out.push(ty);
    }
    if let Some(s) = &op.stream {
        out.push(&s.event);
    }
    out
}

/// The named types in `ty`, through arrays and maps.
pub(crate) fn named(ty: &TypeRef, out: &mut Vec<String>) {
    match ty {
        TypeRef::Named(id) => out.push(id.clone()),
        TypeRef::Array(inner) | TypeRef::Map(inner) => named(inner, out),
        _ => {}
    }
}

/// The generated Rust API of one document, as the diff compares it: its
/// model (lowered with the codegen configuration) and the model's public items.
/// [`GeneratedApi::of`] is the costly half of a diff; a caller that loads both
/// documents on two threads can build each side's right after loading it and
/// pass both to [`diff_generated`](super::diff_generated).
pub struct GeneratedApi(pub(crate) Result<Side, String>);

impl GeneratedApi {
    /// Lowers `spec` with `config` and lists its API; a spec that does not
    /// generate is kept as the reason (the diff then reports wire findings only).
    pub fn of(spec: &Spec, config: &Config) -> GeneratedApi {
        GeneratedApi(crate::lower::lower(spec, config).map(Side::new).map_err(|e| e.to_string()))
    }
}

impl std::fmt::Debug for GeneratedApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Ok(side) => write!(f, "GeneratedApi({} types, {} operations)", side.model.types.len(), side.model.operations.len()),
            Err(e) => write!(f, "GeneratedApi(error: {e})"),
        }
    }
}

/// Both sides' models.
pub(crate) struct Models {
    pub old: Side,
    pub new: Side,
}

impl Models {
    /// Lowers both documents and lists their APIs, the old one on a second thread.
    pub fn lower(old: &Spec, new: &Spec, config: &Config) -> Result<Models, String> {
        let (o, n) = std::thread::scope(|scope| {
            let handle = scope.spawn(|| GeneratedApi::of(old, config));
            let n = GeneratedApi::of(new, config);
            (handle.join().unwrap_or_else(|_| GeneratedApi(Err("lowering failed".to_owned()))), n)
        });
        Models::of(o, n)
    }

    /// Both sides, or why the APIs cannot be compared.
    pub fn of(old: GeneratedApi, new: GeneratedApi) -> Result<Models, String> {
        let note = |side: &str, e: &str| format!("the generated Rust APIs were not compared: the {side} document does not generate ({e}); only wire findings are reported");
        let old = old.0.map_err(|e| note("old", &e))?;
        let new = new.0.map_err(|e| note("new", &e))?;
        Ok(Models { old, new })
    }
}

/// Rust items of a wire finding's owner, for `--used-by`: the component's
/// type, or the methods of an operation or of every operation on a path.
pub(crate) fn owner_items(models: &Models, owner: &Owner) -> Vec<String> {
    let sides = [&models.old, &models.new];
    let mut out = BTreeSet::new();
    match owner {
        Owner::Schema(name) => {
            for side in sides {
                if let Some(t) = side.component(name) {
                    out.insert(t.rust_name.clone());
                }
            }
        }
        Owner::Op(l) => {
            for side in sides {
                if let Some(&i) = side.ops.get(l) {
                    out.insert(format!("Client::{}", side.model.operations[i].rust_name));
                }
            }
        }
        Owner::Path(path) => {
            for side in sides {
                for op in side.model.operations.iter().filter(|o| &o.path == path) {
                    out.insert(format!("Client::{}", op.rust_name));
                }
            }
        }
        Owner::Document => {}
    }
    out.into_iter().collect()
}

/// Type names (and parameter structs) reached from `names` in `model`: named
/// types, the types of named methods, and everything their fields and
/// variants hold. Code can touch members of these without naming their type.
pub(crate) fn touched_types(model: &Model, names: &BTreeSet<String>) -> BTreeSet<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut out = BTreeSet::new();
    for op in &model.operations {
        let methods = [Some(&op.rust_name), op.stream_method.as_ref(), op.alternative_body.as_ref().map(|(n, _)| n)];
        if methods.into_iter().flatten().any(|m| names.contains(m)) {
            for ty in op_types(op) {
                named(ty, &mut stack);
            }
            out.extend(op.params_type.clone());
        }
    }
    let ids: BTreeMap<&str, &String> = model.types.iter().map(|(id, t)| (t.rust_name.as_str(), id)).collect();
    stack.extend(names.iter().filter_map(|n| ids.get(n.as_str()).map(|id| (*id).clone())));
    let mut seen = std::collections::HashSet::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        if let Some(t) = model.types.get(&id) {
            out.insert(t.rust_name.clone());
            stack.extend(crate::lower::references(&t.kind, true));
        }
    }
    out
}
