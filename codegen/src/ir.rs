//! The intermediate model: plain data between lowering and emission.
//!
//! Nothing here refers to `openapiv3` or `quote`; a test can build or inspect a
//! model by hand. Every named thing keeps its wire name (what the API sends) and
//! its Rust name (what the generated code calls it) apart.

use std::collections::BTreeMap;

/// Something the generator repaired or could not express, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// JSON pointer into the spec.
    pub pointer: String,
    /// What happened, without a trailing period.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}: {}", self.pointer, self.message)
    }
}

/// Identifies a generated type: the JSON pointer of the schema it came from.
pub type TypeId = String;

/// Everything the emitter needs to write a client.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    /// Named types, keyed by id.
    pub types: BTreeMap<TypeId, TypeDef>,
    /// One entry per generated operation, in spec order.
    pub operations: Vec<Operation>,
    /// Operations that were not generated, with the reason (also counted as warnings).
    pub skipped_operations: Vec<Skipped>,
    /// What lowering repaired, approximated or could not express.
    pub warnings: Vec<Warning>,
    /// Gate API groups behind Cargo features (from the config).
    pub cargo_features: bool,
    /// How query parameters holding a list are written (from the config).
    pub array_query_format: ArrayQueryFormat,
    /// List-like operations (a `data` list in the response) that get no
    /// auto-paging method, with the reason, for the generation report.
    pub unpaginated: Vec<Unpaginated>,
    /// What the API delivers to webhook endpoints (the OpenAPI 3.1 `webhooks`
    /// section), when the spec has any.
    pub webhooks: Option<Webhooks>,
}

/// A list-like operation left without an auto-paging method, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpaginated {
    /// Its `operationId`.
    pub operation_id: String,
    /// Why it is not paged.
    pub reason: String,
}

/// How a query parameter holding a list goes on the wire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArrayQueryFormat {
    /// `name[]=a&name[]=b`, as openai-python sends lists.
    #[default]
    Brackets,
    /// `name=a&name=b`.
    Repeat,
}

/// The webhook events of a spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhooks {
    /// The enum over every event: a [`TypeKind::Tagged`] type of
    /// [`Model::types`] on the events' `type` property, whose fallback keeps
    /// an event this client does not know as JSON.
    pub event: TypeId,
    /// One per delivery the spec describes, in spec order.
    pub events: Vec<Webhook>,
}

/// One webhook delivery: the request the API sends to an endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// Key in the `webhooks` section (`batch_cancelled`).
    pub name: String,
    /// HTTP method the API calls the endpoint with, upper case.
    pub method: String,
    /// Values of the payload's `type` property that select this event.
    pub event_types: Vec<String>,
    /// The payload (the JSON request body).
    pub ty: TypeRef,
    /// Its variant in the event enum.
    pub variant: String,
}

/// An operation left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `METHOD /path`.
    pub operation: String,
    /// Why it was not generated.
    pub reason: String,
}

/// A named Rust type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// Rust identifier (UpperCamelCase, unique in the model).
    pub rust_name: String,
    /// Name in the spec (component name, or the property path of an inline schema).
    pub wire_name: String,
    /// The longest form of the Rust name: the component's name, or an inline
    /// schema's root and every step down to it (see
    /// [`names::types`](crate::names::types)). The same for the same
    /// place in any version of a spec, whatever shorter name the type gets, so
    /// the spec diff can match inline types whose short name changed.
    pub long_name: String,
    /// Documentation from the spec.
    pub doc: Option<String>,
    /// Marked deprecated in the spec.
    pub deprecated: bool,
    /// The shape.
    pub kind: TypeKind,
    /// Reachable from a request body or parameter: gets a constructor and setters.
    pub in_request: bool,
    /// Asked how well it fits its JSON when an untagged union is decoded (a
    /// variant, or what a variant's fit asks in turn): gets the runtime's
    /// `Fit`. Set by lowering, from the finished model.
    pub fits: bool,
    /// Cargo features (one per API group) whose operations use this type; the
    /// type is compiled when any of them is on. Empty: used by no operation.
    pub features: std::collections::BTreeSet<String>,
    /// Operations that take or return this type directly (not inside another
    /// type), in operation order, for the type's documentation.
    pub used_by: Vec<TypeUse>,
    /// The type has an empty value (`Default`): an object whose fields are all
    /// optional or empty themselves, or a one-value enum. A required field of
    /// such a type that the server leaves out decodes to it (see
    /// [`crate::api::reads_missing_as_empty`]).
    pub empty_value: bool,
}

