//! Lowers the OpenAPI 3.1 `webhooks` section: each delivery's JSON payload
//! becomes a type like any schema, and one enum over all of them, told apart
//! by the payload's `type` property, joins the model as a tagged union (so it
//! is emitted, documented and listed in the API surface like every other
//! union). `emit::webhooks` adds the `Client::webhooks()` method that checks
//! a delivery's signature and decodes it into that enum.
//!
//! What cannot be a variant (no JSON body, a payload that is not an object or
//! has no fixed `type` values, a `type` value another event already has) is a
//! warning; such deliveries still decode, as the enum's `Unknown`.

use crate::names::types::NamePath;
use crate::names::{type_name, Scope};
use super::schema::SchemaLowerer;
use super::view::View;
use super::record_use;
use crate::ir::*;
use crate::load::{child, SpecError};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The generated method that checks and decodes deliveries.
pub const WEBHOOKS_METHOD: &str = "webhooks";

/// Property of an event payload that names the event.
const TAG: &str = "type";

/// The enum's name, unless a schema has it already.
const EVENT_TYPE_NAME: &str = "WebhookEvent";

/// Id of the enum in [`Model::types`]: the pointer of the section.
const EVENT_ID: &str = "#/webhooks";

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Whether the document has webhooks to lower (so `webhooks` is taken as a method name).
pub(super) fn present(doc: &Value) -> bool {
    doc.get("webhooks").and_then(Value::as_object).is_some_and(|w| !w.is_empty())
}

/// Warns about an operation that wanted the name of the generated method
/// (it got the next free one, as an operation named like a runtime method does).
pub(super) fn warn_renamed(operations: &[Operation], warnings: &mut Vec<Warning>) {
    for op in operations.iter().filter(|op| crate::names::field_name(&op.operation_id) == WEBHOOKS_METHOD) {
        let pointer = child(&child("/paths", &op.path), &op.method.to_lowercase());
        let message = format!("operationId `{}` is the generated method that decodes webhook deliveries; the method is named `{}`", op.operation_id, op.rust_name);
        warnings.push(Warning { pointer, message });
    }
}

/// Lowers the section into payload types and the event enum (added to
/// `schemas.types`). `None` when the spec has no webhooks, or none could be a variant.
pub(super) fn lower(schemas: &mut SchemaLowerer) -> Result<Option<Webhooks>, SpecError> {
    let doc = schemas.doc;
    let section = match doc.get("webhooks") {
        None => return Ok(None),
        Some(Value::Object(section)) => section,
        Some(_) => return Err(schemas.spec.error("/webhooks", "`webhooks` must map names to path items")),
    };
    let mut variants: Vec<TaggedVariant> = Vec::new();
    let mut names = Scope::default();
    let mut events = Vec::new();
    // Each `type` value, with the payload and variant it selects and the webhook that claimed it.
    let mut claimed: BTreeMap<String, (TypeRef, String, String)> = BTreeMap::new();
    for (name, item) in section {
        let item_ptr = child("/webhooks", name);
        let (item, item_ptr) = match View::of(item).reference() {
            Some(reference) => match reference.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                Some(target) => (target, reference.trim_start_matches('#').to_owned()),
                None => return Err(schemas.spec.error(&child(&item_ptr, "$ref"), format!("`$ref` target `{reference}` does not exist"))),
            },
            None => (item, item_ptr),
        };
        let Some(item) = item.as_object() else {
            return Err(schemas.spec.error(&item_ptr, format!("webhook `{name}` must be a path item")));
        };
        for (method, op) in item.iter().filter(|(m, _)| METHODS.contains(&m.as_str())) {
            let op_ptr = child(&item_ptr, method);
            let skip = |schemas: &mut SchemaLowerer, reason: String| {
                schemas.warnings.push(Warning { pointer: op_ptr.clone(), message: format!("webhook `{name}` is not a variant of the webhook event enum: {reason}; its deliveries decode as `Unknown`") });
            };
            let Some((schema, schema_ptr)) = payload_schema(schemas, op, &op_ptr)? else {
                skip(schemas, "no JSON request body".to_owned());
                continue;
            };
            let lowered = schemas.lower(schema, &schema_ptr, &NamePath::root(type_name(&format!("webhook_{name}"))))?;
            if !matches!(lowered.ty, TypeRef::Named(_)) {
                skip(schemas, "its payload is not an object".to_owned());
                continue;
            }
            let mut values = tag_values(schemas, schema, &schema_ptr);
            if values.is_empty() {
                skip(schemas, format!("its payload has no `{TAG}` property with fixed values"));
                continue;
            }
            // A value another webhook has: the same event under two names (one variant), or a clash.
            let mut variant = None;
            for value in &values {
                if let Some((ty, existing, owner)) = claimed.get(value) {
                    if *ty == lowered.ty {
                        variant = Some(existing.clone());
                    } else {
                        let message = format!("webhook `{name}` has `{TAG}` `{value}`, which webhook `{owner}` has with another payload: such events decode as `{owner}`'s");
                        schemas.warnings.push(Warning { pointer: op_ptr.clone(), message });
                    }
                }
            }
            values.retain(|v| !claimed.contains_key(v));
            let variant = match (variant, values.is_empty()) {
                (Some(existing), true) => existing,
                (_, true) => {
                    skip(schemas, format!("every `{TAG}` value of its payload belongs to another webhook"));
                    continue;
                }
                (Some(existing), false) => {
                    // More values of a payload that is a variant already: that variant takes them.
                    if let Some(known) = variants.iter_mut().find(|v| v.rust_name == existing) {
                        known.tag_values.extend(values.iter().cloned());
                    }
                    existing
                }
                (None, false) => {
                    let rust_name = names.claim(&type_name(name));
                    variants.push(TaggedVariant { rust_name: rust_name.clone(), tag_values: values.clone(), ty: lowered.ty.clone(), carries_tag: true });
                    rust_name
                }
            };
            for value in &values {
                claimed.insert(value.clone(), (lowered.ty.clone(), variant.clone(), name.clone()));
            }
            let event_types = claimed.iter().filter(|(_, (_, v, _))| *v == variant).map(|(t, _)| t.clone()).collect();
            events.push(Webhook { name: name.clone(), method: method.to_uppercase(), event_types, ty: lowered.ty, variant });
        }
    }
    if variants.is_empty() {
        return Ok(None);
    }
    let fallback = names.claim("Unknown");
    // Named with the inline types, once every type is known (it is no component).
    let rust_name = EVENT_TYPE_NAME.to_owned();
    schemas.inline_names.insert(EVENT_ID.to_owned(), (NamePath::root(EVENT_TYPE_NAME), None));
    let doc_text = format!(
        "An event the API delivers to a webhook endpoint, told apart by its `{TAG}`. Check a delivery's signature and decode it with `Client::{WEBHOOKS_METHOD}().unwrap(body, headers)`; an event type this version does not know is kept as JSON in `{fallback}`."
    );
    let kind = TypeKind::Tagged(TaggedDef { tag: TAG.to_owned(), variants, fallback });
    schemas.types.insert(
        EVENT_ID.to_owned(),
        TypeDef { long_name: rust_name.clone(), rust_name, wire_name: "webhooks".to_owned(), doc: Some(doc_text), deprecated: false, kind, in_request: false, fits: false, features: BTreeSet::new(), used_by: Vec::new(), empty_value: false },
    );
    Ok(Some(Webhooks { event: EVENT_ID.to_owned(), events }))
}

