//! The rule catalogue: every kind of change the diff reports, with its stable id,
//! its default level for a strongly typed generated Rust client, and why.
//!
//! Request-side rules judge what the server now accepts from clients built on the
//! old spec; response-side rules judge whether what the server now sends still
//! parses into the old generated types. Parameter schemas are judged by the
//! `request.*` schema rules.

use std::fmt;
use std::str::FromStr;

/// How bad a change is for users of the generated Rust client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Calls that worked before fail at run time (a request is rejected, a response no longer parses).
    BreakingWire,
    /// Code that compiled against the old client compiles no more (a method, type, field or variant is renamed or gone, a field type changes).
    BreakingSource,
    /// Worth a look before regenerating: behaviour changes that neither fail calls nor compilation.
    Warning,
    /// Additive or neutral changes.
    Info,
}

impl Level {
    /// All levels, most severe first.
    pub const ALL: [Level; 4] = [Level::BreakingWire, Level::BreakingSource, Level::Warning, Level::Info];

    /// Severity rank: higher is worse.
    pub fn rank(self) -> u8 {
        match self {
            Level::BreakingWire => 3,
            Level::BreakingSource => 2,
            Level::Warning => 1,
            Level::Info => 0,
        }
    }

    /// Stable spelling used in all outputs and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::BreakingWire => "breaking-wire",
            Level::BreakingSource => "breaking-source",
            Level::Warning => "warning",
            Level::Info => "info",
        }
    }

    /// Whether the level is one of the two breaking levels.
    pub fn is_breaking(self) -> bool {
        matches!(self, Level::BreakingWire | Level::BreakingSource)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Level::ALL.into_iter().find(|l| l.as_str() == s).ok_or_else(|| format!("unknown level `{s}` (expected breaking-wire, breaking-source, warning or info)"))
    }
}

macro_rules! rules {
    ($( $variant:ident = $id:literal, $level:ident, $summary:literal; )*) => {
        /// A kind of change. The id (`RuleId::id`) is stable and is what ignore files and level overrides name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId {
            $( #[doc = $summary] $variant, )*
        }

        impl RuleId {
            /// Every rule, in catalogue order.
            pub const ALL: &'static [RuleId] = &[ $( RuleId::$variant, )* ];

            /// The stable id, e.g. `response.property.removed`.
            pub fn id(self) -> &'static str {
                match self { $( RuleId::$variant => $id, )* }
            }

            /// The level used unless overridden.
            pub fn default_level(self) -> Level {
                match self { $( RuleId::$variant => Level::$level, )* }
            }

            /// What the rule detects and why it has its level.
            pub fn summary(self) -> &'static str {
                match self { $( RuleId::$variant => $summary, )* }
            }
        }
    };
}

