//! The public Rust API a [`Model`] becomes, decided once: which fields are
//! `Option`, what a constructor takes, what the setters are called, what each
//! method takes and returns. `emit` writes code from these decisions, and the
//! [`surface`] listing (for the CHANGELOG and the spec diff) reads the same ones,
//! so the two never disagree.

use crate::ir::*;
use crate::names::Scope;
use std::collections::BTreeMap;

mod conversions;
pub use conversions::{canonical, conversions, Ambiguity, Conversion, Conversions, Source, Step};

/// The field's Rust type is `Option<…>`: optional or nullable, unless flattened.
pub fn field_is_option(f: &Field) -> bool {
    !(f.flatten || (f.required && !f.nullable))
}

/// A type that holds a multipart file, so it cannot be JSON.
pub fn holds_file(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::File => true,
        TypeRef::Array(inner) => holds_file(inner),
        _ => false,
    }
}

/// The union is a form field that is a file or something else (`video`: an
/// upload or a reference object): it becomes an enum written into the form,
/// never JSON, and no conversion makes one of its JSON branches.
pub fn is_file_union(def: &TypeDef) -> bool {
    matches!(&def.kind, TypeKind::Untagged(v) if v.iter().any(|v| holds_file(&v.ty)))
}

/// What the builder of a request type does with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldRole<'m> {
    /// Required and of a one-value enum: the constructor fills it in.
    Fixed(&'m EnumValue),
    /// A constructor argument, `impl Into<T>`.
    Argument,
    /// Required but nullable: a constructor argument, `impl Into<T>` like any
    /// other (callers pass values, not `Some`), and a method of this name,
    /// taking nothing, that sends `null` instead.
    NullableArgument(String),
    /// Optional: starts unset, with a setter of this name.
    Setter(String),
}

/// A required field whose type is a one-value enum: the constructor fills it in.
fn fixed_value<'m>(f: &Field, model: &'m Model) -> Option<&'m EnumValue> {
    if !f.required || f.nullable {
        return None;
    }
    one_value(f, model)
}

/// The only value of the field's type, when that is a one-value string enum.
fn one_value<'m>(f: &Field, model: &'m Model) -> Option<&'m EnumValue> {
    let TypeRef::Named(id) = &f.ty else { return None };
    match &model.types.get(id)?.kind {
        TypeKind::StringEnum(e) if e.values.len() == 1 => e.values.first(),
        _ => None,
    }
}

/// Whether `ty` names a string enum (its Rust type keeps unknown values in
/// a catch-all variant and implements the runtime's `de::WireEnum`).
pub fn is_string_enum(ty: &TypeRef, model: &Model) -> bool {
    let TypeRef::Named(id) = ty else { return false };
    matches!(model.types.get(id).map(|t| &t.kind), Some(TypeKind::StringEnum(_)))
}

/// What `new` and the setters of a request type are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Builder<'m> {
    /// The role of each field, in the order of `StructDef::fields`.
    pub roles: Vec<FieldRole<'m>>,
    /// The setter that adds one property the spec does not declare, when the
    /// type keeps such properties (`extra_field(key, value)`).
    pub extra_setter: Option<String>,
}

/// The builder of `s`: the role of each field (same order as `s.fields`),
/// then the extra-property setter. Setter names are the field names, all
/// claimed in one scope kept clear of `new`; the extra-property setter, then
/// the `…_null` methods of required nullable fields, are claimed after them,
/// so adding one never renames a setter.
pub fn builder<'m>(s: &StructDef, model: &'m Model) -> Builder<'m> {
    let mut setter_names = Scope::with_reserved(&["new"]);
    let mut roles: Vec<FieldRole<'m>> = s
        .fields
        .iter()
        .map(|f| {
            if let Some(fixed) = fixed_value(f, model) {
                FieldRole::Fixed(fixed)
            } else if !field_is_option(f) {
                FieldRole::Argument
            } else if f.required {
                FieldRole::NullableArgument(String::new())
            } else {
                FieldRole::Setter(setter_names.claim(&f.rust_name))
            }
        })
        .collect();
    let extra_setter = s.unknown_fields.as_ref().map(|_| setter_names.claim("extra_field"));
    for (f, role) in s.fields.iter().zip(roles.iter_mut()) {
        if let FieldRole::NullableArgument(name) = role {
            *name = setter_names.claim(&format!("{}_null", f.rust_name.trim_start_matches("r#")));
        }
    }
    Builder { roles, extra_setter }
}

/// The type of a field's value as the generated struct holds it (without the
/// `Option` or `Box` around it): the model's, except that free-form JSON
/// (`Json`, or `type: object` without properties, directly or through an
/// alias) in a request type is [`TypeRef::JsonInput`], which the constructor
/// and setter take as any `Serialize` value: `json!({...})`, a
/// `serde_json::Map`, a `HashMap` or the caller's own struct. A `Map` would
/// make every caller build one by hand.
pub fn field_type<'f>(f: &'f Field, owner: &TypeDef, model: &Model) -> std::borrow::Cow<'f, TypeRef> {
    if owner.in_request && matches!(through_aliases(&f.ty, &model.types), TypeRef::Json | TypeRef::JsonObject) {
        std::borrow::Cow::Owned(TypeRef::JsonInput)
    } else {
        std::borrow::Cow::Borrowed(&f.ty)
    }
}

