//! Lower: normalised document → [`Model`].

mod boxing;
mod facts;
mod operation;
pub(crate) mod pagination;
mod schema;
mod view;
mod webhooks;

use crate::config::Config;
use crate::ir::*;
use crate::load::{Spec, SpecError};
use crate::names::{self, Scope};
pub use operation::is_success_status;
pub use schema::integer_type;
use operation::{operations, OperationLowerer};
pub use schema::component_name;
use schema::SchemaLowerer;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
pub use webhooks::WEBHOOKS_METHOD;

/// Names of the runtime's `Client` methods (every `fn` of its `impl Client`
/// blocks, and of the hand-written glue beside the runtime such as
/// `realtime.rs`, private ones too: generated methods live in the same crate, so any
/// of them would be a duplicate definition) and of traits it implements that
/// callers use by method syntax. Operations never take them: such an operation
/// gets the next free name and a warning. A test (`codegen/tests/reserved.rs`)
/// reads `generated-client/src/runtime/` and fails when this list misses one.
pub const RESERVED_METHODS: &[&str] = &[
    "new", "builder", "from_config", "config", "with_options", "execute_json", "execute_listing", "read_listing", "decode_json", "execute_empty", "execute_binary", "execute_sse", "timeout", "send", "attempt",
    "attempt_credentials", "azure", "clone", "options", "websocket", "realtime", "webhooks_as",
];

/// Lowers a loaded spec into the model.
pub fn lower(spec: &Spec, config: &Config) -> Result<Model, SpecError> {
    let mut patch_warnings = Vec::new();
    let patched;
    let doc = if config.nullable.is_empty() && config.base64_floats.is_empty() {
        &spec.document
    } else {
        let mut document = spec.document.clone();
        mark(&mut document, &config.nullable, "nullable", "marks this schema nullable", &mut patch_warnings);
        mark(&mut document, &config.base64_floats, facts::BASE64_FLOAT32_MARK, "reads this schema as base64 floats", &mut patch_warnings);
        patched = document;
        &patched
    };
    let ops = operations(doc);
    let mut schemas = SchemaLowerer::new(spec, doc, multipart_components(&ops));
    schemas.lower_components()?;

    let mut methods = Scope::with_reserved(RESERVED_METHODS);
    if webhooks::present(doc) {
        // The generated method that decodes webhook deliveries; an operation of that name gets another.
        methods.claim(WEBHOOKS_METHOD);
    }
    let method_names = names::methods::MethodNamer::new(doc, &config.method_names);
    let mut lowerer = OperationLowerer { schemas: &mut schemas, config, methods, param_types: Scope::default(), method_names };
    let mut generated = Vec::new();
    let mut skipped = Vec::new();
    let mut unpaginated = Vec::new();
    for (ptr, path, method, op) in &ops {
        match lowerer.lower(ptr, path, method, op)? {
            Ok(mut operation) => {
                if operation.stream.is_some() {
                    operation.stream_method = Some(lowerer.methods.claim(&format!("{}_stream", operation.rust_name)));
                }
                let configured = config.pagination.get(&operation.operation_id);
                match pagination::classify(&operation, &lowerer.schemas.types, configured) {
                    pagination::Outcome::Paged(mut rule) => {
                        rule.method = lowerer.methods.claim(&format!("{}_auto_paging", operation.rust_name));
                        operation.pagination = Some(rule);
                    }
                    pagination::Outcome::LeftOut(reason) => {
                        // A rule written in the config that does not fit is a mistake worth a warning.
                        if matches!(configured, Some(crate::config::PaginationConfig::Rule(_))) {
                            lowerer.schemas.warnings.push(Warning { pointer: ptr.clone(), message: format!("no auto-paging method: {reason}") });
                        }
                        unpaginated.push(Unpaginated { operation_id: operation.operation_id.clone(), reason });
                    }
                    pagination::Outcome::NotAList => {}
                }
                operation.items = pagination::items_array(&operation, &lowerer.schemas.types);
                generated.push(operation);
            }
            Err(reason) => {
                lowerer.schemas.warnings.push(Warning { pointer: ptr.clone(), message: format!("operation not generated: {reason}") });
                skipped.push(Skipped { operation: format!("{} {path}", method.to_uppercase()), reason });
            }
        }
    }
    if webhooks::present(doc) {
        webhooks::warn_renamed(&generated, &mut schemas.warnings);
    }
    let webhooks = webhooks::lower(&mut schemas)?;
    let mut types = std::mem::take(&mut schemas.types);
    for (id, name) in names::types::name_inline(&mut types, &schemas.inline_names, &schemas.namer) {
        schemas.warnings.push(Warning { pointer: id.trim_start_matches('#').to_owned(), message: format!("type name `{name}` is numbered: every shorter name is another type's") });
    }
    mark_requests(&mut types, &generated);
    mark_features(&mut types, &generated);
    mark_uses(&mut types, &generated);
    if let Some(webhooks) = &webhooks {
        webhooks::mark(&mut types, webhooks);
    }
    mark_unreferenced(&mut types);
    box_cycles(&mut types);
    break_value_cycles(&mut types, &mut schemas.warnings);
    boxing::box_large_fields(&mut types);
    mark_empty_values(&mut types);
    check_base64_floats(&mut types, &mut schemas.warnings);
    let mut warnings = std::mem::take(&mut schemas.warnings);
    warnings.extend(spec.warnings.iter().cloned());
    warnings.extend(patch_warnings);
    let mut model = Model { types, operations: generated, skipped_operations: skipped, warnings, cargo_features: config.cargo_features, array_query_format: config.array_query_format, unpaginated, webhooks };
    mark_fits(&mut model);
    let ambiguous = ambiguous_conversions(&model);
    model.warnings.extend(ambiguous);
    model.warnings.sort();
    model.warnings.dedup();
    Ok(model)
}

