//! Documentation built from facts, for items the spec says nothing about (and
//! as fact lines after the spec's prose where it does): what a type is, which
//! methods use it, what a field accepts, what a method sends and returns.
//!
//! Everything here is text for `#[doc]` attributes. Links are intra-doc links
//! relative to [`Paths`], so they resolve wherever the generated module is
//! mounted (the client crate, a fixture in a test crate, one `include!`d file);
//! values from the spec are shown in code spans that survive any backticks.

use super::Paths;
use crate::ir::*;
use proc_macro2::TokenStream;
use quote::quote;

/// A type lists at most this many methods that use it, then counts the rest.
pub const MAX_USES: usize = 5;
/// A field lists the values of its inline enum when there are at most this many.
pub const MAX_ALLOWED: usize = 10;
/// Values (defaults are JSON of any size) longer than this are cut.
const MAX_VALUE_CHARS: usize = 80;

/// `#[doc]` attributes for lines of generated text (each line one attribute).
pub fn lines_attrs(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| if l.is_empty() { String::new() } else { format!(" {l}") });
    quote!(#(#[doc = #lines])*)
}

/// The spec's prose (made rustdoc-safe by [`super::doc_attrs`]), a blank line,
/// then the fact lines; only the facts when the spec has no prose.
pub fn prose_then_facts(prose: Option<&str>, facts: &[String]) -> TokenStream {
    let mut out = super::doc_attrs(prose.filter(|p| !p.trim().is_empty()));
    if !out.is_empty() && !facts.is_empty() {
        out.extend(quote!(#[doc = ""]));
    }
    out.extend(lines_attrs(facts));
    out
}

/// A module path as link text: `super :: types` → `super::types`.
pub fn path_text(tokens: &TokenStream) -> String {
    tokens.to_string().replace(' ', "")
}

/// A Markdown code span that shows `text` verbatim: the fence is one backtick
/// longer than the longest run inside, padded when the text starts or ends with
/// one, and line breaks become spaces (a doc line cannot hold them).
pub fn code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    if text.is_empty() {
        return "`\"\"`".to_owned();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // CommonMark strips one space from each side of a span that starts and ends with one.
    let pad = text.starts_with('`') || text.ends_with('`') || (text.starts_with(' ') && text.ends_with(' ') && !text.trim().is_empty());
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A JSON value from the spec (a default, an enum value) as a code span, cut when long.
fn value(json: &str) -> String {
    if json.chars().count() <= MAX_VALUE_CHARS {
        return code(json);
    }
    let cut: String = json.chars().take(MAX_VALUE_CHARS).collect();
    format!("{} (cut)", code(&format!("{cut}…")))
}

/// A wire value (enum variant, constant, tag) as a code span; the empty string,
/// which no code span can show, in words.
pub fn wire(text: &str) -> String {
    if text.is_empty() {
        "the empty string".to_owned()
    } else {
        code(text)
    }
}

/// The doc of an enum variant or constant for one wire value.
pub fn wire_doc(text: &str) -> String {
    if text.is_empty() {
        "The empty string.".to_owned()
    } else {
        code(text)
    }
}

/// `Rust name` without the `r#` prefix, for link text.
fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// A link to a named type, or its name in a code span where it has none.
pub fn type_link(id: &TypeId, model: &Model, paths: &Paths) -> String {
    match model.types.get(id) {
        Some(t) if paths.group.as_deref() == Some(super::group_of(t).as_str()) => format!("[`{}`]", t.rust_name),
        Some(t) if !t.rust_name.starts_with("r#") => format!("[`{n}`]({}::{n})", path_text(&paths.types), n = t.rust_name),
        Some(t) => code(unraw(&t.rust_name)),
        None => "a JSON value".to_owned(),
    }
}

/// A link to a method of the client, from anywhere (`crate::runtime::Client::x`).
pub fn method_link(method: &str, paths: &Paths) -> String {
    if method.starts_with("r#") {
        return code(&format!("Client::{}", unraw(method)));
    }
    format!("[`Client::{method}`]({}::Client::{method})", path_text(&paths.runtime))
}

/// A link to another method of the same `impl Client`.
pub fn self_link(method: &str) -> String {
    if method.starts_with("r#") {
        return code(unraw(method));
    }
    format!("[`{method}`](Self::{method})")
}

/// The article for a type name, by how it is spoken: "an `Upload`" but "a `User`".
fn article(name: &str) -> &'static str {
    let you_sound = ["Us", "Uni", "Uri", "Url", "Uti", "Eu"].iter().any(|p| name.starts_with(p));
    if name.starts_with(['A', 'E', 'I', 'O', 'U']) && !you_sound {
        "an"
    } else {
        "a"
    }
}

/// `ty` as a noun phrase with its article: "a string", "an array of [`X`]", "a [`X`]".
pub fn noun(ty: &TypeRef, model: &Model, paths: &Paths) -> String {
    match ty {
        TypeRef::String => "a string".to_owned(),
        TypeRef::I64 | TypeRef::I32 => "an integer".to_owned(),
        TypeRef::F64 => "a number".to_owned(),
        TypeRef::Bool => "a boolean".to_owned(),
        TypeRef::Json => "any JSON value".to_owned(),
        TypeRef::JsonObject => "a JSON object".to_owned(),
        TypeRef::JsonInput => "any JSON value, made from any `Serialize` value".to_owned(),
        TypeRef::File => "a file".to_owned(),
        TypeRef::Named(id) => {
            let name = model.types.get(id).map_or("", |t| unraw(&t.rust_name));
            format!("{} {}", article(name), type_link(id, model, paths))
        }
        TypeRef::Array(inner) => format!("an array of {}", elements(inner, model, paths)),
        TypeRef::Map(inner) => format!("a map from strings to {}", elements(inner, model, paths)),
    }
}

/// `ty` as the elements of a container: "strings", "arrays of integers", "[`X`]".
fn elements(ty: &TypeRef, model: &Model, paths: &Paths) -> String {
    match ty {
        TypeRef::String => "strings".to_owned(),
        TypeRef::I64 | TypeRef::I32 => "integers".to_owned(),
        TypeRef::F64 => "numbers".to_owned(),
        TypeRef::Bool => "booleans".to_owned(),
        TypeRef::Json => "JSON values".to_owned(),
        TypeRef::JsonObject => "JSON objects".to_owned(),
        TypeRef::JsonInput => "JSON values".to_owned(),
        TypeRef::File => "files".to_owned(),
        TypeRef::Named(id) => type_link(id, model, paths),
        TypeRef::Array(inner) => format!("arrays of {}", elements(inner, model, paths)),
        TypeRef::Map(inner) => format!("maps from strings to {}", elements(inner, model, paths)),
    }
}

/// Like [`noun`], but a named type stands alone (a link reads as its own noun).
pub fn phrase(ty: &TypeRef, model: &Model, paths: &Paths) -> String {
    match ty {
        TypeRef::Named(id) => type_link(id, model, paths),
        other => noun(other, model, paths),
    }
}

/// Upper-cases the first letter (sentences start with a noun phrase).
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "a, b and c"; the first `limit` items, then "and N more".
fn join_limited(items: &[String], limit: usize) -> String {
    let shown = &items[..items.len().min(limit)];
    let rest = items.len() - shown.len();
    match (shown, rest) {
        ([], _) => String::new(),
        ([one], 0) => one.clone(),
        (_, 0) => format!("{} and {}", shown[..shown.len() - 1].join(", "), shown[shown.len() - 1]),
        (_, n) => format!("{} and {n} more", shown.join(", ")),
    }
}

/// "1 item", "3 items".
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A type's doc when the spec has none: what kind of type it is.
pub fn kind_sentence(def: &TypeDef, model: &Model, paths: &Paths) -> String {
    match &def.kind {
        TypeKind::Struct(s) => format!("An object{}.{}", fields_summary(s, "property", "properties"), struct_extras(s, model, paths)),
        TypeKind::Multipart(s) => format!("A `multipart/form-data` form{}.{}", fields_summary(s, "field", "fields"), struct_extras(s, model, paths)),
        TypeKind::StringEnum(e) => {
            format!("A string enum with {}; any other value is kept in {}.", count(e.values.len() as u64, "known value", "known values"), code(unraw(&e.catch_all)))
        }
        TypeKind::OpenString(values) => format!("Any string; the {} the spec lists are constants of this type (all in `KNOWN`).", count(values.len() as u64, "value", "values")),
        TypeKind::Tagged(t) => format!(
            "A union told apart by the {} property, with {}; an object with another {} is kept in {} as JSON.",
            code(&t.tag),
            count(t.variants.len() as u64, "variant", "variants"),
            code(&t.tag),
            code(unraw(&t.fallback))
        ),
        TypeKind::Untagged(variants) => {
            let nouns: Vec<String> = variants.iter().map(|v| noun(&v.ty, model, paths)).collect();
            if crate::api::is_file_union(def) {
                format!("A form field that holds {}.", join_or(&nouns))
            } else {
                format!("A union of {}, told apart by shape.", join_limited(&nouns, MAX_USES))
            }
        }
        TypeKind::Alias(ty) => format!("Another name for {}.", phrase(ty, model, paths)),
    }
}

/// "a or b", "a, b or c".
fn join_or<S: AsRef<str>>(items: &[S]) -> String {
    join_with(items, "or")
}

/// "a, b `word` c".
fn join_with<S: AsRef<str>>(items: &[S], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [rest @ .., last] => format!("{} {word} {}", rest.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", "), last.as_ref()),
    }
}