/// Whether a value of `ty` has an empty value (`""`, `[]`, `{}`, `0`,
/// `false`, or a type marked [`TypeDef::empty_value`]).
pub fn has_empty_value(ty: &TypeRef, types: &BTreeMap<TypeId, TypeDef>) -> bool {
    match ty {
        TypeRef::String | TypeRef::I64 | TypeRef::I32 | TypeRef::F64 | TypeRef::Bool | TypeRef::Json | TypeRef::JsonObject | TypeRef::JsonInput | TypeRef::Array(_) | TypeRef::Map(_) => true,
        TypeRef::File => false,
        TypeRef::Named(id) => types.get(id).is_some_and(|t| t.empty_value),
    }
}

/// Whether a type of this shape has an empty value, given the types already
/// known to have one (lowering iterates this to a fixed point).
pub fn empty_by_construction(kind: &TypeKind, types: &BTreeMap<TypeId, TypeDef>) -> bool {
    match kind {
        TypeKind::Struct(s) => s.fields.iter().all(|f| !f.flatten && (field_is_option(f) || has_empty_value(&f.ty, types))),
        TypeKind::StringEnum(e) => e.values.len() == 1,
        TypeKind::Alias(ty) => has_empty_value(ty, types),
        _ => false,
    }
}

/// A required, non-nullable field that decodes a missing or `null` value to
/// the empty value of its type (reported; an error in strict mode), as the
/// official SDKs tolerate servers leaving such fields out.
pub fn reads_missing_as_empty(f: &Field, model: &Model) -> bool {
    !f.flatten && !field_is_option(f) && has_empty_value(&f.ty, &model.types)
}

/// The field's type is a one-value string enum: in an untagged union it
/// acts as a tag, and a different value means the branch does not fit.
pub fn is_tag_like(f: &Field, model: &Model) -> bool {
    one_value(f, model).is_some()
}

/// Kinds of JSON value, as the first byte of a value shows them: the bits
/// of the runtime's `de::kind` (emitted by name, see [`JsonKinds::names`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonKinds(u8);

impl JsonKinds {
    /// An object.
    pub const OBJECT: JsonKinds = JsonKinds(1);
    /// An array.
    pub const ARRAY: JsonKinds = JsonKinds(2);
    /// A string.
    pub const STRING: JsonKinds = JsonKinds(4);
    /// A number.
    pub const NUMBER: JsonKinds = JsonKinds(8);
    /// `true` or `false`.
    pub const BOOL: JsonKinds = JsonKinds(16);
    /// `null`.
    pub const NULL: JsonKinds = JsonKinds(32);
    /// Every kind.
    pub const ANY: JsonKinds = JsonKinds(63);
    const NAMES: [(JsonKinds, &'static str); 6] = [
        (Self::OBJECT, "OBJECT"),
        (Self::ARRAY, "ARRAY"),
        (Self::STRING, "STRING"),
        (Self::NUMBER, "NUMBER"),
        (Self::BOOL, "BOOL"),
        (Self::NULL, "NULL"),
    ];

    /// Both sets.
    pub fn union(self, other: JsonKinds) -> JsonKinds {
        JsonKinds(self.0 | other.0)
    }

    /// The names of the kinds in the set, in bit order (`OBJECT`, `STRING`).
    pub fn names(self) -> Vec<&'static str> {
        Self::NAMES.iter().filter(|(k, _)| self.0 & k.0 != 0).map(|(_, n)| *n).collect()
    }
}

/// The kinds of JSON value `ty`'s decoder can accept: an untagged union does
/// not try a variant that cannot take the value's kind. Each variant it tried
/// in vain built an error with a formatted message and dropped it: a tool
/// choice of `"auto"` went through eight object variants first, 17 such
/// errors a Responses API response. Must never leave out a kind the decoder
/// takes (the round-trip property test over every schema then reads another
/// variant, or none: it fails with string enums taken for objects): an
/// object type takes only objects, a string enum only strings, an array only
/// arrays; a tagged union keeps anything that has no tag it knows as JSON,
/// so it takes every kind.
pub fn json_kinds(ty: &TypeRef, model: &Model) -> JsonKinds {
    json_kinds_within(ty, model, 0)
}

fn json_kinds_within(ty: &TypeRef, model: &Model, depth: usize) -> JsonKinds {
    // Unions of unions nest a few levels; a cycle of aliases would not end.
    if depth > 32 {
        return JsonKinds::ANY;
    }
    match ty {
        TypeRef::String => JsonKinds::STRING,
        TypeRef::I64 | TypeRef::I32 | TypeRef::F64 => JsonKinds::NUMBER,
        TypeRef::Bool => JsonKinds::BOOL,
        TypeRef::Array(_) => JsonKinds::ARRAY,
        TypeRef::JsonObject | TypeRef::Map(_) => JsonKinds::OBJECT,
        TypeRef::Json | TypeRef::JsonInput | TypeRef::File => JsonKinds::ANY,
        TypeRef::Named(id) => match model.types.get(id).map(|def| &def.kind) {
            Some(TypeKind::Struct(_) | TypeKind::Multipart(_)) => JsonKinds::OBJECT,
            Some(TypeKind::StringEnum(_) | TypeKind::OpenString(_)) => JsonKinds::STRING,
            Some(TypeKind::Alias(inner)) => json_kinds_within(inner, model, depth + 1),
            // A union without variants (which lowering does not make) says nothing.
            Some(TypeKind::Untagged(variants)) if variants.is_empty() => JsonKinds::ANY,
            Some(TypeKind::Untagged(variants)) => variants
                .iter()
                .fold(JsonKinds(0), |kinds, v| kinds.union(json_kinds_within(&v.ty, model, depth + 1))),
            Some(TypeKind::Tagged(_)) | None => JsonKinds::ANY,
        },
    }
}