/// One warning per value that several branches of a union lead to: it gets
/// no `From` impl (see [`crate::api::conversions`]), and callers name the branch.
fn ambiguous_conversions(model: &Model) -> Vec<Warning> {
    let mut out = Vec::new();
    for (id, def) in &model.types {
        for a in crate::api::conversions(id, model).ambiguous {
            let sources = crate::api::source_texts(&a.source, model).iter().map(|s| format!("`From<{s}>`")).collect::<Vec<_>>().join(" and ");
            let branches = a.branches.iter().map(|b| format!("`{b}`")).collect::<Vec<_>>().join(", ");
            out.push(Warning { pointer: id.trim_start_matches('#').to_owned(), message: format!("{sources} not generated for `{}`: the branches {branches} all lead to it (name the branch)", def.rust_name) });
        }
    }
    out
}

/// The config's `base64_floats` apply to required, non-null arrays of numbers
/// (their decoder yields `Vec<f64>`); anywhere else they are dropped with a warning.
fn check_base64_floats(types: &mut BTreeMap<TypeId, TypeDef>, warnings: &mut Vec<Warning>) {
    for (id, def) in types.iter_mut() {
        let TypeKind::Struct(s) = &mut def.kind else { continue };
        for f in s.fields.iter_mut().filter(|f| f.facts.base64_float32) {
            if !f.required || f.nullable || f.boxed || f.ty != TypeRef::Array(Box::new(TypeRef::F64)) {
                f.facts.base64_float32 = false;
                let pointer = format!("{}/properties/{}", id.trim_start_matches('#'), crate::load::escape_token(&f.wire_name));
                warnings.push(Warning { pointer, message: "codegen config reads this property as base64 floats, but it is not a required array of numbers; ignored".to_owned() });
            }
        }
    }
}

