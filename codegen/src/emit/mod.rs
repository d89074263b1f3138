//! Emit: [`Model`] → token streams, one per output file.
//!
//! Layout of the output folder (paths relative to it):
//! - `mod.rs`: declares the modules below;
//! - `types/mod.rs` and `types/<group>.rs`: one item per named type, in the
//!   module of the API group whose operations use it (`chat.rs`), `common.rs`
//!   for types several groups use and `unreferenced.rs` for types none does
//!   (see [`names::modules`](crate::names::modules)); `types/mod.rs`
//!   re-exports them all, so a type's path is `types::Name` whatever its group;
//! - `params.rs`: the `…Params` structs of operations with query or header parameters;
//! - `operations.rs`: `impl Client` with one method per operation;
//! - `webhooks.rs`, when the spec has webhooks: `Client::webhooks()`.
//!
//! Generated code names everything by full path (`::std::string::String`) so a
//! schema called `String` or `Option` cannot change what the code means.

mod docs;
mod operations;
mod pagination;
mod types;
mod webhooks;

use crate::ir::*;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use std::collections::BTreeMap;

/// Module paths as seen from the file being emitted.
pub struct Paths {
    /// Module holding the named types.
    pub types: TokenStream,
    /// Module holding the parameter structs.
    pub params: TokenStream,
    /// The hand-written runtime.
    pub runtime: TokenStream,
    /// The module (`types/<group>.rs`) of the file being emitted, if it is one:
    /// its types are in scope, so doc links name them without a path (rustdoc
    /// warns about an explicit target the label already resolves to).
    pub group: Option<String>,
}