/// Whether a type gets the runtime's `Encode` (its JSON written straight into
/// a buffer, how request bodies are sent): the types a request can hold.
/// Nothing else is ever sent through it, and each impl costs build time (on
/// every type, 1.11 × the crate alone, measured 2026-11-30); every type keeps
/// `Serialize`. Multipart forms, unions holding a file and aliases have none
/// of their own.
pub fn has_encode(def: &TypeDef) -> bool {
    def.in_request
}

/// Whether a struct type gets `new` and setters: request types and forms.
pub fn has_builder(def: &TypeDef) -> bool {
    def.built_by_callers()
}

/// A type as Rust source, with short names (`Vec<ChatMessage>`), for listings.
pub fn type_text(ty: &TypeRef, model: &Model) -> String {
    match ty {
        TypeRef::String => "String".to_owned(),
        TypeRef::I64 => "i64".to_owned(),
        TypeRef::I32 => "i32".to_owned(),
        TypeRef::F64 => "f64".to_owned(),
        TypeRef::Bool => "bool".to_owned(),
        TypeRef::Json => "serde_json::Value".to_owned(),
        TypeRef::JsonObject => "serde_json::Map<String, serde_json::Value>".to_owned(),
        TypeRef::JsonInput => "Json".to_owned(),
        TypeRef::File => "InputFile".to_owned(),
        TypeRef::Named(id) => model.types.get(id).map_or_else(|| "UnknownType".to_owned(), |t| t.rust_name.clone()),
        TypeRef::Array(inner) => format!("Vec<{}>", type_text(inner, model)),
        TypeRef::Map(inner) => format!("BTreeMap<String, {}>", type_text(inner, model)),
    }
}

/// What a constructor or setter takes for a field of this type, as Rust
/// source: `impl Into<T>`, or `impl Serialize` for free-form JSON.
fn argument_text(ty: &TypeRef, model: &Model) -> String {
    match ty {
        TypeRef::JsonInput => "impl Serialize".to_owned(),
        _ => format!("impl Into<{}>", type_text(ty, model)),
    }
}

fn field_text(f: &Field, owner: &TypeDef, model: &Model) -> String {
    let mut t = type_text(&field_type(f, owner, model), model);
    if f.boxed {
        t = format!("Box<{t}>");
    }
    if field_is_option(f) {
        t = format!("Option<{t}>");
    }
    t
}

/// The arguments of an operation's methods, in order, as `(name, type)` text.
pub fn method_args(op: &Operation, model: &Model) -> Vec<(String, String)> {
    let mut args: Vec<(String, String)> = op
        .path_params
        .iter()
        .map(|p| (p.rust_name.clone(), if p.ty == TypeRef::String { "&str".to_owned() } else { format!("&{}", type_text(&p.ty, model)) }))
        .collect();
    if let Some(params) = &op.params_type {
        args.push(("params".to_owned(), format!("&{params}")));
    }
    if let Some(body) = &op.body {
        args.push(("body".to_owned(), format!("&{}", type_text(&body.ty, model))));
    }
    args
}

/// The Rust types a conversion source stands for, as text: `&str` and
/// `String` for text, the type otherwise.
pub fn source_texts(source: &Source, model: &Model) -> Vec<String> {
    match source {
        Source::Text => vec!["&str".to_owned(), "String".to_owned()],
        Source::Value(ty) => vec![type_text(ty, model)],
    }
}

/// What the plain method of an operation returns.
pub fn return_text(response: &ResponseKind, model: &Model) -> String {
    match response {
        ResponseKind::Json(ty) => format!("Response<{}>", type_text(ty, model)),
        ResponseKind::Empty => "Response<()>".to_owned(),
        ResponseKind::Binary | ResponseKind::Text => "BinaryResponse".to_owned(),
    }
}

/// What kind of public item an [`ApiItem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKind {
    /// A method on `Client`.
    Method,
    /// A named type (struct, enum, alias, parameter struct).
    Type,
    /// A public field of a struct.
    Field,
    /// An enum variant.
    Variant,
    /// An associated constant (known values of open strings).
    Const,
    /// `new` of a request type or parameter struct.
    Constructor,
    /// A setter of an optional field.
    Setter,
    /// A `From` impl of a union (see [`conversions`]).
    Conversion,
}

impl ItemKind {
    /// The word used in listings.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Method => "method",
            ItemKind::Type => "type",
            ItemKind::Field => "field",
            ItemKind::Variant => "variant",
            ItemKind::Const => "constant",
            ItemKind::Constructor => "constructor",
            ItemKind::Setter => "setter",
            ItemKind::Conversion => "conversion",
        }
    }
}