rules! {
    PathRemoved = "path.removed", BreakingWire, "A path and all its operations are gone: their methods disappear and calls fail";
    PathAdded = "path.added", Info, "A new path with new operations";
    OperationRemoved = "operation.removed", BreakingWire, "An operation is gone from a path that remains: its method disappears and calls fail";
    OperationAdded = "operation.added", Info, "A new operation on an existing path";
    OperationIdChanged = "operation.id-changed", Info, "The operationId changed so that the generated method name changes (the Rust change is reported as api.removed and api.added)";
    ParameterAddedRequired = "parameter.added-required", BreakingWire, "A new required parameter: old calls lack it and the method signature changes";
    ParameterAddedOptional = "parameter.added-optional", Info, "A new optional parameter";
    ParameterRemoved = "parameter.removed", Info, "A parameter is gone: the server ignores or rejects it (its argument or field disappears: reported as api.*)";
    ParameterRequired = "parameter.required", BreakingWire, "An optional parameter became required: calls without it are rejected";
    ParameterOptional = "parameter.optional", Info, "A required parameter became optional: the wire accepts more (a changed argument is reported as api.changed)";
    RequestBodyAddedRequired = "request-body.added-required", BreakingWire, "An operation now requires a request body: old calls send none";
    RequestBodyAddedOptional = "request-body.added-optional", Info, "An operation now takes an optional request body (a changed method is reported as api.changed)";
    RequestBodyRemoved = "request-body.removed", Info, "An operation no longer takes a request body (a changed method is reported as api.changed)";
    RequestBodyRequired = "request-body.required", BreakingWire, "An optional request body became required: calls without it are rejected";
    RequestMediaTypeRemoved = "request.media-type-removed", BreakingWire, "A request media type is no longer accepted: clients sending it are rejected";
    RequestMediaTypeAdded = "request.media-type-added", Info, "A request body accepts an additional media type";
    RequestMultipartAdded = "request.multipart-added", Warning, "A request body now accepts multipart/form-data: the generated call builds a form";
    RequestMultipartRemoved = "request.multipart-removed", BreakingWire, "A request body no longer accepts multipart/form-data: uploads are rejected";
    RequestPropertyAddedRequired = "request.property.added-required", BreakingWire, "A new required request property: old clients do not send it";
    RequestPropertyAddedOptional = "request.property.added-optional", Info, "A new optional request property";
    RequestPropertyRemoved = "request.property.removed", BreakingWire, "A request property is gone: clients sending it may be rejected and the field disappears";
    RequestPropertyRequired = "request.property.required", BreakingWire, "An optional request property became required: old clients may omit it";
    RequestPropertyOptional = "request.property.optional", Info, "A required request property became optional: the wire accepts more (a changed field or constructor is reported as api.changed)";
    RequestTypeChanged = "request.type-changed", BreakingWire, "A request value has an incompatible type: what old clients send is rejected";
    RequestTypeNarrowed = "request.type-narrowed", BreakingWire, "A request value accepts less (tighter bounds or pattern, a string format or an enum added, no longer nullable, no more additional properties)";
    RequestTypeChangedCompatible = "request.type-changed-compatible", Info, "A request value accepts more (integer to number, int32 to int64, a required value now nullable, a string enum dropped, another type of the same shape); a changed Rust type is reported as api.changed";
    RequestEnumValueRemoved = "request.enum.value-removed", BreakingWire, "A request enum value is gone: clients sending it are rejected and its variant disappears";
    RequestEnumValueAdded = "request.enum.value-added", Info, "A request enum gains a value (a new variant to send)";
    RequestUnionVariantRemoved = "request.union.variant-removed", BreakingWire, "A oneOf/anyOf variant of a request value is gone: clients sending it are rejected";
    RequestUnionVariantAdded = "request.union.variant-added", Info, "A oneOf/anyOf of a request value gains a variant";
    ResponseStatusRemoved = "response.status-removed", BreakingWire, "A success status code is no longer documented: its response type disappears";
    ResponseStatusAdded = "response.status-added", Warning, "A new success status code: the client must decode one more response";
    ResponseMediaTypeRemoved = "response.media-type-removed", BreakingWire, "A response media type is gone: clients expecting it get something else";
    ResponseMediaTypeAdded = "response.media-type-added", Info, "A response offers an additional media type";
    ResponseStreamingRemoved = "response.streaming-removed", BreakingWire, "A response no longer streams (text/event-stream): streaming calls fail";
    ResponseStreamingAdded = "response.streaming-added", Warning, "A response can now stream (text/event-stream): a streaming method appears";
    ResponsePropertyRemoved = "response.property.removed", BreakingWire, "A required response property is gone: old types fail to parse responses";
    ResponsePropertyRemovedOptional = "response.property.removed-optional", Info, "An optional response property is gone: responses still parse (the field's removal is reported as api.removed)";
    ResponsePropertyOptional = "response.property.optional", BreakingWire, "A required, non-nullable response property became optional: the generated T field fails when it is absent";
    ResponsePropertyAdded = "response.property.added", Info, "A response gains a property";
    ResponseNullableAdded = "response.nullable-added", BreakingWire, "A response value the client reads as T (a required property, an item, a body) became nullable: null fails to parse";
    ResponseTypeChanged = "response.type-changed", BreakingWire, "A response value has another or a wider type (integer to number, int32 to int64): old types fail to parse it";
    ResponseTypeChangedCompatible = "response.type-changed-compatible", Info, "Responses still parse (number to integer, an Option<T> field now T, a string enum introduced or dropped, another type of the same shape); a changed Rust type is reported as api.changed";
    ResponseOptionAbsorbed = "response.option-absorbed", Info, "A response property became optional or nullable where the generated field is already Option<T>: absorbed";
    ResponseEnumValueAdded = "response.enum.value-added", Warning, "A response enum gains a value: absorbed on the wire by the generated client (string enums have an Unknown(String) catch-all, other enums are plain numbers), but values that arrived as Unknown now arrive as a new variant";
    ResponseEnumValueRemoved = "response.enum.value-removed", Info, "A response enum value is gone: responses still parse (a removed variant is reported as api.removed)";
    OpenEnumValueAdded = "open-enum.value-added", Info, "An open string (a plain string branch beside string enums, e.g. model ids) gains a known value: a new constant";
    OpenEnumValueRemoved = "open-enum.value-removed", Info, "An open string loses a known value: the wire still accepts any string (the removed constant is reported as api.removed)";
    ResponseUnionVariantAdded = "response.union.variant-added", Warning, "A tagged response union (explicit discriminator, or a tag property every branch has) gains a variant: absorbed on the wire by the generated Unknown fallback";
    ResponseUnionVariantAddedUncaught = "response.union.variant-added-uncaught", BreakingWire, "An untagged response union gains a variant: the generated untagged enum has no fallback, old types fail to parse it";
    ResponseUnionVariantRemoved = "response.union.variant-removed", Info, "A response union variant is gone: responses still parse (a removed Rust variant is reported as api.removed)";
    DiscriminatorPropertyChanged = "discriminator.property-changed", BreakingWire, "The discriminator property of a union changed: tagged values no longer match";
    DiscriminatorMappingChanged = "discriminator.mapping-changed", BreakingWire, "A discriminator tag now maps to another variant, or a variant is now tagged differently";
    SchemaRemoved = "schema.removed", Info, "A component schema is gone (its generated type's removal is reported as api.removed)";
    SchemaRenamed = "schema.renamed", Info, "A component schema was renamed (the generated type's new name is reported as api.removed and api.added)";
    SchemaAdded = "schema.added", Info, "A new component schema (a new type)";
    DefaultChanged = "default.changed", Warning, "A default value changed: omitting the value now means something else";
    DeprecationAdded = "deprecation.added", Warning, "An operation, parameter, property or schema is newly deprecated";
    DeprecationRemoved = "deprecation.removed", Info, "A deprecation was withdrawn";
    SecurityRequirementRemoved = "security.requirement-removed", BreakingWire, "An accepted way to authenticate (or calling without credentials) is no longer accepted";
    SecurityRequirementAdded = "security.requirement-added", Info, "An additional way to authenticate is accepted";
    SecuritySchemeChanged = "security.scheme-changed", BreakingWire, "A security scheme changed its type, location, name or scheme, or is gone";
    ApiRemoved = "api.removed", BreakingSource, "An item of the generated Rust API is gone (type, field, variant, constant, method, constructor or setter): code naming it no longer compiles";
    ApiRenamed = "api.renamed", BreakingSource, "An item of the generated Rust API has a new name for the same schema, property, tag, value or operation (another type took its short name, an operationId is split differently): code naming the old name no longer compiles";
    ApiChanged = "api.changed", BreakingSource, "An item of the generated Rust API has another signature (a constructor's arguments, a field's or method's types, an alias target): code using it may no longer compile";
    ApiVariantAdded = "api.variant-added", BreakingSource, "An exhaustive enum (an untagged union, the only generated enum without #[non_exhaustive]) gains a variant: exhaustive matches no longer compile";
    ApiFeatureRemoved = "api.feature-removed", BreakingSource, "A Cargo feature is gone, or a type or method is no longer compiled with a feature it was compiled with: builds selecting that feature fail or lose it";
    ApiAdded = "api.added", Info, "A new item of the generated Rust API (members of a new type are counted with it)";
    DocsDescriptionChanged = "docs.description-changed", Info, "A description or summary changed (reported only with --docs)";
    DocsExampleChanged = "docs.example-changed", Info, "An example changed (reported only with --docs)";
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for RuleId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        RuleId::ALL.iter().copied().find(|r| r.id() == s).ok_or_else(|| format!("unknown rule id `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for r in RuleId::ALL {
            assert!(seen.insert(r.id()), "duplicate id {}", r.id());
            assert_eq!(r.id().parse::<RuleId>(), Ok(*r));
            assert!(!r.summary().ends_with('.'), "{} summary ends with a period", r.id());
        }
    }
}
