//! Emits one async method per operation on the runtime's `Client` (plus a
//! `…_stream` method for streaming operations) and the `…Params` structs.

use super::types::rust_type;
use super::docs::{self, MethodKind};
use super::{ident, Paths};
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

/// The `…Params` struct of one operation.
pub fn emit_params(op: &Operation, model: &Model, paths: &Paths) -> TokenStream {
    let inline = super::inline();
    let Some(name) = &op.params_type else { return TokenStream::new() };
    let name = ident(name);
    let params = &op.params;
    let mut fields = Vec::new();
    let mut args = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for p in params {
        let f = ident(&p.rust_name);
        let ty = rust_type(&p.ty, paths, model);
        let docs = docs::param_docs(p);
        if p.required {
            fields.push(quote!(#docs pub #f: #ty,));
            args.push(quote!(#f: impl ::std::convert::Into<#ty>));
            inits.push(quote!(#f: #f.into(),));
        } else {
            fields.push(quote!(#docs pub #f: ::std::option::Option<#ty>,));
            inits.push(quote!(#f: ::std::option::Option::None,));
            let doc = format!(" Sets `{}`.", p.wire_name);
            setters.push(quote! {
                #[doc = #doc]
                pub fn #f(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                    self.#f = ::std::option::Option::Some(value.into());
                    self
                }
            });
        }
    }
    let doc = format!(" Query and header parameters of {}.", docs::method_link(&op.rust_name, paths));
    let default = params.iter().all(|p| !p.required).then(|| quote!(Default,));
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, #default)]
        #[non_exhaustive]
        pub struct #name { #(#fields)* }
        impl #name {
            /// Creates the parameters from the required ones; optional ones start unset.
            #[allow(clippy::new_without_default)]
            #inline
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits)* }
            }
            #(#setters)*
        }
    }
}

/// The methods of one operation: the plain one, the streaming one, the
/// auto-paging one of a listing, and one for the alternative body encoding
/// when the spec offers two.
pub fn emit_operation(op: &Operation, model: &Model, paths: &Paths) -> TokenStream {
    let mut out = emit_methods(op, model, paths, docs::method_docs(op, MethodKind::Plain, model, paths));
    out.extend(super::pagination::emit_auto_paging(op, model, paths, &method_args(op, model, paths)));
    if let Some((name, body)) = &op.alternative_body {
        // The same call with the other body: its docs point back at the plain method.
        let docs = docs::method_docs(op, MethodKind::Alternative(body), model, paths);
        let alternative = Operation { rust_name: name.clone(), body: Some(body.clone()), alternative_body: None, stream: None, stream_method: None, ..op.clone() };
        out.extend(emit_methods(&alternative, model, paths, docs));
    }
    out
}

/// The arguments of an operation's methods: path parameters, the `…Params`
/// struct, the body.
fn method_args(op: &Operation, model: &Model, paths: &Paths) -> Vec<TokenStream> {
    let mut args = Vec::new();
    for p in &op.path_params {
        let name = ident(&p.rust_name);
        match p.ty {
            TypeRef::String => args.push(quote!(#name: &str)),
            _ => {
                let ty = rust_type(&p.ty, paths, model);
                args.push(quote!(#name: &#ty));
            }
        }
    }
    if let Some(params_type) = &op.params_type {
        let ty = ident(params_type);
        let prefix = &paths.params;
        args.push(quote!(params: &#prefix::#ty));
    }
    if let Some(body) = &op.body {
        let ty = rust_type(&body.ty, paths, model);
        args.push(quote!(body: &#ty));
    }
    args
}

/// The plain method (documented by `docs`) and, for a streaming operation, its `…_stream` twin.
fn emit_methods(op: &Operation, model: &Model, paths: &Paths, docs: TokenStream) -> TokenStream {
    let inline = super::inline();
    let rt = &paths.runtime;
    let args = method_args(op, model, paths);
    // Path: every placeholder becomes one percent-encoded segment; an empty
    // value is an error naming the parameter (it would address another endpoint).
    // Each path argument is shadowed by its encoded segment before the path is built.
    let mut template = String::new();
    let mut values = Vec::new();
    let mut segments = Vec::new();
    for segment in &op.path_segments {
        match segment {
            PathSegment::Literal(text) => template.push_str(&text.replace('{', "{{").replace('}', "}}")),
            PathSegment::Param(name) => {
                template.push_str("{}");
                let Some(p) = op.path_params.iter().find(|p| &p.wire_name == name) else {
                    unreachable!("lowering adds a parameter for every placeholder")
                };
                let id = ident(&p.rust_name);
                if !values.contains(&id) {
                    segments.push(match p.ty {
                        TypeRef::String => quote!(let #id = #rt::path_param(#name, #id)?;),
                        _ => quote!(let #id = #rt::path_param(#name, &#id.to_string())?;),
                    });
                }
                values.push(id);
            }
        }
    }
    let path_expr = if values.is_empty() { quote!(#template) } else { quote!(::std::format!(#template, #(#values),*)) };
    let method = ident(&op.method);

    let mut build = segments;
    build.push(quote!(let request = #rt::RequestSpec::new(#rt::Method::#method, #path_expr);));
    for (name, value) in &op.fixed_headers {
        build.push(quote!(let request = request.header(#name, &#value);));
    }
    for p in &op.params {
        let f = ident(&p.rust_name);
        let wire = &p.wire_name;
        build.push(match p.location {
            ParamLocation::Query if model.array_query_format == ArrayQueryFormat::Brackets && may_hold_list(&p.ty, model) => quote!(let request = request.query_as(#wire, &params.#f, #rt::ArrayFormat::Brackets);),
            ParamLocation::Query => quote!(let request = request.query(#wire, &params.#f);),
            ParamLocation::Header => quote!(let request = request.header(#wire, &params.#f);),
            ParamLocation::Path => unreachable!("path parameters are arguments"),
        });
    }
    // A multipart form has no JSON to override: the methods set its `stream` field on a copy.
    let form_stream_field = stream_field(op, model);
    let set_form_stream = |value: TokenStream| match &form_stream_field {
        Some(field) => quote!(let body = &{ let mut body = ::std::clone::Clone::clone(body); body.#field = #value; body };),
        None => TokenStream::new(),
    };
    let mut body_plain = TokenStream::new();
    let mut body_stream = TokenStream::new();
    if let Some(body) = &op.body {
        let encode = match body.encoding {
            BodyEncoding::Json => {
                let defaults = op.body_defaults.iter().map(|(key, json)| {
                    let value = json_value_tokens(json);
                    quote!(let request = request.json_default(#key, #value);)
                });
                quote!(let request = request.encoded_json(body); #(#defaults)*)
            }
            BodyEncoding::Multipart => quote!(let request = request.multipart(body.to_multipart());),
        };
        body_plain = set_form_stream(quote!(::std::option::Option::None));
        body_plain.extend(encode.clone());
        body_stream = set_form_stream(quote!(::std::option::Option::Some(true)));
        body_stream.extend(encode);
    }
    let flag = op.stream.as_ref().map_or(StreamFlag::None, |s| s.flag);
    let stream_flag_in_body = flag == StreamFlag::Body && op.body.as_ref().is_some_and(|b| b.encoding == BodyEncoding::Json);
    let stream_flag_in_query = flag == StreamFlag::Query;

    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let name = ident(&op.rust_name);
    let mut out = TokenStream::new();

    let plain_body = if stream_flag_in_body { Some(quote!(let request = request.json_override("stream", ::std::option::Option::None);)) } else { None };
    let (ret, call) = match &op.response {
        ResponseKind::Json(ty) => {
            let ty = rust_type(ty, paths, model);
            let call = super::pagination::listing_call(op, model, paths).unwrap_or_else(|| quote!(self.execute_json(request).await));
            (quote!(#rt::Response<#ty>), call)
        }
        ResponseKind::Empty => (quote!(#rt::Response<()>), quote!(self.execute_empty(request).await)),
        ResponseKind::Binary | ResponseKind::Text => (quote!(#rt::BinaryResponse), quote!(self.execute_binary(request).await)),
    };
    out.extend(quote! {
        #docs
        #deprecated
        #inline
        pub async fn #name(&self, #(#args),*) -> ::std::result::Result<#ret, #rt::Error> {
            #(#build)*
            #body_plain
            #plain_body
            #call
        }
    });

    if let (Some(stream), Some(stream_name)) = (&op.stream, &op.stream_method) {
        let sname = ident(stream_name);
        let event = rust_type(&stream.event, paths, model);
        let mut config = if stream.event_and_data { quote!(#rt::StreamConfig::event_and_data()) } else { quote!(#rt::StreamConfig::data_only()) };
        if let Some(done) = &stream.done_marker {
            config = quote!(#config.done_marker(#done));
        }
        if !stream.terminal_events.is_empty() {
            let t = &stream.terminal_events;
            config = quote!(#config.terminal_events(&[#(#t),*]));
        }
        if !stream.known_events.is_empty() {
            let k = &stream.known_events;
            config = quote!(#config.known_events(&[#(#k),*]));
        }
        let mut flag = Vec::new();
        if stream_flag_in_body {
            flag.push(quote!(let request = request.json_override("stream", ::std::option::Option::Some(::serde_json::Value::Bool(true)));));
        }
        if stream_flag_in_query {
            flag.push(quote!(let request = request.query("stream", &true);));
        }
        let doc = docs::method_docs(op, MethodKind::Stream, model, paths);
        out.extend(quote! {
            #doc
            #deprecated
            #inline
            pub async fn #sname(&self, #(#args),*) -> ::std::result::Result<#rt::EventStream<#event>, #rt::Error> {
                const CONFIG: #rt::StreamConfig = #config;
                #(#build)*
                #body_stream
                #(#flag)*
                let request = request.accept("text/event-stream");
                self.execute_sse(request, CONFIG).await
            }
        });
    }
    out
}

/// The optional boolean `stream` field of a streaming operation's multipart body.
fn stream_field(op: &Operation, model: &Model) -> Option<proc_macro2::Ident> {
    if op.stream.as_ref()?.flag != StreamFlag::Body {
        return None;
    }
    let body = op.body.as_ref().filter(|b| b.encoding == BodyEncoding::Multipart)?;
    let TypeRef::Named(id) = &body.ty else { return None };
    let TypeKind::Multipart(s) = &model.types.get(id)?.kind else { return None };
    let field = s.fields.iter().find(|f| f.wire_name == "stream" && f.ty == TypeRef::Bool && !f.required)?;
    Some(ident(&field.rust_name))
}

/// A scalar JSON value (from the config's `body_defaults`) as an expression.
fn json_value_tokens(json: &str) -> TokenStream {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::String(s)) => quote!(::serde_json::Value::String(::std::string::String::from(#s))),
        Ok(serde_json::Value::Bool(b)) => quote!(::serde_json::Value::Bool(#b)),
        Ok(serde_json::Value::Number(n)) if n.is_i64() => {
            let n = n.as_i64().unwrap_or_default();
            quote!(::serde_json::Value::from(#n))
        }
        Ok(serde_json::Value::Number(n)) => {
            let n = n.as_f64().unwrap_or_default();
            quote!(::serde_json::Value::from(#n))
        }
        // The config loader accepts only scalars.
        _ => quote!(::serde_json::Value::Null),
    }
}

/// Whether a value of `ty` may hold a list somewhere (so its query form
/// depends on the array format); plain scalars and string enums never do.
fn may_hold_list(ty: &TypeRef, model: &Model) -> bool {
    may_hold_list_within(ty, model, 0)
}

fn may_hold_list_within(ty: &TypeRef, model: &Model, depth: usize) -> bool {
    match ty {
        TypeRef::String | TypeRef::I64 | TypeRef::I32 | TypeRef::F64 | TypeRef::Bool | TypeRef::File => false,
        TypeRef::Json | TypeRef::JsonObject | TypeRef::JsonInput | TypeRef::Array(_) | TypeRef::Map(_) => true,
        TypeRef::Named(id) => match model.types.get(id).map(|t| &t.kind) {
            Some(TypeKind::StringEnum(_)) | Some(TypeKind::OpenString(_)) => false,
            // Aliases of aliases are followed a little way; past that, assume a list.
            Some(TypeKind::Alias(inner)) => depth > 16 || may_hold_list_within(inner, model, depth + 1),
            _ => true,
        },
    }
}