/// " with 3 properties, 1 of them required" (flattened parts are not properties).
fn fields_summary(s: &StructDef, one: &str, many: &str) -> String {
    let listed: Vec<&Field> = s.fields.iter().filter(|f| !f.flatten).collect();
    if listed.is_empty() {
        return format!(" with no listed {many}");
    }
    let required = listed.iter().filter(|f| f.required).count();
    let which = match required {
        0 => ", all optional".to_owned(),
        r if r == listed.len() => {
            if r == 1 {
                ", required".to_owned()
            } else {
                ", all required".to_owned()
            }
        }
        r => format!(", {r} of them required"),
    };
    format!(" with {}{which}", count(listed.len() as u64, one, many))
}

/// Flattened unions and extra properties, which the field count does not show.
fn struct_extras(s: &StructDef, model: &Model, paths: &Paths) -> String {
    let mut out = String::new();
    let merged: Vec<String> = s.fields.iter().filter(|f| f.flatten).map(|f| phrase(&f.ty, model, paths)).collect();
    if !merged.is_empty() {
        out.push_str(&format!(" It also holds the fields of {}.", join_or(&merged)));
    }
    if let Some(extra) = &s.additional {
        out.push_str(&format!(" Other properties are kept as {}.", elements(extra, model, paths)));
    }
    out
}