/// The JSON body schema of a delivery and its pointer (following a `$ref` to
/// `components/requestBodies`); `None` when it has no JSON body.
fn payload_schema<'s>(schemas: &SchemaLowerer<'s>, op: &'s Value, op_ptr: &str) -> Result<Option<(&'s Value, String)>, SpecError> {
    let Some(body) = op.get("requestBody") else { return Ok(None) };
    let mut body_ptr = child(op_ptr, "requestBody");
    let body = match View::of(body).reference() {
        Some(reference) => match reference.strip_prefix('#').and_then(|p| schemas.doc.pointer(p)) {
            Some(target) => {
                body_ptr = reference.trim_start_matches('#').to_owned();
                target
            }
            None => return Err(schemas.spec.error(&child(&body_ptr, "$ref"), format!("`$ref` target `{reference}` does not exist"))),
        },
        None => body,
    };
    let Some(content) = body.get("content").and_then(Value::as_object) else { return Ok(None) };
    let json = content.iter().find(|(media, _)| *media == "application/json" || (media.starts_with("application/") && media.ends_with("+json")));
    Ok(json.and_then(|(media, m)| Some((m.get("schema")?, child(&child(&child(&body_ptr, "content"), media), "schema")))))
}

/// The string values the payload's `type` property is limited to (its
/// `enum`, or `const` as the loader rewrote it), looking through `$ref`s and
/// the parts of an `allOf`.
fn tag_values<'s>(schemas: &SchemaLowerer<'s>, schema: &'s Value, ptr: &str) -> Vec<String> {
    let mut stack = vec![(schema, ptr.to_owned())];
    let mut visited = BTreeSet::new();
    while let Some((part, part_ptr)) = stack.pop() {
        let (part, part_ptr) = schemas.resolve(part, part_ptr);
        // A cycle of `allOf`s ends here; a spec can be that hostile.
        if !visited.insert(part_ptr.clone()) || visited.len() > 64 {
            continue;
        }
        let view = View::of(part);
        if let Some(tag) = view.properties().and_then(|p| p.get(TAG)) {
            let (tag, _) = schemas.resolve(tag, String::new());
            let values: Vec<String> = View::of(tag).enum_values().unwrap_or(&[]).iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
            if !values.is_empty() {
                return values;
            }
        }
        for (i, inner) in view.list("allOf").iter().enumerate() {
            stack.push((inner, child(&child(&part_ptr, "allOf"), &i.to_string())));
        }
    }
    Vec::new()
}

/// Gives the event enum and every type it reaches the `webhooks` feature, and
/// records `Client::webhooks()` as their user (for their documentation).
pub(super) fn mark(types: &mut BTreeMap<TypeId, TypeDef>, webhooks: &Webhooks) {
    super::spread_feature(types, vec![webhooks.event.clone()], WEBHOOKS_FEATURE);
    record_use(types, &TypeRef::Named(webhooks.event.clone()), WEBHOOKS_METHOD, UseRole::WebhookEvent);
    for event in &webhooks.events {
        record_use(types, &event.ty, WEBHOOKS_METHOD, UseRole::WebhookEvent);
    }
}
