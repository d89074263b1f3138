//! Lowers schemas (JSON values of the normalised document) into named types and
//! type references of the [`ir`](crate::ir) model.
//!
//! Component schemas get their names first, in spec order, so their Rust names
//! never depend on where they are used. Inline schemas that need a name (objects,
//! enums, unions) are named after their parent and property and keyed by their
//! JSON pointer, so a schema reached twice (through `allOf`, say) is one type.

use crate::names::types::{NamePath, TypeNamer};
use crate::names::variants::{self, Branch, Shape};
use crate::names::{field_name, type_name, Scope};
use super::view::{Additional, View};
use crate::ir::*;
use crate::load::{child, unescape_token, Spec, SpecError};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Most leaves a union of unions is flattened into (the assistants stream
/// events, the largest real case, have about 30).
const MAX_LEAVES: usize = 512;

/// A lowered schema: the type, and whether `null` is allowed besides it.
#[derive(Debug, Clone, PartialEq)]
pub struct Lowered {
    pub ty: TypeRef,
    pub nullable: bool,
}

impl Lowered {
    fn of(ty: TypeRef) -> Self {
        Lowered { ty, nullable: false }
    }
}

pub struct SchemaLowerer<'s> {
    /// For error messages (file and line).
    pub spec: &'s Spec,
    /// The document being lowered (the spec's, or a copy the config patched).
    pub doc: &'s Value,
    pub types: BTreeMap<TypeId, TypeDef>,
    /// Rust names of the component schemas, by name in the spec.
    pub component_names: BTreeMap<String, String>,
    /// Where each inline type sits and its `title`: its name is decided once
    /// every type is known (see [`names::types`](crate::names::types)).
    pub inline_names: BTreeMap<TypeId, (NamePath, Option<String>)>,
    /// Candidate names of types.
    pub namer: TypeNamer,
    pub warnings: Vec<Warning>,
    /// Component ids used as multipart bodies: their binary strings are files.
    pub multipart: BTreeSet<TypeId>,
    /// Inline schemas already lowered, by pointer.
    done: HashMap<String, Lowered>,
    /// Pointers being lowered right now (cycle guard for inline refs).
    in_progress: BTreeSet<String>,
}

/// `#/components/schemas/Name` → `Name`.
pub fn component_name(reference: &str) -> Option<String> {
    let rest = reference.strip_prefix("#/components/schemas/")?;
    (!rest.contains('/')).then(|| unescape_token(rest))
}