/// One public item of the generated crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiItem {
    /// What it is.
    pub kind: ItemKind,
    /// Its path: `Client::list_files`, `CreateFileRequest::purpose`, `Voice::Alloy`.
    pub path: String,
    /// Its signature as Rust-like text; a change of it breaks callers.
    pub signature: String,
    /// Where in the spec it comes from (operationId, schema pointer, property,
    /// tag or enum value): the same for an item whose Rust name changed, so
    /// [`compare`] can tell a rename from a removal.
    pub origin: String,
}

/// Every public item the model generates, keyed by `kind path`.
pub fn surface(model: &Model) -> BTreeMap<String, ApiItem> {
    let mut out = BTreeMap::new();
    let mut add = |kind: ItemKind, path: String, signature: String, origin: String| {
        out.insert(format!("{} {path}", kind.as_str()), ApiItem { kind, path, signature, origin });
    };
    for op in &model.operations {
        let id = &op.operation_id;
        let args = |op: &Operation| method_args(op, model).iter().map(|(n, t)| format!("{n}: {t}")).collect::<Vec<_>>().join(", ");
        add(ItemKind::Method, format!("Client::{}", op.rust_name), format!("fn {}({}) -> {}", op.rust_name, args(op), return_text(&op.response, model)), format!("operation {id}"));
        if let (Some(stream), Some(name)) = (&op.stream, &op.stream_method) {
            add(ItemKind::Method, format!("Client::{name}"), format!("fn {name}({}) -> EventStream<{}>", args(op), type_text(&stream.event, model)), format!("operation {id} stream"));
        }
        if let Some(pages) = &op.pagination {
            let page = match &op.response {
                ResponseKind::Json(ty) => type_text(ty, model),
                _ => "()".to_owned(),
            };
            add(ItemKind::Method, format!("Client::{}", pages.method), format!("fn {}({}) -> Items<{page}, {}>", pages.method, args(op), type_text(&pages.item, model)), format!("operation {id} pages"));
        }
        if let Some((name, body)) = &op.alternative_body {
            let alt = Operation { body: Some(body.clone()), ..op.clone() };
            add(ItemKind::Method, format!("Client::{name}"), format!("fn {name}({}) -> {}", args(&alt), return_text(&op.response, model)), format!("operation {id} other body"));
        }
        if let Some(params) = &op.params_type {
            let origin = format!("operation {id} parameters");
            add(ItemKind::Type, params.clone(), "struct".to_owned(), origin.clone());
            let required: Vec<String> = op.params.iter().filter(|p| p.required).map(|p| format!("{}: impl Into<{}>", p.rust_name, type_text(&p.ty, model))).collect();
            add(ItemKind::Constructor, format!("{params}::new"), format!("fn new({})", required.join(", ")), origin.clone());
            for p in &op.params {
                let ty = type_text(&p.ty, model);
                let param = format!("{origin} {}", p.wire_name);
                add(ItemKind::Field, format!("{params}::{}", p.rust_name), if p.required { ty.clone() } else { format!("Option<{ty}>") }, param.clone());
                if !p.required {
                    add(ItemKind::Setter, format!("{params}::{}", p.rust_name), format!("fn {}(impl Into<{ty}>)", p.rust_name), param);
                }
            }
        }
    }
    for (id, def) in &model.types {
        let name = &def.rust_name;
        let at = |what: &str| format!("schema {id} {what}");
        for c in conversions(id, model).from {
            // A source is known by what it is: a schema by its pointer, anything else by its shape.
            let from = match &c.source {
                Source::Value(TypeRef::Named(source)) => source.clone(),
                Source::Value(other) => type_text(other, model),
                Source::Text => "text".to_owned(),
            };
            for (i, source) in source_texts(&c.source, model).into_iter().enumerate() {
                add(ItemKind::Conversion, format!("{name}::From<{source}>"), format!("impl From<{source}> for {name}"), at(&format!("from {from} {i}")));
            }
        }
        match &def.kind {
            TypeKind::Struct(s) | TypeKind::Multipart(s) => {
                add(ItemKind::Type, name.clone(), "struct".to_owned(), at(""));
                // A flattened union part has no property name; its Rust name stands in.
                let property = |f: &Field| at(&format!("property {}", if f.wire_name.is_empty() { &f.rust_name } else { &f.wire_name }));
                for f in &s.fields {
                    add(ItemKind::Field, format!("{name}::{}", f.rust_name), field_text(f, def, model), property(f));
                }
                if let Some(extra) = &s.unknown_fields {
                    add(ItemKind::Field, format!("{name}::{extra}"), "serde_json::Map<String, serde_json::Value>".to_owned(), at("undeclared properties"));
                }
                if has_builder(def) {
                    let plan = builder(s, model);
                    if let Some(setter) = &plan.extra_setter {
                        add(ItemKind::Setter, format!("{name}::{setter}"), format!("fn {setter}(impl Into<String>, impl Into<serde_json::Value>)"), at("undeclared properties"));
                    }
                    let mut args = Vec::new();
                    for (f, role) in s.fields.iter().zip(&plan.roles) {
                        let arg = argument_text(&field_type(f, def, model), model);
                        match role {
                            FieldRole::Fixed(_) => {}
                            FieldRole::Argument => args.push(format!("{}: {arg}", f.rust_name)),
                            FieldRole::NullableArgument(null) => {
                                args.push(format!("{}: {arg}", f.rust_name));
                                add(ItemKind::Setter, format!("{name}::{null}"), format!("fn {null}()"), format!("{} null", property(f)));
                            }
                            FieldRole::Setter(setter) => add(ItemKind::Setter, format!("{name}::{setter}"), format!("fn {setter}({arg})"), property(f)),
                        }
                    }
                    add(ItemKind::Constructor, format!("{name}::new"), format!("fn new({})", args.join(", ")), at(""));
                }
            }
            TypeKind::StringEnum(e) => {
                add(ItemKind::Type, name.clone(), "enum".to_owned(), at(""));
                for v in &e.values {
                    add(ItemKind::Variant, format!("{name}::{}", v.rust_name), format!("= {:?}", v.wire), at(&format!("value {:?}", v.wire)));
                }
                add(ItemKind::Variant, format!("{name}::{}", e.catch_all), "(String)".to_owned(), at("other values"));
            }
            TypeKind::OpenString(values) => {
                add(ItemKind::Type, name.clone(), "struct (open string)".to_owned(), at(""));
                for v in values {
                    add(ItemKind::Const, format!("{name}::{}", v.rust_name), format!("= {:?}", v.wire), at(&format!("value {:?}", v.wire)));
                }
            }
            TypeKind::Tagged(t) => {
                add(ItemKind::Type, name.clone(), "enum".to_owned(), at(""));
                for v in &t.variants {
                    add(ItemKind::Variant, format!("{name}::{}", v.rust_name), format!("({})", type_text(&v.ty, model)), at(&format!("tag {:?}", v.tag_values.first().map_or("", String::as_str))));
                }
                add(ItemKind::Variant, format!("{name}::{}", t.fallback), "(serde_json::Value)".to_owned(), at("other tags"));
            }
            TypeKind::Untagged(variants) => {
                add(ItemKind::Type, name.clone(), "enum".to_owned(), at(""));
                for v in variants {
                    // A branch is known by what it holds: a schema by its pointer, anything else by its shape.
                    let holds = match &v.ty {
                        TypeRef::Named(target) => target.clone(),
                        other => type_text(other, model),
                    };
                    add(ItemKind::Variant, format!("{name}::{}", v.rust_name), format!("({})", type_text(&v.ty, model)), at(&format!("branch {holds}")));
                }
            }
            TypeKind::Alias(ty) => add(ItemKind::Type, name.clone(), format!("= {}", type_text(ty, model)), at("")),
        }
    }
    out
}