/// Sets `key: true` on the schemas the config names (`nullable`, the base64 mark).
fn mark(document: &mut Value, pointers: &[String], key: &str, what: &str, warnings: &mut Vec<Warning>) {
    for pointer in pointers {
        match document.pointer_mut(pointer).and_then(Value::as_object_mut) {
            Some(schema) => {
                schema.insert(key.to_owned(), Value::Bool(true));
            }
            None => {
                // One config serves every spec version: only a pointer into a schema
                // this spec has, that leads nowhere, is a mistake worth reporting.
                let component = pointer.split('/').take(4).collect::<Vec<_>>().join("/");
                if document.pointer(&component).is_some() {
                    warnings.push(Warning { pointer: pointer.clone(), message: format!("codegen config {what}, but the spec has nothing here") });
                }
            }
        }
    }
}

/// Number of operations in a document.
pub fn count_operations(doc: &Value) -> usize {
    operations(doc).len()
}

/// Component schemas used as `multipart/form-data` bodies: their binary strings are files.
fn multipart_components(ops: &[(String, String, String, &Value)]) -> BTreeSet<TypeId> {
    let mut out = BTreeSet::new();
    for (_, _, _, op) in ops {
        let Some(schema) = op.pointer("/requestBody/content/multipart~1form-data/schema") else { continue };
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            if component_name(r).is_some() {
                out.insert(r.to_owned());
            }
        }
    }
    out
}

/// Types by value inside `ty` (through arrays and maps when `through_containers`).
fn named_in(ty: &TypeRef, through_containers: bool, out: &mut Vec<TypeId>) {
    match ty {
        TypeRef::Named(id) => out.push(id.clone()),
        TypeRef::Array(inner) | TypeRef::Map(inner) if through_containers => named_in(inner, true, out),
        _ => {}
    }
}

/// The types a type of `kind` holds by value: not through a box (a field
/// that closes a cycle), a vector or a map.
fn held_by_value(kind: &TypeKind) -> Vec<TypeId> {
    match kind {
        TypeKind::Struct(s) | TypeKind::Multipart(s) => {
            let mut out = Vec::new();
            s.fields.iter().filter(|f| !f.boxed).for_each(|f| named_in(&f.ty, false, &mut out));
            out
        }
        kind => references(kind, false),
    }
}

/// Every type a type refers to.
pub fn references(kind: &TypeKind, through_containers: bool) -> Vec<TypeId> {
    let mut out = Vec::new();
    match kind {
        TypeKind::Struct(s) | TypeKind::Multipart(s) => {
            for f in &s.fields {
                named_in(&f.ty, through_containers, &mut out);
            }
            if let Some(a) = &s.additional {
                named_in(a, through_containers, &mut out);
            }
        }
        TypeKind::Tagged(t) => t.variants.iter().for_each(|v| named_in(&v.ty, through_containers, &mut out)),
        TypeKind::Untagged(v) => v.iter().for_each(|v| named_in(&v.ty, through_containers, &mut out)),
        TypeKind::Alias(ty) => named_in(ty, through_containers, &mut out),
        TypeKind::StringEnum(_) | TypeKind::OpenString(_) => {}
    }
    out
}

/// Marks the types an untagged union's best-fit decoding asks how well they
/// fit (the runtime's `Fit`): the unions' variants, and what their fit asks in
/// turn: an object's flattened parts and tag-like fields, a tagged union's
/// variants, an alias's target. Lists and maps fit whatever they hold, so the
/// walk does not go into them. Only these types get a `Fit` impl: about a
/// fifth of the newest client's impls were `Fit`, most never asked.
fn mark_fits(model: &mut Model) {
    let mut stack = Vec::new();
    for def in model.types.values() {
        if let TypeKind::Untagged(variants) = &def.kind {
            variants.iter().for_each(|v| named_in(&v.ty, false, &mut stack));
        }
    }
    let mut fits = BTreeSet::new();
    while let Some(id) = stack.pop() {
        let Some(def) = model.types.get(&id) else { continue };
        if !fits.insert(id) {
            continue;
        }
        match &def.kind {
            TypeKind::Struct(s) => {
                for f in s.fields.iter().filter(|f| f.flatten || crate::api::is_tag_like(f, model)) {
                    named_in(&f.ty, false, &mut stack);
                }
            }
            TypeKind::Tagged(t) => t.variants.iter().for_each(|v| named_in(&v.ty, false, &mut stack)),
            TypeKind::Untagged(variants) => variants.iter().for_each(|v| named_in(&v.ty, false, &mut stack)),
            TypeKind::Alias(ty) => named_in(ty, false, &mut stack),
            TypeKind::StringEnum(_) | TypeKind::OpenString(_) | TypeKind::Multipart(_) => {}
        }
    }
    for id in fits {
        if let Some(def) = model.types.get_mut(&id) {
            def.fits = true;
        }
    }
}