/// The label of a use in a type's "Used by" line.
fn role_label(role: UseRole) -> &'static str {
    match role {
        UseRole::RequestBody => "request body",
        UseRole::Parameter => "parameter",
        UseRole::Response => "response",
        UseRole::StreamEvent => "stream event",
        UseRole::WebhookEvent => "webhook event",
    }
}

/// Which methods take or return a type directly (at most [`MAX_USES`]).
pub fn used_by_sentence(def: &TypeDef, paths: &Paths) -> String {
    if def.used_by.is_empty() {
        // `features` lists the API groups whose operations reach the type at any depth.
        return if def.features.iter().all(|f| f == crate::ir::UNREFERENCED_FEATURE) { "Used by no operation.".to_owned() } else { "No operation takes or returns this type directly; other types hold it.".to_owned() };
    }
    // One method's uses are recorded one after the other: "chat (request body and response)".
    let mut uses: Vec<(&str, Vec<&str>)> = Vec::new();
    for u in &def.used_by {
        match uses.last_mut() {
            Some((method, roles)) if *method == u.method => roles.push(role_label(u.role)),
            _ => uses.push((&u.method, vec![role_label(u.role)])),
        }
    }
    let uses: Vec<String> = uses.iter().map(|(method, roles)| format!("{} ({})", method_link(method, paths), join_with(roles, "and"))).collect();
    format!("Used by {}.", join_limited(&uses, MAX_USES))
}

/// The doc lines of a type: the kind sentence when the spec has no prose, then where it is used.
pub fn type_docs(def: &TypeDef, model: &Model, paths: &Paths) -> TokenStream {
    let mut facts = Vec::new();
    if def.doc.is_none() {
        facts.push(kind_sentence(def, model, paths));
        facts.push(String::new());
    }
    facts.push(used_by_sentence(def, paths));
    prose_then_facts(def.doc.as_deref(), &facts)
}

/// What a field or parameter accepts beyond its type, as sentences.
pub struct ValueFacts<'a> {
    /// Must be present.
    pub required: bool,
    /// May be `null`.
    pub nullable: bool,
    /// Marked deprecated.
    pub deprecated: bool,
    /// Defaults, bounds, format, allowed values.
    pub facts: &'a FieldFacts,
}

