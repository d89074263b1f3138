//! The OpenAPI 3.1 `webhooks` section: path items keyed by name rather than
//! by path, describing requests the API sends. `openapiv3` does not read it,
//! so its schemas are normalised here the way `paths` are (an inline payload
//! written in 3.1 style must mean the same as a component), and its shape is
//! checked where lowering relies on it.

use super::error::child;
use super::normalize::Normalizer;
use serde_json::Value;

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Normalises the schemas of every webhook's request body in place. A
/// section that is not a mapping of mappings is an error (pointer and
/// reason); `$ref` items are left to lowering, which follows them.
pub(super) fn normalize(normalizer: &mut Normalizer, doc: &mut Value) -> Result<(), (String, String)> {
    let Some(section) = doc.get_mut("webhooks") else { return Ok(()) };
    let Some(section) = section.as_object_mut() else {
        return Err(("/webhooks".to_owned(), "`webhooks` must map names to path items".to_owned()));
    };
    for (name, item) in section.iter_mut() {
        let item_ptr = child("/webhooks", name);
        let Some(item) = item.as_object_mut() else {
            return Err((item_ptr, format!("webhook `{name}` must be a path item")));
        };
        for (method, op) in item.iter_mut().filter(|(m, _)| METHODS.contains(&m.as_str())) {
            let body_ptr = child(&child(&item_ptr, method), "requestBody");
            let Some(content) = op.get_mut("requestBody").and_then(|b| b.get_mut("content")).and_then(Value::as_object_mut) else { continue };
            for (media, entry) in content.iter_mut() {
                if let Some(schema) = entry.get_mut("schema") {
                    normalizer.schema(schema, &child(&child(&child(&body_ptr, "content"), media), "schema"));
                }
            }
        }
    }
    Ok(())
}