/// One operation that takes or returns a type directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeUse {
    /// Rust name of the `Client` method (the streaming or alternative-body
    /// method where that is the one that uses the type).
    pub method: String,
    /// How the method uses the type.
    pub role: UseRole,
}

/// How an operation uses a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum UseRole {
    /// The request body (or an array or map of it).
    RequestBody,
    /// A path, query or header parameter.
    Parameter,
    /// The success response.
    Response,
    /// One event of the streaming method.
    StreamEvent,
    /// A webhook event, decoded by `Client::webhooks()`.
    WebhookEvent,
}

/// What a schema says about the values of a field or parameter, beyond its type,
/// kept as data for the documentation. Numbers and values are JSON text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldFacts {
    /// `default`, as JSON text.
    pub default: Option<String>,
    /// `minimum`, as JSON text.
    pub minimum: Option<String>,
    /// The minimum itself is excluded (`exclusiveMinimum`).
    pub exclusive_minimum: bool,
    /// `maximum`, as JSON text.
    pub maximum: Option<String>,
    /// The maximum itself is excluded (`exclusiveMaximum`).
    pub exclusive_maximum: bool,
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `format` (`int64`, `uri`, ...).
    pub format: Option<String>,
    /// Values of an inline `enum`, as JSON text, in spec order.
    pub allowed: Vec<String>,
    /// A number array the API may also send as base64 of little-endian
    /// `float32` (config `base64_floats`); it decodes to the numbers either way.
    pub base64_float32: bool,
}

/// The shapes a named type can take.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(StructDef),
    /// A multipart form body: like a struct, with file fields.
    Multipart(StructDef),
    /// A closed set of strings, plus a catch-all variant for values added later.
    StringEnum(StringEnumDef),
    /// Any string, with the values the spec knows offered as constants (`anyOf: [string, enum]`).
    OpenString(Vec<EnumValue>),
    /// A union told apart by a tag property.
    Tagged(TaggedDef),
    /// A union told apart by shape.
    Untagged(Vec<UnionVariant>),
    /// A name for another type (`type Foo = Bar;`).
    Alias(TypeRef),
}

/// Fields of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// Properties in spec order.
    pub fields: Vec<Field>,
    /// Type of properties beyond the listed ones (`additionalProperties`), collected in a map.
    pub additional: Option<TypeRef>,
    /// Rust name of the field that keeps properties the spec does not declare
    /// (a JSON map, written back on encode), so nothing the server sends is
    /// lost. `None` where `additional` already collects them, in multipart
    /// forms, and where a flattened union part keeps them instead.
    pub unknown_fields: Option<String>,
    /// Which optional fields must be set, from `anyOf`/`oneOf` branches that
    /// only constrain (they add no field; the constructor's doc states them).
    pub rules: Vec<FieldRule>,
}

/// A rule over which fields an object sets, from an `anyOf` or `oneOf` whose
/// branches only list `required` names: `anyOf: [{required: [file_ids]},
/// {required: [files]}]` is "at least one of `file_ids`, `files`".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRule {
    /// `oneOf` (exactly one branch holds) rather than `anyOf` (at least one).
    pub exactly_one: bool,
    /// The wire names each branch requires, in spec order.
    pub branches: Vec<Vec<String>>,
    /// Some branch says more than which names it requires (`minProperties`,
    /// `not`, ...), which the rule's wording leaves out.
    pub more: bool,
}