/// The Cargo features that compile an item whose API group(s) are `features`
/// (a type's [`TypeDef::features`], an operation's one feature): `None` when it
/// is compiled whatever features are on (features off in the config, or a type
/// used by more than [`MAX_TYPE_FEATURES`]
/// groups); a type no operation uses sits behind `unreferenced`.
pub fn feature_gate<'a>(model: &Model, features: impl IntoIterator<Item = &'a String>) -> Option<Vec<&'a str>> {
    if !model.cargo_features {
        return None;
    }
    let list: Vec<&str> = features.into_iter().map(String::as_str).collect();
    match list.len() {
        n if n > crate::ir::MAX_TYPE_FEATURES => None,
        0 => Some(vec![crate::ir::UNREFERENCED_FEATURE]),
        _ => Some(list),
    }
}

/// The feature gate of every type and method of the [`surface`] (same keys);
/// members share their type's gate. Items compiled whatever features are on
/// are left out.
pub fn item_features(model: &Model) -> BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut out = BTreeMap::new();
    let mut add = |kind: ItemKind, path: &str, gate: Option<Vec<&str>>| {
        if let Some(gate) = gate {
            out.insert(format!("{} {path}", kind.as_str()), gate.into_iter().map(str::to_owned).collect());
        }
    };
    for op in &model.operations {
        let gate = || feature_gate(model, [&op.feature]);
        add(ItemKind::Method, &format!("Client::{}", op.rust_name), gate());
        if let Some(name) = &op.stream_method {
            add(ItemKind::Method, &format!("Client::{name}"), gate());
        }
        if let Some((name, _)) = &op.alternative_body {
            add(ItemKind::Method, &format!("Client::{name}"), gate());
        }
        if let Some(params) = &op.params_type {
            add(ItemKind::Type, params, gate());
        }
    }
    for def in model.types.values() {
        add(ItemKind::Type, &def.rust_name, feature_gate(model, &def.features));
    }
    out
}

/// Whether code outside the crate can `match` the type's variants
/// exhaustively, so that a new variant breaks it: untagged unions. Every other
/// generated struct and enum is `#[non_exhaustive]` (string enums and tagged
/// unions end in a catch-all variant; structs are built with `new`), so new
/// fields and variants break no code.
pub fn is_exhaustive(def: &TypeDef) -> bool {
    matches!(def.kind, TypeKind::Untagged(_))
}