impl ValueFacts<'_> {
    /// One line: "Optional; may be `null`. Default: `1`. At least `0` and at most `2`."
    pub fn sentence(&self) -> String {
        let f = self.facts;
        let mut out = vec![match (self.required, self.nullable) {
            (true, false) => "Required.".to_owned(),
            (true, true) => "Required; may be `null`.".to_owned(),
            (false, false) => "Optional.".to_owned(),
            (false, true) => "Optional; may be `null`.".to_owned(),
        }];
        if let Some(d) = &f.default {
            out.push(format!("Default: {}.", value(d)));
        }
        let mut bounds = Vec::new();
        // Loading clamps integer bounds to `i64`; a bound at the type's own limit says nothing.
        let minimum = f.minimum.as_ref().filter(|m| **m != i64::MIN.to_string());
        let maximum = f.maximum.as_ref().filter(|m| **m != i64::MAX.to_string());
        if let Some(min) = minimum {
            bounds.push(format!("{} {}", if f.exclusive_minimum { "greater than" } else { "at least" }, value(min)));
        }
        if let Some(max) = maximum {
            bounds.push(format!("{} {}", if f.exclusive_maximum { "less than" } else { "at most" }, value(max)));
        }
        if !bounds.is_empty() {
            out.push(format!("{}.", capitalize(&bounds.join(" and "))));
        }
        if let Some(s) = size_sentence(f.min_length, f.max_length, "character", "characters") {
            out.push(s);
        }
        if let Some(s) = size_sentence(f.min_items, f.max_items, "item", "items") {
            out.push(s);
        }
        match f.allowed.as_slice() {
            [] => {}
            [only] => out.push(format!("Always {}.", value(only))),
            few if few.len() <= MAX_ALLOWED => out.push(format!("One of {}.", join_or(&few.iter().map(|v| value(v)).collect::<Vec<_>>()))),
            many => out.push(format!("One of {} values.", many.len())),
        }
        if let Some(format) = &f.format {
            out.push(format!("Format: {}.", code(format)));
        }
        if f.base64_float32 {
            out.push("Also read from base64 of little-endian `float32` values.".to_owned());
        }
        if self.deprecated {
            out.push("Deprecated.".to_owned());
        }
        out.join(" ")
    }
}

/// "From 1 to 64 characters.", "At least 1 item.", "At most 512 characters."
fn size_sentence(min: Option<u64>, max: Option<u64>, one: &str, many: &str) -> Option<String> {
    Some(match (min, max) {
        (Some(a), Some(b)) if a == b => format!("Exactly {}.", count(a, one, many)),
        (Some(a), Some(b)) => format!("From {a} to {b} {many}."),
        (Some(a), None) => format!("At least {}.", count(a, one, many)),
        (None, Some(b)) => format!("At most {}.", count(b, one, many)),
        (None, None) => return None,
    })
}

/// The doc of a struct field: the spec's prose, then its facts.
pub fn field_docs(f: &Field, model: &Model, paths: &Paths) -> TokenStream {
    if f.flatten {
        let line = format!("The fields of {}, inline in this object.", phrase(&f.ty, model, paths));
        return prose_then_facts(f.doc.as_deref(), &[line]);
    }
    let facts = ValueFacts { required: f.required, nullable: f.nullable, deprecated: f.deprecated, facts: &f.facts };
    prose_then_facts(f.doc.as_deref(), &[facts.sentence()])
}

/// The doc of a constructor: what it takes, how to send `null` for the
/// required fields that may be `null` (`null_methods`: field, method), and
/// the rules over optional fields that constraint-only branches state.
pub fn constructor_doc(s: &StructDef, null_methods: &[(&str, &str)]) -> TokenStream {
    let mut lines = vec!["Creates a value from its required fields; optional fields start unset.".to_owned()];
    if !null_methods.is_empty() {
        let fields: Vec<String> = null_methods.iter().map(|(f, _)| code(unraw(f))).collect();
        let methods: Vec<String> = null_methods.iter().map(|(_, m)| code(&format!("{}()", unraw(m)))).collect();
        let (is, values, sends) = if fields.len() == 1 { ("is", "a value", "sends") } else { ("are", "values", "send") };
        lines.push(String::new());
        lines.push(format!("{} {is} required but may be `null`: pass {values} here; {} {sends} `null` instead.", join_with(&fields, "and"), join_with(&methods, "and")));
    }
    for rule in &s.rules {
        lines.push(String::new());
        lines.push(rule_sentence(rule, s));
    }
    lines_attrs(&lines)
}