/// Marks every type reachable from a request body or parameter.
fn mark_requests(types: &mut BTreeMap<TypeId, TypeDef>, ops: &[Operation]) {
    let mut stack: Vec<TypeId> = Vec::new();
    for op in ops {
        for p in op.path_params.iter().chain(&op.params) {
            named_in(&p.ty, true, &mut stack);
        }
        // The JSON body offered beside a multipart one is sent too.
        for b in op.body.iter().chain(op.alternative_body.as_ref().map(|(_, b)| b)) {
            named_in(&b.ty, true, &mut stack);
        }
    }
    while let Some(id) = stack.pop() {
        let Some(t) = types.get_mut(&id) else { continue };
        if t.in_request {
            continue;
        }
        t.in_request = true;
        stack.extend(references(&t.kind, true));
    }
}

/// Gives every type the features of the operations that reach it, so a build
/// with only some API groups compiles only their types.
fn mark_features(types: &mut BTreeMap<TypeId, TypeDef>, ops: &[Operation]) {
    for op in ops {
        let mut stack: Vec<TypeId> = Vec::new();
        for p in op.path_params.iter().chain(&op.params) {
            named_in(&p.ty, true, &mut stack);
        }
        for b in op.body.iter().chain(op.alternative_body.as_ref().map(|(_, b)| b)) {
            named_in(&b.ty, true, &mut stack);
        }
        if let ResponseKind::Json(ty) = &op.response {
            named_in(ty, true, &mut stack);
        }
        if let Some(s) = &op.stream {
            named_in(&s.event, true, &mut stack);
        }
        spread_feature(types, stack, &op.feature);
    }
}

/// Gives `feature` to the types `roots` and every type they reach.
pub(super) fn spread_feature(types: &mut BTreeMap<TypeId, TypeDef>, mut stack: Vec<TypeId>, feature: &str) {
    while let Some(id) = stack.pop() {
        let Some(t) = types.get_mut(&id) else { continue };
        // Past the cap a type is compiled with any feature (no cfg, see
        // `emit::cfg_for`); so are the types it reaches, which got the features
        // that took it past the cap. Stopping here keeps this linear: a type
        // used by every one of many groups would otherwise list them all.
        if t.features.len() > MAX_TYPE_FEATURES || t.features.contains(feature) {
            continue;
        }
        t.features.insert(feature.to_owned());
        stack.extend(references(&t.kind, true));
    }
}

/// Gives the types no operation or webhook uses, and every type they reach,
/// the `unreferenced` feature, after [`mark_features`] and the webhooks' mark:
/// a type behind `unreferenced` then never names one compiled only with an API
/// group, so `--features unreferenced` alone compiles.
fn mark_unreferenced(types: &mut BTreeMap<TypeId, TypeDef>) {
    let roots: Vec<TypeId> = types.iter().filter(|(_, t)| t.features.is_empty()).map(|(id, _)| id.clone()).collect();
    spread_feature(types, roots, UNREFERENCED_FEATURE);
}