/// An identifier, raw (`r#type`) where the name asks for it.
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// `#[inline]`, put on every non-generic function the generated code defines.
///
/// A library compiles each of its non-generic functions whether or not any
/// program calls it; an `#[inline]` one is compiled only where it is called.
/// Without the mark the client compiled the 288 operations, the auto-paging
/// streams and, through those, the decoding of every response type, and
/// 9,000-odd small helpers of the enums and unions (`as_str`, `From`,
/// `Display`, `Fit`): 45,417 functions of which a program calls a handful.
/// With it, 2,503 (`-Z print-mono-items`, 2026-11-30), and the crate builds in
/// 0.68 × the CPU time. The nested readers of the `Deserialize` impls carry
/// it too: non-generic, inside a generic function. Generic functions are
/// compiled where they are used anyway and need no mark.
pub fn inline() -> TokenStream {
    quote!(#[inline])
}

/// Documentation as `#[doc]` attributes, made safe for rustdoc: fenced blocks
/// without a language are marked `text` and indentation outside fences is capped,
/// so spec prose never turns into doctests.
pub fn doc_attrs(doc: Option<&str>) -> TokenStream {
    let Some(doc) = doc else { return TokenStream::new() };
    let mut lines = Vec::new();
    let mut in_fence = false;
    for line in doc.trim().lines() {
        let line = line.replace('\t', "    ");
        let trimmed = line.trim_start();
        let text = if let Some(lang) = trimmed.strip_prefix("```") {
            let opening = !in_fence;
            in_fence = !in_fence;
            if opening && lang.trim().is_empty() {
                "```text".to_owned()
            } else {
                trimmed.to_owned()
            }
        } else if in_fence {
            line.clone()
        } else {
            let indent = (line.len() - trimmed.len()).min(3);
            format!("{}{}", " ".repeat(indent), trimmed)
        };
        lines.push(format!(" {text}"));
    }
    if in_fence {
        lines.push(" ```".to_owned());
    }
    quote!(#(#[doc = #lines])*)
}

/// `#[cfg(...)]` for code used by these features; nothing when features are off.
pub fn cfg_for<'a>(model: &Model, features: impl IntoIterator<Item = &'a String>) -> TokenStream {
    // `api::feature_gate` decides; the spec diff reads the same decision.
    match crate::api::feature_gate(model, features).as_deref() {
        None => TokenStream::new(),
        Some([one]) => quote!(#[cfg(feature = #one)]),
        Some(many) => quote!(#[cfg(any(#(feature = #many),*))]),
    }
}

/// Puts `cfg` in front of every item of `items` (an item ends at a top-level
/// `;` or `{…}` group, which holds for everything the emitter writes).
pub fn with_cfg(items: TokenStream, cfg: &TokenStream) -> TokenStream {
    if cfg.is_empty() {
        return items;
    }
    use proc_macro2::{Delimiter, TokenTree};
    let mut out = TokenStream::new();
    let mut current: Vec<TokenTree> = Vec::new();
    for tt in items {
        let ends = match &tt {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => g.delimiter() == Delimiter::Brace,
            _ => false,
        };
        current.push(tt);
        if ends {
            out.extend(cfg.clone());
            out.extend(current.drain(..));
        }
    }
    out.extend(current);
    out
}

/// The module file of a type (decided in [`names::modules`](crate::names::modules)).
pub(crate) fn group_of(def: &TypeDef) -> String {
    crate::names::modules::type_module(&def.features)
}

/// One output file, described as data so files can be emitted on several threads
/// (token streams cannot cross threads).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilePlan {
    /// `types/<group>.rs` with these types.
    TypeGroup(String, Vec<TypeId>),
    /// `types/mod.rs` declaring these groups.
    TypeIndex(Vec<String>),
    /// `params.rs`.
    Params,
    /// `operations.rs`.
    Operations,
    /// `webhooks.rs`.
    Webhooks,
    /// `mod.rs`.
    Root,
}

impl FilePlan {
    /// Path relative to the output folder.
    pub fn path(&self) -> String {
        match self {
            FilePlan::TypeGroup(group, _) => format!("types/{group}.rs"),
            FilePlan::TypeIndex(_) => "types/mod.rs".to_owned(),
            FilePlan::Params => "params.rs".to_owned(),
            FilePlan::Operations => "operations.rs".to_owned(),
            FilePlan::Webhooks => "webhooks.rs".to_owned(),
            FilePlan::Root => "mod.rs".to_owned(),
        }
    }
}

/// The files of the output folder.
pub fn plan(model: &Model) -> Vec<FilePlan> {
    let mut groups: BTreeMap<String, Vec<(&str, TypeId)>> = BTreeMap::new();
    for (id, def) in &model.types {
        groups.entry(group_of(def)).or_default().push((&def.rust_name, id.clone()));
    }
    let mut files: Vec<FilePlan> = groups
        .iter()
        .map(|(group, defs)| {
            let mut defs = defs.clone();
            defs.sort();
            FilePlan::TypeGroup(group.clone(), defs.into_iter().map(|(_, id)| id).collect())
        })
        .collect();
    files.push(FilePlan::TypeIndex(groups.keys().cloned().collect()));
    files.push(FilePlan::Params);
    files.push(FilePlan::Operations);
    if model.webhooks.is_some() {
        files.push(FilePlan::Webhooks);
    }
    files.push(FilePlan::Root);
    files
}

/// A piece of an output file. Files are formatted one piece at a time, so
/// memory holds the syntax tree of one item (one type, one method), never of a
/// whole file: a spec with thousands of types in one letter costs the largest
/// type, not the letter.
pub enum Piece {
    /// Inner attributes or whole items, formatted as a file of their own.
    Items(TokenStream),
    /// Opens `impl #self_ty {`; `Member`s follow until `End`.
    Impl(TokenStream),
    /// One member of the open `impl` block.
    Member(TokenStream),
    /// Closes the open `impl` block.
    End,
}

/// Emits one file.
pub fn emit_file(model: &Model, file: &FilePlan) -> TokenStream {
    let mut out = TokenStream::new();
    let mut block: Option<(TokenStream, TokenStream)> = None;
    for piece in pieces(model, file) {
        match piece {
            Piece::Items(items) => out.extend(items),
            Piece::Impl(ty) => block = Some((ty, TokenStream::new())),
            Piece::Member(member) => block.as_mut().expect("members follow Impl").1.extend(member),
            Piece::End => {
                let (ty, members) = block.take().expect("End follows Impl");
                out.extend(quote!(impl #ty { #members }));
            }
        }
    }
    out
}

/// The pieces of one file, emitted lazily in file order.
pub fn pieces<'m>(model: &'m Model, file: &'m FilePlan) -> Box<dyn Iterator<Item = Piece> + 'm> {
    let runtime = quote!(crate::runtime);
    let op_paths = Paths { types: quote!(super::types), params: quote!(super::params), runtime: runtime.clone(), group: None };
    let webhooks_mod = model.webhooks.is_some().then(|| quote!(mod webhooks;));
    match file {
        FilePlan::TypeGroup(group, ids) => {
            let paths = Paths { types: quote!(super), params: quote!(super::super::params), runtime, group: Some(group.clone()) };
            // The module is private (its items are re-exported), but a file says what it holds.
            let doc = match group.as_str() {
                crate::names::modules::COMMON => " Types that operations of several API groups use.".to_owned(),
                crate::names::modules::UNREFERENCED => " Types that no operation takes or returns, at any depth.".to_owned(),
                _ => match ids.first().and_then(|id| model.types.get(id)).and_then(|d| crate::names::modules::api_groups(&d.features).next()) {
                    Some(feature) => format!(" Types of the `{feature}` API group: only its operations use them."),
                    None => " Types of one API group.".to_owned(),
                },
            };
            let items = ids.iter().filter_map(|id| model.types.get(id).map(|d| (id, d))).map(move |(id, d)| Piece::Items(with_cfg(types::emit_type(id, d, model, &paths), &cfg_for(model, &d.features))));
            Box::new(std::iter::once(Piece::Items(quote!(#![doc = #doc]))).chain(items))
        }
        FilePlan::TypeIndex(groups) => {
            let mods = groups.iter().map(|g| {
                let m = ident(g);
                // With only some API-group features on, a group may export nothing.
                quote!(mod #m; #[allow(unused_imports)] pub use #m::*;)
            });
            Box::new(std::iter::once(Piece::Items(quote! {
                //! Request and response types, one per schema of the spec.
                #(#mods)*
            })))
        }
        FilePlan::Params => {
            let params = model.operations.iter().map(move |op| Piece::Items(with_cfg(operations::emit_params(op, model, &op_paths), &cfg_for(model, [&op.feature]))));
            let doc = quote! {
                //! Query and header parameters of operations, one struct per operation that has any.
            };
            Box::new(std::iter::once(Piece::Items(doc)).chain(params))
        }
        FilePlan::Operations => {
            let methods = model.operations.iter().map(move |op| Piece::Member(with_cfg(operations::emit_operation(op, model, &op_paths), &cfg_for(model, [&op.feature]))));
            let doc = quote! {
                //! One method per operation of the spec.
            };
            Box::new([Piece::Items(doc), Piece::Impl(quote!(#runtime::Client))].into_iter().chain(methods).chain(std::iter::once(Piece::End)))
        }
        FilePlan::Webhooks => {
            let items = model.webhooks.as_ref().map(|w| webhooks::emit_webhooks(w, model, &op_paths)).unwrap_or_default();
            Box::new(std::iter::once(Piece::Items(quote! {
                //! Checking and decoding webhook deliveries.
                #items
            })))
        }
        FilePlan::Root => Box::new(std::iter::once(Piece::Items(quote! {
            //! Code generated from the OpenAPI spec: types, parameters and one method per operation.
            #![allow(deprecated, clippy::large_enum_variant, clippy::too_many_arguments, clippy::enum_variant_names, clippy::doc_lazy_continuation, clippy::doc_overindented_list_items, clippy::derivable_impls, clippy::wrong_self_convention)]
            pub mod types;
            pub mod params;
            mod operations;
            #webhooks_mod
        }))),
    }
}