/// A [`FieldRule`] in words: "At least one of `file_ids`, `files` must be set."
fn rule_sentence(rule: &FieldRule, s: &StructDef) -> String {
    let name = |wire: &String| code(s.fields.iter().find(|f| !f.flatten && &f.wire_name == wire).map_or(wire.as_str(), |f| unraw(&f.rust_name)));
    let quantity = if rule.exactly_one { "Exactly one" } else { "At least one" };
    let mut text = if rule.branches.iter().all(|b| b.len() == 1) {
        let names: Vec<String> = rule.branches.iter().map(|b| name(&b[0])).collect();
        format!("{quantity} of {} must be set.", names.join(", "))
    } else {
        let groups: Vec<String> = rule.branches.iter().map(|b| if b.is_empty() { "none of them".to_owned() } else { join_with(&b.iter().map(name).collect::<Vec<_>>(), "and") }).collect();
        format!("{quantity} of these must be set: {}.", groups.join("; or "))
    };
    if rule.more {
        text.push_str(" The spec's schema adds conditions beyond these.");
    }
    text
}

/// The doc of a parameter field: the spec's prose, then where it goes and its facts.
pub fn param_docs(p: &Param) -> TokenStream {
    let place = match p.location {
        ParamLocation::Query => "Query parameter",
        ParamLocation::Header => "Header",
        ParamLocation::Path => "Path parameter",
    };
    let facts = ValueFacts { required: p.required, nullable: false, deprecated: p.deprecated, facts: &p.facts };
    prose_then_facts(p.doc.as_deref(), &[format!("{place} {}. {}", code(&p.wire_name), facts.sentence())])
}

/// The doc of an untagged union variant: "A string.", "An array of [`X`]."
pub fn variant_doc(ty: &TypeRef, model: &Model, paths: &Paths) -> String {
    format!("{}.", capitalize(&noun(ty, model, paths)))
}

/// The doc of a tagged union variant: "When `type` is `message`: a [`X`]."
pub fn tagged_variant_doc(tag: &str, v: &TaggedVariant, model: &Model, paths: &Paths) -> String {
    let values: Vec<String> = v.tag_values.iter().map(|t| wire(t)).collect();
    format!("When {} is {}: {}.", code(tag), join_or(&values), noun(&v.ty, model, paths))
}

/// "sent as JSON" / "sent as `multipart/form-data`".
fn encoding(body: &Body) -> &'static str {
    match body.encoding {
        BodyEncoding::Json => "sent as JSON",
        BodyEncoding::Multipart => "sent as `multipart/form-data`",
    }
}

/// Which of the plain, streaming and alternative-body methods a doc is for.
pub enum MethodKind<'a> {
    /// The method named after the operation.
    Plain,
    /// The `…_stream` method.
    Stream,
    /// The method for the second body encoding, with that body.
    Alternative(&'a Body),
}

/// The doc lines of a method: a summary paragraph, then one list item per fact
/// (endpoint, parameters, body, response, sibling methods, deprecation).
pub fn method_docs(op: &Operation, kind: MethodKind, model: &Model, paths: &Paths) -> TokenStream {
    let endpoint = format!("{} {}", op.method, op.path);
    let mut out = match kind {
        MethodKind::Plain => match &op.doc {
            Some(doc) => super::doc_attrs(Some(doc)),
            None => lines_attrs(&[format!("Sends {}.", code(&endpoint))]),
        },
        MethodKind::Stream => lines_attrs(&[format!("Streaming variant of {}: server-sent events decoded one by one.", self_link(&op.rust_name))]),
        MethodKind::Alternative(body) => lines_attrs(&[format!("{} with the body {}.", self_link(&op.rust_name), encoding(body))]),
    };
    let mut facts = vec![String::new(), format!("- {} (operation {})", code(&endpoint), code(&op.operation_id))];
    if let Some(params_type) = &op.params_type {
        let query = op.params.iter().any(|p| p.location == ParamLocation::Query);
        let header = op.params.iter().any(|p| p.location == ParamLocation::Header);
        let which = match (query, header) {
            (true, true) => "Query and header parameters",
            (false, true) => "Header parameters",
            _ => "Query parameters",
        };
        facts.push(format!("- {which}: [`{params_type}`]({}::{params_type})", path_text(&paths.params)));
    }
    let body = match kind {
        MethodKind::Alternative(body) => Some(body),
        _ => op.body.as_ref(),
    };
    if let Some(body) = body {
        let optional = if body.required { "" } else { " (the spec does not require one)" };
        facts.push(format!("- Body: {}, {}{optional}", phrase(&body.ty, model, paths), encoding(body)));
    }
    match (&kind, &op.stream) {
        (MethodKind::Stream, Some(stream)) => {
            facts.push(format!("- Events: {}", phrase(&stream.event, model, paths)));
            facts.push(format!("- Without streaming: {}", self_link(&op.rust_name)));
        }
        _ => facts.push(format!("- Returns: {}", response_phrase(&op.response, model, paths))),
    }
    if let MethodKind::Plain = kind {
        if let (Some(stream), Some(name)) = (&op.stream, &op.stream_method) {
            facts.push(format!("- Streaming: {} returns {} events as they are sent", self_link(name), phrase(&stream.event, model, paths)));
        }
        if let Some((name, body)) = &op.alternative_body {
            facts.push(format!("- Other encoding: {} takes {}, {}", self_link(name), phrase(&body.ty, model, paths), encoding(body)));
        }
        if let Some(pages) = &op.pagination {
            facts.push(format!("- Every item, page by page: {}", self_link(&pages.method)));
        }
    }
    if let MethodKind::Alternative(..) = kind {
        facts.push(format!("- Other encoding: {}", self_link(&op.rust_name)));
    }
    for (name, value) in &op.fixed_headers {
        facts.push(format!("- Sends {} (a header of the same name in `RequestOptions` replaces it)", code(&format!("{name}: {value}"))));
    }
    for (key, value) in &op.body_defaults {
        facts.push(format!("- Sends {} when the body leaves `{key}` unset", code(&format!("\"{key}\": {value}"))));
    }
    if op.deprecated {
        facts.push("- Deprecated: the API marks this operation deprecated".to_owned());
    }
    out.extend(lines_attrs(&facts));
    out
}