/// One property of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Property name on the wire.
    pub wire_name: String,
    /// Rust field name.
    pub rust_name: String,
    /// Value type, without the `Option` that optionality or nullability adds.
    pub ty: TypeRef,
    /// Listed in `required`.
    pub required: bool,
    /// May be `null` on the wire.
    pub nullable: bool,
    /// Documentation from the spec.
    pub doc: Option<String>,
    /// Marked deprecated in the spec.
    pub deprecated: bool,
    /// Emitted as `Box<T>`: the field closes a cycle of by-value containment,
    /// or its type is estimated past 1 KiB (`lower/boxing.rs`).
    pub boxed: bool,
    /// Serialised inline (`#[serde(flatten)]`): the union branch of an `allOf`.
    pub flatten: bool,
    /// Defaults, bounds, format and allowed values from the schema.
    pub facts: FieldFacts,
}

/// A string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct StringEnumDef {
    /// Known values.
    pub values: Vec<EnumValue>,
    /// Name of the catch-all variant holding unknown values.
    pub catch_all: String,
}

/// A known enum value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumValue {
    /// Value on the wire.
    pub wire: String,
    /// Rust variant (or constant) name.
    pub rust_name: String,
}

/// A discriminated union.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedDef {
    /// Wire name of the tag property.
    pub tag: String,
    /// Variants in spec order.
    pub variants: Vec<TaggedVariant>,
    /// Name of the variant that keeps an object with an unknown tag.
    pub fallback: String,
}

/// One branch of a discriminated union.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedVariant {
    /// Rust variant name.
    pub rust_name: String,
    /// Tag values selecting this branch (the first is written when serializing).
    pub tag_values: Vec<String>,
    /// Payload type (a named object type).
    pub ty: TypeRef,
    /// The payload type has the tag as a property of its own, so it serialises the tag itself.
    pub carries_tag: bool,
}

/// One branch of an untagged union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    /// Rust variant name.
    pub rust_name: String,
    /// Payload type.
    pub ty: TypeRef,
}

/// A reference to a type, as used by fields, parameters and bodies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    /// `String`.
    String,
    /// `i64` (integers without a format, and `int64`).
    I64,
    /// `i32` (`format: int32`).
    I32,
    /// `f64`.
    F64,
    /// `bool`.
    Bool,
    /// Any JSON value.
    Json,
    /// A free-form JSON object.
    JsonObject,
    /// Free-form JSON that a request sends, held as the runtime's `Json` and
    /// made from any `Serialize` value. Lowering never makes it:
    /// [`crate::api::field_type`] gives it to free-form fields of request types.
    JsonInput,
    /// A file in a multipart body.
    File,
    /// A named type of the model.
    Named(TypeId),
    /// An array.
    Array(Box<TypeRef>),
    /// A map from string keys.
    Map(Box<TypeRef>),
}

/// One API operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId` (or a name derived from method and path when it is missing).
    pub operation_id: String,
    /// Rust method name.
    pub rust_name: String,
    /// Where the method name came from (the generation report lists every
    /// method not named from its operationId as written).
    pub name_source: NameSource,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template as in the spec (`/files/{file_id}`).
    pub path: String,
    /// The path template parsed once, at load: literal text and parameters in order.
    pub path_segments: Vec<PathSegment>,
    /// Tags, for grouping.
    pub tags: Vec<String>,
    /// Cargo feature of the operation's API group (its first tag, kebab-case).
    pub feature: String,
    /// Documentation: the project's summary from
    /// [`Config::summaries`](crate::config::Config::summaries), else the spec's
    /// summary and description. `None` when there is neither; the emitter then
    /// writes a sentence from the operation's facts.
    pub doc: Option<String>,
    /// Marked deprecated.
    pub deprecated: bool,
    /// Path parameters in template order.
    pub path_params: Vec<Param>,
    /// Query and header parameters, gathered in a generated `…Params` struct.
    pub params: Vec<Param>,
    /// Rust name of the parameter struct, when there are query or header parameters.
    pub params_type: Option<String>,
    /// The request body.
    pub body: Option<Body>,
    /// A second encoding the spec offers for the body (JSON beside multipart),
    /// generated as its own method with this name.
    pub alternative_body: Option<(String, Body)>,
    /// The success response.
    pub response: ResponseKind,
    /// Streaming variant of the operation, when it can stream.
    pub stream: Option<StreamSpec>,
    /// Rust name of the streaming method.
    pub stream_method: Option<String>,
    /// Headers the operation always sends (from the config: `OpenAI-Beta:
    /// assistants=v2` on the assistants API), as (name, value); a caller's own
    /// header of the same name replaces them.
    pub fixed_headers: Vec<(String, String)>,
    /// Top-level JSON body fields sent when the caller left them out (config
    /// `body_defaults`), as (wire name, JSON text), such as
    /// `("encoding_format", "\"base64\"")` on embeddings.
    pub body_defaults: Vec<(String, String)>,
    /// How the operation's responses link to the next page, when it is a
    /// listing: it then gets an auto-paging method.
    pub pagination: Option<Pagination>,
    /// The array of items in the JSON response, decoded as a large body
    /// arrives (the runtime's `execute_listing`): a listing's items, or else
    /// a `data` array member of the response object (embeddings, images,
    /// search results).
    pub items: Option<ItemsArray>,
}