/// How the public API changed between two models.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurfaceDiff {
    /// Items that are gone.
    pub removed: Vec<ApiItem>,
    /// Items whose signature changed: (old, new).
    pub changed: Vec<(ApiItem, ApiItem)>,
    /// Items of the same place in the spec under a new Rust name: (old, new).
    /// Members of a renamed type that keep their own name are not listed
    /// (the type's rename says it).
    pub renamed: Vec<(ApiItem, ApiItem)>,
    /// New items.
    pub added: Vec<ApiItem>,
}

impl SurfaceDiff {
    /// Code written against the old API may no longer compile.
    pub fn is_breaking(&self) -> bool {
        !self.removed.is_empty() || !self.changed.is_empty() || !self.renamed.is_empty()
    }

    /// Removed items, leaving out members of removed types (the type says it all).
    pub fn removed_roots(&self) -> Vec<&ApiItem> {
        let gone_types: std::collections::BTreeSet<&str> = self.removed.iter().filter(|i| i.kind == ItemKind::Type).map(|i| i.path.as_str()).collect();
        self.removed.iter().filter(|i| i.kind == ItemKind::Type || !i.path.split_once("::").is_some_and(|(owner, _)| gone_types.contains(owner))).collect()
    }
}

/// Compares two API surfaces.
pub fn compare(old: &BTreeMap<String, ApiItem>, new: &BTreeMap<String, ApiItem>) -> SurfaceDiff {
    let mut diff = SurfaceDiff::default();
    let origins = Origins::of(old, new);
    let same = |a: &ApiItem, b: &ApiItem| origins.same(a, b);
    for (key, item) in old {
        match new.get(key) {
            Some(now) if same(item, now) => {
                if now.signature != item.signature {
                    diff.changed.push((item.clone(), now.clone()));
                }
            }
            _ => diff.removed.push(item.clone()),
        }
    }
    diff.added = new.iter().filter(|(k, v)| !old.get(*k).is_some_and(|o| same(o, v))).map(|(_, v)| v.clone()).collect();
    find_renames(&mut diff);
    diff
}