impl<'s> SchemaLowerer<'s> {
    pub fn new(spec: &'s Spec, doc: &'s Value, multipart: BTreeSet<TypeId>) -> Self {
        SchemaLowerer {
            spec,
            doc,
            types: BTreeMap::new(),
            component_names: BTreeMap::new(),
            inline_names: BTreeMap::new(),
            namer: TypeNamer::default(),
            warnings: Vec::new(),
            multipart,
            done: HashMap::new(),
            in_progress: BTreeSet::new(),
        }
    }

    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(Warning { pointer: pointer.to_owned(), message: message.into() });
    }

    fn schemas(&self) -> Option<&'s serde_json::Map<String, Value>> {
        self.doc.pointer("/components/schemas").and_then(Value::as_object)
    }

    /// Names every component schema, then lowers each one.
    pub fn lower_components(&mut self) -> Result<(), SpecError> {
        let Some(schemas) = self.schemas() else { return Ok(()) };
        self.namer = TypeNamer::new(schemas.keys());
        let claimants: Vec<_> = schemas.keys().map(|name| self.namer.component(name)).collect();
        let names = crate::names::resolve(&claimants, &BTreeSet::new());
        for (name, resolved) in schemas.keys().zip(&names) {
            if resolved.numbered {
                let ptr = child("/components/schemas", name);
                self.warn(&ptr, format!("type name `{}` is numbered: the schema's name is another schema's in Rust", resolved.name));
            }
            self.component_names.insert(name.clone(), resolved.name.clone());
        }
        for ((name, schema), resolved) in schemas.iter().zip(names) {
            let rust_name = resolved.name;
            let ptr = child("/components/schemas", name);
            let id = format!("#{ptr}");
            let kind = self.definition(schema, &ptr, &NamePath::root(rust_name.clone()), self.multipart.contains(&id))?;
            let view = View::of(schema);
            self.types.insert(id, TypeDef { long_name: rust_name.clone(), rust_name, wire_name: name.clone(), doc: view.doc(), deprecated: view.deprecated(), kind, in_request: false, fits: false, features: Default::default(), used_by: Vec::new(), empty_value: false });
        }
        Ok(())
    }

    /// The shape of a schema that gets a name of its own, at `path`.
    fn definition(&mut self, schema: &Value, ptr: &str, path: &NamePath, multipart: bool) -> Result<TypeKind, SpecError> {
        let view = View::of(schema);
        if let Some(s) = self.structure(view, ptr, path, multipart)? {
            return Ok(if multipart { TypeKind::Multipart(s) } else { TypeKind::Struct(s) });
        }
        if let Some(kind) = self.nameable(view, ptr, path, multipart)? {
            return Ok(kind);
        }
        let lowered = self.lower_anonymous(schema, ptr, path, multipart)?;
        Ok(TypeKind::Alias(lowered.ty))
    }

    /// Lowers a schema in a position that may need a name (`hint` says where it sits).
    pub fn lower(&mut self, schema: &Value, ptr: &str, hint: &NamePath) -> Result<Lowered, SpecError> {
        self.lower_in(schema, ptr, hint, false)
    }

    /// Like [`lower`](Self::lower), in a multipart body (binary strings are files).
    pub fn lower_in(&mut self, schema: &Value, ptr: &str, hint: &NamePath, multipart: bool) -> Result<Lowered, SpecError> {
        let view = View::of(schema);
        if let Some(reference) = view.reference() {
            return self.lower_ref(reference, ptr, multipart);
        }
        if let Some(done) = self.done.get(ptr) {
            return Ok(done.clone());
        }
        // Objects and enums need a name: give them one keyed by this pointer.
        let needs_name = self.structure_like(view) || self.nameable_like(view);
        if needs_name {
            let id = format!("#{ptr}");
            // The final name is decided when every type is known; until then, the longest.
            let rust_name = hint.long();
            self.inline_names.insert(id.clone(), (hint.clone(), view.str("title").map(str::to_owned)));
            let lowered = Lowered { ty: TypeRef::Named(id.clone()), nullable: view.nullable() };
            self.done.insert(ptr.to_owned(), lowered.clone());
            let kind = self.definition(schema, ptr, hint, multipart)?;
            // An inline `allOf: [$ref]` wrapper is the referenced type, not a new one.
            if let TypeKind::Alias(TypeRef::Named(target)) = &kind {
                if !view.has_combinator() || view.list("allOf").len() == 1 {
                    self.inline_names.remove(&id);
                    let target_lowered = Lowered { ty: TypeRef::Named(target.clone()), nullable: view.nullable() || self.target_nullable(target) };
                    self.done.insert(ptr.to_owned(), target_lowered.clone());
                    return Ok(target_lowered);
                }
            }
            self.types.insert(id, TypeDef { long_name: rust_name.clone(), rust_name, wire_name: wire_from_pointer(ptr), doc: view.doc(), deprecated: view.deprecated(), kind, in_request: false, fits: false, features: Default::default(), used_by: Vec::new(), empty_value: false });
            return Ok(lowered);
        }
        let lowered = self.lower_anonymous(schema, ptr, hint, multipart)?;
        self.done.insert(ptr.to_owned(), lowered.clone());
        Ok(lowered)
    }

    fn target_nullable(&self, id: &str) -> bool {
        id.strip_prefix('#').and_then(|p| self.doc.pointer(p)).is_some_and(|v| View::of(v).nullable())
    }

    /// A `$ref`: component schemas are named types; other targets are lowered where they are.
    fn lower_ref(&mut self, reference: &str, ptr: &str, multipart: bool) -> Result<Lowered, SpecError> {
        let Some(target_ptr) = reference.strip_prefix('#') else {
            return Err(self.spec.error(ptr, format!("external reference `{reference}` is not supported; bundle the spec into one file")));
        };
        let Some(target) = self.doc.pointer(target_ptr) else {
            return Err(self.spec.error(&child(ptr, "$ref"), format!("`$ref` target `{reference}` does not exist")));
        };
        if component_name(reference).is_some() {
            return Ok(Lowered { ty: TypeRef::Named(reference.to_owned()), nullable: View::of(target).nullable() });
        }
        if self.in_progress.contains(target_ptr) {
            self.warn(ptr, format!("reference cycle through `{reference}` read as any JSON value"));
            return Ok(Lowered::of(TypeRef::Json));
        }
        self.in_progress.insert(target_ptr.to_owned());
        let hint = self.path_of_pointer(target_ptr);
        let result = self.lower_in(target, target_ptr, &hint, multipart);
        self.in_progress.remove(target_ptr);
        result
    }

    /// Follows `$ref`s to the schema they name (with a cycle guard).
    pub fn resolve<'v>(&self, mut schema: &'v Value, mut ptr: String) -> (&'v Value, String)
    where
        's: 'v,
    {
        for _ in 0..32 {
            let Some(reference) = View::of(schema).reference() else { break };
            let Some(target) = reference.strip_prefix('#').and_then(|p| self.doc.pointer(p)) else { break };
            schema = target;
            ptr = reference.trim_start_matches('#').to_owned();
        }
        (schema, ptr)
    }

    fn structure_like(&self, view: View) -> bool {
        if view.list("allOf").len() > 1 {
            return true;
        }
        view.is_object() && !view.has_combinator() && view.properties().is_some_and(|p| !p.is_empty())
    }

    fn nameable_like(&self, view: View) -> bool {
        let union = view.list("oneOf").len() + view.list("anyOf").len() > 1;
        let string_enum = view.ty().is_none_or(|t| t == "string") && view.enum_values().is_some_and(|e| e.iter().any(Value::is_string));
        union || string_enum
    }

    /// Objects with properties (or `allOf` of several parts) become structs.
    fn structure<'v>(&mut self, view: View<'v>, ptr: &str, owner: &NamePath, multipart: bool) -> Result<Option<StructDef>, SpecError>
    where
        's: 'v,
    {
        if !self.structure_like(view) {
            return Ok(None);
        }
        // The parts are borrowed from the document: big specs have many properties.
        let mut parts: Vec<(String, &'v Value, String, bool, NamePath)> = Vec::new(); // (name, schema, pointer, required, hint owner)
        let mut flattened: Vec<(&'v Value, String)> = Vec::new();
        let mut additional = None;
        let mut seen = BTreeSet::new();
        self.collect_properties(view, ptr, owner, &mut parts, &mut flattened, &mut additional, &mut seen, 0);
        let mut scope = Scope::default();
        let mut fields = Vec::with_capacity(parts.len());
        let mut by_wire: HashMap<String, usize> = HashMap::new();
        for (wire, schema, pptr, required, hint_owner) in parts {
            let hint = hint_owner.child(&wire);
            let lowered = self.lower_in(schema, &pptr, &hint, multipart)?;
            let v = View::of(schema);
            // A later `allOf` part restating a property refines it; keep one field.
            if let Some(&i) = by_wire.get(&wire) {
                let f: &mut Field = &mut fields[i];
                f.required |= required;
                continue;
            }
            by_wire.insert(wire.clone(), fields.len());
            fields.push(Field {
                rust_name: scope.claim(&field_name(&wire)),
                wire_name: wire,
                ty: lowered.ty,
                required,
                nullable: lowered.nullable,
                doc: v.doc(),
                deprecated: v.deprecated(),
                boxed: false,
                flatten: false,
                facts: super::facts::field_facts(schema),
            });
        }
        for (i, (schema, fptr)) in flattened.into_iter().enumerate() {
            let name = scope.claim(if i == 0 { "variant" } else { "variant_more" });
            let lowered = self.lower_in(schema, &fptr, &owner.child(&name), multipart)?;
            fields.push(Field { wire_name: String::new(), rust_name: name, ty: lowered.ty, required: true, nullable: false, doc: None, deprecated: false, boxed: false, flatten: true, facts: FieldFacts::default() });
        }
        let additional_ty = match &additional {
            Some((schema, aptr)) => Some(self.lower_in(schema, aptr, &owner.child("Value"), multipart)?.ty),
            None => None,
        };
        // A name in `required` that no property declares still arrives: keep it
        // as a field (of the `additionalProperties` type, or any JSON value).
        // (Not beside a flattened union: its branches declare names of their own.)
        let undeclared = if fields.iter().any(|f| f.flatten) { Vec::new() } else { undeclared_required(&fields, &self.required_names(view, ptr)) };
        for (wire, rptr) in undeclared {
            self.warn(&rptr, format!("`{wire}` is required but not declared in `properties`; generated as an optional field of {}", if additional_ty.is_some() { "the `additionalProperties` type" } else { "any JSON value" }));
            by_wire.insert(wire.clone(), fields.len());
            fields.push(Field {
                rust_name: scope.claim(&field_name(&wire)),
                wire_name: wire,
                ty: additional_ty.clone().unwrap_or(TypeRef::Json),
                // Optional in Rust: a spec that forgets to declare a name is not
                // a reason to make callers invent a value for it.
                required: false,
                nullable: false,
                doc: None,
                deprecated: false,
                boxed: false,
                flatten: false,
                facts: FieldFacts::default(),
            });
        }
        let has_flattened = fields.iter().any(|f| f.flatten);
        let unknown_fields = (additional_ty.is_none() && !multipart && !has_flattened).then(|| scope.claim("extra_fields"));
        let rules = self.field_rules(view, ptr);
        Ok(Some(StructDef { fields, additional: additional_ty, unknown_fields, rules }))
    }

    /// The constraint-only unions of an object and its `allOf` parts (through
    /// `$ref`s), as rules for the constructor's doc. Parts reached twice count once.
    fn field_rules(&self, view: View, ptr: &str) -> Vec<FieldRule> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        let mut stack = vec![(view.0.clone(), ptr.to_owned(), 0usize)];
        while let Some((schema, p, depth)) = stack.pop() {
            if depth > 32 || !seen.insert(p.clone()) {
                continue;
            }
            let v = View(&schema);
            if v.is_union() && constraint_only_union(v, |b| self.resolve(b, String::new()).0) {
                let exactly_one = v.list("oneOf").len() > v.list("anyOf").len();
                let branches: Vec<&Value> = v.list("oneOf").iter().chain(v.list("anyOf")).map(|b| self.resolve(b, String::new()).0).collect();
                let required: Vec<Vec<String>> = branches.iter().map(|b| View::of(b).required().map(str::to_owned).collect()).collect();
                let more = branches.iter().any(|b| View::of(b).0.keys().any(|k| !matches!(k.as_str(), "required" | "description" | "title") && !k.starts_with("x-")));
                if required.iter().any(|r| !r.is_empty()) {
                    out.push(FieldRule { exactly_one, branches: required, more });
                }
            }
            // Reversed onto the stack, so parts come off it in spec order.
            for (i, part) in v.list("allOf").iter().enumerate().rev() {
                let (resolved, rptr) = self.resolve(part, child(&child(&p, "allOf"), &i.to_string()));
                if let Value::Object(m) = resolved {
                    stack.push((m.clone(), rptr, depth + 1));
                }
            }
        }
        out
    }

    /// Gathers the properties of an object and of every `allOf` part, following `$ref`s.
    #[allow(clippy::too_many_arguments)]
    fn collect_properties<'v>(
        &mut self,
        view: View<'v>,
        ptr: &str,
        owner: &NamePath,
        parts: &mut Vec<(String, &'v Value, String, bool, NamePath)>,
        flattened: &mut Vec<(&'v Value, String)>,
        additional: &mut Option<(&'v Value, String)>,
        seen: &mut BTreeSet<String>,
        depth: usize,
    ) where
        's: 'v,
    {
        if !seen.insert(ptr.to_owned()) || depth > 32 {
            return;
        }
        for (i, part) in view.list("allOf").iter().enumerate() {
            let part_ptr = child(&child(ptr, "allOf"), &i.to_string());
            let (resolved, rptr) = self.resolve(part, part_ptr.clone());
            let rview = View::of(resolved);
            let part_owner = match View::of(part).reference().and_then(component_name) {
                Some(name) => self.component_rust_name(&name).map_or_else(|| owner.clone(), NamePath::root),
                None => owner.clone(),
            };
            if rview.is_object() || !rview.list("allOf").is_empty() && !rview.is_union() {
                self.collect_properties(rview, &rptr, &part_owner, parts, flattened, additional, seen, depth + 1);
            } else if rview.is_union() && constraint_only_union(rview, |b| self.resolve(b, String::new()).0) {
                // `anyOf: [{required: [a]}, {required: [b]}]` only restricts
                // which of the object's own properties must be present: no
                // data of its own, so no field and no constructor argument.
            } else if rview.is_union() {
                flattened.push((part, part_ptr));
            } else if !rview.0.is_empty() {
                self.warn(&part_ptr, "`allOf` part that is not an object is ignored in the merged struct".to_owned());
            }
        }
        if let Some(props) = view.properties() {
            for (name, schema) in props {
                let pptr = child(&child(ptr, "properties"), name);
                parts.push((name.clone(), schema, pptr, view.is_required(name), owner.clone()));
            }
        }
        // `required` may name properties that an `allOf` sibling declared.
        for r in view.required() {
            for p in parts.iter_mut() {
                if p.0 == r {
                    p.3 = true;
                }
            }
        }
        if let Additional::Schema(schema) = view.additional() {
            *additional = Some((schema, child(ptr, "additionalProperties")));
        }
    }

    /// Every name an object (and its `allOf` parts, through `$ref`s) lists in
    /// `required`, with the pointer of the list that names it.
    fn required_names<'v>(&self, view: View<'v>, ptr: &str) -> Vec<(String, String)>
    where
        's: 'v,
    {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        let mut stack = vec![(view, ptr.to_owned(), 0usize)];
        while let Some((v, p, depth)) = stack.pop() {
            if depth > 32 || !seen.insert(p.clone()) {
                continue;
            }
            for r in v.required() {
                out.push((r.to_owned(), child(&p, "required")));
            }
            for (i, part) in v.list("allOf").iter().enumerate() {
                let (resolved, rptr) = self.resolve(part, child(&child(&p, "allOf"), &i.to_string()));
                if let Value::Object(m) = resolved {
                    if !View(m).is_union() {
                        stack.push((View(m), rptr, depth + 1));
                    }
                }
            }
        }
        out
    }

    fn component_rust_name(&self, name: &str) -> Option<String> {
        self.component_names.get(name).cloned()
    }

    /// Where the schema at `ptr` sits, for naming: the component it is in and
    /// the steps down to it (`/components/schemas/A/properties/b` → `A`, `B`).
    fn path_of_pointer(&self, ptr: &str) -> NamePath {
        let tokens: Vec<String> = ptr.split('/').skip(1).map(unescape_token).collect();
        let (root, rest) = match tokens.iter().position(|t| t == "schemas") {
            Some(i) if i + 1 < tokens.len() => (self.component_rust_name(&tokens[i + 1]).unwrap_or_else(|| type_name(&tokens[i + 1])), &tokens[i + 2..]),
            _ => (type_name(tokens.first().map_or("", String::as_str)), tokens.get(1..).unwrap_or(&[])),
        };
        rest.iter().filter(|t| !matches!(t.as_str(), "properties" | "items" | "allOf" | "oneOf" | "anyOf" | "content" | "schema")).fold(NamePath::root(root), |p, t| p.child(t))
    }

    /// String enums, open strings and unions.
    fn nameable(&mut self, view: View, ptr: &str, path: &NamePath, multipart: bool) -> Result<Option<TypeKind>, SpecError> {
        let all_of = view.list("allOf");
        if all_of.len() == 1 && view.properties().is_none() {
            let lowered = self.lower(&all_of[0], &child(&child(ptr, "allOf"), "0"), &wrapped(path, "Base"))?;
            return Ok(Some(TypeKind::Alias(lowered.ty)));
        }
        if let Some(values) = view.enum_values() {
            if view.ty().is_none_or(|t| t == "string") && values.iter().any(Value::is_string) {
                return Ok(Some(TypeKind::StringEnum(string_enum(values))));
            }
        }
        for key in ["oneOf", "anyOf"] {
            let branches = view.list(key);
            if branches.len() > 1 {
                return self.union(view, branches, &child(ptr, key), path, multipart).map(Some);
            }
        }
        Ok(None)
    }

    fn union(&mut self, view: View, branches: &[Value], ptr: &str, path: &NamePath, multipart: bool) -> Result<TypeKind, SpecError> {
        let resolved: Vec<(&Value, String)> = branches.iter().enumerate().map(|(i, b)| self.resolve(b, child(ptr, &i.to_string()))).collect();

        // `anyOf: [string, enum]`: any string, with known values.
        if open_string(resolved.iter().map(|(v, _)| *v)) {
            let mut values: Vec<String> = Vec::new();
            for (v, _) in &resolved {
                for x in View::of(v).enum_values().unwrap_or(&[]) {
                    if let Some(s) = x.as_str() {
                        if !values.iter().any(|have| have == s) {
                            values.push(s.to_owned());
                        }
                    }
                }
            }
            let mut scope = Scope::default();
            let values = values.into_iter().map(|wire| EnumValue { rust_name: scope.claim(&crate::names::const_name(&wire)), wire }).collect();
            return Ok(TypeKind::OpenString(values));
        }

        // Unions of unions (assistants stream events) are told apart by the leaves' tags.
        let leaves = self.leaves(branches, ptr);
        if leaves.len() != branches.len() {
            let leaf_values: Vec<Value> = leaves.iter().map(|(v, _)| v.clone()).collect();
            let leaf_resolved: Vec<(&Value, String)> = leaf_values.iter().zip(&leaves).map(|(v, (_, p))| self.resolve(v, p.clone())).collect();
            if let Some(tagged) = self.tagged_with_pointers(View(&serde_json::Map::new()), &leaf_values, &leaf_resolved, &leaves.iter().map(|(_, p)| p.clone()).collect::<Vec<_>>(), path)? {
                return Ok(TypeKind::Tagged(tagged));
            }
        }
        let pointers: Vec<String> = (0..branches.len()).map(|i| child(ptr, &i.to_string())).collect();
        if let Some(tagged) = self.tagged_with_pointers(view, branches, &resolved, &pointers, path)? {
            return Ok(TypeKind::Tagged(tagged));
        }

        // Names first (from what each branch is), so a branch's inline type is named after its variant.
        let facts: Vec<Branch> = branches
            .iter()
            .zip(&resolved)
            .map(|(b, (r, _))| Branch {
                // A one-value string branch (`"auto"` beside an integer) is named by its value.
                value: View::of(r).enum_values().filter(|e| e.len() == 1).and_then(|e| e[0].as_str()).filter(|_| View::of(b).reference().is_none()).map(str::to_owned),
                title: View::of(b).str("title").map(str::to_owned),
                shape: self.shape(b, multipart, 0),
            })
            .collect();
        let names = variants::untagged(&facts, &path.long());
        let mut variants = Vec::with_capacity(branches.len());
        for (i, (b, name)) in branches.iter().zip(names).enumerate() {
            let bptr = child(ptr, &i.to_string());
            if name.numbered {
                self.warn(&bptr, format!("variant name `{}` is numbered: every name for this branch is another branch's", name.name));
            }
            let lowered = self.lower_in(b, &bptr, &path.variant(&name.name), multipart)?;
            // serde tries untagged variants in order and structs ignore unknown
            // fields, so an object that requires more fields must be tried before
            // one that requires fewer (verbose transcription before plain), and
            // anything-goes payloads come last.
            let required = self.object_properties(resolved[i].0, &resolved[i].1).map_or(0, |p| p.values().filter(|(_, r)| *r).count());
            let anything = matches!(lowered.ty, TypeRef::Json | TypeRef::JsonObject);
            variants.push((anything, std::cmp::Reverse(required), UnionVariant { rust_name: name.name, ty: lowered.ty }));
        }
        variants.sort_by_key(|(anything, required, _)| (*anything, *required));
        Ok(TypeKind::Untagged(variants.into_iter().map(|(_, _, v)| v).collect()))
    }

    /// What a union branch holds, for its variant's name (following `$ref`s
    /// to schemas that are not components, and one-branch wrappers).
    fn shape(&self, schema: &Value, multipart: bool, depth: usize) -> Shape {
        if depth > 16 {
            return Shape::Value;
        }
        let view = View::of(schema);
        if let Some(reference) = view.reference() {
            let target = reference.strip_prefix('#').and_then(|p| self.doc.pointer(p));
            return match (component_name(reference), target) {
                (Some(name), _) => Shape::Named { name: self.component_rust_name(&name).unwrap_or_else(|| type_name(&name)), title: target.and_then(|t| View::of(t).str("title")).map(str::to_owned) },
                (None, Some(target)) => self.shape(target, multipart, depth + 1),
                (None, None) => Shape::Value,
            };
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            if let [only] = view.list(key) {
                if view.properties().is_none() && view.list("allOf").len() + view.list("oneOf").len() + view.list("anyOf").len() == 1 {
                    return self.shape(only, multipart, depth + 1);
                }
            }
        }
        if self.structure_like(view) {
            return Shape::Object(view.properties().and_then(|p| p.keys().next()).cloned());
        }
        if view.list("oneOf").len() + view.list("anyOf").len() > 1 {
            let branches = view.list("oneOf").iter().chain(view.list("anyOf")).map(|b| self.resolve(b, String::new()).0);
            return if open_string(branches) { Shape::Text } else { Shape::Union };
        }
        if self.nameable_like(view) {
            return Shape::Mode;
        }
        match view.ty() {
            Some("string") if multipart && view.format() == Some("binary") => Shape::File,
            Some("string") => Shape::Text,
            Some("integer") => Shape::Integer,
            Some("number") => Shape::Number,
            Some("boolean") => Shape::Boolean,
            Some("array") => Shape::Array(Box::new(view.get("items").map_or(Shape::Value, |items| self.shape(items, multipart, depth + 1)))),
            Some("object") | None if view.is_object() => match view.additional() {
                Additional::Schema(s) => Shape::Map(Box::new(self.shape(s, multipart, depth + 1))),
                _ => Shape::Object(None),
            },
            _ => Shape::Value,
        }
    }

    /// A discriminated union: from `discriminator`, or inferred when every branch
    /// is an object with a single-valued enum property whose values differ.
    fn tagged_with_pointers(&mut self, view: View, branches: &[Value], resolved: &[(&Value, String)], pointers: &[String], path: &NamePath) -> Result<Option<TaggedDef>, SpecError> {
        if !resolved.iter().all(|(v, p)| self.object_properties(v, p).is_some()) {
            if view.get("discriminator").is_some() {
                let ptr = pointers.first().map_or("", |p| p.rsplit_once('/').map_or("", |(a, _)| a)).to_owned();
                self.warn(&ptr, "discriminator over branches that are not all objects; read as an untagged union".to_owned());
            }
            return Ok(None);
        }
        let props: Vec<BTreeMap<String, (Vec<String>, bool)>> = resolved.iter().map(|(v, p)| self.object_properties(v, p).unwrap_or_default()).collect();
        let discriminator = view.get("discriminator");
        let tag = match discriminator.and_then(|d| d.get("propertyName")).and_then(Value::as_str) {
            Some(t) => t.to_owned(),
            None => match infer_tag(&props) {
                Some(t) => t,
                None => return Ok(None),
            },
        };
        let mapping: Vec<(String, String)> = discriminator
            .and_then(|d| d.get("mapping"))
            .and_then(Value::as_object)
            .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
            .unwrap_or_default();
        let mut all_values = BTreeSet::new();
        let mut branch_values = Vec::with_capacity(branches.len());
        for (i, b) in branches.iter().enumerate() {
            let bptr = &pointers[i];
            let reference = View::of(b).reference();
            let mut values: Vec<String> = reference.map(|r| mapping.iter().filter(|(_, target)| target == r).map(|(k, _)| k.clone()).collect()).unwrap_or_default();
            if values.is_empty() {
                values = props[i].get(&tag).map(|(v, _)| v.clone()).unwrap_or_default();
            }
            if values.is_empty() {
                if let Some(name) = reference.and_then(component_name) {
                    values.push(name);
                }
            }
            if values.is_empty() {
                self.warn(bptr, format!("union branch has no value for tag `{tag}`; read as an untagged union"));
                return Ok(None);
            }
            values.retain(|v| all_values.insert(v.clone()));
            if values.is_empty() {
                self.warn(bptr, format!("union branch repeats a value of tag `{tag}`; read as an untagged union"));
                return Ok(None);
            }
            branch_values.push(values);
        }
        let names = variants::tagged(&branch_values);
        let mut variants = Vec::with_capacity(branches.len());
        for (i, (b, (values, name))) in branches.iter().zip(branch_values.into_iter().zip(names)).enumerate() {
            if name.numbered {
                self.warn(&pointers[i], format!("variant name `{}` is numbered: its tag values name other variants in Rust", name.name));
            }
            let lowered = self.lower(b, &pointers[i], &path.variant(&name.name))?;
            variants.push(TaggedVariant { rust_name: name.name, tag_values: values, ty: lowered.ty, carries_tag: props[i].contains_key(&tag) });
        }
        let fallback = variants::catch_all(|n| variants.iter().any(|v| v.rust_name == n));
        Ok(Some(TaggedDef { tag, variants, fallback }))
    }

    /// The branches of a union with nested unions expanded, each with its pointer
    /// (at most [`MAX_LEAVES`]; beyond that the branches as they are).
    fn leaves(&self, branches: &[Value], ptr: &str) -> Vec<(Value, String)> {
        let mut out = Vec::new();
        let mut stack: Vec<(Value, String, usize)> = branches.iter().enumerate().rev().map(|(i, b)| (b.clone(), child(ptr, &i.to_string()), 0)).collect();
        // Each nested union is expanded once: a union reached again (a cycle, or two
        // branches sharing one) has its leaves in the output already.
        let mut expanded: BTreeSet<String> = BTreeSet::new();
        while let Some((b, bptr, depth)) = stack.pop() {
            let (resolved, rptr) = self.resolve(&b, bptr.clone());
            let v = View::of(resolved);
            let key = if v.list("oneOf").len() > 1 { "oneOf" } else { "anyOf" };
            let inner = v.list(key);
            if inner.len() > 1 && depth < 8 && !v.is_object() {
                if !expanded.insert(rptr.clone()) {
                    continue;
                }
                // Bounded work per union, so many unions of unions stay linear: past
                // the budget the branches are not flattened (they are read as they are).
                if out.len() + stack.len() + inner.len() > MAX_LEAVES {
                    return branches.iter().enumerate().map(|(i, b)| (b.clone(), child(ptr, &i.to_string()))).collect();
                }
                for (i, x) in inner.iter().enumerate().rev() {
                    stack.push((x.clone(), child(&child(&rptr, key), &i.to_string()), depth + 1));
                }
            } else {
                out.push((b, bptr));
            }
        }
        out
    }

    /// Properties of an object schema (following `allOf` and `$ref`): name →
    /// (string enum values, required). `None` when the schema is not an object.
    fn object_properties(&self, schema: &Value, ptr: &str) -> Option<BTreeMap<String, (Vec<String>, bool)>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![(schema, ptr.to_owned(), 0usize)];
        let mut any = false;
        // A part reached twice adds nothing: merge each once (`allOf` fan-out cannot multiply).
        let mut merged: BTreeSet<String> = BTreeSet::new();
        while let Some((s, p, depth)) = stack.pop() {
            if depth > 16 {
                continue;
            }
            let (s, p) = self.resolve(s, p);
            if !merged.insert(p.clone()) {
                continue;
            }
            let v = View::of(s);
            if v.list("oneOf").len() + v.list("anyOf").len() > 0 {
                return None;
            }
            if v.is_object() || !v.list("allOf").is_empty() {
                any = true;
            } else {
                return None;
            }
            for (i, part) in v.list("allOf").iter().enumerate() {
                stack.push((part, child(&child(&p, "allOf"), &i.to_string()), depth + 1));
            }
            for (name, prop) in v.properties().into_iter().flatten() {
                let (prop, _) = self.resolve(prop, String::new());
                let values: Vec<String> = View::of(prop).enum_values().unwrap_or(&[]).iter().filter_map(|x| x.as_str().map(str::to_owned)).collect();
                let entry = out.entry(name.clone()).or_insert((Vec::new(), false));
                if entry.0.is_empty() {
                    entry.0 = values;
                }
                entry.1 |= v.is_required(name);
            }
        }
        any.then_some(out)
    }

    /// Schemas that need no name: primitives, arrays, maps, free-form values.
    fn lower_anonymous(&mut self, schema: &Value, ptr: &str, hint: &NamePath, multipart: bool) -> Result<Lowered, SpecError> {
        let view = View::of(schema);
        let nullable = view.nullable();
        let all_of = view.list("allOf");
        if all_of.len() == 1 {
            let inner = self.lower_in(&all_of[0], &child(&child(ptr, "allOf"), "0"), &wrapped(hint, "Base"), multipart)?;
            return Ok(Lowered { ty: inner.ty, nullable: nullable || inner.nullable });
        }
        for key in ["oneOf", "anyOf"] {
            let branches = view.list(key);
            if branches.len() == 1 {
                let inner = self.lower_in(&branches[0], &child(&child(ptr, key), "0"), &wrapped(hint, "Variant"), multipart)?;
                return Ok(Lowered { ty: inner.ty, nullable: nullable || inner.nullable });
            }
        }
        let ty = match view.ty() {
            Some("string") => match view.format() {
                Some("binary") if multipart => TypeRef::File,
                _ => TypeRef::String,
            },
            Some("integer") => integer_type(view.format()),
            Some("number") => TypeRef::F64,
            Some("boolean") => TypeRef::Bool,
            Some("array") => match view.get("items") {
                Some(items) => TypeRef::Array(Box::new(self.lower_in(items, &child(ptr, "items"), &hint.suffixed("Item"), multipart)?.ty)),
                None => TypeRef::Array(Box::new(TypeRef::Json)),
            },
            Some("object") | None if view.is_object() => match view.additional() {
                Additional::Schema(s) => TypeRef::Map(Box::new(self.lower_in(s, &child(ptr, "additionalProperties"), &hint.suffixed("Value"), multipart)?.ty)),
                _ => TypeRef::JsonObject,
            },
            None => {
                if view.get("not").is_some() {
                    self.warn(ptr, "`not` schemas are not expressible; read as any JSON value".to_owned());
                }
                TypeRef::Json
            }
            Some(other) => {
                self.warn(ptr, format!("unknown schema type `{other}`; read as any JSON value"));
                TypeRef::Json
            }
        };
        Ok(Lowered { ty, nullable })
    }
}

