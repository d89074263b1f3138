//! `openapiv3` reports a type error at the outermost map it flattens (often just
//! `/paths`). To name the node that is actually wrong, re-read the document's
//! parts one level at a time with the matching `openapiv3` type and keep the
//! deepest part that still fails.

use super::error::child;
use openapiv3::{Components, Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The error of reading `value` as `T`, with the pointer serde saw.
fn try_read<T: DeserializeOwned>(value: &Value, base: &str) -> Option<(String, String)> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(_) => None,
        Err(e) => {
            let mut pointer = base.to_owned();
            for seg in e.path().iter() {
                match seg {
                    serde_path_to_error::Segment::Seq { index } => pointer = child(&pointer, &index.to_string()),
                    serde_path_to_error::Segment::Map { key } => pointer = child(&pointer, key),
                    _ => break,
                }
            }
            Some((pointer, e.inner().to_string()))
        }
    }
}

/// Each entry of a map, read as `T`: the first failure.
fn entries<T: DeserializeOwned>(map: Option<&Value>, base: &str) -> Option<(String, String)> {
    map?.as_object()?.iter().find_map(|(k, v)| try_read::<T>(v, &child(base, k)))
}

/// Narrows an error reported at `pointer` to the deepest failing part.
pub(crate) fn deepest_error(doc: &Value, pointer: String, reason: String) -> (String, String) {
    let mut best = (pointer, reason);
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let ip = child("/paths", path);
            if try_read::<PathItem>(item, &ip).is_none() {
                continue;
            }
            best = try_read::<PathItem>(item, &ip).expect("checked");
            for (key, op) in item.as_object().into_iter().flatten() {
                let op_ptr = child(&ip, key);
                if key == "parameters" {
                    if let Some(found) = op.as_array().and_then(|list| list.iter().enumerate().find_map(|(i, p)| try_read::<ReferenceOr<Parameter>>(p, &child(&op_ptr, &i.to_string())))) {
                        return found;
                    }
                    continue;
                }
                let Some(e) = try_read::<Operation>(op, &op_ptr) else { continue };
                best = e;
                if let Some(found) = op.get("parameters").and_then(Value::as_array).and_then(|list| {
                    list.iter().enumerate().find_map(|(i, p)| try_read::<ReferenceOr<Parameter>>(p, &child(&child(&op_ptr, "parameters"), &i.to_string())))
                }) {
                    return found;
                }
                if let Some(found) = op.get("requestBody").and_then(|b| try_read::<ReferenceOr<RequestBody>>(b, &child(&op_ptr, "requestBody"))) {
                    return found;
                }
                if let Some(found) = entries::<ReferenceOr<Response>>(op.get("responses"), &child(&op_ptr, "responses")) {
                    return found;
                }
                return best;
            }
            return best;
        }
    }
    if let Some(components) = doc.get("components") {
        if try_read::<Components>(components, "/components").is_some() {
            if let Some(found) = entries::<ReferenceOr<Schema>>(components.get("schemas"), "/components/schemas") {
                return found;
            }
            if let Some(found) = entries::<ReferenceOr<Parameter>>(components.get("parameters"), "/components/parameters") {
                return found;
            }
            if let Some(found) = entries::<ReferenceOr<Response>>(components.get("responses"), "/components/responses") {
                return found;
            }
            if let Some(found) = entries::<ReferenceOr<RequestBody>>(components.get("requestBodies"), "/components/requestBodies") {
                return found;
            }
        }
    }
    best
}
