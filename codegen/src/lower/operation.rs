//! Lowers path items into operations: parameters, request body, success
//! response, and the streaming variant.

use crate::names::methods::MethodNamer;
use crate::names::types::NamePath;
use crate::names::{field_name, Scope};
use super::schema::{Lowered, SchemaLowerer};
use super::view::View;
use crate::config::Config;
use crate::ir::*;
use crate::load::{child, SpecError};
use serde_json::Value;

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Media types whose body is bytes rather than JSON.
fn is_binary_media(media: &str) -> bool {
    media == "application/octet-stream" || media.starts_with("audio/") || media.starts_with("image/") || media.starts_with("video/") || media == "application/pdf" || media == "application/zip"
}

fn is_json_media(media: &str) -> bool {
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}

/// Every operation of the document, as `(pointer, path, method, value)`.
pub fn operations(doc: &Value) -> Vec<(String, String, String, &Value)> {
    let mut out = Vec::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else { return out };
    for (path, item) in paths {
        let pptr = child("/paths", path);
        let Some(item) = item.as_object() else { continue };
        for (method, op) in item {
            if METHODS.contains(&method.as_str()) {
                out.push((child(&pptr, method), path.clone(), method.clone(), op));
            }
        }
    }
    out
}

/// An operation's documentation: the project's own summary first (it replaces
/// the spec's summary), then the spec's description; each part only when it has
/// text and says something the part before does not.
fn operation_doc(overlay: Option<&str>, summary: Option<&str>, description: Option<&str>) -> Option<String> {
    fn text(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    let first = text(overlay).or(text(summary));
    match (first, text(description)) {
        (Some(f), Some(d)) if f != d => Some(format!("{f}\n\n{d}")),
        (Some(f), _) => Some(f.to_owned()),
        (None, d) => d.map(str::to_owned),
    }
}

/// Whether a response code is a success the generated method decodes: a `2xx`
/// code. `default` never is (the OpenAI specs use it for errors), even where an
/// operation lists no `2xx`: the method then returns nothing. The spec diff
/// reads responses through this same test.
pub fn is_success_status(code: &str) -> bool {
    code.starts_with('2')
}

pub struct OperationLowerer<'a, 's> {
    pub schemas: &'a mut SchemaLowerer<'s>,
    pub config: &'a Config,
    pub methods: Scope,
    pub param_types: Scope,
    pub method_names: MethodNamer,
}

impl<'s> OperationLowerer<'_, 's> {
    /// Follows a `$ref` to a parameter, request body or response.
    fn deref<'v>(&self, v: &'v Value, ptr: String) -> Result<(&'v Value, String), SpecError>
    where
        's: 'v,
    {
        match View::of(v).reference() {
            Some(r) => {
                let target = r.strip_prefix('#').and_then(|p| self.schemas.doc.pointer(p));
                match target {
                    Some(t) => Ok((t, r.trim_start_matches('#').to_owned())),
                    None => Err(self.schemas.spec.error(&child(&ptr, "$ref"), format!("`$ref` target `{r}` does not exist"))),
                }
            }
            None => Ok((v, ptr)),
        }
    }

    /// Lowers one operation; `Ok(Err(reason))` when it cannot be generated.
    pub fn lower(&mut self, ptr: &str, path: &str, method: &str, op: &Value) -> Result<Result<Operation, String>, SpecError> {
        let spec = self.schemas.spec;
        let view = View::of(op);
        let operation_id = view.str("operationId").map(str::to_owned).unwrap_or_else(|| format!("{method}_{}", path.replace(['{', '}'], "")));
        let name = self.method_names.name(view.str("operationId"), method, path);
        let op_type = name.type_prefix.clone();

        // Path-level parameters apply unless the operation overrides them by name and location.
        let item_ptr = ptr.rsplit_once('/').map_or("", |(p, _)| p).to_owned();
        let mut raw_params: Vec<(&Value, String)> = Vec::new();
        for (i, p) in View::of(self.schemas.doc.pointer(&item_ptr).unwrap_or(&Value::Null)).list("parameters").iter().enumerate() {
            raw_params.push((p, child(&child(&item_ptr, "parameters"), &i.to_string())));
        }
        for (i, p) in view.list("parameters").iter().enumerate() {
            raw_params.push((p, child(&child(ptr, "parameters"), &i.to_string())));
        }
        let mut resolved: Vec<(&Value, String)> = Vec::new();
        for (p, pptr) in raw_params {
            let (p, pptr) = self.deref(p, pptr)?;
            let key = (View::of(p).str("name"), View::of(p).str("in"));
            resolved.retain(|(q, _)| (View::of(q).str("name"), View::of(q).str("in")) != key);
            resolved.push((p, pptr));
        }

        let mut path_params = Vec::new();
        let mut params = Vec::new();
        let mut arg_names = Scope::with_reserved(&["self", "params", "body"]);
        let mut field_names = Scope::default();
        for (p, pptr) in resolved {
            let pv = View::of(p);
            let Some(name) = pv.str("name") else {
                return Err(spec.error(&pptr, "parameter without `name`"));
            };
            let location = match pv.str("in") {
                Some("path") => ParamLocation::Path,
                Some("query") => ParamLocation::Query,
                Some("header") => ParamLocation::Header,
                Some("cookie") => {
                    self.schemas.warnings.push(Warning { pointer: pptr.clone(), message: format!("cookie parameter `{name}` is not supported and is not sent") });
                    continue;
                }
                other => return Err(spec.error(&pptr, format!("parameter `{name}` has unknown location {other:?}"))),
            };
            let schema = match pv.get("schema") {
                Some(s) => s.clone(),
                None => {
                    // `content`-style parameters: take the schema of the first media type.
                    pv.get("content").and_then(Value::as_object).and_then(|c| c.values().next()).and_then(|m| m.get("schema")).cloned().unwrap_or(Value::Object(Default::default()))
                }
            };
            let hint = NamePath::root(op_type.clone()).child(name);
            let Lowered { ty, .. } = self.schemas.lower(&schema, &child(&pptr, "schema"), &hint)?;
            let required = location == ParamLocation::Path || pv.get("required").and_then(Value::as_bool).unwrap_or(false);
            let rust_name = if location == ParamLocation::Path { arg_names.claim(&field_name(name)) } else { field_names.claim(&field_name(name)) };
            let param = Param { wire_name: name.to_owned(), rust_name, location, ty, required, doc: pv.doc(), deprecated: pv.deprecated(), facts: super::facts::field_facts(&schema) };
            if location == ParamLocation::Path {
                path_params.push(param);
            } else {
                params.push(param);
            }
        }
        // Template order, and every placeholder must have a parameter.
        let path_segments = crate::load::parse_path_template(path).map_err(|reason| spec.error(&child("/paths", path), format!("malformed path template `{path}`: {reason}")))?;
        let mut placeholders: Vec<&str> = Vec::new();
        for segment in &path_segments {
            if let PathSegment::Param(name) = segment {
                if !placeholders.contains(&name.as_str()) {
                    placeholders.push(name);
                }
            }
        }
        for name in &placeholders {
            if !path_params.iter().any(|p: &Param| p.wire_name == *name) {
                self.schemas.warnings.push(Warning { pointer: ptr.to_owned(), message: format!("path placeholder `{{{name}}}` has no parameter; added as a string") });
                let rust_name = arg_names.claim(&field_name(name));
                path_params.push(Param { wire_name: (*name).to_owned(), rust_name, location: ParamLocation::Path, ty: TypeRef::String, required: true, doc: None, deprecated: false, facts: FieldFacts::default() });
            }
        }
        path_params.sort_by_key(|p| placeholders.iter().position(|n| *n == p.wire_name).unwrap_or(usize::MAX));
        path_params.retain(|p| placeholders.contains(&p.wire_name.as_str()) || {
            self.schemas.warnings.push(Warning { pointer: ptr.to_owned(), message: format!("path parameter `{}` is not in the path template and is not sent", p.wire_name) });
            false
        });

        let mut bodies = match view.get("requestBody") {
            Some(b) => match self.bodies(b, &child(ptr, "requestBody"), &op_type)? {
                Ok(b) => b,
                Err(reason) => return Ok(Err(reason)),
            },
            None => Vec::new(),
        };
        let alternative = (bodies.len() > 1).then(|| bodies.remove(1));
        let body = bodies.into_iter().next();

        let (response, event_stream) = match self.response(op, ptr, &op_type, &operation_id)? {
            Ok(r) => r,
            Err(reason) => return Ok(Err(reason)),
        };
        let stream = self.stream(&operation_id, &op_type, event_stream, body.as_ref(), &params, ptr)?;
        if stream.as_ref().is_some_and(|s| s.flag == StreamFlag::Query) {
            params.retain(|p| !(p.wire_name == "stream" && p.location == ParamLocation::Query));
        }

        let wanted = name.method.clone();
        let rust_name = self.methods.claim(&wanted);
        if super::RESERVED_METHODS.contains(&wanted.as_str()) {
            self.schemas.warnings.push(Warning { pointer: ptr.to_owned(), message: format!("operationId `{operation_id}` is a method of the runtime's `Client`; the method is named `{rust_name}`") });
        }
        let alternative_body = alternative.map(|b| {
            let suffix = match b.encoding {
                BodyEncoding::Json => "json",
                BodyEncoding::Multipart => "multipart",
            };
            (self.methods.claim(&format!("{rust_name}_{suffix}")), b)
        });
        let params_type = (!params.is_empty()).then(|| self.param_types.claim(&format!("{op_type}Params")));
        let doc = operation_doc(self.config.summaries.get(&operation_id).map(String::as_str), view.str("summary"), view.str("description"));
        let fixed_headers = fixed_headers(self.config, view.list("tags").first().and_then(Value::as_str), &operation_id);
        let body_defaults = match self.config.body_defaults.get(&operation_id) {
            None => Vec::new(),
            Some(_) if body.as_ref().is_none_or(|b| b.encoding != BodyEncoding::Json) => {
                self.schemas.warnings.push(Warning { pointer: ptr.to_owned(), message: "codegen config gives body defaults, but the operation has no JSON body; ignored".to_owned() });
                Vec::new()
            }
            Some(fields) => fields.iter().map(|(k, v)| (k.clone(), v.to_string())).collect(),
        };
        Ok(Ok(Operation {
            operation_id,
            rust_name,
            name_source: name.source,
            method: method.to_uppercase(),
            path: path.to_owned(),
            path_segments,
            tags: view.list("tags").iter().filter_map(|t| t.as_str().map(str::to_owned)).collect(),
            feature: crate::names::features::feature_name(view.list("tags").first().and_then(Value::as_str), path),
            doc,
            deprecated: view.deprecated(),
            path_params,
            params,
            params_type,
            body,
            alternative_body,
            response,
            stream,
            stream_method: None,
            fixed_headers,
            body_defaults,
            pagination: None,
            items: None,
        }))
    }

    /// The request bodies the spec offers, in spec order: JSON and multipart are
    /// supported; other media types, and JSON for a schema that holds files, are
    /// reported and left out. `Err` when no encoding is usable.
    fn bodies(&mut self, body: &Value, ptr: &str, op_type: &str) -> Result<Result<Vec<Body>, String>, SpecError> {
        let (body, bptr) = self.deref(body, ptr.to_owned())?;
        let bview = View::of(body);
        let required = bview.get("required").and_then(Value::as_bool).unwrap_or(false);
        let Some(content) = bview.get("content").and_then(Value::as_object) else {
            return Ok(Err("request body without content".to_owned()));
        };
        let mut out = Vec::new();
        for (media, m) in content {
            let mptr = child(&child(&bptr, "content"), media);
            let encoding = if is_json_media(media) {
                BodyEncoding::Json
            } else if media == "multipart/form-data" {
                BodyEncoding::Multipart
            } else {
                self.schemas.warnings.push(Warning { pointer: mptr, message: format!("request media type `{media}` is not supported (JSON and multipart/form-data are)") });
                continue;
            };
            if out.iter().any(|b: &Body| b.encoding == encoding) {
                continue;
            }
            let schema = m.get("schema").cloned().unwrap_or(Value::Object(Default::default()));
            let hint = NamePath::root(op_type).child("Request");
            let lowered = self.schemas.lower_in(&schema, &child(&mptr, "schema"), &hint, encoding == BodyEncoding::Multipart)?;
            let is_form = matches!(&lowered.ty, TypeRef::Named(id) if matches!(self.schemas.types.get(id).map(|t| &t.kind), Some(TypeKind::Multipart(_))));
            match encoding {
                BodyEncoding::Multipart if !is_form => {
                    self.schemas.warnings.push(Warning { pointer: mptr, message: "multipart body schema is not an object with properties; not generated".to_owned() });
                    continue;
                }
                BodyEncoding::Json if is_form => {
                    self.schemas.warnings.push(Warning { pointer: mptr, message: "JSON body uses the same schema as the multipart body; only the multipart method is generated".to_owned() });
                    continue;
                }
                _ => {}
            }
            out.push(Body { encoding, ty: lowered.ty, required });
        }
        if out.is_empty() {
            let medias: Vec<&String> = content.keys().collect();
            return Ok(Err(format!("no supported request media type in {medias:?}")));
        }
        Ok(Ok(out))
    }

    /// The success response, and the `text/event-stream` schema if one is declared.
    #[allow(clippy::type_complexity)]
    fn response(&mut self, op: &Value, ptr: &str, op_type: &str, operation_id: &str) -> Result<Result<(ResponseKind, Option<(Value, String)>), String>, SpecError> {
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            return Ok(Err("operation has no responses".to_owned()));
        };
        let mut success: Vec<&String> = responses.keys().filter(|s| is_success_status(s)).collect();
        success.sort();
        let Some(status) = success.first() else {
            return Ok(Ok((ResponseKind::Empty, None)));
        };
        let (resp, rptr) = self.deref(&responses[*status], child(&child(ptr, "responses"), status))?;
        let Some(content) = resp.get("content").and_then(Value::as_object).filter(|c| !c.is_empty()) else {
            return Ok(Ok((ResponseKind::Empty, None)));
        };
        let cptr = child(&rptr, "content");
        let event_stream = content.get("text/event-stream").map(|m| (m.get("schema").cloned().unwrap_or(Value::Null), child(&child(&cptr, "text/event-stream"), "schema")));
        if self.config.binary_responses.iter().any(|b| b == operation_id) {
            return Ok(Ok((ResponseKind::Binary, event_stream)));
        }
        let kind = if let Some(media) = content.keys().find(|m| is_json_media(m)) {
            let schema = content[media].get("schema").cloned().unwrap_or(Value::Object(Default::default()));
            let sptr = child(&child(&cptr, media), "schema");
            let view = View::of(&schema);
            if view.ty() == Some("string") && view.format() == Some("binary") {
                ResponseKind::Binary
            } else {
                ResponseKind::Json(self.schemas.lower(&schema, &sptr, &NamePath::root(op_type).child("Response"))?.ty)
            }
        } else if content.keys().any(|m| is_binary_media(m)) {
            ResponseKind::Binary
        } else if content.keys().any(|m| m.starts_with("text/") && m != "text/event-stream") {
            ResponseKind::Text
        } else if event_stream.is_some() {
            // Stream only: the plain method ignores the body; the stream method reads it.
            ResponseKind::Empty
        } else {
            // Any other media type (`application/sdp`, ...) is handed over as bytes.
            ResponseKind::Binary
        };
        Ok(Ok((kind, event_stream)))
    }

    #[allow(clippy::too_many_arguments)]
    fn stream(&mut self, operation_id: &str, op_type: &str, declared: Option<(Value, String)>, body: Option<&Body>, params: &[Param], ptr: &str) -> Result<Option<StreamSpec>, SpecError> {
        let configured = self.config.streaming.get(operation_id);
        let event = match (&declared, configured.and_then(|c| c.event.as_ref())) {
            (Some((schema, sptr)), _) if !schema.is_null() => self.schemas.lower(schema, sptr, &NamePath::root(op_type).child("StreamEvent"))?.ty,
            (_, Some(name)) => {
                let id = format!("#{}", child("/components/schemas", name));
                if self.schemas.doc.pointer(id.trim_start_matches('#')).is_some() {
                    TypeRef::Named(id)
                } else {
                    self.schemas.warnings.push(Warning { pointer: ptr.to_owned(), message: format!("codegen config names stream event schema `{name}`, which this spec does not have; events read as JSON values") });
                    TypeRef::Json
                }
            }
            (Some(_), None) => {
                self.schemas.warnings.push(Warning { pointer: ptr.to_owned(), message: "streaming response without an event schema; events read as JSON values".to_owned() });
                TypeRef::Json
            }
            // Config entries with only an end marker apply to specs that declare the stream.
            (None, None) => return Ok(None),
        };
        // Assistants-style events are objects `{event, data}` told apart by `event`.
        let (event_and_data, known_events) = self.event_shape(&event);
        let flag = if body.is_some_and(|b| self.has_property(&b.ty, "stream")) {
            StreamFlag::Body
        } else if params.iter().any(|p| p.wire_name == "stream" && p.location == ParamLocation::Query) {
            StreamFlag::Query
        } else {
            StreamFlag::None
        };
        Ok(Some(StreamSpec {
            event,
            event_and_data,
            done_marker: configured.and_then(|c| c.done.clone()),
            terminal_events: configured.map(|c| c.terminal_events.clone()).unwrap_or_default(),
            known_events,
            flag,
        }))
    }

    fn has_property(&self, ty: &TypeRef, name: &str) -> bool {
        let TypeRef::Named(id) = ty else { return false };
        match self.schemas.types.get(id).map(|t| &t.kind) {
            Some(TypeKind::Struct(s)) | Some(TypeKind::Multipart(s)) => s.fields.iter().any(|f| f.wire_name == name),
            _ => false,
        }
    }

    /// Whether events are `{event, data}` objects, and the event names the type knows.
    fn event_shape(&self, event: &TypeRef) -> (bool, Vec<String>) {
        let TypeRef::Named(id) = event else { return (false, Vec::new()) };
        match self.schemas.types.get(id).map(|t| &t.kind) {
            Some(TypeKind::Tagged(t)) => {
                let names = t.variants.iter().flat_map(|v| v.tag_values.clone()).collect();
                (t.tag == "event" && t.variants.iter().all(|v| self.has_property(&v.ty, "data")), names)
            }
            _ => (false, Vec::new()),
        }
    }
}

/// The config's headers for an operation: its group's, then its own (which win).
fn fixed_headers(config: &Config, tag: Option<&str>, operation_id: &str) -> Vec<(String, String)> {
    let mut out: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for key in tag.into_iter().chain([operation_id]) {
        for (name, value) in config.headers.get(key).into_iter().flatten() {
            out.insert(name.clone(), value.clone());
        }
    }
    out.into_iter().collect()
}
