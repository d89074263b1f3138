//! `webhooks.rs`: `Client::webhooks()`, which checks webhook deliveries with
//! the client's secret and decodes them into the event enum (emitted with the
//! other types, see `lower::webhooks`). The checking itself is the runtime's
//! (`runtime::webhooks`), generic over the event type.

use super::docs::path_text;
use super::{cfg_for, ident, Paths};
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

/// The items of `webhooks.rs`: an `impl Client` block with the one method.
pub fn emit_webhooks(webhooks: &Webhooks, model: &Model, paths: &Paths) -> TokenStream {
    let inline = super::inline();
    let Some(event) = model.types.get(&webhooks.event) else { return TokenStream::new() };
    let types = &paths.types;
    let runtime = &paths.runtime;
    let name = ident(&event.rust_name);
    let method = ident(crate::lower::WEBHOOKS_METHOD);
    let cfg = cfg_for(model, &event.features);
    let count = webhooks.events.len();
    let doc = [
        format!(" Checks and decodes webhook deliveries as [`{0}`]({types_path}::{0}) ({count} event{plural} of the spec; others are kept as JSON).", event.rust_name, types_path = path_text(types), plural = if count == 1 { "" } else { "s" }),
        String::new(),
        " `unwrap(body, headers)` refuses a delivery whose `webhook-signature` does not match the".to_owned(),
        " body under the client's webhook secret (`ClientBuilder::webhook_secret`, else".to_owned(),
        " `OPENAI_WEBHOOK_SECRET`), or whose `webhook-timestamp` is more than 5 minutes off, with".to_owned(),
        " a typed error; only then is the body decoded. `verify_signature` checks without decoding.".to_owned(),
    ];
    quote! {
        #cfg
        impl #runtime::Client {
            #(#[doc = #doc])*
            #inline
            pub fn #method(&self) -> #runtime::Webhooks<#types::#name> {
                self.webhooks_as::<#types::#name>()
            }
        }
    }
}
