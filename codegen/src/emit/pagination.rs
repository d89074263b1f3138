//! The auto-paging method of a listing: `…_auto_paging(args)` returns the
//! runtime's `Items` stream (whole pages through `Items::pages`), built from
//! three pieces of glue only the generated code can write, because they name
//! the operation's types: a closure that fetches the page at a cursor (the
//! plain method, with the cursor put in the query parameter), a function that
//! reads the next cursor off a page, and one that takes a page's items.

use super::docs::{code, lines_attrs, path_text, phrase, self_link};
use super::types::rust_type;
use super::{ident, Paths};
use crate::api::field_is_option;
use crate::ir::*;
use crate::lower::pagination::struct_of;
use proc_macro2::TokenStream;
use quote::quote;

/// The field of a struct with this wire name.
fn field<'s>(s: &'s StructDef, wire: &str) -> &'s Field {
    s.fields.iter().find(|f| f.wire_name == wire).unwrap_or_else(|| unreachable!("lowering checked that `{wire}` exists"))
}

/// The call that sends the request of an operation whose response holds an
/// array of items and decodes the response, its items as they arrive (the
/// runtime's `execute_listing`, given the items' wire name and how to put
/// them in their field); `None` when it holds none.
pub fn listing_call(op: &Operation, model: &Model, paths: &Paths) -> Option<TokenStream> {
    let array = op.items.as_ref()?;
    let ResponseKind::Json(page_ty) = &op.response else { return None };
    let page = struct_of(page_ty, &model.types)?;
    let page_rust = rust_type(page_ty, paths, model);
    let item_rust = rust_type(&array.item, paths, model);
    let items = field(page, &array.field);
    let id = ident(&items.rust_name);
    let wire = &items.wire_name;
    let value = if field_is_option(items) { quote!(::std::option::Option::Some(items)) } else { quote!(items) };
    Some(quote!(self.execute_listing(request, #wire, |page: &mut #page_rust, items: ::std::vec::Vec<#item_rust>| page.#id = #value).await))
}

/// The auto-paging method of `op`, or nothing when it is not a listing.
pub fn emit_auto_paging(op: &Operation, model: &Model, paths: &Paths, args: &[TokenStream]) -> TokenStream {
    let inline = super::inline();
    let Some(p) = &op.pagination else { return TokenStream::new() };
    let ResponseKind::Json(page_ty) = &op.response else { unreachable!("lowering pages JSON responses only") };
    let Some(page) = struct_of(page_ty, &model.types) else { unreachable!("lowering pages object responses only") };
    let rt = &paths.runtime;
    let page_rust = rust_type(page_ty, paths, model);
    let item_rust = rust_type(&p.item, paths, model);

    // The page's items, moved out.
    let items = field(page, &p.items_field);
    let items_id = ident(&items.rust_name);
    let take_items = if field_is_option(items) { quote!(page.#items_id.unwrap_or_default()) } else { quote!(page.#items_id) };
    let items_ref = if field_is_option(items) { quote!(page.#items_id.as_ref().and_then(|items| items.last())) } else { quote!(page.#items_id.last()) };

    let has_more = match &p.has_more_field {
        Some(name) => {
            let f = field(page, name);
            let id = ident(&f.rust_name);
            if field_is_option(f) { quote!(page.#id) } else { quote!(::std::option::Option::Some(page.#id)) }
        }
        None => quote!(::std::option::Option::None),
    };
    let cursor = match (p.kind, &p.cursor_field) {
        (PaginationKind::LastItem, Some(name)) => {
            let item = struct_of(&p.item, &model.types).unwrap_or_else(|| unreachable!("lowering checked the items are objects"));
            let f = field(item, name);
            let id = ident(&f.rust_name);
            if field_is_option(f) { quote!(#items_ref.and_then(|item| ::std::clone::Clone::clone(&item.#id))) } else { quote!(#items_ref.map(|item| ::std::clone::Clone::clone(&item.#id))) }
        }
        (PaginationKind::Field, Some(name)) => {
            let f = field(page, name);
            let id = ident(&f.rust_name);
            if field_is_option(f) { quote!(::std::clone::Clone::clone(&page.#id)) } else { quote!(::std::option::Option::Some(::std::clone::Clone::clone(&page.#id))) }
        }
        _ => quote!(::std::option::Option::None),
    };

    // Owned copies of the arguments, moved into the fetch closure and cloned for each page.
    let mut owned = Vec::new();
    let mut per_page = Vec::new();
    let mut call_args = Vec::new();
    for a in &op.path_params {
        let id = ident(&a.rust_name);
        owned.push(match a.ty {
            TypeRef::String => quote!(let #id: ::std::string::String = ::std::borrow::ToOwned::to_owned(#id);),
            _ => quote!(let #id = ::std::clone::Clone::clone(#id);),
        });
        per_page.push(quote!(let #id = ::std::clone::Clone::clone(&#id);));
        call_args.push(quote!(&#id));
    }
    let mut first = quote!(::std::option::Option::None);
    if op.params_type.is_some() {
        owned.push(quote!(let params = ::std::clone::Clone::clone(params);));
        let param = p.query_param.as_ref().and_then(|name| op.params.iter().find(|q| q.location == ParamLocation::Query && &q.wire_name == name));
        match param {
            Some(q) => {
                let id = ident(&q.rust_name);
                if q.required {
                    first = quote!(::std::option::Option::Some(::std::clone::Clone::clone(&params.#id)));
                    per_page.push(quote!(let mut params = ::std::clone::Clone::clone(&params); if let ::std::option::Option::Some(cursor) = cursor { params.#id = cursor; }));
                } else {
                    first = quote!(::std::clone::Clone::clone(&params.#id));
                    per_page.push(quote!(let mut params = ::std::clone::Clone::clone(&params); params.#id = cursor;));
                }
            }
            None => per_page.push(quote!(let params = ::std::clone::Clone::clone(&params);)),
        }
        call_args.push(quote!(&params));
    }
    let cursor_arg = if p.query_param.is_some() && op.params_type.is_some() { quote!(cursor) } else { quote!(_cursor) };

    // A single page without a flag reads nothing off the page.
    let page_arg = if p.has_more_field.is_none() && p.cursor_field.is_none() { quote!(_page) } else { quote!(page) };
    let plain = ident(&op.rust_name);
    let method = ident(&p.method);
    let doc = auto_paging_docs(op, p, model, paths);
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #doc
        #deprecated
        #inline
        pub fn #method(&self, #(#args),*) -> #rt::Items<#page_rust, #item_rust> {
            let client = ::std::clone::Clone::clone(self);
            #(#owned)*
            let first = #first;
            #rt::Pages::new(
                first,
                move |#cursor_arg: ::std::option::Option<::std::string::String>| -> #rt::PageFuture<#page_rust> {
                    let client = ::std::clone::Clone::clone(&client);
                    #(#per_page)*
                    ::std::boxed::Box::pin(async move { client.#plain(#(#call_args),*).await })
                },
                |#page_arg: &#page_rust| #rt::NextPage::new(#has_more, #cursor),
                |page: #page_rust| #take_items,
            )
            .items()
        }
    }
}

/// The method's documentation: what it yields and how it finds the next page.
fn auto_paging_docs(op: &Operation, p: &Pagination, model: &Model, paths: &Paths) -> TokenStream {
    let plain = self_link(&op.rust_name);
    let mut lines = vec![format!("Every item of {plain}, fetching one page at a time as the stream is polled.")];
    lines.push(String::new());
    lines.push(format!("- Items: {}; whole pages through [`Items::pages`]({}::Items::pages)", phrase(&p.item, model, paths), path_text(&paths.runtime)));
    let next = match (p.kind, &p.cursor_field, &p.query_param) {
        (PaginationKind::LastItem, Some(cursor), Some(param)) => format!("- Next page: {} = the last item's {}", code(param), code(cursor)),
        (PaginationKind::Field, Some(cursor), Some(param)) => format!("- Next page: {} = the page's {}", code(param), code(cursor)),
        _ => "- One page: the listing has no cursor".to_owned(),
    };
    lines.push(next);
    if let Some(flag) = &p.has_more_field {
        lines.push(format!("- Ends when {} is false; a page asking for more without a new cursor ends the stream with [`Error::Pagination`]({}::Error::Pagination)", code(flag), path_text(&paths.runtime)));
    }
    if op.deprecated {
        lines.push("- Deprecated: the API marks this operation deprecated".to_owned());
    }
    lines_attrs(&lines)
}