/// The Rust type of an integer schema with this `format`: `i32` for `int32`,
/// `i64` for anything else. The spec diff asks this too (which bounds a
/// value of the type can exceed).
pub fn integer_type(format: Option<&str>) -> TypeRef {
    match format {
        Some("int32") => TypeRef::I32,
        _ => TypeRef::I64,
    }
}

fn string_enum(values: &[Value]) -> StringEnumDef {
    let mut scope = Scope::default();
    let mut out = Vec::new();
    for v in values.iter().filter_map(Value::as_str) {
        if out.iter().any(|e: &EnumValue| e.wire == v) {
            continue;
        }
        out.push(EnumValue { rust_name: scope.claim(&type_name(v)), wire: v.to_owned() });
    }
    let catch_all = scope.claim(&variants::catch_all(|n| scope.contains(n)));
    StringEnumDef { values: out, catch_all }
}

/// Picks the tag property shared by all branches: every branch has it as a
/// string enum, and no value appears in two branches.
fn infer_tag(props: &[BTreeMap<String, (Vec<String>, bool)>]) -> Option<String> {
    let first = props.first()?;
    let mut candidates: Vec<&String> = first
        .iter()
        .filter(|(name, (values, _))| {
            !values.is_empty()
                && props.iter().all(|p| p.get(*name).is_some_and(|(v, _)| !v.is_empty()))
                && {
                    let mut seen = BTreeSet::new();
                    props.iter().all(|p| p[*name].0.iter().all(|v| seen.insert(v.clone())))
                }
        })
        .map(|(name, _)| name)
        .collect();
    let rank = |n: &str| ["type", "object", "event", "role"].iter().position(|p| *p == n).unwrap_or(usize::MAX);
    candidates.sort_by_key(|n| (rank(n), (*n).clone()));
    candidates.first().map(|n| (*n).clone())
}