/// Records on each type the methods that take or return it directly, in one
/// pass over the operations (cost: the operations' own type references, never
/// types × operations). Types reached only through other types' fields are not
/// listed: the types that hold them are.
fn mark_uses(types: &mut BTreeMap<TypeId, TypeDef>, ops: &[Operation]) {
    for op in ops {
        for p in op.path_params.iter().chain(&op.params) {
            record_use(types, &p.ty, &op.rust_name, UseRole::Parameter);
        }
        if let Some(b) = &op.body {
            record_use(types, &b.ty, &op.rust_name, UseRole::RequestBody);
        }
        if let Some((method, b)) = &op.alternative_body {
            record_use(types, &b.ty, method, UseRole::RequestBody);
        }
        if let ResponseKind::Json(ty) = &op.response {
            record_use(types, ty, &op.rust_name, UseRole::Response);
        }
        if let (Some(stream), Some(method)) = (&op.stream, &op.stream_method) {
            record_use(types, &stream.event, method, UseRole::StreamEvent);
        }
    }
}

/// Adds one use to the named types in `ty` (through arrays and maps). A method
/// with two parameters of one type records it once: its uses are pushed one
/// after the other, so comparing with the last entry is enough.
fn record_use(types: &mut BTreeMap<TypeId, TypeDef>, ty: &TypeRef, method: &str, role: UseRole) {
    let mut ids = Vec::new();
    named_in(ty, true, &mut ids);
    for id in ids {
        let Some(t) = types.get_mut(&id) else { continue };
        if t.used_by.last().is_some_and(|u| u.method == method && u.role == role) {
            continue;
        }
        t.used_by.push(TypeUse { method: method.to_owned(), role });
    }
}

/// Marks the types that have an empty value: the least fixed point, so a
/// cycle of required fields never gets one (its `Default` would not end).
/// A worklist: a type is checked again only when a type it refers to has just
/// become empty, so a chain of n types costs n checks, not n rounds of n.
fn mark_empty_values(types: &mut BTreeMap<TypeId, TypeDef>) {
    let mut dependents: BTreeMap<TypeId, Vec<TypeId>> = BTreeMap::new();
    for (id, t) in types.iter() {
        for target in references(&t.kind, true) {
            dependents.entry(target).or_default().push(id.clone());
        }
    }
    let mut queue: Vec<TypeId> = types.keys().cloned().collect();
    while let Some(id) = queue.pop() {
        let Some(t) = types.get(&id) else { continue };
        if t.empty_value || !crate::api::empty_by_construction(&t.kind, types) {
            continue;
        }
        if let Some(t) = types.get_mut(&id) {
            t.empty_value = true;
        }
        if let Some(waiting) = dependents.get(&id) {
            queue.extend(waiting.iter().cloned());
        }
    }
}

/// Boxes struct fields that close a cycle of by-value containment (Tarjan's
/// strongly connected components: a field pointing into its own component is boxed).
fn box_cycles(types: &mut BTreeMap<TypeId, TypeDef>) {
    let ids: Vec<TypeId> = types.keys().cloned().collect();
    let index_of: BTreeMap<&TypeId, usize> = ids.iter().enumerate().map(|(i, id)| (id, i)).collect();
    let edges: Vec<Vec<usize>> = ids.iter().map(|id| references(&types[id].kind, false).iter().filter_map(|t| index_of.get(t).copied()).collect()).collect();
    let component = tarjan(&edges);
    for (i, id) in ids.iter().enumerate() {
        let t = types.get_mut(id).expect("id from keys");
        if let TypeKind::Struct(s) | TypeKind::Multipart(s) = &mut t.kind {
            for f in &mut s.fields {
                if let TypeRef::Named(target) = &f.ty {
                    if let Some(&j) = index_of.get(target) {
                        f.boxed = component[j] == component[i];
                    }
                }
            }
        }
    }
}