/// The places in the spec the items of two surfaces come from.
pub struct Origins<'a> {
    old: std::collections::BTreeSet<(ItemKind, &'a str)>,
    new: std::collections::BTreeSet<(ItemKind, &'a str)>,
}

impl<'a> Origins<'a> {
    /// The origins of both surfaces.
    pub fn of(old: &'a BTreeMap<String, ApiItem>, new: &'a BTreeMap<String, ApiItem>) -> Self {
        let set = |s: &'a BTreeMap<String, ApiItem>| s.values().map(|i| (i.kind, i.origin.as_str())).collect();
        Origins { old: set(old), new: set(new) }
    }

    /// Whether an old and a new item of one path are the same item: they come
    /// from the same place, or from places neither side has twice (the spec
    /// moved the schema, into an `allOf` say, and nothing else took its name).
    /// Not when the old item's place is another item's on the new side: then
    /// the name went to another schema and the old item was renamed.
    pub fn same(&self, old: &ApiItem, new: &ApiItem) -> bool {
        old.origin == new.origin || (!self.new.contains(&(old.kind, old.origin.as_str())) && !self.old.contains(&(new.kind, new.origin.as_str())))
    }
}

/// Pairs each removed item with an added one of the same kind and origin (the
/// same operation, schema, property, tag or value under another Rust name),
/// moving both into `renamed`. A member of a renamed type whose own name
/// stayed is dropped (its owner's rename says it), or kept as changed when
/// its signature changed too.
fn find_renames(diff: &mut SurfaceDiff) {
    let mut added: BTreeMap<(ItemKind, String), Vec<usize>> = BTreeMap::new();
    for (i, item) in diff.added.iter().enumerate() {
        added.entry((item.kind, item.origin.clone())).or_default().push(i);
    }
    let mut taken = vec![false; diff.added.len()];
    let mut removed = Vec::new();
    let mut pairs = Vec::new();
    for item in std::mem::take(&mut diff.removed) {
        let twin = added.get_mut(&(item.kind, item.origin.clone())).and_then(|list| (!list.is_empty()).then(|| list.remove(0)));
        match twin {
            Some(j) => {
                taken[j] = true;
                pairs.push((item, diff.added[j].clone()));
            }
            None => removed.push(item),
        }
    }
    diff.removed = removed;
    diff.added = diff.added.iter().zip(&taken).filter(|(_, t)| !**t).map(|(i, _)| i.clone()).collect();
    let renamed_owners: BTreeMap<String, String> = pairs.iter().filter(|(o, _)| o.kind == ItemKind::Type).map(|(o, n)| (o.path.clone(), n.path.clone())).collect();
    let member = |path: &str| path.split_once("::").map(|(owner, name)| (owner.to_owned(), name.to_owned()));
    for (old, new) in pairs {
        let implied = match (member(&old.path), member(&new.path)) {
            (Some((old_owner, old_name)), Some((new_owner, new_name))) => old_name == new_name && renamed_owners.get(&old_owner) == Some(&new_owner),
            _ => false,
        };
        match implied {
            false => diff.renamed.push((old, new)),
            // Renamed with its type, and changed as well: the change still breaks callers.
            true if old.signature != new.signature => diff.changed.push((old, new)),
            true => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(yaml: &str) -> Model {
        let spec = crate::load::load_bytes("t.yaml", yaml.as_bytes()).unwrap();
        crate::lower::lower(&spec, &crate::config::Config::default()).unwrap()
    }

    #[test]
    fn json_kinds_follow_each_shape_and_unions_join_their_variants() {
        let m = model(
            r##"
openapi: 3.0.0
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Obj: {type: object, properties: {a: {type: string}}}
    Word: {type: string, enum: [a, b]}
    Open: {anyOf: [{type: string}, {type: string, enum: [x]}]}
    Cat: {type: object, required: [type], properties: {type: {type: string, enum: [cat]}}}
    Dog: {type: object, required: [type], properties: {type: {type: string, enum: [dog]}}}
    Tagged:
      oneOf: [{$ref: "#/components/schemas/Cat"}, {$ref: "#/components/schemas/Dog"}]
      discriminator: {propertyName: type}
    Inner: {anyOf: [{type: integer}, {type: array, items: {type: string}}]}
    Outer: {anyOf: [{$ref: "#/components/schemas/Obj"}, {$ref: "#/components/schemas/Word"}, {$ref: "#/components/schemas/Inner"}]}
    Alias: {$ref: "#/components/schemas/Word"}
"##,
        );
        let named = |name: &str| {
            let id = m.types.iter().find(|(_, d)| d.wire_name == name).unwrap_or_else(|| panic!("{name}")).0;
            json_kinds(&TypeRef::Named(id.clone()), &m)
        };
        assert_eq!(named("Obj"), JsonKinds::OBJECT);
        assert_eq!(named("Word"), JsonKinds::STRING);
        assert_eq!(named("Open"), JsonKinds::STRING);
        // A tagged union keeps what it cannot place as JSON, whatever it is.
        let tagged = m.types.values().find(|d| d.wire_name == "Tagged").unwrap();
        assert!(matches!(tagged.kind, TypeKind::Tagged(_)), "{:?}", tagged.kind);
        assert_eq!(named("Tagged"), JsonKinds::ANY);
        assert_eq!(named("Inner").names(), ["ARRAY", "NUMBER"]);
        assert_eq!(named("Outer").names(), ["OBJECT", "ARRAY", "STRING", "NUMBER"]);
        assert_eq!(json_kinds(&TypeRef::Map(Box::new(TypeRef::Bool)), &m), JsonKinds::OBJECT);
        assert_eq!(json_kinds(&TypeRef::Bool, &m), JsonKinds::BOOL);
        assert_eq!(json_kinds(&TypeRef::F64, &m), JsonKinds::NUMBER);
        assert_eq!(json_kinds(&TypeRef::Json, &m).names().len(), 6);
    }

    const OLD: &str = r##"
openapi: 3.0.0
info: {title: t, version: "1"}
paths:
  /speech:
    post:
      operationId: createSpeech
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Speech"}
      responses:
        "200": {description: ok}
components:
  schemas:
    Speech:
      type: object
      required: [input, voice, kind]
      properties:
        input: {type: string, nullable: true}
        voice: {type: string, enum: [alloy, fable]}
        kind: {type: string, enum: [speech]}
        speed: {type: number}
"##;

    #[test]
    fn roles_follow_required_nullable_and_one_value_enums() {
        let m = model(OLD);
        let def = m.types.values().find(|t| t.rust_name == "Speech").unwrap();
        let TypeKind::Struct(s) = &def.kind else { panic!() };
        let roles = builder(s, &m).roles;
        assert_eq!(roles[0], FieldRole::NullableArgument("input_null".to_owned()));
        assert_eq!(roles[1], FieldRole::Argument);
        assert!(matches!(roles[2], FieldRole::Fixed(v) if v.wire == "speech"));
        assert_eq!(roles[3], FieldRole::Setter("speed".to_owned()));
    }

    #[test]
    fn a_changed_constructor_and_a_removed_variant_are_breaking() {
        let old = surface(&model(OLD));
        assert_eq!(old["constructor Speech::new"].signature, "fn new(input: impl Into<String>, voice: impl Into<SpeechVoice>)", "a nullable argument takes values");
        assert_eq!(old["setter Speech::input_null"].signature, "fn input_null()");
        assert_eq!(old["method Client::create_speech"].signature, "fn create_speech(body: &Speech) -> Response<()>");
        let new_spec = OLD.replace("input: {type: string, nullable: true}", "input: {type: string}").replace("enum: [alloy, fable]", "enum: [alloy, marin]").replace("required: [input, voice, kind]", "required: [input, voice, kind, speed]");
        let diff = compare(&old, &surface(&model(&new_spec)));
        assert!(diff.is_breaking());
        let removed: Vec<&str> = diff.removed.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(removed, ["Speech::input_null", "Speech::speed", "SpeechVoice::Fable"]);
        let changed: Vec<&str> = diff.changed.iter().map(|(o, _)| o.path.as_str()).collect();
        assert_eq!(changed, ["Speech::new", "Speech::input", "Speech::speed"]);
        assert_eq!(diff.added.iter().map(|i| i.path.as_str()).collect::<Vec<_>>(), ["SpeechVoice::Marin"]);
        assert!(!compare(&old, &old).is_breaking());
    }

    const UNIONS: &str = r##"
openapi: 3.0.0
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Pick:
      anyOf: [{$ref: "#/components/schemas/Left"}, {$ref: "#/components/schemas/Right"}]
    Left:
      anyOf: [{$ref: "#/components/schemas/A"}, {type: string}]
    Right:
      anyOf: [{$ref: "#/components/schemas/B"}, {type: integer}]
    A: {type: object, required: [a], properties: {a: {type: string}}}
    B: {type: object, required: [b], properties: {b: {type: string}}}
"##;

    #[test]
    fn a_conversion_that_becomes_ambiguous_is_a_removed_item() {
        let old = surface(&model(UNIONS));
        for key in ["Pick::From<A>", "Pick::From<B>", "Pick::From<&str>", "Pick::From<String>", "Pick::From<i64>", "Pick::From<Left>"] {
            assert_eq!(old[&format!("conversion {key}")].signature, format!("impl From<{}> for Pick", key.trim_start_matches("Pick::From<").trim_end_matches('>')));
        }
        // `A` is now a branch of both sides: `Pick` no longer converts from it.
        let new_spec = UNIONS.replace("{type: integer}]", r##"{type: integer}, {$ref: "#/components/schemas/A"}]"##);
        let new = model(&new_spec);
        let diff = compare(&old, &surface(&new));
        assert_eq!(diff.removed.iter().map(|i| i.path.as_str()).collect::<Vec<_>>(), ["Pick::From<A>"]);
        assert!(diff.is_breaking());
        assert!(new.warnings.iter().any(|w| w.pointer == "/components/schemas/Pick" && w.message.starts_with("`From<A>` not generated for `Pick`: the branches `Left`, `Right`")), "{:?}", new.warnings);
    }

    const THREAD: &str = r##"
openapi: 3.0.0
info: {title: t, version: "1"}
paths:
  /threads:
    post:
      operationId: createThread
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Thread"}
      responses:
        "200": {description: ok}
components:
  schemas:
    Thread:
      type: object
      properties:
        tool_resources:
          type: object
          properties:
            file_search:
              type: object
              properties:
                vector_store_ids: {type: array, items: {type: string}}
"##;

    #[test]
    fn a_new_rust_name_for_the_same_schema_is_a_breaking_rename() {
        let old_model = model(THREAD);
        let old = surface(&old_model);
        assert_eq!(old["type ThreadFileSearch"].origin, "schema #/components/schemas/Thread/properties/tool_resources/properties/file_search ");
        // The new spec gives `Thread` a `file_search` of its own: being nearer the
        // root, it takes the short name, and the nested one is renamed.
        let new_spec = THREAD.replace("        tool_resources:\n", "        file_search: {type: object, properties: {enabled: {type: boolean}}}\n        tool_resources:\n");
        let diff = compare(&old, &surface(&model(&new_spec)));
        assert!(diff.is_breaking());
        let renamed: Vec<(&str, &str)> = diff.renamed.iter().map(|(o, n)| (o.path.as_str(), n.path.as_str())).collect();
        assert_eq!(renamed, [("ThreadFileSearch", "ThreadToolResourcesFileSearch")], "members that kept their names are implied: {diff:?}");
        assert!(diff.removed.is_empty(), "{:?}", diff.removed);
        let added: Vec<&str> = diff.added.iter().map(|i| i.path.as_str()).collect();
        assert!(added.contains(&"ThreadFileSearch") && added.contains(&"Thread::file_search"), "the new schema under the old name is new: {added:?}");
        let changed: Vec<String> = diff.changed.iter().map(|(o, n)| format!("{} {}: {}", o.kind.as_str(), o.path, n.signature)).collect();
        assert_eq!(changed, ["field ThreadToolResources::file_search: Option<ThreadToolResourcesFileSearch>", "setter ThreadToolResources::file_search: fn file_search(impl Into<ThreadToolResourcesFileSearch>)"], "fields of the renamed type's type change");
        // An operationId whose method name changes (here: by the config) is a renamed method.
        let config = crate::config::Config { method_names: [("createThread".to_owned(), "start_thread".to_owned())].into(), ..Default::default() };
        let spec = crate::load::load_bytes("t.yaml", THREAD.as_bytes()).unwrap();
        let diff = compare(&old, &surface(&crate::lower::lower(&spec, &config).unwrap()));
        let renamed: Vec<(&str, &str)> = diff.renamed.iter().map(|(o, n)| (o.path.as_str(), n.path.as_str())).collect();
        assert_eq!(renamed, [("Client::create_thread", "Client::start_thread")]);
        // The same properties moved into an `allOf` part: other pointers, the same API.
        let moved = THREAD.replace(
            "    Thread:\n      type: object\n      properties:\n",
            "    Thread:\n      allOf:\n        - {type: object}\n        - type: object\n          properties:\n",
        );
        let moved = moved.split_once("          properties:\n").map(|(head, tail)| format!("{head}          properties:\n{}", tail.lines().map(|l| format!("    {l}\n")).collect::<String>())).unwrap();
        let moved_model = model(&moved);
        assert!(moved_model.types.contains_key("#/components/schemas/Thread/allOf/1/properties/tool_resources/properties/file_search"), "{:?}", moved_model.types.keys());
        assert_eq!(compare(&old, &surface(&moved_model)), SurfaceDiff::default());
    }
}
