//! Emits one Rust item (plus its impls) per named type.

use super::docs::{self, lines_attrs};
use super::{ident, Paths};
use crate::api::{holds_file, is_file_union};
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The Rust type for a reference, with `Box` when asked.
pub fn rust_type(ty: &TypeRef, paths: &Paths, model: &Model) -> TokenStream {
    match ty {
        TypeRef::String => quote!(::std::string::String),
        TypeRef::I64 => quote!(i64),
        TypeRef::I32 => quote!(i32),
        TypeRef::F64 => quote!(f64),
        TypeRef::Bool => quote!(bool),
        TypeRef::Json => quote!(::serde_json::Value),
        TypeRef::JsonObject => quote!(::serde_json::Map<::std::string::String, ::serde_json::Value>),
        TypeRef::JsonInput => {
            let rt = &paths.runtime;
            quote!(#rt::Json)
        }
        TypeRef::File => {
            let rt = &paths.runtime;
            quote!(#rt::InputFile)
        }
        TypeRef::Named(id) => {
            let name = ident(model.types.get(id).map_or("UnknownType", |t| t.rust_name.as_str()));
            let prefix = &paths.types;
            quote!(#prefix::#name)
        }
        TypeRef::Array(inner) => {
            let inner = rust_type(inner, paths, model);
            quote!(::std::vec::Vec<#inner>)
        }
        TypeRef::Map(inner) => {
            let inner = rust_type(inner, paths, model);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
    }
}

/// The field type including `Option` and `Box`.
fn field_type(f: &Field, owner: &TypeDef, paths: &Paths, model: &Model) -> TokenStream {
    let mut ty = rust_type(&crate::api::field_type(f, owner, model), paths, model);
    if f.boxed {
        ty = quote!(::std::boxed::Box<#ty>);
    }
    if crate::api::field_is_option(f) {
        quote!(::std::option::Option<#ty>)
    } else {
        ty
    }
}

fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// Emits a named type.
pub fn emit_type(id: &TypeId, def: &TypeDef, model: &Model, paths: &Paths) -> TokenStream {
    let name = ident(&def.rust_name);
    let docs = docs::type_docs(def, model, paths);
    let deprecated = def.deprecated.then(|| quote!(#[deprecated]));
    let mut out = match &def.kind {
        TypeKind::Struct(s) => emit_struct(&name, s, def, model, paths, docs, deprecated, false),
        TypeKind::Multipart(s) => emit_struct(&name, s, def, model, paths, docs, deprecated, true),
        TypeKind::StringEnum(e) => emit_string_enum(&name, e, paths, docs, deprecated),
        TypeKind::OpenString(values) => emit_open_string(&name, values, docs, deprecated),
        TypeKind::Tagged(t) => emit_tagged(&name, t, model, paths, docs, deprecated),
        TypeKind::Untagged(v) => emit_untagged(&name, v, model, paths, docs, deprecated),
        TypeKind::Alias(ty) => {
            let ty = rust_type(ty, paths, model);
            quote! { #docs #deprecated pub type #name = #ty; }
        }
    };
    out.extend(emit_encode(&name, def, paths));
    out.extend(emit_fit_and_default(&name, def, paths));
    out.extend(emit_conversions(&name, id, model, paths));
    out
}

#[allow(clippy::too_many_arguments)]
fn emit_struct(name: &proc_macro2::Ident, s: &StructDef, def: &TypeDef, model: &Model, paths: &Paths, docs: TokenStream, deprecated: Option<TokenStream>, multipart: bool) -> TokenStream {
    // Objects are encoded through the runtime's `write_object` (see
    // `emit_serialize`); the two that flatten a union into themselves keep
    // serde's derive, which knows how to merge the union's members in.
    let derives_serialize = !multipart && s.fields.iter().any(|f| f.flatten);
    let mut fields = Vec::new();
    for f in &s.fields {
        let fname = ident(&f.rust_name);
        let ty = field_type(f, def, paths, model);
        let fdocs = docs::field_docs(f, model, paths);
        let fdep = f.deprecated.then(|| quote!(#[deprecated]));
        let mut serde_attrs = Vec::new();
        if derives_serialize {
            if f.flatten {
                serde_attrs.push(quote!(#[serde(flatten)]));
            } else if unraw(&f.rust_name) != f.wire_name {
                let wire = &f.wire_name;
                serde_attrs.push(quote!(#[serde(rename = #wire)]));
            }
            if !f.flatten && !f.required {
                serde_attrs.push(quote!(#[serde(skip_serializing_if = "::std::option::Option::is_none")]));
            }
        }
        fields.push(quote! { #fdocs #fdep #(#serde_attrs)* pub #fname: #ty, });
    }
    let additional_name = additional_name(s);
    if let Some(extra) = &s.additional {
        let ty = rust_type(extra, paths, model);
        let attr = derives_serialize.then(|| quote!(#[serde(flatten)]));
        fields.push(quote! {
            /// Properties beyond the ones listed above.
            #attr
            pub #additional_name: ::std::collections::BTreeMap<::std::string::String, #ty>,
        });
    }
    if let Some(extra) = &s.unknown_fields {
        let extra = ident(extra);
        fields.push(quote! {
            /// Properties the spec does not declare, kept as the server sent them
            /// and written back on encode (set them on a request with `extra_field`).
            pub #extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
        });
    }
    // Deserialize is written by hand (see `emit_deserialize`): far less code to compile.
    // No PartialEq on objects and unions: on the newest spec it was a third of
    // the crate's compile time, and API objects are compared through their fields.
    let serialize = derives_serialize.then(|| quote!(::serde::Serialize));
    let derives = match (multipart, def.empty_value) {
        (true, _) => quote!(#[derive(Debug, Clone)]),
        // An empty value is what a missing required field of this type reads as.
        (false, true) => quote!(#[derive(Debug, Clone, Default, #serialize)]),
        (false, false) => quote!(#[derive(Debug, Clone, #serialize)]),
    };
    let mut out = quote! {
        #docs
        #deprecated
        #derives
        #[non_exhaustive]
        pub struct #name { #(#fields)* }
    };
    if !multipart {
        if !derives_serialize {
            out.extend(emit_serialize(name, s, paths));
        }
        out.extend(emit_deserialize(name, s, model, paths, &additional_name));
        if def.fits {
            out.extend(emit_struct_fit(name, s, model, paths));
        }
    }
    if crate::api::has_builder(def) {
        out.extend(emit_builder(name, s, def, model, paths, &additional_name));
    }
    if multipart {
        out.extend(emit_to_multipart(name, s, model, paths));
    }
    out
}

/// The name of the field holding `additionalProperties`, clear of a declared
/// field of that name.
fn additional_name(s: &StructDef) -> proc_macro2::Ident {
    format_ident!("{}", if s.fields.iter().any(|f| f.rust_name == "additional_properties") { "additional_properties_" } else { "additional_properties" })
}

/// An object's members as the runtime's encoders take them: `(wire name,
/// value)` in declared order, `None` for an absent optional field (a
/// required nullable one is `Some` and writes `null`), and the map of kept
/// extra members, if the object has one. For `Encode` (`json`) the key is
/// its JSON text with the colon and the value a `&dyn Encode`; for
/// `Serialize`, the wire name and a `&dyn erased_serde::Serialize`.
fn object_members(s: &StructDef, paths: &Paths, json: bool) -> (Vec<TokenStream>, TokenStream) {
    let rt = &paths.runtime;
    let optional = if json { quote!(optional_json) } else { quote!(optional) };
    let members = s.fields.iter().map(|f| {
        // `Encode` copies its keys as they are: written as JSON here, once.
        let wire = if json { format!("{}:", serde_json::Value::from(f.wire_name.as_str())) } else { f.wire_name.clone() };
        let fname = ident(&f.rust_name);
        if f.required {
            quote!((#wire, ::std::option::Option::Some(&self.#fname)))
        } else {
            quote!((#wire, #rt::ser::#optional(&self.#fname)))
        }
    });
    let rest = match (&s.additional, &s.unknown_fields) {
        (Some(_), _) => {
            let additional_name = additional_name(s);
            quote!(::std::option::Option::Some(&self.#additional_name))
        }
        (None, Some(extra)) => {
            let extra = ident(extra);
            quote!(::std::option::Option::Some(&self.#extra))
        }
        (None, None) => quote!(::std::option::Option::None),
    };
    (members.collect(), rest)
}

/// `Serialize` through the runtime's `write_object`: the members of
/// [`object_members`]. The body is not generic over the serializer but for
/// the one call, so the crate compiles one encoder, not one per type.
fn emit_serialize(name: &proc_macro2::Ident, s: &StructDef, paths: &Paths) -> TokenStream {
    let rt = &paths.runtime;
    let (members, rest) = object_members(s, paths, false);
    let owner = name.to_string();
    quote! {
        #[allow(deprecated)]
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                #rt::ser::write_object(serializer, #owner, &[#(#members),*], #rest)
            }
        }
    }
}

/// The runtime's `Encode`: the type's JSON written straight into a buffer,
/// how request bodies are encoded (see the runtime's `ser` module). Its
/// bytes equal what the type's `Serialize` gives serde_json; the round-trip
/// test over every schema checks that. Only the types `api::has_encode`
/// names, and of those not the ones that are not JSON (multipart bodies,
/// unions holding files) or have no type of their own (aliases).
fn emit_encode(name: &proc_macro2::Ident, def: &TypeDef, paths: &Paths) -> TokenStream {
    if !crate::api::has_encode(def) {
        return TokenStream::new();
    }
    let rt = &paths.runtime;
    let body = match &def.kind {
        TypeKind::Struct(s) if s.fields.iter().any(|f| f.flatten) => quote!(#rt::ser::write_with_serde(out, self)),
        TypeKind::Struct(s) => {
            let (members, rest) = object_members(s, paths, true);
            quote!(#rt::ser::write_json_object(out, &[#(#members),*], #rest))
        }
        TypeKind::StringEnum(_) => quote!(#rt::ser::write_str(out, self.as_str())),
        TypeKind::OpenString(_) => quote!(#rt::ser::write_str(out, &self.0)),
        TypeKind::Tagged(t) => {
            let fallback = ident(&t.fallback);
            let arms = t.variants.iter().map(|v| {
                let id = ident(&v.rust_name);
                if v.carries_tag {
                    quote!(Self::#id(value) => #rt::ser::Encode::write_json(value, out),)
                } else {
                    // The tag is added to the variant's object: serde's way.
                    quote!(Self::#id(_) => #rt::ser::write_with_serde(out, self),)
                }
            });
            quote!(match self {
                #(#arms)*
                Self::#fallback(value) => #rt::ser::Encode::write_json(value, out),
            })
        }
        TypeKind::Untagged(_) if is_file_union(def) => return TokenStream::new(),
        TypeKind::Untagged(variants) => {
            let arms = variants.iter().map(|v| {
                let id = ident(&v.rust_name);
                quote!(Self::#id(value) => #rt::ser::Encode::write_json(value, out),)
            });
            quote!(match self { #(#arms)* })
        }
        TypeKind::Multipart(_) | TypeKind::Alias(_) => return TokenStream::new(),
    };
    let inline = super::inline();
    quote! {
        #[allow(deprecated)]
        impl #rt::ser::Encode for #name {
            #inline
            fn write_json(&self, out: &mut ::std::vec::Vec<u8>) -> ::std::result::Result<(), ::serde_json::Error> {
                #body
            }
        }
    }
}

/// `Fit` (how well a decoded value matches its JSON, for untagged unions) and,
/// for one-value enums, `Default`, for the kinds other than objects.
fn emit_fit_and_default(name: &proc_macro2::Ident, def: &TypeDef, paths: &Paths) -> TokenStream {
    let inline = super::inline();
    let rt = &paths.runtime;
    // Only the types `TypeDef::fits` names are ever asked.
    let fit = |body: TokenStream| {
        if !def.fits {
            return TokenStream::new();
        }
        quote! {
            impl #rt::de::Fit for #name {
                #inline
                fn misfit(&self) -> usize { #body }
            }
        }
    };
    match &def.kind {
        TypeKind::StringEnum(e) => {
            let catch_all = ident(&e.catch_all);
            let mut out = fit(quote!(if ::std::matches!(self, Self::#catch_all(_)) { #rt::de::UNKNOWN_TAG } else { 0 }));
            if let [only] = e.values.as_slice() {
                let only = ident(&only.rust_name);
                out.extend(quote! {
                    impl ::std::default::Default for #name {
                        #inline
                        fn default() -> Self { Self::#only }
                    }
                });
            }
            out
        }
        TypeKind::OpenString(_) => fit(quote!(0)),
        TypeKind::Tagged(t) => {
            let arms = t.variants.iter().map(|v| {
                let id = ident(&v.rust_name);
                quote!(Self::#id(value) => #rt::de::Fit::misfit(value),)
            });
            let fallback = ident(&t.fallback);
            fit(quote!(match self { #(#arms)* Self::#fallback(_) => #rt::de::UNKNOWN_TAG, }))
        }
        TypeKind::Untagged(variants) if !variants.iter().any(|v| holds_file(&v.ty)) => {
            let arms = variants.iter().map(|v| {
                let id = ident(&v.rust_name);
                quote!(Self::#id(value) => #rt::de::Fit::misfit(value),)
            });
            fit(quote!(match self { #(#arms)* }))
        }
        _ => TokenStream::new(),
    }
}

/// `Deserialize` through the runtime's `de` helpers: the object's members
/// are read once, in the order they come (`next_field` gives each one's
/// declared index), each decoded where it stands into the local of its field
/// (`v0`, `v1`..., names no field or binding of the impl can clash with).
/// Then a flattened union part reads what the declared fields left, and
/// whatever nobody took is kept (`additionalProperties` or the
/// unknown-fields map), so nothing the server sends is lost. Last, each
/// required field is finished: a missing one read as its type's empty value
/// (noted) or reported missing.
fn emit_deserialize(name: &proc_macro2::Ident, s: &StructDef, model: &Model, paths: &Paths, additional_name: &proc_macro2::Ident) -> TokenStream {
    let rt = &paths.runtime;
    let owner = name.to_string();
    // Every early return (`?`) makes rustc drop the locals alive there, with
    // code of its own: one `?` per field would be quadratic in the field
    // count (a 60-field type was 9 times the code, and the bulk of the
    // client's build time). So the loop has one `?` for whichever field was
    // read, and the finishing helpers note their error in the object for one
    // `check` at the end; only a required field with no empty value (rare)
    // returns its own.
    let mut wires = Vec::new();
    let mut locals = Vec::new();
    let mut arms = Vec::new();
    let mut finishes = Vec::new();
    let mut inits = Vec::new();
    for (index, f) in s.fields.iter().filter(|f| !f.flatten).enumerate() {
        wires.push(&f.wire_name);
        let local = quote::format_ident!("v{}", index);
        let index = proc_macro2::Literal::usize_unsuffixed(index);
        // An array's elements are pushed as they are decoded, not moved
        // out through `Vec<T>`'s own impl (copies of each one).
        // (An array always has an empty value, so it never takes `put`.)
        // A string is copied out of its text without serde's visitor.
        // A string enum's known values are matched in its table where they
        // stand, without serde's deserializer.
        let nullable_put = match &f.ty {
            TypeRef::Array(_) if !f.boxed => quote!(put_nullable_array),
            TypeRef::String if !f.boxed => quote!(put_nullable_string),
            ty if !f.boxed && crate::api::is_string_enum(ty, model) => quote!(put_nullable_enum),
            _ => quote!(put_nullable),
        };
        let (put, finish) = if f.facts.base64_float32 {
            // `lower` keeps the mark only on required `Vec<f64>` fields.
            (quote!(put_base64_float32), Some(quote!(#rt::de::or_empty(object, #index, #local))))
        } else if f.ty == TypeRef::I64 && !f.boxed {
            (quote!(put_int64), Some(quote!(#rt::de::int64_or_empty(object, #index, #local))))
        } else if crate::api::reads_missing_as_empty(f, model) {
            (nullable_put, Some(quote!(#rt::de::or_empty(object, #index, #local))))
        } else if crate::api::field_is_option(f) {
            (nullable_put, None)
        } else {
            (quote!(put), Some(quote!(#rt::de::required(object, #index, #local)?)))
        };
        locals.push(quote!(let mut #local = ::std::option::Option::None;));
        arms.push(quote!(#index => #rt::de::#put(object, #index, &mut #local),));
        if let Some(finish) = finish {
            finishes.push(quote!(let #local = #finish;));
        }
        let fname = ident(&f.rust_name);
        inits.push(quote!(#fname: #local,));
    }
    let walk = match arms.is_empty() {
        true => TokenStream::new(),
        false => quote! {
            #(#locals)*
            while let ::std::option::Option::Some(index) = object.next_field()? {
                let read = match index { #(#arms)* _ => ::std::result::Result::Ok(()), };
                read?;
            }
        },
    };
    let mut rest = Vec::new();
    for (i, f) in s.fields.iter().filter(|f| f.flatten).enumerate() {
        let (fname, local) = (ident(&f.rust_name), quote::format_ident!("w{}", i));
        rest.push(quote!(let #local = #rt::de::whole(object)?;));
        inits.push(quote!(#fname: #local,));
    }
    let mut keeps_rest = false;
    if s.additional.is_some() {
        rest.push(quote!(let rest = #rt::de::rest(object)?;));
        inits.push(quote!(#additional_name: rest,));
        keeps_rest = true;
    } else if let Some(extra) = &s.unknown_fields {
        let extra = ident(extra);
        rest.push(quote!(let rest = #rt::de::unknown(object)?;));
        inits.push(quote!(#extra: rest,));
        keeps_rest = true;
    }
    let check = match finishes.is_empty() {
        true => TokenStream::new(),
        false => quote!(#rt::de::check(object)?;),
    };
    let binding = match !s.fields.is_empty() || keeps_rest {
        true => quote!(object),
        false => quote!(_object),
    };
    let shape = quote!(#rt::de::Shape::new(#owner, &[#(#wires),*]));
    let body = quote!(#walk #(#rest)* #(#finishes)* #check ::std::result::Result::Ok(#name { #(#inits)* }));
    deserialize_impl(name, paths, Reads::Object { shape, binding }, body)
}

/// What a generated reader takes from the runtime.
enum Reads {
    /// An object of the type `shape` describes (a `Shape` expression), bound
    /// as `binding` (`object`, or `_object` when nothing is read).
    Object { shape: TokenStream, binding: TokenStream },
    /// Any value, as a `Node` bound as `node` (unions).
    Node,
}

/// A `Deserialize` impl that hands the deserializer to the runtime
/// (`read_object` or `read_node`, as `reads` says) with `read`, the type's
/// reader, whose body is `body`. The reader is a nested function, not generic
/// over the deserializer, so rustc type-checks it once (see the runtime's
/// `read_object`; it names the type, as a nested function cannot say
/// `Self`). `#[inline]` keeps readers out of the machine code of types nobody
/// decodes: a non-generic function that a public generic one calls is
/// otherwise compiled eagerly, and 1,577 readers compiled so nearly doubled
/// the crate's code generation.
fn deserialize_impl(name: &proc_macro2::Ident, paths: &Paths, reads: Reads, body: TokenStream) -> TokenStream {
    let inline = super::inline();
    let rt = &paths.runtime;
    let (prelude, input, call) = match reads {
        Reads::Object { shape, binding } => (
            quote!(static SHAPE: #rt::de::Shape = #shape;),
            quote!(#binding: &mut #rt::de::Object<'_>),
            quote!(#rt::de::read_object(deserializer, &SHAPE, read)),
        ),
        Reads::Node => (TokenStream::new(), quote!(node: #rt::de::Node<'_>), quote!(#rt::de::read_node(deserializer, read))),
    };
    quote! {
        #[allow(deprecated)]
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                #prelude
                #inline
                fn read(#input) -> ::std::result::Result<#name, #rt::de::Failure> { #body }
                #call
            }
        }
    }
}

/// `Fit` for an object: one per property it did not know, and a large
/// penalty for a one-value enum property (a tag) holding another value.
fn emit_struct_fit(name: &proc_macro2::Ident, s: &StructDef, model: &Model, paths: &Paths) -> TokenStream {
    let inline = super::inline();
    let rt = &paths.runtime;
    let mut terms = Vec::new();
    if let Some(extra) = &s.unknown_fields {
        let extra = ident(extra);
        terms.push(quote!(self.#extra.len()));
    }
    for f in &s.fields {
        let fname = ident(&f.rust_name);
        if f.flatten {
            terms.push(quote!(#rt::de::Fit::misfit(&self.#fname)));
        } else if crate::api::is_tag_like(f, model) {
            let value = if crate::api::field_is_option(f) { quote!(self.#fname.as_ref().map_or(0, #rt::de::Fit::misfit)) } else { quote!(#rt::de::Fit::misfit(&self.#fname)) };
            terms.push(value);
        }
    }
    let body = if terms.is_empty() { quote!(0) } else { quote!(#(#terms)+*) };
    let allow = (!terms.is_empty()).then(|| quote!(#[allow(deprecated)]));
    quote! {
        #allow
        impl #rt::de::Fit for #name {
            #inline
            fn misfit(&self) -> usize { #body }
        }
    }
}

/// `new(required…)` plus one setter per optional field, so adding an optional
/// property to the spec does not break callers.
fn emit_builder(name: &proc_macro2::Ident, s: &StructDef, def: &TypeDef, model: &Model, paths: &Paths, additional_name: &proc_macro2::Ident) -> TokenStream {
    let inline = super::inline();
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    // What each field becomes is decided once, in `crate::api`, which the
    // API listing (CHANGELOG, diff) reads too.
    let plan = crate::api::builder(s, model);
    for (f, role) in s.fields.iter().zip(plan.roles.iter().cloned()) {
        let fname = ident(&f.rust_name);
        let ty = crate::api::field_type(f, def, model);
        let base = rust_type(&ty, paths, model);
        // Free-form JSON takes any `Serialize` value; the runtime's `Json`
        // keeps a failed conversion for the send to report.
        let json_input = *ty == TypeRef::JsonInput;
        let arg = if json_input { quote!(impl ::serde::Serialize) } else { quote!(impl ::std::convert::Into<#base>) };
        let convert = |v: TokenStream| if json_input { quote!(#base::new(#v)) } else { quote!(#v.into()) };
        let wrap = |v: TokenStream| if f.boxed { quote!(::std::boxed::Box::new(#v)) } else { v };
        match role {
            crate::api::FieldRole::Fixed(fixed) => {
                let variant = ident(&fixed.rust_name);
                let value = wrap(quote!(#base::#variant));
                inits.push(quote!(#fname: #value,));
            }
            crate::api::FieldRole::Argument => {
                let value = wrap(convert(quote!(#fname)));
                params.push(quote!(#fname: #arg));
                inits.push(quote!(#fname: #value,));
            }
            crate::api::FieldRole::NullableArgument(null) => {
                let value = wrap(convert(quote!(#fname)));
                params.push(quote!(#fname: #arg));
                inits.push(quote!(#fname: ::std::option::Option::Some(#value),));
                let null = ident(&null);
                let doc = format!(" Sends `{}` as `null` (a required field: it is always sent).", f.wire_name);
                setters.push(quote! {
                    #[doc = #doc]
                    #inline
                    pub fn #null(mut self) -> Self {
                        self.#fname = ::std::option::Option::None;
                        self
                    }
                });
            }
            crate::api::FieldRole::Setter(setter) => {
                inits.push(quote!(#fname: ::std::option::Option::None,));
                let setter = ident(&setter);
                let value = wrap(convert(quote!(value)));
                let doc = format!(" Sets `{}`.", f.wire_name);
                setters.push(quote! {
                    #[doc = #doc]
                    #inline
                    pub fn #setter(mut self, value: #arg) -> Self {
                        self.#fname = ::std::option::Option::Some(#value);
                        self
                    }
                });
            }
        }
    }
    if s.additional.is_some() {
        inits.push(quote!(#additional_name: ::std::default::Default::default(),));
    }
    if let (Some(extra), Some(setter)) = (&s.unknown_fields, &plan.extra_setter) {
        let extra = ident(extra);
        let setter = ident(setter);
        inits.push(quote!(#extra: ::serde_json::Map::new(),));
        setters.push(quote! {
            /// Sets a property the spec does not declare (sent as given, beside the others).
            pub fn #setter(mut self, key: impl ::std::convert::Into<::std::string::String>, value: impl ::std::convert::Into<::serde_json::Value>) -> Self {
                self.#extra.insert(key.into(), value.into());
                self
            }
        });
    }
    let nulls: Vec<(&str, &str)> = s.fields.iter().zip(&plan.roles).filter_map(|(f, role)| match role {
        crate::api::FieldRole::NullableArgument(null) => Some((f.rust_name.as_str(), null.as_str())),
        _ => None,
    }).collect();
    let new_doc = docs::constructor_doc(s, &nulls);
    quote! {
        #[allow(deprecated)]
        impl #name {
            #new_doc
            #[allow(clippy::too_many_arguments, clippy::new_without_default)]
            #inline
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* }
            }
            #(#setters)*
        }
    }
}

fn emit_to_multipart(name: &proc_macro2::Ident, s: &StructDef, model: &Model, paths: &Paths) -> TokenStream {
    let inline = super::inline();
    let rt = &paths.runtime;
    let mut parts = Vec::new();
    for f in &s.fields {
        let fname = ident(&f.rust_name);
        let wire = &f.wire_name;
        let array_wire = if wire.ends_with("[]") { wire.clone() } else { format!("{wire}[]") };
        let push = match &f.ty {
            TypeRef::File => quote!(form.file(#wire, value);),
            TypeRef::Array(inner) if **inner == TypeRef::File => quote!(for file in value { form.file(#array_wire, file); }),
            TypeRef::Named(id) if model.types.get(id).is_some_and(is_file_union) => quote!(value.add_to(&mut form, #wire);),
            _ => quote!(form.value(#wire, value);),
        };
        let optional = crate::api::field_is_option(f);
        parts.push(if optional {
            quote!(if let ::std::option::Option::Some(value) = &self.#fname { #push })
        } else {
            quote!({ let value = &self.#fname; #push })
        });
    }
    if s.additional.is_some() {
        let additional = format_ident!("additional_properties");
        parts.push(quote!(for (key, value) in &self.#additional { form.value(key, value); }));
    }
    quote! {
        #[allow(deprecated)]
        impl #name {
            /// Encodes the value as `multipart/form-data` parts: files as file parts,
            /// arrays as repeated `name[]` parts, everything else as text.
            #inline
            pub fn to_multipart(&self) -> #rt::MultipartForm {
                let mut form = #rt::MultipartForm::new();
                #(#parts)*
                form
            }
        }
    }
}

fn emit_string_enum(name: &proc_macro2::Ident, e: &StringEnumDef, paths: &Paths, docs: TokenStream, deprecated: Option<TokenStream>) -> TokenStream {
    let inline = super::inline();
    let rt = &paths.runtime;
    let catch_all = ident(&e.catch_all);
    let variants: Vec<TokenStream> = e
        .values
        .iter()
        .map(|v| {
            let id = ident(&v.rust_name);
            let doc = lines_attrs(&[docs::wire_doc(&v.wire)]);
            quote!(#doc #id,)
        })
        .collect();
    let to_str: Vec<TokenStream> = e.values.iter().map(|v| {
        let id = ident(&v.rust_name);
        let wire = &v.wire;
        quote!(Self::#id => #wire,)
    }).collect();
    let from_str: Vec<TokenStream> = e.values.iter().map(|v| {
        let id = ident(&v.rust_name);
        let wire = &v.wire;
        quote!(#wire => Self::#id,)
    }).collect();
    let wires = e.values.iter().map(|v| &v.wire);
    quote! {
        #docs
        #deprecated
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the client does not know.
            #catch_all(::std::string::String),
        }
        impl #name {
            /// The value as sent on the wire.
            #inline
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::#catch_all(value) => value.as_str(),
                }
            }
        }
        impl ::std::convert::From<&str> for #name {
            #inline
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::#catch_all(::std::borrow::ToOwned::to_owned(other)),
                }
            }
        }
        impl ::std::fmt::Display for #name {
            #inline
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl #rt::de::WireEnum for #name {
            #inline
            fn wire_values() -> &'static #rt::de::EnumValues {
                static VALUES: #rt::de::EnumValues = #rt::de::EnumValues::new(&[#(#wires),*]);
                &VALUES
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                #rt::de::read_enum(deserializer)
            }
        }
    }
}

fn emit_open_string(name: &proc_macro2::Ident, values: &[EnumValue], docs: TokenStream, deprecated: Option<TokenStream>) -> TokenStream {
    let inline = super::inline();
    let consts: Vec<TokenStream> = values
        .iter()
        .map(|v| {
            let id = ident(&v.rust_name);
            let wire = &v.wire;
            let doc = lines_attrs(&[docs::wire_doc(wire)]);
            quote!(#doc pub const #id: Self = Self(::std::borrow::Cow::Borrowed(#wire));)
        })
        .collect();
    let known: Vec<&String> = values.iter().map(|v| &v.wire).collect();
    quote! {
        #docs
        #deprecated
        #[derive(Debug, Clone, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(transparent)]
        pub struct #name(
            /// The value as sent on the wire.
            pub ::std::borrow::Cow<'static, str>,
        );
        impl #name {
            #(#consts)*
            /// Values the spec lists; any other string is accepted too.
            pub const KNOWN: &'static [&'static str] = &[#(#known),*];
            /// Any value, known or not.
            pub fn new(value: impl ::std::convert::Into<::std::string::String>) -> Self {
                Self(::std::borrow::Cow::Owned(value.into()))
            }
            /// The value as sent on the wire.
            #inline
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl ::std::convert::From<&str> for #name {
            #inline
            fn from(value: &str) -> Self {
                Self::new(value)
            }
        }
        impl ::std::convert::From<::std::string::String> for #name {
            #inline
            fn from(value: ::std::string::String) -> Self {
                Self::new(value)
            }
        }
        impl ::std::fmt::Display for #name {
            #inline
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

/// The `From` impls [`crate::api::conversions`] decides: each wraps the value
/// in the variants of its route, outermost first; text goes in through the
/// innermost type's own `From<&str>`/`From<String>`.
fn emit_conversions(name: &proc_macro2::Ident, id: &TypeId, model: &Model, paths: &Paths) -> TokenStream {
    let inline = super::inline();
    let mut out = TokenStream::new();
    for c in crate::api::conversions(id, model).from {
        let wrap = |inner: TokenStream| {
            c.route.iter().enumerate().rev().fold(inner, |acc, (i, step)| {
                let variant = ident(&step.variant);
                if i == 0 {
                    quote!(Self::#variant(#acc))
                } else {
                    let union = rust_type(&TypeRef::Named(step.union.clone()), paths, model);
                    quote!(#union::#variant(#acc))
                }
            })
        };
        let sources = match &c.source {
            // A closed enum converts from `&str` only (a `String` lends it one).
            crate::api::Source::Text if c.closed => vec![(quote!(&str), wrap(quote!(::std::convert::From::from(value)))), (quote!(::std::string::String), wrap(quote!(::std::convert::From::from(value.as_str()))))],
            // A `String` variant takes a `String` as it is (no identity conversion for clippy to flag).
            crate::api::Source::Text if c.leaf(model) == Some(&TypeRef::String) => vec![(quote!(&str), wrap(quote!(::std::convert::From::from(value)))), (quote!(::std::string::String), wrap(quote!(value)))],
            crate::api::Source::Text => vec![(quote!(&str), wrap(quote!(::std::convert::From::from(value)))), (quote!(::std::string::String), wrap(quote!(::std::convert::From::from(value))))],
            crate::api::Source::Value(ty) => vec![(rust_type(ty, paths, model), wrap(quote!(value)))],
        };
        for (t, value) in sources {
            out.extend(quote! {
                impl ::std::convert::From<#t> for #name {
                    #inline
                    fn from(value: #t) -> Self {
                        #value
                    }
                }
            });
        }
    }
    out
}

fn emit_tagged(name: &proc_macro2::Ident, t: &TaggedDef, model: &Model, paths: &Paths, docs: TokenStream, deprecated: Option<TokenStream>) -> TokenStream {
    let tag = &t.tag;
    let fallback = ident(&t.fallback);
    let mut variants = Vec::new();
    let mut ser_arms = Vec::new();
    let mut de_arms = Vec::new();
    for v in &t.variants {
        let id = ident(&v.rust_name);
        let ty = rust_type(&v.ty, paths, model);
        let doc = lines_attrs(&[docs::tagged_variant_doc(tag, v, model, paths)]);
        variants.push(quote!(#doc #id(#ty),));
        let first = &v.tag_values[0];
        ser_arms.push(if v.carries_tag {
            quote!(Self::#id(value) => ::serde::Serialize::serialize(value, serializer),)
        } else {
            quote!(Self::#id(value) => {
                let mut value = ::serde_json::to_value(value).map_err(::serde::ser::Error::custom)?;
                if let ::std::option::Option::Some(object) = value.as_object_mut() {
                    object.insert(::std::string::String::from(#tag), ::serde_json::Value::from(#first));
                }
                ::serde::Serialize::serialize(&value, serializer)
            })
        });
        let values = &v.tag_values;
        de_arms.push(quote!(#(::std::option::Option::Some(#values))|* => node.decode().map(#name::#id),));
    }
    let mut out = quote! {
        #docs
        #deprecated
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// An object whose tag this version of the client does not know, kept as JSON.
            #fallback(::serde_json::Value),
        }
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(#ser_arms)*
                    Self::#fallback(value) => ::serde::Serialize::serialize(value, serializer),
                }
            }
        }
    };
    out.extend(deserialize_impl(
        name,
        paths,
        Reads::Node,
        quote! {
            match node.tag(#tag)?.as_deref() {
                #(#de_arms)*
                _ => node.into_value().map(#name::#fallback),
            }
        },
    ));
    out
}


fn emit_file_union(name: &proc_macro2::Ident, variants: &[UnionVariant], model: &Model, paths: &Paths, docs: TokenStream, deprecated: Option<TokenStream>) -> TokenStream {
    let inline = super::inline();
    let rt = &paths.runtime;
    let vs = variants.iter().map(|v| {
        let id = ident(&v.rust_name);
        let ty = rust_type(&v.ty, paths, model);
        let doc = lines_attrs(&[docs::variant_doc(&v.ty, model, paths)]);
        quote!(#doc #id(#ty),)
    });
    let arms = variants.iter().map(|v| {
        let id = ident(&v.rust_name);
        match &v.ty {
            TypeRef::File => quote!(Self::#id(file) => form.file(name, file),),
            TypeRef::Array(inner) if **inner == TypeRef::File => quote!(Self::#id(files) => {
                let many = ::std::format!("{name}[]");
                for file in files { form.file(&many, file); }
            }),
            _ => quote!(Self::#id(value) => form.value(name, value),),
        }
    });
    quote! {
        #docs
        #deprecated
        #[derive(Debug, Clone)]
        pub enum #name { #(#vs)* }
        impl #name {
            /// Writes the value as the form field `name`: a file part, repeated
            /// `name[]` file parts for several files, or text parts.
            #inline
            pub fn add_to(&self, form: &mut #rt::MultipartForm, name: &str) {
                match self { #(#arms)* }
            }
        }
    }
}

fn emit_untagged(name: &proc_macro2::Ident, variants: &[UnionVariant], model: &Model, paths: &Paths, docs: TokenStream, deprecated: Option<TokenStream>) -> TokenStream {
    if variants.iter().any(|v| holds_file(&v.ty)) {
        return emit_file_union(name, variants, model, paths, docs, deprecated);
    }
    let vs: Vec<TokenStream> = variants
        .iter()
        .map(|v| {
            let id = ident(&v.rust_name);
            let ty = rust_type(&v.ty, paths, model);
            let doc = lines_attrs(&[docs::variant_doc(&v.ty, model, paths)]);
            quote!(#doc #id(#ty),)
        })
        .collect();
    // Every variant is tried (lowering puts richer objects first) and the one
    // that fits the value best is kept: a branch that would drop keys another
    // branch knows, or whose tag differs, never wins; a perfect fit ends the
    // search. Written by hand so each variant is read from one JSON value
    // without serde's buffering code. A variant that cannot take the value's
    // kind of JSON is not tried (see `api::json_kinds`).
    let rt = &paths.runtime;
    let kinds: Vec<crate::api::JsonKinds> = variants.iter().map(|v| crate::api::json_kinds(&v.ty, model)).collect();
    let any_kind = crate::api::JsonKinds::ANY;
    let attempts = variants.iter().zip(&kinds).map(|(v, &kinds)| {
        let id = ident(&v.rust_name);
        let attempt = quote! {
            if let ::std::option::Option::Some(attempt) = #rt::de::variant(&node) {
                let misfit = attempt.misfit();
                if misfit == 0 { return ::std::result::Result::Ok(#name::#id(attempt.accept())); }
                #rt::de::keep_best(&mut best, misfit, attempt.map(#name::#id));
            }
        };
        if kinds == any_kind {
            return attempt;
        }
        let names = kinds.names().into_iter().map(|n| format_ident!("{}", n));
        quote!(if kind & (#(#rt::de::kind::#names)|*) != 0 { #attempt })
    });
    let kind = kinds.iter().any(|&k| k != any_kind).then(|| quote!(let kind = #rt::de::json_kind(&node);));
    let tried: Vec<String> = variants.iter().map(|v| v.rust_name.clone()).collect();
    let expected = format!("a value matching one variant of `{name}` (tried {})", tried.join(", "));
    let mut out = quote! {
        #docs
        #deprecated
        #[derive(Debug, Clone, ::serde::Serialize)]
        #[serde(untagged)]
        pub enum #name { #(#vs)* }
    };
    out.extend(deserialize_impl(
        name,
        paths,
        Reads::Node,
        quote! {
            let mut best: ::std::option::Option<(usize, #rt::de::Attempt<#name>)> = ::std::option::Option::None;
            #kind
            #(#attempts)*
            match best {
                ::std::option::Option::Some((_, attempt)) => ::std::result::Result::Ok(attempt.accept()),
                ::std::option::Option::None => ::std::result::Result::Err(#rt::de::no_variant(&node, #expected)),
            }
        },
    ));
    out
}