/// What a method returns, for its "Returns" line.
fn response_phrase(response: &ResponseKind, model: &Model, paths: &Paths) -> String {
    let binary = format!("[`BinaryResponse`]({}::BinaryResponse)", path_text(&paths.runtime));
    match response {
        ResponseKind::Json(ty) => phrase(ty, model, paths),
        ResponseKind::Empty => "no body".to_owned(),
        ResponseKind::Binary => format!("the body as bytes ({binary})"),
        ResponseKind::Text => format!("the body as text ({binary})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("auto"), "`auto`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code("a\nb"), "`a b`");
        assert_eq!(code(""), "`\"\"`");
    }

    #[test]
    fn articles_follow_the_sound() {
        assert_eq!([article("Item"), article("Upload"), article("UserMessage"), article("Usage"), article("Message")], ["an", "an", "a", "a", "a"]);
    }

    #[test]
    fn lists_are_limited() {
        let items: Vec<String> = (1..=7).map(|i| i.to_string()).collect();
        assert_eq!(join_limited(&items[..1], 5), "1");
        assert_eq!(join_limited(&items[..3], 5), "1, 2 and 3");
        assert_eq!(join_limited(&items[..5], 5), "1, 2, 3, 4 and 5");
        assert_eq!(join_limited(&items, 5), "1, 2, 3, 4, 5 and 2 more");
    }

    #[test]
    fn facts_read_as_sentences() {
        let facts = FieldFacts {
            default: Some("1".into()),
            minimum: Some("0".into()),
            maximum: Some("2".into()),
            exclusive_maximum: true,
            max_length: Some(8),
            format: Some("double".into()),
            ..Default::default()
        };
        let s = ValueFacts { required: false, nullable: true, deprecated: true, facts: &facts }.sentence();
        assert_eq!(s, "Optional; may be `null`. Default: `1`. At least `0` and less than `2`. At most 8 characters. Format: `double`. Deprecated.");
        let many = FieldFacts { allowed: (0..11).map(|i| i.to_string()).collect(), min_items: Some(1), max_items: Some(1), ..Default::default() };
        assert_eq!(ValueFacts { required: true, nullable: false, deprecated: false, facts: &many }.sentence(), "Required. Exactly 1 item. One of 11 values.");
        let long = FieldFacts { default: Some(format!("\"{}\"", "x".repeat(100))), ..Default::default() };
        assert!(ValueFacts { required: true, nullable: false, deprecated: false, facts: &long }.sentence().ends_with("…` (cut)."));
        let full_range = FieldFacts { minimum: Some(i64::MIN.to_string()), maximum: Some(i64::MAX.to_string()), ..Default::default() };
        assert_eq!(ValueFacts { required: true, nullable: false, deprecated: false, facts: &full_range }.sentence(), "Required.");
    }
}