/// Cycles that boxing struct fields cannot break, which Rust rejects:
/// - an alias that reaches itself (`type A = Vec<A>;`, E0391) becomes a
///   one-variant enum (a newtype, decoded and encoded as its content), or JSON
///   when the cycle holds no array or map (`A = allOf: [B]`, `B = allOf: [A]`);
/// - unions that hold each other by value (E0072): the branch that closes the
///   cycle is read as JSON.
///
/// Each is a warning. Real specs have neither; hostile and fuzzed ones do.
fn break_value_cycles(types: &mut BTreeMap<TypeId, TypeDef>, warnings: &mut Vec<Warning>) {
    let ids: Vec<TypeId> = types.keys().cloned().collect();
    let index_of: BTreeMap<&TypeId, usize> = ids.iter().enumerate().map(|(i, id)| (id, i)).collect();
    let cyclic = |edges: &[Vec<usize>]| -> Vec<bool> {
        let comp = tarjan(edges);
        let mut size = vec![0usize; edges.len()];
        for c in &comp {
            size[*c] += 1;
        }
        (0..edges.len()).map(|i| size[comp[i]] > 1 || edges[i].contains(&i)).collect()
    };
    // Aliases: edges to aliases, through arrays and maps.
    let alias_edges = |types: &BTreeMap<TypeId, TypeDef>| -> Vec<Vec<usize>> {
        ids.iter()
            .map(|id| match &types[id].kind {
                TypeKind::Alias(_) => references(&types[id].kind, true).iter().filter_map(|t| index_of.get(t).copied()).filter(|j| matches!(types[&ids[*j]].kind, TypeKind::Alias(_))).collect(),
                _ => Vec::new(),
            })
            .collect()
    };
    let on_cycle = cyclic(&alias_edges(types));
    for id in ids.iter().enumerate().filter(|(i, _)| on_cycle[*i]).map(|(_, id)| id) {
        let t = types.get_mut(id).expect("id from keys");
        let TypeKind::Alias(ty) = &t.kind else { continue };
        let (variant, message) = match ty {
            TypeRef::Array(_) => ("Array", "an array of itself: generated as a one-variant enum holding the array"),
            TypeRef::Map(_) => ("Map", "a map of itself: generated as a one-variant enum holding the map"),
            _ => ("", "only a reference to itself (through other aliases): read as any JSON value"),
        };
        t.kind = if variant.is_empty() { TypeKind::Alias(TypeRef::Json) } else { TypeKind::Untagged(vec![UnionVariant { rust_name: variant.to_owned(), ty: ty.clone() }]) };
        warnings.push(Warning { pointer: id.trim_start_matches('#').to_owned(), message: format!("schema is {message}") });
    }
    // By-value containment that is left after boxing: union branches and aliases.
    let value_edges: Vec<Vec<usize>> = ids.iter().map(|id| held_by_value(&types[id].kind).iter().filter_map(|t| index_of.get(t).copied()).collect()).collect();
    let comp = tarjan(&value_edges);
    let on_cycle = cyclic(&value_edges);
    for (i, id) in ids.iter().enumerate().filter(|(i, _)| on_cycle[*i]) {
        let t = types.get_mut(id).expect("id from keys");
        let TypeKind::Untagged(variants) = &mut t.kind else { continue };
        for v in variants.iter_mut() {
            if let TypeRef::Named(target) = &v.ty {
                if index_of.get(target).is_some_and(|j| comp[*j] == comp[i]) {
                    warnings.push(Warning { pointer: id.trim_start_matches('#').to_owned(), message: format!("union branch `{}` holds the union itself by value; read as any JSON value", v.rust_name) });
                    v.ty = TypeRef::Json;
                }
            }
        }
    }
}

/// Component number of each node (iterative, so deep graphs cannot overflow the stack).
fn tarjan(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut comp = vec![usize::MAX; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut comps = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut ei)) = work.last_mut() {
            if *ei == 0 && index[v] == usize::MAX {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if *ei < edges[v].len() {
                let w = edges[v][*ei];
                *ei += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = comps;
                    if w == v {
                        break;
                    }
                }
                comps += 1;
            }
        }
    }
    comp
}

#[cfg(test)]
mod tests {
    use super::tarjan;

    #[test]
    fn finds_cycles() {
        // 0 → 1 → 2 → 0, 3 → 3, 4 alone
        let comp = tarjan(&[vec![1], vec![2], vec![0], vec![3], vec![]]);
        assert_eq!(comp[0], comp[1]);
        assert_eq!(comp[1], comp[2]);
        assert_ne!(comp[0], comp[3]);
        assert_ne!(comp[3], comp[4]);
    }
}