/// The array of items in an operation's JSON response object.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemsArray {
    /// Wire name of the array member (`data`).
    pub field: String,
    /// Type of one item.
    pub item: TypeRef,
}

/// How a listing's pages follow each other (detected from the response schema
/// and the query parameters, or set in the config).
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// Where the next page's cursor comes from.
    pub kind: PaginationKind,
    /// Wire name of the response's list of items (`data`).
    pub items_field: String,
    /// Type of one item.
    pub item: TypeRef,
    /// Wire name of the cursor: a field of the last item ([`PaginationKind::LastItem`],
    /// `id`) or of the response ([`PaginationKind::Field`]: `last_id`, `next`,
    /// `next_page`). `None` for a single page.
    pub cursor_field: Option<String>,
    /// Wire name of the query parameter the cursor is sent back in (`after`,
    /// `page`). `None` for a single page.
    pub query_param: Option<String>,
    /// Wire name of the response's "more pages follow" flag (`has_more`), when it has one.
    pub has_more_field: Option<String>,
    /// Rust name of the auto-paging method.
    pub method: String,
}

/// Where the next page's cursor comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PaginationKind {
    /// There is no next page: the whole list comes in one response
    /// (openai-python's `SyncPage`).
    Single,
    /// The cursor is a field of the page's last item: `after` = the last
    /// item's `id` (openai-python's `SyncCursorPage`).
    LastItem,
    /// The cursor is a field of the response: `last_id` (openai-python's
    /// `SyncConversationCursorPage`), `next`, or a `next_page` token sent back as `page`.
    Field,
}

impl Pagination {
    /// A short description for the generation report, e.g. `after = last item's id`.
    pub fn label(&self) -> String {
        let param = self.query_param.as_deref().unwrap_or("?");
        let cursor = self.cursor_field.as_deref().unwrap_or("?");
        match self.kind {
            PaginationKind::Single => "single page".to_owned(),
            PaginationKind::LastItem => format!("{param} = last item's {cursor}"),
            PaginationKind::Field => format!("{param} = {cursor}"),
        }
    }
}

/// Where a method name came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameSource {
    /// The operationId in `snake_case`.
    OperationId,
    /// The operationId run together (`getorganizationspendlimit`), split into
    /// words the spec uses elsewhere.
    Split,
    /// `method_names` in the codegen config.
    Override,
    /// The operation has no operationId: HTTP method and path.
    MethodAndPath,
}

impl NameSource {
    /// How the generation report says it.
    pub fn describe(self) -> &'static str {
        match self {
            NameSource::OperationId => "the operationId as written",
            NameSource::Split => "the operationId split into words the spec uses",
            NameSource::Override => "`method_names` in the codegen config",
            NameSource::MethodAndPath => "no operationId: HTTP method and path",
        }
    }
}

/// One piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// Text sent as it is (`/files/`).
    Literal(String),
    /// A placeholder (`{file_id}`): the wire name of a path parameter.
    Param(String),
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// A request header.
    Header,
}