/// A readable wire name for an inline schema: the pointer's tokens after `schemas/`.
fn wire_from_pointer(ptr: &str) -> String {
    let tokens: Vec<String> = ptr.split('/').skip(1).map(unescape_token).collect();
    let start = tokens.iter().position(|t| t == "schemas").map_or(0, |i| i + 1);
    tokens[start..].iter().filter(|t| !matches!(t.as_str(), "properties" | "items" | "allOf" | "oneOf" | "anyOf" | "content" | "schema")).cloned().collect::<Vec<_>>().join(".")
}

/// Where the single branch of a wrapper (`allOf: [{…}]`, `oneOf: [{…}]`) sits:
/// one step below a component, whose own name the wrapper has; in the
/// wrapper's place otherwise (an inline wrapper is no type of its own).
fn wrapped(path: &NamePath, step: &str) -> NamePath {
    if path.steps.is_empty() {
        path.child(step)
    } else {
        path.clone()
    }
}

/// `anyOf: [string, enum]`: a plain string beside string enums, and nothing else.
fn open_string<'v>(branches: impl Iterator<Item = &'v Value> + Clone) -> bool {
    let is_plain_string = |v: &Value| View::of(v).ty() == Some("string") && View::of(v).enum_values().is_none() && !View::of(v).has_combinator();
    let is_string_enum = |v: &Value| View::of(v).ty().is_none_or(|t| t == "string") && View::of(v).enum_values().is_some_and(|e| e.iter().all(|x| x.is_string() || x.is_null()));
    let plain = branches.clone().filter(|v| is_plain_string(v)).count();
    plain >= 1 && branches.clone().all(|v| is_plain_string(v) || is_string_enum(v))
}

/// Required names of `required` that no field declares, first mention each.
fn undeclared_required(fields: &[Field], required: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, ptr) in required {
        if !fields.iter().any(|f| !f.flatten && &f.wire_name == name) && !out.iter().any(|(n, _)| n == name) {
            out.push((name.clone(), ptr.clone()));
        }
    }
    out
}

/// A union whose branches only constrain (keys among `required`, bounds on
/// the number of properties, prose): every branch accepts any object that has
/// the listed properties, which the surrounding object declares itself.
fn constraint_only_union<'v>(view: View<'v>, resolve: impl Fn(&'v Value) -> &'v Value) -> bool {
    const CONSTRAINTS: &[&str] = &["required", "minProperties", "maxProperties", "description", "title", "not"];
    let branches: Vec<&Value> = view.list("oneOf").iter().chain(view.list("anyOf")).collect();
    !branches.is_empty()
        && branches.iter().all(|b| match resolve(b) {
            Value::Object(m) => !m.is_empty() && m.keys().all(|k| CONSTRAINTS.contains(&k.as_str()) || k.starts_with("x-")),
            _ => false,
        })
}