/// One parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name on the wire.
    pub wire_name: String,
    /// Rust name.
    pub rust_name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// Type.
    pub ty: TypeRef,
    /// Must be given.
    pub required: bool,
    /// Documentation.
    pub doc: Option<String>,
    /// Marked deprecated in the spec.
    pub deprecated: bool,
    /// Defaults, bounds, format and allowed values from the parameter's schema.
    pub facts: FieldFacts,
}

/// A request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// How it is encoded.
    pub encoding: BodyEncoding,
    /// Its type.
    pub ty: TypeRef,
    /// `requestBody.required`.
    pub required: bool,
}

/// Request body encodings the runtime supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyEncoding {
    /// `application/json`.
    Json,
    /// `multipart/form-data`.
    Multipart,
}

/// What a successful response carries.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseKind {
    /// A JSON body of this type.
    Json(TypeRef),
    /// No body (or one the client ignores).
    Empty,
    /// Bytes (audio, file content).
    Binary,
    /// Plain text, returned as a `String` inside JSON decoding rules.
    Text,
}

/// How the streaming variant of an operation reads its events.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamSpec {
    /// Type each event decodes to.
    pub event: TypeRef,
    /// Events carry `{event, data}` rather than the payload alone.
    pub event_and_data: bool,
    /// `data` payload that ends the stream (`[DONE]`).
    pub done_marker: Option<String>,
    /// Event names after which the stream ends.
    pub terminal_events: Vec<String>,
    /// Event names that decode to the event type; others are passed through as unknown.
    pub known_events: Vec<String>,
    /// Where the `stream: true` flag goes.
    pub flag: StreamFlag,
}

/// Where a streaming method asks the server to stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamFlag {
    /// Nowhere: the endpoint always streams.
    None,
    /// `"stream": true` in the JSON body (or form field); the plain method removes it.
    Body,
    /// `?stream=true`; the parameter is not part of the `…Params` struct.
    Query,
}

/// The Cargo feature of the types no operation (and no webhook) uses.
pub const UNREFERENCED_FEATURE: &str = "unreferenced";

/// The Cargo feature of the webhook events and of `Client::webhooks()`.
pub const WEBHOOKS_FEATURE: &str = "webhooks";

/// A type used by more API groups than this is compiled whatever features are on.
pub const MAX_TYPE_FEATURES: usize = 32;

impl TypeDef {
    /// Whether callers build values of this type: request types and
    /// multipart forms. They get a constructor and setters
    /// ([`api::has_builder`](crate::api::has_builder)), and keep inline the
    /// optional fields a type the client only decodes has boxed
    /// (`lower::boxing`).
    pub fn built_by_callers(&self) -> bool {
        self.in_request || matches!(self.kind, TypeKind::Multipart(_))
    }
}

impl Model {
    /// Cargo features the generated code refers to when
    /// [`Config::cargo_features`](crate::config::Config::cargo_features) is on:
    /// one per API group, `webhooks` for the webhook events, plus
    /// `unreferenced` for types no operation uses.
    pub fn features(&self) -> std::collections::BTreeSet<String> {
        let mut out: std::collections::BTreeSet<String> = self.operations.iter().map(|o| o.feature.clone()).collect();
        if self.webhooks.is_some() {
            out.insert(WEBHOOKS_FEATURE.to_owned());
        }
        if self.types.values().any(|t| t.features.contains(UNREFERENCED_FEATURE)) {
            out.insert(UNREFERENCED_FEATURE.to_owned());
        }
        out
    }
}


/// A type reference through aliases (a bounded number of them, as aliases of
/// aliases are short chains), for asking what a field or variant really holds.
pub fn through_aliases<'t>(ty: &'t TypeRef, types: &'t BTreeMap<TypeId, TypeDef>) -> &'t TypeRef {
    let mut ty = ty;
    for _ in 0..16 {
        match ty {
            TypeRef::Named(id) => match types.get(id).map(|t| &t.kind) {
                Some(TypeKind::Alias(inner)) => ty = inner,
                _ => return ty,
            },
            _ => return ty,
        }
    }
    ty
}
